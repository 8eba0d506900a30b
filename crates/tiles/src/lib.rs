#![doc = include_str!("../README.md")]

mod basemap;
mod clip;
mod error;
mod export;
mod hex;
mod layer;
pub mod mvt;
mod source;
mod tile;
mod tilejson;

pub use basemap::{Basemap, BasemapSources, BASEMAP_ATTRIBUTION, BASEMAP_LAYERS};
pub use error::TileError;
pub use export::{export_pmtiles, ExportProgress, ExportSummary};
pub use hex::RiskCell;
pub use layer::{h3_resolution_for_zoom, road_class_min_zoom, Access, Layer};
pub use mvt::{gzip, proto};
pub use source::{SourceStats, TileConfig, TileSource, STOPS_MIN_ZOOM};
pub use tile::{
    count_tiles_covering, lonlat_to_tile_pixel, lonlat_to_world, tile_pixel_to_lonlat,
    tiles_covering, world_to_lonlat, Bbox, TileId, BUFFER, EXTENT, MAX_LATITUDE, MAX_ZOOM,
};
pub use tilejson::{attribution, catalog, layer_fields, tilejson, vector_layer};
