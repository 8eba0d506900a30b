//! Customizable contraction hierarchies (`senda_core::search::cch`) on generated road-like
//! graphs of 1M and 5M nodes: preprocessing (order + structure, once per network),
//! customization (per metric), query latency (p50/p99 over seeded random snap pairs, and a
//! criterion median), the bidirectional Dijkstra it replaces, and memory per node and edge.
//!
//! Then the engine end to end (`SENDA_CCH_ENGINE_SIZES`, default `1000000`): routes with the
//! speed-up, and 1,000 new incidents → `Engine::add_incidents` → routes on the new snapshot.
//! Figures: `benches/README.md`.
//!
//! `SENDA_CCH_SIZES` (default `1000000,5000000`) picks the graph sizes. The one-off phases are timed
//! once and printed (`cch/...` lines on stderr); the contraction order is cached under the
//! target directory (`senda-bench-cache/`) so a re-run skips the minutes it takes — the
//! printed order time is the one of the run that computed it.
//!
//! `cargo bench -p senda-benches --bench cch`

use chrono::{DateTime, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use senda_core::engine::route::RouteQuery;
use senda_core::engine::{Engine, EngineConfig, EngineData, WeightQuery};
use senda_core::graph::{GraphConfig, Profile, RoadGraph};
use senda_core::search::cch::{CchAnswer, CchIndex, CchMetric, CchQuery};
use senda_core::search::{weights_time, Router};
use senda_core::{Incident, IncidentCategory, LonLat, NodeId, RoadSegment, Snap, SourceKey};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use senda_benches::Rng;

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
    let mut times = Vec::with_capacity(pairs.len());
    for (a, b) in &pairs {
        let (s, t) = (graph.head(a.edge), graph.tail(b.edge));
        let start = Instant::now();
        black_box(q.distance(&index, &metric, s, t));
        times.push(start.elapsed());
    }
    times.sort();
    eprintln!(
        "cch/{name}: QUERY (node to node, cost only) p50 {:.3} ms, p99 {:.3} ms",
        percentile(&times, 0.5),
        percentile(&times, 0.99)
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

    // Partial re-customization: the weights of the edges near 10 random places tripled
    // (the shape of new incidents: local), covering about 1 %, 7 % and 20 % of the edges.
    let pos: Vec<LonLat> = (0..graph.node_count() as u32)
        .map(|v| graph.node_position(NodeId(v)))
        .collect();
    let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
    for p in &pos {
        lo = [lo[0].min(p.lon()), lo[1].min(p.lat())];
        hi = [hi[0].max(p.lon()), hi[1].max(p.lat())];
    }
    let mut rng = Rng(31);
    let centres: Vec<LonLat> = (0..10).map(|_| pos[rng.below(pos.len())]).collect();
    for share in [0.01, 0.09, 0.3] {
        let r2 = share * (hi[0] - lo[0]) * (hi[1] - lo[1]) / (10.0 * std::f64::consts::PI);
        let near = |p: LonLat| {
            centres
                .iter()
                .any(|c| (p.lon() - c.lon()).powi(2) + (p.lat() - c.lat()).powi(2) < r2)
        };
        let changed: Vec<u32> = weights
            .iter()
            .enumerate()
            .map(|(e, &w)| {
                let tail = graph.tail(senda_core::EdgeId(e as u32));
                if w != u32::MAX && near(pos[tail.index()]) {
                    w.saturating_mul(3).min(u32::MAX - 1)
                } else {
                    w
                }
            })
            .collect();
        let n_changed = changed.iter().zip(&weights).filter(|(a, b)| a != b).count();
        let mut m = metric.clone();
        let t = Instant::now();
        let nodes = index.recustomize(&mut m, changed.clone());
        let partial = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let full = index.customize(changed);
        let full_s = t.elapsed().as_secs_f64();
        assert!(m == full, "partial and full customization agree");
        eprintln!(
            "cch/{name}: RECUSTOMIZE {n_changed} edges changed ({:.1} %): partial {partial:.3} s ({nodes} nodes recomputed), full {full_s:.3} s",
            100.0 * n_changed as f64 / weights.len() as f64
        );
    }
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

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 10, 1, 0, 0, 0).unwrap()
}

fn hotspot_incidents(roads: &[RoadSegment], hotspots: usize, count: usize) -> Vec<Incident> {
    senda_benches::hotspot_incidents(roads, hotspots, count, at())
}

fn latency(engine: &Engine, pairs: &[(LonLat, LonLat)], alternatives: usize) -> (f64, f64) {
    let mut times: Vec<Duration> = pairs
        .iter()
        .map(|&(a, b)| {
            let q = RouteQuery {
                alternatives,
                ..RouteQuery::new(a, b)
            };
            let t = Instant::now();
            let r = engine.route(&q);
            let took = t.elapsed();
            black_box(r.map(|r| r.routes.len()).unwrap_or(0));
            took
        })
        .collect();
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.99))
}

/// The engine end to end on a generated network with 20,000 incidents in 200 hotspots:
/// `Engine::route` (snap, search, description) with the speed-up, and 1,000 new incidents
/// spread over the whole network → `Engine::add_incidents` (risk field, edge risks, partial
/// re-customization of the metrics in use) → routes on the new snapshot.
fn engine_size(c: &mut Criterion, nodes: usize) {
    let name = format!("engine-{}k", nodes / 1000);
    let roads = senda_testkit::gen::road_like_graph(nodes, 42);
    let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
    for r in &roads {
        for p in &r.geometry {
            lo = [lo[0].min(p.lon()), lo[1].min(p.lat())];
            hi = [hi[0].max(p.lon()), hi[1].max(p.lat())];
        }
    }
    let data = EngineData {
        incidents: hotspot_incidents(&roads, 200, 20_000),
        roads,
        ..EngineData::default()
    };
    let t = Instant::now();
    let engine = Engine::build(data, at(), EngineConfig::default()).unwrap();
    eprintln!(
        "cch/{name}: Engine::build {:.1} s ({} nodes, {} edges)",
        t.elapsed().as_secs_f64(),
        engine.graph().node_count(),
        engine.graph().edge_count()
    );
    let new =
        senda_testkit::gen::incidents(1_000, 11, [lo[0], lo[1], hi[0], hi[1]], at(), 10_000_000);
    let t = Instant::now();
    let (_, updated) = engine.add_incidents(&new).unwrap();
    eprintln!(
        "cch/{name}: without the speed-up, add_incidents (1,000 spread over the network: risk field and {updated} edge risks) {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let order = order(engine.graph(), &name);
    let t = Instant::now();
    engine.prepare_speedup_with_order(&order).unwrap();
    drop(order);
    eprintln!(
        "cch/{name}: structure + eager customization (foot and vehicle at 0 and 0.5) {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let g = engine.graph();
    let mut rng = Rng(5);
    let pairs: Vec<(LonLat, LonLat)> = (0..300)
        .map(|_| {
            let mut p = || g.node_position(NodeId(rng.below(g.node_count()) as u32));
            (p(), p())
        })
        .collect();
    let t = Instant::now();
    let _ = engine.route(&RouteQuery::new(pairs[0].0, pairs[0].1));
    eprintln!(
        "cch/{name}: first route (default request: both levels customized already) {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let _ = engine.route(&RouteQuery {
        alternatives: 3,
        ..RouteQuery::new(pairs[0].0, pairs[0].1)
    });
    eprintln!(
        "cch/{name}: first route with alternatives (customizes the 6 other sweep levels) {:.2} s",
        t.elapsed().as_secs_f64()
    );
    // Pairs the CCH leaves to Dijkstra: generalised costs of 2^31 ds or more.
    if let (Some(index), Some(m)) = (
        engine.cch_index(),
        engine.cch_metric(Profile::Foot, false, 0.5),
    ) {
        let mut q = CchQuery::new();
        let unknown = pairs
            .iter()
            .filter_map(|&(a, b)| {
                let a = engine.snap(a, Profile::Foot, false, "from").ok()?;
                let b = engine.snap(b, Profile::Foot, false, "to").ok()?;
                Some(q.route(engine.graph(), index, &m, &a, &b))
            })
            .filter(|r| matches!(r, CchAnswer::Unknown))
            .count();
        let mut w: Vec<u32> = m
            .weights()
            .iter()
            .copied()
            .filter(|&x| x != u32::MAX)
            .collect();
        w.sort_unstable();
        eprintln!(
            "cch/{name}: foot at aversion 0.5: edge weights p50 {} ds, p99 {} ds; {unknown} of {} pairs cost 2^31 ds or more (left to Dijkstra)",
            w[w.len() / 2],
            w[w.len() * 99 / 100],
            pairs.len()
        );
    }
    let (p50, p99) = latency(&engine, &pairs, 0);
    let (a50, a99) = latency(&engine, &pairs, 3);
    eprintln!(
        "cch/{name}: Engine::route foot, aversion 0.5: p50 {p50:.2} ms, p99 {p99:.2} ms; with 3 alternatives (8 aversions): p50 {a50:.2} ms, p99 {a99:.2} ms ({} pairs)",
        pairs.len()
    );
    let new =
        senda_testkit::gen::incidents(1_000, 11, [lo[0], lo[1], hi[0], hi[1]], at(), 10_000_000);
    let t = Instant::now();
    let (next, updated) = engine.add_incidents(&new).unwrap();
    let took = t.elapsed().as_secs_f64();
    // The first route on the new snapshot re-customizes the metric it needs (partially).
    let (a, z) = pairs[0];
    let _ = black_box(next.route(&RouteQuery::new(a, z)));
    let reflected = t.elapsed().as_secs_f64();
    let m = next.cch_metric(Profile::Foot, false, 0.5).unwrap();
    let want = next
        .weights(&WeightQuery {
            aversion: 0.5,
            ..WeightQuery::default()
        })
        .unwrap();
    assert_eq!(
        m.weights(),
        &want[..],
        "the new snapshot's metric has the new weights"
    );
    let (n50, n99) = latency(&next, &pairs, 0);
    eprintln!(
        "cch/{name}: 1,000 new incidents spread over the network → add_incidents (risk, {updated} edges; metrics carried as seeds, fastest kept) {took:.2} s; first route on the new snapshot (re-customizing foot at 0.5) done {reflected:.2} s after the update; then routes p50 {n50:.2} ms, p99 {n99:.2} ms"
    );
    // The same number of new incidents in 10 clusters (reports from a few places).
    let mut rng = Rng(77);
    let clustered: Vec<Incident> = (0..1_000)
        .map(|i| {
            let c = g.node_position(NodeId((rng.below(10) * 7919 % g.node_count()) as u32));
            let jitter = |r: &mut Rng| (r.below(1 << 20) as f64 / (1 << 20) as f64 - 0.5) * 0.02;
            let p = LonLat::new(c.lon() + jitter(&mut rng), c.lat() + jitter(&mut rng)).unwrap();
            Incident::new(
                SourceKey::new("bench-new", i.to_string()).unwrap(),
                p,
                at() - chrono::Duration::days(1),
                IncidentCategory::Kidnapping,
                1,
            )
            .unwrap()
        })
        .collect();
    let t = Instant::now();
    let (next, updated) = engine.add_incidents(&clustered).unwrap();
    let took = t.elapsed().as_secs_f64();
    let (a, z) = pairs[0];
    let _ = black_box(next.route(&RouteQuery::new(a, z)));
    let reflected = t.elapsed().as_secs_f64();
    let (n50, n99) = latency(&next, &pairs, 0);
    eprintln!(
        "cch/{name}: 1,000 new incidents in 10 clusters → add_incidents ({updated} edges) {took:.2} s; first route done {reflected:.2} s after the update; then routes p50 {n50:.2} ms, p99 {n99:.2} ms"
    );
    drop(next);
    let mut group = c.benchmark_group(format!("cch/{name}"));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    let mut i = 0;
    group.bench_function("route/foot", |b| {
        b.iter(|| {
            let (a, z) = pairs[i % pairs.len()];
            i += 1;
            black_box(
                engine
                    .route(&RouteQuery::new(a, z))
                    .map(|r| r.routes.len())
                    .ok(),
            )
        })
    });
    group.bench_function("add_incidents/1000-spread", |b| {
        b.iter(|| black_box(engine.add_incidents(&new).unwrap().1))
    });
    group.bench_function("add_incidents/1000-clustered", |b| {
        b.iter(|| black_box(engine.add_incidents(&clustered).unwrap().1))
    });
    group.finish();
}

fn cch(c: &mut Criterion) {
    let sizes = std::env::var("SENDA_CCH_SIZES").unwrap_or_else(|_| "1000000,5000000".into());
    for s in sizes.split(',').filter(|s| !s.trim().is_empty()) {
        let nodes: usize = s.trim().parse().expect("SENDA_CCH_SIZES: node counts");
        one_size(c, nodes);
    }
    let sizes = std::env::var("SENDA_CCH_ENGINE_SIZES").unwrap_or_else(|_| "1000000".into());
    for s in sizes.split(',').filter(|s| !s.trim().is_empty()) {
        let nodes: usize = s
            .trim()
            .parse()
            .expect("SENDA_CCH_ENGINE_SIZES: node counts");
        engine_size(c, nodes);
    }
}

criterion_group!(benches, cch);
criterion_main!(benches);
