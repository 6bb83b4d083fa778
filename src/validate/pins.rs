//! Rules on pins: a pinned case has a current worker, eligible for its whole sibling
//! group, and the pins of one group agree.

use super::rows::worker_index;
use super::Found;
use crate::codes;
use crate::model::rules;
use crate::model::{Case, Ineligible, Scenario, Worker, WorkerId};

/// The unit of each case: the indices of all cases sharing its group, or just itself
/// (the rule of siblings, [`rules::siblings`]).
pub(super) fn units(cases: &[Case]) -> Vec<Vec<usize>> {
    rules::siblings(cases)
}

pub(super) fn check_pins(scenario: &Scenario, found: &mut Found) {
    let cases = &scenario.cases;
    let workers = worker_index(&scenario.workers);
    let units = units(cases);
    for (i, c) in cases.iter().enumerate().filter(|(_, c)| c.pinned) {
        let Some(id) = &c.current_worker else {
            let message =
                "the case is pinned but has no current_worker: set current_worker or unpin it";
            found.case(i, c, codes::PIN_NO_WORKER, "pinned", message.to_string());
            continue;
        };
        if let Some(&w) = workers.get(id) {
            let worker = &scenario.workers[w];
            if let Some(message) = pin_ineligibility(worker, i, &units[i], scenario) {
                found.case(i, c, codes::PIN_INELIGIBLE, "pinned", message);
            }
        }
        if let Some(message) = pin_conflict(i, &units[i], cases) {
            found.case(i, c, codes::PIN_CONFLICT, "pinned", message);
        }
    }
}

/// Why `worker` cannot hold the whole unit that case `pinned` is pinned in, if it cannot.
fn pin_ineligibility(
    worker: &Worker,
    pinned: usize,
    unit: &[usize],
    scenario: &Scenario,
) -> Option<String> {
    let cases = &scenario.cases;
    let (m, why) = rules::unit_eligibility(worker, cases, unit, &scenario.policy).err()?;
    let w = &worker.id;
    let of = if m == pinned {
        "this case".to_string()
    } else {
        format!("case {} of the same group", cases[m].id)
    };
    let reason = ineligible_words(w, &why, &of);
    Some(format!(
        "pinned to {w}, who is not eligible: {reason}; unpin the case or change its current_worker"
    ))
}

/// Why worker `w` may not hold `of` ("this case", "case C2 of the same group"), in words.
pub(super) fn ineligible_words(w: &WorkerId, why: &Ineligible, of: &str) -> String {
    match why {
        Ineligible::Unavailable => format!("{w} is unavailable (available = false)"),
        Ineligible::Away(decided) => format!(
            "{w} is unavailable: decision {} ({}) by {}{}",
            decided.id,
            decided.kind,
            decided.by,
            noted(decided)
        ),
        Ineligible::LacksTag(tag) => format!("{w} lacks the tag `{tag}` required by {of}"),
        Ineligible::Excluded => format!("{w} is in the exclude list of {of}"),
        Ineligible::Never(decided) => format!(
            "{} decided on {} (decision {}) that {w} may never hold {of}{}",
            decided.by,
            decided.day(),
            decided.id,
            noted(decided)
        ),
        Ineligible::OtherTeam {
            case_team,
            worker_team,
        } => format!(
            "{w} is in team `{worker_team}` but {of} belongs to team `{case_team}` (cross_team = false)"
        ),
    }
}

/// `; note "why"` of a decision with a note, else nothing.
fn noted(decided: &crate::model::Decided) -> String {
    match decided.note.trim() {
        "" => String::new(),
        note => format!("; note \"{}\"", crate::text::one_line(note)),
    }
}

/// Whether the group's first pinned case (in row order) names another worker than case
/// `pinned` does.
fn pin_conflict(pinned: usize, unit: &[usize], cases: &[Case]) -> Option<String> {
    let mine = cases[pinned].current_worker.as_ref()?;
    let first = unit
        .iter()
        .copied()
        .find(|&m| cases[m].pinned && cases[m].current_worker.is_some())
        .filter(|&m| m != pinned)?;
    let theirs = cases[first]
        .current_worker
        .as_ref()
        .filter(|&w| w != mine)?;
    Some(format!(
        "pinned to {mine}, but case {} of the same group is pinned to {theirs}: a group stays \
         together, so pin its cases to one worker",
        cases[first].id
    ))
}
