//! What-if throughput: N variants of a generated 10-team service (random attrition of
//! 0–20 % of staff and referral rises of 0–20 %), solved with 1 job and with 2 jobs.
//!
//! `cargo bench --bench whatif` runs 1,000 variants (the target: ≤ 60 s on 2
//! cores, ≥ 1.8× from 1 to 2 jobs). Set `WHATIF_BENCH_VARIANTS` for fewer, and
//! `WHATIF_BENCH_TIME_LIMIT` (seconds per solve, default 10) and `WHATIF_BENCH_MIP_GAP`
//! (relative gap at which a solve stops, default 1e-4 as `caseload whatif`).

use std::time::Instant;

use caseload::generate::{generate, GenerateOptions};
use caseload::whatif::{run, Demand, Edit, Plan, RunOptions, Selection, Variant};

fn env<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let count: usize = env("WHATIF_BENCH_VARIANTS", 1000);
    let time_limit: f64 = env("WHATIF_BENCH_TIME_LIMIT", 10.0);
    let mip_gap: f64 = env("WHATIF_BENCH_MIP_GAP", 1e-4);
    let base = generate(&GenerateOptions {
        teams: 10,
        seed: 1,
        ..GenerateOptions::default()
    });
    let variants = (0..count)
        .map(|i| {
            let share = (i % 5) as f64 * 0.05;
            let edit = if i % 2 == 0 {
                Edit::RemoveWorkers(Selection::Fraction {
                    fraction: share,
                    team: None,
                })
            } else {
                Edit::AddReferrals {
                    demand: Demand::Rise(share),
                    team: None,
                }
            };
            // A seed of its own per variant, through the plan seed of draw 0.
            let mut v = Variant::new(format!("v{i:04}"), vec![edit]);
            v.draws = 1;
            v
        })
        .collect();
    let plan = Plan {
        time_limit_s: time_limit,
        ..Plan::new(variants)
    };
    println!(
        "whatif bench: {count} variants of a 10-team service ({} workers, {} children), time limit {time_limit} s and gap {mip_gap} per solve",
        base.workers.len(),
        base.cases.len()
    );
    let mut times = Vec::new();
    for jobs in [1, 2] {
        let started = Instant::now();
        let options = RunOptions {
            jobs,
            mip_gap,
            ..RunOptions::default()
        };
        let comparison = run(&base, &plan, &options, &|| {}).expect("run");
        let secs = started.elapsed().as_secs_f64();
        let failed: usize = comparison.rows.iter().map(|r| r.failed()).sum();
        let limited = comparison
            .rows
            .iter()
            .filter(|r| r.status() == caseload::whatif::RowStatus::TimeLimit)
            .count();
        println!("jobs {jobs}: {secs:.1} s ({:.2} s per variant; {failed} failed, {limited} at the time limit)", secs / count as f64);
        times.push(secs);
    }
    println!("speed-up from 1 to 2 jobs: {:.2}x", times[0] / times[1]);
}
