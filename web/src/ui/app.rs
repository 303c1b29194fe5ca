//! The app component: owns the [`State`], runs the reducer's effects (worker requests, cancel, downloads, the
//! remembered language) and lays out the page.

use super::bridge::Bridge;
use super::{controls, results};
use crate::browser;
use crate::i18n::{self, t};
use crate::protocol::{FileIn, Request, Response, TabulateIn};
use crate::state::{Action, Effect, State};
use cellguard_engine::Lang;
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

#[derive(Debug)]
pub enum Msg {
    Act(Action),
    /// Files picked or dropped: read them, then add them (or load the policy).
    Read(Vec<web_sys::File>, Target),
    Demo,
    /// Files read (and the ones that could not be read).
    Batch(Vec<FileIn>, Vec<String>),
    /// The draft of a microdata tabulation form.
    Draft(String, TabulateIn),
    Scroll(u32),
    /// The worker of this generation crashed (see [`Bridge`]).
    Crashed(u32, String),
    /// Save these bytes as a download: its name and type.
    Save(String, &'static str, crate::protocol::Bytes),
    /// The export module's worker crashed: why (it is replaced at the next workbook).
    ExporterCrashed(String),
}

/// What read files are for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    Tables,
    Policy,
}

#[derive(Debug)]
pub struct App {
    state: State,
    /// The checking worker (`None` when the browser would not start one: a notice says so).
    bridge: Option<Bridge>,
    /// Counts the workers started: a crash report of a worker already replaced is ignored.
    generation: u32,
    pub(super) drafts: BTreeMap<String, TabulateIn>,
    pub(super) scroll_row: u32,
    heat_canvas: NodeRef,
    /// Files the page will hash (see `Msg::Batch`).
    unhashed: Vec<(String, crate::protocol::Bytes)>,
    /// The cell whose explanation was open at the last render: focus goes into the dialog when it opens and back
    /// to the cell's row when it closes.
    explained: Option<u32>,
    /// The rows shown start again from the first (a new outcome, table or filter): the table's scroll box is
    /// scrolled back to the top at the next render, so it shows the rows it counts.
    to_top: bool,
    /// The row the table was scrolled to for a click on the status map, until that row takes the focus.
    scrolled_to: Option<u32>,
    /// The protect module's worker, once a table was protected (ended to stop a search).
    protector: Option<Bridge>,
    /// The export module's worker, once a workbook was asked for.
    exporter: Option<Bridge>,
}

/// Starts a checking worker of `generation`; a notice says so when the browser will not start one.
fn spawn(ctx: &Context<App>, generation: u32) -> Option<Bridge> {
    let answer = ctx
        .link()
        .callback(|r: Response| Msg::Act(Action::Worker(r)));
    let crashed = ctx
        .link()
        .callback(move |why: String| Msg::Crashed(generation, why));
    match Bridge::spawn(
        super::bridge::WORKER,
        move |r: Response| answer.emit(r),
        move |why| crashed.emit(why),
    ) {
        Ok(bridge) => Some(bridge),
        Err(e) => {
            ctx.link().send_message(Msg::Act(Action::Notice(e)));
            None
        }
    }
}

/// The browser's WebCrypto, where the page has it (a secure context: `https:` or `127.0.0.1`).
fn subtle() -> Option<web_sys::SubtleCrypto> {
    Some(web_sys::window()?.crypto().ok()?.subtle())
        .filter(|s| !wasm_bindgen::JsValue::from(s.clone()).is_undefined())
}

/// The SHA-256 of a file's bytes by the browser's own WebCrypto (native speed, off the worker: the Wasm worker
/// would take a quarter of a second on a 50 MB file). `None` where WebCrypto fails: the worker hashes.
async fn digest(bytes: &crate::protocol::Bytes) -> Option<String> {
    let subtle = subtle()?;
    let array = bytes.to_js().await?;
    let promise = subtle
        .digest_with_str_and_buffer_source("SHA-256", &array)
        .ok()?;
    let out = JsFuture::from(promise).await.ok()?;
    let hash = js_sys::Uint8Array::new(&out).to_vec();
    (hash.len() == 32).then(|| hash.iter().map(|b| format!("{b:02x}")).collect())
}

/// A picked or dropped table file, kept as the browser's file (see [`crate::protocol::Bytes`]): the worker reads
/// it; the page reads it too, once the check's outcome is in, to hash it where WebCrypto is available.
fn table_file(f: web_sys::File) -> FileIn {
    // A file of a picked folder is named by its path in it (`population/year=2015/part-0.parquet`): its folders'
    // partition keys are columns of its rows.
    let path = js_sys::Reflect::get(&f, &"webkitRelativePath".into())
        .ok()
        .and_then(|p| p.as_string())
        .filter(|p| !p.is_empty());
    FileIn {
        name: path.unwrap_or_else(|| f.name()),
        hashing: subtle().is_some(),
        bytes: crate::protocol::Bytes::from_file(f),
        sha256: None,
    }
}

/// A picked policy file's bytes, read here (the page parses the policy).
async fn read_file(f: web_sys::File) -> Result<FileIn, String> {
    let buf = JsFuture::from(f.array_buffer())
        .await
        .map_err(|e| format!("{}: cannot read the file ({e:?})", f.name()))?;
    Ok(FileIn {
        name: f.name(),
        bytes: crate::protocol::Bytes::from_js(js_sys::Uint8Array::new(&buf)),
        sha256: None,
        hashing: subtle().is_some(),
    })
}

async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("{url}: {e:?}"))?
        .dyn_into()
        .map_err(|_| format!("{url}: not a response"))?;
    if !resp.ok() {
        return Err(format!("{url}: HTTP {}", resp.status()));
    }
    let buf = JsFuture::from(resp.array_buffer().map_err(|e| format!("{url}: {e:?}"))?)
        .await
        .map_err(|e| format!("{url}: {e:?}"))?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

impl App {
    /// Hashes the files waiting for it, each beside the page's work (WebCrypto).
    fn hash(&mut self, ctx: &Context<Self>) {
        for (name, bytes) in std::mem::take(&mut self.unhashed) {
            ctx.link().send_future(async move {
                let sha256 = digest(&bytes).await;
                Msg::Act(Action::Digested {
                    name,
                    bytes,
                    sha256,
                })
            });
        }
    }

    fn run(&mut self, ctx: &Context<Self>, effects: Vec<Effect>) {
        for e in effects {
            match e {
                Effect::Send(req) => {
                    if let Some(bridge) = &self.bridge {
                        bridge.send(&req);
                    }
                }
                Effect::Restart => {
                    // The old worker stops at once (dropping its bridge terminates it); a fresh one takes over.
                    self.bridge = None;
                    self.generation += 1;
                    self.bridge = spawn(ctx, self.generation);
                }
                Effect::Download(x) => browser::download_bytes(&x.filename, &x.mime, &x.bytes),
                Effect::Protect(req) => {
                    if self.protector.is_none() {
                        let link = ctx.link();
                        let answer = link.callback(|msg: crate::protect::ProtectMsg| {
                            Msg::Act(match msg {
                                crate::protect::ProtectMsg::Progress { job, done, total } => {
                                    Action::ProtectProgress { job, done, total }
                                }
                                crate::protect::ProtectMsg::Done(out) => Action::Protected(*out),
                            })
                        });
                        let crashed =
                            link.callback(|why: String| Msg::Act(Action::ProtectCrashed(why)));
                        match Bridge::spawn(
                            super::bridge::PROTECT,
                            move |out| answer.emit(out),
                            move |why| crashed.emit(why),
                        ) {
                            Ok(b) => self.protector = Some(b),
                            Err(why) => ctx
                                .link()
                                .send_message(Msg::Act(Action::ProtectCrashed(why))),
                        }
                    }
                    if let Some(p) = &self.protector {
                        p.send(&*req);
                    }
                }
                // Dropping the bridge ends the worker; the next request starts a fresh one.
                Effect::StopProtect => self.protector = None,
                Effect::Export(job) => {
                    if self.exporter.is_none() {
                        let link = ctx.link();
                        // Only the export and its failure go to the page: the module's check is its own.
                        let answer = link.batch_callback(|r: Response| match r {
                            Response::Exported(_) | Response::Failed { .. } => {
                                Some(Msg::Act(Action::Worker(r)))
                            }
                            _ => None,
                        });
                        let crashed = link.callback(Msg::ExporterCrashed);
                        match Bridge::spawn(
                            super::bridge::EXPORT,
                            move |r| answer.emit(r),
                            move |why| crashed.emit(why),
                        ) {
                            Ok(b) => self.exporter = Some(b),
                            Err(why) => ctx.link().send_message(Msg::Act(Action::Notice(why))),
                        }
                    }
                    if let Some(e) = &self.exporter {
                        for req in &job {
                            e.send(req);
                        }
                    }
                }
                Effect::SaveLang(l) => browser::remember_lang(l),
            }
        }
    }
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let state = State {
            lang: browser::initial_lang(),
            ..State::default()
        };
        App {
            state,
            bridge: spawn(ctx, 0),
            generation: 0,
            drafts: BTreeMap::new(),
            scroll_row: 0,
            heat_canvas: NodeRef::default(),
            unhashed: Vec::new(),
            explained: None,
            to_top: false,
            scrolled_to: None,
            protector: None,
            exporter: None,
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Self::Message) -> bool {
        match msg {
            Msg::Act(action) => {
                let outcome = matches!(action, Action::Worker(Response::Checked(_)));
                if outcome || matches!(action, Action::Select(_) | Action::SetFilter(_)) {
                    self.scroll_row = 0;
                    self.to_top = true;
                }
                let effects = self.state.reduce(action);
                self.run(ctx, effects);
                if outcome {
                    self.hash(ctx);
                }
            }
            Msg::Read(files, Target::Tables) => {
                // Handed to the worker as files at once: no wait for the page to read them first.
                let files = files.into_iter().map(table_file).collect();
                ctx.link().send_message(Msg::Batch(files, Vec::new()));
                return false;
            }
            Msg::Read(files, Target::Policy) => {
                ctx.link().send_future(async move {
                    // The last file picked is the policy.
                    let mut last = None;
                    let mut errors = Vec::new();
                    for f in files {
                        match read_file(f).await {
                            Ok(x) => last = Some(x),
                            Err(e) => errors.push(e),
                        }
                    }
                    match last {
                        Some(p) => Msg::Act(Action::PolicyFile(p)),
                        None => Msg::Act(Action::Notice(errors.join("; "))),
                    }
                });
                return false;
            }
            Msg::Demo => {
                ctx.link().send_future(async {
                    let mut files = Vec::new();
                    if let Ok(list) = fetch_bytes("demo/manifest.txt").await {
                        for name in String::from_utf8_lossy(&list).lines().map(str::trim) {
                            if name.is_empty() {
                                continue;
                            }
                            if let Ok(bytes) = fetch_bytes(&format!("demo/{name}")).await {
                                files.push(FileIn::new(name, bytes));
                            }
                        }
                    }
                    Msg::Act(Action::AddFiles(files))
                });
                return false;
            }
            Msg::Batch(files, errors) => {
                // Each file is hashed once the check's outcome is in (at once when nothing is checked): reading
                // and hashing a large file beside the check would share the processor with it. The hash follows
                // the check into the report; an export that comes first has the worker hash the file.
                self.unhashed.extend(
                    files
                        .iter()
                        .filter(|f| f.hashing)
                        .map(|f| (f.name.clone(), f.bytes.clone())),
                );
                let mut effects = self.state.reduce(Action::AddFiles(files));
                if !errors.is_empty() {
                    effects.extend(self.state.reduce(Action::Notice(errors.join("; "))));
                }
                let checking = effects
                    .iter()
                    .any(|e| matches!(e, Effect::Send(Request::Check { .. })));
                self.run(ctx, effects);
                if !checking {
                    self.hash(ctx);
                }
            }
            Msg::Draft(name, d) => {
                self.drafts.insert(name, d);
            }
            Msg::Scroll(row) => {
                self.scroll_row = row;
                let effects = self.state.reduce(Action::Scrolled(row));
                self.run(ctx, effects);
            }
            Msg::Crashed(generation, why) => {
                if generation != self.generation {
                    return false;
                }
                web_sys::console::error_1(&format!("the checking worker crashed: {why}").into());
                let effects = self.state.reduce(Action::WorkerCrashed);
                self.run(ctx, effects);
            }
            Msg::Save(name, mime, bytes) => {
                browser::download_bytes(&name, mime, &bytes);
                return false;
            }
            Msg::ExporterCrashed(why) => {
                // Dropping the bridge ends the worker; the next workbook starts a fresh one.
                self.exporter = None;
                let effects = self
                    .state
                    .reduce(Action::Notice(format!("the export module stopped: {why}")));
                self.run(ctx, effects);
            }
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let lang = self.state.lang;
        let link = ctx.link();
        let on_lang = link.callback(|e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            Msg::Act(Action::SetLang(Lang::from_code(&v).unwrap_or_default()))
        });
        html! {
            <div class="page" data-lang={lang.code()}>
                <header>
                    <h1>{ t(lang, "title") }</h1>
                    <p class="tagline">{ t(lang, "tagline") }</p>
                    <a id="signoff-link" href="signoff.html">{ t(lang, "signoff_link") }</a>
                    <label class="lang">{ t(lang, "language") }{" "}
                        <select id="lang" onchange={on_lang}>
                            { for Lang::ALL.iter().map(|l| html! {
                                <option value={l.code()} selected={*l == lang}>{ i18n::lang_name(*l) }</option>
                            }) }
                        </select>
                    </label>
                </header>
                <main>
                    <aside>
                        { controls::loader(&self.state, link) }
                        { controls::files(&self.state, link, &self.drafts) }
                        { controls::policy(&self.state, link) }
                    </aside>
                    <section class="results">
                        { results::busy(&self.state, link) }
                        { results::notices(&self.state) }
                        { results::view(&self.state, link, self.scroll_row, &self.heat_canvas) }
                    </section>
                </main>
                { results::explanation(&self.state, link) }
            </div>
        }
    }

    fn rendered(&mut self, _ctx: &Context<Self>, _first_render: bool) {
        results::draw_heat(&self.state, &self.heat_canvas);
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        // The document's language is the page's, for screen readers and hyphenation.
        if let Some(root) = document.document_element() {
            let _ = root.set_attribute("lang", self.state.lang.code());
        }
        let focus = |selector: &str| {
            if let Some(el) = document
                .query_selector(selector)
                .ok()
                .flatten()
                .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = el.focus();
            }
        };
        if std::mem::take(&mut self.to_top) {
            if let Some(viewport) = document.get_element_by_id("viewport") {
                viewport.set_scroll_top(0);
            }
        }
        // A click on the status map: the table scrolls to the row once, and the row takes the focus when drawn.
        if let Some((position, cell)) = self.state.jump {
            if self.scrolled_to != Some(position) {
                if let Some(viewport) = document.get_element_by_id("viewport") {
                    viewport.set_scroll_top((position * results::ROW_PX) as i32);
                }
                self.scroll_row = position;
                self.scrolled_to = Some(position);
            }
            if document
                .query_selector(&format!(".cell-row[data-cell=\"{cell}\"]"))
                .ok()
                .flatten()
                .is_some()
            {
                focus(&format!(".cell-row[data-cell=\"{cell}\"]"));
                self.state.jump = None;
                self.scrolled_to = None;
            }
        }
        let now = self.state.explanation.as_ref().map(|e| e.cell);
        match (self.explained, now) {
            (None, Some(_)) => focus("#explain"),
            (Some(cell), None) => focus(&format!(".cell-row[data-cell=\"{cell}\"]")),
            _ => {}
        }
        self.explained = now;
    }
}
