//! [`TileSource`]: everything the layers draw, taken from one engine snapshot, projected to
//! world coordinates once and indexed so a tile touches only what intersects it.

use crate::clip::{clip_line, clip_ring, snap_exterior_ring, snap_line, ClipRect};
use crate::hex::{
    aggregate_incidents, aggregate_risk, cell_ring_world, FieldCell, HexLevel, IncidentCell,
    RiskCell,
};
use crate::layer::{h3_resolution_for_zoom, road_class_min_zoom};
use crate::mvt::{encode_tile, proto, Geometry, LayerBuilder, Prop, Props};
use crate::tile::{lonlat_to_world, Bbox, TileTransform, BUFFER, EXTENT};
use crate::{Access, Layer, TileError, TileId};
use chrono::{DateTime, SecondsFormat, Utc};
use geo::{Coord, LineString, Simplify};
use h3o::{CellIndex, LatLng, Resolution};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use senda_core::engine::Engine;
use senda_core::risk::{RiskProfile, WeatherConfig};
use senda_core::{
    Circle, EdgeId, Incident, LonLat, Profile, ReviewStatus, RoadSegment, Shelter, TransitPoint,
    Visibility, WeatherAlert,
};
use std::collections::HashMap;

/// How tiles are drawn. Defaults are the documented, privacy-first choices.
#[derive(Debug, Clone, PartialEq)]
pub struct TileConfig {
    /// Public `incidents` tiles show only cells with at least this many reports. Default **5**;
    /// at least 1.
    pub k_anonymity: u32,
    /// The finest H3 resolution of public incident cells. Default **5** (cells of about
    /// 250 km², 8.5 km edges): the finer the cells, the fewer reach k. Public counts are
    /// computed at this resolution, cells below k removed, and only then summed into coarser
    /// cells (see the crate docs, "Privacy").
    pub public_incident_max_resolution: u8,
    /// Analysts see single reports as points from this zoom on (cells below it). Default **12**.
    pub analyst_raw_incidents_min_zoom: u8,
    /// The finest H3 resolution of public risk hexagons; `None` (default) draws down to the
    /// field's own resolution. Setting it blurs what an isolated incident's kernel shows.
    pub public_risk_max_resolution: Option<u8>,
    /// Risk hexagons whose largest value (either profile) is below this are not drawn.
    /// Default **0.001** (serious-incident equivalents per cell per year: a thousandth of one
    /// yearly serious incident; far kernel tails are below it).
    pub risk_min_value: f64,
    /// Douglas–Peucker tolerance for road lines below a layer's deepest zoom, in tile units
    /// (4096 per tile). Default **2** (a quarter of a screen pixel on 512-pixel tiles); 0 turns
    /// simplification off.
    pub simplify_tolerance: f64,
    /// Vertices of the polygon drawn for a CAP alert circle. Default **64**.
    pub circle_vertices: u32,
}

impl Default for TileConfig {
    fn default() -> Self {
        Self {
            k_anonymity: 5,
            public_incident_max_resolution: 5,
            analyst_raw_incidents_min_zoom: 12,
            public_risk_max_resolution: None,
            risk_min_value: 0.001,
            simplify_tolerance: 2.0,
            circle_vertices: 64,
        }
    }
}

impl TileConfig {
    pub fn validate(&self) -> Result<(), TileError> {
        let bad = |field, value: String, reason| {
            Err(TileError::InvalidConfig {
                field,
                value,
                reason,
            })
        };
        if self.k_anonymity == 0 {
            return bad("k_anonymity", "0".into(), "must be at least 1");
        }
        if self.public_incident_max_resolution > 15 {
            return bad(
                "public_incident_max_resolution",
                self.public_incident_max_resolution.to_string(),
                "must be an H3 resolution, 0..=15",
            );
        }
        if let Some(r) = self.public_risk_max_resolution.filter(|&r| r > 15) {
            return bad(
                "public_risk_max_resolution",
                r.to_string(),
                "must be an H3 resolution, 0..=15",
            );
        }
        if !(self.risk_min_value.is_finite() && self.risk_min_value >= 0.0) {
            return bad(
                "risk_min_value",
                self.risk_min_value.to_string(),
                "must be a finite number >= 0",
            );
        }
        if !(self.simplify_tolerance.is_finite() && self.simplify_tolerance >= 0.0) {
            return bad(
                "simplify_tolerance",
                self.simplify_tolerance.to_string(),
                "must be a finite number >= 0",
            );
        }
        if !(8..=1024).contains(&self.circle_vertices) {
            return bad(
                "circle_vertices",
                self.circle_vertices.to_string(),
                "must be within 8..=1024",
            );
        }
        Ok(())
    }
}

/// A point feature: world position and properties.
#[derive(Debug)]
pub(crate) struct PointFeature {
    pub(crate) world: [f64; 2],
    pub(crate) props: Props,
}

/// Points with an R-tree over their world positions.
#[derive(Debug)]
pub(crate) struct PointIndex {
    features: Vec<PointFeature>,
    tree: RTree<GeomWithData<[f64; 2], u32>>,
}

impl PointIndex {
    pub(crate) fn build(features: Vec<PointFeature>) -> Self {
        let entries = features
            .iter()
            .enumerate()
            .map(|(i, f)| GeomWithData::new(f.world, i as u32))
            .collect();
        Self {
            features,
            tree: RTree::bulk_load(entries),
        }
    }

    /// Features in the rectangle, in insertion order.
    pub(crate) fn query(&self, rect: [f64; 4]) -> impl Iterator<Item = &PointFeature> {
        let mut hits: Vec<u32> = self
            .tree
            .locate_in_envelope(AABB::from_corners([rect[0], rect[1]], [rect[2], rect[3]]))
            .map(|g| g.data)
            .collect();
        hits.sort_unstable();
        hits.into_iter().map(|i| &self.features[i as usize])
    }

    fn len(&self) -> usize {
        self.features.len()
    }
}

/// A feature with line or polygon geometry: its parts in world coordinates.
#[derive(Debug)]
pub(crate) struct ShapeFeature {
    pub(crate) id: Option<u64>,
    pub(crate) parts: Vec<Vec<[f64; 2]>>,
    pub(crate) props: Props,
    /// What the public sees instead of `props` (`None`: the same).
    pub(crate) public_props: Option<Props>,
}

/// Shapes with an R-tree over their world bounding boxes.
#[derive(Debug)]
pub(crate) struct ShapeIndex {
    features: Vec<ShapeFeature>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>,
}

impl ShapeIndex {
    pub(crate) fn build(features: Vec<ShapeFeature>) -> Self {
        let entries = features
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let mut pts = f.parts.iter().flatten();
                let first = *pts.next()?;
                let (lo, hi) = pts.fold((first, first), |(lo, hi), p| {
                    (
                        [lo[0].min(p[0]), lo[1].min(p[1])],
                        [hi[0].max(p[0]), hi[1].max(p[1])],
                    )
                });
                Some(GeomWithData::new(Rectangle::from_corners(lo, hi), i as u32))
            })
            .collect();
        Self {
            features,
            tree: RTree::bulk_load(entries),
        }
    }

    pub(crate) fn query(&self, rect: [f64; 4]) -> impl Iterator<Item = &ShapeFeature> {
        let mut hits: Vec<u32> = self
            .tree
            .locate_in_envelope_intersecting(AABB::from_corners(
                [rect[0], rect[1]],
                [rect[2], rect[3]],
            ))
            .map(|g| g.data)
            .collect();
        hits.sort_unstable();
        hits.into_iter().map(|i| &self.features[i as usize])
    }

    fn len(&self) -> usize {
        self.features.len()
    }
}

/// What the layers draw, built once per engine snapshot. Cheap to share between threads
/// (`Send + Sync`, immutable); rendering a tile takes `&self`.
///
/// Restricted shelters and single incident reports are kept in structures that only
/// [`Access::Analyst`] rendering reads; the public paths read indexes built without them.
#[derive(Debug)]
pub struct TileSource {
    config: TileConfig,
    at: DateTime<Utc>,
    bounds: Option<Bbox>,
    field_resolution: Resolution,
    /// Road edges (one per undirected pair) by the first zoom their class is drawn at.
    roads: Vec<(u8, ShapeIndex)>,
    public_shelters: PointIndex,
    /// Every shelter, restricted ones included: analysts only.
    all_shelters: PointIndex,
    /// Transit points that are not public-transport stops (towns, stations, crossings).
    transit: PointIndex,
    /// Public-transport stops (served by lines, or of an urban stop kind): thousands per city,
    /// drawn only from [`STOPS_MIN_ZOOM`].
    transit_stops: PointIndex,
    /// Risk hexagons, by resolution `0..=field resolution`: analysts only.
    risk: Vec<HexLevel<RiskCell>>,
    /// Public risk hexagons: the incident component kept only where the field cell lies in a
    /// public incident cell with at least k reports; weather hazard always.
    public_risk: Vec<HexLevel<RiskCell>>,
    /// Public incident cells (k-anonymous), by resolution `0..=public max`.
    public_incidents: Vec<HexLevel<IncidentCell>>,
    /// Every report counted, by resolution `0..=field resolution`: analysts only.
    analyst_incidents: Vec<HexLevel<IncidentCell>>,
    /// Single reports: analysts only.
    incident_points: PointIndex,
    alerts: ShapeIndex,
}

/// The first zoom the `transit` layer draws public-transport stops at: a city holds thousands
/// (Mexico City 11,000), which at lower zooms fill one tile with points nobody can tell apart
/// (drawn from every zoom, the default data's transit tile over the Zócalo weighs 602 KB at
/// zoom 5, 504 KB at 8, 104 KB at 12; from 13 it is 32 KB, 11 KB at 14).
pub const STOPS_MIN_ZOOM: u8 = 13;

/// Counts of what a [`TileSource`] holds (for logs and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceStats {
    pub road_edges: usize,
    pub public_shelters: usize,
    pub shelters: usize,
    pub transit: usize,
    /// Risk hexagons at the field's resolution.
    pub risk_cells: usize,
    /// Reports counted (not retracted, not after the snapshot time).
    pub incidents: usize,
    /// Public incident cells at the finest public resolution (each with at least k reports).
    pub public_incident_cells: usize,
    pub alert_areas: usize,
}

impl TileSource {
    /// Builds the source from an engine snapshot (roads without names: see
    /// [`TileSource::with_roads`]).
    pub fn new(engine: &Engine, config: TileConfig) -> Result<Self, TileError> {
        Self::build(engine, None, config)
    }

    /// Like [`TileSource::new`], with the road segments the engine's graph was built from (the
    /// same slice, in the same order, as `EngineData::roads`; the engine's rail links follow
    /// them), which adds `name` and `ref` to the `roads` layer.
    pub fn with_roads(
        engine: &Engine,
        roads: &[RoadSegment],
        config: TileConfig,
    ) -> Result<Self, TileError> {
        let graph = engine.graph();
        for e in 0..graph.edge_count() as u32 {
            let e = EdgeId(e);
            let s = graph.segment_of(e);
            match roads.get(s) {
                // The engine's own walking links to rail lines follow the given roads.
                None if s - roads.len() < engine.rail_links().len() => {}
                None => {
                    return Err(TileError::RoadsMismatch {
                        reason: format!(
                            "edge {} comes from segment {s}, but only {} segments were given",
                            e.0,
                            roads.len()
                        ),
                    })
                }
                Some(seg) if seg.class != graph.class(e) => {
                    return Err(TileError::RoadsMismatch {
                        reason: format!(
                            "edge {} is {} but segment {s} ({}) is {}",
                            e.0,
                            graph.class(e).as_str(),
                            seg.key,
                            seg.class.as_str()
                        ),
                    })
                }
                Some(_) => {}
            }
        }
        Self::build(engine, Some(roads), config)
    }

    fn build(
        engine: &Engine,
        segments: Option<&[RoadSegment]>,
        config: TileConfig,
    ) -> Result<Self, TileError> {
        config.validate()?;
        let at = engine.at();
        let field_resolution = engine.risk().resolution();
        let public_max = Resolution::try_from(
            config
                .public_incident_max_resolution
                .min(u8::from(field_resolution)),
        )
        .expect("validated");
        let gate = PublicGate {
            counts: count_reports(engine.incidents(), at, public_max),
            resolution: public_max,
            k: config.k_anonymity,
        };
        let (
            (roads, ((risk, public_risk), alerts)),
            ((public_incidents, analyst_incidents), points),
        ) = rayon::join(
            || {
                rayon::join(
                    || build_roads(engine, segments, &gate),
                    || {
                        rayon::join(
                            || {
                                rayon::join(
                                    || build_risk(engine, config.risk_min_value, None),
                                    || build_risk(engine, config.risk_min_value, Some(&gate)),
                                )
                            },
                            || build_alerts(engine, at, config.circle_vertices),
                        )
                    },
                )
            },
            || {
                rayon::join(
                    || {
                        build_incident_cells(
                            engine.incidents(),
                            at,
                            public_max,
                            field_resolution,
                            config.k_anonymity,
                        )
                    },
                    || build_points(engine, at),
                )
            },
        );
        let (public_shelters, all_shelters, (transit, transit_stops), incident_points) = points;
        let graph = engine.graph();
        let positions = (0..graph.node_count() as u32)
            .map(|n| graph.node_position(senda_core::NodeId(n)))
            .chain(engine.shelters().iter().map(|s| s.location))
            .chain(engine.transit().iter().map(|t| t.location))
            .map(|p| (p.lon(), p.lat()));
        Ok(Self {
            config,
            at,
            bounds: Bbox::around(positions),
            field_resolution,
            roads,
            public_shelters,
            all_shelters,
            transit,
            transit_stops,
            risk,
            public_risk,
            public_incidents,
            analyst_incidents,
            incident_points,
            alerts,
        })
    }

    pub fn config(&self) -> &TileConfig {
        &self.config
    }

    /// The moment of the engine snapshot (risk, incidents and alerts as of then).
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// The extent of the roads, shelters and transit points (TileJSON `bounds`).
    pub fn bounds(&self) -> Option<Bbox> {
        self.bounds
    }

    pub fn stats(&self) -> SourceStats {
        SourceStats {
            road_edges: self.roads.iter().map(|(_, i)| i.len()).sum(),
            public_shelters: self.public_shelters.len(),
            shelters: self.all_shelters.len(),
            transit: self.transit.len() + self.transit_stops.len(),
            risk_cells: self.risk.last().map_or(0, HexLevel::len),
            incidents: self.incident_points.len(),
            public_incident_cells: self.public_incidents.last().map_or(0, HexLevel::len),
            alert_areas: self.alerts.len(),
        }
    }

    /// The H3 resolution of the `risk` layer at zoom `z` for a role:
    /// [`h3_resolution_for_zoom`], capped at the field's resolution (and, for the public, at
    /// [`TileConfig::public_risk_max_resolution`]).
    pub fn risk_resolution(&self, z: u8, access: Access) -> Resolution {
        let mut r = u8::from(h3_resolution_for_zoom(z)).min(u8::from(self.field_resolution));
        if let (Access::Public, Some(cap)) = (access, self.config.public_risk_max_resolution) {
            r = r.min(cap);
        }
        Resolution::try_from(r).expect("at most the field's resolution")
    }

    /// The risk hexagons of one resolution whose centre lies in `bbox` (west ≤ east), in cell
    /// order, as the role's `risk` layer draws them (the public sees the incident component
    /// only in k-anonymous cells). `None` when `resolution` is finer than the field's.
    pub fn risk_cells(
        &self,
        bbox: &Bbox,
        resolution: u8,
        access: Access,
    ) -> Option<Vec<(CellIndex, RiskCell)>> {
        let levels = match access {
            Access::Public => &self.public_risk,
            Access::Analyst => &self.risk,
        };
        let level = levels.get(usize::from(resolution))?;
        let [x0, y0] = lonlat_to_world(bbox.west(), bbox.north());
        let [x1, y1] = lonlat_to_world(bbox.east(), bbox.south());
        Some(
            level
                .query([x0, y0, x1, y1])
                .filter(|(cell, _)| {
                    let c = LatLng::from(*cell);
                    (bbox.west()..=bbox.east()).contains(&c.lng())
                        && (bbox.south()..=bbox.north()).contains(&c.lat())
                })
                .copied()
                .collect(),
        )
    }

    /// The H3 resolution of `incidents` cells at zoom `z` for a role:
    /// [`h3_resolution_for_zoom`], capped at the field's resolution (and, for the public, at
    /// [`TileConfig::public_incident_max_resolution`]).
    pub fn incident_resolution(&self, z: u8, access: Access) -> Resolution {
        let levels = match access {
            Access::Public => &self.public_incidents,
            Access::Analyst => &self.analyst_incidents,
        };
        let r = u8::from(h3_resolution_for_zoom(z)).min(levels.len() as u8 - 1);
        Resolution::try_from(r).expect("an existing level")
    }

    /// Renders one layer of one tile as an MVT 2.1 tile (extent 4096, not compressed: see
    /// [`gzip`](crate::gzip)). A tile with nothing in it is the empty byte string (a valid
    /// tile with no layers; a server may answer it with 204 No Content).
    ///
    /// Errors only when the layer has no tiles at that zoom ([`TileError::ZoomOutOfRange`]).
    pub fn render(&self, layer: Layer, tile: TileId, access: Access) -> Result<Vec<u8>, TileError> {
        if !layer.has_zoom(tile.z()) {
            return Err(TileError::ZoomOutOfRange {
                layer,
                z: tile.z(),
                min: layer.min_zoom(),
                max: layer.max_zoom(),
            });
        }
        Ok(encode_tile(vec![self.render_layer(layer, tile, access)]))
    }

    /// Renders several layers into one tile (one MVT layer each, in the order given); layers
    /// without tiles at this zoom are left out. Empty when nothing is drawn.
    pub fn render_layers(&self, layers: &[Layer], tile: TileId, access: Access) -> Vec<u8> {
        let mut seen = Vec::new();
        let layers = layers
            .iter()
            .filter(|l| l.has_zoom(tile.z()))
            .filter(|l| {
                let fresh = !seen.contains(*l);
                seen.push(**l);
                fresh
            })
            .map(|&l| self.render_layer(l, tile, access))
            .collect();
        encode_tile(layers)
    }

    fn render_layer(&self, layer: Layer, tile: TileId, access: Access) -> proto::Layer {
        let mut out = LayerBuilder::new(layer.as_str());
        let ctx = Ctx::new(tile);
        match layer {
            Layer::Risk => self.draw_risk(&ctx, access, &mut out),
            Layer::Roads => self.draw_roads(&ctx, access, &mut out),
            Layer::Shelters => {
                let index = match access {
                    Access::Public => &self.public_shelters,
                    Access::Analyst => &self.all_shelters,
                };
                draw_points(index, &ctx, &mut out);
            }
            Layer::Transit => {
                draw_points(&self.transit, &ctx, &mut out);
                if tile.z() >= STOPS_MIN_ZOOM {
                    draw_points(&self.transit_stops, &ctx, &mut out);
                }
            }
            Layer::Incidents => self.draw_incidents(&ctx, access, &mut out),
            Layer::Alerts => draw_polygons(&self.alerts, &ctx, &mut out),
        }
        out.finish()
    }

    fn draw_risk(&self, ctx: &Ctx, access: Access, out: &mut LayerBuilder) {
        let res = self.risk_resolution(ctx.tile.z(), access);
        let levels = match access {
            Access::Public => &self.public_risk,
            Access::Analyst => &self.risk,
        };
        let level = &levels[usize::from(u8::from(res))];
        for (cell, risk) in level.query(ctx.rect) {
            let Some(ring) = ctx.hexagon(*cell) else {
                continue;
            };
            let props = [
                ("h3", Prop::Str(cell.to_string())),
                ("res", Prop::Uint(u64::from(u8::from(res)))),
                ("value_foot", Prop::Double(round_sig(risk.mean_foot))),
                ("value_vehicle", Prop::Double(round_sig(risk.mean_vehicle))),
                ("max_foot", Prop::Double(round_sig(risk.max_foot))),
                ("max_vehicle", Prop::Double(round_sig(risk.max_vehicle))),
                ("blocked_foot", Prop::Bool(risk.blocked_foot)),
                ("blocked_vehicle", Prop::Bool(risk.blocked_vehicle)),
            ];
            out.add(
                Some(u64::from(*cell)),
                Geometry::polygons(&[ring]),
                props.iter().map(|(k, v)| (*k, v)),
            );
        }
    }

    fn draw_roads(&self, ctx: &Ctx, access: Access, out: &mut LayerBuilder) {
        let z = ctx.tile.z();
        let tolerance = if z < Layer::Roads.max_zoom() {
            self.config.simplify_tolerance
        } else {
            0.0
        };
        let mut clipped = Vec::new();
        for (min_zoom, index) in &self.roads {
            if *min_zoom > z {
                continue;
            }
            for f in index.query(ctx.rect) {
                clipped.clear();
                for part in &f.parts {
                    let px: Vec<Coord<f64>> = part.iter().map(|&w| ctx.pixel(w)).collect();
                    if tolerance > 0.0 && px.len() > 2 {
                        let simple = LineString::new(px).simplify(tolerance);
                        clip_line(&simple.0, ctx.clip, &mut clipped);
                    } else {
                        clip_line(&px, ctx.clip, &mut clipped);
                    }
                }
                let lines: Vec<Vec<[i32; 2]>> =
                    clipped.iter().filter_map(|p| snap_line(p)).collect();
                if lines.is_empty() {
                    continue;
                }
                let props = match (access, &f.public_props) {
                    (Access::Public, Some(p)) => p,
                    _ => &f.props,
                };
                out.add(
                    f.id,
                    Geometry::lines(&lines),
                    props.iter().map(|(k, v)| (*k, v)),
                );
            }
        }
    }

    fn draw_incidents(&self, ctx: &Ctx, access: Access, out: &mut LayerBuilder) {
        let z = ctx.tile.z();
        if access == Access::Analyst && z >= self.config.analyst_raw_incidents_min_zoom {
            draw_points(&self.incident_points, ctx, out);
            return;
        }
        let (levels, k) = match access {
            Access::Public => (&self.public_incidents, Some(self.config.k_anonymity)),
            Access::Analyst => (&self.analyst_incidents, None),
        };
        let res = self.incident_resolution(z, access);
        for (cell, counts) in levels[usize::from(u8::from(res))].query(ctx.rect) {
            // Public levels hold only k-anonymous cells; checked again so no future change
            // to how they are built can leak a small cell.
            if k.is_some_and(|k| counts.count < k) {
                continue;
            }
            let Some(ring) = ctx.hexagon(*cell) else {
                continue;
            };
            let (summary, top) = counts.summary(k);
            let props = [
                ("kind", Prop::Str("cell".into())),
                ("h3", Prop::Str(cell.to_string())),
                ("res", Prop::Uint(u64::from(u8::from(res)))),
                ("count", Prop::Uint(u64::from(counts.count))),
                ("people", Prop::Uint(counts.people)),
                ("categories", Prop::Str(summary)),
                ("top_category", Prop::Str(top.to_owned())),
            ];
            out.add(
                Some(u64::from(*cell)),
                Geometry::polygons(&[ring]),
                props.iter().map(|(k, v)| (*k, v)),
            );
        }
    }
}

/// Per-tile projection and query state.
pub(crate) struct Ctx {
    pub(crate) tile: TileId,
    transform: TileTransform,
    /// The buffered tile in world coordinates.
    pub(crate) rect: [f64; 4],
    pub(crate) clip: ClipRect,
}

impl Ctx {
    pub(crate) fn new(tile: TileId) -> Self {
        Self {
            tile,
            transform: TileTransform::new(tile),
            rect: tile.world_rect(f64::from(BUFFER) / f64::from(EXTENT)),
            clip: ClipRect::buffered(),
        }
    }

    #[inline]
    pub(crate) fn pixel(&self, world: [f64; 2]) -> Coord<f64> {
        let [x, y] = self.transform.apply(world);
        Coord { x, y }
    }

    /// A cell's boundary clipped and snapped as one exterior ring (`None` if nothing of it
    /// shows).
    fn hexagon(&self, cell: CellIndex) -> Option<Vec<[i32; 2]>> {
        let px: Vec<Coord<f64>> = cell_ring_world(cell)
            .into_iter()
            .map(|w| self.pixel(w))
            .collect();
        snap_exterior_ring(&clip_ring(&px, self.clip))
    }
}

pub(crate) fn draw_points(index: &PointIndex, ctx: &Ctx, out: &mut LayerBuilder) {
    for f in index.query(ctx.rect) {
        let p = ctx.pixel(f.world);
        if !ctx.clip.contains(p) {
            continue;
        }
        let q = [p.x.round() as i32, p.y.round() as i32];
        out.add(
            None,
            Geometry::points(&[q]),
            f.props.iter().map(|(k, v)| (*k, v)),
        );
    }
}

pub(crate) fn draw_polygons(index: &ShapeIndex, ctx: &Ctx, out: &mut LayerBuilder) {
    for f in index.query(ctx.rect) {
        let rings: Vec<Vec<[i32; 2]>> = f
            .parts
            .iter()
            .filter_map(|ring| {
                let px: Vec<Coord<f64>> = ring.iter().map(|&w| ctx.pixel(w)).collect();
                snap_exterior_ring(&clip_ring(&px, ctx.clip))
            })
            .collect();
        if rings.is_empty() {
            continue;
        }
        out.add(
            f.id,
            Geometry::polygons(&rings),
            f.props.iter().map(|(k, v)| (*k, v)),
        );
    }
}

/// Rounds to 4 significant digits (tiles stay small and values repeat in the dictionary).
pub(crate) fn round_sig(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return 0.0;
    }
    let digits = 3 - v.abs().log10().floor() as i32;
    let f = 10f64.powi(digits);
    (v * f).round() / f
}

pub(crate) fn world(p: LonLat) -> [f64; 2] {
    lonlat_to_world(p.lon(), p.lat())
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The snake_case name serde gives an enum value.
fn serde_name<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn push_str(props: &mut Props, key: &'static str, value: Option<&str>) {
    if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
        props.push((key, Prop::Str(v.to_owned())));
    }
}

/// Which field cells' incident risk the public may see: those inside a public incident cell
/// (resolution [`TileConfig::public_incident_max_resolution`]) with at least k reports.
pub(crate) struct PublicGate {
    counts: HashMap<CellIndex, u32>,
    resolution: Resolution,
    k: u32,
}

impl PublicGate {
    /// Whether the incident component of a cell (of this resolution or finer) may be shown.
    pub(crate) fn allows(&self, cell: CellIndex) -> bool {
        cell.parent(self.resolution)
            .and_then(|p| self.counts.get(&p))
            .is_some_and(|&n| n >= self.k)
    }
}

/// Reports counted per cell of a resolution.
fn count_reports(
    incidents: &[Incident],
    at: DateTime<Utc>,
    res: Resolution,
) -> HashMap<CellIndex, u32> {
    let mut cells: HashMap<CellIndex, u32> = HashMap::new();
    for i in incidents.iter().filter(|i| counts(i, at)) {
        let cell = LatLng::new(i.location.lat(), i.location.lon())
            .expect("a LonLat is finite")
            .to_cell(res);
        *cells.entry(cell).or_default() += 1;
    }
    cells
}

fn build_roads(
    engine: &Engine,
    segments: Option<&[RoadSegment]>,
    gate: &PublicGate,
) -> Vec<(u8, ShapeIndex)> {
    let graph = engine.graph();
    let field = engine.risk();
    let (foot, vehicle) = (
        engine.edge_risk(Profile::Foot),
        engine.edge_risk(Profile::Vehicle),
    );
    let mut groups: HashMap<u8, Vec<ShapeFeature>> = HashMap::new();
    for e in 0..graph.edge_count() as u32 {
        let edge = EdgeId(e);
        // One feature per piece of road: the lower id of a twin pair draws it.
        if graph.twin(edge).is_some_and(|t| t.0 < e) {
            continue;
        }
        let class = graph.class(edge);
        let part: Vec<[f64; 2]> = graph.edge_geometry(edge).map(world).collect();
        // The public sees an edge's incident risk only if every field cell its vertices lie in
        // passes the k rule; otherwise the mean weather hazard of those cells (alerts are
        // public). A coarser rule than the hexagons' (vertices, not every sample).
        let cells: Vec<CellIndex> = graph
            .edge_geometry(edge)
            .map(|p| field.cell_at(p))
            .collect();
        let gated = cells.iter().any(|&c| !gate.allows(c));
        let mut props: Props = vec![
            ("class", Prop::Str(class.as_str().to_owned())),
            (
                "risk_foot",
                Prop::Double(round_sig(foot[edge.index()].mean_density())),
            ),
            (
                "risk_vehicle",
                Prop::Double(round_sig(vehicle[edge.index()].mean_density())),
            ),
            (
                "blocked_foot",
                Prop::Bool(engine.hard_blocked(edge, Profile::Foot)),
            ),
            (
                "blocked_vehicle",
                Prop::Bool(engine.hard_blocked(edge, Profile::Vehicle)),
            ),
        ];
        if let Some(seg) = segments.and_then(|s| s.get(graph.segment_of(edge))) {
            push_str(&mut props, "name", seg.name.as_deref());
            push_str(&mut props, "ref", seg.route_ref.as_deref());
        }
        let public_props = gated.then(|| {
            let hazard = |profile| {
                cells
                    .iter()
                    .map(|&c| field.risk(c).hazard(profile))
                    .sum::<f64>()
                    / cells.len().max(1) as f64
            };
            let (hf, hv) = (hazard(RiskProfile::Foot), hazard(RiskProfile::Vehicle));
            props
                .iter()
                .map(|(k, v)| match *k {
                    "risk_foot" => (*k, Prop::Double(round_sig(hf))),
                    "risk_vehicle" => (*k, Prop::Double(round_sig(hv))),
                    _ => (*k, v.clone()),
                })
                .collect()
        });
        groups
            .entry(road_class_min_zoom(class))
            .or_default()
            .push(ShapeFeature {
                id: Some(u64::from(e)),
                parts: vec![part],
                props,
                public_props,
            });
    }
    let mut out: Vec<(u8, ShapeIndex)> = groups
        .into_iter()
        .map(|(z, features)| (z, ShapeIndex::build(features)))
        .collect();
    out.sort_by_key(|(z, _)| *z);
    out
}

/// Risk hexagons at every resolution; with a gate (public), a field cell's incident
/// component counts only where the gate allows it (weather hazard always counts).
fn build_risk(
    engine: &Engine,
    min_value: f64,
    gate: Option<&PublicGate>,
) -> Vec<HexLevel<RiskCell>> {
    let field = engine.risk();
    let cells: Vec<FieldCell> = field
        .cells()
        .map(|(cell, r)| {
            let incident = match gate {
                Some(g) if !g.allows(cell) => 0.0,
                _ => r.incident,
            };
            (cell, incident, r)
        })
        .map(|(cell, incident, r)| FieldCell {
            cell,
            foot: incident + r.hazard(RiskProfile::Foot),
            vehicle: incident + r.hazard(RiskProfile::Vehicle),
            blocked_foot: r.blocked_foot,
            blocked_vehicle: r.blocked_vehicle,
        })
        .collect();
    aggregate_risk(&cells, field.resolution(), min_value)
}

/// Whether a report counts in the layers: not retracted and not after the snapshot.
fn counts(i: &Incident, at: DateTime<Utc>) -> bool {
    i.review != ReviewStatus::Retracted && i.occurred_at <= at
}

fn build_incident_cells(
    incidents: &[Incident],
    at: DateTime<Utc>,
    public_max: Resolution,
    finest: Resolution,
    k: u32,
) -> (Vec<HexLevel<IncidentCell>>, Vec<HexLevel<IncidentCell>>) {
    let count_at = |res: Resolution| {
        let mut cells: HashMap<CellIndex, IncidentCell> = HashMap::new();
        for i in incidents.iter().filter(|i| counts(i, at)) {
            let cell = LatLng::new(i.location.lat(), i.location.lon())
                .expect("a LonLat is finite")
                .to_cell(res);
            let c = cells.entry(cell).or_default();
            c.count += 1;
            c.people += u64::from(i.people_affected);
            let cat = senda_core::IncidentCategory::ALL
                .iter()
                .position(|&x| x == i.category)
                .unwrap_or(senda_core::IncidentCategory::ALL.len() - 1);
            c.categories[cat] += 1;
        }
        cells
    };
    rayon::join(
        || aggregate_incidents(&count_at(public_max), public_max, Some(k)),
        || aggregate_incidents(&count_at(finest), finest, None),
    )
}

fn shelter_props(s: &Shelter, analyst: bool) -> Props {
    let join = |v: Vec<&str>| v.join(",");
    let mut p: Props = vec![
        ("name", Prop::Str(s.name.clone())),
        ("kind", Prop::Str(s.kind.as_str().to_owned())),
    ];
    if !s.services.is_empty() {
        p.push((
            "services",
            Prop::Str(join(s.services.iter().map(|x| x.as_str()).collect())),
        ));
    }
    if !s.serves.is_empty() {
        p.push((
            "serves",
            Prop::Str(join(s.serves.iter().map(|x| x.as_str()).collect())),
        ));
    }
    push_str(&mut p, "phone", s.phone.as_deref());
    push_str(&mut p, "whatsapp", s.whatsapp.as_deref());
    push_str(&mut p, "hours", s.hours.as_deref());
    push_str(&mut p, "address", s.address.as_deref());
    push_str(&mut p, "state", s.state.as_deref());
    push_str(&mut p, "country", s.country.as_deref());
    if let Some(c) = s.capacity {
        p.push(("capacity", Prop::Uint(u64::from(c))));
    }
    if !s.languages.is_empty() {
        p.push(("languages", Prop::Str(s.languages.join(","))));
    }
    p.push((
        "verified",
        Prop::Str(
            s.verified_on
                .map_or_else(|| "unverified".to_owned(), |d| d.to_string()),
        ),
    ));
    p.push(("location_suspect", Prop::Bool(s.location_suspect)));
    p.push(("source", Prop::Str(s.key.source.clone())));
    if analyst {
        p.push((
            "restricted",
            Prop::Bool(s.visibility == Visibility::Restricted),
        ));
    }
    p
}

fn transit_props(t: &TransitPoint) -> Props {
    let mut p: Props = vec![
        ("name", Prop::Str(t.name.clone())),
        ("kind", Prop::Str(t.kind.as_str().to_owned())),
    ];
    push_str(&mut p, "country", t.country.as_deref());
    if let Some(n) = t.population {
        p.push(("population", Prop::Uint(n)));
    }
    if !t.routes.is_empty() {
        let names: Vec<&str> = t.routes.iter().map(|r| r.name()).collect();
        p.push(("lines", Prop::Str(names.join(", "))));
        if let Some(m) = t.best_headway_min() {
            p.push(("headway_min", Prop::Uint(u64::from(m))));
        }
    }
    p
}

/// Whether a transit point is drawn as a public-transport stop (from [`STOPS_MIN_ZOOM`]).
fn is_stop(t: &TransitPoint) -> bool {
    !t.routes.is_empty() || t.kind.is_local_stop()
}

fn incident_props(i: &Incident) -> Props {
    let mut p: Props = vec![
        ("kind", Prop::Str("report".into())),
        ("id", Prop::Str(i.key.to_string())),
        ("category", Prop::Str(i.category.as_str().to_owned())),
        ("severity", Prop::Uint(u64::from(i.severity.level()))),
        ("occurred", Prop::Str(rfc3339(i.occurred_at))),
        ("time_precision", Prop::Str(serde_name(&i.time_precision))),
        (
            "location_precision",
            Prop::Str(serde_name(&i.location_precision)),
        ),
        ("review", Prop::Str(serde_name(&i.review))),
        ("people", Prop::Uint(u64::from(i.people_affected))),
    ];
    if let Some(n) = i.dead {
        p.push(("dead", Prop::Uint(u64::from(n))));
    }
    if let Some(n) = i.missing {
        p.push(("missing", Prop::Uint(u64::from(n))));
    }
    p
}

/// (public shelters, all shelters, (transit points, transit stops), incident reports).
fn build_points(
    engine: &Engine,
    at: DateTime<Utc>,
) -> (PointIndex, PointIndex, (PointIndex, PointIndex), PointIndex) {
    let shelters = engine.shelters();
    let public = shelters
        .iter()
        .filter(|s| s.visibility == Visibility::Public)
        .map(|s| PointFeature {
            world: world(s.location),
            props: shelter_props(s, false),
        })
        .collect();
    let all = shelters
        .iter()
        .map(|s| PointFeature {
            world: world(s.location),
            props: shelter_props(s, true),
        })
        .collect();
    let (mut transit, mut stops) = (Vec::new(), Vec::new());
    for t in engine.transit() {
        let f = PointFeature {
            world: world(t.location),
            props: transit_props(t),
        };
        if is_stop(t) {
            stops.push(f);
        } else {
            transit.push(f);
        }
    }
    let reports = engine
        .incidents()
        .iter()
        .filter(|i| counts(i, at))
        .map(|i| PointFeature {
            world: world(i.location),
            props: incident_props(i),
        })
        .collect();
    (
        PointIndex::build(public),
        PointIndex::build(all),
        (PointIndex::build(transit), PointIndex::build(stops)),
        PointIndex::build(reports),
    )
}

/// A circle as a closed polygon of `n` vertices on the sphere (destination points at the
/// radius, every `360° / n`), longitudes continuous around the centre.
pub(crate) fn circle_ring(c: &Circle, n: u32) -> Vec<[f64; 2]> {
    const EARTH_RADIUS_KM: f64 = 6_371.008_8;
    let (lat1, lon1) = (c.center.lat().to_radians(), c.center.lon().to_radians());
    let d = c.radius_km / EARTH_RADIUS_KM;
    let mut ring: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            let bearing = f64::from(i) / f64::from(n) * std::f64::consts::TAU;
            let lat2 = (lat1.sin() * d.cos() + lat1.cos() * d.sin() * bearing.cos()).asin();
            let lon2 = lon1
                + (bearing.sin() * d.sin() * lat1.cos()).atan2(d.cos() - lat1.sin() * lat2.sin());
            let (lon, lat) = (lon2.to_degrees(), lat2.to_degrees());
            let [x, y] = lonlat_to_world(lon.clamp(-180.0, 180.0), lat);
            // Beyond ±180° continue linearly (world x past 0 or 1).
            let x = x + (lon - lon.clamp(-180.0, 180.0)) / 360.0;
            [x, y]
        })
        .collect();
    ring.push(ring[0]);
    ring
}

fn build_alerts(engine: &Engine, at: DateTime<Utc>, circle_vertices: u32) -> ShapeIndex {
    let mut features = Vec::new();
    for (ai, alert) in engine.alerts().iter().enumerate() {
        if !WeatherConfig::counts_at(alert, at) {
            continue;
        }
        for (area_i, area) in alert.areas.iter().enumerate() {
            let mut parts: Vec<Vec<[f64; 2]>> = area
                .polygons
                .iter()
                .map(|ring| ring.iter().map(|&p| world(p)).collect())
                .collect();
            parts.extend(
                area.circles
                    .iter()
                    .filter(|c| c.radius_km > 0.0)
                    .map(|c| circle_ring(c, circle_vertices)),
            );
            if parts.is_empty() {
                continue;
            }
            features.push(ShapeFeature {
                id: Some(((ai as u64) << 16) | area_i as u64),
                parts,
                props: alert_props(alert, &area.description),
                public_props: None,
            });
        }
    }
    ShapeIndex::build(features)
}

fn alert_props(a: &WeatherAlert, area: &str) -> Props {
    let text = a.texts.first();
    let mut p: Props = vec![
        ("id", Prop::Str(a.key.to_string())),
        (
            "event",
            Prop::Str(text.map_or_else(String::new, |t| t.event.clone())),
        ),
        ("severity", Prop::Str(serde_name(&a.severity))),
        ("urgency", Prop::Str(serde_name(&a.urgency))),
        ("certainty", Prop::Str(serde_name(&a.certainty))),
        ("sent", Prop::Str(rfc3339(a.sent))),
    ];
    push_str(&mut p, "headline", text.and_then(|t| t.headline.as_deref()));
    push_str(&mut p, "language", text.map(|t| t.language.as_str()));
    push_str(&mut p, "area", Some(area));
    if let Some(t) = a.onset.or(a.effective) {
        p.push(("onset", Prop::Str(rfc3339(t))));
    }
    if let Some(t) = a.expires {
        p.push(("expires", Prop::Str(rfc3339(t))));
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_keeps_four_significant_digits() {
        assert_eq!(round_sig(0.0), 0.0);
        assert_eq!(round_sig(1.234_567), 1.235);
        assert_eq!(round_sig(0.000_123_456), 0.000_123_5);
        assert_eq!(round_sig(98_765.4), 98_770.0);
        assert_eq!(round_sig(f64::NAN), 0.0);
    }

    #[test]
    fn a_circle_ring_is_closed_and_at_the_radius() {
        let c = Circle::new(LonLat::new(-92.0, 15.0).unwrap(), 50.0).unwrap();
        let ring = circle_ring(&c, 64);
        assert_eq!(ring.len(), 65);
        assert_eq!(ring[0], ring[64]);
        for w in &ring {
            let [lon, lat] = crate::tile::world_to_lonlat(w[0], w[1]);
            let d = senda_core::haversine_m(c.center, LonLat::new(lon, lat).unwrap());
            assert!((d - 50_000.0).abs() < 100.0, "{d}");
        }
    }
}
