//! A CSV table, read and checked (the direct splitter and the csv crate's reader, roles, the rules).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cellguard_fuzz::csv(data));
