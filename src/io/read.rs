//! Reading `workers.csv`, `cases.csv` and the optional `pairs.csv` into the model, every problem located by file, line and column.
//!
//! [`load_scenario`] reads a scenario folder; [`parse_scenario`] does the same from text.
//! Both report every problem of every file in one pass (docs/model.md, "Invalid input"): files that
//! are missing or not UTF-8, missing columns, malformed rows, values that do not parse,
//! and every semantic problem of [`crate::validate`], located at the row (or policy key)
//! it concerns.
//!
//! Spreadsheet exports are welcome: a UTF-8 byte order mark, CRLF line endings, spaces
//! around values and headers, header names in any case, and rows that are entirely
//! empty (skipped) are all accepted.
//!
//! The work is split by seam: `io::source` reads a file as text, [`super::csv`] reads
//! CSV records with their lines, `io::rows` turns rows into workers, cases and pairs,
//! [`super::policy`] reads `policy.toml`, and `io::locate` maps every problem of
//! validation back to its file and line. This module puts them together.

use std::path::Path;

use super::assemble::{assemble, read_source, Inputs};
use super::locate::{Kind, Report};
use super::sheet::Input;
use super::{CASES_FILE, PAIRS_FILE, POLICY_FILE, WORKERS_FILE};
use crate::error::{Error, InputErrors};
use crate::model::Scenario;

pub use super::source::Source;

/// Reads the scenario folder `dir`: `workers.csv`, `cases.csv` and, if present,
/// `pairs.csv` and `policy.toml`.
///
/// With the `xlsx` feature, a table may be a workbook instead (`workers.xlsx`,
/// `cases.xlsx`, `pairs.xlsx`: their first sheet), or the folder may hold one
/// `scenario.xlsx` with sheets `workers`, `cases`, and optionally `pairs` and `policy`;
/// a table given twice is an error naming both files. Problems in a workbook are
/// located by sheet and cell (`cases.xlsx: cases!D12`).
///
/// # Errors
/// [`Error::InvalidInput`] listing every problem of every file, sorted by file
/// (workers, cases, policy) then line; files are named `dir` joined with the file name.
pub fn load_scenario(dir: &Path) -> crate::Result<Scenario> {
    #[cfg(feature = "xlsx")]
    if let Some(loaded) = super::folder::load(dir) {
        return loaded;
    }
    let mut report = Report::default();
    let mut read =
        |kind: Kind, file: &str, required: bool| match read_source(&dir.join(file), required) {
            Ok(source) => source,
            Err(error) => {
                report.push(kind, error);
                None
            }
        };
    let workers = read(Kind::Workers, WORKERS_FILE, true);
    let cases = read(Kind::Cases, CASES_FILE, true);
    let pairs = read(Kind::Pairs, PAIRS_FILE, false);
    let policy = read(Kind::Policy, POLICY_FILE, false);
    let policy_name = dir.join(POLICY_FILE).display().to_string();
    let inputs = Inputs {
        workers: workers.as_ref().map(Input::Text),
        cases: cases.as_ref().map(Input::Text),
        pairs: pairs.as_ref().map(Input::Text),
        policy: policy.as_ref(),
        policy_name,
        #[cfg(feature = "xlsx")]
        policy_sheet: None,
    };
    assemble(inputs, report).map_err(Error::InvalidInput)
}

/// Parses a scenario from the text of its files; `policy` `None` means the defaults.
///
/// # Errors
/// Every problem of every source, sorted by file (workers, cases, policy) then line.
///
/// # Example
/// ```
/// use caseload::io::{parse_scenario, Source};
///
/// let workers = Source::new("workers.csv", "id,skills\nW1,Court; Urdu\n");
/// let cases = Source::new("cases.csv", "id,requires,weight\nC1,court,2\nC2,,-1\n");
/// let errors = parse_scenario(&workers, &cases, None).unwrap_err();
/// assert_eq!(
///     errors.to_string(),
///     "cases.csv:3: weight: must be a number from 0.001 to 1,000, got -1 [E-RANGE]"
/// );
/// ```
pub fn parse_scenario(
    workers: &Source,
    cases: &Source,
    policy: Option<&Source>,
) -> Result<Scenario, InputErrors> {
    parse_scenario_with_pairs(workers, cases, None, policy)
}

/// Like [`parse_scenario`], with the text of `pairs.csv` (`None`: no per-pair terms).
///
/// # Errors
/// Every problem of every source, sorted by file (workers, cases, policy, pairs) then line.
pub fn parse_scenario_with_pairs(
    workers: &Source,
    cases: &Source,
    pairs: Option<&Source>,
    policy: Option<&Source>,
) -> Result<Scenario, InputErrors> {
    let inputs = Inputs {
        workers: Some(Input::Text(workers)),
        cases: Some(Input::Text(cases)),
        pairs: pairs.map(Input::Text),
        policy,
        policy_name: policy.map_or_else(|| POLICY_FILE.to_string(), |p| p.name.clone()),
        #[cfg(feature = "xlsx")]
        policy_sheet: None,
    };
    assemble(inputs, Report::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Case, CaseId, PairTerms, Policy, Tag, Worker, WorkerId};

    fn parse(workers: &str, cases: &str) -> Result<Scenario, InputErrors> {
        parse_scenario(
            &Source::new("workers.csv", workers),
            &Source::new("cases.csv", cases),
            None,
        )
    }

    /// `file:line: column [code]` of each error.
    fn located(errors: &InputErrors) -> Vec<String> {
        errors
            .0
            .iter()
            .map(|e| {
                format!(
                    "{}:{}: {} [{}]",
                    e.file,
                    e.line.unwrap_or(0),
                    e.column,
                    e.code
                )
            })
            .collect()
    }

    fn parse_pairs(pairs: &str) -> Result<Scenario, InputErrors> {
        let workers = Source::new("workers.csv", "id\nW1\nW2\n");
        let cases = Source::new("cases.csv", "id\nC1\nC2\n");
        let pairs = Source::new("pairs.csv", pairs);
        parse_scenario_with_pairs(&workers, &cases, Some(&pairs), None)
    }

    #[test]
    fn pairs_take_their_defaults_and_every_problem_is_located() {
        let s = parse_pairs("worker_id,case_id,weight\nW2,C1,2.5\nW1,C2,\n").unwrap();
        let terms = s.pairs[&(CaseId::new("C1"), WorkerId::new("W2"))];
        assert_eq!(
            terms,
            PairTerms {
                cost: 0.0,
                weight: Some(2.5)
            }
        );
        assert_eq!(
            s.pairs[&(CaseId::new("C2"), WorkerId::new("W1"))],
            PairTerms::default()
        );

        let text = "case_id,worker_id,cost,weight\n\
                    C1,W1,1,\n\
                    C9,W1,1,\n\
                    C1,W9,-1,0\n\
                    C1,W1,2,\n\
                    C2,W2,x,NaN\n";
        let errors = parse_pairs(text).unwrap_err();
        assert_eq!(
            located(&errors),
            [
                "pairs.csv:3: case_id [E-UNKNOWN-CASE]",
                "pairs.csv:4: worker_id [E-UNKNOWN-WORKER]",
                "pairs.csv:4: cost [E-RANGE]",
                "pairs.csv:4: weight [E-RANGE]",
                "pairs.csv:5: case_id [E-DUPLICATE-PAIR]",
                "pairs.csv:6: cost [E-PARSE]",
                "pairs.csv:6: weight [E-RANGE]",
            ]
        );
        let errors = parse_pairs("case_id,cost\nC1,1\n").unwrap_err();
        assert_eq!(
            located(&errors),
            ["pairs.csv:1: worker_id [E-MISSING-COLUMN]"]
        );
    }

    #[test]
    fn a_minimal_scenario_takes_every_default() {
        let s = parse("id\nW1\n", "id\nC1\n").unwrap();
        assert_eq!(s.workers, [Worker::new("W1")]);
        assert_eq!(s.cases, [Case::new("C1")]);
        assert_eq!(s.policy, Policy::default());
    }

    #[test]
    fn lists_booleans_and_headers_are_forgiving() {
        let workers = "\u{feff} ID , Skills ,available\r\nW1, Court; ;URDU;,YES\r\nW2,,0\r\n";
        let cases = "id,exclude,pinned,current_worker,group\r\nC1, W2 ;;,no, W1 , g \r\n,,,,\r\n";
        let s = parse(workers, cases).unwrap();
        assert_eq!(
            s.workers[0].skills,
            ["court", "urdu"].into_iter().map(Tag::new).collect()
        );
        assert!(s.workers[0].available);
        assert!(!s.workers[1].available);
        assert_eq!(s.cases.len(), 1, "an empty spreadsheet row is skipped");
        assert_eq!(s.cases[0].exclude, [WorkerId::new("W2")].into());
        assert_eq!(s.cases[0].current_worker, Some(WorkerId::new("W1")));
        assert_eq!(s.cases[0].group.as_deref(), Some("g"));
        assert!(!s.cases[0].pinned);
    }

    #[test]
    fn lines_count_quoted_line_breaks_and_crlf() {
        let cases = "id,weight\r\nC1,1\r\n\"C\r\n2\",x\r\nC3,y\r\n";
        let errors = parse("id\nW1\n", cases).unwrap_err();
        assert_eq!(
            located(&errors),
            [
                "cases.csv:3: weight [E-PARSE]",
                "cases.csv:5: weight [E-PARSE]"
            ]
        );
    }

    #[test]
    fn every_bad_value_of_a_row_is_reported() {
        let workers = "id,fte,capacity,max_cases,max_new,available\nW1,one,1e,-1,2.5,maybe\n";
        let errors = parse(workers, "id,priority,pinned\nC1,300,x\nC2,high,\n").unwrap_err();
        assert_eq!(
            located(&errors),
            [
                "workers.csv:2: fte [E-PARSE]",
                "workers.csv:2: capacity [E-PARSE]",
                "workers.csv:2: max_cases [E-PARSE]",
                "workers.csv:2: max_new [E-PARSE]",
                "workers.csv:2: available [E-PARSE]",
                "cases.csv:2: pinned [E-PARSE]",
                "cases.csv:2: priority [E-RANGE]",
                "cases.csv:3: priority [E-PARSE]",
            ]
        );
        assert_eq!(
            errors.0[6].to_string(),
            "cases.csv:2: priority: must be a whole number from 1 to 5 (5 most urgent), got 300 [E-RANGE]"
        );
    }

    #[test]
    fn a_missing_id_column_is_reported_once_not_per_row() {
        let errors = parse("name\nAda\nBob\n", "id\nC1\n").unwrap_err();
        assert_eq!(located(&errors), ["workers.csv:1: id [E-MISSING-COLUMN]"]);
    }

    #[test]
    fn an_empty_file_has_no_header() {
        let errors = parse("", "id\n").unwrap_err();
        assert_eq!(located(&errors), ["workers.csv:1:  [E-MISSING-COLUMN]"]);
    }

    #[test]
    fn a_duplicate_column_is_reported() {
        let errors = parse("id,fte,FTE\nW1,1,0.5\n", "id\n").unwrap_err();
        assert_eq!(
            located(&errors),
            ["workers.csv:1: fte [E-DUPLICATE-COLUMN]"]
        );
    }

    #[test]
    fn malformed_rows_do_not_make_references_to_them_unknown() {
        let workers = "id,name,team\nW1,Ada,A\nW2,Smith, Bob,A\n";
        let cases = "id,current_worker,pinned,exclude,team\n\
                     C1,W2,yes,W2,B\nC2,W1,yes,extra\nC3,W1,,W3,\n";
        let errors = parse(workers, cases).unwrap_err();
        assert_eq!(
            located(&errors),
            [
                "workers.csv:3:  [E-MALFORMED-ROW]",
                "cases.csv:3:  [E-MALFORMED-ROW]",
                "cases.csv:4: exclude [E-UNKNOWN-WORKER]",
            ]
        );
    }

    #[test]
    fn a_row_malformed_before_its_id_leaves_worker_ids_unknown() {
        let errors = parse("name,id\nAda\n", "id,current_worker\nC1,W1\n").unwrap_err();
        assert_eq!(located(&errors), ["workers.csv:2:  [E-MALFORMED-ROW]"]);
    }

    #[test]
    fn a_bad_cross_team_does_not_make_pins_ineligible() {
        let policy = Source::new("policy.toml", "cross_team = \"yes\"\n");
        let errors = parse_scenario(
            &Source::new("workers.csv", "id,team\nW1,A\n"),
            &Source::new("cases.csv", "id,team,current_worker,pinned\nC1,B,W1,1\n"),
            Some(&policy),
        )
        .unwrap_err();
        assert_eq!(located(&errors), ["policy.toml:1: cross_team [E-PARSE]"]);
    }

    #[test]
    fn semantic_problems_are_located_at_their_row() {
        let workers = "id,fte\nW1,0\n\nW1,1\n";
        let cases = "id,weight,current_worker\nC1,-2,W9\n";
        let errors = parse(workers, cases).unwrap_err();
        assert_eq!(
            located(&errors),
            [
                "workers.csv:2: fte [E-RANGE]",
                "workers.csv:4: id [E-DUPLICATE-ID]",
                "cases.csv:2: weight [E-RANGE]",
                "cases.csv:2: current_worker [E-UNKNOWN-WORKER]",
            ]
        );
    }
}
