//! The time limit on large inputs (issue 16): the real `caseload allocate` on the demo's
//! workers with its cases repeated 40, 80 and 195 times (10,240, 20,480 and 49,920
//! children) and on the cross-team 30-team trust, at `--time-limit` 1 and 2 s. Prints
//! each run's wall-clock time, how far past the limit it ended against the promise
//! (within max(10 %, 0.3 s)), the status, and whether `caseload check` passes the
//! allocation.
//!
//! `cargo bench --bench deadline`. `DEADLINE_BENCH_LIMITS` (default `1,2`) changes the
//! limits.
//!
//! One run each, not criterion: what is measured is when the command ends.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use caseload::generate::{generate, GenerateOptions};
use caseload::io::read::load_scenario;
use caseload::io::scenario_writer::write_scenario;
use caseload::model::{CaseId, Scenario};

fn repeated_demo(times: usize) -> Scenario {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/demo");
    let mut scenario = load_scenario(&demo).expect("demo loads");
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

fn run(bin: &str, args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(bin)
        .args(args)
        .output()
        .expect("caseload runs")
}

fn main() {
    let bin = env!("CARGO_BIN_EXE_caseload");
    let limits: Vec<f64> = std::env::var("DEADLINE_BENCH_LIMITS")
        .unwrap_or_else(|_| "1,2".to_string())
        .split(',')
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut inputs = Vec::new();
    for times in [40, 80, 195] {
        let dir = tmp.path().join(format!("demo-x{times}"));
        write_scenario(&dir, &repeated_demo(times)).expect("written");
        inputs.push((format!("demo × {times} ({} children)", times * 256), dir));
    }
    let trust = generate(&GenerateOptions {
        teams: 30,
        seed: 1,
        cross_team: true,
        ..GenerateOptions::default()
    });
    let dir = tmp.path().join("trust");
    write_scenario(&dir, &trust).expect("written");
    inputs.push(("cross-team 30-team trust".to_string(), dir));
    println!("input, --time-limit, wall s, over the limit s (allowed), status, check");
    for (name, dir) in &inputs {
        for &limit in &limits {
            let out = tmp.path().join("out");
            let limit_text = limit.to_string();
            let started = Instant::now();
            let done = run(
                bin,
                &[
                    "allocate".as_ref(),
                    dir.as_os_str(),
                    "--out".as_ref(),
                    out.as_os_str(),
                    "--time-limit".as_ref(),
                    limit_text.as_ref(),
                    "-q".as_ref(),
                ],
            );
            let wall = started.elapsed().as_secs_f64();
            assert!(
                done.status.success(),
                "{}",
                String::from_utf8_lossy(&done.stderr)
            );
            let summary = std::fs::read_to_string(out.join("summary.json")).expect("summary");
            let status = if summary.contains("\"optimal\"") {
                "optimal"
            } else {
                "time_limit"
            };
            let checked = run(
                bin,
                &[
                    "check".as_ref(),
                    dir.as_os_str(),
                    "--allocation".as_ref(),
                    out.join("allocation.csv").as_os_str(),
                ],
            );
            let allowed = (0.1 * limit).max(0.3);
            println!(
                "{name}, {limit}, {wall:.2}, {:+.2} ({allowed:.1}), {status}, {}",
                wall - limit,
                if checked.status.success() {
                    "valid"
                } else {
                    "INVALID"
                }
            );
        }
    }
}
