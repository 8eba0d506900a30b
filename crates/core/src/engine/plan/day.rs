//! One day of travel from a stop: which stops it reaches and by which route (step 3 of the
//! [algorithm](super)).

use super::Stop;
use crate::engine::nearest::{direct_along, Arrival, Arrivals, Walk};
use crate::engine::Engine;
use crate::graph::Profile;
use crate::search::{partial_cost, source_seeds, Direction, Router, Seed, BLOCKED};
use crate::{EdgeId, NodeId, Snap};

/// A day's travel from one stop to another.
#[derive(Debug, Clone, Copy)]
pub(super) struct Hop {
    pub to: usize,
    pub time_ds: u64,
    pub cost: u64,
    pub safest: bool,
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

/// The searches of one plan query, with their reusable state.
pub(super) struct Planner<'e> {
    pub engine: &'e Engine,
    pub profile: Profile,
    pub gen_w: Vec<u32>,
    pub time_w: Vec<u32>,
    pub day_ds: u64,
    pub stops: Vec<Stop>,
    pub arrivals: Arrivals,
    pub router: Router,
    /// Per node: the other criterion summed along the current search tree.
    pub acc: Vec<u64>,
    pub best: Vec<Option<Hop>>,
    pub least: Vec<u64>,
    pub touched: Vec<usize>,
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

    /// Every stop within a day of stop `a` for which `keep` holds, with the leg to it:
    /// 1. a Dijkstra over travel time bounded by the day gives every stop within a day
    ///    exactly (the same partial first/last edges as `Router::route`, and along a shared
    ///    piece of road directly), and the generalised cost of its fastest route;
    /// 2. a Dijkstra over the generalised weights, bounded by the largest of those costs
    ///    among the kept stops, finds the least-cost route to each and its travel time.
    ///
    /// A hop takes the cheapest route of either tree that fits the day — the least-cost route
    /// when it fits, otherwise a faster one (never longer than the day).
    pub fn explore(&mut self, a: usize, keep: impl Fn(usize) -> bool) -> Vec<Hop> {
        let graph = self.engine.graph();
        let src = self.stops[a].snap;
        let day = self.day_ds;

        // 1. Travel time, bounded by the day.
        let mut hops = Vec::new();
        for (v, arrival, t, c) in self.tree_arrivals(a, false, day) {
            let b = arrival.point as usize;
            if t <= day && keep(b) {
                hops.push(Hop {
                    to: b,
                    time_ds: t,
                    cost: c,
                    safest: false,
                    via: Via::Tree {
                        least_cost: false,
                        limit: day,
                        node: v,
                        arrival,
                    },
                });
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
                if t <= day && keep(b) {
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
            for (v, arrival, c, t) in self.tree_arrivals(a, true, limit) {
                let b = arrival.point as usize;
                if self.best[b].is_none() {
                    continue;
                }
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
                            arrival,
                        },
                    });
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

    /// The arrivals at other stops of a search from stop `a` bounded by `limit`: over the
    /// generalised weights when `least_cost`, else over travel time. Each comes with the
    /// node it leaves, the search's own cost there and the other weights summed along the
    /// same tree (cost for the time search, time for the cost search), both to the stop.
    fn tree_arrivals(
        &mut self,
        a: usize,
        least_cost: bool,
        limit: u64,
    ) -> Vec<(NodeId, Arrival, u64, u64)> {
        let graph = self.engine.graph();
        let src = self.stops[a].snap;
        let (search, other) = if least_cost {
            (&self.gen_w, &self.time_w)
        } else {
            (&self.time_w, &self.gen_w)
        };
        let seeds = source_seeds(graph, search, &src);
        let starts: Vec<(NodeId, u64)> = seeds.iter().map(|s| (s.node, s.cost)).collect();
        let reach = self
            .router
            .multi_source(graph, search, &starts, Direction::Forward, limit);
        let mut out = Vec::new();
        for v in reach.settled() {
            let d = reach.cost(v).expect("settled");
            let acc = match reach.parent_edge(v) {
                None => {
                    let seed = &seeds[reach.origin(v).expect("settled")];
                    partial_cost(other[seed.edge.index()], Self::seed_fraction(&src, seed))
                }
                Some(pe) => self.acc[graph.tail(pe).index()] + u64::from(other[pe.index()]),
            };
            self.acc[v.index()] = acc;
            for arrival in self.arrivals.at(v) {
                let w = search[arrival.edge.index()];
                if arrival.point as usize == a || w == BLOCKED {
                    continue;
                }
                out.push((
                    v,
                    *arrival,
                    d + partial_cost(w, arrival.fraction),
                    acc + partial_cost(other[arrival.edge.index()], arrival.fraction),
                ));
            }
        }
        out
    }

    /// The walk of a hop from stop `a` (re-running the search tree it came from).
    pub fn walk(&mut self, a: usize, hop: &Hop) -> Walk {
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
                let seed = seeds[reach.origin(node).expect("reached")];
                Walk::through(&src, &seed, middle, &arrival, &dst, hop.cost)
            }
        }
    }
}

impl Planner<'_> {
    /// Whether a shelter, and whether a shelter or a town, of `others` (with their
    /// `arrivals`) lies within a day of stop `a` — whether or not a plan with the fewest
    /// nights could stop there. For the notes of flagged nights.
    pub fn in_reach(&mut self, a: usize, others: &[Stop], arrivals: &Arrivals) -> (bool, bool) {
        let graph = self.engine.graph();
        let src = self.stops[a].snap;
        let day = self.day_ds;
        let (mut shelter, mut town) = (false, false);
        let mut see = |s: &Stop| {
            shelter |= s.is_shelter();
            town |= s.is_shelter_or_town();
        };
        for arrival in arrivals.on_edge(graph, src.edge) {
            let dst = others[arrival.point as usize].snap;
            if let Some((_, edge, from, to)) = direct_along(graph, &self.time_w, &src, &dst) {
                if partial_cost(self.time_w[edge.index()], to - from) <= day {
                    see(&others[arrival.point as usize]);
                }
            }
        }
        let seeds = source_seeds(graph, &self.time_w, &src);
        let starts: Vec<(NodeId, u64)> = seeds.iter().map(|s| (s.node, s.cost)).collect();
        let reach = self
            .router
            .multi_source(graph, &self.time_w, &starts, Direction::Forward, day);
        for v in reach.settled() {
            let d = reach.cost(v).expect("settled");
            for arrival in arrivals.at(v) {
                let tw = self.time_w[arrival.edge.index()];
                if tw != BLOCKED && d + partial_cost(tw, arrival.fraction) <= day {
                    see(&others[arrival.point as usize]);
                }
            }
        }
        (shelter, town)
    }
}
