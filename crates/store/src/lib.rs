//! senda-store: the durable store behind senda — one SQLite file (WAL mode).
//!
//! - **Versioned migrations** (`PRAGMA user_version`), applied on open; a database written by a
//!   newer senda is refused rather than misread.
//! - **One transaction per ingested file** (a *batch*): after a crash the database holds the
//!   whole batch or none of it, and every earlier batch intact. `synchronous=FULL`, so a
//!   batch that was acknowledged survives power loss too.
//! - **Idempotent by `(source, source_id)`**: loading the same file twice leaves the same rows;
//!   a corrected record updates its row (its `revision` goes up); an identical one is
//!   `unchanged`. Each row keeps its provenance: the batch (file) and the record index/line.
//! - Queries by bounding box and time window.
//!
//! ```
//! use senda_core::{Incident, IncidentCategory, Located, LonLat, RecordRef, SourceKey};
//! use senda_store::{Query, Store};
//!
//! let mut store = Store::open_in_memory().unwrap();
//! let incident = Incident::new(
//!     SourceKey::new("iom-mmp", "2019.MMP1").unwrap(),
//!     LonLat::new(-93.9, 16.25).unwrap(),
//!     "2019-05-01T00:00:00Z".parse().unwrap(),
//!     IncidentCategory::Violence,
//!     1,
//! )
//! .unwrap();
//! let batch = vec![Located::new(incident, RecordRef::new(0, Some(3)))];
//! let first = store.ingest("mmp.csv", "iom-mmp-hxl", &batch, 0, &mut |_| {}).unwrap();
//! let again = store.ingest("mmp.csv", "iom-mmp-hxl", &batch, 0, &mut |_| {}).unwrap();
//! assert_eq!((first.inserted, again.unchanged), (1, 1));
//! let found = store.load::<Incident>(&Query::bbox([-94.0, 16.0, -93.0, 17.0])).unwrap();
//! assert_eq!(found.len(), 1);
//! assert_eq!(found[0].provenance.line, Some(3));
//! ```

mod error;
mod migrations;
mod record;
mod store;

pub use error::StoreError;
pub use record::{Kind, Record};
pub use store::{BatchInfo, BatchSummary, Provenance, Query, Store, Stored, TokenInfo, TokenRow};
