//! A large CSV read in two pieces at once: the page's worker splits the first part of the body while a helper
//! worker splits the rest, and the two are joined into the frame one reader would have made.
//!
//! The body is cut at a line end ([`read_csv_head`] and [`read_csv_tail`] find the same one from the same
//! offset), so each piece is whole lines. Only bodies the direct path reads (no quotes, UTF-8, no lone `\r`, rows
//! below 64 KiB) are joined; anything else — another format, a quote, an error in either piece, a piece the helper
//! could not read — is read again whole by [`crate::read_frame_shared`], so errors, labels and columns are always
//! exactly what one reader gives. The helper's piece travels as bytes ([`read_csv_tail`]'s encoding: between two
//! workers of one browser, so in the machine's byte order), which the joining side checks before it trusts them.

use crate::Error;
use crate::csv_read::{Piece, Splitted, newlines, open, record_start, split_plain};
use crate::frame::{Codes, Format, Frame};
use cellguard_engine::column::Column;
use std::sync::Arc;

/// Bytes of the file's start the helper reads for the header.
pub const HEADER_BYTES: usize = 1 << 16;

/// Tags the helper's encoding (and its version).
const MAGIC: &[u8; 8] = b"cgtail01";

/// Where the tail piece begins when the file is cut at offset `at`: just past the first line end at or after
/// `at` (`from_at` is the file from `at` on), or the file's end; never inside the header, which ends at
/// `header_end`.
fn tail_start(from_at: &[u8], at: usize, header_end: usize) -> usize {
    let cut = memchr::memchr(b'\n', from_at).map_or(at + from_at.len(), |i| at + i + 1);
    cut.max(header_end)
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
/// ([`read_csv_tail`]); [`join_csv_tail`] makes the frame.
pub struct CsvHead(Head);

enum Head {
    /// Not a CSV the pieces can be joined for: read whole.
    Whole(Arc<Vec<u8>>),
    Split {
        bytes: Arc<Vec<u8>>,
        names: Vec<String>,
        delimiter: u8,
        /// Where the tail piece starts.
        start: usize,
        piece: Splitted,
    },
}

impl std::fmt::Debug for CsvHead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Head::Whole(b) => write!(f, "CsvHead::Whole({} bytes)", b.len()),
            Head::Split { start, piece, .. } => write!(
                f,
                "CsvHead::Split({} rows, tail from byte {start})",
                piece.starts.len()
            ),
        }
    }
}

impl CsvHead {
    /// Whether the head was split (else the file is read whole when joined).
    pub fn is_split(&self) -> bool {
        matches!(self.0, Head::Split { .. })
    }
}

/// Splits the body of the CSV file `bytes` up to the line end at or after offset `at` (see [`CsvHead`]).
pub fn read_csv_head(name: &str, bytes: Arc<Vec<u8>>, at: usize) -> CsvHead {
    match split_head(name, &bytes, at) {
        Some((names, delimiter, start, piece)) => CsvHead(Head::Split {
            bytes,
            names,
            delimiter,
            start,
            piece,
        }),
        None => CsvHead(Head::Whole(bytes)),
    }
}

fn split_head(name: &str, bytes: &[u8], at: usize) -> Option<(Vec<String>, u8, usize, Splitted)> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // What the reader rejects before it reads a row is left to it.
    if Format::detect(name, bytes) != Format::Csv
        || u32::try_from(bytes.len()).is_err()
        || text.iter().all(u8::is_ascii_whitespace)
        || text.iter().take(1 << 16).any(|&b| b == 0)
    {
        return None;
    }
    let (names, delimiter, header_end) = header(name, bytes)?;
    let start = tail_start(bytes.get(at..)?, at, header_end);
    let body = bytes.get(header_end..start)?;
    if memchr::memchr(b'"', body).is_some() {
        return None;
    }
    let typed = vec![true; names.len()];
    let piece = Piece {
        body,
        base: header_end,
        first_line: newlines(bytes.get(..header_end)?) + 1,
        lines: newlines(body) as usize + 1,
        typed: &typed,
    };
    let split = split_plain(name, &piece, delimiter, names.len()).ok()??;
    Some((names, delimiter, start, split))
}

/// The helper's side: splits the tail of a CSV file from the line end at or after offset `at` (`prefix` is the
/// file's first [`HEADER_BYTES`] bytes or all of it, `from_at` the file from `at` on) and encodes the piece for
/// [`join_csv_tail`]. A file the pieces cannot be joined for is encoded as such, and the joining side reads it
/// whole.
pub fn read_csv_tail(name: &str, prefix: &[u8], at: usize, from_at: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    match split_tail(name, prefix, at, from_at) {
        Some((start, width, piece)) => {
            put(&mut out, 1);
            encode(&mut out, start, width, &piece);
        }
        None => put(&mut out, 0),
    }
    out
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
    let start = tail_start(from_at, at, header_end);
    let body = from_at.get(start - at..)?;
    if memchr::memchr(b'"', body).is_some() {
        return None;
    }
    let typed = vec![true; names.len()];
    let piece = Piece {
        body,
        base: start,
        // Lines are counted from the piece's start; the joining side adds the head's.
        first_line: 0,
        lines: newlines(body) as usize + 1,
        typed: &typed,
    };
    let split = split_plain(name, &piece, delimiter, names.len()).ok()??;
    Some((start, names.len(), split))
}

/// The frame of the whole file: the head and the helper's tail joined, or the file read whole when they cannot
/// be (see the module's documentation).
pub fn join_csv_tail(name: &str, head: CsvHead, tail: &[u8]) -> Result<Frame, Error> {
    match join(name, head, tail) {
        Ok(frame) => Ok(frame),
        Err(bytes) => crate::read_frame_shared(name, &bytes),
    }
}

/// The joined frame, or the file's bytes when it must be read whole.
fn join(name: &str, head: CsvHead, tail: &[u8]) -> Result<Frame, Arc<Vec<u8>>> {
    let (bytes, names, delimiter, start, mut h) = match head.0 {
        Head::Whole(bytes) => return Err(bytes),
        Head::Split {
            bytes,
            names,
            delimiter,
            start,
            piece,
        } => (bytes, names, delimiter, start, piece),
    };
    let width = names.len();
    let Some(t) =
        decode(tail).filter(|t| t.start == start && t.width == width && t.point == h.point)
    else {
        return Err(bytes);
    };
    let head_rows = h.starts.len();
    let line = h.line;
    h.starts.extend_from_slice(&t.starts);
    h.ends.extend_from_slice(&t.ends);
    h.row_labels.extend(t.labels.iter().map(|&l| l + line));
    let mut codes = Vec::with_capacity(width);
    for ((numbers, coder), (tail_numbers, tail_codes)) in h
        .numbers
        .iter_mut()
        .zip(std::mem::take(&mut h.codes))
        .zip(t.columns)
    {
        // A column keeps its numbers when both pieces read all of theirs as numbers.
        *numbers = match (numbers.take(), tail_numbers) {
            (Some(mut a), Some(b)) => {
                a.append(&b);
                Some(a)
            }
            _ => None,
        };
        // Codes are numbered from a column's first row: the tail's own when the head has no rows, else the
        // head's numbering continued through the tail's codes in their first-seen order.
        codes.push(match (coder, tail_codes) {
            (_, tail_codes) if head_rows == 0 => tail_codes,
            (coder, _) if t.starts.is_empty() => coder.map(|c| c.codes),
            (Some(mut coder), Some(b)) => {
                let mut ids = Vec::with_capacity(b.distinct.len());
                let renumbered = b.distinct.iter().all(|d| match coder.add(d.as_bytes()) {
                    Ok(()) => {
                        ids.extend(coder.codes.ids.pop());
                        true
                    }
                    Err(_) => false,
                });
                let mapped: Option<Vec<u32>> = renumbered
                    .then(|| {
                        b.ids
                            .iter()
                            .map(|&i| ids.get(i as usize).copied())
                            .collect()
                    })
                    .flatten();
                mapped.map(|m| {
                    coder.codes.ids.extend(m);
                    coder.codes
                })
            }
            _ => None,
        });
    }
    let rows = h.starts.len();
    if h.ends.len() != rows * width || h.row_labels.len() != rows {
        return Err(bytes);
    }
    let cols = crate::csv_read::columns(bytes, width, h.starts, h.ends, h.numbers, codes, h.point);
    Ok(crate::csv_read::frame(
        name,
        names,
        (cols, h.row_labels),
        delimiter,
    ))
}

/// The tail piece as [`decode`] reads it back.
struct Tail {
    start: usize,
    width: usize,
    point: u8,
    starts: Vec<u32>,
    ends: Vec<u16>,
    labels: Vec<u64>,
    columns: Vec<(Option<Column<f64>>, Option<Codes>)>,
}

fn put(out: &mut Vec<u8>, x: u64) {
    out.extend_from_slice(&x.to_ne_bytes());
}

fn encode(out: &mut Vec<u8>, start: usize, width: usize, p: &Splitted) {
    let rows = p.starts.len();
    for x in [start, width, rows, usize::from(p.point)] {
        put(out, x as u64);
    }
    out.extend_from_slice(bytemuck::cast_slice(&p.starts));
    out.extend_from_slice(bytemuck::cast_slice(&p.ends));
    out.extend_from_slice(bytemuck::cast_slice(&p.row_labels));
    for (numbers, coder) in p.numbers.iter().zip(&p.codes) {
        let codes = coder.as_ref().map(|c| &c.codes);
        put(
            out,
            u64::from(numbers.is_some()) | (u64::from(codes.is_some()) << 1),
        );
        if let Some(n) = numbers {
            put(out, n.missing_words().len() as u64);
            out.extend_from_slice(bytemuck::cast_slice(n.values()));
            out.extend_from_slice(bytemuck::cast_slice(n.missing_words()));
        }
        if let Some(c) = codes {
            put(out, c.distinct.len() as u64);
            for d in &c.distinct {
                put(out, d.len() as u64);
                out.extend_from_slice(d.as_bytes());
            }
            out.extend_from_slice(bytemuck::cast_slice(&c.ids));
        }
    }
}

/// Reads [`encode`]'s bytes from the front of a slice; `None` past its end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (a, b) = self.0.split_at_checked(n)?;
        self.0 = b;
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
    fn vec<T: bytemuck::Pod>(&mut self, n: usize) -> Option<Vec<T>> {
        let bytes = self.take(n.checked_mul(size_of::<T>())?)?;
        Some(bytemuck::pod_collect_to_vec(bytes))
    }
}

fn decode(bytes: &[u8]) -> Option<Tail> {
    let mut r = Reader(bytes.strip_prefix(MAGIC)?);
    if r.u64()? != 1 {
        return None;
    }
    let (start, width, rows) = (r.usize()?, r.usize()?, r.usize()?);
    let point = u8::try_from(r.u64()?).ok()?;
    let starts = r.vec(rows)?;
    let ends = r.vec(rows.checked_mul(width)?)?;
    let labels = r.vec(rows)?;
    let mut columns = Vec::with_capacity(width.min(1 << 16));
    for _ in 0..width {
        let kind = r.u64()?;
        let numbers = match kind & 1 {
            0 => None,
            _ => {
                let words = r.usize()?;
                Some(Column::from_parts(r.vec(rows)?, r.vec(words)?)?)
            }
        };
        let codes = match kind & 2 {
            0 => None,
            _ => {
                let n = r.usize()?;
                let mut distinct = Vec::with_capacity(n.min(rows));
                for _ in 0..n {
                    let len = r.usize()?;
                    distinct.push(String::from_utf8(r.take(len)?.to_vec()).ok()?);
                }
                Some(Codes {
                    distinct,
                    ids: r.vec(rows)?,
                })
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

    /// Reads `text` in two pieces cut at `at`, as the page's two workers do.
    fn in_two(text: &[u8], at: usize) -> (bool, Result<Frame, Error>) {
        let bytes = Arc::new(text.to_vec());
        let head = read_csv_head("t.csv", Arc::clone(&bytes), at);
        let prefix = &text[..text.len().min(HEADER_BYTES)];
        let tail = read_csv_tail("t.csv", prefix, at, &text[at..]);
        let joined = join("t.csv", head, &tail);
        let split = joined.is_ok();
        (
            split,
            joined.or_else(|b| crate::read_frame_shared("t.csv", &b)),
        )
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
        let mut joined = 0;
        for case in 0..3000 {
            let text = crate::csv_read::tests::random_plain_csv(&mut next);
            let whole = crate::read_frame_shared("t.csv", &Arc::new(text.clone().into_bytes()));
            for _ in 0..4 {
                let at = next(text.len() as u64 + 1) as usize;
                let context = format!("case {case}, cut at {at}: {text:?}");
                let (split, two) = in_two(text.as_bytes(), at);
                assert_eq!(two, whole, "{context}");
                if let Ok(frame) = &two {
                    crate::csv_read::tests::numbers_match_their_text(frame, &context);
                    codes_match_their_text(frame, &context);
                }
                // What the direct path reads: a header ended by a line end, no quote, no `\r` but in `\r\n`.
                let plain = text.contains('\n')
                    && !text.contains('"')
                    && !text.replace("\r\n", "").contains('\r');
                if whole.is_ok() && plain {
                    assert!(split, "{context}: read again whole");
                    joined += 1;
                }
            }
        }
        assert!(joined > 3000, "{joined} files joined");
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
            let (split, frame) = in_two(&text, at);
            assert!(split, "cut at {at}");
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
        let good = read_csv_tail("t.csv", &text, 8, &text[8..]);
        let other = read_csv_tail("t.csv", b"a,b,c\n", 8, b"1,2,3\n4,5,6\n");
        let mut longer = good.clone();
        longer.push(0);
        let mut flipped = good.clone();
        flipped[8] = 7;
        let whole = crate::read_frame_shared("t.csv", &bytes);
        for (what, tail) in [
            ("short", &good[..good.len() - 3]),
            ("long", &longer[..]),
            ("status", &flipped[..]),
            ("other file", &other[..]),
            ("empty", &[][..]),
        ] {
            let head = read_csv_head("t.csv", Arc::clone(&bytes), 8);
            assert!(head.is_split());
            assert!(join("t.csv", head, tail).is_err(), "{what}");
            let head = read_csv_head("t.csv", Arc::clone(&bytes), 8);
            assert_eq!(join_csv_tail("t.csv", head, tail), whole, "{what}");
        }
        let head = read_csv_head("t.csv", Arc::clone(&bytes), 8);
        assert!(join("t.csv", head, &good).is_ok());
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
                let head = read_csv_head(name, Arc::clone(&bytes), at);
                let tail = read_csv_tail(name, text, at, &text[at..]);
                assert_eq!(
                    join_csv_tail(name, head, &tail),
                    crate::read_frame_shared(name, &bytes),
                    "{name} cut at {at}: {:?}",
                    String::from_utf8_lossy(text)
                );
            }
        }
    }
}
