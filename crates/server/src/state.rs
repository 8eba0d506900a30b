//! Shared server state: the current engine snapshot (swapped whole on a data change), the
//! store, the token cache, the tile cache and the metrics.

use crate::auth::Role;
use crate::metrics::Metrics;
use crate::ApiError;
use anyhow::Context;
use chrono::{DateTime, Utc};
use senda_core::engine::{Engine, EngineConfig, EngineData};
use senda_store::{Query, Store};
use senda_tiles::{TileConfig, TileSource};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

/// Server limits and options, with documented defaults.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest request body, bytes. Default 16 MiB.
    pub max_body_bytes: usize,
    /// Longest straight line between route (and plan) endpoints, km. Default 5,000.
    pub max_route_km: f64,
    /// Rendered tiles kept in memory. Default 4,096.
    pub tile_cache_entries: usize,
    /// Token bucket per caller (token, or IP for public callers): burst size. Default 200.
    pub rate_burst: f64,
    /// Token bucket refill, requests per second. Default 100.
    pub rate_per_s: f64,
    pub tiles: TileConfig,
    pub engine: EngineConfig,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 16 << 20,
            max_route_km: 5_000.0,
            tile_cache_entries: 4096,
            rate_burst: 200.0,
            rate_per_s: 100.0,
            tiles: TileConfig::default(),
            engine: EngineConfig::default(),
        }
    }
}

/// One immutable view of the data: the engine and the tiles drawn from it.
pub struct Snapshot {
    pub engine: Engine,
    pub tiles: TileSource,
    /// Increases by one with every swap.
    pub generation: u64,
    pub built: Instant,
}

/// Key of a rendered tile: (generation, layer, z, x, y, analyst?).
pub type TileKey = (u64, &'static str, u8, u32, u32, bool);

/// A small LRU cache of rendered tiles (FIFO with refresh on hit is enough at this size).
#[derive(Default)]
pub struct TileCache {
    map: HashMap<TileKey, Arc<Vec<u8>>>,
    order: VecDeque<TileKey>,
}

impl TileCache {
    pub fn get(&mut self, key: &TileKey) -> Option<Arc<Vec<u8>>> {
        let hit = self.map.get(key).cloned();
        if hit.is_some() {
            if let Some(pos) = self.order.iter().position(|k| k == key) {
                self.order.remove(pos);
            }
            self.order.push_back(*key);
        }
        hit
    }

    pub fn put(&mut self, key: TileKey, bytes: Arc<Vec<u8>>, cap: usize) {
        if self.map.insert(key, bytes).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > cap {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
    }
}

/// Everything the handlers share.
pub struct AppState {
    snapshot: RwLock<Arc<Snapshot>>,
    generation: AtomicU64,
    pub store: Mutex<Store>,
    /// Checked tokens by public id: (secret hash, role).
    pub tokens: Mutex<HashMap<String, (Vec<u8>, Role)>>,
    pub tile_cache: Mutex<TileCache>,
    pub rate: Mutex<HashMap<String, (f64, Instant)>>,
    pub metrics: Metrics,
    pub config: ServerConfig,
    /// Serialises rebuilds, so snapshots are swapped in generation order.
    rebuild: Mutex<()>,
}

impl AppState {
    /// Builds the first snapshot from the store (at the current time).
    pub fn new(store: Store, config: ServerConfig) -> anyhow::Result<Arc<Self>> {
        let snapshot = build_snapshot(&store, &config, 1, Utc::now())?;
        Ok(Arc::new(Self {
            snapshot: RwLock::new(Arc::new(snapshot)),
            generation: AtomicU64::new(1),
            store: Mutex::new(store),
            tokens: Mutex::new(HashMap::new()),
            tile_cache: Mutex::new(TileCache::default()),
            rate: Mutex::new(HashMap::new()),
            metrics: Metrics::default(),
            config,
            rebuild: Mutex::new(()),
        }))
    }

    /// The current snapshot (cheap: an `Arc` clone under a read lock held for no longer).
    pub fn snapshot(&self) -> Arc<Snapshot> {
        match self.snapshot.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Builds a new snapshot from the store and swaps it in. Requests in flight keep the old
    /// one; no request waits on the build. Blocking: call from `spawn_blocking`.
    pub fn rebuild(&self) -> Result<u64, ApiError> {
        let _one = self.rebuild.lock().unwrap_or_else(|p| p.into_inner());
        let generation = self.generation.load(Ordering::SeqCst) + 1;
        let built = {
            let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            build_snapshot(&store, &self.config, generation, Utc::now())
        }
        .map_err(|e| ApiError::internal(format!("rebuilding the engine: {e:#}")))?;
        let mut slot = self.snapshot.write().unwrap_or_else(|p| p.into_inner());
        *slot = Arc::new(built);
        self.generation.store(generation, Ordering::SeqCst);
        tracing::info!(generation, "new engine snapshot swapped in");
        Ok(generation)
    }
}

/// Every record in the store, as the engine takes it.
pub fn engine_data(store: &Store) -> anyhow::Result<EngineData> {
    let all = Query::all();
    let err = |e: senda_store::StoreError| anyhow::anyhow!(e);
    Ok(EngineData {
        roads: store
            .load(&all)
            .map_err(err)?
            .into_iter()
            .map(|s| s.record)
            .collect(),
        shelters: store
            .load(&all)
            .map_err(err)?
            .into_iter()
            .map(|s| s.record)
            .collect(),
        transit: store
            .load(&all)
            .map_err(err)?
            .into_iter()
            .map(|s| s.record)
            .collect(),
        incidents: store
            .load(&all)
            .map_err(err)?
            .into_iter()
            .map(|s| s.record)
            .collect(),
        alerts: store
            .load(&all)
            .map_err(err)?
            .into_iter()
            .map(|s| s.record)
            .collect(),
    })
}

fn build_snapshot(
    store: &Store,
    config: &ServerConfig,
    generation: u64,
    at: DateTime<Utc>,
) -> anyhow::Result<Snapshot> {
    let data = engine_data(store)?;
    let engine =
        Engine::build(data, at, config.engine.clone()).context("building the routing engine")?;
    if config.engine.speedup.enabled {
        // The routing speed-up (CCH) is prepared in the background: routes use Dijkstra until
        // it is ready, so startup and swaps are not delayed (see `engine::speedup`).
        let background = engine.clone();
        let spawned = std::thread::Builder::new()
            .name("senda-speedup".to_owned())
            .spawn(move || {
                let t = std::time::Instant::now();
                background.prepare_speedup();
                tracing::info!(
                    generation,
                    seconds = t.elapsed().as_secs_f64(),
                    "routing speed-up ready"
                );
            });
        if let Err(e) = spawned {
            tracing::warn!("routing speed-up not started: {e}");
        }
    }
    let tiles = TileSource::new(&engine, config.tiles.clone()).context("building the tiles")?;
    Ok(Snapshot {
        engine,
        tiles,
        generation,
        built: Instant::now(),
    })
}
