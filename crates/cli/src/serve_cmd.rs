//! `senda serve`: the HTTP service.

use crate::{engine, DbArg};
use anyhow::{Context, Result};
use clap::Args;
use senda_server::{AppState, ServerConfig};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port; the bound address is logged).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Requests per second allowed per caller (bearer token, or IP address for the public),
    /// refilling a bucket of --rate-burst requests. 0 turns the limit off.
    #[arg(long, default_value_t = 100.0)]
    rate_limit: f64,
    /// The most requests a caller may make at once before --rate-limit applies.
    #[arg(long, default_value_t = 200.0)]
    rate_burst: f64,
    /// Largest request body (ingest uploads), in bytes.
    #[arg(long, default_value_t = 16 << 20)]
    max_body_bytes: usize,
    /// The most bytes a gzip-compressed upload may decompress to; more is refused with 413.
    #[arg(long, default_value_t = 256 << 20)]
    max_decompressed_bytes: u64,
    /// Reverse proxies in front of the server (IP[,IP...]): from these peers the client's
    /// address is the rightmost untrusted one in X-Forwarded-For (for the rate limit); from
    /// any other peer the header is ignored.
    #[arg(long, value_name = "IP[,IP...]", value_delimiter = ',')]
    trusted_proxy: Vec<std::net::IpAddr>,
    /// The public base URL (e.g. https://senda.example.org) for absolute links: TileJSON
    /// tile URLs and the tile catalog. Default: http:// and the request's Host.
    #[arg(long, value_name = "URL", value_parser = parse_public_url)]
    public_url: Option<String>,
    /// Origins whose web pages may call the public API and tiles (CORS), comma-separated,
    /// e.g. https://maps.example.org; `*`: any origin. Credentials (cookies) are never allowed.
    #[arg(
        long,
        value_name = "ORIGIN[,ORIGIN...]",
        value_delimiter = ',',
        default_value = "*"
    )]
    cors_origins: Vec<String>,
    /// Seconds a client has to send a request's header block, counted from when the
    /// connection waits for a request: an idle keep-alive connection is closed after it too.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0, value_parser = parse_seconds)]
    header_timeout: f64,
    /// Seconds a client has to send a whole request body, however slowly it arrives.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0, value_parser = parse_seconds)]
    body_timeout: f64,
    /// Connections served at once; more wait in the listen backlog.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    /// On Ctrl-C or SIGTERM, seconds requests in flight may take before the server exits
    /// anyway (closing open connections).
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0, value_parser = parse_seconds)]
    shutdown_timeout: f64,
    /// Directory of offline tile packs served at /packs/NAME.pmtiles (default: `tiles/` beside
    /// the database; see `senda tiles export`).
    #[arg(long)]
    packs: Option<PathBuf>,
    #[command(flatten)]
    db: DbArg,
}

pub fn run(args: ServeArgs) -> Result<ExitCode> {
    let store = engine::open_store(&args.db.db)?;
    if !(args.rate_limit >= 0.0 && args.rate_limit.is_finite()) {
        anyhow::bail!(
            "--rate-limit {}: expected requests per second, 0 or more",
            args.rate_limit
        );
    }
    if !(args.rate_burst >= 1.0 && args.rate_burst.is_finite()) {
        anyhow::bail!("--rate-burst {}: expected at least 1", args.rate_burst);
    }
    let basemap = senda_tiles::Basemap::build(&crate::default_data::basemap_sources())
        .context("building the basemap")?;
    let packs = args.packs.unwrap_or_else(|| {
        args.db
            .db
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .join("tiles")
    });
    let config = ServerConfig {
        basemap: Some(Arc::new(basemap)),
        packs_dir: Some(packs),
        rate_per_s: args.rate_limit,
        rate_burst: args.rate_burst,
        max_body_bytes: args.max_body_bytes,
        max_decompressed_bytes: args.max_decompressed_bytes,
        trusted_proxies: args.trusted_proxy,
        public_url: args.public_url,
        cors_origins: args.cors_origins,
        header_timeout: Duration::from_secs_f64(args.header_timeout),
        body_timeout: Duration::from_secs_f64(args.body_timeout),
        max_connections: args.max_connections as usize,
        shutdown_timeout: Duration::from_secs_f64(args.shutdown_timeout),
        ..ServerConfig::default()
    };
    let state = AppState::new(store, config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("binding {}", args.addr))?;
        let local = listener.local_addr()?;
        tracing::info!(addr = %local, "listening");
        eprintln!("senda: listening on http://{local}");
        senda_server::serve(state, listener)
            .await
            .context("serving")
    });
    // Work still running on the blocking threads (an engine rebuild) does not hold the exit.
    runtime.shutdown_timeout(Duration::from_secs(1));
    served?;
    Ok(ExitCode::SUCCESS)
}

fn parse_public_url(s: &str) -> Result<String, String> {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or_else(|| format!("{s:?}: expected an http:// or https:// URL"))?;
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(format!(
            "{s:?}: expected a base URL (scheme, host, optional path)"
        ));
    }
    Ok(s.trim_end_matches('/').to_owned())
}

/// A positive number of seconds, at most a day.
fn parse_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 86_400.0 => Ok(v),
        _ => Err(format!(
            "{s:?}: expected seconds, more than 0 and at most 86400"
        )),
    }
}
