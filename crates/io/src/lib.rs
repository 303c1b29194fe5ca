//! cellguard-io: bytes ↔ tables. Reads CSV, XLSX, Arrow IPC (file and stream) and Parquet into a [`Frame`], maps
//! column roles onto the engine's [`Table`](cellguard_engine::Table) and
//! [`Microdata`](cellguard_engine::Microdata), and writes tables back out.
//!
//! API boundary: this is the only crate that depends on arrow2, and it takes bytes, never paths — the CLI reads
//! files, the page reads dropped files, both hand the bytes here. Every error names the file, the row as the user's
//! editor shows it (CSV line, sheet row, record number) and the column, and says what was expected.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod arrow;
mod caught;
pub mod check;
pub mod columnar;
mod csv_read;
mod csv_split;
mod error;
mod error_words;
pub mod export;
mod frame;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod ipc_bounds;
pub mod limits;
mod parquet_bounds;
mod partition;
pub mod protect;
mod report_read;
mod roles;
mod write;
mod xlsx;

pub use check::{
    Checked, InputHash, NamedBytes, assemble_report, check_file, check_file_hashed,
    check_file_shared, check_frame, is_sha256_hex, policy_from_toml,
};
pub use csv_split::{CsvHead, CsvTail, HEADER_BYTES, join_csv_tail, read_csv_head, read_csv_tail};
pub use error::Error;
pub use export::{annotated_csv, annotated_xlsx};
pub use frame::{Column, ColumnData, Format, Frame, concat_frames, filter_rows};
pub use partition::{
    MISSING_PARTITION, PartitionKey, columns_from_file, may_match, partition_keys,
    with_partition_columns, with_wanted_keys,
};
pub use report_read::{is_report, read_report};
pub use roles::{
    MicroRoles, ResolvedRoles, TableRoles, codelist_from_frame, guess_unit_column,
    microdata_from_frame, microdata_with_units, table_from_frame,
};
pub use write::{number, tabulated_to_csv};

use sha2::{Digest, Sha256};
use std::io::Read;
use std::sync::Arc;

/// Reads a file's bytes into a frame. The format comes from the bytes' magic numbers (Parquet `PAR1`, Arrow
/// `ARROW1`, an Arrow stream's continuation marker, XLSX's ZIP header), then from the name's extension; anything
/// else is read as CSV text.
pub fn read_frame(name: &str, bytes: &[u8]) -> Result<Frame, Error> {
    read_frame_with(name, bytes, None, None)
}

/// As [`read_frame`], from bytes the caller shares: a CSV frame's text columns point into them (no copy of the
/// file's text is made).
pub fn read_frame_shared(name: &str, bytes: &Arc<Vec<u8>>) -> Result<Frame, Error> {
    read_frame_with(name, bytes, None, Some(bytes))
}

/// As [`read_frame`], keeping only the columns named in `only` (in the file's order): Arrow and Parquet files
/// read no others at all, so tabulating a few columns of a wide extract does not decode the rest. When a name is
/// not in the file, every column is read (the error that follows names them all).
pub fn read_frame_columns(name: &str, bytes: &[u8], only: &[&str]) -> Result<Frame, Error> {
    Ok(columns_of(
        read_frame_with(name, bytes, Some(only), None)?,
        only,
    ))
}

/// As [`read_frame_columns`], from bytes the caller shares (see [`read_frame_shared`]).
pub fn read_frame_columns_shared(
    name: &str,
    bytes: &Arc<Vec<u8>>,
    only: &[&str],
) -> Result<Frame, Error> {
    Ok(columns_of(
        read_frame_with(name, bytes, Some(only), Some(bytes))?,
        only,
    ))
}

/// As [`read_frame_columns_shared`], in pieces read as they are asked for: a Parquet file by whole row groups,
/// pieces of at least `piece_rows` rows (the last may be smaller), so that memory holds one piece's columns; any
/// other format in one piece. A piece's row labels are the file's rows (an error in the third piece names the
/// file's row). A panic in the reader ends the pieces with an error naming the file.
pub fn read_frame_pieces<'a>(
    name: &'a str,
    bytes: &'a Arc<Vec<u8>>,
    only: &'a [&'a str],
    piece_rows: usize,
) -> Result<Box<dyn Iterator<Item = Result<Frame, Error>> + 'a>, Error> {
    if Format::detect(name, bytes) != Format::Parquet {
        return Ok(Box::new(std::iter::once(read_frame_columns_shared(
            name, bytes, only,
        ))));
    }
    let mut pieces = Some(caught::reading(name, "Parquet", || {
        arrow::ParquetPieces::new(name, bytes, Some(only), piece_rows)
    })?);
    Ok(Box::new(std::iter::from_fn(move || {
        let mut read = pieces.take()?;
        let piece = caught::reading(name, "Parquet", || Ok(read.next()));
        // After a panic the reader's state is not to be trusted: no more pieces.
        pieces = piece.is_ok().then_some(read);
        let piece = piece.transpose()?.and_then(|read| read);
        Some(piece.map(|frame| columns_of(frame, only)))
    })))
}

/// The names of a file's columns, from its header or schema: an Arrow or Parquet file's data and a CSV's rows
/// are not read (an XLSX sheet is, whole).
pub fn column_names(name: &str, bytes: &[u8]) -> Result<Vec<String>, Error> {
    match Format::detect(name, bytes) {
        Format::Csv => csv_read::column_names(name, bytes),
        Format::Xlsx => Ok(caught::reading(name, "XLSX", || xlsx::read(name, bytes))?
            .columns
            .into_iter()
            .map(|c| c.name)
            .collect()),
        format => caught::reading(name, "Arrow or Parquet", || {
            arrow::schema_names(name, std::io::Cursor::new(bytes), format)
        }),
    }
}

/// The names of an Arrow or Parquet file's columns from its schema alone — a Parquet or Arrow IPC file's footer,
/// an Arrow stream's first message — read from `reader` without its data; `None` for a CSV or XLSX file, whose
/// header is read with the file.
pub fn schema_column_names<R: Read + std::io::Seek>(
    name: &str,
    mut reader: R,
) -> Result<Option<Vec<String>>, Error> {
    let io = |e: std::io::Error| Error::Format {
        file: name.to_owned(),
        format: "file",
        message: e.to_string(),
    };
    let mut magic = Vec::with_capacity(8);
    (&mut reader).take(8).read_to_end(&mut magic).map_err(io)?;
    reader.seek(std::io::SeekFrom::Start(0)).map_err(io)?;
    match Format::detect(name, &magic) {
        Format::Csv | Format::Xlsx => Ok(None),
        format => caught::reading(name, "Arrow or Parquet", || {
            arrow::schema_names(name, reader, format).map(Some)
        }),
    }
}

/// The frame's columns named in `only`, when they are all there.
fn columns_of(mut frame: Frame, only: &[&str]) -> Frame {
    if only
        .iter()
        .all(|n| frame.columns.iter().any(|c| c.name == *n))
    {
        frame.columns.retain(|c| only.contains(&c.name.as_str()));
    }
    frame
}

fn read_frame_with(
    name: &str,
    bytes: &[u8],
    only: Option<&[&str]>,
    shared: Option<&Arc<Vec<u8>>>,
) -> Result<Frame, Error> {
    match Format::detect(name, bytes) {
        Format::Csv => csv_read::read(
            name,
            csv_read::Source {
                bytes,
                shared,
                only,
            },
        ),
        Format::Xlsx => caught::reading(name, "XLSX", || xlsx::read(name, bytes)),
        Format::ArrowFile => caught::reading(name, "Arrow IPC file", || {
            arrow::read_ipc_file(name, bytes, only)
        }),
        Format::ArrowStream => caught::reading(name, "Arrow IPC stream", || {
            arrow::read_ipc_stream(name, bytes, only)
        }),
        Format::Parquet => {
            caught::reading(name, "Parquet", || arrow::read_parquet(name, bytes, only))
        }
    }
}

/// Lower-case hex SHA-256 of the bytes, as reports record every input.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The record of an input for a report.
pub fn input_record(name: &str, bytes: &[u8]) -> cellguard_engine::InputRecord {
    cellguard_engine::InputRecord {
        name: name.to_owned(),
        sha256: sha256_hex(bytes),
        bytes: bytes.len() as u64,
    }
}

/// Tests' seeded random numbers: `next(m)` is below `m` (xorshift).
#[cfg(test)]
pub(crate) fn below(mut seed: u64) -> impl FnMut(u64) -> u64 {
    move |m| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % m
    }
}
