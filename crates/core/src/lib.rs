//! senda-core: the domain model of senda (coordinates, typed ids, road segments, transit
//! points, shelters, incidents and weather alerts) and, later, the routing and risk
//! algorithms. Pure and synchronous: no file or network IO lives here.
//!
//! Every domain value is validated on construction, so code that holds one can rely on it:
//!
//! ```
//! use senda_core::LonLat;
//! let tapachula = LonLat::new(-92.2667, 14.9).unwrap();
//! assert_eq!(tapachula.lon(), -92.2667);
//! assert!(LonLat::new(f64::NAN, 14.9).is_err());
//! assert!(LonLat::new(-92.0, 91.0).is_err());
//! ```

mod coord;
pub mod engine;
mod error;
pub mod graph;
mod id;
pub mod incident;
mod located;
pub mod place;
pub mod risk;
pub mod road;
pub mod search;
pub mod shelter;
mod time_fmt;
pub mod transit;
pub mod weather;

pub use coord::{haversine_m, LonLat};
pub use error::InvalidValue;
pub use graph::{GraphConfig, Profile, RoadGraph, Snap, SnapError};
pub use id::{EdgeId, IncidentId, NodeId, PlaceId, ShelterId, TransitId};
pub use incident::{
    Incident, IncidentCategory, LocationPrecision, ReviewStatus, Severity, TimePrecision,
};
pub use located::{Located, RecordRef};
pub use road::{Access, Oneway, RoadClass, RoadSegment};
pub use shelter::{Placement, Population, Service, Shelter, ShelterKind, Visibility};
pub use time_fmt::parse_instant;
pub use transit::{TransitKind, TransitMode, TransitPoint, TransitRoute};
pub use weather::{
    AlertArea, AlertText, CapCertainty, CapSeverity, CapUrgency, Circle, WeatherAlert,
};

/// The kinds of record senda loads and stores.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Roads,
    Incidents,
    Shelters,
    Transit,
    Weather,
}

impl RecordKind {
    pub const ALL: [RecordKind; 5] = [
        Self::Roads,
        Self::Incidents,
        Self::Shelters,
        Self::Transit,
        Self::Weather,
    ];

    /// The name used by the CLI, the API and the store's tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Roads => "roads",
            Self::Incidents => "incidents",
            Self::Shelters => "shelters",
            Self::Transit => "transit",
            Self::Weather => "weather",
        }
    }

    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == value.trim())
            .ok_or_else(|| {
                InvalidValue::new(
                    "kind",
                    value,
                    "expected roads, incidents, shelters, transit or weather",
                )
            })
    }
}

impl std::fmt::Display for RecordKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A record's identity in the place it came from: the source (dataset or feed, e.g.
/// `iom-mmp`, `acled`, `osm`) and the id the source gave it. Loading the same
/// `(source, source_id)` twice updates one record instead of adding a second.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct SourceKey {
    pub source: String,
    pub source_id: String,
}

impl SourceKey {
    /// Builds a key; both parts must be non-empty after trimming.
    pub fn new(
        source: impl Into<String>,
        source_id: impl Into<String>,
    ) -> Result<Self, InvalidValue> {
        let source = source.into().trim().to_owned();
        let source_id = source_id.into().trim().to_owned();
        if source.is_empty() {
            return Err(InvalidValue::new("source", "", "must not be empty"));
        }
        if source_id.is_empty() {
            return Err(InvalidValue::new("source_id", "", "must not be empty"));
        }
        Ok(Self { source, source_id })
    }
}

impl std::fmt::Display for SourceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.source, self.source_id)
    }
}
