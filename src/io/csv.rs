//! General CSV machinery, for every table caseload reads or writes.
//!
//! Reading: a `Table` takes the text of a file as spreadsheets export it (a UTF-8 byte
//! order mark, CRLF line ends, spaces around cells, quoted cells spanning lines) and
//! yields each record with the line it starts on, in one pass over the text. On top of it,
//! `CsvFile` reads a header of known columns and data rows, reporting malformed ones,
//! and `Cells` parses the values of a row, reporting those that do not parse. Each
//! problem is an [`InputError`] located by file, line and column.
//!
//! Writing: [`to_text`] formats a header and rows as CSV text.

use std::collections::BTreeMap;

use csv::{ReaderBuilder, StringRecord, Trim, WriterBuilder};

use super::source::Rejection;
use crate::codes;
use crate::error::{Error, InputError, Result};

/// The text without a leading UTF-8 byte order mark (spreadsheet exports add one).
pub(crate) fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// A CSV table read record by record, each record with the 1-based line it starts on.
///
/// No record is taken as a header (the caller reads the first one as it needs), records
/// of any length are accepted (the caller reports them), and cells are trimmed. Lines
/// count the line breaks inside quoted cells; finding them is linear in the text.
///
/// A table can also hand out records already read, each with its line (a spreadsheet's
/// rows, by row number): the readers above it then treat both alike.
pub(crate) struct Table<'a>(Records<'a>);

enum Records<'a> {
    Text {
        records: csv::StringRecordsIntoIter<&'a [u8]>,
        lines: Lines<'a>,
    },
    Read(std::slice::Iter<'a, (u64, StringRecord)>),
}

impl<'a> Table<'a> {
    /// A table over `text`, after its byte order mark if it has one.
    pub fn new(text: &'a str) -> Self {
        let text = without_bom(text);
        let reader = ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(Trim::All)
            .from_reader(text.as_bytes());
        Self(Records::Text {
            records: reader.into_records(),
            lines: Lines::new(text),
        })
    }

    /// A table of records already read, each with its line (or row).
    pub fn read(records: &'a [(u64, StringRecord)]) -> Self {
        Self(Records::Read(records.iter()))
    }
}

impl Iterator for Table<'_> {
    /// The line a record (or a record that cannot be read) starts on, and the record.
    type Item = (u64, csv::Result<StringRecord>);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            Records::Text { records, lines } => {
                let record = records.next()?;
                let line = match &record {
                    Ok(record) => lines.at(record.position()),
                    Err(e) => lines.at(e.position()),
                };
                Some((line, record))
            }
            Records::Read(rows) => rows.next().map(|(line, r)| (*line, Ok(r.clone()))),
        }
    }
}

/// Finds the line a record starts on from its byte offset.
///
/// `csv` reports lines wrongly after CRLF endings and blank lines: a record's offset is
/// that of the line break ending the previous record, so skip line breaks first. Offsets
/// come in increasing order, so line breaks are counted once, from where the last count
/// stopped.
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
        let byte = usize::try_from(position.byte()).unwrap_or(usize::MAX);
        let mut start = byte.clamp(self.offset, self.text.len());
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
/// known columns named again (with the 1-based field that repeats them); unknown columns
/// are ignored.
pub(crate) fn header_columns(
    header: &StringRecord,
    columns: &'static [&'static str],
) -> (BTreeMap<&'static str, usize>, Vec<(&'static str, usize)>) {
    let mut found = BTreeMap::new();
    let mut duplicates = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let Some(&column) = columns.iter().find(|c| c.eq_ignore_ascii_case(name)) else {
            continue;
        };
        if found.contains_key(column) {
            duplicates.push((column, i + 1));
        } else {
            found.insert(column, i);
        }
    }
    (found, duplicates)
}

/// The header of a scenario table.
pub(crate) struct Header {
    /// The index of each known column present.
    pub columns: BTreeMap<&'static str, usize>,
    /// The number of fields of every row.
    pub width: usize,
}

impl Header {
    pub fn has_id(&self) -> bool {
        self.columns.contains_key("id")
    }

    /// The id of a record, if it has a non-empty one.
    pub fn id_of(&self, record: &StringRecord) -> Option<String> {
        let id = self.columns.get("id").and_then(|&i| record.get(i));
        id.filter(|id| !id.is_empty()).map(str::to_string)
    }
}

/// A data row of a scenario table, as read.
pub(crate) enum DataRow {
    /// Every field is empty: a blank line, or a spreadsheet row left empty.
    Blank,
    /// A row that could not be read (reported), with its id if known.
    Unreadable(Option<String>),
    /// A row with as many fields as the header, and the line it starts on.
    Fields(StringRecord, u64),
}

/// A scenario table being read: its name, its records, and where its problems go.
pub(crate) struct CsvFile<'a> {
    pub name: &'a str,
    pub table: Table<'a>,
    pub errors: &'a mut Vec<InputError>,
}

impl CsvFile<'_> {
    /// Reads the header, reporting repeated known columns and missing `required` ones;
    /// `None` (reported) when there is none.
    pub fn header(
        &mut self,
        columns: &'static [&'static str],
        required: &[&'static str],
    ) -> Option<Header> {
        let Some((line, Ok(record))) = self.table.next() else {
            let names: Vec<String> = required.iter().map(|c| format!("`{c}`")).collect();
            let message = format!(
                "no header row: the first line must name the columns, including {}",
                names.join(" and ")
            );
            self.error(1, "", codes::MISSING_COLUMN, message);
            return None;
        };
        let (columns, duplicates) = header_columns(&record, columns);
        for (column, field) in duplicates {
            let message = format!("column is named twice in the header (again in field {field})");
            self.error(line, column, codes::DUPLICATE_COLUMN, message);
        }
        let header = Header {
            columns,
            width: record.len(),
        };
        for &column in required {
            if !header.columns.contains_key(column) {
                let message = "required column is missing from the header".to_string();
                self.error(line, column, codes::MISSING_COLUMN, message);
            }
        }
        Some(header)
    }

    /// Reads the next data row, reporting it if it is malformed; `None` at the end.
    pub fn data_row(&mut self, header: &Header) -> Option<DataRow> {
        let (line, record) = self.table.next()?;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let message = format!("cannot be read: {e}");
                self.error(line, "", codes::MALFORMED_ROW, message);
                return Some(DataRow::Unreadable(None));
            }
        };
        if record.iter().all(str::is_empty) {
            return Some(DataRow::Blank);
        }
        if record.len() != header.width {
            let message = format!(
                "has {} fields but the header has {}: quote values that contain a comma",
                record.len(),
                header.width
            );
            self.error(line, "", codes::MALFORMED_ROW, message);
            return Some(DataRow::Unreadable(header.id_of(&record)));
        }
        Some(DataRow::Fields(record, line))
    }

    /// The cells of a data row at `line`, reporting into this file's problems.
    pub fn cells<'b>(
        &'b mut self,
        header: &'b Header,
        record: &'b StringRecord,
        line: u64,
    ) -> Cells<'b> {
        Cells {
            file: self.name,
            line,
            columns: &header.columns,
            record,
            errors: self.errors,
            failed: Vec::new(),
        }
    }

    pub fn error(&mut self, line: u64, column: &str, code: &'static str, message: String) {
        self.errors.push(InputError {
            file: self.name.to_string(),
            line: Some(line),
            column: column.to_string(),
            cell: None,
            code,
            message,
        });
    }
}

/// The cells of one data row, with somewhere to report values that do not parse.
pub(crate) struct Cells<'a> {
    pub file: &'a str,
    pub line: u64,
    pub columns: &'a BTreeMap<&'static str, usize>,
    pub record: &'a StringRecord,
    pub errors: &'a mut Vec<InputError>,
    /// Columns whose value was rejected.
    pub failed: Vec<&'static str>,
}

impl<'a> Cells<'a> {
    /// The trimmed text of a column; empty when the column is absent.
    pub fn text(&self, column: &str) -> &'a str {
        self.columns
            .get(column)
            .and_then(|&i| self.record.get(i))
            .unwrap_or("")
    }

    /// The value of a column: `default` when empty, else `parse`d; a rejected value is
    /// reported and replaced by `default`.
    pub fn value<T>(
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
                cell: None,
                code,
                message,
            });
            self.failed.push(column);
            default
        })
    }
}

/// Formats a header and rows as CSV text: `\n` line ends, cells quoted only where needed.
///
/// # Errors
/// [`Error::Csv`] when a row does not have as many cells as the header.
///
/// # Example
/// ```
/// use caseload::io::csv::to_text;
///
/// let rows = vec![vec!["C1".to_string(), "no room, sadly".to_string()]];
/// assert_eq!(to_text(&["case_id", "reason"], rows)?, "case_id,reason\nC1,\"no room, sadly\"\n");
/// # Ok::<(), caseload::Error>(())
/// ```
pub fn to_text(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Result<String> {
    let fail = |source: csv::Error| Error::Csv { source };
    let mut writer = WriterBuilder::new().from_writer(Vec::new());
    writer.write_record(header).map_err(fail)?;
    for row in rows {
        writer.write_record(&row).map_err(fail)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| fail(csv::Error::from(e.into_error())))?;
    String::from_utf8(bytes).map_err(|e| {
        let invalid = std::io::Error::new(std::io::ErrorKind::InvalidData, e);
        fail(csv::Error::from(invalid))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The line of each record by definition: 1 + the line breaks before its first byte
    /// that is not a line break, at or after the offset `csv` gives.
    fn naive_lines(text: &str) -> Vec<u64> {
        let text = without_bom(text);
        let bytes = text.as_bytes();
        let reader = ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(Trim::All)
            .from_reader(bytes);
        reader
            .into_records()
            .map(|record| {
                let record = record.unwrap();
                let position = record.position().unwrap();
                let mut start = (position.byte() as usize).min(bytes.len());
                while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
                    start += 1;
                }
                1 + bytes[..start].iter().filter(|&&b| b == b'\n').count() as u64
            })
            .collect()
    }

    fn lines(text: &str) -> Vec<u64> {
        Table::new(text).map(|(line, _)| line).collect()
    }

    #[test]
    fn lines_count_crlf_blank_lines_bom_and_quoted_line_breaks() {
        let text = "\u{feff}id,note\r\nC1,a\r\n\r\n\"C\r\n2\",\"x\ny\"\r\n,\r\nC3,b\n\nC4,c";
        assert_eq!(lines(text), [1, 2, 4, 7, 8, 10]);
        assert_eq!(lines(text), naive_lines(text));
        let records: Vec<StringRecord> = Table::new(text).map(|(_, r)| r.unwrap()).collect();
        assert_eq!(
            &records[0][0], "id",
            "the byte order mark is not part of the header"
        );
        assert_eq!(&records[2][0], "C\r\n2");
    }

    proptest! {
        /// The one-pass count agrees with counting from the start for every record.
        #[test]
        fn lines_agree_with_counting_from_the_start(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("a"), Just("b "), Just(","), Just("\n"), Just("\r\n"), Just("\r"),
                    Just("\""), Just("\"x\ny\""), Just(" "),
                ],
                0..40,
            ),
        ) {
            let text: String = parts.concat();
            prop_assert_eq!(lines(&text), naive_lines(&text));
        }
    }

    #[test]
    fn header_columns_match_any_case_and_note_repeats() {
        let header = StringRecord::from(vec!["ID", "x", "Fte", "fte", "FTE"]);
        let (found, duplicates) = header_columns(&header, &["id", "fte", "team"]);
        assert_eq!(found, BTreeMap::from([("id", 0), ("fte", 2)]));
        assert_eq!(duplicates, [("fte", 4), ("fte", 5)]);
    }

    #[test]
    fn to_text_quotes_where_needed_and_rejects_ragged_rows() {
        let rows = vec![
            vec!["a\"b".to_string(), String::new()],
            vec!["x\ny".to_string(), "1".to_string()],
        ];
        assert_eq!(
            to_text(&["h1", "h2"], rows).unwrap(),
            "h1,h2\n\"a\"\"b\",\n\"x\ny\",1\n"
        );
        let ragged = to_text(&["h1", "h2"], vec![vec!["only one".to_string()]]);
        assert!(matches!(ragged, Err(Error::Csv { .. })), "{ragged:?}");
    }
}
