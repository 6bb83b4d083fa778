//! Helpers shared by the integration tests: run the real binary in temporary folders.

pub mod http;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `caseload` with the given arguments.
pub fn caseload<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_caseload"))
        .args(args)
        .output()
        .expect("the caseload binary runs")
}

/// Runs `caseload allocate DIR --out OUT` with any extra arguments.
pub fn allocate(dir: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "allocate".as_ref(),
        dir.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    caseload(args)
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The shipped demo scenario.
pub fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/demo")
}

/// Writes a scenario folder from CSV/TOML texts.
pub fn scenario_dir(root: &Path, workers: &str, cases: &str, policy: Option<&str>) -> PathBuf {
    let dir = root.join("scenario");
    std::fs::create_dir_all(&dir).expect("scenario dir");
    std::fs::write(dir.join("workers.csv"), workers).expect("workers.csv");
    std::fs::write(dir.join("cases.csv"), cases).expect("cases.csv");
    if let Some(p) = policy {
        std::fs::write(dir.join("policy.toml"), p).expect("policy.toml");
    }
    dir
}

/// Reads `summary.json`.
pub fn summary(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("summary.json is JSON")
}

/// Whether two numbers agree to within one part in a million of the larger (and within
/// 1e-6 of each other near zero): the tests' one tolerance for comparing floats, since
/// sums of weights carry rounding and the solver's values carry HiGHS's tolerances.
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

/// Asserts two numbers are [`close`].
pub fn assert_close(a: f64, b: f64, what: &str) {
    assert!(close(a, b), "{what}: {a} vs {b}");
}

/// `key → value` for each row of a CSV text, its columns found by name.
pub fn column_map(csv: &str, key: &str, value: &str) -> std::collections::BTreeMap<String, String> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (k, v) = (at(key), at(value));
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[k].to_string(), r[v].to_string())
        })
        .collect()
}
