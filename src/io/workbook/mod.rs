//! Workbooks (`.xlsx`, read with calamine): a sheet turned into rows of text for the
//! readers the CSV files use, the `policy` sheet of `scenario.xlsx` turned into the text
//! of a `policy.toml`, and the `decision` column of an `allocation.xlsx` read back.
//!
//! Cells are read as a spreadsheet holds them: a number is written as a person would
//! type it (`101`, not `101.0`; `0.5`), whether stored as a number or as text; a boolean
//! as `true`/`false`; a formula by its cached value; an empty cell as empty. A date or
//! time, or an error value (`#N/A`, `#DIV/0!`), in a column caseload reads is a problem
//! located at its cell (none of caseload's columns holds a date: an id typed `1-3` that
//! the spreadsheet turned into a date is caught here). Columns caseload does not read
//! may hold anything. The header is the first row with a value; the covered cells of a
//! merged header cell are empty, so they name no column; hidden rows and columns are
//! read like any other (hiding is not deleting); empty rows are skipped.

use std::collections::BTreeSet;
use std::path::Path;

use calamine::{open_workbook, Cell, CellErrorType, Data, DataRef, Range, Reader, Xlsx};
use csv::StringRecord;

mod decisions;

pub use decisions::{read_decisions, DecisionRow};

use super::csv::header_columns;
use super::sheet::{cell_name, SheetTable};
use super::source::Source;
use crate::codes;
use crate::error::InputError;

/// The most cells a sheet's used range (from its first cell to its last, as a rectangle)
/// may span: 2,000,000, e.g. 100,000 rows of 20 columns. A sheet beyond it is refused,
/// located at its farthest cell, before anything of that size is held in memory (one
/// stray value at `XFD1048576` would otherwise ask for 17 billion cells).
pub const MAX_SHEET_CELLS: u64 = 2_000_000;

/// A workbook's sheets, in workbook order, with their cells.
pub(crate) struct Workbook {
    /// The workbook, as shown in errors.
    pub file: String,
    sheets: Vec<Sheet>,
}

/// One sheet: its cells, or why they were not read.
struct Sheet {
    name: String,
    /// The cells; a sheet too big to hold is refused, located.
    cells: Result<Range<Data>, InputError>,
    /// Formula cells saved without a calculated value (0-based row and column).
    unvalued: BTreeSet<(u32, u32)>,
}

impl Workbook {
    /// Opens the workbook at `path` and reads its sheets, cell by cell: memory grows
    /// with the cells present, and a sheet whose used range is over [`MAX_SHEET_CELLS`]
    /// is refused (when it is read) rather than laid out.
    ///
    /// # Errors
    /// [`codes::UNREADABLE`] when it is not an `.xlsx` workbook or cannot be read.
    pub fn open(path: &Path) -> Result<Self, InputError> {
        let file = path.display().to_string();
        let opened: Result<Xlsx<_>, _> = open_workbook(path);
        let mut book = opened.map_err(|e| InputError {
            file: file.clone(),
            line: None,
            column: String::new(),
            cell: None,
            code: codes::UNREADABLE,
            message: format!("cannot be read as an .xlsx workbook: {e}"),
        })?;
        let mut sheets = Vec::new();
        for name in book.sheet_names() {
            match read_sheet(&mut book, &file, &name) {
                Ok(sheet) => sheets.push(sheet),
                // A chart sheet holds no table: left out, as calamine's `worksheets`
                // leaves it.
                Err(calamine::XlsxError::NotAWorksheet(_)) => {}
                // Broken XML, a shared string that is not there: a table on this sheet
                // is refused in words (not reported missing).
                Err(e) => sheets.push(Sheet {
                    cells: Err(InputError {
                        file: file.clone(),
                        line: None,
                        column: String::new(),
                        cell: None,
                        code: codes::UNREADABLE,
                        message: format!("the sheet `{name}` cannot be read: {e}"),
                    }),
                    name,
                    unvalued: BTreeSet::new(),
                }),
            }
        }
        Ok(Self { file, sheets })
    }

    /// The sheets' names, in workbook order.
    pub fn sheet_names(&self) -> Vec<&str> {
        self.sheets.iter().map(|s| s.name.as_str()).collect()
    }

    /// The sheet named `name` (in any case), or the first sheet for `None`.
    pub fn sheet(&self, name: Option<&str>) -> Option<&str> {
        let mut sheets = self.sheets.iter().map(|s| s.name.as_str());
        match name {
            Some(name) => sheets.find(|n| n.eq_ignore_ascii_case(name)),
            None => sheets.next(),
        }
    }

    fn find(&self, sheet: &str) -> Option<&Sheet> {
        self.sheets.iter().find(|s| s.name == sheet)
    }

    /// Every sheet's name and cells, in workbook order (a sheet too big to hold: its
    /// located error).
    pub(crate) fn sheets(&self) -> Vec<(&str, Result<&Range<Data>, &InputError>)> {
        self.sheets
            .iter()
            .map(|s| (s.name.as_str(), s.cells.as_ref()))
            .collect()
    }

    fn range(&self, sheet: &str) -> Option<&Range<Data>> {
        self.find(sheet).and_then(|s| s.cells.as_ref().ok())
    }

    /// The rows of `sheet` from its header on, as text; cells in the known `columns`
    /// that hold a date or an error value are reported (and read as their text).
    pub fn table(&self, sheet: &str, columns: &'static [&'static str]) -> SheetTable {
        let mut table = SheetTable {
            file: self.file.clone(),
            sheet: sheet.to_string(),
            ..SheetTable::default()
        };
        let Some(found) = self.find(sheet) else {
            return table;
        };
        let range = match &found.cells {
            Ok(range) => range,
            Err(too_big) => {
                table.problems.push(too_big.clone());
                table.unreadable = true;
                return table;
            }
        };
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        table.first_col = first_col;
        let mut known = BTreeSet::new();
        for (i, cells) in range.rows().enumerate() {
            let row = u64::from(first_row) + i as u64 + 1;
            let texts: Vec<(String, Option<String>)> = cells.iter().map(cell_text).collect();
            let record: StringRecord = texts.iter().map(|(text, _)| text.as_str()).collect();
            if table.rows.is_empty() {
                if record.iter().all(str::is_empty) {
                    continue; // rows above the header
                }
                known = header_columns(&record, columns).0.into_values().collect();
                table.rows.push((row, record));
                continue;
            }
            for (field, (_, bad)) in texts.iter().enumerate() {
                let at = (row as u32 - 1, first_col + field as u32);
                let bad = match bad {
                    None if found.unvalued.contains(&at) => Some(UNVALUED.to_string()),
                    bad => bad.clone(),
                };
                if let (true, Some(message)) = (known.contains(&field), bad) {
                    let column = table.rows[0].1.get(field).unwrap_or("").to_lowercase();
                    let problem = table.problem(row, field, &column, message);
                    table.problems.push(problem);
                }
            }
            table.rows.push((row, record));
        }
        table
    }

    /// The `policy` sheet (columns `key` and `value`) as the text of a `policy.toml` whose
    /// line `n` is the sheet's row `n`, so that the policy reader's lines are its rows.
    pub fn policy(&self, sheet: &str) -> (Source, PolicySheet, Vec<InputError>) {
        let table = self.table(sheet, &["key", "value"]);
        let mut place = PolicySheet {
            file: self.file.clone(),
            sheet: sheet.to_string(),
            key_col: table.first_col,
            value_col: table.first_col + 1,
        };
        let mut problems = table.problems.clone();
        let mut text = String::new();
        let mut line = 1;
        let Some((header_row, header)) = table.rows.first() else {
            return (Source::new(&self.file, text), place, problems);
        };
        let (found, _) = header_columns(header, &["key", "value"]);
        let (Some(&key), Some(&value)) = (found.get("key"), found.get("value")) else {
            let message = "a policy sheet needs the columns `key` and `value` in its first row";
            let mut error = table.problem(*header_row, 0, "", message.to_string());
            error.code = codes::MISSING_COLUMN;
            error.cell = Some(super::sheet::row_name(sheet, *header_row).into());
            problems.push(error);
            return (Source::new(&self.file, text), place, problems);
        };
        place.key_col = table.first_col + key as u32;
        place.value_col = table.first_col + value as u32;
        let bad: BTreeSet<u64> = table.problems.iter().filter_map(|p| p.line).collect();
        let range = self.range(sheet);
        for (row, record) in &table.rows[1..] {
            while line < *row {
                text.push('\n');
                line += 1;
            }
            let (k, v) = (
                record.get(key).unwrap_or(""),
                record.get(value).unwrap_or(""),
            );
            if bad.contains(row) || (k.is_empty() && v.is_empty()) {
                continue;
            }
            if k.is_empty() {
                let message = format!("a value without a key: `{v}`");
                let mut error = table.problem(*row, key, "key", message);
                error.code = codes::MISSING_KEY;
                problems.push(error);
                continue;
            }
            if v.is_empty() {
                continue; // an empty value: the default, as in a CSV cell
            }
            let cell = range.and_then(|r| r.get_value(((*row - 1) as u32, place.value_col)));
            text.push_str(&format!("{} = {}", toml_key(k), toml_value(cell, v)));
        }
        text.push('\n');
        (Source::new(&self.file, text), place, problems)
    }
}

/// Where the `policy` sheet's keys and values are.
#[derive(Clone, Debug)]
pub(crate) struct PolicySheet {
    /// The workbook, as shown in errors.
    pub file: String,
    /// The sheet's name.
    pub sheet: String,
    /// The 0-based columns of `key` and `value`.
    pub key_col: u32,
    /// See `key_col`.
    pub value_col: u32,
}

impl PolicySheet {
    /// The cell of a policy problem: the key's cell for an unknown or repeated key, else
    /// the value's.
    pub fn cell_of(&self, error: &InputError) -> Option<Box<str>> {
        let row = error.line?;
        let on_key = [codes::UNKNOWN_KEY, codes::SYNTAX].contains(&error.code);
        let col = if on_key { self.key_col } else { self.value_col };
        Some(cell_name(&self.sheet, col, row).into())
    }
}

/// Why a formula cell saved without its calculated value cannot be read.
const UNVALUED: &str =
    "a formula with no calculated value; open and save it in a spreadsheet program";

/// Reads one sheet cell by cell: the cells with a value, and the formula cells without
/// one; refused (located at its farthest cell) when its used range is over
/// [`MAX_SHEET_CELLS`], before the range is laid out.
fn read_sheet<RS: std::io::Read + std::io::Seek>(
    book: &mut Xlsx<RS>,
    file: &str,
    name: &str,
) -> Result<Sheet, calamine::XlsxError> {
    let mut reader = book.worksheet_cells_reader(name)?;
    let mut cells = Vec::new();
    let mut unvalued = BTreeSet::new();
    // (first row, first column, last row, last column) of the cells read so far.
    let mut bounds: Option<(u32, u32, u32, u32)> = None;
    let mut too_big = None;
    while let Some(cell) = reader.next_cell_with_formula_metadata()? {
        let empty = matches!(cell.value, DataRef::Empty);
        if empty && cell.formula.is_none() {
            continue; // a formatted empty cell
        }
        let (r, c) = cell.pos;
        let (r0, c0, r1, c1) = bounds.unwrap_or((r, c, r, c));
        let grown = (r0.min(r), c0.min(c), r1.max(r), c1.max(c));
        bounds = Some(grown);
        let area = u64::from(grown.2 - grown.0 + 1) * u64::from(grown.3 - grown.1 + 1);
        if area > MAX_SHEET_CELLS || cells.len() as u64 >= MAX_SHEET_CELLS {
            too_big = Some(grown);
            break;
        }
        if empty {
            unvalued.insert(cell.pos);
        } else {
            cells.push(Cell::new(cell.pos, Data::from(cell.value)));
        }
    }
    let cells = match too_big {
        None => Ok(Range::from_sparse(cells)),
        Some((r0, c0, r1, c1)) => Err(InputError {
            file: file.to_string(),
            line: Some(u64::from(r1) + 1),
            column: String::new(),
            cell: Some(cell_name(name, c1, u64::from(r1) + 1).into()),
            code: codes::UNREADABLE,
            message: format!(
                "the sheet spans {}{}:{}{} or more, over the {MAX_SHEET_CELLS} cells caseload \
                 reads from one sheet: delete what lies beyond the table (this cell is the \
                 farthest found)",
                super::sheet::column_letters(c0),
                r0 + 1,
                super::sheet::column_letters(c1),
                r1 + 1,
            ),
        }),
    };
    Ok(Sheet {
        name: name.to_string(),
        cells,
        unvalued,
    })
}

/// A cell's text, and why it cannot be read if it holds a date or an error value.
fn cell_text(cell: &Data) -> (String, Option<String>) {
    match cell {
        Data::Empty => (String::new(), None),
        Data::String(s) => (s.trim().to_string(), None),
        Data::Int(i) => (i.to_string(), None),
        Data::Float(f) => (number_text(*f), None),
        Data::Bool(b) => (b.to_string(), None),
        Data::DateTime(d) => {
            let text = date_text(d);
            let message = format!(
                "holds a date or time ({text}) where none is expected: type the value as text \
                 or a plain number (format the cell as Text or General)"
            );
            (text, Some(message))
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => {
            let message = format!("holds a date or time ({s}) where none is expected");
            (s.clone(), Some(message))
        }
        Data::Error(e) => {
            let text = error_text(e);
            let message =
                format!("holds the error value {text}: fix the formula or type the value");
            (text, Some(message))
        }
    }
}

/// A number as a person types it: whole numbers without a decimal point.
pub(crate) fn number_text(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

fn date_text(d: &calamine::ExcelDateTime) -> String {
    if d.is_duration() {
        return format!("a duration of {} days", number_text(d.as_f64()));
    }
    let (y, mo, day, h, mi, s, _) = d.to_ymd_hms_milli();
    if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{day:02}")
    } else {
        format!("{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}:{s:02}")
    }
}

fn error_text(e: &CellErrorType) -> String {
    e.to_string()
}

/// A policy key as TOML: dotted, each part bare when it can be, else quoted.
fn toml_key(key: &str) -> String {
    let part = |p: &str| {
        let bare = !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if bare {
            p.to_string()
        } else {
            toml_string(p)
        }
    };
    key.split('.').map(part).collect::<Vec<_>>().join(".")
}

/// A policy value as TOML: numbers and booleans as they are; text that is a TOML value
/// on one line (`true`, `22`, `[{from = 0.7, cost = 1}]`) as that value; other text as a
/// string (`hard`).
fn toml_value(cell: Option<&Data>, text: &str) -> String {
    if text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false") {
        return text.to_ascii_lowercase(); // TRUE typed as text
    }
    match cell {
        Some(Data::Float(_) | Data::Int(_) | Data::Bool(_)) => text.to_string(),
        _ if !text.contains(['\n', '\r']) && text.parse::<toml_edit::Value>().is_ok() => {
            text.to_string()
        }
        _ => toml_string(text),
    }
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut s = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            c if c.is_control() => s.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_a_person_types_them() {
        assert_eq!(number_text(101.0), "101");
        assert_eq!(number_text(-3.0), "-3");
        assert_eq!(number_text(0.5), "0.5");
        assert_eq!(number_text(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(number_text(1e20), "100000000000000000000");
        assert_eq!(cell_text(&Data::Int(7)), ("7".to_string(), None));
        assert_eq!(cell_text(&Data::Bool(true)), ("true".to_string(), None));
        assert_eq!(cell_text(&Data::String(" W1 ".into())).0, "W1");
    }

    #[test]
    fn dates_and_error_values_are_problems_with_their_text() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        let date = ExcelDateTime::new(45352.0, ExcelDateTimeType::DateTime, false);
        let (text, problem) = cell_text(&Data::DateTime(date));
        assert_eq!(text, "2024-03-01");
        assert!(problem.unwrap().contains("date or time (2024-03-01)"));
        let (text, problem) = cell_text(&Data::Error(CellErrorType::NA));
        assert_eq!(text, "#N/A");
        assert!(problem.unwrap().contains("error value #N/A"));
    }

    #[test]
    fn policy_cells_become_toml() {
        assert_eq!(toml_key("weights.move"), "weights.move");
        assert_eq!(toml_key("my key"), "\"my key\"");
        let number = Data::Float(22.0);
        assert_eq!(toml_value(Some(&number), "22"), "22");
        assert_eq!(toml_value(None, "hard"), "\"hard\"");
        assert_eq!(toml_value(None, "TRUE"), "true");
        assert_eq!(
            toml_value(None, "say \"hi\"\n"),
            "\"say \\\"hi\\\"\\u000A\""
        );
        let bands = "[{from = 0.7, cost = 1}]";
        assert_eq!(toml_value(None, bands), bands);
    }
}
