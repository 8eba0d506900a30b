//! Road and rail segments as loaded from OSM or GeoJSON, with the tags routing needs.

use crate::{InvalidValue, LonLat, SourceKey};
use serde::{Deserialize, Serialize};

/// The class of a way, following OSM `highway=*` (and `railway=*` for rail).
///
/// Sources without OSM tags map onto these (Travel Mapping tiers, Natural Earth railroads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RoadClass {
    Motorway,
    Trunk,
    Primary,
    Secondary,
    Tertiary,
    Unclassified,
    Residential,
    LivingStreet,
    Service,
    Track,
    Path,
    Footway,
    Pedestrian,
    Cycleway,
    Steps,
    Bridleway,
    /// A railway line (`railway=rail|light_rail|narrow_gauge`, Natural Earth railroads).
    Rail,
}

impl RoadClass {
    /// Maps an OSM `highway=*` value (link roads fold into their parent class).
    /// `None` for values that are not routable ways (e.g. `proposed`, `construction`, `platform`).
    pub fn from_osm_highway(value: &str) -> Option<Self> {
        Some(match value {
            "motorway" | "motorway_link" => Self::Motorway,
            "trunk" | "trunk_link" => Self::Trunk,
            "primary" | "primary_link" => Self::Primary,
            "secondary" | "secondary_link" => Self::Secondary,
            "tertiary" | "tertiary_link" => Self::Tertiary,
            "unclassified" | "road" => Self::Unclassified,
            "residential" => Self::Residential,
            "living_street" => Self::LivingStreet,
            "service" => Self::Service,
            "track" => Self::Track,
            "path" => Self::Path,
            "footway" | "corridor" => Self::Footway,
            "pedestrian" => Self::Pedestrian,
            "cycleway" => Self::Cycleway,
            "steps" => Self::Steps,
            "bridleway" => Self::Bridleway,
            _ => return None,
        })
    }

    /// The snake_case name used in files and the API (`motorway`, `rail`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Motorway => "motorway",
            Self::Trunk => "trunk",
            Self::Primary => "primary",
            Self::Secondary => "secondary",
            Self::Tertiary => "tertiary",
            Self::Unclassified => "unclassified",
            Self::Residential => "residential",
            Self::LivingStreet => "living_street",
            Self::Service => "service",
            Self::Track => "track",
            Self::Path => "path",
            Self::Footway => "footway",
            Self::Pedestrian => "pedestrian",
            Self::Cycleway => "cycleway",
            Self::Steps => "steps",
            Self::Bridleway => "bridleway",
            Self::Rail => "rail",
        }
    }

    /// Parses a class name as written by [`RoadClass::as_str`], or an OSM highway value.
    pub fn parse(value: &str) -> Option<Self> {
        let v = value.trim().to_ascii_lowercase();
        match v.as_str() {
            "rail" | "railway" | "railroad" | "light_rail" | "narrow_gauge" => Some(Self::Rail),
            other => Self::from_osm_highway(other),
        }
    }

    /// Whether motor vehicles may use this class unless tags say otherwise.
    pub fn motor_by_default(self) -> bool {
        matches!(
            self,
            Self::Motorway
                | Self::Trunk
                | Self::Primary
                | Self::Secondary
                | Self::Tertiary
                | Self::Unclassified
                | Self::Residential
                | Self::LivingStreet
                | Self::Service
                | Self::Track
        )
    }

    /// Whether people on foot may use this class unless tags say otherwise.
    /// Motorways are forbidden on foot; rail needs an explicit opt-in at query time.
    pub fn foot_by_default(self) -> bool {
        !matches!(self, Self::Motorway | Self::Rail)
    }
}

/// Direction restriction of a way relative to its geometry order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Oneway {
    /// Both directions.
    #[default]
    No,
    /// Only in the direction of the geometry (`oneway=yes|true|1`).
    Forward,
    /// Only against the direction of the geometry (`oneway=-1|reverse`).
    Backward,
}

impl Oneway {
    /// Parses OSM-style values (`yes`, `true`, `1`, `-1`, `reverse`, `no`, `false`, `0`).
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        match value.trim().to_ascii_lowercase().as_str() {
            "yes" | "true" | "1" | "forward" => Ok(Self::Forward),
            "-1" | "reverse" | "backward" => Ok(Self::Backward),
            "no" | "false" | "0" | "" => Ok(Self::No),
            _ => Err(InvalidValue::new("oneway", value, "expected yes, no or -1")),
        }
    }
}

/// An access rule for one mode of travel, from OSM `access`/`foot`/`motor_vehicle` tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// No tag: the class default applies.
    #[default]
    Unspecified,
    /// `yes`, `designated`, `permissive`, `destination`, ...
    Allowed,
    /// `no`, `private`, `use_sidepath`, ...
    Forbidden,
}

impl Access {
    /// Parses an OSM access value. Unknown values are treated as unspecified.
    pub fn from_osm(value: &str) -> Self {
        match value.trim() {
            "yes" | "designated" | "permissive" | "destination" | "customers" | "delivery"
            | "official" | "permit" => Self::Allowed,
            "no" | "private" | "use_sidepath" | "discouraged" | "military" => Self::Forbidden,
            _ => Self::Unspecified,
        }
    }

    /// Resolves this rule over a more general one (e.g. `foot` over `access`).
    pub fn or(self, general: Access) -> Access {
        match self {
            Access::Unspecified => general,
            specific => specific,
        }
    }
}

/// A road or rail way: one polyline with the tags routing needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoadSegment {
    pub key: SourceKey,
    pub class: RoadClass,
    /// At least two positions, lon/lat.
    pub geometry: Vec<LonLat>,
    pub oneway: Oneway,
    /// General access (`access=*`).
    pub access: Access,
    /// `foot=*`, falling back to `access` then the class default.
    pub foot: Access,
    /// `motor_vehicle=*` (or `motorcar`), falling back to `access` then the class default.
    pub motor_vehicle: Access,
    /// Posted speed limit, km/h.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maxspeed_kmh: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surface: Option<String>,
    pub bridge: bool,
    pub ford: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Route number (`ref=*`, Travel Mapping route such as `MEX200`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_ref: Option<String>,
}

impl RoadSegment {
    /// A segment with default tags; validates the geometry (at least two positions, not all
    /// the same point).
    pub fn new(
        key: SourceKey,
        class: RoadClass,
        geometry: Vec<LonLat>,
    ) -> Result<Self, InvalidValue> {
        if geometry.len() < 2 {
            return Err(InvalidValue::new(
                "geometry",
                format!("{} position(s)", geometry.len()),
                "a line needs at least two positions",
            ));
        }
        if geometry.iter().all(|p| *p == geometry[0]) {
            return Err(InvalidValue::new(
                "geometry",
                "",
                "all positions are the same point",
            ));
        }
        Ok(Self {
            key,
            class,
            geometry,
            oneway: Oneway::No,
            access: Access::Unspecified,
            foot: Access::Unspecified,
            motor_vehicle: Access::Unspecified,
            maxspeed_kmh: None,
            surface: None,
            bridge: false,
            ford: false,
            name: None,
            route_ref: None,
        })
    }

    /// Sets the speed limit, validating it (finite, 1..=300 km/h).
    pub fn with_maxspeed(mut self, kmh: f32) -> Result<Self, InvalidValue> {
        if !kmh.is_finite() || !(1.0..=300.0).contains(&kmh) {
            return Err(InvalidValue::new(
                "maxspeed",
                kmh,
                "must be between 1 and 300 km/h",
            ));
        }
        self.maxspeed_kmh = Some(kmh);
        Ok(self)
    }

    /// Whether someone on foot may use this segment (rail is decided at query time).
    pub fn foot_allowed(&self) -> bool {
        match self.foot.or(self.access) {
            Access::Allowed => self.class != RoadClass::Motorway || self.foot == Access::Allowed,
            Access::Forbidden => false,
            Access::Unspecified => self.class.foot_by_default() || self.class == RoadClass::Rail,
        }
    }

    /// Whether a motor vehicle may use this segment.
    pub fn motor_allowed(&self) -> bool {
        match self.motor_vehicle.or(self.access) {
            Access::Allowed => self.class != RoadClass::Rail,
            Access::Forbidden => false,
            Access::Unspecified => self.class.motor_by_default(),
        }
    }

    /// Bounding box `[min_lon, min_lat, max_lon, max_lat]`.
    pub fn bbox(&self) -> [f64; 4] {
        bbox_of(&self.geometry)
    }
}

/// Bounding box `[min_lon, min_lat, max_lon, max_lat]` of a non-empty list of positions.
pub fn bbox_of(points: &[LonLat]) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for p in points {
        b[0] = b[0].min(p.lon());
        b[1] = b[1].min(p.lat());
        b[2] = b[2].max(p.lon());
        b[3] = b[3].max(p.lat());
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(class: RoadClass) -> RoadSegment {
        let g = vec![
            LonLat::new(0.0, 0.0).unwrap(),
            LonLat::new(0.001, 0.0).unwrap(),
        ];
        RoadSegment::new(SourceKey::new("t", "1").unwrap(), class, g).unwrap()
    }

    #[test]
    fn geometry_is_validated() {
        let key = SourceKey::new("t", "1").unwrap();
        let p = LonLat::new(0.0, 0.0).unwrap();
        assert!(RoadSegment::new(key.clone(), RoadClass::Primary, vec![p]).is_err());
        assert!(RoadSegment::new(key, RoadClass::Primary, vec![p, p]).is_err());
    }

    #[test]
    fn access_defaults_by_class() {
        assert!(!seg(RoadClass::Motorway).foot_allowed());
        assert!(seg(RoadClass::Motorway).motor_allowed());
        assert!(!seg(RoadClass::Footway).motor_allowed());
        let mut s = seg(RoadClass::Residential);
        s.access = Access::Forbidden;
        s.foot = Access::Allowed;
        assert!(s.foot_allowed());
        assert!(!s.motor_allowed());
    }

    #[test]
    fn maxspeed_is_validated() {
        assert!(seg(RoadClass::Primary).with_maxspeed(f32::NAN).is_err());
        assert!(seg(RoadClass::Primary).with_maxspeed(0.0).is_err());
        assert_eq!(
            seg(RoadClass::Primary)
                .with_maxspeed(80.0)
                .unwrap()
                .maxspeed_kmh,
            Some(80.0)
        );
    }

    #[test]
    fn oneway_values() {
        assert_eq!(Oneway::parse("yes").unwrap(), Oneway::Forward);
        assert_eq!(Oneway::parse("-1").unwrap(), Oneway::Backward);
        assert!(Oneway::parse("maybe").is_err());
    }
}
