//! The road-network readers against the real files in `tests/data` and `data/` (OSM PBF, OSM
//! XML, Travel Mapping and Natural Earth GeoJSON) and against bad input: truncated and corrupt
//! files, missing and invalid nodes, non-line geometries, arbitrary bytes.

use proptest::prelude::*;
use senda_core::{Access, Oneway, RoadClass, RoadSegment, TransitKind};
use senda_ingest::{osm, roads, IngestError, Input, Outcome, Report};
use std::collections::{BTreeMap, HashSet};

/// A file under `tests/data`.
fn test_input(rel: &str) -> Input {
    Input::from_path(&senda_testkit::test_file(rel)).unwrap()
}

/// A file of the default dataset in `data/`.
fn data_input(rel: &str) -> Input {
    Input::from_path(&senda_testkit::data_file(rel)).unwrap()
}

fn bytes(name: &str, b: impl Into<Vec<u8>>) -> Input {
    Input::from_bytes(name, b.into()).unwrap()
}

fn class_counts(out: &Outcome<RoadSegment>) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for r in &out.records {
        *m.entry(r.record.class.as_str()).or_default() += 1;
    }
    m
}

/// Invariants every report must hold.
fn check_report(r: &Report, accepted: usize) {
    assert_eq!(r.accepted as usize, accepted, "{}", r.file);
    assert_eq!(
        r.records,
        r.accepted + r.rejected.len() as u64 + r.skipped.len() as u64
    );
    for issue in r.rejected.iter().chain(&r.skipped).chain(&r.flagged) {
        assert!(!issue.reason.trim().is_empty(), "{issue:?}");
        assert!(issue.source_id.is_some(), "{issue:?}");
    }
}

fn check_unique<T>(out: &Outcome<T>, key: impl Fn(&T) -> String) {
    let mut seen = HashSet::new();
    for r in &out.records {
        let k = key(&r.record);
        assert!(seen.insert(k.clone()), "duplicate key {k}");
    }
}

fn check_network(out: &roads::NetworkOutcome) {
    check_report(&out.roads.report, out.roads.records.len());
    check_report(&out.transit.report, out.transit.records.len());
    check_report(&out.shelters.report, out.shelters.records.len());
    check_unique(&out.roads, |s| s.key.to_string());
    check_unique(&out.transit, |s| s.key.to_string());
    check_unique(&out.shelters, |s| s.key.to_string());
    for r in &out.roads.records {
        assert!(r.record.geometry.len() >= 2);
    }
}

fn road<'a>(out: &'a Outcome<RoadSegment>, id: &str) -> &'a RoadSegment {
    &out.records
        .iter()
        .find(|r| r.record.key.source_id == id)
        .unwrap_or_else(|| panic!("no {id}"))
        .record
}

fn bbox(out: &Outcome<RoadSegment>) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for r in &out.records {
        let s = r.record.bbox();
        b = [
            b[0].min(s[0]),
            b[1].min(s[1]),
            b[2].max(s[2]),
            b[3].max(s[3]),
        ];
    }
    b
}

// ---------------------------------------------------------------- real OSM files

#[test]
fn andorra_pbf() {
    let input = test_input("osm/andorra.osm.pbf");
    let out = roads::read(&input).unwrap();
    check_network(&out);
    let r = &out.roads.report;
    assert_eq!(r.format, "osm-pbf");
    assert_eq!(
        (
            r.records,
            r.accepted,
            r.rejected.len(),
            r.skipped.len(),
            r.flagged.len()
        ),
        (1615, 1612, 0, 3, 0)
    );
    assert_eq!(r.notes.len(), 4, "{:#?}", r.notes);
    assert!(
        r.notes.iter().any(|n| n.starts_with("1110 other way(s)")),
        "{:#?}",
        r.notes
    );
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("\"90;30;90;30;90;30\" ×1")),
        "{:#?}",
        r.notes
    );
    let skipped: BTreeMap<&str, &str> = r
        .skipped
        .iter()
        .map(|s| (s.source_id.as_deref().unwrap(), s.reason.as_str()))
        .collect();
    assert!(skipped["way/182549287"].contains("highway=construction"));
    assert!(skipped["way/25770728"].contains("area=yes"));
    assert_eq!(
        class_counts(&out.roads),
        BTreeMap::from([
            ("bridleway", 2),
            ("footway", 44),
            ("living_street", 1),
            ("path", 211),
            ("pedestrian", 11),
            ("primary", 326),
            ("residential", 468),
            ("secondary", 148),
            ("service", 124),
            ("steps", 13),
            ("tertiary", 9),
            ("track", 152),
            ("unclassified", 103),
        ])
    );
    let mut oneway = BTreeMap::new();
    for s in &out.roads.records {
        *oneway.entry(format!("{:?}", s.record.oneway)).or_insert(0) += 1;
    }
    assert_eq!(
        oneway,
        BTreeMap::from([
            ("Backward".to_owned(), 24),
            ("Forward".to_owned(), 271),
            ("No".to_owned(), 1317)
        ])
    );

    // lon ≈ 1.5, lat ≈ 42.5: not swapped.
    let [w, s, e, n] = bbox(&out.roads);
    assert!(
        w > 1.35 && e < 1.85 && s > 42.35 && n < 42.75,
        "{w} {s} {e} {n}"
    );

    let sant_antoni = road(&out.roads, "way/23857062");
    assert_eq!(sant_antoni.class, RoadClass::Primary);
    assert_eq!(sant_antoni.oneway, Oneway::Backward);
    assert!(sant_antoni.bridge);
    assert_eq!(sant_antoni.name.as_deref(), Some("Avinguda Sant Antoni"));
    assert_eq!(sant_antoni.route_ref.as_deref(), Some("CG-3"));
    let cg2 = road(&out.roads, "way/6166136"); // a CG-2 roundabout
    assert_eq!(
        (cg2.oneway, cg2.maxspeed_kmh),
        (Oneway::Forward, Some(50.0))
    );
    assert_eq!(
        (cg2.access, cg2.foot, cg2.motor_vehicle),
        (Access::Allowed, Access::Forbidden, Access::Allowed)
    );
    assert!(!cg2.foot_allowed());
    assert_eq!(cg2.surface.as_deref(), Some("asphalt"));
    assert_eq!(
        road(&out.roads, "way/6182278").oneway,
        Oneway::Forward,
        "roundabout without oneway tag"
    );
    assert_eq!(
        road(&out.roads, "way/6247260").oneway,
        Oneway::Forward,
        "oneway=true"
    );
    assert_eq!(road(&out.roads, "way/6165944").maxspeed_kmh, Some(70.0));
    let envalira = road(&out.roads, "way/61736208");
    assert_eq!(
        (envalira.maxspeed_kmh, envalira.name.as_deref()),
        (None, Some("Port d'Envalira"))
    );
    assert_eq!(road(&out.roads, "way/6225812").access, Access::Forbidden);

    let t = &out.transit;
    assert_eq!(
        (
            t.records.len(),
            t.report.rejected.len(),
            t.report.flagged.len()
        ),
        (1, 0, 1)
    );
    let bus = &t.records[0].record;
    assert_eq!(
        (bus.key.to_string().as_str(), bus.kind, bus.name.as_str()),
        (
            "osm:node/1579330449",
            TransitKind::BusStation,
            "bus station"
        )
    );
    assert!(
        (bus.location.lon() - 1.527).abs() < 0.001 && (bus.location.lat() - 42.5055).abs() < 0.001
    );
    assert_eq!(t.report.notes.len(), 3, "{:#?}", t.report.notes);

    let sh = &out.shelters;
    assert_eq!(sh.records.len(), 0);
    assert!(
        sh.report
            .notes
            .iter()
            .any(|n| n.starts_with("35 amenity=shelter")),
        "{:#?}",
        sh.report.notes
    );
}

#[test]
fn monaco_xml() {
    let out = roads::read(&test_input("osm/monaco.osm.gz")).unwrap();
    check_network(&out);
    let r = &out.roads.report;
    assert_eq!(r.format, "osm-xml");
    assert_eq!(
        (
            r.records,
            r.accepted,
            r.rejected.len(),
            r.skipped.len(),
            r.flagged.len()
        ),
        (867, 861, 0, 6, 0)
    );
    assert_eq!(r.notes, ["1077 other way(s) (buildings, land use, waterways, …: neither highway=* nor railway=rail|light_rail|narrow_gauge) are not roads and were not loaded"]);
    assert!(r
        .skipped
        .iter()
        .all(|s| s.reason.contains("highway=pedestrian with area=yes")));
    assert!(r.skipped.iter().all(|s| s.at.line.is_some()));
    assert_eq!(
        class_counts(&out.roads),
        BTreeMap::from([
            ("footway", 230),
            ("path", 8),
            ("pedestrian", 31),
            ("primary", 103),
            ("rail", 1),
            ("residential", 178),
            ("secondary", 86),
            ("service", 78),
            ("steps", 82),
            ("tertiary", 4),
            ("unclassified", 60),
        ])
    );
    let [w, s, e, n] = bbox(&out.roads);
    assert!(
        w > 7.38 && e < 7.45 && s > 43.71 && n < 43.76,
        "{w} {s} {e} {n}"
    );

    // Monaco is full of oneway streets.
    let oneway = out
        .roads
        .records
        .iter()
        .filter(|r| r.record.oneway != Oneway::No)
        .count();
    assert!(oneway > 200, "{oneway}");
    assert_eq!(road(&out.roads, "way/4227241").oneway, Oneway::Backward);
    let grace = road(&out.roads, "way/4230044");
    assert_eq!(
        (grace.oneway, grace.maxspeed_kmh, grace.name.as_deref()),
        (Oneway::Forward, Some(50.0), Some("Avenue Princesse Grace"))
    );
    assert_eq!(
        road(&out.roads, "way/92627425").oneway,
        Oneway::Forward,
        "roundabout"
    );
    assert_eq!(road(&out.roads, "way/92627442").foot, Access::Forbidden);
    let casino = road(&out.roads, "way/4229658");
    assert_eq!(
        (casino.access, casino.oneway),
        (Access::Forbidden, Oneway::Forward)
    );
    assert_eq!(road(&out.roads, "way/4978262").class, RoadClass::Rail);
    assert!(road(&out.roads, "way/4230074").bridge);

    let t = &out.transit;
    assert_eq!(
        (
            t.records.len(),
            t.report.rejected.len(),
            t.report.flagged.len()
        ),
        (12, 0, 2)
    );
    let kinds: Vec<_> = t.records.iter().map(|r| r.record.kind).collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == TransitKind::BusStation)
            .count(),
        9
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == TransitKind::RailStation)
            .count(),
        3
    );
    let station = t
        .records
        .iter()
        .find(|r| r.record.key.source_id == "node/642295507")
        .unwrap();
    assert_eq!(station.record.name, "Monaco - Monte Carlo");
    assert!(station.at.line.is_some());
    // A station mapped as a way sits at the centroid of its nodes, in Monaco.
    let area = t
        .records
        .iter()
        .find(|r| r.record.key.source_id == "way/156780354")
        .unwrap();
    assert!(
        (area.record.location.lon() - 7.4191).abs() < 0.001
            && (area.record.location.lat() - 43.7386).abs() < 0.001
    );
    assert_eq!(out.shelters.records.len(), 0);
}

#[test]
fn campo_grande_xml_is_clipped() {
    let out = roads::read(&test_input("osm/campo-grande.osm.gz")).unwrap();
    check_network(&out);
    let r = &out.roads.report;
    assert_eq!(
        (
            r.records,
            r.accepted,
            r.rejected.len(),
            r.skipped.len(),
            r.flagged.len()
        ),
        (4138, 4093, 43, 2, 0)
    );
    assert_eq!(r.notes.len(), 3, "{:#?}", r.notes);
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with("191 road way(s) use nodes missing from the extract")),
        "{:#?}",
        r.notes
    );
    assert!(
        r.notes.iter().any(|n| n.contains("\"yes; no\" ×1")),
        "{:#?}",
        r.notes
    );
    for rej in &r.rejected {
        assert!(rej.source_id.as_deref().unwrap().starts_with("way/"));
        assert!(rej.reason.contains("missing from the extract"), "{rej:?}");
        assert_eq!(rej.field.as_deref(), Some("nd"));
        assert!(rej.at.line.is_some());
    }
    assert!(r
        .rejected
        .iter()
        .any(|x| x.source_id.as_deref() == Some("way/91882682")));
    assert_eq!(class_counts(&out.roads).get("residential"), Some(&2857));
    assert_eq!(class_counts(&out.roads).get("rail"), Some(&9));
    let [w, s, e, n] = bbox(&out.roads);
    assert!(
        w > -54.70 && e < -54.40 && s > -20.70 && n < -20.30,
        "{w} {s} {e} {n}"
    );
    assert_eq!(
        road(&out.roads, "way/154246825").oneway,
        Oneway::No,
        "oneway=\"yes; no\" is kept two-way"
    );
    let viaduct = road(&out.roads, "way/141650038");
    assert!(viaduct.bridge);
    assert_eq!(viaduct.route_ref.as_deref(), Some("BR-163"));
    assert_eq!(road(&out.roads, "way/91882770").oneway, Oneway::Backward);
    let names: Vec<_> = out
        .transit
        .records
        .iter()
        .map(|r| r.record.name.as_str())
        .collect();
    assert_eq!(names, ["Terminal Guaicurus", "Estação Manoel Brandão"]);
}

// ---------------------------------------------------------------- real GeoJSON files

#[test]
fn travel_mapping_segments() {
    let input = data_input("roads/tm_mesoamerica_segments.geojson");
    let out = roads::read(&input).unwrap();
    check_network(&out);
    let r = &out.roads.report;
    assert_eq!(r.format, "geojson");
    assert_eq!((r.records, r.accepted, r.rejected.len()), (18665, 18665, 0));
    assert_eq!(
        class_counts(&out.roads),
        BTreeMap::from([
            ("motorway", 1170),
            ("primary", 3057),
            ("secondary", 2443),
            ("tertiary", 1569),
            ("trunk", 10426)
        ])
    );
    let [w, s, e, n] = bbox(&out.roads);
    assert!(
        (w + 117.121768).abs() < 1e-9 && (e + 77.693038).abs() < 1e-9,
        "{w} {e}"
    );
    assert!(
        (s - 7.265948).abs() < 1e-9 && (n - 32.664253).abs() < 1e-9,
        "{s} {n}"
    );
    let first = &out.roads.records[0].record;
    assert_eq!(
        first.key.to_string(),
        "tm_mesoamerica_segments:blz.ar001:GUA/BLZ:MolRd"
    );
    assert_eq!(
        (first.class, first.route_ref.as_deref()),
        (RoadClass::Secondary, Some("AR1"))
    );
    assert!(out
        .roads
        .records
        .iter()
        .all(|s| s.record.oneway == Oneway::No));
    assert!(out
        .roads
        .records
        .iter()
        .filter(|s| s.record.class == RoadClass::Motorway)
        .all(|s| s.record.key.source_id.starts_with("mex")));
    assert_eq!(out.transit.records.len() + out.shelters.records.len(), 0);
    // Same result when read directly.
    assert_eq!(roads::read_geojson(&input).unwrap().records.len(), 18665);
}

#[test]
fn travel_mapping_routes() {
    let out = roads::read(&test_input("roads/tm_mesoamerica_routes.geojson")).unwrap();
    check_network(&out);
    assert_eq!(
        (out.roads.report.accepted, out.roads.report.rejected.len()),
        (1661, 0)
    );
    assert_eq!(
        class_counts(&out.roads),
        BTreeMap::from([
            ("motorway", 185),
            ("primary", 320),
            ("secondary", 356),
            ("tertiary", 139),
            ("trunk", 661)
        ])
    );
    assert!(out
        .roads
        .report
        .notes
        .iter()
        .any(|n| n.contains("Travel Mapping `root` ×1661")));
    assert_eq!(out.roads.records[0].record.key.source_id, "blz.ar001");
}

#[test]
fn natural_earth_railroads() {
    let out = roads::read(&data_input(
        "naturalearth/mesoamerica_ne_10m_railroads.geojson",
    ))
    .unwrap();
    check_network(&out);
    assert_eq!(
        (out.roads.report.accepted, out.roads.report.rejected.len()),
        (280, 0)
    );
    assert_eq!(class_counts(&out.roads), BTreeMap::from([("rail", 280)]));
    let told_apart = out
        .roads
        .records
        .iter()
        .filter(|s| s.record.key.source_id.contains('~'))
        .count();
    assert_eq!(told_apart, 18);
    let ids: HashSet<_> = out
        .roads
        .records
        .iter()
        .map(|s| s.record.key.source_id.as_str())
        .collect();
    assert!(ids.contains("58406~1") && ids.contains("58406~2") && !ids.contains("58406"));
    assert!(ids.contains("55506"));
    assert!(out
        .roads
        .report
        .notes
        .iter()
        .any(|n| n.starts_with("9 id(s) shared by 18 features")));
    let [w, s, e, n] = bbox(&out.roads);
    assert!(
        w < -100.0 && e > -90.0 && s > 0.0 && n < 40.0,
        "{w} {s} {e} {n}"
    );
}

// ---------------------------------------------------------------- bad input

#[test]
fn truncated_pbf_is_an_error_never_a_panic() {
    let full = test_input("osm/andorra.osm.pbf").bytes;
    for cut in [
        1,
        3,
        4,
        5,
        10,
        20,
        100,
        1000,
        10_000,
        full.len() / 3,
        full.len() / 2,
        full.len() - 100,
        full.len() - 1,
    ] {
        let input = bytes("cut.osm.pbf", &full[..cut]);
        match osm::read_pbf(&input) {
            Err(IngestError::Pbf { reason, .. }) => assert!(!reason.is_empty()),
            other => panic!("cut at {cut}: {:?}", other.map(|o| o.roads.records.len())),
        }
        // Through the dispatcher: a PBF error or (when too short to recognise) an unknown format.
        assert!(roads::read(&input).is_err(), "cut at {cut}");
    }
}

#[test]
fn corrupt_pbf_never_panics() {
    let full = test_input("osm/andorra.osm.pbf").bytes;
    let mut errors = 0;
    for (i, pos) in [30, 200, 5_000, 50_000, 200_000, 400_000, full.len() - 50]
        .into_iter()
        .enumerate()
    {
        let mut b = full.clone();
        for k in 0..8 {
            b[pos + k] ^= 0x5a ^ (i as u8);
        }
        if osm::read_pbf(&bytes("corrupt.osm.pbf", b)).is_err() {
            errors += 1;
        }
    }
    assert!(errors >= 5, "{errors}");
}

#[test]
fn truncated_gzip_is_an_error_never_a_panic() {
    let gz = std::fs::read(senda_testkit::test_file("osm/monaco.osm.gz")).unwrap();
    for cut in [2, 10, 100, gz.len() / 2, gz.len() - 10, gz.len() - 1] {
        assert!(
            matches!(
                Input::from_bytes("m.osm.gz", gz[..cut].to_vec()),
                Err(IngestError::Decompress { .. })
            ),
            "cut {cut}"
        );
    }
    // Truncated plain XML (the gzip undone, then cut) is an XML error.
    let xml = test_input("osm/monaco.osm.gz").bytes;
    for cut in [40, 1000, xml.len() / 2, xml.len() - 3] {
        match osm::read_xml(&bytes("m.osm", &xml[..cut])) {
            Err(IngestError::Xml { .. }) => {}
            other => panic!("cut {cut}: {:?}", other.map(|o| o.roads.records.len())),
        }
    }
}

const NODES: &str = r#"
  <node id="1" lat="14.900" lon="-92.270"/>
  <node id="2" lat="14.901" lon="-92.269"/>
  <node id="3" lat="14.902" lon="-92.268"/>
  <node id="4" lat="14.903" lon="-92.267"/>
  <node id="5" lat="NaN" lon="-92.266"/>
  <node id="6" lat="14.905" lon="-192.0"/>
  <node id="7" lat="14.906" lon="-92.264"/>
  <node id="8" lat="14.907" lon="-92.263"/>"#;

fn osm_doc(body: &str) -> Input {
    bytes("t.osm", format!("<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\">{NODES}\n{body}\n</osm>\n"))
}

#[test]
fn xml_way_with_missing_node_keeps_runs() {
    let out = osm::read_xml(&osm_doc(
        r#"<way id="10"><nd ref="1"/><nd ref="2"/><nd ref="99"/><nd ref="3"/><nd ref="4"/><tag k="highway" v="primary"/></way>
           <way id="11"><nd ref="1"/><nd ref="2"/><nd ref="98"/><tag k="highway" v="primary"/></way>
           <way id="12"><nd ref="97"/><nd ref="1"/><nd ref="96"/><tag k="highway" v="track"/></way>"#,
    ))
    .unwrap();
    check_network(&out);
    let ids: Vec<_> = out
        .roads
        .records
        .iter()
        .map(|r| r.record.key.source_id.as_str())
        .collect();
    assert_eq!(ids, ["way/10#0", "way/10#1", "way/11"]);
    assert_eq!(out.roads.records[0].record.geometry.len(), 2);
    let rej = &out.roads.report.rejected;
    assert_eq!(rej.len(), 1);
    assert_eq!(rej[0].source_id.as_deref(), Some("way/12"));
    assert!(
        rej[0].reason.contains("2 of 3 node(s) are missing"),
        "{}",
        rej[0].reason
    );
    assert_eq!(rej[0].at.line, Some(13));
    assert!(
        out.roads.report.notes[0].contains("3 road way(s) use nodes missing"),
        "{:?}",
        out.roads.report.notes
    );
}

#[test]
fn xml_nan_and_out_of_range_nodes_cut_ways() {
    let out = osm::read_xml(&osm_doc(
        r#"<way id="20"><nd ref="3"/><nd ref="4"/><nd ref="5"/><nd ref="7"/><nd ref="8"/><tag k="highway" v="residential"/></way>
           <way id="21"><nd ref="5"/><nd ref="6"/><tag k="highway" v="residential"/></way>
           <way id="22"><nd ref="4"/><nd ref="6"/><nd ref="7"/><tag k="highway" v="residential"/></way>"#,
    ))
    .unwrap();
    check_network(&out);
    let ids: Vec<_> = out
        .roads
        .records
        .iter()
        .map(|r| r.record.key.source_id.as_str())
        .collect();
    assert_eq!(ids, ["way/20#0", "way/20#1"]);
    assert_eq!(out.roads.report.flagged.len(), 2);
    assert!(out.roads.report.flagged[0].reason.contains("node/5"));
    let rej = &out.roads.report.rejected;
    assert_eq!(
        rej.iter()
            .map(|r| r.source_id.as_deref().unwrap())
            .collect::<Vec<_>>(),
        ["way/21", "way/22"]
    );
    assert!(
        rej[0].reason.contains("node/5 has an invalid coordinate")
            && rej[0].reason.contains("finite"),
        "{}",
        rej[0].reason
    );
    assert!(
        rej[1].reason.contains("node/6 has an invalid coordinate") && rej[1].reason.contains("lon"),
        "{}",
        rej[1].reason
    );
    assert!(
        out.roads
            .report
            .notes
            .iter()
            .any(|n| n.starts_with("2 node(s) with invalid coordinates")),
        "{:?}",
        out.roads.report.notes
    );
}

#[test]
fn xml_unknown_highway_values_are_skipped_and_rail_kept() {
    let out = osm::read_xml(&osm_doc(
        r#"<way id="30"><nd ref="1"/><nd ref="2"/><tag k="highway" v="flying_carpet"/></way>
           <way id="31"><nd ref="1"/><nd ref="2"/><tag k="highway" v="proposed"/></way>
           <way id="32"><nd ref="1"/><nd ref="2"/><tag k="railway" v="rail"/><tag k="name" v="Chiapas-Mayab"/></way>
           <way id="33"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="1"/><tag k="building" v="yes"/></way>
           <way id="34"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="1"/><tag k="highway" v="pedestrian"/><tag k="area" v="yes"/></way>
           <way id="35" visible="false"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/></way>
           <way id="36"><nd ref="1"/><nd ref="2"/><tag k="highway" v="motorway"/><tag k="maxspeed" v="MX:urban"/></way>
           <relation id="1"><member type="way" ref="36" role=""/><tag k="type" v="route"/></relation>"#,
    ))
    .unwrap();
    check_network(&out);
    let r = &out.roads.report;
    let skipped: Vec<_> = r
        .skipped
        .iter()
        .map(|s| (s.source_id.as_deref().unwrap(), s.reason.as_str()))
        .collect();
    assert_eq!(skipped.len(), 3, "{skipped:?}");
    assert!(skipped[0]
        .1
        .contains("highway=flying_carpet is not a routable way"));
    assert!(skipped[2].1.contains("area=yes"));
    assert_eq!(out.roads.records.len(), 2);
    assert_eq!(road(&out.roads, "way/32").class, RoadClass::Rail);
    let m = road(&out.roads, "way/36");
    assert_eq!(
        (m.class, m.oneway, m.maxspeed_kmh),
        (RoadClass::Motorway, Oneway::Forward, None)
    );
    assert!(
        r.notes.iter().any(|n| n.starts_with("1 other way(s)")),
        "{:?}",
        r.notes
    );
    assert!(
        r.notes.iter().any(|n| n.contains("\"MX:urban\" ×1")),
        "{:?}",
        r.notes
    );
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("1 element(s) marked deleted")),
        "{:?}",
        r.notes
    );
}

#[test]
fn xml_transit_points_and_shelters() {
    let out = osm::read_xml(&osm_doc(
        r#"<node id="100" lat="14.68" lon="-92.15"><tag k="barrier" v="border_control"/><tag k="name:es" v="Puente Rodolfo Robles"/></node>
           <node id="101" lat="16.24" lon="-93.9"><tag k="railway" v="yard"/></node>
           <node id="102" lat="95" lon="-93.9"><tag k="amenity" v="bus_station"/><tag k="name" v="Bad"/></node>
           <node id="103" lat="14.9" lon="-92.26"><tag k="amenity" v="social_facility"/><tag k="social_facility" v="shelter"/>
             <tag k="name" v="Albergue Belén"/><tag k="social_facility:for" v="migrant;families"/><tag k="capacity" v="200"/>
             <tag k="contact:phone" v="+52 962 625 4812"/><tag k="opening_hours" v="24/7"/></node>
           <node id="104" lat="14.9" lon="-92.26"><tag k="amenity" v="shelter"/><tag k="shelter_type" v="public_transport"/></node>
           <node id="105" lat="14.9" lon="-92.26"><tag k="amenity" v="shelter"/><tag k="social_facility:for" v="refugees"/></node>
           <way id="40"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="1"/><tag k="public_transport" v="station"/><tag k="bus" v="yes"/><tag k="name" v="OCC Tapachula"/></way>"#,
    ))
    .unwrap();
    check_network(&out);
    let t = &out.transit;
    let got: Vec<_> = t
        .records
        .iter()
        .map(|r| {
            (
                r.record.key.source_id.as_str(),
                r.record.kind,
                r.record.name.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "node/100",
                TransitKind::BorderCrossing,
                "Puente Rodolfo Robles"
            ),
            ("node/101", TransitKind::RailYard, "rail yard"),
            ("way/40", TransitKind::BusStation, "OCC Tapachula"),
        ]
    );
    let centroid = t.records[2].record.location;
    assert!(
        (centroid.lon() + 92.269).abs() < 1e-9 && (centroid.lat() - 14.901).abs() < 1e-9,
        "{centroid}"
    );
    assert_eq!(t.report.rejected.len(), 1);
    assert_eq!(t.report.rejected[0].source_id.as_deref(), Some("node/102"));
    assert_eq!(t.report.flagged.len(), 1);
    let s = &out.shelters;
    assert_eq!(s.records.len(), 2);
    let belen = &s.records[0].record;
    assert_eq!(
        (
            belen.name.as_str(),
            belen.capacity,
            belen.phone.as_deref(),
            belen.hours.as_deref()
        ),
        (
            "Albergue Belén",
            Some(200),
            Some("+52 962 625 4812"),
            Some("24/7")
        )
    );
    assert_eq!(belen.serves, [senda_core::Population::Families]);
    assert_eq!(s.records[1].record.key.source_id, "node/105");
    assert!(
        s.report
            .notes
            .iter()
            .any(|n| n.starts_with("1 amenity=shelter")),
        "{:?}",
        s.report.notes
    );
}

#[test]
fn malformed_xml_is_an_error() {
    for (doc, what) in [
        (
            "<osm><node id='1' lat='1' lon='1'></way></osm>",
            "mismatched end",
        ),
        ("<osm><node id='1' lat='1' lon='1'>", "unclosed"),
        ("<osm><node id='1' lat='1 lon='1'/></osm>", "bad attribute"),
        ("<gpx></gpx>", "wrong root"),
        ("", "empty"),
        ("   ", "blank"),
        ("<?xml version='1.0'?>", "no root"),
    ] {
        assert!(
            matches!(
                osm::read_xml(&bytes("m.osm", doc)),
                Err(IngestError::Xml { .. })
            ),
            "{what}"
        );
    }
    let out = osm::read_xml(&bytes("e.osm", "<osm version='0.6'/>")).unwrap();
    assert_eq!(out.roads.report.records, 0);
}

#[test]
fn empty_files() {
    for name in ["e.osm.pbf", "e.osm", "e.geojson"] {
        assert!(
            matches!(
                roads::read(&bytes(name, "")),
                Err(IngestError::UnknownFormat { .. })
            ),
            "{name}"
        );
    }
    assert!(matches!(
        osm::read_pbf(&bytes("e.pbf", "")),
        Err(IngestError::Pbf { .. })
    ));
    assert!(matches!(
        osm::read_xml(&bytes("e.osm", "")),
        Err(IngestError::Xml { .. })
    ));
    assert!(matches!(
        roads::read_geojson(&bytes("e.geojson", "")),
        Err(IngestError::Json { .. })
    ));
    let out = roads::read(&bytes(
        "e.geojson",
        r#"{"type":"FeatureCollection","features":[]}"#,
    ))
    .unwrap();
    assert_eq!(out.roads.report.records, 0);
}

#[test]
fn geojson_non_lines_are_rejected_with_index() {
    let doc = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"highway":"primary"},"geometry":{"type":"Point","coordinates":[-92,15]}},
      {"type":"Feature","properties":{"highway":"primary"},"geometry":{"type":"Polygon","coordinates":[[[-92,15],[-92.1,15],[-92,15.1],[-92,15]]]}},
      {"type":"Feature","properties":{"highway":"primary"},"geometry":{"type":"GeometryCollection","geometries":[]}},
      {"type":"Feature","properties":{"highway":"primary"},"geometry":{"type":"LineString","coordinates":[[-92,15]]}},
      {"type":"Feature","properties":{"highway":"primary"},"geometry":{"type":"LineString","coordinates":[[-92,15],[-92,15],[-92,15]]}},
      {"type":"Feature","properties":{"highway":"primary"},"geometry":{"type":"LineString","coordinates":[[-92,15],[-292,15]]}},
      {"type":"Feature","properties":{"highway":"hyperloop"},"geometry":{"type":"LineString","coordinates":[[-92,15],[-92.1,15]]}},
      {"type":"Feature","id":9,"properties":{"highway":"primary","name":"ok"},"geometry":{"type":"LineString","coordinates":[[-92,15],[-92.1,15]]}}
    ]}"#;
    let out = roads::read(&bytes("lines.geojson", doc)).unwrap();
    check_network(&out);
    let rej = &out.roads.report.rejected;
    assert_eq!(
        rej.iter().map(|r| r.at.index).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4, 5, 6]
    );
    assert!(
        rej[0].reason.contains("Point")
            && rej[1].reason.contains("Polygon")
            && rej[2].reason.contains("GeometryCollection")
    );
    assert!(rej[3].reason.contains("two positions"), "{}", rej[3].reason);
    assert!(rej[4].reason.contains("same point"), "{}", rej[4].reason);
    assert!(rej[5].reason.contains("lon"), "{}", rej[5].reason);
    assert_eq!(rej[6].field.as_deref(), Some("highway"));
    assert_eq!(out.roads.records.len(), 1);
    assert_eq!(out.roads.records[0].record.key.to_string(), "lines:9");
    // JSON has no NaN: a file with one is not JSON.
    let nan = r#"{"type":"Feature","properties":{"highway":"primary"},"geometry":{"type":"LineString","coordinates":[[NaN,15],[-92,15]]}}"#;
    assert!(matches!(
        roads::read_geojson(&bytes("nan.geojson", nan)),
        Err(IngestError::Json { .. })
    ));
}

// ---------------------------------------------------------------- a hand-made PBF

type Tag<'a> = (&'a str, &'a str);
/// A node for [`pbf_writer::file`]: id, lon and lat in 1e-7 degrees, tags.
type PbfNode<'a> = (i64, i64, i64, &'a [Tag<'a>]);
/// A way for [`pbf_writer::file`]: id, node ids, tags.
type PbfWay<'a> = (i64, &'a [i64], &'a [Tag<'a>]);

/// Just enough protobuf to write small OSM PBF files (uncompressed blobs).
mod pbf_writer {
    fn varint(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }
    fn field_bytes(field: u64, data: &[u8], out: &mut Vec<u8>) {
        varint(field << 3 | 2, out);
        varint(data.len() as u64, out);
        out.extend_from_slice(data);
    }
    fn field_varint(field: u64, v: u64, out: &mut Vec<u8>) {
        varint(field << 3, out);
        varint(v, out);
    }
    fn zigzag(v: i64) -> u64 {
        ((v << 1) ^ (v >> 63)) as u64
    }
    fn packed_sint(field: u64, vals: &[i64], out: &mut Vec<u8>) {
        let mut p = Vec::new();
        for v in vals {
            varint(zigzag(*v), &mut p);
        }
        field_bytes(field, &p, out);
    }
    fn packed_uint(field: u64, vals: &[u64], out: &mut Vec<u8>) {
        let mut p = Vec::new();
        for v in vals {
            varint(*v, &mut p);
        }
        field_bytes(field, &p, out);
    }
    fn deltas(v: &[i64]) -> Vec<i64> {
        let mut prev = 0;
        v.iter()
            .map(|x| {
                let d = x.wrapping_sub(prev);
                prev = *x;
                d
            })
            .collect()
    }
    fn blob(kind: &str, block: &[u8]) -> Vec<u8> {
        let mut blob = Vec::new();
        field_bytes(1, block, &mut blob); // raw
        field_varint(2, block.len() as u64, &mut blob); // raw_size
        let mut header = Vec::new();
        field_bytes(1, kind.as_bytes(), &mut header);
        field_varint(3, blob.len() as u64, &mut header);
        let mut out = (header.len() as u32).to_be_bytes().to_vec();
        out.extend(header);
        out.extend(blob);
        out
    }

    /// Nodes `(id, lon, lat, tags)` in 1e-7 degrees, ways `(id, refs, tags)`.
    pub fn file(
        required: &[&str],
        nodes: &[super::PbfNode<'_>],
        ways: &[super::PbfWay<'_>],
    ) -> Vec<u8> {
        let mut header = Vec::new();
        for f in required {
            field_bytes(4, f.as_bytes(), &mut header);
        }
        field_bytes(16, b"senda-test", &mut header);
        let mut strings: Vec<String> = vec![String::new()];
        let mut sid = |s: &str| -> u64 {
            if let Some(i) = strings.iter().position(|x| x == s) {
                return i as u64;
            }
            strings.push(s.to_owned());
            (strings.len() - 1) as u64
        };
        let mut dense = Vec::new();
        let ids: Vec<i64> = nodes.iter().map(|n| n.0).collect();
        let lats: Vec<i64> = nodes.iter().map(|n| n.2).collect();
        let lons: Vec<i64> = nodes.iter().map(|n| n.1).collect();
        let mut kv = Vec::new();
        for n in nodes {
            for (k, v) in n.3 {
                kv.push(sid(k));
                kv.push(sid(v));
            }
            kv.push(0);
        }
        packed_sint(1, &deltas(&ids), &mut dense);
        packed_sint(8, &deltas(&lats), &mut dense);
        packed_sint(9, &deltas(&lons), &mut dense);
        packed_uint(10, &kv, &mut dense);
        let mut node_group = Vec::new();
        field_bytes(2, &dense, &mut node_group);
        let mut way_group = Vec::new();
        for (id, refs, tags) in ways {
            let mut w = Vec::new();
            field_varint(1, *id as u64, &mut w);
            packed_uint(
                2,
                &tags.iter().map(|t| sid(t.0)).collect::<Vec<_>>(),
                &mut w,
            );
            packed_uint(
                3,
                &tags.iter().map(|t| sid(t.1)).collect::<Vec<_>>(),
                &mut w,
            );
            packed_sint(8, &deltas(refs), &mut w);
            field_bytes(3, &w, &mut way_group);
        }
        let mut st = Vec::new();
        for s in &strings {
            field_bytes(1, s.as_bytes(), &mut st);
        }
        let mut block = Vec::new();
        field_bytes(1, &st, &mut block);
        field_bytes(2, &node_group, &mut block);
        field_bytes(2, &way_group, &mut block);
        let mut out = blob("OSMHeader", &header);
        out.extend(blob("OSMData", &block));
        out
    }
}

#[test]
fn hand_made_pbf_matches_the_xml_rules() {
    let hw: &[(&str, &str)] = &[
        ("highway", "primary"),
        ("oneway", "-1"),
        ("maxspeed", "30 mph"),
        ("name", "Calzada"),
    ];
    let track: &[(&str, &str)] = &[("highway", "track")];
    let shelter: &[(&str, &str)] = &[
        ("amenity", "social_facility"),
        ("social_facility", "shelter"),
        ("name", "Casa del Migrante"),
    ];
    let nodes: &[PbfNode<'_>] = &[
        (1, -922_700_000, 149_000_000, &[]),
        (2, -922_690_000, 149_010_000, &[]),
        (3, -922_680_000, 149_020_000, shelter),
        (4, -922_670_000, 950_000_000, &[]), // lat 95: invalid
        (5, -922_660_000, 149_040_000, &[]),
        (6, -922_650_000, 149_050_000, &[]),
    ];
    let ways: &[PbfWay<'_>] = &[
        (10, &[1, 2, 3], hw),
        (11, &[2, 3, 4, 5, 6], track),
        (12, &[6, 77, 5], track),
        (13, &[4, 5], &[("building", "yes")]),
    ];
    let file = pbf_writer::file(&["OsmSchema-V0.6", "DenseNodes"], nodes, ways);
    let out = roads::read(&bytes("hand.osm.pbf", file)).unwrap();
    check_network(&out);
    let ids: Vec<_> = out
        .roads
        .records
        .iter()
        .map(|r| r.record.key.source_id.as_str())
        .collect();
    assert_eq!(ids, ["way/10", "way/11#0", "way/11#1"]);
    let calzada = road(&out.roads, "way/10");
    assert_eq!(
        (calzada.oneway, calzada.name.as_deref()),
        (Oneway::Backward, Some("Calzada"))
    );
    assert!((calzada.maxspeed_kmh.unwrap() - 48.28).abs() < 0.01);
    assert_eq!(
        (calzada.geometry[0].lon(), calzada.geometry[0].lat()),
        (-92.27, 14.9)
    );
    assert_eq!(out.roads.report.flagged.len(), 2);
    assert_eq!(out.roads.report.rejected.len(), 1);
    assert!(out.roads.report.rejected[0]
        .reason
        .contains("missing from the extract"));
    assert_eq!(out.shelters.records.len(), 1);
    assert_eq!(out.shelters.records[0].record.name, "Casa del Migrante");
    assert_eq!(out.shelters.records[0].record.key.source_id, "node/3");

    // A file that needs features this reader lacks is refused.
    let history = pbf_writer::file(&["OsmSchema-V0.6", "HistoricalInformation"], nodes, ways);
    match osm::read_pbf(&bytes("h.osm.pbf", history)) {
        Err(IngestError::Pbf { reason, .. }) => {
            assert!(reason.contains("HistoricalInformation"), "{reason}")
        }
        other => panic!("{:?}", other.map(|o| o.roads.records.len())),
    }
    // Node ids whose deltas overflow: an error or rejections, never a panic.
    let overflow: &[PbfWay<'_>] = &[(20, &[i64::MAX, i64::MIN + 5, 3], track)];
    let out = osm::read_pbf(&bytes("o.osm.pbf", pbf_writer::file(&[], nodes, overflow))).unwrap();
    assert_eq!(out.roads.report.rejected.len(), 1);
    assert!(out.roads.report.rejected[0]
        .reason
        .contains("corrupt node references"));
    // Dense node ids whose deltas overflow make the decoder panic in debug builds: that panic
    // must come out as an error naming the blob, never unwind through the caller.
    let bad_nodes: &[PbfNode<'_>] = &[(i64::MAX, 0, 0, &[]), (i64::MIN + 5, 0, 0, &[])];
    match osm::read_pbf(&bytes(
        "n.osm.pbf",
        pbf_writer::file(&[], bad_nodes, overflow),
    )) {
        Ok(out) => check_network(&out),
        Err(IngestError::Pbf { reason, .. }) => {
            assert!(reason.contains("blob at byte"), "{reason}")
        }
        Err(e) => panic!("{e}"),
    }
}

// ---------------------------------------------------------------- arbitrary bytes

fn andorra_pbf_bytes() -> &'static [u8] {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES.get_or_init(|| test_input("osm/andorra.osm.pbf").bytes)
}

fn pbf_prefix() -> Vec<u8> {
    pbf_writer::file(&["OsmSchema-V0.6"], &[(1, 0, 0, &[])], &[])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..600), prefix in 0usize..5) {
        let head: Vec<u8> = match prefix {
            0 => Vec::new(),
            1 => b"<osm version='0.6'>".to_vec(),
            2 => br#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":"#.to_vec(),
            3 => pbf_prefix(),
            _ => pbf_prefix()[..20].to_vec(),
        };
        let mut data = head;
        data.extend(body);
        if let Ok(input) = Input::from_bytes("fuzz", data) {
            let _ = roads::read(&input);
            let _ = osm::read_xml(&input);
            let _ = osm::read_pbf(&input);
            let _ = roads::read_geojson(&input);
        }
    }

    #[test]
    fn arbitrary_osm_text_never_panics(doc in "<osm>(<(node|way|nd|tag)( (id|ref|lat|lon|k|v)=\"[-0-9a-z.]{0,6}\"){0,4}/?>){0,12}(</osm>)?") {
        let input = bytes("fuzz.osm", doc);
        if let Ok(out) = osm::read_xml(&input) {
            check_network(&out);
        }
    }
}

proptest! {
    // Each case decodes the whole Andorra extract: a few cases only.
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn flipped_pbf_bytes_never_panic(flips in proptest::collection::vec((any::<proptest::sample::Index>(), 1u8..=255), 1..4)) {
        let mut data = andorra_pbf_bytes().to_vec();
        for (at, x) in flips {
            let i = at.index(data.len());
            data[i] ^= x;
        }
        if let Ok(out) = osm::read_pbf(&bytes("flipped.osm.pbf", data)) {
            check_network(&out);
        }
    }
}
