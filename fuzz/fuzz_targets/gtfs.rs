//! The GTFS zip reader on arbitrary bytes (and the kind detection that routes zips to it):
//! never a panic, and a small cap so inflated entries stay cheap.
#![no_main]
use libfuzzer_sys::fuzz_target;
use senda_ingest::{countries::Countries, detect_kind, gtfs, Input};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = Input::from_bytes("fuzz.zip", data.to_vec()) else { return };
    let countries = Countries::corridor();
    let options = gtfs::GtfsOptions { max_entry_bytes: 1 << 20 };
    let _ = gtfs::read_zip_with(&input, countries, &options);
    let _ = detect_kind(&input, countries);
});
