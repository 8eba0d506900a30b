//! Offline tile packs: every chosen layer of every tile over a box and a zoom range in one
//! PMTiles v3 archive, written with the `pmtiles` crate's writer.
//!
//! Exports are for anyone: they are always rendered with [`Access::Public`] (the function
//! takes no role, so no analyst data can end up in a file that leaves the server).

use crate::tilejson::{attribution, vector_layer};
use crate::{gzip, tiles_covering, Access, Bbox, Layer, TileError, TileSource, MAX_LATITUDE};
use pmtiles::{Compression, PmTilesWriter, TileCoord, TileType};
use rayon::prelude::*;
use serde_json::json;
use std::fs::File;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

/// Where an export is, reported after each batch of tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportProgress {
    /// Tiles rendered so far.
    pub done: u64,
    /// Tiles to render in all.
    pub total: u64,
    /// The zoom being rendered.
    pub zoom: u8,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportSummary {
    pub path: PathBuf,
    pub layers: Vec<Layer>,
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// Tiles rendered (every tile of the zooms over the box).
    pub tiles_rendered: u64,
    /// Tiles with something drawn, stored in the archive (identical ones stored once).
    pub tiles_written: u64,
    /// Size of the archive, bytes.
    pub bytes: u64,
}

/// Tiles rendered per parallel batch (and per progress report).
const BATCH: usize = 512;

/// Writes a PMTiles v3 archive holding, for every tile of `zooms` over `bbox`, one MVT with a
/// layer for each of `layers` that has tiles at that zoom (rendered for [`Access::Public`]),
/// gzip-compressed, with the TileJSON `vector_layers` and attribution as metadata. Tiles with
/// nothing drawn are left out (the format stores no empty tiles). The file appears complete or
/// not at all: it is written beside `path` and renamed into place.
///
/// `progress` is called after every batch of tiles, from the calling thread.
pub fn export_pmtiles(
    source: &TileSource,
    layers: &[Layer],
    bbox: &Bbox,
    zooms: RangeInclusive<u8>,
    path: &Path,
    mut progress: impl FnMut(ExportProgress),
) -> Result<ExportSummary, TileError> {
    let mut chosen: Vec<Layer> = Vec::new();
    for l in layers {
        if !chosen.contains(l) {
            chosen.push(*l);
        }
    }
    if chosen.is_empty() {
        return Err(TileError::InvalidExport {
            reason: "no layer chosen".into(),
        });
    }
    let lo = chosen.iter().map(|l| l.min_zoom()).min().unwrap_or(0);
    let hi = chosen.iter().map(|l| l.max_zoom()).max().unwrap_or(0);
    let (z0, z1) = ((*zooms.start()).max(lo), (*zooms.end()).min(hi));
    if z0 > z1 {
        return Err(TileError::InvalidExport {
            reason: format!(
                "zooms {}..={} hold no tiles of {} (they have zooms {lo}..={hi})",
                zooms.start(),
                zooms.end(),
                chosen
                    .iter()
                    .map(|l| l.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    let total = crate::count_tiles_covering(bbox, z0..=z1);

    let (west, south, east, north) = (
        bbox.west(),
        bbox.south().max(-MAX_LATITUDE),
        bbox.east(),
        bbox.north().min(MAX_LATITUDE),
    );
    let (center_lon, center_lat) = ((west + east) / 2.0, (south + north) / 2.0);
    let metadata = json!({
        "name": "senda",
        "description": "senda offline map layers (public)",
        "format": "pbf",
        "type": "overlay",
        "generator": concat!("senda-tiles ", env!("CARGO_PKG_VERSION")),
        "attribution": attribution(&chosen),
        "snapshot_at": source.at().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "access": Access::Public.as_str(),
        "k_anonymity": source.config().k_anonymity,
        "vector_layers": chosen.iter().map(|&l| vector_layer(l)).collect::<Vec<_>>(),
    });

    let part = partial_path(path);
    let io = |source| TileError::Io {
        path: part.clone(),
        source,
    };
    let pmt = |source| TileError::Pmtiles {
        path: path.to_path_buf(),
        source,
    };
    let file = File::create(&part).map_err(io)?;
    let result = (|| {
        let mut writer = PmTilesWriter::new(TileType::Mvt)
            .precompressed(Compression::Gzip)
            .min_zoom(z0)
            .max_zoom(z1)
            .bounds(west, south, east, north)
            .center(center_lon, center_lat)
            .center_zoom(z0)
            .metadata(metadata.to_string())
            .create(file)
            .map_err(pmt)?;
        let (mut done, mut written) = (0u64, 0u64);
        for z in z0..=z1 {
            // Hilbert order within a zoom: increasing PMTiles tile ids, a clustered archive.
            let mut tiles: Vec<(u64, crate::TileId)> = tiles_covering(bbox, z..=z)
                .map(|t| (pmtiles::TileId::from(coord(t)).value(), t))
                .collect();
            tiles.par_sort_unstable_by_key(|(id, _)| *id);
            for batch in tiles.chunks(BATCH) {
                let rendered: Vec<Vec<u8>> = batch
                    .par_iter()
                    .map(|(_, t)| gzip(&source.render_layers(&chosen, *t, Access::Public)))
                    .collect();
                for ((_, t), bytes) in batch.iter().zip(&rendered) {
                    if !bytes.is_empty() {
                        writer.add_tile(coord(*t), bytes).map_err(pmt)?;
                        written += 1;
                    }
                }
                done += batch.len() as u64;
                progress(ExportProgress {
                    done,
                    total,
                    zoom: z,
                });
            }
        }
        writer.finalize().map_err(pmt)?;
        Ok(written)
    })();
    let written = match result {
        Ok(w) => w,
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            return Err(e);
        }
    };
    std::fs::rename(&part, path).map_err(|source| TileError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let bytes = std::fs::metadata(path)
        .map_err(|source| TileError::Io {
            path: path.to_path_buf(),
            source,
        })?
        .len();
    Ok(ExportSummary {
        path: path.to_path_buf(),
        layers: chosen,
        min_zoom: z0,
        max_zoom: z1,
        tiles_rendered: total,
        tiles_written: written,
        bytes,
    })
}

fn coord(t: crate::TileId) -> TileCoord {
    TileCoord::new(t.z(), t.x(), t.y()).expect("a TileId is a valid PMTiles coordinate")
}

/// `dir/.name.part` beside the destination.
fn partial_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "export".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.part"))
}
