//! The risk field over H3 cells: built from incidents and alerts, updated incrementally.

use super::alerts::{alert_coverage, Coverage};
use super::config::{block_bit, crossings_bit, HazardKind, RiskConfig, RiskProfile};
use super::kernel::{
    contribution, for_children, groups, spread_group, CellData, Contribution, KernelScratch,
};
use super::line::Sampling;
use super::shards::{build_shards, Shards};
use super::{cell_at, CellMap, WeatherConfig};
use crate::{Incident, InvalidValue, LonLat, SourceKey, WeatherAlert};
use chrono::{DateTime, Utc};
use h3o::{CellIndex, Resolution};
use rayon::prelude::*;
use serde::Serialize;

/// Risk over H3 cells at one moment, for both profiles.
///
/// Immutable once built, except for [`RiskField::add_incidents`], which only ever adds.
/// Cells with no incident and no alert are not stored and read as 0.
#[derive(Debug, Clone)]
pub struct RiskField {
    config: RiskConfig,
    resolution: Resolution,
    at: DateTime<Utc>,
    cells: Shards,
    /// Alerts (indices into `alerts`) covering each cell, for explanations.
    cell_alerts: CellMap<Vec<u32>>,
    alerts: Vec<ActiveAlert>,
    alert_issues: Vec<AlertIssue>,
    incidents_counted: usize,
}

/// The risk of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CellRisk {
    /// Incident risk (serious-incident equivalents per year; see [`RiskConfig`]).
    pub incident: f64,
    /// Weather hazard on foot, same unit.
    pub hazard_foot: f64,
    /// Weather hazard in a vehicle, same unit.
    pub hazard_vehicle: f64,
    pub blocked_foot: bool,
    pub blocked_vehicle: bool,
    /// Fords and river crossings in the cell are impassable on foot.
    pub crossings_blocked_foot: bool,
    /// Fords and river crossings in the cell are impassable for vehicles.
    pub crossings_blocked_vehicle: bool,
}

impl CellRisk {
    fn from_data(d: &CellData) -> Self {
        Self {
            incident: d.incident,
            hazard_foot: d.hazard[0],
            hazard_vehicle: d.hazard[1],
            blocked_foot: d.flags & block_bit(RiskProfile::Foot) != 0,
            blocked_vehicle: d.flags & block_bit(RiskProfile::Vehicle) != 0,
            crossings_blocked_foot: d.flags & crossings_bit(RiskProfile::Foot) != 0,
            crossings_blocked_vehicle: d.flags & crossings_bit(RiskProfile::Vehicle) != 0,
        }
    }

    /// `incident + hazard` for the profile.
    pub fn value(&self, profile: RiskProfile) -> f64 {
        self.incident + self.hazard(profile)
    }

    pub fn hazard(&self, profile: RiskProfile) -> f64 {
        match profile {
            RiskProfile::Foot => self.hazard_foot,
            RiskProfile::Vehicle => self.hazard_vehicle,
        }
    }

    pub fn blocked(&self, profile: RiskProfile) -> bool {
        match profile {
            RiskProfile::Foot => self.blocked_foot,
            RiskProfile::Vehicle => self.blocked_vehicle,
        }
    }

    pub fn crossings_blocked(&self, profile: RiskProfile) -> bool {
        match profile {
            RiskProfile::Foot => self.crossings_blocked_foot,
            RiskProfile::Vehicle => self.crossings_blocked_vehicle,
        }
    }
}

/// A weather alert that counts in the field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActiveAlert {
    pub key: SourceKey,
    /// The first `<event>` text (the alert's own language).
    pub event: String,
    pub kind: HazardKind,
    /// Hazard added to each covered cell on foot.
    pub hazard_foot: f64,
    /// Hazard added to each covered cell in a vehicle.
    pub hazard_vehicle: f64,
    pub blocks_foot: bool,
    pub blocks_vehicle: bool,
    pub blocks_crossings_foot: bool,
    pub blocks_crossings_vehicle: bool,
    /// Number of cells covered.
    pub cells: usize,
    #[serde(skip)]
    flags: u8,
}

impl ActiveAlert {
    pub(crate) fn hazard(&self, profile: RiskProfile) -> f64 {
        match profile {
            RiskProfile::Foot => self.hazard_foot,
            RiskProfile::Vehicle => self.hazard_vehicle,
        }
    }
}

/// A part of an alert that could not be placed on the field (the rest of the alert counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertIssue {
    pub key: SourceKey,
    pub reason: &'static str,
}

/// The cells whose values an update changed, sorted and unique.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AffectedCells {
    cells: Vec<CellIndex>,
}

impl AffectedCells {
    fn from_unsorted(mut cells: Vec<CellIndex>) -> Self {
        cells.sort_unstable();
        cells.dedup();
        Self { cells }
    }

    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    pub fn contains(&self, cell: CellIndex) -> bool {
        self.cells.binary_search(&cell).is_ok()
    }

    pub fn iter(&self) -> impl Iterator<Item = CellIndex> + '_ {
        self.cells.iter().copied()
    }

    pub fn as_slice(&self) -> &[CellIndex] {
        &self.cells
    }
}

impl RiskField {
    /// Builds the field at `at` from incidents and weather alerts.
    ///
    /// Incidents that happened after `at`, retracted ones and ones weighing 0 do not count;
    /// alerts count while [`WeatherConfig::counts_at`] `at`. Errors only on an invalid
    /// configuration ([`RiskConfig::validate`]): a config read from an analyst's file must
    /// not silently turn into a different model.
    pub fn build(
        incidents: &[Incident],
        alerts: &[WeatherAlert],
        at: DateTime<Utc>,
        config: &RiskConfig,
    ) -> Result<Self, InvalidValue> {
        config.validate()?;
        let resolution = config.h3_resolution()?;
        let mut contributions: Vec<Contribution> = incidents
            .par_iter()
            .filter_map(|i| contribution(i, at, config, resolution))
            .collect();
        let incidents_counted = contributions.len();
        contributions.par_sort_unstable_by_key(Contribution::key);
        let cells = build_shards(&contributions, config, resolution);
        let mut field = Self {
            config: config.clone(),
            resolution,
            at,
            cells,
            cell_alerts: CellMap::default(),
            alerts: Vec::new(),
            alert_issues: Vec::new(),
            incidents_counted,
        };
        field.add_alerts(alerts);
        Ok(field)
    }

    /// Adds weather alerts that count at the field's time.
    fn add_alerts(&mut self, alerts: &[WeatherAlert]) {
        let weather = &self.config.weather;
        let at = self.at;
        let res = self.resolution;
        let placed: Vec<_> = alerts
            .par_iter()
            .filter(|a| WeatherConfig::counts_at(a, at))
            .map(|a| {
                let kind = weather.classify(a);
                let area_km2 = a.area_km2();
                let coverage = if area_km2.is_finite() && area_km2 <= weather.max_alert_area_km2 {
                    alert_coverage(a, res, weather.max_alert_cells)
                } else {
                    // Not even tiled: a globe-sized polygon would cost seconds for nothing.
                    Coverage {
                        cells: Vec::new(),
                        issues: vec!["the alert's area is larger than max_alert_area_km2"],
                    }
                };
                (a, kind, area_km2, coverage)
            })
            .collect();
        for (alert, kind, area_km2, coverage) in placed {
            for reason in coverage.issues {
                self.alert_issues.push(AlertIssue {
                    key: alert.key.clone(),
                    reason,
                });
            }
            if coverage.cells.is_empty() {
                continue;
            }
            let hazard = weather.hazard(alert, kind);
            let mut flags = weather.block_flags(alert, kind);
            if flags != 0 && area_km2 > weather.max_block_area_km2 {
                flags = 0;
                self.alert_issues.push(AlertIssue {
                    key: alert.key.clone(),
                    reason: "the alert's area is larger than max_block_area_km2: it adds hazard \
                             but closes no road",
                });
            }
            let index = self.alerts.len() as u32;
            self.alerts.push(ActiveAlert {
                key: alert.key.clone(),
                event: alert
                    .texts
                    .first()
                    .map(|t| t.event.clone())
                    .unwrap_or_default(),
                kind,
                hazard_foot: hazard[0],
                hazard_vehicle: hazard[1],
                blocks_foot: flags & block_bit(RiskProfile::Foot) != 0,
                blocks_vehicle: flags & block_bit(RiskProfile::Vehicle) != 0,
                blocks_crossings_foot: flags & crossings_bit(RiskProfile::Foot) != 0,
                blocks_crossings_vehicle: flags & crossings_bit(RiskProfile::Vehicle) != 0,
                cells: coverage.cells.len(),
                flags,
            });
            for cell in coverage.cells {
                self.cell_alerts.entry(cell).or_default().push(index);
            }
        }
        for (cell, list) in &self.cell_alerts {
            let data = self.cells.entry(*cell);
            data.hazard = [0.0; 2];
            data.flags = 0;
            for profile in RiskProfile::ALL {
                data.hazard[profile.index()] = combined_hazard(list, &self.alerts, profile)
                    .iter()
                    .map(|(_, h)| h)
                    .sum();
            }
            for &a in list {
                data.flags |= self.alerts[a as usize].flags;
            }
        }
    }

    /// Adds new incidents to the field (at the field's time, with its configuration) and
    /// returns the cells whose values changed: the cells of every new report's kernel. Edges
    /// crossing them are the only ones to recompute ([`RiskField::recompute_edges`]).
    ///
    /// Building from scratch with all incidents gives the same field, up to float rounding.
    /// The configuration is the one the field was built with, so the two always agree.
    pub fn add_incidents(&mut self, new: &[Incident]) -> AffectedCells {
        let res = self.resolution;
        let mut contributions: Vec<Contribution> = new
            .iter()
            .filter_map(|i| contribution(i, self.at, &self.config, res))
            .collect();
        self.incidents_counted += contributions.len();
        contributions.sort_unstable_by_key(Contribution::key);
        let mut scratch = KernelScratch::default();
        let mut touched = Vec::new();
        let cells = &mut self.cells;
        for g in groups(&contributions) {
            spread_group(
                &contributions[g],
                &self.config,
                &mut scratch,
                |cell, sums, w| {
                    if cell.resolution() == res {
                        cells.entry(cell).add_group(sums, w);
                        touched.push(cell);
                    } else {
                        for_children(cell, res, |child, share| {
                            cells.entry(child).add_group(sums, w * share);
                            touched.push(child);
                        });
                    }
                },
            );
        }
        AffectedCells::from_unsorted(touched)
    }

    /// The field's H3 resolution.
    pub fn resolution(&self) -> Resolution {
        self.resolution
    }

    /// The moment the field describes.
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    pub fn config(&self) -> &RiskConfig {
        &self.config
    }

    /// How lines are sampled (resolution and spacing).
    pub fn sampling(&self) -> Sampling {
        Sampling::new(self.resolution, self.config.sample_spacing_m)
    }

    /// Number of incidents that weigh something in the field.
    pub fn incidents_counted(&self) -> usize {
        self.incidents_counted
    }

    /// Number of cells with a stored (non-zero) value.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The cell of the field's resolution holding a position.
    pub fn cell_at(&self, p: LonLat) -> CellIndex {
        cell_at(p, self.resolution)
    }

    /// The stored data of a cell; finer cells read their parent's, coarser ones nothing.
    pub(crate) fn data(&self, cell: CellIndex) -> Option<&CellData> {
        let cell = if cell.resolution() == self.resolution {
            cell
        } else {
            cell.parent(self.resolution)?
        };
        self.cells.get(&cell)
    }

    /// The risk of a cell (all zero when nothing touches it). A cell finer than the field
    /// reads its parent's value; a coarser one reads zero.
    pub fn risk(&self, cell: CellIndex) -> CellRisk {
        CellRisk::from_data(self.data(cell).unwrap_or(&CellData::default()))
    }

    /// `incident + hazard` of a cell for a profile.
    pub fn value(&self, cell: CellIndex, profile: RiskProfile) -> f64 {
        self.data(cell)
            .map_or(0.0, |d| d.incident + d.hazard[profile.index()])
    }

    /// The value of the cell holding a position.
    pub fn value_at(&self, p: LonLat, profile: RiskProfile) -> f64 {
        self.value(self.cell_at(p), profile)
    }

    /// Whether an alert makes every road through the cell impassable for the profile.
    pub fn blocked(&self, cell: CellIndex, profile: RiskProfile) -> bool {
        self.data(cell)
            .is_some_and(|d| d.flags & block_bit(profile) != 0)
    }

    /// Whether an alert makes fords and river crossings in the cell impassable for the
    /// profile (the graph applies it to the edges it marks as crossings).
    pub fn crossings_blocked(&self, cell: CellIndex, profile: RiskProfile) -> bool {
        self.data(cell)
            .is_some_and(|d| d.flags & crossings_bit(profile) != 0)
    }

    /// Every stored cell with its risk, in no particular order (for risk maps and tiles).
    pub fn cells(&self) -> impl Iterator<Item = (CellIndex, CellRisk)> + '_ {
        self.cells.iter().map(|(c, d)| (*c, CellRisk::from_data(d)))
    }

    /// Incident risk of a cell by category, largest first, zero categories left out.
    pub fn categories(&self, cell: CellIndex) -> Vec<(crate::IncidentCategory, f64)> {
        let Some(d) = self.data(cell) else {
            return Vec::new();
        };
        let mut out: Vec<_> = crate::IncidentCategory::ALL
            .into_iter()
            .zip(d.categories)
            .filter(|(_, w)| *w > 0.0)
            .map(|(c, w)| (c, f64::from(w)))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }

    /// Sum of the incident risk over all cells: the total weight of the counted incidents
    /// (the kernels conserve it).
    pub fn total_incident_weight(&self) -> f64 {
        self.cells.values().map(|d| d.incident).sum()
    }

    /// The alerts that count in the field.
    pub fn alerts(&self) -> &[ActiveAlert] {
        &self.alerts
    }

    /// Parts of alerts that could not be placed (invalid polygons, areas too large).
    pub fn alert_issues(&self) -> &[AlertIssue] {
        &self.alert_issues
    }

    /// Alerts covering a cell (indices into [`RiskField::alerts`]).
    pub(crate) fn cell_alert_list(&self, cell: CellIndex) -> &[u32] {
        let cell = if cell.resolution() == self.resolution {
            Some(cell)
        } else {
            cell.parent(self.resolution)
        };
        cell.and_then(|c| self.cell_alerts.get(&c))
            .map_or(&[], Vec::as_slice)
    }
}

/// The alerts that make up a cell's hazard for a profile: per hazard kind, the strongest
/// alert (ties to the first); returns `(alert index, hazard)` pairs.
pub(crate) fn combined_hazard(
    list: &[u32],
    alerts: &[ActiveAlert],
    profile: RiskProfile,
) -> Vec<(u32, f64)> {
    let mut best: [Option<(u32, f64)>; HazardKind::ALL.len()] = [None; HazardKind::ALL.len()];
    for &a in list {
        let alert = &alerts[a as usize];
        let h = alert.hazard(profile);
        let slot = &mut best[alert.kind.index()];
        if slot.is_none_or(|(_, b)| h > b) {
            *slot = Some((a, h));
        }
    }
    best.into_iter().flatten().collect()
}
