//! The record: one SQLite file that keeps every run, so that any allocation can later
//! be explained, reproduced and compared — who ran it, when, on which data, with which
//! policy, and what it proposed for every child.
//!
//! A run keeps the scenario's input files themselves (replayable: [`Record::inputs`]
//! gives them back byte for byte) with their SHA-256, the policy as used (defaults filled
//! in), the solve options, status, bound, gap, the objective by term, the counts by
//! change, every allocation row with its reason and every worker's load. A run is
//! written in one transaction: a reader beside the writer (WAL) sees the record before
//! the run or after it, never half; `kill -9` at any moment leaves every earlier run
//! intact.
//!
//! The file is created on first use with mode 0600 (it holds children's data), marked as
//! ours (`PRAGMA application_id`), and versioned (`PRAGMA user_version`) with forward
//! migrations. The SQL lives in private modules (runs, decisions); this one deals in typed rows.
//!
//! Managers' decisions live here too: [`Record::decide`] takes one on the newest run's
//! proposal, [`Record::standing`] gives the ones a later run applies with
//! [`apply_decisions`](crate::validate::apply_decisions), and [`NewRun::of_outputs`]
//! keeps what that run made of each.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use caseload::model::{Case, Instance, Policy, Ruling, Scenario, Worker};
//! use caseload::record::{NewDecision, NewRun, Record};
//! use caseload::report::Outputs;
//! use caseload::solve::{solve, SolveOptions};
//! use caseload::validate::apply_decisions;
//!
//! let scenario = Scenario::new(
//!     vec![Worker::new("W1"), Worker::new("W2")],
//!     vec![Case::new("C1").held_by("W1"), Case::new("C2")],
//!     Policy::default(),
//! );
//! let instance = Instance::new(&scenario)?;
//! let options = SolveOptions::default();
//! let solution = solve(&instance, &options)?;
//!
//! let dir = tempfile::tempdir()?;
//! let mut record = Record::open(&dir.path().join("record.sqlite"))?;
//! let run = NewRun::new(&instance, &solution, &options, "alice", "in code", Vec::new(), Default::default())?;
//! let id = record.add_run(&run)?;
//! assert_eq!(record.runs()?.len(), 1);
//! assert_eq!(record.rows(id)?.len(), 2);
//!
//! // The manager decides C2 goes to W2; the next run applies it on top of the input.
//! let assign = Ruling::Assign { case: "C2".into(), worker: "W2".into() };
//! record.decide(&NewDecision::new(assign, "Sam", "knows the family"))?;
//! let (decided, outcomes) = apply_decisions(&scenario, &record.standing()?);
//! let instance = Instance::new(&decided)?;
//! let solution = solve(&instance, &options)?;
//! let outputs = Outputs::render(&instance, &solution, Default::default(), Some(&outcomes))?;
//! let run = NewRun::of_outputs(&instance, &outputs, &options, "alice", "in code", Vec::new(), outcomes)?;
//! assert_eq!(run.rows[1].worker_id.as_deref(), Some("W2"));
//! assert!(run.rows[1].reason.contains("a manager decided so: Sam"));
//! record.add_run(&run)?;
//! # Ok(()) }
//! ```

mod access;
mod decide;
mod diff;
mod error;
mod inputs;
mod judge;
mod open;
mod rows;
mod schema;
mod sessions;
mod sql;
mod transparency;

use std::path::Path;

use serde::Serialize;

pub use access::{AccessRecord, NewAccess};
pub use decide::{DecisionRecord, NewDecision, Withdrawal};
pub use diff::{diff, CaseChange, LoadChange, RunDiff};
pub use error::RecordError;
pub use inputs::{previous_input, read_inputs, InputFile, INPUT_FILES, PREVIOUS_FILE};
pub use rows::{parse_loads_csv, LoadRecord, RowRecord};
pub use schema::APPLICATION_ID;
pub use sessions::StoredSession;
pub use sql::LOCK_WAIT;
pub use transparency::transparency;

use crate::model::{Decision, DecisionRules, Instance, Objective};
use crate::report::{ChangeCounts, Outputs, Timings};
use crate::solve::{Solution, SolveOptions};
use crate::validate::DecisionOutcome;

/// A run's id in a record: 1, 2, 3… in the order runs were recorded.
pub type RunId = i64;

/// What a run was and what it found: kept for every run, listed by [`Record::runs`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunMeta {
    /// caseload's version.
    pub version: String,
    /// Who ran it.
    pub by: String,
    /// The scenario folder as given (or a description of where the scenario came from).
    pub scenario: String,
    /// The policy as used, defaults filled in (JSON; an object when serialized).
    #[serde(serialize_with = "as_json")]
    pub policy: String,
    /// The solve options (JSON; an object when serialized).
    #[serde(serialize_with = "as_json")]
    pub options: String,
    /// `optimal` or `time_limit`.
    pub status: String,
    /// Lower bound on the objective, when known.
    pub bound: Option<f64>,
    /// Relative gap.
    pub gap: f64,
    /// Objective by term.
    pub objective: Objective,
    /// Cases by change.
    pub counts: ChangeCounts,
}

impl RunMeta {
    /// What the run's policy asks of a decision taken on its proposal (`[decisions]`).
    /// A run recorded before the policy had that table gets the default (a note
    /// required), as its `policy.toml` would read today.
    pub fn decision_rules(&self) -> DecisionRules {
        let policy: serde_json::Value =
            serde_json::from_str(&self.policy).unwrap_or(serde_json::Value::Null);
        let default = DecisionRules::default();
        DecisionRules {
            note_required: policy["decisions"]["note_required"]
                .as_bool()
                .unwrap_or(default.note_required),
        }
    }
}

/// Serializes a JSON text as the value it holds (as a string if it holds none).
fn as_json<S: serde::Serializer>(text: &str, serializer: S) -> Result<S::Ok, S::Error> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => value.serialize(serializer),
        Err(_) => serializer.serialize_str(text),
    }
}

/// Everything a run keeps, ready to be added to a record.
#[derive(Clone, Debug, PartialEq)]
pub struct NewRun {
    /// What the run was and found.
    pub meta: RunMeta,
    /// The input files.
    pub inputs: Vec<InputFile>,
    /// `summary.json` as written (timings included).
    pub summary: String,
    /// Every allocation row, by case id.
    pub rows: Vec<RowRecord>,
    /// Every worker's load, by worker id.
    pub loads: Vec<LoadRecord>,
    /// What the run made of each standing decision, by id.
    pub decisions: Vec<DecisionOutcome>,
}

impl NewRun {
    /// The run of a solution (not using decisions): rows and loads exactly as
    /// `allocation.csv` and `loads.csv` write them; `timings` go into the kept
    /// `summary.json`.
    pub fn new(
        instance: &Instance,
        solution: &Solution,
        options: &SolveOptions,
        by: &str,
        scenario: &str,
        inputs: Vec<InputFile>,
        timings: Timings,
    ) -> crate::Result<Self> {
        let outputs = Outputs::render(instance, solution, timings, None)?;
        Self::of_outputs(
            instance,
            &outputs,
            options,
            by,
            scenario,
            inputs,
            Vec::new(),
        )
    }

    /// The run of outputs already rendered (as they were written), with what the run made
    /// of the standing decisions.
    pub fn of_outputs(
        instance: &Instance,
        outputs: &Outputs,
        options: &SolveOptions,
        by: &str,
        scenario: &str,
        inputs: Vec<InputFile>,
        decisions: Vec<DecisionOutcome>,
    ) -> crate::Result<Self> {
        let summary = &outputs.summary;
        let rows = outputs.allocation_rows.iter().map(RowRecord::of).collect();
        let loads = outputs.load_rows.iter().map(LoadRecord::of).collect();
        let options = serde_json::json!({
            "time_limit_s": options.time_limit_s.unwrap_or(instance.policy.time_limit_s),
            "threads": options.threads.unwrap_or(instance.policy.threads),
            "mip_gap": options.mip_gap,
        });
        Ok(NewRun {
            meta: RunMeta {
                version: env!("CARGO_PKG_VERSION").to_string(),
                by: by.to_string(),
                scenario: scenario.to_string(),
                policy: serde_json::to_string(&instance.policy).map_err(json_error)?,
                options: options.to_string(),
                status: summary.status.as_str().to_string(),
                bound: summary.bound,
                gap: summary.gap,
                objective: summary.objective,
                counts: summary.cases,
            },
            inputs,
            summary: outputs.summary_json.clone(),
            rows,
            loads,
            decisions,
        })
    }
}

fn json_error(source: serde_json::Error) -> crate::Error {
    crate::Error::Json {
        what: "the policy for the record",
        source,
    }
}

/// A run as listed by [`Record::runs`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunInfo {
    /// Its id.
    pub id: RunId,
    /// When it was recorded, UTC, ISO 8601.
    pub at: String,
    /// What it was and found.
    #[serde(flatten)]
    pub meta: RunMeta,
}

/// An open record file.
pub struct Record {
    store: sql::Store,
}

impl Record {
    /// Opens the record at `path`, creating it (mode 0600) when it does not exist and
    /// migrating an older schema forward. Refuses a file that is not a caseload record,
    /// one of a newer schema, and a read-only one.
    pub fn open(path: &Path) -> Result<Self, RecordError> {
        Ok(Record {
            store: sql::Store::open(path)?,
        })
    }

    /// Opens an existing record for reading only (`history`, `diff`, `decide --list`):
    /// nothing is created, migrated or written, not even SQLite's side files; a record
    /// in a read-only folder or of an older schema reads as well. Adding runs or
    /// decisions through it fails.
    pub fn open_read_only(path: &Path) -> Result<Self, RecordError> {
        Ok(Record {
            store: sql::Store::open_read(path)?,
        })
    }

    /// [`Record::open_read_only`]: for commands that only read.
    pub fn open_to_read(path: &Path) -> Result<Self, RecordError> {
        Self::open_read_only(path)
    }

    /// The schema versions the record was migrated from and to by [`Record::open`], if
    /// it was (a writing command says so).
    pub fn migrated(&self) -> Option<(i64, i64)> {
        self.store.migrated()
    }

    /// The record's file.
    pub fn path(&self) -> &Path {
        self.store.path()
    }

    /// Waits at most `wait` (instead of [`LOCK_WAIT`]) for another writer's lock before
    /// [`RecordError::Locked`].
    pub fn set_lock_wait(&mut self, wait: std::time::Duration) -> Result<(), RecordError> {
        self.store.set_lock_wait(wait)
    }

    /// The schema version of the file (after migration: the newest this build knows).
    pub fn schema_version(&self) -> Result<i64, RecordError> {
        self.store.version()
    }

    /// The newest schema version this build knows.
    pub fn latest_schema_version() -> i64 {
        schema::latest_version()
    }

    /// Adds a run, in one transaction; returns its id.
    pub fn add_run(&mut self, run: &NewRun) -> Result<RunId, RecordError> {
        self.store.add_run(run)
    }

    /// Checks the whole file (SQLite's `PRAGMA integrity_check`) and that every run has
    /// all its allocation rows.
    pub fn check_integrity(&self) -> Result<(), RecordError> {
        self.store.check_integrity()
    }

    /// Every run, oldest first.
    pub fn runs(&self) -> Result<Vec<RunInfo>, RecordError> {
        self.store.runs()
    }

    /// One run.
    pub fn run(&self, id: RunId) -> Result<RunInfo, RecordError> {
        self.store.run(id)
    }

    /// The runs recorded after run `after` (every run for 0), oldest first: what a server
    /// sharing the record with the nightly job looks at every few seconds.
    pub fn runs_after(&self, after: RunId) -> Result<Vec<RunInfo>, RecordError> {
        self.store.runs_after(after)
    }

    /// The newest run, if any.
    pub fn last_run(&self) -> Result<Option<RunId>, RecordError> {
        self.store.last_run()
    }

    /// A run's allocation rows, by case id.
    pub fn rows(&self, id: RunId) -> Result<Vec<RowRecord>, RecordError> {
        self.store.rows(id)
    }

    /// The newest run of `scenario` (the folder as `allocate --record` was given it), if
    /// any.
    pub fn newest_run_of(&self, scenario: &str) -> Result<Option<RunId>, RecordError> {
        let runs = self.runs()?;
        Ok(runs
            .iter()
            .filter(|r| r.meta.scenario == scenario)
            .map(|r| r.id)
            .max())
    }

    /// A run's allocation as a previous proposal to keep close to (its `run` set).
    pub fn proposal(&self, id: RunId) -> Result<crate::model::Previous, RecordError> {
        let rows = self.rows(id)?.into_iter().map(|row| {
            let worker = row.worker_id.as_deref().map(crate::model::WorkerId::from);
            (crate::model::CaseId::from(row.case_id.as_str()), worker)
        });
        let mut previous = crate::model::Previous::from_rows(rows);
        previous.run = Some(id);
        Ok(previous)
    }

    /// A run's loads, by worker id.
    pub fn loads(&self, id: RunId) -> Result<Vec<LoadRecord>, RecordError> {
        self.store.loads(id)
    }

    /// A run's input files, by name, verified against their SHA-256.
    pub fn inputs(&self, id: RunId) -> Result<Vec<InputFile>, RecordError> {
        self.store.inputs(id)
    }

    /// What changed from run `a` to run `b`, with the decisions taken or withdrawn in
    /// between.
    pub fn diff(&self, a: RunId, b: RunId) -> Result<RunDiff, RecordError> {
        let (ra, rb) = (self.run(a)?, self.run(b)?);
        let mut d = diff(
            &self.rows(a)?,
            &self.rows(b)?,
            &self.loads(a)?,
            &self.loads(b)?,
            Some((ra.meta.objective, rb.meta.objective)),
        );
        d.decisions = self.store.decisions_between(a, b)?;
        Ok(d)
    }

    /// Takes a decision on the newest run's proposal: `accept` and `reject` keep the
    /// worker that run proposed, or the one the case had before it; `assign` and `never`
    /// name one of its workers. Replaces the standing decisions on the case it
    /// contradicts. Refuses a case or worker the newest run does not have.
    pub fn decide(&mut self, decision: &NewDecision) -> Result<DecisionRecord, RecordError> {
        self.store.decide(decision)
    }

    /// Takes several decisions in one transaction: all of them, or none when one is
    /// refused (see [`Record::decide`]).
    pub fn decide_all(
        &mut self,
        decisions: &[NewDecision],
    ) -> Result<Vec<DecisionRecord>, RecordError> {
        self.store.decide_all(decisions)
    }

    /// Withdraws a standing decision (`by`: who withdraws it).
    pub fn withdraw(&mut self, id: i64, by: &str) -> Result<DecisionRecord, RecordError> {
        self.store.withdraw(id, by)
    }

    /// The standing decisions, by id: what the next run applies.
    pub fn standing(&self) -> Result<Vec<Decision>, RecordError> {
        Ok(self
            .store
            .decisions(true)?
            .into_iter()
            .map(|d| d.decision)
            .collect())
    }

    /// Every decision ever taken, withdrawn ones included, by id.
    pub fn decisions(&self) -> Result<Vec<DecisionRecord>, RecordError> {
        self.store.decisions(false)
    }

    /// What run `id` made of the decisions standing when it ran, by decision id.
    pub fn run_decisions(&self, id: RunId) -> Result<Vec<DecisionOutcome>, RecordError> {
        self.store.run_decisions(id)
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_reading;
