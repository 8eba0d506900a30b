//! Recognises an incident CSV by its header (and HXL tag row) and resolves, once, which
//! column holds what.

use super::fields::DateStyle;
use super::ucdp;
use csv::StringRecord;
use senda_core::ReviewStatus;

/// Where the location is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Coords {
    /// One `"lat, lon"` field.
    Pair(usize),
    /// Separate latitude and longitude fields.
    Split { lat: usize, lon: usize },
}

/// Which vocabulary the cause / event type column speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Vocab {
    Mmp,
    /// ACLED: the `cause` column is `sub_event_type`, this is `event_type`.
    Acled {
        event_type: usize,
    },
    Generic,
}

/// How the review status is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Review {
    /// MMP "Source Quality" 1..5: 3 or more is verified.
    MmpQuality(Option<usize>),
    Fixed(ReviewStatus),
}

/// The resolved column layout of one file.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub format: &'static str,
    pub source: String,
    /// `None`: ids are derived from each row's content.
    pub id: Option<usize>,
    pub date: usize,
    pub date_style: DateStyle,
    pub time_precision: Option<usize>,
    pub coords: Coords,
    pub geo_precision: Option<usize>,
    pub cause: Option<usize>,
    pub vocab: Vocab,
    pub dead: Option<usize>,
    pub missing: Option<usize>,
    pub total: Option<usize>,
    pub injured: Option<usize>,
    pub review: Review,
    pub country: Option<usize>,
    pub description: Option<usize>,
    /// Every record stands for at least this many people (1 for MMP: a person-level source).
    pub min_people: u32,
    /// ACLED: an event with a fatality is at least `Severe`.
    pub fatal_floor: bool,
    /// UCDP GED: its own strict mapping ([`ucdp::map`]) replaces the generic category, count,
    /// precision and review handling; the generic columns above still name the id, date and
    /// location.
    pub ucdp: Option<ucdp::Columns>,
    /// Notes about the detection, for the report.
    pub notes: Vec<String>,
}

/// Column names of the old MMP export, in its order.
const MMP_OLD: &[&str] = &[
    "Web ID",
    "Region of Incident",
    "Reported Date",
    "Reported Year",
    "Reported Month",
    "Number Dead",
    "Minimum Estimated Number of Missing",
    "Total Dead and Missing",
    "Number of Survivors",
    "Number of Females",
    "Number of Males",
    "Number of Children",
    "Cause of Death",
    "Location Description",
    "Information Source",
    "Location Coordinates",
    "Migration Route",
    "URL",
    "UNSD Geographical Grouping",
    "Source Quality",
];
const MMP_OLD_REQUIRED: &[&str; 3] = &["Web ID", "Reported Date", "Location Coordinates"];

/// Column names of the current MMP export.
const MMP_NEW: &[&str] = &[
    "Main ID",
    "Incident ID",
    "Region",
    "Incident Date",
    "Year",
    "Reported Month",
    "Number Dead",
    "Minimum Estimated Number of Missing",
    "Total Number of Dead and Missing",
    "Number of Survivors",
    "Number of Females",
    "Number of Males",
    "Number of Children",
    "Region of Origin",
    "Cause of Death",
    "Country of Origin",
    "Location of death",
    "Information Source",
    "Coordinates",
    "Migration route",
    "URL",
    "UNSD Geographical Grouping",
    "Source Quality",
];
const MMP_NEW_REQUIRED: &[&str; 3] = &["Main ID", "Incident Date", "Coordinates"];

/// ACLED export columns (current and older exports).
const ACLED: &[&str] = &[
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
    "data_id",
    "iso3",
    "event_id_no_cnty",
];
const ACLED_REQUIRED: &[&str; 5] = &[
    "event_id_cnty",
    "event_date",
    "event_type",
    "latitude",
    "longitude",
];

const EXPECTED: &str = "expected an IOM Missing Migrants export (old: \"Web ID\", \"Reported Date\", \
     \"Location Coordinates\"; current: \"Main ID\", \"Incident Date\", \"Coordinates\"), an ACLED export \
     (event_id_cnty, event_date, event_type, latitude, longitude), a UCDP GED file (id, type_of_violence, \
     where_prec, latitude, longitude, date_prec, date_start, best), or an HXL file (a second row of \
     #tags) with #geo+coord or #geo+lat and #geo+lon and a #date";

fn find(header: &StringRecord, name: &str) -> Option<usize> {
    header
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case(name))
}

fn listed(header: &StringRecord, limit: usize) -> String {
    let mut names: Vec<String> = header
        .iter()
        .take(limit)
        .map(|h| format!("{:?}", h.trim()))
        .collect();
    if header.len() > limit {
        names.push(format!("… ({} in all)", header.len()));
    }
    names.join(", ")
}

/// One HXL hashtag with its attributes, lower-cased: `#affected+killed` → (`affected`, [`killed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Tag {
    hashtag: String,
    attrs: Vec<String>,
}

impl Tag {
    fn parse(cell: &str) -> Option<Tag> {
        let compact: String = cell
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        let body = compact.strip_prefix('#')?;
        let mut parts = body.split('+');
        let hashtag = parts.next()?.to_owned();
        if hashtag.is_empty() {
            return None;
        }
        Some(Tag {
            hashtag,
            attrs: parts.filter(|a| !a.is_empty()).map(str::to_owned).collect(),
        })
    }

    fn has(&self, attr: &str) -> bool {
        self.attrs.iter().any(|a| a == attr)
    }
}

/// Whether a row is an HXL tag row: every non-empty cell is a `#tag`, and there is one.
pub(crate) fn is_hxl_row(row: &StringRecord) -> bool {
    let mut any = false;
    for cell in row.iter().map(str::trim).filter(|c| !c.is_empty()) {
        if Tag::parse(cell).is_none() {
            return false;
        }
        any = true;
    }
    any
}

/// Detects the schema from the header (and HXL tag row). `stem` names generic sources.
pub(crate) fn detect(
    header: &StringRecord,
    tags: Option<&StringRecord>,
    stem: &str,
) -> Result<Layout, String> {
    if let Some(tags) = tags {
        return detect_hxl(header, tags, stem);
    }
    if find(header, "Web ID").is_some()
        || MMP_OLD_REQUIRED.iter().all(|c| find(header, c).is_some())
    {
        return mmp_old(header);
    }
    if find(header, "Main ID").is_some() {
        return mmp_new(header);
    }
    if find(header, "event_id_cnty").is_some() {
        return acled(header);
    }
    if find(header, "type_of_violence").is_some() || find(header, "where_prec").is_some() {
        return ucdp_ged(header);
    }
    // Nothing distinctive: name the closest schema's missing columns if any matched at all.
    let schemas: [(&str, &[&str]); 4] = [
        ("an IOM MMP export (old schema)", MMP_OLD_REQUIRED),
        ("an IOM MMP export (current schema)", MMP_NEW_REQUIRED),
        ("an ACLED export", ACLED_REQUIRED),
        ("a UCDP GED file", ucdp::REQUIRED),
    ];
    let best = schemas
        .iter()
        .map(|(name, req)| {
            (
                name,
                req,
                req.iter().filter(|c| find(header, c).is_some()).count(),
            )
        })
        // Most required columns found; on a tie the schema with fewer required columns.
        .max_by_key(|(_, req, n)| (*n, std::cmp::Reverse(req.len())));
    if let Some((name, req, n)) = best.filter(|(_, _, n)| *n > 0) {
        let missing: Vec<&str> = req
            .iter()
            .copied()
            .filter(|c| find(header, c).is_none())
            .collect();
        return Err(format!(
            "looks like {name} ({n} of its required columns found) but lacks {}; {EXPECTED}; found columns: {}",
            missing.join(", "),
            listed(header, 12)
        ));
    }
    Err(format!("{EXPECTED}; found columns: {}", listed(header, 12)))
}

fn require<const N: usize>(
    header: &StringRecord,
    schema: &str,
    required: &[&str; N],
) -> Result<[usize; N], String> {
    let mut cols = [0; N];
    let mut missing = Vec::new();
    for (slot, name) in cols.iter_mut().zip(required) {
        match find(header, name) {
            Some(c) => *slot = c,
            None => missing.push(format!("{name:?}")),
        }
    }
    if missing.is_empty() {
        Ok(cols)
    } else {
        Err(format!(
            "{schema}: missing required column(s) {}; found columns: {}",
            missing.join(", "),
            listed(header, 25)
        ))
    }
}

fn extra_columns(header: &StringRecord, known: &[&str]) -> Option<String> {
    let extra: Vec<String> = header
        .iter()
        .map(str::trim)
        .filter(|h| !known.iter().any(|k| k.eq_ignore_ascii_case(h)))
        .map(|h| format!("{h:?}"))
        .collect();
    (!extra.is_empty()).then(|| {
        format!(
            "{} column(s) not part of the schema, ignored: {}",
            extra.len(),
            extra.join(", ")
        )
    })
}

fn mmp_old(header: &StringRecord) -> Result<Layout, String> {
    let schema = "IOM Missing Migrants export, old schema";
    let [id, date, coords] = require(header, schema, MMP_OLD_REQUIRED)?;
    let mut notes = vec![format!(
        "{schema}: id = \"Web ID\", date = \"Reported Date\", location = \"Location Coordinates\" (lat, lon)"
    )];
    notes.extend(extra_columns(header, MMP_OLD));
    Ok(Layout {
        format: "iom-mmp-old",
        source: "iom-mmp".into(),
        id: Some(id),
        date,
        date_style: DateStyle::MonthDayYear,
        time_precision: None,
        coords: Coords::Pair(coords),
        geo_precision: None,
        cause: find(header, "Cause of Death"),
        vocab: Vocab::Mmp,
        dead: find(header, "Number Dead"),
        missing: find(header, "Minimum Estimated Number of Missing"),
        total: find(header, "Total Dead and Missing"),
        injured: None,
        review: Review::MmpQuality(find(header, "Source Quality")),
        country: None,
        description: find(header, "Location Description"),
        min_people: 1,
        fatal_floor: false,
        ucdp: None,
        notes,
    })
}

fn mmp_new(header: &StringRecord) -> Result<Layout, String> {
    let schema = "IOM Missing Migrants export, current schema";
    let [main_id, date, coords] = require(header, schema, MMP_NEW_REQUIRED)?;
    // "Main ID" names the event and repeats when one event has several rows (different
    // dates, places or groups of people); "Incident ID" is unique per row. Key by the latter.
    let incident_id = find(header, "Incident ID");
    let id_note = if incident_id.is_some() {
        "id = \"Incident ID\" (unique per row; \"Main ID\" repeats across the rows of one event)"
    } else {
        "id = \"Main ID\" (no \"Incident ID\" column)"
    };
    let mut notes =
        vec![format!("{schema}: {id_note}, date = \"Incident Date\" (MM/DD/YYYY), location = \"Coordinates\" (lat, lon)")];
    notes.extend(extra_columns(header, MMP_NEW));
    Ok(Layout {
        format: "iom-mmp-new",
        source: "iom-mmp".into(),
        id: Some(incident_id.unwrap_or(main_id)),
        date,
        date_style: DateStyle::MmpNew,
        time_precision: None,
        coords: Coords::Pair(coords),
        geo_precision: None,
        cause: find(header, "Cause of Death"),
        vocab: Vocab::Mmp,
        dead: find(header, "Number Dead"),
        missing: find(header, "Minimum Estimated Number of Missing"),
        total: find(header, "Total Number of Dead and Missing")
            .or_else(|| find(header, "Total Dead and Missing")),
        injured: None,
        review: Review::MmpQuality(find(header, "Source Quality")),
        country: None,
        description: find(header, "Location of death")
            .or_else(|| find(header, "Location Description")),
        min_people: 1,
        fatal_floor: false,
        ucdp: None,
        notes,
    })
}

fn acled(header: &StringRecord) -> Result<Layout, String> {
    let schema = "ACLED export";
    let [id, date, event_type, lat, lon] = require(header, schema, ACLED_REQUIRED)?;
    let mut notes = vec![format!(
        "{schema}: id = event_id_cnty, date = event_date, location = latitude/longitude, category from \
         sub_event_type then event_type, people = fatalities"
    )];
    notes.extend(extra_columns(header, ACLED));
    Ok(Layout {
        format: "acled",
        source: "acled".into(),
        id: Some(id),
        date,
        date_style: DateStyle::Iso,
        time_precision: find(header, "time_precision"),
        coords: Coords::Split { lat, lon },
        geo_precision: find(header, "geo_precision"),
        cause: find(header, "sub_event_type"),
        vocab: Vocab::Acled { event_type },
        dead: find(header, "fatalities"),
        missing: None,
        total: None,
        injured: None,
        review: Review::Fixed(ReviewStatus::Verified),
        country: find(header, "country"),
        description: find(header, "notes"),
        min_people: 0,
        fatal_floor: true,
        ucdp: None,
        notes,
    })
}

fn ucdp_ged(header: &StringRecord) -> Result<Layout, String> {
    let schema = "UCDP Georeferenced Event Dataset (GED)";
    let [id, type_of_violence, where_prec, latitude, longitude, date_prec, date_start, best] =
        require(header, schema, ucdp::REQUIRED)?;
    let columns = ucdp::Columns {
        type_of_violence,
        where_prec,
        latitude,
        longitude,
        date_prec,
        date_start,
        date_end: find(header, "date_end"),
        best,
        other_counts: ucdp::OTHER_COUNTS
            .iter()
            .filter_map(|c| find(header, c))
            .collect(),
        dyad: find(header, "dyad_name").or_else(|| find(header, "conflict_name")),
        place: ["where_coordinates", "adm_2", "adm_1"]
            .iter()
            .filter_map(|c| find(header, c))
            .collect(),
        country: find(header, "country"),
    };
    let mut notes = vec![format!(
        "{schema}: id = id, date = date_start (precision from date_prec), location = latitude/longitude \
         (precision from where_prec; 6 country and 7 international waters are skipped), category from \
         type_of_violence, people = best; every event is verified (a curated dataset)"
    )];
    notes.extend(extra_columns(header, ucdp::COLUMNS));
    Ok(Layout {
        format: "ucdp-ged",
        source: "ucdp-ged".into(),
        id: Some(id),
        date: date_start,
        date_style: DateStyle::Iso,
        time_precision: None,
        coords: Coords::Split {
            lat: latitude,
            lon: longitude,
        },
        geo_precision: None,
        cause: Some(type_of_violence),
        vocab: Vocab::Generic,
        dead: Some(best),
        missing: None,
        total: None,
        injured: None,
        review: Review::Fixed(ReviewStatus::Verified),
        country: columns.country,
        description: None,
        min_people: 0,
        fatal_floor: false,
        ucdp: Some(columns),
        notes,
    })
}

fn detect_hxl(header: &StringRecord, tag_row: &StringRecord, stem: &str) -> Result<Layout, String> {
    let tags: Vec<Option<Tag>> = tag_row.iter().map(Tag::parse).collect();
    let first =
        |pred: &dyn Fn(&Tag) -> bool| tags.iter().position(|t| t.as_ref().is_some_and(pred));
    let coord = first(&|t| t.hashtag == "geo" && t.has("coord"));
    let lat = first(&|t| t.hashtag == "geo" && t.has("lat"));
    let lon = first(&|t| t.hashtag == "geo" && t.has("lon"));
    let coords = match (coord, lat, lon) {
        (_, Some(lat), Some(lon)) => Coords::Split { lat, lon },
        (Some(c), _, _) => Coords::Pair(c),
        _ => {
            return Err(format!(
                "HXL tags found but no location: expected #geo+coord (\"lat, lon\") or #geo+lat and #geo+lon; \
                 tags: {}",
                listed(tag_row, 25)
            ))
        }
    };
    let Some(date) = first(&|t| t.hashtag == "date" && (t.has("occurred") || t.has("incident")))
        .or_else(|| first(&|t| t.hashtag == "date"))
    else {
        return Err(format!(
            "HXL tags found but no #date column; tags: {}",
            listed(tag_row, 25)
        ));
    };
    let id = first(&|t| t.hashtag == "id" || t.has("id"));
    let cause =
        first(&|t| matches!(t.hashtag.as_str(), "cause" | "event" | "crisis") && t.has("type"))
            .or_else(|| first(&|t| t.hashtag == "cause"));
    let affected = |any: &[&str], not: &[&str]| {
        first(&|t| {
            t.hashtag == "affected" && any.iter().any(|a| t.has(a)) && !not.iter().any(|a| t.has(a))
        })
    };
    let dead = affected(&["killed", "dead"], &["missing", "total"]);
    let missing = affected(&["missing"], &["killed", "dead", "total"]);
    let injured = affected(&["injured", "wounded"], &["total"]);
    let total = first(&|t| t.hashtag == "affected" && t.has("total"))
        .or_else(|| first(&|t| t.hashtag == "affected" && t.attrs.is_empty()));
    let quality = first(&|t| t.hashtag == "meta" && t.has("quality"));
    let country = first(&|t| t.hashtag == "country" && !t.has("origin") && !t.has("code"))
        .or_else(|| first(&|t| t.hashtag == "country" && !t.has("origin")));
    let description = first(&|t| t.hashtag == "loc" && t.has("description")).or_else(|| {
        first(&|t| t.hashtag == "description" || (t.hashtag == "event" && t.has("description")))
    });

    let mmp =
        matches!(coords, Coords::Pair(_)) && cause.is_some() && (dead.is_some() || total.is_some());
    let col = |c: Option<usize>| {
        c.map(|c| {
            format!(
                "{:?} ({})",
                header.get(c).unwrap_or("").trim(),
                tag_row.get(c).unwrap_or("").trim()
            )
        })
        .unwrap_or_else(|| "none".into())
    };
    let location = match coords {
        Coords::Pair(c) => col(Some(c)),
        Coords::Split { lat, lon } => format!("{} / {}", col(Some(lat)), col(Some(lon))),
    };
    let mut notes = vec![format!(
        "{}: columns by HXL tag: id = {}, date = {}, location = {location}, type = {}, dead = {}, missing = {}, \
         total = {}; other columns ignored",
        if mmp { "IOM Missing Migrants data with HXL tags" } else { "generic HXL" },
        if id.is_some() { col(id) } else { "none (derived from each row's content)".into() },
        col(Some(date)),
        col(cause),
        col(dead),
        col(missing),
        col(total),
    )];
    if mmp {
        return Ok(Layout {
            format: "iom-mmp-hxl",
            source: "iom-mmp".into(),
            id,
            date,
            date_style: DateStyle::Iso,
            time_precision: None,
            coords,
            geo_precision: None,
            cause,
            vocab: Vocab::Mmp,
            dead,
            missing,
            total,
            injured,
            review: Review::MmpQuality(quality),
            country,
            description,
            min_people: 1,
            fatal_floor: false,
            ucdp: None,
            notes,
        });
    }
    if cause.is_none()
        && dead.is_none()
        && missing.is_none()
        && injured.is_none()
        && total.is_none()
    {
        notes.insert(
            0,
            "WARNING: no incident type (#event/#cause/#crisis) and no casualty count (#affected…) column: every \
             record is loaded as category `unknown` with 0 people affected. Check that this file really lists \
             incidents."
                .into(),
        );
    }
    let source = if stem.trim().is_empty() {
        "hxl".to_owned()
    } else {
        stem.trim().to_owned()
    };
    Ok(Layout {
        format: "hxl",
        source,
        id,
        date,
        date_style: DateStyle::Iso,
        time_precision: None,
        coords,
        geo_precision: None,
        cause,
        vocab: Vocab::Generic,
        dead,
        missing,
        total,
        injured,
        review: Review::Fixed(ReviewStatus::Unverified),
        country,
        description,
        min_people: 0,
        fatal_floor: false,
        ucdp: None,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(cells: &[&str]) -> StringRecord {
        StringRecord::from(cells.to_vec())
    }

    #[test]
    fn tags() {
        assert_eq!(
            Tag::parse(" #Affected + Killed "),
            Some(Tag {
                hashtag: "affected".into(),
                attrs: vec!["killed".into()]
            })
        );
        assert_eq!(Tag::parse("affected"), None);
        assert_eq!(Tag::parse("#"), None);
        assert!(is_hxl_row(&rec(&["#date", "", "#geo+lat"])));
        assert!(!is_hxl_row(&rec(&["#date", "2019-01-01"])));
        assert!(!is_hxl_row(&rec(&["", ""])));
    }

    #[test]
    fn mmp_hxl_by_tags_not_names() {
        let h = rec(&["a", "b", "c", "d", "e", "f"]);
        let t = rec(&[
            "#web+id",
            "#date+reported",
            "#geo+coord",
            "#cause+type",
            "#affected+killed",
            "#affected+missing",
        ]);
        let l = detect(&h, Some(&t), "x").unwrap();
        assert_eq!(l.format, "iom-mmp-hxl");
        assert_eq!(
            (l.id, l.date, l.coords, l.cause, l.dead, l.missing),
            (Some(0), 1, Coords::Pair(2), Some(3), Some(4), Some(5))
        );
    }

    #[test]
    fn generic_hxl() {
        let h = rec(&["date", "lat", "lon", "what"]);
        let t = rec(&["#date", "#geo+lat", "#geo+lon", "#item+name"]);
        let l = detect(&h, Some(&t), "prices").unwrap();
        assert_eq!(l.format, "hxl");
        assert_eq!(l.source, "prices");
        assert_eq!(l.id, None);
        assert!(l.notes[0].starts_with("WARNING"));
        let t = rec(&["#date", "#geo+lat", "#item+name", "#x"]);
        assert!(detect(&h, Some(&t), "p")
            .unwrap_err()
            .contains("#geo+lat and #geo+lon"));
        let t = rec(&["#meta", "#geo+lat", "#geo+lon", "#x"]);
        assert!(detect(&h, Some(&t), "p").unwrap_err().contains("#date"));
    }

    #[test]
    fn named_schemas_and_errors() {
        let h = rec(&["Web ID", "Reported Date", "Location Coordinates", "Extra"]);
        let l = detect(&h, None, "x").unwrap();
        assert_eq!(l.format, "iom-mmp-old");
        assert!(l.notes.iter().any(|n| n.contains("\"Extra\"")));
        let h = rec(&["Web ID", "Reported Date"]);
        assert!(detect(&h, None, "x")
            .unwrap_err()
            .contains("\"Location Coordinates\""));
        let h = rec(&["event_id_cnty", "event_date", "event_type", "latitude"]);
        assert!(detect(&h, None, "x").unwrap_err().contains("\"longitude\""));
        let h = rec(&["name", "latitude", "longitude"]);
        let e = detect(&h, None, "x").unwrap_err();
        assert!(
            e.contains("looks like an ACLED export") && e.contains("event_id_cnty"),
            "{e}"
        );
        let h = rec(&["foo", "bar"]);
        let e = detect(&h, None, "x").unwrap_err();
        assert!(
            e.starts_with("expected an IOM") && e.contains("\"foo\""),
            "{e}"
        );
    }
}
