//! What can go wrong with a record file, in words a user can act on.

use std::path::PathBuf;
use std::time::Duration;

/// Errors of [`Record`](super::Record). Nothing committed to a record is lost by any of
/// them: a run is written in one transaction, which these leave rolled back.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The file exists but is not a caseload record (another SQLite database, or not a
    /// database at all).
    #[error("{}: not a caseload record (another program's file?); give a new file name or an existing record", path.display())]
    NotARecord {
        /// The file.
        path: PathBuf,
    },
    /// The record was written by a newer caseload, with a schema this one does not know.
    #[error("{}: the record has schema version {found}, this caseload knows up to {known}: use a newer caseload", path.display())]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// The file's schema version.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
    /// Another process held the record's write lock for longer than we wait.
    #[error("{}: the record is locked by another writer; waited {:.0} s, try again when it has finished", path.display(), waited.as_secs_f64())]
    Locked {
        /// The file.
        path: PathBuf,
        /// How long we waited.
        waited: Duration,
    },
    /// The file or its folder cannot be written.
    #[error("{}: the record is read-only (file or folder permissions); nothing was recorded", path.display())]
    ReadOnly {
        /// The file.
        path: PathBuf,
    },
    /// The disk is full.
    #[error("{}: the disk is full; nothing was recorded", path.display())]
    DiskFull {
        /// The file.
        path: PathBuf,
    },
    /// No run has this id.
    #[error("{}: no run {id} in the record (runs: {known})", path.display())]
    UnknownRun {
        /// The file.
        path: PathBuf,
        /// The id asked for.
        id: i64,
        /// The ids there are, in words (`1–12`, `none yet`).
        known: String,
    },
    /// The record file cannot be created or opened.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Any other SQLite error.
    #[error("{}: {source}", path.display())]
    Sqlite {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: rusqlite::Error,
    },
    /// A value kept in the record does not read back (a damaged or hand-edited file).
    #[error("{}: damaged record: {what}", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What does not read back.
        what: String,
    },
}

impl RecordError {
    /// Whether the error is about the record file given rather than a failure while
    /// using it: not a record, or a newer schema (the binary exits 2 for these).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            RecordError::NotARecord { .. }
                | RecordError::NewerSchema { .. }
                | RecordError::UnknownRun { .. }
        )
    }
}
