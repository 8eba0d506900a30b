//! The nearest shelters to a point: in a straight line ([`NearestBy::Air`]) or by safe travel
//! cost along the network ([`NearestBy::Road`]), with filters on kind, services, who a shelter
//! serves, capacity and visibility.
//!
//! # Air: exact k nearest by great-circle distance
//! Shelters sit in R-trees ([`RTree::bulk_load`]), one per kind and visibility, as unit
//! vectors on the sphere (x, y, z); a query searches only the trees of the kinds it asks for
//! (and restricted ones only when allowed), each bounded by the `k`-th distance found so far.
//! The straight chord between two unit vectors is `2 sin(θ/2)` for the central angle `θ`, so
//! it grows with the great-circle distance: the nearest by chord are the nearest on the
//! sphere, with no projection, no distortion far from a reference latitude and no antimeridian
//! seam. The tree yields matching shelters nearest-first by chord; once `k` are in hand, every
//! further shelter whose chord is within rounding (10⁻¹² relative + 10⁻¹⁴ absolute, i.e.
//! well under a micrometre) of the `k`-th is taken as well, and the candidates are ranked by
//! [`haversine_m`](crate::haversine_m) with ties broken by shelter index. The answer is
//! therefore exactly the first `k` of a brute-force haversine scan sorted by (distance,
//! index) — the oracle test in `tests/nearest.rs` checks this on thousands of queries. A
//! query allocates only its answer (rstar's nearest-neighbour iterator keeps its queue on the
//! stack up to 32 entries).
//!
//! # Road: exact k nearest by generalised cost
//! One Dijkstra from the query's snapped point ([`source_seeds`]) over the generalised weights
//! ([`Engine::weights`]). Every shelter is a virtual target hanging off the end nodes of its
//! snapped edge (the edge up to the shelter, and its twin: the same partial costs as
//! [`target_seeds`](crate::search::target_seeds)); when such a node is settled the shelter is
//! queued at the node's cost plus the partial edge. Shelters on the query's own piece of road
//! are also queued directly along it (as [`Router::route`](crate::search::Router::route)
//! does). Queue keys are (cost, id) with node ids below shelter ids, so every node of cost
//! `c` is settled before a shelter of cost `c` leaves the queue: shelters leave in exact
//! (cost, index) order, and the search stops as soon as `k` matching shelters have left it
//! (or the cost limit is passed). The oracle test routes to every shelter with
//! [`Router::route`](crate::search::Router::route) and sorts.
//!
//! Distances along the network (`distance_m`) do not include the straight-line access from the
//! query point to the road and from the road to the shelter (`access_m`), which the default
//! highway-level network makes large.

use super::{Engine, EngineError, WeightQuery};
use crate::graph::{Profile, RoadGraph};
use crate::search::{partial_cost, source_seeds, PathResult, Seed, BLOCKED};
use crate::{
    EdgeId, InvalidValue, LonLat, NodeId, Placement, Population, Service, Shelter, ShelterKind,
    Snap, Visibility,
};
use rstar::primitives::GeomWithData;
use rstar::RTree;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The largest `k` a query may ask for.
pub const MAX_K: usize = 50;

/// How "nearest" is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NearestBy {
    /// Straight line (great-circle distance).
    #[default]
    Air,
    /// Along the network by generalised (risk-weighted) travel cost.
    Road,
}

impl NearestBy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Air => "air",
            Self::Road => "road",
        }
    }

    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        match value.trim().to_ascii_lowercase().as_str() {
            "air" | "straight" | "line" => Ok(Self::Air),
            "road" | "network" => Ok(Self::Road),
            _ => Err(InvalidValue::new("by", value, "expected air or road")),
        }
    }
}

/// A nearest-shelter query. Build it with [`NearestQuery::new`] and set what differs from the
/// defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct NearestQuery {
    pub at: LonLat,
    /// How many shelters, `1..=`[`MAX_K`]. Default 5.
    pub k: usize,
    pub by: NearestBy,
    /// Road only: the travel profile. Default foot.
    pub profile: Profile,
    /// Road only: 0 (fastest) ..= 1 (safest). Default 0.5.
    pub aversion: f64,
    /// Road only: whether foot routes may follow rail lines. Default false.
    pub allow_rail: bool,
    /// Services a shelter must offer, all of them.
    pub needs: Vec<Service>,
    /// Only shelters that list this population among the people they serve (a shelter that
    /// lists nobody is not assumed to serve everyone).
    pub serves: Option<Population>,
    /// Only shelters with a known capacity of at least this many places.
    pub min_capacity: Option<u32>,
    /// The kinds of place to look for. Default `[Shelter]`.
    pub kinds: Vec<ShelterKind>,
    /// Whether restricted shelters may be returned: only for callers with the analyst role.
    /// Default false.
    pub include_restricted: bool,
    /// Road only: stop at this generalised cost, seconds. Default: no limit.
    pub max_cost_s: Option<f64>,
    /// Road only: return each route's line. Default false.
    pub geometry: bool,
}

impl NearestQuery {
    /// A query at `at` with the defaults: 5 shelters of kind shelter, by air, public only.
    pub fn new(at: LonLat) -> Self {
        Self {
            at,
            k: 5,
            by: NearestBy::Air,
            profile: Profile::Foot,
            aversion: 0.5,
            allow_rail: false,
            needs: Vec::new(),
            serves: None,
            min_capacity: None,
            kinds: vec![ShelterKind::Shelter],
            include_restricted: false,
            max_cost_s: None,
            geometry: false,
        }
    }

    /// The weights a road query searches over.
    pub fn weight_query(&self) -> WeightQuery {
        WeightQuery {
            profile: self.profile,
            aversion: self.aversion,
            allow_rail: self.allow_rail,
            avoid: Vec::new(),
        }
    }

    /// Whether a shelter passes every filter (kind, visibility, services, population,
    /// capacity).
    #[inline]
    pub fn matches(&self, s: &Shelter) -> bool {
        self.kinds.contains(&s.kind)
            && (self.include_restricted || s.visibility == Visibility::Public)
            && s.offers_all(&self.needs)
            && self.serves.is_none_or(|p| s.serves.contains(&p))
            && self
                .min_capacity
                .is_none_or(|min| s.capacity.is_some_and(|c| c >= min))
    }

    fn validate(&self) -> Result<(), EngineError> {
        if !(1..=MAX_K).contains(&self.k) {
            return Err(InvalidValue::new("k", self.k, "must be between 1 and 50").into());
        }
        if self.kinds.is_empty() {
            return Err(InvalidValue::new("kinds", "", "name at least one kind of place").into());
        }
        if let Some(c) = self.max_cost_s {
            if !c.is_finite() || c <= 0.0 {
                return Err(InvalidValue::new("max_cost_s", c, "must be a positive number").into());
            }
        }
        Ok(())
    }
}

/// One shelter of an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct NearestShelter<'a> {
    /// Index into [`Engine::shelters`].
    pub index: usize,
    pub shelter: &'a Shelter,
    /// Air: great-circle distance. Road: along the network between the snapped points.
    pub distance_m: f64,
    /// Road: straight-line distance from the query point to the network plus from the network
    /// to the shelter (not in `distance_m`). Air: 0.
    pub access_m: f64,
    /// Travel time of the safe route to the shelter (the one ranked by generalised cost, or
    /// for Air the route at the query's aversion to each straight-line result); `None` when
    /// the shelter or the query point is off the profile's network or unreachable.
    pub duration_s: Option<f64>,
    /// The whole way to the shelter: the route along the network plus the straight lines from
    /// the query point to the network and from the network to the shelter, so it is never
    /// shorter than the straight line (Road: `distance_m + access_m`).
    pub route_distance_m: Option<f64>,
    /// Road: the generalised cost the shelters are ranked by, seconds.
    pub cost_s: Option<f64>,
    /// The route's risk exposure (density × hours, see the [engine docs](super)); for Air,
    /// of the route to each straight-line result.
    pub risk_exposure: Option<f64>,
    /// Road, when asked for: the route's line from the snapped query point to the shelter's
    /// snapped point.
    pub geometry: Option<Vec<LonLat>>,
}

/// Shelters whose place could not be decided ([`Placement::Undecided`]) after the others,
/// each group nearest first.
fn undecided_last(mut answer: NearestAnswer<'_>) -> NearestAnswer<'_> {
    answer
        .shelters
        .sort_by_key(|n| n.shelter.placement == Placement::Undecided);
    answer
}

/// The answer: the shelters nearest first, and a note when fewer than `k` were found saying
/// which filter emptied (or thinned) the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct NearestAnswer<'a> {
    pub shelters: Vec<NearestShelter<'a>>,
    pub note: Option<String>,
}

/// Shelter points by network node: for each node, the shelters (or other stops) reached by
/// leaving it along an edge for a fraction of its length. Built once from snaps; which of
/// these edges are open is decided per query by its weights.
#[derive(Debug, Clone, Default)]
pub(crate) struct Arrivals {
    first: Vec<u32>,
    items: Vec<Arrival>,
}

/// Reaching point `point` from the tail of `edge` after `fraction` of its length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Arrival {
    pub point: u32,
    pub edge: EdgeId,
    pub fraction: f64,
}

impl Arrivals {
    /// From `(point, snap)` pairs: each snap arrives from the tail of its edge (`fraction`)
    /// and from the tail of its twin (`1 - fraction`), as
    /// [`target_seeds`](crate::search::target_seeds).
    pub(crate) fn build<'s>(
        graph: &RoadGraph,
        snaps: impl Iterator<Item = (u32, &'s Snap)>,
    ) -> Self {
        let mut raw: Vec<(u32, Arrival)> = Vec::new();
        for (point, snap) in snaps {
            let e = snap.edge;
            raw.push((
                graph.tail(e).0,
                Arrival {
                    point,
                    edge: e,
                    fraction: snap.fraction,
                },
            ));
            if let Some(t) = graph.twin(e) {
                raw.push((
                    graph.tail(t).0,
                    Arrival {
                        point,
                        edge: t,
                        fraction: 1.0 - snap.fraction,
                    },
                ));
            }
        }
        let n = graph.node_count();
        let mut first = vec![0u32; n + 1];
        for &(v, _) in &raw {
            first[v as usize + 1] += 1;
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        let mut fill = first.clone();
        let empty = Arrival {
            point: 0,
            edge: EdgeId(0),
            fraction: 0.0,
        };
        let mut items = vec![empty; raw.len()];
        for (v, a) in raw {
            items[fill[v as usize] as usize] = a;
            fill[v as usize] += 1;
        }
        Self { first, items }
    }

    /// The points reached by leaving `node`.
    #[inline]
    pub(crate) fn at(&self, node: NodeId) -> &[Arrival] {
        let (a, b) = (
            self.first[node.index()] as usize,
            self.first[node.index() + 1] as usize,
        );
        &self.items[a..b]
    }

    /// Points snapped on `edge` or its twin, with the snap edge's tail arrival (every such
    /// point has an arrival along `edge` from its tail).
    pub(crate) fn on_edge(
        &self,
        graph: &RoadGraph,
        edge: EdgeId,
    ) -> impl Iterator<Item = &Arrival> + '_ {
        self.at(graph.tail(edge))
            .iter()
            .filter(move |a| a.edge == edge)
    }
}

/// The shelter indexes an engine builds on first use (shared between snapshots).
#[derive(Debug)]
pub(crate) struct ShelterIndex {
    /// One tree per (kind, visibility) present, so a query searches only the groups it may
    /// answer with (about half the points for the default "shelters, public").
    air: Vec<AirTree>,
    /// Per profile ([`super::profile_index`]).
    arrivals: [Arrivals; 2],
}

impl ShelterIndex {
    pub(crate) fn build(engine: &Engine) -> Self {
        let mut groups: Vec<(ShelterKind, Visibility, Vec<AirPoint>)> = Vec::new();
        for (i, s) in engine.shelters().iter().enumerate() {
            let point = {
                let lat_rad = s.location.lat().to_radians();
                let entry = AirEntry {
                    index: i as u32,
                    lat_rad,
                    cos_lat: lat_rad.cos(),
                    lon: s.location.lon(),
                };
                GeomWithData::new(unit_vector(s.location), entry)
            };
            match groups
                .iter_mut()
                .find(|g| g.0 == s.kind && g.1 == s.visibility)
            {
                Some(g) => g.2.push(point),
                None => groups.push((s.kind, s.visibility, vec![point])),
            }
        }
        let arrivals = |profile: Profile| {
            Arrivals::build(
                engine.graph(),
                engine
                    .shelter_snaps()
                    .iter()
                    .enumerate()
                    .filter_map(|(i, s)| s.for_profile(profile).map(|snap| (i as u32, snap))),
            )
        };
        Self {
            air: groups
                .into_iter()
                .map(|(kind, visibility, points)| AirTree {
                    kind,
                    visibility,
                    tree: RTree::bulk_load(points),
                })
                .collect(),
            arrivals: [arrivals(Profile::Foot), arrivals(Profile::Vehicle)],
        }
    }
}

/// The shelters of one kind and visibility, by unit vector.
#[derive(Debug)]
struct AirTree {
    kind: ShelterKind,
    visibility: Visibility,
    tree: RTree<AirPoint>,
}

type AirPoint = GeomWithData<[f64; 3], AirEntry>;

/// A shelter in the air tree, with the terms of [`haversine_m`](crate::haversine_m) that
/// depend on it alone.
#[derive(Debug, Clone, Copy)]
struct AirEntry {
    index: u32,
    lat_rad: f64,
    cos_lat: f64,
    lon: f64,
}

/// The terms of [`haversine_m`](crate::haversine_m) that depend on the query point alone.
#[derive(Debug, Clone, Copy)]
struct AirQuery {
    lat_rad: f64,
    cos_lat: f64,
    lon: f64,
}

impl AirQuery {
    fn new(p: LonLat) -> Self {
        let lat_rad = p.lat().to_radians();
        Self {
            lat_rad,
            cos_lat: lat_rad.cos(),
            lon: p.lon(),
        }
    }

    /// `haversine_m(query, shelter)`, bit for bit, with the cosines computed once.
    #[inline]
    fn distance_m(&self, s: &AirEntry) -> f64 {
        let dlat = s.lat_rad - self.lat_rad;
        let dlon = (s.lon - self.lon).to_radians();
        let h = (dlat / 2.0).sin().powi(2) + self.cos_lat * s.cos_lat * (dlon / 2.0).sin().powi(2);
        2.0 * crate::coord::EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
    }
}

/// A position as a unit vector (x towards lon 0 on the equator, z towards the north pole).
#[inline]
fn unit_vector(p: LonLat) -> [f64; 3] {
    let (sin_lat, cos_lat) = p.lat().to_radians().sin_cos();
    let (sin_lon, cos_lon) = p.lon().to_radians().sin_cos();
    [cos_lat * cos_lon, cos_lat * sin_lon, sin_lat]
}

impl Engine {
    /// The nearest shelters to `q.at` that pass the query's filters, by air or by road.
    ///
    /// Errors: an invalid `k`, `kinds`, `aversion` or `max_cost_s`; by road, a query point
    /// with no usable road within [`EngineConfig::max_snap_distance_m`](super::EngineConfig).
    /// When fewer than `k` shelters are found the answer's note says why.
    ///
    /// ```no_run
    /// # use senda_core::engine::{Engine, EngineError};
    /// # fn demo(engine: &Engine) -> Result<(), EngineError> {
    /// use senda_core::engine::nearest::{NearestBy, NearestQuery};
    /// use senda_core::{LonLat, Service};
    /// let mut q = NearestQuery::new(LonLat::new(-92.2667, 14.9056)?);
    /// q.by = NearestBy::Road;
    /// q.needs = vec![Service::Bed];
    /// for s in engine.nearest(&q)?.shelters {
    ///     println!("{}: {:.0} m, {:?} s", s.shelter.name, s.distance_m, s.duration_s);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn nearest(&self, q: &NearestQuery) -> Result<NearestAnswer<'_>, EngineError> {
        match q.by {
            NearestBy::Air => {
                let mut answer = self.nearest_air(q)?;
                self.add_route_figures(q, &mut answer)?;
                Ok(undecided_last(answer))
            }
            NearestBy::Road => {
                q.validate()?;
                let weights = self.weights(&q.weight_query())?;
                NearestSearch::new()
                    .nearest_road(self, q, &weights)
                    .map(undecided_last)
            }
        }
    }

    /// Fills in the travel figures (network distance, time, exposure) of the safe route from
    /// the query point to each straight-line result. A query point off the network leaves
    /// them empty (the straight-line answer still stands).
    fn add_route_figures(
        &self,
        q: &NearestQuery,
        answer: &mut NearestAnswer<'_>,
    ) -> Result<(), EngineError> {
        let Ok(from) = self.snap(q.at, q.profile, q.allow_rail, "at") else {
            return Ok(());
        };
        let weights = self.weights(&q.weight_query())?;
        for n in &mut answer.shelters {
            let Some(to) = self.shelter_snaps()[n.index].for_profile(q.profile) else {
                continue;
            };
            if let Some((distance_m, duration_s, exposure)) =
                self.route_figures(q.profile, &weights, &from, to)
            {
                n.route_distance_m = Some(distance_m + from.distance_m + to.distance_m);
                n.duration_s = Some(duration_s);
                n.risk_exposure = Some(exposure);
            }
        }
        Ok(())
    }

    /// [`Engine::nearest`] by air whatever `q.by` says, without travel figures. Allocates only
    /// the answer.
    pub fn nearest_air(&self, q: &NearestQuery) -> Result<NearestAnswer<'_>, EngineError> {
        q.validate()?;
        let shelters = self.shelters();
        let index = self.shelter_index();
        let k = q.k;
        let mut out: Vec<NearestShelter<'_>> = Vec::with_capacity(2 * k + 1);
        let air = AirQuery::new(q.at);
        let at = unit_vector(q.at);
        // A chord² bound (with rounding slack) from a great-circle distance.
        let window = |chord: f64| {
            let c = chord * (1.0 + 1e-12) + 1e-14;
            c * c
        };
        let mut bound = f64::INFINITY;
        for group in &index.air {
            if !q.kinds.contains(&group.kind)
                || (group.visibility == Visibility::Restricted && !q.include_restricted)
            {
                continue;
            }
            let mut cutoff = bound;
            let mut taken = 0;
            for (entry, d2) in group.tree.nearest_neighbor_iter_with_distance_2(at) {
                if d2 > cutoff {
                    break;
                }
                let i = entry.data.index as usize;
                let s = &shelters[i];
                if !q.matches(s) {
                    continue;
                }
                out.push(NearestShelter {
                    index: i,
                    shelter: s,
                    distance_m: air.distance_m(&entry.data),
                    access_m: 0.0,
                    duration_s: None,
                    route_distance_m: None,
                    cost_s: None,
                    risk_exposure: None,
                    geometry: None,
                });
                taken += 1;
                if taken == k {
                    // Anything within rounding of the k-th by chord may be as near by
                    // haversine.
                    cutoff = cutoff.min(window(d2.sqrt()));
                }
            }
            out.sort_unstable_by(|a, b| {
                a.distance_m
                    .total_cmp(&b.distance_m)
                    .then(a.index.cmp(&b.index))
            });
            out.truncate(k);
            if out.len() == k {
                // The other groups need only look as far as the k-th so far.
                let theta = out[k - 1].distance_m / crate::coord::EARTH_RADIUS_M;
                bound = window(2.0 * (theta / 2.0).sin());
            }
        }
        let note = self.nearest_note(q, out.len(), None);
        Ok(NearestAnswer {
            shelters: out,
            note,
        })
    }

    /// The shelter indexes, built on first use.
    pub(crate) fn shelter_index(&self) -> &ShelterIndex {
        self.fixed
            .shelter_index
            .get_or_init(|| ShelterIndex::build(self))
    }

    /// Why an answer holds fewer than `k` shelters: the filters in turn (kind, visibility,
    /// services, population, capacity, then for roads the network), naming the first one that
    /// leaves nothing. `reached` is, for roads, how many matching snapped shelters the search
    /// could reach.
    fn nearest_note(&self, q: &NearestQuery, found: usize, road: Option<usize>) -> Option<String> {
        if found >= q.k {
            return None;
        }
        let shelters = self.shelters();
        let kinds = q
            .kinds
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(" or ");
        let empty = |why: String| Some(format!("no {kinds} found: {why}"));
        if shelters.is_empty() {
            return empty("no shelters are loaded".into());
        }
        let mut alive: Vec<&Shelter> = shelters
            .iter()
            .filter(|s| q.kinds.contains(&s.kind))
            .collect();
        if alive.is_empty() {
            return empty(format!(
                "none of the {} loaded places is of kind {kinds}",
                shelters.len()
            ));
        }
        if !q.include_restricted {
            alive.retain(|s| s.visibility == Visibility::Public);
            if alive.is_empty() {
                return empty("every one is restricted (analyst role only)".into());
            }
        }
        if !q.needs.is_empty() {
            let before = alive.len();
            alive.retain(|s| s.offers_all(&q.needs));
            if alive.is_empty() {
                let needs = q
                    .needs
                    .iter()
                    .map(|n| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                return empty(format!(
                    "the needs filter ({needs}) leaves none of the {before} (none lists every one of these services)"
                ));
            }
        }
        if let Some(p) = q.serves {
            let before = alive.len();
            alive.retain(|s| s.serves.contains(&p));
            if alive.is_empty() {
                return empty(format!(
                    "the serves filter ({}) leaves none of the {before} (none lists {} among the people it serves)",
                    p.as_str(),
                    p.as_str()
                ));
            }
        }
        if let Some(min) = q.min_capacity {
            let largest = alive.iter().filter_map(|s| s.capacity).max();
            alive.retain(|s| s.capacity.is_some_and(|c| c >= min));
            if alive.is_empty() {
                let largest = largest.map_or("none states its capacity".to_owned(), |c| {
                    format!("the largest known capacity is {c}")
                });
                return empty(format!(
                    "the min_capacity filter ({min}) leaves none ({largest})"
                ));
            }
        }
        let matching = alive.len();
        if let Some(reached) = road {
            let snapped = shelters
                .iter()
                .zip(self.shelter_snaps())
                .filter(|(s, snap)| q.matches(s) && snap.for_profile(q.profile).is_some())
                .count();
            if snapped == 0 {
                return empty(format!(
                    "none of the {matching} matching lies within {} m of a road usable {}",
                    self.config.max_snap_distance_m, q.profile
                ));
            }
            if reached == 0 {
                let limit = q
                    .max_cost_s
                    .map_or(String::new(), |c| format!(" within a cost of {c} s"));
                return empty(format!(
                    "none of the {snapped} matching shelters on the network can be reached {}{limit} (closed roads or avoid areas)",
                    q.profile
                ));
            }
            return Some(format!(
                "only {found} {kinds} found (asked for {}): {matching} match the filters, {snapped} are on the {} network, {reached} can be reached",
                q.k, q.profile
            ));
        }
        Some(format!(
            "only {found} {kinds} match the filters (asked for {})",
            q.k
        ))
    }
}

/// A walk along the network between two snapped points: its edges and the fraction of each
/// that is travelled, so costs and times add up exactly as the searches count them
/// (`round(weight × fraction)` per edge).
#[derive(Debug, Clone)]
pub(crate) struct Walk {
    pub edges: Vec<EdgeId>,
    pub fractions: Vec<f64>,
    /// The route in [`PathResult`] form (for its geometry and length).
    pub path: PathResult,
}

impl Walk {
    /// Along one edge from fraction `fs` to `ft` of it.
    pub(crate) fn direct(
        edge: EdgeId,
        fs: f64,
        ft: f64,
        source: &Snap,
        target: &Snap,
        cost: u64,
    ) -> Self {
        Self {
            edges: vec![edge],
            fractions: vec![ft - fs],
            path: PathResult {
                cost,
                edges: vec![edge],
                source: Snap {
                    edge,
                    fraction: fs,
                    ..*source
                },
                target: Snap {
                    edge,
                    fraction: ft,
                    ..*target
                },
            },
        }
    }

    /// From the source's snapped point out along `seed`, through `middle`, and along the
    /// arrival edge to the target's point.
    pub(crate) fn through(
        source: &Snap,
        seed: &Seed,
        middle: Vec<EdgeId>,
        arrival: &Arrival,
        target: &Snap,
        cost: u64,
    ) -> Self {
        let out_fraction = if seed.edge == source.edge {
            1.0 - source.fraction
        } else {
            source.fraction
        };
        let start = if seed.edge == source.edge {
            source.fraction
        } else {
            1.0 - source.fraction
        };
        let mut edges = Vec::with_capacity(middle.len() + 2);
        let mut fractions = Vec::with_capacity(middle.len() + 2);
        edges.push(seed.edge);
        fractions.push(out_fraction);
        for e in middle {
            edges.push(e);
            fractions.push(1.0);
        }
        edges.push(arrival.edge);
        fractions.push(arrival.fraction);
        Self {
            path: PathResult {
                cost,
                edges: edges.clone(),
                source: Snap {
                    edge: seed.edge,
                    fraction: start,
                    ..*source
                },
                target: Snap {
                    edge: arrival.edge,
                    fraction: arrival.fraction,
                    ..*target
                },
            },
            edges,
            fractions,
        }
    }

    /// `Σ round(weight × fraction)`.
    pub(crate) fn sum(&self, weights: impl Fn(EdgeId) -> u32) -> u64 {
        self.edges
            .iter()
            .zip(&self.fractions)
            .map(|(&e, &f)| partial_cost(weights(e), f))
            .sum()
    }

    /// Travel time, deciseconds.
    pub(crate) fn time_ds(&self, engine: &Engine, profile: Profile) -> u64 {
        let graph = engine.graph();
        self.sum(|e| graph.time_ds(profile, e))
    }

    pub(crate) fn exposure(&self, engine: &Engine, profile: Profile) -> f64 {
        self.edges
            .iter()
            .zip(&self.fractions)
            .map(|(&e, &f)| engine.exposure(e, profile, f))
            .sum()
    }

    pub(crate) fn length_m(&self, graph: &RoadGraph) -> f64 {
        self.edges
            .iter()
            .zip(&self.fractions)
            .map(|(&e, &f)| f64::from(graph.length_m(e)) * f.clamp(0.0, 1.0))
            .sum()
    }
}

/// Travelling directly along the piece of road both points lie on, exactly as
/// [`Router::route`](crate::search::Router::route) does: `(cost, edge, from, to)` fractions of
/// that edge, or `None` when the points are on different pieces or the way is closed.
pub(crate) fn direct_along(
    graph: &RoadGraph,
    weights: &[u32],
    source: &Snap,
    target: &Snap,
) -> Option<(u64, EdgeId, f64, f64)> {
    let es = source.edge;
    let twin = graph.twin(es);
    let ft = if target.edge == es {
        target.fraction
    } else if Some(target.edge) == twin {
        1.0 - target.fraction
    } else {
        return None;
    };
    let fs = source.fraction;
    let mut direct = None;
    if ft >= fs && weights[es.index()] != BLOCKED {
        direct = Some((partial_cost(weights[es.index()], ft - fs), es, fs, ft));
    }
    if let Some(t) = twin {
        if ft <= fs && weights[t.index()] != BLOCKED {
            let c = partial_cost(weights[t.index()], fs - ft);
            if direct.is_none_or(|d: (u64, EdgeId, f64, f64)| c < d.0) {
                direct = Some((c, t, 1.0 - fs, 1.0 - ft));
            }
        }
    }
    direct
}

const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct NodeLabel {
    dist: u64,
    parent: u32,
    origin: u32,
    stamp: u32,
}

#[derive(Debug, Clone, Copy)]
struct ShelterLabel {
    dist: u64,
    /// The node the shelter was reached from (`NONE`: directly along the query's edge).
    node: u32,
    edge: EdgeId,
    /// Fraction of `edge` where the walk starts (direct) — unused otherwise.
    from: f64,
    /// Fraction of `edge` travelled (from its tail) or, direct, where the walk ends.
    to: f64,
    stamp: u32,
    settled: bool,
}

/// Reusable state for road nearest queries (one per thread), sized once per graph and reset
/// in O(1) by a generation stamp, as [`Router`](crate::search::Router).
#[derive(Debug, Clone, Default)]
pub struct NearestSearch {
    nodes: Vec<NodeLabel>,
    shelters: Vec<ShelterLabel>,
    generation: u32,
    heap: BinaryHeap<Reverse<(u64, u32)>>,
    found: Vec<u32>,
}

impl NearestSearch {
    pub fn new() -> Self {
        Self::default()
    }

    fn reset(&mut self, nodes: usize, shelters: usize) {
        let node0 = NodeLabel {
            dist: u64::MAX,
            parent: NONE,
            origin: NONE,
            stamp: 0,
        };
        let shelter0 = ShelterLabel {
            dist: u64::MAX,
            node: NONE,
            edge: EdgeId(0),
            from: 0.0,
            to: 0.0,
            stamp: 0,
            settled: false,
        };
        if self.nodes.len() < nodes {
            self.nodes.resize(nodes, node0);
        }
        if self.shelters.len() < shelters {
            self.shelters.resize(shelters, shelter0);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.nodes.iter_mut().for_each(|l| l.stamp = 0);
            self.shelters.iter_mut().for_each(|l| l.stamp = 0);
            self.generation = 1;
        }
        self.heap.clear();
        self.found.clear();
    }

    #[inline]
    fn relax_node(&mut self, v: u32, d: u64, parent: u32, origin: u32) {
        let g = self.generation;
        let l = &mut self.nodes[v as usize];
        if l.stamp == g && l.dist <= d {
            return;
        }
        *l = NodeLabel {
            dist: d,
            parent,
            origin,
            stamp: g,
        };
        self.heap.push(Reverse((d, v)));
    }

    #[inline]
    fn relax_shelter(&mut self, n: u32, s: u32, label: ShelterLabel) {
        let g = self.generation;
        let l = &mut self.shelters[s as usize];
        if l.stamp == g && l.dist <= label.dist {
            return;
        }
        *l = ShelterLabel {
            stamp: g,
            settled: false,
            ..label
        };
        self.heap.push(Reverse((label.dist, n + s)));
    }

    /// The `q.k` matching shelters of least generalised cost from `q.at` (see the
    /// [module docs](self)); `weights` must be `engine.weights(&q.weight_query())`.
    ///
    /// # Panics
    /// If `weights` does not have one weight per edge of the engine's graph.
    pub fn nearest_road<'e>(
        &mut self,
        engine: &'e Engine,
        q: &NearestQuery,
        weights: &[u32],
    ) -> Result<NearestAnswer<'e>, EngineError> {
        q.validate()?;
        let graph = engine.graph();
        assert_eq!(weights.len(), graph.edge_count(), "one weight per edge");
        let snap = engine.snap(q.at, q.profile, false, "at")?;
        let shelters = engine.shelters();
        let snaps = engine.shelter_snaps();
        let arrivals = &engine.shelter_index().arrivals[super::profile_index(q.profile)];
        let n = u32::try_from(graph.node_count()).expect("node ids are u32");
        let limit = q
            .max_cost_s
            .map_or(u64::MAX - 1, |c| (c * 10.0).floor() as u64);
        self.reset(graph.node_count(), shelters.len());

        let seeds = source_seeds(graph, weights, &snap);
        for (i, s) in seeds.iter().enumerate() {
            if s.cost <= limit {
                self.relax_node(s.node.0, s.cost, NONE, i as u32);
            }
        }
        // Shelters on the query's own piece of road, directly along it.
        for a in arrivals.on_edge(graph, snap.edge) {
            let s = a.point;
            if !q.matches(&shelters[s as usize]) {
                continue;
            }
            let Some(target) = snaps[s as usize].for_profile(q.profile) else {
                continue;
            };
            if let Some((c, e, fs, ft)) = direct_along(graph, weights, &snap, target) {
                if c <= limit {
                    self.relax_shelter(
                        n,
                        s,
                        ShelterLabel {
                            dist: c,
                            node: NONE,
                            edge: e,
                            from: fs,
                            to: ft,
                            stamp: 0,
                            settled: false,
                        },
                    );
                }
            }
        }

        while let Some(Reverse((d, item))) = self.heap.pop() {
            if d > limit {
                break;
            }
            if item >= n {
                let s = item - n;
                let l = &mut self.shelters[s as usize];
                if l.dist != d || l.settled {
                    continue;
                }
                l.settled = true;
                self.found.push(s);
                if self.found.len() == q.k {
                    break;
                }
                continue;
            }
            let u = item;
            if self.nodes[u as usize].dist != d {
                continue;
            }
            let origin = self.nodes[u as usize].origin;
            for e in graph.out_edges(NodeId(u)) {
                let w = weights[e.index()];
                if w != BLOCKED {
                    self.relax_node(graph.head(e).0, d + u64::from(w), e.0, origin);
                }
            }
            for a in arrivals.at(NodeId(u)) {
                let w = weights[a.edge.index()];
                if w == BLOCKED || !q.matches(&shelters[a.point as usize]) {
                    continue;
                }
                let c = d + partial_cost(w, a.fraction);
                if c <= limit {
                    self.relax_shelter(
                        n,
                        a.point,
                        ShelterLabel {
                            dist: c,
                            node: u,
                            edge: a.edge,
                            from: 0.0,
                            to: a.fraction,
                            stamp: 0,
                            settled: false,
                        },
                    );
                }
            }
        }

        let mut out = Vec::with_capacity(self.found.len());
        for &s in &self.found {
            let l = self.shelters[s as usize];
            let shelter = &shelters[s as usize];
            let target = snaps[s as usize]
                .for_profile(q.profile)
                .expect("only snapped shelters are reached");
            let walk = if l.node == NONE {
                Walk::direct(l.edge, l.from, l.to, &snap, target, l.dist)
            } else {
                let mut middle = Vec::new();
                let mut v = l.node;
                loop {
                    let p = self.nodes[v as usize].parent;
                    if p == NONE {
                        break;
                    }
                    middle.push(EdgeId(p));
                    v = graph.tail(EdgeId(p)).0;
                }
                middle.reverse();
                let seed = &seeds[self.nodes[v as usize].origin as usize];
                let arrival = Arrival {
                    point: s,
                    edge: l.edge,
                    fraction: l.to,
                };
                Walk::through(&snap, seed, middle, &arrival, target, l.dist)
            };
            debug_assert_eq!(walk.sum(|e| weights[e.index()]), l.dist);
            let distance_m = walk.length_m(graph);
            out.push(NearestShelter {
                index: s as usize,
                shelter,
                distance_m,
                route_distance_m: Some(distance_m + snap.distance_m + target.distance_m),
                access_m: snap.distance_m + target.distance_m,
                duration_s: Some(walk.time_ds(engine, q.profile) as f64 / 10.0),
                cost_s: Some(l.dist as f64 / 10.0),
                risk_exposure: Some(walk.exposure(engine, q.profile)),
                geometry: q.geometry.then(|| walk.path.geometry(graph)),
            });
        }
        let note = engine.nearest_note(q, out.len(), Some(out.len()));
        Ok(NearestAnswer {
            shelters: out,
            note,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::haversine_m;

    #[test]
    fn chord_order_is_great_circle_order() {
        let p = |lon, lat| LonLat::new(lon, lat).unwrap();
        let a = p(-92.27, 14.9);
        let chord2 = |x: LonLat, y: LonLat| {
            let (u, v) = (unit_vector(x), unit_vector(y));
            (0..3).map(|i| (u[i] - v[i]).powi(2)).sum::<f64>()
        };
        let targets = [
            p(-92.2, 14.9),
            p(-92.27, 15.0),
            p(179.9, -10.0),
            p(-179.9, 14.9),
        ];
        let mut by_chord: Vec<_> = targets.iter().map(|&t| (chord2(a, t), t)).collect();
        by_chord.sort_by(|x, y| x.0.total_cmp(&y.0));
        let mut by_hav: Vec<_> = targets.iter().map(|&t| (haversine_m(a, t), t)).collect();
        by_hav.sort_by(|x, y| x.0.total_cmp(&y.0));
        let order = |v: &[(f64, LonLat)]| v.iter().map(|x| x.1).collect::<Vec<_>>();
        assert_eq!(order(&by_chord), order(&by_hav));
        // Chord to distance: 2R asin(c / 2).
        for (c2, t) in by_chord {
            let d = 2.0 * crate::coord::EARTH_RADIUS_M * (c2.sqrt() / 2.0).asin();
            assert!((d - haversine_m(a, t)).abs() < 1e-3, "{d}");
        }
    }

    #[test]
    fn cached_haversine_is_bit_for_bit_haversine() {
        let mut x = 0.123_f64;
        let mut next = || {
            x = (x * 9_301.0 + 49_297.0) % 233_280.0;
            x / 233_280.0
        };
        for _ in 0..10_000 {
            let a = LonLat::new(next() * 360.0 - 180.0, next() * 180.0 - 90.0).unwrap();
            let b = LonLat::new(next() * 360.0 - 180.0, next() * 180.0 - 90.0).unwrap();
            let lat_rad = b.lat().to_radians();
            let entry = AirEntry {
                index: 0,
                lat_rad,
                cos_lat: lat_rad.cos(),
                lon: b.lon(),
            };
            let d = AirQuery::new(a).distance_m(&entry);
            assert_eq!(d.to_bits(), haversine_m(a, b).to_bits());
        }
    }

    #[test]
    fn by_parses() {
        assert_eq!(NearestBy::parse("Road").unwrap(), NearestBy::Road);
        assert_eq!(NearestBy::parse("air").unwrap(), NearestBy::Air);
        assert_eq!(NearestBy::parse("bus").unwrap_err().field, "by");
    }
}
