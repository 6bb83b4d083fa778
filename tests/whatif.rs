//! What-if runs: edits change what they should, failures stay in their row, sweeps
//! aggregate, results do not depend on the number of jobs, and every allocation written
//! passes the independent checker.

use std::fs;
use std::path::Path;

use crate::util::{self, assert_close, caseload, stderr, stdout};
use caseload::check::{check, read_allocation};
use caseload::io::read::load_scenario;
use caseload::io::scenario_writer::write_scenario;
use caseload::model::{Band, Case, Policy, Scenario, Worker, WorkerId};
use caseload::solve::Status;
use caseload::whatif::{
    self, apply, run, Demand, Draw, Edit, Figures, Metric, NewWorkers, Outcome, Plan, PolicyChange,
    Row, RowStatus, RunOptions, Selection, Variant, VariantError,
};

/// Two teams of four workers, each holding six children (one sibling pair, one pinned
/// child), and three new referrals per team: room to spare before any change.
fn base() -> Scenario {
    let mut workers = Vec::new();
    let mut cases = Vec::new();
    for team in ["A", "B"] {
        for w in 1..=4 {
            let id = format!("{team}{w}");
            workers.push(
                Worker::new(id.as_str())
                    .team(team)
                    .skills(["child-protection"]),
            );
            for c in 1..=6 {
                let mut case = Case::new(format!("C-{id}-{c}").as_str())
                    .team(team)
                    .weight(if c % 2 == 0 { 1.5 } else { 1.0 })
                    .held_by(&id);
                if c <= 2 {
                    case = case.group(&format!("G-{id}"));
                }
                if c == 3 {
                    case = case.pinned();
                }
                cases.push(case);
            }
        }
        for r in 1..=3 {
            cases.push(
                Case::new(format!("N-{team}-{r}").as_str())
                    .team(team)
                    .priority(4),
            );
        }
    }
    Scenario::new(workers, cases, Policy::default())
}

fn options() -> RunOptions {
    RunOptions {
        jobs: 2,
        time_limit_s: Some(20.0),
        ..RunOptions::default()
    }
}

fn mean(row: &Row, metric: Metric) -> f64 {
    row.spread(metric).expect("the row solved").mean
}

fn policy(change: PolicyChange) -> Edit {
    Edit::Policy(change)
}

fn ids(list: &[&str]) -> Selection {
    Selection::Ids(list.iter().map(|&s| WorkerId::new(s)).collect())
}

#[test]
fn each_change_moves_the_figures_it_should() {
    let cross_team = policy(PolicyChange {
        cross_team: Some(true),
        ..Default::default()
    });
    let plan = Plan::new(vec![
        Variant::new("today", vec![]),
        Variant::new("A1 leaves", vec![Edit::RemoveWorkers(ids(&["A1"]))]),
        Variant::new(
            "team B leaves, cross-team working",
            vec![cross_team, Edit::RemoveWorkers(Selection::Team("B".into()))],
        ),
        Variant::new(
            "cap 9",
            vec![policy(PolicyChange {
                standard_capacity: Some(9.0),
                ..Default::default()
            })],
        ),
        Variant::new(
            "40 more children",
            vec![Edit::AddReferrals {
                demand: Demand::Count(40),
                team: None,
            }],
        ),
        Variant::new(
            "two hires in A",
            vec![Edit::AddWorkers(NewWorkers {
                count: 2,
                team: "A".into(),
                skills: vec![],
                fte: 1.0,
                capacity: None,
                max_cases: None,
                max_new: None,
                prefix: "H".into(),
            })],
        ),
    ]);
    let comparison = run(&base(), &plan, &options(), &|| {}).expect("run");
    let rows = &comparison.rows;
    assert_eq!(rows.len(), 6);
    for row in rows {
        assert_eq!(row.failed(), 0, "{}: {:?}", row.variant.name, row.error());
        assert_eq!(row.status(), RowStatus::Optimal);
    }
    let [today, a1, team_b, cap, demand, hires] = [0, 1, 2, 3, 4, 5].map(|i| &rows[i]);
    assert_close(mean(today, Metric::ForcedMoves), 0.0, "forced moves today");
    assert_close(
        mean(today, Metric::UnallocatedCases),
        0.0,
        "unallocated today",
    );
    // A1's six children must move (its pinned child is released).
    assert_close(
        mean(a1, Metric::ForcedMoves),
        6.0,
        "forced moves, A1 leaves",
    );
    assert_close(mean(a1, Metric::Workers), 7.0, "workers, A1 leaves");
    // Team B's 24 children move to team A.
    assert_close(
        mean(team_b, Metric::ForcedMoves),
        24.0,
        "forced moves, B leaves",
    );
    assert_close(mean(team_b, Metric::Workers), 4.0, "workers, B leaves");
    // A smaller cap raises utilisation and puts people in amber or red.
    assert!(mean(cap, Metric::MeanUtilisation) > mean(today, Metric::MeanUtilisation));
    assert!(
        mean(cap, Metric::AmberWorkers) + mean(cap, Metric::RedWorkers)
            > mean(today, Metric::AmberWorkers) + mean(today, Metric::RedWorkers)
    );
    // More demand: more children, more load or more waiting.
    assert_close(
        mean(demand, Metric::Cases),
        mean(today, Metric::Cases) + 40.0,
        "cases with 40 more",
    );
    assert!(
        mean(demand, Metric::MeanUtilisation) > mean(today, Metric::MeanUtilisation)
            || mean(demand, Metric::UnallocatedPoints) > 0.0
    );
    // Hires add capacity.
    assert_close(
        mean(hires, Metric::Capacity),
        mean(today, Metric::Capacity) + 44.0,
        "capacity with two hires",
    );
    // The default plan has one draw per variant without a random change.
    assert!(rows.iter().all(|r| r.draws.len() == 1));
}

#[test]
fn a_failing_variant_fills_its_row_and_the_others_solve() {
    let bad_bands = policy(PolicyChange {
        bands: Some(vec![
            Band {
                from: 0.9,
                cost: 5.0,
            },
            Band {
                from: 0.8,
                cost: 1.0,
            },
        ]),
        ..Default::default()
    });
    let plan = Plan::new(vec![
        Variant::new("unknown worker", vec![Edit::RemoveWorkers(ids(&["ZZ"]))]),
        Variant::new("today", vec![]),
        Variant::new("bands not convex", vec![bad_bands]),
        Variant::new(
            "too many leavers",
            vec![Edit::RemoveWorkers(Selection::Count {
                count: 9,
                team: Some("A".into()),
            })],
        ),
    ]);
    let comparison = run(&base(), &plan, &options(), &|| {}).expect("run");
    let rows = &comparison.rows;
    assert_eq!(
        rows[0].draws[0].outcome,
        Err(VariantError::UnknownWorker("ZZ".into()))
    );
    assert_eq!(rows[0].status(), RowStatus::Error);
    assert_eq!(rows[1].status(), RowStatus::Optimal);
    assert!(
        matches!(&rows[2].draws[0].outcome, Err(e @ VariantError::Invalid(_)) if e.to_string().contains("bands")),
        "{:?}",
        rows[2].draws
    );
    assert!(rows[3]
        .error()
        .is_some_and(|e| e.contains("only 4 available")));
    // The CSV says so, row by row.
    let csv = whatif::comparison_csv(&comparison).expect("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5);
    assert!(
        lines[1].contains(",error,no worker has the id `ZZ`,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("today,,,1,0,optimal,,"),
        "{}",
        lines[2]
    );
}

#[test]
fn random_changes_are_reproducible_from_the_seed_and_nested_across_rates() {
    let s = base();
    let leave = |fraction| {
        vec![Edit::RemoveWorkers(Selection::Fraction {
            fraction,
            team: None,
        })]
    };
    let gone = |sc: &Scenario| -> Vec<String> {
        sc.workers
            .iter()
            .filter(|w| !w.available)
            .map(|w| w.id.to_string())
            .collect()
    };
    let a = apply(&s, &leave(0.25), 7).expect("applies");
    assert_eq!(a, apply(&s, &leave(0.25), 7).expect("applies"));
    assert_eq!(gone(&a).len(), 2);
    // Different seeds draw differently (for some seed).
    assert!((8..20).any(|seed| gone(&apply(&s, &leave(0.25), seed).expect("applies")) != gone(&a)));
    // The workers lost at 25 % are among those lost at 50 %, for the same seed.
    let b = apply(&s, &leave(0.5), 7).expect("applies");
    assert!(gone(&a).iter().all(|w| gone(&b).contains(w)));
    // Pins of leavers are released; other pins stay.
    for case in &a.cases {
        let holder = case
            .current_worker
            .as_ref()
            .and_then(|w| a.workers.iter().find(|x| &x.id == w));
        if case.id.as_str().ends_with("-3") {
            assert_eq!(
                case.pinned,
                holder.is_some_and(|w| w.available),
                "{}",
                case.id
            );
        }
    }
    // New referrals are drawn like the existing families: no worker, pin or conflict,
    // siblings renamed together, exactly the number asked for.
    let more = apply(
        &s,
        &[Edit::AddReferrals {
            demand: Demand::Fraction(0.5),
            team: Some("B".into()),
        }],
        3,
    )
    .expect("applies");
    let added: Vec<&Case> = more
        .cases
        .iter()
        .filter(|c| c.id.as_str().starts_with('R'))
        .collect();
    assert_eq!(added.len(), (0.5 * s.cases.len() as f64).round() as usize);
    assert!(added
        .iter()
        .all(|c| c.current_worker.is_none() && !c.pinned && c.team == "B"));
    assert!(added.iter().any(|c| c.group.is_some()));
}

fn draw(seed: u64, unallocated: f64) -> Draw {
    let mut values = vec![0.0; Metric::ALL.len()];
    values[Metric::UnallocatedPoints as usize] = unallocated;
    Draw {
        seed,
        outcome: Ok(Outcome {
            figures: Figures::from_values(values),
            status: Status::Optimal,
            time: std::time::Duration::ZERO,
        }),
    }
}

#[test]
fn sweep_rows_aggregate_mean_p10_p90_over_draws() {
    let mut draws: Vec<Draw> = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0]
        .iter()
        .enumerate()
        .map(|(i, &x)| draw(i as u64, x))
        .collect();
    draws.push(Draw {
        seed: 99,
        outcome: Err(VariantError::Solve(std::sync::Arc::new(
            caseload::Error::Infeasible(caseload::error::Infeasibility::Proved),
        ))),
    });
    let mut variant = Variant::new("attrition", vec![]);
    variant.params = vec![("rate".into(), 0.05)];
    variant.name = "attrition [rate=0.05]".into();
    variant.draws = 11;
    let row = Row { variant, draws };
    let s = row.spread(Metric::UnallocatedPoints).expect("spread");
    // sorted: 1 1 2 3 3 4 5 5 6 9; mean 3.9; p10 at rank 0.9 → 1; p90 at rank 8.1 → 6.3
    assert!((s.mean - 3.9).abs() < 1e-12);
    assert!((s.p10 - 1.0).abs() < 1e-12, "{}", s.p10);
    assert!((s.p90 - 6.3).abs() < 1e-12, "{}", s.p90);
    assert_eq!(row.failed(), 1);
    assert_eq!(row.status(), RowStatus::Optimal);
    assert_eq!(
        row.error().as_deref(),
        Some("seed 99: no allocation meets every hard rule: the solver proved it")
    );
    let comparison = whatif::Comparison {
        rows: vec![row],
        jobs: 1,
        elapsed: std::time::Duration::ZERO,
        parts: Default::default(),
    };
    let csv = whatif::comparison_csv(&comparison).expect("csv");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let row: Vec<&str> = lines.next().expect("row").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    assert_eq!(row[col("point")], "rate=0.05");
    assert_eq!(row[col("sweep")], "attrition");
    assert_eq!(row[col("draws")], "11");
    assert_eq!(row[col("unallocated_points")], "3.9");
    assert_eq!(row[col("unallocated_points_p10")], "1");
    assert_eq!(row[col("unallocated_points_p90")], "6.3");
}

const VARIANTS: &str = r#"
seeds = 3
time_limit_s = 20

[[variant]]
name = "today"

[[variant]]
name = "a quarter leave"
change = [{ do = "remove_workers", fraction = 0.25 }]

[[variant]]
name = "cap"
grid = { points = [14, 22] }
change = [{ do = "policy", standard_capacity = "$points" }]

[[variant]]
name = "surge in A"
change = [
  { do = "add_referrals", count = 6, team = "A" },
  { do = "update_workers", ids = ["A2"], fte = 0.5 },
]

[[variant]]
name = "nobody"
change = [{ do = "remove_workers", ids = ["nobody"] }]
"#;

fn scenario_with_variants(root: &Path) -> std::path::PathBuf {
    let dir = root.join("service");
    write_scenario(&dir, &base()).expect("scenario written");
    fs::write(dir.join("variants.toml"), VARIANTS).expect("variants written");
    dir
}

#[test]
fn cli_results_do_not_depend_on_jobs_and_every_allocation_passes_the_checker() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = scenario_with_variants(tmp.path());
    let mut csvs = Vec::new();
    // Two jobs, one job, and one job solving every team afresh.
    for (jobs, reuse) in [("2", true), ("1", true), ("1", false)] {
        let out = tmp.path().join(format!("out{jobs}{reuse}"));
        let mut args = vec![
            "whatif".as_ref(),
            dir.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--jobs".as_ref(),
            jobs.as_ref(),
            "--allocations".as_ref(),
        ];
        if !reuse {
            args.push("--no-reuse".as_ref());
        }
        let run = caseload(args);
        assert!(run.status.success(), "{}", stderr(&run));
        assert!(stdout(&run).contains("a quarter leave"), "{}", stdout(&run));
        if jobs == "1" && reuse {
            // Seeds 2 and 3 of "today" are today again, and "surge in A" leaves B as it is.
            let reused = stdout(&run)
                .split_once(" of ")
                .and_then(|(head, _)| head.rsplit('(').next()?.parse::<u32>().ok());
            assert!(
                reused.is_some_and(|n| n >= 5),
                "teams reused: {}",
                stdout(&run)
            );
        }
        assert!(
            stderr(&run).is_empty(),
            "no progress bar off a terminal: {}",
            stderr(&run)
        );
        csvs.push(fs::read(out.join("comparison.csv")).expect("csv"));
        let json: serde_json::Value =
            serde_json::from_slice(&fs::read(out.join("comparison.json")).expect("json"))
                .expect("JSON");
        assert_eq!(json["variants"].as_array().map(Vec::len), Some(6));
        let svg = fs::read_to_string(out.join("comparison.svg")).expect("svg");
        assert!(svg.starts_with("<svg") && svg.contains("cap [points=14]"));
        if jobs == "2" {
            // Teams reused from another draw's solve are checked as the draw's own.
            check_every_allocation(&out.join("variants"));
        }
    }
    assert_eq!(
        csvs[0], csvs[1],
        "comparison.csv differs between --jobs 2 and 1"
    );
    assert_eq!(
        csvs[1], csvs[2],
        "comparison.csv differs with and without reusing teams"
    );
    let text = String::from_utf8(csvs.swap_remove(0)).expect("UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        7,
        "header + today, quarter, cap×2, surge, nobody"
    );
    assert!(
        lines[2].starts_with("a quarter leave,,,3,0,"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].starts_with("cap [points=14],cap,points=14,1,"),
        "{}",
        lines[3]
    );
    assert!(
        lines[6].contains("error,no worker has the id `nobody`"),
        "{}",
        lines[6]
    );
}

/// Every `allocation.csv` under `dir` is valid for the scenario written beside it.
fn check_every_allocation(dir: &Path) {
    let mut checked = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("listing") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == "allocation.csv") {
                let folder = path.parent().expect("folder");
                let scenario = load_scenario(&folder.join("scenario")).expect("scenario reads");
                let rows = read_allocation(&path).expect("allocation reads");
                let report = check(&scenario, &rows);
                assert!(report.is_valid(), "{}: {report}", folder.display());
                checked += 1;
            }
        }
    }
    // today 1 + quarter 3 + cap 2 + surge 3 (random referrals) + nobody 0
    assert_eq!(checked, 9);
}

#[test]
fn a_bad_variants_file_is_invalid_input_located_by_line() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = scenario_with_variants(tmp.path());
    let bad = dir.join("bad.toml");
    fs::write(
        &bad,
        "[[variant]]\nname = \"ok\"\n\n[[variant]]\nname = \"typo\"\nchange = [{ do = \"remove_workers\", fraction = 1.5 }]\n",
    )
    .expect("written");
    let out = tmp.path().join("out");
    let run = caseload([
        "whatif".as_ref(),
        dir.as_os_str(),
        "--variants".as_ref(),
        bad.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    let err = stderr(&run);
    assert!(
        err.contains("bad.toml:4: variant[2].change[1]: fraction must be in [0, 1], got 1.5"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");

    fs::write(&bad, "seeds = 3\n[[variant]]\nname = \"x\"\nchnage = []\n").expect("written");
    let run = caseload([
        "whatif".as_ref(),
        dir.as_os_str(),
        "--variants".as_ref(),
        bad.as_os_str(),
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("bad.toml:4:") && stderr(&run).contains("chnage"),
        "{}",
        stderr(&run)
    );

    fs::write(&bad, "[[variant]]\nname = \"x\"\ngrid = { r = [0.1] }\nchange = [{ do = \"remove_workers\", fraction = \"$s\" }]\n").expect("written");
    let run = caseload([
        "whatif".as_ref(),
        dir.as_os_str(),
        "--variants".as_ref(),
        bad.as_os_str(),
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("`$s` is not a parameter"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn the_shipped_demo_variants_file_parses() {
    let demo = util::demo();
    let base = load_scenario(&demo).expect("demo");
    let plan = whatif::load_plan(&demo.join("variants.toml"), &base).expect("variants.toml");
    assert!(plan.variants.len() >= 6);
    assert!(
        plan.variants.iter().any(|v| !v.params.is_empty()),
        "has a sweep"
    );
    // Every variant of the demo builds a valid scenario (solving them is the README's job).
    for v in &plan.variants {
        let s = apply(&base, &v.edits, plan.seed).expect(&v.name);
        caseload::model::Instance::new(&s).unwrap_or_else(|p| panic!("{}: {p:?}", v.name));
    }
}
