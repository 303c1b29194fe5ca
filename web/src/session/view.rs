//! What the page is shown of a checked table: windows of its rows (every cell, or those a filter picks), one
//! cell's explanation, and the status map.

use super::Session;
use crate::protocol::*;
use cellguard_engine::{Status, TableReport};

/// Largest side of the status picture, in blocks.
const HEAT_MAX: u32 = 256;

/// The status picture of a table (see [`Heat`]).
pub fn heat(report: &TableReport, sizes: &[u32]) -> Heat {
    let Some((&across, down)) = sizes.split_last() else {
        return Heat::default();
    };
    let across = across.max(1);
    let height: u64 = down.iter().map(|&s| u64::from(s.max(1))).product();
    let block_w = across.div_ceil(HEAT_MAX);
    let height32 = u32::try_from(height).unwrap_or(u32::MAX);
    let block_h = height32.div_ceil(HEAT_MAX).max(1);
    let width = across.div_ceil(block_w);
    let h = height32.div_ceil(block_h);
    let mut pixels = vec![0u8; width as usize * h as usize];
    let nd = sizes.len();
    // Each cell's block by table lookups rather than two divisions a cell: a code of the last dimension gives
    // the block's column, a row of the picture (up to 262,144 of them) its row.
    let columns: Vec<u32> = (0..across).map(|c| c / block_w).collect();
    let rows: Option<Vec<u32>> =
        (height <= 1 << 18).then(|| (0..height as u32).map(|y| y / block_h).collect());
    for (i, status) in report.statuses().iter().enumerate() {
        let coords = report.cell_coords(i as u32);
        let Some((&last, before)) = coords.split_last().filter(|_| coords.len() == nd) else {
            continue;
        };
        let mut y: u64 = 0;
        for (c, s) in before.iter().zip(down) {
            y = y * u64::from((*s).max(1)) + u64::from(*c);
        }
        let x = columns
            .get(last as usize)
            .copied()
            .unwrap_or(last / block_w);
        let y = match &rows {
            Some(rows) => rows.get(y as usize).copied().unwrap_or(u32::MAX) as usize,
            None => (y / u64::from(block_h)) as usize,
        };
        let v = *status as u8 + 1;
        if let Some(p) = pixels.get_mut(y * width as usize + x as usize) {
            *p = (*p).max(v);
        }
    }
    Heat {
        width,
        height: h,
        pixels,
        block_w,
        block_h,
    }
}

impl Session {
    /// A window of rows matching `filter`.
    pub fn rows(
        &mut self,
        run: u32,
        table: u32,
        filter: Filter,
        offset: u32,
        limit: u32,
    ) -> Result<RowsPage, String> {
        // No filter: every cell, in order (no list of a million indices to build).
        let all = filter == Filter::default();
        let cached =
            all || matches!(&self.filtered, Some((t, f, _)) if *t == table && *f == filter);
        if !cached {
            let (_, report) = self.table(run, table)?;
            let cells: Vec<u32> = match filter.rule {
                // By status only: the statuses alone, not each cell's findings.
                None => report
                    .statuses()
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| !filter.not_safe || **s != Status::Safe)
                    .map(|(i, _)| i as u32)
                    .collect(),
                Some(r) => report
                    .cells()
                    .enumerate()
                    .filter(|(_, c)| !filter.not_safe || c.status != Status::Safe)
                    .filter(|(_, c)| c.findings.iter().any(|f| f.rule == r))
                    .map(|(i, _)| i as u32)
                    .collect(),
            };
            self.filtered = Some((table, filter, cells));
        }
        let (entry, report) = self.table(run, table)?;
        let matching: &[u32] = self.filtered.as_ref().map_or(&[], |(_, _, c)| c);
        let (total, window): (usize, Box<dyn Iterator<Item = u32>>) = if all {
            let total = report.len();
            let from = (offset as usize).min(total);
            let to = from.saturating_add(limit.min(1000) as usize).min(total);
            (total, Box::new(from as u32..to as u32))
        } else {
            (
                matching.len(),
                Box::new(
                    matching
                        .iter()
                        .skip(offset as usize)
                        .take(limit.min(1000) as usize)
                        .copied(),
                ),
            )
        };
        let published: Vec<_> = entry.map_or_else(Vec::new, |e| {
            e.roles
                .published
                .iter()
                .filter_map(|p| e.frame.column(p))
                .collect()
        });
        let rows = window
            .filter_map(|cell| {
                let c = report.cell(cell)?;
                let mut rules: Vec<_> = c.findings.iter().map(|f| f.rule).collect();
                rules.dedup();
                Some(RowView {
                    cell,
                    coords: report
                        .coords_of(cell)
                        .map(|(_, code)| code.to_owned())
                        .collect(),
                    published: published
                        .iter()
                        .map(|col| col.text(cell as usize).into_owned())
                        .collect(),
                    status: c.status,
                    rules,
                })
            })
            .collect();
        Ok(RowsPage {
            run,
            table,
            filter,
            total: total as u32,
            offset,
            rows,
        })
    }

    /// One cell's explanation.
    pub fn explain(&self, run: u32, table: u32, cell: u32) -> Result<Explanation, String> {
        let (entry, report) = self.table(run, table)?;
        let c = report.cell(cell).ok_or_else(|| format!("no cell {cell}"))?;
        let i = cell as usize;
        let mut shadow = Vec::new();
        // A saved report has the verdicts but not the table's shadow values.
        if let Some(entry) = entry {
            let s = entry.table.shadow();
            let fmt = |x: Option<f64>| x.map_or_else(|| "—".to_owned(), cellguard_io::number);
            if i < s.n.len() {
                shadow.push((
                    "n".to_owned(),
                    s.n.get(i).map_or_else(|| "—".into(), |n| n.to_string()),
                ));
            }
            if let Some(v) = &s.value {
                shadow.push(("value".to_owned(), fmt(v.get(i))));
            }
            for (k, col) in s.top.iter().enumerate() {
                shadow.push((format!("top{}", k + 1), fmt(col.get(i))));
            }
            if let Some(v) = &s.dof {
                shadow.push(("dof".to_owned(), fmt(v.get(i))));
            }
        }
        let coords: Vec<(String, String)> = report
            .coords_of(cell)
            .map(|(d, code)| (d.to_owned(), code.to_owned()))
            .collect();
        // Findings name a dimension by its position; the coordinates list the dimensions in order.
        let dims: Vec<&str> = coords.iter().map(|(d, _)| d.as_str()).collect();
        Ok(Explanation {
            run,
            table,
            cell,
            row: c.row,
            findings: c
                .findings
                .iter()
                .map(|f| FindingView::new(f, &dims))
                .collect(),
            coords,
            status: c.status,
            shadow,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::fixtures::*;

    /// Windows without a filter page through every cell in order; a filter pages through its matches only.
    #[test]
    fn row_windows_page_through_the_cells() {
        let mut s = Session::default();
        let (out, _) = run(&mut s, vec![file("t.csv", TABLE)]);
        let cells = out.tables[0].counts.cells;
        assert!(cells >= 3, "{cells}");
        let unsafe_ = out.tables[0].counts.unsafe_ + out.tables[0].counts.review;
        for offset in 0..=cells as u32 + 1 {
            let page = s.rows(1, 0, Filter::default(), offset, 2).unwrap();
            assert_eq!(page.total, cells as u32);
            let want: Vec<u32> = (offset..(offset + 2).min(cells as u32)).collect();
            assert_eq!(page.rows.iter().map(|r| r.cell).collect::<Vec<_>>(), want);
        }
        let not_safe = Filter {
            not_safe: true,
            rule: None,
        };
        let page = s.rows(1, 0, not_safe, 0, 1000).unwrap();
        assert_eq!(page.total as u64, unsafe_);
        assert!(page.rows.iter().all(|r| r.status != Status::Safe));
        assert_eq!(
            s.rows(1, 0, Filter::default(), 0, 1000).unwrap().rows.len() as u64,
            cells
        );
    }

    #[test]
    fn heat_marks_the_worst_status_per_block() {
        let mut s = Session::default();
        let (out, _) = run(&mut s, vec![file("t.csv", TABLE)]);
        let h = &out.tables[0].heat;
        // sex (3 codes) down, region (1 code) across.
        assert_eq!((h.width, h.height), (1, 3));
        assert!(h.pixels.contains(&3) && h.pixels.contains(&1));
    }
}
