//! `senda route` end to end: the real binary on the bundled default data, each test with its
//! own temporary database (the first query loads the default data into it).
//!
//! Golden files: `tests/golden/route_*.txt`; rewrite them with `UPDATE_GOLDEN=1`.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const TAPACHULA: &str = "-92.2667,14.9056";
const MONTERREY: &str = "-100.3161,25.6866";
/// The corridor's bounding box (lon, lat): Panama to the US border.
const CORRIDOR: [f64; 4] = [-118.0, 7.0, -77.0, 33.0];

fn senda(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_senda"))
        .args(args)
        .arg("--db")
        .arg(db)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn route_json(db: &Path, args: &[&str]) -> Value {
    let mut all = vec!["route"];
    all.extend_from_slice(args);
    let out = senda(db, &all);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// RFC 7946: a FeatureCollection of Features with LineString geometries of [lon, lat]
/// positions (at least two each) and a properties object. Returns the features.
fn check_feature_collection(doc: &Value) -> &Vec<Value> {
    assert_eq!(doc["type"], "FeatureCollection");
    let features = doc["features"].as_array().expect("a features array");
    assert!(!features.is_empty());
    for f in features {
        assert_eq!(f["type"], "Feature");
        assert!(f["properties"].is_object());
        let g = &f["geometry"];
        assert_eq!(g["type"], "LineString");
        let coords = g["coordinates"].as_array().unwrap();
        assert!(coords.len() >= 2);
        for c in coords {
            let c = c.as_array().unwrap();
            assert_eq!(c.len(), 2, "positions are [lon, lat]");
            let (lon, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
            assert!(
                (CORRIDOR[0]..=CORRIDOR[2]).contains(&lon)
                    && (CORRIDOR[1]..=CORRIDOR[3]).contains(&lat),
                "({lon}, {lat}) outside the corridor"
            );
            // Rounded to 1e-6 degrees.
            for v in [lon, lat] {
                assert!(((v * 1e6).round() - v * 1e6).abs() < 1e-3, "{v}");
            }
        }
        let p = &f["properties"];
        for key in ["distance_m", "duration_s", "risk_exposure", "aversion"] {
            assert!(p[key].as_f64().is_some_and(|v| v >= 0.0), "{key}: {p}");
        }
        assert!(p["chosen"].is_boolean());
        for key in ["cells", "categories", "alerts"] {
            assert!(p["explanation"][key].is_array(), "{key}");
        }
    }
    assert_eq!(features[0]["properties"]["chosen"], true);
    assert!(features[1..]
        .iter()
        .all(|f| f["properties"]["chosen"] == false));
    features
}

fn first_last(f: &Value) -> ([f64; 2], [f64; 2]) {
    let c = f["geometry"]["coordinates"].as_array().unwrap();
    let p = |v: &Value| [v[0].as_f64().unwrap(), v[1].as_f64().unwrap()];
    (p(&c[0]), p(&c[c.len() - 1]))
}

#[test]
fn tapachula_to_monterrey_on_foot_and_by_vehicle_with_alternatives() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("senda.db");
    for profile in ["foot", "vehicle"] {
        let doc = route_json(
            &db,
            &[
                "--from",
                TAPACHULA,
                "--to",
                MONTERREY,
                "--profile",
                profile,
                "--alternatives",
                "3",
                "--at",
                "2025-10-01",
            ],
        );
        let features = check_feature_collection(&doc);
        assert!((1..=4).contains(&features.len()), "{}", features.len());
        for f in features {
            // Lon first: the line starts near Tapachula and ends near Monterrey.
            let (a, b) = first_last(f);
            assert!(
                (a[0] + 92.27).abs() < 0.2 && (a[1] - 14.9).abs() < 0.2,
                "{a:?}"
            );
            assert!(
                (b[0] + 100.32).abs() < 0.2 && (b[1] - 25.69).abs() < 0.2,
                "{b:?}"
            );
            let d = f["properties"]["distance_m"].as_f64().unwrap();
            // 1,500 km as the crow flies.
            assert!((1_500_000.0..2_600_000.0).contains(&d), "{d}");
        }
        // The Pareto property: by increasing duration, strictly decreasing exposure.
        let mut figures: Vec<(f64, f64)> = features
            .iter()
            .map(|f| {
                let p = &f["properties"];
                (
                    p["duration_s"].as_f64().unwrap(),
                    p["risk_exposure"].as_f64().unwrap(),
                )
            })
            .collect();
        figures.sort_by(|a, b| a.0.total_cmp(&b.0));
        for w in figures.windows(2) {
            assert!(w[0].0 < w[1].0 && w[0].1 > w[1].1, "{figures:?}");
        }
        // Alternatives after the chosen route are sorted by duration.
        let durations: Vec<f64> = features[1..]
            .iter()
            .map(|f| f["properties"]["duration_s"].as_f64().unwrap())
            .collect();
        assert!(durations.windows(2).all(|w| w[0] <= w[1]));
        // On foot at 5 km/h, by vehicle far faster.
        let t = features[0]["properties"]["duration_s"].as_f64().unwrap();
        if profile == "foot" {
            assert!(t > 250.0 * 3600.0, "{t}");
        } else {
            assert!(t < 60.0 * 3600.0, "{t}");
        }
    }
}

/// The chosen route's summary: distance to 100 m, duration to the minute, top road refs.
fn summary(doc: &Value) -> String {
    let p = &doc["features"][0]["properties"];
    let d = p["distance_m"].as_f64().unwrap();
    let minutes = (p["duration_s"].as_f64().unwrap() / 60.0).round() as u64;
    let roads: Vec<&str> = p["roads"]
        .as_array()
        .unwrap()
        .iter()
        .take(3)
        .map(|r| r["label"].as_str().unwrap())
        .collect();
    format!(
        "profile: {}\naversion: {}\ndistance_m: {}\nduration: {}:{:02}\nroads: {}\n",
        p["profile"].as_str().unwrap(),
        p["aversion"],
        (d / 100.0).round() * 100.0,
        minutes / 60,
        minutes % 60,
        roads.join(", ")
    )
}

fn check_golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {}: run with UPDATE_GOLDEN=1", path.display()));
    assert_eq!(
        actual, expected,
        "{name} changed (UPDATE_GOLDEN=1 to accept)"
    );
}

#[test]
fn golden_chosen_route_summary() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("senda.db");
    for profile in ["foot", "vehicle"] {
        let doc = route_json(
            &db,
            &[
                "--from",
                TAPACHULA,
                "--to",
                MONTERREY,
                "--profile",
                profile,
                "--at",
                "2025-10-01",
            ],
        );
        check_golden(
            &format!("route_tapachula_monterrey_{profile}.txt"),
            &summary(&doc),
        );
    }
}

#[test]
fn text_format_summarises_each_route() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("senda.db");
    let out = senda(
        &db,
        &[
            "route",
            "--from",
            TAPACHULA,
            "--to",
            MONTERREY,
            "--profile",
            "vehicle",
            "--at",
            "2025-10-01T12:00:00Z",
            "--format",
            "text",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("route 1 (chosen, aversion 0.500): "),
        "{text}"
    );
    assert!(
        first.contains(" km, ") && first.contains(" h, risk "),
        "{text}"
    );
    assert!(text.contains("  roads: MEX"), "{text}");
    assert!(text.contains("  risk from: "), "{text}");
}

#[test]
fn bad_points_and_arguments_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("senda.db");
    // In the Pacific, hundreds of km from any road: exit 1, naming --from.
    let out = senda(&db, &["route", "--from", "-100.0,10.0", "--to", MONTERREY]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("--from -100,10") && err.contains("no road"),
        "{err}"
    );

    // Out of range: rejected by the argument parser (exit 2) with the reason.
    let out = senda(&db, &["route", "--from", "91,200", "--to", MONTERREY]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("--from") && err.contains("lat"), "{err}");
    assert!(err.contains("-90..90"), "{err}");

    for (flag, value) in [
        ("--aversion", "1.5"),
        ("--alternatives", "9"),
        ("--profile", "bicycle"),
        ("--at", "yesterday"),
    ] {
        let out = senda(
            &db,
            &["route", "--from", TAPACHULA, "--to", MONTERREY, flag, value],
        );
        assert_eq!(out.status.code(), Some(2), "{flag}");
        assert!(stderr(&out).contains(flag), "{flag}: {}", stderr(&out));
    }

    // An avoid file that is not polygons: exit 1, naming --avoid.
    let avoid = dir.path().join("avoid.geojson");
    std::fs::write(
        &avoid,
        r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[-92,15]}}"#,
    )
    .unwrap();
    let out = senda(
        &db,
        &[
            "route",
            "--from",
            TAPACHULA,
            "--to",
            MONTERREY,
            "--avoid",
            avoid.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("--avoid") && err.contains("Point"), "{err}");
}

#[test]
fn avoid_area_is_kept_out_of() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("senda.db");
    let args = ["--from", TAPACHULA, "--to", MONTERREY, "--at", "2025-10-01"];
    let plain = route_json(&db, &args);
    // A box around a point of the chosen route, away from both ends.
    let coords = plain["features"][0]["geometry"]["coordinates"]
        .as_array()
        .unwrap();
    let mid = &coords[coords.len() / 2];
    let (lon, lat) = (mid[0].as_f64().unwrap(), mid[1].as_f64().unwrap());
    let h = 0.05;
    let avoid = dir.path().join("avoid.geojson");
    let ring = format!(
        "[[{a},{b}],[{c},{b}],[{c},{d}],[{a},{d}],[{a},{b}]]",
        a = lon - h,
        b = lat - h,
        c = lon + h,
        d = lat + h
    );
    std::fs::write(
        &avoid,
        format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{}},"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}]}}"#
        ),
    )
    .unwrap();
    let mut with = args.to_vec();
    with.extend_from_slice(&["--avoid", avoid.to_str().unwrap()]);
    let out = senda(&db, &[&["route"][..], &with].concat());
    if out.status.success() {
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let features = check_feature_collection(&doc);
        for c in features[0]["geometry"]["coordinates"].as_array().unwrap() {
            let (x, y) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
            assert!(
                !((lon - h..=lon + h).contains(&x) && (lat - h..=lat + h).contains(&y)),
                "({x}, {y}) inside the avoided box"
            );
        }
    } else {
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("no route"), "{}", stderr(&out));
    }
}

/// Towns by name, as a person types them: `--from Tapachula --to "Cd. Juárez"`, the route
/// named by the towns it passes; an ambiguous name says which town it took and the others;
/// an unknown one is an error naming it.
#[test]
fn towns_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("senda.db");
    let out = senda(
        &db,
        &[
            "route",
            "--from",
            "tapachula",
            "--to",
            "Huixtla",
            "--profile",
            "vehicle",
            "--format",
            "text",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("  via: Tapachula"), "{text}");
    assert!(text.contains("Huixtla"), "{text}");
    let err = stderr(&out);
    assert!(
        err.contains("\"tapachula\": Tapachula, Chiapas (MX)"),
        "{err}"
    );

    let doc = route_json(
        &db,
        &[
            "--from",
            "Agua Prieta",
            "--to",
            "Naco",
            "--profile",
            "vehicle",
        ],
    );
    let towns = doc["features"][0]["properties"]["towns"]
        .as_array()
        .unwrap();
    assert_eq!(towns[0]["name"], "Agua Prieta", "{doc}");
    let out = senda(
        &db,
        &[
            "route",
            "--from",
            "Agua Prieta",
            "--to",
            "Naco",
            "--profile",
            "vehicle",
        ],
    );
    let err = stderr(&out);
    assert!(
        err.contains("\"Naco\": Naco, Sonora (MX)") && err.contains("Naco, Arizona (US)"),
        "{err}"
    );

    let out = senda(&db, &["route", "--from", "Narnia", "--to", "Huixtla"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("--from") && err.contains("Narnia"), "{err}");
}
