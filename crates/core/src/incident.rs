//! Incident reports: what happened to people on the move, where and when.
//!
//! senda never shows single reports to the public: they feed an aggregated risk field.
//! Each source's own cause or event type is mapped onto one [`IncidentCategory`]; the
//! category gives a base [`Severity`] (table in [`IncidentCategory::base_severity`]).

use crate::{InvalidValue, LonLat, SourceKey};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// senda's incident categories. Every source's cause/event vocabulary maps onto these
/// (the per-source tables live in senda-ingest's `category` module).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IncidentCategory {
    /// Killing, shooting, beating: violence by people.
    Violence,
    /// Abduction, forced disappearance, kidnapping for ransom.
    Kidnapping,
    /// Sexual violence.
    SexualViolence,
    /// Trafficking in persons, forced labour.
    Trafficking,
    /// Robbery, extortion, assault for money.
    Extortion,
    /// Armed clashes, explosions, attacks between armed groups.
    ArmedConflict,
    /// Arrests, raids, excessive force by authorities.
    Enforcement,
    /// Riots, mob violence, violent demonstrations.
    Unrest,
    /// Vehicle crashes, suffocation in trucks, hazardous transport.
    VehicleAccident,
    /// Falls from and accidents on freight trains.
    TrainAccident,
    /// Drowning (rivers, sea, canals).
    Drowning,
    /// Heat, cold, dehydration, starvation, exposure: harsh environmental conditions.
    Environmental,
    /// Sickness without access to health care.
    Sickness,
    /// Other accidents (falls, electrocution, ...).
    Accident,
    /// Mixed or unknown cause.
    Unknown,
}

/// Severity of an incident on an ordinal 1–5 scale. The risk model turns it into a weight
/// through its (tunable) severity table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Minor = 1,
    Moderate = 2,
    Serious = 3,
    Severe = 4,
    Critical = 5,
}

impl Severity {
    pub fn level(self) -> u8 {
        self as u8
    }

    pub fn from_level(level: u8) -> Result<Self, InvalidValue> {
        Ok(match level {
            1 => Self::Minor,
            2 => Self::Moderate,
            3 => Self::Serious,
            4 => Self::Severe,
            5 => Self::Critical,
            _ => return Err(InvalidValue::new("severity", level, "must be 1..5")),
        })
    }

    /// Parses `1`..`5` or a name (`minor` … `critical`).
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        let v = value.trim().to_ascii_lowercase();
        if let Ok(n) = v.parse::<u8>() {
            return Self::from_level(n);
        }
        Ok(match v.as_str() {
            "minor" | "low" => Self::Minor,
            "moderate" | "medium" => Self::Moderate,
            "serious" => Self::Serious,
            "severe" | "high" => Self::Severe,
            "critical" | "extreme" => Self::Critical,
            _ => {
                return Err(InvalidValue::new(
                    "severity",
                    value,
                    "expected 1..5 or minor|moderate|serious|severe|critical",
                ))
            }
        })
    }

    /// One level up, saturating at `Critical`.
    pub fn raised(self) -> Self {
        Self::from_level((self.level() + 1).min(5)).unwrap_or(Self::Critical)
    }

    /// One level down, saturating at `Minor`.
    pub fn lowered(self) -> Self {
        Self::from_level(self.level().saturating_sub(1).max(1)).unwrap_or(Self::Minor)
    }
}

impl IncidentCategory {
    pub const ALL: [IncidentCategory; 15] = [
        Self::Violence,
        Self::Kidnapping,
        Self::SexualViolence,
        Self::Trafficking,
        Self::Extortion,
        Self::ArmedConflict,
        Self::Enforcement,
        Self::Unrest,
        Self::VehicleAccident,
        Self::TrainAccident,
        Self::Drowning,
        Self::Environmental,
        Self::Sickness,
        Self::Accident,
        Self::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Violence => "violence",
            Self::Kidnapping => "kidnapping",
            Self::SexualViolence => "sexual_violence",
            Self::Trafficking => "trafficking",
            Self::Extortion => "extortion",
            Self::ArmedConflict => "armed_conflict",
            Self::Enforcement => "enforcement",
            Self::Unrest => "unrest",
            Self::VehicleAccident => "vehicle_accident",
            Self::TrainAccident => "train_accident",
            Self::Drowning => "drowning",
            Self::Environmental => "environmental",
            Self::Sickness => "sickness",
            Self::Accident => "accident",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        let v = value.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == v)
            .ok_or_else(|| InvalidValue::new("category", value, "unknown incident category"))
    }

    /// The documented base severity of each category, before adjustments for the number of
    /// people affected:
    ///
    /// | category | base |
    /// |---|---|
    /// | violence, kidnapping, sexual_violence, trafficking | critical (5) |
    /// | armed_conflict, extortion | severe (4) |
    /// | vehicle_accident, train_accident, drowning, environmental, unrest, enforcement | serious (3) |
    /// | sickness, accident, unknown | moderate (2) |
    pub fn base_severity(self) -> Severity {
        match self {
            Self::Violence | Self::Kidnapping | Self::SexualViolence | Self::Trafficking => {
                Severity::Critical
            }
            Self::ArmedConflict | Self::Extortion => Severity::Severe,
            Self::VehicleAccident
            | Self::TrainAccident
            | Self::Drowning
            | Self::Environmental
            | Self::Unrest
            | Self::Enforcement => Severity::Serious,
            Self::Sickness | Self::Accident | Self::Unknown => Severity::Moderate,
        }
    }

    /// Severity for an incident of this category that affected `people` (dead, missing or
    /// injured): the base severity, one level higher when 5 or more people were affected.
    pub fn severity_for(self, people: u32) -> Severity {
        let base = self.base_severity();
        if people >= 5 {
            base.raised()
        } else {
            base
        }
    }
}

/// How precisely the location is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationPrecision {
    /// Within about 100 m.
    Exact,
    /// Within a town or about 5 km (ACLED geo_precision 1).
    Local,
    /// Near a town or within about 25 km (ACLED geo_precision 2).
    Area,
    /// Somewhere in a province or larger region (ACLED geo_precision 3).
    Region,
    /// The source does not say.
    #[default]
    Unknown,
}

impl LocationPrecision {
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        Ok(match value.trim().to_ascii_lowercase().as_str() {
            "exact" => Self::Exact,
            "local" | "town" | "1" => Self::Local,
            "area" | "2" => Self::Area,
            "region" | "province" | "3" => Self::Region,
            "" | "unknown" => Self::Unknown,
            _ => {
                return Err(InvalidValue::new(
                    "location_precision",
                    value,
                    "expected exact|local|area|region|unknown",
                ))
            }
        })
    }
}

/// How precisely the date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimePrecision {
    /// Time of day known.
    Exact,
    #[default]
    Day,
    Week,
    Month,
    Year,
}

impl TimePrecision {
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        Ok(match value.trim().to_ascii_lowercase().as_str() {
            "exact" | "time" => Self::Exact,
            "day" | "" | "1" => Self::Day,
            "week" | "2" => Self::Week,
            "month" | "3" => Self::Month,
            "year" => Self::Year,
            _ => {
                return Err(InvalidValue::new(
                    "time_precision",
                    value,
                    "expected exact|day|week|month|year",
                ))
            }
        })
    }
}

/// Review status of a report. Retracted reports stay stored (for the record) but carry no risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    #[default]
    Unverified,
    Verified,
    Retracted,
}

impl ReviewStatus {
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        Ok(match value.trim().to_ascii_lowercase().as_str() {
            "" | "unverified" | "pending" => Self::Unverified,
            "verified" | "confirmed" => Self::Verified,
            "retracted" | "withdrawn" | "rejected" => Self::Retracted,
            _ => {
                return Err(InvalidValue::new(
                    "review",
                    value,
                    "expected unverified|verified|retracted",
                ))
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub key: SourceKey,
    pub location: LonLat,
    pub location_precision: LocationPrecision,
    /// When it happened (or was reported, when the source gives only that), UTC.
    #[serde(with = "crate::time_fmt")]
    pub occurred_at: DateTime<Utc>,
    pub time_precision: TimePrecision,
    pub category: IncidentCategory,
    pub severity: Severity,
    /// The source's own cause or event type, kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<u32>,
    /// Dead + missing (+ injured when the source counts them); at least 1 for a person-level
    /// report, 0 for events with no casualty count (e.g. an ACLED arrest).
    pub people_affected: u32,
    pub review: ReviewStatus,
    /// ISO country name or code as given by the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Incident {
    /// A new incident; severity is derived from the category and the people affected
    /// (override the field afterwards when the source states a severity).
    pub fn new(
        key: SourceKey,
        location: LonLat,
        occurred_at: DateTime<Utc>,
        category: IncidentCategory,
        people_affected: u32,
    ) -> Result<Self, InvalidValue> {
        if people_affected > 100_000 {
            return Err(InvalidValue::new(
                "people_affected",
                people_affected,
                "implausibly large (over 100,000)",
            ));
        }
        Ok(Self {
            key,
            location,
            location_precision: LocationPrecision::Unknown,
            occurred_at,
            time_precision: TimePrecision::Day,
            category,
            severity: category.severity_for(people_affected),
            source_category: None,
            dead: None,
            missing: None,
            people_affected,
            review: ReviewStatus::Unverified,
            country: None,
            description: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_scale() {
        assert_eq!(Severity::parse("5").unwrap(), Severity::Critical);
        assert_eq!(Severity::parse("high").unwrap(), Severity::Severe);
        assert!(Severity::parse("9").is_err());
        assert_eq!(Severity::Critical.raised(), Severity::Critical);
        assert_eq!(Severity::Severe.lowered(), Severity::Serious);
        assert_eq!(Severity::Minor.lowered(), Severity::Minor);
        assert_eq!(
            IncidentCategory::Drowning.severity_for(1),
            Severity::Serious
        );
        assert_eq!(
            IncidentCategory::Drowning.severity_for(12),
            Severity::Severe
        );
    }

    #[test]
    fn category_names_round_trip() {
        for c in IncidentCategory::ALL {
            assert_eq!(IncidentCategory::parse(c.as_str()).unwrap(), c);
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
    }
}
