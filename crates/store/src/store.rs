use crate::error::Context;
use crate::{migrations, Kind, Record, StoreError};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use senda_core::{Located, RoadSegment, Shelter, TransitPoint};
use std::path::Path;

/// A senda database: one SQLite file.
pub struct Store {
    conn: Connection,
}

/// What one ingest batch did to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct BatchSummary {
    pub batch_id: i64,
    /// New `(source, source_id)` keys.
    pub inserted: u64,
    /// Existing keys whose content changed.
    pub updated: u64,
    /// Existing keys loaded again with identical content.
    pub unchanged: u64,
}

/// An API token as stored: its public id, role name, salt and the salted hash of its secret,
/// and when it stops being valid (`None`: never, unless revoked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub token_id: String,
    pub role: String,
    pub salt: Vec<u8>,
    pub hash: Vec<u8>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// What `senda token list` shows of a token: never its salt, hash or secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenInfo {
    pub token_id: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// An RFC 3339 column as a time; a value that does not parse reads as absent (the columns are
/// only ever written by this crate).
fn time_col(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// A committed batch as recorded in the store.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BatchInfo {
    pub id: i64,
    pub kind: String,
    pub file: String,
    pub format: String,
    pub started_at: String,
    pub finished_at: String,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
}

/// Where a stored record came from: the batch (and so the file) that last wrote it, and its
/// place in that file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Provenance {
    pub batch_id: i64,
    pub file: String,
    pub record: u64,
    pub line: Option<u64>,
    /// How many times the record's content has been updated since it was first loaded.
    pub revision: u64,
}

/// A record read back from the store.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored<R> {
    pub row_id: i64,
    pub record: R,
    pub provenance: Provenance,
}

/// Which records to load. Empty means all.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Query {
    /// `[min_lon, min_lat, max_lon, max_lat]`: records whose bounding box intersects it.
    pub bbox: Option<[f64; 4]>,
    /// `[from, to]`: records whose time range intersects it (timeless records always match).
    pub window: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl Query {
    pub fn all() -> Self {
        Self::default()
    }

    pub fn bbox(bbox: [f64; 4]) -> Self {
        Self {
            bbox: Some(bbox),
            window: None,
        }
    }

    pub fn window(from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        Self {
            bbox: None,
            window: Some((from, to)),
        }
    }
}

impl Store {
    /// Opens (creating if needed) a database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Open {
            path: path.display().to_string(),
            source,
        })?;
        Self::init(conn, true)
    }

    /// A private in-memory database (tests, dry runs).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: ":memory:".into(),
            source,
        })?;
        Self::init(conn, false)
    }

    fn init(mut conn: Connection, wal: bool) -> Result<Self, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .ctx("setting busy timeout")?;
        // Larger pages: fewer WAL frames (one write each) and B-tree splits per batch. Only
        // takes effect when the database file is created.
        conn.pragma_update(None, "page_size", 16_384)
            .ctx("setting page_size")?;
        if wal {
            let mode: String = conn
                .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
                .ctx("enabling WAL")?;
            if !mode.eq_ignore_ascii_case("wal") {
                tracing::warn!(mode, "database is not in WAL mode");
            }
        }
        // FULL: a committed (acknowledged) batch survives power loss, not only a crash.
        conn.pragma_update(None, "synchronous", "FULL")
            .ctx("setting synchronous")?;
        // Per-row foreign-key checks would force a statement journal on every insert; the
        // batch id written with each row comes from the same transaction, so the reference
        // holds by construction and is left unenforced (SQLite's default).
        conn.pragma_update(None, "foreign_keys", "OFF")
            .ctx("disabling foreign keys")?;
        // Statement journals and sorts in memory, and a 64 MiB page cache so a large batch
        // is not spilled to the WAL page by page before it commits.
        conn.pragma_update(None, "temp_store", "MEMORY")
            .ctx("setting temp_store")?;
        conn.pragma_update(None, "cache_size", -65_536)
            .ctx("setting cache_size")?;
        migrations::migrate(&mut conn)?;
        Ok(Self { conn })
    }

    /// How long a write waits for another writer (another `senda` process) before failing.
    /// Default 10 s.
    pub fn set_busy_timeout(&self, timeout: std::time::Duration) -> Result<(), StoreError> {
        self.conn.busy_timeout(timeout).ctx("setting busy timeout")
    }

    /// The schema version of this database.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .ctx("reading schema version")
    }

    /// The newest schema version this build understands.
    pub fn supported_schema_version() -> u32 {
        migrations::supported_version()
    }

    /// Stores one file's valid records as one batch, in one transaction: after a crash the
    /// store holds all of them or none. Returns how many were new, updated or unchanged.
    /// `rejected` is the number of records the reader rejected (kept with the batch for the
    /// record). `progress` is called with the number of records written so far.
    pub fn ingest<R: Record>(
        &mut self,
        file: &str,
        format: &str,
        records: &[Located<R>],
        rejected: u64,
        progress: &mut dyn FnMut(u64),
    ) -> Result<BatchSummary, StoreError> {
        let tx = self.conn.transaction().ctx("starting ingest transaction")?;
        let summary = write_batch(&tx, file, format, records, rejected, 0, progress)?;
        tx.commit().ctx("committing batch")?;
        Ok(summary)
    }

    /// Stores a road network file (roads plus the transit points and shelters tagged in it)
    /// as three batches in ONE transaction: all of the file or nothing.
    pub fn ingest_network(
        &mut self,
        file: &str,
        format: &str,
        roads: (&[Located<RoadSegment>], u64),
        transit: (&[Located<TransitPoint>], u64),
        shelters: (&[Located<Shelter>], u64),
        progress: &mut dyn FnMut(u64),
    ) -> Result<[BatchSummary; 3], StoreError> {
        let tx = self.conn.transaction().ctx("starting ingest transaction")?;
        let r = write_batch(&tx, file, format, roads.0, roads.1, 0, progress)?;
        let done = roads.0.len() as u64;
        let t = write_batch(&tx, file, format, transit.0, transit.1, done, progress)?;
        let done = done + transit.0.len() as u64;
        let s = write_batch(&tx, file, format, shelters.0, shelters.1, done, progress)?;
        tx.commit().ctx("committing batch")?;
        Ok([r, t, s])
    }

    /// Loads the records of one kind matching `query`, ordered by row id (load order).
    pub fn load<R: Record>(&self, query: &Query) -> Result<Vec<Stored<R>>, StoreError> {
        let table = R::KIND.as_str();
        let mut sql = format!(
            "SELECT r.id, r.payload, r.batch_id, b.file, r.record, r.line, r.revision
             FROM {table} r JOIN batches b ON b.id = r.batch_id WHERE 1 = 1"
        );
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if let Some([x0, y0, x1, y1]) = query.bbox {
            sql.push_str(
                " AND r.min_lat <= ? AND r.max_lat >= ? AND r.min_lon <= ? AND r.max_lon >= ?",
            );
            args.extend([y1, y0, x1, x0].map(rusqlite::types::Value::Real));
        }
        if let Some((from, to)) = query.window {
            sql.push_str(" AND (r.t_start IS NULL OR (r.t_start <= ? AND (r.t_end IS NULL OR r.t_end >= ?)))");
            args.push(rusqlite::types::Value::Integer(to.timestamp()));
            args.push(rusqlite::types::Value::Integer(from.timestamp()));
        }
        sql.push_str(" ORDER BY r.id");
        let mut stmt = self.conn.prepare_cached(&sql).ctx("preparing query")?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    Provenance {
                        batch_id: r.get(2)?,
                        file: r.get(3)?,
                        record: r.get::<_, i64>(4)? as u64,
                        line: r.get::<_, Option<i64>>(5)?.map(|l| l as u64),
                        revision: r.get::<_, i64>(6)? as u64,
                    },
                ))
            })
            .ctx("querying records")?;
        let mut out = Vec::new();
        for row in rows {
            let (row_id, payload, provenance) = row.ctx("reading record")?;
            let record = serde_json::from_str(&payload).map_err(|source| StoreError::Payload {
                kind: table,
                row_id,
                source,
            })?;
            out.push(Stored {
                row_id,
                record,
                provenance,
            });
        }
        Ok(out)
    }

    /// Number of records of one kind.
    pub fn count(&self, kind: Kind) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row(
                &format!("SELECT count(*) FROM {}", kind.as_str()),
                [],
                |r| r.get(0),
            )
            .ctx("counting records")?;
        Ok(n as u64)
    }

    /// Every committed batch, oldest first.
    pub fn batches(&self) -> Result<Vec<BatchInfo>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, kind, file, format, started_at, finished_at, inserted, updated, unchanged, rejected
                 FROM batches ORDER BY id",
            )
            .ctx("preparing batch list")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(BatchInfo {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    file: r.get(2)?,
                    format: r.get(3)?,
                    started_at: r.get(4)?,
                    finished_at: r.get(5)?,
                    inserted: r.get::<_, i64>(6)? as u64,
                    updated: r.get::<_, i64>(7)? as u64,
                    unchanged: r.get::<_, i64>(8)? as u64,
                    rejected: r.get::<_, i64>(9)? as u64,
                })
            })
            .ctx("listing batches")?;
        rows.collect::<Result<_, _>>().ctx("reading batch")
    }

    /// Stores an API token's salted hash and role (the secret itself is never stored).
    pub fn add_token(&mut self, token: &TokenRow) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO api_tokens (token_id, role, salt, hash, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    token.token_id,
                    token.role,
                    token.salt,
                    token.hash,
                    Utc::now().to_rfc3339(),
                    token.expires_at.map(|t| t.to_rfc3339()),
                ],
            )
            .ctx("storing token")?;
        Ok(())
    }

    /// The token with this public id, if it exists and is not revoked (an expired one is
    /// returned: its `expires_at` says so).
    pub fn token(&self, token_id: &str) -> Result<Option<TokenRow>, StoreError> {
        self.conn
            .query_row(
                "SELECT token_id, role, salt, hash, expires_at FROM api_tokens
                 WHERE token_id = ?1 AND revoked_at IS NULL",
                [token_id],
                token_row,
            )
            .optional()
            .ctx("reading token")
    }

    /// Every token that is not revoked (expired ones included), for the server's table.
    pub fn live_tokens(&self) -> Result<Vec<TokenRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT token_id, role, salt, hash, expires_at FROM api_tokens
                 WHERE revoked_at IS NULL ORDER BY token_id",
            )
            .ctx("listing tokens")?;
        let rows = stmt.query_map([], token_row).ctx("listing tokens")?;
        rows.collect::<Result<_, _>>().ctx("reading token")
    }

    /// Every token, revoked and expired ones included, oldest first: ids, roles and times only.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT token_id, role, created_at, expires_at, last_used_at, revoked_at
                 FROM api_tokens ORDER BY created_at, token_id",
            )
            .ctx("listing tokens")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(TokenInfo {
                    token_id: r.get(0)?,
                    role: r.get(1)?,
                    created_at: time_col(r.get(2)?).unwrap_or_default(),
                    expires_at: time_col(r.get(3)?),
                    last_used_at: time_col(r.get(4)?),
                    revoked_at: time_col(r.get(5)?),
                })
            })
            .ctx("listing tokens")?;
        rows.collect::<Result<_, _>>().ctx("reading token")
    }

    /// Revokes a token: it never authenticates again (a running server notices within its
    /// token refresh interval). Returns false when no token has this id or it was already
    /// revoked.
    pub fn revoke_token(&mut self, token_id: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let n = self
            .conn
            .execute(
                "UPDATE api_tokens SET revoked_at = ?2 WHERE token_id = ?1 AND revoked_at IS NULL",
                params![token_id, at.to_rfc3339()],
            )
            .ctx("revoking token")?;
        Ok(n > 0)
    }

    /// Records when tokens were last used (one transaction for all of them).
    pub fn touch_tokens(&mut self, used: &[(String, DateTime<Utc>)]) -> Result<(), StoreError> {
        if used.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction().ctx("starting token update")?;
        {
            let mut stmt = tx
                .prepare("UPDATE api_tokens SET last_used_at = ?2 WHERE token_id = ?1")
                .ctx("recording token use")?;
            for (id, at) in used {
                stmt.execute(params![id, at.to_rfc3339()])
                    .ctx("recording token use")?;
            }
        }
        tx.commit().ctx("committing token update")
    }

    /// Whether the database holds no records of any kind.
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        for kind in Kind::ALL {
            if self.count(kind)? > 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The content hash stored for one key, if present (for checks and diagnostics).
    pub fn content_hash(
        &self,
        kind: Kind,
        source: &str,
        source_id: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        self.conn
            .query_row(
                &format!(
                    "SELECT hash FROM {} WHERE source = ?1 AND source_id = ?2",
                    kind.as_str()
                ),
                params![source, source_id],
                |r| r.get(0),
            )
            .optional()
            .ctx("reading content hash")
    }
}

/// Writes one batch inside `tx` (the caller commits).
fn write_batch<R: Record>(
    tx: &rusqlite::Transaction<'_>,
    file: &str,
    format: &str,
    records: &[Located<R>],
    rejected: u64,
    progress_base: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<BatchSummary, StoreError> {
    let started_at = Utc::now().to_rfc3339();
    tx.execute(
        "INSERT INTO batches (kind, file, format, started_at, finished_at, inserted, updated, unchanged, rejected)
         VALUES (?1, ?2, ?3, ?4, ?4, 0, 0, 0, ?5)",
        params![R::KIND.as_str(), file, format, started_at, rejected as i64],
    )
    .ctx("recording batch")?;
    let batch_id = tx.last_insert_rowid();
    let mut summary = BatchSummary {
        batch_id,
        ..BatchSummary::default()
    };
    let table = R::KIND.as_str();
    // Rows go in as multi-row INSERT OR IGNORE statements of up to CHUNK rows (one statement
    // execution per chunk). When a chunk hits existing keys (fewer rows changed than given),
    // each of its rows is looked up: identical content is `unchanged`, different content is
    // UPDATEd. (An UPSERT is a multi-write statement: SQLite keeps a statement journal for
    // every row, which made ingest several times slower.)
    let mut lookup = tx
        .prepare_cached(&format!(
            "SELECT hash, batch_id FROM {table} WHERE source = ?1 AND source_id = ?2"
        ))
        .ctx("preparing lookup")?;
    let mut update = tx
        .prepare_cached(&format!(
            "UPDATE {table} SET min_lon = ?3, min_lat = ?4, max_lon = ?5, max_lat = ?6, t_start = ?7,
                    t_end = ?8, hash = ?9, payload = ?10, batch_id = ?11, record = ?12, line = ?13,
                    revision = revision + 1
             WHERE source = ?1 AND source_id = ?2"
        ))
        .ctx("preparing update")?;
    let mut rows: Vec<Row> = Vec::with_capacity(CHUNK);
    let mut done = 0u64;
    for chunk in records.chunks(CHUNK) {
        rows.clear();
        for located in chunk {
            rows.push(Row::encode(file, batch_id, located)?);
        }
        let mut insert = tx
            .prepare_cached(&insert_sql(table, rows.len()))
            .ctx("preparing insert")?;
        for (r, row) in rows.iter().enumerate() {
            row.bind(&mut insert, r * COLUMNS)?;
        }
        let changed = insert.raw_execute().ctx("inserting records")? as u64;
        summary.inserted += changed;
        if changed < rows.len() as u64 {
            // Rows found already written by this batch with this content: the ones just
            // inserted, plus identical duplicates of a key earlier in the batch.
            let mut ours = 0u64;
            for row in &rows {
                let (stored, stored_batch): (Vec<u8>, i64) = lookup
                    .query_row(params![row.source, row.source_id], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .ctx("looking up record")?;
                if stored == row.hash {
                    if stored_batch == batch_id {
                        ours += 1;
                    } else {
                        summary.unchanged += 1;
                    }
                } else {
                    update
                        .execute(row.params().as_slice())
                        .ctx("updating record")?;
                    summary.updated += 1;
                }
            }
            summary.unchanged += ours.saturating_sub(changed);
        }
        done += chunk.len() as u64;
        if done % 4096 < CHUNK as u64 {
            progress(progress_base + done);
        }
    }
    progress(progress_base + records.len() as u64);
    tx.execute(
        "UPDATE batches SET finished_at = ?2, inserted = ?3, updated = ?4, unchanged = ?5 WHERE id = ?1",
        params![
            batch_id,
            Utc::now().to_rfc3339(),
            summary.inserted as i64,
            summary.updated as i64,
            summary.unchanged as i64
        ],
    )
    .ctx("finishing batch")?;
    Ok(summary)
}

/// Rows per multi-row INSERT (13 parameters each, far below SQLite's parameter limit).
const CHUNK: usize = 32;
/// Columns written per row.
const COLUMNS: usize = 13;

fn insert_sql(table: &str, rows: usize) -> String {
    let mut sql = format!(
        "INSERT OR IGNORE INTO {table} (source, source_id, min_lon, min_lat, max_lon, max_lat, t_start, t_end, \
         hash, payload, batch_id, record, line) VALUES "
    );
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push_str("(?,?,?,?,?,?,?,?,?,?,?,?,?)");
    }
    sql
}

/// One record encoded for storage.
struct Row {
    source: String,
    source_id: String,
    bbox: [f64; 4],
    t_start: Option<i64>,
    t_end: Option<i64>,
    hash: [u8; 16],
    payload: String,
    batch_id: i64,
    record: i64,
    line: Option<i64>,
}

impl Row {
    fn encode<R: Record>(
        file: &str,
        batch_id: i64,
        located: &Located<R>,
    ) -> Result<Self, StoreError> {
        let record = &located.record;
        let encode_err = |source| StoreError::Encode {
            file: file.to_owned(),
            index: located.at.index,
            source,
        };
        let payload = serde_json::to_string(record).map_err(encode_err)?;
        // Change detection only (not a security boundary): a 128-bit XXH3 of the payload.
        let hash = xxhash_rust::xxh3::xxh3_128(payload.as_bytes()).to_le_bytes();
        let key = record.key();
        let (t_start, t_end) = match record.time_range() {
            Some((s, e)) => (Some(s.timestamp()), e.map(|e| e.timestamp())),
            None => (None, None),
        };
        Ok(Self {
            source: key.source.clone(),
            source_id: key.source_id.clone(),
            bbox: record.bbox(),
            t_start,
            t_end,
            hash,
            payload,
            batch_id,
            record: located.at.index as i64,
            line: located.at.line.map(|l| l as i64),
        })
    }

    /// The 13 column values in insert order.
    fn params(&self) -> [&dyn rusqlite::ToSql; COLUMNS] {
        [
            &self.source,
            &self.source_id,
            &self.bbox[0],
            &self.bbox[1],
            &self.bbox[2],
            &self.bbox[3],
            &self.t_start,
            &self.t_end,
            &self.hash,
            &self.payload,
            &self.batch_id,
            &self.record,
            &self.line,
        ]
    }

    /// Binds this row's columns at parameter offset `first` (0-based) of a multi-row insert,
    /// in the order of [`Row::params`] (typed calls: no `dyn` dispatch per value).
    fn bind(
        &self,
        stmt: &mut rusqlite::CachedStatement<'_>,
        first: usize,
    ) -> Result<(), StoreError> {
        let at = |i: usize| first + i + 1;
        let bound = stmt
            .raw_bind_parameter(at(0), self.source.as_str())
            .and_then(|()| stmt.raw_bind_parameter(at(1), self.source_id.as_str()))
            .and_then(|()| stmt.raw_bind_parameter(at(2), self.bbox[0]))
            .and_then(|()| stmt.raw_bind_parameter(at(3), self.bbox[1]))
            .and_then(|()| stmt.raw_bind_parameter(at(4), self.bbox[2]))
            .and_then(|()| stmt.raw_bind_parameter(at(5), self.bbox[3]))
            .and_then(|()| stmt.raw_bind_parameter(at(6), self.t_start))
            .and_then(|()| stmt.raw_bind_parameter(at(7), self.t_end))
            .and_then(|()| stmt.raw_bind_parameter(at(8), &self.hash[..]))
            .and_then(|()| stmt.raw_bind_parameter(at(9), self.payload.as_str()))
            .and_then(|()| stmt.raw_bind_parameter(at(10), self.batch_id))
            .and_then(|()| stmt.raw_bind_parameter(at(11), self.record))
            .and_then(|()| stmt.raw_bind_parameter(at(12), self.line));
        bound.ctx("binding record")
    }
}

fn token_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TokenRow> {
    Ok(TokenRow {
        token_id: r.get(0)?,
        role: r.get(1)?,
        salt: r.get(2)?,
        hash: r.get(3)?,
        expires_at: time_col(r.get(4)?),
    })
}
