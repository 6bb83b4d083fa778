//! Outputs of a run: `allocation.csv`, `loads.csv`, `summary.json`, the short text
//! summary and the [`table`] printed after `allocate`, the [`html`] report, and
//! `allocation.xlsx` (`xlsx`, with the `xlsx` feature).

pub mod bands;
pub mod html;
pub mod table;
#[cfg(feature = "xlsx")]
pub mod xlsx;

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::explain::reasons;
use crate::io::atomic::write_files_atomically;
use crate::io::csv::to_text;
use crate::model::{Change, Instance, Objective};
use crate::solve::{Solution, Status};
use crate::text::num;

/// Wall-clock time of each stage of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timings {
    /// Reading and validating the input.
    pub read: Duration,
    /// Preparing the instance and building the program.
    pub build: Duration,
    /// Solving.
    pub solve: Duration,
    /// Formatting the outputs (the files are then renamed into place together).
    pub write: Duration,
}

/// Rounds to 6 decimals, so sums like 21.000000000000004 print as 21.
fn round6(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1e6).round() / 1e6
    } else {
        x
    }
}

/// `allocation.csv`: `case_id, worker_id, previous_worker, change, reason`, by case id.
pub fn allocation_csv(instance: &Instance, solution: &Solution) -> Result<String> {
    let eval = &solution.evaluation;
    let why = reasons(instance, eval);
    let id = |w: Option<usize>| w.map_or(String::new(), |w| instance.workers[w].id.to_string());
    to_text(
        &[
            "case_id",
            "worker_id",
            "previous_worker",
            "change",
            "reason",
        ],
        instance.cases.iter().enumerate().map(|(c, case)| {
            vec![
                case.id.to_string(),
                id(eval.worker[c]),
                id(instance.current[c]),
                eval.change[c].to_string(),
                why[c].clone(),
            ]
        }),
    )
}

/// The columns of `loads.csv`, in order.
pub const LOADS_COLUMNS: [&str; 9] = [
    "worker_id",
    "team",
    "capacity",
    "load_before",
    "load_after",
    "utilisation",
    "cases",
    "received",
    "given_up",
];

/// `loads.csv`: [`LOADS_COLUMNS`], by worker id. Utilisation is `load_after / capacity`
/// (empty when capacity is 0).
pub fn loads_csv(instance: &Instance, solution: &Solution) -> Result<String> {
    to_text(
        &LOADS_COLUMNS,
        instance.workers.iter().enumerate().map(|(w, worker)| {
            let l = &solution.evaluation.loads[w];
            let cap = instance.capacity[w];
            let utilisation = if cap > 0.0 {
                format!("{:.4}", l.load_after / cap)
            } else {
                String::new()
            };
            vec![
                worker.id.to_string(),
                worker.team.clone(),
                round6(cap).to_string(),
                round6(l.load_before).to_string(),
                round6(l.load_after).to_string(),
                utilisation,
                l.cases_after.to_string(),
                l.received.to_string(),
                l.given_up.to_string(),
            ]
        }),
    )
}

/// Counts of cases by change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ChangeCounts {
    /// Cases in all.
    pub total: usize,
    /// Kept with their worker.
    pub kept: usize,
    /// Discretionary moves.
    pub moved: usize,
    /// Forced moves.
    pub forced: usize,
    /// New allocations.
    pub new: usize,
    /// Unallocated.
    pub unallocated: usize,
}

impl ChangeCounts {
    /// Counts the changes of an evaluated allocation.
    pub fn of(changes: &[Change]) -> Self {
        let count = |c: Change| changes.iter().filter(|&&x| x == c).count();
        Self {
            total: changes.len(),
            kept: count(Change::Kept),
            moved: count(Change::Moved),
            forced: count(Change::Forced),
            new: count(Change::New),
            unallocated: count(Change::Unallocated),
        }
    }
}

/// `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// `optimal` or `time_limit`.
    pub status: Status,
    /// Objective by term.
    pub objective: Objective,
    /// Lower bound on the objective (null when unknown).
    pub bound: Option<f64>,
    /// Relative gap between objective and bound.
    pub gap: f64,
    /// Cases by change.
    pub cases: ChangeCounts,
    /// Workers in the scenario.
    pub workers: usize,
    /// Units (sibling groups and single cases).
    pub units: usize,
    /// Discretionary moves.
    pub moves: u32,
    /// Objective of the starting allocation (current allocation repaired, then greedy).
    pub start_objective: f64,
    /// Seconds per stage: `read`, `build`, `solve`, `write` (the only fields that vary
    /// between identical runs).
    pub timings: TimingsJson,
}

/// Timings in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TimingsJson {
    /// Reading and validating.
    pub read: f64,
    /// Building.
    pub build: f64,
    /// Solving.
    pub solve: f64,
    /// Writing.
    pub write: f64,
}

impl Summary {
    /// The summary of a solution.
    pub fn new(instance: &Instance, solution: &Solution, timings: Timings) -> Self {
        let o = solution.evaluation.objective;
        let secs = |d: Duration| round6(d.as_secs_f64());
        Self {
            status: solution.status,
            objective: Objective {
                total: round6(o.total),
                unallocated: round6(o.unallocated),
                bands: round6(o.bands),
                moves: round6(o.moves),
                preferences: round6(o.preferences),
                pairs: round6(o.pairs),
            },
            bound: solution.bound.is_finite().then(|| round6(solution.bound)),
            gap: round6(solution.gap),
            cases: ChangeCounts::of(&solution.evaluation.change),
            workers: instance.workers.len(),
            units: instance.units.len(),
            moves: solution.evaluation.moves,
            start_objective: round6(solution.start_objective),
            timings: TimingsJson {
                read: secs(timings.read),
                build: secs(timings.build),
                solve: secs(timings.solve),
                write: secs(timings.write),
            },
        }
    }

    /// The JSON text, pretty-printed, ending in a newline.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map(|s| s + "\n")
            .map_err(|source| Error::Json {
                what: "summary",
                source,
            })
    }

    /// A few lines for a person at a terminal.
    pub fn render(&self) -> String {
        let c = &self.cases;
        let o = &self.objective;
        let status = match self.status {
            Status::Optimal => "optimal".to_string(),
            Status::TimeLimit => "stopped at the time limit (best allocation found)".to_string(),
        };
        let bound = self.bound.map_or("unknown".to_string(), num);
        format!(
            "{} cases, {} workers: kept {}, moved {}, forced {}, new {}, unallocated {}\n\
             objective {} = unallocated {} + bands {} + moves {} + preferences {}\n\
             status {status}, bound {bound}, gap {:.4}%, solved in {:.2}s\n",
            c.total,
            self.workers,
            c.kept,
            c.moved,
            c.forced,
            c.new,
            c.unallocated,
            num(o.total),
            num(o.unallocated),
            num(o.bands),
            num(o.moves),
            num(o.preferences),
            100.0 * self.gap,
            self.timings.solve,
        )
    }
}

/// Writes `allocation.csv`, `loads.csv` and `summary.json` into `out`, all or nothing
/// (each to a temporary file first, then renamed). Returns the summary written.
pub fn write_outputs(
    out: &Path,
    instance: &Instance,
    solution: &Solution,
    timings: Timings,
) -> Result<Summary> {
    write_all(out, instance, solution, timings, false)
}

/// Like [`write_outputs`], with `allocation.xlsx` too when `xlsx` is set, in the same
/// all-or-nothing batch.
#[cfg(feature = "xlsx")]
pub fn write_outputs_xlsx(
    out: &Path,
    instance: &Instance,
    solution: &Solution,
    timings: Timings,
    xlsx: bool,
) -> Result<Summary> {
    write_all(out, instance, solution, timings, xlsx)
}

fn write_all(
    out: &Path,
    instance: &Instance,
    solution: &Solution,
    mut timings: Timings,
    xlsx: bool,
) -> Result<Summary> {
    let started = std::time::Instant::now();
    let allocation = allocation_csv(instance, solution)?;
    let loads = loads_csv(instance, solution)?;
    timings.write = started.elapsed();
    let summary = Summary::new(instance, solution, timings);
    let json = summary.to_json()?;
    #[cfg_attr(not(feature = "xlsx"), allow(unused_mut))]
    let mut files = vec![
        (out.join("allocation.csv"), allocation.into_bytes()),
        (out.join("loads.csv"), loads.into_bytes()),
        (out.join("summary.json"), json.into_bytes()),
    ];
    #[cfg(feature = "xlsx")]
    if xlsx {
        let book = self::xlsx::allocation_xlsx(instance, solution, &summary)?;
        files.push((out.join(self::xlsx::ALLOCATION_XLSX), book));
    }
    #[cfg(not(feature = "xlsx"))]
    let _ = xlsx;
    write_files_atomically(&files)?;
    Ok(summary)
}
