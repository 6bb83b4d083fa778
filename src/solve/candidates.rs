//! Smaller programs for parts too large to hand to the solver whole.
//!
//! With cross-team eligibility a trust is one part of every worker and every child:
//! hundreds of thousands of (unit, worker) pairs, more than HiGHS can take in seconds.
//! Most of those pairs are never worth using: a child goes to their own worker or their
//! own team, and only where one team leaves a child waiting who is more urgent than one
//! another team took is it worth looking across. So a large part is solved within teams
//! first ([`within_teams`]: independent team-sized parts), then a pair of teams at a time
//! ([`two_teams`], in the order of [`promising_team_pairs`]). Both cut the units' eligible
//! workers down, keeping each unit's current workers, so "still fits" and every cost are
//! as in the full instance (but see [`two_teams`]): their allocations are allocations of
//! the full instance, and their optima are upper bounds on its optimum, not proofs.

use super::formulation::Part;
use crate::model::{Allocation, Instance};

/// Each unit's eligible workers cut down to its cases' current workers and its team's
/// workers (every eligible worker for a unit without a team): a cross-team instance as it
/// would be within teams.
pub fn within_teams(instance: &Instance) -> Instance {
    let mut restricted = instance.clone();
    for (u, unit) in restricted.units.iter_mut().enumerate() {
        let teams: Vec<&str> = unit
            .cases
            .iter()
            .map(|&c| instance.cases[c].team.as_str())
            .filter(|t| !t.is_empty())
            .collect();
        if teams.is_empty() {
            continue;
        }
        let current = instance.current_workers(u);
        unit.eligible.retain(|&w| {
            current.contains(&w) || teams.contains(&instance.workers[w].team.as_str())
        });
    }
    restricted
}

/// Eligible (unit, worker) pairs of the largest of an instance's parts: the size of the
/// largest program the solver would be handed.
pub fn largest_part_pairs(instance: &Instance, parts: &[Part]) -> usize {
    parts
        .iter()
        .map(|part| {
            part.units
                .iter()
                .map(|&u| instance.units[u].eligible.len())
                .sum()
        })
        .max()
        .unwrap_or(0)
}

/// Two teams' workers and the units that may change between them around `around`: the
/// units their workers hold, and those of their cases left unallocated. Returns the
/// instance with those units' eligible workers cut down to the two teams' (so the part's
/// program is closed: nothing it decides touches another worker) and the part.
///
/// A unit whose current worker is outside the two teams loses its "still fits" move cost
/// in the cut-down instance; it is the same for every choice inside them, so the part's
/// best allocation is unchanged.
pub fn two_teams(instance: &Instance, around: &Allocation, teams: [&str; 2]) -> (Instance, Part) {
    let workers: Vec<usize> = (0..instance.workers.len())
        .filter(|&w| teams.contains(&instance.workers[w].team.as_str()))
        .collect();
    among_workers(instance, around, workers, |u| {
        instance.units[u]
            .cases
            .iter()
            .any(|&c| teams.contains(&instance.cases[c].team.as_str()))
    })
}

/// Some workers (ascending) and the units that may change among them around `around`:
/// the units they hold, and the unallocated units `waiting` picks. Returns the instance
/// with those units' eligible workers cut down to these workers (so the part's program
/// is closed) and the part; as in [`two_teams`], a unit whose current worker is outside
/// loses a move cost that is the same for every choice inside.
pub fn among_workers(
    instance: &Instance,
    around: &Allocation,
    workers: Vec<usize>,
    waiting: impl Fn(usize) -> bool,
) -> (Instance, Part) {
    let inside = |w: usize| workers.binary_search(&w).is_ok();
    let units: Vec<usize> = (0..instance.units.len())
        .filter(|&u| match around.units[u] {
            Some(w) => inside(w),
            None => waiting(u),
        })
        .collect();
    let mut restricted = instance.clone();
    for &u in &units {
        restricted.units[u].eligible.retain(|&w| inside(w));
    }
    (restricted, Part { units, workers })
}

/// Pairs of teams worth re-solving together around `around`, most promising first: team
/// A leaves a unit unallocated that is more urgent (unallocated cost per point) than one
/// team B allocated and could leave.
pub fn promising_team_pairs(instance: &Instance, around: &Allocation) -> Vec<[String; 2]> {
    let mut teams: Vec<&str> = instance
        .workers
        .iter()
        .map(|w| w.team.as_str())
        .filter(|t| !t.is_empty())
        .collect();
    teams.sort_unstable();
    teams.dedup();
    let team_of = |t: &str| teams.binary_search(&t).ok();
    let urgency = |u: usize| instance.unallocated_cost(u) / instance.units[u].weight;
    let mut waiting = vec![f64::NEG_INFINITY; teams.len()];
    let mut leavable = vec![f64::INFINITY; teams.len()];
    for (u, unit) in instance.units.iter().enumerate() {
        match around.units[u] {
            None => {
                if let Some(t) = team_of(&instance.cases[unit.cases[0]].team) {
                    waiting[t] = waiting[t].max(urgency(u));
                }
            }
            Some(w) if !unit.must_allocate => {
                if let Some(t) = team_of(&instance.workers[w].team) {
                    leavable[t] = leavable[t].min(urgency(u));
                }
            }
            Some(_) => {}
        }
    }
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (a, &wait) in waiting.iter().enumerate() {
        for (b, &leave) in leavable.iter().enumerate() {
            if a != b && wait > leave + 1e-9 {
                pairs.push((wait - leave, a, b));
            }
        }
    }
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let mut seen = std::collections::BTreeSet::new();
    pairs
        .into_iter()
        .filter(|&(_, a, b)| seen.insert((a.min(b), a.max(b))))
        .map(|(_, a, b)| [teams[a].to_string(), teams[b].to_string()])
        .collect()
}

/// Up to `count` sets of at most `size` workers (each ascending) whose loads in `around`
/// leave room under their load limits, each with the waiting units eligible for one of
/// its workers. Room too small for any waiting unit on each worker alone may take one
/// once the set's units are packed again: on the 30-team cross-team trusts, 99 % of the
/// objective is children waiting, and the LP fills the last 0.05–0.3 points of most
/// workers that whole units cannot. Only workers that could take a waiting unit count;
/// in decreasing order of room, set `i` takes every `stride`-th of them from the
/// `(skip + i) % stride`-th on (`stride` = their number / `size`), so that each set mixes
/// more and less room and successive calls try other sets.
pub fn slack_sets(
    instance: &Instance,
    around: &Allocation,
    size: usize,
    skip: usize,
    count: usize,
) -> Vec<(Vec<usize>, Vec<usize>)> {
    let workers = instance.workers.len();
    let loads = instance.evaluate(around).loads;
    let waiting_units: Vec<usize> = (0..instance.units.len())
        .filter(|&u| around.units[u].is_none())
        .collect();
    let mut takes_waiting = vec![false; workers];
    for &u in &waiting_units {
        for &w in &instance.units[u].eligible {
            takes_waiting[w] = true;
        }
    }
    let mut roomy: Vec<(usize, f64)> = (0..workers)
        .filter(|&w| takes_waiting[w])
        .filter_map(|w| {
            let room = instance.load_limit(w)? - loads[w].load_after;
            (room > 1e-6).then_some((w, room))
        })
        .collect();
    roomy.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let stride = roomy.len().div_ceil(size.max(1)).max(1);
    let mut sets = Vec::with_capacity(count);
    for i in 0..count.min(stride) {
        let first = (skip + i) % stride;
        let mut set: Vec<usize> = roomy
            .iter()
            .skip(first)
            .step_by(stride)
            .take(size)
            .map(|&(w, _)| w)
            .collect();
        set.sort_unstable();
        let waiting: Vec<usize> = waiting_units
            .iter()
            .copied()
            .filter(|&u| {
                instance.units[u]
                    .eligible
                    .iter()
                    .any(|w| set.binary_search(w).is_ok())
            })
            .collect();
        sets.push((set, waiting));
    }
    sets
}
