//! The engine's error type: input that cannot be understood, with what, where and what to do.

/// An input the engine cannot work with. Unsafe cells are never errors; they are findings in the report.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Two rows describe the same cell.
    #[error(
        "rows {first} and {second} describe the same cell ({coords}); a table needs one row per cell"
    )]
    DuplicateCell {
        first: u64,
        second: u64,
        coords: String,
    },
    /// A code used in a table or microdata is not in the dimension's codelist.
    #[error(
        "row {row}: code `{code}` of dimension `{dimension}` is not in its codelist; add it or fix the row"
    )]
    UnknownCode {
        row: u64,
        dimension: String,
        code: String,
    },
    /// A codelist is inconsistent (cycle, unknown parent, several roots, duplicate code).
    #[error("codelist of dimension `{dimension}`: {problem}")]
    Codelist { dimension: String, problem: String },
    /// The policy is impossible (a parameter out of range) or unknown.
    #[error("policy: {0}")]
    Policy(String),
    /// A rule in the policy needs a column the table does not have.
    #[error("table `{table}`: {message}")]
    MissingColumns { table: String, message: String },
    /// Structural problem in a table or microdata given to the engine (lengths, sizes).
    #[error("{0}")]
    Shape(String),
}
