//! The allocation file `check` reads: never a panic; every error located; accepted rows
//! are checked against the demo.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use caseload::model::Scenario;
use libfuzzer_sys::fuzz_target;

fn demo() -> &'static Scenario {
    static DEMO: OnceLock<Scenario> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/demo");
        caseload::io::read::load_scenario(&dir).expect("the demo loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match caseload::check::parse_allocation("allocation.csv", &text) {
        Ok(rows) => {
            let _ = caseload::check::check(demo(), &rows).to_string();
        }
        Err(errors) => {
            for e in &errors.0 {
                assert!(e.line.is_some(), "an error without its line: {e}");
            }
        }
    }
});
