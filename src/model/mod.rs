//! Domain types only: workers, cases, policy, units, allocations. Nothing here knows
//! about files or the solver.

mod allocation;
mod decision;
mod entities;
mod ids;
pub mod plan;
mod policy;
mod previous;
pub mod rules;
mod scenario;

pub use allocation::{utilisation, Allocation, Change, Evaluation, Objective, WorkerLoad};
pub use decision::{Decided, Decision, DecisionKind, Hold, Ruling};
pub use entities::{Case, PairTerms, Worker};
pub use ids::{CaseId, Tag, WorkerId};
pub use policy::{Band, CapacityMode, DecisionRules, Policy, Weights};
pub use previous::{Before, Previous, Was};
pub use rules::{eligibility, Ineligible};
pub use scenario::{Instance, Scenario, Unit};
