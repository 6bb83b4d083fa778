//! Running one shard into a part folder, and the part's tables (`rows.csv`,
//! `draws.csv`) written and read back (see [`super::shard`] for the layout).

use std::path::Path;
use std::time::{Duration, Instant};

use super::error::{VariantError, WhatIfError};
use super::metrics::{Figures, Metric};
use super::run::{
    resolve_jobs, solve_tasks, Comparison, Draw, Outcome, Row, RunOptions, Task, Unit,
};
use super::shard::{
    draw_work, hash_text, manifest_bytes, split, write_manifest, Manifest, ScenarioStamp, Shard,
    DRAWS_FILE, FORMAT, MANIFEST_FILE, ROWS_FILE,
};
use crate::error::Error;
use crate::io::atomic::write_files_atomically;
use crate::io::csv::to_text;
use crate::model::plan::{Limits, Variant};
use crate::solve::Status;

/// The caseload version written in (and required of) every part.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Whether the units make a study (named scenarios: a `scenario` column).
pub(crate) fn is_study(units: &[Unit<'_>]) -> bool {
    units.len() > 1 || units.iter().any(|u| u.name.is_some())
}

/// Checks every unit's plan and the whole run against the run's limits.
pub(crate) fn check_size(units: &[Unit<'_>], options: &RunOptions) -> Result<(), WhatIfError> {
    let limits = Limits {
        max_solves: options.max_solves,
        ..Limits::default()
    };
    for unit in units {
        let waiting = unit
            .base
            .cases
            .iter()
            .filter(|c| c.current_worker.is_none());
        unit.plan
            .check_size(unit.base.cases.len(), waiting.count(), &limits)
            .map_err(WhatIfError::TooLarge)?;
    }
    let total: u64 = units.iter().map(|u| u.plan.solves()).sum();
    if total > options.max_solves {
        let message = crate::model::plan::too_many_solves(total, options.max_solves);
        return Err(WhatIfError::TooLarge(message));
    }
    Ok(())
}

/// The plan's hash: every scenario's name and plan (variants, changes, seed, time limit)
/// and the options that change results (time limit, gap).
pub(crate) fn plan_hash(units: &[Unit<'_>], options: &RunOptions) -> String {
    let mut text = format!("{:?}|{:?}\n", options.time_limit_s, options.mip_gap);
    for unit in units {
        text += &format!("{:?}|{:?}\n", unit.name, unit.plan);
    }
    hash_text(&text)
}

/// Each unit's name and the hash of its scenario.
pub(crate) fn stamps(units: &[Unit<'_>]) -> Vec<ScenarioStamp> {
    units
        .iter()
        .map(|u| ScenarioStamp {
            name: u.name.map(str::to_string),
            hash: hash_text(&format!("{:?}", u.base)),
        })
        .collect()
}

/// The draws of every unit, in run order.
fn all_tasks(units: &[Unit<'_>]) -> Vec<Task> {
    units
        .iter()
        .enumerate()
        .flat_map(|(u, unit)| (0..unit.plan.solves()).map(move |draw| Task { unit: u, draw }))
        .collect()
}

/// Solves every draw of every unit: the comparison, and each row's scenario in a study.
///
/// # Errors
/// As [`super::run`].
pub fn run_units(
    units: &[Unit<'_>],
    options: &RunOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<(Comparison, Option<Vec<String>>), WhatIfError> {
    let started = Instant::now();
    check_size(units, options)?;
    let jobs = resolve_jobs(options.jobs);
    let solved = solve_tasks(units, &all_tasks(units), jobs, options, progress)?;
    let mut draws = solved.draws.into_iter();
    let mut rows = Vec::new();
    let mut scenarios = Vec::new();
    for unit in units {
        for variant in &unit.plan.variants {
            let draws = draws.by_ref().take(variant.draws.max(1) as usize).collect();
            rows.push(Row {
                variant: variant.clone(),
                draws,
            });
            scenarios.push(unit.name.unwrap_or_default().to_string());
        }
    }
    let comparison = Comparison {
        rows,
        jobs,
        elapsed: started.elapsed(),
        parts: solved.parts,
    };
    Ok((comparison, is_study(units).then_some(scenarios)))
}

/// Solves shard `shard`'s draws of the units and writes the part folder `out`: the
/// manifest first, marked incomplete, then the rows, the draws and the final manifest
/// together. The manifest is returned; it is incomplete when a draw failed on this
/// machine (its allocation could not be written).
///
/// # Errors
/// As [`super::run`]; [`WhatIfError::Base`] when the part cannot be written.
pub fn run_shard(
    units: &[Unit<'_>],
    options: &RunOptions,
    shard: Shard,
    out: &Path,
    progress: &(dyn Fn() + Sync),
) -> Result<Manifest, WhatIfError> {
    let started = Instant::now();
    check_size(units, options)?;
    let jobs = resolve_jobs(options.jobs);
    let work = draw_work(units);
    let shard_of = split(&work, shard.count);
    let tasks: Vec<Task> = all_tasks(units)
        .into_iter()
        .zip(&shard_of)
        .filter(|(_, &s)| s == shard.index)
        .map(|(t, _)| t)
        .collect();
    let mine: Vec<u64> = (0..work.len() as u64)
        .filter(|&i| shard_of[i as usize] == shard.index)
        .collect();
    let mut manifest = Manifest {
        format: FORMAT.to_string(),
        caseload_version: VERSION.to_string(),
        plan_hash: plan_hash(units, options),
        scenarios: stamps(units),
        study: is_study(units),
        shard: shard.index,
        shards: shard.count,
        rows_total: units.iter().map(|u| u.plan.variants.len() as u64).sum(),
        draws_total: work.len() as u64,
        work: mine.iter().map(|&i| work[i as usize]).sum(),
        draws: mine.clone(),
        complete: false,
        failed: Vec::new(),
        jobs,
        elapsed_s: 0.0,
    };
    write_manifest(out, &manifest)?;
    let solved = solve_tasks(units, &tasks, jobs, options, progress)?;
    manifest.failed = mine
        .iter()
        .zip(&solved.draws)
        .filter(|(_, d)| matches!(d.outcome, Err(VariantError::Write(_))))
        .map(|(&i, _)| i)
        .collect();
    manifest.complete = manifest.failed.is_empty();
    manifest.elapsed_s = started.elapsed().as_secs_f64();
    let row_of = row_index(units);
    let draws = draws_csv(
        mine.iter().map(|&i| row_of[i as usize]).zip(&mine),
        &solved.draws,
    )?;
    write_files_atomically(&[
        (out.join(ROWS_FILE), rows_csv(units)?.into_bytes()),
        (out.join(DRAWS_FILE), draws.into_bytes()),
        (out.join(MANIFEST_FILE), manifest_bytes(&manifest)?),
    ])?;
    Ok(manifest)
}

/// The row of every draw of the run.
fn row_index(units: &[Unit<'_>]) -> Vec<u64> {
    let variants = units.iter().flat_map(|u| &u.plan.variants);
    variants
        .enumerate()
        .flat_map(|(r, v)| std::iter::repeat_n(r as u64, v.draws.max(1) as usize))
        .collect()
}

/// The columns of `rows.csv`.
pub(crate) const ROW_COLUMNS: [&str; 6] =
    ["row", "scenario", "variant", "base_name", "params", "draws"];

fn rows_csv(units: &[Unit<'_>]) -> crate::Result<String> {
    let mut rows = Vec::new();
    for unit in units {
        for v in &unit.plan.variants {
            let params: Vec<(&str, String)> = v
                .params
                .iter()
                .map(|(k, x)| (k.as_str(), x.to_string()))
                .collect();
            let params = serde_json::to_string(&params).map_err(|source| Error::Json {
                what: "rows",
                source,
            })?;
            rows.push(vec![
                rows.len().to_string(),
                unit.name.unwrap_or_default().to_string(),
                v.name.clone(),
                v.base_name.clone(),
                params,
                v.draws.max(1).to_string(),
            ]);
        }
    }
    to_text(&ROW_COLUMNS, rows)
}

/// One row of `rows.csv` read back: the scenario and the variant (without its changes).
pub(crate) fn read_row(record: &csv::StringRecord) -> Option<(String, Variant)> {
    let params: Vec<(String, String)> = serde_json::from_str(record.get(4)?).ok()?;
    let params = params
        .into_iter()
        .map(|(k, x)| Some((k, x.parse().ok()?)))
        .collect::<Option<Vec<(String, f64)>>>()?;
    let variant = Variant {
        name: record.get(2)?.to_string(),
        base_name: record.get(3)?.to_string(),
        params,
        draws: record.get(5)?.parse().ok()?,
        edits: Vec::new(),
    };
    Some((record.get(1)?.to_string(), variant))
}

/// The first columns of `draws.csv`; every metric follows, by name.
const DRAW_COLUMNS: [&str; 6] = ["draw", "row", "seed", "status", "time_s", "error"];

/// `draws.csv`: each draw's index in the run, its row, seed, status, time and error or
/// figures (at full precision: the text reads back to the same number).
fn draws_csv<'a>(
    index: impl Iterator<Item = (u64, &'a u64)>,
    draws: &[Draw],
) -> crate::Result<String> {
    let mut header: Vec<&str> = DRAW_COLUMNS.to_vec();
    header.extend(Metric::ALL.iter().map(|m| m.name()));
    let rows = index.zip(draws).map(|((row, &i), d)| {
        let mut record = vec![i.to_string(), row.to_string(), d.seed.to_string()];
        match &d.outcome {
            Ok(o) => {
                record.push(o.status.as_str().to_string());
                record.push(o.time.as_secs_f64().to_string());
                record.push(String::new());
                record.extend(Metric::ALL.iter().map(|&m| o.figures.get(m).to_string()));
            }
            Err(e) => {
                record.extend(["error".to_string(), String::new(), e.to_string()]);
                record.extend(Metric::ALL.iter().map(|_| String::new()));
            }
        }
        record
    });
    to_text(&header, rows)
}

/// One record of `draws.csv` read back: its index in the run, its row and the draw.
pub(crate) fn read_draw(record: &csv::StringRecord) -> Option<(u64, u64, Draw)> {
    let index = record.get(0)?.parse().ok()?;
    let row = record.get(1)?.parse().ok()?;
    let seed = record.get(2)?.parse().ok()?;
    let status = match record.get(3)? {
        "error" => {
            let error = VariantError::Recorded(record.get(5)?.to_string());
            return Some((
                index,
                row,
                Draw {
                    seed,
                    outcome: Err(error),
                },
            ));
        }
        "optimal" => Status::Optimal,
        "time_limit" => Status::TimeLimit,
        _ => return None,
    };
    let time = Duration::try_from_secs_f64(record.get(4)?.parse().ok()?).ok()?;
    let values = (0..Metric::ALL.len())
        .map(|m| record.get(DRAW_COLUMNS.len() + m)?.parse().ok())
        .collect::<Option<Vec<f64>>>()?;
    let outcome = Outcome {
        figures: Figures::from_values(values),
        status,
        time,
    };
    Some((
        index,
        row,
        Draw {
            seed,
            outcome: Ok(outcome),
        },
    ))
}

/// Whether the header of a `draws.csv` is this version's.
pub(crate) fn draws_header_ok(header: &csv::StringRecord) -> bool {
    let expected = DRAW_COLUMNS
        .iter()
        .copied()
        .chain(Metric::ALL.iter().map(|m| m.name()));
    header.iter().eq(expected)
}
