//! Tile endpoints: MVT tiles (cached by snapshot generation), TileJSON and the catalog.

use crate::auth::Caller;
use crate::state::EncodedTile;
use crate::{ApiError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use senda_tiles::{Access, Layer, TileError};
use std::sync::Arc;

fn tile_error(e: TileError) -> ApiError {
    match e {
        TileError::UnknownLayer { .. } => ApiError::not_found(e.to_string()),
        other => ApiError::bad_param("tile", other),
    }
}

fn layer(name: &str) -> Result<Layer, ApiError> {
    Layer::parse(name).map_err(tile_error)
}

/// The base of absolute URLs: `ServerConfig::public_url`, else `http://` and the `Host`.
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

pub async fn tile(
    State(state): State<Arc<AppState>>,
    Caller(role): Caller,
    Path((layer_name, z, x, y_mvt)): Path<(String, String, String, String)>,
    Query(params): crate::api::Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let layer = layer(&layer_name)?;
    let id = crate::web::tile_id(&z, &x, &y_mvt)?;
    let (z, x, y) = (id.z(), id.x(), id.y());
    let access = if role.sees_sensitive() {
        Access::Analyst
    } else {
        Access::Public
    };
    // `?at=`: the layers as of another time, from a re-timed source (not in the LRU).
    if let Some(at) = params.get("at").filter(|v| !v.trim().is_empty()) {
        let source = crate::web::source_at(&state, at).await?;
        let tile = crate::api::blocking(move || {
            source
                .render(layer, id, access)
                .map(EncodedTile::new)
                .map_err(tile_error)
        })
        .await?;
        let cache = if access == Access::Analyst {
            "private, max-age=60"
        } else {
            "public, max-age=60"
        };
        return Ok(crate::web::mvt_response(&tile, &headers, cache));
    }
    let snap = state.snapshot();
    let key = (
        snap.generation,
        layer.as_str(),
        z,
        x,
        y,
        access == Access::Analyst,
    );
    let tile = state
        .tile(key, move || {
            snap.tiles.render(layer, id, access).map_err(tile_error)
        })
        .await?;
    let cache = if access == Access::Analyst {
        "private, max-age=60"
    } else {
        "public, max-age=60"
    };
    Ok(crate::web::mvt_response(&tile, &headers, cache))
}

pub async fn tilejson(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let name = name
        .strip_suffix(".json")
        .ok_or_else(|| ApiError::not_found("TileJSON is at /tiles/{layer}.json"))?;
    let layer = layer(name)?;
    let snap = state.snapshot();
    Ok(Json(snap.tiles.tilejson(layer, &base_url(&state, &headers))).into_response())
}

pub async fn catalog(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    Json(senda_tiles::catalog(&base_url(&state, &headers))).into_response()
}
