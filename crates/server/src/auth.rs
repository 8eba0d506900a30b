//! Roles and bearer tokens. A token is `senda_<id>_<secret>`: the id finds the stored row,
//! and only `sha256(salt ‖ secret)` is stored, never the secret.

use crate::{ApiError, AppState};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use rand::RngCore;
use senda_store::{Store, StoreError, TokenRow};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Who is calling. Public is the default (no token).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Public,
    /// Sees raw incidents and restricted shelters.
    Analyst,
    /// May post data.
    Ingest,
    /// Everything.
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "analyst" => Some(Self::Analyst),
            "ingest" => Some(Self::Ingest),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Analyst => "analyst",
            Self::Ingest => "ingest",
            Self::Admin => "admin",
        }
    }

    /// Whether this role may see raw incidents and restricted shelters.
    pub fn sees_sensitive(self) -> bool {
        matches!(self, Self::Analyst | Self::Admin)
    }

    pub fn may_ingest(self) -> bool {
        matches!(self, Self::Ingest | Self::Admin)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hash(salt: &[u8], secret: &str) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(secret.as_bytes());
    h.finalize().to_vec()
}

/// Creates a token for `role`, valid until `expires_at` (`None`: until revoked), stores its
/// salted hash and returns the token (shown once).
pub fn create_token(
    store: &mut Store,
    role: Role,
    expires_at: Option<DateTime<Utc>>,
) -> Result<String, StoreError> {
    let mut rng = rand::rng();
    let mut id = [0u8; 8];
    let mut secret = [0u8; 32];
    let mut salt = [0u8; 16];
    rng.fill_bytes(&mut id);
    rng.fill_bytes(&mut secret);
    rng.fill_bytes(&mut salt);
    let (id, secret) = (hex(&id), hex(&secret));
    store.add_token(&TokenRow {
        token_id: id.clone(),
        role: role.as_str().to_owned(),
        salt: salt.to_vec(),
        hash: hash(&salt, &secret),
        expires_at,
    })?;
    Ok(format!("senda_{id}_{secret}"))
}

/// Constant-time comparison of two hashes.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// How often a token's last use is written to the store, at most.
pub const LAST_USED_EVERY: Duration = Duration::from_secs(60);

/// A token the server accepts.
#[derive(Debug, Clone)]
struct Known {
    role: Role,
    salt: Vec<u8>,
    hash: Vec<u8>,
    expires_at: Option<DateTime<Utc>>,
    /// When its use was last queued for the store (`LAST_USED_EVERY` throttle).
    used: Option<Instant>,
}

impl Known {
    fn of(row: TokenRow) -> Option<(String, Self)> {
        let role = Role::parse(&row.role)?;
        Some((
            row.token_id,
            Self {
                role,
                salt: row.salt,
                hash: row.hash,
                expires_at: row.expires_at,
                used: None,
            },
        ))
    }
}

/// The server's copy of the store's live (not revoked) tokens, replaced whole by
/// [`AppState::refresh_tokens`] so a revocation made by another process takes effect within
/// the refresh interval; expiry is checked on every request. Uses are queued here and written
/// by the refresh, never on the request path.
#[derive(Debug, Default)]
pub struct TokenTable {
    known: HashMap<String, Known>,
    /// Last uses not yet written to the store.
    pending: Vec<(String, DateTime<Utc>)>,
}

impl AppState {
    /// Replaces the token table with the store's live tokens and writes the queued last-use
    /// times. Blocking (store access): call from `spawn_blocking` on a server.
    pub fn refresh_tokens(&self) -> Result<(), StoreError> {
        let pending = std::mem::take(&mut self.token_table().pending);
        let rows = {
            let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            if let Err(e) = store.touch_tokens(&pending) {
                // Not worth failing the refresh for: the uses are only a record.
                tracing::warn!(error = %e, "recording token use failed");
            }
            store.live_tokens()?
        };
        let mut table = self.token_table();
        let mut known: HashMap<String, Known> = rows.into_iter().filter_map(Known::of).collect();
        for (id, k) in &mut known {
            k.used = table.known.get(id).and_then(|old| old.used);
        }
        table.known = known;
        Ok(())
    }

    fn token_table(&self) -> std::sync::MutexGuard<'_, TokenTable> {
        self.tokens.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The role a bearer token grants: checked against the server's token table (a token created
/// since the last refresh is looked up in the store once); an expired token is refused.
pub fn check_token(state: &AppState, token: &str) -> Result<Role, ApiError> {
    let bad = || ApiError::unauthorized("the bearer token is not valid");
    let rest = token.strip_prefix("senda_").ok_or_else(bad)?;
    let (id, secret) = rest.split_once('_').ok_or_else(bad)?;
    let cached = state.token_table().known.get(id).cloned();
    let known = match cached {
        Some(k) => k,
        None => {
            let row = state
                .store
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .token(id)
                .map_err(|e| ApiError::internal(format!("reading tokens: {e}")))?
                .ok_or_else(bad)?;
            let (id, k) = Known::of(row).ok_or_else(bad)?;
            state.token_table().known.insert(id, k.clone());
            k
        }
    };
    if !same(&known.hash, &hash(&known.salt, secret)) {
        return Err(bad());
    }
    let now = Utc::now();
    if known.expires_at.is_some_and(|t| t <= now) {
        return Err(ApiError::unauthorized("the bearer token has expired"));
    }
    let mut table = state.token_table();
    let due = known.used.is_none_or(|t| t.elapsed() >= LAST_USED_EVERY);
    if due {
        if let Some(k) = table.known.get_mut(id) {
            k.used = Some(Instant::now());
        }
        table.pending.push((id.to_owned(), now));
    }
    Ok(known.role)
}

/// The verified caller of a request with `Authorization: Bearer TOKEN`: the token's public id
/// and role. `None` without the header or for a token that does not check out.
pub fn verified_token(state: &AppState, headers: &axum::http::HeaderMap) -> Option<(String, Role)> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?
        .trim();
    let role = check_token(state, token).ok()?;
    let id = token.strip_prefix("senda_")?.split_once('_')?.0;
    Some((id.to_owned(), role))
}

/// The caller's role, from `Authorization: Bearer TOKEN` (public without one). A token that
/// is present but wrong is a 401, never a silent downgrade.
#[derive(Debug, Clone, Copy)]
pub struct Caller(pub Role);

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        if let Some(role) = parts.extensions.get::<Caller>() {
            return Ok(*role);
        }
        let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION) else {
            return Ok(Caller(Role::Public));
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| ApiError::unauthorized("Authorization must be `Bearer TOKEN`"))?;
        let role = check_token(state, token.trim())?;
        parts.extensions.insert(Caller(role));
        Ok(Caller(role))
    }
}

impl Caller {
    /// 401 for public callers, 403 for a role without `ok`.
    pub fn require(self, what: &str, ok: impl Fn(Role) -> bool) -> Result<(), ApiError> {
        if ok(self.0) {
            Ok(())
        } else if self.0 == Role::Public {
            Err(ApiError::unauthorized(format!(
                "{what} needs a bearer token"
            )))
        } else {
            Err(ApiError::forbidden(format!(
                "{what} is not allowed for the {} role",
                self.0.as_str()
            )))
        }
    }
}
