//! Gathering the facts behind each reason from an instance and an evaluation.

use super::{
    Arrival, AtLimit, Basis, Choice, Closest, Gain, Kept, Limit, LoadAt, LoadShift, Misfit,
    NoLongerFits, Reason, Unplaced,
};
use crate::model::rules::{Limits, Over, PairNumbers};
use crate::model::{eligibility, utilisation, Change, Evaluation, Ineligible, Instance, Tag};

/// Loads are sums of decimal weights: compare with this tolerance.
const EPS: f64 = 1e-9;

/// The reason for case `c`'s outcome in `eval`.
pub fn explain_case(instance: &Instance, eval: &Evaluation, c: usize) -> Reason {
    let prev = instance.current[c];
    let now = eval.worker[c];
    if let Some(reason) = decided(instance, eval, c) {
        return reason;
    }
    match (eval.change[c], prev, now) {
        (Change::Kept, _, _) => Reason::Kept(kept(instance, c)),
        (Change::Forced, Some(p), Some(n)) => Reason::Forced {
            from: no_longer_fits(instance, c, p),
            choice: choice(instance, eval, c, n),
        },
        (Change::Moved, Some(p), Some(n)) => Reason::Moved {
            from: instance.workers[p].id.clone(),
            gain: gain(instance, eval, c, p),
            choice: choice(instance, eval, c, n),
        },
        (Change::New, _, Some(n)) => Reason::New {
            choice: choice(instance, eval, c, n),
        },
        _ => Reason::Unallocated {
            previous: prev
                .filter(|_| !instance.still_fits(c))
                .map(|p| no_longer_fits(instance, c, p)),
            why: unplaced(instance, eval, c),
        },
    }
}

/// The reason for a case whose unit a manager's decision fixes, when it is where the
/// decision holds it.
fn decided(instance: &Instance, eval: &Evaluation, c: usize) -> Option<Reason> {
    let unit = &instance.units[instance.unit_of[c]];
    let on = unit.decided?;
    let hold = instance.cases[on].hold.as_ref()?;
    let now = eval.worker[c];
    if now != unit.pinned_to {
        return None;
    }
    Some(Reason::Decided {
        decided: hold.decided.clone(),
        sibling: (on != c).then(|| instance.cases[on].id.clone()),
        change: eval.change[c],
        to: now.map(|w| shift(instance, eval, w)),
    })
}

fn kept(instance: &Instance, c: usize) -> Kept {
    if instance.cases[c].pinned {
        Kept::Pinned
    } else if instance.units[instance.unit_of[c]].pinned_to.is_some() {
        Kept::WithPinnedSibling
    } else {
        Kept::Continuity
    }
}

fn misfit(why: Ineligible) -> Misfit {
    match why {
        Ineligible::Unavailable => Misfit::Unavailable,
        Ineligible::Away(decided) => Misfit::Away(decided),
        Ineligible::LacksTag(tag) => Misfit::LacksTag(tag),
        Ineligible::Excluded => Misfit::Excluded,
        Ineligible::Never(decided) => Misfit::Never(decided),
        Ineligible::OtherTeam {
            case_team,
            worker_team,
        } => Misfit::OtherTeam {
            case_team,
            worker_team,
        },
    }
}

/// Why worker `p` cannot hold case `c`'s whole unit: the first misfit over the unit,
/// the case itself first, else a sibling pinned elsewhere.
pub(super) fn no_longer_fits(instance: &Instance, c: usize, p: usize) -> NoLongerFits {
    let unit = &instance.units[instance.unit_of[c]];
    let worker = &instance.workers[p];
    let order = std::iter::once(c).chain(unit.cases.iter().copied().filter(|&k| k != c));
    for k in order {
        if let Err(why) = eligibility(worker, &instance.cases[k], &instance.policy) {
            return NoLongerFits {
                worker: worker.id.clone(),
                why: misfit(why),
                sibling: (k != c).then(|| instance.cases[k].id.clone()),
            };
        }
    }
    let pinned = unit.pinned_to.filter(|&q| q != p).unwrap_or(p);
    NoLongerFits {
        worker: worker.id.clone(),
        why: Misfit::SiblingPinnedTo(instance.workers[pinned].id.clone()),
        sibling: None,
    }
}

/// What is true of worker `n`, who got case `c`'s unit.
fn choice(instance: &Instance, eval: &Evaluation, c: usize, n: usize) -> Choice {
    let unit = &instance.units[instance.unit_of[c]];
    let room = |w: usize| instance.capacity[w] - instance.load_before[w];
    let util_after = |w: usize| utilisation(eval.loads[w].load_after, instance.capacity[w]);
    let others: Vec<usize> = unit.eligible.iter().copied().filter(|&w| w != n).collect();
    let basis = if others.is_empty() {
        Basis::OnlyEligible
    } else if others.iter().all(|&w| room(w) <= room(n) + EPS) {
        Basis::MostRoom {
            tied: others.iter().any(|&w| room(w) >= room(n) - EPS),
        }
    } else if others.iter().all(|&w| util_after(w) >= util_after(n) - EPS) {
        Basis::LeastLoadedAfter
    } else {
        Basis::OneOf
    };
    let worker = &instance.workers[n];
    let (preferred_held, preferred_lacking): (Vec<Tag>, Vec<Tag>) = instance.cases[c]
        .prefers
        .iter()
        .cloned()
        .partition(|t| worker.has(t));
    Choice {
        basis,
        eligible: unit.eligible.len(),
        to: shift(instance, eval, n),
        preferred_held,
        preferred_lacking,
        siblings: unit.cases.len(),
    }
}

fn shift(instance: &Instance, eval: &Evaluation, w: usize) -> LoadShift {
    LoadShift {
        worker: instance.workers[w].id.clone(),
        before: eval.loads[w].load_before,
        after: eval.loads[w].load_after,
        capacity: instance.capacity[w],
    }
}

fn load_at(instance: &Instance, w: usize, load: f64) -> LoadAt {
    LoadAt {
        worker: instance.workers[w].id.clone(),
        load,
        capacity: instance.capacity[w],
    }
}

/// What moving case `c` away from `p` (who still fits) achieved.
fn gain(instance: &Instance, eval: &Evaluation, c: usize, p: usize) -> Gain {
    let unit = &instance.units[instance.unit_of[c]];
    let split = unit
        .cases
        .iter()
        .any(|&k| instance.current[k].is_some_and(|w| w != p));
    let from = &eval.loads[p];
    if split {
        Gain::SiblingsTogether {
            siblings: unit.cases.len(),
        }
    } else if from.load_after < from.load_before - EPS {
        Gain::Relieved(shift(instance, eval, p))
    } else {
        Gain::MadeRoom {
            at: instance.workers[p].id.clone(),
            arrivals: arrivals(instance, eval, p),
        }
    }
}

/// The cases worker `w` received, most urgent first, then by id.
fn arrivals(instance: &Instance, eval: &Evaluation, w: usize) -> Vec<Arrival> {
    let mut received: Vec<Arrival> = (0..instance.cases.len())
        .filter(|&k| eval.worker[k] == Some(w) && instance.current[k] != Some(w))
        .map(|k| Arrival {
            case: instance.cases[k].id.clone(),
            change: eval.change[k],
            priority: instance.cases[k].priority,
        })
        .collect();
    received.sort_by(|a, b| b.priority.cmp(&a.priority).then(a.case.cmp(&b.case)));
    received
}

/// The limits worker `w` would break by taking unit `u` on top of its load after the run
/// (read with the rules, [`Limits`]).
fn limits(instance: &Instance, eval: &Evaluation, u: usize, w: usize) -> Vec<Limit> {
    let l = &eval.loads[w];
    let p = PairNumbers::of(instance, u, w);
    Limits::of(instance, w)
        .over(
            l.load_after + p.load,
            l.cases_after + p.cases,
            l.received + p.new_cases,
        )
        .into_iter()
        .map(|over| match over {
            Over::Load { limit, .. } => Limit::Capacity { limit },
            Over::Cases { limit, .. } => Limit::MaxCases {
                held: l.cases_after,
                max: limit,
            },
            Over::NewCases { limit, .. } => Limit::MaxNew {
                received: l.received,
                max: limit,
            },
        })
        .collect()
}

/// Why case `c`'s unit is unallocated.
fn unplaced(instance: &Instance, eval: &Evaluation, c: usize) -> Unplaced {
    let u = instance.unit_of[c];
    let unit = &instance.units[u];
    if !instance.workers.iter().any(|w| w.available) {
        return Unplaced::NoWorkerAvailable;
    }
    if unit.eligible.is_empty() {
        return nobody_qualified(instance, c);
    }
    let needs = unit.weight;
    let mut blocked: Vec<(usize, AtLimit)> = unit
        .eligible
        .iter()
        .map(|&w| {
            let at = AtLimit {
                load: load_at(instance, w, eval.loads[w].load_after),
                limits: limits(instance, eval, u, w),
            };
            (w, at)
        })
        .collect();
    let free: Vec<LoadAt> = blocked
        .iter()
        .filter(|(_, at)| at.limits.is_empty())
        .map(|(w, _)| {
            let after = eval.loads[*w].load_after + instance.unit_weight_on(u, *w);
            load_at(instance, *w, after)
        })
        .collect();
    if !free.is_empty() {
        return Unplaced::Cheaper {
            needs,
            could_take: free,
        };
    }
    // Most room first, then id: the workers closest to taking it lead the list.
    blocked.sort_by(|(a, _), (b, _)| {
        let room = |w: usize| instance.capacity[w] - eval.loads[w].load_after;
        room(*b).total_cmp(&room(*a)).then(a.cmp(b))
    });
    let (held_back, full): (Vec<AtLimit>, Vec<AtLimit>) = blocked
        .into_iter()
        .map(|(_, at)| at)
        .partition(|at| at.limits.iter().all(|l| matches!(l, Limit::MaxNew { .. })));
    if !held_back.is_empty() {
        return Unplaced::HeldBackByMaxNew {
            needs,
            cases: unit.cases.len(),
            held_back,
            full,
        };
    }
    let max_moves = instance.policy.max_moves;
    Unplaced::EveryoneFull {
        needs,
        cases: unit.cases.len(),
        full,
        moves_exhausted: (u64::from(eval.moves) >= max_moves).then_some(max_moves),
    }
}

/// Nobody available is eligible for case `c`'s unit: what it needs, and who comes
/// closest (the available workers missing the fewest things).
pub(crate) fn nobody_qualified(instance: &Instance, c: usize) -> Unplaced {
    let unit = &instance.units[instance.unit_of[c]];
    let mut requires: Vec<Tag> = unit
        .cases
        .iter()
        .flat_map(|&k| instance.cases[k].requires.iter().cloned())
        .collect();
    requires.sort();
    requires.dedup();
    let team = unit
        .cases
        .iter()
        .map(|&k| &instance.cases[k].team)
        .find(|t| !t.is_empty())
        .filter(|_| !instance.policy.cross_team)
        .cloned();
    let candidates: Vec<Closest> = instance
        .workers
        .iter()
        .filter(|w| w.available)
        .map(|w| {
            let mut missing: Vec<Misfit> = Vec::new();
            for &k in &unit.cases {
                let case = &instance.cases[k];
                for tag in case.requires.iter().filter(|t| !w.has(t)) {
                    missing.push(Misfit::LacksTag(tag.clone()));
                }
                if case.exclude.contains(&w.id) {
                    missing.push(Misfit::Excluded);
                }
                if let Some(decided) = case.never.get(&w.id) {
                    missing.push(Misfit::Never(decided.clone()));
                }
                if !instance.policy.cross_team && !case.team.is_empty() && case.team != w.team {
                    missing.push(Misfit::OtherTeam {
                        case_team: case.team.clone(),
                        worker_team: w.team.clone(),
                    });
                }
            }
            dedup_in_order(&mut missing);
            Closest {
                worker: w.id.clone(),
                missing,
            }
        })
        .collect();
    let fewest = candidates
        .iter()
        .map(|c| c.missing.len())
        .min()
        .unwrap_or(0);
    Unplaced::NobodyQualified {
        requires,
        team,
        closest: candidates
            .into_iter()
            .filter(|c| c.missing.len() == fewest)
            .collect(),
    }
}

fn dedup_in_order(items: &mut Vec<Misfit>) {
    let mut seen: Vec<Misfit> = Vec::with_capacity(items.len());
    items.retain(|m| {
        if seen.contains(m) {
            false
        } else {
            seen.push(m.clone());
            true
        }
    });
}
