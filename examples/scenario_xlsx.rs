//! Writes a scenario folder as one workbook: `scenario.xlsx` with sheets `workers`,
//! `cases`, `pairs` (when there are per-pair terms) and `policy` (key, value).
//!
//! ```text
//! cargo run --release --example scenario_xlsx -- scenarios/demo scenarios/demo-xlsx/scenario.xlsx
//! ```

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [dir, out] = args.as_slice() else {
        return Err("usage: scenario_xlsx SCENARIO_DIR OUT.xlsx".into());
    };
    let scenario = caseload::io::read::load_scenario(dir)?;
    let bytes = caseload::io::sheet_writer::scenario_xlsx(&scenario)?;
    caseload::io::atomic::write_files_atomically(&[(out.clone(), bytes)])?;
    Ok(())
}
