//! The hard limits as the solver reads them: one home for each, read by the program
//! ([`super::formulation`]), the local search ([`super::state`]), the guard
//! ([`super::hard_rule_breaches`]) and the pooled bound ([`super::pooled`]).
//! (The independent checker, `crate::check`, keeps its own reading on purpose.)
//!
//! For a worker `w` and a unit `u` it may hold (`x[u,w] = 1` when it does):
//!
//! - **Capacity** (hard rule 3, hard capacity mode only): the load after the run stays
//!   within the capacity, or within the load held before if that was already more:
//!   `Σ_u load(u,w) x[u,w] ≤ L_w = max(cap_w, load before_w)`, where `load(u,w)` is the
//!   unit's weight on `w` (`pairs.csv` may change it per worker). Compared with a
//!   tolerance of [`LOAD_TOLERANCE`] points.
//! - **Case count** (hard rule 3, when the worker has `max_cases`): the cases held after
//!   the run, `Σ_u cases(u) x[u,w] ≤ C_w = max(max_cases_w, count before_w)`.
//! - **New cases** (hard rule 4, when the worker has `max_new`): the cases received that
//!   it did not hold before, `Σ_u new(u,w) x[u,w] ≤ N_w = max_new_w`.
//! - **Moves budget** (hard rule 5, over all workers): the discretionary moves, cases
//!   whose current worker still fits that go elsewhere,
//!   `Σ_{u,w} moves(u,w) x[u,w] ≤ M = max_moves`. (Such units must stay allocated, so
//!   a move is exactly a case going to another worker.)
//!
//! [`Limits`] holds `L_w`, `C_w` and `N_w` of a worker, [`moves_budget`] `M`, and
//! [`PairNumbers`] the quantities the rules count for one (unit, worker) pair:
//! `load(u,w)`, `cases(u)`, `new(u,w)` and `moves(u,w)` (with the pair's objective
//! coefficient, which the program, the local search and the pooled bound share too).

use crate::model::Instance;

/// Points by which a load may exceed its limit and still count as within it (rounding).
pub const LOAD_TOLERANCE: f64 = 1e-9;

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

impl Limits {
    /// The limits of worker `w`.
    pub fn of(instance: &Instance, w: usize) -> Self {
        Self {
            load: instance.load_limit(w),
            cases: instance.count_limit(w),
            new_cases: instance.workers[w].max_new,
        }
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
}

/// `M`: the most discretionary moves a run may make.
pub fn moves_budget(instance: &Instance) -> u64 {
    instance.policy.max_moves
}

/// Whether a number of discretionary moves is within the budget `M`.
pub fn moves_ok(instance: &Instance, moves: u64) -> bool {
    moves <= moves_budget(instance)
}

/// What the rules count, and what the objective charges, for unit `u` on worker `w`.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CapacityMode, Case, Policy, Scenario, Worker};

    fn instance(policy: Policy) -> Instance {
        let mut a = Worker::new("A").capacity(2.0);
        a.max_cases = Some(1);
        a.max_new = Some(0);
        let workers = vec![a, Worker::new("B").capacity(5.0)];
        let cases = vec![
            Case::new("C1").weight(1.5).held_by("A"),
            Case::new("C2").weight(1.5).held_by("A"),
        ];
        Instance::new(&Scenario::new(workers, cases, policy)).expect("valid")
    }

    #[test]
    fn a_limit_is_never_below_what_the_worker_held_before() {
        let hard = instance(Policy {
            capacity: CapacityMode::Hard,
            max_moves: 7,
            ..Policy::default()
        });
        let a = Limits::of(&hard, 0);
        assert_eq!(a.load, Some(3.0));
        assert_eq!(a.cases, Some(2));
        assert_eq!(a.new_cases, Some(0));
        assert!(a.admit(3.0 + 1e-10, 2, 0));
        assert!(!a.load_ok(3.01));
        assert!(!a.cases_ok(3));
        assert!(!a.new_cases_ok(1));
        assert_eq!(Limits::of(&hard, 1).cases, None);
        assert_eq!(moves_budget(&hard), 7);
        assert!(moves_ok(&hard, 7) && !moves_ok(&hard, 8));
        let soft = instance(Policy {
            capacity: CapacityMode::Soft,
            ..Policy::default()
        });
        assert_eq!(Limits::of(&soft, 0).load, None);
    }

    #[test]
    fn a_pair_counts_its_cases_new_cases_and_moves() {
        let i = instance(Policy::default());
        let u = (0..i.units.len())
            .find(|&u| i.units[u].key == "C1")
            .expect("unit C1");
        let on_a = PairNumbers::of(&i, u, 0);
        assert_eq!((on_a.cases, on_a.new_cases), (1, 0));
        assert_eq!(on_a.load, 1.5);
        let on_b = PairNumbers::of(&i, u, 1);
        assert_eq!(on_b.new_cases, 1);
        assert_eq!(on_b.moves, i.discretionary_moves(u, Some(1)));
    }
}
