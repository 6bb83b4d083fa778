//! The table printed after `allocate`: per team, each worker's load before → after
//! against capacity, utilisation and band, readable at a glance.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::bands::{rag, utilisation, Rag};
use crate::model::Instance;
use crate::solve::Solution;
use crate::text::num;

/// A bar of 20 cells for utilisation up to 100 %, then `+` marks for each 10 % above.
fn bar(u: f64) -> String {
    let filled = ((u.min(1.0) * 20.0).round() as usize).min(20);
    let mut text = "#".repeat(filled) + &".".repeat(20 - filled);
    if u.is_finite() && u > 1.0 {
        let over = ((u - 1.0) * 10.0).ceil() as usize;
        text.push_str(&"+".repeat(over.min(10)));
    }
    text
}

fn marker(band: Rag) -> &'static str {
    match band {
        Rag::Green => "",
        Rag::Amber => "amber",
        Rag::Red => "RED",
    }
}

/// The table: a block per team (workers by id), with received/given-up counts.
pub fn loads_table(instance: &Instance, solution: &Solution) -> String {
    let mut teams: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (w, worker) in instance.workers.iter().enumerate() {
        teams.entry(worker.team.as_str()).or_default().push(w);
    }
    let mut out = String::new();
    let name_width = instance
        .workers
        .iter()
        .map(|w| w.id.as_str().chars().count() + 1 + w.name.chars().count())
        .max()
        .unwrap_or(6)
        .clamp(6, 32);
    for (team, workers) in teams {
        let title = if team.is_empty() { "(no team)" } else { team };
        let _ = writeln!(
            out,
            "\n{:<w$}  {:>8}  {:>6} → {:<6} {:>5}  {:<7}  load (# = 5%, + = 10% over)",
            format!("team {title}"),
            "capacity",
            "before",
            "after",
            "util",
            "in/out",
            w = name_width + 2
        );
        for w in workers {
            out.push_str(&row(instance, solution, w, name_width));
        }
    }
    out
}

fn row(instance: &Instance, solution: &Solution, w: usize, width: usize) -> String {
    let worker = &instance.workers[w];
    let l = &solution.evaluation.loads[w];
    let cap = instance.capacity[w];
    let u = utilisation(l.load_after, cap);
    let util = if cap > 0.0 {
        format!("{:>4.0}%", 100.0 * u)
    } else {
        "  n/a".to_string()
    };
    let label: String = format!("{} {}", worker.id, worker.name)
        .chars()
        .take(width)
        .collect();
    let status = if worker.available {
        marker(rag(&instance.policy, l.load_after, cap)).to_string()
    } else {
        "unavailable".to_string()
    };
    format!(
        "  {label:<width$}  {:>8}  {:>6} → {:<6} {util}  +{:<2} -{:<2}  {} {status}\n",
        num(cap),
        num(l.load_before),
        num(l.load_after),
        l.received,
        l.given_up,
        bar(u),
    )
}
