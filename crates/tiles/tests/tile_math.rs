//! Tile math: known values, round trips and covering counts against a brute-force scan.

use proptest::prelude::*;
use senda_tiles::{
    count_tiles_covering, lonlat_to_tile_pixel, tile_pixel_to_lonlat, tiles_covering, Bbox, TileId,
    MAX_LATITUDE,
};

fn close(a: f64, b: f64, eps: f64) -> bool {
    (a - b).abs() <= eps
}

#[test]
fn tile_ids_are_validated() {
    assert!(TileId::new(0, 0, 0).is_ok());
    assert!(TileId::new(22, (1 << 22) - 1, (1 << 22) - 1).is_ok());
    assert!(TileId::new(22, 1 << 22, 0).is_err());
    assert!(TileId::new(23, 0, 0).is_err());
    assert!(TileId::new(3, 0, 8).is_err());
    let msg = TileId::new(3, 9, 0).unwrap_err().to_string();
    assert!(msg.contains("3/9/0"), "{msg}");
}

#[test]
fn known_positions_land_on_known_tiles_and_pixels() {
    // (0°, 0°) is the shared corner of the four tiles of zoom 1: the top-left pixel of 1/1/1.
    let t = TileId::containing(0.0, 0.0, 1).unwrap();
    assert_eq!(t, TileId::new(1, 1, 1).unwrap());
    assert_eq!(lonlat_to_tile_pixel(t, 0.0, 0.0), [0.0, 0.0]);
    // … and the bottom-right corner of 1/0/0.
    let p = lonlat_to_tile_pixel(TileId::new(1, 0, 0).unwrap(), 0.0, 0.0);
    assert_eq!(p, [4096.0, 4096.0]);
    // Tapachula at zoom 10 (the slippy-map formula, computed independently:
    // x = 249.552498, y = 469.131834).
    let t = TileId::containing(-92.2667, 14.9, 10).unwrap();
    assert_eq!((t.x(), t.y()), (249, 469));
    let [px, py] = lonlat_to_tile_pixel(t, -92.2667, 14.9);
    assert!(
        close(px, 2263.0309, 1e-3) && close(py, 539.9926, 1e-3),
        "{px},{py}"
    );
    // The world tile.
    let b = TileId::new(0, 0, 0).unwrap().bounds();
    assert_eq!(b.to_array()[0], -180.0);
    assert!(close(b.north(), MAX_LATITUDE, 1e-9) && close(b.south(), -MAX_LATITUDE, 1e-9));
    // Web Mercator metres of 1/0/0: the north-west quarter.
    let m = TileId::new(1, 0, 0).unwrap().mercator_bounds();
    assert!(close(m[0], -20_037_508.342789244, 1e-6) && close(m[1], 0.0, 1e-6));
    assert!(close(m[2], 0.0, 1e-6) && close(m[3], 20_037_508.342789244, 1e-6));
}

#[test]
fn children_tile_their_parent() {
    let parent = TileId::new(5, 7, 14).unwrap();
    let pb = parent.bounds();
    let kids = parent.children();
    assert_eq!(kids.len(), 4);
    let union = kids
        .iter()
        .map(|k| k.bounds())
        .reduce(|a, b| a.union(&b))
        .unwrap();
    for (a, b) in pb.to_array().iter().zip(union.to_array()) {
        assert!(close(*a, b, 1e-9));
    }
}

#[test]
fn covering_counts_match_a_brute_force_scan() {
    let boxes = [
        Bbox::new(-118.0, 7.0, -77.0, 33.0).unwrap(), // the corridor
        Bbox::new(-92.5, 14.5, -92.0, 15.0).unwrap(),
        Bbox::new(-1.0, -1.0, 1.0, 1.0).unwrap(), // across both axes' tile borders
        Bbox::new(0.0, 0.0, 0.0, 0.0).unwrap(),   // a point on a border
        Bbox::world(),
    ];
    for bbox in boxes {
        for z in 0..=7u8 {
            let listed: Vec<TileId> = tiles_covering(&bbox, z..=z).collect();
            assert_eq!(listed.len() as u64, count_tiles_covering(&bbox, z..=z));
            // Brute force: tiles whose bounds overlap the box with positive area, or that hold
            // the box when it is a point.
            let n = 1u32 << z;
            let mut expected = 0;
            for x in 0..n {
                for y in 0..n {
                    let t = TileId::new(z, x, y).unwrap();
                    let b = t.bounds();
                    let overlaps = b.west() < bbox.east()
                        && bbox.west() < b.east()
                        && b.south() < bbox.north()
                        && bbox.south() < b.north();
                    let degenerate = bbox.west() == bbox.east() || bbox.south() == bbox.north();
                    let holds = degenerate
                        && TileId::containing(bbox.west(), bbox.north(), z).unwrap() == t;
                    if overlaps || holds {
                        expected += 1;
                        assert!(listed.contains(&t), "{t} missing for {bbox:?}");
                    }
                }
            }
            assert_eq!(listed.len(), expected, "zoom {z}, {bbox:?}");
        }
    }
    // Several zooms add up, and known totals.
    let world = Bbox::world();
    assert_eq!(count_tiles_covering(&world, 0..=4), 1 + 4 + 16 + 64 + 256);
    let corridor = Bbox::new(-118.0, 7.0, -77.0, 33.0).unwrap();
    assert_eq!(
        count_tiles_covering(&corridor, 5..=8),
        (5..=8)
            .map(|z| count_tiles_covering(&corridor, z..=z))
            .sum::<u64>()
    );
    // By hand: z5 5×4, z6 8×6, z7 15×11, z8 30×21.
    assert_eq!(tiles_covering(&corridor, 5..=8).count() as u64, 863);
}

proptest! {
    #[test]
    fn pixels_round_trip(lon in -180.0f64..180.0, lat in -85.0f64..85.0, z in 0u8..=22) {
        let t = TileId::containing(lon, lat, z).unwrap();
        let [px, py] = lonlat_to_tile_pixel(t, lon, lat);
        // A position is inside the tile that contains it.
        prop_assert!((0.0..=4096.0).contains(&px) && (0.0..=4096.0).contains(&py), "{px},{py}");
        let [lon2, lat2] = tile_pixel_to_lonlat(t, px, py);
        prop_assert!(close(lon, lon2, 1e-9) && close(lat, lat2, 1e-9));
        // And within the tile's bounds.
        let b = t.bounds();
        prop_assert!(b.west() - 1e-9 <= lon && lon <= b.east() + 1e-9);
        prop_assert!(b.south() - 1e-9 <= lat && lat <= b.north() + 1e-9);
    }
}
