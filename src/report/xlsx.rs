//! `allocation.xlsx` (the `xlsx` feature): the outputs of a run as a workbook for the
//! people who work in spreadsheets (sheets written by [`crate::io::sheet_writer`]).
//!
//! Sheets: `summary` (status, gap, objective by term, counts), `allocation` (the rows of
//! `allocation.csv` with their reasons, an empty `decision` column for a manager's
//! `accept` / `reject` / `assign W` and an empty `note` column for why), `loads` (`loads.csv`, each utilisation coloured
//! green, amber or red by the policy's bands, and the band in words), `unallocated`
//! (the children left without a worker, most urgent first: priority, then weight, then
//! id). Every sheet has its header row frozen, filters on, and columns wide enough to
//! read. The rows are those of the CSV files, cell for cell: numbers as numbers.
//!
//! The same run gives the same bytes: the document's creation time is fixed (the zip
//! entries' times are fixed by the writer), and nothing else in it varies.

use rust_xlsxwriter::{Color, Format, Note, Worksheet, XlsxError};

use super::bands::{rag, Rag};
use super::{
    allocation_rows, load_rows, AllocationRow, LoadRow, Outputs, Summary, ALLOCATION_COLUMNS,
    LOADS_COLUMNS,
};
use crate::error::Result;
use crate::io::sheet_writer::{cell_value, fail, to_bytes, workbook, write_table, Value};
use crate::model::{Change, Instance};
use crate::solve::Solution;

/// The file name of the workbook `allocate --xlsx` writes.
pub const ALLOCATION_XLSX: &str = "allocation.xlsx";

/// The note on the `decision` column of the `allocation` sheet.
pub const DECISION_NOTE: &str = "accept / reject / assign W";

/// The note on the `note` column of the `allocation` sheet, where a manager says why.
pub const REASON_NOTE: &str = "why: required for reject, assign and never";

/// Fill colours of the bands (the light fills spreadsheets use for good, neutral, bad).
pub fn band_fill(band: Rag) -> u32 {
    match band {
        Rag::Green => 0xC6EFCE,
        Rag::Amber => 0xFFEB9C,
        Rag::Red => 0xFFC7CE,
    }
}

/// `allocation.xlsx` of a solution: summary, allocation, loads, unallocated.
pub fn allocation_xlsx(
    instance: &Instance,
    solution: &Solution,
    summary: &Summary,
) -> Result<Vec<u8>> {
    let rows = allocation_rows(instance, solution);
    let loads = load_rows(instance, solution);
    rows_xlsx(instance, solution, summary, &rows, &loads)
}

/// `allocation.xlsx` of outputs already rendered, from their typed rows.
pub fn outputs_xlsx(
    instance: &Instance,
    solution: &Solution,
    outputs: &Outputs,
) -> Result<Vec<u8>> {
    rows_xlsx(
        instance,
        solution,
        &outputs.summary,
        &outputs.allocation_rows,
        &outputs.load_rows,
    )
}

/// `allocation.xlsx` of these rows only: `rows` and `loads` may be a run's rows cut to
/// some teams (a manager's workbook), and then the `unallocated` sheet holds only the
/// children among `rows`. The summary is the run's.
pub fn rows_xlsx(
    instance: &Instance,
    solution: &Solution,
    summary: &Summary,
    rows: &[AllocationRow],
    loads: &[LoadRow],
) -> Result<Vec<u8>> {
    let mut book = workbook()?;
    summary_sheet(book.add_worksheet(), summary)?;
    let sheet = book.add_worksheet();
    sheet.set_name("allocation").map_err(fail)?;
    let mut header: Vec<String> = ALLOCATION_COLUMNS.iter().map(|c| c.to_string()).collect();
    let decision_col =
        u16::try_from(header.len()).map_err(|_| fail(XlsxError::RowColumnLimitError))?;
    header.push("decision".to_string());
    header.push("note".to_string());
    let cells: Vec<Vec<String>> = rows.iter().map(AllocationRow::cells).collect();
    write_table(sheet, &header, &cells, |_, _, text| Value::Text(text))?;
    for (col, words, width) in [
        (decision_col, DECISION_NOTE, 22),
        (decision_col + 1, REASON_NOTE, 40),
    ] {
        let note = Note::new(words)
            .set_author("caseload")
            .add_author_prefix(false);
        sheet.insert_note(0, col, &note).map_err(fail)?;
        sheet.set_column_width(col, width).map_err(fail)?;
    }
    loads_sheet(book.add_worksheet(), instance, solution, loads)?;
    unallocated_sheet(book.add_worksheet(), instance, solution, rows)?;
    to_bytes(&mut book)
}

/// `summary`: one row per figure (item, value), as in `summary.json` without its timings
/// (which vary between identical runs).
fn summary_sheet(sheet: &mut Worksheet, s: &Summary) -> Result<()> {
    sheet.set_name("summary").map_err(fail)?;
    let o = &s.objective;
    let c = &s.cases;
    let figures: Vec<(&str, Option<f64>, &str)> = vec![
        ("status", None, s.status.as_str()),
        ("gap", Some(s.gap), ""),
        (
            "bound",
            s.bound,
            if s.bound.is_none() { "unknown" } else { "" },
        ),
        ("objective", Some(o.total), ""),
        ("objective: unallocated", Some(o.unallocated), ""),
        ("objective: load bands", Some(o.bands), ""),
        ("objective: moves", Some(o.moves), ""),
        ("objective: preferences", Some(o.preferences), ""),
        ("objective: pairs", Some(o.pairs), ""),
        ("start objective", Some(s.start_objective), ""),
        ("cases", Some(c.total as f64), ""),
        ("kept", Some(c.kept as f64), ""),
        ("moved", Some(c.moved as f64), ""),
        ("forced", Some(c.forced as f64), ""),
        ("new", Some(c.new as f64), ""),
        ("unallocated", Some(c.unallocated as f64), ""),
        ("workers", Some(s.workers as f64), ""),
        ("units", Some(s.units as f64), ""),
        ("discretionary moves", Some(f64::from(s.moves)), ""),
    ];
    let header = ["item".to_string(), "value".to_string()];
    let rows: Vec<Vec<String>> = figures
        .iter()
        .map(|(item, x, text)| {
            let value = x.map_or(text.to_string(), |x| x.to_string());
            vec![item.to_string(), value]
        })
        .collect();
    let percent = Format::new().set_num_format("0.00%");
    write_table(sheet, &header, &rows, |r, c, text| {
        match (c, figures[r].1) {
            (1, Some(x)) if figures[r].0 == "gap" => Value::Number(x, Some(&percent)),
            (1, Some(x)) => Value::Number(x, None),
            _ => Value::Text(text),
        }
    })?;
    Ok(())
}

/// `loads`: the columns of `loads.csv`, utilisation as a percentage filled by band, then
/// the band in words (`unavailable` for a worker who is).
fn loads_sheet(
    sheet: &mut Worksheet,
    instance: &Instance,
    solution: &Solution,
    loads: &[LoadRow],
) -> Result<()> {
    sheet.set_name("loads").map_err(fail)?;
    // Each row's band, by its worker (the rows may be some of the workers').
    let bands: Vec<Option<Rag>> = loads
        .iter()
        .map(|load| {
            instance
                .worker(&load.worker_id)
                .and_then(|w| band_of(instance, solution, w))
        })
        .collect();
    let rows: Vec<Vec<String>> = loads
        .iter()
        .zip(&bands)
        .map(|(load, band)| {
            let mut row = load.cells();
            row.push(band.map_or("unavailable", Rag::as_str).to_string());
            row
        })
        .collect();
    let mut header: Vec<String> = LOADS_COLUMNS.iter().map(|c| c.to_string()).collect();
    header.push("band".to_string());
    let fills: Vec<Format> = [Rag::Green, Rag::Amber, Rag::Red]
        .map(|band| {
            Format::new()
                .set_num_format("0.0%")
                .set_background_color(Color::RGB(band_fill(band)))
        })
        .to_vec();
    let plain_percent = Format::new().set_num_format("0.0%");
    let utilisation = LOADS_COLUMNS.iter().position(|c| *c == "utilisation");
    write_table(sheet, &header, &rows, |w, c, text| {
        let Ok(x) = text.parse::<f64>() else {
            return Value::Text(text);
        };
        if Some(c) != utilisation {
            return if c == 1 {
                Value::Text(text)
            } else {
                Value::Number(x, None)
            };
        }
        let format = match bands[w] {
            Some(Rag::Green) => &fills[0],
            Some(Rag::Amber) => &fills[1],
            Some(Rag::Red) => &fills[2],
            None => &plain_percent,
        };
        Value::Number(x, Some(format))
    })?;
    Ok(())
}

/// The band of worker `w` after the run; `None` when it is unavailable.
fn band_of(instance: &Instance, solution: &Solution, w: usize) -> Option<Rag> {
    let worker = instance.workers.get(w)?;
    let load = solution.evaluation.loads.get(w)?.load_after;
    worker
        .available
        .then(|| rag(&instance.policy, load, instance.capacity[w]))
}

/// `unallocated`: the children left without a worker, most urgent first (priority, then
/// weight, both highest first, then id), with their reason.
fn unallocated_sheet(
    sheet: &mut Worksheet,
    instance: &Instance,
    solution: &Solution,
    rows: &[AllocationRow],
) -> Result<()> {
    sheet.set_name("unallocated").map_err(fail)?;
    let eval = &solution.evaluation;
    let why = crate::explain::reasons(instance, eval);
    let mut left: Vec<usize> = rows
        .iter()
        .filter_map(|row| instance.case(&row.case_id))
        .filter(|&c| eval.change[c] == Change::Unallocated)
        .collect();
    left.sort_by(|&a, &b| {
        let (ca, cb) = (&instance.cases[a], &instance.cases[b]);
        cb.priority
            .cmp(&ca.priority)
            .then(cb.weight.total_cmp(&ca.weight))
            .then(ca.id.cmp(&cb.id))
    });
    let header: Vec<String> = [
        "case_id",
        "priority",
        "weight",
        "team",
        "requires",
        "previous_worker",
        "reason",
    ]
    .map(String::from)
    .to_vec();
    let rows: Vec<Vec<String>> = left
        .iter()
        .map(|&c| {
            let case = &instance.cases[c];
            let previous =
                instance.current[c].map_or(String::new(), |w| instance.workers[w].id.to_string());
            let requires: Vec<&str> = case.requires.iter().map(|t| t.as_str()).collect();
            vec![
                case.id.to_string(),
                case.priority.to_string(),
                case.weight.to_string(),
                case.team.clone(),
                requires.join(";"),
                previous,
                why[c].clone(),
            ]
        })
        .collect();
    write_table(sheet, &header, &rows, |_, c, text| {
        cell_value(c == 1 || c == 2, text)
    })?;
    Ok(())
}
