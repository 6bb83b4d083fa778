//! Reasons for every case's outcome, as facts a team manager can check and words they
//! accept.
//!
//! [`explain`] gives one [`Reason`] per case: a structured value holding the facts
//! (who no longer fits and why, whose load a move relieved and by how much, which workers
//! were full). Its [`Display`](std::fmt::Display) renders the words written to the
//! `reason` column of `allocation.csv` and to the HTML report.
//!
//! Every reason is a *true statement about the allocation*: loads are the evaluation's
//! loads, "the most room" is compared over the eligible workers, "has the preferred urdu"
//! is read from the worker's skills. The optimiser minimises an objective; reasons never
//! claim it chose a worker *because* of a fact, only that the fact holds.
//!
//! ```
//! use caseload::explain::{explain, Reason};
//! use caseload::model::{Case, Instance, Policy, Scenario, Worker};
//! use caseload::solve::{solve, SolveOptions};
//!
//! let workers = vec![Worker::new("W1").unavailable(), Worker::new("W2")];
//! let cases = vec![Case::new("C1").held_by("W1")];
//! let instance = Instance::new(&Scenario::new(workers, cases, Policy::default())).unwrap();
//! let solution = solve(&instance, &SolveOptions::default())?;
//! let reasons = explain(&instance, &solution.evaluation);
//! assert!(matches!(reasons[0], Reason::Forced { .. }));
//! assert_eq!(
//!     reasons[0].to_string(),
//!     "must move: W1 is unavailable (on leave or leaving); \
//!      to W2, the only eligible worker (0/22 → 1/22, 5%)"
//! );
//! # Ok::<(), caseload::Error>(())
//! ```

mod changed;
mod facts;
mod words;

use crate::model::CaseId;
use crate::model::{Change, Decided, Evaluation, Instance, Tag, WorkerId};

pub use changed::{why_changed, Changed, ChangedReason};
pub use facts::explain_case;
pub(crate) use facts::nobody_qualified;
pub(crate) use words::{percent, points};

/// A worker's load against capacity at one moment: `W03 18.5/22 (84%)`.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadAt {
    /// The worker.
    pub worker: WorkerId,
    /// Load in points.
    pub load: f64,
    /// Capacity in points.
    pub capacity: f64,
}

/// A worker's load before and after the run, against capacity.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadShift {
    /// The worker.
    pub worker: WorkerId,
    /// Load before the run.
    pub before: f64,
    /// Load after the run.
    pub after: f64,
    /// Capacity in points.
    pub capacity: f64,
}

/// Why a worker cannot hold a case (or a whole sibling group).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Misfit {
    /// On leave or leaving.
    Unavailable,
    /// Leaving or on leave by a manager's decision.
    Away(Decided),
    /// Lacks a required tag.
    LacksTag(Tag),
    /// Named in the case's `exclude` (conflict of interest).
    Excluded,
    /// In another team than the case (and `cross_team` is off).
    OtherTeam {
        /// The case's team.
        case_team: String,
        /// The worker's team.
        worker_team: String,
    },
    /// A sibling is pinned to another worker, and siblings stay together.
    SiblingPinnedTo(WorkerId),
    /// A manager decided the worker may never hold the case.
    Never(Decided),
}

/// A current worker who no longer fits the case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoLongerFits {
    /// The current worker.
    pub worker: WorkerId,
    /// Why not.
    pub why: Misfit,
    /// The sibling the misfit is about, when it is not the case itself.
    pub sibling: Option<CaseId>,
}

/// What is true of the chosen worker among the workers eligible for the unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// Nobody else was eligible.
    OnlyEligible,
    /// Had the most room before the run (capacity − load), `tied` with another.
    MostRoom {
        /// Another eligible worker had exactly as much room.
        tied: bool,
    },
    /// No eligible worker ends the run at a lower utilisation.
    LeastLoadedAfter,
    /// None of the above: one of several eligible workers.
    OneOf,
}

/// Why this worker: the facts about the worker a case went to.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    /// What is true of the worker among the eligible.
    pub basis: Basis,
    /// How many workers were eligible for the whole unit.
    pub eligible: usize,
    /// The worker's load before → after.
    pub to: LoadShift,
    /// Preferred tags of the case the worker has.
    pub preferred_held: Vec<Tag>,
    /// Preferred tags of the case the worker lacks.
    pub preferred_lacking: Vec<Tag>,
    /// Cases in the sibling group (1 when none): they all go to this worker.
    pub siblings: usize,
}

/// A case a worker received in the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrival {
    /// The case.
    pub case: CaseId,
    /// How it arrived: `new` or `forced` or `moved`.
    pub change: Change,
    /// Its priority (5 most urgent).
    pub priority: u8,
}

/// What a discretionary move achieved.
#[derive(Clone, Debug, PartialEq)]
pub enum Gain {
    /// The sibling group was split between workers; the move brings it together.
    SiblingsTogether {
        /// Cases in the group.
        siblings: usize,
    },
    /// The previous worker's load fell.
    Relieved(LoadShift),
    /// The previous worker received other cases in its place.
    MadeRoom {
        /// The previous worker.
        at: WorkerId,
        /// What it received, by priority (most urgent first), then id.
        arrivals: Vec<Arrival>,
    },
}

/// A limit that stops a worker taking a unit.
#[derive(Clone, Debug, PartialEq)]
pub enum Limit {
    /// Hard capacity: the load would rise above `max(capacity, load before)`.
    Capacity {
        /// The limit in points.
        limit: f64,
    },
    /// `max_cases`: the case count would rise above `max(max_cases, count before)`.
    MaxCases {
        /// Cases held after the run.
        held: u32,
        /// The limit.
        max: u32,
    },
    /// `max_new`: the worker has received as many new cases as it may.
    MaxNew {
        /// Cases received in the run.
        received: u32,
        /// The limit.
        max: u32,
    },
}

/// An eligible worker who could not take a unit, and the limits that stop it.
#[derive(Clone, Debug, PartialEq)]
pub struct AtLimit {
    /// The worker's load after the run.
    pub load: LoadAt,
    /// Every limit taking the unit would break (not empty).
    pub limits: Vec<Limit>,
}

/// An available worker who is not eligible for a unit, and everything missing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closest {
    /// The worker.
    pub worker: WorkerId,
    /// What rules the worker out (distinct, over the whole sibling group).
    pub missing: Vec<Misfit>,
}

/// Why a unit stayed unallocated.
#[derive(Clone, Debug, PartialEq)]
pub enum Unplaced {
    /// No worker is available at all.
    NoWorkerAvailable,
    /// No available worker is eligible: nobody has everything it needs.
    NobodyQualified {
        /// Tags the unit requires.
        requires: Vec<Tag>,
        /// The unit's team when teams matter (`cross_team` off).
        team: Option<String>,
        /// The available workers missing the fewest things, by id.
        closest: Vec<Closest>,
    },
    /// Every eligible worker is at a limit.
    EveryoneFull {
        /// Points the unit needs.
        needs: f64,
        /// Cases in the unit.
        cases: usize,
        /// Every eligible worker, most room first.
        full: Vec<AtLimit>,
        /// `max_moves` when the run used all of them (no child could be moved to make room).
        moves_exhausted: Option<u64>,
    },
    /// Some eligible workers had room in capacity and case count, but had received their
    /// `max_new`; every other eligible worker is full.
    HeldBackByMaxNew {
        /// Points the unit needs.
        needs: f64,
        /// Cases in the unit.
        cases: usize,
        /// Workers with room held back only by `max_new`.
        held_back: Vec<AtLimit>,
        /// The other eligible workers, full.
        full: Vec<AtLimit>,
    },
    /// Some eligible worker could take it within every limit, but the policy weights make
    /// leaving it unallocated cheaper than its load cost.
    Cheaper {
        /// Points the unit needs.
        needs: f64,
        /// Eligible workers with room, and their load were they to take it.
        could_take: Vec<LoadAt>,
    },
}

/// How a case kept its worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kept {
    /// Pinned to its current worker.
    Pinned,
    /// A sibling is pinned to the same worker.
    WithPinnedSibling,
    /// Its worker still fits; continuity with the worker the child knows.
    Continuity,
}

/// Why a case ended where it did: the facts behind one row of `allocation.csv`.
#[derive(Clone, Debug, PartialEq)]
pub enum Reason {
    /// Stayed with its current worker.
    Kept(Kept),
    /// Had to move: the current worker no longer fits.
    Forced {
        /// The current worker and why it no longer fits.
        from: NoLongerFits,
        /// Facts about the new worker.
        choice: Choice,
    },
    /// Discretionary move from a worker who still fits.
    Moved {
        /// The previous worker.
        from: WorkerId,
        /// What the move achieved.
        gain: Gain,
        /// Facts about the new worker.
        choice: Choice,
    },
    /// A new referral placed.
    New {
        /// Facts about the worker.
        choice: Choice,
    },
    /// No worker after the run.
    Unallocated {
        /// The current worker, who no longer fits, if any.
        previous: Option<NoLongerFits>,
        /// Why nobody took it.
        why: Unplaced,
    },
    /// A manager's decision holds the case (with its siblings) where it is.
    Decided {
        /// Who decided what, and when.
        decided: Decided,
        /// The sibling the decision was taken on, when it is not this case.
        sibling: Option<CaseId>,
        /// The change it makes to the case.
        change: Change,
        /// The worker the decision holds the case with, and its load before → after
        /// (`None`: the case stays unallocated).
        to: Option<LoadShift>,
    },
}

impl Reason {
    /// The change this reason explains.
    pub fn change(&self) -> Change {
        match self {
            Reason::Kept(_) => Change::Kept,
            Reason::Forced { .. } => Change::Forced,
            Reason::Moved { .. } => Change::Moved,
            Reason::New { .. } => Change::New,
            Reason::Unallocated { .. } => Change::Unallocated,
            Reason::Decided { change, .. } => *change,
        }
    }

    /// The facts about the chosen worker, for forced, moved and new cases.
    pub fn choice(&self) -> Option<&Choice> {
        match self {
            Reason::Forced { choice, .. }
            | Reason::Moved { choice, .. }
            | Reason::New { choice } => Some(choice),
            Reason::Kept(_) | Reason::Unallocated { .. } | Reason::Decided { .. } => None,
        }
    }
}

/// The reason for each case's outcome, in case order (the order of [`Instance::cases`]).
pub fn explain(instance: &Instance, eval: &Evaluation) -> Vec<Reason> {
    (0..instance.cases.len())
        .map(|c| explain_case(instance, eval, c))
        .collect()
}

/// The reasons in words, in case order: what `allocation.csv` writes.
pub fn reasons(instance: &Instance, eval: &Evaluation) -> Vec<String> {
    explain(instance, eval)
        .iter()
        .map(|r| r.to_string())
        .collect()
}
