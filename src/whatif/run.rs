//! Solving every draw of every variant in a local thread pool, and the results.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::apply::apply;
use super::error::{VariantError, WhatIfError};
use super::metrics::{Figures, Metric, Spread};
use crate::model::plan::{Limits, Plan, Variant};
use crate::model::{Instance, Scenario};
use crate::solve::{PartCache, SolveOptions, Status};

/// How to run a plan.
#[derive(Clone, Debug, PartialEq)]
pub struct RunOptions {
    /// Variants solved at once; 0 = one per core.
    pub jobs: usize,
    /// Solver threads of each variant (default 1, so `jobs` variants use `jobs` cores).
    pub threads_per_variant: u32,
    /// Overrides every time limit (the plan's and the variants' own).
    pub time_limit_s: Option<f64>,
    /// Relative gap at which a solve stops as optimal.
    pub mip_gap: f64,
    /// Write each draw's scenario and allocation under this folder.
    pub allocations: Option<PathBuf>,
    /// Solve each distinct part (team) once per run: a draw whose team has exactly the
    /// program of one solved before takes its proven-optimal answer (see
    /// [`crate::solve::cache`]). The results are the same either way.
    pub reuse_parts: bool,
    /// Most solves (draws of every variant) the run makes: a larger plan is refused
    /// before anything is allocated (default [`crate::model::plan::MAX_SOLVES`]).
    pub max_solves: u64,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            jobs: 0,
            threads_per_variant: 1,
            time_limit_s: None,
            mip_gap: SolveOptions::default().mip_gap,
            allocations: None,
            reuse_parts: true,
            max_solves: crate::model::plan::MAX_SOLVES,
        }
    }
}

/// The result of one draw of a variant.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The figures of the allocation.
    pub figures: Figures,
    /// Optimal, or stopped by the time limit.
    pub status: Status,
    /// Wall-clock time to change, prepare and solve the scenario.
    pub time: Duration,
}

/// One draw of a variant: its seed and its result or error.
#[derive(Clone, Debug, PartialEq)]
pub struct Draw {
    /// The random seed of the draw.
    pub seed: u64,
    /// The figures, or why there are none.
    pub outcome: Result<Outcome, VariantError>,
}

/// One row of the comparison: a variant and its draws.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The variant.
    pub variant: Variant,
    /// Its draws, by seed.
    pub draws: Vec<Draw>,
}

/// What a row's status column says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    /// Every draw solved to optimality.
    Optimal,
    /// Some draw stopped at the time limit (its gap says how far from proven optimal).
    TimeLimit,
    /// Every draw failed: see the error.
    Error,
}

impl RowStatus {
    /// The word in the comparison.
    pub fn as_str(self) -> &'static str {
        match self {
            RowStatus::Optimal => "optimal",
            RowStatus::TimeLimit => "time_limit",
            RowStatus::Error => "error",
        }
    }
}

impl Row {
    /// The successful draws' outcomes.
    pub fn outcomes(&self) -> impl Iterator<Item = &Outcome> {
        self.draws.iter().filter_map(|d| d.outcome.as_ref().ok())
    }

    /// How many draws failed.
    pub fn failed(&self) -> usize {
        self.draws.iter().filter(|d| d.outcome.is_err()).count()
    }

    /// The first error, with its seed when the variant has several draws.
    pub fn error(&self) -> Option<String> {
        self.draws.iter().find_map(|d| match &d.outcome {
            Err(e) if self.draws.len() > 1 => Some(format!("seed {}: {e}", d.seed)),
            Err(e) => Some(e.to_string()),
            Ok(_) => None,
        })
    }

    /// Error when every draw failed; else the worst status of the draws that solved.
    pub fn status(&self) -> RowStatus {
        self.outcomes()
            .map(|o| match o.status {
                Status::Optimal => RowStatus::Optimal,
                Status::TimeLimit => RowStatus::TimeLimit,
            })
            .max()
            .unwrap_or(RowStatus::Error)
    }

    /// Mean, p10 and p90 of a metric over the draws that solved.
    pub fn spread(&self, metric: Metric) -> Option<Spread> {
        let values: Vec<f64> = self.outcomes().map(|o| o.figures.get(metric)).collect();
        Spread::of(&values)
    }
}

/// The comparison: one row per variant, in plan order.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// The rows.
    pub rows: Vec<Row>,
    /// Variants solved at once.
    pub jobs: usize,
    /// Wall-clock time of the whole run.
    pub elapsed: Duration,
    /// Parts (teams) solved, and how many of them were answered by a part solved before
    /// in the same run. Which draw solves a part first can depend on `jobs`, so with
    /// several jobs the count may vary from run to run; the rows do not.
    pub parts: PartCounts,
}

/// How many parts a run solved, and how many of them it reused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PartCounts {
    /// Parts of every draw that solved.
    pub solved: u64,
    /// Of those, parts answered from the run's cache.
    pub reused: u64,
}

/// Solves every draw of every variant of `plan` against `base`, `options.jobs` at a time,
/// calling `progress` after each draw. The rows do not depend on `jobs` (unless a time
/// limit stops a solve: how far the solver gets in a given time depends on the machine).
///
/// Memory grows with the jobs running: each job holds one changed scenario at a time,
/// and each finished draw keeps only its figures.
///
/// # Errors
/// [`WhatIfError::TooLarge`] when the plan asks for more than `options.max_solves`
/// solves, or a variant adds more workers or children than
/// [`Limits`](crate::model::plan::Limits) allow (nothing is solved); else only when the
/// thread pool cannot be built. A variant that fails fills its own row.
pub fn run(
    base: &Scenario,
    plan: &Plan,
    options: &RunOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<Comparison, WhatIfError> {
    let started = Instant::now();
    let limits = Limits {
        max_solves: options.max_solves,
        ..Limits::default()
    };
    let waiting = base.cases.iter().filter(|c| c.current_worker.is_none());
    plan.check_size(base.cases.len(), waiting.count(), &limits)
        .map_err(WhatIfError::TooLarge)?;
    let jobs = resolve_jobs(options.jobs);
    let units = [Unit {
        base,
        plan,
        name: None,
    }];
    let tasks: Vec<Task> = (0..plan.solves())
        .map(|i| Task { unit: 0, draw: i })
        .collect();
    let solved = solve_tasks(&units, &tasks, jobs, options, progress)?;
    let mut draws = solved.draws.into_iter();
    let rows = plan
        .variants
        .iter()
        .map(|variant| Row {
            variant: variant.clone(),
            draws: draws.by_ref().take(variant.draws.max(1) as usize).collect(),
        })
        .collect();
    Ok(Comparison {
        rows,
        jobs,
        elapsed: started.elapsed(),
        parts: solved.parts,
    })
}

/// One scenario of a run and its plan; a study has several, named.
#[derive(Clone, Copy, Debug)]
pub struct Unit<'a> {
    /// The base scenario.
    pub base: &'a Scenario,
    /// Its variants.
    pub plan: &'a Plan,
    /// The scenario's name in a study (its allocations go under a folder of that name).
    pub name: Option<&'a str>,
}

/// One draw to solve: unit `unit`'s draw `draw`, counted over its plan's variants in
/// order (draw `i` is draw `i - first` of the variant whose draws hold it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Task {
    pub unit: usize,
    pub draw: u64,
}

/// The draws of [`solve_tasks`], in task order, and the part counts.
pub(crate) struct Solved {
    pub draws: Vec<Draw>,
    pub parts: PartCounts,
}

/// The number of threads `jobs` means (0 = one per core).
pub(crate) fn resolve_jobs(jobs: usize) -> usize {
    match jobs {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
}

/// Solves `tasks` in a pool of `jobs` threads, calling `progress` after each draw.
pub(crate) fn solve_tasks(
    units: &[Unit<'_>],
    tasks: &[Task],
    jobs: usize,
    options: &RunOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<Solved, WhatIfError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|i| format!("whatif-{i}"))
        .build()
        .map_err(|e| WhatIfError::Pool {
            jobs,
            message: e.to_string(),
        })?;
    let bases: Vec<Scenario> = units
        .iter()
        .map(|u| {
            let mut base = u.base.clone();
            base.policy.time_limit_s = u.plan.time_limit_s;
            base
        })
        .collect();
    // Draw `i` of a plan is draw `i - first[v]` of the variant `v` whose draws hold it.
    let firsts: Vec<Vec<u64>> = units
        .iter()
        .map(|u| {
            u.plan
                .variants
                .iter()
                .scan(0u64, |total, v| {
                    let at = *total;
                    *total += u64::from(v.draws.max(1));
                    Some(at)
                })
                .collect()
        })
        .collect();
    let cache = options.reuse_parts.then(PartCache::new);
    let draws: Vec<Draw> = pool.install(|| {
        tasks
            .par_iter()
            .map(|task| {
                let unit = &units[task.unit];
                let first = &firsts[task.unit];
                let v = first.partition_point(|&f| f <= task.draw) - 1;
                let k = (task.draw - first[v]) as u32;
                let seed = unit.plan.seed.wrapping_add(u64::from(k));
                let variant = &unit.plan.variants[v];
                let folder = options.allocations.as_ref().map(|dir| {
                    let dir = match unit.name {
                        Some(name) => dir.join(slug(name)),
                        None => dir.clone(),
                    };
                    draw_folder(&dir, v, variant, k)
                });
                let outcome = solve_draw(
                    &bases[task.unit],
                    variant,
                    seed,
                    options,
                    cache.as_ref(),
                    folder.as_deref(),
                );
                progress();
                Draw { seed, outcome }
            })
            .collect()
    });
    Ok(Solved {
        draws,
        parts: cache.map_or_else(PartCounts::default, |c| PartCounts {
            solved: c.lookups(),
            reused: c.hits(),
        }),
    })
}

/// How many draws `run` will solve (for a progress bar).
pub fn draw_count(plan: &Plan) -> u64 {
    plan.solves()
}

/// `DIR/03-agency-hires` for a single draw, `DIR/03-agency-hires/seed-7` for many.
fn draw_folder(dir: &Path, index: usize, variant: &Variant, draw: u32) -> PathBuf {
    let folder = dir.join(format!("{:03}-{}", index + 1, slug(&variant.name)));
    if variant.draws > 1 {
        folder.join(format!("draw-{:03}", draw + 1))
    } else {
        folder
    }
}

/// A file-name-safe version of a name: letters and digits, other runs become `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() || ch == '.' || ch == '=' {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

fn solve_draw(
    base: &Scenario,
    variant: &Variant,
    seed: u64,
    options: &RunOptions,
    cache: Option<&PartCache>,
    folder: Option<&Path>,
) -> Result<Outcome, VariantError> {
    let started = Instant::now();
    let scenario = apply(base, &variant.edits, seed)?;
    let instance = Instance::new(&scenario).map_err(VariantError::Invalid)?;
    let solve_options = SolveOptions {
        time_limit_s: options.time_limit_s,
        threads: Some(options.threads_per_variant),
        mip_gap: options.mip_gap,
        ..SolveOptions::default()
    };
    let solution = crate::solve::solve_with_cache(&instance, &solve_options, cache)
        .map_err(|e| VariantError::Solve(Arc::new(e)))?;
    if let Some(folder) = folder {
        write_draw(folder, &scenario, &instance, &solution)?;
    }
    Ok(Outcome {
        figures: Figures::of(&instance, &solution),
        status: solution.status,
        time: started.elapsed(),
    })
}

/// Writes the changed scenario (`scenario/`) and its allocation, loads and summary.
fn write_draw(
    folder: &Path,
    scenario: &Scenario,
    instance: &Instance,
    solution: &crate::solve::Solution,
) -> Result<(), VariantError> {
    let fail = |e: crate::Error| VariantError::Write(Arc::new(e));
    crate::io::scenario_writer::write_scenario(&folder.join("scenario"), scenario).map_err(fail)?;
    let timings = crate::report::Timings {
        build: solution.build_time,
        solve: solution.solve_time,
        ..Default::default()
    };
    crate::report::write_outputs(folder, instance, solution, timings).map_err(fail)?;
    Ok(())
}
