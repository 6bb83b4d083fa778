//! `comparison.svg`: the variants side by side on the figures a planner looks at first,
//! one panel per figure, one bar per variant (the mean), with a whisker from p10 to p90
//! when the variant has several random draws. Written by hand as text.

use std::fmt::Write;

use super::metrics::{Metric, Spread};
use super::run::{Comparison, Row};
use crate::text::{data_num, escape};

/// The panels: metric, title, scale to display (utilisation in %).
const PANELS: [(Metric, &str, f64); 4] = [
    (Metric::UnallocatedPoints, "Unallocated (points)", 1.0),
    (Metric::RedWorkers, "Workers in red", 1.0),
    (Metric::MeanUtilisation, "Mean utilisation (%)", 100.0),
    (Metric::ForcedMoves, "Forced moves", 1.0),
];
const LABEL_W: f64 = 280.0;
const PANEL_W: f64 = 190.0;
const GUTTER: f64 = 24.0;
const ROW_H: f64 = 22.0;
const TOP: f64 = 64.0;
const COLOURS: [&str; 4] = ["#c0392b", "#8e44ad", "#2471a3", "#d68910"];

/// What the chart shows of one row.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ChartRow {
    /// The label (the variant's name).
    pub name: String,
    /// Whether no draw solved.
    pub failed: bool,
    /// The spread of each panel's metric.
    pub spreads: [Option<Spread>; PANELS.len()],
}

impl ChartRow {
    /// What the chart shows of `row`, labelled `name`.
    pub fn of(row: &Row, name: &str) -> Self {
        Self {
            name: name.chars().take(42).collect(),
            failed: row.outcomes().next().is_none(),
            spreads: PANELS.map(|(m, _, _)| row.spread(m)),
        }
    }
}

/// The chart as SVG text.
pub fn chart(comparison: &Comparison) -> String {
    let rows: Vec<ChartRow> = comparison
        .rows
        .iter()
        .map(|r| ChartRow::of(r, &r.variant.name))
        .collect();
    chart_rows(&rows)
}

/// The chart of rows.
pub(crate) fn chart_rows(rows: &[ChartRow]) -> String {
    let width = LABEL_W + PANELS.len() as f64 * (PANEL_W + GUTTER) + 10.0;
    let height = TOP + rows.len().max(1) as f64 * ROW_H + 40.0;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="10" y="22" font-size="16" font-weight="bold">What-if comparison</text>"#
    );
    let _ = writeln!(
        svg,
        r##"<text x="10" y="40" fill="#555">bar: mean across draws; whisker: 10th to 90th percentile</text>"##
    );
    for (i, row) in rows.iter().enumerate() {
        let y = TOP + i as f64 * ROW_H;
        if i % 2 == 1 {
            let _ = writeln!(
                svg,
                r##"<rect x="0" y="{y}" width="{width}" height="{ROW_H}" fill="#f4f6f7"/>"##
            );
        }
        let name = &row.name;
        let colour = if row.failed { "#c0392b" } else { "#000" };
        let _ = writeln!(
            svg,
            r#"<text x="10" y="{}" fill="{colour}">{}</text>"#,
            y + 15.0,
            escape(name)
        );
    }
    for (p, &(_, title, scale)) in PANELS.iter().enumerate() {
        panel(&mut svg, rows, p, title, scale);
    }
    svg.push_str("</svg>\n");
    svg
}

fn panel(svg: &mut String, rows: &[ChartRow], p: usize, title: &str, scale: f64) {
    let x0 = LABEL_W + p as f64 * (PANEL_W + GUTTER);
    let spreads: Vec<_> = rows.iter().map(|r| r.spreads[p]).collect();
    let max = spreads
        .iter()
        .flatten()
        .map(|s| s.p90.max(s.mean) * scale)
        .fold(0.0, f64::max);
    let max = if max > 0.0 { max } else { 1.0 };
    let x = |v: f64| x0 + (v * scale / max).clamp(0.0, 1.0) * PANEL_W;
    let bottom = TOP + rows.len().max(1) as f64 * ROW_H;
    let _ = writeln!(
        svg,
        r#"<text x="{x0}" y="{}" font-weight="bold">{}</text>"#,
        TOP - 8.0,
        escape(title)
    );
    let _ = writeln!(
        svg,
        r##"<line x1="{x0}" y1="{TOP}" x2="{x0}" y2="{bottom}" stroke="#999"/>"##
    );
    let _ = writeln!(
        svg,
        r##"<text x="{}" y="{}" fill="#555" text-anchor="end">{}</text>"##,
        x0 + PANEL_W,
        bottom + 16.0,
        data_num((max * 100.0).round() / 100.0)
    );
    for (i, spread) in spreads.iter().enumerate() {
        let y = TOP + i as f64 * ROW_H;
        let Some(s) = spread else {
            let _ = writeln!(
                svg,
                r##"<text x="{}" y="{}" fill="#c0392b">error</text>"##,
                x0 + 4.0,
                y + 15.0
            );
            continue;
        };
        let _ = writeln!(
            svg,
            r#"<rect x="{x0}" y="{}" width="{:.2}" height="{}" fill="{}" opacity="0.8"><title>{}: mean {}, p10 {}, p90 {}</title></rect>"#,
            y + 4.0,
            x(s.mean) - x0,
            ROW_H - 8.0,
            COLOURS[p % COLOURS.len()],
            escape(title),
            data_num(s.mean * scale),
            data_num(s.p10 * scale),
            data_num(s.p90 * scale)
        );
        if s.p90 > s.p10 {
            let ym = y + ROW_H / 2.0;
            let _ = writeln!(
                svg,
                r#"<line x1="{:.2}" y1="{ym}" x2="{:.2}" y2="{ym}" stroke="black"/>"#,
                x(s.p10),
                x(s.p90)
            );
        }
        let _ = writeln!(
            svg,
            r##"<text x="{:.2}" y="{}" fill="#333" font-size="10">{}</text>"##,
            x(s.mean.max(s.p90)) + 3.0,
            y + 15.0,
            data_num((s.mean * scale * 10.0).round() / 10.0)
        );
    }
}
