//! Stage plans: a journey split into legs of at most a daily travel time, each ending at a
//! shelter (or, where no shelter is in reach, at a transit point, flagged), the last at the
//! destination.
//!
//! # Algorithm
//! 1. **Stops**: the start, the destination, the shelters of kind [`ShelterKind::Shelter`]
//!    snapped for the profile (public ones unless the query includes restricted ones) and, as
//!    a fallback, the transit points snapped for the profile (bus and rail stations, rail
//!    yards, towns, ports, airports — not checkpoints or border crossings, where a night is a
//!    risk in itself, nor the stops of urban public transport,
//!    [`TransitKind::is_local_stop`]: no refuge either, and thousands per city would each
//!    cost a day's search).
//! 2. **One day from a stop** (computed when the plan search first settles that stop):
//!    a Dijkstra over travel time bounded by the daily limit gives every stop within a day
//!    exactly (the same partial first/last edges as [`Router::route`], and along a shared
//!    piece of road directly), and the generalised cost of its fastest route. A second
//!    Dijkstra over the generalised weights, bounded by the largest of those costs, finds the
//!    least-cost route to each of those stops and its travel time. A leg takes the cheapest
//!    route of either tree that fits the day — the least-risk route when it fits, otherwise a
//!    faster one (never longer than the limit).
//! 3. **Plan**: a Dijkstra over stops with lexicographic keys (nights, nights at transit
//!    points, generalised cost): the fewest nights first, then the fewest nights away from a
//!    shelter, then the least risk. Reaching the destination ends the search.
//!
//! The number of nights is exact: a leg exists exactly when the fastest route fits the day
//! (checked in `tests/plan.rs` against a breadth-first search over stops with
//! [`Router::route`]). Within a leg the time-constrained least-cost route is NP-hard in
//! general; taking the best of the least-cost and the fastest trees is the documented
//! approximation. Leg distances and times are along the network between snapped points;
//! `access_m` is the straight-line distance between the stops and the network.
//!
//! When no plan exists, [`EngineError::NoPlan`] names the failing leg: from the reachable
//! stop nearest to the destination in travel time, how far the destination still is.
//!
//! [`Router::route`]: crate::search::Router::route

use super::nearest::{direct_along, Arrival, Arrivals, Walk};
use super::{Engine, EngineError, WeightQuery};
use crate::graph::Profile;
use crate::search::{partial_cost, source_seeds, target_seeds, Direction, Router, Seed, BLOCKED};
use crate::{EdgeId, InvalidValue, LonLat, NodeId, ShelterKind, Snap, TransitKind, Visibility};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A stage-plan query. Build it with [`PlanQuery::new`] and set what differs.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanQuery {
    pub from: LonLat,
    pub to: LonLat,
    /// Most travel in one day, hours: `0 < h <= 24`. Default 8.
    pub max_daily_hours: f64,
    /// Default foot.
    pub profile: Profile,
    /// 0 (fastest) ..= 1 (safest). Default 0.5.
    pub aversion: f64,
    /// Whether foot routes may follow rail lines. Default false.
    pub allow_rail: bool,
    /// Whether restricted shelters may be stops (analyst role only). Default false.
    pub include_restricted: bool,
}

impl PlanQuery {
    pub fn new(from: LonLat, to: LonLat) -> Self {
        Self {
            from,
            to,
            max_daily_hours: 8.0,
            profile: Profile::Foot,
            aversion: 0.5,
            allow_rail: false,
            include_restricted: false,
        }
    }

    fn validate(&self) -> Result<(), EngineError> {
        let h = self.max_daily_hours;
        if !h.is_finite() || h <= 0.0 || h > 24.0 {
            return Err(InvalidValue::new(
                "max_daily_hours",
                h,
                "must be more than 0 and at most 24",
            )
            .into());
        }
        Ok(())
    }
}

/// Where a leg ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LegEnd {
    /// At a shelter (index into [`Engine::shelters`]).
    Shelter {
        idx: usize,
    },
    /// At a transit point (index into [`Engine::transit`]): no plan with as few nights could
    /// end this day at a shelter. Flagged for the traveller.
    Transit {
        idx: usize,
    },
    Destination,
}

impl LegEnd {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Shelter { .. } => "shelter",
            Self::Transit { .. } => "transit",
            Self::Destination => "destination",
        }
    }

    /// Whether the night is at a transit point instead of a shelter.
    pub fn is_flagged(self) -> bool {
        matches!(self, Self::Transit { .. })
    }
}

/// One day of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Leg {
    /// Where the leg starts (the start or the previous stop's position).
    pub from: LonLat,
    /// Where it ends (the stop's position or the destination).
    pub to: LonLat,
    pub end: LegEnd,
    /// Along the network between the snapped points.
    pub distance_m: f64,
    /// Travel time; never more than the daily limit.
    pub duration_s: f64,
    /// Generalised cost, seconds.
    pub cost_s: f64,
    pub risk_exposure: f64,
    /// Straight-line distance from `from` to the network plus from the network to `to`.
    pub access_m: f64,
    /// Whether the leg follows a least-risk (least generalised cost) route; `false` when that
    /// route takes longer than the daily limit and the leg follows a faster one.
    pub safest: bool,
    /// The route's line between the snapped points.
    pub geometry: Vec<LonLat>,
    /// Why a night is at a transit point, for flagged legs.
    pub note: Option<String>,
}

/// A stage plan: legs in travel order (none when the start is the destination).
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub legs: Vec<Leg>,
    pub nights: u32,
    /// Nights at transit points rather than shelters.
    pub transit_nights: u32,
    pub max_daily_hours: f64,
    pub total_distance_m: f64,
    pub total_duration_s: f64,
    pub total_cost_s: f64,
    pub total_risk_exposure: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StopKind {
    Start,
    Destination,
    Shelter(usize),
    Transit(usize),
}

#[derive(Debug, Clone, Copy)]
struct Stop {
    kind: StopKind,
    snap: Snap,
    at: LonLat,
}

const START: usize = 0;
const DESTINATION: usize = 1;

/// A day's travel from one stop to another.
#[derive(Debug, Clone, Copy)]
struct Hop {
    to: usize,
    time_ds: u64,
    cost: u64,
    safest: bool,
    via: Via,
}

#[derive(Debug, Clone, Copy)]
enum Via {
    /// Along the piece of road both stops lie on.
    Direct { edge: EdgeId, from: f64, to: f64 },
    /// Through a search tree (the generalised one if `least_cost`, else the travel-time
    /// one, run with `limit`) to `node`, then along the arrival edge.
    Tree {
        least_cost: bool,
        limit: u64,
        node: NodeId,
        arrival: Arrival,
    },
}

type Key = (u32, u32, u64);

/// A stop's best key so far and the hop it came by.
#[derive(Debug, Clone, Copy)]
struct StopLabel {
    key: Key,
    via: Option<(usize, Hop)>,
}

struct Planner<'e> {
    engine: &'e Engine,
    profile: Profile,
    gen_w: Vec<u32>,
    time_w: Vec<u32>,
    day_ds: u64,
    stops: Vec<Stop>,
    arrivals: Arrivals,
    router: Router,
    /// Per node: the other criterion summed along the current search tree.
    acc: Vec<u64>,
    best: Vec<Option<Hop>>,
    least: Vec<u64>,
    touched: Vec<usize>,
}

impl Engine {
    /// Splits the journey `q.from` → `q.to` into days of at most `q.max_daily_hours` of
    /// travel, each ending at a shelter where one is in reach (see the [module docs](self)).
    ///
    /// Errors: an invalid `max_daily_hours` or `aversion`; `from` or `to` far from any usable
    /// road; [`EngineError::NoPlan`] when no plan fits the limit.
    ///
    /// ```no_run
    /// # use senda_core::engine::{Engine, EngineError};
    /// # fn demo(engine: &Engine) -> Result<(), EngineError> {
    /// use senda_core::engine::plan::PlanQuery;
    /// use senda_core::LonLat;
    /// let q = PlanQuery::new(LonLat::new(-92.2667, 14.9056)?, LonLat::new(-93.1, 16.75)?);
    /// let plan = engine.plan(&q)?;
    /// for leg in &plan.legs {
    ///     let (km, h) = (leg.distance_m / 1e3, leg.duration_s / 3600.0);
    ///     println!("{km:.1} km, {h:.1} h, ends at {:?}", leg.end);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn plan(&self, q: &PlanQuery) -> Result<Plan, EngineError> {
        q.validate()?;
        let graph = self.graph();
        let from = self.snap(q.from, q.profile, false, "from")?;
        let to = self.snap(q.to, q.profile, false, "to")?;
        let gen_w = self.weights(&WeightQuery {
            profile: q.profile,
            aversion: q.aversion,
            allow_rail: q.allow_rail,
            avoid: Vec::new(),
        })?;
        if q.from == q.to {
            return Ok(Plan {
                legs: Vec::new(),
                nights: 0,
                transit_nights: 0,
                max_daily_hours: q.max_daily_hours,
                total_distance_m: 0.0,
                total_duration_s: 0.0,
                total_cost_s: 0.0,
                total_risk_exposure: 0.0,
            });
        }
        let time_w: Vec<u32> = gen_w
            .iter()
            .enumerate()
            .map(|(e, &w)| {
                if w == BLOCKED {
                    BLOCKED
                } else {
                    graph.time_ds(q.profile, EdgeId(e as u32))
                }
            })
            .collect();

        let mut stops = vec![
            Stop {
                kind: StopKind::Start,
                snap: from,
                at: q.from,
            },
            Stop {
                kind: StopKind::Destination,
                snap: to,
                at: q.to,
            },
        ];
        for (i, (s, snap)) in self.shelters().iter().zip(self.shelter_snaps()).enumerate() {
            let usable = s.kind == ShelterKind::Shelter
                && (q.include_restricted || s.visibility == Visibility::Public);
            if let (true, Some(snap)) = (usable, snap.for_profile(q.profile)) {
                stops.push(Stop {
                    kind: StopKind::Shelter(i),
                    snap: *snap,
                    at: s.location,
                });
            }
        }
        for (i, (t, snap)) in self.transit().iter().zip(self.transit_snaps()).enumerate() {
            let usable = !matches!(
                t.kind,
                TransitKind::Checkpoint | TransitKind::BorderCrossing
            ) && !t.kind.is_local_stop();
            if let (true, Some(snap)) = (usable, snap.for_profile(q.profile)) {
                stops.push(Stop {
                    kind: StopKind::Transit(i),
                    snap: *snap,
                    at: t.location,
                });
            }
        }
        let arrivals = Arrivals::build(
            graph,
            stops
                .iter()
                .enumerate()
                .skip(1)
                .map(|(i, s)| (i as u32, &s.snap)),
        );
        let n_stops = stops.len();
        let mut planner = Planner {
            engine: self,
            profile: q.profile,
            gen_w,
            time_w,
            day_ds: (q.max_daily_hours * 36_000.0).floor() as u64,
            stops,
            arrivals,
            router: Router::for_graph(graph),
            acc: vec![0; graph.node_count()],
            best: vec![None; n_stops],
            least: vec![u64::MAX; n_stops],
            touched: Vec::new(),
        };

        // Dijkstra over stops with lexicographic keys.
        let mut label: Vec<Option<StopLabel>> = vec![None; n_stops];
        let mut done = vec![false; n_stops];
        let mut shelter_in_reach = vec![false; n_stops];
        let mut heap = BinaryHeap::new();
        label[START] = Some(StopLabel {
            key: (0, 0, 0),
            via: None,
        });
        heap.push(Reverse(((0u32, 0u32, 0u64), START)));
        let mut arrived = false;
        while let Some(Reverse((key, a))) = heap.pop() {
            if done[a] || label[a].is_none_or(|l| l.key != key) {
                continue;
            }
            done[a] = true;
            if a == DESTINATION {
                arrived = true;
                break;
            }
            for hop in planner.explore(a) {
                let b = hop.to;
                let kind = planner.stops[b].kind;
                if done[b] {
                    continue;
                }
                if matches!(kind, StopKind::Shelter(_)) {
                    shelter_in_reach[a] = true;
                }
                let next = match kind {
                    StopKind::Destination => (key.0, key.1, key.2 + hop.cost),
                    StopKind::Transit(_) => (key.0 + 1, key.1 + 1, key.2 + hop.cost),
                    _ => (key.0 + 1, key.1, key.2 + hop.cost),
                };
                if label[b].is_none_or(|l| next < l.key) {
                    label[b] = Some(StopLabel {
                        key: next,
                        via: Some((a, hop)),
                    });
                    heap.push(Reverse((next, b)));
                }
            }
        }
        if !arrived {
            return Err(planner.no_plan(q, &label));
        }

        let mut chain = Vec::new();
        let mut b = DESTINATION;
        while let Some(StopLabel {
            via: Some((a, hop)),
            ..
        }) = label[b]
        {
            chain.push((a, hop));
            b = a;
        }
        chain.reverse();
        let key = label[DESTINATION].expect("the destination was reached").key;
        let mut legs = Vec::with_capacity(chain.len());
        for (a, hop) in chain {
            legs.push(planner.leg(a, &hop, shelter_in_reach[a], q.max_daily_hours));
        }
        Ok(Plan {
            nights: key.0,
            transit_nights: key.1,
            max_daily_hours: q.max_daily_hours,
            total_distance_m: legs.iter().map(|l| l.distance_m).sum(),
            total_duration_s: legs.iter().map(|l| l.duration_s).sum(),
            total_cost_s: legs.iter().map(|l| l.cost_s).sum(),
            total_risk_exposure: legs.iter().map(|l| l.risk_exposure).sum(),
            legs,
        })
    }
}

impl Planner<'_> {
    /// The fraction of a seed's edge travelled from the snapped point.
    fn seed_fraction(snap: &Snap, seed: &Seed) -> f64 {
        if seed.edge == snap.edge {
            1.0 - snap.fraction
        } else {
            snap.fraction
        }
    }

    /// Keeps the cheaper (then faster) hop to `hop.to`.
    fn offer(&mut self, hop: Hop) {
        let b = hop.to;
        match &self.best[b] {
            None => {
                self.touched.push(b);
                self.best[b] = Some(hop);
            }
            Some(cur) if (hop.cost, hop.time_ds) < (cur.cost, cur.time_ds) => {
                self.best[b] = Some(hop);
            }
            Some(_) => {}
        }
    }

    /// Every stop within a day of stop `a`, with the leg to it (see the module docs).
    fn explore(&mut self, a: usize) -> Vec<Hop> {
        let graph = self.engine.graph();
        let src = self.stops[a].snap;
        let day = self.day_ds;

        // 1. Travel time, bounded by the day: which stops are in reach, and the generalised
        //    cost of the fastest route to each.
        let seeds = source_seeds(graph, &self.time_w, &src);
        let starts: Vec<(NodeId, u64)> = seeds.iter().map(|s| (s.node, s.cost)).collect();
        let mut hops = Vec::new();
        {
            let reach =
                self.router
                    .multi_source(graph, &self.time_w, &starts, Direction::Forward, day);
            for v in reach.settled() {
                let d = reach.cost(v).expect("settled");
                let g = match reach.parent_edge(v) {
                    None => {
                        let seed = &seeds[reach.origin(v).expect("settled")];
                        partial_cost(
                            self.gen_w[seed.edge.index()],
                            Self::seed_fraction(&src, seed),
                        )
                    }
                    Some(pe) => {
                        self.acc[graph.tail(pe).index()] + u64::from(self.gen_w[pe.index()])
                    }
                };
                self.acc[v.index()] = g;
                for arrival in self.arrivals.at(v) {
                    let b = arrival.point as usize;
                    let tw = self.time_w[arrival.edge.index()];
                    if b == a || tw == BLOCKED {
                        continue;
                    }
                    let t = d + partial_cost(tw, arrival.fraction);
                    if t <= day {
                        let c =
                            g + partial_cost(self.gen_w[arrival.edge.index()], arrival.fraction);
                        hops.push(Hop {
                            to: b,
                            time_ds: t,
                            cost: c,
                            safest: false,
                            via: Via::Tree {
                                least_cost: false,
                                limit: day,
                                node: v,
                                arrival: *arrival,
                            },
                        });
                    }
                }
            }
        }
        for hop in hops.drain(..) {
            self.offer(hop);
        }
        // Along a shared piece of road.
        let on_edge: Vec<Arrival> = self.arrivals.on_edge(graph, src.edge).copied().collect();
        for arrival in on_edge {
            let b = arrival.point as usize;
            if b == a {
                continue;
            }
            let dst = self.stops[b].snap;
            if let Some((c, edge, from, to)) = direct_along(graph, &self.gen_w, &src, &dst) {
                let t = partial_cost(self.time_w[edge.index()], to - from);
                self.least[b] = self.least[b].min(c);
                if t <= day {
                    self.offer(Hop {
                        to: b,
                        time_ds: t,
                        cost: c,
                        safest: false,
                        via: Via::Direct { edge, from, to },
                    });
                }
            }
        }

        // 2. Generalised cost, bounded by the dearest fastest route: the least-cost route to
        //    each stop in reach, taken when it fits the day.
        let limit = self
            .touched
            .iter()
            .filter_map(|&b| self.best[b].map(|h| h.cost))
            .max();
        if let Some(limit) = limit {
            let seeds = source_seeds(graph, &self.gen_w, &src);
            let starts: Vec<(NodeId, u64)> = seeds.iter().map(|s| (s.node, s.cost)).collect();
            let reach =
                self.router
                    .multi_source(graph, &self.gen_w, &starts, Direction::Forward, limit);
            for v in reach.settled() {
                let d = reach.cost(v).expect("settled");
                let t_acc = match reach.parent_edge(v) {
                    None => {
                        let seed = &seeds[reach.origin(v).expect("settled")];
                        partial_cost(
                            self.time_w[seed.edge.index()],
                            Self::seed_fraction(&src, seed),
                        )
                    }
                    Some(pe) => {
                        self.acc[graph.tail(pe).index()] + u64::from(self.time_w[pe.index()])
                    }
                };
                self.acc[v.index()] = t_acc;
                for arrival in self.arrivals.at(v) {
                    let b = arrival.point as usize;
                    let gw = self.gen_w[arrival.edge.index()];
                    if b == a || gw == BLOCKED || self.best[b].is_none() {
                        continue;
                    }
                    let c = d + partial_cost(gw, arrival.fraction);
                    let t =
                        t_acc + partial_cost(self.time_w[arrival.edge.index()], arrival.fraction);
                    self.least[b] = self.least[b].min(c);
                    if t <= day {
                        hops.push(Hop {
                            to: b,
                            time_ds: t,
                            cost: c,
                            safest: false,
                            via: Via::Tree {
                                least_cost: true,
                                limit,
                                node: v,
                                arrival: *arrival,
                            },
                        });
                    }
                }
            }
        }
        for hop in hops.drain(..) {
            self.offer(hop);
        }

        let mut out = Vec::with_capacity(self.touched.len());
        for b in std::mem::take(&mut self.touched) {
            if let Some(mut hop) = self.best[b].take() {
                hop.safest = hop.cost <= self.least[b];
                out.push(hop);
            }
            self.least[b] = u64::MAX;
        }
        // Stops seen only along the shared edge but out of reach keep no state.
        for arrival in self.arrivals.on_edge(graph, src.edge) {
            self.least[arrival.point as usize] = u64::MAX;
        }
        out
    }

    /// The walk of a hop from stop `a` (re-running the search tree it came from).
    fn walk(&mut self, a: usize, hop: &Hop) -> Walk {
        let graph = self.engine.graph();
        let src = self.stops[a].snap;
        let dst = self.stops[hop.to].snap;
        match hop.via {
            Via::Direct { edge, from, to } => Walk::direct(edge, from, to, &src, &dst, hop.cost),
            Via::Tree {
                least_cost,
                limit,
                node,
                arrival,
            } => {
                let weights = if least_cost {
                    &self.gen_w
                } else {
                    &self.time_w
                };
                let seeds = source_seeds(graph, weights, &src);
                let starts: Vec<(NodeId, u64)> = seeds.iter().map(|s| (s.node, s.cost)).collect();
                let reach =
                    self.router
                        .multi_source(graph, weights, &starts, Direction::Forward, limit);
                let middle = reach.path_edges(node).expect("the tree reached the node");
                let root = match middle.first() {
                    Some(&e) => graph.tail(e),
                    None => node,
                };
                debug_assert_eq!(
                    reach.cost(root),
                    Some(seeds[reach.origin(root).unwrap()].cost)
                );
                let seed = seeds[reach.origin(node).expect("reached")];
                Walk::through(&src, &seed, middle, &arrival, &dst, hop.cost)
            }
        }
    }

    fn leg(&mut self, a: usize, hop: &Hop, shelter_in_reach: bool, max_h: f64) -> Leg {
        let graph = self.engine.graph();
        let walk = self.walk(a, hop);
        let time_ds = walk.time_ds(self.engine, self.profile);
        debug_assert_eq!(time_ds, hop.time_ds);
        debug_assert_eq!(walk.sum(|e| self.gen_w[e.index()]), hop.cost);
        let (start, end) = (&self.stops[a], &self.stops[hop.to]);
        let end_kind = match end.kind {
            StopKind::Shelter(idx) => LegEnd::Shelter { idx },
            StopKind::Transit(idx) => LegEnd::Transit { idx },
            _ => LegEnd::Destination,
        };
        let note = match end.kind {
            StopKind::Transit(idx) => {
                let t = &self.engine.transit()[idx];
                let why = if shelter_in_reach {
                    "the shelters further along within a day's travel would make the journey longer"
                } else {
                    "no shelter further along lies within a day's travel"
                };
                Some(format!(
                    "no shelter for this night: {why} ({max_h} h); the day ends at {} ({}), a transit point",
                    t.name,
                    t.kind.as_str()
                ))
            }
            _ => None,
        };
        Leg {
            from: start.at,
            to: end.at,
            end: end_kind,
            distance_m: walk.length_m(graph),
            duration_s: time_ds as f64 / 10.0,
            cost_s: hop.cost as f64 / 10.0,
            risk_exposure: walk.exposure(self.engine, self.profile),
            access_m: start.snap.distance_m + end.snap.distance_m,
            safest: hop.safest,
            geometry: walk.path.geometry(graph),
            note,
        }
    }

    fn describe(&self, s: usize) -> String {
        match self.stops[s].kind {
            StopKind::Start => "the start".to_owned(),
            StopKind::Destination => "the destination".to_owned(),
            StopKind::Shelter(i) => format!("shelter \"{}\"", self.engine.shelters()[i].name),
            StopKind::Transit(i) => {
                let t = &self.engine.transit()[i];
                format!("transit point \"{}\" ({})", t.name, t.kind.as_str())
            }
        }
    }

    /// The error for a plan that cannot be made: the reached stop nearest to the destination
    /// in travel time (fewest nights on a tie), and how far the destination still is.
    fn no_plan(&mut self, q: &PlanQuery, label: &[Option<StopLabel>]) -> EngineError {
        let graph = self.engine.graph();
        let dst = self.stops[DESTINATION].snap;
        let ends: Vec<(NodeId, u64)> = target_seeds(graph, &self.time_w, &dst)
            .iter()
            .map(|s| (s.node, s.cost))
            .collect();
        let mut best: Option<(Option<u64>, u32, usize)> = None;
        {
            let reach =
                self.router
                    .multi_source(graph, &self.time_w, &ends, Direction::Backward, u64::MAX);
            for (s, l) in label.iter().enumerate() {
                let Some(StopLabel { key, .. }) = l else {
                    continue;
                };
                let snap = &self.stops[s].snap;
                let via = source_seeds(graph, &self.time_w, snap)
                    .iter()
                    .filter_map(|seed| reach.cost(seed.node).map(|c| c + seed.cost))
                    .min();
                let direct = direct_along(graph, &self.time_w, snap, &dst).map(|d| d.0);
                let rem = match (via, direct) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                // Some(remaining) before None, then less remaining, then fewer nights.
                let rank = (rem.is_none(), rem, key.0);
                if best.is_none_or(|(r, n, _)| rank < (r.is_none(), r, n)) {
                    best = Some((rem, key.0, s));
                }
            }
        }
        let (rem, nights, s) = best.unwrap_or((None, 0, START));
        let s = if rem.is_none() { START } else { s };
        EngineError::NoPlan(Box::new(NoPlan {
            leg: nights + 1,
            last_stop: self.describe(s),
            last_stop_at: self.stops[s].at,
            nights: if rem.is_none() { 0 } else { nights },
            remaining_h: rem.map(|ds| ds as f64 / 36_000.0),
            max_daily_hours: q.max_daily_hours,
            profile: q.profile,
        }))
    }
}

/// Why no stage plan exists: the leg that cannot be done, starting from the reachable stop
/// nearest (in travel time) to the destination, and how far the destination still is.
#[derive(Debug, Clone, PartialEq)]
pub struct NoPlan {
    /// 1-based number of the leg that fails.
    pub leg: u32,
    /// Where that leg starts: "the start", or a stop's kind and name.
    pub last_stop: String,
    pub last_stop_at: LonLat,
    /// Nights spent before that leg.
    pub nights: u32,
    /// Fastest travel time from there to the destination, hours; `None` when no route joins
    /// them at all.
    pub remaining_h: Option<f64>,
    pub max_daily_hours: f64,
    pub profile: Profile,
}

impl std::fmt::Display for NoPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = match self.profile {
            Profile::Foot => "on foot",
            Profile::Vehicle => "by vehicle",
        };
        let (max, stop) = (self.max_daily_hours, &self.last_stop);
        match self.remaining_h {
            Some(r) => {
                let after = match self.nights {
                    0 => String::new(),
                    1 => " (reached after 1 night)".to_owned(),
                    n => format!(" (reached after {n} nights)"),
                };
                write!(
                    f,
                    "no stage plan with at most {max} h of travel a day {how}: leg {} fails — \
                     from {stop}{after}, the destination is {r:.1} h away and no further \
                     shelter or transit point lies within {max} h on the way",
                    self.leg
                )
            }
            None => write!(
                f,
                "no stage plan {how}: no route joins {stop} and the destination on the {} \
                 network (closed roads or separate networks)",
                self.profile
            ),
        }
    }
}
