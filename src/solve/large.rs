//! The strategy for instances too large to hand to HiGHS whole (in practice a trust with
//! cross-team eligibility): a bound from [`pooled`], from the whole program's LP
//! relaxation and from its Lagrangian relaxation by team ([`lagrange`]), an allocation
//! from team-sized parts solved within teams, improved by the program cut to the LP's
//! prices ([`lagrange::guided`]), by re-solving pairs of teams together, and by
//! re-solving sets of workers across teams, where the LP's solution differs from the
//! allocation or where workers have room left ([`exchange`](super::exchange)).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::exchange::{exchange_among_workers, exchange_between_teams, Incumbent};
use super::{
    deadline, finish, higher, lagrange, pooled, relative_gap, solve_with_cache, solver_threads,
    PartCache, Solution, SolveOptions, Status,
};
use crate::error::{Error, Result, SolverError};
use crate::model::{Allocation, Instance};

/// Solves an instance whose largest part is too large for HiGHS, but which splits into
/// team-sized parts within teams (`within`): a bound first, the pooled LP (at most a tenth
/// of the time), then within teams (exactly, in parallel, with half the time left), then
/// pairs of teams re-solved together from the best allocation known
/// ([`exchange_between_teams`]), in turns with sets of workers with room
/// ([`exchange_among_workers`]), with the rest.
///
/// Meanwhile, on an instance of at most [`LP_BOUND_PAIRS`] pairs, the LP relaxation of
/// the whole gives a tighter bound and its prices ([`lagrange::lp_prices`]): on a thread
/// of its own when the solve has two or more, else first, with at most half the time; only
/// when that time is enough to build and solve it ([`LP_SECONDS_PER_PAIR`]), since it
/// cannot be stopped while it is built and handed to HiGHS. Its prices then guide one
/// HiGHS solve of the whole program cut to the columns they price as nearly free
/// ([`lagrange::guided`]), from the best allocation known, which the other passes take
/// up as soon as HiGHS finds it, and sets of workers across teams where the LP's
/// solution differs from the allocation are re-solved ([`improve`]). Time left once
/// neither finds anything more goes to the Lagrangian bound ([`lagrange::ascend`]). No pass proves optimality for the whole:
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
    let first = if !lp_fits {
        let first = within_teams(threads)?;
        shared.offer(instance, &first.allocation);
        improve(instance, deadline, options, &shared)?;
        first
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
            let ended = prices_and_guided(&copy, deadline, &lp_options, &beside);
            beside.beside.store(false, Ordering::SeqCst);
            let _ = sender.send(ended);
        });
        let first = within_teams(threads - 1)?;
        shared.offer(instance, &first.allocation);
        improve(instance, deadline, options, &shared)?;
        if !options.cancelled() {
            relaxation
                .recv()
                .map_err(|_| Error::Solver(SolverError::BoundThreadPanicked))??;
        }
        first
    } else {
        let half = Instant::now() + Duration::from_secs_f64(seconds_left() / 2.0);
        if let Some(p) = lagrange::lp_prices(instance, half, watch)? {
            let _ = shared.prices.set(p);
        }
        let first = within_teams(threads)?;
        shared.offer(instance, &first.allocation);
        if let Some(p) = shared.prices.get() {
            let until = Instant::now() + Duration::from_secs_f64(seconds_left() / 2.0);
            if let Some(found) = lagrange::guided(
                instance,
                p,
                &first.allocation,
                Some(lagrange::GUIDED_SHARE),
                until,
                options,
                &|_| true,
            )? {
                shared.offer(instance, &found);
            }
        }
        improve(instance, deadline, options, &shared)?;
        first
    };
    // The LP's prices, if the relaxation reached its optimum (on a cancel, perhaps not yet).
    let prices = shared.prices.get();
    let mut bound = higher(pooled, prices.map(|p| p.bound));
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
        let lambda = p.lambda.clone();
        let ascent = lagrange::ascend(&dual, lambda, upper, options.mip_gap, deadline, watch)?;
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

/// Improves the best allocation in `shared` by re-solving pieces of the instance
/// ([`exchange`](super::exchange)) until `deadline` or until nothing more can be found:
/// pairs of teams, [`PAIRS_SLICE`] at a time, until a slice finds nothing or the LP's
/// prices are known; then sets of workers across teams (where the LP's solution differs,
/// and with room; only the second kind when there is no LP) until a sweep of them finds
/// nothing, and pairs again for at most [`PAIRS_SLICE`] from any better allocation
/// (another pass's or a set's); once every set has been tried since the last better
/// allocation, pairs until a whole sweep of them finds nothing. It ends early once the
/// relaxation's thread has ended and no piece is left untried since the last better
/// allocation.
fn improve(
    instance: &Instance,
    deadline: Instant,
    options: &SolveOptions,
    shared: &Incumbent,
) -> Result<()> {
    let (mut swept, mut pairs_improving, mut fully_swept) = (f64::INFINITY, true, f64::INFINITY);
    let (mut tried, mut tried_at_best, mut best) = (0, 0, shared.objective());
    while Instant::now() < deadline && !options.cancelled() {
        let prices = shared.prices.get();
        let beside = shared.beside.load(Ordering::SeqCst);
        if pairs_improving || shared.objective() < swept - 1e-6 {
            let before = shared.objective();
            let until = deadline.min(Instant::now() + PAIRS_SLICE);
            exchange_between_teams(instance, until, options, shared)?;
            swept = shared.objective();
            // While the LP may still come, pairs go on as long as they find better;
            // without one, sets of workers with room take turns with them.
            pairs_improving = prices.is_none() && beside && swept < before - 1e-6;
            continue;
        }
        if shared.objective() < best - 1e-6 {
            (best, tried_at_best) = (shared.objective(), tried);
        }
        // Every set tried since the last better allocation: only the relaxation's
        // thread may still find one.
        let exhausted = tried - tried_at_best >= instance.workers.len();
        // Sets need no LP, but while it may still come they wait for its prices.
        if !exhausted && (prices.is_some() || !beside) {
            exchange_among_workers(instance, prices, deadline, options, shared, &mut tried)?;
        } else if shared.objective() < fully_swept - 1e-6 {
            // Pairs of teams until a whole sweep of them finds nothing (a slice may have
            // stopped before its end).
            exchange_between_teams(instance, deadline, options, shared)?;
            (fully_swept, swept) = (shared.objective(), shared.objective());
        } else if !beside {
            break;
        } else {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    Ok(())
}

/// The whole program's LP relaxation and its prices, stopped at `deadline` or by a
/// cancel, made known to the passes through `shared`; then, once an allocation is known,
/// the solve its prices guide ([`lagrange::guided`]), each allocation it finds offered
/// to `shared`.
fn prices_and_guided(
    instance: &Instance,
    deadline: Instant,
    options: &SolveOptions,
    shared: &Incumbent,
) -> Result<()> {
    let Some(lp) = lagrange::lp_prices(instance, deadline, options.watch.as_deref())? else {
        return Ok(());
    };
    let prices = shared.prices.get_or_init(|| lp);
    let offer = |found: &Allocation| shared.offer(instance, found);
    // The within-team pass offers the first allocation.
    let around = loop {
        if let Some(best) = shared.best() {
            break best;
        }
        if Instant::now() >= deadline || options.cancelled() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // First the LP's support alone (a small program), again around each better
    // allocation it or the pairs of teams find, at most [`SUPPORT_ROUNDS`] times; then
    // the columns the LP prices as nearly free, until the deadline.
    let mut around = around;
    for _ in 0..SUPPORT_ROUNDS {
        if Instant::now() >= deadline || options.cancelled() {
            return Ok(());
        }
        if let Some(found) =
            lagrange::guided(instance, prices, &around, None, deadline, options, &offer)?
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
        if let Some(found) =
            lagrange::guided(instance, prices, &around, share, deadline, options, &offer)?
        {
            shared.offer(instance, &found);
        }
    }
    Ok(())
}

/// Longest the pairs of teams run at a time once the LP's prices are known, before sets
/// of workers across teams get the threads again.
const PAIRS_SLICE: Duration = Duration::from_secs(4);

/// Most solves of the LP's support around a better allocation in [`solve_large`] before
/// the columns the LP prices as nearly free are added.
const SUPPORT_ROUNDS: usize = 3;

/// Largest instance (eligible pairs) whose whole LP relaxation [`solve_large`] solves
/// for its bound: the 30-team cross-team trust (565,000 pairs) takes 6–7 s and about
/// 460 MB, and its LP bound is 3.4 % above the pooled one.
const LP_BOUND_PAIRS: usize = 750_000;

/// Least time per eligible pair for the whole LP relaxation to be worth starting in
/// [`solve_large`]: about 8.5 s at 565,000 pairs, where building it and handing it to
/// HiGHS take 1–2 s (which no deadline stops) and solving it 6–7 s more. With less, it
/// would only delay the end past the time limit without giving a bound.
const LP_SECONDS_PER_PAIR: f64 = 1.5e-5;
