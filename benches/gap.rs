//! The Yagiura GAP instances of types C, D and E at a time limit: how far caseload's
//! solver gets from the best known value.
//!
//! `cargo bench --bench gap -- 10 60` solves every `c*`, `d*` and `e*` file of
//! `yagiura/` in the benchmark folder (`$CASELOAD_GAP_DIR`, else
//! `../shared/benchmarks/gap`) at each time limit in seconds (default 10), one at a time
//! with all cores, and prints a Markdown table: instance, m × n, best known, found, gap to
//! best known in %, bound, status. The value found is computed from the assignment.

use std::path::{Path, PathBuf};

use caseload::gap::{parse_known, parse_yagiura, solve_gap, Sense};
use caseload::solve::{SolveOptions, Status};

/// The benchmark folder (`yagiura/`, `known.csv`): `$CASELOAD_GAP_DIR` if set, else
/// `../shared/benchmarks/gap` beside this crate; `None` when it does not exist.
fn benchmarks_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("CASELOAD_GAP_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/benchmarks/gap"),
        PathBuf::from,
    );
    dir.is_dir().then_some(dir)
}

fn main() {
    // `cargo bench` passes `--bench`; only plain numbers are time limits.
    let limits: Vec<f64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let limits = if limits.is_empty() {
        vec![10.0]
    } else {
        limits
    };
    let Some(dir) = benchmarks_dir() else {
        eprintln!("no GAP benchmark folder: set CASELOAD_GAP_DIR");
        std::process::exit(1);
    };
    let known = std::fs::read_to_string(dir.join("known.csv")).unwrap_or_default();
    let known = parse_known(&known);
    let mut names: Vec<String> = std::fs::read_dir(dir.join("yagiura"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.starts_with(['c', 'd', 'e']))
                .collect()
        })
        .unwrap_or_default();
    // By type, then size (agents × jobs), as in the literature.
    names.sort_by_key(|n| {
        let (kind, digits) = n.split_at(1);
        let (m, jobs) = digits.split_at(2);
        (
            kind.to_string(),
            jobs.parse::<u32>().unwrap_or(0),
            m.to_string(),
        )
    });
    for limit in limits {
        println!("\ntime limit {limit} s\n");
        println!(
            "| instance | m × n | best known | found | gap to best % | bound | status | time s |"
        );
        println!("|---|---|---:|---:|---:|---:|---|---:|");
        for name in &names {
            row(
                &dir,
                name,
                known.get(&(name.clone(), Sense::Min)).map(|k| k.best),
                limit,
            );
        }
    }
}

fn row(dir: &std::path::Path, name: &str, best: Option<i64>, limit: f64) {
    let text = match std::fs::read_to_string(dir.join("yagiura").join(name)) {
        Ok(text) => text,
        Err(e) => return println!("| {name} | cannot be read: {e} |"),
    };
    let gap = match parse_yagiura(&text) {
        Ok(gap) => gap,
        Err(e) => return println!("| {name} | {e} |"),
    };
    let options = SolveOptions {
        time_limit_s: Some(limit),
        threads: Some(0),
        ..SolveOptions::default()
    };
    let started = std::time::Instant::now();
    let result = match solve_gap(&gap, Sense::Min, &options) {
        Ok(result) => result,
        Err(e) => return println!("| {name} | {e} |"),
    };
    let elapsed = started.elapsed().as_secs_f64();
    let feasible = result
        .assignment
        .as_ref()
        .is_some_and(|a| gap.is_feasible(a));
    let shown = |v: Option<i64>| v.map_or("–".to_string(), |v| v.to_string());
    let to_best = match (result.value, best) {
        (Some(v), Some(b)) if b != 0 => format!("{:.2}", 100.0 * (v - b) as f64 / b as f64),
        _ => "–".to_string(),
    };
    let status = match (result.status, feasible) {
        (_, false) => "no feasible assignment",
        (Status::Optimal, true) => "optimal",
        (Status::TimeLimit, true) => "time limit",
    };
    println!(
        "| {name} | {} × {} | {} | {} | {to_best} | {:.0} | {status} | {elapsed:.1} |",
        gap.agents(),
        gap.jobs(),
        shown(best),
        shown(result.value),
        result.bound.ceil(),
    );
}
