//! The part scheduler: each part's program handed to HiGHS with its MIP start, settings
//! and fair share of the time, parts run in parallel in order of priority, and a second
//! attempt at a part merged with the first.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use highs::HighsModelStatus;

use super::bp::{self, BpSettings};
use super::cache::PartKey;
use super::highs::{configure, relaxation_bound, set_option, MipSettings};
use super::{higher, lock, Engine, Formulation, Part, SolveOptions, SolverChoice, Status};
use crate::error::{Error, Infeasibility, Result, SolverError};
use crate::model::{Allocation, Instance};

/// The lower bound HiGHS proved for a part. A part without integer columns (every unit
/// in it has nobody eligible) is a plain LP: HiGHS reports no MIP bound (and an infinite
/// gap), and its optimal objective is exact.
pub(super) fn part_bound(
    solved: &highs::SolvedModel,
    status: Status,
    has_solution: bool,
) -> Option<f64> {
    if status == Status::Optimal && has_solution && !solved.mip_gap().is_finite() {
        return Some(solved.objective_value());
    }
    solved
        .double_info_value(c"mip_dual_bound")
        .ok()
        .filter(|b| b.is_finite())
}

/// Programs up to this many columns (a team) are solved without HiGHS's RINS and RENS
/// sub-MIP heuristics and without restarts: there they rarely improve on the local-search
/// start, and a restart repeats the cut loop; on generated trusts (30 teams of about 600
/// columns, three seeds) the parts reach proven optimality 1.8× faster without them.
/// Larger programs keep them: at a time limit they find the good allocations (Yagiura
/// GAP types C, D and E at 10 s end 0.1–0.7 points further from the best known without).
pub(super) const SMALL_PART_COLUMNS: usize = 1_000;

/// Solves parts in parallel on a local pool of `threads` threads, `part_threads` HiGHS
/// threads each. Parts in decreasing order of priority (the most to gain over the start
/// when their LP bound is known, else the largest), each thread taking the next part
/// when it is done, so a hard part found last does not leave the others idle.
///
/// `counted`: each part done is one of the parts the watch was started with (the first
/// pass); a second pass over unfinished parts, or pairs of teams re-solved to improve
/// the allocation, are not new parts and leave the count alone.
pub(super) fn solve_parts(
    jobs: Vec<PartJob<'_>>,
    threads: usize,
    part_threads: usize,
    deadline: Instant,
    options: &SolveOptions,
    counted: bool,
) -> Result<Vec<Result<PartOutcome>>> {
    let workers = threads.clamp(1, jobs.len().max(1));
    let settings = PartSettings {
        deadline,
        parts: jobs.len(),
        started: AtomicUsize::new(0),
        workers,
        threads: part_threads,
        mip_gap: options.mip_gap,
        log: options.log,
        watch: options.watch.as_deref(),
        counted,
        solver: options.solver,
    };
    // One thread: solve on this thread (a what-if batch calls this from its own pool, and
    // HiGHS keeps per-thread state: a fresh thread per solve would start it anew each time).
    if workers == 1 {
        return Ok(jobs.into_iter().map(|job| settings.run(job)).collect());
    }
    let pool = pool_of(workers)?;
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by(|&a, &b| {
        jobs[b]
            .priority
            .total_cmp(&jobs[a].priority)
            .then(a.cmp(&b))
    });
    let n = jobs.len();
    let queue: Vec<Mutex<Option<PartJob>>> =
        jobs.into_iter().map(|job| Mutex::new(Some(job))).collect();
    let done: Vec<Mutex<Option<Result<PartOutcome>>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    pool.scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|_| {
                while let Some(&i) = order.get(next.fetch_add(1, Ordering::SeqCst)) {
                    let job = lock(&queue[i]).take();
                    if let Some(job) = job {
                        *lock(&done[i]) = Some(settings.run(job));
                    }
                }
            });
        }
    });
    Ok(done
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(PoisonError::into_inner)
                .unwrap_or(Err(Error::Solver(SolverError::PartNotSolved)))
        })
        .collect())
}

/// A part's program, ready to hand to HiGHS.
pub(super) struct PartJob<'a> {
    pub(super) formulation: Formulation<'a>,
    mip_start: Option<Vec<f64>>,
    /// The start's decision for each unit of the part (when feasible), for
    /// branch-and-price.
    start: Option<Vec<(usize, Option<usize>)>>,
    /// The program's cache key, when asked for.
    pub(super) key: Option<PartKey>,
    /// The optimum of the part's LP relaxation, when computed: a bound on the part even
    /// if HiGHS never gets to it.
    lp_bound: Option<f64>,
    /// Parts are solved in decreasing order of this: by default their size.
    priority: f64,
}

/// How every part is solved.
struct PartSettings<'w> {
    deadline: Instant,
    /// Parts in all, parts started so far, and parts solved at once: each part gets at
    /// least its fair share of the time left, so the last ones are not starved.
    parts: usize,
    started: AtomicUsize,
    workers: usize,
    threads: usize,
    mip_gap: f64,
    log: bool,
    /// Told of each part done; its stop flag ends the solve early.
    watch: Option<&'w super::Watch>,
    /// Whether a part done counts in the watch's progress.
    counted: bool,
    /// HiGHS, branch-and-price, or each where it fits.
    solver: SolverChoice,
}

impl PartSettings<'_> {
    /// Solves one part and tells the watch.
    fn run(&self, job: PartJob<'_>) -> Result<PartOutcome> {
        let outcome = job.run(self);
        if let (Some(watch), true) = (self.watch, self.counted) {
            watch.part_done();
        }
        outcome
    }

    /// Whether the time is up or the solve was cancelled.
    fn over(&self) -> bool {
        Instant::now() >= self.deadline || self.watch.is_some_and(|w| w.cancelled())
    }
}

/// What solving a part gave.
pub(super) struct PartOutcome {
    pub(super) part: Part,
    pub(super) decisions: Vec<(usize, Option<usize>)>,
    pub(super) status: Status,
    pub(super) bound: Option<f64>,
    pub(super) solver_objective: Option<f64>,
    /// The solver that solved it (`None`: nothing to decide, or not solved).
    pub(super) engine: Option<Engine>,
}

impl<'a> PartJob<'a> {
    /// The program of a part, with the part of `start` as its MIP start; with its cache
    /// key when given the solver settings that go into it (see [`PartKey::of`]).
    pub(super) fn new(
        instance: &'a Instance,
        part: Part,
        start: Option<&Allocation>,
        key_settings: Option<&[u64]>,
    ) -> Self {
        let formulation = Formulation::build_part(instance, part);
        let mip_start = start.map(|start| formulation.column_values(start));
        let part_start = start.map(|start| {
            let part = formulation.part();
            part.units.iter().map(|&u| (u, start.units[u])).collect()
        });
        let key =
            key_settings.map(|settings| PartKey::of(&formulation, mip_start.as_deref(), settings));
        let priority = formulation.columns() as f64;
        PartJob {
            formulation,
            mip_start,
            start: part_start,
            key,
            lp_bound: None,
            priority,
        }
    }

    /// Solves the part's LP relaxation (a few milliseconds for a team) for its bound, and
    /// ranks the part by how much the solver could gain on `start_cost`, the part's cost
    /// in the starting allocation: under a time limit too short for every part, the
    /// parts with most to gain are solved first, and those never reached still have a
    /// bound.
    /// A larger part's relaxation is given until `deadline`, and none is started after it;
    /// a small part's ([`SMALL_PART_COLUMNS`]) is solved whatever the time.
    pub(super) fn with_lp_bound(mut self, start_cost: f64, deadline: Instant) -> Result<Self> {
        let columns = self.formulation.columns();
        let small = columns <= SMALL_PART_COLUMNS;
        if columns == 0 || (!small && Instant::now() >= deadline) {
            return Ok(self);
        }
        let relaxation =
            Formulation::build_part(self.formulation.instance(), self.formulation.part().clone());
        let until = (!small).then_some(deadline);
        if let Some(bound) = relaxation_bound(relaxation, until, None)? {
            self.lp_bound = Some(bound);
            self.priority = start_cost - bound;
        }
        Ok(self)
    }

    fn run(mut self, settings: &PartSettings) -> Result<PartOutcome> {
        let part = self.formulation.part().clone();
        if self.formulation.columns() == 0 {
            return Ok(PartOutcome {
                part,
                decisions: Vec::new(),
                status: Status::Optimal,
                bound: None,
                solver_objective: Some(0.0),
                engine: None,
            });
        }
        // A large part reached after the deadline is not handed to HiGHS (setting it up
        // alone takes time): it keeps the start, with its LP bound if known. A small one
        // is, at no cost: its presolve may still prove the rules contradictory.
        let small = self.formulation.columns() <= SMALL_PART_COLUMNS;
        if !small && settings.over() {
            settings.started.fetch_add(1, Ordering::SeqCst);
            return Ok(PartOutcome {
                part,
                decisions: Vec::new(),
                status: Status::TimeLimit,
                bound: self.lp_bound,
                solver_objective: None,
                engine: None,
            });
        }
        if let Some(outcome) = self.branch_and_price(settings) {
            return Ok(outcome);
        }
        // Handed to HiGHS only now: a part answered from the cache never is.
        let mut model = self
            .formulation
            .take_highs_problem()
            .try_into_inner()
            .map_err(|e| Error::Solver(SolverError::Program(e)))?;
        let remaining = settings
            .deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64();
        let not_started = settings.parts - settings.started.fetch_add(1, Ordering::SeqCst);
        let rounds = not_started.div_ceil(settings.workers).max(1);
        // Its fair share of the time left, or a quarter of it if that is more: hard parts
        // are few, and one cut short must start again in the second pass.
        let share = (remaining / rounds as f64).max(remaining * 0.25);
        let mip = MipSettings {
            time_limit: share,
            threads: settings.threads,
            log: settings.log,
            small,
            watch: settings.watch,
        };
        configure(&mut model, &mip)?;
        set_option(&mut model, "mip_rel_gap", settings.mip_gap)?;
        if let Some(values) = &self.mip_start {
            model
                .try_set_solution(Some(values), None, None, None)
                .map_err(|status| Error::Solver(SolverError::MipStart { status }))?;
        }
        let solved = model
            .try_solve()
            .map_err(|status| Error::Solver(SolverError::Run { status }))?;
        let status = mip_status(&solved)?;
        let has_solution = solved.primal_solution_status() == highs::HighsSolutionStatus::Feasible;
        let decisions = if has_solution {
            self.formulation.decisions(solved.get_solution().columns())
        } else {
            Vec::new()
        };
        Ok(PartOutcome {
            part,
            decisions,
            status,
            bound: higher(part_bound(&solved, status, has_solution), self.lp_bound),
            solver_objective: has_solution.then(|| solved.objective_value()),
            engine: Some(Engine::Highs),
        })
    }

    /// Solves the part by branch-and-price when the settings ask for it and it takes the
    /// part (`None`: HiGHS solves it).
    fn branch_and_price(&self, settings: &PartSettings) -> Option<PartOutcome> {
        if !settings.solver.tries_bp(self.formulation.columns()) {
            return None;
        }
        let remaining = settings
            .deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64();
        let not_started = settings.parts - settings.started.load(Ordering::SeqCst);
        let rounds = not_started.div_ceil(settings.workers).max(1);
        let share = (remaining / rounds as f64).max(remaining * 0.25);
        let cancelled = || settings.watch.is_some_and(|w| w.cancelled());
        let bp_settings = BpSettings {
            gap: settings.mip_gap,
            deadline: Instant::now() + std::time::Duration::from_secs_f64(share),
            cancelled: &cancelled,
        };
        let outcome =
            bp::solve_part(&self.formulation, self.start.as_deref(), &bp_settings).ok()?;
        settings.started.fetch_add(1, Ordering::SeqCst);
        Some(PartOutcome {
            part: self.formulation.part().clone(),
            decisions: outcome.decisions,
            status: outcome.status,
            bound: higher(Some(outcome.bound), self.lp_bound),
            solver_objective: Some(outcome.objective),
            engine: Some(Engine::Bp),
        })
    }
}

/// A MIP's status as a [`Status`]: optimal, or stopped by a limit or a cancel; a proof
/// of infeasibility is [`Infeasibility::Proved`].
pub(super) fn mip_status(solved: &highs::SolvedModel) -> Result<Status> {
    match solved.status() {
        HighsModelStatus::Optimal => Ok(Status::Optimal),
        HighsModelStatus::ReachedTimeLimit
        | HighsModelStatus::ReachedIterationLimit
        | HighsModelStatus::ReachedSolutionLimit
        | HighsModelStatus::ReachedInterrupt
        | HighsModelStatus::ReachedMemoryLimit => Ok(Status::TimeLimit),
        HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible => {
            Err(Error::Infeasible(Infeasibility::Proved))
        }
        other => Err(Error::Solver(SolverError::Stopped { status: other })),
    }
}

impl PartOutcome {
    /// Takes in a second attempt at the same part: its allocation if better, the better
    /// of the two bounds, and its status.
    pub(super) fn merge(&mut self, again: PartOutcome) {
        let better = match (again.solver_objective, self.solver_objective) {
            (Some(new), Some(old)) => new < old,
            (new, _) => new.is_some(),
        };
        if better && !again.decisions.is_empty() {
            self.decisions = again.decisions;
            self.solver_objective = again.solver_objective;
            self.engine = again.engine;
        }
        self.bound = higher(self.bound, again.bound);
        self.status = again.status;
    }
}

/// A pool of `workers` threads for a solve's parts.
pub(super) fn pool_of(workers: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .map_err(|e| {
            Error::Solver(SolverError::Threads {
                reason: e.to_string(),
            })
        })
}
