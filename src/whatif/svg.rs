//! `comparison.svg`: the variants side by side on the figures a planner looks at first,
//! one panel per figure, one bar per variant (the mean), with a whisker from p10 to p90
//! when the variant has several random draws. Written by hand as text.

use std::fmt::Write;

use super::metrics::Metric;
use super::run::Comparison;
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

/// The chart as SVG text.
pub fn chart(comparison: &Comparison) -> String {
    let rows = &comparison.rows;
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
        let name: String = row.variant.name.chars().take(42).collect();
        let colour = if row.outcomes().next().is_none() {
            "#c0392b"
        } else {
            "#000"
        };
        let _ = writeln!(
            svg,
            r#"<text x="10" y="{}" fill="{colour}">{}</text>"#,
            y + 15.0,
            escape(&name)
        );
    }
    for (p, &(metric, title, scale)) in PANELS.iter().enumerate() {
        panel(&mut svg, comparison, p, metric, title, scale);
    }
    svg.push_str("</svg>\n");
    svg
}

fn panel(
    svg: &mut String,
    comparison: &Comparison,
    p: usize,
    metric: Metric,
    title: &str,
    scale: f64,
) {
    let x0 = LABEL_W + p as f64 * (PANEL_W + GUTTER);
    let spreads: Vec<_> = comparison.rows.iter().map(|r| r.spread(metric)).collect();
    let max = spreads
        .iter()
        .flatten()
        .map(|s| s.p90.max(s.mean) * scale)
        .fold(0.0, f64::max);
    let max = if max > 0.0 { max } else { 1.0 };
    let x = |v: f64| x0 + (v * scale / max).clamp(0.0, 1.0) * PANEL_W;
    let bottom = TOP + comparison.rows.len().max(1) as f64 * ROW_H;
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
