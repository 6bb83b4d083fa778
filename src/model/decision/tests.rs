use super::*;

#[test]
fn kinds_read_as_written_and_in_any_case() {
    for kind in DecisionKind::ALL {
        assert_eq!(kind.as_str().parse::<DecisionKind>(), Ok(kind));
        assert_eq!(
            kind.as_str().to_uppercase().parse::<DecisionKind>(),
            Ok(kind)
        );
    }
    let err = "keep".parse::<DecisionKind>().unwrap_err();
    assert!(err.contains("accept, reject, assign, never"), "{err}");
}

#[test]
fn never_holds_nothing_the_others_hold_their_worker() {
    let decision = |kind, case: &str, worker: Option<&str>| Decision {
        id: 1,
        at: "2026-12-03T10:00:00Z".into(),
        by: "Sam".into(),
        note: String::new(),
        ruling: Ruling::from_parts(kind, Some(case), worker, None).unwrap(),
    };
    let d = decision(DecisionKind::Reject, "C1", None);
    assert_eq!(d.holds(), Some(None));
    let d = decision(DecisionKind::Reject, "C1", Some("W1"));
    assert_eq!(d.holds(), Some(Some(&WorkerId::new("W1"))));
    let d = decision(DecisionKind::Never, "C1", Some("W1"));
    assert_eq!(d.holds(), None);
    assert_eq!(d.decided().day(), "2026-12-03");
    let d = decision(DecisionKind::Leaving, "", Some("W1"));
    assert_eq!(d.holds(), None);
    assert_eq!(d.subject(), "worker W1");
    assert_eq!(d.case(), None);
}

#[test]
fn parts_that_do_not_make_a_decision_say_why() {
    let parts = |kind, case, worker, capacity| {
        Ruling::from_parts(kind, case, worker, capacity).unwrap_err()
    };
    use DecisionKind::*;
    assert_eq!(
        parts(Assign, Some("C1"), None, None),
        "`assign` needs a worker"
    );
    assert_eq!(parts(Never, None, Some("W1"), None), "`never` needs a case");
    assert_eq!(
        parts(Leaving, Some("C1"), Some("W1"), None),
        "`leaving` is a decision on a worker: it takes no case"
    );
    assert_eq!(
        parts(Capacity, None, Some("W1"), None),
        "`capacity` needs a capacity in points"
    );
    assert_eq!(
        parts(Accept, Some("C1"), None, Some(3.0)),
        "`accept` takes no capacity"
    );
}

#[test]
fn a_decision_reads_back_from_its_flat_form() {
    let d = Decision {
        id: 7,
        at: "2026-12-03T10:00:00Z".into(),
        by: "Sam".into(),
        note: "agreed".into(),
        ruling: Ruling::Capacity {
            worker: WorkerId::new("W1"),
            points: 12.5,
        },
    };
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["case_id"], "");
    assert_eq!(json["kind"], "capacity");
    assert_eq!(json["capacity"], 12.5);
    let back: Decision = serde_json::from_value(json).unwrap();
    assert_eq!(back, d);
}
