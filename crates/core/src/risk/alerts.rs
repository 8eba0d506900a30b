//! The cells a weather alert's areas cover.

use super::latlng;
use crate::{Circle, LonLat, WeatherAlert};
use geo::{LineString, Polygon};
use h3o::geom::{ContainmentMode, TilerBuilder};
use h3o::{CellIndex, LatLng, Resolution};

/// The cells an alert covers, sorted and unique, and the problems met on the way (a polygon
/// h3o rejects, an area too large to tile).
pub(crate) struct Coverage {
    pub cells: Vec<CellIndex>,
    pub issues: Vec<&'static str>,
}

pub(crate) fn alert_coverage(alert: &WeatherAlert, res: Resolution, max_cells: usize) -> Coverage {
    let mut cells = Vec::new();
    let mut issues = Vec::new();
    for area in &alert.areas {
        for ring in &area.polygons {
            if let Err(issue) = polygon_cells(ring, res, max_cells, &mut cells) {
                issues.push(issue);
            }
        }
        for circle in &area.circles {
            if let Err(issue) = circle_cells(circle, res, max_cells, &mut cells) {
                issues.push(issue);
            }
        }
    }
    cells.sort_unstable();
    cells.dedup();
    if cells.len() > max_cells {
        cells.clear();
        issues.push("the alert's areas together cover more than max_alert_cells cells");
    }
    Coverage { cells, issues }
}

/// Cells whose centre is inside the ring plus cells its boundary crosses (h3o's `Covers`).
fn polygon_cells(
    ring: &[LonLat],
    res: Resolution,
    max_cells: usize,
    out: &mut Vec<CellIndex>,
) -> Result<(), &'static str> {
    let exterior = LineString::from(
        ring.iter()
            .map(|p| (p.lon(), p.lat()))
            .collect::<Vec<(f64, f64)>>(),
    );
    let mut tiler = TilerBuilder::new(res)
        .containment_mode(ContainmentMode::Covers)
        .build();
    tiler
        .add(Polygon::new(exterior, Vec::new()))
        .map_err(|_| "a polygon is not a valid ring (h3o rejected it)")?;
    if tiler.coverage_size_hint() > max_cells.saturating_mul(4) {
        return Err("a polygon covers more than max_alert_cells cells");
    }
    let before = out.len();
    for cell in tiler.into_coverage() {
        out.push(cell);
        if out.len() - before > max_cells {
            out.truncate(before);
            return Err("a polygon covers more than max_alert_cells cells");
        }
    }
    Ok(())
}

/// Cells whose centre lies within the radius plus one cell circumradius (so every cell the
/// circle touches), and always the cell holding the centre.
fn circle_cells(
    circle: &Circle,
    res: Resolution,
    max_cells: usize,
    out: &mut Vec<CellIndex>,
) -> Result<(), &'static str> {
    let centre = latlng(circle.center);
    let origin = centre.to_cell(res);
    let origin_centre = LatLng::from(origin);
    let circumradius = origin
        .boundary()
        .iter()
        .map(|v| origin_centre.distance_km(*v))
        .fold(0.0, f64::max)
        .max(res.edge_length_km() * 0.5);
    // 10 % margin: cells grow and shrink a little across a large circle.
    let reach = circle.radius_km.max(0.0) + 1.1 * circumradius;
    let area_estimate = std::f64::consts::PI * reach * reach / origin.area_km2().max(1e-12);
    if !area_estimate.is_finite() || area_estimate > max_cells as f64 {
        return Err("a circle covers more than max_alert_cells cells");
    }
    // Ring k lies at least k × 0.866 × spacing away; 0.9 more margin for smaller cells.
    let spacing = 3f64.sqrt() * circumradius;
    let k = (reach / (0.866 * spacing * 0.9)).ceil().max(0.0) as u32 + 1;
    out.push(origin);
    out.extend(
        origin
            .grid_disk::<Vec<CellIndex>>(k)
            .into_iter()
            .filter(|c| centre.distance_km(LatLng::from(*c)) <= reach),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_circle_covers_its_centre_cell_and_grows_with_the_radius() {
        let res = Resolution::Seven;
        let centre = LonLat::new(-92.27, 14.9).unwrap();
        let mut small = Vec::new();
        circle_cells(&Circle::new(centre, 0.0).unwrap(), res, 1000, &mut small).unwrap();
        assert!(small.contains(&super::super::cell_at(centre, res)));
        let mut big = Vec::new();
        circle_cells(&Circle::new(centre, 20.0).unwrap(), res, 10_000, &mut big).unwrap();
        big.sort_unstable();
        big.dedup();
        // π × 20² / 5.2 ≈ 240 cells inside; the margin adds a ring.
        assert!((240..400).contains(&big.len()), "{}", big.len());
        let mut huge = Vec::new();
        assert!(circle_cells(&Circle::new(centre, 4000.0).unwrap(), res, 1000, &mut huge).is_err());
    }
}
