//! What OSM tags mean for senda: one place, shared by the PBF and XML readers (and, for the
//! speed and access tags, by the GeoJSON reader).

use senda_core::{
    Access, InvalidValue, LonLat, Oneway, Population, RoadClass, RoadSegment, Service, Shelter,
    ShelterKind, SourceKey, TransitKind,
};
use std::collections::BTreeMap;

/// Read access to the tags of one element. Empty values count as absent; values are trimmed.
pub(crate) trait Tags {
    fn tag(&self, key: &str) -> Option<&str>;
}

impl<K: AsRef<str>, V: AsRef<str>> Tags for [(K, V)] {
    fn tag(&self, key: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.as_ref() == key)
            .map(|(_, v)| v.as_ref().trim())
            .filter(|v| !v.is_empty())
    }
}

/// What a way is, as far as the road network goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RoadRole {
    /// A routable highway or a railway line.
    Road(RoadClass),
    /// A `highway=*` way senda does not route on (listed as skipped, with this reason).
    NotRoutable(String),
    /// Anything else (buildings, land use, rivers ...): not a road at all.
    Other,
}

/// Railway values loaded as [`RoadClass::Rail`].
const RAIL_VALUES: [&str; 3] = ["rail", "light_rail", "narrow_gauge"];

/// Decides whether a way is a road: a routable `highway=*` (per [`RoadClass::from_osm_highway`])
/// or `railway=rail|light_rail|narrow_gauge`. Highway areas (`area=yes`, e.g. pedestrian
/// squares) are not lines and are skipped.
pub(crate) fn road_role<T: Tags + ?Sized>(tags: &T) -> RoadRole {
    let highway = tags.tag("highway");
    let class = highway.and_then(RoadClass::from_osm_highway);
    let rail = tags
        .tag("railway")
        .is_some_and(|r| RAIL_VALUES.contains(&r));
    match (highway, class) {
        (Some(hw), Some(_)) if tags.tag("area") == Some("yes") => RoadRole::NotRoutable(format!(
            "highway={hw} with area=yes is an area (e.g. a pedestrian square), not a line"
        )),
        (Some(_), Some(class)) => RoadRole::Road(class),
        _ if rail => RoadRole::Road(RoadClass::Rail),
        (Some(hw), None) => RoadRole::NotRoutable(format!("highway={hw} is not a routable way")),
        (None, _) => RoadRole::Other,
    }
}

/// Tag values that could not be used, counted for the report's notes.
#[derive(Debug, Default)]
pub(crate) struct TagStats {
    /// `maxspeed` values that are not a number with a known unit (`none`, `signals`, `MX:urban`).
    pub maxspeed_symbolic: BTreeMap<String, u64>,
    /// Numeric `maxspeed` values outside 1..=300 km/h.
    pub maxspeed_out_of_range: BTreeMap<String, u64>,
    /// `oneway` values that are not yes/no/-1.
    pub oneway_unknown: BTreeMap<String, u64>,
}

impl TagStats {
    /// Notes for the report, one per kind of unusable value.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if !self.maxspeed_symbolic.is_empty() {
            notes.push(format!(
                "maxspeed without a numeric value on {} way(s), left unset: {}",
                total(&self.maxspeed_symbolic),
                top_values(&self.maxspeed_symbolic)
            ));
        }
        if !self.maxspeed_out_of_range.is_empty() {
            notes.push(format!(
                "maxspeed outside 1..300 km/h on {} way(s), left unset: {}",
                total(&self.maxspeed_out_of_range),
                top_values(&self.maxspeed_out_of_range)
            ));
        }
        if !self.oneway_unknown.is_empty() {
            notes.push(format!(
                "oneway value not understood on {} way(s), treated as two-way (or as the class implies): {}",
                total(&self.oneway_unknown),
                top_values(&self.oneway_unknown)
            ));
        }
        notes
    }
}

fn total(counts: &BTreeMap<String, u64>) -> u64 {
    counts.values().sum()
}

/// `"none" ×3, "signals" ×1` — the ten most frequent values.
pub(crate) fn top_values(counts: &BTreeMap<String, u64>) -> String {
    let mut v: Vec<_> = counts.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let mut out: Vec<String> = v
        .iter()
        .take(10)
        .map(|(k, n)| format!("{k:?} ×{n}"))
        .collect();
    if v.len() > 10 {
        out.push(format!("and {} other value(s)", v.len() - 10));
    }
    out.join(", ")
}

/// A speed in km/h from an OSM-style `maxspeed` value: `50`, `50 km/h`, `50kmh`, `30 mph`,
/// `10 knots`. `None` for symbolic values (`none`, `signals`, `walk`, `MX:urban`) and lists
/// (`50;30`). The range is not checked here.
pub(crate) fn parse_speed_kmh(value: &str) -> Option<f32> {
    let v = value.trim();
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    let (number, unit) = v.split_at(split);
    let number: f32 = number.parse().ok()?;
    let factor = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "km/h" | "kmh" | "kph" | "km/hr" | "kmph" => 1.0,
        "mph" => 1.609_344,
        "knots" | "kn" => 1.852,
        _ => return None,
    };
    Some(number * factor)
}

/// Whether a speed passes [`RoadSegment::with_maxspeed`]'s check.
pub(crate) fn speed_in_range(kmh: f32) -> bool {
    kmh.is_finite() && (1.0..=300.0).contains(&kmh)
}

/// The routing tags of one road, ready to be stamped onto each piece of its geometry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RoadAttrs {
    pub class: RoadClass,
    pub oneway: Oneway,
    pub access: Access,
    pub foot: Access,
    pub motor_vehicle: Access,
    pub maxspeed_kmh: Option<f32>,
    pub surface: Option<String>,
    pub bridge: bool,
    pub ford: bool,
    pub name: Option<String>,
    pub route_ref: Option<String>,
}

impl RoadAttrs {
    /// Default tags for a class (two-way, access unspecified, nothing else known).
    pub fn new(class: RoadClass) -> Self {
        Self {
            class,
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
        }
    }

    /// Reads the routing tags of an OSM way of `class`:
    /// - `oneway` (`yes|true|1`, `-1|reverse`, `no`); without the tag, `highway=motorway` and
    ///   `junction=roundabout|circular` imply `Forward`; a value not understood is counted in
    ///   `stats` and the implied value (usually two-way) is used;
    /// - `access`; `foot`; `motor_vehicle`, falling back to `motorcar`, then `vehicle`;
    /// - `maxspeed` in km/h (`mph` and `knots` converted); symbolic values are counted;
    /// - `surface`, `bridge` (any value but `no`), `ford` (any value but `no`), `name`, `ref`.
    pub fn from_osm<T: Tags + ?Sized>(class: RoadClass, tags: &T, stats: &mut TagStats) -> Self {
        let implied = if tags.tag("highway") == Some("motorway")
            || matches!(tags.tag("junction"), Some("roundabout" | "circular"))
        {
            Oneway::Forward
        } else {
            Oneway::No
        };
        let oneway = match tags.tag("oneway") {
            None => implied,
            Some(v) => Oneway::parse(v).unwrap_or_else(|_| {
                *stats.oneway_unknown.entry(v.to_owned()).or_default() += 1;
                implied
            }),
        };
        let access_of = |key: &str| tags.tag(key).map_or(Access::Unspecified, Access::from_osm);
        let mut attrs = Self::new(class);
        attrs.oneway = oneway;
        attrs.access = access_of("access");
        attrs.foot = access_of("foot");
        attrs.motor_vehicle = access_of("motor_vehicle")
            .or(access_of("motorcar"))
            .or(access_of("vehicle"));
        attrs.maxspeed_kmh = tags.tag("maxspeed").and_then(|v| checked_speed(v, stats));
        attrs.surface = tags.tag("surface").map(str::to_owned);
        attrs.bridge = tags.tag("bridge").is_some_and(|v| v != "no");
        attrs.ford = tags.tag("ford").is_some_and(|v| v != "no");
        attrs.name = tags.tag("name").map(str::to_owned);
        attrs.route_ref = tags.tag("ref").map(str::to_owned);
        attrs
    }

    /// One segment with these tags over `geometry` (validated by [`RoadSegment::new`]).
    pub fn segment(
        &self,
        key: SourceKey,
        geometry: Vec<LonLat>,
    ) -> Result<RoadSegment, InvalidValue> {
        let mut seg = RoadSegment::new(key, self.class, geometry)?;
        if let Some(kmh) = self.maxspeed_kmh {
            seg = seg.with_maxspeed(kmh)?;
        }
        seg.oneway = self.oneway;
        seg.access = self.access;
        seg.foot = self.foot;
        seg.motor_vehicle = self.motor_vehicle;
        seg.surface.clone_from(&self.surface);
        seg.bridge = self.bridge;
        seg.ford = self.ford;
        seg.name.clone_from(&self.name);
        seg.route_ref.clone_from(&self.route_ref);
        Ok(seg)
    }
}

/// A `maxspeed` value in km/h, or `None` (counted in `stats`) when it is symbolic or out of range.
pub(crate) fn checked_speed(value: &str, stats: &mut TagStats) -> Option<f32> {
    match parse_speed_kmh(value) {
        Some(kmh) if speed_in_range(kmh) => Some(kmh),
        Some(_) => {
            *stats
                .maxspeed_out_of_range
                .entry(value.to_owned())
                .or_default() += 1;
            None
        }
        None => {
            *stats.maxspeed_symbolic.entry(value.to_owned()).or_default() += 1;
            None
        }
    }
}

/// The transit kind of a node or way, if it is one:
/// - `barrier=border_control` or any `border_control=*` (but `no`) → border crossing;
/// - `amenity=bus_station`, or `public_transport=station` with `bus=yes` → bus station;
/// - `railway=station|halt` → rail station;
/// - `railway=yard` → rail yard.
pub(crate) fn transit_kind<T: Tags + ?Sized>(tags: &T) -> Option<TransitKind> {
    if tags.tag("barrier") == Some("border_control")
        || tags.tag("border_control").is_some_and(|v| v != "no")
    {
        return Some(TransitKind::BorderCrossing);
    }
    if tags.tag("amenity") == Some("bus_station")
        || (tags.tag("public_transport") == Some("station") && tags.tag("bus") == Some("yes"))
    {
        return Some(TransitKind::BusStation);
    }
    match tags.tag("railway") {
        Some("station" | "halt") => Some(TransitKind::RailStation),
        Some("yard") => Some(TransitKind::RailYard),
        _ => None,
    }
}

/// Whether any tag could make an element a transit point or a shelter (a cheap pre-filter for
/// the millions of tagged nodes that are neither).
pub(crate) fn may_be_point(key: &str) -> bool {
    matches!(
        key,
        "amenity" | "railway" | "barrier" | "border_control" | "public_transport"
    )
}

/// The name of a point: `name`, else `name:es`, else `ref`.
pub(crate) fn point_name<T: Tags + ?Sized>(tags: &T) -> Option<String> {
    tags.tag("name")
        .or_else(|| tags.tag("name:es"))
        .or_else(|| tags.tag("ref"))
        .map(str::to_owned)
}

/// The name given to a transit point or shelter that has none: its kind, in words
/// (`bus station`, `border crossing`, `shelter`). Such records are flagged.
pub(crate) fn fallback_name(kind: &str) -> String {
    kind.replace('_', " ")
}

/// Whether an element is a shelter for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShelterRole {
    /// `amenity=social_facility` + `social_facility=shelter`, or an `amenity=shelter` that says
    /// it is for people (see [`shelter_role`]).
    ForPeople,
    /// An `amenity=shelter` that is not (bus stop roofs, picnic and weather shelters): counted.
    NotForPeople,
    None,
}

/// Groups of people whose `social_facility:for` (or `shelter_type`) makes an `amenity=shelter`
/// a place for people to stay.
const PEOPLE: [&str; 8] = [
    "migrant",
    "refugee",
    "displaced",
    "homeless",
    "asylum",
    "victim",
    "women",
    "families",
];

pub(crate) fn shelter_role<T: Tags + ?Sized>(tags: &T) -> ShelterRole {
    match tags.tag("amenity") {
        Some("social_facility") if tags.tag("social_facility") == Some("shelter") => {
            ShelterRole::ForPeople
        }
        Some("shelter") => {
            let for_people = |key: &str| {
                tags.tag(key).is_some_and(|v| {
                    let v = v.to_ascii_lowercase();
                    PEOPLE.iter().any(|p| v.contains(p))
                })
            };
            if for_people("social_facility:for") || for_people("shelter_type") {
                ShelterRole::ForPeople
            } else {
                ShelterRole::NotForPeople
            }
        }
        _ => ShelterRole::None,
    }
}

/// A flag to raise on a record: the field and why.
pub(crate) type Flag = (&'static str, String);

/// The shelter tags of an element, ready to be given a location.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ShelterDraft {
    pub name: Option<String>,
    pub description: Option<String>,
    pub address: Option<String>,
    pub state: Option<String>,
    pub country: Option<String>,
    pub serves: Vec<Population>,
    /// The `capacity` tag, and its value when it is a whole number.
    pub capacity: Option<(String, Option<u32>)>,
    pub phone: Option<String>,
    pub whatsapp: Option<String>,
    pub hours: Option<String>,
}

impl ShelterDraft {
    /// Reads `name` (`name:es`), `description`, `addr:*`, `social_facility:for` (→ `serves`:
    /// women, men, families, minors, LGBTQ+; groups such as `migrant` or `homeless` restrict
    /// nothing and are not listed), `capacity`, `phone` (`contact:phone`), `contact:whatsapp`,
    /// `opening_hours`.
    pub fn from_osm<T: Tags + ?Sized>(tags: &T) -> Self {
        let own = |key: &str| tags.tag(key).map(str::to_owned);
        let street = match (tags.tag("addr:street"), tags.tag("addr:housenumber")) {
            (Some(s), Some(n)) => Some(format!("{s} {n}")),
            (Some(s), None) => Some(s.to_owned()),
            _ => None,
        };
        let address = match (street, tags.tag("addr:city")) {
            (Some(s), Some(c)) => Some(format!("{s}, {c}")),
            (s, c) => s.or_else(|| c.map(str::to_owned)),
        };
        let mut serves: Vec<Population> = tags
            .tag("social_facility:for")
            .into_iter()
            .flat_map(|v| v.split(';'))
            .filter_map(population)
            .collect();
        serves.sort();
        serves.dedup();
        Self {
            name: tags
                .tag("name")
                .or_else(|| tags.tag("name:es"))
                .map(str::to_owned),
            description: own("description"),
            address,
            state: own("addr:state"),
            country: own("addr:country"),
            serves,
            capacity: tags.tag("capacity").map(|v| (v.to_owned(), v.parse().ok())),
            phone: own("phone").or_else(|| own("contact:phone")),
            whatsapp: own("contact:whatsapp"),
            hours: own("opening_hours"),
        }
    }

    /// The shelter at `location`, and the flags to raise on it (field, reason): no name, a
    /// capacity that is not a whole number.
    pub fn build(
        &self,
        key: SourceKey,
        location: LonLat,
    ) -> Result<(Shelter, Vec<Flag>), InvalidValue> {
        let mut flags = Vec::new();
        let name = match &self.name {
            Some(n) => n.clone(),
            None => {
                flags.push(("name", "no name tag: named after its kind".to_owned()));
                fallback_name(ShelterKind::Shelter.as_str())
            }
        };
        let mut s = Shelter::new(key, ShelterKind::Shelter, name, location)?;
        s.description.clone_from(&self.description);
        s.address.clone_from(&self.address);
        s.state.clone_from(&self.state);
        s.country.clone_from(&self.country);
        // A shelter (albergue) is a place to sleep.
        s.services = vec![Service::Bed];
        s.serves.clone_from(&self.serves);
        if let Some((raw, value)) = &self.capacity {
            match value {
                Some(n) => s.capacity = Some(*n),
                None => flags.push((
                    "capacity",
                    format!("capacity = {raw:?} is not a whole number; left unset"),
                )),
            }
        }
        s.phone.clone_from(&self.phone);
        s.whatsapp.clone_from(&self.whatsapp);
        s.hours.clone_from(&self.hours);
        Ok((s, flags))
    }
}

/// A population from one `social_facility:for` value, when it names one.
fn population(value: &str) -> Option<Population> {
    let v = value.trim().to_ascii_lowercase();
    match v.as_str() {
        "woman" | "women" | "girls" => Some(Population::Women),
        "man" | "men" => Some(Population::Men),
        "family" | "families" => Some(Population::Families),
        "child" | "children" | "juvenile" | "youth" | "orphan" | "minors" => {
            Some(Population::Minors)
        }
        other => Population::parse(other).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        pairs.to_vec()
    }

    #[test]
    fn speeds_parse_with_units() {
        assert_eq!(parse_speed_kmh("50"), Some(50.0));
        assert_eq!(parse_speed_kmh(" 50 km/h"), Some(50.0));
        assert_eq!(parse_speed_kmh("50kmh"), Some(50.0));
        assert!((parse_speed_kmh("30 mph").unwrap() - 48.28).abs() < 0.01);
        assert_eq!(parse_speed_kmh("7.5"), Some(7.5));
        for symbolic in [
            "none", "signals", "walk", "MX:urban", "50;30", "", "mph", "fast",
        ] {
            assert_eq!(parse_speed_kmh(symbolic), None, "{symbolic}");
        }
    }

    #[test]
    fn maxspeed_counts_symbolic_and_out_of_range() {
        let mut stats = TagStats::default();
        assert_eq!(checked_speed("80", &mut stats), Some(80.0));
        assert_eq!(checked_speed("none", &mut stats), None);
        assert_eq!(checked_speed("MX:urban", &mut stats), None);
        assert_eq!(checked_speed("0", &mut stats), None);
        assert_eq!(checked_speed("900", &mut stats), None);
        assert_eq!(stats.maxspeed_symbolic.len(), 2);
        assert_eq!(stats.maxspeed_out_of_range.len(), 2);
        let notes = stats.notes();
        assert_eq!(notes.len(), 2);
        assert!(notes[0].contains("\"none\" ×1"), "{notes:?}");
    }

    #[test]
    fn road_roles() {
        assert_eq!(
            road_role(&tags(&[("highway", "primary")])[..]),
            RoadRole::Road(RoadClass::Primary)
        );
        assert_eq!(
            road_role(&tags(&[("highway", "motorway_link")])[..]),
            RoadRole::Road(RoadClass::Motorway)
        );
        assert_eq!(
            road_role(&tags(&[("railway", "narrow_gauge")])[..]),
            RoadRole::Road(RoadClass::Rail)
        );
        assert_eq!(
            road_role(&tags(&[("railway", "abandoned")])[..]),
            RoadRole::Other
        );
        assert_eq!(
            road_role(&tags(&[("building", "yes")])[..]),
            RoadRole::Other
        );
        assert!(
            matches!(road_role(&tags(&[("highway", "construction")])[..]), RoadRole::NotRoutable(r) if r.contains("construction"))
        );
        assert!(
            matches!(road_role(&tags(&[("highway", "pedestrian"), ("area", "yes")])[..]), RoadRole::NotRoutable(r) if r.contains("area=yes"))
        );
        // A railway under a non-routable highway tag is still a railway.
        assert_eq!(
            road_role(&tags(&[("highway", "platform"), ("railway", "rail")])[..]),
            RoadRole::Road(RoadClass::Rail)
        );
        // Empty values count as absent.
        assert_eq!(road_role(&tags(&[("highway", " ")])[..]), RoadRole::Other);
    }

    #[test]
    fn oneway_is_implied_and_overridable() {
        let mut st = TagStats::default();
        let a = |t: &[(&'static str, &'static str)], st: &mut TagStats| {
            let t = tags(t);
            let class = match road_role(&t[..]) {
                RoadRole::Road(c) => c,
                other => panic!("{other:?}"),
            };
            RoadAttrs::from_osm(class, &t[..], st).oneway
        };
        assert_eq!(a(&[("highway", "motorway")], &mut st), Oneway::Forward);
        assert_eq!(a(&[("highway", "motorway_link")], &mut st), Oneway::No);
        assert_eq!(
            a(&[("highway", "motorway"), ("oneway", "no")], &mut st),
            Oneway::No
        );
        assert_eq!(
            a(
                &[("highway", "primary"), ("junction", "roundabout")],
                &mut st
            ),
            Oneway::Forward
        );
        assert_eq!(
            a(&[("highway", "residential"), ("oneway", "-1")], &mut st),
            Oneway::Backward
        );
        assert_eq!(
            a(
                &[("highway", "residential"), ("oneway", "yes; no")],
                &mut st
            ),
            Oneway::No
        );
        assert_eq!(
            a(
                &[("highway", "motorway"), ("oneway", "reversible")],
                &mut st
            ),
            Oneway::Forward
        );
        assert_eq!(st.oneway_unknown.len(), 2);
    }

    #[test]
    fn access_falls_back_from_motor_vehicle_to_motorcar_to_vehicle() {
        let mut st = TagStats::default();
        let t = tags(&[
            ("highway", "track"),
            ("vehicle", "no"),
            ("access", "private"),
            ("foot", "yes"),
        ]);
        let a = RoadAttrs::from_osm(RoadClass::Track, &t[..], &mut st);
        assert_eq!(
            (a.access, a.foot, a.motor_vehicle),
            (Access::Forbidden, Access::Allowed, Access::Forbidden)
        );
        let t = tags(&[("highway", "track"), ("vehicle", "no"), ("motorcar", "yes")]);
        assert_eq!(
            RoadAttrs::from_osm(RoadClass::Track, &t[..], &mut st).motor_vehicle,
            Access::Allowed
        );
        let t = tags(&[
            ("highway", "track"),
            ("motor_vehicle", "destination"),
            ("motorcar", "no"),
        ]);
        assert_eq!(
            RoadAttrs::from_osm(RoadClass::Track, &t[..], &mut st).motor_vehicle,
            Access::Allowed
        );
    }

    #[test]
    fn bridge_ford_and_names() {
        let mut st = TagStats::default();
        let t = tags(&[
            ("highway", "primary"),
            ("bridge", "viaduct"),
            ("ford", "no"),
            ("name", "Av. Central"),
            ("ref", "CA-2"),
            ("surface", "asphalt"),
            ("maxspeed", "30 mph"),
        ]);
        let a = RoadAttrs::from_osm(RoadClass::Primary, &t[..], &mut st);
        assert!(a.bridge && !a.ford);
        assert_eq!(a.name.as_deref(), Some("Av. Central"));
        assert_eq!(a.route_ref.as_deref(), Some("CA-2"));
        assert_eq!(a.surface.as_deref(), Some("asphalt"));
        assert!((a.maxspeed_kmh.unwrap() - 48.28).abs() < 0.01);
        let t = tags(&[("highway", "primary"), ("bridge", "no"), ("ford", "yes")]);
        let a = RoadAttrs::from_osm(RoadClass::Primary, &t[..], &mut st);
        assert!(!a.bridge && a.ford);
    }

    #[test]
    fn transit_kinds() {
        assert_eq!(
            transit_kind(&tags(&[("amenity", "bus_station")])[..]),
            Some(TransitKind::BusStation)
        );
        assert_eq!(
            transit_kind(&tags(&[("public_transport", "station"), ("bus", "yes")])[..]),
            Some(TransitKind::BusStation)
        );
        assert_eq!(
            transit_kind(&tags(&[("public_transport", "station"), ("train", "yes")])[..]),
            None
        );
        assert_eq!(
            transit_kind(&tags(&[("railway", "halt")])[..]),
            Some(TransitKind::RailStation)
        );
        assert_eq!(
            transit_kind(&tags(&[("railway", "yard")])[..]),
            Some(TransitKind::RailYard)
        );
        assert_eq!(
            transit_kind(&tags(&[("barrier", "border_control")])[..]),
            Some(TransitKind::BorderCrossing)
        );
        assert_eq!(
            transit_kind(&tags(&[("border_control", "customs")])[..]),
            Some(TransitKind::BorderCrossing)
        );
        assert_eq!(transit_kind(&tags(&[("railway", "rail")])[..]), None);
        assert_eq!(
            point_name(&tags(&[("ref", "T1"), ("name:es", "Terminal")])[..]).as_deref(),
            Some("Terminal")
        );
    }

    #[test]
    fn only_shelters_for_people_are_shelters() {
        assert_eq!(
            shelter_role(
                &tags(&[
                    ("amenity", "social_facility"),
                    ("social_facility", "shelter")
                ])[..]
            ),
            ShelterRole::ForPeople
        );
        assert_eq!(
            shelter_role(
                &tags(&[
                    ("amenity", "social_facility"),
                    ("social_facility", "food_bank")
                ])[..]
            ),
            ShelterRole::None
        );
        assert_eq!(
            shelter_role(
                &tags(&[("amenity", "shelter"), ("shelter_type", "public_transport")])[..]
            ),
            ShelterRole::NotForPeople
        );
        assert_eq!(
            shelter_role(&tags(&[("amenity", "shelter"), ("shelter_type", "picnic_shelter")])[..]),
            ShelterRole::NotForPeople
        );
        assert_eq!(
            shelter_role(&tags(&[("amenity", "shelter")])[..]),
            ShelterRole::NotForPeople
        );
        assert_eq!(
            shelter_role(&tags(&[("amenity", "shelter"), ("social_facility:for", "migrants")])[..]),
            ShelterRole::ForPeople
        );
        assert_eq!(
            shelter_role(
                &tags(&[
                    ("amenity", "shelter"),
                    ("social_facility:for", "homeless;refugee")
                ])[..]
            ),
            ShelterRole::ForPeople
        );
    }

    #[test]
    fn shelter_draft_maps_contact_and_serves() {
        let t = tags(&[
            ("amenity", "social_facility"),
            ("social_facility", "shelter"),
            ("social_facility:for", "migrant;women;child"),
            ("capacity", "120"),
            ("contact:phone", "+52 962 000 0000"),
            ("contact:whatsapp", "+52 962 111 1111"),
            ("opening_hours", "24/7"),
            ("addr:street", "Calle 5"),
            ("addr:city", "Tapachula"),
        ]);
        let d = ShelterDraft::from_osm(&t[..]);
        let key = SourceKey::new("osm", "node/1").unwrap();
        let (s, flags) = d.build(key, LonLat::new(-92.26, 14.9).unwrap()).unwrap();
        assert_eq!(s.name, "shelter");
        assert_eq!(flags.len(), 1);
        assert_eq!(s.serves, vec![Population::Women, Population::Minors]);
        assert_eq!(s.capacity, Some(120));
        assert_eq!(s.phone.as_deref(), Some("+52 962 000 0000"));
        assert_eq!(s.whatsapp.as_deref(), Some("+52 962 111 1111"));
        assert_eq!(s.hours.as_deref(), Some("24/7"));
        assert_eq!(s.address.as_deref(), Some("Calle 5, Tapachula"));
        assert_eq!(s.services, vec![Service::Bed]);
        let t = tags(&[
            ("amenity", "social_facility"),
            ("social_facility", "shelter"),
            ("name", "Casa"),
            ("capacity", "about 50"),
        ]);
        let (s, flags) = ShelterDraft::from_osm(&t[..])
            .build(
                SourceKey::new("osm", "node/2").unwrap(),
                LonLat::new(0.0, 0.0).unwrap(),
            )
            .unwrap();
        assert_eq!((s.name.as_str(), s.capacity), ("Casa", None));
        assert_eq!(flags[0].0, "capacity");
    }
}
