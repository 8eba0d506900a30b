//! `senda tiles export`: an offline PMTiles pack of the public layers over a box.

use crate::{engine, DbArg};
use anyhow::{bail, Context, Result};
use chrono::{DateTime, Utc};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use senda_core::engine::{Engine, EngineConfig};
use senda_tiles::{Bbox, Layer, TileConfig, TileSource};
use std::path::PathBuf;
use std::process::ExitCode;

/// Most tiles one export may render (a guard against a typo such as --maxzoom 22 over the
/// whole corridor, which would run for days).
const MAX_TILES: u64 = 5_000_000;

#[derive(Args)]
pub struct ExportArgs {
    /// The box to cover: west,south,east,north in degrees.
    #[arg(long, value_parser = parse_bbox, allow_hyphen_values = true)]
    bbox: Bbox,
    #[arg(long, default_value_t = 4)]
    minzoom: u8,
    #[arg(long, default_value_t = 10)]
    maxzoom: u8,
    /// The archive to write (its folder is created); written beside and renamed into place.
    #[arg(long, value_name = "FILE.pmtiles")]
    out: PathBuf,
    /// Layers to include, comma-separated (default: all). Always rendered for the public:
    /// incidents only as cells with at least k reports, no restricted shelters.
    #[arg(long, value_delimiter = ',', value_parser = parse_layer)]
    layers: Vec<Layer>,
    /// Risk as of this time (RFC 3339 or YYYY-MM-DD; default: now).
    #[arg(long, value_parser = crate::route_cmd::parse_at)]
    at: Option<DateTime<Utc>>,
    #[command(flatten)]
    db: DbArg,
}

fn parse_bbox(s: &str) -> Result<Bbox, String> {
    Bbox::parse(s).map_err(|e| e.to_string())
}

fn parse_layer(s: &str) -> Result<Layer, String> {
    Layer::parse(s.trim()).map_err(|e| e.to_string())
}

pub fn export(args: ExportArgs) -> Result<ExitCode> {
    if args.minzoom > args.maxzoom {
        bail!(
            "--minzoom {} is above --maxzoom {}",
            args.minzoom,
            args.maxzoom
        );
    }
    if args.out.extension().and_then(|e| e.to_str()) != Some("pmtiles") {
        bail!(
            "--out {}: the file must end in .pmtiles",
            args.out.display()
        );
    }
    let layers = if args.layers.is_empty() {
        Layer::ALL.to_vec()
    } else {
        args.layers.clone()
    };
    let total = senda_tiles::count_tiles_covering(&args.bbox, args.minzoom..=args.maxzoom);
    if total > MAX_TILES {
        bail!(
            "{total} tiles to render over that box at zooms {}..={} (at most {MAX_TILES}): \
             choose a smaller box or a lower --maxzoom",
            args.minzoom,
            args.maxzoom
        );
    }

    let store = engine::open_store(&args.db.db)?;
    let data = senda_server::engine_data(&store)?;
    let roads = data.roads.clone();
    let at = args.at.unwrap_or_else(Utc::now);
    let engine =
        Engine::build(data, at, EngineConfig::default()).context("building the routing engine")?;
    let source = TileSource::with_roads(&engine, &roads, TileConfig::default())
        .context("preparing the tile layers")?;

    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let pb = ProgressBar::new(total).with_message(format!("rendering {}", args.out.display()));
    pb.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} tiles, z{prefix} (eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let summary = senda_tiles::export_pmtiles(
        &source,
        &layers,
        &args.bbox,
        args.minzoom..=args.maxzoom,
        &args.out,
        |p| {
            pb.set_length(p.total);
            pb.set_prefix(p.zoom.to_string());
            pb.set_position(p.done);
        },
    )
    .with_context(|| format!("exporting {}", args.out.display()))?;
    pb.finish_and_clear();
    println!(
        "{}: {} tiles rendered at zooms {}..={}, {} stored, {} bytes (layers: {})",
        summary.path.display(),
        summary.tiles_rendered,
        summary.min_zoom,
        summary.max_zoom,
        summary.tiles_written,
        summary.bytes,
        summary
            .layers
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(ExitCode::SUCCESS)
}
