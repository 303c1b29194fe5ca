//! Differential: a CSV read in two pieces (the page's worker and its helper) against one reader.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cellguard_fuzz::csv_in_two(data));
