//! `caseload allocate`: read a scenario (with a record's standing decisions and the
//! previous proposal to keep close to), solve, write the outputs as one set, and keep the
//! run in the record.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;

use caseload::model::Instance;
use caseload::report::{Outputs, Timings};
use caseload::solve::{solve, SolveOptions};

use super::{record, report};

/// What an `allocate` run does besides solving and writing its outputs.
pub(super) struct Run<'a> {
    /// Write the HTML report here.
    pub(super) report: Option<&'a Path>,
    /// Keep the run in this record, run by this person.
    pub(super) record: Option<(PathBuf, String)>,
    /// Apply the decisions of this `decisions.csv`.
    pub(super) decisions: Option<&'a Path>,
    /// Write `allocation.xlsx` too.
    pub(super) xlsx: bool,
    /// The previous proposal to keep close to.
    pub(super) previous: Previously,
}

/// Where `allocate` finds the previous proposal to keep close to.
pub(super) enum Previously {
    /// An `allocation.csv` (`--previous FILE`).
    File(PathBuf),
    /// The newest recorded run of the same scenario, when recording (the default).
    NewestRun,
    /// None (`--no-previous`).
    Nothing,
}

/// The outputs with `allocation.xlsx` added.
#[cfg(feature = "xlsx")]
fn with_xlsx(
    outputs: Outputs,
    instance: &Instance,
    solution: &caseload::solve::Solution,
) -> caseload::Result<Outputs> {
    outputs.with_xlsx(instance, solution)
}

/// Without the `xlsx` feature there is no `--xlsx` to ask for it.
#[cfg(not(feature = "xlsx"))]
fn with_xlsx(
    outputs: Outputs,
    _: &Instance,
    _: &caseload::solve::Solution,
) -> caseload::Result<Outputs> {
    Ok(outputs)
}

pub(super) fn allocate(
    dir: &Path,
    out: &Path,
    options: &SolveOptions,
    quiet: bool,
    run: Run<'_>,
) -> anyhow::Result<ExitCode> {
    let Run {
        report,
        record,
        decisions: decisions_file,
        xlsx,
        previous,
    } = run;
    let started = Instant::now();
    // The record is opened (and refused if it is not one) before anything is solved or
    // written; the inputs are kept as they are read.
    let mut record = match record {
        Some((db, by)) => {
            let inputs = caseload::record::read_inputs(dir)?;
            Some((record::open_to_write(&db)?, db, by, inputs))
        }
        None => None,
    };
    let scenario = caseload::io::read::load_scenario(dir)?;
    let scenario_name = dir.display().to_string();
    let previous = match (previous, &record) {
        (Previously::File(file), _) => Some(caseload::io::previous::read_previous(&file)?),
        (Previously::NewestRun, Some((store, ..))) => match store.newest_run_of(&scenario_name)? {
            Some(run) => Some(store.proposal(run)?),
            None => None,
        },
        (Previously::NewestRun, None) | (Previously::Nothing, _) => None,
    };
    // The standing decisions go on top of the input files (never into them).
    let standing = match (&record, decisions_file) {
        (Some((store, ..)), _) => Some(store.standing()?),
        (None, Some(path)) => Some(
            caseload::check::read_decisions(path)?
                .iter()
                .filter_map(|row| row.decision())
                .collect(),
        ),
        (None, None) => None,
    };
    let (scenario, decisions) = match standing {
        Some(standing) => {
            let (decided, outcomes) = caseload::validate::apply_decisions(&scenario, &standing);
            (decided, Some(outcomes))
        }
        None => (scenario, None),
    };
    let read = started.elapsed();
    let instance = Instance::new(&scenario).map_err(caseload::Error::from)?;
    // The time limit bounds the whole command: reading before, writing after.
    let deadline = caseload::solve::command_deadline(&instance, options, started);
    let options = &SolveOptions {
        deadline: Some(deadline),
        previous: previous.map(std::sync::Arc::new),
        ..options.clone()
    };
    let solution = solve(&instance, options)?;
    let timings = Timings {
        read,
        build: solution.build_time,
        solve: solution.solve_time,
        ..Timings::default()
    };
    let outputs = Outputs::render(&instance, &solution, timings, decisions.as_deref())?;
    let outputs = if xlsx {
        with_xlsx(outputs, &instance, &solution)?
    } else {
        outputs
    };
    // The report joins the set when it goes into OUT; elsewhere it follows the set.
    let page = report.map(|path| (path, report::render(dir, &instance, &solution)));
    let in_out = page
        .as_ref()
        .and_then(|(path, page)| Some((report::name_in(path, out)?, page.clone().into_bytes())));
    outputs
        .write_with(out, in_out.as_slice())
        .with_context(|| format!("writing outputs to {}", out.display()))?;
    if let (Some((path, page)), None) = (&page, &in_out) {
        report::write(path, page)?;
    }
    let recorded = match record.as_mut() {
        Some((store, db, by, inputs)) => {
            inputs.extend(caseload::record::previous_input(&solution)?);
            let run = caseload::record::NewRun::of_outputs(
                &instance,
                &outputs,
                options,
                by,
                &scenario_name,
                std::mem::take(inputs),
                decisions.unwrap_or_default(),
            )?;
            let previous = store.last_run()?;
            let id = store.add_run(&run).with_context(|| {
                format!(
                    "the outputs are written to {}, but the run was not recorded",
                    out.display()
                )
            })?;
            let since = match previous {
                Some(p) => Some((p, store.diff(p, id)?)),
                None => None,
            };
            Some((db.clone(), id, since))
        }
        None => None,
    };
    if !quiet {
        let summary = &outputs.summary;
        out!(
            "{}",
            caseload::report::table::loads_table(&instance, &solution)
        );
        out!("\n{}", summary.render());
        if let Some(d) = &summary.decisions {
            out!("{}", d.render());
        }
        outln!("wrote {}", out.display());
        if let Some(path) = report {
            outln!("wrote {}", path.display());
        }
        if let Some((db, id, since)) = recorded {
            if let Some((previous, d)) = since {
                outln!("since run {previous}: {}", record::diff_counts(&d));
            }
            outln!("recorded as run {id} in {}", db.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
