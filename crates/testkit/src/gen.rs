//! Seeded generators of synthetic inputs.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use senda_core::{LonLat, Oneway, RoadClass, RoadSegment, SourceKey};

/// Mean spacing of generated nodes, metres.
const SPACING_M: f64 = 250.0;
const M_PER_DEG: f64 = 111_195.08;

/// A road-like network of about `nodes` junctions, the same for the same seed.
///
/// Points are uniform in a square box in southern Mexico (centred near Tapachula, sized so
/// junctions are about 250 m apart); each is joined to its 3 nearest neighbours by a road (half
/// of them with a bent middle vertex, so lengths exceed the straight line), with a realistic
/// mix of classes: mostly residential, tertiary and unclassified streets, some footways
/// (foot only), tracks, secondary and primary roads, about 1 % rail lines; 5 % of vehicle
/// roads are oneway (either direction). About one node in 400 starts a long trunk or motorway
/// edge (10–25 spacings, no foot on motorways) that crosses other roads without joining them.
/// A k-nearest-neighbour graph leaves a few small islands, as real extracts do.
///
/// Fast enough for benchmarks: a million nodes in a few seconds in release builds.
pub fn road_like_graph(nodes: usize, seed: u64) -> Vec<RoadSegment> {
    let nodes = nodes.max(2);
    let mut rng = StdRng::seed_from_u64(seed);
    let side_m = (nodes as f64).sqrt() * SPACING_M;
    let (lon0, lat0): (f64, f64) = (-92.27, 14.9);
    let cos0 = lat0.to_radians().cos();
    let lat_span = side_m / M_PER_DEG;
    let lon_span = side_m / (M_PER_DEG * cos0);
    // Planar metres for neighbour search.
    let xy: Vec<(f64, f64)> = (0..nodes)
        .map(|_| (rng.random::<f64>() * side_m, rng.random::<f64>() * side_m))
        .collect();
    let to_lonlat = |(x, y): (f64, f64)| {
        LonLat::new(lon0 + x / side_m * lon_span, lat0 + y / side_m * lat_span)
            .expect("generated positions are valid")
    };

    // Grid of about one point per cell, stored as CSR.
    let cells_side = ((nodes as f64).sqrt().ceil() as usize).max(1);
    let cell_m = side_m / cells_side as f64;
    let cell_of = |(x, y): (f64, f64)| {
        let cx = ((x / cell_m) as usize).min(cells_side - 1);
        let cy = ((y / cell_m) as usize).min(cells_side - 1);
        cy * cells_side + cx
    };
    let mut first = vec![0u32; cells_side * cells_side + 1];
    for &p in &xy {
        first[cell_of(p) + 1] += 1;
    }
    for i in 0..cells_side * cells_side {
        first[i + 1] += first[i];
    }
    let mut fill = first.clone();
    let mut members = vec![0u32; nodes];
    for (i, &p) in xy.iter().enumerate() {
        let c = cell_of(p);
        members[fill[c] as usize] = i as u32;
        fill[c] += 1;
    }
    drop(fill);

    // k nearest neighbours: widen the ring until k are found no farther than the ring reaches.
    const K: usize = 3;
    let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(nodes * K);
    let mut best: Vec<(f64, u32)> = Vec::with_capacity(32);
    for (i, &p) in xy.iter().enumerate() {
        let c = cell_of(p);
        let (cx, cy) = ((c % cells_side) as i64, (c / cells_side) as i64);
        let mut r = 1i64;
        loop {
            best.clear();
            for dy in -r..=r {
                for dx in -r..=r {
                    let (x, y) = (cx + dx, cy + dy);
                    if x < 0 || y < 0 || x >= cells_side as i64 || y >= cells_side as i64 {
                        continue;
                    }
                    let cell = y as usize * cells_side + x as usize;
                    for &j in &members[first[cell] as usize..first[cell + 1] as usize] {
                        if j as usize != i {
                            let q = xy[j as usize];
                            best.push(((q.0 - p.0).hypot(q.1 - p.1), j));
                        }
                    }
                }
            }
            best.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let enough = best.len() >= K && best[K - 1].0 <= r as f64 * cell_m;
            if enough || r as usize >= cells_side {
                break;
            }
            r += 1;
        }
        for &(_, j) in best.iter().take(K) {
            let (a, b) = (i as u32, j);
            pairs.push((a.min(b), a.max(b)));
        }
    }
    pairs.sort_unstable();
    pairs.dedup();

    let mut segments = Vec::with_capacity(pairs.len() + nodes / 400 + 1);
    let key = |n: usize| SourceKey::new("gen", n.to_string()).expect("non-empty key");
    for (n, &(a, b)) in pairs.iter().enumerate() {
        let roll: f64 = rng.random();
        let class = match roll {
            r if r < 0.50 => RoadClass::Residential,
            r if r < 0.65 => RoadClass::Tertiary,
            r if r < 0.75 => RoadClass::Unclassified,
            r if r < 0.80 => RoadClass::Secondary,
            r if r < 0.86 => RoadClass::Footway,
            r if r < 0.92 => RoadClass::Track,
            r if r < 0.94 => RoadClass::Steps,
            r if r < 0.99 => RoadClass::Primary,
            _ => RoadClass::Rail,
        };
        let (pa, pb) = (xy[a as usize], xy[b as usize]);
        let mut geometry = vec![to_lonlat(pa)];
        if rng.random_bool(0.5) {
            // A bend: the midpoint pushed sideways by up to 15 % of the length.
            let (dx, dy) = (pb.0 - pa.0, pb.1 - pa.1);
            let s = rng.random_range(-0.15..0.15);
            let mid = (pa.0 + dx / 2.0 - dy * s, pa.1 + dy / 2.0 + dx * s);
            let mid = (mid.0.clamp(0.0, side_m), mid.1.clamp(0.0, side_m));
            geometry.push(to_lonlat(mid));
        }
        geometry.push(to_lonlat(pb));
        let Ok(mut seg) = RoadSegment::new(key(n), class, geometry) else {
            continue;
        };
        if class.motor_by_default() {
            let r: f64 = rng.random();
            seg.oneway = if r < 0.025 {
                Oneway::Forward
            } else if r < 0.05 {
                Oneway::Backward
            } else {
                Oneway::No
            };
            if class == RoadClass::Primary && rng.random_bool(0.3) {
                seg = seg.with_maxspeed(50.0).expect("valid speed");
            }
        }
        segments.push(seg);
    }
    // Long highways.
    let highways = nodes / 400;
    for h in 0..highways {
        let a = rng.random_range(0..nodes);
        let pa = xy[a];
        let reach = rng.random_range(10.0..25.0) * SPACING_M;
        let angle = rng.random_range(0.0..std::f64::consts::TAU);
        let target = (pa.0 + reach * angle.cos(), pa.1 + reach * angle.sin());
        let c = cell_of((target.0.clamp(0.0, side_m), target.1.clamp(0.0, side_m)));
        let Some(&b) = members[first[c] as usize..first[c + 1] as usize].first() else {
            continue;
        };
        if b as usize == a {
            continue;
        }
        let class = if rng.random_bool(0.5) {
            RoadClass::Motorway
        } else {
            RoadClass::Trunk
        };
        let geometry = vec![to_lonlat(pa), to_lonlat(xy[b as usize])];
        if let Ok(seg) = RoadSegment::new(key(pairs.len() + h), class, geometry) {
            segments.push(seg);
        }
    }
    segments
}

/// `n` seeded random incidents uniformly in `bbox` (`[min_lon, min_lat, max_lon, max_lat]`),
/// up to six years before `at`, with a realistic mix of categories, severities, review
/// states (no retractions) and location precisions (mostly exact or local). Ids are
/// `gen:{first_id + k}`.
pub fn incidents(
    n: usize,
    seed: u64,
    bbox: [f64; 4],
    at: chrono::DateTime<chrono::Utc>,
    first_id: usize,
) -> Vec<senda_core::Incident> {
    use senda_core::{IncidentCategory, LocationPrecision, ReviewStatus, Severity};
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|k| {
            let loc = LonLat::new(
                rng.random_range(bbox[0]..bbox[2]),
                rng.random_range(bbox[1]..bbox[3]),
            )
            .expect("bbox inside WGS84");
            let age_s = rng.random_range(0..6 * 365 * 86_400i64);
            let category = IncidentCategory::ALL[rng.random_range(0..IncidentCategory::ALL.len())];
            let mut i = senda_core::Incident::new(
                SourceKey::new("gen", (first_id + k).to_string()).expect("non-empty"),
                loc,
                at - chrono::Duration::seconds(age_s),
                category,
                rng.random_range(1..4),
            )
            .expect("valid incident");
            i.severity = Severity::from_level(rng.random_range(1..=5)).expect("1..5");
            i.review = if rng.random_bool(0.5) {
                ReviewStatus::Verified
            } else {
                ReviewStatus::Unverified
            };
            i.location_precision = match k % 20 {
                0..=7 => LocationPrecision::Exact,
                8..=13 => LocationPrecision::Local,
                14..=17 => LocationPrecision::Area,
                18 => LocationPrecision::Region,
                _ => LocationPrecision::Unknown,
            };
            i
        })
        .collect()
}

/// A closed square ring of half-side `h` degrees around `c` (an alert area or avoid polygon).
pub fn square(c: LonLat, h: f64) -> Vec<LonLat> {
    let p = |lon: f64, lat: f64| LonLat::new(lon, lat).expect("a square inside WGS84");
    vec![
        p(c.lon() - h, c.lat() - h),
        p(c.lon() + h, c.lat() - h),
        p(c.lon() + h, c.lat() + h),
        p(c.lon() - h, c.lat() + h),
        p(c.lon() - h, c.lat() - h),
    ]
}

/// An extreme, observed, immediate hurricane warning over `area`, in force from 6 h before
/// `at` to 6 h after (its hard blocks close the roads inside for both profiles).
pub fn hurricane(area: Vec<LonLat>, at: chrono::DateTime<chrono::Utc>) -> senda_core::WeatherAlert {
    use senda_core::{AlertArea, AlertText, CapCertainty, CapSeverity, CapUrgency};
    let hours = chrono::Duration::hours(6);
    senda_core::WeatherAlert {
        key: SourceKey::new("smn", "hurricane-1").expect("a valid key"),
        sent: at - hours,
        status: "Actual".to_owned(),
        msg_type: "Alert".to_owned(),
        categories: vec!["Met".to_owned()],
        severity: CapSeverity::Extreme,
        urgency: CapUrgency::Immediate,
        certainty: CapCertainty::Observed,
        effective: None,
        onset: Some(at - hours),
        expires: Some(at + hours),
        texts: vec![AlertText {
            language: "en".to_owned(),
            event: "Hurricane warning".to_owned(),
            headline: None,
            description: None,
            instruction: None,
        }],
        areas: vec![AlertArea::new("test".to_owned(), vec![area], vec![]).expect("a valid area")],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_network() {
        let a = road_like_graph(500, 7);
        let b = road_like_graph(500, 7);
        let c = road_like_graph(500, 8);
        assert_eq!(a, b);
        assert_ne!(a, c);
        // About 3 / 2 roads per node after de-duplication, plus highways.
        assert!((600..1000).contains(&a.len()), "{}", a.len());
        assert!(a.iter().any(|s| s.oneway != Oneway::No));
        assert!(a.iter().any(|s| s.class == RoadClass::Rail));
    }
}
