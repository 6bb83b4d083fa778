//! Branch-and-price for one part (a team): a solver built for this problem, behind the
//! same part interface as HiGHS (`--solver bp`). The method, with its maths, is in
//! `docs/solver.md`.
//!
//! A part's allocation is one whole caseload per worker — counts of units of each class
//! of interchangeable units ([`team`]) — and whatever is left unallocated. The master LP
//! ([`master`]) chooses a convex combination of caseloads per worker; pricing
//! ([`pricing`]) finds each worker's best caseload at the LP's duals exactly, by dynamic
//! programming over load × cases × new cases; the floor row ([`floor`]) makes the LP pay
//! for whole units left unallocated; the tree ([`tree`]) branches on a worker's count of
//! a class until the incumbent is proven within the gap.
//!
//! A part branch-and-price does not take ([`Unsupported`]: the moves budget can bind,
//! loads on no grid, tables too large, no feasible start) is solved by HiGHS.

mod floor;
mod heuristic;
mod master;
mod pricing;
mod team;
#[cfg(test)]
mod tests;
mod tree;

use std::time::Instant;

use super::formulation::Formulation;
use super::Status;

pub(crate) use master::Profile;
use team::Incumbent;
use team::Team;
pub(crate) use team::Unsupported;

/// What branch-and-price gave for a part.
#[derive(Clone, Debug)]
pub(crate) struct BpOutcome {
    /// `(unit, worker)` for every unit of the part.
    pub(crate) decisions: Vec<(usize, Option<usize>)>,
    /// Optimal within the gap, or stopped.
    pub(crate) status: Status,
    /// A lower bound on the part's objective.
    pub(crate) bound: f64,
    /// The part's objective at `decisions`, as branch-and-price computed it.
    pub(crate) objective: f64,
    /// Nodes solved.
    pub(crate) nodes: usize,
    /// Columns generated.
    pub(crate) columns: usize,
    /// Where the time went.
    pub(crate) profile: Profile,
}

/// How to run it.
pub(crate) struct BpSettings<'a> {
    /// Relative gap at which the incumbent counts as optimal.
    pub(crate) gap: f64,
    /// When to stop.
    pub(crate) deadline: Instant,
    /// Whether the solve was cancelled.
    pub(crate) cancelled: &'a dyn Fn() -> bool,
}

impl BpSettings<'_> {
    fn over(&self) -> bool {
        Instant::now() >= self.deadline || (self.cancelled)()
    }

    /// Bounds at or above this cannot improve on `incumbent` by more than the gap.
    fn cutoff(&self, incumbent: f64) -> f64 {
        incumbent - (self.gap * incumbent.abs() * (1.0 - 1e-3)).max(1e-9)
    }
}

/// Solves the part of `formulation` from `start` (the start's decision for each unit of
/// the part, which must obey the hard rules), or says why it does not.
pub(crate) fn solve_part(
    formulation: &Formulation<'_>,
    start: Option<&[(usize, Option<usize>)]>,
    settings: &BpSettings,
) -> Result<BpOutcome, Unsupported> {
    let team = Team::of(formulation)?;
    let start = start.ok_or(Unsupported::NoStart)?;
    let start = counts_of(&team, start).ok_or(Unsupported::NoStart)?;
    let floor = floor::floor(&team);
    let outcome =
        tree::search(&team, floor.as_ref(), start, settings).map_err(|_| Unsupported::Master)?;
    let gap = super::relative_gap(outcome.incumbent.cost, outcome.bound);
    Ok(BpOutcome {
        decisions: decisions(&team, &outcome.incumbent.counts),
        status: if gap <= settings.gap {
            Status::Optimal
        } else {
            Status::TimeLimit
        },
        bound: outcome.bound,
        objective: outcome.incumbent.cost,
        nodes: outcome.nodes,
        columns: outcome.columns,
        profile: outcome.profile,
    })
}

/// The root bound of a part: the master LP with the floor row (with `floor` false,
/// without it), converged by column generation from `start`. For comparing with HiGHS's
/// LP relaxation (tests, benches).
pub(crate) fn root_bound(
    formulation: &Formulation<'_>,
    start: &[(usize, Option<usize>)],
    with_floor: bool,
) -> Result<f64, Unsupported> {
    root_bound_from(formulation, start, with_floor, None)
}

/// [`root_bound`] with the artificials' first cost `big_m` (`None`: the search's).
fn root_bound_from(
    formulation: &Formulation<'_>,
    start: &[(usize, Option<usize>)],
    with_floor: bool,
    big_m: Option<f64>,
) -> Result<f64, Unsupported> {
    let team = Team::of(formulation)?;
    let start = counts_of(&team, start).ok_or(Unsupported::NoStart)?;
    let floor = floor::floor(&team).filter(|_| with_floor);
    let never = || false;
    let limits = BpSettings {
        gap: 0.0,
        deadline: Instant::now() + std::time::Duration::from_secs(3600),
        cancelled: &never,
    };
    tree::root_only(&team, floor.as_ref(), start, &limits, big_m).map_err(|_| Unsupported::Master)
}

/// Each worker's counts in an allocation of the part, and its cost; `None` if a unit is
/// with a worker not eligible for it or the counts break a rule.
fn counts_of(team: &Team, decisions: &[(usize, Option<usize>)]) -> Option<Incumbent> {
    let mut class_of = std::collections::BTreeMap::new();
    for (k, class) in team.classes.iter().enumerate() {
        for &u in &class.members {
            class_of.insert(u, k);
        }
    }
    let mut counts: Vec<Vec<u32>> = team
        .workers
        .iter()
        .map(|w| vec![0; w.options.len()])
        .collect();
    for &(u, w) in decisions {
        let Some(w) = w else { continue };
        let k = *class_of.get(&u)?;
        let i = team.workers.iter().position(|x| x.index == w)?;
        let j = team.workers[i].options.iter().position(|o| o.class == k)?;
        counts[i][j] += 1;
    }
    let cost = team::cost_of(team, &counts)?;
    Some(Incumbent { counts, cost })
}

/// The decisions of whole counts: each class's units go to its workers in order of
/// unit, in the team's order of workers; the rest stay unallocated.
fn decisions(team: &Team, counts: &[Vec<u32>]) -> Vec<(usize, Option<usize>)> {
    let mut out = Vec::new();
    for (k, class) in team.classes.iter().enumerate() {
        let mut units = class.members.iter();
        for (w, c) in team.workers.iter().zip(counts) {
            for (o, &t) in w.options.iter().zip(c) {
                if o.class == k {
                    for &u in units.by_ref().take(t as usize) {
                        out.push((u, Some(w.index)));
                    }
                }
            }
        }
        out.extend(units.map(|&u| (u, None)));
    }
    out
}
