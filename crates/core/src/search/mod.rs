//! Shortest paths on a [`RoadGraph`] with arbitrary integer edge weights.
//!
//! Weights are a `&[u32]` indexed by [`EdgeId`], `u32::MAX` meaning blocked; costs add up in
//! `u64`, so there is no overflow and no floating point in the hot loop. Build weights with
//! [`weights_time`] (travel time in deciseconds) or [`weights_with`] (any function of the edge
//! and its time, e.g. a risk penalty), which both apply [`RoadGraph::usable`].
//!
//! A [`Router`] holds the search state for one thread and is reused from query to query: its
//! arrays are sized once per graph and invalidated in O(1) by a generation stamp, so a query
//! allocates nothing after warm-up except its answer.
//!
//! | query | algorithm | time |
//! |---|---|---|
//! | [`Router::route`], [`Router::route_nodes`] | bidirectional Dijkstra, stop when the two queue minima add up to the best meeting cost | O((n + m) log n) worst case; in practice about the ball of half the route's cost around each end |
//! | [`Router::multi_source`] | Dijkstra from many seeded nodes (forward or backward), up to a cost limit | O((n' + m') log n') over the nodes within the limit |
//! | [`Router::one_to_many`] | Dijkstra stopping once every target is settled or the bound is passed | same |
//! | [`cch::CchQuery::route`] | customizable contraction hierarchy: elimination-tree search on a customized metric, shortcuts unpacked | about the elimination tree's height × upward degree; 0.4 ms at 1M nodes |
//!
//! ```
//! use senda_core::graph::{GraphConfig, Profile, RoadGraph};
//! use senda_core::search::{weights_time, Router};
//! use senda_core::{LonLat, RoadClass, RoadSegment, SourceKey};
//!
//! let p = |lon, lat| LonLat::new(lon, lat).unwrap();
//! let road = RoadSegment::new(
//!     SourceKey::new("demo", "1").unwrap(),
//!     RoadClass::Residential,
//!     vec![p(-92.0, 14.0), p(-91.99, 14.0), p(-91.98, 14.0)],
//! )
//! .unwrap();
//! let (graph, _) = RoadGraph::build(&[road], &GraphConfig::default());
//! let weights = weights_time(&graph, Profile::Foot, false);
//! let from = graph.snap(p(-91.999, 14.0), Profile::Foot, false, 50.0).unwrap();
//! let to = graph.snap(p(-91.981, 14.0), Profile::Foot, false, 50.0).unwrap();
//! let mut router = Router::new();
//! let path = router.route(&graph, &weights, &from, &to).unwrap();
//! // About 1.94 km at 5 km/h: 1397 s.
//! assert!((13_900..14_050).contains(&path.cost), "{}", path.cost);
//! assert_eq!(path.geometry(&graph).len(), 3);
//! ```

pub mod cch;
mod state;

use crate::graph::{Profile, RoadGraph};
use crate::{EdgeId, LonLat, NodeId, Snap};
use state::{Side, NONE};

/// Blocked edge weight (the same value as [`NOT_ALLOWED`](crate::graph::NOT_ALLOWED)).
pub const BLOCKED: u32 = crate::graph::NOT_ALLOWED;

/// Travel time weights (deciseconds) for a profile: [`RoadGraph::time_ds`] where
/// [`RoadGraph::usable`], [`BLOCKED`] elsewhere.
pub fn weights_time(graph: &RoadGraph, profile: Profile, allow_rail: bool) -> Vec<u32> {
    weights_with(graph, profile, allow_rail, |_, t| t)
}

/// Weights from a function of each usable edge and its travel time in deciseconds (return
/// [`BLOCKED`] to block it); unusable edges are [`BLOCKED`] without calling `f`.
pub fn weights_with(
    graph: &RoadGraph,
    profile: Profile,
    allow_rail: bool,
    mut f: impl FnMut(EdgeId, u32) -> u32,
) -> Vec<u32> {
    (0..graph.edge_count() as u32)
        .map(EdgeId)
        .map(|e| {
            if graph.usable(e, profile, allow_rail) {
                f(e, graph.time_ds(profile, e))
            } else {
                BLOCKED
            }
        })
        .collect()
}

/// The cost of `fraction` of an edge of weight `weight`: `round(weight × fraction)`. Used for
/// the partial first and last edges of a route between snaps.
#[inline]
pub fn partial_cost(weight: u32, fraction: f64) -> u64 {
    (f64::from(weight) * fraction.clamp(0.0, 1.0)).round() as u64
}

/// Where a search may start or end for a snap: a node, the cost between it and the snapped
/// point, and the edge (the snapped edge or its twin) that joins them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seed {
    pub node: NodeId,
    pub cost: u64,
    pub edge: EdgeId,
}

/// Up to two seeds in a fixed array (no allocation).
#[derive(Debug, Clone, Copy)]
struct SeedPair {
    seeds: [Seed; 2],
    len: usize,
}

impl SeedPair {
    fn of(graph: &RoadGraph, weights: &[u32], snap: &Snap, leaving: bool) -> Self {
        let e = snap.edge;
        let empty = Seed {
            node: NodeId(0),
            cost: 0,
            edge: e,
        };
        let mut pair = SeedPair {
            seeds: [empty; 2],
            len: 0,
        };
        // Along the snapped edge: leaving reaches its head, arriving comes from its tail.
        let mut push = |edge: EdgeId, node: NodeId, fraction: f64| {
            let w = weights[edge.index()];
            if w != BLOCKED {
                pair.seeds[pair.len] = Seed {
                    node,
                    cost: partial_cost(w, fraction),
                    edge,
                };
                pair.len += 1;
            }
        };
        if leaving {
            push(e, graph.head(e), 1.0 - snap.fraction);
        } else {
            push(e, graph.tail(e), snap.fraction);
        }
        if let Some(t) = graph.twin(e) {
            if leaving {
                push(t, graph.head(t), snap.fraction);
            } else {
                push(t, graph.tail(t), 1.0 - snap.fraction);
            }
        }
        pair
    }

    fn as_slice(&self) -> &[Seed] {
        &self.seeds[..self.len]
    }

    fn nodes(&self) -> ([(u32, u64); 2], usize) {
        let mut out = [(0, 0); 2];
        for (o, s) in out.iter_mut().zip(self.as_slice()) {
            *o = (s.node.0, s.cost);
        }
        (out, self.len)
    }
}

/// The nodes a route leaving the snapped point can reach first: the head of the snapped edge
/// (cost of the rest of the edge) and, through its twin, its tail. Blocked directions are left
/// out.
pub fn source_seeds(graph: &RoadGraph, weights: &[u32], snap: &Snap) -> Vec<Seed> {
    SeedPair::of(graph, weights, snap, true).as_slice().to_vec()
}

/// The nodes a route arriving at the snapped point comes from: the tail of the snapped edge
/// (cost of the edge up to the point) and, through its twin, its head. Blocked directions are
/// left out.
pub fn target_seeds(graph: &RoadGraph, weights: &[u32], snap: &Snap) -> Vec<Seed> {
    SeedPair::of(graph, weights, snap, false)
        .as_slice()
        .to_vec()
}

/// A node-to-node shortest path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    pub cost: u64,
    pub source: NodeId,
    pub target: NodeId,
    /// Edges in travel order (empty when source = target).
    pub edges: Vec<EdgeId>,
}

impl Path {
    /// The path's line, from the source node to the target node.
    pub fn geometry(&self, graph: &RoadGraph) -> Vec<LonLat> {
        let mut out = vec![graph.node_position(self.source)];
        for &e in &self.edges {
            for p in graph.edge_geometry(e) {
                if out.last() != Some(&p) {
                    out.push(p);
                }
            }
        }
        out
    }

    /// Length along the edges, metres.
    pub fn length_m(&self, graph: &RoadGraph) -> f64 {
        self.edges
            .iter()
            .map(|&e| f64::from(graph.length_m(e)))
            .sum()
    }
}

/// A route between two snapped points.
///
/// `edges[0]` is the edge the route starts on and `source.fraction` where on it; the last edge
/// is the one it ends on and `target.fraction` where on it. The cost is
/// `partial_cost(w[first], 1 - source.fraction) + Σ w[middle] + partial_cost(w[last],
/// target.fraction)`, or, when both points lie on one edge and the route stays on it (a single
/// edge), `partial_cost(w[edge], target.fraction - source.fraction)`.
#[derive(Debug, Clone, PartialEq)]
pub struct PathResult {
    pub cost: u64,
    pub edges: Vec<EdgeId>,
    pub source: Snap,
    pub target: Snap,
}

impl PathResult {
    /// The route's line from the source's snapped point to the target's, partial first and
    /// last edges included.
    pub fn geometry(&self, graph: &RoadGraph) -> Vec<LonLat> {
        let mut out = Vec::new();
        match self.edges.as_slice() {
            [] => out.push(self.source.point),
            [e] => graph.edge_part(*e, self.source.fraction, self.target.fraction, &mut out),
            [first, middle @ .., last] => {
                graph.edge_part(*first, self.source.fraction, 1.0, &mut out);
                for &e in middle {
                    for p in graph.edge_geometry(e) {
                        if out.last() != Some(&p) {
                            out.push(p);
                        }
                    }
                }
                graph.edge_part(*last, 0.0, self.target.fraction, &mut out);
            }
        }
        out
    }

    /// Length along the route, partial edges included, metres.
    pub fn length_m(&self, graph: &RoadGraph) -> f64 {
        let len = |e: EdgeId| f64::from(graph.length_m(e));
        match self.edges.as_slice() {
            [] => 0.0,
            [e] => len(*e) * (self.target.fraction - self.source.fraction).abs(),
            [first, middle @ .., last] => {
                len(*first) * (1.0 - self.source.fraction)
                    + middle.iter().map(|&e| len(e)).sum::<f64>()
                    + len(*last) * self.target.fraction
            }
        }
    }
}

/// Which way a one-to-all search runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Over out-edges: costs from the sources to each node.
    Forward,
    /// Over in-edges: costs from each node to the nearest source (e.g. "nearest shelter I can
    /// reach" for every origin at once).
    Backward,
}

/// The answer of [`Router::multi_source`], borrowed from the router until its next query.
#[derive(Debug)]
pub struct Reach<'a> {
    side: &'a Side,
    graph: &'a RoadGraph,
    direction: Direction,
    limit: u64,
}

impl Reach<'_> {
    /// Cost between the node and its nearest source, if within the limit.
    pub fn cost(&self, node: NodeId) -> Option<u64> {
        let d = self.side.cost(node.0);
        (d != u64::MAX && d <= self.limit).then_some(d)
    }

    /// Index (into the sources given) of the node's nearest source.
    pub fn origin(&self, node: NodeId) -> Option<usize> {
        self.cost(node)?;
        Some(self.side.origin(node.0) as usize)
    }

    /// The last edge of the tree path to the node (forward), or the first edge from the node
    /// towards its source (backward). `None` at a source.
    pub fn parent_edge(&self, node: NodeId) -> Option<EdgeId> {
        self.cost(node)?;
        let e = self.side.parent(node.0);
        (e != NONE).then_some(EdgeId(e))
    }

    /// The tree path in travel order: from the source to `node` (forward) or from `node` to
    /// its source (backward).
    pub fn path_edges(&self, node: NodeId) -> Option<Vec<EdgeId>> {
        self.cost(node)?;
        let mut edges = Vec::new();
        let mut v = node.0;
        loop {
            let e = self.side.parent(v);
            if e == NONE {
                break;
            }
            edges.push(EdgeId(e));
            v = match self.direction {
                Direction::Forward => self.graph.tail[e as usize],
                Direction::Backward => self.graph.head[e as usize],
            };
        }
        if self.direction == Direction::Forward {
            edges.reverse();
        }
        Some(edges)
    }

    /// The nodes within the limit, in order of cost.
    pub fn settled(&self) -> impl ExactSizeIterator<Item = NodeId> + '_ {
        self.side.settled.iter().map(|&v| NodeId(v))
    }
}

/// Reusable search state for one thread. See the [module docs](self).
#[derive(Debug, Clone, Default)]
pub struct Router {
    fwd: Side,
    bwd: Side,
}

impl Router {
    /// An empty router; it sizes itself for the first graph it searches.
    pub fn new() -> Self {
        Self::default()
    }

    /// A router sized for `graph`, so the first query allocates nothing either.
    pub fn for_graph(graph: &RoadGraph) -> Self {
        let mut r = Self::default();
        r.fwd.reset(graph.node_count());
        r.bwd.reset(graph.node_count());
        r
    }

    /// Shortest path from node `source` to node `target` (bidirectional Dijkstra), `None` if
    /// the target cannot be reached.
    ///
    /// # Panics
    /// If `weights.len() != graph.edge_count()` or a node is out of range.
    pub fn route_nodes(
        &mut self,
        graph: &RoadGraph,
        weights: &[u32],
        source: NodeId,
        target: NodeId,
    ) -> Option<Path> {
        check(graph, weights);
        let (cost, meet) =
            self.bidirectional(graph, weights, &[(source.0, 0)], &[(target.0, 0)], u64::MAX)?;
        let (_, mut edges, back, _) = self.unpack(graph, meet);
        edges.extend(back);
        Some(Path {
            cost,
            source,
            target,
            edges,
        })
    }

    /// Shortest route between two snapped points: both ends of each snapped edge are seeded
    /// with the partial cost to the point ([`source_seeds`], [`target_seeds`]), and two points
    /// on the same piece of road may be joined along it directly. `None` if unreachable.
    ///
    /// # Panics
    /// If `weights.len() != graph.edge_count()`.
    pub fn route(
        &mut self,
        graph: &RoadGraph,
        weights: &[u32],
        source: &Snap,
        target: &Snap,
    ) -> Option<PathResult> {
        check(graph, weights);
        let direct = direct_route(graph, weights, source, target);
        let src = SeedPair::of(graph, weights, source, true);
        let dst = SeedPair::of(graph, weights, target, false);
        let (s, sn) = src.nodes();
        let (t, tn) = dst.nodes();
        let bound = direct.map_or(u64::MAX, |d| d.0);
        let found = match self.bidirectional(graph, weights, &s[..sn], &t[..tn], bound) {
            Some((cost, meet)) if meet != NONE => {
                let (si, mut fwd, back, ti) = self.unpack(graph, meet);
                fwd.extend(back);
                Some((cost, si, fwd, ti))
            }
            _ => None,
        };
        assemble(source, target, &src, &dst, found, direct)
    }

    /// Dijkstra from many sources at once, each with a starting cost, up to `limit`: every
    /// node learns its cost to (or, [`Direction::Backward`], from) the nearest source and which
    /// source that is. Sources starting above the limit are ignored.
    ///
    /// # Panics
    /// If `weights.len() != graph.edge_count()` or a node is out of range.
    pub fn multi_source<'a>(
        &'a mut self,
        graph: &'a RoadGraph,
        weights: &[u32],
        sources: &[(NodeId, u64)],
        direction: Direction,
        limit: u64,
    ) -> Reach<'a> {
        check(graph, weights);
        let side = &mut self.fwd;
        side.reset(graph.node_count());
        for (i, &(v, c)) in sources.iter().enumerate() {
            if c <= limit {
                side.relax(v.0, c, NONE, i as u32);
            }
        }
        while let Some(d) = side.peek() {
            if d > limit {
                break;
            }
            let Some((d, u)) = side.pop() else { break };
            let origin = side.origin(u);
            match direction {
                Direction::Forward => {
                    let (a, b) = (graph.first_out[u as usize], graph.first_out[u as usize + 1]);
                    for e in a..b {
                        let w = weights[e as usize];
                        if w != BLOCKED {
                            side.relax(graph.head[e as usize], d + u64::from(w), e, origin);
                        }
                    }
                }
                Direction::Backward => {
                    let (a, b) = (
                        graph.first_in[u as usize] as usize,
                        graph.first_in[u as usize + 1] as usize,
                    );
                    for &e in &graph.in_edge[a..b] {
                        let w = weights[e as usize];
                        if w != BLOCKED {
                            side.relax(graph.tail[e as usize], d + u64::from(w), e, origin);
                        }
                    }
                }
            }
        }
        // Labels above the limit that were queued but not settled are not answers.
        Reach {
            side: &self.fwd,
            graph,
            direction,
            limit,
        }
    }

    /// Costs from the sources (node, starting cost — e.g. [`source_seeds`] of a snap) to each
    /// target, `None` for targets not reachable within `bound`. Stops as soon as every target
    /// is settled.
    ///
    /// # Panics
    /// If `weights.len() != graph.edge_count()` or a node is out of range.
    pub fn one_to_many(
        &mut self,
        graph: &RoadGraph,
        weights: &[u32],
        sources: &[(NodeId, u64)],
        targets: &[NodeId],
        bound: u64,
    ) -> Vec<Option<u64>> {
        check(graph, weights);
        let n = graph.node_count();
        self.fwd.reset(n);
        self.bwd.reset(n);
        let mut remaining = 0usize;
        for t in targets {
            if self.bwd.mark(t.0) {
                remaining += 1;
            }
        }
        for (i, &(v, c)) in sources.iter().enumerate() {
            if c <= bound {
                self.fwd.relax(v.0, c, NONE, i as u32);
            }
        }
        while remaining > 0 {
            match self.fwd.peek() {
                Some(d) if d <= bound => {}
                _ => break,
            }
            let Some((d, u)) = self.fwd.pop() else { break };
            if self.bwd.reached(u) {
                remaining -= 1;
            }
            let mut no_meeting = NONE;
            self.expand_forward(graph, weights, u, d, u64::MAX, &mut no_meeting);
        }
        targets
            .iter()
            .map(|t| {
                let d = self.fwd.cost(t.0);
                (d != u64::MAX && d <= bound).then_some(d)
            })
            .collect()
    }

    /// Bidirectional Dijkstra between seeded node sets. `best` is an upper bound already
    /// known (a direct route); returns the best cost and the meeting node (`NONE` if nothing
    /// beat `best`), or `None` if no route at all.
    fn bidirectional(
        &mut self,
        graph: &RoadGraph,
        weights: &[u32],
        sources: &[(u32, u64)],
        targets: &[(u32, u64)],
        mut best: u64,
    ) -> Option<(u64, u32)> {
        let n = graph.node_count();
        self.fwd.reset(n);
        self.bwd.reset(n);
        let mut meet = NONE;
        for (i, &(v, c)) in sources.iter().enumerate() {
            self.fwd.relax(v, c, NONE, i as u32);
        }
        for (i, &(v, c)) in targets.iter().enumerate() {
            if self.bwd.relax(v, c, NONE, i as u32) {
                let df = self.fwd.cost(v);
                if df != u64::MAX && df + c < best {
                    best = df + c;
                    meet = v;
                }
            }
        }
        while let (Some(tf), Some(tb)) = (self.fwd.peek(), self.bwd.peek()) {
            if tf.saturating_add(tb) >= best {
                break;
            }
            if tf <= tb {
                let Some((d, u)) = self.fwd.pop() else { break };
                if let Some(b) = self.expand_forward(graph, weights, u, d, best, &mut meet) {
                    best = b;
                }
            } else {
                let Some((d, v)) = self.bwd.pop() else { break };
                let (a, b) = (
                    graph.first_in[v as usize] as usize,
                    graph.first_in[v as usize + 1] as usize,
                );
                let origin = self.bwd.origin(v);
                for &e in &graph.in_edge[a..b] {
                    let w = weights[e as usize];
                    if w == BLOCKED {
                        continue;
                    }
                    let u = graph.tail[e as usize];
                    let nd = d + u64::from(w);
                    if self.bwd.relax(u, nd, e, origin) && self.fwd.reached(u) {
                        let c = nd.saturating_add(self.fwd.cost(u));
                        if c < best {
                            best = c;
                            meet = u;
                        }
                    }
                }
            }
        }
        (best != u64::MAX).then_some((best, meet))
    }

    /// Settles `u` (cost `d`) forward; when a relaxed node has a backward label, a route
    /// through it cheaper than `best` updates `meet` and is returned.
    #[inline]
    fn expand_forward(
        &mut self,
        graph: &RoadGraph,
        weights: &[u32],
        u: u32,
        d: u64,
        mut best: u64,
        meet: &mut u32,
    ) -> Option<u64> {
        let mut improved = None;
        let origin = self.fwd.origin(u);
        let (a, b) = (graph.first_out[u as usize], graph.first_out[u as usize + 1]);
        for e in a..b {
            let w = weights[e as usize];
            if w == BLOCKED {
                continue;
            }
            let v = graph.head[e as usize];
            let nd = d + u64::from(w);
            if self.fwd.relax(v, nd, e, origin) && self.bwd.reached(v) {
                let c = nd.saturating_add(self.bwd.cost(v));
                if c < best {
                    best = c;
                    *meet = v;
                    improved = Some(c);
                }
            }
        }
        improved
    }

    /// Reads the path through `meet`: (source seed index, forward edges in travel order,
    /// backward edges in travel order, target seed index).
    fn unpack(&self, graph: &RoadGraph, meet: u32) -> (usize, Vec<EdgeId>, Vec<EdgeId>, usize) {
        let mut fwd = Vec::new();
        let mut v = meet;
        while self.fwd.parent(v) != NONE {
            let e = self.fwd.parent(v);
            fwd.push(EdgeId(e));
            v = graph.tail[e as usize];
        }
        fwd.reverse();
        let mut back = Vec::new();
        let mut v = meet;
        while self.bwd.parent(v) != NONE {
            let e = self.bwd.parent(v);
            back.push(EdgeId(e));
            v = graph.head[e as usize];
        }
        (
            self.fwd.origin(meet) as usize,
            fwd,
            back,
            self.bwd.origin(meet) as usize,
        )
    }
}

/// Both points on one piece of road: the cost of going along it directly, if its direction
/// is open: `(cost, edge, fraction from, fraction to)`.
fn direct_route(
    graph: &RoadGraph,
    weights: &[u32],
    source: &Snap,
    target: &Snap,
) -> Option<(u64, EdgeId, f64, f64)> {
    let mut direct: Option<(u64, EdgeId, f64, f64)> = None;
    let es = source.edge;
    let twin = graph.twin(es);
    let ft = if target.edge == es {
        Some(target.fraction)
    } else if Some(target.edge) == twin {
        Some(1.0 - target.fraction)
    } else {
        None
    };
    if let Some(ft) = ft {
        let fs = source.fraction;
        if ft >= fs && weights[es.index()] != BLOCKED {
            direct = Some((partial_cost(weights[es.index()], ft - fs), es, fs, ft));
        }
        if let Some(t) = twin {
            if ft <= fs && weights[t.index()] != BLOCKED {
                let c = partial_cost(weights[t.index()], fs - ft);
                if direct.is_none_or(|d| c < d.0) {
                    direct = Some((c, t, 1.0 - fs, 1.0 - ft));
                }
            }
        }
    }
    direct
}

/// The route between two snaps from a node-to-node search's answer `found` = (cost, index of
/// the source seed, middle edges in travel order, index of the target seed), or from the
/// direct route along a shared edge when the search found nothing better.
fn assemble(
    source: &Snap,
    target: &Snap,
    src: &SeedPair,
    dst: &SeedPair,
    found: Option<(u64, usize, Vec<EdgeId>, usize)>,
    direct: Option<(u64, EdgeId, f64, f64)>,
) -> Option<PathResult> {
    match found {
        Some((cost, si, middle, ti)) => {
            let (first, last) = (src.seeds[si], dst.seeds[ti]);
            let mut edges = Vec::with_capacity(middle.len() + 2);
            edges.push(first.edge);
            edges.extend(middle);
            edges.push(last.edge);
            let fs = if first.edge == source.edge {
                source.fraction
            } else {
                1.0 - source.fraction
            };
            let ft = if last.edge == target.edge {
                target.fraction
            } else {
                1.0 - target.fraction
            };
            Some(PathResult {
                cost,
                edges,
                source: Snap {
                    edge: first.edge,
                    fraction: fs,
                    ..*source
                },
                target: Snap {
                    edge: last.edge,
                    fraction: ft,
                    ..*target
                },
            })
        }
        None => direct.map(|(cost, e, fs, ft)| PathResult {
            cost,
            edges: vec![e],
            source: Snap {
                edge: e,
                fraction: fs,
                ..*source
            },
            target: Snap {
                edge: e,
                fraction: ft,
                ..*target
            },
        }),
    }
}

fn check(graph: &RoadGraph, weights: &[u32]) {
    assert_eq!(
        weights.len(),
        graph.edge_count(),
        "one weight per edge of the graph"
    );
}
