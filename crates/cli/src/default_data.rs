//! The default dataset, embedded in the binary so `senda` runs with no set-up
//! ([`senda_ingest::defaults`]). Provenance and licences: `data/README.md`.

use senda_ingest::defaults::FILES;

/// The default files as load sources.
pub fn sources() -> Vec<crate::load::Source> {
    FILES
        .iter()
        .map(|f| crate::load::Source::Embedded {
            name: f.name,
            kind: f.kind,
            bytes: f.bytes,
        })
        .collect()
}
