//! Column roles: which column is a dimension, the unit count `n`, the value, the top contributions and their
//! units' weights, the weight, the a-priori status, the cost, the degrees of freedom — guessed from names,
//! overridable, always recorded.
//!
//! (Past 600 lines: table roles, microdata roles and codelists share the guessing of names and the error
//! wording; splitting them would split those.)

use crate::Error;
use crate::frame::{Frame, Num};
use cellguard_engine::Hierarchy;
use cellguard_engine::table::{Apriori, Column, Dimension, Shadow, Table};
use cellguard_engine::tabulate::{CatColumn, Microdata};
use serde::Serialize;
use std::collections::BTreeMap;

/// Role choices for a table file; `None` means "guess from the column names".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableRoles {
    pub dims: Option<Vec<String>>,
    pub n: Option<String>,
    pub value: Option<String>,
    pub top: Option<Vec<String>>,
    /// The sampling weight of the unit of each top contribution, in the order of `top`; `None` guesses
    /// `top1_weight`, `top2_weight`, … (any case; no other spelling).
    pub top_weight: Option<Vec<String>>,
    pub weight: Option<String>,
    pub status: Option<String>,
    pub cost: Option<String>,
    pub dof: Option<String>,
    /// Code of margin cells (default `Total`).
    pub total: Option<String>,
    /// Codelists by dimension name.
    pub codelists: BTreeMap<String, Hierarchy>,
}

/// The roles in force for a table, as reports and the page show them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ResolvedRoles {
    pub dims: Vec<String>,
    pub n: Option<String>,
    pub value: Option<String>,
    pub top: Vec<String>,
    /// One per top column, or none (an unweighted table, or a weighted one the magnitude rules cannot decide).
    /// Left out of the serialized roles when empty, so unweighted tables record their roles as before.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub top_weight: Vec<String>,
    pub weight: Option<String>,
    pub status: Option<String>,
    pub cost: Option<String>,
    pub dof: Option<String>,
    pub n_missing: Option<String>,
    pub n_negative: Option<String>,
    /// Published statistics: every column that is neither a dimension nor a shadow column.
    pub published: Vec<String>,
    pub total: String,
}

/// Most dimensions a table may have. Published tables have a handful; a file whose columns would make dozens is
/// not a table (a wide extract, a matrix), and laying it out as one would make a grid of astronomical size.
pub const MAX_DIMENSIONS: usize = 16;

/// Names of published statistics, never guessed to be dimensions.
const STATISTICS: [&str; 22] = [
    "count",
    "sum",
    "mean",
    "median",
    "rate",
    "pct",
    "percent",
    "percentage",
    "share",
    "std",
    "sd",
    "se",
    "var",
    "min",
    "max",
    "coef",
    "estimate",
    "ratio",
    "average",
    "avg",
    "total_value",
    "p50",
];

fn find_ci<'a>(frame: &'a Frame, names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|want| {
        frame
            .columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(want))
            .map(|c| c.name.as_str())
    })
}

fn require(frame: &Frame, col: &str, role: &str) -> Result<(), Error> {
    if frame.column(col).is_some() {
        Ok(())
    } else {
        Err(Error::MissingColumn {
            file: frame.file.clone(),
            column: col.to_owned(),
            role: role.to_owned(),
            available: frame.names(),
        })
    }
}

impl TableRoles {
    /// Resolves every role against the frame's columns.
    pub fn resolve(&self, frame: &Frame) -> Result<ResolvedRoles, Error> {
        let pick = |explicit: &Option<String>,
                    names: &[&str],
                    role: &str|
         -> Result<Option<String>, Error> {
            match explicit {
                Some(c) => require(frame, c, role).map(|_| Some(c.clone())),
                None => Ok(find_ci(frame, names).map(str::to_owned)),
            }
        };
        let mut r = ResolvedRoles {
            n: pick(
                &self.n,
                &["n", "units", "n_units", "freq", "frequency"],
                "n (distinct units)",
            )?,
            value: pick(&self.value, &["value"], "value (cell magnitude)")?,
            weight: pick(&self.weight, &["weight"], "weight")?,
            status: pick(&self.status, &["status"], "status (a-priori status)")?,
            cost: pick(&self.cost, &["cost"], "cost")?,
            dof: pick(
                &self.dof,
                &["dof", "df_resid"],
                "dof (residual degrees of freedom)",
            )?,
            n_missing: find_ci(frame, &["n_missing"]).map(str::to_owned),
            n_negative: find_ci(frame, &["n_negative"]).map(str::to_owned),
            total: self.total.clone().unwrap_or_else(|| "Total".into()),
            ..ResolvedRoles::default()
        };
        if r.n.is_none() {
            // A plain frequency table: its count is the unit count.
            r.n = find_ci(frame, &["count"]).map(str::to_owned);
        }
        r.top = match &self.top {
            Some(cols) => {
                for c in cols {
                    require(frame, c, "top contribution")?;
                }
                cols.clone()
            }
            None => (1..=8)
                .map_while(|k| find_ci(frame, &[&format!("top{k}")]).map(str::to_owned))
                .collect(),
        };
        // Explicit top-weight columns pair with the top columns by position; guessed ones by their number, so
        // `top1_weight, top3_weight` beside `top1, top2` is an error, not a shift.
        let paired = match &self.top_weight {
            Some(cols) => {
                for c in cols {
                    require(frame, c, "the weight of a top contribution's unit")?;
                }
                r.top_weight = cols.clone();
                cols.len() == r.top.len()
            }
            None => {
                let guessed = guess_top_weights(frame);
                let numbered = guessed
                    .iter()
                    .enumerate()
                    .all(|(i, (k, _))| u64::from(*k) == i as u64 + 1);
                r.top_weight = guessed.into_iter().map(|(_, name)| name).collect();
                numbered && r.top_weight.len() == r.top.len()
            }
        };
        if !r.top_weight.is_empty() && !paired {
            return Err(Error::Roles {
                file: frame.file.clone(),
                message: format!(
                    "the top-weight columns ({}) do not pair with the top columns ({}): give one weight per top \
                     contribution, in the same order ({}), or name them with --top-weight COLS",
                    r.top_weight.join(", "),
                    if r.top.is_empty() {
                        "none".to_owned()
                    } else {
                        r.top.join(", ")
                    },
                    (1..=r.top.len().max(1))
                        .map(|k| format!("top{k}_weight"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        let shadow: Vec<&String> = [
            &r.n,
            &r.value,
            &r.weight,
            &r.status,
            &r.cost,
            &r.dof,
            &r.n_missing,
            &r.n_negative,
        ]
        .into_iter()
        .flatten()
        .chain(&r.top)
        .chain(&r.top_weight)
        .collect();
        r.dims = match &self.dims {
            Some(d) => {
                for c in d {
                    require(frame, c, "dimension")?;
                }
                d.clone()
            }
            None => frame
                .columns
                .iter()
                .filter(|c| !shadow.contains(&&c.name))
                .filter(|c| !STATISTICS.iter().any(|s| c.name.eq_ignore_ascii_case(s)))
                .filter(|c| !has_fraction(frame, &c.name))
                .map(|c| c.name.clone())
                .collect(),
        };
        if r.dims.len() > MAX_DIMENSIONS {
            let shown: Vec<&str> = r.dims.iter().take(5).map(String::as_str).collect();
            return Err(Error::Roles {
                file: frame.file.clone(),
                message: format!(
                    "{} columns would be dimensions ({}, …); a table has at most {MAX_DIMENSIONS}: choose its \
                     dimensions, or check whether this file is a table at all",
                    r.dims.len(),
                    shown.join(", ")
                ),
            });
        }
        r.published = frame
            .columns
            .iter()
            .filter(|c| {
                !r.dims.contains(&c.name)
                    && (!shadow.contains(&&c.name) || c.name.eq_ignore_ascii_case("count"))
            })
            .map(|c| c.name.clone())
            .collect();
        // A table given as shadow columns only publishes its value (a magnitude table's total), or its unit count
        // (a frequency table): the release export then has numbers to publish.
        if r.published.is_empty() {
            r.published.extend(r.value.clone().or_else(|| r.n.clone()));
        }
        if r.n.is_none() {
            return Err(Error::Roles {
                file: frame.file.clone(),
                message: format!(
                    "no column with the number of distinct units per cell (looked for n, units, n_units, freq, count); \
                     name it with --n COLUMN; the columns are: {}",
                    frame.names()
                ),
            });
        }
        if r.dims.is_empty() {
            return Err(Error::Roles {
                file: frame.file.clone(),
                message: format!(
                    "no dimension columns; name them with --dims A,B; the columns are: {}",
                    frame.names()
                ),
            });
        }
        Ok(r)
    }
}

/// The columns named `top{k}_weight` (any case), ordered by `k`: all of them, gaps and repeats included, so that
/// a set that does not pair with the top columns is an error naming them all rather than a column read as a
/// dimension or published.
fn guess_top_weights(frame: &Frame) -> Vec<(u32, String)> {
    let mut found: Vec<(u32, String)> = frame
        .columns
        .iter()
        .filter_map(|c| top_weight_rank(&c.name).map(|k| (k, c.name.clone())))
        .collect();
    found.sort_by_key(|&(k, _)| k);
    found
}

/// `k` of a column named `top{k}_weight` (any case, `k` ≥ 1 without leading zeros).
fn top_weight_rank(name: &str) -> Option<u32> {
    let lower = name.to_ascii_lowercase();
    let digits = lower.strip_prefix("top")?.strip_suffix("_weight")?;
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The decimal point of a frame's text numbers.
fn point(decimal_comma: bool) -> u8 {
    if decimal_comma { b',' } else { b'.' }
}

/// True when a column holds a number with a fractional part (a statistic, not a code).
fn has_fraction(frame: &Frame, name: &str) -> bool {
    let Some(col) = frame.column(name) else {
        return false;
    };
    if let crate::ColumnData::Text(t) = &col.data {
        if let Some(numbers) = t.numbers(point(frame.decimal_comma)) {
            return numbers.values().iter().any(|x| x.fract() != 0.0);
        }
    }
    // A column with any text that is not a number holds codes: stop at the first such field.
    for i in 0..col.len() {
        match col.number(i, frame.decimal_comma) {
            Num::Value(x) if x.fract() != 0.0 => return true,
            Num::Bad => return false,
            _ => {}
        }
    }
    false
}

/// Every field of a column as a number, in row order, handed to `take` with its row; `take` says what the
/// entry becomes or that it is not what the column should hold (an error naming the row, the column and the
/// field). Text columns are walked field by field in one pass over their buffer.
///
/// Numbers already read (`read`, or those the CSV reader parsed while splitting) are not parsed again.
fn parse_column<T: Copy + Default>(
    frame: &Frame,
    name: &str,
    what: &str,
    read: Option<&Column<f64>>,
    take: impl Fn(Num) -> Option<Option<T>>,
) -> Result<Column<T>, Error> {
    let Some(col) = frame.column(name) else {
        return Ok(Column::new());
    };
    let fail = |i: usize| Error::Value {
        file: frame.file.clone(),
        row: frame.row_label(i),
        column: name.to_owned(),
        expected: what.to_owned(),
        found: col.text(i).into_owned(),
    };
    let dc = frame.decimal_comma;
    let read = read.or(match &col.data {
        crate::ColumnData::Text(t) => t.numbers(point(dc)),
        _ => None,
    });
    // Numbers already read, none missing: one loop over the value array (a count column, mostly), unless a
    // present number reads as missing (then entry by entry below).
    if let Some(values) = read.filter(|r| !r.any_missing()).map(Column::values) {
        let mut whole = Vec::with_capacity(values.len());
        for (i, &x) in values.iter().enumerate() {
            match take(Num::Value(x)) {
                Some(Some(v)) => whole.push(v),
                Some(None) => break,
                None => return Err(fail(i)),
            }
        }
        if whole.len() == values.len() {
            return Ok(Column::from_values(whole));
        }
    }
    let mut out = Column::with_capacity(col.len());
    match &col.data {
        // Numbers already read: only what each entry becomes is left to say.
        _ if read.is_some() => {
            let numbers = read.map(Column::iter).into_iter().flatten();
            for (i, x) in numbers.enumerate() {
                match take(x.map_or(Num::Missing, Num::Value)) {
                    Some(v) => out.push(v),
                    None => return Err(fail(i)),
                }
            }
        }
        crate::ColumnData::Text(t) => {
            for (i, field) in t.iter().enumerate() {
                match take(crate::frame::parse_number(field, dc)) {
                    Some(v) => out.push(v),
                    None => return Err(fail(i)),
                }
            }
        }
        crate::ColumnData::Int(v) => {
            for (i, x) in v.iter().enumerate() {
                let n = x.map_or(Num::Missing, |x| Num::Value(x as f64));
                match take(n) {
                    Some(v) => out.push(v),
                    None => return Err(fail(i)),
                }
            }
        }
        crate::ColumnData::Float(_) => {
            for i in 0..col.len() {
                match take(col.number(i, dc)) {
                    Some(v) => out.push(v),
                    None => return Err(fail(i)),
                }
            }
        }
    }
    Ok(out)
}

/// The numbers a CSV reader parsed from column `name` while splitting the file, taken out of the frame (its text
/// stays): a table's shadow column then is that array itself, not a copy.
fn take_numbers(frame: &mut Frame, name: &str) -> Option<Column<f64>> {
    let point = point(frame.decimal_comma);
    frame
        .columns
        .iter_mut()
        .find(|c| c.name == name)
        .and_then(|c| match &mut c.data {
            crate::ColumnData::Text(t) => t.take_numbers(point),
            _ => None,
        })
}

/// Parses one numeric column with positioned errors; empty fields are missing values. Numbers the reader parsed
/// are taken from the frame.
fn numbers_taken(frame: &mut Frame, name: &str, what: &str) -> Result<Column<f64>, Error> {
    match take_numbers(frame, name) {
        Some(values) => Ok(values),
        None => numbers(frame, name, what),
    }
}

/// As [`counts`], taking the numbers the reader parsed from the frame (they are not kept twice).
fn counts_taken(frame: &mut Frame, name: &str, what: &str) -> Result<Column<u64>, Error> {
    let taken = take_numbers(frame, name);
    parse_column(frame, name, what, taken.as_ref(), count)
}

/// Parses one numeric column with positioned errors; empty fields are missing values.
fn numbers(frame: &Frame, name: &str, what: &str) -> Result<Column<f64>, Error> {
    parse_column(frame, name, what, None, |n| match n {
        Num::Missing => Some(None),
        Num::Value(x) => Some(Some(x)),
        Num::Bad => None,
    })
}

/// Parses a column of unit counts: whole numbers ≥ 0, or missing.
fn counts(frame: &Frame, name: &str, what: &str) -> Result<Column<u64>, Error> {
    parse_column(frame, name, what, None, count)
}

/// A unit count: a whole number ≥ 0, or missing.
fn count(n: Num) -> Option<Option<u64>> {
    match n {
        Num::Missing => Some(None),
        Num::Value(x) if is_count(x) => Some(Some(x as u64)),
        Num::Value(_) | Num::Bad => None,
    }
}

/// A sampling weight: a finite number ≥ 0, or missing (a cell with fewer units than top columns). A weight of 0
/// is read as it is; the rules then cannot decide the cell, as they cannot for the table tabulated in memory.
fn sampling_weight(n: Num) -> Option<Option<f64>> {
    match n {
        Num::Missing => Some(None),
        Num::Value(x) if x.is_finite() && x >= 0.0 => Some(Some(x)),
        Num::Value(_) | Num::Bad => None,
    }
}

/// A whole number from 0 to below 10¹⁸. Whole: dropping its fraction leaves it as it was (no call to `trunc`,
/// which baseline x86-64 does not have as an instruction).
#[inline]
fn is_count(x: f64) -> bool {
    (0.0..1e18).contains(&x) && (x as u64) as f64 == x
}

/// A column's codes in one pass: the distinct codes in first-seen order and each row's index into them (text
/// through [`crate::frame::Coder`], or as the CSV reader numbered them while splitting). An empty field is an
/// error naming the row and saying what was `expected`.
fn encode_codes(
    frame: &Frame,
    col: &crate::Column,
    name: &str,
    expected: &str,
) -> Result<(Vec<String>, Vec<u32>), Error> {
    let rows = frame.rows();
    let empty = |i: usize| Error::Value {
        file: frame.file.clone(),
        row: frame.row_label(i),
        column: name.to_owned(),
        expected: expected.to_owned(),
        found: String::new(),
    };
    let mut distinct: Vec<String> = Vec::new();
    let mut ids: Vec<u32> = Vec::with_capacity(rows);
    if let crate::ColumnData::Text(t) = &col.data {
        // Numbered while the CSV was split.
        if let Some(codes) = t.codes() {
            return Ok((codes.distinct.clone(), codes.ids.clone()));
        }
        let mut coder = crate::frame::Coder::new(rows, usize::MAX);
        for (i, field) in t.iter_bytes().enumerate() {
            if coder.add(field).is_err() {
                return Err(empty(i));
            }
        }
        return Ok((coder.codes.distinct, coder.codes.ids));
    }
    if let crate::ColumnData::Int(v) = &col.data {
        // Integer codes (a year, a region number) by their value: no text made for each row.
        let mut seen: rustc_hash::FxHashMap<i64, u32> = rustc_hash::FxHashMap::default();
        let mut last: Option<(i64, u32)> = None;
        for (i, x) in v.iter().enumerate() {
            let Some(x) = *x else {
                return Err(empty(i));
            };
            let id = match last {
                Some((l, id)) if l == x => id,
                _ => {
                    let next = distinct.len() as u32;
                    *seen.entry(x).or_insert_with(|| {
                        distinct.push(x.to_string());
                        next
                    })
                }
            };
            last = Some((x, id));
            ids.push(id);
        }
        return Ok((distinct, ids));
    }
    let mut local: rustc_hash::FxHashMap<std::borrow::Cow<'_, str>, u32> =
        rustc_hash::FxHashMap::default();
    let mut last_code: Option<std::borrow::Cow<'_, str>> = None;
    for i in 0..rows {
        let code = col.text(i);
        if code.is_empty() {
            return Err(empty(i));
        }
        if let (Some(&prev), Some(last)) = (ids.last(), last_code.as_deref()) {
            if last == code.as_ref() {
                ids.push(prev);
                continue;
            }
        }
        let next = distinct.len() as u32;
        let id = *local.entry(code.clone()).or_insert_with_key(|c| {
            distinct.push(c.to_string());
            next
        });
        ids.push(id);
        last_code = Some(code);
    }
    Ok((distinct, ids))
}

/// Builds the engine's table from a table file's frame.
///
/// Numbers the CSV reader already parsed are moved into the table's shadow columns (the frame keeps their text).
pub fn table_from_frame(
    frame: &mut Frame,
    roles: &TableRoles,
) -> Result<(Table, ResolvedRoles), Error> {
    let r = roles.resolve(frame)?;
    let rows = frame.rows();
    if rows == 0 {
        return Err(Error::NoRows {
            file: frame.file.clone(),
        });
    }
    crate::limits::check_cells(&frame.file, rows as u64, "the table has")?;
    let mut dims = Vec::with_capacity(r.dims.len());
    let mut coords = vec![0u32; rows * r.dims.len()];
    for (d, name) in r.dims.iter().enumerate() {
        let expected = format!(
            "a code of dimension `{name}` (margin cells use `{}`)",
            r.total
        );
        // Codes the CSV reader numbered while splitting, or numbered here.
        let taken = frame
            .columns
            .iter_mut()
            .find(|c| &c.name == name)
            .and_then(|c| match &mut c.data {
                crate::ColumnData::Text(t) => t.take_codes(),
                _ => None,
            });
        let (distinct, row_local) = match taken {
            Some(codes) => (codes.distinct, codes.ids),
            None => {
                let col = frame.column(name).ok_or_else(|| Error::MissingColumn {
                    file: frame.file.clone(),
                    column: name.clone(),
                    role: "dimension".into(),
                    available: frame.names(),
                })?;
                encode_codes(frame, col, name, &expected)?
            }
        };
        crate::limits::check_codes(&frame.file, name, distinct.len())?;
        let dim = match roles.codelists.get(name) {
            Some(h) => Dimension::with_hierarchy(name, h),
            None => {
                let has_total = distinct.iter().any(|c| c == &r.total);
                Dimension::flat(
                    name,
                    distinct.iter().cloned(),
                    has_total.then_some(r.total.as_str()),
                )
            }
        };
        // Local id → the dimension's id; a code the codelist lacks is an error naming its first row.
        let mut remap = Vec::with_capacity(distinct.len());
        for (l, code) in distinct.iter().enumerate() {
            match dim.id(code) {
                Some(id) => remap.push(id),
                None => {
                    let first = row_local.iter().position(|&x| x as usize == l).unwrap_or(0);
                    return Err(Error::Engine {
                        file: frame.file.clone(),
                        error: cellguard_engine::Error::UnknownCode {
                            row: frame.row_label(first),
                            dimension: name.clone(),
                            code: code.clone(),
                        },
                    });
                }
            }
        }
        for (i, l) in row_local.iter().enumerate() {
            if let (Some(slot), Some(&id)) =
                (coords.get_mut(i * r.dims.len() + d), remap.get(*l as usize))
            {
                *slot = id;
            }
        }
        dims.push(dim);
    }
    let n_col = r.n.clone().unwrap_or_default();
    // A binary file's float columns hold floats, and the rules compare them as such; numbers read from text
    // stand for the decimals they were written as.
    let binary_floats = matches!(
        frame.format,
        crate::Format::ArrowFile | crate::Format::ArrowStream | crate::Format::Parquet
    ) && r.value.iter().chain(&r.top).any(|name| {
        frame
            .columns
            .iter()
            .any(|c| &c.name == name && matches!(c.data, crate::ColumnData::Float(_)))
    });
    let mut shadow = Shadow {
        n: counts_taken(frame, &n_col, "a number of units (a whole number ≥ 0)")?,
        numbers: if binary_floats {
            cellguard_engine::exact::Numbers::Binary
        } else {
            cellguard_engine::exact::Numbers::Decimal
        },
        ..Shadow::default()
    };
    if let Some(v) = &r.value {
        shadow.value = Some(numbers_taken(frame, v, "a number (the cell's magnitude)")?);
    }
    for t in &r.top {
        shadow
            .top
            .push(numbers_taken(frame, t, "a number (a unit's contribution)")?);
    }
    for t in &r.top_weight {
        let taken = take_numbers(frame, t);
        shadow.top_weight.push(parse_column(
            frame,
            t,
            "the sampling weight of a top contribution's unit (a number ≥ 0), or an empty field",
            taken.as_ref(),
            sampling_weight,
        )?);
    }
    if let Some(c) = &r.weight {
        shadow.weight = Some(numbers_taken(frame, c, "a number (the sum of weights)")?);
    }
    if let Some(c) = &r.cost {
        shadow.cost = Some(numbers_taken(
            frame,
            c,
            "a number (the cell's suppression cost)",
        )?);
    }
    if let Some(c) = &r.dof {
        shadow.dof = Some(numbers_taken(
            frame,
            c,
            "a number (residual degrees of freedom)",
        )?);
    }
    if let Some(c) = &r.n_missing {
        shadow.n_missing = Some(counts(frame, c, "a number of rows (a whole number ≥ 0)")?);
    }
    if let Some(c) = &r.n_negative {
        shadow.n_negative = Some(counts(frame, c, "a number of units (a whole number ≥ 0)")?);
    }
    if let Some(c) = &r.status {
        let col = frame.column(c);
        let mut st = Vec::with_capacity(rows);
        for i in 0..rows {
            let text = col.map(|c| c.text(i)).unwrap_or_default();
            if text.is_empty() {
                st.push(None);
            } else {
                st.push(Some(Apriori::parse(&text).ok_or_else(|| Error::Value {
                    file: frame.file.clone(),
                    row: frame.row_label(i),
                    column: c.clone(),
                    expected: "a status: safe, unsafe, protected, structural (or s, u, p, z), or empty".into(),
                    found: text.into_owned(),
                })?));
            }
        }
        shadow.apriori = Some(st);
    }
    let labels = (0..rows).map(|i| frame.row_label(i)).collect();
    let table =
        Table::new(&frame.file, dims, coords, labels, shadow).map_err(|error| Error::Engine {
            file: frame.file.clone(),
            error,
        })?;
    Ok((table, r))
}

/// Role choices for microdata.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MicroRoles {
    pub dims: Vec<String>,
    pub value: Option<String>,
    pub unit: Option<String>,
    pub weight: Option<String>,
}

/// Names of a column that identifies the unit of microdata rows (a person across their yearly rows, a firm), in
/// the order they are preferred: the extract's `id`, then common spellings in English, Dutch and French. Compared
/// without case.
pub const UNIT_NAMES: &[&str] = &[
    "id",
    "person_id",
    "persoon_id",
    "id_personne",
    "unit",
    "unit_id",
    "volgnummer",
    "numero_ordre",
    "pid",
    "firm_id",
    "enterprise_id",
];

/// The unit column to suggest for microdata with these columns: the first of [`UNIT_NAMES`] among them.
pub fn guess_unit_column(columns: &[String]) -> Option<&String> {
    UNIT_NAMES
        .iter()
        .find_map(|u| columns.iter().find(|c| c.trim().eq_ignore_ascii_case(u)))
}

/// Builds the engine's microdata from a frame: dimension columns dictionary-encoded, units numbered, values parsed.
pub fn microdata_from_frame(frame: &Frame, roles: &MicroRoles) -> Result<Microdata, Error> {
    microdata_with_units(frame, roles).map(|(md, _)| md)
}

/// As [`microdata_from_frame`], with the unit identifiers themselves: row `i`'s unit is `units[unit[i]]` (as
/// text; empty without a unit column). Files tabulated together share a unit by its identifier, not by the
/// number one file gave it.
pub fn microdata_with_units(
    frame: &Frame,
    roles: &MicroRoles,
) -> Result<(Microdata, Vec<String>), Error> {
    let rows = frame.rows();
    if rows == 0 {
        return Err(Error::NoRows {
            file: frame.file.clone(),
        });
    }
    let mut md = Microdata {
        source_rows: (0..rows).map(|i| frame.row_label(i)).collect(),
        ..Microdata::default()
    };
    for name in &roles.dims {
        require(frame, name, "dimension")?;
        let col = frame.column(name).ok_or_else(|| Error::Roles {
            file: frame.file.clone(),
            message: name.clone(),
        })?;
        let (dictionary, ids) = encode_codes(
            frame,
            col,
            name,
            &format!("a code of dimension `{name}` (give missing categories a code of their own)"),
        )?;
        md.dims.push(CatColumn {
            name: name.clone(),
            ids,
            dictionary,
        });
    }
    if let Some(v) = &roles.value {
        require(frame, v, "value")?;
        md.value = Some(numbers(
            frame,
            v,
            "a number, or an empty field for a missing value",
        )?);
    }
    if let Some(w) = &roles.weight {
        require(frame, w, "weight")?;
        let vals = numbers(frame, w, "a sampling weight (a number ≥ 0)")?;
        let mut out = Vec::with_capacity(rows);
        for (i, v) in vals.iter().enumerate() {
            match v {
                Some(x) if x >= 0.0 => out.push(x),
                _ => {
                    return Err(Error::Value {
                        file: frame.file.clone(),
                        row: frame.row_label(i),
                        column: w.clone(),
                        expected: "a sampling weight (a number ≥ 0)".into(),
                        found: frame
                            .column(w)
                            .map(|c| c.text(i).into_owned())
                            .unwrap_or_default(),
                    });
                }
            }
        }
        md.weight = Some(out);
    }
    if let Some(u) = &roles.unit {
        require(frame, u, "unit")?;
        let col = frame.column(u).ok_or_else(|| Error::Roles {
            file: frame.file.clone(),
            message: u.clone(),
        })?;
        let (units, ids) = encode_codes(frame, col, u, "a unit identifier")?;
        md.unit = Some(ids.into_iter().map(u64::from).collect());
        return Ok((md, units));
    }
    Ok((md, Vec::new()))
}

/// Reads a codelist sidecar: columns `code` and `parent` (empty parent = the root/total).
pub fn codelist_from_frame(frame: &Frame, dimension: &str) -> Result<Hierarchy, Error> {
    require(frame, "code", "codelist code")?;
    require(frame, "parent", "codelist parent")?;
    let (Some(code), Some(parent)) = (frame.column("code"), frame.column("parent")) else {
        return Err(Error::Roles {
            file: frame.file.clone(),
            message: "a codelist needs columns code and parent".into(),
        });
    };
    let pairs: Vec<(String, Option<String>)> = (0..frame.rows())
        .map(|i| {
            let p = parent.text(i);
            (
                code.text(i).into_owned(),
                (!p.is_empty()).then(|| p.into_owned()),
            )
        })
        .collect();
    Hierarchy::from_pairs(dimension, &pairs).map_err(|error| Error::Engine {
        file: frame.file.clone(),
        error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Codes numbered while a CSV is split are the codes numbering the column afterwards gives, on 2,000 seeded
    /// random files: codes padded with spaces, repeated in runs and interleaved, multi-byte, longer than 15
    /// bytes, empty, numeric, text only after the first row. A column with more distinct codes than are
    /// numbered while splitting is numbered afterwards, the same.
    #[test]
    fn codes_numbered_while_splitting_are_the_codes_numbered_afterwards() {
        let pool = [
            "a",
            "a ",
            " b",
            "b",
            "2020",
            "007",
            "7",
            "é",
            "Brüssel",
            "x",
            "",
            "a_code_longer_than_15",
            "Total",
            "y y",
        ];
        let mut next = crate::below(0xC0DE_5EED_1234_5678);
        let mut numbered = 0;
        for case in 0..2000 {
            let width = 1 + next(4) as usize;
            let mut text: String = (0..width)
                .map(|k| format!("c{k}"))
                .collect::<Vec<_>>()
                .join(",");
            text.push('\n');
            for row in 0..1 + next(30) {
                let fields: Vec<&str> = (0..width)
                    .map(|k| {
                        // Column 0 often holds text from its first row on.
                        if k == 0 && row == 0 && next(2) == 0 {
                            "start"
                        } else {
                            pool[next(pool.len() as u64) as usize]
                        }
                    })
                    .collect();
                text.push_str(&fields.join(","));
                text.push('\n');
            }
            let frame = crate::read_frame("t.csv", text.as_bytes()).unwrap();
            for c in &frame.columns {
                let crate::ColumnData::Text(t) = &c.data else {
                    continue;
                };
                let Some(codes) = t.clone().take_codes() else {
                    continue;
                };
                numbered += 1;
                let mut copy = crate::frame::TextColumn::default();
                for f in t.iter() {
                    copy.push(f);
                }
                let plain = crate::Column {
                    name: c.name.clone(),
                    data: crate::ColumnData::Text(copy),
                };
                let (distinct, ids) = encode_codes(&frame, &plain, &c.name, "a code").unwrap();
                assert_eq!(
                    (codes.distinct, codes.ids),
                    (distinct, ids),
                    "case {case}: {text:?}"
                );
                // Microdata with this column as a dimension: the same from the codes as from the text.
                let mut bare = frame.clone();
                bare.columns.retain(|x| x.name == c.name);
                bare.columns[0] = plain;
                let roles = MicroRoles {
                    dims: vec![c.name.clone()],
                    ..MicroRoles::default()
                };
                assert_eq!(
                    microdata_from_frame(&frame, &roles).unwrap(),
                    microdata_from_frame(&bare, &roles).unwrap(),
                    "case {case}"
                );
            }
        }
        assert!(numbered > 500, "{numbered}");
        // Past the limit: numbered afterwards, the same table.
        let mut text = String::from("code,n\n");
        for i in 0..=crate::csv_read::CODES_WHILE_SPLITTING {
            text.push_str(&format!("k{i},1\n"));
        }
        let mut frame = crate::read_frame("t.csv", text.as_bytes()).unwrap();
        let crate::ColumnData::Text(t) = &frame.columns[0].data else {
            panic!("text")
        };
        assert!(t.clone().take_codes().is_none());
        let (table, _) = table_from_frame(&mut frame, &TableRoles::default()).unwrap();
        assert_eq!(
            table.dims()[0].len(),
            crate::csv_read::CODES_WHILE_SPLITTING + 1
        );
    }

    /// A table built from the numbers the CSV reader parsed while splitting is the table built by parsing the
    /// same text afterwards, and taking those numbers leaves the frame's text as it was.
    #[test]
    fn numbers_read_while_splitting_make_the_same_table() {
        let text = "a;b;mean;n;value;top1;top2\nx;1;2,5;4;10;6;3\nx;2;;0;;;\ny;1;1,25;8;10;4;NA\ny;2;0;1;0;0;\n";
        let mut fast = crate::read_frame("t.csv", text.as_bytes()).unwrap();
        let mut slow = fast.clone();
        for c in &mut slow.columns {
            if let crate::ColumnData::Text(t) = &mut c.data {
                let mut copy = crate::frame::TextColumn::default();
                for f in t.iter() {
                    copy.push(f);
                }
                *t = copy;
            }
        }
        let numbered = |f: &Frame| {
            f.columns
                .iter()
                .filter(
                    |c| matches!(&c.data, crate::ColumnData::Text(t) if t.numbers(b',').is_some()),
                )
                .count()
        };
        // b (codes written as numbers), mean, n, value and top1 were read as numbers; top2 holds `NA` and is
        // parsed later.
        assert_eq!((numbered(&fast), numbered(&slow)), (5, 0));
        let before = fast.clone();
        let (a, ra) = table_from_frame(&mut fast, &TableRoles::default()).unwrap();
        let (b, rb) = table_from_frame(&mut slow, &TableRoles::default()).unwrap();
        assert_eq!(a, b);
        assert_eq!(ra, rb);
        assert_eq!(fast, before);
        // n, value and top1 went into the table; b (a dimension) and mean (published) stay.
        assert_eq!(numbered(&fast), 2, "the table took the numbers it uses");
        // A count that is no count is the same error, naming the same row and field, either way.
        let bad = "a,n\nx,3\ny,-1.5\n";
        let mut fast = crate::read_frame("t.csv", bad.as_bytes()).unwrap();
        let mut slow = crate::read_frame("t.csv", format!("{bad}\"z\",1\n").as_bytes()).unwrap();
        let a = table_from_frame(&mut fast, &TableRoles::default()).unwrap_err();
        let b = table_from_frame(&mut slow, &TableRoles::default()).unwrap_err();
        assert_eq!(a.to_string(), b.to_string());
        assert!(
            a.to_string().contains("row 3") && a.to_string().contains("`-1.5`"),
            "{a}"
        );
    }

    /// Codes short and long, padded, repeated in runs and interleaved, get the ids a plain first-seen
    /// numbering of the trimmed text gives; an empty code names its row.
    #[test]
    fn codes_are_numbered_in_first_seen_order() {
        let pool = [
            "a",
            "a ",
            " b",
            "2020",
            "55-64",
            "SubSahara",
            "fifteen_bytes__",
            "sixteen_bytes___",
            "a\u{1}",
            "é",
            "\u{a0}x",
            "x\u{a0}",
            "a much longer code than sixteen bytes",
        ];
        let mut next = crate::below(99);
        let mut text = String::from("code,n\n");
        let mut fields = Vec::new();
        for _ in 0..5000 {
            let code = pool[next(pool.len() as u64) as usize];
            for _ in 0..1 + next(3) {
                fields.push(code);
                text.push_str(code);
                text.push_str(",1\n");
            }
        }
        let frame = crate::read_frame("t.csv", text.as_bytes()).unwrap();
        let col = frame.column("code").unwrap();
        let (distinct, ids) = encode_codes(&frame, col, "code", "a code").unwrap();
        let mut want_distinct: Vec<String> = Vec::new();
        let want_ids: Vec<u32> = fields
            .iter()
            .map(|f| {
                let t = f.trim();
                match want_distinct.iter().position(|d| d == t) {
                    Some(p) => p as u32,
                    None => {
                        want_distinct.push(t.to_owned());
                        want_distinct.len() as u32 - 1
                    }
                }
            })
            .collect();
        assert_eq!(distinct, want_distinct);
        assert_eq!(ids, want_ids);
        // Integer codes, as an Arrow or Parquet column holds them: the same numbering as their text.
        let ints: Vec<Option<i64>> = (0..3000).map(|_| Some(next(40) as i64 - 20)).collect();
        let frame = Frame {
            file: "t.arrow".into(),
            format: crate::Format::ArrowFile,
            columns: vec![crate::Column {
                name: "code".into(),
                data: crate::ColumnData::Int(ints.clone()),
            }],
            row_labels: Vec::new(),
            decimal_comma: false,
        };
        let (distinct, ids) = encode_codes(&frame, &frame.columns[0], "code", "a code").unwrap();
        let mut want: Vec<String> = Vec::new();
        for x in &ints {
            let t = x.unwrap().to_string();
            if !want.contains(&t) {
                want.push(t);
            }
        }
        assert_eq!(distinct, want, "first-seen order");
        let got: Vec<&str> = ids.iter().map(|&i| distinct[i as usize].as_str()).collect();
        let texts: Vec<String> = ints.iter().map(|x| x.unwrap().to_string()).collect();
        assert_eq!(got, texts);
        let frame = crate::read_frame("t.csv", b"code,n\nA,1\n  ,2\n").unwrap();
        let err =
            encode_codes(&frame, frame.column("code").unwrap(), "code", "a code").unwrap_err();
        assert!(err.to_string().contains("row 3"), "{err}");
    }

    /// Which columns hold the weights of the top contributions' units, or the error that says why they do not
    /// pair with the top columns.
    #[test]
    fn top_weight_columns_pair_with_top_columns() {
        let explicit = |cols: &[&str]| TableRoles {
            top_weight: Some(cols.iter().map(|c| c.to_string()).collect()),
            ..TableRoles::default()
        };
        let guessed = TableRoles::default();
        let ok = |cols: &[&str]| Ok(cols.iter().map(|c| c.to_string()).collect::<Vec<_>>());
        // (header, roles, the top-weight columns or a part of the error)
        type Case<'a> = (&'a str, &'a TableRoles, Result<Vec<String>, &'a str>);
        let cases: [Case; 11] = [
            ("d,n,value,top1,top2", &guessed, ok(&[])),
            (
                "d,n,value,top1,top2,top1_weight,top2_weight",
                &guessed,
                ok(&["top1_weight", "top2_weight"]),
            ),
            // In any order and any case; paired by their number.
            (
                "d,n,value,Top2_Weight,top1,top2,TOP1_WEIGHT",
                &guessed,
                ok(&["TOP1_WEIGHT", "Top2_Weight"]),
            ),
            // `top1_w` is not a spelling of `top1_weight`: the table is unweighted and the column a statistic.
            ("d,n,value,top1,top1_w", &guessed, ok(&[])),
            (
                "d,n,value,top1,top2,a,b",
                &explicit(&["a", "b"]),
                ok(&["a", "b"]),
            ),
            (
                "d,n,value,top1,top2,top1_weight",
                &guessed,
                Err(
                    "t.csv: the top-weight columns (top1_weight) do not pair with the top columns (top1, top2): \
                     give one weight per top contribution, in the same order (top1_weight, top2_weight), or name \
                     them with --top-weight COLS",
                ),
            ),
            // As many as the top columns, but not numbered 1, 2.
            (
                "d,n,value,top1,top2,top1_weight,top3_weight",
                &guessed,
                Err(
                    "t.csv: the top-weight columns (top1_weight, top3_weight) do not pair with the top columns \
                     (top1, top2)",
                ),
            ),
            (
                "d,n,value,top1,top1_weight,TOP1_weight",
                &guessed,
                Err("the top-weight columns (top1_weight, TOP1_weight) do not pair"),
            ),
            (
                "d,n,value,top1_weight",
                &guessed,
                Err("the top-weight columns (top1_weight) do not pair with the top columns (none)"),
            ),
            (
                "d,n,value,top1,top2,a",
                &explicit(&["a"]),
                Err("the top-weight columns (a) do not pair with the top columns (top1, top2)"),
            ),
            (
                "d,n,value,top1",
                &explicit(&["w1"]),
                Err(
                    "t.csv: no column `w1` for the weight of a top contribution's unit; the columns are: d, n, \
                     value, top1",
                ),
            ),
        ];
        for (header, roles, expected) in cases {
            // A code, a unit count, and numbers with a fraction (none of them a dimension).
            let row: Vec<&str> = header
                .split(',')
                .map(|c| match c {
                    "d" => "x",
                    "n" => "1",
                    _ => "0.5",
                })
                .collect();
            let text = format!("{header}\n{}\n", row.join(","));
            let mut frame = crate::read_frame("t.csv", text.as_bytes()).unwrap();
            match (table_from_frame(&mut frame, roles), expected) {
                (Ok((table, r)), Ok(want)) => {
                    assert_eq!(r.top_weight, want, "{header}");
                    assert_eq!(table.shadow().top_weight.len(), want.len(), "{header}");
                    // The units' weights are shadow columns: neither a dimension nor published.
                    assert_eq!(r.dims, ["d"], "{header}");
                    assert!(
                        want.iter().all(|w| !r.published.contains(w)),
                        "{header}: {:?}",
                        r.published
                    );
                }
                (Err(e), Err(want)) => assert!(e.to_string().contains(want), "{header}: {e}"),
                (got, want) => panic!("{header}: {:?}, expected {want:?}", got.map(|(_, r)| r)),
            }
        }
    }

    /// A unit's weight is a number ≥ 0 or an empty field (a cell with fewer units than top columns), read as it
    /// is written; anything else names its row and column.
    #[test]
    fn top_weights_are_read_as_written() {
        let text =
            "d,n,value,top1,top2,top1_weight,top2_weight\na,2,470,100,10,4,0.25\nb,1,5,5,,1e3,\n";
        let mut frame = crate::read_frame("t.csv", text.as_bytes()).unwrap();
        let (table, _) = table_from_frame(&mut frame, &TableRoles::default()).unwrap();
        let w: Vec<Vec<Option<f64>>> = table
            .shadow()
            .top_weight
            .iter()
            .map(|c| c.iter().collect())
            .collect();
        assert_eq!(w, [vec![Some(4.0), Some(1000.0)], vec![Some(0.25), None]]);
        for (field, found) in [("-1", "`-1`"), ("many", "`many`"), ("inf", "`inf`")] {
            let bad = text.replace("0.25", field);
            let mut frame = crate::read_frame("t.csv", bad.as_bytes()).unwrap();
            let e = table_from_frame(&mut frame, &TableRoles::default()).unwrap_err();
            assert!(
                e.to_string().starts_with(
                    "t.csv, row 2, column `top2_weight`: expected the sampling weight"
                ) && e.to_string().ends_with(found),
                "{e}"
            );
        }
    }

    #[test]
    fn unit_columns_are_guessed_from_names() {
        let cols = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let guess = |names: &[&str]| guess_unit_column(&cols(names)).cloned();
        assert_eq!(
            guess(&["sex", "Person_ID", "wage"]).as_deref(),
            Some("Person_ID")
        );
        assert_eq!(guess(&["volgnummer", "id"]).as_deref(), Some("id"));
        assert_eq!(guess(&["sex", "wage", "identity"]), None);
    }

    /// A file whose columns would make more than [`MAX_DIMENSIONS`] dimensions is refused with the limit, given
    /// or guessed; at the limit it is a table.
    #[test]
    fn dimensions_are_limited() {
        let wide = |dims: usize| {
            let names: Vec<String> = (0..dims).map(|i| format!("d{i}")).collect();
            let mut csv = format!("{},n\n", names.join(","));
            csv.push_str(&format!("{},5\n", vec!["a"; dims].join(",")));
            crate::read_frame("wide.csv", csv.as_bytes()).unwrap()
        };
        let at = table_from_frame(&mut wide(MAX_DIMENSIONS), &TableRoles::default());
        assert!(at.is_ok(), "{:?}", at.err());
        let e = table_from_frame(&mut wide(5000), &TableRoles::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "wide.csv: 5000 columns would be dimensions (d0, d1, d2, d3, d4, …); a table has at most 16: choose its \
             dimensions, or check whether this file is a table at all"
        );
        let given = TableRoles {
            dims: Some((0..17).map(|i| format!("d{i}")).collect()),
            ..TableRoles::default()
        };
        assert!(table_from_frame(&mut wide(17), &given).is_err());
    }
}
