//! A panic while reading a file — inside a reader of this project or of a library (arrow2, calamine, a
//! decompression codec, the zip reader) — becomes an error that names the file (exit 2), not a crash with a
//! backtrace. [`install`] sets the panic hook once; [`reading`] runs one file's reading and checking.

use anyhow::{Result, anyhow};
use std::panic::{AssertUnwindSafe, PanicHookInfo};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Readings under way (on any thread: the checks run on a thread pool whose panics come back to the caller).
static GUARDED: AtomicUsize = AtomicUsize::new(0);
/// The last panic's message and place, taken by the [`reading`] it ended.
static LAST: Mutex<Option<String>> = Mutex::new(None);

/// Sets the panic hook: while a file is being read, a panic is recorded for [`reading`]'s error and not
/// printed; anywhere else the default hook prints it as usual.
pub fn install() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
        if GUARDED.load(Ordering::SeqCst) == 0 {
            return default(info);
        }
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", crate_path(l.file()), l.line()))
            .unwrap_or_default();
        if let Ok(mut last) = LAST.lock() {
            *last = Some(format!("{message}{place}"));
        }
    }));
}

/// A source path as from its crate on: a dependency's path in Cargo's registry loses the folders before its
/// crate (`…/registry/src/index…/arrow2-0.18.0/src/x.rs` is `arrow2-0.18.0/src/x.rs`).
fn crate_path(file: &str) -> &str {
    match file.find("/registry/src/") {
        Some(at) => file
            .get(at + "/registry/src/".len()..)
            .and_then(|rest| rest.split_once('/'))
            .map_or(file, |(_, from_crate)| from_crate),
        None => file,
    }
}

/// Runs `f`, the reading (and checking) of the file `name`; a panic inside it is an error naming the file.
pub fn reading<T>(name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    GUARDED.fetch_add(1, Ordering::SeqCst);
    let run = std::panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.fetch_sub(1, Ordering::SeqCst);
    run.unwrap_or_else(|_| {
        let why = LAST
            .lock()
            .ok()
            .and_then(|mut l| l.take())
            .unwrap_or_else(|| "no message".into());
        Err(anyhow!(
            "{name}: this file could not be read (the reader crashed: {why}); this is a bug in cellguard or a \
             library it uses: please report it with the file"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A panic inside a reading is an error naming the file and the panic's message; what the reading returns
    /// otherwise (a value or an error) passes through; later readings are not affected.
    #[test]
    fn a_panic_while_reading_is_an_error_naming_the_file() {
        install();
        let crashed: Result<()> = reading("tables/bad.parquet", || {
            let pages: Vec<u8> = Vec::new();
            let _ = std::hint::black_box(&pages)[3];
            Ok(())
        });
        let message = crashed.unwrap_err().to_string();
        assert!(
            message.starts_with("tables/bad.parquet: this file could not be read (the reader crashed: index out of bounds"),
            "{message}"
        );
        assert!(message.contains("guard.rs"), "{message}");
        assert_eq!(
            crate_path(
                "/home/u/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/arrow2-0.18.0/src/a.rs"
            ),
            "arrow2-0.18.0/src/a.rs"
        );
        assert_eq!(reading("a.csv", || Ok(7)).unwrap(), 7);
        let error = reading::<()>("a.csv", || Err(anyhow!("a.csv: line 3: …")));
        assert_eq!(error.unwrap_err().to_string(), "a.csv: line 3: …");
        // On another thread, as the checks' pool runs them.
        let crashed: Result<()> = reading("b.xlsx", || {
            let pool = std::thread::spawn(|| {
                if std::hint::black_box(true) {
                    panic!("inside a library");
                }
            });
            if let Err(payload) = pool.join() {
                std::panic::resume_unwind(payload);
            }
            Ok(())
        });
        assert!(
            crashed
                .unwrap_err()
                .to_string()
                .contains("(the reader crashed: inside a library"),
        );
    }
}
