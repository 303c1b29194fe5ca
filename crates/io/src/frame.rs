//! A frame: the columns of one input file, untyped text or numbers, before roles give them meaning.

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

/// Text stored in one buffer with end offsets: a million short fields without a million allocations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextColumn {
    buf: String,
    ends: Vec<u64>,
}

impl TextColumn {
    pub fn push(&mut self, s: &str) {
        self.buf.push_str(s);
        self.ends.push(self.buf.len() as u64);
    }
    pub fn len(&self) -> usize {
        self.ends.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 {
            0
        } else {
            self.ends.get(i - 1).copied().unwrap_or(0) as usize
        };
        let end = self.ends.get(i).copied().unwrap_or(0) as usize;
        self.buf.get(start..end).unwrap_or("")
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

/// What a number field turned out to be.
pub(crate) enum Num {
    Missing,
    Value(f64),
    Bad,
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
            ColumnData::Text(t) => Cow::Borrowed(t.get(i).trim()),
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

pub(crate) fn parse_number(s: &str, decimal_comma: bool) -> Num {
    let s = s.trim();
    if s.is_empty()
        || matches!(
            s,
            "NA" | "N/A" | "NaN" | "nan" | "NAN" | "null" | "NULL" | "." | "-"
        )
    {
        return Num::Missing;
    }
    let parsed = if decimal_comma && s.contains(',') {
        let cleaned: String = if s.contains('.') {
            s.replace('.', "")
        } else {
            s.to_owned()
        };
        cleaned.replace(',', ".").parse::<f64>()
    } else {
        s.parse::<f64>()
    };
    match parsed {
        Ok(x) if x.is_finite() => Num::Value(x),
        Ok(x) if x.is_nan() => Num::Missing,
        _ => Num::Bad,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        let ok = |s: &str, dc: bool| match parse_number(s, dc) {
            Num::Value(x) => Some(x),
            _ => None,
        };
        assert_eq!(ok("12.5", false), Some(12.5));
        assert_eq!(ok("12,5", true), Some(12.5));
        assert_eq!(ok("1.234,5", true), Some(1234.5));
        assert_eq!(ok(" 7 ", false), Some(7.0));
        assert!(matches!(parse_number("NaN", false), Num::Missing));
        assert!(matches!(parse_number("", false), Num::Missing));
        assert!(matches!(parse_number("abc", false), Num::Bad));
        assert!(matches!(parse_number("inf", false), Num::Bad));
        assert!(matches!(parse_number("12,5", false), Num::Bad));
    }

    #[test]
    fn detect() {
        assert_eq!(Format::detect("x.csv", b"PAR1...."), Format::Parquet);
        assert_eq!(Format::detect("x.CSV", b"a,b\n"), Format::Csv);
        assert_eq!(Format::detect("x.xlsx", b"garbage"), Format::Xlsx);
        assert_eq!(Format::detect("x.arrow", b"garbage"), Format::ArrowFile);
    }
}
