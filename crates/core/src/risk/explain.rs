//! Why a line is risky: the cells, incident categories and alerts that make up its
//! exposure, as aggregated shares (never single reports).

use super::config::{HazardKind, RiskProfile};
use super::field::{combined_hazard, RiskField};
use super::{serialize_cell, CellMap};
use crate::{IncidentCategory, LonLat, SourceKey};
use h3o::{CellIndex, LatLng};
use serde::Serialize;

/// The explanation of a line's (or route's) exposure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub profile: RiskProfile,
    pub length_m: f64,
    /// ∫ value ds over the whole line, field-unit × km.
    pub total_exposure: f64,
    /// The part of `total_exposure` due to incidents.
    pub incident_exposure: f64,
    /// The part of `total_exposure` due to weather alerts.
    pub hazard_exposure: f64,
    /// Some cell on the line is impassable for the profile.
    pub blocked: bool,
    /// Some cell on the line has its fords and river crossings closed for the profile.
    pub crossings_blocked: bool,
    /// The cells with the largest exposure, largest first.
    pub top_cells: Vec<CellShare>,
    /// Incident categories by share of the total exposure, largest first.
    pub categories: Vec<CategoryShare>,
    /// Weather alerts by share of the total exposure, largest first.
    pub alerts: Vec<AlertShare>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellShare {
    #[serde(serialize_with = "serialize_cell")]
    pub cell: CellIndex,
    /// The cell's centre.
    pub center: LonLat,
    /// Metres of the line inside the cell.
    pub length_m: f64,
    pub exposure: f64,
    /// `exposure / total_exposure`.
    pub exposure_share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryShare {
    pub category: IncidentCategory,
    pub exposure: f64,
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertShare {
    /// The alert's `<event>` text.
    pub event: String,
    /// The alert's source and identifier.
    pub source: SourceKey,
    pub kind: HazardKind,
    pub exposure: f64,
    pub share: f64,
    /// The alert blocks some of the line for the profile.
    pub blocks: bool,
}

/// A cell's centre as a `LonLat` (h3o's centres are always in range; clamped for safety).
pub(crate) fn cell_centre(cell: CellIndex) -> LonLat {
    let c = LatLng::from(cell);
    LonLat::new(c.lng().clamp(-180.0, 180.0), c.lat().clamp(-90.0, 90.0))
        .expect("clamped finite coordinates are valid")
}

fn share(part: f64, total: f64) -> f64 {
    if total > 0.0 {
        part / total
    } else {
        0.0
    }
}

impl RiskField {
    /// Explains the exposure of a set of `(cell, length_m)` pairs — e.g. the
    /// [`LineRisk::cells`](super::LineRisk::cells) of a route's edges or
    /// [`EdgeCellIndex::cells_of`](super::EdgeCellIndex::cells_of) — for a profile, with at
    /// most `top_n` cells listed. Cells may repeat; their lengths add up.
    pub fn explain(
        &self,
        cells: impl IntoIterator<Item = (CellIndex, f64)>,
        profile: RiskProfile,
        top_n: usize,
    ) -> Explanation {
        let mut lengths: CellMap<f64> = CellMap::default();
        for (cell, length_m) in cells {
            if length_m.is_finite() && length_m > 0.0 {
                *lengths.entry(cell).or_default() += length_m;
            }
        }
        let mut out = Explanation {
            profile,
            length_m: 0.0,
            total_exposure: 0.0,
            incident_exposure: 0.0,
            hazard_exposure: 0.0,
            blocked: false,
            crossings_blocked: false,
            top_cells: Vec::new(),
            categories: Vec::new(),
            alerts: Vec::new(),
        };
        let mut per_cell = Vec::with_capacity(lengths.len());
        let mut categories = [0.0f64; IncidentCategory::ALL.len()];
        let mut alerts: Vec<f64> = vec![0.0; self.alerts().len()];
        for (&cell, &length_m) in &lengths {
            out.length_m += length_m;
            let km = length_m / 1000.0;
            let risk = self.risk(cell);
            let exposure = risk.value(profile) * km;
            out.total_exposure += exposure;
            out.incident_exposure += risk.incident * km;
            out.hazard_exposure += risk.hazard(profile) * km;
            out.blocked |= risk.blocked(profile);
            out.crossings_blocked |= risk.crossings_blocked(profile);
            per_cell.push((cell, length_m, exposure));
            if let Some(d) = self.data(cell) {
                for (sum, w) in categories.iter_mut().zip(d.categories) {
                    *sum += f64::from(w) * km;
                }
            }
            let list = self.cell_alert_list(cell);
            for (a, h) in combined_hazard(list, self.alerts(), profile) {
                alerts[a as usize] += h * km;
            }
        }
        per_cell.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        out.top_cells = per_cell
            .into_iter()
            .filter(|c| c.2 > 0.0)
            .take(top_n)
            .map(|(cell, length_m, exposure)| CellShare {
                cell,
                center: cell_centre(cell),
                length_m,
                exposure,
                exposure_share: share(exposure, out.total_exposure),
            })
            .collect();
        out.categories = IncidentCategory::ALL
            .into_iter()
            .zip(categories)
            .filter(|(_, e)| *e > 0.0)
            .map(|(category, exposure)| CategoryShare {
                category,
                exposure,
                share: share(exposure, out.total_exposure),
            })
            .collect();
        out.categories.sort_by(|a, b| {
            b.exposure
                .total_cmp(&a.exposure)
                .then(a.category.cmp(&b.category))
        });
        let mut alert_shares: Vec<AlertShare> = alerts
            .into_iter()
            .enumerate()
            .filter(|(_, e)| *e > 0.0)
            .map(|(i, exposure)| {
                let a = &self.alerts()[i];
                AlertShare {
                    event: a.event.clone(),
                    source: a.key.clone(),
                    kind: a.kind,
                    exposure,
                    share: share(exposure, out.total_exposure),
                    blocks: match profile {
                        RiskProfile::Foot => a.blocks_foot,
                        RiskProfile::Vehicle => a.blocks_vehicle,
                    },
                }
            })
            .collect();
        alert_shares.sort_by(|a, b| b.exposure.total_cmp(&a.exposure));
        out.alerts = alert_shares;
        out
    }

    /// Explains polylines (e.g. a route's edges) by integrating each.
    pub fn explain_lines<'a>(
        &self,
        lines: impl IntoIterator<Item = &'a [LonLat]>,
        profile: RiskProfile,
        top_n: usize,
    ) -> Explanation {
        let sampling = self.sampling();
        let mut all = Vec::new();
        let mut one = Vec::new();
        for line in lines {
            sampling.line_cells(line, &mut one);
            all.extend_from_slice(&one);
        }
        self.explain(all, profile, top_n)
    }
}
