//! The risk field: incident reports and weather alerts → risk over H3 cells → risk along
//! lines (road edges).
//!
//! Risk is a property of places, never of single reports:
//! 1. every incident adds `severity × review × time decay × location weight` (an annual-rate
//!    unit, see [`RiskConfig`]) to the cells around it, through a distance kernel that sums
//!    to 1;
//! 2. every weather alert in force adds hazard, per [`RiskProfile`], to the cells its area
//!    covers, and the worst alerts set hard blocks;
//! 3. a line's risk is the field integrated along it ([`RiskField::integrate`]), so a long
//!    edge through a dangerous cell costs more than a short one;
//! 4. [`RiskField::explain`] says which cells, incident categories and alerts made a line
//!    risky, as aggregated shares.
//!
//! The module works on polylines (`&[LonLat]`) and edge lists, not on the road graph: the
//! glue feeds each edge's geometry to an [`EdgeCellIndex`] and keeps one [`EdgeRisk`] per edge
//! and profile; after [`RiskField::add_incidents`] only the edges crossing the
//! [`AffectedCells`] are recomputed ([`RiskField::recompute_edges`]).
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use senda_core::risk::{RiskConfig, RiskField, RiskProfile};
//! use senda_core::{Incident, IncidentCategory, LonLat, SourceKey};
//!
//! let at = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
//! let here = LonLat::new(-92.27, 14.90).unwrap();
//! let report = Incident::new(
//!     SourceKey::new("example", "1").unwrap(),
//!     here,
//!     Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap(),
//!     IncidentCategory::Extortion,
//!     1,
//! )
//! .unwrap();
//! let field = RiskField::build(&[report], &[], at, &RiskConfig::default()).unwrap();
//! assert!(field.value_at(here, RiskProfile::Foot) > 0.0);
//!
//! // A road through the place, and the same road twice as long.
//! let road = [LonLat::new(-92.29, 14.90).unwrap(), LonLat::new(-92.25, 14.90).unwrap()];
//! let longer = [LonLat::new(-92.33, 14.90).unwrap(), LonLat::new(-92.21, 14.90).unwrap()];
//! let risk = field.integrate(&road, RiskProfile::Foot);
//! assert!(risk.exposure > 0.0 && !risk.blocked);
//! assert!(field.integrate(&longer, RiskProfile::Foot).exposure > risk.exposure);
//! ```

mod alerts;
mod config;
mod explain;
mod field;
mod kernel;
mod line;
mod shards;

pub use config::{
    reference_time, BlockRule, BlockScope, CertaintyWeights, HazardKeywords, HazardKind,
    HazardProfileFactors, LocationSpreads, ProfileFactors, ReviewFactors, RiskConfig, RiskProfile,
    SeverityWeights, Spread, UrgencyWeights, WeatherConfig, DEFAULT_MAX_ALERT_AREA_KM2,
    DEFAULT_MAX_BLOCK_AREA_KM2, MAX_KERNEL_RINGS, SOURCE_WEIGHT_UCDP_GED,
};
pub use explain::{AlertShare, CategoryShare, CellShare, Explanation};
pub use field::{ActiveAlert, AffectedCells, AlertIssue, CellRisk, RiskField};
pub use h3o::{CellIndex, Resolution};
pub use line::{EdgeCellIndex, EdgeRisk, LineRisk, Sampling};

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The H3 cell (at `resolution`) that holds a position.
///
/// ```
/// use senda_core::{risk::{cell_at, Resolution}, LonLat};
/// let cell = cell_at(LonLat::new(-117.001688, 32.522813).unwrap(), Resolution::Seven);
/// assert_eq!(cell.to_string(), "8729a4c76ffffff");
/// ```
pub fn cell_at(p: crate::LonLat, resolution: Resolution) -> CellIndex {
    latlng(p).to_cell(resolution)
}

/// h3o's view of a position. `LatLng::new` only rejects non-finite numbers, which a `LonLat`
/// never holds, so this cannot fail.
pub(crate) fn latlng(p: crate::LonLat) -> h3o::LatLng {
    h3o::LatLng::new(p.lat(), p.lon()).expect("a LonLat is always finite")
}

/// A fast hasher for `CellIndex` keys (one 64-bit write, mixed with the SplitMix64
/// finaliser: the low bits of an H3 index are constant, so they must be mixed in).
#[derive(Default, Clone, Copy)]
pub(crate) struct CellHasher(u64);

impl Hasher for CellHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        let mut z = (self.0 ^ n).wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        self.0 = z ^ (z >> 31);
    }
}

pub(crate) type CellMap<V> = HashMap<CellIndex, V, BuildHasherDefault<CellHasher>>;

/// Serialises a cell as its 15-digit hex string (the form H3 tools and the tiles use).
pub(crate) fn serialize_cell<S: serde::Serializer>(
    cell: &CellIndex,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(cell)
}
