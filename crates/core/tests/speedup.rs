//! Routes through the engine's speed-up (CCH metrics shared by requests) against the Dijkstra
//! oracle (petgraph): optimal generalised costs on 1000+ pairs, alternatives, hard blocks and
//! avoid areas, and after new incidents (re-customized metrics reflect them).

use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use senda_core::engine::route::RouteQuery;
use senda_core::engine::{Engine, EngineConfig, EngineData, WeightQuery};
use senda_core::search::partial_cost;
use senda_core::{
    EdgeId, Incident, IncidentCategory, LonLat, NodeId, Profile, SourceKey, WeatherAlert,
};
use senda_testkit::oracle::{snap_to_snap, Oracle};

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 10, 1, 0, 0, 0).unwrap()
}

fn p(lon: f64, lat: f64) -> LonLat {
    LonLat::new(lon, lat).unwrap()
}

/// `count` incidents around `hotspots` random node positions.
fn incidents(nodes: &[LonLat], hotspots: usize, count: usize, seed: u64) -> Vec<Incident> {
    let mut rng = StdRng::seed_from_u64(seed);
    let centres: Vec<LonLat> = (0..hotspots)
        .map(|_| nodes[rng.random_range(0..nodes.len())])
        .collect();
    (0..count)
        .map(|i| {
            let c = centres[i % centres.len()];
            Incident::new(
                SourceKey::new("synthetic", format!("{seed}-{i}")).unwrap(),
                p(
                    c.lon() + rng.random_range(-0.006..0.006),
                    c.lat() + rng.random_range(-0.006..0.006),
                ),
                at() - Duration::days(rng.random_range(1..700)),
                IncidentCategory::Kidnapping,
                rng.random_range(1..4),
            )
            .unwrap()
        })
        .collect()
}

fn data(nodes: usize, seed: u64) -> EngineData {
    let roads = senda_testkit::gen::road_like_graph(nodes, seed);
    let positions: Vec<LonLat> = roads.iter().map(|r| r.geometry[0]).collect();
    EngineData {
        incidents: incidents(&positions, 6, 240, seed),
        roads,
        ..EngineData::default()
    }
}

fn prepared(data: EngineData) -> Engine {
    let engine = Engine::build(data, at(), EngineConfig::default()).unwrap();
    engine.prepare_speedup();
    assert!(engine.speedup_ready());
    engine
}

fn random_point(engine: &Engine, rng: &mut StdRng) -> LonLat {
    let g = engine.graph();
    let n = g.node_position(NodeId(rng.random_range(0..g.node_count() as u32)));
    p(
        n.lon() + rng.random_range(-0.0004..0.0004),
        n.lat() + rng.random_range(-0.0004..0.0004),
    )
}

fn weights(engine: &Engine, profile: Profile, aversion: f64) -> Vec<u32> {
    engine
        .weights(&WeightQuery {
            profile,
            aversion,
            ..WeightQuery::default()
        })
        .unwrap()
}

fn cost_of(weights: &[u32], edges: &[EdgeId], fs: f64, ft: f64) -> u64 {
    match edges {
        [] => 0,
        [e] => partial_cost(weights[e.index()], (ft - fs).abs()),
        [first, middle @ .., last] => {
            partial_cost(weights[first.index()], 1.0 - fs)
                + middle
                    .iter()
                    .map(|e| u64::from(weights[e.index()]))
                    .sum::<u64>()
                + partial_cost(weights[last.index()], ft)
        }
    }
}

/// `n` random queries at the given aversions (cycled), with `alternatives`: every route of
/// every answer has the oracle's optimal cost at the aversion it reports.
fn check_optimal(
    engine: &Engine,
    profile: Profile,
    aversions: &[f64],
    alternatives: usize,
    n: usize,
    seed: u64,
) -> usize {
    let g = engine.graph();
    let ws: Vec<Vec<u32>> = aversions
        .iter()
        .map(|&a| weights(engine, profile, a))
        .collect();
    let oracles: Vec<Oracle> = ws.iter().map(|w| Oracle::new(g, w)).collect();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut checked = 0;
    for i in 0..n {
        let (a, b) = (
            random_point(engine, &mut rng),
            random_point(engine, &mut rng),
        );
        let q = RouteQuery {
            profile,
            aversion: aversions[i % aversions.len()],
            alternatives,
            ..RouteQuery::new(a, b)
        };
        let Ok(answer) = engine.route(&q) else {
            continue;
        };
        for r in &answer.routes {
            let Some(k) = aversions.iter().position(|&x| x == r.aversion_used) else {
                continue; // an alternative from a sweep level not checked here
            };
            let w = &ws[k];
            let best = snap_to_snap(&oracles[k], g, w, &r.from, &r.to).unwrap();
            assert_eq!(r.cost_ds, best, "{profile} aversion {}", r.aversion_used);
            assert_eq!(cost_of(w, &r.edges, r.from.fraction, r.to.fraction), best);
            checked += 1;
        }
    }
    checked
}

#[test]
fn routes_through_the_cch_are_optimal_on_1000_pairs() {
    let engine = prepared(data(2500, 21));
    let mut checked = 0;
    for profile in Profile::ALL {
        // Ladder levels (CCH) and one off the ladder (Dijkstra).
        checked += check_optimal(&engine, profile, &[0.0, 0.5, 1.0, 0.3], 0, 500, 1);
        checked += check_optimal(&engine, profile, &[0.5, 0.0, 1.0, 0.25], 3, 40, 2);
    }
    assert!(checked >= 1000, "{checked}");
    // The metrics used are the engine's weights, customized once and shared.
    let m = engine.cch_metric(Profile::Foot, false, 0.5).unwrap();
    assert_eq!(m.weights(), &weights(&engine, Profile::Foot, 0.5)[..]);
    assert!(engine.cch_metric(Profile::Foot, false, 0.3).is_none());
}

#[test]
fn new_incidents_are_reflected_by_recustomization() {
    let d = data(2500, 22);
    let positions: Vec<LonLat> = d.roads.iter().map(|r| r.geometry[0]).collect();
    let engine = prepared(d);
    let before = engine.cch_metric(Profile::Foot, false, 0.5).unwrap();
    let fastest = engine.cch_metric(Profile::Foot, false, 0.0).unwrap();
    let new = incidents(&positions, 20, 1000, 99);
    let (next, updated) = engine.add_incidents(&new).unwrap();
    assert!(updated > 100, "{updated}");
    let after = next.cch_metric(Profile::Foot, false, 0.5).unwrap();
    assert_eq!(after.weights(), &weights(&next, Profile::Foot, 0.5)[..]);
    assert_ne!(
        after.weights(),
        before.weights(),
        "incidents changed the weights"
    );
    // The fastest metric does not depend on risk: the same one is carried over.
    let fastest_next = next.cch_metric(Profile::Foot, false, 0.0).unwrap();
    assert!(std::sync::Arc::ptr_eq(&fastest, &fastest_next));
    assert_eq!(
        fastest_next.weights(),
        &weights(&next, Profile::Foot, 0.0)[..]
    );
    // Routes on the new snapshot are optimal for its weights.
    let checked = check_optimal(&next, Profile::Foot, &[0.5, 0.0, 1.0], 0, 150, 3);
    assert!(checked > 100, "{checked}");
    // The old snapshot is untouched.
    assert_eq!(before.weights(), &weights(&engine, Profile::Foot, 0.5)[..]);
}

#[test]
fn the_index_is_reused_for_the_same_network() {
    let a = prepared(data(800, 23));
    let b = prepared(data(800, 23));
    assert!(std::ptr::eq(a.cch_index().unwrap(), b.cch_index().unwrap()));
    let unprepared = Engine::build(data(800, 24), at(), EngineConfig::default()).unwrap();
    assert!(!unprepared.speedup_ready());
    assert!(unprepared.cch_metric(Profile::Foot, false, 0.5).is_none());
}

fn hurricane(area: Vec<LonLat>) -> WeatherAlert {
    senda_testkit::gen::hurricane(area, at())
}

#[test]
fn hard_blocks_and_avoid_areas_stay_exact() {
    let mut d = data(2500, 25);
    let c = d.roads[d.roads.len() / 2].geometry[0];
    let ring = senda_testkit::gen::square(c, 0.012);
    d.alerts = vec![hurricane(ring)];
    let engine = prepared(d);
    let blocked: Vec<bool> = (0..engine.graph().edge_count() as u32)
        .map(|e| engine.hard_blocked(EdgeId(e), Profile::Foot))
        .collect();
    assert!(blocked.iter().filter(|&&b| b).count() > 50);
    let checked = check_optimal(&engine, Profile::Foot, &[0.5, 0.0], 0, 120, 4);
    assert!(checked > 50, "{checked}");
    // An avoid area (per request): searched by Dijkstra on the request's weights.
    let g = engine.graph();
    let mut rng = StdRng::seed_from_u64(5);
    let mut avoided_routes = 0;
    for _ in 0..30 {
        let (a, b) = (
            random_point(&engine, &mut rng),
            random_point(&engine, &mut rng),
        );
        let mid = p((a.lon() + b.lon()) / 2.0, (a.lat() + b.lat()) / 2.0);
        let s = 0.005;
        let area = geo::Polygon::new(
            geo::LineString::from(vec![
                (mid.lon() - s, mid.lat() - s),
                (mid.lon() + s, mid.lat() - s),
                (mid.lon() + s, mid.lat() + s),
                (mid.lon() - s, mid.lat() + s),
                (mid.lon() - s, mid.lat() - s),
            ]),
            vec![],
        );
        let q = RouteQuery {
            avoid: vec![area.clone()],
            ..RouteQuery::new(a, b)
        };
        let Ok(answer) = engine.route(&q) else {
            continue;
        };
        let r = answer.chosen();
        let w = engine
            .weights(&WeightQuery {
                profile: Profile::Foot,
                aversion: r.aversion_used,
                avoid: vec![area],
                ..WeightQuery::default()
            })
            .unwrap();
        let best = snap_to_snap(&Oracle::new(g, &w), g, &w, &r.from, &r.to).unwrap();
        assert_eq!(r.cost_ds, best);
        avoided_routes += 1;
    }
    assert!(avoided_routes > 10, "{avoided_routes}");
}

/// `with_events` (the server's refresh after an ingest of incidents or alerts) carries the
/// customized metrics over, re-customized to the new weights — the fastest ones too, since a
/// new alert's hard blocks change them — and routes stay optimal.
#[test]
fn new_alerts_and_incidents_through_with_events_stay_exact() {
    let d = data(2500, 26);
    let positions: Vec<LonLat> = d.roads.iter().map(|r| r.geometry[0]).collect();
    let c = positions[positions.len() / 2];
    let ring = senda_testkit::gen::square(c, 0.012);
    let mut all = d.incidents.clone();
    let engine = prepared(d);
    let fastest = engine.cch_metric(Profile::Foot, false, 0.0).unwrap();
    all.extend(incidents(&positions, 10, 500, 77));
    let next = engine
        .with_events(all, vec![hurricane(ring)], at())
        .unwrap();
    assert!(next.speedup_ready());
    let fastest_next = next.cch_metric(Profile::Foot, false, 0.0).unwrap();
    assert!(!std::sync::Arc::ptr_eq(&fastest, &fastest_next));
    assert_eq!(
        fastest_next.weights(),
        &weights(&next, Profile::Foot, 0.0)[..]
    );
    assert_ne!(
        fastest_next.weights(),
        fastest.weights(),
        "the hurricane blocks roads"
    );
    let checked = check_optimal(&next, Profile::Foot, &[0.5, 0.0, 1.0], 0, 200, 5);
    assert!(checked > 100, "{checked}");
}
