//! `caseload check`: an allocation verified against the hard rules and its objective
//! recomputed, independently of the solver, bound by a recorded run's decisions.

use std::path::Path;
use std::process::ExitCode;

use super::EXIT_VIOLATIONS;

/// `caseload check DIR --allocation FILE [--decisions FILE]`.
pub(super) fn check(
    dir: &Path,
    allocation: &Path,
    decisions: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let scenario = caseload::io::read::load_scenario(dir)?;
    let rows = caseload::check::read_allocation(allocation)?;
    // A recorded run's decisions.csv binds the allocation beside it.
    let beside = allocation.with_file_name("decisions.csv");
    let decisions = decisions.or_else(|| beside.is_file().then_some(beside.as_path()));
    let report = match decisions {
        Some(path) => {
            let decided = caseload::check::read_decisions(path)?;
            let judged = caseload::check::judge(&scenario, &decided);
            let n = judged.verdicts.iter().filter(|v| v.applies).count();
            let plural = if n == 1 {
                "manager's decision"
            } else {
                "managers' decisions"
            };
            outln!(
                "holding the allocation to the {n} {plural} that hold of the {} in {} (judged \
                 by the checker itself; the applied column is compared, not trusted)",
                decided.len(),
                path.display()
            );
            caseload::check::check_with_decisions(&scenario, &decided, &rows)
        }
        None => caseload::check::check(&scenario, &rows),
    };
    out!("{report}");
    Ok(if report.is_valid() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_VIOLATIONS)
    })
}
