//! Headways: how many minutes pass between departures of one line at one stop.
//!
//! Computed for one **reference day** — the weekday (Monday to Friday) on which most trips
//! run by `calendar.txt`'s day columns (services defined only in `calendar_dates.txt` run on
//! the weekdays of their added dates; the dates' range and removals are ignored, so an
//! expired feed still describes a typical week; with no calendar at all every trip runs; if
//! no trip runs on a weekday, the day of the week with most trips) — and a **window** of
//! [`WINDOW_START_S`]..[`WINDOW_END_S`] (06:00–20:00), so night and peak-edge service do not
//! distort it:
//!
//! - **from `frequencies.txt`**, when trips of the line serving the stop have frequencies: the
//!   median of their `headway_secs`, each window weighted by how long it overlaps the day
//!   window (the stop's offset along the trip is ignored);
//! - **else from `stop_times.txt`**: the departures (else arrivals) of the line's trips at
//!   the stop within the window, per direction (`direction_id`, else `trip_headsign`, so two
//!   directions through one station do not halve the figure); the gaps between consecutive
//!   distinct departures of each direction, pooled; their median (the mean of the two
//!   middle gaps for an even count).
//!
//! No headway when neither gives a figure (fewer than two departures in a direction, no
//! times — as in feeds that give stop order only). Rounded to whole seconds.

/// Start of the day window, seconds after midnight (06:00).
pub const WINDOW_START_S: u32 = 6 * 3600;
/// End of the day window (20:00, exclusive).
pub const WINDOW_END_S: u32 = 20 * 3600;

/// Parses a GTFS time `H:MM:SS` (hours may exceed 23 for trips past midnight) into seconds.
pub(crate) fn parse_time(s: &str) -> Option<u32> {
    let mut parts = s.trim().split(':');
    let (h, m, sec) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || h.is_empty() || h.len() > 3 || m.len() != 2 || sec.len() != 2 {
        return None;
    }
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if !(digits(h) && digits(m) && digits(sec)) {
        return None;
    }
    let (h, m, sec): (u32, u32, u32) = (h.parse().ok()?, m.parse().ok()?, sec.parse().ok()?);
    (m < 60 && sec < 60).then_some(h * 3600 + m * 60 + sec)
}

/// The median gap between consecutive distinct times of each group, pooled over groups.
/// `departures` are `(group, seconds)`, in any order; sorted in place.
pub(crate) fn median_gap(departures: &mut [(u32, u32)]) -> Option<u32> {
    departures.sort_unstable();
    let mut gaps: Vec<u32> = departures
        .windows(2)
        .filter(|w| w[0].0 == w[1].0 && w[1].1 > w[0].1)
        .map(|w| w[1].1 - w[0].1)
        .collect();
    if gaps.is_empty() {
        return None;
    }
    gaps.sort_unstable();
    let n = gaps.len();
    Some(if n % 2 == 1 {
        gaps[n / 2]
    } else {
        // Mean of the two middle gaps, rounded half up.
        (gaps[n / 2 - 1] + gaps[n / 2]).div_ceil(2)
    })
}

/// The weighted median of `(headway_s, weight_s)` pairs: the smallest headway at which the
/// cumulative weight reaches half the total. `None` when no weight.
pub(crate) fn weighted_median(windows: &mut [(u32, u64)]) -> Option<u32> {
    let total: u64 = windows.iter().map(|w| w.1).sum();
    if total == 0 {
        return None;
    }
    windows.sort_unstable();
    let mut acc = 0u64;
    for &(h, w) in windows.iter() {
        acc += w;
        if 2 * acc >= total {
            return Some(h);
        }
    }
    windows.last().map(|w| w.0)
}

/// Seconds of `[start, end)` inside the day window.
pub(crate) fn overlap_s(start: u32, end: u32) -> u64 {
    let (a, b) = (start.max(WINDOW_START_S), end.min(WINDOW_END_S));
    u64::from(b.saturating_sub(a))
}

/// Which days of the week a service runs: bit 0 Monday … bit 6 Sunday.
pub(crate) type DayMask = u8;

/// Every day.
pub(crate) const EVERY_DAY: DayMask = 0x7f;

/// The day names, Monday first.
pub(crate) const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The reference day (0 = Monday) for trips' day masks: the weekday with most trips, else the
/// day of the week with most, ties to the earlier day; `None` when no trip runs on any day.
pub(crate) fn reference_day(masks: impl Iterator<Item = DayMask>) -> Option<(usize, u64)> {
    let mut counts = [0u64; 7];
    for m in masks {
        for (d, c) in counts.iter_mut().enumerate() {
            *c += u64::from(m >> d & 1);
        }
    }
    let best = |days: std::ops::Range<usize>| {
        days.map(|d| (d, counts[d])).filter(|(_, c)| *c > 0).fold(
            None,
            |best: Option<(usize, u64)>, (d, c)| match best {
                Some((_, bc)) if bc >= c => best,
                _ => Some((d, c)),
            },
        )
    };
    best(0..5).or_else(|| best(0..7))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_time("06:20:00"), Some(6 * 3600 + 20 * 60));
        assert_eq!(parse_time("6:20:05"), Some(6 * 3600 + 20 * 60 + 5));
        assert_eq!(parse_time(" 25:00:00 "), Some(25 * 3600));
        for bad in [
            "",
            "6:2:00",
            "06:60:00",
            "06:00",
            "aa:00:00",
            "06:00:00:00",
            "-1:00:00",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn median_gaps_per_group() {
        // Two directions interleaved 5 minutes apart, each every 10 minutes: 10, not 5.
        let mut d = vec![(0, 0), (0, 600), (0, 1200), (1, 300), (1, 900), (1, 1500)];
        assert_eq!(median_gap(&mut d), Some(600));
        // Duplicates are one departure; even count: mean of the middle two.
        let mut d = vec![(0, 0), (0, 0), (0, 100), (0, 300), (0, 600), (0, 1000)];
        assert_eq!(median_gap(&mut d), Some(250));
        assert_eq!(median_gap(&mut [(0, 5)]), None);
        assert_eq!(median_gap(&mut [(0, 5), (1, 7)]), None);
    }

    #[test]
    fn weighted_medians() {
        assert_eq!(weighted_median(&mut [(300, 3600), (900, 100)]), Some(300));
        assert_eq!(weighted_median(&mut [(300, 100), (900, 3600)]), Some(900));
        assert_eq!(weighted_median(&mut [(300, 0)]), None);
        assert_eq!(overlap_s(5 * 3600, 7 * 3600), 3600);
        assert_eq!(overlap_s(21 * 3600, 23 * 3600), 0);
    }

    #[test]
    fn reference_days() {
        // Weekdays first: 3 trips Mon–Fri beat 5 on Sunday.
        let masks = [0b0011111u8, 0b0011111, 0b0011111, 0b1000000, 0b1000000];
        assert_eq!(reference_day(masks.into_iter()), Some((0, 3)));
        assert_eq!(
            reference_day([0b0000100u8, 0b0000110].into_iter()),
            Some((2, 2))
        );
        assert_eq!(reference_day([0b1000000u8].into_iter()), Some((6, 1)));
        assert_eq!(reference_day([0u8].into_iter()), None);
    }
}
