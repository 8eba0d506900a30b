//! CAP 1.2 weather alerts: one `<alert>` document, or an Atom (or RSS) feed of them such as
//! Mexico's SMN feed, into validated [`WeatherAlert`]s.
//!
//! ```
//! use senda_ingest::{weather, Input};
//! let cap = r#"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
//!   <identifier>avisossmn-28</identifier><sender>smn.cna.gob.mx</sender>
//!   <sent>2014-12-02T22:00:00-05:00</sent><status>Actual</status><msgType>Alert</msgType>
//!   <scope>Public</scope>
//!   <info><language>es-419</language><category>Met</category><event>Frente Frío</event>
//!     <urgency>Expected</urgency><severity>Severe</severity><certainty>Likely</certainty>
//!     <expires>2014-12-03T10:00:00-05:00</expires>
//!     <area><areaDesc>Ver.</areaDesc>
//!       <polygon>18.52,-95.29 16.34,-95.38 16.13,-93.62 18.52,-95.29</polygon></area>
//!   </info></alert>"#;
//! let out = weather::read_cap(&Input::from_bytes("alert.cap", cap.as_bytes().to_vec()).unwrap()).unwrap();
//! assert_eq!(out.report.format, "cap-alert");
//! let alert = &out.records[0].record;
//! let first = alert.areas[0].polygons[0][0]; // CAP writes "lat,lon": turned into (lon, lat)
//! assert_eq!((first.lon(), first.lat()), (-95.29, 18.52));
//! assert_eq!(alert.sent.to_rfc3339(), "2014-12-03T03:00:00+00:00");
//! ```
//!
//! # What is read, and the decisions taken
//!
//! - **Documents.** A root `<alert>` is one record (`format = "cap-alert"`). A root `<feed>`
//!   (Atom, `cap-atom`) or `<rss>`/`<RDF>` (`cap-rss`) is a feed: each `<entry>`/`<item>` is one
//!   record whose index is the entry's index; its `<alert>` may sit at any depth in the entry
//!   (normally in `<content>`); an entry holding several gives several records with the same
//!   index. An entry without an `<alert>` is rejected (field `content`).
//!   Each record's line is the line of its `<alert>` start tag. Any other root, a file that is
//!   not XML, ill-formed XML and a truncated document are an [`IngestError`] with the byte
//!   position and line (positions count in the decoded UTF-8 text; they equal file offsets for
//!   UTF-8 files); one ill-formed spot anywhere makes the whole file an error. The feed is
//!   read with a streaming reader; only one alert at a time is held, as a small tree of the
//!   CAP elements senda uses.
//! - **Namespaces.** CAP 1.2, 1.1 and 1.0 are read by the same rules (they share every element
//!   used here). An `<alert>` with no namespace or a foreign one is read by its structure and
//!   the report says so: a file note, plus a flag (`xmlns`) on each such alert loaded, or a
//!   clause in its rejection. A foreign-namespace `<alert>` with none of `<identifier>`,
//!   `<sender>`, `<sent>`, `<info>` is not CAP: an error for a single document, a rejection in
//!   a feed. Prefixed child elements of another namespace (extensions, an XML signature) are
//!   ignored; unprefixed children are read as CAP whatever default namespace they fall into.
//! - **Required elements** (CAP 1.2 §3.2) are enforced, each missing or empty one named in the
//!   rejection: `identifier`, `sender`, `sent`, `status`, `msgType`, `scope`; per `<info>`:
//!   `category`, `event`, `urgency`, `severity`, `certainty`. `status`, `msgType` and `scope`
//!   must be one of CAP's values (matched without regard to case, stored as CAP spells them).
//!   A missing or empty `<areaDesc>` is only flagged: the SMN feed has five alerts with an
//!   empty one, and a hazard polygon without a label is still worth showing. An empty
//!   `<references/>` (CAP forbids it) or an entry that is not `sender,identifier,sent` is a
//!   rejection. All problems of an alert are listed in one rejection (field = the first).
//! - **Several `<info>` blocks** fold into one alert: one [`senda_core::AlertText`] per info
//!   (language, default `en-US`; identical texts once); categories united; the maximum
//!   severity, urgency and certainty; `effective`, `onset` and `expires` each from the FIRST
//!   info that has it (flagged when later infos give another time); areas merged, an area with
//!   the same geometry as an earlier one (the same area in another language) kept once with its
//!   descriptions joined by `" / "`.
//! - **Geometry.** `<polygon>` is "lat,lon lat,lon ..." (the reverse of GeoJSON) and becomes
//!   [`senda_core::LonLat`] rings. Every pair must be two numbers, finite and in range, else the
//!   alert is rejected naming the polygon, area and the bad pair. A ring that is not closed is
//!   closed by repeating its first point and the alert is flagged (`polygon`), not rejected: the
//!   intent is plain. A ring needs at least four positions after closing. `<circle>` is
//!   "lat,lon radius_km". Empty `<polygon/>`/`<circle/>` are ignored. An alert whose areas
//!   together cover more than the risk model's default `max_alert_area_km2` (3 million km²,
//!   [`WeatherAlert::area_km2`]) is rejected (field `area`): a polygon around the globe or a
//!   continent is not a warning. So is one whose sender's address ends in a corridor
//!   country's code (`smn.cna.gob.mx`: Mexico) when no point of its areas comes within
//!   [`FAR_FROM_SENDER_KM`] of that country. An alert with no polygon or circle at all (only `<geocode>`s) is rejected with [`WeatherAlert::validate`]'s reason,
//!   as is an alert without `<info>` or one that expires before it starts.
//! - **Times** are RFC 3339 with an offset (`2014-12-02T22:00:00-05:00`; CAP's `-00:00` and
//!   `Z` accepted), stored in UTC. A missing or malformed `<sent>`, or a malformed
//!   `<effective>`/`<onset>`/`<expires>`, rejects the alert naming the element; an empty
//!   optional time counts as absent.
//! - `source` = `<sender>`, `source_id` = `<identifier>`; a second alert in the same file with
//!   the same pair is flagged (`identifier`): the later one will replace the earlier.

mod cap;
mod geometry;
mod tree;

use crate::{IngestError, Input, Outcome, Report};
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::NsReader;
use senda_core::{RecordRef, SourceKey, WeatherAlert};
use std::collections::{BTreeMap, HashMap};

/// `Report::format` of a single `<alert>` document.
pub const FORMAT_ALERT: &str = "cap-alert";
/// `Report::format` of an Atom feed of alerts.
pub const FORMAT_ATOM: &str = "cap-atom";
/// `Report::format` of an RSS feed of alerts.
pub const FORMAT_RSS: &str = "cap-rss";

/// Reads a CAP document (alert, Atom or RSS feed); the same as [`read_cap`], the name the
/// other readers use.
pub fn read(input: &Input) -> Result<Outcome<WeatherAlert>, IngestError> {
    read_cap(input)
}

/// Reads a CAP 1.2 (or 1.1) `<alert>` document, or an Atom/RSS feed whose entries hold
/// `<alert>`s. See the [module docs](self) for what is accepted, rejected and flagged.
///
/// # Errors
/// [`IngestError::Xml`] when the file is not XML, is ill-formed or truncated (with the byte
/// position and line), [`IngestError::UnknownFormat`] when its root is neither `<alert>` nor
/// a feed, [`IngestError::Encoding`] for an unknown declared encoding. A bad alert is never
/// an error: it is rejected in the report and the others still load.
pub fn read_cap(input: &Input) -> Result<Outcome<WeatherAlert>, IngestError> {
    let (text, encoding_note) = input.text()?;
    let mut outcome = Scan::new(&input.name, &text).run()?;
    if let Some(note) = encoding_note {
        outcome.report.notes.insert(0, note);
    }
    Ok(outcome)
}

/// Whether an alert's area is within what a warning may cover (the risk model's default
/// `max_alert_area_km2`): a polygon around the globe would otherwise reach the store.
fn plausible_area(alert: &WeatherAlert) -> bool {
    let area = alert.area_km2();
    area.is_finite() && area <= senda_core::risk::DEFAULT_MAX_ALERT_AREA_KM2
}

/// How far beyond its sender's country an alert's area may lie, km (coastal waters, a
/// storm's approach). SMN's alerts reach about 700 km out to sea.
pub const FAR_FROM_SENDER_KM: f64 = 1_000.0;

/// The corridor country of a CAP sender, from the country-code domain of its address
/// (`smn.cna.gob.mx`, `alertas@insivumeh.gob.gt`, `https://www.snet.gob.sv/...`); `None` for
/// other domains (`noaa.gov`: the USGS and NOAA warn about the whole world too).
fn sender_country(sender: &str) -> Option<&'static crate::countries::Country> {
    let host = sender.rsplit('@').next().unwrap_or(sender);
    let host = host.split_once("://").map_or(host, |(_, rest)| rest);
    let host = host.split(['/', ':']).next().unwrap_or(host);
    let (_, tld) = host.rsplit_once('.')?;
    if tld.len() != 2 || !tld.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let country = crate::countries::Countries::corridor().resolve(tld)?;
    country
        .iso_a2()
        .is_some_and(|a2| a2.eq_ignore_ascii_case(tld))
        .then_some(country)
}

/// When the sender's country is known and no point of the alert's areas (ring vertex,
/// circle centre less its radius) comes within [`FAR_FROM_SENDER_KM`] of it: the country's
/// name and the nearest distance, km.
fn far_from_sender(alert: &WeatherAlert) -> Option<(String, f64)> {
    let country = sender_country(&alert.key.source)?;
    let mut nearest = f64::INFINITY;
    for area in &alert.areas {
        let points = area.polygons.iter().flatten().map(|p| (*p, 0.0));
        let centres = area.circles.iter().map(|c| (c.center, c.radius_km));
        for (p, reach_km) in points.chain(centres) {
            let km = (country.distance_m(p) / 1000.0 - reach_km).max(0.0);
            if km <= FAR_FROM_SENDER_KM {
                return None;
            }
            nearest = nearest.min(km);
        }
    }
    nearest
        .is_finite()
        .then(|| (country.name().to_owned(), nearest))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Alert,
    Feed,
}

/// The entry (or item) being read.
#[derive(Debug)]
struct Entry {
    index: u64,
    /// `open.len()` once the entry's start tag is pushed.
    depth: usize,
    line: u64,
    alerts: u32,
}

/// Line numbers for byte positions that mostly increase.
struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            bytes: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }

    /// The 1-based line of byte `pos`.
    fn at(&mut self, pos: u64) -> u64 {
        let pos = usize::try_from(pos)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        if pos < self.pos {
            self.pos = 0;
            self.line = 1;
        }
        let newlines = self
            .bytes
            .get(self.pos..pos)
            .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count());
        self.line += newlines as u64;
        self.pos = pos;
        self.line
    }
}

/// One pass over one document.
struct Scan<'a> {
    file: &'a str,
    text: &'a str,
    xml: NsReader<&'a [u8]>,
    lines: Lines<'a>,
    /// Alerts seen per namespace (`None`: no namespace).
    namespaces: BTreeMap<Option<String>, u64>,
    /// Where each key was first loaded, to flag duplicates.
    seen: HashMap<SourceKey, RecordRef>,
}

impl<'a> Scan<'a> {
    fn new(file: &'a str, text: &'a str) -> Self {
        Self {
            file,
            text,
            xml: NsReader::from_str(text),
            lines: Lines::new(text),
            namespaces: BTreeMap::new(),
            seen: HashMap::new(),
        }
    }

    fn xml_error(&mut self, position: u64, reason: impl std::fmt::Display) -> IngestError {
        let line = self.lines.at(position);
        IngestError::Xml {
            file: self.file.to_owned(),
            position,
            reason: format!("{reason} (line {line})"),
        }
    }

    fn run(mut self) -> Result<Outcome<WeatherAlert>, IngestError> {
        let mut kind = None;
        let mut outcome = Outcome::new(Report::new(self.file, ""));
        // Local names of the open elements outside alerts, root first.
        let mut open: Vec<String> = Vec::new();
        let mut entry: Option<Entry> = None;
        let mut next_index = 0u64;
        let mut root_done = false;
        loop {
            let pos = self.xml.buffer_position();
            let (namespace, event) = match self.xml.read_resolved_event() {
                Ok((resolved, event)) => (tree::namespace_of(&resolved), event),
                Err(e) => {
                    let at = self.xml.error_position();
                    return Err(self.xml_error(at, e));
                }
            };
            let (start, empty) = match event {
                Event::Start(e) => (e, false),
                Event::Empty(e) => (e, true),
                Event::End(_) => {
                    open.pop();
                    if let Some(e) = entry.take_if(|e| open.len() < e.depth) {
                        if e.alerts == 0 {
                            self.reject_entry(&mut outcome, &e);
                        }
                    }
                    root_done = open.is_empty();
                    continue;
                }
                Event::Text(t) => {
                    if (kind.is_none() || root_done) && !t.trim_ascii().is_empty() {
                        return Err(self.outside_root(pos, &t));
                    }
                    continue;
                }
                Event::CData(_) | Event::GeneralRef(_) => {
                    if kind.is_none() || root_done {
                        return Err(self.outside_root(pos, "&"));
                    }
                    continue;
                }
                Event::Eof => break,
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => continue,
            };
            let name = start.local_name().as_ref().to_owned();
            if root_done {
                return Err(self.xml_error(
                    pos,
                    format!("element <{name}> after the end of the root element"),
                ));
            }
            let this_kind = match kind {
                Some(k) => k,
                None => {
                    let (k, format) = match name.as_str() {
                        "alert" => (Kind::Alert, FORMAT_ALERT),
                        "feed" => (Kind::Feed, FORMAT_ATOM),
                        "rss" | "RDF" => (Kind::Feed, FORMAT_RSS),
                        other => {
                            let line = self.lines.at(pos);
                            return Err(IngestError::UnknownFormat {
                                file: self.file.to_owned(),
                                reason: format!(
                                    "the root element <{other}> (byte {pos}, line {line}) is neither a CAP <alert> nor an Atom <feed> or RSS <rss> of alerts"
                                ),
                            });
                        }
                    };
                    outcome.report.format = format.to_owned();
                    kind = Some(k);
                    k
                }
            };
            if name == "alert" {
                let line = self.lines.at(pos);
                let index = match entry.as_mut() {
                    Some(e) => {
                        e.alerts += 1;
                        e.index
                    }
                    None => {
                        next_index += 1;
                        next_index - 1
                    }
                };
                let at = RecordRef::new(index, Some(line));
                self.alert(
                    &mut outcome,
                    &open,
                    namespace,
                    &start,
                    empty,
                    at,
                    this_kind == Kind::Alert,
                )?;
                root_done = open.is_empty();
                continue;
            }
            if this_kind == Kind::Feed && entry.is_none() && (name == "entry" || name == "item") {
                let e = Entry {
                    index: next_index,
                    depth: open.len() + 1,
                    line: self.lines.at(pos),
                    alerts: 0,
                };
                next_index += 1;
                if empty {
                    self.reject_entry(&mut outcome, &e);
                } else {
                    entry = Some(e);
                }
            }
            if empty {
                root_done = open.is_empty();
            } else {
                open.push(name);
            }
        }
        if kind.is_none() {
            return Err(IngestError::Xml {
                file: self.file.to_owned(),
                position: 0,
                reason: "no root element: the file is empty or not XML".to_owned(),
            });
        }
        if !open.is_empty() {
            let end = self.text.len() as u64;
            let path = open.join("> <");
            return Err(self.xml_error(
                end,
                format!("the document ends inside <{path}>: truncated?"),
            ));
        }
        self.finish_notes(&mut outcome);
        Ok(outcome)
    }

    fn outside_root(&mut self, pos: u64, text: &str) -> IngestError {
        let shown: String = text.trim().chars().take(30).collect();
        self.xml_error(
            pos,
            format!("text outside the root element ({shown:?}): not an XML document"),
        )
    }

    fn reject_entry(&mut self, outcome: &mut Outcome<WeatherAlert>, e: &Entry) {
        outcome.report.reject(
            RecordRef::new(e.index, Some(e.line)),
            None,
            Some("content"),
            "the entry holds no CAP <alert> element (only a summary or a link?)",
        );
    }

    /// Reads one `<alert>` (its start tag just read) and records it in `outcome`.
    #[allow(clippy::too_many_arguments)]
    fn alert(
        &mut self,
        outcome: &mut Outcome<WeatherAlert>,
        open: &[String],
        namespace: Option<String>,
        start: &BytesStart<'_>,
        empty: bool,
        at: RecordRef,
        single: bool,
    ) -> Result<(), IngestError> {
        let tree = match tree::read_alert(&mut self.xml, namespace, start, empty) {
            Ok(tree) => tree,
            Err(tree::TreeError::Xml { position, error }) => {
                return Err(self.xml_error(position, error))
            }
            Err(tree::TreeError::Truncated) => {
                let end = self.text.len() as u64;
                let mut path: Vec<&str> = open.iter().map(String::as_str).collect();
                path.push("alert");
                let line = at.line.unwrap_or(0);
                return Err(self.xml_error(
                    end,
                    format!("the document ends inside <{}> (the <alert> opened on line {line}): truncated?", path.join("> <")),
                ));
            }
        };
        *self.namespaces.entry(tree.namespace.clone()).or_default() += 1;
        if !cap::is_cap_namespace(tree.namespace.as_deref()) && !cap::looks_like_cap(&tree) {
            let ns = tree
                .namespace
                .as_deref()
                .map_or_else(|| "no namespace".to_owned(), geometry::quote);
            let reason = format!(
                "an <alert> in {ns} with none of CAP's <identifier>, <sender>, <sent> or <info>: not a CAP alert"
            );
            if single {
                return Err(IngestError::UnknownFormat {
                    file: self.file.to_owned(),
                    reason,
                });
            }
            outcome.report.reject(at, None, Some("alert"), reason);
            return Ok(());
        }
        match cap::convert(&tree) {
            Ok(loaded) if far_from_sender(&loaded.alert).is_some() => {
                let (country, km) = far_from_sender(&loaded.alert).unwrap_or_default();
                outcome.report.reject(
                    at,
                    Some(loaded.alert.key.source_id.clone()),
                    Some("area"),
                    format!(
                        "the alert's area lies {km:.0} km from {country}, the country of its sender {:?}: more than the {FAR_FROM_SENDER_KM:.0} km a warning may reach beyond it",
                        loaded.alert.key.source
                    ),
                );
            }
            Ok(loaded) if !plausible_area(&loaded.alert) => {
                let limit = senda_core::risk::DEFAULT_MAX_ALERT_AREA_KM2;
                outcome.report.reject(
                    at,
                    Some(loaded.alert.key.source_id.clone()),
                    Some("area"),
                    format!(
                        "the alert's areas cover {:.0} km², more than the {limit:.0} km² a warning may cover (max_alert_area_km2): check the polygon (CAP writes lat,lon)",
                        loaded.alert.area_km2()
                    ),
                );
            }
            Ok(loaded) => {
                let id = Some(loaded.alert.key.source_id.clone());
                match self.seen.get(&loaded.alert.key) {
                    Some(first) => outcome.report.flag(
                        at,
                        id.clone(),
                        Some("identifier"),
                        format!("the same <sender> and <identifier> as {first}: the later alert replaces the earlier"),
                    ),
                    None => {
                        self.seen.insert(loaded.alert.key.clone(), at);
                    }
                }
                for flag in loaded.flags {
                    outcome
                        .report
                        .flag(at, id.clone(), Some(flag.field), flag.reason);
                }
                outcome.push(loaded.alert, at);
            }
            Err(rejected) => {
                outcome.report.reject(
                    at,
                    rejected.source_id.clone(),
                    Some(rejected.field()),
                    rejected.reason(),
                );
            }
        }
        Ok(())
    }

    fn finish_notes(&self, outcome: &mut Outcome<WeatherAlert>) {
        for (namespace, n) in &self.namespaces {
            let note = match namespace.as_deref() {
                Some(cap::CAP12) => continue,
                Some(ns) if cap::is_cap_namespace(Some(ns)) => format!(
                    "{n} alert(s) in the older CAP namespace {ns}: read by the CAP 1.2 rules (the elements senda reads are the same)"
                ),
                Some(ns) => format!(
                    "{n} alert(s) in the namespace {}, which is not CAP's ({}): read as CAP by their structure; check the sender",
                    geometry::quote(ns),
                    cap::CAP12
                ),
                None => format!("{n} alert(s) without an XML namespace (CAP's is {}): read as CAP by their structure", cap::CAP12),
            };
            outcome.report.note(note);
        }
        if outcome.report.format != FORMAT_ALERT && outcome.report.records == 0 {
            outcome.report.note("the feed has no entries");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(xml: &str) -> Result<Outcome<WeatherAlert>, IngestError> {
        read_cap(&Input::from_bytes("test.xml", xml.as_bytes().to_vec()).unwrap())
    }

    const ALERT: &str = r#"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
<identifier>A1</identifier><sender>s</sender><sent>2014-12-02T22:00:00-05:00</sent>
<status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
<info><category>Met</category><event>Storm</event><urgency>Expected</urgency>
<severity>Moderate</severity><certainty>Likely</certainty>
<area><areaDesc>Somewhere</areaDesc><polygon>1,1 1,2 2,2 1,1</polygon></area></info>
</alert>"#;

    #[test]
    fn lines_count_forward_and_back() {
        let mut l = Lines::new("a\nb\nc");
        assert_eq!(l.at(0), 1);
        assert_eq!(l.at(2), 2);
        assert_eq!(l.at(4), 3);
        assert_eq!(l.at(1), 1);
        assert_eq!(l.at(999), 3);
    }

    #[test]
    fn single_alert_loads() {
        let out = read_str(ALERT).unwrap();
        assert_eq!(out.report.format, FORMAT_ALERT);
        assert_eq!(out.records.len(), 1, "{:?}", out.report);
        assert_eq!(out.records[0].at, RecordRef::new(0, Some(1)));
        assert_eq!(out.records[0].record.texts[0].language, "en-US");
        assert!(out.report.notes.is_empty());
    }

    #[test]
    fn feed_entries_are_records_with_alert_lines() {
        let feed = format!(
            "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<entry><content>\n{ALERT}</content></entry>\n<entry><id>x</id></entry>\n<entry/>\n</feed>"
        );
        let out = read_str(&feed).unwrap();
        assert_eq!(out.report.format, FORMAT_ATOM);
        assert_eq!(out.records.len(), 1);
        assert_eq!(out.records[0].at, RecordRef::new(0, Some(3)));
        assert_eq!(out.report.rejected.len(), 2);
        assert_eq!(out.report.rejected[0].at, RecordRef::new(1, Some(10)));
        assert_eq!(out.report.rejected[1].at.index, 2);
        assert_eq!(out.report.records, 3);
    }

    #[test]
    fn rss_items_are_read() {
        let rss = format!("<rss><channel><title>t</title><item>{ALERT}</item></channel></rss>");
        let out = read_str(&rss).unwrap();
        assert_eq!(out.report.format, FORMAT_RSS);
        assert_eq!(out.records.len(), 1);
    }

    #[test]
    fn entities_and_cdata_in_text() {
        let xml = ALERT.replace(
            "<event>Storm</event>",
            "<event>Storm &amp; rain &#241; <![CDATA[<b>]]> &foo;</event>",
        );
        let out = read_str(&xml).unwrap();
        assert_eq!(
            out.records[0].record.texts[0].event,
            "Storm & rain ñ <b> &foo;"
        );
    }

    #[test]
    fn file_level_errors() {
        assert!(matches!(read_str(""), Err(IngestError::Xml { .. })));
        assert!(matches!(
            read_str("just text"),
            Err(IngestError::Xml { .. })
        ));
        assert!(matches!(
            read_str("<html><body/></html>"),
            Err(IngestError::UnknownFormat { .. })
        ));
        let cut = ALERT.find("</info>").unwrap();
        let e = read_str(&ALERT[..cut]).unwrap_err().to_string();
        assert!(
            e.contains("ends inside <alert> (the <alert> opened on line 1): truncated?"),
            "{e}"
        );
        let feed = format!("<feed><entry>{ALERT}</entry>");
        let e = read_str(&feed).unwrap_err().to_string();
        assert!(e.contains("ends inside <feed>: truncated?"), "{e}");
        let e = read_str(&ALERT[..ALERT.len() - 3]).unwrap_err().to_string();
        assert!(e.contains("not valid XML"), "{e}");
        let e = read_str(&format!("{ALERT}<alert/>"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("after the end of the root"), "{e}");
        let e = read_str(&ALERT.replace("</info>", "</inf>"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("not valid XML at byte") && e.contains("line"),
            "{e}"
        );
        let e = read_str("<alert xmlns=\"urn:x\"><foo/></alert>").unwrap_err();
        assert!(matches!(e, IngestError::UnknownFormat { .. }), "{e}");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let n = 60_000; // quick-xml refuses nesting deeper than 65535 itself
        let deep = format!("{}{}", "<x>".repeat(n), "</x>".repeat(n));
        let e = read_str(&format!("<alert>{deep}</alert>")).unwrap_err();
        assert!(matches!(e, IngestError::UnknownFormat { .. }), "{e}");
        let nested_infos = format!("{}{}", "<info>".repeat(n), "</info>".repeat(n));
        let out = read_str(&ALERT.replace("<info>", &format!("{nested_infos}<info>"))).unwrap();
        // The outer (empty) <info> is read and refused; the deeper ones are skipped.
        assert_eq!(out.report.rejected.len(), 1);
        assert!(out.report.rejected[0]
            .reason
            .starts_with("missing required <category> in <info> #1;"));
        let out = read_str(&format!("<feed><entry>{deep}</entry></feed>")).unwrap();
        assert_eq!(out.report.rejected.len(), 1);
    }

    #[test]
    fn duplicate_keys_are_flagged() {
        let feed = format!("<feed><entry>{ALERT}</entry><entry>{ALERT}</entry></feed>");
        let out = read_str(&feed).unwrap();
        assert_eq!(out.records.len(), 2);
        assert_eq!(out.report.flagged.len(), 1);
        assert_eq!(out.report.flagged[0].field.as_deref(), Some("identifier"));
    }
}
