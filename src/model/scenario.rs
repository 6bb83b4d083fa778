//! A scenario (workers, cases, policy) and its prepared form for solving: units,
//! eligibility and the loads before the run.

use std::collections::BTreeMap;

use super::entities::{Case, PairTerms, Worker};
use super::ids::{CaseId, WorkerId};
use super::policy::Policy;

/// Everything one run needs: who can hold cases, the children, and the policy.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scenario {
    /// Workers, in any order (sorted by id when prepared).
    pub workers: Vec<Worker>,
    /// Cases, in any order (sorted by id when prepared).
    pub cases: Vec<Case>,
    /// The policy.
    pub policy: Policy,
    /// Extension (`pairs.csv`): per (case, worker) cost and weight; empty by default.
    pub pairs: BTreeMap<(CaseId, WorkerId), PairTerms>,
}

impl Scenario {
    /// Builds a scenario from its parts.
    pub fn new(workers: Vec<Worker>, cases: Vec<Case>, policy: Policy) -> Self {
        Self {
            workers,
            cases,
            policy,
            pairs: BTreeMap::new(),
        }
    }

    /// The same scenario with per (case, worker) terms.
    pub fn with_pairs(mut self, pairs: BTreeMap<(CaseId, WorkerId), PairTerms>) -> Self {
        self.pairs = pairs;
        self
    }

    /// The capacity of a worker under this scenario's policy: its explicit capacity, or
    /// `fte × standard_capacity`.
    pub fn capacity_of(&self, worker: &Worker) -> f64 {
        worker
            .capacity
            .unwrap_or(worker.fte * self.policy.standard_capacity)
    }
}

/// Why a worker is not eligible for a case; the first reason found, in this order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ineligible {
    /// The worker is on leave or leaving.
    Unavailable,
    /// A manager decided the worker is leaving or on leave.
    Away(super::decision::Decided),
    /// The worker lacks a required tag.
    LacksTag(super::ids::Tag),
    /// The worker is in the case's `exclude` list (conflict of interest).
    Excluded,
    /// A manager decided the worker may never hold the case.
    Never(super::decision::Decided),
    /// The case has a team and the worker is in another (and `cross_team` is off).
    OtherTeam {
        /// The case's team.
        case_team: String,
        /// The worker's team.
        worker_team: String,
    },
}

/// Whether `worker` may hold `case` under `policy` (docs/model.md, "Eligibility"), and if not why.
pub fn eligibility(worker: &Worker, case: &Case, policy: &Policy) -> Result<(), Ineligible> {
    if !worker.available {
        return Err(match &worker.away {
            Some(decided) => Ineligible::Away(decided.clone()),
            None => Ineligible::Unavailable,
        });
    }
    if let Some(tag) = case.requires.iter().find(|t| !worker.has(t)) {
        return Err(Ineligible::LacksTag(tag.clone()));
    }
    if case.exclude.contains(&worker.id) {
        return Err(Ineligible::Excluded);
    }
    if let Some(decided) = case.never.get(&worker.id) {
        return Err(Ineligible::Never(decided.clone()));
    }
    if !policy.cross_team && !case.team.is_empty() && case.team != worker.team {
        return Err(Ineligible::OtherTeam {
            case_team: case.team.clone(),
            worker_team: worker.team.clone(),
        });
    }
    Ok(())
}

/// What the solver moves: a whole sibling group, or a case without a group.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    /// The group name, or the case id for a case without a group.
    pub key: String,
    /// Indices of its cases (into [`Instance::cases`]), ascending.
    pub cases: Vec<usize>,
    /// Sum of the weights of its cases (as in `cases.csv`; the load it puts on a given
    /// worker is [`Instance::unit_weight_on`], which `pairs.csv` may change).
    pub weight: f64,
    /// Workers eligible for every case of the unit, ascending; just the pinned worker when
    /// a case is pinned or held by a manager's decision (and empty if that worker is not
    /// eligible, or the decision holds the unit unallocated).
    pub eligible: Vec<usize>,
    /// The worker a pinned case, or a manager's decision, fixes the unit to.
    pub pinned_to: Option<usize>,
    /// The case whose manager's decision ([`Case::hold`]) fixes the unit, if any.
    pub decided: Option<usize>,
    /// Hard rule 2: some case's current worker still fits, so the unit must be allocated.
    pub must_allocate: bool,
}

impl Unit {
    /// Whether `worker` is eligible for the whole unit.
    pub fn is_eligible(&self, worker: usize) -> bool {
        self.eligible.binary_search(&worker).is_ok()
    }
}

/// A scenario prepared for solving: sorted entities, indices, units, eligibility, and the
/// state before the run. Build it with [`Instance::new`] from a valid scenario.
#[derive(Clone, Debug)]
pub struct Instance {
    /// Workers sorted by id.
    pub workers: Vec<Worker>,
    /// Cases sorted by id.
    pub cases: Vec<Case>,
    /// The policy.
    pub policy: Policy,
    /// Capacity of each worker.
    pub capacity: Vec<f64>,
    /// Load each worker holds before the run.
    pub load_before: Vec<f64>,
    /// Number of cases each worker holds before the run.
    pub count_before: Vec<u32>,
    /// Current worker of each case, as an index.
    pub current: Vec<Option<usize>>,
    /// Units: sibling groups sorted by name, then single cases sorted by id.
    pub units: Vec<Unit>,
    /// The unit of each case.
    pub unit_of: Vec<usize>,
    /// Per (case, worker) terms by index, from `pairs.csv`.
    pub pairs: BTreeMap<(usize, usize), PairTerms>,
    worker_index: BTreeMap<WorkerId, usize>,
    case_index: BTreeMap<CaseId, usize>,
}

impl Instance {
    /// Prepares a scenario already known to be valid (unique ids, known worker ids).
    ///
    /// The public constructor, [`Instance::new`], validates first; it lives with the
    /// rules, in `validate`, so that the model needs nothing above it.
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
        let weight_on = |c: usize, w: usize| {
            pairs
                .get(&(c, w))
                .and_then(|t| t.weight)
                .unwrap_or(cases[c].weight)
        };
        let mut load_before = vec![0.0; workers.len()];
        let mut count_before = vec![0u32; workers.len()];
        for (c, cur) in current.iter().enumerate() {
            if let Some(w) = *cur {
                load_before[w] += weight_on(c, w);
                count_before[w] += 1;
            }
        }

        // Group cases into units: sibling groups by name, then single cases by id (kept
        // apart, so a group named like a case id is still its own unit).
        let mut by_key: BTreeMap<(bool, String), Vec<usize>> = BTreeMap::new();
        for (i, c) in cases.iter().enumerate() {
            let key = match &c.group {
                Some(g) => (false, g.clone()),
                None => (true, c.id.as_str().to_string()),
            };
            by_key.entry(key).or_default().push(i);
        }
        let mut unit_of = vec![0; cases.len()];
        let units = by_key
            .into_iter()
            .enumerate()
            .map(|(u, ((_, key), members))| {
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

    /// The index of a worker id.
    pub fn worker(&self, id: &WorkerId) -> Option<usize> {
        self.worker_index.get(id).copied()
    }

    /// The index of a case id.
    pub fn case(&self, id: &CaseId) -> Option<usize> {
        self.case_index.get(id).copied()
    }

    /// Whether case `c`'s current worker still fits: available and eligible for the
    /// case's whole unit.
    pub fn still_fits(&self, c: usize) -> bool {
        self.current[c].is_some_and(|w| self.units[self.unit_of[c]].is_eligible(w))
    }

    /// The hard limit on a worker's load after the run, if capacity is hard:
    /// `max(capacity, load before)`.
    pub fn load_limit(&self, w: usize) -> Option<f64> {
        match self.policy.capacity {
            super::policy::CapacityMode::Hard => Some(self.capacity[w].max(self.load_before[w])),
            super::policy::CapacityMode::Soft => None,
        }
    }

    /// The limit on a worker's case count after the run: `max(max_cases, count before)`.
    pub fn count_limit(&self, w: usize) -> Option<u32> {
        self.workers[w]
            .max_cases
            .map(|m| m.max(self.count_before[w]))
    }

    /// The load points case `c` uses on worker `w`: its `pairs.csv` weight, or the case's
    /// weight.
    pub fn weight_on(&self, c: usize, w: usize) -> f64 {
        self.pairs
            .get(&(c, w))
            .and_then(|t| t.weight)
            .unwrap_or(self.cases[c].weight)
    }

    /// The objective points of worker `w` holding case `c` (`pairs.csv`; 0 by default).
    pub fn pair_cost(&self, c: usize, w: usize) -> f64 {
        self.pairs.get(&(c, w)).map_or(0.0, |t| t.cost)
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
            .map(|&c| {
                self.cases[c]
                    .prefers
                    .iter()
                    .filter(|t| !self.workers[w].has(t))
                    .count() as u32
            })
            .sum()
    }

    /// The unallocated penalty of a unit: `Σ weight × priority × weights.unallocated`.
    pub fn unallocated_cost(&self, u: usize) -> f64 {
        self.units[u]
            .cases
            .iter()
            .map(|&c| {
                self.cases[c].weight
                    * f64::from(self.cases[c].priority)
                    * self.policy.weights.unallocated
            })
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
