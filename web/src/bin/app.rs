//! The page's main thread: renders the Yew app.

#[cfg(target_arch = "wasm32")]
fn main() {
    cellguard_web::ui::start_app();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("cellguard-app runs in a browser: build it with scripts/build-web.sh");
}
