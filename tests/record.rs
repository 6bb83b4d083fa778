//! The record from the command line: `allocate --record`, `history`, `diff`, replay.

use std::path::{Path, PathBuf};

use crate::util::{allocate, caseload, demo, stderr, stdout};

/// A copy of the demo scenario (without its variants file) in `root/NAME`.
fn demo_copy(root: &Path, name: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["workers.csv", "cases.csv", "policy.toml"] {
        std::fs::copy(demo().join(f), dir.join(f)).unwrap();
    }
    dir
}

fn checks(dir: &Path, allocation: &Path) {
    let out = caseload([
        "check".as_ref(),
        dir.as_os_str(),
        "--allocation".as_ref(),
        allocation.as_os_str(),
    ]);
    assert!(
        out.status.success(),
        "check: {}{}",
        stdout(&out),
        stderr(&out)
    );
}

#[test]
fn recorded_runs_are_listed_replayable_and_compared() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("record.sqlite");
    let db_arg = db.to_str().unwrap();
    let scenario = demo_copy(tmp.path(), "demo");

    // Run 1, by alice.
    let first = allocate(
        &scenario,
        &tmp.path().join("out1"),
        &["--record", db_arg, "--by", "alice"],
    );
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("recorded as run 1 in"),
        "{}",
        stdout(&first)
    );
    checks(&scenario, &tmp.path().join("out1/allocation.csv"));

    // Run 2 on the same data: nothing changed since run 1.
    let second = allocate(
        &scenario,
        &tmp.path().join("out2"),
        &["--record", db_arg, "--by", "bob", "-q"],
    );
    assert!(second.status.success(), "{}", stderr(&second));
    let second = allocate(
        &scenario,
        &tmp.path().join("out2"),
        &["--record", db_arg, "--by", "bob"],
    );
    assert!(
        stdout(&second).contains("since run 2: no case changed worker; no worker's load changed"),
        "{}",
        stdout(&second)
    );

    // Run 4 after a worker leaves: the summary counts what changed, by kind.
    let workers = std::fs::read_to_string(scenario.join("workers.csv")).unwrap();
    let header = workers.lines().next().unwrap();
    let available = header
        .split(',')
        .position(|c| c.trim() == "available")
        .expect("an available column");
    let mut lines: Vec<String> = workers.lines().map(str::to_string).collect();
    // The first worker who is available today leaves.
    let leaver = (1..lines.len())
        .find(|&i| {
            lines[i]
                .split(',')
                .nth(available)
                .is_some_and(|v| v.trim() != "false")
        })
        .unwrap();
    let mut cells: Vec<String> = lines[leaver].split(',').map(str::to_string).collect();
    let leaver_id = cells[0].clone();
    cells[available] = "false".to_string();
    lines[leaver] = cells.join(",");
    std::fs::write(scenario.join("workers.csv"), lines.join("\n") + "\n").unwrap();
    let fourth = allocate(&scenario, &tmp.path().join("out4"), &["--record", db_arg]);
    assert!(fourth.status.success(), "{}", stderr(&fourth));
    let text = stdout(&fourth);
    let since = text
        .lines()
        .find(|l| l.starts_with("since run 3: "))
        .expect(&text)
        .to_string();
    checks(&scenario, &tmp.path().join("out4/allocation.csv"));

    // History lists the four runs with who ran them.
    let history = caseload(["history", db_arg, "--json"]);
    assert!(history.status.success(), "{}", stderr(&history));
    let runs: serde_json::Value = serde_json::from_str(&stdout(&history)).unwrap();
    let by: Vec<&str> = runs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["by"].as_str().unwrap())
        .collect();
    assert_eq!(by.len(), 4);
    assert_eq!(&by[..3], ["alice", "bob", "bob"]);
    assert_eq!(
        runs[0]["policy"]["capacity"], "hard",
        "the policy as an object"
    );
    assert!(
        runs[0]["options"]["mip_gap"].is_number(),
        "{}",
        runs[0]["options"]
    );
    let text = stdout(&caseload(["history", db_arg]));
    assert!(
        text.lines().count() == 5 && text.contains("alice"),
        "{text}"
    );

    // One run in words, with its inputs' SHA-256.
    let one = stdout(&caseload(["history", db_arg, "--run", "4"]));
    assert!(
        one.contains("run 4 at ") && one.contains("sha256 "),
        "{one}"
    );

    // Replay: run 1's inputs written back solve to the same allocation, byte for byte.
    let replay = tmp.path().join("replay");
    let write_back = || {
        caseload([
            "history",
            db_arg,
            "--run",
            "1",
            "--inputs",
            replay.to_str().unwrap(),
        ])
    };
    let out = write_back();
    assert!(out.status.success(), "{}", stderr(&out));
    for f in ["workers.csv", "cases.csv", "policy.toml"] {
        assert_eq!(
            std::fs::read(replay.join(f)).unwrap(),
            std::fs::read(demo().join(f)).unwrap(),
            "{f}"
        );
    }
    let again = allocate(&replay, &tmp.path().join("out-replay"), &["-q"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(
        std::fs::read(tmp.path().join("out-replay/allocation.csv")).unwrap(),
        std::fs::read(tmp.path().join("out1/allocation.csv")).unwrap()
    );
    // Replaying into a folder that holds the files already writes nothing.
    let out = write_back();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    // Diff of runs 3 and 4 from the record, and of the two allocation files: the same cases.
    let from_record = caseload(["diff", db_arg, "3", "4", "--json"]);
    assert!(from_record.status.success(), "{}", stderr(&from_record));
    let d: serde_json::Value = serde_json::from_str(&stdout(&from_record)).unwrap();
    let cases = |d: &serde_json::Value| -> Vec<String> {
        d["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["case_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(!cases(&d).is_empty());
    // The summary after run 4 counted the same cases, by their change in run 4.
    let n = cases(&d).len();
    assert!(
        since.starts_with(&format!("since run 3: {n} cases changed worker (")),
        "{since}"
    );
    let mut by_kind = std::collections::BTreeMap::<String, usize>::new();
    for c in d["cases"].as_array().unwrap() {
        *by_kind
            .entry(c["change"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    for (kind, count) in &by_kind {
        assert!(
            since.contains(&format!("{kind} {count}")),
            "{kind} {count} in {since}"
        );
    }
    for c in d["cases"].as_array().unwrap() {
        assert_ne!(c["from"], c["to"]);
    }
    assert!(
        d["workers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["worker_id"] == leaver_id.as_str() && w["to"] == 0.0),
        "the leaver's load goes to 0: {d}"
    );
    let a = tmp.path().join("out2/allocation.csv");
    let b = tmp.path().join("out4/allocation.csv");
    let from_files = caseload([
        "diff".as_ref(),
        a.as_os_str(),
        b.as_os_str(),
        "--json".as_ref(),
    ]);
    assert!(from_files.status.success(), "{}", stderr(&from_files));
    let f: serde_json::Value = serde_json::from_str(&stdout(&from_files)).unwrap();
    assert_eq!(cases(&f), cases(&d));
    assert_eq!(f["workers"], d["workers"]);
    let words = stdout(&caseload(["diff", db_arg, "3", "4"]));
    assert!(
        words.starts_with("run 3 → run 4: ") && words.contains("objective "),
        "{words}"
    );
}

#[test]
fn a_file_that_is_not_a_record_exits_2_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let notes = tmp.path().join("notes.sqlite");
    std::fs::write(&notes, "these are my notes, not a database".repeat(10)).unwrap();
    let out_dir = tmp.path().join("out");
    let out = allocate(&demo(), &out_dir, &["--record", notes.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a caseload record"),
        "{}",
        stderr(&out)
    );
    assert!(!out_dir.exists(), "nothing written");
    assert!(std::fs::read_to_string(&notes)
        .unwrap()
        .starts_with("these are my notes"));
}

#[test]
fn an_unknown_run_exits_2_naming_the_runs_there_are() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("r.sqlite");
    let out = allocate(
        &demo(),
        &tmp.path().join("out"),
        &["--record", db.to_str().unwrap(), "-q"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = caseload(["history", db.to_str().unwrap(), "--run", "9"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no run 9 in the record (runs: 1)"),
        "{}",
        stderr(&out)
    );
    let out = caseload(["diff", db.to_str().unwrap(), "1", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("`x` is not a run id"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn kill_9_during_recorded_runs_leaves_every_earlier_run_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("trust");
    let out = caseload([
        "generate",
        "--teams",
        "30",
        "--seed",
        "3",
        "--out",
        scenario.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let db = tmp.path().join("r.sqlite");
    let db_arg = db.to_str().unwrap();
    // One whole run, timed, so that the kills below spread over reading, solving and
    // writing the record.
    let started = std::time::Instant::now();
    let first = allocate(
        &scenario,
        &tmp.path().join("out"),
        &[
            "--record",
            db_arg,
            "-q",
            "--threads",
            "1",
            "--time-limit",
            "2",
        ],
    );
    assert!(first.status.success(), "{}", stderr(&first));
    let whole = started.elapsed();
    // A standing decision, so that the runs below write what they made of it too.
    let first_case = caseload::record::Record::open(&db)
        .unwrap()
        .rows(1)
        .unwrap()[0]
        .case_id
        .clone();
    let decided = caseload([
        "decide",
        db_arg,
        &first_case,
        "reject",
        "--note",
        "known to the family",
    ]);
    assert!(decided.status.success(), "{}", stderr(&decided));
    let cases = caseload::record::Record::open(&db)
        .unwrap()
        .run(1)
        .unwrap()
        .meta
        .counts
        .total;

    let mut runs = 1;
    for eighth in [1, 3, 5, 6, 7, 8, 9, 10] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_caseload"))
            .args(["allocate", scenario.to_str().unwrap(), "--out"])
            .arg(tmp.path().join("out"))
            .args([
                "--record",
                db_arg,
                "-q",
                "--threads",
                "1",
                "--time-limit",
                "2",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(whole * eighth / 8);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();

        let record = caseload::record::Record::open(&db).unwrap();
        record.check_integrity().unwrap();
        let now = record.runs().unwrap();
        assert!(
            now.len() == runs || now.len() == runs + 1,
            "{} runs after {runs}",
            now.len()
        );
        runs = now.len();
        for info in &now {
            assert_eq!(
                record.rows(info.id).unwrap().len(),
                cases,
                "run {} whole",
                info.id
            );
            if info.id > 1 {
                let decisions = record.run_decisions(info.id).unwrap();
                assert_eq!(decisions.len(), 1, "run {} kept its decision", info.id);
            }
        }
        assert_eq!(now[0].meta.by, record.run(1).unwrap().meta.by);
    }
}

/// Whether the tests run as root (who ignores file permissions).
fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Makes a file unwritable for the tests' user: `chattr +i` for root, else mode 0444.
/// Returns the command that undoes it, or `None` when it cannot be done here.
fn make_read_only(path: &Path) -> Option<Vec<String>> {
    let file = path.to_str()?.to_string();
    if is_root() {
        let done = std::process::Command::new("chattr")
            .args(["+i", &file])
            .status()
            .is_ok_and(|s| s.success());
        done.then(|| vec!["chattr".into(), "-i".into(), file])
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o444)).ok()?;
        Some(vec!["chmod".into(), "600".into(), file])
    }
}

#[test]
fn a_read_only_record_is_refused_for_writing_before_anything_is_written_and_still_read() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("r.sqlite");
    let db_arg = db.to_str().unwrap();
    let first = allocate(
        &demo(),
        &tmp.path().join("out1"),
        &["--record", db_arg, "-q"],
    );
    assert!(first.status.success(), "{}", stderr(&first));
    let Some(undo) = make_read_only(&db) else {
        eprintln!("skipped: cannot make a file read-only here (no chattr as root)");
        return;
    };
    let out_dir = tmp.path().join("out2");
    let out = allocate(&demo(), &out_dir, &["--record", db_arg]);
    // Reading still works: history of an archived, read-only record.
    let read = caseload(["history", db_arg]);
    let listed = caseload(["decide", db_arg, "--list"]);
    let status = std::process::Command::new(&undo[0])
        .args(&undo[1..])
        .status();
    assert!(status.is_ok_and(|s| s.success()), "undo {undo:?}");
    assert!(read.status.success(), "{}", stderr(&read));
    assert_eq!(stdout(&read).lines().count(), 2, "{}", stdout(&read));
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the record is read-only"),
        "{}",
        stderr(&out)
    );
    assert!(!out_dir.exists(), "nothing written");
    let history = caseload(["history", db_arg]);
    assert!(history.status.success(), "{}", stderr(&history));
    assert_eq!(stdout(&history).lines().count(), 2, "{}", stdout(&history));
}

#[test]
fn a_full_disk_records_nothing_and_loses_nothing() {
    if !is_root() {
        eprintln!("skipped: mounting a small tmpfs needs root");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&mnt)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a tmpfs here");
        return;
    }
    let db = mnt.join("r.sqlite");
    let db_arg = db.to_str().unwrap().to_string();
    let result = std::panic::catch_unwind(|| {
        let first = allocate(
            &demo(),
            &tmp.path().join("out1"),
            &["--record", &db_arg, "-q"],
        );
        assert!(first.status.success(), "{}", stderr(&first));
        // Fill the disk.
        let filler = mnt.join("filler");
        let mut file = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 4096];
        while std::io::Write::write_all(&mut file, &block).is_ok() {}
        drop(file);
        let out = allocate(&demo(), &tmp.path().join("out2"), &["--record", &db_arg]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("the disk is full"),
            "{}",
            stderr(&out)
        );
        std::fs::remove_file(&filler).unwrap();
        // The record has its first run, whole, and takes the next one.
        let record = caseload::record::Record::open(&db).unwrap();
        record.check_integrity().unwrap();
        assert_eq!(record.runs().unwrap().len(), 1);
        drop(record);
        let third = allocate(
            &demo(),
            &tmp.path().join("out3"),
            &["--record", &db_arg, "-q"],
        );
        assert!(third.status.success(), "{}", stderr(&third));
    });
    let _ = std::process::Command::new("umount").arg(&mnt).status();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
