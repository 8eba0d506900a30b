//! Stage plans: a journey split into legs of at most a daily travel time, each ending at a
//! shelter, else in a town, else at a point by the road (both flagged), the last at the
//! destination. A plan exists whenever the destination is reachable.
//!
//! # Algorithm
//! 1. **Fastest route** from the start to the destination over travel time
//!    ([`Router::route`]). None: [`NoPlan::Unreachable`], the only way a plan can fail
//!    besides [`NoPlan::TooManyDays`]. Its time `T` bounds the days: no sequence of stops
//!    takes fewer than `⌈T / day⌉` days (up to a decisecond of rounding per night, see 5).
//! 2. **Stops**: the start, the destination, and
//!    - the shelters of kind [`ShelterKind::Shelter`] snapped for the profile (public ones
//!      unless the query includes restricted ones);
//!    - the **towns** of the gazetteer ([`Engine::places`], GeoNames places of 1,000 or more
//!      inhabitants; not the border crossings senda adds) whose snap for the profile
//!      ([`Engine::place_snaps`]) is within [`TOWN_MAX_ACCESS_M`] of the road;
//!    - the **roadside points** of the fastest route ([`roadside`]): the furthest point a
//!      day's travel reaches from the start, from that point the next, and so on, and the
//!      points every sixteenth of a day after the start and after each of them (split inside
//!      an edge where needed). The whole-day points alone make a plan of `D = ⌈T / day⌉`
//!      days, so a plan always exists and the fewest nights is `D − 1` (or, by rounding,
//!      fewer).
//!
//!    Stops that no `D`-day plan can use are dropped: with `t_from`/`t_to` the fastest times
//!    from the start and to the destination (one search each way), a stop needs
//!    `⌈t_from / day⌉ + ⌈t_to / day⌉ ≤ D`.
//! 3. **One day from a stop** (when the plan search settles it, see `day.rs`): a Dijkstra
//!    over travel time bounded by the daily limit gives every stop within a day exactly (the
//!    same partial first/last edges as [`Router::route`], and along a shared piece of road
//!    directly), and the generalised cost of its fastest route. A second Dijkstra over the
//!    generalised weights, bounded by the largest of those costs, finds the least-cost route
//!    to each of those stops and its travel time. A leg takes the cheapest route of either
//!    tree that fits the day — the least-risk route when it fits, otherwise a faster one
//!    (never longer than the limit).
//! 4. **Plan**: a Dijkstra over stops with lexicographic keys
//!    `(weighted nights, nights without a shelter, roadside nights, cost)`. By default
//!    ([`PlanQuery::prefer_towns`]) a night at a shelter or in a town weighs 2 and a night by
//!    the road 3 ([`NIGHT_WEIGHT`]): a plan takes up to half a night more to avoid a roadside
//!    night, within a horizon of `D + ⌈(D − 1) / 2⌉` days (the roadside chain weighs
//!    `3 (D − 1)`, so no plan of less weight has more days; the pruning below uses the
//!    horizon). When `max_days` cuts the horizon short and no plan fits, or the plan needs
//!    more days than allowed, the plan is made fewest nights first (weights 1 and 1, horizon
//!    `D`): the fewest nights first,
//!    then the fewest nights in towns or by the road, then the fewest by the road, then the
//!    least generalised cost plus a **town preference**: a night in a town adds
//!    [`town_night_penalty_s`] (up to [`TOWN_NIGHT_PENALTY_S`], less for bigger towns and
//!    towns with a bus or rail station within [`STATION_RADIUS_M`]). A stop reached after
//!    `n` nights is not explored when `n + ⌈t_to / day⌉` exceeds the horizon. Reaching the destination ends
//!    the search. A flagged night's note says where it is (the town, or the roadside point
//!    named by the nearest town) and whether any shelter (or town) lay within that day at
//!    all, pruned or not.
//! 5. **Rounding**: partial edges cost `round(weight × fraction)`, so a stop inside an edge
//!    can make two legs through it a decisecond shorter than the route they form. Every
//!    bound above subtracts a slack of `D` deciseconds (at least one per night), so the
//!    pruning never drops a stop a plan with the fewest nights could use.
//!
//! The number of nights is exact over the stops: a leg exists exactly when the fastest route
//! between two stops fits the day (checked in `tests/plan.rs` against a search over the same
//! stops with [`Router::route`], and a plan exists exactly when `Router::route` finds a
//! route). Within a leg the time-constrained least-cost route is NP-hard in general; taking
//! the best of the least-cost and the fastest trees is the documented approximation. Leg
//! distances and times are along the network between snapped points; `access_m` is the
//! straight-line distance between the stops and the network.
//!
//! A plan of more than `max_days` days (default and most [`MAX_DAYS`]) is
//! [`NoPlan::TooManyDays`], naming the days it needs.
//!
//! [`Router::route`]: crate::search::Router::route

mod day;
pub mod roadside;

use super::nearest::{direct_along, Arrivals};
use super::{Engine, EngineError, WeightQuery};
use crate::graph::Profile;
use crate::search::{source_seeds, target_seeds, Direction, Router, BLOCKED};
use crate::{
    EdgeId, InvalidValue, LonLat, NodeId, PlaceId, ShelterKind, Snap, TransitKind, Visibility,
};
use day::{Hop, Planner};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Most days a plan may have (and the largest `max_days`): a year.
pub const MAX_DAYS: u32 = 365;
/// Why a `max_days` is refused ([`InvalidValue`] reasons are static text; a test checks it
/// names [`MAX_DAYS`]).
const MAX_DAYS_REASON: &str = "must be from 1 to 365";
/// Most generalised seconds a night in a town adds to a plan's cost (a town of 1,000 people
/// without a station); see [`town_night_penalty_s`].
pub const TOWN_NIGHT_PENALTY_S: f64 = 1_800.0;
/// Farthest a town may lie from the road to be a stop, metres: further, the night would add
/// an hour's walk to the day.
pub const TOWN_MAX_ACCESS_M: f64 = 3_000.0;
/// A bus or rail station this close to a town counts as the town's, metres.
pub const STATION_RADIUS_M: f64 = 2_000.0;

/// What a night in a town adds to the plan's cost, seconds: the planner prefers towns with
/// more people and with a bus or rail station (more services, a way on), at the price of a
/// little more risk or travel.
///
/// `TOWN_NIGHT_PENALTY_S × (1 − s / 4)` with `s = min(log10(population / 1,000), 3)`, plus
/// 1 for a station: 30 min for a town of 1,000 without a station, 15 min for 100,000, none
/// for a city of a million with a station.
///
/// ```
/// use senda_core::engine::plan::town_night_penalty_s;
/// assert_eq!(town_night_penalty_s(1_000, false), 1_800.0);
/// assert_eq!(town_night_penalty_s(100_000, false), 900.0);
/// assert_eq!(town_night_penalty_s(2_000_000, true), 0.0);
/// ```
pub fn town_night_penalty_s(population: u32, station: bool) -> f64 {
    let size = (f64::from(population.max(1_000)) / 1_000.0)
        .log10()
        .min(3.0);
    let score = size + if station { 1.0 } else { 0.0 };
    TOWN_NIGHT_PENALTY_S * (1.0 - score / 4.0)
}

/// A stage-plan query. Build it with [`PlanQuery::new`] and set what differs.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanQuery {
    pub from: LonLat,
    pub to: LonLat,
    /// Most travel in one day, hours: `0 < h <= 24`. Default 8.
    pub max_daily_hours: f64,
    /// Most days the plan may have: `1..=`[`MAX_DAYS`]. Default `None` ([`MAX_DAYS`]).
    pub max_days: Option<u32>,
    /// Default foot.
    pub profile: Profile,
    /// 0 (fastest) ..= 1 (safest). Default 0.5.
    pub aversion: f64,
    /// Whether foot routes may follow rail lines. Default false.
    pub allow_rail: bool,
    /// Whether restricted shelters may be stops (analyst role only). Default false.
    pub include_restricted: bool,
    /// Whether a night in a town or at a shelter is worth more travel days than a night by
    /// the road. Default **true**: a roadside night counts as one and a half nights (see
    /// [`NIGHT_WEIGHT`]), so a plan takes up to half a night more per roadside night it
    /// avoids. `false`: the fewest nights first, whatever the nights are.
    pub prefer_towns: bool,
}

/// With [`PlanQuery::prefer_towns`]: what a night adds to the plan's first key, in halves of
/// a night — a night at a shelter or in a town 2, a night by the road 3. Sleeping by the road
/// is what the product exists to avoid; one and a half is the most a roadside night may
/// cost without making plans that add days to dodge one: on the default data it turns 41
/// roadside nights of 44 on Tapachula → Monterrey on foot into a handful, for a few more
/// days.
pub const NIGHT_WEIGHT: (u32, u32) = (2, 3);

impl PlanQuery {
    pub fn new(from: LonLat, to: LonLat) -> Self {
        Self {
            from,
            to,
            max_daily_hours: 8.0,
            max_days: None,
            profile: Profile::Foot,
            aversion: 0.5,
            allow_rail: false,
            include_restricted: false,
            prefer_towns: true,
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
        if let Some(d) = self.max_days {
            if !(1..=MAX_DAYS).contains(&d) {
                return Err(InvalidValue::new("max_days", d, MAX_DAYS_REASON).into());
            }
        }
        Ok(())
    }
}

/// Where a leg ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LegEnd {
    /// At a shelter (index into [`Engine::shelters`]).
    Shelter {
        idx: usize,
    },
    /// In a town of the gazetteer ([`Engine::places`]): no plan with as few nights ends this
    /// day at a known shelter. Flagged.
    Town {
        place: PlaceId,
    },
    /// At a point by the road (on the fastest route): no plan with as few nights ends this
    /// day at a known shelter or in a town. Flagged.
    Roadside {
        at: LonLat,
    },
    Destination,
}

impl LegEnd {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Shelter { .. } => "shelter",
            Self::Town { .. } => "town",
            Self::Roadside { .. } => "roadside",
            Self::Destination => "destination",
        }
    }

    /// Whether the night is away from a known shelter (in a town or by the road).
    pub fn is_flagged(self) -> bool {
        matches!(self, Self::Town { .. } | Self::Roadside { .. })
    }
}

/// One day of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Leg {
    /// Where the leg starts (the start or the previous stop's position).
    pub from: LonLat,
    /// Where it ends (the shelter's or town's position, the roadside point, or the
    /// destination).
    pub to: LonLat,
    pub end: LegEnd,
    /// Along the network between the snapped points.
    pub distance_m: f64,
    /// Travel time; never more than the daily limit.
    pub duration_s: f64,
    /// Generalised cost, seconds (the town preference not included).
    pub cost_s: f64,
    pub risk_exposure: f64,
    /// Straight-line distance from `from` to the network plus from the network to `to`.
    pub access_m: f64,
    /// Whether the leg follows a least-risk (least generalised cost) route; `false` when that
    /// route takes longer than the daily limit and the leg follows a faster one.
    pub safest: bool,
    /// The route's line between the snapped points.
    pub geometry: Vec<LonLat>,
    /// Why the night is not at a shelter, and where it is, for flagged legs.
    pub note: Option<String>,
}

/// A stage plan: legs in travel order (none when the start is the destination).
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub legs: Vec<Leg>,
    pub nights: u32,
    /// Nights in towns or by the road rather than at shelters.
    pub nights_without_shelter: u32,
    /// Nights by the road (also counted in `nights_without_shelter`).
    pub roadside_nights: u32,
    pub max_daily_hours: f64,
    pub total_distance_m: f64,
    pub total_duration_s: f64,
    pub total_cost_s: f64,
    pub total_risk_exposure: f64,
}

impl Plan {
    /// Days of travel (legs).
    pub fn days(&self) -> u32 {
        self.legs.len() as u32
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum StopKind {
    Start,
    Destination,
    Shelter(usize),
    Town { place: PlaceId, station: bool },
    Roadside,
}

#[derive(Debug, Clone, Copy)]
struct Stop {
    kind: StopKind,
    snap: Snap,
    at: LonLat,
    /// Added to the cost key for a night here (the town preference), deciseconds.
    night_ds: u64,
}

impl StopKind {
    fn is_flagged(self) -> bool {
        matches!(self, Self::Town { .. } | Self::Roadside)
    }
}

impl Stop {
    fn is_shelter(&self) -> bool {
        matches!(self.kind, StopKind::Shelter(_))
    }

    fn is_shelter_or_town(&self) -> bool {
        matches!(self.kind, StopKind::Shelter(_) | StopKind::Town { .. })
    }
}

const START: usize = 0;
const DESTINATION: usize = 1;

/// (nights, nights without a shelter, roadside nights, cost with the town preference).
type Key = (u32, u32, u32, u64);

/// A stop's best key so far and the hop it came by.
#[derive(Debug, Clone, Copy)]
struct StopLabel {
    key: Key,
    via: Option<(usize, Hop)>,
}

impl Engine {
    /// Splits the journey `q.from` → `q.to` into days of at most `q.max_daily_hours` of
    /// travel, each ending at a shelter where one is in reach, else in a town, else by the
    /// road (see the [module docs](self)).
    ///
    /// Errors: an invalid `max_daily_hours`, `max_days` or `aversion`; `from` or `to` far
    /// from any usable road; [`NoPlan::Unreachable`] when no route joins them;
    /// [`NoPlan::TooManyDays`] when the plan needs more than `max_days` days.
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
        if !q.prefer_towns {
            return self.plan_with(q, (1, 1));
        }
        match self.plan_with(q, NIGHT_WEIGHT) {
            // More days than allowed, or cut short by `max_days`: the fewest nights first.
            Err(EngineError::NoPlan(np)) if matches!(*np, NoPlan::TooManyDays { .. }) => {
                self.plan_with(q, (1, 1))
            }
            other => other,
        }
    }

    /// [`Engine::plan`] with `weights` = (a night at a shelter or in a town, a night by the
    /// road) in the first key; (1, 1) is fewest nights first.
    fn plan_with(&self, q: &PlanQuery, weights: (u32, u32)) -> Result<Plan, EngineError> {
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
                nights_without_shelter: 0,
                roadside_nights: 0,
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
        let day = ((q.max_daily_hours * 36_000.0).floor() as u64).max(1);
        let max_days = q.max_days.unwrap_or(MAX_DAYS);
        let too_many = |days: u64| {
            EngineError::NoPlan(Box::new(NoPlan::TooManyDays {
                days: u32::try_from(days).unwrap_or(u32::MAX),
                max_days,
                max_daily_hours: q.max_daily_hours,
            }))
        };
        let mut router = Router::for_graph(graph);

        // 1. The fastest route, and the days it bounds.
        let Some(fastest) = router.route(graph, &time_w, &from, &to) else {
            return Err(EngineError::NoPlan(Box::new(NoPlan::Unreachable {
                profile: q.profile,
            })));
        };
        let total = fastest.cost;
        let estimate = total.div_ceil(day).max(1);
        if total.saturating_sub(estimate + 1).div_ceil(day) > u64::from(MAX_DAYS) {
            // Far beyond any plan: not worth cutting the route into days.
            return Err(too_many(estimate));
        }
        let points = roadside::roadside_points(graph, &time_w, &fastest, day);
        let chain_days = points.iter().filter(|p| p.whole_day).count() as u64 + 1;
        let slack = chain_days;
        let lower = total.saturating_sub(slack).div_ceil(day).max(1);
        if lower > u64::from(max_days) && lower == chain_days {
            return Err(too_many(chain_days));
        }

        // Most days a plan of the least weighted nights can have: with weights (a, r), the
        // roadside chain weighs r × (D − 1), and a plan of n nights at least a × n.
        let (w_town, w_road) = weights;
        let horizon = (chain_days
            + ((chain_days - 1) * u64::from(w_road - w_town)).div_ceil(u64::from(w_town)))
        .min(u64::from(max_days).max(chain_days));
        // 2. Stops.
        let candidates = self.plan_stops(q, &points);
        let t_from = stop_times(&mut router, self, &time_w, &from, &candidates, true);
        let t_to = stop_times(&mut router, self, &time_w, &to, &candidates, false);
        let days_for = |t: u64| t.saturating_sub(slack).div_ceil(day);
        let mut stops = vec![
            Stop {
                kind: StopKind::Start,
                snap: from,
                at: q.from,
                night_ds: 0,
            },
            Stop {
                kind: StopKind::Destination,
                snap: to,
                at: q.to,
                night_ds: 0,
            },
        ];
        // Least days from each stop to the destination.
        let mut need: Vec<u64> = vec![chain_days, 0];
        for (i, s) in candidates.iter().enumerate() {
            let (a, b) = (t_from[i], t_to[i]);
            if a != u64::MAX && b != u64::MAX && days_for(a) + days_for(b) <= horizon {
                stops.push(*s);
                need.push(days_for(b));
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
            day_ds: day,
            stops,
            arrivals,
            router,
            acc: vec![0; graph.node_count()],
            best: vec![None; n_stops],
            least: vec![u64::MAX; n_stops],
            touched: Vec::new(),
        };

        // 4. Dijkstra over stops with lexicographic keys.
        let mut label: Vec<Option<StopLabel>> = vec![None; n_stops];
        let mut done = vec![false; n_stops];
        let mut heap = BinaryHeap::new();
        label[START] = Some(StopLabel {
            key: (0, 0, 0, 0),
            via: None,
        });
        heap.push(Reverse(((0, 0, 0, 0), START)));
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
            // A stop reached after this day ends night `nights + 1`; the days after it must
            // fit the horizon.
            let nights = (key.0 - (w_road - w_town) * key.2) / w_town;
            let left = horizon.checked_sub(u64::from(nights) + 1);
            let hops = planner.explore(a, |b| {
                b == DESTINATION || left.is_some_and(|left| need[b] <= left)
            });
            for hop in hops {
                let b = hop.to;
                if done[b] {
                    continue;
                }
                let (n, ns, rs, c) = key;
                let stop = &planner.stops[b];
                let cost = c + hop.cost;
                let next = match stop.kind {
                    StopKind::Destination => (n, ns, rs, cost),
                    StopKind::Shelter(_) => (n + w_town, ns, rs, cost),
                    StopKind::Town { .. } => (n + w_town, ns + 1, rs, cost + stop.night_ds),
                    StopKind::Roadside => (n + w_road, ns + 1, rs + 1, cost),
                    StopKind::Start => continue,
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
        if !arrived && weights != (1, 1) {
            // The horizon was cut by `max_days`: the caller plans fewest nights first.
            return Err(too_many(horizon + 1));
        }
        if !arrived {
            // The whole-day roadside points always make a plan (see the module docs).
            debug_assert!(false, "no plan over the roadside chain: {q:?}");
            return Err(EngineError::NoPlan(Box::new(NoPlan::Unreachable {
                profile: q.profile,
            })));
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
        let nights = (key.0 - (w_road - w_town) * key.2) / w_town;
        if nights + 1 > max_days {
            return Err(too_many(u64::from(nights) + 1));
        }
        // For the notes of flagged nights: what lay within the day, pruned or not.
        let flagged = chain
            .iter()
            .any(|(_, hop)| planner.stops[hop.to].kind.is_flagged());
        let others: Vec<Stop> = if flagged {
            candidates
                .into_iter()
                .filter(Stop::is_shelter_or_town)
                .collect()
        } else {
            Vec::new()
        };
        let others_arrivals = Arrivals::build(
            graph,
            others.iter().enumerate().map(|(i, s)| (i as u32, &s.snap)),
        );
        let legs: Vec<Leg> = chain
            .into_iter()
            .map(|(a, hop)| {
                let in_reach = if planner.stops[hop.to].kind.is_flagged() {
                    planner.in_reach(a, &others, &others_arrivals)
                } else {
                    (false, false)
                };
                planner.leg(a, &hop, in_reach, q.max_daily_hours)
            })
            .collect();
        Ok(Plan {
            nights,
            nights_without_shelter: key.1,
            roadside_nights: key.2,
            max_daily_hours: q.max_daily_hours,
            total_distance_m: legs.iter().map(|l| l.distance_m).sum(),
            total_duration_s: legs.iter().map(|l| l.duration_s).sum(),
            total_cost_s: legs.iter().map(|l| l.cost_s).sum(),
            total_risk_exposure: legs.iter().map(|l| l.risk_exposure).sum(),
            legs,
        })
    }

    /// The shelters, towns and roadside points a plan may stop at (before pruning).
    fn plan_stops(&self, q: &PlanQuery, points: &[roadside::RoadsidePoint]) -> Vec<Stop> {
        let mut stops = Vec::new();
        for (i, (s, snap)) in self.shelters().iter().zip(self.shelter_snaps()).enumerate() {
            let usable = s.kind == ShelterKind::Shelter
                && (q.include_restricted || s.visibility == Visibility::Public);
            if let (true, Some(snap)) = (usable, snap.for_profile(q.profile)) {
                stops.push(Stop {
                    kind: StopKind::Shelter(i),
                    snap: *snap,
                    at: s.location,
                    night_ds: 0,
                });
            }
        }
        let places = self.places();
        let mut station = vec![false; places.len()];
        for t in self.transit() {
            if matches!(t.kind, TransitKind::BusStation | TransitKind::RailStation) {
                for (p, _) in places.within(t.location, STATION_RADIUS_M) {
                    station[p as usize] = true;
                }
            }
        }
        for (i, (p, snap)) in places.places().iter().zip(self.place_snaps()).enumerate() {
            let Some(snap) = snap.for_profile(q.profile) else {
                continue;
            };
            // geonameid 0: the border crossings senda adds, where a night is a risk in itself.
            if p.geonameid == 0 || snap.distance_m > TOWN_MAX_ACCESS_M {
                continue;
            }
            let penalty_s = town_night_penalty_s(p.population, station[i]);
            stops.push(Stop {
                kind: StopKind::Town {
                    place: PlaceId(i as u32),
                    station: station[i],
                },
                snap: *snap,
                at: p.location,
                night_ds: (penalty_s * 10.0).round() as u64,
            });
        }
        for pt in points {
            stops.push(Stop {
                kind: StopKind::Roadside,
                snap: pt.snap,
                at: pt.snap.point,
                night_ds: 0,
            });
        }
        stops
    }
}

/// The fastest travel time (deciseconds) from `origin` to each stop (`forward`) or from each
/// stop to `origin`, as [`Router::route`](crate::search::Router::route) counts it;
/// `u64::MAX` where there is no route.
fn stop_times(
    router: &mut Router,
    engine: &Engine,
    time_w: &[u32],
    origin: &Snap,
    stops: &[Stop],
    forward: bool,
) -> Vec<u64> {
    let graph = engine.graph();
    let (seeds, direction) = if forward {
        (source_seeds(graph, time_w, origin), Direction::Forward)
    } else {
        (target_seeds(graph, time_w, origin), Direction::Backward)
    };
    let starts: Vec<(NodeId, u64)> = seeds.iter().map(|s| (s.node, s.cost)).collect();
    let reach = router.multi_source(graph, time_w, &starts, direction, u64::MAX);
    stops
        .iter()
        .map(|s| {
            let (ends, direct) = if forward {
                (
                    target_seeds(graph, time_w, &s.snap),
                    direct_along(graph, time_w, origin, &s.snap),
                )
            } else {
                (
                    source_seeds(graph, time_w, &s.snap),
                    direct_along(graph, time_w, &s.snap, origin),
                )
            };
            let via = ends
                .iter()
                .filter_map(|e| reach.cost(e.node).map(|c| c + e.cost))
                .min();
            via.into_iter()
                .chain(direct.map(|d| d.0))
                .min()
                .unwrap_or(u64::MAX)
        })
        .collect()
}

impl Planner<'_> {
    fn leg(&mut self, a: usize, hop: &Hop, in_reach: (bool, bool), max_h: f64) -> Leg {
        let graph = self.engine.graph();
        let walk = self.walk(a, hop);
        let time_ds = walk.time_ds(self.engine, self.profile);
        debug_assert_eq!(time_ds, hop.time_ds);
        debug_assert_eq!(walk.sum(|e| self.gen_w[e.index()]), hop.cost);
        let (start, end) = (&self.stops[a], &self.stops[hop.to]);
        let (shelter_in_reach, town_in_reach) = in_reach;
        let places = self.engine.places();
        let (end_kind, note) = match end.kind {
            StopKind::Shelter(idx) => (LegEnd::Shelter { idx }, None),
            StopKind::Town { place, station } => {
                let why = if shelter_in_reach {
                    "the shelters within a day's travel do not fit a plan with as few nights"
                        .to_owned()
                } else {
                    format!("no known shelter lies within a day's travel ({max_h} h)")
                };
                let p = places.place(place);
                let station = if station {
                    ", a bus or rail station nearby"
                } else {
                    ""
                };
                let note = format!(
                    "no known shelter for this night: {why}; the day ends in {} (a town of {} people{station})",
                    p.label(),
                    p.population
                );
                (LegEnd::Town { place }, Some(note))
            }
            StopKind::Roadside => {
                let why = if town_in_reach {
                    "the shelters and towns within a day's travel do not fit a plan with as few nights"
                        .to_owned()
                } else {
                    format!("no known shelter or town lies within a day's travel ({max_h} h)")
                };
                let note = format!(
                    "no known shelter or town for this night: {why}; the day ends at the {}",
                    roadside::describe(places, end.at)
                );
                (LegEnd::Roadside { at: end.at }, Some(note))
            }
            StopKind::Destination | StopKind::Start => (LegEnd::Destination, None),
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
}

/// Why no stage plan is given.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum NoPlan {
    /// No route joins the start and the destination on the profile's network (closed roads,
    /// or separate networks such as an island).
    Unreachable { profile: Profile },
    /// The plan with the fewest days needs `days`, more than `max_days`.
    TooManyDays {
        days: u32,
        max_days: u32,
        max_daily_hours: f64,
    },
}

impl NoPlan {
    /// A stable machine-readable code: `unreachable`, `too_many_days`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unreachable { .. } => "unreachable",
            Self::TooManyDays { .. } => "too_many_days",
        }
    }
}

impl std::fmt::Display for NoPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unreachable { profile } => {
                let how = match profile {
                    Profile::Foot => "on foot",
                    Profile::Vehicle => "by vehicle",
                };
                write!(
                    f,
                    "no stage plan {how}: no route joins the start and the destination on the \
                     {profile} network (closed roads or separate networks)"
                )
            }
            Self::TooManyDays {
                days,
                max_days,
                max_daily_hours,
            } => write!(
                f,
                "the journey needs {days} days at {max_daily_hours} h of travel a day; the \
                 limit is {max_days}"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_max_days_reason_names_the_limit() {
        assert!(MAX_DAYS_REASON.ends_with(&format!(" {MAX_DAYS}")));
    }
}
