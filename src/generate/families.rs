//! Families on a caseload (one child or a sibling group), drawn by type of work.

use std::collections::BTreeSet;

use super::kind::{CaseKind, CHILD_PROTECTION, COURT};
use super::params::*;
use super::rng::SeededRng;

/// One child while the scenario is being generated.
#[derive(Clone, Debug)]
pub(super) struct Child {
    /// Type of work.
    pub kind: CaseKind,
    /// 1..=5.
    pub priority: u8,
    /// Has a disability: better with a worker with disability expertise.
    pub disability: bool,
    /// Index of the current worker (into the staff list).
    pub current: Option<usize>,
    /// Must stay with the current worker.
    pub pinned: bool,
}

impl Child {
    /// Workload points.
    pub(super) fn weight(&self) -> f64 {
        self.kind.weight()
    }
}

/// A family on a team's caseload: one child, or siblings who move together.
#[derive(Clone, Debug)]
pub(super) struct Family {
    /// Team index.
    pub team: usize,
    /// The children, eldest first.
    pub children: Vec<Child>,
    /// Language the family needs the worker to speak, if any.
    pub language: Option<&'static str>,
    /// A new referral: nobody holds it yet.
    pub referral: bool,
    /// A worker with a conflict of interest (staff index).
    pub exclude: Option<usize>,
}

impl Family {
    /// Workload points of the whole family.
    pub(super) fn weight(&self) -> f64 {
        self.children.iter().map(Child::weight).sum()
    }

    /// The skill tags a worker needs to hold every child: the union of theirs.
    pub(super) fn requires(&self) -> BTreeSet<&'static str> {
        self.children
            .iter()
            .flat_map(|c| c.kind.requires().iter().copied())
            .collect()
    }

    /// How hard the family is to place: the scarcest kind among the children.
    pub(super) fn scarcity(&self) -> u8 {
        self.children
            .iter()
            .map(|c| c.kind.scarcity())
            .max()
            .unwrap_or(0)
    }

    /// Whether the family is a sibling group (two children or more).
    pub(super) fn is_group(&self) -> bool {
        self.children.len() > 1
    }
}

/// The points of skilled work a team's caseload may hold, so that the workers with those
/// skills are not swamped before the run even starts.
#[derive(Clone, Copy, Debug)]
pub(super) struct SkillBudget {
    /// Points of work requiring `court`.
    pub court: f64,
    /// Points of work requiring `child-protection` (court work included).
    pub child_protection: f64,
}

impl SkillBudget {
    /// Whether the family still fits in the budget, given what the team already holds.
    fn admits(&self, family: &Family, held: &SkillBudget) -> bool {
        let requires = family.requires();
        let weight = family.weight();
        (!requires.contains(COURT) || held.court + weight <= self.court)
            && (!requires.contains(CHILD_PROTECTION)
                || held.child_protection + weight <= self.child_protection)
    }

    /// Counts the family's skilled work.
    fn add(&mut self, family: &Family) {
        let requires = family.requires();
        if requires.contains(COURT) {
            self.court += family.weight();
        }
        if requires.contains(CHILD_PROTECTION) {
            self.child_protection += family.weight();
        }
    }
}

/// The families a team holds before the run, drawn until their load reaches
/// `target_load` points. A family whose skilled work would exceed `budget` is drawn
/// again (after a few tries, a lone child in need takes its place).
pub(super) fn caseload_families(
    rng: &mut SeededRng,
    team: usize,
    target_load: f64,
    budget: &SkillBudget,
    languages: &[&'static str],
) -> Vec<Family> {
    let mut families = Vec::new();
    let mut load = 0.0;
    let mut held = SkillBudget {
        court: 0.0,
        child_protection: 0.0,
    };
    while load < target_load {
        let mut drawn = None;
        for _ in 0..BUDGET_DRAWS {
            let kind = rng.weighted(&CASELOAD_MIX);
            let family = family(rng, team, kind, false, languages);
            if budget.admits(&family, &held) {
                drawn = Some(family);
                break;
            }
        }
        let family = drawn.unwrap_or_else(|| Family {
            team,
            children: vec![child(rng, CaseKind::ChildInNeed, false)],
            language: None,
            referral: false,
            exclude: None,
        });
        held.add(&family);
        load += family.weight();
        families.push(family);
    }
    families
}

/// A team's new referrals, drawn until they hold at least `children` children.
pub(super) fn referral_families(
    rng: &mut SeededRng,
    team: usize,
    children: usize,
    languages: &[&'static str],
) -> Vec<Family> {
    let mut families = Vec::new();
    let mut count = 0;
    while count < children {
        let kind = rng.weighted(&REFERRAL_MIX);
        let family = family(rng, team, kind, true, languages);
        count += family.children.len();
        families.push(family);
    }
    families
}

/// One family of the given kind: a sibling group about a quarter of the time (never for
/// care leavers), siblings mostly of the same kind, and sometimes a language need chosen
/// among `languages` (those the team's workers speak).
fn family(
    rng: &mut SeededRng,
    team: usize,
    kind: CaseKind,
    referral: bool,
    languages: &[&'static str],
) -> Family {
    let size = if kind != CaseKind::CareLeaver && rng.chance(SIBLING_GROUP_SHARE) {
        rng.weighted(&SIBLING_GROUP_SIZES)
    } else {
        1
    };
    let children = (0..size)
        .map(|i| {
            let kind = if i == 0 || rng.chance(SIBLING_SAME_KIND) {
                kind
            } else {
                kind.sibling_variant()
            };
            child(rng, kind, referral)
        })
        .collect();
    let language = if rng.chance(LANGUAGE_NEED_SHARE) {
        rng.pick(languages).copied()
    } else {
        None
    };
    Family {
        team,
        children,
        language,
        referral,
        exclude: None,
    }
}

/// One child: the usual priority of its kind, sometimes one more or less; new referrals
/// are often urgent (raised to 4 or 5).
fn child(rng: &mut SeededRng, kind: CaseKind, referral: bool) -> Child {
    let mut priority = kind.usual_priority();
    if rng.chance(PRIORITY_VARIATION) {
        priority = if rng.chance(0.5) {
            priority.saturating_add(1)
        } else {
            priority.saturating_sub(1)
        };
    }
    if referral && rng.chance(URGENT_REFERRAL_SHARE) {
        let urgent = if rng.chance(MOST_URGENT_SHARE) { 5 } else { 4 };
        priority = priority.max(urgent);
    }
    Child {
        kind,
        priority: priority.clamp(1, 5),
        disability: rng.chance(DISABILITY_NEED_SHARE),
        current: None,
        pinned: false,
    }
}
