//! Shelter readers and the country polygons, through the public API, on the real lists of the
//! default dataset in `data/shelters`, a real world file in `tests/data/naturalearth` and on
//! hand-made bad input.

use proptest::prelude::*;
use senda_core::{LonLat, Placement, Service, Shelter, ShelterKind, Visibility};
use senda_ingest::countries::{Countries, BORDER_TOLERANCE_M};
use senda_ingest::{shelters, IngestError, Input, Outcome};
use std::collections::{BTreeMap, HashSet};

fn ll(lon: f64, lat: f64) -> LonLat {
    LonLat::new(lon, lat).unwrap()
}

/// A shelter list of the default dataset in `data/`.
fn read_data(rel: &str) -> Outcome<Shelter> {
    let input = Input::from_path(&senda_testkit::data_file(rel)).unwrap();
    shelters::read(&input, Countries::corridor()).unwrap()
}

fn read_text(name: &str, text: &str) -> Outcome<Shelter> {
    shelters::read(
        &Input::from_bytes(name, text.as_bytes().to_vec()).unwrap(),
        Countries::corridor(),
    )
    .unwrap()
}

fn kinds(out: &Outcome<Shelter>) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for r in &out.records {
        *m.entry(r.record.kind.as_str()).or_default() += 1;
    }
    m
}

fn assert_ids_unique(out: &Outcome<Shelter>) {
    let keys: HashSet<_> = out.records.iter().map(|r| &r.record.key).collect();
    assert_eq!(keys.len(), out.records.len());
}

fn find<'a>(out: &'a Outcome<Shelter>, name: &str, lon: f64) -> &'a Shelter {
    out.records
        .iter()
        .map(|r| &r.record)
        .find(|s| {
            s.name == name && (s.source_location.unwrap_or(s.location).lon() - lon).abs() < 1e-6
        })
        .unwrap_or_else(|| panic!("{name} at {lon}"))
}

// ---------------------------------------------------------------- countries

#[test]
fn cities_are_located_in_their_country() {
    let c = Countries::corridor();
    let cases = [
        ("Tijuana", -117.0382, 32.5149, "MEX"),
        ("Tapachula", -92.2667, 14.9, "MEX"),
        ("Guatemala City", -90.5133, 14.6407, "GTM"),
        ("San Salvador", -89.1872, 13.6929, "SLV"),
        ("Tegucigalpa", -87.2068, 14.0723, "HND"),
        ("Managua", -86.2514, 12.1364, "NIC"),
        ("San José", -84.0907, 9.9281, "CRI"),
        ("Panamá City", -79.5199, 8.9824, "PAN"),
        ("Belmopan", -88.7590, 17.2514, "BLZ"),
        // El Paso International Airport, 7 km from the border (see the border test below).
        ("El Paso", -106.3778, 31.8072, "USA"),
        ("Bogotá", -74.0721, 4.7110, "COL"),
        ("La Habana", -82.3666, 23.1136, "CUB"),
    ];
    for (name, lon, lat, iso) in cases {
        assert_eq!(
            c.locate(ll(lon, lat)).map(|k| k.iso_a3()),
            Some(iso),
            "{name}"
        );
        assert!(c.contains(c.resolve(iso).unwrap(), ll(lon, lat)), "{name}");
    }
    // The Pacific off Guerrero, ~110 km from the coast.
    assert!(c.locate(ll(-100.5, 16.0)).is_none());
    assert!(c.iter().all(|k| !c.contains(k, ll(-100.5, 16.0))));
}

#[test]
fn borders_at_one_to_fifty_million_are_only_good_to_a_couple_of_km() {
    let c = Countries::corridor();
    let (mex, usa, gtm) = (
        c.resolve("MEX").unwrap(),
        c.resolve("USA").unwrap(),
        c.resolve("GTM").unwrap(),
    );
    // Downtown El Paso falls 0.9 km inside Mexico's generalised polygon; the tolerance keeps it
    // in the United States too, so a shelter there stated as "EE.UU." is not suspect.
    let el_paso = ll(-106.4864, 31.7592);
    assert_eq!(c.locate(el_paso).unwrap().iso_a3(), "MEX");
    assert!(c.contains(usa, el_paso) && c.contains(mex, el_paso));
    // Ciudad Hidalgo, Chiapas (on the Suchiate, facing Tecún Umán) falls in Guatemala's polygon.
    let hidalgo = ll(-92.1510, 14.6799);
    assert!(c.contains(mex, hidalgo) && c.contains(gtm, hidalgo));
    // Casa Puerta de Esperanza, Tijuana (HakkinDavid list): 120 m inside the US polygon.
    let puerta = ll(-117.006563, 32.543563);
    assert_eq!(c.locate(puerta).unwrap().iso_a3(), "USA");
    assert!(c.contains(mex, puerta));
}

#[test]
fn coast_tolerance() {
    let c = Countries::corridor();
    let mex = c.resolve("México").unwrap();
    // TheWetZone's consulate at 15.907846,-93.779609 lies in the sea, 1.8 km off Chiapas.
    let near = ll(-93.779609, 15.907846);
    let d = mex.distance_m(near);
    assert!((1_000.0..BORDER_TOLERANCE_M).contains(&d), "{d}");
    assert!(c.contains(mex, near));
    assert_eq!(c.locate(near).unwrap().iso_a3(), "MEX");
    // Miami Beach (Natural Earth's point) is 2.7 km off the 1:50m coast: outside.
    let usa = c.resolve("USA").unwrap();
    let miami_beach = ll(-80.1317811051664, 25.80991953394681);
    assert!((BORDER_TOLERANCE_M..3_000.0).contains(&usa.distance_m(miami_beach)));
    assert!(!c.contains(usa, miami_beach));
    assert!(c.locate(miami_beach).is_none());
    // Inside is distance 0.
    assert_eq!(mex.distance_m(ll(-99.13, 19.43)), 0.0);
}

#[test]
fn resolve_spanish_common_and_code_names() {
    let c = Countries::corridor();
    let cases = [
        ("México", "MEX"),
        ("mexico", "MEX"),
        ("MX", "MEX"),
        ("mex", "MEX"),
        ("Estados Unidos", "USA"),
        ("EE.UU.", "USA"),
        ("EEUU", "USA"),
        ("USA", "USA"),
        ("US", "USA"),
        ("United States", "USA"),
        ("United States of America", "USA"),
        ("guatemala", "GTM"),
        ("El Salvador", "SLV"),
        ("HONDURAS", "HND"),
        ("Nicaragua", "NIC"),
        ("Costa Rica", "CRI"),
        ("Panamá", "PAN"),
        ("PANAMA", "PAN"),
        ("Belice", "BLZ"),
        ("Belize", "BLZ"),
        ("Colombia", "COL"),
        ("Cuba", "CUB"),
        ("Republic of Costa Rica", "CRI"),
        ("  el salvador ", "SLV"),
    ];
    for (name, iso) in cases {
        assert_eq!(c.resolve(name).map(|k| k.iso_a3()), Some(iso), "{name}");
    }
    for unknown in ["", "Jamaica", "Narnia", "Estados"] {
        assert!(c.resolve(unknown).is_none(), "{unknown}");
    }
    let mex = c.resolve("MEX").unwrap();
    assert_eq!(
        (mex.name(), mex.iso_a2(), mex.formal_en()),
        ("Mexico", Some("MX"), Some("United Mexican States"))
    );
}

#[test]
fn world_file_loads_with_natural_earth_codes() {
    // Natural Earth 1:110m, every country of the world (177 features).
    let input = Input::from_path(&senda_testkit::test_file(
        "naturalearth/ne_110m_admin_0_countries.json",
    ))
    .unwrap();
    let world = Countries::from_geojson(&input).unwrap();
    assert_eq!(world.len(), 177);
    assert!(world.skipped().is_empty());
    // France has ISO_A3 = -99 (and ISO_A3_EH = -99) in this Natural Earth file; ADM0_A3 gives FRA.
    assert_eq!(world.resolve("France").unwrap().iso_a3(), "FRA");
    assert_eq!(world.locate(ll(2.35, 48.86)).unwrap().iso_a3(), "FRA");
    assert_eq!(world.locate(ll(-77.30, 18.10)).unwrap().iso_a3(), "JAM");
    assert_eq!(world.locate(ll(-90.5133, 14.6407)).unwrap().iso_a3(), "GTM");
}

// ---------------------------------------------------------------- TheWetZone

#[test]
fn thewetzone_real_file() {
    let out = read_data("shelters/thewetzone_places_sv_gt_mx_us.csv");
    let r = &out.report;
    assert_eq!(r.format, "thewetzone");
    // 84 rows: 42 Albergue, 24 "Embajada Salvadoreña" (consulates), 18 "Lugar Peligroso".
    assert_eq!(
        (
            r.records,
            r.accepted,
            r.rejected.len(),
            r.skipped.len(),
            r.flagged.len()
        ),
        (84, 66, 0, 18, 48)
    );
    // The list was geocoded by hand, and badly: 36 points lie far from the town their
    // address names and 4 from the town their name ends with ("… de Arriaga", 439 km away);
    // each is placed at that town, flagged, with the source's point kept. Both "Tapachula"
    // shelters lay in Oaxaca, 262 and 278 km away.
    let flagged = |field: &str| -> Vec<_> {
        r.flagged
            .iter()
            .filter(|f| f.field.as_deref() == Some(field))
            .collect()
    };
    let by_address = flagged("address");
    assert_eq!(by_address.len(), 36);
    assert_eq!(flagged("name").len(), 4);
    assert!(by_address.iter().any(|f| f.at.line == Some(6)
        && f.reason.contains("names Tapachula, Chiapas")
        && f.reason.contains("278 km")
        && f.reason.contains("placed at Tapachula")));
    // 7 points outside their stated state whose records name no town: undecided.
    assert_eq!(flagged("state").len(), 7);
    let undecided = out
        .records
        .iter()
        .filter(|s| s.record.placement == Placement::Undecided)
        .count();
    assert_eq!(undecided, 7);
    let tapachula = senda_testkit::ll(-92.25891, 14.90541);
    for name in [
        "Casa del Migrante Albergue Belén",
        "Parroquia de Jesús de la Buena Esperanza",
    ] {
        let s = &out
            .records
            .iter()
            .find(|s| s.record.name == name)
            .unwrap()
            .record;
        assert_eq!(
            s.placement,
            Placement::Town {
                town: "Tapachula, Chiapas".into()
            }
        );
        assert!(senda_core::haversine_m(s.location, tapachula) < 1_000.0);
        assert!(senda_core::haversine_m(s.source_location.unwrap(), tapachula) > 250_000.0);
    }
    // A consulate in Virginia is outside the gazetteer's reach: not checked, not moved.
    assert!(!r.flagged.iter().any(|f| f.reason.contains("Woodbridge")));
    let belen = out
        .records
        .iter()
        .find(|s| s.record.name == "Casa del Migrante Albergue Belén")
        .unwrap();
    assert!(belen.record.location_suspect);
    assert!(r
        .skipped
        .iter()
        .all(|s| s.reason.contains("Lugar Peligroso") && s.reason.contains("not a service point")));
    assert_eq!(r.skipped[0].at.line, Some(44));
    assert_eq!(
        kinds(&out),
        BTreeMap::from([("consulate", 24), ("shelter", 42)])
    );
    assert_ids_unique(&out);
    for s in out.records.iter().map(|r| &r.record) {
        assert_eq!(s.key.source, "thewetzone_places_sv_gt_mx_us");
        assert_eq!(s.verified_on, None);
        assert_eq!(s.visibility, Visibility::Public);
        // Not swapped: the list spans Guatemala to Massachusetts.
        assert!(
            (-123.0..-70.0).contains(&s.location.lon()) && (14.0..43.0).contains(&s.location.lat()),
            "{}",
            s.location
        );
        let expected = if s.kind == ShelterKind::Shelter {
            Service::Bed
        } else {
            Service::Consular
        };
        assert_eq!(s.services, [expected]);
    }

    // The one record flagged for its country (checked by hand): a Salvadoran consulate stated
    // in Chiapas, Mexico, placed 100 km inside Guatemala (Huehuetenango).
    let by_country: Vec<_> = r
        .flagged
        .iter()
        .filter(|f| f.field.as_deref() == Some("country"))
        .collect();
    assert_eq!(by_country.len(), 1);
    let flag = by_country[0];
    assert_eq!(
        (flag.at.index, flag.at.line, flag.field.as_deref()),
        (61, Some(63), Some("country"))
    );
    assert_eq!(
        flag.source_id.as_deref(),
        Some("embajada-de-el-salvador@-90.2975,15.1820")
    );
    assert!(
        flag.reason.contains("\"Mexico\"") && flag.reason.contains("falls in Guatemala"),
        "{}",
        flag.reason
    );
    let suspect: Vec<_> = out
        .records
        .iter()
        .filter(|r| r.record.location_suspect)
        .collect();
    assert_eq!(suspect.len(), 47);
    let consulate = suspect.iter().find(|s| s.at.line == Some(63)).unwrap();
    assert_eq!(consulate.record.kind, ShelterKind::Consulate);

    // Arriaga was placed at lon -98.0 (near Pinotepa Nacional, Oaxaca) instead of -93.9, still
    // inside Mexico, its stated country, with an address that names no town; its name ends
    // with the town ("… de Arriaga", in its stated state Chiapas): placed at Arriaga.
    let arriaga = find(
        &out,
        "Casa del Migrante Hogar de La Misericordia de Arriaga",
        -98.006389,
    );
    assert_eq!(arriaga.state.as_deref(), Some("Chiapas"));
    assert!(arriaga.location_suspect);
    assert_eq!(
        arriaga.placement,
        Placement::Town {
            town: "Arriaga, Chiapas".into()
        }
    );
    assert!(senda_core::haversine_m(arriaga.location, ll(-93.9, 16.24)) < 2_000.0);
    assert_eq!(arriaga.phone.as_deref(), Some("52019666623797"));

    // The consulate 1.8 km off the Chiapas coast is within the country's tolerance, but its
    // stated state is Oaxaca and its nearest town is in Chiapas: undecided, flagged.
    let at_sea = find(&out, "Embajada de El Salvador", -93.779609);
    assert_eq!(at_sea.placement, Placement::Undecided);
    assert!(r.flagged.iter().any(|f| f.field.as_deref() == Some("state")
        && f.reason.contains("Cabeza de Toro, Chiapas")
        && f.reason.contains("\"Oaxaca\"")));

    let crs = find(&out, "Catholic Relief Services", -89.640029);
    // Its address ends "Ciudad de Guatemala", 96 km from its point: placed there.
    assert_eq!(crs.source_location, Some(ll(-89.640029, 14.479317)));
    assert_eq!(crs.location, ll(-90.51327, 14.64072));
    assert_eq!(
        crs.key.source_id,
        "catholic-relief-services@-89.6400,14.4793"
    );
    assert_eq!(
        (
            crs.phone.as_deref(),
            crs.country.as_deref(),
            crs.state.as_deref()
        ),
        (Some("50223622173"), Some("Guatemala"), Some("Guatemala"))
    );
    assert!(crs
        .address
        .as_deref()
        .unwrap()
        .starts_with("Diagonal 6, 11-97 zona 10"));
    assert!(crs
        .description
        .as_deref()
        .unwrap()
        .starts_with("Lugar de hospedaje"));

    let tijuana = find(&out, "Casa del Migrante", -116.56083);
    assert_eq!(tijuana.key.source_id, "casa-del-migrante@-116.5608,32.4447");
    let matamoros = find(
        &out,
        "Casa San Juan Diego y San Francisco de Asís A.C. Matamoros",
        -97.413333,
    );
    assert_eq!(
        matamoros.phone.as_deref(),
        Some("528688222213;"),
        "kept as given"
    );

    assert!(r.notes.iter().any(|n| n.contains("unverified")));
    assert!(r
        .notes
        .iter()
        .any(|n| n.contains("66 records without an id")));
}

// ---------------------------------------------------------------- HakkinDavid

#[test]
fn hakkindavid_real_file() {
    let out = read_data("shelters/tijuana_migrant_services_hakkindavid.csv");
    let r = &out.report;
    assert_eq!(r.format, "hakkindavid");
    assert_eq!(
        (
            r.records,
            r.accepted,
            r.rejected.len(),
            r.skipped.len(),
            r.flagged.len()
        ),
        (14, 14, 0, 0, 0)
    );
    assert_eq!(
        kinds(&out),
        BTreeMap::from([
            ("consulate", 4),
            ("human_rights", 2),
            ("shelter", 7),
            ("soup_kitchen", 1)
        ])
    );
    assert_ids_unique(&out);
    for s in out.records.iter().map(|r| &r.record) {
        assert_eq!(s.country.as_deref(), Some("Mexico"));
        assert!(!s.location_suspect);
        assert_eq!(s.verified_on, None);
        assert!(
            (-117.1..-116.9).contains(&s.location.lon())
                && (32.5..32.55).contains(&s.location.lat())
        );
        let expected = match s.kind {
            ShelterKind::Shelter => Service::Bed,
            ShelterKind::SoupKitchen => Service::Food,
            ShelterKind::Consulate => Service::Consular,
            ShelterKind::HumanRights => Service::Legal,
            other => panic!("{other:?}"),
        };
        assert_eq!(s.services, [expected]);
    }
    let chava = &out.records[7];
    assert_eq!(
        (chava.record.name.as_str(), chava.at.line),
        ("Desayunador Salesiano \"Padre Chava\"", Some(9))
    );
    assert_eq!(chava.record.kind, ShelterKind::SoupKitchen);
    assert_eq!(chava.record.location, ll(-117.032187, 32.536812));
    let puerta = find(
        &out,
        "Ejército de Salvación | Casa Puerta de Esperanza",
        -117.006563,
    );
    assert_eq!(
        puerta.key.source_id,
        "ejercito-de-salvacion-casa-puerta-de-esperanza@-117.0066,32.5436"
    );
    assert!(r.notes.iter().any(|n| n.contains("country = Mexico")));
}

// ---------------------------------------------------------------- senda schema and bad input

const HEADER: &str = "id,name,kind,lon,lat,services,capacity,verified_on,visibility,country";

fn one_row(row: &str) -> Outcome<Shelter> {
    read_text("mine.csv", &format!("{HEADER}\n{row}\n"))
}

fn rejected_field(row: &str) -> (String, String) {
    let out = one_row(row);
    assert_eq!(out.records.len(), 0, "{row}");
    assert_eq!(out.report.rejected.len(), 1, "{row}");
    let issue = &out.report.rejected[0];
    assert_eq!(issue.at.line, Some(2));
    (
        issue.field.clone().unwrap_or_default(),
        issue.reason.clone(),
    )
}

#[test]
fn senda_good_row() {
    let out = one_row(
        "s1,Albergue Belén,albergue,-92.2667,14.9,bed;food;legal,120,2025-03-01,public,México",
    );
    assert_eq!(out.report.format, "senda");
    assert_eq!((out.report.accepted, out.report.flagged.len()), (1, 0));
    let s = &out.records[0].record;
    assert_eq!(
        (s.key.source.as_str(), s.key.source_id.as_str()),
        ("mine", "s1")
    );
    assert_eq!(s.services, [Service::Bed, Service::Food, Service::Legal]);
    assert_eq!(s.capacity, Some(120));
    assert_eq!(s.verified_on.unwrap().to_string(), "2025-03-01");
}

#[test]
fn bad_rows_are_rejected_naming_the_column_and_value() {
    let cases: &[(&str, &str, &str)] = &[
        ("a,X,albergue,,14.9,,,,,", "lon", "missing"),
        ("a,X,albergue,-92.2,,,,,,", "lat", "missing"),
        ("a,X,albergue,NaN,14.9,,,,,", "lon", "finite"),
        ("a,X,albergue,-92.2,inf,,,,,", "lat", "finite"),
        ("a,X,albergue,-92.2,95,,,,,", "lat", "-90..90"),
        ("a,X,albergue,-192.2,14,,,,,", "lon", "-180..180"),
        ("a,X,albergue,14.9,-92.27,,,,,", "lat", "swapped"),
        ("a,X,albergue,14.07,-87.21,,,,,", "lon", "Honduras"),
        ("a,X,albergue,0,0,,,,,", "lon", "placeholder"),
        ("a,X,albergue,-92°16',14.9,,,,,", "lon", "not a number"),
        ("a,,albergue,-92.2,14.9,,,,,", "name", "missing"),
        ("a,X,,-92.2,14.9,,,,,", "kind", "missing"),
        ("a,X,hotel,-92.2,14.9,,,,,", "kind", "\"hotel\""),
        ("a,X,albergue,-92.2,14.9,,-5,,,", "capacity", "\"-5\""),
        (
            "a,X,albergue,-92.2,14.9,,about 20,,,",
            "capacity",
            "whole number",
        ),
        (
            "a,X,albergue,-92.2,14.9,,,01/03/2025,,",
            "verified_on",
            "YYYY-MM-DD",
        ),
        (
            "a,X,albergue,-92.2,14.9,,,2025-02-30,,",
            "verified_on",
            "YYYY-MM-DD",
        ),
        (
            "a,X,albergue,-92.2,14.9,,,2999-01-01,,",
            "verified_on",
            "future",
        ),
        (
            "a,X,albergue,-92.2,14.9,,,,secret,",
            "visibility",
            "public or restricted",
        ),
    ];
    for (row, field, needle) in cases {
        let (f, reason) = rejected_field(row);
        assert_eq!(f, *field, "{row}: {reason}");
        assert!(reason.contains(needle), "{row}: {reason}");
    }
}

#[test]
fn ragged_rows_are_rejected_and_blank_rows_skipped() {
    let out = read_text("r.csv", &format!("{HEADER}\na,X,albergue,-92.2,14.9\n,,,,,,,,,\nb,Y,albergue,-92.2,14.9,bed,,,,MX,extra\nc,Z,albergue,-92.2,14.9,,,,,\n"));
    let r = &out.report;
    assert_eq!((r.records, r.accepted), (4, 1));
    assert_eq!(
        r.rejected
            .iter()
            .map(|i| i.at.line.unwrap())
            .collect::<Vec<_>>(),
        [2, 4]
    );
    assert!(r.rejected[0]
        .reason
        .contains("5 fields but the header has 10"));
    assert!(r.rejected[1].reason.contains("11 fields"));
    assert_eq!(r.skipped[0].at.line, Some(3));
    assert_eq!(out.records[0].at.line, Some(5));
}

#[test]
fn unknown_list_items_are_dropped_and_flagged() {
    let out = read_text(
        "l.csv",
        "name,kind,lon,lat,services,serves,languages\nX,shelter,-92.2,14.9,bed;wifi;food,women;pets,es;español\n",
    );
    let s = &out.records[0].record;
    assert_eq!(s.services, [Service::Bed, Service::Food]);
    assert_eq!(s.serves.len(), 1);
    assert_eq!(s.languages, ["es"]);
    let flags: Vec<_> = out
        .report
        .flagged
        .iter()
        .map(|f| (f.field.as_deref().unwrap(), f.reason.as_str()))
        .collect();
    assert_eq!(flags.len(), 3);
    assert_eq!(flags[0], ("services", "unknown service \"wifi\" dropped"));
    assert_eq!(flags[1].0, "serves");
    assert_eq!(flags[2].0, "languages");
    assert!(!s.location_suspect);
}

#[test]
fn duplicate_ids_reject_the_later_row_naming_the_first() {
    let out = read_text(
        "d.csv",
        "id,name,kind,lon,lat\n7,A,shelter,-92.2,14.9\n8,B,shelter,-92.3,14.9\n7,C,shelter,-92.4,14.9\n",
    );
    assert_eq!(out.report.accepted, 2);
    let dup = &out.report.rejected[0];
    assert_eq!(
        (dup.at.line, dup.source_id.as_deref(), dup.field.as_deref()),
        (Some(4), Some("7"), Some("id"))
    );
    assert!(
        dup.reason.contains("first seen at record 0 (line 2)"),
        "{}",
        dup.reason
    );

    // Without ids, the same name at the same place (to 1e-4°) is the same record.
    let out = read_text("d.csv", "name,kind,lon,lat\nA,shelter,-92.20001,14.9\nA,shelter,-92.2,14.90002\nA,shelter,-92.3,14.9\n");
    assert_eq!(out.report.accepted, 2);
    assert!(out.report.rejected[0].reason.contains("line 2"));

    // Different sources may share an id.
    let out = read_text(
        "d.csv",
        "id,source,name,kind,lon,lat\n1,a,A,shelter,-92.2,14.9\n1,b,B,shelter,-92.2,14.9\n",
    );
    assert_eq!(out.report.accepted, 2);
}

#[test]
fn location_outside_the_stated_country_is_flagged_not_rejected() {
    let out = one_row("z,X,albergue,-90.52,14.62,,,,,Mexico");
    assert_eq!(out.report.accepted, 1);
    let s = &out.records[0].record;
    assert!(s.location_suspect);
    assert!(out.report.flagged[0].reason.contains("falls in Guatemala"));
    // An unknown country is noted, not checked.
    let out = one_row("z,X,albergue,-90.52,14.62,,,,,Narnia");
    assert!(!out.records[0].record.location_suspect);
    assert!(out.report.notes.iter().any(|n| n.contains("\"Narnia\"")));
    // No country: not checked, not flagged.
    let out = one_row("z,X,albergue,-100.5,16.0,,,,,");
    assert_eq!((out.report.accepted, out.report.flagged.len()), (1, 0));
}

#[test]
fn windows_1252_text_is_decoded_with_a_note() {
    let mut bytes =
        b"name,type,description,address,telephone,state,country,latitude,longitude\n".to_vec();
    bytes.extend_from_slice(
        b"Casa del Migrante Bel\xe9n,Albergue,,Tapachula,,Chiapas,M\xe9xico,14.9,-92.27\n",
    );
    let out = shelters::read(
        &Input::from_bytes("latin.csv", bytes).unwrap(),
        Countries::corridor(),
    )
    .unwrap();
    assert_eq!(out.records[0].record.name, "Casa del Migrante Belén");
    assert_eq!(out.records[0].record.country.as_deref(), Some("México"));
    assert!(!out.records[0].record.location_suspect);
    assert!(out.report.notes.iter().any(|n| n.contains("windows-1252")));
}

#[test]
fn unusable_files_are_errors() {
    let read = |text: &str| {
        shelters::read(
            &Input::from_bytes("f", text.as_bytes().to_vec()).unwrap(),
            Countries::corridor(),
        )
    };
    assert!(matches!(read(""), Err(IngestError::CsvHeader { .. })));
    assert!(matches!(
        read("a,b,c\n1,2,3\n"),
        Err(IngestError::CsvHeader { .. })
    ));
    assert!(matches!(
        read("name,kind\nX,shelter\n"),
        Err(IngestError::CsvHeader { .. })
    ));
    assert!(matches!(
        read("id,name,kind,lon,lat,name\n"),
        Err(IngestError::CsvHeader { .. })
    ));
    assert!(matches!(
        read("{\"type\": \"FeatureCollection\", "),
        Err(IngestError::Json { .. })
    ));
    assert!(matches!(
        read("{\"type\": \"Topology\"}"),
        Err(IngestError::GeoJson { .. })
    ));
    // A header-only file is fine: nothing to load.
    assert_eq!(read("name,kind,lon,lat\n").unwrap().report.records, 0);
}

#[test]
fn senda_geojson() {
    let text = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","id":"g1","geometry":{"type":"Point","coordinates":[-92.2667,14.9]},
       "properties":{"name":"Belén","kind":"shelter","services":["bed","food"],"capacity":40,"verified_on":"2025-01-15","visibility":"restricted","country":"MX","source":"redodem"}},
      {"type":"Feature","geometry":{"type":"Point","coordinates":[-92.3,14.95]},"properties":{"id":"g1","name":"Dup","kind":"comedor","source":"redodem"}},
      {"type":"Feature","geometry":{"type":"LineString","coordinates":[[-92,14],[-91,15]]},"properties":{"name":"Line","kind":"shelter"}},
      {"type":"Feature","geometry":null,"properties":{"name":"Columns","kind":"clinic","lon":-90.5,"lat":14.6}},
      {"type":"Feature","geometry":null,"properties":{"name":"Nowhere","kind":"shelter"}},
      {"type":"Feature","geometry":{"type":"Point","coordinates":[-92.2,14.9]},"properties":{"name":"Big","kind":"shelter","capacity":1.5}}
    ]}"#;
    let out = read_text("points.geojson", text);
    let r = &out.report;
    assert_eq!(r.format, "senda-geojson");
    assert_eq!((r.records, r.accepted, r.rejected.len()), (6, 2, 4));
    let s = &out.records[0].record;
    assert_eq!(
        (s.key.source.as_str(), s.key.source_id.as_str()),
        ("redodem", "g1")
    );
    assert_eq!(
        (s.services.len(), s.capacity, s.visibility),
        (2, Some(40), Visibility::Restricted)
    );
    assert_eq!(out.records[1].record.kind, ShelterKind::Medical);
    assert_eq!(out.records[1].record.key.source, "points");
    let fields: Vec<_> = r
        .rejected
        .iter()
        .map(|i| (i.at.index, i.field.as_deref().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [(1, "id"), (2, "geometry"), (4, "lon"), (5, "capacity")]
    );
    assert!(r.rejected.iter().all(|i| i.at.line.is_none()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(input) = Input::from_bytes("fuzz", bytes) {
            let _ = shelters::read(&input, Countries::corridor());
        }
    }

    #[test]
    fn csv_like_text_never_panics_and_counts_add_up(
        header in prop::sample::select(vec![HEADER, "name,type,description,address,telephone,state,country,latitude,longitude", "name,latitude,longitude,service"]),
        cells in proptest::collection::vec(
            proptest::collection::vec(prop::sample::select(vec![
                "", "X", "albergue", "Lugar Peligroso", "housing", "-92.27", "14.9", "NaN", "1e309", "-0", "95",
                "bed;wifi", "2024-02-30", "2024-05-01", "restricted", "México", "\"a,b\"", "\"", "9999999999", "é",
            ]), 0..12),
            0..8),
    ) {
        let mut text = format!("{header}\n");
        for row in &cells {
            text.push_str(&row.join(","));
            text.push('\n');
        }
        let input = Input::from_bytes("fuzz.csv", text.into_bytes()).unwrap();
        if let Ok(out) = shelters::read(&input, Countries::corridor()) {
            let r = &out.report;
            prop_assert_eq!(r.records, r.accepted + r.rejected.len() as u64 + r.skipped.len() as u64);
            prop_assert_eq!(r.accepted as usize, out.records.len());
        }
    }
}
