//! Customizable contraction hierarchies (`senda_core::search::cch`) on generated road-like
//! graphs of 1M and 5M nodes: preprocessing (order + structure, once per network),
//! customization (per metric), query latency (p50/p99 over seeded random snap pairs, and a
//! criterion median), the bidirectional Dijkstra it replaces, and memory per node and edge.
//!
//! `SENDA_CCH_SIZES` (default `1000000,5000000`) picks the sizes. The one-off phases are timed
//! once and printed (`cch/...` lines on stderr); the contraction order is cached under the
//! target directory (`senda-bench-cache/`) so a re-run skips the minutes it takes — the
//! printed order time is the one of the run that computed it.
//!
//! `cargo bench -p senda-benches --bench cch`

use criterion::{criterion_group, criterion_main, Criterion};
use senda_core::graph::{GraphConfig, Profile, RoadGraph};
use senda_core::search::cch::{CchAnswer, CchIndex, CchMetric, CchQuery};
use senda_core::search::{weights_time, Router};
use senda_core::{LonLat, NodeId, Snap};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// SplitMix64: seeded, dependency-free random numbers.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn cache_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| senda_testkit::workspace_root().join("target"));
    target.join("senda-bench-cache")
}

/// The contraction order, from the cache or computed (and timed) now.
fn order(graph: &RoadGraph, name: &str) -> Vec<u32> {
    let path = cache_dir().join(format!(
        "cch-order-{name}-{}-{}.bin",
        graph.node_count(),
        graph.edge_count()
    ));
    if let Ok(bytes) = std::fs::read(&path) {
        if bytes.len() == 4 * graph.node_count() {
            eprintln!("cch/{name}: order read from {}", path.display());
            return bytes
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
        }
    }
    let t = Instant::now();
    let order = CchIndex::compute_order(graph);
    eprintln!(
        "cch/{name}: ORDER (inertial flow) {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let _ = std::fs::create_dir_all(cache_dir());
    let bytes: Vec<u8> = order.iter().flat_map(|v| v.to_le_bytes()).collect();
    let _ = std::fs::write(&path, bytes);
    order
}

fn snaps(graph: &RoadGraph, profile: Profile, n: usize, seed: u64) -> Vec<(Snap, Snap)> {
    let mut rng = Rng(seed);
    let mut snap = || loop {
        let v = NodeId(rng.below(graph.node_count()) as u32);
        let p = graph.node_position(v);
        let q = LonLat::new(p.lon() + 0.0004, p.lat() + 0.0003).unwrap();
        if let Ok(s) = graph.snap(q, profile, false, 1_000.0) {
            return s;
        }
    };
    (0..n).map(|_| (snap(), snap())).collect()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1u64 << 20) as f64
}

fn one_size(c: &mut Criterion, nodes: usize) {
    let name = format!("road-like-{}k", nodes / 1000);
    let t = Instant::now();
    let roads = senda_testkit::gen::road_like_graph(nodes, 42);
    let (graph, _) = RoadGraph::build(&roads, &GraphConfig::default());
    drop(roads);
    eprintln!(
        "cch/{name}: graph {} nodes, {} edges, generated and built in {:.1} s",
        graph.node_count(),
        graph.edge_count(),
        t.elapsed().as_secs_f64()
    );
    let order = order(&graph, &name);
    let t = Instant::now();
    let index = CchIndex::with_order(&graph, &order).unwrap();
    drop(order);
    eprintln!(
        "cch/{name}: STRUCTURE {:.2} s ({} supergraph arcs, elimination tree height {})",
        t.elapsed().as_secs_f64(),
        index.arc_count(),
        index.tree_height()
    );
    let weights = weights_time(&graph, Profile::Foot, false);
    let t = Instant::now();
    let mut metric: CchMetric = index.customize(weights.clone());
    eprintln!(
        "cch/{name}: CUSTOMIZE (first, foot time) {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let (gm, im, mm) = (
        graph.memory_bytes(),
        index.memory_bytes(),
        metric.memory_bytes(),
    );
    let (n, m) = (graph.node_count() as f64, graph.edge_count() as f64);
    eprintln!(
        "cch/{name}: MEMORY graph {:.0} MiB ({:.1} B/node + edge: {:.1} B/edge), CCH index {:.0} MiB \
         ({:.1} B/edge), one metric {:.0} MiB ({:.1} B/edge); graph + index + metric {:.1} B/node, {:.1} B/edge",
        mib(gm),
        gm as f64 / n,
        gm as f64 / m,
        mib(im),
        im as f64 / m,
        mib(mm),
        mm as f64 / m,
        (gm + im + mm) as f64 / n,
        (gm + im + mm) as f64 / m,
    );

    // Latency distribution over seeded pairs (one thread), checked against Dijkstra on some.
    let pairs = snaps(&graph, Profile::Foot, 2_000, 7);
    let mut q = CchQuery::new();
    let mut times = Vec::with_capacity(pairs.len());
    let mut unknown = 0;
    for (a, b) in &pairs {
        let t = Instant::now();
        let ans = q.route(&graph, &index, &metric, a, b);
        times.push(t.elapsed());
        unknown += usize::from(matches!(ans, CchAnswer::Unknown));
    }
    times.sort();
    eprintln!(
        "cch/{name}: QUERY (snap to snap, with path) p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms over {} pairs ({unknown} unreachable)",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        percentile(&times, 1.0),
        pairs.len()
    );
    let mut router = Router::for_graph(&graph);
    let mut dij = Vec::new();
    for (a, b) in pairs.iter().take(30) {
        let t = Instant::now();
        let want = router.route(&graph, &weights, a, b).map(|p| p.cost);
        dij.push(t.elapsed());
        let got = match q.route(&graph, &index, &metric, a, b) {
            CchAnswer::Route(p) => Some(p.cost),
            CchAnswer::Unknown => None,
        };
        assert_eq!(got, want, "CCH and Dijkstra disagree");
    }
    dij.sort();
    eprintln!(
        "cch/{name}: bidirectional Dijkstra p50 {:.1} ms (30 pairs, same costs)",
        percentile(&dij, 0.5)
    );

    let mut group = c.benchmark_group(format!("cch/{name}"));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    let mut i = 0;
    group.bench_function("query/foot", |b| {
        b.iter(|| {
            let (a, z) = &pairs[i % pairs.len()];
            i += 1;
            black_box(q.route(&graph, &index, &metric, a, z))
        })
    });
    group.bench_function("customize/foot", |b| {
        b.iter(|| index.customize_into(black_box(weights.clone()), &mut metric))
    });
    group.finish();
}

fn cch(c: &mut Criterion) {
    let sizes = std::env::var("SENDA_CCH_SIZES").unwrap_or_else(|_| "1000000,5000000".into());
    for s in sizes.split(',') {
        let nodes: usize = s.trim().parse().expect("SENDA_CCH_SIZES: node counts");
        one_size(c, nodes);
    }
}

criterion_group!(benches, cch);
criterion_main!(benches);
