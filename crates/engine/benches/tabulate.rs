//! Criterion benches of the tabulation kernel: 1M microdata rows, 6 dimensions, all margins
//! (`tabulate/<case>/1M`), rows as units and person-year units; and the merge of the partials of 64 partitions
//! split by unit, as `cellguard tabulate` merges its buckets (`tabulate/merge-64-partitions/1M`), checked against
//! the table of the rows unsplit.

/// The allocator the `cellguard` binary ships with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cellguard_engine::tabulate::{CatColumn, Microdata, Partials, Tabulator};
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

/// The rows of `md` whose unit is `part` modulo `parts`.
fn partition(md: &Microdata, part: u64, parts: u64) -> Microdata {
    let units = md.unit.as_ref().unwrap();
    let keep: Vec<usize> = (0..md.len())
        .filter(|&i| units[i] % parts == part)
        .collect();
    Microdata {
        dims: (md.dims.iter())
            .map(|d| CatColumn {
                ids: keep.iter().map(|&i| d.ids[i]).collect(),
                ..d.clone()
            })
            .collect(),
        unit: Some(keep.iter().map(|&i| units[i]).collect()),
        value: md
            .value
            .as_ref()
            .map(|v| keep.iter().map(|&i| v.get(i)).collect()),
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
    // 64 partitions by unit: their partials merged and rolled up give the unsplit table (counts and top
    // contributions exactly; a sum is added in another order, so to its last bits).
    let t = Tabulator::from_data(&spec, &md).unwrap();
    let parts: Vec<Partials> = (0..64)
        .map(|p| t.partial(&partition(&md, p, 64), &mut |_, _| {}).unwrap())
        .collect();
    let merged = t
        .finish("t", Partials::merge_all(parts.clone()).unwrap())
        .unwrap();
    assert_eq!(merged.table.len(), by_unit.table.len());
    for cell in 0..by_unit.table.len() as u32 {
        assert_eq!(merged.table.n(cell), by_unit.table.n(cell));
        match (
            merged.statistic[cell as usize],
            by_unit.statistic[cell as usize],
        ) {
            (Some(a), Some(b)) => assert!((a - b).abs() <= 1e-9 * b.abs(), "{a} {b}"),
            (a, b) => assert_eq!(a, b),
        }
    }
    g.bench_function("merge-64-partitions/1M", |b| {
        b.iter(|| {
            t.finish("t", Partials::merge_all(parts.clone()).unwrap())
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
