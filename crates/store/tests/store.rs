use chrono::{TimeZone, Utc};
use senda_core::{
    AlertArea, AlertText, CapCertainty, CapSeverity, CapUrgency, Incident, IncidentCategory,
    Located, LonLat, RecordRef, RoadClass, RoadSegment, Shelter, ShelterKind, SourceKey,
    WeatherAlert,
};
use senda_store::{Kind, Query, Store, StoreError};

fn incident(id: &str, lon: f64, lat: f64, day: u32) -> Incident {
    Incident::new(
        SourceKey::new("iom-mmp", id).unwrap(),
        LonLat::new(lon, lat).unwrap(),
        Utc.with_ymd_and_hms(2020, 1, day, 0, 0, 0).unwrap(),
        IncidentCategory::Violence,
        1,
    )
    .unwrap()
}

fn batch(records: Vec<Incident>) -> Vec<Located<Incident>> {
    records
        .into_iter()
        .enumerate()
        .map(|(i, r)| Located::new(r, RecordRef::new(i as u64, Some(i as u64 + 2))))
        .collect()
}

fn noop() -> impl FnMut(u64) {
    |_| {}
}

#[test]
fn ingest_is_idempotent_and_updates_corrected_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("senda.db");
    let mut store = Store::open(&path).unwrap();
    let first = batch(vec![
        incident("a", -92.0, 15.0, 1),
        incident("b", -93.0, 16.0, 2),
    ]);
    let s1 = store
        .ingest("a.csv", "test", &first, 1, &mut noop())
        .unwrap();
    assert_eq!((s1.inserted, s1.updated, s1.unchanged), (2, 0, 0));

    let rows_before: Vec<_> = store.load::<Incident>(&Query::all()).unwrap();
    let s2 = store
        .ingest("a.csv", "test", &first, 1, &mut noop())
        .unwrap();
    assert_eq!((s2.inserted, s2.updated, s2.unchanged), (0, 0, 2));
    let rows_after: Vec<_> = store.load::<Incident>(&Query::all()).unwrap();
    assert_eq!(
        rows_before, rows_after,
        "loading the same file twice leaves the same rows"
    );

    // A corrected record (new people count) updates its row; a new one is inserted.
    let mut corrected = incident("b", -93.0, 16.0, 2);
    corrected.people_affected = 3;
    let s3 = store
        .ingest(
            "a-fixed.csv",
            "test",
            &batch(vec![corrected.clone(), incident("c", -94.0, 17.0, 3)]),
            0,
            &mut noop(),
        )
        .unwrap();
    assert_eq!((s3.inserted, s3.updated, s3.unchanged), (1, 1, 0));
    assert_eq!(store.count(Kind::Incidents).unwrap(), 3);
    let b = store
        .load::<Incident>(&Query::all())
        .unwrap()
        .into_iter()
        .find(|s| s.record.key.source_id == "b")
        .unwrap();
    assert_eq!(b.record, corrected);
    assert_eq!(b.provenance.file, "a-fixed.csv");
    assert_eq!(
        (
            b.provenance.record,
            b.provenance.line,
            b.provenance.revision
        ),
        (0, Some(2), 1)
    );

    let batches = store.batches().unwrap();
    assert_eq!(batches.len(), 3);
    assert_eq!(batches[0].rejected, 1);
    assert_eq!((batches[2].inserted, batches[2].updated), (1, 1));

    // Durable: a fresh connection sees the same rows.
    drop(store);
    let reopened = Store::open(&path).unwrap();
    assert_eq!(reopened.count(Kind::Incidents).unwrap(), 3);
    assert_eq!(
        reopened.schema_version().unwrap(),
        Store::supported_schema_version()
    );
}

#[test]
fn queries_by_bbox_and_time_window() {
    let mut store = Store::open_in_memory().unwrap();
    let recs = batch(vec![
        incident("tapachula", -92.27, 14.90, 1),
        incident("cdmx", -99.13, 19.43, 10),
        incident("tijuana", -117.0, 32.5, 20),
    ]);
    store
        .ingest("x.csv", "test", &recs, 0, &mut noop())
        .unwrap();
    let ids = |q: &Query| -> Vec<String> {
        store
            .load::<Incident>(q)
            .unwrap()
            .into_iter()
            .map(|s| s.record.key.source_id)
            .collect()
    };
    assert_eq!(
        ids(&Query::bbox([-100.0, 14.0, -90.0, 20.0])),
        ["tapachula", "cdmx"]
    );
    assert_eq!(ids(&Query::bbox([-118.0, 32.0, -116.0, 33.0])), ["tijuana"]);
    assert!(ids(&Query::bbox([0.0, 0.0, 1.0, 1.0])).is_empty());
    let jan = |d| Utc.with_ymd_and_hms(2020, 1, d, 0, 0, 0).unwrap();
    assert_eq!(ids(&Query::window(jan(5), jan(15))), ["cdmx"]);
    assert_eq!(ids(&Query::window(jan(1), jan(1))), ["tapachula"]);
    let both = Query {
        bbox: Some([-120.0, 10.0, -90.0, 40.0]),
        window: Some((jan(15), jan(31))),
    };
    assert_eq!(ids(&both), ["tijuana"]);
}

#[test]
fn every_kind_round_trips() {
    let mut store = Store::open_in_memory().unwrap();
    let p = |lon, lat| LonLat::new(lon, lat).unwrap();
    let road = RoadSegment::new(
        SourceKey::new("osm", "way/1").unwrap(),
        RoadClass::Primary,
        vec![p(1.5, 42.5), p(1.51, 42.52)],
    )
    .unwrap();
    store
        .ingest(
            "r.pbf",
            "osm-pbf",
            &[Located::new(road.clone(), RecordRef::default())],
            0,
            &mut noop(),
        )
        .unwrap();
    let shelter = Shelter::new(
        SourceKey::new("list", "s1").unwrap(),
        ShelterKind::Shelter,
        "Casa",
        p(-92.26, 14.9),
    )
    .unwrap();
    store
        .ingest(
            "s.csv",
            "senda",
            &[Located::new(shelter.clone(), RecordRef::default())],
            0,
            &mut noop(),
        )
        .unwrap();

    let sent = Utc.with_ymd_and_hms(2014, 12, 2, 0, 0, 0).unwrap();
    let alert = WeatherAlert {
        key: SourceKey::new("smn.cna.gob.mx", "avisos-1").unwrap(),
        sent,
        status: "Actual".into(),
        msg_type: "Alert".into(),
        categories: vec!["Met".into()],
        severity: CapSeverity::Severe,
        urgency: CapUrgency::Expected,
        certainty: CapCertainty::Likely,
        effective: None,
        onset: None,
        expires: Some(sent + chrono::Duration::hours(12)),
        texts: vec![AlertText {
            language: "es".into(),
            event: "Frente frío".into(),
            headline: None,
            description: None,
            instruction: None,
        }],
        areas: vec![AlertArea::new(
            "Ver.".into(),
            vec![vec![
                p(-95.3, 18.5),
                p(-95.4, 16.3),
                p(-93.6, 16.1),
                p(-95.3, 18.5),
            ]],
            vec![],
        )
        .unwrap()],
    };
    store
        .ingest(
            "a.xml",
            "cap-atom",
            &[Located::new(alert.clone(), RecordRef::default())],
            0,
            &mut noop(),
        )
        .unwrap();

    assert_eq!(
        store.load::<RoadSegment>(&Query::all()).unwrap()[0].record,
        road
    );
    assert_eq!(
        store.load::<Shelter>(&Query::all()).unwrap()[0].record,
        shelter
    );
    assert_eq!(
        store.load::<WeatherAlert>(&Query::all()).unwrap()[0].record,
        alert
    );
    // The alert's window: included while active, excluded after expiry; bbox from its polygon.
    let during = Query::window(
        sent + chrono::Duration::hours(1),
        sent + chrono::Duration::hours(2),
    );
    assert_eq!(store.load::<WeatherAlert>(&during).unwrap().len(), 1);
    let after = Query::window(
        sent + chrono::Duration::days(2),
        sent + chrono::Duration::days(3),
    );
    assert!(store.load::<WeatherAlert>(&after).unwrap().is_empty());
    assert!(store
        .load::<WeatherAlert>(&Query::bbox([-90.0, 10.0, -89.0, 11.0]))
        .unwrap()
        .is_empty());
    // Timeless records match every window.
    assert_eq!(store.load::<RoadSegment>(&after).unwrap().len(), 1);
    assert!(!store.is_empty().unwrap());
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.db");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    match Store::open(&path) {
        Err(StoreError::NewerSchema { found: 99, .. }) => {}
        other => panic!("expected NewerSchema, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_failed_batch_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("senda.db");
    let mut store = Store::open(&path).unwrap();
    store
        .ingest(
            "a.csv",
            "t",
            &batch(vec![incident("a", -92.0, 15.0, 1)]),
            0,
            &mut noop(),
        )
        .unwrap();
    // A second connection holds the write lock, so the next batch fails part-way (busy):
    // nothing of it may remain.
    let blocker = rusqlite::Connection::open(&path).unwrap();
    blocker
        .busy_timeout(std::time::Duration::from_millis(0))
        .unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut short = Store::open(&path);
    // Opening may itself wait on the lock; either outcome is fine as long as no data changes.
    if let Ok(s) = short.as_mut() {
        s.set_busy_timeout(std::time::Duration::from_millis(50))
            .unwrap();
        let _ = s.ingest(
            "b.csv",
            "t",
            &batch(vec![incident("b", -93.0, 16.0, 2)]),
            0,
            &mut noop(),
        );
    }
    blocker.execute_batch("ROLLBACK").unwrap();
    drop(short);
    let after = Store::open(&path).unwrap();
    let ids: Vec<_> = after
        .load::<Incident>(&Query::all())
        .unwrap()
        .into_iter()
        .map(|s| s.record.key.source_id)
        .collect();
    assert!(ids == ["a"] || ids == ["a", "b"], "{ids:?}");
    assert_eq!(after.batches().unwrap().len(), ids.len());
}

#[test]
fn large_mixed_batches_count_new_updated_and_unchanged_exactly() {
    let mut store = Store::open_in_memory().unwrap();
    // 100 records (several insert chunks), then a batch mixing 40 unchanged, 30 corrected,
    // 50 new, and an in-batch duplicate of a new key with identical content.
    let first: Vec<Incident> = (0..100)
        .map(|i| incident(&format!("k{i}"), -92.0, 15.0, 1 + (i % 28) as u32))
        .collect();
    let s1 = store
        .ingest("a.csv", "t", &batch(first.clone()), 0, &mut noop())
        .unwrap();
    assert_eq!((s1.inserted, s1.updated, s1.unchanged), (100, 0, 0));
    let mut second = Vec::new();
    for (i, rec) in first.iter().enumerate().take(70) {
        let mut r = rec.clone();
        if i >= 40 {
            r.people_affected = 7;
        }
        second.push(r);
    }
    for i in 100..150 {
        second.push(incident(&format!("k{i}"), -93.0, 16.0, 3));
    }
    second.push(incident("k120", -93.0, 16.0, 3));
    let s2 = store
        .ingest("b.csv", "t", &batch(second), 0, &mut noop())
        .unwrap();
    assert_eq!((s2.inserted, s2.updated, s2.unchanged), (50, 30, 41));
    assert_eq!(store.count(Kind::Incidents).unwrap(), 150);
    let corrected = store
        .load::<Incident>(&Query::all())
        .unwrap()
        .into_iter()
        .filter(|s| s.record.people_affected == 7)
        .map(|s| (s.provenance.file, s.provenance.revision))
        .collect::<Vec<_>>();
    assert_eq!(corrected.len(), 30);
    assert!(corrected.iter().all(|(f, r)| f == "b.csv" && *r == 1));
}

fn token_row(id: &str, expires_at: Option<chrono::DateTime<Utc>>) -> senda_store::TokenRow {
    senda_store::TokenRow {
        token_id: id.to_owned(),
        role: "analyst".to_owned(),
        salt: vec![1; 16],
        hash: vec![2; 32],
        expires_at,
    }
}

#[test]
fn tokens_are_listed_revoked_and_keep_their_expiry() {
    let mut store = Store::open_in_memory().unwrap();
    let expires = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    store.add_token(&token_row("aaaa", None)).unwrap();
    store.add_token(&token_row("bbbb", Some(expires))).unwrap();
    assert_eq!(
        store.token("bbbb").unwrap().unwrap().expires_at,
        Some(expires)
    );
    assert_eq!(store.live_tokens().unwrap().len(), 2);

    let used = Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).unwrap();
    store.touch_tokens(&[("aaaa".to_owned(), used)]).unwrap();
    let revoked_at = Utc.with_ymd_and_hms(2026, 5, 2, 0, 0, 0).unwrap();
    assert!(store.revoke_token("bbbb", revoked_at).unwrap());
    // Twice, or an unknown id: nothing to revoke.
    assert!(!store.revoke_token("bbbb", revoked_at).unwrap());
    assert!(!store.revoke_token("cccc", revoked_at).unwrap());

    // A revoked token is not found for authentication and not in the server's table...
    assert_eq!(store.token("bbbb").unwrap(), None);
    let live: Vec<_> = store.live_tokens().unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].token_id, "aaaa");
    // ... but stays listed, with its times.
    let list = store.tokens().unwrap();
    assert_eq!(list.len(), 2);
    let a = list.iter().find(|t| t.token_id == "aaaa").unwrap();
    let b = list.iter().find(|t| t.token_id == "bbbb").unwrap();
    assert_eq!(
        (a.last_used_at, a.revoked_at, a.expires_at),
        (Some(used), None, None)
    );
    assert_eq!(
        (b.revoked_at, b.expires_at),
        (Some(revoked_at), Some(expires))
    );
    assert!(b.created_at > Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap());
}

#[test]
fn a_version_2_database_keeps_its_tokens_after_the_token_lifetime_migration() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.db");
    {
        // The version-2 token table as it shipped, with one token in it.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE api_tokens (token_id TEXT PRIMARY KEY, role TEXT NOT NULL,
                 salt BLOB NOT NULL, hash BLOB NOT NULL, created_at TEXT NOT NULL);
             INSERT INTO api_tokens VALUES ('old1', 'admin', x'00', x'01',
                 '2025-01-01T00:00:00+00:00');
             PRAGMA user_version = 2;",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        Store::supported_schema_version()
    );
    let row = store.token("old1").unwrap().unwrap();
    assert_eq!((row.role.as_str(), row.expires_at), ("admin", None));
    let list = store.tokens().unwrap();
    assert_eq!(
        list[0].created_at,
        Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()
    );
}
