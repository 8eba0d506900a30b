//! Stage plans: every leg within the daily limit, the fewest nights (checked against a
//! brute-force search over stops with `Router::route`), transit fallbacks flagged, impossible
//! plans explained.

use chrono::{DateTime, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use senda_core::engine::plan::{LegEnd, Plan, PlanQuery};
use senda_core::engine::{Engine, EngineConfig, EngineData, EngineError};
use senda_core::search::{Router, BLOCKED};
use senda_core::{
    haversine_m, EdgeId, Incident, IncidentCategory, LonLat, Profile, RoadClass, RoadSegment,
    Shelter, ShelterKind, Snap, SourceKey, TransitKind, TransitPoint, Visibility,
};

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()
}

fn p(lon: f64, lat: f64) -> LonLat {
    LonLat::new(lon, lat).unwrap()
}

fn shelter(i: usize, kind: ShelterKind, location: LonLat) -> Shelter {
    Shelter::new(
        SourceKey::new("test", format!("s{i}")).unwrap(),
        kind,
        format!("shelter {i}"),
        location,
    )
    .unwrap()
}

fn transit(i: usize, kind: TransitKind, location: LonLat) -> TransitPoint {
    TransitPoint::new(
        SourceKey::new("test", format!("t{i}")).unwrap(),
        kind,
        format!("transit {i}"),
        location,
    )
    .unwrap()
}

// ---------------------------------------------------------------------------------------
// Random instances against a brute-force search over stops.

fn random_engine(nodes: usize, seed: u64, shelters: usize, transits: usize) -> Engine {
    let mut rng = StdRng::seed_from_u64(seed);
    let roads = senda_testkit::gen::road_like_graph(nodes, seed);
    let pts: Vec<LonLat> = roads.iter().flat_map(|r| r.geometry.clone()).collect();
    let (x0, x1) = pts.iter().fold((f64::MAX, f64::MIN), |b, q| {
        (b.0.min(q.lon()), b.1.max(q.lon()))
    });
    let (y0, y1) = pts.iter().fold((f64::MAX, f64::MIN), |b, q| {
        (b.0.min(q.lat()), b.1.max(q.lat()))
    });
    let here = |rng: &mut StdRng| {
        p(
            x0 + rng.random::<f64>() * (x1 - x0),
            y0 + rng.random::<f64>() * (y1 - y0),
        )
    };
    let mut data = EngineData {
        roads,
        ..EngineData::default()
    };
    for i in 0..shelters {
        let kind = if rng.random_bool(0.8) {
            ShelterKind::Shelter
        } else {
            ShelterKind::SoupKitchen
        };
        let mut s = shelter(i, kind, here(&mut rng));
        if rng.random_bool(0.1) {
            s.visibility = Visibility::Restricted;
        }
        data.shelters.push(s);
    }
    let kinds = [
        TransitKind::BusStation,
        TransitKind::Place,
        TransitKind::Checkpoint,
        TransitKind::BorderCrossing,
        TransitKind::RailYard,
        TransitKind::BusStop,
    ];
    for i in 0..transits {
        let kind = kinds[rng.random_range(0..kinds.len())];
        data.transit.push(transit(i, kind, here(&mut rng)));
    }
    for i in 0..30 {
        data.incidents.push(
            Incident::new(
                SourceKey::new("test", format!("i{i}")).unwrap(),
                here(&mut rng),
                at() - chrono::Duration::days(rng.random_range(1..500)),
                IncidentCategory::Violence,
                rng.random_range(1..5),
            )
            .unwrap(),
        );
    }
    let config = EngineConfig {
        max_snap_distance_m: 1_500.0,
        ..EngineConfig::default()
    };
    Engine::build(data, at(), config).unwrap()
}

/// The oracle's stops: (snap, is transit), shelters then transit points, as the planner
/// chooses them.
fn oracle_stops(engine: &Engine, profile: Profile) -> Vec<(Snap, bool, LegEnd)> {
    let mut out = Vec::new();
    for (i, (s, snap)) in engine
        .shelters()
        .iter()
        .zip(engine.shelter_snaps())
        .enumerate()
    {
        if s.kind == ShelterKind::Shelter && s.visibility == Visibility::Public {
            if let Some(snap) = snap.for_profile(profile) {
                out.push((*snap, false, LegEnd::Shelter { idx: i }));
            }
        }
    }
    for (i, (t, snap)) in engine
        .transit()
        .iter()
        .zip(engine.transit_snaps())
        .enumerate()
    {
        if !matches!(
            t.kind,
            TransitKind::Checkpoint | TransitKind::BorderCrossing
        ) && !t.kind.is_local_stop()
        {
            if let Some(snap) = snap.for_profile(profile) {
                out.push((*snap, true, LegEnd::Transit { idx: i }));
            }
        }
    }
    out
}

/// Travel-time weights as the planner uses them (blocked where the generalised weight is).
fn time_weights(engine: &Engine, q: &PlanQuery) -> Vec<u32> {
    let gen = engine
        .weights(&senda_core::engine::WeightQuery {
            profile: q.profile,
            aversion: q.aversion,
            allow_rail: q.allow_rail,
            avoid: Vec::new(),
        })
        .unwrap();
    gen.iter()
        .enumerate()
        .map(|(e, &w)| {
            if w == BLOCKED {
                BLOCKED
            } else {
                engine.graph().time_ds(q.profile, EdgeId(e as u32))
            }
        })
        .collect()
}

/// Brute force: Dijkstra over stops with keys (nights, transit nights), a leg between two
/// stops existing when `Router::route` by travel time fits the day. `None`: no plan.
fn oracle_nights(
    engine: &Engine,
    q: &PlanQuery,
    stops: &[(Snap, bool, LegEnd)],
    matrix: &[Vec<Option<u64>>],
    router: &mut Router,
) -> Option<(u32, u32)> {
    let graph = engine.graph();
    let w = time_weights(engine, q);
    let day = (q.max_daily_hours * 36_000.0).floor() as u64;
    let from = engine.snap(q.from, q.profile, false, "from").unwrap();
    let to = engine.snap(q.to, q.profile, false, "to").unwrap();
    let fits = |c: Option<u64>| c.is_some_and(|c| c <= day);
    let mut route = |a: &Snap, b: &Snap| router.route(graph, &w, a, b).map(|r| r.cost);
    if fits(route(&from, &to)) {
        return Some((0, 0));
    }
    let n = stops.len();
    let first: Vec<bool> = stops.iter().map(|s| fits(route(&from, &s.0))).collect();
    let last: Vec<bool> = stops.iter().map(|s| fits(route(&s.0, &to))).collect();
    // Keys of reaching each stop: (nights, transit nights), relaxed to a fixed point.
    let mut best: Vec<Option<(u32, u32)>> = (0..n)
        .map(|i| first[i].then_some((1, u32::from(stops[i].1))))
        .collect();
    loop {
        let mut changed = false;
        for a in 0..n {
            let Some((na, ta)) = best[a] else { continue };
            for b in 0..n {
                if a != b && fits(matrix[a][b]) {
                    let k = (na + 1, ta + u32::from(stops[b].1));
                    if best[b].is_none_or(|cur| k < cur) {
                        best[b] = Some(k);
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    (0..n).filter(|&i| last[i]).filter_map(|i| best[i]).min()
}

fn check_plan_shape(engine: &Engine, q: &PlanQuery, plan: &Plan) {
    let limit_s = q.max_daily_hours * 3_600.0;
    assert_eq!(plan.nights as usize + 1, plan.legs.len());
    assert_eq!(
        plan.transit_nights as usize,
        plan.legs.iter().filter(|l| l.end.is_flagged()).count()
    );
    assert_eq!(plan.legs[0].from, q.from);
    assert_eq!(plan.legs.last().unwrap().to, q.to);
    assert_eq!(plan.legs.last().unwrap().end, LegEnd::Destination);
    for (i, leg) in plan.legs.iter().enumerate() {
        assert!(leg.duration_s <= limit_s, "leg {i}: {} s", leg.duration_s);
        assert!(leg.cost_s + 0.1 >= leg.duration_s);
        assert!(!leg.geometry.is_empty());
        if i + 1 < plan.legs.len() {
            assert_eq!(leg.to, plan.legs[i + 1].from);
            assert_ne!(leg.end, LegEnd::Destination);
        }
        match leg.end {
            LegEnd::Shelter { idx } => {
                let s = &engine.shelters()[idx];
                assert_eq!(s.kind, ShelterKind::Shelter);
                assert_eq!(s.visibility, Visibility::Public);
                assert_eq!(leg.to, s.location);
                assert!(leg.note.is_none());
            }
            LegEnd::Transit { idx } => {
                let t = &engine.transit()[idx];
                assert!(!matches!(
                    t.kind,
                    TransitKind::Checkpoint | TransitKind::BorderCrossing
                ));
                assert!(!t.kind.is_local_stop(), "a night at a bus stop");
                assert!(leg.note.as_ref().unwrap().contains("no shelter"));
            }
            LegEnd::Destination => {}
        }
    }
    let sum: f64 = plan.legs.iter().map(|l| l.duration_s).sum();
    assert!((sum - plan.total_duration_s).abs() < 1e-6);
}

#[test]
fn plans_have_the_fewest_nights_and_fit_every_day() {
    let (mut all_failed, mut all_flagged) = (0, 0);
    for (seed, profile, hours) in [
        (21, Profile::Foot, 0.75),
        (22, Profile::Foot, 1.2),
        (23, Profile::Vehicle, 0.1),
    ] {
        let engine = random_engine(2_000, seed, 30, 20);
        let graph = engine.graph();
        let mut rng = StdRng::seed_from_u64(seed);
        let mut router = Router::new();
        let stops = oracle_stops(&engine, profile);
        let mut template = PlanQuery::new(p(0.0, 0.0), p(0.0, 0.0));
        template.profile = profile;
        template.max_daily_hours = hours;
        let w = time_weights(&engine, &template);
        let matrix: Vec<Vec<Option<u64>>> = stops
            .iter()
            .map(|a| {
                stops
                    .iter()
                    .map(|b| router.route(graph, &w, &a.0, &b.0).map(|r| r.cost))
                    .collect()
            })
            .collect();
        let (mut planned, mut failed, mut multi, mut flagged) = (0, 0, 0, 0);
        for _ in 0..40 {
            let pick = |rng: &mut StdRng| {
                graph.node_position(senda_core::NodeId(
                    rng.random_range(0..graph.node_count() as u32),
                ))
            };
            let mut q = template.clone();
            q.from = pick(&mut rng);
            q.to = pick(&mut rng);
            q.aversion = [0.0, 0.5, 1.0][rng.random_range(0..3)];
            if engine.snap(q.from, profile, false, "from").is_err()
                || engine.snap(q.to, profile, false, "to").is_err()
            {
                continue;
            }
            let want = oracle_nights(&engine, &q, &stops, &matrix, &mut router);
            match (engine.plan(&q), want) {
                (Ok(plan), Some((nights, transit))) => {
                    assert_eq!(
                        (plan.nights, plan.transit_nights),
                        (nights, transit),
                        "{q:?}"
                    );
                    check_plan_shape(&engine, &q, &plan);
                    planned += 1;
                    multi += usize::from(plan.nights > 0);
                    flagged += plan.transit_nights as usize;
                    // Each leg costs at least the least-cost route between its ends, and
                    // exactly that when it is marked safest.
                    let gen = engine
                        .weights(&senda_core::engine::WeightQuery {
                            profile,
                            aversion: q.aversion,
                            ..Default::default()
                        })
                        .unwrap();
                    let snap_of = |end: LegEnd, at: LonLat| match end {
                        LegEnd::Shelter { idx } => {
                            *engine.shelter_snaps()[idx].for_profile(profile).unwrap()
                        }
                        LegEnd::Transit { idx } => {
                            *engine.transit_snaps()[idx].for_profile(profile).unwrap()
                        }
                        LegEnd::Destination => engine.snap(at, profile, false, "to").unwrap(),
                    };
                    let mut from = engine.snap(q.from, profile, false, "from").unwrap();
                    for leg in &plan.legs {
                        let to = snap_of(leg.end, leg.to);
                        let least = router.route(graph, &gen, &from, &to).unwrap().cost;
                        let cost = (leg.cost_s * 10.0).round() as u64;
                        assert!(cost >= least);
                        if leg.safest {
                            assert_eq!(cost, least);
                        }
                        from = to;
                    }
                }
                (Err(EngineError::NoPlan(np)), None) => {
                    failed += 1;
                    assert_eq!(np.leg, np.nights + 1);
                    assert_eq!(np.max_daily_hours, hours);
                    // From the stop nearest the destination it is more than a day away.
                    assert!(np.remaining_h.unwrap() > hours, "{np:?}");
                }
                (got, want) => panic!("{q:?}: got {got:?}, want {want:?}"),
            }
        }
        println!("seed {seed}: {planned} plans ({multi} multi-day, {flagged} transit nights), {failed} impossible");
        assert!(planned >= 8 && multi >= 4, "seed {seed}");
        all_failed += failed;
        all_flagged += flagged;
    }
    assert!(all_failed > 0 && all_flagged > 0);
}

// ---------------------------------------------------------------------------------------
// A hand-made corridor: a straight road along 15° N, stops at known kilometres.

const LAT: f64 = 15.0;
const LON0: f64 = -92.0;

/// Longitude `km` kilometres east of the corridor's start (along the parallel).
fn lon_at(km: f64) -> f64 {
    let m_per_deg = 6_371_008.8_f64.to_radians() * LAT.to_radians().cos();
    LON0 + km * 1_000.0 / m_per_deg
}

fn km(x: f64) -> LonLat {
    p(lon_at(x), LAT)
}

/// 120 km of residential road, as one segment or as 1-km segments.
fn corridor(split: bool) -> Vec<RoadSegment> {
    let pts: Vec<LonLat> = (0..=120).map(|i| km(f64::from(i))).collect();
    let seg = |id: usize, pts: Vec<LonLat>| {
        RoadSegment::new(
            SourceKey::new("test", format!("r{id}")).unwrap(),
            RoadClass::Residential,
            pts,
        )
        .unwrap()
    };
    if split {
        pts.windows(2)
            .enumerate()
            .map(|(i, w)| seg(i, w.to_vec()))
            .collect()
    } else {
        vec![seg(0, pts)]
    }
}

/// Shelters at km 30 and 60, a restricted one at km 95, a soup kitchen at km 40, a bus
/// station at km 90 and a checkpoint at km 85 (never a stop).
fn corridor_engine(split: bool, with_bus_station: bool) -> Engine {
    let mut data = EngineData {
        roads: corridor(split),
        ..EngineData::default()
    };
    data.shelters
        .push(shelter(0, ShelterKind::Shelter, km(30.0)));
    data.shelters
        .push(shelter(1, ShelterKind::Shelter, km(60.0)));
    let mut hidden = shelter(2, ShelterKind::Shelter, km(95.0));
    hidden.visibility = Visibility::Restricted;
    data.shelters.push(hidden);
    data.shelters
        .push(shelter(3, ShelterKind::SoupKitchen, km(40.0)));
    data.transit
        .push(transit(0, TransitKind::Checkpoint, km(85.0)));
    if with_bus_station {
        data.transit
            .push(transit(1, TransitKind::BusStation, km(90.0)));
    }
    Engine::build(data, at(), EngineConfig::default()).unwrap()
}

#[test]
fn a_day_without_a_shelter_ends_at_a_flagged_transit_point() {
    for split in [false, true] {
        let engine = corridor_engine(split, true);
        let q = PlanQuery::new(km(0.0), km(105.0));
        let plan = engine.plan(&q).unwrap();
        check_plan_shape(&engine, &q, &plan);
        let ends: Vec<LegEnd> = plan.legs.iter().map(|l| l.end).collect();
        assert_eq!(
            ends,
            [
                LegEnd::Shelter { idx: 0 },
                LegEnd::Shelter { idx: 1 },
                LegEnd::Transit { idx: 1 },
                LegEnd::Destination
            ],
            "split {split}"
        );
        assert_eq!((plan.nights, plan.transit_nights), (3, 1));
        let flagged = &plan.legs[2];
        assert!(flagged.end.is_flagged());
        let note = flagged.note.as_ref().unwrap();
        assert!(
            note.contains("no shelter further along lies within a day's travel"),
            "{note}"
        );
        assert!(note.contains("transit 1 (bus_station)"), "{note}");
        // 30 km at 5 km/h: 6 h.
        assert!((plan.legs[0].duration_s - 6.0 * 3_600.0).abs() < 30.0);
        assert!((plan.legs[0].distance_m - 30_000.0).abs() < 100.0);
        assert!((plan.total_distance_m - 105_000.0).abs() < 300.0);
        let line = &plan.legs[1].geometry;
        assert!(haversine_m(line[0], km(30.0)) < 1.0);
        assert!(haversine_m(*line.last().unwrap(), km(60.0)) < 1.0);

        // With the restricted shelter at km 95 allowed, no night needs a transit point.
        let mut q2 = q.clone();
        q2.include_restricted = true;
        let plan = engine.plan(&q2).unwrap();
        let ends: Vec<LegEnd> = plan.legs.iter().map(|l| l.end).collect();
        assert_eq!(
            ends,
            [
                LegEnd::Shelter { idx: 0 },
                LegEnd::Shelter { idx: 1 },
                LegEnd::Shelter { idx: 2 },
                LegEnd::Destination
            ]
        );
        assert_eq!((plan.nights, plan.transit_nights), (3, 0));
    }
}

#[test]
fn an_impossible_plan_names_the_failing_leg_and_the_gap() {
    for split in [false, true] {
        let engine = corridor_engine(split, false);
        let q = PlanQuery::new(km(0.0), km(105.0));
        let err = engine.plan(&q).unwrap_err();
        let EngineError::NoPlan(np) = &err else {
            panic!("{err:?}")
        };
        assert_eq!((np.leg, np.nights), (3, 2));
        assert_eq!(np.last_stop, "shelter \"shelter 1\"");
        assert!(haversine_m(np.last_stop_at, km(60.0)) < 1.0);
        // 45 km at 5 km/h.
        let remaining = np.remaining_h.unwrap();
        assert!((remaining - 9.0).abs() < 0.05, "{remaining}");
        assert_eq!(np.max_daily_hours, 8.0);
        let msg = err.to_string();
        assert!(msg.contains("leg 3 fails"), "{msg}");
        assert!(
            msg.contains("from shelter \"shelter 1\" (reached after 2 nights)"),
            "{msg}"
        );
        assert!(msg.contains("the destination is 9.0 h away"), "{msg}");
        assert!(msg.contains("within 8 h"), "{msg}");

        // A longer day makes it possible: 0 → 60 → 105 with 9.5 h days (fewest nights).
        let mut q2 = q.clone();
        q2.max_daily_hours = 12.0;
        let plan = engine.plan(&q2).unwrap();
        assert_eq!(plan.nights, 1);
        assert_eq!(plan.legs[0].end, LegEnd::Shelter { idx: 1 });
        check_plan_shape(&engine, &q2, &plan);

        // By vehicle (30 km/h on residential roads) it is one day.
        let mut q3 = q.clone();
        q3.profile = Profile::Vehicle;
        let plan = engine.plan(&q3).unwrap();
        assert_eq!((plan.nights, plan.legs.len()), (0, 1));
        assert!((plan.legs[0].duration_s - 105.0 / 30.0 * 3_600.0).abs() < 30.0);
    }
}

#[test]
fn the_first_leg_can_fail() {
    let engine = corridor_engine(true, false);
    let mut q = PlanQuery::new(km(0.0), km(105.0));
    q.max_daily_hours = 2.0;
    let err = engine.plan(&q).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("leg 1 fails — from the start, the destination is 21.0 h away"),
        "{msg}"
    );
}

#[test]
fn from_equal_to_is_a_plan_without_legs() {
    let engine = corridor_engine(false, true);
    let q = PlanQuery::new(km(10.0), km(10.0));
    let plan = engine.plan(&q).unwrap();
    assert!(plan.legs.is_empty());
    assert_eq!((plan.nights, plan.total_distance_m), (0, 0.0));
    // Nearby but not equal: one short leg along the shared road.
    let plan = engine.plan(&PlanQuery::new(km(10.0), km(10.5))).unwrap();
    assert_eq!(plan.legs.len(), 1);
    assert!((plan.legs[0].distance_m - 500.0).abs() < 5.0);
    // Backwards along the same road.
    let plan = engine.plan(&PlanQuery::new(km(10.5), km(10.0))).unwrap();
    assert!((plan.legs[0].distance_m - 500.0).abs() < 5.0);
}

#[test]
fn bad_queries_are_rejected() {
    let engine = corridor_engine(false, true);
    for h in [0.0, -1.0, 24.5, f64::NAN] {
        let mut q = PlanQuery::new(km(0.0), km(50.0));
        q.max_daily_hours = h;
        assert!(
            matches!(engine.plan(&q), Err(EngineError::Invalid(e)) if e.field == "max_daily_hours"),
            "{h}"
        );
    }
    let mut q = PlanQuery::new(km(0.0), km(50.0));
    q.aversion = 1.5;
    assert!(matches!(engine.plan(&q), Err(EngineError::Invalid(e)) if e.field == "aversion"));
    let q = PlanQuery::new(km(0.0), p(-80.0, 20.0));
    assert!(matches!(
        engine.plan(&q),
        Err(EngineError::Snap { what: "to", .. })
    ));
    // Stops are shelters of kind shelter: the soup kitchen at km 40 never ends a day.
    let mut q = PlanQuery::new(km(0.0), km(105.0));
    q.max_daily_hours = 24.0;
    let plan = engine.plan(&q).unwrap();
    let used: Vec<LegEnd> = plan.legs.iter().map(|l| l.end).collect();
    assert!(!used.contains(&LegEnd::Shelter { idx: 3 }));
}
