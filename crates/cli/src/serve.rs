//! `cellguard serve`: serves the built page (a static folder) on the loopback interface, with the page's
//! Content-Security-Policy as a header too. Only files under the folder are served; nothing is proxied or fetched.

use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

/// The page's policy: scripts and Wasm from the page's own origin only, no connection anywhere else. The same
/// string is in `index.html`'s `<meta http-equiv>`; a test keeps the two equal.
pub const CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; img-src 'self' data: blob:; style-src 'self'; style-src-attr 'unsafe-inline'; font-src 'self'; base-uri 'none'; form-action 'none'";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The built page (from `scripts/build-web.sh`).
    #[arg(default_value = "dist")]
    pub dir: PathBuf,
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
}

fn mime(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "toml" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// The file a URL path names inside `root`, or `None` when it would leave the folder.
fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let mut out = root.to_path_buf();
    for part in Path::new(path.trim_start_matches('/')).components() {
        match part {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if out.is_dir() {
        out.push("index.html");
    }
    Some(out)
}

pub fn run(args: Args) -> Result<ExitCode> {
    if !args.dir.join("index.html").is_file() {
        bail!(
            "{} has no index.html; build the page first with `bash scripts/build-web.sh`",
            args.dir.display()
        );
    }
    let server = tiny_http::Server::http(("127.0.0.1", args.port))
        .map_err(|e| anyhow::anyhow!("cannot listen on 127.0.0.1:{}: {e}", args.port))?;
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .context("the server has no IP address")?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "cellguard page at http://127.0.0.1:{port}/  (Ctrl-C stops)"
    )?;
    out.flush()?;
    drop(out);
    for request in server.incoming_requests() {
        let file = resolve(&args.dir, request.url());
        let (mut response, kind) = match file.as_deref().map(|f| (f, std::fs::read(f))) {
            Some((f, Ok(bytes))) => (tiny_http::Response::from_data(bytes).boxed(), mime(f)),
            _ => (
                tiny_http::Response::from_string("not found")
                    .with_status_code(404)
                    .boxed(),
                "text/plain; charset=utf-8",
            ),
        };
        for (k, v) in [
            ("Content-Type", kind),
            ("Content-Security-Policy", CSP),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ] {
            if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
                response.add_header(h);
            }
        }
        // A client that went away is not the server's problem.
        let _ = request.respond(response);
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_leave_the_folder() {
        let root = Path::new("site");
        assert_eq!(resolve(root, "/a/b.js?x=1"), Some(root.join("a/b.js")));
        assert_eq!(resolve(root, "/../etc/passwd"), None);
        assert_eq!(resolve(root, "/a/../../x"), None);
    }
}
