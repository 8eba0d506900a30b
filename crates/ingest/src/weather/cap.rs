//! One `<alert>` tree → a validated [`WeatherAlert`], or every reason it cannot be loaded.

use super::geometry::{parse_circle, parse_datetime, parse_polygon, quote};
use super::tree::{AlertTree, Node, Tag};
use chrono::{DateTime, Utc};
use senda_core::{
    AlertArea, AlertText, CapCertainty, CapSeverity, CapUrgency, Circle, InvalidValue, LonLat,
    SourceKey, WeatherAlert,
};

/// The namespace of CAP 1.2.
pub(crate) const CAP12: &str = "urn:oasis:names:tc:emergency:cap:1.2";

/// The namespaces of CAP 1.2, 1.1 and 1.0.
pub(crate) const CAP_NAMESPACES: [&str; 3] = [
    CAP12,
    "urn:oasis:names:tc:emergency:cap:1.1",
    "http://www.incident.com/cap/1.0",
];

/// CAP's language when `<language>` is absent.
const DEFAULT_LANGUAGE: &str = "en-US";

const STATUS: [&str; 5] = ["Actual", "Exercise", "System", "Test", "Draft"];
const MSG_TYPE: [&str; 5] = ["Alert", "Update", "Cancel", "Ack", "Error"];
const SCOPE: [&str; 3] = ["Public", "Restricted", "Private"];

/// One problem with an alert: the CAP element at fault and a sentence for a data person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub field: &'static str,
    pub reason: String,
}

impl Problem {
    fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}

/// An alert that loaded, with the things a reviewer should know about it.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub alert: WeatherAlert,
    pub flags: Vec<Problem>,
}

/// An alert that cannot be loaded: its identifier when it had one, and every problem found.
#[derive(Debug)]
pub(crate) struct Rejected {
    pub source_id: Option<String>,
    pub problems: Vec<Problem>,
}

impl Rejected {
    /// The element of the first problem.
    pub fn field(&self) -> &'static str {
        self.problems.first().map_or("alert", |p| p.field)
    }

    /// All problems, in document order, as one sentence list.
    pub fn reason(&self) -> String {
        let reasons: Vec<&str> = self.problems.iter().map(|p| p.reason.as_str()).collect();
        reasons.join("; ")
    }
}

/// Whether `namespace` is one of CAP's.
pub(crate) fn is_cap_namespace(namespace: Option<&str>) -> bool {
    namespace.is_some_and(|ns| CAP_NAMESPACES.contains(&ns))
}

/// Whether the tree has any of the elements every CAP alert has; an `<alert>` of a foreign
/// namespace without them is not CAP at all.
pub(crate) fn looks_like_cap(tree: &AlertTree) -> bool {
    [Tag::Identifier, Tag::Sender, Tag::Sent, Tag::Info]
        .iter()
        .any(|t| tree.root.child(*t).is_some())
}

/// Converts one alert. Every problem is collected (not just the first) so that one pass over
/// the report is enough to fix an alert.
pub(crate) fn convert(tree: &AlertTree) -> Result<Loaded, Rejected> {
    let root = &tree.root;
    let mut problems = Vec::new();

    let identifier = required(root, Tag::Identifier, "identifier", &mut problems);
    let sender = required(root, Tag::Sender, "sender", &mut problems);
    let sent = required(root, Tag::Sent, "sent", &mut problems).and_then(|s| {
        parse_datetime(s)
            .map_err(|why| problems.push(Problem::new("sent", format!("<sent> {why}"))))
            .ok()
    });
    let status = required(root, Tag::Status, "status", &mut problems)
        .and_then(|s| one_of(s, "status", &STATUS, &mut problems));
    let msg_type = required(root, Tag::MsgType, "msgType", &mut problems)
        .and_then(|s| one_of(s, "msgType", &MSG_TYPE, &mut problems));
    if let Some(scope) = required(root, Tag::Scope, "scope", &mut problems) {
        one_of(scope, "scope", &SCOPE, &mut problems);
    }
    check_references(root, &mut problems);

    let infos: Vec<&Node> = root.all(Tag::Info).collect();
    let many = infos.len() > 1;
    let mut folded = Folded::default();
    for (i, info) in infos.iter().enumerate() {
        let at = if many {
            format!(" in <info> #{}", i + 1)
        } else {
            String::new()
        };
        read_info(info, &at, &mut folded, &mut problems);
    }
    let mut flags = std::mem::take(&mut folded.flags);
    for element in &folded.disagree {
        flags.push(Problem::new(
            element,
            format!("the <info> blocks give different <{element}> times; the first one's is used"),
        ));
    }
    for (n, area) in &folded.closed_rings {
        flags.push(Problem::new(
            "polygon",
            format!(
                "<polygon> #{n} of {area} was not closed (its last point differs from the first); closed by repeating the first point"
            ),
        ));
    }

    let key = match (sender, identifier) {
        (Some(s), Some(id)) => SourceKey::new(s, id)
            .map_err(|e| problems.push(Problem::new(e.field, e.to_string())))
            .ok(),
        _ => None,
    };
    let source_id = identifier.filter(|s| !s.is_empty()).map(str::to_owned);
    let hint = folded.no_geometry_hint();
    let bad_shapes = folded.bad_shapes;
    // The alert is built even when some required values are missing, so that `validate`'s
    // problems (no geometry, expiry before start) are reported together with the others.
    // A missing <sent> stands in as the earliest time: it can never make the window look
    // inverted.
    let alert = WeatherAlert {
        key: key.clone().unwrap_or(SourceKey {
            source: String::new(),
            source_id: String::new(),
        }),
        sent: sent.unwrap_or(DateTime::<Utc>::MIN_UTC),
        status: status.unwrap_or_default().to_owned(),
        msg_type: msg_type.unwrap_or_default().to_owned(),
        categories: folded.categories,
        severity: folded.severity,
        urgency: folded.urgency,
        certainty: folded.certainty,
        effective: folded.effective,
        onset: folded.onset,
        expires: folded.expires,
        texts: folded.texts,
        areas: folded.areas,
    };
    // "No geometry" is only news when no polygon or circle was refused above.
    if let Err(e) = alert.validate().or_else(|e| {
        if e.field == "area" && bad_shapes > 0 {
            Ok(())
        } else {
            Err(e)
        }
    }) {
        let mut reason = if e.value.is_empty() {
            e.reason.to_owned()
        } else {
            e.to_string()
        };
        if e.field == "info" && msg_type == Some("Cancel") {
            reason.push_str(" (this is a Cancel message without one: nothing to place on the map)");
        }
        if e.field == "area" {
            reason.push_str(&hint);
        }
        problems.push(Problem::new(e.field, reason));
    }
    let namespace_note = namespace_problem(tree.namespace.as_deref());
    if !problems.is_empty()
        || key.is_none()
        || sent.is_none()
        || status.is_none()
        || msg_type.is_none()
    {
        problems.extend(namespace_note);
        return Err(Rejected {
            source_id,
            problems,
        });
    }
    flags.extend(namespace_note);
    Ok(Loaded { alert, flags })
}

/// A note that the alert's namespace is not CAP's (or missing).
fn namespace_problem(namespace: Option<&str>) -> Option<Problem> {
    if is_cap_namespace(namespace) {
        return None;
    }
    Some(Problem::new(
        "xmlns",
        match namespace {
            Some(ns) => format!(
                "the <alert> namespace {} is not CAP's ({}); read as CAP by its structure",
                quote(ns),
                CAP12
            ),
            None => format!(
                "the <alert> has no XML namespace (CAP's is {}); read as CAP by its structure",
                CAP12
            ),
        },
    ))
}

/// The trimmed text of a required child; a problem when it is missing or empty.
fn required<'t>(
    node: &'t Node,
    tag: Tag,
    name: &'static str,
    problems: &mut Vec<Problem>,
) -> Option<&'t str> {
    match node.text_of(tag) {
        None => {
            problems.push(Problem::new(name, format!("missing required <{name}>")));
            None
        }
        Some("") => {
            problems.push(Problem::new(name, format!("<{name}> is empty")));
            None
        }
        Some(text) => Some(text),
    }
}

/// The canonical spelling of `value` among `allowed` (compared case-insensitively).
fn one_of(
    value: &str,
    name: &'static str,
    allowed: &[&'static str],
    problems: &mut Vec<Problem>,
) -> Option<&'static str> {
    let found = allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(value))
        .copied();
    if found.is_none() {
        problems.push(Problem::new(
            name,
            format!(
                "<{name}> {} is not one of {}",
                quote(value),
                allowed.join("|")
            ),
        ));
    }
    found
}

/// `<references>`, when present, must hold whitespace-separated `sender,identifier,sent`
/// triples. An empty one is a CAP error (it must then be left out).
fn check_references(root: &Node, problems: &mut Vec<Problem>) {
    let Some(text) = root.text_of(Tag::References) else {
        return;
    };
    if text.is_empty() {
        problems.push(Problem::new(
            "references",
            "<references> is empty: it must list the messages referred to as \"sender,identifier,sent\" (or be left out)",
        ));
        return;
    }
    for reference in text.split_ascii_whitespace() {
        let parts: Vec<&str> = reference.split(',').collect();
        if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) {
            problems.push(Problem::new(
                "references",
                format!(
                    "<references> entry {} is not \"sender,identifier,sent\"",
                    quote(reference)
                ),
            ));
            return;
        }
    }
}

/// What the `<info>` blocks of one alert fold into.
#[derive(Debug, Default)]
struct Folded {
    texts: Vec<AlertText>,
    categories: Vec<String>,
    severity: CapSeverity,
    urgency: CapUrgency,
    certainty: CapCertainty,
    effective: Option<DateTime<Utc>>,
    onset: Option<DateTime<Utc>>,
    expires: Option<DateTime<Utc>>,
    /// Time elements on which two infos disagree.
    disagree: Vec<&'static str>,
    areas: Vec<AlertArea>,
    /// `area_key` → indices into `areas`.
    area_index: std::collections::HashMap<u64, Vec<usize>>,
    /// (polygon number, where) of rings we closed.
    closed_rings: Vec<(usize, String)>,
    /// Things to flag on the alert if it loads.
    flags: Vec<Problem>,
    area_count: usize,
    /// Polygons and circles refused (already reported).
    bad_shapes: usize,
    geocode_count: usize,
    empty_shapes: usize,
}

impl Folded {
    /// Why no area has geometry, in the terms of the source.
    fn no_geometry_hint(&self) -> String {
        if self.area_count == 0 {
            " (the alert has no <area>)".to_owned()
        } else if self.empty_shapes > 0 {
            format!(
                " ({} empty <polygon>/<circle> element(s) were ignored)",
                self.empty_shapes
            )
        } else if self.geocode_count > 0 {
            " (its <area>s have only <geocode>s, which senda cannot map)".to_owned()
        } else {
            " (its <area>s have only an <areaDesc>)".to_owned()
        }
    }

    /// Keeps the first value of a time element and notes a disagreement.
    fn time(
        slot: &mut Option<DateTime<Utc>>,
        value: DateTime<Utc>,
        name: &'static str,
        disagree: &mut Vec<&'static str>,
    ) {
        match slot {
            None => *slot = Some(value),
            Some(first) if *first != value && !disagree.contains(&name) => disagree.push(name),
            Some(_) => {}
        }
    }

    /// Adds an area, merging it into an earlier one with the same geometry (the same area
    /// described in another language): the descriptions are joined with " / ".
    fn add_area(&mut self, area: AlertArea) {
        let key = area_key(&area);
        let candidates = self.area_index.entry(key).or_default();
        let same = candidates.iter().copied().find(|&i| {
            self.areas.get(i).is_some_and(|a| {
                if area.has_geometry() {
                    a.polygons == area.polygons && a.circles == area.circles
                } else {
                    !a.has_geometry() && a.description == area.description
                }
            })
        });
        match same.and_then(|i| self.areas.get_mut(i)) {
            Some(earlier) => {
                if !area.description.is_empty()
                    && !earlier
                        .description
                        .split(" / ")
                        .any(|d| d == area.description)
                {
                    if !earlier.description.is_empty() {
                        earlier.description.push_str(" / ");
                    }
                    earlier.description.push_str(&area.description);
                }
            }
            None => {
                candidates.push(self.areas.len());
                self.areas.push(area);
            }
        }
    }
}

/// A hash of what makes two areas "the same": their geometry, or, without geometry, their
/// description. Equal areas have equal keys (`-0.0` and `0.0` aside, which merely stay apart).
fn area_key(area: &AlertArea) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    if area.has_geometry() {
        for ring in &area.polygons {
            ring.len().hash(&mut h);
            for p in ring {
                (p.lon().to_bits(), p.lat().to_bits()).hash(&mut h);
            }
        }
        u64::MAX.hash(&mut h);
        for c in &area.circles {
            (
                c.center.lon().to_bits(),
                c.center.lat().to_bits(),
                c.radius_km.to_bits(),
            )
                .hash(&mut h);
        }
    } else {
        area.description.hash(&mut h);
    }
    h.finish()
}

fn read_info(info: &Node, at: &str, folded: &mut Folded, problems: &mut Vec<Problem>) {
    let language = info
        .text_of(Tag::Language)
        .filter(|l| !l.is_empty())
        .unwrap_or(DEFAULT_LANGUAGE);
    let categories: Vec<&str> = info
        .all(Tag::Category)
        .map(|c| c.text.trim())
        .filter(|c| !c.is_empty())
        .collect();
    if categories.is_empty() {
        problems.push(Problem::new(
            "category",
            format!("missing required <category>{at}"),
        ));
    }
    for c in categories {
        if !folded.categories.iter().any(|k| k == c) {
            folded.categories.push(c.to_owned());
        }
    }
    let event = required_in(info, Tag::Event, "event", at, problems);
    if let Some(v) = enum_in(
        info,
        Tag::Urgency,
        "urgency",
        at,
        problems,
        CapUrgency::parse,
    ) {
        folded.urgency = folded.urgency.max(v);
    }
    if let Some(v) = enum_in(
        info,
        Tag::Severity,
        "severity",
        at,
        problems,
        CapSeverity::parse,
    ) {
        folded.severity = folded.severity.max(v);
    }
    if let Some(v) = enum_in(
        info,
        Tag::Certainty,
        "certainty",
        at,
        problems,
        CapCertainty::parse,
    ) {
        folded.certainty = folded.certainty.max(v);
    }
    for (tag, name) in [
        (Tag::Effective, "effective"),
        (Tag::Onset, "onset"),
        (Tag::Expires, "expires"),
    ] {
        // An empty optional date is read as absent.
        let Some(text) = info.text_of(tag).filter(|t| !t.is_empty()) else {
            continue;
        };
        match parse_datetime(text) {
            Ok(t) => {
                let slot = match tag {
                    Tag::Effective => &mut folded.effective,
                    Tag::Onset => &mut folded.onset,
                    _ => &mut folded.expires,
                };
                Folded::time(slot, t, name, &mut folded.disagree);
            }
            Err(why) => problems.push(Problem::new(name, format!("<{name}>{at} {why}"))),
        }
    }
    let optional = |tag| {
        info.text_of(tag)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    if let Some(event) = event {
        let text = AlertText {
            language: language.to_owned(),
            event: event.to_owned(),
            headline: optional(Tag::Headline),
            description: optional(Tag::Description),
            instruction: optional(Tag::Instruction),
        };
        if !folded.texts.contains(&text) {
            folded.texts.push(text);
        }
    }
    for (a, area) in info.all(Tag::Area).enumerate() {
        folded.area_count += 1;
        read_area(area, &format!("<area> #{}{at}", a + 1), folded, problems);
    }
}

fn read_area(area: &Node, at: &str, folded: &mut Folded, problems: &mut Vec<Problem>) {
    // CAP requires <areaDesc>, but a hazard polygon without its label is still worth showing
    // (the SMN feed has five alerts with an empty one): flag, do not reject.
    let description = match area.text_of(Tag::AreaDesc) {
        Some(d) if !d.is_empty() => d.to_owned(),
        missing => {
            let what = if missing.is_none() {
                "missing"
            } else {
                "empty"
            };
            folded.flags.push(Problem::new(
                "areaDesc",
                format!("<areaDesc> of {at} is {what}: the area has no description"),
            ));
            String::new()
        }
    };
    let mut polygons: Vec<Vec<LonLat>> = Vec::new();
    let mut circles: Vec<Circle> = Vec::new();
    let mut ok = true;
    for (p, polygon) in area.all(Tag::Polygon).enumerate() {
        match parse_polygon(&polygon.text) {
            Ok(Some(ring)) => {
                if ring.closed_here {
                    folded.closed_rings.push((p + 1, at.to_owned()));
                }
                polygons.push(ring.points);
            }
            Ok(None) => folded.empty_shapes += 1,
            Err(why) => {
                ok = false;
                folded.bad_shapes += 1;
                problems.push(Problem::new(
                    "polygon",
                    format!("<polygon> #{} of {at}: {why}", p + 1),
                ));
            }
        }
    }
    for (c, circle) in area.all(Tag::Circle).enumerate() {
        match parse_circle(&circle.text) {
            Ok(Some(circle)) => circles.push(circle),
            Ok(None) => folded.empty_shapes += 1,
            Err(why) => {
                ok = false;
                folded.bad_shapes += 1;
                problems.push(Problem::new(
                    "circle",
                    format!("<circle> #{} of {at}: {why}", c + 1),
                ));
            }
        }
    }
    folded.geocode_count += area.all(Tag::Geocode).count();
    if !ok {
        return;
    }
    match AlertArea::new(description, polygons, circles) {
        Ok(area) => folded.add_area(area),
        // parse_polygon already guarantees closed rings of four or more positions.
        Err(e) => problems.push(Problem::new("polygon", format!("{at}: {e}"))),
    }
}

fn required_in<'t>(
    node: &'t Node,
    tag: Tag,
    name: &'static str,
    at: &str,
    problems: &mut Vec<Problem>,
) -> Option<&'t str> {
    match node.text_of(tag) {
        None => {
            problems.push(Problem::new(name, format!("missing required <{name}>{at}")));
            None
        }
        Some("") => {
            problems.push(Problem::new(name, format!("<{name}>{at} is empty")));
            None
        }
        Some(text) => Some(text),
    }
}

fn enum_in<T>(
    node: &Node,
    tag: Tag,
    name: &'static str,
    at: &str,
    problems: &mut Vec<Problem>,
    parse: fn(&str) -> Result<T, InvalidValue>,
) -> Option<T> {
    let text = match node.text_of(tag) {
        None => {
            problems.push(Problem::new(name, format!("missing required <{name}>{at}")));
            return None;
        }
        Some(text) => text,
    };
    match parse(text) {
        Err(e) if text.is_empty() => {
            problems.push(Problem::new(
                name,
                format!("<{name}>{at} is empty: {}", e.reason),
            ));
            None
        }
        Ok(v) => Some(v),
        Err(e) => {
            problems.push(Problem::new(
                name,
                format!("<{name}>{at} {}: {}", quote(text), e.reason),
            ));
            None
        }
    }
}
