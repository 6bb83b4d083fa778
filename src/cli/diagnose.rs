//! `caseload diagnose DIR`: what cannot work, before solving.

use std::path::Path;
use std::process::ExitCode;

use caseload::diagnose::diagnose;
use caseload::model::Instance;

/// Exit code when `diagnose` lists findings.
pub const EXIT_FINDINGS: u8 = 4;

/// Reads the scenario, prints every finding (or `no problems found`); exit 0 when clear,
/// 4 when findings are listed (2 for invalid input, via the caller).
pub fn run(dir: &Path) -> anyhow::Result<ExitCode> {
    let scenario = caseload::io::read::load_scenario(dir)?;
    let instance = Instance::new(&scenario).map_err(caseload::Error::from)?;
    let diagnosis = diagnose(&instance);
    out!("{diagnosis}");
    Ok(if diagnosis.is_clear() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FINDINGS)
    })
}
