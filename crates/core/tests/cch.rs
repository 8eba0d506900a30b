//! Customizable contraction hierarchies against the Dijkstra oracle (petgraph): node-to-node
//! distances and snap-to-snap routes on seeded random road-like graphs, for travel times, for
//! random generalised weights with closed edges, after re-customization, and with weights too
//! large for the CCH's 31-bit sums (it must then say "unknown", never a wrong cost).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use senda_core::graph::{GraphConfig, Profile, RoadGraph};
use senda_core::search::cch::{CchAnswer, CchIndex, CchMetric, CchQuery};
use senda_core::search::{partial_cost, weights_time, PathResult, Router, BLOCKED};
use senda_core::{LonLat, NodeId, Snap};
use senda_testkit::oracle::{snap_to_snap, Oracle};

fn graph(nodes: usize, seed: u64) -> RoadGraph {
    let roads = senda_testkit::gen::road_like_graph(nodes, seed);
    RoadGraph::build(&roads, &GraphConfig::default()).0
}

/// The cost of a route recomputed from its edges, checking that they join up.
fn cost_of(g: &RoadGraph, w: &[u32], p: &PathResult) -> u64 {
    for pair in p.edges.windows(2) {
        assert_eq!(g.head(pair[0]), g.tail(pair[1]), "edges must join up");
    }
    match p.edges.as_slice() {
        [] => 0,
        [e] => partial_cost(w[e.index()], p.target.fraction - p.source.fraction),
        [first, middle @ .., last] => {
            partial_cost(w[first.index()], 1.0 - p.source.fraction)
                + middle.iter().map(|e| u64::from(w[e.index()])).sum::<u64>()
                + partial_cost(w[last.index()], p.target.fraction)
        }
    }
}

/// `pairs` node pairs (sources × targets) compared with petgraph's Dijkstra.
fn check_nodes(
    g: &RoadGraph,
    index: &CchIndex,
    metric: &CchMetric,
    rng: &mut StdRng,
    pairs: usize,
) {
    let oracle = Oracle::new(g, metric.weights());
    let mut q = CchQuery::new();
    let n = g.node_count() as u32;
    let per_source = 25;
    let mut reached = 0;
    for _ in 0..pairs / per_source {
        let s = NodeId(rng.random_range(0..n));
        let costs = oracle.costs_from(s);
        for _ in 0..per_source {
            let t = NodeId(rng.random_range(0..n));
            let got = q.distance(index, metric, s, t);
            assert_eq!(got, costs[t.index()], "{s:?} -> {t:?}");
            reached += usize::from(got.is_some());
        }
    }
    assert!(reached > pairs / 2, "most pairs are connected: {reached}");
}

fn random_snap(g: &RoadGraph, rng: &mut StdRng, profile: Profile) -> Snap {
    loop {
        let v = NodeId(rng.random_range(0..g.node_count() as u32));
        let p = g.node_position(v);
        let q = LonLat::new(
            p.lon() + rng.random_range(-0.001..0.001),
            p.lat() + rng.random_range(-0.001..0.001),
        )
        .unwrap();
        if let Ok(s) = g.snap(q, profile, false, 500.0) {
            return s;
        }
    }
}

/// Snap-to-snap routes: the same cost as the bidirectional Dijkstra, a consistent edge list,
/// and (for the first `with_oracle`) the same cost as the brute-force oracle.
fn check_routes(
    (g, index, metric): (&RoadGraph, &CchIndex, &CchMetric),
    rng: &mut StdRng,
    profile: Profile,
    routes: usize,
    with_oracle: usize,
    allow_unknown: bool,
) {
    let w = metric.weights();
    let oracle = Oracle::new(g, w);
    let mut q = CchQuery::new();
    let mut router = Router::new();
    for i in 0..routes {
        let (a, b) = (random_snap(g, rng, profile), random_snap(g, rng, profile));
        let want = router.route(g, w, &a, &b);
        match q.route(g, index, metric, &a, &b) {
            CchAnswer::Route(p) => {
                let want = want.expect("the CCH found a route, so does Dijkstra");
                assert_eq!(p.cost, want.cost, "route {i}");
                assert_eq!(
                    cost_of(g, w, &p),
                    p.cost,
                    "route {i}: edges add up to the cost"
                );
                if i < with_oracle {
                    assert_eq!(
                        Some(p.cost),
                        snap_to_snap(&oracle, g, w, &a, &b),
                        "route {i}"
                    );
                }
            }
            CchAnswer::Unknown => assert!(
                allow_unknown || want.is_none(),
                "route {i}: the CCH missed a route"
            ),
        }
    }
}

#[test]
fn travel_times_match_the_oracle() {
    let mut rng = StdRng::seed_from_u64(7);
    for seed in [1, 2] {
        let g = graph(3_000, seed);
        let index = CchIndex::build(&g);
        assert_eq!(index.order().len(), g.node_count());
        for profile in [Profile::Foot, Profile::Vehicle] {
            let metric = index.customize(weights_time(&g, profile, false));
            check_nodes(&g, &index, &metric, &mut rng, 500);
            check_routes((&g, &index, &metric), &mut rng, profile, 150, 20, false);
        }
    }
}

#[test]
fn recustomized_generalised_weights_match_the_oracle() {
    let mut rng = StdRng::seed_from_u64(11);
    let g = graph(3_000, 3);
    let index = CchIndex::build(&g);
    // Generalised weights: time × a random risk factor, a few edges closed.
    let base = weights_time(&g, Profile::Foot, false);
    let risky = |rng: &mut StdRng| -> Vec<u32> {
        base.iter()
            .map(|&t| {
                if t == BLOCKED || rng.random_bool(0.02) {
                    BLOCKED
                } else {
                    (f64::from(t) * rng.random_range(1.0..20.0)).round() as u32
                }
            })
            .collect()
    };
    let mut metric = index.customize(risky(&mut rng));
    check_nodes(&g, &index, &metric, &mut rng, 500);
    // Fills the metric's unpacking cache, which must not mislead after the weights change.
    check_routes(
        (&g, &index, &metric),
        &mut rng,
        Profile::Foot,
        150,
        0,
        false,
    );
    // New incidents: re-customize in place, reusing the buffers.
    let mut changed = metric.weights().to_vec();
    for w in changed.iter_mut() {
        if *w != BLOCKED && rng.random_bool(0.05) {
            *w = if rng.random_bool(0.5) {
                *w * 7
            } else {
                (*w / 3).max(1)
            };
        }
    }
    index.customize_into(changed, &mut metric);
    check_nodes(&g, &index, &metric, &mut rng, 500);
    check_routes(
        (&g, &index, &metric),
        &mut rng,
        Profile::Foot,
        150,
        20,
        false,
    );
}

#[test]
fn weights_beyond_31_bits_fall_back_instead_of_lying() {
    let mut rng = StdRng::seed_from_u64(5);
    let g = graph(1_500, 4);
    let index = CchIndex::build(&g);
    // Every open edge costs about 2^29: routes of 4+ edges exceed the CCH's INF_WEIGHT.
    let w: Vec<u32> = weights_time(&g, Profile::Vehicle, false)
        .into_iter()
        .map(|t| if t == BLOCKED { BLOCKED } else { (1 << 29) + t })
        .collect();
    let metric = index.customize(w);
    let oracle = Oracle::new(&g, metric.weights());
    let mut q = CchQuery::new();
    let (mut known, mut unknown) = (0, 0);
    for _ in 0..20 {
        let s = NodeId(rng.random_range(0..g.node_count() as u32));
        let costs = oracle.costs_from(s);
        for _ in 0..20 {
            let t = NodeId(rng.random_range(0..g.node_count() as u32));
            match q.distance(&index, &metric, s, t) {
                Some(d) => {
                    assert_eq!(Some(d), costs[t.index()]);
                    known += 1;
                }
                None => unknown += 1,
            }
        }
    }
    assert!(known > 0 && unknown > 0, "{known} known, {unknown} unknown");
    check_routes(
        (&g, &index, &metric),
        &mut rng,
        Profile::Vehicle,
        50,
        0,
        true,
    );
}

#[test]
fn an_order_is_checked_and_reused() {
    let g = graph(500, 6);
    let index = CchIndex::build(&g);
    let again = CchIndex::with_order(&g, index.order()).unwrap();
    assert_eq!(again.arc_count(), index.arc_count());
    assert!(CchIndex::with_order(&g, &index.order()[1..]).is_err());
    let mut dup = index.order().to_vec();
    dup[0] = dup[1];
    let err = CchIndex::with_order(&g, &dup).unwrap_err();
    assert!(err.to_string().contains("order"), "{err}");
}

#[test]
fn partial_recustomization_equals_a_full_one() {
    let mut rng = StdRng::seed_from_u64(13);
    let g = graph(3_000, 8);
    let index = CchIndex::build(&g);
    let base = weights_time(&g, Profile::Vehicle, false);
    let mut metric = index.customize(base.clone());
    let mut w = base.clone();
    for (round, share) in [0.001, 0.01, 0.05, 0.3].into_iter().enumerate() {
        for (x, &b) in w.iter_mut().zip(&base) {
            if rng.random_bool(share) {
                *x = match rng.random_range(0..4) {
                    0 => BLOCKED,
                    1 => b,
                    2 if b != BLOCKED => b.saturating_mul(9).min(BLOCKED - 1),
                    _ => rng.random_range(1..2_000),
                };
            }
        }
        check_routes(
            (&g, &index, &metric),
            &mut rng,
            Profile::Vehicle,
            40,
            0,
            false,
        );
        let recomputed = index.recustomize(&mut metric, w.clone());
        assert!(recomputed > 0, "round {round}");
        if share < 0.1 {
            assert!(recomputed < g.node_count(), "round {round}: partial");
        }
        assert_eq!(metric, index.customize(w.clone()), "round {round}");
    }
    check_nodes(&g, &index, &metric, &mut rng, 200);
    check_routes(
        (&g, &index, &metric),
        &mut rng,
        Profile::Vehicle,
        100,
        0,
        false,
    );
}
