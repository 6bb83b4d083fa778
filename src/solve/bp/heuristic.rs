//! Primal heuristics: the restricted master as a MIP, and price-and-round
//! ([`round_and_repair`]).
//!
//! The caseloads column generation found, each worker taking exactly one
//! (`λ_p ∈ {0, 1}`) and each class's leftover units unallocated (`y_k` whole): a small
//! set-partitioning program HiGHS solves in milliseconds, whose answers are whole
//! allocations. It proves nothing (the best allocation may need a column not found);
//! the tree does.
//!
//! Only the columns that can be in an allocation better than the incumbent enter it
//! ([`RootPrices`]): at any duals `(π, σ)` with Lagrangian bound `L` and each worker's
//! pricing optimum `z_w`, every allocation costs at least `L + Σ_w (c(a_w) − π·a_w − z_w)`
//! (each term of the Lagrangian is non-negative at a whole allocation), so a caseload `p`
//! of `w` with `c_p − π·a_p − z_w > incumbent − L` is in none cheaper than the incumbent.

use std::time::Instant;

use highs::{ColProblem, HighsModelStatus, HighsSolutionStatus, Model, Sense};

use super::floor::Floor;
use super::master::{lagrangian_constant, LpSolution, Master};
use super::pricing::price;
use super::team::{cost_of, Incumbent, Team};
use super::BpSettings as Limits;

/// Longest time the heuristic may take, in seconds.
const MAX_SECONDS: f64 = 2.0;

/// The root's duals `(π, σ)`, each worker's pricing optimum `z_w` there (the root's
/// bounds: valid in every node), and the Lagrangian bound `L` they give.
#[derive(Clone, Debug)]
pub(crate) struct RootPrices {
    pub(crate) pi: Vec<f64>,
    pub(crate) least: Vec<f64>,
    pub(crate) bound: f64,
}

impl RootPrices {
    /// `c_p − π·a_p − z_w`: how much more than the bound an allocation with caseload `p`
    /// of worker `worker` costs at least.
    pub(crate) fn excess(&self, team: &Team, worker: usize, counts: &[u32], cost: f64) -> f64 {
        let w = &team.workers[worker];
        cost - w
            .options
            .iter()
            .zip(counts)
            .map(|(o, &t)| self.pi[o.class] * f64::from(t))
            .sum::<f64>()
            - self.least[worker]
    }
}

/// The root's prices at its LP's duals (see [`RootPrices`]); `None` when a worker has
/// no caseload.
pub(crate) fn root_prices(
    team: &Team,
    floor: Option<&Floor>,
    master: &Master,
    bounds: &[Vec<(u32, u32)>],
    lp: &LpSolution,
) -> Option<RootPrices> {
    let mut bound = lagrangian_constant(team, floor, master.big_m(), &lp.pi, lp.sigma);
    let mut least = Vec::with_capacity(team.workers.len());
    for (w, bounds) in team.workers.iter().zip(bounds) {
        let z = price(w, &lp.pi, bounds)?.value;
        bound += z;
        least.push(z);
    }
    Some(RootPrices {
        pi: lp.pi.clone(),
        least,
        bound,
    })
}

/// The best allocation made of the master's columns that can beat `incumbent` (all of
/// them without `prices`), if HiGHS finds one in time.
pub(crate) fn restricted_master_mip(
    team: &Team,
    master: &Master,
    prices: Option<&RootPrices>,
    incumbent: &Incumbent,
    limits: &Limits,
) -> Option<Incumbent> {
    let left = limits
        .deadline
        .saturating_duration_since(Instant::now())
        .as_secs_f64();
    if left <= 0.0 {
        return None;
    }
    let mut problem = ColProblem::new();
    let (class_rows, worker_rows) = super::master::assignment_rows(team, &mut problem);
    for (k, class) in team.classes.iter().enumerate() {
        if let Some(cost) = class.unallocated {
            let n = f64::from(class.size());
            problem.add_integer_column(cost, 0.0..=n, [(class_rows[k], 1.0)]);
        }
    }
    let first = problem.num_cols();
    // The incumbent as the MIP start: its caseloads, and what they leave unallocated.
    let mut start: Vec<f64> = Vec::with_capacity(first + master.columns.len());
    let mut held = vec![0u32; team.classes.len()];
    for (w, counts) in team.workers.iter().zip(&incumbent.counts) {
        for (o, &t) in w.options.iter().zip(counts) {
            held[o.class] += t;
        }
    }
    for (k, class) in team.classes.iter().enumerate() {
        if class.unallocated.is_some() {
            start.push(f64::from(class.size().saturating_sub(held[k])));
        }
    }
    let mut taken = vec![false; team.workers.len()];
    let room = incumbent.cost - prices.map_or(f64::NEG_INFINITY, |p| p.bound);
    let slack = 1e-6 * (1.0 + incumbent.cost.abs());
    let columns: Vec<_> = master
        .columns
        .iter()
        .filter(|c| {
            prices.is_none_or(|p| p.excess(team, c.worker, &c.counts, c.cost) <= room + slack)
                || incumbent.counts[c.worker] == c.counts
        })
        .collect();
    for &c in &columns {
        let w = &team.workers[c.worker];
        let mut factors = vec![(worker_rows[c.worker], 1.0)];
        for (o, &t) in w.options.iter().zip(&c.counts) {
            if t > 0 {
                factors.push((class_rows[o.class], f64::from(t)));
            }
        }
        problem.add_integer_column(c.cost, 0.0..=1.0, factors);
        let chosen = !taken[c.worker] && incumbent.counts[c.worker] == c.counts;
        taken[c.worker] |= chosen;
        start.push(if chosen { 1.0 } else { 0.0 });
    }
    let mut model = Model::try_new(problem).ok()?;
    model.set_sense(Sense::Minimise);
    model.try_set_option("threads", 1).ok()?;
    model.try_set_option("random_seed", 0).ok()?;
    model
        .try_set_option("time_limit", (left * 0.25).min(MAX_SECONDS))
        .ok()?;
    model.try_set_option("mip_rel_gap", limits.gap).ok()?;
    if taken.iter().all(|&t| t) {
        model
            .try_set_solution(Some(&start), None, None, None)
            .ok()?;
    }
    let solved = model.try_solve().ok()?;
    let usable = matches!(
        solved.status(),
        HighsModelStatus::Optimal | HighsModelStatus::ReachedTimeLimit
    ) && solved.primal_solution_status() == HighsSolutionStatus::Feasible;
    if !usable {
        return None;
    }
    let solution = solved.get_solution();
    let values = solution.columns();
    let mut counts: Vec<Vec<u32>> = team
        .workers
        .iter()
        .map(|w| vec![0; w.options.len()])
        .collect();
    for (c, &v) in columns.iter().zip(&values[first..]) {
        if v > 0.5 {
            counts[c.worker].clone_from(&c.counts);
        }
    }
    let cost = cost_of(team, &counts)?;
    Some(Incumbent { counts, cost })
}

/// Price-and-round: an allocation near the LP's counts `x` (`x[w][j]`: units of worker
/// `w`'s choice `j`), or `None` when a unit that must be allocated finds no room.
///
/// Each worker first keeps `⌊x_wj⌋` units of each choice: `x_w` lies in the convex hull
/// of `w`'s caseloads and every limit is `≤` with non-negative coefficients, so the
/// rounded-down counts obey them. Then units go back in greedily ([`insert`]), and
/// while a unit left unallocated can take the place of one a worker holds, which moves
/// to where it costs least, for less ([`make_room`]), that is done and the greedy
/// insertion runs again.
pub(crate) fn round_and_repair(team: &Team, x: &[Vec<f64>]) -> Option<Incumbent> {
    let mut counts: Vec<Vec<u32>> = x
        .iter()
        .map(|xs| {
            xs.iter()
                .map(|v| (v + 1e-6).floor().max(0.0) as u32)
                .collect()
        })
        .collect();
    let mut held = vec![0u32; team.classes.len()];
    for (w, c) in team.workers.iter().zip(&mut counts) {
        for (o, t) in w.options.iter().zip(c.iter_mut()) {
            // Never more than the class has left.
            *t = (*t).min(team.classes[o.class].size() - held[o.class]);
            held[o.class] += *t;
        }
        w.cost_of(c)?;
    }
    for _ in 0..MAX_REPAIRS {
        insert(team, &mut counts)?;
        if !make_room(team, &mut counts) {
            break;
        }
    }
    let cost = cost_of(team, &counts)?;
    Some(Incumbent { counts, cost })
}

/// Most rounds of [`insert`] and [`make_room`] in [`round_and_repair`].
const MAX_REPAIRS: usize = 200;

/// Units held of each class.
fn held_of(team: &Team, counts: &[Vec<u32>]) -> Vec<u32> {
    let mut held = vec![0u32; team.classes.len()];
    for (w, c) in team.workers.iter().zip(counts) {
        for (o, &t) in w.options.iter().zip(c) {
            held[o.class] += t;
        }
    }
    held
}

/// Greedy insertion, cheapest first: while a unit that must be allocated is left, the
/// insertion (worker, choice) that keeps every limit and adds least cost; then, while
/// some insertion lowers the objective (band and unit cost below the unit's unallocated
/// cost), the one that lowers it most. `None` when a unit that must be allocated finds
/// no room.
fn insert(team: &Team, counts: &mut [Vec<u32>]) -> Option<()> {
    let mut held = held_of(team, counts);
    let mut use_: Vec<(u32, u32, u32)> = team
        .workers
        .iter()
        .zip(counts.iter())
        .map(|(w, c)| {
            w.options
                .iter()
                .zip(c)
                .fold((0, 0, 0), |(l, k, n), (o, &t)| {
                    (l + o.steps * t, k + o.cases * t, n + o.new_cases * t)
                })
        })
        .collect();
    loop {
        let must_left = team
            .classes
            .iter()
            .zip(&held)
            .any(|(k, &h)| k.unallocated.is_none() && h < k.size());
        // The best insertion: (change of the objective, worker, choice).
        let mut best: Option<(f64, usize, usize)> = None;
        for (i, w) in team.workers.iter().enumerate() {
            let (l, k, n) = use_[i];
            for (j, o) in w.options.iter().enumerate() {
                let class = &team.classes[o.class];
                if held[o.class] >= class.size() || must_left != class.unallocated.is_none() {
                    continue;
                }
                let l2 = l + o.steps;
                let fits = l2 <= w.max_steps
                    && w.max_cases.is_none_or(|m| k + o.cases <= m)
                    && w.max_new.is_none_or(|m| n + o.new_cases <= m);
                if !fits {
                    continue;
                }
                let delta = w.band[l2 as usize] - w.band[l as usize] + o.cost
                    - class.unallocated.unwrap_or(0.0);
                if best.is_none_or(|b| delta < b.0) {
                    best = Some((delta, i, j));
                }
            }
        }
        match best {
            Some((delta, i, j)) if must_left || delta < -1e-9 => {
                let o = team.workers[i].options[j];
                counts[i][j] += 1;
                held[o.class] += 1;
                let u = &mut use_[i];
                *u = (u.0 + o.steps, u.1 + o.cases, u.2 + o.new_cases);
            }
            _ if must_left => return None,
            _ => return Some(()),
        }
    }
}

/// One "make room" step, if one lowers the objective: a unit left unallocated goes to a
/// worker in place of one unit it holds, which moves to the worker where it adds least
/// (or stays unallocated, when it may). The first such step found is made.
fn make_room(team: &Team, counts: &mut [Vec<u32>]) -> bool {
    let held = held_of(team, counts);
    for (i, w) in team.workers.iter().enumerate() {
        let Some(before) = w.cost_of(&counts[i]) else {
            continue;
        };
        for (j, o) in w.options.iter().enumerate() {
            let class = &team.classes[o.class];
            let Some(unallocated) = class.unallocated else {
                continue;
            };
            if held[o.class] >= class.size() {
                continue;
            }
            for (out, moved) in w.options.iter().enumerate() {
                if out == j || counts[i][out] == 0 {
                    continue;
                }
                let mut mine = counts[i].clone();
                mine[out] -= 1;
                mine[j] += 1;
                let Some(after) = w.cost_of(&mine) else {
                    continue;
                };
                // Where the unit taken out goes: unallocated, or its cheapest worker.
                let mut best: Option<(f64, Option<(usize, usize)>)> =
                    team.classes[moved.class].unallocated.map(|u| (u, None));
                for (i2, w2) in team.workers.iter().enumerate() {
                    let Some(j2) = w2.options.iter().position(|p| p.class == moved.class) else {
                        continue;
                    };
                    if i2 == i {
                        continue;
                    }
                    let mut theirs = counts[i2].clone();
                    theirs[j2] += 1;
                    if let (Some(a), Some(b)) = (w2.cost_of(&theirs), w2.cost_of(&counts[i2])) {
                        if best.is_none_or(|(c, _)| a - b < c) {
                            best = Some((a - b, Some((i2, j2))));
                        }
                    }
                }
                let Some((placed, to)) = best else { continue };
                if after - before - unallocated + placed < -1e-9 {
                    counts[i] = mine;
                    if let Some((i2, j2)) = to {
                        counts[i2][j2] += 1;
                    }
                    return true;
                }
            }
        }
    }
    false
}
