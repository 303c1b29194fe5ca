//! Seeded random tables for the rules' property tests: 1 to 6 dimensions (flat, with a total, or codelists of
//! two or three levels listed in any order), margins that add up or do not, cells left out (sparse tables) or
//! every combination present in key order (full grids), cells out of key order, missing values (and
//! contributions stored as NaN or infinite), negative contributions, declared statuses, dof columns, sampling
//! weights (with the top units' weights, or without them), decimal and binary numbers, and cells that lie exactly
//! on a rule's boundary. Every rule and every path of the rules gets something to judge. Not part of the
//! checking path.

use crate::exact::Numbers;
use crate::hierarchy::Hierarchy;
use crate::table::{Apriori, Column, Dimension, Shadow, Table};
use std::collections::BTreeMap;

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
    /// One of `xs` (not empty).
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
    /// `xs` in a random order (Fisher–Yates).
    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            xs.swap(i, self.below(i as u64 + 1) as usize);
        }
    }
}

/// Code combinations a table has at most: a table of more dimensions gets fewer codes in each, so the property
/// tests, which check every table under several policies and along every path, stay fast.
pub const MAX_CELLS: usize = 256;

/// The number `mantissa × 10^exponent`, as a text file would give it (the float nearest to the decimal).
fn decimal(mantissa: u64, exponent: i32) -> f64 {
    format!("{mantissa}e{exponent}").parse().unwrap_or(0.0)
}

/// A sampling weight from 0.3 to 5 in steps of 0.1 (decimals that are no binary fractions); four in ten below 1.
fn weight(rng: &mut Rng) -> f64 {
    if rng.chance(0.4) {
        decimal(3 + rng.below(7), -1)
    } else {
        decimal(10 + rng.below(41), -1)
    }
}

/// A random dimension of at most `cap` codes: flat with or without a total, or a codelist of two levels (a
/// total and its codes) or three (a total, groups, and each group's codes, unevenly many).
fn dimension(rng: &mut Rng, name: &str, cap: usize) -> Dimension {
    let codes = |leaves: usize| (0..leaves).map(move |i| format!("{name}{i}"));
    for _ in 0..8 {
        let leaves = 1 + rng.below(5) as usize;
        let dim = match rng.below(4) {
            0 => Dimension::flat(name, codes(leaves), None),
            1 => Dimension::flat(name, codes(leaves), Some("Total")),
            2 => codelist(rng, name, &[leaves]),
            _ => {
                // Small groups when the room is small, so tables of many dimensions get three levels too.
                let most = if cap < 16 { 2 } else { 4 };
                let groups = 2 + rng.below(2) as usize;
                let sizes: Vec<usize> = (0..groups).map(|_| 1 + rng.below(most) as usize).collect();
                codelist(rng, name, &sizes)
            }
        };
        if dim.len() <= cap {
            return dim;
        }
    }
    Dimension::flat(name, codes(cap.clamp(1, 2)), None)
}

/// A codelist with a total `T`: one size is two levels (`T` and its codes), several are three (`T`, a group per
/// size, and that many codes in each). The codes are listed parents first, level by level, children first, or
/// shuffled, so the grid sees the parts of one parent both in one run and scattered.
fn codelist(rng: &mut Rng, name: &str, sizes: &[usize]) -> Dimension {
    // (level, code, parent), parents first.
    let mut pairs: Vec<(u8, String, Option<String>)> = vec![(0, "T".into(), None)];
    if let [leaves] = sizes {
        for l in 0..*leaves {
            pairs.push((1, format!("L{l}"), Some("T".into())));
        }
    } else {
        for (g, &leaves) in sizes.iter().enumerate() {
            pairs.push((1, format!("G{g}"), Some("T".into())));
            for l in 0..leaves {
                pairs.push((2, format!("G{g}L{l}"), Some(format!("G{g}"))));
            }
        }
    }
    match rng.below(4) {
        0 => {}
        1 => pairs.sort_by_key(|p| p.0),
        2 => pairs.reverse(),
        _ => rng.shuffle(&mut pairs),
    }
    let pairs: Vec<(String, Option<String>)> = pairs.into_iter().map(|(_, c, p)| (c, p)).collect();
    match Hierarchy::from_pairs(name, &pairs) {
        Ok(h) => Dimension::with_hierarchy(name, &h),
        Err(_) => Dimension::flat(name, ["x".to_string()], None),
    }
}

/// A cell that lies exactly on a rule's boundary in decimal numbers: its top contributions and the value (as
/// mantissas, times one power of ten), the weights of the top units (1 unweighted) and its units. Each is
/// written for a rule of the property tests' policies.
struct Edge {
    top: [u64; 3],
    weight: [f64; 3],
    value: u64,
    n: u64,
}

const ONE: [f64; 3] = [1.0; 3];

const fn edge(top: [u64; 3], weight: [f64; 3], value: u64, n: u64) -> Edge {
    Edge {
        top,
        weight,
        value,
        n,
    }
}

/// Unweighted cells on a boundary: 0.9 + 0.8 of 2 is 85 %.
const EDGES: [Edge; 9] = [
    // (2, 85): 9 + 8 = 85 % of 20.
    edge([9, 8, 3], ONE, 20, 3),
    // (2, 90): 9 + 9 = 90 % of 20.
    edge([9, 9, 2], ONE, 20, 3),
    // (1, 50): 11 = 50 % of 22.
    edge([11, 6, 5], ONE, 22, 3),
    // p 10 %: 97 − 70 − 20 = 10 % of 70.
    edge([70, 20, 7], ONE, 97, 3),
    // p 80 %: 12 − 5 − 3 = 80 % of 5.
    edge([5, 3, 2], ONE, 12, 4),
    // pq (25, 50): 50 × (11 − 6 − 2) = 25 × 6.
    edge([6, 2, 2], ONE, 11, 4),
    // pq (10, 50): 50 × (25 − 15 − 7) = 10 × 15.
    edge([15, 7, 3], ONE, 25, 3),
    // (1, 60): 9 = 60 % of 15.
    edge([9, 3, 3], ONE, 15, 3),
    // (3, 75): 9 + 4 + 2 = 75 % of 20.
    edge([9, 4, 2], ONE, 20, 6),
];

/// Weighted cells on a boundary (the `c` largest take each unit as many times as its weight says).
const WEIGHTED_EDGES: [Edge; 7] = [
    // (2, 85): 1.5 × 10 + 0.5 × 4 = 85 % of 20.
    edge([10, 4, 1], [1.5, 0.7, 2.0], 20, 3),
    // (2, 90): 2 × 9 = 90 % of 20.
    edge([9, 5, 1], [2.0, 1.2, 0.8], 20, 3),
    // (1, 50): 0.5 × 10 + 0.5 × 6 = 50 % of 16.
    edge([10, 6, 2], [0.5, 2.0, 1.0], 16, 3),
    // p 10 %: the two largest are both 70 (weight 2.5); 147 − 140 = 10 % of 70.
    edge([70, 20, 5], [2.5, 1.0, 1.0], 147, 3),
    // (1, 60): 0.5 × 18 + 0.5 × 12 = 60 % of 25.
    edge([18, 12, 2], [0.5, 3.0, 1.0], 25, 3),
    // (3, 75): 8 + 1.5 × 4 + 0.5 × 2 = 75 % of 20.
    edge([8, 4, 2], [1.0, 1.5, 4.0], 20, 4),
    // p 80 %: x1 = 0.4 × 500 + 0.6 × 300 = 380, x1 + x2 = 200 + 300 + 0.6 × 200 = 620; 924 − 620 = 80 % of 380.
    edge([500, 300, 200], [0.4, 1.0, 2.0], 924, 5),
];

/// One cell as drawn, before it goes into the shadow columns.
#[derive(Debug, Clone, Default)]
struct Cell {
    coords: Vec<u32>,
    n: Option<u64>,
    value: Option<f64>,
    top: [Option<f64>; 3],
    top_weight: [Option<f64>; 3],
    weight: Option<f64>,
    apriori: Option<Apriori>,
    dof: Option<f64>,
    n_negative: Option<u64>,
    n_missing: Option<u64>,
    /// Made to lie on a rule's boundary: the margins leave it as it is.
    pinned: bool,
}

/// What a table has, drawn once per table.
#[derive(Debug)]
struct Kind {
    magnitude: bool,
    /// Top contribution columns.
    k: usize,
    /// `Some(true)`: sampling weights with the top units' weights; `Some(false)`: a weight column only.
    weighted: Option<bool>,
    /// Decimal places of the contributions.
    places: u32,
    with_dof: bool,
    with_apriori: bool,
    with_neg: bool,
    with_missing: bool,
    /// Some cells' numbers contradict each other (the `consistency` rule's cases).
    with_contradictions: bool,
    /// Chance that a cell is kept (1: every combination).
    keep: f64,
    /// Chance that a magnitude cell is made to lie on a rule's boundary.
    edges: f64,
    /// Chance that an aggregate is left as drawn instead of the sum of its parts.
    loose: f64,
}

/// A random table of 1–6 dimensions and at most [`MAX_CELLS`] cells. Cells are derived from unit-level leaves
/// so margins usually add up; some cells are then dropped, blanked, made negative or given a declared status.
pub fn table(seed: u64) -> Result<Table, crate::Error> {
    let mut rng = Rng::new(seed);
    let nd = 1 + rng.below(6) as usize;
    // Later dimensions are left at least two codes each; the dimensions are then put in a random order, so a
    // large one is not always first.
    let mut room = MAX_CELLS;
    let mut order: Vec<usize> = (0..nd).collect();
    rng.shuffle(&mut order);
    let mut drawn: Vec<(usize, Dimension)> = Vec::with_capacity(nd);
    for (i, &at) in order.iter().enumerate() {
        let later = nd - i - 1;
        let cap = (room >> later).max(1);
        let name = ["a", "b", "c", "d", "e", "f"][at];
        let dim = dimension(&mut rng, name, cap);
        room /= dim.len().max(1);
        drawn.push((at, dim));
    }
    drawn.sort_by_key(|(at, _)| *at);
    let dims: Vec<Dimension> = drawn.into_iter().map(|(_, d)| d).collect();
    let magnitude = rng.chance(0.7);
    let kind = Kind {
        magnitude,
        k: if rng.chance(0.8) { 3 } else { 1 },
        weighted: (magnitude && rng.chance(0.3)).then(|| rng.chance(0.75)),
        places: rng.pick(&[0, 0, 1, 2]),
        with_dof: rng.chance(0.15),
        with_apriori: rng.chance(0.3),
        with_neg: rng.chance(0.3),
        with_missing: rng.chance(0.3),
        with_contradictions: rng.chance(0.3),
        keep: if rng.chance(0.3) { 0.6 } else { 1.0 },
        edges: if rng.chance(0.4) { 0.1 } else { 0.0 },
        loose: if rng.chance(0.4) { 0.1 } else { 0.0 },
    };
    let numbers = if rng.chance(0.25) {
        Numbers::Binary
    } else {
        Numbers::Decimal
    };
    let units = class_edges(&dims, &mut rng);
    // Every code combination, row-major.
    let total: usize = dims.iter().map(Dimension::len).product();
    let mut cells = Vec::new();
    for i in 0..total {
        if !rng.chance(kind.keep) {
            continue;
        }
        let mut rest = i;
        let mut coords = vec![0u32; nd];
        for (slot, dim) in coords.iter_mut().zip(&dims).rev() {
            *slot = (rest % dim.len().max(1)) as u32;
            rest /= dim.len().max(1);
        }
        let n = units.get(&coords).copied();
        cells.push(cell(&mut rng, &kind, coords, n));
    }
    make_margins_add_up(&dims, &mut cells, &mut rng, kind.loose);
    // Some tables list their cells out of key order.
    if rng.chance(0.1) {
        rng.shuffle(&mut cells);
    }
    let shadow = columns(&cells, &kind, numbers);
    let coords = cells
        .iter()
        .flat_map(|c| c.coords.iter().copied())
        .collect();
    let rows = (0..cells.len() as u64).map(|r| r + 2).collect();
    Table::new(&format!("random{seed}"), dims, coords, rows, shadow)
}

/// Units of some cells, chosen so that a part holds exactly 90 % of its group's units (9 of 10, 18 of 20 …):
/// a code whose siblings are all leaves, with leaf codes in every other dimension, so the group's head adds up
/// to its parts.
fn class_edges(dims: &[Dimension], rng: &mut Rng) -> BTreeMap<Vec<u32>, u64> {
    let mut units = BTreeMap::new();
    let leaves = |d: &Dimension| {
        (0..d.len() as u32)
            .filter(|&c| d.children(c).is_empty())
            .collect::<Vec<_>>()
    };
    for _ in 0..rng.below(4) {
        let d = rng.below(dims.len() as u64) as usize;
        let dim = &dims[d];
        let heads: Vec<u32> = (0..dim.len() as u32)
            .filter(|&c| {
                let ch = dim.children(c);
                ch.len() >= 2 && ch.iter().all(|&x| dim.children(x).is_empty())
            })
            .collect();
        if heads.is_empty() {
            continue;
        }
        let parts = dim.children(rng.pick(&heads)).to_vec();
        let mut coords: Vec<u32> = dims
            .iter()
            .map(|other| {
                let l = leaves(other);
                if l.is_empty() { 0 } else { rng.pick(&l) }
            })
            .collect();
        let share = 1 + rng.below(5);
        let big = rng.below(parts.len() as u64) as usize;
        for (j, &code) in parts.iter().enumerate() {
            coords[d] = code;
            let n = if j == big {
                9 * share
            } else if j == (big + 1) % parts.len() {
                share
            } else {
                0
            };
            units.insert(coords.clone(), n);
        }
    }
    units
}

/// Makes a cell's numbers contradict each other in one of the ways the `consistency` rule looks for (or as far
/// as the cell allows): tops out of order, a top beyond the units, a value in an empty cell, tops above the
/// value, a top of minus infinity and the others above the value.
fn contradict(rng: &mut Rng, c: &mut Cell, n: u64) {
    let some = 1.0 + rng.below(100) as f64;
    match rng.below(5) {
        0 => c.top.swap(0, 1),
        1 => {
            if let Some(t) = c.top.get_mut(n as usize) {
                *t = Some(some);
            }
        }
        2 if n == 0 => c.value = Some(some),
        3 => c.value = c.value.map(|v| v / 4.0),
        // Left out of the rule's sum, the other tops above the value.
        _ => {
            c.top[2] = Some(f64::NEG_INFINITY);
            c.value = c.value.map(|v| v / 4.0);
        }
    }
}

/// One cell: its units (`n` when given), and for a magnitude table its contributions as units with weights (1
/// unweighted), the value their (weighted) sum, or a cell on a rule's boundary; then the table's kinds of
/// trouble.
fn cell(rng: &mut Rng, kind: &Kind, coords: Vec<u32>, n: Option<u64>) -> Cell {
    let on_class_edge = n.is_some();
    // Units: small counts are common, so thresholds fire; one big unit dominates sometimes.
    let mut n = n.unwrap_or_else(|| match rng.below(6) {
        0 => 0,
        1 => 1 + rng.below(3),
        2 => 3 + rng.below(8),
        _ => 10 + rng.below(40),
    });
    let mut c = Cell {
        coords,
        ..Cell::default()
    };
    let weighted = kind.weighted.is_some();
    // A part of a group on the class-disclosure boundary keeps its units.
    if kind.magnitude && n > 0 && !on_class_edge && rng.chance(kind.edges) {
        let edge = if weighted && rng.chance(0.7) {
            &WEIGHTED_EDGES[rng.below(WEIGHTED_EDGES.len() as u64) as usize]
        } else {
            &EDGES[rng.below(EDGES.len() as u64) as usize]
        };
        // Integers are on the boundary in binary numbers too; decimal fractions only in decimals.
        let e = rng.pick(&[-2, -1, -1, 0, 1, 3]);
        n = edge.n + if weighted { rng.below(3) } else { 0 };
        c.value = Some(decimal(edge.value, e));
        for j in 0..3 {
            c.top[j] = Some(decimal(edge.top[j], e));
            c.top_weight[j] = Some(edge.weight[j]);
        }
        c.weight = Some(edge.weight.iter().sum::<f64>() + (n - 3) as f64);
        c.n = Some(n);
        c.pinned = true;
        return c;
    }
    c.n = if kind.with_missing && rng.chance(0.05) {
        None
    } else {
        Some(n)
    };
    if kind.magnitude {
        let mut tops = [0u64; 3];
        for (j, t) in tops.iter_mut().enumerate() {
            if (j as u64) < n {
                let scale = 10u64.pow(kind.places);
                *t = (1 + rng.below(5000 * scale)) * if rng.chance(0.1) { 50 } else { 1 };
            }
        }
        tops.sort_unstable_by(|a, b| b.cmp(a));
        let e = -(kind.places as i32);
        let (mut value, mut weights) = (0.0, 0.0);
        let slots = c.top.iter_mut().zip(&mut c.top_weight).zip(tops);
        for (_, ((top, top_weight), m)) in (0..n).zip(slots) {
            let t = decimal(m, e);
            let w = if weighted { weight(rng) } else { 1.0 };
            *top = Some(t);
            *top_weight = Some(w);
            value += w * t;
            weights += w;
        }
        // The other units, smaller, each of an average weight.
        let others = n.saturating_sub(3) as f64;
        let w = if weighted { weight(rng) } else { 1.0 };
        value += others * w * (1 + rng.below(100)) as f64;
        weights += others * w;
        if kind.with_neg && rng.chance(0.05) {
            value = -value;
        }
        c.value = match rng.below(40) {
            0 if kind.with_missing => None,
            1 if kind.with_missing => Some(f64::NAN),
            _ => Some(value),
        };
        c.weight = Some(weights);
        for t in c.top.iter_mut().filter(|t| t.is_some()) {
            if kind.with_missing && rng.chance(0.03) {
                *t = None;
            } else if kind.with_missing && rng.chance(0.02) {
                // Stored, but not a number.
                *t = Some(if rng.chance(0.5) {
                    f64::NAN
                } else {
                    f64::INFINITY
                });
            } else if kind.with_neg && rng.chance(0.03) {
                *t = t.map(|x| -x);
            }
        }
        for w in c.top_weight.iter_mut().filter(|w| w.is_some()) {
            if kind.with_missing && rng.chance(0.03) {
                *w = None;
            }
        }
        if kind.with_contradictions && rng.chance(0.08) {
            contradict(rng, &mut c, n);
        }
    }
    if kind.with_apriori {
        c.apriori = match rng.below(12) {
            0 => Some(Apriori::Safe),
            1 => Some(Apriori::Unsafe),
            2 => Some(Apriori::Protected),
            3 => Some(Apriori::Structural),
            _ => None,
        };
    }
    if kind.with_dof {
        c.dof = match rng.below(10) {
            0 => None,
            1 => Some(f64::INFINITY),
            x => Some(x as f64 * 2.0),
        };
    }
    if kind.with_neg {
        c.n_negative = Some(u64::from(rng.chance(0.05)));
    }
    if kind.with_missing && rng.chance(0.05) {
        c.n_missing = Some(rng.below(3));
    }
    c
}

/// The shadow columns of the cells: those the table's kind has.
fn columns(cells: &[Cell], kind: &Kind, numbers: Numbers) -> Shadow {
    let col =
        |f: &dyn Fn(&Cell) -> Option<f64>| Column::from(cells.iter().map(f).collect::<Vec<_>>());
    let ucol =
        |f: &dyn Fn(&Cell) -> Option<u64>| Column::from(cells.iter().map(f).collect::<Vec<_>>());
    let k = if kind.magnitude { kind.k } else { 0 };
    Shadow {
        n: ucol(&|c| c.n),
        value: kind.magnitude.then(|| col(&|c| c.value)),
        top: (0..k).map(|j| col(&|c| c.top[j])).collect(),
        top_weight: if kind.weighted == Some(true) {
            (0..k).map(|j| col(&|c| c.top_weight[j])).collect()
        } else {
            Vec::new()
        },
        weight: kind.weighted.map(|_| col(&|c| c.weight)),
        apriori: kind
            .with_apriori
            .then(|| cells.iter().map(|c| c.apriori).collect()),
        cost: None,
        dof: kind.with_dof.then(|| col(&|c| c.dof)),
        n_missing: kind.with_missing.then(|| ucol(&|c| c.n_missing)),
        n_negative: kind.with_neg.then(|| ucol(&|c| c.n_negative)),
        numbers,
    }
}

/// Most margins add up to their parts (as tabulated tables do); in some tables a few are left as drawn, so
/// `additivity` fires. A cell's height is the sum over dimensions of its code's height in the codelist (0 for a
/// leaf); every aggregate is the sum of its parts along its first aggregate dimension, and those parts are lower,
/// so one pass from the lowest cells up fills every margin.
fn make_margins_add_up(dims: &[Dimension], cells: &mut [Cell], rng: &mut Rng, loose: f64) {
    let heights: Vec<Vec<u32>> = dims.iter().map(heights).collect();
    let height = |c: &Cell| -> u32 {
        c.coords
            .iter()
            .zip(&heights)
            .map(|(&code, h)| h.get(code as usize).copied().unwrap_or(0))
            .sum()
    };
    let mut order: Vec<usize> = (0..cells.len()).collect();
    order.sort_by_key(|&i| height(&cells[i]));
    let index: BTreeMap<Vec<u32>, usize> = cells
        .iter()
        .enumerate()
        .map(|(i, c)| (c.coords.clone(), i))
        .collect();
    for i in order {
        if cells[i].pinned || rng.chance(loose) {
            continue;
        }
        let here = cells[i].coords.clone();
        let Some(d) = (0..dims.len()).find(|&d| !dims[d].children(here[d]).is_empty()) else {
            continue;
        };
        let (mut n, mut v, mut w) = (0u64, 0.0, 0.0);
        for &ch in dims[d].children(here[d]) {
            let mut k = here.clone();
            k[d] = ch;
            if let Some(part) = index.get(&k).map(|&j| &cells[j]) {
                n += part.n.unwrap_or(0);
                v += part.value.unwrap_or(0.0);
                w += part.weight.unwrap_or(0.0);
            }
        }
        let c = &mut cells[i];
        if c.n.is_some() {
            c.n = Some(n);
        }
        let top1 = c.top[0].unwrap_or(0.0);
        if c.value.is_some_and(f64::is_finite) {
            // A part that is not a number leaves the margin at least its largest contribution.
            c.value = Some(v.max(top1));
        }
        if c.weight.is_some() {
            c.weight = Some(w);
        }
    }
}

/// The height of each code of a dimension: 0 for a code without children, else one more than its highest child.
fn heights(dim: &Dimension) -> Vec<u32> {
    fn of(dim: &Dimension, code: u32, depth: usize) -> u32 {
        if depth > dim.len() {
            return 0;
        }
        dim.children(code)
            .iter()
            .map(|&c| 1 + of(dim, c, depth + 1))
            .max()
            .unwrap_or(0)
    }
    (0..dim.len() as u32).map(|c| of(dim, c, 0)).collect()
}

/// A codelist of three levels: a total `T`, one group per entry of `sizes`, and that many leaf codes in each
/// (two levels, `T` and its codes, for a single size).
pub fn hierarchical(name: &str, sizes: &[usize]) -> Dimension {
    let mut pairs: Vec<(String, Option<String>)> = vec![("T".into(), None)];
    if let [leaves] = sizes {
        pairs.extend((0..*leaves).map(|l| (format!("L{l}"), Some("T".to_string()))));
    } else {
        for (g, &leaves) in sizes.iter().enumerate() {
            pairs.push((format!("G{g}"), Some("T".into())));
            pairs.extend((0..leaves).map(|l| (format!("G{g}L{l}"), Some(format!("G{g}")))));
        }
    }
    match Hierarchy::from_pairs(name, &pairs) {
        Ok(h) => Dimension::with_hierarchy(name, &h),
        Err(_) => Dimension::flat(name, ["x".to_string()], None),
    }
}

/// What [`additive`] puts in a table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Additive {
    /// A value column (a magnitude table) besides the unit counts.
    pub magnitude: bool,
    /// Leaf values may be negative (magnitude tables).
    pub negatives: bool,
    /// Chance that a leaf combination is left out of the table (a structural zero nobody publishes).
    pub sparse: f64,
}

/// A table with every margin of `dims` that adds up exactly: unit counts drawn per leaf combination (many
/// zeros, ones and small counts, as in real tables), values a few units' worth each, every aggregate the sum of
/// the leaves below it. For secondary suppression's tests and benches.
pub fn additive(seed: u64, dims: Vec<Dimension>, what: Additive) -> Result<Table, crate::Error> {
    let mut rng = Rng::new(seed);
    let nd = dims.len();
    let lens: Vec<usize> = dims.iter().map(Dimension::len).collect();
    let total: usize = lens.iter().product();
    let leaf: Vec<Vec<bool>> = dims
        .iter()
        .map(|d| {
            (0..d.len() as u32)
                .map(|c| d.children(c).is_empty())
                .collect()
        })
        .collect();
    let decode = |mut i: usize| -> Vec<u32> {
        let mut coords = vec![0u32; nd];
        for (slot, &len) in coords.iter_mut().zip(&lens).rev() {
            *slot = (i % len.max(1)) as u32;
            i /= len.max(1);
        }
        coords
    };
    // Leaf combinations: (n, value), or None when left out.
    let mut n = vec![0u64; total];
    let mut value = vec![0.0f64; total];
    let mut present = vec![false; total];
    for i in 0..total {
        let coords = decode(i);
        if !coords.iter().zip(&leaf).all(|(&c, l)| l[c as usize]) || rng.chance(what.sparse) {
            continue;
        }
        let units = match rng.below(20) {
            0..=1 => 0,
            2..=3 => 1,
            4..=6 => 2 + rng.below(3),
            7..=9 => 5 + rng.below(5),
            _ => 10 + rng.below(90),
        };
        let mut v = 0.0;
        for _ in 0..units {
            let x = 10.0 + rng.below(500) as f64;
            v += if what.negatives && rng.chance(0.2) {
                -x
            } else {
                x
            };
        }
        n[i] = units;
        value[i] = v;
        present[i] = true;
    }
    // Every aggregate is the sum of the leaves below it: add each leaf into all its ancestors' combinations.
    let ancestors: Vec<Vec<Vec<u32>>> = dims
        .iter()
        .map(|d| {
            (0..d.len() as u32)
                .map(|c| d.self_and_ancestors(c).collect())
                .collect()
        })
        .collect();
    let mut agg_n = vec![0u64; total];
    let mut agg_v = vec![0.0f64; total];
    let mut agg_present = vec![false; total];
    for i in 0..total {
        if !present[i] {
            continue;
        }
        let coords = decode(i);
        let mut targets = vec![0usize];
        for (d, &c) in coords.iter().enumerate() {
            let stride: usize = lens[d + 1..].iter().product();
            targets = targets
                .iter()
                .flat_map(|&t| {
                    ancestors[d][c as usize]
                        .iter()
                        .map(move |&a| t + a as usize * stride)
                })
                .collect();
        }
        for t in targets {
            agg_n[t] += n[i];
            agg_v[t] += value[i];
            agg_present[t] = true;
        }
    }
    let mut shadow = Shadow {
        value: what.magnitude.then(Column::new),
        ..Shadow::default()
    };
    let mut coords = Vec::new();
    let mut rows = Vec::new();
    for i in 0..total {
        if !agg_present[i] {
            continue;
        }
        coords.extend(decode(i));
        rows.push(rows.len() as u64 + 2);
        shadow.n.push(Some(agg_n[i]));
        if let Some(v) = shadow.value.as_mut() {
            v.push(Some(agg_v[i]));
        }
    }
    Table::new(&format!("additive{seed}"), dims, coords, rows, shadow)
}

/// A small random table for secondary suppression's property tests: 1–3 dimensions of [`dimension`]'s kinds,
/// margins that add up, zeros, ones and small counts, sometimes values with negatives, sometimes sparse.
pub fn additive_small(seed: u64) -> Result<Table, crate::Error> {
    let mut rng = Rng::new(seed ^ 0x5eed_5eed);
    let nd = 1 + rng.below(3) as usize;
    let dims: Vec<Dimension> = (0..nd)
        .map(|d| dimension(&mut rng, ["a", "b", "c"][d], 12))
        .collect();
    let magnitude = rng.chance(0.4);
    let what = Additive {
        magnitude,
        negatives: magnitude && rng.chance(0.3),
        sparse: if rng.chance(0.3) { 0.2 } else { 0.0 },
    };
    additive(seed, dims, what)
}
