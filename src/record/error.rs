//! What can go wrong with a record file, in words a user can act on.

use std::path::PathBuf;
use std::time::Duration;

/// Errors of [`Record`](super::Record). Nothing committed to a record is lost by any of
/// them: a run is written in one transaction, which these leave rolled back.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The file exists but is not a caseload record (another SQLite database, or not a
    /// database at all).
    #[error("the record {} is damaged or not a caseload record (another program's file?): restore it from a backup (docs/record.md), or give a new file name", path.display())]
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
    /// A decision needs a run to be taken on, and the record has none.
    #[error("{}: the record has no run yet: allocate with --record first, then decide on its proposal", path.display())]
    NoRun {
        /// The file.
        path: PathBuf,
    },
    /// A decision names a case the newest run does not have.
    #[error("{}: no case {case} in run {run}, the newest run on the record", path.display())]
    UnknownCase {
        /// The file.
        path: PathBuf,
        /// The case asked for.
        case: String,
        /// The newest run.
        run: i64,
    },
    /// A decision names a worker the newest run does not have.
    #[error("{}: no worker {worker} in run {run}, the newest run on the record", path.display())]
    UnknownWorker {
        /// The file.
        path: PathBuf,
        /// The worker asked for.
        worker: String,
        /// The newest run.
        run: i64,
    },
    /// A decision is malformed (a worker missing, or given where none is taken).
    #[error("{}: {what}", path.display())]
    BadDecision {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// A decision was taken on a proposal that is no longer the newest run's.
    #[error("{}: the decision was taken on run {on_run}, but run {newest} is newer: {changed}", path.display())]
    Stale {
        /// The file.
        path: PathBuf,
        /// The run the decision was taken on.
        on_run: i64,
        /// The newest run on the record.
        newest: i64,
        /// What changed for the decision's case or worker, in words.
        changed: String,
    },
    /// A run's input files, as kept, no longer read as a scenario (a record written by
    /// an older caseload whose rules have since changed).
    #[error("{}: the inputs of run {run} no longer read as a scenario: {message}", path.display())]
    Inputs {
        /// The file.
        path: PathBuf,
        /// The run.
        run: i64,
        /// What is wrong with them.
        message: String,
    },
    /// No decision has this id.
    #[error("{}: no decision {id} in the record", path.display())]
    UnknownDecision {
        /// The file.
        path: PathBuf,
        /// The id asked for.
        id: i64,
    },
    /// The decision was withdrawn already.
    #[error("{}: decision {id} was withdrawn already", path.display())]
    AlreadyWithdrawn {
        /// The file.
        path: PathBuf,
        /// The id.
        id: i64,
    },
    /// A command that only reads was given a record file that does not exist.
    #[error("{}: no record here (`allocate --record` creates one)", path.display())]
    Missing {
        /// The file.
        path: PathBuf,
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
    #[error("the record {} is damaged or not a caseload record ({what}): restore it from a backup (docs/record.md); nothing was written", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What does not read back.
        what: String,
    },
}

impl RecordError {
    /// The file the error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            RecordError::NotARecord { path }
            | RecordError::NewerSchema { path, .. }
            | RecordError::Locked { path, .. }
            | RecordError::ReadOnly { path }
            | RecordError::DiskFull { path }
            | RecordError::UnknownRun { path, .. }
            | RecordError::NoRun { path }
            | RecordError::UnknownCase { path, .. }
            | RecordError::UnknownWorker { path, .. }
            | RecordError::BadDecision { path, .. }
            | RecordError::Stale { path, .. }
            | RecordError::Inputs { path, .. }
            | RecordError::UnknownDecision { path, .. }
            | RecordError::AlreadyWithdrawn { path, .. }
            | RecordError::Missing { path }
            | RecordError::Io { path, .. }
            | RecordError::Sqlite { path, .. }
            | RecordError::Damaged { path, .. } => path,
        }
    }

    /// The error in words that name no file: for an answer to someone who does not see
    /// the server's folders (the workspace's API). The file is "the record".
    pub fn in_words(&self) -> String {
        let text = self.to_string();
        let path = self.path().display().to_string();
        if path.is_empty() {
            return text;
        }
        text.replace(&format!("the record {path}"), "the record")
            .replace(&format!("{path}: the record"), "the record")
            .replace(&format!("{path}: "), "the record: ")
            .replace(&path, "the record")
    }

    /// Whether the error is about the record file given rather than a failure while
    /// using it: not a record or a damaged one, none there to read, a newer schema, an unknown run, case, worker or decision,
    /// a decision without a run to take it on (the binary exits 2 for these).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            RecordError::NotARecord { .. }
                | RecordError::Damaged { .. }
                | RecordError::Missing { .. }
                | RecordError::NewerSchema { .. }
                | RecordError::UnknownRun { .. }
                | RecordError::NoRun { .. }
                | RecordError::UnknownCase { .. }
                | RecordError::UnknownWorker { .. }
                | RecordError::BadDecision { .. }
                | RecordError::Stale { .. }
                | RecordError::UnknownDecision { .. }
                | RecordError::AlreadyWithdrawn { .. }
        )
    }
}
