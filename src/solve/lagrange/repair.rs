//! The repair heuristic: the teams' subproblem solutions at some prices made into an
//! allocation that meets every hard rule.
//!
//! The subproblems may give a unit to two teams, or to none. The offers are taken in the
//! order given (the caller's: least cost first), each unit by the first worker where it
//! fits, so every worker holds a subset of what its team's subproblem gave it, within its
//! limits. A unit that must stay allocated and was placed nowhere goes back to its pinned
//! or current worker where it fits, else to the first eligible worker where it fits, else
//! to its current worker over the limit, which the start's repair then mends
//! ([`start::repair`](crate::solve::start::repair)). The units still waiting are placed
//! most urgent first where they lower the objective most, and the start's local search
//! ([`start::improve`](crate::solve::start::improve)) improves the whole until the
//! deadline. (Tried on the LP relaxation's solution of the 30-team trust, largest shares
//! first: its packing is so tight that the units it splits find no room, and the repair
//! ends 23 % above the LP bound, worse than keeping children within their teams.)

use std::time::{Duration, Instant};

use crate::model::{Allocation, Instance};
use crate::solve::guard::hard_rule_breaches;
use crate::solve::start;
use crate::solve::state::State;

/// The allocation repaired from `picks` (unit, worker; taken in the order given, each
/// unit by the first worker where it fits), or `None` if it breaks a hard
/// rule the repair could not mend. Its local search stops at `deadline` or after
/// [`SEARCH_TIME`], whichever is first.
pub(crate) fn repair(
    instance: &Instance,
    picks: impl IntoIterator<Item = (usize, usize)>,
    deadline: Instant,
) -> Option<Allocation> {
    let mut state = State::empty(instance);
    for (u, w) in picks {
        let open = state.units.get(u).is_some_and(|at| at.is_none());
        if open && instance.units[u].is_eligible(w) && state.fits(u, w) {
            state.assign(u, w);
        }
    }
    for u in 0..instance.units.len() {
        let unit = &instance.units[u];
        if !unit.must_allocate || state.units[u].is_some() {
            continue;
        }
        let current = unit
            .pinned_to
            .or_else(|| unit.cases.iter().find_map(|&c| instance.current[c]))
            .filter(|&w| unit.is_eligible(w));
        let fitting = current
            .filter(|&w| state.fits(u, w))
            .or_else(|| unit.eligible.iter().copied().find(|&w| state.fits(u, w)));
        if let Some(w) = fitting.or(current) {
            state.assign(u, w);
        }
    }
    // The units left waiting, most urgent first, where they lower the objective most.
    let mut rest: Vec<usize> = (0..instance.units.len())
        .filter(|&u| state.units[u].is_none() && !instance.units[u].eligible.is_empty())
        .collect();
    let urgency = |u: usize| instance.unallocated_cost(u) / instance.units[u].weight.max(1e-9);
    rest.sort_by(|&a, &b| urgency(b).total_cmp(&urgency(a)).then(a.cmp(&b)));
    state.place_where_cheapest(&rest);
    let eligible = start::eligible_units(instance);
    start::repair(&mut state, &eligible);
    let until = deadline.min(Instant::now() + SEARCH_TIME);
    start::improve(&mut state, &eligible, until);
    let allocation = state.allocation();
    hard_rule_breaches(instance, &allocation)
        .is_empty()
        .then_some(allocation)
}

/// Longest the local search of one repair runs.
const SEARCH_TIME: Duration = Duration::from_secs(2);
