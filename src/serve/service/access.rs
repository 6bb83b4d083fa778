//! Who may see and do what: the one function, [`decide`], that every route of the
//! service goes through, and the filter that cuts every answer to what the caller may
//! see ([`filter_json`], [`filter_csv`]).
//!
//! | role | sees | may do |
//! | --- | --- | --- |
//! | manager | their teams' children and workers | decide on them, re-solve |
//! | head_of_service | every team | decide across teams, re-solve |
//! | planner | every team's loads and counts, no child (with `child_detail`: every child) | nothing |
//! | auditor | everything, and the access log | nothing |
//! | admin | everything, and the access log | everything |

use std::collections::BTreeSet;

use axum::http::Method;
use serde_json::Value;

use super::config::{AccessRule, Match, Role};
use super::oidc::Identity;
use crate::model::{CaseId, Instance, WorkerId};

/// A signed-in caller: who, and what the first matching `[[access]]` rule grants.
#[derive(Clone, Debug)]
pub struct Caller {
    /// Who the token names.
    pub identity: Identity,
    /// The role granted.
    pub role: Role,
    /// A manager's teams.
    pub teams: Vec<String>,
    /// A planner granted child-level reads.
    pub child_detail: bool,
}

/// The first rule that matches `identity`, as a caller; `None`: no rule (403).
pub fn caller_of(rules: &[AccessRule], identity: &Identity) -> Option<Caller> {
    let email = identity.email.as_deref().map(str::to_lowercase);
    rules
        .iter()
        .find(|rule| match &rule.matches {
            Match::Email(e) => email.as_deref() == Some(e.as_str()),
            Match::Sub(s) => *s == identity.sub,
            Match::Group(g) => identity.groups.iter().any(|x| x == g),
        })
        .map(|rule| Caller {
            identity: identity.clone(),
            role: rule.role,
            teams: rule.teams.clone(),
            child_detail: rule.child_detail,
        })
}

/// Every call of the service, by what it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Route {
    /// The page and its assets.
    Page,
    /// Who am I (`GET /api/me`).
    Me,
    /// `GET /api/proposal`.
    Proposal,
    /// `GET /api/previous`.
    Previous,
    /// `GET /api/decisions`.
    Decisions,
    /// `POST /api/decisions`.
    Decide,
    /// `DELETE /api/decisions/ID`.
    Withdraw,
    /// `POST /api/solve`.
    Solve,
    /// `GET /api/solve/progress`.
    Progress,
    /// `POST /api/solve/cancel`.
    Cancel,
    /// `GET /api/eligible`.
    Eligible,
    /// `GET /api/why-not`.
    WhyNot,
    /// `GET /api/export/allocation.csv`.
    ExportAllocation,
    /// `GET /api/export/decisions.csv`.
    ExportDecisions,
    /// `GET /api/export/allocation.xlsx`.
    ExportXlsx,
    /// `GET /api/access`: the access log.
    AccessLog,
}

/// Every route, for the tests that walk them all.
pub const ROUTES: &[(Route, &str, &str)] = &[
    (Route::Page, "GET", "/"),
    (Route::Page, "GET", "/app.js"),
    (Route::Page, "GET", "/style.css"),
    (Route::Me, "GET", "/api/me"),
    (Route::Proposal, "GET", "/api/proposal"),
    (Route::Previous, "GET", "/api/previous"),
    (Route::Decisions, "GET", "/api/decisions"),
    (Route::Decide, "POST", "/api/decisions"),
    (Route::Withdraw, "DELETE", "/api/decisions/{id}"),
    (Route::Solve, "POST", "/api/solve"),
    (Route::Progress, "GET", "/api/solve/progress"),
    (Route::Cancel, "POST", "/api/solve/cancel"),
    (Route::Eligible, "GET", "/api/eligible"),
    (Route::WhyNot, "GET", "/api/why-not"),
    (Route::ExportAllocation, "GET", "/api/export/allocation.csv"),
    (Route::ExportDecisions, "GET", "/api/export/decisions.csv"),
    (Route::ExportXlsx, "GET", "/api/export/allocation.xlsx"),
    (Route::AccessLog, "GET", "/api/access"),
];

/// The route of a request; `None`: no such call (404 by the router).
pub fn route_of(method: &Method, path: &str) -> Option<Route> {
    if method == Method::DELETE {
        return path
            .strip_prefix("/api/decisions/")
            .filter(|id| !id.is_empty() && !id.contains('/'))
            .map(|_| Route::Withdraw);
    }
    ROUTES
        .iter()
        .find(|(_, m, p)| *m == method.as_str() && *p == path)
        .map(|(r, _, _)| *r)
}

/// What a caller may see of children and workers in an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum View {
    /// Everything.
    All,
    /// The children and workers of these teams only.
    Teams(BTreeSet<String>),
    /// Loads and counts: no child, and no decision (which names children).
    Loads,
}

/// What a call names, as teams: the case's and the worker's (e.g. a decision's).
#[derive(Clone, Debug, Default)]
pub struct Targets {
    /// The teams of the cases and workers the call names.
    pub teams: BTreeSet<String>,
    /// A named case or worker the scenario does not have (the handler answers 404).
    pub unknown: bool,
}

impl Targets {
    /// The teams of `case` and `worker` in `instance`.
    pub fn of(instance: &Instance, case: Option<&str>, worker: Option<&str>) -> Targets {
        let mut t = Targets::default();
        if let Some(case) = case.filter(|c| !c.is_empty()) {
            match instance.case(&CaseId::new(case)) {
                Some(c) => {
                    t.teams.insert(instance.cases[c].team.clone());
                }
                None => t.unknown = true,
            }
        }
        if let Some(worker) = worker.filter(|w| !w.is_empty()) {
            match instance.worker(&WorkerId::new(worker)) {
                Some(w) => {
                    t.teams.insert(instance.workers[w].team.clone());
                }
                None => t.unknown = true,
            }
        }
        t
    }
}

/// A refusal: 403 with what was refused, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forbidden(pub String);

/// THE decision: whether `caller` may make call `route` naming `targets`, and if so
/// what they may see of the answer. Every route of the service goes through it.
pub fn decide(caller: &Caller, route: Route, targets: &Targets) -> Result<View, Forbidden> {
    use Role::*;
    use Route::*;
    let role = caller.role;
    let no = |what: &str| Err(Forbidden(format!("a {} may not {what}", role.as_str())));
    let mine = || View::Teams(caller.teams.iter().cloned().collect());
    match (role, route) {
        (_, Page | Me) => Ok(View::All),
        (Admin, _) => Ok(View::All),
        (Auditor | Planner | Manager | HeadOfService, Progress) => Ok(View::All),
        (Auditor, AccessLog) => Ok(View::All),
        (_, AccessLog) => no("read the access log"),
        (Auditor, Decide | Withdraw | Solve | Cancel) => no("decide, re-solve or cancel"),
        (Auditor, _) => Ok(View::All),
        (Planner, Decide | Withdraw | Solve | Cancel) => no("decide, re-solve or cancel"),
        (Planner, _) if caller.child_detail => Ok(View::All),
        (Planner, Proposal | Previous) => Ok(View::Loads),
        (Planner, _) => {
            no("see children (loads and counts only, unless the config grants child_detail)")
        }
        (HeadOfService, _) => Ok(View::All),
        (Manager, Decide | Withdraw | Eligible | WhyNot) => {
            let outside: Vec<&String> = targets
                .teams
                .iter()
                .filter(|t| !caller.teams.contains(t))
                .collect();
            if outside.is_empty() {
                Ok(mine())
            } else {
                Err(Forbidden(format!(
                    "a manager of {} may not act on team {} (a head of service may)",
                    caller.teams.join(", "),
                    outside
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        }
        (Manager, _) => Ok(mine()),
    }
}

/// The keys of an answer's objects that name a case or a worker.
const CASE_KEYS: &[&str] = &["case_id"];
const WORKER_KEYS: &[&str] = &["worker_id", "previous_worker", "current_worker"];

/// What one object of an answer names (its `(key, value)` pairs): the teams of its
/// cases and workers, and whether it names a case at all.
fn teams_named<'a>(
    instance: &Instance,
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> (BTreeSet<String>, bool) {
    let mut teams = BTreeSet::new();
    let mut child = false;
    for (key, id) in pairs {
        if id.is_empty() {
            continue;
        }
        if CASE_KEYS.contains(&key) {
            child = true;
            if let Some(c) = instance.case(&CaseId::new(id)) {
                teams.insert(instance.cases[c].team.clone());
            }
        } else if WORKER_KEYS.contains(&key) {
            if let Some(w) = instance.worker(&WorkerId::new(id)) {
                teams.insert(instance.workers[w].team.clone());
            }
        }
    }
    (teams, child)
}

/// Whether `view` sees a row naming these `(key, id)` pairs (`case_id`, `worker_id`,
/// `previous_worker`, `current_worker`): the rule [`filter_json`] cuts every list by,
/// for answers built from typed rows.
pub fn sees<'a>(
    instance: &Instance,
    view: &View,
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> bool {
    let (teams, child) = teams_named(instance, pairs);
    match view {
        View::All => true,
        View::Loads => !child,
        View::Teams(mine) => teams.is_empty() || teams.iter().any(|t| mine.contains(t)),
    }
}

/// Cuts a JSON answer to `view`: every object in a list that names a case or worker
/// outside the caller's teams is dropped (a row is kept when any team it names is the
/// caller's: a child of their team held by another team's worker, or the reverse);
/// under [`View::Loads`] every object naming a child is dropped. Returns the case and
/// worker ids left in the answer (for the access log), sorted.
pub fn filter_json(instance: &Instance, view: &View, value: &mut Value) -> Named {
    let mut named = Named::default();
    *value = cut_json(instance, view, value, &mut named);
    named
}

/// [`filter_json`] without touching `value`: the cut is a new value holding only what
/// `view` may see (so one parsed proposal serves every view), and `named` gains what it
/// holds.
pub fn cut_json(instance: &Instance, view: &View, value: &Value, named: &mut Named) -> Value {
    match value {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .filter(|item| match item {
                    Value::Object(o) => visible(instance, view, o),
                    _ => true,
                })
                .map(|item| cut_json(instance, view, item, named))
                .collect(),
        ),
        Value::Object(o) => {
            let mut kept = serde_json::Map::new();
            for (key, v) in o {
                // A summary's decisions name children.
                if *view == View::Loads && key == "decisions" {
                    continue;
                }
                let v = match v.as_str().filter(|s| !s.is_empty()) {
                    Some(id) => {
                        if CASE_KEYS.contains(&key.as_str()) {
                            named.children.insert(id.to_string());
                        } else if WORKER_KEYS.contains(&key.as_str()) {
                            named.workers.insert(id.to_string());
                        } else if key == "team" {
                            named.teams.insert(id.to_string());
                        }
                        v.clone()
                    }
                    None => cut_json(instance, view, v, named),
                };
                kept.insert(key.clone(), v);
            }
            Value::Object(kept)
        }
        other => other.clone(),
    }
}

/// The children, workers and teams an answer holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Named {
    /// Case ids.
    pub children: BTreeSet<String>,
    /// Worker ids.
    pub workers: BTreeSet<String>,
    /// Teams.
    pub teams: BTreeSet<String>,
}

fn visible(instance: &Instance, view: &View, object: &serde_json::Map<String, Value>) -> bool {
    let pairs = object
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|id| (k.as_str(), id)));
    sees(instance, view, pairs)
}

/// Cuts a CSV answer (a header naming `case_id` and worker columns) to `view`, as
/// [`filter_json`] does a list.
pub fn filter_csv(instance: &Instance, view: &View, text: &str) -> Result<(String, Named), String> {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| e.to_string())?.clone();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).map_err(|e| e.to_string())?;
    let mut named = Named::default();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        let mut object = serde_json::Map::new();
        for (k, v) in header.iter().zip(record.iter()) {
            object.insert(k.to_string(), Value::String(v.to_string()));
        }
        if visible(instance, view, &object) {
            cut_json(instance, &View::All, &Value::Object(object), &mut named);
            writer.write_record(&record).map_err(|e| e.to_string())?;
        }
    }
    let bytes = writer.into_inner().map_err(|e| e.to_string())?;
    Ok((String::from_utf8_lossy(&bytes).into_owned(), named))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role, teams: &[&str]) -> Caller {
        Caller {
            identity: Identity {
                sub: "s".into(),
                email: None,
                name: None,
                groups: Vec::new(),
            },
            role,
            teams: teams.iter().map(|t| t.to_string()).collect(),
            child_detail: false,
        }
    }

    fn targets(teams: &[&str]) -> Targets {
        Targets {
            teams: teams.iter().map(|t| t.to_string()).collect(),
            unknown: false,
        }
    }

    #[test]
    fn every_route_for_every_role_is_decided_as_the_table_says() {
        use Role::*;
        let roles = [Manager, HeadOfService, Planner, Auditor, Admin];
        for &(route, _, _) in ROUTES {
            for role in roles {
                let c = caller(role, &["T01"]);
                let own = decide(&c, route, &targets(&["T01"]));
                let other = decide(&c, route, &targets(&["T01", "T02"]));
                let writes = matches!(
                    route,
                    Route::Decide | Route::Withdraw | Route::Solve | Route::Cancel
                );
                let child_level = !matches!(
                    route,
                    Route::Page | Route::Me | Route::Progress | Route::Proposal | Route::Previous
                );
                let expected_own = match role {
                    Admin => true,
                    Auditor => !writes,
                    Planner => !child_level && route != Route::AccessLog,
                    HeadOfService | Manager => route != Route::AccessLog,
                };
                assert_eq!(own.is_ok(), expected_own, "{role:?} {route:?}: {own:?}");
                let names_targets = matches!(
                    route,
                    Route::Decide | Route::Withdraw | Route::Eligible | Route::WhyNot
                );
                let expected_other = expected_own && !(role == Manager && names_targets);
                assert_eq!(
                    other.is_ok(),
                    expected_other,
                    "{role:?} {route:?} across teams"
                );
                if let (Manager, Ok(view)) = (role, &own) {
                    if !matches!(route, Route::Page | Route::Me | Route::Progress) {
                        assert_eq!(*view, View::Teams(["T01".to_string()].into()), "{route:?}");
                    }
                }
                if let (Planner, Ok(view)) = (role, &own) {
                    if matches!(route, Route::Proposal | Route::Previous) {
                        assert_eq!(*view, View::Loads);
                    }
                }
            }
        }
    }

    #[test]
    fn a_planner_granted_child_detail_reads_every_child_and_still_decides_nothing() {
        let planner = Caller {
            child_detail: true,
            ..caller(Role::Planner, &[])
        };
        for &(route, method, _) in ROUTES {
            let decided = decide(&planner, route, &targets(&["T01", "T02"]));
            let writes = method != "GET";
            if writes || route == Route::AccessLog {
                assert!(decided.is_err(), "{route:?}");
            } else {
                assert_eq!(decided, Ok(View::All), "{route:?}");
            }
        }
    }

    #[test]
    fn the_first_matching_rule_wins() {
        let rules = vec![
            AccessRule {
                matches: Match::Email("pat@x.org".into()),
                role: Role::Manager,
                teams: vec!["T01".into()],
                child_detail: false,
            },
            AccessRule {
                matches: Match::Group("everyone".into()),
                role: Role::Planner,
                teams: Vec::new(),
                child_detail: false,
            },
        ];
        let pat = Identity {
            sub: "1".into(),
            email: Some("Pat@X.org".into()),
            name: None,
            groups: vec!["everyone".into()],
        };
        assert_eq!(caller_of(&rules, &pat).map(|c| c.role), Some(Role::Manager));
        let sam = Identity {
            email: Some("sam@x.org".into()),
            ..pat.clone()
        };
        assert_eq!(caller_of(&rules, &sam).map(|c| c.role), Some(Role::Planner));
        let nobody = Identity {
            groups: Vec::new(),
            ..sam
        };
        assert!(caller_of(&rules, &nobody).is_none());
    }

    #[test]
    fn a_cut_keeps_the_callers_rows_and_leaves_the_whole_untouched() {
        use crate::model::{Case, Policy, Scenario, Worker};
        let scenario = Scenario::new(
            vec![Worker::new("W1").team("T01"), Worker::new("W2").team("T02")],
            vec![Case::new("C1").team("T01"), Case::new("C2").team("T02")],
            Policy::default(),
        );
        let instance = Instance::new(&scenario).unwrap();
        let whole = serde_json::json!({
            "run": 3,
            "summary": {"objective": 1.5, "decisions": [{"case_id": "C2"}]},
            "allocation": [
                {"case_id": "C1", "worker_id": "W1"},
                {"case_id": "C2", "worker_id": "W2"},
                {"case_id": "C2", "worker_id": "W1"},
            ],
            "loads": [{"worker_id": "W1", "team": "T01"}, {"worker_id": "W2", "team": "T02"}],
        });
        let before = whole.clone();
        let mine = View::Teams(["T01".to_string()].into());
        let mut named = Named::default();
        let cut = cut_json(&instance, &mine, &whole, &mut named);
        assert_eq!(whole, before);
        // A child of another team held by the manager's worker is theirs to see.
        let rows: Vec<(&str, &str)> = cut["allocation"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["case_id"].as_str().unwrap(),
                    r["worker_id"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(rows, [("C1", "W1"), ("C2", "W1")]);
        assert_eq!(cut["loads"].as_array().unwrap().len(), 1);
        assert!(cut["summary"]["decisions"].as_array().unwrap().is_empty());
        assert_eq!(cut["run"], 3);
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        assert_eq!(named.children, names(&["C1", "C2"]));
        assert_eq!(named.workers, names(&["W1"]));
        // The same cut in place, and a planner's loads without a child.
        let mut in_place = whole.clone();
        assert_eq!(filter_json(&instance, &mine, &mut in_place), named);
        assert_eq!(in_place, cut);
        let loads = cut_json(&instance, &View::Loads, &whole, &mut Named::default());
        assert!(loads["allocation"].as_array().unwrap().is_empty());
        assert!(loads["summary"].get("decisions").is_none());
        assert_eq!(loads["loads"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn a_route_is_found_by_method_and_path() {
        for &(route, method, path) in ROUTES {
            let path = path.replace("{id}", "7");
            assert_eq!(route_of(&method.parse().unwrap(), &path), Some(route));
        }
        assert_eq!(route_of(&Method::GET, "/api/nothing"), None);
        assert_eq!(route_of(&Method::DELETE, "/api/decisions/"), None);
    }
}
