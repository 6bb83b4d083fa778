//! `--report report.html`: one self-contained HTML page (inline CSS and SVG, no script,
//! no network) a manager can read on a laptop and print: status and gap, the objective by
//! term, per team each worker's load before → after against capacity in green, amber and
//! red, the moves with their reasons, and the unallocated cases with theirs.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::bands::{rag, thresholds, utilisation, Rag};
use super::ChangeCounts;
use crate::explain::Reason;
use crate::model::{Change, Instance};
use crate::solve::{Solution, Status};
/// The one escape of the crate, also here where it was first written.
pub use crate::text::escape;
use crate::text::num;

const STYLE: &str = r#"
:root { --green: #2e7d32; --amber: #b26a00; --red: #c62828; --ink: #1d1d1f; --muted: #5f6368; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink);
       max-width: 1100px; margin: 0 auto; padding: 24px; line-height: 1.4; background: #fff; }
h1 { font-size: 1.6em; margin: 0 0 4px; } h2 { font-size: 1.25em; margin: 28px 0 8px; border-bottom: 2px solid #ddd; }
h3 { font-size: 1.05em; margin: 18px 0 6px; }
.muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; margin: 6px 0 12px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e3e3e3; vertical-align: top; }
th { background: #f4f4f6; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 8px 14px; min-width: 110px; }
.card b { display: block; font-size: 1.5em; }
.band { font-weight: 600; } .band-green { color: var(--green); } .band-amber { color: var(--amber); } .band-red { color: var(--red); }
.legend span { margin-right: 14px; } .swatch { display: inline-block; width: 12px; height: 12px; vertical-align: middle; margin-right: 4px; }
svg.loads { width: 100%; height: auto; display: block; }
svg text { font-family: inherit; font-size: 12px; fill: var(--ink); }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; } section.team, tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// The whole report page. `title` names the scenario (e.g. its folder name).
pub fn render(title: &str, instance: &Instance, solution: &Solution, reasons: &[Reason]) -> String {
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Caseload allocation: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(title)
    );
    let _ = writeln!(
        page,
        "<header><h1>Caseload allocation: {}</h1>\n<p class=\"muted\">Proposed by caseload {} \
         from {} workers and {} children. Every move below says why it was made.</p></header>",
        escape(title),
        env!("CARGO_PKG_VERSION"),
        instance.workers.len(),
        instance.cases.len()
    );
    page.push_str(&overview(solution));
    page.push_str(&objective(solution));
    page.push_str(&teams(instance, solution));
    page.push_str(&moves(instance, solution, reasons));
    page.push_str(&unallocated(instance, solution, reasons));
    page.push_str("</body>\n</html>\n");
    page
}

fn overview(solution: &Solution) -> String {
    let counts = ChangeCounts::of(&solution.evaluation.change);
    let status = match solution.status {
        Status::Optimal => "optimal: no allocation scores better under the policy".to_string(),
        Status::TimeLimit => {
            "stopped at the time limit: the best allocation found so far".to_string()
        }
    };
    let bound = if solution.bound.is_finite() {
        num(solution.bound)
    } else {
        "unknown".to_string()
    };
    let mut s = format!(
        "<section id=\"status\"><h2>Status</h2>\n<p><b>Status:</b> {} &middot; <b>gap</b> {:.4}% \
         (objective {} against a proven bound of {})</p>\n<div class=\"cards\">",
        escape(&status),
        100.0 * solution.gap,
        num(solution.evaluation.objective.total),
        bound
    );
    for (label, n) in [
        ("children", counts.total),
        ("kept", counts.kept),
        ("moved (choice)", counts.moved),
        ("forced to move", counts.forced),
        ("new referrals placed", counts.new),
        ("unallocated", counts.unallocated),
    ] {
        let _ = write!(s, "<div class=\"card\"><b>{n}</b>{label}</div>");
    }
    s.push_str("</div></section>\n");
    s
}

fn objective(solution: &Solution) -> String {
    let o = &solution.evaluation.objective;
    let mut s = String::from(
        "<section id=\"objective\"><h2>Objective by term</h2>\n<p class=\"muted\">What the \
         optimiser minimises; lower is better. Unallocated work is priced by priority; load by \
         the green/amber/red bands; each discretionary move and each missing preferred skill \
         has a cost.</p>\n<table><tr><th>term</th><th class=\"num\">cost</th></tr>\n",
    );
    let pairs = (o.pairs != 0.0).then_some(("pairs (pairs.csv)", o.pairs));
    for (term, value) in [
        ("unallocated children", o.unallocated),
        ("load bands", o.bands),
        ("discretionary moves", o.moves),
        ("missing preferences", o.preferences),
    ]
    .into_iter()
    .chain(pairs)
    .chain([("total", o.total)])
    {
        let _ = writeln!(
            s,
            "<tr><td>{term}</td><td class=\"num\">{}</td></tr>",
            num(value)
        );
    }
    s.push_str("</table></section>\n");
    s
}

fn band_colour(band: Rag) -> &'static str {
    match band {
        Rag::Green => "#2e7d32",
        Rag::Amber => "#e0a000",
        Rag::Red => "#c62828",
    }
}

fn teams(instance: &Instance, solution: &Solution) -> String {
    let (amber, red) = thresholds(&instance.policy);
    let mut by_team: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (w, worker) in instance.workers.iter().enumerate() {
        by_team.entry(worker.team.as_str()).or_default().push(w);
    }
    let mut s = format!(
        "<section id=\"teams\"><h2>Loads by team</h2>\n<p class=\"legend\">Each bar is a \
         worker's load after the run against capacity (the black line is 100%); the thin grey \
         bar is the load before. <span><i class=\"swatch\" style=\"background:#2e7d32\"></i>green \
         below {:.0}%</span><span><i class=\"swatch\" style=\"background:#e0a000\"></i>amber up \
         to {:.0}%</span><span><i class=\"swatch\" style=\"background:#c62828\"></i>red above \
         {:.0}%</span></p>\n",
        100.0 * amber,
        100.0 * red,
        100.0 * red
    );
    for (team, workers) in by_team {
        let name = if team.is_empty() { "(no team)" } else { team };
        let _ = writeln!(
            s,
            "<section class=\"team\" data-team=\"{0}\"><h3>Team {0}</h3>",
            escape(name)
        );
        s.push_str(&chart(instance, solution, &workers));
        s.push_str(&load_table(instance, solution, &workers));
        s.push_str("</section>\n");
    }
    s.push_str("</section>\n");
    s
}

/// Horizontal bars, one per worker: before (grey) and after (coloured by band).
fn chart(instance: &Instance, solution: &Solution, workers: &[usize]) -> String {
    const LABEL: f64 = 190.0;
    const WIDTH: f64 = 560.0;
    const ROW: f64 = 26.0;
    let (amber, red) = thresholds(&instance.policy);
    let loads = &solution.evaluation.loads;
    let util = |w: usize, load: f64| utilisation(load, instance.capacity[w]);
    let top = workers
        .iter()
        .flat_map(|&w| [util(w, loads[w].load_before), util(w, loads[w].load_after)])
        .filter(|u| u.is_finite())
        .fold(red.max(1.0) + 0.1, f64::max)
        .min(3.0);
    let x = |u: f64| LABEL + WIDTH * (u.min(top) / top);
    let height = ROW * workers.len() as f64 + 24.0;
    let mut s = format!(
        "<svg class=\"loads\" viewBox=\"0 0 {} {height}\" role=\"img\" \
         aria-label=\"loads before and after against capacity\" \
         xmlns=\"http://www.w3.org/2000/svg\">\n",
        LABEL + WIDTH + 200.0
    );
    // Band backgrounds.
    for (from, to, colour) in [
        (0.0, amber, "#e8f5e9"),
        (amber, red, "#fff4d6"),
        (red, top, "#fdecea"),
    ] {
        if to > from {
            let _ = writeln!(
                s,
                "<rect x=\"{:.1}\" y=\"0\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"/>",
                x(from),
                x(to) - x(from),
                height - 20.0
            );
        }
    }
    for (i, &w) in workers.iter().enumerate() {
        s.push_str(&chart_row(instance, solution, w, i as f64 * ROW, &x));
    }
    let _ = writeln!(
        s,
        "<line x1=\"{0:.1}\" y1=\"0\" x2=\"{0:.1}\" y2=\"{1:.1}\" stroke=\"#000\" stroke-width=\"1.5\"/>\
         <text x=\"{0:.1}\" y=\"{2:.1}\" text-anchor=\"middle\">100%</text>",
        x(1.0),
        height - 20.0,
        height - 6.0
    );
    s.push_str("</svg>\n");
    s
}

fn chart_row(
    instance: &Instance,
    solution: &Solution,
    w: usize,
    y: f64,
    x: &dyn Fn(f64) -> f64,
) -> String {
    let worker = &instance.workers[w];
    let l = &solution.evaluation.loads[w];
    let cap = instance.capacity[w];
    let before = utilisation(l.load_before, cap);
    let after = utilisation(l.load_after, cap);
    let band = rag(&instance.policy, l.load_after, cap);
    let label = format!("{} {}", worker.id, worker.name);
    let note = if worker.available {
        format!(
            "{} → {} / {} ({})",
            num(l.load_before),
            num(l.load_after),
            num(cap),
            crate::explain::percent(l.load_after, cap)
        )
    } else {
        format!(
            "unavailable: {} → {}",
            num(l.load_before),
            num(l.load_after)
        )
    };
    let zero = x(0.0);
    format!(
        "<g class=\"worker\" data-worker=\"{id}\" data-band=\"{band}\">\
         <text x=\"4\" y=\"{ty:.1}\">{label}</text>\
         <rect x=\"{zero:.1}\" y=\"{yb:.1}\" width=\"{wb:.1}\" height=\"5\" fill=\"#9e9e9e\"/>\
         <rect x=\"{zero:.1}\" y=\"{ya:.1}\" width=\"{wa:.1}\" height=\"12\" fill=\"{colour}\"/>\
         <text x=\"{tx:.1}\" y=\"{ty:.1}\">{note}</text></g>\n",
        id = escape(worker.id.as_str()),
        band = band.as_str(),
        label = escape(&label),
        ty = y + 17.0,
        yb = y + 3.0,
        wb = x(before) - zero,
        ya = y + 9.0,
        wa = x(after) - zero,
        colour = band_colour(band),
        tx = x(f64::INFINITY) + 8.0,
        note = escape(&note),
    )
}

fn load_table(instance: &Instance, solution: &Solution, workers: &[usize]) -> String {
    let mut s = String::from(
        "<table class=\"loads\"><tr><th>worker</th><th class=\"num\">capacity</th>\
         <th class=\"num\">before</th><th class=\"num\">after</th><th class=\"num\">utilisation</th>\
         <th>band</th><th class=\"num\">received</th><th class=\"num\">given up</th></tr>\n",
    );
    for &w in workers {
        let worker = &instance.workers[w];
        let l = &solution.evaluation.loads[w];
        let cap = instance.capacity[w];
        let band = rag(&instance.policy, l.load_after, cap);
        let band_cell = if worker.available {
            format!("<span class=\"band band-{0}\">{0}</span>", band.as_str())
        } else {
            "unavailable".to_string()
        };
        let _ = writeln!(
            s,
            "<tr><td>{} {}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td>{band_cell}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(worker.id.as_str()),
            escape(&worker.name),
            num(cap),
            num(l.load_before),
            num(l.load_after),
            crate::explain::percent(l.load_after, cap),
            l.received,
            l.given_up
        );
    }
    s.push_str("</table>\n");
    s
}

fn worker_id(instance: &Instance, w: Option<usize>) -> String {
    w.map_or(String::new(), |w| escape(instance.workers[w].id.as_str()))
}

fn moves(instance: &Instance, solution: &Solution, reasons: &[Reason]) -> String {
    let eval = &solution.evaluation;
    let rows: Vec<usize> = (0..instance.cases.len())
        .filter(|&c| matches!(eval.change[c], Change::Moved | Change::Forced | Change::New))
        .collect();
    let mut s = format!(
        "<section id=\"moves\"><h2>Moves and new allocations ({})</h2>\n\
         <p class=\"muted\">Forced: the current worker no longer fits. Moved: a choice, from a \
         worker who still fits. New: a referral without a worker.</p>\n\
         <table><tr><th>child</th><th>change</th><th>from</th><th>to</th><th>reason</th></tr>\n",
        rows.len()
    );
    for c in rows {
        let _ = writeln!(
            s,
            "<tr data-case=\"{id}\" data-change=\"{ch}\"><td>{id}</td><td>{ch}</td><td>{}</td>\
             <td>{}</td><td>{}</td></tr>",
            worker_id(instance, instance.current[c]),
            worker_id(instance, eval.worker[c]),
            escape(&reasons[c].to_string()),
            id = escape(instance.cases[c].id.as_str()),
            ch = eval.change[c],
        );
    }
    s.push_str("</table></section>\n");
    s
}

fn unallocated(instance: &Instance, solution: &Solution, reasons: &[Reason]) -> String {
    let eval = &solution.evaluation;
    let mut rows: Vec<usize> = (0..instance.cases.len())
        .filter(|&c| eval.change[c] == Change::Unallocated)
        .collect();
    // Most urgent first, then by id.
    rows.sort_by(|&a, &b| {
        let (ca, cb) = (&instance.cases[a], &instance.cases[b]);
        cb.priority.cmp(&ca.priority).then(ca.id.cmp(&cb.id))
    });
    let mut s = format!(
        "<section id=\"unallocated\"><h2>Unallocated children ({})</h2>\n",
        rows.len()
    );
    if rows.is_empty() {
        s.push_str("<p>Every child has a worker.</p></section>\n");
        return s;
    }
    s.push_str(
        "<table><tr><th>child</th><th class=\"num\">priority</th><th class=\"num\">weight</th>\
         <th>previous worker</th><th>reason</th></tr>\n",
    );
    for c in rows {
        let case = &instance.cases[c];
        let _ = writeln!(
            s,
            "<tr data-case=\"{id}\" data-change=\"unallocated\"><td>{id}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            case.priority,
            num(case.weight),
            worker_id(instance, instance.current[c]),
            escape(&reasons[c].to_string()),
            id = escape(case.id.as_str()),
        );
    }
    s.push_str("</table></section>\n");
    s
}
