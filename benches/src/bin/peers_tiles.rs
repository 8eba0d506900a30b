//! `peers_tiles DB DIR`: the senda side of the tile comparison with Martin.
//!
//! Builds the server state from the database `DB` (filled by `senda init`), exports the `roads`
//! layer over a box of the corridor as a PMTiles pack (`senda_tiles::export_pmtiles`, the
//! pack Martin then serves), writes the list of tiles with roads drawn (`DIR/urls.txt`, a
//! seeded sample, `z/x/y` per line), the cold render times (`DIR/senda-tiles.json`), and then
//! serves senda's HTTP app on 127.0.0.1 (a free port, printed as `listening http://ADDR`)
//! until killed. The per-caller rate limit is lifted: it would otherwise throttle the load
//! tool, which all comes from one address. Run by `benches/peers/run.sh`.

use anyhow::{bail, Context, Result};
use senda_benches::peers::SplitMix64;
use senda_server::{AppState, ServerConfig};
use senda_tiles::{export_pmtiles, tiles_covering, Access, Bbox, Layer};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// Southern Mexico, Guatemala, El Salvador: the densest part of the default network.
const BBOX: (f64, f64, f64, f64) = (-94.0, 13.5, -88.0, 18.0);
const ZOOMS: std::ops::RangeInclusive<u8> = 6..=12;
/// At most this many distinct tiles in the load (below the server's 4,096-entry tile cache).
const MAX_URLS: usize = 2000;

fn quantile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [db, dir] = args.as_slice() else {
        bail!("usage: peers_tiles DB DIR");
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir)?;
    let store = senda_store::Store::open(std::path::Path::new(db))
        .with_context(|| format!("opening {db}"))?;
    let config = ServerConfig {
        rate_burst: 1e12,
        rate_per_s: 1e12,
        ..ServerConfig::default()
    };
    let t = Instant::now();
    let state = AppState::new(store, config)?;
    let snapshot_s = t.elapsed().as_secs_f64();
    let snap = state.snapshot();
    let bbox = Bbox::new(BBOX.0, BBOX.1, BBOX.2, BBOX.3)?;

    let t = Instant::now();
    let pack = dir.join("roads.pmtiles");
    let summary = export_pmtiles(&snap.tiles, &[Layer::Roads], &bbox, ZOOMS, &pack, |_| {})?;
    let export_s = t.elapsed().as_secs_f64();

    let mut drawn = Vec::new();
    let mut cold_ms = Vec::new();
    for id in tiles_covering(&bbox, ZOOMS) {
        let t0 = Instant::now();
        let bytes = snap.tiles.render(Layer::Roads, id, Access::Public)?;
        let ms = t0.elapsed().as_secs_f64() * 1e3;
        if !bytes.is_empty() {
            drawn.push(id);
            cold_ms.push(ms);
        }
    }
    if drawn.is_empty() {
        bail!("no roads drawn over {BBOX:?}: is {db} filled (senda init)?");
    }
    // Seeded Fisher–Yates, then the first MAX_URLS.
    let mut rng = SplitMix64(11);
    for i in (1..drawn.len()).rev() {
        drawn.swap(i, rng.below(i + 1));
    }
    drawn.truncate(MAX_URLS);
    let mut urls = std::io::BufWriter::new(std::fs::File::create(dir.join("urls.txt"))?);
    for id in &drawn {
        writeln!(urls, "{}/{}/{}", id.z(), id.x(), id.y())?;
    }
    urls.flush()?;
    let n_drawn = cold_ms.len();
    let figures = serde_json::json!({
        "snapshot_build_s": snapshot_s,
        "export_s": export_s,
        "tiles_rendered": summary.tiles_rendered,
        "tiles_written": summary.tiles_written,
        "pack_bytes": summary.bytes,
        "tiles_with_roads": n_drawn,
        "urls": drawn.len(),
        "cold_render_p50_ms": quantile(&mut cold_ms, 0.5),
        "cold_render_p99_ms": quantile(&mut cold_ms, 0.99),
    });
    std::fs::write(
        dir.join("senda-tiles.json"),
        serde_json::to_vec_pretty(&figures)?,
    )?;
    eprintln!("{figures}");
    drop(snap);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        println!("listening http://{}", listener.local_addr()?);
        std::io::stdout().flush()?;
        senda_server::serve(state, listener).await?;
        Ok(())
    })
}
