//! Reasons in words: the `Display` of every fact type.

use std::fmt::{self, Display, Formatter};

use super::{
    Arrival, AtLimit, Basis, Choice, Closest, Gain, Kept, Limit, LoadAt, LoadShift, Misfit,
    NoLongerFits, Reason, Unplaced,
};
use crate::model::{Change, Decided, Tag};
use crate::text::{num, one_line};

/// How many workers or cases a reason names before "and N more".
const SHOWN: usize = 4;

/// `84%`, or `no capacity` when the capacity is 0.
pub(crate) fn percent(load: f64, capacity: f64) -> String {
    if capacity > 0.0 {
        format!("{:.0}%", 100.0 * load / capacity)
    } else {
        "no capacity".to_string()
    }
}

/// `a, b, c and 2 more`: at most `shown` items.
fn list<T: Display>(items: &[T], shown: usize) -> String {
    let mut text = items
        .iter()
        .take(shown)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > shown {
        text.push_str(&format!(" and {} more", items.len() - shown));
    }
    text
}

/// A manager's decision in words: `Sam Jones, 2026-12-03, decision 4 (reject); note:
/// "known to the family"`.
pub(super) struct Decision<'a>(pub(super) &'a Decided);

impl Display for Decision<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let d = self.0;
        write!(f, "{}, {}, decision {} ({})", d.by, d.day(), d.id, d.kind)?;
        if !d.note.is_empty() {
            write!(f, "; note: \"{}\"", one_line(&d.note))?;
        }
        Ok(())
    }
}

/// `court`, `court and urdu`, `court, urdu and welsh`.
fn tags(tags: &[Tag]) -> String {
    match tags {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!(
            "{} and {last}",
            init.iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl Display for LoadAt {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}/{} ({})",
            self.worker,
            num(self.load),
            num(self.capacity),
            percent(self.load, self.capacity)
        )
    }
}

impl Display for LoadShift {
    /// `W0304 was at 118% (26/22), now 95% (21/22)`.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let cap = num(self.capacity);
        write!(
            f,
            "{} was at {} ({}/{cap}), now {} ({}/{cap})",
            self.worker,
            percent(self.before, self.capacity),
            num(self.before),
            percent(self.after, self.capacity),
            num(self.after),
        )
    }
}

fn team_name(team: &str) -> String {
    if team.is_empty() {
        "no team".to_string()
    } else {
        format!("team {team}")
    }
}

impl Display for NoLongerFits {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let w = &self.worker;
        let of = match &self.sibling {
            Some(s) => format!("sibling {s}"),
            None => "this case".to_string(),
        };
        match &self.why {
            Misfit::Unavailable => write!(f, "{w} is unavailable (on leave or leaving)"),
            Misfit::Away(decided) => {
                let away = match decided.kind {
                    crate::model::DecisionKind::Leave => "on leave",
                    _ => "leaving",
                };
                write!(
                    f,
                    "{w} is {away}: a manager decided so: {}",
                    Decision(decided)
                )
            }
            Misfit::LacksTag(tag) => match &self.sibling {
                Some(s) => write!(f, "{w} lacks '{tag}', required by sibling {s}"),
                None => write!(f, "{w} lacks the required '{tag}'"),
            },
            Misfit::Excluded => {
                write!(f, "{w} is excluded from {of} (conflict of interest)")
            }
            Misfit::OtherTeam {
                case_team,
                worker_team,
            } => write!(
                f,
                "{w} is in {}, {of} in {}",
                team_name(worker_team),
                team_name(case_team)
            ),
            Misfit::SiblingPinnedTo(q) => {
                write!(f, "a sibling is pinned to {q}, and siblings stay together")
            }
            Misfit::Never(decided) => {
                write!(f, "{w} may never hold {of}: {}", Decision(decided))
            }
        }
    }
}

impl Display for Misfit {
    /// What a worker lacks, without naming the worker: `lacks court`.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Misfit::Unavailable => f.write_str("unavailable"),
            Misfit::Away(decided) => write!(f, "away, by decision {}", decided.id),
            Misfit::LacksTag(tag) => write!(f, "lacks {tag}"),
            Misfit::Excluded => f.write_str("excluded"),
            Misfit::OtherTeam { worker_team, .. } => write!(f, "in {}", team_name(worker_team)),
            Misfit::SiblingPinnedTo(q) => write!(f, "a sibling is pinned to {q}"),
            Misfit::Never(decided) => write!(f, "never, by decision {}", decided.id),
        }
    }
}

impl Display for Closest {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let missing: Vec<String> = self.missing.iter().map(|m| m.to_string()).collect();
        write!(f, "{} ({})", self.worker, missing.join("; "))
    }
}

/// A worker's load before → after, against capacity: `18/22 → 19.5/22, 89%`.
struct Loads<'a>(&'a LoadShift);

impl Display for Loads<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let cap = num(s.capacity);
        write!(
            f,
            "{}/{cap} → {}/{cap}, {}",
            num(s.before),
            num(s.after),
            percent(s.after, s.capacity)
        )
    }
}

impl Display for Choice {
    /// `to W0202, who had the most room of the 4 eligible (18/22 → 19.5/22, 89%)`.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.write(f, true)
    }
}

impl Choice {
    /// Writes the choice; `siblings` says whether to mention keeping siblings together.
    fn write(&self, f: &mut Formatter<'_>, siblings: bool) -> fmt::Result {
        let n = self.eligible;
        let w = &self.to.worker;
        match self.basis {
            Basis::OnlyEligible => write!(f, "to {w}, the only eligible worker")?,
            Basis::MostRoom { tied: false } => {
                write!(f, "to {w}, who had the most room of the {n} eligible")?
            }
            Basis::MostRoom { tied: true } => {
                write!(f, "to {w}, who had as much room as any of the {n} eligible")?
            }
            Basis::LeastLoadedAfter => {
                write!(f, "to {w}, who ends no fuller than any of the {n} eligible")?
            }
            Basis::OneOf => write!(f, "to {w}, one of {n} eligible")?,
        }
        write!(f, " ({})", Loads(&self.to))?;
        if siblings && self.siblings > 1 {
            write!(f, "; keeps the {} siblings together", self.siblings)?;
        }
        if !self.preferred_held.is_empty() {
            write!(f, "; has the preferred {}", tags(&self.preferred_held))?;
        }
        if !self.preferred_lacking.is_empty() {
            write!(f, "; lacks the preferred {}", tags(&self.preferred_lacking))?;
        }
        Ok(())
    }
}

impl Display for Arrival {
    /// `C00234 (new referral, priority 5)`.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let how = match self.change {
            Change::New => "new referral",
            Change::Forced => "forced move",
            Change::Moved => "moved",
            Change::Kept | Change::Unallocated => "kept",
        };
        write!(f, "{} ({how}, priority {})", self.case, self.priority)
    }
}

impl Display for Gain {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Gain::SiblingsTogether { siblings } => {
                write!(f, "brings the {siblings} siblings together")
            }
            Gain::Relieved(shift) if shift.before > shift.capacity => {
                write!(f, "relieves {}: {shift}", shift.worker)
            }
            Gain::Relieved(shift) => write!(f, "lightens the load of {}: {shift}", shift.worker),
            Gain::MadeRoom { at, arrivals } => {
                write!(f, "makes room at {at} for {}", list(arrivals, 3))
            }
        }
    }
}

impl Display for AtLimit {
    /// `W0202 22/22 (100%)`, with any other limit: `W0101 12/13.2 (91%; holds 12 cases, max_cases 12)`.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let others: Vec<String> = self
            .limits
            .iter()
            .filter_map(|l| match l {
                Limit::Capacity { .. } => None,
                Limit::MaxCases { held, max } => {
                    Some(format!("holds {held} cases, max_cases {max}"))
                }
                Limit::MaxNew { received, max } => {
                    Some(format!("received {received}, max_new {max}"))
                }
            })
            .collect();
        let l = &self.load;
        write!(
            f,
            "{} {}/{} ({}",
            l.worker,
            num(l.load),
            num(l.capacity),
            percent(l.load, l.capacity)
        )?;
        for other in others {
            write!(f, "; {other}")?;
        }
        f.write_str(")")
    }
}

/// `1 point`, `1.5 points`.
pub(crate) fn points(x: f64) -> String {
    if (x - 1.0).abs() < 1e-9 {
        "1 point".to_string()
    } else {
        format!("{} points", num(x))
    }
}

fn needs(x: f64, cases: usize) -> String {
    if cases > 1 {
        format!("the {cases} siblings need {} together", points(x))
    } else {
        format!("it needs {}", points(x))
    }
}

impl Display for Unplaced {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Unplaced::NoWorkerAvailable => f.write_str("no worker is available"),
            Unplaced::NobodyQualified {
                requires,
                team,
                closest,
            } => {
                let mut what = Vec::new();
                if !requires.is_empty() {
                    what.push(format!("requires {}", tags(requires)));
                }
                if let Some(team) = team {
                    what.push(format!("team {team}"));
                }
                f.write_str("no available worker has everything it needs")?;
                if !what.is_empty() {
                    write!(f, " ({})", what.join(", "))?;
                }
                if !closest.is_empty() {
                    write!(f, "; closest: {}", list(closest, 3))?;
                }
                Ok(())
            }
            Unplaced::EveryoneFull {
                needs: points,
                cases,
                full,
                moves_exhausted,
            } => {
                write!(
                    f,
                    "every eligible worker is full and {}: {}",
                    needs(*points, *cases),
                    list(full, SHOWN)
                )?;
                if let Some(max) = moves_exhausted {
                    write!(
                        f,
                        "; max_moves ({max}) is reached, so no child could be moved to make room"
                    )?;
                }
                Ok(())
            }
            Unplaced::HeldBackByMaxNew {
                needs: points,
                cases,
                held_back,
                full,
            } => {
                write!(
                    f,
                    "max_new held it back ({}): {} had room but no new cases left",
                    needs(*points, *cases),
                    list(held_back, SHOWN)
                )?;
                if !full.is_empty() {
                    write!(
                        f,
                        "; every other eligible worker is full: {}",
                        list(full, SHOWN)
                    )?;
                }
                Ok(())
            }
            Unplaced::Cheaper {
                needs: x,
                could_take,
            } => {
                let would: Vec<String> = could_take
                    .iter()
                    .map(|l| format!("{} would be at {}", l.worker, percent(l.load, l.capacity)))
                    .collect();
                write!(
                    f,
                    "leaving it unallocated costs less under the policy weights than the load it \
                     adds ({}): {}",
                    points(*x),
                    list(&would, SHOWN)
                )
            }
        }
    }
}

impl Display for Kept {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kept::Pinned => "pinned to its current worker",
            Kept::WithPinnedSibling => "stays with the worker its sibling is pinned to",
            Kept::Continuity => "stays with the worker the child knows",
        })
    }
}

impl Display for Reason {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Kept(kept) => write!(f, "{kept}"),
            Reason::Forced { from, choice } => write!(f, "must move: {from}; {choice}"),
            Reason::Moved { gain, choice, .. } => {
                write!(f, "{gain}; ")?;
                choice.write(f, !matches!(gain, Gain::SiblingsTogether { .. }))
            }
            Reason::New { choice } => write!(f, "new referral: {choice}"),
            Reason::Unallocated { previous, why } => {
                if let Some(from) = previous {
                    write!(f, "must move: {from}; ")?;
                }
                write!(f, "unallocated: {why}")
            }
            Reason::Decided {
                decided,
                sibling,
                change,
                to,
            } => {
                let on = match sibling {
                    Some(s) => format!(" for its sibling group (decision on {s})"),
                    None => String::new(),
                };
                match (change, to) {
                    (_, None) => write!(f, "stays unallocated"),
                    (Change::Kept, Some(to)) => write!(f, "stays with {}", to.worker),
                    (_, Some(to)) => write!(f, "to {} ({})", to.worker, Loads(to)),
                }?;
                write!(f, ": a manager decided so{on}: {}", Decision(decided))
            }
        }
    }
}
