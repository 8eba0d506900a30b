//! Every tunable number of the risk model, in one serde type, with its default and why.
//!
//! Analysts tune a deployment by editing a JSON (or TOML, …) copy of [`RiskConfig`]; every
//! struct here takes `#[serde(default)]`, so a file only needs the fields it changes.
//! [`RiskConfig::validate`] says which value is wrong before a field is built from it.

use crate::{
    CapCertainty, CapSeverity, CapUrgency, Incident, IncidentCategory, InvalidValue,
    LocationPrecision, ReviewStatus, Severity, TimePrecision, WeatherAlert,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use h3o::Resolution;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Who travels: the risk field keeps one weather hazard (and one set of hard blocks) per
/// profile, because heat, cold and storms matter more on foot and floods block fords for both.
///
/// This is the risk model's own enum, so the risk module does not depend on the road graph;
/// the glue between the two converts `graph::Profile` into it (`From`), mapping every profile
/// that walks (foot, foot on rail) to [`RiskProfile::Foot`] and every motorised one to
/// [`RiskProfile::Vehicle`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskProfile {
    Foot,
    Vehicle,
}

impl RiskProfile {
    pub const ALL: [RiskProfile; 2] = [Self::Foot, Self::Vehicle];

    /// Position in per-profile arrays (`[foot, vehicle]`).
    pub fn index(self) -> usize {
        match self {
            Self::Foot => 0,
            Self::Vehicle => 1,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Foot => "foot",
            Self::Vehicle => "vehicle",
        }
    }
}

/// A pair of per-profile numbers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProfileFactors {
    pub foot: f64,
    pub vehicle: f64,
}

impl ProfileFactors {
    pub const fn new(foot: f64, vehicle: f64) -> Self {
        Self { foot, vehicle }
    }

    pub fn get(self, profile: RiskProfile) -> f64 {
        match profile {
            RiskProfile::Foot => self.foot,
            RiskProfile::Vehicle => self.vehicle,
        }
    }
}

/// Parameters of the risk field.
///
/// The number of people an incident affected enters through its severity (the ingest sets
/// it from the category and raises it one level at 5 or more people, see
/// [`IncidentCategory::severity_for`]): the field measures how often danger recurs at a place,
/// so one mass-casualty event is not counted once per victim.
///
/// # Unit of the field
///
/// A cell's incident risk is a *decay-weighted annual rate*: "serious-incident equivalents per
/// cell per year". One verified, exactly located incident of severity `serious` (weight 1)
/// adds `ln 2 / half_life_years` on the day it happens (0.35 with the 2-year default),
/// spread over its kernel, and halves every half-life; so a place where such incidents keep
/// happening once a year settles, summed over its kernel, at 1.0 — the sum over all past
/// reports of `ln 2 / H × 0.5^(age / H)` is exactly the yearly rate when the rate is steady.
/// Weather hazard is put on the same scale (see [`WeatherConfig::hazard_scale`]), so the
/// field value of a cell for a profile is `incident + hazard[profile]` in one unit, and a
/// line's exposure is that value integrated along it per kilometre (unit × km).
///
/// # Violence and deaths in transit
///
/// The field mixes two kinds of evidence, and [`RiskConfig::source_weights`] says how they
/// weigh against each other:
///
/// - **Deaths in transit** (IOM Missing Migrants, source `iom-mmp`): each record is a person
///   on the move who died or went missing on the route — drowned in the Suchiate or the Río
///   Bravo, fell from a freight train, died of heat in the desert, was killed. It is direct
///   evidence of danger to exactly the people senda routes, but sparse (about 5,300 records
///   over the corridor, 2014–2025) and blind to harm that kills nobody or goes unreported
///   (kidnapping, extortion).
/// - **Organised violence** (UCDP GED, source `ucdp-ged`): each record is a lethal event
///   between organised armed groups, or of one against civilians; in Mexico nearly all are
///   cartel against cartel, located to a town (four in five) or only to a municipality or
///   state. It shows where armed groups fight — the groups that also kidnap, extort and
///   recruit people on the move, and whose shootings catch bystanders — but its dead are
///   mostly residents and members of the groups, not migrants, and it is dense and
///   concentrated: about 13,600 events in Mexico 2014–2023, more than a quarter of them within
///   25 km of Tijuana or Ciudad Juárez.
///
/// Weighed one for one, GED would carry 9–13 times the weight of the whole migrant record
/// (at the start of 2024: 4,456 against 355 with the bundled data) and the field would become
/// a map of cartel wars; left out, the field would miss the danger the migrant record
/// under-reports. The default factor, **0.1** for `ucdp-ged` (every other source 1), gives
/// the two layers about the same total weight over the corridor (446 against 355 at the start
/// of 2024; 243 against 258 in October 2025). Per event: ten cartel killings at a town
/// (`armed_conflict`, severe, 2 each) count as two serious-incident equivalents — about as
/// much as two migrants drowned there — and twenty as one migrant killed (critical).
///
/// The value was checked on what happened next (`crates/ingest/examples/holdout.rs`; run it
/// with `cargo run --release -p senda-ingest --example holdout`): fields built from the
/// bundled data before 2018, 2020 and 2022, scored by the share of the next two years' migrant records that fall in their
/// 1,000 riskiest cells (≈ 5,000 km²) — over the corridor, in Mexico (where GED has events),
/// and violent deaths in Mexico:
///
/// | `ucdp-ged` factor | corridor 2018 / 2020 / 2022 | Mexico | violent, Mexico |
/// |---|---|---|---|
/// | 0 (IOM only) | 0.31 / 0.27 / 0.31 | 0.32 / 0.34 / 0.57 | 0.07 / 0.09 / 0.29 |
/// | 0.05 | 0.32 / 0.26 / 0.27 | 0.36 / 0.40 / 0.57 | 0.13 / 0.12 / 0.47 |
/// | **0.1** | 0.31 / 0.22 / 0.24 | 0.37 / 0.40 / 0.57 | 0.13 / 0.12 / 0.47 |
/// | 0.25 | 0.28 / 0.16 / 0.20 | 0.37 / 0.39 / 0.50 | 0.13 / 0.15 / 0.37 |
/// | 1 | 0.11 / 0.06 / 0.05 | 0.28 / 0.16 / 0.09 | 0.10 / 0.09 / 0.32 |
///
/// Some GED helps: it finds the places in Mexico where migrants are later killed. Too much
/// hides the migrant record behind the cartel cities. 0.1 is the largest factor tried that
/// predicts the migrant record in Mexico at least as well as IOM alone on every split (also
/// at 5,000 cells, within 0.3 points); at 0.25 the 2022 split and the 2020 one at 5,000 cells
/// fall well below. The corridor-wide share falls by up to 8 points at 0.1 because GED has no
/// events outside Mexico: its cells displace US-border and Central American ones in a
/// corridor-wide ranking, while routes compare cells along the way, not across countries.
/// The violent-death counts are small (30–38 a split); this is a sanity check of the order
/// of magnitude, not a fit.
///
/// The factor belongs to the source, not to the category: both sources give `violence`
/// (MMP: a migrant killed; GED one-sided: a civilian killed by a cartel or the state), and the
/// difference is whose death the record counts, not how it happened.
///
/// ```
/// use senda_core::risk::RiskConfig;
/// let config = RiskConfig::default();
/// assert_eq!(config.resolution, 7);
/// assert!(config.validate().is_ok());
/// // Analysts override only what they change.
/// let tuned: RiskConfig = serde_json::from_str(r#"{ "half_life_days": 365 }"#).unwrap();
/// assert_eq!((tuned.half_life_days, tuned.resolution), (365.0, 7));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RiskConfig {
    /// H3 resolution of the field. Default **7** (cells of about 5.2 km², centres about
    /// 2.4 km apart): fine enough to tell one stretch of highway, a bridge or a town's
    /// checkpoint from the next one (a res-6 cell of 36 km² would paint a whole town and its
    /// bypass alike), coarse enough that the incident record — hundreds to a few thousand
    /// reports a year over the corridor, many located only to a town — still fills cells
    /// instead of leaving isolated dots, and that a field over all of Mexico and Central
    /// America (~2.5 million km², ~0.5 million cells) stays in tens of megabytes.
    pub resolution: u8,
    /// Half-life of an incident's weight, in days. Default **730** (2 years). Danger on
    /// migration routes is persistent: the places where people are robbed, kidnapped or die
    /// (the Suchiate crossing, the Darién, the Tenosique–Coatzacoalcos rail line, the Sonoran
    /// desert) are the same for years because the armed groups, terrain and enforcement that
    /// cause it stay; the record is also sparse and reported late, so a short memory would
    /// make a road look safe because nobody filed a report this season. Two years keeps a
    /// 4-year-old report at a quarter of its weight and still lets the field follow a
    /// corridor that really moved.
    pub half_life_days: f64,
    /// Weight of each severity level, index 0 = minor (1) … 4 = critical (5). Default
    /// **[0.25, 0.5, 1, 2, 4]**: each level doubles the weight (the 1–5 scale is ordinal;
    /// doubling is the usual way to make it a ratio scale without letting one level dwarf
    /// the rest), and `serious` (3) is the unit of the field, so a critical report (a killing,
    /// a kidnapping) counts as four serious ones and a minor one as a quarter.
    pub severity_weights: [f64; 5],
    /// Factors by review status. Retracted reports always weigh 0 (not configurable: a
    /// withdrawn report must never steer anyone).
    pub review: ReviewFactors,
    /// How far and how strongly each location precision spreads.
    pub location: LocationSpreads,
    /// Spacing of the samples taken along a line when it is integrated, in metres. Default
    /// **150**: about 16 samples across a res-7 cell (≈ 2.4 km), so the length a line spends
    /// in each cell is right to within 75 m at each cell boundary (≈ 3 % of a crossing),
    /// at 7 cell look-ups per km. Every segment between two vertices gets at least one sample,
    /// so short edges are never skipped.
    pub sample_spacing_m: f64,
    /// Weather alerts: hazard weights, profile factors, hard blocks.
    pub weather: WeatherConfig,
    /// Factor on every incident of a source, by [`SourceKey::source`](crate::SourceKey); a
    /// source not listed weighs 1. Default **`{"ucdp-ged": SOURCE_WEIGHT_UCDP_GED}`**; why
    /// (how organised violence and deaths in transit weigh against each other) is in the
    /// type's docs, "Violence and deaths in transit". A file that sets this map replaces the
    /// whole default map: list every source it should weigh.
    pub source_weights: BTreeMap<String, f64>,
}

/// The default [`RiskConfig::source_weights`] entry of UCDP GED (`ucdp-ged`); see
/// "Violence and deaths in transit" in [`RiskConfig`].
pub const SOURCE_WEIGHT_UCDP_GED: f64 = 0.1;

impl Default for RiskConfig {
    fn default() -> Self {
        Self {
            resolution: 7,
            half_life_days: 730.0,
            severity_weights: [0.25, 0.5, 1.0, 2.0, 4.0],
            review: ReviewFactors::default(),
            location: LocationSpreads::default(),
            sample_spacing_m: 150.0,
            weather: WeatherConfig::default(),
            source_weights: BTreeMap::from([("ucdp-ged".to_owned(), SOURCE_WEIGHT_UCDP_GED)]),
        }
    }
}

/// Weight of a report by review status.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewFactors {
    /// Default **1.0**: a verified report is the reference.
    pub verified: f64,
    /// Default **0.6**: most reports reach monitoring unverified and most of those are later
    /// confirmed, so ignoring them would hide fresh danger for months; the discount limits
    /// what a false or malicious report (e.g. one meant to divert people) can do.
    pub unverified: f64,
}

impl Default for ReviewFactors {
    fn default() -> Self {
        Self {
            verified: 1.0,
            unverified: 0.6,
        }
    }
}

/// How one location precision spreads an incident's weight over cells.
///
/// The kernel is Gaussian in the distance between cell centres, measured as the grid distance
/// (rings) times the local centre spacing — the hexagonal approximation of the centre
/// distance (within 13 %) that needs no trigonometry per cell. It covers every ring whose
/// distance is at most `radius_km` (at least the incident's own cell) and is normalised to
/// sum to 1, so an incident's weight is conserved: it is moved around, never created or lost.
/// Pentagons and their distortion are handled by H3's safe disk (fewer cells, same sum).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// Factor on the incident's weight (after the kernel has made it wider and lower).
    pub weight: f64,
    /// Standard deviation of the Gaussian, km.
    pub sigma_km: f64,
    /// Cut-off radius, km.
    pub radius_km: f64,
    /// Evaluate the kernel this many resolutions coarser than the field and share each
    /// coarse cell's weight equally among its children at the field's resolution. A report
    /// known only to 25 km says nothing finer than that anyway, and it makes the cost of a
    /// wide spread independent of the number of reports.
    pub coarsen: u8,
}

impl Spread {
    pub const fn new(weight: f64, sigma_km: f64, radius_km: f64, coarsen: u8) -> Self {
        Self {
            weight,
            sigma_km,
            radius_km,
            coarsen,
        }
    }
}

/// One [`Spread`] per [`LocationPrecision`]. Imprecise reports spread wider *and* weigh less:
/// the wider kernel already lowers their value per cell, and the factor discounts that the
/// point itself may be a geocoded centroid (of a town, a municipality, a province) that says
/// little about any one road.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LocationSpreads {
    /// Within ~100 m. Default weight 1, σ 2 km, radius 5 km (the cell and two rings at
    /// res 7): danger at a spot (a checkpoint, a gang's stretch of road) extends along the
    /// road to the next junctions, a few kilometres.
    pub exact: Spread,
    /// Within a town (~5 km). Default weight 1, σ 4 km, radius 8 km (three rings).
    pub local: Spread,
    /// Within ~25 km. Default weight 0.8, σ 12 km, radius 25 km, at one resolution coarser.
    pub area: Spread,
    /// A first-order unit (a state, department or province), a part of a country, or a road
    /// or river known only by name. Default weight 0.5, σ 50 km, radius 100 km, at two
    /// resolutions coarser. Such a report sits at the unit's centroid or capital, and the
    /// units of the corridor differ: a Mexican state averages ~60,000 km² (a disk of ~140 km
    /// radius; Guanajuato 30,600 km², ~100 km), a Central American department 1,500–8,000 km²
    /// (25–50 km). The kernel fits the middle of the Mexican states — the corridor's longest
    /// stretch and nearly all such reports (UCDP GED `where_prec` 4) — and is wider than a
    /// department: a kernel too narrow would pile a whole state's reports onto whichever road
    /// passes its centroid (Guanajuato's is on the Bajío railway), a false hotspot that steers
    /// routes; one too wide only thins the weight over the neighbours.
    pub region: Spread,
    /// Precision not given. Default like `area` (the usual precision of a geocoded place
    /// name) with weight 0.7.
    pub unknown: Spread,
}

impl Default for LocationSpreads {
    fn default() -> Self {
        Self {
            exact: Spread::new(1.0, 2.0, 5.0, 0),
            local: Spread::new(1.0, 4.0, 8.0, 0),
            area: Spread::new(0.8, 12.0, 25.0, 1),
            region: Spread::new(0.5, 50.0, 100.0, 2),
            unknown: Spread::new(0.7, 12.0, 25.0, 1),
        }
    }
}

impl LocationSpreads {
    pub fn get(&self, precision: LocationPrecision) -> &Spread {
        match precision {
            LocationPrecision::Exact => &self.exact,
            LocationPrecision::Local => &self.local,
            LocationPrecision::Area => &self.area,
            LocationPrecision::Region => &self.region,
            LocationPrecision::Unknown => &self.unknown,
        }
    }
}

/// The kind of weather hazard, found from an alert's event text (see
/// [`WeatherConfig::keywords`]); it selects the profile factors and the block rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HazardKind {
    Flood,
    Heat,
    Cold,
    Storm,
    Fire,
    Geo,
    Other,
}

impl HazardKind {
    pub const ALL: [HazardKind; 7] = [
        Self::Flood,
        Self::Heat,
        Self::Cold,
        Self::Storm,
        Self::Fire,
        Self::Geo,
        Self::Other,
    ];

    pub(crate) fn index(self) -> usize {
        match self {
            Self::Flood => 0,
            Self::Heat => 1,
            Self::Cold => 2,
            Self::Storm => 3,
            Self::Fire => 4,
            Self::Geo => 5,
            Self::Other => 6,
        }
    }
}

/// Keywords that mark an event text as one hazard kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HazardKeywords {
    pub kind: HazardKind,
    /// Lower-case substrings of the `<event>` text, in any of the alert's languages.
    pub keywords: Vec<String>,
}

/// Where a hard block applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockScope {
    /// Every edge through a covered cell is impassable for the profile.
    All,
    /// Only edges the graph marks as fords or river crossings; the field reports it per cell
    /// ([`crate::risk::RiskField::crossings_blocked`]) and the graph applies it, so the risk
    /// model stays graph-agnostic.
    Crossings,
}

/// An alert matching every condition blocks the covered cells for the listed profiles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRule {
    /// A name for explanations and logs.
    pub name: String,
    /// Hazard kinds the rule applies to; empty = every kind.
    pub kinds: Vec<HazardKind>,
    pub min_severity: CapSeverity,
    pub min_certainty: CapCertainty,
    pub min_urgency: CapUrgency,
    pub foot: bool,
    pub vehicle: bool,
    pub scope: BlockScope,
}

impl BlockRule {
    pub fn matches(&self, alert: &WeatherAlert, kind: HazardKind) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&kind))
            && alert.severity >= self.min_severity
            && alert.certainty >= self.min_certainty
            && alert.urgency >= self.min_urgency
    }
}

/// CAP `<severity>` weights.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeverityWeights {
    pub extreme: f64,
    pub severe: f64,
    pub moderate: f64,
    pub minor: f64,
    pub unknown: f64,
}

impl Default for SeverityWeights {
    /// Extreme 2, severe 1, moderate 0.5, minor 0.2, unknown 0.5 (treated as moderate): CAP
    /// defines extreme as an "extraordinary threat to life", severe as "significant", so
    /// each step doubles, as the incident severity table does.
    fn default() -> Self {
        Self {
            extreme: 2.0,
            severe: 1.0,
            moderate: 0.5,
            minor: 0.2,
            unknown: 0.5,
        }
    }
}

impl SeverityWeights {
    pub fn get(&self, v: CapSeverity) -> f64 {
        match v {
            CapSeverity::Extreme => self.extreme,
            CapSeverity::Severe => self.severe,
            CapSeverity::Moderate => self.moderate,
            CapSeverity::Minor => self.minor,
            CapSeverity::Unknown => self.unknown,
        }
    }
}

/// CAP `<certainty>` weights (a probability-like discount).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CertaintyWeights {
    pub observed: f64,
    pub likely: f64,
    pub possible: f64,
    pub unlikely: f64,
    pub unknown: f64,
}

impl Default for CertaintyWeights {
    /// Observed 1, likely 0.8 (CAP: p > 50 %), possible 0.5 (p ≤ 50 %), unlikely 0.1
    /// (p ≈ 0), unknown 0.5.
    fn default() -> Self {
        Self {
            observed: 1.0,
            likely: 0.8,
            possible: 0.5,
            unlikely: 0.1,
            unknown: 0.5,
        }
    }
}

impl CertaintyWeights {
    pub fn get(&self, v: CapCertainty) -> f64 {
        match v {
            CapCertainty::Observed => self.observed,
            CapCertainty::Likely => self.likely,
            CapCertainty::Possible => self.possible,
            CapCertainty::Unlikely => self.unlikely,
            CapCertainty::Unknown => self.unknown,
        }
    }
}

/// CAP `<urgency>` weights.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UrgencyWeights {
    pub immediate: f64,
    pub expected: f64,
    pub future: f64,
    pub past: f64,
    pub unknown: f64,
}

impl Default for UrgencyWeights {
    /// Immediate 1, expected 0.8 (within the hour), future 0.5, past 0.1 (the event is over
    /// but its aftermath — washed-out roads — may not be), unknown 0.5.
    fn default() -> Self {
        Self {
            immediate: 1.0,
            expected: 0.8,
            future: 0.5,
            past: 0.1,
            unknown: 0.5,
        }
    }
}

impl UrgencyWeights {
    pub fn get(&self, v: CapUrgency) -> f64 {
        match v {
            CapUrgency::Immediate => self.immediate,
            CapUrgency::Expected => self.expected,
            CapUrgency::Future => self.future,
            CapUrgency::Past => self.past,
            CapUrgency::Unknown => self.unknown,
        }
    }
}

/// Per-profile factor of each hazard kind.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HazardProfileFactors {
    /// Default foot 1.5, vehicle 0.5: heat kills people walking (the Sonoran and Chihuahuan
    /// deserts); in a vehicle it matters mostly when locked in a trailer.
    pub heat: ProfileFactors,
    /// Default foot 1.5, vehicle 0.5: cold fronts and frost kill people sleeping outside.
    pub cold: ProfileFactors,
    /// Default foot 1.25, vehicle 0.75: wind and rain hurt walkers; roads close for vehicles.
    pub storm: ProfileFactors,
    /// Default foot 1.5, vehicle 1.0: drowning at river crossings is a leading cause of death
    /// on foot; flooded roads stop vehicles. (Fords are also blocked, see the block rules.)
    pub flood: ProfileFactors,
    /// Default foot 1.25, vehicle 1.0.
    pub fire: ProfileFactors,
    /// Earthquakes, volcanoes, landslides, tsunamis. Default 1, 1.
    pub geo: ProfileFactors,
    /// Anything else. Default 1, 1.
    pub other: ProfileFactors,
}

impl Default for HazardProfileFactors {
    fn default() -> Self {
        Self {
            heat: ProfileFactors::new(1.5, 0.5),
            cold: ProfileFactors::new(1.5, 0.5),
            storm: ProfileFactors::new(1.25, 0.75),
            flood: ProfileFactors::new(1.5, 1.0),
            fire: ProfileFactors::new(1.25, 1.0),
            geo: ProfileFactors::new(1.0, 1.0),
            other: ProfileFactors::new(1.0, 1.0),
        }
    }
}

impl HazardProfileFactors {
    pub fn get(&self, kind: HazardKind) -> ProfileFactors {
        match kind {
            HazardKind::Heat => self.heat,
            HazardKind::Cold => self.cold,
            HazardKind::Storm => self.storm,
            HazardKind::Flood => self.flood,
            HazardKind::Fire => self.fire,
            HazardKind::Geo => self.geo,
            HazardKind::Other => self.other,
        }
    }
}

/// How weather alerts become hazard and hard blocks.
///
/// An alert counts when [`WeatherAlert::active_at`] the field's time (status `Actual`, not a
/// `Cancel`, inside its onset–expires window) and its `msg_type` is `Alert` or `Update`
/// (`Ack` and `Error` messages carry no hazard). Its hazard for a profile is
/// `hazard_scale × severity × certainty × urgency × profile factor of its kind`, added to
/// every cell it covers (polygon: cells whose centre is inside plus cells its boundary
/// crosses; circle: cells within the radius plus one cell circumradius). Where several
/// alerts of the same kind overlap (an alert and its updates, two offices warning about one
/// storm) a cell takes the largest of them; different kinds add up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WeatherConfig {
    /// Default **1.0**: an extreme, observed, immediate alert adds 2 per cell (3 on foot for
    /// heat or flood) — as much as a cell where two serious incidents happen every year, which
    /// is a corridor's worst stretch. Routing thus detours around an extreme storm about as
    /// hard as around the most violent road, and around a moderate one much less.
    pub hazard_scale: f64,
    pub severity: SeverityWeights,
    pub certainty: CertaintyWeights,
    pub urgency: UrgencyWeights,
    pub profile_factors: HazardProfileFactors,
    /// Event-text keywords per kind, tried in order; the first kind with a keyword found in
    /// any `<event>` text wins. Failing that, CAP category `Fire` gives fire and `Geo` gives
    /// geo; anything else is `other`. Defaults cover Spanish, English, French and Portuguese
    /// (e.g. SMN's "Aviso de Ciclón Tropical" → storm, "Aviso de Frente Frío" → cold).
    pub keywords: Vec<HazardKeywords>,
    /// Hard blocks, separate from the soft hazard. Defaults:
    /// 1. `extreme`: any kind but heat and cold, severity extreme, certainty likely or
    ///    observed, urgency expected or immediate → blocks foot and vehicle;
    /// 2. `extreme-exposure-on-foot`: heat or cold with the same thresholds → blocks foot
    ///    only (vehicles keep moving);
    /// 3. `flooded-crossings`: flood or storm, severity severe or worse, certainty likely or
    ///    observed, urgency expected or immediate → blocks fords and river crossings for both.
    pub block_rules: Vec<BlockRule>,
    /// Alerts whose area would cover more cells than this are skipped (and listed by
    /// [`crate::risk::RiskField::alert_issues`]). Default **3,000,000** (≈ 15 million km²
    /// at res 7, several times the corridor): a guard against a malformed 5,000 km circle,
    /// never reached by a real regional warning.
    pub max_alert_cells: usize,
    /// Alerts whose area ([`WeatherAlert::area_km2`]) is larger than this are skipped: no
    /// hazard, no block (listed by [`crate::risk::RiskField::alert_issues`]; the CAP reader
    /// rejects them, field `area`). Default **3,000,000 km²** ([`DEFAULT_MAX_ALERT_AREA_KM2`]):
    /// one and a half times Mexico; the largest alert in SMN's 2014 feed covers 0.99 million
    /// km², a Philippine marine warning among the test samples 2.8 million. A polygon around
    /// the globe or a continent is a mistake (or an attack), not a warning.
    pub max_alert_area_km2: f64,
    /// Alerts larger than this add their hazard but never hard-block a road (listed by
    /// [`crate::risk::RiskField::alert_issues`]): one alert must not close a whole network.
    /// Default **300,000 km²** ([`DEFAULT_MAX_BLOCK_AREA_KM2`]): a hurricane or flood
    /// warning's coastal or basin area is far smaller; a closure larger than a region (a 550 km
    /// square) is implausible.
    pub max_block_area_km2: f64,
}

/// The default [`WeatherConfig::max_alert_area_km2`] (also the CAP reader's limit).
pub const DEFAULT_MAX_ALERT_AREA_KM2: f64 = 3_000_000.0;
/// The default [`WeatherConfig::max_block_area_km2`].
pub const DEFAULT_MAX_BLOCK_AREA_KM2: f64 = 300_000.0;

fn keywords(kind: HazardKind, words: &[&str]) -> HazardKeywords {
    HazardKeywords {
        kind,
        keywords: words.iter().map(|w| (*w).to_owned()).collect(),
    }
}

impl Default for WeatherConfig {
    fn default() -> Self {
        use CapCertainty::Likely;
        use CapUrgency::Expected;
        Self {
            hazard_scale: 1.0,
            severity: SeverityWeights::default(),
            certainty: CertaintyWeights::default(),
            urgency: UrgencyWeights::default(),
            profile_factors: HazardProfileFactors::default(),
            keywords: vec![
                keywords(
                    HazardKind::Flood,
                    &[
                        "flood",
                        "inunda",
                        "crecida",
                        "desbord",
                        "avenida súbita",
                        "lluvia intensa",
                        "lluvias intensas",
                        "lluvias fuertes",
                        "heavy rain",
                        "inondation",
                        "crue",
                        "enchente",
                    ],
                ),
                keywords(
                    HazardKind::Heat,
                    &[
                        "heat",
                        "calor",
                        "temperaturas altas",
                        "altas temperaturas",
                        "canicule",
                        "chaleur",
                    ],
                ),
                keywords(
                    HazardKind::Cold,
                    &[
                        "cold", "frío", "frio", "helada", "frost", "freeze", "nevada", "snow",
                        "winter", "invernal", "froid", "geada",
                    ],
                ),
                keywords(
                    HazardKind::Storm,
                    &[
                        "hurricane",
                        "huracán",
                        "huracan",
                        "tropical",
                        "cyclone",
                        "ciclón",
                        "ciclon",
                        "storm",
                        "tormenta",
                        "tempête",
                        "orage",
                        "wind",
                        "viento",
                        "vendaval",
                        "tornado",
                        "typhoon",
                    ],
                ),
                keywords(
                    HazardKind::Fire,
                    &["fire", "incendio", "incendie", "red flag", "smoke", "humo"],
                ),
                keywords(
                    HazardKind::Geo,
                    &[
                        "earthquake",
                        "sismo",
                        "terremoto",
                        "séisme",
                        "volcan",
                        "tsunami",
                        "landslide",
                        "deslave",
                        "derrumbe",
                        "deslizamiento",
                        "glissement",
                    ],
                ),
            ],
            block_rules: vec![
                BlockRule {
                    name: "extreme".to_owned(),
                    kinds: vec![
                        HazardKind::Flood,
                        HazardKind::Storm,
                        HazardKind::Fire,
                        HazardKind::Geo,
                        HazardKind::Other,
                    ],
                    min_severity: CapSeverity::Extreme,
                    min_certainty: Likely,
                    min_urgency: Expected,
                    foot: true,
                    vehicle: true,
                    scope: BlockScope::All,
                },
                BlockRule {
                    name: "extreme-exposure-on-foot".to_owned(),
                    kinds: vec![HazardKind::Heat, HazardKind::Cold],
                    min_severity: CapSeverity::Extreme,
                    min_certainty: Likely,
                    min_urgency: Expected,
                    foot: true,
                    vehicle: false,
                    scope: BlockScope::All,
                },
                BlockRule {
                    name: "flooded-crossings".to_owned(),
                    kinds: vec![HazardKind::Flood, HazardKind::Storm],
                    min_severity: CapSeverity::Severe,
                    min_certainty: Likely,
                    min_urgency: Expected,
                    foot: true,
                    vehicle: true,
                    scope: BlockScope::Crossings,
                },
            ],
            max_alert_cells: 3_000_000,
            max_alert_area_km2: DEFAULT_MAX_ALERT_AREA_KM2,
            max_block_area_km2: DEFAULT_MAX_BLOCK_AREA_KM2,
        }
    }
}

/// Bits of a cell's hard-block flags.
pub(crate) const BLOCK_FOOT: u8 = 1;
pub(crate) const BLOCK_VEHICLE: u8 = 2;
pub(crate) const CROSSINGS_FOOT: u8 = 4;
pub(crate) const CROSSINGS_VEHICLE: u8 = 8;

pub(crate) fn block_bit(profile: RiskProfile) -> u8 {
    match profile {
        RiskProfile::Foot => BLOCK_FOOT,
        RiskProfile::Vehicle => BLOCK_VEHICLE,
    }
}

pub(crate) fn crossings_bit(profile: RiskProfile) -> u8 {
    match profile {
        RiskProfile::Foot => CROSSINGS_FOOT,
        RiskProfile::Vehicle => CROSSINGS_VEHICLE,
    }
}

impl WeatherConfig {
    /// The hazard kind of an alert (see [`WeatherConfig::keywords`]).
    pub fn classify(&self, alert: &WeatherAlert) -> HazardKind {
        let events: Vec<String> = alert.texts.iter().map(|t| t.event.to_lowercase()).collect();
        for group in &self.keywords {
            let hit = group.keywords.iter().any(|k| {
                let k = k.to_lowercase();
                !k.is_empty() && events.iter().any(|e| e.contains(&k))
            });
            if hit {
                return group.kind;
            }
        }
        for category in &alert.categories {
            match category.trim() {
                "Fire" => return HazardKind::Fire,
                "Geo" => return HazardKind::Geo,
                _ => {}
            }
        }
        HazardKind::Other
    }

    /// Hazard the alert adds to each covered cell, `[foot, vehicle]`.
    pub fn hazard(&self, alert: &WeatherAlert, kind: HazardKind) -> [f64; 2] {
        let base = self.hazard_scale
            * self.severity.get(alert.severity)
            * self.certainty.get(alert.certainty)
            * self.urgency.get(alert.urgency);
        let f = self.profile_factors.get(kind);
        [base * f.foot, base * f.vehicle]
    }

    /// Block flags the alert sets on each covered cell.
    pub(crate) fn block_flags(&self, alert: &WeatherAlert, kind: HazardKind) -> u8 {
        let mut flags = 0;
        for rule in self.block_rules.iter().filter(|r| r.matches(alert, kind)) {
            let (foot, vehicle) = match rule.scope {
                BlockScope::All => (BLOCK_FOOT, BLOCK_VEHICLE),
                BlockScope::Crossings => (CROSSINGS_FOOT, CROSSINGS_VEHICLE),
            };
            if rule.foot {
                flags |= foot;
            }
            if rule.vehicle {
                flags |= vehicle;
            }
        }
        flags
    }

    /// Whether the alert counts at `at` (see the type's docs).
    pub fn counts_at(alert: &WeatherAlert, at: DateTime<Utc>) -> bool {
        alert.active_at(at) && matches!(alert.msg_type.trim(), "Alert" | "Update")
    }
}

/// The most kernel rings a configuration may ask for (a disk of 7,651 cells); more means
/// the spread is far too wide for the resolution and should be coarsened.
pub const MAX_KERNEL_RINGS: u32 = 50;

/// Mean distance between neighbouring cell centres at a resolution, km (√3 × mean edge).
pub(crate) fn mean_spacing_km(resolution: Resolution) -> f64 {
    3f64.sqrt() * resolution.edge_length_km()
}

fn check_weight(field: &'static str, v: f64) -> Result<(), InvalidValue> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(InvalidValue::new(field, v, "must be a finite number >= 0"))
    }
}

impl RiskConfig {
    /// The field's H3 resolution.
    pub fn h3_resolution(&self) -> Result<Resolution, InvalidValue> {
        Resolution::try_from(self.resolution)
            .map_err(|_| InvalidValue::new("resolution", self.resolution, "must be 0..15"))
    }

    /// Checks every number: weights finite and ≥ 0, half-life and kernel widths > 0, kernels
    /// no wider than [`MAX_KERNEL_RINGS`] rings at their resolution, a sample spacing of
    /// 1 m – 10 km.
    pub fn validate(&self) -> Result<(), InvalidValue> {
        let res = self.h3_resolution()?;
        if !(self.half_life_days.is_finite() && self.half_life_days > 0.0) {
            return Err(InvalidValue::new(
                "half_life_days",
                self.half_life_days,
                "must be a finite number > 0",
            ));
        }
        for w in self.severity_weights {
            check_weight("severity_weights", w)?;
        }
        check_weight("review.verified", self.review.verified)?;
        check_weight("review.unverified", self.review.unverified)?;
        for p in [
            LocationPrecision::Exact,
            LocationPrecision::Local,
            LocationPrecision::Area,
            LocationPrecision::Region,
            LocationPrecision::Unknown,
        ] {
            let s = self.location.get(p);
            check_weight("location.weight", s.weight)?;
            if !(s.sigma_km.is_finite() && s.sigma_km > 0.0) {
                return Err(InvalidValue::new(
                    "location.sigma_km",
                    s.sigma_km,
                    "must be a finite number > 0",
                ));
            }
            check_weight("location.radius_km", s.radius_km)?;
            if s.coarsen > self.resolution {
                return Err(InvalidValue::new(
                    "location.coarsen",
                    s.coarsen,
                    "must not exceed the field's resolution",
                ));
            }
            let spread_res = self.spread_resolution(res, s);
            let rings = s.radius_km / mean_spacing_km(spread_res);
            if rings > f64::from(MAX_KERNEL_RINGS) {
                return Err(InvalidValue::new(
                    "location.radius_km",
                    s.radius_km,
                    "kernel wider than 50 rings at its resolution: raise `coarsen`",
                ));
            }
        }
        for w in self.source_weights.values() {
            check_weight("source_weights", *w)?;
        }
        if !(self.sample_spacing_m.is_finite() && (1.0..=10_000.0).contains(&self.sample_spacing_m))
        {
            return Err(InvalidValue::new(
                "sample_spacing_m",
                self.sample_spacing_m,
                "must be 1..10000 m",
            ));
        }
        let w = &self.weather;
        check_weight("weather.hazard_scale", w.hazard_scale)?;
        for v in [
            w.severity.extreme,
            w.severity.severe,
            w.severity.moderate,
            w.severity.minor,
            w.severity.unknown,
        ] {
            check_weight("weather.severity", v)?;
        }
        for v in [
            w.certainty.observed,
            w.certainty.likely,
            w.certainty.possible,
            w.certainty.unlikely,
            w.certainty.unknown,
        ] {
            check_weight("weather.certainty", v)?;
        }
        for v in [
            w.urgency.immediate,
            w.urgency.expected,
            w.urgency.future,
            w.urgency.past,
            w.urgency.unknown,
        ] {
            check_weight("weather.urgency", v)?;
        }
        for kind in HazardKind::ALL {
            let f = w.profile_factors.get(kind);
            check_weight("weather.profile_factors", f.foot)?;
            check_weight("weather.profile_factors", f.vehicle)?;
        }
        if w.max_alert_cells == 0 {
            return Err(InvalidValue::new(
                "weather.max_alert_cells",
                0,
                "must be at least 1",
            ));
        }
        for (field, v) in [
            ("weather.max_alert_area_km2", w.max_alert_area_km2),
            ("weather.max_block_area_km2", w.max_block_area_km2),
        ] {
            if !(v > 0.0 && v.is_finite()) {
                return Err(InvalidValue::new(
                    field,
                    v,
                    "must be a positive number of km²",
                ));
            }
        }
        Ok(())
    }

    /// The resolution at which a spread's kernel is evaluated.
    pub(crate) fn spread_resolution(&self, field: Resolution, spread: &Spread) -> Resolution {
        let r = u8::from(field).saturating_sub(spread.coarsen);
        Resolution::try_from(r).unwrap_or(field)
    }

    /// Weight of a severity level.
    pub fn severity_weight(&self, severity: Severity) -> f64 {
        self.severity_weights[usize::from(severity.level() - 1)]
    }

    /// Factor of a review status (retracted is always 0).
    pub fn review_factor(&self, review: ReviewStatus) -> f64 {
        match review {
            ReviewStatus::Verified => self.review.verified,
            ReviewStatus::Unverified => self.review.unverified,
            ReviewStatus::Retracted => 0.0,
        }
    }

    /// `0.5^(age / half-life)` of a report at `at`, with its age counted from
    /// [`reference_time`]; 1 for a report not older than that.
    pub fn decay(&self, incident: &Incident, at: DateTime<Utc>) -> f64 {
        let reference = reference_time(incident.occurred_at, incident.time_precision);
        let age_s = (at - reference).num_milliseconds() as f64 / 1000.0;
        let age_days = (age_s / 86_400.0).max(0.0);
        (-age_days / self.half_life_days).exp2()
    }

    /// Factor of a source (see [`RiskConfig::source_weights`]): 1 for a source not listed.
    pub fn source_factor(&self, source: &str) -> f64 {
        self.source_weights.get(source).copied().unwrap_or(1.0)
    }

    /// `ln 2 / half_life_years`: turns a decay-weighted count into an annual rate (see the
    /// type's docs).
    pub fn annual_rate_factor(&self) -> f64 {
        std::f64::consts::LN_2 * 365.25 / self.half_life_days
    }

    /// The total weight an incident adds to the field at `at` (before the kernel spreads it):
    /// `severity × review × decay × location weight × source factor × annual-rate factor`.
    /// Zero for a retracted report and for one that happened after `at` (by its
    /// `occurred_at`, the earliest moment its precision allows).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use senda_core::{risk::RiskConfig, Incident, IncidentCategory, LonLat, ReviewStatus, SourceKey};
    /// let at = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    /// let mut inc = Incident::new(
    ///     SourceKey::new("test", "1").unwrap(),
    ///     LonLat::new(-92.26, 14.9).unwrap(),
    ///     at,
    ///     IncidentCategory::Drowning, // serious
    ///     1,
    /// ).unwrap();
    /// inc.time_precision = senda_core::TimePrecision::Exact;
    /// inc.location_precision = senda_core::LocationPrecision::Exact;
    /// inc.review = ReviewStatus::Verified;
    /// let config = RiskConfig::default();
    /// let w = config.incident_weight(&inc, at);
    /// assert!((w - std::f64::consts::LN_2 * 365.25 / 730.0).abs() < 1e-12);
    /// ```
    pub fn incident_weight(&self, incident: &Incident, at: DateTime<Utc>) -> f64 {
        if incident.occurred_at > at || incident.review == ReviewStatus::Retracted {
            return 0.0;
        }
        let w = self.severity_weight(incident.severity)
            * self.review_factor(incident.review)
            * self.decay(incident, at)
            * self.location.get(incident.location_precision).weight
            * self.source_factor(&incident.key.source)
            * self.annual_rate_factor();
        if w.is_finite() && w > 0.0 {
            w
        } else {
            0.0
        }
    }
}

/// The moment a report's age is counted from: the middle of the period its time precision
/// leaves open, taking `occurred_at` as the period's start (sources give the first day of the
/// week, month or year). `Exact` → `occurred_at`; `Day` → noon of that UTC day; `Week` →
/// 3.5 days later; `Month` → the middle of that calendar month; `Year` → the middle of that
/// year. A report counts from its `occurred_at`; until the reference time has passed its age
/// is 0.
pub fn reference_time(occurred_at: DateTime<Utc>, precision: TimePrecision) -> DateTime<Utc> {
    let date = occurred_at.date_naive();
    let midpoint = |start: Option<NaiveDate>, end: Option<NaiveDate>| -> Option<DateTime<Utc>> {
        let (start, end) = (start?, end?);
        let start = start.and_hms_opt(0, 0, 0)?.and_utc();
        let end = end.and_hms_opt(0, 0, 0)?.and_utc();
        start.checked_add_signed((end - start) / 2)
    };
    let reference = match precision {
        TimePrecision::Exact => Some(occurred_at),
        TimePrecision::Day => date
            .and_hms_opt(12, 0, 0)
            .map(|t| t.and_utc())
            .filter(|t| *t >= occurred_at),
        TimePrecision::Week => occurred_at.checked_add_signed(Duration::hours(84)),
        TimePrecision::Month => {
            let (y, m) = (date.year(), date.month());
            let next = if m == 12 {
                NaiveDate::from_ymd_opt(y + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(y, m + 1, 1)
            };
            midpoint(NaiveDate::from_ymd_opt(y, m, 1), next)
        }
        TimePrecision::Year => {
            let y = date.year();
            midpoint(
                NaiveDate::from_ymd_opt(y, 1, 1),
                NaiveDate::from_ymd_opt(y + 1, 1, 1),
            )
        }
    };
    reference.unwrap_or(occurred_at)
}

/// Index of a category in per-category arrays ([`IncidentCategory::ALL`] order).
pub(crate) fn category_index(c: IncidentCategory) -> usize {
    match c {
        IncidentCategory::Violence => 0,
        IncidentCategory::Kidnapping => 1,
        IncidentCategory::SexualViolence => 2,
        IncidentCategory::Trafficking => 3,
        IncidentCategory::Extortion => 4,
        IncidentCategory::ArmedConflict => 5,
        IncidentCategory::Enforcement => 6,
        IncidentCategory::Unrest => 7,
        IncidentCategory::VehicleAccident => 8,
        IncidentCategory::TrainAccident => 9,
        IncidentCategory::Drowning => 10,
        IncidentCategory::Environmental => 11,
        IncidentCategory::Sickness => 12,
        IncidentCategory::Accident => 13,
        IncidentCategory::Unknown => 14,
    }
}

/// Number of incident categories.
pub(crate) const N_CATEGORIES: usize = IncidentCategory::ALL.len();

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn category_index_matches_all_order() {
        for (i, c) in IncidentCategory::ALL.into_iter().enumerate() {
            assert_eq!(category_index(c), i);
        }
    }

    #[test]
    fn reference_time_is_mid_period() {
        let t = Utc.with_ymd_and_hms(2024, 2, 1, 0, 0, 0).unwrap();
        // February 2024 has 29 days: the middle is the 15th at noon.
        assert_eq!(
            reference_time(t, TimePrecision::Month),
            Utc.with_ymd_and_hms(2024, 2, 15, 12, 0, 0).unwrap()
        );
        assert_eq!(
            reference_time(t, TimePrecision::Day),
            Utc.with_ymd_and_hms(2024, 2, 1, 12, 0, 0).unwrap()
        );
        assert_eq!(reference_time(t, TimePrecision::Exact), t);
        assert_eq!(
            reference_time(t, TimePrecision::Week),
            Utc.with_ymd_and_hms(2024, 2, 4, 12, 0, 0).unwrap()
        );
        assert_eq!(
            reference_time(
                Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap(),
                TimePrecision::Year
            ),
            Utc.with_ymd_and_hms(2023, 7, 2, 12, 0, 0).unwrap()
        );
    }

    #[test]
    fn default_config_is_valid_and_round_trips() {
        let c = RiskConfig::default();
        c.validate().unwrap();
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<RiskConfig>(&json).unwrap(), c);
        let mut bad = c.clone();
        bad.resolution = 16;
        assert_eq!(bad.validate().unwrap_err().field, "resolution");
        let mut bad = c.clone();
        bad.half_life_days = f64::NAN;
        assert_eq!(bad.validate().unwrap_err().field, "half_life_days");
        let mut bad = c.clone();
        bad.location.exact.radius_km = 200.0;
        assert_eq!(bad.validate().unwrap_err().field, "location.radius_km");
        let mut bad = c;
        bad.source_weights.insert("acled".into(), -1.0);
        assert_eq!(bad.validate().unwrap_err().field, "source_weights");
    }

    #[test]
    fn source_weights_scale_an_incident_and_default_to_one() {
        let config = RiskConfig::default();
        assert_eq!(config.source_factor("ucdp-ged"), SOURCE_WEIGHT_UCDP_GED);
        assert_eq!(config.source_factor("iom-mmp"), 1.0);
        let at = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let incident = |source: &str| {
            Incident::new(
                crate::SourceKey::new(source, "1").unwrap(),
                crate::LonLat::new(-92.26, 14.9).unwrap(),
                at,
                IncidentCategory::ArmedConflict,
                1,
            )
            .unwrap()
        };
        let (ged, mmp) = (incident("ucdp-ged"), incident("iom-mmp"));
        let ratio = config.incident_weight(&ged, at) / config.incident_weight(&mmp, at);
        assert!((ratio - SOURCE_WEIGHT_UCDP_GED).abs() < 1e-12, "{ratio}");
        // A file that sets the map replaces it.
        let tuned: RiskConfig =
            serde_json::from_str(r#"{ "source_weights": { "acled": 0.5 } }"#).unwrap();
        assert_eq!(
            (
                tuned.source_factor("ucdp-ged"),
                tuned.source_factor("acled")
            ),
            (1.0, 0.5)
        );
    }
}
