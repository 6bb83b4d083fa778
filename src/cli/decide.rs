//! `caseload decide`: a manager's decision on the newest recorded run's proposal, a
//! withdrawal, or the list of decisions.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use caseload::model::{DecisionKind, Ruling};
use caseload::record::{DecisionRecord, NewDecision, Record};
use caseload::text::one_line;

/// Flags of `caseload decide`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  caseload decide record.sqlite C0042 reject --by \"Sam Jones\" --note \"court hearing next week\"\n  caseload decide record.sqlite C0042 assign W0107 --note \"lives near her office\"\n  caseload decide record.sqlite C0042 never W0103 --note \"conflict found in supervision\"\n  caseload decide record.sqlite W0104 leaving --note \"last day Friday\"\n  caseload decide record.sqlite W0107 capacity 12\n  caseload decide record.sqlite --withdraw 4\n  caseload decide record.sqlite --list\n\nKINDS: accept (the proposed change stands), reject (the case stays with its previous worker,\nor unallocated if it had none), assign W (to worker W), never W (W may never hold it);\non a worker instead of a case: W leaving, W leave (on leave), W capacity POINTS.\nreject, assign and never need --note saying why (policy.toml `[decisions] note_required =\nfalse` turns that off); in a workbook, the `note` column beside `decision`.\nA decision is taken on the newest run's proposal and stands until withdrawn: every later\nrun with --record applies it on top of the input files, or says why it cannot."
)]
pub struct DecideArgs {
    /// The record file.
    db: PathBuf,
    /// The case (for leaving, leave and capacity: the worker).
    #[arg(required_unless_present_any = ["withdraw", "list", "from"])]
    case: Option<String>,
    /// accept, reject, assign, never; leaving, leave, capacity.
    #[arg(value_parser = kind, required_unless_present_any = ["withdraw", "list", "from"])]
    kind: Option<DecisionKind>,
    /// The worker, for assign and never; the capacity in points, for capacity.
    worker: Option<String>,
    /// Who decides [default: the login name].
    #[arg(long, value_name = "NAME")]
    by: Option<String>,
    /// Why, in words (kept with the decision, shown in reasons and the record): required
    /// for reject, assign and never; with --from, for the rows whose `note` cell is empty.
    #[arg(long, value_name = "TEXT", default_value = "")]
    note: String,
    /// Withdraw the standing decision with this id.
    #[arg(long, value_name = "ID", conflicts_with_all = ["case", "kind", "worker", "note", "list"])]
    withdraw: Option<i64>,
    /// Record the decisions a manager wrote in the `decision` column of an
    /// allocation.xlsx (`accept`, `reject`, `assign W`, `never W`; empty cells skipped),
    /// each with the reason in its `note` cell: all of them, or none if one is wrong (each
    /// problem located at its cell).
    #[cfg(feature = "xlsx")]
    #[arg(long, value_name = "FILE", conflicts_with_all = ["case", "kind", "worker", "withdraw", "list"])]
    from: Option<PathBuf>,
    /// List the standing decisions (with --all, every decision ever taken).
    #[arg(long, conflicts_with_all = ["case", "kind", "worker", "note"])]
    list: bool,
    /// With --list: withdrawn decisions too.
    #[arg(long, requires = "list")]
    all: bool,
    /// With --list: print JSON.
    #[arg(long, requires = "list")]
    json: bool,
}

fn kind(text: &str) -> Result<DecisionKind, String> {
    text.parse()
}

/// `caseload decide`.
pub fn decide(args: DecideArgs) -> anyhow::Result<ExitCode> {
    let mut record = if args.list {
        Record::open_to_read(&args.db)?
    } else {
        super::record::open_to_write(&args.db)?
    };
    let by = args.by.clone().unwrap_or_else(super::record::login_name);
    if args.list {
        let decisions: Vec<DecisionRecord> = record
            .decisions()?
            .into_iter()
            .filter(|d| args.all || d.withdrawn.is_none())
            .collect();
        if args.json {
            outln!("{}", serde_json::to_string_pretty(&decisions)?);
        } else {
            out!("{}", decisions_table(&decisions, args.all));
        }
        return Ok(ExitCode::SUCCESS);
    }
    #[cfg(feature = "xlsx")]
    if let Some(path) = &args.from {
        return from_workbook(&mut record, &args.db, path, &by, &args.note);
    }
    if let Some(id) = args.withdraw {
        let d = record.withdraw(id, &by)?;
        outln!(
            "withdrew decision {id} ({}) for {}: the next recorded run no longer applies it",
            what(&d),
            d.decision.subject()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(case), Some(kind)) = (args.case, args.kind) else {
        anyhow::bail!("give a case and a kind, --withdraw ID or --list");
    };
    let bad = |what: String| caseload::record::RecordError::BadDecision {
        path: args.db.clone(),
        what,
    };
    // On a worker, CASE is the worker and WORKER the capacity (for `capacity`).
    let (case, worker, capacity) = match (kind, args.worker.as_deref()) {
        (DecisionKind::Capacity, Some(points)) => match points.trim().parse::<f64>() {
            Ok(c) => (None, Some(case.as_str()), Some(c)),
            Err(_) => {
                let what = format!("capacity: expected a number of points, got `{points}`");
                return Err(bad(what).into());
            }
        },
        (k, Some(extra)) if k.on_worker() => {
            let what =
                format!("`{kind}` is on a worker ({case}): nothing follows it, got `{extra}`");
            return Err(bad(what).into());
        }
        (k, None) if k.on_worker() => (None, Some(case.as_str()), None),
        (_, worker) => (Some(case.as_str()), worker, None),
    };
    let rules = rules_of_newest(&record)?;
    let ruling = caseload::validate::ask(kind, case, worker, capacity, &args.note, rules)
        .map_err(|refusal| bad(refusal_words(&refusal)))?;
    let new = NewDecision::new(ruling, by, args.note);
    let taken = record.decide(&new)?;
    let replaced: Vec<String> = record
        .decisions()?
        .iter()
        .filter(|d| {
            d.withdrawn
                .as_ref()
                .is_some_and(|w| w.superseded_by == Some(taken.decision.id))
        })
        .map(|d| d.decision.id.to_string())
        .collect();
    outln!(
        "decision {} by {} on run {}: {} for {}",
        taken.decision.id,
        one_line(&taken.decision.by),
        taken.on_run,
        what(&taken),
        taken.decision.subject()
    );
    let verdict = record.verdict(taken.on_run, taken.decision.id)?;
    outln!("{}", verdict_words(&verdict));
    if !replaced.is_empty() {
        outln!("it replaces decision(s) {}", replaced.join(", "));
    }
    outln!("every later run with --record applies it until it is withdrawn");
    Ok(ExitCode::SUCCESS)
}

/// What the newest run's policy asks of a decision taken on its proposal (the default
/// when there is no run yet: taking the decision then says so).
fn rules_of_newest(record: &Record) -> anyhow::Result<caseload::model::DecisionRules> {
    Ok(match record.last_run()? {
        Some(run) => record.run(run)?.meta.decision_rules(),
        None => caseload::model::DecisionRules::default(),
    })
}

/// A decision refused at the door, in words that say what to type.
fn refusal_words(refusal: &caseload::validate::Refusal) -> String {
    match refusal {
        caseload::validate::Refusal::NoReason(_) => format!(
            "{refusal}: say why with --note \"...\", e.g. --note \"known to the family\" \
             (policy.toml `[decisions] note_required = false` turns this off)"
        ),
        caseload::validate::Refusal::Shape(_) => refusal.to_string(),
    }
}

/// `applies: yes` or `applies: no: W2 is unavailable ...`, as `POST /api/decisions`
/// answers `applies` and `why`.
fn verdict_words(verdict: &caseload::validate::DecisionOutcome) -> String {
    if verdict.applied {
        "applies: yes (judged against that run's inputs; the next run holds to it)".to_string()
    } else {
        format!(
            "applies: no: {} (it is recorded, and every later run says so until it can hold)",
            caseload::text::one_line(&verdict.why)
        )
    }
}

/// What a decision does, in words: `reject: stays with W0101`.
fn what(d: &DecisionRecord) -> String {
    let d = &d.decision;
    let with = d
        .worker()
        .map_or("unallocated".to_string(), |w| format!("with {w}"));
    match &d.ruling {
        Ruling::Capacity { points, .. } => format!("capacity {}", caseload::text::num(*points)),
        Ruling::Leaving { .. } => "leaving".to_string(),
        Ruling::Leave { .. } => "on leave".to_string(),
        Ruling::Never { worker, .. } => format!("never {worker}"),
        Ruling::Assign { worker, .. } => format!("assign to {worker}"),
        r => format!("{}: stays {with}", r.kind()),
    }
}

fn decisions_table(decisions: &[DecisionRecord], all: bool) -> String {
    if decisions.is_empty() {
        return if all {
            "no decisions taken yet\n".to_string()
        } else {
            "no standing decisions\n".to_string()
        };
    }
    let mut s = format!(
        "{:>4}  {:<20}  {:<16}  {:<10}  {:<28}  {:>3}  note\n",
        "id", "time (UTC)", "by", "on", "decision", "run"
    );
    for d in decisions {
        let x = &d.decision;
        let _ = write!(
            s,
            "{:>4}  {:<20}  {:<16}  {:<10}  {:<28}  {:>3}  {}",
            x.id,
            x.at,
            one_line(&x.by),
            match (x.case(), x.worker()) {
                (Some(c), _) => c.as_str(),
                (None, w) => w.map_or("", |w| w.as_str()),
            },
            one_line(&what(d)),
            d.on_run,
            one_line(&x.note)
        );
        if let Some(w) = &d.withdrawn {
            let _ = write!(s, "  [withdrawn {} by {}", w.at, one_line(&w.by));
            if let Some(n) = w.superseded_by {
                let _ = write!(s, ", replaced by {n}");
            }
            s.push(']');
        }
        s.push('\n');
    }
    s
}

/// An overrule of the workbook without a reason, located at its `note` cell (at its
/// `decision` cell when the sheet has no `note` column).
#[cfg(feature = "xlsx")]
fn no_reason(
    file: &str,
    row: &caseload::io::workbook::DecisionRow,
    refusal: &caseload::validate::Refusal,
) -> caseload::error::InputError {
    let (column, cell, hint) = match &row.note_cell {
        Some(cell) => ("note", cell, format!("write why in {cell}")),
        None => (
            "decision",
            &row.cell,
            "the sheet has no `note` column: add one and write why there".to_string(),
        ),
    };
    caseload::error::InputError {
        file: file.to_string(),
        line: Some(row.row),
        cell: Some(cell.clone().into_boxed_str()),
        column: column.to_string(),
        code: caseload::codes::NO_REASON,
        message: format!(
            "{refusal} ({} for {}): {hint}, or give --note for every row",
            row.decision, row.case_id
        ),
    }
}

/// `decide --from allocation.xlsx`: the `decision` column, checked whole (each problem at
/// its cell) against the newest run, then recorded in one transaction.
#[cfg(feature = "xlsx")]
fn from_workbook(
    record: &mut Record,
    db: &std::path::Path,
    path: &std::path::Path,
    by: &str,
    note: &str,
) -> anyhow::Result<ExitCode> {
    use caseload::error::{InputError, InputErrors};
    let rows =
        caseload::io::workbook::read_decisions(path).map_err(caseload::Error::InvalidInput)?;
    let run = record
        .last_run()?
        .ok_or_else(|| caseload::record::RecordError::NoRun {
            path: db.to_path_buf(),
        })?;
    let cases: std::collections::BTreeSet<String> =
        record.rows(run)?.into_iter().map(|r| r.case_id).collect();
    let workers: std::collections::BTreeSet<String> = record
        .loads(run)?
        .into_iter()
        .map(|l| l.worker_id)
        .collect();
    let rules = record.run(run)?.meta.decision_rules();
    let file = path.display().to_string();
    let mut problems = Vec::new();
    let mut decisions = Vec::new();
    for row in rows.iter().filter(|r| !r.decision.is_empty()) {
        let mut problem = |message: String| {
            problems.push(InputError {
                file: file.clone(),
                line: Some(row.row),
                cell: Some(row.cell.clone().into_boxed_str()),
                column: "decision".to_string(),
                code: caseload::codes::PARSE,
                message,
            })
        };
        let mut words = row.decision.split_whitespace();
        let kind = match words.next().unwrap_or_default().parse::<DecisionKind>() {
            Ok(kind) if kind.on_worker() => {
                problem(format!(
                    "`{kind}` is a decision on a worker, not on this case: take it with \
                     `caseload decide DB WORKER {kind}`"
                ));
                continue;
            }
            Ok(kind) => kind,
            Err(e) => {
                problem(e);
                continue;
            }
        };
        let worker: Vec<&str> = words.collect();
        let worker = match (kind.names_worker(), worker.as_slice()) {
            (true, [w]) => Some(*w),
            (false, []) => None,
            (true, _) => {
                problem(format!("`{kind}` names one worker, e.g. `{kind} W0101`"));
                continue;
            }
            (false, _) => {
                problem(format!(
                    "`{kind}` takes no worker: it keeps the proposed or previous one"
                ));
                continue;
            }
        };
        if !cases.contains(&row.case_id) {
            problem(format!(
                "no case {} in run {run}, the newest run on the record",
                row.case_id
            ));
            continue;
        }
        if let Some(w) = worker.filter(|w| !workers.contains(*w)) {
            problem(format!(
                "no worker {w} in run {run}, the newest run on the record"
            ));
            continue;
        }
        // The row's own reason, else the one --note gives every row.
        let why = if row.note.is_empty() { note } else { &row.note };
        match caseload::validate::ask(kind, Some(&row.case_id), worker, None, why, rules) {
            Ok(ruling) => decisions.push(NewDecision {
                on_run: Some(run),
                ..NewDecision::new(ruling, by, why)
            }),
            Err(refusal @ caseload::validate::Refusal::NoReason(_)) => {
                problems.push(no_reason(&file, row, &refusal));
            }
            Err(e) => problem(e.to_string()),
        }
    }
    if !problems.is_empty() {
        return Err(caseload::Error::InvalidInput(InputErrors(problems)).into());
    }
    let taken = record.decide_all(&decisions)?;
    outln!(
        "recorded {} decision(s) from {} on run {run}; every later run with --record applies them",
        taken.len(),
        path.display()
    );
    for d in &taken {
        let verdict = record.verdict(d.on_run, d.decision.id)?;
        outln!(
            "  decision {}: {} for {}; {}",
            d.decision.id,
            what(d),
            d.decision.subject(),
            verdict_words(&verdict)
        );
    }
    Ok(ExitCode::SUCCESS)
}
