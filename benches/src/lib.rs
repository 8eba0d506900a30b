//! Criterion suites live in `benches/`; this library holds the shared part of the side-by-side
//! peer comparison (`benches/peers/run.sh`, binaries `peers_export`, `peers_route` and
//! `peers_tiles`): which graph, its exported form and the seeded query pairs.

pub mod peers;

/// SplitMix64: seeded, dependency-free random numbers for the benchmarks' query points.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `count` incidents (kidnappings, severity 1, within 700 days before `at`) in `hotspots`
/// clusters of ±0.01° around road vertices: the synthetic risk of the route and CCH benches.
pub fn hotspot_incidents(
    roads: &[senda_core::RoadSegment],
    hotspots: usize,
    count: usize,
    at: chrono::DateTime<chrono::Utc>,
) -> Vec<senda_core::Incident> {
    use senda_core::{Incident, IncidentCategory, LonLat, SourceKey};
    let mut rng = Rng(99);
    let centres: Vec<LonLat> = (0..hotspots)
        .map(|_| roads[rng.below(roads.len())].geometry[0])
        .collect();
    (0..count)
        .map(|i| {
            let c = centres[i % hotspots];
            let p = LonLat::new(
                c.lon() + (rng.unit() - 0.5) * 0.02,
                c.lat() + (rng.unit() - 0.5) * 0.02,
            )
            .expect("a point near the roads");
            Incident::new(
                SourceKey::new("bench", i.to_string()).expect("a valid key"),
                p,
                at - chrono::Duration::days(1 + rng.below(700) as i64),
                IncidentCategory::Kidnapping,
                1,
            )
            .expect("a valid incident")
        })
        .collect()
}
