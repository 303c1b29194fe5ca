//! The browser side (wasm32 only): the Yew app, the Web Worker and the codec between them.

mod app;
mod bridge;
mod controls;
mod protect;
mod results;

use crate::protocol::{Bytes, Request, Response, Stage};
use crate::session::{Prepared, Session};
use futures::channel::oneshot;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

pub use app::App;

/// Messages cross the worker boundary as JavaScript values (serde-wasm-bindgen): byte buffers travel as
/// `Uint8Array`s, and tagged enums such as a finding's details keep their shape.
pub fn encode<I: Serialize>(input: &I) -> Result<JsValue, String> {
    let ser = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    input
        .serialize(&ser)
        .map_err(|e| format!("cannot encode a message: {e}"))
}

/// A message back from a JavaScript value (see [`encode`]).
pub fn decode<O: for<'de> Deserialize<'de>>(input: JsValue) -> Result<O, String> {
    serde_wasm_bindgen::from_value(input).map_err(|e| format!("cannot decode a message: {e}"))
}

/// What the worker posts once it listens: messages the page sent before wait for it (a module worker starts
/// listening only after its WebAssembly is loaded).
const LISTENING: &str = "cellguard-worker-listening";

/// The worker's side of the page link: answers go to the page, and a check that waits for the helper's pieces
/// resumes here when they are in.
#[derive(Clone)]
struct Link {
    scope: web_sys::DedicatedWorkerGlobalScope,
    worker: std::rc::Weak<RefCell<CheckWorker>>,
}

impl Link {
    /// Posts an answer to the page. A worker that cannot answer is of no use: it throws, the page's `onerror`
    /// sees it and replaces this worker.
    fn respond(&self, answer: Response) {
        let posted = encode(&answer)
            .map_err(|e| JsValue::from(e.as_str()))
            .and_then(|m| self.scope.post_message(&m));
        if let Err(e) = posted {
            wasm_bindgen::throw_val(e);
        }
    }

    /// Runs a check's reading in two pieces, then the check.
    fn when_ready(&self, reading: impl std::future::Future<Output = Ready> + 'static) {
        let link = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let ready = reading.await;
            if let Some(worker) = link.worker.upgrade() {
                worker.borrow_mut().update(&link, ready);
            }
        });
    }
}

/// The worker: a [`Session`] answering the page's requests, with a helper worker of its own ([`Helper`]) that
/// splits the tail of a large CSV table while this one splits the head (`cellguard_io::read_csv_tail`): the
/// file is read in about half the time, and the joined frame is exactly what one reader makes.
#[derive(Debug)]
pub struct CheckWorker {
    session: Session,
    helper: Option<Helper>,
    /// A check waits for its helper: requests that come meanwhile wait here and are answered in order after it.
    busy: bool,
    queue: VecDeque<Request>,
}

/// Where checks wait for the helper's pieces, by number.
type Waiting = Rc<RefCell<Vec<(u32, oneshot::Sender<Answer>)>>>;

/// The helper's answer: the tail piece's bytes, and the file from the cut on (a `Uint8Array`; undefined when
/// the helper could not read the file).
type Answer = (js_sys::Uint8Array, JsValue);

/// The helper worker: the same program started with [`HELPER`], which runs [`start_helper`] instead of the
/// checking worker. It gets a file, a place to cut it and a piece number, and sends back the encoded tail piece,
/// its buffer transferred rather than copied.
struct Helper {
    worker: web_sys::Worker,
    waiting: Waiting,
    next: u32,
    /// Set when the helper failed: the worker reads files in one piece from then on.
    failed: Rc<std::cell::Cell<bool>>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl std::fmt::Debug for Helper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Helper({} pieces waiting)", self.waiting.borrow().len())
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// The helper's script: the worker's own loader, marked so it starts as a helper.
const HELPER: &str = "./worker_loader.js?helper";

/// Memory the helper takes when it starts (see [`crate::session::reserve_memory`]): about what the tail of a
/// million-cell CSV table needs, split and encoded.
const HELPER_MEMORY: usize = 128 << 20;

/// A check whose large files were read in two pieces, ready to run.
#[derive(Debug)]
pub struct Ready {
    request: Request,
    prepared: Vec<Option<Prepared>>,
    /// The helper did not answer in time: files are read in one piece from now on.
    helper_lost: bool,
}

/// Milliseconds from the worker's clock.
fn now() -> f64 {
    global()
        .and_then(|g| g.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

fn global() -> Option<web_sys::WorkerGlobalScope> {
    js_sys::global()
        .dyn_into::<web_sys::WorkerGlobalScope>()
        .ok()
}

/// Whether this worker is a helper (started with [`HELPER`]).
fn is_helper() -> bool {
    global().is_some_and(|g| g.location().search() == "?helper")
}

/// A field of a message.
fn field(data: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(data, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Starts the helper, when this browser lets a worker start workers.
fn spawn_helper() -> Option<Helper> {
    if !js_sys::Reflect::has(&js_sys::global(), &"Worker".into()).unwrap_or(false) {
        return None;
    }
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    let worker = web_sys::Worker::new_with_options(HELPER, &options).ok()?;
    let waiting: Waiting = Rc::default();
    let answers = Rc::clone(&waiting);
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let data = e.data();
            let tail = field(&data, "tail").dyn_into::<js_sys::Uint8Array>();
            if let (Some(part), Ok(tail)) = (field(&data, "part").as_f64(), tail) {
                let mut answers = answers.borrow_mut();
                if let Some(k) = answers.iter().position(|(p, _)| *p == part as u32) {
                    let (_, tx) = answers.swap_remove(k);
                    let _ = tx.send((tail, field(&data, "rest")));
                }
            }
        });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // A helper that fails answers no more: every waiting check reads its file whole, and so do later ones.
    let failed = Rc::new(std::cell::Cell::new(false));
    let (stranded, flag) = (Rc::clone(&waiting), Rc::clone(&failed));
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
        flag.set(true);
        for (_, tx) in std::mem::take(&mut *stranded.borrow_mut()) {
            let _ = tx.send((js_sys::Uint8Array::new_with_length(0), JsValue::UNDEFINED));
        }
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Some(Helper {
        worker,
        waiting,
        next: 0,
        failed,
        _on_message: on_message,
        _on_error: on_error,
    })
}

/// The helper's program: answers each `{part, name, file, at}` with `{part, tail, rest}`: the tail piece of the
/// file from the line end at or after `at` (`cellguard_io::read_csv_tail`), encoded, and the file's bytes from
/// `at` on, which the worker needs for the frame's text and does not read again. Both buffers are transferred,
/// not copied. A file that cannot be read gets an empty tail and no rest.
fn start_helper() {
    let Ok(scope) = js_sys::global().dyn_into::<web_sys::DedicatedWorkerGlobalScope>() else {
        return;
    };
    // Optimised code and memory before the first file (see `warm_up` and `reserve_memory`).
    crate::session::warm_up();
    crate::session::reserve_memory(HELPER_MEMORY);
    let reply = scope.clone();
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let data = e.data();
            let name = field(&data, "name").as_string().unwrap_or_default();
            let at = field(&data, "at").as_f64().unwrap_or(0.0) as usize;
            let file = Bytes::from_js_value(field(&data, "file"));
            let read = file
                .range(0, cellguard_io::HEADER_BYTES)
                .and_then(|prefix| {
                    let rest = file.range_js(at, usize::MAX)?;
                    let tail = cellguard_io::read_csv_tail(&name, &prefix, at, &rest.to_vec());
                    Ok((tail, rest))
                });
            let answer = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&answer, &"part".into(), &field(&data, "part"));
            let transfer = js_sys::Array::new();
            let array = match read {
                Ok((tail, rest)) => {
                    let array = js_sys::Uint8Array::new_with_length(tail.len() as u32);
                    let mut at = 0u32;
                    tail.write(&mut |b: &[u8]| {
                        let end = at + b.len() as u32;
                        array.subarray(at, end).copy_from(b);
                        at = end;
                    });
                    let _ = js_sys::Reflect::set(&answer, &"rest".into(), &rest);
                    transfer.push(&rest.buffer());
                    array
                }
                Err(_) => js_sys::Uint8Array::new_with_length(0),
            };
            let _ = js_sys::Reflect::set(&answer, &"tail".into(), &array);
            transfer.push(&array.buffer());
            let _ = reply.post_message_with_transfer(&answer, &transfer);
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
}

/// A future that resolves after `ms` milliseconds.
fn sleep(ms: f64) -> wasm_bindgen_futures::JsFuture {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(g) = global() {
            let _ = g.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
        }
    });
    wasm_bindgen_futures::JsFuture::from(promise)
}

/// How long a check waits for the helper's piece of a file of `len` bytes before it reads the file whole: far
/// longer than the helper takes (about 10 ms a megabyte), so only a helper that stopped runs into it.
fn patience(len: usize) -> f64 {
    10_000.0 + len as f64 / 1e6 * 200.0
}

impl CheckWorker {
    /// Answers a request now, or — a check with files to read in two pieces — starts the helper on their tails,
    /// splits their heads, and answers when the pieces are joined ([`Ready`]).
    fn answer(&mut self, link: &Link, msg: Request) {
        // A helper that failed is replaced (see `spawn_helper`).
        if self.helper.as_ref().is_some_and(|h| h.failed.get()) {
            self.helper = spawn_helper();
        }
        if let (
            Request::Check {
                run, files, modes, ..
            },
            Some(helper),
        ) = (&msg, self.helper.as_mut())
        {
            let cuts: Vec<Option<u64>> = files
                .iter()
                .map(|f| crate::session::split_point(f, modes))
                .collect();
            if cuts.iter().any(Option::is_some) {
                let (run, total) = (*run, files.len() as u32);
                let mut jobs = Vec::with_capacity(files.len());
                for (f, cut) in files.iter().zip(cuts) {
                    let job = cut.and_then(|at| {
                        let part = helper.next;
                        let ask = js_sys::Object::new();
                        for (k, v) in [
                            ("part", JsValue::from(part)),
                            ("name", JsValue::from(f.name.as_str())),
                            ("file", f.bytes.as_js().clone()),
                            ("at", JsValue::from(at as f64)),
                        ] {
                            let _ = js_sys::Reflect::set(&ask, &k.into(), &v);
                        }
                        // A file that cannot be sent (not a file or a buffer) is read in one piece.
                        helper.worker.post_message(&ask).ok()?;
                        helper.next = helper.next.wrapping_add(1);
                        let (tx, rx) = oneshot::channel();
                        helper.waiting.borrow_mut().push((part, tx));
                        Some((f.clone(), at, rx))
                    });
                    jobs.push(job);
                }
                self.busy = true;
                let progress = link.clone();
                link.when_ready(async move {
                    let mut prepared = Vec::with_capacity(jobs.len());
                    let mut helper_lost = false;
                    for (done, job) in jobs.into_iter().enumerate() {
                        let Some((file, at, rx)) = job else {
                            prepared.push(None);
                            continue;
                        };
                        progress.respond(Response::Progress {
                            run,
                            file: file.name.clone(),
                            stage: Stage::Reading,
                            done: done as u32,
                            total,
                        });
                        let Some(head) = crate::session::read_head(&file, at) else {
                            prepared.push(None);
                            continue;
                        };
                        let len = file.bytes.len();
                        let wait = Box::pin(sleep(patience(len)));
                        let (tail, rest) = match futures::future::select(rx, wait).await {
                            futures::future::Either::Left((Ok(answer), _)) => answer,
                            _ => {
                                helper_lost = true;
                                (js_sys::Uint8Array::new_with_length(0), JsValue::UNDEFINED)
                            }
                        };
                        // The rest of the file as the helper read it; read here when it could not.
                        let held = head.held();
                        let rest = match rest.dyn_into::<js_sys::Uint8Array>() {
                            Ok(r)
                                if at as usize + r.length() as usize == len
                                    && held >= at as usize =>
                            {
                                Ok(r.subarray((held - at as usize) as u32, r.length()).to_vec())
                            }
                            _ => file.bytes.range(held, len),
                        };
                        let Ok(rest) = rest else {
                            // Unreadable now: the check reads the file and says why.
                            prepared.push(None);
                            continue;
                        };
                        let tail = tail.to_vec();
                        prepared.push(Some(crate::session::join(&file.name, head, &rest, &tail)));
                    }
                    Ready {
                        request: msg,
                        prepared,
                        helper_lost,
                    }
                });
                return;
            }
        }
        let answer = self.session.handle(msg, &now, &mut |r| link.respond(r));
        link.respond(answer);
    }

    fn create() -> Self {
        // The helper starts first, so that it warms up beside this worker.
        let helper = spawn_helper();
        // Before any file arrives: get the browser to optimise the checking code (see `warm_up`) and to hand out
        // the memory a large table needs (see `reserve_memory`).
        crate::session::warm_up();
        crate::session::reserve_memory(crate::session::WORKING_MEMORY);
        CheckWorker {
            session: Session::default(),
            helper,
            busy: false,
            queue: VecDeque::new(),
        }
    }

    fn update(&mut self, link: &Link, ready: Ready) {
        if ready.helper_lost {
            self.helper = None;
        }
        let answer = self
            .session
            .handle_prepared(ready.request, ready.prepared, &now, &mut |r| {
                link.respond(r)
            });
        link.respond(answer);
        self.busy = false;
        while !self.busy {
            let Some(msg) = self.queue.pop_front() else {
                break;
            };
            self.answer(link, msg);
        }
    }

    fn received(&mut self, link: &Link, msg: Request) {
        if self.busy {
            self.queue.push_back(msg);
        } else {
            self.answer(link, msg);
        }
    }
}

/// Starts the checking worker: a [`CheckWorker`] answering the page's messages, and [`LISTENING`] posted once it
/// does. A message that is not a request is answered with `Failed`.
fn start_checker() {
    let Ok(scope) = js_sys::global().dyn_into::<web_sys::DedicatedWorkerGlobalScope>() else {
        return;
    };
    let worker = Rc::new(RefCell::new(CheckWorker::create()));
    let link = Link {
        scope: scope.clone(),
        worker: Rc::downgrade(&worker),
    };
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            match decode::<Request>(e.data()) {
                Ok(request) => worker.borrow_mut().received(&link, request),
                Err(message) => link.respond(Response::Failed { run: 0, message }),
            }
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    if let Err(e) = scope.post_message(&LISTENING.into()) {
        wasm_bindgen::throw_val(e);
    }
}

/// Entry of the worker bin: the checking worker, or its helper when started as one.
pub fn start_worker() {
    if is_helper() {
        start_helper();
    } else {
        start_checker();
    }
}

/// Entry of the protect bin: answers each [`crate::protect::ProtectIn`] with its progress and then its
/// [`crate::protect::ProtectOut`], one at a time (the page ends this worker to stop a search).
pub fn start_protect() {
    use crate::protect::{ProtectIn, ProtectMsg, ProtectOut, protect_with_progress};
    let Ok(scope) = js_sys::global().dyn_into::<web_sys::DedicatedWorkerGlobalScope>() else {
        return;
    };
    let to_page = scope.clone();
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            // A worker that cannot answer is of no use: it throws, and the page's `onerror` says so.
            let post = |msg: &ProtectMsg| {
                let posted = encode(msg)
                    .map_err(|e| JsValue::from(e.as_str()))
                    .and_then(|m| to_page.post_message(&m));
                if let Err(e) = posted {
                    wasm_bindgen::throw_val(e);
                }
            };
            let out = match decode::<ProtectIn>(e.data()) {
                Ok(input) => {
                    // Progress in whole percents: a message when the share moves, not at every step.
                    let mut said = u32::MAX;
                    let mut progress = |done: usize, total: usize| {
                        let pct = (done.saturating_mul(100) / total.max(1)) as u32;
                        if pct != said {
                            said = pct;
                            post(&ProtectMsg::Progress {
                                job: input.job,
                                done: done as u32,
                                total: total as u32,
                            });
                        }
                    };
                    ProtectOut {
                        job: input.job,
                        result: protect_with_progress(&input, &mut progress),
                    }
                }
                Err(message) => ProtectOut {
                    job: 0,
                    result: Err(crate::protocol::Said::english(message)),
                },
            };
            post(&ProtectMsg::Done(Box::new(out)));
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    if let Err(e) = scope.post_message(&LISTENING.into()) {
        wasm_bindgen::throw_val(e);
    }
}

/// Entry of the export bin: a session with the XLSX writer ([`Session::with_xlsx`]) that checks what the page
/// sends and answers its exports (the other answers are not posted).
pub fn start_exporter() {
    let Ok(scope) = js_sys::global().dyn_into::<web_sys::DedicatedWorkerGlobalScope>() else {
        return;
    };
    let to_page = scope.clone();
    let mut session = Session::with_xlsx();
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let answer = match decode::<Request>(e.data()) {
                Ok(request) => session.handle(request, &|| 0.0, &mut |_| {}),
                Err(message) => Response::Failed { run: 0, message },
            };
            if !matches!(answer, Response::Exported(_) | Response::Failed { .. }) {
                return;
            }
            // A worker that cannot answer is of no use: it throws, and the page's `onerror` says so.
            let posted = encode(&answer)
                .map_err(|e| JsValue::from(e.as_str()))
                .and_then(|m| to_page.post_message(&m));
            if let Err(e) = posted {
                wasm_bindgen::throw_val(e);
            }
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    if let Err(e) = scope.post_message(&LISTENING.into()) {
        wasm_bindgen::throw_val(e);
    }
}

/// Entry of the app bin.
pub fn start_app() {
    yew::Renderer::<App>::new().render();
}
