//! The routing speed-up: customizable contraction hierarchies ([`crate::search::cch`]) for
//! the metrics requests share, exact bidirectional Dijkstra for everything else.
//!
//! * **Index**, once per road network: [`Engine::prepare_speedup`] computes the contraction
//!   order and the supergraph (about a minute per million nodes, independent of the weights).
//!   [`Engine::build`] does not, so startup stays fast: until the index is ready, routes use
//!   Dijkstra. `senda serve` prepares it in the background. Indexes are shared within the
//!   process by a fingerprint of the graph (topology and node positions): an engine rebuilt
//!   over the same network (the server rebuilds on every data change) reuses the index of
//!   any live engine, or of the last one built, instead of ordering again.
//! * **Metrics**, per snapshot: a metric is the generalised cost of one (profile, rail,
//!   aversion) for the snapshot's risk. Only the aversions on the ladder
//!   [`SpeedupConfig::levels`] (default: the Pareto sweep 0, 1/64 … 1, which holds the
//!   default aversion 0.5) are customized, on first use, and shared by every request.
//! * **Updates**: [`Engine::add_incidents`] keeps the aversion-0 metrics (risk does not enter
//!   them; hard blocks come from alerts, which do not change) and re-customizes, before it
//!   returns, the metrics in use at the other [`SpeedupConfig::eager`] levels (default 0.5,
//!   the default request), so routes reflect new incidents as soon as the snapshot is swapped
//!   in. That re-customization is partial ([`CchIndex::recustomize`]): only the part of the
//!   hierarchy above the edges whose weight changed. Other levels in use are customized
//!   afresh on their next request. [`Engine::at_time`]
//!   (alerts and decay change everything) starts afresh.
//! * **Exact fallbacks**: a request with avoid areas (per-request blocks), an aversion off
//!   the ladder, or a pair the CCH cannot answer below 2³¹ uses the bidirectional Dijkstra on
//!   the exact weights, so every route has the optimal cost of the metric it reports.

use super::{Engine, EngineError};
use crate::graph::{Profile, RoadGraph};
use crate::search::cch::{CchIndex, CchMetric};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// Speed-up parameters, with documented defaults.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SpeedupConfig {
    /// Whether [`Engine::prepare_speedup`] builds the index at all. Default true.
    pub enabled: bool,
    /// The aversions whose metrics are customized and shared by all requests; a request at
    /// another aversion is answered by Dijkstra. Default: [`super::route::SWEEP`].
    pub levels: Vec<f64>,
    /// The levels [`Engine::prepare_speedup`] customizes for foot and vehicle; other levels
    /// are customized on their first request. After [`Engine::add_incidents`] (and
    /// `with_events`, `at_time`) the metrics in use are re-customized on their next request,
    /// partially, from the previous snapshot's (aversion 0 is kept after new incidents: risk
    /// does not enter it). Default `[0, 0.5]`: every route request searches its aversion and
    /// the fastest. A full customization costs about 0.3 s per million nodes on two cores; a
    /// partial one after local changes a few hundredths of a second.
    pub eager: Vec<f64>,
}

impl Default for SpeedupConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            levels: super::route::SWEEP.to_vec(),
            eager: vec![0.0, super::route::DEFAULT_AVERSION],
        }
    }
}

/// Which metric: profile index, rail allowed, aversion bits.
type Key = (usize, bool, u64);

type Slot = Arc<OnceLock<Arc<CchMetric>>>;

/// The customized metrics of one snapshot, filled on first use.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    slots: Mutex<HashMap<Key, Slot>>,
    /// Metrics of the previous snapshot not yet re-customized for this one: the first request
    /// at that level re-customizes a copy, partially (only what changed edges reach).
    seeds: Mutex<HashMap<Key, Arc<CchMetric>>>,
}

impl Metrics {
    fn slot(&self, key: Key) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.entry(key).or_default().clone()
    }

    fn customized(&self) -> Vec<(Key, Arc<CchMetric>)> {
        let slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots
            .iter()
            .filter_map(|(k, s)| s.get().map(|m| (*k, m.clone())))
            .collect()
    }

    fn seed(&self, key: Key, metric: Arc<CchMetric>) {
        let mut seeds = self.seeds.lock().unwrap_or_else(|p| p.into_inner());
        seeds.insert(key, metric);
    }

    fn take_seed(&self, key: &Key) -> Option<Arc<CchMetric>> {
        let mut seeds = self.seeds.lock().unwrap_or_else(|p| p.into_inner());
        seeds.remove(key)
    }

    fn seeds(&self) -> Vec<(Key, Arc<CchMetric>)> {
        let seeds = self.seeds.lock().unwrap_or_else(|p| p.into_inner());
        seeds.iter().map(|(k, m)| (*k, m.clone())).collect()
    }

    fn insert(&self, key: Key, metric: Arc<CchMetric>) {
        let slot = OnceLock::new();
        let _ = slot.set(metric);
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.insert(key, Arc::new(slot));
    }
}

/// The indexes built in this process, by graph fingerprint: weak references to every index
/// still in use by some engine, and the last one built kept alive.
#[derive(Default)]
struct IndexCache {
    live: Vec<(u64, Weak<CchIndex>)>,
    last: Option<Arc<CchIndex>>,
}

static INDEXES: Mutex<IndexCache> = Mutex::new(IndexCache {
    live: Vec::new(),
    last: None,
});

/// A hash of the graph's topology and node positions (what the index depends on).
fn fingerprint(graph: &RoadGraph) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    graph.first_out.hash(&mut h);
    graph.head.hash(&mut h);
    for p in &graph.node_pos {
        p.lon().to_bits().hash(&mut h);
        p.lat().to_bits().hash(&mut h);
    }
    h.finish()
}

fn key(profile: Profile, allow_rail: bool, aversion: f64) -> Key {
    (
        super::profile_index(profile),
        allow_rail && profile == Profile::Foot,
        aversion.to_bits(),
    )
}

impl Engine {
    /// Builds the CCH index for this engine's network (or takes the one built before for the
    /// same network) and customizes the [`SpeedupConfig::eager`] levels for foot and vehicle.
    /// Blocking; safe to call from a background thread while the engine serves requests.
    /// Does nothing when [`SpeedupConfig::enabled`] is false.
    pub fn prepare_speedup(&self) {
        let cfg = &self.config.speedup;
        if !cfg.enabled && self.fixed.cch.get().is_none() {
            return;
        }
        let graph = self.graph();
        self.fixed.cch.get_or_init(|| {
            let fp = fingerprint(graph);
            // Held while building: a second engine over the same network waits and reuses.
            let mut cache = INDEXES.lock().unwrap_or_else(|p| p.into_inner());
            cache.live.retain(|(_, w)| w.strong_count() > 0);
            let found = cache
                .live
                .iter()
                .filter(|(f, _)| *f == fp)
                .find_map(|(_, w)| w.upgrade())
                .filter(|i| i.node_count() == graph.node_count());
            if let Some(index) = found {
                return index;
            }
            let index = Arc::new(CchIndex::build(graph));
            cache.live.push((fp, Arc::downgrade(&index)));
            cache.last = Some(index.clone());
            index
        });
        for &aversion in &cfg.eager {
            for profile in [Profile::Foot, Profile::Vehicle] {
                self.cch_metric(profile, false, aversion);
            }
        }
    }

    /// As [`Engine::prepare_speedup`], with a contraction order computed before (e.g. stored
    /// by a previous run, [`CchIndex::order`]) instead of ordering now. Any permutation gives
    /// exact routes; a good one gives fast ones. Ignored if the index is already built.
    ///
    /// # Errors
    /// When `order` is not a permutation of the graph's nodes.
    pub fn prepare_speedup_with_order(&self, order: &[u32]) -> Result<(), EngineError> {
        if self.fixed.cch.get().is_none() {
            let index = Arc::new(CchIndex::with_order(self.graph(), order)?);
            let _ = self.fixed.cch.set(index);
        }
        self.prepare_speedup();
        Ok(())
    }

    /// Whether routes can use the CCH (the index is built).
    pub fn speedup_ready(&self) -> bool {
        self.fixed.cch.get().is_some()
    }

    /// The CCH index, once built.
    pub fn cch_index(&self) -> Option<&CchIndex> {
        self.fixed.cch.get().map(|i| &**i)
    }

    /// The customized metric for a request's profile, rail use and aversion, customizing it
    /// now if this snapshot has not yet; `None` when the index is not built or the aversion
    /// is not on the ladder.
    pub fn cch_metric(
        &self,
        profile: Profile,
        allow_rail: bool,
        aversion: f64,
    ) -> Option<Arc<CchMetric>> {
        let index = self.fixed.cch.get()?;
        if !self.config.speedup.levels.contains(&aversion) {
            return None;
        }
        let k = key(profile, allow_rail, aversion);
        let slot = self.metrics.slot(k);
        let metric = slot.get_or_init(|| {
            let weights = self.metric_weights(profile, allow_rail, aversion);
            match self.metrics.take_seed(&k) {
                Some(previous) => {
                    let mut m = (*previous).clone();
                    index.recustomize(&mut m, weights);
                    Arc::new(m)
                }
                None => Arc::new(index.customize(weights)),
            }
        });
        Some(metric.clone())
    }

    fn metric_weights(&self, profile: Profile, allow_rail: bool, aversion: f64) -> Vec<u32> {
        self.route_weights(profile, allow_rail, &[aversion], &[])
            .pop()
            .unwrap_or_default()
    }

    /// The metrics of the next snapshot (`self`, its metrics still empty) from `previous`:
    /// the metrics `previous` customized (or had still to) become seeds, re-customized —
    /// partially, only what the changed edges reach — by the first request at their level, so
    /// an update costs no customization until a route needs one. When `times_unchanged` (only
    /// incident risk changed: `add_incidents`) the aversion-0 metrics (travel time and alert
    /// blocks) are kept as they are; otherwise (other alerts or another time: `with_events`,
    /// `at_time`) they are seeds like the others.
    pub(crate) fn carry_metrics(&self, previous: &Engine, times_unchanged: bool) {
        if self.fixed.cch.get().is_none() {
            return;
        }
        for (k, m) in previous.metrics.seeds() {
            self.metrics.seed(k, m);
        }
        for (k, m) in previous.metrics.customized() {
            if times_unchanged && f64::from_bits(k.2) == 0.0 {
                self.metrics.insert(k, m);
            } else {
                self.metrics.seed(k, m);
            }
        }
    }
}
