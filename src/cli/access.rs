//! `caseload history DB --access [--since TIME] [--json]`: the service's access log.

use std::process::ExitCode;

use caseload::record::{AccessRecord, Record};

/// `--since`: a UTC date or time as the log writes them (`2026-12-07`,
/// `2026-12-07T09:30`, `2026-12-07T09:30:00Z`), given back in the log's own form so that
/// it compares as text.
pub fn since(text: &str) -> Result<String, String> {
    let t = text.trim().trim_end_matches('Z');
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (date, time) = t.split_once('T').unwrap_or((t, ""));
    let d: Vec<&str> = date.split('-').collect();
    let date_ok = d.len() == 3
        && d.iter().all(|p| digits(p))
        && d[0].len() == 4
        && d[1].len() == 2
        && d[2].len() == 2;
    let time_ok = time.is_empty()
        || time
            .split(':')
            .all(|p| digits(p.split('.').next().unwrap_or("")))
            && (2..=3).contains(&time.split(':').count());
    if date_ok && time_ok {
        Ok(if time.is_empty() {
            date.to_string()
        } else {
            format!("{date}T{time}")
        })
    } else {
        Err(format!(
            "a UTC date or time such as 2026-12-07 or 2026-12-07T09:30:00Z, got {text:?}"
        ))
    }
}

/// A list in the text table: the ids when few, else their count.
fn few(items: &[String]) -> String {
    match items.len() {
        0 => "-".to_string(),
        1..=5 => items.join(","),
        n => format!("{n} (--json lists them)"),
    }
}

fn who(row: &AccessRecord) -> String {
    match (row.access.email.is_empty(), row.access.sub.is_empty()) {
        (false, _) => row.access.email.clone(),
        (true, false) => row.access.sub.clone(),
        (true, true) => "(nobody)".to_string(),
    }
}

/// Prints the access log, oldest first.
pub fn list(record: &Record, since: Option<&str>, json: bool) -> anyhow::Result<ExitCode> {
    let rows = record.access_log(since)?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        outln!(
            "no calls in the access log{}",
            match since {
                Some(s) => format!(" since {s}"),
                None => String::new(),
            }
        );
        return Ok(ExitCode::SUCCESS);
    }
    for row in &rows {
        outln!(
            "{}  {}  {}  {} {}  {} {}  teams {}  children {}  workers {}",
            row.at,
            who(row),
            if row.access.role.is_empty() {
                "-"
            } else {
                &row.access.role
            },
            row.access.method,
            row.access.call,
            row.access.status,
            row.access.outcome,
            few(&row.access.teams),
            few(&row.access.children),
            few(&row.access.workers),
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_a_date_or_a_time_and_refuses_the_rest() {
        assert_eq!(since("2026-12-07").unwrap(), "2026-12-07");
        assert_eq!(since("2026-12-07T09:30").unwrap(), "2026-12-07T09:30");
        assert_eq!(
            since("2026-12-07T09:30:00Z").unwrap(),
            "2026-12-07T09:30:00"
        );
        for bad in [
            "yesterday",
            "2026-12",
            "07/12/2026",
            "2026-12-07T9",
            "2026-12-07Tx:y",
        ] {
            assert!(since(bad).is_err(), "{bad}");
        }
    }
}
