//! The analyst and planner map page (`/`) and everything it loads, all served by senda itself
//! (no outside host): the page, script and style from `web/` (embedded in the binary),
//! MapLibre GL JS and the PMTiles reader (`web/vendor/`), SDF glyphs (`/fonts/...`), the map's
//! translations (`/i18n/map/{lang}.json`), the service worker (`/sw.js`), the basemap tiles
//! (`/tiles/basemap/{z}/{x}/{y}.mvt`), risk tiles as of a date (`?at=` on `/tiles/...`), and
//! offline tile packs (`/packs/{name}.pmtiles` with HTTP ranges, listed at `/api/v1/packs`).

use crate::api::{blocking, parse_at};
use crate::state::EncodedTile;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use senda_tiles::{TileId, TileSource};
use serde_json::{json, Value};
use std::sync::Arc;

/// One embedded file of the map page.
pub struct Asset {
    /// The URL path it is served at.
    pub path: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $file:literal, $mime:expr) => {
        Asset {
            path: $path,
            content_type: $mime,
            bytes: include_bytes!(concat!("../../../web/", $file)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";
const JSON: &str = "application/json";
const PBF: &str = "application/x-protobuf";

/// The map page's files, by URL path.
pub const ASSETS: &[Asset] = &[
    asset!("/", "index.html", "text/html; charset=utf-8"),
    asset!("/app.js", "app.js", JS),
    asset!("/style.css", "style.css", "text/css; charset=utf-8"),
    asset!("/sw.js", "sw.js", JS),
    asset!("/vendor/maplibre-gl.mjs", "vendor/maplibre-gl.mjs", JS),
    asset!(
        "/vendor/maplibre-gl-worker.mjs",
        "vendor/maplibre-gl-worker.mjs",
        JS
    ),
    asset!(
        "/vendor/maplibre-gl.css",
        "vendor/maplibre-gl.css",
        "text/css; charset=utf-8"
    ),
    asset!("/vendor/pmtiles.js", "vendor/pmtiles.js", JS),
    asset!("/i18n/map/es.json", "i18n/map/es.json", JSON),
    asset!("/i18n/map/ht.json", "i18n/map/ht.json", JSON),
    asset!("/i18n/map/en.json", "i18n/map/en.json", JSON),
    asset!("/i18n/map/fr.json", "i18n/map/fr.json", JSON),
    asset!(
        "/fonts/DejaVu Sans Book/0-255.pbf",
        "fonts/DejaVu Sans Book/0-255.pbf",
        PBF
    ),
    asset!(
        "/fonts/DejaVu Sans Book/256-511.pbf",
        "fonts/DejaVu Sans Book/256-511.pbf",
        PBF
    ),
];

/// The map page's languages; the first is the default.
pub const MAP_LANGUAGES: [&str; 4] = ["es", "ht", "en", "fr"];

/// The routes of the map page, merged into [`crate::app`].
pub fn routes(state: &AppState) -> Router<Arc<AppState>> {
    let mut router = Router::new();
    for asset in ASSETS.iter().filter(|a| !a.path.starts_with("/fonts/")) {
        router = router.route(
            asset.path,
            get(move |headers: HeaderMap| async move { asset_response(asset, &headers) }),
        );
    }
    router = router
        .route("/fonts/{stack}/{range}", get(font))
        .route("/tiles/basemap/{z}/{x}/{y}", get(basemap_tile))
        .route("/api/v1/packs", get(packs));
    match &state.config.packs_dir {
        Some(dir) => router.nest_service("/packs", tower_http::services::ServeDir::new(dir)),
        None => router.route(
            "/packs/{name}",
            get(|| async { ApiError::not_found("this server has no tile packs directory") }),
        ),
    }
}

fn asset_response(asset: &Asset, headers: &HeaderMap) -> Response {
    let etag = format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(asset.bytes));
    // The page and its translations are revalidated on every load (cheap: ETag); vendored
    // libraries and glyphs change only with a new senda build.
    let cache = if asset.path.starts_with("/vendor/") || asset.path.starts_with("/fonts/") {
        "public, max-age=86400"
    } else {
        "no-cache"
    };
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag)
    {
        return (
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag),
                (header::CACHE_CONTROL, cache.to_owned()),
            ],
        )
            .into_response();
    }
    let mut res = (
        [
            (header::CONTENT_TYPE, asset.content_type.to_owned()),
            (header::CACHE_CONTROL, cache.to_owned()),
            (header::ETAG, etag),
        ],
        asset.bytes,
    )
        .into_response();
    if asset.content_type.starts_with("text/html") {
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        );
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        );
    }
    res
}

/// The map page's Content-Security-Policy: everything from senda itself; MapLibre's workers
/// and images from `blob:` URLs and icons from `data:`; styles inline (MapLibre sets them);
/// never framed (clickjacking).
pub const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; \
     connect-src 'self' data: blob:; worker-src 'self' blob:; child-src 'self' blob:; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// `GET /fonts/{fontstack}/{range}.pbf`: the glyphs of one font, 256 code points a file. A
/// stack of several fonts (`A,B`) is answered with the first one that has the range. A range
/// the font has no file for (code points beyond Latin) is an empty glyph set, so the map
/// draws the rest of a label instead of failing; an unknown font is a 404.
async fn font(Path((stack, range)): Path<(String, String)>, headers: HeaderMap) -> Response {
    let names: Vec<&str> = stack.split(',').map(str::trim).collect();
    if let Some(a) = names.iter().find_map(|name| {
        let path = format!("/fonts/{name}/{range}");
        ASSETS.iter().find(|a| a.path == path)
    }) {
        return asset_response(a, &headers);
    }
    let known = names.iter().any(|name| {
        let prefix = format!("/fonts/{name}/");
        ASSETS.iter().any(|a| a.path.starts_with(&prefix))
    });
    let valid_range = range
        .strip_suffix(".pbf")
        .and_then(|r| r.split_once('-'))
        .is_some_and(|(a, b)| a.parse::<u32>().is_ok() && b.parse::<u32>().is_ok());
    if known && valid_range {
        // An empty `glyphs` protobuf message is zero bytes.
        return (
            [
                (header::CONTENT_TYPE, PBF),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            Vec::<u8>::new(),
        )
            .into_response();
    }
    ApiError::not_found(format!("no glyphs {range:?} for font stack {stack:?}")).into_response()
}

/// Key of basemap tiles in the tile cache: a generation no snapshot has.
const BASEMAP_GENERATION: u64 = u64::MAX;

/// `GET /tiles/basemap/{z}/{x}/{y}.mvt`: countries, states, roads, rail, places and labels.
async fn basemap_tile(
    State(state): State<Arc<AppState>>,
    Path((z, x, y_mvt)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let basemap = state
        .config
        .basemap
        .clone()
        .ok_or_else(|| ApiError::not_found("this server has no basemap"))?;
    let id = tile_id(&z, &x, &y_mvt)?;
    let key = (BASEMAP_GENERATION, "basemap", id.z(), id.x(), id.y(), false);
    let tile = state.tile(key, move || Ok(basemap.render(id))).await?;
    Ok(mvt_response(&tile, &headers, "public, max-age=86400"))
}

/// Parses `z`, `x` and `y.mvt` of a tile URL.
pub(crate) fn tile_id(z: &str, x: &str, y_mvt: &str) -> Result<TileId, ApiError> {
    let y = y_mvt
        .strip_suffix(".mvt")
        .ok_or_else(|| ApiError::not_found("tiles end in .mvt"))?;
    let parse = |name: &str, v: &str| {
        v.parse::<u32>()
            .map_err(|_| ApiError::bad_param(name, format!("{v:?} is not a tile coordinate")))
    };
    let (z, x, y) = (parse("z", z)?, parse("x", x)?, parse("y", y)?);
    let z = u8::try_from(z).map_err(|_| ApiError::bad_param("z", "zoom out of range"))?;
    TileId::new(z, x, y).map_err(|e| ApiError::bad_param("tile", e))
}

/// An MVT answer with an ETag (304 when it matches) and 204 when the tile is empty; gzip
/// clients get the tile's stored gzip bytes (the compression layer leaves encoded answers be).
pub(crate) fn mvt_response(
    tile: &EncodedTile,
    headers: &HeaderMap,
    cache: &'static str,
) -> Response {
    let cache_control = (header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == tile.etag)
    {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, tile.etag.clone())],
            [cache_control],
        )
            .into_response();
    }
    if tile.raw.is_empty() {
        return (StatusCode::NO_CONTENT, [cache_control]).into_response();
    }
    let gzip = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|e| {
            let mut parts = e.split(';');
            parts
                .next()
                .is_some_and(|c| c.trim().eq_ignore_ascii_case("gzip"))
                && !parts.any(|q| q.trim().replace(' ', "") == "q=0")
        });
    let body = if gzip {
        tile.gzip.clone()
    } else {
        tile.raw.clone()
    };
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.mapbox-vector-tile"),
    );
    h.insert(cache_control.0, cache_control.1);
    if let Ok(v) = HeaderValue::from_str(&tile.etag) {
        h.insert(header::ETAG, v);
    }
    if gzip {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    h.insert(
        header::VARY,
        HeaderValue::from_static("Authorization, Accept-Encoding"),
    );
    res
}

/// Tile sources as of other dates than the snapshot's, newest last.
pub type DatedSources = Vec<(u64, DateTime<Utc>, Arc<TileSource>)>;

/// How many dated tile sources are kept (each is a full [`TileSource`]).
const DATED_SOURCES: usize = 3;

/// The tile source of the current snapshot re-timed to `at` (`?at=` on `/tiles/...`): built
/// once per (snapshot, instant) and kept among the last few. Builds are serialised, so a map
/// asking for many tiles of a new date builds its source once.
pub(crate) async fn source_at(
    state: &Arc<AppState>,
    at: &str,
) -> Result<Arc<TileSource>, ApiError> {
    let at = parse_at("at", at)?;
    let state = state.clone();
    blocking(move || {
        let snap = state.snapshot();
        let mut dated = state.dated_tiles.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, _, s)) = dated
            .iter()
            .find(|(g, t, _)| *g == snap.generation && *t == at)
        {
            return Ok(s.clone());
        }
        let engine = snap.engine.at_time(at).map_err(ApiError::from_engine)?;
        let source = TileSource::new(&engine, state.config.tiles.clone())
            .map_err(|e| ApiError::internal(format!("building the tiles as of {at}: {e}")))?;
        let source = Arc::new(source);
        dated.retain(|(g, _, _)| *g == snap.generation);
        dated.push((snap.generation, at, source.clone()));
        if dated.len() > DATED_SOURCES {
            dated.remove(0);
        }
        Ok(source)
    })
    .await
}

/// `GET /api/v1/packs`: the offline tile packs in the packs directory, with their box and
/// zooms read from each PMTiles header.
async fn packs(State(state): State<Arc<AppState>>) -> Result<Json<Value>, ApiError> {
    let Some(dir) = state.config.packs_dir.clone() else {
        return Ok(Json(json!({ "packs": [] })));
    };
    blocking(move || {
        let mut packs = Vec::new();
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            // A directory that does not exist yet holds no packs.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Json(json!({ "packs": [] })))
            }
            Err(e) => {
                return Err(ApiError::internal(format!(
                    "reading the packs directory {}: {e}",
                    dir.display()
                )))
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(name) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".pmtiles"))
                .map(str::to_owned)
            else {
                continue;
            };
            let Some(header) = read_pmtiles_header(&path) else {
                tracing::warn!(path = %path.display(), "not a PMTiles v3 file; not listed");
                continue;
            };
            packs.push(json!({
                "name": name,
                "url": format!("/packs/{name}.pmtiles"),
                "bytes": entry.metadata().map(|m| m.len()).unwrap_or(0),
                "bounds": header.bounds,
                "minzoom": header.min_zoom,
                "maxzoom": header.max_zoom,
            }));
        }
        packs.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        Ok(Json(json!({ "packs": packs })))
    })
    .await
}

struct PackHeader {
    bounds: [f64; 4],
    min_zoom: u8,
    max_zoom: u8,
}

/// The fields of a PMTiles v3 header the page needs. Read by hand: the header is 127 fixed
/// little-endian bytes (spec §3), and the `pmtiles` crate's reader needs its async features.
fn read_pmtiles_header(path: &std::path::Path) -> Option<PackHeader> {
    use std::io::Read;
    let mut h = [0u8; 127];
    std::fs::File::open(path).ok()?.read_exact(&mut h).ok()?;
    if &h[0..7] != b"PMTiles" || h[7] != 3 {
        return None;
    }
    let e7 = |at: usize| {
        let b: [u8; 4] = h[at..at + 4].try_into().unwrap_or([0; 4]);
        f64::from(i32::from_le_bytes(b)) / 1e7
    };
    Some(PackHeader {
        bounds: [e7(102), e7(106), e7(110), e7(114)],
        min_zoom: h[100],
        max_zoom: h[101],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn translations(lang: &str) -> serde_json::Map<String, Value> {
        let a = ASSETS
            .iter()
            .find(|a| a.path == format!("/i18n/map/{lang}.json"))
            .unwrap_or_else(|| panic!("no translation file for {lang}"));
        match serde_json::from_slice(a.bytes) {
            Ok(Value::Object(m)) => m,
            other => panic!("{lang}.json is not a JSON object: {other:?}"),
        }
    }

    #[test]
    fn every_language_has_the_same_keys_and_no_empty_string() {
        let keys = |lang| translations(lang).keys().cloned().collect::<BTreeSet<_>>();
        let reference = keys("es");
        assert!(reference.len() > 40, "es.json has {} keys", reference.len());
        for lang in MAP_LANGUAGES {
            let m = translations(lang);
            let k: BTreeSet<String> = m.keys().cloned().collect();
            assert_eq!(
                k.symmetric_difference(&reference).collect::<Vec<_>>(),
                Vec::<&String>::new(),
                "{lang}.json keys differ from es.json"
            );
            for (key, v) in &m {
                let s = v
                    .as_str()
                    .unwrap_or_else(|| panic!("{lang}.{key} is not a string"));
                assert!(!s.trim().is_empty(), "{lang}.{key} is empty");
            }
        }
    }

    #[test]
    fn translations_differ_between_languages() {
        // A copied file would pass the key check; most strings must really be translated.
        let es = translations("es");
        for lang in ["ht", "en", "fr"] {
            let other = translations(lang);
            let same = es.iter().filter(|(k, v)| other.get(*k) == Some(*v)).count();
            assert!(
                same * 5 < es.len(),
                "{lang}.json repeats {same} of {} Spanish strings",
                es.len()
            );
        }
    }

    #[test]
    fn the_page_loads_nothing_from_another_host() {
        // Our own files only: any absolute http(s) URL in them would be a third-party host.
        for a in ASSETS
            .iter()
            .filter(|a| !a.path.starts_with("/vendor/") && !a.path.starts_with("/fonts/"))
        {
            let text = std::str::from_utf8(a.bytes).unwrap();
            for scheme in ["http://", "https://", "//cdn", "ws://", "wss://"] {
                assert!(
                    !text.contains(scheme),
                    "{} contains {scheme:?}: every resource must come from senda itself",
                    a.path
                );
            }
        }
    }

    #[test]
    fn a_pmtiles_header_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pmtiles");
        let mut h = vec![0u8; 127];
        h[0..7].copy_from_slice(b"PMTiles");
        h[7] = 3;
        h[100] = 4;
        h[101] = 9;
        h[102..106].copy_from_slice(&(-925_000_000i32).to_le_bytes());
        h[106..110].copy_from_slice(&(145_000_000i32).to_le_bytes());
        h[110..114].copy_from_slice(&(-910_000_000i32).to_le_bytes());
        h[114..118].copy_from_slice(&(155_000_000i32).to_le_bytes());
        std::fs::write(&path, &h).unwrap();
        let p = read_pmtiles_header(&path).unwrap();
        assert_eq!((p.min_zoom, p.max_zoom), (4, 9));
        assert_eq!(p.bounds, [-92.5, 14.5, -91.0, 15.5]);
        std::fs::write(&path, b"not a pack").unwrap();
        assert!(read_pmtiles_header(&path).is_none());
    }
}
