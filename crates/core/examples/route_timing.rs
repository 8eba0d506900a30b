//! Rough timings (not a benchmark suite): generate a road-like graph, build it, snap and route
//! random pairs. `cargo run --release -p senda-core --example route_timing -- [NODES] [QUERIES]`.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use senda_core::graph::{GraphConfig, Profile, RoadGraph};
use senda_core::search::{weights_time, Direction, Router};
use senda_core::{LonLat, NodeId};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let nodes: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let queries: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);

    let t = Instant::now();
    let segs = senda_testkit::gen::road_like_graph(nodes, 42);
    println!(
        "generated {} segments for {nodes} nodes in {:.2} s",
        segs.len(),
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let (g, report) = RoadGraph::build(&segs, &GraphConfig::default());
    println!(
        "built in {:.2} s: {} nodes, {} edges, {:.0} MB\n{report}",
        t.elapsed().as_secs_f64(),
        g.node_count(),
        g.edge_count(),
        g.memory_bytes() as f64 / 1e6
    );
    drop(segs);

    let mut rng = StdRng::seed_from_u64(7);
    let mut router = Router::for_graph(&g);
    for profile in Profile::ALL {
        let w = weights_time(&g, profile, false);
        let mut points = Vec::new();
        for _ in 0..queries * 2 {
            let n = NodeId(rng.random_range(0..g.node_count() as u32));
            let q = g.node_position(n);
            points.push(LonLat::new(q.lon() + 0.0005, q.lat() + 0.0005).unwrap());
        }
        let t = Instant::now();
        let snaps: Vec<_> = g
            .snap_many(&points, profile, false, 5_000.0)
            .into_iter()
            .filter_map(Result::ok)
            .collect();
        let snap_us = t.elapsed().as_secs_f64() * 1e6 / points.len() as f64;
        let t = Instant::now();
        let (mut found, mut total_km) = (0, 0.0);
        for pair in snaps.chunks_exact(2) {
            if let Some(r) = router.route(&g, &w, &pair[0], &pair[1]) {
                found += 1;
                total_km += r.length_m(&g) / 1e3;
            }
        }
        let per = t.elapsed().as_secs_f64() * 1e3 / (snaps.len() / 2) as f64;
        println!(
            "{profile}: snap {snap_us:.1} µs; random route {per:.1} ms on average ({found} of {} found, mean {:.0} km)",
            snaps.len() / 2,
            total_km / found.max(1) as f64
        );
        let t = Instant::now();
        let sources: Vec<(NodeId, u64)> = (0..50)
            .map(|_| (NodeId(rng.random_range(0..g.node_count() as u32)), 0))
            .collect();
        let reach = router.multi_source(&g, &w, &sources, Direction::Backward, u64::MAX);
        println!(
            "{profile}: multi-source backward from 50 nodes over the whole graph ({} settled) {:.0} ms",
            reach.settled().len(),
            t.elapsed().as_secs_f64() * 1e3
        );
    }
}
