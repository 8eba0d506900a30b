//! `senda plan`: a journey split into days that each end at a shelter, else in a town, else
//! by the road.

use crate::args::{parse_aversion, parse_lon_lat, parse_profile, Format};
use crate::nearest_cmd::{hours, how, km};
use crate::{engine, DbArg};
use anyhow::{bail, Context, Result};
use clap::Args;
use senda_core::engine::plan::{LegEnd, Plan, PlanQuery, MAX_DAYS};
use senda_core::engine::Engine;
use senda_core::{LonLat, Profile};
use senda_server::geojson::{end_of, verified};
use senda_server::i18n::{engine_error, Lang};
use std::process::ExitCode;

#[derive(Args)]
pub struct PlanArgs {
    /// Start: LON,LAT in degrees (e.g. --from=-92.2667,14.9056) or a town name.
    #[arg(long, value_name = "LON,LAT|TOWN", allow_hyphen_values = true, value_parser = parse_lon_lat)]
    from: LonLat,
    /// Destination: LON,LAT in degrees or a town name.
    #[arg(long, value_name = "LON,LAT|TOWN", allow_hyphen_values = true, value_parser = parse_lon_lat)]
    to: LonLat,
    /// Most hours of travel in one day (more than 0, at most 24).
    #[arg(long, default_value_t = 8.0, value_name = "H", value_parser = parse_hours)]
    max_daily_hours: f64,
    /// Most days the plan may have (1 to 365); a longer plan is an error naming the days
    /// it needs.
    #[arg(long, value_name = "N", value_parser = parse_max_days)]
    max_days: Option<u32>,
    /// foot | vehicle.
    #[arg(long, default_value = "foot", value_parser = parse_profile)]
    profile: Profile,
    /// 0 (fastest) ..= 1 (safest).
    #[arg(long, default_value_t = 0.5, value_parser = parse_aversion)]
    aversion: f64,
    /// Let foot routes follow rail lines.
    #[arg(long)]
    allow_rail: bool,
    /// Let restricted shelters (safe houses) be stops. The server allows it to analysts only.
    #[arg(long)]
    include_restricted: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Language of the error when no plan can be made: es | ht | en | fr.
    #[arg(long, default_value = "en", value_parser = parse_lang)]
    lang: Lang,
    #[command(flatten)]
    db: DbArg,
}

fn parse_hours(s: &str) -> Result<f64, String> {
    let h: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number"))?;
    if h.is_finite() && h > 0.0 && h <= 24.0 {
        Ok(h)
    } else {
        Err("must be more than 0 and at most 24".into())
    }
}

fn parse_max_days(s: &str) -> Result<u32, String> {
    match s.trim().parse::<u32>() {
        Ok(d) if (1..=MAX_DAYS).contains(&d) => Ok(d),
        _ => Err(format!("{s:?}: a whole number from 1 to {MAX_DAYS}")),
    }
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::from_tag(s).ok_or_else(|| format!("{s:?}: es, ht, en or fr"))
}

pub fn run(args: PlanArgs) -> Result<ExitCode> {
    let engine = engine::open(&args.db.db, None)?;
    let mut q = PlanQuery::new(args.from, args.to);
    q.max_daily_hours = args.max_daily_hours;
    q.max_days = args.max_days;
    q.profile = args.profile;
    q.aversion = args.aversion;
    q.allow_rail = args.allow_rail;
    q.include_restricted = args.include_restricted;
    let plan = match engine.plan(&q) {
        Ok(plan) => plan,
        // What a traveller meets (no route, too many days, a point off the roads): in --lang.
        Err(e) => match engine_error(args.lang, &e) {
            Some(message) => bail!(message),
            None => {
                return Err(e).with_context(|| format!("stage plan from {} to {}", q.from, q.to))
            }
        },
    };
    match args.format {
        Format::Geojson => println!(
            "{}",
            serde_json::to_string_pretty(&senda_server::geojson::plan(&engine, &q, &plan))?
        ),
        Format::Text => print!("{}", text(&engine, &q, &plan)),
    }
    Ok(ExitCode::SUCCESS)
}

fn text(engine: &Engine, q: &PlanQuery, plan: &Plan) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if plan.legs.is_empty() {
        let _ = writeln!(
            out,
            "Start and destination are the same place: nothing to plan."
        );
        return out;
    }
    let nights = match plan.nights {
        0 => "no night on the way".to_owned(),
        1 => "1 night".to_owned(),
        n => format!("{n} nights"),
    };
    let transit = match (plan.nights_without_shelter, plan.roadside_nights) {
        (0, _) => String::new(),
        (n, 0) => format!(" ({n} without a known shelter)"),
        (n, r) => format!(" ({n} without a known shelter, {r} of them by the road)"),
    };
    let _ = writeln!(
        out,
        "Plan {} from {} to {}, at most {} h of travel a day: {} days, {nights}{transit}; {}, {} of travel.",
        how(q.profile),
        q.from,
        q.to,
        q.max_daily_hours,
        plan.legs.len(),
        km(plan.total_distance_m),
        hours(plan.total_duration_s),
    );
    for (i, leg) in plan.legs.iter().enumerate() {
        let (kind, name, _) = end_of(engine, leg.end);
        let end = match leg.end {
            LegEnd::Destination => "the destination".to_owned(),
            LegEnd::Town { place } => format!(
                "{kind} {name} ({} people)",
                engine.places().place(place).population
            ),
            LegEnd::Roadside { .. } => name,
            LegEnd::Shelter { idx } => {
                let s = &engine.shelters()[idx];
                let phone = s
                    .phone
                    .as_deref()
                    .map_or(String::new(), |p| format!(", phone {p}"));
                format!("shelter \"{name}\"{phone}, {}", verified(s))
            }
        };
        let route = if leg.safest {
            "safest route"
        } else {
            "faster route: the safest one takes longer than a day"
        };
        let _ = writeln!(
            out,
            "Day {}: {}, {} ({route}; risk exposure {:.3}) → {end}",
            i + 1,
            km(leg.distance_m),
            hours(leg.duration_s),
            leg.risk_exposure
        );
        if let Some(note) = &leg.note {
            let _ = writeln!(out, "       ⚠ {note}");
        }
    }
    out
}
