//! What cellguard reads at most, stated once. A file beyond a limit is refused with an error that names the
//! limit ([`Error::Limit`]), before the memory it would take is asked for: the page's WebAssembly memory ends at
//! 4 GiB (2³² bytes, the hard ceiling of 32-bit WebAssembly), and a compressed file that claims to expand to
//! gigabytes (a decompression bomb) is refused, not expanded.
//!
//! | limit | value | where |
//! |---|---|---|
//! | [`MAX_FILE_BYTES`] | 16 GiB | the CLI, before it reads a file |
//! | [`MAX_PAGE_FILE_BYTES`] | 1 GiB | the page's worker, before it reads a dropped file |
//! | [`MAX_COLUMNS`] | 10,000 | every reader, from the header or schema |
//! | [`MAX_CELLS`] | 20,000,000 | rows of a table file, cells an XLSX sheet spans |
//! | [`MAX_CODES`] | 1,000,000 | distinct codes of one dimension |
//! | [`MAX_EXPANDED_BYTES`] | 1 GiB | one Arrow record batch, Parquet row group or XLSX part once decompressed |
//!
//! These bound what one file can make a reader allocate before it has read the data that would fill it: the
//! frame then grows with the file's bytes, the table with its cells.

use crate::Error;

/// The largest file the CLI reads (whole, into memory).
pub const MAX_FILE_BYTES: u64 = 16 << 30;
/// The largest file the page reads: its bytes, the frame and the checked table share 4 GiB.
pub const MAX_PAGE_FILE_BYTES: u64 = 1 << 30;
/// Columns of a file.
pub const MAX_COLUMNS: usize = 10_000;
/// Rows of a table file (its cells), or cells of an XLSX sheet's used range.
pub const MAX_CELLS: u64 = 20_000_000;
/// Distinct codes of one dimension.
pub const MAX_CODES: usize = 1_000_000;
/// Bytes one piece of a compressed file (an Arrow record batch, a Parquet row group, an XLSX part) may expand
/// to.
pub const MAX_EXPANDED_BYTES: u64 = 1 << 30;

/// `n` bytes for people: `1.5 GB`, `12 MB`, `900 bytes`.
pub fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / f64::from(1u32 << 30)),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / f64::from(1u32 << 20)),
        n => format!("{n} bytes"),
    }
}

/// `len` bytes of `bytes` from `at`, as a file declares them, when they are there. Lengths are compared as 64-bit
/// numbers, so that a file gets the same answer in the 32-bit page as natively.
pub(crate) fn within(bytes: &[u8], at: u64, len: u64) -> Option<&[u8]> {
    let end = at
        .checked_add(len)
        .filter(|&end| end <= bytes.len() as u64)?;
    bytes.get(usize::try_from(at).ok()?..usize::try_from(end).ok()?)
}

/// Refuses a file of `size` bytes over `limit` (the CLI's or the page's).
pub fn check_file_size(file: &str, size: u64, limit: u64) -> Result<(), Error> {
    if size > limit {
        return Err(Error::Limit {
            file: file.to_owned(),
            message: format!(
                "the file is {} ({size} bytes), over the limit of {} for one file; split it (by year or \
                 region) or check it with fewer columns",
                bytes(size),
                bytes(limit)
            ),
        });
    }
    Ok(())
}

/// Refuses a file of `columns` columns over [`MAX_COLUMNS`].
pub(crate) fn check_columns(file: &str, columns: usize) -> Result<(), Error> {
    if columns > MAX_COLUMNS {
        return Err(Error::Limit {
            file: file.to_owned(),
            message: format!(
                "the file has {columns} columns, over the limit of {MAX_COLUMNS}; keep the columns the table needs"
            ),
        });
    }
    Ok(())
}

/// Refuses `cells` cells (rows of a table file, or the cells of a sheet) over [`MAX_CELLS`].
pub(crate) fn check_cells(file: &str, cells: u64, what: &str) -> Result<(), Error> {
    if cells > MAX_CELLS {
        return Err(Error::Limit {
            file: file.to_owned(),
            message: format!("{what} {cells} cells, over the limit of {MAX_CELLS}"),
        });
    }
    Ok(())
}

/// Refuses a dimension of `codes` distinct codes over [`MAX_CODES`].
pub(crate) fn check_codes(file: &str, dimension: &str, codes: usize) -> Result<(), Error> {
    if codes > MAX_CODES {
        return Err(Error::Limit {
            file: file.to_owned(),
            message: format!(
                "dimension `{dimension}` has {codes} distinct codes, over the limit of {MAX_CODES}; is it an \
                 identifier rather than a dimension?"
            ),
        });
    }
    Ok(())
}

/// Refuses a piece of a compressed file that would expand to `expanded` bytes, over `max` (in the product
/// [`MAX_EXPANDED_BYTES`]; tests use smaller ones).
pub(crate) fn check_expanded(file: &str, expanded: u64, max: u64, what: &str) -> Result<(), Error> {
    if expanded > max {
        return Err(Error::Limit {
            file: file.to_owned(),
            message: format!(
                "{what} would expand to {} ({expanded} bytes), over the limit of {} for one piece of a \
                 file: it is refused rather than expanded (it may be a decompression bomb)",
                bytes(expanded),
                bytes(max)
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each limit passes at its value and refuses one past it, with a message that names the file and the limit.
    #[test]
    fn each_limit_passes_at_its_value_and_refuses_one_past_it() {
        assert!(check_file_size("t.csv", MAX_PAGE_FILE_BYTES, MAX_PAGE_FILE_BYTES).is_ok());
        assert_eq!(
            check_file_size("t.csv", MAX_PAGE_FILE_BYTES + 1, MAX_PAGE_FILE_BYTES)
                .unwrap_err()
                .to_string(),
            "t.csv: the file is 1.0 GiB (1073741825 bytes), over the limit of 1.0 GiB for one file; split it (by \
             year or region) or check it with fewer columns"
        );
        assert!(check_columns("t.csv", MAX_COLUMNS).is_ok());
        assert!(check_columns("t.csv", MAX_COLUMNS + 1).is_err());
        assert!(check_cells("t.csv", MAX_CELLS, "the table has").is_ok());
        assert_eq!(
            check_cells("t.csv", MAX_CELLS + 1, "the table has")
                .unwrap_err()
                .to_string(),
            "t.csv: the table has 20000001 cells, over the limit of 20000000"
        );
        assert!(check_codes("t.csv", "region", MAX_CODES).is_ok());
        assert_eq!(
            check_codes("t.csv", "region", MAX_CODES + 1)
                .unwrap_err()
                .to_string(),
            "t.csv: dimension `region` has 1000001 distinct codes, over the limit of 1000000; is it an identifier \
             rather than a dimension?"
        );
        assert!(
            check_expanded(
                "t.arrow",
                MAX_EXPANDED_BYTES,
                MAX_EXPANDED_BYTES,
                "a record batch"
            )
            .is_ok()
        );
        assert!(
            check_expanded(
                "t.arrow",
                MAX_EXPANDED_BYTES + 1,
                MAX_EXPANDED_BYTES,
                "a record batch"
            )
            .is_err()
        );
    }

    /// A CSV header of 10,000 columns is read; one of 10,001 is refused before its rows are (each column would
    /// be sized for every line).
    #[test]
    fn a_csv_with_too_many_columns_is_refused_from_its_header() {
        let csv = |columns: usize| {
            let names: Vec<String> = (0..columns).map(|i| format!("c{i}")).collect();
            format!("{}\n{}\n", names.join(","), vec!["1"; columns].join(","))
        };
        let at = crate::read_frame("wide.csv", csv(MAX_COLUMNS).as_bytes()).unwrap();
        assert_eq!(at.columns.len(), MAX_COLUMNS);
        let e = crate::read_frame("wide.csv", csv(MAX_COLUMNS + 1).as_bytes()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "wide.csv: the file has 10001 columns, over the limit of 10000; keep the columns the table needs"
        );
    }
}
