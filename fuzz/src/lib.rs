//! The bodies of the fuzz targets, one function per input cellguard reads. Each takes arbitrary bytes and may
//! return anything but a panic, a crash or a hang; the differential ones also panic when two readers of one file
//! disagree. `fuzz_targets/*.rs` hand libFuzzer's input to them; the workspace's tests replay the seed corpus and
//! every regression file through them on the stable toolchain (`tests/fuzz.rs`), so they build and run in CI.

use cellguard_engine::Policy;
use cellguard_io::{NamedBytes, TableRoles};
use cellguard_signoff::archive::Limits;

/// Crates whose panics the io crate catches and turns into an error naming the file (`crates/io/src/caught.rs`;
/// in the page they stop the worker, which is replaced). Fuzzing goes on past them; each place is printed once
/// (`dependency panic caught at …`), for the fuzz script's summary and a regression file.
const CAUGHT: &[&str] = &[
    "/arrow2-",
    "/parquet2-",
    "/calamine-",
    "/zip-",
    "/lz4_flex-",
    "/zstd",
    "/snap-",
];

/// Installs (once) the panic hook that lets panics inside [`CAUGHT`] crates through to the io crate's net; every
/// other panic goes to the hook before it (libFuzzer's, which stops the run: a crash).
fn let_caught_panics_through() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let before = std::panic::take_hook();
        let seen = std::sync::Mutex::new(std::collections::BTreeSet::new());
        std::panic::set_hook(Box::new(move |info| {
            let place = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()));
            match place {
                Some(p) if CAUGHT.iter().any(|c| p.contains(c)) => {
                    if seen.lock().is_ok_and(|mut s| s.insert(p.clone())) {
                        eprintln!("dependency panic caught at {p}: {info}");
                    }
                }
                _ => before(info),
            }
        }));
    });
}

/// Reads `data` as the file `name` and checks it under the ESSnet preset, as `cellguard check` does.
fn table(name: &str, data: &[u8]) {
    let_caught_panics_through();
    let Ok(policy) = Policy::preset("essnet") else {
        return;
    };
    let _ = cellguard_io::check_file(name, data, &TableRoles::default(), &policy);
}

pub fn csv(data: &[u8]) {
    table("fuzz.csv", data);
}

pub fn xlsx(data: &[u8]) {
    table("fuzz.xlsx", data);
}

pub fn arrow_file(data: &[u8]) {
    table("fuzz.arrow", data);
}

pub fn arrow_stream(data: &[u8]) {
    table("fuzz.arrows", data);
}

pub fn parquet(data: &[u8]) {
    table("fuzz.parquet", data);
}

/// The direct splitter and the csv crate's reader give the same frame or the same error.
pub fn csv_paths(data: &[u8]) {
    let_caught_panics_through();
    let (direct, general) = cellguard_io::fuzzing::csv_paths("fuzz.csv", data);
    assert_eq!(direct, general, "{:?}", String::from_utf8_lossy(data));
}

/// Read in two pieces — cut where the input's first two bytes say, the head holding as much more as the next
/// two say, or the whole file — a CSV gives what one reader gives, and the join hands back the file's bytes.
pub fn csv_in_two(data: &[u8]) {
    let_caught_panics_through();
    let [a, b, c, d, body @ ..] = data else {
        return;
    };
    let at = usize::from(u16::from_le_bytes([*a, *b])) % (body.len() + 1);
    let held = match u16::from_le_bytes([*c, *d]) {
        u16::MAX => body.len(),
        more => at + usize::from(more),
    };
    let (two, whole, same_bytes) = cellguard_io::fuzzing::csv_in_two("fuzz.csv", body, at, held);
    assert!(same_bytes, "the join lost bytes");
    assert_eq!(
        two,
        whole,
        "cut at {at}, head of {held}: {:?}",
        String::from_utf8_lossy(body)
    );
}

pub fn report(data: &[u8]) {
    let_caught_panics_through();
    let _ = cellguard_io::read_report("fuzz.json", data);
}

pub fn policy(data: &[u8]) {
    let_caught_panics_through();
    let _ = cellguard_io::policy_from_toml(&NamedBytes {
        name: "fuzz.toml".into(),
        bytes: data.to_vec(),
    });
}

pub fn codelist(data: &[u8]) {
    let_caught_panics_through();
    if let Ok(frame) = cellguard_io::read_frame("fuzz.csv", data) {
        let _ = cellguard_io::codelist_from_frame(&frame, "region");
    }
}

pub fn package(data: &[u8]) {
    let_caught_panics_through();
    let _ = cellguard_signoff::package::Package::from_zip("fuzz.zip", data, &Limits::default());
}

pub fn bundle(data: &[u8]) {
    let_caught_panics_through();
    let _ = cellguard_signoff::verify::verify("fuzz.zip", data, &[], &Limits::default());
}

/// A target's body.
pub type Target = fn(&[u8]);

/// Every target by name, for the replay test.
pub const TARGETS: &[(&str, Target)] = &[
    ("csv", csv),
    ("csv_paths", csv_paths),
    ("csv_in_two", csv_in_two),
    ("xlsx", xlsx),
    ("arrow_file", arrow_file),
    ("arrow_stream", arrow_stream),
    ("parquet", parquet),
    ("report", report),
    ("policy", policy),
    ("codelist", codelist),
    ("package", package),
    ("bundle", bundle),
];
