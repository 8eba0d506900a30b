//! Incident readers against the real files in `tests/data` and the default dataset in `data/`
//! (exact counts, checked by hand and with Python's csv module; `tests/data/README.md` says how
//! the cut files were cut), the hand-made ACLED fixture, bad input, and arbitrary bytes. Public
//! API only.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use senda_core::{
    Incident, IncidentCategory as C, LocationPrecision, ReviewStatus, Severity, TimePrecision,
};
use senda_ingest::{incidents, IngestError, Input, Outcome};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn input(name: &str, bytes: impl Into<Vec<u8>>) -> Input {
    Input::from_bytes(name, bytes.into()).expect("not gzip")
}

fn csv(text: &str) -> Outcome<Incident> {
    incidents::read_csv(&input("test.csv", text)).expect("readable header")
}

/// A file under `tests/data`, read and checked.
fn test_data(rel: &str) -> Outcome<Incident> {
    read_checked(&senda_testkit::test_file(rel))
}

fn read_checked(path: &Path) -> Outcome<Incident> {
    let out = incidents::read(&Input::from_path(path).expect("readable")).expect("recognised");
    check_invariants(&out);
    out
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/incidents")
        .join(name)
}

/// What every outcome must satisfy, whatever the file.
fn check_invariants(out: &Outcome<Incident>) {
    let r = &out.report;
    assert_eq!(
        r.records,
        r.accepted + r.rejected.len() as u64 + r.skipped.len() as u64,
        "counts add up"
    );
    assert_eq!(r.accepted, out.records.len() as u64);
    for issue in &r.rejected {
        assert!(!issue.reason.trim().is_empty(), "{issue:?}");
        assert!(
            issue.field.as_deref().is_some_and(|f| !f.trim().is_empty()),
            "rejection without a field: {issue:?}"
        );
        if r.format != "geojson" {
            assert!(
                issue.at.line.is_some_and(|l| l >= 2),
                "rejection without a line: {issue:?}"
            );
        }
    }
    for issue in r.skipped.iter().chain(&r.flagged) {
        assert!(!issue.reason.trim().is_empty(), "{issue:?}");
    }
    let mut keys = HashSet::new();
    for rec in &out.records {
        assert!(
            keys.insert(rec.record.key.clone()),
            "duplicate key {}",
            rec.record.key
        );
        assert_eq!(
            rec.record.severity,
            expected_severity(&rec.record, r.format.as_str()),
            "{:?}",
            rec.record
        );
    }
    // Records come back in file order, with strictly increasing lines.
    let lines: Vec<u64> = out.records.iter().filter_map(|r| r.at.line).collect();
    assert!(lines.windows(2).all(|w| w[0] < w[1]));
}

/// The documented severity rule, restated independently.
fn expected_severity(i: &Incident, format: &str) -> Severity {
    let mut s = i.category.base_severity();
    if i.people_affected >= 5 {
        s = s.raised();
    }
    if format == "acled" && i.dead.unwrap_or(0) >= 1 && s < Severity::Severe {
        s = Severity::Severe;
    }
    // UCDP: a best estimate of 0 deaths is one level below the category's base.
    if format == "ucdp-ged" && i.people_affected == 0 {
        s = s.lowered();
    }
    if format == "geojson" {
        return i.severity; // the property may override
    }
    s
}

fn find<'a>(out: &'a Outcome<Incident>, id: &str) -> &'a Incident {
    &out.records
        .iter()
        .find(|r| r.record.key.source_id == id)
        .unwrap_or_else(|| panic!("no record {id}"))
        .record
}

fn day(y: i32, m: u32, d: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
}

fn counts(out: &Outcome<Incident>) -> (u64, usize, usize, usize) {
    let r = &out.report;
    (
        r.accepted,
        r.rejected.len(),
        r.skipped.len(),
        r.flagged.len(),
    )
}

fn lon_lat(i: &Incident) -> (f64, f64) {
    (i.location.lon(), i.location.lat())
}

// ---------------------------------------------------------------- real files

#[test]
fn mmp_old_export() {
    // A cut of the export (tests/data/README.md): 539 of its 6,249 records, every one valid.
    let out = test_data("incidents/iom_mmp_export_2020-01-08_oldschema.csv");
    assert_eq!(out.report.format, "iom-mmp-old");
    assert_eq!(counts(&out), (539, 0, 0, 0));
    let first = find(&out, "52682");
    assert_eq!(first.key.source, "iom-mmp");
    assert_eq!(lon_lat(first), (26.651187816406, 38.61076246167));
    assert_eq!(first.occurred_at, day(2020, 1, 5));
    assert_eq!(
        (
            first.category,
            first.dead,
            first.missing,
            first.people_affected
        ),
        (C::Drowning, Some(4), Some(1), 5)
    );
    assert_eq!(first.severity, Severity::Severe); // drowning is serious, 5+ people raise it
    assert_eq!(first.review, ReviewStatus::Verified); // source quality 4
    assert_eq!(first.location_precision, LocationPrecision::Unknown);
    assert_eq!(
        first.description.as_deref(),
        Some("Off the coast of Izmir, Turkey")
    );
    assert_eq!(out.records[0].at.line, Some(2));
    // Chihuahua, Mexico: "Struck by train" is a train accident, not a vehicle accident.
    let train = find(&out, "52656");
    assert_eq!(lon_lat(train), (-106.091735282, 28.693108078255));
    assert_eq!(
        (train.category, train.severity, train.people_affected),
        (C::TrainAccident, Severity::Serious, 1)
    );
    assert_eq!(train.occurred_at, day(2019, 12, 15));
    assert_eq!(train.source_category.as_deref(), Some("Struck by train"));
    let unknown = find(&out, "52683");
    assert_eq!(
        (unknown.category, unknown.severity),
        (C::Unknown, Severity::Moderate)
    );
}

#[test]
fn mmp_new_export() {
    let out = test_data("incidents/iom_mmp_export_2026-05-06_newschema.csv");
    assert_eq!(out.report.format, "iom-mmp-new");
    assert_eq!(counts(&out), (238, 0, 0, 0));
    // "Main ID" repeats across the rows of one event; rows are keyed by "Incident ID".
    let darien = find(&out, "2026.MMP005962");
    assert_eq!(lon_lat(darien), (-78.94971459, 9.559769719)); // Guna Yala coast, Panama
    assert_eq!(darien.occurred_at, day(2026, 2, 10)); // 02/10 is month first
    assert_eq!(
        (darien.category, darien.people_affected, darien.severity),
        (C::Drowning, 2, Severity::Serious)
    );
    assert!(out
        .records
        .iter()
        .any(|r| r.record.key.source_id == "2026.MMP005963"));
    // A negative missing count is MMP's correction (people found dead), not an error.
    let tobruk = find(&out, "2026.MMP0190218");
    assert_eq!(
        (tobruk.dead, tobruk.missing, tobruk.people_affected),
        (Some(17), None, 17)
    );
    assert_eq!(tobruk.severity, Severity::Severe);
    assert!(out
        .report
        .notes
        .iter()
        .any(|n| n.contains("1 record(s) have a negative")));
    let first = find(&out, "2026.MMP0001");
    assert_eq!(first.category, C::Environmental);
    assert_eq!(first.occurred_at, day(2026, 1, 1));
}

#[test]
fn mmp_hxl_mesoamerica() {
    let out = read_checked(&senda_testkit::data_file(
        "incidents/iom_mmp_mesoamerica_2014_2025_hxl.csv",
    ));
    assert_eq!(out.report.format, "iom-mmp-hxl");
    // 5,329 rows: 14 have no date; 16 are byte-for-byte copies of an earlier row; 93 repeat
    // an earlier web_id with different numbers (kept as ID#2…, flagged).
    assert_eq!(counts(&out), (5299, 14, 16, 93));
    for r in &out.report.rejected {
        assert_eq!(r.field.as_deref(), Some("reported_date"), "{r:?}");
        assert!(r.reason.contains("no date"));
    }
    assert!(out
        .report
        .skipped
        .iter()
        .all(|s| s.reason.starts_with("exact duplicate of record")));
    // The file was cut to lon -118.5..-77, lat 7..33.5: every point must be there (not swapped).
    for r in &out.records {
        let (lon, lat) = lon_lat(&r.record);
        assert!(
            (-118.5..=-77.0).contains(&lon) && (7.0..=33.5).contains(&lat),
            "{:?}",
            r.record
        );
    }
    let gt = find(&out, "2015.MMP00050");
    assert_eq!(lon_lat(gt), (-92.133327, 14.633328));
    assert_eq!(gt.country.as_deref(), Some("Guatemala"));
    assert_eq!(
        (gt.category, gt.review),
        (C::Unknown, ReviewStatus::Unverified)
    ); // source quality 1
    let train = find(&out, "2014.MMP00224");
    assert_eq!(
        (train.category, train.occurred_at, train.people_affected),
        (C::TrainAccident, day(2014, 10, 12), 1)
    );
    // The same web_id on two different rows: both kept, in file order.
    let a = &out
        .records
        .iter()
        .find(|r| r.record.key.source_id == "2015.MMP00073")
        .unwrap();
    let b = &out
        .records
        .iter()
        .find(|r| r.record.key.source_id == "2015.MMP00073#2")
        .unwrap();
    assert_eq!((a.at.line, a.record.dead), (Some(1241), Some(2)));
    assert_eq!((b.at.line, b.record.dead), (Some(1249), Some(4)));
    assert!(out
        .report
        .flagged
        .iter()
        .any(|f| f.source_id.as_deref() == Some("2015.MMP00073#2")));
    // A multi-line quoted field: a record's line is the line it starts on.
    let rej = &out.report.rejected[0];
    assert_eq!(
        (rej.source_id.as_deref(), rej.at.line),
        (Some("2020.MMP01097"), Some(5729))
    );
}

#[test]
fn mmp_hxl_global() {
    // A cut of the world file (tests/data/README.md): 978 of its 17,846 records, among them
    // every record without a date or coordinates; 6 are byte-for-byte copies of an earlier row
    // and 72 repeat an earlier web_id with different numbers.
    let out = test_data("incidents/iom_mmp_global_2014_2025_hxl.csv");
    assert_eq!(out.report.format, "iom-mmp-hxl");
    assert_eq!(counts(&out), (956, 16, 6, 72));
    let by_field = |f: &str| {
        out.report
            .rejected
            .iter()
            .filter(|r| r.field.as_deref() == Some(f))
            .count()
    };
    assert_eq!(
        (by_field("reported_date"), by_field("location_coodinates")),
        (15, 1)
    );
    let no_coords = out
        .report
        .rejected
        .iter()
        .find(|r| r.field.as_deref() == Some("location_coodinates"))
        .unwrap();
    assert_eq!(
        (no_coords.source_id.as_deref(), no_coords.at.line),
        (Some("2022.MMP2290"), Some(1209))
    );
    assert!(no_coords.reason.contains("empty"));
    // Total written with a thousands separator: "1,022".
    let lampedusa = find(&out, "2015.MMP00108");
    assert_eq!(
        (lampedusa.dead, lampedusa.missing, lampedusa.people_affected),
        (Some(750), Some(272), 1022)
    );
    assert_eq!(
        (lampedusa.category, lampedusa.severity),
        (C::Drowning, Severity::Severe)
    );
    assert_eq!(lon_lat(lampedusa), (14.6777, 35.03));
    // Combined causes take the most severe.
    let first = find(&out, "2014.MMP00259");
    assert_eq!(first.category, C::Violence);
    assert_eq!(first.people_affected, 750);
}

#[test]
fn wfp_generic_hxl_with_empty_coordinates() {
    let path = senda_testkit::test_file("hxl/wfp_food_prices_gtm_hxl.csv");
    let out = test_data("hxl/wfp_food_prices_gtm_hxl.csv");
    assert_eq!(out.report.format, "hxl");
    // A cut of the export (every 15th row, tests/data/README.md): 1,011 of its 15,159 rows, 149
    // of them "National Average" rows without coordinates.
    assert_eq!(counts(&out), (862, 149, 0, 0));
    assert!(
        out.report.notes[0].starts_with("WARNING"),
        "{:?}",
        out.report.notes
    );
    assert!(out
        .report
        .notes
        .iter()
        .any(|n| n.contains("derived from a hash")));
    assert!(out
        .records
        .iter()
        .all(|r| r.record.category == C::Unknown && r.record.people_affected == 0));
    let market = &out.records[0].record;
    assert_eq!(lon_lat(market), (-90.5221472, 14.6173222));
    assert_eq!(market.occurred_at, day(1998, 1, 15));
    assert_eq!(market.key.source, "wfp_food_prices_gtm_hxl");
    // Every rejected row is a "National Average" row without coordinates, checked against the
    // file's own lines (it has no multi-line fields).
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for r in &out.report.rejected {
        let line = lines[r.at.line.unwrap() as usize - 1];
        let row = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes())
            .records()
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(
            (&row[3], &row[4], &row[5]),
            ("National Average", "", ""),
            "{r:?}"
        );
        assert_eq!(r.field.as_deref(), Some("latitude"));
        assert!(r.reason.contains("both empty"), "{r:?}");
    }
}

// ---------------------------------------------------------------- ACLED fixture

#[test]
fn acled_fixture() {
    let out = incidents::read(&Input::from_path(&fixture("acled_sample.csv")).unwrap()).unwrap();
    check_invariants(&out);
    assert_eq!(out.report.format, "acled");
    assert_eq!(counts(&out), (17, 7, 3, 3));
    let rejected: Vec<(u64, &str)> = out
        .report
        .rejected
        .iter()
        .map(|r| (r.at.line.unwrap(), r.field.as_deref().unwrap()))
        .collect();
    assert_eq!(
        rejected,
        [
            (18, "latitude"),
            (19, "latitude"),
            (20, "longitude"),
            (21, "event_date"),
            (22, "event_id_cnty"),
            (23, "latitude"),
            (28, "admin3")
        ]
    );
    let reasons: Vec<&str> = out
        .report
        .rejected
        .iter()
        .map(|r| r.reason.as_str())
        .collect();
    assert!(
        reasons[1].contains("\"NaN\" is not a finite number"),
        "{}",
        reasons[1]
    );
    assert!(reasons[2].contains("-188.0123"), "{}", reasons[2]);
    assert!(reasons[3].contains("2024-02-30"), "{}", reasons[3]);
    assert!(
        reasons[5].contains("-92.2634 is outside -90..90"),
        "{}",
        reasons[5]
    );
    assert!(reasons[6].contains("20 fields"), "{}", reasons[6]);
    let skipped: Vec<u64> = out
        .report
        .skipped
        .iter()
        .map(|s| s.at.line.unwrap())
        .collect();
    assert_eq!(skipped, [6, 16, 26]);
    assert!(out.report.skipped[0].reason.contains("Peaceful protest"));
    let flagged: Vec<&str> = out
        .report
        .flagged
        .iter()
        .map(|f| f.field.as_deref().unwrap())
        .collect();
    assert_eq!(flagged, ["fatalities", "geo_precision", "event_id_cnty"]);

    let attack = find(&out, "MEX90001");
    assert_eq!(attack.key.source, "acled");
    assert_eq!(lon_lat(attack), (-92.2634, 14.9056));
    assert_eq!(
        (
            attack.category,
            attack.severity,
            attack.dead,
            attack.people_affected
        ),
        (C::Violence, Severity::Critical, Some(2), 2)
    );
    assert_eq!(
        (
            attack.review,
            attack.location_precision,
            attack.time_precision
        ),
        (
            ReviewStatus::Verified,
            LocationPrecision::Local,
            TimePrecision::Day
        )
    );
    assert_eq!(attack.country.as_deref(), Some("Mexico"));
    assert_eq!(attack.source_category.as_deref(), Some("Attack"));
    assert!(attack
        .description
        .as_deref()
        .unwrap()
        .contains("bus terminal"));
    let abduction = find(&out, "MEX90002");
    assert_eq!(
        (abduction.category, abduction.time_precision),
        (C::Kidnapping, TimePrecision::Week)
    );
    let clash = find(&out, "MEX90003");
    assert_eq!(
        (clash.category, clash.severity, clash.location_precision),
        (
            C::ArmedConflict,
            Severity::Critical,
            LocationPrecision::Area
        )
    );
    let clash2 = find(&out, "MEX90003#2");
    assert_eq!(
        (clash2.occurred_at, clash2.severity),
        (day(2024, 1, 13), Severity::Severe)
    );
    assert_eq!(find(&out, "MEX90004").category, C::Enforcement);
    // A fatal riot is at least severe (ACLED override).
    let mob = find(&out, "MEX90007");
    assert_eq!((mob.category, mob.severity), (C::Unrest, Severity::Severe));
    assert_eq!(
        (
            find(&out, "GTM30002").category,
            find(&out, "GTM30002").severity
        ),
        (C::Unrest, Severity::Serious)
    );
    let sexual = find(&out, "MEX90008");
    assert_eq!(
        (sexual.category, sexual.occurred_at),
        (C::SexualViolence, day(2024, 1, 15))
    ); // "15 January 2024"
    assert_eq!(find(&out, "GTM30003").category, C::Extortion);
    assert_eq!(find(&out, "GTM30004").category, C::ArmedConflict);
    let danli = find(&out, "HND20004");
    assert_eq!(
        (danli.time_precision, danli.location_precision),
        (TimePrecision::Month, LocationPrecision::Area)
    );
    let flagged_fatalities = find(&out, "GTM30006");
    assert_eq!(
        (flagged_fatalities.dead, flagged_fatalities.people_affected),
        (None, 0)
    );
    assert_eq!(
        find(&out, "HND20006").location_precision,
        LocationPrecision::Unknown
    );
}

// ---------------------------------------------------------------- UCDP GED

/// The real GED cut in `tests/data/violence/` (see `tests/data/README.md`).
fn ucdp_fixture() -> Outcome<Incident> {
    let path = senda_testkit::test_file("violence/ucdp_ged_mexico_sample.csv");
    let out = incidents::read(&Input::from_path(&path).expect("readable")).expect("recognised");
    check_invariants(&out);
    out
}

fn tally<K: Ord>(out: &Outcome<Incident>, key: impl Fn(&Incident) -> K) -> Vec<(K, usize)> {
    let mut m = std::collections::BTreeMap::new();
    for r in &out.records {
        *m.entry(key(&r.record)).or_insert(0) += 1;
    }
    m.into_iter().collect()
}

/// Expected values computed independently from the CSV with Python's `csv` module (the
/// mapping restated there: where_prec 6 skipped; 1 → local, 2–3 → area, 4–5 → region; …).
#[test]
fn ucdp_ged_fixture() {
    let out = ucdp_fixture();
    assert_eq!(out.report.format, "ucdp-ged");
    // 288 events: 20 located only to the country (where_prec 6) are skipped, the rest load.
    assert_eq!(counts(&out), (268, 0, 20, 0));
    let skipped: Vec<(u64, &str)> = out
        .report
        .skipped
        .iter()
        .map(|s| (s.at.line.unwrap(), s.source_id.as_deref().unwrap()))
        .collect();
    assert_eq!(
        skipped,
        [
            (6, "181621"),
            (8, "182052"),
            (27, "184782"),
            (39, "184791"),
            (47, "183591"),
            (56, "447406"),
            (60, "181579"),
            (73, "182446"),
            (104, "429083"),
            (107, "451666"),
            (152, "232925"),
            (216, "380116"),
            (223, "387677"),
            (228, "449191"),
            (234, "397951"),
            (267, "446808"),
            (269, "447426"),
            (280, "471106"),
            (286, "490506"),
            (289, "502725")
        ]
    );
    assert!(out.report.skipped.iter().all(|s| s
        .reason
        .starts_with("where_prec 6: only the country is known")));
    assert!(
        out.report
            .notes
            .iter()
            .any(|n| n.starts_with("20 UCDP event(s) skipped (not rejected): where_prec 6")),
        "{:?}",
        out.report.notes
    );
    // The slim file's 28 columns are all GED's: nothing is listed as ignored.
    assert!(
        !out.report
            .notes
            .iter()
            .any(|n| n.contains("not part of the schema")),
        "{:?}",
        out.report.notes
    );
    assert_eq!(
        tally(&out, |i| i.category),
        [(C::Violence, 56), (C::ArmedConflict, 212)]
    );
    use LocationPrecision as L;
    assert_eq!(
        tally(&out, |i| format!("{:?}", i.location_precision)),
        [
            ("Area".into(), 94),
            ("Local".into(), 93),
            ("Region".into(), 81)
        ]
    );
    assert_eq!(
        tally(&out, |i| format!("{:?}", i.time_precision)),
        [
            ("Day".into(), 110),
            ("Month".into(), 40),
            ("Week".into(), 77),
            ("Year".into(), 41)
        ]
    );
    assert_eq!(
        tally(&out, |i| i.severity),
        [
            (Severity::Serious, 16),
            (Severity::Severe, 111),
            (Severity::Critical, 141)
        ]
    );
    let people: u64 = out
        .records
        .iter()
        .map(|r| u64::from(r.record.people_affected))
        .sum();
    assert_eq!(people, 5517);
    for r in &out.records {
        let i = &r.record;
        assert_eq!(
            (i.key.source.as_str(), i.review),
            ("ucdp-ged", ReviewStatus::Verified)
        );
        assert_eq!((i.dead, i.missing), (Some(i.people_affected), None));
    }

    // Line 2: cartel against cartel in Mexico City, 9 dead, known to the month.
    let first = find(&out, "182027");
    assert_eq!(out.records[0].at.line, Some(2));
    assert_eq!(lon_lat(first), (-99.12766, 19.42847));
    assert_eq!(first.occurred_at, day(1992, 9, 1));
    assert_eq!(
        (
            first.category,
            first.severity,
            first.people_affected,
            first.location_precision,
            first.time_precision
        ),
        (
            C::ArmedConflict,
            Severity::Critical,
            9,
            L::Local,
            TimePrecision::Month
        )
    );
    assert_eq!(first.source_category.as_deref(), Some("non-state conflict"));
    assert_eq!(
        first.description.as_deref(),
        Some("Sinaloa Cartel - Tijuana Cartel at Mexico city, Distrito Federal")
    );
    assert_eq!(first.country, None);
    // One-sided violence, 2 dead, exact place and day.
    let civilians = find(&out, "182047");
    assert_eq!(
        (
            civilians.category,
            civilians.severity,
            civilians.location_precision
        ),
        (C::Violence, Severity::Critical, L::Local)
    );
    assert_eq!(
        (civilians.occurred_at, civilians.time_precision),
        (day(1989, 1, 22), TimePrecision::Day)
    );
    assert_eq!(
        civilians.description.as_deref(),
        Some(
            "Government of Mexico - Civilians at Xoxocotla town, Puente de Ixtla municipality, \
             Morelos state"
        )
    );
    // Municipality only, best estimate 0 deaths (high 4), a whole year: one level down.
    let municipality = find(&out, "183580");
    assert_eq!(
        (
            municipality.location_precision,
            municipality.time_precision,
            municipality.severity,
            municipality.people_affected
        ),
        (L::Area, TimePrecision::Year, Severity::Severe, 0)
    );
    assert_eq!(
        municipality.description.as_deref(),
        Some("Government of Mexico - Civilians at Culiacán municipality, Sinaloa state")
    );
    let zero_clash = find(&out, "181403");
    assert_eq!(
        (zero_clash.category, zero_clash.severity),
        (C::ArmedConflict, Severity::Serious)
    );
    // State only (Chiapas centroid), EZLN uprising, 1–6 January 1994: region, week.
    let state = find(&out, "184720");
    assert_eq!(lon_lat(state), (-92.5, 16.5));
    assert_eq!(
        (
            state.source_category.as_deref(),
            state.location_precision,
            state.time_precision,
            state.severity
        ),
        (
            Some("state-based conflict"),
            L::Region,
            TimePrecision::Week,
            Severity::Critical
        )
    );
    // A stretch of highway (where_prec 5): region.
    let highway = find(&out, "184775");
    assert_eq!(
        (
            highway.location_precision,
            highway.severity,
            highway.people_affected
        ),
        (L::Region, Severity::Severe, 1)
    );
    // The largest event: a year's aggregate for Guanajuato state, 1,881 deaths.
    let aggregate = find(&out, "452033");
    assert_eq!(
        (
            aggregate.people_affected,
            aggregate.location_precision,
            aggregate.time_precision,
            aggregate.occurred_at
        ),
        (1881, L::Region, TimePrecision::Year, day(2022, 1, 1))
    );
}

/// The GED header of the slim file (28 of GED's 49 columns).
const GED_HEAD: &str = "id,relid,year,type_of_violence,conflict_name,dyad_name,side_a,side_b,where_prec,\
                        where_coordinates,adm_1,adm_2,latitude,longitude,event_clarity,date_prec,date_start,\
                        date_end,deaths_a,deaths_b,deaths_civilians,deaths_unknown,best,high,low,\
                        number_of_sources,source_office,source_date\n";

/// One GED row with `changes` applied to a valid one-sided event (by column name).
fn ged_row(id: &str, changes: &[(&str, &str)]) -> String {
    let columns: Vec<&str> = GED_HEAD.trim_end().split(',').collect();
    let valid = [
        id,
        "MEX-2021-3-1-1",
        "2021",
        "3",
        "CJNG - Civilians",
        "CJNG - Civilians",
        "CJNG",
        "Civilians",
        "1",
        "Tapachula town",
        "Chiapas state",
        "Tapachula municipality",
        "14.9056",
        "-92.2667",
        "1",
        "1",
        "2021-03-05",
        "2021-03-05",
        "0",
        "0",
        "2",
        "0",
        "2",
        "2",
        "2",
        "1",
        "El Orbe",
        "2021-03-06",
    ];
    let mut fields: Vec<String> = valid.iter().map(|s| (*s).to_owned()).collect();
    for (name, value) in changes {
        let c = columns
            .iter()
            .position(|h| h == name)
            .expect("a GED column");
        fields[c] = (*value).to_owned();
    }
    fields.join(",") + "\n"
}

#[test]
fn ucdp_bad_rows_are_rejected_naming_line_and_column() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        ("ok1", &[]),
        ("lat", &[("latitude", "north")]),
        ("lon", &[("longitude", "")]),
        ("both", &[("latitude", ""), ("longitude", "")]),
        (
            "range",
            &[("latitude", "-92.2667"), ("longitude", "14.9056")],
        ),
        ("wp9", &[("where_prec", "9")]),
        ("wp", &[("where_prec", "")]),
        ("dp0", &[("date_prec", "0")]),
        ("dpx", &[("date_prec", "day")]),
        ("tov4", &[("type_of_violence", "4")]),
        ("date", &[("date_start", "2021-02-30")]),
        ("end", &[("date_end", "2021-03-01")]),
        ("endx", &[("date_end", "soon")]),
        ("neg", &[("best", "-1")]),
        ("negA", &[("deaths_a", "-2")]),
        ("empty", &[("best", "")]),
        ("words", &[("deaths_civilians", "two")]),
        (
            "huge",
            &[("best", "250000"), ("high", "250000"), ("low", "250000")],
        ),
        ("wp7", &[("where_prec", "7"), ("latitude", "")]),
        ("wp6", &[("where_prec", "6")]),
        (
            "ok2",
            &[
                ("where_prec", "3"),
                ("date_prec", "4"),
                ("best", "0"),
                ("date_end", ""),
            ],
        ),
        (
            "ok3",
            &[
                ("date_start", "2021-03-05 00:00:00.000"),
                ("date_end", "2021-03-08 00:00:00.000"),
                ("date_prec", "2"),
            ],
        ),
    ];
    let body: String = cases.iter().map(|(id, ch)| ged_row(id, ch)).collect();
    let out = csv(&format!("{GED_HEAD}{body}"));
    check_invariants(&out);
    assert_eq!(out.report.format, "ucdp-ged");
    assert_eq!(counts(&out), (3, 17, 2, 0));
    let rejected: Vec<(u64, &str, &str)> = out
        .report
        .rejected
        .iter()
        .map(|r| {
            (
                r.at.line.unwrap(),
                r.source_id.as_deref().unwrap(),
                r.field.as_deref().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rejected,
        [
            (3, "lat", "latitude"),
            (4, "lon", "longitude"),
            (5, "both", "latitude"),
            (6, "range", "latitude"),
            (7, "wp9", "where_prec"),
            (8, "wp", "where_prec"),
            (9, "dp0", "date_prec"),
            (10, "dpx", "date_prec"),
            (11, "tov4", "type_of_violence"),
            (12, "date", "date_start"),
            (13, "end", "date_end"),
            (14, "endx", "date_end"),
            (15, "neg", "best"),
            (16, "negA", "deaths_a"),
            (17, "empty", "best"),
            (18, "words", "deaths_civilians"),
            (19, "huge", "best"),
        ]
    );
    let reason = |id: &str| {
        out.report
            .rejected
            .iter()
            .find(|r| r.source_id.as_deref() == Some(id))
            .unwrap()
            .reason
            .as_str()
    };
    assert!(
        reason("lat").contains("\"north\" is not a number"),
        "{}",
        reason("lat")
    );
    assert!(reason("wp9").contains("\"9\": expected a GED location precision 1..7"));
    assert!(reason("dp0").contains("expected a GED date precision 1..5"));
    assert!(reason("tov4").contains("1 (state-based), 2 (non-state) or 3 (one-sided)"));
    assert!(reason("date").contains("2021-02-30"));
    assert!(
        reason("end").contains("before date_start"),
        "{}",
        reason("end")
    );
    assert!(reason("neg").contains("cannot be negative"));
    assert!(reason("negA").contains("-2"));
    assert!(reason("huge").contains("implausibly large"));
    // 7 and 6 are valid codes senda cannot place: skipped (even with no latitude), not rejected.
    let skipped: Vec<(u64, &str)> = out
        .report
        .skipped
        .iter()
        .map(|s| (s.at.line.unwrap(), s.reason.as_str()))
        .collect();
    assert_eq!(skipped[0].0, 20);
    assert!(skipped[0].1.starts_with("where_prec 7"));
    assert_eq!(skipped[1].0, 21);
    let ok2 = find(&out, "ok2");
    assert_eq!(
        (
            ok2.location_precision,
            ok2.time_precision,
            ok2.severity,
            ok2.people_affected
        ),
        (
            LocationPrecision::Area,
            TimePrecision::Month,
            Severity::Severe,
            0
        )
    );
    let ok3 = find(&out, "ok3");
    assert_eq!(
        (ok3.occurred_at, ok3.time_precision),
        (day(2021, 3, 5), TimePrecision::Week)
    );
}

#[test]
fn ucdp_full_ged_header_and_missing_columns() {
    // GED's own 49 columns (as the UCDP download has them), with a country.
    let head = "id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,conflict_new_id,\
                conflict_name,dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,side_a_new_id,side_a,\
                side_b_dset_id,side_b_new_id,side_b,number_of_sources,source_article,source_office,\
                source_date,source_headline,source_original,where_prec,where_coordinates,where_description,\
                adm_1,adm_2,latitude,longitude,geom_wkt,priogrid_gid,country,country_id,region,event_clarity,\
                date_prec,date_start,date_end,deaths_a,deaths_b,deaths_civilians,deaths_unknown,best,high,\
                low,gwnoa,gwnob\n";
    let row = "7,GTM-2020-2-1-1,2020,1,Clear,2,1,1,A - B,1,1,A - B,1,1,A,1,1,B,1,\"x\",y,2020-05-01,h,o,\
               2,Escuintla town,near the town,Escuintla department,Escuintla municipality,14.305,-90.785,\
               POINT (-90.785 14.305),1,Guatemala,90,Americas,1,1,2020-05-01 00:00:00.000,\
               2020-05-01 00:00:00.000,1,0,0,0,1,1,1,90,\n";
    let out = csv(&format!("{head}{row}"));
    check_invariants(&out);
    assert_eq!(
        (out.report.format.as_str(), counts(&out)),
        ("ucdp-ged", (1, 0, 0, 0))
    );
    assert!(!out
        .report
        .notes
        .iter()
        .any(|n| n.contains("not part of the schema")));
    let e = find(&out, "7");
    assert_eq!(e.country.as_deref(), Some("Guatemala"));
    assert_eq!(
        (e.location_precision, e.occurred_at, e.severity),
        (LocationPrecision::Area, day(2020, 5, 1), Severity::Severe)
    );
    // A GED-looking file without `best`: a header error that names what is missing.
    let err = incidents::read_csv(&input(
        "g.csv",
        "id,type_of_violence,where_prec,latitude,longitude,date_prec,date_start\n1,2,1,19,-99,1,2020-01-01\n",
    ))
    .unwrap_err();
    assert!(matches!(err, IngestError::CsvHeader { .. }));
    assert!(
        err.to_string()
            .contains("missing required column(s) \"best\""),
        "{err}"
    );
}

/// The bundled default cut (`data/violence/`, gzip): 13,577 GED events from 2014 on, 13 of
/// them located only to the country (skipped). Counts from Python's `csv` module.
#[test]
fn ucdp_default_data_cut() {
    let path = senda_testkit::data_file("violence/ucdp_ged_mexico_2014_2023.csv.gz");
    let out = incidents::read(&Input::from_path(&path).unwrap()).unwrap();
    check_invariants(&out);
    assert_eq!(out.report.format, "ucdp-ged");
    assert_eq!(counts(&out), (13564, 0, 13, 0));
    assert!(out
        .records
        .iter()
        .all(|r| r.record.occurred_at >= day(2014, 1, 1)));
    assert_eq!(
        tally(&out, |i| i.category),
        [(C::Violence, 148), (C::ArmedConflict, 13416)]
    );
}

// ---------------------------------------------------------------- bad input

const HXL_HEAD: &str = "web_id,reported_date,location_coodinates,cause_death,number_dead,number_missing,total\n\
                        #web+id,#date+reported,#geo+coord,#cause+type,#affected+killed,#affected+missing,#affected+killed+missing+total\n";

fn hxl_rows(rows: &str) -> Outcome<Incident> {
    let out = csv(&format!("{HXL_HEAD}{rows}"));
    check_invariants(&out);
    assert_eq!(out.report.format, "iom-mmp-hxl");
    out
}

#[test]
fn bad_coordinates_are_rejected_with_the_value() {
    let out = hxl_rows(
        "a,2019-05-01,\"NaN, -93.9\",Drowning,1,,1\n\
         b,2019-05-01,\"16.2, 200\",Drowning,1,,1\n\
         c,2019-05-01,\"-93.9, 16.2\",Drowning,1,,1\n\
         d,2019-05-01,\"16.2\",Drowning,1,,1\n\
         e,2019-05-01,,Drowning,1,,1\n\
         f,2019-05-01,\"sixteen, -93.9\",Drowning,1,,1\n\
         g,2019-05-01,\"16.2; -93.9\",Drowning,1,,1\n\
         h,2019-05-01,\"  16.25 ,  -93.90 \",Drowning,1,,1\n",
    );
    assert_eq!(counts(&out), (1, 7, 0, 0));
    let reasons: Vec<&str> = out
        .report
        .rejected
        .iter()
        .map(|r| r.reason.as_str())
        .collect();
    assert!(
        reasons[0].contains("NaN") && reasons[0].contains("finite"),
        "{}",
        reasons[0]
    );
    assert!(
        reasons[1].contains("longitude 200 is outside -180..180"),
        "{}",
        reasons[1]
    );
    assert!(
        reasons[2].contains("latitude -93.9 is outside -90..90"),
        "{}",
        reasons[2]
    );
    assert!(
        reasons[3].contains("expected \"lat, lon\""),
        "{}",
        reasons[3]
    );
    assert!(reasons[4].contains("empty"), "{}", reasons[4]);
    assert!(
        reasons[5].contains("\"sixteen\" is not a number"),
        "{}",
        reasons[5]
    );
    assert!(
        reasons[6].contains("expected \"lat, lon\""),
        "{}",
        reasons[6]
    );
    assert!(out
        .report
        .rejected
        .iter()
        .all(|r| r.field.as_deref() == Some("location_coodinates")));
    assert_eq!(out.report.rejected[0].at.line, Some(3));
    assert_eq!(out.report.rejected[0].source_id.as_deref(), Some("a"));
    assert_eq!(lon_lat(&out.records[0].record), (-93.9, 16.25));
}

#[test]
fn wrong_types_in_counts_are_flagged_not_fatal() {
    let out = hxl_rows(
        "a,2019-05-01,\"16.2, -93.9\",Drowning,many,,\n\
         b,2019-05-01,\"16.2, -93.9\",Drowning,-2,,\n\
         c,2019-05-01,\"16.2, -93.9\",Drowning,2,-1,1\n\
         d,2019-05-01,\"16.2, -93.9\",Drowning,200000,,\n\
         e,May 1st,\"16.2, -93.9\",Drowning,1,,1\n",
    );
    assert_eq!(counts(&out), (3, 2, 0, 2));
    assert_eq!(out.report.flagged[0].field.as_deref(), Some("number_dead"));
    assert!(out.report.flagged[0].reason.contains("\"many\""));
    assert!(out.report.flagged[1].reason.contains("negative count -2"));
    let a = find(&out, "a");
    assert_eq!((a.dead, a.people_affected), (None, 1)); // an MMP record is at least one person
    let c = find(&out, "c");
    assert_eq!((c.dead, c.missing, c.people_affected), (Some(2), None, 2));
    assert!(out.report.rejected[0].reason.contains("implausibly large"));
    assert_eq!(
        out.report.rejected[1].field.as_deref(),
        Some("reported_date")
    );
    assert!(out.report.rejected[1].reason.contains("\"May 1st\""));
}

#[test]
fn rows_with_too_many_or_too_few_fields() {
    let out = hxl_rows(
        "a,2019-05-01,\"16.2, -93.9\",Drowning,1,,1,extra\n\
         b,2019-05-01,\"16.2, -93.9\"\n\
         c,2019-05-01,\"16.2, -93.9\",Drowning,1,,1\n\
         ,,,,,,\n",
    );
    assert_eq!(counts(&out), (1, 2, 1, 0));
    assert_eq!(
        out.report.rejected[0].field.as_deref(),
        Some("(extra fields)")
    );
    assert!(out.report.rejected[0]
        .reason
        .contains("8 fields, the header has 7"));
    assert_eq!(out.report.rejected[1].field.as_deref(), Some("cause_death"));
    assert_eq!(
        out.report.skipped[0].reason,
        "blank row (every field is empty)"
    );
}

#[test]
fn truncated_file() {
    let path = senda_testkit::test_file("incidents/iom_mmp_export_2020-01-08_oldschema.csv");
    let bytes = std::fs::read(path).unwrap();
    // Cut inside the coordinates of a record.
    let cut = bytes
        .windows(13)
        .position(|w| w == b"38.6107624616")
        .unwrap()
        + 5;
    let out = incidents::read_csv(&input("cut.csv", &bytes[..cut])).unwrap();
    check_invariants(&out);
    assert_eq!(counts(&out), (0, 1, 0, 0));
    let r = &out.report.rejected[0];
    assert_eq!(
        (r.at.line, r.source_id.as_deref(), r.field.as_deref()),
        (Some(2), Some("52682"), Some("Migration Route"))
    );
    // Cut in the middle of the file: every complete record loads, the cut one is rejected.
    let out = incidents::read_csv(&input("cut.csv", &bytes[..bytes.len() / 2])).unwrap();
    check_invariants(&out);
    assert_eq!(out.report.rejected.len(), 1);
    assert_eq!(out.report.rejected[0].at.index, out.records.len() as u64);
}

#[test]
fn empty_and_header_only_files() {
    let err = incidents::read_csv(&input("e.csv", "")).unwrap_err();
    assert!(matches!(err, IngestError::CsvHeader { .. }), "{err}");
    assert!(err.to_string().contains("empty"));
    let err = incidents::read(&input("e.csv", "  \n")).unwrap_err();
    assert!(matches!(err, IngestError::CsvHeader { .. }), "{err}");
    let out = csv("\"Web ID\",\"Reported Date\",\"Location Coordinates\"\r\n");
    assert_eq!(
        (out.report.format.as_str(), out.report.records),
        ("iom-mmp-old", 0)
    );
    assert!(out.report.notes.iter().any(|n| n.contains("no records")));
    let out = csv(HXL_HEAD);
    assert_eq!(
        (out.report.format.as_str(), out.report.records),
        ("iom-mmp-hxl", 0)
    );
}

#[test]
fn unknown_headers_say_what_was_expected() {
    let err = incidents::read_csv(&input("x.csv", "name,lat,lon\nfoo,1,2\n")).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, IngestError::CsvHeader { .. }));
    assert!(
        text.contains("Web ID") && text.contains("event_id_cnty") && text.contains("#geo+lat"),
        "{text}"
    );
    assert!(text.contains("\"name\""), "{text}");
    let err = incidents::read_csv(&input("x.csv", "Main ID,Incident Date\n1,2\n")).unwrap_err();
    assert!(
        err.to_string()
            .contains("missing required column(s) \"Coordinates\""),
        "{err}"
    );
    let err = incidents::read_csv(&input("x.csv", "a,b\n#date,#meta+id\n")).unwrap_err();
    assert!(err.to_string().contains("#geo+coord"), "{err}");
}

#[test]
fn windows_1252_bytes_are_decoded() {
    let mut bytes = b"\"Web ID\",\"Reported Date\",\"Location Coordinates\",\"Cause of Death\",\"Location Description\"\r\n\
                      \"1\",\"March 03, 2019\",\"14.9, -92.27\",\"Ca\xedda del tren\",\"Tapachula, M\xe9xico\"\r\n"
        .to_vec();
    bytes.extend_from_slice(
        b"\"2\",\"March 04, 2019\",\"14.9, -92.27\",\"Ahogamiento\",\"R\xedo Suchiate\"\r\n",
    );
    let out = incidents::read_csv(&input("latin.csv", bytes)).unwrap();
    check_invariants(&out);
    assert_eq!(counts(&out), (2, 0, 0, 0));
    assert!(
        out.report.notes.iter().any(|n| n.contains("windows-1252")),
        "{:?}",
        out.report.notes
    );
    let r = find(&out, "1");
    assert_eq!(r.description.as_deref(), Some("Tapachula, México"));
    assert_eq!(r.source_category.as_deref(), Some("Caída del tren"));
    assert_eq!(out.records[1].at.line, Some(3));
}

#[test]
fn bom_crlf_and_extra_columns() {
    let text = "\u{feff}Main ID,Incident ID,Incident Date,Coordinates,Cause of Death,Number Dead,Source Quality,Mystery\r\n\
                2026.MMP1,2026.MMP11,\"Thu, 01/01/2026 - 12:00\",\"14.9, -92.27\",\"Violence, Drowning\",3,5,x\r\n\
                \r\n\
                2026.MMP1,2026.MMP12,\"Fri, 01/02/2026 - 12:00\",\"14.9, -92.27\",Mixed or unknown,1,2,y\r\n";
    let out = csv(text);
    check_invariants(&out);
    assert_eq!(out.report.format, "iom-mmp-new");
    assert_eq!(counts(&out), (2, 0, 0, 0));
    assert_eq!(
        out.records
            .iter()
            .map(|r| r.at.line.unwrap())
            .collect::<Vec<_>>(),
        [2, 4]
    );
    let a = find(&out, "2026.MMP11");
    assert_eq!(
        (a.category, a.review, a.people_affected),
        (C::Violence, ReviewStatus::Verified, 3)
    );
    assert_eq!(find(&out, "2026.MMP12").review, ReviewStatus::Unverified);
    assert_eq!(
        out.report
            .notes
            .iter()
            .filter(|n| n.contains("\"Mystery\""))
            .count(),
        1
    );
}

#[test]
fn generic_hxl_with_types_and_counts() {
    let text = "id,when,lat,lon,what,killed,injured,notes\n\
                #meta+id,#date+occurred,#geo+lat,#geo+lon,#event+type,#affected+killed,#affected+injured,#description\n\
                r1,2023-07-01,15.5,-88.0,Armed clash,2,4,near San Pedro Sula\n\
                r2,2023-07-02,15.5,-88.0,train_accident,,,\n\
                r3,2023-07-03,15.5,,Attack,,,\n\
                r4,2023-07-04,15.5,-88.0,Peaceful protest,,,\n";
    let out = csv(text);
    check_invariants(&out);
    assert_eq!(out.report.format, "hxl");
    assert!(!out.report.notes.iter().any(|n| n.starts_with("WARNING")));
    assert_eq!(counts(&out), (2, 1, 1, 0));
    let r1 = find(&out, "r1");
    assert_eq!(r1.key.source, "test");
    assert_eq!(
        (r1.category, r1.people_affected, r1.severity),
        (C::ArmedConflict, 6, Severity::Critical)
    );
    assert_eq!(r1.description.as_deref(), Some("near San Pedro Sula"));
    assert_eq!(find(&out, "r2").category, C::TrainAccident);
    assert_eq!(out.report.rejected[0].field.as_deref(), Some("lon"));
    assert!(out.report.rejected[0].reason.contains("longitude is empty"));
}

#[test]
fn generic_hxl_derived_ids_are_stable_and_copies_skipped() {
    let text = "date,lat,lon\n#date,#geo+lat,#geo+lon\n2020-01-01,14,-90\n2020-01-01,14,-90\n2020-01-02,14,-90\n";
    let a = csv(text);
    let b = csv(text);
    check_invariants(&a);
    assert_eq!(counts(&a), (2, 0, 1, 0));
    let ids: Vec<&str> = a
        .records
        .iter()
        .map(|r| r.record.key.source_id.as_str())
        .collect();
    assert!(
        ids.iter()
            .all(|id| id.starts_with("row-") && id.len() == 20),
        "{ids:?}"
    );
    assert_eq!(
        ids,
        b.records
            .iter()
            .map(|r| r.record.key.source_id.as_str())
            .collect::<Vec<_>>()
    );
}

// ---------------------------------------------------------------- GeoJSON and dispatch

const FC: &str = r#"
{"type":"FeatureCollection","features":[
 {"type":"Feature","id":"f-1","geometry":{"type":"Point","coordinates":[-92.2667,14.9]},
  "properties":{"date":"2024-05-01","category":"extortion","dead":0,"missing":0,"people_affected":3,"country":"MX"}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[-92.2667,14.9]},
  "properties":{"id":"x","source":"red-de-albergues","occurred_at":"2024-05-01T22:15:00Z","category":"kidnapping","severity":2,"review":"verified"}},
 {"type":"Feature","geometry":{"type":"MultiPoint","coordinates":[[-92.2667,14.9]]},"properties":{"date":"2024-05-01"}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[-92.2667,94.9]},"properties":{"date":"2024-05-01"}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[-92.2667,14.9]},"properties":{"date":"01/05/2024"}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[-92.2667,14.9]},"properties":{"date":"2024-05-02"}}
]}"#;

#[test]
fn geojson_feature_collection() {
    let out = incidents::read(&input("/tmp/alerts.geojson", FC)).unwrap();
    check_invariants(&out);
    assert_eq!(out.report.format, "geojson");
    assert_eq!(counts(&out), (3, 3, 0, 0));
    let rejected: Vec<(u64, Option<&str>)> = out
        .report
        .rejected
        .iter()
        .map(|r| (r.at.index, r.field.as_deref()))
        .collect();
    assert_eq!(
        rejected,
        [
            (2, Some("geometry.type")),
            (3, Some("geometry.coordinates")),
            (4, Some("date"))
        ]
    );
    assert!(out.report.rejected[1].reason.contains("lat"));
    assert!(out.report.rejected[2].reason.contains("01/05/2024"));
    let f1 = find(&out, "f-1");
    assert_eq!(f1.key.source, "alerts");
    assert_eq!(
        (f1.category, f1.people_affected, f1.severity),
        (C::Extortion, 3, Severity::Severe)
    );
    assert_eq!(lon_lat(f1), (-92.2667, 14.9));
    let x = find(&out, "x");
    assert_eq!(x.key.source, "red-de-albergues");
    assert_eq!(
        (x.severity, x.review, x.time_precision),
        (
            Severity::Moderate,
            ReviewStatus::Verified,
            TimePrecision::Exact
        )
    );
    assert_eq!(
        x.occurred_at,
        Utc.with_ymd_and_hms(2024, 5, 1, 22, 15, 0).unwrap()
    );
    assert_eq!(find(&out, "5").category, C::Unknown); // no id: keyed by feature index
    assert!(out.report.notes.iter().any(|n| n.contains("feature index")));
}

#[test]
fn geojson_errors_and_dispatch() {
    let err = incidents::read(&input("x.geojson", "{\"type\":")).unwrap_err();
    assert!(matches!(err, IngestError::Json { .. }), "{err}");
    let err = incidents::read_geojson(&input(
        "x.geojson",
        "{\"type\":\"Polygon\",\"coordinates\":[]}",
    ))
    .unwrap_err();
    assert!(matches!(err, IngestError::GeoJson { .. }), "{err}");
    let one = r#"  {"type":"Feature","geometry":{"type":"Point","coordinates":[-90.5,14.6]},"properties":{"date":"2024-01-01"}}"#;
    let out = incidents::read(&input("one.json", format!("\u{feff}\n{one}"))).unwrap();
    assert_eq!(
        (out.report.format.as_str(), out.records.len()),
        ("geojson", 1)
    );
    let out = incidents::read(&input("arr.json", format!("[{one},{one}]"))).unwrap();
    check_invariants(&out);
    // No ids: keyed by feature index, so two identical features stay two records.
    let keys: Vec<String> = out
        .records
        .iter()
        .map(|r| r.record.key.to_string())
        .collect();
    assert_eq!(keys, ["arr:0", "arr:1"]);
}

// ---------------------------------------------------------------- never panic

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        // Bytes that start with the gzip magic are refused by `Input` itself (a clean error).
        if let Ok(i) = Input::from_bytes("fuzz", bytes) {
            let _ = incidents::read_csv(&i);
            let _ = incidents::read_geojson(&i);
            let _ = incidents::read(&i);
        }
    }

    #[test]
    fn arbitrary_rows_under_real_headers_never_panic(
        rows in proptest::collection::vec(proptest::collection::vec("[-0-9a-zA-Z .,:/\"#\n\r]{0,14}", 0..9), 0..12),
        which in 0usize..5,
    ) {
        let head = [
            HXL_HEAD,
            "\"Web ID\",\"Reported Date\",\"Location Coordinates\",\"Cause of Death\",\"Number Dead\"\n",
            "event_id_cnty,event_date,event_type,sub_event_type,latitude,longitude,fatalities,geo_precision,time_precision\n",
            "d,la,lo,t\n#date,#geo+lat,#geo+lon,#event+type\n",
            "id,type_of_violence,where_prec,latitude,longitude,date_prec,date_start,date_end,best,deaths_a\n",
        ][which];
        let body: Vec<String> = rows.iter().map(|r| r.join(",")).collect();
        let text = format!("{head}{}", body.join("\n"));
        if let Ok(out) = incidents::read_csv(&input("fuzz.csv", text)) {
            let r = &out.report;
            prop_assert_eq!(r.records, r.accepted + r.rejected.len() as u64 + r.skipped.len() as u64);
            let keys: HashSet<_> = out.records.iter().map(|r| r.record.key.clone()).collect();
            prop_assert_eq!(keys.len(), out.records.len());
        }
    }

    #[test]
    fn arbitrary_json_features_never_panic(
        lon in proptest::num::f64::ANY, lat in proptest::num::f64::ANY,
        date in "[0-9T:Z-]{0,25}", sev in "[a-z0-9]{0,3}",
    ) {
        let json = serde_json::json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"date": date, "severity": sev}});
        let out = incidents::read_geojson(&input("p.geojson", json.to_string()));
        if let Ok(out) = out {
            prop_assert_eq!(out.report.records, 1);
        }
    }
}
