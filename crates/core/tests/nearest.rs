//! Nearest shelters: by air against a brute-force haversine scan, by road against routing to
//! every shelter with `Router::route`, filters and contradictory filters.

use chrono::{DateTime, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use senda_core::engine::nearest::{NearestAnswer, NearestBy, NearestQuery, NearestSearch};
use senda_core::engine::{Engine, EngineConfig, EngineData, EngineError};
use senda_core::search::Router;
use senda_core::{
    haversine_m, Incident, IncidentCategory, LonLat, Population, Profile, Service, Shelter,
    ShelterKind, SourceKey, Visibility,
};

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()
}

fn p(lon: f64, lat: f64) -> LonLat {
    LonLat::new(lon, lat).unwrap()
}

/// The bounding box of the generated roads: (min lon, min lat, max lon, max lat).
fn bbox(data: &EngineData) -> (f64, f64, f64, f64) {
    let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for r in &data.roads {
        for q in &r.geometry {
            b = (
                b.0.min(q.lon()),
                b.1.min(q.lat()),
                b.2.max(q.lon()),
                b.3.max(q.lat()),
            );
        }
    }
    b
}

const KINDS: [ShelterKind; 4] = [
    ShelterKind::Shelter,
    ShelterKind::Shelter,
    ShelterKind::SoupKitchen,
    ShelterKind::Consulate,
];
const POPS: [Population; 3] = [Population::Women, Population::Families, Population::Minors];

fn random_shelter(rng: &mut StdRng, i: usize, location: LonLat) -> Shelter {
    let kind = KINDS[rng.random_range(0..KINDS.len())];
    let mut s = Shelter::new(
        SourceKey::new("test", i.to_string()).unwrap(),
        kind,
        format!("shelter {i}"),
        location,
    )
    .unwrap();
    s.services = Service::ALL
        .into_iter()
        .filter(|_| rng.random_bool(0.4))
        .collect();
    s.serves = POPS.into_iter().filter(|_| rng.random_bool(0.3)).collect();
    s.capacity = rng.random_bool(0.7).then(|| rng.random_range(5..120));
    if rng.random_bool(0.1) {
        s.visibility = Visibility::Restricted;
    }
    s
}

/// Roads from the generator, `shelters` random service points in (and a little beyond) the
/// network's box — some sharing a position, to make ties — and incidents for the risk field.
fn engine(nodes: usize, seed: u64, shelters: usize) -> Engine {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut data = EngineData {
        roads: senda_testkit::gen::road_like_graph(nodes, seed),
        ..EngineData::default()
    };
    let (x0, y0, x1, y1) = bbox(&data);
    let (dx, dy) = (x1 - x0, y1 - y0);
    for i in 0..shelters {
        let location = if i > 0 && rng.random_bool(0.05) {
            data.shelters[rng.random_range(0..i)].location
        } else {
            p(
                x0 - 0.05 * dx + rng.random::<f64>() * 1.1 * dx,
                y0 - 0.05 * dy + rng.random::<f64>() * 1.1 * dy,
            )
        };
        let s = random_shelter(&mut rng, i, location);
        data.shelters.push(s);
    }
    for i in 0..40 {
        let loc = p(x0 + rng.random::<f64>() * dx, y0 + rng.random::<f64>() * dy);
        let when = at() - chrono::Duration::days(rng.random_range(1..700));
        data.incidents.push(
            Incident::new(
                SourceKey::new("test", format!("i{i}")).unwrap(),
                loc,
                when,
                IncidentCategory::Violence,
                rng.random_range(1..6),
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

fn random_query(rng: &mut StdRng, engine: &Engine, by: NearestBy) -> NearestQuery {
    let shelters = engine.shelters();
    let b = {
        let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for s in shelters {
            let q = s.location;
            b = (
                b.0.min(q.lon()),
                b.1.min(q.lat()),
                b.2.max(q.lon()),
                b.3.max(q.lat()),
            );
        }
        b
    };
    // Sometimes exactly at a shelter (distance 0, ties with shelters sharing its position).
    let at = if rng.random_bool(0.1) {
        shelters[rng.random_range(0..shelters.len())].location
    } else {
        p(
            b.0 + rng.random::<f64>() * (b.2 - b.0),
            b.1 + rng.random::<f64>() * (b.3 - b.1),
        )
    };
    let mut q = NearestQuery::new(at);
    q.by = by;
    q.k = rng.random_range(1..=12);
    if rng.random_bool(0.3) {
        q.needs = vec![Service::ALL[rng.random_range(0..4)]];
    }
    if rng.random_bool(0.15) {
        q.serves = Some(POPS[rng.random_range(0..POPS.len())]);
    }
    if rng.random_bool(0.15) {
        q.min_capacity = Some(rng.random_range(10..80));
    }
    if rng.random_bool(0.3) {
        q.kinds = vec![ShelterKind::Shelter, ShelterKind::SoupKitchen];
    }
    q.include_restricted = rng.random_bool(0.2);
    q.profile = if rng.random_bool(0.3) {
        Profile::Vehicle
    } else {
        Profile::Foot
    };
    q.aversion = [0.0, 0.5, 1.0][rng.random_range(0..3)];
    q
}

/// Brute force by air: every matching shelter by haversine, sorted by (distance, index).
fn air_oracle(engine: &Engine, q: &NearestQuery) -> Vec<(usize, f64)> {
    let mut all: Vec<(usize, f64)> = engine
        .shelters()
        .iter()
        .enumerate()
        .filter(|(_, s)| q.matches(s))
        .map(|(i, s)| (i, haversine_m(q.at, s.location)))
        .collect();
    all.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    all.truncate(q.k);
    all
}

fn indexes(a: &NearestAnswer<'_>) -> Vec<usize> {
    a.shelters.iter().map(|s| s.index).collect()
}

#[test]
fn air_k_nearest_equals_a_brute_force_haversine_scan() {
    let engine = engine(3_000, 11, 400);
    let mut rng = StdRng::seed_from_u64(5);
    let mut ties = 0;
    for _ in 0..2_000 {
        let q = random_query(&mut rng, &engine, NearestBy::Air);
        // The straight-line ranking alone (`nearest` adds route figures on top of it).
        let got = engine.nearest_air(&q).unwrap();
        let want = air_oracle(&engine, &q);
        let got_pairs: Vec<(usize, f64)> = got
            .shelters
            .iter()
            .map(|s| (s.index, s.distance_m))
            .collect();
        assert_eq!(got_pairs, want, "{q:?}");
        ties += want.windows(2).filter(|w| w[0].1 == w[1].1).count();
        for s in &got.shelters {
            assert!(q.matches(s.shelter));
            assert_eq!(s.duration_s, None);
            assert_eq!(s.cost_s, None);
        }
        assert_eq!(got.note.is_some(), want.len() < q.k);
    }
    assert!(ties > 0, "the test set must exercise ties");
}

#[test]
fn air_answers_the_same_over_a_continent() {
    // Shelters spread over the whole corridor and beyond (the tree is on the unit sphere:
    // no distortion far from a reference latitude, nothing special at the antimeridian).
    let mut rng = StdRng::seed_from_u64(9);
    let mut data = EngineData {
        roads: senda_testkit::gen::road_like_graph(200, 1),
        ..EngineData::default()
    };
    for i in 0..2_000 {
        let loc = p(
            rng.random_range(-180.0..180.0),
            rng.random_range(-80.0..80.0),
        );
        let mut s = random_shelter(&mut rng, i, loc);
        s.kind = ShelterKind::Shelter;
        s.visibility = Visibility::Public;
        data.shelters.push(s);
    }
    let engine = Engine::build(data, at(), EngineConfig::default()).unwrap();
    for _ in 0..1_000 {
        let mut q = NearestQuery::new(p(
            rng.random_range(-180.0..180.0),
            rng.random_range(-89.0..89.0),
        ));
        q.k = rng.random_range(1..=50);
        let got: Vec<(usize, f64)> = engine
            .nearest(&q)
            .unwrap()
            .shelters
            .iter()
            .map(|s| (s.index, s.distance_m))
            .collect();
        assert_eq!(got, air_oracle(&engine, &q), "{q:?}");
    }
}

/// Brute force by road: `Router::route` to every matching snapped shelter, sorted by
/// (cost, index).
fn road_oracle(engine: &Engine, q: &NearestQuery, router: &mut Router) -> Vec<(usize, u64)> {
    let weights = engine.weights(&q.weight_query()).unwrap();
    let from = engine.snap(q.at, q.profile, false, "at").unwrap();
    let mut all: Vec<(usize, u64)> = engine
        .shelters()
        .iter()
        .zip(engine.shelter_snaps())
        .enumerate()
        .filter(|(_, (s, _))| q.matches(s))
        .filter_map(|(i, (_, snap))| {
            let to = snap.for_profile(q.profile)?;
            let path = router.route(engine.graph(), &weights, &from, to)?;
            Some((i, path.cost))
        })
        .filter(|&(_, c)| q.max_cost_s.is_none_or(|m| c as f64 <= m * 10.0))
        .collect();
    all.sort_by_key(|&(i, c)| (c, i));
    all.truncate(q.k);
    all
}

#[test]
fn road_k_nearest_equals_routing_to_every_shelter() {
    let engine = engine(3_000, 12, 150);
    let mut rng = StdRng::seed_from_u64(6);
    let mut router = Router::new();
    let mut search = NearestSearch::new();
    let mut checked = 0;
    let mut ties = 0;
    while checked < 300 {
        let mut q = random_query(&mut rng, &engine, NearestBy::Road);
        if rng.random_bool(0.2) {
            q.max_cost_s = Some(rng.random_range(300.0..3_000.0));
        }
        q.geometry = rng.random_bool(0.5);
        if engine.snap(q.at, q.profile, false, "at").is_err() {
            assert!(matches!(
                engine.nearest(&q),
                Err(EngineError::Snap { what: "at", .. })
            ));
            continue;
        }
        checked += 1;
        let want = road_oracle(&engine, &q, &mut router);
        let weights = engine.weights(&q.weight_query()).unwrap();
        let got = search.nearest_road(&engine, &q, &weights).unwrap();
        let got_pairs: Vec<(usize, u64)> = got
            .shelters
            .iter()
            .map(|s| (s.index, (s.cost_s.unwrap() * 10.0).round() as u64))
            .collect();
        assert_eq!(got_pairs, want, "{q:?}");
        ties += want.windows(2).filter(|w| w[0].1 == w[1].1).count();
        // A fresh search state answers the same (the reused one resets correctly).
        assert_eq!(engine.nearest(&q).unwrap(), got);
        for s in &got.shelters {
            assert!(q.matches(s.shelter));
            let duration = s.duration_s.unwrap();
            assert!(duration >= 0.0);
            // The generalised cost is at least the travel time (risk only adds).
            assert!(s.cost_s.unwrap() + 0.1 >= duration, "{s:?}");
            assert!(s.distance_m >= 0.0 && s.risk_exposure.unwrap() >= 0.0);
            if q.geometry {
                let line = s.geometry.as_ref().unwrap();
                assert!(!line.is_empty());
                let shelter_snap = engine.shelter_snaps()[s.index]
                    .for_profile(q.profile)
                    .unwrap();
                let end = *line.last().unwrap();
                assert!(haversine_m(end, shelter_snap.point) < 1.0, "{end:?}");
            } else {
                assert!(s.geometry.is_none());
            }
        }
    }
    assert!(ties > 0, "the test set must exercise ties");
}

#[test]
fn air_and_road_agree_on_who_is_near() {
    // By road with aversion 0 on foot, durations grow with distance along the network; the
    // air distance never exceeds the network distance plus the access legs.
    let engine = engine(2_000, 13, 80);
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..50 {
        let mut q = random_query(&mut rng, &engine, NearestBy::Road);
        q.profile = Profile::Foot;
        q.aversion = 0.0;
        let Ok(road) = engine.nearest(&q) else {
            continue;
        };
        for s in &road.shelters {
            let air = haversine_m(q.at, s.shelter.location);
            assert!(air <= s.distance_m + s.access_m + 1.0, "{air} vs {s:?}");
            // 5 km/h on foot, 3 km/h on steps.
            let (fast, slow) = (s.distance_m / (5.0 / 3.6), s.distance_m / (3.0 / 3.6));
            let d = s.duration_s.unwrap();
            assert!(d >= fast - 1.0 && d <= slow + 1.0, "{d} vs {fast}..{slow}");
        }
        for w in road.shelters.windows(2) {
            assert!(w[0].cost_s <= w[1].cost_s);
        }
    }
}

#[test]
fn filters_combine() {
    let engine = engine(1_000, 14, 300);
    let here = engine.shelters()[0].location;
    let mut q = NearestQuery::new(here);
    q.k = 50;
    q.kinds = vec![ShelterKind::Shelter, ShelterKind::Consulate];
    q.needs = vec![Service::Bed, Service::Food];
    q.min_capacity = Some(20);
    for by in [NearestBy::Air, NearestBy::Road] {
        q.by = by;
        let answer = match engine.nearest(&q) {
            Ok(a) => a,
            Err(EngineError::Snap { .. }) => continue,
            Err(e) => panic!("{e}"),
        };
        assert!(!answer.shelters.is_empty());
        for s in &answer.shelters {
            let sh = s.shelter;
            assert!(matches!(
                sh.kind,
                ShelterKind::Shelter | ShelterKind::Consulate
            ));
            assert!(sh.services.contains(&Service::Bed) && sh.services.contains(&Service::Food));
            assert!(sh.capacity.unwrap() >= 20);
            assert_eq!(sh.visibility, Visibility::Public);
        }
    }
    // Restricted shelters only when asked for.
    let restricted = engine
        .shelters()
        .iter()
        .position(|s| s.visibility == Visibility::Restricted && s.kind == ShelterKind::Shelter)
        .expect("the generator restricts some shelters");
    let mut q = NearestQuery::new(engine.shelters()[restricted].location);
    q.k = 1;
    assert_ne!(indexes(&engine.nearest(&q).unwrap()), vec![restricted]);
    q.include_restricted = true;
    let got = indexes(&engine.nearest(&q).unwrap());
    assert_eq!(
        engine.shelters()[got[0]].location,
        engine.shelters()[restricted].location
    );
    assert_eq!(engine.shelters()[got[0]].visibility, Visibility::Restricted);
}

#[test]
fn contradictory_filters_are_errors_or_explained_empty_answers() {
    let engine = engine(1_000, 15, 100);
    let here = engine.shelters()[3].location;
    let q = NearestQuery::new(here);

    for k in [0, 51] {
        let mut bad = q.clone();
        bad.k = k;
        match engine.nearest(&bad) {
            Err(EngineError::Invalid(e)) => assert_eq!(e.field, "k"),
            other => panic!("{other:?}"),
        }
    }
    let mut bad = q.clone();
    bad.kinds.clear();
    assert!(matches!(engine.nearest(&bad), Err(EngineError::Invalid(e)) if e.field == "kinds"));
    let mut bad = q.clone();
    bad.by = NearestBy::Road;
    bad.aversion = 2.0;
    assert!(matches!(engine.nearest(&bad), Err(EngineError::Invalid(e)) if e.field == "aversion"));
    // An unknown service cannot even be named.
    assert_eq!(Service::parse("teleport").unwrap_err().field, "services");

    let largest = engine
        .shelters()
        .iter()
        .filter_map(|s| s.capacity)
        .max()
        .unwrap();
    let mut big = q.clone();
    big.min_capacity = Some(largest + 1);
    for by in [NearestBy::Air, NearestBy::Road] {
        big.by = by;
        let Ok(a) = engine.nearest(&big) else {
            continue;
        };
        assert!(a.shelters.is_empty());
        let note = a.note.unwrap();
        assert!(note.contains("min_capacity"), "{note}");
        assert!(
            note.contains(&format!("largest known capacity is {largest}")),
            "{note}"
        );
    }

    // Nobody serves LGBTQ+ people in the generated data.
    let mut pop = q.clone();
    pop.serves = Some(Population::Lgbtq);
    let a = engine.nearest(&pop).unwrap();
    assert!(a.shelters.is_empty());
    assert!(a.note.unwrap().contains("serves filter (lgbtq)"));

    // Every service at once: nobody offers them all.
    let mut all = q.clone();
    all.needs = Service::ALL.to_vec();
    let a = engine.nearest(&all).unwrap();
    assert!(a.shelters.is_empty());
    assert!(a.note.unwrap().contains("needs filter"));

    // More than there are: the answer says how many match.
    let mut many = q.clone();
    many.k = 50;
    many.kinds = vec![ShelterKind::Consulate];
    many.needs = vec![Service::Bed];
    let a = engine.nearest(&many).unwrap();
    assert!(a.shelters.len() < 50);
    assert!(a.note.unwrap().starts_with("only"));
}

#[test]
fn far_from_roads_road_fails_and_air_answers() {
    let engine = engine(1_000, 16, 60);
    let far = p(-90.5, 13.5); // the Pacific, ~100 km off the generated network
    let mut q = NearestQuery::new(far);
    q.k = 3;
    let air = engine.nearest(&q).unwrap();
    assert_eq!(air.shelters.len(), 3);
    assert!(air.shelters[0].distance_m > 50_000.0);
    q.by = NearestBy::Road;
    match engine.nearest(&q) {
        Err(e @ EngineError::Snap { what: "at", .. }) => {
            assert!(e.to_string().starts_with("at: no road usable foot"), "{e}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn no_shelters_at_all_is_explained() {
    let data = EngineData {
        roads: senda_testkit::gen::road_like_graph(200, 3),
        ..EngineData::default()
    };
    let engine = Engine::build(data, at(), EngineConfig::default()).unwrap();
    let here = engine.graph().node_position(senda_core::NodeId(0));
    for by in [NearestBy::Air, NearestBy::Road] {
        let mut q = NearestQuery::new(here);
        q.by = by;
        let a = engine.nearest(&q).unwrap();
        assert!(a.shelters.is_empty());
        assert_eq!(a.note.unwrap(), "no shelter found: no shelters are loaded");
    }
}

/// By air, each result also carries the travel figures of the safe route to it, equal to a
/// route computed directly.
#[test]
fn air_results_carry_the_route_figures() {
    let engine = engine(2_000, 5, 40);
    let mut q = senda_core::engine::nearest::NearestQuery::new(
        engine.graph().node_position(senda_core::NodeId(7)),
    );
    q.k = 3;
    let answer = engine.nearest(&q).unwrap();
    assert!(!answer.shelters.is_empty());
    for n in &answer.shelters {
        let to = n.shelter.location;
        let mut rq = senda_core::engine::route::RouteQuery::new(q.at, to);
        rq.aversion = q.aversion;
        let direct = engine.route(&rq);
        match (n.duration_s, direct) {
            (Some(d), Ok(answer)) => {
                let r = &answer.routes[0];
                assert!((d - r.duration_s).abs() <= 1.0, "{d} vs {}", r.duration_s);
                // The whole way: the route plus the straight lines on and off the network.
                let access = r.distance_m + answer.from.distance_m + answer.to.distance_m;
                assert!((n.route_distance_m.unwrap() - access).abs() <= 5.0);
                // Never shorter than the straight line.
                assert!(n.route_distance_m.unwrap() + 1e-6 >= n.distance_m);
            }
            (None, _) => {}
            (Some(_), Err(e)) => panic!("figures without a route: {e}"),
        }
    }
}

/// Transit points on a small network: every third one a town (no lines), the others stops
/// with a line each, some sharing a position (ties).
fn engine_with_stops(seed: u64, points: usize) -> Engine {
    use senda_core::{TransitKind, TransitMode, TransitPoint, TransitRoute};
    let mut rng = StdRng::seed_from_u64(seed);
    let mut data = EngineData {
        roads: senda_testkit::gen::road_like_graph(400, seed),
        ..EngineData::default()
    };
    let (x0, y0, x1, y1) = bbox(&data);
    for i in 0..points {
        let location = if i > 0 && rng.random_bool(0.05) {
            data.transit[rng.random_range(0..i)].location
        } else {
            p(rng.random_range(x0..x1), rng.random_range(y0..y1))
        };
        let key = SourceKey::new("feed", i.to_string()).unwrap();
        let mut t =
            TransitPoint::new(key, TransitKind::BusStop, format!("stop {i}"), location).unwrap();
        if i % 3 == 0 {
            t.kind = TransitKind::Place;
        } else {
            t.routes.push(TransitRoute {
                id: format!("r{i}"),
                short_name: Some(i.to_string()),
                long_name: None,
                mode: TransitMode::Bus,
                agency: None,
                headway_s: Some(600),
            });
        }
        data.transit.push(t);
    }
    Engine::build(data, at(), EngineConfig::default()).unwrap()
}

#[test]
fn nearest_stops_equal_a_brute_force_haversine_scan() {
    use senda_core::engine::stops::StopsQuery;
    let engine = engine_with_stops(7, 600);
    assert_eq!(engine.stop_count(), 400);
    let mut rng = StdRng::seed_from_u64(8);
    let (x0, y0, x1, y1) = (
        engine
            .transit()
            .iter()
            .map(|t| t.location.lon())
            .fold(f64::MAX, f64::min),
        engine
            .transit()
            .iter()
            .map(|t| t.location.lat())
            .fold(f64::MAX, f64::min),
        engine
            .transit()
            .iter()
            .map(|t| t.location.lon())
            .fold(f64::MIN, f64::max),
        engine
            .transit()
            .iter()
            .map(|t| t.location.lat())
            .fold(f64::MIN, f64::max),
    );
    for round in 0..2_000 {
        let at = if round % 10 == 0 {
            engine.transit()[rng.random_range(0..engine.transit().len())].location
        } else {
            p(rng.random_range(x0..x1), rng.random_range(y0..y1))
        };
        let mut q = StopsQuery::new(at);
        q.k = rng.random_range(1..=50);
        if round % 2 == 0 {
            q.max_distance_m = Some(rng.random_range(100.0..20_000.0));
        }
        let mut oracle: Vec<(usize, f64)> = engine
            .transit()
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.routes.is_empty())
            .map(|(i, t)| (i, haversine_m(at, t.location)))
            .filter(|(_, d)| q.max_distance_m.is_none_or(|m| *d <= m))
            .collect();
        oracle.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        oracle.truncate(q.k);
        let got: Vec<(usize, f64)> = engine
            .nearest_stops(&q)
            .unwrap()
            .iter()
            .map(|s| (s.index, s.distance_m))
            .collect();
        assert_eq!(got, oracle, "query {q:?}");
    }
}

#[test]
fn nearest_stops_check_their_parameters() {
    use senda_core::engine::stops::StopsQuery;
    let engine = engine_with_stops(3, 30);
    let at = engine.transit()[1].location;
    let mut q = StopsQuery::new(at);
    q.k = 0;
    assert!(matches!(engine.nearest_stops(&q), Err(EngineError::Invalid(e)) if e.field == "k"));
    q.k = 51;
    assert!(engine.nearest_stops(&q).is_err());
    q.k = 3;
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        q.max_distance_m = Some(bad);
        assert!(
            matches!(engine.nearest_stops(&q), Err(EngineError::Invalid(e)) if e.field == "max_distance_m")
        );
    }
    // A town is never an answer, however near.
    let town = engine.transit()[0].location;
    let got = engine.nearest_stops(&StopsQuery::new(town)).unwrap();
    assert!(got.iter().all(|s| !s.stop.routes.is_empty()));
}
