//! Carrying children back before asking the solver: a part's first-stage allocation is
//! walked towards the previous proposal by single moves and two-unit swaps, each kept
//! only when it changes fewer children, keeps every hard limit and leaves the part's
//! cost under its cap.
//!
//! The first stage returns whichever of many equal-cost allocations HiGHS meets first:
//! alike children exchanged between workers, a child sent to one of two workers with
//! the same room. Most of those differences from the previous proposal undo by a move
//! or a swap at no cost, and a part the decisions left alone comes back entirely (its
//! previous allocation is within the cap that allocation was settled under). When the
//! walk reaches the children that must change wherever they go, the count is proven
//! the fewest without the solver; otherwise it is the search's first answer, and the
//! search only has to prove there is none below it.

use std::collections::BTreeMap;

use super::super::state::State;
use super::super::Part;
use crate::model::{Instance, Was};

/// Most passes over a part's units (each pass undoes what the last one made possible).
const PASSES: usize = 3;

/// Walks the part's units in `state` back towards their previous places while the
/// part's cost stays within `room` of where it started (`room` is what is left of it
/// afterwards); returns the children of the part the state then changes.
pub(super) fn carry_back(
    state: &mut State<'_>,
    instance: &Instance,
    was: &Was,
    part: &Part,
    room: &mut f64,
) -> u32 {
    if let Some(delta) = restore(state, instance, was, part, *room) {
        *room -= delta;
    }
    let mut at: BTreeMap<Option<usize>, Vec<usize>> = BTreeMap::new();
    for &u in &part.units {
        at.entry(state.units[u]).or_default().push(u);
    }
    for _ in 0..PASSES {
        let mut progress = false;
        for &u in &part.units {
            if let Some(change) = undo(state, instance, was, part, &at, u, *room) {
                *room -= change.delta;
                for (v, from, to) in change.moved {
                    if let Some(list) = at.get_mut(&from) {
                        list.retain(|&x| x != v);
                    }
                    let list = at.entry(to).or_default();
                    let i = list.partition_point(|&x| x < v);
                    list.insert(i, v);
                }
                progress = true;
            }
        }
        if !progress {
            break;
        }
    }
    part.units
        .iter()
        .map(|&u| was.changed_in(instance, u, state.units[u]))
        .sum()
}

/// Every unit of the part at once to a place of fewest changes (its previous place
/// when it may go there, its place now when that is as good), if the whole keeps every
/// limit and `room`, or does after one more move (the fewest further changes first):
/// a part the decisions left alone comes back in one step, however its children were
/// exchanged, and a reject's chain of one (the rejected child stays, another takes its
/// place) in two. Returns the objective's change, when kept; else the state is as it
/// was.
fn restore(
    state: &mut State<'_>,
    instance: &Instance,
    was: &Was,
    part: &Part,
    room: f64,
) -> Option<f64> {
    let mut changes = Vec::new();
    for &u in &part.units {
        let now = state.units[u];
        let least = places(instance, part, u)
            .map(|t| (was.changed_in(instance, u, t), t != now, t))
            .min();
        if let Some((changed, _, to)) = least {
            if to != now && changed < was.changed_in(instance, u, now) {
                changes.push((u, now, to));
            }
        }
    }
    if changes.is_empty() {
        return None;
    }
    let before = state.local_cost(&part.units, &part.workers);
    for &(u, _, to) in &changes {
        state.set(u, to);
    }
    let delta = state.local_cost(&part.units, &part.workers) - before;
    let over: Vec<usize> = part
        .workers
        .iter()
        .copied()
        .filter(|&w| !state.is_within_limits(w))
        .collect();
    if over.is_empty() && state.moves_within_budget() && delta <= room {
        return Some(delta);
    }
    if let Some(repair) = one_more_move(state, instance, was, part, &over, room - delta) {
        return Some(delta + repair);
    }
    for &(u, now, _) in changes.iter().rev() {
        state.set(u, now);
    }
    None
}

/// The move, of fewest further changes, after which every worker of the part in `over`
/// (those above a limit) and the two it touches are within their limits and the cost
/// rises by at most `room`; applied, with its objective change.
fn one_more_move(
    state: &mut State<'_>,
    instance: &Instance,
    was: &Was,
    part: &Part,
    over: &[usize],
    room: f64,
) -> Option<f64> {
    if over.len() > 1 {
        return None;
    }
    let mut moves: Vec<(u32, usize, Option<usize>)> = Vec::new();
    for &v in &part.units {
        let now = state.units[v];
        // A move relieves at most the worker it leaves: with someone over a limit, only
        // moves off them can help.
        if !over.is_empty() && !now.is_some_and(|w| over.contains(&w)) {
            continue;
        }
        let here = was.changed_in(instance, v, now);
        for to in places(instance, part, v).filter(|&t| t != now) {
            let extra = was.changed_in(instance, v, to).saturating_sub(here);
            moves.push((extra, v, to));
        }
    }
    moves.sort();
    for (_, v, to) in moves {
        let now = state.units[v];
        let delta = state.move_delta(v, to);
        if delta > room {
            continue;
        }
        state.set(v, to);
        let fine = over
            .iter()
            .chain(now.iter())
            .chain(to.iter())
            .all(|&w| state.is_within_limits(w))
            && state.moves_within_budget();
        if fine {
            return Some(delta);
        }
        state.set(v, now);
    }
    None
}

/// A change kept: the objective's change and the units moved `(unit, from, to)`.
struct Kept {
    delta: f64,
    moved: Vec<(usize, Option<usize>, Option<usize>)>,
}

/// The first move or swap that changes fewer of unit `u`'s children (and no more of
/// another's), within every limit and `room`; applied to `state`.
fn undo(
    state: &mut State<'_>,
    instance: &Instance,
    was: &Was,
    part: &Part,
    at: &BTreeMap<Option<usize>, Vec<usize>>,
    u: usize,
    room: f64,
) -> Option<Kept> {
    let now = state.units[u];
    let changed_now = was.changed_in(instance, u, now);
    if changed_now == 0 {
        return None;
    }
    let mut better: Vec<(u32, Option<usize>)> = places(instance, part, u)
        .map(|t| (was.changed_in(instance, u, t), t))
        .filter(|&(c, _)| c < changed_now)
        .collect();
    better.sort();
    for (changed_there, to) in better {
        if let Some(delta) = state.try_within(&[(u, to)], room) {
            return Some(Kept {
                delta,
                moved: vec![(u, now, to)],
            });
        }
        // A swap: a unit of the part at `to` takes `u`'s place, its own children
        // changing no more than `u`'s stop changing.
        let Some(holders) = at.get(&to) else { continue };
        for &v in holders {
            if v == u || !places(instance, part, v).any(|t| t == now) {
                continue;
            }
            let gain = i64::from(changed_now) - i64::from(changed_there)
                + i64::from(was.changed_in(instance, v, to))
                - i64::from(was.changed_in(instance, v, now));
            if gain <= 0 {
                continue;
            }
            if let Some(delta) = state.try_within(&[(v, now), (u, to)], room) {
                return Some(Kept {
                    delta,
                    moved: vec![(v, to, now), (u, now, to)],
                });
            }
        }
    }
    None
}

/// Where unit `u` may go within the part: its eligible workers of the part, and nobody
/// when it may stay unallocated.
pub(super) fn places<'a>(
    instance: &'a Instance,
    part: &'a Part,
    u: usize,
) -> impl Iterator<Item = Option<usize>> + 'a {
    let unit = &instance.units[u];
    let nobody = (!unit.must_allocate).then_some(None);
    unit.eligible
        .iter()
        .filter(|w| part.workers.binary_search(w).is_ok())
        .map(|&w| Some(w))
        .chain(nobody)
}

#[cfg(test)]
mod tests {
    use super::carry_back;
    use crate::model::{Allocation, Case, Instance, Policy, Previous, Scenario, Worker};
    use crate::solve::formulation::Part;
    use crate::solve::state::State;

    fn instance(capacity_w1: f64) -> Instance {
        let workers = vec![
            Worker::new("W1").capacity(capacity_w1),
            Worker::new("W2").capacity(20.0),
        ];
        let cases = (1..=3)
            .map(|c| Case::new(format!("C{c}").as_str()).weight(5.0))
            .collect();
        Instance::new(&Scenario::new(workers, cases, Policy::default())).expect("valid")
    }

    fn previous(rows: &[(&str, &str)]) -> Previous {
        Previous::from_rows(rows.iter().map(|&(c, w)| (c.into(), Some(w.into()))))
    }

    /// Every unit (one child each here) with worker `w` of `places`.
    fn allocation(instance: &Instance, places: &[usize]) -> Allocation {
        assert_eq!(places.len(), instance.units.len());
        Allocation {
            units: places.iter().map(|&w| Some(w)).collect(),
        }
    }

    #[test]
    fn a_part_left_alone_comes_back_whole_within_its_cost() {
        let instance = instance(10.0);
        let was = previous(&[("C1", "W1"), ("C2", "W2"), ("C3", "W1")]).on(&instance);
        // An allocation of the same cost that exchanges the alike children.
        let first = allocation(&instance, &[1, 0, 0]);
        let mut state = State::of(&instance, &first);
        let part = Part::whole(&instance);
        let cost = state.local_cost(&part.units, &part.workers);
        let mut room = 0.0;
        let changed = carry_back(&mut state, &instance, &was, &part, &mut room);
        assert_eq!(changed, 0);
        assert_eq!(state.units, vec![Some(0), Some(1), Some(0)]);
        let after = state.local_cost(&part.units, &part.workers);
        assert!(
            (after - cost).abs() < 1e-9 && room.abs() < 1e-9,
            "{cost} {after}"
        );
    }

    #[test]
    fn a_capacity_cut_moves_one_child_and_no_more() {
        // W1 held C1 and C3; its capacity now takes one of them.
        let instance = instance(5.0);
        let was = previous(&[("C1", "W1"), ("C2", "W2"), ("C3", "W1")]).on(&instance);
        let first = allocation(&instance, &[1, 1, 1]);
        let mut state = State::of(&instance, &first);
        let part = Part::whole(&instance);
        let mut room = f64::INFINITY;
        let changed = carry_back(&mut state, &instance, &was, &part, &mut room);
        assert_eq!(changed, 1);
        assert!((0..2).all(|w| state.is_within_limits(w)));
        assert_eq!(was.changed_by(&instance, &state.allocation()), 1);
    }

    #[test]
    fn the_cost_never_rises_beyond_the_room() {
        let instance = instance(5.0);
        let was = previous(&[("C1", "W1"), ("C2", "W2"), ("C3", "W1")]).on(&instance);
        let first = allocation(&instance, &[1, 1, 1]);
        let part = Part::whole(&instance);
        for allowed in [0.0, 1.0, f64::INFINITY] {
            let mut state = State::of(&instance, &first);
            let before = state.local_cost(&part.units, &part.workers);
            let mut room = allowed;
            carry_back(&mut state, &instance, &was, &part, &mut room);
            let after = state.local_cost(&part.units, &part.workers);
            assert!(after - before <= allowed + 1e-9, "{before} -> {after}");
            if allowed.is_finite() {
                assert!((room - (allowed - (after - before))).abs() < 1e-9);
            }
            assert!((0..2).all(|w| state.is_within_limits(w)));
        }
    }
}
