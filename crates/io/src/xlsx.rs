//! XLSX reading (calamine): the first worksheet, first row as header.

use crate::Error;
use crate::frame::{Column, ColumnData, Format, Frame, TextColumn};
use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;

pub(crate) fn read(file: &str, bytes: &[u8]) -> Result<Frame, Error> {
    let fail = |message: String| Error::Format {
        file: file.to_owned(),
        format: "XLSX",
        message,
    };
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
    let range = book
        .worksheet_range(&sheet)
        .map_err(|e| fail(format!("worksheet `{sheet}`: {e}")))?;
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
