//! Incident CSV → SQLite: read (parse + validate) and store (one transaction), per row.
//! Target (issue 2): ≥ 200,000 rows/s on one core; a real MMP file in well under a second. The
//! real file is the default dataset's corridor file (5,329 rows); the recorded figure for a real
//! file in benches/README.md was taken on the 17,846-row global file, which the repository
//! holds only as a cut (tests/data).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use senda_ingest::{incidents, Input};
use senda_store::Store;
use std::fmt::Write as _;

/// A synthetic MMP HXL file of `rows` valid rows in the corridor (same schema as the real one).
fn synthetic(rows: usize) -> Vec<u8> {
    let real = std::fs::read(corridor_file()).unwrap();
    let text = String::from_utf8(real).unwrap();
    let mut lines = text.lines();
    let mut s = format!("{}\n{}\n", lines.next().unwrap(), lines.next().unwrap());
    for i in 0..rows {
        let lat = 14.5 + (i % 1000) as f64 * 0.015;
        let lon = -99.0 + (i / 1000 % 100) as f64 * 0.07;
        writeln!(
            s,
            "2021.SYN{i},Central America,2021-03-{:02},1,,1,,,1,,Violence,Mexico,synthetic row,Central America,\"{lat:.5}, {lon:.5}\",Central America to US,bench,,3,,",
            1 + i % 28
        )
        .unwrap();
    }
    s.into_bytes()
}

fn bench_file(c: &mut Criterion, name: &str, bytes: Vec<u8>) {
    let input = Input::from_bytes(name, bytes).unwrap();
    let rows = incidents::read_csv(&input).unwrap().report.records;
    let mut g = c.benchmark_group(format!("ingest/{name}"));
    g.throughput(Throughput::Elements(rows));
    g.sample_size(10);
    g.bench_function("read", |b| {
        b.iter(|| incidents::read_csv(&input).unwrap().records.len())
    });
    g.bench_function("read+store", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let store = Store::open(&dir.path().join("bench.db")).unwrap();
                (dir, store)
            },
            |(dir, mut store)| {
                let out = incidents::read_csv(&input).unwrap();
                let rejected = out.report.rejected.len() as u64;
                store
                    .ingest(
                        name,
                        &out.report.format,
                        &out.records,
                        rejected,
                        &mut |_| {},
                    )
                    .unwrap();
                drop(store);
                dir
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

/// The real MMP HXL file of the default dataset (the corridor, 5,329 rows).
fn corridor_file() -> std::path::PathBuf {
    senda_testkit::data_file("incidents/iom_mmp_mesoamerica_2014_2025_hxl.csv")
}

fn ingest(c: &mut Criterion) {
    let real = std::fs::read(corridor_file()).unwrap();
    bench_file(c, "iom_mmp_mesoamerica_hxl", real);
    bench_file(c, "synthetic_200k", synthetic(200_000));
}

criterion_group!(benches, ingest);
criterion_main!(benches);
