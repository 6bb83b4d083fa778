//! A table of cells with where each is: a sheet of a workbook (`'List 6'!D12`) or a CSV
//! file (`export.csv:12: column`), so that every reader of the importer locates what it
//! finds the same way.

use std::path::Path;

use super::cells::Cell;
use super::headers::Pattern;
use crate::codes;
use crate::error::InputError;
use crate::io::sheet::{cell_name, row_name};

/// The cells of one sheet or CSV file, each row with its 1-based number (the line of a
/// CSV file, the row of a sheet).
#[derive(Clone, Debug, Default)]
pub struct Grid {
    /// The file, as shown in errors.
    pub file: String,
    /// The sheet, for a workbook.
    pub sheet: Option<String>,
    /// The 0-based column of the first cell of each row (a sheet may start at `C`).
    pub first_col: u32,
    /// The rows, empty ones left out.
    pub rows: Vec<(u64, Vec<Cell>)>,
}

impl Grid {
    /// Reads a CSV file's cells (all text), with `delimiter` between fields.
    ///
    /// # Errors
    /// [`codes::UNREADABLE`], [`codes::ENCODING`] or [`codes::MALFORMED_ROW`], located.
    pub fn from_csv(path: &Path, delimiter: u8) -> Result<Grid, InputError> {
        let file = path.display().to_string();
        let problem = |line: Option<u64>, code, message: String| InputError {
            file: file.clone(),
            line,
            column: String::new(),
            cell: None,
            code,
            message,
        };
        let bytes = std::fs::read(path)
            .map_err(|e| problem(None, codes::UNREADABLE, format!("cannot be read: {e}")))?;
        let text = String::from_utf8(bytes).map_err(|_| {
            let message = "is not UTF-8 text: export it as CSV UTF-8".to_string();
            problem(None, codes::ENCODING, message)
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map(|p| p.line());
                problem(line, codes::MALFORMED_ROW, format!("is not valid CSV: {e}"))
            })?;
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            let cells: Vec<Cell> = record.iter().map(|f| Cell::Text(f.to_string())).collect();
            if cells.iter().any(|c| !c.text().is_empty()) {
                rows.push((line, cells));
            }
        }
        Ok(Grid {
            file,
            sheet: None,
            first_col: 0,
            rows,
        })
    }

    /// The cells of a workbook's sheet.
    #[cfg(feature = "xlsx")]
    pub fn from_range(file: &str, sheet: &str, range: &calamine::Range<calamine::Data>) -> Grid {
        use calamine::Data;
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        let mut rows = Vec::new();
        for (i, cells) in range.rows().enumerate() {
            let cells: Vec<Cell> = cells
                .iter()
                .map(|cell| match cell {
                    Data::Empty => Cell::Empty,
                    Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
                        Cell::Text(s.clone())
                    }
                    Data::Int(i) => Cell::Number(*i as f64),
                    Data::Float(f) => Cell::Number(*f),
                    Data::Bool(b) => Cell::Text(b.to_string()),
                    Data::DateTime(d) => Cell::Date(d.as_f64()),
                    Data::Error(e) => Cell::Error(e.to_string()),
                })
                .collect();
            let blank = cells.iter().all(|c| match c {
                Cell::Empty => true,
                Cell::Text(t) => super::headers::clean(t).is_empty(),
                _ => false,
            });
            if !blank {
                rows.push((u64::from(first_row) + i as u64 + 1, cells));
            }
        }
        Grid {
            file: file.to_string(),
            sheet: Some(sheet.to_string()),
            first_col,
            rows,
        }
    }

    /// Where a row is, for the report: `'List 6'!12:12` or `export.csv:12`.
    pub fn row_place(&self, row: u64) -> String {
        match &self.sheet {
            Some(sheet) => row_name(sheet, row),
            None => format!("{}:{row}", self.file_name()),
        }
    }

    /// Where a cell is, for the report: `'List 6'!D12` or `export.csv:12: Team`.
    pub fn cell_place(&self, row: u64, field: usize, column: &str) -> String {
        match &self.sheet {
            Some(sheet) => cell_name(sheet, self.first_col + field as u32, row),
            None => format!("{}:{row}: {column}", self.file_name()),
        }
    }

    fn file_name(&self) -> String {
        Path::new(&self.file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.file.clone())
    }

    /// A problem at a cell (`field` 0-based), or at the whole row for `None`.
    pub fn error(
        &self,
        row: u64,
        field: Option<usize>,
        column: &str,
        code: &'static str,
        message: String,
    ) -> InputError {
        let cell = self.sheet.as_ref().map(|sheet| match field {
            Some(f) => cell_name(sheet, self.first_col + f as u32, row).into(),
            None => row_name(sheet, row).into(),
        });
        InputError {
            file: self.file.clone(),
            line: Some(row),
            column: column.to_string(),
            cell,
            code,
            message,
        }
    }

    /// The header: the first of the first `within` rows with a cell that `key` matches,
    /// as its index in `rows` and its cells' texts.
    pub fn header(&self, key: &Pattern, within: usize) -> Option<(usize, Vec<String>)> {
        self.rows
            .iter()
            .take(within)
            .enumerate()
            .find_map(|(i, (_, cells))| {
                let texts: Vec<String> = cells.iter().map(Cell::text).collect();
                texts.iter().any(|t| key.matches(t)).then_some((i, texts))
            })
    }
}

/// The column `pattern` names in `header`: the first header holding the pattern's first
/// phrase, else its second, and so on (so "Allocated Team" wins over a later "Team").
pub fn find_column(header: &[String], pattern: &Pattern) -> Option<usize> {
    pattern.phrases.iter().find_map(|phrase| {
        header
            .iter()
            .position(|h| super::headers::matches_phrases(h, [*phrase], pattern.unless))
    })
}

/// [`find_column`] for a phrase given at run time (a map or config file's column).
pub fn find_named(header: &[String], phrase: &str) -> Option<usize> {
    let exact = header
        .iter()
        .position(|h| super::headers::name_key(h) == super::headers::name_key(phrase));
    exact.or_else(|| {
        header
            .iter()
            .position(|h| super::headers::matches_phrases(h, [phrase], &[]))
    })
}
