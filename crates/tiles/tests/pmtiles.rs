//! PMTiles export, read back with an independent reader written here from the v3 spec
//! (header, varint directories, Hilbert tile ids, gzip).

mod common;

use common::*;
use flate2::read::GzDecoder;
use senda_tiles::{export_pmtiles, Bbox, ExportProgress, Layer, TileConfig, TileId, TileSource};
use std::io::Read;

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

fn i32_at(b: &[u8], at: usize) -> i32 {
    i32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

fn gunzip(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    GzDecoder::new(b).read_to_end(&mut out).unwrap();
    out
}

fn varint(b: &[u8], pos: &mut usize) -> u64 {
    let (mut v, mut shift) = (0u64, 0);
    loop {
        let byte = b[*pos];
        *pos += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return v;
        }
        shift += 7;
    }
}

/// One directory entry: tile id, offset, length, run length (0 = a leaf directory).
type Entry = (u64, u64, u64, u64);

fn directory(b: &[u8]) -> Vec<Entry> {
    let mut pos = 0;
    let n = varint(b, &mut pos) as usize;
    let mut ids = Vec::with_capacity(n);
    let mut last = 0;
    for _ in 0..n {
        last += varint(b, &mut pos);
        ids.push(last);
    }
    let runs: Vec<u64> = (0..n).map(|_| varint(b, &mut pos)).collect();
    let lens: Vec<u64> = (0..n).map(|_| varint(b, &mut pos)).collect();
    let mut out: Vec<Entry> = Vec::with_capacity(n);
    for i in 0..n {
        let raw = varint(b, &mut pos);
        let offset = if raw == 0 {
            let (_, o, l, _) = out[i - 1];
            o + l
        } else {
            raw - 1
        };
        out.push((ids[i], offset, lens[i], runs[i]));
    }
    assert_eq!(pos, b.len(), "directory fully read");
    out
}

/// The PMTiles tile id: tiles of all shallower zooms, then the Hilbert index at `z` (the
/// classic `xy2d`).
fn tile_id(z: u8, x: u32, y: u32) -> u64 {
    let base: u64 = (0..z).map(|i| 1u64 << (2 * i)).sum();
    let n = 1u64 << z;
    let (mut x, mut y) = (u64::from(x), u64::from(y));
    let mut d = 0u64;
    let mut s = n / 2;
    while s > 0 {
        let rx = u64::from(x & s > 0);
        let ry = u64::from(y & s > 0);
        d += s * s * ((3 * rx) ^ ry);
        if ry == 0 {
            if rx == 1 {
                x = n - 1 - x;
                y = n - 1 - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s /= 2;
    }
    base + d
}

struct Archive {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
    metadata: serde_json::Value,
}

impl Archive {
    fn open(path: &std::path::Path) -> Self {
        let bytes = std::fs::read(path).unwrap();
        assert_eq!(&bytes[..7], b"PMTiles");
        assert_eq!(bytes[7], 3, "spec version 3");
        let (root_off, root_len) = (u64_at(&bytes, 8) as usize, u64_at(&bytes, 16) as usize);
        let (meta_off, meta_len) = (u64_at(&bytes, 24) as usize, u64_at(&bytes, 32) as usize);
        let leaf_off = u64_at(&bytes, 40) as usize;
        let data_off = u64_at(&bytes, 56) as usize;
        assert_eq!(bytes[97], 2, "internal compression gzip");
        let metadata =
            serde_json::from_slice(&gunzip(&bytes[meta_off..meta_off + meta_len])).unwrap();
        // Walk the root directory and any leaves into absolute tile entries.
        let mut entries = Vec::new();
        let mut stack = vec![directory(&gunzip(&bytes[root_off..root_off + root_len]))];
        while let Some(dir) = stack.pop() {
            for (id, off, len, run) in dir {
                if run == 0 {
                    let at = leaf_off + off as usize;
                    stack.push(directory(&gunzip(&bytes[at..at + len as usize])));
                } else {
                    entries.push((id, data_off as u64 + off, len, run));
                }
            }
        }
        entries.sort();
        Self {
            bytes,
            entries,
            metadata,
        }
    }

    /// The tile's MVT bytes (gunzipped), if stored.
    fn tile(&self, t: TileId) -> Option<Vec<u8>> {
        let id = tile_id(t.z(), t.x(), t.y());
        let &(_, off, len, _) = self
            .entries
            .iter()
            .find(|(first, _, _, run)| *first <= id && id < first + run)?;
        assert_eq!(self.bytes[98], 2, "tile compression gzip");
        Some(gunzip(&self.bytes[off as usize..(off + len) as usize]))
    }
}

#[test]
fn hilbert_ids_match_the_spec_examples() {
    assert_eq!(tile_id(0, 0, 0), 0);
    assert_eq!(tile_id(1, 0, 0), 1);
    assert_eq!(tile_id(1, 0, 1), 2);
    assert_eq!(tile_id(1, 1, 1), 3);
    assert_eq!(tile_id(1, 1, 0), 4);
    assert_eq!(tile_id(2, 0, 0), 5);
    // Every id of zoom 3 exactly once.
    let mut ids: Vec<u64> = (0..8)
        .flat_map(|x| (0..8).map(move |y| tile_id(3, x, y)))
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, (21..85).collect::<Vec<_>>());
}

#[test]
fn an_export_reads_back_tile_by_tile() {
    let engine = synthetic_engine();
    let source = TileSource::new(engine, TileConfig::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tapachula.pmtiles");
    let bbox = Bbox::new(-92.45, 14.75, -91.6, 15.4).unwrap();
    let mut reports: Vec<ExportProgress> = Vec::new();
    let summary = export_pmtiles(&source, &Layer::ALL, &bbox, 5..=8, &path, |p| {
        reports.push(p)
    })
    .unwrap();
    assert_eq!((summary.min_zoom, summary.max_zoom), (5, 8));
    assert_eq!(
        summary.tiles_rendered,
        senda_tiles::count_tiles_covering(&bbox, 5..=8)
    );
    assert!(summary.tiles_written > 0 && summary.tiles_written <= summary.tiles_rendered);
    assert_eq!(summary.bytes, std::fs::metadata(&path).unwrap().len());
    let last = reports.last().unwrap();
    assert_eq!(
        (last.done, last.total),
        (summary.tiles_rendered, summary.tiles_rendered)
    );
    assert!(reports.windows(2).all(|w| w[0].done < w[1].done));
    // No partial file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    let archive = Archive::open(&path);
    let b = &archive.bytes;
    assert_eq!(b[99], 1, "tile type MVT");
    assert_eq!((b[100], b[101]), (5, 8), "zooms");
    let e7 = |at| f64::from(i32_at(b, at)) / 1e7;
    assert!((e7(102) - -92.45).abs() < 1e-6 && (e7(106) - 14.75).abs() < 1e-6);
    assert!((e7(110) - -91.6).abs() < 1e-6 && (e7(114) - 15.4).abs() < 1e-6);
    // Addressed tiles in the header and in the directories agree with the summary.
    let addressed: u64 = archive.entries.iter().map(|e| e.3).sum();
    assert_eq!(addressed, summary.tiles_written);
    assert_eq!(u64_at(b, 72), summary.tiles_written);
    assert_eq!(b[96], 1, "clustered");

    let meta = &archive.metadata;
    let ids: Vec<&str> = meta["vector_layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "risk",
            "roads",
            "shelters",
            "transit",
            "incidents",
            "alerts"
        ]
    );
    let attribution = meta["attribution"].as_str().unwrap();
    assert!(attribution.contains("IOM Missing Migrants Project (CC BY 4.0)"));
    assert!(attribution.contains("Travel Mapping"));
    assert_eq!(meta["access"], "public");

    // The tile holding the open shelter at zoom 8: all layers in one MVT, public only.
    let p = open_pos();
    let tile = TileId::containing(p.lon(), p.lat(), 8).unwrap();
    let mvt = archive.tile(tile).expect("the tile is stored");
    let layers = decode(&mvt);
    for name in ["risk", "roads", "shelters", "incidents", "alerts"] {
        assert!(
            layers.contains_key(name),
            "{name} missing: {:?}",
            layers.keys()
        );
    }
    let shelters = &layers["shelters"].1;
    assert!(shelters.iter().any(|f| f.str("name") == Some(OPEN_NAME)));
    assert!(shelters.iter().all(|f| f.str("name") != Some(HIDDEN_NAME)));
    assert!(layers["incidents"]
        .1
        .iter()
        .all(|f| f.str("kind") == Some("cell") && f.num("count").unwrap() >= 5.0));
    // The same bytes as rendering the tile directly.
    assert_eq!(
        mvt,
        source.render_layers(&Layer::ALL, tile, senda_tiles::Access::Public)
    );
    // Every stored tile decodes, and no tile is stored outside the zooms.
    // Ids of zooms 5..=8 run from 4⁰+…+4⁴ = 341 up to 4⁰+…+4⁸ = 87,381 (excluded).
    for &(id, off, len, run) in &archive.entries {
        assert!((341..87_381).contains(&id) && id + run <= 87_381, "{id}");
        let bytes = gunzip(&archive.bytes[off as usize..(off + len) as usize]);
        assert!(!decode(&bytes).is_empty());
    }
}

#[test]
fn bad_exports_are_refused() {
    let source = TileSource::new(synthetic_engine(), TileConfig::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.pmtiles");
    let bbox = Bbox::new(-92.45, 14.75, -91.6, 15.4).unwrap();
    assert!(export_pmtiles(&source, &[], &bbox, 5..=8, &path, |_| {}).is_err());
    // Transit starts at zoom 5.
    assert!(export_pmtiles(&source, &[Layer::Transit], &bbox, 0..=4, &path, |_| {}).is_err());
    // An unwritable place.
    let nowhere = dir.path().join("missing/dir/x.pmtiles");
    let err = export_pmtiles(&source, &[Layer::Roads], &bbox, 5..=5, &nowhere, |_| {});
    assert!(matches!(err, Err(senda_tiles::TileError::Io { .. })));
    assert!(!path.exists());
}
