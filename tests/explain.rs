//! Reasons: one hand-made scenario per kind of reason, asserting the words; and an
//! independent check that every reason on the demo is a true statement about the
//! allocation. Every allocation here passes the independent checker.

use caseload::check::{check, AllocationRow};
use caseload::explain::{explain, Basis, Gain, Kept, Limit, Misfit, Reason, Unplaced};
use caseload::model::{
    eligibility, CapacityMode, Case, Change, Evaluation, Instance, Policy, Scenario, Worker,
};
use caseload::solve::{solve, SolveOptions};

use crate::util::{self, close};

/// Solves, checks with the independent checker, and explains.
fn solved(workers: Vec<Worker>, cases: Vec<Case>, policy: Policy) -> Solved {
    let scenario = Scenario::new(workers, cases, policy);
    let instance = Instance::new(&scenario).expect("valid scenario");
    let options = SolveOptions {
        threads: Some(1),
        ..SolveOptions::default()
    };
    let solution = solve(&instance, &options).expect("solves");
    let rows: Vec<AllocationRow> = instance
        .cases
        .iter()
        .zip(&solution.evaluation.worker)
        .map(|(case, w)| AllocationRow {
            line: 0,
            case: case.id.clone(),
            worker: w.map(|w| instance.workers[w].id.clone()),
            change: None,
        })
        .collect();
    let report = check(&scenario, &rows);
    assert!(report.is_valid(), "{report}");
    let reasons = explain(&instance, &solution.evaluation);
    let falsehoods = untrue(&instance, &solution.evaluation, &reasons);
    assert!(falsehoods.is_empty(), "untrue reasons: {falsehoods:#?}");
    Solved {
        instance,
        eval: solution.evaluation,
        reasons,
    }
}

struct Solved {
    instance: Instance,
    eval: Evaluation,
    reasons: Vec<Reason>,
}

impl Solved {
    fn reason(&self, case: &str) -> &Reason {
        let c = self.instance.case(&case.into()).expect("case exists");
        &self.reasons[c]
    }

    fn words(&self, case: &str) -> String {
        self.reason(case).to_string()
    }

    fn worker_of(&self, case: &str) -> Option<String> {
        let c = self.instance.case(&case.into()).expect("case exists");
        self.eval.worker[c].map(|w| self.instance.workers[w].id.to_string())
    }
}

fn worker(id: &str) -> Worker {
    Worker::new(id).team("T")
}

fn case(id: &str) -> Case {
    Case::new(id).team("T")
}

/// `n` cases of weight 1 held by `w`, ids `{prefix}01…`.
fn held(prefix: &str, w: &str, n: usize) -> Vec<Case> {
    (1..=n)
        .map(|i| case(&format!("{prefix}{i:02}")).held_by(w))
        .collect()
}

// ---------------------------------------------------------------- kept

#[test]
fn kept_cases_say_continuity_or_pin() {
    let s = solved(
        vec![worker("W1"), worker("W2")],
        vec![
            case("C1").held_by("W1"),
            case("C2").held_by("W2").pinned().group("F"),
            case("C3").held_by("W2").group("F"),
        ],
        Policy::default(),
    );
    assert_eq!(s.reason("C1"), &Reason::Kept(Kept::Continuity));
    assert_eq!(s.words("C1"), "stays with the worker the child knows");
    assert_eq!(s.words("C2"), "pinned to its current worker");
    assert_eq!(
        s.words("C3"),
        "stays with the worker its sibling is pinned to"
    );
}

// ---------------------------------------------------------------- forced

#[test]
fn forced_move_names_the_leaver_and_the_worker_with_most_room() {
    let mut cases = vec![case("C1").held_by("W1")];
    cases.extend(held("B", "W2", 16)); // W2 16/22: in the amber band
    cases.extend(held("D", "W3", 5)); // W3 5/22
    let s = solved(
        vec![worker("W1").unavailable(), worker("W2"), worker("W3")],
        cases,
        Policy::default(),
    );
    assert_eq!(s.worker_of("C1").as_deref(), Some("W3"));
    assert!(matches!(
        s.reason("C1"),
        Reason::Forced { from, choice }
            if from.why == Misfit::Unavailable
                && choice.basis == Basis::MostRoom { tied: false }
    ));
    assert_eq!(
        s.words("C1"),
        "must move: W1 is unavailable (on leave or leaving); \
         to W3, who had the most room of the 2 eligible (5/22 → 6/22, 27%)"
    );
}

#[test]
fn forced_move_names_the_missing_skill_exclusion_and_team() {
    let s = solved(
        vec![
            worker("W1").skills(["child-protection"]),
            worker("W2").skills(["court", "child-protection"]),
            Worker::new("W3").team("Other").skills(["court"]),
        ],
        vec![
            case("C1").requires(["court"]).held_by("W1"),
            case("C2").exclude(["W1"]).held_by("W1"),
            case("C3").held_by("W3"),
        ],
        Policy::default(),
    );
    assert_eq!(
        s.words("C1"),
        "must move: W1 lacks the required 'court'; \
         to W2, the only eligible worker (0/22 → 2/22, 9%)"
    );
    assert!(s
        .words("C2")
        .starts_with("must move: W1 is excluded from this case (conflict of interest); to W2"));
    assert!(
        s.words("C3")
            .starts_with("must move: W3 is in team Other, this case in team T; to W"),
        "{}",
        s.words("C3")
    );
}

#[test]
fn forced_move_of_a_sibling_names_the_sibling_and_keeps_them_together() {
    let s = solved(
        vec![worker("W1"), worker("W2").skills(["court"])],
        vec![
            case("C1").group("F").held_by("W1"),
            case("C2").group("F").requires(["court"]),
        ],
        Policy::default(),
    );
    assert_eq!(
        s.words("C1"),
        "must move: W1 lacks 'court', required by sibling C2; \
         to W2, the only eligible worker (0/22 → 2/22, 9%); keeps the 2 siblings together"
    );
}

// ---------------------------------------------------------------- moved

#[test]
fn discretionary_move_says_whom_it_relieves_with_true_loads() {
    let s = solved(
        vec![worker("W1"), worker("W2")],
        held("C", "W1", 26), // W1 at 118 %
        Policy::default(),
    );
    let moved: Vec<usize> = (0..s.instance.cases.len())
        .filter(|&c| s.eval.change[c] == Change::Moved)
        .collect();
    assert!(!moved.is_empty(), "an overloaded worker is relieved");
    let w1 = s.instance.worker(&"W1".into()).expect("W1");
    let after = s.eval.loads[w1].load_after;
    let expected = format!(
        "relieves W1: W1 was at 118% (26/22), now {:.0}% ({}/22); to W2",
        100.0 * after / 22.0,
        after
    );
    for c in moved {
        let words = s.reasons[c].to_string();
        assert!(words.starts_with(&expected), "{words}\nexpected {expected}");
        assert!(matches!(
            &s.reasons[c],
            Reason::Moved {
                gain: Gain::Relieved(_),
                ..
            }
        ));
    }
}

#[test]
fn discretionary_move_says_it_brings_siblings_together() {
    let mut cases = vec![
        case("C1").group("F").held_by("W1"),
        case("C2").group("F").held_by("W2"),
    ];
    cases.extend(held("B", "W1", 16)); // W1 in amber: the sibling moves to W2
    let s = solved(vec![worker("W1"), worker("W2")], cases, Policy::default());
    assert_eq!(s.worker_of("C1").as_deref(), Some("W2"));
    assert_eq!(
        s.words("C1"),
        "brings the 2 siblings together; \
         to W2, who had the most room of the 2 eligible (1/22 → 2/22, 9%)"
    );
}

#[test]
fn discretionary_move_says_what_it_made_room_for() {
    let mut w1 = worker("W1").skills(["court"]).capacity(1.0);
    w1.max_cases = Some(1);
    let s = solved(
        vec![w1, worker("W2")],
        vec![
            case("C1").held_by("W1"),
            case("C2").requires(["court"]).priority(5),
        ],
        Policy::default(),
    );
    assert_eq!(s.worker_of("C2").as_deref(), Some("W1"));
    assert_eq!(
        s.words("C1"),
        "makes room at W1 for C2 (new referral, priority 5); \
         to W2, who had the most room of the 2 eligible (0/22 → 1/22, 5%)"
    );
}

// ---------------------------------------------------------------- new

#[test]
fn new_referral_says_preferred_language_and_siblings() {
    let s = solved(
        vec![worker("W1").skills(["urdu"]), worker("W2")],
        vec![
            case("C1").prefers(["urdu"]).group("F"),
            case("C2").group("F"),
        ],
        Policy::default(),
    );
    assert_eq!(
        s.words("C1"),
        "new referral: to W1, who had as much room as any of the 2 eligible \
         (0/22 → 2/22, 9%); keeps the 2 siblings together; has the preferred urdu"
    );
}

#[test]
fn new_referral_says_lacking_preference_when_true() {
    let s = solved(
        vec![worker("W1")],
        vec![case("C1").prefers(["punjabi"])],
        Policy::default(),
    );
    assert_eq!(
        s.words("C1"),
        "new referral: to W1, the only eligible worker (0/22 → 1/22, 5%); \
         lacks the preferred punjabi"
    );
}

// ---------------------------------------------------------------- unallocated

#[test]
fn unallocated_names_the_missing_requirement_and_who_comes_closest() {
    let s = solved(
        vec![
            worker("W1").skills(["court"]),
            worker("W2").skills(["urdu"]),
            worker("W3"),
            worker("W4").skills(["court", "urdu"]).unavailable(),
        ],
        vec![case("C1").requires(["court", "urdu"])],
        Policy::default(),
    );
    assert!(matches!(
        s.reason("C1"),
        Reason::Unallocated { why: Unplaced::NobodyQualified { closest, .. }, previous: None }
            if closest.len() == 2
    ));
    assert_eq!(
        s.words("C1"),
        "unallocated: no available worker has everything it needs \
         (requires court and urdu, team T); closest: W1 (lacks urdu), W2 (lacks court)"
    );
}

#[test]
fn unallocated_names_full_workers_and_the_leaver() {
    let mut cases = held("A", "W2", 22);
    cases.extend(held("B", "W3", 21));
    cases.push(case("C1").weight(1.5).held_by("W1"));
    let s = solved(
        vec![worker("W1").unavailable(), worker("W2"), worker("W3")],
        cases,
        Policy::default(),
    );
    assert_eq!(
        s.words("C1"),
        "must move: W1 is unavailable (on leave or leaving); unallocated: every eligible \
         worker is full and it needs 1.5 points: W3 21/22 (95%), W2 22/22 (100%)"
    );
}

#[test]
fn unallocated_says_max_new_held_it_back() {
    let mut w1 = worker("W1");
    w1.max_new = Some(1);
    let s = solved(
        vec![w1, worker("W2").capacity(0.0)],
        vec![case("C1").priority(5), case("C2").priority(1)],
        Policy::default(),
    );
    assert_eq!(s.worker_of("C1").as_deref(), Some("W1"));
    assert_eq!(
        s.words("C2"),
        "unallocated: max_new held it back (it needs 1 point): W1 1/22 (5%; received 1, \
         max_new 1) had room but no new cases left; every other eligible worker is full: \
         W2 0/0 (no capacity)"
    );
}

#[test]
fn unallocated_says_max_moves_is_reached() {
    let policy = Policy {
        max_moves: 0,
        ..Policy::default()
    };
    let s = solved(
        vec![worker("W1").skills(["court"]).capacity(1.0), worker("W2")],
        vec![case("C1").held_by("W1"), case("C2").requires(["court"])],
        policy,
    );
    assert_eq!(s.worker_of("C2"), None);
    assert_eq!(
        s.words("C2"),
        "unallocated: every eligible worker is full and it needs 1 point: W1 1/1 (100%); \
         max_moves (0) is reached, so no child could be moved to make room"
    );
}

#[test]
fn unallocated_says_when_leaving_it_is_cheaper() {
    let mut policy = Policy {
        capacity: CapacityMode::Soft,
        ..Policy::default()
    };
    policy.weights.unallocated = 0.01;
    let s = solved(
        vec![worker("W1").capacity(1.0)],
        vec![case("C1").held_by("W1"), case("C2")],
        policy,
    );
    assert_eq!(
        s.words("C2"),
        "unallocated: leaving it unallocated costs less under the policy weights than the \
         load it adds (1 point): W1 would be at 200%"
    );
}

#[test]
fn unallocated_with_nobody_available() {
    let s = solved(
        vec![worker("W1").unavailable()],
        vec![case("C1")],
        Policy::default(),
    );
    assert_eq!(s.words("C1"), "unallocated: no worker is available");
}

// ---------------------------------------------------------------- the demo

#[test]
fn every_reason_on_the_demo_is_true() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/demo");
    let scenario = caseload::io::read::load_scenario(&dir).expect("demo loads");
    let s = solved(scenario.workers, scenario.cases, scenario.policy);
    // Each kind the demo has is explained (untrue() ran inside solved()).
    for change in [
        Change::Moved,
        Change::Forced,
        Change::New,
        Change::Unallocated,
    ] {
        assert!(
            s.reasons.iter().any(|r| r.change() == change),
            "the demo has a {change} case"
        );
    }
}

// ---------------------------------------------------------------- truth, independently

/// Every statement in `reasons` that the allocation contradicts, in words.
fn untrue(instance: &Instance, eval: &Evaluation, reasons: &[Reason]) -> Vec<String> {
    let mut wrong = Vec::new();
    for (c, reason) in reasons.iter().enumerate() {
        let id = &instance.cases[c].id;
        if reason.change() != eval.change[c] {
            wrong.push(format!(
                "{id}: reason for {} but change {}",
                reason.change(),
                eval.change[c]
            ));
        }
        if let Some(choice) = reason.choice() {
            wrong.extend(untrue_choice(instance, eval, c, choice).map(|e| format!("{id}: {e}")));
        }
        let problem = match reason {
            Reason::Forced { from, .. } => untrue_misfit(instance, c, from),
            Reason::Moved { gain, .. } => untrue_gain(instance, eval, c, gain),
            Reason::Unallocated { why, .. } => untrue_unplaced(instance, eval, c, why),
            Reason::Decided {
                decided, sibling, ..
            } => untrue_decided(instance, eval, c, decided.id, sibling.as_ref()),
            Reason::Kept(_) | Reason::New { .. } => None,
        };
        wrong.extend(problem.map(|e| format!("{id}: {e}")));
    }
    wrong
}

/// The workers eligible for all of case `c`'s siblings, recomputed from the scenario rules.
fn eligible_for_unit(instance: &Instance, c: usize) -> Vec<usize> {
    let unit = &instance.units[instance.unit_of[c]];
    (0..instance.workers.len())
        .filter(|&w| unit.pinned_to.is_none_or(|p| p == w))
        .filter(|&w| {
            unit.cases.iter().all(|&k| {
                eligibility(&instance.workers[w], &instance.cases[k], &instance.policy).is_ok()
            })
        })
        .collect()
}

fn untrue_choice(
    instance: &Instance,
    eval: &Evaluation,
    c: usize,
    choice: &caseload::explain::Choice,
) -> Option<String> {
    let n = eval.worker[c]?;
    let worker = &instance.workers[n];
    if choice.to.worker != worker.id {
        return Some(format!(
            "names {} but went to {}",
            choice.to.worker, worker.id
        ));
    }
    let l = &eval.loads[n];
    if !close(choice.to.before, l.load_before) || !close(choice.to.after, l.load_after) {
        return Some("load before/after differ from the evaluation".into());
    }
    let eligible = eligible_for_unit(instance, c);
    if choice.eligible != eligible.len() {
        return Some(format!(
            "says {} eligible, there are {}",
            choice.eligible,
            eligible.len()
        ));
    }
    let room = |w: usize| instance.capacity[w] - instance.load_before[w];
    let util = |w: usize| eval.loads[w].load_after / instance.capacity[w];
    let ok = match choice.basis {
        Basis::OnlyEligible => eligible == [n],
        Basis::MostRoom { tied } => {
            eligible.iter().all(|&w| room(w) <= room(n) + 1e-9)
                && tied
                    == eligible
                        .iter()
                        .any(|&w| w != n && (room(w) - room(n)).abs() < 1e-9)
        }
        Basis::LeastLoadedAfter => eligible.iter().all(|&w| util(w) >= util(n) - 1e-9),
        Basis::OneOf => eligible.len() > 1,
    };
    if !ok {
        return Some(format!("basis {:?} is false", choice.basis));
    }
    let prefers = &instance.cases[c].prefers;
    let held_ok = choice
        .preferred_held
        .iter()
        .all(|t| prefers.contains(t) && worker.has(t));
    let lacking_ok = choice
        .preferred_lacking
        .iter()
        .all(|t| prefers.contains(t) && !worker.has(t));
    let complete = choice.preferred_held.len() + choice.preferred_lacking.len() == prefers.len();
    if !(held_ok && lacking_ok && complete) {
        return Some("preferred tags misreported".into());
    }
    (choice.siblings != instance.units[instance.unit_of[c]].cases.len())
        .then(|| "sibling count wrong".into())
}

fn untrue_misfit(
    instance: &Instance,
    c: usize,
    from: &caseload::explain::NoLongerFits,
) -> Option<String> {
    let p = instance.current[c]?;
    let worker = &instance.workers[p];
    if from.worker != worker.id {
        return Some("names the wrong previous worker".into());
    }
    let about = match &from.sibling {
        Some(s) => instance.case(s)?,
        None => c,
    };
    let case = &instance.cases[about];
    let ok = match &from.why {
        Misfit::Unavailable => !worker.available,
        Misfit::Away(d) => !worker.available && worker.away.as_ref().is_some_and(|a| a.id == d.id),
        Misfit::LacksTag(t) => case.requires.contains(t) && !worker.has(t),
        Misfit::Excluded => case.exclude.contains(&worker.id),
        Misfit::OtherTeam {
            case_team,
            worker_team,
        } => case_team == &case.team && worker_team == &worker.team && case_team != worker_team,
        Misfit::SiblingPinnedTo(q) => instance.units[instance.unit_of[c]]
            .pinned_to
            .is_some_and(|w| &instance.workers[w].id == q && w != p),
        Misfit::Never(d) => case.never.get(&worker.id).is_some_and(|n| n.id == d.id),
    };
    (!ok).then(|| format!("misfit {:?} is false", from.why))
}

/// A decided reason must name the decision that holds the case's unit (on the case itself,
/// or on the sibling it names), and the case must be where that decision holds it.
fn untrue_decided(
    instance: &Instance,
    eval: &Evaluation,
    c: usize,
    id: i64,
    sibling: Option<&caseload::model::CaseId>,
) -> Option<String> {
    let on = match sibling {
        Some(s) => instance.case(s)?,
        None => c,
    };
    if instance.unit_of[on] != instance.unit_of[c] {
        return Some("names a decision on a case of another group".into());
    }
    let Some(hold) = instance.cases[on].hold.as_ref() else {
        return Some("names a decision the case does not carry".into());
    };
    let to = eval.worker[c].map(|w| &instance.workers[w].id);
    (hold.decided.id != id || hold.worker.as_ref() != to)
        .then(|| format!("decision {id} does not hold the case where it is"))
}

fn untrue_gain(instance: &Instance, eval: &Evaluation, c: usize, gain: &Gain) -> Option<String> {
    let p = instance.current[c]?;
    let ok = match gain {
        Gain::SiblingsTogether { .. } => instance.units[instance.unit_of[c]]
            .cases
            .iter()
            .any(|&k| instance.current[k] != Some(p)),
        Gain::Relieved(shift) => {
            shift.worker == instance.workers[p].id
                && close(shift.before, eval.loads[p].load_before)
                && close(shift.after, eval.loads[p].load_after)
                && shift.after < shift.before
        }
        Gain::MadeRoom { at, arrivals } => {
            at == &instance.workers[p].id
                && !arrivals.is_empty()
                && arrivals.iter().all(|a| {
                    instance.case(&a.case).is_some_and(|k| {
                        eval.worker[k] == Some(p) && instance.current[k] != Some(p)
                    })
                })
        }
    };
    (!ok).then(|| format!("gain {gain:?} is false"))
}

fn untrue_unplaced(
    instance: &Instance,
    eval: &Evaluation,
    c: usize,
    why: &Unplaced,
) -> Option<String> {
    let unit = &instance.units[instance.unit_of[c]];
    let eligible = eligible_for_unit(instance, c);
    let full_is_true = |at: &caseload::explain::AtLimit| {
        let Some(w) = instance.worker(&at.load.worker) else {
            return false;
        };
        let l = &eval.loads[w];
        eligible.contains(&w)
            && close(at.load.load, l.load_after)
            && !at.limits.is_empty()
            && at.limits.iter().all(|limit| match limit {
                Limit::Capacity { limit } => {
                    *limit >= instance.capacity[w] && l.load_after + unit.weight > *limit
                }
                Limit::MaxCases { held, max } => {
                    *held == l.cases_after && held + unit.cases.len() as u32 > *max
                }
                Limit::MaxNew { received, max } => {
                    *received == l.received
                        && Some(*max) == instance.workers[w].max_new
                        && received + instance.new_cases(instance.unit_of[c], w) > *max
                }
            })
    };
    let ok = match why {
        Unplaced::NoWorkerAvailable => instance.workers.iter().all(|w| !w.available),
        Unplaced::NobodyQualified { closest, .. } => {
            eligible.is_empty()
                && closest.iter().all(|cl| {
                    instance
                        .worker(&cl.worker)
                        .is_some_and(|w| instance.workers[w].available)
                })
        }
        Unplaced::EveryoneFull {
            full,
            moves_exhausted,
            ..
        } => {
            full.len() == eligible.len()
                && full.iter().all(full_is_true)
                && moves_exhausted.is_none_or(|m| u64::from(eval.moves) >= m)
        }
        Unplaced::HeldBackByMaxNew {
            held_back, full, ..
        } => {
            held_back.len() + full.len() == eligible.len()
                && held_back.iter().chain(full).all(full_is_true)
                && held_back
                    .iter()
                    .all(|at| at.limits.iter().all(|l| matches!(l, Limit::MaxNew { .. })))
        }
        Unplaced::Cheaper { could_take, .. } => !could_take.is_empty(),
    };
    (!ok).then(|| format!("{why:?} is false"))
}

// ---------------------------------------------------------------- diagnose

fn diagnosis(workers: Vec<Worker>, cases: Vec<Case>) -> Vec<String> {
    let instance =
        Instance::new(&Scenario::new(workers, cases, Policy::default())).expect("valid scenario");
    caseload::diagnose::diagnose(&instance)
        .findings
        .iter()
        .map(|f| f.to_string())
        .collect()
}

#[test]
fn diagnose_is_clear_when_everything_fits() {
    let found = diagnosis(vec![worker("W1")], vec![case("C1").held_by("W1")]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn diagnose_names_cases_nobody_can_take_and_who_comes_closest() {
    let found = diagnosis(
        vec![worker("W1").skills(["court"]), worker("W2")],
        vec![
            case("C1").requires(["court", "urdu"]).group("F"),
            case("C2").group("F"),
        ],
    );
    assert_eq!(
        found,
        [
            "nobody can take siblings C1, C2: no available worker has everything it needs \
          (requires court and urdu, team T); closest: W1 (lacks urdu)",
            "'urdu' is short in team T: cases requiring it need 1 point, the available workers \
          holding it have 0 (no available worker holds it): short by 1 point"
        ]
    );
}

#[test]
fn diagnose_measures_team_demand_against_capacity() {
    let mut cases = held("A", "W1", 2);
    cases.push(case("C1").weight(3.0));
    let found = diagnosis(
        vec![worker("W1").capacity(4.0), worker("W2").unavailable()],
        cases,
    );
    assert_eq!(
        found,
        [
            "the service needs 5 points, its available workers have 4: short by 1 point \
             (125% of capacity)",
            "team T needs 5 points, its available workers have 4: short by 1 point \
             (125% of capacity)",
        ]
    );
}

#[test]
fn diagnose_finds_a_skill_in_short_supply() {
    let cases: Vec<Case> = (1..=5)
        .map(|i| case(&format!("C{i}")).requires(["court"]))
        .collect();
    let found = diagnosis(
        vec![worker("W1").skills(["court"]).capacity(3.0), worker("W2")],
        cases,
    );
    assert_eq!(
        found,
        [
            "'court' is short in team T: cases requiring it need 5 points, the available workers \
          holding it have 3 (held by W1): short by 2 points (167% of capacity)"
        ]
    );
}

#[test]
fn diagnose_finds_pins_that_overload_a_worker() {
    let mut w1 = worker("W1").capacity(2.0);
    w1.max_cases = Some(2);
    let found = diagnosis(
        vec![w1, worker("W2")],
        vec![
            case("C1").held_by("W1").pinned().group("F"),
            case("C2").group("F"),
            case("C3").held_by("W1").pinned(),
        ],
    );
    assert_eq!(
        found,
        [
            "pins overload W1: 3 pinned cases (with siblings) weigh 3 points against capacity 2 \
          (150%); max_cases is 2"
        ]
    );
}

#[test]
fn diagnose_command_lists_findings_with_exit_4_and_clear_with_exit_0() {
    let run = util::caseload(["diagnose".as_ref(), util::demo().as_os_str()]);
    assert_eq!(run.status.code(), Some(4), "{}", util::stderr(&run));
    let text = util::stdout(&run);
    assert!(
        text.contains("- team T02 needs 133 points, its available workers have 107.8"),
        "{text}"
    );

    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = util::scenario_dir(
        tmp.path(),
        "id,team\nW1,T\n",
        "id,team,current_worker\nC1,T,W1\n",
        None,
    );
    let run = util::caseload(["diagnose".as_ref(), dir.as_os_str()]);
    assert_eq!(run.status.code(), Some(0), "{}", util::stderr(&run));
    assert_eq!(util::stdout(&run), "no problems found\n");

    let bad = util::scenario_dir(tmp.path(), "id\nW1\nW1\n", "id\nC1\n", None);
    let run = util::caseload(["diagnose".as_ref(), bad.as_os_str()]);
    assert_eq!(run.status.code(), Some(2));
}
