//! What a solve is asked ([`SolveOptions`], [`SolverChoice`]) and what it answers
//! ([`Solution`], [`Status`], [`SolvedBy`]).

use std::time::{Duration, Instant};

use super::{Watch, LARGE_PART_PAIRS};
use crate::model::{Allocation, Evaluation, Previous};

/// How to solve. `None` fields fall back to the policy.
#[derive(Clone, Debug, PartialEq)]
pub struct SolveOptions {
    /// Wall-clock limit for the solve in seconds (default: `policy.time_limit_s`).
    pub time_limit_s: Option<f64>,
    /// The solve ends by this instant whatever the time limit: a command that read its
    /// inputs before solving and writes after passes its own end here (see
    /// [`command_deadline`](super::command_deadline)). `None`: the time limit alone.
    pub deadline: Option<Instant>,
    /// Solver threads, 0 = all cores (default: `policy.threads`).
    pub threads: Option<u32>,
    /// Relative gap at which an allocation counts as optimal (default 1e-4, as HiGHS).
    pub mip_gap: f64,
    /// Print the solver's log to standard output.
    pub log: bool,
    /// Parts with more eligible (unit, worker) pairs than this are not handed to HiGHS
    /// whole but solved in passes, when they split into teams (see [`solve`](super::solve)).
    pub large_part_pairs: usize,
    /// Progress and a stop flag another thread can watch and set (the workspace's
    /// progress bar and cancel button).
    pub watch: Option<std::sync::Arc<Watch>>,
    /// Which solver solves the parts (`--solver`).
    pub solver: SolverChoice,
    /// The previous proposal to keep close to (SPEC v3, "Stable proposals"): among the
    /// allocations within the gap tolerance of the bound, the solve returns one with the
    /// fewest children whose worker differs from it. `None`: no second stage.
    pub previous: Option<std::sync::Arc<Previous>>,
}

/// Which solver solves each part of an instance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SolverChoice {
    /// HiGHS on every part (the default).
    #[default]
    Highs,
    /// Branch-and-price on every part it takes; HiGHS on the others (a part whose moves
    /// budget can bind, whose loads lie on no grid, or without a feasible start).
    Bp,
    /// The solver measured faster on each part (the rule `AUTO_BP_MAX_COLUMNS` in
    /// `solve/options.rs`): HiGHS on every part until branch-and-price wins on some
    /// class of parts.
    Auto,
}

/// `--solver auto`'s rule, in one place: the largest part (in columns of its program)
/// on which branch-and-price beat HiGHS in the bench, `benches/bp.rs`; auto hands parts
/// up to this size to branch-and-price and the others to HiGHS. `None`: on no class of
/// parts measured yet, so auto is HiGHS everywhere.
///
/// The evidence (docs/solver.md, "Measured"; 2-core VM, one thread per solver, gap 1e-4,
/// both solvers in the same run): the generated 30-team trust, seed 1, at 5 s a team,
/// HiGHS 18.9 s with 30 of 30 teams proven, branch-and-price 88.5 s with 14 of 30; eight
/// of its teams at 15 s, HiGHS 9.4 s (8 of 8), branch-and-price 76.3 s (5 of 8); the
/// demo's two teams, HiGHS 2.4 s, branch-and-price 10.0 s. Every team there has at most
/// 1,000 columns, the class auto used to give branch-and-price. Change this only with a
/// bench run in which branch-and-price wins on the class it names.
pub(crate) const AUTO_BP_MAX_COLUMNS: Option<usize> = None;

impl SolverChoice {
    /// Whether a part whose program has `columns` columns goes to branch-and-price first
    /// (HiGHS solves it when branch-and-price does not take it).
    pub(crate) fn tries_bp(self, columns: usize) -> bool {
        match self {
            SolverChoice::Highs => false,
            SolverChoice::Bp => true,
            SolverChoice::Auto => AUTO_BP_MAX_COLUMNS.is_some_and(|most| columns <= most),
        }
    }

    /// The word of `--solver`.
    pub fn as_str(self) -> &'static str {
        match self {
            SolverChoice::Highs => "highs",
            SolverChoice::Bp => "bp",
            SolverChoice::Auto => "auto",
        }
    }
}

/// The solver that solved a part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Engine {
    /// HiGHS.
    Highs,
    /// Branch-and-price.
    Bp,
}

/// How many parts each solver solved in this solve (parts with nothing to decide, and
/// parts answered from a [`PartCache`](super::PartCache), count nowhere: a what-if batch's answers do not
/// depend on which variant solved a part first).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SolvedBy {
    /// Parts HiGHS solved.
    pub highs: usize,
    /// Parts branch-and-price solved.
    pub bp: usize,
}

impl SolveOptions {
    /// Whether the solve's [`Watch`] was told to stop.
    pub fn cancelled(&self) -> bool {
        self.watch.as_ref().is_some_and(|w| w.cancelled())
    }
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            time_limit_s: None,
            deadline: None,
            threads: None,
            mip_gap: 1e-4,
            log: false,
            large_part_pairs: LARGE_PART_PAIRS,
            watch: None,
            solver: SolverChoice::Highs,
            previous: None,
        }
    }
}

/// Whether the allocation is proven optimal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Optimal within the relative gap tolerance.
    Optimal,
    /// The time limit stopped the search: the best allocation found, with its gap.
    TimeLimit,
}

impl Status {
    /// The word used in `summary.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Optimal => "optimal",
            Status::TimeLimit => "time_limit",
        }
    }
}

/// The result of a solve.
#[derive(Clone, Debug)]
pub struct Solution {
    /// The allocation of each unit.
    pub allocation: Allocation,
    /// The allocation evaluated: changes, loads, objective by term.
    pub evaluation: Evaluation,
    /// Optimal, or stopped by the time limit.
    pub status: Status,
    /// Lower bound on the objective of any allocation.
    pub bound: f64,
    /// Relative gap `(objective − bound) / objective` (0 when the objective is 0).
    pub gap: f64,
    /// Objective of the starting allocation handed to the solver.
    pub start_objective: f64,
    /// The objective as the solver computed it for its own answer (`None` when the solver
    /// did not run); equal to `evaluation.objective.total` when the formulation is right.
    pub solver_objective: Option<f64>,
    /// Time to build the program.
    pub build_time: Duration,
    /// Time spent in the solver.
    pub solve_time: Duration,
    /// How many parts each solver solved.
    pub solved_by: SolvedBy,
    /// How the allocation stands to the previous proposal, when the solve had one.
    pub stability: Option<Stability>,
}

/// How a solve's allocation stands to the previous proposal it was given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stability {
    /// The previous proposal.
    pub previous: std::sync::Arc<Previous>,
    /// Children whose worker differs from the previous proposal.
    pub changed: usize,
    /// Whether no allocation within the gap tolerance of the bound changes fewer (proven
    /// part by part; `false` when the time ran out first, or on a trust solved in passes).
    pub minimal: bool,
    /// Children the first stage's allocation changed (before the stable stage).
    pub first_changed: usize,
    /// Time the stable stage took.
    pub time: Duration,
}
