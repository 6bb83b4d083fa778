//! Reading an allocation file: the solver's `allocation.csv` or a manager's spreadsheet.
//!
//! A CSV file with a header row. Column `case_id` is required; `worker_id` (empty means
//! unallocated) and `change` are optional; any other column is ignored. Column names are
//! matched case-insensitively after trimming. A UTF-8 byte-order mark, CRLF line ends and
//! spaces around cells are accepted, and rows whose cells are all empty are skipped.

use std::path::Path;

use crate::model::{CaseId, WorkerId};
use crate::{Error, InputError, InputErrors};

/// Stable error codes for problems with the allocation file itself.
pub mod codes {
    /// The file is missing, unreadable or not UTF-8 text.
    pub const FILE: &str = "E-FILE";
    /// The header lacks a required column (or the file has no header at all).
    pub const MISSING_COLUMN: &str = "E-MISSING-COLUMN";
    /// The header names a column the checker reads more than once.
    pub const DUPLICATE_COLUMN: &str = "E-DUPLICATE-COLUMN";
    /// A row does not have as many cells as the header, or is not valid CSV.
    pub const MALFORMED_ROW: &str = "E-MALFORMED-ROW";
    /// A row has an empty `case_id`.
    pub const EMPTY_ID: &str = "E-EMPTY-ID";
}

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
    let bytes = std::fs::read(path).map_err(|e| {
        Error::InvalidInput(InputErrors(vec![InputError {
            file: name.clone(),
            line: None,
            column: String::new(),
            code: codes::FILE,
            message: format!("cannot read the allocation file: {e}"),
        }]))
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = 1 + valid.iter().filter(|&&b| b == b'\n').count() as u64;
        Error::InvalidInput(InputErrors(vec![InputError {
            file: name.clone(),
            line: Some(line),
            column: String::new(),
            code: codes::FILE,
            message: "the file is not UTF-8 text; save it as CSV UTF-8".to_string(),
        }]))
    })?;
    parse_allocation(&name, &text).map_err(Error::InvalidInput)
}

/// Parses the text of an allocation file; `name` is the file name used in messages.
pub fn parse_allocation(name: &str, text: &str) -> Result<Vec<AllocationRow>, InputErrors> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let error = |line: Option<u64>, column: &str, code: &'static str, message: String| InputError {
        file: name.to_string(),
        line,
        column: column.to_string(),
        code,
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // The line of a record from its byte offset. csv's own line counter, and its offset,
    // stop short of the `\n` of a CRLF line end, so line-end bytes are skipped first.
    let line_at = |position: Option<&csv::Position>| {
        position.map(|p| {
            let bytes = text.as_bytes();
            let mut start = usize::try_from(p.byte())
                .unwrap_or(usize::MAX)
                .min(bytes.len());
            while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
                start += 1;
            }
            1 + bytes[..start].iter().filter(|&&b| b == b'\n').count() as u64
        })
    };
    let mut records = reader.records();

    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(e)) => {
            let line = line_at(e.position());
            let message = format!("the header row is not valid CSV: {e}");
            return Err(InputErrors(vec![error(
                line,
                "",
                codes::MALFORMED_ROW,
                message,
            )]));
        }
        None => {
            let message = "the file is empty; expected a header row with `case_id`".to_string();
            return Err(InputErrors(vec![error(
                Some(1),
                "case_id",
                codes::MISSING_COLUMN,
                message,
            )]));
        }
    };
    let mut errors = Vec::new();
    let mut find = |column: &str| {
        let mut found = header
            .iter()
            .enumerate()
            .filter(|(_, h)| h.trim().eq_ignore_ascii_case(column))
            .map(|(i, _)| i);
        let first = found.next();
        if found.next().is_some() {
            let message = format!("the header has more than one `{column}` column");
            errors.push(error(Some(1), column, codes::DUPLICATE_COLUMN, message));
        }
        first
    };
    let case_col = find("case_id");
    let worker_col = find("worker_id");
    let change_col = find("change");
    let Some(case_col) = case_col else {
        let message = "the header has no `case_id` column".to_string();
        errors.push(error(Some(1), "case_id", codes::MISSING_COLUMN, message));
        return Err(InputErrors(errors));
    };

    let mut rows = Vec::new();
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = line_at(e.position());
                let message = format!("not valid CSV: {e}");
                errors.push(error(line, "", codes::MALFORMED_ROW, message));
                continue;
            }
        };
        let line = line_at(record.position()).unwrap_or(0);
        if record.iter().all(|cell| cell.trim().is_empty()) {
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
        let cell = |col: Option<usize>| {
            col.and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
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
