//! The sign-off page's WebAssembly: review a package, sign, verify a bundle (loaded by `signoff.html` only).

#[cfg(target_arch = "wasm32")]
fn main() {
    cellguard_web::signoff::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("cellguard-signoff runs in a browser: build it with scripts/build-web.sh");
}
