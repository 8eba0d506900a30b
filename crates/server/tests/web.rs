//! The map page's routes in process: embedded files, glyphs, the basemap, tiles as of a date,
//! and offline packs with HTTP ranges.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use senda_core::{Incident, IncidentCategory, Located, LonLat, RecordRef, SourceKey};
use senda_server::{app, AppState, ServerConfig};
use senda_store::Store;
use senda_tiles::{Basemap, BasemapSources, Layer};
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

fn located<T>(v: Vec<T>) -> Vec<Located<T>> {
    v.into_iter()
        .enumerate()
        .map(|(i, r)| Located::new(r, RecordRef::new(i as u64, None)))
        .collect()
}

const COUNTRY: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
    "properties":{"name":"Testland","iso_a3":"TST"},"geometry":{"type":"Polygon",
    "coordinates":[[[-93,14],[-91,14],[-91,16],[-93,16],[-93,14]]]}}]}"#;
const EMPTY: &str = r#"{"type":"FeatureCollection","features":[]}"#;

fn state(config: ServerConfig, dir: &tempfile::TempDir) -> Arc<AppState> {
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    let roads = senda_testkit::gen::road_like_graph(300, 3);
    store
        .ingest("roads", "test", &located(roads), 0, &mut |_| {})
        .unwrap();
    let incident = Incident::new(
        SourceKey::new("test", "inc-1").unwrap(),
        LonLat::new(-92.27, 14.9).unwrap(),
        "2014-10-01T00:00:00Z".parse().unwrap(),
        IncidentCategory::Violence,
        1,
    )
    .unwrap();
    store
        .ingest(
            "incidents",
            "test",
            &located(vec![incident]),
            0,
            &mut |_| {},
        )
        .unwrap();
    AppState::new(store, config).unwrap()
}

async fn send(state: &Arc<AppState>, req: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let res = app(state.clone()).oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    (parts.status, parts.headers, bytes.to_vec())
}

async fn get(state: &Arc<AppState>, uri: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    send(state, Request::get(uri).body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn every_embedded_file_is_served_with_its_type_and_etag() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(ServerConfig::default(), &dir);
    for asset in senda_server::web::ASSETS {
        let uri = asset.path.replace(' ', "%20");
        let (status, headers, body) = get(&s, &uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(headers["content-type"], asset.content_type, "{uri}");
        assert_eq!(body, asset.bytes, "{uri}");
        let etag = headers["etag"].clone();
        let req = Request::get(&uri)
            .header("if-none-match", etag)
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&s, req).await.0, StatusCode::NOT_MODIFIED, "{uri}");
    }
    let (_, _, page) = get(&s, "/").await;
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("/app.js") && page.contains("/vendor/maplibre-gl.css"));
}

#[tokio::test]
async fn glyphs_by_font_stack_and_range() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(ServerConfig::default(), &dir);
    let (status, _, body) = get(&s, "/fonts/DejaVu%20Sans%20Book/0-255.pbf").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.len() > 10_000);
    // A stack: the first font that has the range.
    let (status, _, _) = get(&s, "/fonts/Nope,DejaVu%20Sans%20Book/256-511.pbf").await;
    assert_eq!(status, StatusCode::OK);
    // A range the font has no file for: an empty glyph set, not an error.
    let (status, _, body) = get(&s, "/fonts/DejaVu%20Sans%20Book/8192-8447.pbf").await;
    assert_eq!((status, body.len()), (StatusCode::OK, 0));
    let (status, _, body) = get(&s, "/fonts/Nope/0-255.pbf").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert!(v["message"].as_str().unwrap().contains("Nope"));
}

#[tokio::test]
async fn basemap_tiles_when_configured() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(ServerConfig::default(), &dir);
    let (status, _, _) = get(&s, "/tiles/basemap/5/7/14.mvt").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let basemap = Basemap::build(&BasemapSources {
        countries: COUNTRY.as_bytes(),
        states: EMPTY.as_bytes(),
        roads: EMPTY.as_bytes(),
        rail: EMPTY.as_bytes(),
        places: EMPTY.as_bytes(),
    })
    .unwrap();
    let config = ServerConfig {
        basemap: Some(Arc::new(basemap)),
        ..ServerConfig::default()
    };
    let dir2 = tempfile::tempdir().unwrap();
    let s = state(config, &dir2);
    let (status, headers, body) = get(&s, "/tiles/basemap/5/7/14.mvt").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers["content-type"],
        "application/vnd.mapbox-vector-tile"
    );
    let tile: senda_tiles::proto::Tile = prost::Message::decode(body.as_slice()).unwrap();
    assert_eq!(tile.layers[0].name, "countries");
    // Far away: nothing drawn.
    let (status, _, _) = get(&s, "/tiles/basemap/5/20/3.mvt").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = get(&s, "/tiles/basemap/5/7/14.png").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = get(&s, "/tiles/basemap/5/99/14.mvt").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn tiles_as_of_a_date() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    let token = senda_server::create_token(&mut store, senda_server::Role::Analyst, None).unwrap();
    drop(store);
    let s = state(ServerConfig::default(), &dir);
    // The one incident (1 October 2014) at the tile 8/62/117, seen by an analyst (the public
    // k rule would hide a single report): nothing before it, risk after it.
    let tile = |at: &str| {
        Request::get(format!("/tiles/risk/8/62/117.mvt?at={at}"))
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    let (before, _, _) = send(&s, tile("2014-09-01")).await;
    let (after, _, body) = send(&s, tile("2014-11-01")).await;
    assert_eq!(before, StatusCode::NO_CONTENT);
    assert_eq!(after, StatusCode::OK);
    let decoded: senda_tiles::proto::Tile = prost::Message::decode(body.as_slice()).unwrap();
    assert_eq!(decoded.layers[0].name, "risk");
    assert!(!decoded.layers[0].features.is_empty());
    let (status, _, body) = get(&s, "/tiles/risk/8/62/117.mvt?at=yesterday").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["details"]["parameter"], "at");
}

#[tokio::test]
async fn packs_are_listed_and_served_with_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(ServerConfig::default(), &dir);
    // No packs directory: an empty list and a JSON 404.
    let (status, _, body) = get(&s, "/api/v1/packs").await;
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["packs"].as_array().unwrap().len(), 0);
    assert_eq!(get(&s, "/packs/x.pmtiles").await.0, StatusCode::NOT_FOUND);

    let packs = tempfile::tempdir().unwrap();
    let config = ServerConfig {
        packs_dir: Some(packs.path().to_path_buf()),
        ..ServerConfig::default()
    };
    let dir2 = tempfile::tempdir().unwrap();
    let s = state(config, &dir2);
    let bbox = senda_tiles::Bbox::new(-92.4, 14.8, -92.1, 15.0).unwrap();
    let path = packs.path().join("tapachula.pmtiles");
    senda_tiles::export_pmtiles(
        &s.snapshot().tiles,
        &[Layer::Roads, Layer::Risk],
        &bbox,
        8..=10,
        &path,
        |_| {},
    )
    .unwrap();
    std::fs::write(packs.path().join("notes.txt"), "not a pack").unwrap();
    let size = std::fs::metadata(&path).unwrap().len();

    let (status, _, body) = get(&s, "/api/v1/packs").await;
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_slice(&body).unwrap();
    let list = v["packs"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{v}");
    assert_eq!(list[0]["name"], "tapachula");
    assert_eq!(list[0]["url"], "/packs/tapachula.pmtiles");
    assert_eq!(list[0]["bytes"], size);
    assert_eq!(
        (list[0]["minzoom"].as_u64(), list[0]["maxzoom"].as_u64()),
        (Some(8), Some(10))
    );
    let west = list[0]["bounds"][0].as_f64().unwrap();
    assert!((west - -92.4).abs() < 0.01, "{west}");

    let req = Request::get("/packs/tapachula.pmtiles")
        .header("range", "bytes=0-126")
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = send(&s, req).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(body.len(), 127);
    assert_eq!(&body[..7], b"PMTiles");
    assert_eq!(
        headers["content-range"],
        format!("bytes 0-126/{size}").as_str()
    );
    let (status, _, body) = get(&s, "/packs/tapachula.pmtiles").await;
    assert_eq!((status, body.len() as u64), (StatusCode::OK, size));
    assert_eq!(
        get(&s, "/packs/missing.pmtiles").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get(&s, "/packs/../t.db").await.0, StatusCode::NOT_FOUND);
}
