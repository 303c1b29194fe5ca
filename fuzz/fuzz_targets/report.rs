//! A saved report (JSON), read and verified.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cellguard_fuzz::report(data));
