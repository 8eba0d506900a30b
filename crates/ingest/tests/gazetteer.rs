//! The embedded corridor gazetteer on the names migrants type: accents, case, abbreviations,
//! aliases, typos, qualifiers, ambiguity, other scripts, and reverse geocoding.

use senda_core::place::{Gazetteer, LookupError};
use senda_core::LonLat;
use senda_ingest::gazetteer::corridor;

fn ll(lon: f64, lat: f64) -> LonLat {
    LonLat::new(lon, lat).unwrap()
}

/// The best place for `q`: (name, admin-1, country).
fn best(g: &Gazetteer, q: &str) -> (String, String, String) {
    let m = g.lookup(q, None).unwrap_or_else(|e| panic!("{q}: {e}"));
    let p = g.place(m.best().place);
    (p.name.clone(), p.admin1.clone(), p.country.clone())
}

fn assert_best(g: &Gazetteer, q: &str, name: &str, admin1: &str, country: &str) {
    assert_eq!(
        best(g, q),
        (name.to_owned(), admin1.to_owned(), country.to_owned()),
        "lookup of {q:?}"
    );
}

#[test]
fn the_corridor_is_all_there() {
    let g = corridor();
    assert!(g.len() > 13_000, "{}", g.len());
    for country in ["MX", "GT", "BZ", "SV", "HN", "NI", "CR", "PA", "US"] {
        assert!(g.places().iter().any(|p| p.country == country), "{country}");
    }
    // US places are from the border states only.
    assert!(g.places().iter().filter(|p| p.country == "US").all(|p| [
        "California",
        "Arizona",
        "New Mexico",
        "Texas"
    ]
    .contains(&p.admin1.as_str())));
}

#[test]
fn route_towns_resolve_to_the_right_place() {
    let g = corridor();
    assert_best(&g, "Tecún Umán", "Ciudad Tecún Umán", "San Marcos", "GT");
    assert_best(&g, "tecun uman", "Ciudad Tecún Umán", "San Marcos", "GT");
    assert_best(&g, "Suchiate", "Ciudad Hidalgo", "Chiapas", "MX");
    assert_best(&g, "Arriaga", "Arriaga", "Chiapas", "MX");
    assert_best(&g, "Ixtepec", "Ixtepec", "Oaxaca", "MX");
    assert_best(&g, "Palenque", "Palenque", "Chiapas", "MX");
    assert_best(&g, "Altar", "Altar", "Sonora", "MX");
    assert_best(&g, "El Ceibo", "El Ceibo", "Tabasco", "MX");
    assert_best(&g, "CDMX", "Mexico City", "Mexico City", "MX");
    assert_best(&g, "DF", "Mexico City", "Mexico City", "MX");
    assert_best(&g, "D.F.", "Mexico City", "Mexico City", "MX");
    assert_best(&g, "Ciudad de México", "Mexico City", "Mexico City", "MX");
    assert_best(&g, "Cd. Juárez", "Ciudad Juárez", "Chihuahua", "MX");
    assert_best(&g, "Cd Juarez", "Ciudad Juárez", "Chihuahua", "MX");
    assert_best(&g, "CIUDAD JUAREZ", "Ciudad Juárez", "Chihuahua", "MX");
    assert_best(&g, "Monterey", "Monterrey", "Nuevo Leon", "MX");
    assert_best(&g, "Monterrey", "Monterrey", "Nuevo Leon", "MX");
    assert_best(&g, "Reinosa", "Reynosa", "Tamaulipas", "MX");
    assert_best(&g, "tapachul", "Tapachula", "Chiapas", "MX");
    assert_best(&g, "Tapachula", "Tapachula", "Chiapas", "MX");
    assert_best(&g, "S.L.P.", "San Luis Potosí", "San Luis Potosi", "MX");
    assert_best(
        &g,
        "Gral. Escobedo",
        "Ciudad General Escobedo",
        "Nuevo Leon",
        "MX",
    );
}

#[test]
fn more_towns_of_the_route() {
    // Not in the issue: other places a person on the route names, with typos and without
    // accents.
    let g = corridor();
    assert_best(&g, "Huixtla", "Huixtla", "Chiapas", "MX");
    assert_best(&g, "Tuxtla Gutierrez", "Tuxtla", "Chiapas", "MX");
    assert_best(&g, "Tenosique", "Tenosique", "Tabasco", "MX");
    assert_best(&g, "Coatzacoalcos", "Coatzacoalcos", "Veracruz", "MX");
    assert_best(&g, "coatzacoalco", "Coatzacoalcos", "Veracruz", "MX");
    assert_best(&g, "Nuevo Laredo", "Nuevo Laredo", "Tamaulipas", "MX");
    assert_best(&g, "Piedras Negras", "Piedras Negras", "Coahuila", "MX");
    assert_best(&g, "Nogales", "Nogales", "Sonora", "MX");
    assert_best(&g, "Matamoros", "Heroica Matamoros", "Tamaulipas", "MX");
    assert_best(&g, "Villahermosa", "Villahermosa", "Tabasco", "MX");
    assert_best(&g, "Tegus", "Tegucigalpa", "Francisco Morazan", "HN");
    assert_best(&g, "San Pedro Sula", "San Pedro Sula", "Cortes", "HN");
    assert_best(&g, "Guate", "Guatemala City", "Guatemala", "GT");
    assert_best(&g, "Peñas Blancas", "Peñas Blancas", "Guanacaste", "CR");
    assert_best(&g, "Paso Canoas", "Paso Canoas", "Chiriqui", "PA");
    assert_best(&g, "Тапачула", "Tapachula", "Chiapas", "MX");
}

#[test]
fn an_ambiguous_name_offers_choices_in_order() {
    let g = corridor();
    let m = g.lookup("Naco", None).unwrap();
    assert!(m.ambiguous, "{m:?}");
    let labels: Vec<String> = m
        .candidates
        .iter()
        .map(|c| {
            let p = g.place(c.place);
            format!("{}, {} ({})", p.name, p.admin1, p.country)
        })
        .collect();
    assert_eq!(labels[0], "Naco, Sonora (MX)");
    assert!(
        labels.contains(&"Naco, Arizona (US)".to_owned()),
        "{labels:?}"
    );
    assert!(
        !labels.iter().any(|l| l.starts_with("Nacogdoches")),
        "{labels:?}"
    );
    // A qualifier chooses.
    assert_best(&g, "Naco, Arizona", "Naco", "Arizona", "US");
    assert_best(&g, "Naco, AZ", "Naco", "Arizona", "US");
    assert_best(&g, "Naco Arizona", "Naco", "Arizona", "US");
    assert_best(&g, "Naco (Son.)", "Naco", "Sonora", "MX");
    assert_best(&g, "Nogales, Ariz.", "Nogales", "Arizona", "US");
    assert_best(&g, "Laredo, Texas", "Laredo", "Texas", "US");
    // No Laredo in Tamaulipas: Nuevo Laredo is (its last word).
    assert_best(&g, "Laredo, Tamps.", "Nuevo Laredo", "Tamaulipas", "MX");
    assert_best(&g, "pedro sula", "San Pedro Sula", "Cortes", "HN");
}

#[test]
fn nearness_ranks_similar_towns() {
    let g = corridor();
    // Two Arriagas: Chiapas (24k) and Villa de Arriaga, SLP (5k). Near San Luis Potosí, a
    // person typing "Villa de Arriaga" is not sent to Chiapas; plain "Arriaga" stays Chiapas.
    let slp = ll(-100.98, 22.15);
    let m = g.lookup("Villa de Arriaga", Some(slp)).unwrap();
    assert_eq!(g.place(m.best().place).admin1, "San Luis Potosi");
    // "Tierra Blanca": spelling, then population, then nearness — the big one in Veracruz
    // first; near the small one in Sonora, the name is ambiguous and Sonora's is offered.
    let m = g.lookup("Tierra Blanca", None).unwrap();
    assert_eq!(g.place(m.best().place).admin1, "Veracruz");
    assert!(!m
        .choices()
        .iter()
        .any(|c| g.place(c.place).admin1 == "Sonora"));
    let sonora = g
        .places()
        .iter()
        .find(|p| p.name == "Tierra Blanca" && p.admin1 == "Sonora")
        .unwrap()
        .location;
    let m = g.lookup("Tierra Blanca", Some(sonora)).unwrap();
    assert!(m.ambiguous);
    assert!(m
        .choices()
        .iter()
        .any(|c| g.place(c.place).admin1 == "Sonora"));
}

#[test]
fn bad_names_get_clear_answers() {
    let g = corridor();
    assert_eq!(g.lookup("", None), Err(LookupError::Empty));
    assert_eq!(g.lookup("   ", None), Err(LookupError::Empty));
    assert!(matches!(
        g.lookup("¿¡!?", None),
        Err(LookupError::NoLetters { .. })
    ));
    assert!(matches!(
        g.lookup(&"a".repeat(500), None),
        Err(LookupError::TooLong { .. })
    ));
    assert!(matches!(
        g.lookup("Xqzvwkjh", None),
        Err(LookupError::NotFound { .. })
    ));
    assert!(matches!(
        g.lookup("Narnia", None),
        Err(LookupError::NotFound { .. })
    ));
    // Other scripts are transliterated: Chinese for Tapachula finds it (GeoNames has its
    // pinyin), Tokyo's name finds nothing.
    assert_best(&g, "塔帕丘拉", "Tapachula", "Chiapas", "MX");
    assert!(matches!(
        g.lookup("東京", None),
        Err(LookupError::NotFound { .. })
    ));
    // Short strings are never matched fuzzily.
    assert!(matches!(
        g.lookup("Xq", None),
        Err(LookupError::NotFound { .. })
    ));
}

#[test]
fn reverse_geocoding_names_any_point() {
    let g = corridor();
    let near = |lon, lat| {
        let n = g.reverse(ll(lon, lat)).unwrap();
        (g.place(n.place).label(), n.distance_m)
    };
    // On the coastal highway between Huixtla and Escuintla, nearer to Huixtla's edge.
    let (label, d) = near(-92.47, 15.14);
    assert_eq!(label, "Huixtla, Chiapas");
    assert!(d < 5_000.0, "{d}");
    let (label, _) = near(-92.2589, 14.9054);
    assert_eq!(label, "Tapachula, Chiapas");
    // In the Pacific, 200 km off the coast: no town.
    assert!(g.reverse(ll(-95.0, 13.0)).is_none());
}

#[test]
fn towns_along_a_line_in_order() {
    let g = corridor();
    // Tapachula → Huixtla → Escuintla along the coastal highway.
    let line = [
        ll(-92.2589, 14.9054),
        ll(-92.4700, 15.1400),
        ll(-92.6600, 15.3200),
    ];
    let towns: Vec<String> = g
        .towns_along(&line, 20_000, 3_000.0)
        .into_iter()
        .map(|p| g.place(p).name.clone())
        .collect();
    assert_eq!(towns.first().map(String::as_str), Some("Tapachula"));
    let h = towns.iter().position(|t| t == "Huixtla").expect("Huixtla");
    assert!(h > 0);
}

proptest::proptest! {
    /// Any text at all gets an answer or a clear error, never a panic; a found place is
    /// among the gazetteer's.
    #[test]
    fn any_text_gets_an_answer(text in "\\PC{0,80}") {
        let g = corridor();
        if let Ok(m) = g.lookup(&text, None) {
            proptest::prop_assert!(!m.candidates.is_empty());
            proptest::prop_assert!(m.best().place.index() < g.len());
        }
    }

    /// Any point gets a town or none, never a panic; a named town is within the limit.
    #[test]
    fn any_point_gets_a_town_or_none(lon in -180.0f64..180.0, lat in -90.0f64..90.0) {
        let g = corridor();
        if let Some(n) = g.reverse(ll(lon, lat)) {
            proptest::prop_assert!(n.distance_m <= senda_core::place::REVERSE_MAX_M);
        }
    }
}
