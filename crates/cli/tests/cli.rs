//! The `senda` binary end to end on real files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn senda(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_senda"))
        .args(args)
        .output()
        .unwrap()
}

/// A file under `tests/data`, as an argument.
fn test_file(rel: &str) -> String {
    senda_testkit::test_file(rel).display().to_string()
}

/// A file of the default dataset in `data/`, as an argument.
fn data_file(rel: &str) -> String {
    senda_testkit::data_file(rel).display().to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn db_in(dir: &Path) -> (PathBuf, String) {
    let p = dir.join("senda.db");
    let s = p.display().to_string();
    (p, s)
}

fn count(db: &Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn ingest_twice_is_idempotent_and_reports_rejections() {
    let dir = tempfile::tempdir().unwrap();
    let (db, dbs) = db_in(dir.path());
    let file = data_file("incidents/iom_mmp_mesoamerica_2014_2025_hxl.csv");
    let report = dir.path().join("rejects.json");
    let out = senda(&[
        "ingest",
        "incidents",
        &file,
        "--db",
        &dbs,
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = stdout(&out);
    assert!(
        first.contains("[iom-mmp-hxl] incidents: 5329 read"),
        "{first}"
    );
    let stored = count(&db, "incidents");
    assert!(stored > 5000, "{stored}");

    // The report lists every rejected record with its line and reason.
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let part = &json[0]["parts"][0];
    let rejected = part["rejected"].as_array().unwrap();
    let skipped = part["skipped"].as_array().unwrap();
    assert_eq!(rejected.len() as i64 + skipped.len() as i64 + stored, 5329);
    for r in rejected {
        assert!(r["at"]["line"].as_u64().unwrap() >= 3);
        assert!(!r["reason"].as_str().unwrap().is_empty());
    }

    let out = senda(&["ingest", "incidents", &file, "--db", &dbs]);
    assert!(out.status.success());
    assert!(
        stdout(&out).contains(&format!("→ 0 new, 0 updated, {stored} unchanged")),
        "{}",
        stdout(&out)
    );
    assert_eq!(count(&db, "incidents"), stored);
}

#[test]
fn unreadable_files_fail_but_valid_files_still_load() {
    let dir = tempfile::tempdir().unwrap();
    let (db, dbs) = db_in(dir.path());
    let missing = dir.path().join("nope.csv").display().to_string();
    let shelters = data_file("shelters/tijuana_migrant_services_hakkindavid.csv");
    let out = senda(&["ingest", "shelters", &missing, &shelters, "--db", &dbs]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.csv"));
    assert_eq!(count(&db, "shelters"), 14);
}

#[test]
fn strict_refuses_files_with_rejections() {
    let dir = tempfile::tempdir().unwrap();
    let (db, dbs) = db_in(dir.path());
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "name,latitude,longitude,service\nCasa A,32.52,-117.0,housing\nCasa B,not-a-number,-117.0,housing\n").unwrap();
    let out = senda(&[
        "ingest",
        "shelters",
        bad.to_str().unwrap(),
        "--db",
        &dbs,
        "--strict",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    assert!(stdout(&out).contains("NOT STORED"));
    assert_eq!(count(&db, "shelters"), 0);
    // Without --strict the valid row loads.
    let out = senda(&["ingest", "shelters", bad.to_str().unwrap(), "--db", &dbs]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("line 3"), "{}", stdout(&out));
    assert_eq!(count(&db, "shelters"), 1);
}

#[test]
fn validate_is_a_dry_run_that_detects_the_kind() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_senda"))
        .current_dir(dir.path())
        .args([
            "validate",
            &test_file("weather/smn_mexico_cap12_atom_2014_small.xml"),
            &data_file("shelters/thewetzone_places_sv_gt_mx_us.csv"),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    assert!(text.contains("[cap-atom] weather: 14 read"), "{text}");
    assert!(text.contains("shelters:"), "{text}");
    assert!(text.contains("dry run"), "{text}");
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "validate must not create files"
    );
}

#[test]
fn init_loads_the_default_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let (db, dbs) = db_in(dir.path());
    let out = senda(&["init", "--db", &dbs]);
    assert!(
        out.status.success(),
        "{}\n{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(count(&db, "roads") > 18_000);
    // IOM Missing Migrants (5,299) and UCDP GED (13,564).
    assert!(count(&db, "incidents") > 18_000);
    assert!(
        stdout(&out)
            .contains("[ucdp-ged] incidents: 13577 read, 13564 accepted, 0 rejected, 13 skipped"),
        "{}",
        stdout(&out)
    );
    assert!(count(&db, "shelters") >= 70);
    // 487 Natural Earth places and the points of the four GTFS feeds (Mexico City 11,362,
    // Panamá 1,150, Estelí 161, San José 32).
    assert_eq!(count(&db, "transit"), 487 + 12_705);
    assert!(count(&db, "weather") >= 150);
    // Loading it again changes nothing.
    let out = senda(&["init", "--db", &dbs]);
    assert!(out.status.success());
    assert!(
        stdout(&out)
            .lines()
            .filter(|l| l.contains("→"))
            .all(|l| l.contains("→ 0 new, 0 updated")),
        "{}",
        stdout(&out)
    );
}

/// A tiny GTFS feed as a folder named `name` (two stops, one bus line every 15 minutes, a
/// stop without a position and a stop time naming an unknown stop).
fn gtfs_folder(parent: &Path, name: &str) -> PathBuf {
    let dir = parent.join(name);
    std::fs::create_dir(&dir).unwrap();
    for (file, text) in [
        ("agency.txt", "agency_id,agency_name,agency_url,agency_timezone\nA,Transportes del Soconusco,http://a,America/Mexico_City\n"),
        ("routes.txt", "route_id,agency_id,route_short_name,route_long_name,route_type\nR1,A,34,Centro - Puerto Madero,3\n"),
        ("trips.txt", "route_id,service_id,trip_id\nR1,WK,T1\nR1,WK,T2\nR1,WK,T3\n"),
        ("calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20240101,20241231\n"),
        ("stops.txt", "stop_id,stop_name,stop_lat,stop_lon\nS1,Mercado,14.9070,-92.2630\nS2,Parque,14.9010,-92.2640\nS3,Sin lugar,,\n"),
        ("stop_times.txt", "trip_id,departure_time,stop_id,stop_sequence\nT1,07:00:00,S1,1\nT1,07:05:00,S2,2\nT2,07:15:00,S1,1\nT2,07:20:00,S2,2\nT3,07:30:00,S1,1\nT3,07:35:00,S9,2\n"),
    ] {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

#[test]
fn gtfs_feeds_load_from_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let feed = gtfs_folder(dir.path(), "soconusco");
    let feed_s = feed.display().to_string();
    // validate detects a feed folder; nothing is written.
    let out = senda(&["validate", &feed_s]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    assert!(
        text.contains(
            "[gtfs] transit: 3 read, 2 accepted, 1 rejected, 0 skipped, 1 flagged (dry run"
        ),
        "{text}"
    );
    assert!(
        text.contains("rejected record 2 (line 4) [S3]: stop_lon: missing"),
        "{text}"
    );
    assert!(
        text.contains(
            "flagged record 5 (line 7) [S9]: stop_times.txt:stop_id: stop_times.txt line 7"
        ),
        "{text}"
    );
    // ingest transit FOLDER stores the points; the file is the folder.
    let (db, dbs) = db_in(dir.path());
    let report = dir.path().join("report.json");
    let out = senda(&[
        "ingest",
        "transit",
        &feed_s,
        "--db",
        &dbs,
        "--report",
        &report.display().to_string(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).contains("→ 2 new, 0 updated, 0 unchanged"),
        "{}",
        stdout(&out)
    );
    assert_eq!(count(&db, "transit"), 2);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(json[0]["parts"][0]["kind"], "transit");
    assert_eq!(json[0]["parts"][0]["rejected"][0]["field"], "stop_lon");
    // A folder as another kind, and a folder that is no feed, are errors naming it.
    let out = senda(&["ingest", "roads", &feed_s, "--db", &dbs]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("a folder is read only as a GTFS feed"));
    let out = senda(&["validate", &dir.path().display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a GTFS feed"));
}

#[test]
fn gzip_past_the_decompression_cap_is_refused_naming_file_and_limit() {
    let dir = tempfile::tempdir().unwrap();
    let (db, dbs) = db_in(dir.path());
    let ged = data_file("violence/ucdp_ged_mexico_2014_2023.csv.gz");
    let out = senda(&[
        "ingest",
        "incidents",
        &ged,
        "--db",
        &dbs,
        "--max-decompressed-bytes",
        "100000",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("ucdp_ged_mexico_2014_2023.csv.gz") && err.contains("100000"),
        "{err}"
    );
    assert_eq!(count(&db, "incidents"), 0);
    // The default cap (1 GiB) reads it.
    let out = senda(&["validate", &ged]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn validate_and_ingest_read_a_utf16_file_alike() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, dbs) = db_in(dir.path());
    let text = std::fs::read_to_string(test_file("weather/cap_samples/canada.cap")).unwrap();
    let mut bytes = vec![0xff, 0xfe];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let file = dir.path().join("alert-utf16.xml");
    std::fs::write(&file, bytes).unwrap();
    let file = file.display().to_string();
    let parts = |report: &Path| -> Vec<(String, u64)> {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap();
        v[0]["parts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["kind"].as_str().unwrap().to_owned(),
                    p["accepted"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let (rv, ri) = (dir.path().join("v.json"), dir.path().join("i.json"));
    let out = senda(&["validate", &file, "--report", rv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = senda(&[
        "ingest",
        "weather",
        &file,
        "--db",
        &dbs,
        "--report",
        ri.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let (v, i) = (parts(&rv), parts(&ri));
    assert_eq!(v, i);
    assert_eq!(v[0].0, "weather");
    assert!(v[0].1 > 0, "{v:?}");
}
