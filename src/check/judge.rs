//! The checker's own judgement of the managers' decisions: which of the decisions of a
//! `decisions.csv` can hold on the scenario, read from the words of docs/model.md
//! ("Decisions") and sharing no code with the solver's judge (`validate`).
//!
//! The order is the documented one: decisions on workers first (oldest first), then
//! `never` (oldest first), then the decisions holding a case, newest first, so that a
//! newer decision wins over an older one on the same sibling group. A decision does not
//! hold when:
//! - on a worker: the worker is not in the scenario; `leaving`/`leave` while `cases.csv`
//!   pins a case to the worker; a capacity outside 0 to 10,000 points;
//! - `never W`: the case or W is not in the scenario; the case's group is pinned to W;
//! - holding a case: the case is not in the scenario; a newer decision holds its group
//!   elsewhere; `cases.csv` pins the group elsewhere; held unallocated while a case of the
//!   group has a current worker; the worker is not in the scenario, or not eligible for
//!   every case of the group (after the decisions on workers and `never`); or the worker
//!   would break a hard limit (capacity in hard mode, `max_cases`, `max_new`) with every
//!   group pinned or held to it.
//!
//! What the run wrote in the `applied` column is then compared with this judgement; a
//! difference either way is a violation.

use std::collections::BTreeMap;

use super::decisions::DecisionRow;
use super::derive::{capacity, why_ineligible};
use super::{Rule, Violation};
use crate::model::{CapacityMode, DecisionKind, Hold, Scenario, WorkerId};

/// Capacities a decision may set, in points (docs: the range of `capacity`).
const CAPACITY_RANGE: std::ops::RangeInclusive<f64> = 0.0..=10_000.0;

/// The checker's verdict on one decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judged {
    /// The decision's id.
    pub id: i64,
    /// Whether it holds on the scenario.
    pub applies: bool,
    /// Why not, in the checker's words (empty when it applies).
    pub why: String,
}

/// The decisions judged: the scenario with the ones that hold on it (workers made
/// unavailable or given a capacity, cases held or ruled out), each verdict by id, and a
/// violation for every decision whose `applied` column says otherwise.
pub struct Judgement {
    /// The scenario with the decisions that hold.
    pub scenario: Scenario,
    /// The verdict on each decision, by id.
    pub verdicts: Vec<Judged>,
    /// Every decision the run judged otherwise than the checker.
    pub violations: Vec<Violation>,
}

/// The scenario with the decisions that hold on it by the checker's own judgement
/// ([`judge`]; the `applied` column is not taken on trust): workers made unavailable or
/// given a capacity, cases held or ruled out.
pub fn with_decisions(scenario: &Scenario, decisions: &[DecisionRow]) -> Scenario {
    judge(scenario, decisions).scenario
}

/// Judges every decision of `rows` on `scenario` (see the module doc).
pub fn judge(scenario: &Scenario, rows: &[DecisionRow]) -> Judgement {
    let mut out = scenario.clone();
    let mut order: Vec<&DecisionRow> = rows.iter().collect();
    order.sort_by_key(|d| d.decided.id);
    let mut verdicts: BTreeMap<i64, Option<String>> = BTreeMap::new();

    for d in order.iter().filter(|d| d.decided.kind.on_worker()) {
        let why = worker_decision(&out, d);
        if why.is_none() {
            if let Some(worker) = out
                .workers
                .iter_mut()
                .find(|w| Some(&w.id) == d.worker.as_ref())
            {
                match d.decided.kind {
                    DecisionKind::Capacity => worker.capacity = d.capacity,
                    _ => worker.available = false,
                }
            }
        }
        verdicts.insert(d.decided.id, why);
    }
    let groups = Groups::of(&out);
    for d in order
        .iter()
        .filter(|d| d.decided.kind == DecisionKind::Never)
    {
        let why = never_decision(&out, &groups, d);
        if why.is_none() {
            if let (Some(c), Some(w)) = (groups.case(&out, d.case.as_str()), &d.worker) {
                out.cases[c].never.insert(w.clone(), d.decided.clone());
            }
        }
        verdicts.insert(d.decided.id, why);
    }
    // Case index → the worker a newer decision that holds holds it with.
    let mut held: BTreeMap<usize, (i64, Option<WorkerId>)> = BTreeMap::new();
    let holding =
        |d: &&&DecisionRow| !d.decided.kind.on_worker() && d.decided.kind != DecisionKind::Never;
    for d in order.iter().rev().filter(holding) {
        let why = hold_decision(&out, &groups, d, &held);
        if why.is_none() {
            if let Some(c) = groups.case(&out, d.case.as_str()) {
                for &m in groups.of_case(c) {
                    held.insert(m, (d.decided.id, d.worker.clone()));
                    if out.cases[m].hold.is_none() {
                        out.cases[m].hold = Some(Hold {
                            worker: d.worker.clone(),
                            decided: d.decided.clone(),
                        });
                    }
                }
            }
        }
        verdicts.insert(d.decided.id, why);
    }

    let mut violations = Vec::new();
    for d in &order {
        let why = verdicts.get(&d.decided.id).cloned().flatten();
        let subject = if d.case.as_str().is_empty() {
            d.worker.as_ref().map_or("", |w| w.as_str())
        } else {
            d.case.as_str()
        };
        let what = format!("decision {} ({})", d.decided.id, d.decided.kind);
        let message = match (&why, d.applied) {
            (None, false) => Some(format!(
                "{what} holds on this scenario, but decisions.csv (line {}) says the run did \
                 not apply it",
                d.line
            )),
            (Some(why), true) => Some(format!(
                "{what} cannot hold on this scenario ({why}), but decisions.csv (line {}) says \
                 the run applied it",
                d.line
            )),
            _ => None,
        };
        if let Some(message) = message {
            violations.push(Violation {
                rule: Rule::DecisionMisjudged,
                subject: subject.to_string(),
                message,
            });
        }
    }
    Judgement {
        scenario: out,
        verdicts: verdicts
            .into_iter()
            .map(|(id, why)| Judged {
                id,
                applies: why.is_none(),
                why: why.unwrap_or_default(),
            })
            .collect(),
        violations,
    }
}

/// The sibling groups of a scenario's cases, by index in `scenario.cases`.
struct Groups {
    members: Vec<Vec<usize>>,
}

impl Groups {
    fn of(scenario: &Scenario) -> Self {
        let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (c, case) in scenario.cases.iter().enumerate() {
            if let Some(g) = case
                .group
                .as_deref()
                .map(str::trim)
                .filter(|g| !g.is_empty())
            {
                by_name.entry(g).or_default().push(c);
            }
        }
        let members = scenario
            .cases
            .iter()
            .enumerate()
            .map(|(c, case)| {
                case.group
                    .as_deref()
                    .map(str::trim)
                    .and_then(|g| by_name.get(g))
                    .cloned()
                    .unwrap_or_else(|| vec![c])
            })
            .collect();
        Self { members }
    }

    fn of_case(&self, c: usize) -> &[usize] {
        &self.members[c]
    }

    fn case(&self, scenario: &Scenario, id: &str) -> Option<usize> {
        scenario.cases.iter().position(|c| c.id.as_str() == id)
    }

    /// The worker `cases.csv` pins the group of case `c` to, if it does.
    fn pinned_to<'a>(&self, scenario: &'a Scenario, c: usize) -> Option<&'a WorkerId> {
        self.members[c].iter().find_map(|&m| {
            let case = &scenario.cases[m];
            case.current_worker.as_ref().filter(|_| case.pinned)
        })
    }
}

fn known_worker(scenario: &Scenario, id: Option<&WorkerId>) -> Option<usize> {
    let id = id?;
    scenario.workers.iter().position(|w| &w.id == id)
}

fn worker_decision(scenario: &Scenario, d: &DecisionRow) -> Option<String> {
    let Some(w) = known_worker(scenario, d.worker.as_ref()) else {
        return Some("its worker is not in the scenario".to_string());
    };
    let id = &scenario.workers[w].id;
    if d.decided.kind == DecisionKind::Capacity {
        return match d.capacity {
            Some(points) if CAPACITY_RANGE.contains(&points) => None,
            _ => Some("its capacity is outside 0 to 10,000 points".to_string()),
        };
    }
    scenario
        .cases
        .iter()
        .find(|c| c.pinned && c.current_worker.as_ref() == Some(id))
        .map(|c| format!("{} is pinned to {id} in cases.csv", c.id))
}

fn never_decision(scenario: &Scenario, groups: &Groups, d: &DecisionRow) -> Option<String> {
    let Some(c) = groups.case(scenario, d.case.as_str()) else {
        return Some("its case is not in the scenario".to_string());
    };
    let Some(w) = known_worker(scenario, d.worker.as_ref()) else {
        return Some("its worker is not in the scenario".to_string());
    };
    let id = &scenario.workers[w].id;
    (groups.pinned_to(scenario, c) == Some(id))
        .then(|| format!("cases.csv pins {}'s group to {id}", d.case))
}

fn hold_decision(
    scenario: &Scenario,
    groups: &Groups,
    d: &DecisionRow,
    held: &BTreeMap<usize, (i64, Option<WorkerId>)>,
) -> Option<String> {
    let Some(c) = groups.case(scenario, d.case.as_str()) else {
        return Some("its case is not in the scenario".to_string());
    };
    let group = groups.of_case(c);
    let target = d.worker.as_ref();
    for &m in group {
        if let Some((newer, other)) = held.get(&m) {
            if other.as_ref() != target {
                return Some(format!(
                    "the newer decision {newer} holds the group elsewhere"
                ));
            }
        }
    }
    if let Some(p) = groups.pinned_to(scenario, c) {
        if Some(p) != target {
            return Some(format!("cases.csv pins the group to {p}"));
        }
    }
    let Some(target) = target else {
        return group
            .iter()
            .find(|&&m| scenario.cases[m].current_worker.is_some())
            .map(|&m| format!("{} has a current worker now", scenario.cases[m].id));
    };
    let Some(w) = known_worker(scenario, Some(target)) else {
        return Some(format!("{target} is not in the scenario"));
    };
    let worker = &scenario.workers[w];
    for &m in group {
        let reasons = why_ineligible(worker, &scenario.cases[m], &scenario.policy);
        if let Some(first) = reasons.first() {
            return Some(format!("{target} {first}"));
        }
    }
    over_limits(scenario, groups, w, group, held)
}

/// Whether worker `w`, holding `group` and every group pinned or held to it, breaks a hard
/// limit: docs/model.md hard rules 3 and 4, with limits `max(limit, before)`.
fn over_limits(
    scenario: &Scenario,
    groups: &Groups,
    w: usize,
    group: &[usize],
    held: &BTreeMap<usize, (i64, Option<WorkerId>)>,
) -> Option<String> {
    let worker = &scenario.workers[w];
    let id = &worker.id;
    let held_before = |m: usize| scenario.cases[m].current_worker.as_ref() == Some(id);
    let weight = |m: usize| {
        let case = &scenario.cases[m];
        scenario
            .pairs
            .get(&(case.id.clone(), id.clone()))
            .and_then(|t| t.weight)
            .unwrap_or(case.weight)
    };
    let mut with: Vec<usize> = (0..scenario.cases.len())
        .filter(|&m| {
            groups.pinned_to(scenario, m) == Some(id)
                || held.get(&m).is_some_and(|(_, t)| t.as_ref() == Some(id))
        })
        .chain(group.iter().copied())
        .collect();
    with.sort_unstable();
    with.dedup();
    let before: Vec<usize> = (0..scenario.cases.len())
        .filter(|&m| held_before(m))
        .collect();
    let load: f64 = with.iter().map(|&m| weight(m)).sum();
    let load_before: f64 = before.iter().map(|&m| weight(m)).sum();
    if scenario.policy.capacity == CapacityMode::Hard {
        let limit = capacity(worker, &scenario.policy).max(load_before);
        if load > limit + 1e-9 {
            return Some(format!(
                "{id} would carry {load} points, over its limit of {limit}"
            ));
        }
    }
    if let Some(max) = worker.max_cases {
        let limit = (max as usize).max(before.len());
        if with.len() > limit {
            return Some(format!(
                "{id} would hold {} cases, over {limit}",
                with.len()
            ));
        }
    }
    if let Some(max) = worker.max_new {
        let new = with.iter().filter(|&&m| !held_before(m)).count();
        if new > max as usize {
            return Some(format!(
                "{id} would receive {new} cases, over max_new {max}"
            ));
        }
    }
    None
}
