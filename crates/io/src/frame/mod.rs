//! A frame: the columns of one input file, untyped text or numbers, before roles give them meaning.
//!
//! This file holds the [`Frame`] with its [`Column`]s, the file [`Format`]s, and frames joined or filtered by
//! rows. A column's parts live beside it:
//! - `text.rs`: [`TextColumn`], a column's text fields, copied into one buffer or shared with the file's text;
//! - `number.rs`: a field read as a number (plain decimals by a fast path tested against `str::parse`);
//! - `codes.rs`: [`Coder`], which numbers a column's codes in first-seen order.

mod codes;
mod number;
mod text;

pub(crate) use codes::{Coder, Codes};
pub(crate) use number::{Num, parse_number, plain_decimal, short_decimal};
pub use text::TextColumn;
pub(crate) use text::{Parsed, Split, trim};

use std::borrow::Cow;

/// File formats the io crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    ArrowFile,
    ArrowStream,
    Parquet,
}

impl Format {
    /// Magic numbers first (a Parquet file named `.csv` is still Parquet), then the extension.
    pub fn detect(name: &str, bytes: &[u8]) -> Format {
        if bytes.starts_with(b"PAR1") {
            return Format::Parquet;
        }
        if bytes.starts_with(b"ARROW1") {
            return Format::ArrowFile;
        }
        if bytes.starts_with(&[0xFF, 0xFF, 0xFF, 0xFF]) {
            return Format::ArrowStream;
        }
        if bytes.starts_with(b"PK\x03\x04") {
            return Format::Xlsx;
        }
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit('.').next().unwrap_or("");
        match ext {
            "parquet" | "pq" => Format::Parquet,
            "arrow" | "feather" | "ipc" => Format::ArrowFile,
            "arrows" => Format::ArrowStream,
            "xlsx" | "xlsm" => Format::Xlsx,
            _ => Format::Csv,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Xlsx => "XLSX",
            Format::ArrowFile => "Arrow IPC file",
            Format::ArrowStream => "Arrow IPC stream",
            Format::Parquet => "Parquet",
        }
    }
}

/// A column's values.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Text fields (CSV, text cells); an empty field is a missing value.
    Text(TextColumn),
    /// Integers (Arrow/Parquet integer columns, integer cells).
    Int(Vec<Option<i64>>),
    /// Floating-point numbers.
    Float(Vec<Option<f64>>),
}

/// One column of a frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub data: ColumnData,
}

impl Column {
    pub fn len(&self) -> usize {
        match &self.data {
            ColumnData::Text(t) => t.len(),
            ColumnData::Int(v) => v.len(),
            ColumnData::Float(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The field as text (numbers printed as the report prints them; missing as empty).
    pub fn text(&self, i: usize) -> Cow<'_, str> {
        match &self.data {
            ColumnData::Text(t) => Cow::Borrowed(trim(t.get(i))),
            ColumnData::Int(v) => v
                .get(i)
                .copied()
                .flatten()
                .map_or(Cow::Borrowed(""), |x| Cow::Owned(x.to_string())),
            ColumnData::Float(v) => v
                .get(i)
                .copied()
                .flatten()
                .filter(|x| !x.is_nan())
                .map_or(Cow::Borrowed(""), |x| Cow::Owned(crate::number(x))),
        }
    }
    /// The field as a number. Empty, `NA`, `NaN`, `null` and `.` are missing; `decimal_comma` reads `1.234,5`.
    pub(crate) fn number(&self, i: usize, decimal_comma: bool) -> Num {
        match &self.data {
            ColumnData::Int(v) => v
                .get(i)
                .copied()
                .flatten()
                .map_or(Num::Missing, |x| Num::Value(x as f64)),
            ColumnData::Float(v) => match v.get(i).copied().flatten() {
                None => Num::Missing,
                Some(x) if x.is_nan() => Num::Missing,
                Some(x) if x.is_finite() => Num::Value(x),
                Some(_) => Num::Bad,
            },
            ColumnData::Text(t) => parse_number(t.get(i), decimal_comma),
        }
    }
}

/// The columns of one input file.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// File name, for messages.
    pub file: String,
    pub format: Format,
    pub columns: Vec<Column>,
    /// Row label of each data row as the user's editor shows it (CSV line; sheet row); empty: record number.
    pub row_labels: Vec<u64>,
    /// Numbers in text fields use a decimal comma (CSV separated by `;` or tab).
    pub decimal_comma: bool,
}

impl Frame {
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }
    /// The row label of data row `i` (0-based).
    pub fn row_label(&self, i: usize) -> u64 {
        self.row_labels.get(i).copied().unwrap_or(i as u64 + 1)
    }
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
    /// Column names, for messages.
    pub fn names(&self) -> String {
        self.columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Frames with the same columns, one after the other (e.g. the yearly files of an extract). Columns are matched
/// by name; a column missing from a file, or stored as text in one file and as numbers in another, is an error
/// naming both files. Row labels stay those of each file.
pub fn concat_frames(frames: Vec<Frame>) -> Result<Frame, crate::Error> {
    let mut it = frames.into_iter();
    let Some(mut out) = it.next() else {
        return Err(crate::Error::Empty {
            file: "(no input)".into(),
        });
    };
    for f in it {
        let labels: Vec<u64> = (0..f.rows()).map(|i| f.row_label(i)).collect();
        if out.row_labels.is_empty() {
            out.row_labels = (0..out.rows()).map(|i| out.row_label(i)).collect();
        }
        let names_a: Vec<&str> = out.columns.iter().map(|c| c.name.as_str()).collect();
        let names_b: Vec<&str> = f.columns.iter().map(|c| c.name.as_str()).collect();
        if names_a.len() != names_b.len() || names_b.iter().any(|n| !names_a.contains(n)) {
            return Err(crate::Error::Roles {
                file: f.file.clone(),
                message: format!(
                    "its columns ({}) differ from those of {} ({})",
                    names_b.join(", "),
                    out.file,
                    names_a.join(", ")
                ),
            });
        }
        let mut cols = f.columns;
        for c in &mut out.columns {
            let Some(pos) = cols.iter().position(|x| x.name == c.name) else {
                continue;
            };
            let other = cols.swap_remove(pos);
            match (&mut c.data, other.data) {
                (ColumnData::Text(a), ColumnData::Text(b)) => {
                    for i in 0..b.len() {
                        a.push(b.get(i));
                    }
                }
                (ColumnData::Int(a), ColumnData::Int(b)) => a.extend(b),
                (ColumnData::Float(a), ColumnData::Float(b)) => a.extend(b),
                (ColumnData::Int(a), ColumnData::Float(b)) => {
                    let mut v: Vec<Option<f64>> = a.iter().map(|x| x.map(|x| x as f64)).collect();
                    v.extend(b);
                    c.data = ColumnData::Float(v);
                }
                (ColumnData::Float(a), ColumnData::Int(b)) => {
                    a.extend(b.into_iter().map(|x| x.map(|x| x as f64)))
                }
                _ => {
                    return Err(crate::Error::Roles {
                        file: f.file.clone(),
                        message: format!(
                            "column `{}` holds text here and numbers in {} (or the other way round)",
                            c.name, out.file
                        ),
                    });
                }
            }
        }
        out.row_labels.extend(labels);
        out.decimal_comma &= f.decimal_comma;
    }
    Ok(out)
}

/// The rows whose column `name` reads as one of `values` (as text: numbers as the report prints them).
pub fn filter_rows(frame: Frame, name: &str, values: &[&str]) -> Result<Frame, crate::Error> {
    let col = frame
        .column(name)
        .ok_or_else(|| crate::Error::MissingColumn {
            file: frame.file.clone(),
            column: name.to_owned(),
            role: "a filter".into(),
            available: frame.names(),
        })?;
    let keep: Vec<bool> = (0..frame.rows())
        .map(|i| values.contains(&col.text(i).as_ref()))
        .collect();
    let labels: Vec<u64> = (0..frame.rows())
        .filter(|&i| keep.get(i) == Some(&true))
        .map(|i| frame.row_label(i))
        .collect();
    let columns = frame
        .columns
        .into_iter()
        .map(|c| {
            let data = match c.data {
                ColumnData::Text(t) => {
                    let mut out = TextColumn::default();
                    for i in 0..t.len() {
                        if keep.get(i) == Some(&true) {
                            out.push(t.get(i));
                        }
                    }
                    ColumnData::Text(out)
                }
                ColumnData::Int(v) => ColumnData::Int(
                    v.into_iter()
                        .zip(&keep)
                        .filter(|(_, k)| **k)
                        .map(|(x, _)| x)
                        .collect(),
                ),
                ColumnData::Float(v) => ColumnData::Float(
                    v.into_iter()
                        .zip(&keep)
                        .filter(|(_, k)| **k)
                        .map(|(x, _)| x)
                        .collect(),
                ),
            };
            Column { name: c.name, data }
        })
        .collect();
    Ok(Frame {
        columns,
        row_labels: labels,
        ..frame
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect() {
        assert_eq!(Format::detect("x.csv", b"PAR1...."), Format::Parquet);
        assert_eq!(Format::detect("x.CSV", b"a,b\n"), Format::Csv);
        assert_eq!(Format::detect("x.xlsx", b"garbage"), Format::Xlsx);
        assert_eq!(Format::detect("x.arrow", b"garbage"), Format::ArrowFile);
    }

    #[test]
    fn frames_concatenate_and_filter() {
        let a = crate::read_frame("a.csv", b"year,sex,n\n2020,M,3\n2020,F,4\n").unwrap();
        let b = crate::read_frame("b.csv", b"sex,year,n\nM,2021,5\n").unwrap();
        let f = super::concat_frames(vec![a, b]).unwrap();
        assert_eq!(f.rows(), 3);
        assert_eq!(f.column("sex").unwrap().text(2), "M");
        assert_eq!(f.column("year").unwrap().text(2), "2021");
        let m = super::filter_rows(f, "sex", &["M"]).unwrap();
        assert_eq!(m.rows(), 2);
        assert_eq!(m.column("n").unwrap().text(1), "5");
        let c = crate::read_frame("c.csv", b"year,sex\n2020,M\n").unwrap();
        let d = crate::read_frame("d.csv", b"year,sex,n\n2020,M,1\n").unwrap();
        let err = super::concat_frames(vec![d, c]).unwrap_err().to_string();
        assert!(err.contains("c.csv") && err.contains("differ"), "{err}");
    }
}
