//! The route query through the public API, on seeded road-like graphs with synthetic incident
//! hotspots: aversion 0 is the fastest route, the generalised cost is optimal (petgraph
//! oracle), aversion trades time for safety monotonically, alternatives lie on the Pareto
//! front, incidents only add risk, avoid areas and hard blocks are respected, and bad input
//! is an error, never a panic.

use chrono::{DateTime, Duration, TimeZone, Utc};
use geo::Intersects;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use senda_core::engine::route::{RouteAnswer, RouteQuery};
use senda_core::engine::{Engine, EngineConfig, EngineData, EngineError, WeightQuery};
use senda_core::search::{partial_cost, weights_time, Router};
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

/// `count` incidents around `hotspots` random centres in the graph's box.
fn incidents(nodes: &[LonLat], hotspots: usize, count: usize, seed: u64) -> Vec<Incident> {
    let mut rng = StdRng::seed_from_u64(seed);
    let categories = [
        IncidentCategory::Kidnapping,
        IncidentCategory::Extortion,
        IncidentCategory::Violence,
        IncidentCategory::SexualViolence,
    ];
    let centres: Vec<LonLat> = (0..hotspots)
        .map(|_| nodes[rng.random_range(0..nodes.len())])
        .collect();
    (0..count)
        .map(|i| {
            let c = centres[i % centres.len()];
            let location = p(
                c.lon() + rng.random_range(-0.006..0.006),
                c.lat() + rng.random_range(-0.006..0.006),
            );
            Incident::new(
                SourceKey::new("synthetic", format!("{seed}-{i}")).unwrap(),
                location,
                at() - Duration::days(rng.random_range(1..700)),
                categories[rng.random_range(0..categories.len())],
                rng.random_range(1..4),
            )
            .unwrap()
        })
        .collect()
}

/// An engine over a generated graph of about `nodes` junctions with incident hotspots.
fn engine(nodes: usize, seed: u64) -> Engine {
    let roads = senda_testkit::gen::road_like_graph(nodes, seed);
    let positions: Vec<LonLat> = roads.iter().map(|r| r.geometry[0]).collect();
    let data = EngineData {
        incidents: incidents(&positions, 6, 240, seed),
        roads,
        ..EngineData::default()
    };
    Engine::build(data, at(), EngineConfig::default()).unwrap()
}

/// A point near a random node (a few tens of metres off the road).
fn random_point(engine: &Engine, rng: &mut StdRng) -> LonLat {
    let g = engine.graph();
    let n = g.node_position(NodeId(rng.random_range(0..g.node_count() as u32)));
    p(
        n.lon() + rng.random_range(-0.0004..0.0004),
        n.lat() + rng.random_range(-0.0004..0.0004),
    )
}

fn query(from: LonLat, to: LonLat, profile: Profile, aversion: f64) -> RouteQuery {
    RouteQuery {
        profile,
        aversion,
        ..RouteQuery::new(from, to)
    }
}

/// Recomputes a route's cost from its edges and snaps with the given weights, as documented
/// on `PathResult`.
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

#[test]
fn aversion_zero_is_the_fastest_route() {
    let engine = engine(2500, 1);
    let g = engine.graph();
    let mut rng = StdRng::seed_from_u64(11);
    let mut router = Router::new();
    for profile in Profile::ALL {
        let time = weights_time(g, profile, false);
        let oracle = Oracle::new(g, &time);
        for _ in 0..60 {
            let (a, b) = (
                random_point(&engine, &mut rng),
                random_point(&engine, &mut rng),
            );
            let answer = engine.route(&query(a, b, profile, 0.0)).unwrap();
            let r = answer.chosen();
            assert_eq!(r.aversion_used, 0.0);
            assert!(answer.fastest.is_none());
            let plain = router.route(g, &time, &answer.from, &answer.to).unwrap();
            let best = snap_to_snap(&oracle, g, &time, &answer.from, &answer.to).unwrap();
            assert_eq!(plain.cost, best);
            // The route's pure travel time is the optimum (the partial first and last edges
            // are rounded to whole deciseconds in the search).
            let t_ds = r.duration_s * 10.0;
            assert!(
                (t_ds - best as f64).abs() <= 1.0 + 1e-6,
                "{profile}: duration {t_ds} ds, fastest {best} ds"
            );
            assert!((r.distance_m - plain.length_m(g)).abs() < 1.0 || r.edges != plain.edges);
        }
    }
}

#[test]
fn generalised_cost_is_optimal_on_1000_pairs() {
    let engine = engine(2500, 2);
    let g = engine.graph();
    let mut rng = StdRng::seed_from_u64(12);
    let aversions = [0.0, 0.1, 0.5, 1.0];
    let mut checked = 0;
    for profile in Profile::ALL {
        let weights: Vec<Vec<u32>> = aversions
            .iter()
            .map(|&aversion| {
                engine
                    .weights(&WeightQuery {
                        profile,
                        aversion,
                        ..WeightQuery::default()
                    })
                    .unwrap()
            })
            .collect();
        let oracles: Vec<Oracle> = weights.iter().map(|w| Oracle::new(g, w)).collect();
        for i in 0..500 {
            let k = i % aversions.len();
            let (a, b) = (
                random_point(&engine, &mut rng),
                random_point(&engine, &mut rng),
            );
            let answer = engine.route(&query(a, b, profile, aversions[k])).unwrap();
            let r = answer.chosen();
            // Rounding can make the requested route a hair worse than the fastest on both
            // counts; the answer then chooses the fastest, optimal for aversion 0.
            let k = aversions
                .iter()
                .position(|&x| x == r.aversion_used)
                .unwrap();
            let w = &weights[k];
            let best = snap_to_snap(&oracles[k], g, w, &answer.from, &answer.to).unwrap();
            assert_eq!(r.cost_ds, best, "{profile} aversion {}", aversions[k]);
            assert_eq!(cost_of(w, &r.edges, r.from.fraction, r.to.fraction), best);
            checked += 1;
        }
    }
    assert!(checked >= 1000);
}

#[test]
fn raising_aversion_trades_time_for_safety() {
    let engine = engine(2500, 3);
    let scale = engine.config().aversion_scale;
    let mut rng = StdRng::seed_from_u64(13);
    let sweep = [0.0, 0.125, 0.25, 0.5, 0.75, 1.0];
    let mut traded = 0;
    for profile in Profile::ALL {
        for _ in 0..60 {
            let (a, b) = (
                random_point(&engine, &mut rng),
                random_point(&engine, &mut rng),
            );
            let routes: Vec<_> = sweep
                .iter()
                .map(|&x| engine.route(&query(a, b, profile, x)).unwrap().routes[0].clone())
                .collect();
            for (i, w) in routes.windows(2).enumerate() {
                let (lo, hi) = (&w[0], &w[1]);
                // Exact for the weighted sum T + λE; integer edge weights round each edge by
                // up to half a decisecond, which bounds how far two optima can disagree.
                let slack_ds = (lo.edges.len() + hi.edges.len()) as f64 + 2.0;
                let d_lambda = (sweep[i + 1] - sweep[i]) * scale * 36_000.0; // ds per risk-hour
                let e_tol = 2.0 * slack_ds / d_lambda;
                let t_tol =
                    (slack_ds + 2.0 * slack_ds * sweep[i] / (sweep[i + 1] - sweep[i])) / 10.0;
                assert!(
                    hi.risk_exposure <= lo.risk_exposure + e_tol,
                    "{profile}: exposure rose {} → {} (aversion {} → {})",
                    lo.risk_exposure,
                    hi.risk_exposure,
                    sweep[i],
                    sweep[i + 1]
                );
                assert!(
                    hi.duration_s + t_tol >= lo.duration_s,
                    "{profile}: duration fell {} → {}",
                    lo.duration_s,
                    hi.duration_s
                );
            }
            let (first, last) = (&routes[0], &routes[routes.len() - 1]);
            if last.risk_exposure < first.risk_exposure * 0.99 {
                traded += 1;
                assert!(last.duration_s > first.duration_s);
            }
        }
    }
    // The hotspots make a real trade-off on some pairs.
    assert!(
        traded >= 5,
        "only {traded} pairs found a safer, slower route"
    );
}

fn check_front(answer: &RouteAnswer, max_routes: usize) {
    let routes = &answer.routes;
    assert!(!routes.is_empty() && routes.len() <= max_routes);
    assert!(routes[0].chosen && routes[1..].iter().all(|r| !r.chosen));
    // Alternatives by increasing duration.
    assert!(routes[1..]
        .windows(2)
        .all(|w| w[0].duration_s <= w[1].duration_s));
    let mut figures: Vec<(f64, f64)> = routes
        .iter()
        .map(|r| (r.duration_s, r.risk_exposure))
        .collect();
    figures.sort_by(|a, b| a.0.total_cmp(&b.0));
    for w in figures.windows(2) {
        assert!(w[0].0 < w[1].0, "equal durations: {figures:?}");
        assert!(w[0].1 > w[1].1, "more time for no less risk: {figures:?}");
    }
    for (i, a) in routes.iter().enumerate() {
        for b in &routes[i + 1..] {
            assert_ne!(a.edges, b.edges);
        }
    }
    if let Some(f) = &answer.fastest {
        assert!(f.duration_s < routes[0].duration_s);
        assert!(f.risk_exposure > routes[0].risk_exposure);
        assert!(routes.iter().all(|r| r.duration_s >= f.duration_s));
    }
}

#[test]
fn alternatives_lie_on_the_pareto_front() {
    let engine = engine(2500, 4);
    let mut rng = StdRng::seed_from_u64(14);
    let (mut with_alternatives, mut with_fastest) = (0, 0);
    for profile in Profile::ALL {
        for i in 0..50 {
            let (a, b) = (
                random_point(&engine, &mut rng),
                random_point(&engine, &mut rng),
            );
            let n = 1 + i % 5;
            let mut q = query(a, b, profile, [0.3, 0.5, 1.0][i % 3]);
            q.alternatives = n;
            let answer = engine.route(&q).unwrap();
            check_front(&answer, n + 1);
            with_alternatives += usize::from(answer.routes.len() > 1);
            with_fastest += usize::from(answer.fastest.is_some());
            // The same query without alternatives chooses the same route.
            q.alternatives = 0;
            let single = engine.route(&q).unwrap();
            assert_eq!(single.routes.len(), 1);
            assert_eq!(single.routes[0].edges, answer.routes[0].edges);
            assert_eq!(single.fastest.is_some(), answer.fastest.is_some());
        }
    }
    assert!(with_alternatives >= 5, "{with_alternatives}");
    assert!(with_fastest >= 5, "{with_fastest}");
}

#[test]
fn explanation_and_roads_describe_the_route() {
    let engine = engine(2500, 5);
    let mut rng = StdRng::seed_from_u64(15);
    let mut explained = 0;
    for _ in 0..40 {
        let (a, b) = (
            random_point(&engine, &mut rng),
            random_point(&engine, &mut rng),
        );
        let r = engine
            .route(&query(a, b, Profile::Foot, 0.5))
            .unwrap()
            .routes[0]
            .clone();
        let x = &r.explanation;
        // The explanation covers the route's length (partial edges by fraction).
        assert!((x.length_m - r.distance_m).abs() <= 1.0 + r.distance_m * 1e-3);
        assert!(x.top_cells.len() <= 5);
        if r.risk_exposure > 0.0 {
            explained += 1;
            assert!(x.total_exposure > 0.0);
            let cats: f64 = x.categories.iter().map(|c| c.share).sum();
            assert!((cats - 1.0).abs() < 1e-3, "{cats}");
            assert!(x
                .top_cells
                .windows(2)
                .all(|w| w[0].exposure >= w[1].exposure));
        }
        // Generated roads carry no names: no road summary.
        assert!(r.roads.is_empty());
        let near = |x: &LonLat, y: LonLat| senda_core::haversine_m(*x, y) < 0.5;
        assert!(near(r.geometry.first().unwrap(), r.from.point));
        assert!(near(r.geometry.last().unwrap(), r.to.point));
    }
    assert!(explained > 10);
}

#[test]
fn adding_an_incident_never_lowers_risk() {
    let engine = engine(1500, 6);
    let positions: Vec<LonLat> = (0..engine.graph().node_count() as u32)
        .map(|n| engine.graph().node_position(NodeId(n)))
        .collect();
    let mut current = engine;
    for round in 0..5 {
        let new = incidents(&positions, 1, 3, 100 + round);
        let (next, updated) = current.add_incidents(&new).unwrap();
        assert!(updated > 0);
        for profile in Profile::ALL {
            let (before, after) = (current.edge_risk(profile), next.edge_risk(profile));
            let mut rose = 0;
            for (b, a) in before.iter().zip(after) {
                assert!(a.exposure >= b.exposure, "{} → {}", b.exposure, a.exposure);
                rose += usize::from(a.exposure > b.exposure);
            }
            assert!(rose > 0);
            // So the same route is never less exposed either.
            let e = EdgeId(0);
            assert!(next.exposure(e, profile, 1.0) >= current.exposure(e, profile, 1.0));
        }
        current = next;
    }
}

fn square(c: LonLat, half: f64) -> geo::Polygon<f64> {
    geo::Polygon::new(
        geo::LineString::from(vec![
            (c.lon() - half, c.lat() - half),
            (c.lon() + half, c.lat() - half),
            (c.lon() + half, c.lat() + half),
            (c.lon() - half, c.lat() + half),
            (c.lon() - half, c.lat() - half),
        ]),
        vec![],
    )
}

fn enters(engine: &Engine, edge: EdgeId, area: &geo::Polygon<f64>) -> bool {
    let line = geo::LineString::from(
        engine
            .graph()
            .edge_geometry(edge)
            .map(|q| (q.lon(), q.lat()))
            .collect::<Vec<_>>(),
    );
    area.intersects(&line)
}

#[test]
fn avoid_areas_are_never_entered() {
    let engine = engine(2500, 7);
    let mut rng = StdRng::seed_from_u64(17);
    let (mut detoured, mut refused) = (0, 0);
    for i in 0..60 {
        let profile = Profile::ALL[i % 2];
        let (a, b) = (
            random_point(&engine, &mut rng),
            random_point(&engine, &mut rng),
        );
        let plain = engine.route(&query(a, b, profile, 0.5)).unwrap();
        // A square around the middle of the plain route.
        let g = &plain.routes[0].geometry;
        let area = square(g[g.len() / 2], 0.004);
        let mut q = query(a, b, profile, 0.5);
        q.avoid = vec![area.clone()];
        q.alternatives = 2;
        match engine.route(&q) {
            Ok(answer) => {
                detoured += 1;
                for r in &answer.routes {
                    for &e in &r.edges {
                        assert!(!enters(&engine, e, &area), "route enters the avoided area");
                    }
                }
            }
            Err(EngineError::Unreachable { reason }) => {
                refused += 1;
                assert!(!reason.is_empty());
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert!(detoured > 30, "{detoured} detours, {refused} refusals");

    // A start inside the avoided area: its road is closed.
    let mut rng = StdRng::seed_from_u64(18);
    let (a, b) = (
        random_point(&engine, &mut rng),
        random_point(&engine, &mut rng),
    );
    let mut q = query(a, b, Profile::Foot, 0.5);
    q.avoid = vec![square(a, 0.01)];
    match engine.route(&q) {
        Err(EngineError::Unreachable { reason }) => assert!(reason.contains("`from`"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // A band across the whole network between the two ends: every way is cut.
    let (west, east) = (p(-92.27, 14.9), p(-92.27 + 0.11, 14.9 + 0.11));
    let mid_lon = (west.lon() + east.lon()) / 2.0;
    let band = geo::Polygon::new(
        geo::LineString::from(vec![
            (mid_lon - 0.003, 14.0),
            (mid_lon + 0.003, 14.0),
            (mid_lon + 0.003, 16.0),
            (mid_lon - 0.003, 16.0),
            (mid_lon - 0.003, 14.0),
        ]),
        vec![],
    );
    let mut q = query(
        p(west.lon() + 0.01, 14.95),
        p(east.lon() - 0.01, 14.95),
        Profile::Foot,
        0.5,
    );
    q.avoid = vec![band];
    match engine.route(&q) {
        Err(EngineError::Unreachable { reason }) => {
            assert!(reason.contains("every way"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

fn hurricane(area: Vec<LonLat>) -> WeatherAlert {
    senda_testkit::gen::hurricane(area, at())
}

#[test]
fn hard_blocked_edges_are_never_used() {
    let roads = senda_testkit::gen::road_like_graph(2500, 8);
    let c = roads[roads.len() / 2].geometry[0];
    let ring = senda_testkit::gen::square(c, 0.012);
    let data = EngineData {
        roads,
        alerts: vec![hurricane(ring)],
        ..EngineData::default()
    };
    let engine = Engine::build(data, at(), EngineConfig::default()).unwrap();
    let blocked: Vec<bool> = (0..engine.graph().edge_count() as u32)
        .map(|e| engine.hard_blocked(EdgeId(e), Profile::Foot))
        .collect();
    assert!(blocked.iter().filter(|&&b| b).count() > 50);
    let mut rng = StdRng::seed_from_u64(19);
    let (mut routed, mut refused) = (0, 0);
    for _ in 0..80 {
        let (a, b) = (
            random_point(&engine, &mut rng),
            random_point(&engine, &mut rng),
        );
        let mut q = query(a, b, Profile::Foot, 0.5);
        q.alternatives = 3;
        match engine.route(&q) {
            Ok(answer) => {
                routed += 1;
                for r in &answer.routes {
                    assert!(r.edges.iter().all(|e| !blocked[e.index()]));
                    assert!(!r.explanation.blocked);
                }
            }
            Err(EngineError::Unreachable { reason }) => {
                refused += 1;
                assert!(reason.contains("closed"), "{reason}");
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert!(
        routed > 20 && refused > 0,
        "{routed} routed, {refused} refused"
    );
}

#[test]
fn far_points_equal_points_and_bad_values() {
    let engine = engine(800, 9);
    let mut rng = StdRng::seed_from_u64(20);
    let a = random_point(&engine, &mut rng);
    // 1° (≈ 110 km) away, or in the Pacific.
    for far in [p(a.lon(), a.lat() - 1.0), p(-100.0, 10.0)] {
        match engine.route(&RouteQuery::new(far, a)) {
            Err(EngineError::Snap { what: "from", .. }) => {}
            other => panic!("{other:?}"),
        }
        match engine.route(&RouteQuery::new(a, far)) {
            Err(EngineError::Snap { what: "to", .. }) => {}
            other => panic!("{other:?}"),
        }
    }
    // from == to: a zero-length route.
    for profile in Profile::ALL {
        let mut q = query(a, a, profile, 0.7);
        q.alternatives = 3;
        let answer = engine.route(&q).unwrap();
        assert_eq!(answer.routes.len(), 1);
        let r = &answer.routes[0];
        assert_eq!(
            (r.distance_m, r.duration_s, r.risk_exposure),
            (0.0, 0.0, 0.0)
        );
        assert_eq!(r.cost_ds, 0);
        assert!(r.geometry.len() >= 2 && r.geometry.iter().all(|&q| q == r.geometry[0]));
        assert!(answer.fastest.is_none());
    }
    // Invalid values.
    for (aversion, alternatives) in [(1.5, 0), (-0.1, 0), (f64::NAN, 0), (0.5, 6)] {
        let mut q = RouteQuery::new(a, a);
        q.aversion = aversion;
        q.alternatives = alternatives;
        assert!(matches!(engine.route(&q), Err(EngineError::Invalid(_))));
    }
}
