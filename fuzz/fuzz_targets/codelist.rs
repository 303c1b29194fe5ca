//! A codelist sidecar (CSV with code and parent).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cellguard_fuzz::codelist(data));
