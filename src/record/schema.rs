//! The record's schema and its forward migrations.
//!
//! The file is marked as ours with `PRAGMA application_id` and versioned with `PRAGMA
//! user_version`: version `n` is reached by running `MIGRATIONS[0..n]` in order, each in
//! the same transaction as the version bump. Input files are kept once by content
//! (`blob`, keyed by SHA-256), so nightly runs on unchanged exports add rows, not copies.
//! A decision is never deleted: withdrawing it (or taking a newer one that replaces it)
//! stamps it withdrawn, so the record shows who decided what and until when.

/// `PRAGMA application_id` of a caseload record: "CSLD".
pub const APPLICATION_ID: i64 = 0x4353_4C44;

/// The schema, one migration per version (index 0 takes an empty file to version 1).
pub const MIGRATIONS: &[&str] = &[
    // Version 1: runs, their inputs, allocation rows and loads.
    "CREATE TABLE blob (
        sha256 TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        bytes BLOB NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE run (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        version TEXT NOT NULL,
        by TEXT NOT NULL,
        scenario TEXT NOT NULL,
        policy TEXT NOT NULL,
        options TEXT NOT NULL,
        status TEXT NOT NULL,
        bound REAL,
        gap REAL NOT NULL,
        total REAL NOT NULL,
        unallocated REAL NOT NULL,
        bands REAL NOT NULL,
        moves REAL NOT NULL,
        preferences REAL NOT NULL,
        pairs REAL NOT NULL,
        cases INTEGER NOT NULL,
        kept INTEGER NOT NULL,
        moved INTEGER NOT NULL,
        forced INTEGER NOT NULL,
        new INTEGER NOT NULL,
        unallocated_cases INTEGER NOT NULL,
        summary TEXT NOT NULL
    );
    CREATE TABLE run_input (
        run INTEGER NOT NULL REFERENCES run(id),
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL REFERENCES blob(sha256),
        PRIMARY KEY (run, name)
    ) WITHOUT ROWID;
    CREATE TABLE run_row (
        run INTEGER NOT NULL REFERENCES run(id),
        case_id TEXT NOT NULL,
        worker_id TEXT,
        previous_worker TEXT,
        change TEXT NOT NULL,
        reason TEXT NOT NULL,
        PRIMARY KEY (run, case_id)
    ) WITHOUT ROWID;
    CREATE TABLE run_load (
        run INTEGER NOT NULL REFERENCES run(id),
        worker_id TEXT NOT NULL,
        team TEXT NOT NULL,
        capacity REAL NOT NULL,
        load_before REAL NOT NULL,
        load_after REAL NOT NULL,
        cases INTEGER NOT NULL,
        PRIMARY KEY (run, worker_id)
    ) WITHOUT ROWID;",
    // Version 2: managers' decisions, and what each run made of them.
    "CREATE TABLE decision (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        by TEXT NOT NULL,
        case_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('accept', 'reject', 'assign', 'never')),
        worker_id TEXT,
        note TEXT NOT NULL,
        on_run INTEGER NOT NULL REFERENCES run(id),
        withdrawn_at TEXT,
        withdrawn_by TEXT,
        withdrawn_after_run INTEGER REFERENCES run(id),
        superseded_by INTEGER REFERENCES decision(id)
    );
    CREATE INDEX decision_standing ON decision (case_id) WHERE withdrawn_at IS NULL;
    CREATE TABLE run_decision (
        run INTEGER NOT NULL REFERENCES run(id),
        decision INTEGER NOT NULL REFERENCES decision(id),
        applied INTEGER NOT NULL,
        why TEXT NOT NULL,
        PRIMARY KEY (run, decision)
    ) WITHOUT ROWID;",
    // Version 3: decisions on a worker (leaving, on leave, a capacity), whose case_id is
    // empty. The table is rebuilt to widen its CHECK, rows and ids kept.
    "CREATE TABLE decision_v3 (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        by TEXT NOT NULL,
        case_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('accept', 'reject', 'assign', 'never',
                                           'leaving', 'leave', 'capacity')),
        worker_id TEXT,
        note TEXT NOT NULL,
        on_run INTEGER NOT NULL REFERENCES run(id),
        withdrawn_at TEXT,
        withdrawn_by TEXT,
        withdrawn_after_run INTEGER REFERENCES run(id),
        superseded_by INTEGER REFERENCES decision(id),
        capacity REAL,
        CHECK ((kind = 'capacity') = (capacity IS NOT NULL)),
        CHECK ((kind IN ('leaving', 'leave', 'capacity')) = (case_id = ''))
    );
    INSERT INTO decision_v3 (id, at, by, case_id, kind, worker_id, note, on_run,
                             withdrawn_at, withdrawn_by, withdrawn_after_run, superseded_by)
        SELECT id, at, by, case_id, kind, worker_id, note, on_run,
               withdrawn_at, withdrawn_by, withdrawn_after_run, superseded_by
        FROM decision;
    DROP TABLE decision;
    ALTER TABLE decision_v3 RENAME TO decision;
    CREATE INDEX decision_standing ON decision (case_id) WHERE withdrawn_at IS NULL;",
    // Version 4: the service's access log (who, when, which call, what it read, outcome).
    "CREATE TABLE access (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        sub TEXT NOT NULL,
        email TEXT NOT NULL,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        method TEXT NOT NULL,
        call TEXT NOT NULL,
        status INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        teams TEXT NOT NULL,
        children TEXT NOT NULL,
        workers TEXT NOT NULL
    );
    CREATE INDEX access_at ON access (at);",
    // Version 5: the service's browser sessions, so that a restart signs no one out. The
    // session id is kept as its SHA-256 (the record does not hold what a cookie holds).
    "CREATE TABLE session (
        id_sha256 TEXT PRIMARY KEY,
        csrf TEXT NOT NULL,
        sub TEXT NOT NULL,
        email TEXT,
        name TEXT,
        groups TEXT NOT NULL,
        until_unix INTEGER NOT NULL
    );",
];

/// The newest schema version this build knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}
