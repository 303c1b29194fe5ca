//! Primary disclosure rules. Each rule is one module with its own doc (what it checks, why, parameters, example,
//! references), its test of a cell, its finding's words in English, Dutch and French, and its tests;
//! [`check_table`] runs the policy's rules over a table and returns its report.
//!
//! Where to look: `pass.rs` runs the rules over a table (`Pass::run` holds the order of the per-cell rules),
//! `screen.rs` is the first look that spares most cells the full evaluation, `grid.rs` and `relations.rs` walk
//! the groups of cells (rows, columns, hierarchy children) for the group rules, `finding.rs` and `detail.rs`
//! hold what a finding records, `uses.rs` how each rule was used on a table.
//!
//! Architecture invariant: a rule never fails on a cell. A cell a rule cannot decide (a missing value, a negative
//! contribution) gets a finding of its own (`missing`, `negative`) that says why, and the rule skips that cell only.

// The rules, one file each (the order they run in is `pass.rs`'s `Pass::run`).
mod additivity;
mod apriori;
mod class_disclosure;
mod consistency;
mod dof;
mod dominance;
mod missing;
mod negative;
mod p_percent;
mod threshold;
mod zero;

// How they run.
mod columns;
mod detail;
mod finding;
mod grid;
mod magnitude;
mod pass;
mod relations;
mod screen;
mod uses;
pub use uses::reasons;
pub mod verdict;
mod words;

pub(crate) use additivity::adds_up;
pub use class_disclosure::ClassDisclosure;
pub(crate) use columns::Columns;
pub use detail::{Detail, NamedDetail, Negatives};
pub use dof::Dof;
pub use dominance::Dominance;
pub(crate) use finding::push;
pub use finding::{Dim, Finding, RuleCode, ShadowName, Status};
pub use p_percent::{PPercent, Pq};
pub use pass::check_table;
pub(crate) use pass::run_all;
pub use threshold::Threshold;
pub(crate) use words::derived;
pub use words::{Lang, num};
pub use zero::Zero;

#[cfg(test)]
pub(crate) mod testing {
    //! Shared helpers for the rules' data-driven tests.
    use crate::report::TableReport;
    use crate::table::{Dimension, Table, TableBuilder};

    /// Runs `f` with one of the engine's test switches (`grid::NO_GRID`, `grid::FAIL_READS`,
    /// `relations::NO_LAYOUT`) turned on, then turns it off again.
    pub fn switched<R>(
        switch: &'static std::thread::LocalKey<std::cell::Cell<bool>>,
        f: impl FnOnce() -> R,
    ) -> R {
        switch.with(|s| s.set(true));
        let r = f();
        switch.with(|s| s.set(false));
        r
    }

    /// `"cell: detail"` for every finding of `rule` in the report, in cell order.
    pub fn details(r: &TableReport, rule: crate::rules::RuleCode) -> Vec<String> {
        r.cells_with(rule)
            .map(|(c, f)| format!("{c}: {}", f.detail(&r.dimensions)))
            .collect()
    }

    /// A one-dimensional magnitude table: each entry is `(code, n, value, tops)`, plus a `Total` code.
    pub fn table(cells: &[(&str, u64, f64, &[f64])]) -> Table {
        let dim = Dimension::flat("d", cells.iter().map(|c| c.0.to_string()), Some("Total"));
        let mut b = TableBuilder::new();
        for (i, (code, n, v, top)) in cells.iter().enumerate() {
            let id = dim.id(code).unwrap_or(0);
            b = b.cell(i as u64 + 2, &[id], Some(*n), Some(*v), top);
        }
        b.build("t", vec![dim]).unwrap()
    }
}

#[cfg(test)]
mod pass_tests {
    use super::pass::{TEST_BLOCK, TEST_CHUNK, check, chunks};
    use super::*;
    use crate::exact::Numbers;
    use crate::policy::{Action, Policy};
    use crate::policy::{Dof, Dominance, Pq};
    use crate::random_table;
    use crate::table::Apriori;
    use testing::switched;

    fn policies() -> Vec<Policy> {
        let mut all: Vec<Policy> = ["essnet", "acro", "sdctable"]
            .iter()
            .filter_map(|p| Policy::preset(p).ok())
            .collect();
        if let Ok(mut p) = Policy::preset("essnet") {
            p.dof = Some(Dof { min: 10.0 });
            p.pq = Some(Pq { p: 10.0, q: 50.0 });
            p.dominance.push(Dominance {
                n: 1,
                k: 60.0,
                inclusive: true,
            });
            p.dominance.push(Dominance {
                n: 3,
                k: 75.0,
                inclusive: false,
            });
            all.push(p);
        }
        // The other side of the presets' boundaries: inclusive where they are strict and back, class disclosure
        // at exactly 90 % without the single-category test.
        if let Ok(mut p) = Policy::preset("sdctable") {
            p.name = "edges".into();
            p.dominance = [(2, 85.0, true), (1, 50.0, true), (2, 90.0, false)]
                .map(|(n, k, inclusive)| Dominance { n, k, inclusive })
                .into();
            p.p_percent = Some(crate::policy::PPercent { p: 10.0 });
            p.class_disclosure = Some(crate::policy::ClassDisclosure {
                max_share: 90.0,
                inclusive: true,
                single_category: false,
            });
            p.missing = Action::Unsafe;
            all.push(p);
        }
        all
    }

    /// The direct-address index and group slots (dense tables) and the sorted index with group-by-group lookups
    /// (sparse tables) find the same groups: every report is the same, on random tables with hierarchies, gaps,
    /// missing and negative values.
    #[test]
    fn dense_and_sparse_paths_give_the_same_report() {
        let mut dense = 0;
        let mut fired = 0;
        for seed in 0..300 {
            let t = random_table::table(seed).unwrap();
            dense += usize::from(t.key_space().is_some());
            let sparse = t.clone().with_sorted_index();
            assert!(sparse.key_space().is_none());
            for p in policies() {
                let a = check_table(&t, &p);
                let b = switched(&relations::NO_LAYOUT, || check_table(&sparse, &p));
                match (a, b) {
                    (Ok(a), Ok(b)) => {
                        fired += a.findings_of(RuleCode::ClassDisclosure).count();
                        assert_eq!(a, b, "seed {seed}, policy {}", p.name);
                    }
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                    (a, b) => panic!("seed {seed}: {a:?} vs {b:?}"),
                }
            }
        }
        assert_eq!(dense, 300, "small random tables all get a dense index");
        assert!(fired > 100, "class disclosure fired {fired} times");
    }

    /// On a full table (every code combination, in key order) the group rules add whole rows of cells, in one
    /// slice per dimension or cut into several (ranges of blocks or of offsets in the rows); every other table
    /// in key order gets group slots: the same reports, on random tables with hierarchies, missing entries, NaN
    /// and negative values.
    #[test]
    fn full_grid_and_group_slots_give_the_same_report() {
        let (mut grids, mut class, mut sums) = (0, 0, 0);
        // Tables and full grids by their dimensions.
        let (mut tables, mut full) = ([0; 7], [0; 7]);
        for seed in 0..400 {
            let t = random_table::table(seed).unwrap();
            assert!(t.len() <= random_table::MAX_CELLS, "seed {seed}");
            grids += usize::from(t.is_full_grid());
            tables[t.dims().len()] += 1;
            full[t.dims().len()] += usize::from(t.is_full_grid());
            for p in policies() {
                let a = check_table(&t, &p);
                grid::PIECES.with(|f| f.set(Some(2 + seed as usize % 4)));
                let sliced = check_table(&t, &p);
                grid::PIECES.with(|f| f.set(None));
                let b = switched(&grid::NO_GRID, || check_table(&t, &p));
                match (a, b) {
                    (Ok(a), Ok(b)) => {
                        if t.is_full_grid() {
                            class += a.findings_of(RuleCode::ClassDisclosure).count();
                            sums += a.findings_of(RuleCode::Additivity).count();
                        }
                        assert_eq!(a, b, "seed {seed}, policy {}", p.name);
                        assert_eq!(
                            sliced.ok(),
                            Some(b),
                            "seed {seed}, policy {}, sliced",
                            p.name
                        );
                    }
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                    (a, b) => panic!("seed {seed}: {a:?} vs {b:?}"),
                }
            }
        }
        assert!(grids > 200, "{grids} full tables of 400");
        assert!(
            tables[1..].iter().all(|&n| n > 40) && full[5] > 20 && full[6] > 20,
            "tables by dimensions {tables:?}, full grids {full:?}"
        );
        assert!(
            class > 1000 && sums > 5000,
            "class disclosure {class}, additivity {sums}"
        );
    }

    /// Every path adds a group's parts in codelist order, so the sums (and the numbers a finding shows) are the
    /// same bit for bit: parts whose sum depends on the order (3 − 1e16 + (1e16 + 2) …), along a dimension of nine
    /// parts (added four at a time on the grid) that is not the last.
    #[test]
    fn group_sums_add_parts_in_codelist_order() {
        use crate::table::{Dimension, TableBuilder};
        // Swapping any two of the last seven changes the sum (so does reversing them all).
        let parts = [
            3.0,
            -1e16,
            1e16 + 2.0,
            0.5,
            0.5,
            -1e16,
            1e16 + 2.0,
            -1.0,
            3.0,
        ];
        let a = Dimension::flat(
            "a",
            (0..parts.len()).map(|i| format!("a{i}")),
            Some("Total"),
        );
        let b = Dimension::flat("b", ["x".to_string(), "y".to_string()], Some("Total"));
        let mut t = TableBuilder::new();
        let mut row = 1;
        for i in 0..a.len() as u32 {
            for j in 0..b.len() as u32 {
                // Margins left at 7 units and 1e9: additivity fires and shows what the parts add up to.
                let leaf = (i as usize) < parts.len() && j < 2;
                let v = if leaf {
                    parts[i as usize] * f64::from(j + 1)
                } else {
                    1e9
                };
                t = t.cell(row, &[i, j], Some(if leaf { 3 } else { 7 }), Some(v), &[]);
                row += 1;
            }
        }
        let t = t.build("t", vec![a, b]).unwrap();
        assert!(t.is_full_grid());
        let mut p = Policy::preset("essnet").unwrap();
        p.dominance.clear();
        let grid = check_table(&t, &p).unwrap();
        let slots = switched(&grid::NO_GRID, || check_table(&t, &p).unwrap());
        let lookups = switched(&relations::NO_LAYOUT, || check_table(&t, &p).unwrap());
        assert_eq!(grid, slots);
        assert_eq!(grid, lookups);
        // Column `x` of the total along `a`: the parts folded left to right.
        let want = parts.iter().fold(-0.0, |s, &x| s + x);
        let total_x = t.find(t.key(&[parts.len() as u32, 0])).unwrap();
        let shown: Vec<f64> = grid
            .cell(total_x)
            .unwrap()
            .findings
            .iter()
            .filter_map(|f| match f.values {
                Detail::AdditivityValue {
                    sum,
                    dimension: Dim(0),
                    ..
                } => Some(sum),
                _ => None,
            })
            .collect();
        assert_eq!(shown, vec![want]);
        assert_ne!(
            want,
            parts.iter().rev().fold(-0.0, |s, &x| s + x),
            "the order matters"
        );
    }

    /// Parts whose values are infinite, NaN, or finite but past the largest float when added: no path finds a
    /// value difference, and the paths agree.
    #[test]
    fn group_sums_past_the_floats_find_nothing_on_any_path() {
        use crate::table::{Dimension, TableBuilder};
        for parts in [
            [1e308, 1e308, 1.0],
            [f64::INFINITY, 1.0, 2.0],
            [f64::NEG_INFINITY, f64::INFINITY, 2.0],
            [f64::NAN, 1.0, 2.0],
        ] {
            let d = Dimension::flat("d", (0..3).map(|i| format!("d{i}")), Some("Total"));
            let mut t = TableBuilder::new();
            for (i, v) in parts.iter().chain([&5.0]).enumerate() {
                t = t.cell(i as u64 + 2, &[i as u32], Some(12), Some(*v), &[]);
            }
            let t = t.build("t", vec![d]).unwrap();
            assert!(t.is_full_grid());
            let mut p = Policy::preset("essnet").unwrap();
            p.dominance.clear();
            let grid = check_table(&t, &p).unwrap();
            let lookups = switched(&relations::NO_LAYOUT, || check_table(&t, &p).unwrap());
            assert_eq!(grid, lookups, "{parts:?}");
            assert!(
                grid.findings_of(RuleCode::Additivity)
                    .all(|f| !matches!(f.values, Detail::AdditivityValue { .. })),
                "{parts:?}"
            );
        }
    }

    /// The first look never skips a cell a rule fires on: with and without it, the same reports, on unweighted
    /// tables (decimal and binary numbers) and weighted ones.
    #[test]
    fn screen_skips_only_cells_no_rule_fires_on() {
        // Dominance findings on weighted tables with their top units' weights; magnitude findings on binary
        // tables.
        let (mut weighted, mut binary, mut inconsistent) = (0, 0, 0);
        for seed in 0..300 {
            let t = random_table::table(seed).unwrap();
            let s = t.shadow();
            for p in policies() {
                TEST_BLOCK.with(|b| b.set(Some([1, 7, 64, 100][seed as usize % 4])));
                let screened = check(&t, &p, true);
                TEST_BLOCK.with(|b| b.set(None));
                match (screened, check(&t, &p, false)) {
                    (Ok(a), Ok(b)) => {
                        let found = [RuleCode::Dominance, RuleCode::PPercent, RuleCode::Pq]
                            .into_iter()
                            .map(|r| a.findings_of(r).count())
                            .sum::<usize>();
                        if !s.top_weight.is_empty() {
                            weighted += a.findings_of(RuleCode::Dominance).count();
                        }
                        if s.numbers == Numbers::Binary {
                            binary += found;
                        }
                        inconsistent += a.findings_of(RuleCode::Consistency).count();
                        assert_eq!(a, b, "seed {seed}, policy {}", p.name);
                    }
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                    (a, b) => panic!("seed {seed}: {a:?} vs {b:?}"),
                }
            }
        }
        assert!(
            weighted > 1000 && binary > 1000 && inconsistent > 1000,
            "weighted {weighted}, binary {binary}, inconsistent {inconsistent}"
        );
    }

    /// A table with top contributions but no value column: the first look still sees its negative and
    /// out-of-order tops (the rules judge them without a value), so screened and unscreened reports agree and
    /// neither cell is safe.
    #[test]
    fn tops_without_a_value_are_looked_at() {
        let d = crate::table::Dimension::flat("d", ["a", "b", "c"].map(String::from), None);
        let t = crate::table::TableBuilder::new()
            .cell(2, &[0], Some(20), None, &[3.0, 5.0])
            .cell(3, &[1], Some(20), None, &[1.0, -2.0])
            .cell(4, &[2], Some(20), None, &[5.0, 3.0])
            .build("t", vec![d])
            .unwrap();
        for p in policies() {
            let screened = check(&t, &p, true).unwrap();
            assert_eq!(screened, check(&t, &p, false).unwrap(), "policy {}", p.name);
            assert_eq!(
                screened.findings_of(RuleCode::Consistency).count(),
                1,
                "{}",
                p.name
            );
            assert_eq!(
                screened.findings_of(RuleCode::Negative).count(),
                1,
                "{}",
                p.name
            );
        }
    }

    /// More than three top columns (the first look's column-by-column case): out of order at the last ranks, tops
    /// above the value, and a consistent cell; screened and unscreened reports agree.
    #[test]
    fn four_top_columns_are_looked_at() {
        let d = crate::table::Dimension::flat("d", ["a", "b", "c"].map(String::from), None);
        let t = crate::table::TableBuilder::new()
            .cell(2, &[0], Some(20), Some(100.0), &[9.0, 8.0, 2.0, 3.0])
            .cell(3, &[1], Some(20), Some(20.0), &[9.0, 8.0, 3.0, 2.0])
            .cell(4, &[2], Some(20), Some(100.0), &[9.0, 8.0, 3.0, 2.0])
            .build("t", vec![d])
            .unwrap();
        for p in policies() {
            let screened = check(&t, &p, true).unwrap();
            assert_eq!(screened, check(&t, &p, false).unwrap(), "policy {}", p.name);
            assert_eq!(
                screened.findings_of(RuleCode::Consistency).count(),
                2,
                "{}",
                p.name
            );
        }
    }

    /// Cells the generator puts on a boundary (0.9 + 0.8 of a cell of 2 is 85 %; 9 of a group's 10 units is
    /// 90 %; in decimal and binary numbers, weighted or not) are decided exactly. A strict rule fires on a subset
    /// of the cells its inclusive twin fires on, and a cell only the inclusive one fires on lies exactly on the
    /// boundary: an answer only the exact comparison's slow path (big integers) gives, so each such cell took it.
    #[test]
    fn boundary_cells_are_decided_exactly() {
        let (mut decimal, mut binary, mut weighted, mut class) = (0, 0, 0, 0);
        for seed in 0..200 {
            let t = random_table::table(seed).unwrap();
            let s = t.shadow();
            for p in policies() {
                let twin = |inclusive: bool| {
                    let mut q = p.clone();
                    q.dominance.iter_mut().for_each(|d| d.inclusive = inclusive);
                    if let Some(c) = q.class_disclosure.as_mut() {
                        c.inclusive = inclusive;
                    }
                    check_table(&t, &q)
                };
                let (Ok(strict), Ok(inclusive)) = (twin(false), twin(true)) else {
                    continue;
                };
                for (i, (a, b)) in strict.cells().zip(inclusive.cells()).enumerate() {
                    let count = |c: &crate::CellReport, rule: RuleCode| {
                        c.findings.iter().filter(|f| f.rule == rule).count()
                    };
                    let dominance = (
                        count(&a, RuleCode::Dominance),
                        count(&b, RuleCode::Dominance),
                    );
                    let shares = (
                        count(&a, RuleCode::ClassDisclosure),
                        count(&b, RuleCode::ClassDisclosure),
                    );
                    let at = format!("seed {seed}, policy {}, cell {i}", p.name);
                    assert!(dominance.0 <= dominance.1 && shares.0 <= shares.1, "{at}");
                    if dominance.0 < dominance.1 {
                        match (s.numbers, s.top_weight.is_empty()) {
                            (_, false) => weighted += 1,
                            (Numbers::Binary, true) => binary += 1,
                            (Numbers::Decimal, true) => decimal += 1,
                        }
                    }
                    class += usize::from(shares.0 < shares.1);
                }
            }
        }
        assert!(
            decimal > 50 && binary > 10 && weighted > 20 && class > 20,
            "on the boundary: decimal {decimal}, binary {binary}, weighted {weighted}, class {class}"
        );
    }

    /// A weighted table without its top units' weights cannot be decided by the magnitude rules: every cell they
    /// would judge has a `missing` finding for `top1_weight` and is not safe unless declared safe.
    #[test]
    fn weighted_tables_without_top_weights_are_never_silently_safe() {
        let (mut tables, mut cells) = (0, 0);
        for seed in 0..300 {
            let t = random_table::table(seed).unwrap();
            let s = t.shadow();
            if s.weight.is_none() || !s.top_weight.is_empty() {
                continue;
            }
            tables += 1;
            for p in policies() {
                let Ok(r) = check_table(&t, &p) else { continue };
                for (i, c) in (0u32..).zip(r.cells()) {
                    let judged = t.value(i).is_some_and(|v| v.is_finite() && v > 0.0);
                    if !(judged && t.n(i).is_some_and(|n| n > 0)) {
                        continue;
                    }
                    cells += 1;
                    let at = format!("seed {seed}, policy {}, cell {i}", p.name);
                    assert!(
                        c.findings.iter().any(|f| f.values
                            == Detail::MissingShadow {
                                column: ShadowName::TopWeight(1)
                            }),
                        "{at}: {:?}",
                        c.findings
                    );
                    assert!(
                        c.status != Status::Safe || t.apriori(i) == Some(Apriori::Safe),
                        "{at}"
                    );
                }
            }
        }
        assert!(tables > 5 && cells > 1000, "{tables} tables, {cells} cells");
    }

    /// Fail closed: when every read of a column or of a group's parts fails (as a bug would make them), the
    /// first look sends every cell to every rule and the grid leaves the groups to the general path, so no
    /// finding is lost and no cell becomes safe: the same reports.
    #[test]
    fn failed_reads_lose_no_finding() {
        let mut grids = 0;
        for seed in 0..300 {
            let t = random_table::table(seed).unwrap();
            grids += usize::from(t.is_full_grid());
            for p in policies() {
                let a = check_table(&t, &p);
                let b = switched(&grid::FAIL_READS, || check_table(&t, &p));
                match (a, b) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b, "seed {seed}, policy {}", p.name),
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                    (a, b) => panic!("seed {seed}: {a:?} vs {b:?}"),
                }
            }
        }
        assert!(grids > 100, "{grids} full grids");
    }

    /// A finding is written for every cell a rule fires on (a quarter of a million per million cells is
    /// common) and they are all dropped at once: a flat record of at most 56 bytes, with nothing to free.
    #[test]
    fn findings_are_small_flat_records() {
        assert!(
            std::mem::size_of::<Finding>() <= 56,
            "{}",
            std::mem::size_of::<Finding>()
        );
        assert!(!std::mem::needs_drop::<Finding>());
    }

    /// Cut into chunks (run on the pool's threads) or not, the same report.
    #[test]
    fn chunks_join_into_the_same_report() {
        let mut chunked = 0;
        for seed in 0..200 {
            let t = random_table::table(seed).unwrap();
            for p in policies() {
                let whole = check_table(&t, &p);
                TEST_CHUNK.with(|c| c.set(Some(1 + seed as usize % 7)));
                chunked += chunks(t.len()).len();
                let parts = check_table(&t, &p);
                TEST_CHUNK.with(|c| c.set(None));
                match (whole, parts) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b, "seed {seed}, policy {}", p.name),
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                    (a, b) => panic!("seed {seed}: {a:?} vs {b:?}"),
                }
            }
        }
        assert!(chunked > 2000, "{chunked} chunks");
    }

    /// Findings come out grouped by cell, in the rules' order, and the counts match the findings.
    #[test]
    fn findings_are_grouped_in_rule_order_and_counted() {
        let order = |r: RuleCode| match r {
            RuleCode::Missing => 0,
            RuleCode::Negative => 1,
            RuleCode::Consistency => 1,
            RuleCode::Zero => 2,
            RuleCode::Threshold => 3,
            RuleCode::Dominance => 4,
            RuleCode::PPercent => 5,
            RuleCode::Pq => 6,
            RuleCode::ClassDisclosure => 7,
            RuleCode::Dof => 8,
            RuleCode::Additivity => 9,
            RuleCode::Apriori => 10,
        };
        for seed in 0..100 {
            let t = random_table::table(seed).unwrap();
            for p in policies() {
                let Ok(r) = check_table(&t, &p) else { continue };
                let mut by_rule = std::collections::BTreeMap::new();
                for c in r.cells() {
                    // `missing` also reports a dof column's gaps, at the dof rule's place.
                    let ranks: Vec<_> = c
                        .findings
                        .iter()
                        .map(|f| match (f.rule, &f.values) {
                            (RuleCode::Missing, Detail::MissingShadow { column })
                                if *column == ShadowName::Dof =>
                            {
                                8
                            }
                            (rule, _) => order(rule),
                        })
                        .collect();
                    assert!(ranks.is_sorted(), "seed {seed}: {:?}", c.findings);
                    let mut rules: Vec<_> = c.findings.iter().map(|f| f.rule.as_str()).collect();
                    rules.dedup();
                    rules.sort();
                    rules.dedup();
                    for rule in rules {
                        *by_rule.entry(rule).or_insert(0u64) += 1;
                    }
                }
                assert_eq!(r.summary.by_rule, by_rule, "seed {seed}");
            }
        }
    }
}
