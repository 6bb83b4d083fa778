//! Solving: the only place that knows about good_lp and HiGHS.
//!
//! [`solve`] builds the program of [`formulation`], hands HiGHS a feasible
//! [`start::starting_allocation`] as a MIP start, and reads back the best allocation with
//! its status, bound and gap. If HiGHS stops without an allocation better than the start,
//! the start is returned: a run never ends empty-handed while a feasible allocation exists.
//! [`solve_with_cache`] does the same, answering parts solved before from a [`PartCache`]
//! (a what-if batch solves each distinct team once).

pub mod cache;
pub mod candidates;
pub mod formulation;
pub mod parts;
pub mod pooled;
pub mod rules;
pub mod start;
mod state;
#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use highs::HighsModelStatus;

use crate::error::{Error, Result};
use crate::model::{Allocation, Evaluation, Instance};

pub use cache::PartCache;
pub use formulation::{Formulation, Part};
pub use start::starting_allocation;

/// How to solve. `None` fields fall back to the policy.
#[derive(Clone, Debug, PartialEq)]
pub struct SolveOptions {
    /// Wall-clock limit for the solve in seconds (default: `policy.time_limit_s`).
    pub time_limit_s: Option<f64>,
    /// Solver threads, 0 = all cores (default: `policy.threads`).
    pub threads: Option<u32>,
    /// Relative gap at which an allocation counts as optimal (default 1e-4, as HiGHS).
    pub mip_gap: f64,
    /// Print the solver's log to standard output.
    pub log: bool,
    /// Parts with more eligible (unit, worker) pairs than this are not handed to HiGHS
    /// whole but solved in passes, when they split into teams (see [`solve`]).
    pub large_part_pairs: usize,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            time_limit_s: None,
            threads: None,
            mip_gap: 1e-4,
            log: false,
            large_part_pairs: LARGE_PART_PAIRS,
        }
    }
}

/// Whether the allocation is proven optimal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Optimal within the relative gap tolerance.
    Optimal,
    /// The time limit stopped the search: the best allocation found, with its gap.
    TimeLimit,
}

impl Status {
    /// The word used in `summary.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Optimal => "optimal",
            Status::TimeLimit => "time_limit",
        }
    }
}

/// The result of a solve.
#[derive(Clone, Debug)]
pub struct Solution {
    /// The allocation of each unit.
    pub allocation: Allocation,
    /// The allocation evaluated: changes, loads, objective by term.
    pub evaluation: Evaluation,
    /// Optimal, or stopped by the time limit.
    pub status: Status,
    /// Lower bound on the objective of any allocation.
    pub bound: f64,
    /// Relative gap `(objective − bound) / objective` (0 when the objective is 0).
    pub gap: f64,
    /// Objective of the starting allocation handed to the solver.
    pub start_objective: f64,
    /// The objective as the solver computed it for its own answer (`None` when the solver
    /// did not run); equal to `evaluation.objective.total` when the formulation is right.
    pub solver_objective: Option<f64>,
    /// Time to build the program.
    pub build_time: Duration,
    /// Time spent in the solver.
    pub solve_time: Duration,
}

/// Solves an instance: the allocation minimising SPEC's objective under the hard rules.
///
/// Independent parts (see [`parts`]) are solved in parallel, one HiGHS thread each, on a
/// local pool of `threads` threads; a single part gets all the threads.
///
/// A part too large for HiGHS (more than `large_part_pairs` eligible pairs: in practice a
/// trust with cross-team eligibility) is solved in passes when it splits into teams:
/// first within teams (exactly, in parallel), then pairs of teams together
/// ([`candidates`]) starting from that allocation; its bound comes from [`pooled`], and
/// it is `optimal` only if that bound proves it.
pub fn solve(instance: &Instance, options: &SolveOptions) -> Result<Solution> {
    solve_with_cache(instance, options, None)
}

/// [`solve`], taking the answers of parts solved before from `cache` and adding the new
/// ones to it. The solution is the same as without the cache: a part is only taken from
/// it when its program, MIP start and solver settings are the same.
pub fn solve_with_cache(
    instance: &Instance,
    options: &SolveOptions,
    cache: Option<&PartCache>,
) -> Result<Solution> {
    let started = Instant::now();
    let time_limit = time_limit(instance, options);
    let parts = parts::split(instance);
    if candidates::largest_part_pairs(instance, &parts) > options.large_part_pairs {
        let within = candidates::within_teams(instance);
        let within_parts = parts::split(&within);
        if candidates::largest_part_pairs(&within, &within_parts) <= options.large_part_pairs {
            return solve_large(instance, &within, options, cache, started);
        }
    }
    // Local search gets at most a tenth of the time limit.
    let local_search_deadline = started + Duration::from_secs_f64(time_limit / 10.0);
    let start = start::improved_start(instance, local_search_deadline);
    solve_from(instance, parts, options, cache, start, started)
}

/// The time limit of a solve in seconds: the option's, else the policy's.
fn time_limit(instance: &Instance, options: &SolveOptions) -> f64 {
    options
        .time_limit_s
        .unwrap_or(instance.policy.time_limit_s)
        .max(0.0)
}

/// Default of [`SolveOptions::large_part_pairs`]: a 30-team trust with cross-team
/// eligibility is one part of 565,000 pairs, on which HiGHS had not finished its root LP
/// after 30 s and used 1.5 GB; its 30 teams are 400–2,600 pairs each.
pub const LARGE_PART_PAIRS: usize = 50_000;

/// Solves an instance whose largest part is too large for HiGHS, but which splits into
/// team-sized parts within teams (`within`): a bound first, the pooled LP (at most a tenth
/// of the time), then within teams (exactly, in parallel, with half the time left), then
/// pairs of teams re-solved together from that allocation ([`exchange_between_teams`])
/// with the rest. Meanwhile, on an instance of at most [`LP_BOUND_PAIRS`] pairs, the LP
/// relaxation of the whole gives a tighter bound: on a thread of its own when the solve
/// has two or more, else first, with at most half the time. No pass proves optimality
/// for the whole: the status is `optimal` only if the bound proves it.
fn solve_large(
    instance: &Instance,
    within: &Instance,
    options: &SolveOptions,
    cache: Option<&PartCache>,
    started: Instant,
) -> Result<Solution> {
    let time_limit = time_limit(instance, options);
    let deadline = started + Duration::from_secs_f64(time_limit);
    let pooled = pooled::bound(instance, Duration::from_secs_f64(time_limit / 10.0));
    let seconds_left = || {
        deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64()
    };
    // The whole program's LP relaxation, stopped at `until` (its time limit is set once
    // HiGHS has the program: building and handing it over take about a second here).
    let lp = |until: Instant| relaxation_bound(Formulation::build(instance), Some(until));
    let passes = || -> Result<(Solution, Allocation)> {
        let first_options = SolveOptions {
            time_limit_s: Some(seconds_left() / 2.0),
            ..options.clone()
        };
        let first = solve_with_cache(within, &first_options, cache)?;
        let best = exchange_between_teams(instance, first.allocation.clone(), deadline, options)?;
        Ok((first, best))
    };
    let pairs: usize = instance.units.iter().map(|u| u.eligible.len()).sum();
    let (first, best, lp_bound) = if pairs > LP_BOUND_PAIRS {
        let (first, best) = passes()?;
        (first, best, None)
    } else if solver_threads(instance, options) >= 2 {
        std::thread::scope(|scope| -> Result<_> {
            let relaxation = scope.spawn(|| lp(deadline));
            let (first, best) = passes()?;
            let bound = relaxation
                .join()
                .map_err(|_| Error::Solver("the LP bound's thread panicked".into()))??;
            Ok((first, best, bound))
        })?
    } else {
        let bound = lp(Instant::now() + Duration::from_secs_f64(seconds_left() / 2.0))?;
        let (first, best) = passes()?;
        (first, best, bound)
    };
    let bound = higher(pooled, lp_bound);
    let evaluation = instance.evaluate(&best);
    let objective = evaluation.objective.total;
    let proven = bound.is_some_and(|b| relative_gap(objective, b) <= options.mip_gap);
    let status = if proven {
        Status::Optimal
    } else {
        Status::TimeLimit
    };
    let mut solution = finish(
        best,
        evaluation,
        status,
        bound,
        first.build_time,
        started.elapsed().saturating_sub(first.build_time),
    );
    solution.start_objective = first.evaluation.objective.total;
    Ok(solution)
}

/// Longest a pair of teams is given in [`exchange_between_teams`].
const PAIR_TIME: Duration = Duration::from_secs(2);

/// Re-solves pairs of teams together around `best`, most promising first
/// ([`candidates::promising_team_pairs`]), keeping each change that lowers the objective,
/// until a sweep finds none or `deadline` passes. Pairs with no team in common are solved
/// side by side, one per solver thread.
fn exchange_between_teams(
    instance: &Instance,
    mut best: Allocation,
    deadline: Instant,
    options: &SolveOptions,
) -> Result<Allocation> {
    let threads = solver_threads(instance, options);
    let mut best_objective = instance.evaluate(&best).objective.total;
    loop {
        let mut improved = false;
        let mut queue = candidates::promising_team_pairs(instance, &best);
        while !queue.is_empty() {
            let now = Instant::now();
            if now >= deadline {
                return Ok(best);
            }
            let mut batch: Vec<[String; 2]> = Vec::with_capacity(threads);
            queue.retain(|pair| {
                let free = batch.len() < threads
                    && batch.iter().flatten().all(|team| !pair.contains(team));
                if free {
                    batch.push(pair.clone());
                }
                !free
            });
            let subs: Vec<(Instance, Part)> = batch
                .iter()
                .map(|teams| candidates::two_teams(instance, &best, [&teams[0], &teams[1]]))
                .collect();
            let jobs = subs
                .iter()
                .map(|(sub, part)| PartJob::new(sub, part.clone(), Some(&best)))
                .collect();
            let until = deadline.min(now + PAIR_TIME);
            for outcome in solve_parts(jobs, threads, 1, until, options)?
                .into_iter()
                .flatten()
            {
                let mut candidate = best.clone();
                for &(u, w) in &outcome.decisions {
                    candidate.units[u] = w;
                }
                if !hard_rule_breaches(instance, &candidate).is_empty() {
                    continue;
                }
                let objective = instance.evaluate(&candidate).objective.total;
                if objective < best_objective - 1e-6 {
                    best = candidate;
                    best_objective = objective;
                    improved = true;
                }
            }
        }
        if !improved {
            return Ok(best);
        }
    }
}

/// The optimum of a program's LP relaxation (one HiGHS thread), a lower bound on every
/// allocation it allows; `None` if HiGHS does not reach it by `deadline`. (Handing a
/// large program to HiGHS takes time of its own: about a second at 565,000 pairs.)
fn relaxation_bound(
    mut formulation: Formulation<'_>,
    deadline: Option<Instant>,
) -> Result<Option<f64>> {
    let mut model = formulation
        .take_highs_problem()
        .try_into_inner()
        .map_err(|e| Error::Solver(e.to_string()))?;
    set_option(&mut model, "output_flag", false)?;
    set_option(&mut model, "solve_relaxation", true)?;
    set_option(&mut model, "threads", 1)?;
    if let Some(deadline) = deadline {
        let seconds = deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64();
        set_option(&mut model, "time_limit", seconds)?;
    }
    let solved = model
        .try_solve()
        .map_err(|e| Error::Solver(format!("{e:?}")))?;
    Ok((solved.status() == HighsModelStatus::Optimal).then(|| solved.objective_value()))
}

/// Largest instance (eligible pairs) whose whole LP relaxation [`solve_large`] solves
/// for its bound: the 30-team cross-team trust (565,000 pairs) takes 6–7 s and about
/// 460 MB, and its LP bound is 3.4 % above the pooled one.
const LP_BOUND_PAIRS: usize = 750_000;

/// Solver threads: the option's, else the policy's; 0 = all cores.
fn solver_threads(instance: &Instance, options: &SolveOptions) -> usize {
    match options.threads.unwrap_or(instance.policy.threads) {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n as usize,
    }
}

/// Solves an instance split into `parts` from a starting allocation (handed to HiGHS if
/// feasible).
fn solve_from(
    instance: &Instance,
    parts: Vec<Part>,
    options: &SolveOptions,
    cache: Option<&PartCache>,
    start: Allocation,
    started: Instant,
) -> Result<Solution> {
    let time_limit = time_limit(instance, options);
    let deadline = started + Duration::from_secs_f64(time_limit);
    let start_eval = instance.evaluate(&start);
    let start_feasible = hard_rule_breaches(instance, &start).is_empty();
    let threads = solver_threads(instance, options);

    let part_threads = if parts.len() == 1 { threads } else { 1 };
    let settings = [options.mip_gap.to_bits(), part_threads as u64];
    let mip_start = start_feasible.then_some(&start);
    let mut slots: Vec<Option<Result<PartOutcome>>> = Vec::with_capacity(parts.len());
    let mut keys = Vec::with_capacity(parts.len());
    let (mut jobs, mut solved_slots) = (Vec::new(), Vec::new());
    for part in parts {
        let key = cache.map(|_| {
            cache::PartKey::of(instance, &part, mip_start.map(|s| &s.units[..]), &settings)
        });
        match cache.zip(key.as_ref()).and_then(|(c, k)| c.get(k)) {
            Some(hit) => slots.push(Some(Ok(PartOutcome {
                decisions: hit.decisions_for(&part),
                part,
                status: Status::Optimal,
                bound: hit.bound,
                solver_objective: hit.solver_objective,
            }))),
            None => {
                solved_slots.push(slots.len());
                slots.push(None);
                jobs.push(PartJob::new(instance, part, mip_start));
            }
        }
        keys.push(key);
    }
    if jobs.len() > 1 {
        let start_state = state::State::of(instance, &start);
        jobs = jobs
            .into_iter()
            .map(|job| {
                let part = job.formulation.part();
                let start_cost = start_state.local_cost(&part.units, &part.workers);
                job.with_lp_bound(start_cost)
            })
            .collect::<Result<_>>()?;
    }
    let build_time = started.elapsed();

    let solving = Instant::now();
    let fresh = solve_parts(jobs, threads, part_threads, deadline, options)?;
    for (&i, outcome) in solved_slots.iter().zip(fresh) {
        slots[i] = Some(outcome);
    }
    let mut outcomes = Vec::with_capacity(slots.len());
    for slot in slots {
        match slot.unwrap_or_else(|| Err(Error::Solver("a part was not solved".into()))) {
            Err(Error::Infeasible(_)) => return Err(infeasible(instance, &start)),
            other => outcomes.push(other?),
        }
    }
    if let Some(cache) = cache {
        for &i in &solved_slots {
            let (outcome, key) = (&outcomes[i], keys[i]);
            let answer = cache::CachedPart::new(
                &outcome.part,
                &outcome.decisions,
                outcome.bound,
                outcome.solver_objective,
            );
            if let (Some(key), Some(answer)) = (key, answer) {
                cache.put(key, outcome.status, answer);
            }
        }
    }
    // Each part had its fair share of the time; parts that used it up without proving
    // optimality get what the others left, starting from their best allocation.
    let unfinished: Vec<usize> = (0..outcomes.len())
        .filter(|&i| outcomes[i].status == Status::TimeLimit)
        .collect();
    let left = deadline.saturating_duration_since(Instant::now());
    if !unfinished.is_empty() && left > SECOND_PASS_MINIMUM {
        let mut best = start.clone();
        for outcome in &outcomes {
            for &(u, w) in &outcome.decisions {
                best.units[u] = w;
            }
        }
        let best_ok = hard_rule_breaches(instance, &best).is_empty();
        let jobs: Vec<PartJob> = unfinished
            .iter()
            .map(|&i| PartJob::new(instance, outcomes[i].part.clone(), best_ok.then_some(&best)))
            .collect();
        let part_threads = if jobs.len() == 1 { threads } else { 1 };
        let again = solve_parts(jobs, threads, part_threads, deadline, options)?;
        for (&i, outcome) in unfinished.iter().zip(again) {
            outcomes[i].merge(outcome?);
        }
    }
    let solve_time = solving.elapsed();

    let mut candidate = start.clone();
    let mut status = Status::Optimal;
    let mut bound = Some(0.0);
    let mut solver_objective = Some(0.0);
    let mut exact_parts = Vec::new();
    for outcome in outcomes {
        for &(u, w) in &outcome.decisions {
            candidate.units[u] = w;
        }
        if outcome.status == Status::TimeLimit {
            status = Status::TimeLimit;
        }
        // Every objective coefficient is ≥ 0, so 0 bounds a part the solver did not.
        match outcome.bound {
            Some(b) => bound = bound.map(|total| total + b.max(0.0)),
            None if outcome.status == Status::Optimal => exact_parts.push(outcome.part),
            None => {}
        }
        solver_objective = solver_objective
            .zip(outcome.solver_objective)
            .map(|(a, b)| a + b);
    }
    // Parts solved without the solver (nothing to decide) are exact: their own objective
    // is their bound.
    let candidate_ok = hard_rule_breaches(instance, &candidate).is_empty();
    if candidate_ok {
        let state = state::State::of(instance, &candidate);
        for part in &exact_parts {
            let own = state.local_cost(&part.units, &part.workers);
            bound = bound.map(|total| total + own);
        }
    }
    let candidate_eval = instance.evaluate(&candidate);
    let start_objective = start_eval.objective.total;
    let (allocation, evaluation) = match (candidate_ok, start_feasible) {
        (true, true) if start_objective < candidate_eval.objective.total => (start, start_eval),
        (true, _) => (candidate, candidate_eval),
        (false, true) => (start, start_eval),
        (false, false) if status == Status::TimeLimit => {
            return Err(Error::Solver(format!(
                "no allocation meeting every hard rule was found within the time limit of {time_limit} s \
                 (the starting allocation breaks: {}); allow more time",
                hard_rule_breaches(instance, &start).join("; ")
            )))
        }
        (false, false) => return Err(infeasible(instance, &start)),
    };
    let mut solution = finish(
        allocation, evaluation, status, bound, build_time, solve_time,
    );
    solution.start_objective = start_objective;
    solution.solver_objective = if candidate_ok { solver_objective } else { None };
    Ok(solution)
}

/// The lower bound HiGHS proved for a part. A part without integer columns (every unit
/// in it has nobody eligible) is a plain LP: HiGHS reports no MIP bound (and an infinite
/// gap), and its optimal objective is exact.
fn part_bound(solved: &highs::SolvedModel, status: Status, has_solution: bool) -> Option<f64> {
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
const SMALL_PART_COLUMNS: usize = 1_000;

/// Least time left for a second pass at unfinished parts to be worth starting.
const SECOND_PASS_MINIMUM: Duration = Duration::from_millis(50);

/// Solves parts in parallel on a local pool of `threads` threads, `part_threads` HiGHS
/// threads each. Parts in decreasing order of priority (the most to gain over the start
/// when their LP bound is known, else the largest), each thread taking the next part
/// when it is done, so a hard part found last does not leave the others idle.
fn solve_parts(
    jobs: Vec<PartJob<'_>>,
    threads: usize,
    part_threads: usize,
    deadline: Instant,
    options: &SolveOptions,
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
    };
    // One thread: solve on this thread (a what-if batch calls this from its own pool, and
    // HiGHS keeps per-thread state: a fresh thread per solve would start it anew each time).
    if workers == 1 {
        return Ok(jobs.into_iter().map(|job| job.run(&settings)).collect());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .map_err(|e| Error::Solver(format!("cannot start solver threads: {e}")))?;
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
                        *lock(&done[i]) = Some(job.run(&settings));
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
                .unwrap_or_else(|| Err(Error::Solver("a part was not solved".into())))
        })
        .collect())
}

/// Locks a mutex, even one a panicking thread left poisoned (the data is a plain slot).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A part's program, ready to hand to HiGHS.
struct PartJob<'a> {
    formulation: Formulation<'a>,
    problem: good_lp::solvers::highs::HighsProblem,
    mip_start: Option<Vec<f64>>,
    /// The optimum of the part's LP relaxation, when computed: a bound on the part even
    /// if HiGHS never gets to it.
    lp_bound: Option<f64>,
    /// Parts are solved in decreasing order of this: by default their size.
    priority: f64,
}

/// How every part is solved.
struct PartSettings {
    deadline: Instant,
    /// Parts in all, parts started so far, and parts solved at once: each part gets at
    /// least its fair share of the time left, so the last ones are not starved.
    parts: usize,
    started: AtomicUsize,
    workers: usize,
    threads: usize,
    mip_gap: f64,
    log: bool,
}

/// What solving a part gave.
struct PartOutcome {
    part: Part,
    decisions: Vec<(usize, Option<usize>)>,
    status: Status,
    bound: Option<f64>,
    solver_objective: Option<f64>,
}

impl<'a> PartJob<'a> {
    /// The program of a part, with the part of `start` as its MIP start.
    fn new(instance: &'a Instance, part: Part, start: Option<&Allocation>) -> Self {
        let mut formulation = Formulation::build_part(instance, part);
        let mip_start = start.map(|start| formulation.column_values(start));
        let problem = formulation.take_highs_problem();
        let priority = formulation.columns() as f64;
        PartJob {
            formulation,
            problem,
            mip_start,
            lp_bound: None,
            priority,
        }
    }

    /// Solves the part's LP relaxation (a few milliseconds for a team) for its bound, and
    /// ranks the part by how much the solver could gain on `start_cost`, the part's cost
    /// in the starting allocation: under a time limit too short for every part, the
    /// parts with most to gain are solved first, and those never reached still have a
    /// bound.
    fn with_lp_bound(mut self, start_cost: f64) -> Result<Self> {
        if self.formulation.columns() == 0 {
            return Ok(self);
        }
        let relaxation =
            Formulation::build_part(self.formulation.instance(), self.formulation.part().clone());
        if let Some(bound) = relaxation_bound(relaxation, None)? {
            self.lp_bound = Some(bound);
            self.priority = start_cost - bound;
        }
        Ok(self)
    }

    fn run(self, settings: &PartSettings) -> Result<PartOutcome> {
        let part = self.formulation.part().clone();
        if self.formulation.columns() == 0 {
            return Ok(PartOutcome {
                part,
                decisions: Vec::new(),
                status: Status::Optimal,
                bound: None,
                solver_objective: Some(0.0),
            });
        }
        let mut model = self
            .problem
            .try_into_inner()
            .map_err(|e| Error::Solver(e.to_string()))?;
        let remaining = settings
            .deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64();
        let not_started = settings.parts - settings.started.fetch_add(1, Ordering::SeqCst);
        let rounds = not_started.div_ceil(settings.workers).max(1);
        // Its fair share of the time left, or a quarter of it if that is more: hard parts
        // are few, and one cut short must start again in the second pass.
        let share = (remaining / rounds as f64).max(remaining * 0.25);
        set_option(&mut model, "output_flag", settings.log)?;
        set_option(&mut model, "log_to_console", settings.log)?;
        set_option(&mut model, "time_limit", share)?;
        set_option(&mut model, "threads", settings.threads as i32)?;
        set_option(&mut model, "mip_rel_gap", settings.mip_gap)?;
        set_option(&mut model, "random_seed", 0)?;
        if self.formulation.columns() <= SMALL_PART_COLUMNS {
            set_option(&mut model, "mip_heuristic_run_rins", false)?;
            set_option(&mut model, "mip_heuristic_run_rens", false)?;
            set_option(&mut model, "mip_allow_restart", false)?;
        }
        if let Some(values) = &self.mip_start {
            model
                .try_set_solution(Some(values), None, None, None)
                .map_err(|e| Error::Solver(format!("MIP start rejected: {e:?}")))?;
        }
        let solved = model
            .try_solve()
            .map_err(|e| Error::Solver(format!("{e:?}")))?;
        let status = match solved.status() {
            HighsModelStatus::Optimal => Status::Optimal,
            HighsModelStatus::ReachedTimeLimit
            | HighsModelStatus::ReachedIterationLimit
            | HighsModelStatus::ReachedSolutionLimit
            | HighsModelStatus::ReachedInterrupt
            | HighsModelStatus::ReachedMemoryLimit => Status::TimeLimit,
            HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible => {
                return Err(Error::Infeasible(String::new()));
            }
            other => {
                return Err(Error::Solver(format!(
                    "HiGHS stopped with status {other:?}"
                )))
            }
        };
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
        })
    }
}

impl PartOutcome {
    /// Takes in a second attempt at the same part: its allocation if better, the better
    /// of the two bounds, and its status.
    fn merge(&mut self, again: PartOutcome) {
        let better = match (again.solver_objective, self.solver_objective) {
            (Some(new), Some(old)) => new < old,
            (new, _) => new.is_some(),
        };
        if better && !again.decisions.is_empty() {
            self.decisions = again.decisions;
            self.solver_objective = again.solver_objective;
        }
        self.bound = higher(self.bound, again.bound);
        self.status = again.status;
    }
}

fn finish(
    allocation: Allocation,
    evaluation: Evaluation,
    status: Status,
    bound: Option<f64>,
    build_time: Duration,
    solve_time: Duration,
) -> Solution {
    let objective = evaluation.objective.total;
    let bound = match (status, bound) {
        (Status::Optimal, None) => objective,
        (_, Some(b)) => b.min(objective),
        (Status::TimeLimit, None) => f64::NEG_INFINITY,
    };
    let gap = relative_gap(objective, bound);
    Solution {
        start_objective: objective,
        solver_objective: None,
        allocation,
        evaluation,
        status,
        bound,
        gap,
        build_time,
        solve_time,
    }
}

/// The higher of two lower bounds, either of which may be unknown.
fn higher(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// `(objective − bound) / |objective|`, 0 when both are 0, 1 when nothing is known.
fn relative_gap(objective: f64, bound: f64) -> f64 {
    if !bound.is_finite() {
        return 1.0;
    }
    let diff = (objective - bound).max(0.0);
    if diff <= 1e-9 * objective.abs().max(1.0) {
        0.0
    } else {
        diff / objective.abs().max(1e-9)
    }
}

fn set_option<V: highs::HighsOptionValue>(
    model: &mut highs::Model,
    key: &str,
    value: V,
) -> Result<()> {
    model
        .try_set_option(key, value)
        .map_err(|e| Error::Solver(format!("cannot set HiGHS option {key}: {e:?}")))
}

/// The hard rules an allocation of this instance breaks, in words (empty when feasible).
/// The solver's own guard; the independent checker is `crate::check`.
pub fn hard_rule_breaches(instance: &Instance, allocation: &Allocation) -> Vec<String> {
    let mut breaches = Vec::new();
    for (u, unit) in instance.units.iter().enumerate() {
        match allocation.units[u] {
            Some(w) if !unit.is_eligible(w) => breaches.push(format!(
                "unit {} cannot go to {}",
                unit.key, instance.workers[w].id
            )),
            None if unit.must_allocate => breaches.push(format!(
                "unit {} must stay allocated: {}",
                unit.key,
                if unit.pinned_to.is_some() {
                    "a case is pinned"
                } else {
                    "its current worker still fits"
                }
            )),
            _ => {}
        }
    }
    let eval = instance.evaluate(allocation);
    // The units a worker receives cases of: what pushes it over a limit.
    let arrivals = |w: usize| {
        let keys: Vec<&str> = (0..instance.units.len())
            .filter(|&u| allocation.units[u] == Some(w) && instance.new_cases(u, w) > 0)
            .map(|u| instance.units[u].key.as_str())
            .collect();
        if keys.is_empty() {
            String::new()
        } else {
            format!(" (receiving {})", keys.join(", "))
        }
    };
    for (w, load) in eval.loads.iter().enumerate() {
        let id = &instance.workers[w].id;
        let limits = rules::Limits::of(instance, w);
        if let Some(limit) = limits.load {
            if !limits.load_ok(load.load_after) {
                breaches.push(format!(
                    "{id} would hold {} points, above its limit {limit}{}",
                    load.load_after,
                    arrivals(w)
                ));
            }
        }
        if let Some(limit) = limits.cases {
            if !limits.cases_ok(load.cases_after) {
                breaches.push(format!(
                    "{id} would hold {} cases, above its limit {limit}{}",
                    load.cases_after,
                    arrivals(w)
                ));
            }
        }
        if let Some(limit) = limits.new_cases {
            if !limits.new_cases_ok(load.received) {
                breaches.push(format!(
                    "{id} would receive {} cases, above max_new {limit}{}",
                    load.received,
                    arrivals(w)
                ));
            }
        }
    }
    if !rules::moves_ok(instance, u64::from(eval.moves)) {
        breaches.push(format!(
            "{} discretionary moves, above max_moves {}",
            eval.moves,
            rules::moves_budget(instance)
        ));
    }
    breaches
}

fn infeasible(instance: &Instance, start: &Allocation) -> Error {
    let breaches = hard_rule_breaches(instance, start);
    let detail = if breaches.is_empty() {
        "the solver proved it".to_string()
    } else {
        format!(
            "keeping every child whose worker still fits breaks: {}",
            breaches.join("; ")
        )
    };
    Error::Infeasible(detail)
}
