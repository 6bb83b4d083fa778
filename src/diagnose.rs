//! What cannot work, found before solving: cases nobody can take, teams whose demand
//! exceeds capacity, skills in short supply, pins that overload someone.
//!
//! Every finding is a fact about the scenario alone (no solve): a manager can fix the
//! input (or accept the consequence) before asking for an allocation.
//!
//! ```
//! use caseload::diagnose::{diagnose, Finding};
//! use caseload::model::{Case, Instance, Policy, Scenario, Worker};
//!
//! let workers = vec![Worker::new("W1").team("North").capacity(2.0)];
//! let cases = vec![
//!     Case::new("C1").team("North").weight(3.0),
//!     Case::new("C2").team("North").requires(["court"]),
//! ];
//! let instance = Instance::new(&Scenario::new(workers, cases, Policy::default())).unwrap();
//! let diagnosis = diagnose(&instance);
//! assert!(diagnosis.findings.iter().any(|f| matches!(f, Finding::NobodyCanTake { .. })));
//! assert!(diagnosis.to_string().contains("team North needs 4 points, its available workers have 2"));
//! ```

use std::collections::BTreeMap;
use std::fmt::{self, Display, Formatter};

use crate::explain::{nobody_qualified, percent, points, Unplaced};
use crate::model::rules::{Limits, Over, PairNumbers};
use crate::model::{CaseId, Instance, Tag, WorkerId};
use crate::text::num;

/// Demand is compared with capacity with this tolerance.
const EPS: f64 = 1e-9;

/// One thing that cannot work.
#[derive(Clone, Debug, PartialEq)]
pub enum Finding {
    /// No available worker is eligible for a case (or its whole sibling group).
    NobodyCanTake {
        /// The cases of the unit.
        cases: Vec<CaseId>,
        /// What it needs and who comes closest ([`Unplaced::NobodyQualified`] or
        /// [`Unplaced::NoWorkerAvailable`]).
        why: Unplaced,
    },
    /// The cases of a team (or of the whole service, `team: None`) need more points than
    /// the team's available workers have.
    OverDemand {
        /// The team, or `None` for the whole service.
        team: Option<String>,
        /// Points of its cases.
        demand: f64,
        /// Capacity of its available workers.
        capacity: f64,
    },
    /// Cases requiring a tag need more points than the capacity of the available workers
    /// holding it (in the case's team, unless `cross_team`), even if they held nothing else.
    SkillShort {
        /// The tag.
        tag: Tag,
        /// The team the cases belong to, `None` when teams do not limit who can take them.
        team: Option<String>,
        /// Points of the cases requiring it.
        demand: f64,
        /// Capacity of the available holders.
        capacity: f64,
        /// The available holders, by id.
        holders: Vec<WorkerId>,
    },
    /// Pinned cases (with their siblings, and units a manager's decision holds with the
    /// worker) break one of the worker's hard limits as the solver reads them
    /// ([`Limits`]): the load with pair weights over `max(capacity, load before)` (hard
    /// capacity), the count over `max(max_cases, count before)`, or the cases received
    /// over `max_new`.
    PinOverload {
        /// The worker.
        worker: WorkerId,
        /// Points pinned to it, with pair weights.
        load: f64,
        /// Its capacity.
        capacity: f64,
        /// Its load limit `max(capacity, load before)` (hard capacity only).
        limit: Option<f64>,
        /// Cases pinned to it (with siblings).
        cases: usize,
        /// Its case limit `max(max_cases, count before)`, if it has `max_cases`.
        max_cases: Option<u32>,
        /// Pinned cases it did not hold before.
        received: u32,
        /// Its `max_new`, if set.
        max_new: Option<u32>,
        /// The limits broken (not empty).
        over: Vec<Over>,
    },
}

/// Everything found, in a fixed order: cases nobody can take, demand over capacity,
/// skills short, pins overloading.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagnosis {
    /// The findings; empty when nothing is wrong.
    pub findings: Vec<Finding>,
}

impl Diagnosis {
    /// Whether nothing was found.
    pub fn is_clear(&self) -> bool {
        self.findings.is_empty()
    }
}

/// Finds what cannot work in an instance, without solving it.
pub fn diagnose(instance: &Instance) -> Diagnosis {
    let mut findings = nobody_can_take(instance);
    findings.extend(over_demand(instance));
    findings.extend(skills_short(instance));
    findings.extend(pin_overloads(instance));
    Diagnosis { findings }
}

fn nobody_can_take(instance: &Instance) -> Vec<Finding> {
    instance
        .units
        .iter()
        .filter(|unit| unit.eligible.is_empty())
        .map(|unit| Finding::NobodyCanTake {
            cases: unit
                .cases
                .iter()
                .map(|&c| instance.cases[c].id.clone())
                .collect(),
            why: if instance.workers.iter().any(|w| w.available) {
                nobody_qualified(instance, unit.cases[0])
            } else {
                Unplaced::NoWorkerAvailable
            },
        })
        .collect()
}

/// The team whose workers may take case `c`, or `None` when any team may.
fn scope(instance: &Instance, c: usize) -> Option<String> {
    let team = &instance.cases[c].team;
    (!instance.policy.cross_team && !team.is_empty()).then(|| team.clone())
}

/// Capacity of the available workers of `team` (all available workers for `None`).
fn capacity_in(instance: &Instance, team: Option<&str>, tag: Option<&Tag>) -> (f64, Vec<WorkerId>) {
    let mut total = 0.0;
    let mut ids = Vec::new();
    for (w, worker) in instance.workers.iter().enumerate() {
        let in_team = team.is_none_or(|t| worker.team == t);
        let holds = tag.is_none_or(|t| worker.has(t));
        if worker.available && in_team && holds {
            total += instance.capacity[w];
            ids.push(worker.id.clone());
        }
    }
    (total, ids)
}

fn over_demand(instance: &Instance) -> Vec<Finding> {
    let mut demand: BTreeMap<Option<String>, f64> = BTreeMap::new();
    for (c, case) in instance.cases.iter().enumerate() {
        if let Some(team) = scope(instance, c) {
            *demand.entry(Some(team)).or_default() += case.weight;
        }
    }
    demand.insert(None, instance.cases.iter().map(|c| c.weight).sum());
    demand
        .into_iter()
        .filter_map(|(team, demand)| {
            let (capacity, _) = capacity_in(instance, team.as_deref(), None);
            (demand > capacity + EPS).then_some(Finding::OverDemand {
                team,
                demand,
                capacity,
            })
        })
        .collect()
}

fn skills_short(instance: &Instance) -> Vec<Finding> {
    let mut demand: BTreeMap<(Tag, Option<String>), f64> = BTreeMap::new();
    for (c, case) in instance.cases.iter().enumerate() {
        for tag in &case.requires {
            *demand.entry((tag.clone(), scope(instance, c))).or_default() += case.weight;
        }
    }
    demand
        .into_iter()
        .filter_map(|((tag, team), demand)| {
            let (capacity, holders) = capacity_in(instance, team.as_deref(), Some(&tag));
            (demand > capacity + EPS).then_some(Finding::SkillShort {
                tag,
                team,
                demand,
                capacity,
                holders,
            })
        })
        .collect()
}

/// The units fixed to each worker (pinned in the input or held by a manager's decision)
/// that the worker may hold: the solver must give them to it.
fn pinned_load(instance: &Instance) -> BTreeMap<usize, (f64, u32, u32)> {
    let mut pinned: BTreeMap<usize, (f64, u32, u32)> = BTreeMap::new();
    for (u, unit) in instance.units.iter().enumerate() {
        // A unit its pinned worker may not hold stays unallocated (nobody can take it).
        let Some(w) = unit.pinned_to.filter(|&w| unit.is_eligible(w)) else {
            continue;
        };
        let p = PairNumbers::of(instance, u, w);
        let entry = pinned.entry(w).or_default();
        entry.0 += p.load;
        entry.1 += p.cases;
        entry.2 += p.new_cases;
    }
    pinned
}

fn pin_overloads(instance: &Instance) -> Vec<Finding> {
    pinned_load(instance)
        .into_iter()
        .filter_map(|(w, (load, cases, received))| {
            let limits = Limits::of(instance, w);
            let over = limits.over(load, cases, received);
            (!over.is_empty()).then(|| Finding::PinOverload {
                worker: instance.workers[w].id.clone(),
                load,
                capacity: instance.capacity[w],
                limit: limits.load,
                cases: cases as usize,
                max_cases: limits.cases,
                received,
                max_new: limits.new_cases,
                over,
            })
        })
        .collect()
}

/// `short by 3.5 points (116% of capacity)`.
fn excess(demand: f64, capacity: f64) -> String {
    let short = format!("short by {}", points(demand - capacity));
    if capacity > 0.0 {
        format!("{short} ({} of capacity)", percent(demand, capacity))
    } else {
        short
    }
}

impl Display for Finding {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Finding::NobodyCanTake { cases, why } => {
                let ids: Vec<&str> = cases.iter().map(|c| c.as_str()).collect();
                let what = if ids.len() > 1 {
                    format!("siblings {}", ids.join(", "))
                } else {
                    ids.join("")
                };
                write!(f, "nobody can take {what}: {why}")
            }
            Finding::OverDemand {
                team,
                demand,
                capacity,
            } => {
                let who = match team {
                    Some(t) => format!("team {t} needs"),
                    None => "the service needs".to_string(),
                };
                write!(
                    f,
                    "{who} {}, its available workers have {}: {}",
                    points(*demand),
                    num(*capacity),
                    excess(*demand, *capacity)
                )
            }
            Finding::SkillShort {
                tag,
                team,
                demand,
                capacity,
                holders,
            } => {
                let scope = team
                    .as_ref()
                    .map_or(String::new(), |t| format!(" in team {t}"));
                let ids: Vec<&str> = holders.iter().map(|h| h.as_str()).collect();
                let held = if ids.is_empty() {
                    "no available worker holds it".to_string()
                } else {
                    format!("held by {}", ids.join(", "))
                };
                write!(
                    f,
                    "'{tag}' is short{scope}: cases requiring it need {}, the available \
                     workers holding it have {} ({held}): {}",
                    points(*demand),
                    num(*capacity),
                    excess(*demand, *capacity)
                )
            }
            Finding::PinOverload {
                worker,
                load,
                capacity,
                limit,
                cases,
                over,
                ..
            } => {
                write!(
                    f,
                    "pins overload {worker}: {cases} pinned cases (with siblings) weigh {}",
                    points(*load)
                )?;
                let against = limit.unwrap_or(*capacity);
                if (against - capacity).abs() <= EPS {
                    write!(f, " against capacity {}", num(*capacity))?;
                } else {
                    write!(
                        f,
                        " against {}, the load it held before (capacity {})",
                        num(against),
                        num(*capacity)
                    )?;
                }
                write!(f, " ({})", percent(*load, against))?;
                for o in over {
                    match o {
                        Over::Load { .. } => {}
                        Over::Cases { limit, .. } => write!(f, "; max_cases is {limit}")?,
                        Over::NewCases { received, limit } => {
                            write!(f, "; {received} are new to it, max_new is {limit}")?
                        }
                    }
                }
                Ok(())
            }
        }
    }
}

impl Display for Diagnosis {
    /// One finding per line, or `no problems found` when clear.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.findings.is_empty() {
            return writeln!(f, "no problems found");
        }
        writeln!(
            f,
            "{} problem(s) found before solving:",
            self.findings.len()
        )?;
        for finding in &self.findings {
            writeln!(f, "- {finding}")?;
        }
        Ok(())
    }
}
