//! The browser side (wasm32 only): the Yew app, the Web Worker and the codec between them.

mod app;
mod controls;
mod results;

use crate::protocol::{Request, Response};
use crate::session::Session;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use yew_agent::worker::{HandlerId, Worker, WorkerScope};

pub use app::App;

/// Messages cross the worker boundary as JavaScript values (serde-wasm-bindgen): byte buffers travel as
/// `Uint8Array`s, and tagged enums such as a finding's details keep their shape.
#[derive(Debug)]
pub struct JsCodec;

impl yew_agent::Codec for JsCodec {
    fn encode<I: Serialize>(input: I) -> JsValue {
        let ser = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
        input
            .serialize(&ser)
            .unwrap_or_else(|e| wasm_bindgen::throw_str(&format!("cannot encode a message: {e}")))
    }
    fn decode<O: for<'de> Deserialize<'de>>(input: JsValue) -> O {
        serde_wasm_bindgen::from_value(input)
            .unwrap_or_else(|e| wasm_bindgen::throw_str(&format!("cannot decode a message: {e}")))
    }
}

/// The worker: a [`Session`] answering the page's requests.
#[derive(Debug)]
pub struct CheckWorker {
    session: Session,
}

/// Milliseconds from the worker's clock.
fn now() -> f64 {
    use wasm_bindgen::JsCast;
    js_sys::global()
        .dyn_into::<web_sys::WorkerGlobalScope>()
        .ok()
        .and_then(|g| g.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

impl Worker for CheckWorker {
    type Message = ();
    type Input = Request;
    type Output = Response;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        // Before any file arrives: get the browser to optimise the checking code (see `warm_up`) and to hand out
        // the memory a large table needs (see `reserve_memory`).
        crate::session::warm_up();
        crate::session::reserve_memory(crate::session::WORKING_MEMORY);
        CheckWorker {
            session: Session::default(),
        }
    }

    fn update(&mut self, _scope: &WorkerScope<Self>, _msg: Self::Message) {}

    fn received(&mut self, scope: &WorkerScope<Self>, msg: Self::Input, id: HandlerId) {
        let answer = self
            .session
            .handle(msg, &now, &mut |r| scope.respond(id, r));
        scope.respond(id, answer);
    }
}

/// Entry of the worker bin.
pub fn start_worker() {
    use yew_agent::Registrable;
    CheckWorker::registrar().encoding::<JsCodec>().register();
}

/// Entry of the app bin.
pub fn start_app() {
    yew::Renderer::<App>::new().render();
}
