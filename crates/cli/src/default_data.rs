//! The default dataset, embedded in the binary so `senda` runs with no set-up. Provenance and
//! licences: `data/README.md`.

use senda_core::RecordKind;

pub struct DefaultFile {
    pub name: &'static str,
    pub kind: RecordKind,
    pub bytes: &'static [u8],
}

macro_rules! file {
    ($kind:ident, $path:literal) => {
        DefaultFile {
            name: concat!("data/", $path),
            kind: RecordKind::$kind,
            bytes: include_bytes!(concat!("../../../data/", $path)),
        }
    };
}

pub const FILES: &[DefaultFile] = &[
    file!(Roads, "roads/tm_mesoamerica_segments.geojson"),
    file!(Roads, "naturalearth/mesoamerica_ne_10m_railroads.geojson"),
    file!(
        Transit,
        "naturalearth/mesoamerica_ne_10m_populated_places_simple.geojson"
    ),
    file!(Shelters, "shelters/thewetzone_places_sv_gt_mx_us.csv"),
    file!(
        Shelters,
        "shelters/tijuana_migrant_services_hakkindavid.csv"
    ),
    file!(Incidents, "incidents/iom_mmp_mesoamerica_2014_2025_hxl.csv"),
    file!(Weather, "weather/smn_mexico_cap12_atom_2014_full.xml"),
];

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
