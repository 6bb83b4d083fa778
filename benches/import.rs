//! `caseload import annex-a` at the size of a large authority: an Annex A workbook with
//! lists 6, 7 and 8 of 4,000, 600 and 900 rows (a quarter of list 6 closed, every child
//! of lists 7 and 8 also on list 6), 240 workers in 30 teams; the import read, built,
//! validated and its report written in memory.
//!
//! `cargo bench --bench import -- --measurement-time 5` for a short run.

use caseload::import::{import_annex_a, ImportConfig};
use criterion::{criterion_group, criterion_main, Criterion};
use rust_xlsxwriter::Workbook;

fn workbook(path: &std::path::Path) {
    let mut book = Workbook::new();
    let lists: [(&str, &str, usize); 3] = [
        ("List 6", "CIN Closure Date", 4000),
        ("List 7", "Child Protection Plan End Date", 600),
        ("List 8 - CLA", "Date Ceased to be Looked After", 900),
    ];
    for (name, closure, rows) in lists {
        let sheet = book.add_worksheet();
        sheet.set_name(name).expect("a sheet name");
        let header = [
            "Child Unique ID",
            "Gender",
            "Ethnicity",
            closure,
            "Allocated Team",
            "Allocated Worker",
        ];
        for (c, h) in header.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).expect("a cell");
        }
        for r in 0..rows {
            let row = r as u32 + 1;
            let team = r % 30;
            let worker = (r / 30) % 8;
            sheet
                .write_string(row, 0, format!("C{r:05}"))
                .expect("a cell");
            sheet.write_string(row, 1, "a) Male").expect("a cell");
            sheet.write_string(row, 2, "a) WBRI").expect("a cell");
            if name == "List 6" && r % 4 == 3 {
                sheet.write_number(row, 3, 45_500.0).expect("a cell");
            }
            sheet
                .write_string(row, 4, format!("Team {team}"))
                .expect("a cell");
            sheet
                .write_string(row, 5, format!("Worker {team}-{worker}"))
                .expect("a cell");
        }
    }
    book.save(path).expect("the workbook written");
}

fn large_authority(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let path = tmp.path().join("annex-a.xlsx");
    workbook(&path);
    let config = ImportConfig::parse("import.toml", "as_at = \"2025-06-30\"\n").expect("a config");
    let imported = import_annex_a(&path, &config, None).expect("imports");
    eprintln!(
        "annex-a: {} bytes, {} cases, {} workers",
        std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
        imported.scenario.cases.len(),
        imported.scenario.workers.len()
    );
    c.bench_function("import_annex_a_large", |b| {
        b.iter(|| import_annex_a(&path, &config, None).expect("imports"))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = large_authority
}
criterion_main!(benches);
