//! Locating problems: each problem of validation mapped back to its file and line (or
//! policy key), unless it only follows from a problem already reported, and every problem
//! sorted by file then line.

use std::collections::BTreeSet;

use super::policy::PolicyRead;
use super::rows::{PairsRead, RowIndex};
use crate::codes;
use crate::error::{InputError, InputErrors};
use crate::model::{CaseId, Scenario, Worker, WorkerId};
use crate::validate::{self, Problem, Subject};

/// Which input a problem is in; problems are reported in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    Workers,
    Cases,
    Policy,
    Pairs,
}

/// Problems found so far, each tagged with its input.
#[derive(Default)]
pub(super) struct Report(pub Vec<(Kind, InputError)>);

impl Report {
    pub fn push(&mut self, kind: Kind, error: InputError) {
        self.0.push((kind, error));
    }

    pub fn extend(&mut self, kind: Kind, errors: Vec<InputError>) {
        self.0.extend(errors.into_iter().map(|e| (kind, e)));
    }

    /// Every problem, by input then line; problems of one line keep the order found.
    pub fn into_errors(mut self) -> InputErrors {
        self.0.sort_by_key(|(kind, e)| (*kind, e.line));
        InputErrors(self.0.into_iter().map(|(_, e)| e).collect())
    }
}

/// Validates `scenario` with a stand-in worker for each id of a malformed worker row, so
/// that the cases naming them are not blamed for the malformed row.
pub(super) fn validate_with_stand_ins(
    scenario: &mut Scenario,
    stand_ins: &BTreeSet<WorkerId>,
) -> validate::Problems {
    let real_workers = scenario.workers.len();
    let stand_in = |id: &WorkerId| Worker::new(id.as_str());
    scenario.workers.extend(stand_ins.iter().map(stand_in));
    let problems = validate::validate(scenario);
    scenario.workers.truncate(real_workers);
    problems
}

/// Maps validation problems back to files and lines, dropping those that only follow
/// from a problem already reported.
pub(super) struct Locator<'a> {
    pub workers: &'a RowIndex,
    pub cases: &'a RowIndex,
    pub pairs: &'a PairsRead,
    pub policy: &'a PolicyRead,
    pub policy_name: &'a str,
    /// The scenario validated, without its stand-in workers.
    pub scenario: &'a Scenario,
    /// Ids of workers whose row is malformed.
    pub stand_ins: &'a BTreeSet<WorkerId>,
}

impl Locator<'_> {
    pub fn locate(&self, problem: Problem) -> Option<(Kind, InputError)> {
        if self.follows_from_reported(&problem) {
            return None;
        }
        let (kind, file, line) = match problem.subject {
            Subject::Worker(i) => (Kind::Workers, &*self.workers.file, self.workers.line(i)),
            Subject::Case(i) => (Kind::Cases, &*self.cases.file, self.cases.line(i)),
            Subject::Policy => (
                Kind::Policy,
                self.policy_name,
                self.policy.lines.line_of(&problem.column),
            ),
            Subject::Pair(i) => (Kind::Pairs, &*self.pairs.file, self.pairs.line(i)),
        };
        let error = InputError {
            file: file.to_string(),
            line,
            column: problem.column,
            cell: None,
            code: problem.code,
            message: problem.message,
        };
        Some((kind, error))
    }

    /// Whether the problem only follows from one already reported: it is about a value
    /// that did not parse (and was replaced by its default), about a stand-in worker, or
    /// it rests on what could not be read (the ids of workers, a pinned case's worker
    /// whose row is malformed, `cross_team`).
    fn follows_from_reported(&self, problem: &Problem) -> bool {
        let column = problem.column.as_str();
        let failed = match problem.subject {
            Subject::Worker(i) => {
                i >= self.scenario.workers.len() || self.workers.failed(i, column)
            }
            Subject::Case(i) => self.cases.failed(i, column),
            Subject::Policy => self.policy.rejected(column),
            Subject::Pair(i) => self.pairs.failed(i, column),
        };
        let workers_unknown = !self.workers.complete;
        let pin_unknown = || {
            workers_unknown
                || !self.policy.cross_team_known()
                || self.pinned_to_stand_in(&problem.subject)
        };
        failed
            || (problem.code == codes::UNKNOWN_WORKER && workers_unknown)
            || (problem.code == codes::UNKNOWN_CASE && self.case_unreadable(&problem.subject))
            || (problem.code == codes::PIN_INELIGIBLE && pin_unknown())
    }

    /// Whether a pair names a case whose row could not be read (or cases are unknown).
    fn case_unreadable(&self, subject: &Subject) -> bool {
        let Subject::Pair(i) = *subject else {
            return false;
        };
        let case = self.pairs.case(i).map(CaseId::as_str);
        !self.cases.complete
            || case.is_some_and(|c| self.cases.unparsed_ids.iter().any(|id| id == c))
    }

    fn pinned_to_stand_in(&self, subject: &Subject) -> bool {
        let Subject::Case(i) = *subject else {
            return false;
        };
        let current = self
            .scenario
            .cases
            .get(i)
            .and_then(|c| c.current_worker.as_ref());
        current.is_some_and(|w| self.stand_ins.contains(w))
    }
}
