//! The primal side of the LP's prices: the whole program cut to the columns the LP
//! uses or prices as (nearly) free, solved by HiGHS from the best allocation known.
//!
//! A column's LP reduced cost is the least its use adds to the LP's optimum. On a trust
//! whose LP bound is close to the optimum, good allocations use almost only columns of
//! reduced cost close to 0. The cut program keeps, for each unit, the workers holding
//! some of it in the LP's solution (its support), optionally the workers whose column
//! costs at most [`GUIDED_SHARE`] × the LP bound in reduced cost, its cases' current
//! workers (so "still fits" and every cost are those of the instance) and its worker in
//! the starting allocation (which is then a MIP start of the cut program). Its allocations
//! are allocations of the instance; its optimum is an upper bound, not a proof.
//!
//! On the 30-team trust of seed 1 (LP bound 1,058,732; within-team optimum 1,141,339):
//! the support alone is solved in 1.4 s to 1,116,235 on the loaded machine; with the
//! columns of reduced cost up to 0.53 points (69,000 of 565,000 pairs) HiGHS proved the
//! cut program's optimum, 1,067,660, in 10 s (alone), and finds nothing in 12–15 s
//! on other runs beside the pairs of teams; 84,000 pairs (5 points) ended at 1,071,607
//! after 20 s, 372,000 (20 points) never left the start.

use std::time::{Duration, Instant};

use highs::HighsSolutionStatus;

use super::team::seconds_until;
use super::Prices;
use crate::error::{Error, Result, SolverError};
use crate::model::{Allocation, Instance};
use crate::solve::guard::hard_rule_breaches;
use crate::solve::highs::{configure, set_option, MipSettings};
use crate::solve::watch::Listener;
use crate::solve::{Formulation, SolveOptions};

/// Each unit's eligible workers cut to those of reduced cost at most `tau`, those holding
/// some of it in the LP's solution, its cases' current workers and its worker in `around`.
pub(crate) fn cut_to_prices(
    instance: &Instance,
    prices: &Prices,
    around: &Allocation,
    tau: f64,
) -> Instance {
    let mut cut = instance.clone();
    for (u, unit) in cut.units.iter_mut().enumerate() {
        let Some(reduced) = prices.reduced.get(u) else {
            continue;
        };
        let current = instance.current_workers(u);
        let held = &prices.support[u];
        unit.eligible = reduced
            .iter()
            .filter(|&&(w, rc)| {
                rc <= tau || held.contains(&w) || around.units[u] == Some(w) || current.contains(&w)
            })
            .map(|&(w, _)| w)
            .collect();
    }
    cut
}

/// The best allocation HiGHS finds by `until` (one HiGHS thread) in the program cut to
/// the LP's solution and, with `share`, to the columns of reduced cost at most `share` ×
/// the LP bound, around `around`; if it meets every hard rule. Each better allocation
/// HiGHS finds on the way that meets every hard rule is handed to `found` as soon as it
/// is found (on this thread, while HiGHS waits); `found` says whether it is better than
/// any allocation known, and HiGHS stops after [`GUIDED_STALL`] without one that is.
pub(crate) fn guided(
    instance: &Instance,
    prices: &Prices,
    around: &Allocation,
    share: Option<f64>,
    until: Instant,
    options: &SolveOptions,
    found: &dyn Fn(&Allocation) -> bool,
) -> Result<Option<Allocation>> {
    let tau = share.map_or(f64::NEG_INFINITY, |s| s * prices.bound.abs());
    let cut = cut_to_prices(instance, prices, around, tau);
    let mut formulation = Formulation::build(&cut);
    let start = formulation.column_values(around);
    let mut model = formulation
        .take_highs_problem()
        .try_into_inner()
        .map_err(|e| Error::Solver(SolverError::Program(e)))?;
    let settings = MipSettings {
        time_limit: seconds_until(until),
        threads: 1,
        log: options.log,
        small: false,
        watch: options.watch.as_deref(),
    };
    configure(&mut model, &settings)?;
    set_option(&mut model, "mip_rel_gap", options.mip_gap)?;
    model
        .try_set_solution(Some(&start), None, None, None)
        .map_err(|status| Error::Solver(SolverError::MipStart { status }))?;
    let read = |values: &[f64]| -> Option<Allocation> {
        if values.len() != formulation.columns() {
            return None;
        }
        let mut allocation = around.clone();
        for (u, w) in formulation.decisions(values) {
            allocation.units[u] = w;
        }
        hard_rule_breaches(instance, &allocation)
            .is_empty()
            .then_some(allocation)
    };
    let improving = |values: &[f64]| read(values).is_some_and(|allocation| found(&allocation));
    let listener = Listener::new(options.watch.as_deref(), &improving, Some(GUIDED_STALL));
    listener.attach(&mut model);
    let solved = model
        .try_solve()
        .map_err(|status| Error::Solver(SolverError::Run { status }))?;
    if solved.primal_solution_status() != HighsSolutionStatus::Feasible {
        return Ok(None);
    }
    Ok(read(solved.get_solution().columns()))
}

/// The reduced cost up to which a column is kept in [`guided`] when asked, as a share of
/// the LP bound (0.53 points on the 30-team trust; see the module's figures).
pub(crate) const GUIDED_SHARE: f64 = 5e-7;

/// How long [`guided`] lets HiGHS go on without a better allocation: on the 30-team
/// trusts its better allocations come 1–4 s apart, and after a longer wait none came in the
/// rest of a 30 s solve, while sets of workers across teams (`exchange`) put the core to
/// better use.
pub(crate) const GUIDED_STALL: Duration = Duration::from_secs(5);
