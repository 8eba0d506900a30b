//! [`Basemap`]: the reference map under senda's data layers — countries, states, roads, rail
//! and places — drawn from GeoJSON files (the default dataset's Natural Earth and Travel
//! Mapping files), so a map needs no outside tile host.
//!
//! One tile set, `basemap`, holds six MVT layers:
//!
//! | MVT layer | geometry | from zoom | properties |
//! |---|---|---|---|
//! | `countries` | polygons | 0 | `name`, `iso_a3` |
//! | `states` | polygons | 3 | `name`, `adm0_a3` |
//! | `roads` | lines | 4–8 by tier | `tier` (Travel Mapping tier, 1 = highest), `route` |
//! | `rail` | lines | 4 | — |
//! | `places` | points | Natural Earth `min_zoom` − 1 | `name`, `population`, `capital` (`country`, `state` or absent) |
//! | `labels` | points | countries 2, states 5 | `kind` (`country` or `state`), `name` |

use crate::clip::{clip_line, clip_ring, snap_exterior_ring, snap_line};
use crate::mvt::{encode_tile, Geometry, LayerBuilder, Prop, Props};
use crate::source::{draw_points, Ctx, PointFeature, PointIndex, ShapeFeature, ShapeIndex};
use crate::tile::lonlat_to_world;
use crate::{TileError, TileId};
use geo::{Coord, InteriorPoint, LineString, MultiPolygon, Polygon, Simplify};
use serde_json::Value;

/// The GeoJSON files a [`Basemap`] is drawn from (FeatureCollections, WGS84).
#[derive(Debug, Clone, Copy)]
pub struct BasemapSources<'a> {
    /// Country polygons with `name` and `iso_a3` (Natural Earth admin-0).
    pub countries: &'a [u8],
    /// State polygons with `name` and `adm0_a3` (Natural Earth admin-1).
    pub states: &'a [u8],
    /// Road lines with `tier` and `route` (Travel Mapping segments).
    pub roads: &'a [u8],
    /// Rail lines (Natural Earth railroads).
    pub rail: &'a [u8],
    /// Places with `name`, `pop_max`, `featurecla` and `min_zoom` (Natural Earth populated
    /// places).
    pub places: &'a [u8],
}

/// The MVT layers of a basemap tile, bottom to top.
pub const BASEMAP_LAYERS: [&str; 6] = ["countries", "states", "roads", "rail", "places", "labels"];

/// The credit owed for the basemap's data (see `data/README.md`).
pub const BASEMAP_ATTRIBUTION: &str =
    "Basemap: Natural Earth (public domain); roads: Travel Mapping (travelmapping.net)";

/// Douglas–Peucker tolerance for basemap lines and rings, tile units (4096 per tile).
const SIMPLIFY: f64 = 4.0;

/// The basemap, projected to world coordinates once and indexed; `Send + Sync`, immutable.
#[derive(Debug)]
pub struct Basemap {
    countries: ShapeIndex,
    states: ShapeIndex,
    /// Road lines by the first zoom they are drawn at.
    roads: Vec<(u8, ShapeIndex)>,
    rail: ShapeIndex,
    /// Places by the first zoom they are drawn at.
    places: Vec<(u8, PointIndex)>,
    /// Country and state labels by the first zoom they are drawn at.
    labels: Vec<(u8, PointIndex)>,
}

/// The first zoom a Travel Mapping tier is drawn at.
fn road_min_zoom(tier: u64) -> u8 {
    match tier {
        0..=2 => 4,
        3 => 6,
        4 => 7,
        _ => 8,
    }
}

impl Basemap {
    /// Reads the five files; a file that is not a GeoJSON FeatureCollection, or a feature
    /// with bad geometry, is an error naming the file and the feature.
    pub fn build(sources: &BasemapSources) -> Result<Self, TileError> {
        let countries_in = features("countries", sources.countries)?;
        let states_in = features("states", sources.states)?;
        let mut labels: Vec<(u8, PointFeature)> = Vec::new();
        let mut areas = |file: &'static str, input: Vec<(Value, Value)>, label_zoom, keys| {
            let mut out = Vec::new();
            for (i, (props, geometry)) in input.into_iter().enumerate() {
                let rings = exterior_rings(&geometry).map_err(|reason| bad(file, i, reason))?;
                let name = str_prop(&props, "name");
                if let (Some(name), Some(p)) = (&name, label_point(&rings)) {
                    let kind = if label_zoom < 5 { "country" } else { "state" };
                    labels.push((
                        label_zoom,
                        PointFeature {
                            world: lonlat_to_world(p.x, p.y),
                            props: vec![
                                ("kind", Prop::Str(kind.into())),
                                ("name", Prop::Str(name.clone())),
                            ],
                        },
                    ));
                }
                let props: Props = keys_props(&props, keys);
                out.push(ShapeFeature {
                    id: None,
                    parts: rings.iter().map(|r| world_line(r)).collect(),
                    props,
                    public_props: None,
                });
            }
            Ok::<_, TileError>(ShapeIndex::build(out))
        };
        let countries = areas("countries", countries_in, 2, &["name", "iso_a3"])?;
        let states = areas("states", states_in, 5, &["name", "adm0_a3"])?;

        let mut road_groups: Vec<(u8, Vec<ShapeFeature>)> = Vec::new();
        for (i, (props, geometry)) in features("roads", sources.roads)?.into_iter().enumerate() {
            let parts = lines(&geometry).map_err(|reason| bad("roads", i, reason))?;
            let tier = props.get("tier").and_then(Value::as_u64).unwrap_or(5);
            let mut p: Props = vec![("tier", Prop::Uint(tier))];
            if let Some(r) = str_prop(&props, "route") {
                p.push(("route", Prop::Str(r)));
            }
            let z = road_min_zoom(tier);
            let feature = ShapeFeature {
                id: None,
                parts: parts.iter().map(|l| world_line(l)).collect(),
                props: p,
                public_props: None,
            };
            match road_groups.iter_mut().find(|(g, _)| *g == z) {
                Some((_, v)) => v.push(feature),
                None => road_groups.push((z, vec![feature])),
            }
        }
        road_groups.sort_by_key(|(z, _)| *z);
        let roads = road_groups
            .into_iter()
            .map(|(z, f)| (z, ShapeIndex::build(f)))
            .collect();

        let mut rail = Vec::new();
        for (i, (_, geometry)) in features("rail", sources.rail)?.into_iter().enumerate() {
            let parts = lines(&geometry).map_err(|reason| bad("rail", i, reason))?;
            rail.push(ShapeFeature {
                id: None,
                parts: parts.iter().map(|l| world_line(l)).collect(),
                props: Vec::new(),
                public_props: None,
            });
        }

        let mut places: Vec<(u8, PointFeature)> = Vec::new();
        for (i, (props, geometry)) in features("places", sources.places)?.into_iter().enumerate() {
            let p = point(&geometry).map_err(|reason| bad("places", i, reason))?;
            let Some(name) = str_prop(&props, "name") else {
                continue;
            };
            let min_zoom = props.get("min_zoom").and_then(Value::as_f64).unwrap_or(8.0);
            let z = (min_zoom.floor() - 1.0).clamp(2.0, 10.0) as u8;
            let mut pp: Props = vec![("name", Prop::Str(name))];
            if let Some(n) = props.get("pop_max").and_then(Value::as_u64) {
                pp.push(("population", Prop::Uint(n)));
            }
            let class = str_prop(&props, "featurecla").unwrap_or_default();
            if class.starts_with("Admin-0 capital") {
                pp.push(("capital", Prop::Str("country".into())));
            } else if class.starts_with("Admin-1 capital") {
                pp.push(("capital", Prop::Str("state".into())));
            }
            places.push((
                z,
                PointFeature {
                    world: lonlat_to_world(p.x, p.y),
                    props: pp,
                },
            ));
        }

        Ok(Self {
            countries,
            states,
            roads,
            rail: ShapeIndex::build(rail),
            places: by_zoom(places),
            labels: by_zoom(labels),
        })
    }

    /// Renders one basemap tile ([`BASEMAP_LAYERS`]); empty when nothing is in it.
    pub fn render(&self, tile: TileId) -> Vec<u8> {
        let ctx = Ctx::new(tile);
        let z = tile.z();
        let mut layers = Vec::with_capacity(BASEMAP_LAYERS.len());

        let mut countries = LayerBuilder::new("countries");
        draw_areas(&self.countries, &ctx, &mut countries);
        layers.push(countries.finish());

        let mut states = LayerBuilder::new("states");
        if z >= 3 {
            draw_areas(&self.states, &ctx, &mut states);
        }
        layers.push(states.finish());

        let mut roads = LayerBuilder::new("roads");
        for (min_zoom, index) in &self.roads {
            if *min_zoom <= z {
                draw_lines(index, &ctx, &mut roads);
            }
        }
        layers.push(roads.finish());

        let mut rail = LayerBuilder::new("rail");
        if z >= 4 {
            draw_lines(&self.rail, &ctx, &mut rail);
        }
        layers.push(rail.finish());

        for (name, groups) in [("places", &self.places), ("labels", &self.labels)] {
            let mut out = LayerBuilder::new(name);
            for (min_zoom, index) in groups {
                if *min_zoom <= z {
                    draw_points(index, &ctx, &mut out);
                }
            }
            layers.push(out.finish());
        }
        encode_tile(layers)
    }
}

fn by_zoom(items: Vec<(u8, PointFeature)>) -> Vec<(u8, PointIndex)> {
    let mut groups: Vec<(u8, Vec<PointFeature>)> = Vec::new();
    for (z, f) in items {
        match groups.iter_mut().find(|(g, _)| *g == z) {
            Some((_, v)) => v.push(f),
            None => groups.push((z, vec![f])),
        }
    }
    groups.sort_by_key(|(z, _)| *z);
    groups
        .into_iter()
        .map(|(z, f)| (z, PointIndex::build(f)))
        .collect()
}

fn bad(file: &'static str, index: usize, reason: String) -> TileError {
    TileError::InvalidBasemap {
        file,
        reason: format!("feature {index}: {reason}"),
    }
}

/// `(properties, geometry)` of every feature of a FeatureCollection.
fn features(file: &'static str, bytes: &[u8]) -> Result<Vec<(Value, Value)>, TileError> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| TileError::InvalidBasemap {
        file,
        reason: format!("not JSON: {e}"),
    })?;
    let Some(Value::Array(list)) = doc.get("features") else {
        return Err(TileError::InvalidBasemap {
            file,
            reason: "not a GeoJSON FeatureCollection (no `features` array)".into(),
        });
    };
    Ok(list
        .iter()
        .map(|f| {
            (
                f.get("properties").cloned().unwrap_or(Value::Null),
                f.get("geometry").cloned().unwrap_or(Value::Null),
            )
        })
        .collect())
}

fn str_prop(props: &Value, key: &str) -> Option<String> {
    props
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn keys_props(props: &Value, keys: &[&'static str]) -> Props {
    keys.iter()
        .filter_map(|&k| str_prop(props, k).map(|v| (k, Prop::Str(v))))
        .collect()
}

fn position(v: &Value) -> Result<Coord<f64>, String> {
    let (x, y) = match v.as_array().map(Vec::as_slice) {
        Some([x, y, ..]) => (x.as_f64(), y.as_f64()),
        _ => (None, None),
    };
    match (x, y) {
        (Some(x), Some(y)) if (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y) => {
            Ok(Coord { x, y })
        }
        _ => Err(format!("{v} is not a [lon, lat] position in WGS84")),
    }
}

fn line(v: &Value) -> Result<Vec<Coord<f64>>, String> {
    v.as_array()
        .ok_or_else(|| "coordinates are not an array".to_owned())?
        .iter()
        .map(position)
        .collect()
}

fn coordinates(geometry: &Value) -> Result<(&str, &Value), String> {
    let kind = geometry
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| "no geometry".to_owned())?;
    let coords = geometry
        .get("coordinates")
        .ok_or_else(|| format!("{kind} without coordinates"))?;
    Ok((kind, coords))
}

/// The exterior ring of every polygon (holes are not drawn: none of the basemap's areas needs
/// them at these scales).
fn exterior_rings(geometry: &Value) -> Result<Vec<Vec<Coord<f64>>>, String> {
    let (kind, coords) = coordinates(geometry)?;
    let polygons: Vec<&Value> = match kind {
        "Polygon" => vec![coords],
        "MultiPolygon" => coords
            .as_array()
            .ok_or("MultiPolygon coordinates are not an array")?
            .iter()
            .collect(),
        other => return Err(format!("{other}: expected Polygon or MultiPolygon")),
    };
    polygons
        .into_iter()
        .map(|p| {
            p.get(0)
                .ok_or_else(|| "a polygon without rings".to_owned())
                .and_then(line)
        })
        .collect()
}

fn lines(geometry: &Value) -> Result<Vec<Vec<Coord<f64>>>, String> {
    let (kind, coords) = coordinates(geometry)?;
    match kind {
        "LineString" => Ok(vec![line(coords)?]),
        "MultiLineString" => coords
            .as_array()
            .ok_or("MultiLineString coordinates are not an array")?
            .iter()
            .map(line)
            .collect(),
        other => Err(format!("{other}: expected LineString or MultiLineString")),
    }
}

fn point(geometry: &Value) -> Result<Coord<f64>, String> {
    match coordinates(geometry)? {
        ("Point", c) => position(c),
        (other, _) => Err(format!("{other}: expected Point")),
    }
}

/// A point inside the largest ring, for the area's label.
fn label_point(rings: &[Vec<Coord<f64>>]) -> Option<Coord<f64>> {
    let polygons: Vec<Polygon<f64>> = rings
        .iter()
        .map(|r| Polygon::new(LineString::new(r.clone()), vec![]))
        .collect();
    let largest = polygons.iter().max_by(|a, b| {
        use geo::Area;
        a.unsigned_area().total_cmp(&b.unsigned_area())
    })?;
    MultiPolygon::new(vec![largest.clone()])
        .interior_point()
        .map(|p| p.0)
}

fn world_line(line: &[Coord<f64>]) -> Vec<[f64; 2]> {
    line.iter().map(|c| lonlat_to_world(c.x, c.y)).collect()
}

fn simplified(ctx: &Ctx, part: &[[f64; 2]]) -> Vec<Coord<f64>> {
    let px: Vec<Coord<f64>> = part.iter().map(|&w| ctx.pixel(w)).collect();
    if px.len() > 3 {
        LineString::new(px).simplify(SIMPLIFY).0
    } else {
        px
    }
}

fn draw_areas(index: &ShapeIndex, ctx: &Ctx, out: &mut LayerBuilder) {
    for f in index.query(ctx.rect) {
        let rings: Vec<Vec<[i32; 2]>> = f
            .parts
            .iter()
            .filter_map(|ring| snap_exterior_ring(&clip_ring(&simplified(ctx, ring), ctx.clip)))
            .collect();
        if !rings.is_empty() {
            out.add(
                f.id,
                Geometry::polygons(&rings),
                f.props.iter().map(|(k, v)| (*k, v)),
            );
        }
    }
}

fn draw_lines(index: &ShapeIndex, ctx: &Ctx, out: &mut LayerBuilder) {
    let mut clipped = Vec::new();
    for f in index.query(ctx.rect) {
        clipped.clear();
        for part in &f.parts {
            clip_line(&simplified(ctx, part), ctx.clip, &mut clipped);
        }
        let parts: Vec<Vec<[i32; 2]>> = clipped.iter().filter_map(|p| snap_line(p)).collect();
        if !parts.is_empty() {
            out.add(
                f.id,
                Geometry::lines(&parts),
                f.props.iter().map(|(k, v)| (*k, v)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mvt::proto;
    use prost::Message;

    const COUNTRY: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
        "properties":{"name":"Testland","iso_a3":"TST"},"geometry":{"type":"Polygon",
        "coordinates":[[[-100,10],[-80,10],[-80,30],[-100,30],[-100,10]]]}}]}"#;
    const ROAD: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
        "properties":{"tier":2,"route":"MEX15"},"geometry":{"type":"LineString",
        "coordinates":[[-99,19],[-90,15]]}}]}"#;
    const PLACE: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
        "properties":{"name":"Villa","pop_max":1000,"featurecla":"Admin-0 capital",
        "min_zoom":3.0},"geometry":{"type":"Point","coordinates":[-95,20]}}]}"#;
    const EMPTY: &str = r#"{"type":"FeatureCollection","features":[]}"#;

    fn layer_names(bytes: &[u8]) -> Vec<String> {
        proto::Tile::decode(bytes)
            .unwrap()
            .layers
            .into_iter()
            .map(|l| l.name)
            .collect()
    }

    #[test]
    fn layers_appear_by_zoom() {
        let map = Basemap::build(&BasemapSources {
            countries: COUNTRY.as_bytes(),
            states: EMPTY.as_bytes(),
            roads: ROAD.as_bytes(),
            rail: ROAD.as_bytes(),
            places: PLACE.as_bytes(),
        })
        .unwrap();
        assert_eq!(
            layer_names(&map.render(TileId::new(0, 0, 0).unwrap())),
            ["countries"]
        );
        let t = TileId::new(4, 3, 7).unwrap();
        assert_eq!(
            layer_names(&map.render(t)),
            ["countries", "roads", "rail", "places", "labels"]
        );
        // Far from every feature: nothing.
        assert!(map.render(TileId::new(4, 12, 3).unwrap()).is_empty());
    }

    #[test]
    fn bad_input_names_the_file_and_feature() {
        let bad_line = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
            "properties":{},"geometry":{"type":"LineString","coordinates":[[-99,919]]}}]}"#;
        let err = Basemap::build(&BasemapSources {
            countries: COUNTRY.as_bytes(),
            states: EMPTY.as_bytes(),
            roads: bad_line.as_bytes(),
            rail: EMPTY.as_bytes(),
            places: EMPTY.as_bytes(),
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("roads") && err.contains("feature 0"), "{err}");
        let err = Basemap::build(&BasemapSources {
            countries: b"[1]",
            states: EMPTY.as_bytes(),
            roads: EMPTY.as_bytes(),
            rail: EMPTY.as_bytes(),
            places: EMPTY.as_bytes(),
        })
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("countries") && err.contains("FeatureCollection"),
            "{err}"
        );
    }
}
