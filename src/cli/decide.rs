//! `caseload decide`: a manager's decision on the newest recorded run's proposal, a
//! withdrawal, or the list of decisions.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use caseload::model::{CaseId, DecisionKind, WorkerId};
use caseload::record::{DecisionRecord, NewDecision, Record};

/// Flags of `caseload decide`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  caseload decide record.sqlite C0042 reject --by \"Sam Jones\" --note \"court hearing next week\"\n  caseload decide record.sqlite C0042 assign W0107\n  caseload decide record.sqlite C0042 never W0103 --note \"conflict found in supervision\"\n  caseload decide record.sqlite --withdraw 4\n  caseload decide record.sqlite --list\n\nKINDS: accept (the proposed change stands), reject (the case stays with its previous worker,\nor unallocated if it had none), assign W (to worker W), never W (W may never hold it).\nA decision is taken on the newest run's proposal and stands until withdrawn: every later\nrun with --record applies it on top of the input files, or says why it cannot."
)]
pub struct DecideArgs {
    /// The record file.
    db: PathBuf,
    /// The case.
    #[arg(required_unless_present_any = ["withdraw", "list"])]
    case: Option<String>,
    /// accept, reject, assign or never.
    #[arg(value_parser = kind, required_unless_present_any = ["withdraw", "list"])]
    kind: Option<DecisionKind>,
    /// The worker, for assign and never.
    worker: Option<String>,
    /// Who decides [default: the login name].
    #[arg(long, value_name = "NAME")]
    by: Option<String>,
    /// Why, in words (kept with the decision, shown in reasons and the record).
    #[arg(long, value_name = "TEXT", default_value = "")]
    note: String,
    /// Withdraw the standing decision with this id.
    #[arg(long, value_name = "ID", conflicts_with_all = ["case", "kind", "worker", "note", "list"])]
    withdraw: Option<i64>,
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
    let mut record = Record::open(&args.db)?;
    let by = args.by.clone().unwrap_or_else(super::record::login_name);
    if args.list {
        let decisions: Vec<DecisionRecord> = record
            .decisions()?
            .into_iter()
            .filter(|d| args.all || d.withdrawn.is_none())
            .collect();
        if args.json {
            println!("{}", serde_json::to_string_pretty(&decisions)?);
        } else {
            print!("{}", decisions_table(&decisions, args.all));
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(id) = args.withdraw {
        let d = record.withdraw(id, &by)?;
        println!(
            "withdrew decision {id} ({}) for {}: the next recorded run no longer applies it",
            what(&d),
            d.decision.case_id
        );
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(case), Some(kind)) = (args.case, args.kind) else {
        anyhow::bail!("give a case and a kind, --withdraw ID or --list");
    };
    let worker = args.worker.map(WorkerId::new);
    let taken = record.decide(&NewDecision {
        case_id: CaseId::new(&case),
        kind,
        worker_id: worker,
        by,
        note: args.note,
    })?;
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
    println!(
        "decision {} by {} on run {}: {} for {}",
        taken.decision.id,
        taken.decision.by,
        taken.on_run,
        what(&taken),
        taken.decision.case_id
    );
    if !replaced.is_empty() {
        println!("it replaces decision(s) {}", replaced.join(", "));
    }
    println!("every later run with --record applies it until it is withdrawn");
    Ok(ExitCode::SUCCESS)
}

/// What a decision does, in words: `reject: stays with W0101`.
fn what(d: &DecisionRecord) -> String {
    let d = &d.decision;
    let with = d
        .worker_id
        .as_ref()
        .map_or("unallocated".to_string(), |w| format!("with {w}"));
    match (d.kind, &d.worker_id) {
        (DecisionKind::Never, Some(w)) => format!("never {w}"),
        (DecisionKind::Assign, Some(w)) => format!("assign to {w}"),
        (kind, _) => format!("{kind}: stays {with}"),
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
        "id", "time (UTC)", "by", "case", "decision", "run"
    );
    for d in decisions {
        let x = &d.decision;
        let _ = write!(
            s,
            "{:>4}  {:<20}  {:<16}  {:<10}  {:<28}  {:>3}  {}",
            x.id,
            x.at,
            x.by,
            x.case_id,
            what(d),
            d.on_run,
            caseload::text::one_line(&x.note)
        );
        if let Some(w) = &d.withdrawn {
            let _ = write!(s, "  [withdrawn {} by {}", w.at, w.by);
            if let Some(n) = w.superseded_by {
                let _ = write!(s, ", replaced by {n}");
            }
            s.push(']');
        }
        s.push('\n');
    }
    s
}
