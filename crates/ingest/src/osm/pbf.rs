//! OSM PBF: the blob framing is checked here first (so a truncated or corrupt file is an
//! error before any decoding starts), then blocks are decoded with `osmpbf`.
//!
//! Memory: two passes over the blobs. Pass 1 decodes every block, keeps only the ways that are
//! roads, transit points or shelters (their tags already reduced to [`RoadAttrs`] and their node
//! ids in one flat `Vec<i64>`), resolves tagged nodes that are transit points or shelters on the
//! spot, and remembers which blobs hold nodes. Pass 2 decodes only those blobs again and keeps
//! the coordinates of the node ids the kept ways use (sorted ids + `[f64; 2]`, 24 bytes a node).
//! Nothing is kept for the nodes of buildings, land use and the like, which are most of a
//! country extract; the price is decompressing the node blobs twice.
//!
//! [`RoadAttrs`]: super::tags::RoadAttrs

use super::network::{NetworkBuilder, NodeIndex};
use super::tags::Tags;
use crate::roads::NetworkOutcome;
use crate::{IngestError, Input};
use osmpbf::{BlobDecode, BlobReader, PrimitiveBlock};
use senda_core::{LonLat, RecordRef};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The size limits of the PBF format (as `osmpbf` enforces them).
const MAX_HEADER_SIZE: usize = 64 * 1024;
const MAX_BLOB_SIZE: usize = 32 * 1024 * 1024;

/// Features of a PBF file this reader understands; a file requiring any other is refused.
const SUPPORTED_FEATURES: [&str; 2] = ["OsmSchema-V0.6", "DenseNodes"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BlobSpan {
    /// Offset of the blob's 4-byte header length.
    pub offset: usize,
    pub end: usize,
    pub kind: String,
}

/// Checks the blob framing of a whole PBF file: every blob header and blob complete, sizes
/// within the format's limits, the first blob an `OSMHeader`, nothing after the last blob.
pub(crate) fn scan_blobs(bytes: &[u8]) -> Result<Vec<BlobSpan>, String> {
    let mut spans = Vec::new();
    let mut pos = 0usize;
    while pos < bytes.len() {
        let rest = bytes.len() - pos;
        if rest < 4 {
            return Err(format!(
                "truncated: {rest} stray byte(s) after the last blob at byte {pos}"
            ));
        }
        let header_len =
            u32::from_be_bytes([bytes[pos], bytes[pos + 1], bytes[pos + 2], bytes[pos + 3]])
                as usize;
        if header_len == 0 || header_len >= MAX_HEADER_SIZE {
            return Err(format!(
                "blob header size {header_len} at byte {pos} is not plausible (corrupt or not PBF)"
            ));
        }
        let header_start = pos + 4;
        let header_end = header_start + header_len;
        if header_end > bytes.len() {
            return Err(format!(
                "truncated: blob header at byte {pos} needs {header_len} bytes, {} remain",
                bytes.len() - header_start
            ));
        }
        let (kind, data_len) = parse_blob_header(&bytes[header_start..header_end])
            .map_err(|e| format!("blob header at byte {pos}: {e}"))?;
        if data_len > MAX_BLOB_SIZE {
            return Err(format!(
                "blob at byte {pos} declares {data_len} bytes, more than the format's 32 MiB limit"
            ));
        }
        let end = header_end + data_len;
        if end > bytes.len() {
            return Err(format!(
                "truncated: blob at byte {pos} declares {data_len} bytes, {} remain",
                bytes.len() - header_end
            ));
        }
        if spans.is_empty() && kind != "OSMHeader" {
            return Err(format!(
                "the first blob is {kind:?}, expected \"OSMHeader\""
            ));
        }
        spans.push(BlobSpan {
            offset: pos,
            end,
            kind,
        });
        pos = end;
    }
    if spans.is_empty() {
        return Err("empty file".to_owned());
    }
    Ok(spans)
}

/// Reads a protobuf varint at `*pos`.
fn varint(buf: &[u8], pos: &mut usize) -> Result<u64, String> {
    let mut value = 0u64;
    for shift in (0..70).step_by(7) {
        let byte = *buf.get(*pos).ok_or("truncated varint")?;
        *pos += 1;
        if shift == 63 && byte > 1 {
            return Err("varint overflows 64 bits".to_owned());
        }
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("varint longer than 10 bytes".to_owned())
}

/// `(type, datasize)` of a `BlobHeader` message (fields 1 and 3; field 2, `indexdata`, and any
/// unknown field are skipped).
fn parse_blob_header(buf: &[u8]) -> Result<(String, usize), String> {
    let (mut kind, mut size) = (None, None);
    let mut pos = 0;
    while pos < buf.len() {
        let tag = varint(buf, &mut pos)?;
        let (field, wire) = (tag >> 3, tag & 7);
        match wire {
            0 => {
                let v = varint(buf, &mut pos)?;
                if field == 3 {
                    size = Some(usize::try_from(v).map_err(|_| "datasize too large")?);
                }
            }
            2 => {
                let len =
                    usize::try_from(varint(buf, &mut pos)?).map_err(|_| "length too large")?;
                let end = pos
                    .checked_add(len)
                    .filter(|&e| e <= buf.len())
                    .ok_or("field longer than the header")?;
                if field == 1 {
                    kind = Some(String::from_utf8_lossy(&buf[pos..end]).into_owned());
                }
                pos = end;
            }
            1 => pos += 8,
            5 => pos += 4,
            w => return Err(format!("unknown protobuf wire type {w}")),
        }
    }
    if pos > buf.len() {
        return Err("field longer than the header".to_owned());
    }
    match (kind, size) {
        (Some(k), Some(s)) => Ok((k, s)),
        (None, _) => Err("no blob type".to_owned()),
        (_, None) => Err("no data size".to_owned()),
    }
}

/// Whether `bytes` start like a PBF file: a plausible header length followed by a blob header
/// whose type is `OSMHeader`.
pub(crate) fn looks_like_pbf(bytes: &[u8]) -> bool {
    let Some(len) = bytes
        .get(..4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    else {
        return false;
    };
    if len == 0 || len >= MAX_HEADER_SIZE {
        return false;
    }
    let head = &bytes[4..bytes.len().min(4 + len)];
    head.windows(9).any(|w| w == b"OSMHeader")
}

fn pbf_error(input: &Input, reason: impl Into<String>) -> IngestError {
    IngestError::Pbf {
        file: input.name.clone(),
        reason: reason.into(),
    }
}

/// Runs `f`, turning a panic inside the decoder (which some corrupt blocks can provoke) into
/// an error naming the blob.
fn guarded<T>(
    input: &Input,
    span: &BlobSpan,
    f: impl FnOnce() -> Result<T, IngestError>,
) -> Result<T, IngestError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(pbf_error(
            input,
            format!(
                "corrupt data in the blob at byte {}: the decoder gave up",
                span.offset
            ),
        ))
    })
}

fn decode(input: &Input, span: &BlobSpan) -> Result<osmpbf::Blob, IngestError> {
    let mut reader = BlobReader::new(&input.bytes[span.offset..span.end]);
    match reader.next() {
        Some(Ok(blob)) => Ok(blob),
        Some(Err(e)) => Err(pbf_error(
            input,
            format!("blob at byte {}: {e}", span.offset),
        )),
        None => Err(pbf_error(
            input,
            format!("blob at byte {}: no data", span.offset),
        )),
    }
}

fn data_block(input: &Input, span: &BlobSpan) -> Result<Option<PrimitiveBlock>, IngestError> {
    match decode(input, span)?.decode() {
        Ok(BlobDecode::OsmData(block)) => Ok(Some(block)),
        Ok(_) => Ok(None),
        Err(e) => Err(pbf_error(
            input,
            format!("blob at byte {}: {e}", span.offset),
        )),
    }
}

/// Sums delta-coded node ids, or `None` if they overflow (corrupt data).
fn undelta(deltas: &[i64], out: &mut Vec<i64>) -> Option<()> {
    out.clear();
    let mut current = 0i64;
    for d in deltas {
        current = current.checked_add(*d)?;
        out.push(current);
    }
    Some(())
}

/// Degrees from nanodegrees. Dividing by 1e9 (exact in f64) rounds correctly, so a PBF
/// coordinate reads exactly as the same coordinate written as text in OSM XML.
fn degrees(nano: i64) -> f64 {
    nano as f64 / 1e9
}

/// Element counters, for [`RecordRef`]s: nodes and ways are numbered separately, 0-based, in
/// file order.
#[derive(Default)]
struct Counters {
    nodes: u64,
    ways: u64,
}

/// Pass 1 over one block: tagged nodes, ways. Returns whether the block holds nodes.
fn pass1(
    block: &PrimitiveBlock,
    b: &mut NetworkBuilder,
    n: &mut Counters,
    refs: &mut Vec<i64>,
) -> bool {
    let mut has_nodes = false;
    let mut tags: Vec<(&str, &str)> = Vec::new();
    for group in block.groups() {
        for node in group.nodes() {
            has_nodes = true;
            let (id, nano_lon, nano_lat) = (node.id(), node.nano_lon(), node.nano_lat());
            pass1_node(b, n, &mut tags, id, nano_lon, nano_lat, node.tags());
        }
        for node in group.dense_nodes() {
            has_nodes = true;
            let (id, nano_lon, nano_lat) = (node.id(), node.nano_lon(), node.nano_lat());
            pass1_node(b, n, &mut tags, id, nano_lon, nano_lat, node.tags());
        }
        for way in group.ways() {
            let at = RecordRef::new(n.ways, None);
            n.ways += 1;
            tags.clear();
            tags.extend(way.tags());
            if undelta(way.raw_refs(), refs).is_some() {
                b.way(way.id(), &tags[..], refs, at);
            } else if tags[..].tag("highway").is_some() || tags[..].tag("railway").is_some() {
                b.reject_way(
                    way.id(),
                    at,
                    "refs",
                    "corrupt node references (delta-coded ids overflow)".to_owned(),
                );
            }
        }
    }
    has_nodes
}

/// Pass 1 over one node, plain or dense: numbers it, and hands it to the builder (with its
/// tags in `tags`) when a tag may make it a transit point or a shelter.
fn pass1_node<'a>(
    b: &mut NetworkBuilder,
    n: &mut Counters,
    tags: &mut Vec<(&'a str, &'a str)>,
    id: i64,
    nano_lon: i64,
    nano_lat: i64,
    node_tags: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) {
    let at = RecordRef::new(n.nodes, None);
    n.nodes += 1;
    if NetworkBuilder::node_may_matter(node_tags.clone().map(|(k, _)| k)) {
        tags.clear();
        tags.extend(node_tags);
        b.node(id, degrees(nano_lon), degrees(nano_lat), &tags[..], at);
    }
}

/// Pass 2 over one block: coordinates of the nodes the kept ways use.
fn pass2(block: &PrimitiveBlock, b: &mut NetworkBuilder, nodes: &mut NodeIndex) {
    let mut fill = |id: i64, lon: f64, lat: f64| {
        if nodes.fill(id, lon, lat) {
            if let Err(e) = LonLat::new(lon, lat) {
                b.bad_node(id, &e);
            }
        }
    };
    for group in block.groups() {
        for node in group.nodes() {
            fill(
                node.id(),
                degrees(node.nano_lon()),
                degrees(node.nano_lat()),
            );
        }
        for node in group.dense_nodes() {
            fill(
                node.id(),
                degrees(node.nano_lon()),
                degrees(node.nano_lat()),
            );
        }
    }
}

/// Reads an OSM PBF file. See [`crate::osm`] for what is loaded.
pub(crate) fn read(input: &Input) -> Result<NetworkOutcome, IngestError> {
    let spans = scan_blobs(&input.bytes).map_err(|r| pbf_error(input, r))?;
    let mut b = NetworkBuilder::new(&input.name, "osm-pbf");

    let header = guarded(input, &spans[0], || {
        match decode(input, &spans[0])?.decode() {
            Ok(BlobDecode::OsmHeader(h)) => Ok(h),
            Ok(_) => Err(pbf_error(input, "the first blob is not an OSMHeader block")),
            Err(e) => Err(pbf_error(input, format!("header block: {e}"))),
        }
    })?;
    let unsupported: Vec<&str> = header
        .required_features()
        .iter()
        .map(String::as_str)
        .filter(|f| !SUPPORTED_FEATURES.contains(f))
        .collect();
    if !unsupported.is_empty() {
        return Err(pbf_error(
            input,
            format!(
                "the file requires features this reader does not support: {}",
                unsupported.join(", ")
            ),
        ));
    }
    let mut about = format!("OSM PBF, {} blobs", spans.len());
    if let Some(program) = header.writing_program() {
        about.push_str(&format!(", written by {program}"));
    }
    if let Some(bbox) = header.bbox() {
        about.push_str(&format!(
            ", bbox {:.4},{:.4} … {:.4},{:.4}",
            bbox.left, bbox.bottom, bbox.right, bbox.top
        ));
    }
    b.note_all(&about);

    let mut counters = Counters::default();
    let mut refs = Vec::new();
    let mut node_blobs = Vec::new();
    let mut unknown = 0usize;
    for span in &spans[1..] {
        if span.kind != "OSMData" {
            unknown += 1;
            continue;
        }
        let has_nodes = guarded(input, span, || {
            Ok(match data_block(input, span)? {
                Some(block) => pass1(&block, &mut b, &mut counters, &mut refs),
                None => false,
            })
        })?;
        if has_nodes {
            node_blobs.push(span);
        }
    }
    if unknown > 0 {
        b.note_all(&format!("{unknown} blob(s) of unknown type skipped"));
    }

    let mut nodes = NodeIndex::expecting(b.needed_node_ids());
    for span in node_blobs {
        guarded(input, span, || {
            if let Some(block) = data_block(input, span)? {
                pass2(&block, &mut b, &mut nodes);
            }
            Ok(())
        })?;
    }
    b.note_all(&format!(
        "{} nodes, {} ways; coordinates kept for the {} nodes that roads, transit points and shelters use",
        counters.nodes,
        counters.ways,
        nodes.len()
    ));
    Ok(b.finish(&nodes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(kind: &str, data: &[u8]) -> Vec<u8> {
        let mut header = vec![0x0a, kind.len() as u8];
        header.extend_from_slice(kind.as_bytes());
        header.push(0x18); // field 3, varint
        let mut n = data.len();
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                header.push(byte);
                break;
            }
            header.push(byte | 0x80);
        }
        let mut out = (header.len() as u32).to_be_bytes().to_vec();
        out.extend(header);
        out.extend_from_slice(data);
        out
    }

    #[test]
    fn framing_is_checked() {
        let mut file = blob("OSMHeader", &[1, 2, 3]);
        file.extend(blob("OSMData", &[0; 200]));
        let spans = scan_blobs(&file).unwrap();
        assert_eq!(spans.len(), 2);
        assert_eq!(spans[1].kind, "OSMData");
        assert_eq!(spans[1].end, file.len());
        assert!(looks_like_pbf(&file));
        for cut in [1, 3, 4, 10, 21, 25, file.len() - 1] {
            let e = scan_blobs(&file[..cut]).unwrap_err();
            assert!(
                e.contains("truncated") || e.contains("header"),
                "cut {cut}: {e}"
            );
        }
        assert!(scan_blobs(&blob("OSMData", &[]))
            .unwrap_err()
            .contains("first blob"));
        assert!(scan_blobs(&[]).is_err());
        assert!(scan_blobs(&[0xff, 0xff, 0xff, 0xff, 0]).is_err());
        assert!(!looks_like_pbf(b"<osm>"));
    }

    #[test]
    fn varints() {
        let mut pos = 0;
        assert_eq!(varint(&[0xac, 0x02], &mut pos), Ok(300));
        let mut pos = 0;
        assert!(varint(&[0xff; 11], &mut pos).is_err());
        let mut pos = 0;
        assert!(varint(&[0x80], &mut pos).is_err());
    }

    #[test]
    fn undelta_detects_overflow() {
        let mut out = Vec::new();
        assert!(undelta(&[5, 1, -2], &mut out).is_some());
        assert_eq!(out, [5, 6, 4]);
        assert!(undelta(&[i64::MAX, 1], &mut out).is_none());
    }
}
