//! The protect module's Web Worker: secondary suppression of a table (loaded by the page the first time a table
//! is protected, so the checking page does not carry the solver).

#[cfg(target_arch = "wasm32")]
fn main() {
    cellguard_web::ui::start_protect();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("cellguard-protect runs in a browser: build it with scripts/build-web.sh");
}
