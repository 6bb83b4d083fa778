//! A manager's standing decisions applied to a scenario: which can still hold, and the
//! scenario with them on its cases ([`Case::hold`], [`Case::never`]), the input rows left
//! as they were read.
//!
//! A decision that can no longer hold is not applied and says why, in words: its case or
//! worker is gone, the worker is not eligible any more (left, lacks a required skill,
//! another team, excluded), the case is pinned elsewhere in `cases.csv`, a newer decision
//! holds its sibling group elsewhere, the worker's cases fixed by pins and decisions
//! would break a hard limit, or a case held unallocated has since been given a worker.
//!
//! ```
//! use caseload::model::{Case, Decision, DecisionKind, Policy, Ruling, Scenario, Worker};
//! use caseload::validate::apply_decisions;
//!
//! let scenario = Scenario::new(
//!     vec![Worker::new("W1"), Worker::new("W2").unavailable()],
//!     vec![Case::new("C1"), Case::new("C2")],
//!     Policy::default(),
//! );
//! let decision = |id, case: &str, kind, worker: &str| Decision {
//!     id,
//!     at: "2026-12-03T09:00:00Z".into(),
//!     by: "Sam".into(),
//!     note: String::new(),
//!     ruling: Ruling::from_parts(kind, Some(case), Some(worker), None).unwrap(),
//! };
//! let (decided, outcomes) = apply_decisions(
//!     &scenario,
//!     &[decision(1, "C1", DecisionKind::Assign, "W1"), decision(2, "C2", DecisionKind::Assign, "W2")],
//! );
//! assert!(outcomes[0].applied);
//! assert_eq!(outcomes[1].why, "W2 is unavailable (available = false)");
//! assert!(decided.cases[0].hold.is_some() && decided.cases[1].hold.is_none());
//! ```

use std::collections::BTreeMap;

use serde::Serialize;

use super::pins::{ineligible_words, units};
use super::ranges::CAPACITY;
use super::Found;
use crate::codes;
use crate::model::rules::{Given, Over};
use crate::model::{
    eligibility, Case, Decision, DecisionKind, DecisionRules, Hold, Ruling, Scenario, WorkerId,
};

mod ids;

use ids::{case_index, worker_index, Ids};

/// What became of one standing decision in a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DecisionOutcome {
    /// The decision.
    #[serde(flatten)]
    pub decision: Decision,
    /// Whether it was applied.
    pub applied: bool,
    /// Why not, in words (empty when applied).
    pub why: String,
}

/// The scenario with every decision that can still hold applied, and the outcome of each
/// decision, by id. `never` decisions are applied first (in id order), then the
/// decisions holding a case, newest first, so that a newer decision wins over an older
/// one on the same sibling group. `scenario` must be valid.
pub fn apply_decisions(
    scenario: &Scenario,
    decisions: &[Decision],
) -> (Scenario, Vec<DecisionOutcome>) {
    let mut out = scenario.clone();
    // The same ids as `out`'s, which only the decisions' fields change.
    let ids = Ids::of(scenario);
    let mut order: Vec<&Decision> = decisions.iter().collect();
    order.sort_by_key(|d| d.id);
    let mut outcomes: BTreeMap<i64, DecisionOutcome> = BTreeMap::new();
    let mut settle = |d: &Decision, why: Option<String>| {
        outcomes.insert(
            d.id,
            DecisionOutcome {
                decision: d.clone(),
                applied: why.is_none(),
                why: why.unwrap_or_default(),
            },
        );
    };
    // Decisions on workers first, oldest first (a newer one of the same sort wins), so
    // that the decisions on cases are judged against the workers as decided.
    for d in order.iter().filter(|d| d.case().is_none()) {
        let why = worker_blocker(&out, &ids, d);
        if why.is_none() {
            if let Some(w) = d.worker().and_then(|w| worker_index(&ids, w)) {
                let worker = &mut out.workers[w];
                match d.ruling {
                    Ruling::Capacity { points, .. } => worker.capacity = Some(points),
                    _ => {
                        worker.available = false;
                        worker.away = Some(d.decided());
                    }
                }
            }
        }
        settle(d, why);
    }
    // Decisions change no case's group: the sibling groups are the input's throughout.
    let groups = units(&out.cases);
    for d in order.iter().filter(|d| d.kind() == DecisionKind::Never) {
        let why = never_blocker(&out, &ids, &groups, d);
        if why.is_none() {
            if let (Some(c), Some(w)) = (d.case().and_then(|c| case_index(&ids, c)), d.worker()) {
                out.cases[c].never.insert(w.clone(), d.decided());
            }
        }
        settle(d, why);
    }
    // The holds: each applied one is set on its case before the next (older) is judged.
    let mut held_by: BTreeMap<usize, (i64, Option<WorkerId>)> = BTreeMap::new();
    for d in order.iter().rev() {
        let Some(target) = d.holds() else { continue };
        let why = hold_blocker(&out, &ids, &groups, d, target, &held_by);
        if why.is_none() {
            if let Some(c) = d.case().and_then(|c| case_index(&ids, c)) {
                for &m in &groups[c] {
                    held_by.insert(m, (d.id, target.cloned()));
                }
                // An older decision on the same case with the same effect is applied too,
                // but the case carries the newest.
                if out.cases[c].hold.is_none() {
                    out.cases[c].hold = Some(Hold {
                        worker: target.cloned(),
                        decided: d.decided(),
                    });
                }
            }
        }
        settle(d, why);
    }
    (out, outcomes.into_values().collect())
}

/// The judge's word on one decision among the standing ones: whether it applies to
/// `scenario` and why not. What `POST /api/decisions` and `caseload decide` answer at
/// once, without a solve; the same judgement as the next solve's ([`apply_decisions`]).
/// `None` when no decision has that id.
pub fn verdict(scenario: &Scenario, standing: &[Decision], id: i64) -> Option<DecisionOutcome> {
    let (_, outcomes) = apply_decisions(scenario, standing);
    outcomes.into_iter().find(|o| o.decision.id == id)
}

/// Why a door refuses a decision asked for (see [`ask`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Its parts make no decision: what is wrong, in words.
    Shape(String),
    /// An overrule (`reject`, `assign`, `never`) without a note saying why, while the
    /// policy requires one (`[decisions] note_required`, on by default).
    NoReason(DecisionKind),
}

impl Refusal {
    /// The part of the request at fault, when it is one field: `note` for a missing
    /// reason.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Refusal::Shape(_) => None,
            Refusal::NoReason(_) => Some("note"),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Shape(words) => f.write_str(words),
            Refusal::NoReason(kind) => write!(f, "a reason is required for `{kind}`"),
        }
    }
}

impl std::error::Error for Refusal {}

/// A decision asked for at a door (the page, `caseload decide`, a workbook's decision
/// column), read from its parts: [`Ruling::from_parts`], and besides, `accept` and
/// `reject` name no worker (the record takes theirs from the run they are taken on), a
/// capacity is within range, and an overrule says why in `note` when `rules` require it
/// ([`DecisionRules::needs_note`]). The one judge of what a door may take; a decision
/// read back from the record or a file is not asked again (an older one without a note
/// still applies).
///
/// ```
/// use caseload::model::{DecisionKind, DecisionRules};
/// use caseload::validate::{ask, Refusal};
///
/// let rules = DecisionRules::default();
/// let refused = ask(DecisionKind::Reject, Some("C1"), None, None, "  ", rules);
/// assert_eq!(refused, Err(Refusal::NoReason(DecisionKind::Reject)));
/// assert!(ask(DecisionKind::Reject, Some("C1"), None, None, "known to the family", rules).is_ok());
/// assert!(ask(DecisionKind::Accept, Some("C1"), None, None, "", rules).is_ok());
/// let off = DecisionRules { note_required: false };
/// assert!(ask(DecisionKind::Never, Some("C1"), Some("W1"), None, "", off).is_ok());
/// ```
pub fn ask(
    kind: DecisionKind,
    case: Option<&str>,
    worker: Option<&str>,
    capacity: Option<f64>,
    note: &str,
    rules: DecisionRules,
) -> Result<Ruling, Refusal> {
    let named = worker.is_some_and(|w| !w.trim().is_empty());
    if matches!(kind, DecisionKind::Accept | DecisionKind::Reject) && named {
        return Err(Refusal::Shape(format!(
            "`{kind}` takes no worker: it uses the run's own"
        )));
    }
    let ruling = Ruling::from_parts(kind, case, worker, capacity).map_err(Refusal::Shape)?;
    if let Ruling::Capacity { points, .. } = ruling {
        if !CAPACITY.contains(points) {
            return Err(Refusal::Shape(format!(
                "capacity: {}",
                CAPACITY.message(points)
            )));
        }
    }
    if rules.needs_note(kind) && note.trim().is_empty() {
        return Err(Refusal::NoReason(kind));
    }
    Ok(ruling)
}

/// The worker a case's unit is pinned to in the input, with the pinned case.
fn input_pin<'a>(scenario: &'a Scenario, unit: &[usize]) -> Option<(&'a Case, &'a WorkerId)> {
    unit.iter().find_map(|&m| {
        let case = &scenario.cases[m];
        case.current_worker
            .as_ref()
            .filter(|_| case.pinned)
            .map(|w| (case, w))
    })
}

/// "it" for the decision's own case, "its sibling C2" for another.
fn it(decided_on: &Case, other: &Case) -> String {
    if decided_on.id == other.id {
        "it".to_string()
    } else {
        format!("its sibling {}", other.id)
    }
}

/// Why a decision on a worker (`leaving`, `leave`, `capacity`) cannot hold, if it cannot.
fn worker_blocker(scenario: &Scenario, ids: &Ids<'_>, d: &Decision) -> Option<String> {
    let Some(w) = d.worker() else {
        return Some("the decision names no worker".to_string());
    };
    if worker_index(ids, w).is_none() {
        return Some(format!("worker {w} is no longer in workers.csv"));
    }
    if let Ruling::Capacity { points, .. } = d.ruling {
        return (!CAPACITY.contains(points))
            .then(|| format!("capacity: {}", CAPACITY.message(points)));
    }
    let pinned: Vec<&str> = scenario
        .cases
        .iter()
        .filter(|c| c.pinned && c.current_worker.as_ref() == Some(w))
        .map(|c| c.id.as_str())
        .collect();
    (!pinned.is_empty()).then(|| format!("cases.csv pins {} to {w}", pinned.join(", ")))
}

/// Why a `never W` decision cannot hold, if it cannot.
fn never_blocker(
    scenario: &Scenario,
    ids: &Ids<'_>,
    groups: &[Vec<usize>],
    d: &Decision,
) -> Option<String> {
    let Some(case) = d.case() else {
        return Some("the decision names no case".to_string());
    };
    let Some(c) = case_index(ids, case) else {
        return Some(format!("case {case} is no longer in cases.csv"));
    };
    let Some(w) = d.worker() else {
        return Some("the decision names no worker".to_string());
    };
    if worker_index(ids, w).is_none() {
        return Some(format!("worker {w} is no longer in workers.csv"));
    }
    match input_pin(scenario, &groups[c]) {
        Some((pinned, p)) if p == w => Some(format!(
            "cases.csv pins {} to {w}",
            it(&scenario.cases[c], pinned)
        )),
        _ => None,
    }
}

/// Why a decision holding its case with `target` (`None`: unallocated) cannot hold, if it
/// cannot; `held_by` gives the units already held by newer decisions.
fn hold_blocker(
    scenario: &Scenario,
    ids: &Ids<'_>,
    groups: &[Vec<usize>],
    d: &Decision,
    target: Option<&WorkerId>,
    held_by: &BTreeMap<usize, (i64, Option<WorkerId>)>,
) -> Option<String> {
    let Some(id) = d.case() else {
        return Some("the decision names no case".to_string());
    };
    let Some(c) = case_index(ids, id) else {
        return Some(format!("case {id} is no longer in cases.csv"));
    };
    let case = &scenario.cases[c];
    let unit = &groups[c];
    if let Some((newer, other)) = held_by.get(&c) {
        if other.as_ref() != target {
            let place = other
                .as_ref()
                .map_or("unallocated".to_string(), |w| format!("with {w}"));
            return Some(format!(
                "a newer decision ({newer}) holds it {place} (siblings stay together)"
            ));
        }
    }
    if let Some((pinned, p)) = input_pin(scenario, unit) {
        if Some(p) != target {
            return Some(format!("cases.csv pins {} to {p}", it(case, pinned)));
        }
    }
    let Some(w) = target else {
        return unit.iter().find_map(|&m| {
            let other = &scenario.cases[m];
            other.current_worker.as_ref().map(|x| {
                format!(
                    "{} now has a worker, {x}, in cases.csv; the decision kept it unallocated",
                    it(case, other)
                )
            })
        });
    };
    let Some(wi) = worker_index(ids, w) else {
        return Some(format!("worker {w} is no longer in workers.csv"));
    };
    let worker = &scenario.workers[wi];
    for &m in unit {
        if let Err(why) = eligibility(worker, &scenario.cases[m], &scenario.policy) {
            let of = if m == c {
                "this case".to_string()
            } else {
                format!("case {} of the same group", scenario.cases[m].id)
            };
            return Some(ineligible_words(w, &why, &of));
        }
    }
    over_limit(scenario, ids, groups, wi, unit, held_by)
}

/// Whether worker `w` holding `unit` on top of every unit fixed to it (pinned in the
/// input, or held by an applied decision) would break one of its hard limits.
fn over_limit(
    scenario: &Scenario,
    ids: &Ids<'_>,
    groups: &[Vec<usize>],
    w: usize,
    unit: &[usize],
    held_by: &BTreeMap<usize, (i64, Option<WorkerId>)>,
) -> Option<String> {
    let given = Given::new(scenario);
    let worker = &scenario.workers[w];
    // Fixed to W: the cases it holds pinned in the input, those held to it by applied
    // decisions, and this unit; a unit pinned in the input counts whole, like a held one.
    let pinned_here = ids.before[w]
        .iter()
        .copied()
        .filter(|&m| scenario.cases[m].pinned);
    let held_here = held_by
        .iter()
        .filter(|(_, (_, t))| t.as_ref() == Some(&worker.id))
        .map(|(&m, _)| m);
    let mut fixed: Vec<usize> = pinned_here
        .clone()
        .chain(held_here)
        .chain(unit.iter().copied())
        .collect();
    for m in pinned_here {
        fixed.extend(groups[m].iter().copied());
    }
    fixed.sort_unstable();
    fixed.dedup();
    // The limits as the solver reads them (model::rules): max(limit, before), pair weights.
    let load = given.load_of(w, &fixed);
    let over = given.limits_held(w, &ids.before[w]).over(
        load,
        fixed.len() as u32,
        given.received(w, &fixed),
    );
    let id = &worker.id;
    over.first().map(|over| match *over {
        Over::Load { load, limit } => format!(
            "{id} would hold {} points of pinned and decided cases, over its capacity of {} \
             (hard capacity)",
            crate::text::num(load),
            crate::text::num(limit)
        ),
        Over::Cases { cases, limit } => format!(
            "{id} would hold {cases} pinned and decided cases, over its max_cases of {limit}"
        ),
        Over::NewCases { received, limit } => {
            format!("{id} would receive {received} decided cases, over its max_new of {limit}")
        }
    })
}

/// Holds set on cases (by [`apply_decisions`] or in code) must be ones it would apply:
/// a known worker, eligible for the whole sibling group, agreeing with the input's pins
/// and with the other holds of the group.
pub(super) fn check_holds(scenario: &Scenario, found: &mut Found) {
    let groups = units(&scenario.cases);
    let ids = Ids::of(scenario);
    for (c, case) in scenario.cases.iter().enumerate() {
        let Some(hold) = &case.hold else { continue };
        let target = hold.worker.as_ref();
        let mut problem = |code, message: String| {
            found.case(c, case, code, "hold", message);
        };
        if let Some(w) = target {
            let Some(wi) = worker_index(&ids, w) else {
                problem(codes::UNKNOWN_WORKER, format!("no worker has id `{w}`"));
                continue;
            };
            let worker = &scenario.workers[wi];
            let misfit = groups[c].iter().find_map(|&m| {
                eligibility(worker, &scenario.cases[m], &scenario.policy)
                    .err()
                    .map(|why| (m, why))
            });
            if let Some((m, why)) = misfit {
                let of = if m == c {
                    "this case".to_string()
                } else {
                    format!("case {} of the same group", scenario.cases[m].id)
                };
                problem(codes::PIN_INELIGIBLE, ineligible_words(w, &why, &of));
            }
        }
        if let Some((pinned, p)) = input_pin(scenario, &groups[c]) {
            if Some(p) != target {
                let message = format!("held elsewhere, but {} is pinned to {p}", pinned.id);
                problem(codes::PIN_CONFLICT, message);
            }
        }
        let other = groups[c]
            .iter()
            .map(|&m| &scenario.cases[m])
            .find(|o| o.hold.as_ref().is_some_and(|h| h.worker.as_ref() != target));
        if let Some(other) = other {
            let message = format!(
                "held elsewhere than its sibling {}: a group stays together",
                other.id
            );
            problem(codes::PIN_CONFLICT, message);
        }
    }
}

#[cfg(test)]
mod tests;
