//! Any bytes as a record file (seed the corpus with a record a run made): opened and
//! read through, never a panic, every failure a typed error.
#![no_main]

use caseload::record::{Record, RecordError};
use libfuzzer_sys::fuzz_target;

fn read_all(path: &std::path::Path) -> Result<(), RecordError> {
    let record = Record::open_to_read(path)?;
    record.check_integrity()?;
    for run in record.runs()? {
        record.rows(run.id)?;
        record.loads(run.id)?;
        record.inputs(run.id)?;
        record.run_decisions(run.id)?;
    }
    record.standing()?;
    record.decisions()?;
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("record.db");
    std::fs::write(&db, data).expect("written");
    let _ = read_all(&db);
});
