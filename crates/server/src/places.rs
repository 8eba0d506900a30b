//! Places as people give them — a town name or `LON,LAT` — resolved with the gazetteer. The
//! one function behind the lite page's `at`/`to`, the API's `from`/`to`/`at` and the CLI's
//! `--from`/`--to`/`--at`.

use senda_core::place::{Gazetteer, LookupError, Nearby};
use senda_core::{LonLat, PlaceId};
use senda_ingest::countries::Countries;
use serde_json::{json, Value};

/// What a place argument resolved to.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub at: LonLat,
    /// The gazetteer place, when a name was given.
    pub place: Option<PlaceId>,
    /// Other towns an ambiguous name may mean, best next (empty when the name is clear or
    /// coordinates were given).
    pub choices: Vec<PlaceId>,
    /// For coordinates: the town they are best described by ("near Huixtla").
    pub near: Option<Nearby>,
    /// Coordinates were given as `lat,lon` and read the other way round (lenient mode).
    pub swapped: bool,
}

/// Why a place argument resolved to nothing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlaceArgError {
    /// Two numbers that are no valid point.
    #[error("{0}")]
    Coordinates(String),
    #[error(transparent)]
    Lookup(#[from] LookupError),
}

impl PlaceArgError {
    /// A stable code for clients and translations.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Coordinates(_) => "bad_coordinates",
            Self::Lookup(LookupError::Empty) => "empty_place",
            Self::Lookup(LookupError::TooLong { .. }) => "place_too_long",
            Self::Lookup(LookupError::NoLetters { .. }) => "place_no_letters",
            Self::Lookup(_) => "unknown_place",
        }
    }
}

/// Resolves `text`: two numbers are `LON,LAT`; anything else is a town name looked up in `g`
/// (ranked near `near`, e.g. the route's other end). With `lenient`, two numbers that are
/// no point of a corridor country as `LON,LAT` but are one as `lat,lon` (as map apps share
/// them) are read that way.
pub fn resolve(
    g: &Gazetteer,
    text: &str,
    near: Option<LonLat>,
    lenient: bool,
) -> Result<Resolved, PlaceArgError> {
    let text = text.trim();
    if let Some((a, b)) = text.split_once(',') {
        if let (Ok(x), Ok(y)) = (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
            let direct = LonLat::new(x, y);
            let in_corridor = |p: &LonLat| Countries::corridor().locate(*p).is_some();
            let (at, swapped) = match &direct {
                Ok(p) if !lenient || in_corridor(p) => (*p, false),
                _ => match LonLat::new(y, x).ok().filter(|p| lenient && in_corridor(p)) {
                    Some(p) => (p, true),
                    None => (
                        direct.map_err(|e| PlaceArgError::Coordinates(e.to_string()))?,
                        false,
                    ),
                },
            };
            return Ok(Resolved {
                at,
                place: None,
                choices: Vec::new(),
                near: g.reverse(at),
                swapped,
            });
        }
    }
    let m = g.lookup(text, near)?;
    let best = m.best().place;
    Ok(Resolved {
        at: g.place(best).location,
        place: Some(best),
        choices: m.choices().iter().map(|c| c.place).collect(),
        near: None,
        swapped: false,
    })
}

/// A place as JSON: name, state, country, point, GeoNames id.
pub fn place_json(g: &Gazetteer, id: PlaceId) -> Value {
    let p = g.place(id);
    json!({
        "name": p.name,
        "label": p.label(),
        "admin1": p.admin1,
        "country": p.country,
        "location": [p.location.lon(), p.location.lat()],
        "geonameid": (p.geonameid != 0).then_some(p.geonameid),
        "population": p.population,
    })
}

/// How a query argument was understood, for answers: the text, the point used, the town
/// (with the other towns an ambiguous name may mean), or for coordinates the nearest town.
pub fn resolved_json(g: &Gazetteer, text: &str, r: &Resolved) -> Value {
    json!({
        "query": text,
        "location": [r.at.lon(), r.at.lat()],
        "place": r.place.map(|p| place_json(g, p)),
        "ambiguous": !r.choices.is_empty(),
        "choices": r.choices.iter().map(|c| place_json(g, *c)).collect::<Vec<_>>(),
        "near": r.near.map(|n| json!({
            "place": place_json(g, n.place),
            "distance_m": n.distance_m.round(),
            "bearing_deg": n.bearing_deg.round(),
        })),
    })
}

/// Towns a route description names: at least this many people…
pub const ROUTE_TOWN_MIN_POPULATION: u32 = 10_000;
/// …within this distance of the line, metres…
pub const ROUTE_TOWN_WITHIN_M: f64 = 3_000.0;
/// …and at most this many (the most populous, in route order).
pub const ROUTE_TOWNS_MAX: usize = 12;

/// The towns a route passes through, in order (route descriptions name towns, not road
/// codes).
pub fn route_towns(g: &Gazetteer, line: &[LonLat]) -> Vec<PlaceId> {
    let mut towns = g.towns_along(line, ROUTE_TOWN_MIN_POPULATION, ROUTE_TOWN_WITHIN_M);
    if towns.len() > ROUTE_TOWNS_MAX {
        let mut by_size: Vec<PlaceId> = towns.clone();
        by_size.sort_by_key(|p| std::cmp::Reverse(g.place(*p).population));
        by_size.truncate(ROUTE_TOWNS_MAX);
        towns.retain(|p| by_size.contains(p));
    }
    towns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_coordinates() {
        let g = senda_ingest::gazetteer::corridor();
        let r = resolve(&g, "Tapachula", None, false).unwrap();
        assert_eq!(g.place(r.place.unwrap()).name, "Tapachula");
        let r = resolve(&g, "-92.2667,14.9056", None, false).unwrap();
        assert!(r.place.is_none());
        assert_eq!(g.place(r.near.unwrap().place).name, "Tapachula");
        // lat,lon as map apps share it: strict mode reads LON,LAT (latitude -92: an error),
        // lenient mode swaps.
        assert!(matches!(
            resolve(&g, "14.9056,-92.2667", None, false),
            Err(PlaceArgError::Coordinates(_))
        ));
        let r = resolve(&g, "14.9056,-92.2667", None, true).unwrap();
        assert!(r.swapped);
        // A point at sea is a point, near no town.
        let r = resolve(&g, "-95.0,13.0", None, false).unwrap();
        assert!(r.near.is_none());
        assert!(matches!(
            resolve(&g, "200,14", None, false),
            Err(PlaceArgError::Coordinates(_))
        ));
        let e = resolve(&g, "Narnia", None, false).unwrap_err();
        assert_eq!(e.code(), "unknown_place");
        let r = resolve(&g, "Naco", None, false).unwrap();
        assert!(!r.choices.is_empty());
    }
}
