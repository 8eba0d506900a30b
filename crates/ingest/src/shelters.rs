//! Shelter and service-point lists (CSV and GeoJSON) → [`Shelter`] records.
//!
//! [`read`] picks GeoJSON or CSV by content; [`read_csv`] detects the schema by its header and
//! names it in [`Report::format`](crate::Report):
//!
//! | format | header | source |
//! |---|---|---|
//! | `senda` | has `kind` | the project's own schema, below |
//! | `thewetzone` | `name,type,description,address,telephone,state,country,latitude,longitude` | TheWetZone's place list |
//! | `hakkindavid` | `name,latitude,longitude,service` | HakkinDavid's Tijuana migrant-aid map |
//!
//! [`read_geojson`] reads Point features with the `senda` properties (format `senda-geojson`).
//!
//! # The `senda` schema
//!
//! One row (or feature) per service point; column names in any case, values trimmed, empty
//! means unknown. Only `name`, `kind` and the position are required.
//!
//! | column | meaning |
//! |---|---|
//! | `id` | the source's id; unique per `source` in a file |
//! | `source` | dataset name; default: the file stem |
//! | `name` | required |
//! | `kind` | required: [`ShelterKind::parse`] (`shelter`/`albergue`, `soup_kitchen`/`comedor`, `consulate`, `human_rights`, `medical`, `service`) |
//! | `lon`, `lat` | WGS84 degrees (also `longitude`/`latitude`, `lng`); in GeoJSON the Point geometry |
//! | `services` | `;`-separated (`,` and `\|` also accepted) [`Service::parse`] values: `bed;food;legal` |
//! | `serves` | `;`-separated [`Population::parse`] values: `women;minors` |
//! | `capacity` | beds, a whole number |
//! | `phone`, `whatsapp`, `hours` | text, kept as given |
//! | `languages` | `;`-separated BCP 47 tags: `es;ht;en` |
//! | `verified_on` | `YYYY-MM-DD`, not in the future |
//! | `visibility` | `public` (default) or `restricted` |
//! | `address`, `state`, `country`, `description` | text; `country` is checked, see below |
//!
//! In GeoJSON, list properties may also be JSON arrays and numbers may be JSON numbers; a
//! feature-level `id` is used when the properties have none.
//!
//! # Rules
//!
//! - **Keys.** `SourceKey(source, id)`. Without an `id`, the id is a slug of the name plus the
//!   position rounded to 1e-4° (`casa-del-migrante@-116.5608,32.4447`), noted in the report.
//!   A key seen earlier in the file rejects the later record, naming the first one's line.
//! - **Rejected** (the record is not loaded): empty name; missing/unknown kind (naming the
//!   column and value); missing, non-numeric, NaN or out-of-range coordinates (saying when
//!   they look swapped), `0,0`, or a point in no country that falls in one when swapped;
//!   a capacity that is not a whole number; a date that is not `YYYY-MM-DD` or lies in the
//!   future; an unknown visibility; rows with more or fewer fields than the header.
//! - **Dropped and flagged** (the record is loaded): an unknown item in `services`, `serves`
//!   or `languages`. A shelter must not vanish from the map over one unrecognised word in a
//!   list; the flag names the column and the value so a reviewer can fix it.
//! - **Country check.** When the record's `country` resolves ([`Countries::resolve`]) and the
//!   point lies outside it (beyond the 2 km tolerance of [`crate::countries`]), the record is
//!   loaded with `location_suspect = true` and flagged, saying where the point falls. Country
//!   names that do not resolve are listed in a note and not checked.
//! - **Town check** (`shelters/placement.rs`). The town a record names — an address part
//!   (from the last), else the end of its name ("… de Arriaga") in its stated state — is
//!   looked up in the gazetteer ([`crate::gazetteer`]). When the point lies more than 25 km
//!   from every town of that name, the shelter is placed at the town
//!   ([`Placement::Town`], flagged, `location_suspect`), and the source's point is kept in
//!   `source_location` for analysts: TheWetZone's Tapachula shelters lay 262–278 km away in
//!   Oaxaca, its Monterrey ones 250 km south of the city. A record that names no town and
//!   whose point lies outside its stated state (or country) is [`Placement::Undecided`]:
//!   listed after the others and flagged. States the gazetteer does not cover (a consulate
//!   in Virginia) are not checked.
//! - **Encoding.** Text that is not UTF-8 is read as Windows-1252 and the report says so.
//!
//! # TheWetZone (`thewetzone`)
//!
//! `type` `Albergue` → [`ShelterKind::Shelter`] with service `bed` (the list describes every
//! albergue as "lugar de hospedaje"); `Consulado`/`Embajada …` (the file's 24 Salvadoran
//! consulates are typed `Embajada Salvadoreña`) → [`ShelterKind::Consulate`] with service
//! `consular`; `Lugar Peligroso` (dangerous places on the rail corridor) are warnings, not
//! service points: they are skipped, with a reason; any other type goes through
//! [`ShelterKind::parse`]. `telephone` → `phone`, kept exactly as given: the numbers are bare
//! digits of mixed quality (`50223622173`, `01522747436227` with the old Mexican long-distance
//! prefix, 9-digit `523382514`), and guessing a `+` would turn wrong numbers into
//! plausible-looking ones. `state`, `country`, `address`, `description` are kept as given.
//!
//! # HakkinDavid (`hakkindavid`)
//!
//! `service` `housing` → shelter + `bed`, `feeding` → soup kitchen + `food`, `consulate` →
//! consulate + `consular`, `humanRights` → human rights + `legal` (others through
//! [`ShelterKind::parse`]). The file has no country column: the list is a map of Tijuana, so
//! the country is `Mexico`, and each point is checked against Mexico like a stated country.
//! (Not `locate()`: at 1:50m the border puts Casa Puerta de Esperanza, a block from the fence,
//! in the United States; the 2 km tolerance keeps it inside Mexico.)
//!
//! Records of both lists are unverified: `verified_on` is `None`.
//!
//! ```
//! use senda_ingest::{countries::Countries, shelters, Input};
//! let csv = "id,name,kind,lon,lat,services,country\n\
//!            a1,Albergue Belén,albergue,-92.2667,14.9,bed;food,México\n\
//!            a2,La 72,shelter,-91.42,17.47,bed;wifi,Guatemala\n";
//! let out = shelters::read(&Input::from_bytes("mine.csv", csv.into()).unwrap(), Countries::corridor()).unwrap();
//! assert_eq!(out.report.format, "senda");
//! assert_eq!(out.records.len(), 2);
//! let la72 = &out.records[1].record;
//! assert!(la72.location_suspect); // Tenosique is in Mexico, not Guatemala
//! assert_eq!(out.report.flagged.len(), 2); // the suspect location and the unknown "wifi"
//! ```

mod placement;
mod points;

pub(crate) use points::{
    check_country, file_stem, list_items, location, looks_like_json, read_features, read_points,
    read_table, slug_id, unresolved_note, Fields, PointRecords, Problem, Raw, Row, Verdict,
};

use crate::countries::{fold, Countries};
use crate::{IngestError, Input, Outcome, Report};
use chrono::NaiveDate;
use senda_core::{Placement, Population, Service, Shelter, ShelterKind, SourceKey, Visibility};
use std::collections::BTreeMap;

/// Reads a shelter list, GeoJSON or CSV by content (first non-blank character `{`/`[` means
/// JSON).
pub fn read(input: &Input, countries: &Countries) -> Result<Outcome<Shelter>, IngestError> {
    let (text, note) = input.text()?;
    if looks_like_json(&text) {
        from_geojson(input, &text, note, countries)
    } else {
        from_csv(input, &text, note, countries)
    }
}

/// Reads a CSV shelter list in one of the schemas of the [module docs](self).
pub fn read_csv(input: &Input, countries: &Countries) -> Result<Outcome<Shelter>, IngestError> {
    let (text, note) = input.text()?;
    from_csv(input, &text, note, countries)
}

/// Reads a GeoJSON FeatureCollection of Point features with `senda` properties.
pub fn read_geojson(input: &Input, countries: &Countries) -> Result<Outcome<Shelter>, IngestError> {
    let (text, note) = input.text()?;
    from_geojson(input, &text, note, countries)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Schema {
    Senda,
    TheWetZone,
    Hakkindavid,
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
    "services",
    "serves",
    "capacity",
    "phone",
    "whatsapp",
    "hours",
    "languages",
    "verified_on",
    "visibility",
    "address",
    "state",
    "country",
    "description",
];
const WETZONE_COLUMNS: &[&str] = &[
    "name",
    "type",
    "description",
    "address",
    "telephone",
    "state",
    "country",
    "latitude",
    "longitude",
];
const HAKKINDAVID_COLUMNS: &[&str] = &["name", "latitude", "longitude", "service"];

impl Schema {
    fn format(self) -> &'static str {
        match self {
            Self::Senda => "senda",
            Self::TheWetZone => "thewetzone",
            Self::Hakkindavid => "hakkindavid",
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            Self::Senda => SENDA_COLUMNS,
            Self::TheWetZone => WETZONE_COLUMNS,
            Self::Hakkindavid => HAKKINDAVID_COLUMNS,
        }
    }
}

fn from_csv(
    input: &Input,
    text: &str,
    note: Option<String>,
    countries: &Countries,
) -> Result<Outcome<Shelter>, IngestError> {
    let table = read_table(&input.name, text)?;
    let schema = if table.has("kind") {
        Schema::Senda
    } else if table.has("type") {
        Schema::TheWetZone
    } else if table.has("service") {
        Schema::Hakkindavid
    } else {
        return Err(IngestError::CsvHeader {
            file: input.name.clone(),
            reason: format!(
                "not a known shelter schema: expected senda (id,name,kind,lon,lat,...), thewetzone \
                 (name,type,...,latitude,longitude) or hakkindavid (name,latitude,longitude,service); found {}",
                table.headers.join(",")
            ),
        });
    };
    for required in ["name"] {
        if !table.has(required) {
            return Err(IngestError::CsvHeader {
                file: input.name.clone(),
                reason: format!("{} schema: no {required:?} column", schema.format()),
            });
        }
    }
    if !table.has_position() {
        return Err(IngestError::CsvHeader {
            file: input.name.clone(),
            reason: format!(
                "{} schema: no lon/lat (or longitude/latitude) columns",
                schema.format()
            ),
        });
    }
    let ignored = table.unknown_columns(schema.columns());
    let records = ShelterRecords::new(input, schema, countries);
    Ok(read_points(
        input,
        schema.format(),
        note,
        &ignored,
        table.rows,
        records,
    ))
}

fn from_geojson(
    input: &Input,
    text: &str,
    note: Option<String>,
    countries: &Countries,
) -> Result<Outcome<Shelter>, IngestError> {
    let rows = read_features(&input.name, text)?;
    let records = ShelterRecords::new(input, Schema::Senda, countries);
    Ok(read_points(
        input,
        "senda-geojson",
        note,
        &[],
        rows,
        records,
    ))
}

/// Shelter records of one schema, for [`read_points`].
struct ShelterRecords<'a> {
    schema: Schema,
    countries: &'a Countries,
    default_source: String,
    unresolved: BTreeMap<String, u64>,
    today: NaiveDate,
}

impl<'a> ShelterRecords<'a> {
    fn new(input: &Input, schema: Schema, countries: &'a Countries) -> Self {
        Self {
            schema,
            countries,
            default_source: file_stem(&input.name),
            unresolved: BTreeMap::new(),
            today: chrono::Utc::now().date_naive(),
        }
    }
}

impl PointRecords for ShelterRecords<'_> {
    type Record = Shelter;

    fn id_field(&self) -> &'static str {
        "id"
    }

    fn key(shelter: &Shelter) -> &SourceKey {
        &shelter.key
    }

    fn build(&mut self, raw: &Raw) -> Verdict<Shelter> {
        let f = &raw.fields;
        let (kind, mut services) = match self.kind_and_services(f) {
            Ok(Some(k)) => k,
            Ok(None) => {
                return Verdict::Skip(
                    "type \"Lugar Peligroso\": a dangerous place on the migration route (a warning), not a service point; not loaded"
                        .into(),
                )
            }
            Err(p) => return Verdict::Reject(p),
        };
        let name = f.get("name").unwrap_or("");
        if name.is_empty() {
            return Verdict::Reject(Problem::new(
                "name",
                "missing: a service point needs a name",
            ));
        }
        let p = match location(raw, self.countries) {
            Ok(p) => p,
            Err(problem) => return Verdict::Reject(problem),
        };
        let source = f.get("source").unwrap_or(&self.default_source).to_owned();
        let source_id = match f.get("id") {
            Some(id) => id.to_owned(),
            None => slug_id(name, p),
        };
        let key = match SourceKey::new(source, source_id) {
            Ok(key) => key,
            Err(e) => return Verdict::Reject(Problem::from_invalid(e.field, &e)),
        };
        let mut shelter = match Shelter::new(key, kind, name, p) {
            Ok(s) => s,
            Err(e) => return Verdict::Reject(Problem::from_invalid(e.field, &e)),
        };
        let mut flags = Vec::new();
        let text = |k: &str| f.get(k).map(str::to_owned);
        shelter.description = text("description");
        shelter.address = text("address");
        shelter.state = text("state");
        match self.schema {
            Schema::Senda => {
                shelter.country = text("country");
                if let Err(p) = self.senda_details(f, &mut shelter, &mut services, &mut flags) {
                    return Verdict::Reject(p);
                }
            }
            Schema::TheWetZone => {
                shelter.country = text("country");
                shelter.phone = text("telephone");
            }
            Schema::Hakkindavid => shelter.country = Some("Mexico".to_owned()),
        }
        services.sort();
        services.dedup();
        shelter.services = services;
        let outside_country = match check_country(
            self.countries,
            shelter.country.as_deref(),
            p,
            &mut self.unresolved,
        ) {
            Ok(_) => false,
            Err(reason) => {
                shelter.location_suspect = true;
                let field = if self.schema == Schema::Hakkindavid {
                    "latitude"
                } else {
                    "country"
                };
                flags.push(Problem::new(field, reason));
                true
            }
        };
        let g = crate::gazetteer::corridor();
        let iso2 = shelter
            .country
            .as_deref()
            .and_then(|c| self.countries.resolve(c))
            .and_then(|c| c.iso_a2());
        // Sources often repeat the country in the state column ("Guatemala", "Guatemala").
        let state = shelter.state.as_deref().filter(|s| {
            shelter
                .country
                .as_deref()
                .is_none_or(|c| senda_core::place::place_key(c) != senda_core::place::place_key(s))
        });
        let named = placement::Named {
            name: &shelter.name,
            address: shelter.address.as_deref(),
            state,
            country: iso2,
        };
        match placement::check(&g, &named, p) {
            placement::Check::Move { town, km, named_by } => {
                let place = g.place(town);
                let label = place.label();
                flags.push(Problem::new(
                    named_by,
                    format!(
                        "the {named_by} names {label}, but the location {p} is {km:.0} km from it: \
                         placed at {label} (approximate; the source's point is kept)"
                    ),
                ));
                shelter.source_location = Some(p);
                shelter.location = place.location;
                shelter.placement = Placement::Town { town: label };
                shelter.location_suspect = true;
            }
            placement::Check::WrongArea { falls_in } => {
                flags.push(Problem::new(
                    "state",
                    format!(
                        "the location {p} is near {falls_in}, outside the stated state {:?}, \
                         and the record names no town: its place cannot be decided",
                        shelter.state.as_deref().unwrap_or_default()
                    ),
                ));
                shelter.placement = Placement::Undecided;
                shelter.location_suspect = true;
            }
            placement::Check::Consistent if outside_country => {
                shelter.placement = Placement::Undecided;
            }
            placement::Check::Consistent => {}
        }
        Verdict::Accept(shelter, flags)
    }

    fn finish(self, report: &mut Report, slug_ids: u64) {
        match self.schema {
            Schema::TheWetZone | Schema::Hakkindavid => {
                report.note(format!(
                    "{} list: records are unverified (verified_on left empty)",
                    self.schema.format()
                ));
            }
            Schema::Senda => {}
        }
        if self.schema == Schema::Hakkindavid {
            report.note("no country column: the list covers Tijuana, so country = Mexico (each point checked against Mexico)");
        }
        if slug_ids > 0 {
            report.note(format!(
                "{} records without an id: source_id = slug of the name + lon,lat rounded to 1e-4 (e.g. casa-del-migrante@-116.5608,32.4447)",
                slug_ids
            ));
        }
        if let Some(note) = unresolved_note(&self.unresolved) {
            report.note(note);
        }
    }
}

impl ShelterRecords<'_> {
    /// The kind and the services it implies; `Ok(None)` for records to skip.
    fn kind_and_services(
        &self,
        f: &Fields,
    ) -> Result<Option<(ShelterKind, Vec<Service>)>, Problem> {
        let parse = |column: &str, value: &str| {
            ShelterKind::parse(value).map_err(|_| {
                Problem::new(
                    column,
                    format!("{column} = {value:?}: unknown service point kind"),
                )
            })
        };
        match self.schema {
            Schema::Senda => {
                let value = f
                    .get("kind")
                    .ok_or_else(|| Problem::new("kind", "missing"))?;
                Ok(Some((parse("kind", value)?, Vec::new())))
            }
            Schema::TheWetZone => {
                let value = f
                    .get("type")
                    .ok_or_else(|| Problem::new("type", "missing"))?;
                let folded = fold(value);
                Ok(Some(match folded.as_str() {
                    "lugar peligroso" => return Ok(None),
                    "albergue" => (ShelterKind::Shelter, vec![Service::Bed]),
                    t if t.starts_with("embajada") || t.starts_with("consulado") => {
                        (ShelterKind::Consulate, vec![Service::Consular])
                    }
                    _ => (parse("type", value)?, Vec::new()),
                }))
            }
            Schema::Hakkindavid => {
                let value = f
                    .get("service")
                    .ok_or_else(|| Problem::new("service", "missing"))?;
                let key: String = fold(value)
                    .chars()
                    .filter(|c| c.is_alphanumeric())
                    .collect();
                Ok(Some(match key.as_str() {
                    "housing" => (ShelterKind::Shelter, vec![Service::Bed]),
                    "feeding" | "food" => (ShelterKind::SoupKitchen, vec![Service::Food]),
                    "consulate" => (ShelterKind::Consulate, vec![Service::Consular]),
                    "humanrights" => (ShelterKind::HumanRights, vec![Service::Legal]),
                    "medical" | "health" => (ShelterKind::Medical, vec![Service::Medical]),
                    _ => (parse("service", value)?, Vec::new()),
                }))
            }
        }
    }

    /// The optional columns of the `senda` schema.
    fn senda_details(
        &self,
        f: &Fields,
        shelter: &mut Shelter,
        services: &mut Vec<Service>,
        flags: &mut Vec<Problem>,
    ) -> Result<(), Problem> {
        if let Some(list) = f.get("services") {
            for item in list_items(list) {
                match Service::parse(item) {
                    Ok(s) => services.push(s),
                    Err(_) => flags.push(Problem::new(
                        "services",
                        format!("unknown service {item:?} dropped"),
                    )),
                }
            }
        }
        if let Some(list) = f.get("serves") {
            for item in list_items(list) {
                match Population::parse(item) {
                    Ok(p) => shelter.serves.push(p),
                    Err(_) => flags.push(Problem::new(
                        "serves",
                        format!("unknown population {item:?} dropped"),
                    )),
                }
            }
            shelter.serves.sort();
            shelter.serves.dedup();
        }
        if let Some(list) = f.get("languages") {
            for item in list_items(list) {
                if is_language_tag(item) {
                    if !shelter.languages.iter().any(|l| l == item) {
                        shelter.languages.push(item.to_owned());
                    }
                } else {
                    flags.push(Problem::new(
                        "languages",
                        format!("{item:?} is not a BCP 47 language tag; dropped"),
                    ));
                }
            }
        }
        if let Some(v) = f.get("capacity") {
            let n = v.parse::<u32>().map_err(|_| {
                Problem::new(
                    "capacity",
                    format!("capacity = {v:?}: not a whole number of beds"),
                )
            })?;
            shelter.capacity = Some(n);
        }
        if let Some(v) = f.get("verified_on") {
            let date = NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .ok()
                .filter(|_| v.len() == 10)
                .ok_or_else(|| {
                    Problem::new(
                        "verified_on",
                        format!("verified_on = {v:?}: not a YYYY-MM-DD date"),
                    )
                })?;
            if date > self.today + chrono::Days::new(1) {
                return Err(Problem::new(
                    "verified_on",
                    format!("verified_on = {v:?} is in the future"),
                ));
            }
            shelter.verified_on = Some(date);
        }
        if let Some(v) = f.get("visibility") {
            shelter.visibility =
                Visibility::parse(v).map_err(|e| Problem::from_invalid("visibility", &e))?;
        }
        shelter.phone = f.get("phone").map(str::to_owned);
        shelter.whatsapp = f.get("whatsapp").map(str::to_owned);
        shelter.hours = f.get("hours").map(str::to_owned);
        Ok(())
    }
}

/// A loose BCP 47 check: a 2–3 letter primary language, then `-`-separated subtags of 1–8
/// letters or digits (`es`, `ht`, `es-MX`, `zh-Hant-TW`).
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(name: &str, text: &str) -> Outcome<Shelter> {
        read(
            &Input::from_bytes(name, text.as_bytes().to_vec()).unwrap(),
            Countries::corridor(),
        )
        .unwrap()
    }

    #[test]
    fn language_tags() {
        for ok in ["es", "ht", "en", "es-MX", "zh-Hant-TW", "fil"] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in ["", "e", "español", "es_MX", "es-", "123"] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }

    #[test]
    fn senda_row_with_every_column() {
        let out = read_text(
            "x.csv",
            "id,source,name,kind,lon,lat,services,serves,capacity,phone,whatsapp,hours,languages,verified_on,visibility,address,state,country,description\n\
             7,redmx,Casa X,comedor,-92.27,14.9,food; bed;food,mujeres;minors,40,+52 962 1,+52 962 2,8-20,es;ht,2024-05-01,restricted,Calle 1,Chiapas,MX,Desc\n",
        );
        assert_eq!(out.report.rejected, vec![]);
        assert_eq!(out.report.flagged, vec![]);
        let s = &out.records[0].record;
        assert_eq!(s.key, SourceKey::new("redmx", "7").unwrap());
        assert_eq!(s.kind, ShelterKind::SoupKitchen);
        assert_eq!(s.services, [Service::Bed, Service::Food]);
        assert_eq!(s.serves, [Population::Women, Population::Minors]);
        assert_eq!(s.capacity, Some(40));
        assert_eq!(s.languages, ["es", "ht"]);
        assert_eq!(s.verified_on, NaiveDate::from_ymd_opt(2024, 5, 1));
        assert_eq!(s.visibility, Visibility::Restricted);
        assert_eq!(
            (
                s.phone.as_deref(),
                s.whatsapp.as_deref(),
                s.hours.as_deref()
            ),
            (Some("+52 962 1"), Some("+52 962 2"), Some("8-20"))
        );
        assert_eq!(s.country.as_deref(), Some("MX"));
        assert!(!s.location_suspect);
    }

    #[test]
    fn future_dates_are_rejected() {
        let out = read_text(
            "x.csv",
            "name,kind,lon,lat,verified_on\nA,shelter,-92.27,14.9,2999-01-01\n",
        );
        assert_eq!(out.report.rejected[0].field.as_deref(), Some("verified_on"));
        assert!(out.report.rejected[0].reason.contains("future"));
    }
}
