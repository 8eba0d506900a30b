//! The default dataset (`data/`, read with senda-ingest), with one real shelter marked
//! restricted: privacy of every layer at several zooms, k-anonymous incident cells against a
//! brute-force count, and the real CAP alerts drawn at a time they were in force.

mod common;

use common::privacy::*;
use common::*;
use h3o::{CellIndex, LatLng, Resolution};
use senda_core::engine::{Engine, EngineConfig};
use senda_core::{ReviewStatus, RoadSegment, Shelter, Visibility};
use senda_tiles::{Access, Bbox, Layer, TileConfig, TileId, TileSource};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const CORRIDOR: [f64; 4] = [-118.0, 7.0, -77.0, 33.0];

struct Fixture {
    engine: Engine,
    roads: Vec<RoadSegment>,
    hidden: Shelter,
    source: TileSource,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let (data, hidden) = default_data_with_restricted();
        let roads = data.roads.clone();
        let engine = Engine::build(data, at(), EngineConfig::default()).unwrap();
        let source = TileSource::with_roads(&engine, &roads, TileConfig::default()).unwrap();
        Fixture {
            engine,
            roads,
            hidden,
            source,
        }
    })
}

fn corridor() -> Bbox {
    Bbox::new(CORRIDOR[0], CORRIDOR[1], CORRIDOR[2], CORRIDOR[3]).unwrap()
}

#[test]
fn public_tiles_over_the_default_data_hide_restricted_and_raw_data() {
    let f = fixture();
    let stats = f.source.stats();
    assert_eq!(stats.shelters, stats.public_shelters + 1);
    assert!(
        stats.road_edges > 10_000 && stats.incidents > 5_000,
        "{stats:?}"
    );
    let s = Secrets {
        hidden_name: f.hidden.name.clone(),
        hidden_phone: f.hidden.phone.clone(),
        hidden_pos: f.hidden.location,
        public_shelters: f
            .engine
            .shelters()
            .iter()
            .filter(|s| s.visibility == Visibility::Public)
            .map(|s| (s.name.clone(), s.location))
            .collect(),
        report_ids: f
            .engine
            .incidents()
            .iter()
            .map(|i| i.key.to_string())
            .collect(),
        k: f.source.config().k_anonymity,
    };
    // Make sure the name is not also a public shelter's (the byte scan would then be wrong).
    assert!(!s.public_shelters.iter().any(|(n, _)| *n == s.hidden_name));
    // Around the restricted shelter and a spread of real reports.
    let mut around = vec![f.hidden.location];
    around.extend(f.engine.incidents().iter().step_by(400).map(|i| i.location));
    let mut checked = 0;
    for z in [3u8, 5, 6, 8, 10, 12, 14] {
        for layer in Layer::ALL.into_iter().filter(|l| l.has_zoom(z)) {
            for tile in tiles_to_check(&corridor(), z, &around) {
                check_public_tile(&f.source, layer, tile, &s);
                checked += 1;
            }
        }
    }
    assert!(checked > 1_000, "{checked} tiles checked");
}

#[test]
fn analyst_tiles_over_the_default_data_show_the_restricted_shelter() {
    let f = fixture();
    let p = f.hidden.location;
    for z in [5u8, 10, 14] {
        let tile = TileId::containing(p.lon(), p.lat(), z).unwrap();
        let analyst = features(
            &f.source
                .render(Layer::Shelters, tile, Access::Analyst)
                .unwrap(),
            "shelters",
        );
        let found = analyst
            .iter()
            .find(|x| x.str("name") == Some(f.hidden.name.as_str()))
            .unwrap_or_else(|| panic!("zoom {z}"));
        assert_eq!(found.bool("restricted"), Some(true));
        let public = features(
            &f.source
                .render(Layer::Shelters, tile, Access::Public)
                .unwrap(),
            "shelters",
        );
        assert_eq!(public.len() + 1, analyst.len(), "zoom {z}");
    }
}

/// Public incident cells at the finest public resolution are exactly the cells with at least
/// k counted reports (a brute-force count with h3o), and a coarser public cell sums exactly the
/// shown cells inside it.
#[test]
fn public_incident_cells_match_a_brute_force_k_anonymous_count() {
    let f = fixture();
    let k = u64::from(f.source.config().k_anonymity);
    let finest = Resolution::Five;
    let mut oracle: HashMap<CellIndex, u64> = HashMap::new();
    for i in f.engine.incidents() {
        if i.review == ReviewStatus::Retracted || i.occurred_at > f.engine.at() {
            continue;
        }
        let cell = LatLng::new(i.location.lat(), i.location.lon())
            .unwrap()
            .to_cell(finest);
        *oracle.entry(cell).or_default() += 1;
    }
    let total: u64 = oracle.values().sum();
    oracle.retain(|_, n| *n >= k);
    assert!(oracle.len() > 20, "{} cells reach k", oracle.len());
    assert!(
        oracle.values().sum::<u64>() < total,
        "some reports are suppressed"
    );

    // Every tile of the zoom whose resolution is `res`, over the corridor.
    let seen_at = |z: u8| -> HashMap<CellIndex, u64> {
        let mut seen = HashMap::new();
        for tile in senda_tiles::tiles_covering(&corridor(), z..=z) {
            let bytes = f
                .source
                .render(Layer::Incidents, tile, Access::Public)
                .unwrap();
            for feat in features(&bytes, "incidents") {
                let cell: CellIndex = feat.str("h3").unwrap().parse().unwrap();
                let n = feat.num("count").unwrap() as u64;
                assert!(n >= k);
                if let Some(prev) = seen.insert(cell, n) {
                    assert_eq!(prev, n, "{cell} differs between tiles");
                }
            }
        }
        seen
    };
    assert_eq!(f.source.incident_resolution(8, Access::Public), finest);
    let z8 = seen_at(8);
    assert_eq!(z8, oracle);
    // Zoom 5 draws resolution 3: sums of the shown resolution-5 cells.
    assert_eq!(u8::from(f.source.incident_resolution(5, Access::Public)), 3);
    let mut expected: HashMap<CellIndex, u64> = HashMap::new();
    for (cell, n) in &oracle {
        *expected
            .entry(cell.parent(Resolution::Three).unwrap())
            .or_default() += n;
    }
    assert_eq!(seen_at(5), expected);
}

#[test]
fn default_layers_render_at_every_benchmark_zoom() {
    let f = fixture();
    let p = senda_core::LonLat::new(-92.27, 14.9).unwrap();
    let mut drawn = HashSet::new();
    for z in [6u8, 10, 14] {
        let tile = TileId::containing(p.lon(), p.lat(), z).unwrap();
        for layer in Layer::ALL.into_iter().filter(|l| l.has_zoom(z)) {
            let feats = features(
                &f.source.render(layer, tile, Access::Public).unwrap(),
                layer.as_str(),
            );
            if !feats.is_empty() {
                drawn.insert(layer);
            }
        }
    }
    for layer in [
        Layer::Risk,
        Layer::Roads,
        Layer::Shelters,
        Layer::Transit,
        Layer::Incidents,
    ] {
        assert!(
            drawn.contains(&layer),
            "{layer} drew nothing near Tapachula"
        );
    }
    // Roads carry Travel Mapping route numbers.
    let tile = TileId::containing(p.lon(), p.lat(), 8).unwrap();
    let roads = features(
        &f.source.render(Layer::Roads, tile, Access::Public).unwrap(),
        "roads",
    );
    assert!(roads.iter().any(|r| r.str("ref").is_some()), "no ref");
    assert!(f.roads.iter().any(|r| r.route_ref.is_some()));
}

#[test]
fn real_cap_alerts_are_drawn_while_in_force() {
    let f = fixture();
    // None of the 2014 alerts is in force in 2025.
    let tile = TileId::new(4, 3, 6).unwrap();
    assert!(f
        .source
        .render(Layer::Alerts, tile, Access::Public)
        .unwrap()
        .is_empty());
    // An hour after the first alert's onset, as a snapshot of the same engine.
    let alert = f
        .engine
        .alerts()
        .iter()
        .find(|a| a.msg_type == "Alert" && a.status == "Actual")
        .unwrap();
    let t = alert.window().0 + chrono::Duration::minutes(30);
    let then = f.engine.at_time(t).unwrap();
    let source = TileSource::new(&then, TileConfig::default()).unwrap();
    assert!(source.stats().alert_areas > 0);
    let mut drawn = 0;
    for tile in senda_tiles::tiles_covering(&corridor(), 4..=4) {
        for feat in features(
            &source.render(Layer::Alerts, tile, Access::Public).unwrap(),
            "alerts",
        ) {
            assert!(feat.str("event").is_some_and(|e| !e.is_empty()));
            assert!(feat.str("severity").is_some());
            let polys = match &feat.geometry {
                geo::Geometry::Polygon(p) => vec![p.clone()],
                geo::Geometry::MultiPolygon(m) => m.0.clone(),
                other => panic!("{other:?}"),
            };
            for p in polys {
                assert!(ring_area2(p.exterior()) > 0.0);
                assert!(p.interiors().is_empty(), "every ring is an exterior ring");
            }
            drawn += 1;
        }
    }
    assert!(drawn > 0);
}

#[test]
fn public_transport_stops_are_drawn_from_zoom_13() {
    let f = fixture();
    // Mexico City's Zócalo: a metro station of the SEMOVI feed.
    let (lon, lat) = (-99.1332, 19.4326);
    let stops_at = |z: u8| {
        let tile = TileId::containing(lon, lat, z).unwrap();
        let bytes = f
            .source
            .render(Layer::Transit, tile, Access::Public)
            .unwrap();
        let feats = features(&bytes, "transit");
        let stops = feats.iter().filter(|t| t.str("lines").is_some()).count();
        (stops, feats.len(), bytes.len())
    };
    for z in [5u8, 8, 12] {
        let (stops, _, bytes) = stops_at(z);
        assert_eq!(stops, 0, "zoom {z}");
        assert!(bytes < 20_000, "zoom {z}: {bytes} bytes");
    }
    assert_eq!(senda_tiles::STOPS_MIN_ZOOM, 13);
    let (stops, _, bytes) = stops_at(13);
    assert!(stops > 20, "{stops}");
    assert!(bytes < 100_000, "{bytes} bytes");
    let tile = TileId::containing(lon, lat, 14).unwrap();
    let feats = features(
        &f.source
            .render(Layer::Transit, tile, Access::Public)
            .unwrap(),
        "transit",
    );
    let zocalo = feats
        .iter()
        .find(|t| t.str("name") == Some("Zócalo") && t.str("kind") == Some("metro_station"))
        .expect("Zócalo at zoom 14");
    assert_eq!(zocalo.str("lines"), Some("2"));
    assert_eq!(zocalo.num("headway_min"), Some(3.0));
    assert_eq!(f.source.stats().transit, f.engine.transit().len());
}
