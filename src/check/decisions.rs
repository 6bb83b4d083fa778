//! Reading `decisions.csv`, the managers' decisions a recorded run applied, so that the
//! checker holds the allocation to them too.
//!
//! `allocate --record` writes the file beside `allocation.csv`: one row per standing
//! decision, with `applied` `yes` or `no`. Only the applied ones bind the allocation:
//! `accept`, `reject` and `assign` hold their case (and its siblings) with `worker_id`,
//! or unallocated when it is empty; `never` rules `worker_id` out. On a worker (the case
//! empty), `leaving` and `leave` make `worker_id` unavailable and `capacity` sets its
//! capacity to the `capacity` column. The checker reads the file on its own and sets
//! [`Case::hold`](crate::model::Case::hold), [`Case::never`](crate::model::Case::never)
//! and the workers' `available` and `capacity` on its copy of the scenario; the rules
//! are then checked as for any other allocation.

use std::path::Path;

use crate::codes;
use crate::io::csv::{header_columns, Table};
use crate::model::{CaseId, Decided, DecisionKind, Ruling, WorkerId};
use crate::{Error, InputError, InputErrors};

/// The columns read; the file has `why` as well. All but the last are required:
/// `capacity` is read when present (files written before decisions on workers lack it).
const COLUMNS: [&str; 9] = [
    "decision_id",
    "case_id",
    "kind",
    "worker_id",
    "by",
    "at",
    "note",
    "applied",
    "capacity",
];

/// The columns a `decisions.csv` must have.
const REQUIRED: &[&str] = COLUMNS.split_at(COLUMNS.len() - 1).0;

/// One decision of a `decisions.csv` file.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionRow {
    /// 1-based line in the file.
    pub line: u64,
    /// The case (empty for a decision on a worker).
    pub case: CaseId,
    /// Who decided what, and when.
    pub decided: Decided,
    /// The worker it names (`None`: unallocated).
    pub worker: Option<WorkerId>,
    /// Whether the run applied it.
    pub applied: bool,
    /// The capacity a `capacity` decision sets.
    pub capacity: Option<f64>,
}

impl DecisionRow {
    /// The decision as kept in a record (`None` if the row's parts make no decision,
    /// which [`parse_decisions`] refuses).
    pub fn decision(&self) -> Option<crate::model::Decision> {
        let ruling = crate::model::Ruling::from_parts(
            self.decided.kind,
            Some(self.case.as_str()),
            self.worker.as_ref().map(|w| w.as_str()),
            self.capacity,
        )
        .ok()?;
        Some(crate::model::Decision {
            id: self.decided.id,
            at: self.decided.at.clone(),
            by: self.decided.by.clone(),
            note: self.decided.note.clone(),
            ruling,
        })
    }
}

/// Reads every decision of a `decisions.csv` file, every problem located.
pub fn read_decisions(path: &Path) -> crate::Result<Vec<DecisionRow>> {
    let name = path.display().to_string();
    let text = super::file::read_checked_file(path, "decisions")?;
    parse_decisions(&name, &text).map_err(Error::InvalidInput)
}

/// Parses the text of a `decisions.csv` file; `name` is the file name used in messages.
pub fn parse_decisions(name: &str, text: &str) -> Result<Vec<DecisionRow>, InputErrors> {
    let error = |line: u64, column: &str, code: &'static str, message: String| InputError {
        file: name.to_string(),
        line: Some(line),
        cell: None,
        column: column.to_string(),
        code,
        message,
    };
    let mut table = Table::new(text);
    let expected = ("", "the header of decisions.csv");
    let header =
        super::file::header_row(&mut table, name, expected).map_err(|e| InputErrors(vec![e]))?;
    let (found, _) = header_columns(&header, &COLUMNS);
    let mut errors: Vec<InputError> = REQUIRED
        .iter()
        .filter(|c| !found.contains_key(*c))
        .map(|c| {
            let message = format!("the header has no `{c}` column");
            error(1, c, codes::MISSING_COLUMN, message)
        })
        .collect();
    if !errors.is_empty() {
        return Err(InputErrors(errors));
    }
    let mut rows = Vec::new();
    for (line, record) in table {
        let record = match record {
            Ok(record) if record.iter().all(str::is_empty) => continue,
            Ok(record) => record,
            Err(e) => {
                let message = format!("not valid CSV: {e}");
                errors.push(error(line, "", codes::MALFORMED_ROW, message));
                continue;
            }
        };
        let cell = |column: &str| {
            found
                .get(column)
                .and_then(|&i| record.get(i))
                .unwrap_or_default()
        };
        let applied = match cell("applied") {
            "yes" => true,
            "no" => false,
            other => {
                let message = format!("expected yes or no, got `{other}`");
                errors.push(error(line, "applied", codes::PARSE, message));
                continue;
            }
        };
        let kind = match cell("kind").parse::<DecisionKind>() {
            Ok(kind) => kind,
            Err(message) => {
                errors.push(error(line, "kind", codes::PARSE, message));
                continue;
            }
        };
        let Ok(id) = cell("decision_id").parse::<i64>() else {
            let message = format!("expected a whole number, got `{}`", cell("decision_id"));
            errors.push(error(line, "decision_id", codes::PARSE, message));
            continue;
        };
        let capacity = match (kind == DecisionKind::Capacity, cell("capacity")) {
            (false, _) | (true, "") => None,
            (true, text) => match text.parse::<f64>() {
                Ok(c) if c.is_finite() && c >= 0.0 => Some(c),
                _ => {
                    let message =
                        format!("a `capacity` decision needs a capacity ≥ 0, got `{text}`");
                    errors.push(error(line, "capacity", codes::PARSE, message));
                    continue;
                }
            },
        };
        // The one reading of a decision's shape (model::Ruling), as at every other door.
        let worker = Some(cell("worker_id")).filter(|w| !w.is_empty());
        if let Err(message) = Ruling::from_parts(kind, Some(cell("case_id")), worker, capacity) {
            let column = if message.contains("case") {
                "case_id"
            } else {
                "worker_id"
            };
            errors.push(error(line, column, codes::EMPTY_ID, message));
            continue;
        }
        let worker = worker.map(WorkerId::new);
        rows.push(DecisionRow {
            line,
            case: CaseId::new(cell("case_id")),
            decided: Decided {
                id,
                at: cell("at").to_string(),
                by: cell("by").to_string(),
                kind,
                note: cell("note").to_string(),
            },
            worker,
            applied,
            capacity,
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

    const HEADER: &str = "decision_id,case_id,kind,worker_id,by,at,note,applied,why\n";

    #[test]
    fn reads_every_row_with_whether_it_was_applied() {
        let text = format!(
            "{HEADER}1,C1,assign,W2,Sam,2026-12-03T09:00:00Z,,yes,\n\
             2,C2,never,W1,Sam,2026-12-03T09:01:00Z,\"conflict\",yes,\n\
             3,C3,reject,,Jo,2026-12-03T09:02:00Z,,yes,\n\
             4,C4,assign,W9,Jo,2026-12-03T09:03:00Z,,no,W9 is no longer in workers.csv\n"
        );
        let rows = parse_decisions("decisions.csv", &text).unwrap();
        let got: Vec<(u64, &str, DecisionKind, Option<&str>, bool)> = rows
            .iter()
            .map(|r| {
                (
                    r.line,
                    r.case.as_str(),
                    r.decided.kind,
                    r.worker.as_ref().map(|w| w.as_str()),
                    r.applied,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (2, "C1", DecisionKind::Assign, Some("W2"), true),
                (3, "C2", DecisionKind::Never, Some("W1"), true),
                (4, "C3", DecisionKind::Reject, None, true),
                (5, "C4", DecisionKind::Assign, Some("W9"), false),
            ]
        );
        assert_eq!(rows[1].decided.note, "conflict");
    }

    #[test]
    fn problems_are_located() {
        let text = format!(
            "{HEADER}x,C1,assign,W2,Sam,t,,yes,\n1,C1,keep,W2,Sam,t,,yes,\n1,C1,assign,W2,Sam,t,,maybe,\n"
        );
        let errors = parse_decisions("d.csv", &text).unwrap_err();
        let located: Vec<String> = errors.0.iter().map(|e| e.to_string()).collect();
        assert_eq!(located.len(), 3, "{located:?}");
        assert!(
            located[0].starts_with("d.csv:2: decision_id:"),
            "{located:?}"
        );
        assert!(located[1].starts_with("d.csv:3: kind:"), "{located:?}");
        assert!(located[2].starts_with("d.csv:4: applied:"), "{located:?}");
        let missing = parse_decisions("d.csv", "case_id,kind\n").unwrap_err();
        assert!(missing.0.iter().all(|e| e.line == Some(1)));
    }
}
