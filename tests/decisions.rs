//! Managers' decisions from the command line: `decide`, honoured by later recorded runs,
//! checked by `check`, listed when they can no longer hold, in `history`, `diff` and the
//! transparency record.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::{allocate, caseload, scenario_dir, stderr, stdout, summary};

const WORKERS: &str = "id,name,team,capacity,skills,available
W1,Ann,A,10,court,true
W2,Ben,A,10,,true
W3,Cat,A,10,court,true
W4,Dan,A,10,,false
";

// C1 kept by W1; C2 forced off W4 (leaving); C3 needs court; C4 and C7 new referrals;
// C5 and C6 held by W2.
const CASES: &str = "id,weight,team,requires,current_worker
C1,2,A,,W1
C2,2,A,,W4
C3,2,A,court,W3
C4,1,A,,
C5,1,A,,W2
C6,1,A,,W2
C7,1,A,,
";

/// case → (worker, change, reason) of an allocation.csv.
fn rows(out: &Path) -> BTreeMap<String, (String, String, String)> {
    let text = std::fs::read_to_string(out.join("allocation.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].to_string(),
                (r[1].to_string(), r[3].to_string(), r[4].to_string()),
            )
        })
        .collect()
}

/// (id, why) of each decision a run's summary lists as not applied.
fn not_applied(summary: &serde_json::Value) -> Vec<(i64, String)> {
    summary["decisions"]["not_applied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["id"].as_i64().unwrap(),
                d["why"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn run(args: &[&str]) -> std::process::Output {
    caseload(args)
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\n{}{}",
        out.status.code(),
        stdout(out),
        stderr(out)
    );
    stdout(out)
}

fn check(dir: &Path, out: &Path) -> std::process::Output {
    caseload([
        "check".as_ref(),
        dir.as_os_str(),
        "--allocation".as_ref(),
        out.join("allocation.csv").as_os_str(),
    ])
}

#[test]
fn every_kind_of_decision_is_honoured_by_the_next_run_and_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = scenario_dir(tmp.path(), WORKERS, CASES, None);
    let db = tmp.path().join("record.sqlite");
    let db = db.to_str().unwrap();
    let out1 = tmp.path().join("out1");
    ok(&allocate(
        &dir,
        &out1,
        &["--record", db, "--by", "night job", "-q"],
    ));
    let first = rows(&out1);
    assert_eq!(first["C7"].1, "new", "{first:?}");
    let proposed_c4 = first["C4"].0.clone();

    // Decisions on run 1's proposal.
    let decide = |args: &[&str]| {
        let mut all = vec!["decide", db];
        all.extend_from_slice(args);
        run(&all)
    };
    let said = ok(&decide(&[
        "C1",
        "assign",
        "W3",
        "--by",
        "Sam",
        "--note",
        "court work",
    ]));
    assert!(said.contains("applies: yes"), "judged at once: {said}");
    let replaced = ok(&decide(&[
        "C1",
        "assign",
        "W2",
        "--by",
        "Sam",
        "--note",
        "known to the family",
    ]));
    assert!(replaced.contains("replaces decision(s) 1"), "{replaced}");
    ok(&decide(&["C4", "accept", "--by", "Sam"]));
    ok(&decide(&[
        "C5",
        "never",
        "W2",
        "--by",
        "Jo",
        "--note",
        "conflict found in supervision",
    ]));
    ok(&decide(&[
        "C7",
        "reject",
        "--by",
        "Jo",
        "--note",
        "waits for the panel",
    ]));
    // Back to W4, who is leaving.
    ok(&decide(&[
        "C2",
        "reject",
        "--by",
        "Jo",
        "--note",
        "W4 knows the family",
    ]));
    // W2 lacks court: recorded, and said at once that it will not apply.
    let said = ok(&decide(&[
        "C3",
        "assign",
        "W2",
        "--by",
        "Jo",
        "--note",
        "continuity",
    ]));
    assert!(
        said.contains("applies: no: W2 lacks the tag `court`"),
        "judged at once: {said}"
    );
    ok(&decide(&[
        "C6",
        "never",
        "W2",
        "--by",
        "Jo",
        "--note",
        "a conflict",
    ]));
    ok(&decide(&["--withdraw", "8", "--by", "Jo"]));

    // Unknown case, worker, decision; a worker where none is taken: exit 2.
    for bad in [
        vec!["C99", "accept"],
        vec!["C1", "assign", "W99", "--note", "why"],
        vec!["C1", "accept", "W2"],
        vec!["--withdraw", "99"],
        vec!["--withdraw", "8"],
    ] {
        let out = decide(&bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(db), "{bad:?}: {}", stderr(&out));
    }
    let list = ok(&decide(&["--list"]));
    assert_eq!(list.lines().count(), 1 + 6, "{list}"); // header + 6 standing
    let all = ok(&decide(&["--list", "--all"]));
    assert!(
        all.contains("replaced by 2") && all.contains("withdrawn"),
        "{all}"
    );

    // Run 2 applies the standing decisions.
    let out2 = tmp.path().join("out2");
    let printed = ok(&allocate(
        &dir,
        &out2,
        &["--record", db, "--by", "night job"],
    ));
    assert!(
        printed.contains("decisions: 4 of 6 applied; 2 not applied"),
        "{printed}"
    );
    let second = rows(&out2);
    let (w, change, reason) = &second["C1"];
    assert_eq!((w.as_str(), change.as_str()), ("W2", "forced"));
    assert!(
        reason.contains("a manager decided so: Sam") && reason.contains("known to the family"),
        "{reason}"
    );
    assert_eq!(second["C4"].0, proposed_c4);
    assert!(
        second["C4"].2.contains("decision 3 (accept)"),
        "{}",
        second["C4"].2
    );
    let (w, change, reason) = &second["C5"];
    assert_ne!(w, "W2");
    assert_eq!(change, "forced");
    assert!(
        reason.contains("W2 may never hold this case: Jo"),
        "{reason}"
    );
    assert_eq!(second["C6"].0, "W2", "a withdrawn decision is not applied");
    assert_eq!(
        (second["C7"].0.as_str(), second["C7"].1.as_str()),
        ("", "unallocated")
    );
    assert!(second["C7"]
        .2
        .starts_with("stays unallocated: a manager decided so: Jo"));
    assert_ne!(second["C3"].0, "W2");

    // summary.json lists the decisions, the ones not applied with why.
    let s = summary(&out2);
    let applied: Vec<i64> = s["decisions"]["applied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(applied, [2, 3, 4, 5]);
    let not: Vec<(i64, String)> = not_applied(&s);
    assert_eq!(not[0].0, 6);
    assert!(not[0].1.contains("W4 is unavailable"), "{not:?}");
    assert_eq!(not[1].0, 7);
    assert!(not[1].1.contains("W2 lacks the tag `court`"), "{not:?}");

    // Replay: the run's inputs and decisions written back give the same files.
    let replay = tmp.path().join("replay");
    let wrote = ok(&run(&[
        "history",
        db,
        "--run",
        "2",
        "--inputs",
        replay.to_str().unwrap(),
    ]));
    assert!(wrote.contains("--decisions"), "{wrote}");
    let out_r = tmp.path().join("out-replay");
    // The run kept the previous proposal (run 1) it kept close to: replayed with it.
    assert!(wrote.contains("--previous"), "{wrote}");
    let decisions = replay.join("decisions.csv");
    let previous = replay.join("previous.csv");
    ok(&allocate(
        &replay,
        &out_r,
        &[
            "--decisions",
            decisions.to_str().unwrap(),
            "--previous",
            previous.to_str().unwrap(),
            "-q",
        ],
    ));
    for file in ["allocation.csv", "decisions.csv", "loads.csv"] {
        assert_eq!(
            std::fs::read(out2.join(file)).unwrap(),
            std::fs::read(out_r.join(file)).unwrap(),
            "{file} replayed byte for byte"
        );
    }

    // check holds the allocation to the decisions in decisions.csv beside it.
    let checked = check(&dir, &out2);
    let text = ok(&checked);
    assert!(
        text.contains("the 4 managers' decisions that hold of the 6 in"),
        "{text}"
    );
    // Moving C1 back to W1 is valid by the input files alone, not against the decision.
    let tampered = std::fs::read_to_string(out2.join("allocation.csv"))
        .unwrap()
        .lines()
        .map(|l| {
            if l.starts_with("C1,") {
                "C1,W1,W1,kept,,".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(out2.join("allocation.csv"), tampered).unwrap();
    let refused = check(&dir, &out2);
    assert_eq!(refused.status.code(), Some(3), "{}", stdout(&refused));
    assert!(
        stdout(&refused).contains("rule 1 (manager's decision not honoured)"),
        "{}",
        stdout(&refused)
    );

    // The applied column is not taken on trust: marked not applied everywhere, the
    // checker still holds the allocation to the decisions that hold (C1's is broken) and
    // names each decision the file misjudges; marked applied everywhere, it names the two
    // that cannot hold.
    let honest = std::fs::read_to_string(out2.join("decisions.csv")).unwrap();
    for (from, to, misjudged) in [(",yes,", ",no,", 4), (",no,", ",yes,", 2)] {
        std::fs::write(out2.join("decisions.csv"), honest.replace(from, to)).unwrap();
        let refused = check(&dir, &out2);
        let text = stdout(&refused);
        assert_eq!(refused.status.code(), Some(3), "{text}");
        assert!(
            text.contains("rule 1 (manager's decision not honoured)"),
            "the broken decision is still found: {text}"
        );
        assert_eq!(
            text.matches("rule 1 (decision misjudged)").count(),
            misjudged,
            "{text}"
        );
    }
    assert!(
        stdout(&check(&dir, &out2)).contains(
            "decision 6 (reject) cannot hold on this scenario (W4 is unavailable (on leave or \
             leaving)), but decisions.csv (line 6) says the run applied it"
        ),
        "in its own words"
    );
    std::fs::write(out2.join("decisions.csv"), &honest).unwrap();

    // Run 3 on changed inputs: W2 leaves and C7 is closed. Decisions naming them no
    // longer hold, and say why.
    std::fs::write(
        dir.join("workers.csv"),
        WORKERS.replace("W2,Ben,A,10,,true", "W2,Ben,A,10,,false"),
    )
    .unwrap();
    std::fs::write(dir.join("cases.csv"), CASES.replace("C7,1,A,,\n", "")).unwrap();
    let out3 = tmp.path().join("out3");
    let printed = ok(&allocate(&dir, &out3, &["--record", db, "-q"]));
    assert!(printed.is_empty(), "-q prints nothing: {printed}");
    let s = summary(&out3);
    let why: BTreeMap<i64, String> = not_applied(&s).into_iter().collect();
    assert!(why[&2].contains("W2 is unavailable"), "{why:?}");
    assert!(
        why[&5].contains("case C7 is no longer in cases.csv"),
        "{why:?}"
    );
    ok(&check(&dir, &out3));

    // History, diff and the transparency record name the decisions.
    // Each with its note.
    let history = ok(&run(&["history", db, "--run", "2"]));
    assert!(history.contains("decisions: 4 of 6 applied"), "{history}");
    assert!(
        history.contains("decision 6 (reject for C2, by Jo; note \"W4 knows the family\")")
            && history.contains("note \"continuity\""),
        "{history}"
    );
    let diff = ok(&run(&["diff", db, "1", "2"]));
    assert!(
        diff.contains("decisions taken or withdrawn in between"),
        "{diff}"
    );
    assert_eq!(diff.matches(" by Sam: ").count(), 3, "{diff}");
    for note in [
        "court work",
        "known to the family",
        "conflict found in supervision",
    ] {
        assert!(
            diff.contains(&format!("; note \"{note}\"")),
            "{note}: {diff}"
        );
    }
    let record = ok(&run(&["history", db, "--run", "2", "--transparency"]));
    for heading in [
        "## 2. Owner and responsibility",
        "## 4. Decision-making process and human oversight",
        "## 5. The policy in words",
        "## 6. Data",
    ] {
        assert!(record.contains(heading), "{heading}: {record}");
    }
    assert!(
        record.contains("not applied: decision 6 by Jo") && record.contains("W4 is unavailable"),
        "{record}"
    );
    assert!(
        record.contains("note \"conflict found in supervision\"")
            && record.contains("note \"W4 knows the family\"")
            && record.contains("must say why"),
        "{record}"
    );
    assert!(!record.contains("no reason recorded"), "{record}");
}

#[test]
fn an_overrule_without_a_reason_is_refused_at_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = scenario_dir(tmp.path(), WORKERS, CASES, None);
    let db = tmp.path().join("record.sqlite");
    let db = db.to_str().unwrap();
    let out = tmp.path().join("out");
    ok(&allocate(&dir, &out, &["--record", db, "-q"]));
    for (bad, kind) in [
        (vec!["C1", "reject"], "reject"),
        (vec!["C1", "assign", "W2"], "assign"),
        (vec!["C1", "never", "W2", "--note", "  "], "never"),
    ] {
        let mut args = vec!["decide", db];
        args.extend_from_slice(&bad);
        let refused = run(&args);
        assert_eq!(
            refused.status.code(),
            Some(2),
            "{bad:?}: {}",
            stderr(&refused)
        );
        let err = stderr(&refused);
        assert!(
            err.contains(&format!(
                "a reason is required for `{kind}`: say why with --note"
            )),
            "{bad:?}: {err}"
        );
    }
    assert!(ok(&run(&["decide", db, "--list"])).contains("no standing decisions"));
    // Accepting and the decisions on a worker need none.
    ok(&run(&["decide", db, "C4", "accept"]));
    ok(&run(&["decide", db, "W1", "capacity", "9"]));
    ok(&run(&["decide", db, "W3", "leave"]));
    let said = ok(&run(&[
        "decide",
        db,
        "C1",
        "reject",
        "--note",
        "known to the family",
    ]));
    assert!(said.contains("applies: yes"), "{said}");
    let list = ok(&run(&["decide", db, "--list"]));
    assert_eq!(list.lines().count(), 1 + 4, "{list}");
    assert!(list.contains("known to the family"), "{list}");
    // The help says so.
    let help = ok(&run(&["decide", "--help"]));
    assert!(
        help.contains("reject, assign and never need --note") && help.contains("note_required"),
        "{help}"
    );
}

#[test]
fn a_policy_may_take_overrules_without_a_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let policy = "[decisions]\nnote_required = false\n";
    let dir = scenario_dir(tmp.path(), WORKERS, CASES, Some(policy));
    let db = tmp.path().join("record.sqlite");
    let db = db.to_str().unwrap();
    let out = tmp.path().join("out");
    ok(&allocate(&dir, &out, &["--record", db, "-q"]));
    ok(&run(&["decide", db, "C1", "assign", "W2"]));
    ok(&run(&["decide", db, "C6", "never", "W2"]));
    let out2 = tmp.path().join("out2");
    ok(&allocate(&dir, &out2, &["--record", db, "-q"]));
    assert_eq!(rows(&out2)["C1"].0, "W2");
    assert_ne!(rows(&out2)["C6"].0, "W2");
    let record = ok(&run(&["history", db, "--run", "2", "--transparency"]));
    assert!(
        record.contains("without saying why (note_required = false)")
            && record.contains("no reason recorded"),
        "{record}"
    );
    // A policy.toml with the key wrong: located, like every other key.
    std::fs::write(
        dir.join("policy.toml"),
        "[decisions]\nnote_required = \"no\"\n",
    )
    .unwrap();
    let refused = allocate(&dir, &out2, &["-q"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("policy.toml:2: decisions.note_required: expected true or false"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn decisions_taken_before_reasons_were_required_still_apply() {
    use caseload::model::{CaseId, Ruling, WorkerId};
    use caseload::record::{NewDecision, Record};
    let tmp = tempfile::tempdir().unwrap();
    let dir = scenario_dir(tmp.path(), WORKERS, CASES, None);
    let db = tmp.path().join("record.sqlite");
    let out = tmp.path().join("out");
    ok(&allocate(
        &dir,
        &out,
        &["--record", db.to_str().unwrap(), "-q"],
    ));
    // Decisions as an older caseload kept them: no note. The record takes them as it
    // always did (the rule is at the doors, on taking a decision, not on reading one).
    let mut record = Record::open(&db).unwrap();
    let old = |ruling| NewDecision::new(ruling, "Sam", "");
    record
        .decide(&old(Ruling::Assign {
            case: CaseId::new("C1"),
            worker: WorkerId::new("W2"),
        }))
        .unwrap();
    record
        .decide(&old(Ruling::Never {
            case: CaseId::new("C6"),
            worker: WorkerId::new("W2"),
        }))
        .unwrap();
    drop(record);
    let db = db.to_str().unwrap();
    let list = ok(&run(&["decide", db, "--list"]));
    assert_eq!(list.lines().count(), 1 + 2, "{list}");
    let out2 = tmp.path().join("out2");
    let printed = ok(&allocate(&dir, &out2, &["--record", db]));
    assert!(printed.contains("decisions: 2 of 2 applied"), "{printed}");
    let second = rows(&out2);
    assert_eq!(second["C1"].0, "W2");
    assert_ne!(second["C6"].0, "W2");
    ok(&check(&dir, &out2));
    // The replay of its decisions.csv applies them too, and the record says plainly
    // that no reason was kept.
    let out3 = tmp.path().join("out3");
    let decisions = out2.join("decisions.csv");
    ok(&allocate(
        &dir,
        &out3,
        &["--decisions", decisions.to_str().unwrap(), "-q"],
    ));
    assert_eq!(rows(&out3)["C1"].0, "W2");
    let record = ok(&run(&["history", db, "--run", "2", "--transparency"]));
    assert_eq!(record.matches("no reason recorded").count(), 2, "{record}");
}

#[test]
fn a_run_without_the_record_leaves_no_stale_decisions_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = scenario_dir(tmp.path(), WORKERS, CASES, None);
    let db = tmp.path().join("record.sqlite");
    let db = db.to_str().unwrap();
    let out = tmp.path().join("out");
    ok(&allocate(&dir, &out, &["--record", db, "-q"]));
    ok(&run(&[
        "decide",
        db,
        "C1",
        "assign",
        "W2",
        "--note",
        "continuity",
    ]));
    ok(&allocate(&dir, &out, &["--record", db, "-q"]));
    assert!(out.join("decisions.csv").exists());
    // The same folder, not recorded: decisions.csv goes, and check does not apply it.
    ok(&allocate(&dir, &out, &["-q"]));
    assert!(!out.join("decisions.csv").exists());
    assert!(summary(&out).get("decisions").is_none());
    let text = ok(&check(&dir, &out));
    assert!(!text.contains("decision"), "{text}");
}

#[test]
fn deciding_before_any_run_says_to_allocate_first() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("record.sqlite");
    let out = run(&["decide", db.to_str().unwrap(), "C1", "accept"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("allocate with --record first"),
        "{}",
        stderr(&out)
    );
}

#[cfg(feature = "xlsx")]
#[test]
fn decisions_written_in_a_workbook_are_recorded_all_or_none() {
    use rust_xlsxwriter::Workbook;
    let tmp = tempfile::tempdir().unwrap();
    let dir = scenario_dir(tmp.path(), WORKERS, CASES, None);
    let db = tmp.path().join("record.sqlite");
    let db = db.to_str().unwrap();
    let out = tmp.path().join("out");
    ok(&allocate(&dir, &out, &["--record", db, "--xlsx", "-q"]));
    assert!(out.join("allocation.xlsx").exists());
    // A manager's sheet: case, proposed worker, decision, note (as allocation.xlsx has
    // them; `with_note` false: a sheet made before it had a note column).
    let sheet = |rows: &[(&str, &str, &str, &str)], name: &str, with_note: bool| {
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name("allocation").unwrap();
        let titles = ["case_id", "worker_id", "decision", "note"];
        let columns = if with_note { 4 } else { 3 };
        for (c, title) in titles.iter().take(columns).enumerate() {
            ws.write_string(0, c as u16, *title).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            let cells = [row.0, row.1, row.2, row.3];
            for (c, cell) in cells.iter().take(columns).enumerate() {
                ws.write_string(r, c as u16, *cell).unwrap();
            }
        }
        let path = tmp.path().join(name);
        book.save(&path).unwrap();
        path
    };
    // One wrong cell: nothing is recorded, and the problems name their cells.
    let bad = sheet(
        &[
            ("C1", "W1", "assign W2", "continuity"),
            ("C4", "", "keep", ""),
            ("C5", "W2", "assign W99", "why"),
        ],
        "bad.xlsx",
        true,
    );
    let refused = run(&["decide", db, "--from", bad.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    let err = stderr(&refused);
    assert!(
        err.contains("allocation!C3") && err.contains("allocation!C4"),
        "{err}"
    );
    assert!(ok(&run(&["decide", db, "--list"])).contains("no standing decisions"));
    // An overrule without its reason: the note cell is named, nothing is recorded (the
    // good rows around it neither); an accept needs none.
    let unsaid = sheet(
        &[
            ("C1", "W1", "assign W2", "continuity"),
            ("C4", "", "accept", ""),
            ("C6", "W2", "reject", "   "),
            ("C5", "W2", "never W2", ""),
        ],
        "unsaid.xlsx",
        true,
    );
    let refused = run(&["decide", db, "--from", unsaid.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    let err = stderr(&refused);
    assert!(
        err.contains("unsaid.xlsx: allocation!D4: note: a reason is required for `reject`")
            && err.contains("allocation!D5: note: a reason is required for `never`")
            && err.contains("[E-NO-REASON]"),
        "{err}"
    );
    assert!(
        !err.contains("allocation!D2") && !err.contains("allocation!D3"),
        "{err}"
    );
    assert!(ok(&run(&["decide", db, "--list"])).contains("no standing decisions"));
    // A sheet without a note column: its decision cell is named, and says so.
    let old = sheet(&[("C1", "W1", "assign W2", "")], "old.xlsx", false);
    let err = stderr(&run(&["decide", db, "--from", old.to_str().unwrap()]));
    assert!(
        err.contains("allocation!C2: decision: a reason is required for `assign`")
            && err.contains("no `note` column"),
        "{err}"
    );
    // ... which --note answers for every row.
    let all = run(&[
        "decide",
        db,
        "--from",
        old.to_str().unwrap(),
        "--note",
        "one reason",
    ]);
    assert!(ok(&all).contains("recorded 1 decision(s)"));
    ok(&run(&["decide", db, "--withdraw", "1"]));
    // A good sheet: every non-empty decision is recorded with its own reason, and the
    // next run applies them.
    let good = sheet(
        &[
            ("C1", "W1", "assign W2", "known to the family"),
            ("C4", "", "", ""),
            ("C5", "W2", "never W2", "conflict found in supervision"),
        ],
        "good.xlsx",
        true,
    );
    let taken = ok(&run(&[
        "decide",
        db,
        "--from",
        good.to_str().unwrap(),
        "--by",
        "Sam",
    ]));
    assert!(taken.contains("recorded 2 decision(s)"), "{taken}");
    let list = ok(&run(&["decide", db, "--list"]));
    assert!(
        list.contains("known to the family") && list.contains("conflict found in supervision"),
        "{list}"
    );
    let out2 = tmp.path().join("out2");
    ok(&allocate(&dir, &out2, &["--record", db, "-q"]));
    let second = rows(&out2);
    assert_eq!(second["C1"].0, "W2");
    assert_ne!(second["C5"].0, "W2");
    assert!(
        second["C1"].2.contains("known to the family"),
        "{:?}",
        second["C1"]
    );
    ok(&check(&dir, &out2));
}

/// Loads of `loads.csv`: worker → (capacity, load_after, cases).
fn loads(out: &Path) -> BTreeMap<String, (f64, f64, u32)> {
    let text = std::fs::read_to_string(out.join("loads.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (w, cap, after, cases) = (
        at("worker_id"),
        at("capacity"),
        at("load_after"),
        at("cases"),
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[w].to_string(),
                (
                    r[cap].parse().unwrap(),
                    r[after].parse().unwrap(),
                    r[cases].parse().unwrap(),
                ),
            )
        })
        .collect()
}

#[test]
fn a_worker_leaving_on_leave_or_with_a_new_capacity_is_honoured_and_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = scenario_dir(tmp.path(), WORKERS, CASES, None);
    let db = tmp.path().join("record.sqlite");
    let db = db.to_str().unwrap();
    let out1 = tmp.path().join("out1");
    ok(&allocate(&dir, &out1, &["--record", db, "-q"]));
    assert!(loads(&out1)["W2"].2 > 0, "W2 holds cases before");

    // W2 leaves; W1's capacity goes down to 3; C5 was decided to stay with W2 before.
    ok(&run(&[
        "decide",
        db,
        "C5",
        "assign",
        "W2",
        "--note",
        "continuity",
    ]));
    let left = ok(&run(&[
        "decide",
        db,
        "W2",
        "leaving",
        "--note",
        "last day Friday",
    ]));
    assert!(left.contains("leaving for worker W2"), "{left}");
    ok(&run(&["decide", db, "W1", "capacity", "3"]));
    // Refused: no capacity, a capacity out of range, an unknown worker, a case kind
    // given a capacity.
    for bad in [
        vec!["decide", db, "W1", "capacity"],
        vec!["decide", db, "W1", "capacity", "-1"],
        vec!["decide", db, "W9", "leave"],
        vec!["decide", db, "W1", "leaving", "W3"],
    ] {
        let out = run(&bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", stderr(&out));
    }
    let list = ok(&run(&["decide", db, "--list"]));
    assert!(
        list.contains("capacity 3") && list.contains("leaving"),
        "{list}"
    );

    let out2 = tmp.path().join("out2");
    let printed = ok(&allocate(&dir, &out2, &["--record", db]));
    let after = loads(&out2);
    assert_eq!(after["W2"].2, 0, "W2 holds no case after leaving");
    assert_eq!(after["W2"].1, 0.0);
    assert_eq!(after["W1"].0, 3.0, "W1's capacity as decided");
    // The forced move says who decided the worker leaves.
    let (_, change, reason) = &rows(&out2)["C6"];
    assert_eq!(change, "forced");
    assert!(
        reason.contains("W2 is leaving: a manager decided so")
            && reason.contains("last day Friday"),
        "{reason}"
    );
    // The older decision holding C5 with W2 can no longer hold, and says why.
    assert!(
        printed.contains("W2 is unavailable"),
        "{printed}{}",
        stderr(&allocate(&dir, &out2, &["--record", db]))
    );
    let decisions = std::fs::read_to_string(out2.join("decisions.csv")).unwrap();
    assert!(
        decisions.lines().next().unwrap().contains("capacity"),
        "{decisions}"
    );
    let checked = check(&dir, &out2);
    assert!(
        checked.status.success(),
        "{}{}",
        stdout(&checked),
        stderr(&checked)
    );

    // The checker reads the decisions on its own: an allocation giving W2 a case again
    // is refused.
    let text = std::fs::read_to_string(out2.join("allocation.csv")).unwrap();
    let tampered: String = text
        .lines()
        .map(|l| match l.starts_with("C4,") {
            true => {
                let mut cells: Vec<&str> = l.split(',').collect();
                cells[1] = "W2";
                cells.join(",")
            }
            false => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    std::fs::write(out2.join("allocation.csv"), tampered).unwrap();
    let refused = check(&dir, &out2);
    assert_eq!(refused.status.code(), Some(3), "{}", stdout(&refused));
    assert!(stdout(&refused).contains("W2"), "{}", stdout(&refused));

    // Withdrawn, W2 is back for the next run.
    let id = list
        .lines()
        .find(|l| l.contains("leaving"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_string();
    ok(&run(&["decide", db, "--withdraw", &id]));
    let out3 = tmp.path().join("out3");
    ok(&allocate(&dir, &out3, &["--record", db, "-q"]));
    assert!(loads(&out3)["W2"].2 > 0, "W2 holds cases again");
}
