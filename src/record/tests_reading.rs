//! Tests of reading a record without writing it: older schemas read as they are, no
//! side file made, a damaged or missing record refused in words.

use super::*;
use crate::model::{Case, Policy, Scenario, Worker};
use crate::solve::solve;

fn a_run() -> NewRun {
    let scenario = Scenario::new(
        vec![Worker::new("W1"), Worker::new("W2")],
        vec![Case::new("C1").held_by("W1"), Case::new("C2")],
        Policy::default(),
    );
    let instance = Instance::new(&scenario).expect("a valid scenario");
    let options = SolveOptions::default();
    let solution = solve(&instance, &options).expect("solved");
    NewRun::new(
        &instance,
        &solution,
        &options,
        "alice",
        "in code",
        Vec::new(),
        Default::default(),
    )
    .expect("a run")
}

/// The names of the files in `dir` and the bytes of `file`.
fn state(dir: &Path, file: &Path) -> (Vec<String>, Vec<u8>) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    (names, std::fs::read(file).unwrap())
}

#[test]
fn an_older_record_is_read_as_it_is_and_migrated_only_to_be_written() {
    for version in [1, 2] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.sqlite");
        let mut old = Record {
            store: sql::Store::open_upto(&path, version).unwrap(),
        };
        let run = a_run();
        let id = old.add_run(&run).unwrap();
        drop(old);
        if version == 2 {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute(
                "INSERT INTO decision (id, at, by, case_id, kind, worker_id, note, on_run)
                 VALUES (1, '2026-12-01T09:00:00Z', 'sam', 'C2', 'assign', 'W2', '', ?1)",
                [id],
            )
            .unwrap();
        }
        let before = state(dir.path(), &path);
        let record = Record::open_to_read(&path).unwrap();
        assert_eq!(record.schema_version().unwrap(), version, "not migrated");
        assert_eq!(record.runs().unwrap().len(), 1);
        assert_eq!(record.rows(id).unwrap(), run.rows);
        let decisions = record.decisions().unwrap();
        assert_eq!(decisions.len(), usize::from(version == 2), "v{version}");
        assert_eq!(record.standing().unwrap().len(), decisions.len());
        assert!(record.run_decisions(id).unwrap().is_empty());
        drop(record);
        assert_eq!(
            state(dir.path(), &path),
            before,
            "v{version}: nothing written"
        );

        let record = Record::open(&path).unwrap();
        assert_eq!(
            record.migrated(),
            Some((version, Record::latest_schema_version()))
        );
        assert_eq!(record.decisions().unwrap().len(), usize::from(version == 2));
        drop(record);
        assert_eq!(Record::open(&path).unwrap().migrated(), None, "once");
    }
}

#[test]
fn reading_makes_no_side_file_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sqlite");
    Record::open(&path).unwrap().add_run(&a_run()).unwrap();
    let before = state(dir.path(), &path);
    assert_eq!(before.0, ["r.sqlite"]);
    let record = Record::open_to_read(&path).unwrap();
    record.check_integrity().unwrap();
    assert_eq!(record.runs().unwrap().len(), 1);
    // Nothing made while it is open, nor after.
    assert_eq!(state(dir.path(), &path), before);
    drop(record);
    assert_eq!(state(dir.path(), &path), before);
}

#[test]
fn a_reader_beside_a_writer_sees_its_committed_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sqlite");
    let mut writer = Record::open(&path).unwrap();
    writer.add_run(&a_run()).unwrap();
    writer.add_run(&a_run()).unwrap();
    // The writer is still open: its runs may be in the log only.
    let reader = Record::open_to_read(&path).unwrap();
    assert_eq!(reader.runs().unwrap().len(), 2);
}

#[test]
fn a_missing_record_is_not_created_by_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none.sqlite");
    let err = Record::open_to_read(&path).err().expect("refused");
    assert!(matches!(err, RecordError::Missing { .. }), "{err}");
    assert!(err.is_bad_input());
    assert!(!path.exists());
}

#[test]
fn a_record_cut_short_is_damaged_for_readers_and_writers_alike() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sqlite");
    let mut record = Record::open(&path).unwrap();
    for _ in 0..3 {
        record.add_run(&a_run()).unwrap();
    }
    drop(record);
    let bytes = std::fs::read(&path).unwrap();
    for cut in [bytes.len() / 2, bytes.len() - 1, 100] {
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let read = Record::open_to_read(&path).and_then(|r| r.runs().map(|_| ()));
        let write = Record::open(&path).map(|_| ());
        for err in [read.err(), write.err()] {
            let err = err.unwrap_or_else(|| panic!("a record cut at {cut} is refused"));
            assert!(err.is_bad_input(), "{err}");
            let text = err.to_string();
            assert!(
                text.contains("is damaged or not a caseload record") && text.contains("backup"),
                "{text}"
            );
        }
        let names = state(dir.path(), &path).0;
        assert_eq!(
            names,
            ["r.sqlite"],
            "cut at {cut}: nothing written beside it"
        );
    }
}

#[test]
fn a_run_says_what_a_decision_taken_on_it_must_carry() {
    let dir = tempfile::tempdir().unwrap();
    let mut record = Record::open(&dir.path().join("r.sqlite")).unwrap();
    let mut run = a_run();
    let on = record.add_run(&run).unwrap();
    assert!(record.run(on).unwrap().meta.decision_rules().note_required);
    // The policy as used is kept: a run under `note_required = false` says so.
    let mut policy: serde_json::Value = serde_json::from_str(&run.meta.policy).unwrap();
    assert_eq!(policy["decisions"]["note_required"], true);
    policy["decisions"]["note_required"] = false.into();
    run.meta.policy = policy.to_string();
    let off = record.add_run(&run).unwrap();
    assert!(!record.run(off).unwrap().meta.decision_rules().note_required);
    // A run kept before the policy had `[decisions]`: the default, a note required.
    policy.as_object_mut().unwrap().remove("decisions").unwrap();
    run.meta.policy = policy.to_string();
    let old = record.add_run(&run).unwrap();
    assert!(record.run(old).unwrap().meta.decision_rules().note_required);
}
