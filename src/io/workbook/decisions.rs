//! The managers' decisions written in the `decision` column of an `allocation.xlsx`
//! (`caseload decide --from`), with the reason in the `note` column beside it, each
//! located at its cell.

use std::path::Path;

use csv::StringRecord;

use super::Workbook;
use crate::codes;
use crate::error::{InputError, InputErrors};
use crate::io::csv::header_columns;
use crate::io::sheet::cell_name;

/// One row of the `allocation` sheet of an `allocation.xlsx`, with what a person wrote
/// in its `decision` column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionRow {
    /// The case.
    pub case_id: String,
    /// The worker proposed (empty when unallocated).
    pub worker_id: String,
    /// What was written in `decision`, trimmed (`accept`, `reject`, `assign W0101`, or
    /// empty); not interpreted here.
    pub decision: String,
    /// The 1-based row of the sheet.
    pub row: u64,
    /// The `decision` cell, e.g. `allocation!F5`.
    pub cell: String,
    /// What was written in `note`, trimmed: why (empty, or the sheet has no `note`
    /// column, as in workbooks written before it had one).
    pub note: String,
    /// The `note` cell, e.g. `allocation!G5` (`None`: the sheet has no `note` column).
    pub note_cell: Option<String>,
}

/// Reads the rows of the `allocation` sheet of an `allocation.xlsx` (written by
/// `caseload allocate --xlsx`) with their `decision` and `note` cells, in sheet order;
/// rows without a `case_id` are skipped. The `note` column is optional.
///
/// # Errors
/// Every problem, located at its cell: the workbook cannot be read, has no `allocation`
/// sheet, lacks one of the columns `case_id`, `worker_id`, `decision`, or a cell of them
/// holds a date or an error value.
///
/// # Example
/// ```no_run
/// let rows = caseload::io::workbook::read_decisions("out/demo/allocation.xlsx".as_ref())?;
/// for row in rows.iter().filter(|r| !r.decision.is_empty()) {
///     println!("{} {}: {}", row.cell, row.case_id, row.decision);
/// }
/// # Ok::<(), caseload::error::InputErrors>(())
/// ```
pub fn read_decisions(path: &Path) -> Result<Vec<DecisionRow>, InputErrors> {
    const COLUMNS: [&str; 4] = ["case_id", "worker_id", "decision", "note"];
    const REQUIRED: [&str; 3] = ["case_id", "worker_id", "decision"];
    let book = Workbook::open(path).map_err(|e| InputErrors(vec![e]))?;
    let Some(sheet) = book.sheet(Some("allocation")) else {
        let message = format!(
            "has no sheet `allocation` (its sheets: {})",
            book.sheet_names().join(", ")
        );
        return Err(InputErrors(vec![InputError {
            file: book.file.clone(),
            line: None,
            column: String::new(),
            cell: None,
            code: codes::MISSING_COLUMN,
            message,
        }]));
    };
    let table = book.table(sheet, &COLUMNS);
    let mut errors = table.problems.clone();
    let Some((header_row, header)) = table.rows.first() else {
        return match errors.is_empty() {
            true => Ok(Vec::new()),
            false => Err(InputErrors(errors)),
        };
    };
    let (found, _) = header_columns(header, &COLUMNS);
    for column in REQUIRED.iter().filter(|c| !found.contains_key(*c)) {
        let mut error = table.problem(*header_row, 0, column, String::new());
        error.code = codes::MISSING_COLUMN;
        error.message = "required column is missing from the header".to_string();
        error.cell = Some(crate::io::sheet::row_name(sheet, *header_row).into());
        errors.push(error);
    }
    if !errors.is_empty() {
        return Err(InputErrors(errors));
    }
    let get = |record: &StringRecord, c: &str| {
        found
            .get(c)
            .and_then(|&i| record.get(i))
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let decision_col = table.first_col + found["decision"] as u32;
    let note_col = found.get("note").map(|&i| table.first_col + i as u32);
    Ok(table.rows[1..]
        .iter()
        .filter(|(_, record)| !get(record, "case_id").is_empty())
        .map(|(row, record)| DecisionRow {
            case_id: get(record, "case_id"),
            worker_id: get(record, "worker_id"),
            decision: get(record, "decision"),
            row: *row,
            cell: cell_name(sheet, decision_col, *row),
            note: get(record, "note"),
            note_cell: note_col.map(|c| cell_name(sheet, c, *row)),
        })
        .collect())
}
