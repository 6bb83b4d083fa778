//! Spreadsheets at the size of a whole trust (`generate --teams 30 --seed 1`: 232
//! workers, 3,974 children):
//! - `read_csv` / `read_xlsx`: the scenario read and validated from its CSV files, and
//!   from one `scenario.xlsx` (the same tables as sheets);
//! - `write_allocation_xlsx`: its `allocation.xlsx` (summary, allocation, loads,
//!   unallocated) built in memory from a solution found once beforehand.
//!
//! `cargo bench --bench xlsx -- --measurement-time 5` for a short run.

use caseload::generate::{generate, GenerateOptions};
use caseload::io::read::load_scenario;
use caseload::io::scenario_writer::write_scenario;
use caseload::io::sheet_writer::scenario_xlsx;
use caseload::model::Instance;
use caseload::report::xlsx::allocation_xlsx;
use caseload::report::{Summary, Timings};
use caseload::solve::{solve, SolveOptions};
use criterion::{criterion_group, criterion_main, Criterion};

fn trust30(c: &mut Criterion) {
    let scenario = generate(&GenerateOptions {
        teams: 30,
        seed: 1,
        ..GenerateOptions::default()
    });
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let (csv_dir, xlsx_dir) = (tmp.path().join("csv"), tmp.path().join("xlsx"));
    write_scenario(&csv_dir, &scenario).expect("CSV written");
    std::fs::create_dir_all(&xlsx_dir).expect("folder");
    let book = scenario_xlsx(&scenario).expect("workbook");
    std::fs::write(xlsx_dir.join("scenario.xlsx"), &book).expect("workbook written");
    assert_eq!(
        load_scenario(&xlsx_dir).expect("reads"),
        load_scenario(&csv_dir).expect("reads")
    );
    eprintln!(
        "trust30: {} workers, {} children; scenario.xlsx {} bytes",
        scenario.workers.len(),
        scenario.cases.len(),
        book.len()
    );

    let instance = Instance::new(&scenario).expect("generated scenarios are valid");
    let options = SolveOptions {
        threads: Some(2),
        mip_gap: 0.01,
        ..SolveOptions::default()
    };
    let solution = solve(&instance, &options).expect("solved");
    let summary = Summary::new(&instance, &solution, Timings::default());

    let mut group = c.benchmark_group("xlsx_trust30");
    group.sample_size(10);
    group.bench_function("read_csv", |b| {
        b.iter(|| load_scenario(&csv_dir).expect("reads"))
    });
    group.bench_function("read_xlsx", |b| {
        b.iter(|| load_scenario(&xlsx_dir).expect("reads"))
    });
    group.bench_function("write_allocation_xlsx", |b| {
        b.iter(|| allocation_xlsx(&instance, &solution, &summary).expect("written"))
    });
    group.finish();
}

criterion_group!(benches, trust30);
criterion_main!(benches);
