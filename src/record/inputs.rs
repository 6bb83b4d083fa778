//! A run's input files: the scenario folder's files as they were read, and the previous
//! proposal the solve kept close to, kept with them so a run can be replayed.

use std::path::Path;

use super::RecordError;

/// The file names of a scenario folder that a run keeps, when present.
pub const INPUT_FILES: &[&str] = &[
    "workers.csv",
    "cases.csv",
    "policy.toml",
    "pairs.csv",
    "workers.xlsx",
    "cases.xlsx",
    "pairs.xlsx",
    "scenario.xlsx",
];

/// One input file as it was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    /// The file name in the scenario folder, e.g. `cases.csv`.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl InputFile {
    /// The SHA-256 of the bytes, in lowercase hex.
    pub fn sha256(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(&self.bytes);
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The name under which a run keeps the previous proposal it kept close to (SPEC v3,
/// "Stable proposals"): `case_id,worker_id`, as `allocate --previous` reads it back.
pub const PREVIOUS_FILE: &str = "previous.csv";

/// The previous proposal a solve kept close to, as an input file of its run
/// ([`PREVIOUS_FILE`]): kept with the scenario's files, so the run can be replayed and
/// shows on which data it was made. `None` when the solve had none.
pub fn previous_input(solution: &crate::solve::Solution) -> crate::Result<Option<InputFile>> {
    let Some(stability) = &solution.stability else {
        return Ok(None);
    };
    let rows = stability.previous.cases.iter().map(|(case, worker)| {
        let worker = worker.as_ref().map_or(String::new(), |w| w.to_string());
        vec![case.to_string(), worker]
    });
    let text = crate::io::csv::to_text(&["case_id", "worker_id"], rows)?;
    Ok(Some(InputFile {
        name: PREVIOUS_FILE.to_string(),
        bytes: text.into_bytes(),
    }))
}

/// The input files of a scenario folder ([`INPUT_FILES`] that exist), read as bytes.
pub fn read_inputs(dir: &Path) -> Result<Vec<InputFile>, RecordError> {
    let mut files = Vec::new();
    for name in INPUT_FILES {
        let path = dir.join(name);
        match std::fs::read(&path) {
            Ok(bytes) => files.push(InputFile {
                name: name.to_string(),
                bytes,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(RecordError::Io { path, source }),
        }
    }
    Ok(files)
}
