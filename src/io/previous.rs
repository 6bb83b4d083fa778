//! Reading a previous proposal (`allocate --previous FILE`): an `allocation.csv` as
//! `allocate` writes it, of which the columns `case_id` and `worker_id` are read (by
//! name, in any order; others are ignored). An empty `worker_id` is a case left
//! unallocated.

use std::path::Path;

use super::csv::{CsvFile, DataRow, Table};
use super::source::{read_text, TextFailure};
use crate::codes;
use crate::error::{Error, InputError, InputErrors};
use crate::model::{CaseId, Previous, WorkerId};

const COLUMNS: [&str; 2] = ["case_id", "worker_id"];

/// Reads the previous proposal in the `allocation.csv` at `path`; its `file` is the path.
///
/// # Errors
/// [`Error::InvalidInput`] locating every problem (file, line, column): a file that
/// cannot be read, a missing column, a malformed row, an empty or repeated `case_id`.
/// [`Error::Io`] is not used: an unreadable file is an input problem here.
pub fn read_previous(path: &Path) -> Result<Previous, Error> {
    let name = path.display().to_string();
    let located = |line: Option<u64>, code, message: String| InputError {
        file: name.clone(),
        line,
        column: String::new(),
        cell: None,
        code,
        message,
    };
    let text = match read_text(path) {
        Ok(text) => text,
        Err(TextFailure::Io(e)) => {
            let error = located(None, codes::UNREADABLE, format!("cannot be read: {e}"));
            return Err(Error::InvalidInput(InputErrors(vec![error])));
        }
        Err(TextFailure::NotUtf8 { line }) => {
            let message = "is not UTF-8 text: save it as CSV UTF-8".to_string();
            let error = located(Some(line), codes::ENCODING, message);
            return Err(Error::InvalidInput(InputErrors(vec![error])));
        }
    };
    let mut errors = Vec::new();
    let mut rows: Vec<(CaseId, Option<WorkerId>)> = Vec::new();
    let mut seen = std::collections::BTreeMap::new();
    {
        let mut file = CsvFile {
            name: &name,
            table: Table::new(&text),
            errors: &mut errors,
        };
        if let Some(header) = file.header(&COLUMNS, &COLUMNS) {
            while let Some(row) = file.data_row(&header) {
                let DataRow::Fields(record, line) = row else {
                    continue;
                };
                let cells = file.cells(&header, &record, line);
                let (case, worker) = (cells.text("case_id"), cells.text("worker_id"));
                if case.is_empty() {
                    let message = "the case id is empty".to_string();
                    file.error(line, "case_id", codes::EMPTY_ID, message);
                    continue;
                }
                if let Some(first) = seen.insert(case.to_string(), line) {
                    let message = format!("case `{case}` is listed again (first on line {first})");
                    file.error(line, "case_id", codes::DUPLICATE_ID, message);
                    continue;
                }
                let worker = (!worker.is_empty()).then(|| WorkerId::from(worker));
                rows.push((CaseId::from(case), worker));
            }
        }
    }
    if !errors.is_empty() {
        return Err(Error::InvalidInput(InputErrors(errors)));
    }
    let mut previous = Previous::from_rows(rows);
    previous.file = Some(name);
    Ok(previous)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cases_and_workers_by_column_name_and_locates_problems() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("allocation.csv");
        std::fs::write(
            &path,
            "\u{feff}reason,Worker_ID,case_id\r\nkept,W1,C1\r\nnone,,C2\r\n",
        )
        .unwrap();
        let previous = read_previous(&path).unwrap();
        assert_eq!(previous.worker_of(&"C1".into()), Some(Some(&"W1".into())));
        assert_eq!(previous.worker_of(&"C2".into()), Some(None));
        assert_eq!(previous.worker_of(&"C3".into()), None);
        assert_eq!(
            previous.file.as_deref(),
            Some(path.display().to_string().as_str())
        );

        std::fs::write(&path, "case_id,worker_id\nC1,W1\n,W2\nC1,W3\n").unwrap();
        let Err(Error::InvalidInput(errors)) = read_previous(&path) else {
            panic!("a repeated and an empty case id are refused");
        };
        let lines: Vec<_> = errors.0.iter().map(|e| (e.line, e.code)).collect();
        assert_eq!(
            lines,
            [(Some(3), codes::EMPTY_ID), (Some(4), codes::DUPLICATE_ID)]
        );

        std::fs::write(&path, "case_id,worker\nC1,W1\n").unwrap();
        let Err(Error::InvalidInput(errors)) = read_previous(&path) else {
            panic!("a missing column is refused");
        };
        assert_eq!(errors.0[0].column, "worker_id");
        assert_eq!(errors.0[0].code, codes::MISSING_COLUMN);
    }
}
