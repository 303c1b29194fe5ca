//! Differential: the direct CSV splitter against the csv crate's reader: the same frame or the same error.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cellguard_fuzz::csv_paths(data));
