//! Criterion benches of secondary suppression (`fast`, pattern and audit) on seeded tables with every margin:
//! `protect/2d-20x20` (21 × 21 cells), `protect/3d-10x10x10` (11³), `protect/3d-hier-25k` (three codelists of a
//! total, 4 groups and 24 leaves: 29³ = 24,389 cells) and `protect/3d-hier-100k` (a total, 5 groups, 40 leaves:
//! 46³ = 97,336 cells), under the threshold rule (10 units, safety range 30 %); `protect-optimal/2d-20x20`
//! the `optimal` method on the first.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cellguard_engine::check_table;
use cellguard_engine::policy::{Policy, Threshold};
use cellguard_engine::random_table::{Additive, additive, hierarchical};
use cellguard_engine::suppress::{Method, Options, Suppression, protect};
use cellguard_engine::table::{Dimension, Table};
use criterion::{Criterion, criterion_group, criterion_main};

fn flat(name: &str, codes: usize) -> Dimension {
    Dimension::flat(
        name,
        (0..codes).map(|i| format!("{name}{i}")),
        Some("Total"),
    )
}

/// The bench tables, by name.
pub fn tables() -> Vec<(&'static str, Table)> {
    let what = Additive {
        magnitude: false,
        negatives: false,
        sparse: 0.0,
    };
    let t = |seed, dims| additive(seed, dims, what).expect("a valid bench table");
    vec![
        ("2d-20x20", t(1, vec![flat("a", 20), flat("b", 20)])),
        (
            "3d-10x10x10",
            t(2, vec![flat("a", 10), flat("b", 10), flat("c", 10)]),
        ),
        (
            "3d-hier-25k",
            t(
                3,
                ["a", "b", "c"]
                    .iter()
                    .map(|n| hierarchical(n, &[6; 4]))
                    .collect(),
            ),
        ),
        (
            "3d-hier-100k",
            t(
                4,
                ["a", "b", "c"]
                    .iter()
                    .map(|n| hierarchical(n, &[8; 5]))
                    .collect(),
            ),
        ),
    ]
}

fn policy() -> Policy {
    let mut p = Policy::preset("essnet").expect("a preset");
    p.threshold = Some(Threshold { min_units: 10 });
    p.dominance.clear();
    p.class_disclosure = None;
    p.dof = None;
    p
}

fn bench(c: &mut Criterion) {
    let policy = policy();
    let mut g = c.benchmark_group("protect");
    g.sample_size(10);
    for (name, table) in tables() {
        let report = check_table(&table, &policy).expect("checks");
        g.bench_function(name, |b| {
            b.iter(|| {
                protect(
                    &table,
                    &report,
                    &Suppression::default(),
                    Options::default(),
                    |_, _| {},
                )
                .expect("protects")
            })
        });
    }
    g.finish();
    // The optimal method where it runs to its proof within seconds (on the 3-D tables it spends its whole
    // budget: `bench/tauargus/run.sh` measures it there).
    let mut g = c.benchmark_group("protect-optimal");
    g.sample_size(10);
    let optimal = Options {
        method: Method::Optimal,
        ..Options::default()
    };
    for (name, table) in tables().into_iter().filter(|(n, _)| *n == "2d-20x20") {
        let report = check_table(&table, &policy).expect("checks");
        g.bench_function(name, |b| {
            b.iter(|| {
                protect(&table, &report, &Suppression::default(), optimal, |_, _| {})
                    .expect("protects")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
