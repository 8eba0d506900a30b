//! One entry point for every kind: `read(kind, input)` picks the reader by content.

use crate::countries::Countries;
use crate::limits::Limits;
use crate::roads::NetworkOutcome;
use crate::{
    gtfs, incidents, roads, shelters, transit, weather, IngestError, Input, Outcome, Report,
};
use senda_core::{Incident, RecordKind, Shelter, TransitPoint, WeatherAlert};

/// The records read from one file, by kind. Reading a road network (OSM) also yields the
/// transit points and shelters tagged in it.
#[derive(Debug, Clone)]
pub enum Records {
    Network(Box<NetworkOutcome>),
    Incidents(Outcome<Incident>),
    Shelters(Outcome<Shelter>),
    Transit(Outcome<TransitPoint>),
    Weather(Outcome<WeatherAlert>),
}

impl Records {
    /// Every report this read produced (three for a road network: roads, transit, shelters).
    pub fn reports(&self) -> Vec<(RecordKind, &Report)> {
        match self {
            Records::Network(n) => vec![
                (RecordKind::Roads, &n.roads.report),
                (RecordKind::Transit, &n.transit.report),
                (RecordKind::Shelters, &n.shelters.report),
            ],
            Records::Incidents(o) => vec![(RecordKind::Incidents, &o.report)],
            Records::Shelters(o) => vec![(RecordKind::Shelters, &o.report)],
            Records::Transit(o) => vec![(RecordKind::Transit, &o.report)],
            Records::Weather(o) => vec![(RecordKind::Weather, &o.report)],
        }
    }

    /// Records seen, rejected and skipped across all reports.
    pub fn totals(&self) -> (u64, u64, u64) {
        self.reports()
            .iter()
            .fold((0, 0, 0), |(n, r, s), (_, rep)| {
                (
                    n + rep.records,
                    r + rep.rejected.len() as u64,
                    s + rep.skipped.len() as u64,
                )
            })
    }
}

/// Reads `input` as records of `kind`, detecting the format from the content, and rejects the
/// records out of the default bounds ([`crate::limits`]). This is the path to the store (the
/// CLI's `ingest` and `validate`, the server's uploads, the default data).
pub fn read(
    kind: RecordKind,
    input: &Input,
    countries: &Countries,
) -> Result<Records, IngestError> {
    read_with(kind, input, countries, &Limits::default())
}

/// [`read`] with other bounds.
pub fn read_with(
    kind: RecordKind,
    input: &Input,
    countries: &Countries,
    limits: &Limits,
) -> Result<Records, IngestError> {
    let mut records = read_unbounded(kind, input, countries)?;
    crate::limits::screen_records(&mut records, limits, chrono::Utc::now());
    Ok(records)
}

fn read_unbounded(
    kind: RecordKind,
    input: &Input,
    countries: &Countries,
) -> Result<Records, IngestError> {
    Ok(match kind {
        RecordKind::Roads => Records::Network(Box::new(roads::read(input)?)),
        RecordKind::Incidents => Records::Incidents(incidents::read(input)?),
        RecordKind::Shelters => Records::Shelters(shelters::read(input, countries)?),
        RecordKind::Transit if gtfs::is_zip(input) => {
            Records::Transit(gtfs::read_zip(input, countries)?)
        }
        RecordKind::Transit => Records::Transit(transit::read(input, countries)?),
        RecordKind::Weather => Records::Weather(weather::read_cap(input)?),
    })
}

/// Guesses the kind of a file for `senda validate`: a zip holding `stops.txt` is a GTFS feed
/// (transit); OSM data is roads, XML is CAP weather; CSV and GeoJSON are tried as incidents, shelters, transit and roads in turn, and the kind
/// whose reader accepts the most records wins (ties go to the earlier kind).
pub fn detect_kind(input: &Input, countries: &Countries) -> Result<RecordKind, IngestError> {
    // Decoded as the readers decode it (a UTF-16 file starts with a byte-order mark, not `<`).
    let first = input.first_char();
    let name = input.base_name();
    if gtfs::is_zip(input) {
        return if gtfs::zip_has_stops(&input.bytes) {
            Ok(RecordKind::Transit)
        } else {
            Err(IngestError::UnknownFormat {
                file: input.name.clone(),
                reason: "a zip archive without stops.txt (only GTFS feeds are read from zips)"
                    .into(),
            })
        };
    }
    if name.ends_with(".pbf")
        || name.ends_with(".osm")
        || input.bytes.windows(9).take(64).any(|w| w == b"OSMHeader")
    {
        return Ok(RecordKind::Roads);
    }
    if first == Some('<') {
        let head = input.head(4096).to_ascii_lowercase();
        return Ok(if head.contains("<osm") {
            RecordKind::Roads
        } else {
            RecordKind::Weather
        });
    }
    let mut best: Option<(RecordKind, u64)> = None;
    let mut last_err = None;
    for kind in [
        RecordKind::Incidents,
        RecordKind::Shelters,
        RecordKind::Transit,
        RecordKind::Roads,
    ] {
        match read(kind, input, countries) {
            Ok(records) => {
                let accepted: u64 = records.reports().iter().map(|(_, r)| r.accepted).sum();
                if best.is_none_or(|(_, n)| accepted > n) {
                    best = Some((kind, accepted));
                }
            }
            Err(e) => last_err = Some(e),
        }
    }
    match (best, last_err) {
        (Some((kind, _)), _) => Ok(kind),
        (None, Some(e)) => Err(e),
        (None, None) => Err(IngestError::UnknownFormat {
            file: input.name.clone(),
            reason: "no reader accepts it".into(),
        }),
    }
}
