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
    /// Directory of offline tile packs served at /packs/NAME.pmtiles (default: `tiles/` beside
    /// the database; see `senda tiles export`).
    #[arg(long)]
    packs: Option<PathBuf>,
    #[command(flatten)]
    db: DbArg,
}

pub fn run(args: ServeArgs) -> Result<ExitCode> {
    let store = engine::open_store(&args.db.db)?;
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
