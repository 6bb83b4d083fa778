//! `policy.toml`: never a panic; every error located; an accepted policy round-trips.
#![no_main]

use caseload::io::scenario_writer::policy_toml;
use caseload::io::{parse_policy, Source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match parse_policy(&Source::new("policy.toml", text)) {
        Ok(policy) => {
            let again = parse_policy(&Source::new("policy.toml", policy_toml(&policy)))
                .expect("an accepted policy reads back");
            assert_eq!(again, policy);
        }
        Err(errors) => {
            for e in &errors.0 {
                assert!(e.line.is_some(), "an error without its line: {e}");
            }
        }
    }
});
