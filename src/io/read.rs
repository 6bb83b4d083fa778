//! Reading `workers.csv`, `cases.csv` and the optional `pairs.csv` into the model, every problem located by file, line and column.
//!
//! [`load_scenario`] reads a scenario folder; [`parse_scenario`] does the same from text.
//! Both report every problem of every file in one pass (SPEC "Invalid input"): files that
//! are missing or not UTF-8, missing columns, malformed rows, values that do not parse,
//! and every semantic problem of [`crate::validate`], located at the row (or policy key)
//! it concerns.
//!
//! Spreadsheet exports are welcome: a UTF-8 byte order mark, CRLF line endings, spaces
//! around values and headers, header names in any case, and rows that are entirely
//! empty (skipped) are all accepted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use csv::{ReaderBuilder, StringRecord, Trim};

use super::policy::{read_policy, PolicyRead};
use super::{
    CASES_FILE, CASE_COLUMNS, PAIRS_FILE, PAIR_COLUMNS, POLICY_FILE, WORKERS_FILE, WORKER_COLUMNS,
};
use crate::error::{Error, InputError, InputErrors};
use crate::model::{Case, CaseId, PairTerms, Scenario, Tag, Worker, WorkerId};
use crate::validate::{self, code, priority_out_of_range, Problem, Subject};

/// The text of one input file, and the name its problems are reported under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// Shown in errors, e.g. `scenarios/demo/cases.csv`.
    pub name: String,
    /// The whole file.
    pub text: String,
}

impl Source {
    /// A source from its name and text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// Reads the scenario folder `dir`: `workers.csv`, `cases.csv` and, if present,
/// `pairs.csv` and `policy.toml`.
///
/// # Errors
/// [`Error::InvalidInput`] listing every problem of every file, sorted by file
/// (workers, cases, policy) then line; files are named `dir` joined with the file name.
pub fn load_scenario(dir: &Path) -> crate::Result<Scenario> {
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
        workers: workers.as_ref(),
        cases: cases.as_ref(),
        pairs: pairs.as_ref(),
        policy: policy.as_ref(),
        policy_name,
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
///     "cases.csv:3: weight: must be a finite number > 0, got -1 [E-RANGE]"
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
        workers: Some(workers),
        cases: Some(cases),
        pairs,
        policy,
        policy_name: policy.map_or_else(|| POLICY_FILE.to_string(), |p| p.name.clone()),
    };
    assemble(inputs, Report::default())
}

/// Reads a file as UTF-8 text. `Ok(None)`: an optional file that does not exist.
fn read_source(path: &Path, required: bool) -> Result<Option<Source>, InputError> {
    let name = path.display().to_string();
    let error = |line, code, message| InputError {
        file: name.clone(),
        line,
        column: String::new(),
        code,
        message,
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let message =
                format!("file not found: a scenario folder needs {WORKERS_FILE} and {CASES_FILE}");
            return Err(error(None, code::MISSING_FILE, message));
        }
        Err(e) => {
            let message = format!("cannot be read: {e}");
            return Err(error(None, code::UNREADABLE, message));
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Some(Source { name, text })),
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = 1 + valid.iter().filter(|&&b| b == b'\n').count() as u64;
            let message = "is not valid UTF-8 from this line on: save the file as UTF-8 (\"CSV UTF-8\" in Excel)";
            Err(error(Some(line), code::ENCODING, message.to_string()))
        }
    }
}

/// Which input a problem is in; problems are reported in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Workers,
    Cases,
    Policy,
    Pairs,
}

/// Problems found so far, each tagged with its input.
#[derive(Default)]
struct Report(Vec<(Kind, InputError)>);

impl Report {
    fn push(&mut self, kind: Kind, error: InputError) {
        self.0.push((kind, error));
    }

    fn extend(&mut self, kind: Kind, errors: Vec<InputError>) {
        self.0.extend(errors.into_iter().map(|e| (kind, e)));
    }

    /// Every problem, by input then line; problems of one line keep the order found.
    fn into_errors(mut self) -> InputErrors {
        self.0.sort_by_key(|(kind, e)| (*kind, e.line));
        InputErrors(self.0.into_iter().map(|(_, e)| e).collect())
    }
}

/// The sources to assemble a scenario from; `None` for a CSV file means it could not be
/// read (already reported), for the policy that there is none.
struct Inputs<'a> {
    workers: Option<&'a Source>,
    cases: Option<&'a Source>,
    /// `pairs.csv`; `None` when there is none (or it could not be read).
    pairs: Option<&'a Source>,
    policy: Option<&'a Source>,
    policy_name: String,
}

/// Parses every input, validates the result, and locates every problem.
fn assemble(inputs: Inputs<'_>, mut report: Report) -> Result<Scenario, InputErrors> {
    let mut errors = Vec::new();
    let workers = inputs.workers.map_or_else(Rows::missing, |s| {
        read_rows(s, &WORKER_COLUMNS, worker, &mut errors)
    });
    report.extend(Kind::Workers, std::mem::take(&mut errors));
    let cases = inputs.cases.map_or_else(Rows::missing, |s| {
        read_rows(s, &CASE_COLUMNS, case, &mut errors)
    });
    report.extend(Kind::Cases, std::mem::take(&mut errors));
    let policy = inputs.policy.map(read_policy).unwrap_or_default();
    report.extend(Kind::Policy, policy.errors.clone());
    let pairs = inputs
        .pairs
        .map_or_else(PairsRead::default, |s| read_pairs(s, &mut errors));
    report.extend(Kind::Pairs, errors);

    let mut scenario = Scenario::new(workers.items, cases.items, policy.policy.clone())
        .with_pairs(pairs.terms.clone());
    let stand_ins: BTreeSet<WorkerId> = workers
        .index
        .unparsed_ids
        .iter()
        .map(WorkerId::new)
        .collect();
    let problems = validate_with_stand_ins(&mut scenario, &stand_ins);

    let locator = Locator {
        workers: &workers.index,
        cases: &cases.index,
        pairs: &pairs,
        policy: &policy,
        policy_name: &inputs.policy_name,
        scenario: &scenario,
        stand_ins: &stand_ins,
    };
    for problem in problems.0 {
        if let Some((kind, error)) = locator.locate(problem) {
            report.push(kind, error);
        }
    }
    if report.0.is_empty() {
        Ok(scenario)
    } else {
        Err(report.into_errors())
    }
}

/// Validates `scenario` with a stand-in worker for each id of a malformed worker row, so
/// that the cases naming them are not blamed for the malformed row.
fn validate_with_stand_ins(
    scenario: &mut Scenario,
    stand_ins: &BTreeSet<WorkerId>,
) -> validate::Problems {
    let real_workers = scenario.workers.len();
    let stand_in = |id: &WorkerId| Worker::new(id.as_str());
    scenario.workers.extend(stand_ins.iter().map(stand_in));
    let problems = validate::validate(scenario);
    scenario.workers.truncate(real_workers);
    problems
}

/// Maps validation problems back to files and lines, dropping those that only follow
/// from a problem already reported.
struct Locator<'a> {
    workers: &'a RowIndex,
    cases: &'a RowIndex,
    pairs: &'a PairsRead,
    policy: &'a PolicyRead,
    policy_name: &'a str,
    /// The scenario validated, without its stand-in workers.
    scenario: &'a Scenario,
    /// Ids of workers whose row is malformed.
    stand_ins: &'a BTreeSet<WorkerId>,
}

impl Locator<'_> {
    fn locate(&self, problem: Problem) -> Option<(Kind, InputError)> {
        if self.follows_from_reported(&problem) {
            return None;
        }
        let (kind, file, line) = match problem.subject {
            Subject::Worker(i) => (Kind::Workers, &*self.workers.file, self.workers.line(i)),
            Subject::Case(i) => (Kind::Cases, &*self.cases.file, self.cases.line(i)),
            Subject::Policy => (
                Kind::Policy,
                self.policy_name,
                self.policy.lines.line_of(&problem.column),
            ),
            Subject::Pair(i) => (Kind::Pairs, &*self.pairs.file, self.pairs.line(i)),
        };
        let error = InputError {
            file: file.to_string(),
            line,
            column: problem.column,
            code: problem.code,
            message: problem.message,
        };
        Some((kind, error))
    }

    /// Whether the problem only follows from one already reported: it is about a value
    /// that did not parse (and was replaced by its default), about a stand-in worker, or
    /// it rests on what could not be read (the ids of workers, a pinned case's worker
    /// whose row is malformed, `cross_team`).
    fn follows_from_reported(&self, problem: &Problem) -> bool {
        let column = problem.column.as_str();
        let failed = match problem.subject {
            Subject::Worker(i) => {
                i >= self.scenario.workers.len() || self.workers.failed(i, column)
            }
            Subject::Case(i) => self.cases.failed(i, column),
            Subject::Policy => self.policy.rejected(column),
            Subject::Pair(i) => self.pairs.failed(i, column),
        };
        let workers_unknown = !self.workers.complete;
        let pin_unknown = || {
            workers_unknown
                || !self.policy.cross_team_known()
                || self.pinned_to_stand_in(&problem.subject)
        };
        failed
            || (problem.code == code::UNKNOWN_WORKER && workers_unknown)
            || (problem.code == code::UNKNOWN_CASE && self.case_unreadable(&problem.subject))
            || (problem.code == code::PIN_INELIGIBLE && pin_unknown())
    }

    /// Whether a pair names a case whose row could not be read (or cases are unknown).
    fn case_unreadable(&self, subject: &Subject) -> bool {
        let Subject::Pair(i) = *subject else {
            return false;
        };
        let case = self.scenario.pairs.keys().nth(i).map(|(c, _)| c.as_str());
        !self.cases.complete
            || case.is_some_and(|c| self.cases.unparsed_ids.iter().any(|id| id == c))
    }

    fn pinned_to_stand_in(&self, subject: &Subject) -> bool {
        let Subject::Case(i) = *subject else {
            return false;
        };
        let current = self
            .scenario
            .cases
            .get(i)
            .and_then(|c| c.current_worker.as_ref());
        current.is_some_and(|w| self.stand_ins.contains(w))
    }
}

/// Where the rows of one CSV file came from.
#[derive(Debug, Default)]
struct RowIndex {
    /// The file name, as shown in errors.
    file: String,
    /// The line each row starts on.
    lines: Vec<u64>,
    /// Cells `(row, column)` whose value was rejected (and replaced by the default).
    failed: BTreeSet<(usize, &'static str)>,
    /// Ids of malformed rows, when their `id` field could still be read.
    unparsed_ids: Vec<String>,
    /// False when the id of some row is unknown: the file or its `id` column is missing,
    /// or a row is malformed before its `id` field.
    complete: bool,
}

impl RowIndex {
    fn line(&self, row: usize) -> Option<u64> {
        self.lines.get(row).copied()
    }

    fn failed(&self, row: usize, column: &str) -> bool {
        self.failed
            .range((row, "")..)
            .take_while(|(r, _)| *r == row)
            .any(|(_, c)| *c == column)
    }
}

/// The rows read from one CSV file, and where they came from.
struct Rows<T> {
    items: Vec<T>,
    index: RowIndex,
}

impl<T> Rows<T> {
    /// No rows: the file could not be read.
    fn missing() -> Self {
        Self {
            items: Vec::new(),
            index: RowIndex::default(),
        }
    }

    /// Adds the row read from `line`, whose `failed` columns were rejected.
    fn push(&mut self, item: T, line: u64, failed: Vec<&'static str>) {
        let row = self.items.len();
        self.items.push(item);
        self.index.lines.push(line);
        self.index
            .failed
            .extend(failed.into_iter().map(|c| (row, c)));
    }

    /// Notes a row that could not be read, keeping its id if known.
    fn skip(&mut self, id: Option<String>) {
        match id {
            Some(id) => self.index.unparsed_ids.push(id),
            None => self.index.complete = false,
        }
    }
}

/// Reads a CSV file whose known columns are `columns`, building one item per row with
/// `build`; every problem goes to `errors`.
fn read_rows<T>(
    source: &Source,
    columns: &'static [&'static str],
    build: fn(&mut Cells<'_>) -> T,
    errors: &mut Vec<InputError>,
) -> Rows<T> {
    let text = without_bom(&source.text);
    let mut reader = csv_reader(text);
    let mut records = reader.records();
    let mut file = CsvFile {
        name: &source.name,
        lines: Lines::new(text),
        errors,
    };
    let mut rows = Rows::missing();
    rows.index.file = source.name.clone();
    let Some(header) = file.header(records.next(), columns, &["id"]) else {
        return rows;
    };
    rows.index.complete = header.has_id();
    for record in records {
        match file.data_row(record, &header) {
            DataRow::Blank => {}
            DataRow::Unreadable(id) => rows.skip(id),
            DataRow::Fields(record, line) => {
                let mut cells = Cells {
                    file: file.name,
                    line,
                    columns: &header.columns,
                    record: &record,
                    errors: file.errors,
                    failed: Vec::new(),
                };
                let item = build(&mut cells);
                let mut failed = cells.failed;
                if !header.has_id() {
                    failed.push("id"); // already reported once, on the header
                }
                rows.push(item, line, failed);
            }
        }
    }
    rows
}

/// What `pairs.csv` held: the terms by (case, worker), and where each came from.
#[derive(Debug, Default)]
struct PairsRead {
    /// The file name, as shown in errors.
    file: String,
    /// The terms of each pair (the first row of a repeated pair).
    terms: BTreeMap<(CaseId, WorkerId), PairTerms>,
    /// The line of each pair, and its columns whose value was rejected.
    rows: BTreeMap<(CaseId, WorkerId), (u64, Vec<&'static str>)>,
}

impl PairsRead {
    /// The line of the `i`-th pair in key order.
    fn line(&self, i: usize) -> Option<u64> {
        self.rows.values().nth(i).map(|(line, _)| *line)
    }

    fn failed(&self, i: usize, column: &str) -> bool {
        self.rows
            .values()
            .nth(i)
            .is_some_and(|(_, failed)| failed.contains(&column))
    }
}

/// The text without a leading UTF-8 byte order mark (spreadsheet exports add one).
fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// A CSV reader as every scenario table is read: header handled by the caller, rows of
/// any length (reported, not fatal), cells trimmed.
fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(Trim::All)
        .from_reader(text.as_bytes())
}

/// Reads `pairs.csv`: one row per (case, worker) pair, `cost` and `weight` optional.
/// Malformed rows, values that do not parse and repeated pairs are reported to `errors`;
/// ids and ranges are checked by validation.
fn read_pairs(source: &Source, errors: &mut Vec<InputError>) -> PairsRead {
    let text = without_bom(&source.text);
    let mut reader = csv_reader(text);
    let mut records = reader.records();
    let mut file = CsvFile {
        name: &source.name,
        lines: Lines::new(text),
        errors,
    };
    let mut read = PairsRead {
        file: source.name.clone(),
        ..PairsRead::default()
    };
    let required = ["case_id", "worker_id"];
    let Some(header) = file.header(records.next(), &PAIR_COLUMNS, &required) else {
        return read;
    };
    if required.iter().any(|c| !header.columns.contains_key(c)) {
        return read; // reported on the header
    }
    for record in records {
        let DataRow::Fields(record, line) = file.data_row(record, &header) else {
            continue;
        };
        let mut cells = Cells {
            file: file.name,
            line,
            columns: &header.columns,
            record: &record,
            errors: file.errors,
            failed: Vec::new(),
        };
        let key = (
            CaseId::new(cells.text("case_id")),
            WorkerId::new(cells.text("worker_id")),
        );
        let terms = PairTerms {
            cost: cells.value("cost", 0.0, number),
            weight: cells.value("weight", None, |s| number(s).map(Some)),
        };
        let failed = cells.failed;
        if let Some((first, _)) = read.rows.get(&key) {
            let message = format!(
                "the pair ({}, {}) is already given on line {first}: one row per pair",
                key.0, key.1
            );
            file.error(line, "case_id", code::DUPLICATE_PAIR, message);
            continue;
        }
        read.terms.insert(key.clone(), terms);
        read.rows.insert(key, (line, failed));
    }
    read
}

/// The header of a CSV file.
struct Header {
    /// The index of each known column present.
    columns: BTreeMap<&'static str, usize>,
    /// The number of fields of every row.
    width: usize,
}

impl Header {
    fn has_id(&self) -> bool {
        self.columns.contains_key("id")
    }

    /// The id of a record, if it has a non-empty one.
    fn id_of(&self, record: &StringRecord) -> Option<String> {
        let id = self.columns.get("id").and_then(|&i| record.get(i));
        id.filter(|id| !id.is_empty()).map(str::to_string)
    }
}

/// A data row of a CSV file, as read.
enum DataRow {
    /// Every field is empty: a blank line, or a spreadsheet row left empty.
    Blank,
    /// A row that could not be read (reported), with its id if known.
    Unreadable(Option<String>),
    /// A row with as many fields as the header, and the line it starts on.
    Fields(StringRecord, u64),
}

/// A CSV file being read: its name, its lines, and where its problems go.
struct CsvFile<'a> {
    name: &'a str,
    lines: Lines<'a>,
    errors: &'a mut Vec<InputError>,
}

impl CsvFile<'_> {
    /// Reads the header; `None` (reported) when there is none.
    fn header(
        &mut self,
        first: Option<csv::Result<StringRecord>>,
        columns: &'static [&'static str],
        required: &[&'static str],
    ) -> Option<Header> {
        let Some(Ok(record)) = first else {
            let names: Vec<String> = required.iter().map(|c| format!("`{c}`")).collect();
            let message = format!(
                "no header row: the first line must name the columns, including {}",
                names.join(" and ")
            );
            self.error(1, "", code::MISSING_COLUMN, message);
            return None;
        };
        let line = self.lines.at(record.position());
        let (columns, duplicates) = header_columns(&record, columns);
        for (column, field) in duplicates {
            let message = format!("column is named twice in the header (again in field {field})");
            self.error(line, column, code::DUPLICATE_COLUMN, message);
        }
        let header = Header {
            columns,
            width: record.len(),
        };
        for &column in required {
            if !header.columns.contains_key(column) {
                let message = "required column is missing from the header".to_string();
                self.error(line, column, code::MISSING_COLUMN, message);
            }
        }
        Some(header)
    }

    /// Reads a data row, reporting it if it is malformed.
    fn data_row(&mut self, record: csv::Result<StringRecord>, header: &Header) -> DataRow {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = self.lines.at(e.position());
                self.error(
                    line,
                    "",
                    code::MALFORMED_ROW,
                    format!("cannot be read: {e}"),
                );
                return DataRow::Unreadable(None);
            }
        };
        if record.iter().all(str::is_empty) {
            return DataRow::Blank;
        }
        let line = self.lines.at(record.position());
        if record.len() != header.width {
            let message = format!(
                "has {} fields but the header has {}: quote values that contain a comma",
                record.len(),
                header.width
            );
            self.error(line, "", code::MALFORMED_ROW, message);
            return DataRow::Unreadable(header.id_of(&record));
        }
        DataRow::Fields(record, line)
    }

    fn error(&mut self, line: u64, column: &str, code: &'static str, message: String) {
        self.errors.push(InputError {
            file: self.name.to_string(),
            line: Some(line),
            column: column.to_string(),
            code,
            message,
        });
    }
}

/// Finds the line a record starts on from its byte offset.
///
/// `csv` reports lines wrongly after CRLF endings and blank lines: a record's offset is
/// that of the line break ending the previous record, so skip line breaks first.
struct Lines<'a> {
    text: &'a [u8],
    /// Offset up to which line breaks have been counted.
    offset: usize,
    /// The line at `offset`.
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line of a record, or of an error; offsets must not decrease.
    fn at(&mut self, position: Option<&csv::Position>) -> u64 {
        let Some(position) = position else {
            return self.line;
        };
        let mut start = (position.byte() as usize).clamp(self.offset, self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let breaks = self.text[self.offset..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line += breaks as u64;
        self.offset = start;
        self.line
    }
}

/// The index of each known column in the header, matched case-insensitively, and the
/// known columns named again (with the 1-based field that repeats them).
fn header_columns(
    header: &StringRecord,
    columns: &'static [&'static str],
) -> (BTreeMap<&'static str, usize>, Vec<(&'static str, usize)>) {
    let mut found = BTreeMap::new();
    let mut duplicates = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let Some(&column) = columns.iter().find(|c| c.eq_ignore_ascii_case(name)) else {
            continue; // unknown columns are ignored
        };
        if found.contains_key(column) {
            duplicates.push((column, i + 1));
        } else {
            found.insert(column, i);
        }
    }
    (found, duplicates)
}

/// What went wrong with one value: a code and a message.
type Rejection = (&'static str, String);

/// The cells of one data row, with somewhere to report values that do not parse.
struct Cells<'a> {
    file: &'a str,
    line: u64,
    columns: &'a BTreeMap<&'static str, usize>,
    record: &'a StringRecord,
    errors: &'a mut Vec<InputError>,
    /// Columns whose value was rejected.
    failed: Vec<&'static str>,
}

impl<'a> Cells<'a> {
    /// The trimmed text of a column; empty when the column is absent.
    fn text(&self, column: &str) -> &'a str {
        self.columns
            .get(column)
            .and_then(|&i| self.record.get(i))
            .unwrap_or("")
    }

    /// The value of a column: `default` when empty, else `parse`d; a rejected value is
    /// reported and replaced by `default`.
    fn value<T>(
        &mut self,
        column: &'static str,
        default: T,
        parse: impl FnOnce(&str) -> Result<T, Rejection>,
    ) -> T {
        let text = self.text(column);
        if text.is_empty() {
            return default;
        }
        parse(text).unwrap_or_else(|(code, message)| {
            self.errors.push(InputError {
                file: self.file.to_string(),
                line: Some(self.line),
                column: column.to_string(),
                code,
                message,
            });
            self.failed.push(column);
            default
        })
    }
}

fn worker(cells: &mut Cells<'_>) -> Worker {
    Worker {
        id: WorkerId::new(cells.text("id")),
        name: cells.text("name").to_string(),
        team: cells.text("team").to_string(),
        fte: cells.value("fte", 1.0, number),
        capacity: cells.value("capacity", None, |s| number(s).map(Some)),
        max_cases: cells.value("max_cases", None, |s| count(s).map(Some)),
        max_new: cells.value("max_new", None, |s| count(s).map(Some)),
        skills: items(cells.text("skills")).map(Tag::new).collect(),
        available: cells.value("available", true, boolean),
    }
}

fn case(cells: &mut Cells<'_>) -> Case {
    Case {
        id: CaseId::new(cells.text("id")),
        weight: cells.value("weight", 1.0, number),
        team: cells.text("team").to_string(),
        requires: items(cells.text("requires")).map(Tag::new).collect(),
        prefers: items(cells.text("prefers")).map(Tag::new).collect(),
        group: non_empty(cells.text("group")).map(str::to_string),
        current_worker: non_empty(cells.text("current_worker")).map(WorkerId::new),
        pinned: cells.value("pinned", false, boolean),
        exclude: items(cells.text("exclude")).map(WorkerId::new).collect(),
        priority: cells.value("priority", 3, priority),
    }
}

/// The items of a `;`-separated list cell, trimmed, empty items dropped.
fn items(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';')
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

fn non_empty(cell: &str) -> Option<&str> {
    Some(cell.trim()).filter(|s| !s.is_empty())
}

/// A decimal number; NaN and infinities parse, and are rejected by validation.
fn number(text: &str) -> Result<f64, Rejection> {
    text.parse().map_err(|_| {
        let message = format!("expected a number (with a dot for decimals), got `{text}`");
        (code::PARSE, message)
    })
}

/// A count of cases: a whole number ≥ 0.
fn count(text: &str) -> Result<u32, Rejection> {
    text.parse().map_err(|_| {
        let message = format!("expected a whole number ≥ 0, got `{text}`");
        (code::PARSE, message)
    })
}

/// `true/false/yes/no/1/0`, in any case.
fn boolean(text: &str) -> Result<bool, Rejection> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => {
            let message = format!("expected true/false, yes/no or 1/0, got `{text}`");
            Err((code::PARSE, message))
        }
    }
}

/// A whole number; those beyond the model's `u8` are out of range here (validation
/// checks 1..=5 for the rest).
fn priority(text: &str) -> Result<u8, Rejection> {
    let value: i64 = text.parse().map_err(|_| {
        let message = format!("expected a whole number from 1 to 5, got `{text}`");
        (code::PARSE, message)
    })?;
    u8::try_from(value).map_err(|_| (code::RANGE, priority_out_of_range(value)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Policy;

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
