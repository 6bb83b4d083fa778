//! Outputs of a run: `allocation.csv`, `loads.csv`, `summary.json`, the short text
//! summary and the [`table`] printed after `allocate`, the [`html`] report, and
//! `allocation.xlsx` (`xlsx`, with the `xlsx` feature).

pub mod bands;
pub mod html;
mod rows;
pub mod table;
#[cfg(feature = "xlsx")]
pub mod xlsx;

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::io::atomic::{write_files_atomically, OutputSet};
use crate::io::csv::to_text;
use crate::model::{Change, Instance, Objective};
use crate::solve::{Solution, Status};
use crate::text::num;
use crate::validate::DecisionOutcome;

use rows::round6;
pub use rows::{
    allocation_csv, allocation_rows, allocation_text, load_rows, loads_csv, loads_text,
    AllocationRow, LoadRow, ALLOCATION_COLUMNS, LOADS_COLUMNS,
};

/// Wall-clock time of each stage of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timings {
    /// Reading and validating the input.
    pub read: Duration,
    /// Preparing the instance and building the program.
    pub build: Duration,
    /// Solving.
    pub solve: Duration,
    /// Formatting the outputs (the files are then swapped in as one set).
    pub write: Duration,
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
    /// How many parts each solver solved (`--solver`): HiGHS or branch-and-price.
    pub solved_by: crate::solve::SolvedBy,
    /// Seconds per stage: `read`, `build`, `solve`, `write` (the only fields that vary
    /// between identical runs).
    pub timings: TimingsJson,
    /// The previous proposal the solve kept close to (`null` without one): the recorded
    /// run or the file it was, and how many children's worker differs from it.
    pub previous: Option<PreviousJson>,
    /// The managers' standing decisions of a recorded run: applied, and not applied
    /// with why (absent when the run is not recorded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decisions: Option<DecisionsJson>,
}

/// How a run stands to the previous proposal, as `summary.json` gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PreviousJson {
    /// The recorded run it was (`null`: not a recorded run).
    pub run: Option<i64>,
    /// The `allocation.csv` it was read from (`null`: not a file).
    pub file: Option<String>,
    /// Children whose worker differs from it.
    pub changed: usize,
    /// Whether no allocation within the gap tolerance of the bound changes fewer
    /// (`false`: the time ran out first, or the trust was solved in passes).
    pub minimal: bool,
}

impl PreviousJson {
    /// One line: `against the previous proposal (run 3): 2 children change worker, the
    /// fewest within the gap tolerance`.
    pub fn render(&self) -> String {
        let of = match (self.run, &self.file) {
            (Some(run), _) => format!(" (run {run})"),
            (None, Some(file)) => format!(" ({file})"),
            (None, None) => String::new(),
        };
        let children = match self.changed {
            0 => "no child changes worker".to_string(),
            1 => "1 child changes worker".to_string(),
            n => format!("{n} children change worker"),
        };
        let proof = if self.changed == 0 {
            ""
        } else if self.minimal {
            ", the fewest within the gap tolerance"
        } else {
            " (not proven the fewest: the time ran out first, or the trust was solved in passes)"
        };
        format!("against the previous proposal{of}: {children}{proof}")
    }

    /// The summary's view of a solution's stability.
    pub fn of(stability: &crate::solve::Stability) -> Self {
        Self {
            run: stability.previous.run,
            file: stability.previous.file.clone(),
            changed: stability.changed,
            minimal: stability.minimal,
        }
    }
}

/// The decisions a recorded run found, as `summary.json` gives them.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DecisionsJson {
    /// Applied, by id.
    pub applied: Vec<DecisionOutcome>,
    /// Not applied, by id, each with `why`.
    pub not_applied: Vec<DecisionOutcome>,
}

impl DecisionsJson {
    /// The outcomes split into applied and not applied.
    pub fn of(outcomes: &[DecisionOutcome]) -> Self {
        let (applied, not_applied) = outcomes.iter().cloned().partition(|o| o.applied);
        Self {
            applied,
            not_applied,
        }
    }

    /// A few lines for a person at a terminal: how many applied, and each one not
    /// applied with why. Empty when there are no decisions.
    pub fn render(&self) -> String {
        let total = self.applied.len() + self.not_applied.len();
        if total == 0 {
            return String::new();
        }
        let mut text = format!("decisions: {} of {total} applied", self.applied.len());
        if self.not_applied.is_empty() {
            text.push('\n');
        } else {
            text.push_str(&format!("; {} not applied:\n", self.not_applied.len()));
        }
        for o in &self.not_applied {
            let d = &o.decision;
            let what = d.describe();
            let note = match d.note.trim() {
                "" => String::new(),
                note => format!("; note \"{}\"", crate::text::one_line(note)),
            };
            text.push_str(&format!(
                "  decision {} ({what}, by {}{note}): {}\n",
                d.id, d.by, o.why
            ));
        }
        text
    }
}

/// The columns of `decisions.csv`, in order.
pub const DECISIONS_COLUMNS: [&str; 10] = [
    "decision_id",
    "case_id",
    "kind",
    "worker_id",
    "capacity",
    "by",
    "at",
    "note",
    "applied",
    "why",
];

/// `decisions.csv`: every standing decision of a recorded run with whether it was
/// applied and why not, by id. `caseload check` reads it beside `allocation.csv`.
pub fn decisions_csv(outcomes: &[DecisionOutcome]) -> Result<String> {
    to_text(
        &DECISIONS_COLUMNS,
        outcomes.iter().map(|o| {
            let d = &o.decision;
            vec![
                d.id.to_string(),
                d.case().map_or(String::new(), |c| c.to_string()),
                d.kind().to_string(),
                d.worker().map_or(String::new(), |w| w.to_string()),
                // Exact (shortest round trip): the checker holds the run to it.
                d.capacity().map_or(String::new(), |c| c.to_string()),
                d.by.clone(),
                d.at.clone(),
                d.note.clone(),
                if o.applied { "yes" } else { "no" }.to_string(),
                o.why.clone(),
            ]
        }),
    )
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
            solved_by: solution.solved_by,
            timings: TimingsJson {
                read: secs(timings.read),
                build: secs(timings.build),
                solve: secs(timings.solve),
                write: secs(timings.write),
            },
            previous: solution.stability.as_ref().map(PreviousJson::of),
            decisions: None,
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
        let mut text = format!(
            "{} cases, {} workers: kept {}, moved {}, forced {}, new {}, unallocated {}\n\
             {}\n\
             status {status}, bound {bound}, gap {:.4}%, solved in {:.2}s\n",
            c.total,
            self.workers,
            c.kept,
            c.moved,
            c.forced,
            c.new,
            c.unallocated,
            o.equation(num),
            100.0 * self.gap,
            self.timings.solve,
        );
        if let Some(previous) = &self.previous {
            text.push_str(&previous.render());
            text.push('\n');
        }
        text
    }
}

/// The files of a run, rendered once: what `allocate` writes and what the record keeps.
#[derive(Clone, Debug, PartialEq)]
pub struct Outputs {
    /// The rows of `allocation.csv`, by case id (serialize them for JSON).
    pub allocation_rows: Vec<AllocationRow>,
    /// The rows of `loads.csv`, by worker id (serialize them for JSON).
    pub load_rows: Vec<LoadRow>,
    /// `allocation.csv`, rendered from [`Outputs::allocation_rows`].
    pub allocation: String,
    /// `loads.csv`, rendered from [`Outputs::load_rows`].
    pub loads: String,
    /// The summary (`summary.json` is its JSON).
    pub summary: Summary,
    /// `summary.json`.
    pub summary_json: String,
    /// `decisions.csv`, for a recorded run.
    pub decisions: Option<String>,
    /// `allocation.xlsx`, when asked for ([`Outputs::with_xlsx`]).
    pub xlsx: Option<Vec<u8>>,
}

impl Outputs {
    /// Renders the outputs of a solution; `decisions` are the outcomes of the standing
    /// decisions of a recorded run (`None` when the run is not recorded). The time it
    /// takes is `timings.write`.
    pub fn render(
        instance: &Instance,
        solution: &Solution,
        mut timings: Timings,
        decisions: Option<&[DecisionOutcome]>,
    ) -> Result<Self> {
        let started = std::time::Instant::now();
        let allocation_rows = allocation_rows(instance, solution);
        let load_rows = load_rows(instance, solution);
        let allocation = allocation_text(&allocation_rows)?;
        let loads = loads_text(&load_rows)?;
        let decisions_file = decisions.map(decisions_csv).transpose()?;
        timings.write = started.elapsed();
        let mut summary = Summary::new(instance, solution, timings);
        summary.decisions = decisions.map(DecisionsJson::of);
        let summary_json = summary.to_json()?;
        Ok(Self {
            allocation_rows,
            load_rows,
            allocation,
            loads,
            summary,
            summary_json,
            decisions: decisions_file,
            xlsx: None,
        })
    }

    /// Adds `allocation.xlsx` (summary, allocation with an empty `decision` column,
    /// loads coloured by band, unallocated most urgent first) to the files written.
    #[cfg(feature = "xlsx")]
    pub fn with_xlsx(mut self, instance: &Instance, solution: &Solution) -> Result<Self> {
        self.xlsx = Some(xlsx::outputs_xlsx(instance, solution, &self)?);
        Ok(self)
    }

    /// The files of the run by name: `allocation.csv`, `loads.csv`, `summary.json`, and
    /// `decisions.csv` and `allocation.xlsx` when there are.
    pub fn files(&self) -> Vec<(&'static str, Vec<u8>)> {
        let mut files = vec![
            ("allocation.csv", self.allocation.as_bytes().to_vec()),
            ("loads.csv", self.loads.as_bytes().to_vec()),
            ("summary.json", self.summary_json.as_bytes().to_vec()),
        ];
        if let Some(decisions) = &self.decisions {
            files.push(("decisions.csv", decisions.as_bytes().to_vec()));
        }
        if let Some(book) = &self.xlsx {
            files.push(("allocation.xlsx", book.clone()));
        }
        files
    }

    /// Writes the files into `out` as one set ([`OutputSet`]): a reader sees the whole
    /// old set or the whole new one. A file of the old set this run lacks (e.g. an
    /// earlier recorded run's `decisions.csv`) is gone from the new set, so that `check`
    /// does not read stale decisions.
    ///
    /// # Errors
    /// [`Error::Io`] when a destination is in the way or cannot be written; nothing is
    /// replaced then.
    pub fn write(&self, out: &Path) -> Result<()> {
        self.write_with(out, &[])
    }

    /// Like [`Outputs::write`], with `extra` files (name, bytes; e.g. the HTML report)
    /// in the same set.
    ///
    /// # Errors
    /// As [`Outputs::write`].
    pub fn write_with(&self, out: &Path, extra: &[(String, Vec<u8>)]) -> Result<()> {
        let files = self.files();
        if let Some((name, _)) = extra
            .iter()
            .find(|(n, _)| files.iter().any(|(f, _)| f == n))
        {
            return Err(Error::Io {
                path: out.join(name),
                source: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "this run writes its own file there: name the report otherwise",
                ),
            });
        }
        let set = OutputSet::begin(out, SET_KIND, &ALLOCATE_FILES)?;
        for (name, bytes) in files {
            set.add(name, &bytes)?;
        }
        for (name, bytes) in extra {
            set.add(name, bytes)?;
        }
        set.commit()
    }

    /// Writes the files into the folder `dir` as plain files, staged then renamed
    /// together (for a folder that is itself inside a set, such as a what-if variant's).
    ///
    /// # Errors
    /// [`Error::Io`] when a file cannot be written.
    pub fn write_files(&self, dir: &Path) -> Result<()> {
        let files: Vec<_> = self
            .files()
            .into_iter()
            .map(|(name, bytes)| (dir.join(name), bytes))
            .collect();
        write_files_atomically(&files)
    }
}

/// The kind of output set `allocate` writes (`OUT/.caseload/allocate`).
pub const SET_KIND: &str = "allocate";

/// Every file `allocate` may write into `OUT` (besides a report named by `--report`).
pub const ALLOCATE_FILES: [&str; 5] = [
    "allocation.csv",
    "loads.csv",
    "summary.json",
    "decisions.csv",
    "allocation.xlsx",
];

/// Writes `allocation.csv`, `loads.csv` and `summary.json` into the folder `out` as plain
/// files, all or nothing (each to a temporary file first, then renamed): for a folder
/// inside a set, such as a what-if variant's. Returns the summary written.
pub fn write_outputs(
    out: &Path,
    instance: &Instance,
    solution: &Solution,
    timings: Timings,
) -> Result<Summary> {
    let outputs = Outputs::render(instance, solution, timings, None)?;
    outputs.write_files(out)?;
    Ok(outputs.summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Decision, DecisionKind, Ruling, WorkerId};

    #[test]
    fn the_objective_line_adds_up_and_names_pairs_only_when_there_are() {
        let with = Objective::with_pairs(88_500.0, 683.5, 140.0, 38.0, 135.75);
        assert_eq!(
            with.equation(num),
            "objective 89497.25 = unallocated 88500 + bands 683.5 + moves 140 + \
             preferences 38 + pairs 135.75"
        );
        let without = Objective::from_terms(88_500.0, 683.5, 140.0, 38.0);
        assert_eq!(
            without.equation(|x| format!("{x:.2}")),
            "objective 89361.50 = unallocated 88500.00 + bands 683.50 + moves 140.00 + \
             preferences 38.00"
        );
    }

    #[test]
    fn decisions_csv_keeps_a_capacity_exactly_for_the_checker() {
        let capacity = 12.345_678_9;
        let outcome = DecisionOutcome {
            decision: Decision {
                id: 4,
                at: "2026-12-03T09:00:00Z".into(),
                by: "Sam".into(),
                note: String::new(),
                ruling: Ruling::Capacity {
                    worker: WorkerId::new("W1"),
                    points: capacity,
                },
            },
            applied: true,
            why: String::new(),
        };
        let text = decisions_csv(&[outcome]).unwrap();
        let rows = crate::check::parse_decisions("decisions.csv", &text).unwrap();
        assert_eq!(rows[0].capacity, Some(capacity), "{text}");
        assert_eq!(rows[0].decided.kind, DecisionKind::Capacity);
    }
}
