//! The release export: the checked table as the researcher may publish it — dimension and published columns
//! only (shadow columns dropped), values of unsafe cells replaced by the suppression mark, and two columns saying
//! each cell's status and the rules that fired. As CSV and as XLSX; deterministic bytes.

use crate::check::Checked;
use crate::frame::{ColumnData, parse_number};
use cellguard_engine::suppress::Role;
use cellguard_engine::{CellReport, Status};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatPattern, Workbook, XlsxError};

/// What an unsafe cell's published values become (Eurostat's flag for confidential values).
pub const SUPPRESSED: &str = "x";
/// The added column with each cell's status.
pub const STATUS_COLUMN: &str = "cellguard_status";
/// The added column with the codes of the rules that fired, `;`-separated.
pub const RULES_COLUMN: &str = "cellguard_rules";

/// Column names of the export: dimensions, published statistics, status, rules.
pub fn export_header(c: &Checked) -> Vec<String> {
    let mut h: Vec<String> = c.roles.dims.clone();
    h.extend(c.roles.published.iter().cloned());
    h.push(STATUS_COLUMN.into());
    h.push(RULES_COLUMN.into());
    h
}

fn rules_of(cell: &CellReport<'_>) -> String {
    let mut codes: Vec<&str> = cell.findings.iter().map(|f| f.rule.as_str()).collect();
    codes.dedup();
    codes.join(";")
}

/// The annotated table as CSV (`,`, `\n`, UTF-8).
pub fn annotated_csv(c: &Checked) -> Vec<u8> {
    csv_with(c, |_, cell| {
        (cell.status == Status::Unsafe, cell.status.as_str())
    })
}

/// The table as CSV with each cell's published values hidden or not and its status as `mark` says, per cell
/// index and report.
pub(crate) fn csv_with(
    c: &Checked,
    mark: impl Fn(usize, &CellReport<'_>) -> (bool, &'static str),
) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let mut ok = w.write_record(export_header(c)).is_ok();
    let dims: Vec<_> = c
        .roles
        .dims
        .iter()
        .filter_map(|d| c.frame.column(d))
        .collect();
    let published: Vec<_> = c
        .roles
        .published
        .iter()
        .filter_map(|p| c.frame.column(p))
        .collect();
    let mut rec: Vec<String> = Vec::new();
    for (i, cell) in c.report.cells().enumerate() {
        rec.clear();
        rec.extend(dims.iter().map(|col| col.text(i).into_owned()));
        let (hide, label) = mark(i, &cell);
        rec.extend(published.iter().map(|col| {
            if hide {
                SUPPRESSED.to_owned()
            } else {
                published_text(col, i, c.frame.decimal_comma)
            }
        }));
        rec.push(label.to_owned());
        rec.push(rules_of(&cell));
        ok &= w.write_record(&rec).is_ok();
    }
    // Writing to a Vec cannot fail; the bytes written so far are returned either way.
    let _ = ok;
    w.into_inner().unwrap_or_default()
}

/// A published field as the export writes it: numbers written with a decimal point (a decimal-comma input's
/// `10,5` becomes `10.5`, so the `,`-separated output stays unambiguous), text as it was.
fn published_text(col: &crate::Column, i: usize, decimal_comma: bool) -> String {
    match &col.data {
        ColumnData::Text(t) if decimal_comma => match parse_number(t.get(i), true) {
            crate::frame::Num::Value(x) => crate::number(x),
            _ => col.text(i).into_owned(),
        },
        _ => col.text(i).into_owned(),
    }
}

/// The annotated tables as one XLSX workbook, a sheet per table: numbers stay numbers, unsafe cells show the
/// suppression mark on a red fill, review cells an amber fill. The document date is fixed so the bytes depend on
/// the input only.
pub fn annotated_xlsx(tables: &[&Checked]) -> Result<Vec<u8>, crate::Error> {
    let plain: Vec<(&Checked, Option<&[Role]>)> = tables.iter().map(|c| (*c, None)).collect();
    annotated_xlsx_with(&plain)
}

/// [`annotated_xlsx`], each table with the suppression pattern that protects it when there is one: then its
/// primary and secondary cells show the mark (secondaries on a blue fill, status `secondary`), as
/// [`crate::protect::protected_csv`] writes them, and the notes sheet says so.
pub fn annotated_xlsx_with(
    tables: &[(&Checked, Option<&[Role]>)],
) -> Result<Vec<u8>, crate::Error> {
    let fail = |e: XlsxError| crate::Error::Format {
        file: "export.xlsx".into(),
        format: "XLSX",
        message: e.to_string(),
    };
    let mut wb = Workbook::new();
    let date = ExcelDateTime::from_ymd(2000, 1, 1).map_err(fail)?;
    wb.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_creation_datetime(&date)
            .set_title("cellguard annotated tables"),
    );
    let bold = Format::new().set_bold();
    let unsafe_fmt = Format::new()
        .set_pattern(FormatPattern::Solid)
        .set_background_color(0xF4C7C3);
    let review_fmt = Format::new()
        .set_pattern(FormatPattern::Solid)
        .set_background_color(0xFCE8B2);
    let secondary_fmt = Format::new()
        .set_pattern(FormatPattern::Solid)
        .set_background_color(0xD6DEF5);
    let mut used_names: Vec<String> = Vec::new();
    for &(c, pattern) in tables {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&c.report.input, &mut used_names))
            .map_err(fail)?;
        for (j, h) in export_header(c).iter().enumerate() {
            ws.write_string_with_format(0, j as u16, h, &bold)
                .map_err(fail)?;
        }
        let nd = c.roles.dims.len();
        for (i, cell) in c.report.cells().enumerate() {
            let row = i as u32 + 1;
            let role = pattern.and_then(|p| p.get(i)).copied();
            let (hidden, status) = shown(role, &cell, pattern.is_some());
            let fmt = match (role, cell.status) {
                (Some(Role::Secondary), _) => Some(&secondary_fmt),
                (_, Status::Unsafe) => Some(&unsafe_fmt),
                (_, Status::Review) => Some(&review_fmt),
                (_, Status::Safe) => None,
            };
            for (j, d) in c.roles.dims.iter().enumerate() {
                if let Some(col) = c.frame.column(d) {
                    ws.write_string(row, j as u16, col.text(i)).map_err(fail)?;
                }
            }
            for (j, p) in c.roles.published.iter().enumerate() {
                let colno = (nd + j) as u16;
                let Some(col) = c.frame.column(p) else {
                    continue;
                };
                if hidden {
                    match fmt {
                        Some(f) => ws.write_string_with_format(row, colno, SUPPRESSED, f),
                        None => ws.write_string(row, colno, SUPPRESSED),
                    }
                    .map_err(fail)?;
                    continue;
                }
                let number = match &col.data {
                    ColumnData::Int(v) => v.get(i).copied().flatten().map(|x| x as f64),
                    ColumnData::Float(v) => v.get(i).copied().flatten().filter(|x| x.is_finite()),
                    ColumnData::Text(t) => match parse_number(t.get(i), c.frame.decimal_comma) {
                        crate::frame::Num::Value(x) => Some(x),
                        _ => None,
                    },
                };
                match (number, fmt) {
                    (Some(x), Some(f)) => ws.write_number_with_format(row, colno, x, f),
                    (Some(x), None) => ws.write_number(row, colno, x),
                    (None, Some(f)) => ws.write_string_with_format(row, colno, col.text(i), f),
                    (None, None) => ws.write_string(row, colno, col.text(i)),
                }
                .map_err(fail)?;
            }
            let base = (nd + c.roles.published.len()) as u16;
            ws.write_string(row, base, status).map_err(fail)?;
            ws.write_string(row, base + 1, rules_of(&cell))
                .map_err(fail)?;
        }
    }
    // What the mark means, on a sheet of its own after the tables.
    let notes = wb.add_worksheet();
    notes
        .set_name(sheet_name("notes", &mut used_names))
        .map_err(fail)?;
    let note = if !tables.is_empty() && tables.iter().all(|(_, p)| p.is_some()) {
        PROTECTED
    } else {
        PRIMARY_ONLY
    };
    notes.write_string(0, 0, note).map_err(fail)?;
    wb.save_to_buffer().map_err(fail)
}

/// Whether a cell's published values are hidden, and the status written, under a suppression pattern (`role`
/// of the cell when the table has one) or without one (the unsafe cells hidden).
pub(crate) fn shown(
    role: Option<Role>,
    cell: &CellReport<'_>,
    protected: bool,
) -> (bool, &'static str) {
    match role {
        Some(Role::Primary) => (true, cell.status.as_str()),
        Some(Role::Secondary) => (true, "secondary"),
        // A cell the check did not clear is never published, whatever the pattern says.
        _ if protected => (cell.status != Status::Safe, cell.status.as_str()),
        _ => (cell.status == Status::Unsafe, cell.status.as_str()),
    }
}

/// What the marks mean when every table has its suppression pattern.
pub const PROTECTED: &str = "`x` marks the suppressed cells: those the rules found unsafe (primary) and those suppressed to protect them (status `secondary`). The pattern passed cellguard's audit when it was made.";

/// What the suppression mark means until secondary suppression exists: the release exports say it.
pub const PRIMARY_ONLY: &str = "`x` marks the cells the rules found unsafe (primary suppression) only: a total \
minus the other cells can still give one back. Protect them with secondary suppression before release.";

/// A unique sheet name from a file name: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(file: &str, used: &mut Vec<String>) -> String {
    let base: String = file
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file)
        .chars()
        .map(|ch| if "[]:*?/\\'".contains(ch) { '_' } else { ch })
        .take(28)
        .collect();
    let base = if base.is_empty() {
        "table".into()
    } else {
        base
    };
    let mut name = base.clone();
    let mut k = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
        name = format!("{base}~{k}");
        k += 1;
    }
    used.push(name.clone());
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use cellguard_engine::Policy;

    fn checked() -> Checked {
        let csv = b"sex;region;mean;n;value;top1;top2\nM;A;10,5;12;126;30;20\nF;A;9;2;18;10;8\nTotal;A;9,9;14;144;30;20\n";
        crate::check::check_file(
            "t.csv",
            csv,
            &crate::TableRoles::default(),
            &Policy::preset("essnet").unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn csv_drops_shadow_columns_and_suppresses_unsafe_cells() {
        let out = String::from_utf8(annotated_csv(&checked())).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines,
            [
                "sex,region,mean,cellguard_status,cellguard_rules",
                "M,A,10.5,safe,",
                "F,A,x,unsafe,threshold;dominance",
                "Total,A,9.9,safe,",
            ]
        );
    }

    /// With a pattern, the XLSX marks the secondary cells as the protected CSV does, and its notes say so.
    #[test]
    fn xlsx_with_a_pattern_marks_the_secondary_cells() {
        use calamine::{Reader, Xlsx};
        let c = checked();
        let pattern = [Role::Secondary, Role::Primary, Role::Published];
        let bytes = annotated_xlsx_with(&[(&c, Some(&pattern[..]))]).unwrap();
        let mut wb = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = wb.worksheet_range("t.csv").unwrap();
        assert_eq!(range.get_value((1, 2)).unwrap().to_string(), "x");
        assert_eq!(range.get_value((1, 3)).unwrap().to_string(), "secondary");
        assert_eq!(range.get_value((2, 3)).unwrap().to_string(), "unsafe");
        assert_eq!(range.get_value((3, 2)).unwrap().to_string(), "9.9");
        let notes = wb.worksheet_range("notes").unwrap();
        assert_eq!(notes.get_value((0, 0)).unwrap().to_string(), PROTECTED);
        // The CSV under the same pattern says the same.
        let csv = String::from_utf8(crate::protect::pattern_csv(&c, &pattern)).unwrap();
        assert!(csv.contains("M,A,x,secondary,"), "{csv}");
    }

    #[test]
    fn xlsx_reads_back_with_the_same_cells() {
        use calamine::{Reader, Xlsx};
        let bytes = annotated_xlsx(&[&checked()]).unwrap();
        assert_eq!(
            bytes,
            annotated_xlsx(&[&checked()]).unwrap(),
            "deterministic"
        );
        let mut wb = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = wb.worksheet_range("t.csv").unwrap();
        assert_eq!(range.get_value((2, 2)).unwrap().to_string(), "x");
        assert_eq!(range.get_value((1, 2)).unwrap().to_string(), "10.5");
        assert_eq!(range.get_value((2, 3)).unwrap().to_string(), "unsafe");
        // The last sheet says what the mark means.
        assert_eq!(wb.sheet_names(), ["t.csv", "notes"]);
        let notes = wb.worksheet_range("notes").unwrap();
        assert_eq!(notes.get_value((0, 0)).unwrap().to_string(), PRIMARY_ONLY);
    }

    /// A table given as shadow columns only publishes its value (a frequency table its unit count): the release
    /// export has numbers to publish, the unsafe ones marked.
    #[test]
    fn shadow_only_tables_publish_their_value_or_count() {
        let policy = Policy::preset("essnet").unwrap();
        let check = |csv: &str| {
            let c = crate::check::check_file(
                "t.csv",
                csv.as_bytes(),
                &crate::TableRoles::default(),
                &policy,
            )
            .unwrap();
            String::from_utf8(annotated_csv(&c)).unwrap()
        };
        assert_eq!(
            check("sex,n,value,top1\nM,20,500,60\nF,3,90,50\n"),
            "sex,value,cellguard_status,cellguard_rules\nM,500,safe,\nF,x,unsafe,threshold;dominance\n"
        );
        assert_eq!(
            check("sex,n\nM,20\nF,3\n"),
            "sex,n,cellguard_status,cellguard_rules\nM,20,safe,\nF,x,unsafe,threshold\n"
        );
    }

    /// A weighted table's top-weight columns are shadow columns too: the release export leaves them out.
    #[test]
    fn exports_drop_the_top_weight_columns() {
        let csv = b"sex,sum,n,value,top1,top2,top1_weight,top2_weight,weight\nM,470,2,470,100,10,4,7,11\nF,90.5,9,90.5,20,10.5,1.5,1,12.5\n";
        let c = crate::check::check_file(
            "t.csv",
            csv,
            &crate::TableRoles::default(),
            &Policy::preset("essnet").unwrap(),
        )
        .unwrap();
        assert_eq!(
            export_header(&c),
            ["sex", "sum", "cellguard_status", "cellguard_rules"]
        );
        let out = String::from_utf8(annotated_csv(&c)).unwrap();
        assert_eq!(
            out.lines().next(),
            Some("sex,sum,cellguard_status,cellguard_rules")
        );
        use calamine::{Reader, Xlsx};
        let mut wb = Xlsx::new(std::io::Cursor::new(annotated_xlsx(&[&c]).unwrap())).unwrap();
        let range = wb.worksheet_range("t.csv").unwrap();
        assert_eq!(range.width(), 4);
    }
}
