//! Kind and format detection sees the text as the readers decode it: a UTF-16 file (byte-order
//! mark first) is detected and read like the same file in UTF-8, so `senda validate` (which
//! detects) and `senda ingest` (which is told the kind) agree.

use senda_core::RecordKind;
use senda_ingest::countries::Countries;
use senda_ingest::{detect_kind, read, Input};

fn utf16le(text: &str) -> Vec<u8> {
    let mut out = vec![0xff, 0xfe];
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

fn accepted(kind: RecordKind, input: &Input) -> u64 {
    read(kind, input, Countries::corridor())
        .unwrap()
        .reports()
        .iter()
        .map(|(_, r)| r.accepted)
        .sum()
}

#[test]
fn utf16_cap_is_detected_as_weather_and_read_like_utf8() {
    let path = senda_testkit::test_file("weather/cap_samples/canada.cap");
    let text = std::fs::read_to_string(&path).unwrap();
    let utf8 = Input::from_bytes("a.xml", text.clone().into_bytes()).unwrap();
    let utf16 = Input::from_bytes("a.xml", utf16le(&text)).unwrap();
    let c = Countries::corridor();
    assert_eq!(detect_kind(&utf8, c).unwrap(), RecordKind::Weather);
    assert_eq!(detect_kind(&utf16, c).unwrap(), RecordKind::Weather);
    let n = accepted(RecordKind::Weather, &utf8);
    assert!(n > 0);
    assert_eq!(accepted(RecordKind::Weather, &utf16), n);
}

#[test]
fn utf16_incident_geojson_is_read_as_geojson() {
    let json = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[-92.27,14.9]},"properties":{"id":"r1","date":"2024-03-01","category":"kidnapping"}}]}"#;
    let utf16 = Input::from_bytes("r.geojson", utf16le(json)).unwrap();
    assert_eq!(accepted(RecordKind::Incidents, &utf16), 1);
    assert_eq!(
        detect_kind(&utf16, Countries::corridor()).unwrap(),
        RecordKind::Incidents
    );
}
