//! Cells as real files hold them: dates as Excel serial numbers, date cells or text in
//! any of the usual UK forms; error values (`#N/A`); blanks; coded values (`a) Yes`,
//! `Yes`, `Y`, `1`; `C1: Interim care order`, `C1`).

use std::fmt;

/// One cell, whatever the file: a workbook's typed cell or a CSV field's text.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Nothing in it.
    Empty,
    /// Text, as typed (not yet cleaned).
    Text(String),
    /// A number (which, in a date column, is an Excel serial date).
    Number(f64),
    /// A date cell, as its Excel serial number.
    Date(f64),
    /// An error value such as `#N/A`, by its text.
    Error(String),
}

impl Cell {
    /// The cell as text: numbers as typed (`7`, not `7.0`), an error value or a date
    /// cell as empty.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(t) => super::headers::clean(t),
            Cell::Number(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 => {
                format!("{}", *x as i64)
            }
            Cell::Number(x) => format!("{x}"),
            Cell::Empty | Cell::Date(_) | Cell::Error(_) => String::new(),
        }
    }

    /// The error value in the cell (`#N/A`), or text that stands for one (`#N/A`,
    /// `N/A`, `#REF!` typed or pasted as text).
    pub fn error_value(&self) -> Option<String> {
        match self {
            Cell::Error(e) => Some(e.clone()),
            Cell::Text(t) => {
                let t = super::headers::clean(t);
                let upper = t.to_uppercase();
                let is_error = (t.starts_with('#') && t.len() > 1) || upper == "N/A";
                is_error.then_some(t)
            }
            _ => None,
        }
    }
}

/// A calendar date, as days since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day(pub i64);

impl Day {
    /// The date of `year-month-day`, when it is a real one.
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Day> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Day(era * 146_097 + doe - 719_468))
    }

    /// The date of an Excel serial number (1900 date system; the time of day dropped),
    /// when it is a plausible date for a child's record: 1950 to 2099 (serials 18,264 to
    /// 73,050). A smaller number is more likely a year or a count than a date.
    pub fn from_serial(serial: f64) -> Option<Day> {
        if !serial.is_finite() || !(18_264.0..73_051.0).contains(&serial) {
            return None;
        }
        Some(Day(serial.floor() as i64 - 25_569))
    }

    /// Today, by the system clock (UTC).
    pub fn today() -> Day {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Day((secs / 86_400) as i64)
    }

    /// `(year, month, day)`.
    pub fn ymd(self) -> (i64, u32, u32) {
        // Howard Hinnant's civil_from_days.
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i64::from(m <= 2);
        (y, m, d)
    }
}

impl fmt::Display for Day {
    /// ISO 8601: `2024-03-01`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// A date cell read: a date, nothing (blank), or why it cannot be read.
///
/// Read as dates: a date cell; a number (an Excel serial date, as a column of dates
/// pasted as values holds them); text as `01/03/2024`, `1/3/24`, `01-03-2024`,
/// `01.03.2024` (day first, as in the UK), `2024-03-01` (with or without a time),
/// `1 March 2024`, `01-Mar-2024`, `1 Mar 24`, or a serial number typed as text. An error
/// value reads as blank (the caller notes it).
///
/// # Errors
/// The reason, when the cell holds text that is none of these, or an impossible date.
pub fn date(cell: &Cell) -> Result<Option<Day>, String> {
    match cell {
        Cell::Empty | Cell::Error(_) => Ok(None),
        Cell::Date(serial) | Cell::Number(serial) => Day::from_serial(*serial)
            .map(Some)
            .ok_or_else(|| format!("the number {serial} is not an Excel date")),
        Cell::Text(text) => {
            let text = super::headers::clean(text);
            if text.is_empty() || cell.error_value().is_some() {
                return Ok(None);
            }
            text_date(&text).map(Some).ok_or_else(|| {
                format!(
                    "`{text}` is not a date: write it as 31/03/2024 (day first), 2024-03-31 \
                     or 31 March 2024, or make the cell a date"
                )
            })
        }
    }
}

/// A date typed as text, in the forms [`date`] lists.
pub fn text_date(text: &str) -> Option<Day> {
    let text = text.trim();
    if let Ok(serial) = text.parse::<f64>() {
        return Day::from_serial(serial);
    }
    // ISO, maybe with a time: 2024-03-01, 2024-03-01T00:00:00, 2024-03-01 09:30
    let date_part = text.split(['T', ' ']).next().unwrap_or(text);
    let parts: Vec<&str> = date_part.split(['-', '/', '.']).collect();
    if parts.len() == 3 && parts[0].len() == 4 {
        let y = parts[0].parse().ok()?;
        return Day::from_ymd(y, parts[1].parse().ok()?, parts[2].parse().ok()?);
    }
    // Day first: 01/03/2024, 1-3-24, 01.03.2024, 01-Mar-2024, 1 March 2024, 1 Mar 24
    let parts: Vec<&str> = text
        .split(['-', '/', '.', ' ', ','])
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() != 3 {
        return None;
    }
    let day: u32 = parts[0]
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .parse()
        .ok()?;
    let month = match parts[1].parse::<u32>() {
        Ok(m) => m,
        Err(_) => month_by_name(parts[1])?,
    };
    let year: i64 = parts[2].parse().ok()?;
    let year = match parts[2].len() {
        2 => 2000 + year, // children's social care dates: this century
        4 => year,
        _ => return None,
    };
    Day::from_ymd(year, month, day)
}

fn month_by_name(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let lower = name.to_lowercase();
    if lower.len() < 3 {
        return None;
    }
    let position = MONTHS.iter().position(|m| lower.starts_with(m))?;
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ][position];
    let sept = position == 8 && lower == "sept";
    (full.starts_with(&lower) || sept).then_some(position as u32 + 1)
}

/// A coded value without its option letter: `a) Yes` → `Yes`, `b)No` → `No`.
pub fn without_option_letter(text: &str) -> String {
    let text = super::headers::clean(text);
    if let Some((head, rest)) = text.split_once(')') {
        if (1..=2).contains(&head.len()) && head.chars().all(|c| c.is_ascii_alphabetic()) {
            return rest.trim().to_string();
        }
    }
    text
}

/// A coded yes or no: `a) Yes`, `Yes`, `Y`, `1`, `true` are yes; `b) No`, `No`, `N`, `0`,
/// `false` are no; anything else (blank, `Unknown`) is `None`.
pub fn yes_no(text: &str) -> Option<bool> {
    match without_option_letter(text).to_lowercase().as_str() {
        "yes" | "y" | "1" | "true" => Some(true),
        "no" | "n" | "0" | "false" => Some(false),
        _ => None,
    }
}

/// Whether a coded value is `code`: the value itself (in any case, option letter
/// dropped), or its first part before `:`, ` - ` or a space (`C1: Interim care order`
/// and `C1 - ICO` are `C1`; `C12` is not). The codes `Yes` and `No` take every coded
/// yes or no ([`yes_no`]).
pub fn is_code(value: &str, code: &str) -> bool {
    let value = without_option_letter(value).to_lowercase();
    let code = super::headers::clean(code).to_lowercase();
    if code.is_empty() {
        return false;
    }
    if code == "yes" || code == "no" {
        return yes_no(&value) == Some(code == "yes"); // `Yes` takes `a) Yes`, `Y`, `1`
    }
    value == code
        || value
            .strip_prefix(&code)
            .is_some_and(|rest| rest.starts_with(|c: char| !c.is_alphanumeric()))
}

/// The worker a cell names: `None` when blank, an error value, or a word for nobody
/// (`Unallocated`, `Not allocated`, `None`, `TBC`, `-`).
pub(crate) fn worker_name(cell: &Cell) -> Option<String> {
    if cell.error_value().is_some() {
        return None;
    }
    let name = cell.text();
    let key = super::headers::name_key(&name);
    let nobody = [
        "",
        "-",
        "--",
        "n/a",
        "na",
        "none",
        "tbc",
        "tba",
        "unallocated",
        "not allocated",
        "awaiting allocation",
        "no worker",
        "vacant",
    ];
    (!nobody.contains(&key.as_str())).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Option<String> {
        text_date(text).map(|d| d.to_string())
    }

    #[test]
    fn text_dates_in_the_usual_uk_forms() {
        for text in [
            "01/03/2024",
            "1/3/2024",
            "1/3/24",
            "01-03-2024",
            "01.03.2024",
            "2024-03-01",
            "2024-03-01T00:00:00",
            "2024-03-01 09:30:00",
            "1 March 2024",
            "01-Mar-2024",
            "1 Mar 24",
            "1st March 2024",
            "45352",
        ] {
            assert_eq!(day(text).as_deref(), Some("2024-03-01"), "{text}");
        }
        for text in [
            "31/02/2024",
            "next week",
            "2024",
            "13/13/2024",
            "1 Mrch 2024",
        ] {
            assert_eq!(day(text), None, "{text}");
        }
        assert_eq!(day("29/02/2024").as_deref(), Some("2024-02-29"));
        assert_eq!(day("29/02/2023"), None);
    }

    #[test]
    fn serial_numbers_date_cells_blanks_and_error_values() {
        assert_eq!(
            date(&Cell::Number(45352.0)).unwrap().unwrap().to_string(),
            "2024-03-01"
        );
        assert_eq!(
            date(&Cell::Date(45352.5)).unwrap().unwrap().to_string(),
            "2024-03-01"
        );
        assert_eq!(date(&Cell::Empty), Ok(None));
        assert_eq!(date(&Cell::Error("#N/A".into())), Ok(None));
        assert_eq!(date(&Cell::Text("#N/A".into())), Ok(None));
        assert_eq!(date(&Cell::Text(" \u{a0}".into())), Ok(None));
        assert!(date(&Cell::Text("soon".into()))
            .unwrap_err()
            .contains("`soon` is not a date"));
        assert!(date(&Cell::Number(-4.0)).is_err());
        assert_eq!(Day::from_ymd(1970, 1, 1), Some(Day(0)));
        assert_eq!(Day(19_783).to_string(), "2024-03-01");
        assert_eq!(Day::from_ymd(2024, 3, 1), Some(Day(19_783)));
    }

    #[test]
    fn coded_values() {
        for yes in ["a) Yes", "Yes", "Y", "1", "y", "YES", "a)Yes", "true"] {
            assert_eq!(yes_no(yes), Some(true), "{yes}");
        }
        for no in ["b) No", "No", "N", "0", "n"] {
            assert_eq!(yes_no(no), Some(false), "{no}");
        }
        for neither in ["", "c) Unknown", "maybe"] {
            assert_eq!(yes_no(neither), None, "{neither}");
        }
        assert!(is_code("C1: Interim care order", "C1"));
        assert!(is_code("C1 - ICO", "c1"));
        assert!(is_code("c2", "C2"));
        assert!(is_code("a) C2: FCO", "C2"));
        assert!(!is_code("C12", "C1"));
        assert!(!is_code("V2: Single period under S20", "C2"));
        assert!(is_code("Interim care order", "interim care order"));
        for yes in ["a) Yes", "Y", "1", "yes"] {
            assert!(is_code(yes, "Yes"), "{yes}");
            assert!(!is_code(yes, "No"), "{yes}");
        }
        assert!(is_code("b) No", "no"));
        assert!(!is_code("Unknown", "Yes"));
    }

    #[test]
    fn words_for_nobody_are_no_worker() {
        for nobody in ["", " ", "Unallocated", "TBC", "-", "not allocated", "#N/A"] {
            assert_eq!(worker_name(&Cell::Text(nobody.into())), None, "{nobody}");
        }
        assert_eq!(worker_name(&Cell::Error("#N/A".into())), None);
        assert_eq!(
            worker_name(&Cell::Text(" Jane\u{a0}Smith ".into())).as_deref(),
            Some("Jane Smith")
        );
    }
}
