//! `peers_export GRAPH DIR PAIRS SEED`: writes the graph and `PAIRS` seeded node pairs that
//! every peer of the side-by-side comparison reads (format: `senda_benches::peers`).
//! `GRAPH` is `road:NODES:SEED` or `osm:PATH`. Run by `benches/peers/run.sh`.

use anyhow::{Context, Result};
use senda_benches::peers::{export, GraphSpec, Prepared};
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [spec, dir, pairs, seed] = args.as_slice() else {
        anyhow::bail!(
            "usage: peers_export GRAPH DIR PAIRS SEED (GRAPH: road:NODES:SEED | osm:PATH)"
        );
    };
    let spec: GraphSpec = spec.parse()?;
    let pairs: usize = pairs.parse().context("PAIRS")?;
    let seed: u64 = seed.parse().context("SEED")?;
    let t = Instant::now();
    let prep = Prepared::new(&spec)?;
    let pairs = prep.pairs(pairs, seed)?;
    let meta = export(&PathBuf::from(dir), &spec, &prep, &pairs)?;
    eprintln!(
        "{spec}: {} nodes, {} usable edges, {} pairs, A* factor {:.5} ds/m, exported to {dir} in {:.1} s",
        meta.nodes,
        meta.edges,
        meta.pairs,
        meta.astar_factor,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
