//! Fixed-capacity top-K list and the per-cell tabulation partial, both mergeable associatively.
//!
//! The steps taken per unit and cell (`UnitPart::row`, `add`, `contribution`, `Partial::add_unit`, `TopK::insert`)
//! are `#[inline]`: the tabulation kernel calls them from its own module for every unit of every cell.

/// Most top contributions a table can carry (dominance rules up to n = 8).
pub const MAX_TOP: usize = 8;

/// The `k` largest unit contributions seen, descending, each with its unit's sampling weight (one pair: a
/// contribution never moves without its weight). Merging two lists gives the top-k of the union, exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TopK {
    /// `(contribution, weight)`, the first `len` in use.
    items: [(f64, f64); MAX_TOP],
    len: u8,
    k: u8,
}

impl TopK {
    pub fn new(k: u32) -> Self {
        TopK {
            items: [(0.0, 0.0); MAX_TOP],
            len: 0,
            k: k.min(MAX_TOP as u32) as u8,
        }
    }
    /// Adds a contribution `v` of a unit of weight `w` (1 when unweighted).
    #[inline]
    pub fn insert(&mut self, v: f64, w: f64) {
        let k = usize::from(self.k);
        let len = usize::from(self.len);
        if k == 0 {
            return;
        }
        let mut i = if len < k {
            self.len += 1;
            len
        } else {
            match self.items.get(k - 1) {
                Some(&(last, _)) if v > last => k - 1,
                _ => return,
            }
        };
        // Shift smaller values down one slot, then place v.
        while i > 0 {
            match self.items.get(i - 1).copied() {
                Some(prev) if prev.0 < v => {
                    if let Some(slot) = self.items.get_mut(i) {
                        *slot = prev;
                    }
                    i -= 1;
                }
                _ => break,
            }
        }
        if let Some(slot) = self.items.get_mut(i) {
            *slot = (v, w);
        }
    }
    pub fn merge(&mut self, other: &TopK) {
        for &(v, w) in other.items() {
            self.insert(v, w);
        }
    }
    /// The contributions with their units' weights, largest first.
    pub fn items(&self) -> &[(f64, f64)] {
        self.items.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

/// What a cell accumulates during tabulation. Adding units and merging partials are associative and
/// commutative (up to float rounding of `sum`), so partitions split by unit tabulate separately and merge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Partial {
    /// Microdata rows.
    pub rows: u64,
    /// Rows that had a value (the mean's denominator).
    pub valued_rows: u64,
    /// Distinct units.
    pub units: u64,
    /// Distinct units with at least one value: the contributors to a magnitude.
    pub contributors: u64,
    /// Sum of contributions (weighted when a weight column is given).
    pub sum: f64,
    /// Sum of the rows' weights.
    pub weight: f64,
    /// Sum of the weights of the rows that had a value (the weighted mean's denominator).
    pub valued_weight: f64,
    /// Rows without a value.
    pub n_missing: u64,
    /// Units whose summed contribution is negative.
    pub n_negative: u64,
    /// Largest unit contributions (unweighted), with their units' weights.
    pub top: TopK,
}

/// One unit's rows within one cell, summed.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct UnitPart {
    pub rows: u64,
    pub valued_rows: u64,
    /// Weighted sum of the values.
    pub sum: f64,
    /// Unweighted sum of the values.
    pub plain: f64,
    pub weight: f64,
    pub valued_weight: f64,
    /// Smallest and largest weight of the rows with a value (meaningful when `valued_rows > 0`).
    pub weight_lo: f64,
    pub weight_hi: f64,
    pub n_missing: u64,
}

impl UnitPart {
    /// One microdata row of weight `w` (1 when unweighted): with its value, without one (`None`), or of a count
    /// (no value column: `count`).
    #[inline]
    pub fn row(value: Option<f64>, w: f64, count: bool) -> Self {
        match (value, count) {
            (_, true) => UnitPart {
                rows: 1,
                weight: w,
                ..UnitPart::default()
            },
            (Some(v), false) => UnitPart {
                rows: 1,
                valued_rows: 1,
                sum: v * w,
                plain: v,
                weight: w,
                valued_weight: w,
                weight_lo: w,
                weight_hi: w,
                n_missing: 0,
            },
            (None, false) => UnitPart {
                rows: 1,
                weight: w,
                n_missing: 1,
                ..UnitPart::default()
            },
        }
    }
    #[inline]
    pub fn add(&mut self, o: &UnitPart) {
        if o.valued_rows > 0 {
            if self.valued_rows == 0 {
                (self.weight_lo, self.weight_hi) = (o.weight_lo, o.weight_hi);
            } else {
                self.weight_lo = self.weight_lo.min(o.weight_lo);
                self.weight_hi = self.weight_hi.max(o.weight_hi);
            }
        }
        self.rows += o.rows;
        self.valued_rows += o.valued_rows;
        self.sum += o.sum;
        self.plain += o.plain;
        self.weight += o.weight;
        self.valued_weight += o.valued_weight;
        self.n_missing += o.n_missing;
    }
    /// The unit's contribution as the weighted rules see it, `(value, weight)` with `value × weight` its weighted
    /// sum: its values' plain sum and its weight when its rows with a value share one weight (a person's design
    /// weight); otherwise their mean weight and the weighted sum divided by it. `None` without a value.
    #[inline]
    pub fn contribution(&self) -> Option<(f64, f64)> {
        if self.valued_rows == 0 {
            return None;
        }
        if self.weight_lo == self.weight_hi {
            return Some((self.plain, self.weight_lo));
        }
        Some(self.mixed_contribution())
    }

    /// [`UnitPart::contribution`] of a unit whose rows have different weights (rare: a person's rows share its
    /// design weight). Out of line, so its two divisions are not computed ahead for every unit.
    #[cold]
    #[inline(never)]
    fn mixed_contribution(&self) -> (f64, f64) {
        let w = self.valued_weight / self.valued_rows as f64;
        (self.sum / w, w)
    }
}

impl Partial {
    pub fn new(k: u32) -> Self {
        Partial {
            rows: 0,
            valued_rows: 0,
            units: 0,
            contributors: 0,
            sum: 0.0,
            weight: 0.0,
            valued_weight: 0.0,
            n_missing: 0,
            n_negative: 0,
            top: TopK::new(k),
        }
    }
    /// Adds one unit's summed rows.
    #[inline]
    pub fn add_unit(&mut self, u: &UnitPart) {
        self.rows += u.rows;
        self.valued_rows += u.valued_rows;
        self.units += 1;
        self.sum += u.sum;
        self.weight += u.weight;
        self.valued_weight += u.valued_weight;
        self.n_missing += u.n_missing;
        if u.sum < 0.0 {
            self.n_negative += 1;
        }
        // A unit without a value contributes nothing to the magnitude, not a zero.
        if let Some((v, w)) = u.contribution() {
            self.contributors += 1;
            self.top.insert(v, w);
        }
    }
    /// Merges a partial over disjoint units.
    pub fn merge(&mut self, o: &Partial) {
        self.rows += o.rows;
        self.valued_rows += o.valued_rows;
        self.units += o.units;
        self.contributors += o.contributors;
        self.sum += o.sum;
        self.weight += o.weight;
        self.valued_weight += o.valued_weight;
        self.n_missing += o.n_missing;
        self.n_negative += o.n_negative;
        self.top.merge(&o.top);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topk_keeps_the_largest_descending() {
        let mut t = TopK::new(3);
        for v in [5.0, 1.0, 9.0, 7.0, 3.0, 9.0] {
            t.insert(v, v / 10.0);
        }
        assert_eq!(t.items(), [(9.0, 0.9), (9.0, 0.9), (7.0, 0.7)]);
        let mut a = TopK::new(3);
        a.insert(8.0, 2.0);
        a.merge(&t);
        assert_eq!(a.items(), [(9.0, 0.9), (9.0, 0.9), (8.0, 2.0)]);
        let mut z = TopK::new(0);
        z.insert(1.0, 1.0);
        assert!(z.items().is_empty());
    }

    /// A unit's rows with one weight give its plain sum and that weight; rows of different weights their mean
    /// weight and the weighted sum divided by it; no value, no contribution.
    #[test]
    fn unit_contributions() {
        let mut u = UnitPart::row(Some(100.0), 4.0, false);
        u.add(&UnitPart::row(Some(20.0), 4.0, false));
        u.add(&UnitPart::row(None, 4.0, false));
        assert_eq!(u.contribution(), Some((120.0, 4.0)));
        let mut mixed = UnitPart::row(Some(10.0), 1.0, false);
        mixed.add(&UnitPart::row(Some(10.0), 3.0, false));
        assert_eq!(mixed.contribution(), Some((20.0, 2.0)));
        assert_eq!(UnitPart::row(None, 1.0, false).contribution(), None);
        let mut p = Partial::new(3);
        p.add_unit(&u);
        p.add_unit(&UnitPart::row(None, 1.0, false));
        assert_eq!((p.units, p.contributors), (2, 1));
        assert_eq!(p.top.items(), [(120.0, 4.0)]);
    }
}
