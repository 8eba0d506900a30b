//! Stage plans: a plan exists exactly when a route does; every leg within the daily limit; the
//! fewest nights, then the fewest away from shelters, then the fewest by the road (checked
//! against a brute-force search over the same stops with `Router::route`); towns and roadside
//! nights flagged; `max_days` enforced.

use chrono::{DateTime, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use senda_core::engine::plan::roadside::roadside_points;
use senda_core::engine::plan::{LegEnd, NoPlan, Plan, PlanQuery, NIGHT_WEIGHT, TOWN_MAX_ACCESS_M};
use senda_core::engine::{Engine, EngineConfig, EngineData, EngineError};
use senda_core::place::{Gazetteer, Place};
use senda_core::search::{Router, BLOCKED};
use senda_core::{
    haversine_m, EdgeId, Incident, IncidentCategory, LonLat, Profile, RoadClass, RoadSegment,
    Shelter, ShelterKind, Snap, SourceKey, TransitKind, TransitPoint, Visibility,
};
use std::sync::Arc;

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

fn town(geonameid: u32, name: &str, location: LonLat, population: u32) -> Place {
    Place {
        geonameid,
        name: name.to_owned(),
        location,
        country: "MX".to_owned(),
        admin1: "Chiapas".to_owned(),
        population,
        alternate_names: Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------
// Random instances against a brute-force search over stops.

fn random_engine(nodes: usize, seed: u64, shelters: usize, towns: usize) -> Engine {
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
    let places: Vec<Place> = (0..towns)
        .map(|i| {
            // One in ten is a border crossing senda adds (geonameid 0): never a stop.
            let id = if i % 10 == 9 { 0 } else { 1_000 + i as u32 };
            let population = 10u32.pow(rng.random_range(3..7)) * rng.random_range(1..10);
            town(id, &format!("town {i}"), here(&mut rng), population)
        })
        .collect();
    data.places = Arc::new(Gazetteer::new(places));
    let kinds = [
        TransitKind::BusStation,
        TransitKind::Place,
        TransitKind::Checkpoint,
        TransitKind::RailStation,
    ];
    for i in 0..10 {
        let kind = kinds[rng.random_range(0..kinds.len())];
        data.transit.push(transit(i, kind, here(&mut rng)));
    }
    // A hurricane closes the roads of a square near the middle: points inside are unreachable.
    let middle = p((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    data.alerts.push(senda_testkit::gen::hurricane(
        senda_testkit::gen::square(middle, 0.004),
        at(),
    ));
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

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Shelter,
    Town,
    Roadside,
}

/// The oracle's fixed stops as the module docs define them: public shelters of kind shelter,
/// and towns (not border crossings) within `TOWN_MAX_ACCESS_M` of the road.
fn oracle_stops(engine: &Engine, profile: Profile) -> Vec<(Snap, Kind)> {
    let mut out = Vec::new();
    for (s, snap) in engine.shelters().iter().zip(engine.shelter_snaps()) {
        if s.kind == ShelterKind::Shelter && s.visibility == Visibility::Public {
            if let Some(snap) = snap.for_profile(profile) {
                out.push((*snap, Kind::Shelter));
            }
        }
    }
    for (t, snap) in engine.places().places().iter().zip(engine.place_snaps()) {
        if let Some(snap) = snap.for_profile(profile) {
            if t.geonameid != 0 && snap.distance_m <= TOWN_MAX_ACCESS_M {
                out.push((*snap, Kind::Town));
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

/// Fastest speed of any usable edge, metres per decisecond: two stops further apart than a
/// day at this speed cannot be one leg (a cheap bound that spares most `Router::route` calls).
fn top_speed(engine: &Engine, w: &[u32]) -> f64 {
    let g = engine.graph();
    (0..g.edge_count() as u32)
        .map(EdgeId)
        .filter(|e| w[e.index()] != BLOCKED && w[e.index()] > 0)
        .map(|e| f64::from(g.length_m(e)) / f64::from(w[e.index()]))
        .fold(0.0, f64::max)
}

/// Whether stop `b` is within a day of stop `a` by `Router::route` over travel time.
struct Fits<'a> {
    engine: &'a Engine,
    w: Vec<u32>,
    speed: f64,
    day: u64,
}

impl<'a> Fits<'a> {
    fn new(engine: &'a Engine, q: &PlanQuery) -> Self {
        let w = time_weights(engine, q);
        let speed = top_speed(engine, &w);
        let day = (q.max_daily_hours * 36_000.0).floor() as u64;
        Fits {
            engine,
            w,
            speed,
            day,
        }
    }

    fn fits(&self, router: &mut Router, a: &Snap, b: &Snap) -> bool {
        haversine_m(a.point, b.point) <= self.speed * self.day as f64 + 1.0
            && router
                .route(self.engine.graph(), &self.w, a, b)
                .is_some_and(|r| r.cost <= self.day)
    }

    fn matrix(&self, router: &mut Router, stops: &[(Snap, Kind)]) -> Vec<Vec<bool>> {
        stops
            .iter()
            .map(|a| {
                stops
                    .iter()
                    .map(|b| self.fits(router, &a.0, &b.0))
                    .collect()
            })
            .collect()
    }
}

/// Brute force: keys (weighted nights, nights without a shelter, roadside nights) relaxed to a fixed
/// point over every stop (the fixed ones, whose `fixed_fits` matrix is given, then the
/// roadside ones), a leg between two stops existing when `Router::route` by travel time fits
/// the day.
fn oracle_keys(
    engine: &Engine,
    q: &PlanQuery,
    stops: &[(Snap, Kind)],
    fixed_fits: &[Vec<bool>],
    router: &mut Router,
    (w_town, w_road): (u32, u32),
) -> (u32, u32, u32) {
    let f = Fits::new(engine, q);
    let from = engine.snap(q.from, q.profile, false, "from").unwrap();
    let to = engine.snap(q.to, q.profile, false, "to").unwrap();
    if f.fits(router, &from, &to) {
        return (0, 0, 0);
    }
    let n = stops.len();
    let k = fixed_fits.len();
    let add = |k: (u32, u32, u32), kind: Kind| match kind {
        Kind::Shelter => (k.0 + w_town, k.1, k.2),
        Kind::Town => (k.0 + w_town, k.1 + 1, k.2),
        Kind::Roadside => (k.0 + w_road, k.1 + 1, k.2 + 1),
    };
    let mut best: Vec<Option<(u32, u32, u32)>> = stops
        .iter()
        .map(|s| f.fits(router, &from, &s.0).then(|| add((0, 0, 0), s.1)))
        .collect();
    let matrix: Vec<Vec<bool>> = (0..n)
        .map(|a| {
            (0..n)
                .map(|b| {
                    if a < k && b < k {
                        fixed_fits[a][b]
                    } else {
                        f.fits(router, &stops[a].0, &stops[b].0)
                    }
                })
                .collect()
        })
        .collect();
    loop {
        let mut changed = false;
        for a in 0..n {
            let Some(ka) = best[a] else { continue };
            for b in 0..n {
                if a != b && matrix[a][b] {
                    let k = add(ka, stops[b].1);
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
    (0..n)
        .filter(|&i| f.fits(router, &stops[i].0, &to))
        .filter_map(|i| best[i])
        .min()
        .expect("the whole-day roadside points make a plan")
}

fn check_plan_shape(engine: &Engine, q: &PlanQuery, plan: &Plan) {
    let limit_s = q.max_daily_hours * 3_600.0;
    assert_eq!(plan.nights as usize + 1, plan.legs.len());
    assert_eq!(plan.days(), plan.nights + 1);
    assert_eq!(
        plan.nights_without_shelter as usize,
        plan.legs.iter().filter(|l| l.end.is_flagged()).count()
    );
    assert_eq!(
        plan.roadside_nights as usize,
        plan.legs
            .iter()
            .filter(|l| matches!(l.end, LegEnd::Roadside { .. }))
            .count()
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
                assert!(q.include_restricted || s.visibility == Visibility::Public);
                assert_eq!(leg.to, s.location);
                assert!(leg.note.is_none());
            }
            LegEnd::Town { place } => {
                let t = engine.places().place(place);
                assert_ne!(t.geonameid, 0);
                assert_eq!(leg.to, t.location);
                let note = leg.note.as_ref().unwrap();
                assert!(
                    note.starts_with("no known shelter for this night"),
                    "{note}"
                );
                assert!(note.contains(&t.name), "{note}");
            }
            LegEnd::Roadside { at } => {
                assert_eq!(leg.to, at);
                let note = leg.note.as_ref().unwrap();
                assert!(
                    note.starts_with("no known shelter or town for this night"),
                    "{note}"
                );
                assert!(note.contains("the day ends at the roadside"), "{note}");
            }
            LegEnd::Destination => {}
        }
    }
    let sum: f64 = plan.legs.iter().map(|l| l.duration_s).sum();
    assert!((sum - plan.total_duration_s).abs() < 1e-6);
}

#[test]
fn plans_exist_exactly_when_a_route_does_and_have_the_fewest_nights() {
    let (mut all_unreachable, mut all_towns, mut all_roadside, mut all_shelters) = (0, 0, 0, 0);
    for (seed, profile, hours) in [
        (21, Profile::Foot, 0.75),
        (22, Profile::Foot, 1.2),
        (23, Profile::Vehicle, 0.1),
    ] {
        let engine = random_engine(2_000, seed, 30, 30);
        let graph = engine.graph();
        let mut rng = StdRng::seed_from_u64(seed);
        let mut router = Router::new();
        let fixed = oracle_stops(&engine, profile);
        let mut template = PlanQuery::new(p(0.0, 0.0), p(0.0, 0.0));
        template.profile = profile;
        template.max_daily_hours = hours;
        // Travel-time weights do not depend on the aversion: one matrix per engine.
        let fixed_fits = Fits::new(&engine, &template).matrix(&mut router, &fixed);
        let (mut planned, mut unreachable, mut multi) = (0, 0, 0);
        for _ in 0..20 {
            let pick = |rng: &mut StdRng| {
                graph.node_position(senda_core::NodeId(
                    rng.random_range(0..graph.node_count() as u32),
                ))
            };
            let mut q = PlanQuery::new(pick(&mut rng), pick(&mut rng));
            // Fewest nights first here; the town-preferring default is checked below.
            q.prefer_towns = false;
            if q.from == q.to {
                continue;
            }
            q.profile = profile;
            q.max_daily_hours = hours;
            q.aversion = [0.0, 0.5, 1.0][rng.random_range(0..3)];
            let (Ok(from), Ok(to)) = (
                engine.snap(q.from, profile, false, "from"),
                engine.snap(q.to, profile, false, "to"),
            ) else {
                continue;
            };
            let w = time_weights(&engine, &q);
            let route = router.route(graph, &w, &from, &to);
            match (engine.plan(&q), route) {
                (Ok(plan), Some(route)) => {
                    check_plan_shape(&engine, &q, &plan);
                    let day = (hours * 36_000.0).floor() as u64;
                    let points = roadside_points(graph, &w, &route, day);
                    let whole = points.iter().filter(|p| p.whole_day).count() as u32;
                    // The whole-day chain bounds the nights; nothing beats the fastest route.
                    assert!(plan.nights <= whole, "{q:?}");
                    let lower = route.cost.saturating_sub(u64::from(plan.nights));
                    assert!(u64::from(plan.nights + 1) * day >= lower, "{q:?}");
                    let mut stops = fixed.clone();
                    stops.extend(points.iter().map(|p| (p.snap, Kind::Roadside)));
                    let want = oracle_keys(&engine, &q, &stops, &fixed_fits, &mut router, (1, 1));
                    assert_eq!(
                        (
                            plan.nights,
                            plan.nights_without_shelter,
                            plan.roadside_nights
                        ),
                        want,
                        "{q:?}"
                    );
                    // The default weighs a roadside night as one and a half: the least
                    // weighted nights over the same stops, never more roadside nights.
                    let mut qt = q.clone();
                    qt.prefer_towns = true;
                    let towns = engine.plan(&qt).unwrap();
                    check_plan_shape(&engine, &qt, &towns);
                    let (a, r) = NIGHT_WEIGHT;
                    let want = oracle_keys(&engine, &qt, &stops, &fixed_fits, &mut router, (a, r));
                    assert_eq!(
                        (
                            a * towns.nights + (r - a) * towns.roadside_nights,
                            towns.nights_without_shelter,
                            towns.roadside_nights
                        ),
                        want,
                        "{qt:?}"
                    );
                    assert!(towns.roadside_nights <= plan.roadside_nights, "{qt:?}");
                    planned += 1;
                    multi += usize::from(plan.nights > 0);
                    for leg in &plan.legs {
                        match leg.end {
                            LegEnd::Town { .. } => all_towns += 1,
                            LegEnd::Roadside { .. } => all_roadside += 1,
                            LegEnd::Shelter { .. } => all_shelters += 1,
                            LegEnd::Destination => {}
                        }
                    }
                    check_leg_costs(&engine, &q, &plan, &points, &mut router);
                }
                (Err(EngineError::NoPlan(np)), None) => {
                    assert_eq!(*np, NoPlan::Unreachable { profile });
                    assert_eq!(np.code(), "unreachable");
                    unreachable += 1;
                }
                (got, want) => panic!("{q:?}: got {got:?}, route {want:?}"),
            }
        }
        println!("seed {seed}: {planned} plans ({multi} multi-day), {unreachable} unreachable");
        assert!(planned >= 8 && multi >= 4, "seed {seed}");
        all_unreachable += unreachable;
    }
    println!(
        "nights: {all_shelters} at shelters, {all_towns} in towns, {all_roadside} by the road"
    );
    assert!(all_unreachable > 0);
    assert!(all_towns > 0 && all_roadside > 0 && all_shelters > 0);
}

/// Each leg costs at least the least-cost route between its ends, and exactly that when it
/// is marked safest.
fn check_leg_costs(
    engine: &Engine,
    q: &PlanQuery,
    plan: &Plan,
    points: &[senda_core::engine::plan::roadside::RoadsidePoint],
    router: &mut Router,
) {
    let profile = q.profile;
    let graph = engine.graph();
    let gen = engine
        .weights(&senda_core::engine::WeightQuery {
            profile,
            aversion: q.aversion,
            ..Default::default()
        })
        .unwrap();
    let snap_of = |end: LegEnd, at: LonLat| match end {
        LegEnd::Shelter { idx } => *engine.shelter_snaps()[idx].for_profile(profile).unwrap(),
        LegEnd::Town { place } => *engine.place_snaps()[place.index()]
            .for_profile(profile)
            .unwrap(),
        LegEnd::Roadside { at } => points.iter().find(|p| p.snap.point == at).unwrap().snap,
        LegEnd::Destination => engine.snap(at, profile, false, "to").unwrap(),
    };
    let mut from = engine.snap(q.from, profile, false, "from").unwrap();
    for leg in &plan.legs {
        let to = snap_of(leg.end, leg.to);
        let least = router.route(graph, &gen, &from, &to).unwrap().cost;
        let cost = (leg.cost_s * 10.0).round() as u64;
        assert!(cost >= least, "{q:?}");
        if leg.safest {
            assert_eq!(cost, least, "{q:?}");
        }
        from = to;
    }
}

#[test]
fn roadside_points_cut_the_fastest_route_into_days() {
    let engine = random_engine(2_000, 31, 0, 0);
    let graph = engine.graph();
    let mut router = Router::new();
    let mut rng = StdRng::seed_from_u64(31);
    let mut checked = 0;
    for _ in 0..40 {
        let pick = |rng: &mut StdRng| {
            graph.node_position(senda_core::NodeId(
                rng.random_range(0..graph.node_count() as u32),
            ))
        };
        let mut q = PlanQuery::new(pick(&mut rng), pick(&mut rng));
        q.max_daily_hours = 0.5;
        let w = time_weights(&engine, &q);
        let (Ok(a), Ok(b)) = (
            engine.snap(q.from, q.profile, false, "from"),
            engine.snap(q.to, q.profile, false, "to"),
        ) else {
            continue;
        };
        let Some(route) = router.route(graph, &w, &a, &b) else {
            continue;
        };
        let day = 18_000;
        let points = roadside_points(graph, &w, &route, day);
        let whole: Vec<Snap> = points
            .iter()
            .filter(|p| p.whole_day)
            .map(|p| p.snap)
            .collect();
        // ⌈T / day⌉ days: no rounding is lost at the cuts.
        assert_eq!(whole.len() as u64 + 1, route.cost.div_ceil(day).max(1));
        // Each day of the chain fits, and all but the last take the whole day.
        let chain: Vec<Snap> = std::iter::once(a)
            .chain(whole.iter().copied())
            .chain(std::iter::once(b))
            .collect();
        for (i, w2) in chain.windows(2).enumerate() {
            let t = router.route(graph, &w, &w2[0], &w2[1]).unwrap().cost;
            assert!(t <= day, "day {i}: {t}");
            if i + 2 < chain.len() {
                assert_eq!(t, day, "day {i}");
            }
        }
        // Part-day points lie between the whole-day points, in route order.
        let mut last = 0;
        for pt in &points {
            let t = router.route(graph, &w, &a, &pt.snap).unwrap().cost;
            assert!(t >= last);
            last = t;
        }
        checked += usize::from(whole.len() >= 2);
    }
    assert!(checked >= 5, "{checked}");
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

fn road(id: usize, pts: Vec<LonLat>) -> RoadSegment {
    RoadSegment::new(
        SourceKey::new("test", format!("r{id}")).unwrap(),
        RoadClass::Residential,
        pts,
    )
    .unwrap()
}

/// 120 km of residential road, as one segment or as 1-km segments, and a separate 2-km road
/// 60 km north of it (an island: the network keeps only its largest piece).
fn corridor(split: bool) -> Vec<RoadSegment> {
    let pts: Vec<LonLat> = (0..=120).map(|i| km(f64::from(i))).collect();
    let mut roads = if split {
        pts.windows(2)
            .enumerate()
            .map(|(i, w)| road(i, w.to_vec()))
            .collect()
    } else {
        vec![road(0, pts)]
    };
    roads.push(road(
        1_000,
        vec![p(lon_at(50.0), 15.55), p(lon_at(52.0), 15.55)],
    ));
    roads
}

/// Shelters at km 30 and 60, a restricted one at km 78.5, a soup kitchen at km 40 (never a
/// stop); towns at km 79 (on the road) and km 100 (5 km off it, too far to be a stop), a
/// border crossing at km 90 (never a stop) and a checkpoint at km 85.
fn corridor_engine(split: bool) -> Engine {
    corridor_engine_with(split, Vec::new())
}

fn corridor_engine_with(split: bool, alerts: Vec<senda_core::WeatherAlert>) -> Engine {
    let mut data = EngineData {
        alerts,
        roads: corridor(split),
        ..EngineData::default()
    };
    data.shelters
        .push(shelter(0, ShelterKind::Shelter, km(30.0)));
    data.shelters
        .push(shelter(1, ShelterKind::Shelter, km(60.0)));
    let mut hidden = shelter(2, ShelterKind::Shelter, km(78.5));
    hidden.visibility = Visibility::Restricted;
    data.shelters.push(hidden);
    data.shelters
        .push(shelter(3, ShelterKind::SoupKitchen, km(40.0)));
    data.transit
        .push(transit(0, TransitKind::Checkpoint, km(85.0)));
    data.places = Arc::new(Gazetteer::new(vec![
        town(1, "Villa Setenta", km(79.0), 4_000),
        town(2, "Lejana", p(lon_at(100.0), LAT + 0.045), 50_000),
        town(0, "Garita", km(90.0), 0),
    ]));
    Engine::build(data, at(), EngineConfig::default()).unwrap()
}

fn ends(plan: &Plan) -> Vec<&'static str> {
    plan.legs.iter().map(|l| l.end.as_str()).collect()
}

#[test]
fn nights_go_to_shelters_then_towns_then_the_roadside() {
    for split in [false, true] {
        let engine = corridor_engine(split);
        // 100 km at 5 km/h: 20 h, three days; shelters at 30 and 60 fit.
        let q = PlanQuery::new(km(0.0), km(100.0));
        let plan = engine.plan(&q).unwrap();
        check_plan_shape(&engine, &q, &plan);
        let got: Vec<LegEnd> = plan.legs.iter().map(|l| l.end).collect();
        assert_eq!(
            got,
            [
                LegEnd::Shelter { idx: 0 },
                LegEnd::Shelter { idx: 1 },
                LegEnd::Destination
            ],
            "split {split}"
        );
        // 30 km at 5 km/h: 6 h.
        assert!((plan.legs[0].duration_s - 6.0 * 3_600.0).abs() < 30.0);
        assert!((plan.legs[0].distance_m - 30_000.0).abs() < 100.0);
        assert!((plan.total_distance_m - 100_000.0).abs() < 300.0);
        let line = &plan.legs[1].geometry;
        assert!(haversine_m(line[0], km(30.0)) < 1.0);
        assert!(haversine_m(*line.last().unwrap(), km(60.0)) < 1.0);

        // 118 km: 23.6 h, three days with 24 min to spare, so the first night is at km
        // 38–40 (no stop but the roadside point at 40: the soup kitchen there is no
        // shelter), the second at km 78–80: the town at 79 rather than the roadside at 80.
        let q = PlanQuery::new(km(0.0), km(118.0));
        let plan = engine.plan(&q).unwrap();
        check_plan_shape(&engine, &q, &plan);
        assert_eq!(
            ends(&plan),
            ["roadside", "town", "destination"],
            "split {split}"
        );
        assert_eq!(
            (
                plan.nights,
                plan.nights_without_shelter,
                plan.roadside_nights
            ),
            (2, 2, 1)
        );
        let LegEnd::Roadside { at } = plan.legs[0].end else {
            panic!()
        };
        assert!(haversine_m(at, km(40.0)) < 50.0, "{at}");
        assert!((plan.legs[0].duration_s - 8.0 * 3_600.0).abs() < 1.0);
        let note = plan.legs[0].note.as_ref().unwrap();
        assert!(
            note.contains(
                "the shelters and towns within a day's travel do not fit a plan with as few nights"
            ),
            "{note}"
        );
        assert!(
            note.ends_with("the day ends at the roadside, 39 km W of Villa Setenta"),
            "{note}"
        );
        assert_eq!(
            plan.legs[1].end,
            LegEnd::Town {
                place: senda_core::PlaceId(0)
            }
        );
        let note = plan.legs[1].note.as_ref().unwrap();
        assert!(
            note.contains(
                "the shelters within a day's travel do not fit a plan with as few nights"
            ),
            "{note}"
        );
        assert!(
            note.ends_with("the day ends in Villa Setenta, Chiapas (a town of 4000 people)"),
            "{note}"
        );

        // With the restricted shelter at km 78.5 allowed, the second night is there.
        let mut q2 = q.clone();
        q2.include_restricted = true;
        let plan = engine.plan(&q2).unwrap();
        check_plan_shape(&engine, &q2, &plan);
        let got: Vec<LegEnd> = plan.legs.iter().map(|l| l.end).collect();
        assert_eq!(got[1], LegEnd::Shelter { idx: 2 });
        assert_eq!((plan.nights_without_shelter, plan.roadside_nights), (1, 1));

        // 105 km: 21 h. Night one at km 25–40, night two at km 65 to 40 km after it: the
        // shelter at 30, then a roadside point at 65–70 (part-day points every 2.5 km after
        // km 40); the town at 79 is too far from 30.
        let q = PlanQuery::new(km(0.0), km(105.0));
        let plan = engine.plan(&q).unwrap();
        check_plan_shape(&engine, &q, &plan);
        assert_eq!(
            ends(&plan),
            ["shelter", "roadside", "destination"],
            "split {split}"
        );
        let LegEnd::Roadside { at } = plan.legs[1].end else {
            panic!()
        };
        let at_km = (at.lon() - LON0) / (lon_at(1.0) - LON0);
        assert!((64.9..70.1).contains(&at_km), "{at_km}");
        let note = plan.legs[1].note.as_ref().unwrap();
        let expect = format!("roadside, {:.0} km W of Villa Setenta", 79.0 - at_km);
        assert!(note.contains(&expect), "{note}");
    }
}

#[test]
fn any_reachable_destination_gets_a_plan() {
    for split in [false, true] {
        let engine = corridor_engine(split);
        // 2 h a day: 10 km; 105 km is 11 days.
        let mut q = PlanQuery::new(km(0.0), km(105.0));
        q.max_daily_hours = 2.0;
        let plan = engine.plan(&q).unwrap();
        check_plan_shape(&engine, &q, &plan);
        assert_eq!(plan.nights, 10, "split {split}");
        // Night k lies between km 10k − 5 and 10k: the shelters at 30 and 60 fit, and the
        // town at 79 (with quarter-day roadside points after it); the rest are roadside.
        assert_eq!(
            (plan.nights_without_shelter, plan.roadside_nights),
            (8, 7),
            "{:?}",
            ends(&plan)
        );
        // By vehicle (30 km/h on residential roads) it is one day.
        let mut q3 = PlanQuery::new(km(0.0), km(105.0));
        q3.profile = Profile::Vehicle;
        let plan = engine.plan(&q3).unwrap();
        assert_eq!((plan.nights, plan.legs.len()), (0, 1));
        assert!((plan.legs[0].duration_s - 105.0 / 30.0 * 3_600.0).abs() < 30.0);
    }
}

#[test]
fn an_unreachable_destination_is_the_only_failure() {
    for split in [false, true] {
        // An island is off the network: the destination cannot be placed on it.
        let engine = corridor_engine(split);
        let island = p(lon_at(51.0), 15.55);
        let q = PlanQuery::new(km(0.0), island);
        assert!(
            matches!(engine.plan(&q), Err(EngineError::Snap { what: "to", .. })),
            "split {split}"
        );
        // A hurricane closing the road around km 60 cuts the destination off.
        let hurricane =
            senda_testkit::gen::hurricane(senda_testkit::gen::square(km(60.0), 0.03), at());
        let engine = corridor_engine_with(split, vec![hurricane]);
        let q = PlanQuery::new(km(0.0), km(100.0));
        let err = engine.plan(&q).unwrap_err();
        let EngineError::NoPlan(np) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(
            **np,
            NoPlan::Unreachable {
                profile: Profile::Foot
            }
        );
        assert_eq!(np.code(), "unreachable");
        assert_eq!(
            err.to_string(),
            "no stage plan on foot: no route joins the start and the destination on the foot \
             network (closed roads or separate networks)"
        );
    }
}

#[test]
fn max_days_limits_the_plan() {
    let engine = corridor_engine(true);
    let mut q = PlanQuery::new(km(0.0), km(118.0));
    q.max_days = Some(3);
    assert_eq!(engine.plan(&q).unwrap().days(), 3);
    for max in [1, 2] {
        q.max_days = Some(max);
        let err = engine.plan(&q).unwrap_err();
        let EngineError::NoPlan(np) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(
            **np,
            NoPlan::TooManyDays {
                days: 3,
                max_days: max,
                max_daily_hours: 8.0
            }
        );
        assert_eq!(np.code(), "too_many_days");
        assert_eq!(
            err.to_string(),
            format!("the journey needs 3 days at 8 h of travel a day; the limit is {max}")
        );
    }
    // Without max_days a plan may not exceed a year: 118 km at 0.01 h (50 m) a day.
    let mut q = PlanQuery::new(km(0.0), km(118.0));
    q.max_daily_hours = 0.01;
    let err = engine.plan(&q).unwrap_err();
    assert!(
        matches!(&err, EngineError::NoPlan(np) if matches!(**np, NoPlan::TooManyDays { days: 2_300..=2_400, max_days: 365, .. })),
        "{err:?}"
    );
}

#[test]
fn from_equal_to_is_a_plan_without_legs() {
    let engine = corridor_engine(false);
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
    let engine = corridor_engine(false);
    for h in [0.0, -1.0, 24.5, f64::NAN] {
        let mut q = PlanQuery::new(km(0.0), km(50.0));
        q.max_daily_hours = h;
        assert!(
            matches!(engine.plan(&q), Err(EngineError::Invalid(e)) if e.field == "max_daily_hours"),
            "{h}"
        );
    }
    for d in [0, 366] {
        let mut q = PlanQuery::new(km(0.0), km(50.0));
        q.max_days = Some(d);
        assert!(
            matches!(engine.plan(&q), Err(EngineError::Invalid(e)) if e.field == "max_days"),
            "{d}"
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
}
