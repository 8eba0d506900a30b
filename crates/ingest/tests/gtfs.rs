//! The GTFS reader through the public API: the fixtures in `tests/data/gtfs/` (counts and
//! headways checked independently with Python's csv module, see `tests/data/README.md`) and
//! hand-made broken feeds written into temporary folders and zips.

use proptest::prelude::*;
use senda_core::{RecordKind, TransitKind, TransitMode, TransitPoint};
use senda_ingest::countries::Countries;
use senda_ingest::gtfs::{self, GtfsOptions};
use senda_ingest::{detect_kind, IngestError, Input, Outcome, Records};
use std::io::Write;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    senda_testkit::workspace_root()
        .join("tests/data/gtfs")
        .join(name)
}

fn read_fixture(name: &str) -> Outcome<TransitPoint> {
    let input = Input::from_path(&fixture(name)).unwrap();
    gtfs::read_zip(&input, Countries::corridor()).unwrap()
}

fn point<'a>(out: &'a Outcome<TransitPoint>, id: &str) -> &'a TransitPoint {
    out.records
        .iter()
        .map(|l| &l.record)
        .find(|p| p.key.source_id == id)
        .unwrap_or_else(|| panic!("no point {id}"))
}

/// (route id, headway s) of a point's lines.
fn lines(p: &TransitPoint) -> Vec<(&str, Option<u32>)> {
    p.routes
        .iter()
        .map(|r| (r.id.as_str(), r.headway_s))
        .collect()
}

fn check_invariants(out: &Outcome<TransitPoint>) {
    let r = &out.report;
    assert_eq!(
        r.records,
        r.accepted + r.rejected.len() as u64 + r.skipped.len() as u64
    );
    assert_eq!(r.accepted as usize, out.records.len());
    let mut keys = std::collections::HashSet::new();
    for l in &out.records {
        assert!(keys.insert(l.record.key.to_string()), "{}", l.record.key);
    }
    for i in r.rejected.iter().chain(&r.skipped).chain(&r.flagged) {
        assert!(!i.reason.is_empty());
        assert!(i.at.line.is_some(), "{i:?}");
    }
}

#[test]
fn san_jose_train_stations_with_lines_and_headways() {
    let out = read_fixture("cr_sanjose_train_gtfs.zip");
    check_invariants(&out);
    let r = &out.report;
    assert_eq!(r.format, "gtfs");
    // 34 rows in stops.txt: 33 stops and 1 station; the station's 2 platforms are folded.
    assert_eq!(
        (
            r.records,
            r.accepted,
            r.rejected.len(),
            r.skipped.len(),
            r.flagged.len()
        ),
        (34, 32, 0, 2, 0)
    );
    assert!(r.skipped.iter().all(|s| s
        .reason
        .contains("folded into its station \"relation/6906279\"")));
    assert!(r
        .notes
        .iter()
        .any(|n| n == "files not read: feed_info.txt, shapes.txt"));
    assert!(r
        .notes
        .iter()
        .any(|n| n.starts_with("headways: Monday (85 trips)")));
    assert!(out.records.iter().all(|l| {
        let p = &l.record;
        p.kind == TransitKind::RailStation
            && p.key.source == "cr_sanjose_train_gtfs"
            && p.country.as_deref() == Some("CRI")
            && p.routes
                .iter()
                .all(|r| r.mode == TransitMode::Rail && r.agency.as_deref() == Some("Incofer"))
    }));
    // The station carries the lines of its platforms.
    let atlantico = point(&out, "relation/6906279");
    assert_eq!(atlantico.name, "Estación Atlántico");
    assert_eq!(
        lines(atlantico),
        [("1", Some(3420)), ("2", Some(2130)), ("4", Some(3300))]
    );
    assert_eq!(atlantico.routes[1].short_name.as_deref(), Some("2"));
    assert_eq!(
        atlantico.routes[1].long_name.as_deref(),
        Some("Alajuela - Heredia - San José")
    );
    let ucr = point(&out, "node/3340791384");
    assert_eq!(
        lines(ucr),
        [("1", Some(4200)), ("2", Some(20220)), ("4", Some(3300))]
    );
    let pairs: usize = out.records.iter().map(|l| l.record.routes.len()).sum();
    assert_eq!(pairs, 39);
}

#[test]
fn esteli_stops_fold_into_their_stations() {
    let out = read_fixture("ni_esteli_cut.zip");
    check_invariants(&out);
    let r = &out.report;
    // 149 rows: 110 stops (74 with a parent station, folded) and 39 stations.
    assert_eq!(
        (r.records, r.accepted, r.skipped.len(), r.rejected.len()),
        (149, 75, 74, 0)
    );
    assert!(out
        .records
        .iter()
        .all(|l| l.record.kind == TransitKind::BusStop && !l.record.routes.is_empty()));
    let pairs: usize = out.records.iter().map(|l| l.record.routes.len()).sum();
    assert_eq!(pairs, 84);
    let hospital = point(&out, "node/5165721229");
    assert_eq!(hospital.name, "Hospital");
    assert_eq!(lines(hospital), [("1", Some(600)), ("3", Some(720))]);
    assert_eq!(
        hospital.routes[0].long_name.as_deref(),
        Some("Rosario - Hospital")
    );
    assert_eq!(hospital.routes[0].headway_min(), Some(10));
    assert_eq!(hospital.best_headway_min(), Some(10));
    assert_eq!(hospital.country.as_deref(), Some("NIC"));
}

#[test]
fn mexico_city_modes_and_frequencies() {
    let out = read_fixture("cdmx_semovi_cut.zip");
    check_invariants(&out);
    let r = &out.report;
    assert_eq!((r.records, r.accepted, r.skipped.len()), (180, 180, 0));
    let count = |k: TransitKind| out.records.iter().filter(|l| l.record.kind == k).count();
    // Counted with Python: 44 Metro stations (lines 1 and 2), 18 Tren Ligero stops, 6
    // Cablebús stations; the rest buses, 3 of them served by no trip.
    assert_eq!(count(TransitKind::MetroStation), 44);
    assert_eq!(count(TransitKind::TramStop), 18);
    assert_eq!(count(TransitKind::CableCarStation), 6);
    assert_eq!(count(TransitKind::BusStop), 112);
    assert_eq!(
        out.records
            .iter()
            .filter(|l| l.record.routes.is_empty())
            .count(),
        3
    );
    // Metro line 1 runs every 4 minutes by frequencies.txt.
    let balderas = point(&out, "0200L1-BALDERAS");
    assert_eq!(lines(balderas), [("CMX0200L1", Some(240))]);
    let l1 = &balderas.routes[0];
    assert_eq!(
        (l1.mode, l1.short_name.as_deref(), l1.agency.as_deref()),
        (
            TransitMode::Metro,
            Some("1"),
            Some("Sistema de Transporte Colectivo Metro")
        )
    );
    assert!(r
        .notes
        .iter()
        .any(|n| n.contains("3 points are served by no trip")));
}

/// Writes files into a fresh folder named `name` inside a temporary directory.
fn feed_dir(name: &str, files: &[(&str, &[u8])]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(name);
    std::fs::create_dir(&dir).unwrap();
    for (file, bytes) in files {
        std::fs::write(dir.join(file), bytes).unwrap();
    }
    (tmp, dir)
}

/// Zips files in memory (deflated).
fn feed_zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        w.start_file(*name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

const AGENCY: &[u8] =
    b"agency_id,agency_name,agency_url,agency_timezone\nA,Autobuses,http://a,America/Mexico_City\n";
const ROUTES: &[u8] = b"route_id,agency_id,route_short_name,route_long_name,route_type\nR1,A,1,Centro - Norte,3\nR2,A,2,,1\n";
const TRIPS: &[u8] =
    b"route_id,service_id,trip_id,direction_id\nR1,WK,T1,0\nR1,WK,T2,0\nR1,WK,T3,1\nR2,WK,T4,0\n";
const STOPS: &[u8] = b"stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n\
S1,Uno,14.90,-92.26,0,\nS2,Dos,14.91,-92.27,0,ST\nST,Estacion,14.911,-92.271,1,\n";
const STOP_TIMES: &[u8] = b"trip_id,arrival_time,departure_time,stop_id,stop_sequence\n\
T1,07:00:00,07:00:00,S1,1\nT1,07:10:00,07:10:00,S2,2\n\
T2,07:20:00,07:20:00,S1,1\nT2,07:30:00,07:30:00,S2,2\n\
T3,07:05:00,07:05:00,S2,1\nT3,07:15:00,07:15:00,S1,2\n\
T4,08:00:00,08:00:00,S1,1\n";
const CALENDAR: &[u8] = b"service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20240101,20241231\n";

fn good_files() -> Vec<(&'static str, &'static [u8])> {
    vec![
        ("agency.txt", AGENCY),
        ("routes.txt", ROUTES),
        ("trips.txt", TRIPS),
        ("stops.txt", STOPS),
        ("stop_times.txt", STOP_TIMES),
        ("calendar.txt", CALENDAR),
    ]
}

fn with(
    files: &[(&'static str, &'static [u8])],
    name: &'static str,
    bytes: &'static [u8],
) -> Vec<(&'static str, &'static [u8])> {
    let mut out: Vec<_> = files.iter().filter(|(n, _)| *n != name).copied().collect();
    out.push((name, bytes));
    out
}

fn read_files(files: &[(&str, &[u8])]) -> Result<Outcome<TransitPoint>, IngestError> {
    let (_tmp, dir) = feed_dir("feed", files);
    gtfs::read_dir(&dir, Countries::corridor())
}

#[test]
fn a_small_feed_as_folder_and_zip() {
    let (_tmp, dir) = feed_dir("tapachula", &good_files());
    let from_dir = gtfs::read_dir(&dir, Countries::corridor()).unwrap();
    check_invariants(&from_dir);
    let r = &from_dir.report;
    assert_eq!((r.records, r.accepted, r.skipped.len()), (3, 2, 1));
    let s1 = point(&from_dir, "S1");
    assert_eq!(s1.key.source, "tapachula");
    assert_eq!(
        s1.kind,
        TransitKind::MetroStation,
        "served by the metro line R2"
    );
    // Line R2 (metro) first; R1's two directions each run every 20 min at S1: 07:00, 07:20
    // one way, 07:15 the other — the gap across directions (5 min) is not a headway.
    assert_eq!(lines(s1), [("R2", None), ("R1", Some(1200))]);
    assert_eq!(s1.routes[1].long_name.as_deref(), Some("Centro - Norte"));
    assert_eq!(s1.routes[0].name(), "2");
    let st = point(&from_dir, "ST");
    assert_eq!(st.kind, TransitKind::BusStop);
    assert_eq!(lines(st), [("R1", Some(1200))]);
    assert_eq!(st.country.as_deref(), Some("MEX"));

    let zipped = Input::from_bytes("uploads/tapachula.zip", feed_zip(&good_files())).unwrap();
    let from_zip = gtfs::read_zip(&zipped, Countries::corridor()).unwrap();
    let records = |o: &Outcome<TransitPoint>| o.records.clone();
    assert_eq!(records(&from_zip), records(&from_dir));
    // The dispatcher reads a zip as transit, and detects it.
    assert_eq!(
        detect_kind(&zipped, Countries::corridor()).unwrap(),
        RecordKind::Transit
    );
    match senda_ingest::read(RecordKind::Transit, &zipped, Countries::corridor()).unwrap() {
        Records::Transit(o) => assert_eq!(o.records, from_zip.records),
        _ => panic!("not transit"),
    }
    assert!(gtfs::is_feed_dir(&dir));
    assert!(!gtfs::is_feed_dir(dir.parent().unwrap()));
}

#[test]
fn feeds_in_a_folder_inside_the_zip_are_found() {
    let files: Vec<(String, &[u8])> = good_files()
        .into_iter()
        .map(|(n, b)| (format!("gtfs_2024/{n}"), b))
        .collect();
    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), *b)).collect();
    let input = Input::from_bytes("feed.zip", feed_zip(&files)).unwrap();
    let out = gtfs::read_zip(&input, Countries::corridor()).unwrap();
    assert_eq!(out.report.accepted, 2);
}

#[test]
fn missing_required_files_and_columns_are_errors_naming_them() {
    for missing in ["stops.txt", "routes.txt", "trips.txt", "stop_times.txt"] {
        let files: Vec<_> = good_files()
            .into_iter()
            .filter(|(n, _)| *n != missing)
            .collect();
        match read_files(&files) {
            Err(e @ IngestError::Gtfs { .. }) => {
                let msg = e.to_string();
                assert!(msg.contains(&format!("{missing} is missing")), "{msg}");
            }
            other => panic!("{missing}: {other:?}"),
        }
    }
    // agency.txt is required by the specification, but lines without agency names are still
    // lines: a note.
    let files: Vec<_> = good_files()
        .into_iter()
        .filter(|(n, _)| *n != "agency.txt")
        .collect();
    let out = read_files(&files).unwrap();
    assert!(out
        .report
        .notes
        .iter()
        .any(|n| n.starts_with("agency.txt is missing")));
    assert!(out
        .records
        .iter()
        .all(|l| l.record.routes.iter().all(|r| r.agency.is_none())));

    for (file, bytes, column) in [
        (
            "stops.txt",
            &b"stop_id,stop_name,stop_lon\nS1,Uno,-92.26\n"[..],
            "stop_lat",
        ),
        (
            "routes.txt",
            b"route_id,route_short_name\nR1,1\n",
            "route_type",
        ),
        ("trips.txt", b"route_id,trip_id\nR1,T1\n", "service_id"),
        (
            "stop_times.txt",
            b"trip_id,stop_id,arrival_time\nT1,S1,07:00:00\n",
            "stop_sequence",
        ),
    ] {
        let err = read_files(&with(&good_files(), file, bytes)).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("{file} has no {column} column")),
            "{msg}"
        );
    }
    // An empty folder, a zip with no feed.
    let err = read_files(&[]).unwrap_err().to_string();
    assert!(
        err.contains("stops.txt is missing") && err.contains("found: no files"),
        "{err}"
    );
    let input = Input::from_bytes("x.zip", feed_zip(&[("readme.md", b"hi")])).unwrap();
    assert!(matches!(
        detect_kind(&input, Countries::corridor()),
        Err(IngestError::UnknownFormat { .. })
    ));
    assert!(matches!(
        gtfs::read_zip(&input, Countries::corridor()),
        Err(IngestError::Gtfs { .. })
    ));
    let not_zip = Input::from_bytes("x.zip", b"PK\x03\x04garbage".to_vec()).unwrap();
    assert!(matches!(
        gtfs::read_zip(&not_zip, Countries::corridor()),
        Err(IngestError::Zip { .. })
    ));
}

#[test]
fn bad_stops_are_rejected_naming_field_and_line() {
    let stops: &[u8] = b"stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n\
S1,Uno,14.90,-92.26,,\n\
S2,Sin latitud,,-92.26,,\n\
S3,Texto,abc,-92.26,,\n\
S4,Volteada,-92.26,14.90,,\n\
S5,Cero,0,0,,\n\
S1,Repetida,14.9,-92.26,,\n\
S6,,14.9,-92.26,,\n\
E1,Entrada,14.9,-92.26,2,\n\
S7,Rara,14.9,-92.26,9,\n\
S8,Huerfana,14.9,-92.26,0,NOPE\n\
S9,Hija de parada,14.9,-92.26,0,S1\n\
,Sin id,14.9,-92.26,,\n";
    let out = read_files(&with(&good_files(), "stops.txt", stops)).unwrap();
    check_invariants(&out);
    let r = &out.report;
    let rejected: Vec<(u64, &str, &str)> = r
        .rejected
        .iter()
        .map(|i| {
            (
                i.at.line.unwrap(),
                i.field.as_deref().unwrap(),
                i.reason.as_str(),
            )
        })
        .collect();
    let fields: Vec<(u64, &str)> = rejected.iter().map(|(l, f, _)| (*l, *f)).collect();
    assert_eq!(
        fields,
        [
            (3, "stop_lat"),
            (4, "stop_lat"),
            (5, "stop_lat"),
            (6, "stop_lon"),
            (7, "stop_id"),
            (8, "stop_name"),
            (10, "location_type"),
            (13, "stop_id"),
        ]
    );
    assert!(rejected[0].2.contains("missing"));
    assert!(rejected[1].2.contains("\"abc\" is not a number"));
    assert!(rejected[2].2.contains("look swapped"), "{}", rejected[2].2);
    assert!(rejected[3].2.contains("0,0 is a placeholder"));
    assert!(rejected[4].2.contains("first at line 2"));
    assert_eq!((r.skipped.len(), r.skipped[0].at.line), (1, Some(9)));
    assert!(r.skipped[0].reason.contains("entrance"));
    let flagged: Vec<(Option<u64>, &str)> = r
        .flagged
        .iter()
        .map(|i| (i.at.line, i.field.as_deref().unwrap()))
        .collect();
    assert!(flagged.contains(&(Some(11), "parent_station")));
    assert!(flagged.contains(&(Some(12), "parent_station")));
    assert!(r
        .flagged
        .iter()
        .any(|i| i.reason.contains("\"S1\" is not a station")));
    // Stop times naming the rejected S2 are flagged, not fatal.
    assert!(r
        .flagged
        .iter()
        .any(|i| i.field.as_deref() == Some("stop_times.txt:stop_id")
            && i.source_id.as_deref() == Some("S2")));
    assert_eq!(r.accepted, 3); // S1, S8, S9
}

#[test]
fn dangling_ids_in_other_files_are_flagged_with_file_line_and_field() {
    let files = with(
        &with(
            &good_files(),
            "trips.txt",
            b"route_id,service_id,trip_id\nR1,WK,T1\nR9,WK,T2\nR1,WK,T1\nR2,WK,T3\nR1,WK,T4\n",
        ),
        "stop_times.txt",
        b"trip_id,arrival_time,departure_time,stop_id,stop_sequence\n\
T1,07:00:00,07:00:00,S1,1\nT2,07:00:00,07:00:00,S1,1\nTX,07:00:00,07:00:00,S1,1\n\
T3,07:00:00,07:00:00,SX,1\nT4,7h00,7h00,S1,1\nT3,07:30:00,07:30:00,S1,2\n",
    );
    let mut files = with(
        &files,
        "routes.txt",
        b"route_id,agency_id,route_short_name,route_type\nR1,ZZ,1,3\nR2,A,2,99\nR1,A,1b,3\n",
    );
    files.push(("frequencies.txt", b"trip_id,start_time,end_time,headway_secs\nT1,06:00:00,09:00:00,600\nTY,06:00:00,09:00:00,600\nT1,6am,09:00:00,600\nT1,06:00:00,09:00:00,0\n"));
    let out = read_files(&files).unwrap();
    check_invariants(&out);
    let got: Vec<(String, u64, Option<&str>)> = out
        .report
        .flagged
        .iter()
        .map(|i| {
            (
                i.field.clone().unwrap(),
                i.at.line.unwrap(),
                i.source_id.as_deref(),
            )
        })
        .collect();
    let want: Vec<(String, u64, Option<&str>)> = [
        ("routes.txt:agency_id", 2, Some("R1")),
        ("routes.txt:route_type", 3, Some("R2")),
        ("routes.txt:route_id", 4, Some("R1")),
        ("trips.txt:route_id", 3, Some("T2")),
        ("trips.txt:trip_id", 4, Some("T1")),
        ("frequencies.txt:trip_id", 3, Some("TY")),
        ("frequencies.txt:start_time", 4, Some("T1")),
        ("frequencies.txt:headway_secs", 5, Some("T1")),
        ("stop_times.txt:trip_id", 4, Some("TX")),
        ("stop_times.txt:stop_id", 5, Some("SX")),
        ("stop_times.txt:departure_time", 6, Some("T4")),
    ]
    .into_iter()
    .map(|(f, l, s)| (f.to_owned(), l, s))
    .collect();
    assert_eq!(got, want);
    for i in &out.report.flagged {
        let file = i.field.as_deref().unwrap().split(':').next().unwrap();
        assert!(
            i.reason
                .starts_with(&format!("{file} line {}", i.at.line.unwrap())),
            "{}",
            i.reason
        );
    }
    // R2's unknown route_type: kept as "other"; T1's frequency gives R1 its 10 min at S1.
    let s1 = point(&out, "S1");
    assert_eq!(lines(s1), [("R1", Some(600)), ("R2", None)]);
    assert_eq!(s1.routes[1].mode, TransitMode::Other);
    assert_eq!(s1.routes[0].agency, None);
}

#[test]
fn issues_past_the_listing_cap_are_counted() {
    let mut st = b"trip_id,arrival_time,departure_time,stop_id,stop_sequence\n".to_vec();
    for i in 0..(gtfs::MAX_LISTED + 50) {
        st.extend_from_slice(format!("T1,07:00:00,07:00:00,NOPE{i},1\n").as_bytes());
    }
    let st: &'static [u8] = Box::leak(st.into_boxed_slice());
    let out = read_files(&with(&good_files(), "stop_times.txt", st)).unwrap();
    assert_eq!(out.report.flagged.len(), gtfs::MAX_LISTED);
    assert!(out
        .report
        .notes
        .iter()
        .any(|n| n == "50 more issues in stop_times.txt not listed (the first 200 are)"));
}

#[test]
fn byte_order_marks_and_windows_1252_decode() {
    let mut stops = b"\xEF\xBB\xBFstop_id,stop_name,stop_lat,stop_lon\n".to_vec();
    stops.extend_from_slice(b"S1,Estaci\xF3n Tapachula,14.90,-92.26\nS2,Dos,14.91,-92.27\n");
    let stops: &'static [u8] = Box::leak(stops.into_boxed_slice());
    let routes: &[u8] = b"\xEF\xBB\xBFroute_id,route_short_name,route_type\nR1,Ca\xF1ada,3\n";
    let files = with(
        &with(&good_files(), "stops.txt", stops),
        "routes.txt",
        routes,
    );
    let out = read_files(&files).unwrap();
    let s1 = point(&out, "S1");
    assert_eq!(s1.name, "Estación Tapachula");
    assert_eq!(s1.routes[0].name(), "Cañada");
    assert_eq!(
        s1.routes[0].agency.as_deref(),
        Some("Autobuses"),
        "the only agency"
    );
    assert!(out
        .report
        .notes
        .iter()
        .any(|n| n.contains("stops.txt: 1 fields were not valid UTF-8")));
    // UTF-16 with a byte-order mark.
    let text = "stop_id,stop_name,stop_lat,stop_lon\nS1,Ñandú,14.9,-92.26\n";
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let utf16: &'static [u8] = Box::leak(utf16.into_boxed_slice());
    let out = read_files(&with(&good_files(), "stops.txt", utf16)).unwrap();
    assert_eq!(point(&out, "S1").name, "Ñandú");
    assert!(out.report.notes.iter().any(|n| n.contains("UTF-16")));
}

#[test]
fn headways_use_the_reference_weekday_and_the_day_window() {
    // WK runs Monday to Friday, SU on Sunday only; Sunday trips every 5 min must not count.
    let calendar: &[u8] = b"service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n\
WK,1,1,1,1,1,0,0,20240101,20241231\nSU,0,0,0,0,0,0,1,20240101,20241231\n";
    let trips: &[u8] =
        b"route_id,service_id,trip_id\nR1,WK,A\nR1,WK,B\nR1,WK,C\nR1,WK,N\nR1,SU,X\nR1,SU,Y\n";
    let st: &[u8] = b"trip_id,departure_time,stop_id,stop_sequence\n\
A,06:00:00,S1,1\nB,06:30:00,S1,1\nC,07:30:00,S1,1\nN,21:00:00,S1,1\nX,06:05:00,S1,1\nY,06:10:00,S1,1\n";
    let files = with(
        &with(
            &with(&good_files(), "calendar.txt", calendar),
            "trips.txt",
            trips,
        ),
        "stop_times.txt",
        st,
    );
    let out = read_files(&files).unwrap();
    // Gaps 30 and 60 min (21:00 is outside the window): median of two = 45 min.
    assert_eq!(lines(point(&out, "S1")), [("R1", Some(2700))]);
    assert!(out
        .report
        .notes
        .iter()
        .any(|n| n.starts_with("headways: Monday (4 trips)")));
    // A service known only from calendar_dates.txt (2024-06-02 is a Sunday).
    let dates: &[u8] = b"service_id,date,exception_type\nSU2,20240602,1\n";
    let trips: &[u8] = b"route_id,service_id,trip_id\nR1,SU2,A\nR1,SU2,B\n";
    let st: &[u8] =
        b"trip_id,departure_time,stop_id,stop_sequence\nA,08:00:00,S1,1\nB,08:15:00,S1,1\n";
    let files: Vec<_> = with(
        &with(&good_files(), "trips.txt", trips),
        "stop_times.txt",
        st,
    )
    .into_iter()
    .filter(|(n, _)| *n != "calendar.txt")
    .chain([("calendar_dates.txt", dates)])
    .collect();
    let out = read_files(&files).unwrap();
    assert_eq!(lines(point(&out, "S1")), [("R1", Some(900))]);
    assert!(out
        .report
        .notes
        .iter()
        .any(|n| n.starts_with("headways: Sunday (2 trips)")));
    // Stop times without times (stop order only): no headway.
    let st: &[u8] =
        b"trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,,,S1,1\nT2,,,S1,1\n";
    let out = read_files(&with(&good_files(), "stop_times.txt", st)).unwrap();
    assert_eq!(lines(point(&out, "S1")), [("R1", None)]);
}

#[test]
fn zip_entries_past_the_cap_are_refused() {
    let zeros = vec![b'0'; 2 << 20];
    let zeros: &'static [u8] = Box::leak(zeros.into_boxed_slice());
    let files = with(&good_files(), "stop_times.txt", zeros);
    let input = Input::from_bytes("bomb.zip", feed_zip(&files)).unwrap();
    assert!(input.bytes.len() < 64 << 10, "deflated zeros are small");
    let options = GtfsOptions {
        max_entry_bytes: 1 << 20,
    };
    match gtfs::read_zip_with(&input, Countries::corridor(), &options) {
        Err(e @ IngestError::TooLarge { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains("bomb.zip: stop_times.txt") && msg.contains("1048576"),
                "{msg}"
            );
        }
        other => panic!("{other:?}"),
    }
    // A folder's files are capped the same way.
    let (_tmp, dir) = feed_dir("big", &files);
    assert!(matches!(
        gtfs::read_dir_with(&dir, Countries::corridor(), &options),
        Err(IngestError::TooLarge { .. })
    ));
}

fn zip_with_text(stops: &str, stop_times: &str) -> Vec<u8> {
    let mut files = good_files();
    files.retain(|(n, _)| *n != "stops.txt" && *n != "stop_times.txt");
    let (a, b) = (stops.as_bytes().to_vec(), stop_times.as_bytes().to_vec());
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, bytes) in files
        .iter()
        .map(|(n, b)| (*n, *b))
        .chain([("stops.txt", &a[..]), ("stop_times.txt", &b[..])])
    {
        w.start_file(name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let mut data = b"PK\x03\x04".to_vec();
        data.extend_from_slice(&bytes);
        let input = Input::from_bytes("fuzz.zip", data).unwrap();
        let _ = gtfs::read_zip(&input, Countries::corridor());
        let _ = detect_kind(&input, Countries::corridor());
        let input = Input::from_bytes("fuzz.zip", bytes).unwrap();
        let _ = gtfs::read_zip(&input, Countries::corridor());
    }

    #[test]
    fn arbitrary_feed_text_keeps_the_report_whole(
        stops in "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n[ -~\n,\"]{0,300}",
        stop_times in "trip_id,departure_time,stop_id,stop_sequence\n[ -~\n,\"]{0,300}",
    ) {
        let input = Input::from_bytes("fuzz.zip", zip_with_text(&stops, &stop_times)).unwrap();
        if let Ok(out) = gtfs::read_zip(&input, Countries::corridor()) {
            let r = &out.report;
            prop_assert_eq!(r.records, r.accepted + r.rejected.len() as u64 + r.skipped.len() as u64);
            prop_assert_eq!(r.accepted as usize, out.records.len());
        }
    }

    #[test]
    fn a_damaged_zip_never_panics(cut in 0usize..4000, flip in 0usize..4000) {
        let mut bytes = feed_zip(&good_files());
        let n = bytes.len();
        bytes[flip % n] ^= 0x5a;
        bytes.truncate(cut % (n + 1));
        let input = Input::from_bytes("damaged.zip", bytes).unwrap();
        let _ = gtfs::read_zip(&input, Countries::corridor());
    }
}
