//! Reading point records — CSV rows and GeoJSON Point features — into a uniform shape, and the
//! checks shared by the shelter and transit readers: coordinates (range, swapped, 0,0),
//! source keys (file stem, name+coordinate slugs), duplicate ids and the stated-country check;
//! [`read_points`] runs the rows through one kind of record ([`PointRecords`]).

use crate::countries::{fold, Countries, Country};
use crate::{IngestError, Input, Outcome, Report};
use senda_core::{LonLat, RecordRef, SourceKey};
use std::collections::{BTreeMap, HashMap};

/// Why a record (or one of its fields) is not usable: the column or property at fault, if
/// one is, and a reason a person can act on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Problem {
    pub field: Option<String>,
    pub reason: String,
}

impl Problem {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: Some(field.into()),
            reason: reason.into(),
        }
    }

    pub fn record(reason: impl Into<String>) -> Self {
        Self {
            field: None,
            reason: reason.into(),
        }
    }

    pub fn from_invalid(field: &str, e: &senda_core::InvalidValue) -> Self {
        Self::new(field, e.to_string())
    }
}

/// The values of one record by lower-case column/property name; values are trimmed and empty
/// ones are left out.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fields(HashMap<String, String>);

impl Fields {
    pub fn insert(&mut self, key: &str, value: &str) {
        let value = value.trim();
        if !value.is_empty() {
            self.0.insert(key.trim().to_lowercase(), value.to_owned());
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// The first of `keys` that has a value, with the key that had it.
    pub fn first<'k>(&self, keys: &[&'k str]) -> Option<(&'k str, &str)> {
        keys.iter().find_map(|k| self.get(k).map(|v| (*k, v)))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One record as read from the file.
#[derive(Debug, Clone)]
pub(crate) struct Raw {
    pub at: RecordRef,
    pub fields: Fields,
    /// The Point geometry of a GeoJSON feature (`None` for CSV rows and null geometries).
    pub geometry: Option<Result<(f64, f64), Problem>>,
}

/// What reading one record produced.
#[derive(Debug, Clone)]
pub(crate) enum Row {
    Ok(Raw),
    /// A row with no values at all.
    Blank(RecordRef),
    /// A record that cannot be read (ragged row, feature that is not an object, ...).
    Bad(RecordRef, Problem),
}

/// A CSV file: its (lower-case) header and its rows.
pub(crate) struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

impl Table {
    pub fn has(&self, column: &str) -> bool {
        self.headers.iter().any(|h| h == column)
    }

    /// Whether the header has a longitude and a latitude column ([`LON_COLUMNS`],
    /// [`LAT_COLUMNS`]).
    pub fn has_position(&self) -> bool {
        LON_COLUMNS.iter().any(|c| self.has(c)) && LAT_COLUMNS.iter().any(|c| self.has(c))
    }

    /// Header columns not in `known`, for the report's notes.
    pub fn unknown_columns(&self, known: &[&str]) -> Vec<String> {
        self.headers
            .iter()
            .filter(|h| !h.is_empty() && !known.contains(&h.as_str()))
            .cloned()
            .collect()
    }
}

/// Reads CSV text. Rows with more or fewer fields than the header are `Row::Bad` (their values
/// cannot be attributed to columns reliably); the header must be non-empty and unique.
pub(crate) fn read_table(file: &str, text: &str) -> Result<Table, IngestError> {
    let header_err = |reason: String| IngestError::CsvHeader {
        file: file.to_owned(),
        reason,
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| header_err(e.to_string()))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(header_err("the file has no header row".into()));
    }
    let mut seen = HashMap::new();
    for h in headers.iter().filter(|h| !h.is_empty()) {
        if seen.insert(h.as_str(), ()).is_some() {
            return Err(header_err(format!("column {h:?} appears twice")));
        }
    }
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter {
        bytes: text.as_bytes(),
        pos: 0,
        line: 1,
    };
    for index in 0u64.. {
        let before = reader.position().byte();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let start = record.position().map_or(before, csv::Position::byte);
                let at = RecordRef::new(index, Some(lines.line_at(start)));
                if record.iter().all(|v| v.trim().is_empty()) {
                    rows.push(Row::Blank(at));
                } else if record.len() != headers.len() {
                    rows.push(Row::Bad(
                        at,
                        Problem::record(format!(
                            "row has {} fields but the header has {}",
                            record.len(),
                            headers.len()
                        )),
                    ));
                } else {
                    let mut fields = Fields::default();
                    for (h, v) in headers.iter().zip(record.iter()) {
                        if !h.is_empty() {
                            fields.insert(h, v);
                        }
                    }
                    rows.push(Row::Ok(Raw {
                        at,
                        fields,
                        geometry: None,
                    }));
                }
            }
            Err(e) => {
                let start = e.position().map_or(before, csv::Position::byte);
                let at = RecordRef::new(index, Some(lines.line_at(start)));
                rows.push(Row::Bad(
                    at,
                    Problem::record(format!("unreadable CSV record: {e}")),
                ));
                if reader.position().byte() == before {
                    break; // no progress: stop rather than loop
                }
            }
        }
    }
    Ok(Table { headers, rows })
}

/// 1-based line numbers from byte offsets. (The `csv` crate's own record line numbers lag
/// behind after blank lines and depending on buffering, so lines are counted here.)
struct LineCounter<'t> {
    bytes: &'t [u8],
    pos: usize,
    line: u64,
}

impl LineCounter<'_> {
    /// The line of the first character at or after `byte` that is not a line break (a record
    /// offset may point at the previous record's terminator or at blank lines).
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut b = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        while b < self.bytes.len() && matches!(self.bytes[b], b'\n' | b'\r') {
            b += 1;
        }
        if b > self.pos {
            self.line += self.bytes[self.pos..b]
                .iter()
                .filter(|&&c| c == b'\n')
                .count() as u64;
            self.pos = b;
        }
        self.line
    }
}

/// Whether text looks like JSON (first non-blank character `{` or `[`).
pub(crate) fn looks_like_json(text: &str) -> bool {
    matches!(text.trim_start().chars().next(), Some('{' | '['))
}

/// Reads a GeoJSON FeatureCollection (or a single Feature) into rows; properties become
/// fields (numbers as text, arrays joined with `;`), and a feature-level `id` fills the `id`
/// field when the properties have none.
pub(crate) fn read_features(file: &str, text: &str) -> Result<Vec<Row>, IngestError> {
    let geojson_err = |reason: &str| IngestError::GeoJson {
        file: file.to_owned(),
        reason: reason.to_owned(),
    };
    let mut root: serde_json::Value =
        serde_json::from_str(text).map_err(|e| IngestError::json(file, &e))?;
    let features = match root.get("type").and_then(|t| t.as_str()) {
        Some("FeatureCollection") => match root.get_mut("features").map(serde_json::Value::take) {
            Some(serde_json::Value::Array(features)) => features,
            _ => {
                return Err(geojson_err(
                    "a FeatureCollection needs a \"features\" array",
                ))
            }
        },
        Some("Feature") => vec![root],
        Some(other) => {
            return Err(geojson_err(&format!(
                "expected a FeatureCollection or a Feature, got {other:?}"
            )))
        }
        None => {
            return Err(geojson_err(
                "expected a FeatureCollection or a Feature (no \"type\")",
            ))
        }
    };
    Ok(features
        .into_iter()
        .enumerate()
        .map(|(i, f)| feature_row(RecordRef::new(i as u64, None), f))
        .collect())
}

fn feature_row(at: RecordRef, feature: serde_json::Value) -> Row {
    let serde_json::Value::Object(mut feature) = feature else {
        return Row::Bad(at, Problem::record("not a JSON object"));
    };
    if feature.get("type").and_then(|t| t.as_str()) != Some("Feature") {
        return Row::Bad(
            at,
            Problem::new(
                "type",
                "not a GeoJSON Feature (\"type\" must be \"Feature\")",
            ),
        );
    }
    let mut fields = Fields::default();
    match feature.remove("properties") {
        Some(serde_json::Value::Object(props)) => {
            for (k, v) in &props {
                if let Some(text) = json_text(v) {
                    fields.insert(k, &text);
                }
            }
        }
        None | Some(serde_json::Value::Null) => {}
        Some(_) => return Row::Bad(at, Problem::new("properties", "must be an object or null")),
    }
    if fields.get("id").is_none() {
        if let Some(id) = feature.get("id").and_then(json_text) {
            fields.insert("id", &id);
        }
    }
    let geometry = match feature.get("geometry") {
        None | Some(serde_json::Value::Null) => None,
        Some(g) => Some(point_coordinates(g)),
    };
    Row::Ok(Raw {
        at,
        fields,
        geometry,
    })
}

fn point_coordinates(g: &serde_json::Value) -> Result<(f64, f64), Problem> {
    match g.get("type").and_then(|t| t.as_str()) {
        Some("Point") => {}
        Some(other) => {
            return Err(Problem::new(
                "geometry",
                format!("expected a Point, got {other}"),
            ))
        }
        None => return Err(Problem::new("geometry", "geometry has no \"type\"")),
    }
    let coords = g.get("coordinates").and_then(|c| c.as_array());
    match coords
        .map(|c| c.iter().map(serde_json::Value::as_f64).collect::<Vec<_>>())
        .as_deref()
    {
        Some([Some(lon), Some(lat), ..]) => Ok((*lon, *lat)),
        _ => Err(Problem::new(
            "geometry",
            "Point coordinates must be [lon, lat] numbers",
        )),
    }
}

/// A JSON property value as text: strings trimmed, whole numbers without `.0`, arrays joined
/// with `;`, `null` as nothing.
fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.trim().to_owned()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Number(n) => Some(match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => format!("{}", f as i64),
            _ => n.to_string(),
        }),
        serde_json::Value::Array(items) => Some(
            items
                .iter()
                .filter_map(json_text)
                .collect::<Vec<_>>()
                .join(";"),
        ),
        serde_json::Value::Object(_) => Some(v.to_string()),
    }
}

/// Column names accepted for longitude and latitude.
pub(crate) const LON_COLUMNS: &[&str] = &["lon", "longitude", "lng"];
pub(crate) const LAT_COLUMNS: &[&str] = &["lat", "latitude"];

/// The record's position: the GeoJSON geometry if it has one, else the lon/lat columns.
///
/// Rejected: missing or non-numeric values, NaN/infinite, out of range (saying so when the two
/// values look swapped), `0,0` (a common placeholder), and points that fall in no country of
/// `countries` while the swapped pair falls in one.
pub(crate) fn location(raw: &Raw, countries: &Countries) -> Result<LonLat, Problem> {
    let (lon_field, lat_field, lon, lat) = match &raw.geometry {
        Some(Ok((lon, lat))) => ("geometry", "geometry", *lon, *lat),
        Some(Err(p)) => return Err(p.clone()),
        None => {
            let (lon_field, lon) = number(&raw.fields, LON_COLUMNS)?;
            let (lat_field, lat) = number(&raw.fields, LAT_COLUMNS)?;
            (lon_field, lat_field, lon, lat)
        }
    };
    let p = LonLat::new(lon, lat).map_err(|e| {
        let field = if e.field == "lon" {
            lon_field
        } else {
            lat_field
        };
        if LonLat::new(lat, lon).is_ok() {
            Problem::new(
                field,
                format!("{e} (lon {lon}, lat {lat}: the two values look swapped)"),
            )
        } else {
            Problem::new(field, e.to_string())
        }
    })?;
    if lon == 0.0 && lat == 0.0 {
        return Err(Problem::new(
            lon_field,
            "0,0 is a placeholder, not a location",
        ));
    }
    if countries.locate(p).is_none() {
        if let Some(c) = LonLat::new(lat, lon).ok().and_then(|q| countries.locate(q)) {
            return Err(Problem::new(
                lon_field,
                format!("lon {lon}, lat {lat} falls in no country, but swapped it falls in {}: lon and lat look swapped", c.name()),
            ));
        }
    }
    Ok(p)
}

fn number(fields: &Fields, columns: &[&'static str]) -> Result<(&'static str, f64), Problem> {
    let (column, text) = fields
        .first(columns)
        .ok_or_else(|| Problem::new(columns[0], "missing"))?;
    let v = text
        .parse::<f64>()
        .map_err(|_| Problem::new(column, format!("{text:?} is not a number")))?;
    Ok((column, v))
}

/// The stem of a file name (`dir/thewetzone.csv.gz` → `thewetzone`), the default source.
pub(crate) fn file_stem(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let base = base
        .strip_suffix(".gz")
        .or_else(|| base.strip_suffix(".GZ"))
        .unwrap_or(base);
    let stem = match base.rfind('.') {
        Some(i) if i > 0 => &base[..i],
        _ => base,
    };
    if stem.trim().is_empty() {
        "upload".to_owned()
    } else {
        stem.trim().to_owned()
    }
}

/// A stable id for a record without one: a slug of its name (lower case, accents removed,
/// runs of other characters as `-`, at most 60 characters) and its position rounded to 1e-4°
/// (~11 m): `casa-del-migrante@-116.5608,32.4447`.
pub(crate) fn slug_id(name: &str, p: LonLat) -> String {
    let mut slug = String::new();
    for c in fold(name).chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let mut slug: String = slug.trim_end_matches('-').chars().take(60).collect();
    while slug.ends_with('-') {
        slug.pop();
    }
    // `+ 0.0` turns a rounded -0.0 into 0.0 so the id does not depend on the sign of zero.
    let round = |v: f64| (v * 1e4).round() / 1e4 + 0.0;
    format!("{slug}@{:.4},{:.4}", round(p.lon()), round(p.lat()))
}

/// What one record became.
pub(crate) enum Verdict<T> {
    /// Loaded, with the flags for a reviewer.
    Accept(T, Vec<Problem>),
    /// Not a record of this kind: not loaded, listed with the reason.
    Skip(String),
    Reject(Problem),
}

/// One kind of point record (shelter, transit point): how a row becomes a record and the notes
/// that close the report. [`read_points`] does the rest.
pub(crate) trait PointRecords {
    type Record;

    /// The column or property holding the source's own id.
    fn id_field(&self) -> &'static str;

    /// The record's key, unique in a file.
    fn key(record: &Self::Record) -> &SourceKey;

    /// What one row becomes.
    fn build(&mut self, raw: &Raw) -> Verdict<Self::Record>;

    /// Adds the closing notes; `slug_ids` counts the accepted records whose id was not the
    /// source's own (see [`slug_id`]).
    fn finish(self, report: &mut Report, slug_ids: u64);
}

/// Reads `rows` as records of one kind into an outcome whose report names `format` and starts
/// with the decoding `note` and the `ignored` header columns (none for GeoJSON).
///
/// Blank rows are skipped and unreadable ones rejected; a record whose key was seen earlier is
/// rejected naming the first one; an accepted record's flags are reported under its key.
pub(crate) fn read_points<P: PointRecords>(
    input: &Input,
    format: &str,
    note: Option<String>,
    ignored: &[String],
    rows: Vec<Row>,
    records: P,
) -> Outcome<P::Record> {
    let mut reader = PointReader {
        records,
        out: Outcome::new(Report::new(input.name.clone(), format)),
        seen: Seen::default(),
        slug_ids: 0,
    };
    if let Some(note) = note {
        reader.out.report.note(note);
    }
    if !ignored.is_empty() {
        reader
            .out
            .report
            .note(format!("columns ignored: {}", ignored.join(", ")));
    }
    for row in rows {
        match row {
            Row::Blank(at) => reader.out.report.skip(at, None, "blank row"),
            Row::Bad(at, p) => reader
                .out
                .report
                .reject(at, None, p.field.as_deref(), p.reason),
            Row::Ok(raw) => reader.read_one(&raw),
        }
    }
    reader.finish()
}

struct PointReader<P: PointRecords> {
    records: P,
    out: Outcome<P::Record>,
    seen: Seen,
    slug_ids: u64,
}

impl<P: PointRecords> PointReader<P> {
    fn read_one(&mut self, raw: &Raw) {
        let id = raw.fields.get(self.records.id_field()).map(str::to_owned);
        match self.records.build(raw) {
            Verdict::Accept(record, flags) => {
                let key = P::key(&record);
                let key_id = Some(key.source_id.clone());
                if let Err(p) = self.seen.check(key) {
                    self.out
                        .report
                        .reject(raw.at, key_id, p.field.as_deref(), p.reason);
                    return;
                }
                for flag in flags {
                    self.out.report.flag(
                        raw.at,
                        key_id.clone(),
                        flag.field.as_deref(),
                        flag.reason,
                    );
                }
                self.seen.insert(key.clone(), raw.at);
                self.slug_ids += u64::from(id.as_deref() != Some(key.source_id.as_str()));
                self.out.push(record, raw.at);
            }
            Verdict::Skip(reason) => self.out.report.skip(raw.at, id, reason),
            Verdict::Reject(p) => self
                .out
                .report
                .reject(raw.at, id, p.field.as_deref(), p.reason),
        }
    }

    fn finish(mut self) -> Outcome<P::Record> {
        self.records.finish(&mut self.out.report, self.slug_ids);
        self.out
    }
}

/// Keys of the records accepted so far, to reject later duplicates naming the first one.
#[derive(Default)]
struct Seen(HashMap<SourceKey, RecordRef>);

impl Seen {
    fn check(&self, key: &SourceKey) -> Result<(), Problem> {
        match self.0.get(key) {
            Some(first) => Err(Problem::new(
                "id",
                format!(
                    "duplicate id {:?} (source {:?}): first seen at {first}",
                    key.source_id, key.source
                ),
            )),
            None => Ok(()),
        }
    }

    fn insert(&mut self, key: SourceKey, at: RecordRef) {
        self.0.entry(key).or_insert(at);
    }
}

/// Resolves the country a record states and checks its point against it.
///
/// `Ok(None)`: nothing stated; `Ok(Some(c))`: resolved and the point is inside (with the
/// border tolerance); `Err(reason)`: resolved and the point is outside, with where it falls.
/// Names that do not resolve are collected in `unresolved` for the report's notes.
pub(crate) fn check_country<'c>(
    countries: &'c Countries,
    stated: Option<&str>,
    p: LonLat,
    unresolved: &mut BTreeMap<String, u64>,
) -> Result<Option<&'c Country>, String> {
    let Some(stated) = stated else {
        return Ok(None);
    };
    let Some(c) = countries.resolve(stated) else {
        *unresolved.entry(stated.to_owned()).or_default() += 1;
        return Ok(None);
    };
    if c.contains(p) {
        return Ok(Some(c));
    }
    let falls_in = match countries.locate(p) {
        Some(other) => format!("it falls in {}", other.name()),
        None => "it falls in no country of the set (at sea or beyond the corridor)".to_owned(),
    };
    Err(format!(
        "location {p} is outside the stated country {stated:?} ({}): {falls_in}, about {:.0} km from {}",
        c.iso_a3(),
        c.distance_m(p) / 1000.0,
        c.name()
    ))
}

/// The report note for country names that could not be resolved (so were not checked).
pub(crate) fn unresolved_note(unresolved: &BTreeMap<String, u64>) -> Option<String> {
    (!unresolved.is_empty()).then(|| {
        let list: Vec<String> = unresolved
            .iter()
            .map(|(k, n)| format!("{k:?} ×{n}"))
            .collect();
        format!(
            "country names not in the country set, locations not checked: {}",
            list.join(", ")
        )
    })
}

/// Splits a list value on `;` (also `,` and `|`), trimming items and dropping empty ones.
pub(crate) fn list_items(text: &str) -> impl Iterator<Item = &str> {
    text.split([';', ',', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> Raw {
        let mut fields = Fields::default();
        for (k, v) in pairs {
            fields.insert(k, v);
        }
        Raw {
            at: RecordRef::new(0, Some(2)),
            fields,
            geometry: None,
        }
    }

    #[test]
    fn stems_and_slugs() {
        assert_eq!(file_stem("/a/b/thewetzone_places.csv"), "thewetzone_places");
        assert_eq!(file_stem("x.csv.gz"), "x");
        assert_eq!(file_stem("C:\\d\\list"), "list");
        assert_eq!(file_stem(".csv"), ".csv");
        assert_eq!(file_stem(""), "upload");
        let p = LonLat::new(-116.560_83, 32.444_72).unwrap();
        assert_eq!(
            slug_id("Casa del Migrante", p),
            "casa-del-migrante@-116.5608,32.4447"
        );
        assert_eq!(
            slug_id("  ¡Ejército de Salvación! ", p),
            "ejercito-de-salvacion@-116.5608,32.4447"
        );
        assert_eq!(
            slug_id("x", LonLat::new(-0.00001, 0.00001).unwrap()),
            "x@0.0000,0.0000"
        );
    }

    #[test]
    fn coordinates_are_checked() {
        let c = Countries::corridor();
        let loc =
            |lon: &str, lat: &str| location(&raw(&[("longitude", lon), ("latitude", lat)]), c);
        assert_eq!(
            loc("-92.27", "14.90").unwrap(),
            LonLat::new(-92.27, 14.9).unwrap()
        );
        let swapped = loc("14.90", "-92.27").unwrap_err();
        assert_eq!(swapped.field.as_deref(), Some("latitude"));
        assert!(swapped.reason.contains("swapped"), "{}", swapped.reason);
        assert!(loc("NaN", "14").unwrap_err().reason.contains("finite"));
        assert!(loc("abc", "14")
            .unwrap_err()
            .reason
            .contains("not a number"));
        assert!(loc("0", "0").unwrap_err().reason.contains("placeholder"));
        assert_eq!(
            location(&raw(&[("lat", "14")]), c).unwrap_err(),
            Problem::new("lon", "missing")
        );
        // In range both ways, in no country as given but in Honduras swapped.
        let r = loc("14.0", "-87.2").unwrap_err();
        assert!(
            r.reason.contains("Honduras") && r.reason.contains("swapped"),
            "{}",
            r.reason
        );
    }

    #[test]
    fn csv_rows_ragged_blank_and_lines() {
        let t = read_table("t.csv", "A,b\n1,2\n\n3\n,\n4,5,6\n\"x\ny\",7\n").unwrap();
        assert_eq!(t.headers, ["a", "b"]);
        assert!(
            matches!(&t.rows[0], Row::Ok(r) if r.at == RecordRef::new(0, Some(2)) && r.fields.get("a") == Some("1"))
        );
        assert!(
            matches!(&t.rows[1], Row::Bad(at, p) if at.line == Some(4) && p.reason.contains("1 fields"))
        );
        assert!(matches!(&t.rows[2], Row::Blank(at) if at.line == Some(5)));
        assert!(matches!(&t.rows[3], Row::Bad(at, _) if at.line == Some(6)));
        assert!(
            matches!(&t.rows[4], Row::Ok(r) if r.at.line == Some(7) && r.fields.get("a") == Some("x\ny"))
        );
        assert_eq!(t.rows.len(), 5);
        assert!(matches!(
            read_table("t", "a,a\n1,2\n"),
            Err(IngestError::CsvHeader { .. })
        ));
        assert!(matches!(
            read_table("t", ""),
            Err(IngestError::CsvHeader { .. })
        ));
    }

    #[test]
    fn features_become_rows() {
        let rows = read_features(
            "t.geojson",
            r#"{"type":"FeatureCollection","features":[
                {"type":"Feature","id":7,"properties":{"name":"A","n":3.0,"s":["bed","food"]},"geometry":{"type":"Point","coordinates":[-90,15]}},
                {"type":"Feature","properties":null,"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}},
                {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":["x",1]}},
                3
            ]}"#,
        )
        .unwrap();
        let Row::Ok(a) = &rows[0] else { panic!() };
        assert_eq!(
            (a.fields.get("id"), a.fields.get("n"), a.fields.get("s")),
            (Some("7"), Some("3"), Some("bed;food"))
        );
        assert_eq!(a.geometry, Some(Ok((-90.0, 15.0))));
        let Row::Ok(b) = &rows[1] else { panic!() };
        assert!(matches!(&b.geometry, Some(Err(p)) if p.reason.contains("LineString")));
        let Row::Ok(c) = &rows[2] else { panic!() };
        assert!(matches!(&c.geometry, Some(Err(_))));
        assert!(matches!(&rows[3], Row::Bad(..)));
        assert!(matches!(
            read_features("t", "[1]"),
            Err(IngestError::GeoJson { .. })
        ));
        assert!(matches!(
            read_features("t", "{\"type\":\"Point\"}"),
            Err(IngestError::GeoJson { .. })
        ));
    }
}
