//! Promises kept under hostile input (issue 16): the time limit on large inputs, a
//! what-if plan's size checked before anything is allocated, numbers in documented
//! ranges, one line per problem.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::util::{caseload, demo, stderr, summary};
use caseload::check::{check, read_allocation};
use caseload::io::read::load_scenario;
use caseload::model::{CaseId, Instance, Scenario};
use caseload::solve::start::{improved_start_search, starting_allocation};
use caseload::solve::{hard_rule_breaches, solve, SolveOptions, Status};

/// The demo's workers with its cases repeated `times` times (ids and groups made unique):
/// 256 × 40 = 10,240 children is the issue's reproduction.
fn repeated_demo(times: usize) -> Scenario {
    let mut scenario = load_scenario(&demo()).expect("demo loads");
    let cases = std::mem::take(&mut scenario.cases);
    for k in 0..times {
        for case in &cases {
            let mut case = case.clone();
            case.id = CaseId::new(format!("{}_{k}", case.id));
            case.group = case.group.map(|g| format!("{g}_{k}"));
            scenario.cases.push(case);
        }
    }
    scenario
}

/// `allocate DIR --out OUT ARGS...`: the exit code and stderr; the allocation written
/// (if any) must pass the independent checker.
fn allocate_checked(dir: &Path, out: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut all: Vec<&std::ffi::OsStr> = vec![
        "allocate".as_ref(),
        dir.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "-q".as_ref(),
    ];
    all.extend(args.iter().map(|a| std::ffi::OsStr::new(*a)));
    let run = caseload(all);
    if run.status.success() {
        let scenario = load_scenario(dir).expect("scenario loads");
        let rows = read_allocation(&out.join("allocation.csv")).expect("allocation parses");
        let report = check(&scenario, &rows);
        assert!(report.is_valid(), "{report}");
    }
    (run.status.code(), stderr(&run))
}

fn write_scenario(root: &Path, scenario: &Scenario) -> PathBuf {
    let dir = root.join("scenario");
    caseload::io::scenario_writer::write_scenario(&dir, scenario).expect("scenario written");
    dir
}

// ---- 1. The time limit ------------------------------------------------------------------

#[test]
fn local_search_looks_at_its_deadline_within_a_pass() {
    // The search used to look at its deadline only between whole passes: on 10,240
    // children one pass took seconds past a deadline that had already passed.
    let instance = Instance::new(&repeated_demo(40)).expect("valid");
    let (start, search) = improved_start_search(&instance, Instant::now());
    assert_eq!(search.examined, 0, "no unit examined after the deadline");
    assert_eq!(search.steps, 0);
    assert!(hard_rule_breaches(&instance, &start).is_empty());
    assert_eq!(start.units, starting_allocation(&instance).units);
    // With time, the search has work to do here: the test above is not empty.
    let later = Instant::now() + std::time::Duration::from_millis(300);
    let (_, search) = improved_start_search(&instance, later);
    assert!(search.examined > 0);
}

#[test]
fn a_passed_deadline_gives_the_valid_start_without_the_solver() {
    let instance = Instance::new(&repeated_demo(40)).expect("valid");
    let options = SolveOptions {
        deadline: Some(Instant::now()),
        ..SolveOptions::default()
    };
    let solution = solve(&instance, &options).expect("an allocation");
    assert_eq!(solution.status, Status::TimeLimit);
    assert_eq!(solution.solver_objective, None, "HiGHS never ran");
    assert!(hard_rule_breaches(&instance, &solution.allocation).is_empty());
}

#[test]
fn a_tiny_time_limit_on_a_large_input_ends_with_a_valid_allocation() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = write_scenario(tmp.path(), &repeated_demo(40));
    let out = tmp.path().join("out");
    let (code, err) = allocate_checked(&dir, &out, &["--time-limit", "0.05"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(summary(&out)["status"], "time_limit");
}

#[test]
fn a_tiny_time_limit_on_a_cross_team_trust_ends_with_a_valid_allocation() {
    // The large-instance strategy (one part of 70,000 pairs across 8 teams).
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("trust");
    let made = caseload([
        "generate".as_ref(),
        "--teams".as_ref(),
        "8".as_ref(),
        "--cross-team".as_ref(),
        "--out".as_ref(),
        dir.as_os_str(),
    ]);
    assert!(made.status.success(), "{}", stderr(&made));
    let out = tmp.path().join("out");
    let (code, err) = allocate_checked(&dir, &out, &["--time-limit", "0.05"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(summary(&out)["status"], "time_limit");
}

// ---- 2. The size of a what-if plan ------------------------------------------------------

/// `whatif` of the demo with this variants file: the exit code and stderr.
fn whatif(variants: &str, extra: &[&str]) -> (Option<i32>, String) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = tmp.path().join("variants.toml");
    fs::write(&file, variants).expect("variants written");
    let out = tmp.path().join("out");
    let demo = demo();
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "whatif".as_ref(),
        demo.as_os_str(),
        "--variants".as_ref(),
        file.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "-q".as_ref(),
    ];
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    let run = caseload(args);
    assert!(
        !out.exists() || run.status.success(),
        "nothing written on error"
    );
    (run.status.code(), stderr(&run))
}

#[test]
fn oversized_plans_are_refused_at_their_key_before_anything_is_allocated() {
    let random = r#"change = [{ do = "remove_workers", count = 1 }]"#;
    let cases = [
        (
            format!("seeds = 1000000000\n[[variant]]\nname = \"x\"\n{random}\n"),
            "variants.toml:1: seeds: the plan asks for 1,000,000,000 solves (grid points × draws), more than the 10,000 a run may make",
        ),
        (
            "[[variant]]\nname = \"x\"\ngrid = { a = { from = 0, to = 10000, step = 1 }, b = { from = 0, to = 10000, step = 1 } }\nchange = [{ do = \"remove_workers\", count = \"$a\" }]\n".to_string(),
            "variant[1].grid.a: needs step > 0 and to ≥ from (at most 10,000 values), got from 0, to 10000, step 1",
        ),
        (
            "[[variant]]\nname = \"x\"\ngrid = { a = { from = 1, to = 200, step = 1 }, b = { from = 1, to = 200, step = 1 } }\nchange = [{ do = \"policy\", standard_capacity = \"$a\", max_moves = \"$b\" }]\n".to_string(),
            "variant[1].grid: the plan asks for 40,000 solves",
        ),
        (
            format!(
                "[[variant]]\nname = \"x\"\ngrid = {{ a = [{}] }}\nchange = [{{ do = \"policy\", standard_capacity = \"$a\" }}]\n",
                vec!["1"; 1_000_000].join(",")
            ),
            "variant[1].grid.a: has 1,000,000 values, more than the 10,000 a grid parameter may have",
        ),
        (
            "[[variant]]\nname = \"x\"\nchange = [{ do = \"add_workers\", count = 1000000000 }]\n".to_string(),
            "variant[1].change: adds 1,000,000,000 workers, more than the 10,000 a variant may add",
        ),
        (
            "[[variant]]\nname = \"x\"\nchange = [{ do = \"add_referrals\", count = 1000000000 }]\n".to_string(),
            "variant[1].change: adds 1,000,000,000 children, more than the 100,000 a variant may add",
        ),
        (
            "[[variant]]\nname = \"x\"\nchange = [{ do = \"add_referrals\", rise = 1e6 }]\n".to_string(),
            "children, more than the 100,000 a variant may add",
        ),
    ];
    for (variants, expected) in cases {
        let (code, err) = whatif(&variants, &[]);
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains(expected), "{expected}\nnot in\n{err}");
        assert!(err.contains("[E-VARIANTS]"), "{err}");
    }
}

#[test]
fn max_solves_raises_the_limit_and_lowers_it() {
    let variants = "seeds = 3\n[[variant]]\nname = \"x\"\nchange = [{ do = \"remove_workers\", count = 1 }]\n[[variant]]\nname = \"y\"\nchange = [{ do = \"remove_workers\", count = 2 }]\n";
    let (code, err) = whatif(variants, &["--max-solves", "5", "--time-limit", "1"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("variants.toml:1: seeds: the plan asks for 6 solves (grid points × draws), more than the 5 a run may make"),
        "{err}"
    );
    let (code, err) = whatif(
        variants,
        &[
            "--max-solves",
            "6",
            "--time-limit",
            "1",
            "--mip-gap",
            "0.05",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn a_plan_built_in_code_is_checked_before_it_runs() {
    use caseload::whatif::{run, Edit, NewWorkers, Plan, RunOptions, Variant, WhatIfError};
    let base = load_scenario(&demo()).expect("demo loads");
    let hires = Edit::AddWorkers(NewWorkers {
        count: 1_000_000_000,
        team: String::new(),
        skills: Vec::new(),
        fte: 1.0,
        capacity: None,
        max_cases: None,
        max_new: None,
        prefix: "AGY".into(),
    });
    let plan = Plan::new(vec![Variant::new("hires", vec![hires])]);
    let err = run(&base, &plan, &RunOptions::default(), &|| {}).expect_err("too large");
    assert!(matches!(err, WhatIfError::TooLarge(_)), "{err}");
    let mut many = Variant::new("many", Vec::new());
    many.draws = u32::MAX;
    let err = run(
        &base,
        &Plan::new(vec![many]),
        &RunOptions::default(),
        &|| {},
    )
    .expect_err("too large");
    assert!(err.to_string().contains("4,294,967,295 solves"), "{err}");
}

// ---- 5. Numbers in documented ranges ----------------------------------------------------

mod numbers {
    use caseload::model::{
        Band, CapacityMode, Case, Instance, PairTerms, Policy, Scenario, Worker, WorkerId,
    };
    use caseload::solve::{hard_rule_breaches, solve, SolveOptions};
    use caseload::validate::ranges::{self, Range};
    use caseload::Error;
    use proptest::prelude::*;

    /// A number for `range`: its ends, just outside them, anywhere inside (log-uniform
    /// over the decades), or a hostile value.
    fn number(range: Range) -> impl Strategy<Value = f64> {
        let low = range.low.max(1e-6);
        let (a, b) = (low.log10(), range.high.log10());
        prop_oneof![
            3 => (a..=b).prop_map(|e| 10f64.powf(e)),
            1 => Just(range.low),
            1 => Just(range.high),
            1 => prop::sample::select(vec![
                range.high * 1.5,
                -1.0,
                0.0,
                1e-300,
                1e30,
                1e300,
                9.223372036854776e18,
                f64::NAN,
                f64::INFINITY,
            ]),
        ]
    }

    fn scenario() -> impl Strategy<Value = Scenario> {
        let worker = (
            number(ranges::FTE),
            prop::option::of(number(ranges::CAPACITY)),
        );
        let case = (
            number(ranges::CASE_WEIGHT),
            prop::option::of(0usize..3),
            1u8..=5,
            prop::option::of(0u8..2),
        );
        let band = (number(ranges::BAND_FROM), number(ranges::BAND_COST));
        let policy = (
            number(ranges::STANDARD_CAPACITY),
            (
                number(ranges::POLICY_WEIGHT),
                number(ranges::POLICY_WEIGHT),
                number(ranges::POLICY_WEIGHT),
            ),
            prop::collection::vec(band, 0..=3),
            prop::sample::select(vec![0u64, 1, 3, ranges::MAX_MOVES, u64::MAX]),
            any::<bool>(),
        );
        let pair = (
            0usize..5,
            0usize..3,
            number(ranges::PAIR_COST),
            prop::option::of(number(ranges::CASE_WEIGHT)),
        );
        (
            prop::collection::vec(worker, 1..=3),
            prop::collection::vec(case, 1..=5),
            policy,
            prop::collection::vec(pair, 0..=3),
        )
            .prop_map(|(workers, cases, policy, pairs)| {
                let workers: Vec<Worker> = workers
                    .into_iter()
                    .enumerate()
                    .map(|(i, (fte, capacity))| {
                        let mut w = Worker::new(format!("W{i}").as_str()).fte(fte);
                        w.capacity = capacity;
                        w
                    })
                    .collect();
                let n = workers.len();
                let cases: Vec<Case> = cases
                    .into_iter()
                    .enumerate()
                    .map(|(i, (weight, current, priority, group))| {
                        let mut c = Case::new(format!("C{i}").as_str()).weight(weight);
                        c.current_worker = current
                            .filter(|&w| w < n)
                            .map(|w| WorkerId::new(format!("W{w}")));
                        c.priority = priority;
                        c.group = group.map(|g| format!("G{g}"));
                        c
                    })
                    .collect();
                let (
                    standard_capacity,
                    (unallocated, move_, preference),
                    mut bands,
                    max_moves,
                    soft,
                ) = policy;
                bands.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
                let mut p = Policy {
                    standard_capacity,
                    max_moves,
                    time_limit_s: 10.0,
                    threads: 1,
                    capacity: if soft {
                        CapacityMode::Soft
                    } else {
                        CapacityMode::Hard
                    },
                    bands: bands
                        .into_iter()
                        .map(|(from, cost)| Band { from, cost })
                        .collect(),
                    ..Policy::default()
                };
                p.weights.unallocated = unallocated;
                p.weights.move_ = move_;
                p.weights.preference = preference;
                let mut scenario = Scenario::new(workers, cases, p);
                for (c, w, cost, weight) in pairs {
                    if c < scenario.cases.len() && w < n {
                        let key = (scenario.cases[c].id.clone(), WorkerId::new(format!("W{w}")));
                        scenario.pairs.insert(key, PairTerms { cost, weight });
                    }
                }
                scenario
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

        /// Any scenario that passes validation solves, or is reported infeasible in
        /// words: never a solver failure.
        #[test]
        fn a_valid_scenario_solves_or_is_infeasible_never_a_solver_failure(s in scenario()) {
            let Ok(instance) = Instance::new(&s) else { return Ok(()) };
            match solve(&instance, &SolveOptions { mip_gap: 0.0, ..SolveOptions::default() }) {
                Ok(solution) => {
                    prop_assert!(hard_rule_breaches(&instance, &solution.allocation).is_empty());
                    prop_assert!(solution.evaluation.objective.total.is_finite());
                }
                Err(Error::Infeasible(_)) => {}
                Err(other) => prop_assert!(false, "{other}"),
            }
        }
    }
}

// ---- 6. Messages ------------------------------------------------------------------------

#[test]
fn a_value_with_a_line_break_is_echoed_escaped_on_its_own_line() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = crate::util::scenario_dir(
        tmp.path(),
        "id,capacity\nW1,10\n",
        "id,current_worker,weight\nC1,\"W9\nevil\",1\n\"C\n2\",W1,1e30\n",
        None,
    );
    let run = crate::util::allocate(&dir, &tmp.path().join("out"), &[]);
    assert_eq!(run.status.code(), Some(2));
    let err = stderr(&run);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines[0], "caseload: invalid input:", "{err}");
    assert_eq!(lines.len(), 3, "one line per problem:\n{err}");
    let cases = dir.join("cases.csv").display().to_string();
    assert_eq!(
        lines[1],
        format!("{cases}:2: current_worker: unknown worker id `W9\\nevil`: no worker (row of workers.csv) has this id [E-UNKNOWN-WORKER]")
    );
    assert_eq!(
        lines[2],
        format!("{cases}:4: weight: must be a number from 0.001 to 1,000, got 1e30 [E-RANGE]")
    );
}

#[test]
fn an_os_error_is_said_once_and_a_dangling_out_link_is_named() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = tmp.path().join("a-file");
    fs::write(&file, "x").expect("file");
    let run = crate::util::allocate(&demo(), &file, &["-q"]);
    assert_eq!(run.status.code(), Some(1));
    let err = stderr(&run);
    assert!(
        err.trim_end().ends_with(&format!(
            "{}: a file, where a folder is needed: remove it or choose another folder",
            file.display()
        )),
        "{err}"
    );
    assert!(!err.contains("os error 17"), "{err}");
    #[cfg(unix)]
    {
        let link = tmp.path().join("out");
        std::os::unix::fs::symlink(tmp.path().join("gone"), &link).expect("link");
        let run = crate::util::allocate(&demo(), &link, &["-q"]);
        assert_eq!(run.status.code(), Some(1));
        let err = stderr(&run);
        assert!(err.contains("a symbolic link to "), "{err}");
        assert!(err.contains("which does not exist"), "{err}");
        assert!(!err.contains("File exists"), "{err}");
    }
}

#[test]
fn a_variants_file_problem_always_has_a_line() {
    let cases: [(&[u8], &str); 4] = [
        (b"", ":1: the file is empty"),
        (b"seed = 2\n", ":1: variant: no [[variant]]"),
        (
            b"[[variant]]\nname = \"a\"\n[[variant]]\nname = \"a\"\n",
            ":3: name: two variants are named `a` (first at line 1)",
        ),
        (b"seed = 1\n# caf\xe9\n", ":2: not UTF-8 text"),
    ];
    for (bytes, expected) in cases {
        let tmp = tempfile::tempdir().expect("temp dir");
        let file = tmp.path().join("variants.toml");
        fs::write(&file, bytes).expect("written");
        let demo = demo();
        let run = caseload([
            "whatif".as_ref(),
            demo.as_os_str(),
            "--variants".as_ref(),
            file.as_os_str(),
            "--out".as_ref(),
            tmp.path().join("out").as_os_str(),
        ]);
        assert_eq!(run.status.code(), Some(2));
        let err = stderr(&run);
        assert!(
            err.contains(&format!("{}{expected}", file.display())),
            "{expected}\nnot in\n{err}"
        );
    }
}
