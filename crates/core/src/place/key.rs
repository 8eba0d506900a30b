//! Lookup keys of place names: what people type and what the gazetteer holds are compared as
//! keys, so that case, accents, punctuation and the usual abbreviations do not matter.
//!
//! A key is ASCII lower case, words separated by one space. `deunicode` transliterates every
//! script to ASCII (so "Тапачула" is "tapachula" and "Tecún Umán" is "tecun uman"); dotted
//! initials are joined ("S.L.P." → "slp", "D.F." → "df"); other punctuation separates words;
//! then each word that is a common abbreviation of Mexican and Central American place names is
//! written out ("Cd." → "ciudad", "Sta." → "santa", "Gral." → "general").

/// Abbreviations of words in place names, as written on signs, forms and in addresses
/// (key form, without the dot) → the word.
const WORDS: &[(&str, &str)] = &[
    ("cd", "ciudad"),
    ("cdad", "ciudad"),
    ("sta", "santa"),
    ("sto", "santo"),
    ("sn", "san"),
    ("gral", "general"),
    ("pto", "puerto"),
    ("fco", "francisco"),
    ("stgo", "santiago"),
    ("nva", "nueva"),
    ("nvo", "nuevo"),
    ("gpe", "guadalupe"),
    ("hgo", "hidalgo"),
    ("ft", "fort"),
    ("mt", "mount"),
    ("st", "saint"),
];

/// The lookup key of a name (see the module docs). Empty when the text has no letters or
/// digits in any script.
///
/// ```
/// use senda_core::place::place_key;
/// assert_eq!(place_key("Cd. Juárez"), "ciudad juarez");
/// assert_eq!(place_key("  S.L.P. "), "slp");
/// assert_eq!(place_key("Tecún-Umán"), "tecun uman");
/// assert_eq!(place_key("¿?"), "");
/// ```
pub fn place_key(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_ascii_lowercase();
    let mut out = String::with_capacity(ascii.len());
    for token in ascii.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.')) {
        if token.is_empty() {
            continue;
        }
        // "s.l.p." / "d.f" → one word; "cd.juarez" → two.
        let parts: Vec<&str> = token.split('.').filter(|p| !p.is_empty()).collect();
        let initials = parts.len() > 1 && parts.iter().all(|p| p.len() == 1);
        let words: Vec<String> = if initials {
            vec![parts.concat()]
        } else {
            parts.iter().map(|p| (*p).to_owned()).collect()
        };
        for w in words {
            let w = WORDS
                .iter()
                .find(|(abbr, _)| *abbr == w)
                .map_or(w.as_str(), |(_, full)| full);
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w);
        }
    }
    out
}

/// Words a town's name often starts with and people leave out ("Ciudad Tecún Umán" is
/// "Tecún Umán", "Heroica Nogales" is "Nogales"): a name starting with one is also indexed
/// without it, at a small cost.
pub(crate) const GENERIC_PREFIXES: &[&str] = &["ciudad de ", "ciudad ", "heroica ", "villa de "];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(place_key("CIUDAD DE MÉXICO"), "ciudad de mexico");
        assert_eq!(place_key("Cd Juarez"), "ciudad juarez");
        assert_eq!(place_key("Cd.Juárez"), "ciudad juarez");
        assert_eq!(place_key("Sta. María"), "santa maria");
        assert_eq!(place_key("Gral. Escobedo"), "general escobedo");
        assert_eq!(place_key("D.F."), "df");
        assert_eq!(place_key("DF"), "df");
        assert_eq!(place_key("Peñas Blancas"), "penas blancas");
        assert_eq!(place_key("Тапачула"), "tapachula");
        assert_eq!(place_key("   "), "");
        assert_eq!(place_key("..."), "");
        assert_eq!(place_key("Naco, Sonora"), "naco sonora");
    }
}
