//! Parsers for the values inside one incident record: dates, coordinates, counts. Each returns
//! a reason (without the field name, which the caller knows) on failure. No regex, no
//! allocation on success.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use senda_core::{LonLat, TimePrecision};

/// Why a value could not be read; rendered into the rejection's reason.
pub(crate) type Reason = String;

fn quoted(value: &str) -> String {
    let mut v: String = value.chars().take(80).collect();
    if v.len() < value.len() {
        v.push('…');
    }
    format!("{v:?}")
}

/// How a date column is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateStyle {
    /// `2019-05-01` (HXL, ACLED), also `15 January 2024` (ACLED) and `January 05, 2020`.
    Iso,
    /// `January 05, 2020` (old MMP export).
    MonthDayYear,
    /// `Thu, 01/01/2026 - 12:00`, month first (current MMP export).
    MmpNew,
}

impl DateStyle {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::Iso => "YYYY-MM-DD (or \"15 January 2024\")",
            Self::MonthDayYear => "\"Month DD, YYYY\" (e.g. \"January 05, 2020\")",
            Self::MmpNew => "\"Ddd, MM/DD/YYYY - HH:MM\" (e.g. \"Thu, 01/01/2026 - 12:00\")",
        }
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 4 {
        return None;
    }
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

fn midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc()
}

/// `YYYY-MM-DD` exactly.
fn iso_date(s: &[u8]) -> Option<NaiveDate> {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *s else {
        return None;
    };
    NaiveDate::from_ymd_opt(
        digits(&[y0, y1, y2, y3])? as i32,
        digits(&[m0, m1])?,
        digits(&[d0, d1])?,
    )
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// A full English month name or its 3-letter abbreviation ("Sept" too), any case.
fn month(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.');
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| {
            m.eq_ignore_ascii_case(w)
                || (w.len() == 3 && m.get(..3).is_some_and(|p| p.eq_ignore_ascii_case(w)))
                || (m == &"september" && w.eq_ignore_ascii_case("sept"))
        })
        .map(|i| i as u32 + 1)
}

/// `January 05, 2020` (comma optional).
fn month_day_year(s: &str) -> Option<NaiveDate> {
    let mut it = s.split_ascii_whitespace();
    let m = month(it.next()?)?;
    let d = digits(it.next()?.trim_end_matches(',').as_bytes())?;
    let y = digits(it.next()?.as_bytes())?;
    if it.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(y as i32, m, d)
}

/// `15 January 2024`.
fn day_month_year(s: &str) -> Option<NaiveDate> {
    let mut it = s.split_ascii_whitespace();
    let d = digits(it.next()?.as_bytes())?;
    let m = month(it.next()?)?;
    let y = digits(it.next()?.as_bytes())?;
    if it.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(y as i32, m, d)
}

/// `Thu, 01/01/2026 - 12:00`: the weekday and the time are optional. MMP writes 12:00 for
/// every record (a placeholder, not a time of day), so the time is checked but dropped.
fn mmp_new(s: &str) -> Option<NaiveDate> {
    let s = match s.split_once(',') {
        Some((weekday, rest)) if weekday.trim().chars().all(|c| c.is_ascii_alphabetic()) => {
            rest.trim()
        }
        _ => s,
    };
    let (date, time) = match s.split_once(" - ") {
        Some((d, t)) => (d.trim(), Some(t.trim())),
        None => (s, None),
    };
    if let Some(t) = time {
        NaiveTime::parse_from_str(t, "%H:%M").ok()?;
    }
    let b = date.as_bytes();
    let mut parts = b.split(|c| *c == b'/');
    let m = digits(parts.next()?)?;
    let d = digits(parts.next()?)?;
    let y = parts.next()?;
    if y.len() != 4 || parts.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(digits(y)? as i32, m, d)
}

/// Parses a CSV date column. Plausible years only (1900–2100): a year outside means the
/// column holds something else.
pub(crate) fn parse_date(value: &str, style: DateStyle) -> Result<DateTime<Utc>, Reason> {
    let v = value.trim();
    if v.is_empty() {
        return Err("empty: the record has no date".into());
    }
    let date = match style {
        DateStyle::Iso => iso_date(v.as_bytes())
            .or_else(|| iso_datetime(v).map(|t| t.date_naive()))
            .or_else(|| day_month_year(v))
            .or_else(|| month_day_year(v)),
        DateStyle::MonthDayYear => month_day_year(v).or_else(|| iso_date(v.as_bytes())),
        DateStyle::MmpNew => mmp_new(v),
    };
    match date {
        Some(d) if (1900..=2100).contains(&chrono::Datelike::year(&d)) => Ok(midnight(d)),
        Some(_) => Err(format!("{}: year outside 1900..2100", quoted(v))),
        None => Err(format!(
            "{}: not a valid date, expected {}",
            quoted(v),
            style.describe()
        )),
    }
}

/// RFC 3339 (`2024-01-15T08:30:00Z`, `…-06:00`), also with a space for the `T`, without
/// seconds or offset (read as UTC), and with fractional seconds (`1989-01-01 00:00:00.000`,
/// as database exports, e.g. some copies of UCDP GED, write dates).
fn iso_datetime(v: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t.with_timezone(&Utc));
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(v, f).ok())
    .map(|t| t.and_utc())
}

/// A date or a date-time (GeoJSON `date` / `occurred_at`): `YYYY-MM-DD` gives day precision,
/// RFC 3339 gives exact time.
pub(crate) fn parse_date_or_time(value: &str) -> Result<(DateTime<Utc>, TimePrecision), Reason> {
    let v = value.trim();
    if v.is_empty() {
        return Err("empty: the record has no date".into());
    }
    let (t, p) = if let Some(d) = iso_date(v.as_bytes()) {
        (midnight(d), TimePrecision::Day)
    } else if let Some(t) = iso_datetime(v) {
        (t, TimePrecision::Exact)
    } else {
        return Err(format!(
            "{}: not a valid date, expected RFC 3339 (2024-01-15T08:30:00Z) or YYYY-MM-DD",
            quoted(v)
        ));
    };
    if !(1900..=2100).contains(&chrono::Datelike::year(&t)) {
        return Err(format!("{}: year outside 1900..2100", quoted(v)));
    }
    Ok((t, p))
}

/// One coordinate as text: `axis` is "latitude" or "longitude".
fn coordinate(text: &str, axis: &str, limit: f64) -> Result<f64, Reason> {
    let t = text.trim();
    if t.is_empty() {
        return Err(format!("{axis} is empty"));
    }
    let v: f64 = t
        .parse()
        .map_err(|_| format!("{axis} {} is not a number", quoted(t)))?;
    if !v.is_finite() {
        return Err(format!("{axis} {} is not a finite number", quoted(t)));
    }
    if !(-limit..=limit).contains(&v) {
        return Err(format!("{axis} {v} is outside -{limit}..{limit}"));
    }
    Ok(v)
}

fn point(lon: f64, lat: f64) -> Result<LonLat, Reason> {
    LonLat::new(lon, lat).map_err(|e| e.to_string())
}

/// `"lat, lon"` in one field (MMP's order: latitude first).
pub(crate) fn parse_lat_lon_pair(value: &str) -> Result<LonLat, Reason> {
    let v = value.trim();
    if v.is_empty() {
        return Err("empty: the record has no coordinates".into());
    }
    let Some((lat, lon)) = v.split_once(',') else {
        return Err(format!("{}: expected \"lat, lon\"", quoted(v)));
    };
    if lon.contains(',') {
        return Err(format!(
            "{}: expected two numbers \"lat, lon\", found more",
            quoted(v)
        ));
    }
    let lat = coordinate(lat, "latitude", 90.0).map_err(|e| format!("{}: {e}", quoted(v)))?;
    let lon = coordinate(lon, "longitude", 180.0).map_err(|e| format!("{}: {e}", quoted(v)))?;
    point(lon, lat)
}

/// Separate latitude and longitude fields. The error names which of the two is bad.
pub(crate) fn parse_lat_lon(lat: &str, lon: &str) -> Result<LonLat, (bool, Reason)> {
    if lat.trim().is_empty() && lon.trim().is_empty() {
        return Err((
            true,
            "latitude and longitude are both empty: the record has no location".into(),
        ));
    }
    let lat = coordinate(lat, "latitude", 90.0).map_err(|e| (true, e))?;
    let lon = coordinate(lon, "longitude", 180.0).map_err(|e| (false, e))?;
    point(lon, lat).map_err(|e| (true, e))
}

/// A count of people: empty → `None`; `1,022` (thousands separators) is accepted; negative
/// values are returned as they are (the caller decides what they mean).
pub(crate) fn parse_count(value: &str) -> Result<Option<i64>, Reason> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let (neg, body) = match v.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, v),
    };
    let bad = || format!("{}: not a whole number", quoted(v));
    let grouped = body.contains(',');
    if !grouped {
        // "3.0" is a whole number written as a decimal (some exports do that).
        if let Some(whole) = body
            .strip_suffix(".0")
            .filter(|w| !w.is_empty() && w.bytes().all(|c| c.is_ascii_digit()))
        {
            return parse_count(whole).map(|n| n.map(|n| if neg { -n } else { n }));
        }
    }
    let mut n: i64 = 0;
    for (i, g) in body.split(',').enumerate() {
        let well_formed = !g.is_empty()
            && g.bytes().all(|c| c.is_ascii_digit())
            && (!grouped || (i == 0 && g.len() <= 3) || g.len() == 3);
        if !well_formed {
            return Err(bad());
        }
        for c in g.bytes() {
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(i64::from(c - b'0')))
                .ok_or_else(|| format!("{}: too large", quoted(v)))?;
        }
    }
    Ok(Some(if neg { -n } else { n }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str, style: DateStyle) -> String {
        parse_date(s, style)
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|e| e)
    }

    #[test]
    fn dates_in_every_style() {
        assert_eq!(day("2019-05-01", DateStyle::Iso), "2019-05-01 00:00");
        assert_eq!(day(" 15 January 2024 ", DateStyle::Iso), "2024-01-15 00:00");
        assert_eq!(day("15 Sept 2024", DateStyle::Iso), "2024-09-15 00:00");
        assert_eq!(
            day("January 05, 2020", DateStyle::MonthDayYear),
            "2020-01-05 00:00"
        );
        assert_eq!(
            day("Feb 29, 2020", DateStyle::MonthDayYear),
            "2020-02-29 00:00"
        );
        assert_eq!(
            day("Thu, 01/01/2026 - 12:00", DateStyle::MmpNew),
            "2026-01-01 00:00"
        );
        assert_eq!(
            day("Sat, 04/18/2026 - 12:00", DateStyle::MmpNew),
            "2026-04-18 00:00"
        );
        assert_eq!(day("04/18/2026", DateStyle::MmpNew), "2026-04-18 00:00");
        assert_eq!(
            day("1989-01-01 00:00:00.000", DateStyle::Iso),
            "1989-01-01 00:00"
        );
        assert_eq!(
            day("2023-12-31 00:00:00", DateStyle::Iso),
            "2023-12-31 00:00"
        );
    }

    #[test]
    fn bad_dates_are_explained() {
        assert!(day("", DateStyle::Iso).contains("empty"));
        assert!(day("2019-02-30", DateStyle::Iso).contains("not a valid date"));
        assert!(day("2019-5-1", DateStyle::Iso).contains("not a valid date"));
        assert!(day("18/04/2026", DateStyle::MmpNew).contains("MM/DD/YYYY"));
        assert!(day("Thu, 01/01/2026 - 25:00", DateStyle::MmpNew).contains("not a valid date"));
        assert!(day("Smarch 05, 2020", DateStyle::MonthDayYear).contains("not a valid date"));
        assert!(day("0001-01-01", DateStyle::Iso).contains("year outside"));
        assert!(day("١٢٣٤-01-01", DateStyle::Iso).contains("not a valid date"));
    }

    #[test]
    fn date_or_time() {
        let (t, p) = parse_date_or_time("2024-01-15T08:30:00-06:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-01-15T14:30:00+00:00");
        assert_eq!(p, TimePrecision::Exact);
        let (t, p) = parse_date_or_time("2024-01-15").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-01-15T00:00:00+00:00");
        assert_eq!(p, TimePrecision::Day);
        assert!(parse_date_or_time("yesterday").is_err());
    }

    #[test]
    fn coordinate_pairs() {
        let p = parse_lat_lon_pair("16.25, -93.90").unwrap();
        assert_eq!((p.lon(), p.lat()), (-93.90, 16.25));
        assert!(parse_lat_lon_pair("").unwrap_err().contains("empty"));
        assert!(parse_lat_lon_pair("16.25")
            .unwrap_err()
            .contains("expected"));
        assert!(parse_lat_lon_pair("16.25, -93.9, 4")
            .unwrap_err()
            .contains("more"));
        assert!(parse_lat_lon_pair("NaN, -93.9")
            .unwrap_err()
            .contains("finite"));
        assert!(parse_lat_lon_pair("16.25, inf")
            .unwrap_err()
            .contains("finite"));
        assert!(parse_lat_lon_pair("-93.9, 16.25")
            .unwrap_err()
            .contains("latitude -93.9 is outside"));
        assert!(parse_lat_lon_pair("16.25, 193.9")
            .unwrap_err()
            .contains("longitude 193.9"));
        assert!(parse_lat_lon_pair("16,25, -93,90").is_err());
        assert!(parse_lat_lon_pair("abc, -93.9")
            .unwrap_err()
            .contains("not a number"));
    }

    #[test]
    fn separate_coordinates() {
        let p = parse_lat_lon("14.6", "-90.5").unwrap();
        assert_eq!((p.lon(), p.lat()), (-90.5, 14.6));
        assert!(parse_lat_lon("", "").unwrap_err().1.contains("both empty"));
        let (is_lat, why) = parse_lat_lon("14.6", "").unwrap_err();
        assert!(!is_lat && why.contains("longitude is empty"));
        assert!(parse_lat_lon("95", "-90").unwrap_err().0);
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count(""), Ok(None));
        assert_eq!(parse_count(" 7 "), Ok(Some(7)));
        assert_eq!(parse_count("-5"), Ok(Some(-5)));
        assert_eq!(parse_count("1,022"), Ok(Some(1022)));
        assert_eq!(parse_count("12,345,678"), Ok(Some(12_345_678)));
        assert_eq!(parse_count("3.0"), Ok(Some(3)));
        assert!(parse_count("1,02").is_err());
        assert!(parse_count("1.5").is_err());
        assert!(parse_count("abc").is_err());
        assert!(parse_count("-").is_err());
        assert!(parse_count("99999999999999999999999")
            .unwrap_err()
            .contains("too large"));
    }
}
