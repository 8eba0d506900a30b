/// A file that cannot be read at all. Bad records inside a readable file are never an error:
/// they go into the [`crate::Report`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    #[error("{path}: cannot read file: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: cannot decompress gzip data: {source}")]
    Decompress {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: unrecognised format: {reason}")]
    UnknownFormat { file: String, reason: String },
    #[error("{file}: not valid JSON (line {line}, column {column}): {reason}")]
    Json {
        file: String,
        line: usize,
        column: usize,
        reason: String,
    },
    #[error("{file}: not valid GeoJSON: {reason}")]
    GeoJson { file: String, reason: String },
    #[error("{file}: not valid XML at byte {position}: {reason}")]
    Xml {
        file: String,
        position: u64,
        reason: String,
    },
    #[error("{file}: CSV header unusable: {reason}")]
    CsvHeader { file: String, reason: String },
    #[error("{file}: not a readable OSM PBF file: {reason}")]
    Pbf { file: String, reason: String },
    #[error("{file}: text encoding not supported: {reason}")]
    Encoding { file: String, reason: String },
    #[error("{file}: not a readable zip archive: {reason}")]
    Zip { file: String, reason: String },
    /// A file (gzip data, a zip entry) decompresses to more than the reader's cap: a gzip or
    /// zip bomb, or far larger than any feed.
    #[error("{file}: larger than {limit} bytes uncompressed; refused (the cap guards against gzip and zip bombs)")]
    TooLarge { file: String, limit: u64 },
    /// A GTFS feed without a required file or column; the reason names it.
    #[error("{file}: not a usable GTFS feed: {reason}")]
    Gtfs { file: String, reason: String },
}

impl IngestError {
    /// Builds an [`IngestError::Json`] from a serde_json error.
    pub fn json(file: &str, e: &serde_json::Error) -> Self {
        Self::Json {
            file: file.to_owned(),
            line: e.line(),
            column: e.column(),
            reason: e.to_string(),
        }
    }
}
