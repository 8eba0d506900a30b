//! Storing a posted file: read as `senda ingest` reads it, accepted records written as one
//! batch (one transaction), the per-record report returned.

use crate::{ApiError, AppState};
use axum::http::StatusCode;
use senda_core::RecordKind;
use senda_ingest::countries::Countries;
use senda_ingest::{Input, Outcome, Records, Report};
use senda_store::{BatchSummary, Record, Store, StoreError};
use serde_json::{json, Value};

/// A name for the posted body whose extension tells its format (JSON, XML or CSV).
fn name_for(bytes: &[u8]) -> &'static str {
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') | Some(b'[') => "request.geojson",
        Some(b'<') => "request.xml",
        _ => "request.csv",
    }
}

/// Stores what one file held, as `senda ingest` does: one transaction, one batch per record
/// kind (a road network also holds transit points and shelters). `tick` gets the records
/// written so far.
pub fn store_records(
    store: &mut Store,
    name: &str,
    records: &Records,
    tick: &mut dyn FnMut(u64),
) -> Result<Vec<BatchSummary>, StoreError> {
    let rejected = |r: &Report| r.rejected.len() as u64;
    fn one<R: Record>(
        store: &mut Store,
        name: &str,
        o: &Outcome<R>,
        tick: &mut dyn FnMut(u64),
    ) -> Result<Vec<BatchSummary>, StoreError> {
        let rejected = o.report.rejected.len() as u64;
        store
            .ingest(name, &o.report.format, &o.records, rejected, tick)
            .map(|s| vec![s])
    }
    match records {
        Records::Network(n) => store
            .ingest_network(
                name,
                &n.roads.report.format,
                (&n.roads.records, rejected(&n.roads.report)),
                (&n.transit.records, rejected(&n.transit.report)),
                (&n.shelters.records, rejected(&n.shelters.report)),
                tick,
            )
            .map(|s| s.to_vec()),
        Records::Incidents(o) => one(store, name, o, tick),
        Records::Shelters(o) => one(store, name, o, tick),
        Records::Transit(o) => one(store, name, o, tick),
        Records::Weather(o) => one(store, name, o, tick),
    }
}

/// Loads the bundled default data ([`senda_ingest::defaults`]) into `store`.
pub fn store_default_data(store: &mut Store) -> anyhow::Result<()> {
    for file in senda_ingest::defaults::FILES {
        let records = file.read()?;
        store_records(store, file.name, &records, &mut |_| {})?;
    }
    Ok(())
}

fn store_one<R: Record>(store: &mut Store, name: &str, o: &Outcome<R>) -> Result<Value, ApiError> {
    let rejected = o.report.rejected.len() as u64;
    let summary = store
        .ingest(name, &o.report.format, &o.records, rejected, &mut |_| {})
        .map_err(|e| ApiError::internal(format!("storing {name}: {e}")))?;
    Ok(json!({ "report": o.report, "store": summary }))
}

/// Reads and stores one posted file of `kind`. An unreadable body is a 400 naming why; a gzip
/// body that expands past `ServerConfig::max_decompressed_bytes` is a 413 naming the limit.
pub fn ingest(state: &AppState, kind: RecordKind, bytes: Vec<u8>) -> Result<Value, ApiError> {
    let limit = state.config.max_decompressed_bytes;
    let mut input = Input::from_bytes_limited("request", bytes, limit).map_err(|e| match e {
        senda_ingest::IngestError::TooLarge { limit, .. } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("body: the gzip data decompresses to more than {limit} bytes"),
        )
        .with_details(json!({ "parameter": "body", "limit_bytes": limit })),
        other => ApiError::bad_param("body", other),
    })?;
    // Named after decompression, so a gzip body's format is told by what it holds.
    let name = name_for(&input.bytes);
    input.name = name.to_owned();
    let records = senda_ingest::read_with(
        kind,
        &input,
        Countries::corridor(),
        &state.config.record_limits,
    )
    .map_err(|e| ApiError::bad_param("body", e))?;
    let mut store = state.store.lock().unwrap_or_else(|p| p.into_inner());
    let part = match &records {
        Records::Incidents(o) => store_one(&mut store, name, o)?,
        Records::Shelters(o) => store_one(&mut store, name, o)?,
        Records::Weather(o) => store_one(&mut store, name, o)?,
        _ => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "only incidents, shelters and weather can be posted",
            ))
        }
    };
    let mut part = part;
    part["kind"] = json!(kind);
    Ok(json!([part]))
}
