//! Property-based fuzzing of every reader (issue 16 point 7): the scenario's CSV files,
//! `policy.toml`, the variants file, the allocation and `decisions.csv` read by `check`,
//! workbooks (`scenario.xlsx` built with mutated cells, and corrupted bytes), and the
//! record (a corrupted SQLite file). Properties: no panic; every error names its place
//! (file with line, or sheet!cell); whatever is accepted round-trips or validates.
//!
//! The number of cases is bounded (`CASES`) so the suite stays fast; the `cargo fuzz`
//! targets under `fuzz/` run the same readers without a bound (see the README).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;

use caseload::check::{check, parse_allocation, parse_decisions, with_decisions};
use caseload::error::InputErrors;
use caseload::io::read::load_scenario;
use caseload::io::scenario_writer::{cases_csv, policy_toml, workers_csv};
use caseload::io::{parse_policy, parse_scenario, Source};
use caseload::model::{Instance, Scenario};
use caseload::record::Record;

use crate::util::{caseload, demo, stderr};

/// Cases per property: enough to reach every reader's error paths, few enough that the
/// module runs in seconds.
const CASES: u32 = 256;

/// Tokens that break parsers: separators, quotes, line ends, extreme numbers.
const TOKENS: &[&str] = &[
    ",",
    "\"",
    "\n",
    "\r\n",
    "\r",
    ";",
    "=",
    "[",
    "]",
    "{",
    "}",
    "#",
    "'",
    " ",
    "\t",
    "-",
    ".",
    "e",
    "0",
    "1e308",
    "-1e308",
    "NaN",
    "inf",
    "-0",
    "9223372036854775807",
    "18446744073709551616",
    "1e-320",
    "true",
    "\u{0}",
    "é",
    "\u{feff}",
    "\u{202e}",
    "[[variant]]",
    "[[bands]]",
    "$points",
    "W0101",
    "C00001",
    "T01",
];

/// One edit of a text.
#[derive(Clone, Debug)]
enum Edit {
    /// Insert a token at a fraction of the length.
    Insert(f64, usize),
    /// Delete up to `n` characters.
    Delete(f64, usize),
    /// Replace the character there by a token.
    Replace(f64, usize),
    /// Insert any character.
    Char(f64, char),
    /// Duplicate the line there.
    DupLine(f64),
    /// Remove the line there.
    DropLine(f64),
    /// Cut the text there.
    Truncate(f64),
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = 0.0..1.0f64;
    let token = 0..TOKENS.len();
    prop_oneof![
        4 => (at.clone(), token.clone()).prop_map(|(a, t)| Edit::Insert(a, t)),
        2 => (at.clone(), 1..8usize).prop_map(|(a, n)| Edit::Delete(a, n)),
        4 => (at.clone(), token).prop_map(|(a, t)| Edit::Replace(a, t)),
        2 => (at.clone(), any::<char>()).prop_map(|(a, c)| Edit::Char(a, c)),
        1 => at.clone().prop_map(Edit::DupLine),
        1 => at.clone().prop_map(Edit::DropLine),
        1 => at.prop_map(Edit::Truncate),
    ]
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(edit(), 0..6)
}

/// `text` with `edits` made in turn (positions are fractions of the current length).
fn mutate(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        let at = |f: f64| ((chars.len() as f64) * f) as usize;
        match *e {
            Edit::Insert(f, t) => {
                let i = at(f).min(chars.len());
                chars.splice(i..i, TOKENS[t].chars());
            }
            Edit::Delete(f, n) => {
                let i = at(f).min(chars.len());
                let j = (i + n).min(chars.len());
                chars.drain(i..j);
            }
            Edit::Replace(f, t) => {
                let i = at(f).min(chars.len());
                let j = (i + 1).min(chars.len());
                chars.splice(i..j, TOKENS[t].chars());
            }
            Edit::Char(f, c) => {
                let i = at(f).min(chars.len());
                chars.insert(i, c);
            }
            Edit::DupLine(f) | Edit::DropLine(f) => {
                let text: String = chars.iter().collect();
                let mut lines: Vec<&str> = text.split('\n').collect();
                let i = ((lines.len() as f64) * f) as usize;
                let i = i.min(lines.len().saturating_sub(1));
                if matches!(e, Edit::DupLine(_)) {
                    lines.insert(i, lines[i]);
                } else if lines.len() > 1 {
                    lines.remove(i);
                }
                chars = lines.join("\n").chars().collect();
            }
            Edit::Truncate(f) => chars.truncate(at(f)),
        }
    }
    chars.into_iter().collect()
}

/// Every error names its file and its place in it: a line, or a sheet and cell.
fn located(errors: &InputErrors, files: &[&str]) {
    assert!(!errors.0.is_empty(), "an error with no problem in it");
    for e in &errors.0 {
        assert!(
            files.iter().any(|f| e.file.ends_with(f)),
            "an error of an unexpected file: {e}"
        );
        assert!(
            e.line.is_some() || e.cell.is_some(),
            "an error without its place: {e}"
        );
        assert!(!e.to_string().contains('\n'), "one line per problem: {e:?}");
    }
}

fn located_error(error: &caseload::Error, files: &[&str]) {
    match error {
        caseload::Error::InvalidInput(errors) => located(errors, files),
        other => panic!("not an input error: {other}"),
    }
}

fn text(path: &Path) -> String {
    fs::read_to_string(path).expect("readable")
}

/// The demo's workers and its first 40 cases, as text.
fn base_texts() -> &'static (String, String, String) {
    static TEXTS: OnceLock<(String, String, String)> = OnceLock::new();
    TEXTS.get_or_init(|| {
        let cases: Vec<String> = text(&demo().join("cases.csv"))
            .lines()
            .take(41)
            .map(|l| format!("{l}\n"))
            .collect();
        (
            text(&demo().join("workers.csv")),
            cases.concat(),
            text(&demo().join("policy.toml")),
        )
    })
}

fn demo_scenario() -> &'static Scenario {
    static SCENARIO: OnceLock<Scenario> = OnceLock::new();
    SCENARIO.get_or_init(|| load_scenario(&demo()).expect("demo loads"))
}

/// The scenario with its workers and cases by id (the writers sort them so).
fn by_id(scenario: &Scenario) -> Scenario {
    let mut s = scenario.clone();
    s.workers.sort_by(|a, b| a.id.cmp(&b.id));
    s.cases.sort_by(|a, b| a.id.cmp(&b.id));
    s
}

/// An accepted scenario reads back the same (by id) from what the writer makes of it,
/// and prepares.
fn round_trips(scenario: &Scenario) {
    let again = parse_scenario(
        &Source::new(
            "workers.csv",
            workers_csv(scenario).expect("workers written"),
        ),
        &Source::new("cases.csv", cases_csv(scenario).expect("cases written")),
        Some(&Source::new("policy.toml", policy_toml(&scenario.policy))),
    )
    .expect("what was accepted reads back");
    assert_eq!(by_id(&again), by_id(scenario));
    Instance::new(scenario).expect("an accepted scenario prepares");
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn scenario_csv(w in edits(), c in edits()) {
        let (workers, cases, _) = base_texts();
        let workers = Source::new("workers.csv", mutate(workers, &w));
        let cases = Source::new("cases.csv", mutate(cases, &c));
        match parse_scenario(&workers, &cases, None) {
            Ok(scenario) => round_trips(&scenario),
            Err(errors) => located(&errors, &["workers.csv", "cases.csv"]),
        }
    }

    #[test]
    fn policy_toml_file(p in edits()) {
        let (_, _, policy) = base_texts();
        let source = Source::new("policy.toml", mutate(policy, &p));
        match parse_policy(&source) {
            Ok(policy) => {
                let again = parse_policy(&Source::new("policy.toml", policy_toml(&policy)))
                    .expect("what was accepted reads back");
                prop_assert_eq!(again, policy);
            }
            Err(errors) => located(&errors, &["policy.toml"]),
        }
    }

    #[test]
    fn variants_file(v in edits()) {
        let base = demo_scenario();
        let text = mutate(&text(&demo().join("variants.toml")), &v);
        let source = Source::new("variants.toml", text);
        match caseload::io::variants::parse_plan(&source, &demo(), base) {
            Ok(plan) => {
                prop_assert!(plan.solves() <= caseload::model::plan::MAX_SOLVES);
                // Every variant changes the scenario into one that prepares, or says why.
                for variant in &plan.variants {
                    if let Ok(changed) = caseload::whatif::apply(base, &variant.edits, plan.seed) {
                        Instance::new(&changed).expect("a changed scenario prepares");
                    }
                }
            }
            Err(errors) => located(&errors, &["variants.toml"]),
        }
    }

    #[test]
    fn allocation_for_check(a in edits()) {
        let text = mutate(allocation_text(), &a);
        match parse_allocation("allocation.csv", &text) {
            // Whatever the rows say, the checker reports on them.
            Ok(rows) => {
                let report = check(demo_scenario(), &rows);
                prop_assert!(!report.to_string().is_empty());
            }
            Err(errors) => located(&errors, &["allocation.csv"]),
        }
    }

    #[test]
    fn decisions_for_check(d in edits()) {
        let text = mutate(DECISIONS, &d);
        match parse_decisions("decisions.csv", &text) {
            // The allocation is held to whatever was accepted (a decision naming an
            // unknown worker is the checker's to report, not a panic).
            Ok(rows) => {
                let held = with_decisions(demo_scenario(), &rows);
                let allocation = parse_allocation("allocation.csv", allocation_text())
                    .expect("the demo's allocation parses");
                prop_assert!(!check(&held, &allocation).to_string().is_empty());
            }
            Err(errors) => located(&errors, &["decisions.csv"]),
        }
    }
}

/// A `decisions.csv` as a recorded run writes it.
const DECISIONS: &str = "decision_id,case_id,kind,worker_id,by,at,note,applied,why\n\
1,C00001,accept,W0206,amy,2026-01-05T10:00:00Z,,yes,\n\
2,C00002,never,W0109,amy,2026-01-05T10:01:00Z,\"a note, with a comma\",yes,\n\
3,C00003,assign,W0101,bo,2026-01-05T10:02:00Z,,no,the worker is not eligible\n\
4,C00004,reject,W0102,bo,2026-01-05T10:03:00Z,,yes,\n";

/// The demo's `allocation.csv`, made once by the real binary.
fn allocation_text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("temp dir");
        let out = tmp.path().join("out");
        let run = crate::util::allocate(&demo(), &out, &["-q"]);
        assert!(run.status.success(), "{}", stderr(&run));
        text(&out.join("allocation.csv"))
    })
}

// ---- Workbooks ---------------------------------------------------------------------------

/// A cell as a spreadsheet may hold it.
#[derive(Clone, Debug)]
enum Cell {
    /// The text as typed (a number when it reads as one).
    Typed,
    /// A blank cell.
    Blank,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A date.
    Date,
    /// A formula with a cached error value.
    ErrorValue,
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        12 => Just(Cell::Typed),
        1 => Just(Cell::Blank),
        1 => any::<bool>().prop_map(Cell::Bool),
        1 => prop_oneof![Just(f64::MAX), Just(-1.0), Just(0.0), Just(1e-300), any::<f64>()]
            .prop_map(Cell::Number),
        1 => Just(Cell::Date),
        1 => Just(Cell::ErrorValue),
    ]
}

/// Writes a table's text into a sheet, the cell at `(row, col)` of `kinds` as that kind.
fn sheet(
    book: &mut rust_xlsxwriter::Workbook,
    name: &str,
    text: &str,
    kinds: &[(usize, usize, Cell)],
) {
    let sheet = book.add_worksheet();
    sheet.set_name(name).expect("sheet name");
    for (r, line) in text.lines().enumerate() {
        for (c, value) in line.split(',').enumerate() {
            let kind = kinds
                .iter()
                .find(|(kr, kc, _)| (*kr, *kc) == (r, c))
                .map_or(&Cell::Typed, |(_, _, k)| k);
            let (row, col) = (r as u32, c as u16);
            let written = match kind {
                Cell::Typed => match value.parse::<f64>() {
                    Ok(x) if x.is_finite() => sheet.write_number(row, col, x).map(|_| ()),
                    _ => sheet.write_string(row, col, value).map(|_| ()),
                },
                Cell::Blank => Ok(()),
                Cell::Bool(b) => sheet.write_boolean(row, col, *b).map(|_| ()),
                Cell::Number(x) => sheet.write_number(row, col, *x).map(|_| ()),
                Cell::Date => {
                    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 1, 3).expect("date");
                    let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
                    sheet
                        .write_datetime_with_format(row, col, &date, &format)
                        .map(|_| ())
                }
                Cell::ErrorValue => {
                    let formula = rust_xlsxwriter::Formula::new("=1/0").set_result("#DIV/0!");
                    sheet.write_formula(row, col, formula).map(|_| ())
                }
            };
            written.expect("cell written");
        }
    }
}

fn kinds() -> impl Strategy<Value = Vec<(usize, usize, Cell)>> {
    prop::collection::vec((0..12usize, 0..10usize, cell()), 0..4)
}

fn xlsx_config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES / 4,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(xlsx_config())]

    #[test]
    fn scenario_xlsx_with_mutated_cells(
        w in edits(), c in edits(), wk in kinds(), ck in kinds()
    ) {
        let (workers, cases, _) = base_texts();
        let tmp = tempfile::tempdir().expect("temp dir");
        let mut book = rust_xlsxwriter::Workbook::new();
        // Naive cells: one per comma, as a planner's hand-made sheet.
        sheet(&mut book, "workers", &mutate(workers, &w).replace('"', ""), &wk);
        sheet(&mut book, "cases", &mutate(cases, &c).replace('"', ""), &ck);
        book.save(tmp.path().join("scenario.xlsx")).expect("workbook saved");
        match load_scenario(tmp.path()) {
            Ok(scenario) => {
                // What was accepted is written as a workbook and reads back the same.
                let bytes = caseload::io::sheet_writer::scenario_xlsx(&scenario).expect("written");
                let again = tempfile::tempdir().expect("temp dir");
                fs::write(again.path().join("scenario.xlsx"), bytes).expect("saved");
                let back = load_scenario(again.path()).expect("reads back");
                prop_assert_eq!(by_id(&back), by_id(&scenario));
                Instance::new(&scenario).expect("prepares");
            }
            Err(e) => located_error(&e, &["scenario.xlsx"]),
        }
    }

    #[test]
    fn corrupted_workbook_bytes(flips in prop::collection::vec((0.0..1.0f64, any::<u8>()), 1..8), cut in 0.5..1.0f64) {
        let mut bytes = demo_workbook().to_vec();
        for (at, b) in flips {
            let i = ((bytes.len() as f64) * at) as usize;
            if let Some(x) = bytes.get_mut(i) { *x = b; }
        }
        bytes.truncate(((bytes.len() as f64) * cut) as usize);
        let tmp = tempfile::tempdir().expect("temp dir");
        fs::write(tmp.path().join("scenario.xlsx"), &bytes).expect("saved");
        match load_scenario(tmp.path()) {
            Ok(scenario) => { Instance::new(&scenario).expect("prepares"); }
            // The workbook is named; a whole-file problem is located by its file.
            Err(caseload::Error::InvalidInput(errors)) => {
                prop_assert!(
                    errors.0.iter().any(|e| e.file.ends_with("scenario.xlsx")),
                    "{}", errors
                );
                for e in &errors.0 {
                    prop_assert!(e.file.starts_with(tmp.path().to_str().expect("utf-8")), "{}", e);
                }
            }
            Err(other) => prop_assert!(false, "not an input error: {}", other),
        }
    }
}

fn demo_workbook() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        fs::read(demo().with_file_name("demo-xlsx").join("scenario.xlsx")).expect("demo workbook")
    })
}

// ---- The record ------------------------------------------------------------------------

/// A record holding one run of the demo, made once by the real binary.
fn record_bytes() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("temp dir");
        let db = tmp.path().join("record.db");
        let out = tmp.path().join("out");
        let run = crate::util::allocate(
            &demo(),
            &out,
            &["-q", "--record", db.to_str().expect("utf-8")],
        );
        assert!(run.status.success(), "{}", stderr(&run));
        fs::read(&db).expect("record")
    })
}

/// Reads everything a record holds; any error is typed (never a panic).
fn read_all(path: &Path) -> Result<(), caseload::record::RecordError> {
    let record = Record::open_to_read(path)?;
    record.check_integrity()?;
    for run in record.runs()? {
        record.run(run.id)?;
        record.rows(run.id)?;
        record.loads(run.id)?;
        record.inputs(run.id)?;
        record.run_decisions(run.id)?;
    }
    record.standing()?;
    record.decisions()?;
    Ok(())
}

proptest! {
    #![proptest_config(xlsx_config())]

    #[test]
    fn corrupted_record(
        flips in prop::collection::vec((0.0..1.0f64, any::<u8>()), 1..16),
        cut in prop_oneof![Just(1.0), 0.0..1.0f64],
    ) {
        let mut bytes = record_bytes().to_vec();
        for (at, b) in flips {
            let i = ((bytes.len() as f64) * at) as usize;
            if let Some(x) = bytes.get_mut(i) { *x = b; }
        }
        bytes.truncate(((bytes.len() as f64) * cut) as usize);
        let tmp = tempfile::tempdir().expect("temp dir");
        let db: PathBuf = tmp.path().join("record.db");
        fs::write(&db, &bytes).expect("saved");
        let _ = read_all(&db);
        // Opened to write, a damaged record is refused or used, never a panic.
        if let Ok(mut record) = Record::open(&db) {
            let _ = record.last_run();
            let _ = record.set_lock_wait(std::time::Duration::from_millis(10));
        }
    }
}

/// `history` on a damaged record: an error in words with exit 1 or 2, never a panic.
#[test]
fn history_of_a_damaged_record_is_an_error_in_words() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let db = tmp.path().join("record.db");
    let mut bytes = record_bytes().to_vec();
    let half = bytes.len() / 2;
    bytes[100..half].fill(0x5a);
    fs::write(&db, &bytes).expect("saved");
    let run = caseload(["history".as_ref(), db.as_os_str()]);
    let code = run.status.code();
    assert!(
        code == Some(1) || code == Some(2),
        "{code:?}: {}",
        stderr(&run)
    );
    assert!(stderr(&run).contains("record.db"), "{}", stderr(&run));
    assert!(!stderr(&run).contains("panicked"), "{}", stderr(&run));
}
