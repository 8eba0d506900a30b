//! The JSON API handlers under `/api/v1`: thin shells that parse and check parameters, run the
//! engine on a blocking thread, and answer GeoJSON.

use crate::auth::{Caller, Role};
use crate::{geojson, places, ApiError, AppState};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use geo::{Distance, Haversine, Point};
use senda_core::engine::nearest::{NearestBy, NearestQuery};
use senda_core::engine::plan::{PlanQuery, MAX_DAYS};
use senda_core::engine::route::{RouteQuery, DEFAULT_AVERSION, MAX_ALTERNATIVES};
use senda_core::engine::stops::StopsQuery;
use senda_core::engine::Engine;
use senda_core::{LonLat, Population, Profile, RecordKind, Service, Shelter, Visibility};
use senda_tiles::Bbox;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

pub type Params = Query<HashMap<String, String>>;

/// Runs CPU work off the async threads; a panic inside becomes a JSON 500.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("the query failed: {e}")))?
}

/// JSON with a Cache-Control: `private` when the answer depends on a sensitive role.
pub fn json_response(body: Value, role: Role) -> Response {
    let mut res = Json(body).into_response();
    let cc = if role.sees_sensitive() {
        "private, no-store"
    } else {
        "public, max-age=60"
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cc));
    res
}

fn opt<'a>(p: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    p.get(name).map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// A required place parameter: `LON,LAT` or a town name (the embedded gazetteer), ranked
/// near `near` (the other end of a route).
fn place_arg(
    p: &HashMap<String, String>,
    name: &str,
    near: Option<LonLat>,
) -> Result<places::Resolved, ApiError> {
    let v = opt(p, name)
        .ok_or_else(|| ApiError::bad_param(name, "required (LON,LAT or a town name)"))?;
    places::resolve(&senda_ingest::gazetteer::corridor(), v, near, false)
        .map_err(|e| ApiError::bad_param(name, e.to_string()))
}

fn lon_lat(p: &HashMap<String, String>, name: &str) -> Result<LonLat, ApiError> {
    place_arg(p, name, None).map(|r| r.at)
}

fn num<T: std::str::FromStr>(
    p: &HashMap<String, String>,
    name: &str,
    ok: impl Fn(&T) -> bool,
    expect: &str,
) -> Result<Option<T>, ApiError> {
    match opt(p, name) {
        None => Ok(None),
        Some(v) => match v.parse::<T>() {
            Ok(x) if ok(&x) => Ok(Some(x)),
            _ => Err(ApiError::bad_param(name, format!("{v:?}: {expect}"))),
        },
    }
}

fn profile(p: &HashMap<String, String>) -> Result<Profile, ApiError> {
    opt(p, "profile").map_or(Ok(Profile::Foot), |v| {
        Profile::parse(v).map_err(|e| ApiError::bad_param("profile", e))
    })
}

fn aversion(p: &HashMap<String, String>) -> Result<Option<f64>, ApiError> {
    num(
        p,
        "aversion",
        |a: &f64| (0.0..=1.0).contains(a),
        "a number from 0 to 1",
    )
}

fn flag(p: &HashMap<String, String>, name: &str) -> Result<bool, ApiError> {
    match opt(p, name) {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(v) => Err(ApiError::bad_param(name, format!("{v:?}: true or false"))),
    }
}

pub fn parse_at(name: &str, s: &str) -> Result<DateTime<Utc>, ApiError> {
    senda_core::parse_instant(s).map_err(|e| ApiError::bad_param(name, e.reason.to_owned()))
}

fn bbox(p: &HashMap<String, String>) -> Result<Option<Bbox>, ApiError> {
    opt(p, "bbox")
        .map(|v| Bbox::parse(v).map_err(|e| ApiError::bad_param("bbox", e)))
        .transpose()
}

/// The straight-line limit between two query points.
fn check_length(state: &AppState, from: LonLat, to: LonLat) -> Result<(), ApiError> {
    let km = Haversine.distance(
        Point::new(from.lon(), from.lat()),
        Point::new(to.lon(), to.lat()),
    ) / 1000.0;
    if km > state.config.max_route_km {
        return Err(ApiError::bad_param(
            "to",
            format!(
                "{km:.0} km from `from` in a straight line; the limit is {:.0} km",
                state.config.max_route_km
            ),
        ));
    }
    Ok(())
}

/// The engine to answer with: the current snapshot, or one re-timed to `at`.
fn engine_at(state: &AppState, at: Option<DateTime<Utc>>) -> Result<Engine, ApiError> {
    let snap = state.snapshot();
    match at {
        None => Ok(snap.engine.clone()),
        Some(at) => snap.engine.at_time(at).map_err(ApiError::from_engine),
    }
}

pub async fn healthz(State(state): State<Arc<AppState>>) -> Json<Value> {
    let snap = state.snapshot();
    Json(json!({
        "status": "ok",
        "generation": snap.generation,
        "snapshot_age_s": snap.built.elapsed().as_secs_f64(),
        "at": snap.engine.at().to_rfc3339(),
    }))
}

/// The route query shared by GET and POST.
struct RouteRequest {
    query: RouteQuery,
    at: Option<DateTime<Utc>>,
    /// How `from` and `to` were understood (a foreign member `places` of the answer).
    places: Value,
}

fn route_request(p: &HashMap<String, String>) -> Result<RouteRequest, ApiError> {
    let from = place_arg(p, "from", None)?;
    let to = place_arg(p, "to", Some(from.at))?;
    let g = senda_ingest::gazetteer::corridor();
    let places = json!({
        "from": places::resolved_json(&g, opt(p, "from").unwrap_or_default(), &from),
        "to": places::resolved_json(&g, opt(p, "to").unwrap_or_default(), &to),
    });
    let mut q = RouteQuery::new(from.at, to.at);
    q.profile = profile(p)?;
    q.aversion = aversion(p)?.unwrap_or(DEFAULT_AVERSION);
    q.alternatives = num(
        p,
        "alternatives",
        |n: &usize| *n <= MAX_ALTERNATIVES,
        "0 to 5",
    )?
    .unwrap_or(0);
    q.allow_rail = flag(p, "allow_rail")?;
    if let Some(f) = opt(p, "format").filter(|f| *f != "geojson") {
        return Err(ApiError::bad_param(
            "format",
            format!("{f:?}: only geojson"),
        ));
    }
    let at = opt(p, "at").map(|v| parse_at("at", v)).transpose()?;
    Ok(RouteRequest {
        query: q,
        at,
        places,
    })
}

async fn run_route(
    state: Arc<AppState>,
    r: RouteRequest,
    role: Role,
) -> Result<Response, ApiError> {
    check_length(&state, r.query.from, r.query.to)?;
    let profile = r.query.profile;
    let body = blocking(move || {
        let engine = engine_at(&state, r.at)?;
        let answer = engine.route(&r.query).map_err(ApiError::from_engine)?;
        let mut body = geojson::route(&answer, profile, engine.places());
        body["places"] = r.places;
        Ok(body)
    })
    .await?;
    Ok(json_response(body, role))
}

pub async fn route_get(
    State(state): State<Arc<AppState>>,
    Caller(role): Caller,
    Query(p): Params,
) -> Result<Response, ApiError> {
    let r = route_request(&p)?;
    run_route(state, r, role).await
}

/// A request body, or the JSON error for one that could not be read: 413 past the size limit,
/// 408 when it did not arrive within the body timeout, 400 otherwise.
fn read_body(state: &AppState, body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    use axum::http::StatusCode;
    let e = match body {
        Ok(b) => return Ok(b),
        Err(e) => e,
    };
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        // The one body limit, `--max-body-bytes`, named as the 413s for declared lengths are.
        return Err(ApiError::body_too_large(state.config.max_body_bytes));
    }
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(c) = cause {
        if c.is::<tower_http::timeout::TimeoutError>() {
            return Err(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                "the request body did not arrive within the body timeout",
            ));
        }
        cause = c.source();
    }
    Err(ApiError::new(
        StatusCode::BAD_REQUEST,
        "bad_body",
        format!("the request body could not be read: {}", e.body_text()),
    ))
}

/// `POST /route`: the GET parameters as JSON members (`from`/`to` as `[lon, lat]` or
/// `"LON,LAT"`), plus `avoid`: a GeoJSON Polygon/MultiPolygon (Feature, FeatureCollection or
/// geometry).
pub async fn route_post(
    State(state): State<Arc<AppState>>,
    Caller(role): Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = read_body(&state, body)?;
    let doc: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_param("body", format!("not valid JSON: {e}")))?;
    let obj = doc
        .as_object()
        .ok_or_else(|| ApiError::bad_param("body", "must be a JSON object"))?;
    let mut p = HashMap::new();
    for (k, v) in obj {
        if k == "avoid" {
            continue;
        }
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Array(a) => a
                .iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(","),
            Value::Null => continue,
            other => other.to_string(),
        };
        p.insert(k.clone(), text);
    }
    let mut r = route_request(&p)?;
    if let Some(avoid) = obj.get("avoid").filter(|v| !v.is_null()) {
        r.query.avoid = geojson::avoid_areas(avoid)
            .map_err(|e| ApiError::bad_param("avoid", format!("{e:#}")))?;
    }
    run_route(state, r, role).await
}

pub async fn nearest(
    State(state): State<Arc<AppState>>,
    Caller(role): Caller,
    Query(p): Params,
) -> Result<Response, ApiError> {
    let mut q = NearestQuery::new(lon_lat(&p, "at")?);
    q.k = num(&p, "k", |k: &usize| (1..=50).contains(k), "1 to 50")?.unwrap_or(5);
    if let Some(by) = opt(&p, "by") {
        q.by = NearestBy::parse(by).map_err(|e| ApiError::bad_param("by", e))?;
    }
    q.profile = profile(&p)?;
    q.aversion = aversion(&p)?.unwrap_or(0.5);
    q.allow_rail = flag(&p, "allow_rail")?;
    if let Some(needs) = opt(&p, "needs") {
        q.needs = needs
            .split(',')
            .map(|s| Service::parse(s).map_err(|e| ApiError::bad_param("needs", e)))
            .collect::<Result<_, _>>()?;
    }
    if let Some(s) = opt(&p, "serves") {
        q.serves = Some(Population::parse(s).map_err(|e| ApiError::bad_param("serves", e))?);
    }
    q.min_capacity = num(&p, "min_capacity", |_: &u32| true, "a whole number")?;
    q.include_restricted = role.sees_sensitive();
    let body = blocking(move || {
        let snap = state.snapshot();
        let answer = snap.engine.nearest(&q).map_err(ApiError::from_engine)?;
        Ok(geojson::nearest(&q, &answer))
    })
    .await?;
    Ok(json_response(body, role))
}

/// `GET /plan`: errors a traveller meets (`unreachable`, `too_many_days`,
/// `unreachable_point`) come in the language of `lang=` or `Accept-Language` (Spanish by
/// default).
pub async fn plan(
    State(state): State<Arc<AppState>>,
    Caller(role): Caller,
    headers: HeaderMap,
    Query(p): Params,
) -> Result<Response, ApiError> {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let lang = crate::i18n::negotiate(opt(&p, "lang"), accept);
    let mut q = PlanQuery::new(lon_lat(&p, "from")?, lon_lat(&p, "to")?);
    if let Some(h) = num(
        &p,
        "max_daily_hours",
        |h: &f64| *h > 0.0 && *h <= 24.0,
        "0 < h <= 24",
    )? {
        q.max_daily_hours = h;
    }
    q.max_days = num(
        &p,
        "max_days",
        |d: &u32| (1..=MAX_DAYS).contains(d),
        &format!("a whole number from 1 to {MAX_DAYS}"),
    )?;
    q.profile = profile(&p)?;
    if let Some(a) = aversion(&p)? {
        q.aversion = a;
    }
    q.allow_rail = flag(&p, "allow_rail")?;
    q.include_restricted = role.sees_sensitive();
    check_length(&state, q.from, q.to)?;
    let body = blocking(move || {
        let snap = state.snapshot();
        let plan = snap
            .engine
            .plan(&q)
            .map_err(|e| ApiError::from_engine_in(e, lang))?;
        Ok(geojson::plan(&snap.engine, &q, &plan))
    })
    .await?;
    Ok(json_response(body, role))
}

/// A shelter as GeoJSON; analysts also see the source's own point of a shelter placed at its
/// town (`source_location`).
fn shelter_feature(s: &Shelter, role: Role) -> Value {
    let mut f = shelter_feature_public(s);
    if let (true, Some(p)) = (role.sees_sensitive(), s.source_location) {
        f["properties"]["source_location"] = json!([p.lon(), p.lat()]);
    }
    f
}

fn shelter_feature_public(s: &Shelter) -> Value {
    geojson::point_feature(
        Some(s.key.to_string()),
        s.location,
        json!({
            "id": s.key.to_string(),
            "name": s.name,
            "kind": s.kind.as_str(),
            "services": s.services.iter().map(|x| x.as_str()).collect::<Vec<_>>(),
            "serves": s.serves.iter().map(|x| x.as_str()).collect::<Vec<_>>(),
            "capacity": s.capacity,
            "phone": s.phone,
            "whatsapp": s.whatsapp,
            "address": s.address,
            "state": s.state,
            "country": s.country,
            "hours": s.hours,
            "languages": s.languages,
            "verified": geojson::verified(s),
            "restricted": s.visibility == Visibility::Restricted,
            "placement": s.placement.as_str(),
            "town": match &s.placement {
                senda_core::Placement::Town { town } => Some(town),
                _ => None,
            },
        }),
    )
}

fn visible(s: &Shelter, role: Role) -> bool {
    role.sees_sensitive() || s.visibility == Visibility::Public
}

fn inside(b: &Option<Bbox>, p: LonLat) -> bool {
    b.as_ref().is_none_or(|b| {
        (b.west()..=b.east()).contains(&p.lon()) && (b.south()..=b.north()).contains(&p.lat())
    })
}

pub async fn shelters(
    State(state): State<Arc<AppState>>,
    Caller(role): Caller,
    Query(p): Params,
) -> Result<Response, ApiError> {
    let b = bbox(&p)?;
    let snap = state.snapshot();
    let features: Vec<Value> = snap
        .engine
        .shelters()
        .iter()
        .filter(|s| visible(s, role) && inside(&b, s.location))
        .map(|s| shelter_feature(s, role))
        .collect();
    Ok(json_response(
        json!({ "type": "FeatureCollection", "features": features }),
        role,
    ))
}

pub async fn shelter(
    State(state): State<Arc<AppState>>,
    Caller(role): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let snap = state.snapshot();
    // A restricted shelter is "not found" for public callers: its existence is not revealed.
    snap.engine
        .shelters()
        .iter()
        .find(|s| s.key.to_string() == id && visible(s, role))
        .map(|s| json_response(shelter_feature(s, role), role))
        .ok_or_else(|| ApiError::not_found(format!("no shelter {id:?}")))
}

pub async fn transit(
    State(state): State<Arc<AppState>>,
    Query(p): Params,
) -> Result<Response, ApiError> {
    let b = bbox(&p)?;
    let snap = state.snapshot();
    let features: Vec<Value> = snap
        .engine
        .transit()
        .iter()
        .filter(|t| inside(&b, t.location))
        .map(|t| {
            geojson::point_feature(
                Some(t.key.to_string()),
                t.location,
                json!({ "id": t.key.to_string(), "name": t.name, "kind": t.kind.as_str() }),
            )
        })
        .collect();
    Ok(json_response(
        json!({ "type": "FeatureCollection", "features": features }),
        Role::Public,
    ))
}

/// `GET /transit/nearest`: the `k` public-transport stops nearest to `at` in a straight line
/// (within `max_distance_m` when given), with the lines that serve each and their headways.
pub async fn transit_nearest(
    State(state): State<Arc<AppState>>,
    Query(p): Params,
) -> Result<Response, ApiError> {
    let mut q = StopsQuery::new(lon_lat(&p, "at")?);
    q.k = num(&p, "k", |k: &usize| (1..=50).contains(k), "1 to 50")?.unwrap_or(5);
    q.max_distance_m = num(
        &p,
        "max_distance_m",
        |d: &f64| d.is_finite() && *d > 0.0,
        "a positive number of metres",
    )?;
    let body = blocking(move || {
        let snap = state.snapshot();
        let answer = snap
            .engine
            .nearest_stops(&q)
            .map_err(ApiError::from_engine)?;
        Ok(geojson::stops(&q, &answer))
    })
    .await?;
    Ok(json_response(body, Role::Public))
}

/// Largest bbox of `/risk/cells`, square degrees.
pub const RISK_CELLS_MAX_BBOX_DEG2: f64 = 25.0;
/// Most hexagons one `/risk/cells` answer holds.
pub const RISK_CELLS_MAX: usize = 50_000;

/// `GET /risk/cells`: risk hexagons (GeoJSON polygons) whose centre lies in `bbox`, from the
/// current snapshot. The public sees the incident component only in cells with at least k
/// reports (as the `risk` tiles); analysts see everything.
pub async fn risk_cells(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Query(p): Params,
) -> Result<Response, ApiError> {
    let b =
        bbox(&p)?.ok_or_else(|| ApiError::bad_param("bbox", "required (west,south,east,north)"))?;
    if b.west() > b.east() {
        return Err(ApiError::bad_param(
            "bbox",
            "a bbox crossing the antimeridian is not supported",
        ));
    }
    let area = (b.east() - b.west()) * (b.north() - b.south());
    if area > RISK_CELLS_MAX_BBOX_DEG2 {
        return Err(ApiError::bad_param(
            "bbox",
            format!("{area:.1} square degrees; the limit is {RISK_CELLS_MAX_BBOX_DEG2}"),
        ));
    }
    let resolution = num(
        &p,
        "resolution",
        |r: &u8| (5..=7).contains(r),
        "an H3 resolution from 5 to 7",
    )?
    .unwrap_or(6);
    let profile = profile(&p)?;
    let access = if caller.0.sees_sensitive() {
        senda_tiles::Access::Analyst
    } else {
        senda_tiles::Access::Public
    };
    let features = blocking(move || {
        let snap = state.snapshot();
        let cells = snap.tiles.risk_cells(&b, resolution, access).ok_or_else(|| {
            ApiError::bad_param(
                "resolution",
                format!(
                    "{resolution} is finer than the risk field's resolution {}",
                    u8::from(snap.engine.risk().resolution())
                ),
            )
        })?;
        if cells.len() > RISK_CELLS_MAX {
            return Err(ApiError::bad_param(
                "bbox",
                format!(
                    "{} cells; the limit is {RISK_CELLS_MAX}: shrink the bbox or lower the resolution",
                    cells.len()
                ),
            ));
        }
        Ok(cells
            .into_iter()
            .map(|(cell, r)| {
                let mut ring: Vec<Value> = cell
                    .boundary()
                    .iter()
                    .map(|v| json!([geojson::round6(v.lng()), geojson::round6(v.lat())]))
                    .collect();
                if let Some(first) = ring.first().cloned() {
                    ring.push(first);
                }
                let (value, max, blocked) = match profile {
                    Profile::Foot => (r.mean_foot, r.max_foot, r.blocked_foot),
                    Profile::Vehicle => (r.mean_vehicle, r.max_vehicle, r.blocked_vehicle),
                };
                json!({
                    "type": "Feature",
                    "id": cell.to_string(),
                    "geometry": { "type": "Polygon", "coordinates": [ring] },
                    "properties": {
                        "cell": cell.to_string(),
                        "resolution": resolution,
                        "value": value,
                        "max": max,
                        "blocked": blocked,
                    },
                })
            })
            .collect::<Vec<Value>>())
    })
    .await?;
    Ok(json_response(
        json!({ "type": "FeatureCollection", "features": features }),
        caller.0,
    ))
}

/// Raw incidents: analyst role only.
pub async fn incidents(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Query(p): Params,
) -> Result<Response, ApiError> {
    caller.require("raw incidents", Role::sees_sensitive)?;
    let b = bbox(&p)?;
    let snap = state.snapshot();
    let features: Vec<Value> = snap
        .engine
        .incidents()
        .iter()
        .filter(|i| inside(&b, i.location))
        .map(|i| {
            geojson::point_feature(
                Some(i.key.to_string()),
                i.location,
                json!({
                    "id": i.key.to_string(),
                    "occurred_at": i.occurred_at.to_rfc3339(),
                    "category": i.category,
                    "severity": i.severity,
                    "people_affected": i.people_affected,
                    "dead": i.dead,
                    "missing": i.missing,
                    "review": i.review,
                    "country": i.country,
                }),
            )
        })
        .collect();
    Ok(json_response(
        json!({ "type": "FeatureCollection", "features": features }),
        caller.0,
    ))
}

/// `POST /ingest/{incidents|shelters|weather}`: reads the body as the CLI reads a file, stores
/// the accepted records in one transaction, swaps in a new snapshot, and answers the
/// per-record report.
pub async fn ingest(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(kind): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    caller.require("ingest", Role::may_ingest)?;
    let body = read_body(&state, body)?;
    let kind = match kind.as_str() {
        "incidents" => RecordKind::Incidents,
        "shelters" => RecordKind::Shelters,
        "weather" => RecordKind::Weather,
        other => {
            return Err(ApiError::not_found(format!(
                "cannot ingest {other:?}: incidents, shelters or weather"
            )))
        }
    };
    let out = blocking(move || {
        let outcome = crate::ingest::ingest(&state, kind, body.to_vec())?;
        // Incidents and alerts change only the risk: recompute it on the current network.
        // New shelters must be snapped to the network: build the whole engine again.
        let generation = match kind {
            RecordKind::Incidents | RecordKind::Weather => state.refresh_events()?,
            _ => state.rebuild()?,
        };
        Ok(json!({ "generation": generation, "parts": outcome }))
    })
    .await?;
    Ok(json_response(out, Role::Admin))
}
