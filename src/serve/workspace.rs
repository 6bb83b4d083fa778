//! A manager's workspace: the scenario as read, the record, the current proposal and the
//! one before it. Every solve applies the standing decisions, is a run on the record,
//! and reuses the parts of the last solve that did not change (the part cache).
//!
//! Nothing waits for a solve. A solve reads the standing decisions (a moment's hold on
//! the record), solves that snapshot with no lock held, then records its run and
//! publishes the new proposal in one short step (the record held, so that a decision is
//! judged against the proposal that is current when it arrives). Reads, decisions,
//! progress and cancel meanwhile answer at once; a decision taken during a solve is kept
//! and shown as not yet in the proposal. A cancelled solve stops within moments and
//! publishes its best allocation so far, with status `time_limit`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::proposal::Proposal;
use crate::error::Error;
use crate::model::{Instance, Scenario};
use crate::record::{DecisionRecord, InputFile, NewDecision, NewRun, Record, RecordError};
use crate::report::{Outputs, Timings};
use crate::solve::{solve_with_cache, PartCache, Progress, Solution, SolveOptions, Watch};
use crate::validate::{apply_decisions, verdict, DecisionOutcome};

/// What can go wrong in the workspace.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// The library failed (invalid input, infeasible, solver, files).
    #[error(transparent)]
    Caseload(#[from] Error),
    /// The record failed.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// A why-not trial solve was cancelled: nothing recorded, the proposal unchanged.
    #[error("the trial solve was cancelled: nothing was recorded and the proposal is unchanged")]
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

/// A standing decision as `GET /api/decisions` shows it.
#[derive(Serialize)]
pub struct StandingDecision {
    /// The decision as kept.
    #[serde(flatten)]
    pub record: DecisionRecord,
    /// Whether it applies to the scenario, judged now.
    pub applies: bool,
    /// Why not, in words (empty when it applies).
    pub why: String,
    /// Whether the current proposal includes it (false: taken since its solve began).
    pub in_proposal: bool,
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
        let standing = record.standing()?;
        // The first proposal keeps close to the newest recorded run of this folder (the
        // nightly run's, or the last session's).
        let first_options = match record.newest_run_of(&dir.display().to_string())? {
            Some(run) => SolveOptions {
                previous: Some(Arc::new(record.proposal(run)?)),
                ..options.clone()
            },
            None => options.clone(),
        };
        let solved = solve_snapshot(&scenario, &standing, &cache, &first_options)?;
        let rendered = render(solved, &inputs, &options, by, dir)?;
        let first = record_proposal(rendered, &mut record)?;
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
            previous: Some(Arc::new(self.current().as_previous())),
            ..self.options.clone()
        };
        (options, RunningGuard(&self.running))
    }

    /// Solves again with the standing decisions; the new proposal becomes current and the
    /// old one previous. No lock is held while it solves (see the module doc). A cancelled
    /// solve ([`Workspace::cancel`]) ends within moments with its best allocation so far
    /// (status `time_limit`), recorded and shown like any other. Blocking: call it off the
    /// async runtime.
    pub fn resolve(&self) -> Result<Arc<Proposal>, WorkspaceError> {
        let (options, _running) = self.watched();
        let standing = self.record().standing()?;
        let solved = solve_snapshot(&self.scenario, &standing, &self.cache, &options)?;
        let rendered = render(solved, &self.inputs, &options, &self.by, &self.dir)?;
        // Record and publish in one step, the record held: a decision arriving now waits
        // for these few milliseconds and is then judged on the new run.
        let mut record = self.record();
        let proposal = Arc::new(record_proposal(rendered, &mut record)?);
        let old = self.current();
        if let Ok(mut previous) = self.previous.write() {
            *previous = Some(old);
        }
        if let Ok(mut current) = self.current.write() {
            *current = Arc::clone(&proposal);
        }
        drop(record);
        Ok(proposal)
    }

    /// Takes a decision and judges it at once against the scenario and the standing
    /// decisions ([`crate::validate::verdict`]), without a solve: the same judgement the
    /// next solve makes. A decision that will not apply is recorded all the same.
    pub fn decide(
        &self,
        new: &NewDecision,
    ) -> Result<(DecisionRecord, DecisionOutcome), WorkspaceError> {
        let mut record = self.record();
        let taken = record.decide(new)?;
        let standing = record.standing()?;
        drop(record);
        let id = taken.decision.id;
        let outcome =
            verdict(&self.scenario, &standing, id).ok_or_else(|| RecordError::UnknownDecision {
                path: self.record_path.clone(),
                id,
            })?;
        Ok((taken, outcome))
    }

    /// The standing decisions, each judged now against the scenario (`applies`, `why`)
    /// and marked whether the current proposal includes it (`in_proposal`: false for one
    /// taken since its solve began).
    pub fn standing(&self) -> Result<Vec<StandingDecision>, WorkspaceError> {
        let all = self.record().decisions()?;
        let standing: Vec<DecisionRecord> =
            all.into_iter().filter(|d| d.withdrawn.is_none()).collect();
        let decisions: Vec<crate::model::Decision> =
            standing.iter().map(|d| d.decision.clone()).collect();
        let (_, outcomes) = apply_decisions(&self.scenario, &decisions);
        let current = self.current();
        Ok(standing
            .into_iter()
            .zip(outcomes)
            .map(|(record, outcome)| StandingDecision {
                in_proposal: current.judged(record.decision.id),
                applies: outcome.applied,
                why: outcome.why,
                record,
            })
            .collect())
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

/// A solve of one snapshot of the standing decisions, not yet recorded.
struct Solved {
    instance: Instance,
    solution: Solution,
    decisions: Vec<DecisionOutcome>,
}

/// Applies the standing decisions and solves, reusing cached parts. No lock is held.
fn solve_snapshot(
    scenario: &Scenario,
    standing: &[crate::model::Decision],
    cache: &PartCache,
    options: &SolveOptions,
) -> Result<Solved, WorkspaceError> {
    let (decided, decisions) = apply_decisions(scenario, standing);
    let instance = Instance::new(&decided).map_err(Error::from)?;
    let solution = solve_with_cache(&instance, options, Some(cache))?;
    Ok(Solved {
        instance,
        solution,
        decisions,
    })
}

/// A solve's outputs rendered and its run ready to record: everything but the writing,
/// done before the record is held.
struct Rendered {
    instance: Instance,
    solution: Solution,
    outputs: Outputs,
    decisions: Vec<DecisionOutcome>,
    run: NewRun,
}

/// Renders a solve's outputs and prepares its run (no lock held).
fn render(
    solved: Solved,
    inputs: &[InputFile],
    options: &SolveOptions,
    by: &str,
    dir: &Path,
) -> Result<Rendered, WorkspaceError> {
    let Solved {
        instance,
        solution,
        decisions,
    } = solved;
    let timings = Timings {
        read: Duration::ZERO,
        build: solution.build_time,
        solve: solution.solve_time,
        write: Duration::ZERO,
    };
    let outputs = Outputs::render(&instance, &solution, timings, Some(&decisions))?;
    let mut inputs = inputs.to_vec();
    inputs.extend(crate::record::previous_input(&solution)?);
    let run = NewRun::of_outputs(
        &instance,
        &outputs,
        options,
        by,
        &dir.display().to_string(),
        inputs,
        decisions.clone(),
    )?;
    Ok(Rendered {
        instance,
        solution,
        outputs,
        decisions,
        run,
    })
}

/// Records a rendered run: the proposal, with its run id.
fn record_proposal(rendered: Rendered, record: &mut Record) -> Result<Proposal, WorkspaceError> {
    let id = record.add_run(&rendered.run)?;
    Ok(Proposal::new(
        id,
        rendered.instance,
        rendered.solution,
        rendered.outputs,
        rendered.decisions,
    ))
}
