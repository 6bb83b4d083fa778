//! Capacity, pair weights and costs (`pairs.csv`), the load bands, and the hard limits of
//! a worker after the run: `L_w = max(capacity, load before)`, `C_w = max(max_cases, count
//! before)`, `N_w = max_new`, and the moves budget `M`.

use crate::model::entities::{PairTerms, Worker};
use crate::model::policy::{Band, CapacityMode, Policy};
use crate::model::scenario::{Instance, Scenario};

/// Points by which a load may exceed its limit and still count as within it (rounding).
pub const LOAD_TOLERANCE: f64 = 1e-9;

/// The capacity of `worker` under `policy`: its explicit capacity, or
/// `fte × standard_capacity`.
pub fn capacity(worker: &Worker, policy: &Policy) -> f64 {
    worker
        .capacity
        .unwrap_or(worker.fte * policy.standard_capacity)
}

/// The load points a case of weight `case_weight` puts on a worker whose `pairs.csv`
/// terms with it are `terms`: the pair's weight when it gives one, else the case's.
pub fn pair_weight(case_weight: f64, terms: Option<&PairTerms>) -> f64 {
    terms.and_then(|t| t.weight).unwrap_or(case_weight)
}

/// The objective points of a worker holding a case, given their `pairs.csv` terms (0
/// without).
pub fn pair_cost(terms: Option<&PairTerms>) -> f64 {
    terms.map_or(0.0, |t| t.cost)
}

/// The band cost of holding `load` points with `capacity`:
/// `Σ_b cost_b × clamp(load − from_b × capacity, 0, (from_{b+1} − from_b) × capacity)`,
/// the last band unbounded above (docs/model.md, "Load bands").
pub fn band_cost(bands: &[Band], load: f64, capacity: f64) -> f64 {
    let mut total = 0.0;
    for (i, band) in bands.iter().enumerate() {
        let start = band.from * capacity;
        let above = load - start;
        if above <= 0.0 {
            break;
        }
        let width = bands
            .get(i + 1)
            .map_or(f64::INFINITY, |next| (next.from - band.from) * capacity);
        total += band.cost * above.min(width);
    }
    total
}

impl Policy {
    /// The band cost of holding `load` points with `capacity` ([`band_cost`] of this
    /// policy's bands).
    pub fn band_cost(&self, load: f64, capacity: f64) -> f64 {
        band_cost(&self.bands, load, capacity)
    }
}

impl Scenario {
    /// The capacity of a worker under this scenario's policy ([`capacity`]).
    pub fn capacity_of(&self, worker: &Worker) -> f64 {
        capacity(worker, &self.policy)
    }
}

/// The hard limits of one worker after the run (`None`: no such limit).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// `L_w`: the most load points (hard capacity mode only).
    pub load: Option<f64>,
    /// `C_w`: the most cases (when the worker has `max_cases`).
    pub cases: Option<u32>,
    /// `N_w`: the most cases received (when the worker has `max_new`).
    pub new_cases: Option<u32>,
}

/// A hard limit broken, with the numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Over {
    /// The load is over `L_w`.
    Load {
        /// The load.
        load: f64,
        /// `L_w`.
        limit: f64,
    },
    /// The case count is over `C_w`.
    Cases {
        /// The cases held.
        cases: u32,
        /// `C_w`.
        limit: u32,
    },
    /// The cases received are over `N_w`.
    NewCases {
        /// The cases received.
        received: u32,
        /// `N_w`.
        limit: u32,
    },
}

impl Limits {
    /// The limits of `worker` with `capacity` under `policy`, holding `load_before` points
    /// in `count_before` cases before the run: a limit is never below what the worker
    /// already held.
    pub fn new(
        policy: &Policy,
        worker: &Worker,
        capacity: f64,
        load_before: f64,
        count_before: u32,
    ) -> Self {
        Self {
            load: match policy.capacity {
                CapacityMode::Hard => Some(capacity.max(load_before)),
                CapacityMode::Soft => None,
            },
            cases: worker.max_cases.map(|m| m.max(count_before)),
            new_cases: worker.max_new,
        }
    }

    /// The limits of worker `w` of a prepared instance.
    pub fn of(instance: &Instance, w: usize) -> Self {
        Self::new(
            &instance.policy,
            &instance.workers[w],
            instance.capacity[w],
            instance.load_before[w],
            instance.count_before[w],
        )
    }

    /// Whether a load is within `L_w` (up to [`LOAD_TOLERANCE`]).
    pub fn load_ok(&self, load: f64) -> bool {
        self.load.is_none_or(|limit| load <= limit + LOAD_TOLERANCE)
    }

    /// Whether a case count is within `C_w`.
    pub fn cases_ok(&self, cases: u32) -> bool {
        self.cases.is_none_or(|limit| cases <= limit)
    }

    /// Whether a number of cases received is within `N_w`.
    pub fn new_cases_ok(&self, received: u32) -> bool {
        self.new_cases.is_none_or(|limit| received <= limit)
    }

    /// Whether a worker holding this load and these cases, having received `received`
    /// of them, is within every one of its limits.
    pub fn admit(&self, load: f64, cases: u32, received: u32) -> bool {
        self.load_ok(load) && self.cases_ok(cases) && self.new_cases_ok(received)
    }

    /// Every limit a worker holding this load and these cases, having received
    /// `received` of them, breaks: load, then cases, then cases received.
    pub fn over(&self, load: f64, cases: u32, received: u32) -> Vec<Over> {
        let mut over = Vec::new();
        if let Some(limit) = self.load.filter(|_| !self.load_ok(load)) {
            over.push(Over::Load { load, limit });
        }
        if let Some(limit) = self.cases.filter(|_| !self.cases_ok(cases)) {
            over.push(Over::Cases { cases, limit });
        }
        if let Some(limit) = self.new_cases.filter(|_| !self.new_cases_ok(received)) {
            over.push(Over::NewCases { received, limit });
        }
        over
    }
}

/// `M`: the most discretionary moves a run may make.
pub fn moves_budget(policy: &Policy) -> u64 {
    policy.max_moves
}

/// Whether a number of discretionary moves is within the budget `M`.
pub fn moves_ok(policy: &Policy, moves: u64) -> bool {
    moves <= moves_budget(policy)
}
