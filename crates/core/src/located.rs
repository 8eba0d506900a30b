/// Where a record came from inside its file: its 0-based index among the file's records
/// (features, rows, entries, ways) and, where the format has lines, its 1-based line.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub struct RecordRef {
    pub index: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

impl RecordRef {
    pub fn new(index: u64, line: Option<u64>) -> Self {
        Self { index, line }
    }
}

impl std::fmt::Display for RecordRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "record {} (line {})", self.index, line),
            None => write!(f, "record {}", self.index),
        }
    }
}

/// A validated record and where it came from.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Located<T> {
    pub record: T,
    pub at: RecordRef,
}

impl<T> Located<T> {
    pub fn new(record: T, at: RecordRef) -> Self {
        Self { record, at }
    }
}
