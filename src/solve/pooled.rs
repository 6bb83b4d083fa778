//! A lower bound for programs too large to solve whole: the LP relaxation of the program
//! with workers of the same relevant skills pooled into one.
//!
//! Workers are grouped by the tags cases require of them. A group `G` gets one column per
//! unit, `X[u,G]` (the share of `u` held in the group), at the least cost and weight of
//! `u` on any eligible worker of `G`, and one load row:
//!
//! ```text
//! Σ_u min_w weight(u,w) × X[u,G] ≤ Σ_k s[G,k],   0 ≤ s[G,k] ≤ Σ_{w∈G} width_k(w)
//! ```
//!
//! where segment `k` is the free load below the first band (k = 0) or band `k − 1`,
//! truncated at each worker's load limit, priced at the band's cost. Any allocation maps
//! to a solution of this LP costing no more (the group's cheapest band points are no
//! dearer than the points its workers fill, and a unit's least cost in the group is no
//! dearer than its cost on the worker that holds it), so the LP's optimum bounds the
//! objective from below. Case limits and `max_new` are summed over the group (workers
//! with and without them are grouped apart); `max_moves` and exclusions are relaxed.
//! Limits, weights and costs are those of `rules`.

use std::collections::BTreeMap;
use std::time::Duration;

use good_lp::{variable, Expression, ProblemVariables, SolverModel};

use crate::model::rules::{Limits, PairNumbers};
use crate::model::{Instance, Tag};

/// The pooled LP's optimum, a lower bound on every allocation's objective; `None` when
/// HiGHS does not prove it optimal within `time_limit`.
pub fn bound(instance: &Instance, time_limit: Duration) -> Option<f64> {
    let relevant: Vec<&Tag> = {
        let mut tags: Vec<&Tag> = instance.cases.iter().flat_map(|c| &c.requires).collect();
        tags.sort();
        tags.dedup();
        tags
    };
    // Group of each worker: the relevant tags it has, and which of the case and new-case
    // limits it has (so a limited worker's limit is not lost among unlimited ones).
    type Key<'t> = (Vec<&'t Tag>, bool, bool);
    let mut groups: BTreeMap<Key, usize> = BTreeMap::new();
    let limits: Vec<Limits> = (0..instance.workers.len())
        .map(|w| Limits::of(instance, w))
        .collect();
    let group: Vec<usize> = (0..instance.workers.len())
        .map(|w| {
            let worker = &instance.workers[w];
            let tags: Vec<&Tag> = relevant.iter().copied().filter(|t| worker.has(t)).collect();
            let key = (
                tags,
                limits[w].cases.is_some(),
                limits[w].new_cases.is_some(),
            );
            let next = groups.len();
            *groups.entry(key).or_insert(next)
        })
        .collect();
    // The groups' case and new-case limits (`None`: unlimited).
    let mut cases_limit: Vec<Option<f64>> = vec![Some(0.0); groups.len()];
    let mut new_limit: Vec<Option<f64>> = vec![Some(0.0); groups.len()];
    let policy = &instance.policy;
    let segments = policy.bands.len() + 1;
    // Width of each segment in each group; an unlimited worker makes the last unbounded.
    let mut width = vec![vec![0.0; segments]; groups.len()];
    // Workers on leave hold nothing after the run: they add no room.
    for w in (0..instance.workers.len()).filter(|&w| instance.workers[w].available) {
        let g = group[w];
        let count = limits[w].cases.map(f64::from);
        cases_limit[g] = cases_limit[g].zip(count).map(|(a, b)| a + b);
        let new = limits[w].new_cases.map(f64::from);
        new_limit[g] = new_limit[g].zip(new).map(|(a, b)| a + b);
        let cap = instance.capacity[w];
        let limit = limits[w].load.unwrap_or(f64::INFINITY);
        let mut from = 0.0_f64;
        for (k, room) in width[g].iter_mut().enumerate() {
            let to = match policy.bands.get(k) {
                Some(band) => band.from * cap,
                None => f64::INFINITY,
            };
            *room += (to.min(limit) - from.min(limit)).max(0.0);
            from = to;
        }
    }
    let cost = |k: usize| {
        if k == 0 {
            0.0
        } else {
            policy.bands[k - 1].cost
        }
    };

    let mut vars = ProblemVariables::new();
    let mut objective = Expression::default();
    let mut loads: Vec<Expression> = vec![Expression::default(); groups.len()];
    let mut counts: Vec<Expression> = vec![Expression::default(); groups.len()];
    let mut news: Vec<Expression> = vec![Expression::default(); groups.len()];
    let mut rows = Vec::with_capacity(instance.units.len() + groups.len());
    for (u, unit) in instance.units.iter().enumerate() {
        // Least cost and weight of the unit in each group it has an eligible worker in.
        // (cost, weight, new cases), each the least over the group's eligible workers.
        let mut best: BTreeMap<usize, (f64, f64, u32)> = BTreeMap::new();
        for &w in &unit.eligible {
            let numbers = PairNumbers::of(instance, u, w);
            let (c, a, n) = (numbers.cost, numbers.load, numbers.new_cases);
            let entry = best.entry(group[w]).or_insert((c, a, n));
            entry.0 = entry.0.min(c);
            entry.1 = entry.1.min(a);
            entry.2 = entry.2.min(n);
        }
        let mut decision = Expression::default();
        for (&g, &(c, a, n)) in &best {
            let x = vars.add(variable().min(0.0).max(1.0));
            objective += c * x;
            loads[g] += a * x;
            counts[g] += unit.cases.len() as f64 * x;
            news[g] += f64::from(n) * x;
            decision += x;
        }
        if !unit.must_allocate {
            let y = vars.add(variable().min(0.0).max(1.0));
            objective += instance.unallocated_cost(u) * y;
            decision += y;
        }
        rows.push(decision.eq(1.0));
    }
    for (g, load) in loads.into_iter().enumerate() {
        let mut filled = Expression::default();
        for (k, &room) in width[g].iter().enumerate() {
            let s = if room.is_finite() {
                vars.add(variable().min(0.0).max(room))
            } else {
                vars.add(variable().min(0.0))
            };
            objective += cost(k) * s;
            filled += s;
        }
        rows.push(load.leq(filled));
    }
    for (g, count) in counts.into_iter().enumerate() {
        if let Some(limit) = cases_limit[g] {
            rows.push(count.leq(limit));
        }
    }
    for (g, new) in news.into_iter().enumerate() {
        if let Some(limit) = new_limit[g] {
            rows.push(new.leq(limit));
        }
    }
    let mut problem = vars.minimise(objective).using(good_lp::highs);
    for row in rows {
        problem.add_constraint(row);
    }
    let mut model = problem.try_into_inner().ok()?;
    model.try_set_option("output_flag", false).ok()?;
    model
        .try_set_option("time_limit", time_limit.as_secs_f64())
        .ok()?;
    model.try_set_option("threads", 1).ok()?;
    let solved = model.try_solve().ok()?;
    (solved.status() == highs::HighsModelStatus::Optimal).then(|| solved.objective_value())
}
