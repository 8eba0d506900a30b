//! Times what a start costs: reading the bundled default data (`engine_data`) and building the
//! engine from it. Run with `cargo run --release -p senda-ingest --example startup`.

use senda_core::engine::{Engine, EngineConfig};
use std::time::Instant;

fn main() {
    for file in senda_ingest::defaults::FILES {
        let t = Instant::now();
        file.read().expect("default file");
        eprintln!("{:>8.1} ms  {}", t.elapsed().as_secs_f64() * 1e3, file.name);
    }
    let runs = 5;
    let (mut read_s, mut build_s) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let t = Instant::now();
        let data = senda_ingest::defaults::engine_data().expect("default data");
        read_s.push(t.elapsed().as_secs_f64());
        let (roads, transit, shelters) =
            (data.roads.len(), data.transit.len(), data.shelters.len());
        let t = Instant::now();
        let at = chrono::Utc::now();
        let engine = Engine::build(data, at, EngineConfig::default()).expect("engine");
        build_s.push(t.elapsed().as_secs_f64());
        eprintln!(
            "roads {roads}, transit {transit}, shelters {shelters}; graph {} nodes",
            engine.graph().node_count()
        );
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "engine_data: {:.3} s, Engine::build: {:.3} s (median of {runs})",
        median(&mut read_s),
        median(&mut build_s)
    );
}
