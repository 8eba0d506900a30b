//! The HTTP service under load: the real server (`senda_server::serve` on a loopback port, the
//! default data in a real SQLite file) and a real HTTP client in the same process, sharing the
//! machine's 2 cores.
//!
//! - `serve/route`: `GET /api/v1/route` between seeded random pairs of corridor towns (snap,
//!   two searches, GeoJSON), 16 requests in flight; criterion's time per request is the
//!   inverse of the throughput. Every latency is also recorded and the p50/p99 printed.
//! - `serve/tile_cold`: a tile never asked for before (rendered, compressed), one at a time,
//!   among the z12 tiles that hold roads (then their z13 children).
//! - `serve/tile_cached`: the same tile again (the in-memory tile cache), one at a time and
//!   16 in flight.
//!
//! `cargo bench -p senda-benches --bench serve`; figures in benches/README.md.

use criterion::{criterion_group, criterion_main, Criterion};
use senda_server::{AppState, ServerConfig};
use senda_store::Store;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Requests in flight for the load benchmarks.
const IN_FLIGHT: usize = 16;

/// Towns along the corridor (lon, lat): routes between them cross several states.
const TOWNS: &[(f64, f64)] = &[
    (-92.27, 14.91),  // Tapachula
    (-93.12, 16.75),  // Tuxtla Gutiérrez
    (-96.73, 17.06),  // Oaxaca
    (-96.13, 19.17),  // Veracruz
    (-98.20, 19.04),  // Puebla
    (-99.13, 19.43),  // Mexico City
    (-100.39, 20.59), // Querétaro
    (-100.98, 22.15), // San Luis Potosí
    (-100.32, 25.69), // Monterrey
    (-99.51, 27.48),  // Nuevo Laredo
    (-90.51, 14.64),  // Guatemala City
    (-89.19, 13.69),  // San Salvador
];

struct Bench {
    runtime: tokio::runtime::Runtime,
    base: String,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

fn bench_server() -> &'static Bench {
    static B: OnceLock<Bench> = OnceLock::new();
    B.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("senda.db")).unwrap();
        senda_server::store_default_data(&mut store).unwrap();
        let config = ServerConfig {
            rate_per_s: 0.0,
            // Large enough that the cold benchmark never evicts what it needs.
            tile_cache_entries: 1 << 20,
            ..ServerConfig::default()
        };
        let state = AppState::new(store, config).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        runtime.spawn(senda_server::serve(state, listener));
        // As browsers do: answers may come gzip-compressed (they are not decoded here).
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT_ENCODING,
            reqwest::header::HeaderValue::from_static("gzip"),
        );
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .pool_max_idle_per_host(IN_FLIGHT)
            .build()
            .unwrap();
        Bench {
            runtime,
            base,
            client,
            _dir: dir,
        }
    })
}

/// Runs `n` GETs with `in_flight` at a time; returns the wall time and each latency.
fn load(b: &Bench, urls: Vec<String>, in_flight: usize) -> (Duration, Vec<Duration>) {
    let urls = Arc::new(urls);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    b.runtime.block_on(async {
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..in_flight {
            let (urls, next, client) = (urls.clone(), next.clone(), b.client.clone());
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(url) = urls.get(i) else { break };
                    let t = Instant::now();
                    let res = client.get(url).send().await.expect("request");
                    let status = res.status();
                    let _ = res.bytes().await.expect("body");
                    assert!(status.is_success(), "{url}: {status}");
                    lat.push(t.elapsed());
                }
                lat
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        (start.elapsed(), all)
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(name: &str, lat: &mut [Duration], wall: Duration) {
    lat.sort_unstable();
    eprintln!(
        "{name}: {} requests, {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        lat.len(),
        lat.len() as f64 / wall.as_secs_f64(),
        percentile(lat, 0.5).as_secs_f64() * 1e3,
        percentile(lat, 0.99).as_secs_f64() * 1e3,
        lat[lat.len() - 1].as_secs_f64() * 1e3,
    );
}

fn route_urls(b: &Bench, n: usize, seed: &mut u64) -> Vec<String> {
    (0..n)
        .map(|_| {
            *seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let i = (*seed >> 33) as usize % TOWNS.len();
            let j = (i + 1 + (*seed >> 13) as usize % (TOWNS.len() - 1)) % TOWNS.len();
            let (a, z) = (TOWNS[i], TOWNS[j]);
            format!(
                "{}/api/v1/route?from={},{}&to={},{}",
                b.base, a.0, a.1, z.0, z.1
            )
        })
        .collect()
}

fn route(c: &mut Criterion) {
    let b = bench_server();
    let mut seed = 7u64;
    // A fixed sample for the percentiles: 2,000 requests, 16 in flight.
    let (wall, mut lat) = load(b, route_urls(b, 2_000, &mut seed), IN_FLIGHT);
    report("serve/route (2,000 requests, 16 in flight)", &mut lat, wall);

    let mut g = c.benchmark_group("serve");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.bench_function("route_16_in_flight", |bn| {
        bn.iter_custom(|iters| {
            let urls = route_urls(b, iters as usize, &mut seed);
            load(b, urls, IN_FLIGHT).0
        })
    });
    g.finish();
}

/// The z12 tiles that hold a road vertex of the default data, in a fixed order.
fn road_tiles() -> &'static [(u32, u32)] {
    static T: OnceLock<Vec<(u32, u32)>> = OnceLock::new();
    T.get_or_init(|| {
        let data = senda_ingest::defaults::engine_data().unwrap();
        let set: std::collections::BTreeSet<(u32, u32)> = data
            .roads
            .iter()
            .flat_map(|r| r.geometry.iter())
            .map(|p| {
                let t = senda_tiles::TileId::containing(p.lon(), p.lat(), 12).unwrap();
                (t.x(), t.y())
            })
            .collect();
        set.into_iter().collect()
    })
}

/// Distinct tiles of `layer` along the roads, never requested before this call (each layer
/// walks the road tiles once; past the end it moves on to z13 children, also unseen).
fn fresh_tiles(b: &Bench, layer: &str, n: usize) -> Vec<String> {
    static NEXT: Mutex<Vec<(String, usize)>> = Mutex::new(Vec::new());
    let mut next = NEXT.lock().unwrap();
    let k = match next.iter_mut().find(|(l, _)| l == layer) {
        Some((_, k)) => k,
        None => {
            next.push((layer.to_owned(), 0));
            &mut next.last_mut().unwrap().1
        }
    };
    let tiles = road_tiles();
    (0..n)
        .map(|_| {
            let i = *k;
            *k += 1;
            let (x, y) = tiles[i % tiles.len()];
            match i / tiles.len() {
                0 => format!("{}/tiles/{layer}/12/{x}/{y}.mvt", b.base),
                round => {
                    let (dx, dy) = ((round - 1) as u32 % 2, (round - 1) as u32 / 2 % 2);
                    format!(
                        "{}/tiles/{layer}/13/{}/{}.mvt",
                        b.base,
                        2 * x + dx,
                        2 * y + dy
                    )
                }
            }
        })
        .collect()
}

fn tiles(c: &mut Criterion) {
    let b = bench_server();
    let mut g = c.benchmark_group("serve");
    g.sample_size(20);
    for layer in ["roads", "risk"] {
        let urls = fresh_tiles(b, layer, 1_000);
        let (wall, mut lat) = load(b, urls, 1);
        report(
            &format!("serve/tile_cold {layer} z12 (1,000 tiles, 1 at a time)"),
            &mut lat,
            wall,
        );
        g.bench_function(format!("tile_cold_{layer}_z12"), |bn| {
            bn.iter_custom(|iters| load(b, fresh_tiles(b, layer, iters as usize), 1).0)
        });
    }
    // A typical tile: Tapachula's roads at z12.
    let hot = format!("{}/tiles/roads/12/998/1876.mvt", b.base);
    let (wall, mut lat) = load(b, vec![hot.clone(); 20_000], IN_FLIGHT);
    report(
        "serve/tile_cached (20,000 requests, 16 in flight)",
        &mut lat,
        wall,
    );
    g.bench_function("tile_cached_one_at_a_time", |bn| {
        bn.iter_custom(|iters| load(b, vec![hot.clone(); iters as usize], 1).0)
    });
    g.bench_function("tile_cached_16_in_flight", |bn| {
        bn.iter_custom(|iters| load(b, vec![hot.clone(); iters as usize], IN_FLIGHT).0)
    });
    g.finish();
}

criterion_group!(benches, route, tiles);
criterion_main!(benches);
