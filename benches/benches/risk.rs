//! Risk field: build from many incidents; from 1,000 new incidents to updated edge costs on
//! the default network; integrating the field along lines.

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use senda_core::engine::{Engine, EngineConfig};
use senda_core::risk::{RiskConfig, RiskField, RiskProfile};
use senda_core::LonLat;

const CORRIDOR: [f64; 4] = [-118.0, 7.0, -77.0, 33.0];

fn at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 10, 1, 0, 0, 0).unwrap()
}

fn build_field(c: &mut Criterion) {
    let mut g = c.benchmark_group("risk/build");
    g.sample_size(10);
    for n in [100_000usize, 1_000_000] {
        let incidents = senda_testkit::gen::incidents(n, 7, CORRIDOR, at(), 0);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(format!("{n}_incidents"), |b| {
            b.iter(|| {
                RiskField::build(&incidents, &[], at(), &RiskConfig::default())
                    .unwrap()
                    .len()
            })
        });
    }
    g.finish();
}

/// The default network (Travel Mapping + Natural Earth rail) with the real Missing Migrants
/// incidents, then 1,000 new incidents in the corridor → updated edge risks (both profiles).
fn update_edges(c: &mut Criterion) {
    let data = senda_ingest::defaults::engine_data().unwrap();
    let engine = Engine::build(data, at(), EngineConfig::default()).unwrap();
    let new =
        senda_testkit::gen::incidents(1_000, 11, [-105.0, 14.0, -87.0, 27.0], at(), 10_000_000);
    let mut g = c.benchmark_group("risk/update");
    g.sample_size(20);
    g.bench_function("1000_incidents_to_edge_costs_default_network", |b| {
        b.iter(|| engine.add_incidents(&new).unwrap().1)
    });
    g.finish();
}

fn integrate(c: &mut Criterion) {
    let incidents = senda_testkit::gen::incidents(100_000, 3, [-100.0, 14.0, -88.0, 20.0], at(), 0);
    let field = RiskField::build(&incidents, &[], at(), &RiskConfig::default()).unwrap();
    // A 100 km polyline of 1 km pieces across the dense area.
    let line: Vec<LonLat> = (0..=100)
        .map(|k| LonLat::new(-95.0 + k as f64 * 0.0093, 17.0).unwrap())
        .collect();
    let mut g = c.benchmark_group("risk/integrate");
    g.throughput(Throughput::Elements(100)); // kilometres
    g.bench_function("per_km", |b| {
        b.iter_batched(
            || &line,
            |l| field.integrate(l, RiskProfile::Foot).exposure,
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, build_field, update_edges, integrate);
criterion_main!(benches);
