use crate::InvalidValue;
use serde::{Deserialize, Serialize};

/// A WGS84 position, longitude first (as GeoJSON and OSRM), in degrees.
///
/// Always finite, with `-180 <= lon <= 180` and `-90 <= lat <= 90`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "[f64; 2]", into = "[f64; 2]")]
pub struct LonLat {
    lon: f64,
    lat: f64,
}

impl LonLat {
    /// Validates and builds a position.
    pub fn new(lon: f64, lat: f64) -> Result<Self, InvalidValue> {
        if !lon.is_finite() {
            return Err(InvalidValue::new("lon", lon, "must be a finite number"));
        }
        if !lat.is_finite() {
            return Err(InvalidValue::new("lat", lat, "must be a finite number"));
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(InvalidValue::new(
                "lon",
                lon,
                "must be within -180..180 degrees",
            ));
        }
        if !(-90.0..=90.0).contains(&lat) {
            return Err(InvalidValue::new(
                "lat",
                lat,
                "must be within -90..90 degrees",
            ));
        }
        Ok(Self { lon, lat })
    }

    pub fn lon(self) -> f64 {
        self.lon
    }

    pub fn lat(self) -> f64 {
        self.lat
    }

    /// Parses `"LON,LAT"` (the CLI and HTTP convention).
    ///
    /// ```
    /// let p: senda_core::LonLat = "-92.27,14.90".parse().unwrap();
    /// assert_eq!((p.lon(), p.lat()), (-92.27, 14.90));
    /// ```
    pub fn parse_lon_lat(text: &str) -> Result<Self, InvalidValue> {
        let (lon, lat) = text
            .split_once(',')
            .ok_or_else(|| InvalidValue::new("lon,lat", text, "expected two numbers as LON,LAT"))?;
        let lon = lon
            .trim()
            .parse::<f64>()
            .map_err(|_| InvalidValue::new("lon", lon.trim(), "not a number"))?;
        let lat = lat
            .trim()
            .parse::<f64>()
            .map_err(|_| InvalidValue::new("lat", lat.trim(), "not a number"))?;
        Self::new(lon, lat)
    }
}

impl std::str::FromStr for LonLat {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_lon_lat(s)
    }
}

impl TryFrom<[f64; 2]> for LonLat {
    type Error = InvalidValue;
    fn try_from([lon, lat]: [f64; 2]) -> Result<Self, Self::Error> {
        Self::new(lon, lat)
    }
}

impl From<LonLat> for [f64; 2] {
    fn from(p: LonLat) -> Self {
        [p.lon, p.lat]
    }
}

impl std::fmt::Display for LonLat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{},{}", self.lon, self.lat)
    }
}

/// Mean Earth radius (IUGG), metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle (haversine) distance between two positions, in metres.
pub fn haversine_m(a: LonLat, b: LonLat) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_out_of_range_and_non_finite() {
        assert!(LonLat::new(180.0, 90.0).is_ok());
        assert!(LonLat::new(180.1, 0.0).is_err());
        assert!(LonLat::new(0.0, -90.5).is_err());
        assert!(LonLat::new(f64::INFINITY, 0.0).is_err());
        assert_eq!(LonLat::new(0.0, f64::NAN).unwrap_err().field, "lat");
    }

    #[test]
    fn parses_lon_lat_text() {
        assert!("1,2,3".parse::<LonLat>().is_err());
        assert!("abc".parse::<LonLat>().is_err());
        assert_eq!(
            " -99.1 , 19.4 ".parse::<LonLat>().unwrap(),
            LonLat::new(-99.1, 19.4).unwrap()
        );
    }

    #[test]
    fn haversine_is_plausible() {
        // Tapachula to Mexico City is about 800 km in a straight line.
        let tap = LonLat::new(-92.2667, 14.9).unwrap();
        let cdmx = LonLat::new(-99.1332, 19.4326).unwrap();
        let d = haversine_m(tap, cdmx);
        assert!((850_000.0..900_000.0).contains(&d), "{d}");
        assert_eq!(haversine_m(tap, tap), 0.0);
    }

    #[test]
    fn serde_round_trip_validates() {
        let p: LonLat = serde_json::from_str("[-90.5, 14.6]").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "[-90.5,14.6]");
        assert!(serde_json::from_str::<LonLat>("[-90.5, 95]").is_err());
    }
}
