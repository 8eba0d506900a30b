//! H3 cells by resolution with a spatial index, and the aggregations the `risk` and
//! `incidents` layers draw: risk children → parents by area-weighted mean, incident counts
//! with k-anonymity.

use crate::tile::lonlat_to_world;
use h3o::{CellIndex, LatLng, Resolution};
use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};
use senda_core::IncidentCategory;
use std::collections::HashMap;

/// Earth's circumference at the equator, km: one world-coordinate unit at latitude 0.
const EQUATOR_KM: f64 = 40_075.016_686;

/// The cells of one resolution with data, and an R-tree of their centres (world coordinates).
#[derive(Debug)]
pub(crate) struct HexLevel<T> {
    cells: Vec<(CellIndex, T)>,
    tree: RTree<GeomWithData<[f64; 2], u32>>,
    /// How far a cell's boundary can be from its centre, km (generous: twice the mean edge).
    reach_km: f64,
}

impl<T: Send + Sync> HexLevel<T> {
    pub(crate) fn build(resolution: Resolution, mut cells: Vec<(CellIndex, T)>) -> Self {
        cells.par_sort_unstable_by_key(|(c, _)| *c);
        let entries: Vec<GeomWithData<[f64; 2], u32>> = cells
            .par_iter()
            .enumerate()
            .map(|(i, (c, _))| {
                let ll = LatLng::from(*c);
                GeomWithData::new(lonlat_to_world(ll.lng(), ll.lat()), i as u32)
            })
            .collect();
        Self {
            cells,
            tree: RTree::bulk_load(entries),
            reach_km: 2.0 * resolution.edge_length_km(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.cells.len()
    }

    /// The cells that may intersect a world rectangle `[min_x, min_y, max_x, max_y]`, in cell
    /// order (a superset: the caller clips each boundary).
    pub(crate) fn query(&self, rect: [f64; 4]) -> impl Iterator<Item = &(CellIndex, T)> {
        // Mercator stretches distances by 1 / cos(latitude): use the rectangle's edge nearest
        // a pole.
        let lat_of = |y: f64| crate::tile::world_to_lonlat(0.0, y)[1];
        let max_abs_lat = lat_of(rect[1]).abs().max(lat_of(rect[3]).abs()).min(89.0);
        let cos = max_abs_lat.to_radians().cos().max(0.02);
        let m = (self.reach_km / (EQUATOR_KM * cos)).min(1.0);
        let envelope = AABB::from_corners([rect[0] - m, rect[1] - m], [rect[2] + m, rect[3] + m]);
        let mut hits: Vec<u32> = self
            .tree
            .locate_in_envelope(envelope)
            .map(|g| g.data)
            .collect();
        hits.sort_unstable();
        hits.into_iter().map(move |i| &self.cells[i as usize])
    }

    #[cfg(test)]
    pub(crate) fn get(&self, cell: CellIndex) -> Option<&T> {
        self.cells
            .binary_search_by_key(&cell, |(c, _)| *c)
            .ok()
            .map(|i| &self.cells[i].1)
    }
}

/// A cell's boundary in world coordinates (a ring crossing the antimeridian is unwrapped
/// eastward, past `x = 1`).
pub(crate) fn cell_ring_world(cell: CellIndex) -> Vec<[f64; 2]> {
    let boundary = cell.boundary();
    let lons: Vec<f64> = boundary.iter().map(|v| v.lng()).collect();
    let wraps = lons.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
        - lons.iter().cloned().fold(f64::INFINITY, f64::min)
        > 180.0;
    boundary
        .iter()
        .map(|v| {
            let lon = if wraps && v.lng() < 0.0 {
                v.lng() + 360.0
            } else {
                v.lng()
            };
            let [x, y] = lonlat_to_world(lon.min(180.0), v.lat());
            // lonlat_to_world is linear in longitude: extend it past 180° by hand.
            let x = if lon > 180.0 {
                x + (lon - 180.0) / 360.0
            } else {
                x
            };
            [x, y]
        })
        .collect()
}

/// The risk of a drawn cell: per profile, the area-weighted mean over the field cells it
/// holds (unstored field cells count as 0) and the largest of them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RiskCell {
    pub mean_foot: f64,
    pub mean_vehicle: f64,
    pub max_foot: f64,
    pub max_vehicle: f64,
    pub blocked_foot: bool,
    pub blocked_vehicle: bool,
}

/// One field cell: value per profile, area, blocks.
pub(crate) struct FieldCell {
    pub cell: CellIndex,
    pub foot: f64,
    pub vehicle: f64,
    pub blocked_foot: bool,
    pub blocked_vehicle: bool,
}

/// Aggregates field cells (all of one resolution, `field_res`) to every resolution
/// `0..=field_res`: `mean = Σ value × area(child) / area(parent)`, `max = max value`.
/// Cells whose largest value is below `min_value` (or zero) are not kept.
pub(crate) fn aggregate_risk(
    cells: &[FieldCell],
    field_res: Resolution,
    min_value: f64,
) -> Vec<HexLevel<RiskCell>> {
    let areas: Vec<f64> = cells.par_iter().map(|c| c.cell.area_km2()).collect();
    let top = u8::from(field_res);
    (0..=top)
        .into_par_iter()
        .map(|r| {
            let res = Resolution::try_from(r).expect("0..=15 is a resolution");
            let mut acc: HashMap<CellIndex, RiskCell> = HashMap::new();
            for (c, &area) in cells.iter().zip(&areas) {
                let Some(parent) = c.cell.parent(res) else {
                    continue;
                };
                let e = acc.entry(parent).or_default();
                e.mean_foot += c.foot * area;
                e.mean_vehicle += c.vehicle * area;
                e.max_foot = e.max_foot.max(c.foot);
                e.max_vehicle = e.max_vehicle.max(c.vehicle);
                e.blocked_foot |= c.blocked_foot;
                e.blocked_vehicle |= c.blocked_vehicle;
            }
            let kept: Vec<(CellIndex, RiskCell)> = acc
                .into_iter()
                .filter_map(|(cell, mut v)| {
                    let area = cell.area_km2();
                    v.mean_foot /= area;
                    v.mean_vehicle /= area;
                    let top = v.max_foot.max(v.max_vehicle);
                    (top > 0.0 && top >= min_value).then_some((cell, v))
                })
                .collect();
            HexLevel::build(res, kept)
        })
        .collect()
}

/// Reports counted in a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IncidentCell {
    pub count: u32,
    pub people: u64,
    /// Reports per category, in [`IncidentCategory::ALL`] order.
    pub categories: [u32; IncidentCategory::ALL.len()],
}

impl Default for IncidentCell {
    fn default() -> Self {
        Self {
            count: 0,
            people: 0,
            categories: [0; IncidentCategory::ALL.len()],
        }
    }
}

impl IncidentCell {
    pub(crate) fn add(&mut self, other: &IncidentCell) {
        self.count += other.count;
        self.people += other.people;
        for (a, b) in self.categories.iter_mut().zip(other.categories) {
            *a += b;
        }
    }

    /// `category:count` pairs, largest first. With `k = Some(k)` only categories with at
    /// least `k` reports are named; the rest are summed as `other`.
    pub(crate) fn summary(&self, k: Option<u32>) -> (String, &'static str) {
        let mut named: Vec<(IncidentCategory, u32)> = IncidentCategory::ALL
            .into_iter()
            .zip(self.categories)
            .filter(|&(_, n)| n > 0)
            .collect();
        named.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut other = 0;
        if let Some(k) = k {
            other = named.iter().filter(|(_, n)| *n < k).map(|(_, n)| n).sum();
            named.retain(|(_, n)| *n >= k);
        }
        let mut parts: Vec<String> = named
            .iter()
            .map(|(c, n)| format!("{}:{n}", c.as_str()))
            .collect();
        if other > 0 {
            parts.push(format!("other:{other}"));
        }
        let top = named.first().map_or("mixed", |(c, _)| c.as_str());
        (parts.join(","), top)
    }
}

/// Incident counts at every resolution `0..=finest` from counts at `finest`.
///
/// With `k = Some(k)` (public output) the finest cells with fewer than `k` reports are
/// suppressed **before** aggregating: a coarser cell sums only finest cells that are shown, so
/// no difference between a parent and its shown children reveals a suppressed cell, and every
/// shown cell has at least `k` reports. With `k = None` (analysts) every report counts.
pub(crate) fn aggregate_incidents(
    finest_cells: &HashMap<CellIndex, IncidentCell>,
    finest: Resolution,
    k: Option<u32>,
) -> Vec<HexLevel<IncidentCell>> {
    let base: Vec<(&CellIndex, &IncidentCell)> = finest_cells
        .iter()
        .filter(|(_, c)| k.is_none_or(|k| c.count >= k))
        .collect();
    (0..=u8::from(finest))
        .map(|r| {
            let res = Resolution::try_from(r).expect("0..=15 is a resolution");
            let mut acc: HashMap<CellIndex, IncidentCell> = HashMap::new();
            for (cell, counts) in &base {
                if let Some(parent) = cell.parent(res) {
                    acc.entry(parent).or_default().add(counts);
                }
            }
            HexLevel::build(res, acc.into_iter().collect())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(lon: f64, lat: f64, res: Resolution) -> CellIndex {
        LatLng::new(lat, lon).unwrap().to_cell(res)
    }

    #[test]
    fn a_uniform_field_keeps_its_value_in_every_parent() {
        // Every field cell of one resolution-5 parent at value 2: the parent's mean is 2
        // (up to the few per cent by which H3 children do not tile their parent exactly).
        let parent = cell(-92.27, 14.9, Resolution::Five);
        let cells: Vec<FieldCell> = parent
            .children(Resolution::Seven)
            .map(|c| FieldCell {
                cell: c,
                foot: 2.0,
                vehicle: 1.0,
                blocked_foot: false,
                blocked_vehicle: false,
            })
            .collect();
        let levels = aggregate_risk(&cells, Resolution::Seven, 0.0);
        let p = levels[5].get(parent).unwrap();
        assert!((p.mean_foot - 2.0).abs() < 0.1, "{}", p.mean_foot);
        assert!((p.mean_vehicle - 1.0).abs() < 0.05);
        assert_eq!(p.max_foot, 2.0);
        assert_eq!(levels[7].len(), 49);
        assert_eq!(levels[6].len(), 7);
    }

    #[test]
    fn one_hot_child_is_diluted_by_area_in_the_mean_but_not_in_the_max() {
        let c = cell(-92.27, 14.9, Resolution::Seven);
        let cells = [FieldCell {
            cell: c,
            foot: 7.0,
            vehicle: 0.0,
            blocked_foot: false,
            blocked_vehicle: true,
        }];
        let levels = aggregate_risk(&cells, Resolution::Seven, 0.0);
        let p = levels[6].get(c.parent(Resolution::Six).unwrap()).unwrap();
        let share = c.area_km2() / c.parent(Resolution::Six).unwrap().area_km2();
        assert!((p.mean_foot - 7.0 * share).abs() < 1e-9);
        assert_eq!(p.max_foot, 7.0);
        assert!(p.blocked_vehicle && !p.blocked_foot);
    }

    #[test]
    fn public_counts_suppress_small_cells_before_aggregating() {
        let a = cell(-92.27, 14.9, Resolution::Seven);
        let b = cell(-92.20, 14.9, Resolution::Seven);
        let mut finest = HashMap::new();
        let counts = |n| IncidentCell {
            count: n,
            people: u64::from(n),
            ..Default::default()
        };
        finest.insert(a, counts(6));
        finest.insert(b, counts(2));
        let public = aggregate_incidents(&finest, Resolution::Seven, Some(5));
        let analyst = aggregate_incidents(&finest, Resolution::Seven, None);
        assert!(public[7].get(b).is_none());
        assert_eq!(public[7].get(a).unwrap().count, 6);
        let top = a.parent(Resolution::Zero).unwrap();
        assert_eq!(public[0].get(top).unwrap().count, 6);
        assert_eq!(analyst[0].get(top).unwrap().count, 8);
        assert_eq!(analyst[7].get(b).unwrap().count, 2);
    }

    #[test]
    fn category_summaries_hide_rare_categories_from_the_public() {
        let mut c = IncidentCell {
            count: 8,
            ..Default::default()
        };
        c.categories[IncidentCategory::ALL
            .iter()
            .position(|&x| x == IncidentCategory::Drowning)
            .unwrap()] = 6;
        c.categories[IncidentCategory::ALL
            .iter()
            .position(|&x| x == IncidentCategory::Kidnapping)
            .unwrap()] = 2;
        assert_eq!(
            c.summary(None),
            ("drowning:6,kidnapping:2".to_owned(), "drowning")
        );
        assert_eq!(
            c.summary(Some(5)),
            ("drowning:6,other:2".to_owned(), "drowning")
        );
        assert_eq!(c.summary(Some(7)), ("other:8".to_owned(), "mixed"));
    }
}
