//! The risk field through its public API: H3 binning against the reference library's
//! vectors, the model's properties (monotone, conserving, time-aware, incremental ==
//! rebuild, additive along lines), alerts and hard blocks, edge recomputation and
//! explanations. Timings are in the ignored `measure_*` test (release, printed, not asserted).

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use senda_core::risk::{
    cell_at, CellIndex, CellRisk, EdgeCellIndex, HazardKind, Resolution, RiskConfig, RiskField,
    RiskProfile,
};
use senda_core::{
    AlertArea, AlertText, CapCertainty, CapSeverity, CapUrgency, Circle, Incident,
    IncidentCategory, LocationPrecision, LonLat, ReviewStatus, Severity, SourceKey, TimePrecision,
    WeatherAlert,
};
use std::collections::HashMap;

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap()
}

fn p(lon: f64, lat: f64) -> LonLat {
    LonLat::new(lon, lat).unwrap()
}

fn incident(id: usize, location: LonLat, occurred_at: DateTime<Utc>) -> Incident {
    let mut i = Incident::new(
        SourceKey::new("test", format!("report-{id}")).unwrap(),
        location,
        occurred_at,
        IncidentCategory::Extortion,
        1,
    )
    .unwrap();
    i.time_precision = TimePrecision::Exact;
    i.location_precision = LocationPrecision::Exact;
    i.review = ReviewStatus::Verified;
    i
}

fn alert(
    id: &str,
    event: &str,
    severity: CapSeverity,
    certainty: CapCertainty,
    urgency: CapUrgency,
    window: (DateTime<Utc>, DateTime<Utc>),
    area: AlertArea,
) -> WeatherAlert {
    WeatherAlert {
        key: SourceKey::new("smn", id).unwrap(),
        sent: window.0,
        status: "Actual".to_owned(),
        msg_type: "Alert".to_owned(),
        categories: vec!["Met".to_owned()],
        severity,
        urgency,
        certainty,
        effective: None,
        onset: Some(window.0),
        expires: Some(window.1),
        texts: vec![AlertText {
            language: "es".to_owned(),
            event: event.to_owned(),
            headline: None,
            description: None,
            instruction: None,
        }],
        areas: vec![area],
    }
}

/// A closed lon/lat square ring.
fn square(lon: f64, lat: f64, half: f64) -> Vec<LonLat> {
    vec![
        p(lon - half, lat - half),
        p(lon + half, lat - half),
        p(lon + half, lat + half),
        p(lon - half, lat + half),
        p(lon - half, lat - half),
    ]
}

fn polygon_area(ring: Vec<LonLat>) -> AlertArea {
    AlertArea::new("test".to_owned(), vec![ring], vec![]).unwrap()
}

fn window_around(t: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    (t - Duration::hours(6), t + Duration::hours(6))
}

fn cells_of(field: &RiskField) -> HashMap<CellIndex, CellRisk> {
    field.cells().collect()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1e-9)
}

/// Random incidents in a box, seeded, with every kind of category, severity, review,
/// precision and time precision; ages from 30 days in the future to 6 years.
fn random_incidents(
    rng: &mut StdRng,
    n: usize,
    lon: (f64, f64),
    lat: (f64, f64),
    first_id: usize,
) -> Vec<Incident> {
    (0..n)
        .map(|k| {
            let loc = p(
                rng.random_range(lon.0..lon.1),
                rng.random_range(lat.0..lat.1),
            );
            let age_days = rng.random_range(-30.0..2200.0);
            let when = at() - Duration::seconds((age_days * 86_400.0) as i64);
            let mut i = incident(first_id + k, loc, when);
            i.category = IncidentCategory::ALL[rng.random_range(0..IncidentCategory::ALL.len())];
            i.severity = Severity::from_level(rng.random_range(1..=5)).unwrap();
            i.review = [
                ReviewStatus::Verified,
                ReviewStatus::Unverified,
                ReviewStatus::Retracted,
            ][rng.random_range(0..3)];
            i.location_precision = [
                LocationPrecision::Exact,
                LocationPrecision::Local,
                LocationPrecision::Area,
                LocationPrecision::Region,
                LocationPrecision::Unknown,
            ][rng.random_range(0..5)];
            i.time_precision = [
                TimePrecision::Exact,
                TimePrecision::Day,
                TimePrecision::Week,
                TimePrecision::Month,
                TimePrecision::Year,
            ][rng.random_range(0..5)];
            i
        })
        .collect()
}

// --- H3 end to end ------------------------------------------------------------------------

#[test]
fn binning_matches_the_reference_h3_library() {
    let path = senda_testkit::test_file("h3/mesoamerica_h3_vectors_h3py.csv");
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (lat, lng) = (col("lat"), col("lng"));
    let wanted = [(5u8, col("res5")), (7, col("res7")), (9, col("res9"))];
    let fields: Vec<(u8, RiskField)> = wanted
        .iter()
        .map(|&(res, _)| {
            let config = RiskConfig {
                resolution: res,
                ..RiskConfig::default()
            };
            (res, RiskField::build(&[], &[], at(), &config).unwrap())
        })
        .collect();
    let mut rows = 0;
    for record in reader.records() {
        let record = record.unwrap();
        let point = p(record[lng].parse().unwrap(), record[lat].parse().unwrap());
        for (&(res, column), (_, field)) in wanted.iter().zip(&fields) {
            let expected = &record[column];
            let resolution = Resolution::try_from(res).unwrap();
            assert_eq!(
                cell_at(point, resolution).to_string(),
                expected,
                "{point} res {res}"
            );
            assert_eq!(field.cell_at(point).to_string(), expected);
        }
        rows += 1;
    }
    assert_eq!(rows, 228);
}

#[test]
fn an_incident_peaks_in_the_reference_cell() {
    let path = senda_testkit::test_file("h3/mesoamerica_h3_vectors_h3py.csv");
    let mut reader = csv::Reader::from_path(path).unwrap();
    let config = RiskConfig::default();
    for record in reader.records().take(40) {
        let record = record.unwrap();
        let point = p(record[3].parse().unwrap(), record[2].parse().unwrap());
        let field = RiskField::build(&[incident(0, point, at())], &[], at(), &config).unwrap();
        let (peak, _) = field
            .cells()
            .max_by(|a, b| a.1.incident.total_cmp(&b.1.incident))
            .unwrap();
        assert_eq!(peak.to_string(), &record[5]);
    }
}

// --- Incident weighting -------------------------------------------------------------------

#[test]
fn kernel_conserves_each_incidents_weight() {
    let config = RiskConfig::default();
    let mut rng = StdRng::seed_from_u64(7);
    let incidents = random_incidents(&mut rng, 300, (-94.0, -90.0), (14.0, 17.0), 0);
    let field = RiskField::build(&incidents, &[], at(), &config).unwrap();
    let expected: f64 = incidents
        .iter()
        .map(|i| config.incident_weight(i, at()))
        .sum();
    assert!(expected > 0.0);
    assert!(close(field.total_incident_weight(), expected, 1e-9));
    for precision in [
        LocationPrecision::Exact,
        LocationPrecision::Local,
        LocationPrecision::Area,
        LocationPrecision::Region,
        LocationPrecision::Unknown,
    ] {
        let mut one = incident(1, p(-92.27, 14.9), at());
        one.location_precision = precision;
        let field = RiskField::build(&[one.clone()], &[], at(), &config).unwrap();
        assert!(close(
            field.total_incident_weight(),
            config.incident_weight(&one, at()),
            1e-9
        ));
    }
}

#[test]
fn imprecise_locations_spread_wider_and_lower() {
    let config = RiskConfig::default();
    let here = p(-92.27, 14.9);
    let mut previous: Option<(usize, f64)> = None;
    for precision in [
        LocationPrecision::Exact,
        LocationPrecision::Local,
        LocationPrecision::Area,
        LocationPrecision::Region,
    ] {
        let mut one = incident(1, here, at());
        one.location_precision = precision;
        let field = RiskField::build(&[one], &[], at(), &config).unwrap();
        let peak = field.value_at(here, RiskProfile::Foot);
        if let Some((cells, prev_peak)) = previous {
            assert!(field.len() > cells, "{precision:?}");
            assert!(peak < prev_peak, "{precision:?}");
        }
        previous = Some((field.len(), peak));
    }
}

#[test]
fn retracted_and_future_reports_carry_no_risk() {
    let config = RiskConfig::default();
    let mut retracted = incident(1, p(-92.27, 14.9), at() - Duration::days(10));
    retracted.review = ReviewStatus::Retracted;
    let future = incident(2, p(-92.27, 14.9), at() + Duration::seconds(1));
    let field = RiskField::build(&[retracted, future], &[], at(), &config).unwrap();
    assert!(field.is_empty());
    assert_eq!(field.incidents_counted(), 0);
    assert_eq!(field.value_at(p(-92.27, 14.9), RiskProfile::Foot), 0.0);
}

#[test]
fn half_life_halves_the_weight() {
    let config = RiskConfig::default();
    let here = p(-92.27, 14.9);
    let fresh = RiskField::build(&[incident(1, here, at())], &[], at(), &config).unwrap();
    let old_at = at() - Duration::days(730);
    let old = RiskField::build(&[incident(1, here, old_at)], &[], at(), &config).unwrap();
    let (f, o) = (
        fresh.value_at(here, RiskProfile::Foot),
        old.value_at(here, RiskProfile::Foot),
    );
    assert!(close(o, f / 2.0, 1e-12), "{o} vs {f}");
    assert!(close(
        old.total_incident_weight(),
        fresh.total_incident_weight() / 2.0,
        1e-12
    ));
}

#[test]
fn severity_and_review_scale_the_weight() {
    let config = RiskConfig::default();
    let here = p(-92.27, 14.9);
    let mut critical = incident(1, here, at());
    critical.severity = Severity::Critical;
    let mut minor = critical.clone();
    minor.severity = Severity::Minor;
    let mut unverified = critical.clone();
    unverified.review = ReviewStatus::Unverified;
    let value = |i: &Incident| {
        RiskField::build(std::slice::from_ref(i), &[], at(), &config)
            .unwrap()
            .value_at(here, RiskProfile::Vehicle)
    };
    assert!(close(value(&critical), 16.0 * value(&minor), 1e-12));
    assert!(close(value(&unverified), 0.6 * value(&critical), 1e-12));
}

#[test]
fn a_month_precision_report_counts_from_mid_month() {
    let config = RiskConfig::default();
    let here = p(-92.27, 14.9);
    let mut month = incident(1, here, Utc.with_ymd_and_hms(2023, 6, 1, 0, 0, 0).unwrap());
    month.time_precision = TimePrecision::Month;
    let exact = incident(2, here, Utc.with_ymd_and_hms(2023, 6, 16, 0, 0, 0).unwrap());
    assert!(close(
        config.incident_weight(&month, at()),
        config.incident_weight(&exact, at()),
        1e-12
    ));
    // A report of this month already counts, at full weight.
    let mut this_month = incident(3, here, Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap());
    this_month.time_precision = TimePrecision::Month;
    let fresh = incident(4, here, at());
    assert!(close(
        config.incident_weight(&this_month, at()),
        config.incident_weight(&fresh, at()),
        1e-12
    ));
}

// --- Weather alerts -----------------------------------------------------------------------

#[test]
fn alerts_count_only_inside_their_window() {
    let config = RiskConfig::default();
    let area = polygon_area(square(-92.3, 14.9, 0.1));
    let make = |window| {
        alert(
            "a1",
            "Aviso de Ciclón Tropical en el Pacífico",
            CapSeverity::Severe,
            CapCertainty::Likely,
            CapUrgency::Expected,
            window,
            area.clone(),
        )
    };
    let past = make((at() - Duration::days(3), at() - Duration::days(2)));
    let future = make((at() + Duration::hours(1), at() + Duration::days(2)));
    let field = RiskField::build(&[], &[past, future], at(), &config).unwrap();
    assert!(field.is_empty());
    assert!(field.alerts().is_empty());
    let mut cancelled = make(window_around(at()));
    cancelled.msg_type = "Cancel".to_owned();
    let mut exercise = make(window_around(at()));
    exercise.status = "Exercise".to_owned();
    let field = RiskField::build(&[], &[cancelled, exercise], at(), &config).unwrap();
    assert!(field.is_empty());
    let active = make(window_around(at()));
    let field = RiskField::build(&[], &[active], at(), &config).unwrap();
    assert_eq!(field.alerts().len(), 1);
    assert_eq!(field.alerts()[0].kind, HazardKind::Storm);
    assert!(field.value_at(p(-92.3, 14.9), RiskProfile::Foot) > 0.0);
    assert_eq!(field.value_at(p(-92.7, 14.9), RiskProfile::Foot), 0.0);
    // Storms weigh more on foot than in a vehicle.
    let cell = field.cell_at(p(-92.3, 14.9));
    assert!(field.value(cell, RiskProfile::Foot) > field.value(cell, RiskProfile::Vehicle));
}

#[test]
fn polygon_coverage_includes_boundary_cells() {
    let config = RiskConfig::default();
    let ring = square(-92.3, 14.9, 0.1);
    let a = alert(
        "a1",
        "Flood Warning",
        CapSeverity::Moderate,
        CapCertainty::Possible,
        CapUrgency::Future,
        window_around(at()),
        polygon_area(ring.clone()),
    );
    let field = RiskField::build(&[], &[a], at(), &config).unwrap();
    // ~0.2° × 0.2° ≈ 21.5 km × 22.1 km ≈ 475 km², ≈ 92 cells by centre, more with the
    // boundary cells.
    let n = field.alerts()[0].cells;
    assert!((92..200).contains(&n), "{n}");
    // Every corner of the square is covered, as is the centre.
    for corner in &ring[..4] {
        assert!(field.value_at(*corner, RiskProfile::Foot) > 0.0, "{corner}");
    }
}

#[test]
fn extreme_alerts_block_the_profiles_they_block() {
    let config = RiskConfig::default();
    let here = p(-92.27, 14.9);
    let circle = AlertArea::new(
        "circle".to_owned(),
        vec![],
        vec![Circle::new(here, 10.0).unwrap()],
    )
    .unwrap();
    let storm = alert(
        "storm",
        "Hurricane Warning",
        CapSeverity::Extreme,
        CapCertainty::Observed,
        CapUrgency::Immediate,
        window_around(at()),
        circle.clone(),
    );
    let field = RiskField::build(&[], std::slice::from_ref(&storm), at(), &config).unwrap();
    let cell = field.cell_at(here);
    assert!(field.blocked(cell, RiskProfile::Foot));
    assert!(field.blocked(cell, RiskProfile::Vehicle));
    let line = [p(-92.4, 14.9), p(-92.1, 14.9)];
    assert!(field.integrate(&line, RiskProfile::Vehicle).blocked);
    let far = [p(-93.4, 14.9), p(-93.1, 14.9)];
    assert!(!field.integrate(&far, RiskProfile::Vehicle).blocked);

    let mut heat = storm.clone();
    heat.texts[0].event = "Onda de calor".to_owned();
    let field = RiskField::build(&[], &[heat], at(), &config).unwrap();
    assert_eq!(field.alerts()[0].kind, HazardKind::Heat);
    assert!(field.blocked(cell, RiskProfile::Foot));
    assert!(!field.blocked(cell, RiskProfile::Vehicle));

    let mut flood = storm.clone();
    flood.texts[0].event = "Flood Warning".to_owned();
    flood.severity = CapSeverity::Severe;
    flood.certainty = CapCertainty::Likely;
    let field = RiskField::build(&[], &[flood], at(), &config).unwrap();
    assert!(!field.blocked(cell, RiskProfile::Foot));
    assert!(field.crossings_blocked(cell, RiskProfile::Foot));
    assert!(field.crossings_blocked(cell, RiskProfile::Vehicle));
    assert!(field.integrate(&line, RiskProfile::Foot).crossings_blocked);

    // Possible (not likely) extreme: soft hazard only.
    let mut possible = storm;
    possible.certainty = CapCertainty::Possible;
    let field = RiskField::build(&[], &[possible], at(), &config).unwrap();
    assert!(!field.blocked(cell, RiskProfile::Foot));
    assert!(field.value(cell, RiskProfile::Foot) > 0.0);
}

#[test]
fn overlapping_alerts_of_one_kind_take_the_strongest() {
    let config = RiskConfig::default();
    let area = polygon_area(square(-92.3, 14.9, 0.1));
    let weak = alert(
        "weak",
        "Tormenta tropical",
        CapSeverity::Moderate,
        CapCertainty::Likely,
        CapUrgency::Expected,
        window_around(at()),
        area.clone(),
    );
    let strong = alert(
        "strong",
        "Huracán",
        CapSeverity::Severe,
        CapCertainty::Likely,
        CapUrgency::Expected,
        window_around(at()),
        area.clone(),
    );
    let heat = alert(
        "heat",
        "Temperaturas altas",
        CapSeverity::Moderate,
        CapCertainty::Likely,
        CapUrgency::Expected,
        window_around(at()),
        area,
    );
    let here = p(-92.3, 14.9);
    let only_strong = RiskField::build(&[], std::slice::from_ref(&strong), at(), &config).unwrap();
    let both = RiskField::build(&[], &[weak, strong.clone()], at(), &config).unwrap();
    let foot = RiskProfile::Foot;
    assert_eq!(both.value_at(here, foot), only_strong.value_at(here, foot));
    let with_heat = RiskField::build(&[], &[strong, heat], at(), &config).unwrap();
    assert!(with_heat.value_at(here, foot) > only_strong.value_at(here, foot));
}

#[test]
fn alerts_across_the_antimeridian_and_at_a_pole_are_placed() {
    let config = RiskConfig::default();
    let ring = vec![
        p(179.9, -16.1),
        p(-179.9, -16.1),
        p(-179.9, -15.9),
        p(179.9, -15.9),
        p(179.9, -16.1),
    ];
    let pole = AlertArea::new(
        "pole".to_owned(),
        vec![],
        vec![Circle::new(p(0.0, 90.0), 20.0).unwrap()],
    )
    .unwrap();
    let alerts = [
        alert(
            "fiji",
            "Tropical Cyclone Alert",
            CapSeverity::Severe,
            CapCertainty::Likely,
            CapUrgency::Expected,
            window_around(at()),
            polygon_area(ring),
        ),
        alert(
            "pole",
            "Blizzard and extreme cold",
            CapSeverity::Severe,
            CapCertainty::Likely,
            CapUrgency::Expected,
            window_around(at()),
            pole,
        ),
    ];
    let field = RiskField::build(&[], &alerts, at(), &config).unwrap();
    assert!(
        field.alert_issues().is_empty(),
        "{:?}",
        field.alert_issues()
    );
    // ~0.2° × 0.2° at 16° S ≈ 21 × 22 km: about 90 cells, not a band around the globe.
    let fiji = &field.alerts()[0];
    assert!((80..200).contains(&fiji.cells), "{}", fiji.cells);
    for q in [p(180.0, -16.0), p(-179.95, -16.0), p(179.95, -16.0)] {
        assert!(field.value_at(q, RiskProfile::Foot) > 0.0, "{q}");
    }
    assert_eq!(field.value_at(p(0.0, -16.0), RiskProfile::Foot), 0.0);
    assert_eq!(field.alerts()[1].kind, HazardKind::Cold);
    assert!(field.value_at(p(45.0, 89.95), RiskProfile::Foot) > 0.0);
    let line = [p(179.95, -16.0), p(-179.95, -16.0)];
    let r = field.integrate(&line, RiskProfile::Foot);
    assert!(r.length_m < 12_000.0 && r.exposure > 0.0);
    for (_, risk) in field.cells() {
        assert!(risk.hazard_foot.is_finite() && risk.hazard_foot > 0.0);
    }
}

#[test]
fn a_huge_alert_is_reported_not_tiled() {
    let mut config = RiskConfig::default();
    config.weather.max_alert_cells = 1000;
    let huge = alert(
        "huge",
        "Storm",
        CapSeverity::Severe,
        CapCertainty::Likely,
        CapUrgency::Expected,
        window_around(at()),
        AlertArea::new(
            "big".to_owned(),
            vec![],
            vec![Circle::new(p(-92.0, 15.0), 500.0).unwrap()],
        )
        .unwrap(),
    );
    let field = RiskField::build(&[], &[huge], at(), &config).unwrap();
    assert!(field.alerts().is_empty());
    assert_eq!(field.alert_issues().len(), 1);
    assert_eq!(field.alert_issues()[0].key.source_id, "huge");
}

// --- Incremental update and edges ---------------------------------------------------------

fn assert_same_field(a: &RiskField, b: &RiskField) {
    let (ca, cb) = (cells_of(a), cells_of(b));
    for (cell, ra) in &ca {
        let rb = cb.get(cell).copied().unwrap_or(*ra);
        assert!(
            close(ra.incident, rb.incident, 1e-9),
            "{cell}: {ra:?} vs {rb:?}"
        );
        assert_eq!(ra.hazard_foot, rb.hazard_foot);
        assert_eq!(ra.blocked_foot, rb.blocked_foot);
    }
    for (cell, rb) in &cb {
        let ra = ca.get(cell).map_or(0.0, |r| r.incident);
        assert!(close(ra, rb.incident, 1e-9), "{cell}");
    }
}

#[test]
fn incremental_add_equals_rebuild_and_reports_every_changed_cell() {
    let config = RiskConfig::default();
    let mut rng = StdRng::seed_from_u64(11);
    let base = random_incidents(&mut rng, 400, (-94.0, -91.0), (14.5, 17.0), 0);
    let new = random_incidents(&mut rng, 60, (-94.0, -91.0), (14.5, 17.0), 10_000);
    let storm = alert(
        "storm",
        "Huracán",
        CapSeverity::Extreme,
        CapCertainty::Observed,
        CapUrgency::Immediate,
        window_around(at()),
        polygon_area(square(-92.5, 15.5, 0.3)),
    );
    let mut incremental =
        RiskField::build(&base, std::slice::from_ref(&storm), at(), &config).unwrap();
    let before = cells_of(&incremental);
    let affected = incremental.add_incidents(&new);
    let all: Vec<Incident> = base.iter().chain(&new).cloned().collect();
    let rebuilt = RiskField::build(&all, &[storm], at(), &config).unwrap();
    assert_same_field(&incremental, &rebuilt);
    assert_eq!(incremental.incidents_counted(), rebuilt.incidents_counted());
    for (cell, risk) in incremental.cells() {
        let old = before.get(&cell).map_or(0.0, |r| r.incident);
        if risk.incident != old {
            assert!(affected.contains(cell), "{cell} changed but not reported");
        }
    }
}

fn random_edges(rng: &mut StdRng, n: usize) -> Vec<Vec<LonLat>> {
    (0..n)
        .map(|_| {
            let (lon, lat) = (rng.random_range(-94.0..-91.0), rng.random_range(14.5..17.0));
            let vertices = rng.random_range(2..6);
            let mut line = vec![p(lon, lat)];
            for _ in 1..vertices {
                let last = *line.last().unwrap();
                line.push(p(
                    last.lon() + rng.random_range(-0.02..0.02),
                    last.lat() + rng.random_range(-0.02..0.02),
                ));
            }
            line
        })
        .collect()
}

#[test]
fn recomputing_affected_edges_equals_a_full_recompute() {
    let config = RiskConfig::default();
    let mut rng = StdRng::seed_from_u64(5);
    let base = random_incidents(&mut rng, 300, (-94.0, -91.0), (14.5, 17.0), 0);
    let new = random_incidents(&mut rng, 20, (-94.0, -91.0), (14.5, 17.0), 10_000);
    let edges = random_edges(&mut rng, 3000);
    let mut field = RiskField::build(&base, &[], at(), &config).unwrap();
    let index = EdgeCellIndex::from_lines(field.sampling(), &edges).unwrap();
    assert_eq!(index.edge_count(), edges.len());
    for profile in RiskProfile::ALL {
        let mut risks = field.edge_risks(&index, profile).unwrap();
        // The index path equals integrating each line.
        for (e, line) in edges.iter().enumerate().step_by(97) {
            let direct = field.integrate(line, profile).summary();
            assert!(close(direct.exposure, risks[e].exposure, 1e-12));
            assert!(close(direct.length_m, risks[e].length_m, 1e-12));
        }
        let mut updated = field.clone();
        let affected = updated.add_incidents(&new);
        let recomputed = updated
            .recompute_edges(&affected, &index, profile, &mut risks)
            .unwrap();
        assert!(!recomputed.is_empty() && recomputed.len() < edges.len());
        let all: Vec<Incident> = base.iter().chain(&new).cloned().collect();
        let rebuilt = RiskField::build(&all, &[], at(), &config).unwrap();
        let full = rebuilt.edge_risks(&index, profile).unwrap();
        for (e, (a, b)) in risks.iter().zip(&full).enumerate() {
            assert!(
                close(a.exposure, b.exposure, 1e-9),
                "edge {e}: {a:?} vs {b:?}"
            );
        }
    }
    // A field at another resolution refuses the index.
    let other = RiskField::build(
        &base,
        &[],
        at(),
        &RiskConfig {
            resolution: 8,
            ..config.clone()
        },
    )
    .unwrap();
    assert!(other.edge_risks(&index, RiskProfile::Foot).is_err());
    let mut short = vec![Default::default(); 3];
    let affected = field.add_incidents(&new);
    assert!(field
        .recompute_edges(&affected, &index, RiskProfile::Foot, &mut short)
        .is_err());
}

// --- Along lines --------------------------------------------------------------------------

fn busy_field() -> RiskField {
    let mut rng = StdRng::seed_from_u64(3);
    let incidents = random_incidents(&mut rng, 500, (-93.0, -92.0), (14.7, 15.5), 0);
    let flood = alert(
        "flood",
        "Inundaciones",
        CapSeverity::Severe,
        CapCertainty::Likely,
        CapUrgency::Expected,
        window_around(at()),
        polygon_area(square(-92.4, 15.0, 0.05)),
    );
    RiskField::build(&incidents, &[flood], at(), &RiskConfig::default()).unwrap()
}

#[test]
fn integration_is_additive_over_a_split_line() {
    let field = busy_field();
    let line = [
        p(-92.9, 14.8),
        p(-92.6, 15.0),
        p(-92.45, 15.02),
        p(-92.2, 15.3),
    ];
    for profile in RiskProfile::ALL {
        let whole = field.integrate(&line, profile);
        assert!(whole.exposure > 0.0);
        // Split at a vertex: the same pieces, so equal up to rounding.
        let a = field.integrate(&line[..3], profile);
        let b = field.integrate(&line[2..], profile);
        assert!(close(a.exposure + b.exposure, whole.exposure, 1e-9));
        assert!(close(a.length_m + b.length_m, whole.length_m, 1e-9));
        // Split inside a segment: the pieces move, so equal within the sampling error
        // (at most one spacing per cell boundary at the highest value met).
        let (s, t) = (line[1], line[2]);
        let m = p((s.lon() + t.lon()) / 2.0, (s.lat() + t.lat()) / 2.0);
        let first = [line[0], line[1], m];
        let second = [m, line[2], line[3]];
        let (a, b) = (
            field.integrate(&first, profile),
            field.integrate(&second, profile),
        );
        let max_value = whole
            .cells
            .iter()
            .map(|(c, _)| field.value(*c, profile))
            .fold(0.0, f64::max);
        let bound = 2.0 * 0.15 * max_value + 1e-9;
        assert!(
            (a.exposure + b.exposure - whole.exposure).abs() <= bound,
            "{} + {} vs {}",
            a.exposure,
            b.exposure,
            whole.exposure
        );
        assert!(close(a.length_m + b.length_m, whole.length_m, 1e-6));
    }
}

#[test]
fn a_longer_line_through_the_same_cell_costs_more() {
    // Start at a cell centre, so both lines stay inside the cell (inradius ≈ 1.2 km).
    let cell = cell_at(p(-92.27, 14.9), Resolution::Seven);
    let c = h3o::LatLng::from(cell);
    let here = p(c.lng(), c.lat());
    let field = RiskField::build(
        &[incident(1, here, at())],
        &[],
        at(),
        &RiskConfig::default(),
    )
    .unwrap();
    let centre = field.risk(cell);
    assert!(centre.incident > 0.0);
    let short = [here, p(here.lon() + 0.002, here.lat())];
    let long = [here, p(here.lon() + 0.006, here.lat())];
    assert!(field
        .integrate(&long, RiskProfile::Foot)
        .cells
        .iter()
        .all(|(c, _)| *c == cell));
    let (s, l) = (
        field.integrate(&short, RiskProfile::Foot),
        field.integrate(&long, RiskProfile::Foot),
    );
    assert!(l.exposure > s.exposure);
    assert!(close(s.mean_density, l.mean_density, 1e-12));
    assert!(close(s.mean_density, centre.incident, 1e-12));
}

// --- Explanations -------------------------------------------------------------------------

#[test]
fn explanations_aggregate_cells_categories_and_alerts() {
    let field = busy_field();
    let route: Vec<Vec<LonLat>> = vec![
        vec![p(-92.9, 14.8), p(-92.6, 15.0)],
        vec![p(-92.6, 15.0), p(-92.4, 15.0), p(-92.2, 15.3)],
    ];
    for profile in RiskProfile::ALL {
        let e = field.explain_lines(route.iter().map(Vec::as_slice), profile, 5);
        assert!(e.total_exposure > 0.0);
        assert!(close(
            e.incident_exposure + e.hazard_exposure,
            e.total_exposure,
            1e-9
        ));
        assert!(e.top_cells.len() <= 5);
        assert!(e
            .top_cells
            .windows(2)
            .all(|w| w[0].exposure >= w[1].exposure));
        let shares: f64 = e.categories.iter().map(|c| c.share).sum::<f64>()
            + e.alerts.iter().map(|a| a.share).sum::<f64>();
        assert!((shares - 1.0).abs() < 1e-5, "{shares}");
        assert_eq!(e.alerts.len(), 1);
        assert_eq!(e.alerts[0].source.source_id, "flood");
        assert!(close(e.alerts[0].exposure, e.hazard_exposure, 1e-9));
        // The same through the (cell, length) form.
        let cells = route.iter().flat_map(|l| field.integrate(l, profile).cells);
        let again = field.explain(cells, profile, 5);
        assert!(close(again.total_exposure, e.total_exposure, 1e-12));
        // Aggregated only: no report identifier leaks into the answer.
        let json = serde_json::to_string(&e).unwrap();
        assert!(json.contains("\"top_cells\"") && json.contains("\"exposure_share\""));
        assert!(!json.contains("report-"), "{json}");
    }
}

// --- Properties ---------------------------------------------------------------------------

fn location() -> impl Strategy<Value = (f64, f64)> {
    prop_oneof![
        6 => (-118.0..-77.0f64, 7.0..33.0f64),
        1 => (prop_oneof![Just(-180.0), Just(180.0), -180.0..-179.9f64, 179.9..180.0f64], -60.0..60.0f64),
        1 => (-180.0..180.0f64, prop_oneof![Just(90.0), Just(-90.0), 89.9..90.0f64, -90.0..-89.9f64]),
    ]
}

fn any_incident() -> impl Strategy<Value = Incident> {
    (
        location(),
        0..IncidentCategory::ALL.len(),
        1..=5u8,
        0..3usize,
        0..5usize,
        0..5usize,
        -30.0..3000.0f64,
        0..100_000usize,
    )
        .prop_map(|((lon, lat), cat, sev, review, prec, tprec, age, id)| {
            let when = at() - Duration::seconds((age * 86_400.0) as i64);
            let mut i = incident(id, p(lon, lat), when);
            i.category = IncidentCategory::ALL[cat];
            i.severity = Severity::from_level(sev).unwrap();
            i.review = [
                ReviewStatus::Verified,
                ReviewStatus::Unverified,
                ReviewStatus::Retracted,
            ][review];
            i.location_precision = [
                LocationPrecision::Exact,
                LocationPrecision::Local,
                LocationPrecision::Area,
                LocationPrecision::Region,
                LocationPrecision::Unknown,
            ][prec];
            i.time_precision = [
                TimePrecision::Exact,
                TimePrecision::Day,
                TimePrecision::Week,
                TimePrecision::Month,
                TimePrecision::Year,
            ][tprec];
            i
        })
}

fn any_line() -> impl Strategy<Value = Vec<LonLat>> {
    (
        location(),
        prop::collection::vec((-0.05..0.05f64, -0.05..0.05f64), 1..5),
    )
        .prop_map(|((lon, lat), steps)| {
            let mut line = vec![p(lon, lat)];
            for (dx, dy) in steps {
                let last = *line.last().unwrap();
                let mut x = last.lon() + dx;
                if x > 180.0 {
                    x -= 360.0;
                } else if x < -180.0 {
                    x += 360.0;
                }
                line.push(p(x, (last.lat() + dy).clamp(-90.0, 90.0)));
            }
            line
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn values_are_finite_and_non_negative(
        incidents in prop::collection::vec(any_incident(), 0..12),
        lines in prop::collection::vec(any_line(), 1..4),
    ) {
        let config = RiskConfig::default();
        let field = RiskField::build(&incidents, &[], at(), &config).unwrap();
        for (_, r) in field.cells() {
            for v in [r.incident, r.hazard_foot, r.hazard_vehicle] {
                prop_assert!(v.is_finite() && v >= 0.0);
            }
        }
        let expected: f64 = incidents.iter().map(|i| config.incident_weight(i, at())).sum();
        prop_assert!(close(field.total_incident_weight(), expected, 1e-9));
        for line in &lines {
            for profile in RiskProfile::ALL {
                let r = field.integrate(line, profile);
                prop_assert!(r.exposure.is_finite() && r.exposure >= 0.0);
                prop_assert!(r.mean_density.is_finite() && r.mean_density >= 0.0);
                prop_assert!(r.length_m.is_finite() && r.length_m >= 0.0);
            }
        }
    }

    #[test]
    fn adding_an_incident_never_lowers_risk(
        incidents in prop::collection::vec(any_incident(), 0..8),
        extra in any_incident(),
        lines in prop::collection::vec(any_line(), 1..4),
    ) {
        let config = RiskConfig::default();
        let base = RiskField::build(&incidents, &[], at(), &config).unwrap();
        let mut more = incidents.clone();
        more.push(extra.clone());
        let bigger = RiskField::build(&more, &[], at(), &config).unwrap();
        for (cell, r) in base.cells() {
            for profile in RiskProfile::ALL {
                prop_assert!(bigger.value(cell, profile) >= r.value(profile) * (1.0 - 1e-12));
            }
        }
        let mut line_through = lines.clone();
        line_through.push(vec![extra.location, p(
            (extra.location.lon() + 0.01).min(180.0),
            extra.location.lat(),
        )]);
        for line in &line_through {
            for profile in RiskProfile::ALL {
                let (a, b) = (base.integrate(line, profile), bigger.integrate(line, profile));
                prop_assert!(b.exposure >= a.exposure * (1.0 - 1e-12));
            }
        }
        // And incrementally.
        let mut incremental = base.clone();
        let affected = incremental.add_incidents(std::slice::from_ref(&extra));
        prop_assert_eq!(affected.is_empty(), config.incident_weight(&extra, at()) == 0.0);
        assert_same_field(&incremental, &bigger);
    }
}

#[test]
fn engine_with_events_equals_a_full_build() {
    use senda_core::engine::{Engine, EngineConfig, EngineData};
    use senda_core::graph::Profile;
    let roads = senda_testkit::gen::road_like_graph(3_000, 11);
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for p in roads.iter().flat_map(|r| r.geometry.iter()) {
        (x0, y0) = (x0.min(p.lon()), y0.min(p.lat()));
        (x1, y1) = (x1.max(p.lon()), y1.max(p.lat()));
    }
    let old = senda_testkit::gen::incidents(300, 1, [x0, y0, x1, y1], at(), 0);
    let mut new = senda_testkit::gen::incidents(200, 2, [x0, y0, x1, y1], at(), 300);
    // A corrected record: same key, another place.
    new.push(Incident {
        location: p(x0 + 0.5 * (x1 - x0), y0 + 0.5 * (y1 - y0)),
        ..old[0].clone()
    });
    let all: Vec<Incident> = old[1..].iter().chain(&new).cloned().collect();
    let later = at() + Duration::days(30);
    let storm = alert(
        "storm",
        "Tormenta",
        CapSeverity::Severe,
        CapCertainty::Observed,
        CapUrgency::Immediate,
        window_around(later),
        polygon_area(square(0.5 * (x0 + x1), 0.5 * (y0 + y1), 0.02)),
    );
    let data = |incidents: Vec<Incident>, alerts: Vec<WeatherAlert>| EngineData {
        roads: roads.clone(),
        incidents,
        alerts,
        ..EngineData::default()
    };
    let base = Engine::build(data(old, vec![]), at(), EngineConfig::default()).unwrap();
    let refreshed = base
        .with_events(all.clone(), vec![storm.clone()], later)
        .unwrap();
    let full = Engine::build(data(all, vec![storm]), later, EngineConfig::default()).unwrap();
    assert_eq!(refreshed.at(), later);
    assert_eq!(refreshed.incidents().len(), full.incidents().len());
    assert_eq!(refreshed.alerts().len(), 1);
    let mut changed = 0;
    for profile in [Profile::Foot, Profile::Vehicle] {
        let (a, b, was) = (
            refreshed.edge_risk(profile),
            full.edge_risk(profile),
            base.edge_risk(profile),
        );
        assert_eq!(a.len(), b.len());
        for (e, (x, y)) in a.iter().zip(b).enumerate() {
            assert!(
                close(x.exposure, y.exposure, 1e-12),
                "edge {e}: {x:?} vs {y:?}"
            );
            changed += usize::from(!close(x.exposure, was[e].exposure, 1e-12));
        }
    }
    assert!(changed > 0, "the new events changed no edge");
}

#[test]
fn an_alert_too_large_for_a_warning_blocks_nothing_or_is_skipped() {
    let square = |half: f64| {
        polygon_area(vec![
            p(-92.0 - half, 15.0 - half),
            p(-92.0 + half, 15.0 - half),
            p(-92.0 + half, 15.0 + half),
            p(-92.0 - half, 15.0 + half),
            p(-92.0 - half, 15.0 - half),
        ])
    };
    let extreme = |id: &str, area: AlertArea| {
        alert(
            id,
            "Hurricane",
            CapSeverity::Extreme,
            CapCertainty::Observed,
            CapUrgency::Immediate,
            window_around(at()),
            area,
        )
    };
    // 0.2° a side: about 470 km²; 6° a side: about 430,000 km² (over the block limit).
    let small = extreme("small", square(0.1));
    let large = extreme("large", square(3.0));
    assert!(
        (400.0..550.0).contains(&small.area_km2()),
        "{}",
        small.area_km2()
    );
    assert!(
        (400_000.0..460_000.0).contains(&large.area_km2()),
        "{}",
        large.area_km2()
    );
    let config = RiskConfig::default();
    let field = RiskField::build(&[], &[small, large.clone()], at(), &config).unwrap();
    let [s, l] = [&field.alerts()[0], &field.alerts()[1]];
    assert!(s.blocks_vehicle && s.blocks_foot);
    assert!(!l.blocks_vehicle && !l.blocks_foot && l.hazard_vehicle > 0.0);
    assert_eq!(field.alert_issues().len(), 1);
    assert_eq!(field.alert_issues()[0].key.source_id, "large");
    assert!(field.alert_issues()[0]
        .reason
        .contains("max_block_area_km2"));

    // Past max_alert_area_km2: skipped whole.
    let mut config = RiskConfig::default();
    config.weather.max_alert_area_km2 = 100_000.0;
    let field = RiskField::build(&[], &[large], at(), &config).unwrap();
    assert!(field.alerts().is_empty());
    assert!(field.alert_issues()[0]
        .reason
        .contains("max_alert_area_km2"));
    config.weather.max_block_area_km2 = f64::NAN;
    assert!(config.validate().is_err());
}
