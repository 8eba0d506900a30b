//! The nearest public-transport stops to a point, in a straight line, with the lines that
//! serve them ([`TransitPoint::routes`]).
//!
//! A *stop* is a transit point that at least one line serves (a GTFS stop or station with
//! routes; points no trip stops at, and the towns, border crossings and stations read from
//! other sources, are not stops). The stops sit in one R-tree of unit vectors on the sphere,
//! built on first use: the chord between unit vectors grows with the great-circle distance,
//! so the tree's nearest by chord are the nearest on the sphere, as for the shelters
//! ([`super::nearest`]). Once `k` stops are in hand, every further stop whose chord is within
//! rounding of the `k`-th is taken too, and the candidates are ranked by
//! [`haversine_m`](crate::haversine_m) with ties broken by index: the answer is exactly the
//! first `k` of a brute-force haversine scan sorted by (distance, index) (checked in
//! `tests/nearest.rs`).

use super::nearest::MAX_K;
use super::{Engine, EngineError};
use crate::{haversine_m, InvalidValue, LonLat, TransitPoint};
use rstar::primitives::GeomWithData;
use rstar::RTree;

/// A nearest-stops query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StopsQuery {
    pub at: LonLat,
    /// How many stops, `1..=`[`MAX_K`]. Default 5.
    pub k: usize,
    /// Only stops at most this far, metres. Default: no limit.
    pub max_distance_m: Option<f64>,
}

impl StopsQuery {
    /// The 5 nearest stops to `at`, however far.
    pub fn new(at: LonLat) -> Self {
        Self {
            at,
            k: 5,
            max_distance_m: None,
        }
    }

    fn validate(&self) -> Result<(), EngineError> {
        if !(1..=MAX_K).contains(&self.k) {
            return Err(InvalidValue::new("k", self.k, "must be between 1 and 50").into());
        }
        if let Some(d) = self.max_distance_m {
            if !d.is_finite() || d <= 0.0 {
                return Err(InvalidValue::new(
                    "max_distance_m",
                    d,
                    "must be a positive number of metres",
                )
                .into());
            }
        }
        Ok(())
    }
}

/// One stop of an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct NearestStop<'a> {
    /// Index into [`Engine::transit`].
    pub index: usize,
    pub stop: &'a TransitPoint,
    /// Great-circle distance from the query point.
    pub distance_m: f64,
}

/// Whether a transit point is a stop: some line serves it.
pub fn is_stop(t: &TransitPoint) -> bool {
    !t.routes.is_empty()
}

/// The stops by unit vector (data: index into [`Engine::transit`]).
#[derive(Debug)]
pub(crate) struct StopIndex {
    tree: RTree<GeomWithData<[f64; 3], u32>>,
}

impl StopIndex {
    fn build(points: &[TransitPoint]) -> Self {
        let entries = points
            .iter()
            .enumerate()
            .filter(|(_, t)| is_stop(t))
            .map(|(i, t)| GeomWithData::new(unit_vector(t.location), i as u32))
            .collect();
        Self {
            tree: RTree::bulk_load(entries),
        }
    }

    /// How many stops the index holds.
    pub(crate) fn len(&self) -> usize {
        self.tree.size()
    }
}

/// A position as a unit vector (x towards lon 0 on the equator, z towards the north pole).
fn unit_vector(p: LonLat) -> [f64; 3] {
    let (sin_lat, cos_lat) = p.lat().to_radians().sin_cos();
    let (sin_lon, cos_lon) = p.lon().to_radians().sin_cos();
    [cos_lat * cos_lon, cos_lat * sin_lon, sin_lat]
}

/// A chord² bound, with rounding slack, from a chord length.
fn window(chord: f64) -> f64 {
    let c = chord * (1.0 + 1e-12) + 1e-14;
    c * c
}

impl Engine {
    /// The `q.k` stops nearest to `q.at` in a straight line (within `q.max_distance_m` when
    /// set), nearest first. Errors: `k` outside `1..=50`, a `max_distance_m` that is not a
    /// positive number.
    ///
    /// ```no_run
    /// # use senda_core::engine::{Engine, EngineError};
    /// # fn demo(engine: &Engine) -> Result<(), EngineError> {
    /// use senda_core::engine::stops::StopsQuery;
    /// let mut q = StopsQuery::new(senda_core::LonLat::new(-99.1332, 19.4326)?);
    /// q.max_distance_m = Some(2_000.0);
    /// for s in engine.nearest_stops(&q)? {
    ///     let lines: Vec<&str> = s.stop.routes.iter().map(|r| r.name()).collect();
    ///     println!("{} ({:.0} m): {}", s.stop.name, s.distance_m, lines.join(", "));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn nearest_stops(&self, q: &StopsQuery) -> Result<Vec<NearestStop<'_>>, EngineError> {
        q.validate()?;
        let points = self.transit();
        let index = self.stop_index();
        let mut out: Vec<NearestStop<'_>> = Vec::with_capacity(q.k + 4);
        // The chord of the distance limit, with slack: nothing beyond it can qualify.
        let mut cutoff = q.max_distance_m.map_or(f64::INFINITY, |d| {
            let theta = d / crate::coord::EARTH_RADIUS_M;
            window(2.0 * (theta.min(std::f64::consts::PI) / 2.0).sin())
        });
        let at = unit_vector(q.at);
        for (entry, d2) in index.tree.nearest_neighbor_iter_with_distance_2(at) {
            if d2 > cutoff {
                break;
            }
            let i = entry.data as usize;
            let stop = &points[i];
            out.push(NearestStop {
                index: i,
                stop,
                distance_m: haversine_m(q.at, stop.location),
            });
            if out.len() == q.k {
                // Anything within rounding of the k-th by chord may be as near by haversine.
                cutoff = cutoff.min(window(d2.sqrt()));
            }
        }
        out.sort_unstable_by(|a, b| {
            a.distance_m
                .total_cmp(&b.distance_m)
                .then(a.index.cmp(&b.index))
        });
        if let Some(d) = q.max_distance_m {
            out.retain(|s| s.distance_m <= d);
        }
        out.truncate(q.k);
        Ok(out)
    }

    /// How many transit points are stops (served by at least one line).
    pub fn stop_count(&self) -> usize {
        self.stop_index().len()
    }

    /// The stop index, built on first use.
    pub(crate) fn stop_index(&self) -> &StopIndex {
        self.fixed
            .stop_index
            .get_or_init(|| StopIndex::build(self.transit()))
    }
}
