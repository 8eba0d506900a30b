//! The map layers, their zoom ranges, the role a request is made with, and the per-zoom
//! tables (H3 resolution by zoom, road classes by zoom).

use crate::TileError;
use h3o::Resolution;
use senda_core::RoadClass;

/// One map layer. Each is its own tile set (`/tiles/{layer}/{z}/{x}/{y}.mvt`) and its own MVT
/// layer name ([`Layer::as_str`]) inside a tile.
///
/// | layer | zooms | what |
/// |---|---|---|
/// | `risk` | 0–14 | H3 hexagons of the risk field, resolution by zoom ([`h3_resolution_for_zoom`]) |
/// | `roads` | 3–14 | road edges with their risk; minor classes appear deeper ([`road_class_min_zoom`]) |
/// | `shelters` | 3–14 | shelters and service points (restricted ones for analysts only) |
/// | `transit` | 5–14 | bus and rail stations, border crossings, towns; public-transport stops from 13 |
/// | `incidents` | 0–14 | H3 cells with report counts (public: only cells with ≥ k reports) |
/// | `alerts` | 0–14 | weather alert areas in force |
///
/// Clients over-zoom past 14 (extent 4096 at zoom 14 is about 0.6 m per unit at the equator).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    Risk,
    Roads,
    Shelters,
    Transit,
    Incidents,
    Alerts,
}

impl Layer {
    pub const ALL: [Layer; 6] = [
        Layer::Risk,
        Layer::Roads,
        Layer::Shelters,
        Layer::Transit,
        Layer::Incidents,
        Layer::Alerts,
    ];

    /// The layer's name in URLs, TileJSON and inside tiles.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Risk => "risk",
            Layer::Roads => "roads",
            Layer::Shelters => "shelters",
            Layer::Transit => "transit",
            Layer::Incidents => "incidents",
            Layer::Alerts => "alerts",
        }
    }

    /// ```
    /// use senda_tiles::Layer;
    /// assert_eq!(Layer::parse("roads").unwrap(), Layer::Roads);
    /// assert!(Layer::parse("raw_incidents").is_err());
    /// ```
    pub fn parse(value: &str) -> Result<Self, TileError> {
        let v = value.trim();
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == v)
            .ok_or_else(|| TileError::UnknownLayer {
                value: value.to_owned(),
            })
    }

    pub fn min_zoom(self) -> u8 {
        match self {
            Layer::Risk | Layer::Incidents | Layer::Alerts => 0,
            Layer::Roads | Layer::Shelters => 3,
            Layer::Transit => 5,
        }
    }

    pub fn max_zoom(self) -> u8 {
        14
    }

    /// Whether the layer has tiles at zoom `z`.
    pub fn has_zoom(self, z: u8) -> bool {
        (self.min_zoom()..=self.max_zoom()).contains(&z)
    }

    /// One sentence for TileJSON and the catalog.
    pub fn description(self) -> &'static str {
        match self {
            Layer::Risk => {
                "Risk field over H3 hexagons (incident risk plus weather hazard, per profile); \
                 coarser hexagons at low zoom hold the area-weighted mean of their children"
            }
            Layer::Roads => {
                "Road and rail edges with their mean risk density per profile; minor classes \
                 appear at deeper zooms"
            }
            Layer::Shelters => {
                "Shelters, soup kitchens, consulates and service points (unverified unless dated)"
            }
            Layer::Transit => {
                "Bus and rail stations, rail yards, border crossings, ports and towns; \
                 public-transport stops with their lines from zoom 13"
            }
            Layer::Incidents => {
                "Incident reports aggregated to H3 cells; public tiles show only cells with at \
                 least k reports, never a single report"
            }
            Layer::Alerts => "Weather alert areas (CAP) in force, circles drawn as polygons",
        }
    }

    /// The credit owed for the data in the layer (see `data/README.md`), as HTML.
    pub fn attribution(self) -> &'static str {
        match self {
            Layer::Risk => {
                "Risk: senda, from the IOM Missing Migrants Project (CC BY 4.0), the UCDP Georeferenced \
                 Event Dataset (Uppsala Conflict Data Program, CC BY 4.0) and CONAGUA-SMN"
            }
            Layer::Roads => "Roads: Travel Mapping (travelmapping.net); rail: Natural Earth",
            Layer::Shelters => {
                "Shelters: TheWetZone (FANMixco), migrant-aid-map (HakkinDavid); unverified"
            }
            Layer::Transit => {
                "Places: Natural Earth; stops: SEMOVI (CDMX), Panatrans contributors, \
                 © OpenStreetMap contributors"
            }
                        Layer::Incidents => {
                "Incidents: IOM Missing Migrants Project (CC BY 4.0); UCDP Georeferenced Event Dataset \
                 (Uppsala Conflict Data Program, CC BY 4.0)"
            }
            Layer::Alerts => "Weather alerts: CONAGUA-SMN",
        }
    }
}

impl std::fmt::Display for Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Layer {
    type Err = TileError;
    fn from_str(s: &str) -> Result<Self, TileError> {
        Self::parse(s)
    }
}

/// The role a tile is rendered for. Public callers never see raw incident locations, incident
/// cells with fewer than k reports, or restricted shelters; analysts see all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Access {
    #[default]
    Public,
    Analyst,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Public => "public",
            Access::Analyst => "analyst",
        }
    }

    /// ```
    /// use senda_tiles::Access;
    /// assert_eq!(Access::parse("analyst").unwrap(), Access::Analyst);
    /// assert!(Access::parse("admin").is_err());
    /// ```
    pub fn parse(value: &str) -> Result<Self, TileError> {
        match value.trim() {
            "public" => Ok(Access::Public),
            "analyst" => Ok(Access::Analyst),
            _ => Err(TileError::UnknownAccess {
                value: value.to_owned(),
            }),
        }
    }
}

impl std::fmt::Display for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The H3 resolution the `risk` and `incidents` layers draw at zoom `z`, before the caps of
/// the data (the risk field's own resolution) and of the role (see
/// [`TileConfig`](crate::TileConfig)).
///
/// Chosen so a hexagon is about 10–40 screen pixels wide on a 256-pixel tile:
///
/// | zoom | 0–2 | 3–4 | 5 | 6–7 | 8 | 9 | 10+ |
/// |---|---|---|---|---|---|---|---|
/// | H3 resolution | 1 | 2 | 3 | 4 | 5 | 6 | 7 |
/// | hexagon width | ~840 km | ~320 km | ~120 km | ~45 km | ~17 km | ~6.5 km | ~2.4 km |
///
/// ```
/// use senda_tiles::h3_resolution_for_zoom;
/// use h3o::Resolution;
/// assert_eq!(h3_resolution_for_zoom(6), Resolution::Four);
/// assert_eq!(h3_resolution_for_zoom(14), Resolution::Seven);
/// ```
pub fn h3_resolution_for_zoom(z: u8) -> Resolution {
    match z {
        0..=2 => Resolution::One,
        3..=4 => Resolution::Two,
        5 => Resolution::Three,
        6..=7 => Resolution::Four,
        8 => Resolution::Five,
        9 => Resolution::Six,
        _ => Resolution::Seven,
    }
}

/// The first zoom at which the `roads` layer draws a class (the layer starts at 3):
///
/// | class | from zoom |
/// |---|---|
/// | motorway, trunk | 3 |
/// | primary, rail | 5 |
/// | secondary | 7 |
/// | tertiary | 9 |
/// | every other class | 11 |
pub fn road_class_min_zoom(class: RoadClass) -> u8 {
    match class {
        RoadClass::Motorway | RoadClass::Trunk => 3,
        RoadClass::Primary | RoadClass::Rail => 5,
        RoadClass::Secondary => 7,
        RoadClass::Tertiary => 9,
        _ => 11,
    }
}
