//! The strategy for instances too large to hand to HiGHS whole (in practice a trust with
//! cross-team eligibility): a bound from [`pooled`], from the whole program's LP
//! relaxation and from its Lagrangian relaxation by team ([`lagrange`]), an allocation
//! from team-sized parts solved within teams, improved by the program cut to the LP's
//! prices ([`lagrange::guided`]) and by re-solving pairs of teams together
//! ([`candidates`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::guard::hard_rule_breaches;
use super::scheduler::{solve_parts, PartJob};
use super::{
    candidates, deadline, finish, higher, lagrange, lock, pooled, relative_gap, solve_with_cache,
    solver_threads, Part, PartCache, Solution, SolveOptions, Status,
};
use crate::error::{Error, Result, SolverError};
use crate::model::{Allocation, Instance};

/// Solves an instance whose largest part is too large for HiGHS, but which splits into
/// team-sized parts within teams (`within`): a bound first, the pooled LP (at most a tenth
/// of the time), then within teams (exactly, in parallel, with half the time left), then
/// pairs of teams re-solved together from the best allocation known
/// ([`exchange_between_teams`]) with the rest.
///
/// Meanwhile, on an instance of at most [`LP_BOUND_PAIRS`] pairs, the LP relaxation of
/// the whole gives a tighter bound and its prices ([`lagrange::lp_prices`]): on a thread
/// of its own when the solve has two or more, else first, with at most half the time; only
/// when that time is enough to build and solve it ([`LP_SECONDS_PER_PAIR`]), since it
/// cannot be stopped while it is built and handed to HiGHS. Its prices then guide one
/// HiGHS solve of the whole program cut to the columns they price as nearly free
/// ([`lagrange::guided`]), from the best allocation known, which the pairs of teams take
/// up as soon as it is found. Time left once the pairs of teams find nothing more goes to
/// the Lagrangian bound ([`lagrange::ascend`]). No pass proves optimality for the whole:
/// the status is `optimal` only if the bound proves it.
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
    // `threads`: the solver threads it may use.
    let within_teams = |threads: usize| {
        let first_options = SolveOptions {
            time_limit_s: Some(seconds_left() / 2.0),
            threads: Some(threads as u32),
            ..options.clone()
        };
        solve_with_cache(within, &first_options, cache)
    };
    let pairs: usize = instance.units.iter().map(|u| u.eligible.len()).sum();
    let threads = solver_threads(instance, options);
    let lp_time = if threads >= 2 {
        time_limit
    } else {
        time_limit / 2.0
    };
    let lp_fits = pairs <= LP_BOUND_PAIRS && lp_time >= pairs as f64 * LP_SECONDS_PER_PAIR;
    let shared = Arc::new(Incumbent::default());
    let watch = options.watch.as_deref();
    let (first, prices) = if !lp_fits {
        let first = within_teams(threads)?;
        shared.offer(instance, &first.allocation);
        exchange_between_teams(instance, deadline, options, &shared)?;
        (first, None)
    } else if threads >= 2 {
        // The relaxation and the solve it guides on a thread of their own, with their own
        // copy of the instance: a cancelled solve answers without waiting for it
        // (building the program takes a second or two that nothing can interrupt; the
        // thread then sees the cancel).
        let (sender, relaxation) = std::sync::mpsc::channel();
        let (copy, lp_options, beside) = (instance.clone(), options.clone(), shared.clone());
        // The relaxation's thread holds a core until it ends: the passes take the others.
        shared.beside.store(true, Ordering::SeqCst);
        std::thread::spawn(move || {
            let prices = prices_and_guided(&copy, deadline, &lp_options, &beside);
            beside.beside.store(false, Ordering::SeqCst);
            let _ = sender.send(prices);
        });
        let first = within_teams(threads - 1)?;
        shared.offer(instance, &first.allocation);
        let mut prices = None;
        loop {
            let before = shared.objective();
            exchange_between_teams(instance, deadline, options, &shared)?;
            if seconds_left() <= 0.0 || options.cancelled() || prices.is_some() {
                break;
            }
            // The pairs of teams find nothing more: the guided solve may still.
            prices = Some(
                relaxation
                    .recv()
                    .map_err(|_| Error::Solver(SolverError::BoundThreadPanicked))??,
            );
            if shared.objective() >= before {
                break;
            }
        }
        let prices = match prices {
            Some(p) => p,
            None if options.cancelled() => None,
            None => relaxation
                .recv()
                .map_err(|_| Error::Solver(SolverError::BoundThreadPanicked))??,
        };
        (first, prices)
    } else {
        let half = Instant::now() + Duration::from_secs_f64(seconds_left() / 2.0);
        let prices = lagrange::lp_prices(instance, half, watch)?;
        let first = within_teams(threads)?;
        shared.offer(instance, &first.allocation);
        if let Some(p) = &prices {
            let until = Instant::now() + Duration::from_secs_f64(seconds_left() / 2.0);
            if let Some(found) = lagrange::guided(
                instance,
                p,
                &first.allocation,
                Some(lagrange::GUIDED_SHARE),
                until,
                options,
            )? {
                shared.offer(instance, &found);
            }
        }
        exchange_between_teams(instance, deadline, options, &shared)?;
        (first, prices)
    };
    let mut bound = higher(pooled, prices.as_ref().map(|p| p.bound));
    // Time the allocation no longer needs goes to the bound, unless it proves the
    // allocation already.
    let open = |b: Option<f64>| {
        let upper = shared.objective();
        !upper.is_finite() || b.is_none_or(|b| relative_gap(upper, b) > options.mip_gap)
    };
    if let Some(p) = prices.filter(|_| seconds_left() > 0.0 && !options.cancelled() && open(bound))
    {
        let dual = lagrange::Dual::new(instance);
        let upper = shared.objective();
        let ascent = lagrange::ascend(&dual, p.lambda, upper, options.mip_gap, deadline, watch)?;
        if let Some(found) = &ascent.allocation {
            shared.offer(instance, found);
        }
        bound = higher(bound, ascent.bound.is_finite().then_some(ascent.bound));
    }
    let best = shared.best().unwrap_or_else(|| first.allocation.clone());
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

/// The whole program's LP relaxation and its prices, stopped at `deadline` or by a
/// cancel; then, once an allocation is known, the solve its prices guide
/// ([`lagrange::guided`]), offered to `shared`.
fn prices_and_guided(
    instance: &Instance,
    deadline: Instant,
    options: &SolveOptions,
    shared: &Incumbent,
) -> Result<Option<lagrange::Prices>> {
    let Some(prices) = lagrange::lp_prices(instance, deadline, options.watch.as_deref())? else {
        return Ok(None);
    };
    // The within-team pass offers the first allocation.
    let around = loop {
        if let Some(best) = shared.best() {
            break best;
        }
        if Instant::now() >= deadline || options.cancelled() {
            return Ok(Some(prices));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // First the LP's support alone (a small program), again around each better
    // allocation it or the pairs of teams find, at most [`SUPPORT_ROUNDS`] times; then
    // the columns the LP prices as nearly free, until the deadline.
    let mut around = around;
    for _ in 0..SUPPORT_ROUNDS {
        if Instant::now() >= deadline || options.cancelled() {
            return Ok(Some(prices));
        }
        if let Some(found) = lagrange::guided(instance, &prices, &around, None, deadline, options)?
        {
            shared.offer(instance, &found);
        }
        match shared.best() {
            Some(best) if best != around => around = best,
            _ => break,
        }
    }
    if Instant::now() < deadline && !options.cancelled() {
        let share = Some(lagrange::GUIDED_SHARE);
        if let Some(found) = lagrange::guided(instance, &prices, &around, share, deadline, options)?
        {
            shared.offer(instance, &found);
        }
    }
    Ok(Some(prices))
}

/// The best allocation the passes of [`solve_large`] have found, shared between them.
#[derive(Default)]
pub(super) struct Incumbent {
    best: Mutex<Option<(Allocation, f64)>>,
    /// Whether the relaxation's thread (the LP, then the guided solve) holds a core.
    beside: AtomicBool,
}

impl Incumbent {
    /// Keeps `allocation` (which must meet every hard rule) if it is better than the best;
    /// whether it was.
    pub(super) fn offer(&self, instance: &Instance, allocation: &Allocation) -> bool {
        let objective = instance.evaluate(allocation).objective.total;
        let mut best = lock(&self.best);
        if best.as_ref().is_some_and(|(_, o)| *o <= objective + 1e-6) {
            return false;
        }
        *best = Some((allocation.clone(), objective));
        true
    }

    /// The best allocation, if any.
    pub(super) fn best(&self) -> Option<Allocation> {
        lock(&self.best).as_ref().map(|(a, _)| a.clone())
    }

    /// The best objective (infinite before any allocation).
    pub(super) fn objective(&self) -> f64 {
        lock(&self.best).as_ref().map_or(f64::INFINITY, |(_, o)| *o)
    }
}

/// Most solves of the LP's support around a better allocation in [`solve_large`] before
/// the columns the LP prices as nearly free are added.
const SUPPORT_ROUNDS: usize = 3;

/// Longest a pair of teams is given in [`exchange_between_teams`].
const PAIR_TIME: Duration = Duration::from_secs(2);

/// Re-solves pairs of teams together around the best allocation in `shared`, most
/// promising first ([`candidates::promising_team_pairs`]), offering each change that
/// lowers the objective to `shared` and starting again from a better allocation another
/// pass offers there, until a sweep finds nothing or `deadline` passes. Pairs with no team in common are solved
/// side by side, one per solver thread.
pub(super) fn exchange_between_teams(
    instance: &Instance,
    deadline: Instant,
    options: &SolveOptions,
    shared: &Incumbent,
) -> Result<()> {
    let all_threads = solver_threads(instance, options);
    let Some(mut best) = shared.best() else {
        return Ok(());
    };
    let mut best_objective = instance.evaluate(&best).objective.total;
    loop {
        let mut improved = false;
        let mut queue = candidates::promising_team_pairs(instance, &best);
        while !queue.is_empty() {
            let now = Instant::now();
            if now >= deadline || options.cancelled() {
                return Ok(());
            }
            // Another pass found better: start again from there.
            if shared.objective() < best_objective - 1e-6 {
                if let Some(other) = shared.best() {
                    best_objective = instance.evaluate(&other).objective.total;
                    best = other;
                    improved = true;
                    break;
                }
            }
            // One thread fewer while the relaxation's thread holds one.
            let beside = shared.beside.load(Ordering::SeqCst);
            let threads = if beside { all_threads - 1 } else { all_threads }.max(1);
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
                    shared.offer(instance, &candidate);
                    best = candidate;
                    best_objective = objective;
                    improved = true;
                }
            }
        }
        if !improved {
            return Ok(());
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
