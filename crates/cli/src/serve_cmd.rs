//! `senda serve` (the HTTP service) and `senda token create`.

use crate::{engine, DbArg};
use anyhow::{Context, Result};
use clap::Args;
use senda_server::{AppState, Role, ServerConfig};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

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
        ..ServerConfig::default()
    };
    let state = AppState::new(store, config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("binding {}", args.addr))?;
        let local = listener.local_addr()?;
        tracing::info!(addr = %local, "listening");
        eprintln!("senda: listening on http://{local}");
        senda_server::serve(state, listener)
            .await
            .context("serving")
    })?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct TokenCreateArgs {
    /// analyst | ingest | admin
    #[arg(long, value_parser = parse_role)]
    role: Role,
    #[command(flatten)]
    db: DbArg,
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

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("{s:?}: expected analyst, ingest or admin"))
}

pub fn token_create(args: TokenCreateArgs) -> Result<ExitCode> {
    let mut store = senda_store::Store::open(&args.db.db)
        .with_context(|| format!("opening {}", args.db.db.display()))?;
    let token = senda_server::create_token(&mut store, args.role).context("storing the token")?;
    println!("{token}");
    eprintln!("(shown once; only a salted hash is stored)");
    Ok(ExitCode::SUCCESS)
}
