//! `allocate --report FILE`: the self-contained HTML report, in the set of outputs when
//! FILE is in `OUT`, else written alone (atomically) after the set.

use std::path::{Path, PathBuf};

use anyhow::Context;
use caseload::explain::explain;
use caseload::model::Instance;
use caseload::solve::Solution;

/// The report's page of a solved scenario read from `dir`.
pub fn render(dir: &Path, instance: &Instance, solution: &Solution) -> String {
    let title = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string());
    let reasons = explain(instance, &solution.evaluation);
    caseload::report::html::render(&title, instance, solution, &reasons)
}

/// The report's file name when `path` is in the folder `out` (it then joins the set of
/// outputs), `None` when it is elsewhere.
pub fn name_in(path: &Path, out: &Path) -> Option<String> {
    let folder = |p: &Path| {
        if p.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            p.to_path_buf()
        }
    };
    let parent = folder(path.parent()?);
    let out = folder(out);
    let same = match (parent.canonicalize(), out.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => parent == out,
    };
    let name = path.file_name()?.to_str()?;
    same.then(|| name.to_string())
}

/// Writes the page to `path` alone (atomically), for a report outside `OUT`.
pub fn write(path: &Path, page: &str) -> anyhow::Result<()> {
    caseload::io::atomic::write_atomically(path, page.as_bytes())
        .with_context(|| format!("writing the report to {}", path.display()))
}
