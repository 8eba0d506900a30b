//! A hold-out check of `RiskConfig::source_weights` (the weight of UCDP GED against the IOM
//! Missing Migrants record) on the bundled default data: build the field from everything
//! before a date, then score it on the migrant deaths of the next two years — the share that
//! falls in the field's riskiest cells. An example, not a test (it prints a table, it asserts
//! nothing a data update could not change); run it with
//!
//! ```text
//! cargo run --release -p senda-ingest --example holdout
//! ```
//!
//! The table it printed is in the docs of `RiskConfig` ("Violence and deaths in transit").

use chrono::{DateTime, TimeZone, Utc};
use senda_core::risk::{RiskConfig, RiskField, RiskProfile, SOURCE_WEIGHT_UCDP_GED};
use senda_core::{Incident, IncidentCategory as C};
use senda_ingest::{countries::Countries, incidents, Input};
use std::collections::HashSet;

fn read(rel: &str) -> Vec<Incident> {
    let path = senda_testkit::data_file(rel);
    let out = incidents::read(&Input::from_path(&path).unwrap()).unwrap();
    out.records.into_iter().map(|r| r.record).collect()
}

fn jan1(year: i32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0).unwrap()
}

fn main() {
    let mmp = read("incidents/iom_mmp_mesoamerica_2014_2025_hxl.csv");
    let ged = read("violence/ucdp_ged_mexico_2014_2023.csv.gz");
    let countries = Countries::corridor();
    let in_mexico = |i: &Incident| {
        countries
            .locate(i.location)
            .is_some_and(|c| c.iso_a3() == "MEX")
    };
    let violent = |i: &Incident| {
        matches!(
            i.category,
            C::Violence
                | C::Kidnapping
                | C::SexualViolence
                | C::Trafficking
                | C::Extortion
                | C::ArmedConflict
        )
    };
    println!("top cells: the field's riskiest res-7 cells (1,000 ≈ 5,000 km²); shares of the next two years' MMP records in them");
    for year in [2018, 2020, 2022] {
        let (from, to) = (jan1(year), jan1(year + 2));
        let train: Vec<Incident> = mmp
            .iter()
            .chain(&ged)
            .filter(|i| i.occurred_at < from)
            .cloned()
            .collect();
        let test: Vec<&Incident> = mmp
            .iter()
            .filter(|i| (from..to).contains(&i.occurred_at))
            .collect();
        let mexico: Vec<&Incident> = test.iter().copied().filter(|i| in_mexico(i)).collect();
        let mexico_violent: Vec<&Incident> =
            mexico.iter().copied().filter(|i| violent(i)).collect();
        println!(
            "\ntrained on < {year}, tested on {year}–{}: {} MMP records, {} in Mexico, {} of them violent",
            year + 1,
            test.len(),
            mexico.len(),
            mexico_violent.len()
        );
        println!("ucdp-ged factor | cells | corridor | Mexico | violent, Mexico");
        for factor in [0.0, 0.05, SOURCE_WEIGHT_UCDP_GED, 0.25, 0.5, 1.0] {
            let mut config = RiskConfig::default();
            config.source_weights.insert("ucdp-ged".into(), factor);
            let field = RiskField::build(&train, &[], from, &config).unwrap();
            let mut cells: Vec<_> = field
                .cells()
                .map(|(c, r)| (c, r.value(RiskProfile::Foot)))
                .collect();
            cells.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            for n in [1000usize, 5000] {
                let top: HashSet<_> = cells.iter().take(n).map(|c| c.0).collect();
                let share = |set: &[&Incident]| {
                    let hits = set
                        .iter()
                        .filter(|i| top.contains(&field.cell_at(i.location)));
                    hits.count() as f64 / set.len().max(1) as f64
                };
                println!(
                    "{factor:>15} | {n:>5} | {:.3} | {:.3} | {:.3}",
                    share(&test),
                    share(&mexico),
                    share(&mexico_violent)
                );
            }
        }
    }
}
