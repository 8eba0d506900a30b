//! Transit points (stations, border crossings, checkpoints, towns) → [`TransitPoint`] records.
//!
//! [`read`] picks GeoJSON or CSV by content. Formats ([`Report::format`](crate::Report)):
//!
//! - `senda` (CSV) and `senda-geojson` (Point features with the same properties):
//!
//!   | column | meaning |
//!   |---|---|
//!   | `id` | the source's id, unique per `source` in a file; default: slug of the name + position rounded to 1e-4° |
//!   | `source` | dataset name; default: the file stem |
//!   | `name` | required |
//!   | `kind` | required, [`TransitKind::parse`]: `bus_station`, `rail_station`, `rail_yard`, `border_crossing`, `checkpoint`, `place`, `port`, `airport` (and synonyms) |
//!   | `lon`, `lat` | WGS84 degrees (also `longitude`/`latitude`); in GeoJSON the Point geometry |
//!   | `country` | ISO alpha-3/alpha-2 code or name, stored as the alpha-3 code; when absent, the country the point lies in ([`Countries::locate`]) |
//!   | `population` | whole number |
//!
//! - `naturalearth-populated-places` (GeoJSON with `featurecla` and `adm0_a3` properties, as
//!   `mesoamerica_ne_10m_populated_places_simple.geojson`): kind [`TransitKind::Place`],
//!   `name`, `country` = `adm0_a3`, `population` = `pop_max` (when > 0), position from the
//!   Point geometry, key `SourceKey("naturalearth", geonameid)`; the 7 places whose
//!   `geonameid` is `-1` get `<adm0_a3>-<name slug>` (`BLZ-el-cayo`). Features whose
//!   `featurecla` is neither a populated place nor a capital are skipped.
//!
//! The checks are those of the shelter readers ([`crate::shelters`]): bad coordinates reject,
//! duplicate keys reject the later record naming the first, and a point outside the country
//! its record names (beyond the 2 km tolerance) is flagged with where it falls. A `country`
//! value that is neither a known country nor a three-letter code is flagged and left empty.
//!
//! ```
//! use senda_ingest::{countries::Countries, transit, Input};
//! let csv = "id,name,kind,lon,lat,country\n\
//!            1,Ciudad Hidalgo – Tecún Umán,border,-92.1499,14.6776,MEX\n\
//!            2,Arriaga,rail yard,-93.9,16.23,\n";
//! let out = transit::read(&Input::from_bytes("points.csv", csv.into()).unwrap(), Countries::corridor()).unwrap();
//! assert_eq!(out.records.len(), 2);
//! assert_eq!(out.records[1].record.country.as_deref(), Some("MEX")); // located
//! ```

use crate::countries::{fold, Countries};
use crate::shelters::{
    check_country, file_stem, location, looks_like_json, read_features, read_points, read_table,
    slug_id, unresolved_note, Fields, PointRecords, Problem, Raw, Row, Verdict,
};
use crate::{IngestError, Input, Outcome, Report};
use senda_core::{SourceKey, TransitKind, TransitPoint};
use std::collections::BTreeMap;

/// Reads transit points, GeoJSON or CSV by content.
pub fn read(input: &Input, countries: &Countries) -> Result<Outcome<TransitPoint>, IngestError> {
    let (text, note) = input.text()?;
    if looks_like_json(&text) {
        from_geojson(input, &text, note, countries)
    } else {
        from_csv(input, &text, note, countries)
    }
}

/// Reads a `senda` transit CSV.
pub fn read_csv(
    input: &Input,
    countries: &Countries,
) -> Result<Outcome<TransitPoint>, IngestError> {
    let (text, note) = input.text()?;
    from_csv(input, &text, note, countries)
}

/// Reads `senda` Point features or Natural Earth populated places.
pub fn read_geojson(
    input: &Input,
    countries: &Countries,
) -> Result<Outcome<TransitPoint>, IngestError> {
    let (text, note) = input.text()?;
    from_geojson(input, &text, note, countries)
}

const SENDA_COLUMNS: &[&str] = &[
    "id",
    "source",
    "name",
    "kind",
    "lon",
    "lat",
    "longitude",
    "latitude",
    "lng",
    "country",
    "population",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Schema {
    Senda,
    NaturalEarth,
}

fn from_csv(
    input: &Input,
    text: &str,
    note: Option<String>,
    countries: &Countries,
) -> Result<Outcome<TransitPoint>, IngestError> {
    let table = read_table(&input.name, text)?;
    if !(table.has("name") && table.has("kind") && table.has_position()) {
        return Err(IngestError::CsvHeader {
            file: input.name.clone(),
            reason: format!(
                "not a senda transit file: expected columns id,source,name,kind,lon,lat,country,population \
                 (name, kind and lon/lat required); found {}",
                table.headers.join(",")
            ),
        });
    }
    let ignored = table.unknown_columns(SENDA_COLUMNS);
    let records = TransitRecords::new(input, Schema::Senda, countries);
    Ok(read_points(
        input, "senda", note, &ignored, table.rows, records,
    ))
}

fn from_geojson(
    input: &Input,
    text: &str,
    note: Option<String>,
    countries: &Countries,
) -> Result<Outcome<TransitPoint>, IngestError> {
    let rows = read_features(&input.name, text)?;
    let natural_earth = rows
        .iter()
        .find_map(|r| match r {
            Row::Ok(raw) if !raw.fields.is_empty() => {
                Some(raw.fields.get("featurecla").is_some() && raw.fields.get("adm0_a3").is_some())
            }
            _ => None,
        })
        .unwrap_or(false);
    let (schema, format) = if natural_earth {
        (Schema::NaturalEarth, "naturalearth-populated-places")
    } else {
        (Schema::Senda, "senda-geojson")
    };
    let records = TransitRecords::new(input, schema, countries);
    Ok(read_points(input, format, note, &[], rows, records))
}

/// Transit point records of one schema, for [`read_points`].
struct TransitRecords<'a> {
    schema: Schema,
    countries: &'a Countries,
    default_source: String,
    unresolved: BTreeMap<String, u64>,
    located: u64,
}

impl<'a> TransitRecords<'a> {
    fn new(input: &Input, schema: Schema, countries: &'a Countries) -> Self {
        let default_source = match schema {
            Schema::NaturalEarth => "naturalearth".to_owned(),
            Schema::Senda => file_stem(&input.name),
        };
        Self {
            schema,
            countries,
            default_source,
            unresolved: BTreeMap::new(),
            located: 0,
        }
    }
}

impl PointRecords for TransitRecords<'_> {
    type Record = TransitPoint;

    fn id_field(&self) -> &'static str {
        match self.schema {
            Schema::NaturalEarth => "geonameid",
            Schema::Senda => "id",
        }
    }

    fn key(point: &TransitPoint) -> &SourceKey {
        &point.key
    }

    fn build(&mut self, raw: &Raw) -> Verdict<TransitPoint> {
        let f = &raw.fields;
        let kind = match self.kind(f) {
            Ok(Some(kind)) => kind,
            Ok(None) => {
                let cla = f.get("featurecla").unwrap_or_default();
                return Verdict::Skip(format!("featurecla {cla:?} is not a populated place"));
            }
            Err(p) => return Verdict::Reject(p),
        };
        let name = match self.schema {
            Schema::NaturalEarth => f.first(&["name", "nameascii"]).map(|(_, v)| v),
            Schema::Senda => f.get("name"),
        };
        let Some(name) = name else {
            return Verdict::Reject(Problem::new(
                "name",
                "missing: a transit point needs a name",
            ));
        };
        let p = match location(raw, self.countries) {
            Ok(p) => p,
            Err(problem) => return Verdict::Reject(problem),
        };
        let (source, source_id) = match self.schema {
            Schema::NaturalEarth => {
                let id = match f
                    .get("geonameid")
                    .and_then(|g| g.parse::<i64>().ok())
                    .filter(|g| *g > 0)
                {
                    Some(g) => g.to_string(),
                    None => {
                        let slug = slug_id(name, p);
                        let slug = slug.split('@').next().unwrap_or_default();
                        format!("{}-{slug}", f.get("adm0_a3").unwrap_or("XXX"))
                    }
                };
                (self.default_source.clone(), id)
            }
            Schema::Senda => {
                let id = match f.get("id") {
                    Some(id) => id.to_owned(),
                    None => slug_id(name, p),
                };
                (
                    f.get("source").unwrap_or(&self.default_source).to_owned(),
                    id,
                )
            }
        };
        let key = match SourceKey::new(source, source_id) {
            Ok(key) => key,
            Err(e) => return Verdict::Reject(Problem::from_invalid(e.field, &e)),
        };
        let mut point = match TransitPoint::new(key, kind, name, p) {
            Ok(t) => t,
            Err(e) => return Verdict::Reject(Problem::from_invalid(e.field, &e)),
        };
        let mut flags = Vec::new();
        let (country_field, population_field) = match self.schema {
            Schema::NaturalEarth => ("adm0_a3", "pop_max"),
            Schema::Senda => ("country", "population"),
        };
        match f.get(population_field) {
            None => {}
            Some(v) => match v.parse::<i64>() {
                Ok(n) if n > 0 => point.population = Some(n as u64),
                Ok(_) if self.schema == Schema::NaturalEarth => {} // Natural Earth writes -99 / 0 for unknown
                Ok(0) => point.population = Some(0),
                _ => {
                    return Verdict::Reject(Problem::new(
                        population_field,
                        format!("{population_field} = {v:?}: not a whole number of people"),
                    ))
                }
            },
        }
        let stated = f.get(country_field).filter(|c| *c != "-99");
        match check_country(self.countries, stated, p, &mut self.unresolved) {
            Ok(Some(c)) => point.country = Some(c.iso_a3().to_owned()),
            Ok(None) => match stated {
                Some(code) if code.len() == 3 && code.chars().all(|c| c.is_ascii_alphabetic()) => {
                    point.country = Some(code.to_ascii_uppercase());
                }
                Some(other) => {
                    flags.push(Problem::new(country_field, format!("{country_field} = {other:?}: not a known country or ISO alpha-3 code; left empty")));
                }
                None => {
                    point.country = self.countries.locate(p).map(|c| c.iso_a3().to_owned());
                    self.located += u64::from(point.country.is_some());
                }
            },
            Err(reason) => {
                point.country = stated
                    .and_then(|s| self.countries.resolve(s))
                    .map(|c| c.iso_a3().to_owned());
                flags.push(Problem::new(country_field, reason));
            }
        }
        Verdict::Accept(point, flags)
    }

    fn finish(self, report: &mut Report, slug_ids: u64) {
        if self.schema == Schema::NaturalEarth {
            report.note(
                "Natural Earth populated places: kind = place, country = adm0_a3, population = pop_max, \
                 location = Point geometry, source_id = geonameid",
            );
        }
        if slug_ids > 0 {
            report.note(match self.schema {
                Schema::NaturalEarth => format!("{} places without a geonameid: source_id = <adm0_a3>-<name slug>", slug_ids),
                Schema::Senda => {
                    format!("{} records without an id: source_id = slug of the name + lon,lat rounded to 1e-4", slug_ids)
                }
            });
        }
        if self.located > 0 {
            report.note(format!(
                "{} records without a country: country = the one the point lies in",
                self.located
            ));
        }
        if let Some(note) = unresolved_note(&self.unresolved) {
            report.note(note);
        }
    }
}

impl TransitRecords<'_> {
    /// The kind; `Ok(None)` for Natural Earth features that are not places.
    fn kind(&self, f: &Fields) -> Result<Option<TransitKind>, Problem> {
        match self.schema {
            Schema::Senda => {
                let value = f
                    .get("kind")
                    .ok_or_else(|| Problem::new("kind", "missing"))?;
                TransitKind::parse(value)
                    .map(Some)
                    .map_err(|e| Problem::from_invalid("kind", &e))
            }
            Schema::NaturalEarth => {
                if let Some(value) = f.get("kind") {
                    return TransitKind::parse(value)
                        .map(Some)
                        .map_err(|e| Problem::from_invalid("kind", &e));
                }
                let cla = fold(f.get("featurecla").unwrap_or_default());
                Ok((cla.contains("populated place") || cla.contains("capital"))
                    .then_some(TransitKind::Place))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ne_feature(props: &str) -> String {
        format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","geometry":{{"type":"Point","coordinates":[-92.27,14.9]}},"properties":{{"featurecla":"Populated place","adm0_a3":"MEX","name":"Tapachula",{props}}}}}]}}"#
        )
    }

    fn read_ne(props: &str) -> Outcome<TransitPoint> {
        read(
            &Input::from_bytes("ne.geojson", ne_feature(props).into_bytes()).unwrap(),
            Countries::corridor(),
        )
        .unwrap()
    }

    #[test]
    fn natural_earth_sentinels() {
        let out = read_ne(r#""pop_max":-99,"geonameid":3516266.0"#);
        assert_eq!(out.report.format, "naturalearth-populated-places");
        let t = &out.records[0].record;
        assert_eq!(
            (
                t.population,
                t.key.source_id.as_str(),
                t.key.source.as_str()
            ),
            (None, "3516266", "naturalearth")
        );
        let out = read_ne(r#""pop_max":"lots","geonameid":-1.0"#);
        assert_eq!(out.report.rejected[0].field.as_deref(), Some("pop_max"));
        let out = read_ne(r#""pop_max":5,"geonameid":-1.0,"adm1name":"Chiapas""#);
        assert_eq!(out.records[0].record.key.source_id, "MEX-tapachula");
    }

    #[test]
    fn natural_earth_non_places_are_skipped() {
        let text = ne_feature(r#""pop_max":5"#).replace("Populated place", "Scientific station");
        let out = read(
            &Input::from_bytes("ne.geojson", text.into_bytes()).unwrap(),
            Countries::corridor(),
        )
        .unwrap();
        assert_eq!((out.report.accepted, out.report.skipped.len()), (0, 1));
        assert!(out.report.skipped[0].reason.contains("Scientific station"));
    }
}
