//! The gazetteer: the corridor's towns, looked up by what people type (with accents, case,
//! abbreviations, qualifiers and typos) and by position (reverse geocoding).

use super::fuzzy::{self, FuzzyIndex};
use super::key::{place_key, GENERIC_PREFIXES};
use super::qualifier::{expand_whole, Qualifier};
use crate::{haversine_m, LonLat, PlaceId};
use rstar::primitives::GeomWithData;
use rstar::RTree;
use serde::Serialize;
use std::collections::HashMap;

/// A named place (a GeoNames town of 1,000 or more inhabitants, or one of the border crossings
/// senda adds).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    /// GeoNames id; 0 for places senda adds (border crossings GeoNames lacks).
    pub geonameid: u32,
    pub name: String,
    pub location: LonLat,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// State, department or province ("Chiapas", "Arizona"); empty when unknown.
    pub admin1: String,
    /// Inhabitants (0: unknown).
    pub population: u32,
    /// Other names: ASCII spellings, former and local names, in Latin script.
    pub alternate_names: Vec<String>,
}

impl Place {
    /// "Naco, Sonora" (the name alone when the admin-1 name is unknown).
    pub fn label(&self) -> String {
        if self.admin1.is_empty() || place_key(&self.admin1) == place_key(&self.name) {
            self.name.clone()
        } else {
            format!("{}, {}", self.name, self.admin1)
        }
    }
}

/// How a lookup was scored. One place for every constant, so the ranking can be explained.
///
/// `score = edits + variant + qualifier_miss − POPULATION_WEIGHT × log10(max(population, 1000))
///          + FOREIGN_PENALTY (US places) + NEAR_WEIGHT × log10(1 + km_from_near / 25)`;
/// lower is better. One edit is worth about a factor of 20 in population (1 / 0.75 decades),
/// so "Monterey" finds Monterrey (1.1 million) before Monterey, California (28 thousand),
/// while a small exact match still beats a big town two edits away.
pub mod scoring {
    /// Weight of log10(population).
    pub const POPULATION_WEIGHT: f64 = 0.75;
    /// Added to places in the US: the product serves people crossing Mexico and Central
    /// America, so a corridor town is preferred to a US town of similar spelling and size.
    pub const FOREIGN_PENALTY: f64 = 0.5;
    /// Cost of matching a name without its generic first word ("Tecún Umán" for "Ciudad
    /// Tecún Umán").
    pub const GENERIC_PREFIX_COST: f64 = 0.5;
    /// Cost of matching only the start of a name ("tapach" for "Tapachula") or its last words
    /// ("pedro sula" for "San Pedro Sula").
    pub const PREFIX_COST: f64 = 1.0;
    /// Cost of a place outside the state or country the query names ("Naco, Arizona").
    pub const QUALIFIER_MISS: f64 = 3.0;
    /// Weight of log10(1 + km / 25) from the point the query is near (the user, the route).
    pub const NEAR_WEIGHT: f64 = 0.4;
    /// Two different places whose scores differ by less than this make a name ambiguous.
    pub const AMBIGUITY_MARGIN: f64 = 1.0;
    /// Places of one country closer than this are one town for the choices offered (km);
    /// twin towns across a border (Naco, Sonora and Naco, Arizona) stay two.
    pub const SAME_TOWN_KM: f64 = 25.0;

    /// Most edits a query key of `len` bytes may be from a name.
    pub fn max_edits(len: usize) -> usize {
        match len {
            0..=3 => 0,
            4..=6 => 1,
            _ => 2,
        }
    }
}

/// One place a query may mean.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub place: PlaceId,
    /// Edits between the query and the name that matched.
    pub edits: u8,
    /// The name (or alternate name) that matched, as a key.
    pub matched: String,
    /// Whether only the start or the last words of that name matched.
    pub partial: bool,
    /// See [`scoring`]; lower is better.
    pub score: f64,
}

/// What a name lookup found: the best place first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matches {
    /// Best first; every other entry is a different town (in another country, or more than
    /// [`scoring::SAME_TOWN_KM`] from the ones before it). At most five.
    pub candidates: Vec<Candidate>,
    /// Whether another town scores nearly as well as the best: the caller must offer the
    /// choices instead of silently taking the first.
    pub ambiguous: bool,
}

impl Matches {
    pub fn best(&self) -> &Candidate {
        &self.candidates[0]
    }

    /// The other towns offered when the name is ambiguous (empty otherwise).
    pub fn choices(&self) -> &[Candidate] {
        if self.ambiguous {
            &self.candidates[1..]
        } else {
            &[]
        }
    }
}

/// Why a lookup found nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    #[error("no place name given")]
    Empty,
    #[error("{len} characters is too long for a place name (at most {max})")]
    TooLong { len: usize, max: usize },
    #[error("'{text}' has no letters or digits")]
    NoLetters { text: String },
    #[error("no town called '{text}' in the corridor")]
    NotFound { text: String },
}

/// A place near a point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Nearby {
    pub place: PlaceId,
    /// Straight line from the place to the point, metres.
    pub distance_m: f64,
    /// Direction from the place to the point, degrees clockwise from north.
    pub bearing_deg: f64,
}

/// A row of a gazetteer file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name} line {line}, field {field}: {reason}")]
pub struct RowError {
    pub source_name: String,
    pub line: usize,
    pub field: &'static str,
    pub reason: String,
}

/// Longest text taken as a place name, characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Farthest a point may be from a town for [`Gazetteer::reverse`] to name it, metres.
pub const REVERSE_MAX_M: f64 = 50_000.0;

/// The towns of the corridor with their lookup indexes. Immutable once built; share it
/// behind an `Arc`.
#[derive(Debug, Default)]
pub struct Gazetteer {
    places: Vec<Place>,
    /// Each place's admin-1 name as a key.
    admin1_keys: Vec<String>,
    /// Distinct admin-1 keys, for qualifiers.
    admin1_names: Vec<String>,
    /// Distinct name keys.
    keys: Vec<String>,
    key_ids: HashMap<String, u32>,
    /// Per key: the places that carry it and the cost of the variant (0, or the generic-prefix
    /// cost in tenths).
    postings: Vec<Vec<(PlaceId, u8)>>,
    /// Key ids sorted by key, for prefix search.
    sorted: Vec<u32>,
    /// Key ids sorted by reversed key, for the last words of a name ("pedro sula").
    rsorted: Vec<u32>,
    fuzzy: FuzzyIndex,
    tree: RTree<GeomWithData<[f64; 2], u32>>,
}

impl Gazetteer {
    /// Reads tab-separated gazetteer files (columns `geonameid, name, lat, lon, country,
    /// admin1_code, admin1, population, alternatenames` with `|` between alternate names; a
    /// header row and `#` comment lines are skipped). Rows that cannot be read are returned
    /// with their file, line and field; the others are kept.
    pub fn from_tsv<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> (Self, Vec<RowError>) {
        let mut places = Vec::new();
        let mut errors = Vec::new();
        for (source_name, text) in files {
            for (i, line) in text.lines().enumerate() {
                if line.starts_with('#')
                    || line.starts_with("geonameid\t")
                    || line.trim().is_empty()
                {
                    continue;
                }
                match parse_row(line) {
                    Ok(p) => places.push(p),
                    Err((field, reason)) => errors.push(RowError {
                        source_name: source_name.to_owned(),
                        line: i + 1,
                        field,
                        reason,
                    }),
                }
            }
        }
        (Self::new(places), errors)
    }

    /// Builds the indexes over `places`.
    pub fn new(places: Vec<Place>) -> Self {
        let mut key_ids: HashMap<String, u32> = HashMap::new();
        let mut keys: Vec<String> = Vec::new();
        let mut postings: Vec<Vec<(PlaceId, u8)>> = Vec::new();
        let mut add = |key: String, place: PlaceId, cost: u8| {
            if key.is_empty() {
                return;
            }
            let id = *key_ids.entry(key.clone()).or_insert_with(|| {
                keys.push(key);
                postings.push(Vec::new());
                (keys.len() - 1) as u32
            });
            let list = &mut postings[id as usize];
            match list.iter_mut().find(|(p, _)| *p == place) {
                Some(entry) => entry.1 = entry.1.min(cost),
                None => list.push((place, cost)),
            }
        };
        let prefix_cost = (scoring::GENERIC_PREFIX_COST * 10.0).round() as u8;
        for (i, p) in places.iter().enumerate() {
            let id = PlaceId(i as u32);
            for name in std::iter::once(&p.name).chain(&p.alternate_names) {
                let key = place_key(name);
                if let Some(rest) = GENERIC_PREFIXES
                    .iter()
                    .find_map(|g| key.strip_prefix(g))
                    .filter(|r| r.len() >= 4)
                {
                    add(rest.to_owned(), id, prefix_cost);
                }
                add(key, id, 0);
            }
        }
        let mut sorted: Vec<u32> = (0..keys.len() as u32).collect();
        sorted.sort_unstable_by(|a, b| keys[*a as usize].cmp(&keys[*b as usize]));
        let mut rsorted = sorted.clone();
        rsorted.sort_unstable_by(|a, b| {
            keys[*a as usize]
                .bytes()
                .rev()
                .cmp(keys[*b as usize].bytes().rev())
        });
        let fuzzy = FuzzyIndex::build(keys.iter().map(String::as_str));
        let admin1_keys: Vec<String> = places.iter().map(|p| place_key(&p.admin1)).collect();
        let mut admin1_names = admin1_keys.clone();
        admin1_names.sort_unstable();
        admin1_names.dedup();
        admin1_names.retain(|k| !k.is_empty());
        let tree = RTree::bulk_load(
            places
                .iter()
                .enumerate()
                .map(|(i, p)| GeomWithData::new([p.location.lon(), p.location.lat()], i as u32))
                .collect(),
        );
        Self {
            places,
            admin1_keys,
            admin1_names,
            keys,
            key_ids,
            postings,
            sorted,
            rsorted,
            fuzzy,
            tree,
        }
    }

    pub fn len(&self) -> usize {
        self.places.len()
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    pub fn place(&self, id: PlaceId) -> &Place {
        &self.places[id.index()]
    }

    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// Whether `text` names a state, department, province or country ("Chis.", "Nuevo León",
    /// "EE. UU.") rather than (only) a town.
    pub fn names_area(&self, text: &str) -> bool {
        Qualifier::parse(
            &place_key(text),
            self.admin1_names.iter().map(String::as_str),
        )
        .is_some()
    }

    /// Whether `place` lies in the admin-1 area `state` names; `None` when `state` names no
    /// admin-1 area the gazetteer knows.
    pub fn in_area(&self, state: &str, place: PlaceId) -> Option<bool> {
        let q = Qualifier::parse(
            &place_key(state),
            self.admin1_names.iter().map(String::as_str),
        )?;
        let area = q.admin1()?;
        Some(self.admin1_keys[place.index()] == area)
    }

    /// The places a name may mean, best first (see [`scoring`]). `near` (the user's position,
    /// the other end of a route) ranks nearer towns first among similar ones.
    ///
    /// Text after a comma or in brackets qualifies the name with a state or country ("Naco,
    /// Sonora", "Laredo (EE. UU.)"); so may the last words when the whole text is no name
    /// ("Naco Arizona").
    pub fn lookup(&self, text: &str, near: Option<LonLat>) -> Result<Matches, LookupError> {
        let chars = text.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(LookupError::TooLong {
                len: chars,
                max: MAX_QUERY_CHARS,
            });
        }
        if text.trim().is_empty() {
            return Err(LookupError::Empty);
        }
        let mut parts = text.split([',', '(', ')', ';']);
        let name = place_key(parts.next().unwrap_or(""));
        let quals: Vec<Qualifier> = parts
            .filter_map(|q| {
                Qualifier::parse(&place_key(q), self.admin1_names.iter().map(String::as_str))
            })
            .collect();
        if name.is_empty() {
            return Err(LookupError::NoLetters {
                text: text.trim().to_owned(),
            });
        }
        let mut scored: Vec<Candidate> = Vec::new();
        self.score_name(&name, &quals, near, &mut scored);
        if let Some(full) = expand_whole(&name) {
            self.score_name(full, &quals, near, &mut scored);
        }
        // "Naco Arizona": the last one or two words as a qualifier.
        if quals.is_empty() && !scored.iter().any(|c| c.edits == 0) {
            let words: Vec<&str> = name.split(' ').collect();
            for tail in 1..=2.min(words.len().saturating_sub(1)) {
                let (head, rest) = words.split_at(words.len() - tail);
                if let Some(q) = Qualifier::parse(
                    &rest.join(" "),
                    self.admin1_names.iter().map(String::as_str),
                ) {
                    self.score_name(&head.join(" "), &[q], near, &mut scored);
                }
            }
        }
        if scored.is_empty() {
            return Err(LookupError::NotFound {
                text: text.trim().to_owned(),
            });
        }
        // A name typed exactly is what the person meant unless a town spelled nearly the same
        // outranks it: fuzzy and prefix matches that score worse than the best exact match
        // are not offered ("Naco" offers the Nacos, not Waco).
        let best_exact = scored
            .iter()
            .filter(|c| c.edits == 0 && !c.partial)
            .map(|c| c.score)
            .min_by(f64::total_cmp);
        if let Some(e) = best_exact {
            scored.retain(|c| (c.edits == 0 && !c.partial) || c.score < e);
        }
        scored.sort_by(|a, b| a.score.total_cmp(&b.score).then(a.place.cmp(&b.place)));
        let mut picked: Vec<Candidate> = Vec::new();
        for c in scored {
            let here = self.place(c.place);
            let same_town = picked.iter().any(|p| {
                let there = self.place(p.place);
                p.place == c.place
                    || (there.country == here.country
                        && haversine_m(there.location, here.location)
                            < scoring::SAME_TOWN_KM * 1000.0)
            });
            if !same_town {
                picked.push(c);
                if picked.len() == 5 {
                    break;
                }
            }
        }
        let best = picked[0].score;
        picked.retain(|c| c.score - best < 2.0 * scoring::AMBIGUITY_MARGIN);
        // A state or country was named but the best town is not in it: offer, don't assume.
        let missed = {
            let b = picked[0].place;
            !quals.is_empty()
                && !quals
                    .iter()
                    .any(|q| q.fits(&self.admin1_keys[b.index()], &self.place(b).country))
        };
        let ambiguous = missed
            || picked
                .get(1)
                .is_some_and(|c| c.score - best < scoring::AMBIGUITY_MARGIN);
        Ok(Matches {
            candidates: picked,
            ambiguous,
        })
    }

    /// Adds every place whose name is within reach of `key` to `out`, scored.
    fn score_name(
        &self,
        key: &str,
        quals: &[Qualifier],
        near: Option<LonLat>,
        out: &mut Vec<Candidate>,
    ) {
        let mut hits: Vec<(u32, usize, f64)> = Vec::new(); // (key id, edits, prefix cost)
        if let Some(&id) = self.key_ids.get(key) {
            hits.push((id, 0, 0.0));
        }
        let max = scoring::max_edits(key.len());
        if max > 0 {
            let mut cands = Vec::new();
            self.fuzzy.candidates(key, &mut cands);
            for id in cands {
                let k = &self.keys[id as usize];
                if k != key {
                    if let Some(d) = fuzzy::edits_within(key, k, max) {
                        hits.push((id, d, 0.0));
                    }
                }
            }
        }
        if key.len() >= 5 {
            let start = self
                .sorted
                .partition_point(|&id| self.keys[id as usize].as_str() < key);
            for &id in self.sorted[start..].iter().take(64) {
                let k = &self.keys[id as usize];
                if !k.starts_with(key) {
                    break;
                }
                if k != key {
                    hits.push((id, 0, scoring::PREFIX_COST));
                }
            }
        }
        if key.len() >= 5 {
            // The last words of a name: "pedro sula" for "San Pedro Sula".
            let start = self
                .rsorted
                .partition_point(|&id| self.keys[id as usize].bytes().rev().lt(key.bytes().rev()));
            for &id in self.rsorted[start..].iter().take(64) {
                let k = &self.keys[id as usize];
                if !k.ends_with(key) {
                    break;
                }
                if k.len() > key.len() && k.as_bytes()[k.len() - key.len() - 1] == b' ' {
                    hits.push((id, 0, scoring::PREFIX_COST));
                }
            }
        }
        for (id, edits, extra) in hits {
            for &(place, variant) in &self.postings[id as usize] {
                let p = self.place(place);
                let mut score = edits as f64 + extra + variant as f64 / 10.0
                    - scoring::POPULATION_WEIGHT * (p.population.max(1000) as f64).log10();
                if p.country == "US" {
                    score += scoring::FOREIGN_PENALTY;
                }
                if !quals.is_empty()
                    && !quals
                        .iter()
                        .any(|q| q.fits(&self.admin1_keys[place.index()], &p.country))
                {
                    score += scoring::QUALIFIER_MISS;
                }
                if let Some(n) = near {
                    score += scoring::NEAR_WEIGHT
                        * (1.0 + haversine_m(n, p.location) / 25_000.0).log10();
                }
                let candidate = || Candidate {
                    place,
                    edits: edits as u8,
                    matched: self.keys[id as usize].clone(),
                    partial: extra > 0.0,
                    score,
                };
                match out.iter_mut().find(|c| c.place == place) {
                    Some(c) if c.score <= score => {}
                    Some(c) => *c = candidate(),
                    None => out.push(candidate()),
                }
            }
        }
    }

    /// The town a point is best described by, within [`REVERSE_MAX_M`]: the nearest one,
    /// unless a town ten times as big lies within twice the distance (or 3 km) — "near
    /// Huixtla", not "near the hamlet beside the road". `None` at sea or in empty land.
    pub fn reverse(&self, at: LonLat) -> Option<Nearby> {
        let mut near = self.within(at, REVERSE_MAX_M);
        near.sort_by(|a, b| a.1.total_cmp(&b.1));
        let &(first, d0) = near.first()?;
        let pop = |i: u32| self.places[i as usize].population.max(1000) as f64;
        let reach = (2.0 * d0).max(3_000.0);
        let (best, d) = near
            .iter()
            .take_while(|(_, d)| *d <= reach)
            .filter(|(i, _)| pop(*i) >= 10.0 * pop(first))
            .max_by(|a, b| pop(a.0).total_cmp(&pop(b.0)))
            .copied()
            .unwrap_or((first, d0));
        let from = self.places[best as usize].location;
        Some(Nearby {
            place: PlaceId(best),
            distance_m: d,
            bearing_deg: bearing_deg(from, at),
        })
    }

    /// Places within `radius_m` of `at` with their distances, metres (any order).
    pub fn within(&self, at: LonLat, radius_m: f64) -> Vec<(u32, f64)> {
        // Degrees of longitude shrink with latitude; search a box that holds the circle.
        let cos = at.lat().to_radians().cos().max(0.05);
        let r_deg = radius_m / (111_320.0 * cos);
        self.tree
            .locate_within_distance([at.lon(), at.lat()], r_deg * r_deg)
            .filter_map(|g| {
                let d = haversine_m(at, self.places[g.data as usize].location);
                (d <= radius_m).then_some((g.data, d))
            })
            .collect()
    }

    /// The towns of at least `min_population` a line passes within `within_m` of, in the
    /// order the line reaches them (route descriptions name towns, not road codes).
    pub fn towns_along(&self, line: &[LonLat], min_population: u32, within_m: f64) -> Vec<PlaceId> {
        let mut seen: Vec<PlaceId> = Vec::new();
        let step_m = (within_m / 2.0).max(100.0);
        let visit = |p: LonLat, seen: &mut Vec<PlaceId>| {
            let mut here: Vec<(u32, f64)> = self
                .within(p, within_m)
                .into_iter()
                .filter(|(i, _)| self.places[*i as usize].population >= min_population)
                .collect();
            here.sort_by(|a, b| a.1.total_cmp(&b.1));
            for (i, _) in here {
                if !seen.contains(&PlaceId(i)) {
                    seen.push(PlaceId(i));
                }
            }
        };
        for w in line.windows(2) {
            let len = haversine_m(w[0], w[1]);
            let n = (len / step_m).ceil().max(1.0) as usize;
            for s in 0..n {
                let t = s as f64 / n as f64;
                if let Ok(p) = LonLat::new(
                    w[0].lon() + t * (w[1].lon() - w[0].lon()),
                    w[0].lat() + t * (w[1].lat() - w[0].lat()),
                ) {
                    visit(p, &mut seen);
                }
            }
        }
        if let Some(last) = line.last() {
            visit(*last, &mut seen);
        }
        seen
    }
}

/// Initial bearing from `a` to `b`, degrees clockwise from north (0..360).
fn bearing_deg(a: LonLat, b: LonLat) -> f64 {
    let (la1, la2) = (a.lat().to_radians(), b.lat().to_radians());
    let dl = (b.lon() - a.lon()).to_radians();
    let y = dl.sin() * la2.cos();
    let x = la1.cos() * la2.sin() - la1.sin() * la2.cos() * dl.cos();
    (y.atan2(x).to_degrees() + 360.0) % 360.0
}

fn parse_row(line: &str) -> Result<Place, (&'static str, String)> {
    let f: Vec<&str> = line.split('\t').collect();
    if f.len() != 9 {
        return Err(("row", format!("{} fields, expected 9", f.len())));
    }
    let num = |i: usize, field: &'static str| {
        f[i].trim()
            .parse::<f64>()
            .map_err(|_| (field, format!("'{}' is not a number", f[i])))
    };
    let geonameid = f[0]
        .trim()
        .parse::<u32>()
        .map_err(|_| ("geonameid", format!("'{}' is not an id", f[0])))?;
    let name = f[1].trim();
    if name.is_empty() {
        return Err(("name", "empty".into()));
    }
    let location =
        LonLat::new(num(3, "lon")?, num(2, "lat")?).map_err(|e| ("lat", e.to_string()))?;
    let country = f[4].trim();
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err((
            "country",
            format!("'{country}' is not an ISO 3166-1 alpha-2 code"),
        ));
    }
    let population = f[7]
        .trim()
        .parse::<u32>()
        .map_err(|_| ("population", format!("'{}' is not a count", f[7])))?;
    Ok(Place {
        geonameid,
        name: name.to_owned(),
        location,
        country: country.to_owned(),
        admin1: f[6].trim().to_owned(),
        population,
        alternate_names: f[8]
            .split('|')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}
