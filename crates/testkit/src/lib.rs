//! Test support for senda: where the real data lives, seeded generators and oracles.

pub mod gen;
pub mod oracle;

use std::path::{Path, PathBuf};

/// The workspace root (the folder holding the root `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// `../shared/data`, the real public data beside the checkout (see its README for provenance).
/// A checkout nested deeper (a git worktree such as `wt/NAME`) finds `shared/data` in a
/// further ancestor.
pub fn shared_data() -> PathBuf {
    let root = workspace_root();
    let found = root
        .ancestors()
        .skip(1)
        .map(|a| a.join("shared/data"))
        .find(|p| p.is_dir());
    let p = found.unwrap_or_else(|| root.join("../shared/data"));
    assert!(
        p.is_dir(),
        "the real data must be at {} (../shared/data beside the checkout)",
        p.display()
    );
    p
}

/// A file under `../shared/data`, e.g. `shared_file("osm/andorra.osm.pbf")`.
pub fn shared_file(rel: &str) -> PathBuf {
    let p = shared_data().join(rel);
    assert!(p.is_file(), "missing fixture {}", p.display());
    p
}

/// A file under the project's own `data/` (the default dataset).
pub fn data_file(rel: &str) -> PathBuf {
    let p = workspace_root().join("data").join(rel);
    assert!(p.is_file(), "missing default data file {}", p.display());
    p
}

/// A valid point (panics on an invalid one: for test literals).
pub fn ll(lon: f64, lat: f64) -> senda_core::LonLat {
    senda_core::LonLat::new(lon, lat).expect("a valid test point")
}

/// Records as a reader returns them, each at its index (no line), ready to store.
pub fn located<T>(records: Vec<T>) -> Vec<senda_core::Located<T>> {
    records
        .into_iter()
        .enumerate()
        .map(|(i, r)| senda_core::Located::new(r, senda_core::RecordRef::new(i as u64, None)))
        .collect()
}
