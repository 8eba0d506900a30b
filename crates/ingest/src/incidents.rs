//! Incident readers: IOM Missing Migrants exports, ACLED exports, UCDP GED files, HXL-tagged
//! CSV and GeoJSON, turned into validated [`Incident`]s plus a [`crate::Report`].
//!
//! # Formats
//!
//! [`read`] picks by content: a file whose first non-blank byte is `{` or `[` is GeoJSON
//! ([`read_geojson`]), anything else CSV ([`read_csv`]). The CSV reader recognises the schema
//! from the header row (and an HXL tag row under it) and writes it to `report.format`:
//!
//! | `report.format` | recognised by | id (`SourceKey`) | date | location |
//! |---|---|---|---|---|
//! | `iom-mmp-old` | `Web ID`, `Reported Date`, `Location Coordinates` columns | `iom-mmp` : Web ID | `Reported Date`, "January 05, 2020" | `Location Coordinates`, "lat, lon" |
//! | `iom-mmp-new` | `Main ID`, `Incident Date`, `Coordinates` columns | `iom-mmp` : Incident ID (Main ID when there is no Incident ID column) | `Incident Date`, "Thu, 01/01/2026 - 12:00" (MM/DD/YYYY) | `Coordinates`, "lat, lon" |
//! | `iom-mmp-hxl` | HXL tag row with `#geo+coord`, `#cause+type` and `#affected+killed…` (column names are not used: HDX misspells `location_coodinates`) | `iom-mmp` : the `#…+id` column (`#web+id`) | `#date` | `#geo+coord`, "lat, lon" |
//! | `hxl` | HXL tag row with `#geo+lat` and `#geo+lon` (or `#geo+coord`) and a `#date` | file stem : the `#id` / `#meta+id` / `#…+id` column, else `row-` + a hash of the row | `#date` | `#geo+lat`, `#geo+lon` |
//! | `acled` | `event_id_cnty`, `event_date`, `event_type`, `latitude`, `longitude` columns | `acled` : event_id_cnty | `event_date`, "2024-01-15" or "15 January 2024" | `latitude`, `longitude` |
//! | `ucdp-ged` | a `type_of_violence` or `where_prec` column; requires `id`, `type_of_violence`, `where_prec`, `latitude`, `longitude`, `date_prec`, `date_start`, `best` | `ucdp-ged` : id | `date_start`, "2021-03-05" (or "2021-03-05 00:00:00.000") | `latitude`, `longitude` |
//! | `geojson` | first byte `{` or `[` | property `source` (default: file stem) : property `id`, feature `id`, else the feature index | property `occurred_at` / `date` | Point geometry |
//!
//! Any other header is an [`IngestError::CsvHeader`] that says what was expected. Columns
//! that are not part of a named schema are ignored, and listed once in the notes.
//!
//! # What each record becomes
//!
//! - **category**: from the source's cause or event type, by the tables in
//!   [`crate::category`] (MMP "Cause of Death", ACLED `sub_event_type`/`event_type`, HXL
//!   `#event+type`/`#cause+type`/`#crisis+type`). Values in no table load as `unknown` and are
//!   listed in the notes. ACLED events that are not safety incidents (peaceful protests,
//!   agreements, …) are *skipped*, not rejected.
//! - **people affected**: the larger of dead + missing (+ injured) and the stated total.
//!   MMP records count at least 1 (each is a person-level report). ACLED: `fatalities`. MMP
//!   writes a *negative* missing count when people earlier reported missing are found dead;
//!   that is read as 0 missing (a note counts them).
//! - **severity**: `category.severity_for(people)` (the category's base, one level up from 5
//!   people). Overrides: an ACLED event with at least one fatality is at least `severe`; a
//!   GeoJSON `severity` property replaces the computed value.
//! - **review**: MMP "Source Quality" 3, 4 or 5 → verified, 1, 2 or empty → unverified. On the
//!   MMP scale 1–2 are a single unconfirmed account (one media report or witness), 3 means
//!   several independent sources and 4–5 official records (authorities, coroners, medical
//!   examiners): from 3 up a report is corroborated. ACLED → verified (ACLED's researchers
//!   review every event). Generic HXL → unverified.
//! - **precision**: MMP gives none (`LocationPrecision::Unknown`, day). ACLED
//!   `geo_precision` 1/2/3 → local/area/region, `time_precision` 1/2/3 → day/week/month.
//! - **time**: dates are UTC midnight with day precision (MMP's "12:00" is a placeholder
//!   written on every record, so it is dropped); GeoJSON RFC 3339 times keep their time.
//!
//! # UCDP Georeferenced Event Dataset (GED)
//!
//! GED (Uppsala Conflict Data Program; Sundberg & Melander 2013) lists lethal events of
//! organised violence, each with codes from its codebook. The reader uses GED's own column
//! names and codes and is strict about them (see "Rejected" below):
//!
//! - **category** from `type_of_violence`: 1 state-based and 2 non-state conflict →
//!   `armed_conflict`, 3 one-sided violence → `violence` (table and reasons in
//!   [`crate::category`]); `source_category` is UCDP's name of the type ("non-state
//!   conflict"), `description` the dyad and the place ("Sinaloa Cartel - Tijuana Cartel at
//!   Tijuana city, Baja California state").
//! - **people affected** and **dead**: `best`, GED's best estimate of the deaths (`deaths_a`,
//!   `deaths_b`, `deaths_civilians`, `deaths_unknown`, `high`, `low` are checked, not used).
//! - **severity** from the category and `best`:
//!
//!   | `best` (deaths) | state-based, non-state (`armed_conflict`) | one-sided (`violence`) |
//!   |---|---|---|
//!   | 0 (GED's high estimate has a death, its best estimate none) | serious | severe |
//!   | 1–4 | severe | critical |
//!   | 5 or more | critical | critical |
//!
//!   That is every source's rule (the category's base, one level up from 5 people) plus one
//!   level down for a death that is possible but not established.
//! - **location precision** from `where_prec`. An event known only to a municipality or a
//!   state sits at that unit's centroid, which is no place on a road: it is spread like the
//!   unit it stands for, never as a point (the kernels are `RiskConfig::location`: `area`
//!   reaches about a Mexican municipality, ~800 km² on average; `region` about a state).
//!
//!   | `where_prec` | GED meaning | precision |
//!   |---|---|---|
//!   | 1 | the exact place (a town, village or neighbourhood) | `local` |
//!   | 2 | within about 25 km of a known place | `area` |
//!   | 3 | only the municipality (second-order unit) | `area` |
//!   | 4 | only the state (first-order unit) | `region` |
//!   | 5 | only a part of the country, or a road or river | `region` |
//!   | 6 | only the country | — skipped |
//!   | 7 | international waters or airspace | — skipped |
//!
//! - **time**: `date_start` (UTC midnight); `date_prec` 1 (day) → day, 2 (2–6 days) and 3
//!   (a week) → week, 4 (a month) → month, 5 (a year or more) → year, so the risk model ages
//!   the event from the middle of that period. `date_end`, when present, must not be before
//!   `date_start`.
//! - **review**: verified. UCDP is a curated dataset: trained coders code every event from
//!   news and NGO sources against the codebook, and UCDP reviews it before release.
//! - **country**: GED's `country` column when the file has it (the full 49-column download).
//!
//! # Rejected, skipped, flagged
//!
//! - **Rejected** (not loaded): no usable id, location or date; a row with more or fewer
//!   fields than the header; an implausible people count (over 100,000). UCDP GED also: a
//!   `type_of_violence`, `where_prec` or `date_prec` code outside GED's codebook, a missing,
//!   non-numeric or negative `best` (or other death count), a `date_end` that is unreadable or
//!   before `date_start`. Each rejection names the record (index and 1-based line where the
//!   record *starts*), the column as written in the file, and the bad value.
//! - **Skipped**: blank rows, exact byte-for-byte repeats of an earlier row, events that
//!   are not incidents, and GED events located only to a country or at sea (`where_prec` 6
//!   or 7; the notes count them).
//! - **Flagged** (loaded): a secondary value that cannot be read (a count, a precision, a
//!   source quality) is ignored and flagged; a repeated id with different content is kept as
//!   `ID#2`, `ID#3`, … (file order) and flagged. (GeoJSON is senda's own format and is
//!   stricter: a present but invalid property rejects the feature.)
//!
//! ```
//! use senda_ingest::{incidents, Input};
//! let csv = "event_id_cnty,event_date,event_type,sub_event_type,latitude,longitude,fatalities\n\
//!            MEX1,2024-01-15,Violence against civilians,Attack,14.90,-92.27,2\n\
//!            MEX2,15 January 2024,Protests,Peaceful protest,19.43,-99.13,0\n\
//!            MEX3,2024-01-16,Battles,Armed clash,,-99.13,0\n";
//! let out = incidents::read(&Input::from_bytes("acled.csv", csv.as_bytes().to_vec()).unwrap()).unwrap();
//! assert_eq!(out.report.format, "acled");
//! assert_eq!((out.records.len(), out.report.skipped.len(), out.report.rejected.len()), (1, 1, 1));
//! assert_eq!(out.report.rejected[0].field.as_deref(), Some("latitude"));
//! let attack = &out.records[0].record;
//! assert_eq!(attack.key.to_string(), "acled:MEX1");
//! assert_eq!((attack.location.lon(), attack.location.lat()), (-92.27, 14.90));
//! ```

mod fields;
mod geojson;
mod keys;
mod rows;
mod schema;
mod ucdp;

use crate::{IngestError, Input, Outcome};
use senda_core::Incident;

/// Reads an incident file, GeoJSON or CSV, chosen by its first non-blank byte.
pub fn read(input: &Input) -> Result<Outcome<Incident>, IngestError> {
    match input.first_char() {
        Some('{' | '[') => read_geojson(input),
        _ => read_csv(input),
    }
}

/// Reads an incident CSV: an IOM Missing Migrants export (old or current schema, or the HDX
/// version with HXL tags), a generic HXL file, an ACLED export or a UCDP GED file; the schema
/// is detected from the header and written to `report.format` (see the [module docs](self)).
///
/// Errors only when the file has no usable header; every bad row is reported instead.
pub fn read_csv(input: &Input) -> Result<Outcome<Incident>, IngestError> {
    rows::read_csv(input)
}

/// Reads a GeoJSON `FeatureCollection` of `Point` features (or a single `Feature`, or a JSON
/// array of features). `report.format` is `geojson`.
///
/// Properties (all optional except a date):
///
/// | property | type | meaning |
/// |---|---|---|
/// | `id` | string or number | the id in its source; default: the feature's `id`, else its index in the file (noted) |
/// | `source` | string | the source name; default: the file stem (`reports.geojson` → `reports`) |
/// | `occurred_at` or `date` | string | RFC 3339 (`2024-01-15T08:30:00-06:00`, exact time) or `YYYY-MM-DD` (day); required |
/// | `category` | string | a senda category (`violence`, `kidnapping`, `sexual_violence`, `trafficking`, `extortion`, `armed_conflict`, `enforcement`, `unrest`, `vehicle_accident`, `train_accident`, `drowning`, `environmental`, `sickness`, `accident`, `unknown`); default `unknown` |
/// | `severity` | 1..5 or `minor`…`critical` | overrides the severity computed from category and people |
/// | `dead`, `missing` | non-negative integer | counts of people |
/// | `people_affected` | non-negative integer | default: `dead + missing` |
/// | `review` | `unverified` \| `verified` \| `retracted` | default `unverified` |
/// | `location_precision` | `exact` \| `local` \| `area` \| `region` \| `unknown` | default `unknown` |
/// | `time_precision` | `exact` \| `day` \| `week` \| `month` \| `year` | default from the date's form |
/// | `description`, `country` | string | free text |
///
/// A feature that is not a `Point`, has missing, non-numeric or out-of-range coordinates,
/// lacks a valid date or has a present but invalid property is rejected, naming the feature
/// index and the property. Invalid JSON is an [`IngestError::Json`]; JSON that is not GeoJSON
/// is an [`IngestError::GeoJson`].
///
/// ```
/// use senda_ingest::{incidents, Input};
/// let json = r#"{"type":"FeatureCollection","features":[
///   {"type":"Feature","geometry":{"type":"Point","coordinates":[-92.27,14.9]},
///    "properties":{"id":"r1","date":"2024-03-01","category":"kidnapping","dead":0,"missing":3}},
///   {"type":"Feature","geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]},"properties":{}}]}"#;
/// let out = incidents::read_geojson(&Input::from_bytes("reports.geojson", json.into()).unwrap()).unwrap();
/// assert_eq!(out.records[0].record.key.to_string(), "reports:r1");
/// assert_eq!(out.records[0].record.people_affected, 3);
/// assert_eq!(out.report.rejected[0].field.as_deref(), Some("geometry.type"));
/// ```
pub fn read_geojson(input: &Input) -> Result<Outcome<Incident>, IngestError> {
    geojson::read(input)
}

/// The file name without folders and without `.gz` and its last extension.
fn file_stem(input: &Input) -> String {
    let name = input.name.rsplit(['/', '\\']).next().unwrap_or("");
    let name = name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".GZ"))
        .unwrap_or(name);
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    };
    stem.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems() {
        let stem = |n: &str| {
            file_stem(&Input {
                name: n.into(),
                bytes: Vec::new(),
            })
        };
        assert_eq!(stem("/data/reports.geojson"), "reports");
        assert_eq!(stem("C:\\x\\reports.v2.geojson.gz"), "reports.v2");
        assert_eq!(stem(".hidden"), ".hidden");
        assert_eq!(stem(""), "");
    }
}
