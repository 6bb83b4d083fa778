//! Independent checker: re-verifies an allocation against the hard rules and recomputes
//! its objective, sharing no code with the solver.
//!
//! The allocation may come from the solver (`allocation.csv`) or be made by hand in a
//! spreadsheet. Eligibility, units, "still fits", change classification, limits and the
//! band cost are all re-derived here from the words of docs/model.md, using only the
//! plain data of the [`Scenario`](crate::model::Scenario); nothing from the solver's prepared instance is used.
//! If the solver's model code has a bug, the checker is meant to catch it.
//!
//! ```
//! use caseload::check::{check, parse_allocation, Rule};
//! use caseload::model::{Case, Policy, Scenario, Worker};
//!
//! let scenario = Scenario::new(
//!     vec![Worker::new("W1"), Worker::new("W2").skills(["court"])],
//!     vec![Case::new("C1").requires(["court"]).held_by("W2")],
//!     Policy::default(),
//! );
//! let rows = parse_allocation("allocation.csv", "case_id,worker_id\nC1,W1\n").unwrap();
//! let report = check(&scenario, &rows);
//! assert!(!report.is_valid());
//! assert_eq!(report.violations[0].rule, Rule::Ineligible);
//! println!("{report}");
//! ```

mod decisions;
mod derive;
mod file;
mod judge;
mod verify;
mod words;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;

use crate::model::{CaseId, Change, Objective, WorkerId, WorkerLoad};

pub use decisions::{parse_decisions, read_decisions, DecisionRow};
pub use file::{parse_allocation, read_allocation, AllocationRow};
pub use judge::{judge, with_decisions, Judged, Judgement};
pub use verify::check;

/// Checks an allocation bound by the managers' decisions of a `decisions.csv`: the
/// checker judges by itself which decisions hold ([`judge`]) and holds the allocation to
/// those; a decision the run judged otherwise (its `applied` column) is a violation too.
pub fn check_with_decisions(
    scenario: &crate::model::Scenario,
    decisions: &[DecisionRow],
    rows: &[AllocationRow],
) -> CheckReport {
    let judgement = judge(scenario, decisions);
    let mut report = check(&judgement.scenario, rows);
    report.violations.extend(judgement.violations);
    report
        .violations
        .sort_by(|a, b| (a.rule, &a.subject).cmp(&(b.rule, &b.subject)));
    report
}

/// What a violation breaks: the allocation file itself, one of the hard rules 1–5 of docs/model.md, or
/// the file's own `change` labels. The order is the report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// The file names a case the scenario does not have.
    UnknownCase,
    /// The file gives a case to a worker the scenario does not have (the case is then
    /// counted as unallocated).
    UnknownWorker,
    /// The file has more than one row for a case (only the first is used).
    DuplicateCase,
    /// A case of the scenario has no row in the file (it is counted as unallocated).
    MissingCase,
    /// Hard rule 1: a case is with a worker who is not eligible for it.
    Ineligible,
    /// Hard rule 1: the cases of a sibling group are not all with the same worker (or all
    /// unallocated).
    GroupSplit,
    /// Hard rule 1: a pinned case is not with its current worker.
    Pinned,
    /// Hard rule 1: a case is not where a manager's decision holds it.
    Decided,
    /// Hard rule 1: the run's `applied` column says a decision was applied where, by the
    /// checker's own judgement, it cannot hold, or not applied where it holds.
    DecisionMisjudged,
    /// Hard rule 2: a case whose current worker still fits is left unallocated.
    LeftUnallocated,
    /// Hard rule 3: a worker holds more cases than `max(max_cases, cases before)`.
    MaxCases,
    /// Hard rule 3 (with `capacity = "hard"`): a worker's load exceeds
    /// `max(capacity, load before)`.
    Capacity,
    /// Hard rule 4: a worker receives more new cases than `max_new`.
    MaxNew,
    /// Hard rule 5: more discretionary moves than `max_moves`.
    MaxMoves,
    /// The file's `change` label for a case is not what happened to it.
    ChangeLabel,
}

impl Rule {
    /// The number of the hard rule broken (docs/model.md), or `None` for problems with the file.
    pub fn hard_rule(self) -> Option<u8> {
        match self {
            Rule::Ineligible
            | Rule::GroupSplit
            | Rule::Pinned
            | Rule::Decided
            | Rule::DecisionMisjudged => Some(1),
            Rule::LeftUnallocated => Some(2),
            Rule::MaxCases | Rule::Capacity => Some(3),
            Rule::MaxNew => Some(4),
            Rule::MaxMoves => Some(5),
            Rule::UnknownCase
            | Rule::UnknownWorker
            | Rule::DuplicateCase
            | Rule::MissingCase
            | Rule::ChangeLabel => None,
        }
    }

    /// A short name for the kind of violation, e.g. `ineligible worker`.
    pub fn name(self) -> &'static str {
        match self {
            Rule::UnknownCase => "unknown case",
            Rule::UnknownWorker => "unknown worker",
            Rule::DuplicateCase => "duplicate row",
            Rule::MissingCase => "missing case",
            Rule::Ineligible => "ineligible worker",
            Rule::GroupSplit => "sibling group split",
            Rule::Pinned => "pinned case moved",
            Rule::Decided => "manager's decision not honoured",
            Rule::DecisionMisjudged => "decision misjudged",
            Rule::LeftUnallocated => "left unallocated",
            Rule::MaxCases => "max_cases",
            Rule::Capacity => "capacity",
            Rule::MaxNew => "max_new",
            Rule::MaxMoves => "max_moves",
            Rule::ChangeLabel => "wrong change label",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.hard_rule() {
            Some(n) => write!(f, "rule {n} ({})", self.name()),
            None => write!(f, "allocation file ({})", self.name()),
        }
    }
}

/// One broken rule, in words a team manager understands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// What is broken.
    pub rule: Rule,
    /// The case, group or worker id concerned; empty when it is the run as a whole.
    pub subject: String,
    /// What is wrong, naming cases, workers and numbers.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule, self.message)
    }
}

/// What happened to one case, as the checker sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseOutcome {
    /// The case.
    pub case: CaseId,
    /// Its worker before the run.
    pub before: Option<WorkerId>,
    /// Its worker after the run (`None` when unallocated, missing from the file, or given
    /// to an unknown worker).
    pub after: Option<WorkerId>,
    /// The change, classified from the definitions of docs/model.md.
    pub change: Change,
}

/// One worker's figures before and after the run.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkerFigures {
    /// The worker.
    pub worker: WorkerId,
    /// Capacity in points: explicit, or `fte × standard_capacity`.
    pub capacity: f64,
    /// Load and case counts before and after the run; "before" counts the cases whose
    /// current worker it is, available or not.
    pub load: WorkerLoad,
}

/// The verdict on an allocation: every violation, the objective by term, and the figures
/// behind them.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckReport {
    /// Every violation found, by rule then subject id (file order within a subject).
    pub violations: Vec<Violation>,
    /// The objective recomputed term by term.
    pub objective: Objective,
    /// Number of cases by change; every change is present, possibly with 0.
    pub counts: BTreeMap<Change, usize>,
    /// Discretionary moves: cases whose change is `moved`.
    pub moves: u32,
    /// Every case of the scenario, in case-id order.
    pub cases: Vec<CaseOutcome>,
    /// Every worker of the scenario, in worker-id order.
    pub workers: Vec<WorkerFigures>,
}

impl CheckReport {
    /// Whether the allocation breaks no rule and the file has no problem.
    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }

    /// How many cases had the given change.
    pub fn count(&self, change: Change) -> usize {
        self.counts.get(&change).copied().unwrap_or(0)
    }
}

/// The text `caseload check` prints: the verdict, each violation on its own line, the
/// objective by term, and the counts of cases by change.
impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.violations.len() {
            0 => writeln!(f, "VALID: every hard rule holds")?,
            1 => writeln!(f, "INVALID: 1 violation")?,
            n => writeln!(f, "INVALID: {n} violations")?,
        }
        for v in &self.violations {
            writeln!(f, "  {v}")?;
        }
        let o = &self.objective;
        writeln!(f, "{}", o.equation(|x| format!("{x:.2}")))?;
        write!(f, "cases {}:", self.cases.len())?;
        for (i, change) in Change::ALL.iter().enumerate() {
            let sep = if i == 0 { " " } else { ", " };
            write!(f, "{sep}{} {change}", self.count(*change))?;
        }
        let plural = if self.moves == 1 { "" } else { "s" };
        writeln!(f, "; {} discretionary move{plural}", self.moves)
    }
}
