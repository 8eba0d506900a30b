//! Weather alerts (CAP 1.2): hazard areas with a time window.

use crate::{InvalidValue, LonLat, SourceKey};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// CAP `<severity>`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum CapSeverity {
    #[default]
    Unknown,
    Minor,
    Moderate,
    Severe,
    Extreme,
}

/// CAP `<urgency>`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum CapUrgency {
    #[default]
    Unknown,
    Past,
    Future,
    Expected,
    Immediate,
}

/// CAP `<certainty>`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum CapCertainty {
    #[default]
    Unknown,
    Unlikely,
    Possible,
    Likely,
    Observed,
}

impl CapSeverity {
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        Ok(match value.trim() {
            "Extreme" => Self::Extreme,
            "Severe" => Self::Severe,
            "Moderate" => Self::Moderate,
            "Minor" => Self::Minor,
            "Unknown" => Self::Unknown,
            _ => {
                return Err(InvalidValue::new(
                    "severity",
                    value,
                    "expected Extreme|Severe|Moderate|Minor|Unknown",
                ))
            }
        })
    }
}

impl CapUrgency {
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        Ok(match value.trim() {
            "Immediate" => Self::Immediate,
            "Expected" => Self::Expected,
            "Future" => Self::Future,
            "Past" => Self::Past,
            "Unknown" => Self::Unknown,
            _ => {
                return Err(InvalidValue::new(
                    "urgency",
                    value,
                    "expected Immediate|Expected|Future|Past|Unknown",
                ))
            }
        })
    }
}

impl CapCertainty {
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        Ok(match value.trim() {
            "Observed" => Self::Observed,
            // "Very Likely" is CAP 1.0's spelling, still seen in feeds.
            "Likely" | "Very Likely" => Self::Likely,
            "Possible" => Self::Possible,
            "Unlikely" => Self::Unlikely,
            "Unknown" => Self::Unknown,
            _ => {
                return Err(InvalidValue::new(
                    "certainty",
                    value,
                    "expected Observed|Likely|Possible|Unlikely|Unknown",
                ))
            }
        })
    }
}

/// A circle: centre and radius in kilometres (CAP `<circle>`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Circle {
    pub center: LonLat,
    pub radius_km: f64,
}

impl Circle {
    pub fn new(center: LonLat, radius_km: f64) -> Result<Self, InvalidValue> {
        if !(0.0..=5_000.0).contains(&radius_km) {
            return Err(InvalidValue::new(
                "circle",
                radius_km,
                "radius must be 0..5000 km",
            ));
        }
        Ok(Self { center, radius_km })
    }
}

/// One `<area>` of an alert: any number of polygons (rings, lon/lat, closed) and circles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertArea {
    pub description: String,
    pub polygons: Vec<Vec<LonLat>>,
    pub circles: Vec<Circle>,
}

impl AlertArea {
    /// Validates polygon rings: at least four positions, first equal to last.
    pub fn new(
        description: String,
        polygons: Vec<Vec<LonLat>>,
        circles: Vec<Circle>,
    ) -> Result<Self, InvalidValue> {
        for ring in &polygons {
            if ring.len() < 4 {
                return Err(InvalidValue::new(
                    "polygon",
                    format!("{} points", ring.len()),
                    "a polygon needs at least four points",
                ));
            }
            if ring.first() != ring.last() {
                return Err(InvalidValue::new(
                    "polygon",
                    "",
                    "first and last points must be the same (closed ring)",
                ));
            }
        }
        Ok(Self {
            description,
            polygons,
            circles,
        })
    }

    pub fn has_geometry(&self) -> bool {
        !self.polygons.is_empty() || !self.circles.is_empty()
    }
}

/// Human-readable text of one `<info>` block, in its language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertText {
    pub language: String,
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instruction: Option<String>,
}

/// A CAP 1.2 alert. Several `<info>` blocks (usually one per language) fold into one alert:
/// their texts are kept per language, their areas are merged, and the most severe, most urgent
/// and most certain values are kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeatherAlert {
    /// `source` = the CAP `<sender>`, `source_id` = its `<identifier>`.
    pub key: SourceKey,
    pub sent: DateTime<Utc>,
    /// `Actual`, `Exercise`, `System`, `Test`, `Draft`.
    pub status: String,
    /// `Alert`, `Update`, `Cancel`, `Ack`, `Error`.
    pub msg_type: String,
    /// CAP `<category>` values (Met, Geo, Safety, ...).
    pub categories: Vec<String>,
    pub severity: CapSeverity,
    pub urgency: CapUrgency,
    pub certainty: CapCertainty,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onset: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<DateTime<Utc>>,
    pub texts: Vec<AlertText>,
    pub areas: Vec<AlertArea>,
}

impl WeatherAlert {
    /// The window during which the alert applies: from onset (or effective, or sent) until
    /// expires (open-ended when the alert gives no expiry).
    pub fn window(&self) -> (DateTime<Utc>, Option<DateTime<Utc>>) {
        (
            self.onset.or(self.effective).unwrap_or(self.sent),
            self.expires,
        )
    }

    /// The alert's area, km²: its polygons on a sphere of the Earth's mean radius (the
    /// Chamberlain–Duquette formula, edges straight in longitude and latitude and the
    /// shorter way round, as the H3 tiling reads them) plus π r² per circle. Overlapping shapes count twice, so this is
    /// an upper bound. Used to refuse alerts implausibly large for a warning (see
    /// `risk::WeatherConfig::max_alert_area_km2`).
    pub fn area_km2(&self) -> f64 {
        const EARTH_RADIUS_KM: f64 = 6_371.008_8;
        let ring_km2 = |ring: &[LonLat]| {
            let twice: f64 = ring
                .windows(2)
                .map(|w| {
                    // The shorter way round, as the H3 tiling reads an edge: one from 179.9
                    // to -179.9 crosses the antimeridian (0.2°), not the globe (359.8°).
                    let mut d_lon = w[1].lon() - w[0].lon();
                    if d_lon > 180.0 {
                        d_lon -= 360.0;
                    } else if d_lon < -180.0 {
                        d_lon += 360.0;
                    }
                    d_lon.to_radians()
                        * (2.0 + w[0].lat().to_radians().sin() + w[1].lat().to_radians().sin())
                })
                .sum();
            (twice * EARTH_RADIUS_KM * EARTH_RADIUS_KM / 2.0).abs()
        };
        self.areas
            .iter()
            .map(|a| {
                a.polygons.iter().map(|r| ring_km2(r)).sum::<f64>()
                    + a.circles
                        .iter()
                        .map(|c| std::f64::consts::PI * c.radius_km * c.radius_km)
                        .sum::<f64>()
            })
            .sum()
    }

    /// Whether the alert is in force at `t`.
    pub fn active_at(&self, t: DateTime<Utc>) -> bool {
        let (start, end) = self.window();
        self.status == "Actual"
            && self.msg_type != "Cancel"
            && start <= t
            && end.is_none_or(|e| t < e)
    }

    /// Checks the invariants: at least one text, at least one area with geometry, and an
    /// expiry not before the start.
    pub fn validate(&self) -> Result<(), InvalidValue> {
        if self.texts.is_empty() {
            return Err(InvalidValue::new(
                "info",
                "",
                "an alert needs at least one <info> block",
            ));
        }
        if !self.areas.iter().any(AlertArea::has_geometry) {
            return Err(InvalidValue::new(
                "area",
                "",
                "no <polygon> or <circle>: the alert cannot be placed on the map",
            ));
        }
        if let (start, Some(end)) = self.window() {
            if end < start {
                return Err(InvalidValue::new(
                    "expires",
                    end,
                    "expires before the alert starts",
                ));
            }
        }
        Ok(())
    }
}
