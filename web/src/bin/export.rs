//! The export module's Web Worker: writes XLSX workbooks (loaded by the page the first time one is asked for, so
//! the checking page does not carry the XLSX writer).

#[cfg(target_arch = "wasm32")]
fn main() {
    cellguard_web::ui::start_exporter();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("cellguard-export runs in a browser: build it with scripts/build-web.sh");
}
