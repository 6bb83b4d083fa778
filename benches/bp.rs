//! Branch-and-price against HiGHS, per team, at equal threads (one), in the same run:
//! the shipped scenario `scenarios/demo` and generated 30-team trusts (seeds 1–3).
//!
//! First a table, one row per part (team): both solvers from the same start, each with
//! one thread and the gap 1e-4, their times and the root bounds (HiGHS's LP relaxation,
//! the Dantzig–Wolfe master without and with the floor row). Then criterion times the
//! whole solve (`SolveOptions::threads = 1`: the teams one after another) with
//! `--solver highs` and `--solver bp` on each instance.
//!
//! `cargo bench --bench bp`. `BP_BENCH_SEEDS` (default `1,2,3`) and `BP_BENCH_TEAMS`
//! (default 30) change the generated trusts, `BP_BENCH_TIME_LIMIT` (default 120) each
//! part's time limit in the table, `BP_BENCH_PARTS` (e.g. `3,9,17`) solves only those
//! parts (positions among the parts with columns) in the table; `BP_BENCH_ROOTS=0` skips
//! the root bounds (LP, DW, DW + floor); `BP_BENCH_TABLE_ONLY=1` skips criterion.

use std::time::Duration;

use caseload::generate::{generate, GenerateOptions};
use caseload::model::Instance;
use caseload::solve::{compare_parts, solve, SolveOptions, SolverChoice};
use criterion::{criterion_group, Criterion};

fn env<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The instances: the shipped demo, then the generated trusts.
fn instances() -> Vec<(String, Instance)> {
    let mut out = Vec::new();
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/demo");
    if let Ok(scenario) = caseload::io::read::load_scenario(&demo) {
        if let Ok(instance) = Instance::new(&scenario) {
            out.push(("demo".to_string(), instance));
        }
    }
    let teams: usize = env("BP_BENCH_TEAMS", 30);
    let seeds: String = env("BP_BENCH_SEEDS", "1,2,3".to_string());
    for seed in seeds
        .split(',')
        .filter_map(|s| s.trim().parse::<u64>().ok())
    {
        let scenario = generate(&GenerateOptions {
            teams,
            seed,
            ..GenerateOptions::default()
        });
        let instance = Instance::new(&scenario).expect("a generated scenario is valid");
        out.push((format!("trust{teams}-seed{seed}"), instance));
    }
    out
}

fn fmt(x: Option<f64>) -> String {
    x.map_or("-".into(), |v| format!("{v:.2}"))
}

/// The per-team table, with totals per instance.
fn table(instances: &[(String, Instance)]) {
    println!(
        "instance part workers units | start | lp dw dw+floor | highs: obj bound opt s | bp: obj bound opt s nodes cols"
    );
    for (name, instance) in instances {
        let only: Option<Vec<usize>> = std::env::var("BP_BENCH_PARTS")
            .ok()
            .map(|v| v.split(',').filter_map(|p| p.trim().parse().ok()).collect());
        let reports = compare_parts(
            instance,
            1e-4,
            env("BP_BENCH_TIME_LIMIT", 120.0),
            only.as_deref(),
            env("BP_BENCH_ROOTS", 1u8) != 0,
        );
        let (mut th, mut tb, mut proven_h, mut proven_b, mut closed, mut gaps) =
            (0.0, 0.0, 0, 0, 0.0, 0.0f64);
        for r in &reports {
            let i = r.position;
            let (ho, hb, hopt, hs) = r.highs;
            th += hs;
            proven_h += usize::from(hopt);
            let bp =
                r.bp.map_or("not taken".to_string(), |(o, b, opt, s, n, c)| {
                    tb += s;
                    proven_b += usize::from(opt);
                    format!("{o:.2} {b:.2} {opt} {s:.3} {n} {c}")
                });
            let profile = r.bp_profile.map_or(String::new(), |(m, p, solves, its)| {
                format!(" | master {m:.3} s pricing {p:.3} s solves {solves} iterations {its}")
            });
            if let (Some(lp), Some((_, dwf))) = (r.lp, r.dw) {
                let gap = ho - lp;
                if gap > 1e-6 {
                    gaps += 1.0;
                    closed += ((dwf - lp) / gap).clamp(0.0, 1.0);
                }
            }
            println!(
                "{name} {i} {} {} | {:.2} | {} {} {} | {ho:.2} {hb:.2} {hopt} {hs:.3} | {bp}{profile}",
                r.workers,
                r.units,
                r.start,
                fmt(r.lp),
                fmt(r.dw.map(|d| d.0)),
                fmt(r.dw.map(|d| d.1)),
            );
        }
        println!(
            "{name}: {} parts; HiGHS {th:.2} s ({proven_h} proven), bp {tb:.2} s ({proven_b} proven); \
             ratio HiGHS/bp {:.2}; DW+floor closes {:.0} % of the LP gap on average over the {} parts with one",
            reports.len(),
            th / tb.max(1e-9),
            100.0 * closed / gaps.max(1.0),
            gaps
        );
    }
}

fn whole_solves(c: &mut Criterion) {
    let instances = instances();
    let mut group = c.benchmark_group("bp");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1));
    for (name, instance) in &instances {
        for solver in [SolverChoice::Highs, SolverChoice::Bp] {
            let options = SolveOptions {
                threads: Some(1),
                time_limit_s: Some(300.0),
                solver,
                ..SolveOptions::default()
            };
            group.bench_function(format!("{name}/{}", solver.as_str()), |b| {
                b.iter(|| solve(instance, &options).expect("an allocation"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, whole_solves);

fn main() {
    table(&instances());
    if env("BP_BENCH_TABLE_ONLY", 0u8) == 0 {
        benches();
        Criterion::default().configure_from_args().final_summary();
    }
}
