//! Criterion benches of the primary rules on two seeded 1M-cell magnitude tables: `rules/<rule>/1M` (leaf cells
//! of three flat dimensions, no margins) and `rules-margins/<rule>/1M` (three dimensions of 99 codes plus a
//! total, with every margin, so class disclosure and additivity walk real additive relations).

/// The allocator the `cellguard` binary ships with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cellguard_engine::policy::{ClassDisclosure, Dominance, PPercent, Policy, Threshold};
use cellguard_engine::table::{Column, Dimension, Shadow, Table};
use cellguard_engine::{RuleCode, Status, check_table};
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
        value: Some(Column::new()),
        top: vec![Column::new(), Column::new(), Column::new()],
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

/// 99 × 99 × 99 leaves drawn as in [`table`], plus every margin (a `Total` code in each dimension): 1M cells
/// whose totals add up, so class disclosure and additivity walk real additive relations.
fn margins_table(seed: u64) -> Table {
    let side = 100usize; // 99 codes and the total
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let dims: Vec<Dimension> = ["a", "b", "c"]
        .iter()
        .map(|n| {
            Dimension::flat(
                n,
                (0..side - 1).map(|i| format!("{n}{i:02}")),
                Some("Total"),
            )
        })
        .collect();
    let cells = side.pow(3);
    // Per cell: units, value, top 3; leaves drawn, margins summed dimension by dimension.
    let mut n = vec![0u64; cells];
    let mut value = vec![0.0f64; cells];
    let mut top = vec![[0.0f64; 3]; cells];
    let total = side - 1;
    for i in 0..cells {
        if (i / side / side) == total || (i / side) % side == total || i % side == total {
            continue;
        }
        let units = rng.random_range(0..40u64);
        let mut tops = [0.0f64; 3];
        for t in tops.iter_mut().take(units.min(3) as usize) {
            *t = rng.random_range(100.0..5000.0);
        }
        tops.sort_by(|x, y| y.total_cmp(x));
        n[i] = units;
        value[i] = tops.iter().sum::<f64>()
            + units.saturating_sub(3) as f64 * rng.random_range(50.0..tops[2].max(51.0));
        top[i] = tops;
    }
    for stride in [side * side, side, 1] {
        for i in 0..cells {
            if (i / stride) % side != total {
                continue;
            }
            let base = i - total * stride;
            let (mut units, mut sum, mut tops) = (0u64, 0.0f64, Vec::new());
            for c in 0..total {
                let j = base + c * stride;
                units += n[j];
                sum += value[j];
                tops.extend(top[j]);
            }
            tops.sort_by(|x, y| y.total_cmp(x));
            n[i] = units;
            value[i] = sum;
            top[i] = [tops[0], tops[1], tops[2]];
        }
    }
    let mut coords = Vec::with_capacity(cells * 3);
    let mut s = Shadow {
        value: Some(value.into_iter().map(Some).collect()),
        top: vec![Column::new(), Column::new(), Column::new()],
        ..Shadow::default()
    };
    for i in 0..cells {
        let (a, b, c) = (i / side / side, (i / side) % side, i % side);
        // Flat dimensions order codes naturally with the total last: code id = position.
        coords.extend([a as u32, b as u32, c as u32]);
        s.n.push(Some(n[i]));
        for (k, col) in s.top.iter_mut().enumerate() {
            col.push(((k as u64) < n[i]).then_some(top[i][k]));
        }
    }
    Table::new("margins", dims, coords, (1..=cells as u64).collect(), s).unwrap()
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
    // The margins add up: additivity finds nothing to report.
    let r = check_table(&m, &Policy::preset("essnet").unwrap()).unwrap();
    assert_eq!(r.findings_of(RuleCode::Additivity).count(), 0);
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
                    inclusive: false,
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
