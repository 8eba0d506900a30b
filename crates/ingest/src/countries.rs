//! Country polygons and point-in-country tests.
//!
//! [`Countries::corridor`] holds the 11 countries of the migration corridor (Natural Earth
//! 1:50m admin-0: Mexico, Guatemala, Belize, El Salvador, Honduras, Nicaragua, Costa Rica,
//! Panama, Colombia, Cuba and the United States), embedded in the binary from
//! `data/naturalearth/corridor_countries.geojson`. [`Countries::from_geojson`] loads any other
//! Natural Earth style country file.
//!
//! # Tolerance
//!
//! A point counts as inside a country when it lies in one of its polygons or within
//! [`BORDER_TOLERANCE_M`] (2 km) of its border or coast. At 1:50m the coastline and borders are
//! generalised by a kilometre or two: downtown El Paso falls 0.9 km inside Mexico's polygon,
//! Ciudad Hidalgo (Chiapas) 1.4 km inside Guatemala's, a Tijuana shelter a block from the fence
//! 120 m inside the United States. With the tolerance these count for both countries, so a
//! shelter is not suspect for sitting on a border or a beach; 2 km is small against the errors
//! the check is meant to catch (TheWetZone places one "Chiapas" consulate 100 km inside
//! Guatemala). The cost: towns on barrier islands or small islands can fall more than 2 km
//! off the generalised coast (Natural Earth's own Miami Beach, Belize City, Ciudad del Carmen:
//! 2.0–2.7 km; San Andrés, Colombia, is not in the 1:50m polygons at all), and
//! [`Countries::locate`] is not meaningful within about 2 km of a land border.
//!
//! Distances to the border are measured on a local equirectangular projection around the
//! point (mean Earth radius), accurate to well under 1 % at these distances. Longitudes are
//! not wrapped at the antimeridian (nothing in the corridor is near it).
//!
//! ```
//! use senda_core::LonLat;
//! use senda_ingest::countries::Countries;
//! let countries = Countries::corridor();
//! let tapachula = LonLat::new(-92.2667, 14.9).unwrap();
//! assert_eq!(countries.locate(tapachula).unwrap().iso_a3(), "MEX");
//! let gt = countries.resolve("Guatemala").unwrap();
//! assert!(!countries.contains(gt, tapachula));
//! assert_eq!(countries.resolve("EE.UU.").unwrap().iso_a3(), "USA");
//! ```

use crate::{IngestError, Input};
use geo::{BoundingRect, Coord, Intersects, MultiPolygon, Polygon, Rect};
use senda_core::LonLat;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Points within this distance (metres) of a country's border or coast count as inside it.
pub const BORDER_TOLERANCE_M: f64 = 2_000.0;

/// Mean Earth radius (IUGG), metres, as in `senda_core::haversine_m`.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Metres per degree of latitude (and of longitude at the equator) on the mean sphere.
const M_PER_DEG: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;

const CORRIDOR_GEOJSON: &str =
    include_str!("../../../data/naturalearth/corridor_countries.geojson");

/// Spanish and common names used by shelter lists and reports, by ISO 3166-1 alpha-3 code.
/// They are added to whichever countries of a set carry the code.
const ALIASES: &[(&str, &[&str])] = &[
    (
        "MEX",
        &["México", "Mexico", "Estados Unidos Mexicanos", "Méjico"],
    ),
    (
        "USA",
        &[
            "Estados Unidos",
            "Estados Unidos de América",
            "EE.UU.",
            "EEUU",
            "EE. UU.",
            "USA",
            "U.S.A.",
            "US",
            "U.S.",
            "United States",
            "United States of America",
        ],
    ),
    ("GTM", &["Guatemala"]),
    ("SLV", &["El Salvador"]),
    ("HND", &["Honduras"]),
    ("NIC", &["Nicaragua"]),
    ("CRI", &["Costa Rica"]),
    ("PAN", &["Panamá", "Panama"]),
    ("BLZ", &["Belice", "Belize"]),
    ("COL", &["Colombia"]),
    ("CUB", &["Cuba"]),
];

/// One polygon of a country with its bounding box, for a cheap prefilter.
#[derive(Debug, Clone)]
struct Part {
    polygon: Polygon<f64>,
    bbox: Rect<f64>,
}

/// A country: its codes and names (as in Natural Earth) and its polygons.
#[derive(Debug, Clone)]
pub struct Country {
    iso_a3: String,
    iso_a2: Option<String>,
    name: String,
    name_long: Option<String>,
    formal_en: Option<String>,
    parts: Vec<Part>,
    bbox: Rect<f64>,
}

impl Country {
    /// ISO 3166-1 alpha-3 code (`MEX`); for Natural Earth units without one, its `ADM0_A3`.
    pub fn iso_a3(&self) -> &str {
        &self.iso_a3
    }

    /// ISO 3166-1 alpha-2 code (`MX`), when the source gives one.
    pub fn iso_a2(&self) -> Option<&str> {
        self.iso_a2.as_deref()
    }

    /// Short English name (`Mexico`).
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn name_long(&self) -> Option<&str> {
        self.name_long.as_deref()
    }

    /// Formal English name (`United Mexican States`).
    pub fn formal_en(&self) -> Option<&str> {
        self.formal_en.as_deref()
    }

    /// Bounding box `(min lon, min lat, max lon, max lat)` of all polygons.
    pub fn bbox(&self) -> [f64; 4] {
        [
            self.bbox.min().x,
            self.bbox.min().y,
            self.bbox.max().x,
            self.bbox.max().y,
        ]
    }

    /// Whether `p` lies in the country or within [`BORDER_TOLERANCE_M`] of its border.
    pub fn contains(&self, p: LonLat) -> bool {
        self.contains_exactly(p)
            || self.distance_to_border_m(p, Some(BORDER_TOLERANCE_M)) <= BORDER_TOLERANCE_M
    }

    /// Distance in metres from `p` to the country: 0 inside it, else to the nearest border
    /// or coast point.
    pub fn distance_m(&self, p: LonLat) -> f64 {
        if self.contains_exactly(p) {
            0.0
        } else {
            self.distance_to_border_m(p, None)
        }
    }

    /// Point-in-polygon, boundary included, no tolerance.
    fn contains_exactly(&self, p: LonLat) -> bool {
        let c = Coord {
            x: p.lon(),
            y: p.lat(),
        };
        if !self.bbox.intersects(&c) {
            return false;
        }
        self.parts
            .iter()
            .any(|part| part.bbox.intersects(&c) && part.polygon.intersects(&c))
    }

    /// Distance from `p` to the nearest ring segment. With `limit`, parts and segments farther
    /// than `limit` (by bounding box) are skipped, and `f64::INFINITY` means "farther than limit".
    fn distance_to_border_m(&self, p: LonLat, limit: Option<f64>) -> f64 {
        let kx = p.lat().to_radians().cos().max(0.01) * M_PER_DEG;
        let ky = M_PER_DEG;
        let near = |r: &Rect<f64>| match limit {
            None => true,
            Some(m) => {
                let (dx, dy) = (m / kx, m / ky);
                p.lon() >= r.min().x - dx
                    && p.lon() <= r.max().x + dx
                    && p.lat() >= r.min().y - dy
                    && p.lat() <= r.max().y + dy
            }
        };
        if !near(&self.bbox) {
            return f64::INFINITY;
        }
        let mut best = f64::INFINITY;
        for part in self.parts.iter().filter(|part| near(&part.bbox)) {
            let rings = std::iter::once(part.polygon.exterior()).chain(part.polygon.interiors());
            for line in rings.flat_map(|ring| ring.lines()) {
                if limit.is_some() && !near(&line.bounding_rect()) {
                    continue;
                }
                let a = ((line.start.x - p.lon()) * kx, (line.start.y - p.lat()) * ky);
                let b = ((line.end.x - p.lon()) * kx, (line.end.y - p.lat()) * ky);
                best = best.min(origin_to_segment(a, b));
            }
        }
        best
    }
}

/// Planar distance from the origin to the segment `a`–`b`.
fn origin_to_segment(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (-(a.0 * dx + a.1 * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (x, y) = (a.0 + t * dx, a.1 + t * dy);
    (x * x + y * y).sqrt()
}

/// A set of countries with name/code lookup and point-in-country tests.
#[derive(Debug, Clone)]
pub struct Countries {
    countries: Vec<Country>,
    /// Folded name or code (see [`name_key`]) → index in `countries`.
    names: HashMap<String, usize>,
    /// Features of the source file that were not loaded, and why.
    skipped: Vec<String>,
}

impl Countries {
    /// The corridor countries (Natural Earth 1:50m), parsed once on first use.
    pub fn corridor() -> &'static Countries {
        static CORRIDOR: OnceLock<Countries> = OnceLock::new();
        CORRIDOR.get_or_init(|| {
            Self::from_geojson_text("corridor_countries.geojson", CORRIDOR_GEOJSON)
                .expect("the embedded corridor_countries.geojson is valid (checked by tests)")
        })
    }

    /// Loads countries from a GeoJSON FeatureCollection of Polygon/MultiPolygon features with
    /// Natural Earth properties (`iso_a3`/`ISO_A3`, falling back to `ISO_A3_EH` and `ADM0_A3`
    /// where Natural Earth writes `-99`; `iso_a2`, `name`/`NAME`/`ADMIN`, `name_long`,
    /// `formal_en`; property names in any case). Features without a usable geometry or code
    /// are left out and listed in [`Countries::skipped`].
    pub fn from_geojson(input: &Input) -> Result<Self, IngestError> {
        let (text, _) = input.text()?;
        Self::from_geojson_text(&input.name, &text)
    }

    fn from_geojson_text(file: &str, text: &str) -> Result<Self, IngestError> {
        let geojson_err = |reason: String| IngestError::GeoJson {
            file: file.to_owned(),
            reason,
        };
        let mut root: serde_json::Value =
            serde_json::from_str(text).map_err(|e| IngestError::json(file, &e))?;
        let features = match root.get_mut("features").map(serde_json::Value::take) {
            Some(serde_json::Value::Array(features)) => features,
            _ => {
                return Err(geojson_err(
                    "expected a FeatureCollection with a \"features\" array".into(),
                ))
            }
        };
        let mut set = Countries {
            countries: Vec::new(),
            names: HashMap::new(),
            skipped: Vec::new(),
        };
        for (index, mut feature) in features.into_iter().enumerate() {
            match country_from_feature(&mut feature) {
                Ok(country) => set.countries.push(country),
                Err(reason) => set.skipped.push(format!("feature {index}: {reason}")),
            }
        }
        if set.countries.is_empty() {
            return Err(geojson_err("no country polygons found".into()));
        }
        set.index_names();
        Ok(set)
    }

    fn index_names(&mut self) {
        let mut names = HashMap::new();
        for (i, c) in self.countries.iter().enumerate() {
            let own = [
                Some(c.iso_a3.as_str()),
                c.iso_a2.as_deref(),
                Some(c.name.as_str()),
                c.name_long.as_deref(),
                c.formal_en.as_deref(),
            ];
            let aliases = ALIASES
                .iter()
                .filter(|(code, _)| *code == c.iso_a3)
                .flat_map(|(_, names)| names.iter().copied());
            for name in own.into_iter().flatten().chain(aliases) {
                let key = name_key(name);
                if !key.is_empty() {
                    // The first country to claim a name keeps it.
                    names.entry(key).or_insert(i);
                }
            }
        }
        self.names = names;
    }

    /// All countries, in file order.
    pub fn iter(&self) -> impl Iterator<Item = &Country> {
        self.countries.iter()
    }

    pub fn len(&self) -> usize {
        self.countries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.countries.is_empty()
    }

    /// Features of the source file that were not loaded, and why.
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }

    /// Finds a country by ISO alpha-2 or alpha-3 code, English name (short, long or formal) or
    /// a Spanish/common name (`México`, `EE.UU.`, `Estados Unidos`, `Belice`, `Panamá`, ...).
    /// Case, accents, spaces and punctuation are ignored.
    pub fn resolve(&self, name_or_code: &str) -> Option<&Country> {
        let key = name_key(name_or_code);
        if key.is_empty() {
            return None;
        }
        self.names.get(&key).map(|&i| &self.countries[i])
    }

    /// Whether `p` is in `country` or within [`BORDER_TOLERANCE_M`] of its border or coast.
    pub fn contains(&self, country: &Country, p: LonLat) -> bool {
        country.contains(p)
    }

    /// The country `p` lies in; if it lies in none, the nearest one within
    /// [`BORDER_TOLERANCE_M`]; else `None` (at sea, or outside the set).
    pub fn locate(&self, p: LonLat) -> Option<&Country> {
        if let Some(c) = self.countries.iter().find(|c| c.contains_exactly(p)) {
            return Some(c);
        }
        self.countries
            .iter()
            .map(|c| (c, c.distance_to_border_m(p, Some(BORDER_TOLERANCE_M))))
            .filter(|(_, d)| *d <= BORDER_TOLERANCE_M)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(c, _)| c)
    }
}

/// Reads one country feature; `Err` says why it was left out.
fn country_from_feature(feature: &mut serde_json::Value) -> Result<Country, String> {
    let props = feature
        .get("properties")
        .and_then(|p| p.as_object())
        .cloned()
        .unwrap_or_default();
    let prop = |keys: &[&str]| -> Option<String> {
        keys.iter().find_map(|k| {
            props
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(k))
                .and_then(|(_, v)| v.as_str())
                .map(str::trim)
                .filter(|s| !s.is_empty() && *s != "-99")
                .map(str::to_owned)
        })
    };
    let iso_a3 = prop(&["iso_a3", "iso_a3_eh", "adm0_a3"]).ok_or("no iso_a3/adm0_a3 code")?;
    let name = prop(&["name", "admin", "name_long"]).unwrap_or_else(|| iso_a3.clone());
    let geometry = feature
        .get_mut("geometry")
        .map(serde_json::Value::take)
        .unwrap_or_default();
    if geometry.is_null() {
        return Err(format!("{iso_a3}: no geometry"));
    }
    let geometry: geojson::Geometry =
        serde_json::from_value(geometry).map_err(|e| format!("{iso_a3}: bad geometry: {e}"))?;
    let polygons: Vec<Polygon<f64>> = match geo::Geometry::<f64>::try_from(&geometry.value) {
        Ok(geo::Geometry::Polygon(p)) => vec![p],
        Ok(geo::Geometry::MultiPolygon(MultiPolygon(ps))) => ps,
        Ok(_) => return Err(format!("{iso_a3}: not a Polygon or MultiPolygon")),
        Err(e) => return Err(format!("{iso_a3}: bad geometry: {e}")),
    };
    let parts: Vec<Part> = polygons
        .into_iter()
        .filter(|p| {
            p.exterior()
                .coords()
                .all(|c| c.x.is_finite() && c.y.is_finite())
        })
        .filter_map(|polygon| polygon.bounding_rect().map(|bbox| Part { polygon, bbox }))
        .collect();
    let bbox = parts
        .iter()
        .map(|p| p.bbox)
        .reduce(|a, b| {
            Rect::new(
                Coord {
                    x: a.min().x.min(b.min().x),
                    y: a.min().y.min(b.min().y),
                },
                Coord {
                    x: a.max().x.max(b.max().x),
                    y: a.max().y.max(b.max().y),
                },
            )
        })
        .ok_or_else(|| format!("{iso_a3}: empty geometry"))?;
    Ok(Country {
        iso_a2: prop(&["iso_a2"]),
        name_long: prop(&["name_long"]),
        formal_en: prop(&["formal_en"]),
        iso_a3,
        name,
        parts,
        bbox,
    })
}

/// Lower-case, accent-free text (Latin letters with diacritics mapped to their base letter).
pub(crate) fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            'ý' | 'ÿ' => 'y',
            c => c,
        })
        .collect()
}

/// The lookup key of a name or code: folded, letters and digits only (`EE. UU.` → `eeuu`).
/// Also used to look up place names typed by people (the server's lite page).
pub fn name_key(text: &str) -> String {
    fold(text).chars().filter(|c| c.is_alphanumeric()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ll(lon: f64, lat: f64) -> LonLat {
        LonLat::new(lon, lat).unwrap()
    }

    #[test]
    fn corridor_has_eleven_countries_and_no_skips() {
        let c = Countries::corridor();
        assert_eq!(c.len(), 11);
        assert!(c.skipped().is_empty());
        let codes: Vec<_> = c.iter().map(Country::iso_a3).collect();
        for code in [
            "MEX", "GTM", "BLZ", "SLV", "HND", "NIC", "CRI", "PAN", "COL", "CUB", "USA",
        ] {
            assert!(codes.contains(&code), "{code}");
        }
    }

    #[test]
    fn keys_ignore_case_accents_and_punctuation() {
        assert_eq!(name_key("EE. UU."), "eeuu");
        assert_eq!(name_key("  Panamá "), "panama");
        assert_eq!(fold("MÉXICO Ñandú"), "mexico nandu");
        assert_eq!(name_key(""), "");
        assert!(Countries::corridor().resolve("  ").is_none());
        assert!(Countries::corridor().resolve("Narnia").is_none());
    }

    #[test]
    fn segment_distance() {
        assert_eq!(origin_to_segment((1.0, -1.0), (1.0, 1.0)), 1.0);
        assert_eq!(origin_to_segment((3.0, 4.0), (3.0, 4.0)), 5.0);
        assert_eq!(origin_to_segment((3.0, 4.0), (6.0, 8.0)), 5.0);
    }

    /// The tolerance distance agrees with a brute-force haversine scan of densified borders.
    #[test]
    fn border_distance_matches_haversine_oracle() {
        let gtm = Countries::corridor().resolve("GTM").unwrap();
        for p in [
            ll(-92.30, 14.60),
            ll(-91.0, 13.6),
            ll(-88.0, 16.5),
            ll(-90.0, 18.0),
        ] {
            let ours = gtm.distance_m(p);
            let mut oracle = f64::INFINITY;
            for part in &gtm.parts {
                for line in part.polygon.exterior().lines() {
                    for k in 0..=50 {
                        let t = k as f64 / 50.0;
                        let q = ll(
                            line.start.x + t * (line.end.x - line.start.x),
                            line.start.y + t * (line.end.y - line.start.y),
                        );
                        oracle = oracle.min(senda_core::haversine_m(p, q));
                    }
                }
            }
            assert!(ours > 0.0);
            assert!(
                (ours - oracle).abs() <= 0.01 * oracle + 50.0,
                "{p}: {ours} vs {oracle}"
            );
        }
    }

    #[test]
    fn from_geojson_skips_features_without_code_or_polygon() {
        let text = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"ISO_A3":"-99","ADM0_A3":"FRA","NAME":"France"},
             "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},
            {"type":"Feature","properties":{"NAME":"Nowhere"},
             "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
            {"type":"Feature","properties":{"iso_a3":"PNT"},"geometry":{"type":"Point","coordinates":[0,0]}},
            {"type":"Feature","properties":{"iso_a3":"NUL"},"geometry":null}
        ]}"#;
        let set = Countries::from_geojson_text("t.geojson", text).unwrap();
        assert_eq!(set.len(), 1);
        assert_eq!(set.skipped().len(), 3);
        let fra = set.resolve("france").unwrap();
        assert_eq!(fra.iso_a3(), "FRA");
        assert!(set.contains(fra, ll(0.5, 0.5)));
        assert!(
            set.contains(fra, ll(1.01, 0.5)),
            "1.1 km outside counts as inside"
        );
        assert!(!set.contains(fra, ll(1.03, 0.5)));
        assert!(matches!(
            Countries::from_geojson_text("t", "{}"),
            Err(IngestError::GeoJson { .. })
        ));
        assert!(matches!(
            Countries::from_geojson_text("t", "{"),
            Err(IngestError::Json { .. })
        ));
    }
}
