//! Numbers and markup as text, written one way everywhere: the bottom layer, it uses
//! nothing else of the crate.
//!
//! - [`num`]: a figure for people (reasons, tables, reports): at most 2 decimals.
//! - [`data_num`]: a figure in a data file (what-if comparison, grid points, charts):
//!   rounded to 6 decimals, empty when not a number.
//! - [`escape`]: text made safe inside HTML or SVG, in element content and attribute
//!   values alike.
//! - [`one_line`]: a value echoed in a message, its line breaks and other control
//!   characters escaped (`a\nb`), so each message stays one line.
//! - [`count`]: a whole number with thousands separated (`10,000`).

/// A number for people: at most 2 decimals, no trailing zeros, never `-0`
/// (`0.85`, `21`, `0`).
///
/// ```
/// use caseload::text::num;
/// assert_eq!(num(18.5), "18.5");
/// assert_eq!(num(22.0), "22");
/// assert_eq!(num(2.0 / 3.0), "0.67");
/// assert_eq!(num(-0.001), "0");
/// ```
pub fn num(x: f64) -> String {
    trimmed(format!("{x:.2}"))
}

/// A number in a data file: rounded half away from zero to 6 decimals, no trailing
/// zeros, never `-0`; empty for NaN (a missing figure), `inf` for an infinite one.
///
/// ```
/// use caseload::text::data_num;
/// assert_eq!(data_num(0.05), "0.05");
/// assert_eq!(data_num(21.0), "21");
/// assert_eq!(data_num(1.0 / 3.0), "0.333333");
/// assert_eq!(data_num(f64::NAN), "");
/// ```
pub fn data_num(x: f64) -> String {
    if x.is_nan() {
        return String::new();
    }
    let rounded = (x * 1e6).round() / 1e6;
    trimmed(format!("{rounded:.6}"))
}

/// `12.500` → `12.5`, `3.00` → `3`, `-0.00` → `0`; text without a decimal point (such as
/// `inf`) is left as it is.
fn trimmed(text: String) -> String {
    if !text.contains('.') {
        return text;
    }
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// Text made safe in HTML and SVG (XML), in element content and attribute values (single
/// or double quoted): `&`, `<`, `>`, `"` and `'` become entities.
///
/// ```
/// use caseload::text::escape;
/// assert_eq!(escape("Tom & 'Jo' <b>"), "Tom &amp; &#39;Jo&#39; &lt;b&gt;");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// A value echoed in a message, on one line: a line break written `\n`, a carriage
/// return `\r`, a tab `\t`, any other control character `\u{..}`. Every message stays
/// one line, so each line of the output starts with its own `file:line`.
///
/// ```
/// use caseload::text::one_line;
/// assert_eq!(one_line("a\nb"), "a\\nb");
/// assert_eq!(one_line("plain"), "plain");
/// ```
pub fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        match ch {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A whole number with its thousands separated by commas.
///
/// ```
/// use caseload::text::count;
/// assert_eq!(count(10_000), "10,000");
/// assert_eq!(count(999), "999");
/// ```
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn num_keeps_two_decimals_without_trailing_zeros() {
        assert_eq!(num(0.85), "0.85");
        assert_eq!(num(21.0), "21");
        assert_eq!(num(20.5), "20.5");
        assert_eq!(num(1.239), "1.24");
        assert_eq!(num(-1.5), "-1.5");
        assert_eq!(num(-0.004), "0");
        assert_eq!(num(0.0), "0");
        assert_eq!(num(1e6), "1000000");
    }

    #[test]
    fn num_writes_non_finite_numbers_as_rust_does() {
        assert_eq!(num(f64::INFINITY), "inf");
        assert_eq!(num(f64::NEG_INFINITY), "-inf");
        assert_eq!(num(f64::NAN), "NaN");
    }

    #[test]
    fn data_num_rounds_to_six_decimals() {
        assert_eq!(data_num(0.05), "0.05");
        assert_eq!(data_num(0.1 + 0.2), "0.3");
        assert_eq!(data_num(1.0 / 3.0), "0.333333");
        assert_eq!(data_num(2.0 / 3.0), "0.666667");
        assert_eq!(data_num(-0.0000004), "0");
        assert_eq!(data_num(100.0), "100");
        // Half away from zero at the 6th decimal, before formatting.
        assert_eq!(data_num(0.0000005), "0.000001");
    }

    #[test]
    fn data_num_of_missing_and_infinite_figures() {
        assert_eq!(data_num(f64::NAN), "");
        assert_eq!(data_num(f64::INFINITY), "inf");
        assert_eq!(data_num(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jo'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jo&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("plain"), "plain");
    }

    #[test]
    fn one_line_escapes_breaks_and_other_control_characters() {
        assert_eq!(one_line("a\nb\r\tc"), "a\\nb\\r\\tc");
        assert_eq!(one_line("x\u{7}y"), "x\\u{7}y");
        assert_eq!(one_line("née, 3 rue"), "née, 3 rue");
    }

    #[test]
    fn count_groups_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(1_000_000_000), "1,000,000,000");
    }
}
