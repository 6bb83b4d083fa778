//! Stable proposals (SPEC v3): a re-solve after a manager's reject changes as few
//! children as any allocation within the gap tolerance can, and says so.
//!
//! The exact minimum is computed here, independently of the solver's stable stage: a
//! plain program written in this file (one binary per eligible pair, the band cost as
//! an epigraph rather than the solver's pieces, no classes, no grid), solved twice — the
//! least cost, then the fewest children whose worker differs from the previous
//! `allocation.csv` at that cost — with the changes counted from the CSV's own cells.
//! The runs go through the real binary with a record; every allocation passes `check`.

use std::collections::BTreeMap;
use std::path::Path;

use good_lp::{
    variable, Expression, ProblemVariables, Solution, SolverModel, Variable, WithInitialSolution,
};

use caseload::model::rules::{moves_budget, Limits, PairNumbers, LOAD_TOLERANCE};
use caseload::model::{Instance, Scenario};

use crate::util::{allocate, caseload, stderr, stdout, summary};

/// Each case's worker in an `allocation.csv` (`None`: unallocated), read by column name.
fn workers_of(path: &Path) -> BTreeMap<String, Option<String>> {
    let mut reader = csv::Reader::from_path(path).expect("allocation.csv reads");
    let headers = reader.headers().expect("a header").clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let (case, worker) = (col("case_id"), col("worker_id"));
    reader
        .records()
        .map(|r| {
            let r = r.expect("a row");
            let w = r[worker].to_string();
            (r[case].to_string(), (!w.is_empty()).then_some(w))
        })
        .collect()
}

/// The plain program of an instance: units alike in every number (eligible workers and
/// what each counts and costs there, unallocated cost, whether they must be allocated,
/// and where their cases were in the previous proposal) are counted together, `x[k,w]`
/// integer per class and eligible worker, `y[k]` where the class may stay unallocated;
/// `t[w] ≥` every band's affine piece.
struct Plain {
    vars: ProblemVariables,
    /// Each class: a unit of it and its pairs.
    x: Vec<(usize, Vec<(usize, Variable)>)>,
    /// Each class's units.
    members: Vec<Vec<usize>>,
    /// Each worker's band cost variable.
    t: Vec<(usize, Variable)>,
    y: Vec<Option<Variable>>,
    rows: Vec<good_lp::Constraint>,
    cost: Expression,
}

fn plain(
    instance: &Instance,
    previous: &BTreeMap<String, Option<String>>,
    units: &[usize],
) -> Plain {
    // Classes of alike units, keyed by their numbers written out.
    let mut classes: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &u in units {
        let unit = &instance.units[u];
        let mut key = format!("{}|{}|", unit.must_allocate, instance.unallocated_cost(u));
        for &w in &unit.eligible {
            let n = PairNumbers::of(instance, u, w);
            key += &format!(
                "{w}:{}:{}:{}:{}:{};",
                n.load, n.cases, n.new_cases, n.moves, n.cost
            );
        }
        for &c in &unit.cases {
            key += &format!("{:?},", previous.get(instance.cases[c].id.as_str()));
        }
        classes.entry(key).or_default().push(u);
    }
    let mut vars = ProblemVariables::new();
    let mut rows = Vec::new();
    let mut cost = Expression::default();
    let n_workers = instance.workers.len();
    let mut load: Vec<Expression> = vec![Expression::default(); n_workers];
    let mut cases: Vec<Expression> = vec![Expression::default(); n_workers];
    let mut new: Vec<Expression> = vec![Expression::default(); n_workers];
    let mut moves = Expression::default();
    let mut x = Vec::new();
    let mut y = Vec::new();
    let mut members = Vec::new();
    let mut t_of = Vec::new();
    for members_of in classes.values() {
        let (u, size) = (members_of[0], members_of.len() as f64);
        let unit = &instance.units[u];
        let mut all = Expression::default();
        let mut pairs = Vec::new();
        for &w in &unit.eligible {
            let v = vars.add(variable().integer().min(0.0).max(size));
            let n = PairNumbers::of(instance, u, w);
            cost += n.cost * v;
            load[w] += n.load * v;
            cases[w] += f64::from(n.cases) * v;
            new[w] += f64::from(n.new_cases) * v;
            moves += f64::from(n.moves) * v;
            all += v;
            pairs.push((w, v));
        }
        let stay = (!unit.must_allocate).then(|| {
            let v = vars.add(variable().integer().min(0.0).max(size));
            cost += instance.unallocated_cost(u) * v;
            all += v;
            v
        });
        rows.push(all.eq(size));
        x.push((u, pairs));
        members.push(members_of.clone());
        y.push(stay);
    }
    let bands = &instance.policy.bands;
    let mut workers: Vec<usize> = units
        .iter()
        .flat_map(|&u| instance.units[u].eligible.iter().copied())
        .collect();
    workers.sort_unstable();
    workers.dedup();
    for w in workers {
        let limits = Limits::of(instance, w);
        if let Some(l) = limits.load {
            rows.push(load[w].clone().leq(l + LOAD_TOLERANCE));
        }
        if let Some(c) = limits.cases {
            rows.push(cases[w].clone().leq(f64::from(c)));
        }
        if let Some(n) = limits.new_cases {
            rows.push(new[w].clone().leq(f64::from(n)));
        }
        // The convex band cost as the highest of its affine pieces.
        let t = vars.add(variable().min(0.0));
        t_of.push((w, t));
        let capacity = instance.capacity[w];
        for band in bands {
            let start = band.from * capacity;
            let at_start = instance.policy.band_cost(start, capacity);
            rows.push(
                (Expression::from(t) - band.cost * load[w].clone())
                    .geq(at_start - band.cost * start),
            );
        }
        cost += t;
    }
    rows.push(moves.leq(moves_budget(&instance.policy) as f64));
    Plain {
        vars,
        x,
        members,
        t: t_of,
        y,
        rows,
        cost,
    }
}

/// The values of an allocation (each case's worker id) in the plain program: a start.
fn start_of(
    instance: &Instance,
    p: &Plain,
    allocation: &BTreeMap<String, Option<String>>,
) -> Vec<(Variable, f64)> {
    let worker_of = |u: usize| {
        let c = instance.units[u].cases[0];
        allocation
            .get(instance.cases[c].id.as_str())
            .cloned()
            .flatten()
    };
    let mut values = Vec::new();
    let mut load = vec![0.0; instance.workers.len()];
    for (((_, pairs), stay), members) in p.x.iter().zip(&p.y).zip(&p.members) {
        for &(w, v) in pairs {
            let id = instance.workers[w].id.to_string();
            let held: Vec<usize> = members
                .iter()
                .copied()
                .filter(|&u| worker_of(u).as_deref() == Some(id.as_str()))
                .collect();
            for &u in &held {
                load[w] += PairNumbers::of(instance, u, w).load;
            }
            values.push((v, held.len() as f64));
        }
        if let Some(v) = *stay {
            let none = members.iter().filter(|&&u| worker_of(u).is_none()).count();
            values.push((v, none as f64));
        }
    }
    for &(w, t) in &p.t {
        values.push((t, instance.policy.band_cost(load[w], instance.capacity[w])));
    }
    values
}

/// Minimises `objective` over the plain program, its cost held under `cap` if given.
fn minimise(
    instance: &Instance,
    previous: &BTreeMap<String, Option<String>>,
    units: &[usize],
    objective: impl Fn(&Plain) -> Expression,
    cap: Option<f64>,
    start: &BTreeMap<String, Option<String>>,
) -> f64 {
    let p = plain(instance, previous, units);
    let goal = objective(&p);
    let start = start_of(instance, &p, start);
    let Plain {
        vars, rows, cost, ..
    } = p;
    let mut problem = vars
        .minimise(goal.clone())
        .using(good_lp::highs)
        .set_option("mip_rel_gap", 0.0)
        .set_option("threads", 1)
        .with_initial_solution(start);
    problem.set_verbose(false);
    for r in rows {
        problem.add_constraint(r);
    }
    if let Some(cap) = cap {
        problem.add_constraint(cost.leq(cap));
        // The count of changes is a whole number: a gap under one proves it.
        problem = problem.set_option("mip_abs_gap", 0.999);
    }
    let solution = problem.solve().expect("the plain program solves");
    solution.eval(&goal)
}

/// The units of an instance in groups that share no eligible worker (teams, in a
/// service without cross-team work): each group's program stands alone.
fn groups(instance: &Instance) -> Vec<Vec<usize>> {
    let n = instance.units.len();
    let mut root: Vec<usize> = (0..n).collect();
    fn find(root: &mut [usize], mut a: usize) -> usize {
        while root[a] != a {
            root[a] = root[root[a]];
            a = root[a];
        }
        a
    }
    let mut holder: BTreeMap<usize, usize> = BTreeMap::new();
    for (u, unit) in instance.units.iter().enumerate() {
        for &w in &unit.eligible {
            match holder.get(&w) {
                Some(&v) => {
                    let (a, b) = (find(&mut root, u), find(&mut root, v));
                    root[a] = b;
                }
                None => {
                    holder.insert(w, u);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for u in 0..n {
        let r = find(&mut root, u);
        groups.entry(r).or_default().push(u);
    }
    groups.into_values().collect()
}

/// The least cost of the instance, and the fewest children whose worker differs from
/// `previous` at that cost — group by group, which is the same when the groups share
/// no worker (the moves budget must not bind: `assert`ed).
fn exact_minimum(
    instance: &Instance,
    previous: &BTreeMap<String, Option<String>>,
    start: &BTreeMap<String, Option<String>>,
) -> (f64, usize) {
    let most_moves: u64 = instance
        .units
        .iter()
        .enumerate()
        .map(|(u, unit)| {
            unit.eligible
                .iter()
                .map(|&w| u64::from(PairNumbers::of(instance, u, w).moves))
                .max()
                .unwrap_or(0)
        })
        .sum();
    assert!(
        most_moves <= moves_budget(&instance.policy),
        "the moves budget could bind"
    );
    // Children of unit `u` that would differ from `previous` on `target`.
    let differ = |u: usize, target: Option<usize>| -> f64 {
        let target = target.map(|w| instance.workers[w].id.to_string());
        instance.units[u]
            .cases
            .iter()
            .filter(|&&c| match previous.get(instance.cases[c].id.as_str()) {
                None => false,
                Some(was) => *was != target,
            })
            .count() as f64
    };
    let changes = |p: &Plain| {
        let mut e = Expression::default();
        for ((u, pairs), stay) in p.x.iter().zip(&p.y) {
            for &(w, v) in pairs {
                e += differ(*u, Some(w)) * v;
            }
            if let Some(v) = *stay {
                e += differ(*u, None) * v;
            }
        }
        e
    };
    let (mut least, mut fewest) = (0.0, 0);
    for units in groups(instance) {
        let cost = minimise(instance, previous, &units, |p| p.cost.clone(), None, start);
        let cap = cost + 1e-7 * cost.abs().max(1.0);
        let changed = minimise(instance, previous, &units, changes, Some(cap), start);
        least += cost;
        fewest += changed.round() as usize;
    }
    (least, fewest)
}

/// The scenario a record's standing decisions make of the folder.
fn decided(dir: &Path, db: &Path) -> Scenario {
    let scenario = caseload::io::read::load_scenario(dir).expect("the scenario reads");
    let record = caseload::record::Record::open_read_only(db).expect("the record opens");
    let standing = record.standing().expect("standing decisions");
    caseload::validate::apply_decisions(&scenario, &standing).0
}

/// Runs `rejects` successive rejects on `dir`, each followed by a recorded re-solve
/// (exact, `--mip-gap 0`), and holds each re-solve to the independent minimum.
fn successive_rejects(dir: &Path, rejects: usize) {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("record.sqlite");
    let db_arg = db.to_str().expect("utf-8 path");
    let exact = ["--record", db_arg, "--by", "test", "--mip-gap", "0", "-q"];
    let out = |i: usize| tmp.path().join(format!("run{i}"));
    let first = allocate(dir, &out(0), &exact);
    assert!(first.status.success(), "{}", stderr(&first));
    let first_summary = summary(&out(0));
    assert!(
        first_summary["previous"].is_null(),
        "the first run has no previous"
    );
    let mut rejected: Vec<String> = Vec::new();
    for i in 1..=rejects {
        let before = workers_of(&out(i - 1).join("allocation.csv"));
        // Reject a proposed move not rejected yet: the child stays with its worker.
        let rows = csv::Reader::from_path(out(i - 1).join("allocation.csv"))
            .expect("reads")
            .into_deserialize::<BTreeMap<String, String>>()
            .map(|r| r.expect("row"))
            .find(|r| r["change"] == "moved" && !rejected.contains(&r["case_id"]))
            .expect("a proposed move to reject");
        let case = rows["case_id"].clone();
        let decide = caseload([
            "decide",
            db_arg,
            &case,
            "reject",
            "--by",
            "Sam",
            "--note",
            "known to the family",
        ]);
        assert!(decide.status.success(), "{}", stderr(&decide));
        assert!(
            stdout(&decide).contains("applies: yes"),
            "{}",
            stdout(&decide)
        );
        rejected.push(case.clone());

        let run = allocate(dir, &out(i), &exact);
        assert!(run.status.success(), "{}", stderr(&run));
        let after = workers_of(&out(i).join("allocation.csv"));
        let s = summary(&out(i));
        let previous = &s["previous"];
        assert_eq!(previous["run"], i as u64, "{previous}");
        assert!(previous["file"].is_null(), "{previous}");
        // `changed` is the count of the two files' differing cells.
        let counted = before
            .iter()
            .filter(|(c, w)| after.get(*c).is_some_and(|now| now != *w))
            .count();
        assert_eq!(previous["changed"], counted as u64, "{previous}");
        assert_eq!(previous["minimal"], true, "{previous}");
        // The previous_proposal column is the previous run's worker.
        let mut reader = csv::Reader::from_path(out(i).join("allocation.csv")).expect("reads");
        for row in reader.deserialize::<BTreeMap<String, String>>() {
            let row = row.expect("row");
            let was = before
                .get(&row["case_id"])
                .cloned()
                .flatten()
                .unwrap_or_default();
            assert_eq!(row["previous_proposal"], was, "{row:?}");
        }
        // The rejected child is back with its worker, and every changed child says why.
        assert_eq!(after[&case], before_worker(&out(i - 1), &case), "{case}");
        let reasons = std::fs::read_to_string(out(i).join("allocation.csv")).expect("reads");
        assert_eq!(
            reasons
                .matches("differs from the previous proposal")
                .count(),
            counted,
            "one 'why it changed' per changed child"
        );

        // The exact minimum, by the plain program on the same inputs and decisions.
        let instance = Instance::new(&decided(dir, &db)).expect("valid");
        let (least, fewest) = exact_minimum(&instance, &before, &after);
        let objective = s["objective"]["total"].as_f64().expect("objective");
        assert!(
            (objective - least).abs() <= 1e-6 * least.abs().max(1.0),
            "run {i}: objective {objective}, least {least}"
        );
        assert_eq!(
            counted, fewest,
            "run {i}: changed {counted}, fewest possible {fewest}"
        );

        let check = caseload([
            "check".as_ref(),
            dir.as_os_str(),
            "--allocation".as_ref(),
            out(i).join("allocation.csv").as_os_str(),
            "--decisions".as_ref(),
            out(i).join("decisions.csv").as_os_str(),
        ]);
        assert!(
            check.status.success(),
            "{}{}",
            stdout(&check),
            stderr(&check)
        );
    }
}

/// A case's `previous_worker` (its worker before the run) in a run's allocation.csv.
fn before_worker(out: &Path, case: &str) -> Option<String> {
    let mut reader = csv::Reader::from_path(out.join("allocation.csv")).expect("reads");
    reader
        .deserialize::<BTreeMap<String, String>>()
        .map(|r| r.expect("row"))
        .find(|r| r["case_id"] == case)
        .map(|r| r["previous_worker"].clone())
        .filter(|w| !w.is_empty())
}

#[test]
fn each_reject_on_the_demo_changes_the_fewest_children_an_independent_program_allows() {
    successive_rejects(&crate::util::demo(), 3);
}

#[test]
fn each_reject_on_generated_services_changes_the_fewest_children_an_independent_program_allows() {
    for (teams, seed) in [(1, 49), (2, 3)] {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("service");
        let generated = caseload([
            "generate",
            "--teams",
            &teams.to_string(),
            "--seed",
            &seed.to_string(),
            "--out",
            dir.to_str().expect("utf-8"),
        ]);
        assert!(generated.status.success(), "{}", stderr(&generated));
        successive_rejects(&dir, 3);
    }
}

#[test]
fn a_previous_file_is_kept_to_and_named_and_no_previous_ignores_the_record() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("record.sqlite");
    let db_arg = db.to_str().expect("utf-8");
    let dir = crate::util::demo();
    let a = tmp.path().join("a");
    assert!(allocate(&dir, &a, &["--record", db_arg, "-q"])
        .status
        .success());
    // The same inputs against the first run's file: nothing changes, and it is said.
    let b = tmp.path().join("b");
    let file = a.join("allocation.csv");
    let run = allocate(&dir, &b, &["--previous", file.to_str().expect("utf-8")]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stdout(&run).contains("against the previous proposal")
            && stdout(&run).contains("no child changes worker"),
        "{}",
        stdout(&run)
    );
    let s = summary(&b);
    assert_eq!(s["previous"]["file"], file.to_str().expect("utf-8"));
    assert!(s["previous"]["run"].is_null());
    assert_eq!(s["previous"]["changed"], 0);
    // --no-previous with a record: no previous proposal at all.
    let c = tmp.path().join("c");
    let run = allocate(&dir, &c, &["--record", db_arg, "--no-previous", "-q"]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(summary(&c)["previous"].is_null());
    let text = std::fs::read_to_string(c.join("allocation.csv")).expect("reads");
    assert!(text
        .lines()
        .next()
        .expect("header")
        .ends_with(",previous_proposal"));
    assert!(
        text.lines().skip(1).all(|l| l.ends_with(',')),
        "previous_proposal is empty"
    );
    // A bad previous file is refused, located, and nothing is written.
    let bad = tmp.path().join("bad.csv");
    std::fs::write(&bad, "case_id,worker_id\nC00001,W0101\nC00001,W0102\n").expect("write");
    let d = tmp.path().join("d");
    let run = allocate(&dir, &d, &["--previous", bad.to_str().expect("utf-8")]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(stderr(&run).contains("bad.csv:3"), "{}", stderr(&run));
    assert!(!d.exists(), "nothing is written");
}
