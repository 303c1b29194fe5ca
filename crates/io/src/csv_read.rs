//! CSV reading: `,` `;` or tab (sniffed from the header), UTF-8 with or without BOM, or UTF-16 with its BOM (Excel's
//! "Unicode text"), quoted fields, decimal comma when the separator is `;` or tab.
//!
//! (Past 600 lines with its tests: the direct splitter and the csv crate's path are tested against each other
//! here.)

use crate::Error;
use crate::frame::{Column, ColumnData, Format, Frame, Parsed, Split, TextColumn};
use std::sync::Arc;

/// Sniffs the separator from the header line: the most frequent of `,` `;` tab outside quotes (`,` on a tie).
fn sniff(bytes: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in bytes.iter().take_while(|&&b| b != b'\n') {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let [c, s, t] = counts;
    if s > c && s >= t {
        b';'
    } else if t > c && t > s {
        b'\t'
    } else {
        b','
    }
}

/// Bytes at the start of a file searched for a NUL byte (a binary file named `.csv`). Few in tests, so that the
/// two-piece read's heads are tested both shorter and longer than it.
#[cfg(not(test))]
pub(crate) const SNIFF_BYTES: usize = 1 << 16;
#[cfg(test)]
pub(crate) const SNIFF_BYTES: usize = 64;

/// Rows read before the text buffers are sized for the whole file.
const SAMPLE_ROWS: usize = 4096;

/// Where the record the reader places at byte `offset` begins: past the line ends before it (after a `\r\n`,
/// the reader's position is still on the `\n`).
pub(crate) fn record_start(bytes: &[u8], offset: u64) -> usize {
    let mut at = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    while matches!(bytes.get(at), Some(b'\r' | b'\n')) {
        at += 1;
    }
    at
}

/// The line (from 1) of the record the reader places at byte `offset`.
fn line_at(bytes: &[u8], offset: u64) -> u64 {
    newlines(bytes.get(..record_start(bytes, offset)).unwrap_or(&[])) + 1
}

/// The `\n` bytes in `b`, eight at a time (a row is a few dozen bytes; this runs once per row).
pub(crate) fn newlines(b: &[u8]) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut n = 0u64;
    let mut words = b.chunks_exact(8);
    for w in &mut words {
        let mut bytes8 = [0u8; 8];
        bytes8.copy_from_slice(w);
        // Zero where the byte is `\n`; a byte's high bit in `seen` is set unless the byte was zero.
        let x = u64::from_le_bytes(bytes8) ^ 0x0A0A_0A0A_0A0A_0A0A;
        let seen = ((x & LOW7) + LOW7) | x;
        n += u64::from((!seen & HIGH).count_ones());
    }
    n + words.remainder().iter().filter(|&&c| c == b'\n').count() as u64
}

/// A CSV file's bytes, and the same bytes shared when the caller has them so (the frame's text columns then
/// point into them instead of into a copy).
#[derive(Clone, Copy)]
pub(crate) struct Source<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) shared: Option<&'a Arc<Vec<u8>>>,
    /// The columns the caller will use, when it says: only those are read as numbers or codes while splitting
    /// (every column's text is read all the same).
    pub(crate) only: Option<&'a [&'a str]>,
}

pub(crate) fn read(file: &str, src: Source<'_>) -> Result<Frame, Error> {
    match utf16_as_utf8(file, src.bytes)? {
        Some(text) => read_with(
            file,
            Source {
                bytes: text.as_bytes(),
                shared: None,
                only: src.only,
            },
            true,
        ),
        None => read_with(file, src, true),
    }
}

/// A CSV's text past any UTF-8 BOM; an empty or binary file is an error.
fn text<'b>(file: &str, bytes: &'b [u8]) -> Result<&'b [u8], Error> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if text.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::Empty {
            file: file.to_owned(),
        });
    }
    if let Some(offset) = text.iter().take(SNIFF_BYTES).position(|&b| b == 0) {
        return Err(Error::Binary {
            file: file.to_owned(),
            offset: offset as u64,
        });
    }
    Ok(text)
}

/// A CSV's column names, from its header alone (UTF-16 decoded first, as [`read`] does).
pub(crate) fn column_names(file: &str, bytes: &[u8]) -> Result<Vec<String>, Error> {
    let decoded = utf16_as_utf8(file, bytes)?;
    let bytes = decoded.as_deref().map_or(bytes, str::as_bytes);
    Ok(open(file, text(file, bytes)?)?.2)
}

/// A UTF-16 text file (it starts with a byte-order mark, `FF FE` or `FE FF`: Excel's "Unicode text" is one) as
/// UTF-8; `None` for any other bytes. A broken character (a lone surrogate, an odd last byte) is an error naming
/// its line.
fn utf16_as_utf8(file: &str, bytes: &[u8]) -> Result<Option<String>, Error> {
    let (little, body) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (true, rest),
        [0xFE, 0xFF, rest @ ..] => (false, rest),
        _ => return Ok(None),
    };
    let pairs = body.chunks_exact(2);
    let odd = !pairs.remainder().is_empty();
    let units = pairs.map(|p| match *p {
        [a, b] if little => u16::from_le_bytes([a, b]),
        [a, b] => u16::from_be_bytes([a, b]),
        _ => 0,
    });
    let mut text = String::with_capacity(body.len() / 2);
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => text.push(c),
            Err(_) => return Err(broken_utf16(file, &text)),
        }
    }
    if odd {
        return Err(broken_utf16(file, &text));
    }
    Ok(Some(text))
}

fn broken_utf16(file: &str, read: &str) -> Error {
    Error::Utf16 {
        file: file.to_owned(),
        line: newlines(read.as_bytes()) + 1,
    }
}

/// Reads a CSV; `plain` lets a body without quotes take the direct path ([`read_plain`]).
pub(crate) fn read_with(file: &str, src: Source<'_>, plain: bool) -> Result<Frame, Error> {
    let bytes = text(file, src.bytes)?;
    let bom = src.bytes.len() - bytes.len();
    let (mut reader, delimiter, names) = open(file, bytes)?;
    // Rows are at most the lines: size the columns once instead of growing (and copying) them as they fill.
    let lines = newlines(bytes) as usize + 1;
    let body_start = record_start(bytes, reader.position().byte());
    if let Some(body) = bytes.get(body_start..).filter(|_| plain) {
        if memchr::memchr(b'"', body).is_none() {
            let first_line = newlines(bytes.get(..body_start).unwrap_or(&[])) + 1;
            let at = Body {
                src,
                start: bom + body_start,
                first_line,
                lines,
                typed: names
                    .iter()
                    .map(|n| src.only.is_none_or(|only| only.contains(&n.as_str())))
                    .collect(),
            };
            if let Some(cols) = read_plain(file, &at, delimiter, names.len())? {
                return Ok(frame(file, names, cols, delimiter));
            }
        }
    }
    let mut cols: Vec<TextColumn> = vec![TextColumn::default(); names.len()];
    let mut row_labels = Vec::with_capacity(lines);
    for c in &mut cols {
        c.reserve(lines, 0);
    }
    let mut rec = csv::ByteRecord::new();
    // Line numbers from byte offsets (the reader's own count skips blank lines and is off with `\r\n` line
    // ends), counted on from one record to the next.
    let (mut at, mut line_at_start) = (0usize, 1u64);
    while reader
        .read_byte_record(&mut rec)
        .map_err(|e| csv_error(file, bytes, &e))?
    {
        // After a sample of rows, the text buffers are sized for the whole file from the sample's field lengths.
        if row_labels.len() == SAMPLE_ROWS {
            let read = reader.position().byte().max(1) as f64;
            let scale = bytes.len() as f64 / read * 1.05;
            for c in &mut cols {
                c.reserve(0, (c.text_len() as f64 * scale) as usize);
            }
        }
        let start = rec
            .position()
            .map_or(at, |p| record_start(bytes, p.byte()))
            .max(at);
        line_at_start += newlines(bytes.get(at..start).unwrap_or(&[]));
        at = start;
        let line = line_at_start;
        // A blank line at the end of a file is not a row.
        if rec.len() == 1 && rec.get(0).is_some_and(<[u8]>::is_empty) && names.len() > 1 {
            continue;
        }
        for (col, field) in cols.iter_mut().zip(rec.iter()) {
            let s = std::str::from_utf8(field).map_err(|_| Error::Encoding {
                file: file.to_owned(),
                line,
            })?;
            col.push(s);
        }
        row_labels.push(line);
    }
    Ok(frame(file, names, (cols, row_labels), delimiter))
}

/// Opens a CSV body (past any BOM): the reader placed after the header, the separator sniffed from the header
/// line, and the column names (trimmed; an empty or repeated name is an error that names it).
pub(crate) fn open<'b>(file: &str, bytes: &'b [u8]) -> Result<Opened<'b>, Error> {
    let delimiter = sniff(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .from_reader(bytes);
    let header = reader
        .byte_headers()
        .map_err(|e| csv_error(file, bytes, &e))?
        .clone();
    crate::limits::check_columns(file, header.len())?;
    let mut names = Vec::with_capacity(header.len());
    for (i, raw) in header.iter().enumerate() {
        let name = std::str::from_utf8(raw)
            .map_err(|_| Error::Encoding {
                file: file.to_owned(),
                line: 1,
            })?
            .trim();
        if name.is_empty() {
            return Err(Error::EmptyColumnName {
                file: file.to_owned(),
                position: i as u64 + 1,
            });
        }
        if names.iter().any(|n: &String| n == name) {
            return Err(Error::DuplicateColumn {
                file: file.to_owned(),
                column: name.to_owned(),
            });
        }
        names.push(name.to_owned());
    }
    Ok((reader, delimiter, names))
}

/// A CSV opened by [`open`]: the reader past the header, the separator, the column names.
pub(crate) type Opened<'b> = (csv::Reader<&'b [u8]>, u8, Vec<String>);

/// The csv crate's error `e` on `bytes`, said with the line it is on.
fn csv_error(file: &str, bytes: &[u8], e: &csv::Error) -> Error {
    let line = e.position().map_or(0, |p| line_at(bytes, p.byte()));
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!(
                "the row has {len} fields, the header has {expected_len}; check separators and quotes"
            )
        }
        csv::ErrorKind::Utf8 { .. } => {
            return Error::Encoding {
                file: file.to_owned(),
                line,
            };
        }
        _ => e.to_string(),
    };
    Error::Csv {
        file: file.to_owned(),
        line,
        message,
    }
}

/// A CSV body read: its columns and each row's line.
pub(crate) type Rows = (Vec<TextColumn>, Vec<u64>);

pub(crate) fn frame(
    file: &str,
    names: Vec<String>,
    (cols, row_labels): Rows,
    delimiter: u8,
) -> Frame {
    Frame {
        file: file.to_owned(),
        format: Format::Csv,
        columns: names
            .into_iter()
            .zip(cols)
            .map(|(name, c)| Column {
                name,
                data: ColumnData::Text(c),
            })
            .collect(),
        row_labels,
        decimal_comma: delimiter != b',',
    }
}

/// Bit 7 of each byte of `word` that equals the byte repeated in `pattern` (exact: no carry crosses bytes).
fn equal_bytes(word: u64, pattern: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let x = word ^ pattern;
    !(((x & LOW7) + LOW7) | x) & HIGH
}

/// Distinct codes a column's codes are numbered for while splitting; a column with more (free text, not a
/// dimension) is left to be numbered when it is used.
pub(crate) const CODES_WHILE_SPLITTING: usize = 1 << 16;

/// Where [`read_plain`] is in its body: the open field and row.
struct Splitter<'a> {
    body: &'a [u8],
    width: usize,
    /// Each row's start, and each field's end from its row's start (see [`Split`]).
    starts: Vec<u32>,
    ends: Vec<u16>,
    /// Where the body starts in the file (the row starts count from the file's start).
    base: usize,
    /// Where the open row starts in the body.
    row_start: usize,
    /// A row reached 64 KiB: the general reader takes the file.
    long_row: bool,
    /// Each column's fields as numbers, while every one so far has been empty or a plain decimal.
    numbers: Vec<Option<cellguard_engine::column::Column<f64>>>,
    /// The codes of each column that holds text from its first row, numbered while its fields are in cache.
    codes: Vec<Option<crate::frame::Coder>>,
    row_labels: Vec<u64>,
    line: u64,
    /// Start of the open field, and its column in the row.
    start: usize,
    col: usize,
    /// The decimal point of numbers (`,` when the separator is `;` or tab).
    point: u8,
    /// Fields a number column is sized for once its first number is read.
    lines: usize,
}

impl Splitter<'_> {
    /// Runs once per field: inlined into the scanning loop, so the splitter's state stays in registers.
    #[inline(always)]
    fn push_field(&mut self, end: usize) {
        // Row starts fit in 32 bits: `read_plain` takes files below 4 GiB only.
        if self.col == 0 {
            self.row_start = self.start;
            self.starts.push((self.base + self.start) as u32);
        }
        let end_in_row = end - self.row_start;
        self.long_row |= end_in_row > usize::from(u16::MAX);
        self.ends.push(end_in_row as u16);
        let field = self.body.get(self.start..end).unwrap_or(&[]);
        let mut text = false;
        if let Some(slot) = self.numbers.get_mut(self.col) {
            if let Some(numbers) = slot {
                if field.is_empty() {
                    numbers.push(None);
                } else if let Some(x) =
                    crate::frame::short_decimal(self.body, self.start, end, self.point)
                        .or_else(|| crate::frame::plain_decimal(field, self.point))
                {
                    if numbers.is_empty() {
                        *numbers = cellguard_engine::column::Column::with_capacity(self.lines);
                    }
                    numbers.push(Some(x));
                } else {
                    // Text, or a number the general parser must read: the column is parsed when it is used.
                    *slot = None;
                    // Text from the first row on: its codes are numbered as it is split.
                    if self.row_labels.is_empty() {
                        if let Some(codes) = self.codes.get_mut(self.col) {
                            *codes =
                                Some(crate::frame::Coder::new(self.lines, CODES_WHILE_SPLITTING));
                        }
                    }
                    text = true;
                }
            } else {
                text = true;
            }
        }
        if text {
            if let Some(slot) = self.codes.get_mut(self.col) {
                // An empty code (an error the later numbering reports with its row) or too many codes (free
                // text, not a dimension): this column is numbered afterwards.
                if slot.as_mut().is_some_and(|c| c.add(field).is_err()) {
                    *slot = None;
                }
            }
        }
        self.col += 1;
    }

    /// A row ends at byte `at` (a `\n`, or the end of the body).
    fn end_row(&mut self, file: &str, at: usize) -> Result<(), Error> {
        let end = if at > self.start && self.body.get(at - 1) == Some(&b'\r') {
            at - 1
        } else {
            at
        };
        // A blank line (`\r\n` too) is not a row.
        if self.col == 0 && end == self.start {
            self.line += 1;
            self.start = at + 1;
            return Ok(());
        }
        self.push_field(end);
        if self.col != self.width {
            return Err(Error::Csv {
                file: file.to_owned(),
                line: self.line,
                message: format!(
                    "the row has {} fields, the header has {}; check separators and quotes",
                    self.col, self.width
                ),
            });
        }
        self.row_labels.push(self.line);
        self.line += 1;
        self.col = 0;
        self.start = at + 1;
        Ok(())
    }
}

/// Where a CSV's body lies in its file: from byte `start` (past the BOM and the header), on line `first_line`;
/// `lines` bounds its rows.
struct Body<'a> {
    src: Source<'a>,
    start: usize,
    first_line: u64,
    lines: usize,
    /// The columns read as numbers or codes while splitting.
    typed: Vec<bool>,
}

/// The body of a CSV without quotes, split at line ends and separators directly (the general reader's state
/// machine is for quoted fields): the same columns, row labels and errors as the general reader. The body is
/// checked as UTF-8 once and kept as one shared text; each column records where its fields lie in it, so no field
/// is copied. While splitting, a column whose fields are all empty or plain decimals is read as numbers too
/// ([`TextColumn::numbers`]). `None` (left to the general reader) when the file is 4 GiB or more, or
/// [`split_plain`] leaves it.
fn read_plain(
    file: &str,
    at: &Body<'_>,
    delimiter: u8,
    width: usize,
) -> Result<Option<Rows>, Error> {
    if u32::try_from(at.src.bytes.len()).is_err() {
        return Ok(None);
    }
    let body = at.src.bytes.get(at.start..).unwrap_or(&[]);
    let piece = Piece {
        body,
        base: at.start,
        first_line: at.first_line,
        lines: at.lines,
        typed: &at.typed,
    };
    let Some(s) = split_plain(file, &piece, delimiter, width)? else {
        return Ok(None);
    };
    let bytes = at
        .src
        .shared
        .map_or_else(|| Arc::new(at.src.bytes.to_vec()), Arc::clone);
    Ok(Some(s.into_rows(bytes)))
}

/// A run of whole lines of a CSV body to split: its bytes, where they start in the file, the line they start on,
/// a bound on their rows, and the columns read as numbers or codes while splitting.
pub(crate) struct Piece<'a> {
    pub(crate) body: &'a [u8],
    pub(crate) base: usize,
    pub(crate) first_line: u64,
    pub(crate) lines: usize,
    pub(crate) typed: &'a [bool],
}

/// A piece of a CSV body as [`split_plain`] splits it (see [`Split`]; the row starts count from the file's start).
#[derive(Clone)]
pub(crate) struct Splitted {
    pub(crate) starts: Vec<u32>,
    pub(crate) ends: Vec<u16>,
    pub(crate) numbers: Vec<Option<cellguard_engine::column::Column<f64>>>,
    pub(crate) codes: Vec<Option<crate::frame::Coder>>,
    pub(crate) row_labels: Vec<u64>,
    /// The line after the piece's last one.
    pub(crate) line: u64,
    pub(crate) point: u8,
}

impl Splitted {
    /// The piece's columns over the file's `bytes`, and each row's line.
    pub(crate) fn into_rows(self, bytes: Arc<Vec<u8>>) -> Rows {
        let codes = self.codes.into_iter().map(|c| c.map(|c| c.codes)).collect();
        let cols = columns(
            bytes,
            self.numbers.len(),
            self.starts,
            self.ends,
            self.numbers,
            codes,
            self.point,
        );
        (cols, self.row_labels)
    }
}

/// The text columns of a split body over the file's `bytes` (see [`Split`]), with the numbers and codes read
/// while splitting.
pub(crate) fn columns(
    bytes: Arc<Vec<u8>>,
    width: usize,
    starts: Vec<u32>,
    ends: Vec<u16>,
    numbers: Vec<Option<cellguard_engine::column::Column<f64>>>,
    codes: Vec<Option<crate::frame::Codes>>,
    point: u8,
) -> Vec<TextColumn> {
    let split = Arc::new(Split {
        bytes,
        width,
        starts,
        ends,
    });
    numbers
        .into_iter()
        .zip(codes)
        .enumerate()
        .map(|(k, (numbers, codes))| {
            let numbers = numbers.map(|values| Parsed { point, values });
            TextColumn::shared(Arc::clone(&split), k, numbers, codes)
        })
        .collect()
}

/// Splits a piece of a CSV body without quotes, scanning eight bytes at a time for separators and line ends.
/// `None` (left to the general reader) when the piece is not UTF-8, a `\r` is not part of a `\r\n` (a lone `\r`
/// ends a record for the general reader), or a row reaches 64 KiB.
#[inline(never)]
pub(crate) fn split_plain(
    file: &str,
    piece: &Piece<'_>,
    delimiter: u8,
    width: usize,
) -> Result<Option<Splitted>, Error> {
    let (body, lines) = (piece.body, piece.lines);
    // Text that is not UTF-8 is left to the general reader: it reports whichever problem comes first in the file.
    if std::str::from_utf8(body).is_err() {
        return Ok(None);
    }
    if memchr::memchr_iter(b'\r', body).any(|p| body.get(p + 1) != Some(&b'\n')) {
        return Ok(None);
    }
    let mut s = Splitter {
        body,
        width,
        starts: Vec::with_capacity(lines),
        ends: Vec::with_capacity(lines * width),
        base: piece.base,
        row_start: 0,
        long_row: false,
        numbers: (0..width)
            .map(|k| {
                piece
                    .typed
                    .get(k)
                    .is_some_and(|&t| t)
                    .then(cellguard_engine::column::Column::new)
            })
            .collect(),
        codes: (0..width).map(|_| None).collect(),
        row_labels: Vec::with_capacity(lines),
        line: piece.first_line,
        start: 0,
        col: 0,
        point: if delimiter == b',' { b'.' } else { b',' },
        lines,
    };
    let (sep, nl) = (
        u64::from(delimiter) * 0x0101_0101_0101_0101,
        u64::from(b'\n') * 0x0101_0101_0101_0101,
    );
    let mut words = body.chunks_exact(8);
    let mut base = 0usize;
    for w in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        let word = u64::from_le_bytes(word);
        let ends = equal_bytes(word, nl);
        let mut marks = equal_bytes(word, sep) | ends;
        while marks != 0 {
            let low = marks & marks.wrapping_neg();
            let at = base + (marks.trailing_zeros() / 8) as usize;
            marks &= marks - 1;
            if ends & low != 0 {
                s.end_row(file, at)?;
            } else {
                s.push_field(at);
                s.start = at + 1;
            }
        }
        base += 8;
    }
    for (k, &b) in words.remainder().iter().enumerate() {
        let at = base + k;
        if b == b'\n' {
            s.end_row(file, at)?;
        } else if b == delimiter {
            s.push_field(at);
            s.start = at + 1;
        }
    }
    if s.start < body.len() || s.col > 0 {
        s.end_row(file, body.len())?;
    }
    if s.long_row {
        return Ok(None);
    }
    Ok(Some(Splitted {
        starts: s.starts,
        ends: s.ends,
        numbers: s.numbers,
        codes: s.codes,
        row_labels: s.row_labels,
        line: s.line,
        point: s.point,
    }))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Excel's "Unicode text" (UTF-16 little-endian with its byte-order mark, tab-separated) and UTF-16
    /// big-endian read as the same table as UTF-8; a broken character is an error naming its line.
    #[test]
    fn utf16_text_is_read_as_text() {
        let text = "sex\tregion\tn\tvalue\nF\tBrüssel\t12\t3,5\nM\tVL\t30\t4\n";
        let utf8 = crate::read_frame("t.txt", text.as_bytes()).unwrap();
        let encode = |little: bool| -> Vec<u8> {
            let bom: &[u8] = if little { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] };
            let mut out = bom.to_vec();
            for u in text.encode_utf16() {
                out.extend(if little {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                });
            }
            out
        };
        for little in [true, false] {
            let bytes = encode(little);
            let f = crate::read_frame("t.txt", &bytes).unwrap();
            assert_eq!(f.columns, utf8.columns, "little-endian: {little}");
            assert!(f.decimal_comma);
            assert_eq!(
                crate::column_names("t.txt", &bytes).unwrap(),
                ["sex", "region", "n", "value"]
            );
        }
        // A lone high surrogate on line 3; an odd last byte after line 3's end.
        let mut lone = encode(true);
        let at = lone.len() - 4;
        lone.splice(at..at, 0xD800u16.to_le_bytes());
        let e = crate::read_frame("t.txt", &lone).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.txt: line 3 has a broken UTF-16 character (the file starts as UTF-16 text); save the file as UTF-8"
        );
        let mut odd = encode(true);
        odd.push(b'x');
        let e = crate::read_frame("t.txt", &odd).unwrap_err();
        assert!(e.to_string().contains("line 4 has a broken UTF-16"), "{e}");
    }

    fn src(bytes: &[u8]) -> Source<'_> {
        Source {
            bytes,
            shared: None,
            only: None,
        }
    }

    /// The direct path for bodies without quotes gives the general reader's frame or error, byte for byte.
    #[test]
    fn plain_bodies_read_as_the_general_reader_reads_them() {
        let cases: &[&[u8]] = &[
            b"a,b\n1,2\n3,4\n",
            b"a,b\n1,2\n3,4",
            b"a,b\r\n1,2\r\n\r\n3,4\r\n",
            b"a,b\n\n\n1,2\n\n",
            b"a;b\n1,5; x \n;\n",
            b"a\tb\tc\n\t\t\n1\t2\t3\n",
            b"\"x,y\",b\n1,2\n",
            b"a\n1\n\n2\n",
            b"a\n\n",
            b"a,b\n1,2,3\n",
            b"a,b\n1,2\n3\n",
            b"a,b\n1,2\n\xff,3\n",
            b"a,b\n1,2,3\n\xff,3\n",
            b"a,b\n1,\xc3\xa9\n2,\xc3\n",
            b"a,b\n1,2\r3,4\n",
            b"a,b\n \n",
            "région,€\nBrüssel,1\n".as_bytes(),
        ];
        for case in cases {
            let fast = read_with("t.csv", src(case), true);
            let general = read_with("t.csv", src(case), false);
            assert_eq!(fast, general, "{}", String::from_utf8_lossy(case));
        }
    }

    /// Every column the direct path read as numbers holds, entry for entry, what the general parser makes of its
    /// text.
    pub(crate) fn numbers_match_their_text(frame: &Frame, context: &str) {
        let point = if frame.decimal_comma { b',' } else { b'.' };
        for c in &frame.columns {
            let ColumnData::Text(t) = &c.data else {
                continue;
            };
            let Some(numbers) = t.numbers(point) else {
                continue;
            };
            assert_eq!(numbers.len(), t.len(), "{context}");
            for (i, field) in t.iter().enumerate() {
                let want = match crate::frame::parse_number(field, frame.decimal_comma) {
                    crate::frame::Num::Value(x) => Some(x.to_bits()),
                    crate::frame::Num::Missing => None,
                    crate::frame::Num::Bad => panic!("{context}: `{field}` is not a number"),
                };
                assert_eq!(
                    numbers.get(i).map(f64::to_bits),
                    want,
                    "{context}: `{field}`"
                );
            }
        }
    }

    /// The same on 3,000 seeded random quote-free files: fields of every length across the eight-byte words,
    /// `,` `;` tab, `\r\n`, blank lines, missing and extra fields, multi-byte text, no final line end, a BOM;
    /// half the files of numbers written every way (`1,5`, `007`, `1.50`, `+3`, `1e5`, ` 4`, `-`). Read from
    /// shared bytes too, and the numbers read while splitting checked against the general parser.
    #[test]
    fn random_plain_bodies_read_as_the_general_reader_reads_them() {
        let mut next = crate::below(0x9E37_79B9_7F4A_7C15);
        for case in 0..3000 {
            let text = random_plain_csv(&mut next);
            let fast = read_with("t.csv", src(text.as_bytes()), true);
            let general = read_with("t.csv", src(text.as_bytes()), false);
            assert_eq!(fast, general, "case {case}: {text:?}");
            let bytes = Arc::new(text.clone().into_bytes());
            let shared = read_with(
                "t.csv",
                Source {
                    bytes: &bytes,
                    shared: Some(&bytes),
                    only: None,
                },
                true,
            );
            assert_eq!(shared, general, "case {case}, shared: {text:?}");
            if let Ok(frame) = &shared {
                numbers_match_their_text(frame, &format!("case {case}: {text:?}"));
            }
        }
    }

    /// A seeded random quote-free CSV file: fields of every length across the eight-byte words, `,` `;` tab,
    /// `\r\n`, blank lines, missing and extra fields, multi-byte text, no final line end, a BOM; half the files of
    /// numbers written every way (`1,5`, `007`, `1.50`, `+3`, `1e5`, ` 4`, `-`).
    pub(crate) fn random_plain_csv(next: &mut impl FnMut(u64) -> u64) -> String {
        let words = [
            "",
            "a",
            "7",
            "-12.5",
            "xyz",
            "é",
            "€uro",
            " ",
            "0123456789abcdef",
            "NA",
        ];
        let numbers = [
            "",
            "7",
            "-12.5",
            "1,5",
            "007",
            "1.50",
            "+3",
            "-",
            ".",
            "1e5",
            " 4",
            "0.1",
            "-0",
            "123456789012345",
            "1234567890123456",
            "9243",
            "770.25",
        ];
        let pieces: &[&str] = if next(2) == 0 { &words } else { &numbers };
        let sep = [",", ";", "\t"][next(3) as usize];
        let width = 1 + next(5) as usize;
        let mut text = (0..width)
            .map(|k| format!("c{k}"))
            .collect::<Vec<_>>()
            .join(sep);
        text.push('\n');
        for _ in 0..next(12) {
            let fields = if next(20) == 0 {
                width + 1 - 2 * next(2) as usize
            } else {
                width
            };
            let row: Vec<&str> = (0..fields)
                .map(|_| pieces[next(pieces.len() as u64) as usize])
                .collect();
            text.push_str(&row.join(sep));
            match next(6) {
                0 => text.push_str("\r\n"),
                1 => text.push_str("\n\n"),
                _ => text.push('\n'),
            }
        }
        if next(3) == 0 {
            text.pop();
        }
        if next(8) == 0 {
            text.insert(0, '\u{feff}');
        }
        text
    }

    /// A row of 64 KiB or more is left to the general reader, which reads it whole.
    #[test]
    fn long_rows_read_whole() {
        let long = "x".repeat(70_000);
        let text = format!("a,b\n1,2\n3,{long}\n4,5\n");
        let fast = read_with("t.csv", src(text.as_bytes()), true).unwrap();
        assert_eq!(
            fast,
            read_with("t.csv", src(text.as_bytes()), false).unwrap()
        );
        let ColumnData::Text(b) = &fast.columns[1].data else {
            panic!("text")
        };
        assert_eq!(b.get(1), long);
        // Just below the limit, the direct path keeps it.
        let text = format!("a,b\n1,2\n3,{}\n", "y".repeat(65_000));
        let fast = read_with("t.csv", src(text.as_bytes()), true).unwrap();
        assert_eq!(
            fast,
            read_with("t.csv", src(text.as_bytes()), false).unwrap()
        );
    }

    #[test]
    fn newlines_are_counted_eight_at_a_time_exactly() {
        let text: Vec<u8> = (0..1000u32)
            .map(|i| [b'\n', b'a', 0x8A, 0x0B, b'\r', 0x00][(i * 7 % 13 % 6) as usize])
            .collect();
        for start in 0..40 {
            for end in (start..text.len()).step_by(37) {
                let slice = &text[start..end];
                let want = slice.iter().filter(|&&b| b == b'\n').count() as u64;
                assert_eq!(newlines(slice), want, "{start}..{end}");
            }
        }
    }

    /// Rows are labelled with the line they start on, whatever the line ends, blank lines and quoted newlines.
    #[test]
    fn rows_are_labelled_with_their_line() {
        let labels = |text: &[u8]| {
            let f = read("t.csv", src(text)).unwrap();
            (0..f.rows()).map(|i| f.row_label(i)).collect::<Vec<_>>()
        };
        assert_eq!(labels(b"a,b\n1,2\n\n3,4\n"), [2, 4]);
        assert_eq!(labels(b"a,b\r\n1,2\r\n\r\n3,4\r\n"), [2, 4]);
        assert_eq!(labels(b"a,b\r\n\"x\ny\",2\r\n\r\n3,4\r\n"), [2, 5]);
        let err = read("t.csv", src(b"a,b\r\n1,2\r\n3\r\n")).unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
    }

    fn check(input: &str, expected: Result<(&[&str], usize, bool), &str>) {
        match (read("t.csv", src(input.as_bytes())), expected) {
            (Ok(f), Ok((names, rows, dc))) => {
                let got: Vec<&str> = f.columns.iter().map(|c| c.name.as_str()).collect();
                assert_eq!(got, names);
                assert_eq!(f.rows(), rows);
                assert_eq!(f.decimal_comma, dc);
            }
            (Err(e), Err(want)) => assert!(
                e.to_string().contains(want),
                "`{e}` should contain `{want}`"
            ),
            (got, want) => panic!("got {got:?}, wanted {want:?}"),
        }
    }

    #[test]
    fn csv_dialects() {
        check("a,b\n1,2\n", Ok((&["a", "b"], 1, false)));
        check("\u{feff}a;b\n1,5;2\n", Ok((&["a", "b"], 1, true)));
        check("a\tb\n1\t2\n3\t4\n", Ok((&["a", "b"], 2, true)));
        check("\"x;y\",b\n\"1;2\",3\n", Ok((&["x;y", "b"], 1, false)));
        check("a,b\n", Ok((&["a", "b"], 0, false)));
        check("", Err("the file is empty"));
        check(
            "a,b\n1,2,3\n",
            Err("line 2: the row has 3 fields, the header has 2"),
        );
        check("a,a\n1,2\n", Err("`a` appears twice"));
        check("a,,b\n1,2,3\n", Err("empty column name (column 2)"));
        check("a,b\n1\u{0},2\n", Err("NUL byte at byte 5"));
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let err = read("t.csv", src(b"a,b\n1,2\n\xff,3\n")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv: line 3 is not valid UTF-8; save the file as UTF-8"
        );
    }
}
