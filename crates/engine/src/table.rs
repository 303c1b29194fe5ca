//! The table model: dimensions with codes, totals and hierarchies; one cell per code combination with its shadow
//! values (distinct units, magnitude, largest contributions, weight, a-priori status, cost, degrees of freedom).
//!
//! (Past 600 lines with its tests: the model and the invariants `Table::new` checks belong together.)

use crate::Error;
pub use crate::column::Column;
use crate::hierarchy::{Hierarchy, natural_cmp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One classification variable of a table: its codes, and for each code its parent code (the sub-total or total
/// it adds up to). The root code, when there is one, is the dimension's grand total.
#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    /// Shared with the findings that name the dimension (no text copied per finding).
    name: Arc<str>,
    codes: Vec<String>,
    parent: Vec<Option<u32>>,
    children: Vec<Vec<u32>>,
    index: BTreeMap<String, u32>,
}

impl Dimension {
    /// A dimension without a codelist: the distinct `codes` in natural order, and `total` (when given) last, as
    /// the parent of every other code.
    pub fn flat(name: &str, codes: impl IntoIterator<Item = String>, total: Option<&str>) -> Self {
        let mut distinct: Vec<String> = codes
            .into_iter()
            .filter(|c| Some(c.as_str()) != total)
            .collect();
        distinct.sort_by(|a, b| natural_cmp(a, b));
        distinct.dedup();
        let total_id = total.map(|_| distinct.len() as u32);
        if let Some(t) = total {
            distinct.push(t.to_owned());
        }
        let parent = (0..distinct.len() as u32)
            .map(|i| if Some(i) == total_id { None } else { total_id })
            .collect();
        Self::assemble(name, distinct, parent)
    }

    /// A dimension whose codes and parents come from a codelist.
    pub fn with_hierarchy(name: &str, hierarchy: &Hierarchy) -> Self {
        Self::assemble(
            name,
            hierarchy.codes().to_vec(),
            hierarchy.parents().to_vec(),
        )
    }

    fn assemble(name: &str, codes: Vec<String>, parent: Vec<Option<u32>>) -> Self {
        let mut children = vec![Vec::new(); codes.len()];
        for (i, p) in parent.iter().enumerate() {
            if let Some(slot) = p.and_then(|p| children.get_mut(p as usize)) {
                slot.push(i as u32);
            }
        }
        let index = codes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), i as u32))
            .collect();
        Dimension {
            name: Arc::from(name),
            codes,
            parent,
            children,
            index,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn len(&self) -> usize {
        self.codes.len()
    }
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
    pub fn codes(&self) -> &[String] {
        &self.codes
    }
    /// The code with id `id` (empty for an id out of range).
    pub fn code(&self, id: u32) -> &str {
        self.codes
            .get(id as usize)
            .map(String::as_str)
            .unwrap_or("")
    }
    pub fn id(&self, code: &str) -> Option<u32> {
        self.index.get(code).copied()
    }
    pub fn parent(&self, id: u32) -> Option<u32> {
        self.parent.get(id as usize).copied().flatten()
    }
    pub fn children(&self, id: u32) -> &[u32] {
        self.children
            .get(id as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
    /// The root code (grand total), when the dimension has exactly one code without a parent and it has children.
    pub fn total(&self) -> Option<u32> {
        let mut roots = (0..self.codes.len() as u32).filter(|&i| self.parent(i).is_none());
        match (roots.next(), roots.next()) {
            (Some(r), None) if !self.children(r).is_empty() => Some(r),
            _ => None,
        }
    }
    /// `id` and its ancestors, nearest first.
    pub fn self_and_ancestors(&self, id: u32) -> impl Iterator<Item = u32> + '_ {
        // The codelist was checked for cycles, so the chain ends; the bound is a second guard.
        std::iter::successors(Some(id), move |&c| self.parent(c)).take(self.codes.len() + 1)
    }
}

/// A-priori status of a cell, set by the researcher or reviewer in the `status` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Apriori {
    /// Declared safe (e.g. the figure is public elsewhere): rules still run and are reported, status is safe.
    Safe,
    /// Declared unsafe: always suppressed.
    Unsafe,
    /// Must be published: never chosen for secondary suppression.
    Protected,
    /// A structural zero: empty by definition (e.g. pregnant men), not a sampling zero.
    Structural,
}

impl Apriori {
    /// Parses the status column's codes (long names, or τ-ARGUS' one-letter codes `s`, `u`, `p`, `z`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "safe" | "s" => Some(Apriori::Safe),
            "unsafe" | "u" => Some(Apriori::Unsafe),
            "protected" | "p" => Some(Apriori::Protected),
            "structural" | "structural-zero" | "z" => Some(Apriori::Structural),
            _ => None,
        }
    }
}

/// The shadow columns of a table, one entry per cell. A missing entry (`None` from [`Column::get`]) means the
/// value is missing in the input; `None` for a whole column means the table has no such column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shadow {
    /// Distinct contributing units.
    pub n: Column<u64>,
    /// Cell magnitude (sum of contributions).
    pub value: Option<Column<f64>>,
    /// `top[k]`: the (k+1)-th largest unit contribution of each cell (unweighted in a weighted table).
    pub top: Vec<Column<f64>>,
    /// `top_weight[k]`: the sampling weight of the unit of `top[k]` (empty: an unweighted table, or one made
    /// without them, on which the magnitude rules cannot be decided if it has a `weight` column).
    pub top_weight: Vec<Column<f64>>,
    /// Sum of the sampling weights of the cell's units (a weighted table).
    pub weight: Option<Column<f64>>,
    pub apriori: Option<Vec<Option<Apriori>>>,
    pub cost: Option<Column<f64>>,
    /// Residual degrees of freedom (coefficient tables of models).
    pub dof: Option<Column<f64>>,
    /// Rows whose value was missing in the microdata.
    pub n_missing: Option<Column<u64>>,
    /// Units whose summed contribution is negative.
    pub n_negative: Option<Column<u64>>,
    /// What the magnitudes stand for (the decimals of a text file, or a binary file's floats): the rules compare
    /// them exactly as such ([`crate::exact`]).
    pub numbers: crate::exact::Numbers,
}

/// A checked table: dimensions, cell coordinates (code ids, row-major) and shadow columns.
///
/// Architecture invariant: no two cells have the same coordinates, every coordinate is a valid code id, and every
/// shadow column has one entry per cell. [`Table::new`] checks all three.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    dims: Vec<Dimension>,
    /// Shared with the table's report (no copy of a million coordinates per check).
    coords: Arc<Vec<u32>>,
    rows: Arc<Vec<u64>>,
    shadow: Shadow,
    strides: Vec<u64>,
    /// Mixed-radix key of every cell, in cell order.
    keys: Vec<u64>,
    index: Index,
    /// Every code combination is a cell, in key order: cell `i` has key `i` (see [`Table::is_full_grid`]).
    full_grid: bool,
}

/// Cells by mixed-radix key. Tables whose code combinations are mostly present (every tabulated table with its
/// margins) get a direct-address array, one slot per combination, so the rules that walk additive relations find
/// a cell's parent or children in one step; sparse tables keep `(key, cell)` pairs sorted by key.
#[derive(Debug, Clone, PartialEq)]
enum Index {
    /// `slots[key]` = cell + 1, or 0 when the table has no cell with that key.
    Dense(Vec<u32>),
    Sorted(Vec<(u64, u32)>),
}

/// A dense index may use up to this many slots per cell (4 bytes each), plus a fixed allowance for small tables.
const DENSE_SLOTS_PER_CELL: u64 = 4;
const DENSE_SLOTS_MIN: u64 = 1 << 16;

fn describe(dims: &[Dimension], coords: &[u32], cell: u32) -> String {
    let nd = dims.len();
    let start = cell as usize * nd;
    dims.iter()
        .zip(coords.get(start..start + nd).unwrap_or(&[]))
        .map(|(d, &c)| format!("{}={}", d.name(), d.code(c)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The keys of cells with `N` dimensions (`coords` row by row), in one loop with no branch per cell: each code
/// times its dimension's stride. `None` when a code is out of its dimension's range (the caller finds which).
fn keys_of<const N: usize>(coords: &[u32], lens: &[u64], strides: &[u64]) -> Option<Vec<u64>> {
    let (Ok(lens), Ok(strides)) = (<[u64; N]>::try_from(lens), <[u64; N]>::try_from(strides))
    else {
        return None;
    };
    let mut keys = Vec::with_capacity(coords.len() / N);
    let mut out_of_range = false;
    for cell in coords.chunks_exact(N) {
        let mut key = 0u64;
        for ((&c, &len), &stride) in cell.iter().zip(&lens).zip(&strides) {
            out_of_range |= u64::from(c) >= len;
            key += u64::from(c) * stride;
        }
        keys.push(key);
    }
    (!out_of_range).then_some(keys)
}

/// Two cells with the same coordinates: the error names both source rows.
fn duplicate(dims: &[Dimension], coords: &[u32], rows: &[u64], a: u32, b: u32) -> Error {
    let row = |c: u32| rows.get(c as usize).copied().unwrap_or(0);
    Error::DuplicateCell {
        first: row(a),
        second: row(b),
        coords: describe(dims, coords, a),
    }
}

/// Builds a [`Table`] cell by cell.
#[derive(Debug, Default)]
pub struct TableBuilder {
    coords: Vec<u32>,
    rows: Vec<u64>,
    shadow: Shadow,
}

impl TableBuilder {
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a cell from its source row, coordinates and shadow values (tests and small tables).
    pub fn cell(
        mut self,
        row: u64,
        coords: &[u32],
        n: Option<u64>,
        value: Option<f64>,
        top: &[f64],
    ) -> Self {
        self.coords.extend_from_slice(coords);
        self.rows.push(row);
        let cells = self.rows.len() - 1;
        self.shadow.n.push(n);
        if let Some(v) = value {
            let col = self
                .shadow
                .value
                .get_or_insert_with(|| Column::filled(None, cells));
            col.resize(cells, None);
            col.push(Some(v));
        }
        for (k, t) in top.iter().enumerate() {
            if self.shadow.top.len() <= k {
                self.shadow.top.push(Column::filled(None, cells));
            }
            if let Some(col) = self.shadow.top.get_mut(k) {
                col.resize(cells, None);
                col.push(Some(*t));
            }
        }
        self
    }
    /// Sets the whole shadow, replacing what [`TableBuilder::cell`] collected, except the `n` column.
    pub fn with(mut self, f: impl FnOnce(&mut Shadow)) -> Self {
        f(&mut self.shadow);
        self
    }
    pub fn build(mut self, name: &str, dims: Vec<Dimension>) -> Result<Table, Error> {
        let cells = self.rows.len();
        if let Some(v) = self.shadow.value.as_mut() {
            v.resize(cells, None);
        }
        for t in &mut self.shadow.top {
            t.resize(cells, None);
        }
        Table::new(name, dims, self.coords, self.rows, self.shadow)
    }
}

impl Table {
    /// Says what the table's magnitudes stand for (a binary file's floats, or a text file's decimals).
    pub fn set_numbers(&mut self, numbers: crate::exact::Numbers) {
        self.shadow.numbers = numbers;
    }
    /// Checks the invariants and indexes the cells by coordinates.
    pub fn new(
        name: &str,
        dims: Vec<Dimension>,
        coords: Vec<u32>,
        rows: Vec<u64>,
        shadow: Shadow,
    ) -> Result<Self, Error> {
        let cells = rows.len();
        let nd = dims.len();
        if coords.len() != cells * nd {
            return Err(Error::Shape(format!(
                "table `{name}`: {} coordinates for {cells} cells of {nd} dimensions",
                coords.len()
            )));
        }
        if nd == 0 && cells > 1 {
            return Err(Error::Shape(format!(
                "table `{name}` has no dimension columns but {cells} rows"
            )));
        }
        let lens = [
            ("n", Some(shadow.n.len())),
            ("value", shadow.value.as_ref().map(Column::len)),
            ("weight", shadow.weight.as_ref().map(Column::len)),
            ("status", shadow.apriori.as_ref().map(Vec::len)),
            ("cost", shadow.cost.as_ref().map(Column::len)),
            ("dof", shadow.dof.as_ref().map(Column::len)),
            ("n_missing", shadow.n_missing.as_ref().map(Column::len)),
            ("n_negative", shadow.n_negative.as_ref().map(Column::len)),
        ];
        for (col, len) in lens
            .into_iter()
            .chain(shadow.top.iter().map(|t| ("top", Some(t.len()))))
            .chain(
                shadow
                    .top_weight
                    .iter()
                    .map(|t| ("top weight", Some(t.len()))),
            )
        {
            if let Some(len) = len.filter(|&l| l != cells) {
                return Err(Error::Shape(format!(
                    "table `{name}`: column {col} has {len} entries for {cells} cells"
                )));
            }
        }
        if !shadow.top_weight.is_empty() && shadow.top_weight.len() != shadow.top.len() {
            return Err(Error::Shape(format!(
                "table `{name}`: {} top weight columns for {} top columns; give one weight per top contribution",
                shadow.top_weight.len(),
                shadow.top.len()
            )));
        }
        let mut strides = vec![0u64; nd];
        let mut acc: u64 = 1;
        for d in (0..nd).rev() {
            if let Some(s) = strides.get_mut(d) {
                *s = acc;
            }
            let radix = dims.get(d).map_or(1, |dim| dim.len().max(1) as u64);
            acc = acc.checked_mul(radix).ok_or_else(|| {
                Error::Shape(format!(
                    "table `{name}`: the dimensions have more than 2^64 code combinations"
                ))
            })?;
        }
        let space = if nd == 0 { 1 } else { acc };
        let lens: Vec<u64> = dims.iter().map(|d| d.len() as u64).collect();
        let mut keys = match nd {
            1 => keys_of::<1>(&coords, &lens, &strides),
            2 => keys_of::<2>(&coords, &lens, &strides),
            3 => keys_of::<3>(&coords, &lens, &strides),
            4 => keys_of::<4>(&coords, &lens, &strides),
            5 => keys_of::<5>(&coords, &lens, &strides),
            6 => keys_of::<6>(&coords, &lens, &strides),
            _ => None,
        };
        // More dimensions, or a code out of range (found here, with the first cell that has one).
        if keys.is_none() {
            let mut all = Vec::with_capacity(cells);
            for (i, cell) in coords.chunks_exact(nd.max(1)).enumerate().take(cells) {
                let mut key = 0u64;
                for ((&c, dim), &s) in cell.iter().zip(&dims).zip(&strides) {
                    if c as usize >= dim.len() {
                        return Err(Error::Shape(format!(
                            "table `{name}`: cell {} has code id {c} outside dimension `{}`",
                            i + 1,
                            dim.name()
                        )));
                    }
                    key += u64::from(c) * s;
                }
                all.push(key);
            }
            keys = Some(all);
        }
        let mut keys = keys.unwrap_or_default();
        if nd == 0 {
            keys = vec![0; cells];
        }
        let dense = space
            <= (cells as u64)
                .saturating_mul(DENSE_SLOTS_PER_CELL)
                .max(DENSE_SLOTS_MIN)
            && cells < u32::MAX as usize;
        let index = if dense {
            let mut slots = vec![0u32; space as usize];
            for (i, &key) in keys.iter().enumerate() {
                match slots.get_mut(key as usize) {
                    Some(slot) if *slot != 0 => {
                        let first = *slot - 1;
                        return Err(duplicate(&dims, &coords, &rows, first, i as u32));
                    }
                    Some(slot) => *slot = i as u32 + 1,
                    None => {}
                }
            }
            Index::Dense(slots)
        } else {
            let mut sorted: Vec<(u64, u32)> = keys
                .iter()
                .enumerate()
                .map(|(i, &k)| (k, i as u32))
                .collect();
            // Tables are usually written in key order already: check before sorting.
            if !sorted.is_sorted() {
                sorted.sort_unstable();
            }
            for w in sorted.windows(2) {
                if let [(ka, a), (kb, b)] = w {
                    if ka == kb {
                        return Err(duplicate(&dims, &coords, &rows, *a.min(b), *a.max(b)));
                    }
                }
            }
            Index::Sorted(sorted)
        };
        let full_grid =
            nd > 0 && cells as u64 == space && keys.iter().enumerate().all(|(i, &k)| k == i as u64);
        let table = Table {
            full_grid,
            name: name.to_owned(),
            dims,
            coords: Arc::new(coords),
            rows: Arc::new(rows),
            shadow,
            strides,
            keys,
            index,
        };
        Ok(table)
    }

    pub fn dims(&self) -> &[Dimension] {
        &self.dims
    }
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
    pub fn shadow(&self) -> &Shadow {
        &self.shadow
    }
    /// All coordinates, row-major (`dims().len()` per cell).
    pub fn coords(&self) -> &[u32] {
        &self.coords
    }
    /// Code ids of cell `cell`.
    pub fn cell_coords(&self, cell: u32) -> &[u32] {
        let nd = self.dims.len();
        let start = cell as usize * nd;
        self.coords.get(start..start + nd).unwrap_or(&[])
    }
    /// Source rows of all cells, in cell order.
    pub fn rows(&self) -> &[u64] {
        &self.rows
    }
    /// Source row (1-based) of a cell, for messages.
    pub fn row(&self, cell: u32) -> u64 {
        self.rows.get(cell as usize).copied().unwrap_or(0)
    }
    /// Mixed-radix key of a coordinate vector.
    pub fn key(&self, coords: &[u32]) -> u64 {
        coords
            .iter()
            .zip(&self.strides)
            .map(|(&c, &s)| u64::from(c) * s)
            .sum()
    }
    /// Mixed-radix keys of all cells, in cell order.
    pub fn keys(&self) -> &[u64] {
        &self.keys
    }
    /// Stride of dimension `d` in keys.
    pub fn stride(&self, d: usize) -> u64 {
        self.strides.get(d).copied().unwrap_or(0)
    }
    /// The cell with this key, if the table has it.
    pub fn find(&self, key: u64) -> Option<u32> {
        match &self.index {
            Index::Dense(slots) => slots
                .get(usize::try_from(key).ok()?)
                .and_then(|&s| s.checked_sub(1)),
            Index::Sorted(sorted) => sorted
                .binary_search_by_key(&key, |&(k, _)| k)
                .ok()
                .and_then(|i| sorted.get(i))
                .map(|&(_, c)| c),
        }
    }
    /// Every cell, in key order (cell order when the table was written in key order, as most are).
    pub fn cells_in_key_order(&self) -> Box<dyn Iterator<Item = u32> + '_> {
        if self.keys.is_sorted() {
            return Box::new(0..self.len() as u32);
        }
        match &self.index {
            Index::Dense(slots) => Box::new(slots.iter().filter_map(|&s| s.checked_sub(1))),
            Index::Sorted(sorted) => Box::new(sorted.iter().map(|&(_, c)| c)),
        }
    }
    /// Whether the table has a cell for every combination of its codes, in key order (as a tabulated crosstab
    /// with all its margins usually is): cell `i` has key `i`, so the cells that differ only in dimension `d` sit
    /// [`Table::stride`]`(d)` cells apart.
    pub fn is_full_grid(&self) -> bool {
        self.full_grid
    }
    /// Number of code combinations when the table has a direct-address index (see [`Table::find`]), `None` for
    /// a sparse table.
    pub fn key_space(&self) -> Option<usize> {
        match &self.index {
            Index::Dense(slots) => Some(slots.len()),
            Index::Sorted(_) => None,
        }
    }
    /// The same table with a sorted index, whatever its density (tests compare the two paths).
    #[doc(hidden)]
    pub fn with_sorted_index(mut self) -> Self {
        if let Index::Dense(slots) = &self.index {
            let sorted = slots
                .iter()
                .enumerate()
                .filter_map(|(k, &s)| s.checked_sub(1).map(|c| (k as u64, c)))
                .collect();
            self.index = Index::Sorted(sorted);
        }
        self
    }
    /// The coordinates and source rows, shared (a report keeps them without copying).
    pub(crate) fn shared_arrays(&self) -> (Arc<Vec<u32>>, Arc<Vec<u64>>) {
        (Arc::clone(&self.coords), Arc::clone(&self.rows))
    }
    /// `dim=code, dim=code` of a cell, for messages.
    pub fn describe(&self, cell: u32) -> String {
        describe(&self.dims, &self.coords, cell)
    }
    pub fn n(&self, cell: u32) -> Option<u64> {
        self.shadow.n.get(cell as usize)
    }
    pub fn value(&self, cell: u32) -> Option<f64> {
        self.shadow
            .value
            .as_ref()
            .and_then(|v| v.get(cell as usize))
    }
    pub fn apriori(&self, cell: u32) -> Option<Apriori> {
        self.shadow
            .apriori
            .as_ref()
            .and_then(|v| v.get(cell as usize).copied().flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims() -> Vec<Dimension> {
        vec![
            Dimension::flat("sex", ["M".into(), "F".into()], Some("Total")),
            Dimension::flat("age", ["10".into(), "2".into()], None),
        ]
    }

    #[test]
    fn flat_dimension_orders_codes_and_puts_total_last() {
        let d = Dimension::flat(
            "age",
            ["10".into(), "2".into(), "Total".into(), "2".into()],
            Some("Total"),
        );
        assert_eq!(d.codes(), ["2", "10", "Total"]);
        assert_eq!(d.total(), Some(2));
        assert_eq!(d.parent(0), Some(2));
        assert_eq!(d.children(2), [0, 1]);
        assert_eq!(d.self_and_ancestors(1).collect::<Vec<_>>(), [1, 2]);
    }

    #[test]
    fn duplicate_cells_name_both_rows() {
        let err = TableBuilder::new()
            .cell(2, &[0, 0], Some(1), None, &[])
            .cell(3, &[1, 0], Some(1), None, &[])
            .cell(4, &[0, 0], Some(1), None, &[])
            .build("t", dims())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "rows 2 and 4 describe the same cell (sex=F, age=2); a table needs one row per cell"
        );
    }

    #[test]
    fn lookup_by_key() {
        let t = TableBuilder::new()
            .cell(2, &[0, 1], Some(5), None, &[])
            .cell(3, &[2, 0], Some(7), None, &[])
            .build("t", dims())
            .unwrap();
        assert_eq!(t.find(t.key(&[2, 0])), Some(1));
        assert_eq!(t.find(t.key(&[1, 1])), None);
        assert_eq!(t.describe(0), "sex=F, age=10");
    }

    /// The branch-free key loop gives the keys of the loop that checks every code, for one to six dimensions,
    /// and leaves a code out of range to it.
    #[test]
    fn keys_are_codes_times_strides() {
        fn check<const N: usize>(seed: u64) {
            let mut next = seed;
            let mut rand = |m: u64| {
                next = next
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (next >> 33) % m
            };
            let lens: Vec<u64> = (0..N).map(|_| 1 + rand(40)).collect();
            let mut strides = vec![1u64; N];
            for d in (0..N.saturating_sub(1)).rev() {
                strides[d] = strides[d + 1] * lens[d + 1];
            }
            let cells = rand(300) as usize;
            let mut coords: Vec<u32> = (0..cells * N).map(|k| rand(lens[k % N]) as u32).collect();
            let naive: Vec<u64> = coords
                .chunks_exact(N)
                .map(|c| {
                    c.iter()
                        .zip(&strides)
                        .map(|(&c, &s)| u64::from(c) * s)
                        .sum()
                })
                .collect();
            assert_eq!(
                keys_of::<N>(&coords, &lens, &strides),
                Some(naive),
                "{N} dims"
            );
            if let Some(c) = coords.last_mut() {
                *c = lens[N - 1] as u32;
                assert_eq!(keys_of::<N>(&coords, &lens, &strides), None, "{N} dims");
            }
        }
        for seed in 0..50 {
            check::<1>(seed);
            check::<2>(seed);
            check::<3>(seed);
            check::<4>(seed);
            check::<5>(seed);
            check::<6>(seed);
        }
    }

    #[test]
    fn out_of_range_code_is_an_error() {
        let err = TableBuilder::new()
            .cell(2, &[9, 0], Some(1), None, &[])
            .build("t", dims())
            .unwrap_err();
        assert!(err.to_string().contains("outside dimension `sex`"), "{err}");
    }
}
