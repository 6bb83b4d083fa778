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
//! less the gap tolerance. Incumbents come from the start, whole LP solutions,
//! price-and-round at every node, and at the root a dive and the restricted master solved
//! as a MIP over the columns found ([`super::heuristic`]).

use super::floor::Floor;
use super::heuristic::{restricted_master_mip, root_prices, round_and_repair, RootPrices};
use super::master::{lagrangian_constant, Caseload, LpSolution, Master, MasterError, Profile};
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
    /// Where the time went.
    pub(crate) profile: Profile,
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
    let (mut master, root) = begin(team, floor, &start)?;
    let mut incumbent = start;
    let mut open = vec![root];
    // The least bound of the nodes closed without an allocation as good as the incumbent.
    let mut closed = f64::INFINITY;
    let mut at_root = true;
    // The root's duals, for the restricted master's columns.
    let mut prices: Option<RootPrices> = None;
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
        let lp = column_generation(team, floor, &mut master, &mut node, cutoff, limits)?;
        // Price-and-round at every node: cheap, and each incumbent prunes.
        if let Some(found) = lp
            .as_ref()
            .and_then(|lp| round_and_repair(team, &lp_counts(team, &master, lp)))
            .filter(|d| d.cost < incumbent.cost)
        {
            incumbent = found;
        }
        if at_root {
            at_root = false;
            prices = lp
                .as_ref()
                .and_then(|lp| root_prices(team, floor, &master, &node.bounds, lp));
            // The dive and the restricted master only while the root's bound leaves a gap.
            if node.bound < limits.cutoff(incumbent.cost) {
                // A dive HiGHS fails on finds nothing; the search goes on.
                let dived = dive(team, floor, &mut master, &node, &lp, limits).unwrap_or(None);
                if let Some(found) = dived.filter(|d| d.cost < incumbent.cost) {
                    incumbent = found;
                }
            }
            if node.bound < limits.cutoff(incumbent.cost) {
                let mastered =
                    restricted_master_mip(team, &master, prices.as_ref(), &incumbent, limits);
                if let Some(found) = mastered.filter(|d| d.cost < incumbent.cost) {
                    incumbent = found;
                }
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
        if nodes % 200 == 0 && open.iter().any(|n| n.bound < limits.cutoff(incumbent.cost)) {
            let mastered =
                restricted_master_mip(team, &master, prices.as_ref(), &incumbent, limits);
            if let Some(found) = mastered {
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
        profile: master.profile,
        incumbent,
    })
}

/// The master with the start's columns, its big M, and the root node.
fn begin(
    team: &Team,
    floor: Option<&Floor>,
    start: &Incumbent,
) -> Result<(Master, Node), MasterError> {
    begin_with(team, floor, start, 2.0 * start.cost.abs() + 1000.0)
}

/// [`begin`] with the artificials' first cost `big_m`.
fn begin_with(
    team: &Team,
    floor: Option<&Floor>,
    start: &Incumbent,
    big_m: f64,
) -> Result<(Master, Node), MasterError> {
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
    Ok((master, root))
}

/// The root's bound alone: column generation to convergence (or `limits`), no branching;
/// the artificials' first cost `big_m` (`None`: the search's).
pub(crate) fn root_only(
    team: &Team,
    floor: Option<&Floor>,
    start: Incumbent,
    limits: &Limits,
    big_m: Option<f64>,
) -> Result<f64, MasterError> {
    let first = big_m.unwrap_or(2.0 * start.cost.abs() + 1000.0);
    let (mut master, mut root) = begin_with(team, floor, &start, first)?;
    column_generation(team, floor, &mut master, &mut root, f64::INFINITY, limits)?;
    Ok(root.bound)
}

/// The master after column generation at the root, and the root's prices (tests).
#[cfg(test)]
pub(crate) fn root_master(
    team: &Team,
    floor: Option<&Floor>,
    start: Incumbent,
    limits: &Limits,
) -> Result<(Master, Option<RootPrices>), MasterError> {
    let (mut master, mut root) = begin(team, floor, &start)?;
    let lp = column_generation(team, floor, &mut master, &mut root, f64::INFINITY, limits)?;
    let prices = lp
        .as_ref()
        .and_then(|lp| root_prices(team, floor, &master, &root.bounds, lp));
    Ok((master, prices))
}

/// Wentges smoothing: pricing sees `α π̄ + (1 − α) π`, with `π̄` the duals of the best
/// Lagrangian bound found at the node and `π` the master's.
const SMOOTHING: f64 = 0.8;

/// Factor by which `M` rises when column generation converges on artificials.
const BIG_M_STEP: f64 = 100.0;

/// Most rises of `M` at one node.
const MAX_BIG_M_RAISES: usize = 3;

/// Column generation at `node` until the LP is optimal over every column (its value
/// reached by the Lagrangian bound, or no column prices out at its duals), the node's
/// bound reaches `cutoff`, or time is up; raises `node.bound` to the best Lagrangian
/// bound. Pricing is stabilised (Wentges smoothing, see [`SMOOTHING`]); when the LP
/// converges with artificials in it, `M` rises and generation goes on. Returns the last
/// LP solution (`None` when the node has no allocation).
fn column_generation(
    team: &Team,
    floor: Option<&Floor>,
    master: &mut Master,
    node: &mut Node,
    cutoff: f64,
    limits: &Limits,
) -> Result<Option<LpSolution>, MasterError> {
    master.restrict(|c| within(c, &node.bounds))?;
    // The stability centre: duals (π̄, σ̄) of the best bound at this node, and the bound.
    let mut centre: Option<(Vec<f64>, f64, f64)> = None;
    let mut raises = 0;
    loop {
        let Some(lp) = master.solve()? else {
            node.bound = f64::INFINITY;
            return Ok(None);
        };
        let tolerance = 1e-9 * (1.0 + lp.objective.abs());
        let mut added = false;
        let mut alpha = if centre.is_some() { SMOOTHING } else { 0.0 };
        let mut misprices = 0;
        loop {
            let (pi, sigma) = match &centre {
                Some((p, s, _)) if alpha > 0.0 => (
                    p.iter()
                        .zip(&lp.pi)
                        .map(|(a, b)| alpha * a + (1.0 - alpha) * b)
                        .collect(),
                    alpha * s + (1.0 - alpha) * lp.sigma,
                ),
                _ => (lp.pi.clone(), lp.sigma),
            };
            let mut bound = lagrangian_constant(team, floor, master.big_m(), &pi, sigma);
            for (i, w) in team.workers.iter().enumerate() {
                let clock = std::time::Instant::now();
                let priced = price(w, &pi, &node.bounds[i]);
                master.profile.pricing_seconds += clock.elapsed().as_secs_f64();
                let Some(priced) = priced else {
                    node.bound = f64::INFINITY;
                    return Ok(None);
                };
                bound += priced.value;
                // Its reduced cost at the master's duals decides whether it enters.
                let reduced = priced.cost
                    - lp.mu[i]
                    - w.options
                        .iter()
                        .zip(&priced.counts)
                        .map(|(o, &t)| lp.pi[o.class] * f64::from(t))
                        .sum::<f64>();
                if reduced < -tolerance {
                    added |= master.add(team, i, priced.counts, priced.cost)?;
                }
            }
            node.bound = node.bound.max(bound);
            if centre.as_ref().is_none_or(|c| bound > c.2) {
                centre = Some((pi, sigma, bound));
            }
            if added || alpha == 0.0 {
                break;
            }
            // A misprice: no column enters at the smoothed duals; move towards the
            // master's (α reaches 0 after a few, where pricing is exact).
            misprices += 1;
            alpha = (1.0 - f64::from(misprices + 1) * (1.0 - SMOOTHING)).max(0.0);
        }
        if node.bound >= cutoff || limits.over() {
            return Ok(Some(lp));
        }
        let converged = !added || node.bound >= lp.objective - tolerance;
        if converged {
            if lp.artificial > 1e-9
                && raises < MAX_BIG_M_RAISES
                && master.raise_big_m(BIG_M_STEP)?
            {
                raises += 1;
                centre = None;
                continue;
            }
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
        lp = column_generation(team, floor, master, &mut node, f64::INFINITY, limits)?;
    }
}

/// `x_wj = Σ_{p ∈ P_w} a_pj λ_p`: the units of each worker's choices in the LP.
fn lp_counts(team: &Team, master: &Master, lp: &LpSolution) -> Vec<Vec<f64>> {
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
    x
}

/// Each worker's whole counts when the LP's are whole; else the most fractional
/// `(worker, choice, x)`.
fn fractional(
    team: &Team,
    master: &Master,
    lp: &LpSolution,
) -> Result<Vec<Vec<u32>>, (usize, usize, f64)> {
    let x = lp_counts(team, master, lp);
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
