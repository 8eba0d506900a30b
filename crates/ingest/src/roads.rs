//! Road networks from any of the formats senda takes: OSM PBF, OSM XML (both via
//! [`crate::osm`]) and GeoJSON lines ([`read_geojson`]). [`read`] looks at the content, not the
//! file name, to decide which.
//!
//! ```
//! use senda_ingest::{roads, Input};
//! let geojson = r#"{"type":"FeatureCollection","features":[
//!   {"type":"Feature","properties":{"root":"mex.fed200","tier":2,"route":"MEX200","from_label":"A","to_label":"B"},
//!    "geometry":{"type":"LineString","coordinates":[[-92.27,14.90],[-92.20,14.95]]}},
//!   {"type":"Feature","properties":{"class":"primary"},"geometry":{"type":"Point","coordinates":[-92.2,14.9]}}]}"#;
//! let out = roads::read(&Input::from_bytes("tm.geojson", geojson.as_bytes().to_vec()).unwrap()).unwrap();
//! let seg = &out.roads.records[0].record;
//! assert_eq!(seg.class, senda_core::RoadClass::Trunk); // Travel Mapping tier 2
//! assert_eq!(seg.key.source_id, "mex.fed200:A:B");
//! assert_eq!(out.roads.report.rejected[0].at.index, 1); // a Point is not a road
//! ```

mod geojson;

use crate::{osm, IngestError, Input, Outcome};
use senda_core::{RoadSegment, Shelter, TransitPoint};

pub use geojson::{read_geojson, tm_tier_class};

/// What one road-network file held: its roads, and the transit points and shelters mapped in
/// it (always empty for GeoJSON). Each part has its own report.
#[derive(Debug, Clone)]
pub struct NetworkOutcome {
    pub roads: Outcome<RoadSegment>,
    pub transit: Outcome<TransitPoint>,
    pub shelters: Outcome<Shelter>,
}

/// Reads a road network, choosing the reader by content: OSM PBF (a blob header naming
/// `OSMHeader`), OSM XML (root element `<osm>`), GeoJSON (a JSON object). Anything else is an
/// [`IngestError::UnknownFormat`] that says what the file starts with.
pub fn read(input: &Input) -> Result<NetworkOutcome, IngestError> {
    if osm::looks_like_pbf(&input.bytes) {
        return osm::read_pbf(input);
    }
    let unknown = |reason: String| IngestError::UnknownFormat {
        file: input.name.clone(),
        reason,
    };
    let decoded;
    let head: &[u8] =
        if input.bytes.starts_with(&[0xff, 0xfe]) || input.bytes.starts_with(&[0xfe, 0xff]) {
            decoded = input.text()?.0.into_owned();
            decoded.as_bytes()
        } else {
            input
                .bytes
                .strip_prefix(b"\xef\xbb\xbf")
                .unwrap_or(&input.bytes)
        };
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let head = &head[start..];
    match head.first() {
        None => Err(unknown("empty file (nothing but white space)".to_owned())),
        Some(b'<') => match xml_root(head) {
            Some("osm") => osm::read_xml(input),
            Some(root) => Err(unknown(format!(
                "XML whose root element is <{root}>, not <osm>"
            ))),
            None => Err(unknown(format!(
                "starts with {} but no XML root element was found",
                describe(head)
            ))),
        },
        Some(b'{') => {
            let roads = read_geojson(input)?;
            Ok(NetworkOutcome {
                roads,
                transit: empty_outcome(input, "transit points"),
                shelters: empty_outcome(input, "shelters"),
            })
        }
        Some(b'[') => Err(unknown(
            "a JSON array; expected a GeoJSON FeatureCollection object".to_owned(),
        )),
        Some(_) => Err(unknown(format!(
            "neither OSM PBF, OSM XML nor GeoJSON: starts with {}",
            describe(head)
        ))),
    }
}

/// An outcome with nothing in it, for the parts a GeoJSON road file does not carry.
fn empty_outcome<T>(input: &Input, what: &str) -> Outcome<T> {
    let mut o = Outcome::new(crate::Report::new(&input.name, "geojson"));
    o.report.note(format!("GeoJSON road files carry no {what}"));
    o
}

/// The name of the first element of an XML document, skipping the declaration, processing
/// instructions, comments and a DOCTYPE.
fn xml_root(text: &[u8]) -> Option<&str> {
    let mut rest = text;
    loop {
        let lt = rest.iter().position(|&b| b == b'<')?;
        rest = &rest[lt..];
        let skip_to = |rest: &[u8], end: &[u8]| {
            rest.windows(end.len())
                .position(|w| w == end)
                .map(|p| p + end.len())
        };
        if rest.starts_with(b"<?") {
            rest = &rest[skip_to(rest, b"?>")?..];
        } else if rest.starts_with(b"<!--") {
            rest = &rest[skip_to(rest, b"-->")?..];
        } else if rest.starts_with(b"<!") {
            rest = &rest[skip_to(rest, b">")?..];
        } else {
            let name = &rest[1..];
            let end = name
                .iter()
                .position(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/')
                .unwrap_or(name.len());
            return std::str::from_utf8(&name[..end])
                .ok()
                .filter(|n| !n.is_empty());
        }
    }
}

/// The first bytes of a file, as text and hex, for error messages.
fn describe(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(16)];
    let hex: Vec<String> = head.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{:?} (hex {})",
        String::from_utf8_lossy(head),
        hex.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_root_skips_prolog() {
        assert_eq!(
            xml_root(b"<?xml version='1.0'?>\n<!-- hi -->\n<!DOCTYPE x>\n<osm version=\"0.6\">"),
            Some("osm")
        );
        assert_eq!(xml_root(b"<osm/>"), Some("osm"));
        assert_eq!(xml_root(b"<alert xmlns='x'>"), Some("alert"));
        assert_eq!(xml_root(b"<?xml "), None);
        assert_eq!(xml_root(b"< osm>"), None);
    }

    #[test]
    fn unknown_formats_say_what_they_saw() {
        let read_bytes = |b: &[u8]| read(&Input::from_bytes("x", b.to_vec()).unwrap());
        for (bytes, expect) in [
            (&b""[..], "empty"),
            (b"  \n ", "empty"),
            (b"PK\x03\x04zip", "PK"),
            (b"<rss version='2.0'>", "<rss>"),
            (b"[1,2]", "JSON array"),
            (b"\xef\xbb\xbfname,lat,lon\n", "name,lat"),
        ] {
            match read_bytes(bytes) {
                Err(IngestError::UnknownFormat { reason, .. }) => {
                    assert!(reason.contains(expect), "{reason}")
                }
                other => panic!("{bytes:?}: {other:?}"),
            }
        }
    }
}
