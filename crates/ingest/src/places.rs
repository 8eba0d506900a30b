//! A gazetteer of the corridor's towns (the Natural Earth populated places bundled in `data/`),
//! to check a point against the town its address names: shelter lists are often geocoded by
//! hand, and a shelter whose address says "Tapachula" but whose point lies 260 km away must not
//! be shown as if it were where the point is.

use crate::countries::name_key;
use senda_core::{haversine_m, LonLat};
use std::collections::HashMap;
use std::sync::OnceLock;

/// How far a point may lie from the town its address names before it is suspect, metres
/// (towns are points here; a large city's edge is ~20 km from its centre).
pub const TOWN_TOLERANCE_M: f64 = 50_000.0;

/// Towns by name key ([`name_key`]): every town of that name (several countries repeat names).
#[derive(Debug, Default)]
pub struct Places {
    by_key: HashMap<String, Vec<(String, LonLat)>>,
}

impl Places {
    /// The bundled corridor towns, parsed once.
    pub fn corridor() -> &'static Places {
        static P: OnceLock<Places> = OnceLock::new();
        P.get_or_init(|| {
            let file = crate::defaults::FILES
                .iter()
                .find(|f| f.name.ends_with("populated_places_simple.geojson"))
                .expect("the populated places are bundled");
            Places::from_geojson(file.bytes)
        })
    }

    /// Towns from a GeoJSON FeatureCollection of points with a `name` (and `namealt`,
    /// `nameascii`) property; anything else is skipped.
    pub fn from_geojson(bytes: &[u8]) -> Places {
        let mut places = Places::default();
        let Ok(doc) = serde_json::from_slice::<serde_json::Value>(bytes) else {
            return places;
        };
        for f in doc["features"].as_array().into_iter().flatten() {
            let c = &f["geometry"]["coordinates"];
            let (Some(lon), Some(lat)) = (c[0].as_f64(), c[1].as_f64()) else {
                continue;
            };
            let (Ok(at), Some(name)) = (LonLat::new(lon, lat), f["properties"]["name"].as_str())
            else {
                continue;
            };
            for field in ["name", "namealt", "nameascii"] {
                if let Some(n) = f["properties"][field].as_str() {
                    let key = name_key(n);
                    if key.len() >= 4 {
                        let entry = places.by_key.entry(key).or_default();
                        if !entry.iter().any(|(_, p)| *p == at) {
                            entry.push((name.to_owned(), at));
                        }
                    }
                }
            }
        }
        places
    }

    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// When `address` names a town (one of its comma-separated parts, or the whole of it, is a
    /// town's name) and `p` lies farther than [`TOWN_TOLERANCE_M`] from every town of that
    /// name: the town and the distance to the nearest one, km.
    pub fn disagrees(&self, address: &str, p: LonLat) -> Option<(String, f64)> {
        let mut named = None;
        for part in address.split([',', ';', '\n']) {
            let Some(towns) = self.by_key.get(&name_key(part)) else {
                continue;
            };
            let (name, d) = towns
                .iter()
                .map(|(n, at)| (n, haversine_m(*at, p)))
                .min_by(|a, b| a.1.total_cmp(&b.1))?;
            if d <= TOWN_TOLERANCE_M {
                return None;
            }
            named.get_or_insert((name.clone(), d / 1000.0));
        }
        named
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ll(lon: f64, lat: f64) -> LonLat {
        LonLat::new(lon, lat).unwrap()
    }

    #[test]
    fn a_point_far_from_the_town_its_address_names_disagrees() {
        let places = Places::corridor();
        assert!(places.len() > 400);
        // Real rows of the TheWetZone list: "Tapachula" geocoded 260 km away, in Oaxaca.
        let (town, km) = places
            .disagrees(
                "Avenida Hidalgo s/n Colonia San Antonio Cahoacán Apartado 87,Tapachula, Chis. C.P. 27900",
                ll(-94.201111, 16.563889),
            )
            .unwrap();
        assert_eq!(town, "Tapachula");
        assert!((200.0..300.0).contains(&km), "{km}");
        assert!(places
            .disagrees("Tapachula", ll(-93.968056, 16.597222))
            .is_some());
        // The same address at Tapachula is fine; so is an address naming no town.
        assert_eq!(
            places.disagrees("Av. 5 Norte, Tapachula", ll(-92.26, 14.90)),
            None
        );
        assert_eq!(
            places.disagrees("Calle 3 #45, Colonia Centro", ll(-99.0, 19.0)),
            None
        );
        assert_eq!(places.disagrees("", ll(-99.0, 19.0)), None);
        // Accents and case do not matter.
        assert!(places.disagrees("TAPACHULA", ll(-99.0, 19.0)).is_some());
    }
}
