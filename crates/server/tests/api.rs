//! In-process tests: `app().oneshot(request)` on a small synthetic dataset.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use senda_core::{Incident, IncidentCategory, Shelter, ShelterKind, SourceKey, Visibility};
use senda_server::{app, AppState, Role, ServerConfig};
use senda_store::Store;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

const HIDDEN: &str = "Casa Oculta";
const HIDDEN_LON: &str = "-92.2613";

use senda_testkit::{ll, located};

struct Fixture {
    state: Arc<AppState>,
    analyst: String,
    ingest: String,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    let roads = senda_testkit::gen::road_like_graph(400, 7);
    store
        .ingest("roads", "test", &located(roads), 0, &mut |_| {})
        .unwrap();
    let mut hidden = Shelter::new(
        SourceKey::new("test", "hidden").unwrap(),
        ShelterKind::Shelter,
        HIDDEN,
        ll(-92.2613, 14.9088),
    )
    .unwrap();
    hidden.visibility = Visibility::Restricted;
    let open = Shelter::new(
        SourceKey::new("test", "open").unwrap(),
        ShelterKind::Shelter,
        "Albergue Abierto",
        ll(-92.2531, 14.9172),
    )
    .unwrap();
    store
        .ingest(
            "shelters",
            "test",
            &located(vec![hidden, open]),
            0,
            &mut |_| {},
        )
        .unwrap();
    let incident = Incident::new(
        SourceKey::new("test", "inc-1").unwrap(),
        ll(-92.2702, 14.8921),
        "2025-09-01T00:00:00Z".parse().unwrap(),
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
    let analyst = senda_server::create_token(&mut store, Role::Analyst).unwrap();
    let ingest = senda_server::create_token(&mut store, Role::Ingest).unwrap();
    let state = AppState::new(store, ServerConfig::default()).unwrap();
    Fixture {
        state,
        analyst,
        ingest,
        _dir: dir,
    }
}

async fn send(f: &Fixture, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let res = app(f.state.clone()).oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    (parts.status, parts.headers, bytes.to_vec())
}

async fn get(f: &Fixture, uri: &str, token: Option<&str>) -> (StatusCode, Value, String) {
    let mut req = Request::get(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let (status, headers, body) = send(f, req.body(Body::empty()).unwrap()).await;
    let cc = headers
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        status,
        serde_json::from_slice(&body).unwrap_or(Value::Null),
        cc,
    )
}

fn is_error(v: &Value) -> bool {
    v["code"].is_string() && v["message"].is_string() && v.get("details").is_some()
}

#[tokio::test]
async fn health_openapi_metrics_catalog() {
    let f = fixture();
    let (s, v, _) = get(&f, "/healthz", None).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (s, v, _) = get(&f, "/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["paths"]["/api/v1/route"]["get"].is_object());
    let (s, v, _) = get(&f, "/tiles", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["tiles"]["risk"].is_object());
    let (s, v, _) = get(&f, "/tiles/risk.json", None).await;
    assert_eq!((s, v["tilejson"].as_str()), (StatusCode::OK, Some("3.0.0")));
    let (_, headers, body) = send(&f, Request::get("/metrics").body(Body::empty()).unwrap()).await;
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert!(String::from_utf8(body)
        .unwrap()
        .contains("senda_snapshot_generation 1"));
}

#[tokio::test]
async fn route_get_and_post() {
    let f = fixture();
    let (s, v, cc) = get(
        &f,
        "/api/v1/route?from=-92.26,14.91&to=-92.24,14.93&alternatives=1",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["type"], "FeatureCollection");
    assert_eq!(v["features"][0]["geometry"]["type"], "LineString");
    assert!(cc.starts_with("public"));
    let body = r#"{"from":[-92.26,14.91],"to":"-92.24,14.93","avoid":{"type":"Polygon","coordinates":[[[-92.0,15.5],[-91.9,15.5],[-91.9,15.6],[-92.0,15.5]]]}}"#;
    let req = Request::post("/api/v1/route")
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    let (s, _, b) = send(&f, req).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
}

#[tokio::test]
async fn bad_input_is_a_named_4xx() {
    let f = fixture();
    for (uri, param) in [
        ("/api/v1/route?from=200,14&to=-92.24,14.93", "from"),
        ("/api/v1/route?to=-92.24,14.93", "from"),
        (
            "/api/v1/route?from=-92.26,14.91&to=-92.24,14.93&aversion=2",
            "aversion",
        ),
        (
            "/api/v1/route?from=-92.26,14.91&to=-92.24,14.93&alternatives=9",
            "alternatives",
        ),
        ("/api/v1/route?from=-92.26,14.91&to=10,50", "to"),
        ("/api/v1/shelters/nearest?at=-92.26,14.91&k=0", "k"),
        ("/api/v1/shelters?bbox=1,2", "bbox"),
        ("/tiles/risk/3/99/0.mvt", "tile"),
    ] {
        let (s, v, _) = get(&f, uri, None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert!(is_error(&v), "{uri}: {v}");
        assert_eq!(v["details"]["parameter"], param, "{uri}: {v}");
    }
    let (s, v, _) = get(&f, "/tiles/nope/1/0/0.mvt", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(is_error(&v));
    let req = Request::post("/api/v1/route")
        .body(Body::from("{not json"))
        .unwrap();
    let (s, _, _) = send(&f, req).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn roles_and_privacy() {
    let f = fixture();
    let (s, v, _) = get(&f, "/api/v1/incidents", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(is_error(&v));
    let (s, _, _) = get(&f, "/api/v1/incidents", Some(&f.ingest)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = get(&f, "/api/v1/incidents", Some("senda_00_bad")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, v, cc) = get(&f, "/api/v1/incidents", Some(&f.analyst)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["features"].as_array().unwrap().len(), 1);
    assert!(cc.starts_with("private"));
    // Public: the restricted shelter is in no answer.
    for uri in [
        "/api/v1/shelters",
        "/api/v1/shelters/nearest?at=-92.26,14.91&k=5",
        "/api/v1/shelters/test:hidden",
    ] {
        let (_, v, _) = get(&f, uri, None).await;
        let text = v.to_string();
        assert!(
            !text.contains(HIDDEN) && !text.contains(HIDDEN_LON),
            "{uri}: {text}"
        );
    }
    let (s, v, _) = get(&f, "/api/v1/shelters", Some(&f.analyst)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v.to_string().contains(HIDDEN));
    // Public tiles of every layer hold neither the hidden shelter's name nor the raw report.
    for layer in senda_tiles::Layer::ALL {
        for z in [layer.min_zoom().max(10), 14.min(layer.max_zoom())] {
            let id = senda_tiles::TileId::containing(-92.2613, 14.9088, z).unwrap();
            let uri = format!("/tiles/{}/{z}/{}/{}.mvt", layer.as_str(), id.x(), id.y());
            let (s, h, b) = send(&f, Request::get(&uri).body(Body::empty()).unwrap()).await;
            assert!(
                s == StatusCode::OK || s == StatusCode::NO_CONTENT || s == StatusCode::BAD_REQUEST,
                "{uri}: {s}"
            );
            if s == StatusCode::OK {
                assert!(!String::from_utf8_lossy(&b).contains(HIDDEN), "{uri}");
                assert!(h["cache-control"].to_str().unwrap().starts_with("public"));
                assert!(h.contains_key("etag"));
            }
        }
    }
}

#[tokio::test]
async fn ingest_needs_role_and_swaps_snapshot() {
    let f = fixture();
    let csv = "id,lat,lon,date,category\n";
    let req = Request::post("/api/v1/ingest/incidents")
        .body(Body::from(csv))
        .unwrap();
    let (s, _, _) = send(&f, req).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let req = Request::post("/api/v1/ingest/incidents")
        .header("authorization", format!("Bearer {}", f.analyst))
        .body(Body::from(csv))
        .unwrap();
    let (s, _, _) = send(&f, req).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let shelters = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[-92.25,14.92]},"properties":{"id":"new-1","name":"Albergue Nuevo","kind":"shelter"}}]}"#;
    let req = Request::post("/api/v1/ingest/shelters")
        .header("authorization", format!("Bearer {}", f.ingest))
        .body(Body::from(shelters))
        .unwrap();
    let (s, _, b) = send(&f, req).await;
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["generation"], 2);
    assert!(v["parts"][0]["report"].is_object(), "{v}");
    let (_, v, _) = get(&f, "/healthz", None).await;
    assert_eq!(v["generation"], 2);
}

#[tokio::test]
async fn risk_cells_public_hides_a_lone_report_analyst_sees_it() {
    let f = fixture();
    // One report (< k = 5) at -92.2702,14.8921.
    let uri = "/api/v1/risk/cells?bbox=-92.32,14.85,-92.22,14.94&resolution=7";
    let (s, analyst, cc) = get(&f, uri, Some(&f.analyst)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(cc.contains("private"));
    let feats = analyst["features"].as_array().unwrap();
    assert!(!feats.is_empty());
    assert!(feats.iter().all(|x| x["geometry"]["type"] == "Polygon"
        && x["properties"]["cell"].is_string()
        && x["properties"]["value"].is_number()));
    let (s, public, _) = get(&f, uri, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(public["features"].as_array().unwrap().len(), 0, "{public}");
    let (s, v, _) = get(
        &f,
        "/api/v1/risk/cells?bbox=-92.32,14.85,-92.22,14.94&resolution=5&profile=vehicle",
        Some(&f.analyst),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["features"].is_array());
    for (uri, param) in [
        ("/api/v1/risk/cells", "bbox"),
        ("/api/v1/risk/cells?bbox=1,2,3", "bbox"),
        ("/api/v1/risk/cells?bbox=-100,0,-80,20", "bbox"),
        (
            "/api/v1/risk/cells?bbox=-92.3,14.8,-92.2,14.9&resolution=9",
            "resolution",
        ),
        (
            "/api/v1/risk/cells?bbox=-92.3,14.8,-92.2,14.9&profile=boat",
            "profile",
        ),
    ] {
        let (s, v, _) = get(&f, uri, None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert!(is_error(&v), "{uri}");
        assert!(v.to_string().contains(param), "{uri}: {v}");
    }
}

#[tokio::test]
async fn body_limit_and_rate_limit_answer_json() {
    let f = fixture();
    let small = ServerConfig {
        max_body_bytes: 1_000,
        rate_burst: 3.0,
        rate_per_s: 0.001,
        ..ServerConfig::default()
    };
    let store = Store::open(&f._dir.path().join("t.db")).unwrap();
    let state = AppState::new(store, small).unwrap();
    let limited = Fixture {
        state,
        analyst: f.analyst.clone(),
        ingest: f.ingest.clone(),
        _dir: tempfile::tempdir().unwrap(),
    };
    // 413: a body over the limit, named as such, with nothing stored.
    let big = format!("id,lat,lon,date,category\n{}", "x".repeat(5_000));
    let req = Request::post("/api/v1/ingest/incidents")
        .header("authorization", format!("Bearer {}", limited.ingest))
        .header("content-length", big.len().to_string())
        .body(Body::from(big))
        .unwrap();
    let (s, h, b) = send(&limited, req).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(h["content-type"], "application/json");
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert!(is_error(&v) && v["code"] == "payload_too_large", "{v}");
    assert!(v["message"].as_str().unwrap().contains("1000"), "{v}");
    // 429: a burst of three passes, then the caller must wait.
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let req = Request::get("/healthz")
            .header("authorization", format!("Bearer {}", limited.ingest))
            .body(Body::empty())
            .unwrap();
        let (s, h, b) = send(&limited, req).await;
        if s == StatusCode::TOO_MANY_REQUESTS {
            let v: Value = serde_json::from_slice(&b).unwrap();
            assert!(is_error(&v) && v["code"] == "rate_limited", "{v}");
            assert_eq!(h["retry-after"], "1");
        }
        statuses.push(s.as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 429]);
    // Another caller (another token) has its own bucket.
    let (s, _, _) = get(&limited, "/healthz", Some(&limited.analyst)).await;
    assert_eq!(s, StatusCode::OK);
}

/// The fixture's one report (fewer than k = 5 in its cell).
const REPORT: [f64; 2] = [-92.2702, 14.8921];

fn metres(a: [f64; 2], b: [f64; 2]) -> f64 {
    let dy = (a[1] - b[1]) * 111_320.0;
    let dx = (a[0] - b[0]) * 111_320.0 * a[1].to_radians().cos();
    dx.hypot(dy)
}

/// Every [lon, lat] pair anywhere in a JSON document.
fn positions(v: &Value, out: &mut Vec<[f64; 2]>) {
    match v {
        Value::Array(items) => {
            if let [Value::Number(x), Value::Number(y), ..] = items.as_slice() {
                out.push([x.as_f64().unwrap(), y.as_f64().unwrap()]);
            }
            items.iter().for_each(|i| positions(i, out));
        }
        Value::Object(o) => o.values().for_each(|i| positions(i, out)),
        _ => {}
    }
}

/// Every vertex of every feature of a tile, in lon/lat, by layer.
fn tile_vertices(id: senda_tiles::TileId, bytes: &[u8]) -> Vec<(String, [f64; 2])> {
    use geo::CoordsIter;
    let reader = mvt_reader::Reader::new(bytes.to_vec()).expect("a valid tile");
    let mut out = Vec::new();
    for meta in reader.get_layer_metadata().unwrap() {
        for f in reader.get_features_as::<f64>(meta.layer_index).unwrap() {
            for c in f.geometry.coords_iter() {
                let p = senda_tiles::tile_pixel_to_lonlat(id, c.x, c.y);
                out.push((meta.name.clone(), p));
            }
        }
    }
    out
}

/// A public caller never receives the report's location (nor its id), from any endpoint or
/// any tile of any layer at any zoom; an analyst does (so the check can fail).
#[tokio::test]
async fn no_public_answer_holds_a_raw_incident_location() {
    let f = fixture();
    let near = |p: [f64; 2]| metres(p, REPORT) < 5.0;
    let at = format!("{},{}", REPORT[0] + 0.004, REPORT[1] + 0.003);
    let to = "-92.2531,14.9172";
    let uris = [
        format!("/api/v1/route?from={at}&to={to}&alternatives=3"),
        format!("/api/v1/route?from={at}&to={to}&aversion=0"),
        format!("/api/v1/shelters/nearest?at={at}&k=5"),
        format!("/api/v1/shelters/nearest?at={at}&k=5&by=road"),
        format!("/api/v1/plan?from={at}&to={to}"),
        "/api/v1/shelters".to_owned(),
        "/api/v1/shelters/test:open".to_owned(),
        "/api/v1/transit".to_owned(),
        "/api/v1/risk/cells?bbox=-92.32,14.85,-92.22,14.94&resolution=7".to_owned(),
        "/api/v1/risk/cells?bbox=-92.32,14.85,-92.22,14.94&resolution=5".to_owned(),
        "/api/v1/incidents".to_owned(),
        "/tiles".to_owned(),
        "/openapi.json".to_owned(),
        "/healthz".to_owned(),
        format!("/lite?at={at}&to={to}"),
        format!("/lite?at={at}&lang=en"),
        "/api/v1/emergency".to_owned(),
    ];
    let mut answered = 0;
    for uri in &uris {
        let req = Request::get(uri.as_str()).body(Body::empty()).unwrap();
        let (s, _, b) = send(&f, req).await;
        let text = String::from_utf8_lossy(&b);
        assert!(!text.contains("inc-1"), "{uri}: {text}");
        assert!(
            !text.contains("92.2702") && !text.contains("14.8921"),
            "{uri}: {text}"
        );
        let v: Value = serde_json::from_slice(&b).unwrap_or(Value::Null);
        let mut found = Vec::new();
        positions(&v, &mut found);
        assert!(!found.iter().any(|&p| near(p)), "{uri}: {text}");
        answered += usize::from(s == StatusCode::OK);
    }
    assert!(answered >= uris.len() - 1, "only {answered} answered");
    let post = serde_json::json!({ "from": at, "to": to, "alternatives": 2 }).to_string();
    let req = Request::post("/api/v1/route")
        .header("content-type", "application/json")
        .body(Body::from(post))
        .unwrap();
    let (s, _, b) = send(&f, req).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let mut found = Vec::new();
    positions(&serde_json::from_slice(&b).unwrap(), &mut found);
    assert!(!found.iter().any(|&p| near(p)));

    // Tiles: every layer, every zoom it has, public and (as the control) analyst.
    let mut analyst_saw_it = false;
    for layer in senda_tiles::Layer::ALL {
        for z in layer.min_zoom()..=layer.max_zoom() {
            let id = senda_tiles::TileId::containing(REPORT[0], REPORT[1], z).unwrap();
            let uri = format!("/tiles/{}/{z}/{}/{}.mvt", layer.as_str(), id.x(), id.y());
            for token in [None, Some(f.analyst.as_str())] {
                let mut req = Request::get(&uri);
                if let Some(t) = token {
                    req = req.header("authorization", format!("Bearer {t}"));
                }
                let (s, h, b) = send(&f, req.body(Body::empty()).unwrap()).await;
                assert!(
                    s == StatusCode::OK || s == StatusCode::NO_CONTENT,
                    "{uri}: {s}"
                );
                if s == StatusCode::NO_CONTENT {
                    continue;
                }
                let cc = h["cache-control"].to_str().unwrap();
                let hit = tile_vertices(id, &b).into_iter().any(|(_, p)| near(p));
                if token.is_none() {
                    assert!(!hit, "{uri}: a public tile holds the report's location");
                    assert!(cc.starts_with("public"), "{uri}: {cc}");
                } else {
                    assert!(cc.starts_with("private"), "{uri}: {cc}");
                    analyst_saw_it |= hit && layer == senda_tiles::Layer::Incidents;
                }
            }
        }
    }
    assert!(
        analyst_saw_it,
        "the analyst's incidents layer should show the report"
    );
    // And the analyst's raw incident list has it, exactly.
    let (s, v, _) = get(&f, "/api/v1/incidents", Some(&f.analyst)).await;
    assert_eq!(s, StatusCode::OK);
    let mut found = Vec::new();
    positions(&v, &mut found);
    assert!(found.iter().any(|&p| metres(p, REPORT) < 0.01));
}

/// The `.route("…")` paths registered in a source file; those inside the `/api/v1` router of
/// `lib.rs` get that prefix.
fn registered_paths(source: &str, api_block: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_api = false;
    for line in source.lines() {
        let line = line.trim();
        if api_block && line.starts_with("let api = Router::new()") {
            in_api = true;
        }
        if let Some(rest) = line.strip_prefix(".route(\"") {
            let path = &rest[..rest.find('"').unwrap()];
            out.push(if in_api {
                format!("/api/v1{path}")
            } else {
                path.to_owned()
            });
        }
        if in_api && line.ends_with(';') {
            in_api = false;
        }
    }
    out
}

/// The OpenAPI document and the router agree: every path the router registers is documented
/// (a `.json`/`.mvt`/`.pmtiles` suffix is matched inside the handler), and every documented
/// operation is answered by its handler, not by the router's fallback.
#[tokio::test]
async fn openapi_documents_exactly_the_routes_served() {
    let f = fixture();
    let doc = senda_server::openapi::document();
    let paths = doc["paths"].as_object().unwrap();
    let strip = |p: &str| {
        ["}.json", "}.mvt", "}.pmtiles", "}.pbf"]
            .iter()
            .fold(p.to_owned(), |p, s| p.replace(s, "}"))
    };
    let documented: Vec<String> = paths.keys().map(|p| strip(p)).collect();
    let mut registered = registered_paths(include_str!("../src/lib.rs"), true);
    registered.extend(registered_paths(include_str!("../src/web.rs"), false));
    assert!(registered.len() >= 15, "{registered:?}");
    for path in &registered {
        assert!(
            documented.contains(path),
            "{path} is served but not in /openapi.json"
        );
    }
    for (path, ops) in paths {
        for method in ops.as_object().unwrap().keys() {
            let uri = path
                .replace("{layer}", "roads")
                .replace("{z}", "8")
                .replace("{x}", "62")
                .replace("{y}", "117")
                .replace("{kind}", "incidents")
                .replace("{id}", "test:open")
                .replace("{name}", "none")
                .replace("{stack}", "DejaVu%20Sans%20Book")
                .replace("{range}.pbf", "0-255.pbf");
            let req = Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&uri)
                .body(Body::empty())
                .unwrap();
            let (s, _, b) = send(&f, req).await;
            let v: Value = serde_json::from_slice(&b).unwrap_or(Value::Null);
            assert!(
                !(s == StatusCode::NOT_FOUND && v["message"] == "no such endpoint")
                    && s != StatusCode::METHOD_NOT_ALLOWED,
                "{method} {uri} is documented but not served: {s} {v}"
            );
        }
    }
}

/// Tiles are gzip-compressed once, when rendered: a gzip client gets the stored bytes (which
/// decode to exactly the tile others get), with the same ETag either way.
#[tokio::test]
async fn tiles_are_served_gzipped_from_the_cache() {
    use std::io::Read;
    let f = fixture();
    let id = senda_tiles::TileId::containing(-92.2613, 14.9088, 12).unwrap();
    let uri = format!("/tiles/roads/12/{}/{}.mvt", id.x(), id.y());
    let (s, plain_h, plain) = send(&f, Request::get(&uri).body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(plain_h.get("content-encoding").is_none());
    for _ in 0..2 {
        let req = Request::get(&uri)
            .header("accept-encoding", "br;q=0.5, gzip")
            .body(Body::empty())
            .unwrap();
        let (s, h, gz) = send(&f, req).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(h["content-encoding"], "gzip");
        assert_eq!(h["etag"], plain_h["etag"]);
        assert!(h["vary"].to_str().unwrap().contains("Accept-Encoding"));
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(gz.as_slice())
            .read_to_end(&mut raw)
            .unwrap();
        assert_eq!(raw, plain);
    }
    // gzip;q=0 means "not gzip".
    let req = Request::get(&uri)
        .header("accept-encoding", "gzip;q=0")
        .body(Body::empty())
        .unwrap();
    let (_, h, body) = send(&f, req).await;
    assert_ne!(
        h.get("content-encoding").map(|v| v.to_str().unwrap()),
        Some("gzip")
    );
    assert_eq!(body, plain);
}

/// Plan errors carry a stable code, details, and the message in the caller's language
/// (`lang=`, else `Accept-Language`, else Spanish).
#[tokio::test]
async fn plan_errors_have_a_code_and_words_in_the_callers_language() {
    let f = fixture();
    let (from, to) = ("-92.2690,14.9010", "-92.2531,14.9172");
    let base = format!("/api/v1/plan?from={from}&to={to}");
    let (s, v, _) = get(&f, &base, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let days = v["plan"]["days"].as_u64().unwrap();

    // Three minutes a day: more days than asked for.
    let tight = format!("{base}&max_daily_hours=0.05&max_days=1");
    let (s, v, _) = get(&f, &format!("{tight}&lang=es"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["code"], "too_many_days");
    let needed = v["details"]["days"].as_u64().unwrap();
    assert!(needed > days.max(1), "{v}");
    assert_eq!(v["details"]["max_days"], 1);
    let msg = v["message"].as_str().unwrap();
    assert_eq!(
        msg,
        format!(
            "Este viaje necesita {needed} días con 0,05 h de camino al día; el límite pedido es 1."
        )
    );
    let (_, v, _) = get(&f, &format!("{tight}&lang=ht"), None).await;
    assert_eq!(v["code"], "too_many_days");
    assert_eq!(
        v["message"],
        format!("Vwayaj sa a bezwen {needed} jou si ou fè 0,05 h wout chak jou; limit ou mande a se 1 jou.")
    );
    let req = Request::get(tight.as_str())
        .header("accept-language", "fr-CA,fr;q=0.9,en;q=0.5")
        .body(Body::empty())
        .unwrap();
    let (_, _, body) = send(&f, req).await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("Ce voyage demande {needed} jours")),
        "{v}"
    );
    // No language asked for: Spanish.
    let (_, v, _) = get(&f, &tight, None).await;
    assert!(
        v["message"].as_str().unwrap().starts_with("Este viaje"),
        "{v}"
    );

    // A destination 20 km from any road.
    let far = format!("/api/v1/plan?from={from}&to=-92.27,15.1");
    for (lang, text) in [
        (
            "es",
            "El destino está a más de 10 km de cualquier camino que conocemos.",
        ),
        (
            "ht",
            "Kote ou prale a plis pase 10 km lwen tout wout nou konnen.",
        ),
        (
            "en",
            "The destination is more than 10 km from any road we know.",
        ),
    ] {
        let (s, v, _) = get(&f, &format!("{far}&lang={lang}"), None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["code"], "unreachable_point");
        assert_eq!(v["details"]["parameter"], "to");
        assert_eq!(v["message"], text);
    }

    // Caller mistakes name the parameter.
    for bad in ["0", "366", "two"] {
        let (s, v, _) = get(&f, &format!("{base}&max_days={bad}"), None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        assert_eq!(v["code"], "bad_request");
        assert_eq!(v["details"]["parameter"], "max_days");
    }
    let (s, _, _) = get(&f, &format!("{base}&max_days={days}"), None).await;
    assert_eq!(s, StatusCode::OK);
}

/// A destination a hurricane cuts off: `unreachable`, in Spanish and Haitian Creole.
#[tokio::test]
async fn a_plan_to_a_place_cut_off_is_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    let roads = senda_testkit::gen::road_like_graph(400, 7);
    store
        .ingest("roads", "test", &located(roads), 0, &mut |_| {})
        .unwrap();
    let centre = ll(-92.2475, 14.9225);
    let hurricane = senda_testkit::gen::hurricane(
        senda_testkit::gen::square(centre, 0.008),
        chrono::Utc::now(),
    );
    store
        .ingest("weather", "test", &located(vec![hurricane]), 0, &mut |_| {})
        .unwrap();
    let state = AppState::new(store, ServerConfig::default()).unwrap();
    let f = Fixture {
        state,
        analyst: String::new(),
        ingest: String::new(),
        _dir: dir,
    };
    let uri = "/api/v1/plan?from=-92.2690,14.9010&to=-92.2475,14.9225";
    for (lang, text) in [
        ("es", "Ningún camino conocido une estos dos lugares"),
        ("ht", "Pa gen okenn wout nou konnen ki mare de kote sa yo"),
    ] {
        let (s, v, _) = get(&f, &format!("{uri}&lang={lang}"), None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["code"], "unreachable");
        assert_eq!(v["details"]["profile"], "foot");
        assert!(v["message"].as_str().unwrap().starts_with(text), "{v}");
    }
}
