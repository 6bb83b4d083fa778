//! What the run has to deal with beyond new referrals: escalations, staff leaving,
//! conflicts of interest, and pins.
//!
//! Each keeps the scenario valid input (docs/model.md, "Invalid input"): an excluded worker is never
//! the family's current worker, and a family is pinned only to an available worker who
//! may hold every child of it.

use super::families::Family;
use super::kind::CaseKind;
use super::params::*;
use super::rng::SeededRng;
use super::workforce::Staff;

/// Some newly qualified workers hold a child in need case that has just become a child
/// protection plan, which they may not hold: the case must move (a forced move).
pub(super) fn escalate(rng: &mut SeededRng, staff: &[Staff], families: &mut [Family]) {
    for (w, s) in staff.iter().enumerate() {
        if !s.newly_qualified || !rng.chance(ESCALATION_CHANCE) {
            continue;
        }
        // A lone child (escalating a sibling would change a whole group's needs).
        let candidates: Vec<usize> = (0..families.len())
            .filter(|&f| {
                let family = &families[f];
                !family.is_group()
                    && family
                        .children
                        .iter()
                        .all(|c| c.current == Some(w) && c.kind == CaseKind::ChildInNeed)
            })
            .collect();
        if let Some(&f) = rng.pick(&candidates) {
            for child in &mut families[f].children {
                child.kind = CaseKind::ChildProtection;
                child.priority = child
                    .priority
                    .max(CaseKind::ChildProtection.usual_priority());
            }
        }
    }
}

/// Makes about 5 % of workers (at least one) unavailable: experienced workers who are not
/// the deliberately overloaded ones. They keep their cases, which must all move.
pub(super) fn staff_leave(rng: &mut SeededRng, staff: &mut [Staff]) {
    if staff.is_empty() {
        return;
    }
    let wanted = ((UNAVAILABLE_SHARE * staff.len() as f64).round() as usize).max(1);
    let mut candidates: Vec<usize> = (0..staff.len())
        .filter(|&w| !staff[w].newly_qualified && !staff[w].overloaded)
        .collect();
    rng.shuffle(&mut candidates);
    for &w in candidates.iter().take(wanted) {
        staff[w].available = false;
    }
}

/// Gives about 1 % of families (at least one) a conflict of interest with a worker who
/// could otherwise be given them: available, of their team, with the skills they need,
/// and holding none of their children.
pub(super) fn conflicts_of_interest(rng: &mut SeededRng, staff: &[Staff], families: &mut [Family]) {
    if families.is_empty() {
        return;
    }
    let wanted = ((CONFLICT_SHARE * families.len() as f64).round() as usize).max(1);
    let mut order: Vec<usize> = (0..families.len()).collect();
    rng.shuffle(&mut order);
    let mut given = 0;
    for f in order {
        if given == wanted {
            break;
        }
        let family = &families[f];
        let requires = family.requires();
        let candidates: Vec<usize> = (0..staff.len())
            .filter(|&w| {
                staff[w].team == family.team
                    && staff[w].available
                    && staff[w].has_all(requires.iter().copied())
                    && family.children.iter().all(|c| c.current != Some(w))
            })
            .collect();
        if let Some(&w) = rng.pick(&candidates) {
            families[f].exclude = Some(w);
            given += 1;
        }
    }
}

/// Pins about 2 % of allocated families (at least one, when any can be) to their worker,
/// as for a final court hearing or an adoption placement. Only families held whole by an
/// available worker who may hold every child are pinned, so the input stays valid.
pub(super) fn pin(rng: &mut SeededRng, staff: &[Staff], families: &mut [Family]) {
    let mut candidates: Vec<usize> = (0..families.len())
        .filter(|&f| pinnable(staff, &families[f]))
        .collect();
    let allocated = families.iter().filter(|f| !f.referral).count();
    let wanted = ((PIN_SHARE * allocated as f64).round() as usize).max(1);
    rng.shuffle(&mut candidates);
    for &f in candidates.iter().take(wanted) {
        for child in &mut families[f].children {
            child.pinned = true;
        }
    }
}

/// Whether every child of the family is held by one available worker who may hold them
/// all (has every required skill, is not excluded; the team matches by construction).
fn pinnable(staff: &[Staff], family: &Family) -> bool {
    let Some(w) = family.children.first().and_then(|c| c.current) else {
        return false;
    };
    let s = &staff[w];
    family.children.iter().all(|c| c.current == Some(w))
        && s.available
        && s.team == family.team
        && family.exclude != Some(w)
        && s.has_all(family.requires())
}
