//! The search engine against plain Dijkstra (petgraph) and brute force, on seeded random
//! road-like graphs with oneways and blocked edges, plus a property test on small graphs.

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use senda_core::graph::{GraphConfig, Profile, RoadGraph};
use senda_core::search::{
    partial_cost, source_seeds, target_seeds, weights_time, weights_with, Direction, Router,
    BLOCKED,
};
use senda_core::{EdgeId, LonLat, NodeId, RoadClass, RoadSegment, Snap, SourceKey};
use senda_testkit::gen::road_like_graph;
use senda_testkit::oracle::{path_weight, snap_to_snap, Oracle};

fn graph(nodes: usize, seed: u64) -> RoadGraph {
    RoadGraph::build(&road_like_graph(nodes, seed), &GraphConfig::default()).0
}

/// Weights of several kinds: plain times, random integers, and times with blocked edges.
fn weight_sets(g: &RoadGraph, rng: &mut StdRng) -> Vec<(&'static str, Vec<u32>)> {
    let mut blocked = weights_time(g, Profile::Vehicle, false);
    for w in blocked.iter_mut() {
        if rng.random_bool(0.08) {
            *w = BLOCKED;
        }
    }
    let mut r2 = StdRng::seed_from_u64(rng.random());
    vec![
        ("foot", weights_time(g, Profile::Foot, false)),
        ("foot+rail", weights_time(g, Profile::Foot, true)),
        ("vehicle", weights_time(g, Profile::Vehicle, false)),
        ("vehicle-blocked", blocked),
        (
            "random",
            weights_with(g, Profile::Foot, true, |_, _| r2.random_range(0..1000)),
        ),
        // Every edge of the graph, unpruned, including zero weights.
        (
            "raw",
            (0..g.edge_count())
                .map(|_| r2.random_range(0..50))
                .collect(),
        ),
    ]
}

fn check_path_edges(g: &RoadGraph, edges: &[EdgeId], from: NodeId, to: NodeId) {
    let mut at = from;
    for &e in edges {
        assert_eq!(g.tail(e), at, "path is not connected");
        at = g.head(e);
    }
    assert_eq!(at, to);
}

#[test]
fn node_to_node_matches_petgraph() {
    let mut router = Router::new();
    let mut pairs = 0;
    let mut unreachable = 0;
    for (seed, nodes) in [(1u64, 10usize), (2, 60), (3, 300), (4, 1500), (5, 5000)] {
        let g = graph(nodes, seed);
        let mut rng = StdRng::seed_from_u64(seed * 1000);
        for (name, w) in weight_sets(&g, &mut rng) {
            let oracle = Oracle::new(&g, &w);
            for _ in 0..12 {
                let s = NodeId(rng.random_range(0..g.node_count() as u32));
                let costs = oracle.costs_from(s);
                for _ in 0..6 {
                    let t = NodeId(rng.random_range(0..g.node_count() as u32));
                    let got = router.route_nodes(&g, &w, s, t);
                    pairs += 1;
                    match (&got, costs[t.index()]) {
                        (None, None) => unreachable += 1,
                        (Some(p), Some(c)) => {
                            assert_eq!(p.cost, c, "seed {seed} {name} {s}->{t}");
                            check_path_edges(&g, &p.edges, s, t);
                            assert_eq!(path_weight(&w, &p.edges), Some(c));
                        }
                        (got, want) => panic!("seed {seed} {name} {s}->{t}: {got:?} vs {want:?}"),
                    }
                }
            }
        }
    }
    assert!(pairs >= 1000, "{pairs}");
    // Blocked edges and islands leave some pairs unreachable; most are reachable.
    assert!(
        unreachable > 0 && unreachable < pairs / 2,
        "{unreachable} of {pairs}"
    );
}

fn random_point(g: &RoadGraph, rng: &mut StdRng) -> LonLat {
    let a = g.node_position(NodeId(rng.random_range(0..g.node_count() as u32)));
    let b = g.node_position(NodeId(rng.random_range(0..g.node_count() as u32)));
    let t: f64 = rng.random();
    LonLat::new(
        a.lon() + (b.lon() - a.lon()) * t + rng.random_range(-0.001..0.001),
        a.lat() + (b.lat() - a.lat()) * t + rng.random_range(-0.001..0.001),
    )
    .unwrap()
}

/// The cost of a route result recomputed from its parts, as documented on `PathResult`.
fn recomputed(w: &[u32], edges: &[EdgeId], fs: f64, ft: f64) -> u64 {
    match edges {
        [e] => partial_cost(w[e.index()], ft - fs),
        [first, middle @ .., last] => {
            partial_cost(w[first.index()], 1.0 - fs)
                + path_weight(w, middle).unwrap()
                + partial_cost(w[last.index()], ft)
        }
        [] => 0,
    }
}

#[test]
fn snap_to_snap_matches_brute_force() {
    let mut router = Router::new();
    let mut checked = 0;
    for (seed, nodes) in [(11u64, 40usize), (12, 400), (13, 3000)] {
        let g = graph(nodes, seed);
        let mut rng = StdRng::seed_from_u64(seed);
        for profile in Profile::ALL {
            for allow_rail in [false, true] {
                let mut w = weights_time(&g, profile, allow_rail);
                if seed == 12 {
                    // Block some edges after snapping would have chosen them.
                    for x in w.iter_mut() {
                        if rng.random_bool(0.05) {
                            *x = BLOCKED;
                        }
                    }
                }
                let oracle = Oracle::new(&g, &w);
                for _ in 0..90 {
                    let a = g.snap(random_point(&g, &mut rng), profile, allow_rail, 1e6);
                    let b = g.snap(random_point(&g, &mut rng), profile, allow_rail, 1e6);
                    let (Ok(a), Ok(b)) = (a, b) else {
                        panic!("snapping inside the network failed")
                    };
                    let want = snap_to_snap(&oracle, &g, &w, &a, &b);
                    let got = router.route(&g, &w, &a, &b);
                    checked += 1;
                    match (got, want) {
                        (None, None) => {}
                        (Some(p), Some(c)) => {
                            assert_eq!(p.cost, c, "seed {seed} {profile}");
                            check_route(&g, &w, &p);
                        }
                        (got, want) => panic!("seed {seed}: {got:?} vs {want:?}"),
                    }
                }
            }
        }
    }
    assert!(checked >= 1000, "{checked}");
}

fn check_route(g: &RoadGraph, w: &[u32], p: &senda_core::search::PathResult) {
    assert_eq!(p.source.edge, p.edges[0]);
    assert_eq!(p.target.edge, *p.edges.last().unwrap());
    if p.edges.len() > 1 {
        check_path_edges(
            g,
            &p.edges[1..p.edges.len() - 1],
            g.head(p.edges[0]),
            g.tail(*p.edges.last().unwrap()),
        );
    }
    assert_eq!(
        recomputed(w, &p.edges, p.source.fraction, p.target.fraction),
        p.cost
    );
    let line = p.geometry(g);
    let close = |a: LonLat, b: LonLat| senda_core::haversine_m(a, b) < 0.5;
    assert!(
        close(line[0], p.source.point),
        "{:?} {:?}",
        line[0],
        p.source
    );
    assert!(close(*line.last().unwrap(), p.target.point));
    let len: f64 = line
        .windows(2)
        .map(|x| senda_core::haversine_m(x[0], x[1]))
        .sum();
    assert!(
        (len - p.length_m(g)).abs() < 0.5 + len * 1e-4,
        "{len} vs {}",
        p.length_m(g)
    );
}

#[test]
fn both_points_on_one_edge() {
    let g = graph(200, 21);
    let mut rng = StdRng::seed_from_u64(21);
    let mut router = Router::for_graph(&g);
    let mut direct = 0;
    for profile in Profile::ALL {
        let w = weights_time(&g, profile, false);
        let oracle = Oracle::new(&g, &w);
        for _ in 0..300 {
            let e = EdgeId(rng.random_range(0..g.edge_count() as u32));
            if !g.usable(e, profile, false) {
                continue;
            }
            let snap = |f: f64| Snap {
                edge: e,
                fraction: f,
                point: g.edge_point_at(e, f),
                distance_m: 0.0,
            };
            let a = snap(rng.random());
            // The target on the same edge or on its twin.
            let mut b = snap(rng.random());
            if let Some(t) = g.twin(e).filter(|_| rng.random_bool(0.5)) {
                b = Snap {
                    edge: t,
                    fraction: 1.0 - b.fraction,
                    ..b
                };
            }
            let got = router.route(&g, &w, &a, &b).unwrap();
            assert_eq!(Some(got.cost), snap_to_snap(&oracle, &g, &w, &a, &b));
            check_route(&g, &w, &got);
            direct += usize::from(got.edges.len() == 1);
        }
    }
    assert!(direct > 100, "{direct}");
}

#[test]
fn multi_source_backward_finds_the_nearest_source() {
    let g = graph(2000, 31);
    let w = weights_time(&g, Profile::Foot, false);
    let oracle = Oracle::new(&g, &w);
    let mut rng = StdRng::seed_from_u64(31);
    let sources: Vec<(NodeId, u64)> = (0..8)
        .map(|_| {
            (
                NodeId(rng.random_range(0..g.node_count() as u32)),
                rng.random_range(0..500),
            )
        })
        .collect();
    let limit = 30_000;
    let mut router = Router::new();
    let reach = router.multi_source(&g, &w, &sources, Direction::Backward, limit);
    for _ in 0..100 {
        let v = NodeId(rng.random_range(0..g.node_count() as u32));
        let costs = oracle.costs_from(v);
        let want = sources
            .iter()
            .filter_map(|&(s, c)| costs[s.index()].map(|d| d + c))
            .min()
            .filter(|&c| c <= limit);
        assert_eq!(reach.cost(v), want, "node {v}");
        if let Some(c) = want {
            let o = reach.origin(v).unwrap();
            let (s, sc) = sources[o];
            assert_eq!(costs[s.index()].unwrap() + sc, c);
            let edges = reach.path_edges(v).unwrap();
            check_path_edges(&g, &edges, v, s);
            assert_eq!(path_weight(&w, &edges).unwrap() + sc, c);
        }
    }
    let settled: Vec<NodeId> = reach.settled().collect();
    assert!(settled
        .windows(2)
        .all(|x| reach.cost(x[0]) <= reach.cost(x[1])));
}

#[test]
fn multi_source_forward_and_one_to_many() {
    let g = graph(2000, 41);
    let w = weights_time(&g, Profile::Vehicle, false);
    let oracle = Oracle::new(&g, &w);
    let mut rng = StdRng::seed_from_u64(41);
    let mut router = Router::new();
    for _ in 0..10 {
        let sources: Vec<(NodeId, u64)> = (0..3)
            .map(|_| (NodeId(rng.random_range(0..g.node_count() as u32)), 0))
            .collect();
        let all: Vec<Vec<Option<u64>>> =
            sources.iter().map(|&(s, _)| oracle.costs_from(s)).collect();
        let best = |v: NodeId| all.iter().filter_map(|c| c[v.index()]).min();
        let reach = router.multi_source(&g, &w, &sources, Direction::Forward, u64::MAX);
        for v in 0..g.node_count() as u32 {
            assert_eq!(reach.cost(NodeId(v)), best(NodeId(v)));
        }
        let targets: Vec<NodeId> = (0..20)
            .map(|_| NodeId(rng.random_range(0..g.node_count() as u32)))
            .collect();
        let bound = 20_000;
        let got = router.one_to_many(&g, &w, &sources, &targets, bound);
        for (t, c) in targets.iter().zip(got) {
            assert_eq!(c, best(*t).filter(|&c| c <= bound), "target {t}");
        }
    }
}

#[test]
fn seeds_from_snaps_feed_the_nearest_shelter_search() {
    // Shelters as targets: search backward from their snaps, then read an origin's cost.
    let g = graph(1500, 51);
    let w = weights_time(&g, Profile::Foot, false);
    let oracle = Oracle::new(&g, &w);
    let mut rng = StdRng::seed_from_u64(51);
    let shelters: Vec<Snap> = (0..5)
        .map(|_| {
            g.snap(random_point(&g, &mut rng), Profile::Foot, false, 1e6)
                .unwrap()
        })
        .collect();
    let seeds: Vec<(NodeId, u64)> = shelters
        .iter()
        .flat_map(|s| target_seeds(&g, &w, s))
        .map(|seed| (seed.node, seed.cost))
        .collect();
    let mut router = Router::new();
    let reach = router.multi_source(&g, &w, &seeds, Direction::Backward, u64::MAX);
    let mut per_origin = Vec::new();
    for _ in 0..30 {
        let origin = g
            .snap(random_point(&g, &mut rng), Profile::Foot, false, 1e6)
            .unwrap();
        let via_nodes = source_seeds(&g, &w, &origin)
            .iter()
            .filter_map(|s| reach.cost(s.node).map(|c| c + s.cost))
            .min();
        per_origin.push((origin, via_nodes));
    }
    for (origin, via_nodes) in per_origin {
        let brute = shelters
            .iter()
            .filter_map(|s| snap_to_snap(&oracle, &g, &w, &origin, s))
            .min();
        // Through the nodes equals brute force unless the origin shares an edge with a shelter
        // (where the direct way along the edge can be shorter).
        match (via_nodes, brute) {
            (Some(a), Some(b)) => assert!(a >= b),
            (None, b) => assert!(b.is_none() || shelters.iter().any(|s| s.edge == origin.edge)),
            (Some(_), None) => panic!("reachable only through nodes?"),
        }
        if let (Some(a), Some(b)) = (via_nodes, brute) {
            if shelters
                .iter()
                .all(|s| s.edge != origin.edge && Some(s.edge) != g.twin(origin.edge))
            {
                assert_eq!(a, b);
            }
        }
    }
}

#[test]
fn router_reuse_across_graphs_and_many_queries() {
    let mut router = Router::new();
    for (n, seed) in [(3000usize, 61u64), (50, 62), (800, 63)] {
        let g = graph(n, seed);
        let w = weights_time(&g, Profile::Foot, false);
        let oracle = Oracle::new(&g, &w);
        let mut rng = StdRng::seed_from_u64(seed);
        for _ in 0..40 {
            let s = NodeId(rng.random_range(0..g.node_count() as u32));
            let t = NodeId(rng.random_range(0..g.node_count() as u32));
            let got = router.route_nodes(&g, &w, s, t).map(|p| p.cost);
            assert_eq!(got, oracle.cost(s, t));
        }
    }
}

#[test]
#[should_panic(expected = "one weight per edge")]
fn wrong_weight_count_is_a_programming_error() {
    let g = graph(30, 1);
    Router::new().route_nodes(&g, &[1, 2, 3], NodeId(0), NodeId(1));
}

/// A small graph from a list of `(a, b, oneway, class index)` on a 4 × 4 grid of positions.
fn small_graph(roads: &[(u8, u8, u8, u8)]) -> Option<RoadGraph> {
    let pos = |i: u8| {
        LonLat::new(
            -92.0 + f64::from(i % 4) * 0.01 + f64::from(i / 4) * 0.0013,
            15.0 + f64::from(i / 4) * 0.01,
        )
        .unwrap()
    };
    let classes = [
        RoadClass::Residential,
        RoadClass::Footway,
        RoadClass::Motorway,
        RoadClass::Rail,
    ];
    let segs: Vec<RoadSegment> = roads
        .iter()
        .enumerate()
        .filter(|(_, r)| r.0 != r.1)
        .map(|(i, &(a, b, oneway, class))| {
            let mut s = RoadSegment::new(
                SourceKey::new("p", i.to_string()).unwrap(),
                classes[usize::from(class % 4)],
                vec![pos(a), pos(b)],
            )
            .unwrap();
            s.oneway = [
                senda_core::Oneway::No,
                senda_core::Oneway::Forward,
                senda_core::Oneway::Backward,
            ][usize::from(oneway % 3)];
            s
        })
        .collect();
    if segs.is_empty() {
        return None;
    }
    Some(RoadGraph::build(&segs, &GraphConfig::default()).0)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn small_graphs_all_pairs_match_petgraph(
        roads in prop::collection::vec((0u8..16, 0u8..16, 0u8..3, 0u8..4), 1..30),
        weights in prop::collection::vec(prop_oneof![Just(u32::MAX), 0u32..100], 1..80),
    ) {
        let Some(g) = small_graph(&roads) else { return Ok(()) };
        let w: Vec<u32> = (0..g.edge_count()).map(|e| weights[e % weights.len()]).collect();
        let oracle = Oracle::new(&g, &w);
        let mut router = Router::new();
        for s in 0..g.node_count() as u32 {
            let costs = oracle.costs_from(NodeId(s));
            for t in 0..g.node_count() as u32 {
                let got = router.route_nodes(&g, &w, NodeId(s), NodeId(t));
                prop_assert_eq!(got.as_ref().map(|p| p.cost), costs[t as usize]);
                if let Some(p) = got {
                    prop_assert_eq!(path_weight(&w, &p.edges), Some(p.cost));
                }
            }
        }
    }
}
