//! The service's access log, in the record (SPEC v3, "One service, many managers"): who
//! called, when, which call, which children, workers and teams the answer held, and the
//! outcome (refusals included: 401, 403). The service writes each row, committed, before
//! it sends the answer: a server killed at any moment has logged every answer it sent.
//! `caseload history DB --access` lists it.

use rusqlite::params;
use serde::Serialize;

use super::{Record, RecordError};

/// One row of the access log to be written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NewAccess {
    /// The caller's `sub` (empty when no identity was established).
    pub sub: String,
    /// Their email.
    pub email: String,
    /// Their name.
    pub name: String,
    /// Their role (empty when none).
    pub role: String,
    /// The HTTP method.
    pub method: String,
    /// The path and query.
    pub call: String,
    /// The answer's status.
    pub status: u16,
    /// In words: `ok`, or why it was refused.
    pub outcome: String,
    /// The teams whose data the answer held, sorted.
    pub teams: Vec<String>,
    /// The children (case ids) the answer held or the call acted on, sorted.
    pub children: Vec<String>,
    /// The workers the answer held or the call acted on, sorted.
    pub workers: Vec<String>,
}

/// One row of the access log as kept: its id and time, and the row as written (its
/// fields flattened in JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccessRecord {
    /// Its id: 1, 2, 3… in the order written.
    pub id: i64,
    /// When, UTC, ISO 8601 with milliseconds.
    pub at: String,
    /// Who, what, and the outcome.
    #[serde(flatten)]
    pub access: NewAccess,
}

fn list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_string())
}

fn unlist(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn insert(tx: &rusqlite::Transaction<'_>, row: &NewAccess) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO access (at, sub, email, name, role, method, call, status, outcome,
                             teams, children, workers)
         VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                 ?9, ?10, ?11)",
        params![
            row.sub,
            row.email,
            row.name,
            row.role,
            row.method,
            row.call,
            row.status,
            row.outcome,
            list(&row.teams),
            list(&row.children),
            list(&row.workers),
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

impl Record {
    /// Writes one row of the access log, committed before it returns; its id.
    pub fn log_access(&mut self, row: &NewAccess) -> Result<i64, RecordError> {
        self.log_accesses(std::slice::from_ref(row))
    }

    /// Writes rows of the access log in one transaction (one commit for many calls: the
    /// service's group commit), committed before it returns; the last one's id.
    pub fn log_accesses(&mut self, rows: &[NewAccess]) -> Result<i64, RecordError> {
        self.store.write(|tx, path, wait| {
            let mut last = 0;
            for row in rows {
                last = insert(tx, row).map_err(|e| super::sql::classify(path, wait, e))?;
            }
            Ok(last)
        })
    }

    /// The access log, oldest first; with `since` (an ISO 8601 time or date, UTC), only
    /// rows at or after it.
    pub fn access_log(&self, since: Option<&str>) -> Result<Vec<AccessRecord>, RecordError> {
        let conn = self.store.conn();
        let mut statement = conn
            .prepare(
                "SELECT id, at, sub, email, name, role, method, call, status, outcome, teams,
                        children, workers
                 FROM access WHERE at >= ?1 ORDER BY id",
            )
            .map_err(|e| self.store.err(e))?;
        let rows = statement
            .query_map(params![since.unwrap_or("")], |r| {
                Ok(AccessRecord {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    access: NewAccess {
                        sub: r.get(2)?,
                        email: r.get(3)?,
                        name: r.get(4)?,
                        role: r.get(5)?,
                        method: r.get(6)?,
                        call: r.get(7)?,
                        status: r.get(8)?,
                        outcome: r.get(9)?,
                        teams: unlist(&r.get::<_, String>(10)?),
                        children: unlist(&r.get::<_, String>(11)?),
                        workers: unlist(&r.get::<_, String>(12)?),
                    },
                })
            })
            .map_err(|e| self.store.err(e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.store.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_rows_are_kept_in_order_and_read_since_a_time_and_through_older_readers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("record.sqlite");
        let mut record = Record::open(&path).unwrap();
        let row = NewAccess {
            sub: "u1".into(),
            email: "pat@example.org".into(),
            name: "Pat".into(),
            role: "manager".into(),
            method: "GET".into(),
            call: "/api/proposal".into(),
            status: 200,
            outcome: "ok".into(),
            teams: vec!["T01".into()],
            children: vec!["C1".into(), "C2".into()],
            workers: vec!["W1".into()],
        };
        assert_eq!(record.log_access(&row).unwrap(), 1);
        // Times are kept to the millisecond.
        std::thread::sleep(std::time::Duration::from_millis(5));
        let refused = NewAccess {
            status: 401,
            outcome: "no token".into(),
            ..NewAccess::default()
        };
        assert_eq!(record.log_access(&refused).unwrap(), 2);
        drop(record);
        let read = Record::open_read_only(&path).unwrap();
        let log = read.access_log(None).unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].access.children, ["C1", "C2"]);
        assert_eq!(log[0].access.teams, ["T01"]);
        assert_eq!(log[1].access.status, 401);
        assert!(log[0].at <= log[1].at);
        assert_eq!(read.access_log(Some(&log[1].at)).unwrap().len(), 1);
        assert!(read.access_log(Some("9999-01-01")).unwrap().is_empty());
    }

    #[test]
    fn a_record_of_an_older_schema_reads_an_empty_access_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("record.sqlite");
        drop(super::super::sql::Store::open_upto(&path, 3).unwrap());
        let read = Record::open_read_only(&path).unwrap();
        assert!(read.access_log(None).unwrap().is_empty());
    }
}
