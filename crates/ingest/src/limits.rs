//! Size limits on what the readers accept, in one place: how far a gzip input may expand and
//! how long an identifier or a text field may be. A record over a field limit is rejected
//! naming the field; an input over the decompression cap is an [`crate::IngestError::TooLarge`].

/// The most bytes a gzip input may decompress to by default (the CLI's cap): 1 GiB. The
/// server sets its own, lower cap (`ServerConfig::max_decompressed_bytes`).
pub const MAX_DECOMPRESSED_BYTES: u64 = 1 << 30;

use crate::{Outcome, RecordIssue, Records};
use chrono::{DateTime, Utc};
use senda_core::{Incident, LonLat, Shelter, SourceKey, TransitPoint};

/// Longest identifier (a source name, a record's id in its source, a line's id), bytes.
pub const MAX_ID_BYTES: usize = 256;
/// Longest short text (a name, an address, a phone number, a country), bytes.
pub const MAX_NAME_BYTES: usize = 1024;
/// Longest free text (a description, opening hours), bytes.
pub const MAX_TEXT_BYTES: usize = 16 << 10;
/// How far in the future an incident's date may lie (clocks and time zones differ) by default.
pub const FUTURE_SKEW: chrono::TimeDelta = chrono::TimeDelta::days(1);

/// The per-record bounds [`screen`] applies; [`Limits::default`] uses the constants above.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    pub max_id_bytes: usize,
    pub max_name_bytes: usize,
    pub max_text_bytes: usize,
    /// An incident dated later than now plus this is rejected.
    pub future_skew: chrono::TimeDelta,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_id_bytes: MAX_ID_BYTES,
            max_name_bytes: MAX_NAME_BYTES,
            max_text_bytes: MAX_TEXT_BYTES,
            future_skew: FUTURE_SKEW,
        }
    }
}

/// Why one record is out of bounds: the field and the reason.
type Violation = (String, String);

/// A record the bounds apply to.
pub trait Bounded {
    fn key(&self) -> &SourceKey;
    /// The first field out of bounds, if any.
    fn check(&self, limits: &Limits, now: DateTime<Utc>) -> Option<Violation>;
}

fn too_long(field: &str, value: &str, max: usize) -> Option<Violation> {
    (value.len() > max).then(|| {
        (
            field.to_owned(),
            format!("{} bytes; the limit is {max}", value.len()),
        )
    })
}

fn key_check(key: &SourceKey, l: &Limits) -> Option<Violation> {
    too_long("source", &key.source, l.max_id_bytes)
        .or_else(|| too_long("id", &key.source_id, l.max_id_bytes))
}

/// 0,0 ("null island") is where a missing coordinate lands, never a place on the corridor.
fn null_island(at: LonLat) -> Option<Violation> {
    (at.lon() == 0.0 && at.lat() == 0.0).then(|| {
        (
            "coordinates".to_owned(),
            "0,0 is a missing location written as zeros, not a place".to_owned(),
        )
    })
}

fn opt(field: &str, value: &Option<String>, max: usize) -> Option<Violation> {
    value.as_deref().and_then(|v| too_long(field, v, max))
}

impl Bounded for Incident {
    fn key(&self) -> &SourceKey {
        &self.key
    }

    fn check(&self, l: &Limits, now: DateTime<Utc>) -> Option<Violation> {
        key_check(&self.key, l)
            .or_else(|| null_island(self.location))
            .or_else(|| {
                (self.occurred_at > now + l.future_skew).then(|| {
                    (
                        "occurred_at".to_owned(),
                        format!(
                            "{} is in the future (more than {} h from now)",
                            self.occurred_at.to_rfc3339(),
                            l.future_skew.num_hours()
                        ),
                    )
                })
            })
            .or_else(|| opt("source_category", &self.source_category, l.max_name_bytes))
            .or_else(|| opt("country", &self.country, l.max_name_bytes))
            .or_else(|| opt("description", &self.description, l.max_text_bytes))
    }
}

impl Bounded for Shelter {
    fn key(&self) -> &SourceKey {
        &self.key
    }

    fn check(&self, l: &Limits, _: DateTime<Utc>) -> Option<Violation> {
        key_check(&self.key, l)
            .or_else(|| null_island(self.location))
            .or_else(|| too_long("name", &self.name, l.max_name_bytes))
            .or_else(|| opt("address", &self.address, l.max_name_bytes))
            .or_else(|| opt("state", &self.state, l.max_name_bytes))
            .or_else(|| opt("country", &self.country, l.max_name_bytes))
            .or_else(|| opt("phone", &self.phone, l.max_name_bytes))
            .or_else(|| opt("whatsapp", &self.whatsapp, l.max_name_bytes))
            .or_else(|| opt("hours", &self.hours, l.max_text_bytes))
            .or_else(|| opt("description", &self.description, l.max_text_bytes))
            .or_else(|| {
                self.languages
                    .iter()
                    .find_map(|v| too_long("languages", v, l.max_name_bytes))
            })
    }
}

impl Bounded for TransitPoint {
    fn key(&self) -> &SourceKey {
        &self.key
    }

    fn check(&self, l: &Limits, _: DateTime<Utc>) -> Option<Violation> {
        key_check(&self.key, l)
            .or_else(|| null_island(self.location))
            .or_else(|| too_long("name", &self.name, l.max_name_bytes))
            .or_else(|| opt("country", &self.country, l.max_name_bytes))
            .or_else(|| {
                self.routes.iter().find_map(|r| {
                    too_long("routes.id", &r.id, l.max_id_bytes)
                        .or_else(|| opt("routes.short_name", &r.short_name, l.max_name_bytes))
                        .or_else(|| opt("routes.long_name", &r.long_name, l.max_name_bytes))
                        .or_else(|| opt("routes.agency", &r.agency, l.max_name_bytes))
                })
            })
    }
}

/// The start of `s`, at most `max` bytes (on a character boundary).
fn clip(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

/// Moves every record out of bounds from `outcome.records` to its report's rejections,
/// naming the field (a rejected id is quoted clipped to the id limit).
pub fn screen<T: Bounded>(outcome: &mut Outcome<T>, limits: &Limits, now: DateTime<Utc>) {
    let report = &mut outcome.report;
    outcome
        .records
        .retain(|r| match r.record.check(limits, now) {
            None => true,
            Some((field, reason)) => {
                report.accepted = report.accepted.saturating_sub(1);
                report.rejected.push(RecordIssue {
                    at: r.at,
                    source_id: Some(clip(&r.record.key().source_id, limits.max_id_bytes)),
                    field: Some(field),
                    reason,
                });
                false
            }
        });
}

/// [`screen`] on every part of `records` (a road network's transit points and shelters too).
pub fn screen_records(records: &mut Records, limits: &Limits, now: DateTime<Utc>) {
    match records {
        Records::Network(n) => {
            screen(&mut n.transit, limits, now);
            screen(&mut n.shelters, limits, now);
        }
        Records::Incidents(o) => screen(o, limits, now),
        Records::Shelters(o) => screen(o, limits, now),
        Records::Transit(o) => screen(o, limits, now),
        Records::Weather(_) => {}
    }
}
