use super::*;
use crate::model::{DecisionKind, Instance, Policy, Worker};

fn decision(id: i64, case: &str, kind: DecisionKind, worker: Option<&str>) -> Decision {
    decision_with(id, case, kind, worker, None)
}

fn decision_with(
    id: i64,
    case: &str,
    kind: DecisionKind,
    worker: Option<&str>,
    capacity: Option<f64>,
) -> Decision {
    Decision {
        id,
        at: "2026-12-03T09:00:00Z".into(),
        by: "Sam".into(),
        note: String::new(),
        ruling: Ruling::from_parts(kind, Some(case), worker, capacity).unwrap(),
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
    let on_worker =
        |id, kind, worker: &str, capacity| decision_with(id, "", kind, Some(worker), capacity);
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

#[test]
fn an_overrule_asked_without_a_reason_is_refused_unless_the_policy_says_not() {
    use DecisionKind::*;
    let rules = DecisionRules::default();
    let off = DecisionRules {
        note_required: false,
    };
    for (kind, worker) in [(Reject, None), (Assign, Some("W2")), (Never, Some("W2"))] {
        for blank in ["", "  ", "\t\n"] {
            let refused = ask(kind, Some("C1"), worker, None, blank, rules).unwrap_err();
            assert_eq!(refused, Refusal::NoReason(kind));
            assert_eq!(refused.field(), Some("note"));
            assert_eq!(
                refused.to_string(),
                format!("a reason is required for `{kind}`")
            );
            assert_eq!(
                ask(kind, Some("C1"), worker, None, blank, off).map(|r| r.kind()),
                Ok(kind),
                "note_required = false takes it"
            );
        }
        let ruling = ask(kind, Some("C1"), worker, None, "known to the family", rules);
        assert_eq!(ruling.map(|r| r.kind()), Ok(kind));
    }
    // Accepting, and the decisions on a worker, need no reason.
    assert!(ask(Accept, Some("C1"), None, None, "", rules).is_ok());
    for kind in [Leaving, Leave] {
        assert!(ask(kind, None, Some("W1"), None, "", rules).is_ok());
    }
    assert!(ask(Capacity, None, Some("W1"), Some(12.0), "", rules).is_ok());
    // A decision that makes no sense is refused for that first, whatever its note.
    let shape = ask(Assign, Some("C1"), None, None, "", rules).unwrap_err();
    assert!(matches!(shape, Refusal::Shape(_)), "{shape:?}");
    assert_eq!(shape.field(), None);
}

#[test]
fn decisions_taken_before_the_rule_without_a_note_still_apply() {
    // The rule is on taking a decision, never on reading one back: a standing noteless
    // overrule of an older record applies under the default policy (note required).
    let scenario = scenario();
    assert!(scenario.policy.decisions.note_required);
    let old = [
        decision(1, "C4", DecisionKind::Assign, Some("W1")),
        decision(2, "C5", DecisionKind::Never, Some("W2")),
    ];
    assert!(old.iter().all(|d| d.note.is_empty()));
    let (out, outcomes) = apply_decisions(&scenario, &old);
    assert!(outcomes.iter().all(|o| o.applied), "{outcomes:?}");
    assert_eq!(
        out.cases[3].hold.as_ref().and_then(|h| h.worker.clone()),
        Some(WorkerId::new("W1"))
    );
    assert!(out.cases[4].never.contains_key(&WorkerId::new("W2")));
}
