//! Stage plans on the default data (data/: the corridor's highway network, its shelters and
//! the GeoNames gazetteer of 13,402 towns, 8,095 of them snapped for foot): on foot at 8 h a
//! day, Tapachula → Tuxtla Gutiérrez (377 km, 10 days) and Tapachula → Monterrey (1,791 km,
//! 45 days); by vehicle, Tapachula → Monterrey (1,985 km, 3 days: a vehicle's day reaches most
//! of the network, so each stop explored settles thousands of nodes). Figures in
//! benches/README.md.

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use senda_core::engine::plan::PlanQuery;
use senda_core::engine::{Engine, EngineConfig};
use senda_core::{LonLat, Profile};

fn plans(c: &mut Criterion) {
    let at = Utc.with_ymd_and_hms(2025, 10, 1, 0, 0, 0).unwrap();
    let data = senda_ingest::defaults::engine_data().unwrap();
    let engine = Engine::build(data, at, EngineConfig::default()).unwrap();
    let p = |lon, lat| LonLat::new(lon, lat).unwrap();
    let tapachula = p(-92.2667, 14.9056);
    let cases = [
        ("foot_tapachula_tuxtla", p(-93.1161, 16.7528), Profile::Foot),
        (
            "foot_tapachula_monterrey",
            p(-100.3161, 25.6866),
            Profile::Foot,
        ),
        (
            "vehicle_tapachula_monterrey",
            p(-100.3161, 25.6866),
            Profile::Vehicle,
        ),
    ];
    let mut g = c.benchmark_group("plan");
    g.sample_size(10);
    for (name, to, profile) in cases {
        let mut q = PlanQuery::new(tapachula, to);
        q.profile = profile;
        g.bench_function(name, |b| b.iter(|| engine.plan(&q).unwrap().nights));
    }
    g.finish();
}

criterion_group!(benches, plans);
criterion_main!(benches);
