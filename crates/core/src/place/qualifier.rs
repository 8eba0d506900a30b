//! Qualifiers after a place name ("Naco, Sonora", "Naco, AZ", "Laredo, EE. UU."): which
//! admin-1 area (state, department, province) or country a key names.
//!
//! Admin-1 names come with the gazetteer; this table adds the abbreviations people write for
//! them (Mexican states as the postal service and the press abbreviate them, US states by
//! their postal codes) and the countries' names in the product's four languages.

/// Abbreviation (key form) → admin-1 name key as the gazetteer spells it.
const ADMIN1_ABBREVIATIONS: &[(&str, &str)] = &[
    ("ags", "aguascalientes"),
    ("bc", "baja california"),
    ("bcn", "baja california"),
    ("bcs", "baja california sur"),
    ("camp", "campeche"),
    ("coah", "coahuila"),
    ("col", "colima"),
    ("chis", "chiapas"),
    ("chih", "chihuahua"),
    ("cdmx", "mexico city"),
    ("df", "mexico city"),
    ("ciudad de mexico", "mexico city"),
    ("distrito federal", "mexico city"),
    ("dgo", "durango"),
    ("gto", "guanajuato"),
    ("gro", "guerrero"),
    ("hgo", "hidalgo"),
    ("hidalgo", "hidalgo"),
    ("jal", "jalisco"),
    ("edomex", "mexico"),
    ("edo mex", "mexico"),
    ("estado de mexico", "mexico"),
    ("mich", "michoacan"),
    ("mor", "morelos"),
    ("nay", "nayarit"),
    ("nl", "nuevo leon"),
    ("oax", "oaxaca"),
    ("pue", "puebla"),
    ("qro", "queretaro"),
    ("qroo", "quintana roo"),
    ("q roo", "quintana roo"),
    ("slp", "san luis potosi"),
    ("sin", "sinaloa"),
    ("son", "sonora"),
    ("tab", "tabasco"),
    ("tamps", "tamaulipas"),
    ("tamp", "tamaulipas"),
    ("tlax", "tlaxcala"),
    ("ver", "veracruz"),
    ("yuc", "yucatan"),
    ("zac", "zacatecas"),
    ("ca", "california"),
    ("calif", "california"),
    ("az", "arizona"),
    ("ariz", "arizona"),
    ("nm", "new mexico"),
    ("nmex", "new mexico"),
    ("nuevo mexico", "new mexico"),
    ("tx", "texas"),
    ("tex", "texas"),
];

/// Country names and codes (key form) → ISO 3166-1 alpha-2.
const COUNTRIES: &[(&str, &str)] = &[
    ("mx", "MX"),
    ("mex", "MX"),
    ("mexico", "MX"),
    ("meksik", "MX"),
    ("gt", "GT"),
    ("gtm", "GT"),
    ("guatemala", "GT"),
    ("gwatemala", "GT"),
    ("bz", "BZ"),
    ("blz", "BZ"),
    ("belize", "BZ"),
    ("belice", "BZ"),
    ("sv", "SV"),
    ("slv", "SV"),
    ("el salvador", "SV"),
    ("salvador", "SV"),
    ("hn", "HN"),
    ("hnd", "HN"),
    ("honduras", "HN"),
    ("ni", "NI"),
    ("nic", "NI"),
    ("nicaragua", "NI"),
    ("cr", "CR"),
    ("cri", "CR"),
    ("costa rica", "CR"),
    ("pa", "PA"),
    ("pan", "PA"),
    ("panama", "PA"),
    ("us", "US"),
    ("usa", "US"),
    ("eeuu", "US"),
    ("ee uu", "US"),
    ("eua", "US"),
    ("estados unidos", "US"),
    ("united states", "US"),
    ("etats unis", "US"),
    ("etazini", "US"),
];

/// What a qualifier names: an admin-1 area, by its name key, and/or a country, by ISO
/// alpha-2 (a key can be both: "mexico" is the country and the State of Mexico).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Qualifier {
    admin1: Option<String>,
    country: Option<&'static str>,
}

impl Qualifier {
    /// The qualifier a key names, if it names one of the gazetteer's `admin1_keys` or a
    /// country; admin-1 names may also be given by a prefix of four letters or more
    /// ("chihua", "tamaul").
    pub fn parse<'a>(key: &str, admin1_keys: impl Iterator<Item = &'a str>) -> Option<Self> {
        if key.is_empty() {
            return None;
        }
        let country = COUNTRIES.iter().find(|(k, _)| *k == key).map(|(_, c)| *c);
        let mut admin1 = ADMIN1_ABBREVIATIONS
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, a)| (*a).to_owned());
        if admin1.is_none() {
            let mut prefixed = None;
            for a in admin1_keys {
                if a == key {
                    admin1 = Some(a.to_owned());
                    break;
                }
                if key.len() >= 4 && a.starts_with(key) && prefixed.is_none() {
                    prefixed = Some(a.to_owned());
                }
            }
            admin1 = admin1.or(prefixed);
        }
        (admin1.is_some() || country.is_some()).then_some(Qualifier { admin1, country })
    }

    /// The admin-1 area named, as a key.
    pub fn admin1(&self) -> Option<&str> {
        self.admin1.as_deref()
    }

    /// Whether a place in `admin1_key` of `country` (ISO alpha-2) fits.
    pub fn fits(&self, admin1_key: &str, country: &str) -> bool {
        self.admin1.as_deref() == Some(admin1_key) || self.country == Some(country)
    }
}

/// A whole query that is an abbreviation of a state whose capital has the state's name
/// ("S.L.P." → "san luis potosi"), or a well-known short name ("DF"): the key to look up.
pub(crate) fn expand_whole(key: &str) -> Option<&'static str> {
    const WHOLE: &[(&str, &str)] = &[
        ("df", "mexico city"),
        ("distrito federal", "mexico city"),
        ("mexico distrito federal", "mexico city"),
        ("tegus", "tegucigalpa"),
        ("sps", "san pedro sula"),
    ];
    WHOLE
        .iter()
        .chain(ADMIN1_ABBREVIATIONS.iter().filter(|(k, _)| k.len() <= 5))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| *v)
}
