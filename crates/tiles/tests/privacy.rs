//! Privacy over synthetic data: for every layer at several zooms, public tiles never hold a
//! restricted shelter (name, phone or position), a single incident report, or an incident cell
//! with fewer than k reports; analyst tiles do show the restricted shelter and the reports.

mod common;

use common::privacy::*;
use common::*;
use senda_tiles::{lonlat_to_tile_pixel, Access, Bbox, Layer, TileConfig, TileId, TileSource};

const ZOOMS: [u8; 9] = [0, 3, 5, 6, 8, 10, 11, 12, 14];

fn secrets() -> Secrets {
    Secrets {
        hidden_name: HIDDEN_NAME.into(),
        hidden_phone: Some("+52 962 000 0000".into()),
        hidden_pos: hidden_pos(),
        public_shelters: vec![(OPEN_NAME.into(), open_pos())],
        report_ids: synthetic_engine()
            .incidents()
            .iter()
            .map(|i| i.key.to_string())
            .collect(),
        k: 5,
    }
}

#[test]
fn public_tiles_of_every_layer_hide_restricted_and_raw_data() {
    let source = TileSource::new(synthetic_engine(), TileConfig::default()).unwrap();
    let s = secrets();
    let bbox = Bbox::new(-92.4, 14.8, -91.6, 15.4).unwrap();
    let around = [hidden_pos(), busy_pos(), quiet_pos(), open_pos()];
    let mut checked = 0;
    for z in ZOOMS {
        for layer in Layer::ALL.into_iter().filter(|l| l.has_zoom(z)) {
            let mut total = 0;
            for tile in tiles_to_check(&bbox, z, &around) {
                let counts = check_public_tile(&source, layer, tile, &s);
                if layer == Layer::Incidents {
                    // Cells repeat across neighbouring tiles (the buffer); each has 6 reports.
                    assert!(counts.iter().all(|&n| n == 6), "zoom {z}: {counts:?}");
                    total += counts.len();
                }
                checked += 1;
            }
            if layer == Layer::Incidents {
                assert!(total > 0, "zoom {z}: the busy cell shows");
            }
        }
    }
    assert!(checked > 200, "{checked} tiles checked");
}

#[test]
fn analyst_tiles_show_the_restricted_shelter_and_the_reports() {
    let source = TileSource::new(synthetic_engine(), TileConfig::default()).unwrap();
    for z in [3u8, 8, 12, 14] {
        let p = hidden_pos();
        let tile = TileId::containing(p.lon(), p.lat(), z).unwrap();
        let feats = features(
            &source
                .render(Layer::Shelters, tile, Access::Analyst)
                .unwrap(),
            "shelters",
        );
        let hidden = feats
            .iter()
            .find(|f| f.str("name") == Some(HIDDEN_NAME))
            .unwrap_or_else(|| panic!("zoom {z}: the restricted shelter"));
        assert_eq!(hidden.bool("restricted"), Some(true));
        let (x, y) = hidden.point().unwrap();
        let [hx, hy] = lonlat_to_tile_pixel(tile, p.lon(), p.lat());
        assert!((x - hx).abs() <= 1.0 && (y - hy).abs() <= 1.0);
    }
    // Cells under k (the 3 quiet reports) are visible to analysts.
    let q = quiet_pos();
    let tile = TileId::containing(q.lon(), q.lat(), 8).unwrap();
    let cells = features(
        &source
            .render(Layer::Incidents, tile, Access::Analyst)
            .unwrap(),
        "incidents",
    );
    assert!(cells.iter().any(|f| f.num("count") == Some(3.0)));
    let public = features(
        &source
            .render(Layer::Incidents, tile, Access::Public)
            .unwrap(),
        "incidents",
    );
    assert!(public.iter().all(|f| f.num("count") != Some(3.0)));
}

#[test]
fn a_larger_k_hides_more() {
    // With k = 7 even the busy cell (6 reports) is gone from public tiles, at every zoom.
    let config = TileConfig {
        k_anonymity: 7,
        ..TileConfig::default()
    };
    let source = TileSource::new(synthetic_engine(), config).unwrap();
    let c = busy_pos();
    for z in ZOOMS {
        let tile = TileId::containing(c.lon(), c.lat(), z).unwrap();
        let bytes = source
            .render(Layer::Incidents, tile, Access::Public)
            .unwrap();
        assert!(bytes.is_empty(), "zoom {z}");
        assert!(!source
            .render(Layer::Incidents, tile, Access::Analyst)
            .unwrap()
            .is_empty());
    }
}
