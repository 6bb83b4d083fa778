//! The HTML report in a real browser (headless Chromium), the terminal table, and `-q`.
//!
//! Chromium comes from Debian's `chromium` package, installed by `bash .ci/setup`. Where
//! it is missing the browser tests skip, saying so on standard error; under CI (the
//! environment variable `CI` set) they fail instead, so CI cannot pass without them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{allocate, demo, stderr, stdout};

/// Allocates the demo with `--report`, returning (temp dir, out dir, report path, stdout).
fn demo_with_report() -> (tempfile::TempDir, PathBuf, PathBuf, String) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let report = tmp.path().join("report.html");
    let report_arg = report.to_string_lossy().into_owned();
    let run = allocate(&demo(), &out, &["--report", &report_arg, "--threads", "1"]);
    assert!(run.status.success(), "allocate failed: {}", stderr(&run));
    (tmp, out, report, stdout(&run))
}

/// Whether headless Chromium runs here. When it does not, the browser test `test` is to
/// be skipped: this prints why on standard error, or fails under CI (`CI` set).
fn chromium_found(test: &str) -> bool {
    let installed = Command::new("chromium").arg("--version").output();
    if installed.is_ok_and(|o| o.status.success()) {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: chromium is not installed and CI is set, so the browser tests may not skip: \
         run `bash .ci/setup` (it installs Debian's chromium)"
    );
    // Written to the process's standard error, not with `eprintln!`, which the test
    // harness captures and shows only for failing tests.
    let _ = writeln!(
        std::io::stderr(),
        "skipped: {test}: chromium not found (run `bash .ci/setup` to install Debian's chromium)"
    );
    false
}

/// Runs headless Chromium on `page` with the extra arguments.
fn chromium(profile: &Path, page: &Path, extra: &[&str]) -> std::process::Output {
    let url = format!("file://{}", page.display());
    let output = Command::new("timeout")
        .arg("120")
        .arg("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Text as Chromium serialises it in the DOM: only `&`, `<` and `>` escaped.
fn dom_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[test]
fn report_is_self_contained_and_has_every_move_and_reason_in_the_browser() {
    let (tmp, out, report, _) = demo_with_report();
    let html = std::fs::read_to_string(&report).expect("report written");
    // Self-contained: no script, no external resource.
    for banned in ["<script", "<link", "src=", "@import", "url(", "https://"] {
        assert!(
            !html.contains(banned),
            "the report must not contain {banned}"
        );
    }
    assert!(html.contains("@media print"), "printable");

    if !chromium_found("report_is_self_contained_and_has_every_move_and_reason_in_the_browser") {
        return;
    }
    let dom = stdout(&chromium(
        &tmp.path().join("profile"),
        &report,
        &["--dump-dom"],
    ));
    for key in [
        "<section id=\"status\">",
        "<section id=\"objective\">",
        "<section id=\"teams\">",
        "<section id=\"moves\">",
        "<section id=\"unallocated\">",
        "data-team=\"T01\"",
        "data-team=\"T02\"",
        "<svg class=\"loads\"",
        "Status:</b> optimal",
        "<b>gap</b>",
        "load bands",
    ] {
        assert!(dom.contains(key), "the rendered page lacks {key}");
    }
    // Bands as the loads say: W0105 holds 27.5/22 (red), W0102 22/22 (amber).
    assert!(dom.contains("data-worker=\"W0105\" data-band=\"red\""));
    assert!(dom.contains("data-worker=\"W0102\" data-band=\"amber\""));

    // Every case that is not kept is listed with the reason allocation.csv gives it.
    let mut csv = csv::Reader::from_path(out.join("allocation.csv")).expect("allocation.csv");
    let mut listed = 0;
    for row in csv.records() {
        let row = row.expect("row");
        let (case, change, reason) = (&row[0], &row[3], &row[4]);
        if change == "kept" {
            assert!(
                !dom.contains(&format!("data-case=\"{case}\"")),
                "{case} is kept"
            );
            continue;
        }
        let tag = format!("<tr data-case=\"{case}\" data-change=\"{change}\">");
        let at = dom
            .find(&tag)
            .unwrap_or_else(|| panic!("{case} ({change}) is listed"));
        let line_end = dom[at..].find("</tr>").map_or(dom.len(), |e| at + e);
        assert!(
            dom[at..line_end].contains(&dom_text(reason)),
            "{case}: the report gives the reason {reason}"
        );
        listed += 1;
    }
    assert_eq!(listed, 50, "27 moves and new allocations, 23 unallocated");
}

#[test]
fn report_screenshot_is_not_blank_and_shows_the_bands() {
    if !chromium_found("report_screenshot_is_not_blank_and_shows_the_bands") {
        return;
    }
    let (tmp, _, report, _) = demo_with_report();
    let shot = tmp.path().join("shot.png");
    chromium(
        &tmp.path().join("profile"),
        &report,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000",
        ],
    );
    let decoder = png::Decoder::new(std::fs::File::open(&shot).expect("screenshot written"));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).expect("a frame");
    assert_eq!((info.width, info.height), (1280, 2000));
    let channels = info.line_size / info.width as usize;
    assert!(channels >= 3, "colour screenshot");
    let rgb: Vec<[u8; 3]> = pixels[..info.buffer_size()]
        .chunks(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    let ink = rgb.iter().filter(|p| **p != [255, 255, 255]).count();
    assert!(
        ink * 20 > rgb.len(),
        "at least 5% of the page is not white: {ink} of {}",
        rgb.len()
    );
    let distinct: std::collections::BTreeSet<[u8; 3]> = rgb.iter().copied().collect();
    assert!(
        distinct.len() > 50,
        "text and charts: {} colours",
        distinct.len()
    );
    // The bars are drawn in the band colours.
    for (name, colour) in [("red", [0xc6, 0x28, 0x28]), ("amber", [0xe0, 0xa0, 0x00])] {
        let n = rgb.iter().filter(|p| **p == colour).count();
        assert!(n > 500, "{name} bars are visible ({n} pixels)");
    }
}

#[test]
fn allocate_prints_a_table_per_team_and_q_keeps_quiet() {
    let (_tmp, out, _, text) = demo_with_report();
    assert!(text.contains("team T01"), "{text}");
    assert!(text.contains("team T02"), "{text}");
    let line = |id: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(id))
            .unwrap_or_else(|| panic!("a row for {id} in {text}"))
            .to_string()
    };
    let w0105 = line("W0105");
    assert!(w0105.contains("27.5 → 27.5") && w0105.contains("125%") && w0105.contains("RED"));
    // W0102's load after depends on which of the optimal allocations the solver picks:
    // the row must show what loads.csv says.
    let loads = std::fs::read_to_string(out.join("loads.csv")).expect("loads.csv");
    let row: Vec<&str> = loads
        .lines()
        .find(|l| l.starts_with("W0102,"))
        .expect("W0102 in loads.csv")
        .split(',')
        .collect();
    let (before, after) = (row[3], row[4]);
    let w0102 = line("W0102");
    assert!(
        w0102.contains(&format!("{before} → {after}")),
        "{w0102} vs {row:?}"
    );
    assert!(line("W0204").contains("unavailable"));

    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let quiet = allocate(&demo(), &out, &["-q"]);
    assert!(quiet.status.success());
    assert_eq!(stdout(&quiet), "");
}

#[test]
fn report_escapes_names_and_ids() {
    use caseload::model::{Case, Instance, Policy, Scenario, Worker};
    let mut w = Worker::new("W<1>").team("T&T");
    w.name = "Tom \"<b>\" O'Neil".to_string();
    let scenario = Scenario::new(
        vec![w],
        vec![Case::new("C<script>").team("T&T")],
        Policy::default(),
    );
    let instance = Instance::new(&scenario).expect("valid");
    let solution = caseload::solve::solve(&instance, &Default::default()).expect("solves");
    let reasons = caseload::explain::explain(&instance, &solution.evaluation);
    let html = caseload::report::html::render("a <b> test", &instance, &solution, &reasons);
    assert!(!html.contains("<b> test") && !html.contains("\"<b>\"") && !html.contains("C<script>"));
    assert!(html.contains("W&lt;1&gt; Tom &quot;&lt;b&gt;&quot; O&#39;Neil"));
    assert!(html.contains("data-team=\"T&amp;T\""));
    assert!(html.contains("C&lt;script&gt;"));
}
