//! Emergency numbers and safety tips along the corridor (`web/data/emergency.json`, embedded
//! in the binary): the data types, the checks run at server start, and
//! `GET /api/v1/emergency?country=MX&lang=es`.
//!
//! Every contact names its service, the number, a label in the four languages and its
//! source (the page that publishes it, the page's date when it shows one, and the date it
//! was consulted). Provenance: `web/data/README.md`.

use crate::i18n::Lang;
use crate::ApiError;
use axum::extract::Query;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

const EMERGENCY_JSON: &str = include_str!("../../../web/data/emergency.json");

/// A text in the four languages.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    pub es: String,
    pub ht: String,
    pub en: String,
    pub fr: String,
}

impl Texts {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Es => &self.es,
            Lang::Ht => &self.ht,
            Lang::En => &self.en,
            Lang::Fr => &self.fr,
        }
    }

    fn check(&self, what: &str) -> Result<(), String> {
        for l in Lang::ALL {
            if self.get(l).trim().is_empty() {
                return Err(format!("{what}: the {} text is empty", l.code()));
            }
        }
        Ok(())
    }
}

/// What a number is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// One number for police, ambulance and fire.
    Emergency,
    Police,
    Ambulance,
    Fire,
    Disaster,
    AnonymousReport,
    Trafficking,
    MigrantHelp,
    Refugee,
    FamilyLinks,
}

/// Where a number was taken from.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub url: String,
    pub publisher: String,
    /// The page's own date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) when it shows one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// When the page was consulted (`YYYY-MM-DD`).
    pub checked: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub service: ServiceKind,
    /// As people write it (`800 5533 000`, `1-888-373-7888`).
    pub number: String,
    /// A text-message short code, when the service takes texts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms: Option<String>,
    pub label: Texts,
    pub source: Source,
}

impl Contact {
    /// The number to dial: digits, with a leading `+` kept (`tel:` links).
    pub fn dial(&self) -> String {
        dial_digits(&self.number)
    }
}

/// Digits of a phone number as written, with a leading `+` kept.
pub fn dial_digits(number: &str) -> String {
    let t = number.trim();
    let mut out = String::with_capacity(t.len());
    if t.starts_with('+') {
        out.push('+');
    }
    out.extend(t.chars().filter(char::is_ascii_digit));
    out
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tip {
    pub topic: String,
    pub text: Texts,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Country {
    /// ISO 3166-1 alpha-2.
    pub code: String,
    pub name: Texts,
    pub contacts: Vec<Contact>,
    pub tips: Vec<Tip>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Emergency {
    pub version: u32,
    pub compiled: String,
    pub about: String,
    pub countries: Vec<Country>,
    /// Tips that hold in every country.
    pub common_tips: Vec<Tip>,
}

/// The corridor countries the file must cover.
pub const CORRIDOR: [&str; 9] = ["MX", "GT", "BZ", "SV", "HN", "NI", "CR", "PA", "US"];

impl Emergency {
    /// Parses and checks a file's text; the error names the country, entry and field.
    pub fn parse(text: &str) -> Result<Self, String> {
        let data: Emergency =
            serde_json::from_str(text).map_err(|e| format!("emergency.json: {e}"))?;
        data.validate()?;
        Ok(data)
    }

    /// The embedded `web/data/emergency.json`, parsed and checked once.
    pub fn embedded() -> Result<&'static Emergency, String> {
        static DATA: OnceLock<Result<Emergency, String>> = OnceLock::new();
        DATA.get_or_init(|| Self::parse(EMERGENCY_JSON))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Every country of the corridor is present once; every contact has a dialable number,
    /// labels in four languages and a source (http(s) URL, publisher, dates); every tip has
    /// four texts.
    pub fn validate(&self) -> Result<(), String> {
        check_date(&self.compiled, "compiled", true)?;
        for code in CORRIDOR {
            let n = self.countries.iter().filter(|c| c.code == code).count();
            if n != 1 {
                return Err(format!("country {code}: present {n} times, expected once"));
            }
        }
        for c in &self.countries {
            let at = format!("country {}", c.code);
            if c.code.len() != 2 || !c.code.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(format!("{at}: code must be ISO 3166-1 alpha-2"));
            }
            c.name.check(&format!("{at}, name"))?;
            if c.contacts.is_empty() {
                return Err(format!("{at}: no contacts"));
            }
            for (i, k) in c.contacts.iter().enumerate() {
                let at = format!("{at}, contact {i} ({})", k.number);
                let digits = k.dial();
                let allowed = k
                    .number
                    .chars()
                    .all(|ch| ch.is_ascii_digit() || " -+()".contains(ch));
                if !allowed || digits.trim_start_matches('+').len() < 3 {
                    return Err(format!(
                        "{at}: number must be digits (spaces, dashes, brackets and a leading + allowed)"
                    ));
                }
                if let Some(sms) = &k.sms {
                    if sms.is_empty() || !sms.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(format!("{at}: sms must be digits"));
                    }
                }
                k.label.check(&format!("{at}, label"))?;
                let s = &k.source;
                if !(s.url.starts_with("https://") || s.url.starts_with("http://"))
                    || s.url.contains(char::is_whitespace)
                {
                    return Err(format!("{at}: source url must be an http(s) URL"));
                }
                if s.publisher.trim().is_empty() {
                    return Err(format!("{at}: source publisher is empty"));
                }
                if let Some(p) = &s.published {
                    check_date(p, &format!("{at}: source published"), false)?;
                }
                check_date(&s.checked, &format!("{at}: source checked"), true)?;
            }
            for (i, tip) in c.tips.iter().enumerate() {
                tip.text.check(&format!("{at}, tip {i} ({})", tip.topic))?;
            }
        }
        for (i, tip) in self.common_tips.iter().enumerate() {
            tip.text.check(&format!("common tip {i} ({})", tip.topic))?;
        }
        Ok(())
    }

    /// A country by ISO alpha-2 code (any case).
    pub fn country(&self, code: &str) -> Option<&Country> {
        self.countries
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(code.trim()))
    }
}

/// `YYYY-MM-DD`, or with `full == false` also `YYYY` and `YYYY-MM`.
fn check_date(s: &str, what: &str, full: bool) -> Result<(), String> {
    let ok = match s.len() {
        10 => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
        7 if !full => chrono::NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").is_ok(),
        4 if !full => s.bytes().all(|b| b.is_ascii_digit()),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{what}: {s:?} is not a date ({})",
            if full {
                "YYYY-MM-DD"
            } else {
                "YYYY, YYYY-MM or YYYY-MM-DD"
            }
        ))
    }
}

fn country_json(c: &Country, lang: Lang) -> Value {
    json!({
        "code": c.code,
        "name": c.name.get(lang),
        "contacts": c.contacts.iter().map(|k| json!({
            "service": k.service,
            "number": k.number,
            "dial": k.dial(),
            "sms": k.sms,
            "label": k.label.get(lang),
            "source": k.source,
        })).collect::<Vec<_>>(),
        "tips": c.tips.iter().map(|t| json!({ "topic": t.topic, "text": t.text.get(lang) })).collect::<Vec<_>>(),
    })
}

/// `GET /api/v1/emergency?country=MX&lang=es`: the country's numbers and tips (all countries
/// when `country` is omitted) in one language (`lang`, else `Accept-Language`, else Spanish),
/// with the tips common to every country.
pub async fn handler(
    headers: HeaderMap,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let data = Emergency::embedded().map_err(ApiError::internal)?;
    let lang_param = p.get("lang").map(|s| s.trim()).filter(|s| !s.is_empty());
    if let Some(l) = lang_param {
        if Lang::from_tag(l).is_none() {
            return Err(ApiError::bad_param(
                "lang",
                format!("{l:?}: one of es, ht, en, fr"),
            ));
        }
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let lang = crate::i18n::negotiate(lang_param, accept);
    let countries: Vec<Value> = match p.get("country").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => data
            .countries
            .iter()
            .map(|c| country_json(c, lang))
            .collect(),
        Some(code) => {
            let c = data.country(code).ok_or_else(|| {
                ApiError::bad_param(
                    "country",
                    format!("{code:?}: one of {}", CORRIDOR.join(", ")),
                )
            })?;
            vec![country_json(c, lang)]
        }
    };
    let body = json!({
        "lang": lang.code(),
        "compiled": data.compiled,
        "countries": countries,
        "common_tips": data.common_tips.iter().map(|t| json!({ "topic": t.topic, "text": t.text.get(lang) })).collect::<Vec<_>>(),
    });
    let mut res = Json(body).into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept-language"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_file_is_valid_and_covers_the_corridor() {
        let data = Emergency::embedded().unwrap();
        for code in CORRIDOR {
            let c = data.country(code).unwrap();
            assert!(!c.contacts.is_empty(), "{code}");
            assert!(!c.tips.is_empty(), "{code}");
        }
        assert!(!data.common_tips.is_empty());
        assert_eq!(data.country("mx").unwrap().contacts[0].dial(), "911");
        assert_eq!(dial_digits(" +1 (888) 373-7888"), "+18883737888");
    }

    fn broken(edit: impl Fn(&mut Value)) -> String {
        let mut v: Value = serde_json::from_str(EMERGENCY_JSON).unwrap();
        edit(&mut v);
        Emergency::parse(&v.to_string()).unwrap_err()
    }

    #[test]
    fn bad_entries_are_named() {
        let e = broken(|v| v["countries"][0]["contacts"][1]["label"]["ht"] = json!(" "));
        assert!(
            e.contains("country MX, contact 1 (089), label: the ht text is empty"),
            "{e}"
        );
        let e = broken(|v| v["countries"][1]["contacts"][0]["number"] = json!("call us"));
        assert!(e.contains("country GT, contact 0"), "{e}");
        let e = broken(|v| {
            v["countries"][0]["contacts"][0]["source"]
                .as_object_mut()
                .unwrap()
                .remove("url");
        });
        assert!(e.contains("url"), "{e}");
        let e = broken(|v| v["countries"][0]["contacts"][0]["source"]["url"] = json!("gob.mx"));
        assert!(e.contains("source url"), "{e}");
        let e = broken(|v| v["countries"][0]["contacts"][0]["source"]["checked"] = json!("2026"));
        assert!(e.contains("source checked"), "{e}");
        let e = broken(|v| {
            v["countries"][0]["tips"][0]["text"]
                .as_object_mut()
                .unwrap()
                .remove("fr");
        });
        assert!(e.contains("fr"), "{e}");
        let e = broken(|v| {
            v["countries"].as_array_mut().unwrap().remove(2);
        });
        assert!(e.contains("country BZ"), "{e}");
    }
}
