//! Argument parsing and output formatting shared by the query commands.

use senda_core::{LonLat, Profile};
use serde_json::{json, Value};

/// Output format of the query commands.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// RFC 7946 GeoJSON (lon, lat; coordinates rounded to 1e-6).
    Geojson,
    /// A readable summary.
    Text,
}

pub fn parse_lon_lat(s: &str) -> Result<LonLat, String> {
    LonLat::parse_lon_lat(s).map_err(|e| e.to_string())
}

pub fn parse_profile(s: &str) -> Result<Profile, String> {
    Profile::parse(s).map_err(|e| e.to_string())
}

pub fn parse_aversion(s: &str) -> Result<f64, String> {
    let a: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=1.0).contains(&a) {
        Ok(a)
    } else {
        Err("must be between 0 and 1".into())
    }
}

/// A coordinate rounded to 1e-6 degrees (about 0.1 m).
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

pub fn position(p: LonLat) -> Value {
    json!([round6(p.lon()), round6(p.lat())])
}

/// Rounds a figure for output (`digits` after the point).
pub fn fig(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}
