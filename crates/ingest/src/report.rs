use senda_core::{Located, RecordRef};
use serde::Serialize;

/// One record that was rejected, skipped or flagged, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordIssue {
    /// Where in the file: record index (0-based) and line (1-based) where the format has lines.
    pub at: RecordRef,
    /// The record's id in its source, when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// The field (column, property, tag, element) at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub reason: String,
}

/// What a reader did with one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The file (or upload) name.
    pub file: String,
    /// The format detected, e.g. `iom-mmp-hxl`, `acled`, `cap-atom`, `osm-pbf`.
    pub format: String,
    /// Records seen: accepted + rejected + skipped.
    pub records: u64,
    /// Records returned as valid (flagged ones included).
    pub accepted: u64,
    /// Records that could not be loaded.
    pub rejected: Vec<RecordIssue>,
    /// Records deliberately not loaded because they are not of this kind (e.g. a consulate
    /// row in a list read as incidents); not an error, but listed so nothing disappears silently.
    pub skipped: Vec<RecordIssue>,
    /// Records loaded but flagged for review (e.g. `location_suspect`).
    pub flagged: Vec<RecordIssue>,
    /// File-level notes: encoding fallbacks, ignored columns, detected schema.
    pub notes: Vec<String>,
}

impl Report {
    pub fn new(file: impl Into<String>, format: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            format: format.into(),
            ..Self::default()
        }
    }

    /// Records a rejection.
    pub fn reject(
        &mut self,
        at: RecordRef,
        source_id: Option<String>,
        field: Option<&str>,
        reason: impl Into<String>,
    ) {
        self.records += 1;
        self.rejected.push(RecordIssue {
            at,
            source_id,
            field: field.map(str::to_owned),
            reason: reason.into(),
        });
    }

    /// Records a skipped record (not of the kind being read).
    pub fn skip(&mut self, at: RecordRef, source_id: Option<String>, reason: impl Into<String>) {
        self.records += 1;
        self.skipped.push(RecordIssue {
            at,
            source_id,
            field: None,
            reason: reason.into(),
        });
    }

    /// Records an accepted record.
    pub fn accept(&mut self) {
        self.records += 1;
        self.accepted += 1;
    }

    /// Flags an accepted record (call [`Report::accept`] as well).
    pub fn flag(
        &mut self,
        at: RecordRef,
        source_id: Option<String>,
        field: Option<&str>,
        reason: impl Into<String>,
    ) {
        self.flagged.push(RecordIssue {
            at,
            source_id,
            field: field.map(str::to_owned),
            reason: reason.into(),
        });
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }
}

/// The valid records of one file and the report of what happened to the rest.
#[derive(Debug, Clone)]
pub struct Outcome<T> {
    pub records: Vec<Located<T>>,
    pub report: Report,
}

impl<T> Outcome<T> {
    pub fn new(report: Report) -> Self {
        Self {
            records: Vec::new(),
            report,
        }
    }

    /// Adds a valid record and counts it as accepted.
    pub fn push(&mut self, record: T, at: RecordRef) {
        self.report.accept();
        self.records.push(Located::new(record, at));
    }
}
