//! Gazetteer lookups on the embedded corridor gazetteer (13,402 places, about 55,000 name
//! keys): exact names, names with typos (fuzzy), qualified names, and reverse geocoding; plus
//! the time to build it (part of every start). Target: ≥ 100,000 lookups/s, fuzzy included.
//! Figures: `benches/README.md`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use senda_core::LonLat;
use senda_ingest::gazetteer::corridor;
use std::hint::black_box;

/// Names as people type them: the route towns of the issue and others, exact and misspelt.
const EXACT: &[&str] = &[
    "Tapachula",
    "Arriaga",
    "Palenque",
    "Reynosa",
    "Monterrey",
    "CDMX",
    "Cd. Juárez",
    "Altar",
    "Tecún Umán",
    "Ixtepec",
    "Nogales",
    "Tenosique",
    "Coatzacoalcos",
    "Huixtla",
    "Naco",
    "San Pedro Sula",
];
const FUZZY: &[&str] = &[
    "tapachul",
    "Reinosa",
    "Monterey",
    "coatzacoalco",
    "Tenosiqe",
    "Huixtal",
    "palenqe",
    "ciudad juares",
    "tecun umam",
    "Ixtepek",
    "Nogalez",
    "Arriag",
    "Vilahermosa",
    "San Pedro Zula",
    "tuxtla gutieres",
    "Piedras Negra",
];

fn lookups(c: &mut Criterion) {
    let g = corridor();
    let mut group = c.benchmark_group("gazetteer");
    for (name, set) in [("exact", EXACT), ("fuzzy", FUZZY)] {
        group.throughput(Throughput::Elements(set.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                for q in set {
                    black_box(g.lookup(black_box(q), None).ok());
                }
            })
        });
    }
    let qualified = [
        "Naco, Arizona",
        "Nogales, Son.",
        "Laredo, Texas",
        "Naco Sonora",
    ];
    group.throughput(Throughput::Elements(qualified.len() as u64));
    group.bench_function("qualified", |b| {
        b.iter(|| {
            for q in &qualified {
                black_box(g.lookup(black_box(q), None).ok());
            }
        })
    });
    let points: Vec<LonLat> = (0..64)
        .map(|i| LonLat::new(-117.0 + 0.6 * i as f64, 14.0 + 0.27 * i as f64).unwrap())
        .collect();
    group.throughput(Throughput::Elements(points.len() as u64));
    group.bench_function("reverse", |b| {
        b.iter(|| {
            for p in &points {
                black_box(g.reverse(*p));
            }
        })
    });
    group.finish();
    c.bench_function("gazetteer/build", |b| {
        let input = senda_ingest::Input::from_path(&senda_testkit::data_file(
            "gazetteer/geonames_corridor.tsv.gz",
        ))
        .expect("gazetteer file");
        let text = String::from_utf8(input.bytes).expect("UTF-8");
        b.iter(|| {
            black_box(senda_core::place::Gazetteer::from_tsv([(
                "g",
                text.as_str(),
            )]))
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = lookups
}
criterion_main!(benches);
