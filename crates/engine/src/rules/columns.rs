//! The shadow columns the per-cell rules read, borrowed from the table once per chunk of the cell pass.

use crate::exact::Numbers;
use crate::table::{Apriori, Column, Table};

/// The shadow columns a per-cell rule reads, as slices of equal length (checked by `Table::new`).
pub(crate) struct Columns<'a> {
    pub n: &'a Column<u64>,
    pub value: Option<&'a Column<f64>>,
    pub top: Vec<&'a Column<f64>>,
    /// The weights of the top contributions' units (a weighted table).
    pub top_weight: Vec<&'a Column<f64>>,
    /// The table has sampling weights: its magnitude rules replicate each unit by its weight.
    pub weighted: bool,
    pub n_negative: Option<&'a Column<u64>>,
    pub n_missing: Option<&'a Column<u64>>,
    pub apriori: Option<&'a [Option<Apriori>]>,
    pub dof: Option<&'a Column<f64>>,
    pub numbers: Numbers,
}

impl<'a> Columns<'a> {
    pub(super) fn of(table: &'a Table) -> Self {
        let s = table.shadow();
        Columns {
            n: &s.n,
            value: s.value.as_ref(),
            top: s.top.iter().collect(),
            top_weight: s.top_weight.iter().collect(),
            weighted: s.weight.is_some() || !s.top_weight.is_empty(),
            n_negative: s.n_negative.as_ref(),
            n_missing: s.n_missing.as_ref(),
            apriori: s.apriori.as_deref(),
            dof: s.dof.as_ref(),
            numbers: s.numbers,
        }
    }
    pub fn n(&self, i: usize) -> Option<u64> {
        self.n.get(i)
    }
    pub fn value(&self, i: usize) -> Option<f64> {
        self.value.and_then(|v| v.get(i))
    }
    pub fn top(&self, k: usize, i: usize) -> Option<f64> {
        self.top.get(k).and_then(|c| c.get(i))
    }
    pub fn apriori(&self, i: usize) -> Option<Apriori> {
        self.apriori.and_then(|v| v.get(i).copied().flatten())
    }
}
