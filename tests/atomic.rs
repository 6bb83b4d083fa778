//! One atomic output set (issue 16 point 3): a reader of `OUT` sees the whole old set or
//! the whole new one, report and workbook included, whatever moment the real binary is
//! killed at; a destination in the way replaces nothing; the user's own files stay; the
//! leftovers of a killed run are cleaned by the next.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{caseload, demo, stderr};
use caseload::io::atomic::set::{HOOK_STEPS, STATE_DIR};
use caseload::io::read::load_scenario;

/// The demo with only its first `n` cases: a set told apart from the demo's by its size.
fn smaller_demo(root: &Path, n: usize) -> PathBuf {
    let mut scenario = load_scenario(&demo()).expect("demo loads");
    scenario.cases.truncate(n);
    let dir = root.join("small");
    caseload::io::scenario_writer::write_scenario(&dir, &scenario).expect("scenario written");
    dir
}

fn allocate_args<'a>(dir: &'a Path, out: &'a Path, extra: &[&'a str]) -> Vec<&'a std::ffi::OsStr> {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "allocate".as_ref(),
        dir.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "-q".as_ref(),
    ];
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    args
}

/// The whole demo set: 256 cases with the HTML report (no workbook).
fn old_set(out: &Path) {
    let report = out.join("report.html");
    let report = report.to_str().expect("utf-8 path");
    let run = caseload(allocate_args(&demo(), out, &["--report", report]));
    assert!(run.status.success(), "{}", stderr(&run));
}

/// Which set `OUT` shows, checked whole: `old` (256 cases, report, no workbook) or `new`
/// (`cases` cases, workbook, no report); the rows of every file agree with
/// `summary.json`, and nothing but the set, the user's notes and `.caseload` is there.
fn whole_set(out: &Path, cases: usize) -> &'static str {
    let text = |name: &str| fs::read_to_string(out.join(name)).expect(name);
    let summary: serde_json::Value =
        serde_json::from_str(&text("summary.json")).expect("summary parses");
    let total = summary["cases"]["total"].as_u64().expect("total") as usize;
    let rows = text("allocation.csv").lines().count() - 1;
    assert_eq!(rows, total, "allocation.csv against summary.json");
    let workers = summary["workers"].as_u64().expect("workers") as usize;
    assert_eq!(text("loads.csv").lines().count() - 1, workers, "loads.csv");
    assert_eq!(text("notes.txt"), "mine", "the user's file is kept");
    let mut visible: Vec<String> = fs::read_dir(out)
        .expect("listing")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.exists()) // a link that leads nowhere reads as no file
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    visible.sort();
    let which = if total == 256 {
        assert!(
            text("report.html").contains(&format!("{total}")),
            "the report of this set"
        );
        "old"
    } else {
        assert_eq!(total, cases, "the new set's cases");
        let book = fs::read(out.join("allocation.xlsx")).expect("workbook");
        assert!(book.starts_with(b"PK"), "a whole workbook");
        "new"
    };
    let expected: &[&str] = if which == "old" {
        &[
            STATE_DIR,
            "allocation.csv",
            "loads.csv",
            "notes.txt",
            "report.html",
            "summary.json",
        ]
    } else {
        &[
            STATE_DIR,
            "allocation.csv",
            "allocation.xlsx",
            "loads.csv",
            "notes.txt",
            "summary.json",
        ]
    };
    assert_eq!(visible, expected, "{which} set");
    which
}

/// Starts caseload with `args`, stopping at `step` of the swap (`CASELOAD_TEST_HOOK`), and waits
/// until it is there.
fn stopped_at<S: AsRef<std::ffi::OsStr>>(step: &str, hook: &Path, args: &[S]) -> Child {
    let _ = fs::remove_dir_all(hook);
    fs::create_dir_all(hook).expect("hook folder");
    // The steps before this one go on at once.
    for before in HOOK_STEPS.iter().take_while(|s| **s != step) {
        fs::write(hook.join(format!("{before}.go")), "").expect("go");
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_caseload"))
        .args(args)
        .env("CASELOAD_TEST_HOOK", hook)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("caseload starts");
    let started = Instant::now();
    while !hook.join(step).exists() {
        if let Some(status) = child.try_wait().expect("waits") {
            panic!("ended ({status}) before reaching {step}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "never reached {step}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child
}

/// What `.caseload/allocate` holds: after a whole run, only the lock, `current` and its
/// version.
fn state(out: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(out.join(STATE_DIR).join("allocate"))
        .expect("state listing")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_kill_at_each_step_of_the_swap_leaves_one_whole_set() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let small = smaller_demo(tmp.path(), 100);
    let out = tmp.path().join("out");
    let hook = tmp.path().join("hook");
    fs::create_dir_all(&out).expect("out");
    fs::write(out.join("notes.txt"), "mine").expect("notes");
    let new_args = allocate_args(&small, &out, &["--xlsx"]);
    for (i, step) in HOOK_STEPS.iter().enumerate() {
        old_set(&out);
        if i == 0 {
            // As an earlier caseload left it: plain files, and a temporary of a killed run.
            for name in ["allocation.csv", "loads.csv", "summary.json", "report.html"] {
                let bytes = fs::read(out.join(name)).expect("old file");
                fs::remove_file(out.join(name)).expect("link removed");
                fs::write(out.join(name), bytes).expect("plain file");
            }
            fs::remove_dir_all(out.join(STATE_DIR)).expect("state removed");
            fs::write(out.join(".loads.csv.4194305.tmp"), "half").expect("leftover");
        }
        let mut child = stopped_at(step, &hook, &new_args);
        let expected = if *step == "swapped" { "new" } else { "old" };
        assert_eq!(whole_set(&out, 100), expected, "stopped at {step}");
        child.kill().expect("killed");
        child.wait().expect("reaped");
        assert_eq!(whole_set(&out, 100), expected, "killed at {step}");
    }
    // The next run finishes the job and cleans what the killed ones left.
    let run = caseload(&new_args);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(whole_set(&out, 100), "new");
    let version = fs::read_link(out.join(STATE_DIR).join("allocate/current")).expect("current");
    let version = version.to_string_lossy().into_owned();
    assert_eq!(state(&out), ["current", "lock", version.as_str()]);
    assert!(
        !out.join(".loads.csv.4194305.tmp").exists(),
        "old temporary removed"
    );
    // The set passes the checker.
    let check = caseload([
        "check".as_ref(),
        small.as_os_str(),
        "--allocation".as_ref(),
        out.join("allocation.csv").as_os_str(),
    ]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn a_destination_in_the_way_replaces_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let small = smaller_demo(tmp.path(), 100);
    let out = tmp.path().join("out");
    fs::create_dir_all(&out).expect("out");
    fs::write(out.join("notes.txt"), "mine").expect("notes");
    old_set(&out);
    // A folder where summary.json goes.
    fs::remove_file(out.join("summary.json")).expect("link removed");
    fs::create_dir(out.join("summary.json")).expect("folder in the way");
    let run = caseload(allocate_args(&small, &out, &["--xlsx"]));
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(stderr(&run).contains("summary.json"), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("nothing was replaced"),
        "{}",
        stderr(&run)
    );
    let rows = fs::read_to_string(out.join("allocation.csv")).expect("old allocation");
    assert_eq!(rows.lines().count() - 1, 256, "the old allocation stays");
    assert!(
        !out.join("allocation.xlsx").exists(),
        "nothing of the new set"
    );
    assert!(out.join("report.html").exists(), "the old report stays");
    fs::remove_dir(out.join("summary.json")).expect("folder removed");
    // OUT itself a file: exit 1, nothing written.
    let file = tmp.path().join("a-file");
    fs::write(&file, "x").expect("file");
    let run = caseload(allocate_args(&small, &file, &[]));
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert_eq!(fs::read_to_string(&file).expect("file"), "x");
    // Once the way is clear the new set comes whole (summary.json's link restored too).
    let run = caseload(allocate_args(&small, &out, &["--xlsx"]));
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(whole_set(&out, 100), "new");
}

/// `whatif DEMO --variants FILE --out OUT --allocations -q`, with `variants` in FILE.
fn whatif_args(root: &Path, out: &Path, variants: &str) -> Vec<std::ffi::OsString> {
    let file = root.join(format!("variants-{}.toml", variants.len()));
    fs::write(&file, variants).expect("variants written");
    let demo = demo();
    [
        "whatif".as_ref(),
        demo.as_os_str(),
        "--variants".as_ref(),
        file.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--allocations".as_ref(),
        "--jobs".as_ref(),
        "2".as_ref(),
        "-q".as_ref(),
    ]
    .into_iter()
    .map(std::ffi::OsStr::to_os_string)
    .collect()
}

fn whatif(root: &Path, out: &Path, variants: &str) -> std::process::Output {
    caseload(whatif_args(root, out, variants))
}

fn variant_folders(out: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(out.join("variants"))
        .expect("variants")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_smaller_whatif_run_leaves_no_stale_variant_and_a_failed_one_changes_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let three = "[[variant]]\nname = \"today\"\n\n[[variant]]\nname = \"cap\"\ngrid = { points = [14, 22] }\nchange = [{ do = \"policy\", standard_capacity = \"$points\" }]\n";
    let run = whatif(tmp.path(), &out, three);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(
        variant_folders(&out),
        ["001-today", "002-cap-points=14", "003-cap-points=22"]
    );
    // A file where the variants' folder goes: refused, the old comparison stays whole.
    let one = "[[variant]]\nname = \"alone\"\n";
    fs::remove_file(out.join("variants")).expect("link removed");
    fs::write(out.join("variants"), "mine").expect("file in the way");
    let run = whatif(tmp.path(), &out, one);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let csv = fs::read_to_string(out.join("comparison.csv")).expect("comparison");
    assert_eq!(csv.lines().count(), 4, "the old comparison: {csv}");
    fs::remove_file(out.join("variants")).expect("file removed");
    let run = whatif(tmp.path(), &out, one);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(variant_folders(&out), ["001-alone"]);
    let csv = fs::read_to_string(out.join("comparison.csv")).expect("comparison");
    assert_eq!(csv.lines().count(), 2, "{csv}");
}

#[test]
fn the_scenario_folder_itself_can_be_out_and_keeps_its_files() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = smaller_demo(tmp.path(), 50);
    let before: Vec<(PathBuf, Vec<u8>)> = fs::read_dir(&dir)
        .expect("listing")
        .map(|e| e.expect("entry").path())
        .map(|p| (p.clone(), fs::read(&p).expect("file")))
        .collect();
    for _ in 0..2 {
        let run = caseload(allocate_args(&dir, &dir, &[]));
        assert!(run.status.success(), "{}", stderr(&run));
    }
    for (path, bytes) in before {
        assert_eq!(fs::read(&path).expect("kept"), bytes, "{}", path.display());
    }
    let rows = fs::read_to_string(dir.join("allocation.csv")).expect("allocation");
    assert_eq!(rows.lines().count(), 51);
}

/// The comparison's variants and the variant folders agree, whichever set it is.
fn whole_comparison(out: &Path) -> usize {
    let csv = fs::read_to_string(out.join("comparison.csv")).expect("comparison");
    let rows = csv.lines().count() - 1;
    assert_eq!(
        variant_folders(out).len(),
        rows,
        "variants/ against comparison.csv"
    );
    let json = fs::read_to_string(out.join("comparison.json")).expect("json");
    let json: serde_json::Value = serde_json::from_str(&json).expect("json parses");
    assert_eq!(json["variants"].as_array().expect("variants").len(), rows);
    rows
}

#[test]
fn a_whatif_killed_while_it_runs_or_at_the_swap_shows_the_old_comparison_whole() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let hook = tmp.path().join("hook");
    let three = "[[variant]]\nname = \"today\"\n\n[[variant]]\nname = \"cap\"\ngrid = { points = [14, 22] }\nchange = [{ do = \"policy\", standard_capacity = \"$points\" }]\n";
    let one = "[[variant]]\nname = \"alone\"\n";
    let run = whatif(tmp.path(), &out, three);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(whole_comparison(&out), 3);
    for step in HOOK_STEPS {
        let mut child = stopped_at(step, &hook, &whatif_args(tmp.path(), &out, one));
        // Every variant is solved and written by now, into the staging folder only.
        let expected = if step == "swapped" { 1 } else { 3 };
        assert_eq!(whole_comparison(&out), expected, "stopped at {step}");
        child.kill().expect("killed");
        child.wait().expect("reaped");
        assert_eq!(whole_comparison(&out), expected, "killed at {step}");
        if step != "swapped" {
            assert_eq!(variant_folders(&out)[0], "001-today");
        }
    }
}
