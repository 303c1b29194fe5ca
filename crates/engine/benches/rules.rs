//! Criterion benches of the primary rules on two seeded 1M-cell magnitude tables: `rules/<rule>/1M` (leaf cells
//! of three flat dimensions, no margins) and `rules-margins/<rule>/1M` (three dimensions of 99 codes plus a
//! total, tabulated from 4M microdata rows with every margin, so class disclosure and additivity walk real
//! additive relations).

use cellguard_engine::policy::{ClassDisclosure, Dominance, PPercent, Policy, Threshold};
use cellguard_engine::table::{Dimension, Shadow, Table};
use cellguard_engine::tabulate::{CatColumn, Microdata};
use cellguard_engine::{Agg, Status, TabulateSpec, check_table, tabulate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A 100 × 100 × 100 leaf table with random unit counts and long-tailed contributions.
fn table(side: u32, seed: u64) -> Table {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let dims: Vec<Dimension> = ["a", "b", "c"]
        .iter()
        .map(|n| Dimension::flat(n, (0..side).map(|i| format!("{n}{i}")), None))
        .collect();
    let cells = (side as usize).pow(3);
    let mut coords = Vec::with_capacity(cells * 3);
    let mut s = Shadow {
        value: Some(Vec::new()),
        top: vec![Vec::new(), Vec::new(), Vec::new()],
        ..Shadow::default()
    };
    for i in 0..cells as u32 {
        coords.extend([i / (side * side), (i / side) % side, i % side]);
        let n = rng.random_range(0..40u64);
        let mut tops = [0.0f64; 3];
        let mut total = 0.0;
        for t in tops.iter_mut().take(n.min(3) as usize) {
            *t = rng.random_range(100.0..5000.0);
        }
        tops.sort_by(|x, y| y.total_cmp(x));
        for t in tops {
            total += t;
        }
        total += n.saturating_sub(3) as f64 * rng.random_range(50.0..tops[2].max(51.0));
        s.n.push(Some(n));
        if let Some(v) = s.value.as_mut() {
            v.push(Some(total));
        }
        for (k, (col, t)) in s.top.iter_mut().zip(tops).enumerate() {
            col.push((k < n as usize).then_some(t));
        }
    }
    Table::new("bench", dims, coords, (1..=cells as u64).collect(), s).unwrap()
}

/// 99 × 99 × 99 leaves with all margins (1M cells), from skewed microdata: small and dominated cells abound.
fn margins_table(seed: u64) -> Table {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let rows = 4_000_000;
    let dims = ["a", "b", "c"]
        .iter()
        .map(|&name| CatColumn {
            name: name.into(),
            ids: (0..rows)
                .map(|_| {
                    // Skewed: low codes are common, high codes rare.
                    let u: f64 = rng.random_range(0.0..1.0);
                    ((u * u) * 99.0) as u32
                })
                .collect(),
            dictionary: (0..99).map(|i| format!("{name}{i}")).collect(),
        })
        .collect();
    let md = Microdata {
        dims,
        unit: None,
        value: Some(
            (0..rows)
                .map(|_| {
                    let u: f64 = rng.random_range(0.0..1.0);
                    // Pareto tail: a few very large contributions.
                    Some(1000.0 / libm::pow(1.0 - u, 0.8))
                })
                .collect(),
        ),
        weight: None,
        source_rows: Vec::new(),
    };
    let mut spec = TabulateSpec::new(&["a"], &["b", "c"], Agg::Sum);
    spec.margins = true;
    tabulate("margins", &md, &spec, &mut |_, _| {})
        .unwrap()
        .table
}

fn only(f: impl FnOnce(&mut Policy)) -> Policy {
    let mut p = Policy::preset("essnet").unwrap();
    p.threshold = None;
    p.dominance.clear();
    p.class_disclosure = None;
    f(&mut p);
    p
}

fn bench(c: &mut Criterion) {
    run(c, "rules", &table(100, 42));
    let m = margins_table(43);
    assert!(m.len() >= 900_000, "{} cells", m.len());
    run(c, "rules-margins", &m);
}

fn run(c: &mut Criterion, group: &str, t: &Table) {
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(t.len() as u64));
    g.sample_size(20);
    let cases: Vec<(&str, Policy)> = vec![
        (
            "threshold",
            only(|p| p.threshold = Some(Threshold { min_units: 10 })),
        ),
        (
            "dominance",
            only(|p| {
                p.dominance = vec![Dominance {
                    n: 2,
                    k: 85.0,
                    inclusive: false,
                }]
            }),
        ),
        (
            "p-percent",
            only(|p| p.p_percent = Some(PPercent { p: 10.0 })),
        ),
        (
            "class-disclosure",
            only(|p| {
                p.class_disclosure = Some(ClassDisclosure {
                    max_share: 90.0,
                    single_category: true,
                })
            }),
        ),
        ("all-acro", Policy::preset("acro").unwrap()),
        ("all-essnet", Policy::preset("essnet").unwrap()),
    ];
    for (name, policy) in cases {
        // Every bench checks its result: the random table has empty, small and dominated cells.
        let r = check_table(t, &policy).unwrap();
        assert!(r.summary.count(Status::Safe) < r.summary.cells, "{name}");
        g.bench_function(format!("{name}/1M"), |b| {
            b.iter(|| check_table(t, &policy).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
