//! Promises kept under faults (issue 27): a record damaged, read-only, or of an older
//! schema; an output folder copied by hand.

use std::path::Path;

use crate::util::{allocate, caseload, demo, stderr, stdout};

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn user_version(db: &Path) -> i64 {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

/// A record with one run, in `dir`.
fn recorded(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("record.sqlite");
    let run = allocate(
        &demo(),
        &dir.join("out"),
        &["-q", "--record", db.to_str().unwrap()],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    db
}

#[test]
fn a_damaged_record_is_refused_in_words_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let db = recorded(tmp.path());
    let bytes = std::fs::read(&db).unwrap();
    let half = tmp.path().join("half.sqlite");
    std::fs::write(&half, &bytes[..bytes.len() / 2]).unwrap();
    let before = names(tmp.path());
    let history = caseload(["history".as_ref(), half.as_os_str()]);
    // Before: exit 1 with SQLite's own words.
    assert_eq!(history.status.code(), Some(2), "{}", stderr(&history));
    let words = format!(
        "the record {} is damaged or not a caseload record",
        half.display()
    );
    assert!(stderr(&history).contains(&words), "{}", stderr(&history));
    assert!(
        stderr(&history).contains("restore it from a backup"),
        "{}",
        stderr(&history)
    );
    let out = tmp.path().join("out2");
    let run = allocate(&demo(), &out, &["--record", half.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(stderr(&run).contains(&words), "{}", stderr(&run));
    assert!(!out.exists(), "no output written");
    assert_eq!(names(tmp.path()), before, "no side file beside the record");
}

/// Makes `dir` unwritable (`chattr +i` as root, who ignores modes; else mode 0555);
/// returns the command that undoes it, or `None` when it cannot be done here.
fn freeze(dir: &Path) -> Option<Vec<String>> {
    let path = dir.to_str()?.to_string();
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if root {
        let done = std::process::Command::new("chattr")
            .args(["+i", &path])
            .status()
            .is_ok_and(|s| s.success());
        done.then(|| vec!["chattr".into(), "-i".into(), path])
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).ok()?;
        Some(vec!["chmod".into(), "755".into(), path])
    }
}

#[test]
fn reading_commands_read_a_record_in_a_read_only_folder_and_write_nothing_anywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("archive");
    std::fs::create_dir(&dir).unwrap();
    let db = recorded(&dir);
    std::fs::remove_dir_all(dir.join("out")).unwrap();
    let bytes = std::fs::read(&db).unwrap();
    let read = |frozen: bool| {
        let runs = [
            caseload(["history".as_ref(), db.as_os_str()]),
            caseload([
                "history".as_ref(),
                db.as_os_str(),
                "--run".as_ref(),
                "1".as_ref(),
            ]),
            caseload(["decide".as_ref(), db.as_os_str(), "--list".as_ref()]),
            caseload(["diff".as_ref(), db.as_os_str(), "1".as_ref(), "1".as_ref()]),
        ];
        for run in &runs {
            assert!(run.status.success(), "frozen {frozen}: {}", stderr(run));
        }
        assert_eq!(stdout(&runs[0]).lines().count(), 2, "{}", stdout(&runs[0]));
        // Nothing beside it: no -wal, no -shm; the record's bytes as they were.
        assert_eq!(names(&dir), ["record.sqlite"], "frozen {frozen}");
        assert_eq!(std::fs::read(&db).unwrap(), bytes);
    };
    // In a folder anyone may write: before, reading made record.sqlite-wal and -shm.
    read(false);
    let Some(undo) = freeze(&dir) else {
        eprintln!("skipped the read-only folder: cannot make one here");
        return;
    };
    let frozen = std::panic::catch_unwind(|| read(true));
    let status = std::process::Command::new(&undo[0])
        .args(&undo[1..])
        .status();
    assert!(status.is_ok_and(|s| s.success()), "undo {undo:?}");
    frozen.unwrap();
}

#[test]
fn an_older_record_is_read_as_it_is_and_migrated_by_the_next_writer_which_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let db = recorded(tmp.path());
    // Back to schema version 2 (decisions without capacity), as caseload 0.x left it.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "DROP TABLE decision;
         DROP TABLE access;
         DROP TABLE session;
         CREATE TABLE decision (id INTEGER PRIMARY KEY, at TEXT NOT NULL, by TEXT NOT NULL,
             case_id TEXT NOT NULL,
             kind TEXT NOT NULL CHECK (kind IN ('accept', 'reject', 'assign', 'never')),
             worker_id TEXT, note TEXT NOT NULL, on_run INTEGER NOT NULL REFERENCES run(id),
             withdrawn_at TEXT, withdrawn_by TEXT,
             withdrawn_after_run INTEGER REFERENCES run(id),
             superseded_by INTEGER REFERENCES decision(id));
         CREATE INDEX decision_standing ON decision (case_id) WHERE withdrawn_at IS NULL;
         INSERT INTO decision (at, by, case_id, kind, worker_id, note, on_run)
             VALUES ('2026-12-01T09:00:00Z', 'sam', 'C00002', 'reject', NULL, 'court', 1);
         PRAGMA user_version = 2;",
    )
    .unwrap();
    drop(conn);
    let bytes = std::fs::read(&db).unwrap();
    let history = caseload(["history".as_ref(), db.as_os_str()]);
    let listed = caseload(["decide".as_ref(), db.as_os_str(), "--list".as_ref()]);
    assert!(history.status.success(), "{}", stderr(&history));
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert!(stdout(&listed).contains("C00002"), "{}", stdout(&listed));
    // Before: history migrated it to version 3 as a side effect.
    assert_eq!(user_version(&db), 2, "not migrated by reading");
    assert_eq!(std::fs::read(&db).unwrap(), bytes, "not written by reading");
    assert!(
        !stderr(&history).contains("migrated"),
        "{}",
        stderr(&history)
    );

    let run = allocate(
        &demo(),
        &tmp.path().join("out2"),
        &["-q", "--record", db.to_str().unwrap()],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    let said = format!(
        "migrated the record {} from schema version 2 to 5",
        db.display()
    );
    assert!(stderr(&run).contains(&said), "{}", stderr(&run));
    assert_eq!(user_version(&db), 5);
    let again = allocate(
        &demo(),
        &tmp.path().join("out3"),
        &["-q", "--record", db.to_str().unwrap()],
    );
    assert!(
        !stderr(&again).contains("migrated"),
        "said once: {}",
        stderr(&again)
    );
}

#[test]
fn a_reading_command_on_no_record_creates_none() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("typo.sqlite");
    let history = caseload(["history".as_ref(), db.as_os_str()]);
    assert_eq!(history.status.code(), Some(2), "{}", stderr(&history));
    assert!(
        stderr(&history).contains("no record here"),
        "{}",
        stderr(&history)
    );
    assert!(!db.exists(), "not created");
}

#[test]
fn an_output_folder_copied_as_real_files_is_written_again_as_one_set() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let first = allocate(&demo(), &out, &["-q", "--xlsx"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let copy = tmp.path().join("copy");
    let cp = std::process::Command::new("cp")
        .args(["-rL".as_ref(), out.as_os_str(), copy.as_os_str()])
        .status()
        .unwrap();
    assert!(cp.success());
    assert!(!std::fs::symlink_metadata(copy.join("allocation.csv"))
        .unwrap()
        .file_type()
        .is_symlink());
    // Before: refused half way, the copy's files already replaced by links.
    let again = allocate(&demo(), &copy, &["-q"]);
    assert!(again.status.success(), "{}", stderr(&again));
    let csv = std::fs::read(copy.join("allocation.csv")).unwrap();
    assert_eq!(csv, std::fs::read(out.join("allocation.csv")).unwrap());
    // One set: the new run's members, linked; the old set's allocation.xlsx (this run
    // wrote none) is gone with the old set.
    for name in ["allocation.csv", "loads.csv", "summary.json"] {
        let meta = std::fs::symlink_metadata(copy.join(name)).unwrap();
        assert!(
            meta.file_type().is_symlink(),
            "{name} is a member of the new set"
        );
    }
    assert!(!copy.join("allocation.xlsx").exists(), "{:?}", names(&copy));
    let check = caseload([
        "check".as_ref(),
        demo().as_os_str(),
        "--allocation".as_ref(),
        copy.join("allocation.csv").as_os_str(),
    ]);
    assert!(check.status.success(), "{}", stdout(&check));
    // And again, now that it is a set of its own.
    let third = allocate(&demo(), &copy, &["-q"]);
    assert!(third.status.success(), "{}", stderr(&third));
}

#[test]
fn what_a_person_typed_is_shown_escaped_on_every_terminal_output() {
    let tmp = tempfile::tempdir().unwrap();
    let db = recorded(tmp.path());
    let db_arg = db.to_str().unwrap();
    let evil_by = "\u{1b}[31mMallory\ndecision 99 by the director";
    let evil_note = "court\u{1b}[2J\rnote\u{7}";
    let taken = caseload([
        "decide", db_arg, "C00002", "reject", "--by", evil_by, "--note", evil_note,
    ]);
    assert!(taken.status.success(), "{}", stderr(&taken));
    let again = allocate(
        &demo(),
        &tmp.path().join("out2"),
        &["--record", db_arg, "--by", evil_by],
    );
    assert!(again.status.success(), "{}", stderr(&again));
    let outputs = [
        taken,
        caseload(["decide", db_arg, "--list"]),
        caseload(["decide", db_arg, "--list", "--all"]),
        caseload(["history", db_arg]),
        caseload(["history", db_arg, "--run", "2"]),
        caseload(["diff", db_arg, "1", "2"]),
        caseload(["decide", db_arg, "--withdraw", "1", "--by", evil_by]),
        caseload(["decide", db_arg, "--list", "--all"]),
    ];
    for (i, out) in outputs.iter().enumerate() {
        let text = format!("{}{}", stdout(out), stderr(out));
        // Before: the escape and the line break came out raw (decide --list).
        assert!(!text.contains('\u{1b}'), "output {i}: {text:?}");
        assert!(!text.contains('\r'), "output {i}: {text:?}");
        assert!(!text.contains('\u{7}'), "output {i}: {text:?}");
        assert!(
            !text
                .lines()
                .any(|l| l.starts_with("decision 99 by the director")),
            "output {i}: a forged line: {text}"
        );
    }
    assert!(
        stdout(&outputs[1]).contains("\\u{1b}[31mMallory\\ndecision 99"),
        "{}",
        stdout(&outputs[1])
    );
}

#[test]
fn whatif_help_says_the_slurm_index_is_read_as_it_is() {
    let help = caseload(["whatif", "--help"]);
    assert!(help.status.success());
    let text = stdout(&help)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // Before: "(minus SLURM_ARRAY_TASK_MIN)", which the code no longer does.
    assert!(!text.contains("SLURM_ARRAY_TASK_MIN"), "{text}");
    assert!(
        text.contains("reads K as it is from SLURM_ARRAY_TASK_ID"),
        "{text}"
    );
    assert!(text.contains("nothing is subtracted from it"), "{text}");
}
