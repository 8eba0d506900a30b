//! `senda token create | list | revoke`: API bearer tokens. Only a salted hash of a token's
//! secret is stored; the secret is printed once, by `create`, and never again.

use crate::DbArg;
use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use clap::Args;
use senda_server::Role;
use std::process::ExitCode;

#[derive(Args)]
pub struct CreateArgs {
    /// analyst | ingest | admin
    #[arg(long, value_parser = parse_role)]
    role: Role,
    /// Valid for this long from now: a number and a unit, s, m, h, d or w (`30d`, `12h`).
    /// Default: until revoked.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with = "expires")]
    expires_in: Option<chrono::Duration>,
    /// Valid until this time: a date (`2027-01-01`, midnight UTC) or an RFC 3339 time.
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    expires: Option<DateTime<Utc>>,
    #[command(flatten)]
    db: DbArg,
}

#[derive(Args)]
pub struct ListArgs {
    #[command(flatten)]
    db: DbArg,
}

#[derive(Args)]
pub struct RevokeArgs {
    /// The token's id: the part between `senda_` and the second `_`, as `token list` shows it.
    id: String,
    #[command(flatten)]
    db: DbArg,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("{s:?}: expected analyst, ingest or admin"))
}

fn parse_duration(s: &str) -> Result<chrono::Duration, String> {
    let bad = || format!("{s:?}: expected a number and a unit s, m, h, d or w, e.g. 30d");
    let s = s.trim();
    let unit = s.chars().last().ok_or_else(bad)?;
    let n: i64 = s[..s.len() - unit.len_utf8()].parse().map_err(|_| bad())?;
    if n <= 0 || n > 100 * 365 * 86_400 {
        return Err(bad());
    }
    let d = match unit {
        's' => chrono::Duration::seconds(n),
        'm' => chrono::Duration::minutes(n),
        'h' => chrono::Duration::hours(n),
        'd' => chrono::Duration::days(n),
        'w' => chrono::Duration::weeks(n),
        _ => return Err(bad()),
    };
    if d > chrono::Duration::days(100 * 365) {
        return Err(format!("{s:?}: longer than 100 years"));
    }
    Ok(d)
}

fn parse_when(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| format!("{s:?}: expected a date (2027-01-01) or an RFC 3339 time"))
}

fn open(db: &DbArg) -> Result<senda_store::Store> {
    senda_store::Store::open(&db.db).with_context(|| format!("opening {}", db.db.display()))
}

pub fn create(args: CreateArgs) -> Result<ExitCode> {
    let now = Utc::now();
    let expires_at = args.expires.or(args.expires_in.map(|d| now + d));
    if let Some(t) = expires_at {
        if t <= now {
            anyhow::bail!("--expires {}: already past", t.to_rfc3339());
        }
    }
    let mut store = open(&args.db)?;
    let token = senda_server::create_token(&mut store, args.role, expires_at)
        .context("storing the token")?;
    println!("{token}");
    match expires_at {
        Some(t) => eprintln!(
            "(shown once; only a salted hash is stored; expires {})",
            t.to_rfc3339()
        ),
        None => eprintln!("(shown once; only a salted hash is stored; valid until revoked)"),
    }
    Ok(ExitCode::SUCCESS)
}

fn time(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "-".to_owned(),
        |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}

/// One line per token: id, role, created, expires, last used, status. Never a secret (the
/// store has none) nor a hash.
pub fn list(args: ListArgs) -> Result<ExitCode> {
    let store = open(&args.db)?;
    let tokens = store.tokens().context("listing the tokens")?;
    let now = Utc::now();
    println!(
        "{:<16}  {:<7}  {:<20}  {:<20}  {:<20}  STATUS",
        "ID", "ROLE", "CREATED", "EXPIRES", "LAST USED"
    );
    for t in &tokens {
        let status = match (t.revoked_at, t.expires_at) {
            (Some(r), _) => format!("revoked {}", time(Some(r))),
            (None, Some(e)) if e <= now => "expired".to_owned(),
            _ => "active".to_owned(),
        };
        println!(
            "{:<16}  {:<7}  {:<20}  {:<20}  {:<20}  {status}",
            t.token_id,
            t.role,
            time(Some(t.created_at)),
            time(t.expires_at),
            time(t.last_used_at),
        );
    }
    eprintln!("{} token(s)", tokens.len());
    Ok(ExitCode::SUCCESS)
}

pub fn revoke(args: RevokeArgs) -> Result<ExitCode> {
    // A whole token pasted by mistake is reduced to its id (and the secret never echoed).
    let id = args
        .id
        .strip_prefix("senda_")
        .map_or(args.id.as_str(), |rest| {
            rest.split('_').next().unwrap_or(rest)
        });
    let mut store = open(&args.db)?;
    if store
        .revoke_token(id, Utc::now())
        .context("revoking the token")?
    {
        eprintln!("token {id} revoked (a running server refuses it within seconds)");
        Ok(ExitCode::SUCCESS)
    } else {
        anyhow::bail!("no active token has the id {id:?} (see `senda token list`)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_dates() {
        assert_eq!(parse_duration("30d").unwrap(), chrono::Duration::days(30));
        assert_eq!(parse_duration("12h").unwrap(), chrono::Duration::hours(12));
        for bad in ["", "d", "30", "-1d", "0d", "3x", "99999999999w"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_when("2027-01-01").unwrap().to_rfc3339(),
            "2027-01-01T00:00:00+00:00"
        );
        assert!(parse_when("2027-13-01").is_err());
    }
}
