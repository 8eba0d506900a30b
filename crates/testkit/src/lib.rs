//! Test support for senda: where the real data lives (`tests/data`, `data/`), seeded generators
//! and oracles.

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

/// `tests/data` under the workspace root: the real public files the tests, benchmarks and fuzz
/// seeds read besides the default dataset in `data/` (provenance: `tests/data/README.md`).
pub fn test_data() -> PathBuf {
    let p = workspace_root().join("tests/data");
    assert!(
        p.is_dir(),
        "the test data must be at {} (tests/data in the checkout)",
        p.display()
    );
    p
}

/// A file under `tests/data`, e.g. `test_file("osm/andorra.osm.pbf")`.
pub fn test_file(rel: &str) -> PathBuf {
    let p = test_data().join(rel);
    assert!(
        p.is_file(),
        "missing test data file {} (tests/data/README.md lists the files and \
         tests/data/cut.py rebuilds them)",
        p.display()
    );
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
