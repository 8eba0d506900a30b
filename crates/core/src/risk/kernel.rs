//! Spreading incident weight over cells: per-incident contributions, grouping by origin cell,
//! the distance kernel, and the per-cell accumulator.

use super::config::{category_index, mean_spacing_km, Spread, MAX_KERNEL_RINGS, N_CATEGORIES};
use super::{latlng, CellMap, RiskConfig};
use crate::{Incident, LocationPrecision};
use chrono::{DateTime, Utc};
use h3o::{CellIndex, LatLng, Resolution};

/// What is stored per cell of the field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CellData {
    /// Incident risk (the field's unit).
    pub incident: f64,
    /// Weather hazard, `[foot, vehicle]`.
    pub hazard: [f64; 2],
    /// Incident risk by category ([`IncidentCategory::ALL`](crate::IncidentCategory::ALL)
    /// order), for explanations; sums to `incident` up to `f32` rounding.
    pub categories: [f32; N_CATEGORIES],
    /// Hard-block bits (see `config::BLOCK_*`).
    pub flags: u8,
}

impl Default for CellData {
    fn default() -> Self {
        Self {
            incident: 0.0,
            hazard: [0.0; 2],
            categories: [0.0; N_CATEGORIES],
            flags: 0,
        }
    }
}

impl CellData {
    /// Adds `share` of another cell's incident risk (all categories).
    pub fn add_incident(&mut self, other: &CellData, share: f64) {
        self.incident += other.incident * share;
        for (a, b) in self.categories.iter_mut().zip(&other.categories) {
            if *b != 0.0 {
                *a += (f64::from(*b) * share) as f32;
            }
        }
    }

    /// Adds `share` of a group's sums (only the categories it holds).
    pub fn add_group(&mut self, sums: &GroupSums, share: f64) {
        self.incident += sums.total * share;
        for &(c, w) in &sums.categories[..sums.len] {
            self.categories[usize::from(c)] += (w * share) as f32;
        }
    }
}

/// The sums of a group of contributions: total and the non-zero categories.
pub(crate) struct GroupSums {
    total: f64,
    categories: [(u8, f64); N_CATEGORIES],
    len: usize,
}

pub(crate) fn precision_index(p: LocationPrecision) -> u8 {
    match p {
        LocationPrecision::Exact => 0,
        LocationPrecision::Local => 1,
        LocationPrecision::Area => 2,
        LocationPrecision::Region => 3,
        LocationPrecision::Unknown => 4,
    }
}

fn precision_of(index: u8) -> LocationPrecision {
    match index {
        0 => LocationPrecision::Exact,
        1 => LocationPrecision::Local,
        2 => LocationPrecision::Area,
        3 => LocationPrecision::Region,
        _ => LocationPrecision::Unknown,
    }
}

/// One incident's weight, placed at its origin cell (at its spread's resolution).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Contribution {
    pub origin: CellIndex,
    pub precision: u8,
    pub category: u8,
    pub weight: f64,
}

impl Contribution {
    pub fn key(&self) -> (u64, u8) {
        (u64::from(self.origin), self.precision)
    }
}

/// The contribution of one incident at `at`, or `None` when it weighs nothing.
pub(crate) fn contribution(
    incident: &Incident,
    at: DateTime<Utc>,
    config: &RiskConfig,
    field_res: Resolution,
) -> Option<Contribution> {
    let weight = config.incident_weight(incident, at);
    if weight <= 0.0 {
        return None;
    }
    let spread = config.location.get(incident.location_precision);
    let res = config.spread_resolution(field_res, spread);
    Some(Contribution {
        origin: latlng(incident.location).to_cell(res),
        precision: precision_index(incident.location_precision),
        category: category_index(incident.category) as u8,
        weight,
    })
}

/// Splits contributions sorted by key into groups of equal key.
pub(crate) fn groups(sorted: &[Contribution]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=sorted.len() {
        if i == sorted.len() || sorted[i].key() != sorted[start].key() {
            out.push(start..i);
            start = i;
        }
    }
    out
}

/// Scratch buffers for kernel evaluation (one per thread).
#[derive(Default)]
pub(crate) struct KernelScratch {
    disk: Vec<(CellIndex, u32)>,
    ring_weight: Vec<f64>,
    /// Local centre spacing, km, by the reference cell of an anchor (see `local_spacing_km`).
    spacing: CellMap<f64>,
    /// `(cell, weight)`, weights summing to 1.
    pub kernel: Vec<(CellIndex, f64)>,
}

/// Cells within grid distance `k` with their ring, pentagon-safe.
fn disk_distances(origin: CellIndex, k: u32, out: &mut Vec<(CellIndex, u32)>) {
    out.clear();
    for item in origin.grid_disk_distances_fast(k) {
        match item {
            Some(x) => out.push(x),
            None => {
                out.clear();
                out.extend(origin.grid_disk_distances_safe(k));
                return;
            }
        }
    }
}

/// Resolution of the anchor cells over which the centre spacing is taken as constant
/// (res 3: ≈ 12,000 km², across which H3 cell sizes change by well under 1 %).
const SPACING_ANCHOR: Resolution = Resolution::Three;

/// Distance between neighbouring cell centres around `origin`, km: measured once per anchor
/// (the origin's ancestor at [`SPACING_ANCHOR`]) at the anchor's centre child, so every
/// origin in the anchor — whichever is met first — gets the same value.
fn local_spacing_km(origin: CellIndex, scratch: &mut KernelScratch) -> f64 {
    let res = origin.resolution();
    let reference = origin
        .parent(SPACING_ANCHOR.min(res))
        .and_then(|a| a.center_child(res))
        .unwrap_or(origin);
    if let Some(&s) = scratch.spacing.get(&reference) {
        return s;
    }
    disk_distances(reference, 1, &mut scratch.disk);
    let centre = LatLng::from(reference);
    let measured = scratch
        .disk
        .iter()
        .find(|(_, d)| *d == 1)
        .map(|(c, _)| centre.distance_km(LatLng::from(*c)))
        .unwrap_or(0.0);
    let s = if measured.is_finite() && measured > 0.0 {
        measured
    } else {
        mean_spacing_km(res)
    };
    scratch.spacing.insert(reference, s);
    s
}

/// Fills `scratch.kernel` with the spread's kernel around `origin`: every cell of the rings
/// `0..=k` (k = the rings whose distance `ring × spacing` stays within the radius), weighted
/// `exp(-(ring × spacing)² / 2σ²)` and normalised to sum to 1.
pub(crate) fn kernel(origin: CellIndex, spread: &Spread, scratch: &mut KernelScratch) {
    let spacing = local_spacing_km(origin, scratch);
    let rings = (spread.radius_km / spacing + 1e-9).floor();
    let k = if rings.is_finite() && rings > 0.0 {
        (rings as u32).min(MAX_KERNEL_RINGS)
    } else {
        0
    };
    disk_distances(origin, k, &mut scratch.disk);
    let two_var = 2.0 * spread.sigma_km * spread.sigma_km;
    scratch.ring_weight.clear();
    scratch.ring_weight.extend((0..=k).map(|r| {
        let d = f64::from(r) * spacing;
        (-d * d / two_var).exp()
    }));
    let ring_weight = &scratch.ring_weight;
    let total: f64 = scratch
        .disk
        .iter()
        .map(|(_, r)| ring_weight[*r as usize])
        .sum();
    scratch.kernel.clear();
    if !(total.is_finite() && total > 0.0) {
        scratch.kernel.push((origin, 1.0));
        return;
    }
    scratch.kernel.extend(
        scratch
            .disk
            .iter()
            .map(|(c, r)| (*c, ring_weight[*r as usize] / total)),
    );
}

/// Sums a group of contributions sharing an origin.
fn group_sums(group: &[Contribution]) -> GroupSums {
    let mut cats = [0.0f64; N_CATEGORIES];
    let mut total = 0.0;
    for c in group {
        total += c.weight;
        cats[usize::from(c.category)] += c.weight;
    }
    let mut sums = GroupSums {
        total,
        categories: [(0, 0.0); N_CATEGORIES],
        len: 0,
    };
    for (i, w) in cats.into_iter().enumerate() {
        if w != 0.0 {
            sums.categories[sums.len] = (i as u8, w);
            sums.len += 1;
        }
    }
    sums
}

/// Spreads one group through its kernel: calls `sink(cell, sums, weight)` for every kernel
/// cell, at the kernel's resolution (a coarse cell is shared among its children later, see
/// [`for_children`]).
pub(crate) fn spread_group(
    group: &[Contribution],
    config: &RiskConfig,
    scratch: &mut KernelScratch,
    mut sink: impl FnMut(CellIndex, &GroupSums, f64),
) {
    let Some(first) = group.first() else {
        return;
    };
    let spread = config.location.get(precision_of(first.precision));
    let sums = group_sums(group);
    kernel(first.origin, spread, scratch);
    for &(cell, w) in &scratch.kernel {
        sink(cell, &sums, w);
    }
}

/// Calls `f(child, share)` for every child of `cell` at `res`, with equal shares summing
/// to 1 (so a coarse cell's weight is conserved).
pub(crate) fn for_children(cell: CellIndex, res: Resolution, mut f: impl FnMut(CellIndex, f64)) {
    let n = cell.children_count(res);
    if n == 0 {
        return;
    }
    let share = 1.0 / n as f64;
    for child in cell.children(res) {
        f(child, share);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_sum_to_one_and_peak_at_the_origin() {
        let config = RiskConfig::default();
        let mut scratch = KernelScratch::default();
        let origin = LatLng::new(14.9, -92.27)
            .unwrap()
            .to_cell(Resolution::Seven);
        for spread in [
            config.location.exact,
            config.location.local,
            config.location.area,
        ] {
            kernel(origin, &spread, &mut scratch);
            let sum: f64 = scratch.kernel.iter().map(|(_, w)| w).sum();
            assert!((sum - 1.0).abs() < 1e-12, "{sum}");
            let max = scratch.kernel.iter().map(|(_, w)| *w).fold(0.0, f64::max);
            let at_origin = scratch.kernel.iter().find(|(c, _)| *c == origin).unwrap().1;
            assert_eq!(at_origin, max);
        }
        // The exact kernel is the cell and two rings at res 7 (19 cells).
        kernel(origin, &config.location.exact, &mut scratch);
        assert_eq!(scratch.kernel.len(), 19);
    }

    #[test]
    fn kernel_around_a_pentagon_sums_to_one() {
        let config = RiskConfig::default();
        let mut scratch = KernelScratch::default();
        for pentagon in Resolution::Seven.pentagons() {
            kernel(pentagon, &config.location.local, &mut scratch);
            let sum: f64 = scratch.kernel.iter().map(|(_, w)| w).sum();
            assert!((sum - 1.0).abs() < 1e-12);
        }
    }
}
