//! A part as branch-and-price reads it: classes of interchangeable units, and for each
//! worker the classes it may hold with what one unit of each counts against its limits
//! and costs, every load a whole number of grid steps.
//!
//! Everything is read from the part's [`Formulation`] (its classes and pairs) and from
//! [`rules`] (the limits), so branch-and-price solves exactly the program HiGHS would be
//! handed.

use super::super::formulation::{Formulation, GRID_SCALES};
use crate::model::rules::{Limits, LOAD_TOLERANCE};
use crate::model::Instance;

/// Most states of one worker's pricing table (load steps × cases × new cases): beyond,
/// the part is left to HiGHS.
pub(crate) const MAX_STATES: usize = 400_000;

/// A class of interchangeable units.
#[derive(Clone, Debug)]
pub(crate) struct Class {
    /// Its units, ascending (instance indices).
    pub(crate) members: Vec<usize>,
    /// The cost of leaving one of them unallocated; `None` when they must be allocated.
    pub(crate) unallocated: Option<f64>,
}

impl Class {
    /// `n_k`: how many units the class has.
    pub(crate) fn size(&self) -> u32 {
        self.members.len() as u32
    }
}

/// One class a worker may hold, and what one unit of it counts there.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Choice {
    /// Index of the class in [`Team::classes`].
    pub(crate) class: usize,
    /// `load(u,w)` in grid steps.
    pub(crate) steps: u32,
    /// `cases(u)`.
    pub(crate) cases: u32,
    /// `new(u,w)`.
    pub(crate) new_cases: u32,
    /// Move, preference and pair costs of one unit there.
    pub(crate) cost: f64,
}

/// A worker of the part with its limits in grid steps.
#[derive(Clone, Debug)]
pub(crate) struct TeamWorker {
    /// Instance index.
    pub(crate) index: usize,
    /// The classes it may hold.
    pub(crate) options: Vec<Choice>,
    /// The most load steps it may hold (its load limit, or all it could hold).
    pub(crate) max_steps: u32,
    /// The most cases, when that limit can bind.
    pub(crate) max_cases: Option<u32>,
    /// The most new cases, when that limit can bind.
    pub(crate) max_new: Option<u32>,
    /// Band cost at each load of `0..=max_steps` steps.
    pub(crate) band: Vec<f64>,
}

impl TeamWorker {
    /// States of its pricing table: `(max_steps + 1) × (cases + 1) × (new + 1)`.
    pub(crate) fn states(&self) -> usize {
        (self.max_steps as usize + 1)
            * (self.max_cases.map_or(0, |c| c as usize) + 1)
            * (self.max_new.map_or(0, |n| n as usize) + 1)
    }

    /// The cost of holding `counts[j]` units of option `j`: band cost of the load plus
    /// each unit's own cost; `None` if that breaks a limit.
    pub(crate) fn cost_of(&self, counts: &[u32]) -> Option<f64> {
        let (mut steps, mut cases, mut new, mut cost) = (0u64, 0u64, 0u64, 0.0);
        for (o, &t) in self.options.iter().zip(counts) {
            steps += u64::from(o.steps) * u64::from(t);
            cases += u64::from(o.cases) * u64::from(t);
            new += u64::from(o.new_cases) * u64::from(t);
            cost += o.cost * f64::from(t);
        }
        let fits = steps <= u64::from(self.max_steps)
            && self.max_cases.is_none_or(|c| cases <= u64::from(c))
            && self.max_new.is_none_or(|n| new <= u64::from(n));
        fits.then(|| self.band[steps as usize] + cost)
    }
}

/// A part ready for branch-and-price.
#[derive(Clone, Debug)]
pub(crate) struct Team {
    /// Classes, in the formulation's order.
    pub(crate) classes: Vec<Class>,
    /// Workers, in the part's order.
    pub(crate) workers: Vec<TeamWorker>,
}

/// Why branch-and-price leaves a part to HiGHS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unsupported {
    /// Some load is not a whole number of hundredths of a point (or coarser steps).
    NoGrid,
    /// A worker's pricing table would be too large.
    TooLarge,
    /// The moves budget can bind: it couples every worker.
    MovesBudget,
    /// The band costs are not convex.
    Bands,
    /// No start obeying the hard rules to begin from.
    NoStart,
    /// HiGHS failed on the master LP.
    Master,
}

/// The grid step of a list of loads: the coarsest `1/q` of [`GRID_SCALES`] that makes
/// each a whole number of steps.
fn grid(loads: &[f64]) -> Option<f64> {
    GRID_SCALES
        .into_iter()
        .find(|&q| {
            loads
                .iter()
                .all(|&x| ((x * q).round() - x * q).abs() <= 1e-9 * q)
        })
        .map(|q| 1.0 / q)
}

/// `x` in steps of `g` (x is a whole number of steps, up to rounding).
fn steps_of(x: f64, g: f64) -> u32 {
    (x / g).round() as u32
}

impl Team {
    /// The team of a part's program, or why branch-and-price does not take it.
    pub(crate) fn of(formulation: &Formulation<'_>) -> Result<Self, Unsupported> {
        let instance = formulation.instance();
        let part = formulation.part();
        if super::super::parts::max_moves_can_bind(instance) {
            return Err(Unsupported::MovesBudget);
        }
        if !convex_bands(instance) {
            return Err(Unsupported::Bands);
        }
        let loads: Vec<f64> = formulation
            .pairs
            .iter()
            .flatten()
            .map(|p| p.numbers.load)
            .collect();
        let g = grid(&loads).ok_or(Unsupported::NoGrid)?;
        let classes: Vec<Class> = formulation
            .classes()
            .iter()
            .zip(&formulation.unallocated)
            .map(|(members, y)| Class {
                members: members.clone(),
                unallocated: y.map(|_| instance.unallocated_cost(members[0])),
            })
            .collect();
        let position = |w: usize| part.workers.binary_search(&w).ok();
        let mut options: Vec<Vec<Choice>> = vec![Vec::new(); part.workers.len()];
        for (k, pairs) in formulation.pairs.iter().enumerate() {
            for p in pairs {
                let i = position(p.worker).ok_or(Unsupported::TooLarge)?;
                options[i].push(Choice {
                    class: k,
                    steps: steps_of(p.numbers.load, g),
                    cases: p.numbers.cases,
                    new_cases: p.numbers.new_cases,
                    cost: p.numbers.cost,
                });
            }
        }
        let mut workers = Vec::with_capacity(part.workers.len());
        for (&w, options) in part.workers.iter().zip(options) {
            workers.push(team_worker(instance, w, options, &classes, g)?);
        }
        Ok(Team { classes, workers })
    }
}

/// Whether the policy's band costs never fall as load rises (and are ≥ 0): the band cost
/// of a load is then convex, which the master's bound and branching rely on.
fn convex_bands(instance: &Instance) -> bool {
    let bands = &instance.policy.bands;
    bands.iter().all(|b| b.cost >= 0.0 && b.cost.is_finite())
        && bands.windows(2).all(|p| p[0].cost <= p[1].cost)
}

/// Worker `w` with its options and its limits in steps of `g`; a limit that no choice
/// of its options can reach is dropped.
fn team_worker(
    instance: &Instance,
    w: usize,
    options: Vec<Choice>,
    classes: &[Class],
    g: f64,
) -> Result<TeamWorker, Unsupported> {
    let limits = Limits::of(instance, w);
    let most = |f: &dyn Fn(&Choice) -> u32| -> u64 {
        options
            .iter()
            .map(|o| u64::from(f(o)) * u64::from(classes[o.class].size()))
            .sum()
    };
    let all_steps = most(&|o| o.steps);
    let max_steps = match limits.load {
        Some(limit) => {
            (((limit + LOAD_TOLERANCE) / g + 1e-9).floor().max(0.0) as u64).min(all_steps)
        }
        None => all_steps,
    };
    let max_steps = u32::try_from(max_steps).map_err(|_| Unsupported::TooLarge)?;
    let all_cases = most(&|o| o.cases);
    let max_cases = limits.cases.filter(|&c| u64::from(c) < all_cases);
    let all_new = most(&|o| o.new_cases);
    let max_new = limits.new_cases.filter(|&n| u64::from(n) < all_new);
    let capacity = instance.capacity[w];
    let band = (0..=max_steps)
        .map(|s| instance.policy.band_cost(f64::from(s) * g, capacity))
        .collect();
    let worker = TeamWorker {
        index: w,
        options,
        max_steps,
        max_cases,
        max_new,
        band,
    };
    if worker.states() > MAX_STATES {
        return Err(Unsupported::TooLarge);
    }
    Ok(worker)
}

/// A whole allocation: each worker's counts, and its cost.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Incumbent {
    /// Counts of each worker's choices.
    pub(crate) counts: Vec<Vec<u32>>,
    /// Its cost.
    pub(crate) cost: f64,
}

/// The cost of whole counts, if they are an allocation (each worker within its limits,
/// no class over-allocated, every class that must be allocated fully).
pub(crate) fn cost_of(team: &Team, counts: &[Vec<u32>]) -> Option<f64> {
    let mut held = vec![0u32; team.classes.len()];
    let mut cost = 0.0;
    for (w, c) in team.workers.iter().zip(counts) {
        cost += w.cost_of(c)?;
        for (o, &t) in w.options.iter().zip(c) {
            held[o.class] += t;
        }
    }
    for (k, &h) in team.classes.iter().zip(&held) {
        let left = k.size().checked_sub(h)?;
        match k.unallocated {
            Some(u) => cost += u * f64::from(left),
            None if left > 0 => return None,
            None => {}
        }
    }
    Some(cost)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_is_the_coarsest_that_makes_every_load_whole() {
        assert_eq!(grid(&[1.0, 2.0]), Some(1.0));
        assert_eq!(grid(&[1.5, 0.75]), Some(0.25));
        assert_eq!(grid(&[1.25, 0.1]), Some(0.05));
        assert_eq!(grid(&[1.0 / 3.0]), None);
    }
}
