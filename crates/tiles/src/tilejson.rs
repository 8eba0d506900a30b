//! TileJSON 3.0.0 documents for the layers, and the catalog of layers.

use crate::{Bbox, Layer, TileSource};
use serde_json::{json, Map, Value};

/// The properties each layer's features may carry: `(name, description)`. Descriptions start
/// with the MVT value type.
pub fn layer_fields(layer: Layer) -> &'static [(&'static str, &'static str)] {
    match layer {
        Layer::Risk => &[
            ("h3", "String: H3 cell index (hex)"),
            ("res", "Number: H3 resolution of the cell"),
            (
                "value_foot",
                "Number: risk on foot (serious-incident equivalents per cell per year), area-weighted mean over the field cells it holds",
            ),
            ("value_vehicle", "Number: risk in a vehicle, same unit and mean"),
            ("max_foot", "Number: largest field cell value on foot inside the cell"),
            ("max_vehicle", "Number: largest field cell value in a vehicle inside the cell"),
            ("blocked_foot", "Boolean: an alert makes roads in the cell impassable on foot"),
            ("blocked_vehicle", "Boolean: an alert makes roads in the cell impassable for vehicles"),
        ],
        Layer::Roads => &[
            ("class", "String: road class (motorway, trunk, primary, …, rail)"),
            ("risk_foot", "Number: mean risk density along the edge on foot (per km)"),
            ("risk_vehicle", "Number: mean risk density along the edge in a vehicle (per km)"),
            ("blocked_foot", "Boolean: hard-blocked on foot by an alert"),
            ("blocked_vehicle", "Boolean: hard-blocked for vehicles by an alert"),
            ("name", "String: road name, when known"),
            ("ref", "String: route number, when known"),
        ],
        Layer::Shelters => &[
            ("name", "String"),
            ("kind", "String: shelter, soup_kitchen, consulate, human_rights, medical, service"),
            ("services", "String: comma-separated services (bed, food, medical, legal, …)"),
            ("serves", "String: comma-separated groups served (families, women, minors, lgbtq, …)"),
            ("phone", "String"),
            ("whatsapp", "String"),
            ("hours", "String"),
            ("address", "String"),
            ("state", "String"),
            ("country", "String"),
            ("capacity", "Number: beds"),
            ("languages", "String: comma-separated"),
            ("verified", "String: date last verified (YYYY-MM-DD) or \"unverified\""),
            ("location_suspect", "Boolean: the position disagrees with the stated country or with the town its address names"),
            ("source", "String: dataset the record comes from"),
            ("restricted", "Boolean: restricted shelter (analyst tiles only)"),
        ],
        Layer::Transit => &[
            ("name", "String"),
            ("kind", "String: bus_station, rail_station, rail_yard, border_crossing, checkpoint, place, port, airport, bus_stop, metro_station, tram_stop, cable_car_station (stops from zoom 13)"),
            ("country", "String"),
            ("population", "Number: for places"),
            ("lines", "String: the lines serving a stop, comma-separated"),
            ("headway_min", "Number: minutes between departures of the stop's most frequent line"),
        ],
        Layer::Incidents => &[
            ("kind", "String: \"cell\" (aggregate) or \"report\" (single report, analyst tiles only)"),
            ("h3", "String: H3 cell index (cells)"),
            ("res", "Number: H3 resolution (cells)"),
            ("count", "Number: reports in the cell (public: at least k)"),
            ("people", "Number: people affected, summed over the cell's reports"),
            ("categories", "String: category:count pairs, largest first (public: categories under k summed as other)"),
            ("top_category", "String: the largest category (\"mixed\" when none may be named)"),
            ("id", "String: report id (reports)"),
            ("category", "String: incident category (reports)"),
            ("severity", "Number: 1–5 (reports)"),
            ("occurred", "String: RFC 3339 time (reports)"),
            ("time_precision", "String (reports)"),
            ("location_precision", "String (reports)"),
            ("review", "String: unverified or verified (reports)"),
            ("dead", "Number (reports)"),
            ("missing", "Number (reports)"),
        ],
        Layer::Alerts => &[
            ("id", "String: alert source and identifier"),
            ("event", "String: the alert's event, in its own language"),
            ("severity", "String: CAP severity (extreme, severe, moderate, minor, unknown)"),
            ("urgency", "String: CAP urgency"),
            ("certainty", "String: CAP certainty"),
            ("sent", "String: RFC 3339"),
            ("headline", "String"),
            ("language", "String"),
            ("area", "String: area description"),
            ("onset", "String: RFC 3339"),
            ("expires", "String: RFC 3339"),
        ],
    }
}

/// The TileJSON `vector_layers` entry of a layer.
pub fn vector_layer(layer: Layer) -> Value {
    let fields: Map<String, Value> = layer_fields(layer)
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
        .collect();
    json!({
        "id": layer.as_str(),
        "description": layer.description(),
        "minzoom": layer.min_zoom(),
        "maxzoom": layer.max_zoom(),
        "fields": fields,
    })
}

/// The attribution of several layers, each source once.
pub fn attribution(layers: &[Layer]) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for l in layers {
        let a = l.attribution();
        if !parts.contains(&a) {
            parts.push(a);
        }
    }
    parts.join("; ")
}

fn base(base_url: &str) -> &str {
    base_url.trim_end_matches('/')
}

/// The TileJSON 3.0.0 document of a layer served at
/// `{base_url}/tiles/{layer}/{z}/{x}/{y}.mvt`. `bounds` defaults to the whole world.
///
/// ```
/// use senda_tiles::{tilejson, Layer};
/// let tj = tilejson(Layer::Roads, "https://example.org/", None);
/// assert_eq!(tj["tilejson"], "3.0.0");
/// assert_eq!(tj["tiles"][0], "https://example.org/tiles/roads/{z}/{x}/{y}.mvt");
/// assert_eq!(tj["vector_layers"][0]["id"], "roads");
/// assert!(tj["attribution"].as_str().unwrap().contains("Travel Mapping"));
/// ```
pub fn tilejson(layer: Layer, base_url: &str, bounds: Option<Bbox>) -> Value {
    let b = bounds.unwrap_or_else(Bbox::world);
    let (lon, lat) = b.center();
    let center_zoom = 5u8.clamp(layer.min_zoom(), layer.max_zoom());
    json!({
        "tilejson": "3.0.0",
        "name": format!("senda {}", layer.as_str()),
        "description": layer.description(),
        "attribution": layer.attribution(),
        "scheme": "xyz",
        "tiles": [format!("{}/tiles/{}/{{z}}/{{x}}/{{y}}.mvt", base(base_url), layer.as_str())],
        "minzoom": layer.min_zoom(),
        "maxzoom": layer.max_zoom(),
        "bounds": b.to_array(),
        "center": [lon, lat, center_zoom],
        "vector_layers": [vector_layer(layer)],
    })
}

impl TileSource {
    /// [`tilejson`] with the source's data bounds.
    pub fn tilejson(&self, layer: Layer, base_url: &str) -> Value {
        tilejson(layer, base_url, self.bounds())
    }
}

/// Every layer with its zooms, description, attribution and TileJSON address
/// (`{base_url}/tiles/{layer}.json`), as martin's catalog lists its sources.
///
/// ```
/// let c = senda_tiles::catalog("");
/// assert_eq!(c["tiles"]["incidents"]["tilejson"], "/tiles/incidents.json");
/// assert_eq!(c["tiles"].as_object().unwrap().len(), 6);
/// ```
pub fn catalog(base_url: &str) -> Value {
    let tiles: Map<String, Value> = Layer::ALL
        .iter()
        .map(|l| {
            (
                l.as_str().to_owned(),
                json!({
                    "content_type": "application/x-protobuf",
                    "description": l.description(),
                    "attribution": l.attribution(),
                    "minzoom": l.min_zoom(),
                    "maxzoom": l.max_zoom(),
                    "tilejson": format!("{}/tiles/{}.json", base(base_url), l.as_str()),
                }),
            )
        })
        .collect();
    json!({ "tiles": tiles })
}
