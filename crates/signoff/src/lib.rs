//! Output packages and the reviewer's sign-off: what a researcher submits, what a KSZ reviewer decides, and the
//! signature that binds the decisions to the exact bytes of every file and to the policy. Pure Rust, no I/O: the
//! CLI and the page pass bytes in and get bytes out (randomness too: key seeds, salts and nonces come from the
//! caller, so this crate builds for wasm32 as it is).
//!
//! The path of an output, and the module that owns each step:
//!
//! 1. [`package`]: the researcher makes a **package** — `package.json` ([`manifest::Manifest`]: project,
//!    researcher, the policy whole with its SHA-256, and per output its file name, kind, SHA-256, size, check
//!    verdict counts, description, comments and exception requests) and the files, in a zip.
//! 2. [`keys`]: a reviewer has an Ed25519 key pair; the private key lives only in a key file sealed under a
//!    passphrase (Argon2id, ChaCha20-Poly1305); the public key's fingerprint names the reviewer everywhere.
//! 3. [`decision`]: the reviewer decides per output (approve, reject, return for changes) with a comment where
//!    SACRO's rules demand one; each decision holds the output's and the policy's SHA-256, the reviewer's
//!    fingerprint, the time and the hash of the decision before it (a chain).
//! 4. [`review`]: the decisions are signed as one canonical document, `decisions.json`.
//! 5. [`release`]: the **release bundle** holds the approved files only, `package.json`, `decisions.json` and a
//!    summary for people (Markdown and HTML).
//! 6. [`verify`]: anyone with the reviewer's public key checks a bundle offline: every file, the policy, every
//!    decision and the signature, each failure named.
//!
//! Signed and hashed JSON is canonical ([`canonical`]): a reader refuses a file whose bytes are not exactly what
//! this crate writes for its content, so no byte can change without the change being seen.

pub mod archive;
pub mod canonical;
pub mod decision;
pub mod digest;
mod error;
pub mod keys;
pub mod manifest;
pub mod package;
pub mod release;
pub mod review;
pub mod summary;
pub mod verify;

pub use archive::Limits;
pub use decision::{Decision, DecisionInput, Verdict};
pub use error::Error;
pub use keys::{KeyFile, KeyPair, PublicKey};
pub use manifest::{CheckSummary, Manifest, Output, OutputKind, Request, RequestKind};
pub use package::Package;
pub use review::Decisions;
pub use verify::{Failure, Problem, Subject, Verification};
