//! The road graph and its search on real networks (Andorra PBF and Monaco XML from `tests/data`,
//! Travel Mapping's Mesoamerican highways from the default dataset in `data/`): bidirectional
//! Dijkstra == petgraph's Dijkstra on seeded random pairs, and a loose cross-check of route
//! lengths against GraphHopper.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use senda_core::graph::{GraphConfig, Profile, RoadGraph};
use senda_core::search::cch::{CchAnswer, CchIndex, CchQuery};
use senda_core::search::{weights_time, Router};
use senda_core::{EdgeId, LonLat, NodeId, RoadSegment};
use senda_ingest::{roads, Input};
use senda_testkit::oracle::{path_weight, Oracle};
use std::time::Instant;

/// The roads of a file: `data/…` from the default dataset, anything else from `tests/data`.
fn load(rel: &str) -> Vec<RoadSegment> {
    let path = match rel.strip_prefix("data/") {
        Some(rel) => senda_testkit::data_file(rel),
        None => senda_testkit::test_file(rel),
    };
    let input = Input::from_path(&path).unwrap();
    roads::read(&input)
        .unwrap()
        .roads
        .records
        .into_iter()
        .map(|r| r.record)
        .collect()
}

fn build(name: &str, rel: &str) -> RoadGraph {
    let segs = load(rel);
    let t = Instant::now();
    let (g, report) = RoadGraph::build(&segs, &GraphConfig::default());
    println!(
        "{name}: built in {:.0} ms, {:.1} MB\n{report}",
        t.elapsed().as_secs_f64() * 1e3,
        g.memory_bytes() as f64 / 1e6
    );
    assert!(g.node_count() > 100);
    assert!(report.foot.kept_nodes > report.foot.dropped_nodes);
    assert!(report.vehicle.kept_nodes > report.vehicle.dropped_nodes);
    g
}

/// At least 1,000 random pairs per profile: costs and paths equal petgraph's, for the
/// bidirectional Dijkstra and for the customizable contraction hierarchy (costs, and routes
/// between snapped points equal to Dijkstra's).
fn oracle_pairs(name: &str, g: &RoadGraph, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut router = Router::for_graph(g);
    let index = CchIndex::build(g);
    let mut cch = CchQuery::new();
    for (profile, allow_rail) in [(Profile::Foot, false), (Profile::Vehicle, false)] {
        let w = weights_time(g, profile, allow_rail);
        let oracle = Oracle::new(g, &w);
        let metric = index.customize(w.clone());
        // Sources and targets: tails of usable edges (nodes in the kept component), plus a few
        // arbitrary nodes (often outside it: unreachable).
        let usable: Vec<NodeId> = (0..g.edge_count() as u32)
            .map(EdgeId)
            .filter(|&e| g.usable(e, profile, allow_rail))
            .map(|e| g.tail(e))
            .collect();
        let pick = |rng: &mut StdRng| {
            if rng.random_bool(0.95) {
                usable[rng.random_range(0..usable.len())]
            } else {
                NodeId(rng.random_range(0..g.node_count() as u32))
            }
        };
        let (mut pairs, mut reachable) = (0, 0);
        let t = Instant::now();
        let mut search_s = 0.0;
        for _ in 0..40 {
            let s = pick(&mut rng);
            let costs = oracle.costs_from(s);
            for _ in 0..26 {
                let target = pick(&mut rng);
                let q = Instant::now();
                let got = router.route_nodes(g, &w, s, target);
                search_s += q.elapsed().as_secs_f64();
                pairs += 1;
                assert_eq!(
                    got.as_ref().map(|p| p.cost),
                    costs[target.index()],
                    "{name} {profile} {s} -> {target}"
                );
                assert_eq!(
                    cch.distance(&index, &metric, s, target),
                    costs[target.index()],
                    "CCH: {name} {profile} {s} -> {target}"
                );
                if let Some(p) = got {
                    reachable += 1;
                    assert_eq!(path_weight(&w, &p.edges), Some(p.cost));
                    let mut at = s;
                    for &e in &p.edges {
                        assert_eq!(g.tail(e), at);
                        at = g.head(e);
                    }
                    assert_eq!(at, target);
                }
            }
        }
        println!(
            "{name} {profile}: {pairs} pairs ({reachable} reachable) equal to petgraph; \
             {:.3} ms per bidirectional query (whole check {:.1} s)",
            search_s * 1e3 / pairs as f64,
            t.elapsed().as_secs_f64()
        );
        assert!(pairs >= 1000);
        assert!(reachable > pairs * 3 / 4, "{reachable} of {pairs}");
        // Snapped points near random usable nodes: CCH routes equal Dijkstra's.
        let mut routed = 0;
        for _ in 0..150 {
            let snap = |rng: &mut StdRng| {
                let v = g.node_position(pick(rng));
                let p = LonLat::new(v.lon() + 0.0002, v.lat() + 0.0001).unwrap();
                g.snap(p, profile, allow_rail, 5_000.0).ok()
            };
            let (Some(a), Some(b)) = (snap(&mut rng), snap(&mut rng)) else {
                continue;
            };
            let want = router.route(g, &w, &a, &b);
            match cch.route(g, &index, &metric, &a, &b) {
                CchAnswer::Route(p) => {
                    assert_eq!(Some(p.cost), want.map(|w| w.cost), "{name} {profile}");
                    routed += 1;
                }
                CchAnswer::Unknown => assert!(want.is_none(), "{name} {profile}"),
            }
        }
        assert!(routed > 100, "{routed}");
    }
}

#[test]
fn andorra_pbf() {
    let g = build("andorra", "osm/andorra.osm.pbf");
    oracle_pairs("andorra", &g, 1);
}

#[test]
fn monaco_xml() {
    let g = build("monaco", "osm/monaco.osm.gz");
    oracle_pairs("monaco", &g, 2);
}

#[test]
fn travel_mapping_segments() {
    let g = build(
        "travel-mapping",
        "data/roads/tm_mesoamerica_segments.geojson",
    );
    oracle_pairs("travel-mapping", &g, 3);
    // Tapachula to Guatemala City by vehicle: a few hundred km along the highways.
    let p = |lon, lat| LonLat::new(lon, lat).unwrap();
    let w = weights_time(&g, Profile::Vehicle, false);
    let a = g
        .snap(p(-92.2667, 14.9), Profile::Vehicle, false, 10_000.0)
        .unwrap();
    let b = g
        .snap(p(-90.5133, 14.6349), Profile::Vehicle, false, 10_000.0)
        .unwrap();
    let route = Router::new().route(&g, &w, &a, &b).unwrap();
    let km = route.length_m(&g) / 1e3;
    println!(
        "travel-mapping: Tapachula -> Guatemala City {km:.0} km, {:.1} h",
        route.cost as f64 / 36_000.0
    );
    assert!((220.0..450.0).contains(&km), "{km}");
}

/// GraphHopper's own Monaco test: (43.727687, 7.418737) → (43.74958, 7.436566) is 3587.6 m by
/// car and 3536 m on foot. Profiles differ (turn costs, access details), so ±10 %.
#[test]
fn monaco_lengths_match_graphhopper_loosely() {
    let segs = load("osm/monaco.osm.gz");
    let (g, _) = RoadGraph::build(&segs, &GraphConfig::default());
    let from = LonLat::new(7.418737, 43.727687).unwrap();
    let to = LonLat::new(7.436566, 43.74958).unwrap();
    let mut router = Router::new();
    for (profile, expected_m) in [(Profile::Vehicle, 3587.6), (Profile::Foot, 3536.0)] {
        let a = g.snap(from, profile, false, 200.0).unwrap();
        let b = g.snap(to, profile, false, 200.0).unwrap();
        let w = weights_time(&g, profile, false);
        let t = Instant::now();
        let route = router.route(&g, &w, &a, &b).unwrap();
        let elapsed = t.elapsed();
        let len = route.length_m(&g);
        println!(
            "monaco {profile}: {len:.1} m, {:.0} s (GraphHopper {expected_m} m); snapped {:.1} m / {:.1} m; {:?}",
            route.cost as f64 / 10.0,
            a.distance_m,
            b.distance_m,
            elapsed
        );
        assert!(
            (len - expected_m).abs() <= expected_m * 0.10,
            "{profile}: {len} m vs GraphHopper {expected_m} m"
        );
        let line = route.geometry(&g);
        assert!(line.len() > 10);
    }
}
