//! The input every peer reads in the side-by-side comparison: a graph (generated road-like or
//! a real OSM network) with senda's exact vehicle travel-time costs, and seeded node pairs.
//!
//! Export format (directory per graph, plain CSV with a header so SQL `COPY`, Python and Rust
//! read it the same way):
//! - `nodes.csv`: `id,lon,lat,x,y` — `x`, `y` are planar metres (equirectangular around the
//!   graph's centre, rounded to 1 mm) for A* heuristics;
//! - `edges.csv`: `id,source,target,cost` — every directed edge senda's vehicle profile may use,
//!   `cost` its weight in deciseconds (`search::weights_time`, an integer: no peer rounds);
//! - `pairs.csv`: `source,target` — seeded random nodes of the largest strongly connected
//!   vehicle component, so every pair has a route;
//! - `meta.json`: counts, the A* factor (deciseconds per planar metre, a lower bound over every
//!   edge, so `floor(factor × distance)` is a consistent heuristic) and the graph build time.

use anyhow::{bail, Context, Result};
use senda_core::graph::{GraphConfig, Profile, RoadGraph};
use senda_core::search::{weights_time, BLOCKED};
use senda_core::{EdgeId, NodeId, RoadSegment};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

/// Which graph: `road:NODES:SEED` (`senda_testkit::gen::road_like_graph`) or `osm:PATH`
/// (an OSM PBF extract read by `senda_ingest::roads`).
#[derive(Debug, Clone, PartialEq)]
pub enum GraphSpec {
    RoadLike { nodes: usize, seed: u64 },
    Osm(PathBuf),
}

impl FromStr for GraphSpec {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Self> {
        if let Some(rest) = s.strip_prefix("road:") {
            let (n, seed) = rest
                .split_once(':')
                .with_context(|| format!("{s:?}: expected road:NODES:SEED"))?;
            Ok(Self::RoadLike {
                nodes: n
                    .parse()
                    .with_context(|| format!("{s:?}: NODES {n:?} is not a count"))?,
                seed: seed
                    .parse()
                    .with_context(|| format!("{s:?}: SEED {seed:?} is not an integer"))?,
            })
        } else if let Some(path) = s.strip_prefix("osm:") {
            Ok(Self::Osm(PathBuf::from(path)))
        } else {
            bail!("{s:?}: expected road:NODES:SEED or osm:PATH")
        }
    }
}

impl fmt::Display for GraphSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RoadLike { nodes, seed } => write!(f, "road:{nodes}:{seed}"),
            Self::Osm(p) => write!(f, "osm:{}", p.display()),
        }
    }
}

/// The road segments of a graph spec.
pub fn segments(spec: &GraphSpec) -> Result<Vec<RoadSegment>> {
    match spec {
        GraphSpec::RoadLike { nodes, seed } => {
            Ok(senda_testkit::gen::road_like_graph(*nodes, *seed))
        }
        GraphSpec::Osm(path) => {
            let input = senda_ingest::Input::from_path(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let outcome = senda_ingest::roads::read(&input)
                .with_context(|| format!("reading roads from {}", path.display()))?;
            Ok(outcome
                .roads
                .records
                .into_iter()
                .map(|r| r.record)
                .collect())
        }
    }
}

/// senda's graph and the weights every peer gets: vehicle travel time in deciseconds (the
/// fastest metric; the risk-weighted metrics have the same shape).
pub struct Prepared {
    pub graph: RoadGraph,
    pub weights: Vec<u32>,
    /// `RoadGraph::build` and the weights, seconds (segment generation or reading excluded).
    pub build_s: f64,
}

impl Prepared {
    pub fn new(spec: &GraphSpec) -> Result<Self> {
        let segs = segments(spec)?;
        let t = Instant::now();
        let (graph, _) = RoadGraph::build(&segs, &GraphConfig::default());
        let weights = weights_time(&graph, Profile::Vehicle, false);
        Ok(Self {
            graph,
            weights,
            build_s: t.elapsed().as_secs_f64(),
        })
    }

    /// The usable directed edges as `(source, target, cost)`, in edge id order.
    pub fn edges(&self) -> Vec<(u32, u32, u32)> {
        (0..self.graph.edge_count() as u32)
            .map(EdgeId)
            .filter(|e| self.weights[e.index()] != BLOCKED)
            .map(|e| {
                (
                    self.graph.tail(e).0,
                    self.graph.head(e).0,
                    self.weights[e.index()],
                )
            })
            .collect()
    }

    /// Planar metres of every node, rounded to 1 mm (as written to `nodes.csv`).
    pub fn planar(&self) -> Vec<(f64, f64)> {
        let n = self.graph.node_count();
        let (mut lon0, mut lat0) = (0.0, 0.0);
        for i in 0..n {
            let p = self.graph.node_position(NodeId(i as u32));
            lon0 += p.lon() / n as f64;
            lat0 += p.lat() / n as f64;
        }
        let m_per_deg = 6_371_008.8_f64.to_radians();
        let cos0 = f64::cos(f64::to_radians(lat0));
        (0..n)
            .map(|i| {
                let p = self.graph.node_position(NodeId(i as u32));
                let x = (p.lon() - lon0) * cos0 * m_per_deg;
                let y = (p.lat() - lat0) * m_per_deg;
                ((x * 1000.0).round() / 1000.0, (y * 1000.0).round() / 1000.0)
            })
            .collect()
    }

    /// `n` seeded pairs of distinct nodes that leave by a usable edge (for the vehicle profile
    /// those are the nodes of its largest strongly connected component, so every pair routes).
    pub fn pairs(&self, n: usize, seed: u64) -> Result<Vec<(u32, u32)>> {
        let mut usable = vec![false; self.graph.node_count()];
        for (s, _, _) in self.edges() {
            usable[s as usize] = true;
        }
        let nodes: Vec<u32> = (0..usable.len() as u32)
            .filter(|&i| usable[i as usize])
            .collect();
        if nodes.len() < 2 {
            bail!("the graph has {} routable nodes: no pairs", nodes.len());
        }
        let mut rng = SplitMix64(seed);
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let a = nodes[rng.below(nodes.len())];
            let b = nodes[rng.below(nodes.len())];
            if a != b {
                out.push((a, b));
            }
        }
        Ok(out)
    }
}

/// SplitMix64: seeded, dependency-free random numbers, identical on every run.
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// `meta.json` of an exported graph.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Meta {
    pub spec: String,
    pub nodes: usize,
    pub edges: usize,
    pub pairs: usize,
    /// Deciseconds per planar metre, at most `cost / distance` on every edge (× 0.999).
    pub astar_factor: f64,
    /// senda's `RoadGraph::build` + weights, seconds.
    pub senda_build_s: f64,
    /// A hash of `edges.csv`'s rows, so `peers_route` can check it times the same graph.
    pub edges_hash: u64,
}

/// FNV-1a over the edge triples: a fingerprint, not a security hash.
pub fn edges_hash(edges: &[(u32, u32, u32)]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &(s, t, c) in edges {
        for v in [s, t, c] {
            for b in v.to_le_bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    h
}

/// The A* factor for planar positions and edges: the least `cost / distance`, × 0.999.
pub fn astar_factor(xy: &[(f64, f64)], edges: &[(u32, u32, u32)]) -> f64 {
    let mut f = f64::INFINITY;
    for &(s, t, c) in edges {
        let (a, b) = (xy[s as usize], xy[t as usize]);
        let d = (a.0 - b.0).hypot(a.1 - b.1);
        if d > 0.0 {
            f = f.min(f64::from(c) / d);
        }
    }
    if f.is_finite() {
        f * 0.999
    } else {
        0.0
    }
}

/// Writes the export of `prep` with `pairs` into `dir`.
pub fn export(dir: &Path, spec: &GraphSpec, prep: &Prepared, pairs: &[(u32, u32)]) -> Result<Meta> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let create = |name: &str| -> Result<BufWriter<File>> {
        let p = dir.join(name);
        Ok(BufWriter::new(
            File::create(&p).with_context(|| format!("creating {}", p.display()))?,
        ))
    };
    let xy = prep.planar();
    let mut w = create("nodes.csv")?;
    writeln!(w, "id,lon,lat,x,y")?;
    for (i, &(x, y)) in xy.iter().enumerate() {
        let p = prep.graph.node_position(NodeId(i as u32));
        writeln!(w, "{i},{:.7},{:.7},{x:.3},{y:.3}", p.lon(), p.lat())?;
    }
    w.flush()?;
    let edges = prep.edges();
    let mut w = create("edges.csv")?;
    writeln!(w, "id,source,target,cost")?;
    for (i, (s, t, c)) in edges.iter().enumerate() {
        writeln!(w, "{},{s},{t},{c}", i + 1)?;
    }
    w.flush()?;
    let mut w = create("pairs.csv")?;
    writeln!(w, "source,target")?;
    for (s, t) in pairs {
        writeln!(w, "{s},{t}")?;
    }
    w.flush()?;
    let meta = Meta {
        spec: spec.to_string(),
        nodes: prep.graph.node_count(),
        edges: edges.len(),
        pairs: pairs.len(),
        astar_factor: astar_factor(&xy, &edges),
        senda_build_s: prep.build_s,
        edges_hash: edges_hash(&edges),
    };
    std::fs::write(dir.join("meta.json"), serde_json::to_vec_pretty(&meta)?)?;
    Ok(meta)
}

pub fn read_meta(dir: &Path) -> Result<Meta> {
    let p = dir.join("meta.json");
    let bytes = std::fs::read(&p).with_context(|| format!("reading {}", p.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("parsing {}", p.display()))
}

/// Rows of an all-numeric CSV file after its header. Written by hand rather than with the
/// `csv` crate: the files are our own, numeric and comma-separated, and a plain split is
/// about twice as fast on the 3.7M-row edge lists.
fn read_rows<T: FromStr>(path: &Path, columns: usize) -> Result<Vec<Vec<T>>> {
    let f = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in BufReader::new(f).lines().enumerate().skip(1) {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        let row: Vec<T> = line
            .split(',')
            .map(|v| v.parse::<T>())
            .collect::<Result<_, _>>()
            .map_err(|_| anyhow::anyhow!("{} line {}: not a number", path.display(), i + 1))?;
        if row.len() != columns {
            bail!(
                "{} line {}: {} columns, expected {columns}",
                path.display(),
                i + 1,
                row.len()
            );
        }
        out.push(row);
    }
    Ok(out)
}

/// `edges.csv` as `(source, target, cost)`.
pub fn read_edges(dir: &Path) -> Result<Vec<(u32, u32, u32)>> {
    Ok(read_rows::<u32>(&dir.join("edges.csv"), 4)?
        .into_iter()
        .map(|r| (r[1], r[2], r[3]))
        .collect())
}

/// `nodes.csv` as planar `(x, y)`.
pub fn read_planar(dir: &Path) -> Result<Vec<(f64, f64)>> {
    Ok(read_rows::<f64>(&dir.join("nodes.csv"), 5)?
        .into_iter()
        .map(|r| (r[3], r[4]))
        .collect())
}

/// `pairs.csv`.
pub fn read_pairs(dir: &Path) -> Result<Vec<(u32, u32)>> {
    Ok(read_rows::<u32>(&dir.join("pairs.csv"), 2)?
        .into_iter()
        .map(|r| (r[0], r[1]))
        .collect())
}

/// One peer's figures on one graph, as every peer writes them (`results/PEER.json`); the
/// report (`benches/peers/report.py`) takes medians and ratios from these.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeerResult {
    pub peer: String,
    pub graph: String,
    /// Reading the input and building the peer's structure (or preprocessing), seconds.
    pub load_s: f64,
    /// Per pair, in `pairs.csv` order (the first `ms.len()` pairs).
    pub ms: Vec<f64>,
    /// Per pair, the route cost found (`None`: no route).
    pub cost: Vec<Option<u64>>,
    pub note: String,
}

impl PeerResult {
    pub fn write(&self, dir: &Path) -> Result<()> {
        let d = dir.join("results");
        std::fs::create_dir_all(&d)?;
        let p = d.join(format!("{}.json", self.peer));
        std::fs::write(&p, serde_json::to_vec(self)?)
            .with_context(|| format!("writing {}", p.display()))
    }
}
