//! Writing a scenario folder (`workers.csv`, `cases.csv`, `policy.toml`, and `pairs.csv`
//! when the scenario has per-pair terms) that `read` loads back unchanged.
//!
//! The text follows docs/model.md "Inputs" exactly:
//! - every column is written, in the order of docs/model.md, with a header row;
//! - rows are sorted by id;
//! - lists (tags, worker ids) are joined with `;`;
//! - booleans are `true` / `false`;
//! - an optional value that is not set is an empty cell;
//! - numbers use Rust's shortest round-trip formatting (`{}` in CSV; in TOML the same
//!   digits with a `.0` added where needed so that a float stays a TOML float), so reading
//!   a file back gives bit-identical values;
//! - `policy.toml` names every key, including `[[bands]]` and `[weights]`.
//!
//! Each file is written atomically: to a temporary file in the same folder, flushed to
//! disk, then renamed over the target, so a reader never sees half a file.
//!
//! Values that the formats cannot express are written as faithfully as they can be:
//! a tag or worker id containing `;` would read back split, and a `max_moves` above
//! `i64::MAX` (the largest TOML integer) is written as `i64::MAX`, which is unlimited in
//! practice.

use std::fmt::Write as _;
use std::path::Path;

use super::atomic::write_files_atomically;
use super::csv::to_text;
use super::{
    CASES_FILE, CASE_COLUMNS, PAIRS_FILE, PAIR_COLUMNS, POLICY_FILE, WORKERS_FILE, WORKER_COLUMNS,
};
use crate::model::{CapacityMode, Case, Policy, Scenario, Worker};
use crate::Result;

/// Writes `workers.csv`, `cases.csv`, `policy.toml` and (when the scenario has per-pair
/// terms) `pairs.csv` of `scenario` into `dir`, creating the folder if needed: all are
/// staged, then renamed into place together. A `pairs.csv` left in `dir` from before is
/// removed when the scenario has no pairs, so the folder reads back as this scenario.
///
/// # Errors
/// [`crate::Error::Io`] naming the folder or file that could not be created or written;
/// [`crate::Error::Csv`] if a table cannot be formatted (nothing is written then).
pub fn write_scenario(dir: &Path, scenario: &Scenario) -> Result<()> {
    let mut files = vec![
        (dir.join(WORKERS_FILE), workers_csv(scenario)?.into_bytes()),
        (dir.join(CASES_FILE), cases_csv(scenario)?.into_bytes()),
        (
            dir.join(POLICY_FILE),
            policy_toml(&scenario.policy).into_bytes(),
        ),
    ];
    if !scenario.pairs.is_empty() {
        files.push((dir.join(PAIRS_FILE), pairs_csv(scenario)?.into_bytes()));
    }
    write_files_atomically(&files)?;
    if scenario.pairs.is_empty() {
        let stale = dir.join(PAIRS_FILE);
        match std::fs::remove_file(&stale) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(crate::Error::Io {
                    path: stale,
                    source: e,
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// The text of `pairs.csv`: one row per (case, worker) pair, sorted by case then worker;
/// an unset weight is an empty cell.
///
/// # Errors
/// [`crate::Error::Csv`] if the table cannot be formatted.
pub fn pairs_csv(scenario: &Scenario) -> Result<String> {
    let rows = scenario.pairs.iter().map(|((case, worker), terms)| {
        vec![
            case.to_string(),
            worker.to_string(),
            format!("{}", terms.cost),
            optional(terms.weight),
        ]
    });
    to_text(&PAIR_COLUMNS, rows)
}

/// The text of `workers.csv` for the scenario's workers, sorted by id.
///
/// # Errors
/// [`crate::Error::Csv`] if the table cannot be formatted.
pub fn workers_csv(scenario: &Scenario) -> Result<String> {
    let mut workers: Vec<&Worker> = scenario.workers.iter().collect();
    workers.sort_by(|a, b| a.id.cmp(&b.id));
    let rows = workers.into_iter().map(|w| {
        vec![
            w.id.to_string(),
            w.name.clone(),
            w.team.clone(),
            format!("{}", w.fte),
            optional(w.capacity),
            optional(w.max_cases),
            optional(w.max_new),
            join(w.skills.iter()),
            w.available.to_string(),
        ]
    });
    to_text(&WORKER_COLUMNS, rows)
}

/// The text of `cases.csv` for the scenario's cases, sorted by id.
///
/// # Errors
/// [`crate::Error::Csv`] if the table cannot be formatted.
pub fn cases_csv(scenario: &Scenario) -> Result<String> {
    let mut cases: Vec<&Case> = scenario.cases.iter().collect();
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    let rows = cases.into_iter().map(|c| {
        vec![
            c.id.to_string(),
            format!("{}", c.weight),
            c.team.clone(),
            join(c.requires.iter()),
            join(c.prefers.iter()),
            c.group.clone().unwrap_or_default(),
            optional(c.current_worker.as_ref()),
            c.pinned.to_string(),
            join(c.exclude.iter()),
            c.priority.to_string(),
        ]
    });
    to_text(&CASE_COLUMNS, rows)
}

/// The text of `policy.toml`, naming every key (docs/model.md, "Policy").
pub fn policy_toml(policy: &Policy) -> String {
    let mut s = String::new();
    // `write!` into a `String` cannot fail; the results are ignored on purpose.
    let _ = writeln!(s, "# caseload policy: every key is optional (see SPEC).");
    let _ = writeln!(
        s,
        "standard_capacity = {}",
        toml_float(policy.standard_capacity)
    );
    let mode = match policy.capacity {
        CapacityMode::Hard => "hard",
        CapacityMode::Soft => "soft",
    };
    let _ = writeln!(s, "capacity = \"{mode}\"");
    let _ = writeln!(s, "cross_team = {}", policy.cross_team);
    let max_moves = policy.max_moves.min(i64::MAX as u64);
    let _ = writeln!(s, "max_moves = {max_moves}");
    let _ = writeln!(s, "time_limit_s = {}", toml_float(policy.time_limit_s));
    let _ = writeln!(s, "threads = {}", policy.threads);
    if policy.bands.is_empty() {
        // An absent `[[bands]]` would read back as the default bands.
        let _ = writeln!(s, "bands = []");
    }
    for band in &policy.bands {
        let _ = writeln!(s);
        let _ = writeln!(s, "[[bands]]");
        let _ = writeln!(s, "from = {}", toml_float(band.from));
        let _ = writeln!(s, "cost = {}", toml_float(band.cost));
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "[weights]");
    let w = &policy.weights;
    let _ = writeln!(s, "unallocated = {}", toml_float(w.unallocated));
    let _ = writeln!(s, "move = {}", toml_float(w.move_));
    let _ = writeln!(s, "preference = {}", toml_float(w.preference));
    let _ = writeln!(s);
    let _ = writeln!(s, "[decisions]");
    let _ = writeln!(s, "note_required = {}", policy.decisions.note_required);
    s
}

/// A float as a TOML float: shortest round-trip digits, always with a fraction or an
/// exponent (`22.0`, `0.7`, `1e20`), and TOML's `nan` / `inf` / `-inf`.
fn toml_float(x: f64) -> String {
    if x.is_nan() {
        "nan".to_string()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        // `Debug` is the shortest round-trip form and always marks a float (`1.0`, `1e20`).
        format!("{x:?}")
    }
}

/// An optional value as a cell: empty when unset.
fn optional<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// A list cell: the items joined with `;`.
fn join<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    items.map(|t| t.to_string()).collect::<Vec<_>>().join(";")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Band, Worker};
    use crate::Error;
    use std::fs;

    fn sample() -> Scenario {
        let workers = vec![
            Worker::new("W2")
                .team("A")
                .fte(0.6)
                .skills(["urdu", "child-protection"]),
            Worker::new("W1").team("A").capacity(19.8).unavailable(),
        ];
        let mut w3 = Worker::new("W3");
        w3.name = "Smith, Jo \"JJ\"".to_string();
        w3.max_cases = Some(12);
        w3.max_new = Some(3);
        let cases = vec![
            Case::new("C2")
                .weight(1.5)
                .team("A")
                .requires(["child-protection"])
                .group("F1")
                .held_by("W2")
                .pinned()
                .exclude(["W3", "W1"])
                .priority(4),
            Case::new("C1").weight(0.1 + 0.2).prefers(["Urdu"]),
        ];
        Scenario::new([workers, vec![w3]].concat(), cases, Policy::default())
    }

    #[test]
    fn pairs_are_written_when_present_and_read_back_unchanged() {
        use crate::model::{CaseId, PairTerms, WorkerId};
        let mut pairs = std::collections::BTreeMap::new();
        let terms = PairTerms {
            cost: 0.1 + 0.2,
            weight: Some(2.5),
        };
        pairs.insert((CaseId::new("C1"), WorkerId::new("W3")), terms);
        let only_cost = PairTerms {
            cost: 4.0,
            weight: None,
        };
        pairs.insert((CaseId::new("C1"), WorkerId::new("W2")), only_cost);
        let scenario = sample().with_pairs(pairs);
        assert_eq!(
            pairs_csv(&scenario).unwrap(),
            "case_id,worker_id,cost,weight\nC1,W2,4,\nC1,W3,0.30000000000000004,2.5\n"
        );
        let dir = tempfile::tempdir().unwrap();
        write_scenario(dir.path(), &scenario).unwrap();
        let back = crate::io::load_scenario(dir.path()).unwrap();
        assert_eq!(back.pairs, scenario.pairs);
        write_scenario(dir.path(), &sample()).unwrap();
        assert!(!dir.path().join(PAIRS_FILE).exists());
    }

    #[test]
    fn workers_are_sorted_with_lists_booleans_and_empty_optionals() {
        let text = workers_csv(&sample()).unwrap();
        assert_eq!(
            text,
            "id,name,team,fte,capacity,max_cases,max_new,skills,available\n\
             W1,,A,1,19.8,,,,false\n\
             W2,,A,0.6,,,,child-protection;urdu,true\n\
             W3,\"Smith, Jo \"\"JJ\"\"\",,1,,12,3,,true\n"
        );
    }

    #[test]
    fn cases_are_sorted_and_floats_round_trip() {
        let text = cases_csv(&sample()).unwrap();
        assert_eq!(
            text,
            "id,weight,team,requires,prefers,group,current_worker,pinned,exclude,priority\n\
             C1,0.30000000000000004,,,urdu,,,false,,3\n\
             C2,1.5,A,child-protection,,F1,W2,true,W1;W3,4\n"
        );
        let weight: f64 = "0.30000000000000004".parse().unwrap();
        assert_eq!(weight, 0.1 + 0.2);
    }

    #[test]
    fn policy_names_every_key_and_parses_back_as_toml() {
        let policy = Policy {
            capacity: CapacityMode::Soft,
            time_limit_s: 30.0,
            ..Policy::default()
        };
        let text = policy_toml(&policy);
        let value: toml::Table = text.parse().unwrap();
        // Every key the reader accepts.
        for key in crate::io::policy::ROOT_KEYS {
            assert!(value.contains_key(*key), "{key} missing:\n{text}");
        }
        assert_eq!(value["standard_capacity"].as_float(), Some(22.0));
        assert_eq!(value["capacity"].as_str(), Some("soft"));
        assert_eq!(value["max_moves"].as_integer(), Some(1_000_000));
        assert_eq!(value["time_limit_s"].as_float(), Some(30.0));
        let bands = value["bands"].as_array().unwrap();
        assert_eq!(bands.len(), 3);
        assert_eq!(bands[0]["from"].as_float(), Some(0.7));
        assert_eq!(bands[2]["cost"].as_float(), Some(50.0));
        assert_eq!(value["weights"]["move"].as_float(), Some(20.0));
    }

    #[test]
    fn empty_bands_and_odd_floats_stay_valid_toml() {
        let mut policy = Policy {
            bands: vec![],
            standard_capacity: 1e20,
            time_limit_s: f64::INFINITY,
            max_moves: u64::MAX,
            ..Policy::default()
        };
        let value: toml::Table = policy_toml(&policy).parse().unwrap();
        assert_eq!(value["bands"].as_array().map(Vec::len), Some(0));
        assert_eq!(value["standard_capacity"].as_float(), Some(1e20));
        assert_eq!(value["time_limit_s"].as_float(), Some(f64::INFINITY));
        assert_eq!(value["max_moves"].as_integer(), Some(i64::MAX));
        policy.bands = vec![Band {
            from: 0.5,
            cost: 2.5,
        }];
        let value: toml::Table = policy_toml(&policy).parse().unwrap();
        assert_eq!(value["bands"][0]["cost"].as_float(), Some(2.5));
    }

    #[test]
    fn write_scenario_creates_the_folder_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("nested").join("scenario");
        let scenario = sample();
        write_scenario(&out, &scenario).unwrap();
        let mut names: Vec<String> = fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["cases.csv", "policy.toml", "workers.csv"]);
        assert_eq!(
            fs::read_to_string(out.join(WORKERS_FILE)).unwrap(),
            workers_csv(&scenario).unwrap()
        );
        assert_eq!(
            fs::read_to_string(out.join(CASES_FILE)).unwrap(),
            cases_csv(&scenario).unwrap()
        );
        assert_eq!(
            fs::read_to_string(out.join(POLICY_FILE)).unwrap(),
            policy_toml(&scenario.policy)
        );
        // Writing again replaces the files.
        write_scenario(&out, &Scenario::default()).unwrap();
        assert_eq!(
            fs::read_to_string(out.join(CASES_FILE)).unwrap(),
            "id,weight,team,requires,prefers,group,current_worker,pinned,exclude,priority\n"
        );
    }

    #[test]
    fn a_folder_that_cannot_be_created_is_an_io_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain-file");
        fs::write(&file, "x").unwrap();
        let target = file.join("scenario");
        match write_scenario(&target, &Scenario::default()) {
            Err(Error::Io { path, .. }) => assert_eq!(path, target),
            other => panic!("expected an I/O error, got {other:?}"),
        }
    }
}
