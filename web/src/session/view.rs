//! What the page is shown of a checked table: windows of its rows (every cell, or those a filter picks), one
//! cell's explanation, and the status map.

use super::Session;
use crate::protocol::*;
use cellguard_engine::suppress::Role;
use cellguard_engine::{Status, TableReport};

/// Largest side of the status picture, in blocks.
const HEAT_MAX: u32 = 256;

/// Where a table's cells fall in its status picture: the last dimension across, the others down, shrunk to at most
/// [`HEAT_MAX`] blocks each way. The picture ([`heat`]) and a click on it ([`Session::locate`]) both place cells
/// by [`Layout::pixel`].
struct Layout {
    /// Sizes of the dimensions laid down (all but the last).
    down: Vec<u32>,
    dims: usize,
    block_w: u32,
    block_h: u32,
    width: u32,
    height: u32,
    /// The block column of each code of the last dimension, and the block row of each row of the full grid (up to
    /// 262,144 of them): table lookups rather than two divisions a cell.
    columns: Vec<u32>,
    rows: Option<Vec<u32>>,
}

impl Layout {
    fn of(report: &TableReport) -> Option<Layout> {
        let sizes: Vec<u32> = report
            .dimensions
            .iter()
            .map(|d| u32::try_from(d.codes.len()).unwrap_or(u32::MAX).max(1))
            .collect();
        let (&across, down) = sizes.split_last()?;
        let grid_rows: u64 = down.iter().map(|&s| u64::from(s)).product();
        let block_w = across.div_ceil(HEAT_MAX);
        let grid_rows32 = u32::try_from(grid_rows).unwrap_or(u32::MAX);
        let block_h = grid_rows32.div_ceil(HEAT_MAX).max(1);
        Some(Layout {
            down: down.to_vec(),
            dims: sizes.len(),
            block_w,
            block_h,
            width: across.div_ceil(block_w),
            height: grid_rows32.div_ceil(block_h),
            columns: (0..across).map(|c| c / block_w).collect(),
            rows: (grid_rows <= 1 << 18)
                .then(|| (0..grid_rows as u32).map(|y| y / block_h).collect()),
        })
    }

    /// The pixel (index into the picture, row by row) of the cell at `coords`.
    fn pixel(&self, coords: &[u32]) -> Option<usize> {
        let (&last, before) = coords.split_last().filter(|_| coords.len() == self.dims)?;
        let mut y: u64 = 0;
        for (c, s) in before.iter().zip(&self.down) {
            y = y * u64::from(*s) + u64::from(*c);
        }
        let x = self.columns.get(last as usize).copied()?;
        let y = match &self.rows {
            Some(rows) => *rows.get(y as usize)?,
            None => u32::try_from(y / u64::from(self.block_h)).ok()?,
        };
        (y < self.height).then(|| y as usize * self.width as usize + x as usize)
    }
}

/// The status picture of a table (see [`Heat`]).
pub fn heat(report: &TableReport) -> Heat {
    let Some(layout) = Layout::of(report) else {
        return Heat::default();
    };
    let size = layout.width as usize * layout.height as usize;
    let mut pixels = vec![0u8; size];
    let (mut cells, mut not_safe) = (vec![0u32; size], vec![0u32; size]);
    for (i, status) in report.statuses().iter().enumerate() {
        let Some(p) = layout.pixel(report.cell_coords(i as u32)) else {
            continue;
        };
        if let (Some(worst), Some(n), Some(bad)) =
            (pixels.get_mut(p), cells.get_mut(p), not_safe.get_mut(p))
        {
            *worst = (*worst).max(*status as u8 + 1);
            *n += 1;
            *bad += u32::from(*status != Status::Safe);
        }
    }
    Heat {
        width: layout.width,
        height: layout.height,
        pixels,
        shares: cells
            .iter()
            .zip(&not_safe)
            .map(|(&n, &bad)| share(bad, n))
            .collect(),
        block_w: layout.block_w,
        block_h: layout.block_h,
    }
}

/// `part` of `whole` in 255ths, rounded up: a block with any cell that is not safe has a share of at least 1.
fn share(part: u32, whole: u32) -> u8 {
    if whole == 0 {
        return 0;
    }
    u8::try_from((u64::from(part) * 255).div_ceil(u64::from(whole))).unwrap_or(u8::MAX)
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
        let all = self.filter_cells(run, table, filter)?;
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

    /// The cell a click on block (`x`, `y`) of the status picture goes to: among the cells `filter` shows, the
    /// first of the block's worst status, with its position in the filter's rows. `None` when the filter shows
    /// none of the block's cells.
    pub fn locate(
        &mut self,
        run: u32,
        table: u32,
        filter: Filter,
        x: u32,
        y: u32,
    ) -> Result<Located, String> {
        let all = self.filter_cells(run, table, filter)?;
        let (_, report) = self.table(run, table)?;
        let layout = Layout::of(report).ok_or("the table has no status picture")?;
        if x >= layout.width || y >= layout.height {
            return Err(format!(
                "no block ({x}, {y}) in a picture of {} × {}",
                layout.width, layout.height
            ));
        }
        let block = y as usize * layout.width as usize + x as usize;
        let cells: Box<dyn Iterator<Item = u32>> = if all {
            Box::new(0..report.len() as u32)
        } else {
            Box::new(self.filtered.iter().flat_map(|(_, _, c)| c.iter().copied()))
        };
        let mut found: Option<(u32, u32, Status)> = None;
        for (position, cell) in (0u32..).zip(cells) {
            let Some(&status) = report.statuses().get(cell as usize) else {
                continue;
            };
            if layout.pixel(report.cell_coords(cell)) == Some(block)
                && found.is_none_or(|(.., worst)| status as u8 > worst as u8)
            {
                found = Some((position, cell, status));
                if status == Status::Unsafe {
                    break;
                }
            }
        }
        Ok(Located {
            run,
            table,
            filter,
            found: found.map(|(position, cell, _)| (position, cell)),
        })
    }

    /// Makes the list of the cells `filter` shows (kept until another filter or table is asked for); true when
    /// the filter shows every cell, in order, and needs no list.
    fn filter_cells(&mut self, run: u32, table: u32, filter: Filter) -> Result<bool, String> {
        // No filter: every cell, in order (no list of a million indices to build).
        let all = filter == Filter::default();
        let cached =
            all || matches!(&self.filtered, Some((t, f, _)) if *t == table && *f == filter);
        if !cached {
            let (_, report) = self.table(run, table)?;
            // "Not safe" takes in, once the table is protected, the cells suppressed to protect the others:
            // neither is published.
            let pattern = self.patterns.get(&table).map_or(&[][..], Vec::as_slice);
            let secondary = |i: usize| pattern.get(i) == Some(&Role::Secondary);
            let shown = |i: usize, s: Status| !filter.not_safe || s != Status::Safe || secondary(i);
            let cells: Vec<u32> = match filter.rule {
                // By status only: the statuses alone, not each cell's findings.
                None => report
                    .statuses()
                    .iter()
                    .enumerate()
                    .filter(|&(i, s)| shown(i, *s))
                    .map(|(i, _)| i as u32)
                    .collect(),
                Some(r) => report
                    .cells()
                    .enumerate()
                    .filter(|(i, c)| shown(*i, c.status))
                    .filter(|(_, c)| c.findings.iter().any(|f| f.rule == r))
                    .map(|(i, _)| i as u32)
                    .collect(),
            };
            self.filtered = Some((table, filter, cells));
        }
        Ok(all)
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

    /// Once the table is protected, "not safe" takes in the secondaries, even for a list made before the
    /// pattern came; without a pattern it shows the cells the rules did not clear alone.
    #[test]
    fn the_not_safe_filter_takes_in_the_secondaries_of_a_pattern() {
        let mut s = Session::default();
        let (out, _) = run(&mut s, vec![file("t.csv", TABLE)]);
        let not_safe = Filter {
            not_safe: true,
            rule: None,
        };
        let before = s.rows(1, 0, not_safe, 0, 1000).unwrap();
        let (_, report) = s.table(1, 0).unwrap();
        let statuses = report.statuses().to_vec();
        let secondary = statuses.iter().position(|&st| st == Status::Safe).unwrap() as u32;
        let roles: Vec<u8> = (statuses.iter().enumerate())
            .map(|(i, &st)| match (st, i as u32 == secondary) {
                (Status::Safe, true) => 2,
                (Status::Safe, false) => 0,
                _ => 1,
            })
            .collect();
        s.keep_pattern(1, 0, &roles).unwrap();
        let after = s.rows(1, 0, not_safe, 0, 1000).unwrap();
        assert_eq!(after.total, before.total + 1);
        let counts = &out.tables[0].counts;
        assert_eq!(after.total as u64, counts.unsafe_ + counts.review + 1);
        assert!(
            after
                .rows
                .iter()
                .any(|r| r.cell == secondary && r.status == Status::Safe)
        );
    }

    /// 600 regions down, one code across: blocks of 3 cells. Regions 0–2 are all unsafe, and every third region
    /// after them (one unsafe cell of 3 in each block).
    fn tall() -> String {
        let mut csv = String::from("region,sex,n\n");
        for i in 0..600 {
            let n = if i < 3 || i % 3 == 0 { 3 } else { 40 };
            csv.push_str(&format!("r{i:03},F,{n}\n"));
        }
        csv
    }

    #[test]
    fn heat_tells_a_block_with_one_unsafe_cell_from_one_with_all() {
        let mut s = Session::default();
        let (out, _) = run(&mut s, vec![file("tall.csv", &tall())]);
        let h = &out.tables[0].heat;
        assert_eq!((h.width, h.height, h.block_w, h.block_h), (1, 200, 1, 3));
        assert_eq!((h.pixels[0], h.shares[0]), (3, 255), "all three unsafe");
        assert_eq!((h.pixels[5], h.shares[5]), (3, 85), "one of three");
        assert_eq!(h.shares.len(), h.pixels.len());
    }

    #[test]
    fn a_click_on_the_map_goes_to_the_worst_cell_of_its_block_among_the_rows_shown() {
        let mut s = Session::default();
        run(&mut s, vec![file("tall.csv", &tall())]);
        let not_safe = Filter {
            not_safe: true,
            rule: None,
        };
        // Block 5 holds regions 15–17; region 15 is unsafe: row 15 of every cell, row 7 of the unsafe ones
        // (0, 1, 2, 3, 6, 9, 12, 15).
        assert_eq!(
            s.locate(1, 0, Filter::default(), 0, 5).unwrap().found,
            Some((15, 15))
        );
        assert_eq!(s.locate(1, 0, not_safe, 0, 5).unwrap().found, Some((7, 15)));
        let page = s.rows(1, 0, not_safe, 7, 1).unwrap();
        assert_eq!(page.rows[0].cell, 15);
        // A filter that shows none of the block's cells, and a block outside the picture.
        let dominance = Filter {
            not_safe: false,
            rule: Some(cellguard_engine::RuleCode::Dominance),
        };
        assert_eq!(s.locate(1, 0, dominance, 0, 5).unwrap().found, None);
        assert!(s.locate(1, 0, not_safe, 1, 0).is_err());
        assert!(s.locate(1, 0, not_safe, 0, 200).is_err());
        assert!(s.locate(2, 0, not_safe, 0, 5).is_err(), "a stale run");
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
