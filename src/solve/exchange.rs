//! Improving an allocation of a large part by re-solving small pieces of it exactly:
//! pairs of teams ([`exchange_between_teams`]) and sets of workers across teams, where
//! the LP's solution differs from the allocation or where workers have room left
//! ([`exchange_among_workers`]). Each piece
//! is a closed program ([`candidates::two_teams`], [`candidates::among_workers`]) solved
//! from the allocation, so it never ends worse; each better allocation is offered to the
//! passes' shared incumbent.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::guard::hard_rule_breaches;
use super::scheduler::{solve_parts, PartJob};
use super::{candidates, lagrange, lock, solver_threads, Part, SolveOptions};
use crate::error::Result;
use crate::model::{Allocation, Instance};

/// The best allocation the passes of `large::solve_large` have found, shared between
/// them, with what the relaxation's thread makes known to them.
#[derive(Default)]
pub(super) struct Incumbent {
    best: Mutex<Option<(Allocation, f64)>>,
    /// Whether the relaxation's thread (the LP, then the guided solve) holds a core.
    pub(super) beside: AtomicBool,
    /// The LP relaxation's prices, once the relaxation's thread has them.
    pub(super) prices: OnceLock<lagrange::Prices>,
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

/// Longest a piece (a pair of teams, a set of workers) is given.
const PIECE_TIME: Duration = Duration::from_secs(2);

/// Sets of workers tried in one sweep of [`exchange_among_workers`].
const SETS_PER_SWEEP: usize = 12;

/// A piece of the part to re-solve.
#[derive(Clone, Debug)]
enum Piece {
    /// Two teams: their workers, the units they hold and their waiting units.
    Teams([String; 2]),
    /// Some workers (ascending), the units they hold, and these waiting units
    /// (ascending).
    Workers(Vec<usize>, Vec<usize>),
}

impl Piece {
    /// Whether two pieces may change the same worker or unit (so cannot be solved side by
    /// side: their answers would not combine).
    fn overlaps(&self, other: &Piece) -> bool {
        match (self, other) {
            (Piece::Teams(a), Piece::Teams(b)) => a.iter().any(|t| b.contains(t)),
            (Piece::Workers(wa, ua), Piece::Workers(wb, ub)) => {
                wa.iter().any(|w| wb.binary_search(w).is_ok())
                    || ua.iter().any(|u| ub.binary_search(u).is_ok())
            }
            _ => true,
        }
    }

    /// The piece's closed program around `around`.
    fn program(&self, instance: &Instance, around: &Allocation) -> (Instance, Part) {
        match self {
            Piece::Teams(teams) => candidates::two_teams(instance, around, [&teams[0], &teams[1]]),
            Piece::Workers(workers, waiting) => {
                candidates::among_workers(instance, around, workers.clone(), |u| {
                    waiting.binary_search(&u).is_ok()
                })
            }
        }
    }
}

/// Re-solves pairs of teams together around the best allocation in `shared`, most
/// promising first ([`candidates::promising_team_pairs`]), offering each change that
/// lowers the objective to `shared` and starting again from a better allocation another
/// pass offers there, until a sweep finds nothing or `deadline` passes. Pairs with no
/// team in common are solved side by side, one per solver thread.
pub(super) fn exchange_between_teams(
    instance: &Instance,
    deadline: Instant,
    options: &SolveOptions,
    shared: &Incumbent,
) -> Result<()> {
    exchange(instance, deadline, options, shared, &mut |best| {
        candidates::promising_team_pairs(instance, best)
            .into_iter()
            .map(Piece::Teams)
            .collect()
    })
}

/// Re-solves sets of workers across teams, [`SETS_PER_SWEEP`] a sweep, as
/// [`exchange_between_teams`] does pairs, until a sweep finds nothing or `deadline`
/// passes. Sweeps alternate between two kinds of sets: those the LP's solution
/// (`prices`) would change together ([`lagrange::worker_sets`]), and workers with room
/// left under their load limits, with the waiting units they could take
/// ([`candidates::slack_sets`]); without prices, every sweep is of the second kind.
/// `tried` counts the sets tried so far (a whole sweep each), so the next call starts
/// from other workers.
pub(super) fn exchange_among_workers(
    instance: &Instance,
    prices: Option<&lagrange::Prices>,
    deadline: Instant,
    options: &SolveOptions,
    shared: &Incumbent,
    tried: &mut usize,
) -> Result<()> {
    exchange(instance, deadline, options, shared, &mut |best| {
        let sweep = *tried / SETS_PER_SWEEP;
        let sets = match prices {
            Some(prices) if sweep.is_multiple_of(2) => {
                let tau = lagrange::GUIDED_SHARE * prices.bound.abs();
                lagrange::worker_sets(instance, prices, best, tau, *tried, SETS_PER_SWEEP)
            }
            _ => {
                let skip = if prices.is_some() { sweep / 2 } else { sweep } * SETS_PER_SWEEP;
                let size = lagrange::SET_WORKERS;
                candidates::slack_sets(instance, best, size, skip, SETS_PER_SWEEP)
            }
        };
        *tried += SETS_PER_SWEEP;
        sets.into_iter()
            .map(|(workers, waiting)| Piece::Workers(workers, waiting))
            .collect()
    })
}

/// Re-solves the pieces `pieces` names around the best allocation in `shared`, offering
/// each change that lowers the objective to `shared`, starting again (with new pieces)
/// from a better allocation, until a sweep finds nothing or `deadline` passes. Pieces that
/// do not overlap are solved side by side, one per solver thread.
fn exchange(
    instance: &Instance,
    deadline: Instant,
    options: &SolveOptions,
    shared: &Incumbent,
    pieces: &mut dyn FnMut(&Allocation) -> Vec<Piece>,
) -> Result<()> {
    let all_threads = solver_threads(instance, options);
    let Some(mut best) = shared.best() else {
        return Ok(());
    };
    let mut best_objective = instance.evaluate(&best).objective.total;
    loop {
        let mut improved = false;
        let mut queue = pieces(&best);
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
            let mut batch: Vec<Piece> = Vec::with_capacity(threads);
            queue.retain(|piece| {
                let free = batch.len() < threads && batch.iter().all(|b| !b.overlaps(piece));
                if free {
                    batch.push(piece.clone());
                }
                !free
            });
            let subs: Vec<(Instance, Part)> = batch
                .iter()
                .map(|piece| piece.program(instance, &best))
                .collect();
            let jobs = subs
                .iter()
                .map(|(sub, part)| PartJob::new(sub, part.clone(), Some(&best), None))
                .collect();
            let until = deadline.min(now + PIECE_TIME);
            let outcomes = solve_parts(jobs, threads, 1, until, options, false)?;
            for outcome in outcomes.into_iter().flatten() {
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

#[cfg(test)]
mod tests;
