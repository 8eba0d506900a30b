//! senda-ingest: readers for every input format senda accepts. Each reader turns one file into
//! validated [`senda_core`] records plus a [`Report`] naming every record it rejected (record
//! index or line, field, reason). A file that cannot be read at all is an [`IngestError`];
//! a bad record never is — it is reported and the valid records are still returned.
//!
//! ```
//! use senda_ingest::{incidents, Input};
//! let csv = "web_id,reported_date,location_coodinates,cause_death,total_dead_and_missing\n\
//!            #web+id,#date+reported,#geo+coord,#cause+type,#affected+killed+missing+total\n\
//!            2019.MMP1,2019-05-01,\"16.25, -93.90\",Violence,1\n\
//!            2019.MMP2,2019-05-02,\"\",Drowning,1\n";
//! let out = incidents::read_csv(&Input::from_bytes("example.csv", csv.as_bytes().to_vec()).unwrap()).unwrap();
//! assert_eq!(out.records.len(), 1);
//! assert_eq!(out.report.rejected.len(), 1);
//! assert_eq!(out.report.rejected[0].at.line, Some(4));
//! ```

pub mod category;
pub mod countries;
pub mod defaults;
mod dispatch;
mod error;
pub mod gazetteer;
pub mod gtfs;
pub mod incidents;
mod input;
pub mod limits;
pub mod osm;
mod report;
pub mod roads;
pub mod shelters;
pub mod transit;
pub mod weather;

pub use dispatch::{detect_kind, read, read_with, Records};
pub use error::IngestError;
pub use input::Input;
pub use report::{Outcome, RecordIssue, Report};
