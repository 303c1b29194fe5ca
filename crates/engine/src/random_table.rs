//! Seeded random tables for property tests and benches: hierarchies, margins that add up or do not, missing
//! values (and contributions stored as NaN or infinite), negative contributions, a-priori statuses, dof columns, cells
//! left out (sparse tables). Every rule and
//! every branch of the rules gets something to judge. Not part of the checking path.

use crate::hierarchy::Hierarchy;
use crate::table::{Apriori, Column, Dimension, Shadow, Table};

/// A small deterministic generator (SplitMix64), so the engine needs no random-number dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// A random dimension: flat with or without a total, or a two-level codelist.
fn dimension(rng: &mut Rng, name: &str) -> Dimension {
    let leaves = 1 + rng.below(5) as usize;
    match rng.below(3) {
        0 => Dimension::flat(name, (0..leaves).map(|i| format!("{name}{i}")), None),
        1 => Dimension::flat(
            name,
            (0..leaves).map(|i| format!("{name}{i}")),
            Some("Total"),
        ),
        _ => {
            let groups = 1 + rng.below(3) as usize;
            let mut pairs = vec![("T".to_string(), None)];
            for g in 0..groups {
                pairs.push((format!("G{g}"), Some("T".to_string())));
                for l in 0..leaves {
                    pairs.push((format!("G{g}L{l}"), Some(format!("G{g}"))));
                }
            }
            match Hierarchy::from_pairs(name, &pairs) {
                Ok(h) => Dimension::with_hierarchy(name, &h),
                Err(_) => Dimension::flat(name, ["x".to_string()], None),
            }
        }
    }
}

/// A random table of 1–3 dimensions. Cells are derived from unit-level leaves so margins usually add up; some
/// cells are then dropped, blanked, made negative or given a declared status.
pub fn table(seed: u64) -> Result<Table, crate::Error> {
    let mut rng = Rng::new(seed);
    let nd = 1 + rng.below(3) as usize;
    let dims: Vec<Dimension> = (0..nd)
        .map(|d| dimension(&mut rng, ["a", "b", "c"].get(d).copied().unwrap_or("d")))
        .collect();
    let magnitude = rng.chance(0.7);
    let k = if rng.chance(0.8) { 3 } else { 1 };
    let with_dof = rng.chance(0.15);
    let with_apriori = rng.chance(0.3);
    let with_neg = rng.chance(0.3);
    let with_missing = rng.chance(0.3);
    let keep = if rng.chance(0.3) { 0.6 } else { 1.0 };
    // Every code combination, row-major.
    let total: usize = dims.iter().map(Dimension::len).product();
    let mut coords = Vec::new();
    let mut s = Shadow {
        value: magnitude.then(Column::new),
        top: if magnitude {
            vec![Column::new(); k]
        } else {
            Vec::new()
        },
        apriori: with_apriori.then(Vec::new),
        dof: with_dof.then(Column::new),
        n_negative: with_neg.then(Column::new),
        n_missing: with_missing.then(Column::new),
        ..Shadow::default()
    };
    let mut rows = Vec::new();
    for i in 0..total {
        if !rng.chance(keep) {
            continue;
        }
        let mut rest = i;
        let mut c = vec![0u32; nd];
        for (d, dim) in dims.iter().enumerate().rev() {
            if let Some(slot) = c.get_mut(d) {
                *slot = (rest % dim.len()) as u32;
            }
            rest /= dim.len().max(1);
        }
        coords.extend_from_slice(&c);
        rows.push(rows.len() as u64 + 2);
        // Units: small counts are common, so thresholds fire; one big unit dominates sometimes.
        let n = match rng.below(6) {
            0 => 0,
            1 => 1 + rng.below(3),
            2 => 3 + rng.below(8),
            _ => 10 + rng.below(40),
        };
        s.n.push(if with_missing && rng.chance(0.05) {
            None
        } else {
            Some(n)
        });
        let mut tops = [0.0f64; 3];
        let mut value = 0.0;
        for (j, t) in tops.iter_mut().enumerate() {
            if (j as u64) < n {
                *t = (1 + rng.below(5000)) as f64 * if rng.chance(0.1) { 50.0 } else { 1.0 };
            }
        }
        tops.sort_by(|a, b| b.total_cmp(a));
        for t in tops {
            value += t;
        }
        value += n.saturating_sub(3) as f64 * (1 + rng.below(100)) as f64;
        if with_neg && rng.chance(0.05) {
            value = -value;
        }
        if let Some(v) = s.value.as_mut() {
            v.push(match rng.below(40) {
                0 if with_missing => None,
                1 if with_missing => Some(f64::NAN),
                _ => Some(value),
            });
        }
        for (j, col) in s.top.iter_mut().enumerate() {
            let t = tops.get(j).copied().unwrap_or(0.0);
            col.push(if (j as u64) < n {
                if with_missing && rng.chance(0.03) {
                    None
                } else if with_missing && rng.chance(0.02) {
                    // Stored, but not a number.
                    Some(if rng.chance(0.5) {
                        f64::NAN
                    } else {
                        f64::INFINITY
                    })
                } else if with_neg && rng.chance(0.03) {
                    Some(-t)
                } else {
                    Some(t)
                }
            } else {
                None
            });
        }
        if let Some(a) = s.apriori.as_mut() {
            a.push(match rng.below(12) {
                0 => Some(Apriori::Safe),
                1 => Some(Apriori::Unsafe),
                2 => Some(Apriori::Protected),
                3 => Some(Apriori::Structural),
                _ => None,
            });
        }
        if let Some(d) = s.dof.as_mut() {
            d.push(match rng.below(10) {
                0 => None,
                1 => Some(f64::INFINITY),
                x => Some(x as f64 * 2.0),
            });
        }
        if let Some(u) = s.n_negative.as_mut() {
            u.push(if rng.chance(0.05) { Some(1) } else { Some(0) });
        }
        if let Some(m) = s.n_missing.as_mut() {
            m.push(if rng.chance(0.05) {
                Some(rng.below(3))
            } else {
                None
            });
        }
    }
    make_margins_add_up(&dims, &coords, &mut s, &mut rng);
    Table::new(&format!("random{seed}"), dims, coords, rows, s)
}

/// Most margins add up to their parts (as tabulated tables do); a few are left as drawn, so `additivity` fires.
fn make_margins_add_up(dims: &[Dimension], coords: &[u32], s: &mut Shadow, rng: &mut Rng) {
    let nd = dims.len();
    let cells = s.n.len();
    // Depth of a cell: the number of dimensions in which it is an aggregate; fill aggregates from the deepest
    // leaves up by summing the cells that have it as a parent in some dimension.
    let is_leaf = |c: usize| {
        coords
            .get(c * nd..c * nd + nd)
            .unwrap_or(&[])
            .iter()
            .zip(dims)
            .all(|(&code, d)| d.children(code).is_empty())
    };
    let mut index = std::collections::HashMap::new();
    for c in 0..cells {
        index.insert(coords.get(c * nd..c * nd + nd).unwrap_or(&[]).to_vec(), c);
    }
    // Repeatedly: each aggregate's n = sum of its children's n along its first aggregate dimension.
    for _ in 0..6 {
        for c in 0..cells {
            if is_leaf(c) || rng.chance(0.05) {
                continue;
            }
            let here = coords.get(c * nd..c * nd + nd).unwrap_or(&[]).to_vec();
            let Some((d, code)) = here
                .iter()
                .enumerate()
                .find(|(d, code)| {
                    dims.get(*d)
                        .is_some_and(|dim| !dim.children(**code).is_empty())
                })
                .map(|(d, c)| (d, *c))
            else {
                continue;
            };
            let Some(dim) = dims.get(d) else { continue };
            let mut n = 0u64;
            let mut v = 0.0;
            for &ch in dim.children(code) {
                let mut k = here.clone();
                if let Some(slot) = k.get_mut(d) {
                    *slot = ch;
                }
                if let Some(&kc) = index.get(&k) {
                    n += s.n.get(kc).unwrap_or(0);
                    v += s.value.as_ref().and_then(|col| col.get(kc)).unwrap_or(0.0);
                }
            }
            if s.n.get(c).is_some() {
                s.n.set(c, Some(n));
            }
            let top1 = s.top.first().and_then(|t| t.get(c)).unwrap_or(0.0);
            if let Some(col) = s.value.as_mut() {
                if col.get(c).is_some_and(f64::is_finite) {
                    col.set(c, Some(v.max(top1)));
                }
            }
        }
    }
}
