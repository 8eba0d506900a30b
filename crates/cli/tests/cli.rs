//! The `senda` binary end to end on real files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn senda(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_senda"))
        .args(args)
        .output()
        .unwrap()
}

fn shared(rel: &str) -> String {
    senda_testkit::shared_file(rel).display().to_string()
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
    let file = shared("incidents/iom_mmp_mesoamerica_2014_2025_hxl.csv");
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
    let shelters = shared("shelters/tijuana_migrant_services_hakkindavid.csv");
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
            &shared("weather/smn_mexico_cap12_atom_2014_small.xml"),
            &shared("shelters/thewetzone_places_sv_gt_mx_us.csv"),
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
    assert!(count(&db, "incidents") > 5_000);
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
