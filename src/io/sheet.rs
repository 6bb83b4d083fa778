//! A table as the readers of `io::rows` take it: the text of a CSV file, or the rows of a
//! spreadsheet already turned into text ([`SheetTable`]), and where a problem of a sheet
//! is shown: its sheet and cell (`cases!D12`).
//!
//! Nothing here reads a workbook (that is `io::workbook`, behind the `xlsx` feature): a
//! sheet arrives as rows of text, each with its row number in place of a line, so that
//! one header reader, one row reader and one validation serve CSV and spreadsheets alike.

// Without the `xlsx` feature no sheet is ever read: the type stays, unused.
#![cfg_attr(not(feature = "xlsx"), allow(dead_code))]

use csv::StringRecord;

use super::csv::Table;
use super::source::Source;
use crate::codes;
use crate::error::InputError;

/// A scenario table read from one sheet of a workbook.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct SheetTable {
    /// The workbook, as shown in errors (e.g. `scenarios/x/cases.xlsx`).
    pub file: String,
    /// The sheet's name.
    pub sheet: String,
    /// The 0-based index of the sheet's first column read (`A` is 0).
    pub first_col: u32,
    /// The rows from the header on, each with its 1-based row number; every cell as text
    /// (`101`, not `101.0`; `true`; empty), rows all as wide as the header row or wider.
    pub rows: Vec<(u64, StringRecord)>,
    /// Cells that hold what no column takes (a date, an error value such as `#N/A`, a
    /// formula never calculated), already reported and located.
    pub problems: Vec<InputError>,
    /// The sheet could not be read at all (too big): its problem says why, and no table
    /// is read from it.
    pub unreadable: bool,
}

impl SheetTable {
    /// The cell of an error about this sheet: the column named in the header row (in
    /// any case), else the whole row; `None` when the error has no row.
    pub fn cell_of(&self, error: &InputError) -> Option<Box<str>> {
        let row = error.line?;
        let field = self.rows.first().and_then(|(_, header)| {
            let column = error.column.as_str();
            let named = |name: &&str| !column.is_empty() && name.eq_ignore_ascii_case(column);
            header.iter().position(|name| named(&name))
        });
        let name = match field {
            Some(field) => cell_name(&self.sheet, self.first_col + field as u32, row),
            None => row_name(&self.sheet, row),
        };
        Some(name.into())
    }

    /// A problem of the cell at 0-based `field` of the row `row`.
    pub fn problem(&self, row: u64, field: usize, column: &str, message: String) -> InputError {
        InputError {
            file: self.file.clone(),
            line: Some(row),
            column: column.to_string(),
            cell: Some(cell_name(&self.sheet, self.first_col + field as u32, row).into()),
            code: codes::PARSE,
            message,
        }
    }
}

/// The table of one scenario file: CSV text, or a sheet.
#[derive(Clone, Copy)]
pub(crate) enum Input<'a> {
    /// A CSV file.
    Text(&'a Source),
    /// A sheet of a workbook.
    Sheet(&'a SheetTable),
}

impl<'a> Input<'a> {
    /// The file name shown in errors.
    pub fn name(&self) -> &'a str {
        match self {
            Input::Text(source) => &source.name,
            Input::Sheet(sheet) => &sheet.file,
        }
    }

    /// Its records, each with its line (or row).
    pub fn table(&self) -> Table<'a> {
        match self {
            Input::Text(source) => Table::new(&source.text),
            Input::Sheet(sheet) => Table::read(&sheet.rows),
        }
    }
}

/// The letters of a 0-based column: 0 is `A`, 25 `Z`, 26 `AA`.
pub fn column_letters(col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(col) + 1;
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// A sheet's name as a reference writes it: quoted (`'My sheet'`) unless it is plain.
fn sheet_ref(sheet: &str) -> String {
    let plain = !sheet.is_empty()
        && sheet.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !sheet.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        sheet.to_string()
    } else {
        format!("'{}'", sheet.replace('\'', "''"))
    }
}

/// `sheet!D12`: a 0-based column and a 1-based row.
pub fn cell_name(sheet: &str, col: u32, row: u64) -> String {
    format!("{}!{}{row}", sheet_ref(sheet), column_letters(col))
}

/// `sheet!12:12`: a whole row, as a reference writes it.
pub fn row_name(sheet: &str, row: u64) -> String {
    format!("{}!{row}:{row}", sheet_ref(sheet))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_and_cells_are_named_as_spreadsheets_name_them() {
        let letters: Vec<String> = [0, 3, 25, 26, 27, 51, 52, 701, 702]
            .map(column_letters)
            .to_vec();
        assert_eq!(
            letters,
            ["A", "D", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]
        );
        assert_eq!(cell_name("cases", 3, 12), "cases!D12");
        assert_eq!(cell_name("My cases", 0, 2), "'My cases'!A2");
        assert_eq!(cell_name("Bob's", 0, 2), "'Bob''s'!A2");
        assert_eq!(row_name("cases", 7), "cases!7:7");
    }

    #[test]
    fn an_error_is_placed_at_its_column_else_its_row() {
        let sheet = SheetTable {
            file: "cases.xlsx".into(),
            sheet: "cases".into(),
            first_col: 1,
            rows: vec![(3, StringRecord::from(vec!["ID", "weight"]))],
            problems: Vec::new(),
            unreadable: false,
        };
        let error = |line, column: &str| InputError {
            file: "cases.xlsx".into(),
            line,
            column: column.into(),
            cell: None,
            code: codes::RANGE,
            message: String::new(),
        };
        assert_eq!(
            sheet.cell_of(&error(Some(5), "weight")).as_deref(),
            Some("cases!C5")
        );
        assert_eq!(
            sheet.cell_of(&error(Some(5), "id")).as_deref(),
            Some("cases!B5")
        );
        assert_eq!(
            sheet.cell_of(&error(Some(3), "team")).as_deref(),
            Some("cases!3:3")
        );
        assert_eq!(
            sheet.cell_of(&error(Some(4), "")).as_deref(),
            Some("cases!4:4")
        );
        assert_eq!(sheet.cell_of(&error(None, "id")), None);
    }
}
