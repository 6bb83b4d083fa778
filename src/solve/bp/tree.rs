//! Branch-and-price: column generation at each node of a search tree over the counts
//! `x_wj` (units of choice `j` worker `w` holds).
//!
//! **Bound.** At a node, after each master solve with duals `(π, σ)`, pricing every
//! worker exactly gives the Lagrangian bound
//!
//! ```text
//! L(π, σ) = Σ_k n_k π_k + σ F + Σ_w min_{a ∈ X_w(node)} (c(a) − π·a)
//!         + Σ_k n_k min(0, U_k − π_k − σ U_k [k ∈ R]) + Σ_k n_k min(0, M − π_k),
//! ```
//! the Lagrangian dual of the class and floor rows at any `π` and any `σ ≥ 0`: a lower
//! bound on every allocation of the node whatever the accuracy of the LP's duals. At the
//! LP optimum it equals the LP's value. The node's bound is the best seen (and at least
//! its parent's).
//!
//! **Branching.** With `x_wj = Σ_{p ∈ P_w} a_pj λ_p` fractional, one child allows worker
//! `w` at most `⌊x_wj⌋` units of choice `j`, the other at least `⌈x_wj⌉`: bounds pricing
//! obeys and master columns outside them are closed. Each integer allocation lies in
//! exactly one child. When every `x_wj` is whole, each worker's counts are one caseload
//! (a whole point of a convex hull of whole points is one of them), whose cost is at most
//! the LP's by the convexity of the band cost: the node is solved.
//!
//! **Search.** Best bound first; a node is pruned when its bound reaches the incumbent
//! less the gap tolerance. Incumbents come from the start, whole LP solutions, and the
//! restricted master solved as a MIP over the columns found ([`super::heuristic`]).

use super::floor::Floor;
use super::heuristic::restricted_master_mip;
use super::master::{Caseload, LpSolution, Master, MasterError};
use super::pricing::price;
use super::team::{cost_of, Incumbent, Team};
use super::BpSettings as Limits;

/// A node: each worker's bounds on each of its choices.
#[derive(Clone, Debug)]
struct Node {
    bounds: Vec<Vec<(u32, u32)>>,
    bound: f64,
}

/// What the search ended with.
#[derive(Clone, Debug)]
pub(crate) struct SearchOutcome {
    /// The best allocation found.
    pub(crate) incumbent: Incumbent,
    /// A lower bound on every allocation.
    pub(crate) bound: f64,
    /// Nodes solved.
    pub(crate) nodes: usize,
    /// Columns generated.
    pub(crate) columns: usize,
}

/// Whether a column's counts lie within a worker's bounds.
fn within(c: &Caseload, bounds: &[Vec<(u32, u32)>]) -> bool {
    c.counts
        .iter()
        .zip(&bounds[c.worker])
        .all(|(&t, &(lo, hi))| lo <= t && t <= hi)
}

/// Branch-and-price on `team` from a whole allocation `start`.
pub(crate) fn search(
    team: &Team,
    floor: Option<&Floor>,
    start: Incumbent,
    limits: &Limits,
) -> Result<SearchOutcome, MasterError> {
    let (mut master, big_m, root) = begin(team, floor, &start)?;
    let mut incumbent = start;
    let mut open = vec![root];
    // The least bound of the nodes closed without an allocation as good as the incumbent.
    let mut closed = f64::INFINITY;
    let mut at_root = true;
    let mut nodes = 0;
    // Until the tree finds a whole allocation of its own, it plunges: the last child
    // pushed (the one that gives a worker more units) is solved next.
    let mut plunging = true;
    loop {
        let next = if plunging {
            open.len().checked_sub(1)
        } else {
            (0..open.len()).min_by(|&a, &b| open[a].bound.total_cmp(&open[b].bound))
        };
        let Some(i) = next else { break };
        let mut node = open.swap_remove(i);
        let cutoff = limits.cutoff(incumbent.cost);
        if node.bound >= cutoff {
            closed = closed.min(node.bound);
            continue;
        }
        if limits.over() {
            open.push(node);
            break;
        }
        nodes += 1;
        let lp = column_generation(team, floor, big_m, &mut master, &mut node, cutoff, limits)?;
        if at_root {
            at_root = false;
            let dived = dive(team, floor, big_m, &mut master, &node, &lp, limits)?;
            if let Some(found) = dived.filter(|d| d.cost < incumbent.cost) {
                incumbent = found;
            }
            let mastered = restricted_master_mip(team, floor, &master, &incumbent, limits);
            if let Some(found) = mastered.filter(|d| d.cost < incumbent.cost) {
                incumbent = found;
            }
            // Back to the root's columns.
            master.restrict(|c| within(c, &node.bounds))?;
        }
        let Some(lp) = lp.filter(|_| node.bound < limits.cutoff(incumbent.cost)) else {
            closed = closed.min(node.bound);
            continue;
        };
        match fractional(team, &master, &lp) {
            Ok(whole) => {
                plunging = false;
                if let Some(cost) = cost_of(team, &whole) {
                    if cost < incumbent.cost {
                        incumbent = Incumbent {
                            counts: whole,
                            cost,
                        };
                    }
                }
                closed = closed.min(node.bound);
            }
            Err((w, j, x)) => {
                let mut down = node.clone();
                down.bounds[w][j].1 = x.floor() as u32;
                let mut up = node;
                up.bounds[w][j].0 = x.ceil() as u32;
                open.push(down);
                open.push(up);
            }
        }
        if nodes % 200 == 0 {
            if let Some(found) = restricted_master_mip(team, floor, &master, &incumbent, limits) {
                if found.cost < incumbent.cost {
                    incumbent = found;
                }
            }
        }
    }
    let open_bound = open.iter().map(|n| n.bound).fold(f64::INFINITY, f64::min);
    let bound = closed.min(open_bound).min(incumbent.cost);
    Ok(SearchOutcome {
        bound,
        nodes,
        columns: master.columns.len(),
        incumbent,
    })
}

/// The master with the start's columns, its big M, and the root node.
fn begin(
    team: &Team,
    floor: Option<&Floor>,
    start: &Incumbent,
) -> Result<(Master, f64, Node), MasterError> {
    let big_m = 2.0 * start.cost.abs() + 1000.0;
    let mut master = Master::new(team, floor, big_m)?;
    for (i, counts) in start.counts.iter().enumerate() {
        if let Some(cost) = team.workers[i].cost_of(counts) {
            master.add(team, i, counts.clone(), cost)?;
        }
    }
    let root = Node {
        bounds: team
            .workers
            .iter()
            .map(|w| {
                w.options
                    .iter()
                    .map(|o| (0, team.classes[o.class].size()))
                    .collect()
            })
            .collect(),
        bound: f64::NEG_INFINITY,
    };
    Ok((master, big_m, root))
}

/// The root's bound alone: column generation to convergence (or `limits`), no branching.
pub(crate) fn root_only(
    team: &Team,
    floor: Option<&Floor>,
    start: Incumbent,
    limits: &Limits,
) -> Result<f64, MasterError> {
    let (mut master, big_m, mut root) = begin(team, floor, &start)?;
    column_generation(
        team,
        floor,
        big_m,
        &mut master,
        &mut root,
        f64::INFINITY,
        limits,
    )?;
    Ok(root.bound)
}

/// Column generation at `node` until no column prices out, the node's bound reaches
/// `cutoff`, or time is up; raises `node.bound` to the best Lagrangian bound. Returns the
/// last LP solution (`None` when the node has no allocation).
fn column_generation(
    team: &Team,
    floor: Option<&Floor>,
    big_m: f64,
    master: &mut Master,
    node: &mut Node,
    cutoff: f64,
    limits: &Limits,
) -> Result<Option<LpSolution>, MasterError> {
    master.restrict(|c| within(c, &node.bounds))?;
    loop {
        let Some(lp) = master.solve()? else {
            node.bound = f64::INFINITY;
            return Ok(None);
        };
        let mut bound = lagrangian_constant(team, floor, big_m, &lp);
        let mut added = false;
        let tolerance = 1e-9 * (1.0 + lp.objective.abs());
        for (i, w) in team.workers.iter().enumerate() {
            let Some(priced) = price(w, &lp.pi, &node.bounds[i]) else {
                node.bound = f64::INFINITY;
                return Ok(None);
            };
            bound += priced.value;
            if priced.value - lp.mu[i] < -tolerance {
                added |= master.add(team, i, priced.counts, priced.cost)?;
            }
        }
        node.bound = node.bound.max(bound);
        if !added || node.bound >= cutoff || limits.over() {
            return Ok(Some(lp));
        }
    }
}

/// Diving from `node`: while the LP is fractional, fix the worker whose caseload has the
/// largest weight (not yet whole) to that caseload, and generate columns again; a whole
/// LP is an allocation. At most one fix per worker.
fn dive(
    team: &Team,
    floor: Option<&Floor>,
    big_m: f64,
    master: &mut Master,
    node: &Node,
    lp: &Option<LpSolution>,
    limits: &Limits,
) -> Result<Option<Incumbent>, MasterError> {
    let mut node = node.clone();
    let mut lp = lp.clone();
    let mut fixed = vec![false; team.workers.len()];
    let mut used = vec![0u32; team.classes.len()];
    loop {
        let Some(solution) = lp.take() else {
            return Ok(None);
        };
        if let Ok(whole) = fractional(team, master, &solution) {
            return Ok(cost_of(team, &whole).map(|cost| Incumbent {
                counts: whole,
                cost,
            }));
        }
        // The heaviest caseload of a worker not yet fixed that, with those fixed, gives no
        // class more units than it has.
        let fits = |c: &Caseload| {
            let w = &team.workers[c.worker];
            w.options
                .iter()
                .zip(&c.counts)
                .all(|(o, &t)| used[o.class] + t <= team.classes[o.class].size())
        };
        let pick = master
            .columns
            .iter()
            .zip(&solution.lambda)
            .filter(|(c, &l)| !fixed[c.worker] && l > 1e-9 && fits(c))
            .max_by(|a, b| a.1.total_cmp(b.1));
        let Some((column, _)) = pick else {
            return Ok(None);
        };
        let w = column.worker;
        fixed[w] = true;
        for (o, &t) in team.workers[w].options.iter().zip(&column.counts) {
            used[o.class] += t;
        }
        node.bounds[w] = column.counts.iter().map(|&t| (t, t)).collect();
        if limits.over() {
            return Ok(None);
        }
        lp = column_generation(team, floor, big_m, master, &mut node, f64::INFINITY, limits)?;
    }
}

/// The terms of the Lagrangian bound other than pricing's (see the module's docs).
fn lagrangian_constant(team: &Team, floor: Option<&Floor>, big_m: f64, lp: &LpSolution) -> f64 {
    let mut total = floor.map_or(0.0, |f| lp.sigma * f.value);
    for (k, class) in team.classes.iter().enumerate() {
        let n = f64::from(class.size());
        let pi = lp.pi[k];
        total += n * pi;
        let box_cost = match class.unallocated {
            Some(u) => {
                let in_row = floor.is_some_and(|f| f.classes[k]);
                u - pi - if in_row { lp.sigma * u } else { 0.0 }
            }
            None => big_m - pi,
        };
        total += n * box_cost.min(0.0);
    }
    total
}

/// Each worker's whole counts when the LP's are whole; else the most fractional
/// `(worker, choice, x)`.
fn fractional(
    team: &Team,
    master: &Master,
    lp: &LpSolution,
) -> Result<Vec<Vec<u32>>, (usize, usize, f64)> {
    let mut x: Vec<Vec<f64>> = team
        .workers
        .iter()
        .map(|w| vec![0.0; w.options.len()])
        .collect();
    for (c, &l) in master.columns.iter().zip(&lp.lambda) {
        if l > 0.0 {
            for (j, &t) in c.counts.iter().enumerate() {
                x[c.worker][j] += l * f64::from(t);
            }
        }
    }
    let mut worst: Option<(f64, usize, usize)> = None;
    for (w, xs) in x.iter().enumerate() {
        for (j, &v) in xs.iter().enumerate() {
            let frac = v - v.floor();
            let distance = frac.min(1.0 - frac);
            if distance > 1e-6 && worst.is_none_or(|b| distance > b.0 + 1e-12) {
                worst = Some((distance, w, j));
            }
        }
    }
    match worst {
        Some((_, w, j)) => Err((w, j, x[w][j])),
        None => Ok(x
            .iter()
            .map(|xs| xs.iter().map(|v| v.round().max(0.0) as u32).collect())
            .collect()),
    }
}
