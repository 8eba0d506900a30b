use crate::{limits, IngestError};
use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

/// The bytes of one input file (or HTTP upload), gzip already undone, with its name for reports.
#[derive(Debug, Clone)]
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Input {
    /// Reads a file; gzip data (by its magic bytes, whatever the extension) is decompressed,
    /// up to [`limits::MAX_DECOMPRESSED_BYTES`].
    pub fn from_path(path: &Path) -> Result<Self, IngestError> {
        Self::from_path_limited(path, limits::MAX_DECOMPRESSED_BYTES)
    }

    /// [`Input::from_path`] with gzip data decompressed to at most `max_decompressed` bytes
    /// (more is an [`IngestError::TooLarge`] naming the file and the limit).
    pub fn from_path_limited(path: &Path, max_decompressed: u64) -> Result<Self, IngestError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| IngestError::Io {
            path: name.clone(),
            source,
        })?;
        Self::from_bytes_limited(name, bytes, max_decompressed)
    }

    /// Wraps bytes already in memory; gzip data is decompressed, up to
    /// [`limits::MAX_DECOMPRESSED_BYTES`].
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> Result<Self, IngestError> {
        Self::from_bytes_limited(name, bytes, limits::MAX_DECOMPRESSED_BYTES)
    }

    /// [`Input::from_bytes`] with gzip data decompressed to at most `max_decompressed` bytes.
    /// The data is decompressed as a stream that stops one byte past the limit, so a gzip
    /// bomb costs no more memory than the limit.
    pub fn from_bytes_limited(
        name: impl Into<String>,
        bytes: Vec<u8>,
        max_decompressed: u64,
    ) -> Result<Self, IngestError> {
        let name = name.into();
        if bytes.starts_with(&[0x1f, 0x8b]) {
            let guess = (bytes.len() as u64).saturating_mul(4).min(max_decompressed);
            let mut out = Vec::with_capacity(usize::try_from(guess).unwrap_or(0));
            flate2::read::MultiGzDecoder::new(&bytes[..])
                .take(max_decompressed.saturating_add(1))
                .read_to_end(&mut out)
                .map_err(|source| IngestError::Decompress {
                    file: name.clone(),
                    source,
                })?;
            if out.len() as u64 > max_decompressed {
                return Err(IngestError::TooLarge {
                    file: name,
                    limit: max_decompressed,
                });
            }
            return Ok(Self { name, bytes: out });
        }
        Ok(Self { name, bytes })
    }

    /// The lower-case file name without `.gz`, for format detection by extension.
    pub fn base_name(&self) -> String {
        let lower = self.name.to_ascii_lowercase();
        lower.strip_suffix(".gz").unwrap_or(&lower).to_owned()
    }

    /// The first `max_bytes` of the input decoded as [`Input::text`] would (a UTF-16 or UTF-8
    /// byte-order mark honoured and dropped; otherwise read as UTF-8, lossily), without
    /// decoding the whole file: what format detection looks at, so every path that tells a
    /// format by the first characters sees the same thing.
    pub fn head(&self, max_bytes: usize) -> Cow<'_, str> {
        let bytes = &self.bytes[..self.bytes.len().min(max_bytes)];
        match encoding_rs::Encoding::for_bom(bytes) {
            Some((enc, bom_len)) => enc.decode_without_bom_handling(&bytes[bom_len..]).0,
            None => String::from_utf8_lossy(bytes),
        }
    }

    /// The first character that is not white space, as [`Input::head`] decodes it.
    pub fn first_char(&self) -> Option<char> {
        self.head(4096).trim_start().chars().next()
    }

    /// Decodes the bytes as text: a byte-order mark (UTF-8, UTF-16) wins; then an XML
    /// declaration's `encoding="..."`; then UTF-8. Bytes that are not valid UTF-8 and carry no
    /// declaration are decoded as Windows-1252 (a superset of ISO-8859-1, common in Latin
    /// American exports), and the second value says so, for the report's notes.
    pub fn text(&self) -> Result<(Cow<'_, str>, Option<String>), IngestError> {
        let bytes = &self.bytes[..];
        if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
            let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
            let note = had_errors
                .then(|| format!("invalid {} sequences replaced with U+FFFD", enc.name()));
            return Ok((text, note));
        }
        if let Some(label) = xml_declared_encoding(bytes) {
            let enc = encoding_rs::Encoding::for_label(label.as_bytes()).ok_or_else(|| {
                IngestError::Encoding {
                    file: self.name.clone(),
                    reason: format!("the XML declaration names an unknown encoding {label:?}"),
                }
            })?;
            if enc != encoding_rs::UTF_8 {
                let (text, _, had_errors) = enc.decode(bytes);
                let mut note = format!("decoded as {} (declared {label:?})", enc.name());
                if had_errors {
                    note.push_str("; invalid sequences replaced with U+FFFD");
                }
                return Ok((text, Some(note)));
            }
        }
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok((Cow::Borrowed(s), None)),
            Err(e) => {
                let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
                Ok((
                    text,
                    Some(format!(
                        "not valid UTF-8 (first bad byte at offset {}); decoded as windows-1252",
                        e.valid_up_to()
                    )),
                ))
            }
        }
    }
}

/// The `encoding="..."` of an XML declaration at the start of `bytes`, if any.
fn xml_declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(200)];
    let head = std::str::from_utf8(head)
        .unwrap_or_else(|e| std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or(""));
    let head = head.trim_start();
    if !head.starts_with("<?xml") {
        return None;
    }
    let decl = &head[..head.find("?>")?];
    let pos = decl.find("encoding")?;
    let rest = decl[pos + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    Some(rest[..rest.find(quote)?].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_latin1_is_decoded() {
        let mut bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>".to_vec();
        bytes.push(0xF1); // n with tilde in Latin-1
        bytes.extend_from_slice(b"</a>");
        let input = Input::from_bytes("x.xml", bytes).unwrap();
        let (text, note) = input.text().unwrap();
        assert!(text.contains("<a>ñ</a>"));
        assert!(note.unwrap().contains("windows-1252"));
    }

    #[test]
    fn invalid_utf8_falls_back_with_a_note() {
        let input = Input::from_bytes("x.csv", b"name\nSan Jos\xe9\n".to_vec()).unwrap();
        let (text, note) = input.text().unwrap();
        assert!(text.contains("San José"));
        assert!(note.is_some());
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let input = Input::from_bytes("x.csv", b"\xef\xbb\xbfa,b\n".to_vec()).unwrap();
        assert_eq!(input.text().unwrap().0, "a,b\n");
    }

    #[test]
    fn gzip_is_undone_and_truncated_gzip_is_an_error() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"hello world, hello world, hello world")
            .unwrap();
        let gz = enc.finish().unwrap();
        assert_eq!(
            Input::from_bytes("a.gz", gz.clone()).unwrap().bytes,
            b"hello world, hello world, hello world"
        );
        assert!(matches!(
            Input::from_bytes("a.gz", gz[..gz.len() / 2].to_vec()),
            Err(IngestError::Decompress { .. })
        ));
    }

    /// A small gzip that expands past the cap is refused, naming the file and the limit; at
    /// exactly the cap it is read.
    #[test]
    fn gzip_expanding_past_the_cap_is_refused() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![b'a'; 1 << 20]).unwrap();
        let gz = enc.finish().unwrap();
        assert!(gz.len() < 4096, "{} bytes", gz.len());
        let e = Input::from_bytes_limited("bomb.csv.gz", gz.clone(), 1000).unwrap_err();
        assert!(
            matches!(e, IngestError::TooLarge { limit: 1000, .. }),
            "{e}"
        );
        let text = e.to_string();
        assert!(
            text.contains("bomb.csv.gz") && text.contains("1000"),
            "{text}"
        );
        let exact = Input::from_bytes_limited("ok.gz", gz, 1 << 20).unwrap();
        assert_eq!(exact.bytes.len(), 1 << 20);
    }
}
