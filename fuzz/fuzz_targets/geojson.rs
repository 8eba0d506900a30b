//! Every GeoJSON reader on arbitrary bytes: never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use senda_ingest::{countries::Countries, incidents, roads, shelters, transit, Input};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = Input::from_bytes("fuzz.geojson", data.to_vec()) else { return };
    let countries = Countries::corridor();
    let _ = incidents::read_geojson(&input);
    let _ = roads::read_geojson(&input);
    let _ = shelters::read_geojson(&input, countries);
    let _ = transit::read_geojson(&input, countries);
});
