//! GeoJSON (RFC 7946) views of engine answers, shared by the HTTP API and the CLI's query
//! commands: coordinates are `[lon, lat]` rounded to 1e-6 degrees.

use anyhow::{anyhow, bail, Context, Result};
use senda_core::engine::nearest::{NearestAnswer, NearestBy, NearestQuery, NearestShelter};
use senda_core::engine::plan::{roadside, LegEnd, Plan, PlanQuery};
use senda_core::engine::route::{Route, RouteAnswer, RouteSummary};
use senda_core::engine::stops::{NearestStop, StopsQuery};
use senda_core::engine::Engine;
use senda_core::place::Gazetteer;
use senda_core::{LonLat, Placement, Profile, Shelter, TransitRoute};
use serde_json::{json, Value};

/// A coordinate rounded to 1e-6 degrees (about 0.1 m).
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

pub fn position(p: LonLat) -> Value {
    json!([round6(p.lon()), round6(p.lat())])
}

/// Rounds a figure for output (`digits` after the point).
pub fn fig(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

fn summary_json(s: &RouteSummary) -> Value {
    json!({
        "distance_m": fig(s.distance_m, 1),
        "duration_s": fig(s.duration_s, 1),
        "risk_exposure": fig(s.risk_exposure, 6),
        "aversion": s.aversion_used,
    })
}

/// The answer as an RFC 7946 FeatureCollection: one LineString Feature per route, the chosen
/// one first.
/// Route answers as GeoJSON; each route names the towns it passes through (`towns`, from
/// the gazetteer `places`) besides its roads.
pub fn route(answer: &RouteAnswer, profile: Profile, places: &Gazetteer) -> Value {
    let features: Vec<Value> = answer
        .routes
        .iter()
        .map(|r| {
            let mut properties = json!({
                "chosen": r.chosen,
                "profile": profile.as_str(),
                "distance_m": fig(r.distance_m, 1),
                "duration_s": fig(r.duration_s, 1),
                "risk_exposure": fig(r.risk_exposure, 6),
                "aversion": r.aversion_used,
                "roads": r.roads.iter().map(|s| json!({
                    "label": s.label,
                    "distance_m": fig(s.distance_m, 1),
                })).collect::<Vec<_>>(),
                "towns": crate::places::route_towns(places, &r.geometry)
                    .into_iter()
                    .map(|p| crate::places::place_json(places, p))
                    .collect::<Vec<_>>(),
                "explanation": explanation_json(r),
            });
            if r.chosen {
                properties["fastest"] = answer.fastest.as_ref().map_or(Value::Null, summary_json);
                properties["from_snap_distance_m"] = json!(fig(answer.from.distance_m, 1));
                properties["to_snap_distance_m"] = json!(fig(answer.to.distance_m, 1));
            }
            json!({
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": r.geometry.iter().map(|&p| position(p)).collect::<Vec<_>>(),
                },
                "properties": properties,
            })
        })
        .collect();
    json!({ "type": "FeatureCollection", "features": features })
}

fn explanation_json(r: &Route) -> Value {
    let x = &r.explanation;
    json!({
        // ∫ risk ds along the route (risk density × km), and its incident and weather parts.
        "total_risk_km": fig(x.total_exposure, 6),
        "incident_risk_km": fig(x.incident_exposure, 6),
        "hazard_risk_km": fig(x.hazard_exposure, 6),
        "cells": x.top_cells.iter().map(|c| json!({
            "cell": c.cell.to_string(),
            "center": position(c.center),
            "length_m": fig(c.length_m, 1),
            "share": fig(c.exposure_share, 4),
        })).collect::<Vec<_>>(),
        "categories": x.categories.iter().map(|c| json!({
            "category": c.category.as_str(),
            "share": fig(c.share, 4),
        })).collect::<Vec<_>>(),
        "alerts": x.alerts.iter().map(|a| json!({
            "event": a.event,
            "source": a.source.to_string(),
            "share": fig(a.share, 4),
            "blocks": a.blocks,
        })).collect::<Vec<_>>(),
    })
}

/// "unverified" or the date the shelter was last verified.
pub fn verified(s: &Shelter) -> String {
    s.verified_on
        .map_or("unverified".to_owned(), |d| d.to_string())
}

/// The services a shelter offers, as names.
pub fn services(s: &Shelter) -> Vec<&'static str> {
    s.services.iter().map(|x| x.as_str()).collect()
}

pub fn nearest(q: &NearestQuery, answer: &NearestAnswer<'_>) -> Value {
    let features: Vec<Value> = answer
        .shelters
        .iter()
        .enumerate()
        .map(|(rank, n)| nearest_feature(q, rank, n))
        .collect();
    let mut fc = json!({
        "type": "FeatureCollection",
        "features": features,
        "query": {
            "at": position(q.at),
            "k": q.k,
            "by": q.by.as_str(),
            "profile": q.profile.as_str(),
            "aversion": q.aversion,
        },
    });
    if let Some(note) = &answer.note {
        fc["note"] = json!(note);
    }
    fc
}

pub fn nearest_feature(q: &NearestQuery, rank: usize, n: &NearestShelter<'_>) -> Value {
    let s = n.shelter;
    let mut props = json!({
        "rank": rank + 1,
        "name": s.name,
        "kind": s.kind.as_str(),
        "services": services(s),
        "serves": s.serves.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
        "capacity": s.capacity,
        "phone": s.phone,
        "whatsapp": s.whatsapp,
        "address": s.address,
        "state": s.state,
        "country": s.country,
        "distance_m": fig(n.distance_m, 1),
        "duration_s": n.duration_s.map(|d| fig(d, 1)),
        "route_distance_m": n.route_distance_m.map(|d| fig(d, 1)),
        "risk_exposure": n.risk_exposure,
        "verified": verified(s),
        "source": s.key.to_string(),
        "by": q.by.as_str(),
    });
    if q.by == NearestBy::Road {
        props["access_m"] = json!(fig(n.access_m, 1));
        props["cost_s"] = json!(n.cost_s.map(|c| fig(c, 1)));
        props["risk_exposure"] = json!(n.risk_exposure.map(|r| fig(r, 6)));
    }
    if s.location_suspect {
        props["location_suspect"] = json!(true);
    }
    placement_props(s, &mut props);
    point_feature(None, s.location, props)
}

/// `placement` (and `town`) of a shelter; a shelter placed only at its town gets no
/// exact-looking figures: its distance in whole kilometres, no route distance or time.
pub fn placement_props(s: &Shelter, props: &mut Value) {
    props["placement"] = json!(s.placement.as_str());
    if let Placement::Town { town } = &s.placement {
        props["town"] = json!(town);
        if let Some(d) = props["distance_m"].as_f64() {
            props["distance_m"] = json!((d / 1000.0).round() * 1000.0);
        }
        for k in ["duration_s", "route_distance_m", "access_m", "cost_s"] {
            if props.get(k).is_some() {
                props[k] = Value::Null;
            }
        }
    }
}

/// One line serving a stop: `id`, `name` (the short name, else the long one), `short_name`,
/// `long_name`, `mode`, `agency` and `headway_min` (whole minutes; `null` when unknown).
pub fn transit_route(r: &TransitRoute) -> Value {
    json!({
        "id": r.id,
        "name": r.name(),
        "short_name": r.short_name,
        "long_name": r.long_name,
        "mode": r.mode.as_str(),
        "agency": r.agency,
        "headway_min": r.headway_min(),
    })
}

/// The nearest stops as a FeatureCollection: one Point per stop, nearest first, with its
/// straight-line `distance_m` and the lines that serve it ([`transit_route`]).
pub fn stops(q: &StopsQuery, answer: &[NearestStop<'_>]) -> Value {
    let features: Vec<Value> = answer
        .iter()
        .enumerate()
        .map(|(rank, n)| {
            let t = n.stop;
            point_feature(
                Some(t.key.to_string()),
                t.location,
                json!({
                    "rank": rank + 1,
                    "id": t.key.to_string(),
                    "name": t.name,
                    "kind": t.kind.as_str(),
                    "country": t.country,
                    "distance_m": fig(n.distance_m, 1),
                    "routes": t.routes.iter().map(transit_route).collect::<Vec<_>>(),
                }),
            )
        })
        .collect();
    json!({
        "type": "FeatureCollection",
        "features": features,
        "query": {
            "at": position(q.at),
            "k": q.k,
            "max_distance_m": q.max_distance_m,
        },
    })
}

/// A GeoJSON Point Feature, with a feature `id` when given.
pub fn point_feature(id: Option<String>, at: LonLat, properties: Value) -> Value {
    let mut f = json!({
        "type": "Feature",
        "geometry": { "type": "Point", "coordinates": position(at) },
        "properties": properties,
    });
    if let Some(id) = id {
        f["id"] = json!(id);
    }
    f
}

/// (kind, name, index) of where a leg ends: the shelter's name and index into the shelters,
/// the town's label and index into the gazetteer, or a roadside point named by the nearest
/// town ("roadside, 14 km N of Sonoyta").
pub fn end_of(engine: &Engine, end: LegEnd) -> (&'static str, String, Option<usize>) {
    let name = match end {
        LegEnd::Shelter { idx } => engine.shelters()[idx].name.clone(),
        LegEnd::Town { place } => engine.places().place(place).label(),
        LegEnd::Roadside { at } => roadside::describe(engine.places(), at),
        LegEnd::Destination => "destination".to_owned(),
    };
    let index = match end {
        LegEnd::Shelter { idx } => Some(idx),
        LegEnd::Town { place } => Some(place.index()),
        LegEnd::Roadside { .. } | LegEnd::Destination => None,
    };
    (end.as_str(), name, index)
}

pub fn plan(engine: &Engine, q: &PlanQuery, plan: &Plan) -> Value {
    let features: Vec<Value> = plan
        .legs
        .iter()
        .enumerate()
        .map(|(i, leg)| {
            let (kind, name, index) = end_of(engine, leg.end);
            let mut coords: Vec<Value> = leg.geometry.iter().map(|&p| position(p)).collect();
            // Rounding can merge the positions of a very short leg: a LineString needs two.
            coords.dedup();
            if coords.len() < 2 {
                coords = vec![position(leg.from), position(leg.to)];
                if coords[0] == coords[1] {
                    coords.truncate(1);
                    coords.push(coords[0].clone());
                }
            }
            let mut props = json!({
                "leg": i + 1,
                "from": position(leg.from),
                "to": position(leg.to),
                "ends_at": kind,
                "end_name": name,
                "end_index": index,
                "distance_m": fig(leg.distance_m, 1),
                "duration_s": fig(leg.duration_s, 1),
                "cost_s": fig(leg.cost_s, 1),
                "risk_exposure": fig(leg.risk_exposure, 6),
                "access_m": fig(leg.access_m, 1),
                "safest": leg.safest,
                "no_shelter_in_reach": leg.end.is_flagged(),
            });
            if let Some(note) = &leg.note {
                props["note"] = json!(note);
            }
            if let LegEnd::Shelter { idx } = leg.end {
                let s = &engine.shelters()[idx];
                props["phone"] = json!(s.phone);
                props["verified"] = json!(verified(s));
            }
            if let LegEnd::Town { place } = leg.end {
                props["population"] = json!(engine.places().place(place).population);
            }
            json!({
                "type": "Feature",
                "geometry": { "type": "LineString", "coordinates": coords },
                "properties": props,
            })
        })
        .collect();
    json!({
        "type": "FeatureCollection",
        "features": features,
        "plan": {
            "from": position(q.from),
            "to": position(q.to),
            "profile": q.profile.as_str(),
            "aversion": q.aversion,
            "max_daily_hours": q.max_daily_hours,
            "nights": plan.nights,
            "max_days": q.max_days,
            "days": plan.days(),
            "nights_without_shelter": plan.nights_without_shelter,
            "roadside_nights": plan.roadside_nights,
            "total_distance_m": fig(plan.total_distance_m, 1),
            "total_duration_s": fig(plan.total_duration_s, 1),
            "total_cost_s": fig(plan.total_cost_s, 1),
            "total_risk_exposure": fig(plan.total_risk_exposure, 6),
        },
    })
}

/// Polygons of a GeoJSON document (an avoid area): a FeatureCollection, a Feature or a bare
/// geometry, of type Polygon or MultiPolygon.
pub fn avoid_areas(doc: &Value) -> Result<Vec<geo::Polygon<f64>>> {
    let mut out = Vec::new();
    match doc["type"].as_str() {
        Some("FeatureCollection") => {
            let features = doc["features"]
                .as_array()
                .ok_or_else(|| anyhow!("a FeatureCollection needs a \"features\" array"))?;
            for (i, f) in features.iter().enumerate() {
                polygons(&f["geometry"], &mut out).with_context(|| format!("feature {i}"))?;
            }
        }
        Some("Feature") => polygons(&doc["geometry"], &mut out)?,
        _ => polygons(doc, &mut out)?,
    }
    if out.is_empty() {
        bail!("no polygons in the file");
    }
    Ok(out)
}

fn polygons(geometry: &Value, out: &mut Vec<geo::Polygon<f64>>) -> Result<()> {
    let coords = &geometry["coordinates"];
    match geometry["type"].as_str() {
        Some("Polygon") => out.push(polygon(coords)?),
        Some("MultiPolygon") => {
            for p in coords
                .as_array()
                .ok_or_else(|| anyhow!("MultiPolygon coordinates must be an array"))?
            {
                out.push(polygon(p)?);
            }
        }
        Some(other) => bail!("a {other} geometry: only Polygon and MultiPolygon are areas"),
        None => bail!("no geometry \"type\""),
    }
    Ok(())
}

fn polygon(rings: &Value) -> Result<geo::Polygon<f64>> {
    let rings = rings
        .as_array()
        .filter(|r| !r.is_empty())
        .ok_or_else(|| anyhow!("a Polygon needs an array of rings"))?;
    let mut lines = Vec::with_capacity(rings.len());
    for ring in rings {
        let mut pts = Vec::new();
        for p in ring
            .as_array()
            .ok_or_else(|| anyhow!("a ring must be an array of positions"))?
        {
            let (lon, lat) = match p.as_array().map(Vec::as_slice) {
                Some([lon, lat, ..]) => (lon.as_f64(), lat.as_f64()),
                _ => (None, None),
            };
            let (Some(lon), Some(lat)) = (lon, lat) else {
                bail!("position {p} is not [lon, lat]");
            };
            let q = LonLat::new(lon, lat).map_err(|e| anyhow!("position {p}: {e}"))?;
            pts.push(geo::coord! { x: q.lon(), y: q.lat() });
        }
        if pts.len() < 4 {
            bail!("a ring needs at least four positions");
        }
        lines.push(geo::LineString::new(pts));
    }
    let exterior = lines.remove(0);
    Ok(geo::Polygon::new(exterior, lines))
}
