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
mod located;
mod error;
mod id;
pub mod incident;
pub mod road;
pub mod shelter;
pub mod transit;
pub mod weather;

pub use coord::{haversine_m, LonLat};
pub use error::InvalidValue;
pub use located::{Located, RecordRef};
pub use id::{EdgeId, IncidentId, NodeId, ShelterId, TransitId};
pub use incident::{
    Incident, IncidentCategory, LocationPrecision, ReviewStatus, Severity, TimePrecision,
};
pub use road::{Access, Oneway, RoadClass, RoadSegment};
pub use shelter::{Population, Service, Shelter, ShelterKind, Visibility};
pub use transit::{TransitKind, TransitPoint};
pub use weather::{AlertArea, AlertText, CapCertainty, CapSeverity, CapUrgency, Circle, WeatherAlert};

/// A record's identity in the place it came from: the source (dataset or feed, e.g.
/// `iom-mmp`, `acled`, `osm`) and the id the source gave it. Loading the same
/// `(source, source_id)` twice updates one record instead of adding a second.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct SourceKey {
    pub source: String,
    pub source_id: String,
}

impl SourceKey {
    /// Builds a key; both parts must be non-empty after trimming.
    pub fn new(source: impl Into<String>, source_id: impl Into<String>) -> Result<Self, InvalidValue> {
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
