//! Per-record bounds on the path to the store (`senda_ingest::read`): null island, dates in the
//! future, oversized identifiers and text, each rejected naming the field.

use senda_core::RecordKind;
use senda_ingest::countries::Countries;
use senda_ingest::limits::{Limits, MAX_ID_BYTES};
use senda_ingest::{read, read_with, Input, Records, Report};

fn feature(lon: f64, lat: f64, props: &str) -> String {
    format!(
        r#"{{"type":"Feature","geometry":{{"type":"Point","coordinates":[{lon},{lat}]}},"properties":{{{props}}}}}"#
    )
}

fn collection(features: &[String]) -> Vec<u8> {
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",")
    )
    .into_bytes()
}

fn report(records: &Records) -> &Report {
    records.reports()[0].1
}

/// The rejected (index, field) pairs.
fn rejected(r: &Report) -> Vec<(u64, String)> {
    let mut v: Vec<_> = r
        .rejected
        .iter()
        .map(|i| (i.at.index, i.field.clone().unwrap_or_default()))
        .collect();
    v.sort();
    v
}

#[test]
fn incidents_out_of_bounds_are_rejected_naming_the_field() {
    let tomorrow_and_more = (chrono::Utc::now() + chrono::TimeDelta::days(3))
        .format("%Y-%m-%d")
        .to_string();
    let huge = "x".repeat(1 << 20);
    let features = [
        feature(-92.27, 14.9, r#""id":"ok","date":"2024-03-01""#),
        feature(0.0, 0.0, r#""id":"zero","date":"2024-03-01""#),
        feature(
            -92.27,
            14.9,
            &format!(r#""id":"soon","date":"{tomorrow_and_more}""#),
        ),
        feature(
            -92.27,
            14.9,
            &format!(r#""id":"{huge}","date":"2024-03-01""#),
        ),
        feature(
            -92.27,
            14.9,
            &format!(r#""id":"long","date":"2024-03-01","description":"{huge}""#),
        ),
    ];
    let input = Input::from_bytes("r.geojson", collection(&features)).unwrap();
    let out = read(RecordKind::Incidents, &input, Countries::corridor()).unwrap();
    let r = report(&out);
    assert_eq!((r.records, r.accepted), (5, 1), "{r:?}");
    assert_eq!(
        rejected(r),
        [
            (1, "coordinates".to_owned()),
            (2, "occurred_at".to_owned()),
            (3, "id".to_owned()),
            (4, "description".to_owned()),
        ]
    );
    // The report quotes an oversized id clipped, never the megabyte.
    let id = r.rejected.iter().find(|i| i.at.index == 3).unwrap();
    assert_eq!(id.source_id.as_ref().unwrap().len(), MAX_ID_BYTES);
    assert!(
        id.reason.contains("1048576") && id.reason.contains("256"),
        "{}",
        id.reason
    );
    // The skew is configurable: four days of it accepts the date three days ahead.
    let lenient = Limits {
        future_skew: chrono::TimeDelta::days(4),
        ..Limits::default()
    };
    let out = read_with(
        RecordKind::Incidents,
        &input,
        Countries::corridor(),
        &lenient,
    )
    .unwrap();
    assert_eq!(report(&out).accepted, 2);
}

#[test]
fn shelters_and_transit_with_oversized_fields_are_rejected() {
    let long_name = "Casa ".repeat(1_000);
    let features = [
        feature(
            -92.25,
            14.92,
            r#""id":"s1","name":"Albergue","kind":"shelter""#,
        ),
        feature(
            -92.25,
            14.92,
            &format!(r#""id":"s2","name":"{long_name}","kind":"shelter""#),
        ),
        feature(
            -92.25,
            14.92,
            &format!(
                r#""id":"{}","name":"Albergue Dos","kind":"shelter""#,
                "9".repeat(300)
            ),
        ),
    ];
    let input = Input::from_bytes("s.geojson", collection(&features)).unwrap();
    let out = read(RecordKind::Shelters, &input, Countries::corridor()).unwrap();
    let r = report(&out);
    assert_eq!(r.accepted, 1, "{r:?}");
    assert_eq!(rejected(r), [(1, "name".to_owned()), (2, "id".to_owned())]);
    let csv = format!(
        "id,name,kind,lat,lon\nt1,Ciudad Hidalgo,bus_station,14.68,-92.15\nt2,{long_name},bus_station,14.68,-92.15\n"
    );
    let input = Input::from_bytes("t.csv", csv.into_bytes()).unwrap();
    let out = read(RecordKind::Transit, &input, Countries::corridor()).unwrap();
    let r = report(&out);
    assert_eq!(r.accepted, 1, "{r:?}");
    assert_eq!(rejected(r), [(1, "name".to_owned())]);
}
