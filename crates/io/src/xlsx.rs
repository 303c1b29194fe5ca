//! XLSX reading (calamine): the first worksheet, first row as header. Within the limits of [`crate::limits`]:
//! every part of the workbook must expand to no more than the limit by the size the zip gives (the zip reader
//! calamine uses stops with an error at that size, so a bomb that understates it expands no further), and the
//! sheet's cells are taken one by one, the range they span checked as
//! it grows, before a grid of them is made (calamine would make a grid of the whole span: two cells, at A1 and
//! at XFD1048576, would ask for 17 billion).

use crate::Error;
use crate::frame::{Column, ColumnData, Format, Frame, TextColumn};
use crate::limits::{self, MAX_EXPANDED_BYTES};
use calamine::{Cell, Data, DataRef, Range, Reader, Xlsx};
use std::io::Cursor;

pub(crate) fn read(file: &str, bytes: &[u8]) -> Result<Frame, Error> {
    let fail = |message: String| Error::Format {
        file: file.to_owned(),
        format: "XLSX",
        message,
    };
    check_parts(file, bytes)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        fail(format!(
            "{e} (the file may be truncated or not an .xlsx workbook)"
        ))
    })?;
    let sheet = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| fail("the workbook has no worksheet".into()))?;
    let range = sheet_range(file, &mut book, &sheet)?;
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let mut rows = range.rows();
    let Some(header) = rows.next() else {
        return Err(Error::Empty {
            file: file.to_owned(),
        });
    };
    let mut names: Vec<String> = Vec::new();
    for (i, cell) in header.iter().enumerate() {
        let name = cell.to_string().trim().to_owned();
        if name.is_empty() {
            // Trailing empty header cells are formatting, not columns.
            if header
                .iter()
                .skip(i)
                .all(|c| c.to_string().trim().is_empty())
            {
                break;
            }
            return Err(Error::EmptyColumnName {
                file: file.to_owned(),
                position: i as u64 + 1,
            });
        }
        if names.contains(&name) {
            return Err(Error::DuplicateColumn {
                file: file.to_owned(),
                column: name,
            });
        }
        names.push(name);
    }
    let body: Vec<&[Data]> = rows.collect();
    let mut columns = Vec::with_capacity(names.len());
    for (j, name) in names.into_iter().enumerate() {
        let cells: Vec<&Data> = body
            .iter()
            .map(|r| r.get(j).unwrap_or(&Data::Empty))
            .collect();
        let numeric = cells
            .iter()
            .all(|c| matches!(c, Data::Int(_) | Data::Float(_) | Data::Empty));
        let data = if numeric {
            ColumnData::Float(
                cells
                    .iter()
                    .map(|c| match c {
                        Data::Int(i) => Some(*i as f64),
                        Data::Float(f) => Some(*f),
                        _ => None,
                    })
                    .collect(),
            )
        } else {
            let mut t = TextColumn::default();
            for c in &cells {
                match c {
                    Data::Empty => t.push(""),
                    Data::Float(f) => t.push(&crate::number(*f)),
                    other => t.push(&other.to_string()),
                }
            }
            ColumnData::Text(t)
        };
        columns.push(Column { name, data });
    }
    // Sheet rows as the user sees them: header on row first_row + 1.
    let row_labels = (0..body.len() as u64)
        .map(|i| u64::from(first_row) + 2 + i)
        .collect();
    Ok(Frame {
        file: file.to_owned(),
        format: Format::Xlsx,
        columns,
        row_labels,
        decimal_comma: false,
    })
}

/// Refuses a workbook with a part that expands past [`MAX_EXPANDED_BYTES`], or parts that do in all, by the
/// sizes the zip gives; nothing is expanded. A zip that cannot be read is left to calamine, which says why.
fn check_parts(file: &str, bytes: &[u8]) -> Result<(), Error> {
    check_parts_within(file, bytes, MAX_EXPANDED_BYTES)
}

/// [`check_parts`] with the limit `max` (tests use a small one).
fn check_parts_within(file: &str, bytes: &[u8], max: u64) -> Result<(), Error> {
    let Ok(zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let mut total = 0u64;
    for i in 0..zip.len() {
        let Ok(part) = zip.by_index_data(i) else {
            continue;
        };
        let what = format!(
            "the workbook's part `{}`",
            String::from_utf8_lossy(part.name_raw())
        );
        limits::check_expanded(file, part.size(), max, &what)?;
        total = total.saturating_add(part.size());
        limits::check_expanded(file, total, max, "the workbook")?;
    }
    Ok(())
}

/// The sheet's cells that hold something, as calamine's range of them; the span from A1 to the last row and
/// column used is held within [`limits::MAX_CELLS`] and [`limits::MAX_COLUMNS`] as the cells come.
fn sheet_range(
    file: &str,
    book: &mut Xlsx<Cursor<&[u8]>>,
    sheet: &str,
) -> Result<Range<Data>, Error> {
    let fail = |e: calamine::XlsxError| Error::Format {
        file: file.to_owned(),
        format: "XLSX",
        message: format!("worksheet `{sheet}`: {e}"),
    };
    let mut reader = book.worksheet_cells_reader(sheet).map_err(fail)?;
    let mut cells = Vec::new();
    let (mut rows, mut columns) = (0u64, 0u64);
    while let Some(cell) = reader.next_cell().map_err(fail)? {
        if *cell.get_value() == DataRef::Empty {
            continue;
        }
        let (r, c) = cell.get_position();
        if u64::from(r) >= rows || u64::from(c) >= columns {
            rows = rows.max(u64::from(r) + 1);
            columns = columns.max(u64::from(c) + 1);
            limits::check_columns(file, usize::try_from(columns).unwrap_or(usize::MAX))?;
            limits::check_cells(file, rows * columns, "the sheet's used range spans")?;
        }
        cells.push(Cell::new((r, c), Data::from(cell.get_value().clone())));
    }
    Ok(Range::from_sparse(cells))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workbook with `cells` (row, column, text).
    fn workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for &(r, c, text) in cells {
            sheet.write_string(r, c, text).unwrap();
        }
        book.save_to_buffer().unwrap()
    }

    /// Two cells far apart span a range over the limit: refused by its size, before a grid is made; at the
    /// limit's edge a sheet is read.
    #[test]
    fn a_sheet_spanning_too_many_cells_is_refused() {
        let far = workbook(&[(0, 0, "n"), (1_048_575, 16_383, "x")]);
        let e = read("far.xlsx", &far).unwrap_err().to_string();
        assert_eq!(
            e,
            "far.xlsx: the file has 16384 columns, over the limit of 10000; keep the columns the table needs"
        );
        let tall = workbook(&[(0, 0, "n"), (1_048_575, 19, "x")]);
        let e = read("tall.xlsx", &tall).unwrap_err().to_string();
        assert_eq!(
            e,
            "tall.xlsx: the sheet's used range spans 20971520 cells, over the limit of 20000000"
        );
        let edge = workbook(&[(0, 0, "n"), (999_999, 19, "x")]);
        let frame = read("edge.xlsx", &edge).unwrap();
        assert_eq!(frame.rows(), 999_999);
    }

    /// A part that expands past the limit is refused by the size the zip gives. A bomb that understates it
    /// passes that check, but the zip reader stops it at the size it gave: nothing expands further.
    #[test]
    fn a_decompression_bomb_is_refused() {
        use std::io::{Read, Write};
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/sharedStrings.xml", options).unwrap();
        zip.write_all(&vec![b'a'; 3 << 20]).unwrap();
        let mut bomb = zip.finish().unwrap().into_inner();
        assert!(bomb.len() < 10_000, "{} bytes", bomb.len());
        let e = check_parts_within("bomb.xlsx", &bomb, 1 << 20)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "bomb.xlsx: the workbook's part `xl/sharedStrings.xml` would expand to 3.0 MiB (3145728 bytes), over \
             the limit of 1.0 MiB for one piece of a file: it is refused rather than expanded (it may be a \
             decompression bomb)"
        );
        // The sizes in the local header (at 22) and the central directory (at 24 of its entry) say 100 bytes.
        let central = bomb.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
        for at in [22, central + 24] {
            bomb[at..at + 4].copy_from_slice(&100u32.to_le_bytes());
        }
        assert!(check_parts_within("bomb.xlsx", &bomb, 1 << 20).is_ok());
        let mut zip = zip::ZipArchive::new(Cursor::new(&bomb[..])).unwrap();
        let mut expanded = Vec::new();
        let e = zip
            .by_index(0)
            .unwrap()
            .read_to_end(&mut expanded)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "File is larger than its declared uncompressed size"
        );
        assert!(
            expanded.len() <= 1 << 16,
            "{} bytes expanded",
            expanded.len()
        );
        let e = read("bomb.xlsx", &bomb).unwrap_err().to_string();
        assert!(e.starts_with("bomb.xlsx: cannot read XLSX"), "{e}");
    }
}
