//! The CAP (single alert and Atom feed) reader on arbitrary bytes: never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use senda_ingest::{weather, Input};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = Input::from_bytes("fuzz.cap", data.to_vec()) else { return };
    let _ = weather::read_cap(&input);
});
