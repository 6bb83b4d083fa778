//! Why a child's worker differs from the previous proposal (SPEC v3, "Stable proposals"):
//! a manager's decision holds it elsewhere, its worker there can no longer hold it (a
//! reject, leave, a lost skill), that worker has left, the worker took children who
//! changed too or new referrals (the chain a decision set off), or — none of those — the
//! previous place still fits but costs more under today's inputs.
//!
//! Like every reason, each is a true statement about the allocation and the instance,
//! read from the facts, never from what the solver did.

use std::fmt::{self, Display, Formatter};

use super::facts::no_longer_fits;
use super::NoLongerFits;
use crate::model::{Before, CaseId, Decided, Evaluation, Instance, Was, WorkerId};
use crate::text::one_line;

/// Why one child's worker differs from the previous proposal.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangedReason {
    /// Its worker in the previous proposal (`None`: unallocated, or a worker who left).
    pub from: Option<WorkerId>,
    /// Its worker now (`None`: unallocated).
    pub to: Option<WorkerId>,
    /// Why.
    pub why: Changed,
}

/// The cause of a change from the previous proposal.
#[derive(Clone, Debug, PartialEq)]
pub enum Changed {
    /// A manager's decision holds the child's unit where it is now.
    Held {
        /// The decision.
        decided: Decided,
        /// The sibling the decision is on, when it is not the child itself.
        sibling: Option<CaseId>,
    },
    /// Its worker in the previous proposal can no longer hold it.
    NoLongerFits(NoLongerFits),
    /// Its worker in the previous proposal is no longer in the scenario.
    Left(WorkerId),
    /// Its worker in the previous proposal now holds children who changed too, or new
    /// referrals: this child moved to make room for them.
    MadeRoom {
        /// The worker.
        worker: WorkerId,
        /// The children who arrived there, each with why in a few words (first few).
        arrivals: Vec<(CaseId, String)>,
        /// How many arrived in all.
        count: usize,
    },
    /// The previous place still fits and nobody changed into it: under today's inputs
    /// the allocation costs less this way.
    Cheaper,
}

/// Arrivals named in a [`Changed::MadeRoom`] reason; the rest are counted.
const ARRIVALS_SHOWN: usize = 3;

/// Why each case's worker differs from the previous proposal `was`, by case index:
/// `None` for a case that did not change (or was not in it).
pub fn why_changed(
    instance: &Instance,
    eval: &Evaluation,
    was: &Was,
) -> Vec<Option<ChangedReason>> {
    let changed = |c: usize| was.of_case[c].changes_to(eval.worker[c]);
    (0..instance.cases.len())
        .map(|c| {
            if !changed(c) {
                return None;
            }
            let id = |w: usize| instance.workers[w].id.clone();
            let (from, why) = match was.of_case[c] {
                Before::Gone => {
                    let gone = gone_worker(instance, c);
                    (Some(gone.clone()), Changed::Left(gone))
                }
                Before::Worker(p) => (Some(id(p)), cause(instance, eval, was, c, Some(p))),
                Before::Unallocated | Before::New => (None, cause(instance, eval, was, c, None)),
            };
            Some(ChangedReason {
                from,
                to: eval.worker[c].map(id),
                why,
            })
        })
        .collect()
}

/// The worker of a case who left: its `current_worker` if that is gone, else unnamed.
fn gone_worker(instance: &Instance, c: usize) -> WorkerId {
    instance.cases[c]
        .current_worker
        .clone()
        .unwrap_or_else(|| WorkerId::from("a worker who left"))
}

/// Why case `c` is not where it was (`p`, or unallocated).
fn cause(instance: &Instance, eval: &Evaluation, was: &Was, c: usize, p: Option<usize>) -> Changed {
    if let Some(held) = held(instance, eval, c) {
        return held;
    }
    let Some(p) = p else {
        return Changed::Cheaper;
    };
    let unit = &instance.units[instance.unit_of[c]];
    if !unit.eligible.contains(&p) {
        return Changed::NoLongerFits(no_longer_fits(instance, c, p));
    }
    let arrivals: Vec<usize> = (0..instance.cases.len())
        .filter(|&k| eval.worker[k] == Some(p) && was.of_case[k] != Before::Worker(p))
        .collect();
    if arrivals.is_empty() {
        return Changed::Cheaper;
    }
    let shown = arrivals
        .iter()
        .take(ARRIVALS_SHOWN)
        .map(|&k| {
            (
                instance.cases[k].id.clone(),
                arrival(instance, eval, was, k),
            )
        })
        .collect();
    Changed::MadeRoom {
        worker: instance.workers[p].id.clone(),
        arrivals: shown,
        count: arrivals.len(),
    }
}

/// A decision holding case `c`'s unit where it now is.
fn held(instance: &Instance, eval: &Evaluation, c: usize) -> Option<Changed> {
    let unit = &instance.units[instance.unit_of[c]];
    let on = unit.decided?;
    let hold = instance.cases[on].hold.as_ref()?;
    (eval.worker[c] == unit.pinned_to).then(|| Changed::Held {
        decided: hold.decided.clone(),
        sibling: (on != c).then(|| instance.cases[on].id.clone()),
    })
}

/// Why child `k` arrived at a worker, in a few words: a new referral, a decision, or
/// its own previous worker no longer fitting.
fn arrival(instance: &Instance, eval: &Evaluation, was: &Was, k: usize) -> String {
    match was.of_case[k] {
        Before::New => "a new referral".into(),
        Before::Gone => "its worker left".into(),
        Before::Unallocated => match held(instance, eval, k) {
            Some(Changed::Held { decided, .. }) => format!("decision {}", decided.id),
            _ => "unallocated before".into(),
        },
        Before::Worker(q) => match held(instance, eval, k) {
            Some(Changed::Held { decided, .. }) => format!("decision {}", decided.id),
            _ if !instance.units[instance.unit_of[k]].eligible.contains(&q) => {
                let misfit = no_longer_fits(instance, k, q);
                format!("{}: {}", misfit.worker, misfit.why)
            }
            _ => format!("moved from {}", instance.workers[q].id),
        },
    }
}

impl Display for ChangedReason {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.from {
            Some(w) => write!(f, "differs from the previous proposal ({w}): ")?,
            None => f.write_str("differs from the previous proposal (unallocated): ")?,
        }
        match &self.why {
            Changed::Held { decided, sibling } => {
                let on = match sibling {
                    Some(s) => format!(" on sibling {s}"),
                    None => String::new(),
                };
                let to = self.to.as_ref().map_or("unallocated".to_string(), |w| w.to_string());
                write!(
                    f,
                    "held with {to} by {}'s decision {} ({}){on}",
                    decided.by, decided.id, decided.kind
                )
            }
            Changed::NoLongerFits(misfit) => write!(f, "{misfit}"),
            Changed::Left(w) => write!(f, "{w} is no longer in the workers"),
            Changed::MadeRoom {
                worker,
                arrivals,
                count,
            } => {
                let named: Vec<String> = arrivals
                    .iter()
                    .map(|(k, why)| format!("{k} ({})", one_line(why)))
                    .collect();
                let more = match count.saturating_sub(arrivals.len()) {
                    0 => String::new(),
                    n => format!(" and {n} more"),
                };
                write!(
                    f,
                    "moved to make room: {worker} now takes {}{more}",
                    named.join(", ")
                )
            }
            Changed::Cheaper => f.write_str(
                "its place there still fits, but under today's inputs the proposal costs less this way",
            ),
        }
    }
}
