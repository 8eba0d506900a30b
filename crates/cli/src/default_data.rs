//! The default dataset, embedded in the binary so `senda` runs with no set-up
//! ([`senda_ingest::defaults`]). Provenance and licences: `data/README.md`.

use senda_ingest::defaults::FILES;

/// The default files as load sources.
pub fn sources() -> Vec<crate::load::Source> {
    FILES
        .iter()
        .map(|f| crate::load::Source::Embedded {
            name: f.name,
            kind: f.kind,
            bytes: f.bytes,
        })
        .collect()
}

/// The files the map's basemap is drawn from (`/tiles/basemap`): Natural Earth countries and
/// states, and the default data's own roads, rail and places.
pub fn basemap_sources() -> senda_tiles::BasemapSources<'static> {
    let file = |name: &str| {
        FILES
            .iter()
            .find(|f| f.name == name)
            .map_or(&[][..], |f| f.bytes)
    };
    senda_tiles::BasemapSources {
        countries: include_bytes!("../../../data/naturalearth/corridor_countries.geojson"),
        states: include_bytes!("../../../data/naturalearth/corridor_states.geojson"),
        roads: file("data/roads/tm_mesoamerica_segments.geojson"),
        rail: file("data/naturalearth/mesoamerica_ne_10m_railroads.geojson"),
        places: file("data/naturalearth/mesoamerica_ne_10m_populated_places_simple.geojson"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_basemap_builds_from_the_embedded_files() {
        let sources = super::basemap_sources();
        assert!(
            !sources.roads.is_empty() && !sources.rail.is_empty() && !sources.places.is_empty()
        );
        let map = senda_tiles::Basemap::build(&sources).unwrap();
        // Zoom 5 over southern Mexico and Guatemala: every layer has something.
        let tile = senda_tiles::TileId::new(5, 7, 14).unwrap();
        let decoded: senda_tiles::proto::Tile =
            prost::Message::decode(map.render(tile).as_slice()).unwrap();
        let names: Vec<&str> = decoded.layers.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["countries", "roads", "rail", "places", "labels"]);
    }
}
