//! Snapping positions onto the graph: the nearest usable edge of a profile, found with the
//! R-tree of geometry pieces.
//!
//! The tree holds plain lon/lat degrees. Candidates come out nearest-first in degrees; each is
//! measured in metres (closest point in a local equirectangular frame at the query, then
//! haversine), and the scan stops once the degree distance, turned into a lower bound in metres
//! with the cosine of the highest latitude involved, exceeds the best distance found (or the
//! limit). Not meant for lines crossing the antimeridian.

use super::{build::M_PER_DEG, lerp, Profile, RoadGraph, NONE};
use crate::{haversine_m, EdgeId, LonLat};

/// A position snapped onto an edge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    /// The edge (a direction the profile may use).
    pub edge: EdgeId,
    /// Where on the edge, as a fraction of its length from its tail (0) to its head (1).
    pub fraction: f64,
    /// The point on the edge.
    pub point: LonLat,
    /// Distance from the snapped position to `point`, metres.
    pub distance_m: f64,
}

/// Why a position could not be snapped.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapError {
    /// Nothing the profile may use within the limit (a point in the sea, or far from the
    /// mapped roads).
    #[error("no road usable {profile} within {max_distance_m} m of {point}")]
    NoRoadWithin {
        point: LonLat,
        profile: &'static str,
        max_distance_m: f64,
    },
    /// The limit is not a non-negative number.
    #[error("invalid snapping distance {value} m: must be a non-negative number")]
    InvalidDistance { value: f64 },
}

impl RoadGraph {
    /// Snaps `p` to the nearest edge that `profile` may use (see [`RoadGraph::usable`]) within
    /// `max_distance_m`. For a two-way piece of road the edge running with the source geometry
    /// is returned; a search also uses its [`twin`](RoadGraph::twin).
    pub fn snap(
        &self,
        p: LonLat,
        profile: Profile,
        allow_rail: bool,
        max_distance_m: f64,
    ) -> Result<Snap, SnapError> {
        if max_distance_m.is_nan() || max_distance_m < 0.0 {
            return Err(SnapError::InvalidDistance {
                value: max_distance_m,
            });
        }
        let not_found = || SnapError::NoRoadWithin {
            point: p,
            profile: profile.as_str(),
            max_distance_m,
        };
        let cos = p
            .lat()
            .abs()
            .max(self.max_abs_lat)
            .min(89.9)
            .to_radians()
            .cos();
        // Lower bound, metres per degree of planar lon/lat distance (with 0.5 % slack for the
        // difference between haversine and the local frame).
        let m_per_deg = M_PER_DEG * cos * 0.995;
        let cos_p = p.lat().to_radians().cos();
        let mut best: Option<(f64, u32, u32, f64, LonLat)> = None;
        for (entry, d2) in self
            .rtree
            .nearest_neighbor_iter_with_distance_2([p.lon(), p.lat()])
        {
            let bound = d2.sqrt() * m_per_deg;
            let limit = best.map_or(max_distance_m, |b| b.0.min(max_distance_m));
            if bound > limit {
                break;
            }
            let (arc, piece) = entry.data;
            if self.arc_usable_edge(arc, profile, allow_rail).is_none() {
                continue;
            }
            let line = entry.geom();
            let (a, b) = (line.from, line.to);
            // Closest point in a local equirectangular frame centred at p.
            let ax = (a[0] - p.lon()) * cos_p;
            let ay = a[1] - p.lat();
            let bx = (b[0] - p.lon()) * cos_p;
            let by = b[1] - p.lat();
            let (dx, dy) = (bx - ax, by - ay);
            let len2 = dx * dx + dy * dy;
            let t = if len2 > 0.0 {
                (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let pa = LonLat::new(a[0], a[1]).unwrap_or(p);
            let pb = LonLat::new(b[0], b[1]).unwrap_or(p);
            let q = lerp(pa, pb, t);
            let d = haversine_m(p, q);
            if d <= max_distance_m && best.is_none_or(|bst| (d, arc, piece) < (bst.0, bst.1, bst.2))
            {
                best = Some((d, arc, piece, t, q));
            }
        }
        let (d, arc, piece, t, q) = best.ok_or_else(not_found)?;
        let edge = self
            .arc_usable_edge(arc, profile, allow_rail)
            .ok_or_else(not_found)?;
        // Fraction along the arc (geometry order), then along the edge.
        let a = arc as usize;
        let pts = &self.geom[self.arc_first[a] as usize..self.arc_first[a + 1] as usize];
        let (mut along, mut total) = (0.0, 0.0);
        for (i, w) in pts.windows(2).enumerate() {
            let d = haversine_m(w[0], w[1]);
            if i < piece as usize {
                along += d;
            } else if i == piece as usize {
                along += d * t;
            }
            total += d;
        }
        let f_arc = if total > 0.0 {
            (along / total).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let fraction = if edge.0 == self.arc_edges[a][0] {
            f_arc
        } else {
            1.0 - f_arc
        };
        Ok(Snap {
            edge,
            fraction,
            point: q,
            distance_m: d,
        })
    }

    /// Snaps many positions (shelters, transit points) with the same settings, in order.
    pub fn snap_many(
        &self,
        points: &[LonLat],
        profile: Profile,
        allow_rail: bool,
        max_distance_m: f64,
    ) -> Vec<Result<Snap, SnapError>> {
        points
            .iter()
            .map(|&p| self.snap(p, profile, allow_rail, max_distance_m))
            .collect()
    }

    /// The usable edge of an arc, preferring the one that runs with the geometry.
    fn arc_usable_edge(&self, arc: u32, profile: Profile, allow_rail: bool) -> Option<EdgeId> {
        self.arc_edges[arc as usize]
            .into_iter()
            .filter(|&e| e != NONE)
            .map(EdgeId)
            .find(|&e| self.usable(e, profile, allow_rail))
    }
}
