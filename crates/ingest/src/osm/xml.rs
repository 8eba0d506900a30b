//! OSM XML, streamed with quick-xml (no DOM): nodes are kept as `(id, [lon, lat])` (24 bytes
//! each: XML puts nodes before the ways that use them, so all are kept), ways of interest as
//! in the PBF reader. Relations are skipped.

use super::network::{NetworkBuilder, NodeIndex};
use crate::roads::NetworkOutcome;
use crate::{IngestError, Input};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use senda_core::{LonLat, RecordRef};

/// The element being read (tags and `nd`s belong to it).
enum Open {
    None,
    Node {
        id: Option<i64>,
        lon: f64,
        lat: f64,
        at: RecordRef,
        deleted: bool,
    },
    Way {
        id: Option<i64>,
        at: RecordRef,
        deleted: bool,
    },
    Other,
}

/// Counts lines up to a byte position, incrementally (positions only grow).
struct Lines<'a> {
    text: &'a [u8],
    pos: usize,
    line: u64,
}

impl Lines<'_> {
    fn at(&mut self, pos: u64) -> u64 {
        let pos = usize::try_from(pos)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        if pos > self.pos {
            self.line += self.text[self.pos..pos]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.pos = pos;
        }
        self.line
    }
}

struct Attrs {
    id: Option<i64>,
    lat: Option<f64>,
    lon: Option<f64>,
    deleted: bool,
}

fn xml_error(input: &Input, position: u64, reason: impl Into<String>) -> IngestError {
    IngestError::Xml {
        file: input.name.clone(),
        position,
        reason: reason.into(),
    }
}

/// The `id`, `lat`, `lon` and deletion markers of a node or way. Numbers that do not parse are
/// `None` (ids) or NaN (coordinates), so that the record is reported, not the file refused.
fn element_attrs(input: &Input, e: &BytesStart<'_>, pos: u64) -> Result<Attrs, IngestError> {
    let mut a = Attrs {
        id: None,
        lat: None,
        lon: None,
        deleted: false,
    };
    for attr in e.attributes() {
        let attr = attr.map_err(|err| xml_error(input, pos, err.to_string()))?;
        let v = attr.value.trim();
        match attr.key.as_ref() {
            "id" => a.id = v.parse().ok(),
            "lat" => a.lat = Some(v.parse().unwrap_or(f64::NAN)),
            "lon" => a.lon = Some(v.parse().unwrap_or(f64::NAN)),
            "visible" => a.deleted |= v == "false",
            "action" => a.deleted |= v == "delete",
            _ => {}
        }
    }
    Ok(a)
}

/// `(k, v)` of a `<tag>`, unescaped.
fn tag_attrs(
    input: &Input,
    e: &BytesStart<'_>,
    pos: u64,
) -> Result<Option<(String, String)>, IngestError> {
    let (mut k, mut v) = (None, None);
    for attr in e.attributes() {
        let attr = attr.map_err(|err| xml_error(input, pos, err.to_string()))?;
        let value = || -> Result<String, IngestError> {
            Ok(attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| xml_error(input, pos, err.to_string()))?
                .into_owned())
        };
        match attr.key.as_ref() {
            "k" => k = Some(value()?),
            "v" => v = Some(value()?),
            _ => {}
        }
    }
    Ok(k.zip(v))
}

/// The `ref` of an `<nd>`; `None` when it is not a number (treated as a missing node).
fn nd_ref(input: &Input, e: &BytesStart<'_>, pos: u64) -> Result<Option<i64>, IngestError> {
    for attr in e.attributes() {
        let attr = attr.map_err(|err| xml_error(input, pos, err.to_string()))?;
        if attr.key.as_ref() == "ref" {
            return Ok(attr.value.trim().parse().ok());
        }
    }
    Ok(None)
}

/// Reads an OSM XML document. See [`crate::osm`] for what is loaded.
pub(crate) fn read(input: &Input) -> Result<NetworkOutcome, IngestError> {
    let (text, encoding_note) = input.text()?;
    let mut reader = Reader::from_str(&text);
    let mut lines = Lines {
        text: text.as_bytes(),
        pos: 0,
        line: 1,
    };
    let mut b = NetworkBuilder::new(&input.name, "osm-xml");
    if let Some(n) = encoding_note {
        b.note_all(&n);
    }
    let mut nodes: Vec<(i64, [f64; 2])> = Vec::new();
    let mut open = Open::None;
    let mut tags: Vec<(String, String)> = Vec::new();
    let mut refs: Vec<i64> = Vec::new();
    let (mut node_count, mut way_count) = (0u64, 0u64);
    let mut depth = 0usize;
    let mut root_seen = false;
    let (mut bad_ids, mut bad_refs) = (0u64, 0u64);
    // A reference that cannot match any node (unparseable `ref`): looked up as missing.
    const NO_NODE: i64 = i64::MIN;

    loop {
        let before = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| xml_error(input, reader.error_position(), e.to_string()))?;
        let (e, empty) = match event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                let name = end.name();
                let closes = matches!(
                    (&open, name.as_ref()),
                    (Open::Node { .. }, "node")
                        | (Open::Way { .. }, "way")
                        | (Open::Other, "relation")
                );
                if closes {
                    finish(&mut b, &mut open, &tags, &refs, &mut nodes, &mut bad_ids);
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        if !root_seen {
            if e.name().as_ref() != "osm" {
                return Err(xml_error(
                    input,
                    before,
                    format!(
                        "the root element is <{}>, expected <osm>",
                        e.name().as_ref()
                    ),
                ));
            }
            root_seen = true;
            if !empty {
                depth += 1;
            }
            continue;
        }
        if !empty {
            depth += 1;
        }
        let name = e.name();
        match name.as_ref() {
            "node" | "way" | "relation" if matches!(open, Open::None) => {
                let line = lines.at(before);
                let a = element_attrs(input, &e, before)?;
                tags.clear();
                refs.clear();
                open = match name.as_ref() {
                    "node" => {
                        let at = RecordRef::new(node_count, Some(line));
                        node_count += 1;
                        Open::Node {
                            id: a.id,
                            lon: a.lon.unwrap_or(f64::NAN),
                            lat: a.lat.unwrap_or(f64::NAN),
                            at,
                            deleted: a.deleted,
                        }
                    }
                    "way" => {
                        let at = RecordRef::new(way_count, Some(line));
                        way_count += 1;
                        Open::Way {
                            id: a.id,
                            at,
                            deleted: a.deleted,
                        }
                    }
                    _ => Open::Other,
                };
                if empty {
                    finish(&mut b, &mut open, &tags, &refs, &mut nodes, &mut bad_ids);
                }
            }
            "tag" if matches!(open, Open::Node { .. } | Open::Way { .. }) => {
                if let Some(kv) = tag_attrs(input, &e, before)? {
                    tags.push(kv);
                }
            }
            "nd" if matches!(open, Open::Way { .. }) => match nd_ref(input, &e, before)? {
                Some(r) => refs.push(r),
                None => {
                    bad_refs += 1;
                    refs.push(NO_NODE);
                }
            },
            _ => {}
        }
    }
    if !root_seen {
        return Err(xml_error(
            input,
            0,
            "no <osm> element: not an OSM XML document",
        ));
    }
    if depth > 0 {
        return Err(xml_error(
            input,
            reader.buffer_position(),
            format!("unexpected end of file: {depth} element(s) not closed (truncated?)"),
        ));
    }
    if bad_ids > 0 {
        b.note_all(&format!(
            "{bad_ids} node(s) or way(s) without a numeric id ignored"
        ));
    }
    if bad_refs > 0 {
        b.note_all(&format!(
            "{bad_refs} <nd> reference(s) without a numeric ref: treated as missing nodes"
        ));
    }
    let index = NodeIndex::from_nodes(nodes);
    Ok(b.finish(&index))
}

/// Closes the open element (none is open after) and hands a complete node or way to the
/// builder.
fn finish(
    b: &mut NetworkBuilder,
    open: &mut Open,
    tags: &[(String, String)],
    refs: &[i64],
    nodes: &mut Vec<(i64, [f64; 2])>,
    bad_ids: &mut u64,
) {
    match std::mem::replace(open, Open::None) {
        Open::Node { deleted: true, .. } | Open::Way { deleted: true, .. } => b.deleted(),
        Open::Node { id: None, .. } | Open::Way { id: None, .. } => *bad_ids += 1,
        Open::Node {
            id: Some(id),
            lon,
            lat,
            at,
            ..
        } => {
            nodes.push((id, [lon, lat]));
            if let Err(e) = LonLat::new(lon, lat) {
                b.bad_node(id, &e);
            }
            if NetworkBuilder::node_may_matter(tags.iter().map(|(k, _)| k.as_str())) {
                b.node(id, lon, lat, tags, at);
            }
        }
        Open::Way {
            id: Some(id), at, ..
        } => b.way(id, tags, refs, at),
        Open::Other | Open::None => {}
    }
}
