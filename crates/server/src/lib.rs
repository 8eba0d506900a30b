//! senda-server: the HTTP service. [`app`] builds the router over an [`AppState`]; [`serve`]
//! runs it until Ctrl-C or SIGTERM.
//!
//! Routes: `/api/v1/...` (JSON, GeoJSON), `/tiles/...` (MVT, TileJSON, catalog), `/lite` (the
//! plain-HTML page for migrants, [`lite`]), `/healthz`, `/metrics` (Prometheus, admin token),
//! `/openapi.json`. See [`openapi::document`]. The map page and what it loads (`/`, `/fonts`,
//! `/packs`, `/tiles/basemap`, ...): [`web`].

mod api;
pub mod auth;
pub mod client;
pub mod emergency;
mod error;
pub mod geojson;
mod guard;
pub mod i18n;
mod ingest;
pub mod lite;
mod metrics;
pub mod openapi;
pub mod places;
mod state;
mod tiles;
pub mod web;

pub use auth::{create_token, Role};
pub use error::ApiError;
pub use ingest::{store_default_data, store_records};
pub use state::{engine_data, AppState, ServerConfig, Snapshot};

use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::RequestBodyDeadlineLayer;

/// The router over `state`.
pub fn app(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/route", get(api::route_get).post(api::route_post))
        .route("/shelters/nearest", get(api::nearest))
        .route("/plan", get(api::plan))
        .route("/shelters", get(api::shelters))
        .route("/shelters/{id}", get(api::shelter))
        .route("/transit", get(api::transit))
        .route("/transit/nearest", get(api::transit_nearest))
        .route("/incidents", get(api::incidents))
        .route("/risk/cells", get(api::risk_cells))
        .route("/emergency", get(emergency::handler))
        .route("/ingest/{kind}", post(api::ingest));
    // The public API and tiles may be called from other origins' pages (`--cors-origins`).
    let cross_origin = Router::new()
        .nest("/api/v1", api)
        .route("/openapi.json", get(|| async { Json(openapi::document()) }))
        .route("/tiles", get(tiles::catalog))
        .route("/tiles/{layer}", get(tiles::tilejson))
        .route("/tiles/{layer}/{z}/{x}/{y}", get(tiles::tile))
        .layer(guard::cors(&state.config.cors_origins));
    Router::new()
        .merge(cross_origin)
        .route("/lite", get(lite::page))
        .route("/healthz", get(api::healthz))
        .route("/metrics", get(metrics))
        .merge(web::routes(&state))
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        // `ServerConfig::max_body_bytes` is the one body limit: axum's own default (2 MiB, on
        // the `Bytes` extractor) is off. Inside `observe`, so a body refused by its declared
        // length, or cut off while streaming, still gets a JSON 413.
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(state.config.max_body_bytes))
        // A body still arriving after `body_timeout` fails to read (however slowly it
        // trickles); the connection is then closed.
        .layer(RequestBodyDeadlineLayer::new(state.config.body_timeout))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(middleware::from_fn(guard::middleware))
        // gzip or brotli as the client accepts (the lite page: about 5 KB → 2.4 KB).
        .layer(CompressionLayer::new())
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal("internal error (the request caused a panic)").into_response()
        }))
        .with_state(state)
}

/// `GET /metrics` (Prometheus text): admin tokens only (route names, counts and latencies are
/// not for the public).
async fn metrics(State(state): State<Arc<AppState>>, caller: auth::Caller) -> Response {
    if let Err(e) = caller.require("/metrics", |r| r == Role::Admin) {
        return e.into_response();
    }
    let snap = state.snapshot();
    let body = state
        .metrics
        .render(snap.generation, snap.built.elapsed().as_secs_f64());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// Request counts and latency per matched route; a body over the limit becomes a JSON 413.
async fn observe(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched".to_owned(), |m| m.as_str().to_owned());
    let start = Instant::now();
    let mut res = next.run(req).await;
    if res.status() == StatusCode::PAYLOAD_TOO_LARGE
        && res.headers().get(header::CONTENT_TYPE)
            != Some(&HeaderValue::from_static("application/json"))
    {
        res = ApiError::body_too_large(state.config.max_body_bytes).into_response();
    }
    state
        .metrics
        .observe(&route, res.status().as_u16(), start.elapsed().as_secs_f64());
    res
}

/// Callers tracked by the rate limiter before those with full buckets are dropped.
const RATE_BUCKETS_MAX: usize = 10_000;

/// A token bucket per verified caller: a valid bearer token's id, else the client IP
/// ([`client::client_ip`]: `X-Forwarded-For` only from a trusted proxy). A token that does not
/// check out counts as its IP, so made-up tokens get no bucket of their own.
async fn rate_limit(State(state): State<Arc<AppState>>, mut req: Request, next: Next) -> Response {
    let key = match auth::verified_token(&state, req.headers()) {
        Some((id, role)) => {
            // Checked once: the handlers' `Caller` reads it from here.
            req.extensions_mut().insert(auth::Caller(role));
            format!("token:{id}")
        }
        None => {
            let peer = req
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip());
            client::client_ip(peer, req.headers(), &state.config.trusted_proxies)
                .map_or_else(|| "local".to_owned(), |ip| format!("ip:{ip}"))
        }
    };
    let (burst, rate) = (state.config.rate_burst, state.config.rate_per_s);
    if rate <= 0.0 {
        return next.run(req).await;
    }
    let allowed = {
        let mut buckets = state.rate.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if buckets.len() >= RATE_BUCKETS_MAX {
            // A full bucket is the same as no bucket: forget callers that have refilled, so
            // the table stays bounded whatever the number of distinct callers.
            buckets.retain(|_, (tokens, last)| {
                *tokens + now.duration_since(*last).as_secs_f64() * rate < burst
            });
        }
        let (tokens, last) = buckets.entry(key).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * rate).min(burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    };
    if !allowed {
        let mut res = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests; slow down",
        )
        .into_response();
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return res;
    }
    next.run(req).await
}

/// Serves `state` on `listener` until Ctrl-C or SIGTERM, then lets requests in flight finish
/// for at most [`ServerConfig::shutdown_timeout`]. Meanwhile the risk is re-evaluated at the
/// current time every [`ServerConfig::retime_every`] and the tokens reloaded every
/// [`ServerConfig::token_refresh`].
pub async fn serve(state: Arc<AppState>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    serve_until(state, listener, shutdown()).await
}

/// [`serve`] until `signal` completes.
///
/// Connections: HTTP/1.1 (keep-alive) with a header timeout
/// ([`ServerConfig::header_timeout`], which also closes idle keep-alive connections), a body
/// deadline ([`ServerConfig::body_timeout`]) and at most [`ServerConfig::max_connections`]
/// at once.
pub async fn serve_until(
    state: Arc<AppState>,
    listener: tokio::net::TcpListener,
    signal: impl std::future::Future<Output = ()> + Send,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let retimer = tokio::spawn(retime(state.clone()));
    let token_refresher = tokio::spawn(refresh_tokens(state.clone()));
    let config = state.config.clone();
    let router = app(state).layer(tower_http::trace::TraceLayer::new_for_http());
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_timeout)
        .keep_alive(true);
    let slots = Arc::new(tokio::sync::Semaphore::new(config.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut signal = std::pin::pin!(signal);
    loop {
        // A free slot first, then a connection: past the cap, new connections wait in the
        // kernel's backlog instead of holding memory and a task here.
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            () = &mut signal => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut signal => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            tower::ServiceExt::oneshot(router.clone(), req.map(axum::body::Body::new))
        });
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, %peer, "connection closed with an error");
            }
            drop(permit);
        });
    }
    tracing::info!("shutting down");
    drop(listener);
    retimer.abort();
    token_refresher.abort();
    if tokio::time::timeout(config.shutdown_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            seconds = config.shutdown_timeout.as_secs_f64(),
            "connections still open at the shutdown deadline are closed"
        );
    }
    Ok(())
}

async fn retime(state: Arc<AppState>) {
    let every = state.config.retime_every;
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let s = state.clone();
        match tokio::task::spawn_blocking(move || s.retime()).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e.message, "re-evaluating the risk failed"),
            Err(e) => tracing::warn!(error = %e, "re-evaluating the risk failed"),
        }
    }
}

/// Reloads the token table every [`ServerConfig::token_refresh`], so a token revoked (or
/// re-dated) by another process stops working within that interval.
async fn refresh_tokens(state: Arc<AppState>) {
    let every = state.config.token_refresh;
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let s = state.clone();
        match tokio::task::spawn_blocking(move || s.refresh_tokens()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "reloading the tokens failed"),
            Err(e) => tracing::warn!(error = %e, "reloading the tokens failed"),
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
