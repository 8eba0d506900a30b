//! Customizable contraction hierarchies (CCH): exact shortest paths in about a millisecond on
//! country-sized graphs, with weights that can change at any time.
//!
//! Three phases (Dibbelt, Strasser, Wagner: *Customizable Contraction Hierarchies*, 2016):
//! 1. **Index** ([`CchIndex::build`], once per network, independent of the weights): a
//!    nested-dissection contraction order from the node coordinates (inertial flow), then the
//!    chordal supergraph of the road graph in that order (the upward arcs and shortcuts) and
//!    its elimination tree.
//! 2. **Customization** ([`CchIndex::customize`], per metric, every time weights change): the
//!    weights are pushed through the lower triangles of the supergraph, in parallel.
//! 3. **Query** ([`CchQuery::route`]): an elimination-tree search upwards from both ends,
//!    then the shortcuts of the best path are unpacked into road edges.
//!
//! The order, the supergraph and the customization come from the `cch` crate (a pure Rust
//! port of RoutingKit's CCH, tested bit for bit against it). The query is written here
//! because the crate's queries answer node-to-node distances and node paths only, while a
//! route between two snapped points starts and ends at up to two nodes each with a partial
//! edge cost, must be returned as road edges (parallel edges between two nodes differ), must
//! sum its costs without overflow, and benefits from pruning: a node whose distance already
//! exceeds the best meeting cost relaxes nothing.
//!
//! # Exactness
//! The customized weights are `u32` with `cch::INF_WEIGHT` (2³¹ − 1) as "no path"; input
//! weights at or above it are clamped to it. Sums along a path are kept in `u64` here. Every
//! customized shortcut weight is the exact shortest cost through lower nodes or, if that is
//! `INF_WEIGHT` or more, `INF_WEIGHT`; so any cost the query finds below `INF_WEIGHT` is the
//! exact optimum. When it finds none (unreachable, or every route costs 2³¹ or more) it says
//! [`CchAnswer::Unknown`] and the caller falls back to Dijkstra.
//!
//! ```
//! use senda_core::graph::{GraphConfig, Profile, RoadGraph};
//! use senda_core::search::cch::{CchAnswer, CchIndex, CchQuery};
//! use senda_core::search::{weights_time, Router};
//! use senda_core::{LonLat, RoadClass, RoadSegment, SourceKey};
//!
//! let p = |lon, lat| LonLat::new(lon, lat).unwrap();
//! let road = |id: &str, pts: Vec<LonLat>| {
//!     RoadSegment::new(SourceKey::new("demo", id).unwrap(), RoadClass::Residential, pts).unwrap()
//! };
//! let roads = vec![
//!     road("a", vec![p(-92.0, 14.0), p(-91.99, 14.0), p(-91.98, 14.0)]),
//!     road("b", vec![p(-91.99, 13.99), p(-91.99, 14.0), p(-91.99, 14.01)]),
//! ];
//! let (graph, _) = RoadGraph::build(&roads, &GraphConfig::default());
//! let index = CchIndex::build(&graph);
//! let metric = index.customize(weights_time(&graph, Profile::Foot, false));
//! let from = graph.snap(p(-91.999, 14.0), Profile::Foot, false, 50.0).unwrap();
//! let to = graph.snap(p(-91.99, 14.009), Profile::Foot, false, 50.0).unwrap();
//! let CchAnswer::Route(fast) = CchQuery::new().route(&graph, &index, &metric, &from, &to) else {
//!     panic!("the two points are joined")
//! };
//! let slow = Router::new().route(&graph, metric.weights(), &from, &to).unwrap();
//! assert_eq!(fast.cost, slow.cost);
//! ```

use super::{assemble, direct_route, PathResult, SeedPair, BLOCKED};
use crate::graph::RoadGraph;
use crate::{EdgeId, InvalidValue, Snap};
use cch::INF_WEIGHT;

/// "None" in the `cch` crate's arrays.
const INVALID: u32 = u32::MAX;
const INF: u64 = INF_WEIGHT as u64;

/// The weight-independent part: contraction order, chordal supergraph, elimination tree.
/// Built once per road network. See the [module docs](self).
#[derive(Debug)]
pub struct CchIndex {
    cch: cch::Cch,
    edges: usize,
}

/// A customized metric: the input weights (one per edge of the graph, [`BLOCKED`] for closed
/// edges, as [`super::Router`] takes them) and the shortcut weights derived from them.
#[derive(Debug, Clone)]
pub struct CchMetric {
    weights: Vec<u32>,
    metric: cch::Metric,
    /// How each arc unpacks, per direction, filled by queries as they unpack (see
    /// [`Unpacking`]).
    unpacking: Unpacking,
}

/// Equal metrics have equal weights (the unpacking cache is not compared).
impl PartialEq for CchMetric {
    fn eq(&self, other: &Self) -> bool {
        self.weights == other.weights && self.metric == other.metric
    }
}

impl Eq for CchMetric {}

/// A cache of how each arc unpacks (two slots per arc: up, down): `INVALID` (not yet known),
/// `EDGE | e` (the input edge `e`) or the middle node `z` of a lower triangle. Queries fill it
/// as they go (relaxed atomics: every value written is correct for the weights it was found
/// for, and each use re-checks it against the current weights, so a stale one is only
/// recomputed). Without it, unpacking a shortcut between two top nodes of the hierarchy scans
/// thousands of down arcs, in every query that crosses it.
#[derive(Debug, Default)]
struct Unpacking(Vec<std::sync::atomic::AtomicU32>);

impl Clone for Unpacking {
    fn clone(&self) -> Self {
        use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
        Self(
            self.0
                .iter()
                .map(|v| AtomicU32::new(v.load(Relaxed)))
                .collect(),
        )
    }
}

const EDGE: u32 = 1 << 31;

impl CchMetric {
    /// The input weights this metric was customized for (indexed by `EdgeId`).
    pub fn weights(&self) -> &[u32] {
        &self.weights
    }

    /// Heap bytes held (input weights, forward and backward shortcut weights, the unpacking
    /// cache).
    pub fn memory_bytes(&self) -> usize {
        4 * (self.weights.capacity()
            + self.metric.forward.capacity()
            + self.metric.backward.capacity()
            + self.unpacking.0.capacity())
    }
}

impl CchIndex {
    /// Computes the contraction order by inertial-flow nested dissection on the node
    /// positions (the slow part: about a minute for a million nodes on two cores) and
    /// builds the supergraph. Every edge of the graph is an input arc, whatever profile may
    /// use it; a metric closes the others with [`BLOCKED`].
    pub fn build(graph: &RoadGraph) -> Self {
        Self::build_structure(graph, &Self::compute_order(graph))
    }

    /// The contraction order alone (inertial-flow nested dissection on the node positions):
    /// node ids, the first contracted first. The slow, weight-independent step; store it to
    /// rebuild the index with [`CchIndex::with_order`].
    pub fn compute_order(graph: &RoadGraph) -> Vec<u32> {
        let lat: Vec<f32> = graph.node_pos.iter().map(|p| p.lat() as f32).collect();
        let lon: Vec<f32> = graph.node_pos.iter().map(|p| p.lon() as f32).collect();
        let n = graph.node_count() as u32;
        cch::inertial_order(n, &graph.tail, &graph.head, &lat, &lon)
    }

    /// Builds the supergraph for an order computed before (see [`CchIndex::order`]): a
    /// permutation of the node ids, the first contracted first.
    ///
    /// # Errors
    /// When `order` is not a permutation of `0..graph.node_count()`.
    pub fn with_order(graph: &RoadGraph, order: &[u32]) -> Result<Self, InvalidValue> {
        let n = graph.node_count();
        if order.len() != n {
            return Err(InvalidValue::new(
                "order",
                order.len(),
                "must hold one entry per node",
            ));
        }
        let mut seen = vec![false; n];
        for &v in order {
            match seen.get_mut(v as usize) {
                Some(s) if !*s => *s = true,
                _ => {
                    return Err(InvalidValue::new(
                        "order",
                        v,
                        "node out of range or listed twice",
                    ))
                }
            }
        }
        Ok(Self::build_structure(graph, order))
    }

    fn build_structure(graph: &RoadGraph, order: &[u32]) -> Self {
        let input = cch::graph::Graph {
            first_out: graph.first_out.clone(),
            head: graph.head.clone(),
            weight: Vec::new(),
        };
        Self {
            cch: cch::Cch::build(&input, order),
            edges: graph.edge_count(),
        }
    }

    /// The contraction order (node ids, the first contracted first), to store and pass to
    /// [`CchIndex::with_order`] next time.
    pub fn order(&self) -> &[u32] {
        &self.cch.order
    }

    pub fn node_count(&self) -> usize {
        self.cch.node_count()
    }

    /// Arcs of the supergraph (input edges merged per node pair, plus shortcuts).
    pub fn arc_count(&self) -> usize {
        self.cch.cch_arc_count()
    }

    /// Height of the elimination tree (the longest chain a query walks up).
    pub fn tree_height(&self) -> usize {
        let parent = &self.cch.elimination_tree_parent;
        let mut depth = vec![0u32; parent.len()];
        let mut max = 0;
        // Parents rank above children: one pass from the root down.
        for x in (0..parent.len()).rev() {
            let p = parent[x];
            if p != INVALID {
                depth[x] = depth[p as usize] + 1;
            }
            max = max.max(depth[x]);
        }
        max as usize + 1
    }

    /// Customizes a metric for `weights` (one per edge, [`BLOCKED`] to close one).
    ///
    /// # Panics
    /// If `weights.len()` is not the graph's edge count.
    pub fn customize(&self, weights: Vec<u32>) -> CchMetric {
        let mut out = CchMetric {
            weights: Vec::new(),
            metric: cch::Metric {
                forward: Vec::new(),
                backward: Vec::new(),
            },
            unpacking: Unpacking::default(),
        };
        self.customize_into(weights, &mut out);
        out
    }

    /// Customizes into an existing metric, reusing its buffers (re-customization after the
    /// weights changed).
    ///
    /// # Panics
    /// If `weights.len()` is not the graph's edge count.
    pub fn customize_into(&self, weights: Vec<u32>, out: &mut CchMetric) {
        assert_eq!(
            weights.len(),
            self.edges,
            "one weight per edge of the graph"
        );
        let clamped: Vec<u32> = weights.iter().map(|&w| w.min(INF_WEIGHT)).collect();
        self.cch
            .customizer()
            .customize_into(&clamped, &mut out.metric);
        out.weights = weights;
        let slots = 2 * self.cch.cch_arc_count();
        if out.unpacking.0.len() != slots {
            out.unpacking = Unpacking((0..slots).map(|_| INVALID.into()).collect());
        }
    }

    /// Re-customizes `metric` for new weights by recomputing only what they can change
    /// (partial customization): the nodes owning an arc whose input weight changed, then,
    /// in rank order, every node above one whose arcs changed value. Each such node's arcs are
    /// recomputed from their input weights and all their lower triangles, so weights may go up
    /// as well as down. Falls back to a full customization when more than a third of the
    /// edges changed. Returns the number of nodes recomputed (all of them for a full one).
    /// Gives the same metric as [`CchIndex::customize`] on the new weights.
    ///
    /// Written here because the `cch` crate customizes whole metrics only; a batch of new
    /// incidents changes a few percent of the edges, and a full customization of a
    /// million-node network takes most of the second a route update may take.
    ///
    /// # Panics
    /// If `weights.len()` is not the graph's edge count or `metric` is not of this index.
    pub fn recustomize(&self, metric: &mut CchMetric, weights: Vec<u32>) -> usize {
        assert_eq!(
            weights.len(),
            self.edges,
            "one weight per edge of the graph"
        );
        assert_eq!(metric.weights.len(), self.edges, "a metric of this index");
        let c = &self.cch;
        let n = c.node_count();
        let clamp = |w: u32| w.min(INF_WEIGHT);
        let mut changed_nodes = Vec::new();
        let mut changed = 0;
        for (e, (&old, &new)) in metric.weights.iter().zip(&weights).enumerate() {
            if clamp(old) != clamp(new) {
                changed += 1;
                let a = c.input_arc_to_cch_arc[e];
                if a != INVALID {
                    changed_nodes.push(c.up_tail[a as usize]);
                }
            }
        }
        if changed > self.edges / 3 {
            self.customize_into(weights, metric);
            return n;
        }
        let (fw, bw) = (&mut metric.metric.forward, &mut metric.metric.backward);
        let mut dirty = vec![false; n];
        let mut heap = std::collections::BinaryHeap::new();
        for x in changed_nodes {
            if !std::mem::replace(&mut dirty[x as usize], true) {
                heap.push(std::cmp::Reverse(x));
            }
        }
        // slot[z] = the arc x → z of the node being recomputed.
        let mut slot = vec![INVALID; n];
        let (mut new_f, mut new_b) = (Vec::new(), Vec::new());
        let mut recomputed = 0;
        while let Some(std::cmp::Reverse(x)) = heap.pop() {
            recomputed += 1;
            let xi = x as usize;
            let (a0, a1) = (c.up_first_out[xi] as usize, c.up_first_out[xi + 1] as usize);
            new_f.clear();
            new_b.clear();
            for a in a0..a1 {
                slot[c.up_head[a] as usize] = a as u32;
                let input = |first: u32, extra: &[u32], extra_first: &[u32]| {
                    std::iter::once(first)
                        .chain(
                            extra[extra_first[a] as usize..extra_first[a + 1] as usize]
                                .iter()
                                .copied(),
                        )
                        .filter(|&e| e != INVALID)
                        .map(|e| clamp(weights[e as usize]))
                        .min()
                        .unwrap_or(INF_WEIGHT)
                };
                new_f.push(input(
                    c.forward_input_arc_of_cch[a],
                    &c.extra_forward_input_arc_of_cch,
                    &c.first_extra_forward_input_arc_of_cch,
                ));
                new_b.push(input(
                    c.backward_input_arc_of_cch[a],
                    &c.extra_backward_input_arc_of_cch,
                    &c.first_extra_backward_input_arc_of_cch,
                ));
            }
            // Lower triangles (y, x, z): y below x, bottom = y → x, mid = y → z, top = x → z.
            for p in c.down_first_out[xi] as usize..c.down_first_out[xi + 1] as usize {
                let bottom = c.down_to_up[p] as usize;
                let y = c.down_head[p] as usize;
                let (fb, bb) = (fw[bottom], bw[bottom]);
                for mid in (c.up_first_out[y] as usize..c.up_first_out[y + 1] as usize).rev() {
                    let z = c.up_head[mid];
                    if z <= x {
                        break;
                    }
                    let top = slot[z as usize] as usize - a0;
                    new_f[top] = new_f[top].min(bb.saturating_add(fw[mid]).min(INF_WEIGHT));
                    new_b[top] = new_b[top].min(fb.saturating_add(bw[mid]).min(INF_WEIGHT));
                }
            }
            if fw[a0..a1] != new_f[..] || bw[a0..a1] != new_b[..] {
                fw[a0..a1].copy_from_slice(&new_f);
                bw[a0..a1].copy_from_slice(&new_b);
                for a in a0..a1 {
                    let z = c.up_head[a];
                    if !std::mem::replace(&mut dirty[z as usize], true) {
                        heap.push(std::cmp::Reverse(z));
                    }
                }
            }
        }
        metric.weights = weights;
        recomputed
    }

    /// Heap bytes held by the index (order, supergraph, elimination tree, arc mappings).
    pub fn memory_bytes(&self) -> usize {
        let c = &self.cch;
        4 * [
            &c.rank,
            &c.order,
            &c.elimination_tree_parent,
            &c.up_first_out,
            &c.up_head,
            &c.up_tail,
            &c.down_first_out,
            &c.down_head,
            &c.down_to_up,
            &c.input_arc_to_cch_arc,
            &c.forward_input_arc_of_cch,
            &c.backward_input_arc_of_cch,
            &c.first_extra_forward_input_arc_of_cch,
            &c.extra_forward_input_arc_of_cch,
            &c.first_extra_backward_input_arc_of_cch,
            &c.extra_backward_input_arc_of_cch,
        ]
        .iter()
        .map(|v| v.capacity())
        .sum::<usize>()
    }
}

/// What a CCH query found.
#[derive(Debug, Clone, PartialEq)]
pub enum CchAnswer {
    /// The optimal route (the same cost as Dijkstra's).
    Route(PathResult),
    /// No route below `INF_WEIGHT` (2³¹ − 1): the points may be disconnected, or joined only
    /// by routes that costly; ask Dijkstra.
    Unknown,
}

/// Reusable query state for one thread: distances, parents and the two search chains. The
/// arrays are sized once per index and cleared along the chains after each query, so a
/// query allocates nothing after warm-up but its answer.
#[derive(Debug, Clone, Default)]
pub struct CchQuery {
    dist: [Vec<u64>; 2],
    /// The supergraph arc a node was reached by, or a seed marker `SEED | index`.
    parent: [Vec<u32>; 2],
    chain: [Vec<u32>; 2],
    cursors: Vec<u32>,
}

const SEED: u32 = 1 << 31;

/// One step of an unpacked path: a supergraph arc between ranks `lo < hi`, travelled upwards
/// (`lo → hi`) or downwards.
#[derive(Debug, Clone, Copy)]
struct Step {
    lo: u32,
    hi: u32,
    arc: u32,
    up: bool,
}

impl CchQuery {
    pub fn new() -> Self {
        Self::default()
    }

    fn size(&mut self, n: usize) {
        for side in 0..2 {
            if self.dist[side].len() != n {
                self.dist[side] = vec![u64::MAX; n];
                self.parent[side] = vec![INVALID; n];
            }
        }
    }

    /// The shortest route between two snapped points under `metric`, with exactly the cost
    /// and conventions of [`super::Router::route`] (partial first and last edges, the direct
    /// way along a shared edge), or [`CchAnswer::Unknown`] when the CCH finds no route below
    /// `INF_WEIGHT`.
    ///
    /// # Panics
    /// If the index, metric and graph do not belong together (sizes differ).
    pub fn route(
        &mut self,
        graph: &RoadGraph,
        index: &CchIndex,
        metric: &CchMetric,
        source: &Snap,
        target: &Snap,
    ) -> CchAnswer {
        assert_eq!(
            index.edges,
            graph.edge_count(),
            "index built for another graph"
        );
        assert_eq!(
            index.node_count(),
            graph.node_count(),
            "index built for another graph"
        );
        assert_eq!(
            metric.weights.len(),
            graph.edge_count(),
            "metric of another graph"
        );
        let weights = &metric.weights;
        let direct = direct_route(graph, weights, source, target);
        let src = SeedPair::of(graph, weights, source, true);
        let dst = SeedPair::of(graph, weights, target, false);
        let (s, sn) = src.nodes();
        let (t, tn) = dst.nodes();
        let bound = direct.map_or(INF, |d| d.0.min(INF));
        let found = self.search(index, metric, &s[..sn], &t[..tn], bound);
        let found = match found {
            Some((cost, meet)) => match self.unpack(index, metric, meet) {
                Some((si, middle, ti)) => Some((cost, si, middle, ti)),
                None => {
                    // Not expected (every customized arc unpacks); Dijkstra answers instead.
                    self.clear();
                    return CchAnswer::Unknown;
                }
            },
            None => None,
        };
        self.clear();
        if found.is_none() && direct.is_none_or(|d| d.0 >= INF) {
            // Nothing below INF_WEIGHT: unreachable, or too costly for the CCH to tell.
            return CchAnswer::Unknown;
        }
        match assemble(source, target, &src, &dst, found, direct) {
            Some(p) => CchAnswer::Route(p),
            None => CchAnswer::Unknown,
        }
    }

    /// Cost between two nodes under the metric (`None`: nothing below `INF_WEIGHT`).
    pub fn distance(
        &mut self,
        index: &CchIndex,
        metric: &CchMetric,
        source: crate::NodeId,
        target: crate::NodeId,
    ) -> Option<u64> {
        let found = self.search(index, metric, &[(source.0, 0)], &[(target.0, 0)], INF);
        self.clear();
        found.map(|f| f.0)
    }

    /// The elimination-tree search: both sides walk up from their seeds' ranks in rank order
    /// (the union of the seeds' ancestor chains), relaxing upward arcs; a node reached by both
    /// sides is a meeting candidate; a side prunes a node whose distance is not below the best
    /// meeting cost. Returns the best cost (below `bound`) and the meeting rank.
    fn search(
        &mut self,
        index: &CchIndex,
        metric: &CchMetric,
        sources: &[(u32, u64)],
        targets: &[(u32, u64)],
        bound: u64,
    ) -> Option<(u64, u32)> {
        let c = &index.cch;
        self.size(c.node_count());
        for (side, seeds) in [sources, targets].into_iter().enumerate() {
            let dist = &mut self.dist[side];
            let parent = &mut self.parent[side];
            self.cursors.clear();
            for (i, &(v, cost)) in seeds.iter().enumerate() {
                let r = c.rank[v as usize];
                if cost < dist[r as usize] {
                    dist[r as usize] = cost;
                    parent[r as usize] = SEED | i as u32;
                }
                self.cursors.push(r);
            }
            // The union of the seeds' ancestor chains, ascending (parents rank higher).
            let chain = &mut self.chain[side];
            chain.clear();
            while let Some(&x) = self.cursors.iter().min() {
                chain.push(x);
                self.cursors.retain_mut(|r| {
                    if *r == x {
                        *r = c.elimination_tree_parent[x as usize];
                    }
                    *r != INVALID
                });
            }
        }
        let up_first_out = &c.up_first_out;
        let up_head = &c.up_head;
        let weight = [&metric.metric.forward, &metric.metric.backward];
        let mut best = bound;
        let mut meet = INVALID;
        let (mut i, mut j) = (0, 0);
        let (cf, cb) = (&self.chain[0], &self.chain[1]);
        while i < cf.len() || j < cb.len() {
            let x = match (cf.get(i), cb.get(j)) {
                (Some(&a), Some(&b)) => a.min(b),
                (Some(&a), None) => a,
                (None, Some(&b)) => b,
                (None, None) => break,
            };
            let on = [cf.get(i) == Some(&x), cb.get(j) == Some(&x)];
            let xi = x as usize;
            if on[0] && on[1] {
                let d = self.dist[0][xi].saturating_add(self.dist[1][xi]);
                if d < best {
                    best = d;
                    meet = x;
                }
            }
            for side in 0..2 {
                if !on[side] {
                    continue;
                }
                let dx = self.dist[side][xi];
                if dx >= best {
                    continue;
                }
                let (a, b) = (up_first_out[xi] as usize, up_first_out[xi + 1] as usize);
                let dist = &mut self.dist[side];
                let parent = &mut self.parent[side];
                for (k, (&y, &w)) in up_head[a..b].iter().zip(&weight[side][a..b]).enumerate() {
                    if w >= INF_WEIGHT {
                        continue;
                    }
                    let nd = dx + u64::from(w);
                    let slot = &mut dist[y as usize];
                    if nd < *slot {
                        *slot = nd;
                        parent[y as usize] = (a + k) as u32;
                    }
                }
            }
            i += usize::from(on[0]);
            j += usize::from(on[1]);
        }
        (meet != INVALID && best < INF).then_some((best, meet))
    }

    /// Resets the labels along both chains (every node a search touches is on its chain:
    /// upward arcs lead to elimination-tree ancestors).
    fn clear(&mut self) {
        for side in 0..2 {
            for &x in &self.chain[side] {
                self.dist[side][x as usize] = u64::MAX;
                self.parent[side][x as usize] = INVALID;
            }
        }
    }

    /// The path through `meet`: (source seed index, road edges in travel order, target seed
    /// index).
    fn unpack(
        &self,
        index: &CchIndex,
        metric: &CchMetric,
        meet: u32,
    ) -> Option<(usize, Vec<EdgeId>, usize)> {
        let c = &index.cch;
        // Upward arcs from the source seed to the meeting node, then downward to the target.
        let mut steps = Vec::new();
        let mut x = meet;
        let si = loop {
            let p = self.parent[0][x as usize];
            if p & SEED != 0 && p != INVALID {
                break (p & !SEED) as usize;
            }
            let lo = c.up_tail[p as usize];
            steps.push(Step {
                lo,
                hi: x,
                arc: p,
                up: true,
            });
            x = lo;
        };
        steps.reverse();
        let mut x = meet;
        let ti = loop {
            let p = self.parent[1][x as usize];
            if p & SEED != 0 && p != INVALID {
                break (p & !SEED) as usize;
            }
            let lo = c.up_tail[p as usize];
            steps.push(Step {
                lo,
                hi: x,
                arc: p,
                up: false,
            });
            x = lo;
        };
        let mut edges = Vec::new();
        let mut stack: Vec<Step> = Vec::new();
        for s in steps {
            stack.push(s);
            while let Some(s) = stack.pop() {
                match unpack_step(c, metric, s)? {
                    Unpacked::Edge(e) => edges.push(EdgeId(e)),
                    Unpacked::Via(first, second) => {
                        stack.push(second);
                        stack.push(first);
                    }
                }
            }
        }
        Some((si, edges, ti))
    }
}

enum Unpacked {
    Edge(u32),
    Via(Step, Step),
}

/// One level of unpacking: the input edge an arc stands for (one whose weight equals the
/// arc's), or the two arcs of a lower triangle whose weights add up to it.
fn unpack_step(c: &cch::Cch, metric: &CchMetric, s: Step) -> Option<Unpacked> {
    use std::sync::atomic::Ordering::Relaxed;
    let a = s.arc as usize;
    let (target, first, extras, extra_first) = if s.up {
        (
            metric.metric.forward[a],
            c.forward_input_arc_of_cch[a],
            &c.extra_forward_input_arc_of_cch,
            &c.first_extra_forward_input_arc_of_cch,
        )
    } else {
        (
            metric.metric.backward[a],
            c.backward_input_arc_of_cch[a],
            &c.extra_backward_input_arc_of_cch,
            &c.first_extra_backward_input_arc_of_cch,
        )
    };
    let (fw, bw) = (&metric.metric.forward, &metric.metric.backward);
    let up_arc = |z: u32, head: u32| {
        let (a, b) = (
            c.up_first_out[z as usize] as usize,
            c.up_first_out[z as usize + 1] as usize,
        );
        c.up_head[a..b]
            .binary_search(&head)
            .ok()
            .map(|i| (a + i) as u32)
    };
    // The triangle (z, lo, hi) if its two arcs add up to the arc's weight.
    let triangle = |z: u32, bottom: u32, mid: u32| -> Option<Unpacked> {
        let (bottom, mid) = (bottom as usize, mid as usize);
        if s.up {
            // lo → z (down the bottom arc), z → hi (up the mid arc).
            (u64::from(bw[bottom]) + u64::from(fw[mid]) == u64::from(target)).then_some(
                Unpacked::Via(
                    Step {
                        lo: z,
                        hi: s.lo,
                        arc: bottom as u32,
                        up: false,
                    },
                    Step {
                        lo: z,
                        hi: s.hi,
                        arc: mid as u32,
                        up: true,
                    },
                ),
            )
        } else {
            // hi → z (down the mid arc), z → lo (up the bottom arc).
            (u64::from(bw[mid]) + u64::from(fw[bottom]) == u64::from(target)).then_some(
                Unpacked::Via(
                    Step {
                        lo: z,
                        hi: s.hi,
                        arc: mid as u32,
                        up: false,
                    },
                    Step {
                        lo: z,
                        hi: s.lo,
                        arc: bottom as u32,
                        up: true,
                    },
                ),
            )
        }
    };
    let slot = metric.unpacking.0.get(2 * a + usize::from(!s.up));
    if let Some(v) = slot.map(|v| v.load(Relaxed)).filter(|&v| v != INVALID) {
        let cached = if v & EDGE != 0 {
            let e = v & !EDGE;
            (metric.weights.get(e as usize) == Some(&target)).then_some(Unpacked::Edge(e))
        } else {
            up_arc(v, s.lo)
                .zip(up_arc(v, s.hi))
                .and_then(|(bottom, mid)| triangle(v, bottom, mid))
        };
        if cached.is_some() {
            return cached;
        }
    }
    let remember = |v: u32| {
        if let Some(slot) = slot {
            slot.store(v, Relaxed);
        }
    };
    let input = std::iter::once(first).chain(
        extras[extra_first[a] as usize..extra_first[a + 1] as usize]
            .iter()
            .copied(),
    );
    for e in input {
        if e != INVALID
            && metric.weights[e as usize] != BLOCKED
            && metric.weights[e as usize] == target
        {
            remember(EDGE | e);
            return Some(Unpacked::Edge(e));
        }
    }
    // A lower triangle (z, lo, hi): z below both, arcs z–lo ("bottom") and z–hi ("mid").
    // Walk the shorter of the two down lists and find the other arc in z's (short, sorted)
    // upward list: the top nodes of the hierarchy have thousands of down arcs.
    let down =
        |v: u32| c.down_first_out[v as usize] as usize..c.down_first_out[v as usize + 1] as usize;
    let (walk, other) = if down(s.lo).len() <= down(s.hi).len() {
        (s.lo, s.hi)
    } else {
        (s.hi, s.lo)
    };
    for p in down(walk) {
        let z = c.down_head[p];
        let Some(found) = up_arc(z, other) else {
            continue;
        };
        let walked = c.down_to_up[p];
        let (bottom, mid) = if walk == s.lo {
            (walked, found)
        } else {
            (found, walked)
        };
        if let Some(u) = triangle(z, bottom, mid) {
            remember(z);
            return Some(u);
        }
    }
    // Every customized arc below INF_WEIGHT is an input edge or a lower triangle.
    None
}
