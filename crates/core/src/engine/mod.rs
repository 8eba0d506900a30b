//! The engine: one immutable snapshot of everything a query needs — the road graph, the
//! shelters and transit points snapped to it, the risk field at a point in time and every
//! edge's risk per profile — and the generalised edge weights routing searches over.
//!
//! # Generalised cost
//! An edge of travel time `t` whose mean risk density is `ρ` (the field averaged along it,
//! in the field's unit: serious-incident equivalents per cell per year, see
//! [`crate::risk::RiskConfig`]) costs
//!
//! `t × (1 + aversion × aversion_scale × ρ)`
//!
//! so `aversion = 0` is the plain fastest route and larger values trade time for safety
//! monotonically. Edges an alert makes impassable (and fords/river crossings a flood alert
//! closes) are hard blocks whatever the aversion; avoid areas of a request are hard blocks too.
//! A route's **risk exposure** is `Σ ρ × t` over its edges, in density × hours ("risk-hours"):
//! the time spent exposed, weighted by how dangerous the places are. Minimising
//! `time + λ × exposure` for growing λ walks the risk–time Pareto front.

pub mod links;
pub mod nearest;
pub mod plan;
pub mod speedup;
pub mod stops;

use crate::graph::{BuildReport, GraphConfig, Profile, RoadGraph, Snap, SnapError};
use crate::place::Gazetteer;
use crate::risk::{EdgeCellIndex, EdgeRisk, RiskConfig, RiskField, RiskProfile};
use crate::search::BLOCKED;
use crate::{
    EdgeId, Incident, InvalidValue, LonLat, RoadSegment, Shelter, TransitPoint, WeatherAlert,
};
use chrono::{DateTime, Utc};
use std::sync::Arc;

pub mod route;

/// Everything an engine is built from (as loaded from the store).
#[derive(Debug, Clone, Default)]
pub struct EngineData {
    pub roads: Vec<RoadSegment>,
    pub shelters: Vec<Shelter>,
    pub transit: Vec<TransitPoint>,
    pub incidents: Vec<Incident>,
    pub alerts: Vec<WeatherAlert>,
    /// The gazetteer: named places for lookups, route descriptions and the towns a stage plan
    /// may stop at (empty by default).
    pub places: Arc<Gazetteer>,
}

/// Engine parameters, with documented defaults.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct EngineConfig {
    pub graph: GraphConfig,
    pub risk: RiskConfig,
    /// How far a query point (or a shelter, a transit point) may be from the nearest usable
    /// road, metres. Default 10 km: the default network is highway-level (Travel Mapping,
    /// about one vertex per 2.3 km), so towns can be kilometres from the nearest mapped road.
    pub max_snap_distance_m: f64,
    /// How strongly risk weighs at `aversion = 1`: an edge whose mean risk density is `ρ`
    /// costs `1 + aversion × aversion_scale × ρ` times its travel time. Default 1000,
    /// calibrated on the default corridor data (Missing Migrants incidents on the Travel
    /// Mapping network, at 2025-10-01), where edge densities are p50 0.0008, p90 0.010,
    /// p99 0.026, max 0.19 (serious-incident equivalents per cell per year): at aversion 0.5
    /// a p90 edge costs 6× its travel time and a p99 edge 14×, so "safer" routes accept
    /// real detours; at 10 (one serious incident per 5 km² cell and year doubling the cost)
    /// aversion changed no route on that data. Tune per deployment: the scale that matters
    /// is `aversion_scale × typical ρ`.
    pub aversion_scale: f64,
    /// Rail line ends that no road touches are linked on foot to the nearest road vertex
    /// within this distance, metres (see [`links`]). Default 2000: Natural Earth rail lines
    /// and Travel Mapping highways never share a vertex, but yards and stations lie in the
    /// towns the highways pass through. `0` adds no links.
    pub rail_link_m: f64,
    /// The routing speed-up (customizable contraction hierarchies), see [`speedup`].
    pub speedup: speedup::SpeedupConfig,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            graph: GraphConfig::default(),
            risk: RiskConfig::default(),
            max_snap_distance_m: 10_000.0,
            aversion_scale: 1000.0,
            rail_link_m: 2_000.0,
            speedup: speedup::SpeedupConfig::default(),
        }
    }
}

/// Errors of engine construction and queries. Every variant names what was wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    #[error("the road network is empty: load roads first (`senda ingest roads FILE`)")]
    EmptyNetwork,
    /// No stage plan keeps every day within the limit: which leg fails and why.
    #[error("{0}")]
    NoPlan(Box<plan::NoPlan>),
    #[error("{what}: {source}")]
    Snap {
        /// Which point: `from`, `to`, `at`, ...
        what: &'static str,
        #[source]
        source: SnapError,
    },
    #[error(transparent)]
    Invalid(#[from] InvalidValue),
    /// No route joins the two points; the reason says why (closed roads, avoid areas, ...).
    #[error("no route: {reason}")]
    Unreachable { reason: &'static str },
}

/// Where a shelter or transit point meets the network, per profile.
#[derive(Debug, Clone, Default)]
pub struct Snapped {
    pub foot: Option<Snap>,
    pub vehicle: Option<Snap>,
}

impl Snapped {
    pub fn for_profile(&self, profile: Profile) -> Option<&Snap> {
        match profile {
            Profile::Foot => self.foot.as_ref(),
            Profile::Vehicle => self.vehicle.as_ref(),
        }
    }
}

/// The parts of an engine that do not depend on the query time (shared between snapshots).
#[derive(Debug)]
struct Static {
    graph: RoadGraph,
    build_report: BuildReport,
    edge_cells: EdgeCellIndex,
    /// Built on first use by the nearest-shelter queries.
    shelter_index: std::sync::OnceLock<nearest::ShelterIndex>,
    /// Built on first use by the nearest-stops query.
    stop_index: std::sync::OnceLock<stops::StopIndex>,
    shelters: Vec<Shelter>,
    shelter_snaps: Vec<Snapped>,
    transit: Vec<TransitPoint>,
    transit_snaps: Vec<Snapped>,
    places: Arc<Gazetteer>,
    place_snaps: Vec<Snapped>,
    road_names: route::RoadNames,
    /// Walking links added between rail line ends and roads; graph segments
    /// `data.roads.len()..` in this order.
    rail_links: Vec<RoadSegment>,
    /// The CCH index, built by [`Engine::prepare_speedup`].
    cch: std::sync::OnceLock<Arc<crate::search::cch::CchIndex>>,
}

/// An immutable snapshot for queries at one point in time. Cheap to clone (shared parts are
/// behind `Arc`); [`Engine::add_incidents`] and [`Engine::at_time`] build the next snapshot.
#[derive(Debug, Clone)]
pub struct Engine {
    fixed: Arc<Static>,
    incidents: Arc<Vec<Incident>>,
    alerts: Arc<Vec<WeatherAlert>>,
    risk: Arc<RiskField>,
    /// Per profile (index [`profile_index`]): each edge's risk.
    edge_risk: Arc<[Vec<EdgeRisk>; 2]>,
    config: Arc<EngineConfig>,
    /// This snapshot's customized CCH metrics (see [`speedup`]).
    metrics: Arc<speedup::Metrics>,
}

/// Index of a profile in per-profile arrays.
pub fn profile_index(profile: Profile) -> usize {
    match profile {
        Profile::Foot => 0,
        Profile::Vehicle => 1,
    }
}

/// The risk profile of a routing profile.
pub fn risk_profile(profile: Profile) -> RiskProfile {
    match profile {
        Profile::Foot => RiskProfile::Foot,
        Profile::Vehicle => RiskProfile::Vehicle,
    }
}

/// What a search should weigh: the profile, the aversion, rail use and avoid areas.
#[derive(Debug, Clone, Default)]
pub struct WeightQuery {
    pub profile: Profile,
    /// 0 (fastest) ..= 1 (safest).
    pub aversion: f64,
    /// Whether foot routes may follow rail lines.
    pub allow_rail: bool,
    /// Areas the route must not enter (hard blocks), lon/lat polygons.
    pub avoid: Vec<geo::Polygon<f64>>,
}

impl Engine {
    /// Builds the graph, snaps shelters and transit points, and computes the risk field and
    /// every edge's risk at `at`.
    pub fn build(
        data: EngineData,
        at: DateTime<Utc>,
        config: EngineConfig,
    ) -> Result<Self, EngineError> {
        let rail_links = links::rail_links(&data.roads, config.rail_link_m);
        let mut roads = data.roads;
        roads.extend(rail_links.iter().cloned());
        let (graph, build_report) = RoadGraph::build(&roads, &config.graph);
        if graph.edge_count() == 0 {
            return Err(EngineError::EmptyNetwork);
        }
        let risk = RiskField::build(&data.incidents, &data.alerts, at, &config.risk)?;
        let edge_cells = EdgeCellIndex::build(risk.sampling(), graph.edge_count(), |e| {
            graph.edge_geometry(EdgeId(e as u32))
        })?;
        let snap_all = |points: Vec<LonLat>| -> Vec<Snapped> {
            let max = config.max_snap_distance_m;
            let foot = graph.snap_many(&points, Profile::Foot, false, max);
            let vehicle = graph.snap_many(&points, Profile::Vehicle, false, max);
            foot.into_iter()
                .zip(vehicle)
                .map(|(f, v)| Snapped {
                    foot: f.ok(),
                    vehicle: v.ok(),
                })
                .collect()
        };
        let shelter_snaps = snap_all(data.shelters.iter().map(|s| s.location).collect());
        // Urban stops are not snapped: nothing routes to them (nearest stops are by air, and
        // plans never end at one), and a city has thousands.
        let routable: Vec<usize> = (0..data.transit.len())
            .filter(|&i| !data.transit[i].kind.is_local_stop())
            .collect();
        let mut transit_snaps = vec![Snapped::default(); data.transit.len()];
        let snapped = snap_all(routable.iter().map(|&i| data.transit[i].location).collect());
        for (i, s) in routable.into_iter().zip(snapped) {
            transit_snaps[i] = s;
        }
        let place_snaps = snap_all(data.places.places().iter().map(|p| p.location).collect());
        let fixed = Static {
            road_names: route::RoadNames::new(&roads),
            rail_links,
            graph,
            build_report,
            edge_cells,
            shelters: data.shelters,
            shelter_snaps,
            transit: data.transit,
            transit_snaps,
            places: data.places,
            place_snaps,
            shelter_index: std::sync::OnceLock::new(),
            stop_index: std::sync::OnceLock::new(),
            cch: std::sync::OnceLock::new(),
        };
        let edge_risk = edge_risks(&risk, &fixed.edge_cells)?;
        Ok(Self {
            fixed: Arc::new(fixed),
            incidents: Arc::new(data.incidents),
            alerts: Arc::new(data.alerts),
            risk: Arc::new(risk),
            edge_risk: Arc::new(edge_risk),
            config: Arc::new(config),
            metrics: Arc::default(),
        })
    }

    /// The same network and data with the risk evaluated at another time (incident decay and
    /// the alerts in force change; the graph is shared).
    pub fn at_time(&self, at: DateTime<Utc>) -> Result<Self, EngineError> {
        self.with_risk_from(self.incidents.clone(), self.alerts.clone(), at)
    }

    /// The same network with other incidents and alerts (say, the store's after an ingest,
    /// corrected records included), the risk evaluated at `at`. The graph, the snapped
    /// shelters and transit points and the edge–cell index are shared: only the risk field
    /// and the edges' risk are computed, a small part of [`Engine::build`].
    pub fn with_events(
        &self,
        incidents: Vec<Incident>,
        alerts: Vec<WeatherAlert>,
        at: DateTime<Utc>,
    ) -> Result<Self, EngineError> {
        self.with_risk_from(Arc::new(incidents), Arc::new(alerts), at)
    }

    fn with_risk_from(
        &self,
        incidents: Arc<Vec<Incident>>,
        alerts: Arc<Vec<WeatherAlert>>,
        at: DateTime<Utc>,
    ) -> Result<Self, EngineError> {
        let risk = RiskField::build(&incidents, &alerts, at, &self.config.risk)?;
        let edge_risk = edge_risks(&risk, &self.fixed.edge_cells)?;
        let next = Self {
            incidents,
            alerts,
            risk: Arc::new(risk),
            edge_risk: Arc::new(edge_risk),
            metrics: Arc::default(),
            ..self.clone()
        };
        next.carry_metrics(self, false);
        Ok(next)
    }

    /// A new snapshot with more incidents: only the cells they touch and the edges crossing
    /// those cells are recomputed, and the CCH metrics in use are carried over or
    /// re-customized (see [`speedup`]). Returns the snapshot and the number of edges updated.
    pub fn add_incidents(&self, new: &[Incident]) -> Result<(Self, usize), EngineError> {
        let mut risk = (*self.risk).clone();
        let affected = risk.add_incidents(new);
        let mut edge_risk = (*self.edge_risk).clone();
        let mut updated = 0;
        for profile in [Profile::Foot, Profile::Vehicle] {
            let edges = risk.recompute_edges(
                &affected,
                &self.fixed.edge_cells,
                risk_profile(profile),
                &mut edge_risk[profile_index(profile)],
            )?;
            updated = updated.max(edges.len());
        }
        let mut incidents = (*self.incidents).clone();
        incidents.extend_from_slice(new);
        let next = Self {
            incidents: Arc::new(incidents),
            risk: Arc::new(risk),
            edge_risk: Arc::new(edge_risk),
            metrics: Arc::default(),
            ..self.clone()
        };
        next.carry_metrics(self, true);
        Ok((next, updated))
    }

    pub fn graph(&self) -> &RoadGraph {
        &self.fixed.graph
    }

    /// The gazetteer this engine was built with.
    pub fn places(&self) -> &Arc<Gazetteer> {
        &self.fixed.places
    }

    /// Where each gazetteer place meets the network, per profile (index = `PlaceId`).
    pub fn place_snaps(&self) -> &[Snapped] {
        &self.fixed.place_snaps
    }

    pub fn build_report(&self) -> &BuildReport {
        &self.fixed.build_report
    }

    pub fn risk(&self) -> &RiskField {
        &self.risk
    }

    pub fn at(&self) -> DateTime<Utc> {
        self.risk.at()
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    pub fn edge_cells(&self) -> &EdgeCellIndex {
        &self.fixed.edge_cells
    }

    /// Each edge's risk for a profile (indexed by `EdgeId`).
    pub fn edge_risk(&self, profile: Profile) -> &[EdgeRisk] {
        &self.edge_risk[profile_index(profile)]
    }

    pub fn shelters(&self) -> &[Shelter] {
        &self.fixed.shelters
    }

    /// Where each shelter meets the network (same order as [`Engine::shelters`]).
    pub fn shelter_snaps(&self) -> &[Snapped] {
        &self.fixed.shelter_snaps
    }

    pub fn transit(&self) -> &[TransitPoint] {
        &self.fixed.transit
    }

    /// Where each transit point meets the network (same order as [`Engine::transit`]); urban
    /// stops ([`TransitKind::is_local_stop`](crate::TransitKind::is_local_stop)) are not
    /// snapped.
    pub fn transit_snaps(&self) -> &[Snapped] {
        &self.fixed.transit_snaps
    }

    /// Names and route numbers of the road segments (by [`RoadGraph::segment_of`]).
    /// The walking links added between rail lines and roads (see [`links`]); in the graph
    /// they are the segments after the given roads, in this order.
    pub fn rail_links(&self) -> &[RoadSegment] {
        &self.fixed.rail_links
    }

    pub fn road_names(&self) -> &route::RoadNames {
        &self.fixed.road_names
    }

    pub fn incidents(&self) -> &[Incident] {
        &self.incidents
    }

    pub fn alerts(&self) -> &[WeatherAlert] {
        &self.alerts
    }

    /// Snaps a query point for a profile within the configured distance; `what` names the
    /// point in the error (`from`, `to`, `at`).
    pub fn snap(
        &self,
        p: LonLat,
        profile: Profile,
        allow_rail: bool,
        what: &'static str,
    ) -> Result<Snap, EngineError> {
        self.graph()
            .snap(p, profile, allow_rail, self.config.max_snap_distance_m)
            .map_err(|source| EngineError::Snap { what, source })
    }

    /// Whether an edge is a hard block for a profile: an alert closes it, or a flood/storm
    /// alert closes it and it is a ford or a bridge (a river crossing).
    pub fn hard_blocked(&self, edge: EdgeId, profile: Profile) -> bool {
        let r = &self.edge_risk(profile)[edge.index()];
        r.blocked
            || (r.crossings_blocked && (self.graph().is_ford(edge) || self.graph().is_bridge(edge)))
    }

    /// The generalised weight of every edge for a query (deciseconds; [`BLOCKED`] where the
    /// edge is unusable, hard-blocked or inside an avoid area).
    pub fn weights(&self, q: &WeightQuery) -> Result<Vec<u32>, EngineError> {
        if !q.aversion.is_finite() || !(0.0..=1.0).contains(&q.aversion) {
            return Err(
                InvalidValue::new("aversion", q.aversion, "must be between 0 and 1").into(),
            );
        }
        let graph = self.graph();
        let risks = self.edge_risk(q.profile);
        let lambda = q.aversion * self.config.aversion_scale;
        let avoided = self.edges_in_areas(&q.avoid);
        Ok(crate::search::weights_with(
            graph,
            q.profile,
            q.allow_rail,
            |e, t| {
                if self.hard_blocked(e, q.profile)
                    || avoided.get(e.index()).copied().unwrap_or(false)
                {
                    return BLOCKED;
                }
                let rho = risks[e.index()].mean_density();
                let w = f64::from(t) * (1.0 + lambda * rho);
                // Saturate below BLOCKED so a very risky edge stays usable, just expensive.
                w.round().clamp(1.0, f64::from(BLOCKED - 1)) as u32
            },
        ))
    }

    /// Risk exposure (density × hours) of travelling a fraction of an edge.
    pub fn exposure(&self, edge: EdgeId, profile: Profile, fraction: f64) -> f64 {
        let rho = self.edge_risk(profile)[edge.index()].mean_density();
        let t_h = f64::from(self.graph().time_ds(profile, edge)) / 36_000.0;
        rho * t_h * fraction.clamp(0.0, 1.0)
    }

    /// Marks the edges whose geometry enters any of the areas (empty when there are none).
    fn edges_in_areas(&self, areas: &[geo::Polygon<f64>]) -> Vec<bool> {
        use geo::{BoundingRect, Intersects};
        if areas.is_empty() {
            return Vec::new();
        }
        let graph = self.graph();
        let boxes: Vec<_> = areas
            .iter()
            .filter_map(|a| a.bounding_rect().map(|r| (a, r)))
            .collect();
        (0..graph.edge_count() as u32)
            .map(|e| {
                let pts: Vec<geo::Coord<f64>> = graph
                    .edge_geometry(EdgeId(e))
                    .map(|p| geo::coord! { x: p.lon(), y: p.lat() })
                    .collect();
                let line = geo::LineString::new(pts);
                let Some(lr) = line.bounding_rect() else {
                    return false;
                };
                boxes
                    .iter()
                    .any(|(area, r)| r.intersects(&lr) && area.intersects(&line))
            })
            .collect()
    }
}

fn edge_risks(risk: &RiskField, cells: &EdgeCellIndex) -> Result<[Vec<EdgeRisk>; 2], InvalidValue> {
    Ok([
        risk.edge_risks(cells, RiskProfile::Foot)?,
        risk.edge_risks(cells, RiskProfile::Vehicle)?,
    ])
}
