//! Stage plans on the bundled default data (the corridor's highway network, its shelters and
//! the GeoNames gazetteer): realistic trips on foot get a plan, every night ends at a
//! shelter, a town or a roadside point, flagged ones say so, and the errors are the
//! documented ones.

use chrono::{DateTime, TimeZone, Utc};
use senda_core::engine::plan::{LegEnd, NoPlan, Plan, PlanQuery};
use senda_core::engine::route::RouteQuery;
use senda_core::engine::{Engine, EngineConfig, EngineError};
use senda_core::{LonLat, Profile, ShelterKind, Visibility};
use std::sync::OnceLock;

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 10, 1, 0, 0, 0).unwrap()
}

/// The default data's engine, built once for this file's tests.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let data = senda_ingest::defaults::engine_data().unwrap();
        Engine::build(data, at(), EngineConfig::default()).unwrap()
    })
}

fn p(lon: f64, lat: f64) -> LonLat {
    LonLat::new(lon, lat).unwrap()
}

const TAPACHULA: (f64, f64) = (-92.2667, 14.9056);
const MONTERREY: (f64, f64) = (-100.3161, 25.6866);
const TUXTLA: (f64, f64) = (-93.1161, 16.7528);
const GUATEMALA_CITY: (f64, f64) = (-90.5133, 14.6407);
const TIJUANA: (f64, f64) = (-117.0382, 32.5149);
const MEXICALI: (f64, f64) = (-115.4523, 32.6245);
const EL_CEIBO: (f64, f64) = (-90.9873, 17.2593);
const VILLAHERMOSA: (f64, f64) = (-92.9393, 17.9863);
const TECUN_UMAN: (f64, f64) = (-92.1404, 14.6774);
const ARRIAGA: (f64, f64) = (-93.8997, 16.2356);

fn query(from: (f64, f64), to: (f64, f64)) -> PlanQuery {
    PlanQuery::new(p(from.0, from.1), p(to.0, to.1))
}

/// Checks a plan of `name` and returns a one-line summary.
fn check(name: &str, q: &PlanQuery, plan: &Plan) -> String {
    let engine = engine();
    let limit_s = q.max_daily_hours * 3_600.0;
    let summary = format!(
        "{name}: {} nights ({} without a known shelter, {} by the road), {:.0} km",
        plan.nights,
        plan.nights_without_shelter,
        plan.roadside_nights,
        plan.total_distance_m / 1e3
    );
    assert_eq!(plan.legs.len() as u32, plan.nights + 1, "{summary}");
    let last = plan.legs.last().unwrap();
    assert_eq!(last.end, LegEnd::Destination, "{summary}");
    assert_eq!(last.to, q.to, "{summary}");
    assert_eq!(plan.legs[0].from, q.from, "{summary}");
    let (mut flagged, mut roadside) = (0, 0);
    for (i, leg) in plan.legs.iter().enumerate() {
        let day = format!("{summary}; day {}", i + 1);
        assert!(leg.duration_s <= limit_s, "{day}: {} s", leg.duration_s);
        assert!(leg.duration_s > 0.0, "{day}");
        if i + 1 < plan.legs.len() {
            assert_eq!(leg.to, plan.legs[i + 1].from, "{day}");
        }
        let note = leg.note.as_deref().unwrap_or("");
        match leg.end {
            LegEnd::Shelter { idx } => {
                let s = &engine.shelters()[idx];
                assert_eq!(s.kind, ShelterKind::Shelter, "{day}");
                assert_eq!(s.visibility, Visibility::Public, "{day}");
                assert!(!leg.end.is_flagged() && leg.note.is_none(), "{day}");
            }
            LegEnd::Town { place } => {
                flagged += 1;
                let town = engine.places().place(place);
                assert!(leg.end.is_flagged(), "{day}");
                assert!(
                    note.starts_with("no known shelter for this night"),
                    "{day}: {note}"
                );
                assert!(note.contains(&town.name), "{day}: {note}");
            }
            LegEnd::Roadside { at } => {
                flagged += 1;
                roadside += 1;
                assert!(leg.end.is_flagged(), "{day}");
                assert!(
                    note.starts_with("no known shelter or town for this night"),
                    "{day}: {note}"
                );
                assert!(
                    note.contains("the day ends at the roadside"),
                    "{day}: {note}"
                );
                assert_eq!(leg.to, at, "{day}");
            }
            LegEnd::Destination => assert_eq!(i + 1, plan.legs.len(), "{day}"),
        }
    }
    assert_eq!(plan.nights_without_shelter, flagged, "{summary}");
    assert_eq!(plan.roadside_nights, roadside, "{summary}");
    // Days: at least the fastest route's time in days; a roadside night weighs one and a
    // half, so at most half a day more per roadside night avoided.
    let mut rq = RouteQuery::new(q.from, q.to);
    rq.profile = q.profile;
    rq.aversion = 0.0;
    let fastest_s = engine.route(&rq).unwrap().chosen().duration_s;
    let days = f64::from(plan.days());
    let fewest = (fastest_s / limit_s - 1e-3).ceil();
    assert!(
        days >= (fastest_s / limit_s).floor() && days <= fewest + ((fewest - 1.0) / 2.0).ceil(),
        "{summary}: fastest route {:.1} h",
        fastest_s / 3_600.0
    );
    // Fewest nights first gives the fewest days, with no fewer roadside nights.
    let mut nf = q.clone();
    nf.prefer_towns = false;
    let first = engine.plan(&nf).unwrap();
    let first_days = f64::from(first.days());
    assert!(
        first_days >= (fastest_s / limit_s).floor() && first_days <= fewest,
        "{summary}: fewest nights first {first_days} days"
    );
    assert!(
        first.roadside_nights >= plan.roadside_nights,
        "{summary}: fewest nights first has {} roadside nights",
        first.roadside_nights
    );
    println!(
        "{summary}; fewest nights first: {} nights, {} by the road",
        first.nights, first.roadside_nights
    );
    summary
}

fn plan_on_foot(name: &str, from: (f64, f64), to: (f64, f64)) -> Plan {
    let q = query(from, to);
    let engine = engine();
    let t = std::time::Instant::now();
    let plan = engine
        .plan(&q)
        .unwrap_or_else(|e| panic!("{name}: no plan: {e}"));
    let took = t.elapsed();
    println!("{}; planned in {took:.2?}", check(name, &q, &plan));
    plan
}

#[test]
fn tapachula_to_monterrey_on_foot() {
    let plan = plan_on_foot("Tapachula → Monterrey", TAPACHULA, MONTERREY);
    // About 1,800 km at 40 km a day.
    assert!((35..60).contains(&plan.nights), "{} nights", plan.nights);
}

#[test]
fn tapachula_to_tuxtla_on_foot() {
    let plan = plan_on_foot("Tapachula → Tuxtla Gutiérrez", TAPACHULA, TUXTLA);
    assert!((6..14).contains(&plan.nights), "{} nights", plan.nights);
}

#[test]
fn guatemala_city_to_tapachula_on_foot() {
    let plan = plan_on_foot("Guatemala City → Tapachula", GUATEMALA_CITY, TAPACHULA);
    assert!((6..16).contains(&plan.nights), "{} nights", plan.nights);
}

#[test]
fn tijuana_to_mexicali_on_foot() {
    // Through the mountains and the desert of the Rumorosa.
    let plan = plan_on_foot("Tijuana → Mexicali", TIJUANA, MEXICALI);
    assert!((3..9).contains(&plan.nights), "{} nights", plan.nights);
}

#[test]
fn el_ceibo_to_villahermosa_on_foot() {
    let plan = plan_on_foot("El Ceibo → Villahermosa", EL_CEIBO, VILLAHERMOSA);
    assert!(plan.nights >= 3, "{} nights", plan.nights);
}

#[test]
fn tecun_uman_to_arriaga_on_foot() {
    let plan = plan_on_foot("Tecún Umán → Arriaga", TECUN_UMAN, ARRIAGA);
    assert!(plan.nights >= 4, "{} nights", plan.nights);
}

#[test]
fn shorter_days_and_vehicles_plan_too() {
    let engine = engine();
    let mut q = query(TAPACHULA, TUXTLA);
    q.max_daily_hours = 5.0;
    let plan = engine.plan(&q).unwrap();
    println!("{}", check("Tapachula → Tuxtla, 5 h a day", &q, &plan));
    let mut q = query(TAPACHULA, MONTERREY);
    q.profile = Profile::Vehicle;
    let t = std::time::Instant::now();
    let plan = engine.plan(&q).unwrap();
    let took = t.elapsed();
    println!(
        "{}; planned in {took:.2?}",
        check("Tapachula → Monterrey by vehicle", &q, &plan)
    );
    assert!((1..6).contains(&plan.nights), "{} nights", plan.nights);
}

#[test]
fn max_days_too_small_is_too_many_days() {
    let engine = engine();
    let mut q = query(TAPACHULA, TUXTLA);
    // The fewest days (fewest nights first); towns are then preferred within them.
    let mut nf = q.clone();
    nf.prefer_towns = false;
    let days = engine.plan(&nf).unwrap().days();
    q.max_days = Some(days);
    assert_eq!(engine.plan(&q).unwrap().days(), days);
    q.max_days = Some(days - 1);
    let err = engine.plan(&q).unwrap_err();
    let EngineError::NoPlan(np) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        **np,
        NoPlan::TooManyDays {
            days,
            max_days: days - 1,
            max_daily_hours: 8.0
        }
    );
    assert_eq!(np.code(), "too_many_days");
    // Monterrey in three days on foot: the error names the days it needs, without planning.
    let mut q = query(TAPACHULA, MONTERREY);
    q.max_days = Some(3);
    let err = engine.plan(&q).unwrap_err();
    assert!(
        matches!(&err, EngineError::NoPlan(np) if matches!(**np, NoPlan::TooManyDays { days: 35..=60, max_days: 3, .. })),
        "{err:?}"
    );
}

#[test]
fn an_unreachable_destination_is_an_error() {
    let engine = engine();
    // Cozumel is an island: its roads are not part of the mainland network.
    let q = query(TAPACHULA, (-86.9427, 20.5004));
    assert!(
        matches!(engine.plan(&q), Err(EngineError::Snap { what: "to", .. })),
        "{:?}",
        engine.plan(&q).map(|p| p.nights)
    );
    // A hurricane over Tuxtla Gutiérrez closes its roads: no route reaches it.
    let mut alerts = engine.alerts().to_vec();
    alerts.push(senda_testkit::gen::hurricane(
        senda_testkit::gen::square(p(TUXTLA.0, TUXTLA.1), 0.3),
        at(),
    ));
    let closed = engine
        .with_events(engine.incidents().to_vec(), alerts, at())
        .unwrap();
    let err = closed.plan(&query(TAPACHULA, TUXTLA)).unwrap_err();
    let EngineError::NoPlan(np) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        **np,
        NoPlan::Unreachable {
            profile: Profile::Foot
        }
    );
}
