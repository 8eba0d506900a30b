//! Transit readers through the public API: Natural Earth populated places (real file) and the
//! senda CSV/GeoJSON schema.

use proptest::prelude::*;
use senda_core::{LonLat, TransitKind, TransitPoint};
use senda_ingest::countries::Countries;
use senda_ingest::{transit, IngestError, Input, Outcome};
use std::collections::{BTreeMap, HashSet};

fn read_text(name: &str, text: &str) -> Outcome<TransitPoint> {
    transit::read(
        &Input::from_bytes(name, text.as_bytes().to_vec()).unwrap(),
        Countries::corridor(),
    )
    .unwrap()
}

fn natural_earth() -> Outcome<TransitPoint> {
    let path =
        senda_testkit::data_file("naturalearth/mesoamerica_ne_10m_populated_places_simple.geojson");
    transit::read(&Input::from_path(&path).unwrap(), Countries::corridor()).unwrap()
}

fn by_id<'a>(out: &'a Outcome<TransitPoint>, id: &str) -> &'a TransitPoint {
    out.records
        .iter()
        .map(|r| &r.record)
        .find(|t| t.key.source_id == id)
        .unwrap_or_else(|| panic!("{id}"))
}

#[test]
fn natural_earth_populated_places() {
    let out = natural_earth();
    let r = &out.report;
    assert_eq!(r.format, "naturalearth-populated-places");
    assert_eq!(
        (r.records, r.accepted, r.rejected.len(), r.skipped.len()),
        (487, 487, 0, 0)
    );
    let keys: HashSet<_> = out.records.iter().map(|r| &r.record.key).collect();
    assert_eq!(keys.len(), 487);
    assert!(out
        .records
        .iter()
        .all(|r| r.record.kind == TransitKind::Place && r.record.key.source == "naturalearth"));
    assert!(out
        .records
        .iter()
        .all(|r| r.record.population.is_some_and(|p| p >= 10)));
    let mut countries = BTreeMap::new();
    for t in out.records.iter().map(|r| &r.record) {
        *countries.entry(t.country.clone().unwrap()).or_insert(0) += 1;
        // Not swapped: the cut spans lon -118.5..-77, lat 7..33.5.
        assert!(
            (-118.5..-72.0).contains(&t.location.lon()) && (7.0..=33.5).contains(&t.location.lat()),
            "{}",
            t.name
        );
    }
    assert_eq!(countries["MEX"], 189);
    assert_eq!(countries["USA"], 154);
    assert_eq!(countries["GTM"], 26);
    assert_eq!(
        countries["JAM"], 8,
        "codes outside the corridor set are kept as given"
    );

    let tapachula = by_id(&out, "3516266");
    assert_eq!(tapachula.name, "Tapachula");
    assert_eq!(
        (tapachula.country.as_deref(), tapachula.population),
        (Some("MEX"), Some(221_521))
    );
    // serde_json's default float parsing may differ from the text in the last bit.
    let expected = LonLat::new(-92.26998580093743, 14.899980691482199).unwrap();
    assert!(senda_core::haversine_m(tapachula.location, expected) < 1e-6);
    let guatemala = by_id(&out, "3598132");
    assert_eq!(
        (guatemala.name.as_str(), guatemala.country.as_deref()),
        ("Guatemala", Some("GTM"))
    );
    // Seven places have geonameid -1 and get <adm0_a3>-<name slug>.
    let slugged: Vec<_> = out
        .records
        .iter()
        .filter(|r| !r.record.key.source_id.starts_with(char::is_numeric))
        .collect();
    assert_eq!(slugged.len(), 7);
    let el_cayo = by_id(&out, "BLZ-el-cayo");
    assert_eq!(
        (el_cayo.population, el_cayo.country.as_deref()),
        (Some(16_977), Some("BLZ"))
    );
    by_id(&out, "USA-arlington");
    by_id(&out, "PAN-balboa");

    // Eight flags, each checked by hand: all are real coastal or island towns that the 1:50m
    // coastline misses by more than the 2 km tolerance (San Andrés island is not in the 50m
    // Colombia polygon at all). None is a wrong coordinate.
    let flagged: Vec<(&str, &str)> = r
        .flagged
        .iter()
        .map(|f| (f.source_id.as_deref().unwrap(), f.field.as_deref().unwrap()))
        .collect();
    let expected = [
        ("3710114", "El Porvenir"),
        ("3670218", "San Andrés"),
        ("4164143", "Miami Beach"),
        ("4167694", "Panama City"),
        ("3582228", "Dangriga"),
        ("3530599", "Ciudad del Carmen"),
        ("3582677", "Belize City"),
        ("4418478", "Biloxi"),
    ];
    assert_eq!(flagged.len(), expected.len());
    for ((id, field), (want_id, name)) in flagged.iter().zip(expected) {
        assert_eq!((*id, *field), (want_id, "adm0_a3"));
        assert_eq!(by_id(&out, id).name, name);
    }
    assert!(r.flagged[1].reason.contains("\"COL\"") && r.flagged[1].reason.contains("638 km"));
    assert!(r.notes.iter().any(|n| n.contains("\"JAM\" ×8")));
    assert!(r
        .notes
        .iter()
        .any(|n| n.contains("7 places without a geonameid")));
}

#[test]
fn senda_csv() {
    let out = read_text(
        "border_points.csv",
        "id,source,name,kind,lon,lat,country,population\n\
         1,,Ciudad Hidalgo – Tecún Umán,border crossing,-92.1499,14.6776,México,\n\
         2,,Arriaga,rail yard,-93.9,16.23,,\n\
         3,inm,Huehuetoca,checkpoint,-99.2,19.83,MX,\n\
         4,,Tapachula,Bus-Terminal,-92.2667,14.9,MEX,350000\n\
         5,,Guatemala,city,-90.5133,14.6407,GT,1000000\n\
         6,,Kingston,port,-76.79,17.97,jam,\n",
    );
    let r = &out.report;
    assert_eq!(r.format, "senda");
    assert_eq!(
        (r.records, r.accepted, r.rejected.len(), r.flagged.len()),
        (6, 6, 0, 0)
    );
    let t: Vec<_> = out.records.iter().map(|r| &r.record).collect();
    assert_eq!(
        t.iter().map(|t| t.kind).collect::<Vec<_>>(),
        [
            TransitKind::BorderCrossing,
            TransitKind::RailYard,
            TransitKind::Checkpoint,
            TransitKind::BusStation,
            TransitKind::Place,
            TransitKind::Port
        ]
    );
    // Country names and codes become ISO alpha-3; a missing one is located.
    let countries: Vec<_> = t.iter().map(|t| t.country.as_deref().unwrap()).collect();
    assert_eq!(countries, ["MEX", "MEX", "MEX", "MEX", "GTM", "JAM"]);
    assert_eq!(
        (t[0].key.source.as_str(), t[0].key.source_id.as_str()),
        ("border_points", "1")
    );
    assert_eq!(t[2].key.source, "inm");
    assert_eq!(t[3].population, Some(350_000));
    assert!(r
        .notes
        .iter()
        .any(|n| n.contains("1 records without a country")));
}

#[test]
fn senda_csv_bad_rows() {
    let out = read_text(
        "bad.csv",
        "id,name,kind,lon,lat,country,population\n\
         1,A,bus,-92.2,14.9,MEX,many\n\
         2,B,teleport,-92.2,14.9,,\n\
         3,,bus,-92.2,14.9,,\n\
         4,D,bus,14.9,-92.2,,\n\
         5,E,bus,-92.2,14.9,Mexico,-3\n\
         6,F,bus,-92.2,14.9,Gondor,\n\
         7,G,bus,-90.5133,14.6407,Mexico,\n\
         7,H,bus,-92.2,14.9,,\n\
         8,I,bus,-92.2\n",
    );
    let r = &out.report;
    let rejected: Vec<_> = r
        .rejected
        .iter()
        .map(|i| (i.at.line.unwrap(), i.field.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        rejected,
        [
            (2, "population"),
            (3, "kind"),
            (4, "name"),
            (5, "lat"),
            (6, "population"),
            (9, "id"),
            (10, "")
        ]
    );
    assert!(r.rejected[1].reason.contains("\"teleport\""));
    assert!(r.rejected[3].reason.contains("swapped"));
    assert!(r.rejected[5]
        .reason
        .contains("first seen at record 6 (line 8)"));
    // Unknown country text: loaded, flagged, left empty; outside the stated country: flagged.
    assert_eq!(r.accepted, 2);
    let flags: Vec<_> = r
        .flagged
        .iter()
        .map(|f| (f.at.line.unwrap(), f.field.as_deref().unwrap()))
        .collect();
    assert_eq!(flags, [(7, "country"), (8, "country")]);
    assert_eq!(out.records[0].record.country, None);
    assert!(r.flagged[1].reason.contains("falls in Guatemala"));
    assert_eq!(
        out.records[1].record.country.as_deref(),
        Some("MEX"),
        "the stated country is kept"
    );
}

#[test]
fn senda_geojson_and_errors() {
    let out = read_text(
        "t.geojson",
        r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":{"type":"Point","coordinates":[-92.1499,14.6776]},"properties":{"name":"Suchiate","kind":"border_crossing","population":null}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[-92.1499,14.6776,12.0]},"properties":{"id":9,"name":"Suchiate 2","kind":"border"}},
            {"type":"Feature","geometry":{"type":"MultiPoint","coordinates":[[-92,14]]},"properties":{"name":"M","kind":"bus"}}
        ]}"#,
    );
    assert_eq!(out.report.format, "senda-geojson");
    assert_eq!((out.report.accepted, out.report.rejected.len()), (2, 1));
    assert_eq!(
        out.records[0].record.key.source_id,
        "suchiate@-92.1499,14.6776"
    );
    assert_eq!(out.records[1].record.key.source_id, "9");
    let read = |text: &str| {
        transit::read(
            &Input::from_bytes("f", text.as_bytes().to_vec()).unwrap(),
            Countries::corridor(),
        )
    };
    assert!(matches!(
        read("name,lon,lat\nA,1,2\n"),
        Err(IngestError::CsvHeader { .. })
    ));
    assert!(matches!(read("[1,2]"), Err(IngestError::GeoJson { .. })));
    assert!(matches!(read("{nope"), Err(IngestError::Json { .. })));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(input) = Input::from_bytes("fuzz", bytes) {
            let _ = transit::read(&input, Countries::corridor());
        }
    }

    #[test]
    fn arbitrary_features_never_panic(
        lon in prop::num::f64::ANY, lat in prop::num::f64::ANY,
        name in "[a-zA-Z ]{0,8}", kind in prop::sample::select(vec!["bus", "place", "x", ""]),
        pop in prop::sample::select(vec!["1", "-1", "1.5", "\"x\"", "null", "1e30"]),
    ) {
        let coords = |v: f64| if v.is_finite() { v.to_string() } else { "null".into() };
        let text = format!(
            r#"{{"type":"Feature","geometry":{{"type":"Point","coordinates":[{},{}]}},"properties":{{"name":"{name}","kind":"{kind}","population":{pop}}}}}"#,
            coords(lon), coords(lat)
        );
        let out = transit::read(&Input::from_bytes("p.geojson", text.into_bytes()).unwrap(), Countries::corridor()).unwrap();
        prop_assert_eq!(out.report.records, 1);
    }
}
