//! The cost of stability (issue 23): a re-solve after a manager's reject, without and
//! with the previous proposal to keep close to (the stable stage), in the same run.
//!
//! Each instance is solved once; the first proposed move (by case id) is rejected (the
//! child stays with its worker) and the re-solve is timed; then the first move of that
//! re-solve's (stable) proposal is rejected too and the second re-solve timed, keeping
//! close to the first re-solve's proposal, as a manager's second overrule does:
//! - **cold**: the whole instance solved again (`allocate` on a new day's inputs);
//! - **warm**: with the part cache of the first solve, as the workspace re-solves (teams
//!   the decision leaves alone are answered from the cache).
//!
//! First a table, one row per instance and mode: seconds without and with the previous
//! proposal, their ratio, and the children changed from the previous proposal without
//! and with (the stable stage's point). Then criterion times the cold re-solve of the
//! shipped demo both ways.
//!
//! `cargo bench --bench stable`. `STABLE_BENCH_TEAMS` (default 30) and
//! `STABLE_BENCH_SEED` (default 1) choose the generated trust, `STABLE_BENCH_REPEATS`
//! (default 3) how many times each row is timed (the median is shown);
//! `STABLE_BENCH_TABLE_ONLY=1` skips criterion.

use std::sync::Arc;
use std::time::{Duration, Instant};

use caseload::generate::{generate, GenerateOptions};
use caseload::model::{Change, Decision, Instance, Previous, Ruling, Scenario};
use caseload::solve::{solve, solve_with_cache, PartCache, Solution, SolveOptions};
use criterion::{criterion_group, Criterion};

fn env<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The shipped scenarios and a generated trust.
fn scenarios() -> Vec<(String, Scenario)> {
    let mut out = Vec::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for name in ["demo", "demo-xlsx"] {
        if let Ok(scenario) = caseload::io::read::load_scenario(&root.join(name)) {
            out.push((name.to_string(), scenario));
        }
    }
    let teams: usize = env("STABLE_BENCH_TEAMS", 30);
    let seed: u64 = env("STABLE_BENCH_SEED", 1);
    let trust = generate(&GenerateOptions {
        teams,
        seed,
        ..GenerateOptions::default()
    });
    out.push((format!("trust{teams}-seed{seed}"), trust));
    out
}

/// The scenario with decision `id` rejecting the first proposed discretionary move (by
/// case id) of `proposal`.
fn with_a_reject(
    scenario: &Scenario,
    instance: &Instance,
    proposal: &Solution,
    id: i64,
) -> Scenario {
    let eval = &proposal.evaluation;
    let c = (0..instance.cases.len())
        .find(|&c| eval.change[c] == Change::Moved)
        .expect("the proposal moves a child");
    let case = &instance.cases[c];
    let decision = Decision {
        id,
        at: "2026-12-07T09:00:00Z".into(),
        by: "bench".into(),
        note: "known to the family".into(),
        ruling: Ruling::Reject {
            case: case.id.clone(),
            worker: case.current_worker.clone(),
        },
    };
    caseload::validate::apply_decisions(scenario, &[decision]).0
}

fn options() -> SolveOptions {
    SolveOptions {
        time_limit_s: Some(600.0),
        threads: Some(2),
        ..SolveOptions::default()
    }
}

/// One re-solve: the instance before the reject (whose answers warm the cache), the
/// instance after it, and the proposal the manager was looking at.
struct Case {
    name: String,
    first_instance: Instance,
    instance: Instance,
    previous: Arc<Previous>,
}

/// An instance's two successive re-solves.
fn prepare(name: &str, scenario: Scenario) -> [Case; 2] {
    let first_instance = Instance::new(&scenario).expect("valid");
    let first = solve(&first_instance, &options()).expect("solves");
    let once = with_a_reject(&scenario, &first_instance, &first, 1);
    let instance = Instance::new(&once).expect("valid");
    let previous = Arc::new(Previous::of_allocation(&first_instance, &first.allocation));
    let mut stable = options();
    stable.previous = Some(Arc::clone(&previous));
    let second = solve(&instance, &stable).expect("solves");
    let twice = with_a_reject(&once, &instance, &second, 2);
    let second_case = Case {
        name: format!("{name} 2nd"),
        first_instance: instance.clone(),
        instance: Instance::new(&twice).expect("valid"),
        previous: Arc::new(Previous::of_allocation(&instance, &second.allocation)),
    };
    let first_case = Case {
        name: format!("{name} 1st"),
        first_instance,
        instance,
        previous,
    };
    [first_case, second_case]
}

/// Seconds and children changed of one re-solve.
fn resolve(case: &Case, stable: bool, warm: bool) -> (Duration, usize) {
    let cache = PartCache::new();
    let mut options = options();
    if warm {
        solve_with_cache(&case.first_instance, &options, Some(&cache)).expect("solves");
    }
    if stable {
        options.previous = Some(Arc::clone(&case.previous));
    }
    let started = Instant::now();
    let solution =
        solve_with_cache(&case.instance, &options, warm.then_some(&cache)).expect("solves");
    let took = started.elapsed();
    let changed = case
        .previous
        .on(&case.instance)
        .changed_by(&case.instance, &solution.allocation);
    (took, changed)
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn table(cases: &[Case]) {
    let repeats: usize = env("STABLE_BENCH_REPEATS", 3);
    println!(
        "{:<22} {:<5} {:>10} {:>10} {:>7} {:>9} {:>9}",
        "instance", "mode", "plain s", "stable s", "ratio", "changed", "stable"
    );
    for case in cases {
        for warm in [false, true] {
            let mut times = [Vec::new(), Vec::new()];
            let mut changed = [0, 0];
            for _ in 0..repeats {
                for (i, stable) in [false, true].into_iter().enumerate() {
                    let (took, n) = resolve(case, stable, warm);
                    times[i].push(took);
                    changed[i] = n;
                }
            }
            let [plain, stable] = times.map(median);
            println!(
                "{:<22} {:<5} {:>10.3} {:>10.3} {:>7.2} {:>9} {:>9}",
                case.name,
                if warm { "warm" } else { "cold" },
                plain.as_secs_f64(),
                stable.as_secs_f64(),
                stable.as_secs_f64() / plain.as_secs_f64(),
                changed[0],
                changed[1],
            );
        }
    }
}

fn bench(c: &mut Criterion) {
    let cases: Vec<Case> = scenarios()
        .into_iter()
        .flat_map(|(name, scenario)| prepare(&name, scenario))
        .collect();
    table(&cases);
    if env("STABLE_BENCH_TABLE_ONLY", 0) == 1 {
        return;
    }
    let demo = &cases[0];
    let mut group = c.benchmark_group(format!("stable/{}", demo.name));
    group.sample_size(20);
    group.bench_function("re-solve", |b| b.iter(|| resolve(demo, false, false)));
    group.bench_function("stable re-solve", |b| b.iter(|| resolve(demo, true, false)));
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
