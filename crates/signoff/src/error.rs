//! The sign-off's errors: each names the file, output or key it is about and what is wrong.

/// What went wrong, said so a researcher or reviewer knows which file or output and what to do.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("{what} is not a zip archive that can be read: {reason}")]
    Zip { what: String, reason: String },
    #[error("{what}: {problem}")]
    Archive { what: String, problem: String },
    #[error("{file} is not valid: {reason}")]
    Json { file: String, reason: String },
    #[error(
        "{file} is not in the form cellguard writes it (it was edited by hand or by another program): signed and hashed files must keep their exact bytes"
    )]
    NotCanonical { file: String },
    #[error("{file}: format `{found}` is not `{want}`")]
    Format {
        file: String,
        found: String,
        want: &'static str,
    },
    #[error("package: {0}")]
    Package(String),
    #[error("output `{output}`: {problem}")]
    Decision { output: String, problem: String },
    #[error("the passphrase does not open this key file (or the key file was changed)")]
    WrongPassphrase,
    #[error("key file: {0}")]
    Key(String),
    #[error("`{value}` is not a time in RFC 3339 form (such as 2026-12-06T10:15:00Z)")]
    Time { value: String },
}
