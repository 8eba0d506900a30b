//! The field along lines: sampling a polyline into (cell, length) pairs, integrating, and the
//! edge ↔ cell index that lets an update recompute only the edges it touched.

use super::config::{block_bit, crossings_bit, RiskProfile};
use super::field::{AffectedCells, RiskField};
use super::{latlng, CellMap};
use crate::{haversine_m, InvalidValue, LonLat};
use h3o::{CellIndex, Resolution};
use rayon::prelude::*;
use serde::Serialize;

/// How a line is cut into cells: the field's resolution and the sample spacing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sampling {
    resolution: Resolution,
    spacing_m: f64,
}

impl Sampling {
    /// A spacing that is not a finite number is read as the default 150 m; it is clamped
    /// to 1 m – 10 km (the range [`RiskConfig::validate`](super::RiskConfig::validate)
    /// accepts).
    pub fn new(resolution: Resolution, spacing_m: f64) -> Self {
        let spacing_m = if spacing_m.is_finite() {
            spacing_m.clamp(1.0, 10_000.0)
        } else {
            150.0
        };
        Self {
            resolution,
            spacing_m,
        }
    }

    pub fn resolution(&self) -> Resolution {
        self.resolution
    }

    pub fn spacing_m(&self) -> f64 {
        self.spacing_m
    }

    /// The cells a line crosses with the length it spends in each, in metres, sorted by cell
    /// and unique, appended to `out` (cleared first); returns the line's length in metres.
    ///
    /// Each segment between two vertices is cut into `ceil(length / spacing)` equal pieces
    /// (at least one, so no segment is skipped); a piece belongs to the cell holding its
    /// midpoint. Segments are straight in lon/lat, as the map draws them, and cross the
    /// antimeridian the short way.
    pub fn line_cells(&self, line: &[LonLat], out: &mut Vec<(CellIndex, f64)>) -> f64 {
        self.line_cells_with(&mut CellLocator::new(self.resolution), line, out)
    }

    pub(crate) fn line_cells_with(
        &self,
        locator: &mut CellLocator,
        line: &[LonLat],
        out: &mut Vec<(CellIndex, f64)>,
    ) -> f64 {
        out.clear();
        let mut total = 0.0;
        for pair in line.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let length = haversine_m(a, b);
            if length.is_nan() || length <= 0.0 {
                continue;
            }
            total += length;
            let pieces = (length / self.spacing_m).ceil().clamp(1.0, 1e7) as usize;
            let piece = length / pieces as f64;
            let dlon = wrap_lon(b.lon() - a.lon());
            let dlat = b.lat() - a.lat();
            for i in 0..pieces {
                let t = (i as f64 + 0.5) / pieces as f64;
                let lon = wrap_lon(a.lon() + t * dlon);
                let lat = (a.lat() + t * dlat).clamp(-90.0, 90.0);
                let Some(cell) = locator.locate(lon, lat) else {
                    continue;
                };
                match out.last_mut() {
                    Some((last, len)) if *last == cell => *len += piece,
                    _ => out.push((cell, piece)),
                }
            }
        }
        if out.len() > 1 {
            out.sort_unstable_by_key(|(c, _)| *c);
            let mut w = 0;
            for r in 1..out.len() {
                if out[r].0 == out[w].0 {
                    out[w].1 += out[r].1;
                } else {
                    w += 1;
                    out[w] = out[r];
                }
            }
            out.truncate(w + 1);
        }
        total
    }
}

/// A longitude difference or value brought into -180..180.
fn wrap_lon(lon: f64) -> f64 {
    if lon > 180.0 {
        lon - 360.0
    } else if lon < -180.0 {
        lon + 360.0
    } else {
        lon
    }
}

/// Metres per degree of latitude (mean Earth radius).
const M_PER_DEG: f64 = crate::coord::EARTH_RADIUS_M * std::f64::consts::PI / 180.0;

/// Finds the cell of successive nearby points, mostly without H3's full point-to-cell
/// computation: it keeps the last cell's boundary as half-planes in a local metric
/// projection and answers from it when a point lies inside every half-plane by a safety
/// margin (which covers the projection's and the boundary arcs' deviation from straight
/// lines). Points near a boundary, near the poles, or in cells wider than 5 km go to h3o.
/// The half-plane test is conservative for any polygon, so the answer always equals h3o's.
pub(crate) struct CellLocator {
    resolution: Resolution,
    /// The cell h3o found last.
    last: Option<CellIndex>,
    /// Its shape, built once a second point fell in it (a one-sample edge never pays
    /// for a boundary).
    shape: Option<CellShape>,
}

struct CellShape {
    cell: CellIndex,
    lon0: f64,
    lat0: f64,
    cos_lat0: f64,
    margin_m: f64,
    /// Inward unit normal and offset per edge: inside ⇔ `nx·x + ny·y − c ≥ margin`.
    planes: Vec<(f64, f64, f64)>,
}

impl CellShape {
    /// The shape of a cell, or `None` where the fast path is not safe.
    fn new(cell: CellIndex) -> Option<Self> {
        let centre = h3o::LatLng::from(cell);
        let (lon0, lat0) = (centre.lng(), centre.lat());
        if lat0.abs() > 75.0 {
            return None;
        }
        let cos_lat0 = lat0.to_radians().cos();
        let boundary = cell.boundary();
        let pts: Vec<(f64, f64)> = boundary
            .iter()
            .map(|v| {
                (
                    wrap_lon(v.lng() - lon0) * cos_lat0 * M_PER_DEG,
                    (v.lat() - lat0) * M_PER_DEG,
                )
            })
            .collect();
        let radius = pts.iter().map(|(x, y)| x.hypot(*y)).fold(0.0, f64::max);
        if pts.len() < 3 || !(radius > 0.0 && radius <= 5_000.0) {
            return None;
        }
        let area2: f64 = (0..pts.len())
            .map(|i| {
                let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
                a.0 * b.1 - b.0 * a.1
            })
            .sum();
        let orientation = if area2 > 0.0 { 1.0 } else { -1.0 };
        let mut planes = Vec::with_capacity(pts.len());
        for i in 0..pts.len() {
            let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
            let (ex, ey) = (b.0 - a.0, b.1 - a.1);
            let len = ex.hypot(ey);
            if len <= 0.0 {
                continue;
            }
            let (nx, ny) = (-ey / len * orientation, ex / len * orientation);
            planes.push((nx, ny, nx * a.0 + ny * a.1));
        }
        // 1 m, plus 0.5 % of the cell's radius, plus the local projection's scale error
        // across the cell (∝ tan(lat) × radius / R) with a factor 4 to spare.
        let r_over_r = radius / crate::coord::EARTH_RADIUS_M;
        let margin_m =
            1.0 + radius * (0.005 + 4.0 * (lat0.to_radians().tan().abs() + 1.0) * r_over_r);
        Some(Self {
            cell,
            lon0,
            lat0,
            cos_lat0,
            margin_m,
            planes,
        })
    }

    fn surely_contains(&self, lon: f64, lat: f64) -> bool {
        let x = wrap_lon(lon - self.lon0) * self.cos_lat0 * M_PER_DEG;
        let y = (lat - self.lat0) * M_PER_DEG;
        self.planes
            .iter()
            .all(|&(nx, ny, c)| nx * x + ny * y - c >= self.margin_m)
    }
}

impl CellLocator {
    pub(crate) fn new(resolution: Resolution) -> Self {
        Self {
            resolution,
            last: None,
            shape: None,
        }
    }

    /// The cell holding `(lon, lat)` (degrees, in range), `None` for an invalid position.
    pub(crate) fn locate(&mut self, lon: f64, lat: f64) -> Option<CellIndex> {
        if let Some(shape) = &self.shape {
            if shape.surely_contains(lon, lat) {
                return Some(shape.cell);
            }
        }
        let cell = latlng(LonLat::new(lon, lat).ok()?).to_cell(self.resolution);
        if self.last == Some(cell) {
            if self.shape.as_ref().is_none_or(|s| s.cell != cell) {
                self.shape = CellShape::new(cell);
            }
        } else {
            self.last = Some(cell);
        }
        Some(cell)
    }
}

/// The field integrated along one edge (no per-cell detail): cheap to keep per edge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct EdgeRisk {
    pub length_m: f64,
    /// ∫ value ds, in field-unit × km.
    pub exposure: f64,
    /// An alert makes a cell on the edge impassable for the profile.
    pub blocked: bool,
    /// An alert makes fords and river crossings on the edge impassable for the profile
    /// (applies only if the graph marks the edge as a crossing).
    pub crossings_blocked: bool,
}

impl EdgeRisk {
    /// Exposure per km (the field value averaged by length); 0 for an empty edge.
    pub fn mean_density(&self) -> f64 {
        if self.length_m > 0.0 {
            self.exposure / (self.length_m / 1000.0)
        } else {
            0.0
        }
    }
}

/// The field integrated along a line.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LineRisk {
    pub length_m: f64,
    /// The field value averaged by length along the line.
    pub mean_density: f64,
    /// ∫ value ds = `mean_density × length_km`, in field-unit × km.
    pub exposure: f64,
    pub blocked: bool,
    pub crossings_blocked: bool,
    /// The cells crossed and the metres spent in each, sorted by cell.
    #[serde(skip)]
    pub cells: Vec<(CellIndex, f64)>,
}

impl LineRisk {
    pub fn summary(&self) -> EdgeRisk {
        EdgeRisk {
            length_m: self.length_m,
            exposure: self.exposure,
            blocked: self.blocked,
            crossings_blocked: self.crossings_blocked,
        }
    }
}

impl RiskField {
    /// Integrates the field along a polyline for a profile. A line of fewer than two
    /// distinct points has length and exposure 0.
    pub fn integrate(&self, line: &[LonLat], profile: RiskProfile) -> LineRisk {
        let mut cells = Vec::new();
        self.sampling().line_cells(line, &mut cells);
        let summary = self.sum_cells(&cells, profile);
        LineRisk {
            length_m: summary.length_m,
            mean_density: summary.mean_density(),
            exposure: summary.exposure,
            blocked: summary.blocked,
            crossings_blocked: summary.crossings_blocked,
            cells,
        }
    }

    /// Integrates the field over `(cell, length_m)` pairs.
    pub fn sum_cells(&self, cells: &[(CellIndex, f64)], profile: RiskProfile) -> EdgeRisk {
        let mut risk = EdgeRisk::default();
        let (p, block, crossings) = (profile.index(), block_bit(profile), crossings_bit(profile));
        for &(cell, length_m) in cells {
            risk.length_m += length_m;
            if let Some(d) = self.data(cell) {
                risk.exposure += (d.incident + d.hazard[p]) * (length_m / 1000.0);
                risk.blocked |= d.flags & block != 0;
                risk.crossings_blocked |= d.flags & crossings != 0;
            }
        }
        risk
    }

    /// The risk of one indexed edge.
    pub fn edge_risk(&self, index: &EdgeCellIndex, edge: usize, profile: RiskProfile) -> EdgeRisk {
        self.sum_cells(index.cells_of(edge), profile)
    }

    /// The risk of every indexed edge, in parallel. Errors when the index was built with
    /// another sampling than the field's.
    pub fn edge_risks(
        &self,
        index: &EdgeCellIndex,
        profile: RiskProfile,
    ) -> Result<Vec<EdgeRisk>, InvalidValue> {
        self.check_index(index)?;
        Ok((0..index.edge_count())
            .into_par_iter()
            .with_min_len(1024)
            .map(|e| self.edge_risk(index, e, profile))
            .collect())
    }

    /// Recomputes, in `edge_risk` (one entry per indexed edge), the edges that cross an
    /// affected cell, and returns their ids (sorted). Errors when the index was built with
    /// another sampling than the field's or `edge_risk` has the wrong length.
    pub fn recompute_edges(
        &self,
        affected: &AffectedCells,
        index: &EdgeCellIndex,
        profile: RiskProfile,
        edge_risk: &mut [EdgeRisk],
    ) -> Result<Vec<u32>, InvalidValue> {
        self.check_index(index)?;
        if edge_risk.len() != index.edge_count() {
            return Err(InvalidValue::new(
                "edge_risk",
                edge_risk.len(),
                "must hold one entry per indexed edge",
            ));
        }
        let edges = index.edges_touching(affected);
        for &e in &edges {
            edge_risk[e as usize] = self.edge_risk(index, e as usize, profile);
        }
        Ok(edges)
    }

    fn check_index(&self, index: &EdgeCellIndex) -> Result<(), InvalidValue> {
        if index.sampling() == self.sampling() {
            Ok(())
        } else {
            Err(InvalidValue::new(
                "edge index",
                format!("{:?}", index.sampling()),
                "built with another resolution or sample spacing than the field",
            ))
        }
    }
}

/// The cells every edge crosses (with the metres spent in each) and, inversely, the edges
/// crossing every cell. Built once per road graph (and sampling); it turns edge risk into
/// a few multiplications and tells which edges an update touched.
#[derive(Debug, Clone)]
pub struct EdgeCellIndex {
    sampling: Sampling,
    /// Edge `e`'s cells are `cells[first[e]..first[e + 1]]`.
    first: Vec<usize>,
    cells: Vec<(CellIndex, f64)>,
    /// Edges of a cell: `edges[range]`.
    by_cell: CellMap<(u32, u32)>,
    edges: Vec<u32>,
}

/// Edges sampled per parallel task.
const EDGE_CHUNK: usize = 4096;

impl EdgeCellIndex {
    /// Indexes `edge_count` edges whose geometry `geometry(e)` yields (in parallel).
    /// Errors when there are more than `u32::MAX` edges.
    pub fn build<F, I>(
        sampling: Sampling,
        edge_count: usize,
        geometry: F,
    ) -> Result<Self, InvalidValue>
    where
        F: Fn(usize) -> I + Sync,
        I: IntoIterator<Item = LonLat>,
    {
        if u32::try_from(edge_count).is_err() {
            return Err(InvalidValue::new(
                "edge_count",
                edge_count,
                "at most u32::MAX edges",
            ));
        }
        let starts: Vec<usize> = (0..edge_count).step_by(EDGE_CHUNK).collect();
        // Per chunk: the number of cells of each edge, and the cells.
        type Part = (Vec<usize>, Vec<(CellIndex, f64)>);
        let parts: Vec<Part> = starts
            .par_iter()
            .map(|&start| {
                let end = (start + EDGE_CHUNK).min(edge_count);
                let mut counts = Vec::with_capacity(end - start);
                let mut cells = Vec::new();
                let mut line = Vec::new();
                let mut one = Vec::new();
                let mut locator = CellLocator::new(sampling.resolution);
                for e in start..end {
                    line.clear();
                    line.extend(geometry(e));
                    sampling.line_cells_with(&mut locator, &line, &mut one);
                    counts.push(one.len());
                    cells.extend_from_slice(&one);
                }
                (counts, cells)
            })
            .collect();
        let mut first = Vec::with_capacity(edge_count + 1);
        first.push(0);
        let mut cells = Vec::with_capacity(parts.iter().map(|p| p.1.len()).sum());
        for (counts, part) in parts {
            for n in counts {
                first.push(first.last().copied().unwrap_or(0) + n);
            }
            cells.extend(part);
        }
        let mut pairs: Vec<(CellIndex, u32)> = Vec::with_capacity(cells.len());
        for e in 0..edge_count {
            for &(c, _) in &cells[first[e]..first[e + 1]] {
                pairs.push((c, e as u32));
            }
        }
        pairs.par_sort_unstable();
        let mut by_cell = CellMap::default();
        let mut edges = Vec::with_capacity(pairs.len());
        let mut start = 0;
        while start < pairs.len() {
            let cell = pairs[start].0;
            let mut end = start;
            while end < pairs.len() && pairs[end].0 == cell {
                edges.push(pairs[end].1);
                end += 1;
            }
            by_cell.insert(cell, (start as u32, (end - start) as u32));
            start = end;
        }
        Ok(Self {
            sampling,
            first,
            cells,
            by_cell,
            edges,
        })
    }

    /// Indexes a list of polylines (edge `e` = `lines[e]`).
    pub fn from_lines(sampling: Sampling, lines: &[Vec<LonLat>]) -> Result<Self, InvalidValue> {
        Self::build(sampling, lines.len(), |e| lines[e].iter().copied())
    }

    pub fn sampling(&self) -> Sampling {
        self.sampling
    }

    pub fn edge_count(&self) -> usize {
        self.first.len() - 1
    }

    /// The cells an edge crosses with the metres spent in each (empty for an unknown edge).
    pub fn cells_of(&self, edge: usize) -> &[(CellIndex, f64)] {
        match (self.first.get(edge), self.first.get(edge + 1)) {
            (Some(&a), Some(&b)) => &self.cells[a..b],
            _ => &[],
        }
    }

    /// The edges crossing a cell, sorted.
    pub fn edges_in(&self, cell: CellIndex) -> &[u32] {
        self.by_cell.get(&cell).map_or(&[], |&(start, len)| {
            &self.edges[start as usize..(start + len) as usize]
        })
    }

    /// The edges crossing any of the cells, sorted and unique.
    pub fn edges_touching(&self, affected: &AffectedCells) -> Vec<u32> {
        let mut out: Vec<u32> = affected
            .iter()
            .flat_map(|c| self.edges_in(c).iter().copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(lon: f64, lat: f64) -> LonLat {
        LonLat::new(lon, lat).unwrap()
    }

    #[test]
    fn line_cells_lengths_add_up_to_the_line() {
        let s = Sampling::new(Resolution::Seven, 150.0);
        let mut out = Vec::new();
        let line = [p(-92.3, 14.9), p(-92.2, 14.95), p(-92.1, 14.9)];
        let total = s.line_cells(&line, &mut out);
        let sum: f64 = out.iter().map(|(_, l)| l).sum();
        assert!((sum - total).abs() < 1e-6);
        assert!(out.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(out.len() > 5);
    }

    #[test]
    fn line_cells_cross_the_antimeridian_the_short_way() {
        let s = Sampling::new(Resolution::Seven, 150.0);
        let mut out = Vec::new();
        let total = s.line_cells(&[p(179.99, 0.0), p(-179.99, 0.0)], &mut out);
        assert!(total < 3000.0, "{total}");
        assert!(out.len() <= 3);
    }

    #[test]
    fn the_locator_always_agrees_with_h3o() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        for res in [Resolution::Six, Resolution::Seven, Resolution::Nine] {
            let mut locator = CellLocator::new(res);
            for _ in 0..200 {
                // A walk in small steps from a random start, at any latitude.
                let mut lon: f64 = rng.random_range(-180.0..180.0);
                let mut lat: f64 = rng.random_range(-89.0..89.0);
                for _ in 0..200 {
                    lon = wrap_lon(lon + rng.random_range(-0.003..0.003));
                    lat = (lat + rng.random_range(-0.003..0.003)).clamp(-90.0, 90.0);
                    let expected = super::super::cell_at(p(lon, lat), res);
                    assert_eq!(locator.locate(lon, lat), Some(expected), "{lon},{lat}");
                }
            }
        }
    }

    #[test]
    fn the_locator_agrees_with_h3o_next_to_cell_boundaries() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(2);
        for res in [Resolution::Six, Resolution::Seven, Resolution::Ten] {
            let mut locator = CellLocator::new(res);
            for _ in 0..300 {
                let start = p(
                    rng.random_range(-180.0..180.0),
                    rng.random_range(-80.0..80.0),
                );
                let cell = super::super::cell_at(start, res);
                let centre = h3o::LatLng::from(cell);
                let boundary = cell.boundary();
                for (i, v) in boundary.iter().enumerate() {
                    let w = boundary[(i + 1) % boundary.len()];
                    for t in [0.0, 0.25, 0.5, 0.9] {
                        for offset_m in [-10.0, -2.0, -0.5, 0.0, 0.5, 2.0, 10.0] {
                            // Seed the locator with the cell, then probe near its edge.
                            locator.locate(centre.lng(), centre.lat());
                            let lat = v.lat() + t * (w.lat() - v.lat());
                            let lon = v.lng() + t * wrap_lon(w.lng() - v.lng());
                            // Move along the line from the centre, by offset_m.
                            let (dx, dy) = (wrap_lon(lon - centre.lng()), lat - centre.lat());
                            let d = (dx * dx + dy * dy).sqrt().max(1e-12);
                            let k = offset_m / M_PER_DEG / d;
                            let (lon, lat) =
                                (wrap_lon(lon + dx * k), (lat + dy * k).clamp(-90.0, 90.0));
                            let expected = super::super::cell_at(p(lon, lat), res);
                            assert_eq!(locator.locate(lon, lat), Some(expected), "{lon},{lat}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn degenerate_lines_have_no_cells() {
        let s = Sampling::new(Resolution::Seven, 150.0);
        let mut out = vec![];
        assert_eq!(s.line_cells(&[], &mut out), 0.0);
        assert_eq!(s.line_cells(&[p(1.0, 1.0)], &mut out), 0.0);
        assert_eq!(s.line_cells(&[p(1.0, 1.0), p(1.0, 1.0)], &mut out), 0.0);
        assert!(out.is_empty());
    }
}
