//! The primal side of the LP's prices: the whole program cut to the columns the LP
//! prices as (nearly) free, solved by HiGHS from the best allocation known.
//!
//! A column's LP reduced cost is the least its use adds to the LP's optimum. On a trust
//! whose LP bound is close to the optimum, good allocations use almost only columns of
//! reduced cost close to 0: the program keeps, for each unit, the workers whose column
//! costs at most [`GUIDED_SHARE`] × the LP bound in reduced cost, its cases' current
//! workers (so "still fits" and every cost are those of the instance) and its worker in
//! the starting allocation (which is then a MIP start of the cut program). Its allocations
//! are allocations of the instance; its optimum is an upper bound, not a proof.

use std::time::Instant;

use super::Prices;
use crate::error::Result;
use crate::model::{Allocation, Instance};
use crate::solve::guard::hard_rule_breaches;
use crate::solve::scheduler::{solve_parts, PartJob};
use crate::solve::{Part, SolveOptions};

/// Each unit's eligible workers cut to those of reduced cost at most `tau`, its cases'
/// current workers and its worker in `around`.
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
        let current: Vec<usize> = unit
            .cases
            .iter()
            .filter_map(|&c| instance.current[c])
            .collect();
        unit.eligible = reduced
            .iter()
            .filter(|&&(w, rc)| rc <= tau || around.units[u] == Some(w) || current.contains(&w))
            .map(|&(w, _)| w)
            .collect();
    }
    cut
}

/// The best allocation HiGHS finds by `until` in the program cut to the LP's prices
/// around `around` (one HiGHS thread), if it meets every hard rule.
pub(crate) fn guided(
    instance: &Instance,
    prices: &Prices,
    around: &Allocation,
    until: Instant,
    options: &SolveOptions,
) -> Result<Option<Allocation>> {
    let tau = GUIDED_SHARE * prices.bound.abs();
    let cut = cut_to_prices(instance, prices, around, tau);
    let job = PartJob::new(&cut, Part::whole(&cut), Some(around), None);
    let mut found = around.clone();
    for outcome in solve_parts(vec![job], 1, 1, until, options, false)?
        .into_iter()
        .flatten()
    {
        for &(u, w) in &outcome.decisions {
            found.units[u] = w;
        }
    }
    Ok(hard_rule_breaches(instance, &found)
        .is_empty()
        .then_some(found))
}

/// The reduced cost up to which a column is kept in [`guided`], as a share of the LP
/// bound. On the 30-team trust of seed 1 (bound 1,058,732) a share of 5e-7 (0.53
/// points) keeps 69,000 of 565,000 pairs and HiGHS proves the cut program's optimum,
/// 1,067,660, in 10 s from the within-team optimum (1,141,339); 84,000 pairs (5 points)
/// end at 1,071,607 after 20 s, 372,000 (20 points) never leave the start.
const GUIDED_SHARE: f64 = 5e-7;
