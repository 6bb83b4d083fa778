//! From open rows to a scenario: one case per child (the most intensive open list gives
//! its type, team and worker), one worker per (team, name), defaults filled in and every
//! choice kept for the report.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use super::config::{ImportConfig, TagUse};
use super::headers::{clean, name_key};
use super::report::{self, Decided};
use super::staff::{Staff, StaffRow};
use super::{Imported, Involvement, Note, Reading};
use crate::codes;
use crate::error::{Error, InputError, InputErrors};
use crate::model::{Case, Policy, Scenario, Tag, Worker};

/// A worker's stable id: `W` and 12 hex digits of a hash of its team's and name's keys,
/// so that neither the order of rows nor other children change it.
pub(crate) fn worker_id(team_key: &str, name_key: &str) -> String {
    let hash = xxhash_rust::xxh3::xxh3_64(format!("{team_key}\u{1f}{name_key}").as_bytes());
    format!("W{:012x}", hash >> 16)
}

/// Spellings of one key; the one shown is the most used, then one in mixed case
/// (`Bob Jones` before `BOB JONES`), then the first in sort order: the order of rows
/// does not change it.
#[derive(Default)]
struct Spellings(BTreeMap<String, BTreeMap<String, usize>>);

impl Spellings {
    fn add(&mut self, key: String, spelling: &str) {
        *self
            .0
            .entry(key)
            .or_default()
            .entry(clean(spelling))
            .or_default() += 1;
    }

    fn shown(&self, key: &str) -> String {
        let mixed = |s: &str| s != s.to_uppercase() && s != s.to_lowercase();
        self.0
            .get(key)
            .and_then(|spellings| {
                spellings
                    .iter()
                    .min_by_key(|(s, n)| (Reverse(**n), !mixed(s), (*s).clone()))
                    .map(|(s, _)| s.clone())
            })
            .unwrap_or_default()
    }
}

/// The scenario of a reading, and its report.
pub(crate) fn build(
    reading: Reading,
    config: &ImportConfig,
    staff: Option<Staff>,
) -> Result<Imported, Error> {
    let policy = policy(config)?;
    let mut decided = Decided {
        staff_file: staff.as_ref().map(|s| s.file.clone()),
        ..Decided::default()
    };
    let mut teams = Spellings::default();
    let mut names = Spellings::default();
    for i in &reading.involvements {
        teams.add(name_key(&i.team), &i.team);
        if let Some(w) = &i.worker {
            names.add(format!("{}\u{1f}{}", name_key(&i.team), name_key(w)), w);
        }
    }
    // Children, most intensive open row first.
    let mut children: BTreeMap<String, Vec<&Involvement>> = BTreeMap::new();
    for i in &reading.involvements {
        children.entry(i.child.clone()).or_default().push(i);
    }
    for rows in children.values_mut() {
        rows.sort_by_key(|i| {
            (
                i.kind,
                Reverse(i.list),
                name_key(&i.team),
                i.worker.as_deref().map(name_key),
                i.at.clone(),
            )
        });
    }
    // Workers: one per (team, name) named on an open row.
    let mut workers: BTreeMap<(String, String), Worker> = BTreeMap::new();
    for i in &reading.involvements {
        if let Some(w) = &i.worker {
            let key = (name_key(&i.team), name_key(w));
            workers.entry(key.clone()).or_insert_with(|| {
                let shown = names.shown(&format!("{}\u{1f}{}", key.0, key.1));
                let mut worker =
                    Worker::new(worker_id(&key.0, &key.1).as_str()).team(&teams.shown(&key.0));
                worker.name = shown;
                worker
            });
        }
    }
    decided.workers_seen = workers.len();
    let described = describe_workers(
        &mut workers,
        staff.as_ref(),
        config,
        &mut teams,
        &mut decided,
    );
    // Cases.
    let mut cases = Vec::new();
    for (child, rows) in &children {
        let first = rows[0];
        let type_defaults = &config.case_types[&first.kind];
        *decided.by_type.entry(first.kind).or_default() += 1;
        let team_key = name_key(&first.team);
        let mut case = Case::new(child.as_str())
            .weight(type_defaults.weight)
            .priority(type_defaults.priority)
            .team(&teams.shown(&team_key))
            .requires(type_defaults.requires.iter().map(String::as_str))
            .prefers(type_defaults.prefers.iter().map(String::as_str));
        for row in rows {
            for (tag, use_as) in &row.tags {
                match use_as {
                    TagUse::Requires => case.requires.insert(Tag::new(tag)),
                    TagUse::Prefers => case.prefers.insert(Tag::new(tag)),
                };
            }
        }
        let requires = case.requires.clone();
        case.prefers.retain(|t| !requires.contains(t));
        if let Some(w) = &first.worker {
            case.current_worker = workers
                .get(&(team_key.clone(), name_key(w)))
                .map(|w| w.id.clone());
        }
        note_handover(child, rows, &mut decided);
        cases.push(case);
    }
    infer_skills(&mut workers, &cases, &described, &mut decided);
    // One name in two teams.
    let mut teams_of: BTreeMap<&str, Vec<&Worker>> = BTreeMap::new();
    for ((_, name), worker) in &workers {
        teams_of.entry(name.as_str()).or_default().push(worker);
    }
    for list in teams_of.values().filter(|l| l.len() > 1) {
        let each: Vec<String> = list
            .iter()
            .map(|w| format!("{} in team `{}`", w.id, w.team))
            .collect();
        decided.two_teams.push(format!(
            "{} is named in {} teams, so is {} workers: {}",
            list[0].name,
            list.len(),
            list.len(),
            each.join(", ")
        ));
    }
    let scenario = Scenario::new(workers.into_values().collect(), cases, policy);
    let problems = crate::validate::validate(&scenario);
    if !problems.is_empty() {
        let errors = problems
            .0
            .into_iter()
            .map(|p| InputError {
                file: "the import's defaults (import.toml, --workers)".to_string(),
                line: None,
                column: p.column.clone(),
                cell: None,
                code: p.code,
                message: format!("{}: {}", p.id, p.message),
            })
            .collect();
        return Err(Error::InvalidInput(InputErrors(errors)));
    }
    let report = report::render(&reading, &decided, &scenario, config);
    Ok(Imported { scenario, report })
}

/// The policy of `import.toml`'s `[policy]`, else the default one.
fn policy(config: &ImportConfig) -> Result<Policy, Error> {
    let Some(table) = &config.policy else {
        return Ok(Policy::default());
    };
    let text = toml::to_string(table).map_err(|e| {
        Error::InvalidInput(InputErrors(vec![InputError {
            file: "import.toml".to_string(),
            line: None,
            column: "policy".to_string(),
            cell: None,
            code: codes::IMPORT_CONFIG,
            message: format!("[policy] cannot be written as a policy.toml: {e}"),
        }]))
    })?;
    let source = crate::io::Source::new("import.toml [policy]", text);
    crate::io::parse_policy(&source).map_err(Error::InvalidInput)
}

/// Fills in each worker from the `--workers` file, else the defaults; adds the file's
/// workers the data does not name. Returns the keys of the workers whose skills the file
/// gave.
fn describe_workers(
    workers: &mut BTreeMap<(String, String), Worker>,
    staff: Option<&Staff>,
    config: &ImportConfig,
    teams: &mut Spellings,
    decided: &mut Decided,
) -> BTreeSet<(String, String)> {
    let rows: &[StaffRow] = staff.map(|s| s.rows.as_slice()).unwrap_or_default();
    let mut used = vec![false; rows.len()];
    let mut described = BTreeSet::new();
    // The file's workers that the data does not name: staff with no case today.
    for row in rows {
        if let Some(team) = &row.team {
            teams.add(name_key(team), team);
        }
    }
    for (i, row) in rows.iter().enumerate() {
        let named = workers.keys().any(|(t, n)| {
            *n == name_key(&row.name) && row.team.as_ref().is_none_or(|rt| name_key(rt) == *t)
        });
        if !named {
            let team_key = row.team.as_deref().map(name_key).unwrap_or_default();
            let key = (team_key.clone(), name_key(&row.name));
            if workers.contains_key(&key) {
                continue; // twice in the file: the first row describes them
            }
            let mut worker =
                Worker::new(worker_id(&key.0, &key.1).as_str()).team(&teams.shown(&team_key));
            worker.name = row.name.clone();
            workers.insert(key, worker);
            used[i] = true;
            decided.workers_from_file_only += 1;
            decided.staff.push(format!(
                "{} ({}): holds no open case in the data; added from the workers file",
                row.name, row.at
            ));
        }
    }
    let defaults = &config.workers;
    for (key, worker) in workers.iter_mut() {
        let found = rows.iter().enumerate().find(|(_, r)| {
            name_key(&r.name) == key.1 && r.team.as_ref().is_none_or(|t| name_key(t) == key.0)
        });
        worker.fte = defaults.fte;
        worker.capacity = defaults.capacity;
        worker.max_cases = defaults.max_cases;
        worker.skills = defaults.skills.iter().map(Tag::new).collect();
        match found {
            Some((i, row)) => {
                used[i] = true;
                worker.fte = row.fte.unwrap_or(worker.fte);
                worker.capacity = row.capacity.or(worker.capacity);
                worker.max_cases = row.max_cases.or(worker.max_cases);
                worker.max_new = row.max_new;
                if let Some(skills) = &row.skills {
                    worker.skills = skills.iter().map(Tag::new).collect();
                    described.insert(key.clone());
                }
                worker.available = row.available.unwrap_or(true);
            }
            None => decided.workers_defaulted += 1,
        }
    }
    for (row, used) in rows.iter().zip(used) {
        if !used {
            decided
                .staff
                .push(format!("{} ({}): not used", row.name, row.at));
        }
    }
    described
}

/// Gives a worker who holds a case requiring a tag that tag, unless the `--workers` file
/// says which skills they have.
fn infer_skills(
    workers: &mut BTreeMap<(String, String), Worker>,
    cases: &[Case],
    described: &BTreeSet<(String, String)>,
    decided: &mut Decided,
) {
    let mut by_id: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (key, w) in workers.iter() {
        by_id.insert(w.id.to_string(), key.clone());
    }
    let mut given: BTreeMap<(String, Tag), Vec<String>> = BTreeMap::new();
    for case in cases {
        let Some(held) = &case.current_worker else {
            continue;
        };
        let Some(key) = by_id.get(held.as_str()) else {
            continue;
        };
        let Some(worker) = workers.get_mut(key) else {
            continue;
        };
        for tag in &case.requires {
            if worker.skills.contains(tag) {
                continue;
            }
            if described.contains(key) {
                decided.doubtful.push(Note {
                    at: format!("case {}", case.id),
                    what: format!(
                        "requires `{tag}`, which the workers file does not give its worker {} \
                         ({}): allocate will move it",
                        worker.name, worker.id
                    ),
                });
            } else {
                given
                    .entry((worker.id.to_string(), tag.clone()))
                    .or_default()
                    .push(case.id.to_string());
            }
        }
    }
    for ((id, tag), holding) in given {
        if let Some(key) = by_id.get(&id) {
            if let Some(worker) = workers.get_mut(key) {
                worker.skills.insert(tag.clone());
                decided.inferred.push(format!(
                    "{} ({id}) has `{tag}`: they hold {}",
                    worker.name,
                    holding.join(", ")
                ));
            }
        }
    }
}

/// Notes a child open on rows of different teams (a hand-over), or twice on one list with
/// different workers.
fn note_handover(child: &str, rows: &[&Involvement], decided: &mut Decided) {
    let first = rows[0];
    let team_key = name_key(&first.team);
    let shown = |i: &Involvement| {
        format!(
            "{} ({}): team `{}`, worker {}",
            i.source,
            i.at,
            i.team,
            i.worker.as_deref().unwrap_or("none")
        )
    };
    if rows.iter().any(|i| name_key(&i.team) != team_key) {
        let others: Vec<String> = rows[1..].iter().map(|i| shown(i)).collect();
        decided.handovers.push(format!(
            "child {child}: took {}; also {}",
            shown(first),
            others.join("; ")
        ));
    }
    let worker_key = first.worker.as_deref().map(name_key);
    for other in &rows[1..] {
        let same_list = other.kind == first.kind && other.list == first.list;
        if same_list && other.worker.as_deref().map(name_key) != worker_key {
            decided.doubtful.push(Note {
                at: other.at.clone(),
                what: format!(
                    "child {child} is open twice on {} with different workers: took {}",
                    first.source,
                    shown(first)
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_ids_depend_on_team_and_name_keys_only() {
        let a = worker_id(&name_key("North "), &name_key("Jane\u{a0}Smith"));
        let b = worker_id(&name_key("north"), &name_key("JANE  SMITH"));
        assert_eq!(a, b);
        assert_ne!(a, worker_id("south", "jane smith"));
        assert_eq!(a.len(), 13);
        assert!(a.starts_with('W'));
    }
}
