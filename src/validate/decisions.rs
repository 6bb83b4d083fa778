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
//! use caseload::model::{Case, Decision, DecisionKind, Policy, Scenario, Worker, WorkerId};
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
//!     case_id: case.into(),
//!     kind,
//!     worker_id: Some(WorkerId::new(worker)),
//!     note: String::new(),
//!     capacity: None,
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
use crate::model::{
    eligibility, CapacityMode, Case, CaseId, Decision, DecisionKind, Hold, Scenario, WorkerId,
};

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
    for d in order.iter().filter(|d| d.kind.on_worker()) {
        let why = worker_blocker(&out, d);
        if why.is_none() {
            if let Some(w) = d.worker_id.as_ref().and_then(|w| worker_index(&out, w)) {
                let worker = &mut out.workers[w];
                match d.kind {
                    DecisionKind::Capacity => worker.capacity = d.capacity,
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
    for d in order.iter().filter(|d| d.kind == DecisionKind::Never) {
        let why = never_blocker(&out, &groups, d);
        if why.is_none() {
            if let (Some(c), Some(w)) = (case_index(&out, &d.case_id), &d.worker_id) {
                out.cases[c].never.insert(w.clone(), d.decided());
            }
        }
        settle(d, why);
    }
    // The holds: each applied one is set on its case before the next (older) is judged.
    let mut held_by: BTreeMap<usize, (i64, Option<WorkerId>)> = BTreeMap::new();
    for d in order.iter().rev() {
        let Some(target) = d.holds() else { continue };
        let why = hold_blocker(&out, &groups, d, target, &held_by);
        if why.is_none() {
            if let Some(c) = case_index(&out, &d.case_id) {
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

fn case_index(scenario: &Scenario, id: &CaseId) -> Option<usize> {
    scenario.cases.iter().position(|c| &c.id == id)
}

fn worker_index(scenario: &Scenario, id: &WorkerId) -> Option<usize> {
    scenario.workers.iter().position(|w| &w.id == id)
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
fn worker_blocker(scenario: &Scenario, d: &Decision) -> Option<String> {
    let Some(w) = &d.worker_id else {
        return Some("the decision names no worker".to_string());
    };
    if worker_index(scenario, w).is_none() {
        return Some(format!("worker {w} is no longer in workers.csv"));
    }
    if d.kind == DecisionKind::Capacity {
        return match d.capacity {
            Some(c) if CAPACITY.contains(c) => None,
            Some(c) => Some(format!("capacity: {}", CAPACITY.message(c))),
            None => Some("the decision gives no capacity".to_string()),
        };
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
fn never_blocker(scenario: &Scenario, groups: &[Vec<usize>], d: &Decision) -> Option<String> {
    let Some(c) = case_index(scenario, &d.case_id) else {
        return Some(format!("case {} is no longer in cases.csv", d.case_id));
    };
    let Some(w) = &d.worker_id else {
        return Some("the decision names no worker".to_string());
    };
    if worker_index(scenario, w).is_none() {
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
    groups: &[Vec<usize>],
    d: &Decision,
    target: Option<&WorkerId>,
    held_by: &BTreeMap<usize, (i64, Option<WorkerId>)>,
) -> Option<String> {
    let Some(c) = case_index(scenario, &d.case_id) else {
        return Some(format!("case {} is no longer in cases.csv", d.case_id));
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
    let Some(wi) = worker_index(scenario, w) else {
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
    over_limit(scenario, groups, wi, unit, held_by)
}

/// Whether worker `w` holding `unit` on top of every unit fixed to it (pinned in the
/// input, or held by an applied decision) would break one of its hard limits.
fn over_limit(
    scenario: &Scenario,
    groups: &[Vec<usize>],
    w: usize,
    unit: &[usize],
    held_by: &BTreeMap<usize, (i64, Option<WorkerId>)>,
) -> Option<String> {
    let worker = &scenario.workers[w];
    let holds_now = |m: usize| scenario.cases[m].current_worker.as_ref() == Some(&worker.id);
    let fixed_here = |m: usize| {
        holds_now(m) && scenario.cases[m].pinned
            || held_by
                .get(&m)
                .is_some_and(|(_, t)| t.as_ref() == Some(&worker.id))
            || unit.contains(&m)
    };
    let weight_on = |m: usize| {
        let case = &scenario.cases[m];
        scenario
            .pairs
            .get(&(case.id.clone(), worker.id.clone()))
            .and_then(|t| t.weight)
            .unwrap_or(case.weight)
    };
    let all = 0..scenario.cases.len();
    let before: f64 = all.clone().filter(|&m| holds_now(m)).map(weight_on).sum();
    let count_before = all.clone().filter(|&m| holds_now(m)).count();
    // A unit pinned in the input counts whole, like a held one.
    let mut fixed: Vec<usize> = all.filter(|&m| fixed_here(m)).collect();
    for m in fixed.clone() {
        if scenario.cases[m].pinned && holds_now(m) {
            fixed.extend(groups[m].iter().copied());
        }
    }
    fixed.sort_unstable();
    fixed.dedup();
    let load: f64 = fixed.iter().map(|&m| weight_on(m)).sum();
    let new = fixed.iter().filter(|&&m| !holds_now(m)).count();
    let capacity = scenario.capacity_of(worker);
    let id = &worker.id;
    if scenario.policy.capacity == CapacityMode::Hard && load > capacity.max(before) + 1e-9 {
        return Some(format!(
            "{id} would hold {} points of pinned and decided cases, over its capacity of {} \
             (hard capacity)",
            crate::text::num(load),
            crate::text::num(capacity.max(before))
        ));
    }
    if let Some(max) = worker.max_cases {
        let limit = (max as usize).max(count_before);
        if fixed.len() > limit {
            return Some(format!(
                "{id} would hold {} pinned and decided cases, over its max_cases of {limit}",
                fixed.len()
            ));
        }
    }
    if let Some(max) = worker.max_new {
        if new > max as usize {
            return Some(format!(
                "{id} would receive {new} decided cases, over its max_new of {max}"
            ));
        }
    }
    None
}

/// Holds set on cases (by [`apply_decisions`] or in code) must be ones it would apply:
/// a known worker, eligible for the whole sibling group, agreeing with the input's pins
/// and with the other holds of the group.
pub(super) fn check_holds(scenario: &Scenario, found: &mut Found) {
    let groups = units(&scenario.cases);
    for (c, case) in scenario.cases.iter().enumerate() {
        let Some(hold) = &case.hold else { continue };
        let target = hold.worker.as_ref();
        let mut problem = |code, message: String| {
            found.case(c, case, code, "hold", message);
        };
        if let Some(w) = target {
            let Some(wi) = worker_index(scenario, w) else {
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
mod tests {
    use super::*;
    use crate::model::{DecisionKind, Instance, Policy, Worker};

    fn decision(id: i64, case: &str, kind: DecisionKind, worker: Option<&str>) -> Decision {
        Decision {
            id,
            at: "2026-12-03T09:00:00Z".into(),
            by: "Sam".into(),
            case_id: CaseId::new(case),
            kind,
            worker_id: worker.map(WorkerId::new),
            note: String::new(),
            capacity: None,
        }
    }

    fn scenario() -> Scenario {
        Scenario::new(
            vec![
                Worker::new("W1").capacity(4.0),
                Worker::new("W2").capacity(4.0).skills(["court"]),
                Worker::new("W3").unavailable(),
            ],
            vec![
                Case::new("C1").weight(2.0).held_by("W1").group("G"),
                Case::new("C2").weight(2.0).held_by("W1").group("G"),
                Case::new("C3").weight(1.0).held_by("W2").pinned(),
                Case::new("C4").weight(3.0),
                Case::new("C5").weight(1.0).requires(["court"]),
            ],
            Policy::default(),
        )
    }

    fn whys(outcomes: &[DecisionOutcome]) -> Vec<(i64, bool, String)> {
        outcomes
            .iter()
            .map(|o| (o.decision.id, o.applied, o.why.clone()))
            .collect()
    }

    #[test]
    fn decisions_on_workers_come_first_and_a_pinned_worker_cannot_leave() {
        use DecisionKind::*;
        let on_worker = |id, kind, worker: &str, capacity| Decision {
            case_id: CaseId::new(""),
            capacity,
            ..decision(id, "", kind, Some(worker))
        };
        let (out, outcomes) = apply_decisions(
            &scenario(),
            &[
                // Older than the leaving, yet judged after it: W1 is gone by then.
                decision(1, "C4", Assign, Some("W1")),
                on_worker(2, Leaving, "W1", None),
                on_worker(3, Leave, "W2", None),
                on_worker(4, Capacity, "W2", Some(7.5)),
                on_worker(5, Capacity, "W9", Some(7.5)),
                on_worker(6, Capacity, "W1", Some(1e9)),
            ],
        );
        assert_eq!(
            whys(&outcomes),
            vec![
                (
                    1,
                    false,
                    "W1 is unavailable: decision 2 (leaving) by Sam".into()
                ),
                (2, true, String::new()),
                (3, false, "cases.csv pins C3 to W2".into()),
                (4, true, String::new()),
                (5, false, "worker W9 is no longer in workers.csv".into()),
                (6, false, format!("capacity: {}", CAPACITY.message(1e9))),
            ]
        );
        assert!(!out.workers[0].available && out.workers[1].available);
        assert_eq!(out.workers[1].capacity, Some(7.5));
        assert_eq!(out.workers[0].capacity, Some(4.0));
        Instance::new(&out).expect("still valid");
    }

    #[test]
    fn the_newer_decision_on_a_sibling_group_wins() {
        use DecisionKind::*;
        let (out, outcomes) = apply_decisions(
            &scenario(),
            &[
                decision(1, "C1", Assign, Some("W2")),
                decision(2, "C2", Reject, Some("W1")),
            ],
        );
        let got = whys(&outcomes);
        assert!(!got[0].1, "{got:?}");
        assert!(
            got[0].2.contains("a newer decision (2) holds it with W1"),
            "{got:?}"
        );
        assert!(got[1].1);
        assert_eq!(
            out.cases[1].hold.as_ref().unwrap().worker,
            Some("W1".into())
        );
        Instance::new(&out).expect("the decided scenario is valid");
    }

    #[test]
    fn decisions_that_cannot_hold_say_why() {
        use DecisionKind::*;
        let (out, outcomes) = apply_decisions(
            &scenario(),
            &[
                decision(1, "C9", Accept, Some("W1")),
                decision(2, "C4", Assign, Some("W9")),
                decision(3, "C4", Assign, Some("W3")),
                decision(4, "C5", Assign, Some("W1")),
                decision(5, "C3", Reject, Some("W1")),
                decision(6, "C3", Never, Some("W2")),
                decision(7, "C1", Reject, None),
            ],
        );
        let got = whys(&outcomes);
        let expect = [
            "case C9 is no longer in cases.csv",
            "worker W9 is no longer in workers.csv",
            "W3 is unavailable (available = false)",
            "W1 lacks the tag `court` required by this case",
            "cases.csv pins it to W2",
            "cases.csv pins it to W2",
            "it now has a worker, W1, in cases.csv",
        ];
        for ((id, applied, why), want) in got.iter().zip(expect) {
            assert!(!applied, "{id}: {got:?}");
            assert!(why.starts_with(want), "{id}: {why} (want {want})");
        }
        assert!(out
            .cases
            .iter()
            .all(|c| c.hold.is_none() && c.never.is_empty()));
    }

    #[test]
    fn a_hold_beyond_a_hard_limit_is_not_applied() {
        use DecisionKind::*;
        // W2 holds C3 (1 point, pinned); C4 (3) fits in its 4, C1+C2 (4) then do not.
        let (out, outcomes) = apply_decisions(
            &scenario(),
            &[
                decision(1, "C1", Assign, Some("W2")),
                decision(2, "C4", Assign, Some("W2")),
            ],
        );
        let got = whys(&outcomes);
        assert!(got[1].1, "{got:?}");
        assert!(
            got[0]
                .2
                .contains("W2 would hold 8 points of pinned and decided cases"),
            "{got:?}"
        );
        let instance = Instance::new(&out).unwrap();
        let c4 = instance.case(&"C4".into()).unwrap();
        let unit = &instance.units[instance.unit_of[c4]];
        assert_eq!(unit.pinned_to, instance.worker(&"W2".into()));
        assert!(unit.must_allocate && unit.decided == Some(c4));
    }

    #[test]
    fn never_excludes_and_a_hold_to_nobody_leaves_no_candidate() {
        use DecisionKind::*;
        let (out, outcomes) = apply_decisions(
            &scenario(),
            &[
                decision(1, "C1", Never, Some("W1")),
                decision(2, "C4", Reject, None),
            ],
        );
        assert!(outcomes.iter().all(|o| o.applied), "{outcomes:?}");
        let instance = Instance::new(&out).unwrap();
        let c1 = instance.case(&"C1".into()).unwrap();
        assert!(!instance.still_fits(c1), "W1 may never hold C1 now");
        let c4 = instance.case(&"C4".into()).unwrap();
        let unit = &instance.units[instance.unit_of[c4]];
        assert!(unit.eligible.is_empty() && !unit.must_allocate);
    }

    #[test]
    fn holds_set_in_code_are_validated() {
        let mut s = scenario();
        s.cases[3].hold = Some(Hold {
            worker: Some("W9".into()),
            decided: decision(1, "C4", DecisionKind::Assign, Some("W9")).decided(),
        });
        s.cases[0].hold = Some(Hold {
            worker: Some("W2".into()),
            decided: decision(2, "C1", DecisionKind::Assign, Some("W2")).decided(),
        });
        s.cases[1].hold = Some(Hold {
            worker: None,
            decided: decision(3, "C2", DecisionKind::Reject, None).decided(),
        });
        let problems = crate::validate::validate(&s);
        let codes: Vec<(&str, &str)> = problems.iter().map(|p| (p.id.as_str(), p.code)).collect();
        assert!(codes.contains(&("C4", codes::UNKNOWN_WORKER)), "{codes:?}");
        assert!(codes.contains(&("C1", codes::PIN_CONFLICT)), "{codes:?}");
        assert!(codes.contains(&("C2", codes::PIN_CONFLICT)), "{codes:?}");
    }
}
