//! A large CSV read in two pieces at once: the page's worker splits the first part of the body while a helper
//! worker splits the rest, and the two are joined into the frame one reader would have made.
//!
//! The body is cut at a line end ([`read_csv_head`] and [`read_csv_tail`] find the same one from the same
//! offset), so each piece is whole lines. Only bodies the direct path reads (no quotes, UTF-8, no lone `\r`, rows
//! below 64 KiB) are joined; anything else — another format, a quote, an error in either piece, a piece the helper
//! could not read — is read again whole by [`crate::read_frame_shared`], so errors, labels and columns are always
//! exactly what one reader gives. The helper's piece travels as bytes ([`read_csv_tail`]'s encoding: between two
//! workers of one browser, so in the machine's byte order), which the joining side checks before it trusts them.
//!
//! (Past 600 lines with its tests: the two halves and their join are one protocol, read together.)

use crate::Error;
use crate::csv_read::{Piece, SNIFF_BYTES, Splitted, newlines, open, record_start, split_plain};
use crate::frame::{Codes, Format, Frame};
use std::borrow::Cow;
use std::sync::Arc;

/// Bytes of the file's start the helper reads for the header.
pub const HEADER_BYTES: usize = 1 << 16;

/// Tags the helper's encoding (and its version).
const MAGIC: &[u8; 8] = b"cgtail01";

/// Where the tail piece begins when the file is cut at offset `at`: just past the first line end at or after
/// `at` (`from_at` is the file from `at` on, to its end when `to_end`), or the file's end; never inside the
/// header, which ends at `header_end`. `None` when `from_at` stops short of the end before a line end.
fn tail_start(from_at: &[u8], at: usize, header_end: usize, to_end: bool) -> Option<usize> {
    let cut = match memchr::memchr(b'\n', from_at) {
        Some(i) => at + i + 1,
        None if to_end => at + from_at.len(),
        None => return None,
    };
    Some(cut.max(header_end))
}

/// The header of a CSV file: its names and separator, and where the body starts (past the BOM and the header's
/// line end). `None` when it cannot be read or does not end within `bytes`.
fn header(name: &str, bytes: &[u8]) -> Option<(Vec<String>, u8, usize)> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let bom = bytes.len() - text.len();
    let (reader, delimiter, names) = open(name, text).ok()?;
    let end = bom + record_start(text, reader.position().byte());
    (end > bom && bytes.get(end - 1) == Some(&b'\n')).then_some((names, delimiter, end))
}

/// The first piece of a CSV file's body, split by the page's worker while the helper splits the tail
/// ([`read_csv_tail`]); [`join_csv_tail`] makes the frame. It holds the file's first bytes only: the rest comes
/// with the join (the helper has read them, and hands them over).
pub struct CsvHead {
    /// The file's first bytes, with room for the rest.
    first: Vec<u8>,
    /// The whole file's length.
    len: usize,
    split: Option<HeadSplit>,
}

struct HeadSplit {
    names: Vec<String>,
    delimiter: u8,
    /// Where the tail piece starts.
    start: usize,
    piece: Splitted,
}

impl std::fmt::Debug for CsvHead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.split {
            None => write!(f, "CsvHead(read whole, {} bytes)", self.len),
            Some(h) => write!(
                f,
                "CsvHead({} rows, tail from byte {})",
                h.piece.starts.len(),
                h.start
            ),
        }
    }
}

impl CsvHead {
    /// Whether the head was split (else the file is read whole when joined).
    pub fn is_split(&self) -> bool {
        self.split.is_some()
    }
    /// How many of the file's first bytes the head holds: [`join_csv_tail`] takes the file from there on.
    pub fn held(&self) -> usize {
        self.first.len()
    }
}

/// Splits the body of a CSV file up to the line end at or after offset `at`. `first` is the file's first bytes
/// (at least to `at` + [`HEADER_BYTES`], or the whole file; with fewer the file may be read whole when joined),
/// `len` the whole file's length. See [`CsvHead`].
pub fn read_csv_head(name: &str, mut first: Vec<u8>, len: usize, at: usize) -> CsvHead {
    let split = split_head(name, &first, len, at);
    first.reserve_exact(len.saturating_sub(first.len()));
    CsvHead { first, len, split }
}

fn split_head(name: &str, first: &[u8], len: usize, at: usize) -> Option<HeadSplit> {
    let text = first.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(first);
    // What the reader rejects before it reads a row is left to it.
    if Format::detect(name, first) != Format::Csv
        || u32::try_from(len).is_err()
        || first.len() > len
        || first.len() < len.min(SNIFF_BYTES)
        || text.iter().all(u8::is_ascii_whitespace)
        || text.iter().take(SNIFF_BYTES).any(|&b| b == 0)
    {
        return None;
    }
    let (names, delimiter, header_end) = header(name, first)?;
    let start = tail_start(first.get(at..)?, at, header_end, first.len() == len)?;
    let body = first.get(header_end..start)?;
    // The head's arrays are sized for the whole body, estimated from the head's lines: the tail's rows are then
    // appended without the arrays moving.
    let lines = newlines(body) as usize + 1;
    let whole =
        (lines as f64 * (len - header_end) as f64 / body.len().max(1) as f64 * 1.01) as usize;
    let first_line = newlines(first.get(..header_end)?) + 1;
    let piece = split_piece(
        name,
        (body, header_end, first_line),
        whole.clamp(lines, len.max(lines)),
        delimiter,
        names.len(),
    )?;
    Some(HeadSplit {
        names,
        delimiter,
        start,
        piece,
    })
}

/// The helper's side: splits the tail of a CSV file from the line end at or after offset `at` (`prefix` is the
/// file's first [`HEADER_BYTES`] bytes or all of it, `from_at` the file from `at` on), for
/// [`join_csv_tail`] ([`CsvTail::write`] gives its bytes). A file the pieces cannot be joined for is said as such,
/// and the joining side reads it whole.
pub fn read_csv_tail(name: &str, prefix: &[u8], at: usize, from_at: &[u8]) -> CsvTail {
    CsvTail(split_tail(name, prefix, at, from_at))
}

fn split_tail(
    name: &str,
    prefix: &[u8],
    at: usize,
    from_at: &[u8],
) -> Option<(usize, usize, Splitted)> {
    if Format::detect(name, prefix) != Format::Csv
        || u32::try_from(at.checked_add(from_at.len())?).is_err()
    {
        return None;
    }
    let (names, delimiter, header_end) = header(name, prefix)?;
    let start = tail_start(from_at, at, header_end, true)?;
    let body = from_at.get(start - at..)?;
    // Lines are counted from the piece's start; the joining side adds the head's.
    let lines = newlines(body) as usize + 1;
    let split = split_piece(name, (body, start, 0), lines, delimiter, names.len())?;
    Some((start, names.len(), split))
}

/// Splits one piece of a body — its bytes, where they start in the file, the line they start on — with every
/// column typed and room for `lines` rows; `None` when the direct path does not take it (a quote, or what
/// [`split_plain`] leaves) or it has an error (the joining side then reads the file whole).
fn split_piece(
    name: &str,
    (body, base, first_line): (&[u8], usize, u64),
    lines: usize,
    delimiter: u8,
    width: usize,
) -> Option<Splitted> {
    if memchr::memchr(b'"', body).is_some() {
        return None;
    }
    let typed = vec![true; width];
    let piece = Piece {
        body,
        base,
        first_line,
        lines,
        typed: &typed,
    };
    split_plain(name, &piece, delimiter, width).ok()?
}

/// The file's bytes — the head's, then `rest` (the file from [`CsvHead::held`] on) — and its frame: the head
/// and the helper's `tail` joined, or the file read whole when they cannot be (see the module's documentation).
pub fn join_csv_tail(
    name: &str,
    head: CsvHead,
    rest: &[u8],
    tail: &[u8],
) -> (Arc<Vec<u8>>, Result<Frame, Error>) {
    let CsvHead {
        mut first,
        len,
        split,
    } = head;
    first.extend_from_slice(rest);
    let bytes = Arc::new(first);
    let frame = match split.filter(|_| bytes.len() == len) {
        Some(h) => join(name, &bytes, h, tail),
        None => None,
    };
    let frame = frame.map_or_else(|| crate::read_frame_shared(name, &bytes), Ok);
    (bytes, frame)
}

/// The joined frame; `None` when the file must be read whole.
fn join(name: &str, bytes: &Arc<Vec<u8>>, head: HeadSplit, tail: &[u8]) -> Option<Frame> {
    let HeadSplit {
        names,
        delimiter,
        start,
        piece: mut h,
    } = head;
    let width = names.len();
    let t = decode(tail).filter(|t| t.start == start && t.width == width && t.point == h.point)?;
    let (head_rows, tail_rows) = (h.starts.len(), t.starts.len());
    let line = h.line;
    // Each array grows once, to its size: the tail is as long as the head.
    append(&mut h.starts, &t.starts);
    append(&mut h.ends, &t.ends);
    h.row_labels.reserve_exact(tail_rows);
    match &t.labels {
        Some(labels) => h.row_labels.extend(labels.iter().map(|&l| l + line)),
        None => h.row_labels.extend((0..tail_rows as u64).map(|l| l + line)),
    }
    let mut codes = Vec::with_capacity(width);
    for ((numbers, coder), (tail_numbers, tail_codes)) in h
        .numbers
        .iter_mut()
        .zip(std::mem::take(&mut h.codes))
        .zip(t.columns)
    {
        // A column keeps its numbers when both pieces read all of theirs as numbers.
        *numbers = match (numbers.take(), tail_numbers) {
            (Some(mut a), Some((values, missing))) => {
                a.append_parts(&values, &missing).then_some(a)
            }
            _ => None,
        };
        // Codes are numbered from a column's first row: the tail's own when the head has no rows, the head's
        // when the tail has none, else the head's numbering continued through the tail's codes in their
        // first-seen order.
        codes.push(match (coder, tail_codes) {
            (_, tail_codes) if head_rows == 0 => tail_codes.map(|(distinct, ids)| Codes {
                distinct,
                ids: ids.into_owned(),
            }),
            (coder, _) if tail_rows == 0 => coder.map(|c| c.codes),
            (Some(mut coder), Some((distinct, ids))) => {
                let mut renumber = Vec::with_capacity(distinct.len());
                let all = distinct.iter().all(|d| match coder.add(d.as_bytes()) {
                    Ok(()) => {
                        renumber.extend(coder.codes.ids.pop());
                        true
                    }
                    Err(_) => false,
                });
                let mut mapped = Vec::with_capacity(tail_rows);
                let fit = all
                    && ids.iter().all(|&i| match renumber.get(i as usize) {
                        Some(&id) => {
                            mapped.push(id);
                            true
                        }
                        None => false,
                    });
                fit.then(|| {
                    append(&mut coder.codes.ids, &mapped);
                    coder.codes
                })
            }
            _ => None,
        });
    }
    let rows = h.starts.len();
    if h.ends.len() != rows * width || h.row_labels.len() != rows {
        return None;
    }
    let cols = crate::csv_read::columns(
        Arc::clone(bytes),
        width,
        h.starts,
        h.ends,
        h.numbers,
        codes,
        h.point,
    );
    Some(crate::csv_read::frame(
        name,
        names,
        (cols, h.row_labels),
        delimiter,
    ))
}

/// `more` after `v`'s entries, growing `v` once to the exact size.
fn append<T: Copy>(v: &mut Vec<T>, more: &[T]) {
    v.reserve_exact(more.len());
    v.extend_from_slice(more);
}

/// A tail piece as the helper split it (see [`read_csv_tail`]), to be sent to the joining side as bytes.
pub struct CsvTail(Option<(usize, usize, Splitted)>);

impl std::fmt::Debug for CsvTail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some((start, _, p)) => write!(f, "CsvTail({} rows from byte {start})", p.starts.len()),
            None => write!(f, "CsvTail(read whole)"),
        }
    }
}

impl CsvTail {
    /// Hands the piece's bytes to `out` a section at a time (the numbers' arrays as they are, in the machine's
    /// byte order, each section starting at a multiple of 8 bytes); their concatenation is what
    /// [`join_csv_tail`] reads. A file the pieces cannot be joined for is said as such.
    pub fn write(&self, out: &mut dyn FnMut(&[u8])) {
        let mut w = Writer { out, at: 0 };
        w.bytes(MAGIC);
        match &self.0 {
            Some((start, width, piece)) => {
                w.u64(1);
                encode(&mut w, *start, *width, piece);
            }
            None => w.u64(0),
        }
    }
    /// The bytes' length.
    pub fn len(&self) -> usize {
        let mut n = 0;
        self.write(&mut |b| n += b.len());
        n
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The bytes in one vector.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.len());
        self.write(&mut |b| v.extend_from_slice(b));
        v
    }
}

/// Row labels as an offset when they are the lines one after the other (a file without blank lines), else
/// listed.
const LINES_IN_ORDER: u64 = 1;

/// Writes sections to a sink, each padded to a multiple of 8 bytes.
struct Writer<'o> {
    out: &'o mut dyn FnMut(&[u8]),
    at: usize,
}

impl Writer<'_> {
    fn bytes(&mut self, b: &[u8]) {
        (self.out)(b);
        self.at += b.len();
        let pad = [0u8; 8];
        if let Some(pad) = pad
            .get(..self.at.next_multiple_of(8) - self.at)
            .filter(|p| !p.is_empty())
        {
            (self.out)(pad);
            self.at += pad.len();
        }
    }
    fn u64(&mut self, x: u64) {
        self.bytes(&x.to_ne_bytes());
    }
    fn pod<T: bytemuck::Pod>(&mut self, v: &[T]) {
        self.bytes(bytemuck::cast_slice(v));
    }
}

fn encode(w: &mut Writer<'_>, start: usize, width: usize, p: &Splitted) {
    let rows = p.starts.len();
    let in_order = p.row_labels.iter().enumerate().all(|(i, &l)| l == i as u64);
    for x in [start, width, rows, usize::from(p.point)] {
        w.u64(x as u64);
    }
    w.u64(if in_order { LINES_IN_ORDER } else { 0 });
    w.pod(&p.starts);
    w.pod(&p.ends);
    if !in_order {
        w.pod(&p.row_labels);
    }
    for (numbers, coder) in p.numbers.iter().zip(&p.codes) {
        let codes = coder.as_ref().map(|c| &c.codes);
        w.u64(u64::from(numbers.is_some()) | (u64::from(codes.is_some()) << 1));
        if let Some(n) = numbers {
            w.u64(n.missing_words().len() as u64);
            w.pod(n.values());
            w.pod(n.missing_words());
        }
        if let Some(c) = codes {
            w.u64(c.distinct.len() as u64);
            let text: Vec<u8> = c.distinct.iter().flat_map(|d| d.bytes()).collect();
            let lens: Vec<u64> = c.distinct.iter().map(|d| d.len() as u64).collect();
            w.pod(&lens);
            w.bytes(&text);
            w.pod(&c.ids);
        }
    }
}

/// The tail piece as [`decode`] reads it back, its arrays borrowed from the bytes where they lie aligned.
struct Tail<'a> {
    start: usize,
    width: usize,
    point: u8,
    starts: Cow<'a, [u32]>,
    ends: Cow<'a, [u16]>,
    /// `None`: the lines one after the other.
    labels: Option<Cow<'a, [u64]>>,
    /// Per column: its numbers (values and missing bitmap) and its codes (distinct, ids).
    columns: Vec<(Option<Numbers<'a>>, Option<Coded<'a>>)>,
}

type Numbers<'a> = (Cow<'a, [f64]>, Cow<'a, [u64]>);
type Coded<'a> = (Vec<String>, Cow<'a, [u32]>);

/// Reads [`encode`]'s bytes from the front of a slice; `None` past its end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    /// `n` bytes and the padding after them.
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (a, b) = self.0.split_at_checked(n)?;
        self.0 = b.get(n.next_multiple_of(8) - n..)?;
        Some(a)
    }
    fn u64(&mut self) -> Option<u64> {
        let mut w = [0u8; 8];
        w.copy_from_slice(self.take(8)?);
        Some(u64::from_ne_bytes(w))
    }
    fn usize(&mut self) -> Option<usize> {
        usize::try_from(self.u64()?).ok()
    }
    /// `n` values: borrowed where the bytes are aligned for them, else copied.
    fn pod<T: bytemuck::Pod>(&mut self, n: usize) -> Option<Cow<'a, [T]>> {
        let bytes = self.take(n.checked_mul(size_of::<T>())?)?;
        Some(match bytemuck::try_cast_slice(bytes) {
            Ok(v) => Cow::Borrowed(v),
            Err(_) => Cow::Owned(bytemuck::pod_collect_to_vec(bytes)),
        })
    }
}

fn decode(bytes: &[u8]) -> Option<Tail<'_>> {
    let mut r = Reader(bytes);
    if r.take(MAGIC.len())? != MAGIC || r.u64()? != 1 {
        return None;
    }
    let (start, width, rows) = (r.usize()?, r.usize()?, r.usize()?);
    let point = u8::try_from(r.u64()?).ok()?;
    let in_order = r.u64()? == LINES_IN_ORDER;
    let starts = r.pod(rows)?;
    let ends = r.pod(rows.checked_mul(width)?)?;
    let labels = match in_order {
        true => None,
        false => Some(r.pod(rows)?),
    };
    let mut columns = Vec::with_capacity(width.min(1 << 16));
    for _ in 0..width {
        let kind = r.u64()?;
        let numbers = match kind & 1 {
            0 => None,
            _ => {
                let words = r.usize()?;
                Some((r.pod(rows)?, r.pod(words)?))
            }
        };
        let codes = match kind & 2 {
            0 => None,
            _ => {
                let n = r.usize()?;
                let lens: Cow<'_, [u64]> = r.pod(n)?;
                let total = lens
                    .iter()
                    .try_fold(0usize, |a, &l| a.checked_add(usize::try_from(l).ok()?))?;
                let mut text = r.take(total)?;
                let mut distinct = Vec::with_capacity(n);
                for &l in lens.iter() {
                    let (d, rest) = text.split_at_checked(usize::try_from(l).ok()?)?;
                    distinct.push(String::from_utf8(d.to_vec()).ok()?);
                    text = rest;
                }
                Some((distinct, r.pod(rows)?))
            }
        };
        columns.push((numbers, codes));
    }
    r.0.is_empty().then_some(Tail {
        start,
        width,
        point,
        starts,
        ends,
        labels,
        columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ColumnData;

    /// Reads `text` in two pieces cut at `at`, as the page's two workers do, the head holding the file's first
    /// `held` bytes; whether the pieces were joined.
    fn in_two(text: &[u8], at: usize, held: usize) -> (bool, Result<Frame, Error>) {
        let held = held.min(text.len());
        let head = read_csv_head("t.csv", text[..held].to_vec(), text.len(), at);
        let prefix = &text[..text.len().min(HEADER_BYTES)];
        let tail = read_csv_tail("t.csv", prefix, at, &text[at..]).to_bytes();
        let joined = head.split.as_ref().is_some_and(|h| {
            let bytes = Arc::new(text.to_vec());
            let h = HeadSplit {
                names: h.names.clone(),
                delimiter: h.delimiter,
                start: h.start,
                piece: h.piece.clone(),
            };
            join("t.csv", &bytes, h, &tail).is_some()
        });
        let (bytes, frame) = join_csv_tail("t.csv", head, &text[held..], &tail);
        assert_eq!(&bytes[..], text);
        (joined, frame)
    }

    /// Every column's codes, when numbered, name its fields.
    fn codes_match_their_text(frame: &Frame, context: &str) {
        for c in &frame.columns {
            let ColumnData::Text(t) = &c.data else {
                continue;
            };
            let Some(codes) = t.codes() else { continue };
            assert_eq!(codes.ids.len(), t.len(), "{context}");
            for (i, field) in t.iter().enumerate() {
                let id = codes.ids[i] as usize;
                assert_eq!(codes.distinct[id], crate::frame::trim(field), "{context}");
            }
            let mut seen = vec![false; codes.distinct.len()];
            let mut next = 0;
            for &id in &codes.ids {
                if !seen[id as usize] {
                    assert_eq!(id, next, "{context}: ids in first-seen order");
                    seen[id as usize] = true;
                    next += 1;
                }
            }
        }
    }

    /// On 3,000 seeded random files, cut at random offsets (in the header, on a line end, in a `\r\n`, at either
    /// end), the joined frame — or the error — is what one reader gives, with the same numbers and codes; every
    /// quote-free file with a whole header is joined rather than read again.
    #[test]
    fn two_pieces_read_as_one_reader_reads_the_file() {
        let mut next = crate::below(0x2545_F491_4F6C_DD1D);
        let (mut joined, mut partly) = (0, 0);
        for case in 0..3000 {
            let text = crate::csv_read::tests::random_plain_csv(&mut next);
            let whole = crate::read_frame_shared("t.csv", &Arc::new(text.clone().into_bytes()));
            for _ in 0..4 {
                let at = next(text.len() as u64 + 1) as usize;
                // The head holds the whole file, or some bytes past the cut (perhaps not to its line end).
                let held = match next(2) {
                    0 => text.len(),
                    _ => at + next(text.len() as u64 + 1) as usize,
                };
                let context = format!("case {case}, cut at {at}, head of {held}: {text:?}");
                let (split, two) = in_two(text.as_bytes(), at, held);
                assert_eq!(two, whole, "{context}");
                if let Ok(frame) = &two {
                    crate::csv_read::tests::numbers_match_their_text(frame, &context);
                    codes_match_their_text(frame, &context);
                }
                // What the direct path reads: a header ended by a line end, no quote, no `\r` but in `\r\n`.
                let plain = text.contains('\n')
                    && !text.contains('"')
                    && !text.replace("\r\n", "").contains('\r');
                if whole.is_ok() && plain && held >= text.len() {
                    assert!(split, "{context}: read again whole");
                }
                if split {
                    joined += 1;
                    partly += usize::from(held < text.len());
                }
            }
        }
        assert!(joined > 3000, "{joined} files joined");
        assert!(
            partly > 500,
            "{partly} files joined from a head of part of the file"
        );
    }

    /// Columns keep the numbers and codes read while splitting, numbered as one reader numbers them.
    #[test]
    fn numbers_and_codes_survive_the_join() {
        let mut text = String::from("region,sex,n,value\n");
        for r in 0..50 {
            for s in ["m", "f", "x"] {
                text.push_str(&format!("r{r},{s},{},{}.5\n", r + 1, r * 10));
            }
        }
        let text = text.into_bytes();
        for at in [
            0,
            5,
            19,
            20,
            100,
            text.len() / 2,
            text.len() - 1,
            text.len(),
        ] {
            let (split, frame) = in_two(&text, at, text.len());
            assert!(split, "cut at {at}");
            assert!(
                in_two(&text, at, at + 80).0,
                "cut at {at}, a head of part of the file"
            );
            let frame = frame.unwrap();
            let text_col = |k: usize| match &frame.columns[k].data {
                ColumnData::Text(t) => t.clone(),
                _ => panic!("text"),
            };
            let region = text_col(0);
            let codes = region
                .codes()
                .unwrap_or_else(|| panic!("codes numbered while splitting, cut at {at}"));
            assert_eq!(codes.distinct.len(), 50);
            assert_eq!(codes.distinct[7], "r7");
            assert_eq!(codes.ids[3 * 7 + 2], 7);
            assert_eq!(text_col(1).codes().unwrap().distinct, ["m", "f", "x"]);
            let n = text_col(2);
            let n = n.numbers(b'.').expect("numbers read while splitting");
            assert_eq!(n.get(149), Some(50.0));
            assert_eq!(frame.row_label(149), 151);
        }
    }

    /// The helper's bytes are checked before they are trusted: anything cut short, lengthened or from another
    /// file is read whole instead (the same frame).
    #[test]
    fn damaged_tails_fall_back_to_reading_whole() {
        let text = b"a,b\nx,1\ny,2\nz,3\n".to_vec();
        let bytes = Arc::new(text.clone());
        let good = read_csv_tail("t.csv", &text, 8, &text[8..]).to_bytes();
        let other = read_csv_tail("t.csv", b"a,b,c\n", 8, b"1,2,3\n4,5,6\n").to_bytes();
        let mut longer = good.clone();
        longer.push(0);
        let mut flipped = good.clone();
        flipped[8] = 7;
        let whole = crate::read_frame_shared("t.csv", &bytes);
        let head = || read_csv_head("t.csv", text.clone(), text.len(), 8);
        let split = |h: CsvHead| h.split.unwrap();
        for (what, tail) in [
            ("short", &good[..good.len() - 3]),
            ("long", &longer[..]),
            ("status", &flipped[..]),
            ("other file", &other[..]),
            ("empty", &[][..]),
        ] {
            assert!(
                join("t.csv", &bytes, split(head()), tail).is_none(),
                "{what}"
            );
            assert_eq!(join_csv_tail("t.csv", head(), &[], tail).1, whole, "{what}");
        }
        assert!(join("t.csv", &bytes, split(head()), &good).is_some());
        // The rest of the file cut short: read whole, as what there is.
        let text = format!("a,b\n{}", "x,1\n".repeat(20)).into_bytes();
        let good = read_csv_tail("t.csv", &text, 8, &text[8..]).to_bytes();
        let short = read_csv_head("t.csv", text[..70].to_vec(), text.len(), 8);
        assert!(short.is_split());
        let (bytes, frame) = join_csv_tail("t.csv", short, &text[70..80], &good);
        assert_eq!(bytes.len(), 80);
        assert_eq!(frame, crate::read_frame_shared("t.csv", &bytes));
    }

    /// Other formats, quoted bodies and bad files are read whole, with the one reader's result or error.
    #[test]
    fn what_cannot_be_joined_is_read_whole() {
        let cases: &[(&str, &[u8])] = &[
            ("t.csv", b"a,b\n\"x\",1\ny,2\n"),
            ("t.csv", b"a,b\nx,1\ny,\"2\"\n"),
            ("t.csv", b"a,b\nx,1,3\ny,2\n"),
            ("t.csv", b"a,b\nx,1\ny,2,3\n"),
            ("t.csv", b"a,a\nx,1\ny,2\n"),
            ("t.csv", b"a,b\nx,\xff\ny,2\n"),
            ("t.csv", b"\0\0\0\0\n\0\0\n"),
            ("t.csv", b"   \n  \n"),
            ("t.xlsx", b"a,b\nx,1\ny,2\n"),
            ("t.csv", b"PAR1\nxx\nPAR1"),
        ];
        for (name, text) in cases {
            for at in 0..=text.len() {
                let bytes = Arc::new(text.to_vec());
                let head = read_csv_head(name, text.to_vec(), text.len(), at);
                let tail = read_csv_tail(name, text, at, &text[at..]).to_bytes();
                assert_eq!(
                    join_csv_tail(name, head, &[], &tail).1,
                    crate::read_frame_shared(name, &bytes),
                    "{name} cut at {at}: {:?}",
                    String::from_utf8_lossy(text)
                );
            }
        }
    }
}
