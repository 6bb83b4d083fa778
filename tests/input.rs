//! Reading scenario folders through the library API: a spreadsheet-style good scenario
//! read exactly, and one bad scenario per class of invalid input (docs/model.md, "Invalid
//! input"), each problem located by `file:line: column` with its code.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use caseload::io::read::load_scenario;
use caseload::model::{
    Band, CapacityMode, Case, CaseId, DecisionRules, Policy, Tag, Weights, Worker, WorkerId,
};
use caseload::{Error, InputError, InputErrors};

/// A fixture folder, relative to the package root (where `cargo test` runs), so that
/// errors name files the way a user would type them.
fn fixture(name: &str) -> PathBuf {
    Path::new("tests/fixtures/input").join(name)
}

fn tags(names: &[&str]) -> BTreeSet<Tag> {
    names.iter().map(Tag::new).collect()
}

fn worker_ids(ids: &[&str]) -> BTreeSet<WorkerId> {
    ids.iter().map(WorkerId::new).collect()
}

/// The errors of loading a folder that must be invalid.
fn errors_of(dir: &Path) -> InputErrors {
    match load_scenario(dir) {
        Err(Error::InvalidInput(errors)) => errors,
        Err(other) => panic!("expected invalid input, got {other}"),
        Ok(scenario) => panic!("expected invalid input, got {scenario:?}"),
    }
}

/// Asserts that `errors` are exactly the `expected` ones, in order: each as the
/// `file:line: column` prefix of its display (file relative to `dir`) and its code.
fn assert_located(dir: &Path, errors: &InputErrors, expected: &[(&str, &str)]) {
    let shown: Vec<String> = errors.0.iter().map(ToString::to_string).collect();
    assert_eq!(errors.0.len(), expected.len(), "got:\n{errors}");
    for (line, (prefix, code)) in shown.iter().zip(expected) {
        let prefix = format!("{}/{prefix}: ", dir.display());
        assert!(
            line.starts_with(&prefix),
            "{line:?} should start with {prefix:?}"
        );
        assert!(
            line.ends_with(&format!(" [{code}]")),
            "{line:?} should end with [{code}]"
        );
    }
}

fn message_of<'a>(errors: &'a InputErrors, file: &str, line: u64) -> &'a InputError {
    errors
        .0
        .iter()
        .find(|e| e.file.ends_with(file) && e.line == Some(line))
        .unwrap_or_else(|| panic!("no error at {file}:{line} in\n{errors}"))
}

#[test]
fn a_spreadsheet_export_is_read_exactly() {
    let scenario = load_scenario(&fixture("good")).unwrap_or_else(|e| panic!("{e}"));

    let mut w1 =
        Worker::new("W1")
            .team("North")
            .fte(0.5)
            .skills(["child-protection", "court", "urdu"]);
    w1.name = "Ada Lovelace".into();
    w1.max_cases = Some(12);
    w1.max_new = Some(3);
    let mut w2 = Worker::new("W2").team("North").capacity(18.5).unavailable();
    w2.name = "Bob, Jr".into();
    let mut w3 = Worker::new("W3").team("South").skills(["court"]);
    w3.name = "Cy".into();
    assert_eq!(scenario.workers, [w1, w2, w3]);
    assert_eq!(
        scenario.workers[0].skills,
        tags(&["Child-Protection", "COURT", "urdu"])
    );

    let c1 = Case::new("C1")
        .weight(2.5)
        .team("North")
        .requires(["court"])
        .prefers(["urdu", "child-protection"])
        .group("fam1")
        .held_by("W1")
        .pinned()
        .exclude(["W3"])
        .priority(5);
    let c2 = Case::new("C2").team("North").group("fam1").held_by("W1");
    let c3 = Case::new("C3").exclude(["W2", "W3"]).priority(1);
    let c4 = Case::new("C4").weight(0.25).team("South").held_by("W3");
    assert_eq!(scenario.cases, [c1, c2, c3, c4]);
    assert_eq!(scenario.cases[0].id, CaseId::new("C1"));
    assert_eq!(scenario.cases[2].exclude, worker_ids(&["W2", "W3"]));

    let policy = Policy {
        standard_capacity: 20.0,
        capacity: CapacityMode::Soft,
        cross_team: true,
        max_moves: 50,
        time_limit_s: 5.5,
        threads: 2,
        bands: vec![
            Band {
                from: 0.8,
                cost: 1.0,
            },
            Band {
                from: 1.0,
                cost: 10.0,
            },
        ],
        weights: Weights {
            unallocated: 500.0,
            move_: 10.0,
            preference: 1.5,
        },
        decisions: DecisionRules::default(),
    };
    assert_eq!(scenario.policy, policy);
}

#[test]
fn every_problem_of_every_file_is_reported_in_one_pass() {
    let dir = fixture("many_errors");
    let errors = errors_of(&dir);
    assert_located(
        &dir,
        &errors,
        &[
            ("workers.csv:3: fte", "E-RANGE"),
            ("workers.csv:4: capacity", "E-RANGE"),
            ("workers.csv:5: id", "E-DUPLICATE-ID"),
            ("workers.csv:6: id", "E-EMPTY-ID"),
            ("workers.csv:7: fte", "E-PARSE"),
            ("workers.csv:7: available", "E-PARSE"),
            ("workers.csv:10: fte", "E-RANGE"), // after a quoted line break
            ("cases.csv:3: weight", "E-RANGE"),
            ("cases.csv:3: priority", "E-RANGE"),
            ("cases.csv:4: weight", "E-RANGE"),
            ("cases.csv:4: current_worker", "E-UNKNOWN-WORKER"),
            ("cases.csv:4: exclude", "E-UNKNOWN-WORKER"),
            ("cases.csv:5: weight", "E-RANGE"),
            ("cases.csv:5: priority", "E-RANGE"),
            ("cases.csv:5: pinned", "E-PIN-NO-WORKER"),
            ("cases.csv:6: pinned", "E-PIN-INELIGIBLE"),
            ("cases.csv:7: pinned", "E-PIN-INELIGIBLE"),
            ("cases.csv:8: pinned", "E-PIN-INELIGIBLE"),
            ("cases.csv:9: pinned", "E-PIN-INELIGIBLE"),
            ("cases.csv:11: pinned", "E-PIN-CONFLICT"),
            ("cases.csv:12: weight", "E-PARSE"),
            ("cases.csv:12: pinned", "E-PARSE"),
            ("cases.csv:12: priority", "E-PARSE"),
            ("cases.csv:13: id", "E-DUPLICATE-ID"),
            ("cases.csv:14: id", "E-EMPTY-ID"),
            ("cases.csv:15", "E-MALFORMED-ROW"),
            ("policy.toml:1: standard_capacity", "E-RANGE"),
            ("policy.toml:2: capacity", "E-PARSE"),
            ("policy.toml:3: colour", "E-UNKNOWN-KEY"),
            ("policy.toml:9: bands[1].from", "E-BANDS"),
            ("policy.toml:10: bands[1].cost", "E-BANDS"),
            ("policy.toml:13: weights.move", "E-RANGE"),
            ("policy.toml:14: weights.speed", "E-UNKNOWN-KEY"),
        ],
    );
}

#[test]
fn out_of_range_values_say_what_they_got() {
    let errors = errors_of(&fixture("many_errors"));
    let cases = [
        ("workers.csv", 3, "got 0"),
        ("cases.csv", 3, "got -1"),
        ("cases.csv", 4, "got NaN"),
        ("cases.csv", 5, "got inf"),
    ];
    for (file, line, got) in cases {
        let error = message_of(&errors, file, line);
        assert!(error.message.ends_with(got), "{error}");
    }
    let priority = errors
        .0
        .iter()
        .find(|e| e.line == Some(3) && e.column == "priority");
    assert!(
        priority.is_some_and(|e| e.message.ends_with("got 6")),
        "{errors}"
    );
}

#[test]
fn an_ineligible_pin_says_why() {
    let errors = errors_of(&fixture("many_errors"));
    let reasons = [
        (6, "W3 is unavailable"),
        (7, "W1 lacks the tag `urdu` required by this case"),
        (8, "W1 is in the exclude list of this case"),
        (9, "W1 is in team `A` but this case belongs to team `B`"),
    ];
    for (line, reason) in reasons {
        let error = message_of(&errors, "cases.csv", line);
        assert!(error.message.contains(reason), "{error}");
    }
    let conflict = message_of(&errors, "cases.csv", 11);
    assert!(
        conflict
            .message
            .contains("case C9 of the same group is pinned to W1"),
        "{conflict}"
    );
}

#[test]
fn missing_files_are_reported_without_a_line() {
    let dir = fixture("missing_files");
    let errors = errors_of(&dir);
    assert_located(
        &dir,
        &errors,
        &[
            ("workers.csv", "E-MISSING-FILE"),
            ("cases.csv", "E-MISSING-FILE"),
        ],
    );
    assert!(errors.0.iter().all(|e| e.line.is_none()));
}

#[test]
fn a_missing_folder_reports_both_files() {
    let dir = fixture("no_such_folder");
    let errors = errors_of(&dir);
    assert_located(
        &dir,
        &errors,
        &[
            ("workers.csv", "E-MISSING-FILE"),
            ("cases.csv", "E-MISSING-FILE"),
        ],
    );
}

#[test]
fn an_unreadable_file_is_reported() {
    let dir = fixture("unreadable");
    let errors = errors_of(&dir);
    assert_located(&dir, &errors, &[("cases.csv", "E-UNREADABLE")]);
}

#[test]
fn a_missing_id_column_is_reported_on_the_header_only() {
    let dir = fixture("no_id_column");
    let errors = errors_of(&dir);
    assert_located(&dir, &errors, &[("workers.csv:1: id", "E-MISSING-COLUMN")]);
}

#[test]
fn a_malformed_worker_row_does_not_hide_other_unknown_workers() {
    let dir = fixture("malformed_workers");
    let errors = errors_of(&dir);
    assert_located(
        &dir,
        &errors,
        &[
            ("workers.csv:3", "E-MALFORMED-ROW"),
            ("cases.csv:3: exclude", "E-UNKNOWN-WORKER"),
        ],
    );
    assert!(errors.0[1].message.contains("`W4`"), "{errors}");
}

#[test]
fn a_policy_syntax_error_is_located_and_not_blamed_on_pins() {
    let dir = fixture("policy_syntax");
    let errors = errors_of(&dir);
    assert_located(&dir, &errors, &[("policy.toml:3", "E-SYNTAX")]);
}

#[test]
fn a_file_that_is_not_utf8_is_located() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("workers.csv"), "id\nW1\n").expect("write workers");
    std::fs::write(
        dir.path().join("cases.csv"),
        b"id,team\nC1,A\nC2,S\xe3o Paulo\n",
    )
    .expect("write cases");
    let errors = errors_of(dir.path());
    assert_located(dir.path(), &errors, &[("cases.csv:3", "E-ENCODING")]);
}
