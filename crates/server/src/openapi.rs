//! The OpenAPI 3.1 document, generated from one typed table of the routes [`crate::app`]
//! serves (utoipa is not used: its derive needs a typed struct per query, while the handlers
//! parse parameters by hand to name the bad one in every error). A test
//! (`openapi_documents_exactly_the_routes_served`) checks the table against the router: every
//! registered path is documented and every documented operation reaches its handler.

use serde_json::{json, Map, Value};

/// One documented operation.
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    /// (name, required, description) of the query parameters.
    pub params: &'static [(&'static str, bool, &'static str)],
    /// Which role is needed (None: public).
    pub role: Option<&'static str>,
}

const LL: &str = "LON,LAT in degrees, or a town name (the gazetteer: typos, abbreviations, \"Naco, Arizona\"); route answers say how each was understood in `places`";

/// Every operation served.
pub const OPERATIONS: &[Operation] = &[
    Operation { method: "get", path: "/api/v1/route", summary: "The safer route (GeoJSON LineStrings, chosen first)", params: &[("from", true, LL), ("to", true, LL), ("profile", false, "foot | vehicle"), ("aversion", false, "0 (fastest) ..= 1 (safest)"), ("alternatives", false, "0..=5"), ("at", false, "RFC 3339 or YYYY-MM-DD"), ("allow_rail", false, "true | false"), ("format", false, "geojson")], role: None },
    Operation { method: "post", path: "/api/v1/route", summary: "The safer route; JSON body with the GET parameters and `avoid` (GeoJSON polygons)", params: &[], role: None },
    Operation { method: "get", path: "/api/v1/shelters/nearest", summary: "Nearest shelters (GeoJSON Points)", params: &[("at", true, LL), ("k", false, "1..=50"), ("by", false, "air | road"), ("needs", false, "services, comma-separated"), ("serves", false, "population"), ("min_capacity", false, "places"), ("profile", false, "foot | vehicle"), ("aversion", false, "0..=1")], role: None },
    Operation { method: "get", path: "/api/v1/plan", summary: "A stage plan: daily legs ending at shelters, else towns, else by the road (GeoJSON); errors unreachable, too_many_days", params: &[("from", true, LL), ("to", true, LL), ("max_daily_hours", false, "0 < h <= 24"), ("max_days", false, "1..=365"), ("profile", false, "foot | vehicle"), ("aversion", false, "0..=1"), ("allow_rail", false, "true | false"), ("lang", false, "es | ht | en | fr (error messages)")], role: None },
    Operation { method: "get", path: "/api/v1/shelters", summary: "Shelters (restricted ones for analysts only)", params: &[("bbox", false, "west,south,east,north")], role: None },
    Operation { method: "get", path: "/api/v1/shelters/{id}", summary: "One shelter by id (source:source_id)", params: &[], role: None },
    Operation { method: "get", path: "/api/v1/transit", summary: "Transit points", params: &[("bbox", false, "west,south,east,north")], role: None },
    Operation { method: "get", path: "/api/v1/transit/nearest", summary: "Nearest public-transport stops in a straight line (GeoJSON Points, nearest first): distance_m and the lines serving each (id, name, short_name, long_name, mode, agency, headway_min)", params: &[("at", true, LL), ("k", false, "1..=50 (default 5)"), ("max_distance_m", false, "only stops within this many metres")], role: None },
    Operation { method: "get", path: "/api/v1/risk/cells", summary: "Risk H3 hexagons in a bbox (public: incident risk only in cells with at least k reports)", params: &[("bbox", true, "west,south,east,north"), ("resolution", false, "5..7 (default 6)"), ("profile", false, "foot|vehicle")], role: None },
    Operation { method: "get", path: "/api/v1/emergency", summary: "Emergency numbers (each with its source) and safety tips per corridor country, in one language", params: &[("country", false, "ISO 3166-1 alpha-2: MX, GT, BZ, SV, HN, NI, CR, PA, US (omitted: all)"), ("lang", false, "es | ht | en | fr (default: Accept-Language, else es)")], role: None },
    Operation { method: "get", path: "/api/v1/incidents", summary: "Raw incidents", params: &[("bbox", false, "west,south,east,north")], role: Some("analyst") },
    Operation { method: "post", path: "/api/v1/ingest/{kind}", summary: "Ingest incidents (GeoJSON/CSV), shelters or weather (CAP XML); answers the per-record report", params: &[], role: Some("ingest") },
    Operation { method: "get", path: "/tiles", summary: "Tile catalog", params: &[], role: None },
    Operation { method: "get", path: "/tiles/{layer}.json", summary: "TileJSON 3.0 of a layer", params: &[], role: None },
    Operation { method: "get", path: "/tiles/{layer}/{z}/{x}/{y}.mvt", summary: "A vector tile (MVT 2.1); 204 when empty", params: &[("at", false, "the layer as of this time: RFC 3339 or YYYY-MM-DD (default: the current snapshot)")], role: None },
    Operation { method: "get", path: "/tiles/basemap/{z}/{x}/{y}.mvt", summary: "A basemap tile: MVT layers countries, states, roads, rail, places, labels; 204 when empty", params: &[], role: None },
    Operation { method: "get", path: "/fonts/{stack}/{range}.pbf", summary: "Map glyphs (SDF protobuf) of a font stack for a range of 256 code points, e.g. /fonts/DejaVu Sans Book/0-255.pbf", params: &[], role: None },
    Operation { method: "get", path: "/api/v1/packs", summary: "Offline tile packs (PMTiles) with their bounds and zooms", params: &[], role: None },
    Operation { method: "get", path: "/packs/{name}.pmtiles", summary: "An offline tile pack (PMTiles v3); HTTP Range requests answered with 206", params: &[], role: None },
    Operation { method: "get", path: "/lite", summary: "The lite page (plain HTML, no JavaScript needed): nearest shelters, a route in words, emergency numbers and tips", params: &[("at", false, "a town name or LON,LAT"), ("to", false, "a town name or LON,LAT (route summary)"), ("lang", false, "es | ht | en | fr"), ("country", false, "ISO 3166-1 alpha-2 (emergency numbers without a search)")], role: None },
    Operation { method: "get", path: "/healthz", summary: "Liveness and snapshot generation", params: &[], role: None },
    Operation { method: "get", path: "/metrics", summary: "Prometheus metrics", params: &[], role: None },
    Operation { method: "get", path: "/openapi.json", summary: "This document", params: &[], role: None },
];

/// The OpenAPI document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for op in OPERATIONS {
        let mut params: Vec<Value> = op
            .params
            .iter()
            .map(|(name, required, d)| {
                json!({ "name": name, "in": "query", "required": required, "description": d, "schema": { "type": "string" } })
            })
            .collect();
        for seg in op.path.split('/') {
            if let Some(name) = seg.strip_prefix('{').and_then(|s| s.split('}').next()) {
                params.push(json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }));
            }
        }
        let mut o = json!({
            "summary": op.summary,
            "parameters": params,
            "responses": {
                "200": { "description": "OK" },
                "4XX": { "description": "Caller error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
            },
        });
        if let Some(role) = op.role {
            o["security"] = json!([{ "bearer": [] }]);
            o["description"] = json!(format!("Needs the {role} role (or admin)."));
        }
        let entry = paths.entry(op.path.to_owned()).or_insert_with(|| json!({}));
        entry[op.method] = o;
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "senda", "version": env!("CARGO_PKG_VERSION") },
        "paths": paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": { "Error": { "type": "object", "required": ["code", "message", "details"], "properties": {
                "code": { "type": "string" }, "message": { "type": "string" }, "details": {} } } },
        },
    })
}
