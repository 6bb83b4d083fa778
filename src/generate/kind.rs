//! The vocabulary of the generator: the types of children's social care work and the
//! skill tags they need. The bottom of `generate`: [`super::params`] weighs these kinds,
//! the families are drawn from them.

use std::collections::BTreeSet;

use crate::model::{Case, Tag};

/// Skill tag: may hold child protection work.
pub(super) const CHILD_PROTECTION: &str = "child-protection";
/// Skill tag: may hold care proceedings.
pub(super) const COURT: &str = "court";
/// Skill tag: disabled children's expertise.
pub(super) const DISABILITY: &str = "disability";

/// The type of work a generated case is, which sets its weight, usual priority and the
/// skills it requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CaseKind {
    /// Child in need (CIN): weight 1.0, priority 3.
    ChildInNeed,
    /// Child protection plan (CP): weight 1.5, priority 4, requires `child-protection`.
    ChildProtection,
    /// Looked-after child (LAC): weight 1.25, priority 3.
    LookedAfter,
    /// Care proceedings: weight 2.0, priority 5, requires `court` and `child-protection`.
    CourtProceedings,
    /// Care leaver (18–25): weight 0.75, priority 2.
    CareLeaver,
}

impl CaseKind {
    /// Every kind, in report order.
    pub const ALL: [CaseKind; 5] = [
        CaseKind::ChildInNeed,
        CaseKind::ChildProtection,
        CaseKind::LookedAfter,
        CaseKind::CourtProceedings,
        CaseKind::CareLeaver,
    ];

    /// Workload points of one child of this kind.
    pub fn weight(self) -> f64 {
        match self {
            CaseKind::ChildInNeed => 1.0,
            CaseKind::ChildProtection => 1.5,
            CaseKind::LookedAfter => 1.25,
            CaseKind::CourtProceedings => 2.0,
            CaseKind::CareLeaver => 0.75,
        }
    }

    /// The usual priority (1..=5, 5 most urgent).
    pub fn usual_priority(self) -> u8 {
        match self {
            CaseKind::CourtProceedings => 5,
            CaseKind::ChildProtection => 4,
            CaseKind::ChildInNeed | CaseKind::LookedAfter => 3,
            CaseKind::CareLeaver => 2,
        }
    }

    /// The skill tags a worker must have to hold it.
    pub fn requires(self) -> &'static [&'static str] {
        match self {
            CaseKind::ChildProtection => &[CHILD_PROTECTION],
            CaseKind::CourtProceedings => &[COURT, CHILD_PROTECTION],
            _ => &[],
        }
    }

    /// A short label: `CIN`, `CP`, `LAC`, `court`, `care leaver`.
    pub fn label(self) -> &'static str {
        match self {
            CaseKind::ChildInNeed => "CIN",
            CaseKind::ChildProtection => "CP",
            CaseKind::LookedAfter => "LAC",
            CaseKind::CourtProceedings => "court",
            CaseKind::CareLeaver => "care leaver",
        }
    }

    /// The kind of a generated case, recognised from its weight and required tags;
    /// `None` for a case that no kind describes (e.g. one edited by hand).
    pub fn of(case: &Case) -> Option<CaseKind> {
        CaseKind::ALL.into_iter().find(|kind| {
            let requires: BTreeSet<Tag> = kind.requires().iter().map(Tag::new).collect();
            case.weight == kind.weight() && case.requires == requires
        })
    }

    /// The related kind a sibling may have: a child in need beside a sibling on a plan
    /// (and the reverse), a looked-after child beside siblings in proceedings (and the
    /// reverse). Care leavers have no siblings on the caseload.
    pub(super) fn sibling_variant(self) -> CaseKind {
        match self {
            CaseKind::ChildInNeed => CaseKind::ChildProtection,
            CaseKind::ChildProtection => CaseKind::ChildInNeed,
            CaseKind::LookedAfter => CaseKind::CourtProceedings,
            CaseKind::CourtProceedings => CaseKind::LookedAfter,
            CaseKind::CareLeaver => CaseKind::CareLeaver,
        }
    }

    /// How hard the kind is to place, for allocating the hardest families first.
    pub(super) fn scarcity(self) -> u8 {
        self.requires().len() as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_is_recognised_from_its_case() {
        for kind in CaseKind::ALL {
            let case = Case::new("C1")
                .weight(kind.weight())
                .requires(kind.requires().iter().copied());
            assert_eq!(CaseKind::of(&case), Some(kind));
        }
        assert_eq!(CaseKind::of(&Case::new("C1").weight(3.0)), None);
    }

    #[test]
    fn a_sibling_variant_needs_no_skill_that_a_court_worker_lacks() {
        for kind in CaseKind::ALL {
            let variant = kind.sibling_variant();
            for tag in variant.requires() {
                assert!(
                    [CHILD_PROTECTION, COURT].contains(tag),
                    "{kind:?} -> {variant:?}"
                );
            }
        }
    }
}
