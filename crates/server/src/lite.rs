//! `GET /lite`: the page for migrants on cheap phones and poor connections. Plain HTML from
//! the server, one GET form, no JavaScript needed (a dozen inline lines only add a "use my
//! location" button when the browser has geolocation), minimal inline CSS, no third-party
//! host, a few kilobytes per page (gzip by the server's compression layer).
//!
//! Parameters: `at` (a town name or `lon,lat`), `to` (optional, for a route summary), `lang`
//! (`es` default, `ht`, `en`, `fr`; else `Accept-Language`), `country` (ISO alpha-2: the
//! emergency numbers of a country without searching). Town names are looked up in the
//! gazetteer ([`crate::places::resolve`]: accents, case, abbreviations, typos; an ambiguous
//! name shows the other towns it may mean as links); coordinates are named by the nearest
//! town ("near Huixtla, Chiapas").
//!
//! The page shows: the five nearest shelters in a straight line, each with its distance, the
//! walking time of the safer route to it (a shelter placed only at its town says "in Tapachula
//! — call for the exact address" instead), services, hours, languages and `tel:` / WhatsApp
//! links; the public-transport stops within [`STOPS_MAX_M`] with their lines and how often
//! they run; a route summary in words (distance, time, risk level, the towns it passes, main
//! roads); the emergency
//! numbers and safety tips of the country the place lies in (corridor country polygons); a
//! WhatsApp share link with the nearest shelter's name, address and phone. Every value put in
//! the page goes through [`esc`] (text and attributes) or [`url_component`] (inside URLs).
//! Bad input is a message on the page in the chosen language (400 for an unknown place or
//! bad coordinates), never an error page.

use crate::api::blocking;
use crate::emergency::{dial_digits, Emergency};
use crate::i18n::{self, negotiate, t, tf, tn, Lang};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use geo::{Distance, Haversine, Point};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use senda_core::engine::nearest::{NearestBy, NearestQuery};
use senda_core::engine::route::{RouteQuery, DEFAULT_AVERSION};
use senda_core::engine::stops::StopsQuery;
use senda_core::engine::{Engine, EngineError};
use senda_core::{LonLat, Placement, Profile, Shelter};
use senda_ingest::countries::Countries;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

/// The sources whose licences ask for credit where their data is shown (place names, risk).
const DATA_CREDITS: &str = "GeoNames (CC BY 4.0), IOM Missing Migrants Project (CC BY 4.0), UCDP GED (CC BY 4.0), Travel Mapping, Natural Earth";

/// Shelters listed.
pub const SHELTERS_SHOWN: usize = 5;
/// Public-transport stops listed, and how far they may be (a walk of about 25 minutes).
pub const STOPS_SHOWN: usize = 3;
pub const STOPS_MAX_M: f64 = 2_000.0;
/// Lines listed per stop before "and N more lines".
pub const LINES_SHOWN: usize = 5;
/// Longest place text echoed back, characters.
const MAX_INPUT_CHARS: usize = 120;

/// Route risk levels in words, by the route's mean risk density (exposure ÷ hours, in the
/// field's unit: serious-incident equivalents per cell and year). The bounds are the edge
/// density percentiles of the default corridor data given in
/// [`EngineConfig::aversion_scale`](senda_core::engine::EngineConfig): below 0.002 (a little
/// above the median edge, 0.0008) is low; up to the 90th percentile (0.010) moderate; up to
/// the 99th (0.026) high; above it very high.
pub const RISK_LEVELS: [(f64, &str); 3] = [
    (0.002, "risk_low"),
    (0.010, "risk_moderate"),
    (0.026, "risk_high"),
];

/// The i18n key of a route's risk level.
pub fn risk_key(exposure: f64, duration_s: f64) -> &'static str {
    let density = if duration_s > 0.0 {
        exposure / (duration_s / 3600.0)
    } else {
        0.0
    };
    RISK_LEVELS
        .iter()
        .find(|(bound, _)| density < *bound)
        .map_or("risk_very_high", |(_, key)| key)
}

/// HTML-escapes text for element content and quoted attribute values (`& < > " '`).
/// Written by hand: five replacements, tested below (examples and a property test), and no
/// extra dependency.
///
/// ```
/// use senda_server::lite::esc;
/// assert_eq!(esc("<b>\"Casa\" & 'Co'</b>"), "&lt;b&gt;&quot;Casa&quot; &amp; &#39;Co&#39;&lt;/b&gt;");
/// ```
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Characters left as they are in a URL component (RFC 3986 unreserved).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes text for a URL query value.
pub fn url_component(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// A place a person typed, found.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// What to call it on the page: the town's label, or for coordinates the point and the
    /// town it is near.
    pub name: String,
    pub at: LonLat,
    /// Other towns an ambiguous name may mean (labels that resolve to each).
    pub choices: Vec<String>,
}

/// Why a typed place was not found.
#[derive(Debug, Clone, PartialEq)]
pub enum PlaceError {
    /// Two numbers, but not a valid lon,lat.
    Coordinates,
    /// No place of that name.
    Unknown,
}

/// `lon,lat` (two numbers) or a town name, resolved with the engine's gazetteer.
///
/// Map apps share `lat,lon`: two numbers that are not a point in a corridor country as
/// `lon,lat` but are one the other way round are read as `lat,lon` (the page shows the point
/// it used).
pub fn resolve_place(
    engine: &Engine,
    lang: Lang,
    text: &str,
    near: Option<LonLat>,
) -> Result<Place, PlaceError> {
    let g = engine.places();
    let r = crate::places::resolve(g, text, near, true).map_err(|e| match e {
        crate::places::PlaceArgError::Coordinates(_) => PlaceError::Coordinates,
        crate::places::PlaceArgError::Lookup(_) => PlaceError::Unknown,
    })?;
    let label = |p: senda_core::PlaceId| {
        let place = g.place(p);
        format!("{} ({})", place.label(), place.country)
    };
    let name = match (r.place, r.near) {
        (Some(p), _) => g.place(p).label(),
        (None, Some(n)) => {
            let point = format!("{:.5},{:.5}", r.at.lon(), r.at.lat());
            let town = g.place(n.place).label();
            tf(lang, "place_near", &[("point", &point), ("town", &town)])
        }
        (None, None) => format!("{:.5},{:.5}", r.at.lon(), r.at.lat()),
    };
    Ok(Place {
        name,
        at: r.at,
        choices: r.choices.iter().map(|c| label(*c)).collect(),
    })
}

/// For an ambiguous name, the other towns it may mean, each a link that asks again with that
/// town (`which` is the parameter the name was given in: `at` or `to`).
fn choices(page: &mut Page, place: &Place, q: &LiteQuery, which: &str) {
    if place.choices.is_empty() {
        return;
    }
    let lang = page.lang;
    let _ = write!(page.html, "<p>{} ", esc(t(lang, "place_choices")));
    for c in &place.choices {
        let (at, to) = if which == "at" {
            (Some(c.as_str()), q.to.as_deref())
        } else {
            (q.at.as_deref(), Some(c.as_str()))
        };
        let mut href = format!("/lite?lang={}", lang.code());
        for (k, v) in [("at", at), ("to", to)] {
            if let Some(v) = v {
                let _ = write!(href, "&{k}={}", url_component(v));
            }
        }
        let _ = write!(page.html, "<a href=\"{}\">{}</a> ", esc(&href), esc(c));
    }
    page.html.push_str("</p>");
}

/// The corridor countries whose emergency numbers apply at `p`: the one it lies in, then any
/// other within the 2 km border tolerance of the country polygons (a border town gets both
/// sides' numbers: at 1:50m, downtown El Paso lies inside Mexico's polygon). Empty outside
/// every corridor country.
pub fn countries_at(p: LonLat) -> Vec<String> {
    let countries = Countries::corridor();
    let mut out: Vec<String> = countries
        .locate(p)
        .and_then(|c| c.iso_a2())
        .map(str::to_owned)
        .into_iter()
        .collect();
    for c in countries.iter().filter(|c| c.contains(p)) {
        if let Some(code) = c.iso_a2() {
            if !out.iter().any(|o| o == code) {
                out.push(code.to_owned());
            }
        }
    }
    out
}

fn fmt_km(lang: Lang, m: f64) -> String {
    let km = m / 1000.0;
    i18n::number(lang, km, if km < 10.0 { 1 } else { 0 })
}

fn fmt_time(lang: Lang, s: f64) -> String {
    let minutes = (s / 60.0).round().max(1.0) as u64;
    let (h, m) = (minutes / 60, minutes % 60);
    if h == 0 {
        tf(lang, "time_m", &[("m", &m.to_string())])
    } else {
        tf(
            lang,
            "time_hm",
            &[("h", &h.to_string()), ("m", &m.to_string())],
        )
    }
}

/// The WhatsApp number of a shelter: its `whatsapp` field, else its phone when written in
/// international form (`+…`). Bare phone digits are not guessed into international numbers
/// (see the shelter readers: the lists mix national and international forms).
fn whatsapp_digits(s: &Shelter) -> Option<String> {
    let from = |v: &str| {
        let d = dial_digits(v);
        let d = d.trim_start_matches('+').to_owned();
        (d.len() >= 8).then_some(d)
    };
    s.whatsapp.as_deref().and_then(from).or_else(|| {
        s.phone
            .as_deref()
            .filter(|p| p.trim().starts_with('+'))
            .and_then(from)
    })
}

const CSS: &str = "body{font:16px/1.4 sans-serif;margin:0 auto;max-width:40em;padding:.5em}\
h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.2em}nav a{margin-right:.6em}\
input,button{font-size:1em;padding:.4em;margin:.2em 0;max-width:100%}label{display:block}\
.e{background:#fde;padding:.4em}ol,ul{padding-left:1.2em}li{margin:.5em 0}\
a.b{display:inline-block;padding:.3em .6em;margin:.2em .3em 0 0;border:1px solid;text-decoration:none}\
small{color:#555}";

const GEO_SCRIPT: &str = "(function(){var b=document.getElementById('g');\
if(!b||!navigator.geolocation)return;b.hidden=false;b.onclick=function(){\
navigator.geolocation.getCurrentPosition(function(p){var f=document.getElementById('f');\
f.at.value=p.coords.longitude.toFixed(5)+','+p.coords.latitude.toFixed(5);f.submit();});};})();";

/// What the page was asked.
#[derive(Debug, Clone, Default)]
pub struct LiteQuery {
    pub at: Option<String>,
    pub to: Option<String>,
    pub country: Option<String>,
}

fn param(p: &HashMap<String, String>, name: &str) -> Option<String> {
    p.get(name)
        .map(|s| s.trim().chars().take(MAX_INPUT_CHARS).collect::<String>())
        .filter(|s| !s.is_empty())
}

/// The `/lite` handler.
pub async fn page(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(p): Query<HashMap<String, String>>,
) -> Response {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let lang = negotiate(p.get("lang").map(String::as_str), accept);
    let q = LiteQuery {
        at: param(&p, "at"),
        to: param(&p, "to"),
        country: param(&p, "country"),
    };
    let searched = q.at.is_some();
    let max_route_km = state.config.max_route_km;
    let rendered = blocking(move || {
        let snap = state.snapshot();
        Ok(render(&snap.engine, lang, &q, max_route_km))
    })
    .await;
    let (status, body) = rendered.unwrap_or_else(|_| {
        let q = LiteQuery::default();
        let mut page = Page::new(lang, &q);
        page.notice(t(lang, "err_engine"));
        (StatusCode::INTERNAL_SERVER_ERROR, page.finish())
    });
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // A searched page holds the person's location: never stored by caches.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if searched {
            "private, no-store"
        } else {
            "public, max-age=300"
        }),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; \
             form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    // Links to wa.me must not carry the page's URL (the person's location) in a Referer.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::VARY, HeaderValue::from_static("accept-language"));
    res
}

/// An HTML page being written.
struct Page {
    lang: Lang,
    html: String,
}

impl Page {
    fn new(lang: Lang, q: &LiteQuery) -> Self {
        let mut html = String::with_capacity(8 << 10);
        let _ = write!(
            html,
            "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
             <meta name=\"referrer\" content=\"no-referrer\">\
             <title>{}</title><style>{CSS}</style></head><body><nav>",
            lang.code(),
            esc(t(lang, "title"))
        );
        // The language switch keeps what was asked.
        let mut keep = String::new();
        for (name, v) in [("at", &q.at), ("to", &q.to), ("country", &q.country)] {
            if let Some(v) = v {
                let _ = write!(keep, "&amp;{name}={}", url_component(v));
            }
        }
        for l in Lang::ALL {
            if l == lang {
                let _ = write!(html, "<b>{}</b> ", esc(t(l, "lang_name")));
            } else {
                let _ = write!(
                    html,
                    "<a href=\"/lite?lang={}{keep}\" hreflang=\"{}\" lang=\"{}\">{}</a> ",
                    l.code(),
                    l.code(),
                    l.code(),
                    esc(t(l, "lang_name"))
                );
            }
        }
        let _ = write!(
            html,
            "</nav><h1>{}</h1><p>{}</p>\
             <form id=\"f\" method=\"get\" action=\"/lite\">\
             <input type=\"hidden\" name=\"lang\" value=\"{}\">\
             <label>{}<br><input name=\"at\" value=\"{}\" placeholder=\"{}\" required></label>\
             <label>{}<br><input name=\"to\" value=\"{}\"></label>\
             <button type=\"submit\">{}</button> \
             <button type=\"button\" id=\"g\" hidden>{}</button></form>",
            esc(t(lang, "title")),
            esc(t(lang, "intro")),
            lang.code(),
            esc(t(lang, "form_at")),
            esc(q.at.as_deref().unwrap_or("")),
            esc(t(lang, "form_at_hint")),
            esc(t(lang, "form_to")),
            esc(q.to.as_deref().unwrap_or("")),
            esc(t(lang, "form_submit")),
            esc(t(lang, "geo_button")),
        );
        Self { lang, html }
    }

    fn notice(&mut self, text: &str) {
        let _ = write!(self.html, "<p class=\"e\" role=\"alert\">{}</p>", esc(text));
    }

    fn p(&mut self, text: &str) {
        let _ = write!(self.html, "<p>{}</p>", esc(text));
    }

    fn h2(&mut self, text: &str) {
        let _ = write!(self.html, "<h2>{}</h2>", esc(text));
    }

    fn finish(mut self) -> String {
        let _ = write!(
            self.html,
            "<footer><small>{}<br>{}: {DATA_CREDITS}</small></footer><script>{GEO_SCRIPT}</script></body></html>",
            esc(t(self.lang, "footer")),
            esc(t(self.lang, "data_credits"))
        );
        self.html
    }
}

/// Renders the page for a query: the status and the HTML.
pub fn render(
    engine: &Engine,
    lang: Lang,
    q: &LiteQuery,
    max_route_km: f64,
) -> (StatusCode, String) {
    let mut page = Page::new(lang, q);
    let mut status = StatusCode::OK;
    // The countries whose numbers to show: those of the place, else the one asked for.
    let mut countries: Option<Vec<String>> = q.country.clone().map(|c| vec![c]);

    let from =
        q.at.as_deref()
            .map(|text| (text, resolve_place(engine, lang, text, None)));
    match &from {
        None => page.p(t(lang, "start_hint")),
        Some((text, Err(e))) => {
            status = StatusCode::BAD_REQUEST;
            page.notice(&place_error(lang, text, e));
        }
        Some((_, Ok(place))) => {
            page.p(&tf(lang, "place_resolved", &[("name", &place.name)]));
            choices(&mut page, place, q, "at");
            let here = countries_at(place.at);
            if !here.is_empty() || countries.is_none() {
                countries = Some(here);
            }
            let on_road = engine.snap(place.at, Profile::Foot, false, "at").is_ok();
            if !on_road {
                page.notice(t(lang, "err_far_road"));
            }
            let nearest = shelters(engine, &mut page, place.at);
            stops(engine, &mut page, place.at);
            if let Some(to_text) = q.to.as_deref() {
                route(
                    engine,
                    &mut page,
                    q,
                    place,
                    to_text,
                    max_route_km,
                    &mut status,
                );
            }
            if let Some(s) = nearest {
                share(&mut page, &s);
            }
        }
    }
    emergency(&mut page, countries.as_deref());
    (status, page.finish())
}

fn place_error(lang: Lang, text: &str, e: &PlaceError) -> String {
    match e {
        PlaceError::Coordinates => t(lang, "err_coords").to_owned(),
        PlaceError::Unknown => tf(lang, "err_unknown_place", &[("place", text)]),
    }
}

/// Lists the nearest shelters; returns the first (for the share link).
fn shelters(engine: &Engine, page: &mut Page, at: LonLat) -> Option<Shelter> {
    let lang = page.lang;
    let mut q = NearestQuery::new(at);
    q.k = SHELTERS_SHOWN;
    q.by = NearestBy::Air;
    q.profile = Profile::Foot;
    page.h2(t(lang, "shelters_heading"));
    let answer = match engine.nearest(&q) {
        Ok(a) => a,
        Err(_) => {
            page.notice(t(lang, "err_engine"));
            return None;
        }
    };
    if answer.shelters.is_empty() {
        page.p(t(lang, "no_shelters"));
        return None;
    }
    page.html.push_str("<ol>");
    for n in &answer.shelters {
        let s = n.shelter;
        let h = &mut page.html;
        let _ = write!(h, "<li><b>{}</b>", esc(&s.name));
        if let Some(a) = &s.address {
            let _ = write!(h, "<br>{}", esc(a));
        }
        match &s.placement {
            // Placed at its town's centre: no exact-looking distance or walking time.
            Placement::Town { town } => {
                let _ = write!(
                    h,
                    "<br><b>{}</b>",
                    esc(&if n.distance_m < 2_000.0 {
                        tf(lang, "shelter_in_town_here", &[("town", town)])
                    } else {
                        tf(
                            lang,
                            "shelter_in_town",
                            &[
                                ("town", town),
                                // Whole kilometres: the point is the town's centre.
                                (
                                    "km",
                                    &i18n::number(lang, (n.distance_m / 1000.0).round(), 0),
                                ),
                            ],
                        )
                    })
                );
            }
            placement => {
                let mut line = tf(
                    lang,
                    "shelter_distance",
                    &[("km", &fmt_km(lang, n.distance_m))],
                );
                line.push_str("; ");
                match (n.duration_s, n.route_distance_m) {
                    (Some(d), Some(m)) => line.push_str(&tf(
                        lang,
                        "shelter_walk",
                        &[("time", &fmt_time(lang, d)), ("km", &fmt_km(lang, m))],
                    )),
                    _ => line.push_str(t(lang, "shelter_no_walk")),
                }
                let _ = write!(h, "<br>{}", esc(&line));
                if *placement == Placement::Undecided {
                    let _ = write!(h, "<br><b>{}</b>", esc(t(lang, "location_undecided")));
                } else if s.location_suspect {
                    let _ = write!(h, "<br><b>{}</b>", esc(t(lang, "location_suspect")));
                }
            }
        }
        if !s.services.is_empty() {
            let names: Vec<&str> = s
                .services
                .iter()
                .map(|x| t(lang, &format!("svc_{}", x.as_str())))
                .collect();
            let _ = write!(
                h,
                "<br>{}: {}",
                esc(t(lang, "services")),
                esc(&names.join(", "))
            );
        }
        if let Some(hours) = &s.hours {
            let _ = write!(h, "<br>{}: {}", esc(t(lang, "hours")), esc(hours));
        }
        if !s.languages.is_empty() {
            let _ = write!(
                h,
                "<br>{}: {}",
                esc(t(lang, "languages")),
                esc(&s.languages.join(", "))
            );
        }
        let tel = s.phone.as_deref().map(dial_digits).filter(|d| d.len() >= 3);
        let wa = whatsapp_digits(s);
        if tel.is_some() || wa.is_some() {
            h.push_str("<br>");
        }
        if let (Some(d), Some(p)) = (&tel, &s.phone) {
            let _ = write!(
                h,
                "<a class=\"b\" href=\"tel:{}\">{} {}</a>",
                esc(d),
                esc(t(lang, "call")),
                esc(p.trim())
            );
        }
        if let Some(d) = &wa {
            let _ = write!(
                h,
                "<a class=\"b\" href=\"https://wa.me/{}\">{}</a>",
                esc(d),
                esc(t(lang, "whatsapp"))
            );
        }
        let check = match s.verified_on {
            Some(d) => tf(lang, "verified_on", &[("date", &d.to_string())]),
            None => t(lang, "unverified").to_owned(),
        };
        let _ = write!(h, "<br><small>{}</small></li>", esc(&check));
    }
    page.html.push_str("</ol>");
    answer.shelters.first().map(|n| n.shelter.clone())
}

/// The nearest public-transport stops within [`STOPS_MAX_M`], each with its distance and its
/// lines ("Metro 1 (Pantitlán - Observatorio): runs every 4 minutes"); nothing at all when no
/// stop is that near.
fn stops(engine: &Engine, page: &mut Page, at: LonLat) {
    let lang = page.lang;
    let mut q = StopsQuery::new(at);
    q.k = STOPS_SHOWN;
    q.max_distance_m = Some(STOPS_MAX_M);
    let Ok(found) = engine.nearest_stops(&q) else {
        return;
    };
    if found.is_empty() {
        return;
    }
    page.h2(t(lang, "stops_heading"));
    page.html.push_str("<ol>");
    for n in &found {
        let s = n.stop;
        let h = &mut page.html;
        let distance = tf(
            lang,
            "stop_distance",
            &[("km", &fmt_km(lang, n.distance_m))],
        );
        let _ = write!(h, "<li><b>{}</b><br>{}", esc(&s.name), esc(&distance));
        for r in s.routes.iter().take(LINES_SHOWN) {
            let mut line = format!(
                "{} {}",
                t(lang, &format!("mode_{}", r.mode.as_str())),
                r.name()
            );
            if let (Some(long), true) = (&r.long_name, r.short_name.is_some()) {
                let _ = write!(line, " ({long})");
            }
            if let Some(m) = r.headway_min() {
                line.push_str(": ");
                line.push_str(&tn(lang, "headway", u64::from(m), &[]));
            }
            let _ = write!(h, "<br>{}", esc(&line));
        }
        let more = s.routes.len().saturating_sub(LINES_SHOWN);
        if more > 0 {
            let _ = write!(h, "<br>{}", esc(&tn(lang, "more_lines", more as u64, &[])));
        }
        h.push_str("</li>");
    }
    let _ = write!(
        page.html,
        "</ol><p><small>{}</small></p>",
        esc(t(lang, "stops_source"))
    );
}

fn route(
    engine: &Engine,
    page: &mut Page,
    q: &LiteQuery,
    from: &Place,
    to_text: &str,
    max_route_km: f64,
    status: &mut StatusCode,
) {
    let lang = page.lang;
    let to = match resolve_place(engine, lang, to_text, Some(from.at)) {
        Ok(p) => p,
        Err(e) => {
            *status = StatusCode::BAD_REQUEST;
            page.notice(&place_error(lang, to_text, &e));
            return;
        }
    };
    page.h2(&tf(
        lang,
        "route_heading",
        &[("from", &from.name), ("to", &to.name)],
    ));
    choices(page, &to, q, "to");
    let km = Haversine.distance(
        Point::new(from.at.lon(), from.at.lat()),
        Point::new(to.at.lon(), to.at.lat()),
    ) / 1000.0;
    if km > max_route_km {
        page.notice(t(lang, "err_too_far"));
        return;
    }
    let mut q = RouteQuery::new(from.at, to.at);
    q.profile = Profile::Foot;
    q.aversion = DEFAULT_AVERSION;
    match engine.route(&q) {
        Ok(answer) => {
            let r = answer.chosen();
            let risk = t(lang, risk_key(r.risk_exposure, r.duration_s));
            page.p(&tf(
                lang,
                "route_summary",
                &[
                    ("km", &fmt_km(lang, r.distance_m)),
                    ("time", &fmt_time(lang, r.duration_s)),
                    ("risk", risk),
                ],
            ));
            let towns: Vec<String> = crate::places::route_towns(engine.places(), &r.geometry)
                .into_iter()
                .map(|p| engine.places().place(p).name.clone())
                .collect();
            if !towns.is_empty() {
                page.p(&tf(lang, "route_via", &[("towns", &towns.join(", "))]));
            }
            if !r.roads.is_empty() {
                let roads: Vec<&str> = r.roads.iter().map(|x| x.label.as_str()).collect();
                page.p(&tf(lang, "route_roads", &[("roads", &roads.join(", "))]));
            }
            if let Some(f) = answer.fastest {
                if f.duration_s + 60.0 < r.duration_s {
                    page.p(&tf(
                        lang,
                        "route_fastest",
                        &[("time", &fmt_time(lang, f.duration_s))],
                    ));
                }
            }
        }
        Err(EngineError::Snap { .. }) => page.notice(t(lang, "err_far_road")),
        Err(_) => page.notice(t(lang, "route_none")),
    }
}

/// The WhatsApp share link: the nearest shelter's name, address and phone.
fn share(page: &mut Page, s: &Shelter) {
    let lang = page.lang;
    let mut text = tf(lang, "share_shelter", &[("name", &s.name)]);
    if let Some(a) = &s.address {
        text.push('\n');
        text.push_str(&tf(lang, "share_address", &[("address", a)]));
    }
    if let Some(p) = &s.phone {
        text.push('\n');
        text.push_str(&tf(lang, "share_phone", &[("phone", p.trim())]));
    }
    page.h2(t(lang, "share_heading"));
    let _ = write!(
        page.html,
        "<p><a class=\"b\" href=\"https://wa.me/?text={}\">{}</a></p>",
        esc(&url_component(&text)),
        esc(t(lang, "share_link"))
    );
}

/// The emergency numbers and tips of the given countries (`Some(&[])`: a place outside the
/// corridor countries; `None`: no place yet, so links to each country), tips common to all
/// countries once at the end.
fn emergency(page: &mut Page, codes: Option<&[String]>) {
    let lang = page.lang;
    let Ok(data) = Emergency::embedded() else {
        return;
    };
    let shown: Vec<_> = codes
        .unwrap_or_default()
        .iter()
        .filter_map(|c| data.country(c))
        .collect();
    if shown.is_empty() {
        if codes.is_some() {
            page.p(t(lang, "outside_corridor"));
        }
        page.h2(t(lang, "emergency_pick"));
        page.html.push_str("<p>");
        for c in &data.countries {
            let _ = write!(
                page.html,
                "<a href=\"/lite?lang={}&amp;country={}\">{}</a> ",
                lang.code(),
                esc(&c.code),
                esc(c.name.get(lang))
            );
        }
        page.html.push_str("</p>");
        return;
    }
    for c in &shown {
        page.h2(&tf(
            lang,
            "emergency_heading",
            &[("country", c.name.get(lang))],
        ));
        page.html.push_str("<ul>");
        for k in &c.contacts {
            let _ = write!(
                page.html,
                "<li><a class=\"b\" href=\"tel:{}\">{}</a> {}",
                esc(&k.dial()),
                esc(&k.number),
                esc(k.label.get(lang))
            );
            if let Some(sms) = &k.sms {
                let _ = write!(
                    page.html,
                    " <a href=\"sms:{}\">SMS {}</a>",
                    esc(sms),
                    esc(sms)
                );
            }
            page.html.push_str("</li>");
        }
        let _ = write!(
            page.html,
            "</ul><p><small><a href=\"/api/v1/emergency?country={}&amp;lang={}\">{}</a></small></p>",
            esc(&c.code),
            lang.code(),
            esc(t(lang, "sources_link"))
        );
    }
    page.h2(t(lang, "tips_heading"));
    page.html.push_str("<ul>");
    let own = shown.iter().flat_map(|c| &c.tips);
    for tip in own.chain(&data.common_tips) {
        let _ = write!(page.html, "<li>{}</li>", esc(tip.text.get(lang)));
    }
    page.html.push_str("</ul>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(esc("Tapachula, México"), "Tapachula, México");
        assert_eq!(url_component("a b&c=ñ\n"), "a%20b%26c%3D%C3%B1%0A");
    }

    fn unescape(s: &str) -> String {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    proptest::proptest! {
        #[test]
        fn escaped_text_has_no_markup_and_round_trips(s in "\\PC*") {
            let e = esc(&s);
            proptest::prop_assert!(!e.contains(['<', '>', '"', '\'']));
            proptest::prop_assert_eq!(unescape(&e), s);
        }

        #[test]
        fn url_components_are_unreserved_ascii(s in "\\PC*") {
            let u = url_component(&s);
            proptest::prop_assert!(u.bytes().all(|b| b.is_ascii_alphanumeric() || b"%-._~".contains(&b)));
        }
    }

    #[test]
    fn risk_levels_follow_density() {
        assert_eq!(risk_key(0.0, 3600.0), "risk_low");
        assert_eq!(risk_key(0.005, 3600.0), "risk_moderate");
        assert_eq!(risk_key(0.02, 3600.0), "risk_high");
        assert_eq!(risk_key(0.1, 3600.0), "risk_very_high");
        assert_eq!(risk_key(0.1, 0.0), "risk_low");
    }

    #[test]
    fn times_and_distances_in_words() {
        assert_eq!(fmt_time(Lang::En, 30.0), "1 min");
        assert_eq!(fmt_time(Lang::Es, 3.5 * 3600.0), "3 h 30 min");
        assert_eq!(fmt_time(Lang::Ht, 7200.0), "2 è 0 min");
        assert_eq!(fmt_km(Lang::En, 2_340.0), "2.3");
        assert_eq!(fmt_km(Lang::Fr, 2_340.0), "2,3");
        assert_eq!(fmt_km(Lang::Es, 123_456.0), "123");
    }
}
