//! The engine's throughput in WebAssembly, in headless Chromium: `check_table` on a seeded 1M-cell magnitude
//! table under single rules and whole presets. A benchmark, not a test: it is `#[ignore]`d and run by
//! `bench/web/run.sh`, which prints the numbers (target: ≥ 20M cells/s).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cellguard_engine::check_table;
use cellguard_engine::policy::{Dominance, PPercent, Policy, Threshold};
use cellguard_engine::table::{Column, Dimension, Shadow, Table};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// Seeded uniform numbers in [0, 1) (xorshift).
fn uniform(mut seed: u64) -> impl FnMut() -> f64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A side³ leaf table with long-tailed contributions (xorshift, seeded).
fn table(side: u32) -> Table {
    let mut rnd = uniform(42);
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
        let n = (rnd() * 40.0) as u64;
        let mut tops = [0.0f64; 3];
        for t in tops.iter_mut().take(n.min(3) as usize) {
            *t = 100.0 + rnd() * 4900.0;
        }
        tops.sort_by(|x, y| y.total_cmp(x));
        let total: f64 = tops.iter().sum::<f64>()
            + n.saturating_sub(3) as f64 * (50.0 + rnd() * tops[2].max(1.0));
        s.n.push(Some(n));
        s.value.as_mut().unwrap().push(Some(total));
        for (k, (col, t)) in s.top.iter_mut().zip(tops).enumerate() {
            col.push((k < n as usize).then_some(t));
        }
    }
    Table::new("bench", dims, coords, (1..=cells as u64).collect(), s).unwrap()
}

fn only(f: impl FnOnce(&mut Policy)) -> Policy {
    let mut p = Policy::preset("essnet").unwrap();
    p.threshold = None;
    p.dominance.clear();
    p.class_disclosure = None;
    f(&mut p);
    p
}

#[wasm_bindgen_test]
#[ignore]
fn engine_throughput() {
    let t = table(100);
    let cases = [
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
        ("all-essnet", Policy::preset("essnet").unwrap()),
        ("all-acro", Policy::preset("acro").unwrap()),
    ];
    for (name, policy) in cases {
        let mut best = f64::MAX;
        for _ in 0..5 {
            let t0 = now();
            let r = check_table(&t, &policy).unwrap();
            best = best.min(now() - t0);
            assert_eq!(r.summary.cells, 1_000_000);
        }
        let rate = t.len() as f64 / best / 1000.0;
        web_sys::console::log_1(
            &format!("wasm {name}: {best:.1} ms per 1M cells = {rate:.1} M cells/s (target 20)")
                .into(),
        );
    }
}

/// The same kind of table as a CSV file's bytes (as `tests/e2e/bench.mjs` writes it).
fn csv(side: u32) -> Vec<u8> {
    use std::fmt::Write;
    let mut rnd = uniform(42);
    let mut out = String::from("a,b,c,mean,n,value,top1,top2,top3\n");
    for i in 0..side.pow(3) {
        let n = (rnd() * 40.0) as u64;
        let mut tops = [0u64; 3];
        for t in tops.iter_mut().take(n.min(3) as usize) {
            *t = 100 + (rnd() * 4900.0) as u64;
        }
        tops.sort_by(|x, y| y.cmp(x));
        let value = tops.iter().sum::<u64>() + n.saturating_sub(3) * (50 + (rnd() * 500.0) as u64);
        let _ = write!(
            out,
            "a{},b{},c{},",
            i / (side * side),
            (i / side) % side,
            i % side
        );
        if n > 0 {
            let _ = write!(out, "{:.2}", value as f64 / n as f64);
        }
        let _ = write!(out, ",{n},{value}");
        for (k, t) in tops.iter().enumerate() {
            out.push(',');
            if (k as u64) < n {
                let _ = write!(out, "{t}");
            }
        }
        out.push('\n');
    }
    out.into_bytes()
}

/// A 1M-cell table file through the page's pipeline in WebAssembly: read (CSV → frame), table (roles, codes,
/// numbers), rules (essnet). Prints each run (the first runs on freshly grown memory and partly on the engine's
/// baseline code) and the fastest of three for each stage.
#[wasm_bindgen_test]
#[ignore]
fn file_stages() {
    // Shared, as the worker shares a dropped file's bytes with its frame.
    let bytes = std::sync::Arc::new(csv(100));
    let policy = Policy::preset("essnet").unwrap();
    let mut best = [f64::MAX; 3];
    for _ in 0..3 {
        let t0 = now();
        let mut frame = cellguard_io::read_frame_shared("bench.csv", &bytes).unwrap();
        let t1 = now();
        let (table, _) =
            cellguard_io::table_from_frame(&mut frame, &cellguard_io::TableRoles::default())
                .unwrap();
        let t2 = now();
        let r = check_table(&table, &policy).unwrap();
        let t3 = now();
        assert_eq!(r.summary.cells, 1_000_000);
        web_sys::console::log_1(
            &format!(
                "run: read {:.0} ms, table {:.0} ms, rules {:.0} ms",
                t1 - t0,
                t2 - t1,
                t3 - t2
            )
            .into(),
        );
        for (b, d) in best.iter_mut().zip([t1 - t0, t2 - t1, t3 - t2]) {
            *b = b.min(d);
        }
    }
    web_sys::console::log_1(
        &format!(
            "wasm file stages, {:.1} MB CSV, 1M cells: read {:.0} ms, table {:.0} ms, rules {:.0} ms",
            bytes.len() as f64 / 1e6,
            best[0],
            best[1],
            best[2]
        )
        .into(),
    );
}
