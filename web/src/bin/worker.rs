//! The page's Web Worker: runs the checks off the main thread.

#[cfg(target_arch = "wasm32")]
fn main() {
    cellguard_web::ui::start_worker();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("cellguard-worker runs in a browser: build it with scripts/build-web.sh");
}
