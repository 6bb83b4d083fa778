//! Reading an allocation file: the solver's `allocation.csv` or a manager's spreadsheet.
//!
//! A CSV file with a header row. Column `case_id` is required; `worker_id` (empty means
//! unallocated) and `change` are optional; any other column is ignored. Column names are
//! matched case-insensitively after trimming. A UTF-8 byte-order mark, CRLF line ends and
//! spaces around cells are accepted, and rows whose cells are all empty are skipped.

use std::path::Path;

use crate::codes;
use crate::io::csv::{header_columns, Table};
use crate::io::source::{read_text, TextFailure};
use crate::model::{CaseId, WorkerId};
use crate::{Error, InputError, InputErrors};

/// The columns the checker reads, in the order their problems are reported.
const COLUMNS: [&str; 3] = ["case_id", "worker_id", "change"];

/// One row of an allocation file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllocationRow {
    /// 1-based line of the row in the file (the header is line 1).
    pub line: u64,
    /// The case.
    pub case: CaseId,
    /// The worker holding the case after the run; `None` when unallocated.
    pub worker: Option<WorkerId>,
    /// The `change` label the file gives, when it has a non-empty one.
    pub change: Option<String>,
}

/// Reads an allocation file. Every problem with the file is reported at once as
/// [`Error::InvalidInput`], each located as `file:line: column: message`.
pub fn read_allocation(path: &Path) -> crate::Result<Vec<AllocationRow>> {
    let name = path.display().to_string();
    let text = read_checked_file(path, "allocation")?;
    parse_allocation(&name, &text).map_err(Error::InvalidInput)
}

/// The text of a file the checker reads (`what`: `allocation`, `decisions`), or an
/// [`Error::InvalidInput`] located at the file (or the first line that is not UTF-8).
pub(super) fn read_checked_file(path: &Path, what: &str) -> crate::Result<String> {
    read_text(path).map_err(|failure| {
        let (line, message) = match failure {
            TextFailure::Io(e) => (None, format!("cannot read the {what} file: {e}")),
            TextFailure::NotUtf8 { line } => (
                Some(line),
                "the file is not UTF-8 text; save it as CSV UTF-8".to_string(),
            ),
        };
        Error::InvalidInput(InputErrors(vec![InputError {
            file: path.display().to_string(),
            line,
            column: String::new(),
            cell: None,
            code: codes::FILE,
            message,
        }]))
    })
}

/// The header row of a checked CSV file: an error at its line when it is not valid CSV,
/// or at line 1 when the file is empty (`expected`: the column to name and what the
/// header should hold, in words).
pub(super) fn header_row(
    table: &mut Table<'_>,
    name: &str,
    expected: (&str, &str),
) -> Result<csv::StringRecord, InputError> {
    let error = |line: u64, column: &str, code: &'static str, message: String| InputError {
        file: name.to_string(),
        line: Some(line),
        column: column.to_string(),
        cell: None,
        code,
        message,
    };
    match table.next() {
        Some((_, Ok(header))) => Ok(header),
        Some((line, Err(e))) => Err(error(
            line,
            "",
            codes::MALFORMED_ROW,
            format!("the header row is not valid CSV: {e}"),
        )),
        None => Err(error(
            1,
            expected.0,
            codes::MISSING_COLUMN,
            format!("the file is empty; expected {}", expected.1),
        )),
    }
}

/// Parses the text of an allocation file; `name` is the file name used in messages.
pub fn parse_allocation(name: &str, text: &str) -> Result<Vec<AllocationRow>, InputErrors> {
    let error = |line: Option<u64>, column: &str, code: &'static str, message: String| InputError {
        file: name.to_string(),
        line,
        column: column.to_string(),
        cell: None,
        code,
        message,
    };
    // Byte order mark, CRLF, trimmed cells and the line of each record: as for scenarios.
    let mut table = Table::new(text);
    let expected = ("case_id", "a header row with `case_id`");
    let header = header_row(&mut table, name, expected).map_err(|e| InputErrors(vec![e]))?;
    let mut errors = Vec::new();
    let (found, duplicates) = header_columns(&header, &COLUMNS);
    for column in COLUMNS {
        if duplicates.iter().any(|&(repeated, _)| repeated == column) {
            let message = format!("the header has more than one `{column}` column");
            errors.push(error(Some(1), column, codes::DUPLICATE_COLUMN, message));
        }
    }
    let worker_col = found.get("worker_id").copied();
    let change_col = found.get("change").copied();
    let Some(&case_col) = found.get("case_id") else {
        let message = "the header has no `case_id` column".to_string();
        errors.push(error(Some(1), "case_id", codes::MISSING_COLUMN, message));
        return Err(InputErrors(errors));
    };

    let mut rows = Vec::new();
    for (line, record) in table {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let message = format!("not valid CSV: {e}");
                errors.push(error(Some(line), "", codes::MALFORMED_ROW, message));
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != header.len() {
            let message = format!(
                "the row has {} cells but the header has {}",
                record.len(),
                header.len()
            );
            errors.push(error(Some(line), "", codes::MALFORMED_ROW, message));
            continue;
        }
        let cell = |col: Option<usize>| col.and_then(|i| record.get(i)).filter(|s| !s.is_empty());
        let Some(case) = cell(Some(case_col)) else {
            let message = "the case id is empty".to_string();
            errors.push(error(Some(line), "case_id", codes::EMPTY_ID, message));
            continue;
        };
        rows.push(AllocationRow {
            line,
            case: CaseId::new(case),
            worker: cell(worker_col).map(WorkerId::new),
            change: cell(change_col).map(str::to_string),
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(InputErrors(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: u64, case: &str, worker: Option<&str>, change: Option<&str>) -> AllocationRow {
        AllocationRow {
            line,
            case: CaseId::new(case),
            worker: worker.map(WorkerId::new),
            change: change.map(str::to_string),
        }
    }

    #[test]
    fn accepts_bom_crlf_spaces_and_extra_columns() {
        let text = "\u{feff}case_id , Worker_ID,previous_worker,change,reason\r\n\
                    C1 , W1 ,W1, kept ,\r\n\
                    \"C2\",,W1,unallocated,\"no room, sadly\"\r\n\
                    C3,W2,,,\r\n";
        let rows = parse_allocation("a.csv", text).unwrap();
        assert_eq!(
            rows,
            vec![
                row(2, "C1", Some("W1"), Some("kept")),
                row(3, "C2", None, Some("unallocated")),
                row(4, "C3", Some("W2"), None),
            ]
        );
    }

    #[test]
    fn only_case_id_is_required_and_blank_rows_are_skipped() {
        let text = "case_id\nC1\n\n,\nC2\n";
        let rows = parse_allocation("a.csv", text).unwrap();
        assert_eq!(
            rows,
            vec![row(2, "C1", None, None), row(5, "C2", None, None)]
        );
    }

    #[test]
    fn missing_case_id_column_is_reported_on_the_header() {
        let errors = parse_allocation("a.csv", "case,worker_id\nC1,W1\n").unwrap_err();
        assert_eq!(errors.0.len(), 1);
        let e = &errors.0[0];
        assert_eq!(
            (e.line, e.column.as_str(), e.code),
            (Some(1), "case_id", "E-MISSING-COLUMN")
        );
        assert!(errors
            .to_string()
            .starts_with("a.csv:1: case_id: the header has no"));
    }

    #[test]
    fn empty_file_lacks_the_header() {
        let errors = parse_allocation("a.csv", "").unwrap_err();
        assert_eq!(errors.0[0].code, codes::MISSING_COLUMN);
    }

    #[test]
    fn duplicate_column_is_reported() {
        let errors =
            parse_allocation("a.csv", "case_id,worker_id,Worker_Id\nC1,W1,W2\n").unwrap_err();
        assert_eq!(errors.0.len(), 1);
        assert_eq!(errors.0[0].code, codes::DUPLICATE_COLUMN);
        assert_eq!(errors.0[0].column, "worker_id");
    }

    #[test]
    fn every_malformed_row_is_reported_with_its_line() {
        let text = "case_id,worker_id\nC1,W1\nC2\n  ,W2\nC4,W1,extra\nC5,W3\n";
        let errors = parse_allocation("alloc.csv", text).unwrap_err();
        let found: Vec<(Option<u64>, &str, &str)> = errors
            .0
            .iter()
            .map(|e| (e.line, e.column.as_str(), e.code))
            .collect();
        assert_eq!(
            found,
            vec![
                (Some(3), "", "E-MALFORMED-ROW"),
                (Some(4), "case_id", "E-EMPTY-ID"),
                (Some(5), "", "E-MALFORMED-ROW"),
            ]
        );
        assert!(errors.0[0]
            .to_string()
            .starts_with("alloc.csv:3: the row has 1 cells"));
        assert!(errors.0[1]
            .to_string()
            .starts_with("alloc.csv:4: case_id: the case id"));
    }

    #[test]
    fn lines_are_right_after_crlf_and_blank_lines() {
        let text = "case_id,worker_id\r\nC1,W1\r\n\r\nC2\r\nC3,W1\r\n";
        let errors = parse_allocation("a.csv", text).unwrap_err();
        assert_eq!(errors.0.len(), 1);
        assert_eq!(errors.0[0].line, Some(4));
    }

    #[test]
    fn lines_are_right_after_a_bom_and_quoted_line_breaks() {
        let text = "\u{feff}case_id,worker_id,reason\r\n\
                    C1,W1,\"first line\r\nsecond line\"\r\n\
                    \r\n\
                    C2,W2,\"a\nb\nc\"\r\n\
                    C3\r\n\
                    C4,,\r\n";
        let errors = parse_allocation("a.csv", text).unwrap_err();
        assert_eq!(errors.0.len(), 1);
        assert_eq!(errors.0[0].line, Some(8), "{errors}");
        let text = text.replace("C3\r\n", "");
        let rows = parse_allocation("a.csv", &text).unwrap();
        let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 5, 8]);
    }

    /// Issue 11: each row's line was found by rescanning the file from the start, so
    /// 50,000 rows took over a minute; one pass takes well under a second (in release).
    #[test]
    fn a_large_file_is_read_in_one_pass() {
        let rows = 50_000;
        let mut text = String::from("case_id,worker_id,change\r\n");
        for i in 0..rows {
            text.push_str(&format!("C{i:06},W{:04},kept\r\n", i % 997));
        }
        let start = std::time::Instant::now();
        let read = parse_allocation("big.csv", &text).unwrap();
        let elapsed = start.elapsed();
        assert_eq!(read.len(), rows);
        assert_eq!(read[rows - 1].line, rows as u64 + 1);
        // Generous for a busy machine and a debug build; the quadratic scan took minutes.
        assert!(elapsed.as_secs() < 20, "{elapsed:?}");
    }

    #[test]
    fn read_reports_a_missing_file_as_invalid_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope.csv");
        match read_allocation(&path) {
            Err(Error::InvalidInput(errors)) => assert_eq!(errors.0[0].code, codes::FILE),
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn read_locates_invalid_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        std::fs::write(&path, b"case_id,worker_id\nC1,W1\nC2,W\xe92\n").unwrap();
        match read_allocation(&path) {
            Err(Error::InvalidInput(errors)) => {
                assert_eq!((errors.0[0].line, errors.0[0].code), (Some(3), codes::FILE));
            }
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn read_parses_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        std::fs::write(&path, "case_id,worker_id\r\nC1,W1\r\n").unwrap();
        let rows = read_allocation(&path).unwrap();
        assert_eq!(rows, vec![row(2, "C1", Some("W1"), None)]);
    }
}
