//! Tests of the record: creation, refusal of foreign and newer files, migration, runs
//! written whole and read back, inputs verified.

use super::*;
use crate::model::{Case, DecisionKind, Policy, Scenario, Worker};
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
    // The tables of version 2 work on the migrated file: a decision on the old run.
    let mut record = record;
    let taken = record
        .decide(&new_decision(DecisionKind::Assign, "C3", Some("W1"), None))
        .unwrap();
    assert_eq!(taken.on_run, id);
    assert_eq!(record.standing().unwrap(), vec![taken.decision]);
}

#[test]
fn decisions_of_version_2_survive_the_rebuild_of_version_3_which_takes_decisions_on_workers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sqlite");
    let mut old = Record {
        store: sql::Store::open_upto(&path, 2).unwrap(),
    };
    let id = old.add_run(&run_of(&small(), "alice")).unwrap();
    drop(old);
    // Decisions as version 2 wrote them (this build writes version 3).
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&format!(
        "INSERT INTO decision (id, at, by, case_id, kind, worker_id, note, on_run)
             VALUES (1, '2026-12-01T09:00:00Z', 'alice', 'C3', 'assign', 'W1', 'court', {id});
         INSERT INTO decision (id, at, by, case_id, kind, worker_id, note, on_run,
                               withdrawn_at, withdrawn_by)
             VALUES (2, '2026-12-01T09:01:00Z', 'alice', 'C1', 'never', 'W2', '', {id},
                     '2026-12-02T09:00:00Z', 'bob');
         INSERT INTO run_decision (run, decision, applied, why) VALUES ({id}, 1, 1, '');"
    ))
    .unwrap();
    drop(conn);
    let mut record = Record::open(&path).unwrap();
    assert_eq!(
        record.schema_version().unwrap(),
        Record::latest_schema_version()
    );
    record.check_integrity().unwrap();
    let kept = record.decisions().unwrap();
    let summary: Vec<_> = kept
        .iter()
        .map(|d| {
            let x = &d.decision;
            (
                x.id,
                x.case().map(|c| c.to_string()).unwrap_or_default(),
                x.kind(),
                x.note.clone(),
                d.withdrawn.is_some(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (1, "C3".into(), DecisionKind::Assign, "court".into(), false),
            (2, "C1".into(), DecisionKind::Never, String::new(), true),
        ],
        "rows and ids kept"
    );
    assert_eq!(record.run_decisions(id).unwrap().len(), 1);
    let kept = 1;
    assert_eq!(record.standing().unwrap()[0].id, kept);
    // Decisions on a worker: leaving replaces leave, capacity stands beside it.
    let on_worker = |kind, capacity| new_decision(kind, "", Some("W1"), capacity);
    let leave = record
        .decide(&on_worker(DecisionKind::Leave, None))
        .unwrap();
    let cap = record
        .decide(&on_worker(DecisionKind::Capacity, Some(12.5)))
        .unwrap();
    let leaving = record
        .decide(&on_worker(DecisionKind::Leaving, None))
        .unwrap();
    let standing: Vec<i64> = record.standing().unwrap().iter().map(|d| d.id).collect();
    assert_eq!(standing, vec![kept, cap.decision.id, leaving.decision.id]);
    let replaced = record.decisions().unwrap();
    let replaced = replaced
        .iter()
        .find(|d| d.decision.id == leave.decision.id)
        .unwrap();
    assert_eq!(
        replaced.withdrawn.as_ref().and_then(|w| w.superseded_by),
        Some(leaving.decision.id)
    );
    assert_eq!(cap.decision.capacity(), Some(12.5));
    // Refused: a capacity out of range, an unknown worker. (A decision of the wrong
    // shape cannot be made: model::Ruling::from_parts refuses it.)
    for bad in [
        on_worker(DecisionKind::Capacity, Some(-1.0)),
        new_decision(DecisionKind::Leave, "", Some("W9"), None),
    ] {
        let err = record.decide(&bad).unwrap_err();
        assert!(err.is_bad_input(), "{bad:?}: {err}");
    }
}

/// A decision by "sam" on the newest run, from its parts.
fn new_decision(
    kind: DecisionKind,
    case: &str,
    worker: Option<&str>,
    capacity: Option<f64>,
) -> NewDecision {
    let ruling = crate::model::Ruling::from_parts(kind, Some(case), worker, capacity).unwrap();
    NewDecision::new(ruling, "sam", "why")
}

fn decide(record: &mut Record, case: &str, kind: DecisionKind, worker: Option<&str>) -> i64 {
    record
        .decide(&new_decision(kind, case, worker, None))
        .unwrap()
        .decision
        .id
}

#[test]
fn decisions_replace_the_ones_they_contradict_and_are_kept_after_withdrawal() {
    use DecisionKind::*;
    let dir = tempfile::tempdir().unwrap();
    let mut record = Record::open(&dir.path().join("r.sqlite")).unwrap();
    let run = run_of(&small(), "alice");
    let proposed_c3 = run.rows[2].worker_id.clone();
    record.add_run(&run).unwrap();

    let a = decide(&mut record, "C1", Never, Some("W1"));
    let b = decide(&mut record, "C1", Assign, Some("W1")); // replaces a
    let c = decide(&mut record, "C3", Accept, None);
    let d = decide(&mut record, "C2", Reject, None);
    let e = decide(&mut record, "C2", Never, Some("W1"));
    let f = decide(&mut record, "C1", Never, Some("W1")); // replaces b
    let standing = record.standing().unwrap();
    let ids: Vec<i64> = standing.iter().map(|d| d.id).collect();
    assert_eq!(ids, [c, d, e, f]);
    // accept keeps the proposed worker, reject the previous one.
    assert_eq!(standing[0].worker().map(|w| w.to_string()), proposed_c3);
    assert_eq!(standing[1].worker(), Some(&"W2".into()));
    let all = record.decisions().unwrap();
    let superseded = |id: i64| {
        all.iter()
            .find(|r| r.decision.id == id)
            .and_then(|r| r.withdrawn.as_ref())
            .and_then(|w| w.superseded_by)
    };
    assert_eq!((superseded(a), superseded(b)), (Some(b), Some(f)));

    record.withdraw(c, "jo").unwrap();
    assert!(matches!(
        record.withdraw(c, "jo"),
        Err(RecordError::AlreadyWithdrawn { .. })
    ));
    assert!(matches!(
        record.withdraw(99, "jo"),
        Err(RecordError::UnknownDecision { .. })
    ));
    let withdrawn = record
        .decisions()
        .unwrap()
        .into_iter()
        .find(|r| r.decision.id == c)
        .unwrap();
    assert_eq!(withdrawn.withdrawn.unwrap().by, "jo");
    assert_eq!(record.standing().unwrap().len(), 3);
    for (case, kind, worker) in [("C9", Accept, None), ("C1", Assign, Some("W9"))] {
        let err = record
            .decide(&new_decision(kind, case, worker, None))
            .unwrap_err();
        assert!(err.is_bad_input(), "{err}");
    }
}

#[test]
fn a_run_keeps_what_it_made_of_the_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let mut record = Record::open(&dir.path().join("r.sqlite")).unwrap();
    record.add_run(&run_of(&small(), "alice")).unwrap();
    decide(&mut record, "C3", DecisionKind::Assign, Some("W1"));
    decide(&mut record, "C1", DecisionKind::Assign, Some("W2")); // W2 is unavailable
    let (decided, outcomes) =
        crate::validate::apply_decisions(&small(), &record.standing().unwrap());
    let instance = Instance::new(&decided).unwrap();
    let options = SolveOptions::default();
    let solution = solve(&instance, &options).unwrap();
    let outputs =
        crate::report::Outputs::render(&instance, &solution, Default::default(), Some(&outcomes))
            .unwrap();
    let run = NewRun::of_outputs(
        &instance,
        &outputs,
        &options,
        "bob",
        "in code",
        Vec::new(),
        outcomes.clone(),
    )
    .unwrap();
    let id = record.add_run(&run).unwrap();
    assert_eq!(record.run_decisions(id).unwrap(), outcomes);
    assert!(outcomes[0].applied && !outcomes[1].applied, "{outcomes:?}");
    let c3 = run.rows.iter().find(|r| r.case_id == "C3").unwrap();
    assert_eq!(c3.worker_id.as_deref(), Some("W1"));
    assert!(
        c3.reason.contains("a manager decided so: sam"),
        "{}",
        c3.reason
    );
    let json: serde_json::Value = serde_json::from_str(&run.summary).unwrap();
    assert_eq!(json["decisions"]["not_applied"][0]["why"], outcomes[1].why);
    // Decisions taken between runs 1 and 2 show in their diff.
    assert_eq!(record.diff(1, id).unwrap().decisions.len(), 2);
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

#[test]
fn a_writer_waits_a_bounded_time_for_another_then_says_locked_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sqlite");
    let mut record = Record::open(&path).unwrap();
    record.add_run(&run_of(&small(), "alice")).unwrap();
    // Another process holds the write lock.
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    record
        .set_lock_wait(std::time::Duration::from_millis(200))
        .unwrap();
    let started = std::time::Instant::now();
    let err = record.add_run(&run_of(&small(), "bob")).unwrap_err();
    assert!(started.elapsed() >= std::time::Duration::from_millis(200));
    assert!(matches!(err, RecordError::Locked { .. }), "{err}");
    assert!(
        err.to_string().contains("locked by another writer"),
        "{err}"
    );
    let err = record
        .decide(&new_decision(DecisionKind::Accept, "C1", None, None))
        .unwrap_err();
    assert!(matches!(err, RecordError::Locked { .. }), "{err}");
    other.execute_batch("ROLLBACK").unwrap();
    // Once the other writer is done, the record has its one run and takes the next.
    assert_eq!(record.runs().unwrap().len(), 1);
    record.add_run(&run_of(&small(), "bob")).unwrap();
    record.check_integrity().unwrap();
}
