//! `senda nearest`: the nearest shelters to a point, by air or by road; with `--stops`, the
//! nearest public-transport stops with their lines (as `GET /api/v1/transit/nearest`).

use crate::args::{parse_aversion, parse_lon_lat, parse_profile, Format};
use crate::{engine, DbArg};
use anyhow::{Context, Result};
use clap::Args;
use senda_core::engine::nearest::{NearestAnswer, NearestBy, NearestQuery};
use senda_core::engine::stops::{NearestStop, StopsQuery};
use senda_core::{LonLat, Population, Profile, Service, ShelterKind};
use senda_server::geojson::services;
use std::process::ExitCode;

#[derive(Args)]
pub struct NearestArgs {
    /// Where to search from: LON,LAT in degrees (e.g. --at=-92.2667,14.9056) or a town name.
    #[arg(long, value_name = "LON,LAT|TOWN", allow_hyphen_values = true, value_parser = parse_lon_lat)]
    at: LonLat,
    /// How many shelters, or stops with --stops (1..=50).
    #[arg(long, default_value_t = 5, value_parser = parse_k)]
    k: usize,
    /// The nearest public-transport stops instead of shelters (in a straight line), with the
    /// lines that serve each and how often they run.
    #[arg(long, conflicts_with_all = ["by", "needs", "serves", "min_capacity", "kinds", "include_restricted"])]
    stops: bool,
    /// With --stops: only stops within this many metres.
    #[arg(long, value_name = "M", requires = "stops", value_parser = parse_metres)]
    max_distance_m: Option<f64>,
    /// air: straight line; road: by safe travel cost along the network.
    #[arg(long, default_value = "air", value_parser = parse_by)]
    by: NearestBy,
    /// foot | vehicle (by road).
    #[arg(long, default_value = "foot", value_parser = parse_profile)]
    profile: Profile,
    /// 0 (fastest) ..= 1 (safest), by road.
    #[arg(long, default_value_t = 0.5, value_parser = parse_aversion)]
    aversion: f64,
    /// Services a shelter must offer, all of them: bed,food,medical,legal,psychological,...
    #[arg(long, value_delimiter = ',', value_parser = parse_service)]
    needs: Vec<Service>,
    /// Only shelters that say they serve: women | men | families | minors | lgbtq.
    #[arg(long, value_parser = parse_population)]
    serves: Option<Population>,
    /// Only shelters with a known capacity of at least N places.
    #[arg(long, value_name = "N")]
    min_capacity: Option<u32>,
    /// Kinds of place: shelter, soup_kitchen, consulate, human_rights, medical, service.
    #[arg(long, value_delimiter = ',', default_value = "shelter", value_parser = parse_shelter_kind)]
    kinds: Vec<ShelterKind>,
    /// Include restricted shelters (safe houses). The server shows them to analysts only.
    #[arg(long)]
    include_restricted: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    db: DbArg,
}

fn parse_k(s: &str) -> Result<usize, String> {
    let k: usize = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a whole number"))?;
    if (1..=senda_core::engine::nearest::MAX_K).contains(&k) {
        Ok(k)
    } else {
        Err("must be between 1 and 50".into())
    }
}

fn parse_metres(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(m) if m.is_finite() && m > 0.0 => Ok(m),
        _ => Err(format!("{s:?} is not a positive number of metres")),
    }
}

fn parse_by(s: &str) -> Result<NearestBy, String> {
    NearestBy::parse(s).map_err(|e| e.to_string())
}

fn parse_service(s: &str) -> Result<Service, String> {
    Service::parse(s).map_err(|e| {
        let known: Vec<&str> = Service::ALL.iter().map(|s| s.as_str()).collect();
        format!("{e} (known: {})", known.join(", "))
    })
}

fn parse_population(s: &str) -> Result<Population, String> {
    Population::parse(s).map_err(|e| format!("{e} (known: women, men, families, minors, lgbtq)"))
}

fn parse_shelter_kind(s: &str) -> Result<ShelterKind, String> {
    ShelterKind::parse(s).map_err(|e| {
        format!("{e} (known: shelter, soup_kitchen, consulate, human_rights, medical, service)")
    })
}

pub fn run(args: NearestArgs) -> Result<ExitCode> {
    let engine = engine::open(&args.db.db, None)?;
    if args.stops {
        let mut q = StopsQuery::new(args.at);
        q.k = args.k;
        q.max_distance_m = args.max_distance_m;
        let answer = engine
            .nearest_stops(&q)
            .with_context(|| format!("nearest stops to {}", args.at))?;
        match args.format {
            Format::Geojson => println!(
                "{}",
                serde_json::to_string_pretty(&senda_server::geojson::stops(&q, &answer))?
            ),
            Format::Text => print!("{}", stops_text(&q, &answer)),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut q = NearestQuery::new(args.at);
    q.k = args.k;
    q.by = args.by;
    q.profile = args.profile;
    q.aversion = args.aversion;
    q.needs = args.needs;
    q.serves = args.serves;
    q.min_capacity = args.min_capacity;
    q.kinds = args.kinds;
    q.include_restricted = args.include_restricted;
    let answer = engine
        .nearest(&q)
        .with_context(|| format!("nearest shelters to {}", args.at))?;
    match args.format {
        Format::Geojson => println!(
            "{}",
            serde_json::to_string_pretty(&senda_server::geojson::nearest(&q, &answer))?
        ),
        Format::Text => print!("{}", text(&q, &answer)),
    }
    if let (Some(note), Format::Geojson) = (&answer.note, args.format) {
        eprintln!("note: {note}");
    }
    Ok(ExitCode::SUCCESS)
}

/// "1.2 km" or "850 m".
pub fn km(m: f64) -> String {
    if m >= 1_000.0 {
        format!("{:.1} km", m / 1_000.0)
    } else {
        format!("{m:.0} m")
    }
}

/// "3 h 05 min" or "12 min".
pub fn hours(s: f64) -> String {
    let min = (s / 60.0).round() as u64;
    if min >= 60 {
        format!("{} h {:02} min", min / 60, min % 60)
    } else {
        format!("{min} min")
    }
}

pub fn how(profile: Profile) -> &'static str {
    match profile {
        Profile::Foot => "on foot",
        Profile::Vehicle => "by vehicle",
    }
}

fn stops_text(q: &StopsQuery, answer: &[NearestStop<'_>]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let within = q
        .max_distance_m
        .map(|m| format!(" within {}", km(m)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{} nearest public-transport stops{within} in a straight line from {}:",
        answer.len(),
        q.at
    );
    for (i, n) in answer.iter().enumerate() {
        let s = n.stop;
        let _ = writeln!(
            out,
            "{:>2}. {} ({}) — {}",
            i + 1,
            s.name,
            s.kind.as_str(),
            km(n.distance_m)
        );
        for r in &s.routes {
            let mut line = format!("    {} {}", r.mode.as_str(), r.name());
            if let (Some(long), true) = (&r.long_name, r.short_name.is_some()) {
                let _ = write!(line, " ({long})");
            }
            if let Some(a) = &r.agency {
                let _ = write!(line, " · {a}");
            }
            match r.headway_min() {
                Some(m) => {
                    let _ = write!(line, " · every {m} min");
                }
                None => line.push_str(" · frequency unknown"),
            }
            let _ = writeln!(out, "{line}");
        }
    }
    if answer.is_empty() {
        let _ = writeln!(out, "no stop{within}");
    }
    out
}

fn text(q: &NearestQuery, answer: &NearestAnswer<'_>) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let kinds: Vec<&str> = q.kinds.iter().map(|k| k.as_str()).collect();
    let what = if q.kinds == [ShelterKind::Shelter] {
        "shelters".to_owned()
    } else {
        format!("places ({})", kinds.join(", "))
    };
    let by = match q.by {
        NearestBy::Air => "in a straight line".to_owned(),
        NearestBy::Road => format!("by road {}, aversion {}", how(q.profile), q.aversion),
    };
    let _ = writeln!(
        out,
        "{} nearest {what} {by} from {}:",
        answer.shelters.len(),
        q.at
    );
    for (i, n) in answer.shelters.iter().enumerate() {
        let s = n.shelter;
        let place = [
            s.address.as_deref(),
            s.state.as_deref(),
            s.country.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
        let _ = write!(out, "{:>2}. {} ({})", i + 1, s.name, s.kind.as_str());
        if !place.is_empty() {
            let _ = write!(out, " — {place}");
        }
        let _ = writeln!(out);
        match (&s.placement, q.by) {
            // Placed at its town's centre: no exact-looking distance or time.
            (senda_core::Placement::Town { town }, _) => {
                let _ = writeln!(
                    out,
                    "    in {town} (about {:.0} km away in a straight line) — call for the exact address",
                    senda_core::haversine_m(q.at, s.location) / 1000.0
                );
            }
            (_, NearestBy::Air) => match (n.route_distance_m, n.duration_s) {
                (Some(d), Some(t)) => {
                    let _ = writeln!(
                        out,
                        "    {} in a straight line; {} by road ({} {})",
                        km(n.distance_m),
                        km(d),
                        hours(t),
                        how(q.profile)
                    );
                }
                _ => {
                    let _ = writeln!(
                        out,
                        "    {} in a straight line (no route along the mapped roads: it or this point lies off them)",
                        km(n.distance_m)
                    );
                }
            },
            (_, NearestBy::Road) => {
                let _ = writeln!(
                    out,
                    "    {} by road ({} {}), +{} off the network; risk exposure {:.3}",
                    km(n.distance_m),
                    hours(n.duration_s.unwrap_or(0.0)),
                    how(q.profile),
                    km(n.access_m),
                    n.risk_exposure.unwrap_or(0.0)
                );
            }
        }
        let services = services(s);
        let mut facts = vec![if services.is_empty() {
            "services not listed".to_owned()
        } else {
            format!("services: {}", services.join(", "))
        }];
        if let Some(p) = &s.phone {
            facts.push(format!("phone {p}"));
        }
        if let Some(w) = &s.whatsapp {
            facts.push(format!("WhatsApp {w}"));
        }
        facts.push(match s.verified_on {
            Some(d) => format!("verified {d}"),
            None => "unverified".to_owned(),
        });
        if s.placement == senda_core::Placement::Undecided {
            facts.push("place not confirmed (outside its stated state)".to_owned());
        } else if s.location_suspect {
            facts.push("location doubtful".to_owned());
        }
        let _ = writeln!(out, "    {}", facts.join(" · "));
    }
    if let Some(note) = &answer.note {
        let _ = writeln!(out, "note: {note}");
    }
    out
}
