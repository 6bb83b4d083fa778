//! Cross-team quality at a time limit: a generated trust whose children may go to any
//! team's workers (`generate --teams 30 --seed 1 --cross-team`: one part of 232 workers
//! × 3,974 children, 565,000 eligible pairs), solved on two threads with a 30 s limit.
//! Prints the allocation's objective, the bound, the gap, the wall time and the
//! process's peak memory (the target: within 0.1 % of the bound in 30 s, under
//! 1 GiB).
//!
//! `cargo bench --bench cross_team`. `CROSS_TEAM_BENCH_TEAMS` (default 30),
//! `CROSS_TEAM_BENCH_SEED` (default 1) and `CROSS_TEAM_BENCH_TIME_LIMIT` (seconds,
//! default 30) change the instance and the limit.
//!
//! One run, not criterion: the solve takes its whole time limit by design, and what is
//! measured is how good the answer is when it ends.

use std::time::Instant;

use caseload::generate::{generate, GenerateOptions};
use caseload::model::Instance;
use caseload::solve::{solve, SolveOptions};

fn env<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The process's peak resident memory in MB (Linux), if known.
fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let teams: usize = env("CROSS_TEAM_BENCH_TEAMS", 30);
    let seed: u64 = env("CROSS_TEAM_BENCH_SEED", 1);
    let time_limit: f64 = env("CROSS_TEAM_BENCH_TIME_LIMIT", 30.0);
    let scenario = generate(&GenerateOptions {
        teams,
        seed,
        cross_team: true,
        ..GenerateOptions::default()
    });
    let instance = Instance::new(&scenario).expect("a generated scenario is valid");
    let pairs: usize = instance.units.iter().map(|u| u.eligible.len()).sum();
    println!(
        "cross-team bench: {teams} teams, seed {seed} ({} workers, {} children, {pairs} eligible pairs), \
         time limit {time_limit} s, 2 threads",
        instance.workers.len(),
        instance.cases.len()
    );
    let options = SolveOptions {
        time_limit_s: Some(time_limit),
        threads: Some(2),
        ..SolveOptions::default()
    };
    let started = Instant::now();
    let solution = solve(&instance, &options).expect("an allocation");
    let wall = started.elapsed().as_secs_f64();
    let objective = solution.evaluation.objective.total;
    println!(
        "objective {objective:.2}, bound {:.2}, gap {:.2} %, status {}, {wall:.1} s, peak memory {}",
        solution.bound,
        solution.gap * 100.0,
        solution.status.as_str(),
        peak_memory_mb().map_or("unknown".to_string(), |mb| format!("{mb:.0} MB")),
    );
}
