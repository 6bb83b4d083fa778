//! Every SQL statement of the record's runs, and what each run made of the decisions
//! (the schema is in [`super::schema`], taking and withdrawing decisions in
//! [`super::decide`]). The rest of the crate sees typed rows only.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, Transaction};

mod read;
mod runs;

use runs::insert_run;

use super::schema::{latest_version, APPLICATION_ID, MIGRATIONS};
use super::{NewRun, RecordError, RunId};

/// How long a writer waits for another writer's lock before [`RecordError::Locked`].
pub const LOCK_WAIT: Duration = Duration::from_secs(10);

/// An open record: the connection and the path it names in errors.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// How long a writer waits for another writer's lock.
    wait: Duration,
    /// The schema versions migrated from and to when opened, if it was.
    migrated: Option<(i64, i64)>,
}

impl Store {
    /// Opens (creating, mode 0600) and migrates the record at `path`.
    pub fn open(path: &Path) -> Result<Self, RecordError> {
        Self::open_upto(path, latest_version())
    }

    /// Opens an existing record for reading only: nothing is created, migrated or
    /// written, not even a side file (see [`super::open`]); an older schema is read
    /// through temporary views.
    pub fn open_read(path: &Path) -> Result<Self, RecordError> {
        if !path.is_file() {
            return Err(RecordError::Missing {
                path: path.to_path_buf(),
            });
        }
        check_whole(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI;
        let store = Self::connect_to(path, super::open::read_uri(path), flags)?;
        store.check_ours()?;
        let found = store.version()?;
        if found > latest_version() {
            return Err(RecordError::NewerSchema {
                path: path.to_path_buf(),
                found,
                known: latest_version(),
            });
        }
        if let Some(shim) = super::open::read_shim(found) {
            store
                .conn
                .pragma_update(None, "temp_store", "memory")
                .map_err(|e| store.err(e))?;
            store.conn.execute_batch(&shim).map_err(|e| store.err(e))?;
        }
        store
            .conn
            .pragma_update(None, "query_only", true)
            .map_err(|e| store.err(e))?;
        Ok(store)
    }

    /// The schema versions the file was migrated from and to when it was opened, if it
    /// was.
    pub fn migrated(&self) -> Option<(i64, i64)> {
        self.migrated
    }

    /// As [`Store::open`], migrating no further than `version` (tests use it to make a
    /// file of an older schema).
    pub fn open_upto(path: &Path, version: i64) -> Result<Self, RecordError> {
        create_private(path)?;
        check_whole(path)?;
        let mut store = Self::connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        if store
            .conn
            .is_readonly(rusqlite::MAIN_DB)
            .map_err(|e| store.err(e))?
        {
            return Err(RecordError::ReadOnly {
                path: path.to_path_buf(),
            });
        }
        store.check_ours()?;
        let mode: String = store
            .conn
            .pragma_update_and_check(None, "journal_mode", "wal", |row| row.get(0))
            .map_err(|e| store.err(e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(store.damaged(format!(
                "cannot use write-ahead logging (journal mode {mode})"
            )));
        }
        // Foreign keys are enforced once migrated: a migration that rebuilds a table
        // (SQLite's way of changing a CHECK) runs with them off, as SQLite documents
        // (the bundled SQLite has them on by default).
        store
            .conn
            .pragma_update(None, "foreign_keys", false)
            .map_err(|e| store.err(e))?;
        let found = store.version()?;
        store.migrate(version)?;
        if found > 0 && found < version {
            store.migrated = Some((found, version));
        }
        store
            .conn
            .pragma_update(None, "foreign_keys", true)
            .map_err(|e| store.err(e))?;
        Ok(store)
    }

    /// A connection to `path` opened with `flags`, waiting [`LOCK_WAIT`] for locks.
    fn connect(path: &Path, flags: OpenFlags) -> Result<Self, RecordError> {
        Self::connect_to(path, path, flags)
    }

    /// A connection to `target` (the path, or a URI naming it) opened with `flags`,
    /// `path` named in errors.
    fn connect_to(
        path: &Path,
        target: impl AsRef<Path>,
        flags: OpenFlags,
    ) -> Result<Self, RecordError> {
        let flags = flags | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(target, flags).map_err(|e| classify(path, LOCK_WAIT, e))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
            wait: LOCK_WAIT,
            migrated: None,
        };
        store
            .conn
            .busy_timeout(LOCK_WAIT)
            .map_err(|e| store.err(e))?;
        Ok(store)
    }

    /// Runs `write` in one `IMMEDIATE` transaction (waiting for another writer's lock at
    /// most the lock wait) and commits it; nothing of it is kept if `write` fails.
    pub(super) fn write<T>(
        &mut self,
        write: impl FnOnce(&Transaction<'_>, &Path, Duration) -> Result<T, RecordError>,
    ) -> Result<T, RecordError> {
        let (path, wait) = (&self.path, self.wait);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| classify(path, wait, e))?;
        let value = write(&tx, path, wait)?;
        tx.commit().map_err(|e| classify(path, wait, e))?;
        Ok(value)
    }

    pub(super) fn err(&self, e: rusqlite::Error) -> RecordError {
        classify(&self.path, self.wait, e)
    }

    /// Waits at most `wait` for another writer's lock from now on.
    pub fn set_lock_wait(&mut self, wait: Duration) -> Result<(), RecordError> {
        self.conn.busy_timeout(wait).map_err(|e| self.err(e))?;
        self.wait = wait;
        Ok(())
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(super) fn conn(&self) -> &Connection {
        &self.conn
    }

    fn damaged(&self, what: String) -> RecordError {
        RecordError::Damaged {
            path: self.path.clone(),
            what,
        }
    }

    /// The file is ours, or empty (a new record).
    fn check_ours(&self) -> Result<(), RecordError> {
        let not_ours = || RecordError::NotARecord {
            path: self.path.clone(),
        };
        let id: i64 = self
            .conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if id == APPLICATION_ID {
            return Ok(());
        }
        let tables: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if id == 0 && tables == 0 {
            Ok(())
        } else {
            Err(not_ours())
        }
    }

    /// The schema version of the file.
    pub fn version(&self) -> Result<i64, RecordError> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    fn migrate(&self, upto: i64) -> Result<(), RecordError> {
        let found = self.version()?;
        if found > latest_version() {
            return Err(RecordError::NewerSchema {
                path: self.path.clone(),
                found,
                known: latest_version(),
            });
        }
        for version in found + 1..=upto {
            let sql = MIGRATIONS[(version - 1) as usize];
            // One transaction per step: the tables and the version bump land together.
            let batch = format!(
                "BEGIN IMMEDIATE;\n{sql};\nPRAGMA application_id = {APPLICATION_ID};\n\
                 PRAGMA user_version = {version};\nCOMMIT;"
            );
            if let Err(e) = self.conn.execute_batch(&batch) {
                let _ = self.conn.execute_batch("ROLLBACK");
                return Err(self.err(e));
            }
        }
        // Migrated with foreign keys off: every reference must still hold.
        let dangling: i64 = self
            .conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.err(e))?;
        if dangling > 0 {
            return Err(self.damaged(format!(
                "{dangling} references to missing rows after migrating"
            )));
        }
        Ok(())
    }

    /// Adds a run in one transaction: nothing of it is visible to readers, or kept
    /// after a crash, until the commit.
    pub fn add_run(&mut self, run: &NewRun) -> Result<RunId, RecordError> {
        self.write(|tx, path, wait| insert_run(tx, path, wait, run))
    }

    /// SQLite's own check of the whole file (`PRAGMA integrity_check`), and that every
    /// run has its rows.
    pub fn check_integrity(&self) -> Result<(), RecordError> {
        let mut stmt = self
            .conn
            .prepare("PRAGMA integrity_check")
            .map_err(|e| self.err(e))?;
        let lines: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .map_err(|e| self.err(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))?;
        if lines != ["ok"] {
            return Err(self.damaged(lines.join("; ")));
        }
        let short: Option<i64> = self
            .conn
            .query_row(
                "SELECT r.id FROM run r WHERE r.cases <> (SELECT count(*) FROM run_row w WHERE w.run = r.id) LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        match short {
            Some(id) => Err(self.damaged(format!("run {id} lacks allocation rows"))),
            None => Ok(()),
        }
    }
}

/// Creates the file with mode 0600 when it does not exist (SQLite would use 0644).
fn create_private(path: &Path) -> Result<(), RecordError> {
    use std::fs::OpenOptions;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Err(RecordError::ReadOnly {
            path: path.to_path_buf(),
        }),
        Err(source) => Err(RecordError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The file is as long as its header says: a record cut short is damaged, found before
/// SQLite opens it (and makes side files beside it).
fn check_whole(path: &Path) -> Result<(), RecordError> {
    match super::open::cut_short(path) {
        Some(what) => Err(RecordError::Damaged {
            path: path.to_path_buf(),
            what,
        }),
        None => Ok(()),
    }
}

/// SQLite's error as one of ours.
pub(super) fn classify(path: &Path, wait: Duration, e: rusqlite::Error) -> RecordError {
    let path = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            RecordError::Locked { path, waited: wait }
        }
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen) if is_read_only(&path) => {
            RecordError::ReadOnly { path }
        }
        Some(ErrorCode::ReadOnly) => RecordError::ReadOnly { path },
        Some(ErrorCode::DiskFull) => RecordError::DiskFull { path },
        // A full disk can show as an I/O error (the WAL index cannot grow, say): tell them
        // apart by trying to write beside the record.
        Some(ErrorCode::SystemIoFailure) if disk_is_full(&path) => RecordError::DiskFull { path },
        Some(ErrorCode::NotADatabase) => RecordError::NotARecord { path },
        Some(ErrorCode::DatabaseCorrupt) => RecordError::Damaged {
            path,
            what: "SQLite finds its pages malformed".to_string(),
        },
        _ => RecordError::Sqlite { path, source: e },
    }
}

/// Whether the file system holding `path` has no room: a small probe file beside it
/// cannot be written.
fn disk_is_full(path: &Path) -> bool {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let probe = dir.join(format!(".caseload-space-probe.{}", std::process::id()));
    let written = std::fs::File::create(&probe)
        .and_then(|mut f| f.write_all(&[0u8; 65536]).and_then(|_| f.sync_all()));
    let _ = std::fs::remove_file(&probe);
    matches!(written, Err(e) if e.kind() == std::io::ErrorKind::StorageFull)
}

fn is_read_only(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly())
}
