//! `import-report.md`: every assumption, every default with its source, every dropped or
//! doubtful row (counted, and listed by sheet and row), the hand-overs, the workers named
//! in two teams, and which columns were read and which were left.

use std::fmt::Write as _;

use std::collections::BTreeMap;

use super::config::{ImportConfig, TagUse};
use super::{CaseType, Note, Reading};
use crate::model::Scenario;

/// What building decided, for the report.
#[derive(Debug, Default)]
pub(crate) struct Decided {
    /// Children on two lists (or rows) with different teams: the hand-overs.
    pub handovers: Vec<String>,
    /// One name in two teams: two workers.
    pub two_teams: Vec<String>,
    /// Skills a worker was given because they hold a case that requires it.
    pub inferred: Vec<String>,
    /// What the `--workers` file gave, and what it did not match.
    pub staff: Vec<String>,
    /// Rows read with a doubt found while building (a child open twice on one list).
    pub doubtful: Vec<Note>,
    /// Cases by type.
    pub by_type: BTreeMap<CaseType, usize>,
    /// Workers from the data, from the `--workers` file only, and given defaults.
    pub workers_seen: usize,
    pub workers_from_file_only: usize,
    pub workers_defaulted: usize,
    /// The `--workers` file, if any.
    pub staff_file: Option<String>,
}

/// The note of an import.
pub(crate) fn render(
    reading: &Reading,
    decided: &Decided,
    scenario: &Scenario,
    config: &ImportConfig,
) -> String {
    let mut md = String::new();
    let w = &mut md;
    let _ = writeln!(w, "# Import report\n");
    let _ = writeln!(w, "- Read: `{}` ({})", reading.source, reading.kind);
    if let Some(file) = &decided.staff_file {
        let _ = writeln!(w, "- Workers file: `{file}`");
    }
    let _ = writeln!(w, "- Closed rows judged at: {}", reading.as_at);
    let by_type: Vec<String> = decided
        .by_type
        .iter()
        .map(|(k, n)| format!("{n} {}", k.key()))
        .collect();
    let _ = writeln!(
        w,
        "- Cases: {} ({})",
        scenario.cases.len(),
        if by_type.is_empty() {
            "none".to_string()
        } else {
            by_type.join(", ")
        }
    );
    let unallocated = scenario
        .cases
        .iter()
        .filter(|c| c.current_worker.is_none())
        .count();
    let _ = writeln!(w, "- Cases with no current worker: {unallocated}");
    let _ = writeln!(
        w,
        "- Workers: {} ({} named in the data, {} only in the workers file; {} on defaults alone)",
        scenario.workers.len(),
        decided.workers_seen,
        decided.workers_from_file_only,
        decided.workers_defaulted
    );
    let doubtful = reading.doubtful.len() + decided.doubtful.len();
    let _ = writeln!(
        w,
        "- Rows dropped: {}; rows read with a doubt: {doubtful}; hand-overs: {}; names in two \
         teams: {}\n",
        reading.dropped.len(),
        decided.handovers.len(),
        decided.two_teams.len()
    );

    let _ = writeln!(w, "## Assumptions\n");
    let fixed = [
        "One case per child (by Child Unique ID) open on any list read; its type is that of \
         the most intensive open list: child protection > in care > in need > care leaver > \
         assessment (section 47 > assessment > referral).",
        "A case's team and current worker are those of that most intensive open row; its \
         tags are those of all its open rows.",
        "A blank worker, an error value (`#N/A`) or a word for nobody (`Unallocated`, `TBC`, \
         `-`) is no current worker: the child is a new case to allocate.",
        "Names and teams are compared without regard to case, repeated or non-breaking \
         spaces; the spelling shown is the most used one (then one in mixed case).",
        "A worker is one (team, name): the same name in two teams is two workers (listed \
         below). Its id is a hash of the two, so it does not change when rows move or \
         children are added.",
        "A worker who holds a case that requires a tag is taken to have it (listed below), \
         unless the workers file gives their skills.",
    ];
    for line in fixed
        .iter()
        .map(|s| s.to_string())
        .chain(reading.assumptions.iter().cloned())
    {
        let _ = writeln!(w, "- {line}");
    }

    let _ = writeln!(w, "\n## Defaults and their sources\n");
    let _ = writeln!(w, "| default | value | source |\n|---|---|---|");
    for (kind, t) in &config.case_types {
        let mut value = format!("weight {}, priority {}", t.weight, t.priority);
        if !t.requires.is_empty() {
            let _ = write!(value, ", requires {}", t.requires.join(";"));
        }
        if !t.prefers.is_empty() {
            let _ = write!(value, ", prefers {}", t.prefers.join(";"));
        }
        let _ = writeln!(
            w,
            "| case type `{}` | {value} | {} |",
            kind.key(),
            cell(&t.source)
        );
    }
    for rule in &config.tags {
        let on = rule.list.map(|n| format!("List {n} ")).unwrap_or_default();
        let binds = match rule.use_as {
            TagUse::Requires => "requires",
            TagUse::Prefers => "prefers",
        };
        let _ = writeln!(
            w,
            "| tag `{}` | {on}`{}` is {} → {binds} `{}` | {} |",
            rule.tag,
            cell(&rule.column),
            cell(&rule.values.join(" or ")),
            rule.tag,
            cell(&rule.source)
        );
    }
    let d = &config.workers;
    let capacity = d
        .capacity
        .map(|c| format!("capacity {c}"))
        .unwrap_or_else(|| {
            format!(
                "capacity fte × standard_capacity ({})",
                scenario.policy.standard_capacity
            )
        });
    let mut worker = format!("fte {}, {capacity}", d.fte);
    if let Some(m) = d.max_cases {
        let _ = write!(worker, ", max_cases {m}");
    }
    if !d.skills.is_empty() {
        let _ = write!(worker, ", skills {}", d.skills.join(";"));
    }
    let _ = writeln!(
        w,
        "| a worker the workers file does not describe | {worker} | {} |",
        cell(&d.source)
    );
    let policy_source = if config.policy.is_some() {
        "import.toml [policy]"
    } else {
        "caseload's default policy (docs/model.md)"
    };
    let _ = writeln!(w, "| policy.toml | as written | {policy_source} |");

    let _ = writeln!(w, "\n## What was read, and what was left\n");
    let _ = writeln!(
        w,
        "Only what allocation needs is written: ids, teams, workers, weights, priorities and \
         tags. No name of a child, date of birth, gender, ethnicity or disability is written, \
         nor any date; a column is read only for the uses listed, and a tag from a coded \
         value only where a rule above maps it.\n"
    );
    for t in &reading.tables {
        if t.header_row == 0 {
            let _ = writeln!(w, "- `{}`: {}", t.name, t.what);
            continue;
        }
        let _ = writeln!(
            w,
            "- `{}`: {}, header in row {}, {} rows",
            t.name, t.what, t.header_row, t.rows
        );
        for (header, what) in &t.read {
            let _ = writeln!(w, "  - read `{}`: {what}", inline(header));
        }
        if !t.left.is_empty() {
            let left: Vec<String> = t.left.iter().map(|h| format!("`{}`", inline(h))).collect();
            let _ = writeln!(w, "  - left unread ({}): {}", t.left.len(), left.join(", "));
        }
    }

    section(
        w,
        "Hand-overs (a child on lists of different teams)",
        &decided.handovers,
    );
    section(w, "Names in two teams", &decided.two_teams);
    section(
        w,
        "Skills taken from the cases a worker holds",
        &decided.inferred,
    );
    if decided.staff_file.is_some() {
        section(w, "Workers file", &decided.staff);
    }
    notes(w, "Dropped rows", &reading.dropped);
    let mut doubts = reading.doubtful.clone();
    doubts.extend(decided.doubtful.iter().cloned());
    notes(w, "Rows read with a doubt", &doubts);
    md
}

fn section(w: &mut String, title: &str, lines: &[String]) {
    let _ = writeln!(w, "\n## {title} ({})\n", lines.len());
    if lines.is_empty() {
        let _ = writeln!(w, "None.");
    }
    for line in lines {
        let _ = writeln!(w, "- {}", inline(line));
    }
}

fn notes(w: &mut String, title: &str, notes: &[Note]) {
    let _ = writeln!(w, "\n## {title} ({})\n", notes.len());
    if notes.is_empty() {
        let _ = writeln!(w, "None.");
    }
    for note in notes {
        let _ = writeln!(w, "- `{}`: {}", note.at, inline(&note.what));
    }
}

/// Text on one line.
fn inline(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

/// Text in a table cell.
fn cell(text: &str) -> String {
    inline(text).replace('|', "\\|")
}
