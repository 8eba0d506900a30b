//! Every CSV reader on arbitrary bytes: never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use senda_ingest::{countries::Countries, incidents, shelters, transit, Input};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = Input::from_bytes("fuzz.csv", data.to_vec()) else { return };
    let countries = Countries::corridor();
    let _ = incidents::read_csv(&input);
    let _ = shelters::read_csv(&input, countries);
    let _ = transit::read_csv(&input, countries);
});
