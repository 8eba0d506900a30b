//! GeoJSON incidents: Point features with the properties documented on
//! [`crate::incidents::read_geojson`].

use super::fields::parse_date_or_time;
use super::keys::{Claim, KeyRegistry};
use crate::{IngestError, Input, Outcome, Report};
use senda_core::{
    Incident, IncidentCategory, LocationPrecision, LonLat, RecordRef, ReviewStatus, Severity,
    SourceKey, TimePrecision,
};
use serde_json::{Map, Value};

/// Why a feature was rejected: the property (or geometry member) and the reason.
struct Bad {
    field: String,
    reason: String,
    id: Option<String>,
}

fn bad(field: &str, reason: impl Into<String>) -> Bad {
    Bad {
        field: field.to_owned(),
        reason: reason.into(),
        id: None,
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn shown(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        s.chars().take(77).collect::<String>() + "..."
    } else {
        s
    }
}

pub(crate) fn read(input: &Input) -> Result<Outcome<Incident>, IngestError> {
    let (text, encoding_note) = input.text()?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| IngestError::json(&input.name, &e))?;
    let not_geojson = |reason: String| IngestError::GeoJson {
        file: input.name.clone(),
        reason,
    };
    let mut notes = Vec::new();
    let features: Vec<&Value> = match &value {
        Value::Object(o) => match o.get("type").and_then(Value::as_str) {
            Some("FeatureCollection") => match o.get("features") {
                Some(Value::Array(a)) => a.iter().collect(),
                Some(other) => {
                    return Err(not_geojson(format!(
                        "\"features\" must be an array, found {}",
                        kind(other)
                    )))
                }
                None => {
                    return Err(not_geojson(
                        "a FeatureCollection without \"features\"".into(),
                    ))
                }
            },
            Some("Feature") => {
                notes.push("a single Feature (not a FeatureCollection)".to_owned());
                vec![&value]
            }
            Some(other) => {
                return Err(not_geojson(format!(
                "expected a FeatureCollection or a Feature of Point geometry, found type {other:?}"
            )))
            }
            None => {
                return Err(not_geojson(
                    "expected a FeatureCollection or a Feature: no \"type\" member".into(),
                ))
            }
        },
        Value::Array(a) => {
            notes.push("a JSON array of features (not a FeatureCollection)".to_owned());
            a.iter().collect()
        }
        other => {
            return Err(not_geojson(format!(
                "expected a FeatureCollection or a Feature, found {}",
                kind(other)
            )))
        }
    };

    let mut out = Outcome::new(Report::new(&input.name, "geojson"));
    out.report.notes.extend(notes);
    if let Some(note) = encoding_note {
        out.report.note(note);
    }
    let stem = super::file_stem(input);
    let default_source = if stem.is_empty() {
        "geojson".to_owned()
    } else {
        stem
    };
    let mut keys = KeyRegistry::default();
    let mut by_index = 0u64;
    let mut renamed = 0u64;
    for (i, f) in features.iter().enumerate() {
        let at = RecordRef::new(i as u64, None);
        match feature(f, i, &default_source, &mut by_index) {
            Ok(mut incident) => {
                let id = std::mem::take(&mut incident.key.source_id);
                incident.key.source_id = match keys.claim(
                    &format!("{}\u{1f}{id}", incident.key.source),
                    at,
                    None,
                    &[],
                ) {
                    Claim::Unique | Claim::ExactDuplicate { .. } => id,
                    Claim::Renamed { key, first } => {
                        renamed += 1;
                        let new_id = key
                            .rsplit_once('#')
                            .map(|(_, n)| format!("{id}#{n}"))
                            .unwrap_or_else(|| key.clone());
                        out.report.flag(
                            at,
                            Some(new_id.clone()),
                            Some("id"),
                            format!(
                                "id {id:?} repeats {first} (source {:?}); kept as {new_id:?}",
                                incident.key.source
                            ),
                        );
                        new_id
                    }
                };
                out.push(incident, at);
            }
            Err(b) => out.report.reject(at, b.id, Some(&b.field), b.reason),
        }
    }
    if by_index > 0 {
        out.report.note(format!(
            "{by_index} feature(s) have no id (property or feature id): keyed by feature index"
        ));
    }
    if renamed > 0 {
        out.report.note(format!("{renamed} feature(s) repeat an earlier feature's id: kept as ID#2, ID#3, … and flagged"));
    }
    if features.is_empty() {
        out.report.note("no features");
    }
    Ok(out)
}

/// A string property: absent or null → `None`; another type → rejection.
fn string<'v>(props: &'v Map<String, Value>, name: &str) -> Result<Option<&'v str>, Bad> {
    match props.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str()).filter(|s| !s.trim().is_empty())),
        Some(other) => Err(bad(
            name,
            format!("{}: expected a string, found {}", shown(other), kind(other)),
        )),
    }
}

/// A non-negative whole number of people.
fn count(props: &Map<String, Value>, name: &str) -> Result<Option<u32>, Bad> {
    let v = match props.get(name) {
        None | Some(Value::Null) => return Ok(None),
        Some(v) => v,
    };
    let n = match v {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .map(|f| f as u64)
        }),
        _ => None,
    };
    match n {
        Some(n) => u32::try_from(n)
            .map(Some)
            .map_err(|_| bad(name, format!("{}: implausibly large", shown(v)))),
        None => Err(bad(
            name,
            format!(
                "{}: expected a non-negative whole number, found {}",
                shown(v),
                kind(v)
            ),
        )),
    }
}

/// An id: a non-empty string or a number.
fn id_value(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn feature(
    f: &Value,
    index: usize,
    default_source: &str,
    by_index: &mut u64,
) -> Result<Incident, Bad> {
    let Value::Object(f) = f else {
        return Err(bad(
            "type",
            format!("expected a Feature object, found {}", kind(f)),
        ));
    };
    match f.get("type") {
        Some(Value::String(t)) if t == "Feature" => {}
        Some(other) => {
            return Err(bad(
                "type",
                format!("{}: expected \"Feature\"", shown(other)),
            ))
        }
        None => return Err(bad("type", "missing: expected \"Feature\"")),
    }
    let empty = Map::new();
    let props = match f.get("properties") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(p)) => p,
        Some(other) => {
            return Err(bad(
                "properties",
                format!("expected an object, found {}", kind(other)),
            ))
        }
    };
    let id_raw = props.get("id");
    if id_raw.is_some_and(|v| !v.is_null() && id_value(Some(v)).is_none()) {
        let v = id_raw.unwrap_or(&Value::Null);
        return Err(bad(
            "id",
            format!(
                "{}: expected a non-empty string or a number, found {}",
                shown(v),
                kind(v)
            ),
        ));
    }
    let id = match id_value(id_raw).or_else(|| id_value(f.get("id"))) {
        Some(id) => id,
        None => {
            *by_index += 1;
            index.to_string()
        }
    };
    let with_id = |mut b: Bad| {
        b.id = Some(id.clone());
        b
    };
    let source = string(props, "source")
        .map_err(with_id)?
        .map_or_else(|| default_source.to_owned(), |s| s.trim().to_owned());

    let location = point(f).map_err(with_id)?;

    let (date_field, date_value) = match props.get("occurred_at").filter(|v| !v.is_null()) {
        Some(v) => ("occurred_at", v),
        None => match props.get("date").filter(|v| !v.is_null()) {
            Some(v) => ("date", v),
            None => {
                return Err(with_id(bad(
                    "date",
                    "missing: every feature needs a date (occurred_at or date)",
                )))
            }
        },
    };
    let Value::String(date_text) = date_value else {
        return Err(with_id(bad(
            date_field,
            format!(
                "{}: expected a date string, found {}",
                shown(date_value),
                kind(date_value)
            ),
        )));
    };
    let (occurred_at, mut time_precision) =
        parse_date_or_time(date_text).map_err(|reason| with_id(bad(date_field, reason)))?;

    let category = match string(props, "category").map_err(with_id)? {
        None => IncidentCategory::Unknown,
        Some(c) => IncidentCategory::parse(c).map_err(|_| {
            let names: Vec<&str> = IncidentCategory::ALL.iter().map(|c| c.as_str()).collect();
            with_id(bad(
                "category",
                format!(
                    "{c:?}: not a senda category; expected one of {}",
                    names.join(", ")
                ),
            ))
        })?,
    };
    let dead = count(props, "dead").map_err(with_id)?;
    let missing = count(props, "missing").map_err(with_id)?;
    let people = match count(props, "people_affected").map_err(with_id)? {
        Some(p) => p,
        None => dead.unwrap_or(0).saturating_add(missing.unwrap_or(0)),
    };
    let severity = match props.get("severity") {
        None | Some(Value::Null) => None,
        Some(v @ (Value::Number(_) | Value::String(_))) => {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some(
                Severity::parse(&text)
                    .map_err(|e| with_id(bad("severity", format!("{}: {}", shown(v), e.reason))))?,
            )
        }
        Some(other) => {
            return Err(with_id(bad(
                "severity",
                format!("expected 1..5 or a name, found {}", kind(other)),
            )))
        }
    };
    let review = match string(props, "review").map_err(with_id)? {
        None => ReviewStatus::Unverified,
        Some(r) => ReviewStatus::parse(r)
            .map_err(|e| with_id(bad("review", format!("{r:?}: {}", e.reason))))?,
    };
    let location_precision = match string(props, "location_precision").map_err(with_id)? {
        None => LocationPrecision::Unknown,
        Some(p) => LocationPrecision::parse(p)
            .map_err(|e| with_id(bad("location_precision", format!("{p:?}: {}", e.reason))))?,
    };
    if let Some(p) = string(props, "time_precision").map_err(with_id)? {
        time_precision = TimePrecision::parse(p)
            .map_err(|e| with_id(bad("time_precision", format!("{p:?}: {}", e.reason))))?;
    }
    let description = string(props, "description")
        .map_err(with_id)?
        .map(|s| s.trim().to_owned());
    let country = string(props, "country")
        .map_err(with_id)?
        .map(|s| s.trim().to_owned());

    let key =
        SourceKey::new(source, id.clone()).map_err(|e| with_id(bad("source", e.to_string())))?;
    let mut incident = Incident::new(key, location, occurred_at, category, people)
        .map_err(|e| with_id(bad("people_affected", e.to_string())))?;
    if let Some(s) = severity {
        incident.severity = s;
    }
    incident.location_precision = location_precision;
    incident.time_precision = time_precision;
    incident.source_category = props
        .get("category")
        .and_then(Value::as_str)
        .map(str::to_owned);
    incident.dead = dead;
    incident.missing = missing;
    incident.review = review;
    incident.country = country;
    incident.description = description;
    Ok(incident)
}

fn point(f: &Map<String, Value>) -> Result<LonLat, Bad> {
    let geometry = match f.get("geometry") {
        None | Some(Value::Null) => {
            return Err(bad(
                "geometry",
                "missing: every feature needs a Point geometry",
            ))
        }
        Some(Value::Object(g)) => g,
        Some(other) => {
            return Err(bad(
                "geometry",
                format!("expected an object, found {}", kind(other)),
            ))
        }
    };
    match geometry.get("type") {
        Some(Value::String(t)) if t == "Point" => {}
        Some(Value::String(t)) => {
            return Err(bad(
                "geometry.type",
                format!("{t:?}: only Point geometries are incidents"),
            ))
        }
        Some(other) => {
            return Err(bad(
                "geometry.type",
                format!("{}: expected \"Point\"", shown(other)),
            ))
        }
        None => return Err(bad("geometry.type", "missing: expected \"Point\"")),
    }
    let coords = match geometry.get("coordinates") {
        Some(Value::Array(c)) => c,
        Some(other) => {
            return Err(bad(
                "geometry.coordinates",
                format!(
                    "{}: expected [lon, lat], found {}",
                    shown(other),
                    kind(other)
                ),
            ))
        }
        None => return Err(bad("geometry.coordinates", "missing: expected [lon, lat]")),
    };
    let shown_coords = || shown(&Value::Array(coords.clone()));
    if coords.len() < 2 {
        return Err(bad(
            "geometry.coordinates",
            format!("{}: expected [lon, lat]", shown_coords()),
        ));
    }
    let number = |i: usize, axis: &str| -> Result<f64, Bad> {
        match coords.get(i) {
            Some(Value::Number(n)) => n.as_f64().ok_or_else(|| {
                bad(
                    "geometry.coordinates",
                    format!("{axis} {n} is not a finite number"),
                )
            }),
            Some(other) => Err(bad(
                "geometry.coordinates",
                format!(
                    "{}: {axis} must be a number, found {}",
                    shown_coords(),
                    kind(other)
                ),
            )),
            None => Err(bad(
                "geometry.coordinates",
                format!("{}: no {axis}", shown_coords()),
            )),
        }
    };
    let lon = number(0, "longitude")?;
    let lat = number(1, "latitude")?;
    LonLat::new(lon, lat)
        .map_err(|e| bad("geometry.coordinates", format!("{}: {e}", shown_coords())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(json: &str) -> Result<Outcome<Incident>, IngestError> {
        read(&Input::from_bytes("t.geojson", json.as_bytes().to_vec()).unwrap())
    }

    fn feat(geometry: &str, props: &str) -> String {
        format!(r#"{{"type":"Feature","geometry":{geometry},"properties":{props}}}"#)
    }

    const P: &str = r#"{"type":"Point","coordinates":[-92.27,14.9]}"#;

    #[test]
    fn each_bad_feature_names_its_property() {
        let cases = [
            (feat(P, r#"{}"#), "date"),
            (feat(P, r#"{"date":"2024-13-01"}"#), "date"),
            (feat(P, r#"{"occurred_at":5}"#), "occurred_at"),
            (feat("null", r#"{"date":"2024-01-01"}"#), "geometry"),
            (
                feat(
                    r#"{"type":"Polygon","coordinates":[]}"#,
                    r#"{"date":"2024-01-01"}"#,
                ),
                "geometry.type",
            ),
            (
                feat(
                    r#"{"type":"Point","coordinates":[-92.27]}"#,
                    r#"{"date":"2024-01-01"}"#,
                ),
                "geometry.coordinates",
            ),
            (
                feat(
                    r#"{"type":"Point","coordinates":["NaN",14]}"#,
                    r#"{"date":"2024-01-01"}"#,
                ),
                "geometry.coordinates",
            ),
            (
                feat(
                    r#"{"type":"Point","coordinates":[14.9,-92.27]}"#,
                    r#"{"date":"2024-01-01"}"#,
                ),
                "geometry.coordinates",
            ),
            (
                feat(P, r#"{"date":"2024-01-01","category":"alien"}"#),
                "category",
            ),
            (feat(P, r#"{"date":"2024-01-01","severity":9}"#), "severity"),
            (feat(P, r#"{"date":"2024-01-01","dead":-1}"#), "dead"),
            (feat(P, r#"{"date":"2024-01-01","missing":"3"}"#), "missing"),
            (
                feat(P, r#"{"date":"2024-01-01","people_affected":1.5}"#),
                "people_affected",
            ),
            (
                feat(P, r#"{"date":"2024-01-01","people_affected":200000}"#),
                "people_affected",
            ),
            (
                feat(P, r#"{"date":"2024-01-01","review":"maybe"}"#),
                "review",
            ),
            (feat(P, r#"{"date":"2024-01-01","id":[1]}"#), "id"),
            (r#"{"type":"Point","coordinates":[0,0]}"#.to_owned(), "type"),
            ("7".to_owned(), "type"),
        ];
        for (f, field) in cases {
            let out = run(&format!(
                r#"{{"type":"FeatureCollection","features":[{f}]}}"#
            ))
            .unwrap();
            assert_eq!(out.records.len(), 0, "{f}");
            let r = &out.report.rejected[0];
            assert_eq!(r.field.as_deref(), Some(field), "{f}: {r:?}");
            assert_eq!(r.at.index, 0);
            assert!(!r.reason.is_empty());
        }
    }

    #[test]
    fn full_feature() {
        let f = feat(
            P,
            r#"{"id":7,"source":"monitor","occurred_at":"2024-01-15T08:30:00-06:00","category":"train_accident",
                "severity":"critical","dead":1,"missing":2,"review":"verified","location_precision":"area",
                "description":"fell from La Bestia","country":"MX"}"#,
        );
        let out = run(&f).unwrap();
        let i = &out.records[0].record;
        assert_eq!(i.key.to_string(), "monitor:7");
        assert_eq!(i.occurred_at.to_rfc3339(), "2024-01-15T14:30:00+00:00");
        assert_eq!(i.time_precision, TimePrecision::Exact);
        assert_eq!(
            (i.category, i.severity, i.people_affected),
            (IncidentCategory::TrainAccident, Severity::Critical, 3)
        );
        assert_eq!(
            (i.review, i.location_precision),
            (ReviewStatus::Verified, LocationPrecision::Area)
        );
        assert_eq!(i.country.as_deref(), Some("MX"));
        assert!(out.report.notes[0].contains("single Feature"));
    }

    #[test]
    fn ids_default_and_repeat() {
        let a = feat(P, r#"{"date":"2024-01-01"}"#);
        let b = format!(
            r#"{{"type":"Feature","id":"f1","geometry":{P},"properties":{{"date":"2024-01-01"}}}}"#
        );
        let out = run(&format!("[{a},{b},{b}]")).unwrap();
        let keys: Vec<String> = out
            .records
            .iter()
            .map(|r| r.record.key.to_string())
            .collect();
        assert_eq!(keys, ["t:0", "t:f1", "t:f1#2"]);
        assert_eq!(out.report.flagged.len(), 1);
        assert!(out.report.notes.iter().any(|n| n.contains("feature index")));
    }

    #[test]
    fn whole_file_errors() {
        assert!(matches!(run("{"), Err(IngestError::Json { .. })));
        assert!(matches!(
            run(r#"{"type":"Topology"}"#),
            Err(IngestError::GeoJson { .. })
        ));
        assert!(matches!(
            run(r#"{"type":"FeatureCollection","features":{}}"#),
            Err(IngestError::GeoJson { .. })
        ));
        assert!(matches!(run("3"), Err(IngestError::GeoJson { .. })));
        // serde_json refuses numbers beyond f64 (there is no NaN or infinity in JSON)
        assert!(matches!(
            run(&feat(r#"{"type":"Point","coordinates":[1e400,0]}"#, "{}")),
            Err(IngestError::Json { .. })
        ));
        let out = run(r#"{"type":"FeatureCollection","features":[]}"#).unwrap();
        assert_eq!(out.report.records, 0);
    }
}
