//! Times each stage of the checking pipeline on one table file, to see where time goes:
//! `cargo run --release -p cellguard-io --example stages -- FILE [POLICY]`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: stages FILE [POLICY]");
    let policy =
        cellguard_engine::Policy::preset(&args.next().unwrap_or_else(|| "essnet".into())).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let t = Instant::now();
    let frame = cellguard_io::read_frame(&path, &bytes).unwrap();
    let t1 = t.elapsed();
    let (table, _) =
        cellguard_io::table_from_frame(&frame, &cellguard_io::TableRoles::default()).unwrap();
    let t2 = t.elapsed();
    let report = cellguard_engine::check_table(&table, &policy).unwrap();
    let t3 = t.elapsed();
    println!(
        "{} cells: read {:?}, table {:?}, rules {:?}, total {:?}",
        report.len(),
        t1,
        t2 - t1,
        t3 - t2,
        t3
    );
}
