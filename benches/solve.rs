//! Criterion benchmarks on real scenario files: reading, preparing + building the
//! program, and solving, timed apart.

use std::path::Path;

use caseload::model::Instance;
use caseload::solve::{solve, Formulation, SolveOptions};
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

criterion_group!(benches, demo);
criterion_main!(benches);
