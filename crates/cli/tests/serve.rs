//! `senda serve` end to end: the real binary on a free loopback port, over a copy of a database
//! that holds the bundled default data (loaded once per test run with `senda init`), driven by
//! a real HTTP client. Also `senda tiles export`.
//!
//! - the API, tiles, OpenAPI document and metrics over HTTP, bad input included;
//! - data acknowledged by the ingest endpoint is served after a SIGKILL and a restart;
//! - under a bounded loopback load, an ingest swaps a new engine snapshot in: the next route
//!   and tile reflect it, and no request fails meanwhile.

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, OnceLock};
use std::time::Duration;

const TAPACHULA: [f64; 2] = [-92.2667, 14.9056];
const HUIXTLA: [f64; 2] = [-92.4667, 15.1333];

fn senda(args: &[&str], db: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_senda"))
        .args(args)
        .arg("--db")
        .arg(db)
        .output()
        .unwrap()
}

/// A database holding the default data, made once per test process.
fn prepared_db() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("serve-default-db-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("default.db");
        let out = senda(&["init"], &db);
        assert!(
            out.status.success(),
            "senda init: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        db
    })
}

/// A private copy of the prepared database.
fn fresh_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("senda.db");
    let src = prepared_db();
    std::fs::copy(src, &db).unwrap();
    for ext in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{ext}", src.display()));
        if side.exists() {
            std::fs::copy(&side, format!("{}{ext}", db.display())).unwrap();
        }
    }
    (dir, db)
}

fn token(db: &Path, role: &str) -> String {
    let out = senda(&["token", "create", "--role", role], db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A running `senda serve`; killed (SIGKILL) when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(db: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_senda"))
            .args(["serve", "--addr", "127.0.0.1:0", "--db"])
            .arg(db)
            .args(extra)
            .env("SENDA_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                match line.strip_prefix("senda: listening on ") {
                    Some(url) => {
                        let _ = tx.send(url.to_owned());
                    }
                    None => eprintln!("[senda serve] {line}"),
                }
            }
        });
        let base = match rx.recv_timeout(Duration::from_secs(600)) {
            Ok(url) => url,
            Err(e) => {
                let _ = child.kill();
                panic!("senda serve did not start listening: {e}");
            }
        };
        Server { child, base }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// SIGKILL: no shutdown handler runs.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{}: not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

async fn get(c: &Client, url: &str, token: Option<&str>) -> Reply {
    let mut req = c.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    reply(res).await
}

async fn post(c: &Client, url: &str, token: &str, body: String) -> Reply {
    let res = c
        .post(url)
        .bearer_auth(token)
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
    reply(res).await
}

/// Posts `n` incidents around `spot` (see [`incidents_geojson`]); the answer must be a 200.
async fn ingest_incidents(
    c: &Client,
    s: &Server,
    token: &str,
    id: &str,
    spot: [f64; 2],
    n: usize,
) -> Value {
    let r = post(
        c,
        &s.url("/api/v1/ingest/incidents"),
        token,
        incidents_geojson(id, spot, n),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    r.json()
}

async fn reply(res: reqwest::Response) -> Reply {
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.bytes().await.unwrap().to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

fn is_error(v: &Value) -> bool {
    v["code"].is_string() && v["message"].is_string() && v.get("details").is_some()
}

fn ll(p: [f64; 2]) -> String {
    format!("{},{}", p[0], p[1])
}

/// Slippy-map tile containing a point.
fn tile_of(p: [f64; 2], z: u8) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = ((p[0] + 180.0) / 360.0 * n).floor() as u32;
    let lat = p[1].to_radians();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor()
        as u32;
    (x, y)
}

/// `n` violent incidents a few metres apart around `p`, dated yesterday, as GeoJSON.
fn incidents_geojson(prefix: &str, p: [f64; 2], n: usize) -> String {
    let day = (chrono::Utc::now() - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let features: Vec<Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": [p[0] + i as f64 * 1e-4, p[1]] },
                "properties": { "id": format!("{prefix}-{i}"), "date": day, "category": "violence", "severity": 4 }
            })
        })
        .collect();
    serde_json::json!({ "type": "FeatureCollection", "features": features }).to_string()
}

fn route_url(s: &Server, from: [f64; 2], to: [f64; 2], aversion: f64) -> String {
    s.url(&format!(
        "/api/v1/route?from={}&to={}&aversion={aversion}",
        ll(from),
        ll(to)
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_tiles_openapi_and_metrics_over_http() {
    let (_dir, db) = fresh_db();
    let analyst = token(&db, "analyst");
    let admin = token(&db, "admin");
    let s = Server::start(&db, &[]);
    let c = Client::new();

    let r = get(&c, &s.url("/healthz"), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json()["generation"].is_u64(), "{}", r.json());

    let r = get(&c, &s.url("/openapi.json"), None).await;
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/route",
        "/api/v1/shelters/nearest",
        "/api/v1/plan",
        "/tiles/{layer}/{z}/{x}/{y}.mvt",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} undocumented");
    }

    // The safer route with alternatives, as RFC 7946 GeoJSON.
    let r = get(
        &c,
        &format!("{}&alternatives=2", route_url(&s, TAPACHULA, HUIXTLA, 0.7)),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    let fc = r.json();
    let features = fc["features"].as_array().unwrap();
    assert!(!features.is_empty());
    let chosen = &features[0];
    assert_eq!(chosen["geometry"]["type"], "LineString");
    let first = &chosen["geometry"]["coordinates"][0];
    assert!(
        (first[0].as_f64().unwrap() - TAPACHULA[0]).abs() < 0.1,
        "lon first"
    );
    assert!(chosen["properties"]["distance_m"].as_f64().unwrap() > 20_000.0);

    // Compressed on the wire when the client asks.
    let res = c
        .get(s.url(&format!(
            "/api/v1/shelters/nearest?at={}&k=3",
            ll(TAPACHULA)
        )))
        .header("accept-encoding", HeaderValue::from_static("gzip"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-encoding"], "gzip");

    let r = get(
        &c,
        &s.url(&format!(
            "/api/v1/plan?from={}&to={}&max_daily_hours=10",
            ll(TAPACHULA),
            ll(HUIXTLA)
        )),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());

    // A tile with its validator, then a conditional request.
    let (x, y) = tile_of(TAPACHULA, 8);
    let url = s.url(&format!("/tiles/roads/8/{x}/{y}.mvt"));
    let r = get(&c, &url, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").contains("vnd.mapbox-vector-tile"));
    assert!(r.header("cache-control").starts_with("public"));
    let etag = r.header("etag").to_owned();
    assert!(!etag.is_empty());
    let res = c
        .get(&url)
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    let r = get(&c, &s.url("/tiles/risk.json"), None).await;
    assert_eq!(r.json()["tilejson"], "3.0.0");

    // Roles: raw incidents for analysts only, never cached publicly.
    let r = get(&c, &s.url("/api/v1/incidents"), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(is_error(&r.json()));
    let r = get(
        &c,
        &s.url("/api/v1/incidents?bbox=-93,14.5,-92,15.5"),
        Some(&analyst),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("cache-control").starts_with("private"));
    assert!(!r.json()["features"].as_array().unwrap().is_empty());

    // Caller mistakes: a JSON 4xx that names the field.
    for (path, field) in [
        ("/api/v1/route?from=200,14&to=-92.4,15.1", "from"),
        (
            "/api/v1/route?from=-92.2,14.9&to=-92.4,15.1&aversion=3",
            "aversion",
        ),
        (
            "/api/v1/route?from=-92.2,14.9&to=-92.4,15.1&alternatives=99",
            "alternatives",
        ),
        ("/api/v1/shelters/nearest?at=-92.2,14.9&k=0", "k"),
    ] {
        let r = get(&c, &s.url(path), None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
        let v = r.json();
        assert!(is_error(&v) && v.to_string().contains(field), "{path}: {v}");
    }
    let r = get(&c, &s.url("/no/such/thing"), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(is_error(&r.json()));

    // Every request above was counted; the metrics are for admins.
    let r = get(&c, &s.url("/metrics"), Some(&analyst)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = get(&c, &s.url("/metrics"), Some(&admin)).await;
    let text = String::from_utf8(r.body).unwrap();
    assert!(
        text.contains("senda_http_requests_total{route=\"/api/v1/route\",status=\"200\"}"),
        "{text}"
    );
    assert!(text.contains("senda_http_request_duration_seconds_bucket"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_ingest_is_served_after_sigkill() {
    let (_dir, db) = fresh_db();
    let ingest = token(&db, "ingest");
    let analyst = token(&db, "analyst");
    let c = Client::new();
    let spot = [-92.1234, 14.7654];

    let s = Server::start(&db, &[]);
    let answer = ingest_incidents(&c, &s, &ingest, "sigkill", spot, 3).await;
    let part = &answer["parts"][0];
    assert_eq!(part["store"]["inserted"], 3, "{part}");
    // Acknowledged: kill the server at once, with no chance to flush anything more.
    s.kill();

    let s = Server::start(&db, &[]);
    let r = get(
        &c,
        &s.url("/api/v1/incidents?bbox=-92.2,14.7,-92.0,14.8"),
        Some(&analyst),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let text = r.json().to_string();
    for i in 0..3 {
        assert!(text.contains(&format!("sigkill-{i}")), "{text}");
    }
    // And the engine was built from them: the same file again changes nothing.
    let answer = ingest_incidents(&c, &s, &ingest, "sigkill", spot, 3).await;
    assert_eq!(answer["parts"][0]["store"]["unchanged"], 3, "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ingest_under_load_swaps_snapshot_without_a_failed_request() {
    let (_dir, db) = fresh_db();
    let ingest = token(&db, "ingest");
    let s = Server::start(&db, &["--rate-limit", "0"]);
    let c = Client::new();

    // The fastest route (aversion 0 keeps the path fixed) and a point on it.
    let fastest = route_url(&s, TAPACHULA, HUIXTLA, 0.0);
    let before = get(&c, &fastest, None).await.json();
    let coords = before["features"][0]["geometry"]["coordinates"]
        .as_array()
        .unwrap()
        .clone();
    let mid = &coords[coords.len() / 2];
    let spot = [mid[0].as_f64().unwrap(), mid[1].as_f64().unwrap()];
    let risk_before = before["features"][0]["properties"]["risk_exposure"]
        .as_f64()
        .unwrap();
    let (tx, ty) = tile_of(spot, 12);
    let risk_tile = s.url(&format!("/tiles/risk/12/{tx}/{ty}.mvt"));
    let etag_before = get(&c, &risk_tile, None).await.header("etag").to_owned();

    // Bounded load: 4 clients asking for routes and tiles until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let (done, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut clients = Vec::new();
    for i in 0..4 {
        let (c, stop, done, failed) = (c.clone(), stop.clone(), done.clone(), failed.clone());
        let urls = [
            route_url(&s, TAPACHULA, HUIXTLA, 0.25 * i as f64),
            s.url(&format!(
                "/tiles/roads/10/{}/{}.mvt",
                tile_of(TAPACHULA, 10).0,
                tile_of(TAPACHULA, 10).1
            )),
            risk_tile.clone(),
            s.url(&format!(
                "/api/v1/shelters/nearest?at={}&k=3&by=road",
                ll(TAPACHULA)
            )),
        ];
        clients.push(tokio::spawn(async move {
            let mut n = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let url = &urls[n % urls.len()];
                n += 1;
                match c.get(url).send().await {
                    Ok(res) if res.status().is_success() => {
                        let _ = res.bytes().await;
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(res) => {
                        eprintln!("{url}: {}", res.status());
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => {
                        eprintln!("{url}: {e}");
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }

    // Two ingests while the load runs, each acknowledged after its snapshot is swapped in.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let answer = ingest_incidents(&c, &s, &ingest, "live", spot, 6).await;
    let generation = answer["generation"].as_u64().unwrap();
    // The very next requests see the new data: no restart, no waiting.
    let after = get(&c, &fastest, None).await.json();
    let risk_after = after["features"][0]["properties"]["risk_exposure"]
        .as_f64()
        .unwrap();
    assert!(
        risk_after > risk_before,
        "route risk {risk_before} -> {risk_after} after 6 reports on the route"
    );
    let r = get(&c, &risk_tile, None).await;
    assert_ne!(
        r.header("etag"),
        etag_before,
        "the risk tile did not change"
    );
    let health = get(&c, &s.url("/healthz"), None).await.json();
    assert!(health["generation"].as_u64().unwrap() >= generation);

    let shelter = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[-92.27,14.91]},"properties":{"id":"live-shelter","name":"Albergue de Prueba en Vivo","kind":"shelter"}}]}"#;
    let r = post(
        &c,
        &s.url("/api/v1/ingest/shelters"),
        &ingest,
        shelter.to_owned(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    let listed = get(
        &c,
        &s.url("/api/v1/shelters?bbox=-92.3,14.9,-92.2,14.95"),
        None,
    )
    .await;
    assert!(
        String::from_utf8_lossy(&listed.body).contains("Albergue de Prueba en Vivo"),
        "the new shelter is not served"
    );

    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for cl in clients {
        cl.await.unwrap();
    }
    let (done, failed) = (done.load(Ordering::Relaxed), failed.load(Ordering::Relaxed));
    assert_eq!(failed, 0, "{failed} of {} requests failed", done + failed);
    assert!(done >= 20, "the load ran only {done} requests");
}

#[test]
fn tiles_export_writes_a_pmtiles_pack() {
    let (dir, db) = fresh_db();
    let out_path = dir.path().join("packs/tapachula.pmtiles");
    let out = senda(
        &[
            "tiles",
            "export",
            "--bbox=-92.5,14.6,-92.0,15.1",
            "--minzoom",
            "6",
            "--maxzoom",
            "11",
            "--out",
            out_path.to_str().unwrap(),
        ],
        &db,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(summary.contains("zooms 6..=11"), "{summary}");
    let bytes = std::fs::read(&out_path).unwrap();
    // PMTiles v3 header: magic, version, then (at 72) addressed tiles; zooms at 100 and 101.
    assert_eq!(&bytes[..7], b"PMTiles");
    assert_eq!(bytes[7], 3);
    let addressed = u64::from_le_bytes(bytes[72..80].try_into().unwrap());
    assert!(addressed > 0);
    assert!(
        summary.contains(&format!("{addressed} stored")),
        "{summary} vs {addressed}"
    );
    assert_eq!((bytes[100], bytes[101]), (6, 11));
    assert_eq!(bytes[99], 1, "tile type MVT");
    // No partial file is left beside it.
    let names: Vec<_> = std::fs::read_dir(out_path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");

    // Bad arguments are named and write nothing.
    for (args, needle) in [
        (
            vec!["--bbox=-92.5,14.6,-92.0", "--out", "x.pmtiles"],
            "bbox",
        ),
        (
            vec!["--bbox=-92.5,14.6,-92.0,15.1", "--out", "x.mbtiles"],
            ".pmtiles",
        ),
        (
            vec![
                "--bbox=-92.5,14.6,-92.0,15.1",
                "--minzoom",
                "9",
                "--maxzoom",
                "5",
                "--out",
                "x.pmtiles",
            ],
            "--minzoom",
        ),
        (
            vec![
                "--bbox=-92.5,14.6,-92.0,15.1",
                "--layers",
                "risk,nope",
                "--out",
                "x.pmtiles",
            ],
            "nope",
        ),
        (
            vec![
                "--bbox=-118,7,-77,33",
                "--maxzoom",
                "16",
                "--out",
                "x.pmtiles",
            ],
            "smaller box",
        ),
    ] {
        let mut all = vec!["tiles", "export"];
        all.extend(args);
        let out = senda(&all, &db);
        assert!(!out.status.success(), "{all:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{all:?}: {err}");
    }
    assert!(!Path::new("x.pmtiles").exists());
}

/// `senda token list` shows ids, roles and times, never a secret; `--expires-in` and
/// `--expires` set the expiry; `token revoke` marks it.
#[test]
fn token_list_shows_no_secret_and_revoke_marks_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tokens.db");
    let a = token(&db, "analyst");
    let out = senda(
        &["token", "create", "--role", "admin", "--expires-in", "30d"],
        &db,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let b = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let out = senda(
        &[
            "token",
            "create",
            "--role",
            "ingest",
            "--expires",
            "2099-01-01",
        ],
        &db,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Both forms at once, or an expiry already past: refused.
    for bad in [
        &["--expires-in", "1d", "--expires", "2099-01-01"][..],
        &["--expires", "2001-01-01"][..],
    ] {
        let mut args = vec!["token", "create", "--role", "admin"];
        args.extend_from_slice(bad);
        assert!(!senda(&args, &db).status.success(), "{bad:?}");
    }
    let id_of = |t: &str| t.split('_').nth(1).unwrap().to_owned();
    let out = senda(&["token", "revoke", &id_of(&a)], &db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Again: nothing to revoke.
    assert!(!senda(&["token", "revoke", &id_of(&a)], &db)
        .status
        .success());

    let out = senda(&["token", "list"], &db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("ID"), "{text}");
    for t in [&a, &b] {
        let secret = t.rsplit('_').next().unwrap();
        assert!(!text.contains(secret), "a secret is listed: {text}");
    }
    let line = |id: &str| *lines.iter().find(|l| l.starts_with(id)).unwrap();
    assert!(line(&id_of(&a)).contains("revoked"), "{text}");
    assert!(line(&id_of(&b)).contains("admin"), "{text}");
    assert!(line(&id_of(&b)).contains("active"), "{text}");
    assert!(text.contains("2099-01-01T00:00:00Z"), "{text}");
}

/// A token revoked with the CLI while `senda serve` runs is refused within seconds, and its
/// last use is recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_revoked_on_a_running_server_is_refused_within_seconds() {
    let (_dir, db) = fresh_db();
    let s = Server::start(&db, &[]);
    // Created after the server started: accepted at once.
    let analyst = token(&db, "analyst");
    let c = Client::new();
    let url = s.url("/api/v1/incidents?bbox=-92.2,14.7,-92.0,14.8");
    assert_eq!(get(&c, &url, Some(&analyst)).await.status, StatusCode::OK);

    let id = analyst.split('_').nth(1).unwrap();
    // The use is written by the server's token refresh (every 2 s).
    let listed = |db: &Path| String::from_utf8(senda(&["token", "list"], db).stdout).unwrap();
    let t0 = std::time::Instant::now();
    loop {
        let text = listed(&db);
        let line = text.lines().find(|l| l.starts_with(id)).unwrap().to_owned();
        // Columns: id, role, created, expires ("-"), last used.
        if line.split_whitespace().nth(4) != Some("-") {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "last use never recorded: {text}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let out = senda(&["token", "revoke", id], &db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let revoked = std::time::Instant::now();
    loop {
        let r = get(&c, &url, Some(&analyst)).await;
        if r.status == StatusCode::UNAUTHORIZED {
            assert!(is_error(&r.json()));
            break;
        }
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            revoked.elapsed() < Duration::from_secs(6),
            "the revoked token still works after {:?}",
            revoked.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Reads from `stream` until the server closes it (or `limit` passes, a failure), writing
/// `drip` every `every` meanwhile (ignoring write errors: the server may close first).
/// Returns when it closed and what it sent.
fn until_closed(
    stream: &mut std::net::TcpStream,
    drip: &[u8],
    every: Duration,
    limit: Duration,
) -> (Duration, String) {
    use std::io::{Read, Write};
    let t0 = std::time::Instant::now();
    stream.set_read_timeout(Some(every)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        assert!(
            t0.elapsed() < limit,
            "still open after {:?}; received {:?}",
            t0.elapsed(),
            String::from_utf8_lossy(&got)
        );
        if !drip.is_empty() {
            let _ = stream.write_all(drip);
        }
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            // Reset by the server: closed too.
            Err(_) => break,
        }
    }
    (t0.elapsed(), String::from_utf8_lossy(&got).into_owned())
}

fn connect(s: &Server) -> std::net::TcpStream {
    std::net::TcpStream::connect(s.base.trim_start_matches("http://")).unwrap()
}

/// Slow clients are cut off: a header line every 0.5 s after --header-timeout, an idle
/// keep-alive connection after it too, and a body trickling 10 bytes every 0.5 s after
/// --body-timeout.
#[test]
fn slow_headers_idle_connections_and_trickling_bodies_are_cut_off() {
    use std::io::Write;
    let (_dir, db) = fresh_db();
    let ingest = token(&db, "ingest");
    let s = Server::start(&db, &["--header-timeout", "2", "--body-timeout", "2"]);
    let limit = Duration::from_secs(8);
    let drip = Duration::from_millis(500);

    let mut slow = connect(&s);
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: senda\r\n")
        .unwrap();
    let (took, _) = until_closed(&mut slow, b"X-Slow: 1\r\n", drip, limit);
    assert!(took >= Duration::from_millis(1500), "closed after {took:?}");

    let mut idle = connect(&s);
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: senda\r\n\r\n")
        .unwrap();
    let (took, got) = until_closed(&mut idle, b"", drip, limit);
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
    assert!(took >= Duration::from_millis(1500), "closed after {took:?}");

    let mut trickle = connect(&s);
    write!(
        trickle,
        "POST /api/v1/ingest/incidents HTTP/1.1\r\nHost: senda\r\nAuthorization: Bearer {ingest}\r\n\
         Content-Type: application/geo+json\r\nContent-Length: 100000\r\n\r\n"
    )
    .unwrap();
    let (took, got) = until_closed(&mut trickle, b"          ", drip, limit);
    assert!(took >= Duration::from_millis(1500), "closed after {took:?}");
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
    assert!(got.contains("request_timeout"), "{got}");

    // The server still answers new clients.
    let mut fine = connect(&s);
    fine.write_all(b"GET /healthz HTTP/1.1\r\nHost: senda\r\nConnection: close\r\n\r\n")
        .unwrap();
    let (_, got) = until_closed(&mut fine, b"", drip, limit);
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
}

/// SIGTERM with an idle keep-alive connection and a half-sent request open: the server exits
/// within --shutdown-timeout (and with status 0).
#[test]
fn sigterm_with_open_connections_exits_within_the_deadline() {
    use std::io::Write;
    let (_dir, db) = fresh_db();
    // Header timeout far beyond the deadline: only the deadline can end these connections.
    let mut s = Server::start(&db, &["--header-timeout", "600", "--shutdown-timeout", "2"]);
    let mut idle = connect(&s);
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: senda\r\n\r\n")
        .unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut first = [0u8; 12];
    std::io::Read::read_exact(&mut idle, &mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    let mut half = connect(&s);
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: senda\r\n")
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));

    let t0 = std::time::Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &s.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(8),
            "senda serve still running {:?} after SIGTERM",
            t0.elapsed()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    drop((idle, half));
}

/// Past --max-connections, a new connection waits (in the listen backlog) until one closes.
#[test]
fn connections_past_the_cap_wait_for_a_free_slot() {
    use std::io::{Read, Write};
    let (_dir, db) = fresh_db();
    let s = Server::start(&db, &["--max-connections", "2", "--header-timeout", "600"]);
    let mut held: Vec<_> = (0..2)
        .map(|_| {
            let mut c = connect(&s);
            c.write_all(b"GET /healthz HTTP/1.1\r\nHost: senda\r\n")
                .unwrap();
            c
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let mut third = connect(&s);
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: senda\r\nConnection: close\r\n\r\n")
        .unwrap();
    third
        .set_read_timeout(Some(Duration::from_millis(1500)))
        .unwrap();
    let mut buf = [0u8; 64];
    match third.read(&mut buf) {
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) => {}
        other => panic!("answered past the cap: {other:?}"),
    }
    // A slot frees: the waiting connection is served.
    drop(held.pop());
    let (_, got) = until_closed(
        &mut third,
        b"",
        Duration::from_millis(500),
        Duration::from_secs(8),
    );
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
    drop(held);
}
