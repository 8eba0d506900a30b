//! `senda`: the command-line tool (ingest, validate, init; later serve, route, nearest, plan).

mod args;
mod default_data;
mod engine;
mod load;
mod nearest_cmd;
mod plan_cmd;
mod route_cmd;
mod serve_cmd;
mod tiles_cmd;
mod token_cmd;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use senda_core::RecordKind;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "senda",
    version,
    about = "Safer routes, shelters and risk maps for people on the move"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load files into the database. Each file is one transaction (all of it or none). A GTFS
    /// feed (transit) may be a zip or a folder.
    ///
    /// Exit status: 0 on success; 1 when a file cannot be read at all or the database fails;
    /// 3 with --strict when any record was rejected (such files are not stored).
    Ingest {
        /// roads | incidents | shelters | transit | weather
        #[arg(value_parser = parse_kind)]
        kind: RecordKind,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        opts: LoadOpts,
        #[command(flatten)]
        db: DbArg,
    },
    /// Check files (or GTFS feed folders) without storing anything (a dry run of `ingest`).
    Validate {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The kind of records; detected from the content when omitted.
        #[arg(long, value_parser = parse_kind)]
        kind: Option<RecordKind>,
        #[command(flatten)]
        opts: LoadOpts,
    },
    /// The nearest shelters to a point, in a straight line or by safe travel along roads; with
    /// --stops, the nearest public-transport stops with their lines and headways.
    Nearest(nearest_cmd::NearestArgs),
    /// Split a journey into days of at most --max-daily-hours of travel, each ending at a
    /// shelter, else (flagged) in a town or by the road. It fails only when no route joins
    /// the places or the plan needs more than --max-days days.
    ///
    /// Exit status: 0 with a plan; 1 when no plan can be made (the message in --lang) or the
    /// database fails; 2 for bad arguments.
    Plan(plan_cmd::PlanArgs),
    /// Describe the routing network built from the database: nodes and edges, the endpoints
    /// merged within the tolerance, the components each profile drops, how many shelters and
    /// transit points snap to it, and the risk field.
    Network {
        #[command(flatten)]
        db: DbArg,
    },
    /// Load the bundled default dataset (Mexico–Central America corridor) into the database.
    Init {
        #[command(flatten)]
        db: DbArg,
    },
    /// The safer route between two points, with alternatives along the risk–time trade-off.
    ///
    /// Exit status: 0 with a route; 1 when no route is found (a point far from any road,
    /// closed roads) or the database fails; 2 for bad arguments.
    Route {
        #[command(flatten)]
        args: route_cmd::RouteArgs,
    },
    /// Serve the HTTP API and map tiles (with no database yet, the bundled default data is
    /// loaded first). Stops on Ctrl-C or SIGTERM.
    Serve(serve_cmd::ServeArgs),
    /// API bearer tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Offline map tiles.
    #[command(subcommand)]
    Tiles(TilesCommand),
}

#[derive(Subcommand)]
enum TilesCommand {
    /// Write the public map layers over a box and zoom range to one PMTiles archive, for
    /// phones and offices with no connection (`senda serve` serves such packs too).
    Export(tiles_cmd::ExportArgs),
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token for a role, optionally expiring; it is printed once (only its salted
    /// hash is stored).
    Create(token_cmd::CreateArgs),
    /// List the tokens: id, role, created, expires, last used, status. Never a secret.
    List(token_cmd::ListArgs),
    /// Revoke a token by id; a running `senda serve` refuses it within seconds.
    Revoke(token_cmd::RevokeArgs),
}

#[derive(Args, Clone)]
pub struct LoadOpts {
    /// Write every file's full report (each rejected, skipped and flagged record) as JSON here.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Treat any rejected record as a failure: the file is not stored and the exit status is 3.
    #[arg(long)]
    strict: bool,
    /// The most bytes a gzip-compressed file may decompress to; a larger one is refused.
    #[arg(long, value_name = "BYTES", default_value_t = senda_ingest::limits::MAX_DECOMPRESSED_BYTES)]
    max_decompressed_bytes: u64,
}

#[derive(Args, Clone)]
pub struct DbArg {
    /// The SQLite database file (created when missing).
    #[arg(long, env = "SENDA_DB", default_value = "senda.db")]
    db: PathBuf,
}

fn parse_kind(s: &str) -> Result<RecordKind, String> {
    RecordKind::parse(s).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SENDA_LOG")
                .unwrap_or_else(|_| "warn,senda_server=info,senda=info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Ingest {
            kind,
            files,
            opts,
            db,
        } => {
            let mut store = senda_store::Store::open(&db.db)
                .with_context(|| format!("opening {}", db.db.display()))?;
            let sources = files
                .iter()
                .map(|f| load::Source::Path(f.clone(), Some(kind)))
                .collect();
            load::run(Some(&mut store), sources, &opts)
        }
        Command::Validate { files, kind, opts } => {
            let sources = files
                .iter()
                .map(|f| load::Source::Path(f.clone(), kind))
                .collect();
            load::run(None, sources, &opts)
        }
        Command::Nearest(args) => nearest_cmd::run(args),
        Command::Plan(args) => plan_cmd::run(args),
        Command::Network { db } => {
            let engine = engine::open(&db.db, None)?;
            println!("{}", engine.build_report());
            println!(
                "rail links: {} walking link(s) from rail line ends to the nearest road within {} m",
                engine.rail_links().len(),
                engine.config().rail_link_m
            );
            let local = |t: &senda_core::TransitPoint| t.kind.is_local_stop();
            let transit: Vec<_> = engine
                .transit()
                .iter()
                .zip(engine.transit_snaps())
                .filter(|(t, _)| !local(t))
                .map(|(_, s)| s.clone())
                .collect();
            for (what, snaps) in [
                ("shelters", engine.shelter_snaps()),
                ("transit points", &transit[..]),
            ] {
                let foot = snaps.iter().filter(|s| s.foot.is_some()).count();
                let vehicle = snaps.iter().filter(|s| s.vehicle.is_some()).count();
                println!(
                    "{what}: {} in all, {foot} within {} m of a road on foot, {vehicle} by vehicle",
                    snaps.len(),
                    engine.config().max_snap_distance_m
                );
            }
            println!(
                "public-transport stops: {} urban stops (not snapped: answered by air), {} served by lines",
                engine.transit().iter().filter(|t| local(t)).count(),
                engine.stop_count()
            );
            let risk = engine.risk();
            println!(
                "risk field at {}: {} H3 cells (resolution {}), {} incidents counted, {} weather alerts in force",
                risk.at().to_rfc3339(),
                risk.len(),
                u8::from(risk.resolution()),
                risk.incidents_counted(),
                risk.alerts().len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { db } => {
            let mut store = senda_store::Store::open(&db.db)
                .with_context(|| format!("opening {}", db.db.display()))?;
            let sources = default_data::sources();
            load::run(
                Some(&mut store),
                sources,
                &LoadOpts {
                    report: None,
                    strict: false,
                    max_decompressed_bytes: senda_ingest::limits::MAX_DECOMPRESSED_BYTES,
                },
            )
        }
        Command::Route { args } => route_cmd::run(args),
        Command::Serve(args) => serve_cmd::run(args),
        Command::Token(TokenCommand::Create(args)) => token_cmd::create(args),
        Command::Token(TokenCommand::List(args)) => token_cmd::list(args),
        Command::Token(TokenCommand::Revoke(args)) => token_cmd::revoke(args),
        Command::Tiles(TilesCommand::Export(args)) => tiles_cmd::export(args),
    }
}
