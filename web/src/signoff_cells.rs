//! The cells a reviewer opens in the sign-off page: each table output of a package checked again under the
//! package's own policy (the engine's check, as `cellguard check` runs it), its cells that are not safe kept with
//! their findings. Natively compiled and tested; the page draws them (`signoff/cells.rs`).

use cellguard_engine::{Finding, Policy, Status};

/// Cells kept at most per output; the count of the others is said.
pub const SHOWN: usize = 500;

/// A cell that is not safe.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Its row in the file (CSV line, sheet row, record).
    pub row: u64,
    /// `(dimension, code)`, in the table's dimension order.
    pub coords: Vec<(String, String)>,
    pub status: Status,
    pub findings: Vec<Finding>,
}

/// An output's cells that are not safe: the first [`SHOWN`], and how many there are.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub cells: Vec<Cell>,
    pub not_safe: usize,
}

/// Checks a table output under the package's policy (its TOML); an error says why it cannot be checked.
pub fn check(name: &str, bytes: &[u8], policy: &str) -> Result<Checked, String> {
    let policy = Policy::from_toml(policy).map_err(|e| e.to_string())?;
    let checked =
        cellguard_io::check_file(name, bytes, &cellguard_io::TableRoles::default(), &policy)
            .map_err(|e| e.to_string())?;
    let report = &checked.report;
    let mut cells = Vec::new();
    let mut not_safe = 0;
    for (i, c) in report.cells().enumerate() {
        if c.status == Status::Safe {
            continue;
        }
        not_safe += 1;
        if cells.len() < SHOWN {
            cells.push(Cell {
                row: c.row,
                coords: (report.coords_of(i as u32))
                    .map(|(d, code)| (d.to_owned(), code.to_owned()))
                    .collect(),
                status: c.status,
                findings: c.findings.to_vec(),
            });
        }
    }
    Ok(Checked { cells, not_safe })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table checked under the package's policy lists its cells that are not safe, with their coordinates,
    /// rows and findings; a safe table lists none; a file that is no table says why.
    #[test]
    fn a_tables_cells_that_are_not_safe_are_listed() {
        let policy = Policy::preset("essnet").unwrap().to_toml();
        let table = "region,sex,n\nBR,F,2\nBR,M,40\n";
        let c = check("t.csv", table.as_bytes(), &policy).unwrap();
        assert_eq!(c.not_safe, 1);
        let cell = &c.cells[0];
        assert_eq!(cell.row, 2);
        assert_eq!(
            cell.coords,
            [("region".into(), "BR".into()), ("sex".into(), "F".into())]
        );
        assert_eq!(cell.status, Status::Unsafe);
        assert!(!cell.findings.is_empty());
        let safe = check("s.csv", b"region,n\nBR,40\n", &policy).unwrap();
        assert_eq!(safe.not_safe, 0);
        assert!(check("x.csv", b"", &policy).is_err());
    }
}
