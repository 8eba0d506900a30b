//! Public risk hexagons and road risk hide the kernel of reports in cells with fewer than k
//! reports (weather hazard stays public); analysts see the full field.

mod common;

use common::*;
use h3o::{CellIndex, LatLng};
use senda_core::LonLat;
use senda_tiles::{Access, Layer, TileConfig, TileId, TileSource};

/// Risk hexagons of the tile around `p` at zoom `z` whose centre lies within `km` of `p`:
/// (h3, value_foot).
fn risk_near(source: &TileSource, p: LonLat, z: u8, access: Access, km: f64) -> Vec<(String, f64)> {
    let tile = TileId::containing(p.lon(), p.lat(), z).unwrap();
    features(&source.render(Layer::Risk, tile, access).unwrap(), "risk")
        .into_iter()
        .filter_map(|f| {
            let h3 = f.str("h3")?.to_owned();
            let c = LatLng::from(h3.parse::<CellIndex>().unwrap());
            let d = senda_core::haversine_m(p, LonLat::new(c.lng(), c.lat()).unwrap());
            (d <= km * 1000.0).then(|| (h3, f.num("value_foot").unwrap()))
        })
        .collect()
}

#[test]
fn reports_below_k_draw_no_public_risk_hexagon() {
    let source = TileSource::new(synthetic_engine(), TileConfig::default()).unwrap();
    // 3 reports (< k = 5) around the quiet position, no alert there.
    for z in [10u8, 12, 14] {
        let public = risk_near(&source, quiet_pos(), z, Access::Public, 5.0);
        assert!(public.is_empty(), "zoom {z}: {public:?}");
        let analyst = risk_near(&source, quiet_pos(), z, Access::Analyst, 5.0);
        assert!(
            analyst.iter().any(|(_, v)| *v > 0.0),
            "zoom {z}: analysts see the kernel"
        );
    }
}

#[test]
fn reports_at_k_or_more_draw_the_same_public_risk() {
    let source = TileSource::new(synthetic_engine(), TileConfig::default()).unwrap();
    // 6 reports (≥ k) at the busy position: the public sees the analysts' values there.
    for z in [11u8, 12, 14] {
        let analyst = risk_near(&source, busy_pos(), z, Access::Analyst, 1.0);
        assert!(!analyst.is_empty(), "zoom {z}");
        let public = risk_near(&source, busy_pos(), z, Access::Public, 1.0);
        assert_eq!(public, analyst, "zoom {z}");
    }
    // With k = 7 the busy cell no longer qualifies: only the alert's hazard remains, lower.
    let strict = TileSource::new(
        synthetic_engine(),
        TileConfig {
            k_anonymity: 7,
            ..TileConfig::default()
        },
    )
    .unwrap();
    let analyst = risk_near(&strict, busy_pos(), 12, Access::Analyst, 3.0);
    let public = risk_near(&strict, busy_pos(), 12, Access::Public, 3.0);
    let max = |v: &[(String, f64)]| v.iter().map(|x| x.1).fold(0.0, f64::max);
    assert!(max(&public) < max(&analyst), "{public:?} vs {analyst:?}");
}

#[test]
fn public_road_risk_drops_the_incident_component_below_k() {
    let config = TileConfig {
        k_anonymity: 1_000,
        ..TileConfig::default()
    };
    let source = TileSource::new(synthetic_engine(), config).unwrap();
    let p = busy_pos();
    let (mut lower, mut seen) = (0, 0);
    for z in [12u8, 13, 14] {
        let tile = TileId::containing(p.lon(), p.lat(), z).unwrap();
        let public = features(
            &source.render(Layer::Roads, tile, Access::Public).unwrap(),
            "roads",
        );
        let analyst = features(
            &source.render(Layer::Roads, tile, Access::Analyst).unwrap(),
            "roads",
        );
        assert_eq!(public.len(), analyst.len());
        for (a, b) in public.iter().zip(&analyst) {
            assert_eq!(a.id, b.id);
            let (pa, pb) = (a.num("risk_foot").unwrap(), b.num("risk_foot").unwrap());
            assert!(pa <= pb + 1e-12, "{pa} > {pb}");
            lower += usize::from(pa < pb);
            seen += 1;
        }
    }
    assert!(seen > 0 && lower > 0, "{lower} of {seen} roads lowered");
}
