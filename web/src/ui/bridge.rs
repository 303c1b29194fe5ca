//! The page's side of the checking worker: starts it, sends it requests (held until it listens), hands its
//! answers to the app, and reports when it crashes — a panic in a reader or the engine stops a WebAssembly
//! worker for good (`panic = "abort"`), and so does an exception thrown through it. The app then replaces it
//! ([`crate::state::Action::WorkerCrashed`]). Dropping the bridge stops the worker at once.

use super::{LISTENING, decode, encode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// Where the checking worker's loader lives, next to the page.
pub const WORKER: &str = "./worker_loader.js";
/// Where the protect module's loader lives (started the first time a table is protected).
pub const PROTECT: &str = "./protect_loader.js";
/// Where the export module's loader lives (started the first time a workbook is asked for).
pub const EXPORT: &str = "./export_loader.js";

pub struct Bridge {
    worker: web_sys::Worker,
    /// Requests sent before the worker listens (`None` once it does).
    waiting: Rc<RefCell<Option<Vec<JsValue>>>>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl std::fmt::Debug for Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bridge")
    }
}

impl Bridge {
    /// Starts the worker whose loader is at `url`; `answer` gets its answers, `crashed` what the browser says
    /// when it fails.
    pub fn spawn<R: DeserializeOwned + 'static>(
        url: &str,
        answer: impl Fn(R) + 'static,
        crashed: impl Fn(String) + 'static,
    ) -> Result<Bridge, String> {
        let options = web_sys::WorkerOptions::new();
        options.set_type(web_sys::WorkerType::Module);
        let worker = web_sys::Worker::new_with_options(url, &options)
            .map_err(|e| format!("the worker {url} could not start ({e:?})"))?;
        let waiting: Rc<RefCell<Option<Vec<JsValue>>>> = Rc::new(RefCell::new(Some(Vec::new())));
        let (held, to) = (Rc::clone(&waiting), worker.clone());
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let data = e.data();
                if data.as_string().as_deref() == Some(LISTENING) {
                    for m in held.borrow_mut().take().unwrap_or_default() {
                        let _ = to.post_message(&m);
                    }
                } else if let Ok(r) = decode::<R>(data) {
                    answer(r);
                }
            });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // A script error comes as an `ErrorEvent`; a worker that cannot load at all, as a plain `Event`.
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            let why = e.dyn_ref::<web_sys::ErrorEvent>().map_or_else(
                || "the worker could not start".to_owned(),
                web_sys::ErrorEvent::message,
            );
            crashed(why);
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Bridge {
            worker,
            waiting,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    pub fn send<T: Serialize>(&self, request: &T) {
        let Ok(message) = encode(request) else {
            return;
        };
        match self.waiting.borrow_mut().as_mut() {
            Some(held) => held.push(message),
            None => {
                let _ = self.worker.post_message(&message);
            }
        }
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
