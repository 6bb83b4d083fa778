//! `workers.csv` and `cases.csv` (split at the first NUL byte of the input): never a
//! panic; every error located; an accepted scenario prepares.
#![no_main]

use caseload::io::{parse_scenario, Source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (workers, cases) = text.split_once('\0').unwrap_or((&text, "id\n"));
    let workers = Source::new("workers.csv", workers);
    let cases = Source::new("cases.csv", cases);
    match parse_scenario(&workers, &cases, None) {
        Ok(scenario) => {
            caseload::model::Instance::new(&scenario).expect("an accepted scenario prepares");
        }
        Err(errors) => {
            for e in &errors.0 {
                assert!(e.line.is_some(), "an error without its line: {e}");
            }
        }
    }
});
