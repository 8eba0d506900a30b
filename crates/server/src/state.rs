//! Shared server state: the current engine snapshot (swapped whole on a data change), the
//! store, the token cache, the tile cache and the metrics.

use crate::auth::TokenTable;
use crate::metrics::Metrics;
use crate::ApiError;
use anyhow::Context;
use chrono::{DateTime, Utc};
use senda_core::engine::{Engine, EngineConfig, EngineData};
use senda_core::{Incident, WeatherAlert};
use senda_store::{Query, Store};
use senda_tiles::{TileConfig, TileSource};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

/// Server limits and options, with documented defaults.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest request body, bytes. Default 16 MiB.
    pub max_body_bytes: usize,
    /// The most bytes a gzip body may decompress to (an ingest upload); more is a 413.
    /// Default 256 MiB.
    pub max_decompressed_bytes: u64,
    /// Longest straight line between route (and plan) endpoints, km. Default 5,000.
    pub max_route_km: f64,
    /// Rendered tiles kept in memory. Default 4,096.
    pub tile_cache_entries: usize,
    /// Token bucket per caller (token, or IP for public callers): burst size. Default 200.
    pub rate_burst: f64,
    /// Token bucket refill, requests per second. Default 100; 0 turns the limit off.
    pub rate_per_s: f64,
    /// Proxies whose `X-Forwarded-For` names the client (for the rate limit); from any other
    /// peer the header is ignored. Default none.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The public base URL (`https://senda.example.org`, no trailing slash) for absolute links
    /// (TileJSON tile URLs, the catalog); `None`: `http://` and the request's `Host`.
    pub public_url: Option<String>,
    /// Per-record bounds on uploads (identifier and text sizes, how far in the future an
    /// incident may be dated); records out of them are rejected naming the field.
    pub record_limits: senda_ingest::limits::Limits,
    /// Origins whose pages may call the public API and tiles (CORS); `*`: any. Default `*`.
    pub cors_origins: Vec<String>,
    /// Longest wait for a request's header block, from the moment the connection waits for
    /// a request (so an idle keep-alive connection is closed after it too). Default 10 s.
    pub header_timeout: std::time::Duration,
    /// Longest time to receive a request body, from its header block to its last byte.
    /// Default 30 s.
    pub body_timeout: std::time::Duration,
    /// Connections served at once; further ones wait in the listen backlog. Default 1,024.
    pub max_connections: usize,
    /// After Ctrl-C or SIGTERM, how long requests in flight may take before the server
    /// exits anyway, closing any connection still open. Default 10 s.
    pub shutdown_timeout: std::time::Duration,
    /// How often [`crate::serve`] reloads the token table from the store (revocations and
    /// new expiry times by other processes, e.g. `senda token revoke`) and writes the tokens'
    /// last-use times. Default 2 s.
    pub token_refresh: std::time::Duration,
    /// How often [`crate::serve`] re-evaluates the risk at the current time (incident decay,
    /// alerts coming into force or expiring). Default 5 minutes.
    pub retime_every: std::time::Duration,
    pub tiles: TileConfig,
    pub engine: EngineConfig,
    /// The basemap the map page draws under the data (`/tiles/basemap/...`); `None`: none.
    pub basemap: Option<Arc<senda_tiles::Basemap>>,
    /// The directory of offline tile packs served at `/packs/{name}.pmtiles`; `None`: none.
    pub packs_dir: Option<std::path::PathBuf>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 16 << 20,
            max_decompressed_bytes: 256 << 20,
            max_route_km: 5_000.0,
            tile_cache_entries: 4096,
            rate_burst: 200.0,
            rate_per_s: 100.0,
            retime_every: std::time::Duration::from_secs(300),
            trusted_proxies: Vec::new(),
            cors_origins: vec!["*".to_owned()],
            record_limits: senda_ingest::limits::Limits::default(),
            public_url: None,
            token_refresh: std::time::Duration::from_secs(2),
            header_timeout: std::time::Duration::from_secs(10),
            body_timeout: std::time::Duration::from_secs(30),
            max_connections: 1024,
            shutdown_timeout: std::time::Duration::from_secs(10),
            tiles: TileConfig::default(),
            engine: EngineConfig::default(),
            basemap: None,
            packs_dir: None,
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

/// A rendered tile as served: the MVT bytes, the same gzip-compressed (made once, so cached
/// tiles cost no compression per request) and the ETag.
pub struct EncodedTile {
    pub raw: axum::body::Bytes,
    pub gzip: axum::body::Bytes,
    pub etag: String,
}

impl EncodedTile {
    pub fn new(raw: Vec<u8>) -> Self {
        let etag = format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&raw));
        let gzip = senda_tiles::gzip(&raw).into();
        Self {
            raw: raw.into(),
            gzip,
            etag,
        }
    }
}

/// The least recently used tiles are dropped past the capacity (`lru`: O(1) get and put).
pub struct TileCache(lru::LruCache<TileKey, Arc<EncodedTile>>);

impl TileCache {
    pub fn new(capacity: usize) -> Self {
        Self(lru::LruCache::new(
            std::num::NonZeroUsize::new(capacity.max(1)).expect("at least 1"),
        ))
    }

    pub fn get(&mut self, key: &TileKey) -> Option<Arc<EncodedTile>> {
        self.0.get(key).cloned()
    }

    pub fn put(&mut self, key: TileKey, tile: Arc<EncodedTile>) {
        self.0.put(key, tile);
    }
}

impl AppState {
    /// The tile of `key` from the cache, or rendered by `render` (off the async threads),
    /// encoded and cached.
    pub async fn tile(
        &self,
        key: TileKey,
        render: impl FnOnce() -> Result<Vec<u8>, ApiError> + Send + 'static,
    ) -> Result<Arc<EncodedTile>, ApiError> {
        let cached = self
            .tile_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key);
        if let Some(t) = cached {
            return Ok(t);
        }
        let t = Arc::new(crate::api::blocking(move || render().map(EncodedTile::new)).await?);
        self.tile_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .put(key, t.clone());
        Ok(t)
    }
}

/// Everything the handlers share.
pub struct AppState {
    snapshot: RwLock<Arc<Snapshot>>,
    generation: AtomicU64,
    pub store: Mutex<Store>,
    /// The live tokens (see [`crate::auth::TokenTable`]).
    pub(crate) tokens: Mutex<TokenTable>,
    pub tile_cache: Mutex<TileCache>,
    pub rate: Mutex<HashMap<String, (f64, Instant)>>,
    pub metrics: Metrics,
    pub config: ServerConfig,
    /// Tile sources re-timed for `?at=` (see `web::source_at`).
    pub(crate) dated_tiles: Mutex<crate::web::DatedSources>,
    /// Serialises rebuilds, so snapshots are swapped in generation order.
    rebuild: Mutex<()>,
}

impl AppState {
    /// Builds the first snapshot from the store (at the current time).
    pub fn new(store: Store, config: ServerConfig) -> anyhow::Result<Arc<Self>> {
        // The embedded translations and emergency data are checked before serving anything.
        crate::i18n::validate().map_err(anyhow::Error::msg)?;
        crate::emergency::Emergency::embedded().map_err(|e| anyhow::anyhow!(e.clone()))?;
        let snapshot = build_snapshot(engine_data(&store)?, &config, 1, Utc::now())?;
        let state = Arc::new(Self {
            snapshot: RwLock::new(Arc::new(snapshot)),
            generation: AtomicU64::new(1),
            store: Mutex::new(store),
            tokens: Mutex::new(TokenTable::default()),
            tile_cache: Mutex::new(TileCache::new(config.tile_cache_entries)),
            rate: Mutex::new(HashMap::new()),
            metrics: Metrics::default(),
            config,
            dated_tiles: Mutex::new(Vec::new()),
            rebuild: Mutex::new(()),
        });
        state.refresh_tokens().context("reading the tokens")?;
        Ok(state)
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
        self.swap_in(|generation| {
            let data = self.read_store(engine_data)?;
            build_snapshot(data, &self.config, generation, Utc::now())
        })
    }

    /// After new incidents or weather alerts: a new snapshot with the store's incidents and
    /// alerts on the current network (the graph and snaps are shared; only the risk and the
    /// tiles are computed), evaluated now. Much cheaper than [`AppState::rebuild`].
    pub fn refresh_events(&self) -> Result<u64, ApiError> {
        self.swap_in(|generation| {
            let t0 = Instant::now();
            let (incidents, alerts) = self.read_store(events)?;
            let engine = self
                .snapshot()
                .engine
                .with_events(incidents, alerts, Utc::now())
                .context("computing the risk")?;
            snapshot_of(engine, &self.config, generation, t0)
        })
    }

    /// The current snapshot with its risk evaluated now (incident decay, alerts coming into
    /// force or expiring), for a periodic refresh.
    pub fn retime(&self) -> Result<u64, ApiError> {
        self.swap_in(|generation| {
            let t0 = Instant::now();
            let engine = self
                .snapshot()
                .engine
                .at_time(Utc::now())
                .context("computing the risk")?;
            snapshot_of(engine, &self.config, generation, t0)
        })
    }

    /// `f` on the store, holding its lock no longer than that (not while an engine builds).
    fn read_store<T>(&self, f: impl FnOnce(&Store) -> T) -> T {
        let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        f(&store)
    }

    /// Builds the next snapshot and swaps it in. Builds are serialised (so generations are
    /// swapped in order) and each reads the store after the previous swap, so a batch stored
    /// before `swap_in` is called is in the snapshot it swaps in.
    fn swap_in(
        &self,
        build: impl FnOnce(u64) -> anyhow::Result<Snapshot>,
    ) -> Result<u64, ApiError> {
        let _one = self.rebuild.lock().unwrap_or_else(|p| p.into_inner());
        let generation = self.generation.load(Ordering::SeqCst) + 1;
        let built = build(generation)
            .map_err(|e| ApiError::internal(format!("rebuilding the engine: {e:#}")))?;
        let mut slot = self.snapshot.write().unwrap_or_else(|p| p.into_inner());
        *slot = Arc::new(built);
        self.generation.store(generation, Ordering::SeqCst);
        tracing::info!(generation, "new engine snapshot swapped in");
        Ok(generation)
    }
}

/// The store's incidents and weather alerts.
fn events(store: &Store) -> anyhow::Result<(Vec<Incident>, Vec<WeatherAlert>)> {
    let all = Query::all();
    let err = |e: senda_store::StoreError| anyhow::anyhow!(e);
    let incidents = store.load(&all).map_err(err)?;
    let alerts = store.load(&all).map_err(err)?;
    Ok((
        incidents.into_iter().map(|s| s.record).collect(),
        alerts.into_iter().map(|s| s.record).collect(),
    ))
}

/// Every record in the store, as the engine takes it, with the embedded gazetteer.
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
        places: senda_ingest::gazetteer::corridor(),
    })
}

fn build_snapshot(
    data: EngineData,
    config: &ServerConfig,
    generation: u64,
    at: DateTime<Utc>,
) -> anyhow::Result<Snapshot> {
    let t0 = Instant::now();
    let engine =
        Engine::build(data, at, config.engine.clone()).context("building the routing engine")?;
    snapshot_of(engine, config, generation, t0)
}

fn snapshot_of(
    engine: Engine,
    config: &ServerConfig,
    generation: u64,
    started: Instant,
) -> anyhow::Result<Snapshot> {
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
    let t = Instant::now();
    let tiles = TileSource::new(&engine, config.tiles.clone()).context("building the tiles")?;
    tracing::info!(
        generation,
        engine_ms = (t - started).as_millis() as u64,
        tiles_ms = t.elapsed().as_millis() as u64,
        "snapshot built"
    );
    Ok(Snapshot {
        engine,
        tiles,
        generation,
        built: Instant::now(),
    })
}
