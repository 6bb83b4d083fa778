//! Every rule in one public home: what the solver (program, local search, guard, pooled
//! bound), `explain`, `diagnose`, `validate` and the judge of managers' decisions read.
//! (The independent checker, `crate::check`, keeps its own reading on purpose.)
//!
//! - **Eligibility** ([`eligibility`]): available, every required tag, no conflict
//!   ([`conflict`]: the case's `exclude` list, a manager's `never`), the case's team
//!   unless `cross_team`.
//! - **Siblings** ([`units_of`], [`siblings`]): a sibling group moves as one unit, held
//!   by one worker or none.
//! - **Capacity** ([`capacity`]): the explicit capacity, or `fte × standard_capacity`.
//! - **Pair weights and costs** ([`pair_weight`], [`pair_cost`]): `pairs.csv` may give a
//!   case another weight on a given worker, and a cost of that worker holding it.
//! - **Bands** ([`band_cost`]): the convex, piecewise-linear cost of a load.
//! - **Hard limits** ([`Limits`]) of worker `w` holding `x[u,w] = 1` of unit `u`:
//!   - *capacity* (hard rule 3, hard capacity mode only): the load after the run stays
//!     within the capacity, or within the load held before if that was already more:
//!     `Σ_u load(u,w) x[u,w] ≤ L_w = max(cap_w, load before_w)`, where `load(u,w)` is the
//!     unit's weight on `w` with pair weights, compared with a tolerance of
//!     [`LOAD_TOLERANCE`] points;
//!   - *case count* (hard rule 3, when the worker has `max_cases`):
//!     `Σ_u cases(u) x[u,w] ≤ C_w = max(max_cases_w, count before_w)`;
//!   - *new cases* (hard rule 4, when the worker has `max_new`): the cases received that
//!     it did not hold before, `Σ_u new(u,w) x[u,w] ≤ N_w = max_new_w`;
//!   - *moves budget* (hard rule 5, over all workers, [`moves_budget`]): the
//!     discretionary moves, cases whose current worker still fits that go elsewhere,
//!     `Σ_{u,w} moves(u,w) x[u,w] ≤ M = max_moves`.
//! - **Objective** ([`objective`], [`Instance::evaluate`](crate::model::Instance::evaluate)):
//!   every term computed in one place, the total their sum.
//!
//! On a prepared [`Instance`](crate::model::Instance) the rules are its methods
//! (`weight_on`, `load_limit`, …), [`Limits::of`] and [`PairNumbers::of`]; on a
//! [`Scenario`](crate::model::Scenario) as given, before an instance exists, they are
//! [`Given`]'s.
//!
//! ```
//! use caseload::model::rules::{Given, Limits};
//! use caseload::model::{Case, Instance, Policy, PairTerms, Scenario, Worker};
//!
//! // W1 holds 25 points against a capacity of 22: its limit is what it held.
//! let workers = vec![Worker::new("W1").capacity(22.0)];
//! let cases = vec![Case::new("C1").weight(5.0).held_by("W1")];
//! let pairs = [(("C1".into(), "W1".into()), PairTerms { cost: 0.0, weight: Some(25.0) })];
//! let scenario = Scenario::new(workers, cases, Policy::default()).with_pairs(pairs.into());
//! let instance = Instance::new(&scenario).unwrap();
//! assert_eq!(Limits::of(&instance, 0).load, Some(25.0));
//! assert_eq!(Given::new(&scenario).limits(0), Limits::of(&instance, 0));
//! ```

mod eligibility;
mod given;
mod instance;
mod limits;
mod objective;

#[cfg(test)]
mod tests;

pub use eligibility::{conflict, eligibility, unit_eligibility, Ineligible};
pub use given::Given;
pub use instance::{siblings, units_of, PairNumbers};
pub use limits::{
    band_cost, capacity, moves_budget, moves_ok, pair_cost, pair_weight, Limits, Over,
    LOAD_TOLERANCE,
};
pub use objective::{missing_preferences, objective, unallocated_cost};
