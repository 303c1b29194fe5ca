//! cellguard-engine: the disclosure engine — table model, tabulation kernel, primary rules and report.
//!
//! The engine never does I/O and never panics on input: bytes are turned into values by `cellguard-io`, and
//! everything that can go wrong with a table is either an [`Error`] (the input cannot be understood) or a
//! [`Finding`] in the [`Report`] (the input is understood and a cell is disclosive).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod column;
mod error;
pub mod exact;
pub mod hierarchy;
pub mod messages;
pub mod policy;
/// Seeded random tables for property tests, here and in the cross-crate tests (the dev-only feature
/// `random-tables`); not part of any shipped build.
#[cfg(any(test, feature = "random-tables"))]
#[allow(clippy::indexing_slicing)]
// test data, never in a shipped build: the engine's own tests index freely too
pub mod random_table;
pub mod report;
pub mod rules;
pub mod suppress;
pub mod table;
pub mod tabulate;
pub mod topk;

pub use error::Error;
pub use hierarchy::Hierarchy;
pub use policy::Policy;
pub use report::{CellReport, FailedInput, InputRecord, Parts, Report, TableReport};
pub use rules::Lang;
pub use rules::{Finding, RuleCode, Status, check_table};
pub use table::{Apriori, Dimension, Table, TableBuilder};
pub use tabulate::{Agg, Microdata, TabulateSpec, tabulate};

/// The version written into every report, so a reviewer knows which rules produced it.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The report schema identifier; bump when the JSON shape changes (see `schema/report.schema.json`).
pub const REPORT_SCHEMA: &str = "cellguard-report/2";
