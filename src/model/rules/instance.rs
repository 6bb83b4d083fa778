//! The rules read on a prepared [`Instance`]: sibling groups as units, each unit's
//! eligible workers, the loads before the run with pair weights, and the numbers the
//! rules count and the objective charges for a unit on a worker ([`PairNumbers`]).

use std::collections::BTreeMap;

use super::eligibility::eligibility;
use super::limits::{pair_cost, pair_weight, Limits};
use crate::model::entities::{Case, PairTerms};
use crate::model::ids::{CaseId, WorkerId};
use crate::model::scenario::{Instance, Scenario, Unit};

/// Siblings stay together: the units of `cases` (indices into the slice), sibling groups
/// by name first, then each case without a group by id, each unit's cases ascending.
/// (A group named like a case id is still its own unit.)
pub fn units_of(cases: &[Case]) -> Vec<(String, Vec<usize>)> {
    let mut by_key: BTreeMap<(bool, &str), Vec<usize>> = BTreeMap::new();
    for (i, c) in cases.iter().enumerate() {
        let key = match &c.group {
            Some(g) => (false, g.as_str()),
            None => (true, c.id.as_str()),
        };
        by_key.entry(key).or_default().push(i);
    }
    by_key
        .into_iter()
        .map(|((_, key), members)| (key.to_string(), members))
        .collect()
}

/// Siblings stay together: for each case of `cases`, every case of its unit (indices into
/// the slice, ascending; just itself without a group).
pub fn siblings(cases: &[Case]) -> Vec<Vec<usize>> {
    let mut of = vec![Vec::new(); cases.len()];
    for (_, members) in units_of(cases) {
        for &c in &members {
            of[c] = members.clone();
        }
    }
    of
}

impl Instance {
    /// Prepares a scenario already known to be valid (unique ids, known worker ids).
    ///
    /// The public constructor, [`Instance::new`], validates first; it lives with the
    /// validation, in `validate`, so that the model needs nothing above it.
    pub(crate) fn prepare(scenario: &Scenario) -> Self {
        let mut workers = scenario.workers.clone();
        workers.sort_by(|a, b| a.id.cmp(&b.id));
        let mut cases = scenario.cases.clone();
        cases.sort_by(|a, b| a.id.cmp(&b.id));
        let policy = scenario.policy.clone();

        let worker_index: BTreeMap<WorkerId, usize> = workers
            .iter()
            .enumerate()
            .map(|(i, w)| (w.id.clone(), i))
            .collect();
        let case_index: BTreeMap<CaseId, usize> = cases
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        let capacity = workers.iter().map(|w| scenario.capacity_of(w)).collect();
        let current: Vec<Option<usize>> = cases
            .iter()
            .map(|c| {
                c.current_worker
                    .as_ref()
                    .and_then(|id| worker_index.get(id).copied())
            })
            .collect();
        // Validation guarantees the ids are known; unknown ones are skipped all the same.
        let pairs: BTreeMap<(usize, usize), PairTerms> = scenario
            .pairs
            .iter()
            .filter_map(|((c, w), terms)| {
                Some(((*case_index.get(c)?, *worker_index.get(w)?), *terms))
            })
            .collect();
        let mut load_before = vec![0.0; workers.len()];
        let mut count_before = vec![0u32; workers.len()];
        for (c, cur) in current.iter().enumerate() {
            if let Some(w) = *cur {
                load_before[w] += pair_weight(cases[c].weight, pairs.get(&(c, w)));
                count_before[w] += 1;
            }
        }

        let mut unit_of = vec![0; cases.len()];
        let units = units_of(&cases)
            .into_iter()
            .enumerate()
            .map(|(u, (key, members))| {
                for &c in &members {
                    unit_of[c] = u;
                }
                // An input pin comes first (validation keeps decisions that contradict one
                // from being applied); a decision holding the unit unallocated leaves no
                // candidate.
                let input_pin = members
                    .iter()
                    .find(|&&c| cases[c].pinned)
                    .and_then(|&c| current[c]);
                let decided = members.iter().copied().find(|&c| cases[c].hold.is_some());
                let held = decided.and_then(|c| cases[c].hold.as_ref());
                let pinned_to = input_pin.or_else(|| {
                    held.and_then(|h| h.worker.as_ref())
                        .and_then(|id| worker_index.get(id).copied())
                });
                let candidates: Vec<usize> = match (pinned_to, held) {
                    (Some(w), _) => vec![w],
                    (None, Some(_)) => Vec::new(),
                    (None, None) => (0..workers.len()).collect(),
                };
                let eligible: Vec<usize> = candidates
                    .into_iter()
                    .filter(|&w| {
                        members
                            .iter()
                            .all(|&c| eligibility(&workers[w], &cases[c], &policy).is_ok())
                    })
                    .collect();
                // A manager's decision to hold the unit with a worker is honoured like a pin
                // the worker already holds: the unit must be allocated.
                let must_allocate = members
                    .iter()
                    .any(|&c| current[c].is_some_and(|w| eligible.binary_search(&w).is_ok()))
                    || (input_pin.is_none() && pinned_to.is_some() && !eligible.is_empty());
                Unit {
                    key,
                    weight: members.iter().map(|&c| cases[c].weight).sum(),
                    cases: members,
                    eligible,
                    pinned_to,
                    decided: decided.filter(|_| input_pin.is_none()),
                    must_allocate,
                }
            })
            .collect();

        Self {
            workers,
            cases,
            policy,
            capacity,
            load_before,
            count_before,
            current,
            units,
            unit_of,
            pairs,
            worker_index,
            case_index,
        }
    }

    /// The current workers of unit `u`'s cases, in case order (one per case that has
    /// one, so a worker may repeat).
    pub fn current_workers(&self, u: usize) -> Vec<usize> {
        self.units[u]
            .cases
            .iter()
            .filter_map(|&c| self.current[c])
            .collect()
    }

    /// Whether case `c`'s current worker still fits: available and eligible for the
    /// case's whole unit.
    pub fn still_fits(&self, c: usize) -> bool {
        self.current[c].is_some_and(|w| self.units[self.unit_of[c]].is_eligible(w))
    }

    /// The hard limit on a worker's load after the run, if capacity is hard:
    /// `max(capacity, load before)` ([`Limits::load`]).
    pub fn load_limit(&self, w: usize) -> Option<f64> {
        Limits::of(self, w).load
    }

    /// The limit on a worker's case count after the run: `max(max_cases, count before)`
    /// ([`Limits::cases`]).
    pub fn count_limit(&self, w: usize) -> Option<u32> {
        Limits::of(self, w).cases
    }

    /// The load points case `c` uses on worker `w`: its `pairs.csv` weight, or the case's
    /// weight ([`pair_weight`]).
    pub fn weight_on(&self, c: usize, w: usize) -> f64 {
        pair_weight(self.cases[c].weight, self.pairs.get(&(c, w)))
    }

    /// The objective points of worker `w` holding case `c` (`pairs.csv`; 0 by default).
    pub fn pair_cost(&self, c: usize, w: usize) -> f64 {
        pair_cost(self.pairs.get(&(c, w)))
    }

    /// The load points unit `u` uses on worker `w`: the sum of its cases' weights there.
    pub fn unit_weight_on(&self, u: usize, w: usize) -> f64 {
        self.units[u]
            .cases
            .iter()
            .map(|&c| self.weight_on(c, w))
            .sum()
    }

    /// The per-pair cost of worker `w` holding unit `u`: the sum over its cases.
    pub fn unit_pair_cost(&self, u: usize, w: usize) -> f64 {
        self.units[u]
            .cases
            .iter()
            .map(|&c| self.pair_cost(c, w))
            .sum()
    }

    /// How many of a unit's cases would be new to worker `w` (not held by it before).
    pub fn new_cases(&self, u: usize, w: usize) -> u32 {
        self.units[u]
            .cases
            .iter()
            .filter(|&&c| self.current[c] != Some(w))
            .count() as u32
    }

    /// How many preferred tags worker `w` lacks over the unit's cases.
    pub fn missing_preferences(&self, u: usize, w: usize) -> u32 {
        self.units[u]
            .cases
            .iter()
            .map(|&c| super::objective::missing_preferences(&self.workers[w], &self.cases[c]))
            .sum()
    }

    /// The unallocated penalty of a unit: `Σ weight × priority × weights.unallocated`.
    pub fn unallocated_cost(&self, u: usize) -> f64 {
        self.units[u]
            .cases
            .iter()
            .map(|&c| super::objective::unallocated_cost(&self.cases[c], &self.policy))
            .sum()
    }

    /// The discretionary moves of giving unit `u` to `to` (`None` = unallocated): its cases
    /// whose current worker still fits and is not `to`.
    pub fn discretionary_moves(&self, u: usize, to: Option<usize>) -> u32 {
        self.units[u]
            .cases
            .iter()
            .filter(|&&c| self.still_fits(c) && self.current[c] != to)
            .count() as u32
    }
}

/// What the rules count, and what the objective charges, for unit `u` on worker `w`:
/// one home for the program, the local search and the pooled bound.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairNumbers {
    /// `load(u,w)`: the unit's weight on the worker.
    pub load: f64,
    /// `cases(u)`: the unit's cases.
    pub cases: u32,
    /// `new(u,w)`: its cases the worker did not hold before.
    pub new_cases: u32,
    /// `moves(u,w)`: its discretionary moves were it to go to the worker.
    pub moves: u32,
    /// Its objective coefficient there: move, preference and pair costs,
    /// `move × moves(u,w) + preference × missing(u,w) + pair(u,w)`.
    pub cost: f64,
}

impl PairNumbers {
    /// The numbers of unit `u` on worker `w`.
    pub fn of(instance: &Instance, u: usize, w: usize) -> Self {
        let moves = instance.discretionary_moves(u, Some(w));
        let weights = &instance.policy.weights;
        Self {
            load: instance.unit_weight_on(u, w),
            cases: instance.units[u].cases.len() as u32,
            new_cases: instance.new_cases(u, w),
            moves,
            cost: weights.move_ * f64::from(moves)
                + weights.preference * f64::from(instance.missing_preferences(u, w))
                + instance.unit_pair_cost(u, w),
        }
    }
}
