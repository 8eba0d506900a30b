//! `senda route`: the safer route between two points (and alternatives along the risk–time
//! trade-off), as an RFC 7946 GeoJSON FeatureCollection or a short text summary.

use crate::args::{parse_aversion, parse_lon_lat, parse_profile, Format};
use crate::{engine, DbArg};
use anyhow::{anyhow, Context, Result};
use chrono::{DateTime, Utc};
use clap::Args;
use senda_core::engine::route::{RouteAnswer, RouteQuery};
use senda_core::engine::EngineError;
use senda_core::place::Gazetteer;
use senda_core::{LonLat, Profile};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct RouteArgs {
    /// Start: LON,LAT in degrees or a town name (e.g. --from Tapachula).
    #[arg(long, value_name = "LON,LAT|TOWN", value_parser = parse_lon_lat, allow_hyphen_values = true)]
    from: LonLat,
    /// Destination: LON,LAT in degrees or a town name.
    #[arg(long, value_name = "LON,LAT|TOWN", value_parser = parse_lon_lat, allow_hyphen_values = true)]
    to: LonLat,
    /// foot | vehicle
    #[arg(long, default_value = "foot", value_parser = parse_profile)]
    profile: Profile,
    /// How much to trade time for safety: 0 = fastest, 1 = safest.
    #[arg(long, default_value_t = senda_core::engine::route::DEFAULT_AVERSION, value_parser = parse_aversion)]
    aversion: f64,
    /// Alternatives along the risk–time trade-off besides the chosen route (0..=5).
    #[arg(long, default_value_t = 0, value_parser = parse_alternatives)]
    alternatives: usize,
    /// When to evaluate the risk (incident decay, alerts in force): RFC 3339 or YYYY-MM-DD
    /// (midnight UTC). Default: now.
    #[arg(long, value_parser = parse_at)]
    at: Option<DateTime<Utc>>,
    /// Let foot routes follow rail lines.
    #[arg(long)]
    allow_rail: bool,
    /// Areas to keep out of: a GeoJSON file of Polygon / MultiPolygon features (repeatable).
    #[arg(long, value_name = "FILE.geojson")]
    avoid: Vec<PathBuf>,
    /// geojson | text
    #[arg(long, value_enum, default_value_t = Format::Geojson)]
    format: Format,
    #[command(flatten)]
    db: DbArg,
}

fn parse_alternatives(s: &str) -> Result<usize, String> {
    let max = senda_core::engine::route::MAX_ALTERNATIVES;
    match s.trim().parse::<usize>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(format!("{s:?} must be a whole number from 0 to {max}")),
    }
}

pub fn parse_at(s: &str) -> Result<DateTime<Utc>, String> {
    senda_core::parse_instant(s).map_err(|e| e.to_string())
}

pub fn run(args: RouteArgs) -> Result<ExitCode> {
    let mut avoid = Vec::new();
    for file in &args.avoid {
        avoid.extend(read_avoid(file).with_context(|| format!("--avoid {}", file.display()))?);
    }
    let engine = engine::open(&args.db.db, args.at)?;
    let query = RouteQuery {
        from: args.from,
        to: args.to,
        profile: args.profile,
        aversion: args.aversion,
        alternatives: args.alternatives,
        allow_rail: args.allow_rail,
        avoid,
    };
    let answer = engine.route(&query).map_err(|e| match e {
        EngineError::Snap { what, source } => {
            let point = if what == "from" { args.from } else { args.to };
            anyhow!("--{what} {point}: {source}")
        }
        other => anyhow!(other),
    })?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Geojson => {
            serde_json::to_writer(
                &mut out,
                &senda_server::geojson::route(&answer, args.profile, engine.places()),
            )?;
            writeln!(out)?;
        }
        Format::Text => out.write_all(text(&answer, engine.places()).as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

fn hours_minutes(seconds: f64) -> String {
    let minutes = (seconds / 60.0).round() as u64;
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

/// A short human summary, one paragraph per route.
pub fn text(answer: &RouteAnswer, places: &Gazetteer) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    for (i, r) in answer.routes.iter().enumerate() {
        let tag = if r.chosen { "chosen" } else { "alternative" };
        let _ = writeln!(
            s,
            "route {} ({tag}, aversion {:.3}): {:.1} km, {} h, risk {:.3} risk-hours",
            i + 1,
            r.aversion_used,
            r.distance_m / 1000.0,
            hours_minutes(r.duration_s),
            r.risk_exposure
        );
        if !r.roads.is_empty() {
            let roads: Vec<String> = r
                .roads
                .iter()
                .map(|x| format!("{} {:.0} km", x.label, x.distance_m / 1000.0))
                .collect();
            let _ = writeln!(s, "  roads: {}", roads.join(", "));
        }
        let towns: Vec<String> = senda_server::places::route_towns(places, &r.geometry)
            .into_iter()
            .map(|p| places.place(p).name.clone())
            .collect();
        if !towns.is_empty() {
            let _ = writeln!(s, "  via: {}", towns.join(", "));
        }
        let cats: Vec<String> = r
            .explanation
            .categories
            .iter()
            .take(3)
            .map(|c| format!("{} {:.0}%", c.category.as_str(), c.share * 100.0))
            .collect();
        if !cats.is_empty() {
            let _ = writeln!(s, "  risk from: {}", cats.join(", "));
        }
        if !r.explanation.alerts.is_empty() {
            let alerts: Vec<String> = r
                .explanation
                .alerts
                .iter()
                .take(3)
                .map(|a| format!("{} {:.0}%", a.event, a.share * 100.0))
                .collect();
            let _ = writeln!(s, "  alerts: {}", alerts.join(", "));
        }
    }
    if let Some(f) = &answer.fastest {
        let _ = writeln!(
            s,
            "fastest: {:.1} km, {} h, risk {:.3} risk-hours ({:.0} min faster, {:+.1}% risk)",
            f.distance_m / 1000.0,
            hours_minutes(f.duration_s),
            f.risk_exposure,
            (answer.chosen().duration_s - f.duration_s) / 60.0,
            if answer.chosen().risk_exposure > 0.0 {
                (f.risk_exposure / answer.chosen().risk_exposure - 1.0) * 100.0
            } else {
                0.0
            }
        );
    }
    s
}

/// Polygons of a GeoJSON file: a FeatureCollection, a Feature or a bare geometry, of type
/// Polygon or MultiPolygon.
fn read_avoid(path: &Path) -> Result<Vec<geo::Polygon<f64>>> {
    let bytes = std::fs::read(path).context("reading the file")?;
    let doc: Value = serde_json::from_slice(&bytes).context("not valid JSON")?;
    senda_server::geojson::avoid_areas(&doc)
}
