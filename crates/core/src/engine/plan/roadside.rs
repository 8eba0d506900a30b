//! Roadside stops: the points along the fastest route where a day (or part of a day) of travel
//! ends. With them a stage plan exists whenever the destination is reachable, and no plan has
//! fewer nights than the chain of whole-day points.
//!
//! # Rule
//! From the start, the **whole-day point** is the furthest point along the fastest route that
//! a day's travel reaches; from it the next one, and so on until the destination is within a
//! day. After the start and after each whole-day point come the **part-day points**: the
//! furthest points within 1/16, 2/16, … 15/16 of a day ([`STEPS_PER_DAY`]; every 30 minutes
//! at 8 h a day), where the destination is further. The whole-day points guarantee the plan
//! and its fewest nights; the part-day points let a plan with as few nights spend a night at
//! a shelter or in a town that shifts it off the whole-day rhythm: the later roadside nights
//! then lose less than a step of each day, instead of having no point within reach. (From
//! 4 to 16 steps a day, the roadside nights of the six default-data trips in
//! `tests/plan_corridor.rs` fell from 68 to 61; a plan stays a few milliseconds on foot.)
//! A point may lie inside an edge
//! (the route's edges are split there): the cuts are placed at a whole number of deciseconds
//! into the edge, so that leaving a point costs exactly the rest of the edge and the legs of
//! the chain add up to the route's time with no rounding lost. Each leg is checked with the
//! planner's own arithmetic (`round(weight × fraction)` per partial edge), so a leg of the
//! chain never exceeds the day.

use crate::graph::RoadGraph;
use crate::place::Gazetteer;
use crate::search::{partial_cost, PathResult};
use crate::{EdgeId, LonLat, Snap};

/// Roadside points per day of travel: the whole-day point and `STEPS_PER_DAY − 1` part-day
/// points before it.
pub const STEPS_PER_DAY: u64 = 16;

/// A point where a day (`whole_day`) or part of a day of travel along the fastest route ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoadsidePoint {
    /// On the route's edge, in its travel direction.
    pub snap: Snap,
    /// Whether it ends a whole day (counted from the start, or from the previous whole-day
    /// point); otherwise a part of a day after one.
    pub whole_day: bool,
}

/// An edge of the route travelled from fraction `from` to `to` of it, taking `time`.
#[derive(Debug, Clone, Copy)]
struct Piece {
    edge: EdgeId,
    from: f64,
    to: f64,
    weight: u32,
    time: u64,
}

/// A position along the route: piece index and fraction of that piece's edge.
type Pos = (usize, f64);

struct Route {
    pieces: Vec<Piece>,
}

impl Route {
    fn new(route: &PathResult, weights: &[u32]) -> Self {
        let n = route.edges.len();
        let pieces = route
            .edges
            .iter()
            .enumerate()
            .map(|(i, &edge)| {
                let from = if i == 0 { route.source.fraction } else { 0.0 };
                let to = if i + 1 == n {
                    route.target.fraction
                } else {
                    1.0
                };
                let weight = weights[edge.index()];
                Piece {
                    edge,
                    from,
                    to,
                    weight,
                    time: partial_cost(weight, to - from),
                }
            })
            .collect();
        Self { pieces }
    }

    /// Travel time from `a` to `b` (`a` not after `b`) as the planner counts it: along one
    /// edge directly, else the rest of `a`'s edge, the whole edges between, and the part of
    /// `b`'s edge up to `b`.
    fn time(&self, a: Pos, b: Pos) -> u64 {
        let (pa, pb) = (&self.pieces[a.0], &self.pieces[b.0]);
        if a.0 == b.0 {
            return partial_cost(pa.weight, b.1 - a.1);
        }
        partial_cost(pa.weight, pa.to - a.1)
            + self.pieces[a.0 + 1..b.0]
                .iter()
                .map(|p| p.time)
                .sum::<u64>()
            + partial_cost(pb.weight, b.1 - pb.from)
    }

    /// The furthest position within `budget` of `a`; `None` when the end of the route is.
    fn furthest(&self, a: Pos, budget: u64) -> Option<Pos> {
        let end = (self.pieces.len() - 1, self.pieces.last()?.to);
        if self.time(a, end) <= budget {
            return None;
        }
        // The first piece whose end is out of reach holds the point.
        let mut j = a.0;
        while self.time(a, (j, self.pieces[j].to)) <= budget {
            j += 1;
        }
        let p = &self.pieces[j];
        let start = if j == a.0 { a.1 } else { p.from };
        let before = if j == a.0 {
            0
        } else {
            self.time(a, (j, p.from))
        };
        // A whole number of deciseconds into the edge; step back if rounding disagrees.
        let mut r = budget.saturating_sub(before);
        loop {
            let f = (start + r as f64 / f64::from(p.weight.max(1))).min(p.to);
            if self.time(a, (j, f)) <= budget || r == 0 {
                return Some((j, f));
            }
            r -= 1;
        }
    }

    fn snap(&self, graph: &RoadGraph, (i, f): Pos) -> Snap {
        let edge = self.pieces[i].edge;
        Snap {
            edge,
            fraction: f,
            point: graph.edge_point_at(edge, f),
            distance_m: 0.0,
        }
    }
}

/// The roadside points of `route` (a [`Router::route`](crate::search::Router::route) answer
/// over `weights`, travel times in deciseconds) for days of `day_ds`, in route order (see
/// the [module docs](self)). The whole-day points alone make a plan of
/// `whole-day points + 1` days, each within `day_ds`.
pub fn roadside_points(
    graph: &RoadGraph,
    weights: &[u32],
    route: &PathResult,
    day_ds: u64,
) -> Vec<RoadsidePoint> {
    let r = Route::new(route, weights);
    let mut out = Vec::new();
    if r.pieces.is_empty() || day_ds == 0 {
        return out;
    }
    let mut at: Pos = (0, r.pieces[0].from);
    loop {
        for step in 1..STEPS_PER_DAY {
            let budget = day_ds * step / STEPS_PER_DAY;
            match r.furthest(at, budget) {
                Some(p) if budget > 0 && p != at => out.push(RoadsidePoint {
                    snap: r.snap(graph, p),
                    whole_day: false,
                }),
                _ => {}
            }
        }
        let Some(next) = r.furthest(at, day_ds) else {
            break;
        };
        // No progress (a day shorter than a decisecond of the edge): stop rather than loop.
        if next == at {
            break;
        }
        out.push(RoadsidePoint {
            snap: r.snap(graph, next),
            whole_day: true,
        });
        at = next;
    }
    out
}

/// "roadside, 14 km N of Sonoyta": a roadside point named by the town
/// [`Gazetteer::reverse`] gives, else by its coordinates.
pub fn describe(places: &Gazetteer, at: LonLat) -> String {
    match places.reverse(at) {
        Some(n) => {
            let name = &places.place(n.place).name;
            let km = n.distance_m / 1_000.0;
            if km < 1.0 {
                format!("roadside, at {name}")
            } else {
                format!("roadside, {km:.0} km {} of {name}", compass(n.bearing_deg))
            }
        }
        None => format!("roadside, at {at}"),
    }
}

/// The eight-point compass direction of a bearing (degrees clockwise from north).
pub fn compass(bearing_deg: f64) -> &'static str {
    const POINTS: [&str; 8] = ["N", "NE", "E", "SE", "S", "SW", "W", "NW"];
    let i = ((bearing_deg.rem_euclid(360.0) + 22.5) / 45.0).floor() as usize % 8;
    POINTS[i]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compass_points() {
        assert_eq!(compass(0.0), "N");
        assert_eq!(compass(359.0), "N");
        assert_eq!(compass(22.4), "N");
        assert_eq!(compass(22.6), "NE");
        assert_eq!(compass(90.0), "E");
        assert_eq!(compass(200.0), "S");
        assert_eq!(compass(-45.0), "NW");
    }
}
