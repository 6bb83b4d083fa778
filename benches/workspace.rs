//! The workspace's re-solve after one decision, on a generated 30-team trust (`generate
//! --teams 30 --seed 1`: 232 workers, about 3,970 children, one part per team): what a
//! manager waits for between pressing Re-solve and seeing the page redrawn, less the
//! browser's drawing (`GET /api/proposal` adds about 0.02 s).
//!
//! Each iteration rejects the proposed move of a different child (so the part of one
//! team changes each time, the others come from the part cache), then re-solves: the
//! decision recorded, applied, the instance built, the touched part solved, the outputs
//! rendered and the run recorded. Also measured: a re-solve with nothing changed.
//!
//! `cargo bench --bench workspace`.

use std::path::Path;

use caseload::generate::{generate, GenerateOptions};
use caseload::model::{CaseId, Change, Ruling};
use caseload::record::NewDecision;
use caseload::serve::Workspace;
use caseload::solve::SolveOptions;
use criterion::{criterion_group, criterion_main, Criterion};

fn trust(dir: &Path) {
    let scenario = generate(&GenerateOptions {
        teams: 30,
        seed: 1,
        ..GenerateOptions::default()
    });
    caseload::io::scenario_writer::write_scenario(dir, &scenario).expect("written");
}

fn resolve(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let dir = tmp.path().join("trust");
    trust(&dir);
    let options = SolveOptions {
        threads: Some(2),
        ..SolveOptions::default()
    };
    let workspace = Workspace::open(&dir, &tmp.path().join("record.sqlite"), "bench", options)
        .expect("the first proposal");
    // The moved children of the first proposal, one per team where possible.
    let current = workspace.current();
    let evaluation = &current.solution.evaluation;
    let moved: Vec<String> = current
        .instance
        .cases
        .iter()
        .zip(&evaluation.change)
        .filter(|(_, change)| **change == Change::Moved)
        .map(|(case, _)| case.id.to_string())
        .collect();
    assert!(!moved.is_empty(), "the trust's proposal moves children");
    let mut next = 0;
    let mut group = c.benchmark_group("workspace 30-team trust");
    group.sample_size(10);
    group.bench_function("re-solve after one decision", |b| {
        b.iter(|| {
            let case = &moved[next % moved.len()];
            next += 1;
            let reject = Ruling::Reject {
                case: CaseId::new(case),
                worker: None,
            };
            let decided =
                workspace.decide(&NewDecision::new(reject, "bench", "known to the family"));
            decided.expect("decided");
            workspace.resolve().expect("re-solved")
        })
    });
    group.bench_function("re-solve, nothing changed", |b| {
        b.iter(|| workspace.resolve().expect("re-solved"))
    });
    group.finish();
}

criterion_group!(benches, resolve);
criterion_main!(benches);
