//! Spreadsheets in and out (README, "Spreadsheets"): scenario tables read from `.xlsx`
//! with every problem at its sheet and cell, the shipped demo as a workbook solving to
//! the same allocation byte for byte, `allocation.xlsx` and `comparison.xlsx` read back,
//! and a workbook saved by LibreOffice.

use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Reader, Xlsx};
use rust_xlsxwriter::{Format, Workbook, Worksheet};

use caseload::io::read::load_scenario;
use caseload::io::sheet_writer::scenario_xlsx;
use caseload::io::workbook::read_decisions;
use caseload::{Error, InputErrors};

use crate::util::{allocate, caseload, demo, stderr};

/// Where a test's workbooks go.
fn folder() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    std::fs::create_dir_all(&dir).unwrap();
    (tmp, dir)
}

/// Writes a workbook of one sheet `name` whose cells `fill` writes.
fn book(path: &Path, name: &str, fill: impl FnOnce(&mut Worksheet)) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(name).unwrap();
    fill(sheet);
    book.save(path).unwrap();
}

/// Writes rows of text cells from row `first` (0-based) on.
fn rows(sheet: &mut Worksheet, first: u32, rows: &[&[&str]]) {
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                sheet
                    .write_string(first + r as u32, c as u16, *text)
                    .unwrap();
            }
        }
    }
}

fn errors_of(dir: &Path) -> InputErrors {
    match load_scenario(dir) {
        Err(Error::InvalidInput(errors)) => errors,
        Err(other) => panic!("expected invalid input, got {other}"),
        Ok(s) => panic!("expected invalid input, got {s:?}"),
    }
}

/// Each error as `file: location [code]`, the file relative to `dir`.
fn located(dir: &Path, errors: &InputErrors) -> Vec<String> {
    let prefix = format!("{}/", dir.display());
    errors
        .0
        .iter()
        .map(|e| {
            let file = e.file.strip_prefix(&prefix).unwrap_or(&e.file);
            let at = e.cell.as_deref().unwrap_or_default();
            format!("{file}: {at}: {} [{}]", e.column, e.code)
        })
        .collect()
}

/// The demo as one `scenario.xlsx` in a folder of its own.
fn demo_workbook(dir: &Path) {
    let scenario = load_scenario(&demo()).unwrap();
    std::fs::write(dir.join("scenario.xlsx"), scenario_xlsx(&scenario).unwrap()).unwrap();
}

#[test]
fn the_demo_as_a_workbook_solves_to_the_same_allocation_byte_for_byte() {
    let (tmp, dir) = folder();
    demo_workbook(&dir);
    assert_eq!(
        load_scenario(&dir).unwrap(),
        load_scenario(&demo()).unwrap()
    );
    let (from_csv, from_xlsx) = (tmp.path().join("csv"), tmp.path().join("xlsx"));
    let out = allocate(&demo(), &from_csv, &["--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = allocate(&dir, &from_xlsx, &["--quiet", "--xlsx"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for file in ["allocation.csv", "loads.csv"] {
        let a = std::fs::read(from_csv.join(file)).unwrap();
        let b = std::fs::read(from_xlsx.join(file)).unwrap();
        assert!(a == b, "{file} differs");
    }
    assert!(from_xlsx.join("allocation.xlsx").exists());
    assert!(
        !from_csv.join("allocation.xlsx").exists(),
        "only with --xlsx"
    );
    let check = caseload([
        "check".as_ref(),
        dir.as_os_str(),
        "--allocation".as_ref(),
        from_xlsx.join("allocation.csv").as_os_str(),
    ]);
    assert!(check.status.success(), "{}", stderr(&check));
}

#[test]
fn the_shipped_demo_workbook_is_the_demo_made_by_our_own_code() {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/demo-xlsx");
    let scenario = load_scenario(&demo()).unwrap();
    assert_eq!(load_scenario(&shipped).unwrap(), scenario);
    let bytes = std::fs::read(shipped.join("scenario.xlsx")).unwrap();
    assert!(
        bytes == scenario_xlsx(&scenario).unwrap(),
        "scenarios/demo-xlsx/scenario.xlsx is out of date: see its README"
    );
}

#[test]
fn cells_are_read_as_a_spreadsheet_holds_them() {
    let (_tmp, dir) = folder();
    book(&dir.join("workers.xlsx"), "Staff", |s| {
        // A title row above is not allowed: the header is the first row with a value,
        // here row 3 (rows 1 and 2 are empty), starting in column B.
        rows(s, 2, &[&["", "ID", "Team", "available", "fte"]]);
        s.write_number(3, 1, 7.0).unwrap(); // a number id reads "7"
        s.write_string(3, 2, " A ").unwrap();
        s.write_boolean(3, 3, true).unwrap();
        s.write_string(3, 4, "0.5").unwrap(); // a number stored as text
        s.write_string(4, 1, "W2").unwrap();
        s.write_boolean(4, 3, false).unwrap();
        s.write_formula(4, 4, "=1/2").unwrap();
        s.set_formula_result(4, 4, "0.5");
        s.set_column_hidden(2).unwrap(); // hidden, still read
        s.write_string(4, 2, "A").unwrap();
        // Trailing rows formatted but empty.
        let bold = Format::new().set_bold();
        s.write_blank(9, 1, &bold).unwrap();
        s.write_string(10, 2, "").unwrap();
    });
    book(&dir.join("cases.xlsx"), "cases", |s| {
        // A merged header cell: only its first cell names a column.
        s.merge_range(0, 0, 0, 1, "id", &Format::new()).unwrap();
        rows(
            s,
            0,
            &[&["", "", "weight", "current_worker", "pinned", "opened"]],
        );
        s.write_number(1, 0, 101.0).unwrap();
        s.write_string(1, 1, "ignored: no header").unwrap();
        s.write_number(1, 2, 2.0).unwrap();
        s.write_number(1, 3, 7.0).unwrap();
        s.write_boolean(1, 4, true).unwrap();
        // A date in a column caseload does not read is no problem.
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 3, 1).unwrap();
        let as_date = Format::new().set_num_format("yyyy-mm-dd");
        s.write_datetime_with_format(1, 5, &date, &as_date).unwrap();
        s.write_string(2, 0, "C2").unwrap();
    });
    let scenario = load_scenario(&dir).unwrap();
    let w = &scenario.workers;
    assert_eq!(
        (
            w[0].id.as_str(),
            w[0].team.as_str(),
            w[0].available,
            w[0].fte
        ),
        ("7", "A", true, 0.5)
    );
    assert_eq!(
        (w[1].id.as_str(), w[1].fte, w[1].available),
        ("W2", 0.5, false)
    );
    assert_eq!(w.len(), 2, "empty rows are skipped");
    let c = &scenario.cases;
    assert_eq!(c.len(), 2);
    assert_eq!(
        (c[0].id.as_str(), c[0].weight, c[0].pinned),
        ("101", 2.0, true)
    );
    assert_eq!(c[0].current_worker.as_ref().map(|w| w.as_str()), Some("7"));
    assert_eq!(
        (c[1].id.as_str(), c[1].weight, c[1].priority),
        ("C2", 1.0, 3)
    );
}

#[test]
fn every_problem_is_located_at_its_sheet_and_cell() {
    let (_tmp, dir) = folder();
    book(&dir.join("workers.xlsx"), "workers", |s| {
        rows(s, 0, &[&["id", "fte"], &["W1", "1"], &["W1", "0"]]);
    });
    book(&dir.join("cases.xlsx"), "cases", |s| {
        rows(
            s,
            0,
            &[
                &["id", "team", "priority", "weight", "current_worker"],
                &["C1", "", "9", "abc", "W9"],
                &["C2", "", "", "-1", ""],
            ],
        );
        // A date where a number is expected: one problem at its cell, not two.
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 1, 3).unwrap();
        let as_date = Format::new().set_num_format("d-mmm");
        s.write_datetime_with_format(11, 3, &date, &as_date)
            .unwrap();
        s.write_string(11, 0, "C12").unwrap();
    });
    let errors = errors_of(&dir);
    assert_eq!(
        located(&dir, &errors),
        [
            "workers.xlsx: workers!A3: id [E-DUPLICATE-ID]",
            "workers.xlsx: workers!B3: fte [E-RANGE]",
            "cases.xlsx: cases!D2: weight [E-PARSE]",
            "cases.xlsx: cases!C2: priority [E-RANGE]",
            "cases.xlsx: cases!E2: current_worker [E-UNKNOWN-WORKER]",
            "cases.xlsx: cases!D3: weight [E-RANGE]",
            "cases.xlsx: cases!D12: weight [E-PARSE]",
        ]
    );
    let shown = errors.to_string();
    let dir_shown = dir.display();
    assert!(
        shown.contains(&format!(
            "{dir_shown}/cases.xlsx: cases!D3: weight: must be a number from 0.001 to 1,000, got -1 [E-RANGE]"
        )),
        "{shown}"
    );
    assert!(
        shown.contains("cases!D12: weight: holds a date or time (2024-01-03)"),
        "{shown}"
    );
}

#[test]
fn a_sheet_without_header_an_empty_sheet_and_a_table_given_twice_are_errors() {
    let (_tmp, dir) = folder();
    book(&dir.join("workers.xlsx"), "workers", |s| {
        rows(s, 0, &[&["W1", "Ada"], &["W2", "Bob"]]);
    });
    book(&dir.join("cases.xlsx"), "cases", |_| {});
    std::fs::write(dir.join("cases.csv"), "id\nC1\n").unwrap();
    let errors = errors_of(&dir);
    assert_eq!(
        located(&dir, &errors),
        [
            "workers.xlsx: workers!1:1: id [E-MISSING-COLUMN]",
            "cases.csv: :  [E-DUPLICATE-FILE]",
        ]
    );
    assert!(errors.0[1].message.contains("cases.xlsx"), "{errors}");

    std::fs::remove_file(dir.join("cases.csv")).unwrap();
    let errors = errors_of(&dir);
    assert_eq!(errors.0[1].code, "E-MISSING-COLUMN", "{errors}");
    assert!(errors.0[1].message.starts_with("no header row"), "{errors}");
}

#[test]
fn an_unreadable_scenario_workbook_is_the_one_error_reported() {
    let (_tmp, dir) = folder();
    std::fs::write(
        dir.join("scenario.xlsx"),
        b"PK\x03\x04 not really a workbook",
    )
    .unwrap();
    let errors = errors_of(&dir);
    assert_eq!(errors.0.len(), 1, "{errors}");
    assert!(errors.0[0].file.ends_with("scenario.xlsx"), "{errors}");
    assert!(
        errors.0[0]
            .message
            .contains("cannot be read as an .xlsx workbook"),
        "{errors}"
    );
}

#[test]
fn a_scenario_workbook_reads_its_policy_sheet_through_the_policy_rules() {
    let (_tmp, dir) = folder();
    let write = |policy: &[&[&str]]| {
        let mut book = Workbook::new();
        for (name, table) in [
            ("workers", &[&["id"][..], &["W1"]][..]),
            ("cases", &[&["id"][..], &["C1"]][..]),
            ("policy", policy),
        ] {
            let sheet = book.add_worksheet();
            sheet.set_name(name).unwrap();
            rows(sheet, 0, table);
        }
        book.save(dir.join("scenario.xlsx")).unwrap();
    };
    write(&[
        &["key", "value"],
        &["capacity", "soft"],
        &["weights.move", "7"],
        &["bands", "[{from = 0.5, cost = 2}, {from = 1, cost = 9}]"],
        &["cross_team", "TRUE"],
    ]);
    let p = load_scenario(&dir).unwrap().policy;
    assert_eq!(p.capacity, caseload::model::CapacityMode::Soft);
    assert_eq!(
        (p.weights.move_, p.bands.len(), p.bands[1].cost),
        (7.0, 2, 9.0)
    );
    assert!(p.cross_team, "TRUE typed as text is a boolean");

    write(&[
        &["key", "value"],
        &["threads", "-1"],
        &["colour", "red"],
        &[],
        &["bands", "[{from = 0.9, cost = 2}, {from = 0.5, cost = 1}]"],
    ]);
    let errors = errors_of(&dir);
    assert_eq!(
        located(&dir, &errors),
        [
            "scenario.xlsx: policy!B2: threads [E-RANGE]",
            "scenario.xlsx: policy!A3: colour [E-UNKNOWN-KEY]",
            "scenario.xlsx: policy!B5: bands[1].from [E-BANDS]",
            "scenario.xlsx: policy!B5: bands[1].cost [E-BANDS]",
        ]
    );
    std::fs::write(dir.join("policy.toml"), "threads = 1\n").unwrap();
    let errors = errors_of(&dir);
    assert_eq!(errors.0[0].code, "E-DUPLICATE-FILE", "{errors}");
}

/// A cell as the CSV files write it.
fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(x) if x.fract() == 0.0 => format!("{}", *x as i64),
        Data::Float(x) => x.to_string(),
        other => other.to_string(),
    }
}

/// The rows of a sheet as text.
fn sheet_rows(book: &mut Xlsx<std::io::BufReader<std::fs::File>>, name: &str) -> Vec<Vec<String>> {
    let range = book.worksheet_range(name).unwrap();
    range.rows().map(|r| r.iter().map(text).collect()).collect()
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn allocation_xlsx_holds_the_csv_rows_coloured_loads_and_the_same_bytes_on_rerun() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for out in [&a, &b] {
        let run = allocate(&demo(), out, &["--quiet", "--xlsx"]);
        assert!(run.status.success(), "{}", stderr(&run));
    }
    let bytes = std::fs::read(a.join("allocation.xlsx")).unwrap();
    assert!(
        bytes == std::fs::read(b.join("allocation.xlsx")).unwrap(),
        "rerun differs"
    );

    let mut book: Xlsx<_> = open_workbook(a.join("allocation.xlsx")).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["summary", "allocation", "loads", "unallocated"]
    );
    let allocation = sheet_rows(&mut book, "allocation");
    let csv = csv_rows(&a.join("allocation.csv"));
    assert_eq!(allocation.len(), csv.len());
    for (sheet_row, csv_row) in allocation.iter().zip(&csv) {
        assert_eq!(&sheet_row[..6], &csv_row[..]);
    }
    assert_eq!(allocation[0][5], "previous_proposal");
    assert_eq!(allocation[0][6], "decision");
    assert_eq!(allocation[0][7], "note", "the reason beside the decision");
    assert!(allocation[1..]
        .iter()
        .all(|r| r[6].is_empty() && r[7].is_empty()));

    let loads = sheet_rows(&mut book, "loads");
    let csv = csv_rows(&a.join("loads.csv"));
    assert_eq!(loads.len(), csv.len());
    for (sheet_row, csv_row) in loads.iter().zip(&csv) {
        assert_eq!(sheet_row.len(), 10);
        for (x, y) in sheet_row.iter().zip(csv_row) {
            // Numbers as numbers: `1.0000` in the CSV is the number 1.
            match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{sheet_row:?} {csv_row:?}"),
                _ => assert_eq!(x, y),
            }
        }
    }
    // Every utilisation cell is filled with its band's colour, named beside it.
    let styles = book.worksheet_style("loads").unwrap();
    let (first_row, _) = book.worksheet_range("loads").unwrap().start().unwrap();
    let mut bands_seen = std::collections::BTreeSet::new();
    for (i, row) in loads.iter().enumerate().skip(1) {
        let at = (first_row + i as u32, 5);
        let fill = styles
            .get(at)
            .and_then(|s| s.fill.as_ref())
            .and_then(|f| f.get_color())
            .map(|c| (c.red, c.green, c.blue));
        let expected = match row[9].as_str() {
            "green" => (0xC6, 0xEF, 0xCE),
            "amber" => (0xFF, 0xEB, 0x9C),
            "red" => (0xFF, 0xC7, 0xCE),
            "unavailable" => {
                assert_eq!(fill, None, "row {i}: {row:?}");
                continue;
            }
            other => panic!("band {other}"),
        };
        assert_eq!(fill, Some(expected), "row {i}: {row:?}");
        bands_seen.insert(row[9].clone());
    }
    assert!(bands_seen.len() >= 2, "{bands_seen:?}");

    let summary = sheet_rows(&mut book, "summary");
    assert_eq!(summary[1], ["status", "optimal"]);
    let json = crate::util::summary(&a);
    let cases = summary.iter().find(|r| r[0] == "cases").unwrap();
    assert_eq!(cases[1], json["cases"]["total"].to_string());

    // Most urgent first: priority, then weight, both highest first, then id.
    let left = sheet_rows(&mut book, "unallocated");
    assert_eq!(left[0][..3], ["case_id", "priority", "weight"]);
    let keys: Vec<(i64, f64, String)> = left[1..]
        .iter()
        .map(|r| {
            (
                -r[1].parse::<i64>().unwrap(),
                -r[2].parse::<f64>().unwrap(),
                r[0].clone(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|x, y| x.partial_cmp(y).unwrap());
    assert_eq!(keys, sorted);
    let unallocated = json["cases"]["unallocated"].as_u64().unwrap() as usize;
    assert_eq!(left.len() - 1, unallocated);

    // The decision column reads back with its cells, for `decide --from`.
    let decisions = read_decisions(&a.join("allocation.xlsx")).unwrap();
    assert_eq!(
        decisions.len(),
        csv_rows(&a.join("allocation.csv")).len() - 1
    );
    assert_eq!(decisions[0].cell, "allocation!G2");
    assert_eq!(decisions[0].note_cell.as_deref(), Some("allocation!H2"));
    assert_eq!(decisions[0].case_id, allocation[1][0]);
    assert!(decisions.iter().all(|d| d.decision.is_empty()));
}

#[test]
fn decisions_written_in_the_allocation_sheet_read_back_at_their_cells() {
    let (_tmp, dir) = folder();
    let path = dir.join("allocation.xlsx");
    book(&path, "allocation", |s| {
        rows(
            s,
            0,
            &[
                &[
                    "case_id",
                    "worker_id",
                    "previous_worker",
                    "change",
                    "reason",
                    "decision",
                    "note",
                ],
                &["C1", "W1", "", "new", "", "accept", ""],
                &[
                    "C2",
                    "",
                    "",
                    "unallocated",
                    "",
                    " assign W2 ",
                    " lives nearby ",
                ],
            ],
        );
    });
    let rows = read_decisions(&path).unwrap();
    let got: Vec<[&str; 6]> = rows
        .iter()
        .map(|r| {
            let note_cell = r.note_cell.as_deref().unwrap_or("none");
            [
                r.case_id.as_str(),
                r.worker_id.as_str(),
                r.decision.as_str(),
                r.cell.as_str(),
                r.note.as_str(),
                note_cell,
            ]
        })
        .collect();
    assert_eq!(
        got,
        [
            ["C1", "W1", "accept", "allocation!F2", "", "allocation!G2"],
            [
                "C2",
                "",
                "assign W2",
                "allocation!F3",
                "lives nearby",
                "allocation!G3"
            ]
        ]
    );
    book(&path, "other", |_| {});
    let errors = read_decisions(&path).unwrap_err();
    assert!(
        errors.to_string().contains("has no sheet `allocation`"),
        "{errors}"
    );
}

#[test]
fn whatif_writes_comparison_xlsx_with_the_csv_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, dir) = folder();
    let scenario = tmp.path().join("scn");
    std::fs::create_dir_all(&scenario).unwrap();
    for file in ["workers.csv", "cases.csv", "policy.toml"] {
        std::fs::copy(demo().join(file), scenario.join(file)).unwrap();
    }
    std::fs::write(
        scenario.join("variants.toml"),
        "[[variant]]\nname = \"base\"\n",
    )
    .unwrap();
    let _ = dir;
    let out = tmp.path().join("out");
    let run = caseload([
        "whatif".as_ref(),
        scenario.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--quiet".as_ref(),
        "--xlsx".as_ref(),
        "--mip-gap".as_ref(),
        "0.01".as_ref(),
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let mut book: Xlsx<_> = open_workbook(out.join("comparison.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["comparison"]);
    let sheet = sheet_rows(&mut book, "comparison");
    let csv = csv_rows(&out.join("comparison.csv"));
    assert_eq!(sheet.len(), csv.len());
    assert_eq!(sheet[0], csv[0]);
    for (s, c) in sheet.iter().zip(&csv).skip(1) {
        for (x, y) in s.iter().zip(c) {
            match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(a), Ok(b)) => assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{x} {y}"),
                _ => assert_eq!(x, y),
            }
        }
    }
}

/// LibreOffice, when installed: `soffice` on the PATH.
fn soffice() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|p| p.join("soffice"))
        .find(|p| p.exists())
}

/// A workbook saved by LibreOffice Calc (tests/fixtures/xlsx/libreoffice, see its
/// README) reads as the demo; when LibreOffice is installed, one converted now too.
#[test]
fn a_workbook_saved_by_libreoffice_reads_as_the_demo() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xlsx/libreoffice");
    let demo_scenario = load_scenario(&demo()).unwrap();
    assert_eq!(load_scenario(&fixture).unwrap(), demo_scenario);
    let Some(soffice) = soffice() else {
        eprintln!("LibreOffice not installed: only the committed fixture was read");
        return;
    };
    let (tmp, dir) = folder();
    let made = tmp.path().join("made");
    std::fs::create_dir_all(&made).unwrap();
    demo_workbook(&made);
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        tmp.path().display()
    );
    let run = std::process::Command::new(soffice)
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
        ])
        .arg(&dir)
        .arg(made.join("scenario.xlsx"))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(load_scenario(&dir).unwrap(), demo_scenario);
}
