//! The OSM XML reader on arbitrary bytes: never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use senda_ingest::{osm, Input};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = Input::from_bytes("fuzz.osm", data.to_vec()) else { return };
    let _ = osm::read_xml(&input);
});
