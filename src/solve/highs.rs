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

/// How a part's MIP is handed to HiGHS: the settings the part scheduler and the stable
/// stage share.
pub(super) struct MipSettings<'w> {
    /// Seconds HiGHS may take.
    pub(super) time_limit: f64,
    /// HiGHS threads.
    pub(super) threads: usize,
    /// Print HiGHS's log.
    pub(super) log: bool,
    /// A team-sized program ([`SMALL_PART_COLUMNS`](super::scheduler) or fewer columns):
    /// no RINS, RENS, feasibility jump or restarts, and a lighter cut pool (see
    /// [`configure`]).
    pub(super) small: bool,
    /// Its stop flag interrupts HiGHS.
    pub(super) watch: Option<&'w super::Watch>,
}

/// Sets the options of [`MipSettings`] on a model (the gap is the caller's), a fixed
/// random seed, and the watch's interrupt.
pub(super) fn configure(model: &mut highs::Model, settings: &MipSettings<'_>) -> Result<()> {
    set_option(model, "output_flag", settings.log)?;
    set_option(model, "log_to_console", settings.log)?;
    set_option(model, "time_limit", settings.time_limit)?;
    set_option(model, "threads", settings.threads as i32)?;
    set_option(model, "random_seed", 0)?;
    if settings.small {
        set_option(model, "mip_heuristic_run_rins", false)?;
        set_option(model, "mip_heuristic_run_rens", false)?;
        set_option(model, "mip_allow_restart", false)?;
        // A team's program starts from the local search's allocation, so feasibility
        // jump only costs time; cuts leave the LP after 2 rounds unused (default 10)
        // and the pool keeps 100 (default 10,000). The what-if bench's team solves
        // took 20 % less (49.6-50.4 s -> 39.9-40.3 s, docs/performance.md); the
        // 30-team trusts' teams the same time.
        set_option(model, "mip_heuristic_run_feasibility_jump", false)?;
        set_option(model, "mip_lp_age_limit", 2)?;
        set_option(model, "mip_pool_soft_limit", 100)?;
    }
    if let Some(watch) = settings.watch {
        watch.interrupt(model);
    }
    Ok(())
}

/// The optimum of a program's LP relaxation (one HiGHS thread), a lower bound on every
/// allocation it allows; `None` if HiGHS does not reach it by `deadline`. (Handing a
/// large program to HiGHS takes time of its own: about a second at 565,000 pairs.)
/// HiGHS's model of `formulation`'s LP relaxation, quiet, on one thread, stopped by a
/// cancel of `watch` (a large one runs for seconds).
pub(super) fn relaxation_model(
    formulation: &mut Formulation<'_>,
    watch: Option<&super::Watch>,
) -> Result<highs::Model> {
    let mut model = formulation
        .take_highs_problem()
        .try_into_inner()
        .map_err(|e| Error::Solver(SolverError::Program(e)))?;
    set_option(&mut model, "output_flag", false)?;
    set_option(&mut model, "solve_relaxation", true)?;
    set_option(&mut model, "threads", 1)?;
    if let Some(watch) = watch {
        watch.interrupt(&mut model);
    }
    Ok(model)
}

pub(super) fn relaxation_bound(
    mut formulation: Formulation<'_>,
    deadline: Option<Instant>,
    watch: Option<&super::Watch>,
) -> Result<Option<f64>> {
    let mut model = relaxation_model(&mut formulation, watch)?;
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
