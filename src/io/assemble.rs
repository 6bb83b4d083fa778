//! Assembling a scenario from its tables, whatever they were read from: every table
//! parsed by `io::rows`, the policy by [`super::policy`], the result validated, and every
//! problem located (at its line, or for a sheet at its cell). Below both `read` (CSV
//! folders and texts) and `folder` (folders with workbooks), which hand it their inputs.

use std::collections::BTreeSet;
use std::path::Path;

use super::locate::{validate_with_stand_ins, Kind, Locator, Report};
use super::policy::read_policy;
use super::rows::{case, read_pairs, read_rows, worker, PairsRead, Rows};
use super::sheet::Input;
use super::source::{read_text, Source, TextFailure};
use super::{CASES_FILE, CASE_COLUMNS, WORKERS_FILE, WORKER_COLUMNS};
use crate::codes;
use crate::error::{InputError, InputErrors};
use crate::model::{Scenario, WorkerId};

/// Reads a file as UTF-8 text. `Ok(None)`: an optional file that does not exist.
pub(super) fn read_source(path: &Path, required: bool) -> Result<Option<Source>, InputError> {
    let name = path.display().to_string();
    let error = |line, code, message| InputError {
        file: name.clone(),
        line,
        column: String::new(),
        cell: None,
        code,
        message,
    };
    match read_text(path) {
        Ok(text) => Ok(Some(Source { name, text })),
        Err(TextFailure::Io(e)) if e.kind() == std::io::ErrorKind::NotFound && !required => {
            Ok(None)
        }
        Err(TextFailure::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            let message =
                format!("file not found: a scenario folder needs {WORKERS_FILE} and {CASES_FILE}");
            Err(error(None, codes::MISSING_FILE, message))
        }
        Err(TextFailure::Io(e)) => {
            let message = format!("cannot be read: {e}");
            Err(error(None, codes::UNREADABLE, message))
        }
        Err(TextFailure::NotUtf8 { line }) => {
            let message = "is not valid UTF-8 from this line on: save the file as UTF-8 (\"CSV UTF-8\" in Excel)";
            Err(error(Some(line), codes::ENCODING, message.to_string()))
        }
    }
}

/// The sources to assemble a scenario from; `None` for a table means it could not be
/// read (already reported), for the policy that there is none.
pub(super) struct Inputs<'a> {
    pub workers: Option<Input<'a>>,
    pub cases: Option<Input<'a>>,
    /// `pairs.csv`; `None` when there is none (or it could not be read).
    pub pairs: Option<Input<'a>>,
    pub policy: Option<&'a Source>,
    pub policy_name: String,
    /// Where the policy's lines are in a `policy` sheet, when it comes from one.
    #[cfg(feature = "xlsx")]
    pub policy_sheet: Option<&'a super::workbook::PolicySheet>,
}

/// Parses every input, validates the result, and locates every problem (at its cell,
/// for a sheet).
pub(super) fn assemble(inputs: Inputs<'_>, mut report: Report) -> Result<Scenario, InputErrors> {
    for (kind, input) in inputs.tables() {
        if let Input::Sheet(sheet) = input {
            report.extend(kind, sheet.problems.clone());
        }
    }
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
        inputs.place(&mut report);
        Err(report.into_errors())
    }
}

impl Inputs<'_> {
    /// The tables given, by kind.
    fn tables(&self) -> impl Iterator<Item = (Kind, Input<'_>)> {
        [
            (Kind::Workers, self.workers),
            (Kind::Cases, self.cases),
            (Kind::Pairs, self.pairs),
        ]
        .into_iter()
        .filter_map(|(kind, input)| Some((kind, input?)))
    }

    /// Gives each problem of a sheet its cell, and drops a problem at a cell already
    /// reported for what it holds (a date, an error value): it would only repeat it.
    fn place(&self, report: &mut Report) {
        let held: BTreeSet<(String, Box<str>)> = report
            .0
            .iter()
            .filter_map(|(_, e)| Some((e.file.clone(), e.cell.clone()?)))
            .collect();
        let mut placed = Vec::with_capacity(report.0.len());
        for (kind, mut error) in std::mem::take(&mut report.0) {
            if error.cell.is_none() {
                error.cell = self.cell_of(kind, &error);
                if let Some(cell) = &error.cell {
                    if held.contains(&(error.file.clone(), cell.clone())) {
                        continue;
                    }
                }
            }
            placed.push((kind, error));
        }
        report.0 = placed;
    }

    /// The cell of a problem, when its input is a sheet.
    fn cell_of(&self, kind: Kind, error: &InputError) -> Option<Box<str>> {
        if kind == Kind::Policy {
            #[cfg(feature = "xlsx")]
            if let Some(sheet) = self.policy_sheet.filter(|p| p.file == error.file) {
                return sheet.cell_of(error);
            }
            return None;
        }
        match self.tables().find(|(k, _)| *k == kind)?.1 {
            Input::Sheet(sheet) if sheet.file == error.file => sheet.cell_of(error),
            _ => None,
        }
    }
}
