//! UCDP Georeferenced Event Dataset (GED) rows → incidents. The mapping tables are the
//! [module docs of `incidents`](super) (user documentation); this file is the same rules in
//! code.
//!
//! GED is a coded dataset with closed vocabularies, so its reader is stricter than the
//! others: a code outside GED's codebook, a negative or non-numeric death count, a missing
//! `best` or an end date before the start date rejects the row (naming the column), where the
//! MMP and ACLED readers flag a bad secondary value and load the row anyway. A value GED
//! defines but senda cannot place (`where_prec` 6, country; 7, international waters) skips
//! the row.

use super::fields::{parse_count, parse_date, parse_lat_lon, DateStyle};
use super::rows::Mapped;
use crate::category;
use senda_core::{IncidentCategory, LocationPrecision, ReviewStatus, Severity, TimePrecision};

/// GED's 49 columns (GED 24.1 codebook order). Columns outside this list are noted as
/// ignored.
pub(crate) const COLUMNS: &[&str] = &[
    "id",
    "relid",
    "year",
    "active_year",
    "code_status",
    "type_of_violence",
    "conflict_dset_id",
    "conflict_new_id",
    "conflict_name",
    "dyad_dset_id",
    "dyad_new_id",
    "dyad_name",
    "side_a_dset_id",
    "side_a_new_id",
    "side_a",
    "side_b_dset_id",
    "side_b_new_id",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "geom_wkt",
    "priogrid_gid",
    "country",
    "country_id",
    "region",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
    "gwnoa",
    "gwnob",
];

/// The columns a GED file must have.
pub(crate) const REQUIRED: &[&str; 8] = &[
    "id",
    "type_of_violence",
    "where_prec",
    "latitude",
    "longitude",
    "date_prec",
    "date_start",
    "best",
];

/// Death counts other than `best`, checked like it when present.
pub(crate) const OTHER_COUNTS: &[&str] = &[
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "high",
    "low",
];

/// Where each GED column is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Columns {
    pub type_of_violence: usize,
    pub where_prec: usize,
    pub latitude: usize,
    pub longitude: usize,
    pub date_prec: usize,
    pub date_start: usize,
    pub date_end: Option<usize>,
    pub best: usize,
    /// [`OTHER_COUNTS`] that are present.
    pub other_counts: Vec<usize>,
    /// `dyad_name`, else `conflict_name`.
    pub dyad: Option<usize>,
    /// `where_coordinates`, `adm_2`, `adm_1` (those present): the place, finest first.
    pub place: Vec<usize>,
    pub country: Option<usize>,
}

/// Why a row gives no incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Issue {
    /// A valid GED event senda does not load.
    Skip(String),
    /// Bad input in `column`.
    Reject { column: usize, reason: String },
}

fn reject(column: usize, reason: String) -> Issue {
    Issue::Reject { column, reason }
}

/// A GED code: a whole number in `1..=max` (`"2.0"` is read as 2), else `None`.
fn code(value: &str, max: u8) -> Option<u8> {
    match parse_count(value) {
        Ok(Some(n)) if (1..=i64::from(max)).contains(&n) => u8::try_from(n).ok(),
        _ => None,
    }
}

/// A death count: a whole number ≥ 0.
fn deaths(value: &str) -> Result<u32, String> {
    match parse_count(value)? {
        None => Err("empty: expected a death count (a whole number >= 0)".into()),
        Some(n) if n < 0 => Err(format!("{n}: a death count cannot be negative")),
        Some(n) => u32::try_from(n).map_err(|_| format!("{n}: too large")),
    }
}

/// `where_prec` → location precision; 6 and 7 are skipped. See the table in the module docs
/// of `incidents`.
pub(crate) fn location_precision(where_prec: u8) -> Result<LocationPrecision, &'static str> {
    Ok(match where_prec {
        // The town, village or neighbourhood named in the sources, at its coordinates.
        1 => LocationPrecision::Local,
        // Within about 25 km of a named place.
        2 => LocationPrecision::Area,
        // Only the municipality, at its centroid. A Mexican municipality averages ~800 km²
        // (a disk of 16 km radius): the default `area` kernel covers one.
        3 => LocationPrecision::Area,
        // Only the state (centroid), or a part of the country or a road or river: `region`.
        4 | 5 => LocationPrecision::Region,
        6 => return Err("where_prec 6: only the country is known, too coarse to place on a route"),
        _ => return Err("where_prec 7: international waters or airspace, no place on a route"),
    })
}

/// `date_prec` → time precision.
pub(crate) fn time_precision(date_prec: u8) -> TimePrecision {
    match date_prec {
        1 => TimePrecision::Day,
        2 | 3 => TimePrecision::Week,
        4 => TimePrecision::Month,
        _ => TimePrecision::Year,
    }
}

/// Severity from the category and `best`: the category's base (armed_conflict severe,
/// violence critical); one level up from 5 deaths (as every source); one level down when the
/// best estimate is 0 deaths (GED keeps such events when its high estimate has a death: the
/// death is possible, not established).
pub(crate) fn severity(category: IncidentCategory, best: u32) -> Severity {
    let s = category.severity_for(best);
    if best == 0 {
        s.lowered()
    } else {
        s
    }
}

/// Maps one GED row; `get(c)` is column `c`'s text.
pub(crate) fn map<'r>(get: &dyn Fn(usize) -> &'r str, c: &Columns) -> Result<Mapped, Issue> {
    // Where first: an event that cannot be placed is skipped whatever else is wrong with it.
    let where_prec = code(get(c.where_prec), 7).ok_or_else(|| {
        reject(
            c.where_prec,
            format!(
                "{:?}: expected a GED location precision 1..7 (1 exact place, 2 within 25 km, \
                 3 municipality, 4 state, 5 part of the country, 6 country, 7 international waters)",
                get(c.where_prec).trim()
            ),
        )
    })?;
    let location_precision =
        location_precision(where_prec).map_err(|why| Issue::Skip(why.to_owned()))?;
    let (source_category, category) = code(get(c.type_of_violence), 3)
        .and_then(category::ucdp)
        .ok_or_else(|| {
            reject(
                c.type_of_violence,
                format!(
                    "{:?}: expected a GED type of violence 1 (state-based), 2 (non-state) or 3 (one-sided)",
                    get(c.type_of_violence).trim()
                ),
            )
        })?;
    let location = parse_lat_lon(get(c.latitude), get(c.longitude))
        .map_err(|(is_lat, r)| reject(if is_lat { c.latitude } else { c.longitude }, r))?;
    let occurred_at =
        parse_date(get(c.date_start), DateStyle::Iso).map_err(|r| reject(c.date_start, r))?;
    if let Some(col) = c.date_end.filter(|col| !get(*col).trim().is_empty()) {
        let end = parse_date(get(col), DateStyle::Iso).map_err(|r| reject(col, r))?;
        if end < occurred_at {
            return Err(reject(
                col,
                format!(
                    "{:?} is before date_start {:?}",
                    get(col).trim(),
                    get(c.date_start).trim()
                ),
            ));
        }
    }
    let date_prec = code(get(c.date_prec), 5).ok_or_else(|| {
        reject(
            c.date_prec,
            format!(
                "{:?}: expected a GED date precision 1..5 (1 day, 2 two to six days, 3 week, 4 month, 5 year)",
                get(c.date_prec).trim()
            ),
        )
    })?;
    let best = deaths(get(c.best)).map_err(|r| reject(c.best, r))?;
    for &col in &c.other_counts {
        if !get(col).trim().is_empty() {
            deaths(get(col)).map_err(|r| reject(col, r))?;
        }
    }
    if best > 100_000 {
        return Err(reject(
            c.best,
            format!("{best} deaths is implausibly large (over 100,000)"),
        ));
    }
    let text = |col: Option<usize>| {
        col.map(|col| get(col).trim())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    // "Sinaloa Cartel - Tijuana Cartel at Tijuana city, Tijuana municipality, Baja California state"
    let mut places: Vec<&str> = Vec::with_capacity(3);
    for &col in &c.place {
        let p = get(col).trim();
        if !p.is_empty() && !places.contains(&p) {
            places.push(p);
        }
    }
    let description = match (text(c.dyad), places.is_empty()) {
        (Some(d), false) => Some(format!("{d} at {}", places.join(", "))),
        (Some(d), true) => Some(d),
        (None, false) => Some(places.join(", ")),
        (None, true) => None,
    };
    Ok(Mapped {
        location,
        occurred_at,
        category,
        severity: severity(category, best),
        people: best,
        dead: Some(best),
        missing: None,
        location_precision,
        time_precision: time_precision(date_prec),
        // UCDP is a curated dataset: trained coders code each event from news and NGO sources,
        // check it against the codebook's definitions (organised actors, at least one death)
        // and UCDP reviews it before release. That is what `verified` means for other sources
        // (MMP source quality 3+, ACLED's own review), so GED events are verified.
        review: ReviewStatus::Verified,
        source_category: Some(source_category.to_owned()),
        country: text(c.country),
        description,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(code(" 2 ", 3), Some(2));
        assert_eq!(code("2.0", 3), Some(2));
        assert_eq!(code("0", 3), None);
        assert_eq!(code("4", 3), None);
        assert_eq!(code("-1", 3), None);
        assert_eq!(code("x", 3), None);
        assert_eq!(code("", 3), None);
    }

    #[test]
    fn death_counts() {
        assert_eq!(deaths("0"), Ok(0));
        assert_eq!(deaths("1,881"), Ok(1881));
        assert!(deaths("-1").unwrap_err().contains("negative"));
        assert!(deaths("").unwrap_err().contains("empty"));
        assert!(deaths("many").unwrap_err().contains("not a whole number"));
    }

    #[test]
    fn severity_thresholds() {
        use IncidentCategory as C;
        use Severity as S;
        let table = [
            (C::ArmedConflict, 0, S::Serious),
            (C::ArmedConflict, 1, S::Severe),
            (C::ArmedConflict, 4, S::Severe),
            (C::ArmedConflict, 5, S::Critical),
            (C::Violence, 0, S::Severe),
            (C::Violence, 1, S::Critical),
            (C::Violence, 1881, S::Critical),
        ];
        for (c, best, want) in table {
            assert_eq!(severity(c, best), want, "{c:?} {best}");
        }
    }

    #[test]
    fn precisions() {
        use LocationPrecision as L;
        let got: Vec<_> = (1..=7).map(location_precision).collect();
        assert_eq!(
            got[..5],
            [
                Ok(L::Local),
                Ok(L::Area),
                Ok(L::Area),
                Ok(L::Region),
                Ok(L::Region)
            ]
        );
        assert!(got[5].is_err() && got[6].is_err());
        let t: Vec<_> = (1..=5).map(time_precision).collect();
        use TimePrecision as T;
        assert_eq!(t, [T::Day, T::Week, T::Week, T::Month, T::Year]);
    }
}
