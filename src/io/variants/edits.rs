//! One change of a variant (`{ do = "remove_workers", fraction = 0.1 }`, …) read into an
//! [`Edit`], once the grid point's `$param`s are in place.

use serde::Deserialize;
use toml::Value;

use crate::model::plan::{Demand, Edit, NewWorkers, PolicyChange, Selection, WorkerUpdate};
use crate::model::{Band, CapacityMode, Tag, WorkerId};
use crate::validate::ranges;

/// A change as read: an edit, or the file of an `add_cases` (read by the caller, which
/// knows the folder and the base scenario).
pub(super) enum Parsed {
    /// Any other change.
    Edit(Edit),
    /// `add_cases`: the file named.
    CasesFile(String),
}

/// The change in `value`, or what is wrong with it.
pub(super) fn parse(value: Value) -> Result<Parsed, String> {
    let de: EditDe = value.try_into().map_err(|e: toml::de::Error| {
        let message = e.message().trim().replace('\n', "; ");
        let hint = if message.contains("do") {
            ": `do` is one of remove_workers, update_workers, add_workers, add_referrals, add_cases, policy"
        } else {
            ""
        };
        format!("{message}{hint}")
    })?;
    let edit = match de {
        EditDe::RemoveWorkers(s) => {
            selection(s.ids, s.team, s.count, s.fraction).map(Edit::RemoveWorkers)
        }
        EditDe::UpdateWorkers(u) => update(u),
        EditDe::AddWorkers(a) => add_workers(a),
        EditDe::AddReferrals(r) => referrals(r),
        EditDe::AddCases(c) => return Ok(Parsed::CasesFile(c.file)),
        EditDe::Policy(p) => policy(p),
    };
    edit.map(Parsed::Edit)
}

#[derive(Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
enum EditDe {
    RemoveWorkers(SelectDe),
    UpdateWorkers(UpdateDe),
    AddWorkers(AddWorkersDe),
    AddReferrals(ReferralsDe),
    AddCases(AddCasesDe),
    Policy(PolicyDe),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SelectDe {
    ids: Option<Vec<String>>,
    team: Option<String>,
    count: Option<usize>,
    fraction: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateDe {
    ids: Option<Vec<String>>,
    team: Option<String>,
    count: Option<usize>,
    fraction: Option<f64>,
    available: Option<bool>,
    fte: Option<f64>,
    capacity: Option<f64>,
    #[serde(default)]
    add_skills: Vec<String>,
    #[serde(default)]
    remove_skills: Vec<String>,
    max_cases: Option<u32>,
    max_new: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddWorkersDe {
    count: usize,
    team: Option<String>,
    #[serde(default)]
    skills: Vec<String>,
    fte: Option<f64>,
    capacity: Option<f64>,
    max_cases: Option<u32>,
    max_new: Option<u32>,
    prefix: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReferralsDe {
    count: Option<usize>,
    fraction: Option<f64>,
    rise: Option<f64>,
    team: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddCasesDe {
    file: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BandDe {
    from: f64,
    cost: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WeightsDe {
    unallocated: Option<f64>,
    #[serde(rename = "move")]
    move_: Option<f64>,
    preference: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyDe {
    standard_capacity: Option<f64>,
    capacity: Option<String>,
    cross_team: Option<bool>,
    max_moves: Option<u64>,
    time_limit_s: Option<f64>,
    bands: Option<Vec<BandDe>>,
    weights: Option<WeightsDe>,
}

fn selection(
    ids: Option<Vec<String>>,
    team: Option<String>,
    count: Option<usize>,
    fraction: Option<f64>,
) -> Result<Selection, String> {
    let team = team.map(|t| t.trim().to_string());
    match (ids, count, fraction) {
        (Some(_), _, _) if team.is_some() => Err("give `ids` or `team`, not both".into()),
        (Some(ids), None, None) => Ok(Selection::Ids(ids.iter().map(WorkerId::new).collect())),
        (None, Some(count), None) => Ok(Selection::Count { count, team }),
        (None, None, Some(fraction)) if (0.0..=1.0).contains(&fraction) => {
            Ok(Selection::Fraction { fraction, team })
        }
        (None, None, Some(fraction)) => Err(format!("fraction must be in [0, 1], got {fraction}")),
        (None, None, None) => team
            .map(Selection::Team)
            .ok_or_else(|| "say which workers: `ids`, `team`, `count` or `fraction`".into()),
        _ => Err("give only one of `ids`, `count` and `fraction`".into()),
    }
}

fn check_fte(fte: f64) -> Result<f64, String> {
    if ranges::FTE.contains(fte) {
        Ok(fte)
    } else {
        Err(format!("fte {}", ranges::FTE.message(fte)))
    }
}

fn check_capacity(capacity: Option<f64>) -> Result<Option<f64>, String> {
    match capacity {
        Some(c) if !ranges::CAPACITY.contains(c) => {
            Err(format!("capacity {}", ranges::CAPACITY.message(c)))
        }
        other => Ok(other),
    }
}

fn tags(list: &[String]) -> Vec<Tag> {
    list.iter()
        .map(Tag::new)
        .filter(|t| !t.as_str().is_empty())
        .collect()
}

fn update(u: UpdateDe) -> Result<Edit, String> {
    let selection = selection(u.ids, u.team, u.count, u.fraction)?;
    let change = WorkerUpdate {
        available: u.available,
        fte: u.fte.map(check_fte).transpose()?,
        capacity: check_capacity(u.capacity)?,
        add_skills: tags(&u.add_skills),
        remove_skills: tags(&u.remove_skills),
        max_cases: u.max_cases,
        max_new: u.max_new,
    };
    if change == WorkerUpdate::default() {
        return Err("says nothing to change: give available, fte, capacity, add_skills, remove_skills, max_cases or max_new".into());
    }
    Ok(Edit::UpdateWorkers(selection, change))
}

fn add_workers(a: AddWorkersDe) -> Result<Edit, String> {
    let prefix = a
        .prefix
        .unwrap_or_else(|| "ADD".to_string())
        .trim()
        .to_string();
    if prefix.is_empty() || prefix.contains([',', ';', '"']) {
        return Err(format!(
            "prefix must be non-empty, without `,`, `;` or `\"`, got `{prefix}`"
        ));
    }
    Ok(Edit::AddWorkers(NewWorkers {
        count: a.count,
        team: a.team.unwrap_or_default().trim().to_string(),
        skills: tags(&a.skills),
        fte: check_fte(a.fte.unwrap_or(1.0))?,
        capacity: check_capacity(a.capacity)?,
        max_cases: a.max_cases,
        max_new: a.max_new,
        prefix,
    }))
}

fn referrals(r: ReferralsDe) -> Result<Edit, String> {
    let share = |what: &str, f: f64| {
        if f.is_finite() && f >= 0.0 {
            Ok(f)
        } else {
            Err(format!("{what} must be a finite number ≥ 0, got {f}"))
        }
    };
    let demand = match (r.count, r.fraction, r.rise) {
        (Some(n), None, None) => Demand::Count(n),
        (None, Some(f), None) => Demand::Fraction(share("fraction", f)?),
        (None, None, Some(f)) => Demand::Rise(share("rise", f)?),
        _ => return Err("give exactly one of `count`, `fraction` (of all children) and `rise` (of the waiting referrals)".into()),
    };
    Ok(Edit::AddReferrals {
        demand,
        team: r.team.map(|t| t.trim().to_string()),
    })
}

fn policy(p: PolicyDe) -> Result<Edit, String> {
    let capacity = match p.capacity.as_deref().map(str::trim) {
        None => None,
        Some("hard") => Some(CapacityMode::Hard),
        Some("soft") => Some(CapacityMode::Soft),
        Some(other) => {
            return Err(format!(
                "capacity must be \"hard\" or \"soft\", got `{other}`"
            ))
        }
    };
    let (unallocated, move_, preference) = p.weights.map_or((None, None, None), |w| {
        (w.unallocated, w.move_, w.preference)
    });
    let change = PolicyChange {
        standard_capacity: p.standard_capacity,
        capacity,
        cross_team: p.cross_team,
        max_moves: p.max_moves,
        time_limit_s: p.time_limit_s,
        bands: p.bands.map(|bands| {
            bands
                .into_iter()
                .map(|b| Band {
                    from: b.from,
                    cost: b.cost,
                })
                .collect()
        }),
        unallocated_weight: unallocated,
        move_weight: move_,
        preference_weight: preference,
    };
    if change == PolicyChange::default() {
        return Err("says nothing to change: give a policy key such as standard_capacity".into());
    }
    Ok(Edit::Policy(change))
}
