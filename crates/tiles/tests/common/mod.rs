//! Shared fixtures: a small synthetic engine, the default-data engine, and an MVT decoder view
//! (through `mvt-reader`, an implementation independent of ours).

#![allow(dead_code)] // each test file uses a part

pub mod privacy;

use chrono::{DateTime, Duration, TimeZone, Utc};
use geo::{Geometry, LineString};
use mvt_reader::feature::Value;
use senda_core::engine::{Engine, EngineConfig, EngineData};
use senda_core::{
    AlertArea, AlertText, CapCertainty, CapSeverity, CapUrgency, Circle, Incident,
    IncidentCategory, LonLat, Service, Shelter, ShelterKind, SourceKey, Visibility, WeatherAlert,
};
use std::collections::BTreeMap;
use std::sync::OnceLock;

pub fn ll(lon: f64, lat: f64) -> LonLat {
    LonLat::new(lon, lat).unwrap()
}

pub fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 10, 1, 0, 0, 0).unwrap()
}

/// The restricted shelter of the synthetic data.
pub const HIDDEN_NAME: &str = "Casa Oculta (restricted)";
pub fn hidden_pos() -> LonLat {
    ll(-92.2613, 14.9088)
}
pub const OPEN_NAME: &str = "Albergue Abierto";
pub fn open_pos() -> LonLat {
    ll(-92.2531, 14.9172)
}
/// Incidents near the hidden shelter: 6 in one resolution-5 cell (above k = 5) …
pub fn busy_pos() -> LonLat {
    ll(-92.2702, 14.8921)
}
/// … and 3 far away, alone in their cell (below k).
pub fn quiet_pos() -> LonLat {
    ll(-91.7000, 15.3000)
}

fn incident(id: usize, p: LonLat, category: IncidentCategory, days_ago: i64) -> Incident {
    let mut i = Incident::new(
        SourceKey::new("test", format!("inc-{id}")).unwrap(),
        p,
        at() - Duration::days(days_ago),
        category,
        1,
    )
    .unwrap();
    i.location_precision = senda_core::LocationPrecision::Exact;
    i
}

/// A road-like network near Tapachula, a public and a restricted shelter, 6 incidents in one
/// place (≥ k) and 3 in another (< k), and an active alert (a polygon and a circle).
pub fn synthetic_data() -> EngineData {
    let roads = senda_testkit::gen::road_like_graph(900, 7);
    let mut hidden = Shelter::new(
        SourceKey::new("test", "hidden").unwrap(),
        ShelterKind::Shelter,
        HIDDEN_NAME,
        hidden_pos(),
    )
    .unwrap();
    hidden.visibility = Visibility::Restricted;
    hidden.phone = Some("+52 962 000 0000".into());
    let mut open = Shelter::new(
        SourceKey::new("test", "open").unwrap(),
        ShelterKind::Shelter,
        OPEN_NAME,
        open_pos(),
    )
    .unwrap();
    open.services = vec![Service::Bed, Service::Food];
    open.phone = Some("+52 962 111 1111".into());
    let mut incidents = Vec::new();
    for k in 0..6 {
        let cat = if k < 4 {
            IncidentCategory::Drowning
        } else {
            IncidentCategory::Kidnapping
        };
        // Within ~100 m of each other.
        let p = ll(busy_pos().lon() + k as f64 * 1e-4, busy_pos().lat());
        incidents.push(incident(k, p, cat, 30 + k as i64));
    }
    for k in 0..3 {
        let p = ll(quiet_pos().lon() + k as f64 * 1e-4, quiet_pos().lat());
        incidents.push(incident(100 + k, p, IncidentCategory::Violence, 10));
    }
    // A retracted report never shows, not even to analysts.
    let mut retracted = incident(200, busy_pos(), IncidentCategory::Violence, 5);
    retracted.review = senda_core::ReviewStatus::Retracted;
    incidents.push(retracted);
    let alert = WeatherAlert {
        key: SourceKey::new("test", "alert-1").unwrap(),
        sent: at() - Duration::hours(2),
        status: "Actual".into(),
        msg_type: "Alert".into(),
        categories: vec!["Met".into()],
        severity: CapSeverity::Severe,
        urgency: CapUrgency::Immediate,
        certainty: CapCertainty::Observed,
        effective: None,
        onset: Some(at() - Duration::hours(1)),
        expires: Some(at() + Duration::hours(12)),
        texts: vec![AlertText {
            language: "es-MX".into(),
            event: "Tormenta tropical".into(),
            headline: Some("Lluvias intensas".into()),
            description: None,
            instruction: None,
        }],
        areas: vec![AlertArea::new(
            "Soconusco".into(),
            vec![vec![
                ll(-92.40, 14.80),
                ll(-92.10, 14.80),
                ll(-92.10, 15.00),
                ll(-92.40, 15.00),
                ll(-92.40, 14.80),
            ]],
            vec![Circle::new(ll(-92.0, 15.2), 20.0).unwrap()],
        )
        .unwrap()],
    };
    EngineData {
        roads,
        shelters: vec![hidden, open],
        incidents,
        alerts: vec![alert],
        ..Default::default()
    }
}

pub fn synthetic_engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::build(synthetic_data(), at(), EngineConfig::default()).unwrap())
}

/// The default dataset (`data/`), read with senda-ingest: roads, rail, places, shelters,
/// Missing Migrants incidents, CAP alerts.
pub fn default_data() -> EngineData {
    senda_ingest::defaults::engine_data().unwrap()
}

/// The default data with one real shelter (the first one) marked restricted.
pub fn default_data_with_restricted() -> (EngineData, Shelter) {
    let mut data = default_data();
    let first = data
        .shelters
        .iter_mut()
        .find(|s| !s.location_suspect)
        .expect("the default data has shelters");
    first.visibility = Visibility::Restricted;
    let hidden = first.clone();
    (data, hidden)
}

/// A decoded feature: geometry in tile units, properties.
#[derive(Debug, Clone)]
pub struct Feat {
    pub id: Option<u64>,
    pub geometry: Geometry<f64>,
    pub props: BTreeMap<String, Value>,
}

impl Feat {
    pub fn str(&self, key: &str) -> Option<&str> {
        match self.props.get(key) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    pub fn num(&self, key: &str) -> Option<f64> {
        match self.props.get(key)? {
            Value::Double(d) => Some(*d),
            Value::Float(f) => Some(f64::from(*f)),
            Value::UInt(u) => Some(*u as f64),
            Value::Int(i) | Value::SInt(i) => Some(*i as f64),
            _ => None,
        }
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.props.get(key)? {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The position of a one-point feature (mvt-reader decodes points as multipoints).
    pub fn point(&self) -> Option<(f64, f64)> {
        match &self.geometry {
            Geometry::Point(p) => Some((p.x(), p.y())),
            Geometry::MultiPoint(mp) if mp.0.len() == 1 => Some((mp.0[0].x(), mp.0[0].y())),
            _ => None,
        }
    }

    /// Every position of the geometry.
    pub fn coords(&self) -> Vec<(f64, f64)> {
        use geo::CoordsIter;
        self.geometry.coords_iter().map(|c| (c.x, c.y)).collect()
    }
}

/// Decodes a tile with mvt-reader: layer name → (extent, features).
pub fn decode(bytes: &[u8]) -> BTreeMap<String, (u32, Vec<Feat>)> {
    let mut out = BTreeMap::new();
    let reader = mvt_reader::Reader::new(bytes.to_vec()).expect("a valid tile");
    for meta in reader.get_layer_metadata().expect("layers") {
        assert_eq!(meta.version, 2, "MVT version 2");
        let features = reader
            .get_features_as::<f64>(meta.layer_index)
            .expect("features")
            .into_iter()
            .map(|f| Feat {
                id: f.id,
                geometry: f.geometry,
                props: f.properties.unwrap_or_default().into_iter().collect(),
            })
            .collect();
        assert!(
            out.insert(meta.name.clone(), (meta.extent, features))
                .is_none(),
            "duplicate layer {}",
            meta.name
        );
    }
    out
}

/// The features of one layer (empty when the tile has none).
pub fn features(bytes: &[u8], layer: &str) -> Vec<Feat> {
    decode(bytes)
        .remove(layer)
        .map(|(_, f)| f)
        .unwrap_or_default()
}

/// Twice the surveyor's area of a closed ring in tile units (MVT: exterior rings positive).
pub fn ring_area2(ring: &LineString<f64>) -> f64 {
    ring.0
        .windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum()
}
