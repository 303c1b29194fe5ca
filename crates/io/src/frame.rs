//! A frame: the columns of one input file, untyped text or numbers, before roles give them meaning.

use std::borrow::Cow;
use std::sync::Arc;

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

/// A column's text fields. Two stores, one meaning:
/// - *owned*: the fields copied into one buffer with end offsets (a million short fields without a million
///   allocations). Ends are kept as 32 bits; a column past 4 GiB of text records the fields where the high part
///   steps up, so any size is held exactly.
/// - *shared*: the fields left where they are in the file's text, which all columns of a CSV frame share with
///   the bounds of every field ([`Split`]): reading a CSV copies no field.
///
/// A CSV column may also carry its fields already read as numbers ([`TextColumn::numbers`]), parsed while the
/// file was split when every field is empty or a plain decimal. It is dropped when the column changes.
/// Columns compare equal when their fields do, whatever the store and the cache.
#[derive(Debug, Clone, Default)]
pub struct TextColumn {
    /// The owned store (empty while the column is shared).
    own: Owned,
    /// The shared store: a split text and the column's place in its rows.
    shared: Option<(Arc<Split>, usize)>,
    numbers: Option<Parsed>,
    codes: Option<Codes>,
}

#[derive(Debug, Clone, Default)]
struct Owned {
    buf: String,
    /// Low 32 bits of each field's end in `buf`.
    ends: Vec<u32>,
    /// `steps[k]`: the first field whose end is ≥ (k + 1) · 2³² (empty below 4 GiB).
    steps: Vec<usize>,
}

/// A text column's codes as [`Coder`] numbers them: the distinct codes (trimmed) in first-seen order and each
/// row's index into them — what `table_from_frame` makes of a dimension column.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Codes {
    pub(crate) distinct: Vec<String>,
    pub(crate) ids: Vec<u32>,
}

/// A field's bytes trimmed as [`trim`] trims its text: nothing to look at when both ends are plain ASCII that is
/// not white space (most fields).
pub(crate) fn trim_bytes(field: &[u8]) -> &[u8] {
    match (field.first(), field.last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => field,
        _ => std::str::from_utf8(field).map_or(field, |s| s.trim().as_bytes()),
    }
}

/// Numbers a text column's codes in first-seen order, field by field: the ids `table_from_frame` gives a
/// dimension. Codes of up to 15 bytes (nearly all) are looked up as one 128-bit number, with no string hashing or
/// comparing; longer ones by their bytes. Sorted files repeat a code row after row, so the previous field's id is
/// used again without a lookup, and cycle through the codes of their last columns in order, so the id after the
/// previous one is tried next. The CSV reader numbers columns with it while splitting; `encode_codes`
/// afterwards.
#[derive(Clone)]
pub(crate) struct Coder {
    pub(crate) codes: Codes,
    short: rustc_hash::FxHashMap<u128, u32>,
    long: rustc_hash::FxHashMap<Box<[u8]>, u32>,
    /// Per id, its short code's key (`None` for a long code).
    keys: Vec<Option<u128>>,
    last: Option<(Option<u128>, u32)>,
    /// Distinct codes past which [`Coder::add`] stops.
    limit: usize,
}

/// Why [`Coder::add`] did not number a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotCoded {
    /// The field is empty once trimmed.
    Empty,
    /// It would be one code more than the coder's limit.
    TooMany,
}

impl Coder {
    pub(crate) fn new(rows: usize, limit: usize) -> Self {
        Coder {
            codes: Codes {
                distinct: Vec::new(),
                ids: Vec::with_capacity(rows),
            },
            short: rustc_hash::FxHashMap::default(),
            long: rustc_hash::FxHashMap::default(),
            keys: Vec::new(),
            last: None,
            limit,
        }
    }
    /// Numbers one field (trimmed).
    #[inline(always)]
    pub(crate) fn add(&mut self, field: &[u8]) -> Result<(), NotCoded> {
        let code = trim_bytes(field);
        if code.is_empty() {
            return Err(NotCoded::Empty);
        }
        let key = packed(code);
        let id = match self.last {
            // The same short code as the field before (a long one is compared by its bytes).
            Some((Some(last), id)) if key == Some(last) => id,
            Some((None, id))
                if key.is_none()
                    && self.codes.distinct.get(id as usize).map(String::as_bytes) == Some(code) =>
            {
                id
            }
            // The code after the previous field's in first-seen order (a column that cycles through its codes).
            Some((_, id))
                if key.is_some() && self.keys.get(id as usize + 1).copied().flatten() == key =>
            {
                self.last = Some((key, id + 1));
                id + 1
            }
            _ => {
                let next = self.codes.distinct.len() as u32;
                let found = match key {
                    Some(k) => self.short.get(&k).copied(),
                    None => self.long.get(code).copied(),
                };
                let id = match found {
                    Some(id) => id,
                    None if self.codes.distinct.len() >= self.limit => {
                        return Err(NotCoded::TooMany);
                    }
                    None => {
                        match key {
                            Some(k) => self.short.insert(k, next),
                            None => self.long.insert(code.into(), next),
                        };
                        self.keys.push(key);
                        self.codes
                            .distinct
                            .push(String::from_utf8_lossy(code).into_owned());
                        next
                    }
                };
                self.last = Some((key, id));
                id
            }
        };
        self.codes.ids.push(id);
        Ok(())
    }
}

/// A code of at most 15 bytes as one number: its bytes, and its length in the top byte (so `a` and `a\0`
/// differ).
pub(crate) fn packed(bytes: &[u8]) -> Option<u128> {
    if bytes.len() > 15 {
        return None;
    }
    // Byte `k` of the code is byte `k` of the number, little-endian; the length is byte 15. Built as two 64-bit
    // halves with 64-bit shifts only (a 128-bit shift by a variable amount is a library call in WebAssembly).
    let n = bytes.len();
    let (low, high) = match bytes.split_at_checked(8) {
        Some((first, rest)) => (le_bytes(first), le_bytes(rest)),
        None => (le_bytes(bytes), 0),
    };
    Some(u128::from(low) | (u128::from(high | ((n as u64) << 56)) << 64))
}

/// Up to eight bytes as a little-endian number (byte `k` at bits `8k..8k+8`), read as two overlapping loads of
/// 1, 2 or 4 bytes, or one of 8: no loop over the bytes.
#[inline(always)]
fn le_bytes(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    let word = |at: usize, w: usize| -> u64 {
        let mut b = [0u8; 8];
        if let (Some(to), Some(from)) = (b.get_mut(..w), bytes.get(at..at + w)) {
            to.copy_from_slice(from);
        }
        u64::from_le_bytes(b)
    };
    // `w`-byte words starting at 0 and ending at `n` cover the bytes when w ≤ n ≤ 2w.
    let both = |w: usize| word(0, w) | (word(n - w, w) << (8 * (n - w)));
    match n {
        0 => 0,
        1 => word(0, 1),
        2..=3 => both(2),
        4..=7 => both(4),
        _ => word(0, 8),
    }
}

/// Fields read as numbers while a CSV was split: every field empty (missing) or a plain decimal with `point`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Parsed {
    pub(crate) point: u8,
    pub(crate) values: cellguard_engine::column::Column<f64>,
}

/// A file's text split into rows of `width` fields, as the CSV reader's direct path splits a body, over the
/// file's own bytes (shared, not copied). Row `r` starts at byte `starts[r]`; `ends[r · width + k]` is where its
/// field `k` ends, counted from the row's start (a row is below 64 KiB); field `k > 0` starts one byte after field
/// `k − 1` ends (past the separator). The bytes are below 4 GiB, and the fields are UTF-8 (the reader checked the
/// body once).
#[derive(Debug)]
pub(crate) struct Split {
    pub(crate) bytes: Arc<Vec<u8>>,
    pub(crate) width: usize,
    pub(crate) starts: Vec<u32>,
    pub(crate) ends: Vec<u16>,
}

impl Split {
    pub(crate) fn rows(&self) -> usize {
        self.starts.len()
    }
    fn field(&self, row: usize, k: usize) -> &str {
        std::str::from_utf8(self.field_bytes(row, k)).unwrap_or("")
    }
    /// A field's bytes (UTF-8: the body was checked whole and fields end at separators).
    fn field_bytes(&self, row: usize, k: usize) -> &[u8] {
        let at = row * self.width + k;
        let start = match k {
            0 => Some(0),
            _ => self.ends.get(at - 1).map(|&e| usize::from(e) + 1),
        };
        let (Some(base), Some(start), Some(&end)) =
            (self.starts.get(row), start, self.ends.get(at))
        else {
            return &[];
        };
        let base = *base as usize;
        self.bytes
            .get(base + start..base + usize::from(end).max(start))
            .unwrap_or(&[])
    }
}

impl PartialEq for TextColumn {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

/// Bits of an end kept in `ends` (a few in tests, so that the steps past them are exercised).
#[cfg(not(test))]
const LOW_BITS: u32 = 32;
#[cfg(test)]
const LOW_BITS: u32 = 5;

impl Owned {
    /// Records a field ending at byte `end` of the buffer.
    fn close_at(&mut self, end: usize) {
        let end = end as u64;
        while (end >> LOW_BITS) as usize > self.steps.len() {
            self.steps.push(self.ends.len());
        }
        self.ends.push((end & ((1u64 << LOW_BITS) - 1)) as u32);
    }
    /// Where field `i` ends in the buffer.
    fn end(&self, i: usize) -> usize {
        let low = self.ends.get(i).copied().unwrap_or(0) as usize;
        if self.steps.is_empty() {
            low
        } else {
            let high = self.steps.partition_point(|&first| first <= i) as u64;
            ((high << LOW_BITS) | low as u64) as usize
        }
    }
    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.end(i - 1) };
        self.buf.get(start..self.end(i)).unwrap_or("")
    }
}

impl TextColumn {
    /// Field `k` of every row of `split`, with the numbers read from them while splitting, if any.
    pub(crate) fn shared(
        split: Arc<Split>,
        k: usize,
        numbers: Option<Parsed>,
        codes: Option<Codes>,
    ) -> Self {
        let numbers = numbers.filter(|p| p.values.len() == split.rows());
        let codes = codes.filter(|c| c.ids.len() == split.rows());
        TextColumn {
            own: Owned::default(),
            shared: Some((split, k)),
            numbers,
            codes,
        }
    }
    /// The codes the CSV reader numbered while splitting (see [`Codes`]), if it did.
    pub(crate) fn codes(&self) -> Option<&Codes> {
        self.codes.as_ref()
    }
    /// Takes the codes the CSV reader numbered while splitting (see [`Codes`]), leaving the text.
    pub(crate) fn take_codes(&mut self) -> Option<Codes> {
        self.codes.take()
    }
    /// The fields read as numbers with the decimal `point` while the file was split, when every field was
    /// empty or a plain decimal: exactly what [`parse_number`] gives for each (empty fields are missing).
    pub(crate) fn numbers(&self, point: u8) -> Option<&cellguard_engine::column::Column<f64>> {
        self.numbers
            .as_ref()
            .filter(|p| p.point == point)
            .map(|p| &p.values)
    }
    /// Takes the numbers [`TextColumn::numbers`] gives, leaving the text.
    pub(crate) fn take_numbers(
        &mut self,
        point: u8,
    ) -> Option<cellguard_engine::column::Column<f64>> {
        self.numbers(point)?;
        self.numbers.take().map(|p| p.values)
    }
    /// The owned store, a shared column's fields copied into it first (a column that changes stops sharing).
    fn owned(&mut self) -> &mut Owned {
        self.numbers = None;
        self.codes = None;
        if let Some((split, k)) = self.shared.take() {
            let mut own = Owned::default();
            own.ends.reserve(split.rows());
            for row in 0..split.rows() {
                own.buf.push_str(split.field(row, k));
                own.close_at(own.buf.len());
            }
            self.own = own;
        }
        &mut self.own
    }
    pub fn push(&mut self, s: &str) {
        let own = self.owned();
        own.buf.push_str(s);
        own.close_at(own.buf.len());
    }
    /// Appends fields laid end to end in `text`, the k-th ending at `ends[k]` (increasing, from `text`'s start;
    /// the last at `text.len()`): one copy of the text instead of one per field.
    pub(crate) fn extend_packed(&mut self, text: &str, ends: impl Iterator<Item = usize>) {
        let own = self.owned();
        let base = own.buf.len();
        own.buf.push_str(text);
        for e in ends {
            own.close_at(base + e.min(text.len()));
        }
    }
    pub fn len(&self) -> usize {
        match &self.shared {
            Some((split, _)) => split.rows(),
            None => self.own.ends.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Room for `fields` more fields and `bytes` more bytes of text.
    pub fn reserve(&mut self, fields: usize, bytes: usize) {
        let own = self.owned();
        own.ends.reserve(fields);
        own.buf.reserve(bytes);
    }
    /// Bytes of text held.
    pub fn text_len(&self) -> usize {
        match &self.shared {
            Some((split, k)) => (0..split.rows()).map(|r| split.field(r, *k).len()).sum(),
            None => self.own.buf.len(),
        }
    }
    /// The fields in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        let mut start = 0;
        (0..self.len()).map(move |i| match &self.shared {
            Some((split, k)) => split.field(i, *k),
            None => {
                // Each field found from the previous one's end.
                let end = self.own.end(i);
                let field = self.own.buf.get(start..end).unwrap_or("");
                start = end;
                field
            }
        })
    }
    pub fn get(&self, i: usize) -> &str {
        match &self.shared {
            Some((split, k)) => split.field(i, *k),
            None => self.own.get(i),
        }
    }
    /// The fields in order as bytes (each is UTF-8): for loops that look at bytes only, without checking each
    /// field of a shared text as UTF-8 again.
    pub(crate) fn iter_bytes(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let mut owned = self.iter();
        let mut row = 0;
        std::iter::from_fn(move || match &self.shared {
            Some((split, k)) if row < split.rows() => {
                row += 1;
                Some(split.field_bytes(row - 1, *k))
            }
            Some(_) => None,
            None => owned.next().map(str::as_bytes),
        })
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

/// `s.trim()`, without looking at characters when both ends are plain ASCII that is not white space (most
/// fields).
pub(crate) fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Powers of ten exact in an `f64`.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// A plain decimal (`-12.50`, `9243`; `-12,50` with a decimal comma: an optional sign, at most 15 digits, at
/// most one decimal `point`), converted as `digits / 10^decimals`. Both numbers are exact in an `f64` and IEEE
/// division rounds correctly, so the result is the one `str::parse` gives (tested), without its general
/// algorithm. `None` for anything else.
pub(crate) fn plain_decimal(bytes: &[u8], point: u8) -> Option<f64> {
    let (negative, digits) = match bytes.first()? {
        b'-' => (true, bytes.get(1..)?),
        b'+' => (false, bytes.get(1..)?),
        _ => (false, bytes),
    };
    // Fifteen digits and a point at most: the mantissa cannot overflow.
    if digits.len() > 16 {
        return None;
    }
    let (mut mantissa, mut point_at) = (0u64, None::<usize>);
    for (k, &c) in digits.iter().enumerate() {
        let d = c.wrapping_sub(b'0');
        if d < 10 {
            mantissa = mantissa * 10 + u64::from(d);
        } else if c == point && point_at.is_none() {
            point_at = Some(k);
        } else {
            return None;
        }
    }
    let count = digits.len() - usize::from(point_at.is_some());
    if count == 0 || count > 15 {
        return None;
    }
    // A whole number is its mantissa (exact below 2^53); the division is only for decimals.
    let x = match point_at.map(|p| digits.len() - p - 1) {
        None | Some(0) => mantissa as f64,
        Some(decimals) => mantissa as f64 / POW10.get(decimals).copied()?,
    };
    Some(if negative { -x } else { x })
}

/// Eight ASCII digits, the first in the lowest byte, as their number; `None` when a byte is not a digit.
#[inline(always)]
fn eight_digits(word: u64) -> Option<u64> {
    // A byte is a digit when, XORed with `0`, it is below 10: adding 0x76 sets its high bit otherwise (no byte
    // carries into the next: only bytes below 0x80 are added to, and any of 0x80 and over is caught by `| x`).
    let x = word ^ 0x3030_3030_3030_3030;
    if ((x.wrapping_add(0x7676_7676_7676_7676)) | x) & 0x8080_8080_8080_8080 != 0 {
        return None;
    }
    // Pairs, then fours, then all eight (each step: high part × 10^k + low part, in every lane at once).
    let x = (x.wrapping_mul(10) + (x >> 8)) & 0x00FF_00FF_00FF_00FF;
    let x = (x.wrapping_mul(100) + (x >> 16)) & 0x0000_FFFF_0000_FFFF;
    Some((x.wrapping_mul(10_000) + (x >> 32)) & 0xFFFF_FFFF)
}

/// [`plain_decimal`] of the field `bytes[start..end]`, eight bytes at a time: a field of at most eight bytes,
/// digits with at most one decimal `point`, read from the eight bytes that end where the field ends. `None` for
/// anything else (a sign, a longer field, a field in the first eight bytes): the caller then asks
/// [`plain_decimal`], so the two always agree (tested).
#[inline(always)]
pub(crate) fn short_decimal(bytes: &[u8], start: usize, end: usize, point: u8) -> Option<f64> {
    let len = end.checked_sub(start)?;
    if len == 0 || len > 8 {
        return None;
    }
    let word: [u8; 8] = bytes.get(end.checked_sub(8)?..end)?.try_into().ok()?;
    let word = u64::from_le_bytes(word);
    // The field is the top `len` bytes; the bytes before it become leading zeros.
    let below = 8 * (8 - len) as u32;
    let low = 1u64.checked_shl(below).map_or(u64::MAX, |b| b - 1);
    let word = (word & !low) | (0x3030_3030_3030_3030 & low);
    if let Some(n) = eight_digits(word) {
        return Some(n as f64);
    }
    // One decimal point, with a digit on each side: take it out (the bytes below it move up one, a zero comes
    // in at the bottom) and divide by ten to the number of decimals.
    let x = word ^ (u64::from(point) * 0x0101_0101_0101_0101);
    let points =
        !(((x & 0x7F7F_7F7F_7F7F_7F7F) + 0x7F7F_7F7F_7F7F_7F7F) | x) & 0x8080_8080_8080_8080;
    if points.count_ones() != 1 {
        return None;
    }
    // A point alone is no number; `5.` and `.5` are, as for `plain_decimal`.
    if len < 2 {
        return None;
    }
    let at = points.trailing_zeros() / 8;
    let decimals = 7 - at as usize;
    let under = (1u64 << (8 * at)) - 1;
    let above = !((under << 8) | 0xFF);
    let without = (word & above & !(0xFF << (8 * at))) | ((word & under) << 8) | 0x30;
    let n = eight_digits(without)?;
    Some(n as f64 / POW10.get(decimals).copied()?)
}

pub(crate) fn parse_number(s: &str, decimal_comma: bool) -> Num {
    // Most fields are plain decimals with nothing around them: no trimming, no missing-value words to compare.
    if let Some(x) = plain_decimal(s.as_bytes(), if decimal_comma { b',' } else { b'.' }) {
        return Num::Value(x);
    }
    let s = trim(s);
    if s.is_empty()
        || matches!(
            s,
            "NA" | "N/A" | "NaN" | "nan" | "NAN" | "null" | "NULL" | "." | "-"
        )
    {
        return Num::Missing;
    }
    let parsed =
        if let Some(x) = plain_decimal(s.as_bytes(), if decimal_comma { b',' } else { b'.' }) {
            Ok(x)
        } else if decimal_comma && s.contains(',') {
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
    /// Codes are numbered in first-seen order, whatever the order they come in: repeated, cycling, cycling with
    /// codes left out or added, short and long, sharing prefixes.
    #[test]
    fn coder_numbers_codes_in_first_seen_order() {
        let names: Vec<String> = (0..40)
            .map(|i| match i % 4 {
                0 => format!("c{i}"),
                1 => format!("a-code-longer-than-fifteen-bytes-{i}"),
                2 => "x".repeat(1 + i % 16),
                _ => format!("c{i}\u{e9}"),
            })
            .collect();
        let mut seq: Vec<&str> = Vec::new();
        let mut x = 7u64;
        for round in 0..30 {
            for n in &names {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                match round % 3 {
                    // In order, each code once or twice.
                    0 => seq.extend(std::iter::repeat_n(n.as_str(), 1 + (x >> 60) as usize % 2)),
                    // In order with codes left out.
                    1 if (x >> 61) != 0 => seq.push(n),
                    1 => {}
                    // Any order.
                    _ => seq.push(names[(x >> 33) as usize % names.len()].as_str()),
                }
            }
        }
        let mut coder = super::Coder::new(seq.len(), usize::MAX);
        let mut naive: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
        let mut want = Vec::new();
        for f in &seq {
            coder.add(f.as_bytes()).unwrap();
            let next = naive.len() as u32;
            want.push(*naive.entry(f).or_insert(next));
        }
        assert_eq!(coder.codes.ids, want);
        let mut distinct = vec![String::new(); naive.len()];
        for (k, v) in naive {
            distinct[v as usize] = k.to_string();
        }
        assert_eq!(coder.codes.distinct, distinct);
    }

    /// A short code's key holds its bytes and its length, so codes that differ only by trailing zero bytes differ.
    #[test]
    fn packed_keys_hold_bytes_and_length() {
        for len in 0..=15usize {
            let bytes: Vec<u8> = (0..len as u8)
                .map(|b| b.wrapping_mul(37).wrapping_add(1))
                .collect();
            let mut want = (len as u128) << 120;
            for (k, &b) in bytes.iter().enumerate() {
                want |= u128::from(b) << (8 * k);
            }
            assert_eq!(super::packed(&bytes), Some(want));
        }
        assert_ne!(super::packed(b"a"), super::packed(b"a\0"));
        assert_eq!(super::packed(&[b'a'; 16]), None);
    }

    /// Fields of every length, empty ones included, read back exactly across many steps of the ends' high
    /// part (5 bits in tests: a step every 32 bytes).
    #[test]
    fn text_columns_hold_fields_across_offset_steps() {
        let mut t = super::TextColumn::default();
        let fields: Vec<String> = (0..2000)
            .map(|i| "é".repeat(i * 7 % 23) + &i.to_string())
            .collect();
        for (i, f) in fields.iter().enumerate() {
            t.push(if i % 11 == 0 { "" } else { f });
        }
        assert!(t.text_len() > 1000 << 5);
        for (i, f) in fields.iter().enumerate() {
            assert_eq!(
                t.get(i),
                if i % 11 == 0 { "" } else { f.as_str() },
                "field {i}"
            );
        }
        assert_eq!(t.get(2000), "");
        assert!(t.iter().eq((0..t.len()).map(|i| t.get(i))));
        // The same fields appended in one piece.
        let mut packed = super::TextColumn::default();
        packed.push("first");
        let text: String = fields.concat();
        let mut at = 0;
        let ends: Vec<usize> = fields
            .iter()
            .map(|f| {
                at += f.len();
                at
            })
            .collect();
        packed.extend_packed(&text, ends.into_iter());
        assert_eq!(packed.get(0), "first");
        for (i, f) in fields.iter().enumerate() {
            assert_eq!(packed.get(i + 1), f.as_str(), "packed field {i}");
        }
    }

    use super::*;

    /// Plain decimals convert to exactly what `str::parse` gives, including the last bit.
    #[test]
    fn plain_decimals_parse_like_std() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let fixed = [
            "0",
            "-0",
            "+7",
            "007",
            "0.1",
            ".5",
            "5.",
            "-.25",
            "123456789012345",
            "0.00000000000001",
            "999999999999999",
            "1234567890.12345",
            "-98765.4321",
        ];
        let mut cases: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
        for _ in 0..200_000 {
            let digits = 1 + (next() % 15) as usize;
            let mut t: String = (0..digits)
                .map(|_| char::from(b'0' + (next() % 10) as u8))
                .collect();
            if next() % 2 == 0 {
                let at = (next() % (digits as u64 + 1)) as usize;
                t.insert(at, '.');
            }
            if next() % 4 == 0 {
                t.insert(0, '-');
            }
            cases.push(t);
        }
        for c in &cases {
            let want: f64 = c.parse().unwrap();
            let got = plain_decimal(c.as_bytes(), b'.').unwrap_or_else(|| panic!("{c} not taken"));
            assert_eq!(got.to_bits(), want.to_bits(), "{c}");
            let comma = plain_decimal(c.replace('.', ",").as_bytes(), b',');
            assert_eq!(
                comma.map(f64::to_bits),
                Some(want.to_bits()),
                "{c} with a comma"
            );
        }
        for other in [
            "1e5",
            "1,5",
            "",
            "-",
            ".",
            "1.2.3",
            "1234567890123456",
            "1234567890123456789012345",
            "12345678901234.56",
            "1.234567890123456",
            "inf",
            " 1",
        ] {
            assert_eq!(plain_decimal(other.as_bytes(), b'.'), None, "{other}");
        }
        // Past the fast path, the general parser still reads long numbers (no overflow on the way).
        for long in ["1234567890123456789012345", "-12345678901234.56"] {
            let Num::Value(x) = parse_number(long, false) else {
                panic!("{long}")
            };
            assert_eq!(x.to_bits(), long.parse::<f64>().unwrap().to_bits());
        }
    }

    /// The eight-bytes-at-a-time reading of short fields agrees with `plain_decimal` wherever it answers, and
    /// answers for the usual fields (digits, with perhaps one point).
    #[test]
    fn short_decimals_read_as_plain_decimals() {
        let mut next = crate::below(0x0123_4567_89AB_CDEF);
        let alphabet = b"0123456789..,,-+ a:/\xC3\xA9";
        let (mut answered, mut usual) = (0, 0);
        for case in 0..300_000 {
            let len = next(11) as usize;
            let field: Vec<u8> = if next(3) == 0 {
                (0..len)
                    .map(|_| alphabet[next(alphabet.len() as u64) as usize])
                    .collect()
            } else {
                // Digits with perhaps one point.
                let mut f: Vec<u8> = (0..len).map(|_| b'0' + next(10) as u8).collect();
                if len > 0 && next(2) == 0 {
                    f[next(len as u64) as usize] = if next(4) == 0 { b',' } else { b'.' };
                }
                f
            };
            let before = next(12) as usize;
            let mut buf: Vec<u8> = (0..before)
                .map(|_| b"0123456789.,;a\n"[next(15) as usize])
                .collect();
            buf.extend_from_slice(&field);
            buf.extend((0..next(3)).map(|_| b'9'));
            for point in [b'.', b','] {
                let got = short_decimal(&buf, before, before + field.len(), point);
                let want = plain_decimal(&field, point);
                if let Some(x) = got {
                    answered += 1;
                    assert_eq!(
                        Some(x.to_bits()),
                        want.map(f64::to_bits),
                        "case {case}: {:?} with {:?}",
                        String::from_utf8_lossy(&field),
                        point as char
                    );
                }
                let digits = field.iter().filter(|b| b.is_ascii_digit()).count();
                let points = field.iter().filter(|&&b| b == point).count();
                let inner = points == 0 || field.len() >= 2;
                if before + field.len() >= 8
                    && !field.is_empty()
                    && field.len() <= 8
                    && digits + points == field.len()
                    && points <= 1
                    && inner
                {
                    usual += 1;
                    assert!(
                        got.is_some(),
                        "case {case}: {:?}",
                        String::from_utf8_lossy(&field)
                    );
                }
            }
        }
        assert!(answered > 100_000 && usual > 100_000, "{answered} {usual}");
    }

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
