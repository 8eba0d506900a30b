//! The corridor's gazetteer, embedded: GeoNames places of 1,000 or more inhabitants in Mexico,
//! Central America and the US border states (`data/gazetteer/geonames_corridor.tsv.gz`, made by
//! `data/gazetteer/build.py` from registry packages that ship GeoNames; CC BY 4.0, credit
//! "GeoNames") and the border crossings GeoNames lacks (`data/gazetteer/crossings.tsv`).

use flate2::read::GzDecoder;
use senda_core::place::Gazetteer;
use std::io::Read;
use std::sync::{Arc, OnceLock};

const GEONAMES_GZ: &[u8] = include_bytes!("../../../data/gazetteer/geonames_corridor.tsv.gz");
const CROSSINGS: &str = include_str!("../../../data/gazetteer/crossings.tsv");

/// The embedded gazetteer, built once (about 0.1 s) and shared.
pub fn corridor() -> Arc<Gazetteer> {
    static G: OnceLock<Arc<Gazetteer>> = OnceLock::new();
    G.get_or_init(|| {
        let mut geonames = String::new();
        GzDecoder::new(GEONAMES_GZ)
            .read_to_string(&mut geonames)
            .expect("the embedded gazetteer is valid gzip and UTF-8");
        let (g, errors) = Gazetteer::from_tsv([
            ("data/gazetteer/geonames_corridor.tsv.gz", geonames.as_str()),
            ("data/gazetteer/crossings.tsv", CROSSINGS),
        ]);
        // The files are the project's own: a bad row is a bug caught by the tests.
        debug_assert!(errors.is_empty(), "{errors:?}");
        for e in &errors {
            tracing::warn!(error = %e, "gazetteer row skipped");
        }
        Arc::new(g)
    })
    .clone()
}
