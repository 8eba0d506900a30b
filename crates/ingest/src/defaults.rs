//! The bundled default dataset (the Mexico–Central America corridor), embedded in the binary
//! so senda runs with no set-up. Provenance and licences: `data/README.md`.
//!
//! The command-line tool loads these files into a fresh database; benchmarks and tests read
//! them straight into an [`EngineData`] with [`engine_data`].

use crate::countries::Countries;
use crate::{IngestError, Input, Records};
use senda_core::engine::EngineData;
use senda_core::RecordKind;

/// One bundled file.
pub struct DefaultFile {
    /// Its path in the repository (`data/...`), also the name it is stored under.
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

/// Every bundled file, in loading order (roads first).
pub const FILES: &[DefaultFile] = &[
    file!(Roads, "roads/tm_mesoamerica_segments.geojson"),
    file!(Roads, "naturalearth/mesoamerica_ne_10m_railroads.geojson"),
    file!(
        Transit,
        "naturalearth/mesoamerica_ne_10m_populated_places_simple.geojson"
    ),
    // Public transport (GTFS feeds, zipped): stops with their lines and headways.
    file!(Transit, "gtfs/cdmx_semovi_2025.zip"),
    file!(Transit, "gtfs/panama_panatrans_2016.zip"),
    file!(Transit, "gtfs/ni_esteli_bus_gtfs.zip"),
    file!(Transit, "gtfs/cr_sanjose_train_gtfs.zip"),
    file!(Shelters, "shelters/thewetzone_places_sv_gt_mx_us.csv"),
    file!(
        Shelters,
        "shelters/tijuana_migrant_services_hakkindavid.csv"
    ),
    file!(Incidents, "incidents/iom_mmp_mesoamerica_2014_2025_hxl.csv"),
    file!(Incidents, "violence/ucdp_ged_mexico_2014_2023.csv.gz"),
    file!(Weather, "weather/smn_mexico_cap12_atom_2014_full.xml"),
];

impl DefaultFile {
    /// Reads the file as `senda ingest` would.
    pub fn read(&self) -> Result<Records, IngestError> {
        let input = Input::from_bytes(self.name, self.bytes.to_vec())?;
        crate::read(self.kind, &input, Countries::corridor())
    }
}

/// Every accepted record of the bundled files, as the engine takes them, with the embedded
/// gazetteer.
pub fn engine_data() -> Result<EngineData, IngestError> {
    let mut data = EngineData {
        places: crate::gazetteer::corridor(),
        ..EngineData::default()
    };
    for file in FILES {
        match file.read()? {
            Records::Network(n) => {
                let n = *n;
                data.roads
                    .extend(n.roads.records.into_iter().map(|l| l.record));
                data.transit
                    .extend(n.transit.records.into_iter().map(|l| l.record));
                data.shelters
                    .extend(n.shelters.records.into_iter().map(|l| l.record));
            }
            Records::Transit(o) => data.transit.extend(o.records.into_iter().map(|l| l.record)),
            Records::Shelters(o) => data
                .shelters
                .extend(o.records.into_iter().map(|l| l.record)),
            Records::Incidents(o) => data
                .incidents
                .extend(o.records.into_iter().map(|l| l.record)),
            Records::Weather(o) => data.alerts.extend(o.records.into_iter().map(|l| l.record)),
        }
    }
    Ok(data)
}
