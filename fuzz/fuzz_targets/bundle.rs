//! A release bundle zip, verified.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cellguard_fuzz::bundle(data));
