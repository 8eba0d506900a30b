//! Transit points: bus and rail stations, border crossings, checkpoints, towns.

use crate::{InvalidValue, LonLat, SourceKey};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TransitKind {
    BusStation,
    RailStation,
    /// A rail yard or halt where freight trains stop (where people board "La Bestia").
    RailYard,
    BorderCrossing,
    /// A migration or police checkpoint.
    Checkpoint,
    /// A town or city (e.g. Natural Earth populated places) used as a waypoint.
    Place,
    Port,
    Airport,
}

impl TransitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BusStation => "bus_station",
            Self::RailStation => "rail_station",
            Self::RailYard => "rail_yard",
            Self::BorderCrossing => "border_crossing",
            Self::Checkpoint => "checkpoint",
            Self::Place => "place",
            Self::Port => "port",
            Self::Airport => "airport",
        }
    }

    /// Parses a kind name as written by [`TransitKind::as_str`] (and a few synonyms).
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        Ok(match value.trim().to_ascii_lowercase().replace([' ', '-'], "_").as_str() {
            "bus_station" | "bus" | "bus_terminal" => Self::BusStation,
            "rail_station" | "station" | "train_station" | "halt" => Self::RailStation,
            "rail_yard" | "yard" => Self::RailYard,
            "border_crossing" | "border_control" | "border" => Self::BorderCrossing,
            "checkpoint" => Self::Checkpoint,
            "place" | "town" | "city" | "village" | "populated_place" => Self::Place,
            "port" | "ferry_terminal" => Self::Port,
            "airport" | "aerodrome" => Self::Airport,
            _ => {
                return Err(InvalidValue::new(
                    "kind",
                    value,
                    "unknown transit kind (bus_station, rail_station, rail_yard, border_crossing, checkpoint, place, port, airport)",
                ))
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransitPoint {
    pub key: SourceKey,
    pub kind: TransitKind,
    pub name: String,
    pub location: LonLat,
    /// ISO 3166-1 alpha-3 country code, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Population (for places), used to rank waypoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<u64>,
}

impl TransitPoint {
    pub fn new(
        key: SourceKey,
        kind: TransitKind,
        name: impl Into<String>,
        location: LonLat,
    ) -> Result<Self, InvalidValue> {
        let name = name.into().trim().to_owned();
        if name.is_empty() {
            return Err(InvalidValue::new("name", "", "must not be empty"));
        }
        Ok(Self {
            key,
            kind,
            name,
            location,
            country: None,
            population: None,
        })
    }
}
