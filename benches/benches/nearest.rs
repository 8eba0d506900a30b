//! Nearest shelters on the default data (data/: 80 service points, 16,906 nodes, 38,358
//! edges): by air (k = 1 and k = 5, against a brute-force haversine scan as the baseline) and
//! by road (foot and vehicle, k = 5, with a reused search state and precomputed weights).
//! Target: ≥ 1,000,000 air queries/s on one core.
//!
//! Figures (release, one core, on a shared 2-core machine under load ≈ 4, so pessimistic):
//!
//! | bench | queries/s |
//! |---|---|
//! | air k=1 | 2.8–3.1 M (brute force 0.29–0.31 M) |
//! | air k=5 | 1.04–1.24 M (brute force 0.18–0.26 M) |
//! | road foot k=5 | 2.1–3.1 k |
//! | road vehicle k=5 | 1.8–3.0 k |
//!
//! Road queries settle most of the network: the default shelters are ~200 km apart.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use senda_core::engine::nearest::{NearestBy, NearestQuery, NearestSearch};
use senda_core::engine::{Engine, EngineConfig, EngineData};
use senda_core::{haversine_m, LonLat, NodeId, Profile, RecordKind};
use senda_ingest::countries::Countries;
use senda_ingest::{Input, Records};
use std::hint::black_box;

fn default_engine() -> Engine {
    let files = [
        (RecordKind::Roads, "roads/tm_mesoamerica_segments.geojson"),
        (
            RecordKind::Roads,
            "naturalearth/mesoamerica_ne_10m_railroads.geojson",
        ),
        (
            RecordKind::Transit,
            "naturalearth/mesoamerica_ne_10m_populated_places_simple.geojson",
        ),
        (
            RecordKind::Shelters,
            "shelters/thewetzone_places_sv_gt_mx_us.csv",
        ),
        (
            RecordKind::Shelters,
            "shelters/tijuana_migrant_services_hakkindavid.csv",
        ),
        (
            RecordKind::Incidents,
            "incidents/iom_mmp_mesoamerica_2014_2025_hxl.csv",
        ),
    ];
    let mut data = EngineData::default();
    for (kind, rel) in files {
        let input = Input::from_path(&senda_testkit::data_file(rel)).unwrap();
        match senda_ingest::read(kind, &input, Countries::corridor()).unwrap() {
            Records::Network(n) => data
                .roads
                .extend(n.roads.records.into_iter().map(|r| r.record)),
            Records::Transit(o) => data.transit.extend(o.records.into_iter().map(|r| r.record)),
            Records::Shelters(o) => data
                .shelters
                .extend(o.records.into_iter().map(|r| r.record)),
            Records::Incidents(o) => data
                .incidents
                .extend(o.records.into_iter().map(|r| r.record)),
            Records::Weather(o) => data.alerts.extend(o.records.into_iter().map(|r| r.record)),
        }
    }
    // Risk as of the latest report.
    let at = data.incidents.iter().map(|i| i.occurred_at).max().unwrap();
    Engine::build(data, at, EngineConfig::default()).unwrap()
}

/// A fixed pseudo-random sequence in [0, 1) (no extra dependency).
fn unit(seed: &mut u64) -> f64 {
    *seed = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    (*seed >> 11) as f64 / (1u64 << 53) as f64
}

fn nearest(c: &mut Criterion) {
    let engine = default_engine();
    eprintln!(
        "default data: {} shelters, {} nodes, {} edges",
        engine.shelters().len(),
        engine.graph().node_count(),
        engine.graph().edge_count()
    );
    let mut seed = 7;
    // Air: anywhere in the corridor's bounding box (Panamá to Tijuana).
    let air_points: Vec<LonLat> = (0..10_000)
        .map(|_| {
            LonLat::new(
                -117.5 + 40.0 * unit(&mut seed),
                7.5 + 25.0 * unit(&mut seed),
            )
            .unwrap()
        })
        .collect();
    let mut g = c.benchmark_group("nearest/air");
    g.throughput(Throughput::Elements(air_points.len() as u64));
    for k in [1, 5] {
        let mut q = NearestQuery::new(air_points[0]);
        q.k = k;
        g.bench_function(format!("k={k}"), |b| {
            b.iter(|| {
                let mut found = 0;
                for &p in &air_points {
                    q.at = p;
                    found += engine.nearest_air(black_box(&q)).unwrap().shelters.len();
                }
                found
            })
        });
        // Baseline: scan every shelter, sort the matching ones.
        g.bench_function(format!("k={k} brute force"), |b| {
            b.iter(|| {
                let mut found = 0;
                let mut all = Vec::new();
                for &p in &air_points {
                    q.at = p;
                    all.clear();
                    all.extend(
                        engine
                            .shelters()
                            .iter()
                            .enumerate()
                            .filter(|(_, s)| q.matches(s))
                            .map(|(i, s)| (haversine_m(p, s.location), i)),
                    );
                    all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                    found += all.len().min(k);
                }
                found
            })
        });
    }
    g.finish();

    // Road: from the network's nodes, a little off the road.
    let graph = engine.graph();
    let road_points: Vec<LonLat> = (0..200)
        .map(|_| {
            let v = (unit(&mut seed) * graph.node_count() as f64) as u32;
            let p = graph.node_position(NodeId(v));
            LonLat::new(
                p.lon() + 0.01 * (unit(&mut seed) - 0.5),
                p.lat() + 0.01 * (unit(&mut seed) - 0.5),
            )
            .unwrap()
        })
        .collect();
    let mut g = c.benchmark_group("nearest/road");
    g.throughput(Throughput::Elements(road_points.len() as u64));
    g.sample_size(10);
    for profile in [Profile::Foot, Profile::Vehicle] {
        let mut q = NearestQuery::new(road_points[0]);
        q.by = NearestBy::Road;
        q.profile = profile;
        let weights = engine.weights(&q.weight_query()).unwrap();
        let mut search = NearestSearch::new();
        g.bench_function(format!("{profile} k=5"), |b| {
            b.iter(|| {
                let mut found = 0;
                for &p in &road_points {
                    q.at = p;
                    if let Ok(a) = search.nearest_road(&engine, black_box(&q), &weights) {
                        found += a.shelters.len();
                    }
                }
                found
            })
        });
    }
    g.finish();
}

criterion_group!(benches, nearest);
criterion_main!(benches);
