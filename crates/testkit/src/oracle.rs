//! Reference implementations to check the fast algorithms against: plain Dijkstra through
//! petgraph, and brute-force scans.

use petgraph::algo::dijkstra as pg_dijkstra;
use petgraph::graph::{DiGraph, NodeIndex};
use senda_core::graph::{Profile, RoadGraph};
use senda_core::{haversine_m, EdgeId, LonLat, NodeId, Snap};

/// A petgraph copy of a [`RoadGraph`] with the given weights (`u32::MAX` edges left out),
/// to run [`petgraph::algo::dijkstra()`] on.
pub struct Oracle {
    graph: DiGraph<(), u64>,
}

impl Oracle {
    pub fn new(road: &RoadGraph, weights: &[u32]) -> Self {
        assert_eq!(weights.len(), road.edge_count());
        let mut graph = DiGraph::with_capacity(road.node_count(), road.edge_count());
        for _ in 0..road.node_count() {
            graph.add_node(());
        }
        for e in 0..road.edge_count() as u32 {
            let e = EdgeId(e);
            let w = weights[e.index()];
            if w != u32::MAX {
                graph.add_edge(
                    NodeIndex::new(road.tail(e).index()),
                    NodeIndex::new(road.head(e).index()),
                    u64::from(w),
                );
            }
        }
        Self { graph }
    }

    /// Costs from `source` to every node (`None` if unreachable).
    pub fn costs_from(&self, source: NodeId) -> Vec<Option<u64>> {
        let scores = pg_dijkstra(&self.graph, NodeIndex::new(source.index()), None, |e| {
            *e.weight()
        });
        let mut out = vec![None; self.graph.node_count()];
        for (n, c) in scores {
            out[n.index()] = Some(c);
        }
        out
    }

    /// Cost from `source` to `target`.
    pub fn cost(&self, source: NodeId, target: NodeId) -> Option<u64> {
        let t = NodeIndex::new(target.index());
        pg_dijkstra(&self.graph, NodeIndex::new(source.index()), Some(t), |e| {
            *e.weight()
        })
        .get(&t)
        .copied()
    }
}

/// Costs from `source` to every node by petgraph's Dijkstra.
pub fn dijkstra(road: &RoadGraph, weights: &[u32], source: NodeId) -> Vec<Option<u64>> {
    Oracle::new(road, weights).costs_from(source)
}

fn part(w: u32, f: f64) -> u64 {
    (f64::from(w) * f.clamp(0.0, 1.0)).round() as u64
}

/// Brute-force cost between two snaps: every combination of an end node of the source's edge
/// (reached along the rest of the edge or back along its twin) and an end node of the target's
/// edge, with node-to-node costs from petgraph, plus travelling directly along a shared edge.
/// Partial edges cost `round(weight × fraction)`, as documented in `senda_core::search`.
pub fn snap_to_snap(
    oracle: &Oracle,
    road: &RoadGraph,
    weights: &[u32],
    source: &Snap,
    target: &Snap,
) -> Option<u64> {
    let w = |e: EdgeId| weights[e.index()];
    let open = |e: EdgeId| w(e) != u32::MAX;
    let (es, et) = (source.edge, target.edge);
    let mut starts = Vec::new();
    if open(es) {
        starts.push((road.head(es), part(w(es), 1.0 - source.fraction)));
    }
    if let Some(t) = road.twin(es).filter(|&t| open(t)) {
        starts.push((road.tail(es), part(w(t), source.fraction)));
    }
    let mut ends = Vec::new();
    if open(et) {
        ends.push((road.tail(et), part(w(et), target.fraction)));
    }
    if let Some(t) = road.twin(et).filter(|&t| open(t)) {
        ends.push((road.head(et), part(w(t), 1.0 - target.fraction)));
    }
    let mut best: Option<u64> = None;
    let mut consider = |c: u64| best = Some(best.map_or(c, |b| b.min(c)));
    for &(a, ca) in &starts {
        let costs = oracle.costs_from(a);
        for &(b, cb) in &ends {
            if let Some(d) = costs[b.index()] {
                consider(ca + d + cb);
            }
        }
    }
    // Directly along the shared piece of road.
    let ft = if et == es {
        Some(target.fraction)
    } else if road.twin(es) == Some(et) {
        Some(1.0 - target.fraction)
    } else {
        None
    };
    if let Some(ft) = ft {
        let fs = source.fraction;
        if ft >= fs && open(es) {
            consider(part(w(es), ft - fs));
        }
        if let Some(t) = road.twin(es).filter(|&t| open(t)) {
            if ft <= fs {
                consider(part(w(t), fs - ft));
            }
        }
    }
    best
}

/// Brute-force nearest usable edge: the distance in metres from `p` to the closest point of
/// any edge `profile` may use, scanning every geometry piece (closest point found by ternary
/// search on the haversine distance, which is unimodal along a short piece).
pub fn nearest_edge_m(
    road: &RoadGraph,
    p: LonLat,
    profile: Profile,
    allow_rail: bool,
) -> Option<(EdgeId, f64)> {
    let mut best: Option<(EdgeId, f64)> = None;
    for e in 0..road.edge_count() as u32 {
        let e = EdgeId(e);
        if !road.usable(e, profile, allow_rail) {
            continue;
        }
        let pts: Vec<LonLat> = road.edge_geometry(e).collect();
        for w in pts.windows(2) {
            let at = |t: f64| {
                LonLat::new(
                    w[0].lon() + (w[1].lon() - w[0].lon()) * t,
                    w[0].lat() + (w[1].lat() - w[0].lat()) * t,
                )
                .expect("between two valid positions")
            };
            let (mut lo, mut hi) = (0.0f64, 1.0f64);
            for _ in 0..60 {
                let m1 = lo + (hi - lo) / 3.0;
                let m2 = hi - (hi - lo) / 3.0;
                if haversine_m(p, at(m1)) <= haversine_m(p, at(m2)) {
                    hi = m2;
                } else {
                    lo = m1;
                }
            }
            let d = haversine_m(p, at((lo + hi) / 2.0));
            if best.is_none_or(|b| d < b.1) {
                best = Some((e, d));
            }
        }
    }
    best
}

/// Sum of the weights of a path's edges, `None` if one is blocked.
pub fn path_weight(weights: &[u32], edges: &[EdgeId]) -> Option<u64> {
    edges.iter().try_fold(0u64, |acc, e| {
        let w = weights[e.index()];
        (w != u32::MAX).then(|| acc + u64::from(w))
    })
}
