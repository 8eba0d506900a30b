//! `senda nearest` and `senda plan` end to end: the real binary on the bundled default data
//! (loaded once into a temporary database).

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;

const TAPACHULA: &str = "-92.2667,14.9056";
const MEXICO_CITY: &str = "-99.1332,19.4326";

/// A database holding the default data, shared by the tests of this file.
fn db() -> &'static str {
    static DB: OnceLock<(tempfile::TempDir, String)> = OnceLock::new();
    &DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path: PathBuf = dir.path().join("senda.db");
        let path = path.display().to_string();
        let out = Command::new(env!("CARGO_BIN_EXE_senda"))
            .args(["init", "--db", &path])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        (dir, path)
    })
    .1
}

fn senda(args: &[&str]) -> Output {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--db", db()]);
    Command::new(env!("CARGO_BIN_EXE_senda"))
        .args(&all)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok_json(args: &[&str]) -> Value {
    let out = senda(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// RFC 7946 checks for the shapes we write: a FeatureCollection of Features whose positions
/// are [lon, lat] in range and rounded to 1e-6.
fn check_geojson(fc: &Value, geometry: &str) {
    assert_eq!(fc["type"], "FeatureCollection");
    let check_pos = |p: &Value| {
        let a = p.as_array().unwrap();
        assert_eq!(a.len(), 2, "{p}");
        let (lon, lat) = (a[0].as_f64().unwrap(), a[1].as_f64().unwrap());
        assert!((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat));
        for x in [lon, lat] {
            assert!(
                ((x * 1e6).round() / 1e6 - x).abs() < 1e-12,
                "{x} not rounded"
            );
        }
    };
    for f in fc["features"].as_array().unwrap() {
        assert_eq!(f["type"], "Feature");
        assert!(f["properties"].is_object());
        let g = &f["geometry"];
        assert_eq!(g["type"], geometry);
        match geometry {
            "Point" => check_pos(&g["coordinates"]),
            _ => {
                let line = g["coordinates"].as_array().unwrap();
                assert!(line.len() >= 2);
                line.iter().for_each(check_pos);
            }
        }
    }
}

fn km(m: f64) -> f64 {
    m / 1_000.0
}

#[test]
fn nearest_by_air_from_tapachula() {
    let fc = ok_json(&["nearest", "--at", TAPACHULA, "--format", "geojson"]);
    check_geojson(&fc, "Point");
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), 5);
    let mut last = 0.0;
    let mut in_tapachula = 0;
    for f in features {
        let p = &f["properties"];
        assert_eq!(p["kind"], "shelter");
        assert_eq!(p["verified"], "unverified");
        // Ranked by straight line, with the road figures where a route exists; a shelter placed
        // only at its town has none (no exact-looking figures).
        match (p["duration_s"].as_f64(), p["route_distance_m"].as_f64()) {
            (Some(t), Some(road)) => {
                assert!(t > 0.0 && road >= p["distance_m"].as_f64().unwrap())
            }
            (None, None) => {}
            other => panic!("duration and route distance come together: {other:?}"),
        }
        assert!(p["services"].is_array() && p.get("phone").is_some());
        let d = p["distance_m"].as_f64().unwrap();
        assert!(d >= last);
        last = d;
        if p["placement"] == "approximate_town" {
            assert!(p["duration_s"].is_null(), "{p}");
            assert_eq!(d % 1000.0, 0.0, "whole kilometres: {p}");
        }
        // The default list put Tapachula's two shelters 262-278 km away in Oaxaca; they are
        // placed at Tapachula now, and come first.
        if p["town"] == "Tapachula, Chiapas" {
            assert!(km(d) < 15.0, "{p}");
            in_tapachula += 1;
        }
    }
    assert_eq!(in_tapachula, 2, "{fc}");
    for f in &features[..2] {
        assert_eq!(f["properties"]["town"], "Tapachula, Chiapas");
    }
    // The shelter whose address is Tapachula is among them.
    assert!(features
        .iter()
        .any(|f| f["properties"]["address"] == "Tapachula"));

    let out = senda(&["nearest", "--at", TAPACHULA, "--k", "3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("3 nearest shelters in a straight line from -92.2667,14.9056:"),
        "{text}"
    );
    assert!(
        text.contains(" 1. ") && text.contains("unverified"),
        "{text}"
    );
}

#[test]
fn nearest_by_road_from_tapachula() {
    for profile in ["foot", "vehicle"] {
        let fc = ok_json(&[
            "nearest",
            "--at",
            TAPACHULA,
            "--by",
            "road",
            "--profile",
            profile,
            "--format",
            "geojson",
        ]);
        check_geojson(&fc, "Point");
        let features = fc["features"].as_array().unwrap();
        assert_eq!(features.len(), 5, "{fc}");
        let mut last_cost = 0.0;
        for f in features {
            let p = &f["properties"];
            if p["placement"] == "approximate_town" {
                // Placed at its town: ranked, but shown with no exact-looking figures.
                assert!(p["duration_s"].is_null() && p["cost_s"].is_null(), "{p}");
                continue;
            }
            let d = p["distance_m"].as_f64().unwrap();
            let t = p["duration_s"].as_f64().unwrap();
            let cost = p["cost_s"].as_f64().unwrap();
            assert!(cost >= last_cost && cost + 0.1 >= t);
            last_cost = cost;
            // Along the highway network: up to a few hundred km.
            assert!(km(d) < 800.0, "{d}");
            if t > 0.0 {
                let kmh = km(d) / (t / 3_600.0);
                match profile {
                    "foot" => assert!((4.9..5.1).contains(&kmh), "{kmh}"),
                    _ => assert!((40.0..110.0).contains(&kmh), "{kmh}"),
                }
            }
            assert!(p["risk_exposure"].as_f64().unwrap() >= 0.0);
        }
        assert_eq!(
            features[0]["properties"]["town"], "Tapachula, Chiapas",
            "{fc}"
        );
        assert!(
            features
                .iter()
                .any(|f| f["properties"]["state"] == "Chiapas"
                    && f["properties"]["address"] == "Tapachula"),
            "{fc}"
        );
    }
    let out = senda(&["nearest", "--at", TAPACHULA, "--by", "road", "--k", "4"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("in Tapachula, Chiapas (about 1 km away in a straight line) — call for the exact address"), "{text}");
    assert!(text.contains("by road on foot"), "{text}");
    // Every one of the four is placed at its town: no made-up road figures.
    assert!(!text.contains("off the network"), "{text}");
}

#[test]
fn nearest_filters_and_far_points() {
    // Nobody in the default data states a capacity.
    let out = senda(&["nearest", "--at", TAPACHULA, "--min-capacity", "10"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.starts_with("0 nearest shelters"), "{text}");
    assert!(text.contains("min_capacity filter (10)"), "{text}");
    assert!(text.contains("none states its capacity"), "{text}");
    // Consulates are another kind of place.
    let fc = ok_json(&[
        "nearest",
        "--at",
        TAPACHULA,
        "--kinds",
        "consulate",
        "--k",
        "2",
        "--format",
        "geojson",
    ]);
    for f in fc["features"].as_array().unwrap() {
        assert_eq!(f["properties"]["kind"], "consulate");
    }
    // In the Pacific: by air there is an answer, by road the point is off the network.
    let at = "-95.0,10.0";
    let fc = ok_json(&["nearest", "--at", at, "--k", "1", "--format", "geojson"]);
    assert_eq!(fc["features"].as_array().unwrap().len(), 1);
    let out = senda(&["nearest", "--at", at, "--by", "road"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("at: no road usable foot within"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_arguments_are_named() {
    for (args, name) in [
        (vec!["nearest", "--at", TAPACHULA, "--k", "0"], "--k"),
        (vec!["nearest", "--at", TAPACHULA, "--k", "51"], "--k"),
        (
            vec!["nearest", "--at", TAPACHULA, "--needs", "bed,teleport"],
            "--needs",
        ),
        (vec!["nearest", "--at", TAPACHULA, "--by", "plane"], "--by"),
        (
            vec!["nearest", "--at", TAPACHULA, "--serves", "robots"],
            "--serves",
        ),
        (vec!["nearest", "--at", "200,14"], "--at"),
        (vec!["nearest", "--at", "-92.2"], "--at"),
        (
            vec!["nearest", "--at", TAPACHULA, "--profile", "bike"],
            "--profile",
        ),
        (
            vec![
                "plan",
                "--from",
                TAPACHULA,
                "--to",
                MEXICO_CITY,
                "--max-daily-hours",
                "0",
            ],
            "--max-daily-hours",
        ),
        (
            vec![
                "plan",
                "--from",
                TAPACHULA,
                "--to",
                MEXICO_CITY,
                "--max-daily-hours",
                "30",
            ],
            "--max-daily-hours",
        ),
        (
            vec![
                "plan",
                "--from",
                TAPACHULA,
                "--to",
                MEXICO_CITY,
                "--aversion",
                "2",
            ],
            "--aversion",
        ),
        (vec!["plan", "--from", TAPACHULA], "--to"),
        (
            vec![
                "plan",
                "--from",
                TAPACHULA,
                "--to",
                MEXICO_CITY,
                "--max-days",
                "0",
            ],
            "--max-days",
        ),
        (
            vec![
                "plan",
                "--from",
                TAPACHULA,
                "--to",
                MEXICO_CITY,
                "--max-days",
                "366",
            ],
            "--max-days",
        ),
        (
            vec![
                "plan",
                "--from",
                TAPACHULA,
                "--to",
                MEXICO_CITY,
                "--lang",
                "de",
            ],
            "--lang",
        ),
    ] {
        let out = senda(&args);
        assert!(!out.status.success(), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains(name), "{args:?}: {err}");
    }
}

#[test]
fn plan_on_foot_to_mexico_city_ends_every_day_somewhere() {
    let fc = ok_json(&[
        "plan",
        "--from",
        TAPACHULA,
        "--to",
        MEXICO_CITY,
        "--max-daily-hours",
        "8",
        "--format",
        "geojson",
    ]);
    check_geojson(&fc, "LineString");
    let legs = fc["features"].as_array().unwrap();
    let plan = &fc["plan"];
    let nights = plan["nights"].as_u64().unwrap() as usize;
    // About 1,100 km on foot at 40 km a day: nearly a month.
    assert!((20..40).contains(&nights), "{nights} nights");
    assert_eq!(legs.len(), nights + 1);
    assert_eq!(plan["days"].as_u64().unwrap() as usize, nights + 1);
    let mut flagged = 0;
    for leg in legs {
        let p = &leg["properties"];
        assert!(p["duration_s"].as_f64().unwrap() <= 8.0 * 3_600.0);
        match p["ends_at"].as_str().unwrap() {
            "town" | "roadside" => {
                flagged += 1;
                assert_eq!(p["no_shelter_in_reach"], true);
                assert!(p["note"].as_str().unwrap().starts_with("no known shelter"));
            }
            "shelter" | "destination" => assert_eq!(p["no_shelter_in_reach"], false),
            other => panic!("{other}"),
        }
    }
    assert_eq!(plan["nights_without_shelter"].as_u64().unwrap(), flagged);
    let out = senda(&["plan", "--from", TAPACHULA, "--to", MEXICO_CITY]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("without a known shelter"), "{text}");
    assert!(text.contains("→ roadside, "), "{text}");
}

#[test]
fn plan_errors_speak_the_travellers_language() {
    let plan = |extra: &[&str]| {
        let mut args = vec!["plan", "--from", TAPACHULA, "--to", MEXICO_CITY];
        args.extend(extra);
        let out = senda(&args);
        assert!(!out.status.success(), "{args:?}");
        assert_eq!(out.status.code(), Some(1));
        stderr(&out)
    };
    let days = |err: &str| {
        err.split_whitespace()
            .find_map(|w| w.parse::<u32>().ok().filter(|d| *d > 20))
            .unwrap_or_else(|| panic!("{err}"))
    };
    let en = plan(&["--max-days", "10"]);
    assert!(en.starts_with("error: This journey needs "), "{en}");
    assert!(
        en.contains(" days at 8 h of travel a day; the limit asked for is 10."),
        "{en}"
    );
    let es = plan(&["--max-days", "10", "--lang", "es"]);
    assert!(es.starts_with("error: Este viaje necesita "), "{es}");
    assert!(
        es.contains(" días con 8 h de camino al día; el límite pedido es 10."),
        "{es}"
    );
    let ht = plan(&[
        "--max-days",
        "10",
        "--lang",
        "ht",
        "--max-daily-hours",
        "7.5",
    ]);
    assert!(ht.starts_with("error: Vwayaj sa a bezwen "), "{ht}");
    assert!(
        ht.contains(" jou si ou fè 7,5 h wout chak jou; limit ou mande a se 10 jou."),
        "{ht}"
    );
    assert_eq!(days(&en), days(&es));
    assert!(days(&ht) > days(&en), "{ht} / {en}");
    // Cozumel is an island: off the mainland's network.
    let out = senda(&[
        "plan",
        "--from",
        TAPACHULA,
        "--to",
        "-86.9427,20.5004",
        "--lang",
        "fr",
    ]);
    assert!(!out.status.success());
    let fr = stderr(&out);
    assert!(
        fr.contains("La destination est à plus de 10 km de toute route que nous connaissons."),
        "{fr}"
    );
}

#[test]
fn plan_by_vehicle_to_mexico_city_keeps_every_day_within_the_limit() {
    for hours in [8.0, 4.0] {
        let h = hours.to_string();
        let fc = ok_json(&[
            "plan",
            "--from",
            TAPACHULA,
            "--to",
            MEXICO_CITY,
            "--profile",
            "vehicle",
            "--max-daily-hours",
            &h,
            "--format",
            "geojson",
        ]);
        check_geojson(&fc, "LineString");
        let legs = fc["features"].as_array().unwrap();
        assert!(legs.len() >= 2, "{fc}");
        let plan = &fc["plan"];
        assert_eq!(plan["nights"].as_u64().unwrap() as usize, legs.len() - 1);
        let mut total = 0.0;
        for (i, leg) in legs.iter().enumerate() {
            let p = &leg["properties"];
            assert_eq!(p["leg"].as_u64().unwrap() as usize, i + 1);
            let t = p["duration_s"].as_f64().unwrap();
            assert!(t <= hours * 3_600.0, "leg {i}: {t}");
            total += p["distance_m"].as_f64().unwrap();
            let last = i + 1 == legs.len();
            assert_eq!(p["ends_at"] == "destination", last);
            if p["ends_at"] == "town" || p["ends_at"] == "roadside" {
                assert_eq!(p["no_shelter_in_reach"], true);
                assert!(p["note"].as_str().unwrap().contains("no known shelter"));
            }
        }
        // About 1,100 km by road.
        assert!((900.0..1_400.0).contains(&km(total)), "{total}");
        let first = legs[0]["geometry"]["coordinates"][0].as_array().unwrap();
        assert!((first[0].as_f64().unwrap() + 92.27).abs() < 0.2);
    }
    let out = senda(&[
        "plan",
        "--from",
        TAPACHULA,
        "--to",
        MEXICO_CITY,
        "--profile",
        "vehicle",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("Plan by vehicle from -92.2667,14.9056 to -99.1332,19.4326, at most 8 h of travel a day:"), "{text}");
    assert!(
        text.contains("Day 1: ") && text.contains("→ the destination"),
        "{text}"
    );
}

#[test]
fn plan_to_the_same_place() {
    let out = senda(&["plan", "--from", TAPACHULA, "--to", TAPACHULA]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("nothing to plan"));
    let fc = ok_json(&[
        "plan", "--from", TAPACHULA, "--to", TAPACHULA, "--format", "geojson",
    ]);
    assert_eq!(fc["features"].as_array().unwrap().len(), 0);
    assert_eq!(fc["plan"]["nights"], 0);
}

#[test]
fn nearest_stops_in_mexico_city() {
    // Distances by haversine in Python: the Metro's Zócalo 100.2 m, Metrobús 20 de Noviembre
    // 374.7 m; Metro line 2 runs every 180 s by frequencies.txt.
    let out = senda(&["nearest", "--at", MEXICO_CITY, "--stops", "--k", "2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(" 1. Zócalo (metro_station) — 100 m"),
        "{text}"
    );
    assert!(text.contains("    metro 2 (Cuatro Caminos - Tasqueña) · Sistema de Transporte Colectivo Metro · every 3 min"), "{text}");
    assert!(
        text.contains(" 2. 20 de Noviembre (bus_stop) — 375 m"),
        "{text}"
    );
    let fc = ok_json(&[
        "nearest",
        "--at",
        MEXICO_CITY,
        "--stops",
        "--k",
        "5",
        "--max-distance-m",
        "400",
        "--format",
        "geojson",
    ]);
    check_geojson(&fc, "Point");
    let features = fc["features"].as_array().unwrap();
    assert!(!features.is_empty() && features.len() <= 5);
    assert_eq!(features[0]["id"], "cdmx_semovi_2025:0200L2-ZOCALO");
    let p = &features[0]["properties"];
    assert_eq!(
        (p["rank"].as_u64(), p["kind"].as_str()),
        (Some(1), Some("metro_station"))
    );
    assert_eq!(p["routes"][0]["headway_min"], 3);
    assert_eq!(p["routes"][0]["mode"], "metro");
    assert!(features
        .iter()
        .all(|f| f["properties"]["distance_m"].as_f64().unwrap() <= 400.0));
    assert_eq!(fc["query"]["max_distance_m"], 400.0);
    // Far from every feed: an empty answer, not an error.
    let out = senda(&[
        "nearest",
        "--at",
        TAPACHULA,
        "--stops",
        "--max-distance-m",
        "2000",
    ]);
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("no stop within 2.0 km"),
        "{}",
        stdout(&out)
    );
    // Shelter filters do not go with --stops; --max-distance-m needs it.
    for args in [
        &["nearest", "--at", TAPACHULA, "--stops", "--by", "road"][..],
        &["nearest", "--at", TAPACHULA, "--stops", "--needs", "bed"],
        &["nearest", "--at", TAPACHULA, "--max-distance-m", "100"],
        &[
            "nearest",
            "--at",
            TAPACHULA,
            "--stops",
            "--max-distance-m",
            "-1",
        ],
    ] {
        let out = senda(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}
