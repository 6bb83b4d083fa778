//! The real `caseload` binary on the shipped demo and on small fixtures.

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{allocate, assert_close, caseload, demo, scenario_dir, stderr, stdout, summary};
use caseload::check::{check, read_allocation, CheckReport};
use caseload::io::read::load_scenario;

/// The independent checker's report on the allocation written to `out` for the demo,
/// after asserting it has a row per case, is valid, and has the summary's total.
fn checked_demo_output(out: &Path) -> CheckReport {
    let scenario = load_scenario(&demo()).expect("demo loads");
    let rows = read_allocation(&out.join("allocation.csv")).expect("allocation parses");
    assert_eq!(rows.len(), scenario.cases.len());
    let report = check(&scenario, &rows);
    assert!(report.is_valid(), "{report}");
    assert_close(
        summary(out)["objective"]["total"].as_f64().expect("total"),
        report.objective.total,
        "total",
    );
    report
}

/// Siblings held by two full workers: together they fit with neither.
fn contradictory_siblings(root: &Path) -> PathBuf {
    scenario_dir(
        root,
        "id,capacity\nW1,1\nW2,1\n",
        "id,group,current_worker\nC1,F1,W1\nC2,F1,W2\n",
        None,
    )
}

#[test]
fn allocate_demo_writes_outputs_that_pass_the_checker() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let run = allocate(&demo(), &out, &[]);
    assert!(run.status.success(), "allocate failed: {}", stderr(&run));
    let text = stdout(&run);
    assert!(text.contains("kept"), "summary printed: {text}");
    assert!(text.contains("objective"), "summary printed: {text}");

    let allocation = fs::read_to_string(out.join("allocation.csv")).expect("allocation.csv");
    assert!(allocation
        .starts_with("case_id,worker_id,previous_worker,change,reason,previous_proposal\n"));
    let loads = fs::read_to_string(out.join("loads.csv")).expect("loads.csv");
    assert!(loads.starts_with(
        "worker_id,team,capacity,load_before,load_after,utilisation,cases,received,given_up\n"
    ));

    // The independent checker accepts it, and recomputes the same objective.
    let report = checked_demo_output(&out);
    let s = summary(&out);
    for term in ["total", "unallocated", "bands", "moves", "preferences"] {
        let reported = s["objective"][term].as_f64().expect("objective term");
        let recomputed = match term {
            "total" => report.objective.total,
            "unallocated" => report.objective.unallocated,
            "bands" => report.objective.bands,
            "moves" => report.objective.moves,
            _ => report.objective.preferences,
        };
        assert_close(reported, recomputed, term);
    }
    assert_eq!(
        s["cases"]["total"].as_u64(),
        Some(load_scenario(&demo()).expect("demo loads").cases.len() as u64)
    );
    assert!(matches!(
        s["status"].as_str(),
        Some("optimal") | Some("time_limit")
    ));

    // The check command agrees.
    let checked = caseload([
        "check".as_ref(),
        demo().as_os_str(),
        "--allocation".as_ref(),
        out.join("allocation.csv").as_os_str(),
    ]);
    assert_eq!(checked.status.code(), Some(0), "{}", stdout(&checked));
}

#[test]
fn reruns_are_byte_identical_but_for_timings() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for out in [&a, &b] {
        let run = allocate(&demo(), out, &["-q"]);
        assert!(run.status.success(), "{}", stderr(&run));
    }
    for file in ["allocation.csv", "loads.csv"] {
        assert_eq!(
            fs::read(a.join(file)).expect("first"),
            fs::read(b.join(file)).expect("second"),
            "{file} differs between runs"
        );
    }
    let (mut sa, mut sb) = (summary(&a), summary(&b));
    sa["timings"] = serde_json::Value::Null;
    sb["timings"] = serde_json::Value::Null;
    assert_eq!(sa, sb);
}

#[test]
fn invalid_input_exits_2_lists_every_problem_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = scenario_dir(
        tmp.path(),
        "id,team,fte\nW1,A,1\nW1,A,0\n",
        "id,weight,current_worker,priority\nC1,abc,W1,3\nC2,1,W9,6\n",
        None,
    );
    let out = tmp.path().join("out");
    let run = allocate(&dir, &out, &[]);
    assert_eq!(run.status.code(), Some(2));
    let err = stderr(&run);
    for expected in [
        "workers.csv:3: id:",
        "workers.csv:3: fte:",
        "cases.csv:2: weight:",
        "cases.csv:3: current_worker:",
        "cases.csv:3: priority:",
    ] {
        assert!(err.contains(expected), "missing `{expected}` in:\n{err}");
    }
    assert!(!out.exists(), "nothing may be written on invalid input");
}

#[test]
fn a_failed_run_leaves_earlier_outputs_untouched() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    fs::create_dir_all(&out).expect("out");
    fs::write(out.join("allocation.csv"), "earlier").expect("seed");
    let dir = scenario_dir(tmp.path(), "id\nW1\n", "id,weight\nC1,-1\n", None);
    let run = allocate(&dir, &out, &[]);
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(
        fs::read_to_string(out.join("allocation.csv")).expect("kept"),
        "earlier"
    );
}

#[test]
fn check_lists_violations_of_a_hand_made_allocation_and_exits_3() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = scenario_dir(
        tmp.path(),
        "id,team,skills,capacity\nW1,A,court,10\nW2,A,,10\n",
        "id,team,requires,group,current_worker\nC1,A,court,,W1\nC2,A,,F1,W1\nC3,A,,F1,W2\n",
        None,
    );
    let hand = tmp.path().join("hand.csv");
    fs::write(
        &hand,
        "case_id,worker_id,notes\nC1,W2,moved by hand\nC2,W1,\nC3,W2,\n",
    )
    .expect("hand");
    let run = caseload([
        "check".as_ref(),
        dir.as_os_str(),
        "--allocation".as_ref(),
        hand.as_os_str(),
    ]);
    assert_eq!(run.status.code(), Some(3), "{}", stdout(&run));
    let text = stdout(&run);
    assert!(text.contains("court"), "ineligible worker named: {text}");
    assert!(text.contains("F1"), "split sibling group named: {text}");
}

#[test]
fn a_zero_time_limit_still_returns_a_checked_allocation() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let run = allocate(&demo(), &out, &["--time-limit", "0", "-q"]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(summary(&out)["status"].as_str(), Some("time_limit"));
    checked_demo_output(&out);
}

#[test]
fn hard_rules_that_cannot_all_hold_exit_1_and_say_why() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = contradictory_siblings(tmp.path());
    let out = tmp.path().join("out");
    let run = allocate(&dir, &out, &[]);
    assert_eq!(run.status.code(), Some(1));
    let err = stderr(&run);
    assert!(err.contains("no allocation meets every hard rule"), "{err}");
    assert!(err.contains("F1"), "names the sibling group: {err}");
    assert!(!out.exists());
}

#[test]
fn generate_is_reproducible_and_its_scenarios_solve_and_check() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for dir in [&a, &b] {
        let run = caseload([
            "generate".as_ref(),
            "--teams".as_ref(),
            "3".as_ref(),
            "--seed".as_ref(),
            "11".as_ref(),
            "--out".as_ref(),
            dir.as_os_str(),
        ]);
        assert!(run.status.success(), "{}", stderr(&run));
    }
    for file in ["workers.csv", "cases.csv", "policy.toml"] {
        assert_eq!(
            fs::read(a.join(file)).expect("a"),
            fs::read(b.join(file)).expect("b")
        );
    }
    let out = tmp.path().join("out");
    let run = allocate(&a, &out, &["-q"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let checked = caseload([
        "check".as_ref(),
        a.as_os_str(),
        "--allocation".as_ref(),
        out.join("allocation.csv").as_os_str(),
    ]);
    assert_eq!(checked.status.code(), Some(0), "{}", stdout(&checked));
}

#[test]
fn contradictory_rules_are_reported_even_at_a_zero_time_limit() {
    // The same contradictory siblings with no time at all: HiGHS's presolve still proves
    // it, and the run says which rules clash instead of writing a broken allocation.
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = contradictory_siblings(tmp.path());
    let out = tmp.path().join("out");
    let run = allocate(&dir, &out, &["--time-limit", "0"]);
    assert_eq!(run.status.code(), Some(1));
    let err = stderr(&run);
    assert!(err.contains("no allocation meets every hard rule"), "{err}");
    assert!(err.contains("W1 would hold 2 points"), "{err}");
    assert!(!out.exists());
}

#[test]
fn a_looser_mip_gap_is_honoured_and_a_bad_one_refused() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let run = allocate(&demo(), &out, &["--mip-gap", "0.05", "-q"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let s = summary(&out);
    assert_eq!(s["status"].as_str(), Some("optimal"));
    let gap = s["gap"].as_f64().expect("gap");
    assert!((0.0..=0.05).contains(&gap), "gap {gap} above the 5 % asked");
    checked_demo_output(&out);

    for bad in ["-0.1", "2", "NaN", "x"] {
        let flag = format!("--mip-gap={bad}");
        let refused = allocate(&demo(), &tmp.path().join("bad"), &[&flag]);
        assert_eq!(refused.status.code(), Some(2), "--mip-gap {bad}");
        assert!(
            stderr(&refused).contains("relative gap"),
            "{}",
            stderr(&refused)
        );
        assert!(!tmp.path().join("bad").exists());
    }
}
