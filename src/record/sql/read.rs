//! Reading the record's runs back: their summary rows, allocation rows, loads and input
//! files (checked against their SHA-256), for the store ([`super::Store`]).

use rusqlite::OptionalExtension;

use super::runs::{run_info, RUN_COLUMNS};
use super::Store;
use crate::record::{InputFile, LoadRecord, RecordError, RowRecord, RunId, RunInfo};

impl Store {
    /// Every run, oldest first.
    pub fn runs(&self) -> Result<Vec<RunInfo>, RecordError> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {RUN_COLUMNS} FROM run ORDER BY id"))
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], run_info).map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// The runs recorded after run `after`, oldest first: one look at the primary key.
    pub fn runs_after(&self, after: RunId) -> Result<Vec<RunInfo>, RecordError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {RUN_COLUMNS} FROM run WHERE id > ?1 ORDER BY id"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([after], run_info).map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// One run.
    pub fn run(&self, id: RunId) -> Result<RunInfo, RecordError> {
        self.conn
            .query_row(
                &format!("SELECT {RUN_COLUMNS} FROM run WHERE id = ?1"),
                [id],
                run_info,
            )
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or_else(|| self.unknown_run(id))
    }

    fn unknown_run(&self, id: RunId) -> RecordError {
        let known = match self
            .conn
            .query_row("SELECT min(id), max(id) FROM run", [], |r| {
                Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?))
            }) {
            Ok((Some(a), Some(b))) if a == b => format!("{a}"),
            Ok((Some(a), Some(b))) => format!("{a}–{b}"),
            _ => "none yet".to_string(),
        };
        RecordError::UnknownRun {
            path: self.path.clone(),
            id,
            known,
        }
    }

    /// The newest run, if any.
    pub fn last_run(&self) -> Result<Option<RunId>, RecordError> {
        self.conn
            .query_row("SELECT max(id) FROM run", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// A run's allocation rows, by case id.
    pub fn rows(&self, id: RunId) -> Result<Vec<RowRecord>, RecordError> {
        self.run(id)?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT case_id, worker_id, previous_worker, change, reason FROM run_row
                 WHERE run = ?1 ORDER BY case_id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([id], |r| {
                Ok(RowRecord {
                    case_id: r.get(0)?,
                    worker_id: r.get(1)?,
                    previous_worker: r.get(2)?,
                    change: r.get(3)?,
                    reason: r.get(4)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// A run's loads, by worker id.
    pub fn loads(&self, id: RunId) -> Result<Vec<LoadRecord>, RecordError> {
        self.run(id)?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT worker_id, team, capacity, load_before, load_after, cases FROM run_load
                 WHERE run = ?1 ORDER BY worker_id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([id], |r| {
                Ok(LoadRecord {
                    worker_id: r.get(0)?,
                    team: r.get(1)?,
                    capacity: r.get(2)?,
                    load_before: r.get(3)?,
                    load_after: r.get(4)?,
                    cases: r.get(5)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// A run's input files, by name, with their bytes.
    pub fn inputs(&self, id: RunId) -> Result<Vec<InputFile>, RecordError> {
        self.run(id)?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT i.name, b.bytes, i.sha256 FROM run_input i JOIN blob b USING (sha256)
                 WHERE i.run = ?1 ORDER BY i.name",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut files = Vec::new();
        for row in rows {
            let (name, bytes, sha) = row.map_err(|e| self.err(e))?;
            let file = InputFile { name, bytes };
            if file.sha256() != sha {
                return Err(self.damaged(format!(
                    "input {} of run {id} does not match its SHA-256",
                    file.name
                )));
            }
            files.push(file);
        }
        Ok(files)
    }
}
