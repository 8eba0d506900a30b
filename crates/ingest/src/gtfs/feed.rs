//! Where a feed's files are — a zip archive (in memory) or a folder — and reading one of them
//! as a stream, decompressed size capped.

use crate::IngestError;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use zip::ZipArchive;

/// The files of one feed.
pub(crate) enum Feed<'a> {
    Zip {
        /// The archive's name, for errors.
        name: String,
        archive: ZipArchive<Cursor<&'a [u8]>>,
        /// The folder inside the archive holding `stops.txt` (`""` at the root).
        prefix: String,
        max_entry_bytes: u64,
    },
    Dir {
        path: PathBuf,
        max_entry_bytes: u64,
    },
}

/// Whether bytes are a zip archive (a local file header first, or an empty archive).
pub(crate) fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

impl<'a> Feed<'a> {
    pub(crate) fn zip(
        name: &str,
        bytes: &'a [u8],
        max_entry_bytes: u64,
    ) -> Result<Self, IngestError> {
        let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| IngestError::Zip {
            file: name.to_owned(),
            reason: e.to_string(),
        })?;
        // Feeds are often zipped with their folder: take the shallowest folder holding
        // stops.txt.
        let prefix = archive
            .file_names()
            .filter_map(|n| {
                let base = n.rsplit('/').next().unwrap_or(n);
                base.eq_ignore_ascii_case("stops.txt")
                    .then(|| n[..n.len() - base.len()].to_owned())
            })
            .filter(|p| !p.starts_with("__MACOSX"))
            .min_by_key(|p| (p.matches('/').count(), p.clone()))
            .unwrap_or_default();
        Ok(Self::Zip {
            name: name.to_owned(),
            archive,
            prefix,
            max_entry_bytes,
        })
    }

    pub(crate) fn dir(path: &Path, max_entry_bytes: u64) -> Self {
        Self::Dir {
            path: path.to_owned(),
            max_entry_bytes,
        }
    }

    /// The feed's name for errors: the archive or folder.
    pub(crate) fn name(&self) -> String {
        match self {
            Self::Zip { name, .. } => name.clone(),
            Self::Dir { path, .. } => path.display().to_string(),
        }
    }

    /// The file names (lower case) at the feed's root.
    pub(crate) fn files(&self) -> Result<Vec<String>, IngestError> {
        let mut out: Vec<String> = match self {
            Self::Zip {
                archive, prefix, ..
            } => archive
                .file_names()
                .filter_map(|n| n.strip_prefix(prefix.as_str()))
                .filter(|n| !n.is_empty() && !n.contains('/'))
                .map(str::to_ascii_lowercase)
                .collect(),
            Self::Dir { path, .. } => std::fs::read_dir(path)
                .map_err(|source| IngestError::Io {
                    path: path.display().to_string(),
                    source,
                })?
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| e.file_name().to_str().map(str::to_ascii_lowercase))
                .collect(),
        };
        out.sort();
        Ok(out)
    }

    /// Opens `file` (matched without regard to case) as a stream; `None` when the feed has
    /// no such file. Reading more than the cap's bytes fails with an error naming the file.
    pub(crate) fn open(
        &mut self,
        file: &str,
    ) -> Result<Option<Capped<Box<dyn Read + '_>>>, IngestError> {
        match self {
            Self::Zip {
                name,
                archive,
                prefix,
                max_entry_bytes,
            } => {
                let wanted = format!("{prefix}{file}");
                let Some(index) = (0..archive.len()).find(|&i| {
                    archive
                        .name_for_index(i)
                        .is_some_and(|n| n.eq_ignore_ascii_case(&wanted))
                }) else {
                    return Ok(None);
                };
                let zip_err = |e: zip::result::ZipError| IngestError::Zip {
                    file: name.clone(),
                    reason: format!("{file}: {e}"),
                };
                let entry = archive.by_index(index).map_err(zip_err)?;
                // The declared size may lie (the cap below holds whatever it says), but an
                // honest large one is refused before any work.
                if entry.size() > *max_entry_bytes {
                    return Err(IngestError::TooLarge {
                        file: format!("{name}: {file}"),
                        limit: *max_entry_bytes,
                    });
                }
                let limit = *max_entry_bytes;
                let label = format!("{name}: {file}");
                Ok(Some(Capped::new(Box::new(entry), limit, label)))
            }
            Self::Dir {
                path,
                max_entry_bytes,
            } => {
                let found = std::fs::read_dir(&*path)
                    .map_err(|source| IngestError::Io {
                        path: path.display().to_string(),
                        source,
                    })?
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .find(|p| {
                        p.is_file()
                            && p.file_name()
                                .and_then(|n| n.to_str())
                                .is_some_and(|n| n.eq_ignore_ascii_case(file))
                    });
                let Some(found) = found else {
                    return Ok(None);
                };
                let f = std::fs::File::open(&found).map_err(|source| IngestError::Io {
                    path: found.display().to_string(),
                    source,
                })?;
                let label = found.display().to_string();
                Ok(Some(Capped::new(
                    Box::new(std::io::BufReader::new(f)),
                    *max_entry_bytes,
                    label,
                )))
            }
        }
    }
}

/// A reader that fails once more than `limit` bytes have come out of it (a zip bomb, or a
/// file far larger than any feed), with an error [`Capped::is_cap`] recognises.
pub(crate) struct Capped<R> {
    inner: R,
    left: u64,
    limit: u64,
    /// The file, for the error.
    pub(crate) label: String,
}

/// The marker inside the `io::Error` a [`Capped`] reader returns.
#[derive(Debug)]
struct CapExceeded;

impl std::fmt::Display for CapExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("decompressed size limit exceeded")
    }
}

impl std::error::Error for CapExceeded {}

impl<R: Read> Capped<R> {
    fn new(inner: R, limit: u64, label: String) -> Self {
        Self {
            inner,
            left: limit,
            limit,
            label,
        }
    }

    /// The error for an I/O failure while reading this file: the cap, or the failure.
    pub(crate) fn error(label: &str, limit: u64, e: std::io::Error) -> IngestError {
        if e.get_ref().is_some_and(|inner| inner.is::<CapExceeded>()) {
            IngestError::TooLarge {
                file: label.to_owned(),
                limit,
            }
        } else {
            IngestError::Io {
                path: label.to_owned(),
                source: e,
            }
        }
    }

    pub(crate) fn limit(&self) -> u64 {
        self.limit
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // At the cap: one more byte means too large.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(std::io::Error::other(CapExceeded)),
            };
        }
        let max = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        Ok(n)
    }
}
