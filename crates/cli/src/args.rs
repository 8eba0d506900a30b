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

/// A point argument: `LON,LAT` in degrees, or a town name looked up in the embedded
/// gazetteer (`--from Tapachula`, `--to "Cd. Juárez"`, `--at "Naco, Sonora"`). What a name
/// resolved to is said on standard error, with the other towns an ambiguous name may mean.
pub fn parse_lon_lat(s: &str) -> Result<LonLat, String> {
    let g = senda_ingest::gazetteer::corridor();
    let r = senda_server::places::resolve(&g, s, None, false).map_err(|e| e.to_string())?;
    if let Some(p) = r.place {
        let place = g.place(p);
        let mut note = format!(
            "{s:?}: {} ({}) at {:.5},{:.5}",
            place.label(),
            place.country,
            r.at.lon(),
            r.at.lat()
        );
        if !r.choices.is_empty() {
            let others: Vec<String> = r
                .choices
                .iter()
                .map(|c| format!("{} ({})", g.place(*c).label(), g.place(*c).country))
                .collect();
            note.push_str(&format!(
                "; it may also mean {} — add the state to choose, e.g. \"{}\"",
                others.join("; "),
                g.place(r.choices[0]).label()
            ));
        }
        eprintln!("{note}");
    }
    Ok(r.at)
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
