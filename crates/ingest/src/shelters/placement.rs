//! Shelters where they are: a shelter's point is checked against the town its record names
//! (in the address, the name or the state), with the gazetteer. Shelter lists are often
//! geocoded by hand — TheWetZone puts Tapachula's shelters 240–280 km away in Oaxaca and
//! Monterrey's 250 km south of the city — and a shelter shown where its point lies would send
//! people to the wrong town.

use senda_core::place::{place_key, Gazetteer};
use senda_core::{haversine_m, LonLat, PlaceId};

/// How far a shelter may lie from the centre of the town it names, metres (towns are points;
/// a large city's edge is about 20 km from its centre).
pub const TOWN_TOLERANCE_M: f64 = 25_000.0;

/// What a record says about where it is.
pub(crate) struct Named<'a> {
    pub name: &'a str,
    pub address: Option<&'a str>,
    pub state: Option<&'a str>,
    /// ISO 3166-1 alpha-2 of the stated country, when it resolves.
    pub country: Option<&'a str>,
}

/// The verdict on a point.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Check {
    /// Nothing to check, or the point lies within the tolerance of the town named.
    Consistent,
    /// The point lies `km` from the town the record names: place the shelter there.
    Move {
        town: PlaceId,
        km: f64,
        named_by: &'static str,
    },
    /// The record names no town and the point lies outside the stated state: where the
    /// shelter is cannot be decided.
    WrongArea { falls_in: String },
}

/// Words that start street addresses, not towns ("Colonia Centro", "Calle Madero").
const STREET_WORDS: &[&str] = &[
    "av",
    "avenida",
    "calle",
    "col",
    "colonia",
    "barrio",
    "no",
    "num",
    "numero",
    "carretera",
    "km",
    "cp",
    "diocesis",
    "parroquia",
    "zona",
    "apartado",
    "entre",
    "esquina",
    "local",
    "of",
    "edificio",
    "libramiento",
    "boulevard",
    "blvd",
    "calzada",
    "privada",
    "andador",
];

/// A piece of text that may name the town: its key, the field it came from, and the most
/// edits allowed (a typo of one letter in a long name: "Tecún Human").
struct Piece {
    key: String,
    field: &'static str,
    max_edits: u8,
    /// Smallest population accepted (a street named after a town must not move a shelter).
    min_population: u32,
    /// Whether the town must lie in the stated state, or with no state be a name of several
    /// words (names are weaker evidence than addresses: "Embajada de El Salvador", "Puerta de
    /// Esperanza").
    in_state: bool,
}

/// Text pieces that may name the town, most telling first.
fn pieces(g: &Gazetteer, n: &Named<'_>) -> Vec<Piece> {
    let mut out = Vec::new();
    let long = |key: &str| u8::from(key.len() >= 8);
    if let Some(address) = n.address {
        // "…, Tapachula, Chis. C.P. 27900": parts from the last (towns come late in Mexican
        // and Central American addresses).
        let parts: Vec<&str> = address
            .split([',', ';', '\n'])
            .flat_map(|p| p.split(". "))
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let single = parts.len() == 1;
        for part in parts.iter().rev() {
            let key = place_key(part);
            let words: Vec<&str> = key.split(' ').collect();
            if key.is_empty() {
                continue;
            }
            if STREET_WORDS.contains(&words[0]) {
                // "Barrio La Soledad Ixtepec": the last word may be the town.
                if let Some(last) = words.last().filter(|w| w.len() >= 5 && words.len() > 1) {
                    out.push(Piece {
                        key: (*last).to_owned(),
                        field: "address",
                        max_edits: 0,
                        min_population: 5_000,
                        in_state: false,
                    });
                }
                continue;
            }
            // A state or country ("Oaxaca", "Chis.") is no town, unless it is all the address
            // says ("San Luis Potosí": the city).
            if !single && (g.names_area(part) || n.state.is_some_and(|s| place_key(s) == key)) {
                continue;
            }
            out.push(Piece {
                max_edits: long(&key),
                key,
                field: "address",
                min_population: 0,
                in_state: false,
            });
        }
    }
    // The name's end: "… Misericordia de Arriaga", "Centro Pastoral Maná de Mexicali" (after
    // the last "de", one typo allowed); "… A.C. Matamoros" (the last word, spelt exactly):
    // towns of 10,000 or more in the stated state, never a state or country ("Embajada de El
    // Salvador").
    let name = place_key(n.name);
    let mut name_piece = |key: &str, max_edits: u8| {
        if key.len() >= 4 && key.split(' ').count() <= 3 && !g.names_area(key) {
            out.push(Piece {
                key: key.to_owned(),
                field: "name",
                max_edits,
                min_population: 10_000,
                in_state: true,
            });
        }
    };
    if let Some((_, town)) = name.rsplit_once(" de ") {
        name_piece(town, long(town));
    }
    if let Some(last) = name.rsplit(' ').next().filter(|w| w.len() >= 5) {
        name_piece(last, 0);
    }
    out
}

/// Checks `point` against the town the record names (see the module docs).
pub(crate) fn check(g: &Gazetteer, n: &Named<'_>, point: LonLat) -> Check {
    // A state the gazetteer does not cover (a consulate in Virginia): nothing to check with.
    if n.state
        .is_some_and(|s| !s.trim().is_empty() && !g.names_area(s))
    {
        return Check::Consistent;
    }
    for piece in pieces(g, n) {
        let Ok(m) = g.lookup(&piece.key, Some(point)) else {
            continue;
        };
        // Only a name spelt out, in the stated country; the state, when it fits, decides
        // between towns of one name.
        let fits = |p: PlaceId| {
            let place = g.place(p);
            n.country.is_none_or(|c| place.country == c)
                && place.population >= piece.min_population
                && (!piece.in_state
                    || match n.state {
                        Some(s) => g.in_area(s, p) == Some(true),
                        // No state to check against: only a name of several words.
                        None => piece.key.contains(' '),
                    })
        };
        let towns: Vec<PlaceId> = m
            .candidates
            .iter()
            .filter(|c| c.edits <= piece.max_edits && !c.partial && fits(c.place))
            .map(|c| c.place)
            .collect();
        if towns.is_empty() {
            continue;
        }
        // Consistent when any town of that name (not only the five candidates) is near.
        let matched = &m.best().matched;
        let near = g.within(point, TOWN_TOLERANCE_M).into_iter().any(|(i, _)| {
            let p = g.place(PlaceId(i));
            std::iter::once(&p.name)
                .chain(&p.alternate_names)
                .any(|name| place_key(name).ends_with(matched.as_str()))
        });
        if near {
            return Check::Consistent;
        }
        let town = towns
            .iter()
            .copied()
            .find(|t| n.state.is_some_and(|s| g.in_area(s, *t) == Some(true)))
            .unwrap_or(towns[0]);
        return Check::Move {
            town,
            km: haversine_m(g.place(town).location, point) / 1000.0,
            named_by: piece.field,
        };
    }
    // No town named: is the point at least in the stated state?
    if let (Some(state), Some(here)) = (n.state, g.reverse(point)) {
        if g.in_area(state, here.place) == Some(false) {
            return Check::WrongArea {
                falls_in: g.place(here.place).label(),
            };
        }
    }
    Check::Consistent
}
