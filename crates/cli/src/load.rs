//! Reading files and storing them: the shared path of `ingest`, `validate` and `init`.

use crate::LoadOpts;
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use senda_core::RecordKind;
use senda_ingest::countries::Countries;
use senda_ingest::{IngestError, Input, Records, Report};
use senda_store::{BatchSummary, Store};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Show progress bars for inputs at least this large.
const PROGRESS_MIN_BYTES: usize = 2 << 20;

pub enum Source {
    /// A file — or a folder holding a GTFS feed — with its kind (detected when `None`).
    Path(PathBuf, Option<RecordKind>),
    Embedded {
        name: &'static str,
        kind: RecordKind,
        bytes: &'static [u8],
    },
}

/// What happened to one file, for the summary and the `--report` JSON.
#[derive(Serialize)]
struct FileOutcome {
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    parts: Vec<PartOutcome>,
    /// Whether the file's records were written (false for validate, --strict failures, errors).
    stored: bool,
}

#[derive(Serialize)]
struct PartOutcome {
    kind: RecordKind,
    #[serde(flatten)]
    report: Report,
    #[serde(skip_serializing_if = "Option::is_none")]
    store: Option<BatchSummary>,
}

pub fn run(
    mut store: Option<&mut Store>,
    sources: Vec<Source>,
    opts: &LoadOpts,
) -> Result<ExitCode> {
    let countries = Countries::corridor();
    let mut outcomes = Vec::new();
    let (mut unreadable, mut any_rejected) = (false, false);
    for source in sources {
        let outcome = load_one(store.as_deref_mut(), source, countries, opts)?;
        unreadable |= outcome.error.is_some();
        any_rejected |= outcome.parts.iter().any(|p| !p.report.rejected.is_empty());
        print_summary(&outcome, store.is_some());
        outcomes.push(outcome);
    }
    if let Some(path) = &opts.report {
        let json = serde_json::to_vec_pretty(&outcomes)?;
        std::fs::write(path, json).with_context(|| format!("writing report {}", path.display()))?;
        eprintln!("report written to {}", path.display());
    }
    Ok(if unreadable {
        ExitCode::from(1)
    } else if opts.strict && any_rejected {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

/// Loads sources into the store without printing summaries (for the automatic first load of
/// the query commands, whose standard output is their answer). Fails on any unreadable source.
#[allow(dead_code)] // used by engine::open
pub fn load_quietly(store: &mut Store, sources: Vec<Source>) -> Result<()> {
    let countries = Countries::corridor();
    let opts = LoadOpts {
        report: None,
        strict: false,
        max_decompressed_bytes: senda_ingest::limits::MAX_DECOMPRESSED_BYTES,
    };
    for source in sources {
        let outcome = load_one(Some(store), source, countries, &opts)?;
        if let Some(e) = outcome.error {
            anyhow::bail!("loading {}: {e}", outcome.file);
        }
    }
    Ok(())
}

fn load_one(
    store: Option<&mut Store>,
    source: Source,
    countries: &Countries,
    opts: &LoadOpts,
) -> Result<FileOutcome> {
    let (input, kind) = match source {
        Source::Path(path, kind) if path.is_dir() => {
            return load_dir(store, &path, kind, countries, opts)
        }
        Source::Path(path, kind) => {
            match Input::from_path_limited(&path, opts.max_decompressed_bytes) {
                Ok(input) => (input, kind),
                Err(e) => return Ok(unreadable(path.display().to_string(), &e)),
            }
        }
        Source::Embedded { name, kind, bytes } => {
            match Input::from_bytes_limited(name, bytes.to_vec(), opts.max_decompressed_bytes) {
                Ok(input) => (input, Some(kind)),
                Err(e) => return Ok(unreadable(name.to_owned(), &e)),
            }
        }
    };
    let spinner = (input.bytes.len() >= PROGRESS_MIN_BYTES).then(|| {
        let pb = ProgressBar::new_spinner().with_message(format!("reading {}", input.name));
        pb.enable_steady_tick(Duration::from_millis(120));
        pb
    });
    let kind = match kind {
        Some(k) => k,
        None => match senda_ingest::detect_kind(&input, countries) {
            Ok(k) => k,
            Err(e) => return Ok(unreadable(input.name.clone(), &e)),
        },
    };
    let records = senda_ingest::read(kind, &input, countries);
    if let Some(pb) = spinner {
        pb.finish_and_clear();
    }
    let records = match records {
        Ok(r) => r,
        Err(e) => return Ok(unreadable(input.name.clone(), &e)),
    };
    finish(store, &input.name, input.bytes.len(), kind, &records, opts)
}

/// A folder: read as a GTFS feed (the only kind of input that is a folder).
fn load_dir(
    store: Option<&mut Store>,
    dir: &std::path::Path,
    kind: Option<RecordKind>,
    countries: &Countries,
    opts: &LoadOpts,
) -> Result<FileOutcome> {
    let name = dir.display().to_string();
    if kind.is_some_and(|k| k != RecordKind::Transit) {
        let e = IngestError::UnknownFormat {
            file: name.clone(),
            reason: "a folder is read only as a GTFS feed (transit)".into(),
        };
        return Ok(unreadable(name, &e));
    }
    if kind.is_none() && !senda_ingest::gtfs::is_feed_dir(dir) {
        let e = IngestError::UnknownFormat {
            file: name.clone(),
            reason: "a folder without stops.txt: not a GTFS feed".into(),
        };
        return Ok(unreadable(name, &e));
    }
    let mut records = match senda_ingest::gtfs::read_dir(dir, countries) {
        Ok(o) => Records::Transit(o),
        Err(e) => return Ok(unreadable(name, &e)),
    };
    // The bounds `senda_ingest::read` applies to files.
    senda_ingest::limits::screen_records(
        &mut records,
        &senda_ingest::limits::Limits::default(),
        chrono::Utc::now(),
    );
    finish(store, &name, 0, RecordKind::Transit, &records, opts)
}

/// Stores what was read (unless a dry run, or --strict with rejections) and sums it up.
fn finish(
    store: Option<&mut Store>,
    name: &str,
    size: usize,
    kind: RecordKind,
    records: &Records,
    opts: &LoadOpts,
) -> Result<FileOutcome> {
    let (_, rejected, _) = records.totals();
    let write = store.is_some() && !(opts.strict && rejected > 0);
    let mut summaries: Vec<Option<BatchSummary>> = vec![None; records.reports().len()];
    if let (true, Some(store)) = (write, store) {
        summaries = store_records(store, name, size, records)?
            .into_iter()
            .map(Some)
            .collect();
    }
    let parts = records
        .reports()
        .into_iter()
        .zip(summaries)
        .map(|((kind, report), store)| PartOutcome {
            kind,
            report: report.clone(),
            store,
        })
        .filter(|p| p.kind == kind || p.report.records > 0)
        .collect();
    Ok(FileOutcome {
        file: name.to_owned(),
        error: None,
        parts,
        stored: write,
    })
}

fn store_records(
    store: &mut Store,
    name: &str,
    size: usize,
    records: &Records,
) -> Result<Vec<BatchSummary>> {
    let total: u64 = records.reports().iter().map(|(_, r)| r.accepted).sum();
    let pb = if total >= 20_000 || size >= PROGRESS_MIN_BYTES {
        let pb = ProgressBar::new(total).with_message(format!("storing {name}"));
        pb.set_style(
            ProgressStyle::with_template(
                "{msg} [{bar:30}] {pos}/{len} records ({per_sec}, eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        pb
    } else {
        ProgressBar::hidden()
    };
    let mut tick = |n: u64| pb.set_position(n);
    let result = senda_server::store_records(store, name, records, &mut tick);
    pb.finish_and_clear();
    result.with_context(|| format!("storing {name}"))
}

fn unreadable(file: String, e: &IngestError) -> FileOutcome {
    FileOutcome {
        file,
        error: Some(e.to_string()),
        parts: Vec::new(),
        stored: false,
    }
}

/// Rejected/skipped/flagged records shown on the terminal per file; the rest go to --report.
const SHOW: usize = 10;

fn print_summary(o: &FileOutcome, storing: bool) {
    if let Some(e) = &o.error {
        eprintln!("error: {e}");
        return;
    }
    for p in &o.parts {
        let r = &p.report;
        let stored = match (&p.store, storing) {
            (Some(s), _) => format!(
                " → {} new, {} updated, {} unchanged",
                s.inserted, s.updated, s.unchanged
            ),
            (None, true) => " → NOT STORED (--strict: file has rejected records)".to_owned(),
            (None, false) => " (dry run: nothing stored)".to_owned(),
        };
        println!(
            "{} [{}] {}: {} read, {} accepted, {} rejected, {} skipped, {} flagged{}",
            r.file,
            r.format,
            p.kind,
            r.records,
            r.accepted,
            r.rejected.len(),
            r.skipped.len(),
            r.flagged.len(),
            stored
        );
        for note in &r.notes {
            println!("  note: {note}");
        }
        for (label, list) in [
            ("rejected", &r.rejected),
            ("skipped", &r.skipped),
            ("flagged", &r.flagged),
        ] {
            for issue in list.iter().take(SHOW) {
                let id = issue
                    .source_id
                    .as_deref()
                    .map(|s| format!(" [{s}]"))
                    .unwrap_or_default();
                let field = issue
                    .field
                    .as_deref()
                    .map(|f| format!("{f}: "))
                    .unwrap_or_default();
                println!("  {label} {}{id}: {field}{}", issue.at, issue.reason);
            }
            if list.len() > SHOW {
                println!("  … {} more {label} (see --report FILE)", list.len() - SHOW);
            }
        }
    }
}
