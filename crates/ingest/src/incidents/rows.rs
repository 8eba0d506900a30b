//! The CSV read loop: one reused [`ByteRecord`], columns resolved once by [`super::schema`].
//! The whole text was checked as UTF-8 by [`Input::text`], so fields are read as `&str`
//! without validating each record again.

use super::fields::{parse_count, parse_date, parse_lat_lon, parse_lat_lon_pair};
use super::keys::{Claim, Fnv, KeyRegistry};
use super::schema::{detect, is_hxl_row, Coords, Layout, Review, Vocab};
use super::ucdp;
use crate::category::{self, Mapping};
use crate::{IngestError, Input, Outcome, Report};
use chrono::{DateTime, Utc};
use csv::{ByteRecord, StringRecord};
use senda_core::{
    Incident, IncidentCategory, LocationPrecision, LonLat, RecordRef, ReviewStatus, Severity,
    SourceKey, TimePrecision,
};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

pub(crate) fn read_csv(input: &Input) -> Result<Outcome<Incident>, IngestError> {
    let (text, encoding_note) = input.text()?;
    let buf = text.as_bytes();
    let header_error = |reason: String| IngestError::CsvHeader {
        file: input.name.clone(),
        reason,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(buf);
    let mut header = StringRecord::new();
    match rdr.read_record(&mut header) {
        Ok(true) => {}
        Ok(false) => {
            return Err(header_error(
                "the file is empty: expected a header row (IOM MMP export, ACLED export, or HXL with a tag row)".into(),
            ))
        }
        Err(e) => return Err(header_error(format!("cannot read the header row: {e}"))),
    }
    // The second row is either an HXL tag row or the first record.
    let mut rec = ByteRecord::new();
    let second = rdr.read_byte_record(&mut rec);
    let second_text = StringRecord::from_byte_record_lossy(rec.clone());
    let hxl = matches!(second, Ok(true)) && is_hxl_row(&second_text);
    let layout = detect(
        &header,
        hxl.then_some(&second_text),
        &super::file_stem(input),
    )
    .map_err(header_error)?;

    let mut out = Outcome::new(Report::new(&input.name, layout.format));
    out.report.notes.extend(layout.notes.iter().cloned());
    if let Some(note) = encoding_note {
        out.report.note(note);
    }
    // Size the output from the first record's length, so the records vector does not regrow.
    let first_len = rec.as_slice().len() + rec.len() + 1;
    let expected = (buf.len() / first_len.max(64)).min(buf.len() / 16);
    out.records.reserve(expected);
    let mut rows = RowReader::new(&layout, &header, buf, expected);
    let mut lines = Lines::new(buf);
    let mut index: u64 = 0;
    let mut pending = if hxl { None } else { Some(second) };
    loop {
        let before = rdr.position().byte();
        let result = match pending.take() {
            Some(r) => r,
            None => rdr.read_byte_record(&mut rec),
        };
        match result {
            Ok(true) => {
                let start = rec
                    .position()
                    .and_then(|p| usize::try_from(p.byte()).ok())
                    .map(|b| lines.record_start(b));
                let at = RecordRef::new(index, start.map(|s| lines.line_at(s)));
                let end = usize::try_from(rdr.position().byte()).ok();
                let raw = start.zip(end);
                rows.row(&rec, at, raw, &mut out);
            }
            Ok(false) => break,
            Err(e) => {
                let start = e
                    .position()
                    .and_then(|p| usize::try_from(p.byte()).ok())
                    .map(|b| lines.record_start(b));
                let at = RecordRef::new(index, start.map(|s| lines.line_at(s)));
                out.report
                    .reject(at, None, Some("(row)"), format!("unreadable row: {e}"));
                if rdr.position().byte() == before {
                    break; // no progress: stop rather than loop
                }
            }
        }
        index += 1;
    }
    rows.finish(&mut out.report);
    if index == 0 {
        out.report.note("the file has a header but no records");
    }
    Ok(out)
}

/// Field `c` as text ("" when absent). The input is a `&str`, and csv splits only at ASCII
/// bytes, so every field is valid UTF-8; the check cannot fail but costs little.
fn field(rec: &ByteRecord, c: usize) -> &str {
    rec.get(c)
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or("")
}

/// 1-based line numbers of record starts. (`csv::Position` puts a record's start at the end
/// of the previous record, before its line break and any blank lines, so on CRLF files its
/// line is one short.)
struct Lines<'a> {
    buf: &'a [u8],
    /// The line-break byte: `\n`, or `\r` in a file with no `\n` at all (old Mac files).
    newline: u8,
    at: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(buf: &'a [u8]) -> Self {
        let newline = if buf.contains(&b'\n') { b'\n' } else { b'\r' };
        Self {
            buf,
            newline,
            at: 0,
            line: 1,
        }
    }

    /// The first byte of the record whose parse started at `from` (skips line breaks).
    fn record_start(&self, from: usize) -> usize {
        let skip = self.buf.get(from..).map_or(0, |rest| {
            rest.iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count()
        });
        from + skip
    }

    /// The line of byte `pos`; calls must come in file order (they do: records are read in order).
    fn line_at(&mut self, pos: usize) -> u64 {
        if pos < self.at {
            self.at = 0;
            self.line = 1;
        }
        let newline = self.newline;
        let seg = self.buf.get(self.at..pos).unwrap_or(&[]);
        self.line += seg.iter().filter(|b| **b == newline).count() as u64;
        self.at = pos;
        self.line
    }
}

/// What one row says, read and checked, before its key is claimed.
pub(crate) struct Mapped {
    pub location: LonLat,
    pub occurred_at: DateTime<Utc>,
    pub category: IncidentCategory,
    pub severity: Severity,
    pub people: u32,
    pub dead: Option<u32>,
    pub missing: Option<u32>,
    pub location_precision: LocationPrecision,
    pub time_precision: TimePrecision,
    pub review: ReviewStatus,
    pub source_category: Option<String>,
    pub country: Option<String>,
    pub description: Option<String>,
}

/// Per-file state of the row loop: caches and counters, nothing allocated per row.
struct RowReader<'a> {
    layout: &'a Layout,
    header: &'a StringRecord,
    buf: &'a [u8],
    keys: KeyRegistry,
    categories: HashMap<String, Mapping>,
    key_buf: String,
    unrecognised: BTreeMap<String, u32>,
    flags: Vec<(usize, String)>,
    corrections: u64,
    renamed: u64,
    hashed_ids: u64,
    /// UCDP events skipped, by reason.
    skipped_ucdp: BTreeMap<String, u64>,
}

impl<'a> RowReader<'a> {
    fn new(layout: &'a Layout, header: &'a StringRecord, buf: &'a [u8], expected: usize) -> Self {
        Self {
            layout,
            header,
            buf,
            keys: KeyRegistry::with_capacity(expected, 16),
            categories: HashMap::new(),
            key_buf: String::new(),
            unrecognised: BTreeMap::new(),
            flags: Vec::new(),
            corrections: 0,
            renamed: 0,
            hashed_ids: 0,
            skipped_ucdp: BTreeMap::new(),
        }
    }

    fn name(&self, col: usize) -> &'a str {
        self.header.get(col).map(str::trim).unwrap_or("?")
    }

    /// Rejects the row naming `col`, unless the whole row is blank (then it is skipped).
    fn reject(
        &self,
        rec: &ByteRecord,
        at: RecordRef,
        id: Option<&str>,
        col: usize,
        reason: String,
        report: &mut Report,
    ) {
        if rec.iter().all(|f| f.trim_ascii().is_empty()) {
            report.skip(at, None, "blank row (every field is empty)");
        } else {
            report.reject(at, id.map(str::to_owned), Some(self.name(col)), reason);
        }
    }

    /// Reads a count column; unreadable values are flagged and ignored.
    fn count(&mut self, rec: &ByteRecord, col: Option<usize>) -> Option<i64> {
        let c = col?;
        match parse_count(field(rec, c)) {
            Ok(v) => v,
            Err(reason) => {
                self.flags.push((c, format!("{reason}; ignored")));
                None
            }
        }
    }

    /// A non-negative count as u64; negative values are flagged and ignored.
    fn non_negative(&mut self, col: Option<usize>, v: Option<i64>) -> Option<u64> {
        let v = v?;
        match u64::try_from(v) {
            Ok(n) => Some(n),
            Err(_) => {
                if let Some(c) = col {
                    self.flags.push((c, format!("negative count {v}; ignored")));
                }
                None
            }
        }
    }

    fn mapping(&mut self, rec: &ByteRecord) -> (Mapping, Option<String>) {
        let get = |c: Option<usize>| c.map_or("", |c| field(rec, c).trim());
        let cause = get(self.layout.cause);
        let (key, source_category) = match self.layout.vocab {
            Vocab::Acled { event_type } => {
                let event = get(Some(event_type));
                self.key_buf.clear();
                self.key_buf.push_str(event);
                self.key_buf.push('\u{1f}');
                self.key_buf.push_str(cause);
                (
                    self.key_buf.as_str(),
                    if cause.is_empty() { event } else { cause },
                )
            }
            Vocab::Mmp | Vocab::Generic => (cause, cause),
        };
        let source_category = (!source_category.is_empty()).then(|| source_category.to_owned());
        if key.is_empty() || (matches!(self.layout.vocab, Vocab::Acled { .. }) && key == "\u{1f}") {
            return (
                Mapping::Category(senda_core::IncidentCategory::Unknown),
                source_category,
            );
        }
        if let Some(m) = self.categories.get(key) {
            if *m == Mapping::Unrecognised {
                if let Some(n) = self.unrecognised.get_mut(key) {
                    *n += 1;
                }
            }
            return (*m, source_category);
        }
        let m = match self.layout.vocab {
            Vocab::Mmp => category::mmp_cause(cause),
            Vocab::Acled { event_type } => category::acled(get(Some(event_type)), cause),
            Vocab::Generic => category::classify_text(cause),
        };
        if m == Mapping::Unrecognised && self.unrecognised.len() < 10_000 {
            self.unrecognised.insert(key.to_owned(), 1);
        }
        self.categories.insert(key.to_owned(), m);
        (m, source_category)
    }

    fn row(
        &mut self,
        rec: &ByteRecord,
        at: RecordRef,
        raw: Option<(usize, usize)>,
        out: &mut Outcome<Incident>,
    ) {
        let layout = self.layout;
        if rec.len() != self.header.len() {
            let (column, reason) = if rec.len() < self.header.len() {
                let first_missing = self.name(rec.len());
                let (found, expected) = (rec.len(), self.header.len());
                let reason = format!(
                    "row has {found} fields, the header has {expected}: {first_missing:?} and later columns are missing"
                );
                (first_missing, reason)
            } else {
                (
                    "(extra fields)",
                    format!(
                        "row has {} fields, the header has {}",
                        rec.len(),
                        self.header.len()
                    ),
                )
            };
            let id = layout
                .id
                .map(|c| field(rec, c).trim())
                .filter(|s| !s.is_empty());
            out.report
                .reject(at, id.map(str::to_owned), Some(column), reason);
            return;
        }
        self.flags.clear();

        // Id: the source's own, or one derived from the row's content.
        let id: Cow<'_, str> = match layout.id {
            Some(c) => {
                let v = field(rec, c).trim();
                if v.is_empty() {
                    self.reject(
                        rec,
                        at,
                        None,
                        c,
                        "empty: the record has no id".into(),
                        &mut out.report,
                    );
                    return;
                }
                Cow::Borrowed(v)
            }
            None => {
                let mut h = Fnv::new();
                for f in rec.iter() {
                    h.write(f);
                    h.write(&[0x1f]);
                }
                self.hashed_ids += 1;
                Cow::Owned(format!("row-{:016x}", h.finish()))
            }
        };

        let mapped = match &layout.ucdp {
            Some(columns) => match ucdp::map(&|c| field(rec, c), columns) {
                Ok(m) => Some(m),
                Err(ucdp::Issue::Skip(reason)) => {
                    self.skipped_ucdp
                        .entry(reason.clone())
                        .and_modify(|n| *n += 1)
                        .or_insert(1);
                    out.report.skip(at, Some(id.to_string()), reason);
                    None
                }
                Err(ucdp::Issue::Reject { column, reason }) => {
                    self.reject(rec, at, Some(&id), column, reason, &mut out.report);
                    None
                }
            },
            None => self.generic(rec, at, &id, &mut out.report),
        };
        if let Some(m) = mapped {
            self.accept(at, raw, id, m, out);
        }
    }

    /// Reads a row of the MMP, ACLED and HXL schemas (see the module docs of `incidents`);
    /// `None` when the row was rejected or skipped (and reported).
    fn generic(
        &mut self,
        rec: &ByteRecord,
        at: RecordRef,
        id: &str,
        report: &mut Report,
    ) -> Option<Mapped> {
        let layout = self.layout;
        let get = |c: usize| field(rec, c);

        // Category first: events that are not incidents are skipped whatever else is wrong.
        let (mapping, source_category) = self.mapping(rec);
        let Some(category) = mapping.category() else {
            let cause = layout.cause.filter(|c| !field(rec, *c).trim().is_empty());
            let col = match (cause, layout.vocab) {
                (Some(c), _) => self.name(c),
                (None, Vocab::Acled { event_type }) => self.name(event_type),
                (None, _) => "type",
            };
            let value = source_category.as_deref().unwrap_or("");
            report.skip(
                at,
                Some(id.to_owned()),
                format!("{col} {value:?} is not a safety incident (see the category table)"),
            );
            return None;
        };

        let location = match layout.coords {
            Coords::Pair(c) => parse_lat_lon_pair(get(c)).map_err(|r| (c, r)),
            Coords::Split { lat, lon } => parse_lat_lon(get(lat), get(lon))
                .map_err(|(is_lat, r)| (if is_lat { lat } else { lon }, r)),
        };
        let location = match location {
            Ok(l) => l,
            Err((c, reason)) => {
                self.reject(rec, at, Some(id), c, reason, report);
                return None;
            }
        };
        let occurred_at = match parse_date(get(layout.date), layout.date_style) {
            Ok(t) => t,
            Err(reason) => {
                self.reject(rec, at, Some(id), layout.date, reason, report);
                return None;
            }
        };

        // People: dead + missing (+ injured), or the stated total if larger.
        let dead_raw = self.count(rec, layout.dead);
        let missing_raw = self.count(rec, layout.missing);
        let missing = match (layout.vocab, missing_raw) {
            // MMP writes a negative "missing" when people earlier reported missing are found
            // dead (the dead count holds them): a correction, not an error.
            (Vocab::Mmp, Some(m)) if m < 0 => {
                self.corrections += 1;
                None
            }
            _ => self.non_negative(layout.missing, missing_raw),
        };
        let dead = self.non_negative(layout.dead, dead_raw);
        let total_raw = self.count(rec, layout.total);
        let total = self.non_negative(layout.total, total_raw);
        let injured_raw = self.count(rec, layout.injured);
        let injured = self.non_negative(layout.injured, injured_raw);
        let sum = dead
            .unwrap_or(0)
            .saturating_add(missing.unwrap_or(0))
            .saturating_add(injured.unwrap_or(0));
        let people = sum
            .max(total.unwrap_or(0))
            .max(u64::from(layout.min_people));
        let people = match u32::try_from(people).ok().filter(|p| *p <= 100_000) {
            Some(p) => p,
            None => {
                let col = layout
                    .total
                    .or(layout.dead)
                    .or(layout.missing)
                    .unwrap_or(layout.date);
                self.reject(
                    rec,
                    at,
                    Some(id),
                    col,
                    format!("{people} people affected is implausibly large (over 100,000)"),
                    report,
                );
                return None;
            }
        };

        let time_precision = match layout.time_precision {
            Some(c) => TimePrecision::parse(get(c)).unwrap_or_else(|_| {
                self.flags.push((
                    c,
                    format!(
                        "{:?}: expected 1 (day), 2 (week) or 3 (month); read as day",
                        get(c).trim()
                    ),
                ));
                TimePrecision::Day
            }),
            None => TimePrecision::Day,
        };
        let location_precision = match layout.geo_precision {
            Some(c) => LocationPrecision::parse(get(c)).unwrap_or_else(|_| {
                self.flags.push((
                    c,
                    format!(
                        "{:?}: expected 1 (town), 2 (area) or 3 (region); read as unknown",
                        get(c).trim()
                    ),
                ));
                LocationPrecision::Unknown
            }),
            None => LocationPrecision::Unknown,
        };
        let review = match layout.review {
            Review::Fixed(r) => r,
            Review::MmpQuality(None) => ReviewStatus::Unverified,
            Review::MmpQuality(Some(c)) => match parse_count(get(c)) {
                Ok(Some(q)) if (3..=5).contains(&q) => ReviewStatus::Verified,
                Ok(Some(q)) if (1..=2).contains(&q) => ReviewStatus::Unverified,
                Ok(None) => ReviewStatus::Unverified,
                _ => {
                    self.flags.push((
                        c,
                        format!(
                            "{:?}: expected a source quality 1..5; read as unverified",
                            get(c).trim()
                        ),
                    ));
                    ReviewStatus::Unverified
                }
            },
        };
        let text = |c: Option<usize>| {
            c.map(get)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let mut severity = category.severity_for(people);
        if layout.fatal_floor && dead.unwrap_or(0) >= 1 && severity < Severity::Severe {
            severity = Severity::Severe;
        }
        Some(Mapped {
            location,
            occurred_at,
            category,
            severity,
            people,
            dead: dead.and_then(|d| u32::try_from(d).ok()),
            missing: missing.and_then(|m| u32::try_from(m).ok()),
            location_precision,
            time_precision,
            review,
            source_category,
            country: text(layout.country),
            description: text(layout.description),
        })
    }

    /// Claims the row's key and pushes the incident (with the row's flags).
    fn accept(
        &mut self,
        at: RecordRef,
        raw: Option<(usize, usize)>,
        id: Cow<'_, str>,
        m: Mapped,
        out: &mut Outcome<Incident>,
    ) {
        let layout = self.layout;
        let source_id = match self.keys.claim(&id, at, raw, self.buf) {
            Claim::Unique => id.into_owned(),
            Claim::ExactDuplicate { of } => {
                out.report.skip(
                    at,
                    Some(id.into_owned()),
                    format!("exact duplicate of {of}"),
                );
                return;
            }
            Claim::Renamed { key, first } => {
                self.renamed += 1;
                let col = layout.id.map_or("(row content)", |c| self.name(c));
                out.report.flag(
                    at,
                    Some(key.clone()),
                    Some(col),
                    format!("id {id:?} repeats {first} with different content; kept as {key:?}"),
                );
                key
            }
        };
        let key = SourceKey {
            source: layout.source.clone(),
            source_id,
        };
        let mut incident = match Incident::new(key, m.location, m.occurred_at, m.category, m.people)
        {
            Ok(i) => i,
            Err(e) => {
                out.report
                    .reject(at, None, Some(self.name(layout.date)), e.to_string());
                return;
            }
        };
        incident.severity = m.severity;
        incident.location_precision = m.location_precision;
        incident.time_precision = m.time_precision;
        incident.source_category = m.source_category;
        incident.dead = m.dead;
        incident.missing = m.missing;
        incident.review = m.review;
        incident.country = m.country;
        incident.description = m.description;
        if !self.flags.is_empty() {
            for (c, reason) in self.flags.drain(..) {
                let name = self.header.get(c).map(str::trim).unwrap_or("?");
                out.report
                    .flag(at, Some(incident.key.source_id.clone()), Some(name), reason);
            }
        }
        out.push(incident, at);
    }

    fn finish(&mut self, report: &mut Report) {
        for (reason, n) in &self.skipped_ucdp {
            report.note(format!(
                "{n} UCDP event(s) skipped (not rejected): {reason}"
            ));
        }
        if self.corrections > 0 {
            let col = self.layout.missing.map_or("missing", |c| self.name(c));
            report.note(format!(
                "{} record(s) have a negative {col:?}: MMP's correction when people earlier reported missing are \
                 found dead (counted in the dead column); read as 0 missing",
                self.corrections
            ));
        }
        if self.renamed > 0 {
            report.note(format!(
                "{} record(s) repeat an earlier record's id with different content: kept under the id with \
                 \"#2\", \"#3\", … appended (in file order) and flagged",
                self.renamed
            ));
        }
        if self.hashed_ids > 0 {
            report.note(format!(
                "no id column: {} record id(s) derived from a hash of each row's content (\"row-\" + FNV-1a 64 \
                 hex); stable as long as the row does not change",
                self.hashed_ids
            ));
        }
        if !self.unrecognised.is_empty() {
            let total: u32 = self.unrecognised.values().sum();
            let mut by_count: Vec<(&String, &u32)> = self.unrecognised.iter().collect();
            by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let shown: Vec<String> = by_count
                .iter()
                .take(15)
                .map(|(v, n)| format!("{:?} ×{n}", v.replace('\u{1f}', " / ")))
                .collect();
            report.note(format!(
                "{} distinct cause/event value(s) on {total} record(s) are in no category table and were loaded \
                 as `unknown`: {}{}",
                self.unrecognised.len(),
                shown.join(", "),
                if by_count.len() > shown.len() { ", …" } else { "" }
            ));
        }
    }
}
