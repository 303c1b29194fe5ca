//! Panics inside the readers of other crates — arrow2 and parquet2 (unmaintained: they trust lengths and
//! encodings a damaged file gets wrong), calamine and the zip and decompression codecs — turned into an error
//! that names the file. Fuzzing found such panics (`tests/corpus/bad/fuzz_*`); this is the net for the ones it
//! has not found.
//!
//! Natively (panic = "unwind") the panic is caught here. The page's WebAssembly is built with panic = "abort":
//! a panic there stops the worker, and the page replaces it and says the file could not be read (see
//! `web/src/ui/bridge.rs`).

use crate::Error;

/// Runs a dependency's reading of `file` (a `format` file); a panic inside it is an [`Error::Format`].
pub(crate) fn reading<T>(
    file: &str,
    format: &'static str,
    read: impl FnOnce() -> Result<T, Error>,
) -> Result<T, Error> {
    #[cfg(panic = "unwind")]
    {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|payload| {
            let why = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".into());
            Err(Error::Format {
                file: file.to_owned(),
                format,
                message: format!(
                    "the reader failed on this file ({why}); the file is damaged, or uses a feature the \
                     reader gets wrong: write it again, or as CSV"
                ),
            })
        })
    }
    #[cfg(not(panic = "unwind"))]
    {
        let _ = (file, format);
        read()
    }
}
