//! Spreadsheets under faults and hostile input: one far cell, a formula saved without
//! its calculated value, and random cells of every kind (numbers, text, shared strings
//! that exist or not, error values, formulas, far positions) dropped into a sheet.

use std::io::{Read, Write};
use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};
use proptest::prelude::*;

use caseload::io::read::load_scenario;
use caseload::io::sheet_writer::scenario_xlsx;
use caseload::io::workbook::MAX_SHEET_CELLS;
use caseload::Error;

use crate::util::{caseload, demo, stderr};

/// The demo as the bytes of one `scenario.xlsx`.
fn demo_book() -> Vec<u8> {
    scenario_xlsx(&load_scenario(&demo()).unwrap()).unwrap()
}

/// The workbook `bytes` with the XML of its `sheet`-th sheet (1-based) rewritten by
/// `edit`, every entry stored uncompressed.
fn edit_sheet(bytes: &[u8], sheet: usize, edit: impl Fn(&str) -> String) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let target = format!("xl/worksheets/sheet{sheet}.xml");
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        if name == target {
            content = edit(&String::from_utf8(content).unwrap()).into_bytes();
        }
        out.start_file(name, stored).unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The 1-based place of sheet `name` in the demo workbook and the 0-based column of
/// `column` in its header.
fn place(bytes: &[u8], name: &str, column: &str) -> (usize, u32) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.xlsx");
    std::fs::write(&path, bytes).unwrap();
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let sheet = book.sheet_names().iter().position(|n| n == name).unwrap() + 1;
    let range = book.worksheet_range(name).unwrap();
    let col = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .position(|c| *c == Data::String(column.into()));
    (sheet, col.unwrap() as u32)
}

/// The letters of a 0-based column (`A`, ..., `Z`, `AA`, ...).
fn letters(col: u32) -> String {
    let mut n = col + 1;
    let mut letters = Vec::new();
    while n > 0 {
        letters.push(char::from(b'A' + ((n - 1) % 26) as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// A scenario folder holding `bytes` as its `scenario.xlsx`.
fn folder(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("scenario.xlsx"), bytes).unwrap();
    (tmp, dir)
}

fn allocate(dir: &Path, out: &Path) -> std::process::Output {
    caseload([
        "allocate".as_ref(),
        dir.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ])
}

#[test]
fn one_far_cell_is_refused_at_its_cell_without_laying_the_sheet_out() {
    let book = demo_book();
    let (sheet, _) = place(&book, "cases", "id");
    let far = edit_sheet(&book, sheet, |xml| {
        xml.replace(
            "</sheetData>",
            r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>"#,
        )
    });
    let (tmp, dir) = folder(&far);
    let out = tmp.path().join("out");
    let run = allocate(&dir, &out);
    // Before: the reader asked for 17 billion cells and the process aborted (134).
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    let text = stderr(&run);
    assert!(
        text.contains("scenario.xlsx: cases!XFD1048576: the sheet spans A1:XFD1048576"),
        "{text}"
    );
    assert!(text.contains("delete what lies beyond the table"), "{text}");
    assert!(
        !text.contains("cases!1:1"),
        "the table is not also reported missing: {text}"
    );
    assert!(!out.exists(), "nothing written");
}

/// The sheet XML with the cell `cell` (e.g. `E6`, on a row that exists) holding `inner`
/// (in place of what it held, if anything).
fn put(xml: &str, cell: &str, inner: &str) -> String {
    let mut xml = xml.to_string();
    if let Some(start) = xml.find(&format!("<c r=\"{cell}\"")) {
        let end = start + xml[start..].find("</c>").unwrap() + 4;
        xml.replace_range(start..end, "");
    }
    let row = cell.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let open = xml
        .find(&format!("<row r=\"{row}\""))
        .expect("the row is written");
    let at = open + xml[open..].find('>').unwrap() + 1;
    xml.insert_str(at, &format!("<c r=\"{cell}\">{inner}</c>"));
    xml
}

#[test]
fn a_formula_never_calculated_is_an_error_at_its_cell_not_a_default() {
    let book = demo_book();
    let (sheet, col) = place(&book, "workers", "capacity");
    let cell = format!("{}6", letters(col));
    let edited = edit_sheet(&book, sheet, |xml| put(xml, &cell, "<f>2+3</f>"));
    let (tmp, dir) = folder(&edited);
    let run = allocate(&dir, &tmp.path().join("out"));
    // Before: read as empty, the worker silently got the default capacity.
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(
        stderr(&run).contains(&format!(
            "scenario.xlsx: workers!{cell}: capacity: a formula with no calculated value; open \
             and save it in a spreadsheet program"
        )),
        "{}",
        stderr(&run)
    );
    // With its value kept, the same formula reads as its value.
    let valued = edit_sheet(&book, sheet, |xml| put(xml, &cell, "<f>2+3</f><v>5</v>"));
    let (_tmp, dir) = folder(&valued);
    let scenario = load_scenario(&dir).expect("a formula with its value reads");
    let fifth = &scenario.workers[4];
    assert_eq!(fifth.capacity, Some(5.0), "{fifth:?}");
}

/// One random cell: where, and what it holds.
#[derive(Clone, Debug)]
enum Kind {
    Number(f64),
    Text(String),
    Shared(u32),
    Error(&'static str),
    FormulaWithout,
    FormulaWith(f64),
    Bool(bool),
}

fn cell_xml(row: u32, col: u32, kind: &Kind) -> String {
    let r = format!("{}{}", letters(col), row + 1);
    match kind {
        Kind::Number(x) => format!(r#"<c r="{r}"><v>{x}</v></c>"#),
        Kind::Text(t) => format!(r#"<c r="{r}" t="inlineStr"><is><t>{t}</t></is></c>"#),
        Kind::Shared(i) => format!(r#"<c r="{r}" t="s"><v>{i}</v></c>"#),
        Kind::Error(e) => format!(r#"<c r="{r}" t="e"><v>{e}</v></c>"#),
        Kind::FormulaWithout => format!(r#"<c r="{r}"><f>1+1</f></c>"#),
        Kind::FormulaWith(x) => format!(r#"<c r="{r}"><f>1+1</f><v>{x}</v></c>"#),
        Kind::Bool(b) => format!(r#"<c r="{r}" t="b"><v>{}</v></c>"#, u8::from(*b)),
    }
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        (-1e6..1e6f64).prop_map(Kind::Number),
        "[A-Za-z0-9 ]{0,8}".prop_map(Kind::Text),
        (0u32..400).prop_map(Kind::Shared),
        prop::sample::select(vec!["#N/A", "#DIV/0!", "#REF!", "#VALUE!", "#BOGUS"])
            .prop_map(Kind::Error),
        Just(Kind::FormulaWithout),
        (0.0..50.0f64).prop_map(Kind::FormulaWith),
        any::<bool>().prop_map(Kind::Bool),
    ]
}

/// A row and column: mostly inside the table, sometimes anywhere a sheet can hold.
fn position() -> impl Strategy<Value = (u32, u32)> {
    prop_oneof![
        4 => (0u32..40, 0u32..14),
        1 => (0u32..1_048_576, 0u32..16_384),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever lands in a sheet, the reader answers with a scenario or located
    /// problems, never a panic nor an allocation the size of the sheet's range; a range
    /// over the limit is refused.
    #[test]
    fn random_cells_in_a_sheet_are_read_or_refused_in_words(
        sheet_name in prop::sample::select(vec!["workers", "cases", "policy"]),
        cells in prop::collection::vec((position(), kind()), 1..12),
    ) {
        let book = demo_book();
        let (sheet, _) = place(&book, sheet_name, if sheet_name == "policy" { "key" } else { "id" });
        let rows: String = cells
            .iter()
            .map(|((r, c), k)| format!(r#"<row r="{}">{}</row>"#, r + 1, cell_xml(*r, *c, k)))
            .collect();
        let edited = edit_sheet(&book, sheet, |xml| xml.replace("</sheetData>", &format!("{rows}</sheetData>")));
        let (_tmp, dir) = folder(&edited);
        let original = calamine_extent(&book, sheet_name);
        let (r1, c1) = cells.iter().fold(original, |(r, c), ((cr, cc), _)| (r.max(*cr), c.max(*cc)));
        let area = u64::from(r1 + 1) * u64::from(c1 + 1);
        match load_scenario(&dir) {
            Ok(_) => prop_assert!(area <= MAX_SHEET_CELLS),
            Err(Error::InvalidInput(errors)) => {
                prop_assert!(!errors.0.is_empty());
                for e in &errors.0 {
                    prop_assert!(!e.file.is_empty(), "located: {e}");
                }
                if area > MAX_SHEET_CELLS {
                    let refused = |e: &caseload::InputError| {
                        e.message.contains("the sheet spans") || e.message.contains("cannot be read")
                    };
                    prop_assert!(errors.0.iter().any(refused), "{errors}");
                }
                // A sheet that is there is never reported missing.
                prop_assert!(!errors.0.iter().any(|e| e.message.contains(&format!("has no sheet `{sheet_name}`"))), "{errors}");
            }
            Err(other) => prop_assert!(false, "{other}"),
        }
    }
}

/// The last row and column (0-based) of the demo's sheet `name`.
fn calamine_extent(bytes: &[u8], name: &str) -> (u32, u32) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.xlsx");
    std::fs::write(&path, bytes).unwrap();
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    book.worksheet_range(name).unwrap().end().unwrap()
}
