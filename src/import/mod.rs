//! The data a service already has: Ofsted's Annex A workbook (the ILACS data lists) and
//! case-management exports (CSV) turned into a scenario folder (`workers.csv`,
//! `cases.csv`, `policy.toml`) with an `import-report.md` that lists every assumption,
//! default and dropped or doubtful row. docs/import.md is the user's guide.
//!
//! Inside, the doors go one way: [`headers`] (names, header patterns, list numbers) and
//! [`cells`] (dates, coded values) at the bottom; `grid` (cells with their places);
//! [`config`] (`import.toml`); then the readers, `annex_a` (the workbook, behind the
//! `xlsx` feature), `csv_map` (an export and its map) and `staff` (the `--workers` file),
//! (with `lists`, what it knows of each list), each giving a `Reading`: one `Involvement` per open row, and the notes; then `report`
//! (what the note shows, and its text); then `build`, which turns a reading into a
//! scenario and its note.
//!
//! ```no_run
//! use caseload::import::{import_annex_a, ImportConfig, write};
//! let imported = import_annex_a(
//!     "annex-a.xlsx".as_ref(),
//!     &ImportConfig::default(),
//!     None,
//! )?;
//! write("scenarios/today".as_ref(), &imported)?;
//! # Ok::<(), caseload::Error>(())
//! ```

#[cfg(feature = "xlsx")]
mod annex_a;
mod build;
pub mod cells;
pub mod config;
mod csv_map;
mod grid;
pub mod headers;
#[cfg(feature = "xlsx")]
mod lists;
mod report;
mod staff;

use std::path::Path;

pub use config::ImportConfig;
pub use csv_map::ExportMap;

use crate::error::{Error, InputErrors};
use crate::model::Scenario;

/// File name of the note an import writes beside the scenario.
pub const REPORT_FILE: &str = "import-report.md";

/// The kind of work a child's case is, from the most intensive list the child is open on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CaseType {
    /// A child protection plan (Annex A list 7).
    ChildProtection,
    /// A child in care, looked after (list 8).
    InCare,
    /// A child in need (list 6).
    InNeed,
    /// A care leaver (list 9).
    CareLeaver,
    /// A referral, an assessment or a section 47 enquiry under way (lists 3 to 5).
    Assessment,
}

impl CaseType {
    /// Every case type, most intensive first.
    pub const ALL: [CaseType; 5] = [
        CaseType::ChildProtection,
        CaseType::InCare,
        CaseType::InNeed,
        CaseType::CareLeaver,
        CaseType::Assessment,
    ];

    /// The name in `import.toml` and in maps: `child-protection`, `in-care`, `in-need`,
    /// `care-leaver`, `assessment`.
    pub fn key(self) -> &'static str {
        match self {
            CaseType::ChildProtection => "child-protection",
            CaseType::InCare => "in-care",
            CaseType::InNeed => "in-need",
            CaseType::CareLeaver => "care-leaver",
            CaseType::Assessment => "assessment",
        }
    }

    /// The type named `key` (see [`CaseType::key`]), in any case.
    pub fn from_key(key: &str) -> Option<CaseType> {
        let key = key.trim().to_lowercase().replace(['_', ' '], "-");
        CaseType::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// One open row: a child on a list (or in an export), with the team and worker it names.
#[derive(Clone, Debug)]
pub(crate) struct Involvement {
    /// The child's id, cleaned.
    pub child: String,
    /// The kind of work.
    pub kind: CaseType,
    /// Where it is from: `List 7 (child protection)`, or the export's file name.
    pub source: String,
    /// Among rows of one kind, the more intensive list first (section 47 before an
    /// assessment before a referral): the list's number, 0 for an export.
    pub list: u8,
    /// The row, as the report shows it.
    pub at: String,
    /// The allocated team, cleaned (empty when blank).
    pub team: String,
    /// The allocated worker, cleaned; `None` when blank, `#N/A` or "unallocated".
    pub worker: Option<String>,
    /// Tags from coded values, each required or preferred.
    pub tags: Vec<(String, config::TagUse)>,
}

/// A row the report lists: where it is and what was made of it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Note {
    /// `'List 6'!12:12`, `'List 8'!F9`, `export.csv:12`.
    pub at: String,
    /// What was made of it.
    pub what: String,
}

/// A table read, for the report: what it is, and which of its columns were read.
#[derive(Clone, Debug, Default)]
pub(crate) struct TableRead {
    /// The sheet's or file's name.
    pub name: String,
    /// What it was taken as: `List 6 (children in need)`, or why it was not read.
    pub what: String,
    /// The header's row (0 when not read).
    pub header_row: u64,
    /// Data rows.
    pub rows: usize,
    /// Columns read: header as written, and what for.
    pub read: Vec<(String, String)>,
    /// Headers of the columns left unread.
    pub left: Vec<String>,
}

/// What a reader found.
#[derive(Clone, Debug, Default)]
pub(crate) struct Reading {
    /// The file read.
    pub source: String,
    /// What it is: "Annex A workbook", "CSV export (map: …)".
    pub kind: String,
    /// The day closed rows were judged at.
    pub as_at: String,
    /// Each sheet or file.
    pub tables: Vec<TableRead>,
    /// The open rows.
    pub involvements: Vec<Involvement>,
    /// Rows left out, and why (closed, no child id).
    pub dropped: Vec<Note>,
    /// Rows read with a doubt (an error value, a date in the future).
    pub doubtful: Vec<Note>,
    /// What the reader assumed, in words.
    pub assumptions: Vec<String>,
}

/// A scenario made from a service's data, and its note (`import-report.md`).
#[derive(Clone, Debug)]
pub struct Imported {
    /// Workers, cases and policy.
    pub scenario: Scenario,
    /// The text of `import-report.md`.
    pub report: String,
}

/// Reads an Annex A workbook (lists 3 to 9) into a scenario, with `workers` (a CSV or
/// xlsx file keyed by name) describing the staff where given.
///
/// # Errors
/// [`Error::InvalidInput`] with every problem located at its file, sheet and cell: the
/// workbook (or `workers`) cannot be read; no sheet is an Annex A list; a list lacks a
/// required column; a date that decides whether a row is closed cannot be read.
#[cfg(feature = "xlsx")]
pub fn import_annex_a(
    path: &Path,
    config: &ImportConfig,
    workers: Option<&Path>,
) -> Result<Imported, Error> {
    let as_at = as_at(config)?;
    let reading = annex_a::read(path, config, as_at).map_err(Error::InvalidInput)?;
    finish(reading, config, workers)
}

/// Reads a case-management export (CSV) with its map into a scenario; see
/// [`import_annex_a`] for `workers`.
///
/// # Errors
/// [`Error::InvalidInput`], every problem located at `file:line: column`: the export or
/// the map cannot be read, a mapped column is missing, a date cannot be read.
pub fn import_csv(
    path: &Path,
    map: &ExportMap,
    config: &ImportConfig,
    workers: Option<&Path>,
) -> Result<Imported, Error> {
    let as_at = as_at(config)?;
    let reading = csv_map::read(path, map, config, as_at).map_err(Error::InvalidInput)?;
    finish(reading, config, workers)
}

/// The text of a settings file (`import.toml`, a map), with its name for messages.
fn read_text(path: &Path) -> Result<(String, String), crate::error::InputError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| crate::error::InputError {
        file: name.clone(),
        line: None,
        column: String::new(),
        cell: None,
        code: crate::codes::UNREADABLE,
        message: format!("cannot be read: {e}"),
    })?;
    Ok((name, text))
}

fn finish(
    reading: Reading,
    config: &ImportConfig,
    workers: Option<&Path>,
) -> Result<Imported, Error> {
    let staff = match workers {
        Some(path) => Some(staff::read(path).map_err(Error::InvalidInput)?),
        None => None,
    };
    build::build(reading, config, staff)
}

/// The day "closed" is judged at: the config's `as_at`, else today.
fn as_at(config: &ImportConfig) -> Result<cells::Day, Error> {
    match &config.as_at {
        None => Ok(cells::Day::today()),
        Some(text) => cells::text_date(text).ok_or_else(|| {
            Error::InvalidInput(InputErrors(vec![crate::error::InputError {
                file: "import.toml".to_string(),
                line: None,
                column: "as_at".to_string(),
                cell: None,
                code: crate::codes::IMPORT_CONFIG,
                message: format!("`{text}` is not a date"),
            }]))
        }),
    }
}

/// Writes the scenario folder of an import into `dir`: `workers.csv`, `cases.csv`,
/// `policy.toml` and `import-report.md`, all staged then renamed into place together,
/// so that `dir` holds the whole import or what it held before.
///
/// # Errors
/// [`Error::Io`] naming the file or folder that could not be written; [`Error::Csv`].
pub fn write(dir: &Path, imported: &Imported) -> Result<(), Error> {
    use crate::io::scenario_writer::{cases_csv, policy_toml, workers_csv};
    let scenario = &imported.scenario;
    let files = vec![
        (
            dir.join(crate::io::WORKERS_FILE),
            workers_csv(scenario)?.into_bytes(),
        ),
        (
            dir.join(crate::io::CASES_FILE),
            cases_csv(scenario)?.into_bytes(),
        ),
        (
            dir.join(crate::io::POLICY_FILE),
            policy_toml(&scenario.policy).into_bytes(),
        ),
        (dir.join(REPORT_FILE), imported.report.clone().into_bytes()),
    ];
    crate::io::atomic::write_files_atomically(&files)
}
