//! One small hand-made scenario per rule and per violation kind, and the objective terms
//! on two or three entities.

use super::*;
use crate::model::{CapacityMode, Case, Policy, Scenario, Worker};

const TOL: f64 = 1e-9;

fn scenario(workers: Vec<Worker>, cases: Vec<Case>) -> Scenario {
    Scenario::new(workers, cases, Policy::default())
}

/// Rows `(case, worker)` on lines 2, 3, …; `""` is unallocated.
fn rows(pairs: &[(&str, &str)]) -> Vec<AllocationRow> {
    labelled(&pairs.iter().map(|&(c, w)| (c, w, "")).collect::<Vec<_>>())
}

/// Rows `(case, worker, change)`; `""` is empty.
fn labelled(triples: &[(&str, &str, &str)]) -> Vec<AllocationRow> {
    triples
        .iter()
        .enumerate()
        .map(|(i, &(c, w, ch))| AllocationRow {
            line: i as u64 + 2,
            case: CaseId::new(c),
            worker: (!w.is_empty()).then(|| WorkerId::new(w)),
            change: (!ch.is_empty()).then(|| ch.to_string()),
        })
        .collect()
}

/// The report's violations as `(rule, message)`.
fn found(report: &CheckReport) -> Vec<(Rule, &str)> {
    report
        .violations
        .iter()
        .map(|v| (v.rule, v.message.as_str()))
        .collect()
}

/// Asserts exactly one violation, of `rule`, whose message contains every word.
fn assert_only(report: &CheckReport, rule: Rule, words: &[&str]) {
    assert_eq!(report.violations.len(), 1, "{:#?}", report.violations);
    let v = &report.violations[0];
    assert_eq!(v.rule, rule, "{v}");
    for w in words {
        assert!(v.message.contains(w), "{:?} lacks {w:?}", v.message);
    }
}

fn assert_valid(report: &CheckReport) {
    assert!(report.is_valid(), "{:#?}", report.violations);
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < TOL
}

// ---- the allocation file ----

#[test]
fn unknown_case_is_reported_with_its_line() {
    let s = scenario(vec![Worker::new("W1")], vec![Case::new("C1")]);
    let r = check(&s, &rows(&[("C1", "W1"), ("C9", "W1")]));
    assert_only(
        &r,
        Rule::UnknownCase,
        &["line 3", "C9", "not in the scenario"],
    );
    assert_eq!(r.violations[0].subject, "C9");
}

#[test]
fn unknown_worker_counts_the_case_as_unallocated() {
    let s = scenario(vec![Worker::new("W1")], vec![Case::new("C1").held_by("W1")]);
    let r = check(&s, &rows(&[("C1", "W9")]));
    // The file problem only: rule 2 is not repeated for a case the file does not place.
    assert_only(
        &r,
        Rule::UnknownWorker,
        &["line 2", "C1", "W9", "unallocated"],
    );
    assert!(close(r.objective.unallocated, 3000.0));
    assert_eq!(r.count(Change::Unallocated), 1);
}

#[test]
fn duplicate_row_keeps_the_first() {
    let s = scenario(
        vec![Worker::new("W1"), Worker::new("W2")],
        vec![Case::new("C1")],
    );
    let r = check(&s, &rows(&[("C1", "W1"), ("C1", "W2")]));
    assert_only(
        &r,
        Rule::DuplicateCase,
        &["line 3", "C1", "first on line 2"],
    );
    assert_eq!(r.cases[0].after, Some(WorkerId::new("W1")));
}

#[test]
fn missing_case_is_reported_and_costed_as_unallocated() {
    let s = scenario(
        vec![Worker::new("W1")],
        vec![Case::new("C1"), Case::new("C2").weight(2.0).priority(5)],
    );
    let r = check(&s, &rows(&[("C1", "W1")]));
    assert_only(&r, Rule::MissingCase, &["C2", "no row"]);
    assert!(close(r.objective.unallocated, 2.0 * 5.0 * 1000.0));
}

// ---- hard rule 1 ----

#[test]
fn eligible_allocation_is_valid() {
    let s = scenario(
        vec![Worker::new("W1").team("A").skills(["Court"])],
        vec![Case::new("C1")
            .team("A")
            .requires(["court"])
            .exclude(["W2"])],
    );
    assert_valid(&check(&s, &rows(&[("C1", "W1")])));
}

#[test]
fn unavailable_worker_is_ineligible() {
    let s = scenario(vec![Worker::new("W1").unavailable()], vec![Case::new("C1")]);
    let r = check(&s, &rows(&[("C1", "W1")]));
    assert_only(&r, Rule::Ineligible, &["C1 is with W1", "unavailable"]);
}

#[test]
fn worker_lacking_a_required_tag_is_ineligible() {
    let s = scenario(
        vec![Worker::new("W1").skills(["urdu"])],
        vec![Case::new("C1").requires(["court", "urdu"])],
    );
    let r = check(&s, &rows(&[("C1", "W1")]));
    assert_only(
        &r,
        Rule::Ineligible,
        &["W1", "lacks required tag \"court\""],
    );
    assert!(!r.violations[0].message.contains("urdu"));
}

#[test]
fn excluded_worker_is_ineligible() {
    let s = scenario(
        vec![Worker::new("W1")],
        vec![Case::new("C1").exclude(["W1"])],
    );
    let r = check(&s, &rows(&[("C1", "W1")]));
    assert_only(
        &r,
        Rule::Ineligible,
        &["excluded from C1", "conflict of interest"],
    );
}

#[test]
fn worker_of_another_team_is_ineligible_unless_cross_team() {
    let workers = vec![Worker::new("W1").team("B"), Worker::new("W2")];
    let cases = vec![Case::new("C1").team("A"), Case::new("C2").team("A")];
    let mut s = scenario(workers, cases);
    let alloc = rows(&[("C1", "W1"), ("C2", "W2")]);
    let r = check(&s, &alloc);
    assert_eq!(
        found(&r),
        vec![
            (
                Rule::Ineligible,
                "C1 is with W1, who is in team B but C1 belongs to team A"
            ),
            (
                Rule::Ineligible,
                "C2 is with W2, who has no team but C2 belongs to team A"
            ),
        ]
    );
    s.policy.cross_team = true;
    assert_valid(&check(&s, &alloc));
}

#[test]
fn every_reason_is_given_at_once() {
    let s = scenario(
        vec![Worker::new("W1").unavailable()],
        vec![Case::new("C1").requires(["court"]).exclude(["W1"])],
    );
    let r = check(&s, &rows(&[("C1", "W1")]));
    assert_only(
        &r,
        Rule::Ineligible,
        &["is unavailable (on leave or leaving), lacks required tag \"court\" and is excluded"],
    );
}

#[test]
fn split_sibling_group_names_cases_and_workers() {
    let s = scenario(
        vec![Worker::new("W1"), Worker::new("W2")],
        vec![
            Case::new("C1").group("g1"),
            Case::new("C2").group("g1"),
            Case::new("C3").group("g1"),
        ],
    );
    let r = check(&s, &rows(&[("C1", "W1"), ("C2", "W2"), ("C3", "")]));
    assert_only(
        &r,
        Rule::GroupSplit,
        &["sibling group g1 is split: C1 with W1, C2 with W2, C3 unallocated"],
    );
    assert_eq!(r.violations[0].subject, "g1");
    assert_valid(&check(
        &s,
        &rows(&[("C1", "W2"), ("C2", "W2"), ("C3", "W2")]),
    ));
    assert_valid(&check(&s, &rows(&[("C1", ""), ("C2", ""), ("C3", "")])));
}

#[test]
fn group_names_do_not_collide_with_case_ids() {
    // A group called "C1" and an ungrouped case C1 are different units.
    let s = scenario(
        vec![Worker::new("W1"), Worker::new("W2")],
        vec![Case::new("C1"), Case::new("C2").group("C1")],
    );
    assert_valid(&check(&s, &rows(&[("C1", "W1"), ("C2", "W2")])));
}

#[test]
fn pinned_case_must_stay() {
    let s = scenario(
        vec![Worker::new("W1"), Worker::new("W2")],
        vec![Case::new("C1").held_by("W1").pinned()],
    );
    assert_valid(&check(&s, &rows(&[("C1", "W1")])));
    let r = check(&s, &rows(&[("C1", "W2")]));
    assert_only(&r, Rule::Pinned, &["C1 is pinned to W1 but is with W2"]);
}

// ---- hard rule 2 ----

#[test]
fn case_whose_worker_still_fits_must_be_allocated() {
    let s = scenario(vec![Worker::new("W1")], vec![Case::new("C1").held_by("W1")]);
    let r = check(&s, &rows(&[("C1", "")]));
    assert_only(
        &r,
        Rule::LeftUnallocated,
        &["C1 is left unallocated", "current worker W1 still fits"],
    );
}

#[test]
fn case_whose_worker_no_longer_fits_may_stay_unallocated() {
    let s = scenario(
        vec![Worker::new("W1").unavailable(), Worker::new("W2")],
        vec![
            Case::new("C1").held_by("W1"),
            // W2 is fine for C2 alone but not for its sibling C3: not "still fits".
            Case::new("C2").held_by("W2").group("g"),
            Case::new("C3").requires(["court"]).group("g"),
        ],
    );
    let r = check(&s, &rows(&[("C1", ""), ("C2", ""), ("C3", "")]));
    assert_valid(&r);
    assert_eq!(r.count(Change::Unallocated), 3);
}

#[test]
fn a_sibling_following_a_pinned_case_is_a_forced_move() {
    // C1 is pinned to W1, so its sibling C2 must leave W2: forced, free, not a move.
    let s = scenario(
        vec![Worker::new("W1"), Worker::new("W2")],
        vec![
            Case::new("C1").held_by("W1").group("g").pinned(),
            Case::new("C2").held_by("W2").group("g"),
        ],
    );
    let r = check(
        &s,
        &labelled(&[("C1", "W1", "kept"), ("C2", "W1", "forced")]),
    );
    assert_valid(&r);
    assert_eq!(r.moves, 0);
    assert!(close(r.objective.moves, 0.0));
    let wrong = check(
        &s,
        &labelled(&[("C1", "W1", "kept"), ("C2", "W1", "moved")]),
    );
    assert_only(&wrong, Rule::ChangeLabel, &["sibling C1 is pinned to W1"]);
}

// ---- hard rule 3 ----

#[test]
fn max_cases_allows_what_was_held_before() {
    let mut w1 = Worker::new("W1");
    w1.max_cases = Some(1);
    let s = scenario(
        vec![w1, Worker::new("W2")],
        vec![
            Case::new("C1").held_by("W1"),
            Case::new("C2").held_by("W1"),
            Case::new("C3"),
        ],
    );
    // Already over (2 > 1) and not pushed further: fine.
    assert_valid(&check(
        &s,
        &rows(&[("C1", "W1"), ("C2", "W1"), ("C3", "W2")]),
    ));
    let r = check(&s, &rows(&[("C1", "W1"), ("C2", "W1"), ("C3", "W1")]));
    assert_only(
        &r,
        Rule::MaxCases,
        &["W1 holds 3 cases after the run, above max(max_cases 1, 2 before) = 2"],
    );
}

#[test]
fn hard_capacity_allows_what_was_held_before() {
    let s = scenario(
        vec![Worker::new("W1").capacity(22.0), Worker::new("W2")],
        vec![
            Case::new("C1").weight(21.0).held_by("W1"),
            Case::new("C2").weight(3.5),
        ],
    );
    let r = check(&s, &rows(&[("C1", "W1"), ("C2", "W1")]));
    assert_only(
        &r,
        Rule::Capacity,
        &["W1 holds 24.5 points after the run, above max(capacity 22, 21 before) = 22"],
    );

    // Someone already at 30 may stay at 30 but not go to 31.
    let s = scenario(
        vec![Worker::new("W1").capacity(22.0), Worker::new("W2")],
        vec![
            Case::new("C1").weight(30.0).held_by("W1"),
            Case::new("C2").weight(1.0),
        ],
    );
    assert_valid(&check(&s, &rows(&[("C1", "W1"), ("C2", "W2")])));
    let r = check(&s, &rows(&[("C1", "W1"), ("C2", "W1")]));
    assert_only(
        &r,
        Rule::Capacity,
        &["31 points", "max(capacity 22, 30 before) = 30"],
    );
}

#[test]
fn capacity_defaults_to_fte_times_standard_capacity() {
    // 0.5 × 22 = 11 points.
    let s = scenario(
        vec![Worker::new("W1").fte(0.5)],
        vec![Case::new("C1").weight(11.0), Case::new("C2").weight(0.5)],
    );
    assert_valid(&check(&s, &rows(&[("C1", "W1"), ("C2", "")])));
    let r = check(&s, &rows(&[("C1", "W1"), ("C2", "W1")]));
    assert_only(&r, Rule::Capacity, &["11.5 points", "capacity 11"]);
    assert!(close(r.workers[0].capacity, 11.0));
}

#[test]
fn soft_capacity_is_not_a_hard_rule() {
    let mut s = scenario(
        vec![Worker::new("W1").capacity(2.0)],
        vec![Case::new("C1").weight(3.0)],
    );
    s.policy.capacity = CapacityMode::Soft;
    let r = check(&s, &rows(&[("C1", "W1")]));
    assert_valid(&r);
    assert!(r.objective.bands > 0.0);
}

// ---- hard rule 4 ----

#[test]
fn max_new_counts_cases_not_held_before() {
    let mut w1 = Worker::new("W1");
    w1.max_new = Some(1);
    let s = scenario(
        vec![w1, Worker::new("W2")],
        vec![
            Case::new("C1").held_by("W1"),
            Case::new("C2"),
            Case::new("C3").held_by("W2"),
        ],
    );
    assert_valid(&check(
        &s,
        &rows(&[("C1", "W1"), ("C2", "W1"), ("C3", "W2")]),
    ));
    let r = check(&s, &rows(&[("C1", "W1"), ("C2", "W1"), ("C3", "W1")]));
    assert_only(
        &r,
        Rule::MaxNew,
        &["W1 receives 2 cases it did not hold before (C2, C3), above max_new 1"],
    );
    assert_eq!(r.workers[0].load.received, 2);
    assert_eq!(r.workers[1].load.given_up, 1);
}

// ---- hard rule 5 ----

#[test]
fn discretionary_moves_are_limited_but_forced_moves_are_not() {
    let mut s = scenario(
        vec![
            Worker::new("W1"),
            Worker::new("W2"),
            Worker::new("W3").unavailable(),
        ],
        vec![
            Case::new("C1").held_by("W1"),
            Case::new("C2").held_by("W1"),
            Case::new("C3").held_by("W3"),
        ],
    );
    s.policy.max_moves = 1;
    let r = check(&s, &rows(&[("C1", "W2"), ("C2", "W1"), ("C3", "W2")]));
    assert_valid(&r);
    assert_eq!((r.count(Change::Moved), r.count(Change::Forced)), (1, 1));
    let r = check(&s, &rows(&[("C1", "W2"), ("C2", "W2"), ("C3", "W2")]));
    assert_only(
        &r,
        Rule::MaxMoves,
        &["2 discretionary moves (C1, C2), above max_moves 1"],
    );
    assert_eq!(r.violations[0].subject, "");
}

// ---- change labels and classification ----

#[test]
fn changes_follow_the_definitions() {
    let s = scenario(
        vec![
            Worker::new("W1"),
            Worker::new("W2").skills(["court"]),
            Worker::new("W3").unavailable(),
        ],
        vec![
            Case::new("C1").held_by("W1"),
            Case::new("C2").held_by("W1"),
            Case::new("C3").held_by("W3"),
            Case::new("C4"),
            Case::new("C5"),
            // W1 fits C6 alone but not its sibling C7, so moving C6 is forced.
            Case::new("C6").held_by("W1").group("g"),
            Case::new("C7").requires(["court"]).group("g"),
        ],
    );
    let alloc = labelled(&[
        ("C1", "W1", "kept"),
        ("C2", "W2", "moved"),
        ("C3", "W1", "forced"),
        ("C4", "W2", "new"),
        ("C5", "", "unallocated"),
        ("C6", "W2", "Forced"),
        ("C7", "W2", "new"),
    ]);
    let r = check(&s, &alloc);
    assert_valid(&r);
    let changes: Vec<Change> = r.cases.iter().map(|c| c.change).collect();
    use Change::*;
    assert_eq!(
        changes,
        vec![Kept, Moved, Forced, New, Unallocated, Forced, New]
    );
    assert_eq!(r.moves, 1);
    let counts: Vec<usize> = r.counts.values().copied().collect();
    assert_eq!(counts, vec![1, 1, 2, 2, 1]);
}

#[test]
fn wrong_change_label_says_what_happened() {
    let s = scenario(
        vec![
            Worker::new("W1"),
            Worker::new("W2").unavailable(),
            Worker::new("W3"),
        ],
        vec![Case::new("C1").held_by("W1"), Case::new("C2").held_by("W2")],
    );
    let r = check(
        &s,
        &labelled(&[("C1", "W1", "moved"), ("C2", "W3", "moved")]),
    );
    assert_eq!(
        found(&r),
        vec![
            (
                Rule::ChangeLabel,
                "C1 is labelled moved but is kept: W1 held it before and holds it after"
            ),
            (
                Rule::ChangeLabel,
                "C2 is labelled moved but is forced: it went from W2 to W3 because W2 is \
                 unavailable (on leave or leaving)"
            ),
        ]
    );
}

#[test]
fn unknown_change_label_is_reported() {
    let s = scenario(vec![Worker::new("W1")], vec![Case::new("C1")]);
    let r = check(&s, &labelled(&[("C1", "W1", "reallocated")]));
    assert_only(
        &r,
        Rule::ChangeLabel,
        &["\"reallocated\"", "not one of", "it is new"],
    );
}

// ---- objective ----

#[test]
fn band_cost_with_capacity_20_and_default_bands() {
    // W1: 22 points on capacity 20 → 3×1 + 3×5 + 2×50 = 118. W2: 15 points → 1×1 = 1.
    let mut s = scenario(
        vec![
            Worker::new("W1").capacity(20.0),
            Worker::new("W2").capacity(20.0),
        ],
        vec![Case::new("C1").weight(22.0), Case::new("C2").weight(15.0)],
    );
    s.policy.capacity = CapacityMode::Soft;
    let r = check(&s, &rows(&[("C1", "W1"), ("C2", "W2")]));
    assert_valid(&r);
    assert!(close(r.objective.bands, 119.0), "{}", r.objective.bands);
    assert!(close(r.objective.total, 119.0));
}

#[test]
fn preferences_moves_and_unallocated_terms() {
    let s = scenario(
        vec![Worker::new("W1").skills(["urdu"]), Worker::new("W2")],
        vec![
            // Two preferred tags, W1 lacks one: 1 × 2.0.
            Case::new("C1").prefers(["urdu", "court"]),
            // Moved from W2, who still fits: 1 × 20.0; W1 lacks "court": 1 × 2.0.
            Case::new("C2").held_by("W2").prefers(["court"]),
            // Unallocated: 1.5 × 4 × 1000.
            Case::new("C3").weight(1.5).priority(4).prefers(["court"]),
        ],
    );
    let r = check(&s, &rows(&[("C1", "W1"), ("C2", "W1"), ("C3", "")]));
    assert_valid(&r);
    let o = r.objective;
    assert!(close(o.preferences, 4.0), "{o:?}");
    assert!(close(o.moves, 20.0), "{o:?}");
    assert!(close(o.unallocated, 6000.0), "{o:?}");
    assert!(close(o.bands, 0.0), "{o:?}");
    assert!(close(o.total, 6024.0), "{o:?}");
}

#[test]
fn figures_count_cases_of_unavailable_workers_before() {
    let s = scenario(
        vec![Worker::new("W1").unavailable(), Worker::new("W2")],
        vec![
            Case::new("C1").weight(2.0).held_by("W1"),
            Case::new("C2").weight(3.0).held_by("W2"),
        ],
    );
    let r = check(&s, &rows(&[("C1", "W2"), ("C2", "W2")]));
    assert_valid(&r);
    let w1 = &r.workers[0].load;
    assert!(close(w1.load_before, 2.0) && close(w1.load_after, 0.0));
    assert_eq!((w1.cases_before, w1.cases_after, w1.given_up), (1, 0, 1));
    let w2 = &r.workers[1].load;
    assert!(close(w2.load_before, 3.0) && close(w2.load_after, 5.0));
    assert_eq!((w2.cases_before, w2.cases_after, w2.received), (1, 2, 1));
}

// ---- order and rendering ----

#[test]
fn violations_are_ordered_by_rule_then_id() {
    let mut s = scenario(
        vec![
            Worker::new("W1").capacity(1.0),
            Worker::new("W2").unavailable(),
        ],
        vec![
            Case::new("C2").held_by("W1"),
            Case::new("C1").held_by("W1"),
            Case::new("C3"),
        ],
    );
    s.policy.max_moves = 0;
    let r = check(&s, &rows(&[("C3", "W1"), ("C2", "W2"), ("C1", "")]));
    let order: Vec<(Rule, &str)> = r
        .violations
        .iter()
        .map(|v| (v.rule, v.subject.as_str()))
        .collect();
    assert_eq!(
        order,
        vec![
            (Rule::Ineligible, "C2"),
            (Rule::LeftUnallocated, "C1"),
            (Rule::MaxMoves, ""),
        ]
    );
    // Same input, same report.
    assert_eq!(
        r,
        check(&s, &rows(&[("C3", "W1"), ("C2", "W2"), ("C1", "")]))
    );
}

#[test]
fn report_renders_verdict_violations_objective_and_counts() {
    let s = scenario(
        vec![Worker::new("W1"), Worker::new("W2").unavailable()],
        vec![Case::new("C1").held_by("W1"), Case::new("C2")],
    );
    let valid = check(&s, &rows(&[("C1", "W1"), ("C2", "W1")])).to_string();
    assert!(
        valid.starts_with("VALID: every hard rule holds\n"),
        "{valid}"
    );
    assert!(valid.contains("cases 2: 1 kept, 0 moved, 0 forced, 1 new, 0 unallocated"));

    let text = check(&s, &rows(&[("C1", "W1"), ("C2", "W2")])).to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "INVALID: 1 violation");
    assert_eq!(
        lines[1],
        "  rule 1 (ineligible worker): C2 is with W2, who is unavailable (on leave or leaving)"
    );
    assert!(lines[2].starts_with("objective 0.00 = unallocated 0.00 + bands 0.00"));
    assert_eq!(lines.len(), 4);
}
