//! Times each stage of the checking pipeline on one table file, to see where time goes:
//! `cargo run --release -p cellguard-io --example stages -- FILE [POLICY] [RUNS]`. Prints each stage's fastest
//! time over the runs (this kind of machine swings by a third from run to run; the minimum is the stable number).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: stages FILE [POLICY] [RUNS]");
    let policy =
        cellguard_engine::Policy::preset(&args.next().unwrap_or_else(|| "essnet".into())).unwrap();
    let runs: usize = args.next().map_or(5, |r| r.parse().unwrap());
    // Shared, as the page's worker shares a dropped file's bytes with its frame.
    let bytes = std::sync::Arc::new(std::fs::read(&path).unwrap());
    let mut best = [Duration::MAX; 3];
    let mut cells = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let mut frame = cellguard_io::read_frame_shared(&path, &bytes).unwrap();
        let t1 = t.elapsed();
        let (table, _) =
            cellguard_io::table_from_frame(&mut frame, &cellguard_io::TableRoles::default())
                .unwrap();
        let t2 = t.elapsed();
        let report = cellguard_engine::check_table(&table, &policy).unwrap();
        let t3 = t.elapsed();
        cells = report.len();
        for (b, d) in best.iter_mut().zip([t1, t2 - t1, t3 - t2]) {
            *b = (*b).min(d);
        }
    }
    println!(
        "{cells} cells, fastest of {runs}: read {:?}, table {:?}, rules {:?}",
        best[0], best[1], best[2]
    );
}
