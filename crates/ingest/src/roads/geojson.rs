//! GeoJSON road and rail lines: generic files with OSM-like properties, Travel Mapping
//! route/segment exports and Natural Earth railroads.

use crate::osm::tags::{self, RoadAttrs, TagStats, Tags};
use crate::{IngestError, Input, Outcome, Report};
use senda_core::{LonLat, RecordRef, RoadClass, RoadSegment, SourceKey};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The road class of a Travel Mapping (travelmapping.net) route, from its `tier` (1 most
/// important … 5 local) and `system`.
///
/// | tier | class | systems in the Mesoamerica data |
/// |---|---|---|
/// | 1 | `Motorway` | `mexd` (Mexican federal toll expressways, *autopistas de cuota*) |
/// | 2 | `Trunk` | `mexf` (Mexican federal highways), `naca` (Central American routes CA-x) |
/// | 3 | `Primary` | national routes (`gtmrn`, `slvrn`, `hndrnp`, `nicnic`, `crirp`, `pancn`), select freeways (`mexsf`, `gtmsf`, `slvsf`, `pansf`), state expressways (`mexed`) |
/// | 4 | `Secondary` | secondary national and state routes (`crirs`, `hndrns`, `mexemex`, `mexqro`, `blzar`) |
/// | 5 | `Tertiary` | city and district routes (`mexdfeje`, `mexnlm`, `crirt`, `blzd`), international bridges (`nasib`) |
///
/// `mexd` is a motorway whatever its tier. Only motorways bar people on foot by default, so
/// tier-3 freeways stay walkable: Travel Mapping does not say which of them forbid
/// pedestrians. Travel Mapping lines carry both directions: they are never oneway.
///
/// ```
/// use senda_core::RoadClass;
/// use senda_ingest::roads::tm_tier_class;
/// assert_eq!(tm_tier_class(1, "mexd"), Some(RoadClass::Motorway));
/// assert_eq!(tm_tier_class(2, "naca"), Some(RoadClass::Trunk));
/// assert_eq!(tm_tier_class(9, "x"), None);
/// ```
pub fn tm_tier_class(tier: u64, system: &str) -> Option<RoadClass> {
    if system.eq_ignore_ascii_case("mexd") {
        return Some(RoadClass::Motorway);
    }
    Some(match tier {
        1 => RoadClass::Motorway,
        2 => RoadClass::Trunk,
        3 => RoadClass::Primary,
        4 => RoadClass::Secondary,
        5 => RoadClass::Tertiary,
        _ => return None,
    })
}

/// Where a feature's source id came from (for the notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum IdFrom {
    Property,
    FeatureId,
    TravelMappingSegment,
    TravelMappingRoute,
    NaturalEarth,
    Index,
}

impl IdFrom {
    fn describe(self) -> &'static str {
        match self {
            Self::Property => "the `id` property",
            Self::FeatureId => "the feature `id`",
            Self::TravelMappingSegment => "Travel Mapping `root:from_label:to_label`",
            Self::TravelMappingRoute => "Travel Mapping `root`",
            Self::NaturalEarth => "Natural Earth `uident`",
            Self::Index => "the feature index (no id property)",
        }
    }
}

/// An id-like JSON value as text: strings (trimmed, non-empty) and numbers.
fn id_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn str_prop<'a>(props: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    props
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The id a feature names itself by, before duplicates are told apart.
fn base_id(feature: &Value, props: &Map<String, Value>, index: usize) -> (String, IdFrom) {
    if let Some(id) = id_text(props.get("id")) {
        return (id, IdFrom::Property);
    }
    if let Some(id) = id_text(feature.get("id")) {
        return (id, IdFrom::FeatureId);
    }
    if let Some(root) = str_prop(props, "root") {
        return match (str_prop(props, "from_label"), str_prop(props, "to_label")) {
            (Some(from), Some(to)) => (format!("{root}:{from}:{to}"), IdFrom::TravelMappingSegment),
            _ => (root.to_owned(), IdFrom::TravelMappingRoute),
        };
    }
    if let Some(id) = id_text(props.get("uident")) {
        return (id, IdFrom::NaturalEarth);
    }
    (index.to_string(), IdFrom::Index)
}

/// The class of a feature: `class`, else `highway`, else `railway`, else Natural Earth
/// `featurecla`, else Travel Mapping `tier` (+ `system`). `Err((field, reason))` when none
/// gives a class.
fn class_of(props: &Map<String, Value>) -> Result<RoadClass, (&'static str, String)> {
    for field in ["class", "highway", "railway"] {
        if let Some(v) = props.get(field).filter(|v| !v.is_null()) {
            let text = v.as_str().unwrap_or_default();
            return RoadClass::parse(text).ok_or_else(|| {
                (
                    field,
                    format!("{field} = {v} is not a road class senda routes on"),
                )
            });
        }
    }
    if let Some(v) = props.get("featurecla").filter(|v| !v.is_null()) {
        return match v.as_str().map(str::trim) {
            Some(f) if f.eq_ignore_ascii_case("railroad") => Ok(RoadClass::Rail),
            _ => Err(("featurecla", format!("featurecla = {v} is not a railroad"))),
        };
    }
    if let Some(v) = props.get("tier").filter(|v| !v.is_null()) {
        let tier = v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()));
        let system = str_prop(props, "system").unwrap_or_default();
        return tier.and_then(|t| tm_tier_class(t, system)).ok_or_else(|| {
            (
                "tier",
                format!("tier = {v} is not a Travel Mapping tier (1 to 5)"),
            )
        });
    }
    Err((
        "class",
        "no road class: expected a class, highway, railway, featurecla or tier property".to_owned(),
    ))
}

/// Property values as OSM-style tags (numbers as text, booleans as `yes`/`no`), so that
/// `oneway`, `maxspeed`, `access`, `foot`, `motor_vehicle`, `surface`, `bridge`, `ford`, `name`
/// and `ref` mean what they mean in OSM.
fn as_tags(props: &Map<String, Value>) -> Vec<(&str, String)> {
    props
        .iter()
        .filter_map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => (if *b { "yes" } else { "no" }).to_owned(),
                _ => return None,
            };
            Some((k.as_str(), text))
        })
        .collect()
}

/// Positions of one line. `Err` names the first bad position.
fn line_positions(coords: &Value) -> Result<Vec<LonLat>, String> {
    let arr = coords.as_array().ok_or("coordinates are not an array")?;
    arr.iter()
        .enumerate()
        .map(|(i, pos)| {
            let p = pos
                .as_array()
                .filter(|p| p.len() >= 2)
                .ok_or_else(|| format!("position {i} is not an array of two or more numbers"))?;
            match (p[0].as_f64(), p[1].as_f64()) {
                (Some(lon), Some(lat)) => {
                    LonLat::new(lon, lat).map_err(|e| format!("position {i}: {e}"))
                }
                _ => Err(format!(
                    "position {i} is not an array of two or more numbers"
                )),
            }
        })
        .collect()
}

/// One line of a feature: its part index (MultiLineString) and its positions or why not.
type LinePart = (Option<usize>, Result<Vec<LonLat>, String>);

/// The lines of a geometry: one for a LineString (no part suffix), one per part for a
/// MultiLineString (part index `k`). `Err` for other types.
fn lines_of(geometry: &Value) -> Result<Vec<LinePart>, String> {
    let kind = geometry
        .get("type")
        .and_then(Value::as_str)
        .ok_or("geometry without a type")?;
    let coords = geometry.get("coordinates");
    match kind {
        "LineString" => Ok(vec![(None, line_positions(coords.unwrap_or(&Value::Null)))]),
        "MultiLineString" => {
            let parts = coords
                .and_then(Value::as_array)
                .ok_or("MultiLineString coordinates are not an array")?;
            if parts.is_empty() {
                return Err("MultiLineString without parts".to_owned());
            }
            Ok(parts
                .iter()
                .enumerate()
                .map(|(k, part)| (Some(k), line_positions(part)))
                .collect())
        }
        other => Err(format!(
            "geometry type {other} is not a line (expected LineString or MultiLineString)"
        )),
    }
}

/// The file name without directories, `.gz` and extension: the default source of records.
fn file_stem(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let base = if base.to_ascii_lowercase().ends_with(".gz") {
        &base[..base.len() - 3]
    } else {
        base
    };
    let stem = match base.rfind('.') {
        Some(dot) if dot > 0 => &base[..dot],
        _ => base,
    };
    if stem.trim().is_empty() {
        "geojson".to_owned()
    } else {
        stem.to_owned()
    }
}

/// Reads road and rail lines from GeoJSON (a FeatureCollection, one Feature, or a bare line
/// geometry).
///
/// - LineString → one segment; MultiLineString → one segment per part, id suffix `#k` (the
///   part's index); other geometry types, missing geometry, bad positions and degenerate lines
///   (one point, all points equal, out of range) are rejected with the feature index and why.
/// - Class: `class` or `highway` or `railway` (via [`RoadClass::parse`]), Natural Earth
///   `featurecla = "Railroad"` → rail, Travel Mapping `tier` + `system` (see [`tm_tier_class`]).
///   A feature with none of them is rejected.
/// - Tags as in OSM: `oneway` (text, `true`/`false`, `1`/`-1`), `maxspeed` (else `speed_kmh`),
///   `access`, `foot`, `motor_vehicle`, `surface`, `bridge`, `ford`, `name`, `ref` (else
///   Travel Mapping `route` with its `banner`).
/// - Key: source = property `source`, else the file stem; id = property `id`, else feature
///   `id`, else Travel Mapping `root:from_label:to_label` (segments) or `root` (routes), else
///   Natural Earth `uident`, else the feature index. An id several features share becomes
///   `ID~1`, `ID~2`, … in file order (noted).
pub fn read_geojson(input: &Input) -> Result<Outcome<RoadSegment>, IngestError> {
    let (text, encoding_note) = input.text()?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| IngestError::json(&input.name, &e))?;
    let geojson_error = |reason: String| IngestError::GeoJson {
        file: input.name.clone(),
        reason,
    };
    let bare;
    let features: Vec<&Value> = match doc.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => doc
            .get("features")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                geojson_error("a FeatureCollection without a \"features\" array".to_owned())
            })?
            .iter()
            .collect(),
        Some("Feature") => vec![&doc],
        Some("LineString" | "MultiLineString") => {
            bare = serde_json::json!({ "type": "Feature", "properties": {}, "geometry": doc });
            vec![&bare]
        }
        Some(other) => {
            return Err(geojson_error(format!(
                "type {other:?} is not a FeatureCollection, Feature or line geometry"
            )))
        }
        None if doc.is_object() => {
            return Err(geojson_error(
                "an object without a \"type\" member".to_owned(),
            ))
        }
        None => {
            return Err(geojson_error(
                "the top level is not a GeoJSON object".to_owned(),
            ))
        }
    };

    let mut out = Outcome::new(Report::new(&input.name, "geojson"));
    if let Some(n) = encoding_note {
        out.report.note(n);
    }
    let stem = file_stem(&input.name);
    let no_props = Map::new();

    // Pass 1: the id each feature names itself by, to tell duplicates apart.
    let mut ids = Vec::with_capacity(features.len());
    let mut id_sources: BTreeMap<IdFrom, u64> = BTreeMap::new();
    let mut counts: HashMap<(String, String), u32> = HashMap::new();
    for (i, f) in features.iter().enumerate() {
        let props = f
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&no_props);
        let source = str_prop(props, "source").map_or_else(|| stem.clone(), str::to_owned);
        let (id, from) = base_id(f, props, i);
        *id_sources.entry(from).or_default() += 1;
        *counts.entry((source.clone(), id.clone())).or_default() += 1;
        ids.push((source, id));
    }
    let mut next_ordinal: HashMap<(String, String), u32> = HashMap::new();
    let mut shared_ids = 0u64;
    let mut shared_features = 0u64;
    for pair in &mut ids {
        let n = counts[pair];
        if n > 1 {
            let k = next_ordinal.entry(pair.clone()).or_default();
            *k += 1;
            if *k == 1 {
                shared_ids += 1;
            }
            shared_features += 1;
            pair.1 = format!("{}~{k}", pair.1);
        }
    }

    // Pass 2: the segments.
    let mut stats = TagStats::default();
    let mut classes: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut seen: HashSet<(String, String)> = HashSet::with_capacity(features.len());
    for (i, (f, (source, id))) in features.iter().zip(ids).enumerate() {
        let at = RecordRef::new(i as u64, None);
        if f.get("type").and_then(Value::as_str) != Some("Feature") {
            out.report
                .reject(at, Some(id), Some("type"), "not a GeoJSON Feature");
            continue;
        }
        let props = match f.get("properties") {
            None | Some(Value::Null) => &no_props,
            Some(Value::Object(m)) => m,
            Some(_) => {
                out.report.reject(
                    at,
                    Some(id),
                    Some("properties"),
                    "properties is not an object",
                );
                continue;
            }
        };
        let lines = match f.get("geometry").filter(|g| !g.is_null()) {
            None => Err("no geometry".to_owned()),
            Some(g) => lines_of(g),
        };
        let lines = match lines {
            Ok(l) => l,
            Err(reason) => {
                out.report.reject(at, Some(id), Some("geometry"), reason);
                continue;
            }
        };
        let class = match class_of(props) {
            Ok(c) => c,
            Err((field, reason)) => {
                out.report.reject(at, Some(id), Some(field), reason);
                continue;
            }
        };
        let tag_list = as_tags(props);
        let tags = &tag_list[..];
        let mut attrs = RoadAttrs::from_osm(class, tags, &mut stats);
        if class == RoadClass::Motorway && tags.tag("highway").is_none() {
            // Only OSM's highway=motorway implies a oneway carriageway; a motorway class from
            // another source (Travel Mapping) is a two-way centre line.
            attrs.oneway = tags
                .tag("oneway")
                .and_then(|v| senda_core::Oneway::parse(v).ok())
                .unwrap_or_default();
        }
        if attrs.maxspeed_kmh.is_none() && tags.tag("maxspeed").is_none() {
            attrs.maxspeed_kmh = tags
                .tag("speed_kmh")
                .and_then(|v| tags::checked_speed(v, &mut stats));
        }
        if attrs.route_ref.is_none() {
            attrs.route_ref = match (tags.tag("route"), tags.tag("banner")) {
                (Some(r), Some(b)) => Some(format!("{r} {b}")),
                (r, _) => r.map(str::to_owned),
            };
        }
        for (part, positions) in lines {
            let sid = match part {
                Some(k) => format!("{id}#{k}"),
                None => id.clone(),
            };
            let built = positions.and_then(|p| {
                let key =
                    SourceKey::new(source.as_str(), sid.as_str()).map_err(|e| e.to_string())?;
                attrs.segment(key, p).map_err(|e| e.to_string())
            });
            match built {
                Ok(seg) => {
                    if seen.insert((seg.key.source.clone(), seg.key.source_id.clone())) {
                        *classes.entry(seg.class.as_str()).or_default() += 1;
                        out.push(seg, at);
                    } else {
                        out.report.reject(
                            at,
                            Some(sid),
                            Some("id"),
                            "duplicate id: an earlier feature already has it",
                        );
                    }
                }
                Err(reason) => {
                    let reason = match part {
                        Some(k) => format!("part {k}: {reason}"),
                        None => reason,
                    };
                    out.report.reject(at, Some(sid), Some("geometry"), reason);
                }
            }
        }
    }

    let r = &mut out.report;
    if features.is_empty() {
        r.note("no features");
    }
    let sources: Vec<String> = id_sources
        .iter()
        .map(|(from, n)| format!("{} ×{n}", from.describe()))
        .collect();
    if !sources.is_empty() {
        r.note(format!("source ids from {}", sources.join(", ")));
    }
    if shared_ids > 0 {
        r.note(format!("{shared_ids} id(s) shared by {shared_features} features: told apart as ID~1, ID~2, … in file order"));
    }
    if !classes.is_empty() {
        let c: Vec<String> = classes.iter().map(|(k, n)| format!("{k} {n}")).collect();
        r.note(format!("classes: {}", c.join(", ")));
    }
    for n in stats.notes() {
        r.note(n);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(s: &str) -> Result<Outcome<RoadSegment>, IngestError> {
        read_geojson(&Input::from_bytes("dir/my_lines.geojson", s.as_bytes().to_vec()).unwrap())
    }

    fn fc(features: &str) -> String {
        format!(r#"{{"type":"FeatureCollection","features":[{features}]}}"#)
    }

    #[test]
    fn stems() {
        assert_eq!(file_stem("/a/b/tm_segments.geojson"), "tm_segments");
        assert_eq!(file_stem("x.geojson.gz"), "x");
        assert_eq!(file_stem("noext"), "noext");
        assert_eq!(file_stem(".hidden"), ".hidden");
        assert_eq!(file_stem(""), "geojson");
    }

    #[test]
    fn multilinestring_parts_and_bad_parts() {
        let out = read_str(&fc(r#"{"type":"Feature","id":"r1","properties":{"highway":"secondary","oneway":true,"maxspeed":60},
            "geometry":{"type":"MultiLineString","coordinates":[[[0,0],[1,1]],[[2,2]],[[3,3],[4,4],[5,5]]]}}"#))
        .unwrap();
        let ids: Vec<_> = out
            .records
            .iter()
            .map(|r| r.record.key.to_string())
            .collect();
        assert_eq!(ids, ["my_lines:r1#0", "my_lines:r1#2"]);
        let s = &out.records[0].record;
        assert_eq!(
            (s.class, s.oneway, s.maxspeed_kmh),
            (
                RoadClass::Secondary,
                senda_core::Oneway::Forward,
                Some(60.0)
            )
        );
        assert_eq!(out.report.rejected.len(), 1);
        assert_eq!(out.report.rejected[0].source_id.as_deref(), Some("r1#1"));
        assert!(out.report.rejected[0].reason.starts_with("part 1:"));
    }

    #[test]
    fn rejections_name_feature_and_reason() {
        let out = read_str(&fc(r#"
            {"type":"Feature","properties":{"class":"primary"},"geometry":{"type":"Point","coordinates":[0,0]}},
            {"type":"Feature","properties":{"class":"primary"},"geometry":null},
            {"type":"Feature","properties":{"class":"primary"},"geometry":{"type":"LineString","coordinates":[[0,0],[0,0]]}},
            {"type":"Feature","properties":{"class":"primary"},"geometry":{"type":"LineString","coordinates":[[0,0],[0,95]]}},
            {"type":"Feature","properties":{"class":"primary"},"geometry":{"type":"LineString","coordinates":[[0,0],["a",1]]}},
            {"type":"Feature","properties":{"class":"hovercraft"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}},
            {"type":"Feature","properties":{"name":"x"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}},
            {"type":"Feature","properties":{"tier":7},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}},
            {"type":"Feature","properties":{"featurecla":"River"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}},
            {"type":"Feature","properties":7,"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}},
            {"type":"Nonsense"},
            {"type":"Feature","properties":{"class":"primary"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}"#))
        .unwrap();
        assert_eq!(out.records.len(), 1);
        assert_eq!(out.records[0].at.index, 11);
        let rej = &out.report.rejected;
        assert_eq!(rej.len(), 11);
        for (i, r) in rej.iter().enumerate() {
            assert_eq!(r.at.index, i as u64);
            assert!(!r.reason.is_empty());
        }
        assert!(rej[0].reason.contains("Point"));
        assert!(rej[2].reason.contains("same point"));
        assert!(rej[3].reason.contains("lat"));
        assert_eq!(rej[5].field.as_deref(), Some("class"));
        assert_eq!(rej[7].field.as_deref(), Some("tier"));
        assert!(out.report.notes.iter().any(|n| n.contains("feature index")));
    }

    #[test]
    fn duplicate_ids_are_told_apart() {
        let f = r#"{"type":"Feature","properties":{"uident":7,"featurecla":"Railroad"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}"#;
        let g = r#"{"type":"Feature","properties":{"uident":8,"featurecla":"Railroad"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}"#;
        let out = read_str(&fc(&[f, g, f].join(","))).unwrap();
        let ids: Vec<_> = out
            .records
            .iter()
            .map(|r| r.record.key.source_id.as_str())
            .collect();
        assert_eq!(ids, ["7~1", "8", "7~2"]);
        assert!(out
            .records
            .iter()
            .all(|r| r.record.class == RoadClass::Rail));
        assert!(out
            .report
            .notes
            .iter()
            .any(|n| n.contains("1 id(s) shared by 2 features")));
    }

    #[test]
    fn travel_mapping_lines_are_two_way() {
        let out = read_str(&fc(r#"{"type":"Feature","properties":{"root":"mex.d","system":"mexd","tier":1,"route":"MEX57D","banner":"Toll","from_label":"A","to_label":"B"},
            "geometry":{"type":"LineString","coordinates":[[-99,19],[-99.1,19.1]]}}"#))
        .unwrap();
        let s = &out.records[0].record;
        assert_eq!(
            (s.class, s.oneway),
            (RoadClass::Motorway, senda_core::Oneway::No)
        );
        assert_eq!(s.route_ref.as_deref(), Some("MEX57D Toll"));
        assert_eq!(s.key.source_id, "mex.d:A:B");
    }

    #[test]
    fn top_level_shapes() {
        assert!(matches!(read_str(""), Err(IngestError::Json { .. })));
        assert!(matches!(read_str("[]"), Err(IngestError::GeoJson { .. })));
        assert!(matches!(
            read_str(r#"{"a":1}"#),
            Err(IngestError::GeoJson { .. })
        ));
        assert!(matches!(
            read_str(r#"{"type":"Topology"}"#),
            Err(IngestError::GeoJson { .. })
        ));
        assert!(matches!(
            read_str(r#"{"type":"FeatureCollection"}"#),
            Err(IngestError::GeoJson { .. })
        ));
        let out = read_str(r#"{"type":"FeatureCollection","features":[]}"#).unwrap();
        assert_eq!(out.report.records, 0);
        // A bare line without properties has no class.
        let out = read_str(r#"{"type":"LineString","coordinates":[[0,0],[1,1]]}"#).unwrap();
        assert_eq!(out.report.rejected.len(), 1);
        let out = read_str(r#"{"type":"Feature","properties":{"highway":"track","speed_kmh":"25"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}"#).unwrap();
        assert_eq!(out.records[0].record.maxspeed_kmh, Some(25.0));
    }
}
