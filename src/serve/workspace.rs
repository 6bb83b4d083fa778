//! A manager's workspace: the scenario as read, the record, the current proposal and the
//! one before it. Every solve applies the standing decisions, is a run on the record,
//! and reuses the parts of the last solve that did not change (the part cache).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::Error;
use crate::model::{Instance, Scenario};
use crate::record::{InputFile, NewRun, Record, RecordError, RunId};
use crate::report::bands::rag;
use crate::report::{Outputs, Summary, Timings};
use crate::solve::{solve_with_cache, PartCache, Progress, Solution, SolveOptions, Watch};
use crate::validate::{apply_decisions, DecisionOutcome};

/// What can go wrong in the workspace.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// The library failed (invalid input, infeasible, solver, files).
    #[error(transparent)]
    Caseload(#[from] Error),
    /// The record failed.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// The solve was cancelled: nothing recorded, the proposal unchanged.
    #[error("the solve was cancelled: nothing was recorded and the proposal is unchanged")]
    Cancelled,
}

/// A running solve as `GET /api/solve/progress` shows it.
#[derive(Clone, Copy, Debug)]
pub struct Running {
    /// Parts solved, of how many.
    pub progress: Progress,
    /// Seconds since it started.
    pub elapsed_s: f64,
    /// Whether it was asked to stop.
    pub cancelled: bool,
}

/// One solved proposal, kept whole: what the page shows and what is exported.
pub struct Proposal {
    /// Its run on the record.
    pub run: RunId,
    /// The instance it solved (the inputs with the decisions applied).
    pub instance: Instance,
    /// The solution.
    pub solution: Solution,
    /// Its files, rendered once.
    pub outputs: Outputs,
    /// What it made of each standing decision.
    pub decisions: Vec<DecisionOutcome>,
}

/// The JSON of `GET /api/proposal`.
#[derive(Serialize)]
pub struct ProposalJson<'a> {
    /// The run on the record.
    pub run: RunId,
    /// As `summary.json`.
    pub summary: &'a Summary,
    /// As `allocation.csv`, a row an object.
    pub allocation: Vec<Map<String, Value>>,
    /// As `loads.csv`, a row an object (numbers as numbers), with the worker's name.
    pub loads: Vec<Map<String, Value>>,
}

/// The rows of a CSV text as JSON objects (numbers where a cell reads as one, except in
/// id columns).
fn csv_objects(text: &str) -> Vec<Map<String, Value>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(_) => return Vec::new(),
    };
    reader
        .records()
        .filter_map(Result::ok)
        .map(|r| {
            header
                .iter()
                .zip(r.iter())
                .map(|(k, v)| {
                    let value = match v.parse::<f64>() {
                        Ok(x) if !k.ends_with("_id") && k != "team" && x.is_finite() => {
                            serde_json::json!(x)
                        }
                        _ => Value::String(v.to_string()),
                    };
                    (k.clone(), value)
                })
                .collect()
        })
        .collect()
}

impl Proposal {
    /// The proposal as `GET /api/proposal` answers it.
    pub fn json(&self) -> ProposalJson<'_> {
        let mut loads = csv_objects(&self.outputs.loads);
        let policy = &self.instance.policy;
        for (w, row) in loads.iter_mut().enumerate() {
            let (Some(worker), Some(l)) = (
                self.instance.workers.get(w),
                self.solution.evaluation.loads.get(w),
            ) else {
                continue;
            };
            let cap = self.instance.capacity[w];
            let band = |load: f64| Value::String(rag(policy, load, cap).as_str().to_string());
            row.insert("name".into(), Value::String(worker.name.clone()));
            row.insert("available".into(), Value::Bool(worker.available));
            row.insert("band_before".into(), band(l.load_before));
            row.insert("band_after".into(), band(l.load_after));
        }
        ProposalJson {
            run: self.run,
            summary: &self.outputs.summary,
            allocation: csv_objects(&self.outputs.allocation),
            loads,
        }
    }
}

/// The workspace of one scenario folder.
pub struct Workspace {
    /// The scenario folder.
    pub dir: PathBuf,
    /// The record file.
    pub record_path: PathBuf,
    /// Who the runs and decisions are by when a request does not say.
    pub by: String,
    /// Solve options.
    pub options: SolveOptions,
    scenario: Scenario,
    inputs: Vec<InputFile>,
    record: Mutex<Record>,
    cache: PartCache,
    current: RwLock<Arc<Proposal>>,
    previous: RwLock<Option<Arc<Proposal>>>,
    /// Held while a solve runs: one at a time.
    pub solving: tokio::sync::Mutex<()>,
    /// The running solve's watch, and when it started.
    running: Mutex<Option<(Arc<Watch>, Instant)>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Workspace {
    /// Reads the scenario and its input files, opens (or creates) the record, and solves
    /// the first proposal (a run on the record).
    pub fn open(
        dir: &Path,
        record_path: &Path,
        by: &str,
        options: SolveOptions,
    ) -> Result<Self, WorkspaceError> {
        let mut record = Record::open(record_path)?;
        let inputs = crate::record::read_inputs(dir)?;
        let scenario = crate::io::read::load_scenario(dir)?;
        let cache = PartCache::new();
        let first = solve_proposal(&scenario, &inputs, &mut record, &cache, &options, by, dir)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            record_path: record_path.to_path_buf(),
            by: by.to_string(),
            options,
            scenario,
            inputs,
            record: Mutex::new(record),
            cache,
            current: RwLock::new(Arc::new(first)),
            previous: RwLock::new(None),
            solving: tokio::sync::Mutex::new(()),
            running: Mutex::new(None),
        })
    }

    /// The current proposal.
    pub fn current(&self) -> Arc<Proposal> {
        match self.current.read() {
            Ok(p) => Arc::clone(&p),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The proposal before the current one, if any.
    pub fn previous(&self) -> Option<Arc<Proposal>> {
        match self.previous.read() {
            Ok(p) => p.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The record, locked for this call.
    pub fn record(&self) -> MutexGuard<'_, Record> {
        lock(&self.record)
    }

    /// The scenario as read (without decisions).
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The running solve's progress, if one runs.
    pub fn running(&self) -> Option<Running> {
        lock(&self.running)
            .as_ref()
            .map(|(watch, started)| Running {
                progress: watch.progress(),
                elapsed_s: started.elapsed().as_secs_f64(),
                cancelled: watch.cancelled(),
            })
    }

    /// Asks the running solve to stop; `false` if none runs.
    pub fn cancel(&self) -> bool {
        match lock(&self.running).as_ref() {
            Some((watch, _)) => {
                watch.cancel();
                true
            }
            None => false,
        }
    }

    /// The options of a solve watched as the running one, until the guard drops.
    fn watched(&self) -> (SolveOptions, RunningGuard<'_>) {
        let watch = Arc::new(Watch::new());
        *lock(&self.running) = Some((Arc::clone(&watch), Instant::now()));
        let options = SolveOptions {
            watch: Some(watch),
            ..self.options.clone()
        };
        (options, RunningGuard(&self.running))
    }

    /// Solves again with the standing decisions; the new proposal becomes current and the
    /// old one previous. A cancelled solve ([`Workspace::cancel`]) is neither recorded nor
    /// shown: [`WorkspaceError::Cancelled`]. Blocking: call it off the async runtime.
    pub fn resolve(&self) -> Result<Arc<Proposal>, WorkspaceError> {
        let (options, _running) = self.watched();
        let mut record = self.record();
        let proposal = solve_proposal(
            &self.scenario,
            &self.inputs,
            &mut record,
            &self.cache,
            &options,
            &self.by,
            &self.dir,
        )?;
        drop(record);
        let proposal = Arc::new(proposal);
        let old = self.current();
        if let Ok(mut previous) = self.previous.write() {
            *previous = Some(old);
        }
        if let Ok(mut current) = self.current.write() {
            *current = Arc::clone(&proposal);
        }
        Ok(proposal)
    }

    /// Solves the scenario with the standing decisions plus `extra` (not recorded, the
    /// record untouched): what `why-not` compares against the proposal. Blocking.
    pub fn solve_with(
        &self,
        extra: &[crate::model::Decision],
    ) -> Result<(Solution, Vec<DecisionOutcome>), WorkspaceError> {
        let mut standing = self.record().standing()?;
        standing.extend_from_slice(extra);
        let (decided, outcomes) = apply_decisions(&self.scenario, &standing);
        let instance = Instance::new(&decided).map_err(Error::from)?;
        let (options, _running) = self.watched();
        let solution = solve_with_cache(&instance, &options, Some(&self.cache))?;
        if options.cancelled() {
            return Err(WorkspaceError::Cancelled);
        }
        Ok((solution, outcomes))
    }
}

/// Clears the running solve when it ends, however it ends.
struct RunningGuard<'a>(&'a Mutex<Option<(Arc<Watch>, Instant)>>);

impl Drop for RunningGuard<'_> {
    fn drop(&mut self) {
        *lock(self.0) = None;
    }
}

/// Applies the standing decisions, solves (reusing cached parts), renders and records
/// the run.
fn solve_proposal(
    scenario: &Scenario,
    inputs: &[InputFile],
    record: &mut Record,
    cache: &PartCache,
    options: &SolveOptions,
    by: &str,
    dir: &Path,
) -> Result<Proposal, WorkspaceError> {
    let (decided, decisions) = apply_decisions(scenario, &record.standing()?);
    let instance = Instance::new(&decided).map_err(Error::from)?;
    let solution = solve_with_cache(&instance, options, Some(cache))?;
    if options.cancelled() {
        return Err(WorkspaceError::Cancelled);
    }
    let timings = Timings {
        read: Duration::ZERO,
        build: solution.build_time,
        solve: solution.solve_time,
        write: Duration::ZERO,
    };
    let outputs = Outputs::render(&instance, &solution, timings, Some(&decisions))?;
    let run = NewRun::of_outputs(
        &instance,
        &outputs,
        options,
        by,
        &dir.display().to_string(),
        inputs.to_vec(),
        decisions.clone(),
    )?;
    let id = record.add_run(&run)?;
    Ok(Proposal {
        run: id,
        instance,
        solution,
        outputs,
        decisions,
    })
}
