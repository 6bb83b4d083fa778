//! A closed standard output (`caseload ... | head -c 10`) ends every command quietly:
//! no panic, no message, the exit code of the work (0 when it was done; `diagnose`
//! still 4 when it lists problems, `check` 3 when it lists violations).

use std::process::{Command, Stdio};

use crate::util::{allocate, demo};

/// Runs `caseload ARGS` with its standard output a pipe whose reader is already gone:
/// the first write fails with a broken pipe. Returns the exit code and standard error.
fn closed_stdout(args: &[&std::ffi::OsStr]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let output = Command::new(env!("CARGO_BIN_EXE_caseload"))
        .args(args)
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .expect("the caseload binary runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn os(text: &str) -> &std::ffi::OsStr {
    text.as_ref()
}

#[test]
fn every_command_ends_quietly_when_its_output_is_closed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let db = tmp.path().join("record.sqlite");
    let made = allocate(&demo(), &out, &["--record", db.to_str().unwrap(), "-q"]);
    assert!(made.status.success());
    let allocation = out.join("allocation.csv");
    let scenario = tmp.path().join("generated");
    let dir = demo();
    let out2 = tmp.path().join("out2");
    let commands: Vec<Vec<&std::ffi::OsStr>> = vec![
        vec![
            os("check"),
            dir.as_os_str(),
            os("--allocation"),
            allocation.as_os_str(),
        ],
        vec![os("diagnose"), dir.as_os_str()],
        vec![
            os("allocate"),
            dir.as_os_str(),
            os("--out"),
            out2.as_os_str(),
        ],
        vec![os("history"), db.as_os_str()],
        vec![os("history"), db.as_os_str(), os("--json")],
        vec![os("history"), db.as_os_str(), os("--run"), os("1")],
        vec![os("decide"), db.as_os_str(), os("--list")],
        vec![os("diff"), allocation.as_os_str(), allocation.as_os_str()],
        vec![
            os("generate"),
            os("--teams"),
            os("1"),
            os("--out"),
            scenario.as_os_str(),
        ],
        vec![os("--help")],
        vec![os("allocate"), os("--help")],
    ];
    for args in &commands {
        // The exit code of the work, as it is with the output read to its end.
        let expected = crate::util::caseload(args).status.code();
        assert!(
            matches!(expected, Some(0 | 4)),
            "caseload {args:?}: {expected:?}"
        );
        let (code, stderr) = closed_stdout(args);
        assert_eq!(code, expected, "caseload {args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "caseload {args:?}: {stderr}");
        assert!(
            !stderr.contains("Broken pipe"),
            "caseload {args:?}: {stderr}"
        );
    }
    // The work was done: the allocation written, the scenario generated.
    assert!(out2.join("allocation.csv").is_file());
    assert!(scenario.join("cases.csv").is_file());
}

#[test]
fn a_closed_output_keeps_the_exit_code_of_the_work() {
    // check finds violations in a hand-made allocation: still 3, not a panic's 101.
    let tmp = tempfile::tempdir().unwrap();
    let allocation = tmp.path().join("allocation.csv");
    std::fs::write(&allocation, "case_id,worker_id\nC00001,NOBODY\n").unwrap();
    let dir = demo();
    let (code, stderr) = closed_stdout(&[
        os("check"),
        dir.as_os_str(),
        os("--allocation"),
        allocation.as_os_str(),
    ]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
