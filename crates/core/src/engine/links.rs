//! Walking links between rail lines and roads.
//!
//! Rail lines from another source than the roads (e.g. Natural Earth railroads beside Travel
//! Mapping highways) share no vertex with them, so the graph builder's small merge tolerance
//! (meant for digitising gaps) never joins them, and the rail network would be an island the
//! `allow_rail` option could not reach. People board freight trains at yards and stations in
//! towns, where rail lines end or meet: each rail line endpoint that no road touches is linked
//! to the nearest road vertex within [`EngineConfig::rail_link_m`](super::EngineConfig) by a
//! short footway (`SourceKey("senda:rail-link", "<rail source>:<rail id>#start|end")`). The
//! links are reported by `senda network` and carry no risk of their own beyond the field.

use crate::{haversine_m, LonLat, RoadClass, RoadSegment, SourceKey};
use rstar::{primitives::GeomWithData, RTree};
use std::collections::HashSet;

/// Local planar coordinates for nearest-neighbour search: longitude scaled by cos(latitude).
fn planar(p: LonLat) -> [f64; 2] {
    [p.lon() * p.lat().to_radians().cos(), p.lat()]
}

fn key(p: LonLat) -> (u64, u64) {
    (p.lon().to_bits(), p.lat().to_bits())
}

/// The links for `roads` (see the module docs); empty when `max_m` is not positive.
pub fn rail_links(roads: &[RoadSegment], max_m: f64) -> Vec<RoadSegment> {
    if max_m.is_nan() || max_m <= 0.0 {
        return Vec::new();
    }
    let road_vertices: Vec<LonLat> = roads
        .iter()
        .filter(|s| s.class != RoadClass::Rail && s.foot_allowed())
        .flat_map(|s| s.geometry.iter().copied())
        .collect();
    if road_vertices.is_empty() {
        return Vec::new();
    }
    let on_road: HashSet<(u64, u64)> = road_vertices.iter().map(|p| key(*p)).collect();
    let tree = RTree::bulk_load(
        road_vertices
            .iter()
            .enumerate()
            .map(|(i, p)| GeomWithData::new(planar(*p), i))
            .collect(),
    );
    let mut seen = HashSet::new();
    let mut links = Vec::new();
    for rail in roads.iter().filter(|s| s.class == RoadClass::Rail) {
        let (Some(&first), Some(&last)) = (rail.geometry.first(), rail.geometry.last()) else {
            continue;
        };
        for (end, which) in [(first, "start"), (last, "end")] {
            if on_road.contains(&key(end)) || !seen.insert(key(end)) {
                continue;
            }
            let Some(nearest) = tree.nearest_neighbor(planar(end)) else {
                continue;
            };
            let target = road_vertices[nearest.data];
            let d = haversine_m(end, target);
            if d > max_m || d == 0.0 {
                continue;
            }
            let id = format!("{}:{}#{which}", rail.key.source, rail.key.source_id);
            let Ok(link_key) = SourceKey::new("senda:rail-link", id) else {
                continue;
            };
            if let Ok(mut link) = RoadSegment::new(link_key, RoadClass::Footway, vec![end, target])
            {
                link.name = Some("link to rail line".to_owned());
                links.push(link);
            }
        }
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(id: &str, class: RoadClass, pts: &[(f64, f64)]) -> RoadSegment {
        let g = pts
            .iter()
            .map(|&(x, y)| LonLat::new(x, y).unwrap())
            .collect();
        RoadSegment::new(SourceKey::new("t", id).unwrap(), class, g).unwrap()
    }

    #[test]
    fn rail_ends_link_to_the_nearest_road_vertex_within_the_limit() {
        let roads = vec![
            seg(
                "road",
                RoadClass::Primary,
                &[(0.0, 0.0), (0.01, 0.0), (0.02, 0.0)],
            ),
            // Starts ~550 m north of the road's middle vertex; ends far away.
            seg("rail", RoadClass::Rail, &[(0.01, 0.005), (0.01, 0.2)]),
            // Touches the road exactly: no link needed at that end.
            seg("rail2", RoadClass::Rail, &[(0.02, 0.0), (0.05, 0.3)]),
        ];
        let links = rail_links(&roads, 2_000.0);
        assert_eq!(links.len(), 1);
        let l = &links[0];
        assert_eq!(l.key.source, "senda:rail-link");
        assert_eq!(l.key.source_id, "t:rail#start");
        assert_eq!(l.class, RoadClass::Footway);
        assert_eq!(l.geometry[1], LonLat::new(0.01, 0.0).unwrap());
        assert!(rail_links(&roads, 100.0).is_empty());
        assert!(rail_links(&roads, 0.0).is_empty());
    }
}
