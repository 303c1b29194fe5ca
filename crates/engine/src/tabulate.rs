//! The tabulation kernel: microdata columns → a table with shadow columns, all margins and sub-totals.
//!
//! Counting is by unit: a cell's `n` is the number of distinct units with a row in it, and a unit's rows in a cell
//! are summed into one contribution before the top-K list sees them. A unit whose rows all fall in one leaf cell
//! (the usual case, and every case when each row is its own unit) is added to that leaf's [`Partial`], and
//! partials roll up to margins by merging. A unit spread over several leaves (a person-year row set) goes into
//! every cell above each of its leaves as it comes: a cell keeps the last unit it saw open and adds that unit's
//! rows from its other leaves to it, so each cell counts the unit once with its summed contribution, with no list
//! of the cells every unit touches.
//!
//! Partials of microdata split *by unit* merge exactly ([`Partials::merge`]), so a phase-2 extract can be
//! tabulated partition by partition.
//!
//! (Past 600 lines: the kernel's paths — slots, sorting, units spread over leaves, direct index or hash map —
//! stay side by side so the tests can hold them to one naive reference.)

use crate::Error;
use crate::hierarchy::Hierarchy;
use crate::table::{Column, Dimension, Shadow, Table};
use crate::topk::{Partial, UnitPart};
use std::collections::BTreeMap;

/// A categorical microdata column: one dictionary id per row.
#[derive(Debug, Clone, PartialEq)]
pub struct CatColumn {
    pub name: String,
    pub ids: Vec<u32>,
    pub dictionary: Vec<String>,
}

/// Microdata as the kernel reads it (the io crate builds it from files).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Microdata {
    pub dims: Vec<CatColumn>,
    /// Unit identifier per row; `None`: each row is its own unit.
    pub unit: Option<Vec<u64>>,
    /// The magnitude per row; a missing entry is a missing value.
    pub value: Option<Column<f64>>,
    /// Sampling weight per row.
    pub weight: Option<Vec<f64>>,
    /// Rows (1-based) in the source, for messages; empty means 1..=len.
    pub source_rows: Vec<u64>,
}

impl Microdata {
    pub fn len(&self) -> usize {
        self.dims.first().map_or(0, |d| d.ids.len())
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn source_row(&self, i: usize) -> u64 {
        self.source_rows.get(i).copied().unwrap_or(i as u64 + 1)
    }
}

/// The published statistic of a tabulated table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Agg {
    /// Number of distinct units.
    Count,
    /// Sum of the value.
    Sum,
    /// Mean of the value over the rows that have one.
    Mean,
}

impl Agg {
    pub fn as_str(self) -> &'static str {
        match self {
            Agg::Count => "count",
            Agg::Sum => "sum",
            Agg::Mean => "mean",
        }
    }
}

/// What to tabulate.
#[derive(Debug, Clone, PartialEq)]
pub struct TabulateSpec {
    /// Dimension columns of the rows, then of the columns (the grid is rows × columns, as in a crosstab).
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    pub agg: Agg,
    /// Add every margin and sub-total.
    pub margins: bool,
    /// Top contributions kept per cell (≥ 3 by default so dominance (2, k) and p % can run).
    pub top_k: u32,
    /// Code of the margin cells of dimensions without a codelist.
    pub total: String,
    /// Codelists by dimension name.
    pub hierarchies: BTreeMap<String, Hierarchy>,
}

impl TabulateSpec {
    pub fn new(rows: &[&str], cols: &[&str], agg: Agg) -> Self {
        TabulateSpec {
            rows: rows.iter().map(|s| s.to_string()).collect(),
            cols: cols.iter().map(|s| s.to_string()).collect(),
            agg,
            margins: false,
            top_k: 3,
            total: "Total".into(),
            hierarchies: BTreeMap::new(),
        }
    }
    fn dim_names(&self) -> impl Iterator<Item = &String> {
        self.rows.iter().chain(&self.cols)
    }
}

/// A tabulated table and its published statistic.
#[derive(Debug, Clone, PartialEq)]
pub struct Tabulated {
    pub table: Table,
    pub agg: Agg,
    /// The published statistic per cell (`None`: undefined, e.g. the mean of an empty cell).
    pub statistic: Vec<Option<f64>>,
}

/// Pre-rollup partials of one or more unit-disjoint partitions.
#[derive(Debug, Clone, PartialEq)]
pub struct Partials {
    /// Leaf cells of single-leaf units, sorted by key.
    leaves: Vec<(u64, Partial)>,
    /// Cells (leaf or margin) of multi-leaf units, already expanded, sorted by key.
    direct: Vec<(u64, Partial)>,
    top_k: u32,
    weighted: bool,
}

impl Partials {
    /// Merges the partials of another partition holding *other units*: both sorted by key (as [`Tabulator::partial`]
    /// and this make them), merged in one pass; a cell's parts are added this partition's first.
    pub fn merge(self, other: Partials) -> Partials {
        Partials {
            leaves: merge_sorted(self.leaves, other.leaves),
            direct: merge_sorted(self.direct, other.direct),
            top_k: self.top_k,
            weighted: self.weighted || other.weighted,
        }
    }

    /// Merges the partials of partitions holding different units, one by one in the order given. The order
    /// decides in which order a cell's sums are added, so a caller that tabulates partitions at once fixes it (by
    /// partition, not by which finished first); `None` for none.
    pub fn merge_all(parts: impl IntoIterator<Item = Partials>) -> Option<Partials> {
        let mut parts = parts.into_iter();
        let first = parts.next()?;
        Some(parts.fold(first, Partials::merge))
    }
}

/// Two key-sorted partial lists as one, equal keys folded, `a`'s before `b`'s: what [`fold`] makes of them
/// concatenated, in one pass.
fn merge_sorted(a: Vec<(u64, Partial)>, b: Vec<(u64, Partial)>) -> Vec<(u64, Partial)> {
    let mut out: Vec<(u64, Partial)> = Vec::with_capacity(a.len().max(b.len()));
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x.0 <= y.0 => a.next(),
            (Some(_), Some(_)) | (None, Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, None) => break,
        };
        let Some((k, p)) = next else { break };
        match out.last_mut() {
            Some((lk, lp)) if *lk == k => lp.merge(&p),
            _ => out.push((k, p)),
        }
    }
    out
}

/// Sorts partials by key and folds equal keys, in the order they come (a stable sort).
fn fold(mut all: Vec<(u64, Partial)>) -> Vec<(u64, Partial)> {
    all.sort_by_key(|e| e.0);
    let mut out: Vec<(u64, Partial)> = Vec::with_capacity(all.len());
    for (k, p) in all {
        match out.last_mut() {
            Some((lk, lp)) if *lk == k => lp.merge(&p),
            _ => out.push((k, p)),
        }
    }
    out
}

/// Tabulates microdata with fixed dimensions (shared by all partitions).
#[derive(Debug, Clone)]
pub struct Tabulator {
    spec: TabulateSpec,
    dims: Vec<Dimension>,
    strides: Vec<u64>,
}

impl Tabulator {
    /// Dimensions from the codelists in `spec` and, for the others, the codes seen in `md` (plus the total code
    /// when margins are asked for).
    pub fn from_data(spec: &TabulateSpec, md: &Microdata) -> Result<Self, Error> {
        let mut dims = Vec::new();
        for name in spec.dim_names() {
            let col = md.dims.iter().find(|c| &c.name == name).ok_or_else(|| {
                Error::Shape(format!("no dimension column `{name}` in the microdata"))
            })?;
            let dim = match spec.hierarchies.get(name) {
                Some(h) => Dimension::with_hierarchy(name, h),
                None => {
                    if spec.margins {
                        if let Some(pos) = col
                            .ids
                            .iter()
                            .position(|&id| col.dictionary.get(id as usize) == Some(&spec.total))
                        {
                            return Err(Error::Shape(format!(
                                "row {}: column `{name}` has the code `{}`, which is the total code of the margins; \
                                 give another total code",
                                md.source_row(pos),
                                spec.total
                            )));
                        }
                    }
                    Dimension::flat(
                        name,
                        col.dictionary.iter().cloned(),
                        spec.margins.then_some(spec.total.as_str()),
                    )
                }
            };
            dims.push(dim);
        }
        Self::new(spec, dims)
    }

    pub fn new(spec: &TabulateSpec, dims: Vec<Dimension>) -> Result<Self, Error> {
        if dims.is_empty() {
            return Err(Error::Shape(
                "a table needs at least one dimension (rows or columns)".into(),
            ));
        }
        if spec.top_k as usize > crate::topk::MAX_TOP {
            return Err(Error::Shape(format!(
                "at most {} top contributions per cell, asked for {}",
                crate::topk::MAX_TOP,
                spec.top_k
            )));
        }
        let mut strides = vec![0u64; dims.len()];
        let mut acc: u64 = 1;
        for d in (0..dims.len()).rev() {
            if let Some(s) = strides.get_mut(d) {
                *s = acc;
            }
            let radix = dims.get(d).map_or(1, |x| x.len().max(1) as u64);
            acc = acc.checked_mul(radix).ok_or_else(|| {
                Error::Shape("the dimensions have more than 2^64 code combinations".into())
            })?;
        }
        Ok(Tabulator {
            spec: spec.clone(),
            dims,
            strides,
        })
    }

    pub fn dims(&self) -> &[Dimension] {
        &self.dims
    }

    /// Partials of one partition.
    pub fn partial(
        &self,
        md: &Microdata,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Partials, Error> {
        let rows = md.len();
        check_lengths(md, rows)?;
        let k = self.spec.top_k;
        // Leaf key per row.
        let mut keys = vec![0u64; rows];
        for (dim, &stride) in self.dims.iter().zip(&self.strides) {
            let col = md
                .dims
                .iter()
                .find(|c| c.name == dim.name())
                .ok_or_else(|| {
                    Error::Shape(format!(
                        "no dimension column `{}` in the microdata",
                        dim.name()
                    ))
                })?;
            let map: Vec<Option<u32>> = col.dictionary.iter().map(|c| dim.id(c)).collect();
            for (i, (key, &id)) in keys.iter_mut().zip(&col.ids).enumerate() {
                match map.get(id as usize).copied().flatten() {
                    Some(code) => *key += u64::from(code) * stride,
                    None => {
                        return Err(Error::UnknownCode {
                            row: md.source_row(i),
                            dimension: dim.name().to_owned(),
                            code: col.dictionary.get(id as usize).cloned().unwrap_or_default(),
                        });
                    }
                }
            }
        }
        progress(rows as u64 / 3, rows as u64);
        let part = |i: usize| -> UnitPart {
            let w = md
                .weight
                .as_ref()
                .and_then(|w| w.get(i).copied())
                .unwrap_or(1.0);
            match md.value.as_ref() {
                Some(v) => UnitPart::row(v.get(i), w, false),
                None => UnitPart::row(None, w, true),
            }
        };
        let mut leaves: Vec<(u64, Partial)> = Vec::new();
        let mut direct: Vec<(u64, Partial)> = Vec::new();
        match &md.unit {
            None if self.key_space() <= (rows / 8).max(1 << 12) && !sort_forced() => {
                // Few cells for many rows: one slot per leaf key, rows added in row order (as the sort below
                // would add them, so the sums are the same to the bit).
                let mut slots: Vec<Option<Partial>> = vec![None; self.key_space()];
                for (i, &key) in keys.iter().enumerate() {
                    if let Some(slot) = slots.get_mut(key as usize) {
                        slot.get_or_insert_with(|| Partial::new(k))
                            .add_unit(&part(i));
                    }
                }
                leaves = slots
                    .into_iter()
                    .enumerate()
                    .filter_map(|(key, p)| p.map(|p| (key as u64, p)))
                    .collect();
            }
            None => {
                let mut order: Vec<(u64, u32)> = keys
                    .iter()
                    .enumerate()
                    .map(|(i, &k)| (k, i as u32))
                    .collect();
                order.sort_unstable();
                for (key, i) in order {
                    if !matches!(leaves.last(), Some((lk, _)) if *lk == key) {
                        leaves.push((key, Partial::new(k)));
                    }
                    if let Some((_, p)) = leaves.last_mut() {
                        p.add_unit(&part(i as usize));
                    }
                }
            }
            Some(units) => {
                let mut order: Vec<(u64, u64, u32)> = units
                    .iter()
                    .zip(&keys)
                    .enumerate()
                    .map(|(i, (&u, &k))| (u, k, i as u32))
                    .collect();
                order.sort_unstable();
                // Units are added to their cells as they come, in unit order (as one list sorted by cell would
                // add them): a list would take a record per unit and cell it touches.
                let mut single = Cells::new(self.key_space(), rows);
                let mut spread = Cells::new(self.key_space(), rows);
                let (mut cells, mut next) = (Vec::new(), Vec::new());
                let mut per_leaf: Vec<(u64, UnitPart)> = Vec::new();
                // Progress from a third to two thirds as the units are added (a unit spread over many cells
                // makes this the long step).
                let (mut done, mut told) = (0usize, 0usize);
                for unit_rows in order.chunk_by(|a, b| a.0 == b.0) {
                    done += unit_rows.len();
                    if done - told >= 1 << 16 {
                        told = done;
                        progress((rows + done) as u64 / 3, rows as u64);
                    }
                    // The unit's rows, summed per leaf.
                    per_leaf.clear();
                    for &(_, key, i) in unit_rows {
                        let p = part(i as usize);
                        match per_leaf.last_mut() {
                            Some((lk, lp)) if *lk == key => lp.add(&p),
                            _ => per_leaf.push((key, p)),
                        }
                    }
                    let unit = unit_rows.first().map_or(0, |r| r.0);
                    if let [(key, p)] = per_leaf.as_slice() {
                        single.add(*key, k, p);
                    } else {
                        // Every cell above one of the unit's leaves gets the unit's rows under it, leaf by leaf.
                        for (key, p) in &per_leaf {
                            self.ancestor_cells(*key, &mut cells, &mut next);
                            for &cell in &cells {
                                spread.add_part(cell, k, unit, p);
                            }
                        }
                    }
                }
                leaves = single.into_sorted();
                direct = spread.into_sorted();
            }
        }
        progress(rows as u64 * 2 / 3, rows as u64);
        Ok(Partials {
            leaves: fold(leaves),
            direct: fold(direct),
            top_k: k,
            weighted: md.weight.is_some(),
        })
    }

    /// Number of cell keys (every code combination, margins included).
    fn key_space(&self) -> usize {
        self.dims
            .iter()
            .try_fold(1usize, |acc, d| acc.checked_mul(d.len().max(1)))
            .unwrap_or(usize::MAX)
    }

    /// The key of every cell a leaf contributes to, into `cells`: the leaf and, with margins, every combination of
    /// its codes' ancestors. `next` is scratch space.
    fn ancestor_cells(&self, leaf: u64, cells: &mut Vec<u64>, next: &mut Vec<u64>) {
        cells.clear();
        if !self.spec.margins {
            cells.push(leaf);
            return;
        }
        cells.push(0);
        for (d, dim) in self.dims.iter().enumerate() {
            let stride = self.strides.get(d).copied().unwrap_or(1);
            let code = ((leaf / stride) % dim.len().max(1) as u64) as u32;
            next.clear();
            for a in dim.self_and_ancestors(code) {
                next.extend(cells.iter().map(|c| c + u64::from(a) * stride));
            }
            std::mem::swap(cells, next);
        }
    }

    /// Rolls the partials up to every margin and builds the table (`name`) with its published statistic.
    pub fn finish(&self, name: &str, partials: Partials) -> Result<Tabulated, Error> {
        let mut cells = partials.leaves;
        if self.spec.margins {
            for (d, dim) in self.dims.iter().enumerate() {
                let stride = self.strides.get(d).copied().unwrap_or(1);
                let mut up = Vec::new();
                for (key, p) in &cells {
                    let code = ((key / stride) % dim.len().max(1) as u64) as u32;
                    for a in dim.self_and_ancestors(code).skip(1) {
                        up.push((key - u64::from(code) * stride + u64::from(a) * stride, *p));
                    }
                }
                cells.extend(up);
                cells = fold(cells);
            }
        }
        cells.extend(partials.direct);
        let cells = fold(cells);
        let cells = self.with_grid_zeros(cells, partials.top_k);
        self.build(name, cells, partials.weighted)
    }

    /// Adds the empty cells of the rows × columns grid, as a crosstab shows them.
    fn with_grid_zeros(&self, cells: Vec<(u64, Partial)>, k: u32) -> Vec<(u64, Partial)> {
        if self.spec.rows.is_empty() || self.spec.cols.is_empty() {
            return cells;
        }
        let nr = self.spec.rows.len();
        let col_span: u64 = self.strides.get(nr.saturating_sub(1)).copied().unwrap_or(1);
        let mut row_parts: Vec<u64> = cells.iter().map(|(k, _)| k - k % col_span).collect();
        let mut col_parts: Vec<u64> = cells.iter().map(|(k, _)| k % col_span).collect();
        row_parts.sort_unstable();
        row_parts.dedup();
        col_parts.sort_unstable();
        col_parts.dedup();
        if row_parts.len().saturating_mul(col_parts.len()) == cells.len() {
            return cells;
        }
        let mut out = Vec::with_capacity(row_parts.len() * col_parts.len());
        let mut it = cells.into_iter().peekable();
        for r in &row_parts {
            for c in &col_parts {
                let key = r + c;
                match it.peek() {
                    Some((k2, _)) if *k2 == key => {
                        if let Some(e) = it.next() {
                            out.push(e);
                        }
                    }
                    _ => out.push((key, Partial::new(k))),
                }
            }
        }
        out
    }

    fn build(
        &self,
        name: &str,
        cells: Vec<(u64, Partial)>,
        weighted: bool,
    ) -> Result<Tabulated, Error> {
        let nd = self.dims.len();
        let mut coords = Vec::with_capacity(cells.len() * nd);
        let has_value = self.spec.agg != Agg::Count;
        let k = self.spec.top_k as usize;
        let mut shadow = Shadow {
            n: Column::with_capacity(cells.len()),
            value: has_value.then(|| Column::with_capacity(cells.len())),
            top: if has_value {
                vec![Column::with_capacity(cells.len()); k]
            } else {
                Vec::new()
            },
            top_weight: if has_value && weighted {
                vec![Column::with_capacity(cells.len()); k]
            } else {
                Vec::new()
            },
            n_missing: has_value.then(|| Column::with_capacity(cells.len())),
            n_negative: has_value.then(|| Column::with_capacity(cells.len())),
            ..Shadow::default()
        };
        let mut weight = Column::with_capacity(if weighted { cells.len() } else { 0 });
        let mut statistic = Vec::with_capacity(cells.len());
        for (key, p) in &cells {
            for (dim, &stride) in self.dims.iter().zip(&self.strides) {
                coords.push(((key / stride) % dim.len().max(1) as u64) as u32);
            }
            // A magnitude's units are its contributors: the units with a value (a mean of wages over 12 persons
            // of whom 5 have no wage is a mean of 7).
            shadow
                .n
                .push(Some(if has_value { p.contributors } else { p.units }));
            if let Some(v) = shadow.value.as_mut() {
                v.push(Some(p.sum));
            }
            let tops = p.top.items();
            for (j, col) in shadow.top.iter_mut().enumerate() {
                col.push(tops.get(j).map(|&(v, _)| v));
            }
            for (j, col) in shadow.top_weight.iter_mut().enumerate() {
                col.push(tops.get(j).map(|&(_, w)| w));
            }
            if let Some(m) = shadow.n_missing.as_mut() {
                m.push(Some(p.n_missing));
            }
            if let Some(m) = shadow.n_negative.as_mut() {
                m.push(Some(p.n_negative));
            }
            if weighted {
                weight.push(Some(p.weight));
            }
            statistic.push(match self.spec.agg {
                Agg::Count => Some(p.units as f64),
                Agg::Sum => Some(p.sum),
                Agg::Mean if weighted && p.valued_weight != 0.0 => Some(p.sum / p.valued_weight),
                Agg::Mean if !weighted && p.valued_rows > 0 => Some(p.sum / p.valued_rows as f64),
                Agg::Mean => None,
            });
        }
        if weighted {
            shadow.weight = Some(weight);
        }
        let rows = (1..=cells.len() as u64).collect();
        let table = Table::new(name, self.dims.clone(), coords, rows, shadow)?;
        Ok(Tabulated {
            table,
            agg: self.spec.agg,
            statistic,
        })
    }
}

/// Partials by cell key, each built up from the units added to it in the order they are added. The cells are
/// kept in the order first touched, found through a direct index when the key space is not much larger than the
/// rows (4 bytes a key), through a hash map otherwise.
struct Cells {
    /// 1 + a key's position in `cells` (0: not touched yet).
    index: Vec<u32>,
    map: std::collections::HashMap<u64, u32>,
    keys: Vec<u64>,
    cells: Vec<Cell>,
}

/// A cell's units so far, and the last unit that came with the rows it has in the cell so far (a unit spread
/// over several leaves reaches a margin cell once from each of its leaves under it).
struct Cell {
    partial: Partial,
    open: Option<(u64, UnitPart)>,
}

impl Cell {
    fn close(&mut self) {
        if let Some((_, part)) = self.open.take() {
            self.partial.add_unit(&part);
        }
    }
}

impl Cells {
    fn new(key_space: usize, rows: usize) -> Self {
        let direct = key_space <= rows.saturating_mul(4).max(1 << 20) && !sort_forced();
        Cells {
            index: if direct {
                vec![0; key_space]
            } else {
                Vec::new()
            },
            map: std::collections::HashMap::new(),
            keys: Vec::new(),
            cells: Vec::new(),
        }
    }

    fn cell(&mut self, key: u64, k: u32) -> Option<&mut Cell> {
        let next = self.cells.len() as u32 + 1;
        let slot = if self.index.is_empty() {
            self.map.entry(key).or_insert(0)
        } else {
            self.index.get_mut(usize::try_from(key).ok()?)?
        };
        if *slot == 0 {
            *slot = next;
            self.keys.push(key);
            self.cells.push(Cell {
                partial: Partial::new(k),
                open: None,
            });
        }
        let at = *slot as usize - 1;
        self.cells.get_mut(at)
    }

    /// Adds one unit's rows in cell `key` (top `k` contributions kept).
    fn add(&mut self, key: u64, k: u32, p: &UnitPart) {
        if let Some(cell) = self.cell(key, k) {
            cell.partial.add_unit(p);
        }
    }

    /// Adds some of a unit's rows in cell `key`: they join the unit's other rows there when the unit is the last
    /// one the cell saw (units come in order); the unit is counted once, with all its rows, when the next comes.
    fn add_part(&mut self, key: u64, k: u32, unit: u64, p: &UnitPart) {
        let Some(cell) = self.cell(key, k) else {
            return;
        };
        match cell.open.as_mut() {
            Some((u, rows)) if *u == unit => rows.add(p),
            _ => {
                cell.close();
                cell.open = Some((unit, *p));
            }
        }
    }

    /// The cells that have units, by key.
    fn into_sorted(self) -> Vec<(u64, Partial)> {
        let mut out: Vec<(u64, Partial)> = self
            .keys
            .into_iter()
            .zip(self.cells)
            .map(|(key, mut cell)| {
                cell.close();
                (key, cell.partial)
            })
            .collect();
        out.sort_unstable_by_key(|(key, _)| *key);
        out
    }
}

fn check_lengths(md: &Microdata, rows: usize) -> Result<(), Error> {
    let bad = |what: &str, len: usize| {
        Error::Shape(format!(
            "microdata column {what} has {len} rows, expected {rows}"
        ))
    };
    for c in &md.dims {
        if c.ids.len() != rows {
            return Err(bad(&c.name, c.ids.len()));
        }
    }
    if let Some(u) = md.unit.as_ref().filter(|u| u.len() != rows) {
        return Err(bad("unit", u.len()));
    }
    if let Some(v) = md.value.as_ref().filter(|v| v.len() != rows) {
        return Err(bad("value", v.len()));
    }
    if let Some(w) = md.weight.as_ref().filter(|w| w.len() != rows) {
        return Err(bad("weight", w.len()));
    }
    Ok(())
}

#[cfg(test)]
thread_local! {
    /// Tests make tabulation take its paths for large key spaces (rows as units sorted, units' cells in a hash
    /// map), to compare them with the slots and the direct index.
    static FORCE_SORT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether a test asked for the paths of large key spaces.
fn sort_forced() -> bool {
    #[cfg(test)]
    return FORCE_SORT.with(std::cell::Cell::get);
    #[cfg(not(test))]
    false
}

/// Tabulates `md` in one go: dimensions from the data and codelists, one partition.
pub fn tabulate(
    name: &str,
    md: &Microdata,
    spec: &TabulateSpec,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Tabulated, Error> {
    if spec.agg != Agg::Count && md.value.is_none() {
        return Err(Error::Shape(format!(
            "--agg {} needs a value column",
            spec.agg.as_str()
        )));
    }
    let t = Tabulator::from_data(spec, md)?;
    let partials = t.partial(md, progress)?;
    let out = t.finish(name, partials)?;
    progress(md.len() as u64, md.len() as u64);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn cat(name: &str, codes: &[&str]) -> CatColumn {
        let mut dictionary: Vec<String> = codes.iter().map(|s| s.to_string()).collect();
        dictionary.sort();
        dictionary.dedup();
        let ids = codes
            .iter()
            .map(|c| dictionary.iter().position(|d| d == c).unwrap() as u32)
            .collect();
        CatColumn {
            name: name.into(),
            ids,
            dictionary,
        }
    }

    fn none(_: u64, _: u64) {}

    /// Person-year rows: unit 1 appears twice in sex=M (two years), so the year margin counts it once and sums it.
    #[test]
    fn counts_units_not_rows_and_sums_their_contributions() {
        let md = Microdata {
            dims: vec![
                cat("sex", &["M", "M", "F", "M"]),
                cat("year", &["2020", "2021", "2020", "2020"]),
            ],
            unit: Some(vec![1, 1, 2, 3]),
            value: Some(vec![Some(10.0), Some(30.0), Some(5.0), Some(7.0)].into()),
            ..Microdata::default()
        };
        let mut spec = TabulateSpec::new(&["sex"], &["year"], Agg::Sum);
        spec.margins = true;
        let t = tabulate("t", &md, &spec, &mut none).unwrap();
        let tab = &t.table;
        let find = |sex: &str, year: &str| {
            let c = [
                tab.dims()[0].id(sex).unwrap(),
                tab.dims()[1].id(year).unwrap(),
            ];
            tab.find(tab.key(&c)).unwrap()
        };
        let m_total = find("M", "Total");
        assert_eq!(tab.n(m_total), Some(2));
        assert_eq!(tab.value(m_total), Some(47.0));
        assert_eq!(
            tab.shadow().top[0].get(m_total as usize),
            Some(40.0),
            "unit 1's two rows summed"
        );
        assert_eq!(tab.shadow().top[1].get(m_total as usize), Some(7.0));
        let tt = find("Total", "Total");
        assert_eq!(tab.n(tt), Some(3));
        assert_eq!(t.statistic[tt as usize], Some(52.0));
        // The grid has the empty cell F × 2021.
        let f21 = find("F", "2021");
        assert_eq!(tab.n(f21), Some(0));
        assert_eq!(tab.len(), 9);
    }

    #[test]
    fn total_code_in_the_data_is_an_error() {
        let md = Microdata {
            dims: vec![cat("sex", &["M", "Total"])],
            ..Microdata::default()
        };
        let mut spec = TabulateSpec::new(&["sex"], &[], Agg::Count);
        spec.margins = true;
        let err = tabulate("t", &md, &spec, &mut none)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("row 2: column `sex` has the code `Total`"),
            "{err}"
        );
    }

    #[test]
    fn hierarchy_sub_totals() {
        let h = Hierarchy::from_pairs(
            "region",
            &[
                ("BE", ""),
                ("VL", "BE"),
                ("WA", "BE"),
                ("ANT", "VL"),
                ("GNT", "VL"),
                ("LIE", "WA"),
            ]
            .map(|(c, p)| (c.to_string(), Some(p.to_string()))),
        )
        .unwrap();
        let md = Microdata {
            dims: vec![cat("region", &["ANT", "GNT", "GNT", "LIE"])],
            ..Microdata::default()
        };
        let mut spec = TabulateSpec::new(&["region"], &[], Agg::Count);
        spec.margins = true;
        spec.hierarchies.insert("region".into(), h);
        let t = tabulate("t", &md, &spec, &mut none).unwrap();
        let n = |code: &str| {
            t.table
                .n(t.table
                    .find(t.table.key(&[t.table.dims()[0].id(code).unwrap()]))
                    .unwrap())
        };
        assert_eq!(
            (n("BE"), n("VL"), n("WA"), n("GNT")),
            (Some(4), Some(3), Some(1), Some(2))
        );
        // A code outside the codelist names its row.
        let md = Microdata {
            dims: vec![cat("region", &["ANT", "XX"])],
            ..Microdata::default()
        };
        let err = tabulate("t", &md, &spec, &mut none)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("row 2: code `XX` of dimension `region`"),
            "{err}"
        );
    }

    /// Random microdata with integer amounts (so sums are exact in any order).
    fn random_microdata(seed: u64, rows: usize, units: Option<u64>) -> Microdata {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let dims = [("a", 3), ("b", 4), ("c", 2)]
            .iter()
            .map(|&(name, card)| {
                let codes: Vec<String> = (0..rows)
                    .map(|_| format!("{}{}", name, rng.random_range(0..card)))
                    .collect();
                let refs: Vec<&str> = codes.iter().map(String::as_str).collect();
                cat(name, &refs)
            })
            .collect();
        Microdata {
            dims,
            unit: units.map(|u| (0..rows).map(|_| rng.random_range(0..u)).collect()),
            value: Some(
                (0..rows)
                    .map(|_| {
                        if rng.random_range(0..20) == 0 {
                            None
                        } else {
                            Some(rng.random_range(-5..1000) as f64)
                        }
                    })
                    .collect(),
            ),
            weight: None,
            source_rows: Vec::new(),
        }
    }

    /// The naive reference: for a cell, scan every row; per unit sum the rows inside the cell that have a value
    /// (the cell's contributors).
    fn naive(md: &Microdata, tab: &Table, cell: u32, k: usize) -> (u64, f64, Vec<f64>) {
        let mut per_unit: BTreeMap<u64, f64> = BTreeMap::new();
        for i in 0..md.len() {
            let inside = tab
                .dims()
                .iter()
                .zip(tab.cell_coords(cell))
                .all(|(dim, &code)| {
                    let col = md.dims.iter().find(|c| c.name == dim.name()).unwrap();
                    let row_code = dim.id(&col.dictionary[col.ids[i] as usize]).unwrap();
                    dim.self_and_ancestors(row_code).any(|a| a == code)
                });
            // A unit contributes to the magnitude when at least one of its rows in the cell has a value.
            if let (true, Some(v)) = (inside, md.value.as_ref().unwrap().get(i)) {
                let unit = md.unit.as_ref().map_or(i as u64, |u| u[i]);
                *per_unit.entry(unit).or_default() += v;
            }
        }
        let mut tops: Vec<f64> = per_unit.values().copied().collect();
        tops.sort_by(|a, b| b.total_cmp(a));
        tops.truncate(k);
        (per_unit.len() as u64, per_unit.values().sum(), tops)
    }

    #[test]
    fn kernel_matches_naive_reference_on_random_microdata() {
        for seed in 0..12u64 {
            let units = match seed % 3 {
                0 => None,
                1 => Some(40),
                _ => Some(400),
            };
            let md = random_microdata(seed, 300 + seed as usize * 17, units);
            let mut spec = TabulateSpec::new(&["a", "b"], &["c"], Agg::Sum);
            spec.margins = seed % 2 == 0;
            spec.top_k = 3;
            let t = tabulate("t", &md, &spec, &mut none).unwrap();
            // Slots or sorting (rows as units), direct index or hash map (units): the same table to the bit.
            FORCE_SORT.with(|f| f.set(true));
            let sorted = tabulate("t", &md, &spec, &mut none).unwrap();
            FORCE_SORT.with(|f| f.set(false));
            assert_eq!(t, sorted, "seed {seed}");
            let mut total_n = 0;
            for cell in 0..t.table.len() as u32 {
                let (n, sum, tops) = naive(&md, &t.table, cell, 3);
                assert_eq!(
                    t.table.n(cell),
                    Some(n),
                    "seed {seed} cell {}",
                    t.table.describe(cell)
                );
                assert_eq!(
                    t.table.value(cell),
                    Some(sum),
                    "seed {seed} cell {}",
                    t.table.describe(cell)
                );
                let got: Vec<f64> = t
                    .table
                    .shadow()
                    .top
                    .iter()
                    .filter_map(|c| c.get(cell as usize))
                    .collect();
                assert_eq!(got, tops, "seed {seed} cell {}", t.table.describe(cell));
                total_n += n;
            }
            assert!(total_n > 0);
        }
    }

    /// Progress rises while the units are added, never goes back, and ends at the row count.
    #[test]
    fn progress_rises_while_units_are_added() {
        let rows = 140_000;
        let md = random_microdata(3, rows, Some(40_000));
        let mut spec = TabulateSpec::new(&["a", "b"], &["c"], Agg::Sum);
        spec.margins = true;
        let mut seen = Vec::new();
        tabulate("t", &md, &spec, &mut |done, total| seen.push((done, total))).unwrap();
        let r = rows as u64;
        assert!(seen.iter().all(|&(_, total)| total == r));
        assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "{seen:?}");
        assert_eq!(seen.last().map(|s| s.0), Some(r));
        let between = seen
            .iter()
            .filter(|&&(d, _)| d > r / 3 && d < r * 2 / 3)
            .count();
        assert!(between >= 2, "{seen:?}");
    }

    #[test]
    fn partitions_split_by_unit_merge_to_the_whole() {
        let md = random_microdata(7, 2000, Some(150));
        let mut spec = TabulateSpec::new(&["a"], &["b", "c"], Agg::Mean);
        spec.margins = true;
        let whole = tabulate("t", &md, &spec, &mut none).unwrap();
        let tab = Tabulator::from_data(&spec, &md).unwrap();
        let split = |keep: u64| {
            let rows: Vec<usize> = (0..md.len())
                .filter(|&i| md.unit.as_ref().unwrap()[i] % 2 == keep)
                .collect();
            Microdata {
                dims: md
                    .dims
                    .iter()
                    .map(|c| CatColumn {
                        name: c.name.clone(),
                        ids: rows.iter().map(|&i| c.ids[i]).collect(),
                        dictionary: c.dictionary.clone(),
                    })
                    .collect(),
                unit: Some(rows.iter().map(|&i| md.unit.as_ref().unwrap()[i]).collect()),
                value: Some(
                    rows.iter()
                        .map(|&i| md.value.as_ref().unwrap().get(i))
                        .collect(),
                ),
                weight: None,
                source_rows: Vec::new(),
            }
        };
        let a = tab.partial(&split(0), &mut none).unwrap();
        let b = tab.partial(&split(1), &mut none).unwrap();
        let merged = tab.finish("t", b.merge(a)).unwrap();
        assert_eq!(merged.table, whole.table);
        assert_eq!(merged.statistic, whole.statistic);
    }

    /// Two key-sorted lists merged in one pass are what sorting them concatenated (stably) and folding equal keys
    /// makes, the first list's parts added first: on 500 seeded pairs with keys shared between and within them.
    #[test]
    fn sorted_partials_merge_as_their_concatenation_folds() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let list = |rng: &mut ChaCha8Rng| {
            let n = rng.random_range(0..30);
            let mut l: Vec<(u64, Partial)> = (0..n)
                .map(|_| {
                    let mut p = Partial::new(3);
                    let value = rng.random_range(0..1000) as f64 / 7.0;
                    p.add_unit(&UnitPart::row(Some(value), 1.0, false));
                    (rng.random_range(0..40), p)
                })
                .collect();
            l.sort_by_key(|e| e.0);
            l
        };
        for _ in 0..500 {
            let (a, b) = (list(&mut rng), list(&mut rng));
            let mut both = a.clone();
            both.extend(b.clone());
            assert_eq!(merge_sorted(a, b), fold(both));
        }
    }
}
