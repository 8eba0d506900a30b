//! The lite page and the emergency API, in process (`app().oneshot(request)`): a synthetic
//! road network around Tapachula, the real Natural Earth populated places (so "Tapachula" is
//! found by name) and a few test shelters, one of them with hostile text.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use senda_core::{Service, Shelter, ShelterKind, SourceKey, Visibility};
use senda_ingest::countries::Countries;
use senda_ingest::Input;
use senda_server::i18n::{t, Lang};
use senda_server::{app, AppState, ServerConfig};
use senda_store::Store;
use serde_json::Value;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

const OPEN: &str = "Albergue Belén (prueba)";
const HOSTILE_NAME: &str = "<script>alert(1)</script>\"'&x";
const HOSTILE_ADDRESS: &str = "<img src=x onerror=alert(2)>";
const HIDDEN: &str = "Casa Oculta (prueba)";
const MAX_PAGE_BYTES: usize = 50 * 1024;

use senda_testkit::{ll, located};

fn state() -> Arc<AppState> {
    static STATE: OnceLock<(Arc<AppState>, tempfile::TempDir)> = OnceLock::new();
    STATE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let mut store = Store::open(&dir.path().join("t.db")).unwrap();
            let roads = senda_testkit::gen::road_like_graph(400, 7);
            store
                .ingest("roads", "test", &located(roads), 0, &mut |_| {})
                .unwrap();
            let places = Input::from_path(&senda_testkit::data_file(
                "naturalearth/mesoamerica_ne_10m_populated_places_simple.geojson",
            ))
            .unwrap();
            let places =
                senda_ingest::transit::read_geojson(&places, Countries::corridor()).unwrap();
            assert!(places.records.len() > 400);
            store
                .ingest("transit", "ne", &places.records, 0, &mut |_| {})
                .unwrap();
            let key = |id: &str| SourceKey::new("test", id).unwrap();
            let mut open =
                Shelter::new(key("open"), ShelterKind::Shelter, OPEN, ll(-92.255, 14.915)).unwrap();
            open.address = Some("Calle 1, Tapachula".into());
            open.phone = Some("+52 962 000 0001".into());
            open.services = vec![Service::Bed, Service::Food];
            open.hours = Some("24 h".into());
            open.languages = vec!["es".into(), "ht".into()];
            let mut hostile = Shelter::new(
                key("hostile"),
                ShelterKind::Shelter,
                HOSTILE_NAME,
                ll(-92.25, 14.925),
            )
            .unwrap();
            hostile.address = Some(HOSTILE_ADDRESS.into());
            hostile.phone = Some("962 000 0002".into());
            hostile.whatsapp = Some("+52 1 962 000 0003".into());
            hostile.hours = Some("\"><b>".into());
            let mut hidden = Shelter::new(
                key("hidden"),
                ShelterKind::Shelter,
                HIDDEN,
                ll(-92.2695, 14.9005),
            )
            .unwrap();
            hidden.visibility = Visibility::Restricted;
            store
                .ingest(
                    "shelters",
                    "test",
                    &located(vec![open, hostile, hidden]),
                    0,
                    &mut |_| {},
                )
                .unwrap();
            store
                .ingest("stops", "test", &located(test_stops()), 0, &mut |_| {})
                .unwrap();
            let state = AppState::new(store, ServerConfig::default()).unwrap();
            (state, dir)
        })
        .0
        .clone()
}

/// Public-transport stops: two near central Tapachula (one with seven lines and a hostile
/// name), one 15 km away, and one named "Zócalo" in Mexico City (not a place name).
fn test_stops() -> Vec<senda_core::TransitPoint> {
    use senda_core::{TransitKind, TransitMode, TransitPoint, TransitRoute};
    let line = |id: &str, mode, long: Option<&str>, headway_s| TransitRoute {
        id: id.into(),
        short_name: Some(id.into()),
        long_name: long.map(str::to_owned),
        mode,
        agency: Some("Test".into()),
        headway_s,
    };
    let stop = |id: &str, name: &str, at, routes: Vec<TransitRoute>| {
        let mut t = TransitPoint::new(
            SourceKey::new("testfeed", id).unwrap(),
            TransitKind::BusStop,
            name,
            at,
        )
        .unwrap();
        t.routes = routes;
        t
    };
    vec![
        stop(
            "a",
            "Parada Mercado",
            ll(-92.2630, 14.9070),
            vec![
                line("M1", TransitMode::Metro, None, Some(60)),
                line(
                    "34",
                    TransitMode::Bus,
                    Some("Centro - Puerto Madero"),
                    Some(600),
                ),
            ],
        ),
        stop(
            "b",
            "Terminal <b>Sur</b>",
            ll(-92.2640, 14.9010),
            (1..=7)
                .map(|i| line(&format!("<i>{i}</i>"), TransitMode::Bus, None, None))
                .collect(),
        ),
        stop(
            "c",
            "Parada Lejana",
            ll(-92.40, 14.95),
            vec![line("9", TransitMode::Bus, None, Some(900))],
        ),
        stop(
            "d",
            "Zócalo",
            ll(-99.1332, 19.4326),
            vec![line("2", TransitMode::Metro, None, Some(180))],
        ),
    ]
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

async fn get_with(uri: &str, headers: &[(&str, &str)]) -> Answer {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = app(state())
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = res.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: body.to_vec(),
    }
}

async fn get(uri: &str) -> Answer {
    get_with(uri, &[]).await
}

/// Every `href="…"`, `src="…"` and `action="…"` value of a page (attribute values are always
/// double-quoted by the page).
fn attributes(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for name in ["href", "src", "action"] {
        let needle = format!(" {name}=\"");
        let mut rest = html;
        while let Some(i) = rest.find(&needle) {
            let after = &rest[i + needle.len()..];
            let end = after.find('"').unwrap();
            out.push((name.to_owned(), after[..end].to_owned()));
            rest = &after[end..];
        }
    }
    out
}

/// The page links only to itself, the API, `tel:`/`sms:` and `https://wa.me/`; loads nothing
/// from anywhere; every `tel:`/WhatsApp link is well formed.
fn check_links(html: &str) {
    assert!(!html.contains("<script src"), "external script");
    assert!(!html.contains("<link"), "no stylesheets or preloads");
    assert!(!html.contains("<img"), "no images");
    for (name, v) in attributes(html) {
        assert_ne!(name, "src", "{v}");
        if let Some(n) = v.strip_prefix("tel:") {
            let digits = n.strip_prefix('+').unwrap_or(n);
            assert!(
                digits.len() >= 3 && digits.bytes().all(|b| b.is_ascii_digit()),
                "bad tel link {v}"
            );
        } else if let Some(n) = v.strip_prefix("sms:") {
            assert!(n.bytes().all(|b| b.is_ascii_digit()), "bad sms link {v}");
        } else if let Some(rest) = v.strip_prefix("https://wa.me/") {
            if let Some(text) = rest.strip_prefix("?text=") {
                assert!(
                    text.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"%-._~".contains(&b)),
                    "bad share link {v}"
                );
            } else {
                assert!(
                    rest.len() >= 8 && rest.bytes().all(|b| b.is_ascii_digit()),
                    "bad wa.me link {v}"
                );
            }
        } else {
            assert!(
                v.starts_with("/lite") || v.starts_with("/api/v1/"),
                "{name}={v}: only same-site links"
            );
        }
    }
}

/// The size of a gzip answer, after checking it decodes to a whole page (`Input` undoes
/// gzip, as for data files).
fn gzip_len(a: &Answer) -> usize {
    assert_eq!(a.headers["content-encoding"], "gzip");
    let input = Input::from_bytes("page.html.gz", a.body.clone()).unwrap();
    let (text, _) = input.text().unwrap();
    assert!(text.starts_with("<!doctype html>") && text.ends_with("</html>"));
    a.body.len()
}

#[tokio::test]
async fn the_page_in_each_language_works_as_plain_html() {
    for lang in Lang::ALL {
        let a = get(&format!("/lite?lang={}&at=Tapachula", lang.code())).await;
        assert_eq!(a.status, StatusCode::OK);
        assert!(a.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let html = a.text();
        assert!(html.starts_with("<!doctype html><html lang=\""), "{html}");
        assert!(html.contains(&format!("<html lang=\"{}\"", lang.code())));
        for key in [
            "shelters_heading",
            "tips_heading",
            "form_submit",
            "share_heading",
        ] {
            assert!(html.contains(t(lang, key)), "{lang:?} {key}");
        }
        // A GET form that works without JavaScript, keeping the language.
        assert!(html.contains("<form id=\"f\" method=\"get\" action=\"/lite\">"));
        assert!(html.contains(&format!(
            "<input type=\"hidden\" name=\"lang\" value=\"{}\">",
            lang.code()
        )));
        // The language switch: plain links to the three other languages.
        for other in Lang::ALL.into_iter().filter(|l| *l != lang) {
            assert!(
                html.contains(&format!(
                    "href=\"/lite?lang={}&amp;at=Tapachula\"",
                    other.code()
                )),
                "{lang:?} → {other:?}"
            );
        }
        check_links(&html);
        assert!(a.body.len() <= MAX_PAGE_BYTES, "{} bytes", a.body.len());
        assert_eq!(a.headers["cache-control"], "private, no-store");
        assert_eq!(a.headers["referrer-policy"], "no-referrer");
    }
}

#[tokio::test]
async fn pages_are_small_with_and_without_gzip() {
    let uri = "/lite?lang=es&at=Tapachula&to=-92.235,14.935";
    let raw = get(uri).await;
    let gz = get_with(uri, &[("accept-encoding", "gzip")]).await;
    assert_eq!(raw.status, StatusCode::OK);
    let gz_len = gzip_len(&gz);
    let br = get_with(uri, &[("accept-encoding", "br")]).await;
    assert_eq!(br.headers["content-encoding"], "br");
    eprintln!(
        "lite page {uri}: {} bytes raw, {gz_len} bytes gzip, {} bytes brotli",
        raw.body.len(),
        br.body.len()
    );
    assert!(raw.body.len() <= MAX_PAGE_BYTES);
    assert!(gz_len * 4 < raw.body.len() * 3);
    assert!(br.body.len() * 4 < raw.body.len() * 3);
    let start = get("/lite").await;
    eprintln!("lite start page: {} bytes raw", start.body.len());
    assert!(start.body.len() <= MAX_PAGE_BYTES);
}

#[tokio::test]
async fn accept_language_picks_the_language_and_spanish_is_the_default() {
    let a = get_with("/lite", &[("accept-language", "de-DE, ht;q=0.8, fr;q=0.5")]).await;
    assert!(a.text().contains("<html lang=\"ht\""));
    let a = get_with("/lite?lang=en", &[("accept-language", "fr")]).await;
    assert!(a.text().contains("<html lang=\"en\""));
    let a = get("/lite?lang=%3Cx%3E").await;
    let html = a.text();
    assert!(html.contains("<html lang=\"es\""));
    assert!(html.contains(t(Lang::Es, "start_hint")));
    assert_eq!(a.headers["cache-control"], "public, max-age=300");
    // Without a place: links to each country's numbers.
    assert!(html.contains("href=\"/lite?lang=es&amp;country=GT\""));
}

#[tokio::test]
async fn shelters_near_tapachula_with_call_and_whatsapp_links() {
    for at in ["Tapachula", "tapachula", "-92.26,14.90"] {
        let a = get(&format!("/lite?lang=en&at={at}")).await;
        assert_eq!(a.status, StatusCode::OK, "{at}");
        let html = a.text();
        assert!(html.contains(OPEN), "{at}");
        assert!(
            !html.contains(HIDDEN),
            "a restricted shelter is never shown"
        );
        assert!(
            html.contains("<a class=\"b\" href=\"tel:+529620000001\">Call +52 962 000 0001</a>")
        );
        assert!(html.contains("href=\"tel:9620000002\""));
        // WhatsApp: from the whatsapp field; a phone without + is not guessed into one.
        assert!(html.contains("href=\"https://wa.me/5219620000003\""));
        assert!(!html.contains("wa.me/9620000002"));
        assert!(html.contains("Services: bed, food"));
        assert!(html.contains("Hours: 24 h"));
        assert!(html.contains("Languages: es, ht"));
        assert!(
            html.contains("on foot ("),
            "walking time to a shelter on the network"
        );
        assert!(html.contains(t(Lang::En, "unverified")));
        check_links(&html);
    }
    for typed in ["Tapachula", "TAPACHULA, Chiapas", "tapach"] {
        let html = get(&format!("/lite?lang=en&at={}", typed.replace(' ', "%20")))
            .await
            .text();
        assert!(html.contains("Place: Tapachula"), "{typed}");
    }
    // Coordinates as map apps share them (lat,lon) are turned round.
    let html = get("/lite?lang=en&at=14.9,-92.26").await.text();
    assert!(html.contains("Place: -92.26000,14.90000 (near Tapachula, Chiapas)"));
    assert!(html.contains(OPEN));
    let html = get("/lite?lang=en&at=pedro%20sula").await.text();
    assert!(html.contains("Place: San Pedro Sula, Cortes"), "{html}");
    assert!(html.contains("Emergency numbers: Honduras"));
    let a = get("/lite?lang=en&at=Tapachula").await;
    let html = a.text();
    // The share text: the nearest shelter's name, address and phone.
    let share = "https://wa.me/?text=Shelter%3A%20Albergue%20Bel%C3%A9n%20%28prueba%29%0AAddress%3A%20Calle%201%2C%20Tapachula%0APhone%3A%20%2B52%20962%20000%200001";
    assert!(html.contains(share), "{html}");
}

#[tokio::test]
async fn a_route_summary_in_words() {
    let a = get("/lite?lang=es&at=Tapachula&to=-92.235,14.935").await;
    assert_eq!(a.status, StatusCode::OK);
    let html = a.text();
    assert!(
        html.contains(
            "<h2>De Tapachula, Chiapas a -92.23500,14.93500 (cerca de Tapachula, Chiapas)</h2>"
        ),
        "{html}"
    );
    assert!(html.contains(" km, aprox. "));
    let risk_words: Vec<&str> = ["risk_low", "risk_moderate", "risk_high", "risk_very_high"]
        .into_iter()
        .map(|k| t(Lang::Es, k))
        .collect();
    assert!(
        risk_words
            .iter()
            .any(|w| html.contains(&format!("Riesgo: {w}."))),
        "{html}"
    );
    // An unknown destination: a message, the shelters still shown.
    let a = get("/lite?lang=es&at=Tapachula&to=Nowhereville").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let html = a.text();
    assert!(html.contains("No encontramos «Nowhereville»"));
    assert!(html.contains(OPEN));
}

#[tokio::test]
async fn hostile_input_and_data_are_escaped() {
    let a = get("/lite?lang=en&at=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%3E").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let html = a.text();
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;"));
    assert!(html.contains("We did not find"));
    check_links(&html);
    // Hostile shelter fields from the data.
    let html = get("/lite?lang=en&at=-92.25,14.925").await.text();
    assert!(!html.contains(HOSTILE_NAME));
    assert!(!html.contains(HOSTILE_ADDRESS));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;x"));
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert!(html.contains("Hours: &quot;&gt;&lt;b&gt;"));
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "only the page's own script"
    );
    check_links(&html);
}

#[tokio::test]
async fn bad_input_is_a_friendly_message() {
    let a = get("/lite?lang=fr&at=200,14").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.text().contains(t(Lang::Fr, "err_coords")));
    let a = get("/lite?lang=ht&at=Zzyzx%20Qwerty").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.text().contains("Nou pa jwenn"));
    // Far from any road (the test network is 5 km wide): shelters by air, a notice, and
    // Guatemala's numbers.
    let a = get("/lite?lang=es&at=-89.62,17.22").await;
    assert_eq!(a.status, StatusCode::OK);
    let html = a.text();
    assert!(html.contains(t(Lang::Es, "err_far_road")));
    assert!(html.contains(OPEN));
    assert!(html.contains("Números de emergencia: Guatemala"));
    // At sea, outside every corridor country.
    let a = get("/lite?lang=en&at=-100,5").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text().contains(t(Lang::En, "outside_corridor")));
    // Overlong input is cut, not echoed whole.
    let long = "a".repeat(5000);
    let a = get(&format!("/lite?at={long}")).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.len() < 10_000);
}

#[tokio::test]
async fn emergency_numbers_for_the_country_of_the_place() {
    let html = get("/lite?lang=es&at=Tapachula").await.text();
    assert!(html.contains("Números de emergencia: México"));
    assert!(html.contains("href=\"tel:911\""));
    assert!(html.contains("href=\"tel:089\""));
    assert!(html.contains("href=\"tel:8005533000\""));
    assert!(html.contains("«La Bestia»"), "Mexico's own tips");
    assert!(html.contains("Lleva siempre agua"), "the common tips");
    assert!(html.contains("href=\"/api/v1/emergency?country=MX&amp;lang=es\""));
    let html = get("/lite?lang=en&country=GT").await.text();
    assert!(html.contains("Emergency numbers: Guatemala"));
    assert!(html.contains("href=\"tel:110\""));
    assert!(!html.contains("tel:089"));
    // A border town gets both sides' numbers (downtown El Paso lies inside Mexico's 1:50m
    // polygon, and within 2 km of the border).
    let html = get("/lite?lang=en&at=-106.487,31.759").await.text();
    assert!(html.contains("Emergency numbers: Mexico"));
    assert!(html.contains("Emergency numbers: United States"));
    assert!(html.contains("href=\"tel:18883737888\""));
    let html = get("/lite?lang=en&country=US").await.text();
    assert!(html.contains("href=\"tel:18883737888\""));
    assert!(html.contains("href=\"sms:233733\""));
    check_links(&html);
}

async fn json(uri: &str, headers: &[(&str, &str)]) -> (StatusCode, Value) {
    let a = get_with(uri, headers).await;
    (a.status, serde_json::from_slice(&a.body).unwrap())
}

#[tokio::test]
async fn the_emergency_api_filters_by_country_and_language() {
    let (s, v) = json("/api/v1/emergency?country=GT&lang=en", &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["lang"], "en");
    let countries = v["countries"].as_array().unwrap();
    assert_eq!(countries.len(), 1);
    assert_eq!(countries[0]["code"], "GT");
    assert_eq!(countries[0]["contacts"][0]["number"], "110");
    assert_eq!(
        countries[0]["contacts"][0]["label"],
        "National Civil Police"
    );
    assert!(countries[0]["contacts"][0]["source"]["url"]
        .as_str()
        .unwrap()
        .starts_with("https://conred.gob.gt/"));
    assert!(v["common_tips"].as_array().unwrap().len() >= 3);

    let (s, v) = json("/api/v1/emergency", &[("accept-language", "fr")]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["lang"], "fr");
    let codes: Vec<&str> = v["countries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["MX", "GT", "BZ", "SV", "HN", "NI", "CR", "PA", "US"]
    );
    for c in v["countries"].as_array().unwrap() {
        for k in c["contacts"].as_array().unwrap() {
            assert!(k["source"]["url"].is_string() && k["source"]["checked"].is_string());
            assert!(!k["label"].as_str().unwrap().is_empty());
        }
    }

    let (s, v) = json("/api/v1/emergency?country=mx", &[]).await;
    assert_eq!(
        (s, v["countries"][0]["code"].as_str()),
        (StatusCode::OK, Some("MX"))
    );
    assert_eq!(v["lang"], "es");
    for (uri, param) in [
        ("/api/v1/emergency?country=XX", "country"),
        ("/api/v1/emergency?lang=de", "lang"),
    ] {
        let (s, v) = json(uri, &[]).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(v["details"]["parameter"], param, "{uri}");
    }

    let (_, doc) = json("/openapi.json", &[]).await;
    assert!(doc["paths"]["/api/v1/emergency"]["get"].is_object());
    assert!(doc["paths"]["/lite"]["get"].is_object());
}

#[tokio::test]
async fn nearest_stops_with_lines_and_frequencies() {
    let at = "-92.2667,14.9056";
    let en = get(&format!("/lite?lang=en&at={at}")).await;
    assert_eq!(en.status, StatusCode::OK);
    let html = en.text();
    assert!(html.contains("<h2>Public transport nearby</h2>"), "{html}");
    // Nearest first (0.4 and 0.6 km), within 2 km only.
    let a = html.find("Parada Mercado").unwrap();
    let b = html.find("Terminal &lt;b&gt;Sur&lt;/b&gt;").unwrap();
    assert!(a < b);
    assert!(!html.contains("Parada Lejana") && !html.contains("Zócalo"));
    assert!(html.contains("Metro M1: runs every minute"));
    assert!(html.contains("Bus 34 (Centro - Puerto Madero): runs every 10 minutes"));
    // Five lines of the seven, then the rest counted; no markup from the data.
    assert!(html.contains("Bus &lt;i&gt;5&lt;/i&gt;<br>and 2 more lines"));
    assert!(!html.contains("&lt;i&gt;6"));
    assert!(!html.contains("<b>Sur") && !html.contains("<i>"));
    assert!(html.contains(t(Lang::En, "stops_source")));
    for (lang, every, one, more) in [
        (
            "es",
            "Autobús 34 (Centro - Puerto Madero): pasa cada 10 minutos",
            "Metro M1: pasa cada minuto",
            "y 2 líneas más",
        ),
        (
            "fr",
            "Bus 34 (Centro - Puerto Madero): passe toutes les 10 minutes",
            "Métro M1: passe toutes les minutes",
            "et 2 autres lignes",
        ),
        (
            "ht",
            "Bis 34 (Centro - Puerto Madero): pase chak 10 minit",
            "Metro M1: pase chak minit",
            "ak 2 lòt liy",
        ),
    ] {
        let html = get(&format!("/lite?lang={lang}&at={at}")).await.text();
        assert!(html.contains(every), "{lang}: {html}");
        assert!(html.contains(one), "{lang}");
        assert!(html.contains(more), "{lang}");
    }
    // No stop within 2 km: no section at all.
    let far = get("/lite?lang=en&at=-92.30,14.80").await.text();
    assert!(!far.contains("Public transport nearby"));
}

#[tokio::test]
async fn place_names_are_not_looked_up_among_stops() {
    // "Zócalo" is a metro stop in the data, not a town: unknown, not Mexico City.
    let page = get("/lite?lang=en&at=Zócalo").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    // Towns still resolve.
    let page = get("/lite?lang=en&at=Tapachula").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Public transport nearby"));
}
