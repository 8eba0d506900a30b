//! `peers_route GRAPH DIR [PETGRAPH_PAIRS]`: times senda's route query and petgraph's
//! Dijkstra, bidirectional Dijkstra and A* on the exported pairs of `DIR` (written by
//! `peers_export` for the same `GRAPH`), checks that every cost agrees with petgraph's plain
//! Dijkstra (the oracle) and writes `DIR/results/{senda,petgraph-*}.json`. petgraph runs on
//! the first `PETGRAPH_PAIRS` pairs (default: all). Run by `benches/peers/run.sh`.

use anyhow::{bail, Context, Result};
use petgraph::algo::{astar, bidirectional_dijkstra, dijkstra};
use petgraph::graph::{DiGraph, NodeIndex};
use senda_benches::peers::{
    edges_hash, read_edges, read_meta, read_pairs, read_planar, GraphSpec, PeerResult, Prepared,
};
use senda_core::graph::RoadGraph;
use senda_core::search::cch::{CchIndex, CchMetric, CchQuery};
use senda_core::NodeId;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The senda query timed against the peers — kept in this one place on purpose.
///
/// senda's customizable contraction hierarchy (`search::cch`): the nested-dissection order and
/// the structure (independent of the weights, once per network) and the customization for the
/// travel-time weights are built in `new` and reported as senda's preprocessing; `cost` is the
/// elimination-tree distance query. (With the path unpacked the query costs ~1.5× more: see
/// `--bench cch`.)
struct SendaRoute {
    index: CchIndex,
    metric: CchMetric,
    query: CchQuery,
}

impl SendaRoute {
    fn new(graph: &RoadGraph, weights: &[u32]) -> Self {
        let index = CchIndex::build(graph);
        let metric = index.customize(weights.to_vec());
        Self {
            index,
            metric,
            query: CchQuery::new(),
        }
    }

    /// The cost of the fastest route from `s` to `t`, `None` if there is none.
    fn cost(&mut self, s: u32, t: u32) -> Option<u64> {
        self.query
            .distance(&self.index, &self.metric, NodeId(s), NodeId(t))
    }
}

fn summary(r: &PeerResult) -> String {
    let mut v = r.ms.clone();
    v.sort_by(f64::total_cmp);
    let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    format!(
        "{:>22}: load {:>7.2} s, {} pairs, p50 {:>9.3} ms, p99 {:>9.3} ms",
        r.peer,
        r.load_s,
        v.len(),
        q(0.5),
        q(0.99)
    )
}

fn time_pairs(
    pairs: &[(u32, u32)],
    mut f: impl FnMut(u32, u32) -> Option<u64>,
) -> (Vec<f64>, Vec<Option<u64>>) {
    let mut ms = Vec::with_capacity(pairs.len());
    let mut cost = Vec::with_capacity(pairs.len());
    for &(s, t) in pairs {
        let t0 = Instant::now();
        let c = f(s, t);
        ms.push(t0.elapsed().as_secs_f64() * 1e3);
        cost.push(c);
    }
    (ms, cost)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (spec, dir, pg_pairs) = match args.as_slice() {
        [s, d] => (s, d, None),
        [s, d, n] => (s, d, Some(n.parse::<usize>().context("PETGRAPH_PAIRS")?)),
        _ => bail!("usage: peers_route GRAPH DIR [PETGRAPH_PAIRS]"),
    };
    let spec: GraphSpec = spec.parse()?;
    let dir = PathBuf::from(dir);
    let meta = read_meta(&dir)?;
    let pairs = read_pairs(&dir)?;
    let graph_name = dir
        .file_name()
        .map_or_else(|| spec.to_string(), |n| n.to_string_lossy().into_owned());

    // senda: its own graph from the same spec; the export must be of exactly this graph.
    let prep = Prepared::new(&spec)?;
    if edges_hash(&prep.edges()) != meta.edges_hash {
        bail!(
            "{}: the export was made from a different graph than {spec}; re-run peers_export",
            dir.display()
        );
    }
    let t = Instant::now();
    let mut senda = SendaRoute::new(&prep.graph, &prep.weights);
    let senda_load = prep.build_s + t.elapsed().as_secs_f64();
    let (ms, cost) = time_pairs(&pairs, |s, t| senda.cost(s, t));
    let senda_result = PeerResult {
        peer: "senda".into(),
        graph: graph_name.clone(),
        load_s: senda_load,
        ms,
        cost,
        note: "search::cch (CCH distance query); load = RoadGraph::build + weights + order + structure + customization".into(),
    };
    println!("{}", summary(&senda_result));
    senda_result.write(&dir)?;
    drop(prep);

    // petgraph: read from the CSV export, as the other peers do.
    let t = Instant::now();
    let edges = read_edges(&dir)?;
    let xy = read_planar(&dir)?;
    let mut g: DiGraph<(), u64> = DiGraph::with_capacity(meta.nodes, edges.len());
    for _ in 0..meta.nodes {
        g.add_node(());
    }
    for &(s, t, c) in &edges {
        g.add_edge(
            NodeIndex::new(s as usize),
            NodeIndex::new(t as usize),
            u64::from(c),
        );
    }
    let pg_load = t.elapsed().as_secs_f64();
    let n = pg_pairs.unwrap_or(pairs.len()).min(pairs.len());
    let sub = &pairs[..n];
    let factor = meta.astar_factor;
    let mut results = vec![];
    let (ms, cost) = time_pairs(sub, |s, t| {
        let (s, t) = (NodeIndex::new(s as usize), NodeIndex::new(t as usize));
        dijkstra(&g, s, Some(t), |e| *e.weight()).get(&t).copied()
    });
    results.push((
        "petgraph-dijkstra",
        "algo::dijkstra with the goal (early exit)",
        ms,
        cost,
    ));
    let (ms, cost) = time_pairs(sub, |s, t| {
        let (s, t) = (NodeIndex::new(s as usize), NodeIndex::new(t as usize));
        bidirectional_dijkstra(&g, s, t, |e| *e.weight())
    });
    results.push((
        "petgraph-bidijkstra",
        "algo::bidirectional_dijkstra",
        ms,
        cost,
    ));
    let (ms, cost) = time_pairs(sub, |s, t| {
        let (tx, ty) = xy[t as usize];
        let goal = NodeIndex::new(t as usize);
        astar(
            &g,
            NodeIndex::new(s as usize),
            |v| v == goal,
            |e| *e.weight(),
            |v| {
                let (x, y) = xy[v.index()];
                (factor * (x - tx).hypot(y - ty)).floor() as u64
            },
        )
        .map(|(c, _)| c)
    });
    results.push((
        "petgraph-astar",
        "algo::astar, planar distance × A* factor",
        ms,
        cost,
    ));

    let oracle = results[0].3.clone();
    let mut bad = 0;
    let mut check = |name: &str, cost: &[Option<u64>]| {
        for (i, (c, o)) in cost.iter().zip(&oracle).enumerate() {
            if c != o {
                bad += 1;
                eprintln!(
                    "DISAGREEMENT {graph_name} pair {i} {:?}: {name} {c:?}, petgraph dijkstra {o:?}",
                    pairs[i]
                );
            }
        }
    };
    check("senda", &senda_result.cost);
    for (peer, note, ms, cost) in results {
        check(peer, &cost);
        let r = PeerResult {
            peer: peer.into(),
            graph: graph_name.clone(),
            load_s: pg_load,
            ms,
            cost,
            note: note.into(),
        };
        println!("{}", summary(&r));
        r.write(&dir)?;
    }
    write_check(&dir, bad)?;
    if bad > 0 {
        eprintln!("{graph_name}: {bad} cost disagreements with petgraph's Dijkstra");
    } else {
        println!("{graph_name}: senda and petgraph costs identical on {n} pairs");
    }
    Ok(())
}

fn write_check(dir: &Path, bad: usize) -> Result<()> {
    std::fs::write(
        dir.join("results").join("rust-check.txt"),
        format!("{bad}\n"),
    )?;
    Ok(())
}
