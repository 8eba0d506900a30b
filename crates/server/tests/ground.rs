//! Answers true to the ground, on the default data as `senda serve` loads it: a person in a
//! corridor city sees that city's shelters first, places are found by the names people type,
//! and routes name the towns they pass.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use senda_server::{app, AppState, ServerConfig};
use senda_store::Store;
use serde_json::Value;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

fn state() -> Arc<AppState> {
    static STATE: OnceLock<(Arc<AppState>, tempfile::TempDir)> = OnceLock::new();
    STATE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let mut store = Store::open(&dir.path().join("default.db")).unwrap();
            senda_server::store_default_data(&mut store).unwrap();
            let state = AppState::new(store, ServerConfig::default()).unwrap();
            (state, dir)
        })
        .0
        .clone()
}

async fn get(uri: &str) -> (StatusCode, String) {
    let res = app(state())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

async fn json(uri: &str) -> Value {
    let (status, body) = get(uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// The shelters the nearest-shelter API gives for a town name: (name, straight-line km,
/// placement).
async fn nearest(town: &str) -> Vec<(String, f64, String)> {
    let v = json(&format!(
        "/api/v1/shelters/nearest?at={}&k=5",
        town.replace(' ', "%20")
    ))
    .await;
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            (
                p["name"].as_str().unwrap().to_owned(),
                p["distance_m"].as_f64().unwrap() / 1000.0,
                p["placement"].as_str().unwrap_or("as_given").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_city_sees_its_own_shelters_first() {
    // Tapachula's, Monterrey's, Ciudad Juárez's and Reynosa's shelters were 45-280 km away in
    // the source list; now the nearest is in the city (placed at its centre, flagged).
    for (town, typed) in [
        ("Tapachula", "Tapachula"),
        ("Monterrey", "Monterrey"),
        ("Ciudad Juárez", "Cd.%20Ju%C3%A1rez"),
        ("Reynosa", "Reinosa"),
        ("Nuevo Laredo", "Nuevo Laredo"),
        ("Tijuana", "Tijuana"),
    ] {
        let found = nearest(typed).await;
        let (name, km, placement) = &found[0];
        assert!(
            *km < 15.0,
            "{town}: first shelter {name} at {km} km ({found:?})"
        );
        assert!(
            ["approximate_town", "as_given"].contains(&placement.as_str()),
            "{town}: {placement}"
        );
    }
}

#[tokio::test]
async fn the_lite_page_says_in_town_not_a_made_up_distance() {
    let (status, html) = get("/lite?lang=es&at=Tapachula").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Lugar: Tapachula, Chiapas"), "{html}");
    // The first shelter listed is one of Tapachula's, said to be in Tapachula.
    let first = html.find("<li>").unwrap();
    let item = &html[first..html[first..].find("</li>").unwrap() + first];
    assert!(
        item.contains("En Tapachula, Chiapas: llama para saber la dirección exacta."),
        "{item}"
    );
    assert!(!item.contains("en línea recta"), "{item}");
    // A shelter placed at a farther town says how far, in whole kilometres.
    let (_, html) = get("/lite?lang=en&at=Huixtla").await;
    assert!(html.contains("In Tapachula, Chiapas (about 3"), "{html}");
    // Every language says it.
    let (_, html) = get("/lite?lang=ht&at=Tapachula").await;
    assert!(html.contains("Nan Tapachula, Chiapas: rele pou konnen adrès egzak la."));
}

#[tokio::test]
async fn route_towns_and_typed_places() {
    let v = json("/api/v1/route?from=Tapachula&to=Huixtla&profile=foot").await;
    assert_eq!(v["places"]["from"]["place"]["name"], "Tapachula");
    assert_eq!(v["places"]["to"]["place"]["name"], "Huixtla");
    let towns: Vec<&str> = v["features"][0]["properties"]["towns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(towns.first(), Some(&"Tapachula"), "{towns:?}");
    assert_eq!(towns.last(), Some(&"Huixtla"), "{towns:?}");
    // An ambiguous name answers with the best town and offers the others.
    let v = json("/api/v1/route?from=Agua%20Prieta&to=Naco&profile=vehicle").await;
    let to = &v["places"]["to"];
    assert_eq!(to["place"]["admin1"], "Sonora");
    assert_eq!(to["ambiguous"], true);
    assert!(to["choices"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["admin1"] == "Arizona"));
    // Unknown, empty and unreadable names are named 400s.
    for (q, what) in [
        ("from=Narnia&to=Tapachula", "from"),
        ("from=Tapachula&to=%C2%BF%3F", "to"),
        ("from=Tapachula&to=", "to"),
    ] {
        let (status, body) = get(&format!("/api/v1/route?{q}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}: {body}");
        assert!(body.contains(what), "{body}");
    }
    // A point at sea is no town but still a point.
    let (status, _) = get("/api/v1/shelters/nearest?at=-95.0,13.0").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn road_distances_are_never_shorter_than_the_straight_line() {
    let v = json("/api/v1/shelters/nearest?at=-117.0382,32.5149&k=10&by=air").await;
    for f in v["features"].as_array().unwrap() {
        let p = &f["properties"];
        if let Some(road) = p["route_distance_m"].as_f64() {
            assert!(road + 1.0 >= p["distance_m"].as_f64().unwrap(), "{p}");
        }
    }
}
