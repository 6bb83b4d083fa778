//! The objective's terms add up to its total wherever they are shown: the terminal line
//! `objective X = terms` and `summary.json`, with a `pairs.csv` whose costs are a term of
//! their own, and the total is the independent checker's.

use std::fs;
use std::path::Path;

use crate::util::{allocate, assert_close, demo, stderr, stdout, summary};

/// The demo scenario with a `pairs.csv`: a cost on every third case's current worker and
/// on another worker of its team, and a weight of its own on every fifth case there.
fn demo_with_pairs(root: &Path) -> std::path::PathBuf {
    let dir = root.join("scenario");
    fs::create_dir_all(&dir).expect("scenario dir");
    for file in ["workers.csv", "cases.csv", "policy.toml"] {
        fs::copy(demo().join(file), dir.join(file)).expect("copy the demo");
    }
    let cases = fs::read_to_string(dir.join("cases.csv")).expect("cases.csv");
    let mut reader = csv::Reader::from_reader(cases.as_bytes());
    let header = reader.headers().expect("header").clone();
    let at = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (id, current, team) = (at("id"), at("current_worker"), at("team"));
    let mut pairs = String::from("case_id,worker_id,cost,weight\n");
    for (i, record) in reader.records().enumerate() {
        let r = record.expect("a case");
        if i % 3 != 0 || r[current].is_empty() {
            continue;
        }
        let weight = if i % 5 == 0 { "2.25" } else { "" };
        pairs.push_str(&format!("{},{},4.5,{weight}\n", &r[id], &r[current]));
        // Another worker of the team: the first of T01 or T02 that is not the current one.
        let other = if &r[team] == "T01" { "W0102" } else { "W0201" };
        if other != &r[current] {
            pairs.push_str(&format!("{},{other},1.25,\n", &r[id]));
        }
    }
    fs::write(dir.join("pairs.csv"), pairs).expect("pairs.csv");
    dir
}

/// The terms of a line `objective X = name a + name b + …`: (X, [(name, value)]).
fn terms_of(line: &str) -> (f64, Vec<(String, f64)>) {
    let rest = line.strip_prefix("objective ").expect("an objective line");
    let (total, terms) = rest.split_once(" = ").expect("X = terms");
    let number = |s: &str| s.replace(',', "").parse::<f64>().expect("a number");
    let terms = terms
        .split(" + ")
        .map(|t| {
            let (name, value) = t.rsplit_once(' ').expect("name value");
            (name.to_string(), number(value))
        })
        .collect();
    (number(total), terms)
}

#[test]
fn with_pairs_the_printed_and_summary_terms_add_up_to_the_checked_total() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = demo_with_pairs(tmp.path());
    let out = tmp.path().join("out");
    let run = allocate(&dir, &out, &["--time-limit", "20"]);
    assert!(run.status.success(), "{}", stderr(&run));

    // The terminal line.
    let text = stdout(&run);
    let line = text
        .lines()
        .find(|l| l.starts_with("objective "))
        .unwrap_or_else(|| panic!("no objective line in {text}"));
    let (total, terms) = terms_of(line);
    let printed: f64 = terms.iter().map(|(_, v)| v).sum();
    assert_close(printed, total, &format!("the printed terms of `{line}`"));
    let pairs = terms.iter().find(|(n, _)| n == "pairs").map(|(_, v)| *v);
    assert!(
        pairs.is_some_and(|p| p > 0.0),
        "the pairs term is printed: {line}"
    );

    // summary.json: every term, pairs included, and their sum.
    let s = summary(&out);
    let o = &s["objective"];
    let term = |name: &str| o[name].as_f64().unwrap_or_else(|| panic!("{name} in {o}"));
    let sum: f64 = ["unallocated", "bands", "moves", "preferences", "pairs"]
        .iter()
        .map(|n| term(n))
        .sum();
    assert!((sum - term("total")).abs() <= 1e-6, "{o}");
    assert!((term("total") - total).abs() <= 1e-6, "{o} vs {line}");
    assert_eq!(Some(term("pairs")), pairs);

    // The independent checker's objective of the allocation written.
    let scenario = caseload::io::load_scenario(&dir).expect("the scenario reads");
    let rows = caseload::check::read_allocation(&out.join("allocation.csv")).expect("rows");
    let report = caseload::check::check(&scenario, &rows);
    assert!(report.violations.is_empty(), "{report}");
    let c = report.objective;
    assert!((c.total - term("total")).abs() <= 1e-6, "{c:?} vs {o}");
    assert!((c.pairs - term("pairs")).abs() <= 1e-6, "{c:?} vs {o}");
    let checked: f64 = c.terms().iter().map(|(_, v)| v).sum();
    assert!((checked - c.total).abs() <= 1e-6, "{c:?}");
    // And the checker's own line adds up too.
    let check_line = report
        .to_string()
        .lines()
        .find(|l| l.starts_with("objective "))
        .map(str::to_string)
        .expect("the checker's objective line");
    let (checked_total, checked_terms) = terms_of(&check_line);
    let sum: f64 = checked_terms.iter().map(|(_, v)| v).sum();
    assert!(
        (sum - checked_total).abs() <= 0.005 * checked_terms.len() as f64,
        "{check_line}"
    );
}
