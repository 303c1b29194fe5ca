//! Shadow columns: one entry per cell, each a value or missing.

use std::fmt;

/// A shadow column: one entry per cell, each a value or missing (`None`).
///
/// The values sit in one plain array and the missing entries in a bitmap, which stays empty while no entry is
/// missing. The rules stream 8 bytes per cell for a number instead of the 16 of an `Option<f64>`, and a
/// million-cell table's shadow takes half the memory. A missing entry holds `T::default()` in the value array;
/// only [`Column::values`] shows it, and its callers must consult [`Column::is_missing`].
#[derive(Clone, Default)]
pub struct Column<T> {
    values: Vec<T>,
    /// Bit `i % 64` of word `i / 64` is set when entry `i` is missing. Either empty (nothing missing) or exactly
    /// `values.len().div_ceil(64)` words.
    missing: Vec<u64>,
}

impl<T: Copy + Default> Column<T> {
    pub fn new() -> Self {
        Column {
            values: Vec::new(),
            missing: Vec::new(),
        }
    }
    pub fn with_capacity(len: usize) -> Self {
        Column {
            values: Vec::with_capacity(len),
            missing: Vec::new(),
        }
    }
    /// A column of these values, none missing.
    pub fn from_values(values: Vec<T>) -> Self {
        Column {
            values,
            missing: Vec::new(),
        }
    }
    /// `len` copies of `entry`.
    pub fn filled(entry: Option<T>, len: usize) -> Self {
        let mut c = Column::new();
        c.resize(len, entry);
        c
    }
    pub fn len(&self) -> usize {
        self.values.len()
    }
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
    /// Entry `i`: `None` when it is missing or out of range.
    #[inline]
    pub fn get(&self, i: usize) -> Option<T> {
        let v = *self.values.get(i)?;
        (!self.is_missing(i)).then_some(v)
    }
    /// Whether entry `i` is missing (false out of range).
    #[inline]
    pub fn is_missing(&self, i: usize) -> bool {
        self.missing
            .get(i / 64)
            .is_some_and(|w| (w >> (i % 64)) & 1 == 1)
    }
    /// Whether any entry is missing.
    pub fn any_missing(&self) -> bool {
        self.missing.iter().any(|&w| w != 0)
    }
    /// The value array: a missing entry holds `T::default()` here (see [`Column::is_missing`]).
    pub fn values(&self) -> &[T] {
        &self.values
    }
    /// The missing entries, 64 to a word (bit `i % 64` of word `i / 64`); empty when none is missing.
    pub fn missing_words(&self) -> &[u64] {
        &self.missing
    }
    #[inline]
    pub fn push(&mut self, entry: Option<T>) {
        let i = self.values.len();
        match entry {
            Some(v) => {
                self.values.push(v);
                if !self.missing.is_empty() && i % 64 == 0 {
                    self.missing.push(0);
                }
            }
            None => {
                self.values.push(T::default());
                self.mark(i);
            }
        }
    }
    /// Sets entry `i`; false (and no change) when `i` is out of range.
    pub fn set(&mut self, i: usize, entry: Option<T>) -> bool {
        let Some(slot) = self.values.get_mut(i) else {
            return false;
        };
        match entry {
            Some(v) => {
                *slot = v;
                if let Some(w) = self.missing.get_mut(i / 64) {
                    *w &= !(1u64 << (i % 64));
                }
            }
            None => {
                *slot = T::default();
                self.mark(i);
            }
        }
        true
    }
    /// Cuts the column to `len` entries or fills it up to `len` with `entry`.
    pub fn resize(&mut self, len: usize, entry: Option<T>) {
        let old = self.values.len();
        self.values.resize(len, entry.unwrap_or_default());
        if !self.missing.is_empty() || (entry.is_none() && len > old) {
            self.missing.resize(len.div_ceil(64), 0);
        }
        if len < old {
            // Clear the bits past the new end, so growing again starts from present entries.
            if let Some(w) = self.missing.last_mut().filter(|_| len % 64 != 0) {
                *w &= (1u64 << (len % 64)) - 1;
            }
        } else if entry.is_none() {
            for i in old..len {
                if let Some(w) = self.missing.get_mut(i / 64) {
                    *w |= 1u64 << (i % 64);
                }
            }
        }
    }
    /// Entries given as [`Column::values`] and [`Column::missing_words`] give them, after this column's: the
    /// values in one copy, the missing entries set bit by bit. False (and no change) when the bitmap does not fit
    /// the values (a word too many, or a bit set past the last value).
    pub fn append_parts(&mut self, values: &[T], missing: &[u64]) -> bool {
        if !missing.is_empty()
            && (missing.len() != values.len().div_ceil(64)
                || (values.len() % 64 != 0
                    && missing
                        .last()
                        .is_some_and(|w| w >> (values.len() % 64) != 0)))
        {
            return false;
        }
        let old = self.values.len();
        self.values.reserve_exact(values.len());
        self.values.extend_from_slice(values);
        if self.missing.is_empty() && missing.iter().all(|&w| w == 0) {
            return true;
        }
        self.missing.resize(self.values.len().div_ceil(64), 0);
        for (k, &word) in missing.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let i = old + k * 64 + bits.trailing_zeros() as usize;
                if let Some(w) = self.missing.get_mut(i / 64) {
                    *w |= 1u64 << (i % 64);
                }
                bits &= bits - 1;
            }
        }
        true
    }
    /// The entries in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Option<T>> + '_ {
        (0..self.values.len()).map(|i| self.get(i))
    }
    fn mark(&mut self, i: usize) {
        let words = self.values.len().div_ceil(64);
        if self.missing.len() < words {
            self.missing.resize(words, 0);
        }
        if let Some(w) = self.missing.get_mut(i / 64) {
            *w |= 1u64 << (i % 64);
        }
    }
}

impl<T: Copy + Default> FromIterator<Option<T>> for Column<T> {
    fn from_iter<I: IntoIterator<Item = Option<T>>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let mut c = Column::with_capacity(iter.size_hint().0);
        c.extend(iter);
        c
    }
}

impl<T: Copy + Default> Extend<Option<T>> for Column<T> {
    fn extend<I: IntoIterator<Item = Option<T>>>(&mut self, iter: I) {
        for entry in iter {
            self.push(entry);
        }
    }
}

impl<T: Copy + Default> From<Vec<Option<T>>> for Column<T> {
    fn from(v: Vec<Option<T>>) -> Self {
        v.into_iter().collect()
    }
}

/// Entries compare as `Option<T>`s: how missing entries are stored does not matter.
impl<T: Copy + Default + PartialEq> PartialEq for Column<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<T: Copy + Default + fmt::Debug> fmt::Debug for Column<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Every operation, in random order, gives the entries a `Vec<Option<u64>>` would hold.
    #[test]
    fn behaves_like_a_vec_of_options() {
        for seed in 0..200 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut col = Column::<u64>::new();
            let mut reference: Vec<Option<u64>> = Vec::new();
            for _ in 0..rng.random_range(0..400) {
                let entry = rng.random_bool(0.7).then(|| rng.random_range(0..1000u64));
                match rng.random_range(0..10) {
                    0..=5 => {
                        col.push(entry);
                        reference.push(entry);
                    }
                    6 | 7 if !reference.is_empty() => {
                        let i = rng.random_range(0..reference.len());
                        assert!(col.set(i, entry));
                        reference[i] = entry;
                    }
                    8 => {
                        let len = rng.random_range(0..reference.len() + 130);
                        col.resize(len, entry);
                        reference.resize(len, entry);
                    }
                    _ => {
                        assert!(!col.set(reference.len(), entry));
                    }
                }
                assert_eq!(col.len(), reference.len());
                assert!(col.missing.is_empty() || col.missing.len() == col.len().div_ceil(64));
            }
            let got: Vec<Option<u64>> = col.iter().collect();
            assert_eq!(got, reference, "seed {seed}");
            assert_eq!(col.get(reference.len()), None);
            assert_eq!(col.any_missing(), reference.contains(&None));
            assert_eq!(col, Column::from(reference.clone()));
            for (i, e) in reference.iter().enumerate() {
                assert_eq!(col.is_missing(i), e.is_none());
                if let Some(v) = e {
                    assert_eq!(col.values()[i], *v);
                }
            }
        }
    }

    /// Appending a column's parts gives the entries of both, whichever of the two has missing entries; parts
    /// that do not fit are refused.
    #[test]
    fn appends_columns_and_their_parts() {
        for seed in 0..200 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut side = || -> Vec<Option<u64>> {
                let p = [0.0, 0.1, 1.0][rng.random_range(0..3)];
                (0..rng.random_range(0..200))
                    .map(|i| (!rng.random_bool(p)).then_some(i))
                    .collect()
            };
            let (a, b) = (side(), side());
            let mut col = Column::from(a.clone());
            let more = Column::from(b.clone());
            assert!(col.append_parts(more.values(), more.missing_words()));
            let both: Vec<Option<u64>> = a.iter().chain(&b).copied().collect();
            assert_eq!(col, Column::from(both.clone()), "seed {seed}");
            assert!(col.missing.is_empty() || col.missing.len() == col.len().div_ceil(64));
            let mut again = Column::new();
            assert!(again.append_parts(col.values(), col.missing_words()));
            assert_eq!(again, Column::from(both), "seed {seed}");
        }
        let mut c = Column::<u64>::new();
        assert!(!c.append_parts(&[1, 2], &[0, 0]), "a word too many");
        assert!(!c.append_parts(&[1, 2], &[0b100]), "a bit past the end");
        assert!(c.is_empty());
        assert!(c.append_parts(&[1, 0], &[0b10]));
        assert_eq!(c, Column::from(vec![Some(1), None]));
    }

    #[test]
    fn missing_entries_compare_and_print_as_none() {
        let a: Column<f64> = vec![Some(1.5), None, Some(-2.0)].into();
        let mut b = Column::filled(None, 3);
        b.set(0, Some(1.5));
        b.set(2, Some(-2.0));
        assert_eq!(a, b);
        assert_eq!(format!("{a:?}"), "[Some(1.5), None, Some(-2.0)]");
        assert_ne!(a, Column::from(vec![Some(1.5), Some(0.0), Some(-2.0)]));
    }
}
