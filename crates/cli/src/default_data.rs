//! The default dataset, embedded in the binary so `senda` runs with no set-up. Provenance and
//! licences: `data/README.md`.

use senda_core::RecordKind;

pub struct DefaultFile {
    pub name: &'static str,
    pub kind: RecordKind,
    pub bytes: &'static [u8],
}

macro_rules! file {
    ($kind:ident, $path:literal) => {
        DefaultFile {
            name: concat!("data/", $path),
            kind: RecordKind::$kind,
            bytes: include_bytes!(concat!("../../../data/", $path)),
        }
    };
}

pub const FILES: &[DefaultFile] = &[
    file!(Roads, "roads/tm_mesoamerica_segments.geojson"),
    file!(Roads, "naturalearth/mesoamerica_ne_10m_railroads.geojson"),
    file!(
        Transit,
        "naturalearth/mesoamerica_ne_10m_populated_places_simple.geojson"
    ),
    file!(Shelters, "shelters/thewetzone_places_sv_gt_mx_us.csv"),
    file!(
        Shelters,
        "shelters/tijuana_migrant_services_hakkindavid.csv"
    ),
    file!(Incidents, "incidents/iom_mmp_mesoamerica_2014_2025_hxl.csv"),
    file!(Weather, "weather/smn_mexico_cap12_atom_2014_full.xml"),
];

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
