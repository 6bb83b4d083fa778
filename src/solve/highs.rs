//! The calls to HiGHS that the part scheduler and the large-instance strategy share:
//! setting an option, and the optimum of a program's LP relaxation.

use std::time::Instant;

use highs::HighsModelStatus;

use super::Formulation;
use crate::error::{Error, Result, SolverError};

/// Sets a HiGHS option.
pub(super) fn set_option<V: highs::HighsOptionValue>(
    model: &mut highs::Model,
    key: &'static str,
    value: V,
) -> Result<()> {
    model
        .try_set_option(key, value)
        .map_err(|_| Error::Solver(SolverError::Option { option: key }))
}

/// The optimum of a program's LP relaxation (one HiGHS thread), a lower bound on every
/// allocation it allows; `None` if HiGHS does not reach it by `deadline`. (Handing a
/// large program to HiGHS takes time of its own: about a second at 565,000 pairs.)
pub(super) fn relaxation_bound(
    mut formulation: Formulation<'_>,
    deadline: Option<Instant>,
    watch: Option<&super::Watch>,
) -> Result<Option<f64>> {
    let mut model = formulation
        .take_highs_problem()
        .try_into_inner()
        .map_err(|e| Error::Solver(SolverError::Program(e)))?;
    set_option(&mut model, "output_flag", false)?;
    set_option(&mut model, "solve_relaxation", true)?;
    set_option(&mut model, "threads", 1)?;
    // A cancel stops the relaxation too (a large one runs for seconds).
    if let Some(watch) = watch {
        watch.interrupt(&mut model);
    }
    if let Some(deadline) = deadline {
        let seconds = deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64();
        set_option(&mut model, "time_limit", seconds)?;
    }
    let solved = model
        .try_solve()
        .map_err(|status| Error::Solver(SolverError::Run { status }))?;
    Ok((solved.status() == HighsModelStatus::Optimal).then(|| solved.objective_value()))
}
