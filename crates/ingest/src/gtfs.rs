//! GTFS feeds (General Transit Feed Specification, static) → [`TransitPoint`]s that carry
//! the lines serving them ([`TransitRoute`]: name, mode, agency, headway).
//!
//! A feed is a zip archive ([`read_zip`], as `read(RecordKind::Transit, ..)` does for zip
//! input) or a folder of `.txt` files ([`read_dir`]). The files are parsed with `csv` and
//! hand-written row handling rather than the `gtfs-structures` crate, which fails a whole
//! feed on one bad row and loads every file into memory: here a bad row is a report entry,
//! and `stop_times.txt` is streamed row by row (one reused record; ids interned once).
//!
//! # Files
//! Required: `stops.txt`, `routes.txt`, `trips.txt`, `stop_times.txt` (missing → an
//! [`IngestError::Gtfs`] naming the file, as is a missing required column of them) and
//! `agency.txt` (missing → a note; lines then carry no agency name). Used when present:
//! `frequencies.txt`, `calendar.txt`, `calendar_dates.txt`. Others (`shapes.txt`,
//! `feed_info.txt`, …) are listed in a note and not read. Every file may start with a UTF-8
//! or UTF-16 byte-order mark; fields that are not valid UTF-8 are decoded as windows-1252
//! (noted). In a zip, the files may sit in one folder. Each file's decompressed size is
//! capped ([`GtfsOptions::max_entry_bytes`], default 1 GiB): past it the read fails with
//! [`IngestError::TooLarge`] (a zip bomb cannot exhaust memory or time).
//!
//! **Memory** stays bounded by the feed's structure, not its text: a zip's compressed bytes
//! (as given), the stops, routes and trips as compact records with their ids interned, and
//! from `stop_times.txt` one entry per (point, line) served plus 8 bytes per departure of the
//! reference day inside the headway window ([`headway`]) — never a file as one string.
//!
//! # Points
//! - `location_type` 0 (or empty: stops) and 1 (stations) become points; 2–4 (entrances,
//!   generic nodes, boarding areas) are skipped.
//! - A stop whose `parent_station` is a station in the feed is **folded into the station**:
//!   it is skipped (the report says into which station) and its lines are the station's. A
//!   station is the place people name and wait at; its platforms, metres apart, would fill a
//!   nearest-stops answer with one place several times. A `parent_station` that is not in the
//!   feed, or not a station, is flagged and the stop kept on its own.
//! - Key: source = the feed's name (the zip's file stem or the folder's name), id =
//!   `stop_id`. A repeated `stop_id` rejects the later row.
//! - Position from `stop_lat`/`stop_lon`: missing, non-numeric, out of range (saying when
//!   they look swapped) or `0,0` rejects the stop naming the field. The country is the one
//!   the point lies in ([`Countries::locate`]), none outside the corridor.
//! - Name: `stop_name`; a stop or station without one is rejected.
//! - Kind: from the lines that serve the point, the first of [`TransitMode`]'s order
//!   ([`TransitMode::stop_kind`]: metro → `metro_station`, rail → `rail_station`, tram →
//!   `tram_stop`, aerial lift/funicular/cable tram → `cable_car_station`, ferry → `port`,
//!   bus/trolleybus/other → `bus_stop`); a point no line serves takes the kind of the feed's
//!   most common mode (noted).
//!
//! # Lines
//! A line serves a point when one of its trips stops there (`stop_times.txt`; the station
//! of a folded stop). Per line: `route_id`, `route_short_name`, `route_long_name`, the mode
//! from `route_type` ([`mode`]: the basic types 0–7, 11, 12, and the extended types 100–1700
//! folded into them), the agency's `agency_name` (by `agency_id`, or the feed's only agency),
//! and the headway at that point ([`headway`]). Lines are sorted by mode, then by name with
//! numbers in numeric order.
//!
//! # What the report says
//! `records`/`accepted`/`rejected`/`skipped` count the rows of `stops.txt` (the point
//! records). Rows of the other files are not point records: a bad one (a dangling `route_id`,
//! `trip_id` or `stop_id`, a repeated id, an unknown `route_type`, a bad time) is dropped or
//! defaulted and listed under `flagged`, its `field` naming the file and column
//! (`stop_times.txt:stop_id`), its `at` the row and line in that file. At most
//! [`MAX_LISTED`] issues are listed per file; a note counts the rest.

mod feed;
pub mod headway;
mod table;

use crate::countries::{fold, Countries};
use crate::shelters::file_stem;
use crate::{IngestError, Input, Outcome, Report};
use feed::Feed;
use headway::{DayMask, EVERY_DAY};
use senda_core::{
    LonLat, RecordRef, SourceKey, TransitKind, TransitMode, TransitPoint, TransitRoute,
};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use table::{RowAt, Table};

pub use feed_check::is_feed_dir;

/// Reading options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GtfsOptions {
    /// The most bytes any one file of the feed may decompress to. Default 1 GiB.
    pub max_entry_bytes: u64,
}

impl Default for GtfsOptions {
    fn default() -> Self {
        Self {
            max_entry_bytes: 1 << 30,
        }
    }
}

/// Issues listed per file before the rest are only counted.
pub const MAX_LISTED: usize = 200;

/// The files a feed must have.
const REQUIRED: [&str; 4] = ["stops.txt", "routes.txt", "trips.txt", "stop_times.txt"];
/// The files read when present (with the required ones and agency.txt).
const READ: [&str; 8] = [
    "agency.txt",
    "stops.txt",
    "routes.txt",
    "trips.txt",
    "stop_times.txt",
    "frequencies.txt",
    "calendar.txt",
    "calendar_dates.txt",
];

/// Whether `input` is a zip archive (read as a GTFS feed by the transit reader).
pub fn is_zip(input: &Input) -> bool {
    feed::is_zip(&input.bytes)
}

/// Reads a GTFS feed zipped in `input`.
pub fn read_zip(
    input: &Input,
    countries: &Countries,
) -> Result<Outcome<TransitPoint>, IngestError> {
    read_zip_with(input, countries, &GtfsOptions::default())
}

/// [`read_zip`] with options.
pub fn read_zip_with(
    input: &Input,
    countries: &Countries,
    options: &GtfsOptions,
) -> Result<Outcome<TransitPoint>, IngestError> {
    let feed = Feed::zip(&input.name, &input.bytes, options.max_entry_bytes)?;
    read_feed(feed, &input.name, file_stem(&input.name), countries)
}

/// Reads a GTFS feed from a folder of `.txt` files.
pub fn read_dir(dir: &Path, countries: &Countries) -> Result<Outcome<TransitPoint>, IngestError> {
    read_dir_with(dir, countries, &GtfsOptions::default())
}

/// [`read_dir`] with options.
pub fn read_dir_with(
    dir: &Path,
    countries: &Countries,
    options: &GtfsOptions,
) -> Result<Outcome<TransitPoint>, IngestError> {
    let name = dir.display().to_string();
    let source = dir
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "gtfs".to_owned());
    read_feed(
        Feed::dir(dir, options.max_entry_bytes),
        &name,
        source,
        countries,
    )
}

mod feed_check {
    use std::path::Path;

    /// Whether `dir` is a folder holding a `stops.txt` (any case): a GTFS feed.
    pub fn is_feed_dir(dir: &Path) -> bool {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries.filter_map(Result::ok).any(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case("stops.txt"))
            })
        })
    }

    /// Whether zip bytes hold a `stops.txt`, at the root or in a folder.
    pub(crate) fn zip_has_stops(bytes: &[u8]) -> bool {
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).is_ok_and(|a| {
            a.file_names().any(|n| {
                n.rsplit('/')
                    .next()
                    .is_some_and(|b| b.eq_ignore_ascii_case("stops.txt"))
            })
        })
    }
}

pub(crate) use feed_check::zip_has_stops;

/// The mode of a GTFS `route_type`: the basic types as the specification defines them, the
/// extended types (Google's "Hierarchical Vehicle Type" list, 100–1799) folded into them:
///
/// | route_type | mode |
/// |---|---|
/// | 0 | tram |
/// | 1 | metro |
/// | 2 | rail |
/// | 3 | bus |
/// | 4 | ferry |
/// | 5 | cable tram |
/// | 6 | aerial lift |
/// | 7 | funicular |
/// | 11 | trolleybus |
/// | 12 | monorail |
/// | 100–199 railway, 300–399 suburban railway | rail |
/// | 200–299 coach, 700–799 bus | bus |
/// | 400–404, 406–499 urban railway, 500–599 metro, 600–699 underground | metro |
/// | 405 monorail | monorail |
/// | 800–899 trolleybus | trolleybus |
/// | 900–999 tram | tram |
/// | 1000–1099 water transport, 1200–1299 ferry, 1502 water taxi | ferry |
/// | 1300–1399 aerial lift | aerial lift |
/// | 1400–1499 funicular | funicular |
/// | 1501 communal taxi (shared vans: colectivos) | bus |
/// | 1100–1199 air, other 1500–1599 taxis, 1600–1699 self drive, 1700–1799 miscellaneous | other |
///
/// Anything else is not a route type (`None`).
///
/// ```
/// use senda_core::TransitMode;
/// use senda_ingest::gtfs::mode;
/// assert_eq!(mode(3), Some(TransitMode::Bus));
/// assert_eq!(mode(401), Some(TransitMode::Metro));
/// assert_eq!(mode(1501), Some(TransitMode::Bus));
/// assert_eq!(mode(8), None);
/// ```
pub fn mode(route_type: u32) -> Option<TransitMode> {
    use TransitMode::*;
    Some(match route_type {
        0 => Tram,
        1 => Metro,
        2 => Rail,
        3 => Bus,
        4 => Ferry,
        5 => CableTram,
        6 => AerialLift,
        7 => Funicular,
        11 => Trolleybus,
        12 => Monorail,
        100..=199 | 300..=399 => Rail,
        200..=299 | 700..=799 | 1501 => Bus,
        405 => Monorail,
        400..=699 => Metro,
        800..=899 => Trolleybus,
        900..=999 => Tram,
        1000..=1099 | 1200..=1299 | 1502 => Ferry,
        1300..=1399 => AerialLift,
        1400..=1499 => Funicular,
        1100..=1199 | 1500..=1799 => Other,
        _ => return None,
    })
}

/// A route as read.
struct Route {
    line: TransitRoute,
}

/// A trip as read: its route, its direction group and the days it runs.
#[derive(Clone, Copy)]
struct Trip {
    route: u32,
    group: u32,
    days: DayMask,
    /// Index into the frequency windows, when the trip has any.
    frequencies: Option<u32>,
}

/// A stop row as read.
struct StopRow {
    id: String,
    name: String,
    at: LonLat,
    station: bool,
    parent: Option<String>,
    record: RecordRef,
}

/// Issues listed per file, and how many more were only counted.
struct Issues<'r> {
    report: &'r mut Report,
    listed: BTreeMap<&'static str, usize>,
    unlisted: BTreeMap<&'static str, u64>,
}

impl<'r> Issues<'r> {
    fn new(report: &'r mut Report) -> Self {
        Self {
            report,
            listed: BTreeMap::new(),
            unlisted: BTreeMap::new(),
        }
    }

    /// Flags a row of a file other than stops.txt.
    fn row(&mut self, file: &'static str, at: RowAt, id: &str, column: &str, reason: String) {
        let n = self.listed.entry(file).or_default();
        if *n >= MAX_LISTED {
            *self.unlisted.entry(file).or_default() += 1;
            return;
        }
        *n += 1;
        self.report.flag(
            RecordRef::new(at.index, Some(at.line)),
            (!id.is_empty()).then(|| id.to_owned()),
            Some(&format!("{file}:{column}")),
            format!("{file} line {}: {reason}", at.line),
        );
    }

    /// A row's own id, if it is new: an empty or repeated one is flagged (naming `column`
    /// and what is ignored) and `None` is returned.
    fn fresh_id(
        &mut self,
        file: &'static str,
        at: RowAt,
        column: &str,
        what: &str,
        id: String,
        seen: &HashMap<String, u32>,
    ) -> Option<String> {
        if id.is_empty() {
            self.row(
                file,
                at,
                "",
                column,
                format!("empty {column}; {what} ignored"),
            );
            return None;
        }
        if seen.contains_key(&id) {
            let reason = format!("{column} {id:?} repeated; the later row is ignored");
            self.row(file, at, &id, column, reason);
            return None;
        }
        Some(id)
    }

    fn finish(self) {
        for (file, n) in self.unlisted {
            self.report.note(format!(
                "{n} more issues in {file} not listed (the first {MAX_LISTED} are)"
            ));
        }
    }
}

/// Reads one feed.
fn read_feed(
    mut feed: Feed<'_>,
    name: &str,
    source: String,
    countries: &Countries,
) -> Result<Outcome<TransitPoint>, IngestError> {
    let files = feed.files()?;
    for required in REQUIRED {
        if !files.iter().any(|f| f == required) {
            return Err(IngestError::Gtfs {
                file: feed.name(),
                reason: format!(
                    "{required} is missing (a GTFS feed needs agency.txt, stops.txt, routes.txt, \
                     trips.txt and stop_times.txt); found: {}",
                    if files.is_empty() {
                        "no files".to_owned()
                    } else {
                        files.join(", ")
                    }
                ),
            });
        }
    }
    let mut report = Report::new(name, "gtfs");
    let ignored: Vec<&str> = files
        .iter()
        .map(String::as_str)
        .filter(|f| !READ.contains(f))
        .collect();
    if !ignored.is_empty() {
        report.note(format!("files not read: {}", ignored.join(", ")));
    }
    let mut issues = Issues::new(&mut report);
    let mut notes: Vec<String> = Vec::new();

    let agencies = read_agencies(&mut feed, &mut notes)?;
    let (routes, route_ids) = read_routes(&mut feed, &agencies, &mut issues, &mut notes)?;
    let services = read_calendar(&mut feed, &mut issues, &mut notes)?;
    let (mut trips, trip_ids) =
        read_trips(&mut feed, &route_ids, &services, &mut issues, &mut notes)?;
    let windows = read_frequencies(&mut feed, &trip_ids, &mut trips, &mut issues, &mut notes)?;
    let stops = read_stops(&mut feed, &mut issues, &mut notes)?;
    issues.finish();

    // Resolve stations: which point each stop row ends up in.
    let (points, target) = resolve_stations(&stops, &mut report);

    // With no calendar every trip runs every day (EVERY_DAY): any day is the reference.
    let reference = headway::reference_day(trips.iter().flatten().map(|t| t.days));
    let day_bit: DayMask = reference.map_or(0, |(d, _)| 1 << d);

    let mut issues = Issues::new(&mut report);
    let served = read_stop_times(
        &mut feed,
        &trip_ids,
        &trips,
        &stops,
        &target,
        day_bit,
        &mut issues,
        &mut notes,
    )?;
    issues.finish();

    // Lines in display order (mode, then name with numbers in numeric order), ranked once.
    let mut order: Vec<usize> = (0..routes.len()).collect();
    order.sort_by_cached_key(|&i| {
        let r = &routes[i].line;
        (r.mode, natural_key(r.name()), r.id.clone())
    });
    let mut rank = vec![0usize; routes.len()];
    for (pos, &i) in order.iter().enumerate() {
        rank[i] = pos;
    }
    // Headways per (point, route).
    let mut lines: Vec<Vec<(usize, TransitRoute)>> = vec![Vec::new(); points.len()];
    for ((point, route), usage) in served {
        let mut line = routes[route as usize].line.clone();
        line.headway_s = usage.headway(&windows);
        lines[point as usize].push((rank[route as usize], line));
    }
    let feed_mode = {
        let mut counts: BTreeMap<TransitMode, usize> = BTreeMap::new();
        for r in &routes {
            *counts.entry(r.line.mode).or_default() += 1;
        }
        counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(m, _)| m)
    };
    let mut out = Outcome::new(report);
    let mut unserved = 0u64;
    let mut with_headway = 0u64;
    for (p, mut ranked) in points.into_iter().zip(lines) {
        let Some(row) = &stops[p] else { continue };
        ranked.sort_unstable_by_key(|(rank, _)| *rank);
        let routes_here: Vec<TransitRoute> = ranked.into_iter().map(|(_, r)| r).collect();
        let kind = match routes_here.first() {
            Some(r) => r.mode.stop_kind(),
            None => {
                unserved += 1;
                feed_mode.map_or(TransitKind::BusStop, TransitMode::stop_kind)
            }
        };
        with_headway += u64::from(routes_here.iter().any(|r| r.headway_s.is_some()));
        let key = match SourceKey::new(source.clone(), row.id.clone()) {
            Ok(k) => k,
            Err(e) => {
                out.report.reject(
                    row.record,
                    Some(row.id.clone()),
                    Some("stop_id"),
                    e.to_string(),
                );
                continue;
            }
        };
        let mut point = match TransitPoint::new(key, kind, row.name.clone(), row.at) {
            Ok(t) => t,
            Err(e) => {
                out.report.reject(
                    row.record,
                    Some(row.id.clone()),
                    Some("stop_name"),
                    e.to_string(),
                );
                continue;
            }
        };
        point.country = countries.locate(row.at).map(|c| c.iso_a3().to_owned());
        point.routes = routes_here;
        out.push(point, row.record);
    }
    let r = &mut out.report;
    for n in notes {
        r.note(n);
    }
    match reference {
        Some((day, trips_that_day)) => r.note(format!(
            "headways: {} ({trips_that_day} trips{}), {:02}:00–{:02}:00; {with_headway} of {} points have one",
            headway::DAY_NAMES[day],
            if services.is_empty() { "; no calendar: every trip counts" } else { "" },
            headway::WINDOW_START_S / 3600,
            headway::WINDOW_END_S / 3600,
            r.accepted
        )),
        None => r.note("headways: no trip runs on any day of the week; none computed"),
    }
    if unserved > 0 {
        r.note(format!(
            "{unserved} points are served by no trip: no lines; kind from the feed's main mode ({})",
            feed_mode.map_or("bus", TransitMode::as_str)
        ));
    }
    Ok(out)
}

fn open<'f>(feed: &'f mut Feed<'_>, file: &'static str) -> Result<Option<Table<'f>>, IngestError> {
    match feed.open(file)? {
        Some(stream) => Table::new(file, stream).map(Some),
        None => Ok(None),
    }
}

fn open_required<'f>(feed: &'f mut Feed<'_>, file: &'static str) -> Result<Table<'f>, IngestError> {
    let name = feed.name();
    open(feed, file)?.ok_or_else(|| IngestError::Gtfs {
        file: name,
        reason: format!("{file} is missing"),
    })
}

fn encoding_note(table: &Table<'_>, notes: &mut Vec<String>) {
    if let Some(n) = table.encoding_note() {
        notes.push(n);
    }
}

/// `agency_id` → `agency_name` (the only agency also under `""`).
fn read_agencies(
    feed: &mut Feed<'_>,
    notes: &mut Vec<String>,
) -> Result<HashMap<String, String>, IngestError> {
    let mut out = HashMap::new();
    let Some(mut t) = open(feed, "agency.txt")? else {
        notes.push("agency.txt is missing (required by GTFS): lines carry no agency name".into());
        return Ok(out);
    };
    let (id, name) = (t.column("agency_id"), t.column("agency_name"));
    let mut names = Vec::new();
    while t.next_row()?.is_some() {
        let n = t.get(name).into_owned();
        if n.is_empty() {
            continue;
        }
        names.push(n.clone());
        out.insert(t.get(id).into_owned(), n);
    }
    if names.len() == 1 {
        out.insert(String::new(), names.remove(0));
    }
    encoding_note(&t, notes);
    Ok(out)
}

fn read_routes(
    feed: &mut Feed<'_>,
    agencies: &HashMap<String, String>,
    issues: &mut Issues<'_>,
    notes: &mut Vec<String>,
) -> Result<(Vec<Route>, HashMap<String, u32>), IngestError> {
    const FILE: &str = "routes.txt";
    let mut t = open_required(feed, FILE)?;
    let [id_col, type_col] = t.require(["route_id", "route_type"])?;
    let (agency_col, short_col, long_col) = (
        t.column("agency_id"),
        t.column("route_short_name"),
        t.column("route_long_name"),
    );
    let mut routes = Vec::new();
    let mut ids: HashMap<String, u32> = HashMap::new();
    while let Some(at) = t.next_row()? {
        let Some(id) = issues.fresh_id(
            FILE,
            at,
            "route_id",
            "route",
            t.str(id_col).into_owned(),
            &ids,
        ) else {
            continue;
        };
        let raw_type = t.str(type_col);
        let m = match raw_type.parse::<u32>().ok().and_then(mode) {
            Some(m) => m,
            None => {
                let reason = format!(
                    "route_type {raw_type:?} is not a GTFS route type (0–7, 11, 12, 100–1799); mode = other"
                );
                issues.row(FILE, at, &id, "route_type", reason);
                TransitMode::Other
            }
        };
        let agency_id = t.get(agency_col).into_owned();
        let agency = match agencies.get(&agency_id) {
            Some(a) => Some(a.clone()),
            None if agency_id.is_empty() => None,
            None => {
                let reason =
                    format!("agency_id {agency_id:?} is not in agency.txt; no agency name");
                issues.row(FILE, at, &id, "agency_id", reason);
                None
            }
        };
        let text = |s: std::borrow::Cow<'_, str>| (!s.is_empty()).then(|| s.into_owned());
        let short_name = text(t.get(short_col));
        let mut long_name = text(t.get(long_col));
        if long_name == short_name {
            long_name = None;
        }
        ids.insert(id.clone(), routes.len() as u32);
        routes.push(Route {
            line: TransitRoute {
                id,
                short_name,
                long_name,
                mode: m,
                agency,
                headway_s: None,
            },
        });
    }
    encoding_note(&t, notes);
    Ok((routes, ids))
}

/// `service_id` → the days of the week it runs (empty when the feed has no calendar).
fn read_calendar(
    feed: &mut Feed<'_>,
    issues: &mut Issues<'_>,
    notes: &mut Vec<String>,
) -> Result<HashMap<String, DayMask>, IngestError> {
    let mut services: HashMap<String, DayMask> = HashMap::new();
    if let Some(mut t) = open(feed, "calendar.txt")? {
        const FILE: &str = "calendar.txt";
        let days = headway::DAY_NAMES.map(|d| t.column(&d.to_ascii_lowercase()));
        let id_col = t.column("service_id");
        if id_col.is_none() || days.iter().any(Option::is_none) {
            notes.push("calendar.txt lacks service_id or a day column: not used".into());
        } else {
            while let Some(at) = t.next_row()? {
                let id = t.get(id_col).into_owned();
                let mut mask = 0;
                for (d, col) in days.iter().enumerate() {
                    match &*t.get(*col) {
                        "1" => mask |= 1 << d,
                        "0" | "" => {}
                        other => {
                            let reason = format!(
                                "{} = {other:?}: expected 0 or 1",
                                headway::DAY_NAMES[d].to_ascii_lowercase()
                            );
                            issues.row(FILE, at, &id, "day", reason);
                        }
                    }
                }
                *services.entry(id).or_default() |= mask;
            }
        }
        encoding_note(&t, notes);
    }
    let in_calendar: std::collections::HashSet<String> = services.keys().cloned().collect();
    if let Some(mut t) = open(feed, "calendar_dates.txt")? {
        const FILE: &str = "calendar_dates.txt";
        let (id_col, date_col, type_col) = (
            t.column("service_id"),
            t.column("date"),
            t.column("exception_type"),
        );
        while let Some(at) = t.next_row()? {
            let id = t.get(id_col).into_owned();
            if in_calendar.contains(&id) || &*t.get(type_col) != "1" {
                // Services of calendar.txt keep their week; removals change no week.
                continue;
            }
            let date = t.get(date_col);
            match chrono::NaiveDate::parse_from_str(&date, "%Y%m%d") {
                Ok(d) => {
                    use chrono::Datelike;
                    *services.entry(id).or_default() |= 1 << d.weekday().num_days_from_monday();
                }
                Err(_) => {
                    let reason = format!("date {date:?} is not YYYYMMDD");
                    issues.row(FILE, at, &id, "date", reason);
                }
            }
        }
        encoding_note(&t, notes);
    }
    Ok(services)
}

/// Ids of a file's rows → their index.
type Ids = HashMap<String, u32>;

/// Trips (`None` for one whose route is unknown) and `trip_id` → index.
fn read_trips(
    feed: &mut Feed<'_>,
    route_ids: &HashMap<String, u32>,
    services: &HashMap<String, DayMask>,
    issues: &mut Issues<'_>,
    notes: &mut Vec<String>,
) -> Result<(Vec<Option<Trip>>, Ids), IngestError> {
    const FILE: &str = "trips.txt";
    let mut t = open_required(feed, FILE)?;
    let [route_col, service_col, trip_col] = t.require(["route_id", "service_id", "trip_id"])?;
    let (dir_col, headsign_col) = (t.column("direction_id"), t.column("trip_headsign"));
    let mut trips = Vec::new();
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut groups: HashMap<String, u32> = HashMap::new();
    let mut unknown_service = 0u64;
    while let Some(at) = t.next_row()? {
        let Some(id) = issues.fresh_id(
            FILE,
            at,
            "trip_id",
            "trip",
            t.str(trip_col).into_owned(),
            &ids,
        ) else {
            continue;
        };
        let route_id = t.str(route_col);
        let trip = match route_ids.get(&*route_id) {
            Some(&route) => {
                let direction = t.get(dir_col);
                let key = if direction.is_empty() {
                    format!("h:{}", t.get(headsign_col))
                } else {
                    format!("d:{direction}")
                };
                let next = groups.len() as u32;
                let group = *groups.entry(key).or_insert(next);
                let service = t.str(service_col);
                let days = if services.is_empty() {
                    EVERY_DAY
                } else if let Some(&d) = services.get(&*service) {
                    d
                } else {
                    unknown_service += 1;
                    0
                };
                Some(Trip {
                    route,
                    group,
                    days,
                    frequencies: None,
                })
            }
            None => {
                let reason = format!("route_id {route_id:?} is not in routes.txt; trip ignored");
                issues.row(FILE, at, &id, "route_id", reason);
                None
            }
        };
        ids.insert(id, trips.len() as u32);
        trips.push(trip);
    }
    if unknown_service > 0 {
        notes.push(format!(
            "{unknown_service} trips name a service_id that no calendar file defines: they count for no day's headway"
        ));
    }
    encoding_note(&t, notes);
    Ok((trips, ids))
}

/// Frequency windows `(headway_s, weight_s)` per trip (indexed by [`Trip::frequencies`]).
fn read_frequencies(
    feed: &mut Feed<'_>,
    trip_ids: &HashMap<String, u32>,
    trips: &mut [Option<Trip>],
    issues: &mut Issues<'_>,
    notes: &mut Vec<String>,
) -> Result<Vec<Vec<(u32, u64)>>, IngestError> {
    const FILE: &str = "frequencies.txt";
    let mut windows: Vec<Vec<(u32, u64)>> = Vec::new();
    let Some(mut t) = open(feed, FILE)? else {
        return Ok(windows);
    };
    let cols = ["trip_id", "start_time", "end_time", "headway_secs"].map(|c| t.column(c));
    let [Some(trip_col), Some(start_col), Some(end_col), Some(headway_col)] = cols else {
        notes.push(
            "frequencies.txt lacks trip_id, start_time, end_time or headway_secs: not used".into(),
        );
        return Ok(windows);
    };
    while let Some(at) = t.next_row()? {
        let id = t.str(trip_col).into_owned();
        let Some(&trip) = trip_ids.get(&id) else {
            issues.row(
                FILE,
                at,
                &id,
                "trip_id",
                format!("trip_id {id:?} is not in trips.txt; row ignored"),
            );
            continue;
        };
        let (start, end) = (t.str(start_col), t.str(end_col));
        let (Some(start), Some(end)) = (headway::parse_time(&start), headway::parse_time(&end))
        else {
            let reason =
                format!("start_time {start:?} or end_time {end:?} is not H:MM:SS; row ignored");
            issues.row(FILE, at, &id, "start_time", reason);
            continue;
        };
        let raw = t.str(headway_col);
        let Some(h) = raw.parse::<u32>().ok().filter(|h| *h > 0) else {
            issues.row(
                FILE,
                at,
                &id,
                "headway_secs",
                format!("headway_secs {raw:?} is not a positive whole number; row ignored"),
            );
            continue;
        };
        if let Some(trip) = trips[trip as usize].as_mut() {
            let slot = *trip.frequencies.get_or_insert_with(|| {
                windows.push(Vec::new());
                (windows.len() - 1) as u32
            });
            windows[slot as usize].push((h, headway::overlap_s(start, end)));
        }
    }
    encoding_note(&t, notes);
    Ok(windows)
}

fn read_stops(
    feed: &mut Feed<'_>,
    issues: &mut Issues<'_>,
    notes: &mut Vec<String>,
) -> Result<Vec<Option<StopRow>>, IngestError> {
    const FILE: &str = "stops.txt";
    let mut t = open_required(feed, FILE)?;
    let [id_col, lat_col, lon_col] = t.require(["stop_id", "stop_lat", "stop_lon"])?;
    let (name_col, type_col, parent_col) = (
        t.column("stop_name"),
        t.column("location_type"),
        t.column("parent_station"),
    );
    let mut out: Vec<Option<StopRow>> = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let report = &mut *issues.report;
    while let Some(at) = t.next_row()? {
        let record = RecordRef::new(at.index, Some(at.line));
        let id = t.str(id_col).into_owned();
        if id.is_empty() {
            report.reject(
                record,
                None,
                Some("stop_id"),
                "missing: a stop needs a stop_id",
            );
            out.push(None);
            continue;
        }
        if let Some(line) = first_line.get(&id) {
            report.reject(
                record,
                Some(id.clone()),
                Some("stop_id"),
                format!("stop_id {id:?} repeated (first at line {line})"),
            );
            out.push(None);
            continue;
        }
        first_line.insert(id.clone(), at.line);
        let location_type = t.get(type_col);
        let station = match &*location_type {
            "" | "0" => false,
            "1" => true,
            "2" | "3" | "4" => {
                let what = match &*location_type {
                    "2" => "an entrance or exit",
                    "3" => "a generic node",
                    _ => "a boarding area",
                };
                report.skip(
                    record,
                    Some(id),
                    format!("location_type {location_type}: {what}, not a stop"),
                );
                out.push(None);
                continue;
            }
            other => {
                report.reject(
                    record,
                    Some(id),
                    Some("location_type"),
                    format!("location_type {other:?}: expected 0 to 4"),
                );
                out.push(None);
                continue;
            }
        };
        let (lat_text, lon_text) = (t.str(lat_col), t.str(lon_col));
        let at_point = match position(&lon_text, &lat_text) {
            Ok(p) => p,
            Err((field, reason)) => {
                report.reject(record, Some(id), Some(field), reason);
                out.push(None);
                continue;
            }
        };
        let name = t.get(name_col).into_owned();
        if name.is_empty() {
            report.reject(
                record,
                Some(id),
                Some("stop_name"),
                "missing: a stop or station needs a name",
            );
            out.push(None);
            continue;
        }
        let parent = Some(t.get(parent_col).into_owned()).filter(|p| !p.is_empty());
        out.push(Some(StopRow {
            id,
            name,
            at: at_point,
            station,
            parent,
            record,
        }));
    }
    encoding_note(&t, notes);
    Ok(out)
}

/// The position of `stop_lon`/`stop_lat`, or (field, reason).
fn position(lon: &str, lat: &str) -> Result<LonLat, (&'static str, String)> {
    let number = |field: &'static str, text: &str| {
        if text.is_empty() {
            return Err((field, "missing: a stop needs a position".to_owned()));
        }
        text.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| (field, format!("{text:?} is not a number")))
    };
    let (lon, lat) = (number("stop_lon", lon)?, number("stop_lat", lat)?);
    if lon == 0.0 && lat == 0.0 {
        return Err(("stop_lon", "0,0 is a placeholder, not a location".into()));
    }
    LonLat::new(lon, lat).map_err(|e| {
        let field = if e.field == "lon" {
            "stop_lon"
        } else {
            "stop_lat"
        };
        let swapped = if LonLat::new(lat, lon).is_ok() {
            " (the two values look swapped)"
        } else {
            ""
        };
        (field, format!("{e}{swapped}"))
    })
}

/// The points (indexes of accepted stop rows that are not folded) and, per stop row, the
/// point it ends up in (`u32::MAX` for none). Folded stops are skipped in the report,
/// dangling parents flagged.
fn resolve_stations(stops: &[Option<StopRow>], report: &mut Report) -> (Vec<usize>, Vec<u32>) {
    let by_id: HashMap<&str, usize> = stops
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.as_ref().map(|s| (s.id.as_str(), i)))
        .collect();
    let mut fold_into: Vec<Option<usize>> = vec![None; stops.len()];
    for (i, s) in stops.iter().enumerate() {
        let Some(s) = s else { continue };
        let Some(parent) = &s.parent else { continue };
        if s.station {
            report.flag(
                s.record,
                Some(s.id.clone()),
                Some("parent_station"),
                format!("a station has a parent_station ({parent:?}); ignored"),
            );
            continue;
        }
        match by_id.get(parent.as_str()) {
            Some(&p) if stops[p].as_ref().is_some_and(|ps| ps.station) => fold_into[i] = Some(p),
            Some(_) => report.flag(
                s.record,
                Some(s.id.clone()),
                Some("parent_station"),
                format!("parent_station {parent:?} is not a station (location_type 1); kept as its own stop"),
            ),
            None => report.flag(
                s.record,
                Some(s.id.clone()),
                Some("parent_station"),
                format!("parent_station {parent:?} is not in stops.txt (or was rejected); kept as its own stop"),
            ),
        }
    }
    let mut points = Vec::new();
    let mut target = vec![u32::MAX; stops.len()];
    for (i, s) in stops.iter().enumerate() {
        if s.is_some() && fold_into[i].is_none() {
            target[i] = points.len() as u32;
            points.push(i);
        }
    }
    for (i, s) in stops.iter().enumerate() {
        if let (Some(s), Some(p)) = (s, fold_into[i]) {
            target[i] = target[p];
            let station = stops[p].as_ref().map_or("", |st| st.name.as_str());
            report.skip(
                s.record,
                Some(s.id.clone()),
                format!(
                    "folded into its station {:?} ({station}): its lines are listed there",
                    s.parent.as_deref().unwrap_or_default()
                ),
            );
        }
    }
    (points, target)
}

/// What is known of one line at one point: the departures on the reference day (timetable
/// trips) and the frequency-based trips that stop there.
#[derive(Default)]
struct Usage {
    /// `(direction group, seconds)` of timetable departures in the day window.
    departures: Vec<(u32, u32)>,
    /// Indexes into the frequency windows.
    frequencies: Vec<u32>,
}

impl Usage {
    fn headway(mut self, windows: &[Vec<(u32, u64)>]) -> Option<u32> {
        if !self.frequencies.is_empty() {
            self.frequencies.sort_unstable();
            self.frequencies.dedup();
            let mut all: Vec<(u32, u64)> = self
                .frequencies
                .iter()
                .flat_map(|&f| windows[f as usize].iter().copied())
                .collect();
            if let Some(h) = headway::weighted_median(&mut all) {
                return Some(h);
            }
        }
        headway::median_gap(&mut self.departures)
    }
}

/// Streams stop_times.txt: which (point, route) pairs are served, with their departures.
#[allow(clippy::too_many_arguments)]
fn read_stop_times(
    feed: &mut Feed<'_>,
    trip_ids: &HashMap<String, u32>,
    trips: &[Option<Trip>],
    stops: &[Option<StopRow>],
    target: &[u32],
    day_bit: DayMask,
    issues: &mut Issues<'_>,
    notes: &mut Vec<String>,
) -> Result<BTreeMap<(u32, u32), Usage>, IngestError> {
    const FILE: &str = "stop_times.txt";
    let stop_index: HashMap<&str, usize> = stops
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.as_ref().map(|s| (s.id.as_str(), i)))
        .collect();
    let mut t = open_required(feed, FILE)?;
    let [trip_col, stop_col] = t.require(["trip_id", "stop_id"])?;
    t.require(["stop_sequence"])?;
    let (dep_col, arr_col) = (t.column("departure_time"), t.column("arrival_time"));
    let mut served: BTreeMap<(u32, u32), Usage> = BTreeMap::new();
    while let Some(at) = t.next_row()? {
        let trip_id = t.str(trip_col);
        let Some(&trip) = trip_ids.get(&*trip_id) else {
            let id = trip_id.into_owned();
            issues.row(
                FILE,
                at,
                &id,
                "trip_id",
                format!("trip_id {id:?} is not in trips.txt; row ignored"),
            );
            continue;
        };
        let Some(trip) = trips[trip as usize] else {
            continue; // the trip itself was flagged
        };
        let stop_id = t.str(stop_col);
        let point = match stop_index.get(&*stop_id) {
            Some(&s) => target[s],
            None => {
                let id = stop_id.into_owned();
                let reason =
                    format!("stop_id {id:?} is not in stops.txt (or was rejected); row ignored");
                issues.row(FILE, at, &id, "stop_id", reason);
                continue;
            }
        };
        if point == u32::MAX {
            continue;
        }
        let usage = served.entry((point, trip.route)).or_default();
        if trip.days & day_bit == 0 {
            continue;
        }
        if let Some(f) = trip.frequencies {
            if usage.frequencies.last() != Some(&f) {
                usage.frequencies.push(f);
            }
            continue;
        }
        let mut time = t.get(dep_col);
        if time.is_empty() {
            time = t.get(arr_col);
        }
        if time.is_empty() {
            continue; // untimed stop: GTFS allows it between timepoints
        }
        match headway::parse_time(&time) {
            Some(s) if (headway::WINDOW_START_S..headway::WINDOW_END_S).contains(&s) => {
                usage.departures.push((trip.group, s));
            }
            Some(_) => {}
            None => {
                let reason = format!("departure/arrival time {time:?} is not H:MM:SS");
                let id = t.str(trip_col).into_owned();
                issues.row(FILE, at, &id, "departure_time", reason);
            }
        }
    }
    encoding_note(&t, notes);
    Ok(served)
}

/// A part of a name for ordering: a run of digits (by value: length without leading zeros,
/// then digits) or of other characters (accent- and case-folded).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum NamePart {
    Number(usize, String),
    Text(String),
}

/// The sort key of a name with runs of digits as numbers (`"2" < "10"`).
fn natural_key(s: &str) -> Vec<NamePart> {
    let mut out: Vec<NamePart> = Vec::new();
    let mut run = String::new();
    let mut digits = false;
    let flush = |run: &mut String, digits: bool, out: &mut Vec<NamePart>| {
        if run.is_empty() {
            return;
        }
        let text = std::mem::take(run);
        out.push(if digits {
            let trimmed = text.trim_start_matches('0').to_owned();
            NamePart::Number(trimmed.len(), trimmed)
        } else {
            NamePart::Text(text)
        });
    };
    for c in fold(s).chars() {
        let d = c.is_ascii_digit();
        if d != digits {
            flush(&mut run, digits, &mut out);
            digits = d;
        }
        run.push(c);
    }
    flush(&mut run, digits, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut v = vec!["10", "2", "L10", "L2", "1", "A", "b", "007"];
        v.sort_by_cached_key(|s| natural_key(s));
        assert_eq!(v, ["1", "2", "007", "10", "A", "b", "L2", "L10"]);
    }

    #[test]
    fn every_basic_type_has_a_mode() {
        for t in [0, 1, 2, 3, 4, 5, 6, 7, 11, 12] {
            assert!(mode(t).is_some(), "{t}");
        }
        for t in [8, 9, 10, 13, 99, 1800, u32::MAX] {
            assert_eq!(mode(t), None, "{t}");
        }
        assert_eq!(mode(109), Some(TransitMode::Rail));
        assert_eq!(mode(405), Some(TransitMode::Monorail));
        assert_eq!(mode(1300), Some(TransitMode::AerialLift));
        assert_eq!(mode(1100), Some(TransitMode::Other));
        assert_eq!(mode(800), Some(TransitMode::Trolleybus));
    }
}
