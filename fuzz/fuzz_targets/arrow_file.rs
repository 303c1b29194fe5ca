//! An Arrow IPC file, read and checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cellguard_fuzz::arrow_file(data));
