//! Transit points: bus and rail stations, public-transport stops, border crossings,
//! checkpoints, towns — and the public-transport lines ([`TransitRoute`]) that serve a stop.

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
    /// A public-transport stop served by buses (also trolleybuses, coaches, shared vans): one
    /// of thousands in a city, from a GTFS feed. See [`TransitKind::is_local_stop`].
    BusStop,
    /// A metro (subway, underground, monorail) station.
    MetroStation,
    /// A tram or light-rail stop.
    TramStop,
    /// A station of an aerial lift (cable car, gondola), funicular or cable tram.
    CableCarStation,
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
            Self::BusStop => "bus_stop",
            Self::MetroStation => "metro_station",
            Self::TramStop => "tram_stop",
            Self::CableCarStation => "cable_car_station",
        }
    }

    /// Whether this is a stop of urban public transport (bus stop, metro, tram or cable-car
    /// station): a city has hundreds or thousands of them, they are not landmarks, and a
    /// night there is no refuge. Stage plans do not end a day at one and place names are
    /// not looked up among them; nearest-stop queries are about them (and rail stations and
    /// ports that a feed lists).
    pub fn is_local_stop(self) -> bool {
        matches!(
            self,
            Self::BusStop | Self::MetroStation | Self::TramStop | Self::CableCarStation
        )
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
            "bus_stop" | "stop" | "platform" => Self::BusStop,
            "metro_station" | "subway_station" | "metro" | "subway" => Self::MetroStation,
            "tram_stop" | "tram" | "light_rail" => Self::TramStop,
            "cable_car_station" | "cable_car" | "aerial_lift" | "funicular" => {
                Self::CableCarStation
            }
            _ => {
                return Err(InvalidValue::new(
                    "kind",
                    value,
                    "unknown transit kind (bus_station, rail_station, rail_yard, border_crossing, checkpoint, place, port, airport, bus_stop, metro_station, tram_stop, cable_car_station)",
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
    /// The public-transport lines that stop here (from a GTFS feed), sorted by mode then
    /// name; empty for points that are not stops (and absent from stored records then, so
    /// records written before this field existed read back unchanged).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<TransitRoute>,
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
            routes: Vec::new(),
        })
    }

    /// The most frequent service at this stop: the smallest headway of its routes, minutes.
    pub fn best_headway_min(&self) -> Option<u32> {
        self.routes
            .iter()
            .filter_map(TransitRoute::headway_min)
            .min()
    }
}

/// How a public-transport line runs: the basic GTFS `route_type`s (0–7, 11, 12), into which
/// the GTFS reader folds the extended types (100–1700), and [`TransitMode::Other`] for the
/// services with no basic counterpart (air, taxis, self-drive hire, miscellaneous).
///
/// The order is by capacity (metro first, bus last), the order routes are listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TransitMode {
    /// Subway, metro, underground (GTFS 1).
    Metro,
    /// Suburban, regional and long-distance trains (GTFS 2).
    Rail,
    /// Monorail (GTFS 12).
    Monorail,
    /// Tram, streetcar, light rail (GTFS 0).
    Tram,
    /// Cable tram (GTFS 5).
    CableTram,
    /// Aerial lift: cable car, gondola, chair lift (GTFS 6).
    AerialLift,
    /// Funicular (GTFS 7).
    Funicular,
    /// Ferry and other water transport (GTFS 4).
    Ferry,
    /// Trolleybus (GTFS 11).
    Trolleybus,
    /// Bus, coach, bus rapid transit, shared van (GTFS 3).
    Bus,
    /// A service with no basic GTFS mode.
    Other,
}

impl TransitMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Metro => "metro",
            Self::Rail => "rail",
            Self::Monorail => "monorail",
            Self::Tram => "tram",
            Self::CableTram => "cable_tram",
            Self::AerialLift => "aerial_lift",
            Self::Funicular => "funicular",
            Self::Ferry => "ferry",
            Self::Trolleybus => "trolleybus",
            Self::Bus => "bus",
            Self::Other => "other",
        }
    }

    /// The kind of a stop this mode serves (a stop served by several modes takes the kind of
    /// the first in [`TransitMode`] order).
    ///
    /// ```
    /// use senda_core::{TransitKind, TransitMode};
    /// assert_eq!(TransitMode::Metro.stop_kind(), TransitKind::MetroStation);
    /// assert_eq!(TransitMode::Trolleybus.stop_kind(), TransitKind::BusStop);
    /// ```
    pub fn stop_kind(self) -> TransitKind {
        match self {
            Self::Metro | Self::Monorail => TransitKind::MetroStation,
            Self::Rail => TransitKind::RailStation,
            Self::Tram => TransitKind::TramStop,
            Self::CableTram | Self::AerialLift | Self::Funicular => TransitKind::CableCarStation,
            Self::Ferry => TransitKind::Port,
            Self::Trolleybus | Self::Bus | Self::Other => TransitKind::BusStop,
        }
    }
}

/// A public-transport line (a GTFS route) as it serves one stop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitRoute {
    /// The feed's `route_id`.
    pub id: String,
    /// The short name riders know (`"3"`, `"L1"`), when the feed gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    /// The long name (`"Tasqueña – Cuatro Caminos"`), when the feed gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long_name: Option<String>,
    pub mode: TransitMode,
    /// The operator's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    /// Typical seconds between departures of this line at this stop in one direction, on a
    /// weekday in the day time; `None` when the feed does not say (the GTFS reader's docs
    /// say how it is computed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headway_s: Option<u32>,
}

impl TransitRoute {
    /// The name to show: the short name, else the long name, else the id.
    pub fn name(&self) -> &str {
        self.short_name
            .as_deref()
            .or(self.long_name.as_deref())
            .unwrap_or(&self.id)
    }

    /// The headway in whole minutes (rounded, at least 1).
    ///
    /// ```
    /// let mut r = senda_core::TransitRoute {
    ///     id: "1".into(), short_name: None, long_name: None,
    ///     mode: senda_core::TransitMode::Bus, agency: None, headway_s: Some(150),
    /// };
    /// assert_eq!(r.headway_min(), Some(3));
    /// r.headway_s = Some(20);
    /// assert_eq!(r.headway_min(), Some(1));
    /// ```
    pub fn headway_min(&self) -> Option<u32> {
        self.headway_s.map(|s| ((s + 30) / 60).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_without_lines_keep_their_stored_form() {
        // A record as stored before transit points carried lines reads back unchanged, and a
        // point without lines writes no `routes` member (the same content hash as before).
        let stored = r#"{"key":{"source":"ne","source_id":"1"},"kind":"place","name":"Tapachula","location":[-92.27,14.9],"country":"MEX"}"#;
        let t: TransitPoint = serde_json::from_str(stored).unwrap();
        assert!(t.routes.is_empty());
        assert_eq!(serde_json::to_string(&t).unwrap(), stored);
        let mut stop = t.clone();
        stop.kind = TransitKind::MetroStation;
        stop.routes.push(TransitRoute {
            id: "L1".into(),
            short_name: Some("1".into()),
            long_name: None,
            mode: TransitMode::Metro,
            agency: None,
            headway_s: Some(240),
        });
        let json = serde_json::to_string(&stop).unwrap();
        assert!(
            json.contains(
                r#""routes":[{"id":"L1","short_name":"1","mode":"metro","headway_s":240}]"#
            ),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<TransitPoint>(&json).unwrap(), stop);
        assert_eq!(stop.best_headway_min(), Some(4));
        assert!(TransitKind::parse("metro_station").unwrap().is_local_stop());
        assert!(!TransitKind::RailStation.is_local_stop());
    }
}
