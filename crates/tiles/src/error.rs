//! The errors of tile requests, tile sources and exports.

use crate::Layer;
use std::path::PathBuf;

/// Everything that can go wrong in this crate. Every variant names the value that was wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TileError {
    /// A tile address outside the pyramid (`z > 22`, or `x`/`y` not below `2^z`).
    #[error("invalid tile {z}/{x}/{y}: {reason}")]
    InvalidTile {
        z: u8,
        x: u32,
        y: u32,
        reason: &'static str,
    },
    /// A layer name that is not one of [`Layer::ALL`].
    #[error(
        "unknown layer {value:?}: expected risk, roads, shelters, transit, incidents or alerts"
    )]
    UnknownLayer { value: String },
    /// A role name that is not `public` or `analyst`.
    #[error("unknown access {value:?}: expected public or analyst")]
    UnknownAccess { value: String },
    /// The layer has no tiles at this zoom (see [`Layer::min_zoom`], [`Layer::max_zoom`]).
    #[error("layer {layer} has no tiles at zoom {z} (it has zooms {min}..={max})")]
    ZoomOutOfRange {
        layer: Layer,
        z: u8,
        min: u8,
        max: u8,
    },
    /// A bounding box that is not finite, outside WGS84 or inverted.
    #[error("invalid bounding box {value}: {reason}")]
    InvalidBbox { value: String, reason: &'static str },
    /// A [`TileConfig`](crate::TileConfig) value out of range.
    #[error("invalid tile config {field} = {value}: {reason}")]
    InvalidConfig {
        field: &'static str,
        value: String,
        reason: &'static str,
    },
    /// The road segments given to [`TileSource::with_roads`](crate::TileSource::with_roads)
    /// are not the ones the engine's graph was built from.
    #[error("the road segments do not match the engine's graph: {reason}")]
    RoadsMismatch { reason: String },
    /// An export request that cannot be carried out (no layer, zooms outside every layer, …).
    #[error("invalid export: {reason}")]
    InvalidExport { reason: String },
    /// A basemap file that is not a GeoJSON FeatureCollection, or a feature in it with bad
    /// geometry.
    #[error("basemap {file}: {reason}")]
    InvalidBasemap { file: &'static str, reason: String },
    #[error("writing {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("writing the PMTiles archive {path}: {source}")]
    Pmtiles {
        path: PathBuf,
        #[source]
        source: pmtiles::PmtError,
    },
}
