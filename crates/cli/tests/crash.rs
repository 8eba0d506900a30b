//! Crash safety: SIGKILL a running `senda ingest` of a large file, then show the database
//! holds the whole batch or none of it, and every earlier batch intact.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A Missing Migrants HXL file with `rows` synthetic rows in the corridor (ids `prefix.N`).
fn write_mmp_hxl(path: &Path, prefix: &str, rows: usize) {
    let mut s = String::from(
        "web_id,region,reported_date,number_dead,number_missing,total_dead_and_missing,number_of_survivors,number_of_female,number_of_male,number_of_children,cause_death,country_of_incident,location_description,unsd_geographic_grouping,location_coodinates,migration_route,information_source,url,source_quality,region_origin,country_origin\n\
         #web+id,#region+name,#date+reported,#affected+killed,#affected+missing,#affected+killed+missing+total,#affected+survivors,#affected+f,#affected+m,#affected+children,#cause+type,#country+event,#loc+description,#region+unsd+name,#geo+coord,#route+description,#meta+source+name,#meta+url,#meta+source+quality,,\n",
    );
    for i in 0..rows {
        let lat = 14.5 + (i % 1000) as f64 * 0.015;
        let lon = -99.0 + (i / 1000 % 100) as f64 * 0.07;
        let day = 1 + i % 28;
        writeln!(
            s,
            "{prefix}.{i},Central America,2021-03-{day:02},1,,1,,,1,,Violence,Mexico,synthetic row {i},Central America,\"{lat:.5}, {lon:.5}\",Central America to US,test,,3,,"
        )
        .unwrap();
    }
    std::fs::write(path, s).unwrap();
}

fn senda() -> Command {
    Command::new(env!("CARGO_BIN_EXE_senda"))
}

/// Runs `senda ingest incidents FILE --db DB` and expects it to succeed.
fn ingest_to_completion(file: &Path, db: &Path) {
    let status = senda()
        .args(["ingest", "incidents"])
        .arg(file)
        .arg("--db")
        .arg(db)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

fn count(db: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn sigkill_during_ingest_keeps_whole_batches_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("senda.db");
    let small = dir.path().join("small.csv");
    let big = dir.path().join("big.csv");
    write_mmp_hxl(&small, "early", 500);
    write_mmp_hxl(&big, "late", 300_000);

    ingest_to_completion(&small, &db);
    assert_eq!(count(&db, "SELECT count(*) FROM incidents"), 500);
    let early_digest = |db: &Path| -> String {
        let conn = rusqlite::Connection::open(db).unwrap();
        conn.query_row(
            "SELECT group_concat(source_id || ':' || hex(hash), ',') FROM (SELECT source_id, hash FROM incidents WHERE source_id LIKE 'early.%' ORDER BY source_id)",
            [],
            |r| r.get::<_, String>(0),
        )
        .unwrap()
    };
    let before = early_digest(&db);

    // Kill at several points of the big batch's transaction: when its uncommitted pages have
    // started to reach the WAL file, and later.
    let wal = dir.path().join("senda.db-wal");
    let mut killed_mid_write = 0;
    for threshold in [256 << 10, 4 << 20, 12 << 20] {
        let mut child = senda()
            .args(["ingest", "incidents"])
            .arg(&big)
            .arg("--db")
            .arg(&db)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        let base = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        loop {
            let grown = std::fs::metadata(&wal)
                .map(|m| m.len())
                .unwrap_or(0)
                .saturating_sub(base);
            if grown >= threshold || start.elapsed() > Duration::from_secs(120) {
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok(); // SIGKILL
        child.wait().unwrap();

        let n = count(&db, "SELECT count(*) FROM incidents");
        let batches = count(&db, "SELECT count(*) FROM batches");
        let late = count(
            &db,
            "SELECT count(*) FROM incidents WHERE source_id LIKE 'late.%'",
        );
        assert!(
            late == 0 || late == 300_000,
            "partial batch visible: {late} of 300000 rows"
        );
        assert_eq!(n, 500 + late);
        assert_eq!(batches, if late == 0 { 1 } else { 2 });
        assert_eq!(early_digest(&db), before, "an earlier batch changed");
        if !finished && late == 0 {
            killed_mid_write += 1;
        }
        if late > 0 {
            break; // the batch committed before the kill; nothing more to show
        }
    }
    assert!(
        killed_mid_write >= 1,
        "no kill landed inside the transaction; make the file larger"
    );

    // The database is still usable: the same file now loads completely.
    ingest_to_completion(&big, &db);
    assert_eq!(count(&db, "SELECT count(*) FROM incidents"), 300_500);
    assert_eq!(early_digest(&db), before);
}
