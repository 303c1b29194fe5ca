//! A large CSV table file read in two pieces at once: where a file is cut, the worker's head, and the join with
//! the helper worker's tail into the frame its `Check` uses.

use crate::protocol::*;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Table files from this size up are read in two pieces at once when the worker has a helper: the worker
/// splits the head while the helper splits the tail ([`split_point`]).
pub const SPLIT_MIN: usize = 8 << 20;
/// Files above this size are read in one piece: joining holds both pieces' columns for a moment.
pub const SPLIT_MAX: usize = 512 << 20;
/// The part of a file the worker splits itself: a little more than half, as the helper also encodes its piece
/// and hands it over with the bytes it read (on the 1M-cell bench table, measured in Chromium: at 60 % the helper
/// waited for the worker, at 50 % mostly the worker for the helper).
pub const HEAD_SHARE: f64 = 0.55;

/// Where a file of a `Check` is cut for a two-piece read: a table file (not microdata, not a saved report) of
/// [`SPLIT_MIN`] to [`SPLIT_MAX`] bytes. Formats other than CSV are found out when the pieces are read, and read
/// whole.
pub fn split_point(file: &FileIn, modes: &BTreeMap<String, Mode>) -> Option<u64> {
    let len = file.bytes.len();
    let table = matches!(modes.get(&file.name), None | Some(Mode::Table(_)));
    let report = file.name.to_ascii_lowercase().ends_with(".json");
    (table && !report && (SPLIT_MIN..=SPLIT_MAX).contains(&len))
        .then_some((len as f64 * HEAD_SHARE) as u64)
}

/// A table file's frame, read before its `Check` runs: the file's bytes and the frame read from them (or why
/// it could not be read).
#[derive(Debug)]
pub struct Prepared {
    pub bytes: Arc<Vec<u8>>,
    pub frame: Result<cellguard_io::Frame, cellguard_io::Error>,
}

/// The worker's side of a two-piece read: reads the file's first bytes, to a little past `at`
/// ([`cellguard_io::HEADER_BYTES`]), and splits its head up to the line end at or after `at` (`None` when the
/// file cannot be read: the check says why). The helper reads the rest ([`cellguard_io::read_csv_tail`]).
pub fn read_head(file: &FileIn, at: u64) -> Option<cellguard_io::CsvHead> {
    let len = file.bytes.len();
    let at = usize::try_from(at).unwrap_or(usize::MAX).min(len);
    let first = file
        .bytes
        .range(0, at.saturating_add(cellguard_io::HEADER_BYTES))
        .ok()?;
    Some(cellguard_io::read_csv_head(&file.name, first, len, at))
}

/// Joins the head with the rest of the file's bytes (from [`cellguard_io::CsvHead::held`] on) and the
/// helper's tail piece (its bytes; empty when the helper could not read it) into the file's frame.
pub fn join(name: &str, head: cellguard_io::CsvHead, rest: &[u8], tail: &[u8]) -> Prepared {
    let (bytes, frame) = cellguard_io::join_csv_tail(name, head, rest, tail);
    Prepared { bytes, frame }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Session;
    use crate::session::fixtures::*;
    use crate::session::warmup::warm_up_csv;

    /// A table file read in two pieces (the head here, the tail by the helper) checks to the same outcome and
    /// the same report bytes as the file read whole, wherever it is cut — also when the helper's tail never
    /// came (the file is then read whole) and when the file is not a CSV.
    #[test]
    fn a_file_read_in_two_pieces_checks_as_one() {
        let policy = essnet();
        let check = |f: &FileIn, prepared: Option<Prepared>| {
            let mut s = Session::default();
            let out = s.check_prepared(
                1,
                vec![f.clone()],
                vec![prepared],
                &BTreeMap::new(),
                &policy,
                &|| 0.0,
                &mut |_| {},
            );
            let json = exported(&s, 1, ExportKind::ReportJson);
            (out, json)
        };
        let in_two = |f: &FileIn, at: u64, helper: bool| {
            let head = read_head(f, at).unwrap();
            let all = f.bytes.to_vec().unwrap();
            let tail = match helper {
                true => cellguard_io::read_csv_tail(
                    &f.name,
                    &all[..all.len().min(cellguard_io::HEADER_BYTES)],
                    at as usize,
                    &all[at as usize..],
                )
                .to_bytes(),
                false => Vec::new(),
            };
            let split = head.is_split();
            let rest = &all[head.held()..];
            (split, join(&f.name, head, rest, &tail))
        };
        let csv = FileIn::new("t.csv", warm_up_csv().into_bytes());
        let whole = check(&csv, None);
        assert_eq!(whole.0.tables[0].counts.cells, 150 * 150);
        let len = csv.bytes.len() as u64;
        for at in [0, 10, len / 3, len / 2, len - 1, len] {
            for helper in [true, false] {
                let (split, prepared) = in_two(&csv, at, helper);
                assert!(split, "cut at {at}");
                assert_eq!(check(&csv, Some(prepared)), whole, "cut at {at}");
            }
        }
        // Not a CSV: an XLSX file is read whole, to the same outcome.
        let xlsx = include_bytes!("../../../tests/corpus/good/table.xlsx");
        let f = FileIn::new("table.xlsx", xlsx.to_vec());
        let (split, prepared) = in_two(&f, f.bytes.len() as u64 / 2, true);
        assert!(!split);
        let read_whole = check(&f, None);
        assert_eq!(read_whole.0.tables.len(), 1);
        assert_eq!(check(&f, Some(prepared)), read_whole);
    }

    #[test]
    fn only_large_table_files_are_cut() {
        let modes = BTreeMap::from([("m.csv".to_owned(), Mode::Microdata(TabulateIn::default()))]);
        let sized = |name: &str, len: usize| FileIn::new(name, vec![b'x'; len]);
        assert_eq!(split_point(&sized("t.csv", SPLIT_MIN - 1), &modes), None);
        assert_eq!(
            split_point(&sized("t.csv", SPLIT_MIN), &modes),
            Some((SPLIT_MIN as f64 * HEAD_SHARE) as u64)
        );
        assert_eq!(split_point(&sized("m.csv", SPLIT_MIN), &modes), None);
        assert_eq!(split_point(&sized("r.JSON", SPLIT_MIN), &modes), None);
    }
}
