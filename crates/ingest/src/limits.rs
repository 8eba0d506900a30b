//! Size limits on what the readers accept, in one place: how far a gzip input may expand and
//! how long an identifier or a text field may be. A record over a field limit is rejected
//! naming the field; an input over the decompression cap is an [`crate::IngestError::TooLarge`].

/// The most bytes a gzip input may decompress to by default (the CLI's cap): 1 GiB. The
/// server sets its own, lower cap (`ServerConfig::max_decompressed_bytes`).
pub const MAX_DECOMPRESSED_BYTES: u64 = 1 << 30;
