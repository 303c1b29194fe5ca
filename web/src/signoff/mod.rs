//! The sign-off page (`signoff.html`, its own WebAssembly module): a researcher makes a package ([`package`]);
//! a reviewer opens it, decides on each output with SACRO's rules shown as they type, unlocks (or creates) their
//! key, signs and saves the release bundle; anyone opens a bundle with the public keys they trust and sees whether
//! it holds. The model, the rules and the cryptography are `cellguard-signoff`'s, the checks the engine's; nothing
//! leaves the browser.

mod cells;
mod package;

use crate::browser;
use crate::signoff_words::w;
use cellguard_engine::Lang;
use cellguard_signoff::decision::{self, rule_broken};
use cellguard_signoff::keys::PublicKey;
use cellguard_signoff::manifest::{CheckState, OutputKind};
use cellguard_signoff::{
    DecisionInput, KeyFile, KeyPair, Limits, Package, Verdict, Verification, release, review,
    verify,
};
use std::collections::BTreeMap;
use yew::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Package,
    Review,
    Verify,
}

/// What picking a file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    Outputs,
    Package,
    Key,
    Bundle,
    Trust,
}

#[derive(Debug)]
pub enum Msg {
    Lang(Lang),
    Tab(Tab),
    Pick(Pick, Vec<web_sys::File>),
    Read(Pick, Vec<(String, Result<Vec<u8>, String>)>),
    Decide(String, Option<Verdict>),
    Comment(String, String),
    Passphrase(String),
    Unlock,
    NewName(String),
    NewPassphrase(String),
    NewPassphraseAgain(String),
    Create,
    SaveKey,
    SavePublic,
    Reviewer(String),
    Sign,
    Draft(package::Edit),
    SavePackage,
}

/// The page's state.
#[derive(Debug)]
pub struct Signoff {
    lang: Lang,
    tab: Tab,
    /// The package being made.
    draft: package::Draft,
    /// The package under review: its file name and content.
    package: Option<(String, Package)>,
    /// The opened package's table outputs, checked again under its policy: the cells the reviewer opens.
    cells: BTreeMap<String, Result<crate::signoff_cells::Checked, String>>,
    /// Per output: the chosen verdict and comment.
    choices: BTreeMap<String, (Option<Verdict>, String)>,
    key_file: Option<KeyFile>,
    key: Option<KeyPair>,
    passphrase: String,
    new_name: String,
    new_passphrase: String,
    new_passphrase_again: String,
    reviewer: String,
    /// The approved outputs of the last signed bundle.
    signed: Option<Vec<String>>,
    /// The last problem to show (a file that cannot be read, a wrong passphrase …).
    error: Option<String>,
    bundle: Option<(String, Vec<u8>)>,
    trusted: Vec<PublicKey>,
    verification: Option<Result<Verification, String>>,
}

impl Component for Signoff {
    type Message = Msg;
    type Properties = ();

    fn create(_: &Context<Self>) -> Self {
        let lang = browser::initial_lang();
        set_lang_attribute(lang);
        Signoff {
            lang,
            tab: Tab::Package,
            draft: package::Draft::new(),
            package: None,
            cells: BTreeMap::new(),
            choices: BTreeMap::new(),
            key_file: None,
            key: None,
            passphrase: String::new(),
            new_name: String::new(),
            new_passphrase: String::new(),
            new_passphrase_again: String::new(),
            reviewer: String::new(),
            signed: None,
            error: None,
            bundle: None,
            trusted: Vec::new(),
            verification: None,
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Lang(l) => {
                self.lang = l;
                browser::remember_lang(l);
                set_lang_attribute(l);
            }
            Msg::Tab(t) => {
                self.tab = t;
                self.error = None;
            }
            Msg::Pick(what, files) => {
                ctx.link().send_future(async move {
                    let mut read = Vec::with_capacity(files.len());
                    for f in &files {
                        read.push((f.name(), browser::file_bytes(f).await));
                    }
                    Msg::Read(what, read)
                });
                return false;
            }
            Msg::Read(what, files) => self.read(what, files),
            Msg::Decide(output, v) => {
                self.choices.entry(output).or_default().0 = v;
                self.signed = None;
            }
            Msg::Comment(output, c) => {
                self.choices.entry(output).or_default().1 = c;
                self.signed = None;
            }
            Msg::Passphrase(p) => self.passphrase = p,
            Msg::Unlock => self.unlock(),
            Msg::NewName(n) => self.new_name = n,
            Msg::NewPassphrase(p) => self.new_passphrase = p,
            Msg::NewPassphraseAgain(p) => self.new_passphrase_again = p,
            Msg::Create => self.create_key(),
            Msg::SaveKey => {
                if let Some(f) = &self.key_file {
                    browser::download("reviewer.key.json", "application/json", &f.to_json());
                }
            }
            Msg::SavePublic => {
                if let Some(k) = &self.key {
                    let public = k.public(&self.reviewer_name());
                    let bytes = cellguard_signoff::canonical::to_bytes(&public);
                    browser::download("reviewer.pub.json", "application/json", &bytes);
                }
            }
            Msg::Reviewer(r) => self.reviewer = r,
            Msg::Sign => self.sign(),
            Msg::Draft(edit) => self.draft.edit(edit),
            Msg::SavePackage => match self.draft.build(&browser::now()) {
                Ok(p) => {
                    browser::download("package.zip", "application/zip", &p.to_zip());
                    self.error = None;
                }
                Err(e) => self.error = Some(e),
            },
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let link = ctx.link();
        let on_lang = link.callback(|e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            Msg::Lang(Lang::from_code(&v).unwrap_or_default())
        });
        let tab = |t: Tab, id: &'static str, key: &'static str| {
            html! {
                <button id={id} type="button" role="tab" aria-selected={(self.tab == t).to_string()}
                    class={classes!("tab", (self.tab == t).then_some("active"))}
                    onclick={link.callback(move |_| Msg::Tab(t))}>{ w(lang, key) }</button>
            }
        };
        html! {
            <div class="page signoff" data-lang={lang.code()}>
                <header>
                    <h1>{ w(lang, "title") }</h1>
                    <p class="tagline">{ w(lang, "tagline") }</p>
                    <a class="back" href="index.html">{ w(lang, "back") }</a>
                    <label class="lang">{ w(lang, "language") }{" "}
                        <select id="lang" onchange={on_lang}>
                            { for Lang::ALL.iter().map(|l| html! {
                                <option value={l.code()} selected={*l == lang}>{ crate::i18n::lang_name(*l) }</option>
                            }) }
                        </select>
                    </label>
                </header>
                <main class="signoff-main">
                    <div role="tablist" aria-label={w(lang, "tabs")}>
                        { tab(Tab::Package, "tab-package", "tab_package") }
                        { tab(Tab::Review, "tab-review", "tab_review") }
                        { tab(Tab::Verify, "tab-verify", "tab_verify") }
                    </div>
                    { self.error.as_ref().map(|e| html! { <p class="file-error" role="alert">{ e }</p> }).unwrap_or_default() }
                    { match self.tab {
                        Tab::Package => package::view(self, ctx),
                        Tab::Review => self.review_view(ctx),
                        Tab::Verify => self.verify_view(ctx),
                    } }
                </main>
            </div>
        }
    }
}

/// A file input with its label; `multiple` for several files.
fn picker(
    ctx: &Context<Signoff>,
    id: &'static str,
    label: &str,
    what: Pick,
    multiple: bool,
) -> Html {
    let onchange = ctx.link().batch_callback(move |e: Event| {
        let input = e.target_unchecked_into::<web_sys::HtmlInputElement>();
        let files = input.files()?;
        let picked: Vec<web_sys::File> = (0..files.length()).filter_map(|i| files.get(i)).collect();
        input.set_value("");
        (!picked.is_empty()).then_some(Msg::Pick(what, picked))
    });
    html! {
        <p class="pick-row">
            <label for={id}>{ label }</label>{" "}
            <input id={id} type="file" accept=".zip,.json" multiple={multiple} onchange={onchange} />
        </p>
    }
}

/// A text input with its label.
fn text(
    ctx: &Context<Signoff>,
    id: &'static str,
    label: &str,
    value: &str,
    password: bool,
    msg: fn(String) -> Msg,
) -> Html {
    let oninput = ctx.link().callback(move |e: InputEvent| {
        msg(e
            .target_unchecked_into::<web_sys::HtmlInputElement>()
            .value())
    });
    html! {
        <p class="field">
            <label for={id}>{ label }</label>{" "}
            <input id={id} type={if password { "password" } else { "text" }} value={value.to_owned()}
                autocomplete={if password { "off" } else { "name" }} oninput={oninput} />
        </p>
    }
}

impl Signoff {
    fn read(&mut self, what: Pick, files: Vec<(String, Result<Vec<u8>, String>)>) {
        self.error = None;
        for (name, bytes) in files {
            let bytes = match bytes {
                Ok(b) => b,
                Err(e) => {
                    self.error = Some(e);
                    continue;
                }
            };
            match what {
                Pick::Outputs => self.draft.add(name, bytes),
                Pick::Package => match Package::from_zip(&name, &bytes, &Limits::default()) {
                    Ok(p) => {
                        self.choices.clear();
                        self.signed = None;
                        self.cells = (p.manifest.outputs.iter())
                            .filter(|o| o.kind == OutputKind::Table)
                            .filter_map(|o| {
                                let bytes = p.files.get(&o.name)?;
                                let checked = crate::signoff_cells::check(
                                    &o.name,
                                    bytes,
                                    &p.manifest.policy.toml,
                                );
                                Some((o.name.clone(), checked))
                            })
                            .collect();
                        self.package = Some((name, p));
                    }
                    Err(e) => self.error = Some(e.to_string()),
                },
                Pick::Key => match KeyFile::from_json(&bytes) {
                    Ok(k) => {
                        self.reviewer = k.name.clone();
                        self.key_file = Some(k);
                        self.key = None;
                    }
                    Err(e) => self.error = Some(format!("{name}: {e}")),
                },
                Pick::Bundle => self.bundle = Some((name, bytes)),
                Pick::Trust => match PublicKey::from_json(&bytes) {
                    Ok(k) => {
                        if !self.trusted.iter().any(|t| t.public_key == k.public_key) {
                            self.trusted.push(k);
                        }
                    }
                    Err(e) => self.error = Some(format!("{name}: not a public key file ({e})")),
                },
            }
        }
        self.verify();
    }

    /// Verifies the open bundle against the trusted keys, once both are there.
    fn verify(&mut self) {
        self.verification = match &self.bundle {
            Some((name, bytes)) if !self.trusted.is_empty() => Some(
                verify::verify(name, bytes, &self.trusted, &Limits::default())
                    .map_err(|e| e.to_string()),
            ),
            _ => None,
        };
    }

    fn unlock(&mut self) {
        let Some(file) = &self.key_file else {
            return;
        };
        match file.open(&self.passphrase) {
            Ok(k) => {
                self.key = Some(k);
                self.error = None;
            }
            Err(cellguard_signoff::Error::WrongPassphrase) => {
                self.error = Some(w(self.lang, "wrong_passphrase").to_owned());
            }
            Err(e) => self.error = Some(e.to_string()),
        }
        self.passphrase.clear();
    }

    fn create_key(&mut self) {
        if self.new_passphrase != self.new_passphrase_again {
            self.error = Some(w(self.lang, "differ").to_owned());
            return;
        }
        let made = (|| -> Result<(KeyPair, KeyFile), String> {
            let pair = KeyPair::from_seed(browser::random()?);
            let file = pair
                .seal(
                    &self.new_name,
                    &self.new_passphrase,
                    browser::random()?,
                    browser::random()?,
                )
                .map_err(|e| e.to_string())?;
            Ok((pair, file))
        })();
        match made {
            Ok((pair, file)) => {
                self.reviewer = self.new_name.clone();
                self.key = Some(pair);
                self.key_file = Some(file);
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
        self.new_passphrase.clear();
        self.new_passphrase_again.clear();
    }

    fn reviewer_name(&self) -> String {
        if self.reviewer.trim().is_empty() {
            self.key_file
                .as_ref()
                .map(|k| k.name.clone())
                .unwrap_or_default()
        } else {
            self.reviewer.clone()
        }
    }

    /// The decisions chosen so far, in the package's order of outputs.
    fn inputs(&self) -> Vec<DecisionInput> {
        let Some((_, p)) = &self.package else {
            return Vec::new();
        };
        (p.manifest.outputs.iter())
            .filter_map(|o| {
                let (verdict, comment) = self.choices.get(&o.name)?;
                Some(DecisionInput {
                    output: o.name.clone(),
                    decision: (*verdict)?,
                    comment: comment.clone(),
                })
            })
            .collect()
    }

    fn sign(&mut self) {
        let (Some((name, package)), Some(key)) = (&self.package, &self.key) else {
            return;
        };
        let signed = review::sign(
            package,
            &self.inputs(),
            key,
            &self.reviewer_name(),
            &browser::now(),
        )
        .and_then(|d| release::bundle(package, &d).map(|b| (d, b)));
        match signed {
            Ok((d, bundle)) => {
                let stem = name.strip_suffix(".zip").unwrap_or(name);
                browser::download(&format!("{stem}.release.zip"), "application/zip", &bundle);
                self.signed = Some(
                    (package.manifest.outputs.iter())
                        .filter(|o| release::approved(&d, &o.name))
                        .map(|o| o.name.clone())
                        .collect(),
                );
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    fn review_view(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let link = ctx.link();
        let package = self.package.as_ref().map(|(name, p)| {
            let m = &p.manifest;
            let rows = m.outputs.iter().map(|o| {
                let name = o.name.clone();
                let (verdict, comment) = self.choices.get(&o.name).cloned().unwrap_or_default();
                let problem = verdict
                    .and_then(|v| decision::rule_problem(o, &m.policy.sha256, v, &comment))
                    .map(|p| crate::signoff_words::rule_problem(lang, &p));
                let on_verdict = {
                    let name = name.clone();
                    link.callback(move |e: Event| {
                        let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
                        Msg::Decide(name.clone(), Verdict::from_code(&v))
                    })
                };
                let on_comment = {
                    let name = name.clone();
                    link.callback(move |e: InputEvent| {
                        let c = e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value();
                        Msg::Comment(name.clone(), c)
                    })
                };
                let check = match o.check_state(&m.policy.sha256) {
                    CheckState::Checked(c) => package::check_words(lang, c),
                    CheckState::OtherPolicy => w(lang, "other_policy").to_owned(),
                    CheckState::NotChecked => w(lang, "not_checked").to_owned(),
                    CheckState::NoRule => w(lang, "no_rule").to_owned(),
                };
                let unsafe_class = o.check.as_ref().is_some_and(|c| c.unsafe_cells > 0).then_some("has-unsafe");
                html! {
                    <>
                    <tr class={classes!("output-row", unsafe_class)} data-output={name.clone()}>
                        <th scope="row">{ &o.name }<br /><span class="muted">{ &o.description }</span></th>
                        <td>{ w(lang, o.kind.code()) }</td>
                        <td class="output-check">{ check }</td>
                        <td>
                            { for o.requests.iter().map(|r| html! { <p><strong>{ w(lang, r.kind.code()) }</strong>{": "}{ &r.justification }</p> }) }
                            if !o.comments.is_empty() { <p class="muted">{ &o.comments }</p> }
                        </td>
                        <td>
                            <select class="verdict" aria-label={format!("{} {}", w(lang, "decision"), o.name)} onchange={on_verdict}>
                                <option value="" selected={verdict.is_none()}>{ w(lang, "undecided") }</option>
                                { for Verdict::ALL.iter().map(|v| html! {
                                    <option value={v.code()} selected={verdict == Some(*v)}>{ w(lang, v.code()) }</option>
                                }) }
                            </select>
                            <textarea class="verdict-comment" aria-label={format!("{} {}", w(lang, "comment"), o.name)}
                                value={comment} oninput={on_comment} />
                            { problem.map(|p| html! { <p class="rule-problem" role="alert">{ p }</p> }).unwrap_or_default() }
                        </td>
                    </tr>
                    if let Some(checked) = self.cells.get(&o.name) {
                        <tr class="cells-row"><td colspan="5">{ cells::view(lang, &o.name, checked) }</td></tr>
                    }
                    </>
                }
            });
            html! {
                <section class="package" aria-label={name.clone()}>
                    <dl class="facts">
                        <dt>{ w(lang, "project") }</dt><dd>{ &m.project }</dd>
                        <dt>{ w(lang, "researcher") }</dt><dd>{ &m.researcher }</dd>
                        <dt>{ w(lang, "created") }</dt><dd>{ &m.created }</dd>
                        <dt>{ w(lang, "policy") }</dt><dd>{ &m.policy.name }{" "}<code>{ &m.policy.sha256 }</code></dd>
                    </dl>
                    <table class="outputs">
                        <caption>{ w(lang, "outputs") }</caption>
                        <thead><tr>
                            <th scope="col">{ w(lang, "output") }</th><th scope="col">{ w(lang, "kind") }</th>
                            <th scope="col">{ w(lang, "check") }</th><th scope="col">{ w(lang, "requests") }</th>
                            <th scope="col">{ w(lang, "decision") }</th>
                        </tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                    { self.key_view(ctx) }
                    { self.sign_view(ctx) }
                </section>
            }
        });
        html! {
            <>
                { picker(ctx, "open-package", w(lang, "open_package"), Pick::Package, false) }
                { package.unwrap_or_default() }
            </>
        }
    }

    fn key_view(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let link = ctx.link();
        let unlocked = self.key.as_ref().map(|k| {
            html! {
                <div class="key-ready">
                    <p id="key-unlocked">{ w(lang, "unlocked") }{": "}<code>{ k.fingerprint() }</code></p>
                    <button id="save-key" type="button" onclick={link.callback(|_| Msg::SaveKey)}>{ w(lang, "save_key") }</button>{" "}
                    <button id="save-public" type="button" onclick={link.callback(|_| Msg::SavePublic)}>{ w(lang, "save_public") }</button>
                </div>
            }
        });
        let locked = self.key_file.as_ref().filter(|_| self.key.is_none()).map(|k| {
            html! {
                <form class="unlock" onsubmit={link.callback(|e: SubmitEvent| { e.prevent_default(); Msg::Unlock })}>
                    <p>{ &k.name }{" "}<code>{ &k.fingerprint }</code></p>
                    { text(ctx, "passphrase", w(lang, "passphrase"), &self.passphrase, true, Msg::Passphrase) }
                    <button id="unlock" type="submit">{ w(lang, "unlock") }</button>
                </form>
            }
        });
        html! {
            <fieldset class="key">
                <legend>{ w(lang, "key") }</legend>
                { unlocked.unwrap_or_default() }
                { locked.unwrap_or_default() }
                { picker(ctx, "open-key", w(lang, "key_open"), Pick::Key, false) }
                <details>
                    <summary>{ w(lang, "key_new") }</summary>
                    <form class="new-key" onsubmit={link.callback(|e: SubmitEvent| { e.prevent_default(); Msg::Create })}>
                        { text(ctx, "new-name", w(lang, "name"), &self.new_name, false, Msg::NewName) }
                        { text(ctx, "new-passphrase", w(lang, "passphrase"), &self.new_passphrase, true, Msg::NewPassphrase) }
                        { text(ctx, "new-passphrase-again", w(lang, "passphrase_again"), &self.new_passphrase_again, true, Msg::NewPassphraseAgain) }
                        <button id="create-key" type="submit">{ w(lang, "create") }</button>
                    </form>
                </details>
            </fieldset>
        }
    }

    fn sign_view(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let Some((_, p)) = &self.package else {
            return Html::default();
        };
        let problems = self.inputs().iter().any(|i| {
            p.manifest.output(&i.output).is_some_and(|o| {
                rule_broken(o, &p.manifest.policy.sha256, i.decision, &i.comment).is_some()
            })
        });
        let note = if self.key.is_none() {
            Some(w(lang, "need_key"))
        } else if problems {
            Some(w(lang, "fix_first"))
        } else {
            None
        };
        let signed = self.signed.as_ref().map(|approved| {
            html! {
                <p id="signed" role="status">{ w(lang, "signed") }{" "}
                    { if approved.is_empty() { w(lang, "none").to_owned() } else { approved.join(", ") } }</p>
            }
        });
        html! {
            <div class="sign">
                { text(ctx, "reviewer", w(lang, "reviewer"), &self.reviewer_name(), false, Msg::Reviewer) }
                <button id="sign" type="button" disabled={note.is_some()}
                    onclick={ctx.link().callback(|_| Msg::Sign)}>{ w(lang, "sign") }</button>
                { note.map(|n| html! { <p class="muted">{ n }</p> }).unwrap_or_default() }
                { signed.unwrap_or_default() }
            </div>
        }
    }

    fn verify_view(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let trusted = (!self.trusted.is_empty()).then(|| {
            html! {
                <ul class="trusted" aria-label={w(lang, "trusted")}>
                    { for self.trusted.iter().map(|k| html! { <li>{ &k.name }{" "}<code>{ &k.fingerprint }</code></li> }) }
                </ul>
            }
        });
        let outcome = self.verification.as_ref().map(|v| match v {
            Err(e) => html! { <p class="file-error" role="alert">{ e }</p> },
            Ok(v) => {
                let signer = v.signer.as_ref().map(|(who, fp)| html! {
                    <p>{ w(lang, "signed_by") }{" "}{ who }{" "}<code>{ fp }</code></p>
                });
                html! {
                    <section id="verification" class={if v.holds() { "holds" } else { "fails" }} role="status">
                        { signer.unwrap_or_default() }
                        if v.holds() {
                            <p id="verify-ok">{ w(lang, "holds") }</p>
                            <p>{ w(lang, "approved") }{": "}{ v.approved.join(", ") }</p>
                        } else {
                            <p id="verify-failed">{ w(lang, "fails") }</p>
                            <ul class="failures">{ for v.failures.iter().map(|f| html! { <li>{ crate::signoff_words::failure(lang, f) }</li> }) }</ul>
                        }
                    </section>
                }
            }
        });
        html! {
            <>
                { picker(ctx, "open-bundle", w(lang, "open_bundle"), Pick::Bundle, false) }
                { self.bundle.as_ref().map(|(n, _)| html! { <p class="muted">{ n }</p> }).unwrap_or_default() }
                { picker(ctx, "open-trust", w(lang, "trust"), Pick::Trust, true) }
                { trusted.unwrap_or_default() }
                { outcome.unwrap_or_default() }
            </>
        }
    }
}

fn set_lang_attribute(lang: Lang) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", lang.code());
    }
}

/// Entry of the sign-off bin.
pub fn start() {
    yew::Renderer::<Signoff>::new().render();
}
