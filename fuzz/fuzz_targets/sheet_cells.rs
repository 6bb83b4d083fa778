//! Any bytes as the cells of the `cases` sheet of the demo workbook (the fuzzer's bytes
//! become the sheet's `<sheetData>`: rows, far cells, formulas with or without values,
//! error values, shared strings that are not there): never a panic nor an allocation the
//! size of the sheet's range; an error is an input error naming the workbook.
#![no_main]

use std::io::{Read, Write};

use libfuzzer_sys::fuzz_target;

/// The demo as one workbook.
const DEMO: &[u8] = include_bytes!("../../scenarios/demo-xlsx/scenario.xlsx");

/// The demo workbook with the `<sheetData>` of its sheet `sheet_file` replaced by `data`.
fn with_sheet_data(sheet_file: &str, data: &[u8]) -> Option<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(DEMO)).ok()?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).ok()?;
        let name = entry.name().ok()?.to_string();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).ok()?;
        if name == sheet_file {
            let xml = String::from_utf8(content).ok()?;
            let start = xml.find("<sheetData")?;
            let end = xml.find("</sheetData>")? + "</sheetData>".len();
            let mut edited = xml[..start].as_bytes().to_vec();
            edited.extend_from_slice(b"<sheetData>");
            edited.extend_from_slice(data);
            edited.extend_from_slice(b"</sheetData>");
            edited.extend_from_slice(xml[end..].as_bytes());
            content = edited;
        }
        out.start_file(name, stored).ok()?;
        out.write_all(&content).ok()?;
    }
    Some(out.finish().ok()?.into_inner())
}

fuzz_target!(|data: &[u8]| {
    // The workbook's second sheet is `cases` (workers, cases, policy).
    let Some(book) = with_sheet_data("xl/worksheets/sheet2.xml", data) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("scenario.xlsx"), book).expect("written");
    match caseload::io::read::load_scenario(dir.path()) {
        Ok(scenario) => {
            caseload::model::Instance::new(&scenario).expect("an accepted scenario prepares");
        }
        Err(caseload::Error::InvalidInput(errors)) => {
            for e in &errors.0 {
                assert!(e.file.ends_with("scenario.xlsx") || e.file.ends_with(".csv"), "{e}");
            }
        }
        Err(other) => panic!("not an input error: {other}"),
    }
});
