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
    let analyst = senda_server::create_token(&mut store, Role::Analyst, None).unwrap();
    let ingest = senda_server::create_token(&mut store, Role::Ingest, None).unwrap();
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
    let admin = {
        let mut store = f.state.store.lock().unwrap();
        senda_server::create_token(&mut store, Role::Admin, None).unwrap()
    };
    let (s, v, _) = get(&f, "/metrics", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(is_error(&v), "{v}");
    let (s, _, _) = get(&f, "/metrics", Some(&f.analyst)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let req = Request::get("/metrics")
        .header("authorization", format!("Bearer {admin}"))
        .body(Body::empty())
        .unwrap();
    let (_, headers, body) = send(&f, req).await;
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

/// The fixture plus the San José train feed (`tests/data/gtfs`): stations far from the
/// synthetic roads, which stops need not be near.
fn fixture_with_stops() -> Fixture {
    let f = fixture();
    let input =
        senda_ingest::Input::from_path(&senda_testkit::test_file("gtfs/cr_sanjose_train_gtfs.zip"))
            .unwrap();
    let out = senda_ingest::gtfs::read_zip(&input, senda_ingest::countries::Countries::corridor())
        .unwrap();
    {
        let mut store = f.state.store.lock().unwrap();
        store
            .ingest("sanjose.zip", "gtfs", &out.records, 0, &mut |_| {})
            .unwrap();
    }
    f.state.rebuild().unwrap();
    f
}

#[tokio::test]
async fn nearest_stops_with_their_lines() {
    let f = fixture_with_stops();
    // Distances checked with a haversine in Python: Estación Atlántico 128.3 m, La Corte
    // 499.3 m, Plaza Víquez 1,203.9 m.
    let (s, v, cc) = get(&f, "/api/v1/transit/nearest?at=-84.07,9.935&k=3", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(cc, "public, max-age=60");
    let features = v["features"].as_array().unwrap();
    let names: Vec<&str> = features
        .iter()
        .map(|f| f["properties"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Estación Atlántico", "La Corte", "Plaza Víquez"]);
    let first = &features[0];
    assert_eq!(first["id"], "cr_sanjose_train_gtfs:relation/6906279");
    assert_eq!(
        first["geometry"]["coordinates"],
        serde_json::json!([-84.068844, 9.934812])
    );
    let p = &first["properties"];
    assert_eq!(
        (p["rank"].as_u64(), p["kind"].as_str()),
        (Some(1), Some("rail_station"))
    );
    assert!(
        (p["distance_m"].as_f64().unwrap() - 128.3).abs() < 0.06,
        "{p}"
    );
    assert_eq!(p["country"], "CRI");
    let routes = p["routes"].as_array().unwrap();
    let got: Vec<(&str, &str, i64)> = routes
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap(),
                r["mode"].as_str().unwrap(),
                r["headway_min"].as_i64().unwrap(),
            )
        })
        .collect();
    // 3420 s, 2130 s and 3300 s rounded to whole minutes.
    assert_eq!(
        got,
        [("1", "rail", 57), ("2", "rail", 36), ("4", "rail", 55)]
    );
    assert_eq!(routes[1]["long_name"], "Alajuela - Heredia - San José");
    assert_eq!(routes[1]["agency"], "Incofer");
    assert_eq!(v["query"]["k"], 3);

    // Within a distance: only what lies within it.
    let (_, v, _) = get(
        &f,
        "/api/v1/transit/nearest?at=-84.07,9.935&k=10&max_distance_m=500",
        None,
    )
    .await;
    assert_eq!(v["features"].as_array().unwrap().len(), 2);
    let (_, v, _) = get(
        &f,
        "/api/v1/transit/nearest?at=-92.26,14.9&max_distance_m=1000",
        None,
    )
    .await;
    assert_eq!(v["features"].as_array().unwrap().len(), 0);

    // Bad parameters are 400s naming the parameter.
    for (uri, param) in [
        ("/api/v1/transit/nearest", "at"),
        ("/api/v1/transit/nearest?at=200,10", "at"),
        ("/api/v1/transit/nearest?at=-84.07", "at"),
        ("/api/v1/transit/nearest?at=-84.07,9.935&k=0", "k"),
        ("/api/v1/transit/nearest?at=-84.07,9.935&k=51", "k"),
        ("/api/v1/transit/nearest?at=-84.07,9.935&k=two", "k"),
        (
            "/api/v1/transit/nearest?at=-84.07,9.935&max_distance_m=-5",
            "max_distance_m",
        ),
        (
            "/api/v1/transit/nearest?at=-84.07,9.935&max_distance_m=inf",
            "max_distance_m",
        ),
    ] {
        let (s, v, _) = get(&f, uri, None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert!(is_error(&v), "{uri}: {v}");
        assert_eq!(v["details"]["parameter"], param, "{uri}: {v}");
    }
}

/// The fixture's data served with another configuration.
fn with_config(f: &Fixture, config: ServerConfig) -> Fixture {
    let store = Store::open(&f._dir.path().join("t.db")).unwrap();
    Fixture {
        state: AppState::new(store, config).unwrap(),
        analyst: f.analyst.clone(),
        ingest: f.ingest.clone(),
        _dir: tempfile::tempdir().unwrap(),
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

#[tokio::test]
async fn gzip_body_past_the_decompression_cap_is_a_413_naming_it() {
    let f = fixture();
    let capped = with_config(
        &f,
        ServerConfig {
            max_decompressed_bytes: 10_000,
            ..ServerConfig::default()
        },
    );
    let csv = "id,lat,lon,date,category\n".to_owned()
        + &"g1,14.9,-92.26,2025-01-01,violence\n".repeat(30_000);
    let bomb = gzip(csv.as_bytes());
    assert!(bomb.len() < 10_000, "{} bytes compressed", bomb.len());
    let post = |kind: &str, body: Vec<u8>| {
        Request::post(format!("/api/v1/ingest/{kind}"))
            .header("authorization", format!("Bearer {}", capped.ingest))
            .body(Body::from(body))
            .unwrap()
    };
    let (s, h, b) = send(&capped, post("incidents", bomb)).await;
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert_eq!(h["content-type"], "application/json");
    assert!(is_error(&v) && v["code"] == "payload_too_large", "{v}");
    assert!(v["message"].as_str().unwrap().contains("10000"), "{v}");
    assert_eq!(v["details"]["limit_bytes"], 10_000);
    // Under the cap, a gzip body is read like the plain one (GeoJSON told by its content).
    let small = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[-92.25,14.92]},"properties":{"id":"gz-1","name":"Albergue Comprimido","kind":"shelter"}}]}"#;
    let (s, _, b) = send(&capped, post("shelters", gzip(small.as_bytes()))).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(v["parts"][0]["report"]["accepted"], 1, "{v}");
}

/// A body of `len` bytes: one shelter, padded with whitespace (valid JSON).
fn padded_shelters(len: usize) -> Vec<u8> {
    let json = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[-92.25,14.92]},"properties":{"id":"big-1","name":"Albergue Grande","kind":"shelter"}}]}"#;
    let mut body = json.as_bytes().to_vec();
    body.resize(len, b' ');
    body
}

#[tokio::test]
async fn max_body_bytes_is_the_one_body_limit() {
    let f = fixture();
    // 5 MB is under the documented 16 MiB default (axum's own 2 MiB default does not apply).
    let req = Request::post("/api/v1/ingest/shelters")
        .header("authorization", format!("Bearer {}", f.ingest))
        .body(Body::from(padded_shelters(5_000_000)))
        .unwrap();
    let (s, _, b) = send(&f, req).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    // Over a configured limit, without a declared length: a JSON 413 with the limit.
    let small = with_config(
        &f,
        ServerConfig {
            max_body_bytes: 3_000_000,
            ..ServerConfig::default()
        },
    );
    let req = Request::post("/api/v1/ingest/shelters")
        .header("authorization", format!("Bearer {}", small.ingest))
        .body(Body::from(padded_shelters(3_000_001)))
        .unwrap();
    let (s, h, b) = send(&small, req).await;
    assert_eq!(
        s,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        String::from_utf8_lossy(&b)
    );
    assert_eq!(h["content-type"], "application/json");
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert!(is_error(&v) && v["code"] == "payload_too_large", "{v}");
    assert!(v["message"].as_str().unwrap().contains("3000000"), "{v}");
    assert_eq!(v["details"]["limit_bytes"], 3_000_000);
}

/// A GET from `peer` (as `serve` records it) with extra headers.
fn from_peer(uri: &str, peer: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut req = req.body(Body::empty()).unwrap();
    let addr: std::net::SocketAddr = format!("{peer}:40000").parse().unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    req
}

fn burst_of_three(f: &Fixture, trusted: &[&str]) -> Fixture {
    with_config(
        f,
        ServerConfig {
            rate_burst: 3.0,
            rate_per_s: 0.001,
            trusted_proxies: trusted.iter().map(|s| s.parse().unwrap()).collect(),
            ..ServerConfig::default()
        },
    )
}

#[tokio::test]
async fn made_up_tokens_share_their_ip_bucket() {
    let f = fixture();
    let limited = burst_of_three(&f, &[]);
    let mut statuses = Vec::new();
    for i in 0..4 {
        let token = format!("Bearer senda_{i:016x}_x");
        let req = from_peer("/healthz", "203.0.113.7", &[("authorization", &token)]);
        statuses.push(send(&limited, req).await.0.as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 429]);
    // A valid token has its own bucket, from the same address.
    let token = format!("Bearer {}", limited.analyst);
    let req = from_peer("/healthz", "203.0.113.7", &[("authorization", &token)]);
    assert_eq!(send(&limited, req).await.0, StatusCode::OK);
    // Another address has its own.
    let req = from_peer("/healthz", "203.0.113.8", &[]);
    assert_eq!(send(&limited, req).await.0, StatusCode::OK);
}

#[tokio::test]
async fn forwarded_for_counts_only_from_a_trusted_proxy() {
    let f = fixture();
    // An untrusted peer cannot pick its bucket by writing X-Forwarded-For.
    let limited = burst_of_three(&f, &["10.0.0.1"]);
    let mut statuses = Vec::new();
    for i in 0..4 {
        let xff = format!("198.51.100.{i}");
        let req = from_peer("/healthz", "203.0.113.7", &[("x-forwarded-for", &xff)]);
        statuses.push(send(&limited, req).await.0.as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 429]);
    // Behind the trusted proxy, each client (rightmost untrusted hop) has its own bucket ...
    for i in 0..4 {
        let xff = format!("1.2.3.4, 198.51.100.{i}");
        let req = from_peer("/healthz", "10.0.0.1", &[("x-forwarded-for", &xff)]);
        assert_eq!(send(&limited, req).await.0, StatusCode::OK, "{xff}");
    }
    // ... and one client is limited, whatever it claims left of the proxy's entry.
    let mut statuses = Vec::new();
    for i in 0..4 {
        let xff = format!("7.7.7.{i}, 198.51.100.200");
        let req = from_peer("/healthz", "10.0.0.1", &[("x-forwarded-for", &xff)]);
        statuses.push(send(&limited, req).await.0.as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 429]);
}

#[tokio::test]
async fn tilejson_uses_the_public_url() {
    let f = fixture();
    let (_, v, _) = get(&f, "/tiles/risk.json", None).await;
    assert!(
        v["tiles"][0].as_str().unwrap().starts_with("http://"),
        "{v}"
    );
    let public = with_config(
        &f,
        ServerConfig {
            public_url: Some("https://senda.example.org".into()),
            ..ServerConfig::default()
        },
    );
    let req = Request::get("/tiles/risk.json")
        .header("host", "internal:8080")
        .body(Body::empty())
        .unwrap();
    let (s, _, b) = send(&public, req).await;
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(s, StatusCode::OK);
    let url = v["tiles"][0].as_str().unwrap();
    assert!(
        url.starts_with("https://senda.example.org/tiles/risk/"),
        "{v}"
    );
    let (_, v, _) = get(&public, "/tiles", None).await;
    assert!(
        v.to_string().contains("https://senda.example.org/tiles/"),
        "{v}"
    );
}

#[tokio::test]
async fn cors_for_the_public_api_and_tiles() {
    let f = fixture();
    // A preflight is answered, for any origin by default, without credentials.
    let req = Request::options("/api/v1/route")
        .header("origin", "https://other.example")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .body(Body::empty())
        .unwrap();
    let (s, h, _) = send(&f, req).await;
    assert!(s.is_success(), "{s}");
    assert_eq!(h["access-control-allow-origin"], "*");
    let methods = h["access-control-allow-methods"].to_str().unwrap();
    assert!(
        methods.contains("POST") && methods.contains("GET"),
        "{methods}"
    );
    let allowed = h["access-control-allow-headers"].to_str().unwrap();
    assert!(allowed.contains("authorization"), "{allowed}");
    assert!(h.get("access-control-allow-credentials").is_none());
    // A simple GET on tiles carries the header too.
    let req = Request::get("/tiles/risk.json")
        .header("origin", "https://other.example")
        .body(Body::empty())
        .unwrap();
    let (s, h, _) = send(&f, req).await;
    assert_eq!(
        (s, &h["access-control-allow-origin"]),
        (StatusCode::OK, &"*".parse().unwrap())
    );
    // Configured origins: only those.
    let only = with_config(
        &f,
        ServerConfig {
            cors_origins: vec!["https://maps.example.org".into()],
            ..ServerConfig::default()
        },
    );
    for (origin, allowed) in [
        ("https://maps.example.org", true),
        ("https://evil.example", false),
    ] {
        let req = Request::get("/api/v1/shelters?bbox=-93,14,-92,15")
            .header("origin", origin)
            .body(Body::empty())
            .unwrap();
        let (_, h, _) = send(&only, req).await;
        assert_eq!(
            h.get("access-control-allow-origin")
                .map(|v| v.to_str().unwrap()),
            allowed.then_some(origin),
            "{origin}"
        );
    }
}

#[tokio::test]
async fn security_headers_on_the_pages() {
    let f = fixture();
    let (s, h, _) = send(&f, Request::get("/").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"),
        "{csp}"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h.contains_key("referrer-policy"));
    let (s, h, _) = send(&f, Request::get("/lite").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["x-content-type-options"], "nosniff");
    // JSON answers, errors included, too.
    let (_, h, _) = send(&f, Request::get("/nope").body(Body::empty()).unwrap()).await;
    assert_eq!(h["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn long_uri_and_large_headers_get_the_json_error() {
    let f = fixture();
    let uri = format!("/api/v1/shelters?bbox={}", "1".repeat(9_000));
    let (s, h, b) = send(&f, Request::get(uri).body(Body::empty()).unwrap()).await;
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(s, StatusCode::URI_TOO_LONG, "{v}");
    assert_eq!(h["content-type"], "application/json");
    assert!(is_error(&v) && v["code"] == "uri_too_long", "{v}");
    let mut req = Request::get("/healthz");
    for i in 0..40 {
        req = req.header(format!("x-filler-{i}"), "y".repeat(1_000));
    }
    let (s, _, b) = send(&f, req.body(Body::empty()).unwrap()).await;
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(s, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "{v}");
    assert!(is_error(&v) && v["code"] == "headers_too_large", "{v}");
}

#[tokio::test]
async fn uploaded_records_out_of_bounds_are_rejected_naming_the_field() {
    let f = fixture();
    let huge = "x".repeat(1 << 20);
    let body = format!(
        r#"{{"type":"FeatureCollection","features":[
        {{"type":"Feature","geometry":{{"type":"Point","coordinates":[-92.27,14.9]}},"properties":{{"id":"{huge}","date":"2025-03-01"}}}},
        {{"type":"Feature","geometry":{{"type":"Point","coordinates":[0,0]}},"properties":{{"id":"zero","date":"2025-03-01"}}}},
        {{"type":"Feature","geometry":{{"type":"Point","coordinates":[-92.27,14.9]}},"properties":{{"id":"fine","date":"2025-03-01"}}}}]}}"#
    );
    let req = Request::post("/api/v1/ingest/incidents")
        .header("authorization", format!("Bearer {}", f.ingest))
        .body(Body::from(body))
        .unwrap();
    let (s, _, b) = send(&f, req).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let v: Value = serde_json::from_slice(&b).unwrap();
    let report = &v["parts"][0]["report"];
    assert_eq!(report["accepted"], 1, "{report}");
    let fields: Vec<&str> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["id", "coordinates"]);
    assert!(b.len() < 10_000, "the megabyte id is not echoed back");
}

#[tokio::test]
async fn revoked_and_expired_tokens_are_refused_and_uses_are_recorded_throttled() {
    let f = fixture();
    let id = |t: &str| t.split('_').nth(1).unwrap().to_owned();
    let (s, _, _) = get(&f, "/api/v1/incidents", Some(&f.analyst)).await;
    assert_eq!(s, StatusCode::OK);
    // The use is written by the refresh, and only once a minute per token.
    f.state.refresh_tokens().unwrap();
    let used = |f: &Fixture| {
        let store = f.state.store.lock().unwrap();
        let list = store.tokens().unwrap();
        let t = list.iter().find(|t| t.token_id == id(&f.analyst)).unwrap();
        t.last_used_at
    };
    let first = used(&f).expect("the first use is recorded");
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let (s, _, _) = get(&f, "/api/v1/incidents", Some(&f.analyst)).await;
    assert_eq!(s, StatusCode::OK);
    f.state.refresh_tokens().unwrap();
    assert_eq!(used(&f), Some(first));

    // Revoked by another connection (as `senda token revoke` does): refused after a refresh.
    f.state
        .store
        .lock()
        .unwrap()
        .revoke_token(&id(&f.analyst), chrono::Utc::now())
        .unwrap();
    f.state.refresh_tokens().unwrap();
    let (s, v, _) = get(&f, "/api/v1/incidents", Some(&f.analyst)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");

    // Expiry is checked on every request, with no refresh.
    let soon = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    let short = senda_server::create_token(
        &mut f.state.store.lock().unwrap(),
        Role::Analyst,
        Some(soon),
    )
    .unwrap();
    let (s, _, _) = get(&f, "/api/v1/incidents", Some(&short)).await;
    assert_eq!(s, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    let (s, v, _) = get(&f, "/api/v1/incidents", Some(&short)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(v["message"].as_str().unwrap().contains("expired"), "{v}");
}

/// An Extreme/Observed/Immediate hurricane warning in force now over `polygon` (CAP
/// `lat,lon` pairs).
fn extreme_alert(id: &str, polygon: &str) -> String {
    let now = chrono::Utc::now();
    let t = |h: i64| (now + chrono::Duration::hours(h)).to_rfc3339();
    format!(
        r#"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{id}</identifier><sender>test@example.org</sender>
  <sent>{}</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
  <info><category>Met</category><event>Hurricane</event>
    <urgency>Immediate</urgency><severity>Extreme</severity><certainty>Observed</certainty>
    <onset>{}</onset><expires>{}</expires>
    <area><areaDesc>{id}</areaDesc><polygon>{polygon}</polygon></area>
  </info></alert>"#,
        t(-1),
        t(-1),
        t(24)
    )
}

async fn ingest_weather(f: &Fixture, xml: String) -> Value {
    let req = Request::post("/api/v1/ingest/weather")
        .header("authorization", format!("Bearer {}", f.ingest))
        .body(Body::from(xml))
        .unwrap();
    let (s, _, b) = send(f, req).await;
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert!(s.is_success() || s.is_client_error(), "{s}: {v}");
    v
}

#[tokio::test]
async fn one_huge_alert_does_not_close_the_network() {
    let f = fixture();
    let route = "/api/v1/route?from=-92.26,14.91&to=-92.24,14.93";
    let (s, v, _) = get(&f, route, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Around the globe: rejected, naming the record and the field.
    let globe = "-80,-179 80,-179 80,-60 80,60 80,179 -80,179 -80,60 -80,-60 -80,-179";
    let v = ingest_weather(&f, extreme_alert("globe", globe)).await;
    let text = v.to_string();
    assert!(text.contains(r#""field":"area""#), "{text}");
    assert!(
        text.contains("globe") && text.contains("max_alert_area_km2"),
        "{text}"
    );
    let (s, v, _) = get(&f, route, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // About a million km² (southern Mexico and Guatemala): stored, adds hazard, but closes
    // no road.
    let region = "10,-97 19,-97 19,-88 10,-88 10,-97";
    let v = ingest_weather(&f, extreme_alert("region", region)).await;
    assert!(!v.to_string().contains(r#""field":"area""#), "{v}");
    let (s, v, _) = get(&f, route, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // A plausible extreme alert still closes the roads inside it (and only those).
    let local = "14.85,-92.32 14.97,-92.32 14.97,-92.18 14.85,-92.18 14.85,-92.32";
    ingest_weather(&f, extreme_alert("local", local)).await;
    let (s, v, _) = get(&f, route, None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(is_error(&v));
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
