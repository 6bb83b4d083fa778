//! What-if throughput: N solves of a generated 10-team service — ten variants (random
//! attrition of 0, 5, 10, 15 or 20 % of staff, or referral rises of as much), each drawn
//! N/10 times with a seed per draw — with 1 job and with 2 jobs.
//!
//! `cargo bench --bench whatif` runs 1,000 solves (the target: ≤ 60 s on 2
//! cores, ≥ 1.8× from 1 to 2 jobs). Set `WHATIF_BENCH_VARIANTS` for fewer, and
//! `WHATIF_BENCH_TIME_LIMIT` (seconds per solve, default 10) and `WHATIF_BENCH_MIP_GAP`
//! (relative gap at which a solve stops, default 1e-4 as `caseload whatif`);
//! `WHATIF_BENCH_REUSE=0` solves every team afresh (no reuse of teams a variant left as
//! they were). `WHATIF_BENCH_JOBS=2` measures one number of jobs only.

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
    let reuse_parts = env("WHATIF_BENCH_REUSE", 1) != 0;
    let base = generate(&GenerateOptions {
        teams: 10,
        seed: 1,
        ..GenerateOptions::default()
    });
    // Ten variants (attrition or a referral rise of 0, 5, 10, 15 or 20 %), each drawn
    // `count / 10` times with a seed per draw: `count` solves in all. Draw k of every
    // variant has seed k, as in `caseload whatif`, so the 0 % variants repeat the base
    // scenario and the others differ from draw to draw.
    let draws = (count / 10).max(1) as u32;
    let variants = (0..10)
        .map(|i| {
            let share = (i % 5) as f64 * 0.05;
            let (name, edit) = if i < 5 {
                let selection = Selection::Fraction {
                    fraction: share,
                    team: None,
                };
                ("attrition", Edit::RemoveWorkers(selection))
            } else {
                let demand = Demand::Rise(share);
                ("referrals", Edit::AddReferrals { demand, team: None })
            };
            let mut v = Variant::new(format!("{name} {share:.2}"), vec![edit]);
            v.draws = draws;
            v
        })
        .collect();
    let plan = Plan {
        time_limit_s: time_limit,
        ..Plan::new(variants)
    };
    let count = 10 * draws as usize;
    println!(
        "whatif bench: {count} solves (10 variants × {draws} draws) of a 10-team service ({} workers, {} children), time limit {time_limit} s and gap {mip_gap} per solve",
        base.workers.len(),
        base.cases.len()
    );
    let jobs_list: Vec<usize> = match std::env::var("WHATIF_BENCH_JOBS") {
        Ok(jobs) => vec![jobs.parse().expect("WHATIF_BENCH_JOBS: a number of jobs")],
        Err(_) => vec![1, 2],
    };
    let mut times = Vec::new();
    for jobs in jobs_list {
        let started = Instant::now();
        let options = RunOptions {
            jobs,
            mip_gap,
            reuse_parts,
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
        println!(
            "jobs {jobs}: {secs:.1} s ({:.3} s per solve; {failed} failed, {limited} at the time limit; {} of {} team solves reused)",
            secs / count as f64,
            comparison.parts.reused,
            comparison.parts.solved
        );
        times.push(secs);
    }
    if let [one, two] = times[..] {
        println!("speed-up from 1 to 2 jobs: {:.2}x", one / two);
    }
}
