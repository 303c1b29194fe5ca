//! The io error type: what went wrong, in which file, row and column, and what to do.

/// An input that cannot be read. Messages are lowercase, name the place and say what was expected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{file}: the file is empty; expected a header row and at least one data row")]
    Empty { file: String },
    #[error(
        "{file}: not a text file (NUL byte at byte {offset}); expected CSV text, or an .xlsx, .arrow or .parquet file"
    )]
    Binary { file: String, offset: u64 },
    #[error("{file}: line {line} is not valid UTF-8; save the file as UTF-8")]
    Encoding { file: String, line: u64 },
    #[error(
        "{file}: line {line} has a broken UTF-16 character (the file starts as UTF-16 text); save the file as UTF-8"
    )]
    Utf16 { file: String, line: u64 },
    #[error("{file}: line {line}: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },
    #[error("{file}: cannot read {format}: {message}")]
    Format {
        file: String,
        format: &'static str,
        message: String,
    },
    #[error("{file}: the column name `{column}` appears twice in the header; rename one")]
    DuplicateColumn { file: String, column: String },
    #[error("{file}: the header has an empty column name (column {position}); name every column")]
    EmptyColumnName { file: String, position: u64 },
    #[error("{file}: no column `{column}` for {role}; the columns are: {available}")]
    MissingColumn {
        file: String,
        column: String,
        role: String,
        available: String,
    },
    #[error("{file}, row {row}, column `{column}`: expected {expected}, found `{found}`")]
    Value {
        file: String,
        row: u64,
        column: String,
        expected: String,
        found: String,
    },
    /// The file is beyond one of the limits of [`crate::limits`] (the message names the limit), or would expand
    /// beyond it: refused before the memory is taken.
    #[error("{file}: {message}")]
    Limit { file: String, message: String },
    #[error("{file}: the table has a header but no rows; there is nothing to check")]
    NoRows { file: String },
    #[error("{file}: {message}")]
    Roles { file: String, message: String },
    #[error(
        "{file}, column `{column}`: unsupported type {data_type}; store it as text or as a number"
    )]
    Unsupported {
        file: String,
        column: String,
        data_type: String,
    },
    /// A saved report that disagrees with itself or with the rules: a status, a finding or a count was changed
    /// after cellguard wrote it.
    #[error(
        "{file}: this report was edited: {} {problem}; check the original inputs again rather than trust this file",
        place(.table.as_deref(), *.row)
    )]
    Edited {
        file: String,
        /// The table, or `None` for the report's own summary.
        table: Option<String>,
        row: Option<u64>,
        problem: String,
    },
    #[error("{file}: {error}")]
    Engine {
        file: String,
        error: cellguard_engine::Error,
    },
}

/// Where in a report: "table `wage`, row 12", "table `wage`" or "the report".
fn place(table: Option<&str>, row: Option<u64>) -> String {
    match (table, row) {
        (Some(t), Some(r)) => format!("table `{t}`, row {r}"),
        (Some(t), None) => format!("table `{t}`"),
        (None, _) => "the report".to_owned(),
    }
}
