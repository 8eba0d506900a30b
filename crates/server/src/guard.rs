//! What every answer carries and every request must fit: `nosniff` on all responses, the CORS
//! policy of the public API and tiles, and the longest URI and header block the app takes
//! (answered with the JSON error body, where hyper's own far larger limits answer with none).

use crate::ApiError;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Longest request URI (path and query), bytes.
pub const MAX_URI_BYTES: usize = 8 << 10;
/// Largest header block (names and values), bytes.
pub const MAX_HEADER_BYTES: usize = 32 << 10;

/// The CORS policy of the public API and tiles: `origins` (`*`: any), the methods they answer,
/// `Authorization` and `Content-Type` request headers, no credentials (cookies are not used;
/// a bearer token is sent explicitly). Preflights are answered by the layer.
pub fn cors(origins: &[String]) -> CorsLayer {
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok()),
        )
    };
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::GET, Method::HEAD, Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .expose_headers([header::ETAG, header::RETRY_AFTER])
        .max_age(std::time::Duration::from_secs(3600))
}

/// Refuses a URI or a header block over the limits with a JSON 414 or 431, and marks every
/// answer `X-Content-Type-Options: nosniff`.
pub async fn middleware(req: Request, next: Next) -> Response {
    let uri_len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    let header_len: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    let mut res = if uri_len > MAX_URI_BYTES {
        ApiError::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("the URI is {uri_len} bytes; the limit is {MAX_URI_BYTES}"),
        )
        .with_details(json!({ "limit_bytes": MAX_URI_BYTES }))
        .into_response()
    } else if header_len > MAX_HEADER_BYTES {
        ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            format!("the headers are {header_len} bytes; the limit is {MAX_HEADER_BYTES}"),
        )
        .with_details(json!({ "limit_bytes": MAX_HEADER_BYTES }))
        .into_response()
    } else {
        next.run(req).await
    };
    res.headers_mut()
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    res
}
