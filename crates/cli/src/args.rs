//! Argument parsing and output formatting shared by the query commands.

use senda_core::{LonLat, Profile};

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
