//! The allocation before the run: who holds each family now.
//!
//! Like a team manager, families are allocated hardest first (court work, then child
//! protection, then the rest; heavier families first), each to the worker of its team
//! who can hold every child and has most room left below their target load, a speaker of
//! the family's language counting as having a little more room. Every family thus goes
//! to an eligible worker of its own team, and every worker ends close to their target.

use super::families::Family;
use super::params::{LANGUAGE_MATCH_BONUS, SPLIT_GROUP_SHARE};
use super::rng::SeededRng;
use super::workforce::Staff;

/// Sets the current worker of every child of the families that are not new referrals.
pub(super) fn allocate(staff: &[Staff], families: &mut [Family]) {
    let mut load = vec![0.0; staff.len()];
    let mut order: Vec<usize> = (0..families.len()).collect();
    // Stable sort: equal families keep their (random) drawing order.
    order.sort_by(|&a, &b| {
        let (fa, fb) = (&families[a], &families[b]);
        fb.scarcity()
            .cmp(&fa.scarcity())
            .then(fb.weight().total_cmp(&fa.weight()))
    });
    for f in order {
        let family = &mut families[f];
        if family.referral {
            continue;
        }
        if let Some(w) = best_worker(staff, &load, family) {
            for child in &mut family.children {
                child.current = Some(w);
            }
            load[w] += family.weight();
        }
    }
}

/// The worker of the family's team who can hold every child and has most room below
/// their target (ties to the lower id); `None` if nobody in the team can.
fn best_worker(staff: &[Staff], load: &[f64], family: &Family) -> Option<usize> {
    let requires = family.requires();
    let mut best: Option<(usize, f64)> = None;
    for (w, s) in staff.iter().enumerate() {
        if s.team != family.team || !s.has_all(requires.iter().copied()) {
            continue;
        }
        let speaks = family.language.is_some_and(|l| s.skills.contains(l));
        let room = s.target_load() - load[w] + if speaks { LANGUAGE_MATCH_BONUS } else { 0.0 };
        if best.is_none_or(|(_, r)| room > r) {
            best = Some((w, room));
        }
    }
    best.map(|(w, _)| w)
}

/// Splits a few sibling groups, as past reallocations do: the youngest child goes to
/// another worker of the team who can hold that child. The run may reunite them.
pub(super) fn split_some_groups(rng: &mut SeededRng, staff: &[Staff], families: &mut [Family]) {
    for family in families.iter_mut() {
        if family.referral || !family.is_group() || !rng.chance(SPLIT_GROUP_SHARE) {
            continue;
        }
        let Some(youngest) = family.children.last_mut() else {
            continue;
        };
        let holder = youngest.current;
        let others: Vec<usize> = (0..staff.len())
            .filter(|&w| {
                Some(w) != holder
                    && staff[w].team == family.team
                    && staff[w].has_all(youngest.kind.requires().iter().copied())
            })
            .collect();
        if let Some(&w) = rng.pick(&others) {
            youngest.current = Some(w);
        }
    }
}
