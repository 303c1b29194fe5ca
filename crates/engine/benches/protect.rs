//! Criterion benches of secondary suppression (`fast`, pattern and audit) on seeded tables with every margin:
//! `protect/2d-20x20` (21 × 21 cells), `protect/3d-10x10x10` (11³), `protect/3d-hier-25k` (three codelists of a
//! total, 4 groups and 24 leaves: 29³ = 24,389 cells) and `protect/3d-hier-100k` (a total, 5 groups, 40 leaves:
//! 46³ = 97,336 cells), under the threshold rule (10 units, safety range 30 %); `protect-optimal/2d-20x20`
//! the `optimal` method on the first; `protect-linked/50x5+50x20` two linked tables (region × sex and region ×
//! age of one seeded region × sex × age table: a cover of 51 × 6 × 21 = 6,426 cells).

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cellguard_engine::check_table;
use cellguard_engine::policy::{Policy, Threshold};
use cellguard_engine::random_table::{Additive, additive, hierarchical};
use cellguard_engine::suppress::{Method, Options, Suppression, protect, protect_linked};
use cellguard_engine::table::{Dimension, Table, TableBuilder};
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

/// Region × sex and region × age, with every margin, of one seeded region (50) × sex (5) × age (20) count table.
fn linked_pair() -> (Table, Table) {
    let what = Additive {
        magnitude: false,
        negatives: false,
        sparse: 0.0,
    };
    let dims = vec![flat("region", 50), flat("sex", 5), flat("age", 20)];
    let full = additive(7, dims.clone(), what).expect("a valid bench table");
    let margin = |name: &str, keep: usize, total_of: usize| {
        let (rows, cols) = (&dims[0], &dims[keep]);
        let mut b = TableBuilder::new();
        let mut line = 2;
        for r in 0..rows.len() as u32 {
            for c in 0..cols.len() as u32 {
                let mut coords = [r, 0, 0];
                coords[keep] = c;
                coords[total_of] = dims[total_of].total().expect("a total");
                let n = full.find(full.key(&coords)).and_then(|cell| full.n(cell));
                b = b.cell(line, &[r, c], n, None, &[]);
                line += 1;
            }
        }
        b.build(name, vec![rows.clone(), cols.clone()])
            .expect("a margin")
    };
    (margin("region_sex", 1, 2), margin("region_age", 2, 1))
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
    let mut g = c.benchmark_group("protect-linked");
    g.sample_size(10);
    let (a, b) = linked_pair();
    let (ra, rb) = (
        check_table(&a, &policy).expect("checks"),
        check_table(&b, &policy).expect("checks"),
    );
    g.bench_function("50x5+50x20", |bench| {
        bench.iter(|| {
            protect_linked(
                &[(&a, &ra), (&b, &rb)],
                &Suppression::default(),
                Options::default(),
                |_, _| {},
            )
            .expect("protects")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
