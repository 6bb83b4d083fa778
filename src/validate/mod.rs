//! Semantic validation of a scenario: every problem at once, each with a stable code
//! from [`crate::codes`].
//!
//! Works on a [`Scenario`] however it was built (files or code); the `io` layer maps each
//! problem's [`Subject`] to a file and line. [`Instance::new`] prepares a scenario for
//! solving only once it is valid.
//!
//! The rules are grouped by what they look at: the rows of workers, cases and pairs
//! (`rows`), pins (`pins`) and the policy (`policy`); the range of every number is in
//! [`ranges`].
//!
//! ```
//! use caseload::codes;
//! use caseload::model::{Case, Policy, Scenario, Worker};
//! use caseload::validate::validate;
//!
//! let scenario = Scenario::new(
//!     vec![Worker::new("W1")],
//!     vec![Case::new("C1").weight(-1.0)],
//!     Policy::default(),
//! );
//! let problems = validate(&scenario);
//! assert_eq!(problems.0[0].code, codes::RANGE);
//! assert_eq!(
//!     problems.0[0].to_string(),
//!     "case C1: weight: must be a number from 0.001 to 1,000, got -1 [E-RANGE]"
//! );
//! ```

mod decisions;
mod pins;
mod policy;
pub mod ranges;
mod rows;

#[cfg(test)]
mod tests;

use std::fmt;

pub use decisions::{apply_decisions, ask, verdict, DecisionOutcome, Refusal};

use crate::error::{Error, InputError, InputErrors};
use crate::model::{Case, Instance, Scenario, Worker};
use crate::text::one_line;

/// What a problem is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    /// The worker at this index of `Scenario::workers` (its row, in file order).
    Worker(usize),
    /// The case at this index of `Scenario::cases`.
    Case(usize),
    /// The policy.
    Policy,
    /// The (case, worker) pair at this position of `Scenario::pairs` (in key order).
    Pair(usize),
}

/// One problem with a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Stable code, e.g. `E-DUPLICATE-ID` (see [`crate::codes`]).
    pub code: &'static str,
    /// The row or section concerned.
    pub subject: Subject,
    /// The id of the worker or case concerned (empty for the policy, or when the id is).
    pub id: String,
    /// The column or policy key (e.g. `weight`, `bands[1].cost`).
    pub column: String,
    /// What is wrong, in words.
    pub message: String,
}

impl Problem {
    /// How the subject is named to a user: `worker W1`, `case at index 3`, `policy`,
    /// `pair C1 / W2`.
    pub fn subject_label(&self) -> String {
        let (kind, index) = match self.subject {
            Subject::Worker(i) => ("worker", i),
            Subject::Case(i) => ("case", i),
            Subject::Policy => return "policy".to_string(),
            Subject::Pair(_) => return format!("pair {}", self.id),
        };
        if self.id.is_empty() {
            format!("{kind} at index {index}")
        } else {
            format!("{kind} {}", self.id)
        }
    }

    /// Converts to an [`InputError`] without a line: the file is `workers`, `cases` or
    /// `policy` and the subject is named at the end of the message.
    pub fn into_input_error(self) -> InputError {
        let (file, message) = match self.subject {
            Subject::Worker(_) => (
                "workers",
                format!("{} ({})", self.message, self.subject_label()),
            ),
            Subject::Case(_) => (
                "cases",
                format!("{} ({})", self.message, self.subject_label()),
            ),
            Subject::Policy => ("policy", self.message),
            Subject::Pair(_) => (
                "pairs",
                format!("{} ({})", self.message, self.subject_label()),
            ),
        };
        InputError {
            file: file.to_string(),
            line: None,
            column: self.column,
            cell: None,
            code: self.code,
            message,
        }
    }
}

impl fmt::Display for Problem {
    /// `case C7: weight: must be a number from 0.001 to 1,000, got -1 [E-RANGE]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", one_line(&self.subject_label()))?;
        if !self.column.is_empty() {
            write!(f, ": {}", one_line(&self.column))?;
        }
        write!(f, ": {} [{}]", one_line(&self.message), self.code)
    }
}

/// Every problem found, in subject order (workers, then cases, then the policy).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many problems were found.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The problems, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Problem> {
        self.0.iter()
    }

    /// Converts to [`InputErrors`] for a scenario built in code: files are named
    /// `workers`, `cases` and `policy`, with no line (see [`Problem::into_input_error`]).
    pub fn into_input_errors(self) -> InputErrors {
        InputErrors(self.0.into_iter().map(Problem::into_input_error).collect())
    }
}

impl fmt::Display for Problems {
    /// One problem per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

impl From<Problems> for Error {
    /// Problems of a scenario built in code (no files): located by row and column.
    fn from(problems: Problems) -> Self {
        Error::InvalidInput(problems.into_input_errors())
    }
}

impl Instance {
    /// Prepares a scenario for solving. Fails with every problem found (see [`validate`])
    /// when the scenario is invalid.
    pub fn new(scenario: &Scenario) -> Result<Self, Problems> {
        let problems = validate(scenario);
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Self::prepare(scenario))
    }
}

/// Checks a scenario against every rule of docs/model.md "Invalid input" that does not need the
/// raw text (values out of range, duplicate or unknown ids, pins, bands).
pub fn validate(scenario: &Scenario) -> Problems {
    let mut found = Found::default();
    rows::check_workers(&scenario.workers, &mut found);
    rows::check_cases(scenario, &mut found);
    pins::check_pins(scenario, &mut found);
    decisions::check_holds(scenario, &mut found);
    policy::check_policy(&scenario.policy, &mut found);
    rows::check_pairs(scenario, &mut found);
    // Stable sort: within a subject, problems keep the order the checks found them in.
    found.0.sort_by(|a, b| a.subject.cmp(&b.subject));
    Problems(found.0)
}

/// The message for a priority outside 1..=5, shared with the CSV reader (which sees
/// priorities too large for the model's `u8`).
pub(crate) fn priority_out_of_range(got: impl fmt::Display) -> String {
    format!("must be a whole number from 1 to 5 (5 most urgent), got {got}")
}

/// Problems collected so far.
#[derive(Default)]
struct Found(Vec<Problem>);

impl Found {
    fn worker(&mut self, i: usize, w: &Worker, code: &'static str, column: &str, message: String) {
        self.push(code, Subject::Worker(i), w.id.as_str(), column, message);
    }

    fn case(&mut self, i: usize, c: &Case, code: &'static str, column: &str, message: String) {
        self.push(code, Subject::Case(i), c.id.as_str(), column, message);
    }

    fn policy(&mut self, code: &'static str, column: &str, message: String) {
        self.push(code, Subject::Policy, "", column, message);
    }

    fn push(
        &mut self,
        code: &'static str,
        subject: Subject,
        id: &str,
        column: &str,
        message: String,
    ) {
        self.0.push(Problem {
            code,
            subject,
            id: id.to_string(),
            column: column.to_string(),
            message,
        });
    }
}
