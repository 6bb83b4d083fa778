//! Tests of the record: creation, refusal of foreign and newer files, migration, runs
//! written whole and read back, inputs verified.

use super::*;
use crate::model::{Case, Policy, Scenario, Worker};
use crate::solve::solve;

fn run_of(scenario: &Scenario, by: &str) -> NewRun {
    let instance = Instance::new(scenario).expect("a valid scenario");
    let options = SolveOptions::default();
    let solution = solve(&instance, &options).expect("solved");
    let inputs = vec![InputFile {
        name: "cases.csv".to_string(),
        bytes: b"id\nC1\n".to_vec(),
    }];
    NewRun::new(
        &instance,
        &solution,
        &options,
        by,
        "in code",
        inputs,
        Default::default(),
    )
    .expect("a run")
}

fn small() -> Scenario {
    Scenario::new(
        vec![Worker::new("W1"), Worker::new("W2").unavailable()],
        vec![
            Case::new("C1").held_by("W1"),
            Case::new("C2").held_by("W2"),
            Case::new("C3"),
        ],
        Policy::default(),
    )
}

#[test]
fn a_new_record_is_private_marked_and_at_the_newest_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sqlite");
    let record = Record::open(&path).unwrap();
    assert_eq!(
        record.schema_version().unwrap(),
        Record::latest_schema_version()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    let id: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .unwrap();
    assert_eq!(id, APPLICATION_ID);
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_run_is_kept_whole_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sqlite");
    let mut record = Record::open(&path).unwrap();
    assert_eq!(record.last_run().unwrap(), None);
    let run = run_of(&small(), "alice");
    let id = record.add_run(&run).unwrap();
    assert_eq!(id, 1);
    drop(record);

    let record = Record::open(&path).unwrap();
    let info = record.run(id).unwrap();
    assert_eq!(info.meta.by, "alice");
    assert_eq!(info.meta.status, "optimal");
    assert_eq!(info.meta.counts, run.meta.counts);
    assert_eq!(
        info.meta.counts.forced, 1,
        "C2 leaves W2, who is unavailable"
    );
    assert!((info.meta.objective.total - run.meta.objective.total).abs() < 1e-9);
    assert!(
        info.at.ends_with('Z') && info.at.len() >= 20,
        "UTC time: {}",
        info.at
    );
    assert_eq!(record.rows(id).unwrap(), run.rows);
    assert_eq!(record.loads(id).unwrap(), run.loads);
    assert_eq!(record.inputs(id).unwrap(), run.inputs);
    assert_eq!(record.last_run().unwrap(), Some(1));
    let policy: serde_json::Value = serde_json::from_str(&info.meta.policy).unwrap();
    assert_eq!(
        policy["standard_capacity"], 22.0,
        "defaults filled in: {policy}"
    );
}

#[test]
fn identical_inputs_are_kept_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sqlite");
    let mut record = Record::open(&path).unwrap();
    let run = run_of(&small(), "alice");
    record.add_run(&run).unwrap();
    record.add_run(&run).unwrap();
    drop(record);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let blobs: i64 = conn
        .query_row("SELECT count(*) FROM blob", [], |r| r.get(0))
        .unwrap();
    let inputs: i64 = conn
        .query_row("SELECT count(*) FROM run_input", [], |r| r.get(0))
        .unwrap();
    assert_eq!((blobs, inputs), (1, 2));
}

#[test]
fn an_unknown_run_names_the_runs_there_are() {
    let dir = tempfile::tempdir().unwrap();
    let mut record = Record::open(&dir.path().join("r.sqlite")).unwrap();
    let err = record.run(1).unwrap_err();
    assert!(
        err.to_string()
            .contains("no run 1 in the record (runs: none yet)"),
        "{err}"
    );
    let run = run_of(&small(), "alice");
    record.add_run(&run).unwrap();
    record.add_run(&run).unwrap();
    let err = record.rows(7).unwrap_err();
    assert!(
        err.to_string()
            .contains("no run 7 in the record (runs: 1–2)"),
        "{err}"
    );
    assert!(err.is_bad_input());
}

#[test]
fn a_file_that_is_not_a_record_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database at all, but long enough to have a header....................................................................").unwrap();
    let err = Record::open(&text).err().expect("refused");
    assert!(matches!(err, RecordError::NotARecord { .. }), "{err}");
    assert!(std::fs::read_to_string(&text)
        .unwrap()
        .starts_with("not a database"));

    let other = dir.path().join("other.sqlite");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    drop(conn);
    let err = Record::open(&other).err().expect("refused");
    assert!(matches!(err, RecordError::NotARecord { .. }), "{err}");
    assert!(err.to_string().contains("not a caseload record"), "{err}");
    let conn = rusqlite::Connection::open(&other).unwrap();
    let x: i64 = conn.query_row("SELECT x FROM t", [], |r| r.get(0)).unwrap();
    assert_eq!(x, 1);
}

#[test]
fn a_record_of_a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sqlite");
    drop(Record::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", Record::latest_schema_version() + 1)
        .unwrap();
    drop(conn);
    let err = Record::open(&path).err().expect("refused");
    assert!(matches!(err, RecordError::NewerSchema { .. }), "{err}");
    assert!(err.is_bad_input());
}

#[test]
fn an_older_schema_is_migrated_forward_keeping_its_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sqlite");
    let mut first = Record {
        store: sql::Store::open_upto(&path, 1).unwrap(),
    };
    assert_eq!(first.schema_version().unwrap(), 1);
    let run = run_of(&small(), "alice");
    let id = first.add_run(&run).unwrap();
    drop(first);
    let record = Record::open(&path).unwrap();
    assert_eq!(
        record.schema_version().unwrap(),
        Record::latest_schema_version()
    );
    assert_eq!(record.rows(id).unwrap(), run.rows);
}

#[test]
fn damaged_inputs_are_refused_on_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sqlite");
    let mut record = Record::open(&path).unwrap();
    let id = record.add_run(&run_of(&small(), "alice")).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE blob SET bytes = x'00'", []).unwrap();
    drop(conn);
    let err = record.inputs(id).unwrap_err();
    assert!(
        err.to_string().contains("does not match its SHA-256"),
        "{err}"
    );
}

#[test]
fn a_reader_beside_a_writer_sees_whole_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sqlite");
    let run = run_of(&small(), "alice");
    let rows = run.rows.len();
    let mut writer = Record::open(&path).unwrap();
    let reader_path = path.clone();
    let reader = std::thread::spawn(move || {
        let reader = Record::open(&reader_path).unwrap();
        let mut seen = 0;
        for _ in 0..200 {
            for info in reader.runs().unwrap() {
                assert_eq!(
                    reader.rows(info.id).unwrap().len(),
                    rows,
                    "run {} whole",
                    info.id
                );
            }
            seen = seen.max(reader.runs().unwrap().len());
        }
        seen
    });
    for _ in 0..20 {
        writer.add_run(&run).unwrap();
    }
    let seen = reader.join().unwrap();
    assert!(seen <= 20);
    assert_eq!(writer.runs().unwrap().len(), 20);
}
