//! Vector tiles on the default data (Travel Mapping roads + Natural Earth rail and places,
//! the shelter lists, the Missing Migrants incidents): render latency per layer at zooms 6, 10
//! and 14, cycling through the tiles over a dozen places along the corridor (no cache: every
//! call renders), and building the tile source from an engine snapshot.

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use senda_core::engine::{Engine, EngineConfig, EngineData};
use senda_tiles::{Access, Layer, TileConfig, TileId, TileSource};
use std::hint::black_box;
use std::time::Duration;

/// Along the corridor, Tijuana to Panamá.
const PLACES: [(f64, f64); 12] = [
    (-117.04, 32.52), // Tijuana
    (-106.45, 31.69), // Ciudad Juárez
    (-99.13, 19.43),  // Ciudad de México
    (-96.72, 17.06),  // Oaxaca
    (-94.55, 16.55),  // Juchitán / Ixtepec (the rail corridor)
    (-92.27, 14.90),  // Tapachula
    (-90.51, 14.63),  // Guatemala City
    (-89.19, 13.69),  // San Salvador
    (-87.21, 14.07),  // Tegucigalpa
    (-86.25, 12.13),  // Managua
    (-84.09, 9.93),   // San José
    (-79.52, 8.98),   // Panamá
];

fn default_data() -> (EngineData, Vec<senda_core::RoadSegment>) {
    let data = senda_ingest::defaults::engine_data().unwrap();
    let roads = data.roads.clone();
    (data, roads)
}

fn engine() -> (Engine, Vec<senda_core::RoadSegment>) {
    let (data, roads) = default_data();
    let at = Utc.with_ymd_and_hms(2025, 10, 1, 0, 0, 0).unwrap();
    (
        Engine::build(data, at, EngineConfig::default()).unwrap(),
        roads,
    )
}

fn render(c: &mut Criterion) {
    let (engine, roads) = engine();
    let source = TileSource::with_roads(&engine, &roads, TileConfig::default()).unwrap();
    let alert = engine
        .alerts()
        .iter()
        .find(|a| a.msg_type == "Alert" && a.status == "Actual")
        .unwrap();
    let then = engine
        .at_time(alert.window().0 + chrono::Duration::minutes(30))
        .unwrap();
    let alert_source = TileSource::new(&then, TileConfig::default()).unwrap();
    let mut g = c.benchmark_group("tiles/render");
    g.measurement_time(Duration::from_secs(3));
    for z in [6u8, 10, 14] {
        let tiles: Vec<TileId> = PLACES
            .iter()
            .map(|&(lon, lat)| TileId::containing(lon, lat, z).unwrap())
            .collect();
        // Tiles with an alert area in them (its first position).
        let alert_tiles: Vec<TileId> = then
            .alerts()
            .iter()
            .filter(|a| senda_core::risk::WeatherConfig::counts_at(a, then.at()))
            .flat_map(|a| &a.areas)
            .filter_map(|area| area.polygons.first().and_then(|r| r.first()))
            .map(|p| TileId::containing(p.lon(), p.lat(), z).unwrap())
            .collect();
        assert!(!alert_tiles.is_empty(), "an alert polygon in force");
        for layer in Layer::ALL {
            let mut i = 0;
            g.bench_function(format!("{layer}/z{z}"), |b| {
                b.iter(|| {
                    let t = tiles[i % tiles.len()];
                    i += 1;
                    black_box(source.render(layer, t, Access::Public).unwrap())
                })
            });
        }
        // The 2014 alerts are not in force in 2025: draw them as of the first one's onset.
        let mut i = 0;
        g.bench_function(format!("alerts_in_force/z{z}"), |b| {
            b.iter(|| {
                let t = alert_tiles[i % alert_tiles.len()];
                i += 1;
                black_box(
                    alert_source
                        .render(Layer::Alerts, t, Access::Public)
                        .unwrap(),
                )
            })
        });
        let mut i = 0;
        g.bench_function(format!("all_layers/z{z}"), |b| {
            b.iter(|| {
                let t = tiles[i % tiles.len()];
                i += 1;
                black_box(source.render_layers(&Layer::ALL, t, Access::Public))
            })
        });
    }
    g.finish();
}

fn build(c: &mut Criterion) {
    let (engine, roads) = engine();
    let mut g = c.benchmark_group("tiles/source");
    g.sample_size(10);
    g.bench_function("build_default_data", |b| {
        b.iter(|| TileSource::with_roads(&engine, &roads, TileConfig::default()).unwrap())
    });
    g.finish();
}

criterion_group!(benches, render, build);
criterion_main!(benches);
