//! `allocate --report FILE`: the self-contained HTML report, written atomically.

use std::path::Path;

use anyhow::Context;
use caseload::explain::explain;
use caseload::model::Instance;
use caseload::solve::Solution;

/// Renders the report of a solved scenario read from `dir` and writes it to `path`.
pub fn write(
    path: &Path,
    dir: &Path,
    instance: &Instance,
    solution: &Solution,
) -> anyhow::Result<()> {
    let title = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string());
    let reasons = explain(instance, &solution.evaluation);
    let page = caseload::report::html::render(&title, instance, solution, &reasons);
    caseload::io::atomic::write_atomically(path, page.as_bytes())
        .with_context(|| format!("writing the report to {}", path.display()))
}
