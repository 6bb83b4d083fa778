//! A scenario (workers, cases, policy) and its prepared form for solving: units,
//! eligibility and the loads before the run (prepared by the rules, [`super::rules`]).

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
    pub(super) worker_index: BTreeMap<WorkerId, usize>,
    pub(super) case_index: BTreeMap<CaseId, usize>,
}

impl Instance {
    /// The index of a worker id.
    pub fn worker(&self, id: &WorkerId) -> Option<usize> {
        self.worker_index.get(id).copied()
    }

    /// The index of a case id.
    pub fn case(&self, id: &CaseId) -> Option<usize> {
        self.case_index.get(id).copied()
    }
}
