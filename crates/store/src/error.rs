/// Errors of the store. Every variant says what was being done.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("{path}: cannot open database: {source}")]
    Open {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database schema version {found} is newer than this senda understands ({supported}); upgrade senda")]
    NewerSchema { found: u32, supported: u32 },
    #[error("{context}: {source}")]
    Sqlite {
        context: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{kind} row {row_id}: stored payload is unreadable: {source}")]
    Payload {
        kind: &'static str,
        row_id: i64,
        #[source]
        source: serde_json::Error,
    },
    #[error("{file}: record {index}: cannot encode for storage: {source}")]
    Encode {
        file: String,
        index: u64,
        #[source]
        source: serde_json::Error,
    },
}

pub(crate) trait Context<T> {
    fn ctx(self, context: &'static str) -> Result<T, StoreError>;
}

impl<T> Context<T> for Result<T, rusqlite::Error> {
    fn ctx(self, context: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Sqlite { context, source })
    }
}
