//! Reasons in words for every case's outcome, as a team manager would accept them.

use crate::model::{eligibility, Change, Evaluation, Ineligible, Instance};

/// `W03 18.5/22 (84%)`: a worker's load against capacity.
fn load_text(instance: &Instance, w: usize, load: f64) -> String {
    let cap = instance.capacity[w];
    let pct = if cap > 0.0 {
        format!("{:.0}%", 100.0 * load / cap)
    } else {
        "no capacity".to_string()
    };
    format!(
        "{} {}/{} ({pct})",
        instance.workers[w].id,
        num(load),
        num(cap)
    )
}

/// A number with at most two decimals, without trailing zeros.
pub(crate) fn num(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

fn ineligible_text(instance: &Instance, c: usize, w: usize) -> Option<String> {
    let unit = &instance.units[instance.unit_of[c]];
    let worker = &instance.workers[w];
    unit.cases.iter().find_map(|&k| {
        let case = &instance.cases[k];
        let sibling = if k == c {
            String::new()
        } else {
            format!(" (sibling {})", case.id)
        };
        eligibility(worker, case, &instance.policy)
            .err()
            .map(|why| match why {
                Ineligible::Unavailable => format!("{} is unavailable", worker.id),
                Ineligible::LacksTag(tag) => {
                    format!("{} lacks '{tag}' required{sibling}", worker.id)
                }
                Ineligible::Excluded => {
                    format!("{} is excluded (conflict of interest){sibling}", worker.id)
                }
                Ineligible::OtherTeam {
                    case_team,
                    worker_team,
                } => format!(
                    "{} is in team '{worker_team}', the case{sibling} in '{case_team}'",
                    worker.id
                ),
            })
    })
}

/// Why the unit of case `c` could not be placed.
fn unallocated_text(instance: &Instance, eval: &Evaluation, c: usize) -> String {
    let u = instance.unit_of[c];
    let unit = &instance.units[u];
    if unit.eligible.is_empty() {
        let available: Vec<usize> = (0..instance.workers.len())
            .filter(|&w| instance.workers[w].available)
            .collect();
        if available.is_empty() {
            return "no worker is available".to_string();
        }
        // Name the requirement that rules out most workers.
        let mut reasons: Vec<String> = available
            .iter()
            .filter_map(|&w| ineligible_text(instance, c, w))
            .collect();
        reasons.sort();
        reasons.dedup();
        let shown: Vec<String> = reasons.iter().take(3).cloned().collect();
        let more = reasons.len().saturating_sub(3);
        let tail = if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        };
        return format!(
            "no available worker is eligible: {}{tail}",
            shown.join("; ")
        );
    }
    let full: Vec<String> = unit
        .eligible
        .iter()
        .filter(|&&w| {
            let l = &eval.loads[w];
            let load_full = instance
                .load_limit(w)
                .is_some_and(|lim| l.load_after + unit.weight > lim + 1e-9);
            let count_full = instance
                .count_limit(w)
                .is_some_and(|lim| l.cases_after + unit.cases.len() as u32 > lim);
            let new_full = instance.workers[w]
                .max_new
                .is_some_and(|lim| l.received + instance.new_cases(u, w) > lim);
            load_full || count_full || new_full
        })
        .map(|&w| load_text(instance, w, eval.loads[w].load_after))
        .collect();
    let needs = if unit.cases.len() > 1 {
        format!(
            "the {} siblings need {} points together",
            unit.cases.len(),
            num(unit.weight)
        )
    } else {
        format!("it needs {} points", num(unit.weight))
    };
    if full.len() == unit.eligible.len() {
        let shown = full.iter().take(4).cloned().collect::<Vec<_>>().join(", ");
        let more = full.len().saturating_sub(4);
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        format!(
            "every eligible worker is at a limit (capacity, max_cases or max_new) and {needs}: {shown}{tail}"
        )
    } else {
        format!(
            "placing it would cost more than leaving it unallocated ({} eligible worker(s); {needs})",
            unit.eligible.len()
        )
    }
}

/// The cases worker `w` received, as `C12 (new), C40 (forced)`, at most three named.
fn received_by(instance: &Instance, eval: &Evaluation, w: usize) -> String {
    let received: Vec<String> = (0..instance.cases.len())
        .filter(|&c| eval.worker[c] == Some(w) && instance.current[c] != Some(w))
        .map(|c| format!("{} ({})", instance.cases[c].id, eval.change[c]))
        .collect();
    let more = received.len().saturating_sub(3);
    let mut text = received.into_iter().take(3).collect::<Vec<_>>().join(", ");
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    text
}

/// The reason for each case's outcome, in case order.
pub fn reasons(instance: &Instance, eval: &Evaluation) -> Vec<String> {
    (0..instance.cases.len())
        .map(|c| reason(instance, eval, c))
        .collect()
}

fn reason(instance: &Instance, eval: &Evaluation, c: usize) -> String {
    let prev = instance.current[c];
    let now = eval.worker[c];
    let unit = &instance.units[instance.unit_of[c]];
    let after = |w: usize| load_text(instance, w, eval.loads[w].load_after);
    match eval.change[c] {
        Change::Kept if instance.cases[c].pinned => "pinned to its current worker".to_string(),
        Change::Kept if unit.pinned_to.is_some() => {
            "stays with its siblings' pinned worker".to_string()
        }
        Change::Kept => "stays with the worker the child knows".to_string(),
        Change::Forced => {
            let (Some(p), Some(n)) = (prev, now) else {
                return String::new();
            };
            let why = ineligible_text(instance, c, p).unwrap_or_else(|| match unit.pinned_to {
                Some(q) if q != p => format!(
                    "a sibling is pinned to {}, and siblings stay together",
                    instance.workers[q].id
                ),
                _ => format!(
                    "{} cannot hold the whole sibling group",
                    instance.workers[p].id
                ),
            });
            format!("must move: {why}; to {}", after(n))
        }
        Change::Moved => {
            let (Some(p), Some(n)) = (prev, now) else {
                return String::new();
            };
            let split = unit
                .cases
                .iter()
                .any(|&k| instance.current[k].is_some_and(|w| w != p));
            let from = &eval.loads[p];
            if split {
                format!("brought together with siblings at {}", after(n))
            } else if from.load_after < from.load_before {
                format!(
                    "relieves {}: {} before, {} after; to {}",
                    instance.workers[p].id,
                    load_text(instance, p, from.load_before),
                    load_text(instance, p, from.load_after),
                    after(n)
                )
            } else {
                format!(
                    "frees room at {} for {}; to {}",
                    instance.workers[p].id,
                    received_by(instance, eval, p),
                    after(n)
                )
            }
        }
        Change::New => {
            let Some(n) = now else {
                return String::new();
            };
            let speaks: Vec<String> = instance.cases[c]
                .prefers
                .iter()
                .filter(|t| instance.workers[n].has(t))
                .map(|t| t.to_string())
                .collect();
            let mut text = format!(
                "new: to {}, one of {} eligible",
                after(n),
                unit.eligible.len()
            );
            if !speaks.is_empty() {
                text.push_str(&format!("; has preferred {}", speaks.join(", ")));
            }
            text
        }
        Change::Unallocated => {
            let mut text = unallocated_text(instance, eval, c);
            if let Some(p) = prev {
                if !unit.is_eligible(p) {
                    if let Some(why) = ineligible_text(instance, c, p) {
                        text = format!("current worker no longer fits ({why}); {text}");
                    }
                }
            }
            text
        }
    }
}
