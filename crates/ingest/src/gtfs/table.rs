//! One GTFS file as a stream of CSV rows: byte-order marks removed, each field decoded on its
//! own (UTF-8, else windows-1252, as [`Input::text`](crate::Input::text) decodes whole files),
//! columns found by name once, one reused record — so a `stop_times.txt` of millions of rows
//! is never held in memory.

use super::feed::Capped;
use crate::IngestError;
use csv::ByteRecord;
use std::borrow::Cow;
use std::io::{Cursor, Read};

/// An open GTFS file.
pub(crate) struct Table<'r> {
    /// The file's name inside the feed (`stops.txt`).
    pub(crate) file: &'static str,
    /// The feed-qualified name, for errors.
    label: String,
    limit: u64,
    reader: csv::Reader<Box<dyn Read + 'r>>,
    headers: Vec<String>,
    record: ByteRecord,
    /// Rows read so far (the next row's 0-based index).
    rows: u64,
    /// Fields that were not valid UTF-8 and were decoded as windows-1252.
    windows_1252: std::cell::Cell<u64>,
    /// Set when the stream had a UTF-16 byte-order mark (decoded whole).
    pub(crate) utf16: bool,
}

/// Where the current row is: its 0-based index among the file's rows and its 1-based line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RowAt {
    pub index: u64,
    pub line: u64,
}

impl<'r> Table<'r> {
    /// Opens a stream: reads the header row.
    pub(crate) fn new(
        file: &'static str,
        mut source: Capped<Box<dyn Read + 'r>>,
    ) -> Result<Self, IngestError> {
        let label = source.label.clone();
        let limit = source.limit();
        let io = |e: std::io::Error| Capped::<Box<dyn Read>>::error(&label, limit, e);
        // Sniff a byte-order mark.
        let mut head = [0u8; 3];
        let mut got = 0;
        while got < 3 {
            let n = source.read(&mut head[got..]).map_err(io)?;
            if n == 0 {
                break;
            }
            got += n;
        }
        let head = head[..got].to_vec();
        let mut utf16 = false;
        let stream: Box<dyn Read + 'r> = if head.starts_with(b"\xEF\xBB\xBF") {
            Box::new(source)
        } else if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
            // UTF-16 (rare in GTFS): decoded whole, then read as UTF-8.
            utf16 = true;
            let mut bytes = head.clone();
            source.read_to_end(&mut bytes).map_err(io)?;
            let (text, _) = encoding_rs::Encoding::for_bom(&bytes)
                .map(|(enc, len)| enc.decode_without_bom_handling(&bytes[len..]))
                .unwrap_or_else(|| (String::from_utf8_lossy(&bytes), false));
            Box::new(Cursor::new(text.into_owned().into_bytes()))
        } else {
            Box::new(Cursor::new(head).chain(source))
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(stream);
        let mut record = ByteRecord::new();
        let mut table = Self {
            file,
            label,
            limit,
            reader: csv::ReaderBuilder::new().from_reader(Box::new(std::io::empty())),
            headers: Vec::new(),
            record: ByteRecord::new(),
            rows: 0,
            windows_1252: std::cell::Cell::new(0),
            utf16,
        };
        let has_header = reader
            .read_byte_record(&mut record)
            .map_err(|e| table.csv_error(e))?;
        if has_header {
            let mut headers = Vec::with_capacity(record.len());
            for f in record.iter() {
                headers.push(table.decode(f).trim().to_ascii_lowercase());
            }
            table.headers = headers;
        }
        table.reader = reader;
        Ok(table)
    }

    /// The column named `name`.
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// The required columns, or an error naming the file and the first missing one.
    pub(crate) fn require<const N: usize>(
        &self,
        names: [&str; N],
    ) -> Result<[usize; N], IngestError> {
        let mut out = [0; N];
        for (slot, name) in out.iter_mut().zip(names) {
            *slot = self.column(name).ok_or_else(|| IngestError::Gtfs {
                file: self.label.clone(),
                reason: format!(
                    "{} has no {name} column (required); its header is {:?}",
                    self.file,
                    self.headers.join(",")
                ),
            })?;
        }
        Ok(out)
    }

    /// Reads the next row; `None` at the end. Blank lines are skipped.
    pub(crate) fn next_row(&mut self) -> Result<Option<RowAt>, IngestError> {
        loop {
            let more = match self.reader.read_byte_record(&mut self.record) {
                Ok(more) => more,
                Err(e) => return Err(self.csv_error(e)),
            };
            if !more {
                return Ok(None);
            }
            if self
                .record
                .iter()
                .all(|f| f.iter().all(u8::is_ascii_whitespace))
            {
                continue;
            }
            let line = self.record.position().map_or(0, |p| p.line());
            let at = RowAt {
                index: self.rows,
                line,
            };
            self.rows += 1;
            return Ok(Some(at));
        }
    }

    /// The current row's value in a column, trimmed; `""` when the row has no such field.
    pub(crate) fn get(&self, column: Option<usize>) -> Cow<'_, str> {
        let Some(bytes) = column.and_then(|c| self.record.get(c)) else {
            return Cow::Borrowed("");
        };
        match std::str::from_utf8(bytes) {
            Ok(s) => Cow::Borrowed(s.trim()),
            Err(_) => {
                self.windows_1252.set(self.windows_1252.get() + 1);
                let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
                Cow::Owned(text.trim().to_owned())
            }
        }
    }

    /// The current row's value in a required column (no allocation when valid UTF-8).
    pub(crate) fn str(&self, column: usize) -> Cow<'_, str> {
        self.get(Some(column))
    }

    fn decode<'b>(&self, bytes: &'b [u8]) -> Cow<'b, str> {
        match std::str::from_utf8(bytes) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => {
                self.windows_1252.set(self.windows_1252.get() + 1);
                let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
                Cow::Owned(text.into_owned())
            }
        }
    }

    /// Notes for the report about how the file was decoded.
    pub(crate) fn encoding_note(&self) -> Option<String> {
        if self.utf16 {
            Some(format!("{}: UTF-16 text, decoded whole", self.file))
        } else if self.windows_1252.get() > 0 {
            Some(format!(
                "{}: {} fields were not valid UTF-8 and were decoded as windows-1252",
                self.file,
                self.windows_1252.get()
            ))
        } else {
            None
        }
    }

    fn csv_error(&self, e: csv::Error) -> IngestError {
        let line = e.position().map(|p| p.line());
        match e.into_kind() {
            csv::ErrorKind::Io(io) => Capped::<Box<dyn Read>>::error(&self.label, self.limit, io),
            other => IngestError::Gtfs {
                file: self.label.clone(),
                reason: format!(
                    "{}{}: unreadable CSV: {other:?}",
                    self.file,
                    line.map(|l| format!(" line {l}")).unwrap_or_default()
                ),
            },
        }
    }
}
