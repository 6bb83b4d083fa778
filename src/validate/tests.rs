//! Every rule of validation on small scenarios built in code.

use super::*;
use crate::codes;
use crate::model::{Band, Policy};

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
            (Subject::Worker(1), "id", codes::EMPTY_ID),
            (Subject::Worker(2), "id", codes::DUPLICATE_ID),
            (Subject::Worker(3), "id", codes::DUPLICATE_ID),
            (Subject::Case(1), "id", codes::DUPLICATE_ID),
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
            (Subject::Worker(0), "fte", codes::RANGE),
            (Subject::Worker(1), "fte", codes::RANGE),
            (Subject::Worker(1), "capacity", codes::RANGE),
            (Subject::Worker(2), "fte", codes::RANGE),
            (Subject::Worker(2), "capacity", codes::RANGE),
            (Subject::Case(0), "weight", codes::RANGE),
            (Subject::Case(0), "priority", codes::RANGE),
            (Subject::Case(1), "weight", codes::RANGE),
            (Subject::Case(1), "priority", codes::RANGE),
            (Subject::Case(2), "weight", codes::RANGE),
        ]
    );
    assert_eq!(
        problems.0[9].to_string(),
        "case C3: weight: must be a number from 0.001 to 1,000, got -1 [E-RANGE]"
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
            (Subject::Case(0), "current_worker", codes::UNKNOWN_WORKER),
            (Subject::Case(0), "exclude", codes::UNKNOWN_WORKER),
            (Subject::Case(0), "exclude", codes::UNKNOWN_WORKER),
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
        [(Subject::Case(0), "pinned", codes::PIN_NO_WORKER)]
    );
}

fn pin_message(workers: Vec<Worker>, cases: Vec<Case>) -> String {
    let problems = validate(&scenario(workers, cases));
    assert_eq!(problems.len(), 1, "{problems}");
    assert_eq!(problems.0[0].code, codes::PIN_INELIGIBLE);
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
        [(Subject::Case(1), "pinned", codes::PIN_CONFLICT)]
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
            (Subject::Policy, "bands[1].from", codes::BANDS),
            (Subject::Policy, "bands[1].cost", codes::BANDS),
            (Subject::Policy, "bands[2].from", codes::BANDS),
            (Subject::Policy, "bands[2].cost", codes::BANDS),
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
            (Subject::Policy, "standard_capacity", codes::RANGE),
            (Subject::Policy, "time_limit_s", codes::RANGE),
            (Subject::Policy, "weights.move", codes::RANGE),
            (Subject::Policy, "weights.preference", codes::RANGE),
        ]
    );
    assert_eq!(
        problems.0[2].to_string(),
        "policy: weights.move: must be a number from 0 to 1,000,000, got -1 [E-RANGE]"
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
            "workers: fte: must be a number greater than 0 and at most 1, got 0 (worker W1) [E-RANGE]",
            "cases: weight: must be a number from 0.001 to 1,000, got -1 (case C7) [E-RANGE]",
        ]
    );
}
