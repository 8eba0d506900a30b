//! Building the road graph: splitting, merging, access per profile, components, snapping and
//! the CSR invariants.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use senda_core::graph::{EdgeFlags, GraphConfig, Profile, RoadGraph, SnapError, NOT_ALLOWED};
use senda_core::search::{weights_time, Router};
use senda_core::{
    haversine_m, Access, EdgeId, LonLat, NodeId, Oneway, RoadClass, RoadSegment, SourceKey,
};
use senda_testkit::gen::road_like_graph;
use senda_testkit::oracle::nearest_edge_m;

fn p(lon: f64, lat: f64) -> LonLat {
    LonLat::new(lon, lat).unwrap()
}

fn seg(id: &str, class: RoadClass, pts: &[(f64, f64)]) -> RoadSegment {
    RoadSegment::new(
        SourceKey::new("t", id).unwrap(),
        class,
        pts.iter().map(|&(x, y)| p(x, y)).collect(),
    )
    .unwrap()
}

fn build(segs: &[RoadSegment]) -> RoadGraph {
    RoadGraph::build(segs, &GraphConfig::default()).0
}

/// Metres → degrees of longitude at latitude 15.
fn dlon(m: f64) -> f64 {
    m / (111_195.08 * 15f64.to_radians().cos())
}

fn connected(g: &RoadGraph, profile: Profile, a: LonLat, b: LonLat) -> bool {
    let w = weights_time(g, profile, false);
    let (Ok(sa), Ok(sb)) = (
        g.snap(a, profile, false, 5.0),
        g.snap(b, profile, false, 5.0),
    ) else {
        return false;
    };
    Router::new().route(g, &w, &sa, &sb).is_some()
}

#[test]
fn ways_split_at_shared_interior_vertices() {
    // An OSM-like crossing: the shared vertex is interior to both ways, plus a T joining at an
    // interior vertex of the first way.
    let segs = [
        seg(
            "a",
            RoadClass::Residential,
            &[
                (-92.0, 15.0),
                (-91.99, 15.0),
                (-91.98, 15.0),
                (-91.97, 15.0),
            ],
        ),
        seg(
            "b",
            RoadClass::Residential,
            &[(-91.99, 14.99), (-91.99, 15.0), (-91.99, 15.01)],
        ),
        seg(
            "c",
            RoadClass::Residential,
            &[(-91.98, 15.0), (-91.98, 15.02)],
        ),
    ];
    let (g, report) = RoadGraph::build(&segs, &GraphConfig::default());
    // Nodes: a's ends, b's ends, c's far end, the crossing, the T.
    assert_eq!(g.node_count(), 7);
    // Pieces: a → 3, b → 2, c → 1; two directions each.
    assert_eq!(g.edge_count(), 12);
    assert_eq!(report.merges, 0);
    assert_eq!(report.foot.components, 1);
    assert!(connected(
        &g,
        Profile::Vehicle,
        p(-92.0, 15.0),
        p(-91.99, 15.01)
    ));
    assert!(connected(
        &g,
        Profile::Foot,
        p(-91.99, 14.99),
        p(-91.98, 15.02)
    ));
    // Each edge points back at its segment.
    for e in 0..g.edge_count() as u32 {
        let s = g.segment_of(EdgeId(e));
        assert!(s < segs.len());
    }
}

#[test]
fn crossing_without_a_shared_vertex_is_a_bridge_not_a_junction() {
    let segs = [
        seg(
            "a",
            RoadClass::Residential,
            &[(-92.0, 15.0), (-91.98, 15.0)],
        ),
        seg(
            "b",
            RoadClass::Residential,
            &[(-91.99, 14.99), (-91.99, 15.01)],
        ),
    ];
    let (g, report) = RoadGraph::build(&segs, &GraphConfig::default());
    assert_eq!(g.node_count(), 4);
    assert_eq!(report.foot.components, 2);
    assert_eq!(report.foot.dropped_nodes, 2);
}

#[test]
fn ends_half_a_metre_apart_join_fifty_metres_do_not() {
    let line = |gap_m: f64| {
        [
            seg(
                "a",
                RoadClass::Residential,
                &[(-92.0, 15.0), (-91.99, 15.0)],
            ),
            seg(
                "b",
                RoadClass::Residential,
                &[(-91.99 + dlon(gap_m), 15.0), (-91.98, 15.0)],
            ),
        ]
    };
    let (g, report) = RoadGraph::build(&line(0.5), &GraphConfig::default());
    assert_eq!(report.merges, 1);
    let m = &report.merge_sample[0];
    assert!((m.distance_m - 0.5).abs() < 0.01, "{}", m.distance_m);
    // Segments are visited in order: a's dangling end moves onto b's.
    assert_eq!(m.from_segment.source_id, "a");
    assert_eq!(m.to_segment.source_id, "b");
    assert_eq!(g.node_count(), 3);
    assert_eq!(report.foot.components, 1);
    assert!(connected(
        &g,
        Profile::Foot,
        p(-92.0, 15.0),
        p(-91.98, 15.0)
    ));
    // The joined geometry meets exactly at the node.
    for e in 0..g.edge_count() as u32 {
        let e = EdgeId(e);
        let geo: Vec<LonLat> = g.edge_geometry(e).collect();
        assert_eq!(geo[0], g.node_position(g.tail(e)));
        assert_eq!(*geo.last().unwrap(), g.node_position(g.head(e)));
    }

    let (g, report) = RoadGraph::build(&line(50.0), &GraphConfig::default());
    assert_eq!(report.merges, 0);
    assert_eq!(g.node_count(), 4);
    assert_eq!(report.foot.components, 2);
    assert!(!connected(
        &g,
        Profile::Foot,
        p(-92.0, 15.0),
        p(-91.98, 15.0)
    ));

    // Tolerance 0: only identical positions join.
    let cfg = GraphConfig {
        merge_tolerance_m: 0.0,
        ..GraphConfig::default()
    };
    let (_, report) = RoadGraph::build(&line(0.5), &cfg);
    assert_eq!(report.merges, 0);
    assert_eq!(report.foot.components, 2);
}

#[test]
fn a_dangling_end_joins_the_interior_of_a_nearby_way() {
    // A side street stops 1 m short of a main road's interior vertex: a T junction.
    let segs = [
        seg(
            "main",
            RoadClass::Primary,
            &[(-92.0, 15.0), (-91.99, 15.0), (-91.98, 15.0)],
        ),
        seg(
            "side",
            RoadClass::Residential,
            &[(-91.99, 15.01), (-91.99, 15.0 + 1.0 / 111_195.08)],
        ),
    ];
    let (g, report) = RoadGraph::build(&segs, &GraphConfig::default());
    assert_eq!(report.merges, 1);
    assert_eq!(g.node_count(), 4);
    assert_eq!(g.edge_count(), 6);
    assert!(connected(
        &g,
        Profile::Vehicle,
        p(-92.0, 15.0),
        p(-91.99, 15.01)
    ));
}

#[test]
fn close_interior_vertices_of_one_way_are_not_collapsed() {
    // Densely digitised geometry (0.5 m steps) stays one edge with all its positions.
    let pts: Vec<(f64, f64)> = (0..20)
        .map(|i| (-92.0 + dlon(0.5 * f64::from(i)), 15.0))
        .collect();
    let (g, report) = RoadGraph::build(
        &[seg("d", RoadClass::Footway, &pts)],
        &GraphConfig::default(),
    );
    assert_eq!(report.merges, 0);
    assert_eq!(g.node_count(), 2);
    assert_eq!(g.edge_geometry(EdgeId(0)).len(), 20);
    assert!((g.length_m(EdgeId(0)) - 9.5).abs() < 0.01);
}

#[test]
fn oneway_applies_to_vehicles_only() {
    let mut fwd = seg(
        "f",
        RoadClass::Residential,
        &[(-92.0, 15.0), (-91.99, 15.0)],
    );
    fwd.oneway = Oneway::Forward;
    let mut bwd = seg(
        "b",
        RoadClass::Residential,
        &[(-91.99, 15.0), (-91.98, 15.0)],
    );
    bwd.oneway = Oneway::Backward;
    let g = build(&[fwd, bwd]);
    for e in 0..g.edge_count() as u32 {
        let e = EdgeId(e);
        let with_geometry = !g.flags(e).contains(EdgeFlags::REVERSED);
        let seg_is_fwd = g.segment_of(e) == 0;
        let vehicle_ok = with_geometry == seg_is_fwd;
        assert_eq!(
            g.time_ds(Profile::Vehicle, e) != NOT_ALLOWED,
            vehicle_ok,
            "{e}"
        );
        assert_ne!(g.time_ds(Profile::Foot, e), NOT_ALLOWED);
    }
    // Eastward: the forward way with its geometry, the backward way... against it: blocked.
    let w = weights_time(&g, Profile::Vehicle, false);
    let a = NodeId(0);
    let c = (0..g.node_count() as u32)
        .map(NodeId)
        .find(|&n| g.node_position(n) == p(-91.98, 15.0))
        .unwrap();
    let mut router = Router::new();
    assert!(router.route_nodes(&g, &w, a, c).is_none());
    assert!(router.route_nodes(&g, &w, c, a).is_none());
    let wf = weights_time(&g, Profile::Foot, false);
    assert!(router.route_nodes(&g, &wf, a, c).is_some());
    assert!(router.route_nodes(&g, &wf, c, a).is_some());
}

#[test]
fn motorways_are_closed_on_foot_and_foot_ways_to_vehicles() {
    let m = seg("m", RoadClass::Motorway, &[(-92.0, 15.0), (-91.99, 15.0)]);
    let f = seg("f", RoadClass::Footway, &[(-91.99, 15.0), (-91.98, 15.0)]);
    let g = build(&[m.clone(), f]);
    for e in 0..g.edge_count() as u32 {
        let e = EdgeId(e);
        match g.class(e) {
            RoadClass::Motorway => {
                assert_eq!(g.time_ds(Profile::Foot, e), NOT_ALLOWED);
                assert_ne!(g.time_ds(Profile::Vehicle, e), NOT_ALLOWED);
            }
            RoadClass::Footway => {
                assert_ne!(g.time_ds(Profile::Foot, e), NOT_ALLOWED);
                assert_eq!(g.time_ds(Profile::Vehicle, e), NOT_ALLOWED);
            }
            c => panic!("{c:?}"),
        }
    }
    // An explicit foot=yes opens a motorway to walkers (the segment's own rule).
    let mut open = m;
    open.foot = Access::Allowed;
    let g = build(&[open]);
    assert_ne!(g.time_ds(Profile::Foot, EdgeId(0)), NOT_ALLOWED);
    // Snapping on foot next to a motorway finds nothing.
    let g = build(&[seg(
        "m",
        RoadClass::Motorway,
        &[(-92.0, 15.0), (-91.99, 15.0)],
    )]);
    assert!(g
        .snap(p(-91.995, 15.0), Profile::Foot, false, 100.0)
        .is_err());
    assert!(g
        .snap(p(-91.995, 15.0), Profile::Vehicle, false, 100.0)
        .is_ok());
}

#[test]
fn rail_only_on_foot_and_only_when_asked() {
    let road = seg(
        "r",
        RoadClass::Residential,
        &[(-92.0, 15.0), (-91.99, 15.0)],
    );
    let rail = seg("x", RoadClass::Rail, &[(-91.99, 15.0), (-91.9, 15.0)]);
    let (g, report) = RoadGraph::build(&[road, rail], &GraphConfig::default());
    let rail_edges: Vec<EdgeId> = (0..g.edge_count() as u32)
        .map(EdgeId)
        .filter(|&e| g.is_rail(e))
        .collect();
    assert_eq!(rail_edges.len(), 2);
    for &e in &rail_edges {
        assert_eq!(g.time_ds(Profile::Vehicle, e), NOT_ALLOWED);
        assert!(!g.usable(e, Profile::Vehicle, true));
        assert!(!g.usable(e, Profile::Foot, false));
        assert!(g.usable(e, Profile::Foot, true));
        assert_eq!(g.class(e), RoadClass::Rail);
    }
    assert_eq!(report.foot.kept_edges, 2);
    assert_eq!(report.foot_with_rail.kept_edges, 4);
    let near_rail = p(-91.95, 15.0001);
    assert!(matches!(
        g.snap(near_rail, Profile::Foot, false, 50.0),
        Err(SnapError::NoRoadWithin { .. })
    ));
    let s = g.snap(near_rail, Profile::Foot, true, 50.0).unwrap();
    assert!(g.is_rail(s.edge));
    // Walking the rail: from the road's start to the rail's far end.
    let w = weights_time(&g, Profile::Foot, true);
    let from = g.snap(p(-92.0, 15.0), Profile::Foot, true, 5.0).unwrap();
    let to = g.snap(p(-91.9, 15.0), Profile::Foot, true, 5.0).unwrap();
    assert!(Router::new().route(&g, &w, &from, &to).is_some());
    let w = weights_time(&g, Profile::Foot, false);
    assert!(Router::new().route(&g, &w, &from, &to).is_none());
}

#[test]
fn small_components_are_pruned_and_reported() {
    let segs = [
        seg(
            "a",
            RoadClass::Residential,
            &[(-92.0, 15.0), (-91.99, 15.0), (-91.98, 15.0)],
        ),
        seg(
            "b",
            RoadClass::Residential,
            &[(-91.98, 15.0), (-91.98, 15.01)],
        ),
        // An island 5 km away.
        seg(
            "island",
            RoadClass::Residential,
            &[(-91.9, 15.05), (-91.899, 15.05)],
        ),
    ];
    let (g, report) = RoadGraph::build(&segs, &GraphConfig::default());
    assert_eq!(report.foot.components, 2);
    // a's interior vertex is no junction: the main part has 3 nodes.
    assert_eq!(report.foot.kept_nodes, 3);
    assert_eq!(report.foot.dropped_nodes, 2);
    assert_eq!(report.foot.dropped_edges, 2);
    assert_eq!(report.vehicle.dropped_nodes, 2);
    assert_eq!(report.foot.dropped_sample.len(), 1);
    assert!(haversine_m(report.foot.dropped_sample[0], p(-91.9, 15.05)) < 200.0);
    // Island edges are unusable; snapping there finds the main network or nothing.
    for e in 0..g.edge_count() as u32 {
        let e = EdgeId(e);
        let island = g.segment_of(e) == 2;
        assert_eq!(g.usable(e, Profile::Foot, false), !island);
        assert_eq!(g.usable(e, Profile::Vehicle, false), !island);
    }
    assert!(g
        .snap(p(-91.8995, 15.05), Profile::Foot, false, 500.0)
        .is_err());
    let text = report.to_string();
    assert!(text.contains("foot: 2 component(s)"), "{text}");
}

#[test]
fn vehicle_component_is_strongly_connected() {
    // A oneway spur leaving the network: reachable but no way back, so dropped for vehicles
    // (and kept on foot).
    let mut spur = seg(
        "spur",
        RoadClass::Residential,
        &[(-91.98, 15.0), (-91.97, 15.0)],
    );
    spur.oneway = Oneway::Forward;
    let segs = [
        seg(
            "a",
            RoadClass::Residential,
            &[(-92.0, 15.0), (-91.99, 15.0), (-91.98, 15.0)],
        ),
        spur,
    ];
    let (g, report) = RoadGraph::build(&segs, &GraphConfig::default());
    assert_eq!(report.vehicle.components, 2);
    assert_eq!(report.vehicle.dropped_nodes, 1);
    assert_eq!(report.vehicle.dropped_edges, 1);
    assert_eq!(report.foot.components, 1);
    assert!(g
        .snap(p(-91.975, 15.0), Profile::Vehicle, false, 50.0)
        .is_err());
    assert!(g.snap(p(-91.975, 15.0), Profile::Foot, false, 50.0).is_ok());
}

#[test]
fn speeds_steps_maxspeed_and_flags() {
    let mut primary = seg("p", RoadClass::Primary, &[(-92.0, 15.0), (-91.99, 15.0)]);
    primary = primary.with_maxspeed(35.0).unwrap();
    primary.bridge = true;
    let mut steps = seg("s", RoadClass::Steps, &[(-91.99, 15.0), (-91.98, 15.0)]);
    steps.ford = true;
    let foot = seg("f", RoadClass::Footway, &[(-91.98, 15.0), (-91.97, 15.0)]);
    let g = build(&[primary, steps, foot]);
    let by_class = |c: RoadClass| {
        (0..g.edge_count() as u32)
            .map(EdgeId)
            .find(|&e| g.class(e) == c)
            .unwrap()
    };
    let (ep, es, ef) = (
        by_class(RoadClass::Primary),
        by_class(RoadClass::Steps),
        by_class(RoadClass::Footway),
    );
    // 1 075 m at 35 km/h (capped from 70) ≈ 110.6 s.
    let len = f64::from(g.length_m(ep));
    let want = (len / (35.0 / 3.6) * 10.0).round() as u32;
    assert_eq!(g.time_ds(Profile::Vehicle, ep), want);
    assert!(g.is_bridge(ep) && !g.is_ford(ep));
    assert!(g.is_ford(es) && !g.is_bridge(es));
    // Steps are slower than a footway of the same length.
    assert!(g.time_ds(Profile::Foot, es) > g.time_ds(Profile::Foot, ef));
    // 5 km/h on the footway.
    let want = (f64::from(g.length_m(ef)) / (5.0 / 3.6) * 10.0).round() as u32;
    assert_eq!(g.time_ds(Profile::Foot, ef), want);
}

#[test]
fn unusable_and_degenerate_segments_are_left_out() {
    let mut closed = seg(
        "c",
        RoadClass::Residential,
        &[(-92.0, 15.0), (-91.99, 15.0)],
    );
    closed.access = Access::Forbidden;
    let mut dup = seg(
        "d",
        RoadClass::Residential,
        &[(-92.0, 15.0), (-91.99, 15.0)],
    );
    dup.geometry = vec![p(-91.0, 15.0), p(-91.0, 15.0)];
    let ok = seg(
        "o",
        RoadClass::Residential,
        &[(-92.0, 15.1), (-91.99, 15.1)],
    );
    let (g, report) = RoadGraph::build(&[closed, dup, ok], &GraphConfig::default());
    assert_eq!(report.segments, 3);
    assert_eq!(report.segments_unusable, 1);
    assert_eq!(report.segments_degenerate, 1);
    assert_eq!(g.edge_count(), 2);
    let (g, report) = RoadGraph::build(&[], &GraphConfig::default());
    assert_eq!(
        (g.node_count(), g.edge_count(), report.foot.components),
        (0, 0, 0)
    );
    assert!(g.snap(p(-92.0, 15.0), Profile::Foot, false, 1e6).is_err());
}

#[test]
fn snapping_in_the_sea_is_an_error_that_says_so() {
    let g = build(&road_like_graph(300, 3));
    // The Pacific, south-west of Tapachula.
    let sea = p(-93.5, 13.5);
    let err = g.snap(sea, Profile::Foot, false, 1_000.0).unwrap_err();
    assert!(matches!(err, SnapError::NoRoadWithin { .. }));
    assert!(
        err.to_string()
            .contains("no road usable foot within 1000 m"),
        "{err}"
    );
    assert!(matches!(
        g.snap(sea, Profile::Foot, false, f64::NAN),
        Err(SnapError::InvalidDistance { .. })
    ));
    // With a generous limit it finds the network.
    assert!(g.snap(sea, Profile::Foot, false, 1e6).is_ok());
    let many = g.snap_many(
        &[sea, g.node_position(NodeId(0))],
        Profile::Foot,
        false,
        1_000.0,
    );
    assert!(many[0].is_err());
    assert!(many[1].as_ref().unwrap().distance_m < 1e-6);
}

#[test]
fn snapping_matches_a_brute_force_scan() {
    let g = build(&road_like_graph(600, 9));
    let mut rng = StdRng::seed_from_u64(9);
    let bbox = (0..g.node_count() as u32).fold([180.0f64, 90.0, -180.0, -90.0], |b, n| {
        let q = g.node_position(NodeId(n));
        [
            b[0].min(q.lon()),
            b[1].min(q.lat()),
            b[2].max(q.lon()),
            b[3].max(q.lat()),
        ]
    });
    for i in 0..120 {
        let q = p(
            rng.random_range(bbox[0] - 0.02..bbox[2] + 0.02),
            rng.random_range(bbox[1] - 0.02..bbox[3] + 0.02),
        );
        let profile = if i % 2 == 0 {
            Profile::Foot
        } else {
            Profile::Vehicle
        };
        let allow_rail = i % 3 == 0;
        let s = g.snap(q, profile, allow_rail, 1e6).unwrap();
        let (_, want) = nearest_edge_m(&g, q, profile, allow_rail).unwrap();
        assert!(
            (s.distance_m - want).abs() < 0.05 + want * 1e-4,
            "{} vs {want}",
            s.distance_m
        );
        assert!(g.usable(s.edge, profile, allow_rail));
        assert!((0.0..=1.0).contains(&s.fraction));
        // The snapped point is where the fraction says on the edge.
        assert!(haversine_m(g.edge_point_at(s.edge, s.fraction), s.point) < 0.05);
        assert!((haversine_m(q, s.point) - s.distance_m).abs() < 1e-6);
    }
}

#[test]
fn csr_invariants_and_finite_values() {
    for (n, seed) in [(10usize, 1u64), (2000, 2)] {
        let segs = road_like_graph(n, seed);
        let (g, report) = RoadGraph::build(&segs, &GraphConfig::default());
        assert_eq!(report.nodes, g.node_count());
        assert_eq!(report.edges, g.edge_count());
        let mut seen_in = vec![0u32; g.edge_count()];
        let mut out_total = 0;
        for v in 0..g.node_count() as u32 {
            let v = NodeId(v);
            let outs: Vec<EdgeId> = g.out_edges(v).collect();
            assert!(outs.windows(2).all(|w| w[0] < w[1]));
            for &e in &outs {
                assert_eq!(g.tail(e), v);
            }
            out_total += outs.len();
            for e in g.in_edges(v) {
                assert_eq!(g.head(e), v);
                seen_in[e.index()] += 1;
            }
        }
        assert_eq!(out_total, g.edge_count());
        assert!(seen_in.iter().all(|&c| c == 1));
        for e in 0..g.edge_count() as u32 {
            let e = EdgeId(e);
            let len = g.length_m(e);
            assert!(len.is_finite() && len > 0.0, "{e}: {len}");
            for profile in Profile::ALL {
                let t = g.time_ds(profile, e);
                assert!(t == NOT_ALLOWED || t > 0);
            }
            assert!(
                g.time_ds(Profile::Foot, e) != NOT_ALLOWED
                    || g.time_ds(Profile::Vehicle, e) != NOT_ALLOWED
            );
            if let Some(t) = g.twin(e) {
                assert_eq!(g.twin(t), Some(e));
                assert_eq!((g.tail(t), g.head(t)), (g.head(e), g.tail(e)));
                assert_eq!(g.length_m(t), len);
                let fwd: Vec<LonLat> = g.edge_geometry(e).collect();
                let mut back: Vec<LonLat> = g.edge_geometry(t).collect();
                back.reverse();
                assert_eq!(fwd, back);
                assert_eq!(g.edge_geometry(t).rev().collect::<Vec<_>>(), fwd);
            }
            let geo: Vec<LonLat> = g.edge_geometry(e).collect();
            assert!(geo.len() >= 2);
            assert_eq!(geo[0], g.node_position(g.tail(e)));
            assert_eq!(*geo.last().unwrap(), g.node_position(g.head(e)));
            let along: f64 = geo.windows(2).map(|w| haversine_m(w[0], w[1])).sum();
            assert!((along - f64::from(len)).abs() < 0.01 + along * 1e-6);
            let s = &segs[g.segment_of(e)];
            assert_eq!(s.class, g.class(e));
        }
        assert!(g.memory_bytes() > g.edge_count() * 40);
    }
}

#[test]
fn building_is_deterministic() {
    let segs = road_like_graph(1000, 77);
    let (a, ra) = RoadGraph::build(&segs, &GraphConfig::default());
    let (b, rb) = RoadGraph::build(&segs, &GraphConfig::default());
    assert_eq!(ra, rb);
    assert_eq!(a.node_count(), b.node_count());
    for e in 0..a.edge_count() as u32 {
        let e = EdgeId(e);
        assert_eq!(
            (a.tail(e), a.head(e), a.time_ds(Profile::Foot, e)),
            (b.tail(e), b.head(e), b.time_ds(Profile::Foot, e))
        );
    }
}

#[test]
fn profile_names() {
    for p in Profile::ALL {
        assert_eq!(Profile::parse(p.as_str()).unwrap(), p);
        assert_eq!(p.to_string().parse::<Profile>().unwrap(), p);
    }
    assert_eq!(Profile::parse(" Car ").unwrap(), Profile::Vehicle);
    assert_eq!(Profile::parse("bicycle").unwrap_err().field, "profile");
}
