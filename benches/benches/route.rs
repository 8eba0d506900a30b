//! The safer-route query (`Engine::route`): one route, and one with 3 alternatives (a sweep
//! of 9 aversions), on three networks — Andorra (OSM), the default Travel Mapping corridor
//! network with the real incident record, and a generated road-like graph of 1M junctions
//! with synthetic incident hotspots — plus the generalised weights for a new aversion.
//! Engines are built once, outside the timing loops; query pairs are seeded random nodes.
//!
//! Figures (release, 2 shared cores, criterion medians; `cargo bench -p senda-benches --bench
//! route`), one query = snap both ends + 2 searches (requested aversion and the fastest), or 9
//! with 3 alternatives, run in parallel over the sweep:
//!
//! | network | foot, 0 alt. | foot, 3 alt. | vehicle, 0 alt. | vehicle, 3 alt. | weights |
//! |---|---|---|---|---|---|
//! | Andorra OSM (2.3k nodes, 5.4k edges) | 0.52 ms | 0.72 ms | 0.25 ms | 0.84 ms | 36 µs |
//! | Travel Mapping corridor (16.7k nodes, 37.8k edges) | 1.9 ms | 7.7 ms | 2.6 ms | 7.6 ms | 0.28 ms |
//! | Tapachula → Monterrey on it (foot) | 2.4 ms | 6.2 ms | | | |
//! | generated 1M nodes, 3.7M edges | 105 ms | 488 ms | 203 ms | 614 ms | 29 ms |
//!
//! (`weights` = `Engine::weights` for a new aversion, sequential; the route query computes
//! all the aversions of its sweep in one parallel pass.)

use chrono::{DateTime, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use senda_core::engine::route::RouteQuery;
use senda_core::engine::{Engine, EngineConfig, EngineData, WeightQuery};
use senda_core::{Incident, LonLat, NodeId, Profile, RoadSegment};
use senda_ingest::{incidents, roads, Input};
use std::hint::black_box;
use std::time::Instant;

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 10, 1, 0, 0, 0).unwrap()
}

use senda_benches::Rng;

fn synthetic_incidents(roads: &[RoadSegment], hotspots: usize, count: usize) -> Vec<Incident> {
    senda_benches::hotspot_incidents(roads, hotspots, count, at())
}

fn build(name: &str, data: EngineData) -> Engine {
    let t = Instant::now();
    let engine = Engine::build(data, at(), EngineConfig::default()).unwrap();
    eprintln!(
        "{name}: engine built in {:.1} s ({} nodes, {} edges)",
        t.elapsed().as_secs_f64(),
        engine.graph().node_count(),
        engine.graph().edge_count()
    );
    engine
}

/// Seeded pairs of node positions that route on `profile`.
fn pairs(engine: &Engine, profile: Profile, n: usize, seed: u64) -> Vec<(LonLat, LonLat)> {
    let mut rng = Rng(seed);
    let g = engine.graph();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let a = g.node_position(NodeId(rng.below(g.node_count()) as u32));
        let b = g.node_position(NodeId(rng.below(g.node_count()) as u32));
        let q = RouteQuery {
            profile,
            ..RouteQuery::new(a, b)
        };
        if engine.route(&q).is_ok() {
            out.push((a, b));
        }
    }
    out
}

/// The routes of [`bench_routes`] again with the speed-up prepared (CCH; the index time is
/// printed: it is what `senda serve` spends in the background after startup).
fn bench_routes_cch(c: &mut Criterion, name: &str, engine: &Engine, samples: usize) {
    let t = Instant::now();
    engine.prepare_speedup();
    eprintln!(
        "{name}: speed-up prepared (order, structure, foot and vehicle at 0.5) in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let mut g = c.benchmark_group(format!("route-cch/{name}"));
    g.sample_size(samples);
    for profile in Profile::ALL {
        let qs = pairs(engine, profile, 50, 7);
        for alternatives in [0, 3] {
            let mut i = 0;
            g.bench_function(format!("{profile}/alternatives={alternatives}"), |b| {
                b.iter(|| {
                    let (from, to) = qs[i % qs.len()];
                    i += 1;
                    let q = RouteQuery {
                        profile,
                        alternatives,
                        ..RouteQuery::new(from, to)
                    };
                    black_box(engine.route(&q).unwrap().routes.len())
                })
            });
        }
    }
    g.finish();
}

fn bench_routes(c: &mut Criterion, name: &str, engine: &Engine, samples: usize, pairs_n: usize) {
    let mut g = c.benchmark_group(format!("route/{name}"));
    g.sample_size(samples);
    for profile in Profile::ALL {
        let qs = pairs(engine, profile, pairs_n, 7);
        for alternatives in [0, 3] {
            let mut i = 0;
            g.bench_function(format!("{profile}/alternatives={alternatives}"), |b| {
                b.iter(|| {
                    let (from, to) = qs[i % qs.len()];
                    i += 1;
                    let q = RouteQuery {
                        profile,
                        alternatives,
                        ..RouteQuery::new(from, to)
                    };
                    black_box(engine.route(&q).unwrap().routes.len())
                })
            });
        }
    }
    let mut k = 0;
    g.bench_function("weights/new-aversion", |b| {
        b.iter(|| {
            k += 1;
            let q = WeightQuery {
                aversion: (k % 97) as f64 / 96.0,
                ..WeightQuery::default()
            };
            black_box(engine.weights(&q).unwrap().len())
        })
    });
    g.finish();
}

fn andorra(c: &mut Criterion) {
    let input = Input::from_path(&senda_testkit::test_file("osm/andorra.osm.pbf")).unwrap();
    let roads: Vec<RoadSegment> = roads::read(&input)
        .unwrap()
        .roads
        .records
        .into_iter()
        .map(|r| r.record)
        .collect();
    let data = EngineData {
        incidents: synthetic_incidents(&roads, 10, 500),
        roads,
        ..EngineData::default()
    };
    let engine = build("andorra", data);
    bench_routes(c, "andorra", &engine, 30, 50);
    bench_routes_cch(c, "andorra", &engine, 30);
}

fn travel_mapping(c: &mut Criterion) {
    let read = |rel: &str| Input::from_path(&senda_testkit::data_file(rel)).unwrap();
    let roads: Vec<RoadSegment> = roads::read(&read("roads/tm_mesoamerica_segments.geojson"))
        .unwrap()
        .roads
        .records
        .into_iter()
        .map(|r| r.record)
        .collect();
    let incidents = incidents::read(&read("incidents/iom_mmp_mesoamerica_2014_2025_hxl.csv"))
        .unwrap()
        .records
        .into_iter()
        .map(|r| r.record)
        .collect();
    let engine = build(
        "travel-mapping",
        EngineData {
            roads,
            incidents,
            ..EngineData::default()
        },
    );
    // The corridor's long haul.
    let tapachula = LonLat::new(-92.2667, 14.9056).unwrap();
    let monterrey = LonLat::new(-100.3161, 25.6866).unwrap();
    let mut g = c.benchmark_group("route/travel-mapping");
    g.sample_size(20);
    for alternatives in [0, 3] {
        g.bench_function(
            format!("tapachula-monterrey/foot/alternatives={alternatives}"),
            |b| {
                b.iter(|| {
                    let q = RouteQuery {
                        alternatives,
                        ..RouteQuery::new(tapachula, monterrey)
                    };
                    black_box(engine.route(&q).unwrap().routes.len())
                })
            },
        );
    }
    g.finish();
    bench_routes(c, "travel-mapping", &engine, 20, 50);
    bench_routes_cch(c, "travel-mapping", &engine, 20);
}

fn generated_1m(c: &mut Criterion) {
    let t = Instant::now();
    let roads = senda_testkit::gen::road_like_graph(1_000_000, 42);
    eprintln!(
        "generated-1m: {} segments in {:.1} s",
        roads.len(),
        t.elapsed().as_secs_f64()
    );
    let data = EngineData {
        incidents: synthetic_incidents(&roads, 200, 20_000),
        roads,
        ..EngineData::default()
    };
    let engine = build("generated-1m", data);
    bench_routes(c, "generated-1m", &engine, 10, 20);
}

criterion_group!(benches, andorra, travel_mapping, generated_1m);
criterion_main!(benches);
