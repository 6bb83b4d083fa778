//! Criterion benchmarks, each stage timed apart:
//! - `demo`: the shipped scenario (2 teams, 16 workers, 256 children) read from its files,
//!   the program built, and solved on one thread;
//! - `trust30`: a generated whole trust (`generate --teams 30 --seed 1`: 232 workers,
//!   3,974 children) prepared (eligibility, units), given its heuristic start, its 30
//!   team programs built, and solved to proven optimality on two threads.

use std::path::Path;
use std::time::{Duration, Instant};

use caseload::generate::{generate, GenerateOptions};
use caseload::model::Instance;
use caseload::solve::{parts, solve, start, Formulation, SolveOptions};
use criterion::{criterion_group, criterion_main, Criterion};

fn demo(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/demo");
    let scenario = caseload::io::read::load_scenario(&dir).expect("demo loads");
    let instance = Instance::new(&scenario).expect("demo is valid");
    let options = SolveOptions {
        threads: Some(1),
        ..SolveOptions::default()
    };

    let mut group = c.benchmark_group("demo");
    group.sample_size(10);
    group.bench_function("read", |b| {
        b.iter(|| caseload::io::read::load_scenario(&dir).expect("demo loads"))
    });
    group.bench_function("build", |b| {
        b.iter(|| Formulation::build(&Instance::new(&scenario).expect("valid")).columns())
    });
    group.bench_function("solve", |b| {
        b.iter(|| solve(&instance, &options).expect("solved"))
    });
    group.finish();
}

fn trust30(c: &mut Criterion) {
    let scenario = generate(&GenerateOptions {
        teams: 30,
        seed: 1,
        ..GenerateOptions::default()
    });
    let instance = Instance::new(&scenario).expect("generated scenarios are valid");
    let options = SolveOptions {
        threads: Some(2),
        ..SolveOptions::default()
    };

    let mut group = c.benchmark_group("trust30");
    group.sample_size(10);
    group.bench_function("prepare", |b| {
        b.iter(|| Instance::new(&scenario).expect("valid"))
    });
    group.bench_function("start", |b| {
        b.iter(|| start::improved_start(&instance, Instant::now() + Duration::from_secs(3)))
    });
    group.bench_function("build", |b| {
        b.iter(|| {
            parts::split(&instance)
                .into_iter()
                .map(|part| Formulation::build_part(&instance, part).columns())
                .sum::<usize>()
        })
    });
    group.bench_function("solve", |b| {
        b.iter(|| {
            let solution = solve(&instance, &options).expect("solved");
            assert_eq!(solution.status, caseload::solve::Status::Optimal);
            solution
        })
    });
    group.finish();
}

criterion_group!(benches, demo, trust30);
criterion_main!(benches);
