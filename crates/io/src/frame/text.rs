//! A column's text fields ([`TextColumn`]): copied into one buffer, or left in the file's text that all
//! columns of a CSV frame share ([`Split`]), with the numbers and codes the CSV reader found while splitting.

use super::Codes;
use std::sync::Arc;

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
    own: OwnedFields,
    /// The shared store: a split text and the column's place in its rows.
    shared: Option<(Arc<Split>, usize)>,
    numbers: Option<Parsed>,
    codes: Option<Codes>,
}

#[derive(Debug, Clone, Default)]
struct OwnedFields {
    buf: String,
    /// Low 32 bits of each field's end in `buf`.
    ends: Vec<u32>,
    /// `steps[k]`: the first field whose end is ≥ (k + 1) · 2³² (empty below 4 GiB).
    steps: Vec<usize>,
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

impl OwnedFields {
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
            own: OwnedFields::default(),
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
    /// empty or a plain decimal: exactly what [`parse_number`](super::parse_number) gives for each (empty fields
    /// are missing).
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
    fn owned(&mut self) -> &mut OwnedFields {
        self.numbers = None;
        self.codes = None;
        if let Some((split, k)) = self.shared.take() {
            let mut own = OwnedFields::default();
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

/// `s.trim()`, without looking at characters when both ends are plain ASCII that is not white space (most
/// fields).
pub(crate) fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

#[cfg(test)]
mod tests {
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
}
