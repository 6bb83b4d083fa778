//! The strategy for instances too large to hand to HiGHS whole (in practice a trust with
//! cross-team eligibility): a bound from [`pooled`] and from the whole program's LP
//! relaxation, an allocation from team-sized parts solved within teams, then improved by
//! re-solving pairs of teams together ([`candidates`]).

use std::time::{Duration, Instant};

use super::guard::hard_rule_breaches;
use super::highs::relaxation_bound;
use super::scheduler::{solve_parts, PartJob};
use super::{
    candidates, deadline, finish, higher, pooled, relative_gap, solve_with_cache, solver_threads,
    Formulation, Part, PartCache, Solution, SolveOptions, Status,
};
use crate::error::{Error, Result, SolverError};
use crate::model::{Allocation, Instance};

/// Solves an instance whose largest part is too large for HiGHS, but which splits into
/// team-sized parts within teams (`within`): a bound first, the pooled LP (at most a tenth
/// of the time), then within teams (exactly, in parallel, with half the time left), then
/// pairs of teams re-solved together from that allocation ([`exchange_between_teams`])
/// with the rest. Meanwhile, on an instance of at most [`LP_BOUND_PAIRS`] pairs, the LP
/// relaxation of the whole gives a tighter bound: on a thread of its own when the solve
/// has two or more, else first, with at most half the time; only when that time is
/// enough to build and solve it ([`LP_SECONDS_PER_PAIR`]), since it cannot be stopped
/// while it is built and handed to HiGHS. No pass proves optimality for the whole: the
/// status is `optimal` only if the bound proves it.
pub(super) fn solve_large(
    instance: &Instance,
    within: &Instance,
    options: &SolveOptions,
    cache: Option<&PartCache>,
    started: Instant,
) -> Result<Solution> {
    let deadline = deadline(instance, options, started);
    let time_limit = deadline.saturating_duration_since(started).as_secs_f64();
    let pooled = pooled::bound(instance, Duration::from_secs_f64(time_limit / 10.0));
    let seconds_left = || {
        deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64()
    };
    let lp = |until: Instant| whole_relaxation(instance, until, options);
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
    let threads = solver_threads(instance, options);
    let lp_time = if threads >= 2 {
        time_limit
    } else {
        time_limit / 2.0
    };
    let lp_fits = pairs <= LP_BOUND_PAIRS && lp_time >= pairs as f64 * LP_SECONDS_PER_PAIR;
    let (first, best, lp_bound) = if !lp_fits {
        let (first, best) = passes()?;
        (first, best, None)
    } else if threads >= 2 {
        // The relaxation on a thread of its own, with its own copy of the instance: a
        // cancelled solve answers without waiting for it (building the program takes a
        // second or two that nothing can interrupt; the thread then sees the cancel).
        let (sender, relaxation) = std::sync::mpsc::channel();
        let (copy, lp_options) = (instance.clone(), options.clone());
        std::thread::spawn(move || {
            let _ = sender.send(whole_relaxation(&copy, deadline, &lp_options));
        });
        let (first, best) = passes()?;
        let bound = if options.cancelled() {
            None
        } else {
            relaxation
                .recv()
                .map_err(|_| Error::Solver(SolverError::BoundThreadPanicked))??
        };
        (first, best, bound)
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

/// The whole program's LP relaxation, stopped at `until` or by a cancel (its time limit is
/// set once HiGHS has the program: building and handing it over take about a second
/// here).
fn whole_relaxation(
    instance: &Instance,
    until: Instant,
    options: &SolveOptions,
) -> Result<Option<f64>> {
    let program = Formulation::build(instance);
    if options.cancelled() {
        return Ok(None);
    }
    relaxation_bound(program, Some(until), options.watch.as_deref())
}

/// Longest a pair of teams is given in [`exchange_between_teams`].
const PAIR_TIME: Duration = Duration::from_secs(2);

/// Re-solves pairs of teams together around `best`, most promising first
/// ([`candidates::promising_team_pairs`]), keeping each change that lowers the objective,
/// until a sweep finds none or `deadline` passes. Pairs with no team in common are solved
/// side by side, one per solver thread.
pub(super) fn exchange_between_teams(
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
            if now >= deadline || options.cancelled() {
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
                .map(|(sub, part)| PartJob::new(sub, part.clone(), Some(&best), None))
                .collect();
            let until = deadline.min(now + PAIR_TIME);
            for outcome in solve_parts(jobs, threads, 1, until, options, false)?
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

/// Largest instance (eligible pairs) whose whole LP relaxation [`solve_large`] solves
/// for its bound: the 30-team cross-team trust (565,000 pairs) takes 6–7 s and about
/// 460 MB, and its LP bound is 3.4 % above the pooled one.
const LP_BOUND_PAIRS: usize = 750_000;

/// Least time per eligible pair for the whole LP relaxation to be worth starting in
/// [`solve_large`]: about 8.5 s at 565,000 pairs, where building it and handing it to
/// HiGHS take 1–2 s (which no deadline stops) and solving it 6–7 s more. With less, it
/// would only delay the end past the time limit without giving a bound.
const LP_SECONDS_PER_PAIR: f64 = 1.5e-5;
