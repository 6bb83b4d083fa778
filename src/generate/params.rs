//! The realistic parameters of a synthetic children's social care service, in one place.
//!
//! The figures are plausible for an English local authority's children's social work
//! service (locality teams holding child in need, child protection, looked-after, court
//! and care leaver work). They are round numbers chosen for realism, not statistics of
//! any real authority.

use super::kind::CaseKind;

// ---------------------------------------------------------------------------------------
// Teams and workers
// ---------------------------------------------------------------------------------------

/// Fewest workers in a team.
pub(super) const MIN_WORKERS_PER_TEAM: usize = 6;
/// Most workers in a team.
pub(super) const MAX_WORKERS_PER_TEAM: usize = 10;

/// Fewest newly qualified (ASYE) workers in a team: most teams carry one or two.
pub(super) const MIN_NEWLY_QUALIFIED_PER_TEAM: usize = 1;
/// Most newly qualified (ASYE) workers in a team.
pub(super) const MAX_NEWLY_QUALIFIED_PER_TEAM: usize = 2;
/// A newly qualified worker's protected caseload: this share of `fte × standard_capacity`.
pub(super) const NEWLY_QUALIFIED_CAPACITY_FACTOR: f64 = 0.9;
/// Most new cases a newly qualified worker may be given in one run.
pub(super) const NEWLY_QUALIFIED_MAX_NEW: u32 = 3;

/// Share of experienced workers who work part time.
pub(super) const PART_TIME_SHARE: f64 = 0.2;
/// The part-time contracts on offer, as FTE.
pub(super) const PART_TIME_FTES: [f64; 3] = [0.5, 0.6, 0.8];
/// Part-time workers have a local cap on children held: this many per FTE (rounded).
pub(super) const PART_TIME_MAX_CASES_PER_FTE: f64 = 20.0;

/// Share of experienced workers who take court work (care proceedings).
pub(super) const COURT_SKILL_SHARE: f64 = 0.4;
/// Every team keeps at least this many court-skilled workers, so court work has cover.
pub(super) const MIN_COURT_WORKERS_PER_TEAM: usize = 2;
/// Share of experienced workers with disabled children's expertise.
pub(super) const DISABILITY_SKILL_SHARE: f64 = 0.15;
/// Share of workers who speak a community language.
pub(super) const LANGUAGE_SKILL_SHARE: f64 = 0.25;

/// Community languages and how often they are met, relative to each other.
pub(super) const LANGUAGES: [(&str, f64); 8] = [
    ("urdu", 0.22),
    ("punjabi", 0.16),
    ("polish", 0.16),
    ("romanian", 0.12),
    ("arabic", 0.12),
    ("bengali", 0.10),
    ("somali", 0.08),
    ("portuguese", 0.04),
];

// ---------------------------------------------------------------------------------------
// Loads before the run
// ---------------------------------------------------------------------------------------

/// Lowest target utilisation of an ordinary worker before the run.
pub(super) const TARGET_UTILISATION_LOW: f64 = 0.80;
/// Highest target utilisation of an ordinary worker before the run. With the default 22
/// points, a full-time worker holds about 20–21 points, some 16–17 children (families
/// are drawn until the target is reached, so loads end slightly above it).
pub(super) const TARGET_UTILISATION_HIGH: f64 = 0.98;
/// Overloaded workers per team (an experienced, full-time worker).
pub(super) const OVERLOADED_PER_TEAM: usize = 1;
/// Lowest target utilisation of an overloaded worker.
pub(super) const OVERLOAD_LOW: f64 = 1.12;
/// Highest target utilisation of an overloaded worker.
pub(super) const OVERLOAD_HIGH: f64 = 1.26;
/// At most this share of the target load of the team's court-skilled workers is court
/// work, so they also hold other work and are not swamped.
pub(super) const COURT_WORK_SHARE: f64 = 0.6;
/// At most this share of the target load of the team's child-protection-skilled workers
/// is child protection or court work.
pub(super) const CHILD_PROTECTION_WORK_SHARE: f64 = 0.85;
/// Draws of a family before a lone child in need takes its place when the skilled work
/// is at its limit.
pub(super) const BUDGET_DRAWS: usize = 8;
/// When allocating a family that needs a language, a speaker counts as having this many
/// more points of room (managers match languages when they can).
pub(super) const LANGUAGE_MATCH_BONUS: f64 = 3.0;

// ---------------------------------------------------------------------------------------
// Families and children
// ---------------------------------------------------------------------------------------

/// Mix of the open caseload by family type (before the run).
pub(super) const CASELOAD_MIX: [(CaseKind, f64); 5] = [
    (CaseKind::ChildInNeed, 0.40),
    (CaseKind::ChildProtection, 0.22),
    (CaseKind::LookedAfter, 0.20),
    (CaseKind::CourtProceedings, 0.08),
    (CaseKind::CareLeaver, 0.10),
];
/// Mix of new referrals by family type: mostly assessments (child in need) and new child
/// protection plans, a few emergency placements and urgent proceedings.
pub(super) const REFERRAL_MIX: [(CaseKind, f64); 4] = [
    (CaseKind::ChildInNeed, 0.60),
    (CaseKind::ChildProtection, 0.30),
    (CaseKind::LookedAfter, 0.05),
    (CaseKind::CourtProceedings, 0.05),
];

/// Share of families (other than care leavers, who are always alone) that are sibling
/// groups. With sibling groups of 2.6 children on average, this puts about 40 % of
/// children in sibling groups.
pub(super) const SIBLING_GROUP_SHARE: f64 = 0.23;
/// Sibling group sizes and their relative frequency (mean 2.6).
pub(super) const SIBLING_GROUP_SIZES: [(usize, f64); 3] = [(2, 0.55), (3, 0.30), (4, 0.15)];
/// Chance that a sibling has the same type of case as the eldest; otherwise a related
/// type (see [`CaseKind::sibling_variant`]).
pub(super) const SIBLING_SAME_KIND: f64 = 0.85;

/// Chance that a child's priority differs by one from the usual for its type.
pub(super) const PRIORITY_VARIATION: f64 = 0.2;
/// Share of new referrals marked urgent (priority 4 or 5).
pub(super) const URGENT_REFERRAL_SHARE: f64 = 0.6;
/// Share of urgent referrals that are priority 5 rather than 4.
pub(super) const MOST_URGENT_SHARE: f64 = 0.4;

/// Share of families who need a worker speaking their language (a soft preference).
pub(super) const LANGUAGE_NEED_SHARE: f64 = 0.12;
/// Share of children with a disability, who are better with a worker with disabled
/// children's expertise (a soft preference).
pub(super) const DISABILITY_NEED_SHARE: f64 = 0.06;

// ---------------------------------------------------------------------------------------
// Disruptions: what the run has to deal with
// ---------------------------------------------------------------------------------------

/// New referrals (no current worker) as a share of all children.
pub(super) const NEW_REFERRAL_SHARE: f64 = 0.10;
/// Share of workers unavailable (leaving or on long leave) whose cases must move. At
/// least one in any scenario with workers.
pub(super) const UNAVAILABLE_SHARE: f64 = 0.05;
/// Chance that a sibling group was split between two workers in the past (the run may
/// reunite it).
pub(super) const SPLIT_GROUP_SHARE: f64 = 0.05;
/// Chance, per newly qualified worker, that one of their child in need cases has just
/// escalated to a child protection plan, which they may not hold: a forced move.
pub(super) const ESCALATION_CHANCE: f64 = 0.25;
/// Share of allocated families pinned to their worker (final hearing, adoption
/// placement): at least one in any scenario with allocated families.
pub(super) const PIN_SHARE: f64 = 0.02;
/// Share of families with a conflict of interest with a worker of their team (a
/// relative, a neighbour): at least one in any scenario with families.
pub(super) const CONFLICT_SHARE: f64 = 0.01;

/// Time limit written into a generated policy: generated scenarios solve in seconds, and
/// 30 s keeps a demonstration snappy.
pub(super) const TIME_LIMIT_S: f64 = 30.0;
