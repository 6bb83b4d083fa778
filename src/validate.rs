//! Semantic validation of a scenario: every problem at once, each with a stable code.
//!
//! Works on a [`Scenario`] however it was built (files or code); the `io` layer maps each
//! problem's [`Subject`] to a file and line.
//!
//! ```
//! use caseload::model::{Case, Policy, Scenario, Worker};
//! use caseload::validate::{code, validate};
//!
//! let scenario = Scenario::new(
//!     vec![Worker::new("W1")],
//!     vec![Case::new("C1").weight(-1.0)],
//!     Policy::default(),
//! );
//! let problems = validate(&scenario);
//! assert_eq!(problems.0[0].code, code::RANGE);
//! assert_eq!(
//!     problems.0[0].to_string(),
//!     "case C1: weight: must be a finite number > 0, got -1 [E-RANGE]"
//! );
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::error::{InputError, InputErrors};
use crate::model::{eligibility, Case, Ineligible, Policy, Scenario, Worker, WorkerId};

/// The stable codes of input problems, as shown in brackets after each message.
///
/// Codes never change meaning; scripts may match on them.
pub mod code {
    /// A required input file does not exist.
    pub const MISSING_FILE: &str = "E-MISSING-FILE";
    /// An input file exists but cannot be read (permissions, a folder, ...).
    pub const UNREADABLE: &str = "E-UNREADABLE";
    /// An input file is not valid UTF-8.
    pub const ENCODING: &str = "E-ENCODING";
    /// A CSV file has no header row, or its header lacks a required column.
    pub const MISSING_COLUMN: &str = "E-MISSING-COLUMN";
    /// A CSV header names the same column twice.
    pub const DUPLICATE_COLUMN: &str = "E-DUPLICATE-COLUMN";
    /// A CSV row has a different number of fields from the header.
    pub const MALFORMED_ROW: &str = "E-MALFORMED-ROW";
    /// A value does not parse (not a number, not a boolean, wrong TOML type, ...).
    pub const PARSE: &str = "E-PARSE";
    /// `policy.toml` is not valid TOML.
    pub const SYNTAX: &str = "E-SYNTAX";
    /// `policy.toml` has a key the policy does not know.
    pub const UNKNOWN_KEY: &str = "E-UNKNOWN-KEY";
    /// `policy.toml` lacks a key that is required where it is (e.g. a band's `cost`).
    pub const MISSING_KEY: &str = "E-MISSING-KEY";
    /// A worker or case has an empty id.
    pub const EMPTY_ID: &str = "E-EMPTY-ID";
    /// Two workers, or two cases, share an id.
    pub const DUPLICATE_ID: &str = "E-DUPLICATE-ID";
    /// A value parses but is out of range (NaN, ∞, negative weight, fte 0, priority 6, ...).
    pub const RANGE: &str = "E-RANGE";
    /// `current_worker` or `exclude` names a worker that does not exist.
    pub const UNKNOWN_WORKER: &str = "E-UNKNOWN-WORKER";
    /// A pinned case has no current worker.
    pub const PIN_NO_WORKER: &str = "E-PIN-NO-WORKER";
    /// A pinned case's current worker is not eligible for its whole unit.
    pub const PIN_INELIGIBLE: &str = "E-PIN-INELIGIBLE";
    /// Pinned cases of one group name different workers.
    pub const PIN_CONFLICT: &str = "E-PIN-CONFLICT";
    /// The load bands are not convex (or a band value is out of range).
    pub const BANDS: &str = "E-BANDS";
    /// `pairs.csv` names a case that does not exist.
    pub const UNKNOWN_CASE: &str = "E-UNKNOWN-CASE";
    /// `pairs.csv` has two rows for the same (case, worker) pair.
    pub const DUPLICATE_PAIR: &str = "E-DUPLICATE-PAIR";
}

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
    /// Stable code, e.g. `E-DUPLICATE-ID` (see [`code`]).
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
            code: self.code,
            message,
        }
    }
}

impl fmt::Display for Problem {
    /// `case C7: weight: must be a finite number > 0, got -1 [E-RANGE]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.subject_label())?;
        if !self.column.is_empty() {
            write!(f, ": {}", self.column)?;
        }
        write!(f, ": {} [{}]", self.message, self.code)
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

/// Checks a scenario against every rule of SPEC "Invalid input" that does not need the
/// raw text (values out of range, duplicate or unknown ids, pins, bands).
pub fn validate(scenario: &Scenario) -> Problems {
    let mut found = Found::default();
    check_workers(&scenario.workers, &mut found);
    check_cases(scenario, &mut found);
    check_pins(scenario, &mut found);
    check_policy(&scenario.policy, &mut found);
    check_pairs(scenario, &mut found);
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

/// Per (case, worker) terms: known ids, a finite cost ≥ 0, a finite weight > 0.
fn check_pairs(scenario: &Scenario, found: &mut Found) {
    let workers = worker_index(&scenario.workers);
    let cases: BTreeSet<&str> = scenario.cases.iter().map(|c| c.id.as_str()).collect();
    for (i, ((case, worker), terms)) in scenario.pairs.iter().enumerate() {
        let id = format!("{case} / {worker}");
        let mut push = |code, column: &str, message| {
            found.push(code, Subject::Pair(i), &id, column, message);
        };
        if !cases.contains(case.as_str()) {
            push(
                code::UNKNOWN_CASE,
                "case_id",
                format!("no case has id `{case}`"),
            );
        }
        if !workers.contains_key(worker) {
            let message = format!("no worker has id `{worker}`");
            push(code::UNKNOWN_WORKER, "worker_id", message);
        }
        if !(terms.cost.is_finite() && terms.cost >= 0.0) {
            let message = format!("must be a finite number ≥ 0, got {}", terms.cost);
            push(code::RANGE, "cost", message);
        }
        if let Some(weight) = terms.weight.filter(|w| !(w.is_finite() && *w > 0.0)) {
            let message = format!("must be a finite number > 0, got {weight}");
            push(code::RANGE, "weight", message);
        }
    }
}

/// Reports empty ids and every repeat of an id after its first use.
fn check_ids<'a>(
    kind: &str,
    ids: impl Iterator<Item = &'a str>,
    mut report: impl FnMut(usize, &'static str, String),
) {
    let mut seen = BTreeSet::new();
    for (i, id) in ids.enumerate() {
        if id.is_empty() {
            let message = format!("is empty: every {kind} needs an id");
            report(i, code::EMPTY_ID, message);
        } else if !seen.insert(id) {
            let message =
                format!("`{id}` is already the id of an earlier {kind}: ids must be unique");
            report(i, code::DUPLICATE_ID, message);
        }
    }
}

fn check_workers(workers: &[Worker], found: &mut Found) {
    check_ids(
        "worker",
        workers.iter().map(|w| w.id.as_str()),
        |i, code, message| found.worker(i, &workers[i], code, "id", message),
    );
    for (i, w) in workers.iter().enumerate() {
        if !(w.fte > 0.0 && w.fte <= 1.0) {
            let message = format!("must be greater than 0 and at most 1, got {}", w.fte);
            found.worker(i, w, code::RANGE, "fte", message);
        }
        if let Some(capacity) = w.capacity.filter(|c| !(c.is_finite() && *c >= 0.0)) {
            let message = format!("must be a finite number ≥ 0, got {capacity}");
            found.worker(i, w, code::RANGE, "capacity", message);
        }
    }
}

fn check_cases(scenario: &Scenario, found: &mut Found) {
    let cases = &scenario.cases;
    check_ids(
        "case",
        cases.iter().map(|c| c.id.as_str()),
        |i, code, message| found.case(i, &cases[i], code, "id", message),
    );
    let known = worker_index(&scenario.workers);
    for (i, c) in cases.iter().enumerate() {
        if !(c.weight.is_finite() && c.weight > 0.0) {
            let message = format!("must be a finite number > 0, got {}", c.weight);
            found.case(i, c, code::RANGE, "weight", message);
        }
        if !(1..=5).contains(&c.priority) {
            found.case(
                i,
                c,
                code::RANGE,
                "priority",
                priority_out_of_range(c.priority),
            );
        }
        let unknown_current = c.current_worker.iter().filter(|w| !known.contains_key(w));
        for w in unknown_current {
            let message =
                format!("unknown worker id `{w}`: no worker (row of workers.csv) has this id");
            found.case(i, c, code::UNKNOWN_WORKER, "current_worker", message);
        }
        for w in c.exclude.iter().filter(|w| !known.contains_key(w)) {
            let message =
                format!("unknown worker id `{w}`: no worker (row of workers.csv) has this id");
            found.case(i, c, code::UNKNOWN_WORKER, "exclude", message);
        }
    }
}

/// Worker ids to their first index; duplicates are reported elsewhere.
fn worker_index(workers: &[Worker]) -> BTreeMap<&WorkerId, usize> {
    let mut index = BTreeMap::new();
    for (i, w) in workers.iter().enumerate() {
        index.entry(&w.id).or_insert(i);
    }
    index
}

/// The unit of each case: the indices of all cases sharing its group, or just itself.
fn units(cases: &[Case]) -> Vec<Vec<usize>> {
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, c) in cases.iter().enumerate() {
        if let Some(g) = &c.group {
            groups.entry(g.as_str()).or_default().push(i);
        }
    }
    cases
        .iter()
        .enumerate()
        .map(|(i, c)| match &c.group {
            Some(g) => groups.get(g.as_str()).cloned().unwrap_or_default(),
            None => vec![i],
        })
        .collect()
}

fn check_pins(scenario: &Scenario, found: &mut Found) {
    let cases = &scenario.cases;
    let workers = worker_index(&scenario.workers);
    let units = units(cases);
    for (i, c) in cases.iter().enumerate().filter(|(_, c)| c.pinned) {
        let Some(id) = &c.current_worker else {
            let message =
                "the case is pinned but has no current_worker: set current_worker or unpin it";
            found.case(i, c, code::PIN_NO_WORKER, "pinned", message.to_string());
            continue;
        };
        if let Some(&w) = workers.get(id) {
            let worker = &scenario.workers[w];
            if let Some(message) = pin_ineligibility(worker, i, &units[i], scenario) {
                found.case(i, c, code::PIN_INELIGIBLE, "pinned", message);
            }
        }
        if let Some(message) = pin_conflict(i, &units[i], cases) {
            found.case(i, c, code::PIN_CONFLICT, "pinned", message);
        }
    }
}

/// Why `worker` cannot hold the whole unit that case `pinned` is pinned in, if it cannot.
fn pin_ineligibility(
    worker: &Worker,
    pinned: usize,
    unit: &[usize],
    scenario: &Scenario,
) -> Option<String> {
    let cases = &scenario.cases;
    let (m, why) = unit.iter().find_map(|&m| {
        eligibility(worker, &cases[m], &scenario.policy)
            .err()
            .map(|e| (m, e))
    })?;
    let w = &worker.id;
    let of = if m == pinned {
        "this case".to_string()
    } else {
        format!("case {} of the same group", cases[m].id)
    };
    let reason = match why {
        Ineligible::Unavailable => format!("{w} is unavailable (available = false)"),
        Ineligible::LacksTag(tag) => format!("{w} lacks the tag `{tag}` required by {of}"),
        Ineligible::Excluded => format!("{w} is in the exclude list of {of}"),
        Ineligible::OtherTeam {
            case_team,
            worker_team,
        } => format!("{w} is in team `{worker_team}` but {of} belongs to team `{case_team}` (cross_team = false)"),
    };
    Some(format!(
        "pinned to {w}, who is not eligible: {reason}; unpin the case or change its current_worker"
    ))
}

/// Whether the group's first pinned case (in row order) names another worker than case
/// `pinned` does.
fn pin_conflict(pinned: usize, unit: &[usize], cases: &[Case]) -> Option<String> {
    let mine = cases[pinned].current_worker.as_ref()?;
    let first = unit
        .iter()
        .copied()
        .find(|&m| cases[m].pinned && cases[m].current_worker.is_some())
        .filter(|&m| m != pinned)?;
    let theirs = cases[first]
        .current_worker
        .as_ref()
        .filter(|&w| w != mine)?;
    Some(format!(
        "pinned to {mine}, but case {} of the same group is pinned to {theirs}: a group stays \
         together, so pin its cases to one worker",
        cases[first].id
    ))
}

fn check_policy(policy: &Policy, found: &mut Found) {
    let positive = [
        ("standard_capacity", policy.standard_capacity),
        ("time_limit_s", policy.time_limit_s),
    ];
    for (key, value) in positive {
        if !(value.is_finite() && value > 0.0) {
            found.policy(
                code::RANGE,
                key,
                format!("must be a finite number > 0, got {value}"),
            );
        }
    }
    let weights = [
        ("weights.unallocated", policy.weights.unallocated),
        ("weights.move", policy.weights.move_),
        ("weights.preference", policy.weights.preference),
    ];
    for (key, value) in weights {
        if !is_non_negative(value) {
            found.policy(
                code::RANGE,
                key,
                format!("must be a finite number ≥ 0, got {value}"),
            );
        }
    }
    check_bands(policy, found);
}

fn is_non_negative(value: f64) -> bool {
    value.is_finite() && value >= 0.0
}

/// Bands must be convex: `from` finite, ≥ 0 and strictly increasing; `cost` finite, ≥ 0
/// and non-decreasing.
fn check_bands(policy: &Policy, found: &mut Found) {
    for (i, band) in policy.bands.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| policy.bands[p]);
        let from = format!("bands[{i}].from");
        let cost = format!("bands[{i}].cost");
        if !is_non_negative(band.from) {
            found.policy(
                code::BANDS,
                &from,
                format!("must be a finite number ≥ 0, got {}", band.from),
            );
        } else if let Some(p) = previous.filter(|p| p.from.is_finite() && band.from <= p.from) {
            let message = format!(
                "must be greater than the previous band's from ({}), got {}: list bands in increasing order of from",
                p.from, band.from
            );
            found.policy(code::BANDS, &from, message);
        }
        if !is_non_negative(band.cost) {
            found.policy(
                code::BANDS,
                &cost,
                format!("must be a finite number ≥ 0, got {}", band.cost),
            );
        } else if let Some(p) = previous.filter(|p| p.cost.is_finite() && band.cost < p.cost) {
            let message = format!(
                "must be at least the previous band's cost ({}), got {}: the cost of a point of load may not fall as load rises",
                p.cost, band.cost
            );
            found.policy(code::BANDS, &cost, message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Band;

    fn scenario(workers: Vec<Worker>, cases: Vec<Case>) -> Scenario {
        Scenario::new(workers, cases, Policy::default())
    }

    /// `(subject, column, code)` of each problem, for compact assertions.
    fn summary(problems: &Problems) -> Vec<(Subject, &str, &str)> {
        problems
            .iter()
            .map(|p| (p.subject.clone(), p.column.as_str(), p.code))
            .collect()
    }

    #[test]
    fn a_valid_scenario_has_no_problem() {
        let s = scenario(
            vec![
                Worker::new("W1").team("A").skills(["court"]),
                Worker::new("W2"),
            ],
            vec![
                Case::new("C1")
                    .team("A")
                    .requires(["Court"])
                    .held_by("W1")
                    .pinned()
                    .group("g"),
                Case::new("C2")
                    .group("g")
                    .held_by("W1")
                    .pinned()
                    .exclude(["W2"]),
            ],
        );
        assert_eq!(validate(&s), Problems::default());
    }

    #[test]
    fn empty_and_duplicate_ids_are_reported_on_each_repeat() {
        let s = scenario(
            vec![
                Worker::new("W1"),
                Worker::new(" "),
                Worker::new("W1"),
                Worker::new("W1"),
            ],
            vec![Case::new("C1"), Case::new("C1")],
        );
        let problems = validate(&s);
        assert_eq!(
            summary(&problems),
            [
                (Subject::Worker(1), "id", code::EMPTY_ID),
                (Subject::Worker(2), "id", code::DUPLICATE_ID),
                (Subject::Worker(3), "id", code::DUPLICATE_ID),
                (Subject::Case(1), "id", code::DUPLICATE_ID),
            ]
        );
        assert_eq!(
            problems.0[0].to_string(),
            "worker at index 1: id: is empty: every worker needs an id [E-EMPTY-ID]"
        );
    }

    #[test]
    fn out_of_range_values_are_reported() {
        let s = scenario(
            vec![
                Worker::new("W1").fte(0.0),
                Worker::new("W2").fte(1.5).capacity(-1.0),
                Worker::new("W3").fte(f64::NAN).capacity(f64::INFINITY),
            ],
            vec![
                Case::new("C1").weight(0.0).priority(6),
                Case::new("C2").weight(f64::NAN).priority(0),
                Case::new("C3").weight(-1.0),
            ],
        );
        let problems = validate(&s);
        assert_eq!(
            summary(&problems),
            [
                (Subject::Worker(0), "fte", code::RANGE),
                (Subject::Worker(1), "fte", code::RANGE),
                (Subject::Worker(1), "capacity", code::RANGE),
                (Subject::Worker(2), "fte", code::RANGE),
                (Subject::Worker(2), "capacity", code::RANGE),
                (Subject::Case(0), "weight", code::RANGE),
                (Subject::Case(0), "priority", code::RANGE),
                (Subject::Case(1), "weight", code::RANGE),
                (Subject::Case(1), "priority", code::RANGE),
                (Subject::Case(2), "weight", code::RANGE),
            ]
        );
        assert_eq!(
            problems.0[9].to_string(),
            "case C3: weight: must be a finite number > 0, got -1 [E-RANGE]"
        );
    }

    #[test]
    fn unknown_workers_in_current_worker_and_exclude_are_reported() {
        let s = scenario(
            vec![Worker::new("W1")],
            vec![Case::new("C1").held_by("W9").exclude(["W1", "W8", "W7"])],
        );
        let problems = validate(&s);
        assert_eq!(
            summary(&problems),
            [
                (Subject::Case(0), "current_worker", code::UNKNOWN_WORKER),
                (Subject::Case(0), "exclude", code::UNKNOWN_WORKER),
                (Subject::Case(0), "exclude", code::UNKNOWN_WORKER),
            ]
        );
        assert!(problems.0[1].message.contains("`W7`"), "{}", problems.0[1]);
        assert!(problems.0[2].message.contains("`W8`"), "{}", problems.0[2]);
    }

    #[test]
    fn a_pin_without_current_worker_is_reported() {
        let s = scenario(vec![Worker::new("W1")], vec![Case::new("C1").pinned()]);
        assert_eq!(
            summary(&validate(&s)),
            [(Subject::Case(0), "pinned", code::PIN_NO_WORKER)]
        );
    }

    fn pin_message(workers: Vec<Worker>, cases: Vec<Case>) -> String {
        let problems = validate(&scenario(workers, cases));
        assert_eq!(problems.len(), 1, "{problems}");
        assert_eq!(problems.0[0].code, code::PIN_INELIGIBLE);
        assert_eq!(problems.0[0].subject, Subject::Case(0));
        problems.0[0].message.clone()
    }

    #[test]
    fn a_pin_to_an_ineligible_worker_says_why() {
        let held = || Case::new("C1").held_by("W1").pinned();
        let message = pin_message(vec![Worker::new("W1").unavailable()], vec![held()]);
        assert!(message.contains("W1 is unavailable"), "{message}");

        let message = pin_message(vec![Worker::new("W1")], vec![held().requires(["Court"])]);
        assert!(
            message.contains("lacks the tag `court` required by this case"),
            "{message}"
        );

        let message = pin_message(vec![Worker::new("W1")], vec![held().exclude(["W1"])]);
        assert!(
            message.contains("W1 is in the exclude list of this case"),
            "{message}"
        );

        let message = pin_message(vec![Worker::new("W1").team("A")], vec![held().team("B")]);
        assert!(
            message.contains("in team `A` but this case belongs to team `B`"),
            "{message}"
        );
    }

    #[test]
    fn a_pin_must_suit_every_case_of_the_group() {
        let message = pin_message(
            vec![Worker::new("W1")],
            vec![
                Case::new("C1").held_by("W1").pinned().group("g"),
                Case::new("C2").group("g").requires(["urdu"]),
            ],
        );
        assert!(
            message.contains("lacks the tag `urdu` required by case C2 of the same group"),
            "{message}"
        );
    }

    #[test]
    fn cross_team_allows_a_pin_to_another_team() {
        let mut s = scenario(
            vec![Worker::new("W1").team("A")],
            vec![Case::new("C1").team("B").held_by("W1").pinned()],
        );
        s.policy.cross_team = true;
        assert!(validate(&s).is_empty());
    }

    #[test]
    fn pins_of_one_group_to_different_workers_conflict() {
        let s = scenario(
            vec![Worker::new("W1"), Worker::new("W2")],
            vec![
                Case::new("C1").held_by("W1").pinned().group("g"),
                Case::new("C2").held_by("W2").pinned().group("g"),
                Case::new("C3").held_by("W1").pinned().group("g"),
                Case::new("C4").held_by("W2").pinned().group("h"),
            ],
        );
        let problems = validate(&s);
        assert_eq!(
            summary(&problems),
            [(Subject::Case(1), "pinned", code::PIN_CONFLICT)]
        );
        assert!(problems.0[0]
            .message
            .contains("case C1 of the same group is pinned to W1"));
    }

    #[test]
    fn bands_must_be_convex() {
        let mut s = Scenario::default();
        s.policy.bands = vec![
            Band {
                from: 0.5,
                cost: 2.0,
            },
            Band {
                from: 0.5,
                cost: 1.0,
            },
            Band {
                from: -1.0,
                cost: f64::NAN,
            },
            Band {
                from: 0.9,
                cost: 3.0,
            },
        ];
        assert_eq!(
            summary(&validate(&s)),
            [
                (Subject::Policy, "bands[1].from", code::BANDS),
                (Subject::Policy, "bands[1].cost", code::BANDS),
                (Subject::Policy, "bands[2].from", code::BANDS),
                (Subject::Policy, "bands[2].cost", code::BANDS),
            ]
        );
    }

    #[test]
    fn policy_values_out_of_range_are_reported() {
        let mut s = Scenario::default();
        s.policy.standard_capacity = 0.0;
        s.policy.time_limit_s = f64::INFINITY;
        s.policy.weights.move_ = -1.0;
        s.policy.weights.preference = f64::NAN;
        let problems = validate(&s);
        assert_eq!(
            summary(&problems),
            [
                (Subject::Policy, "standard_capacity", code::RANGE),
                (Subject::Policy, "time_limit_s", code::RANGE),
                (Subject::Policy, "weights.move", code::RANGE),
                (Subject::Policy, "weights.preference", code::RANGE),
            ]
        );
        assert_eq!(
            problems.0[2].to_string(),
            "policy: weights.move: must be a finite number ≥ 0, got -1 [E-RANGE]"
        );
    }

    #[test]
    fn problems_convert_to_input_errors_naming_the_subject() {
        let s = scenario(
            vec![Worker::new("W1").fte(0.0)],
            vec![Case::new("C7").weight(-1.0)],
        );
        let errors = validate(&s).into_input_errors();
        let shown: Vec<String> = errors.0.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "workers: fte: must be greater than 0 and at most 1, got 0 (worker W1) [E-RANGE]",
                "cases: weight: must be a finite number > 0, got -1 (case C7) [E-RANGE]",
            ]
        );
    }
}
