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
//!
//! Many at once: re-solves asked for while one runs are done together by the next one
//! ([`Workspace::ask`], [`Workspace::covered`]), which takes every decision committed
//! before it starts; none is lost, and thirty managers asking make two solves, not thirty.
//!
//! The record is shared with the nightly job: [`Workspace::look`] finds a run of the same
//! scenario that another process recorded (a second connection, one look at the run
//! table's key), and [`Workspace::adopt`] makes it the current proposal as it was
//! recorded (its inputs, its decisions, its allocation), without solving it again.
//! Decisions taken since it began stand and are applied by the next re-solve, as any
//! decision taken during a solve.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::proposal::{Base, Made, Proposal};
use crate::error::Error;
use crate::model::{Instance, Scenario};
use crate::record::{DecisionRecord, NewDecision, NewRun, Record, RecordError};
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
    /// The scenario folder as other runs on the record name it (canonical, when it can be).
    names: Vec<String>,
    record: Mutex<Record>,
    /// A second connection to the record, for looking for other processes' runs without
    /// waiting behind decisions.
    watcher: Mutex<Record>,
    /// The runs this workspace recorded, and the newest run of the record looked at.
    seen: Mutex<Seen>,
    /// Re-solves asked for, and the newest ask a finished solve covered.
    asks: Mutex<Asks>,
    cache: PartCache,
    current: RwLock<Arc<Proposal>>,
    previous: RwLock<Option<Arc<Proposal>>>,
    /// Held while a solve runs: one at a time.
    pub solving: tokio::sync::Mutex<()>,
    /// The running solve's watch, and when it started.
    running: Mutex<Option<(Arc<Watch>, Instant)>>,
}

mod adopt;
mod many;
mod nightly;

use many::{at_low_priority, Asks};
use nightly::Seen;

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
        let base = Arc::new(Base {
            inputs: crate::record::read_inputs(dir)?,
            scenario: crate::io::read::load_scenario(dir)?,
        });
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
        let solved = solve_snapshot(&base.scenario, &standing, &cache, &first_options)?;
        let rendered = render(solved, base, &options, by, dir)?;
        let first = record_proposal(rendered, &mut record)?;
        let watcher = Record::open(record_path)?;
        let mut names = vec![dir.display().to_string()];
        if let Ok(canonical) = dir.canonicalize() {
            names.push(canonical.display().to_string());
        }
        let seen = Seen {
            own: BTreeSet::from([first.run]),
            upto: record.last_run()?.unwrap_or(first.run),
            pending: None,
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            record_path: record_path.to_path_buf(),
            by: by.to_string(),
            options,
            names,
            record: Mutex::new(record),
            watcher: Mutex::new(watcher),
            seen: Mutex::new(seen),
            asks: Mutex::new(Asks::default()),
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

    /// The scenario as read (without decisions): the current proposal's.
    pub fn scenario(&self) -> Arc<Base> {
        Arc::clone(&self.current().base)
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
        self.resolve_on(self.scenario())
    }

    /// [`Workspace::resolve`] on the inputs of `base`.
    fn resolve_on(&self, base: Arc<Base>) -> Result<Arc<Proposal>, WorkspaceError> {
        let (options, _running) = self.watched();
        let standing = self.record().standing()?;
        let solved =
            at_low_priority(|| solve_snapshot(&base.scenario, &standing, &self.cache, &options))?;
        let rendered = render(solved, base, &options, &self.by, &self.dir)?;
        // Record and publish in one step, the record held: a decision arriving now waits
        // for these few milliseconds and is then judged on the new run. The run is known
        // as this workspace's before the watcher can see it.
        let mut record = self.record();
        let mut seen = lock(&self.seen);
        let proposal = Arc::new(record_proposal(rendered, &mut record)?);
        seen.own.insert(proposal.run);
        drop(seen);
        self.publish(Arc::clone(&proposal));
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
        let base = self.scenario();
        let outcome =
            verdict(&base.scenario, &standing, id).ok_or_else(|| RecordError::UnknownDecision {
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
        let current = self.current();
        let (_, outcomes) = apply_decisions(&current.base.scenario, &decisions);
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
        let base = self.scenario();
        let (decided, outcomes) = apply_decisions(&base.scenario, &standing);
        let instance = Instance::new(&decided).map_err(Error::from)?;
        let (options, _running) = self.watched();
        let solution =
            at_low_priority(|| solve_with_cache(&instance, &options, Some(&self.cache)))?;
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
    base: Arc<Base>,
    instance: Instance,
    solution: Solution,
    outputs: Outputs,
    decisions: Vec<DecisionOutcome>,
    run: NewRun,
}

/// Renders a solve's outputs and prepares its run (no lock held).
fn render(
    solved: Solved,
    base: Arc<Base>,
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
    let mut inputs = base.inputs.clone();
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
        base,
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
    let made = Made {
        at: record.run(id)?.at,
        by: rendered.run.meta.by.clone(),
        adopted: false,
    };
    Ok(Proposal::new(
        (id, made),
        rendered.base,
        rendered.instance,
        rendered.solution,
        rendered.outputs,
        rendered.decisions,
    ))
}
