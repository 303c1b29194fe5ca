//! House rules checked on the source tree: every Rust file opens with a `//!` line saying what it is for.

use crate::root;
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() && name != "target" && !name.starts_with('.') && name != "node_modules" {
            rust_files(&path, out);
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_rust_file_opens_with_a_module_doc() {
    let mut files = Vec::new();
    for dir in ["crates", "tests", "web"] {
        let d = root().join(dir);
        if d.exists() {
            rust_files(&d, &mut files);
        }
    }
    assert!(files.len() > 10);
    let missing: Vec<String> = files
        .iter()
        .filter(|f| !std::fs::read_to_string(f).unwrap().starts_with("//!"))
        .map(|f| f.strip_prefix(root()).unwrap().display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "files without a `//!` first line: {missing:?}"
    );
}

/// The pages' Content-Security-Policy is the same in `index.html`, in `signoff.html` and in the header
/// `cellguard serve` sends.
#[test]
fn page_and_server_send_the_same_csp() {
    let root = crate::root();
    let csp = |file: &str| {
        let html = std::fs::read_to_string(root.join(file)).unwrap();
        html.split("http-equiv=\"Content-Security-Policy\" content=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_owned()
    };
    let serve = std::fs::read_to_string(root.join("crates/cli/src/serve.rs")).unwrap();
    let meta = csp("index.html");
    assert_eq!(meta, csp("web/static/signoff.html"));
    let header = serve
        .split("pub const CSP: &str = \"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap();
    assert_eq!(meta, header);
    assert!(meta.contains("connect-src 'self'") && meta.contains("default-src 'none'"));
    assert!(
        !meta.contains("http:") && !meta.contains("https:"),
        "no outside origin"
    );
}
