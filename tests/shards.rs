//! What-if runs beyond one machine: shards merged give the single machine's
//! `comparison.csv` byte for byte (one scenario and a study), the split is balanced by
//! expected work, every bad shard or part is refused by name with nothing written, and a
//! shard that failed is run again and merged.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::util::{demo, stderr, stdout};
use caseload::check::{check, read_allocation};
use caseload::io::read::load_scenario;
use caseload::io::scenario_writer::write_scenario;
use caseload::whatif::{self, shard::shard_work, Unit};

/// Runs the binary without any job-array index in its environment, plus `env`.
fn run(args: &[&Path], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_caseload"));
    command.args(args);
    for name in whatif::shard::INDEX_VARIABLES {
        command.env_remove(name);
    }
    command.env_remove("SLURM_ARRAY_TASK_MIN");
    command.env_remove("SLURM_ARRAY_TASK_COUNT");
    command.envs(env.iter().copied());
    command.output().expect("the caseload binary runs")
}

fn p(s: &str) -> &Path {
    Path::new(s)
}

/// `whatif DIR --out OUT --jobs 2` with `extra` arguments.
fn whatif(dir: &Path, out: &Path, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut args = vec![
        p("whatif"),
        dir,
        p("--out"),
        out,
        p("--jobs"),
        p("2"),
        p("-q"),
    ];
    args.extend(extra.iter().map(|a| p(a)));
    run(&args, env)
}

fn merge(out: &Path, parts: &[&Path]) -> Output {
    let mut args = vec![p("merge"), p("--out"), out];
    args.extend_from_slice(parts);
    run(&args, &[])
}

fn ok(output: &Output) {
    assert!(output.status.success(), "{}", stderr(output));
}

/// Exit 2 with every `needle` in the message.
fn refused(output: &Output, needles: &[&str]) {
    assert_eq!(output.status.code(), Some(2), "{}", stderr(output));
    for needle in needles {
        assert!(
            stderr(output).contains(needle),
            "{needle:?} in {}",
            stderr(output)
        );
    }
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `comparison.json` without what differs between machines (times, jobs).
fn json_rows(out: &Path) -> serde_json::Value {
    let mut json: serde_json::Value =
        serde_json::from_slice(&read(&out.join("comparison.json"))).expect("JSON");
    for row in json["variants"].as_array_mut().expect("rows") {
        for draw in row["runs"].as_array_mut().expect("runs") {
            draw.as_object_mut().expect("draw").remove("time_s");
        }
    }
    json["variants"].take()
}

/// The outputs of a merge equal a single machine's: the CSV and chart byte for byte, the
/// JSON's rows and draws but for their times.
fn same_outputs(single: &Path, merged: &Path) {
    assert_eq!(
        String::from_utf8(read(&single.join("comparison.csv"))).expect("UTF-8"),
        String::from_utf8(read(&merged.join("comparison.csv"))).expect("UTF-8"),
        "comparison.csv"
    );
    assert!(read(&single.join("comparison.svg")) == read(&merged.join("comparison.svg")));
    assert_eq!(json_rows(single), json_rows(merged));
}

#[test]
fn three_shards_of_the_demo_merge_into_the_single_machine_comparison() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let single = tmp.path().join("single");
    ok(&whatif(&demo(), &single, &[], &[]));
    // Shard 0 by its number, shard 1 as task 1 of a Slurm array --array=0-2, shard 2 as a
    // Kubernetes Indexed Job's pod 2.
    let parts: Vec<PathBuf> = (0..3)
        .map(|k| tmp.path().join(format!("part-{k}")))
        .collect();
    ok(&whatif(&demo(), &parts[0], &["--shard", "0/3"], &[]));
    let slurm = [
        ("SLURM_ARRAY_TASK_ID", "1"),
        ("SLURM_ARRAY_TASK_MIN", "0"),
        ("SLURM_ARRAY_TASK_COUNT", "3"),
    ];
    let task = whatif(&demo(), &parts[1], &["--shard", "auto/3"], &slurm);
    ok(&task);
    assert!(
        stderr(&task).contains("shard 1/3 (from SLURM_ARRAY_TASK_ID=1)"),
        "{}",
        stderr(&task)
    );
    let pod = whatif(
        &demo(),
        &parts[2],
        &["--shard", "auto/3"],
        &[("JOB_COMPLETION_INDEX", "2")],
    );
    ok(&pod);
    assert!(
        stderr(&pod).contains("JOB_COMPLETION_INDEX=2"),
        "{}",
        stderr(&pod)
    );
    let merged = tmp.path().join("merged");
    // The parts in any order.
    let done = merge(&merged, &[&parts[2], &parts[0], &parts[1]]);
    ok(&done);
    assert!(
        stdout(&done).contains("merged 3 shards: 13 rows, 45 draws"),
        "{}",
        stdout(&done)
    );
    same_outputs(&single, &merged);
    // Every draw in exactly one part, by its manifest.
    let mut draws: Vec<u64> = Vec::new();
    for part in &parts {
        let manifest: whatif::Manifest =
            serde_json::from_slice(&read(&part.join("manifest.json"))).expect("manifest");
        assert!(manifest.complete && manifest.failed.is_empty());
        assert_eq!((manifest.shards, manifest.draws_total), (3, 45));
        draws.extend(&manifest.draws);
    }
    draws.sort_unstable();
    assert_eq!(draws, (0..45).collect::<Vec<u64>>());
}

/// The demo's scenario, and a plan of 150 variants of every kind of change.
fn plan_of_150(base: &caseload::model::Scenario) -> whatif::Plan {
    let mut text = String::from("seed = 3\nseeds = 4\n");
    for i in 0..150 {
        let change = match i % 5 {
            0 => format!(
                "{{ do = \"remove_workers\", fraction = {} }}",
                0.01 * f64::from(i % 20)
            ),
            1 => format!(
                "{{ do = \"add_referrals\", fraction = {} }}",
                0.02 * f64::from(i % 30)
            ),
            2 => format!(
                "{{ do = \"add_workers\", count = {}, team = \"T01\", prefix = \"N{i}-\" }}",
                1 + i % 7
            ),
            3 => format!("{{ do = \"policy\", standard_capacity = {} }}", 14 + i % 10),
            _ => "{ do = \"policy\", cross_team = true }".to_string(),
        };
        text += &format!("[[variant]]\nname = \"v{i}\"\nchange = [{change}]\n");
    }
    let source = caseload::io::Source::new("plan150.toml", text);
    whatif::parse_plan(&source, Path::new("."), base).expect("the plan parses")
}

#[test]
fn the_split_is_within_ten_percent_of_the_mean_shard_on_the_demo_and_150_variants() {
    let base = load_scenario(&demo()).expect("demo reads");
    let demo_plan = whatif::load_plan(&demo().join("variants.toml"), &base).expect("plan");
    let big = plan_of_150(&base);
    assert_eq!(big.variants.len(), 150);
    for (plan, shards) in [(&demo_plan, [2, 3, 4]), (&big, [3, 8, 16])] {
        let units = [Unit {
            base: &base,
            plan,
            name: None,
        }];
        for n in shards {
            let work = shard_work(&units, n);
            let mean = work.iter().sum::<u64>() as f64 / f64::from(n);
            for w in &work {
                let off = (*w as f64 - mean).abs() / mean;
                assert!(
                    off <= 0.10,
                    "{n} shards of {} variants: {work:?}",
                    plan.variants.len()
                );
            }
            assert_eq!(work, shard_work(&units, n), "deterministic");
        }
    }
    // Sized by work, not position: with cross-team working a draw weighs every worker.
    let units = [Unit {
        base: &base,
        plan: &big,
        name: None,
    }];
    let one = shard_work(&units, 1)[0];
    let teams = base
        .workers
        .iter()
        .map(|w| &w.team)
        .collect::<std::collections::BTreeSet<_>>();
    assert!(teams.len() > 1 && one > 150, "{one}");
}

/// A small plan: today, a random leaving (2 draws) and a cap; 4 draws.
const SMALL: &str = "seed = 1\nseeds = 2\n\
    [[variant]]\nname = \"Today\"\n\
    [[variant]]\nname = \"10 % leave\"\nchange = [{ do = \"remove_workers\", fraction = 0.10 }]\n\
    [[variant]]\nname = \"cap 18\"\nchange = [{ do = \"policy\", standard_capacity = 18 }]\n";

#[test]
fn a_study_of_two_scenarios_shards_and_merges_with_a_scenario_column() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path();
    fs::write(root.join("small.toml"), SMALL).expect("variants");
    fs::write(root.join("cap.toml"), SMALL.replace("18", "16")).expect("variants");
    let study = root.join("study.toml");
    let demo_xlsx = demo().with_file_name("demo-xlsx");
    fs::write(
        &study,
        format!(
            "variants = \"small.toml\"\n[[scenario]]\ndir = {:?}\n\
             [[scenario]]\nname = \"from workbooks\"\ndir = {:?}\nvariants = \"cap.toml\"\n",
            demo(),
            demo_xlsx
        ),
    )
    .expect("study");
    let single = root.join("single");
    let flags = ["--study", study.to_str().expect("path")];
    let out = run(
        &[
            p("whatif"),
            p(flags[0]),
            p(flags[1]),
            p("--out"),
            &single,
            p("--jobs"),
            p("2"),
            p("-q"),
        ],
        &[],
    );
    ok(&out);
    let text = String::from_utf8(read(&single.join("comparison.csv"))).expect("UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 7, "header + 2 scenarios × 3 variants:\n{text}");
    assert!(
        lines[0].starts_with("scenario,variant,sweep,point,draws,"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("demo,Today,,,1,0,optimal,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("demo,10 % leave,,,2,0,"),
        "{}",
        lines[2]
    );
    assert!(
        lines[6].starts_with("from workbooks,cap 16,,,1,0,"),
        "{}",
        lines[6]
    );
    let json: serde_json::Value =
        serde_json::from_slice(&read(&single.join("comparison.json"))).expect("JSON");
    assert_eq!(json["variants"][3]["scenario"], "from workbooks");
    let parts: Vec<PathBuf> = (0..2).map(|k| root.join(format!("part-{k}"))).collect();
    for (k, part) in parts.iter().enumerate() {
        let shard = format!("{k}/2");
        let args = [
            p("whatif"),
            p(flags[0]),
            p(flags[1]),
            p("--shard"),
            p(&shard),
            p("--out"),
            part,
            p("-q"),
        ];
        ok(&run(&args, &[]));
    }
    let merged = root.join("merged");
    let done = merge(&merged, &[&parts[0], &parts[1]]);
    ok(&done);
    assert!(
        stdout(&done).contains("(a study): 6 rows, 8 draws"),
        "{}",
        stdout(&done)
    );
    same_outputs(&single, &merged);
    // One scenario's outputs keep today's columns: no `scenario`.
    let one = root.join("one");
    ok(&whatif(
        &demo(),
        &one,
        &[
            "--variants",
            root.join("small.toml").to_str().expect("path"),
        ],
        &[],
    ));
    let text = String::from_utf8(read(&one.join("comparison.csv"))).expect("UTF-8");
    assert!(text.starts_with("variant,sweep,point,"), "{text}");
}

/// The demo scenario and the small plan in `root/service`; shards `0..n` of it into
/// `root/<name>-K`.
fn small_parts(root: &Path, name: &str, n: u32, variants: &str) -> Vec<PathBuf> {
    let dir = root.join("service");
    if !dir.exists() {
        write_scenario(&dir, &load_scenario(&demo()).expect("demo")).expect("copy");
    }
    fs::write(dir.join(format!("{name}.toml")), variants).expect("variants");
    let file = dir.join(format!("{name}.toml"));
    (0..n)
        .map(|k| {
            let part = root.join(format!("{name}-{k}"));
            let shard = format!("{k}/{n}");
            let extra = [
                "--variants",
                file.to_str().expect("path"),
                "--shard",
                &shard,
            ];
            ok(&whatif(&dir, &part, &extra, &[]));
            part
        })
        .collect()
}

#[test]
fn bad_shards_and_parts_are_refused_by_name_and_nothing_is_written() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path();
    let out = root.join("out");
    for (shard, needle) in [
        (
            "3/3",
            "shard 3 is out of range: with N = 3, K goes from 0 to 2",
        ),
        ("0/0", "N must be from 1 to 1000000"),
        ("x/2", "K must be a whole number or auto"),
        (
            "auto/3",
            "none of SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX is set",
        ),
    ] {
        refused(
            &whatif(&demo(), &out, &["--shard", shard], &[]),
            &[needle, "[E-SHARD]"],
        );
        assert!(!out.exists(), "{shard}: nothing written");
    }
    let beyond = whatif(
        &demo(),
        &out,
        &["--shard", "auto/3"],
        &[("AWS_BATCH_JOB_ARRAY_INDEX", "5")],
    );
    refused(
        &beyond,
        &["shard 5 (AWS_BATCH_JOB_ARRAY_INDEX=5) is out of range"],
    );
    assert!(!out.exists());

    let parts = small_parts(root, "small", 3, SMALL);
    let (a, b, c) = (&parts[0], &parts[1], &parts[2]);
    let s = |p: &PathBuf| p.display().to_string();
    refused(
        &merge(&out, &[a, c]),
        &["merge: missing shard 1/3 of the run of"],
    );
    refused(
        &merge(&out, &[a, b, c, b]),
        &["shard 1/3 is given twice", &s(b)],
    );
    let other_plan = small_parts(root, "other", 3, &SMALL.replace("seed = 1", "seed = 2"));
    refused(
        &merge(&out, &[a, b, &other_plan[2]]),
        &[
            &format!("{}/manifest.json", s(&other_plan[2])),
            "another plan",
        ],
    );
    let other_split = small_parts(root, "split", 2, SMALL);
    refused(&merge(&out, &[a, b, &other_split[1]]), &["another split"]);
    // The same plan on a changed scenario (one child fewer).
    let changed = root.join("changed");
    let mut scenario = load_scenario(&demo()).expect("demo");
    scenario.cases.pop();
    write_scenario(&changed, &scenario).expect("changed");
    fs::write(changed.join("small.toml"), SMALL).expect("variants");
    let elsewhere = root.join("elsewhere-2");
    let small = changed.join("small.toml");
    let extra = ["--variants", small.to_str().expect("p"), "--shard", "2/3"];
    ok(&whatif(&changed, &elsewhere, &extra, &[]));
    refused(
        &merge(&out, &[a, b, &elsewhere]),
        &[&s(&elsewhere), "another scenario"],
    );
    // Another caseload version; an incomplete part; not a part at all.
    let edit = |part: &Path, from: &str, to: &str| {
        let path = part.join("manifest.json");
        let text = String::from_utf8(read(&path)).expect("UTF-8");
        assert!(text.contains(from), "{from} in {text}");
        fs::write(&path, text.replacen(from, to, 1)).expect("manifest");
    };
    let version = format!("\"caseload_version\": \"{}\"", whatif::VERSION);
    edit(c, &version, "\"caseload_version\": \"0.0.1\"");
    refused(
        &merge(&out, &[a, b, c]),
        &[&s(c), "written by caseload 0.0.1"],
    );
    edit(c, "\"caseload_version\": \"0.0.1\"", &version);
    edit(c, "\"complete\": true", "\"complete\": false");
    refused(
        &merge(&out, &[a, b, c]),
        &["shard 2/3 is incomplete (it did not finish): run that shard again"],
    );
    edit(c, "\"complete\": false", "\"complete\": true");
    refused(
        &merge(&out, &[a, b, &root.join("service")]),
        &["not a part folder"],
    );
    assert!(!out.exists(), "nothing written");
    ok(&merge(&out, &[a, b, c]));
    assert!(out.join("comparison.csv").is_file());
}

/// Every `allocation.csv` under `dir` is valid for the scenario written beside it; how many.
fn check_every_allocation(dir: &Path) -> usize {
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
                let report = check(
                    &scenario,
                    &read_allocation(&path).expect("allocation reads"),
                );
                assert!(report.is_valid(), "{}: {report}", folder.display());
                checked += 1;
            }
        }
    }
    checked
}

#[test]
fn a_failed_shard_says_so_and_is_run_again_then_merged() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path();
    let parts = small_parts(root, "small", 2, SMALL);
    let file = root.join("service/small.toml");
    let variants = ["--variants", file.to_str().expect("path")];
    // Shard 1 cannot write its allocations: `variants` is a file in its part folder.
    let failing = root.join("failing");
    fs::create_dir_all(&failing).expect("folder");
    fs::write(failing.join("variants"), "in the way").expect("obstacle");
    let mut extra = variants.to_vec();
    extra.extend(["--shard", "1/2", "--allocations"]);
    let failed = whatif(&root.join("service"), &failing, &extra, &[]);
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    assert!(
        stderr(&failed).contains("marked incomplete; run this shard again"),
        "{}",
        stderr(&failed)
    );
    let manifest: whatif::Manifest =
        serde_json::from_slice(&read(&failing.join("manifest.json"))).expect("manifest");
    assert!(!manifest.complete && !manifest.failed.is_empty());
    let out = root.join("merged");
    refused(
        &merge(&out, &[&parts[0], &failing]),
        &["shard 1/2 is incomplete", "draws failed on that machine"],
    );
    assert!(!out.exists());
    // Run again once the obstacle is gone; only that shard.
    fs::remove_file(failing.join("variants")).expect("removed");
    ok(&whatif(&root.join("service"), &failing, &extra, &[]));
    assert!(check_every_allocation(&failing.join("variants")) > 0);
    ok(&merge(&out, &[&parts[0], &failing]));
    let single = root.join("single");
    ok(&whatif(&root.join("service"), &single, &variants, &[]));
    same_outputs(&single, &out);
}
