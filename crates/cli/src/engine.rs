//! Building a query engine from the database, for `route`, `nearest` and `plan`.

use crate::{default_data, load};
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use senda_core::engine::{Engine, EngineConfig};
use senda_store::Store;
use std::path::Path;

/// Opens the database (creating it and loading the bundled default data when it holds no
/// records, so the query commands work with no set-up) and builds an engine at `at`
/// (default: now).
pub fn open(db: &Path, at: Option<DateTime<Utc>>) -> Result<Engine> {
    let store = open_store(db)?;
    let data = senda_server::engine_data(&store)?;
    let at = at.unwrap_or_else(Utc::now);
    Engine::build(data, at, EngineConfig::default()).context("building the routing engine")
}

/// Opens the database, loading the bundled default data into it when it holds no records.
pub fn open_store(db: &Path) -> Result<Store> {
    let mut store = Store::open(db).with_context(|| format!("opening {}", db.display()))?;
    if store.is_empty()? {
        eprintln!(
            "{}: no data yet; loading the bundled default data (data/README.md)…",
            db.display()
        );
        load::load_quietly(&mut store, default_data::sources())?;
    }
    Ok(store)
}
