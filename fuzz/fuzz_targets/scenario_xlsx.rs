//! Any bytes as `scenario.xlsx` (seed the corpus with scenarios/demo-xlsx/scenario.xlsx):
//! never a panic; an error is an input error naming the workbook.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("scenario.xlsx"), data).expect("written");
    match caseload::io::read::load_scenario(dir.path()) {
        Ok(scenario) => {
            caseload::model::Instance::new(&scenario).expect("an accepted scenario prepares");
        }
        Err(caseload::Error::InvalidInput(errors)) => {
            for e in &errors.0 {
                assert!(e.file.ends_with("scenario.xlsx"), "{e}");
            }
        }
        Err(other) => panic!("not an input error: {other}"),
    }
});
