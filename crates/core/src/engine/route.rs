//! The safer-route query and its alternatives along the risk–time Pareto front.
//!
//! [`Engine::route`] snaps both ends ([`Engine::snap`]), searches the generalised cost
//! `t × (1 + aversion × aversion_scale × ρ)` of the [engine](super) with a bidirectional
//! Dijkstra ([`Router::route`]) and describes the route: length, pure travel time, risk
//! exposure (`Σ ρ × t`, risk-hours, partial first and last edges included), the roads it
//! follows and an [`Explanation`] of where its risk comes from.
//!
//! # Alternatives: the supported points of the Pareto front
//! A route has two objectives, its travel time `T = Σ t` and its exposure `E = Σ ρ t`, and the
//! generalised cost is their weighted sum `T + λ E` with `λ = aversion × aversion_scale`.
//! Minimising a weighted sum for a fixed `λ` finds a route on the risk–time Pareto front (no
//! route is both faster and safer), and sweeping `λ` finds the *supported* points of the front
//! — the corners of its convex hull; routes in its concave pockets are never optimal for any
//! `λ` and are not found. The query searches the requested aversion and, when alternatives
//! are asked for, the sweep [`SWEEP`] (0, then a geometric series up to 1), then:
//! 1. drops candidates that are dominated in (duration, exposure) — integer edge weights round
//!    `t × (1 + λρ)`, so a search can return a route a hair worse than another candidate on
//!    both counts — and identical edge lists;
//! 2. keeps the requested aversion's route as the **chosen** one (or, if rounding made it
//!    dominated, the candidate dominating it with the least generalised cost at the requested
//!    aversion);
//! 3. adds up to `alternatives` more: first the fastest, then the safest, then the candidate
//!    farthest (in normalised duration and exposure) from those kept, skipping any route that
//!    shares more than [`MAX_OVERLAP`] of its length with a kept one (the shared length over
//!    the longer of the two; a road and its twin count as the same road).
//!
//! The answer lists the chosen route first, then the alternatives by increasing duration;
//! since they are all on the front, along them more time always buys strictly less risk.
//! [`RouteAnswer::fastest`] gives the fastest route's figures whenever the chosen route is not
//! the fastest, so a planner sees "safest vs fastest" side by side even with no alternatives.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use senda_core::engine::route::RouteQuery;
//! use senda_core::engine::{Engine, EngineConfig, EngineData};
//! use senda_core::{LonLat, RoadClass, RoadSegment, SourceKey};
//!
//! let p = |lon, lat| LonLat::new(lon, lat).unwrap();
//! let mut road = RoadSegment::new(
//!     SourceKey::new("demo", "1").unwrap(),
//!     RoadClass::Residential,
//!     vec![p(-92.0, 14.0), p(-91.99, 14.0), p(-91.98, 14.0)],
//! )
//! .unwrap();
//! road.route_ref = Some("MEX200".to_owned());
//! let data = EngineData { roads: vec![road], ..EngineData::default() };
//! let at = Utc.with_ymd_and_hms(2025, 10, 1, 0, 0, 0).unwrap();
//! let engine = Engine::build(data, at, EngineConfig::default()).unwrap();
//!
//! let answer = engine.route(&RouteQuery::new(p(-91.999, 14.0), p(-91.981, 14.0))).unwrap();
//! let route = &answer.routes[0];
//! assert!(route.chosen);
//! assert!((1_900.0..2_000.0).contains(&route.distance_m));
//! assert!((1_390.0..1_405.0).contains(&route.duration_s)); // 5 km/h on foot
//! assert_eq!(route.risk_exposure, 0.0); // no incidents
//! assert_eq!(route.roads[0].label, "MEX200");
//! assert!(answer.fastest.is_none()); // the chosen route is the fastest
//! ```

use super::{risk_profile, Engine, EngineError};
use crate::graph::{Profile, Snap};
use crate::risk::Explanation;
use crate::search::cch::{CchAnswer, CchMetric, CchQuery};
use crate::search::{weights_time, PathResult, Router, BLOCKED};
use crate::{EdgeId, InvalidValue, LonLat, RoadSegment};
use rayon::prelude::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// The aversion of a query that does not say.
pub const DEFAULT_AVERSION: f64 = 0.5;

/// The most alternatives a query may ask for.
pub const MAX_ALTERNATIVES: usize = 5;

/// The aversions searched when alternatives are asked for (besides the requested one): 0 (the
/// fastest route) and a geometric series up to 1.
pub const SWEEP: [f64; 8] = [
    0.0,
    1.0 / 64.0,
    1.0 / 32.0,
    1.0 / 16.0,
    1.0 / 8.0,
    1.0 / 4.0,
    1.0 / 2.0,
    1.0,
];

/// A route sharing more than this fraction of its length with a route already kept is a
/// near-duplicate and not offered as an alternative.
pub const MAX_OVERLAP: f64 = 0.8;

/// How many cells an explanation lists.
pub const TOP_CELLS: usize = 5;

/// How many roads a route's summary lists.
pub const TOP_ROADS: usize = 5;

/// A safer-route request.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteQuery {
    pub from: LonLat,
    pub to: LonLat,
    pub profile: Profile,
    /// 0 (fastest) ..= 1 (safest); default [`DEFAULT_AVERSION`].
    pub aversion: f64,
    /// How many alternatives besides the chosen route, 0 ..= [`MAX_ALTERNATIVES`].
    pub alternatives: usize,
    /// Whether foot routes may follow rail lines.
    pub allow_rail: bool,
    /// Areas the route must not enter (lon/lat polygons).
    pub avoid: Vec<geo::Polygon<f64>>,
}

impl RouteQuery {
    /// A query on foot with the default aversion, no alternatives, no rail, no avoid areas.
    pub fn new(from: LonLat, to: LonLat) -> Self {
        Self {
            from,
            to,
            profile: Profile::Foot,
            aversion: DEFAULT_AVERSION,
            alternatives: 0,
            allow_rail: false,
            avoid: Vec::new(),
        }
    }

    /// Checks the aversion and the number of alternatives.
    pub fn validate(&self) -> Result<(), InvalidValue> {
        if !self.aversion.is_finite() || !(0.0..=1.0).contains(&self.aversion) {
            return Err(InvalidValue::new(
                "aversion",
                self.aversion,
                "must be between 0 and 1",
            ));
        }
        if self.alternatives > MAX_ALTERNATIVES {
            return Err(InvalidValue::new(
                "alternatives",
                self.alternatives,
                "must be between 0 and 5",
            ));
        }
        Ok(())
    }
}

/// How far a route follows one named road (or route number).
#[derive(Debug, Clone, PartialEq)]
pub struct RoadShare {
    /// The route number (`ref`, e.g. `MEX200`) or, for roads without one, the name.
    pub label: String,
    pub distance_m: f64,
}

/// A route's headline figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RouteSummary {
    pub distance_m: f64,
    /// Pure travel time (not the generalised cost), seconds.
    pub duration_s: f64,
    /// `Σ ρ × t` over the route, risk density × hours ("risk-hours").
    pub risk_exposure: f64,
    /// The aversion of the search that found it.
    pub aversion_used: f64,
}

/// One route of an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// From the snapped start to the snapped end (at least two positions; both the same
    /// position for a zero-length route).
    pub geometry: Vec<LonLat>,
    pub distance_m: f64,
    /// Pure travel time (not the generalised cost), seconds.
    pub duration_s: f64,
    /// `Σ ρ × t` over the route in risk-hours ([`Engine::exposure`]), partial first and last
    /// edges included.
    pub risk_exposure: f64,
    /// The aversion of the search that found the route.
    pub aversion_used: f64,
    /// The search's objective: the generalised cost at `aversion_used`, deciseconds (as
    /// [`Router::route`] counts it on [`Engine::weights`]).
    pub cost_ds: u64,
    /// The route the query asked for (the first of the answer).
    pub chosen: bool,
    /// Edges in travel order; the first and last are travelled from `from.fraction` and up to
    /// `to.fraction`.
    pub edges: Vec<EdgeId>,
    pub from: Snap,
    pub to: Snap,
    /// The roads followed the longest, longest first (at most [`TOP_ROADS`]).
    pub roads: Vec<RoadShare>,
    /// Where the route's risk comes from: top cells, incident categories and alerts, as
    /// shares (aggregated, never single reports).
    pub explanation: Explanation,
}

impl Route {
    pub fn summary(&self) -> RouteSummary {
        RouteSummary {
            distance_m: self.distance_m,
            duration_s: self.duration_s,
            risk_exposure: self.risk_exposure,
            aversion_used: self.aversion_used,
        }
    }
}

/// The answer of [`Engine::route`].
#[derive(Debug, Clone, PartialEq)]
pub struct RouteAnswer {
    /// The chosen route first, then the alternatives by increasing duration (and so strictly
    /// decreasing exposure).
    pub routes: Vec<Route>,
    /// The fastest route's figures when the chosen route is slower.
    pub fastest: Option<RouteSummary>,
    /// Where the query's `from` and `to` met the network.
    pub from: Snap,
    pub to: Snap,
}

impl RouteAnswer {
    /// The chosen route.
    pub fn chosen(&self) -> &Route {
        &self.routes[0]
    }
}

/// Names and route numbers of the road segments an engine was built from, each distinct
/// text stored once (a few bytes per segment).
#[derive(Debug, Clone, Default)]
pub struct RoadNames {
    texts: Vec<Box<str>>,
    /// Per segment: `[ref, name]` indexes into `texts`, `u32::MAX` when absent.
    of_segment: Vec<[u32; 2]>,
}

impl RoadNames {
    pub fn new<'a>(roads: &'a [RoadSegment]) -> Self {
        let mut index: HashMap<&'a str, u32> = HashMap::new();
        let mut texts: Vec<Box<str>> = Vec::new();
        let mut id = |text: Option<&'a str>| -> u32 {
            let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) else {
                return u32::MAX;
            };
            *index.entry(t).or_insert_with(|| {
                texts.push(t.into());
                (texts.len() - 1) as u32
            })
        };
        let of_segment = roads
            .iter()
            .map(|r| [id(r.route_ref.as_deref()), id(r.name.as_deref())])
            .collect();
        Self { texts, of_segment }
    }

    fn text(&self, segment: usize, which: usize) -> Option<&str> {
        let i = self.of_segment.get(segment)?[which];
        self.texts.get(i as usize).map(|t| &**t)
    }

    /// The segment's route number (`ref`), if it has one.
    pub fn route_ref(&self, segment: usize) -> Option<&str> {
        self.text(segment, 0)
    }

    /// The segment's name, if it has one.
    pub fn name(&self, segment: usize) -> Option<&str> {
        self.text(segment, 1)
    }

    /// The route number, else the name.
    pub fn label(&self, segment: usize) -> Option<&str> {
        self.route_ref(segment).or_else(|| self.name(segment))
    }
}

thread_local! {
    /// One search state per thread, reused from query to query.
    static ROUTER: RefCell<Router> = RefCell::new(Router::new());
    static CCH_QUERY: RefCell<CchQuery> = RefCell::new(CchQuery::new());
}

/// How one aversion of a query is searched.
enum Search {
    /// On the snapshot's customized metric (Dijkstra on its weights if the CCH cannot tell).
    Cch(Arc<CchMetric>),
    /// Bidirectional Dijkstra on these weights.
    Dijkstra(Vec<u32>),
}

/// A route found by one search of the sweep, with its figures.
#[derive(Debug, Clone)]
struct Candidate {
    aversion: f64,
    path: PathResult,
    distance_m: f64,
    duration_s: f64,
    exposure: f64,
}

impl Candidate {
    /// At most as long and as risky as `other`, and better on one count (with a relative
    /// tolerance for float noise).
    fn dominates(&self, other: &Candidate) -> bool {
        let le = |a: f64, b: f64| a <= b + 1e-9 * b.abs().max(1.0);
        let lt = |a: f64, b: f64| a < b - 1e-9 * b.abs().max(1.0);
        le(self.duration_s, other.duration_s)
            && le(self.exposure, other.exposure)
            && (lt(self.duration_s, other.duration_s) || lt(self.exposure, other.exposure))
    }

    /// The same route figures (a tie on both counts).
    fn ties(&self, other: &Candidate) -> bool {
        !self.dominates(other) && !other.dominates(self) && {
            let eq = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
            eq(self.duration_s, other.duration_s) && eq(self.exposure, other.exposure)
        }
    }
}

/// The edges of a route with the fraction of each travelled.
fn travelled(path: &PathResult) -> Vec<(EdgeId, f64)> {
    match path.edges.as_slice() {
        [] => Vec::new(),
        [e] => vec![(*e, (path.target.fraction - path.source.fraction).abs())],
        [first, middle @ .., last] => {
            let mut out = Vec::with_capacity(path.edges.len());
            out.push((*first, 1.0 - path.source.fraction));
            out.extend(middle.iter().map(|&e| (e, 1.0)));
            out.push((*last, path.target.fraction));
            out
        }
    }
}

impl Engine {
    /// The safer route between two points and, when asked, alternatives along the risk–time
    /// Pareto front. See the [module docs](self).
    ///
    /// # Errors
    /// [`EngineError::Invalid`] for an aversion outside 0..=1 or more than
    /// [`MAX_ALTERNATIVES`]; [`EngineError::Snap`] (`what` = `from` or `to`) when a point is
    /// farther than the snapping limit from any road the profile may use (e.g. in the sea);
    /// [`EngineError::Unreachable`] when no route joins them (closed roads, avoid areas).
    pub fn route(&self, q: &RouteQuery) -> Result<RouteAnswer, EngineError> {
        q.validate()?;
        let from = self.snap(q.from, q.profile, q.allow_rail, "from")?;
        let to = self.snap(q.to, q.profile, q.allow_rail, "to")?;
        let avoided = self.edges_in_areas(&q.avoid);

        // The requested aversion first, then the fastest, then the sweep.
        let mut aversions = vec![q.aversion, 0.0];
        if q.alternatives > 0 {
            aversions.extend_from_slice(&SWEEP);
        }
        let mut seen = Vec::new();
        aversions.retain(|a| {
            let new = !seen.contains(a);
            seen.push(*a);
            new
        });
        // The shared CCH metrics where there is one (see `speedup`); avoid areas are per
        // request, so such requests, and aversions off the ladder, search with Dijkstra.
        let metrics: Vec<Option<Arc<CchMetric>>> = aversions
            .iter()
            .map(|&a| {
                q.avoid
                    .is_empty()
                    .then(|| self.cch_metric(q.profile, q.allow_rail, a))
                    .flatten()
            })
            .collect();
        let slow: Vec<f64> = aversions
            .iter()
            .zip(&metrics)
            .filter(|(_, m)| m.is_none())
            .map(|(&a, _)| a)
            .collect();
        let mut slow_weights = self
            .route_weights(q.profile, q.allow_rail, &slow, &avoided)
            .into_iter();
        let searches: Vec<(f64, Search)> = aversions
            .iter()
            .zip(metrics)
            .map(|(&a, m)| match m {
                Some(m) => (a, Search::Cch(m)),
                None => (a, Search::Dijkstra(slow_weights.next().unwrap_or_default())),
            })
            .collect();
        let one = |(aversion, search): &(f64, Search)| {
            let path = self.search(search, &from, &to);
            path.map(|path| self.candidate(q.profile, *aversion, path))
        };
        // CCH searches take well under a millisecond: handing them to other threads costs
        // more than it saves (and waits on busy cores); Dijkstra searches run in parallel.
        let found: Vec<Option<Candidate>> = if slow.is_empty() {
            searches.iter().map(one).collect()
        } else {
            searches.par_iter().map(one).collect()
        };
        drop(searches);
        let mut candidates: Vec<Candidate> = found.into_iter().flatten().collect();
        if candidates.is_empty() || candidates[0].aversion != q.aversion {
            // The blocked edges are the same at every aversion: all searches fail together.
            return Err(self.why_unreachable(q, &from, &to, &avoided));
        }

        // 1. The front: no identical routes, nothing dominated (the requested one stays first).
        let mut unique: Vec<Candidate> = Vec::with_capacity(candidates.len());
        for c in candidates.drain(..) {
            if !unique.iter().any(|u| u.path.edges == c.path.edges) {
                unique.push(c);
            }
        }
        let dominated: Vec<bool> = unique
            .iter()
            .map(|c| unique.iter().any(|o| o.dominates(c)))
            .collect();
        let requested = unique[0].clone();
        let lambda_s = q.aversion * self.config.aversion_scale * 3600.0;
        let generalised = |c: &Candidate| c.duration_s + lambda_s * c.exposure;
        let mut front: Vec<Candidate> = Vec::with_capacity(unique.len());
        for (c, d) in unique.into_iter().zip(dominated) {
            if !d && !front.iter().any(|f| f.ties(&c)) {
                front.push(c);
            }
        }
        // 2. The chosen route: the requested one, or the best route dominating it.
        let chosen_at = front
            .iter()
            .position(|c| c.path.edges == requested.path.edges)
            .or_else(|| {
                (0..front.len())
                    .filter(|&i| front[i].dominates(&requested) || front[i].ties(&requested))
                    .min_by(|&a, &b| generalised(&front[a]).total_cmp(&generalised(&front[b])))
            })
            .unwrap_or(0);
        let fastest = front
            .iter()
            .min_by(|a, b| {
                a.duration_s
                    .total_cmp(&b.duration_s)
                    .then(a.exposure.total_cmp(&b.exposure))
            })
            .cloned()
            .expect("the front holds the chosen route");
        let chosen = front.swap_remove(chosen_at);

        // 3. Alternatives: fastest, safest, then the most distinct, skipping near-duplicates.
        let mut kept = vec![chosen];
        let span = |f: fn(&Candidate) -> f64| {
            let lo = front.iter().map(f).fold(f64::INFINITY, f64::min);
            let hi = front.iter().map(f).fold(f64::NEG_INFINITY, f64::max);
            if hi > lo {
                hi - lo
            } else {
                1.0
            }
        };
        let (t_span, e_span) = (span(|c| c.duration_s), span(|c| c.exposure));
        let mut pool = front;
        let mut picks = 0;
        while kept.len() <= q.alternatives && !pool.is_empty() {
            let next = match picks {
                0 => position_min(&pool, |c| (c.duration_s, c.exposure)),
                1 => position_min(&pool, |c| (c.exposure, c.duration_s)),
                _ => position_min(&pool, |c| {
                    let nearest = kept
                        .iter()
                        .map(|k| {
                            ((c.duration_s - k.duration_s) / t_span)
                                .hypot((c.exposure - k.exposure) / e_span)
                        })
                        .fold(f64::INFINITY, f64::min);
                    (-nearest, c.duration_s)
                }),
            };
            picks += 1;
            let c = pool.swap_remove(next);
            if kept
                .iter()
                .all(|k| self.overlap(&k.path, &c.path) <= MAX_OVERLAP)
            {
                kept.push(c);
            }
        }
        kept[1..].sort_by(|a, b| a.duration_s.total_cmp(&b.duration_s));

        let fastest_summary = {
            let c = &kept[0];
            let slower = c.duration_s > fastest.duration_s + 1e-9 * fastest.duration_s.max(1.0);
            slower.then_some(RouteSummary {
                distance_m: fastest.distance_m,
                duration_s: fastest.duration_s,
                risk_exposure: fastest.exposure,
                aversion_used: fastest.aversion,
            })
        };
        let routes = kept
            .into_iter()
            .enumerate()
            .map(|(i, c)| self.describe(q.profile, c, i == 0))
            .collect();
        Ok(RouteAnswer {
            routes,
            fastest: fastest_summary,
            from,
            to,
        })
    }

    /// One search between two snaps: on a CCH metric, or by Dijkstra.
    fn search(&self, search: &Search, from: &Snap, to: &Snap) -> Option<PathResult> {
        let graph = self.graph();
        let dijkstra = |w: &[u32]| ROUTER.with(|r| r.borrow_mut().route(graph, w, from, to));
        match search {
            Search::Dijkstra(w) => dijkstra(w),
            Search::Cch(m) => {
                let answer = self.cch_index().map(|index| {
                    CCH_QUERY.with(|q| q.borrow_mut().route(graph, index, m, from, to))
                });
                match answer {
                    Some(CchAnswer::Route(p)) => Some(p),
                    _ => dijkstra(m.weights()),
                }
            }
        }
    }

    /// The same weights as [`Engine::weights`], for several aversions at once and with the
    /// avoid areas already turned into an edge mask: one parallel pass over the edges reads
    /// each edge's time, blocks and risk once and writes one weight per aversion (the edge
    /// data is the memory traffic; 4 bytes per edge and aversion are written).
    pub(crate) fn route_weights(
        &self,
        profile: Profile,
        allow_rail: bool,
        aversions: &[f64],
        avoided: &[bool],
    ) -> Vec<Vec<u32>> {
        const CHUNK: usize = 1 << 15;
        if aversions.is_empty() {
            return Vec::new();
        }
        let graph = self.graph();
        let risks = self.edge_risk(profile);
        let m = graph.edge_count();
        let lambdas: Vec<f64> = aversions
            .iter()
            .map(|a| a * self.config.aversion_scale)
            .collect();
        let mut out: Vec<Vec<u32>> = aversions.iter().map(|_| vec![BLOCKED; m]).collect();
        let mut chunks: Vec<Vec<&mut [u32]>> = (0..m.div_ceil(CHUNK)).map(|_| Vec::new()).collect();
        for v in &mut out {
            for (c, part) in chunks.iter_mut().zip(v.chunks_mut(CHUNK)) {
                c.push(part);
            }
        }
        chunks
            .into_par_iter()
            .enumerate()
            .for_each(|(i, mut parts)| {
                let start = i * CHUNK;
                let len = parts.first().map_or(0, |p| p.len());
                for j in 0..len {
                    let e = EdgeId((start + j) as u32);
                    // As `weights_with`: unusable edges are blocked before anything else.
                    if !graph.usable(e, profile, allow_rail)
                        || self.hard_blocked(e, profile)
                        || avoided.get(e.index()).copied().unwrap_or(false)
                    {
                        continue; // already BLOCKED
                    }
                    let t = f64::from(graph.time_ds(profile, e));
                    let rho = risks[e.index()].mean_density();
                    for (part, lambda) in parts.iter_mut().zip(&lambdas) {
                        let w = t * (1.0 + lambda * rho);
                        part[j] = w.round().clamp(1.0, f64::from(BLOCKED - 1)) as u32;
                    }
                }
            });
        out
    }

    /// The safe route (generalised weights `weights`) between two snaps, with its figures:
    /// `(distance_m, duration_s, risk_exposure)`; `None` when unreachable.
    pub(crate) fn route_figures(
        &self,
        profile: Profile,
        weights: &[u32],
        from: &crate::Snap,
        to: &crate::Snap,
    ) -> Option<(f64, f64, f64)> {
        let path = ROUTER.with(|r| r.borrow_mut().route(self.graph(), weights, from, to))?;
        let c = self.candidate(profile, 0.0, path);
        Some((c.distance_m, c.duration_s, c.exposure))
    }

    fn candidate(&self, profile: Profile, aversion: f64, path: PathResult) -> Candidate {
        let graph = self.graph();
        let (mut duration_ds, mut exposure) = (0.0, 0.0);
        for (e, f) in travelled(&path) {
            duration_ds += f64::from(graph.time_ds(profile, e)) * f;
            exposure += self.exposure(e, profile, f);
        }
        Candidate {
            aversion,
            distance_m: path.length_m(graph),
            duration_s: duration_ds / 10.0,
            exposure,
            path,
        }
    }

    /// Shared length of two routes over the longer one's length (a road and its twin are the
    /// same road).
    fn overlap(&self, a: &PathResult, b: &PathResult) -> f64 {
        let graph = self.graph();
        let piece = |e: EdgeId| graph.twin(e).map_or(e.0, |t| t.0.min(e.0));
        let lengths = |p: &PathResult| {
            let mut m: HashMap<u32, f64> = HashMap::with_capacity(p.edges.len());
            for (e, f) in travelled(p) {
                *m.entry(piece(e)).or_default() += f64::from(graph.length_m(e)) * f;
            }
            m
        };
        let (la, lb) = (lengths(a), lengths(b));
        let shared: f64 = la
            .iter()
            .filter_map(|(k, &x)| lb.get(k).map(|&y| x.min(y)))
            .sum();
        let longest = la.values().sum::<f64>().max(lb.values().sum::<f64>());
        if longest > 0.0 {
            shared / longest
        } else {
            1.0
        }
    }

    fn describe(&self, profile: Profile, c: Candidate, chosen: bool) -> Route {
        let graph = self.graph();
        let parts = travelled(&c.path);
        let cells = self.edge_cells();
        let explanation = self.risk().explain(
            parts.iter().flat_map(|&(e, f)| {
                cells
                    .cells_of(e.index())
                    .iter()
                    .map(move |&(cell, len)| (cell, len * f))
            }),
            risk_profile(profile),
            TOP_CELLS,
        );
        let names = self.road_names();
        let mut by_label: HashMap<&str, f64> = HashMap::new();
        for &(e, f) in &parts {
            if let Some(label) = names.label(graph.segment_of(e)) {
                *by_label.entry(label).or_default() += f64::from(graph.length_m(e)) * f;
            }
        }
        let mut roads: Vec<RoadShare> = by_label
            .into_iter()
            .filter(|(_, d)| *d > 0.0)
            .map(|(label, distance_m)| RoadShare {
                label: label.to_owned(),
                distance_m,
            })
            .collect();
        roads.sort_by(|a, b| {
            b.distance_m
                .total_cmp(&a.distance_m)
                .then_with(|| a.label.cmp(&b.label))
        });
        roads.truncate(TOP_ROADS);
        let mut geometry = c.path.geometry(graph);
        if geometry.len() == 1 {
            geometry.push(geometry[0]);
        }
        Route {
            geometry,
            distance_m: c.distance_m,
            duration_s: c.duration_s,
            risk_exposure: c.exposure,
            aversion_used: c.aversion,
            cost_ds: c.path.cost,
            chosen,
            edges: c.path.edges,
            from: c.path.source,
            to: c.path.target,
            roads,
            explanation,
        }
    }

    /// Why no route was found between two snapped points.
    fn why_unreachable(
        &self,
        q: &RouteQuery,
        from: &Snap,
        to: &Snap,
        avoided: &[bool],
    ) -> EngineError {
        let weights = self
            .route_weights(q.profile, q.allow_rail, &[0.0], avoided)
            .swap_remove(0);
        let graph = self.graph();
        let open = |s: &Snap| {
            weights[s.edge.index()] != BLOCKED
                || graph
                    .twin(s.edge)
                    .is_some_and(|t| weights[t.index()] != BLOCKED)
        };
        let reason = if !open(from) {
            "the road at `from` is closed (an alert blocks it or it lies in an avoid area)"
        } else if !open(to) {
            "the road at `to` is closed (an alert blocks it or it lies in an avoid area)"
        } else {
            let plain = weights_time(graph, q.profile, q.allow_rail);
            let connected =
                ROUTER.with(|r| r.borrow_mut().route(graph, &plain, from, to).is_some());
            if connected {
                "every way between `from` and `to` crosses a road closed by an alert or an avoid area"
            } else {
                "`from` and `to` are not connected by roads usable with this profile"
            }
        };
        EngineError::Unreachable { reason }
    }
}

/// Index of the element with the least key (the first on ties).
fn position_min<K: PartialOrd>(items: &[Candidate], key: impl Fn(&Candidate) -> K) -> usize {
    let mut best = 0;
    for i in 1..items.len() {
        if key(&items[i]) < key(&items[best]) {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{EngineConfig, EngineData, WeightQuery};
    use crate::{Incident, IncidentCategory, SourceKey};
    use chrono::{TimeZone, Utc};

    fn engine() -> Engine {
        let roads = senda_testkit_free_grid();
        let at = Utc.with_ymd_and_hms(2025, 10, 1, 0, 0, 0).unwrap();
        let incidents = (0..20)
            .map(|i| {
                Incident::new(
                    SourceKey::new("t", i.to_string()).unwrap(),
                    LonLat::new(
                        -92.0 + 0.002 * f64::from(i % 5),
                        14.0 + 0.002 * f64::from(i / 5),
                    )
                    .unwrap(),
                    Utc.with_ymd_and_hms(2025, 9, 1, 0, 0, 0).unwrap(),
                    IncidentCategory::Kidnapping,
                    1,
                )
                .unwrap()
            })
            .collect();
        let data = EngineData {
            roads,
            incidents,
            ..EngineData::default()
        };
        Engine::build(data, at, EngineConfig::default()).unwrap()
    }

    /// A 12 × 12 street grid, 0.002° apart.
    fn senda_testkit_free_grid() -> Vec<RoadSegment> {
        let p = |i: usize, j: usize| {
            LonLat::new(-92.0 + 0.002 * i as f64, 14.0 + 0.002 * j as f64).unwrap()
        };
        let mut out = Vec::new();
        for i in 0..12 {
            for j in 0..12 {
                for (di, dj) in [(1, 0), (0, 1)] {
                    if i + di < 12 && j + dj < 12 {
                        out.push(
                            RoadSegment::new(
                                SourceKey::new("grid", format!("{i}-{j}-{di}")).unwrap(),
                                crate::RoadClass::Residential,
                                vec![p(i, j), p(i + di, j + dj)],
                            )
                            .unwrap(),
                        );
                    }
                }
            }
        }
        out
    }

    #[test]
    fn route_weights_equal_engine_weights() {
        let e = engine();
        let square = geo::Polygon::new(
            geo::LineString::from(vec![
                (-91.991, 14.009),
                (-91.985, 14.009),
                (-91.985, 14.015),
                (-91.991, 14.015),
                (-91.991, 14.009),
            ]),
            vec![],
        );
        for avoid in [vec![], vec![square]] {
            let mask = e.edges_in_areas(&avoid);
            let aversions = [0.0, 0.03, 0.5, 1.0];
            for profile in Profile::ALL {
                for allow_rail in [false, true] {
                    let all = e.route_weights(profile, allow_rail, &aversions, &mask);
                    for (&aversion, w) in aversions.iter().zip(all) {
                        let q = WeightQuery {
                            profile,
                            aversion,
                            allow_rail,
                            avoid: avoid.clone(),
                        };
                        assert_eq!(w, e.weights(&q).unwrap());
                    }
                }
            }
        }
    }

    #[test]
    fn road_names_store_each_text_once() {
        let mut roads = senda_testkit_free_grid();
        roads.truncate(3);
        roads[0].route_ref = Some("MEX200".into());
        roads[1].route_ref = Some(" MEX200 ".into());
        roads[1].name = Some("Costera".into());
        let names = RoadNames::new(&roads);
        assert_eq!(names.texts.len(), 2);
        assert_eq!(names.label(0), Some("MEX200"));
        assert_eq!(names.name(1), Some("Costera"));
        assert_eq!(names.label(2), None);
        assert_eq!(names.label(99), None);
    }

    #[test]
    fn travelled_fractions() {
        let e = engine();
        let q = RouteQuery::new(
            LonLat::new(-91.9990, 14.0).unwrap(),
            LonLat::new(-91.9850, 14.0001).unwrap(),
        );
        let a = e.route(&q).unwrap();
        let r = a.chosen();
        let parts = travelled(&PathResult {
            cost: r.cost_ds,
            edges: r.edges.clone(),
            source: r.from,
            target: r.to,
        });
        let len: f64 = parts
            .iter()
            .map(|&(e2, f)| f64::from(e.graph().length_m(e2)) * f)
            .sum();
        assert!((len - r.distance_m).abs() < 1e-6, "{len} {}", r.distance_m);
    }
}
