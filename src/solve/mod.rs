//! Solving: the only place that knows about good_lp and HiGHS.
//!
//! [`solve`] builds the mixed-integer program (`formulation`), hands HiGHS a feasible
//! starting allocation (`start`) as a MIP start, and reads back the best allocation with
//! its status, bound and gap. If HiGHS stops without an allocation better than the start,
//! the start is returned: a run never ends empty-handed while a feasible allocation exists.
//! [`solve_with_cache`] does the same, answering parts solved before from a [`PartCache`]
//! (a what-if batch solves each distinct team once).
//!
//! Inside: the hard limits have one home (`crate::model::rules`, shared with explain, diagnose and validate); parts are solved by the scheduler
//! (`scheduler`), instances too large for HiGHS whole by `large` with the smaller
//! programs of `candidates`, and every allocation is checked by the guard (`guard`).
//! The building blocks the benchmarks and tests call (`formulation`, `parts`, `start`,
//! `pooled`, `cache`) are public but not part of the documented API.

mod bp;
#[doc(hidden)]
pub mod cache;
mod candidates;
mod exchange;
#[doc(hidden)]
pub mod formulation;
mod guard;
mod highs;
mod lagrange;
mod large;
mod options;
#[doc(hidden)]
pub mod parts;
#[doc(hidden)]
pub mod pooled;
mod probe;
mod scheduler;
mod stable;
#[doc(hidden)]
pub mod start;
mod state;
#[cfg(test)]
mod tests;
mod watch;

use std::time::{Duration, Instant};

use crate::error::{Error, Result, SolverError};
use crate::model::{Allocation, Evaluation, Instance};

pub use cache::PartCache;
#[doc(hidden)]
pub use formulation::{Formulation, Part};
#[doc(hidden)]
pub use guard::hard_rule_breaches;
pub(crate) use options::Engine;
pub use options::{Solution, SolveOptions, SolvedBy, SolverChoice, Stability, Status};
#[doc(hidden)]
pub use probe::{compare_parts, PartReport};
#[doc(hidden)]
pub use start::starting_allocation;
pub use watch::{Progress, Watch};

use guard::infeasible;
use large::solve_large;
use scheduler::{solve_parts, PartJob, PartOutcome};

/// Solves an instance: the allocation minimising the objective of docs/model.md under the hard rules.
///
/// Independent parts (see `parts`) are solved in parallel, one HiGHS thread each, on a
/// local pool of `threads` threads; a single part gets all the threads.
///
/// A part too large for HiGHS (more than `large_part_pairs` eligible pairs: in practice a
/// trust with cross-team eligibility) is solved in passes when it splits into teams:
/// first within teams (exactly, in parallel), then pairs of teams together
/// (`candidates`) and the program cut to its LP relaxation's prices (`lagrange`) from
/// the best allocation known; its bound is the highest of `pooled`, the LP relaxation
/// and the Lagrangian relaxation by team, and it is `optimal` only if that bound proves
/// it.
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
    let mut solution = solve_paths(instance, options, cache)?;
    // A solve that took no stable stage (no time left, or a trust solved in passes) still
    // says how its allocation stands to the previous proposal.
    if let (Some(previous), None) = (&options.previous, &solution.stability) {
        let changed = previous
            .on(instance)
            .changed_by(instance, &solution.allocation);
        solution.stability = Some(Stability {
            previous: previous.clone(),
            changed,
            minimal: changed == 0,
            first_changed: changed,
            time: Duration::ZERO,
        });
    }
    Ok(solution)
}

/// [`solve_with_cache`] by the path that fits the instance.
fn solve_paths(
    instance: &Instance,
    options: &SolveOptions,
    cache: Option<&PartCache>,
) -> Result<Solution> {
    let started = Instant::now();
    let deadline = deadline(instance, options, started);
    let parts = parts::split(instance);
    if candidates::largest_part_pairs(instance, &parts) > options.large_part_pairs {
        let within = candidates::within_teams(instance);
        let within_parts = parts::split(&within);
        if candidates::largest_part_pairs(&within, &within_parts) <= options.large_part_pairs {
            return solve_large(instance, &within, options, cache, started);
        }
    }
    // Local search gets at most a tenth of the time.
    let local_search_deadline = started + deadline.saturating_duration_since(started) / 10;
    let watch = options.watch.as_deref();
    let (start, _) = start::improved_start_watched(instance, local_search_deadline, watch);
    solve_from(instance, parts, options, cache, start, started)
}

/// The time limit of a solve in seconds: the option's, else the policy's.
pub(super) fn time_limit(instance: &Instance, options: &SolveOptions) -> f64 {
    options
        .time_limit_s
        .unwrap_or(instance.policy.time_limit_s)
        .max(0.0)
}

/// When a solve started at `started` must end: its time limit after `started`, or
/// `options.deadline` if that is sooner.
pub(super) fn deadline(instance: &Instance, options: &SolveOptions, started: Instant) -> Instant {
    let limit = started + Duration::from_secs_f64(time_limit(instance, options).min(MAX_SECONDS));
    options.deadline.map_or(limit, |d| d.min(limit))
}

/// Longest time limit taken as it is (a year): a larger one (the policy allows up to
/// this) would overflow the clock.
const MAX_SECONDS: f64 = 365.0 * 24.0 * 3600.0;

/// The [`SolveOptions::deadline`] for a command that started at `started` (before reading
/// its inputs) and must end within its time limit: the limit after `started`, less the
/// time writing the outputs of `instance` takes (about 5 µs a child, measured at 50,000).
pub fn command_deadline(instance: &Instance, options: &SolveOptions, started: Instant) -> Instant {
    let writing = Duration::from_secs_f64(0.02 + 5e-6 * instance.cases.len() as f64);
    let end = deadline(instance, options, started);
    end.checked_sub(writing).unwrap_or(end).max(started)
}

/// Default of [`SolveOptions::large_part_pairs`]: a 30-team trust with cross-team
/// eligibility is one part of 565,000 pairs, on which HiGHS had not finished its root LP
/// after 30 s and used 1.5 GB; its 30 teams are 400–2,600 pairs each.
pub const LARGE_PART_PAIRS: usize = 50_000;

/// Solver threads: the option's, else the policy's; 0 = all cores.
pub(super) fn solver_threads(instance: &Instance, options: &SolveOptions) -> usize {
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
    let deadline = deadline(instance, options, started);
    let start_eval = instance.evaluate(&start);
    let start_feasible = hard_rule_breaches(instance, &start).is_empty();
    // No time left after the start (a time limit shorter than reading and the start
    // took) on an instance whose programs take time to build: the start is the answer.
    // (Small programs are built all the same: their LP relaxations bound the start's gap
    // in milliseconds.)
    let pairs: usize = instance.units.iter().map(|u| u.eligible.len()).sum();
    if start_feasible && pairs > QUICK_BUILD_PAIRS && Instant::now() >= deadline {
        let elapsed = started.elapsed();
        return Ok(finish(
            start,
            start_eval,
            Status::TimeLimit,
            None,
            elapsed,
            Duration::ZERO,
        ));
    }
    let threads = solver_threads(instance, options);

    let part_threads = if parts.len() == 1 { threads } else { 1 };
    let settings = [
        options.mip_gap.to_bits(),
        part_threads as u64,
        options.solver as u64,
    ];
    let mip_start = start_feasible.then_some(&start);
    let mut slots: Vec<Option<Result<PartOutcome>>> = Vec::with_capacity(parts.len());
    let mut keys = Vec::with_capacity(parts.len());
    let (mut jobs, mut solved_slots) = (Vec::new(), Vec::new());
    for part in parts {
        // With a cache, each part's program is built first: its key is read from it.
        let job = PartJob::new(instance, part, mip_start, cache.map(|_| &settings[..]));
        let key = job.key;
        match cache.zip(key.as_ref()).and_then(|(c, k)| c.get(k)) {
            Some(hit) => {
                let part = job.formulation.part().clone();
                slots.push(Some(Ok(PartOutcome {
                    decisions: hit.decisions_for(&part),
                    part,
                    status: Status::Optimal,
                    bound: hit.bound,
                    solver_objective: hit.solver_objective,
                    engine: None,
                })))
            }
            None => {
                solved_slots.push(slots.len());
                slots.push(None);
                jobs.push(job);
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
                job.with_lp_bound(start_cost, deadline)
            })
            .collect::<Result<_>>()?;
    }
    let build_time = started.elapsed();
    if let Some(watch) = &options.watch {
        watch.start(slots.len(), slots.len() - jobs.len());
    }

    let solving = Instant::now();
    let fresh = solve_parts(jobs, threads, part_threads, deadline, options, true)?;
    for (&i, outcome) in solved_slots.iter().zip(fresh) {
        slots[i] = Some(outcome);
    }
    let mut outcomes = Vec::with_capacity(slots.len());
    for slot in slots {
        match slot.unwrap_or(Err(Error::Solver(SolverError::PartNotSolved))) {
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
            .map(|&i| {
                let part = outcomes[i].part.clone();
                PartJob::new(instance, part, best_ok.then_some(&best), None)
            })
            .collect();
        let part_threads = if jobs.len() == 1 { threads } else { 1 };
        let again = solve_parts(jobs, threads, part_threads, deadline, options, false)?;
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
    let mut solved_by = SolvedBy::default();
    let mut proofs = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        match outcome.engine {
            Some(Engine::Highs) => solved_by.highs += 1,
            Some(Engine::Bp) => solved_by.bp += 1,
            None => {}
        }
        for &(u, w) in &outcome.decisions {
            candidate.units[u] = w;
        }
        if outcome.status == Status::TimeLimit {
            status = Status::TimeLimit;
        }
        // Every objective coefficient is ≥ 0, so 0 bounds a part the solver did not.
        match outcome.bound {
            Some(b) => bound = bound.map(|total| total + b.max(0.0)),
            None if outcome.status == Status::Optimal => exact_parts.push(outcome.part.clone()),
            None => {}
        }
        solver_objective = solver_objective
            .zip(outcome.solver_objective)
            .map(|(a, b)| a + b);
        proofs.push(stable::PartProof {
            part: outcome.part,
            bound: outcome.bound,
            status: outcome.status,
        });
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
            return Err(Error::Solver(SolverError::NothingFeasibleInTime {
                time_limit_s: time_limit,
                breaches: hard_rule_breaches(instance, &start),
            }))
        }
        (false, false) => return Err(infeasible(instance, &start)),
    };
    let first_objective = evaluation.objective.total;
    let (allocation, stability) =
        stable::settle(instance, allocation, &proofs, options, threads, deadline)?;
    let evaluation = match &stability {
        Some(_) => instance.evaluate(&allocation),
        None => evaluation,
    };
    let mut solution = finish(
        allocation, evaluation, status, bound, build_time, solve_time,
    );
    solution.start_objective = start_objective;
    // The solver's own objective is the first stage's: kept only while the allocation is.
    let same = solution.evaluation.objective.total == first_objective;
    solution.solver_objective = if candidate_ok && same {
        solver_objective
    } else {
        None
    };
    solution.solved_by = solved_by;
    solution.stability = stability;
    Ok(solution)
}

/// Most eligible pairs of an instance whose parts' programs and LP bounds are built even
/// when no time is left (a few milliseconds at this size).
const QUICK_BUILD_PAIRS: usize = 20_000;

/// Least time left for a second pass at unfinished parts to be worth starting.
const SECOND_PASS_MINIMUM: Duration = Duration::from_millis(50);

pub(super) fn finish(
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
        solved_by: SolvedBy::default(),
        stability: None,
    }
}

/// The higher of two lower bounds, either of which may be unknown.
pub(super) fn higher(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// `(objective − bound) / |objective|`, 0 when both are 0, 1 when nothing is known.
pub(super) fn relative_gap(objective: f64, bound: f64) -> f64 {
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

/// Locks a mutex, even one a panicking thread left poisoned (the data is a plain slot).
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
