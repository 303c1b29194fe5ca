//! What the magnitude rules (dominance, p %, pq) read of a cell: its value and its largest unit contributions
//! with their units' sampling weights, and the one definition of "the sum of the `c` largest contributions" that
//! all three use, weighted or not.
//!
//! Sampling weights follow τ-ARGUS and the SDC handbook (Hundepool et al. 2012, §4.2, "sampling weights"): a
//! unit of weight w stands for w units of its value, so the `c` largest contributions are the units taken in
//! descending order of their (unweighted) value, each as many times as its weight says, a fractional weight as
//! its share, until `c` copies are taken. One contribution 100 of weight 4 and one of 10 of weight 7 make the
//! two largest 100 + 100 = 200 of a total 470. The threshold rule counts units unweighted.

use super::Columns;
use crate::exact::{Form, Numbers};
use crate::topk::MAX_TOP;

/// What the magnitude rules may use for a cell: its value and largest contributions, how many of those are
/// known (`decidable`: ranks `0..decidable` hold a contribution, or 0 for a rank the cell has no unit for), and
/// the weights of their units (1 in an unweighted table).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Magnitudes {
    pub value: f64,
    pub top: [f64; MAX_TOP],
    pub weights: [f64; MAX_TOP],
    pub decidable: usize,
    /// The cell's contributing units.
    pub units: u64,
    /// What the numbers stand for, so the rules compare them exactly.
    pub numbers: Numbers,
    /// A weighted table: a unit taken in part expands a rule's form (room for it: [`Magnitudes::room`]).
    pub weighted: bool,
}

impl Magnitudes {
    /// Whether a rule's form over this cell needs the room of a weighted one (units taken in part add a term
    /// for each unit before them); an unweighted cell's fits in a few terms.
    pub fn room_weighted(&self) -> bool {
        self.weighted
    }

    /// Adds `coef × (sum of the c largest contributions)` to `form`, as terms in the table's own numbers (a
    /// unit taken in part adds `coef × value × (c − weights before it)`, expanded). `false` when the known
    /// contributions do not reach `c` copies while the cell has more units: the sum is then unknown.
    ///
    /// Whether a unit is taken whole or in part is decided on the weights' float sum. Where the weights are
    /// decimals whose float sum lands within a rounding of `copies`, the two choices give sums a rounding apart,
    /// both counted exactly from there; the one taken may count a unit's last fraction in full, which only
    /// raises the sum (towards firing, never away from it).
    pub fn largest<const N: usize>(&self, copies: f64, coef: f64, form: &mut Form<N>) -> bool {
        let mut taken = 0.0f64;
        let known = self.decidable.min(MAX_TOP);
        for (i, (&v, &w)) in self.top.iter().zip(&self.weights).take(known).enumerate() {
            if i as u64 >= self.units || taken >= copies {
                // Every unit of the cell taken (a rank past its units holds nothing), or enough copies.
                return true;
            }
            if taken + w <= copies {
                form.push((coef, v, w));
                taken += w;
            } else {
                // Part of this unit: coef × v × (copies − Σ earlier weights).
                form.push((coef, v, copies));
                for &earlier in self.weights.iter().take(i) {
                    form.push((-coef, v, earlier));
                }
                return true;
            }
        }
        taken >= copies || known as u64 >= self.units
    }

    /// The float sum of the `c` largest contributions (as [`Magnitudes::largest`] takes them), for a finding's
    /// numbers.
    pub fn largest_sum(&self, copies: f64) -> f64 {
        let mut taken = 0.0f64;
        let mut sum = 0.0;
        for (i, (&v, &w)) in self.top.iter().zip(&self.weights).enumerate() {
            if i >= self.decidable || i as u64 >= self.units || taken >= copies {
                break;
            }
            let part = w.min(copies - taken);
            sum += v * part;
            taken += part;
        }
        sum
    }
}

impl Default for Magnitudes {
    fn default() -> Self {
        Magnitudes {
            value: 0.0,
            top: [0.0; MAX_TOP],
            weights: [1.0; MAX_TOP],
            decidable: 0,
            units: 0,
            numbers: Numbers::Decimal,
            weighted: false,
        }
    }
}

/// Fills `m` with the contributions a magnitude rule may use for a cell (in place: the pass keeps one
/// `Magnitudes` for all its cells, as moving the record per cell costs more than the rules); `false` when the
/// cell is not decidable by magnitude rules (no magnitude, missing values, negative contributions, a weighted
/// table without its top units' weights — other rules report those). `k`: the top contributions the policy
/// needs (every top column of a weighted table, whose units may weigh less than one). Ranks from `decidable` on
/// are not read.
pub(super) fn magnitudes(c: &Columns, i: usize, k: usize, m: &mut Magnitudes) -> bool {
    let (Some(value), Some(n)) = (c.value(i), c.n(i)) else {
        return false;
    };
    if !value.is_finite() || value < 0.0 || n == 0 {
        return false;
    }
    if c.n_negative.and_then(|v| v.get(i)).is_some_and(|u| u > 0) {
        return false;
    }
    // Any negative contribution makes the magnitude rules undefined for the cell (the `negative` rule reports it).
    if c.top.iter().any(|col| col.get(i).is_some_and(|t| t < 0.0)) {
        return false;
    }
    let k = if c.weighted {
        if c.top_weight.is_empty() {
            return false;
        }
        c.top.len()
    } else {
        k
    };
    m.value = value;
    m.decidable = k.min(MAX_TOP);
    m.units = n;
    m.numbers = c.numbers;
    m.weighted = c.weighted;
    for (j, (slot, weight)) in m.top.iter_mut().zip(&mut m.weights).enumerate().take(k) {
        let w = if c.weighted {
            c.top_weight.get(j).and_then(|col| col.get(i))
        } else {
            Some(1.0)
        };
        match (c.top(j, i), w) {
            (Some(t), Some(w)) if t.is_finite() && t >= 0.0 && w.is_finite() && w > 0.0 => {
                *slot = t;
                *weight = w;
            }
            // A cell with j units or fewer has no (j+1)-th contribution.
            (None, _) if n <= j as u64 => {
                *slot = 0.0;
                *weight = 1.0;
            }
            _ => {
                m.decidable = j;
                break;
            }
        }
    }
    true
}

/// [`magnitudes`] for a cell of an unweighted table the first look found clean (no missing entry, nothing
/// negative, not empty), read straight from the value arrays: the value is a non-negative number and every
/// contribution the rules need is one too, or 0 where the cell has too few units (a missing entry holds 0 in its
/// array).
#[inline]
pub(super) fn clean_magnitudes(c: &Columns, i: usize, k: usize, m: &mut Magnitudes) -> bool {
    let (false, Some(values), Some(&n)) = (c.weighted, c.value, c.n.values().get(i)) else {
        return magnitudes(c, i, k, m);
    };
    let Some(&value) = values.values().get(i) else {
        return magnitudes(c, i, k, m);
    };
    m.value = value;
    m.decidable = k.min(MAX_TOP);
    m.units = n;
    m.numbers = c.numbers;
    m.weighted = false;
    for ((slot, weight), col) in m.top.iter_mut().zip(&mut m.weights).zip(&c.top).take(k) {
        // An entry that cannot be read: the general path decides the cell (fail closed).
        let Some(&t) = col.values().get(i) else {
            return magnitudes(c, i, k, m);
        };
        *slot = t;
        *weight = 1.0;
    }
    true
}

/// Whether a weighted cell's known top contributions reach `copies` copies (or are all its units): `None` for a
/// cell the magnitude rules do not judge anyway.
pub(super) fn weighted_reach(c: &Columns, i: usize, copies: f64) -> Option<bool> {
    let mut m = Magnitudes::default();
    magnitudes(c, i, c.top.len(), &mut m)
        .then(|| m.largest(copies, 0.0, &mut Form::<48>::default()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    fn cell(tops: &[(f64, f64)], units: u64) -> Magnitudes {
        let mut m = Magnitudes {
            value: 0.0,
            top: [0.0; MAX_TOP],
            weights: [1.0; MAX_TOP],
            decidable: tops.len(),
            units,
            numbers: Numbers::Decimal,
            weighted: true,
        };
        for (j, &(v, w)) in tops.iter().enumerate() {
            m.top[j] = v;
            m.weights[j] = w;
        }
        m
    }

    /// `copies` largest of `tops` against `expected` (exactly): `Some(sum)` or `None` when undecidable.
    fn check(tops: &[(f64, f64)], units: u64, copies: f64, expected: Option<f64>) {
        let m = cell(tops, units);
        let mut form = Form::<48>::default();
        let reached = m.largest(copies, 1.0, &mut form);
        match expected {
            None => assert!(!reached, "{tops:?} {copies}"),
            Some(want) => {
                assert!(reached, "{tops:?} {copies}");
                form.push((-1.0, want, 1.0));
                assert_eq!(
                    form.sign(Numbers::Decimal),
                    Some(Ordering::Equal),
                    "{tops:?}"
                );
                assert_eq!(m.largest_sum(copies), want, "{tops:?}");
            }
        }
    }

    /// Source: τ-ARGUS 4.2 manual §4.2.2 (sampling weights) and Hundepool et al. (2012) §4.2: a contribution 100
    /// of weight 4 and one of 10 of weight 7; the two largest are 100 + 100.
    #[test]
    fn replicated_contributions() {
        check(&[(100.0, 4.0), (10.0, 7.0)], 2, 2.0, Some(200.0));
        check(&[(100.0, 4.0), (10.0, 7.0)], 2, 1.0, Some(100.0));
        // Weights below one: a fractional weight counts as its share.
        check(&[(100.0, 0.5), (10.0, 0.5), (4.0, 3.0)], 3, 2.0, Some(59.0));
        // Unweighted, the plain top 2.
        check(&[(70.0, 1.0), (20.0, 1.0)], 9, 2.0, Some(90.0));
        // Known weights that do not reach 2 copies while the cell has more units: unknown.
        check(&[(100.0, 0.5), (10.0, 0.5)], 3, 2.0, None);
        // ... but all the cell's units: the whole (weighted) cell.
        check(&[(100.0, 0.5), (10.0, 0.5)], 2, 2.0, Some(55.0));
        // Decimal weights are taken exactly: 0.3 + 0.7 copies of 10 and 5, then 1 of 2.
        check(&[(10.0, 0.3), (5.0, 0.7), (2.0, 4.0)], 3, 2.0, Some(8.5));
    }
}
