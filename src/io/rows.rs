//! Rows -> domain: the rows of `workers.csv`, `cases.csv` and `pairs.csv` read into
//! workers, cases and per-pair terms, each value parsed and every problem reported, with
//! where each row came from (for [`super::locate`]).

use std::collections::{BTreeMap, BTreeSet};

use super::csv::{Cells, CsvFile, DataRow};
use super::sheet::Input;
use super::source::Rejection;
use super::PAIR_COLUMNS;
use crate::codes;
use crate::error::InputError;
use crate::model::{Case, CaseId, PairTerms, Tag, Worker, WorkerId};
use crate::validate::priority_out_of_range;

/// Where the rows of one CSV file came from.
#[derive(Debug, Default)]
pub(super) struct RowIndex {
    /// The file name, as shown in errors.
    pub file: String,
    /// The line each row starts on.
    pub lines: Vec<u64>,
    /// Cells `(row, column)` whose value was rejected (and replaced by the default).
    pub failed: BTreeSet<(usize, &'static str)>,
    /// Ids of malformed rows, when their `id` field could still be read.
    pub unparsed_ids: Vec<String>,
    /// False when the id of some row is unknown: the file or its `id` column is missing,
    /// or a row is malformed before its `id` field.
    pub complete: bool,
}

impl RowIndex {
    pub fn line(&self, row: usize) -> Option<u64> {
        self.lines.get(row).copied()
    }

    pub fn failed(&self, row: usize, column: &str) -> bool {
        self.failed
            .range((row, "")..)
            .take_while(|(r, _)| *r == row)
            .any(|(_, c)| *c == column)
    }
}

/// The rows read from one CSV file, and where they came from.
pub(super) struct Rows<T> {
    pub items: Vec<T>,
    pub index: RowIndex,
}

impl<T> Rows<T> {
    /// No rows: the file could not be read.
    pub fn missing() -> Self {
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

/// Reads a table (CSV or sheet) whose known columns are `columns`, building one item per row with
/// `build`; every problem goes to `errors`.
pub(super) fn read_rows<T>(
    source: Input<'_>,
    columns: &'static [&'static str],
    build: fn(&mut Cells<'_>) -> T,
    errors: &mut Vec<InputError>,
) -> Rows<T> {
    let mut file = CsvFile {
        name: source.name(),
        table: source.table(),
        errors,
    };
    let mut rows = Rows::missing();
    rows.index.file = source.name().to_string();
    let Some(header) = file.header(columns, &["id"]) else {
        return rows;
    };
    rows.index.complete = header.has_id();
    while let Some(row) = file.data_row(&header) {
        match row {
            DataRow::Blank => {}
            DataRow::Unreadable(id) => rows.skip(id),
            DataRow::Fields(record, line) => {
                let mut cells = file.cells(&header, &record, line);
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
pub(super) struct PairsRead {
    /// The file name, as shown in errors.
    pub file: String,
    /// The terms of each pair (the first row of a repeated pair).
    pub terms: BTreeMap<(CaseId, WorkerId), PairTerms>,
    /// Where each pair of `terms` came from, in the same (key) order, so that the `i`-th
    /// pair of validation is found without a walk through the map.
    rows: Vec<PairRow>,
}

/// Where one pair came from.
#[derive(Debug)]
struct PairRow {
    case: CaseId,
    line: u64,
    /// Columns whose value was rejected.
    failed: Vec<&'static str>,
}

impl PairsRead {
    /// The line of the `i`-th pair in key order.
    pub fn line(&self, i: usize) -> Option<u64> {
        self.rows.get(i).map(|row| row.line)
    }

    /// Whether the value of `column` of the `i`-th pair was rejected.
    pub fn failed(&self, i: usize, column: &str) -> bool {
        self.rows
            .get(i)
            .is_some_and(|row| row.failed.contains(&column))
    }

    /// The case of the `i`-th pair in key order.
    pub fn case(&self, i: usize) -> Option<&CaseId> {
        self.rows.get(i).map(|row| &row.case)
    }
}

/// Reads `pairs.csv`: one row per (case, worker) pair, `cost` and `weight` optional.
/// Malformed rows, values that do not parse and repeated pairs are reported to `errors`;
/// ids and ranges are checked by validation.
pub(super) fn read_pairs(source: Input<'_>, errors: &mut Vec<InputError>) -> PairsRead {
    let mut file = CsvFile {
        name: source.name(),
        table: source.table(),
        errors,
    };
    let mut read = PairsRead {
        file: source.name().to_string(),
        ..PairsRead::default()
    };
    // The line of each pair, and its columns whose value was rejected.
    let mut rows: BTreeMap<(CaseId, WorkerId), (u64, Vec<&'static str>)> = BTreeMap::new();
    let required = ["case_id", "worker_id"];
    let Some(header) = file.header(&PAIR_COLUMNS, &required) else {
        return read;
    };
    if required.iter().any(|c| !header.columns.contains_key(c)) {
        return read; // reported on the header
    }
    while let Some(row) = file.data_row(&header) {
        let DataRow::Fields(record, line) = row else {
            continue;
        };
        let mut cells = file.cells(&header, &record, line);
        let key = (
            CaseId::new(cells.text("case_id")),
            WorkerId::new(cells.text("worker_id")),
        );
        let terms = PairTerms {
            cost: cells.value("cost", 0.0, number),
            weight: cells.value("weight", None, |s| number(s).map(Some)),
        };
        let failed = cells.failed;
        if let Some((first, _)) = rows.get(&key) {
            let message = format!(
                "the pair ({}, {}) is already given on line {first}: one row per pair",
                key.0, key.1
            );
            file.error(line, "case_id", codes::DUPLICATE_PAIR, message);
            continue;
        }
        read.terms.insert(key.clone(), terms);
        rows.insert(key, (line, failed));
    }
    read.rows = rows
        .into_iter()
        .map(|((case, _), (line, failed))| PairRow { case, line, failed })
        .collect();
    read
}

pub(super) fn worker(cells: &mut Cells<'_>) -> Worker {
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
        away: None,
    }
}

pub(super) fn case(cells: &mut Cells<'_>) -> Case {
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
        hold: None,
        never: Default::default(),
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
        (codes::PARSE, message)
    })
}

/// A count of cases: a whole number ≥ 0.
fn count(text: &str) -> Result<u32, Rejection> {
    text.parse().map_err(|_| {
        let message = format!("expected a whole number ≥ 0, got `{text}`");
        (codes::PARSE, message)
    })
}

/// `true/false/yes/no/1/0`, in any case.
fn boolean(text: &str) -> Result<bool, Rejection> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => {
            let message = format!("expected true/false, yes/no or 1/0, got `{text}`");
            Err((codes::PARSE, message))
        }
    }
}

/// A whole number; those beyond the model's `u8` are out of range here (validation
/// checks 1..=5 for the rest).
fn priority(text: &str) -> Result<u8, Rejection> {
    let value: i64 = text.parse().map_err(|_| {
        let message = format!("expected a whole number from 1 to 5, got `{text}`");
        (codes::PARSE, message)
    })?;
    u8::try_from(value).map_err(|_| (codes::RANGE, priority_out_of_range(value)))
}
