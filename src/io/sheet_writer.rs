//! Writing tables as sheets of an `.xlsx` workbook (the `xlsx` feature, with
//! rust_xlsxwriter): a header and rows with their header row frozen, filters on and
//! columns wide enough to read; any CSV table as a sheet ([`csv_sheet`]); and a whole
//! scenario as one `scenario.xlsx` ([`scenario_xlsx`]) that [`super::read::load_scenario`]
//! reads back to the same scenario.
//!
//! Workbooks made here give the same bytes for the same content: the document's
//! creation time is fixed ([`workbook`]), and the writer fixes the zip entries' times.

use std::collections::BTreeMap;

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::scenario_writer::{cases_csv, pairs_csv, workers_csv};
use crate::error::{Error, Result};
use crate::model::{CapacityMode, Scenario};

/// A new workbook whose document properties do not depend on when it is written.
pub fn workbook() -> Result<Workbook> {
    let mut book = Workbook::new();
    let epoch = ExcelDateTime::from_ymd(2000, 1, 1).map_err(fail)?;
    let properties = DocProperties::new()
        .set_author("caseload")
        .set_creation_datetime(&epoch);
    book.set_properties(&properties);
    Ok(book)
}

/// The bytes of a finished workbook.
pub fn to_bytes(book: &mut Workbook) -> Result<Vec<u8>> {
    book.save_to_buffer().map_err(fail)
}

/// A workbook error, as an error writing the file.
pub fn fail(e: XlsxError) -> Error {
    Error::Io {
        path: "(workbook)".into(),
        source: std::io::Error::other(e.to_string()),
    }
}

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xE7E6E6))
        .set_border_bottom(FormatBorder::Thin)
}

/// Writes a CSV table as a sheet named `name`: the columns `numeric` as numbers (when a
/// cell parses as one), the rest as text, then empty `extra` columns; header frozen,
/// filters on, widths fitted. Returns the last row written (0-based).
pub fn csv_sheet(
    sheet: &mut Worksheet,
    name: &str,
    csv_text: &str,
    numeric: &[&str],
    extra: &[&str],
) -> Result<u32> {
    sheet.set_name(name).map_err(fail)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_text.as_bytes());
    let mut rows: Vec<Vec<String>> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|source| Error::Csv { source })?;
        rows.push(record.iter().map(str::to_string).collect());
    }
    let Some(header) = rows.first_mut() else {
        return Ok(0);
    };
    header.extend(extra.iter().map(|s| s.to_string()));
    let header = header.clone();
    let is_numeric: Vec<bool> = header.iter().map(|h| numeric.contains(&&**h)).collect();
    write_table(sheet, &header, &rows[1..], |_, c, text| {
        cell_value(is_numeric[c], text)
    })
}

/// A cell to write.
pub enum Value<'a> {
    /// A number, optionally with a format.
    Number(f64, Option<&'a Format>),
    /// Text.
    Text(&'a str),
}

/// A cell: a number when `numeric` and the text parses as a finite one, else text.
pub fn cell_value(numeric: bool, text: &str) -> Value<'_> {
    match text.parse::<f64>() {
        Ok(x) if numeric && x.is_finite() => Value::Number(x, None),
        _ => Value::Text(text),
    }
}

/// Writes a header and rows, each cell as `value(row, column, text)` says; header frozen,
/// filters on, widths fitted. Returns the last row written (0-based).
pub fn write_table<'a>(
    sheet: &mut Worksheet,
    header: &[String],
    rows: &'a [Vec<String>],
    value: impl Fn(usize, usize, &'a str) -> Value<'a>,
) -> Result<u32> {
    let bold = header_format();
    let mut widths: BTreeMap<u16, usize> = BTreeMap::new();
    for (c, name) in header.iter().enumerate() {
        let c = col(c)?;
        sheet
            .write_string_with_format(0, c, name, &bold)
            .map_err(fail)?;
        widths.insert(c, name.chars().count() + 3); // room for the filter button
    }
    for (r, row) in rows.iter().enumerate() {
        let at = u32::try_from(r + 1).map_err(|_| fail(XlsxError::RowColumnLimitError))?;
        for (c, text) in row.iter().enumerate() {
            let column = col(c)?;
            match value(r, c, text) {
                Value::Number(x, None) => sheet.write_number(at, column, x),
                Value::Number(x, Some(f)) => sheet.write_number_with_format(at, column, x, f),
                Value::Text("") => continue,
                Value::Text(t) => sheet.write_string(at, column, t),
            }
            .map_err(fail)?;
            let width = widths.entry(column).or_default();
            *width = (*width).max(text.chars().count() + 1);
        }
    }
    let last = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    for (&c, &width) in &widths {
        sheet
            .set_column_width(c, width.clamp(8, 80) as f64)
            .map_err(fail)?;
    }
    let last_col = col(header.len().saturating_sub(1))?;
    sheet.set_freeze_panes(1, 0).map_err(fail)?;
    sheet
        .autofilter(0, 0, last.max(1), last_col)
        .map_err(fail)?;
    Ok(last)
}

fn col(c: usize) -> Result<u16> {
    u16::try_from(c).map_err(|_| fail(XlsxError::RowColumnLimitError))
}

/// A scenario as one workbook: sheets `workers`, `cases`, `pairs` (when it has per-pair
/// terms) with the columns of the CSV files, and `policy` (key, value) naming every key:
/// `weights.move` and the like for the `[weights]` table, and one `bands` row whose value
/// is the bands as a TOML array (`[{from = 0.7, cost = 1}, ...]`).
///
/// # Errors
/// [`Error::Io`] (a workbook limit) or [`Error::Csv`].
pub fn scenario_xlsx(scenario: &Scenario) -> Result<Vec<u8>> {
    let mut book = workbook()?;
    let workers = workers_csv(scenario)?;
    let numeric = ["fte", "capacity", "max_cases", "max_new"];
    csv_sheet(book.add_worksheet(), "workers", &workers, &numeric, &[])?;
    let cases = cases_csv(scenario)?;
    csv_sheet(
        book.add_worksheet(),
        "cases",
        &cases,
        &["weight", "priority"],
        &[],
    )?;
    if !scenario.pairs.is_empty() {
        let pairs = pairs_csv(scenario)?;
        csv_sheet(
            book.add_worksheet(),
            "pairs",
            &pairs,
            &["cost", "weight"],
            &[],
        )?;
    }
    let p = &scenario.policy;
    let bands: Vec<String> = p
        .bands
        .iter()
        .map(|b| format!("{{from = {}, cost = {}}}", b.from, b.cost))
        .collect();
    let capacity = match p.capacity {
        CapacityMode::Hard => "hard",
        CapacityMode::Soft => "soft",
    };
    let max_moves = p.max_moves.min(i64::MAX as u64);
    let rows: Vec<Vec<String>> = [
        ("standard_capacity", p.standard_capacity.to_string()),
        ("capacity", capacity.to_string()),
        ("cross_team", p.cross_team.to_string()),
        ("max_moves", max_moves.to_string()),
        ("time_limit_s", p.time_limit_s.to_string()),
        ("threads", p.threads.to_string()),
        ("bands", format!("[{}]", bands.join(", "))),
        ("weights.unallocated", p.weights.unallocated.to_string()),
        ("weights.move", p.weights.move_.to_string()),
        ("weights.preference", p.weights.preference.to_string()),
        (
            "decisions.note_required",
            p.decisions.note_required.to_string(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| vec![k.to_string(), v])
    .collect();
    let header = ["key".to_string(), "value".to_string()];
    let sheet = book.add_worksheet();
    sheet.set_name("policy").map_err(fail)?;
    write_table(sheet, &header, &rows, |r, c, text| {
        // Whole numbers above 2^53 (max_moves) stay exact as text.
        let big = r == 3 && max_moves > (1 << 53);
        cell_value(c == 1 && r != 1 && r != 2 && r != 6 && !big, text)
    })?;
    to_bytes(&mut book)
}
