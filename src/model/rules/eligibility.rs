//! Eligibility: who may hold a case at all (docs/model.md, "Eligibility"), conflicts of
//! interest included.

use crate::model::decision::Decided;
use crate::model::entities::{Case, Worker};
use crate::model::ids::Tag;
use crate::model::policy::Policy;

/// Why a worker is not eligible for a case; the first reason found, in this order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ineligible {
    /// The worker is on leave or leaving.
    Unavailable,
    /// A manager decided the worker is leaving or on leave.
    Away(Decided),
    /// The worker lacks a required tag.
    LacksTag(Tag),
    /// The worker is in the case's `exclude` list (conflict of interest).
    Excluded,
    /// A manager decided the worker may never hold the case.
    Never(Decided),
    /// The case has a team and the worker is in another (and `cross_team` is off).
    OtherTeam {
        /// The case's team.
        case_team: String,
        /// The worker's team.
        worker_team: String,
    },
}

/// Whether `worker` may hold `case` under `policy` (docs/model.md, "Eligibility"), and if
/// not why: available, every required tag, no [`conflict`], and the case's team unless
/// `cross_team`.
pub fn eligibility(worker: &Worker, case: &Case, policy: &Policy) -> Result<(), Ineligible> {
    if !worker.available {
        return Err(match &worker.away {
            Some(decided) => Ineligible::Away(decided.clone()),
            None => Ineligible::Unavailable,
        });
    }
    if let Some(tag) = case.requires.iter().find(|t| !worker.has(t)) {
        return Err(Ineligible::LacksTag(tag.clone()));
    }
    if let Some(why) = conflict(worker, case) {
        return Err(why);
    }
    if !policy.cross_team && !case.team.is_empty() && case.team != worker.team {
        return Err(Ineligible::OtherTeam {
            case_team: case.team.clone(),
            worker_team: worker.team.clone(),
        });
    }
    Ok(())
}

/// A conflict keeping `worker` from `case` whatever its skills and team: the case's
/// `exclude` list ([`Ineligible::Excluded`]) or a manager's `never`
/// ([`Ineligible::Never`]).
pub fn conflict(worker: &Worker, case: &Case) -> Option<Ineligible> {
    if case.exclude.contains(&worker.id) {
        return Some(Ineligible::Excluded);
    }
    case.never
        .get(&worker.id)
        .map(|decided| Ineligible::Never(decided.clone()))
}

/// Whether `worker` may hold every case of a unit (`members`, indices into `cases`): the
/// first case it may not hold, with why.
pub fn unit_eligibility(
    worker: &Worker,
    cases: &[Case],
    members: &[usize],
    policy: &Policy,
) -> Result<(), (usize, Ineligible)> {
    members
        .iter()
        .try_for_each(|&c| eligibility(worker, &cases[c], policy).map_err(|why| (c, why)))
}
