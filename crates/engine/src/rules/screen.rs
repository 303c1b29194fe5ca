//! The first look: which per-cell rules may fire on each cell of a block, taken column by column without a
//! branch per cell, so a cell runs only those rules (most cells none). It calls each rule's own test; it never
//! restates one.

#[cfg(test)]
use super::grid;
use super::{Columns, consistency, dominance, missing, negative, p_percent, threshold, zero};
use crate::exact::Numbers;
use crate::policy::Policy;
use crate::topk::MAX_TOP;
use std::ops::Range;

/// The first look's verdict on a cell: a bit per rule that may fire ([`Screen::MISSING`] …). As wide as the
/// numbers it comes from, so a comparison's lane is the cell's bit without narrowing it to a byte.
pub(super) type Flags = u64;

/// A first look at a cell, without branches: which of the per-cell rules (missing, negative, zero, threshold,
/// the magnitude rules) may fire, so a cell runs only those (most cells none). It computes the rules' own
/// conditions on the same numbers (a missing contribution counted as 0), so it may flag a rule that then finds
/// the cell undecidable, never leave out a rule that fires.
pub(super) struct Screen {
    need: usize,
    /// `min_units` of the threshold rule, 1 when the rule is off (no `n` is in `1..1`).
    min_units: u64,
    magnitude: bool,
    /// The dominance rules.
    dominance: Vec<crate::policy::Dominance>,
    /// The p % and pq rules' coefficients ([`p_percent::estimates_closely`]).
    ratios: Vec<(f64, f64)>,
    numbers: Numbers,
    /// A weighted table: every magnitude cell is looked at fully (its weights decide which units count).
    weighted: bool,
}

impl Screen {
    pub(super) fn new(
        policy: &Policy,
        need: usize,
        magnitude: bool,
        numbers: Numbers,
        weighted: bool,
    ) -> Self {
        Screen {
            need,
            min_units: policy.threshold.as_ref().map_or(1, |t| t.min_units),
            magnitude,
            dominance: policy.dominance.clone(),
            ratios: policy
                .p_percent
                .iter()
                .map(p_percent::ratio_p)
                .chain(policy.pq.iter().map(p_percent::ratio_pq))
                .collect(),
            numbers,
            weighted,
        }
    }

    /// Which per-cell rules may fire on each cell of `range`: a bit per rule ([`Screen::MISSING`] …) in `may`,
    /// 0 for most cells. A column that cannot be read for the range (a bug: columns have one entry per cell)
    /// sends every cell of the block to every rule: the first look never passes a cell it could not see.
    pub(super) fn block(&self, c: &Columns, range: Range<usize>, may: &mut Vec<Flags>) {
        if self.look(c, range.clone(), may).is_none() {
            may.clear();
            may.resize(range.len(), Self::ALL);
        }
    }

    /// [`Screen::block`]'s work, column by column over the range, so each step is a plain loop over one value
    /// array (missing entries hold 0 there; the missing bitmaps are applied after). `None` when a column cannot
    /// be read.
    fn look(&self, c: &Columns, range: Range<usize>, may: &mut Vec<Flags>) -> Option<()> {
        let len = range.len();
        may.clear();
        may.resize(len, 0);
        let ns = read(c.n.values(), range.clone())?;
        let top_columns = c.top.len() as u64;
        for (m, &n) in may.iter_mut().zip(ns) {
            *m = (Flags::from(zero::empty(n)) * Self::ZERO)
                | (Flags::from(threshold::too_few(n, self.min_units)) * Self::THRESHOLD)
                | (Flags::from(consistency::units_may_contradict(n, top_columns))
                    * Self::CONSISTENCY);
        }
        // A missing `n`: neither empty nor small, but missing.
        each_missing(c.n.missing_words(), range.clone(), |j| {
            if let Some(m) = may.get_mut(j) {
                *m = Self::MISSING;
            }
        });
        for (col, bit) in [(c.n_missing, Self::MISSING), (c.n_negative, Self::NEGATIVE)] {
            if let Some(col) = col {
                let xs = read(col.values(), range.clone())?;
                for (m, &x) in may.iter_mut().zip(xs) {
                    *m |= Flags::from(x > 0) * bit;
                }
            }
        }
        // The value's tests; a table without a value column (a frequency table) still has its top columns looked
        // at below, should it carry any.
        let vs = match c.value {
            Some(values) => {
                let vs = read(values.values(), range.clone())?;
                for (m, &v) in may.iter_mut().zip(vs) {
                    *m |= (Flags::from(missing::not_a_number(v)) * Self::MISSING)
                        | (Flags::from(negative::below_zero(v)) * Self::NEGATIVE);
                }
                each_missing(values.missing_words(), range.clone(), |j| {
                    if let Some(m) = may.get_mut(j) {
                        *m |= Self::MISSING;
                    }
                });
                Some(vs)
            }
            None => None,
        };
        for (k, col) in c.top.iter().enumerate() {
            let ts = read(col.values(), range.clone())?;
            // A contribution below zero; one that is not a number where the rules need it (whatever the units:
            // the rule then looks at them). A missing entry the rules need is flagged below, when the cell has
            // more than k units.
            let needed = k < self.need;
            for (m, &t) in may.iter_mut().zip(ts) {
                *m |= (Flags::from(negative::below_zero(t)) * Self::NEGATIVE)
                    | (Flags::from(needed & missing::not_a_number(t)) * Self::MISSING);
            }
            if needed {
                let k = k as u64;
                each_missing(col.missing_words(), range.clone(), |j| {
                    if let Some(m) = may.get_mut(j) {
                        *m |= Flags::from(ns.get(j).is_none_or(|&n| n > k)) * Self::MISSING;
                    }
                });
            }
        }
        let Some(vs) = vs else {
            // Top contributions without a value (a hand-made table): the rule judges their order and units on
            // every cell.
            if !c.top.is_empty() {
                may.iter_mut().for_each(|m| *m |= Self::CONSISTENCY);
            }
            return Some(());
        };
        self.consistency(c, &range, vs, may)?;
        if !self.magnitude {
            return Some(());
        }
        if self.weighted {
            may.iter_mut()
                .for_each(|m| *m |= Self::MISSING | Self::MAGNITUDE);
            return Some(());
        }
        let numbers = self.numbers;
        for d in &self.dominance {
            let count = (d.n as usize).min(self.need);
            let top = |j: usize| {
                c.top
                    .get(j)
                    .filter(|_| j < count)
                    .and_then(|col| read(col.values(), range.clone()))
            };
            // The top contributions of each cell, up to three at a time through the rule's own form.
            match (count, top(0), top(1), top(2)) {
                (1, Some(t1), _, _) => {
                    for ((m, &v), &a) in may.iter_mut().zip(vs).zip(t1) {
                        *m |= Flags::from(dominance::may_dominate(d, [a, v])) * Self::MAGNITUDE;
                    }
                }
                (2, Some(t1), Some(t2), _) => {
                    for (((m, &v), &a), &b) in may.iter_mut().zip(vs).zip(t1).zip(t2) {
                        *m |= Flags::from(dominance::may_dominate(d, [a, b, v])) * Self::MAGNITUDE;
                    }
                }
                (3, Some(t1), Some(t2), Some(t3)) => {
                    for ((((m, &v), &a), &b), &c) in may.iter_mut().zip(vs).zip(t1).zip(t2).zip(t3)
                    {
                        *m |=
                            Flags::from(dominance::may_dominate(d, [a, b, c, v])) * Self::MAGNITUDE;
                    }
                }
                _ => {
                    let cols = c
                        .top
                        .iter()
                        .take(count)
                        .map(|col| read(col.values(), range.clone()))
                        .collect::<Option<Vec<&[f64]>>>()?;
                    let mut tops = [0.0; MAX_TOP];
                    for (j, (m, &v)) in may.iter_mut().zip(vs).enumerate() {
                        // Not a number where an entry cannot be read: the rule's test then says "look".
                        for (t, col) in tops.iter_mut().zip(&cols) {
                            *t = col.get(j).copied().unwrap_or(f64::NAN);
                        }
                        let top = tops.get(..count).unwrap_or(&tops);
                        *m |=
                            Flags::from(dominance::dominates(d, top, v, numbers)) * Self::MAGNITUDE;
                    }
                }
            }
        }
        if self.ratios.is_empty() {
            return Some(());
        }
        let top = |k: usize| {
            c.top
                .get(k)
                .filter(|_| k < self.need)
                .and_then(|col| read(col.values(), range.clone()))
        };
        let (Some(t1s), Some(t2s)) = (top(0), top(1)) else {
            // Without two contributions a p % or pq rule decides nothing; let the rules say so.
            may.iter_mut().for_each(|m| *m |= Self::MAGNITUDE);
            return Some(());
        };
        for &ratio in &self.ratios {
            for (((m, &v), &t1), &t2) in may.iter_mut().zip(vs).zip(t1s).zip(t2s) {
                *m |= Flags::from(p_percent::may_estimate_closely(ratio, v, t1, t2))
                    * Self::MAGNITUDE;
            }
        }
        Some(())
    }

    /// The `consistency` rule's tests on the top contributions over a block: each against the next, their sum
    /// against the value (the tests on the units are flagged with `n`, above). A weighted table's cells are all
    /// looked at (their weights enter the sum).
    fn consistency(
        &self,
        c: &Columns,
        range: &Range<usize>,
        vs: &[f64],
        may: &mut [Flags],
    ) -> Option<()> {
        if self.weighted {
            may.iter_mut().for_each(|m| *m |= Self::CONSISTENCY);
            return Some(());
        }
        let cols = c
            .top
            .iter()
            .map(|col| read(col.values(), range.clone()))
            .collect::<Option<Vec<&[f64]>>>()?;
        let flag = |m: &mut Flags, may: bool| *m |= Flags::from(may) * Self::CONSISTENCY;
        // Up to three top columns (most tables) zipped, so the loop runs several cells at a time.
        match cols.as_slice() {
            [] => {}
            [a] => {
                for ((m, &v), &a) in may.iter_mut().zip(vs).zip(*a) {
                    flag(m, consistency::tops_may_contradict(v, [a]));
                }
            }
            [a, b] => {
                for (((m, &v), &a), &b) in may.iter_mut().zip(vs).zip(*a).zip(*b) {
                    flag(m, consistency::tops_may_contradict(v, [a, b]));
                }
            }
            [a, b, c] => {
                for ((((m, &v), &a), &b), &c) in may.iter_mut().zip(vs).zip(*a).zip(*b).zip(*c) {
                    flag(m, consistency::tops_may_contradict(v, [a, b, c]));
                }
            }
            _ => {
                // Not a number where an entry cannot be read: the test then says "look".
                for (j, (m, &v)) in may.iter_mut().zip(vs).enumerate() {
                    let tops = cols
                        .iter()
                        .map(|col| col.get(j).copied().unwrap_or(f64::NAN));
                    flag(m, consistency::tops_may_contradict(v, tops));
                }
            }
        }
        Some(())
    }

    pub(super) const MISSING: Flags = 1;
    pub(super) const NEGATIVE: Flags = 2;
    pub(super) const ZERO: Flags = 4;
    pub(super) const THRESHOLD: Flags = 8;
    /// Dominance, p % or pq.
    pub(super) const MAGNITUDE: Flags = 16;
    /// A group rule's finding waits for the cell, or the cell has a dof or declared status to look at.
    pub(super) const GROUP: Flags = 32;
    /// The shadow numbers may contradict each other.
    pub(super) const CONSISTENCY: Flags = 64;
    pub(super) const ALL: Flags = 127;
}

/// `xs[range]`, or `None` when the range lies outside (or a test makes every read fail, as a bug would).
#[inline]
pub(super) fn read<T>(xs: &[T], range: Range<usize>) -> Option<&[T]> {
    #[cfg(test)]
    if grid::FAIL_READS.with(std::cell::Cell::get) {
        return None;
    }
    xs.get(range)
}

/// Calls `f` with the offset in `range` of every entry of `range` set in a missing-entry bitmap (see
/// [`Column::missing_words`]); nothing when the bitmap is empty.
pub(super) fn each_missing(words: &[u64], range: Range<usize>, mut f: impl FnMut(usize)) {
    if words.is_empty() || range.is_empty() {
        return;
    }
    let (first, last) = (range.start / 64, (range.end - 1) / 64);
    for w in first..=last {
        let mut bits = words.get(w).copied().unwrap_or(0);
        if w == first {
            bits &= u64::MAX << (range.start % 64);
        }
        let end = range.end - w * 64;
        if end < 64 {
            bits &= (1u64 << end) - 1;
        }
        while bits != 0 {
            f(w * 64 + bits.trailing_zeros() as usize - range.start);
            bits &= bits - 1;
        }
    }
}
