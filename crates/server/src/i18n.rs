//! The project's own translations of what migrants read (`web/i18n/{es,ht,en,fr}.json`, flat
//! `key → text` maps with `{name}` placeholders), embedded in the binary and parsed once.
//! Spanish is the default and the fallback: a key missing in another language (the tests
//! forbid it) would show the Spanish text, never the key.
//!
//! ```
//! use senda_server::i18n::{negotiate, t, Lang};
//! assert_eq!(t(Lang::Fr, "form_submit"), "Chercher");
//! assert_eq!(negotiate(Some("ht"), None), Lang::Ht);
//! assert_eq!(negotiate(None, Some("fr-CA,fr;q=0.9,en;q=0.8")), Lang::Fr);
//! assert_eq!(negotiate(None, Some("de-DE")), Lang::Es);
//! ```

use senda_core::engine::plan::NoPlan;
use senda_core::engine::EngineError;
use senda_core::graph::SnapError;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A language of the migrant-facing pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Es,
    Ht,
    En,
    Fr,
}

impl Lang {
    /// Every language, the default (Spanish) first.
    pub const ALL: [Lang; 4] = [Lang::Es, Lang::Ht, Lang::En, Lang::Fr];

    /// The ISO 639-1 code (`es`, `ht`, `en`, `fr`), as in `lang` attributes and `?lang=`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Es => "es",
            Self::Ht => "ht",
            Self::En => "en",
            Self::Fr => "fr",
        }
    }

    /// The language of a tag (`fr`, `fr-CA`, `HT`); `None` for any other language.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.code() == primary)
    }

    fn source(self) -> &'static str {
        match self {
            Self::Es => include_str!("../../../web/i18n/es.json"),
            Self::Ht => include_str!("../../../web/i18n/ht.json"),
            Self::En => include_str!("../../../web/i18n/en.json"),
            Self::Fr => include_str!("../../../web/i18n/fr.json"),
        }
    }
}

/// The language to answer in: `?lang=` when it names one of the four, else the first of the
/// `Accept-Language` header's languages (by `q`, highest first) that is one of them, else
/// Spanish.
///
/// The header is parsed by hand: only the primary subtag and `q` matter for four languages,
/// which is a dozen lines, and it never fails (a malformed entry is skipped).
pub fn negotiate(query: Option<&str>, accept_language: Option<&str>) -> Lang {
    if let Some(l) = query.and_then(Lang::from_tag) {
        return l;
    }
    let mut best: Option<(f64, Lang)> = None;
    for item in accept_language.unwrap_or("").split(',') {
        let mut parts = item.split(';');
        let Some(lang) = parts.next().and_then(Lang::from_tag) else {
            continue;
        };
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(Some(1.0), |v| v.trim().parse::<f64>().ok())
            .filter(|q| q.is_finite() && *q > 0.0);
        if let Some(q) = q {
            // Strictly greater: among equal weights the header's order wins.
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
    }
    best.map_or(Lang::Es, |(_, l)| l)
}

/// Every language's table, parsed once.
pub fn tables() -> &'static HashMap<Lang, HashMap<String, String>> {
    static TABLES: OnceLock<HashMap<Lang, HashMap<String, String>>> = OnceLock::new();
    TABLES.get_or_init(|| {
        Lang::ALL
            .into_iter()
            .map(|l| {
                // The files are embedded at build time and checked by the tests below and by
                // `validate` at server start.
                let table = serde_json::from_str(l.source()).unwrap_or_default();
                (l, table)
            })
            .collect()
    })
}

/// Checks the embedded files: each parses as a flat map of strings, all four have the same
/// keys, no text is empty, and each text has the same `{placeholders}` as the Spanish one.
pub fn validate() -> Result<(), String> {
    let mut parsed = HashMap::new();
    for l in Lang::ALL {
        let table: HashMap<String, String> = serde_json::from_str(l.source())
            .map_err(|e| format!("web/i18n/{}.json: {e}", l.code()))?;
        parsed.insert(l, table);
    }
    let es = &parsed[&Lang::Es];
    for key in es.keys() {
        if let Some(stem) = key.strip_suffix("_one") {
            if !es.contains_key(&format!("{stem}_other")) {
                return Err(format!("web/i18n/es.json: {key:?} has no {stem}_other"));
            }
        }
    }
    for l in Lang::ALL {
        let table = &parsed[&l];
        let file = format!("web/i18n/{}.json", l.code());
        for key in es.keys() {
            if !table.contains_key(key) {
                return Err(format!("{file}: missing key {key:?}"));
            }
        }
        for (key, text) in table {
            let Some(es_text) = es.get(key) else {
                return Err(format!("{file}: key {key:?} is not in es.json"));
            };
            if text.trim().is_empty() {
                return Err(format!("{file}: {key:?} is empty"));
            }
            if placeholders(text) != placeholders(es_text) {
                return Err(format!(
                    "{file}: {key:?} has placeholders {:?}, es.json has {:?}",
                    placeholders(text),
                    placeholders(es_text)
                ));
            }
        }
    }
    Ok(())
}

/// Whether `n` takes the `one` form in `lang`: the CLDR cardinal rules — Spanish and English
/// for 1; French for 0 and 1. Haitian Creole does not inflect nouns for number and CLDR has
/// no rule for it: its `_one` and `_other` texts differ in wording only (`yon` / `{n}`), and
/// the English rule picks between them.
pub fn is_one(lang: Lang, n: u64) -> bool {
    match lang {
        Lang::Fr => n <= 1,
        Lang::Es | Lang::En | Lang::Ht => n == 1,
    }
}

/// A text with a count: `{key}_one` or `{key}_other` by [`is_one`], with `{n}` and `args`
/// filled in.
///
/// ```
/// use senda_server::i18n::{tn, Lang};
/// assert_eq!(tn(Lang::Es, "headway", 1, &[]), "pasa cada minuto");
/// assert_eq!(tn(Lang::Es, "headway", 12, &[]), "pasa cada 12 minutos");
/// assert_eq!(tn(Lang::Fr, "more_lines", 2, &[]), "et 2 autres lignes");
/// ```
pub fn tn(lang: Lang, key: &str, n: u64, args: &[(&str, &str)]) -> String {
    let form = if is_one(lang, n) { "one" } else { "other" };
    let count = n.to_string();
    let mut all: Vec<(&str, &str)> = vec![("n", count.as_str())];
    all.extend_from_slice(args);
    tf(lang, &format!("{key}_{form}"), &all)
}

/// The sorted `{name}` placeholders of a text.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = text
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect();
    out.sort_unstable();
    out
}

/// The text of `key` in `lang` (Spanish when missing there; the key itself only when missing
/// everywhere, which the tests rule out for the keys the pages use).
pub fn t(lang: Lang, key: &str) -> &'static str {
    let tables = tables();
    tables
        .get(&lang)
        .and_then(|m| m.get(key))
        .or_else(|| tables.get(&Lang::Es).and_then(|m| m.get(key)))
        .map_or("", String::as_str)
}

/// [`t`] with `{name}` placeholders replaced by `args` (plain text: escape the result for
/// HTML where it goes into a page).
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut out = t(lang, key).to_owned();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// A number with `decimals` digits after the separator: a point in English, a comma in
/// Spanish, Haitian Creole and French.
pub fn number(lang: Lang, x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if lang == Lang::En {
        s
    } else {
        s.replace('.', ",")
    }
}

/// Hours as people write them: `8`, `7,5` (`7.5` in English), at most two decimals.
pub fn hours(lang: Lang, h: f64) -> String {
    let s = format!("{h:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    number(
        lang,
        s.parse().unwrap_or(h),
        s.split('.').nth(1).map_or(0, str::len),
    )
}

/// The words, in `lang`, for an engine error a traveller meets when asking for a stage plan:
/// no route joins the two places (`err_plan_unreachable`), the plan needs more days than
/// asked for (`err_plan_too_many_days`), or a point is off the known roads
/// (`err_plan_from_far_road`, `err_plan_to_far_road`). `None` for other errors (caller
/// mistakes, which name the parameter in English).
///
/// ```
/// use senda_core::engine::plan::NoPlan;
/// use senda_core::engine::EngineError;
/// use senda_server::i18n::{engine_error, Lang};
/// let e = EngineError::NoPlan(Box::new(NoPlan::TooManyDays { days: 45, max_days: 30, max_daily_hours: 7.5 }));
/// assert_eq!(
///     engine_error(Lang::Es, &e).unwrap(),
///     "Este viaje necesita 45 días con 7,5 h de camino al día; el límite pedido es 30."
/// );
/// ```
pub fn engine_error(lang: Lang, e: &EngineError) -> Option<String> {
    match e {
        EngineError::NoPlan(np) => match **np {
            NoPlan::Unreachable { .. } => Some(t(lang, "err_plan_unreachable").to_owned()),
            NoPlan::TooManyDays {
                days,
                max_days,
                max_daily_hours,
            } => Some(tf(
                lang,
                "err_plan_too_many_days",
                &[
                    ("days", &days.to_string()),
                    ("hours", &hours(lang, max_daily_hours)),
                    ("max_days", &max_days.to_string()),
                ],
            )),
            _ => None,
        },
        EngineError::Snap {
            what,
            source: SnapError::NoRoadWithin { max_distance_m, .. },
        } => {
            let key = match *what {
                "from" => "err_plan_from_far_road",
                "to" => "err_plan_to_far_road",
                _ => return None,
            };
            let km = number(lang, max_distance_m / 1_000.0, 0);
            Some(tf(lang, key, &[("km", &km)]))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_files_agree() {
        validate().unwrap();
        let es = &tables()[&Lang::Es];
        assert!(es.len() > 40);
        for l in Lang::ALL {
            assert_eq!(tables()[&l].len(), es.len(), "{l:?}");
        }
    }

    #[test]
    fn placeholders_are_found() {
        assert_eq!(placeholders("{km} km, {time} a {km}"), ["km", "km", "time"]);
        assert!(placeholders("none } here {").is_empty());
    }

    #[test]
    fn negotiation() {
        assert_eq!(negotiate(None, None), Lang::Es);
        assert_eq!(negotiate(Some("en"), Some("fr")), Lang::En);
        assert_eq!(negotiate(Some("xx"), Some("fr")), Lang::Fr);
        assert_eq!(
            negotiate(None, Some("de;q=1, en;q=0.4, ht;q=0.7")),
            Lang::Ht
        );
        assert_eq!(negotiate(None, Some("en;q=0, fr;q=bad")), Lang::Es);
        assert_eq!(negotiate(None, Some("EN-us")), Lang::En);
    }

    proptest::proptest! {
        #[test]
        fn negotiation_never_fails(q in proptest::option::of("\\PC*"), h in proptest::option::of("\\PC*")) {
            let l = negotiate(q.as_deref(), h.as_deref());
            proptest::prop_assert!(Lang::ALL.contains(&l));
        }
    }

    #[test]
    fn counts_pick_their_plural_form() {
        assert_eq!(tn(Lang::En, "headway", 1, &[]), "runs every minute");
        assert_eq!(tn(Lang::En, "headway", 2, &[]), "runs every 2 minutes");
        assert_eq!(tn(Lang::Es, "more_lines", 1, &[]), "y una línea más");
        assert_eq!(tn(Lang::Es, "more_lines", 3, &[]), "y 3 líneas más");
        // French takes the singular for 0 and 1.
        assert!(is_one(Lang::Fr, 0) && is_one(Lang::Fr, 1) && !is_one(Lang::Fr, 2));
        assert!(!is_one(Lang::Es, 0) && !is_one(Lang::En, 0));
        assert_eq!(tn(Lang::Ht, "headway", 15, &[]), "pase chak 15 minit");
        // Every key with a singular form has its plural, in every language.
        for l in Lang::ALL {
            for key in tables()[&l].keys() {
                if let Some(stem) = key.strip_suffix("_one") {
                    assert!(tables()[&l].contains_key(&format!("{stem}_other")), "{key}");
                }
            }
        }
    }

    #[test]
    fn plan_errors_in_every_language() {
        let unreachable = EngineError::NoPlan(Box::new(NoPlan::Unreachable {
            profile: senda_core::Profile::Foot,
        }));
        let too_many = EngineError::NoPlan(Box::new(NoPlan::TooManyDays {
            days: 45,
            max_days: 1,
            max_daily_hours: 8.0,
        }));
        for l in Lang::ALL {
            let m = engine_error(l, &unreachable).unwrap();
            assert_eq!(m, t(l, "err_plan_unreachable"));
            let m = engine_error(l, &too_many).unwrap();
            assert!(
                m.contains("45") && m.contains(" 8 h") && m.contains(" 1"),
                "{m}"
            );
            assert!(!m.contains('{'), "{m}");
        }
        assert!(engine_error(Lang::Fr, &too_many)
            .unwrap()
            .starts_with("Ce voyage demande 45 jours"));
        assert!(engine_error(Lang::Ht, &too_many)
            .unwrap()
            .starts_with("Vwayaj sa a bezwen 45 jou"));
        assert_eq!(hours(Lang::Es, 7.5), "7,5");
        assert_eq!(hours(Lang::En, 7.25), "7.25");
        assert_eq!(hours(Lang::Fr, 8.0), "8");
    }

    #[test]
    fn formatting_fills_placeholders() {
        assert_eq!(
            tf(Lang::En, "route_heading", &[("from", "A"), ("to", "B")]),
            "From A to B"
        );
        assert_eq!(t(Lang::Ht, "no_such_key"), "");
    }
}
