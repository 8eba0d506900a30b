//! Privacy checks shared by the synthetic and the default-data tests.

use super::*;
use senda_core::LonLat;
use senda_tiles::{lonlat_to_tile_pixel, Access, Bbox, Layer, TileId, TileSource};
use std::collections::HashSet;

/// What public tiles must never show.
pub struct Secrets {
    pub hidden_name: String,
    pub hidden_phone: Option<String>,
    pub hidden_pos: LonLat,
    /// The public shelters (name, position): one of them may be drawn on the same pixel as the
    /// restricted one at low zoom.
    pub public_shelters: Vec<(String, LonLat)>,
    pub report_ids: HashSet<String>,
    pub k: u32,
}

/// Checks one public tile of one layer; returns the incident counts seen.
pub fn check_public_tile(source: &TileSource, layer: Layer, tile: TileId, s: &Secrets) -> Vec<u64> {
    let bytes = source.render(layer, tile, Access::Public).unwrap();
    assert!(
        !bytes
            .windows(s.hidden_name.len())
            .any(|w| w == s.hidden_name.as_bytes()),
        "{layer} {tile}: the restricted shelter's name is in the bytes"
    );
    let mut counts = Vec::new();
    for f in features(&bytes, layer.as_str()) {
        for (key, value) in &f.props {
            if let mvt_reader::feature::Value::String(v) = value {
                assert_ne!(v, &s.hidden_name, "{layer} {tile}");
                assert!(Some(v) != s.hidden_phone.as_ref(), "{layer} {tile}: phone");
                assert!(!s.report_ids.contains(v), "{layer} {tile}: report id {v}");
            }
            assert_ne!(key, "restricted", "{layer} {tile}: analyst-only field");
        }
        match layer {
            Layer::Shelters => {
                let (x, y) = f.point().expect("shelters are points");
                let near = |p: LonLat| {
                    let [px, py] = lonlat_to_tile_pixel(tile, p.lon(), p.lat());
                    (x - px).abs() <= 1.0 && (y - py).abs() <= 1.0
                };
                if near(s.hidden_pos) {
                    // Only a public shelter that really stands there may be drawn there.
                    let name = f.str("name").unwrap_or_default();
                    assert!(
                        s.public_shelters.iter().any(|(n, p)| n == name && near(*p)),
                        "{tile}: a shelter at the restricted shelter's position"
                    );
                }
            }
            Layer::Incidents => {
                assert!(f.point().is_none(), "{tile}: a single report as a point");
                assert_eq!(f.str("kind"), Some("cell"));
                for field in ["id", "occurred", "category", "severity", "review"] {
                    assert!(!f.props.contains_key(field), "{tile}: report field {field}");
                }
                let n = f.num("count").unwrap();
                assert!(n >= f64::from(s.k), "{tile}: a cell with {n} < k reports");
                counts.push(n as u64);
            }
            _ => {}
        }
    }
    counts
}

/// The tiles of zoom `z` to check: every tile over `bbox` while there are few, otherwise the
/// tiles around each position of interest.
pub fn tiles_to_check(bbox: &Bbox, z: u8, around: &[LonLat]) -> Vec<TileId> {
    if senda_tiles::count_tiles_covering(bbox, z..=z) <= 64 {
        return senda_tiles::tiles_covering(bbox, z..=z).collect();
    }
    let mut out = HashSet::new();
    for p in around {
        let t = TileId::containing(p.lon(), p.lat(), z).unwrap();
        for dx in -1i64..=1 {
            for dy in -1i64..=1 {
                let (x, y) = (i64::from(t.x()) + dx, i64::from(t.y()) + dy);
                if let (Ok(x), Ok(y)) = (u32::try_from(x), u32::try_from(y)) {
                    if let Ok(t) = TileId::new(z, x, y) {
                        out.insert(t);
                    }
                }
            }
        }
    }
    let mut out: Vec<TileId> = out.into_iter().collect();
    out.sort();
    out
}
