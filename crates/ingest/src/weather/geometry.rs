//! CAP's text forms: `<polygon>` ("lat,lon lat,lon ..."), `<circle>` ("lat,lon radius_km")
//! and date-times ("2014-12-02T22:00:00-05:00"). Errors are plain sentences for the report.

use chrono::{DateTime, NaiveDateTime, Utc};
use senda_core::{Circle, LonLat};

/// A polygon ring, lon/lat, closed, at least four positions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ring {
    pub points: Vec<LonLat>,
    /// The source did not repeat its first point at the end; we did.
    pub closed_here: bool,
}

/// At most this many characters of a bad value are quoted in a message.
const QUOTE_MAX: usize = 40;

/// `text` quoted for a message, cut to [`QUOTE_MAX`] characters.
pub(crate) fn quote(text: &str) -> String {
    if text.chars().count() > QUOTE_MAX {
        let cut: String = text.chars().take(QUOTE_MAX - 3).collect();
        format!("{:?}", cut + "...")
    } else {
        format!("{text:?}")
    }
}

/// Parses one CAP coordinate pair, `"lat,lon"` (latitude FIRST, the reverse of GeoJSON).
pub(crate) fn parse_pair(pair: &str) -> Result<LonLat, String> {
    let Some((lat, lon)) = pair.split_once(',') else {
        return Err(format!("{} is not a \"lat,lon\" pair", quote(pair)));
    };
    if lon.contains(',') {
        return Err(format!(
            "{} is not a \"lat,lon\" pair (extra comma)",
            quote(pair)
        ));
    }
    let lat_v = lat
        .parse::<f64>()
        .map_err(|_| format!("latitude {} in {} is not a number", quote(lat), quote(pair)))?;
    let lon_v = lon.parse::<f64>().map_err(|_| {
        format!(
            "longitude {} in {} is not a number",
            quote(lon),
            quote(pair)
        )
    })?;
    LonLat::new(lon_v, lat_v).map_err(|e| format!("{} in {}", e, quote(pair)))
}

/// Parses a `<polygon>`. `Ok(None)` for an empty element (no points at all).
///
/// A ring whose last point differs from its first is closed by repeating the first point
/// ([`Ring::closed_here`]); it must then have at least four positions.
pub(crate) fn parse_polygon(text: &str) -> Result<Option<Ring>, String> {
    let mut points = Vec::new();
    for (i, pair) in text.split_ascii_whitespace().enumerate() {
        points.push(parse_pair(pair).map_err(|why| format!("point #{}: {why}", i + 1))?);
    }
    let (Some(&first), Some(&last)) = (points.first(), points.last()) else {
        return Ok(None);
    };
    let closed_here = first != last;
    if closed_here {
        points.push(first);
    }
    if points.len() < 4 {
        return Err(format!(
            "{} point(s){}: a polygon needs at least 4 (3 corners and the first repeated to close the ring)",
            points.len() - usize::from(closed_here),
            if closed_here { " and not closed" } else { "" }
        ));
    }
    Ok(Some(Ring {
        points,
        closed_here,
    }))
}

/// Parses a `<circle>`, `"lat,lon radius_km"`. `Ok(None)` for an empty element.
pub(crate) fn parse_circle(text: &str) -> Result<Option<Circle>, String> {
    let mut parts = text.split_ascii_whitespace();
    let (center, radius) = match (parts.next(), parts.next(), parts.next()) {
        (None, _, _) => return Ok(None),
        (Some(center), Some(radius), None) => (center, radius),
        _ => {
            return Err(format!(
                "{} is not \"lat,lon radius_km\"",
                quote(text.trim())
            ))
        }
    };
    let center = parse_pair(center).map_err(|why| format!("centre: {why}"))?;
    let radius_km = radius
        .parse::<f64>()
        .map_err(|_| format!("radius {} is not a number", quote(radius)))?;
    Circle::new(center, radius_km)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Parses a CAP date-time (RFC 3339 with a UTC offset, e.g. `2014-12-02T22:00:00-05:00`)
/// into UTC. `-00:00` (CAP's spelling of UTC) and `Z` are accepted.
pub(crate) fn parse_datetime(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    match DateTime::parse_from_rfc3339(text) {
        Ok(t) => Ok(t.with_timezone(&Utc)),
        Err(_) if NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").is_ok() => {
            Err(format!(
                "{} has no UTC offset (CAP needs one, e.g. 2014-12-02T22:00:00-05:00)",
                quote(text)
            ))
        }
        Err(_) => Err(format!(
            "{} is not a CAP date-time such as 2014-12-02T22:00:00-05:00",
            quote(text)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_lat_first() {
        let p = parse_pair("18.52,-95.29").unwrap();
        assert_eq!((p.lon(), p.lat()), (-95.29, 18.52));
        let p = parse_pair("+41.12,-117.61").unwrap();
        assert_eq!((p.lon(), p.lat()), (-117.61, 41.12));
    }

    #[test]
    fn bad_pairs_are_named() {
        assert!(parse_pair("18.5")
            .unwrap_err()
            .contains("\"18.5\" is not a \"lat,lon\" pair"));
        assert!(parse_pair("1,2,").unwrap_err().contains("extra comma"));
        assert!(parse_pair("x,2").unwrap_err().contains("latitude \"x\""));
        let e = parse_pair("NaN,2").unwrap_err();
        assert!(e.contains("lat") && e.contains("finite"), "{e}");
        let e = parse_pair("95,10").unwrap_err();
        assert!(e.contains("-90..90") && e.contains("\"95,10\""), "{e}");
        assert!(parse_pair("10,-181").unwrap_err().contains("-180..180"));
        assert!(parse_pair("inf,1").is_err());
    }

    #[test]
    fn polygon_closed_and_unclosed() {
        let r = parse_polygon(" 1,1 1,2\n 2,2 1,1 ").unwrap().unwrap();
        assert_eq!(r.points.len(), 4);
        assert!(!r.closed_here);
        assert_eq!((r.points[0].lon(), r.points[0].lat()), (1.0, 1.0));
        let r = parse_polygon("1,1 1,2 2,2").unwrap().unwrap();
        assert!(r.closed_here);
        assert_eq!(r.points.len(), 4);
        assert_eq!(r.points.first(), r.points.last());
    }

    #[test]
    fn polygon_errors() {
        assert_eq!(parse_polygon("  \n ").unwrap(), None);
        assert!(parse_polygon("1,1 1,2 1,1")
            .unwrap_err()
            .contains("3 point(s)"));
        assert!(parse_polygon("1,1 1,2").unwrap_err().contains("not closed"));
        let e = parse_polygon("1,1 1,2 2,2 200,1 1,1").unwrap_err();
        assert!(e.starts_with("point #4:") && e.contains("\"200,1\""), "{e}");
        // odd count of numbers: a lone number is not a pair
        assert!(parse_polygon("1,1 1,2 2,2 3 1,1")
            .unwrap_err()
            .contains("point #4"));
    }

    #[test]
    fn circles() {
        let c = parse_circle("18.31,-99.36 113.6").unwrap().unwrap();
        assert_eq!(
            (c.center.lon(), c.center.lat(), c.radius_km),
            (-99.36, 18.31, 113.6)
        );
        assert_eq!(parse_circle("").unwrap(), None);
        assert!(parse_circle("18.31,-99.36")
            .unwrap_err()
            .contains("radius_km"));
        assert!(parse_circle("18.31,-99.36 abc")
            .unwrap_err()
            .contains("radius \"abc\""));
        assert!(parse_circle("18.31,-99.36 -1")
            .unwrap_err()
            .contains("0..5000"));
        assert!(parse_circle("99,-99.36 1")
            .unwrap_err()
            .starts_with("centre:"));
    }

    #[test]
    fn datetimes() {
        let t = parse_datetime("2014-12-02T22:00:00-05:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2014-12-03T03:00:00+00:00");
        assert_eq!(
            parse_datetime("2012-05-02T23:21:04-00:00")
                .unwrap()
                .to_rfc3339(),
            "2012-05-02T23:21:04+00:00"
        );
        assert!(parse_datetime("2012-05-02T23:21:04Z").is_ok());
        assert!(parse_datetime(" 2012-05-02T23:21:04+08:00\n").is_ok());
        assert!(parse_datetime("2012-05-02T23:21:04")
            .unwrap_err()
            .contains("no UTC offset"));
        assert!(parse_datetime("yesterday")
            .unwrap_err()
            .contains("not a CAP date-time"));
        assert!(parse_datetime("2012-13-02T23:21:04-05:00").is_err());
    }

    #[test]
    fn quotes_are_cut() {
        assert_eq!(quote("ab"), "\"ab\"");
        assert!(quote(&"x".repeat(100)).ends_with("...\""));
    }
}
