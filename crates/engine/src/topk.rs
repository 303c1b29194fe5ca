//! Fixed-capacity top-K list and the per-cell tabulation partial, both mergeable associatively.

/// Most top contributions a table can carry (dominance rules up to n = 8).
pub const MAX_TOP: usize = 8;

/// The `k` largest values seen, descending. Merging two lists gives the top-k of the union, exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TopK {
    vals: [f64; MAX_TOP],
    len: u8,
    k: u8,
}

impl TopK {
    pub fn new(k: u32) -> Self {
        TopK {
            vals: [0.0; MAX_TOP],
            len: 0,
            k: k.min(MAX_TOP as u32) as u8,
        }
    }
    pub fn insert(&mut self, v: f64) {
        let k = usize::from(self.k);
        let len = usize::from(self.len);
        if k == 0 {
            return;
        }
        let mut i = if len < k {
            self.len += 1;
            len
        } else {
            match self.vals.get(k - 1) {
                Some(&last) if v > last => k - 1,
                _ => return,
            }
        };
        // Shift smaller values down one slot, then place v.
        while i > 0 {
            match self.vals.get(i - 1).copied() {
                Some(prev) if prev < v => {
                    if let Some(slot) = self.vals.get_mut(i) {
                        *slot = prev;
                    }
                    i -= 1;
                }
                _ => break,
            }
        }
        if let Some(slot) = self.vals.get_mut(i) {
            *slot = v;
        }
    }
    pub fn merge(&mut self, other: &TopK) {
        for &v in other.as_slice() {
            self.insert(v);
        }
    }
    pub fn as_slice(&self) -> &[f64] {
        self.vals.get(..usize::from(self.len)).unwrap_or(&[])
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
    /// Largest unit contributions.
    pub top: TopK,
}

/// One unit's rows within one cell, summed.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct UnitPart {
    pub rows: u64,
    pub valued_rows: u64,
    pub sum: f64,
    pub weight: f64,
    pub valued_weight: f64,
    pub n_missing: u64,
}

impl UnitPart {
    pub fn add(&mut self, o: &UnitPart) {
        self.rows += o.rows;
        self.valued_rows += o.valued_rows;
        self.sum += o.sum;
        self.weight += o.weight;
        self.valued_weight += o.valued_weight;
        self.n_missing += o.n_missing;
    }
}

impl Partial {
    pub fn new(k: u32) -> Self {
        Partial {
            rows: 0,
            valued_rows: 0,
            units: 0,
            sum: 0.0,
            weight: 0.0,
            valued_weight: 0.0,
            n_missing: 0,
            n_negative: 0,
            top: TopK::new(k),
        }
    }
    /// Adds one unit's summed rows.
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
        self.top.insert(u.sum);
    }
    /// Merges a partial over disjoint units.
    pub fn merge(&mut self, o: &Partial) {
        self.rows += o.rows;
        self.valued_rows += o.valued_rows;
        self.units += o.units;
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
            t.insert(v);
        }
        assert_eq!(t.as_slice(), [9.0, 9.0, 7.0]);
        let mut a = TopK::new(3);
        a.insert(8.0);
        a.merge(&t);
        assert_eq!(a.as_slice(), [9.0, 9.0, 8.0]);
        let mut z = TopK::new(0);
        z.insert(1.0);
        assert!(z.as_slice().is_empty());
    }
}
