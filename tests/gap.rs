//! The Generalized Assignment Problem on caseload's solver: OR-Library gap1–gap12 solved
//! to optimality must give the published optimal values, and every assignment must pass
//! the independent checker. The instances and their optima are fixtures in
//! `tests/fixtures/gap` (see its README).
//!
//! All 60 maximisation optima take about 22 s in release on 2 cores, so the default suite
//! pins the first problem of each file (12, every size) and the minimisation subset; run
//! all 60 with `cargo test --release --test tests gap:: -- --ignored`.

use std::path::{Path, PathBuf};

use caseload::check::{check, AllocationRow};
use caseload::gap::{parse_known, parse_orlib, solve_gap, Sense};
use caseload::solve::{SolveOptions, Status};

use crate::util::assert_close;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gap")
}

/// Solves every problem of `orlib/gapK.txt` for each K in `files` and compares it with
/// `known.csv`; returns how many were compared.
fn pin(dir: &Path, files: &[u32], sense: Sense, problems: &[usize]) -> usize {
    let known = std::fs::read_to_string(dir.join("known.csv")).expect("known.csv");
    let known = parse_known(&known);
    let options = SolveOptions {
        mip_gap: 0.0,
        time_limit_s: Some(60.0),
        threads: Some(1),
        ..SolveOptions::default()
    };
    let mut compared = 0;
    for &k in files {
        let text = std::fs::read_to_string(dir.join(format!("orlib/gap{k}.txt"))).expect("file");
        let gaps = parse_orlib(&text).expect("a valid OR-Library file");
        for &q in problems {
            let name = format!("gap{k}-{q}");
            let best = known[&(name.clone(), sense)];
            let result = solve_gap(&gaps[q - 1], sense, &options).expect("solved");
            assert_eq!(result.status, Status::Optimal, "{name}");
            assert_eq!(result.value, Some(best.best), "{name} ({sense:?})");
            let assignment = result.assignment.as_ref().expect("every job assigned");
            assert!(gaps[q - 1].is_feasible(assignment), "{name}");
            let rows: Vec<AllocationRow> = result
                .rows
                .iter()
                .map(|(case, worker)| AllocationRow {
                    line: 0,
                    case: case.clone(),
                    worker: worker.clone(),
                    change: None,
                })
                .collect();
            let report = check(&result.scenario, &rows);
            assert!(report.is_valid(), "{name}: {report}");
            assert_close(report.objective.unallocated, 0.0, &name);
            compared += 1;
        }
    }
    compared
}

#[test]
fn gap1_to_gap12_first_problem_maximisation_optima() {
    let dir = fixtures();
    let files: Vec<u32> = (1..=12).collect();
    assert_eq!(pin(&dir, &files, Sense::Max, &[1]), 12);
}

#[test]
#[ignore = "22 s: all 60 gap1–gap12 problems (run with --ignored)"]
fn gap1_to_gap12_all_60_maximisation_optima() {
    let dir = fixtures();
    let files: Vec<u32> = (1..=12).collect();
    assert_eq!(pin(&dir, &files, Sense::Max, &[1, 2, 3, 4, 5]), 60);
}

#[test]
fn some_minimisation_optima() {
    let dir = fixtures();
    assert_eq!(pin(&dir, &[1, 6, 12], Sense::Min, &[1, 5]), 6);
}
