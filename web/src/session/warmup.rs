//! The worker readied when it starts, before any file arrives: the pipeline run once on a small generated table,
//! so that the browser has optimised its code, and the working memory taken and written once.

use super::Session;
use crate::protocol::*;
use std::collections::BTreeMap;

/// Memory the worker takes when it starts: about what a million-cell CSV table needs to be read, checked and
/// summarised (its bytes, its columns, the table and the report).
pub const WORKING_MEMORY: usize = 256 << 20;

/// Takes `bytes` of memory from the browser, writes every page once and gives it back to the allocator, which
/// keeps it for the next allocations. A WebAssembly module's memory only grows, and the browser hands out fresh
/// pages on first touch: a first large file would pay for that page by page while it is read (about a third of
/// its time, measured). The worker does it when it starts, before any file arrives. When the browser refuses
/// the memory, nothing is taken (a file then grows the memory as it needs); returns whether it was taken.
pub fn reserve_memory(bytes: usize) -> bool {
    let mut block: Vec<u8> = Vec::new();
    if block.try_reserve_exact(bytes).is_err() {
        return false;
    }
    block.resize(bytes, 1);
    std::hint::black_box(&block);
    true
}

/// Runs the whole pipeline once on a small generated table (22,500 cells with every shadow column) and forgets
/// it; returns the cells checked. Browsers compile WebAssembly in two tiers: code first runs as a quick baseline
/// compile and is optimised, function by function, once it has run a while. A first real file would be read,
/// checked and summarised by baseline code, about half as fast; the worker runs this when it starts, before any
/// file arrives, so the optimised code is ready.
pub fn warm_up() -> u64 {
    let csv = warm_up_csv();
    let Ok(policy) = cellguard_engine::Policy::preset("essnet") else {
        return 0;
    };
    let policy = PolicyIn { policy, file: None };
    let mut s = Session::default();
    let out = s.check(
        0,
        vec![FileIn::new("warm-up.csv", csv.into_bytes())],
        &BTreeMap::new(),
        &policy,
        &|| 0.0,
        &mut |_| {},
    );
    for filter in [
        Filter::default(),
        Filter {
            not_safe: true,
            rule: None,
        },
    ] {
        let _ = s.rows(0, 0, filter, 0, crate::state::WINDOW);
    }
    out.tables.first().map_or(0, |t| t.counts.cells)
}

/// The warm-up's table: 150 × 150 cells with every shadow column, seeded.
pub(super) fn warm_up_csv() -> String {
    use std::fmt::Write;
    let mut csv = String::from("a,b,mean,n,value,top1,top2,top3\n");
    let mut seed: u32 = 7;
    let mut next = move |m: u32| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (seed >> 8) % m
    };
    for a in 0..150 {
        for b in 0..150 {
            let n = next(30);
            let tops: Vec<u32> = (0..3)
                .map(|k| if k < n { 100 + next(900) } else { 0 })
                .collect();
            let value: u32 = tops.iter().sum::<u32>() + n.saturating_sub(3) * 50;
            let mean = if n > 0 {
                format!("{:.2}", f64::from(value) / f64::from(n))
            } else {
                String::new()
            };
            let _ = write!(csv, "a{a},b{b},{mean},{n},{value}");
            for (k, t) in tops.iter().enumerate() {
                if (k as u32) < n {
                    let _ = write!(csv, ",{t}");
                } else {
                    csv.push(',');
                }
            }
            csv.push('\n');
        }
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warm_up_checks_its_whole_table() {
        assert_eq!(warm_up(), 150 * 150);
        assert!(reserve_memory(1 << 20));
        assert!(
            !reserve_memory(usize::MAX),
            "memory that cannot be had is not taken"
        );
    }
}
