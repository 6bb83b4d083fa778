//! A plain-language record of one run for governance, under the headings of the UK
//! Algorithmic Transparency Recording Standard (ATRS): what the tool does and why, who
//! is responsible, how it is used in decisions and where people oversee it, the policy
//! in words, the data used (files, SHA-256, counts), the technical specification
//! (model, solver, version, status) and the risks with their mitigations.
//!
//! The text is Markdown: readable as it is, and publishable as a page.

use std::fmt::Write as _;

use serde_json::Value;

use super::{InputFile, Record, RecordError, RunId, RunInfo};
use crate::text::num;
use crate::validate::DecisionOutcome;

/// The transparency record of run `id`, in Markdown.
pub fn transparency(record: &Record, id: RunId) -> Result<String, RecordError> {
    let run = record.run(id)?;
    let inputs = record.inputs(id)?;
    let decisions = record.run_decisions(id)?;
    Ok(render(&run, &inputs, &decisions))
}

fn render(run: &RunInfo, inputs: &[InputFile], decisions: &[DecisionOutcome]) -> String {
    let m = &run.meta;
    let c = &m.counts;
    let mut s = String::new();
    let mut line = |text: String| {
        s.push_str(&text);
        s.push('\n');
    };
    line(format!(
        "# Transparency record: caseload allocation, run {}\n",
        run.id
    ));
    line(format!(
        "Recorded {} by {}, caseload {}, scenario `{}`.\n",
        run.at, m.by, m.version, m.scenario
    ));

    line("## 1. Summary".into());
    line(
        "caseload proposes which social worker should hold each child in a children's \
         social care service. It is a decision-support tool: it proposes, a team manager \
         decides. This record describes one proposal, the rules it followed, the data it \
         used and the decisions people took on it.\n"
            .into(),
    );

    line("## 2. Owner and responsibility".into());
    line(format!(
        "- Run by: {} (the person or scheduled job that ran it).",
        m.by
    ));
    line(
        "- The team manager owns every allocation decision. The proposal changes nothing \
         by itself: a manager accepts, rejects or changes each proposed move, and their \
         decisions are kept in this record with their name, the time and their note.\n"
            .into(),
    );

    line("## 3. Description and rationale".into());
    line(
        "The tool keeps children with the social worker they know wherever it can, \
         respects the skills a case needs, keeps siblings together, honours conflicts of \
         interest, and spreads the load so that no worker is pushed into overload. \
         Allocation by hand in spreadsheets is slow and cannot show that it treated every \
         worker and child by the same rules; this tool applies the written policy below to \
         every case and says in words why each child is where they are.\n"
            .into(),
    );

    line("## 4. Decision-making process and human oversight".into());
    line(
        "- Each case's proposed worker comes with a reason in words (`allocation.csv`, \
         column `reason`); an independent checker re-verifies every hard rule.\n\
         - Managers record decisions on a proposal: accept, reject (the child stays with \
         their worker), assign to a chosen worker, or never a given worker. A decision \
         stands until withdrawn, and every later run applies it on top of the data, or \
         lists it as not applied and says why."
            .into(),
    );
    let (applied, not_applied): (Vec<&DecisionOutcome>, Vec<&DecisionOutcome>) =
        decisions.iter().partition(|o| o.applied);
    if decisions.is_empty() {
        line("- No manager's decision stood when this run was made.\n".into());
    } else {
        line(format!(
            "- Decisions standing when this run was made: {} applied, {} not applied.",
            applied.len(),
            not_applied.len()
        ));
        for o in &applied {
            line(format!("  - applied: {}", decision_words(o)));
        }
        for o in &not_applied {
            line(format!(
                "  - not applied: {} — because {}",
                decision_words(o),
                o.why
            ));
        }
        line(String::new());
    }

    line("## 5. The policy in words".into());
    let policy: Value = serde_json::from_str(&m.policy).unwrap_or(Value::Null);
    for sentence in policy_words(&policy) {
        line(format!("- {sentence}"));
    }
    line(String::new());

    line("## 6. Data".into());
    line(
        "The run used these input files, kept whole in the record (a run can be replayed \
         from them byte for byte):\n"
            .into(),
    );
    line("| file | bytes | SHA-256 |".into());
    line("|---|---:|---|".into());
    for f in inputs {
        line(format!(
            "| {} | {} | `{}` |",
            f.name,
            f.bytes.len(),
            f.sha256()
        ));
    }
    line(String::new());
    line(format!(
        "Cases: {} — kept with their worker {}, moved {}, moved because they had to \
         (forced) {}, new referrals placed {}, unallocated {}.\n",
        c.total, c.kept, c.moved, c.forced, c.new, c.unallocated
    ));

    line("## 7. Technical specification".into());
    line(
        "- Model: a mixed-integer program (hard rules as constraints, the policy's costs \
         as the objective), solved with HiGHS; documented in caseload's docs/model.md."
            .into(),
    );
    let bound = m.bound.map_or("unknown".to_string(), num);
    line(format!(
        "- Status: {}; objective {}, lower bound {bound}, gap {:.4} %.",
        m.status,
        num(m.objective.total),
        100.0 * m.gap
    ));
    line(format!(
        "- Objective by term: {}.",
        m.objective.terms_text(num)
    ));
    line(format!("- Solve options: `{}`.", m.options));
    line(format!("- caseload version {}.\n", m.version));

    line("## 8. Risks and mitigations".into());
    line(
        "- Wrong or stale data gives a wrong proposal: every input is validated (each \
         problem located by file and line) and kept with its SHA-256.\n\
         - A proposal could break a rule: an independent checker (`caseload check`) \
         re-verifies every hard rule and recomputes the objective.\n\
         - Children changing worker again and again: a move away from a worker who still \
         fits costs the move weight, and the number of such moves can be capped.\n\
         - The tool could be followed blindly: it never allocates by itself; each change \
         carries its reason, and managers' decisions override it and are recorded."
            .into(),
    );
    s
}

/// `decision 4 by Sam Jones on 2026-12-03: reject for C0042 (stays with W0101); note "…"`.
fn decision_words(o: &DecisionOutcome) -> String {
    let d = &o.decision;
    use crate::model::Ruling;
    let place = match &d.ruling {
        Ruling::Never { worker, .. } => format!("{worker} may never hold it"),
        Ruling::Assign { worker, .. } => format!("goes to {worker}"),
        Ruling::Leaving { worker } | Ruling::Leave { worker } => format!("{worker} holds no case"),
        Ruling::Capacity { worker, .. } => format!("{worker}'s capacity is set"),
        Ruling::Accept { worker, .. } | Ruling::Reject { worker, .. } => worker
            .as_ref()
            .map_or("stays unallocated".to_string(), |w| {
                format!("stays with {w}")
            }),
    };
    let mut text = format!(
        "decision {} by {} on {}: {} ({place})",
        d.id,
        d.by,
        d.at.get(..10).unwrap_or(&d.at),
        d.describe()
    );
    if !d.note.is_empty() {
        let _ = write!(text, "; note \"{}\"", crate::text::one_line(&d.note));
    } else if d.kind().overrules() {
        text.push_str("; no reason recorded");
    }
    text
}

/// The policy as sentences.
fn policy_words(p: &Value) -> Vec<String> {
    let number = |key: &str| p.get(key).and_then(Value::as_f64);
    let mut out = Vec::new();
    if let Some(cap) = number("standard_capacity") {
        out.push(format!(
            "A full-time worker's capacity is {} points of weighted work (part-time pro rata, \
             unless a worker's own capacity is given).",
            num(cap)
        ));
    }
    match p.get("capacity").and_then(Value::as_str) {
        Some("hard") => out.push(
            "Capacity is a hard limit: nobody is pushed over it, and nobody already over it is \
             pushed further."
                .into(),
        ),
        Some("soft") => out.push(
            "Capacity is soft: load above it is allowed but costs more, band by band.".into(),
        ),
        _ => {}
    }
    match p.get("cross_team").and_then(Value::as_bool) {
        Some(false) => out.push("A case stays within its team.".into()),
        Some(true) => out.push("A case may go to a worker of another team.".into()),
        None => {}
    }
    if let Some(moves) = p.get("max_moves").and_then(Value::as_u64) {
        out.push(format!(
            "At most {moves} children may be moved away from a worker who could keep them."
        ));
    }
    if let Some(bands) = p.get("bands").and_then(Value::as_array) {
        let parts: Vec<String> = bands
            .iter()
            .filter_map(|b| {
                let from = b.get("from")?.as_f64()?;
                let cost = b.get("cost")?.as_f64()?;
                Some(format!(
                    "above {}% of capacity each point costs {}",
                    num(100.0 * from),
                    num(cost)
                ))
            })
            .collect();
        if !parts.is_empty() {
            out.push(format!("Load bands: {}.", parts.join("; ")));
        }
    }
    if let Some(w) = p.get("weights") {
        let weight = |key: &str| w.get(key).and_then(Value::as_f64).map(num);
        if let (Some(u), Some(m), Some(pr)) =
            (weight("unallocated"), weight("move"), weight("preference"))
        {
            out.push(format!(
                "Weights: leaving a case unallocated costs {u} per point of its weight times \
                 its priority (1–5); moving a child from a worker who could keep them costs \
                 {m}; each preferred skill the worker lacks costs {pr}."
            ));
        }
    }
    match p
        .pointer("/decisions/note_required")
        .and_then(Value::as_bool)
    {
        Some(true) => out.push(
            "A manager who overrules a proposal (reject, assign, never) must say why; the \
             reason is kept with the decision."
                .into(),
        ),
        Some(false) => out.push(
            "A manager may overrule a proposal (reject, assign, never) without saying why \
             (note_required = false)."
                .into(),
        ),
        None => {}
    }
    out.push(
        "Hard rules, always: a case goes only to an available worker with every skill it \
         requires, of its team, not excluded by a conflict of interest; siblings stay \
         together; pinned cases stay; a child whose worker can keep them is never left \
         unallocated; limits on cases and new cases per worker hold."
            .into(),
    );
    out
}
