//! The verification itself: the model re-derived from the scenario's plain data
//! ([`super::derive`]), the allocation read from the rows, then each hard rule and each
//! objective term in turn.
//!
//! Cases are visited in case-id order and workers in worker-id order, so sums and the
//! report are deterministic. A case whose row is missing, or whose row names an unknown
//! worker, is counted as unallocated in the figures and the objective, but is not judged
//! by the per-case rules: the file violation already says what is wrong with it.

use std::collections::{BTreeMap, BTreeSet};

mod objective;

use super::derive::{capacity, why_ineligible, Derived};
use super::words::{join_and, list_ids};
use super::{AllocationRow, CaseOutcome, CheckReport, Rule, Violation, WorkerFigures};
use crate::model::{CapacityMode, Change, Scenario, WorkerLoad};
use crate::text::num;

/// Tolerance on load comparisons: loads are sums of weights, added in a fixed order, but
/// the solver may add them in another.
const EPS: f64 = 1e-6;

/// Verifies `rows` as an allocation of `scenario` (already validated) against every hard
/// rule, recomputes its objective, and reports every violation found.
pub fn check(scenario: &Scenario, rows: &[AllocationRow]) -> CheckReport {
    let mut run = Run::new(scenario);
    run.read_rows(rows);
    let changes: Vec<Change> = (0..run.model.cases.len()).map(|c| run.change(c)).collect();
    let figures = run.figures();

    run.rule1_eligible();
    run.rule1_groups_together();
    run.rule1_pinned_stay();
    run.rule1_decisions_honoured();
    run.rule2_still_fitting_allocated();
    run.rule3_limits(&figures);
    run.rule4_max_new(&figures);
    let moves = run.rule5_max_moves(&changes);
    run.change_labels(&changes);
    let objective = run.objective(&figures, moves);

    let mut counts: BTreeMap<Change, usize> = Change::ALL.iter().map(|&ch| (ch, 0)).collect();
    for &ch in &changes {
        *counts.entry(ch).or_insert(0) += 1;
    }
    let cases = run
        .model
        .cases
        .iter()
        .zip(&changes)
        .enumerate()
        .map(|(c, (case, &change))| CaseOutcome {
            case: case.id.clone(),
            before: case.current_worker.clone(),
            after: run.after[c].map(|w| run.model.workers[w].id.clone()),
            change,
        })
        .collect();
    let mut violations = run.violations;
    // Stable: within a rule and subject, violations stay in the order found (file order).
    violations.sort_by(|a, b| (a.rule, &a.subject).cmp(&(b.rule, &b.subject)));
    CheckReport {
        violations,
        objective,
        counts,
        moves,
        cases,
        workers: figures,
    }
}

/// The model re-derived, the allocation read from the rows, and the violations found so
/// far.
struct Run<'a> {
    model: Derived<'a>,
    /// Index of each case's worker after the run.
    after: Vec<Option<usize>>,
    /// Whether the file has a usable row for the case (known case, known or no worker).
    listed: Vec<bool>,
    /// The `change` label of each listed case, when the file gives one.
    labels: Vec<Option<&'a str>>,
    violations: Vec<Violation>,
}

impl<'a> Run<'a> {
    fn new(scenario: &'a Scenario) -> Self {
        let model = Derived::new(scenario);
        let n = model.cases.len();
        Self {
            model,
            after: vec![None; n],
            listed: vec![false; n],
            labels: vec![None; n],
            violations: Vec::new(),
        }
    }

    fn violation(&mut self, rule: Rule, subject: &str, message: String) {
        self.violations.push(Violation {
            rule,
            subject: subject.to_string(),
            message,
        });
    }

    /// The allocation file itself: unknown cases and workers, duplicate and missing rows.
    fn read_rows(&mut self, rows: &'a [AllocationRow]) {
        let mut first_line: Vec<Option<u64>> = vec![None; self.model.cases.len()];
        for row in rows {
            let id = row.case.as_str();
            let Some(c) = self.model.case_index(id) else {
                let message = format!("line {}: case {id} is not in the scenario", row.line);
                self.violation(Rule::UnknownCase, id, message);
                continue;
            };
            if let Some(first) = first_line[c] {
                let message = format!(
                    "line {}: case {id} has a second row (first on line {first}); only line \
                     {first} is used",
                    row.line
                );
                self.violation(Rule::DuplicateCase, id, message);
                continue;
            }
            first_line[c] = Some(row.line);
            match &row.worker {
                None => self.listed[c] = true,
                Some(worker) => match self.model.worker_index(worker.as_str()) {
                    Some(w) => {
                        self.after[c] = Some(w);
                        self.listed[c] = true;
                    }
                    None => {
                        let message = format!(
                            "line {}: case {id} is given to {worker}, who is not in the \
                             scenario; {id} is counted as unallocated",
                            row.line
                        );
                        self.violation(Rule::UnknownWorker, id, message);
                    }
                },
            }
            if self.listed[c] {
                self.labels[c] = row.change.as_deref();
            }
        }
        for (c, first) in first_line.iter().enumerate() {
            if first.is_none() {
                let id = self.model.cases[c].id.as_str();
                let message =
                    format!("case {id} has no row in the allocation; it is counted as unallocated");
                self.violation(Rule::MissingCase, id, message);
            }
        }
    }

    /// The change of case `c` (docs/model.md, "What happens to each case"), from where the file puts it.
    fn change(&self, c: usize) -> Change {
        self.model.change(c, self.after[c])
    }

    /// Loads and counts before (cases whose current worker it is, available or not) and
    /// after the run, per worker.
    fn figures(&self) -> Vec<WorkerFigures> {
        let mut figures: Vec<WorkerFigures> = self
            .model
            .workers
            .iter()
            .map(|w| WorkerFigures {
                worker: w.id.clone(),
                capacity: capacity(w, self.model.policy),
                load: WorkerLoad::default(),
            })
            .collect();
        for c in 0..self.model.cases.len() {
            if let Some(p) = self.model.current[c] {
                let before = &mut figures[p].load;
                before.load_before += self.model.load_of(c, p);
                before.cases_before += 1;
                if self.after[c] != Some(p) {
                    before.given_up += 1;
                }
            }
            if let Some(a) = self.after[c] {
                let after = &mut figures[a].load;
                after.load_after += self.model.load_of(c, a);
                after.cases_after += 1;
                if self.model.current[c] != Some(a) {
                    after.received += 1;
                }
            }
        }
        figures
    }

    /// Hard rule 1: every allocated case is with a worker eligible for it.
    fn rule1_eligible(&mut self) {
        for c in 0..self.model.cases.len() {
            let Some(w) = self.after[c] else { continue };
            let (case, worker) = (self.model.cases[c], self.model.workers[w]);
            let reasons = why_ineligible(worker, case, self.model.policy);
            if !reasons.is_empty() {
                let message = format!(
                    "{} is with {}, who {}",
                    case.id,
                    worker.id,
                    join_and(&reasons)
                );
                self.violation(Rule::Ineligible, case.id.as_str(), message);
            }
        }
    }

    /// Hard rule 1: the cases of a sibling group are all with one worker, or all
    /// unallocated. Only cases the file lists usably are compared.
    fn rule1_groups_together(&mut self) {
        for u in 0..self.model.units.len() {
            let members: Vec<usize> = self.model.units[u]
                .iter()
                .copied()
                .filter(|&c| self.listed[c])
                .collect();
            let distinct: BTreeSet<Option<usize>> =
                members.iter().map(|&c| self.after[c]).collect();
            if distinct.len() < 2 {
                continue;
            }
            let group = self.model.cases[members[0]]
                .group
                .as_deref()
                .unwrap_or_default()
                .trim();
            let placements: Vec<String> = members
                .iter()
                .map(|&c| match self.after[c] {
                    Some(w) => format!(
                        "{} with {}",
                        self.model.cases[c].id, self.model.workers[w].id
                    ),
                    None => format!("{} unallocated", self.model.cases[c].id),
                })
                .collect();
            let message = format!("sibling group {group} is split: {}", placements.join(", "));
            self.violation(Rule::GroupSplit, group, message);
        }
    }

    /// Hard rule 1: a pinned case stays with its current worker.
    fn rule1_pinned_stay(&mut self) {
        for c in 0..self.model.cases.len() {
            let case = self.model.cases[c];
            let Some(p) = self.model.current[c] else {
                continue;
            };
            if !case.pinned || !self.listed[c] || self.after[c] == Some(p) {
                continue;
            }
            let now = match self.after[c] {
                Some(a) => format!("is with {}", self.model.workers[a].id),
                None => "is unallocated".to_string(),
            };
            let message = format!(
                "{} is pinned to {} but {now}",
                case.id, self.model.workers[p].id
            );
            self.violation(Rule::Pinned, case.id.as_str(), message);
        }
    }

    /// Hard rule 1: a case a manager's decision holds with a worker (or unallocated) is
    /// there.
    fn rule1_decisions_honoured(&mut self) {
        for c in 0..self.model.cases.len() {
            let case = self.model.cases[c];
            let Some(hold) = &case.hold else { continue };
            let after = self.after[c].map(|a| &self.model.workers[a].id);
            if !self.listed[c] || after == hold.worker.as_ref() {
                continue;
            }
            let now = after.map_or("is unallocated".to_string(), |a| format!("is with {a}"));
            let wanted = hold
                .worker
                .as_ref()
                .map_or("unallocated".to_string(), |w| format!("with {w}"));
            let d = &hold.decided;
            let message = format!(
                "{} decided (decision {}) that {} is {wanted}, but it {now}",
                d.by, d.id, case.id
            );
            self.violation(Rule::Decided, case.id.as_str(), message);
        }
    }

    /// Hard rule 2: a case whose current worker still fits is not left unallocated.
    fn rule2_still_fitting_allocated(&mut self) {
        for c in 0..self.model.cases.len() {
            if !self.listed[c] || self.after[c].is_some() || !self.model.still_fits[c] {
                continue;
            }
            let Some(p) = self.model.current[c] else {
                continue;
            };
            let case = self.model.cases[c];
            let whole = if self.model.units[self.model.unit_of[c]].len() > 1 {
                "its whole sibling group"
            } else {
                "the case"
            };
            let message = format!(
                "{} is left unallocated, but its current worker {} still fits (available and \
                 eligible for {whole})",
                case.id, self.model.workers[p].id
            );
            self.violation(Rule::LeftUnallocated, case.id.as_str(), message);
        }
    }

    /// Hard rule 3: after the run, count ≤ max(max_cases, count before) and, when capacity
    /// is hard, load ≤ max(capacity, load before).
    fn rule3_limits(&mut self, figures: &[WorkerFigures]) {
        for (w, f) in figures.iter().enumerate() {
            let worker = self.model.workers[w];
            let l = &f.load;
            if let Some(max_cases) = worker.max_cases {
                let limit = max_cases.max(l.cases_before);
                if l.cases_after > limit {
                    let message = format!(
                        "{} holds {} cases after the run, above max(max_cases {max_cases}, {} \
                         before) = {limit}",
                        worker.id, l.cases_after, l.cases_before
                    );
                    self.violation(Rule::MaxCases, worker.id.as_str(), message);
                }
            }
            if self.model.policy.capacity == CapacityMode::Hard {
                let limit = f.capacity.max(l.load_before);
                if l.load_after > limit + EPS {
                    let message = format!(
                        "{} holds {} points after the run, above max(capacity {}, {} before) \
                         = {}",
                        worker.id,
                        num(l.load_after),
                        num(f.capacity),
                        num(l.load_before),
                        num(limit)
                    );
                    self.violation(Rule::Capacity, worker.id.as_str(), message);
                }
            }
        }
    }

    /// Hard rule 4: a worker receives at most `max_new` cases it did not hold before.
    fn rule4_max_new(&mut self, figures: &[WorkerFigures]) {
        for (w, f) in figures.iter().enumerate() {
            let worker = self.model.workers[w];
            let Some(max_new) = worker.max_new else {
                continue;
            };
            if f.load.received > max_new {
                let received = (0..self.model.cases.len())
                    .filter(|&c| self.after[c] == Some(w) && self.model.current[c] != Some(w))
                    .map(|c| self.model.cases[c].id.as_str());
                let message = format!(
                    "{} receives {} cases it did not hold before ({}), above max_new {max_new}",
                    worker.id,
                    f.load.received,
                    list_ids(received)
                );
                self.violation(Rule::MaxNew, worker.id.as_str(), message);
            }
        }
    }

    /// Hard rule 5: discretionary moves ≤ `max_moves`. Returns the number of moves.
    fn rule5_max_moves(&mut self, changes: &[Change]) -> u32 {
        let moved: Vec<&str> = changes
            .iter()
            .enumerate()
            .filter(|(_, &ch)| ch == Change::Moved)
            .map(|(c, _)| self.model.cases[c].id.as_str())
            .collect();
        let max_moves = self.model.policy.max_moves;
        if moved.len() as u64 > max_moves {
            let message = format!(
                "{} discretionary moves ({}), above max_moves {max_moves}",
                moved.len(),
                list_ids(moved.iter().copied())
            );
            self.violation(Rule::MaxMoves, "", message);
        }
        moved.len() as u32
    }

    /// The file's `change` labels, when it has them, against what happened to each case.
    fn change_labels(&mut self, changes: &[Change]) {
        for (c, &actual) in changes.iter().enumerate() {
            let Some(label) = self.labels[c] else {
                continue;
            };
            let id = self.model.cases[c].id.as_str();
            let message = match Change::ALL
                .iter()
                .find(|ch| ch.as_str().eq_ignore_ascii_case(label))
            {
                Some(&said) if said == actual => continue,
                Some(&said) => format!(
                    "{id} is labelled {said} but is {actual}: {}",
                    self.explain(c, actual)
                ),
                None => format!(
                    "{id} is labelled \"{label}\", which is not one of kept, moved, forced, \
                     new, unallocated; it is {actual}: {}",
                    self.explain(c, actual)
                ),
            };
            self.violation(Rule::ChangeLabel, id, message);
        }
    }

    /// Why case `c` has the change it has, in words.
    fn explain(&self, c: usize, change: Change) -> String {
        let case = self.model.cases[c];
        let before = case.current_worker.as_ref().map_or("", |id| id.as_str());
        let after = self.after[c].map_or("", |w| self.model.workers[w].id.as_str());
        match change {
            Change::Kept => format!("{before} held it before and holds it after"),
            Change::Moved => {
                format!("it went from {before} to {after}, and {before} still fits it")
            }
            Change::Forced => format!(
                "it went from {before} to {after} because {}",
                self.why_not_still_fits(c)
            ),
            Change::New => format!("it had no worker before and is now with {after}"),
            Change::Unallocated => "it has no worker after the run".to_string(),
        }
    }

    /// Why case `c`'s current worker does not still fit.
    fn why_not_still_fits(&self, c: usize) -> String {
        let case = self.model.cases[c];
        let Some(p) = self.model.current[c] else {
            let id = case.current_worker.as_ref().map_or("", |id| id.as_str());
            return format!("{id} is not in the scenario");
        };
        let worker = self.model.workers[p];
        for &m in &self.model.units[self.model.unit_of[c]] {
            let reasons = why_ineligible(worker, self.model.cases[m], self.model.policy);
            if reasons.is_empty() {
                continue;
            }
            let sibling = if m == c {
                String::new()
            } else {
                format!(" (for sibling {})", self.model.cases[m].id)
            };
            return format!("{} {}{sibling}", worker.id, join_and(&reasons));
        }
        match self.model.units[self.model.unit_of[c]]
            .iter()
            .find(|&&m| self.model.cases[m].pinned && self.model.current[m] != Some(p))
        {
            Some(&m) => format!(
                "sibling {} is pinned to {}",
                self.model.cases[m].id,
                self.workers_id(self.model.current[m])
            ),
            None => format!("{} no longer fits", worker.id),
        }
    }

    fn workers_id(&self, w: Option<usize>) -> &str {
        w.map_or("", |w| self.model.workers[w].id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_written_briefly() {
        assert_eq!(num(22.0), "22");
        assert_eq!(num(24.5), "24.5");
        assert_eq!(num(21.25), "21.25");
        assert_eq!(num(-0.0), "0");
    }
}
