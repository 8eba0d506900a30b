//! The road graph: [`RoadSegment`]s split at shared vertices, joined within a tolerance, pruned
//! to each profile's largest component and frozen into compressed sparse row (CSR) arrays, with
//! an R-tree to snap positions onto it.
//!
//! ```
//! use senda_core::graph::{GraphConfig, Profile, RoadGraph};
//! use senda_core::{LonLat, RoadClass, RoadSegment, SourceKey};
//!
//! let p = |lon, lat| LonLat::new(lon, lat).unwrap();
//! let seg = |id: &str, pts: Vec<LonLat>| {
//!     RoadSegment::new(SourceKey::new("demo", id).unwrap(), RoadClass::Residential, pts).unwrap()
//! };
//! // Two ways crossing at a shared interior vertex: four pieces, two directed edges each.
//! let roads = vec![
//!     seg("a", vec![p(-92.0, 14.0), p(-91.99, 14.0), p(-91.98, 14.0)]),
//!     seg("b", vec![p(-91.99, 13.99), p(-91.99, 14.0), p(-91.99, 14.01)]),
//! ];
//! let (graph, report) = RoadGraph::build(&roads, &GraphConfig::default());
//! assert_eq!(graph.node_count(), 5);
//! assert_eq!(graph.edge_count(), 8);
//! assert_eq!(report.foot.dropped_nodes, 0);
//! let snap = graph.snap(p(-91.995, 14.0001), Profile::Foot, false, 100.0).unwrap();
//! assert!(snap.distance_m < 12.0);
//! ```

mod build;
mod components;
mod config;
mod profile;
mod snap;

pub use build::{BuildReport, ComponentSummary, Merge};
pub use config::{GraphConfig, VehicleSpeeds};
pub use profile::Profile;
pub use snap::{Snap, SnapError};

use crate::{EdgeId, LonLat, NodeId, RoadClass, RoadSegment};
use rstar::primitives::{GeomWithData, Line};
use rstar::RTree;

/// "No edge" in the `u32` arrays.
pub(crate) const NONE: u32 = u32::MAX;

/// Travel time meaning "this profile may not use the edge".
pub const NOT_ALLOWED: u32 = u32::MAX;

/// Per-edge flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EdgeFlags(u8);

impl EdgeFlags {
    /// A rail line ([`RoadClass::Rail`]).
    pub const RAIL: Self = Self(1);
    /// A ford (`ford=yes`): a river crossing that floods.
    pub const FORD: Self = Self(2);
    /// A bridge.
    pub const BRIDGE: Self = Self(4);
    /// The edge runs against the geometry order of its source segment.
    pub const REVERSED: Self = Self(8);
    /// In the largest component on foot without rail.
    pub const IN_FOOT: Self = Self(16);
    /// In the largest component on foot with rail allowed.
    pub const IN_FOOT_RAIL: Self = Self(32);
    /// In the largest strongly connected component by vehicle.
    pub const IN_VEHICLE: Self = Self(64);

    /// Whether every flag of `other` is set.
    #[inline]
    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn bits(self) -> u8 {
        self.0
    }

    pub(crate) fn insert(&mut self, other: Self) {
        self.0 |= other.0;
    }
}

impl std::ops::BitOr for EdgeFlags {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

/// One R-tree entry: a straight piece of an arc's geometry, `(arc, piece index)`.
pub(crate) type PieceEntry = GeomWithData<Line<[f64; 2]>, (u32, u32)>;

/// A routable road graph in CSR form. Build it with [`RoadGraph::build`].
///
/// Every directed edge has a tail and a head node, a geometry (shared with its reverse twin,
/// if it has one), a length, a travel time per [`Profile`] in deciseconds
/// ([`NOT_ALLOWED`] when the profile's tags forbid it), its class, [`EdgeFlags`] and the index
/// of the [`RoadSegment`] it came from. [`RoadGraph::usable`] adds the component rule: an edge
/// outside a profile's largest component is not usable by that profile.
///
/// Memory: about 45 bytes per directed edge, 16 per node, 16 per geometry position and the
/// R-tree (see [`RoadGraph::memory_bytes`]).
#[derive(Debug, Clone)]
pub struct RoadGraph {
    pub(crate) node_pos: Vec<LonLat>,
    pub(crate) first_out: Vec<u32>,
    pub(crate) head: Vec<u32>,
    pub(crate) tail: Vec<u32>,
    pub(crate) first_in: Vec<u32>,
    pub(crate) in_edge: Vec<u32>,
    pub(crate) twin: Vec<u32>,
    pub(crate) length_m: Vec<f32>,
    pub(crate) time_ds: [Vec<u32>; 2],
    pub(crate) class: Vec<RoadClass>,
    pub(crate) flags: Vec<EdgeFlags>,
    pub(crate) segment: Vec<u32>,
    pub(crate) arc: Vec<u32>,
    pub(crate) arc_first: Vec<u32>,
    pub(crate) arc_edges: Vec<[u32; 2]>,
    pub(crate) geom: Vec<LonLat>,
    pub(crate) max_abs_lat: f64,
    pub(crate) rtree: RTree<PieceEntry>,
}

impl RoadGraph {
    /// Builds the graph from road segments (the rules are in the `build` module docs: exact
    /// shared positions, dangling ends merged within the tolerance, split at shared vertices,
    /// largest components) and reports what was joined and dropped.
    pub fn build(segments: &[RoadSegment], config: &GraphConfig) -> (RoadGraph, BuildReport) {
        build::build(segments, config)
    }

    pub fn node_count(&self) -> usize {
        self.node_pos.len()
    }

    pub fn edge_count(&self) -> usize {
        self.head.len()
    }

    /// Position of a node.
    pub fn node_position(&self, node: NodeId) -> LonLat {
        self.node_pos[node.index()]
    }

    /// Edges leaving `node`, in id order (CSR: ids `first_out[node]..first_out[node + 1]`).
    pub fn out_edges(&self, node: NodeId) -> impl ExactSizeIterator<Item = EdgeId> + '_ {
        let (a, b) = (
            self.first_out[node.index()],
            self.first_out[node.index() + 1],
        );
        (a..b).map(EdgeId)
    }

    /// Edges entering `node` (the reverse CSR).
    pub fn in_edges(&self, node: NodeId) -> impl ExactSizeIterator<Item = EdgeId> + '_ {
        let (a, b) = (
            self.first_in[node.index()] as usize,
            self.first_in[node.index() + 1] as usize,
        );
        self.in_edge[a..b].iter().map(|&e| EdgeId(e))
    }

    pub fn head(&self, edge: EdgeId) -> NodeId {
        NodeId(self.head[edge.index()])
    }

    pub fn tail(&self, edge: EdgeId) -> NodeId {
        NodeId(self.tail[edge.index()])
    }

    /// The same piece of road in the other direction, if some profile may use it that way.
    pub fn twin(&self, edge: EdgeId) -> Option<EdgeId> {
        let t = self.twin[edge.index()];
        (t != NONE).then_some(EdgeId(t))
    }

    /// Length along the geometry (haversine), metres.
    pub fn length_m(&self, edge: EdgeId) -> f32 {
        self.length_m[edge.index()]
    }

    /// Travel time in deciseconds for a profile, by the edge's tags alone ([`NOT_ALLOWED`] if
    /// the profile may not use it; a rail edge has a foot time that applies only when a query
    /// allows rail). See [`RoadGraph::usable`] for the component rule.
    pub fn time_ds(&self, profile: Profile, edge: EdgeId) -> u32 {
        self.time_ds[profile.index()][edge.index()]
    }

    pub fn class(&self, edge: EdgeId) -> RoadClass {
        self.class[edge.index()]
    }

    pub fn flags(&self, edge: EdgeId) -> EdgeFlags {
        self.flags[edge.index()]
    }

    pub fn is_rail(&self, edge: EdgeId) -> bool {
        self.flags[edge.index()].contains(EdgeFlags::RAIL)
    }

    pub fn is_ford(&self, edge: EdgeId) -> bool {
        self.flags[edge.index()].contains(EdgeFlags::FORD)
    }

    pub fn is_bridge(&self, edge: EdgeId) -> bool {
        self.flags[edge.index()].contains(EdgeFlags::BRIDGE)
    }

    /// Index of the [`RoadSegment`] (in the slice given to [`RoadGraph::build`]) the edge comes
    /// from.
    pub fn segment_of(&self, edge: EdgeId) -> usize {
        self.segment[edge.index()] as usize
    }

    /// Whether `profile` may use `edge`: its tags allow it, rail only on foot with `allow_rail`,
    /// and the edge lies in the profile's largest component (for foot, the component computed
    /// with or without rail, as `allow_rail` says).
    #[inline]
    pub fn usable(&self, edge: EdgeId, profile: Profile, allow_rail: bool) -> bool {
        let i = edge.index();
        if self.time_ds[profile.index()][i] == NOT_ALLOWED {
            return false;
        }
        let f = self.flags[i];
        match profile {
            Profile::Vehicle => f.contains(EdgeFlags::IN_VEHICLE),
            Profile::Foot if allow_rail => f.contains(EdgeFlags::IN_FOOT_RAIL),
            Profile::Foot => !f.contains(EdgeFlags::RAIL) && f.contains(EdgeFlags::IN_FOOT),
        }
    }

    /// The edge's geometry from tail to head (at least two positions; the first and last are
    /// the tail's and head's positions).
    pub fn edge_geometry(&self, edge: EdgeId) -> EdgeGeometry<'_> {
        let arc = self.arc[edge.index()] as usize;
        let pts = &self.geom[self.arc_first[arc] as usize..self.arc_first[arc + 1] as usize];
        EdgeGeometry {
            pts,
            reversed: self.flags[edge.index()].contains(EdgeFlags::REVERSED),
            front: 0,
            back: pts.len(),
        }
    }

    /// The point at `fraction` (0 = tail, 1 = head) of the edge's length along its geometry.
    pub fn edge_point_at(&self, edge: EdgeId, fraction: f64) -> LonLat {
        let mut out = Vec::with_capacity(2);
        self.edge_part(edge, fraction, fraction, &mut out);
        out[0]
    }

    /// Appends the part of the edge's geometry between two fractions of its length (tail → head
    /// order when `from <= to`, reversed otherwise), skipping a first position equal to the last
    /// one already in `out`.
    pub fn edge_part(&self, edge: EdgeId, from: f64, to: f64, out: &mut Vec<LonLat>) {
        let from = from.clamp(0.0, 1.0);
        let to = to.clamp(0.0, 1.0);
        let pts: Vec<LonLat> = self.edge_geometry(edge).collect();
        let (lo, hi) = if from <= to { (from, to) } else { (to, from) };
        let cum = cumulative_m(&pts);
        let total = cum[cum.len() - 1];
        // The piece holding fraction f: index i of its end, and the point.
        let at = |f: f64| -> (usize, LonLat) {
            let target = f * total;
            for i in 1..pts.len() {
                if cum[i] >= target {
                    let piece = cum[i] - cum[i - 1];
                    let t = if piece > 0.0 {
                        (target - cum[i - 1]) / piece
                    } else {
                        0.0
                    };
                    return (i, lerp(pts[i - 1], pts[i], t));
                }
            }
            (pts.len() - 1, pts[pts.len() - 1])
        };
        let (i_lo, p_lo) = at(lo);
        let (i_hi, p_hi) = at(hi);
        let mut part = vec![p_lo];
        part.extend_from_slice(&pts[i_lo..i_hi]);
        part.push(p_hi);
        if from > to {
            part.reverse();
        }
        for p in part {
            if out.last() != Some(&p) {
                out.push(p);
            }
        }
    }

    /// Heap memory held by the graph, bytes (the R-tree estimated from its size).
    pub fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        let v32 = |v: &Vec<u32>| v.capacity() * 4;
        self.node_pos.capacity() * size_of::<LonLat>()
            + v32(&self.first_out)
            + v32(&self.head)
            + v32(&self.tail)
            + v32(&self.first_in)
            + v32(&self.in_edge)
            + v32(&self.twin)
            + self.length_m.capacity() * 4
            + v32(&self.time_ds[0])
            + v32(&self.time_ds[1])
            + self.class.capacity() * size_of::<RoadClass>()
            + self.flags.capacity()
            + v32(&self.segment)
            + v32(&self.arc)
            + v32(&self.arc_first)
            + self.arc_edges.capacity() * 8
            + self.geom.capacity() * size_of::<LonLat>()
            // Leaves plus about one parent entry per six leaves.
            + self.rtree.size() * (size_of::<PieceEntry>() + 16) * 7 / 6
    }
}

/// Iterator over an edge's geometry, tail to head. See [`RoadGraph::edge_geometry`].
#[derive(Debug, Clone)]
pub struct EdgeGeometry<'a> {
    pts: &'a [LonLat],
    reversed: bool,
    front: usize,
    back: usize,
}

impl Iterator for EdgeGeometry<'_> {
    type Item = LonLat;
    fn next(&mut self) -> Option<LonLat> {
        if self.front >= self.back {
            return None;
        }
        if self.reversed {
            self.back -= 1;
            Some(self.pts[self.back])
        } else {
            self.front += 1;
            Some(self.pts[self.front - 1])
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for EdgeGeometry<'_> {
    fn next_back(&mut self) -> Option<LonLat> {
        if self.front >= self.back {
            return None;
        }
        if self.reversed {
            self.front += 1;
            Some(self.pts[self.front - 1])
        } else {
            self.back -= 1;
            Some(self.pts[self.back])
        }
    }
}

impl ExactSizeIterator for EdgeGeometry<'_> {}

/// Cumulative haversine distance along a polyline, metres (`cum[0] = 0`).
pub(crate) fn cumulative_m(pts: &[LonLat]) -> Vec<f64> {
    let mut cum = Vec::with_capacity(pts.len());
    let mut acc = 0.0;
    cum.push(0.0);
    for w in pts.windows(2) {
        acc += crate::haversine_m(w[0], w[1]);
        cum.push(acc);
    }
    cum
}

/// Linear interpolation in lon/lat (fine over the short pieces of a road geometry).
pub(crate) fn lerp(a: LonLat, b: LonLat, t: f64) -> LonLat {
    let t = t.clamp(0.0, 1.0);
    LonLat::new(
        a.lon() + (b.lon() - a.lon()) * t,
        a.lat() + (b.lat() - a.lat()) * t,
    )
    .unwrap_or(a)
}
