//! Versioned schema migrations. Append only: never edit a migration that has shipped.

use crate::error::Context;
use crate::StoreError;
use rusqlite::Connection;

/// The record tables share one shape: identity, bbox and time columns for queries, a content
/// hash for idempotency, the JSON payload, and provenance (batch + record index/line).
///
/// Indexes: the `(source, source_id)` key and the start time. The bbox columns are filtered,
/// not indexed: the engine loads whole tables, and an index in random (spatial) order halved
/// ingest speed (see benches/README.md); time-windowed queries use the time index.
fn record_table(name: &str) -> String {
    format!(
        "CREATE TABLE {name} (
            id        INTEGER PRIMARY KEY,
            source    TEXT    NOT NULL,
            source_id TEXT    NOT NULL,
            min_lon   REAL    NOT NULL,
            min_lat   REAL    NOT NULL,
            max_lon   REAL    NOT NULL,
            max_lat   REAL    NOT NULL,
            t_start   INTEGER,
            t_end     INTEGER,
            hash      BLOB    NOT NULL,
            payload   TEXT    NOT NULL,
            batch_id  INTEGER NOT NULL REFERENCES batches(id),
            record    INTEGER NOT NULL,
            line      INTEGER,
            revision  INTEGER NOT NULL DEFAULT 0,
            UNIQUE (source, source_id)
        );
        CREATE INDEX {name}_time ON {name}(t_start);"
    )
}

fn v1() -> String {
    let mut sql = String::from(
        "CREATE TABLE batches (
            id          INTEGER PRIMARY KEY,
            kind        TEXT    NOT NULL,
            file        TEXT    NOT NULL,
            format      TEXT    NOT NULL,
            started_at  TEXT    NOT NULL,
            finished_at TEXT    NOT NULL,
            inserted    INTEGER NOT NULL,
            updated     INTEGER NOT NULL,
            unchanged   INTEGER NOT NULL,
            rejected    INTEGER NOT NULL
        );",
    );
    for kind in crate::Kind::ALL {
        sql.push_str(&record_table(kind.as_str()));
    }
    sql
}

/// v2: API bearer tokens. Only a salted hash of each secret is kept; `token_id` is the public
/// part of a token, used to find its row.
fn v2() -> String {
    "CREATE TABLE api_tokens (
        token_id   TEXT    PRIMARY KEY,
        role       TEXT    NOT NULL,
        salt       BLOB    NOT NULL,
        hash       BLOB    NOT NULL,
        created_at TEXT    NOT NULL
    );"
    .to_owned()
}

/// v3: token lifetimes. `expires_at` (optional), `revoked_at` (a revoked token stays listed
/// but never authenticates again) and `last_used_at` (written at most once a minute per token
/// by the server), all RFC 3339 text like `created_at`.
fn v3() -> String {
    "ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
     ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;
     ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;"
        .to_owned()
}

/// All migrations, in order; migration `i` brings the schema to version `i + 1`.
fn migrations() -> Vec<String> {
    vec![v1(), v2(), v3()]
}

pub(crate) fn supported_version() -> u32 {
    migrations().len() as u32
}

/// Brings the database up to the latest schema, each migration in its own transaction.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .ctx("reading schema version")?;
    let all = migrations();
    let supported = all.len() as u32;
    if found > supported {
        return Err(StoreError::NewerSchema { found, supported });
    }
    for (i, sql) in all.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction().ctx("starting migration")?;
        tx.execute_batch(sql).ctx("applying migration")?;
        tx.pragma_update(None, "user_version", i as u32 + 1)
            .ctx("recording schema version")?;
        tx.commit().ctx("committing migration")?;
        tracing::info!(version = i + 1, "applied schema migration");
    }
    Ok(())
}
