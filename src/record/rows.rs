//! The rows a run keeps: [`RowRecord`] of each row of `allocation.csv` and [`LoadRecord`]
//! of each row of `loads.csv`, taken from the run's typed rows; and
//! [`parse_loads_csv`], which reads a `loads.csv` file given by a user (its columns
//! found by name).

use serde::Serialize;

use crate::report::{AllocationRow, LoadRow, LOADS_COLUMNS};

fn csv_error(source: csv::Error) -> crate::Error {
    crate::Error::Csv { source }
}

/// One row of `allocation.csv`, as kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowRecord {
    /// The case.
    pub case_id: String,
    /// Who holds it after the run (`None`: unallocated).
    pub worker_id: Option<String>,
    /// Who held it before.
    pub previous_worker: Option<String>,
    /// `kept`, `moved`, `forced`, `new` or `unallocated`.
    pub change: String,
    /// Why, in words.
    pub reason: String,
}

impl RowRecord {
    /// The row kept of a row of `allocation.csv`.
    pub fn of(row: &AllocationRow) -> Self {
        Self {
            case_id: row.case_id.to_string(),
            worker_id: row.worker_id.as_ref().map(|w| w.to_string()),
            previous_worker: row.previous_worker.as_ref().map(|w| w.to_string()),
            change: row.change.to_string(),
            reason: row.reason.clone(),
        }
    }
}

/// One row of `loads.csv`, as kept.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoadRecord {
    /// The worker.
    pub worker_id: String,
    /// Their team.
    pub team: String,
    /// Capacity in points.
    pub capacity: f64,
    /// Load before the run.
    pub load_before: f64,
    /// Load after the run.
    pub load_after: f64,
    /// Cases held after the run.
    pub cases: u32,
}

impl LoadRecord {
    /// The row kept of a row of `loads.csv`.
    pub fn of(row: &LoadRow) -> Self {
        Self {
            worker_id: row.worker_id.to_string(),
            team: row.team.clone(),
            capacity: row.capacity,
            load_before: row.load_before,
            load_after: row.load_after,
            cases: row.cases,
        }
    }
}

/// The rows of a `loads.csv` text as caseload writes it (`file` names it in errors):
/// every problem located as `file:line: column: …`.
pub fn parse_loads_csv(file: &str, text: &str) -> crate::Result<Vec<LoadRecord>> {
    use crate::error::{InputError, InputErrors};
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let problem = |line: u64, column: &str, message: String| InputError {
        file: file.to_string(),
        line: Some(line),
        column: column.to_string(),
        cell: None,
        code: crate::codes::PARSE,
        message,
    };
    let header = reader.headers().map_err(csv_error)?.clone();
    // The columns the record reads, found by name (the rest of loads.csv is derived from
    // them).
    let expected = &LOADS_COLUMNS[..7];
    let find = |name: &str| header.iter().position(|h| h == name);
    let (Some(id), Some(team), Some(capacity), Some(before), Some(after), Some(cases)) = (
        find("worker_id"),
        find("team"),
        find("capacity"),
        find("load_before"),
        find("load_after"),
        find("cases"),
    ) else {
        return Err(crate::Error::InvalidInput(InputErrors(vec![problem(
            1,
            "",
            format!(
                "expected the columns of loads.csv ({}), got `{}`",
                expected.join(", "),
                header.iter().collect::<Vec<_>>().join(",")
            ),
        )])));
    };
    let mut loads = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let r = record.map_err(csv_error)?;
        let line = r.position().map_or(0, |p| p.line());
        let cell = |at: usize| r.get(at).unwrap_or_default();
        let mut number = |at: usize, name: &str| match cell(at).parse::<f64>() {
            Ok(x) => x,
            Err(_) => {
                problems.push(problem(
                    line,
                    name,
                    format!("expected a number, got `{}`", cell(at)),
                ));
                f64::NAN
            }
        };
        let (capacity, load_before, load_after) = (
            number(capacity, "capacity"),
            number(before, "load_before"),
            number(after, "load_after"),
        );
        let cases = cell(cases).parse().unwrap_or_else(|_| {
            problems.push(problem(
                line,
                "cases",
                format!("expected a whole number, got `{}`", cell(cases)),
            ));
            0
        });
        loads.push(LoadRecord {
            worker_id: cell(id).to_string(),
            team: cell(team).to_string(),
            capacity,
            load_before,
            load_after,
            cases,
        });
    }
    if problems.is_empty() {
        Ok(loads)
    } else {
        Err(crate::Error::InvalidInput(InputErrors(problems)))
    }
}
