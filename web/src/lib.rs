//! cellguard-web: the page. Thin by design — the rules live in the engine, reading and writing in io; this crate
//! holds the page's state and components and the Web Worker that runs the checks.
//!
//! - [`protocol`]: messages between page and worker;
//! - [`session`]: the worker's side (check, row windows, explanations, exports);
//! - [`state`]: the page's state and reducer;
//! - [`i18n`]: the page's words in Dutch, French and English;
//! - [`protect`]: secondary suppression of a table, in a WebAssembly module of its own (`cellguard-protect`)
//!   that the page starts the first time a table is protected;
//! - `ui` (wasm32 only): Yew components, the worker glue and the message codec;
//! - `signoff` (wasm32 only): the sign-off page (review a package, sign, verify a bundle), its own WebAssembly
//!   module loaded from `signoff.html`, so the checking page does not carry it;
//! - [`signoff_words`]: the sign-off page's words in Dutch, French and English; [`signoff_cells`]: the cells a
//!   reviewer opens, checked again under the package's policy;
//! - `browser` (wasm32 only): what both pages ask of the browser (language, downloads, files, randomness).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[cfg(target_arch = "wasm32")]
pub mod browser;
pub mod i18n;
pub mod protect;
pub mod protocol;
pub mod session;
#[cfg(target_arch = "wasm32")]
pub mod signoff;
pub mod signoff_cells;
pub mod signoff_words;
pub mod state;
#[cfg(target_arch = "wasm32")]
pub mod ui;
