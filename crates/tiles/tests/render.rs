//! Rendering the layers of a synthetic engine, decoded with an independent MVT reader.

mod common;

use common::*;
use geo::Geometry;
use senda_core::engine::{Engine, EngineConfig, EngineData};
use senda_core::{EdgeId, RoadClass, RoadSegment, SourceKey};
use senda_tiles::{
    h3_resolution_for_zoom, lonlat_to_tile_pixel, Access, Layer, TileConfig, TileError, TileId,
    TileSource,
};
use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

fn source() -> &'static TileSource {
    static S: OnceLock<TileSource> = OnceLock::new();
    S.get_or_init(|| TileSource::new(synthetic_engine(), TileConfig::default()).unwrap())
}

fn render(layer: Layer, tile: TileId, access: Access) -> Vec<Feat> {
    features(
        &source().render(layer, tile, access).unwrap(),
        layer.as_str(),
    )
}

/// Every position of every feature lies within the tile plus its 64-pixel buffer.
fn assert_in_buffer(feats: &[Feat]) {
    for f in feats {
        for (x, y) in f.coords() {
            assert!(
                (-64.0..=4160.0).contains(&x) && (-64.0..=4160.0).contains(&y),
                "{x},{y} outside the buffer"
            );
        }
    }
}

/// Polygons are closed, exterior rings have positive area in tile coordinates.
fn assert_polygons_valid(feats: &[Feat]) {
    for f in feats {
        let polys = match &f.geometry {
            Geometry::Polygon(p) => vec![p.clone()],
            Geometry::MultiPolygon(mp) => mp.0.clone(),
            other => panic!("expected polygons, got {other:?}"),
        };
        for p in polys {
            let ring = p.exterior();
            assert!(
                ring.0.len() >= 4,
                "a ring needs 3 positions and the closing one"
            );
            assert_eq!(ring.0.first(), ring.0.last(), "closed ring");
            assert!(ring_area2(ring) > 0.0, "exterior rings have positive area");
            assert!(p.interiors().is_empty());
        }
    }
}

#[test]
fn a_shelter_lands_on_its_pixel_with_its_properties() {
    for z in [3u8, 8, 12, 14] {
        let p = open_pos();
        let tile = TileId::containing(p.lon(), p.lat(), z).unwrap();
        let feats = render(Layer::Shelters, tile, Access::Public);
        let open: Vec<&Feat> = feats
            .iter()
            .filter(|f| f.str("name") == Some(OPEN_NAME))
            .collect();
        assert_eq!(open.len(), 1, "zoom {z}");
        let f = open[0];
        let (x, y) = f.point().expect("a point");
        let [ex, ey] = lonlat_to_tile_pixel(tile, p.lon(), p.lat());
        assert!(
            (x - ex).abs() <= 1.0 && (y - ey).abs() <= 1.0,
            "zoom {z}: at {x},{y}, expected {ex},{ey}"
        );
        assert_eq!(f.str("kind"), Some("shelter"));
        assert_eq!(f.str("services"), Some("bed,food"));
        assert_eq!(f.str("phone"), Some("+52 962 111 1111"));
        assert_eq!(f.str("verified"), Some("unverified"));
        assert_eq!(f.bool("location_suspect"), Some(false));
        assert_eq!(
            f.bool("restricted"),
            None,
            "public tiles carry no restricted flag"
        );
    }
}

#[test]
fn roads_are_clipped_within_the_buffer_and_drawn_once_per_piece_of_road() {
    let engine = synthetic_engine();
    let graph = engine.graph();
    let c = open_pos();
    let tile = TileId::containing(c.lon(), c.lat(), 14).unwrap();
    let feats = render(Layer::Roads, tile, Access::Public);
    assert!(feats.len() > 3, "{} roads", feats.len());
    assert_in_buffer(&feats);
    let ids: HashSet<u64> = feats.iter().map(|f| f.id.unwrap()).collect();
    assert_eq!(ids.len(), feats.len(), "feature ids are unique");
    for &id in &ids {
        let e = EdgeId(id as u32);
        if let Some(t) = graph.twin(e) {
            assert!(
                !ids.contains(&u64::from(t.0)),
                "edge {id} and its twin both drawn"
            );
        }
    }
    // Lines crossing the tile edge end on the buffer's edge.
    let on_edge = feats
        .iter()
        .flat_map(|f| f.coords())
        .filter(|&(x, y)| x == -64.0 || x == 4160.0 || y == -64.0 || y == 4160.0)
        .count();
    assert!(on_edge > 0, "some line crosses the buffer edge");
    for f in &feats {
        match &f.geometry {
            Geometry::LineString(l) => assert!(l.0.len() >= 2),
            Geometry::MultiLineString(m) => assert!(m.0.iter().all(|l| l.0.len() >= 2)),
            other => panic!("expected lines, got {other:?}"),
        }
        let class = RoadClass::parse(f.str("class").unwrap()).unwrap();
        let e = EdgeId(f.id.unwrap() as u32);
        assert_eq!(class, graph.class(e));
        let expected = engine.edge_risk(senda_core::Profile::Foot)[e.index()].mean_density();
        let got = f.num("risk_foot").unwrap();
        assert!(
            (got - expected).abs() <= 1e-3 * expected.max(1e-9),
            "{got} vs {expected}"
        );
        assert!(f.num("risk_vehicle").is_some());
        assert_eq!(f.bool("blocked_foot"), Some(false));
    }
}

#[test]
fn low_zooms_draw_only_major_roads() {
    let c = open_pos();
    let minor = |z: u8| {
        let tile = TileId::containing(c.lon(), c.lat(), z).unwrap();
        let feats = render(Layer::Roads, tile, Access::Public);
        let classes: HashSet<String> = feats
            .iter()
            .map(|f| f.str("class").unwrap().to_owned())
            .collect();
        classes
    };
    let z4 = minor(4);
    assert!(z4.iter().all(|c| c == "motorway" || c == "trunk"), "{z4:?}");
    let z12 = minor(12);
    assert!(z12.contains("residential"), "{z12:?}");
}

#[test]
fn risk_hexagons_use_the_zoom_table_and_are_valid_polygons() {
    let c = busy_pos();
    for z in [0u8, 4, 6, 9, 10, 13] {
        let tile = TileId::containing(c.lon(), c.lat(), z).unwrap();
        let feats = render(Layer::Risk, tile, Access::Public);
        assert!(!feats.is_empty(), "zoom {z}");
        assert_polygons_valid(&feats);
        assert_in_buffer(&feats);
        let res = u8::from(h3_resolution_for_zoom(z)).min(7);
        for f in &feats {
            assert_eq!(f.num("res"), Some(f64::from(res)), "zoom {z}");
            let cell: h3o::CellIndex = f.str("h3").unwrap().parse().unwrap();
            assert_eq!(u8::from(cell.resolution()), res);
            assert_eq!(f.id, Some(u64::from(cell)));
            let (mean, max) = (f.num("value_foot").unwrap(), f.num("max_foot").unwrap());
            assert!(mean >= 0.0 && mean <= max * 1.05 + 1e-12, "{mean} > {max}");
        }
    }
    // The hottest field cell is where the reports are.
    let tile = TileId::containing(c.lon(), c.lat(), 12).unwrap();
    let feats = render(Layer::Risk, tile, Access::Public);
    let hottest = feats
        .iter()
        .max_by(|a, b| {
            a.num("value_foot")
                .unwrap()
                .total_cmp(&b.num("value_foot").unwrap())
        })
        .unwrap();
    let cell: h3o::CellIndex = hottest.str("h3").unwrap().parse().unwrap();
    let here = h3o::LatLng::new(c.lat(), c.lon())
        .unwrap()
        .to_cell(h3o::Resolution::Seven);
    assert!(
        cell == here || cell.is_neighbor_with(here).unwrap_or(false),
        "hottest {cell}, reports in {here}"
    );
}

#[test]
fn incident_cells_are_aggregated_and_k_anonymous() {
    let c = busy_pos();
    for z in [2u8, 6, 8, 11] {
        let tile = TileId::containing(c.lon(), c.lat(), z).unwrap();
        let public = render(Layer::Incidents, tile, Access::Public);
        assert_polygons_valid(&public);
        let total: f64 = public.iter().map(|f| f.num("count").unwrap()).sum();
        // The 6 busy reports; the 3 quiet ones (below k) never count, the retracted one never.
        assert_eq!(total, 6.0, "zoom {z}");
        for f in &public {
            assert_eq!(f.str("kind"), Some("cell"));
            assert!(f.num("count").unwrap() >= 5.0);
            // 4 drownings and 2 kidnappings: neither reaches k, so neither is named.
            assert_eq!(f.str("categories"), Some("other:6"));
            assert_eq!(f.str("top_category"), Some("mixed"));
            assert!(
                u8::from(
                    f.str("h3")
                        .unwrap()
                        .parse::<h3o::CellIndex>()
                        .unwrap()
                        .resolution()
                ) <= 5
            );
        }
        let analyst = render(Layer::Incidents, tile, Access::Analyst);
        let res = source().incident_resolution(z, Access::Analyst);
        let cell_of =
            |p: senda_core::LonLat| h3o::LatLng::new(p.lat(), p.lon()).unwrap().to_cell(res);
        let busy_cell = cell_of(c);
        let together = cell_of(quiet_pos()) == busy_cell;
        let busy = analyst
            .iter()
            .find(|f| f.str("h3") == Some(busy_cell.to_string().as_str()))
            .expect("the busy cell");
        if together {
            assert_eq!(busy.num("count"), Some(9.0));
            assert_eq!(
                busy.str("categories"),
                Some("drowning:4,violence:3,kidnapping:2")
            );
        } else {
            assert_eq!(busy.num("count"), Some(6.0));
            assert_eq!(busy.str("categories"), Some("drowning:4,kidnapping:2"));
        }
        assert_eq!(busy.str("top_category"), Some("drowning"));
    }
    // Analysts see the single reports from zoom 12, as points.
    let tile = TileId::containing(c.lon(), c.lat(), 12).unwrap();
    let reports = render(Layer::Incidents, tile, Access::Analyst);
    assert_eq!(reports.len(), 6);
    for f in &reports {
        assert!(f.point().is_some());
        assert_eq!(f.str("kind"), Some("report"));
        assert!(f.str("id").unwrap().starts_with("test:inc-"));
        assert_ne!(f.str("review"), Some("retracted"));
    }
}

#[test]
fn alerts_are_polygons_with_their_cap_fields() {
    // The polygon (-92.40..-92.10, 14.80..15.00) and the 20 km circle at (-92.0, 15.2).
    let tile = TileId::containing(-92.2, 14.9, 9).unwrap();
    let feats = render(Layer::Alerts, tile, Access::Public);
    assert_eq!(feats.len(), 1);
    assert_polygons_valid(&feats);
    assert_in_buffer(&feats);
    let f = &feats[0];
    assert_eq!(f.str("event"), Some("Tormenta tropical"));
    assert_eq!(f.str("severity"), Some("severe"));
    assert_eq!(f.str("urgency"), Some("immediate"));
    assert_eq!(f.str("certainty"), Some("observed"));
    assert_eq!(f.str("expires"), Some("2025-10-01T12:00:00Z"));
    assert_eq!(f.str("area"), Some("Soconusco"));
    // At zoom 6 the polygon and the circle are both in one tile: one feature, two polygons.
    let tile = TileId::containing(-92.2, 14.9, 6).unwrap();
    let feats = render(Layer::Alerts, tile, Access::Public);
    assert_polygons_valid(&feats);
    let Geometry::MultiPolygon(mp) = &feats[0].geometry else {
        panic!("a multipolygon: {:?}", feats[0].geometry);
    };
    assert_eq!(mp.0.len(), 2);
    // The circle has (about) 64 vertices and the area of a 20 km circle.
    let circle = mp.0.iter().max_by_key(|p| p.exterior().0.len()).unwrap();
    assert!(circle.exterior().0.len() >= 60);
    let px_per_km = {
        let a = lonlat_to_tile_pixel(tile, -92.0, 15.2);
        let b = lonlat_to_tile_pixel(tile, -92.0, 15.2 + 20.0 / 111.195);
        (a[1] - b[1]).abs() / 20.0
    };
    let area_km2 = ring_area2(circle.exterior()) / 2.0 / px_per_km.powi(2);
    let expected = std::f64::consts::PI * 400.0;
    assert!(
        (area_km2 - expected).abs() < 0.03 * expected,
        "{area_km2} km²"
    );
}

#[test]
fn an_empty_tile_is_zero_bytes_and_decodes_to_no_layers() {
    // Central Europe: nothing there.
    let tile = TileId::containing(10.0, 50.0, 10).unwrap();
    for layer in Layer::ALL {
        let bytes = source().render(layer, tile, Access::Analyst).unwrap();
        assert!(bytes.is_empty(), "{layer}");
        assert!(decode(&bytes).is_empty());
    }
    assert!(source()
        .render_layers(&Layer::ALL, tile, Access::Public)
        .is_empty());
}

#[test]
fn zooms_outside_a_layer_are_errors() {
    let tile = TileId::new(2, 0, 0).unwrap();
    match source().render(Layer::Roads, tile, Access::Public) {
        Err(TileError::ZoomOutOfRange { layer, z, min, max }) => {
            assert_eq!((layer, z, min, max), (Layer::Roads, 2, 3, 14));
        }
        other => panic!("{other:?}"),
    }
    let deep = TileId::new(15, 0, 0).unwrap();
    assert!(source().render(Layer::Risk, deep, Access::Public).is_err());
    // render_layers leaves such layers out instead.
    let c = open_pos();
    let tile = TileId::containing(c.lon(), c.lat(), 4).unwrap();
    let both =
        decode(&source().render_layers(&[Layer::Transit, Layer::Shelters], tile, Access::Public));
    assert!(both.contains_key("shelters") && !both.contains_key("transit"));
}

#[test]
fn several_layers_go_into_one_tile() {
    let c = open_pos();
    let tile = TileId::containing(c.lon(), c.lat(), 10).unwrap();
    let bytes = source().render_layers(&Layer::ALL, tile, Access::Public);
    let layers = decode(&bytes);
    let names: Vec<&str> = layers.keys().map(String::as_str).collect();
    assert_eq!(names, ["alerts", "incidents", "risk", "roads", "shelters"]);
    for (extent, _) in layers.values() {
        assert_eq!(*extent, 4096);
    }
    // The same features as one layer rendered alone.
    let alone = render(Layer::Shelters, tile, Access::Public);
    assert_eq!(layers["shelters"].1.len(), alone.len());
    // Gzip round trip.
    let gz = senda_tiles::gzip(&bytes);
    let mut back = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut back).unwrap();
    assert_eq!(back, bytes);
}

#[test]
fn road_names_come_from_the_segments_the_graph_was_built_from() {
    let p = ll;
    let mut a = RoadSegment::new(
        SourceKey::new("t", "a").unwrap(),
        RoadClass::Trunk,
        vec![p(-92.30, 14.90), p(-92.25, 14.90), p(-92.20, 14.90)],
    )
    .unwrap();
    a.name = Some("Carretera Costera".into());
    a.route_ref = Some("MEX200".into());
    let b = RoadSegment::new(
        SourceKey::new("t", "b").unwrap(),
        RoadClass::Primary,
        vec![p(-92.25, 14.90), p(-92.25, 14.95)],
    )
    .unwrap();
    let roads = vec![a, b];
    let data = EngineData {
        roads: roads.clone(),
        ..Default::default()
    };
    let engine = Engine::build(data, at(), EngineConfig::default()).unwrap();
    let source = TileSource::with_roads(&engine, &roads, TileConfig::default()).unwrap();
    let tile = TileId::containing(-92.25, 14.92, 9).unwrap();
    let feats = features(
        &source.render(Layer::Roads, tile, Access::Public).unwrap(),
        "roads",
    );
    // Segment a is split at the shared vertex: two trunk edges, one primary.
    let named: Vec<&Feat> = feats
        .iter()
        .filter(|f| f.str("name") == Some("Carretera Costera"))
        .collect();
    assert_eq!(named.len(), 2);
    assert!(named.iter().all(|f| f.str("ref") == Some("MEX200")));
    assert_eq!(feats.len(), 3);
    // The wrong segments are refused.
    let err = TileSource::with_roads(&engine, &roads[..1], TileConfig::default()).unwrap_err();
    assert!(matches!(err, TileError::RoadsMismatch { .. }), "{err}");
    let mut swapped = roads.clone();
    swapped.swap(0, 1);
    assert!(TileSource::with_roads(&engine, &swapped, TileConfig::default()).is_err());
}

#[test]
fn bad_configs_are_refused() {
    let engine = synthetic_engine();
    for config in [
        TileConfig {
            k_anonymity: 0,
            ..Default::default()
        },
        TileConfig {
            risk_min_value: f64::NAN,
            ..Default::default()
        },
        TileConfig {
            public_incident_max_resolution: 16,
            ..Default::default()
        },
    ] {
        assert!(matches!(
            TileSource::new(engine, config),
            Err(TileError::InvalidConfig { .. })
        ));
    }
}

#[test]
fn tilejson_and_catalog_describe_the_layers() {
    let tj = source().tilejson(Layer::Incidents, "https://senda.example");
    assert_eq!(tj["tilejson"], "3.0.0");
    assert_eq!(
        tj["tiles"][0],
        "https://senda.example/tiles/incidents/{z}/{x}/{y}.mvt"
    );
    assert_eq!(tj["minzoom"], 0);
    assert_eq!(tj["maxzoom"], 14);
    let bounds = tj["bounds"].as_array().unwrap();
    assert_eq!(bounds.len(), 4);
    let (w, e) = (bounds[0].as_f64().unwrap(), bounds[2].as_f64().unwrap());
    assert!(w < -92.0 && e > -92.5 && w < e);
    assert_eq!(tj["center"].as_array().unwrap().len(), 3);
    assert!(tj["attribution"]
        .as_str()
        .unwrap()
        .contains("IOM Missing Migrants Project (CC BY 4.0)"));
    let vl = &tj["vector_layers"][0];
    assert_eq!(vl["id"], "incidents");
    assert!(vl["fields"]["count"]
        .as_str()
        .unwrap()
        .starts_with("Number"));
    for layer in Layer::ALL {
        let tj = senda_tiles::tilejson(layer, "", None);
        assert_eq!(tj["vector_layers"][0]["id"], layer.as_str());
    }
    let all = senda_tiles::attribution(&Layer::ALL);
    for credit in [
        "Travel Mapping",
        "Natural Earth",
        "IOM Missing Migrants Project (CC BY 4.0)",
        "UCDP Georeferenced Event Dataset (Uppsala Conflict Data Program, CC BY 4.0)",
        "CONAGUA-SMN",
    ] {
        assert!(all.contains(credit), "{credit}");
    }
    let catalog = senda_tiles::catalog("https://senda.example/");
    assert_eq!(
        catalog["tiles"]["roads"]["tilejson"],
        "https://senda.example/tiles/roads.json"
    );
}

/// A decoded tile as canonical JSON: layers by name, features sorted, integer coordinates.
fn snapshot(bytes: &[u8]) -> serde_json::Value {
    use geo::CoordsIter;
    let mut layers = serde_json::Map::new();
    for (name, (extent, feats)) in decode(bytes) {
        let mut out: Vec<serde_json::Value> = feats
            .iter()
            .map(|f| {
                let kind = match f.geometry {
                    Geometry::Point(_) | Geometry::MultiPoint(_) => "point",
                    Geometry::LineString(_) | Geometry::MultiLineString(_) => "line",
                    _ => "polygon",
                };
                let props: BTreeMap<&String, serde_json::Value> = f
                    .props
                    .iter()
                    .map(|(k, v)| {
                        let v = match v {
                            mvt_reader::feature::Value::String(s) => serde_json::json!(s),
                            mvt_reader::feature::Value::Double(d) => serde_json::json!(d),
                            mvt_reader::feature::Value::UInt(u) => serde_json::json!(u),
                            mvt_reader::feature::Value::Bool(b) => serde_json::json!(b),
                            other => serde_json::json!(format!("{other:?}")),
                        };
                        (k, v)
                    })
                    .collect();
                let coords: Vec<[i64; 2]> = f
                    .geometry
                    .coords_iter()
                    .map(|c| [c.x as i64, c.y as i64])
                    .collect();
                serde_json::json!({ "id": f.id, "type": kind, "coords": coords, "props": props })
            })
            .collect();
        out.sort_by_key(|v| v.to_string());
        layers.insert(
            name,
            serde_json::json!({ "extent": extent, "features": out }),
        );
    }
    serde_json::Value::Object(layers)
}

/// Golden snapshot of decoded shelter, incident and alert tiles (built only from this test's
/// fixtures, not from the risk model or the road generator). `UPDATE_GOLDEN=1` rewrites it.
#[test]
fn decoded_tiles_match_the_golden_snapshot() {
    let c = busy_pos();
    let tile = TileId::containing(c.lon(), c.lat(), 9).unwrap();
    let mut snap = serde_json::Map::new();
    for access in [Access::Public, Access::Analyst] {
        let bytes = source().render_layers(
            &[Layer::Shelters, Layer::Incidents, Layer::Alerts],
            tile,
            access,
        );
        snap.insert(access.as_str().to_owned(), snapshot(&bytes));
    }
    let got = serde_json::to_string_pretty(&serde_json::Value::Object(snap)).unwrap() + "\n";
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/z9_tapachula.json");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {}: run with UPDATE_GOLDEN=1", path.display()));
    assert_eq!(
        got, want,
        "decoded tile changed: review, then UPDATE_GOLDEN=1"
    );
}

#[test]
fn the_source_is_shared_between_threads() {
    fn check<T: Send + Sync>() {}
    check::<TileSource>();
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    /// Any tile around the data, any layer, either role: a valid tile whose geometry stays in
    /// the buffer, with valid polygons.
    #[test]
    fn random_tiles_decode_with_geometry_in_the_buffer(
        lon in -92.45f64..-91.6,
        lat in 14.75f64..15.4,
        z in 3u8..=14,
        analyst in proptest::bool::ANY,
    ) {
        let tile = TileId::containing(lon, lat, z).unwrap();
        let access = if analyst { Access::Analyst } else { Access::Public };
        for layer in Layer::ALL.into_iter().filter(|l| l.has_zoom(z)) {
            let feats = render(layer, tile, access);
            assert_in_buffer(&feats);
            if matches!(layer, Layer::Risk | Layer::Alerts)
                || (layer == Layer::Incidents && !(analyst && z >= 12))
            {
                assert_polygons_valid(&feats);
            }
        }
    }
}
