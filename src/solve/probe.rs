//! Branch-and-price beside HiGHS, part by part, for benches and measurements: each
//! part solved by both from the same start on one thread, with the root bounds of both.
//! Not part of the documented API.

use std::time::{Duration, Instant};

use super::bp::{root_bound, solve_part, BpSettings};
use crate::model::Instance;
use crate::solve::formulation::Formulation;
use crate::solve::highs::relaxation_bound;
use crate::solve::scheduler::{solve_parts, PartJob};
use crate::solve::{parts, start, SolveOptions, Status};

/// One part solved by both solvers.
#[derive(Clone, Debug)]
pub struct PartReport {
    /// Position of the part among the parts with columns.
    pub position: usize,
    /// Workers of the part.
    pub workers: usize,
    /// Units of the part.
    pub units: usize,
    /// The part's cost in the start both solvers were given.
    pub start: f64,
    /// HiGHS's LP relaxation of the part's program.
    pub lp: Option<f64>,
    /// The Dantzig–Wolfe master's bound at the root, without and with the floor row
    /// (`None` when branch-and-price does not take the part).
    pub dw: Option<(f64, f64)>,
    /// HiGHS: objective, bound, proven optimal, seconds.
    pub highs: (f64, f64, bool, f64),
    /// Branch-and-price: objective, bound, proven optimal, seconds, nodes, columns
    /// (`None` when it does not take the part).
    pub bp: Option<(f64, f64, bool, f64, usize, usize)>,
    /// Branch-and-price's seconds in the master LP and in pricing, its master solves and
    /// their simplex iterations.
    pub bp_profile: Option<(f64, f64, usize, i64)>,
}

/// Every part of `instance` with columns, solved by HiGHS and by branch-and-price (one
/// thread each, `gap`, `time_limit` seconds each), from the same improved start.
///
/// With `only`, just the parts whose position among the parts with columns (in
/// [`parts::split`]'s order) it lists; with `roots` false, no root bounds (`lp`, `dw`
/// are `None`: they take as long as a solve).
pub fn compare_parts(
    instance: &Instance,
    gap: f64,
    time_limit: f64,
    only: Option<&[usize]>,
    roots: bool,
) -> Vec<PartReport> {
    let start = start::improved_start(instance, Instant::now() + Duration::from_secs(1));
    let state = crate::solve::state::State::of(instance, &start);
    let options = SolveOptions {
        mip_gap: gap,
        threads: Some(1),
        ..SolveOptions::default()
    };
    let mut reports = Vec::new();
    let mut position = 0;
    for part in parts::split(instance) {
        let f = Formulation::build_part(instance, part.clone());
        if f.columns() == 0 {
            continue;
        }
        position += 1;
        if only.is_some_and(|o| !o.contains(&(position - 1))) {
            continue;
        }
        let decisions: Vec<(usize, Option<usize>)> =
            part.units.iter().map(|&u| (u, start.units[u])).collect();
        let lp = roots
            .then(|| {
                relaxation_bound(Formulation::build_part(instance, part.clone()), None, None)
                    .ok()
                    .flatten()
            })
            .flatten();
        let dw = roots
            .then(|| {
                root_bound(&f, &decisions, false)
                    .ok()
                    .zip(root_bound(&f, &decisions, true).ok())
            })
            .flatten();
        let clock = Instant::now();
        let job = PartJob::new(instance, part.clone(), Some(&start), None);
        let deadline = Instant::now() + Duration::from_secs_f64(time_limit);
        let outcome = solve_parts(vec![job], 1, 1, deadline, &options, false)
            .ok()
            .and_then(|mut v| v.pop())
            .and_then(|r| r.ok());
        let highs_time = clock.elapsed().as_secs_f64();
        let highs = match outcome {
            Some(o) => (
                o.solver_objective.unwrap_or(f64::NAN),
                o.bound.unwrap_or(f64::NEG_INFINITY),
                o.status == Status::Optimal,
                highs_time,
            ),
            None => (f64::NAN, f64::NEG_INFINITY, false, highs_time),
        };
        let clock = Instant::now();
        let f = Formulation::build_part(instance, part.clone());
        let settings = BpSettings {
            gap,
            deadline: Instant::now() + Duration::from_secs_f64(time_limit),
            cancelled: &|| false,
        };
        let solved = solve_part(&f, Some(&decisions), &settings).ok();
        let bp_profile = solved.as_ref().map(|o| {
            let p = o.profile;
            (p.master_seconds, p.pricing_seconds, p.solves, p.iterations)
        });
        let bp = solved.map(|o| {
            (
                o.objective,
                o.bound,
                o.status == Status::Optimal,
                clock.elapsed().as_secs_f64(),
                o.nodes,
                o.columns,
            )
        });
        reports.push(PartReport {
            position: position - 1,
            workers: part.workers.len(),
            units: part.units.len(),
            start: state.local_cost(&part.units, &part.workers),
            lp,
            dw,
            highs,
            bp,
            bp_profile,
        });
    }
    reports
}
