//! Criterion benches of the tabulation kernel: 1M microdata rows, 6 dimensions, all margins
//! (`tabulate/<case>/1M`), rows as units and person-year units.

/// The allocator the `cellguard` binary ships with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cellguard_engine::tabulate::{CatColumn, Microdata};
use cellguard_engine::{Agg, TabulateSpec, tabulate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn microdata(rows: usize, seed: u64) -> Microdata {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let cards = [
        ("year", 3u32),
        ("sex", 2),
        ("age", 5),
        ("origin", 6),
        ("region", 4),
        ("edu", 3),
    ];
    let dims = cards
        .iter()
        .map(|&(name, card)| CatColumn {
            name: name.into(),
            ids: (0..rows).map(|_| rng.random_range(0..card)).collect(),
            dictionary: (0..card).map(|i| format!("{name}{i}")).collect(),
        })
        .collect();
    Microdata {
        dims,
        // About three rows (years) per person.
        unit: Some((0..rows as u64).map(|i| i / 3).collect()),
        value: Some(
            (0..rows)
                .map(|_| Some(rng.random_range(1500.0..9000.0)))
                .collect(),
        ),
        weight: None,
        source_rows: Vec::new(),
    }
}

fn bench(c: &mut Criterion) {
    let rows = 1_000_000;
    let md = microdata(rows, 7);
    let mut no_units = md.clone();
    no_units.unit = None;
    let mut spec = TabulateSpec::new(
        &["year", "sex", "age"],
        &["origin", "region", "edu"],
        Agg::Mean,
    );
    spec.margins = true;
    let mut g = c.benchmark_group("tabulate");
    g.throughput(Throughput::Elements(rows as u64));
    g.sample_size(10);
    let whole = tabulate("t", &no_units, &spec, &mut |_, _| {}).unwrap();
    // 4 × 3 × 6 × 7 × 5 × 4 cells with every margin.
    assert_eq!(whole.table.len(), 4 * 3 * 6 * 7 * 5 * 4);
    g.bench_function("mean-6dim-margins-rows-as-units/1M", |b| {
        b.iter(|| tabulate("t", &no_units, &spec, &mut |_, _| {}).unwrap())
    });
    let by_unit = tabulate("t", &md, &spec, &mut |_, _| {}).unwrap();
    assert!(by_unit.table.n(by_unit.table.len() as u32 - 1).unwrap() < rows as u64);
    g.bench_function("mean-6dim-margins-person-units/1M", |b| {
        b.iter(|| tabulate("t", &md, &spec, &mut |_, _| {}).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
