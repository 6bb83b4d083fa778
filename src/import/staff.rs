//! The `--workers` file: what a service knows of its staff (FTE, capacity, skills, who is
//! away), keyed by name and, where given, team; a CSV file or a workbook's first sheet.

use std::path::Path;

use super::cells::{self, Cell};
use super::grid::{find_column, Grid};
use super::headers::{clean, Pattern};
use crate::codes;
use crate::error::{InputError, InputErrors};

/// One worker described by the file.
#[derive(Clone, Debug, Default)]
pub(crate) struct StaffRow {
    /// Where it is, for the report.
    pub at: String,
    /// The name, cleaned.
    pub name: String,
    /// The team, cleaned; `None` when the file has no team (or it is blank).
    pub team: Option<String>,
    pub fte: Option<f64>,
    pub capacity: Option<f64>,
    pub max_cases: Option<u32>,
    pub max_new: Option<u32>,
    /// `None` when the cell is blank: the defaults' skills then.
    pub skills: Option<Vec<String>>,
    pub available: Option<bool>,
}

/// The file's rows.
#[derive(Clone, Debug, Default)]
pub(crate) struct Staff {
    /// The file, as shown.
    pub file: String,
    pub rows: Vec<StaffRow>,
}

const NAME: Pattern = Pattern {
    phrases: &[
        "worker name",
        "name",
        "allocated worker",
        "social worker",
        "worker",
    ],
    unless: &["team", "manager"],
};
const TEAM: Pattern = Pattern {
    phrases: &["team"],
    unless: &["manager"],
};
const FTE: Pattern = Pattern {
    phrases: &["fte", "full time equivalent"],
    unless: &[],
};
const CAPACITY: Pattern = Pattern {
    phrases: &["capacity"],
    unless: &[],
};
const MAX_CASES: Pattern = Pattern {
    phrases: &["max cases", "maximum cases", "case limit", "caseload limit"],
    unless: &[],
};
const MAX_NEW: Pattern = Pattern {
    phrases: &["max new", "maximum new"],
    unless: &[],
};
const SKILLS: Pattern = Pattern {
    phrases: &["skills", "tags"],
    unless: &[],
};
const AVAILABLE: Pattern = Pattern {
    phrases: &["available"],
    unless: &[],
};

/// Reads the `--workers` file.
///
/// # Errors
/// Every problem, located: the file cannot be read, has no name column, a value does not
/// parse or is out of range.
pub(crate) fn read(path: &Path) -> Result<Staff, InputErrors> {
    let grid = grid_of(path).map_err(|e| InputErrors(vec![e]))?;
    let Some((header_at, header)) = grid.header(&NAME, 20) else {
        let row = grid.rows.first().map(|(r, _)| *r).unwrap_or(1);
        return Err(InputErrors(vec![grid.error(
            row,
            None,
            "name",
            codes::MISSING_COLUMN,
            "no header row with a `name` column (the worker's name) in its first 20 rows"
                .to_string(),
        )]));
    };
    let col = |p: &Pattern| find_column(&header, p);
    let name = col(&NAME).unwrap_or(0);
    let (team, fte, capacity) = (col(&TEAM), col(&FTE), col(&CAPACITY));
    let (max_cases, max_new, skills, available) = (
        col(&MAX_CASES),
        col(&MAX_NEW),
        col(&SKILLS),
        col(&AVAILABLE),
    );
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let empty = Cell::Empty;
    for (row, cells) in &grid.rows[header_at + 1..] {
        let cell = |i: Option<usize>| i.and_then(|i| cells.get(i)).unwrap_or(&empty);
        let text = |i: Option<usize>| cell(i).text();
        let worker = text(Some(name));
        if worker.is_empty() {
            continue;
        }
        let mut bad = |i: Option<usize>, message: String| {
            let column = i.map(|i| header[i].clone()).unwrap_or_default();
            errors.push(grid.error(*row, i, &column, codes::PARSE, message));
        };
        // A number above `lo` and at most `hi`, and whole when `what` is `whole`.
        let whole = "a number of cases is a whole number from 0";
        let mut number = |i: Option<usize>, lo: f64, hi: f64, what: &str| -> Option<f64> {
            let t = text(i);
            if t.is_empty() {
                return None;
            }
            match t.parse::<f64>() {
                Ok(x)
                    if x.is_finite()
                        && x > lo
                        && x <= hi
                        && (what != whole || x.fract() == 0.0) =>
                {
                    Some(x)
                }
                _ => {
                    bad(i, format!("{what}, got `{t}`"));
                    None
                }
            }
        };
        let fte_value = number(fte, 0.0, 1.0, "an FTE is a number above 0 and at most 1");
        let capacity_value = number(capacity, -1e-12, 1e6, "a capacity is a number from 0");
        let max_cases_value = number(max_cases, -1.0, 1e6, whole).map(|x| x as u32);
        let max_new_value = number(max_new, -1.0, 1e6, whole).map(|x| x as u32);
        let skills_value = Some(text(skills)).filter(|t| !t.is_empty()).map(|t| {
            t.split([';', ','])
                .map(clean)
                .filter(|s| !s.is_empty())
                .collect()
        });
        let available_text = text(available);
        let available_value = if available_text.is_empty() {
            None
        } else {
            let yes = cells::yes_no(&available_text);
            if yes.is_none() {
                let message = format!("`available` is yes or no, got `{available_text}`");
                errors.push(grid.error(*row, available, "available", codes::PARSE, message));
            }
            yes
        };
        rows.push(StaffRow {
            at: grid.row_place(*row),
            name: worker,
            team: Some(text(team)).filter(|t| !t.is_empty()),
            fte: fte_value,
            capacity: capacity_value,
            max_cases: max_cases_value,
            max_new: max_new_value,
            skills: skills_value,
            available: available_value,
        });
    }
    if !errors.is_empty() {
        return Err(InputErrors(errors));
    }
    Ok(Staff {
        file: grid.file.clone(),
        rows,
    })
}

/// The file's cells: a workbook's first sheet, or a CSV file.
fn grid_of(path: &Path) -> Result<Grid, InputError> {
    let is_book = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"));
    if is_book {
        return book_grid(path);
    }
    Grid::from_csv(path, b',')
}

#[cfg(feature = "xlsx")]
fn book_grid(path: &Path) -> Result<Grid, InputError> {
    let book = crate::io::workbook::Workbook::open(path)?;
    let sheets = book.sheets();
    let (sheet, range) = sheets.first().ok_or_else(|| InputError {
        file: book.file.clone(),
        line: None,
        column: String::new(),
        cell: None,
        code: codes::MISSING_FILE,
        message: "has no sheet".to_string(),
    })?;
    let range = range.map_err(Clone::clone)?;
    Ok(Grid::from_range(&book.file, sheet, range))
}

#[cfg(not(feature = "xlsx"))]
fn book_grid(path: &Path) -> Result<Grid, InputError> {
    Err(InputError {
        file: path.display().to_string(),
        line: None,
        column: String::new(),
        cell: None,
        code: codes::UNREADABLE,
        message: "workbooks are read with the `xlsx` feature: save it as CSV".to_string(),
    })
}
