//! OpenStreetMap readers: PBF ([`read_pbf`]) and XML ([`read_xml`]) into roads, transit
//! points and shelters, with the same tag rules for both.
//!
//! **Roads** (one [`RoadSegment`](senda_core::RoadSegment) per way, key `osm:way/ID`):
//! ways with a routable `highway=*` (see [`RoadClass::from_osm_highway`](senda_core::RoadClass::from_osm_highway))
//! or `railway=rail|light_rail|narrow_gauge` (class `Rail`). Other `highway` values
//! (`construction`, `platform`, …) and highway areas (`area=yes`, e.g. pedestrian squares) are
//! *skipped* with a reason; ways that are not roads at all (buildings, land use) are only
//! counted in a note. Tags read: `oneway` (implied by `highway=motorway` and
//! `junction=roundabout|circular`; `-1` is `Backward`; a value not understood is noted and
//! the way kept two-way), `access`, `foot`, `motor_vehicle` (else `motorcar`, else `vehicle`),
//! `maxspeed` (`50`, `50 km/h`, `30 mph` → km/h; `none`, `signals`, `MX:urban` → unset, noted),
//! `surface`, `bridge`, `ford`, `name`, `ref`.
//!
//! **Clipped extracts**: a way whose nodes are not all in the file keeps each run of two or
//! more present nodes; when that leaves several pieces they are `way/ID#0`, `way/ID#1`, …
//! A node with invalid coordinates (not finite, out of range) cuts the way the same way and
//! the pieces are flagged. A way left without two usable nodes in a row is rejected, naming
//! `way/ID` and why.
//!
//! **Transit points** (key `osm:node/ID`, or `osm:way/ID` at the centroid of the way's nodes):
//! `amenity=bus_station` or `public_transport=station` + `bus=yes` (bus station),
//! `railway=station|halt` (rail station), `railway=yard` (rail yard), `barrier=border_control`
//! or `border_control=*` (border crossing). Named from `name`, `name:es`, then `ref`; a point
//! with none of them is still loaded (a nameless border post is still a border post), named
//! after its kind (`bus station`, `border crossing`, …) and flagged.
//!
//! **Shelters** (kind `Shelter`, service `bed`): `amenity=social_facility` +
//! `social_facility=shelter`, and `amenity=shelter` only when `social_facility:for` or
//! `shelter_type` names people (migrants, refugees, displaced, homeless, …) — never bus,
//! picnic or weather shelters, which are counted in a note. `capacity`, `phone` /
//! `contact:phone`, `contact:whatsapp`, `opening_hours`, `addr:*` and `social_facility:for`
//! (→ `serves`) are mapped. A nameless shelter is named `shelter` and flagged.
//!
//! Record references: `index` counts nodes and ways separately, 0-based in file order (the
//! `source_id` says which); XML records also carry the line of the element. A way cut into
//! several pieces counts one accepted record per piece in the roads report.
//!
//! ```
//! use senda_ingest::{osm, Input};
//! let xml = r#"<osm version="0.6">
//!   <node id="1" lat="14.90" lon="-92.27"/>
//!   <node id="2" lat="14.91" lon="-92.26"><tag k="amenity" v="bus_station"/></node>
//!   <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/><tag k="maxspeed" v="60"/></way>
//!   <way id="11"><nd ref="2"/><nd ref="99"/><tag k="highway" v="residential"/></way>
//! </osm>"#;
//! let out = osm::read_xml(&Input::from_bytes("tapachula.osm", xml.as_bytes().to_vec()).unwrap()).unwrap();
//! assert_eq!(out.roads.records[0].record.maxspeed_kmh, Some(60.0));
//! assert_eq!(out.roads.report.rejected[0].source_id.as_deref(), Some("way/11"));
//! assert_eq!(out.transit.records[0].record.name, "bus station"); // no name tag: flagged
//! ```

mod network;
mod pbf;
pub(crate) mod tags;
mod xml;

use crate::roads::NetworkOutcome;
use crate::{IngestError, Input};

/// Reads an OSM PBF file (e.g. a Geofabrik country extract).
///
/// A file whose blob framing is broken (truncated, corrupt, not PBF) or that needs PBF
/// features this reader lacks is an [`IngestError::Pbf`]; the decoder never panics through.
/// Two passes over the blobs keep memory to the roads' nodes (see the `pbf` module source).
pub fn read_pbf(input: &Input) -> Result<NetworkOutcome, IngestError> {
    pbf::read(input)
}

/// Reads an OSM XML document (`<osm>` root), streaming it.
///
/// Malformed or truncated XML is an [`IngestError::Xml`] with the byte position.
pub fn read_xml(input: &Input) -> Result<NetworkOutcome, IngestError> {
    xml::read(input)
}

/// Whether `bytes` start like an OSM PBF file.
pub(crate) fn looks_like_pbf(bytes: &[u8]) -> bool {
    pbf::looks_like_pbf(bytes)
}
