//! A variants file against the demo scenario: never a panic; every error has its line;
//! an accepted plan stays within the limits.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use caseload::io::Source;
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
    let source = Source::new("variants.toml", text);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/demo");
    match caseload::io::variants::parse_plan(&source, &dir, demo()) {
        Ok(plan) => assert!(plan.solves() <= caseload::model::plan::MAX_SOLVES),
        Err(errors) => {
            for e in &errors.0 {
                assert!(e.line.is_some(), "an error without its line: {e}");
            }
        }
    }
});
