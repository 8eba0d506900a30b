//! The map page in a real browser: starts the real `senda serve` on a free port (with the
//! default data) and runs `web/tests/browser.mjs`, which drives headless Chromium through
//! playwright-core (page loads without console errors and without any outside host, the risk
//! layer draws, two clicks draw two routes with their figures, the language switch changes the
//! labels; a region saved for offline use draws from its tile pack after an offline reload).
//! Screenshots: `target/browser-artifacts/`.
//!
//! Needs Chromium (`/usr/bin/chromium` or `CHROMIUM`), Node and `npm ci` in `web/`; `.ci/run`
//! installs them. When one is missing the test fails and says what to install.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An offline pack for the page to save: the roads of a small synthetic network near
/// Tapachula (its own, so the offline map visibly draws from the pack, not the server).
fn write_pack(path: &Path) {
    use senda_core::engine::{Engine, EngineConfig, EngineData};
    let data = EngineData {
        roads: senda_testkit::gen::road_like_graph(400, 11),
        ..EngineData::default()
    };
    let engine = Engine::build(data, chrono::Utc::now(), EngineConfig::default()).unwrap();
    let source = senda_tiles::TileSource::new(&engine, senda_tiles::TileConfig::default()).unwrap();
    let bbox = senda_tiles::Bbox::new(-92.3, 14.88, -92.18, 14.98).unwrap();
    senda_tiles::export_pmtiles(
        &source,
        &[senda_tiles::Layer::Roads],
        &bbox,
        8..=13,
        path,
        |_| {},
    )
    .unwrap();
}

fn require(ok: bool, what: &str) {
    assert!(ok, "the browser test cannot run: {what}");
}

#[test]
fn the_map_page_works_in_chromium() {
    let root = workspace();
    let chromium =
        PathBuf::from(std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()));
    require(
        chromium.exists(),
        &format!(
            "{} is missing (install it: apt-get install -y chromium; or set CHROMIUM)",
            chromium.display()
        ),
    );
    let node_ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    require(node_ok, "node is not installed (apt-get install -y nodejs)");
    require(
        root.join("web/node_modules/playwright-core").exists(),
        "web/node_modules is missing (run: cd web && npm ci)",
    );

    let dir = tempfile::tempdir().unwrap();
    let packs = dir.path().join("tiles");
    std::fs::create_dir_all(&packs).unwrap();
    write_pack(&packs.join("test-tapachula.pmtiles"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_senda"))
        .args(["serve", "--addr", "127.0.0.1:0", "--packs"])
        .arg(&packs)
        .arg("--db")
        .arg(dir.path().join("senda.db"))
        .env_remove("SENDA_DB")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting senda serve");
    let stderr = child.stderr.take().unwrap();
    let server = Server(child);
    // The server says where it listens once the data is loaded and the engine built.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("senda: listening on ") {
                let _ = tx.send(addr.trim().to_owned());
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(300))
        .expect("senda serve did not start listening within 300 s");

    let artifacts = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("browser-artifacts");
    let started = Instant::now();
    let mut node = Command::new("node")
        .arg(root.join("web/tests/browser.mjs"))
        .arg(format!("{url}/"))
        .arg(&artifacts)
        .env("CHROMIUM", &chromium)
        .current_dir(root.join("web"))
        .spawn()
        .expect("starting node");
    let status = loop {
        if let Some(status) = node.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(240) {
            let _ = node.kill();
            let _ = node.wait();
            panic!(
                "the browser test took over 240 s; screenshots in {}",
                artifacts.display()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    drop(server);
    assert!(
        status.success(),
        "the browser checks failed (see the lines above); screenshots in {}",
        artifacts.display()
    );
}
