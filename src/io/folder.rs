//! A scenario folder that holds workbooks: each table found in exactly one place (its
//! CSV file, its own workbook `cases.xlsx`, or a sheet of `scenario.xlsx`), then read
//! and validated as [`super::read`] reads CSV files (by `io::assemble`), every problem in a workbook located
//! at its sheet and cell.
//!
//! A folder with no workbook is left to [`super::read::load_scenario`]'s CSV path, so
//! that nothing changes for it.

use std::path::Path;

use super::assemble::{assemble, read_source, Inputs};
use super::locate::{Kind, Report};
use super::sheet::{Input, SheetTable};
use super::source::Source;
use super::workbook::Workbook;
use super::{
    CASES_FILE, CASE_COLUMNS, PAIRS_FILE, PAIR_COLUMNS, POLICY_FILE, WORKERS_FILE, WORKER_COLUMNS,
};
use crate::codes;
use crate::error::{Error, InputError};
use crate::model::Scenario;

/// File name of the workers table as a workbook (its first sheet).
pub const WORKERS_XLSX: &str = "workers.xlsx";
/// File name of the cases table as a workbook (its first sheet).
pub const CASES_XLSX: &str = "cases.xlsx";
/// File name of the per-pair terms as a workbook (its first sheet).
pub const PAIRS_XLSX: &str = "pairs.xlsx";
/// File name of a whole scenario as one workbook: sheets `workers`, `cases`, and
/// optionally `pairs` and `policy` (columns `key`, `value`).
pub const SCENARIO_XLSX: &str = "scenario.xlsx";

/// One table of a scenario folder and where it may be.
struct Spec {
    kind: Kind,
    csv: &'static str,
    xlsx: &'static str,
    sheet: &'static str,
    columns: &'static [&'static str],
    required: bool,
}

const TABLES: [Spec; 3] = [
    Spec {
        kind: Kind::Workers,
        csv: WORKERS_FILE,
        xlsx: WORKERS_XLSX,
        sheet: "workers",
        columns: &WORKER_COLUMNS,
        required: true,
    },
    Spec {
        kind: Kind::Cases,
        csv: CASES_FILE,
        xlsx: CASES_XLSX,
        sheet: "cases",
        columns: &CASE_COLUMNS,
        required: true,
    },
    Spec {
        kind: Kind::Pairs,
        csv: PAIRS_FILE,
        xlsx: PAIRS_XLSX,
        sheet: "pairs",
        columns: &PAIR_COLUMNS,
        required: false,
    },
];

/// A table as read: CSV text or a sheet.
enum Read {
    Text(Source),
    Sheet(SheetTable),
}

impl Read {
    fn input(&self) -> Input<'_> {
        match self {
            Read::Text(source) => Input::Text(source),
            Read::Sheet(sheet) => Input::Sheet(sheet),
        }
    }
}

/// Reads the scenario folder `dir` if it holds a workbook; `None` when it holds none.
pub(super) fn load(dir: &Path) -> Option<crate::Result<Scenario>> {
    let any = [WORKERS_XLSX, CASES_XLSX, PAIRS_XLSX, SCENARIO_XLSX];
    if !any.iter().any(|name| dir.join(name).exists()) {
        return None;
    }
    let mut report = Report::default();
    let book_path = dir.join(SCENARIO_XLSX);
    let book = if book_path.exists() {
        Workbook::open(&book_path)
            .map_err(|e| report.push(Kind::Workers, e))
            .ok()
    } else {
        None
    };
    // A scenario.xlsx that cannot be read is reported once, as itself: its tables are
    // not reported missing on top.
    let unreadable = book_path.exists() && book.is_none();
    let mut tables: Vec<Option<Read>> = Vec::new();
    for spec in &TABLES {
        tables.push(table(dir, spec, book.as_ref(), unreadable, &mut report));
    }

    let policy_path = dir.join(POLICY_FILE);
    let policy_sheet = book.as_ref().and_then(|b| b.sheet(Some("policy")));
    let mut policy_name = policy_path.display().to_string();
    let (policy, place) = match (policy_path.exists(), policy_sheet, &book) {
        (true, Some(sheet), Some(book)) => {
            let also = format!("{} (sheet `{sheet}`)", book.file);
            report.push(Kind::Policy, twice(&policy_path, &also));
            (None, None)
        }
        (false, Some(sheet), Some(book)) => {
            let (source, place, problems) = book.policy(sheet);
            report.extend(Kind::Policy, problems);
            policy_name = book.file.clone();
            (Some(source), Some(place))
        }
        _ => match read_source(&policy_path, false) {
            Ok(source) => (source, None),
            Err(error) => {
                report.push(Kind::Policy, error);
                (None, None)
            }
        },
    };
    let input = |i: usize| tables[i].as_ref().map(Read::input);
    let inputs = Inputs {
        workers: input(0),
        cases: input(1),
        pairs: input(2),
        policy: policy.as_ref(),
        policy_name,
        policy_sheet: place.as_ref(),
    };
    Some(assemble(inputs, report).map_err(Error::InvalidInput))
}

/// A sheet's table, or `None` with its problem reported when the sheet could not be
/// read at all (too big): no table is read from it, nor reported missing.
fn sheet_read(table: SheetTable, spec: &Spec, report: &mut Report) -> Option<Read> {
    if table.unreadable {
        report.extend(spec.kind, table.problems);
        return None;
    }
    Some(Read::Sheet(table))
}

/// Finds and reads one table; `None` (reported if required, unless `scenario.xlsx` is
/// there but `unreadable`) when it is nowhere, or given twice, or cannot be read.
fn table(
    dir: &Path,
    spec: &Spec,
    book: Option<&Workbook>,
    unreadable: bool,
    report: &mut Report,
) -> Option<Read> {
    let csv = dir.join(spec.csv);
    let xlsx = dir.join(spec.xlsx);
    let sheet = book.and_then(|b| Some((b, b.sheet(Some(spec.sheet))?)));
    let mut places: Vec<String> = Vec::new();
    if csv.exists() {
        places.push(csv.display().to_string());
    }
    if xlsx.exists() {
        places.push(xlsx.display().to_string());
    }
    if let Some((book, name)) = sheet {
        places.push(format!("{} (sheet `{name}`)", book.file));
    }
    if places.len() > 1 {
        let first = dir.join(if csv.exists() { spec.csv } else { spec.xlsx });
        report.push(spec.kind, twice(&first, &places[1..].join(" and ")));
        return None;
    }
    if csv.exists() {
        return match read_source(&csv, spec.required) {
            Ok(source) => source.map(Read::Text),
            Err(error) => {
                report.push(spec.kind, error);
                None
            }
        };
    }
    if xlsx.exists() {
        return match Workbook::open(&xlsx) {
            Ok(book) => {
                let first = book.sheet(None).unwrap_or_default().to_string();
                sheet_read(book.table(&first, spec.columns), spec, report)
            }
            Err(error) => {
                report.push(spec.kind, error);
                None
            }
        };
    }
    if let Some((book, name)) = sheet {
        return sheet_read(book.table(name, spec.columns), spec, report);
    }
    if spec.required && !unreadable {
        let (file, message) = match book {
            Some(book) => (
                book.file.clone(),
                format!(
                    "has no sheet `{}` (its sheets: {}), and there is no {} or {}: a \
                     scenario workbook needs the sheets `workers` and `cases`",
                    spec.sheet,
                    book.sheet_names().join(", "),
                    spec.csv,
                    spec.xlsx
                ),
            ),
            None => (
                csv.display().to_string(),
                format!(
                    "file not found (nor {}): a scenario folder needs {WORKERS_FILE} and \
                     {CASES_FILE}, as CSV or .xlsx, or one {SCENARIO_XLSX}",
                    spec.xlsx
                ),
            ),
        };
        report.push(
            spec.kind,
            InputError {
                file,
                line: None,
                column: String::new(),
                cell: None,
                code: codes::MISSING_FILE,
                message,
            },
        );
    }
    None
}

/// The problem of a table given twice.
fn twice(first: &Path, also: &str) -> InputError {
    InputError {
        file: first.display().to_string(),
        line: None,
        column: String::new(),
        cell: None,
        code: codes::DUPLICATE_FILE,
        message: format!("the same table is also given by {also}: keep one of them"),
    }
}
