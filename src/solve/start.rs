//! A feasible starting allocation, built without the solver: the current allocation
//! repaired, the remaining units placed greedily by marginal cost, then improved by local
//! search.
//!
//! It is handed to HiGHS as a MIP start and kept as the answer of last resort, so a run
//! never ends without an allocation. A good start matters: HiGHS's own first incumbents
//! on these models can be far from the optimum, and with a start close to it the root
//! bound often proves optimality at once.

use std::time::Instant;

use super::state::State;
use crate::model::{Allocation, Instance};

/// Builds the starting allocation.
///
/// 1. Units that must stay allocated (a pin, or a current worker who still fits) go to
///    the pinned worker, else to the current worker holding most of the unit's weight
///    (siblings split between workers are brought together there). Everyone keeps their
///    cases, so no limit `max(limit, before)` is broken unless siblings are brought
///    together; then another current or eligible worker who fits is tried.
/// 2. The other units (new referrals, forced moves) are placed most urgent first, each on
///    the eligible worker where it adds least to the objective and keeps every limit.
pub fn starting_allocation(instance: &Instance) -> Allocation {
    greedy(instance).allocation()
}

fn greedy(instance: &Instance) -> State<'_> {
    let mut state = State::empty(instance);
    // Pins and units wholly held by one worker first: keeping them breaks no limit
    // `max(limit, before)`, and no other unit may take their room first. Then units whose
    // cases are split between workers.
    let whole = |u: usize| {
        let unit = &instance.units[u];
        let first = instance.current[unit.cases[0]];
        unit.pinned_to.is_some()
            || (first.is_some() && unit.cases.iter().all(|&c| instance.current[c] == first))
    };
    let must: Vec<usize> = (0..instance.units.len())
        .filter(|&u| instance.units[u].must_allocate)
        .collect();
    let (kept, split): (Vec<usize>, Vec<usize>) = must.into_iter().partition(|&u| whole(u));
    for u in kept.into_iter().chain(split) {
        let unit = &instance.units[u];
        let choice = match unit.pinned_to {
            Some(w) => Some(w),
            None => {
                let mut held: Vec<(usize, f64)> = Vec::new();
                for &c in &unit.cases {
                    if let Some(w) = instance.current[c].filter(|&w| unit.is_eligible(w)) {
                        match held.iter_mut().find(|(x, _)| *x == w) {
                            Some(entry) => entry.1 += instance.cases[c].weight,
                            None => held.push((w, instance.cases[c].weight)),
                        }
                    }
                }
                held.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                held.iter()
                    .map(|&(w, _)| w)
                    .find(|&w| state.fits(u, w))
                    .or_else(|| unit.eligible.iter().copied().find(|&w| state.fits(u, w)))
                    .or_else(|| held.first().map(|&(w, _)| w))
            }
        };
        if let Some(w) = choice {
            state.assign(u, w);
        }
    }

    let mut rest: Vec<usize> = (0..instance.units.len())
        .filter(|&u| state.units[u].is_none() && !instance.units[u].must_allocate)
        .collect();
    // Most urgent (highest penalty per point) first, heaviest first among equals, then key.
    rest.sort_by(|&a, &b| {
        let urgency = |u: usize| instance.unallocated_cost(u) / instance.units[u].weight;
        urgency(b)
            .total_cmp(&urgency(a))
            .then(
                instance.units[b]
                    .weight
                    .total_cmp(&instance.units[a].weight),
            )
            .then(a.cmp(&b))
    });
    state.place_where_cheapest(&rest);
    state
}

/// The greedy start improved by local search until no move helps or `deadline` passes.
/// The deadline is looked at before every unit each neighbourhood examines, so on a large
/// instance the search stops within one unit's work of it, never a whole pass later.
pub fn improved_start(instance: &Instance, deadline: Instant) -> Allocation {
    improved_start_search(instance, deadline).0
}

/// [`improved_start`], and what its local search did (nothing when `deadline` has
/// passed: the greedy start, repaired).
pub fn improved_start_search(instance: &Instance, deadline: Instant) -> (Allocation, Search) {
    improved_start_watched(instance, deadline, None)
}

/// [`improved_start_search`] that also stops as soon as `watch` is cancelled.
pub(super) fn improved_start_watched(
    instance: &Instance,
    deadline: Instant,
    watch: Option<&super::Watch>,
) -> (Allocation, Search) {
    let mut state = greedy(instance);
    let eligible = eligible_units(instance);
    repair(&mut state, &eligible);
    let search = improve_watched(&mut state, &eligible, deadline, watch);
    (state.allocation(), search)
}

/// What a local search did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Search {
    /// Units examined, in every neighbourhood and pass.
    pub examined: usize,
    /// Improving steps taken.
    pub steps: usize,
}

/// Where unit `u` may go: its eligible workers, and nobody if it may stay unallocated.
fn targets(instance: &Instance, u: usize) -> impl Iterator<Item = Option<usize>> + '_ {
    let unit = &instance.units[u];
    let nobody = (!unit.must_allocate && unit.pinned_to.is_none()).then_some(None);
    unit.eligible.iter().map(|&w| Some(w)).chain(nobody)
}

/// First-improvement local search over three neighbourhoods, in a fixed order so the
/// result is deterministic:
/// - relocate: one unit to another eligible worker (or unallocated);
/// - swap: two units held by different workers trade places;
/// - make room: an unallocated unit goes to a worker after up to `MAX_EJECTIONS` (4) of
///   that worker's units move on (each to where it costs least, or unallocated).
///
/// Every step keeps every hard limit and strictly lowers the objective. `eligible` is
/// `eligible_units` of the instance, built once per start. The deadline is looked at
/// before each unit of each neighbourhood (a unit's work is bounded: its targets, or
/// `MAX_EJECTIONS` scans of one worker's units).
pub fn improve(state: &mut State<'_>, eligible: &[Vec<usize>], deadline: Instant) -> Search {
    improve_watched(state, eligible, deadline, None)
}

/// [`improve`] that also stops, within one unit's work, once `watch` is cancelled.
fn improve_watched(
    state: &mut State<'_>,
    eligible: &[Vec<usize>],
    deadline: Instant,
    watch: Option<&super::Watch>,
) -> Search {
    let instance = state.instance();
    let n_units = instance.units.len();
    let mut search = Search::default();
    let go_on = |search: &mut Search| {
        let on = Instant::now() < deadline && !watch.is_some_and(|w| w.cancelled());
        search.examined += usize::from(on);
        on
    };
    loop {
        let before = search.steps;
        for u in 0..n_units {
            if !go_on(&mut search) {
                return search;
            }
            let current = state.units[u];
            for to in targets(instance, u) {
                if to != current && state.try_change(&[(u, to)]) {
                    search.steps += 1;
                    break;
                }
            }
        }
        let held = held_by_worker(state);
        for u in 0..n_units {
            if !go_on(&mut search) {
                return search;
            }
            let Some(a) = state.units[u] else { continue };
            for &b in &instance.units[u].eligible {
                if b == a {
                    continue;
                }
                for &v in &held[b] {
                    if state.units[v] == Some(b)
                        && state.units[u] == Some(a)
                        && instance.units[v].is_eligible(a)
                        && state.try_change(&[(u, None), (v, Some(a)), (u, Some(b))])
                    {
                        search.steps += 1;
                        break;
                    }
                }
            }
        }
        for u in 0..n_units {
            if state.units[u].is_some() {
                continue;
            }
            if !go_on(&mut search) {
                return search;
            }
            for &b in &instance.units[u].eligible {
                if make_room(state, eligible, u, b) {
                    search.steps += 1;
                    break;
                }
            }
        }
        if search.steps == before {
            return search;
        }
    }
}

/// Brings workers pushed over a limit by the greedy start (sibling groups brought
/// together) back within it: one of their units goes to another eligible worker, after
/// up to `MAX_EJECTIONS` (4) of that worker's units move on, whatever it costs.
/// `eligible` as for [`improve`]. Not stopped by the deadline: the start it makes
/// feasible is the answer when the solver has no time.
pub fn repair(state: &mut State<'_>, eligible: &[Vec<usize>]) {
    let instance = state.instance();
    for w in 0..instance.workers.len() {
        for u in 0..instance.units.len() {
            if state.is_within_limits(w) {
                break;
            }
            if state.units[u] != Some(w) || instance.units[u].pinned_to == Some(w) {
                continue;
            }
            for &b in &instance.units[u].eligible {
                if b != w && relocate_making_room(state, eligible, u, b, Some(w)) {
                    break;
                }
            }
        }
    }
}

/// Most units moved on to make room for one.
const MAX_EJECTIONS: usize = 4;

/// Tries to place unallocated unit `u` on worker `b` by first moving some of `b`'s units
/// elsewhere, cheapest first, until `u` fits. Keeps the change only if it lowers the
/// objective.
fn make_room(state: &mut State<'_>, eligible: &[Vec<usize>], u: usize, b: usize) -> bool {
    relocate_making_room(state, eligible, u, b, None)
}

/// Moves unit `u` to worker `b`, first moving some of `b`'s units elsewhere, cheapest
/// first, until `u` fits. Improving (`repairing` is `None`): kept only if the objective
/// falls. Repairing worker `w`: kept if every other worker touched stays within limits.
fn relocate_making_room(
    state: &mut State<'_>,
    eligible: &[Vec<usize>],
    u: usize,
    b: usize,
    repairing: Option<usize>,
) -> bool {
    let instance = state.instance();
    let mut ejected: Vec<(usize, Option<usize>)> = Vec::new();
    while !state.fits(u, b) && ejected.len() < MAX_EJECTIONS {
        let mut best: Option<(f64, usize, Option<usize>)> = None;
        for &v in &eligible[b] {
            if state.units[v] != Some(b) || instance.units[v].pinned_to == Some(b) {
                continue;
            }
            for to in targets(instance, v) {
                if to == Some(b) || to.is_some_and(|c| !state.fits(v, c)) {
                    continue;
                }
                let delta = state.move_delta(v, to);
                if best.is_none_or(|(d, _, _)| delta < d) {
                    best = Some((delta, v, to));
                }
            }
        }
        let Some((_, v, to)) = best else { break };
        state.set(v, to);
        ejected.push((v, to));
    }
    let fits = state.fits(u, b);
    for &(v, _) in ejected.iter().rev() {
        state.set(v, Some(b));
    }
    if !fits {
        return false;
    }
    ejected.push((u, Some(b)));
    match repairing {
        Some(w) => state.try_repair(&ejected, w),
        None => state.try_change(&ejected),
    }
}

/// The units each worker is eligible for, ascending: every unit a worker holds is among
/// them.
pub(super) fn eligible_units(instance: &Instance) -> Vec<Vec<usize>> {
    let mut units = vec![Vec::new(); instance.workers.len()];
    for (u, unit) in instance.units.iter().enumerate() {
        for &w in &unit.eligible {
            units[w].push(u);
        }
    }
    units
}

/// The units each worker holds.
fn held_by_worker(state: &State<'_>) -> Vec<Vec<usize>> {
    let mut held = vec![Vec::new(); state.instance().workers.len()];
    for (u, w) in state.units.iter().enumerate() {
        if let Some(w) = *w {
            held[w].push(u);
        }
    }
    held
}
