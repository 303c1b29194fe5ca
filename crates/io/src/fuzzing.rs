//! Dev-only (feature `fuzzing`): what the differential fuzz targets compare. Two ways the product reads one CSV
//! must give the same frame or the same error; the ordinary readers stay the only ones shipped.

use crate::csv_read::{self, Source};
use crate::{Error, Frame};
use std::sync::Arc;

/// A CSV read by the direct splitter (used where the body has no quote) and by the csv crate's reader alone.
pub fn csv_paths(name: &str, bytes: &[u8]) -> (Result<Frame, Error>, Result<Frame, Error>) {
    let src = Source {
        bytes,
        shared: None,
        only: None,
    };
    (
        csv_read::read_with(name, src, true),
        csv_read::read_with(name, src, false),
    )
}

/// A CSV read in two pieces cut at `at` (the head holding its first `held` bytes), as the page's worker and its
/// helper read a large file, and read whole by one reader; and whether the bytes the join hands back are the
/// file's.
pub fn csv_in_two(
    name: &str,
    bytes: &[u8],
    at: usize,
    held: usize,
) -> (Result<Frame, Error>, Result<Frame, Error>, bool) {
    let at = at.min(bytes.len());
    let held = held.clamp(at, bytes.len());
    let head = crate::read_csv_head(
        name,
        bytes.get(..held).unwrap_or(bytes).to_vec(),
        bytes.len(),
        at,
    );
    let prefix = bytes
        .get(..bytes.len().min(crate::HEADER_BYTES))
        .unwrap_or(bytes);
    let tail = crate::read_csv_tail(name, prefix, at, bytes.get(at..).unwrap_or(&[])).to_bytes();
    let (joined, two) = crate::join_csv_tail(name, head, bytes.get(held..).unwrap_or(&[]), &tail);
    let whole = crate::read_frame_shared(name, &Arc::new(bytes.to_vec()));
    (two, whole, joined.as_slice() == bytes)
}
