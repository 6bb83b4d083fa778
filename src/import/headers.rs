//! Text as real exports hold it: names and teams normalised, column headers matched by
//! pattern (tolerant of case, spacing, punctuation and line breaks), Annex A lists found
//! by the number (or the words) in a sheet's name.

/// Text with every run of white space (spaces, tabs, line breaks, non-breaking spaces)
/// made one space, and no space at either end: `"Jane\u{a0} Smith "` → `"Jane Smith"`.
pub fn clean(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{2007}' || c == '\u{202f}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The key two spellings of one name share: [`clean`], then lower case.
/// `"JANE  smith"` and `"Jane\u{a0}Smith "` have the key `"jane smith"`.
pub fn name_key(text: &str) -> String {
    clean(text).to_lowercase()
}

/// The words of a header: lower case, every character that is not a letter or a digit
/// a separator. `"Allocated\nWorker (name)"` → `["allocated", "worker", "name"]`.
pub fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// What a column is recognised by: phrases, any of which names it, and words that rule a
/// header out (an "Allocated Worker" pattern must not take "Allocated Personal Advisor").
#[derive(Clone, Debug)]
pub struct Pattern {
    /// Phrases in lower case, words separated by spaces: the header matches one when its
    /// words hold the phrase's words in a row, or when the header with nothing but its
    /// letters and digits holds the phrase likewise squashed (`ChildUniqueID`).
    pub phrases: &'static [&'static str],
    /// Words that rule a header out.
    pub unless: &'static [&'static str],
}

impl Pattern {
    /// Whether `header` names this column.
    pub fn matches(&self, header: &str) -> bool {
        matches_phrases(header, self.phrases.iter().copied(), self.unless)
    }
}

/// Whether `header` holds one of `phrases` (see [`Pattern`]) and none of `unless`.
pub fn matches_phrases<'a>(
    header: &str,
    phrases: impl IntoIterator<Item = &'a str>,
    unless: &[&str],
) -> bool {
    let header_words = words(header);
    if header_words.is_empty() || unless.iter().any(|u| header_words.iter().any(|w| w == u)) {
        return false;
    }
    let squashed: String = header_words.concat();
    phrases.into_iter().any(|phrase| {
        let want = words(phrase);
        !want.is_empty()
            && (header_words
                .windows(want.len())
                .any(|w| w == want.as_slice())
                || squashed.contains(&want.concat()))
    })
}

/// The Annex A list a sheet holds, from its name: the number after "list" or at the start
/// (`List 6`, `list_6`, `LIST6`, `6. CIN`, `List 8 - CLA`), else the words of the list
/// (`Child Protection`, `Care leavers`). `None` for any other sheet (a cover sheet, a
/// notes sheet, `Sheet1`).
pub fn list_number(sheet: &str) -> Option<u8> {
    let w = words(sheet);
    let number = |text: &str| text.parse::<u8>().ok().filter(|n| (1..=11).contains(n));
    // "list 6", "list6", "list_6"
    for (i, word) in w.iter().enumerate() {
        if let Some(rest) = word.strip_prefix("list") {
            if rest.is_empty() {
                if let Some(n) = w.get(i + 1).and_then(|next| number(next)) {
                    return Some(n);
                }
            } else if let Some(n) = number(rest) {
                return Some(n);
            }
        }
    }
    // "6. CIN", "8 - CLA", "6CIN"
    let first = w.first()?;
    let digits: String = first.chars().take_while(char::is_ascii_digit).collect();
    if !digits.is_empty() {
        return number(&digits);
    }
    list_by_words(sheet)
}

/// The list a sheet's name names in words, with no number.
fn list_by_words(sheet: &str) -> Option<u8> {
    const NAMES: [(u8, &[&str]); 11] = [
        (1, &["contacts", "contact"]),
        (2, &["early help"]),
        (3, &["referrals", "referral"]),
        (4, &["assessments", "assessment"]),
        (5, &["section 47", "s47"]),
        (6, &["children in need", "cin"]),
        (7, &["child protection", "cp"]),
        (
            8,
            &["children in care", "looked after", "cla", "cic", "lac"],
        ),
        (9, &["care leavers", "care leaver", "leaving care"]),
        (10, &["adoption", "adoptions"]),
        (11, &["adopters", "adopter"]),
    ];
    let w = words(sheet);
    // Longer lists first would not help: the names do not overlap but for "adopt…",
    // which are whole words here.
    NAMES.iter().find_map(|(n, names)| {
        names
            .iter()
            .any(|name| {
                let want = words(name);
                w.windows(want.len()).any(|win| win == want.as_slice())
            })
            .then_some(*n)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalised_for_case_spaces_and_nbsp() {
        assert_eq!(clean("  Jane\u{a0}\u{a0}Smith \t"), "Jane Smith");
        assert_eq!(clean("Jane\nSmith"), "Jane Smith");
        assert_eq!(name_key("JANE  smith"), name_key("Jane\u{a0}Smith "));
        assert_ne!(name_key("Jane Smith"), name_key("Jane Smyth"));
        assert_eq!(clean(" \u{a0} "), "");
    }

    #[test]
    fn headers_match_across_case_spacing_punctuation_and_line_breaks() {
        let worker = Pattern {
            phrases: &["allocated worker", "social worker"],
            unless: &["team", "advisor"],
        };
        for header in [
            "Allocated Worker",
            "allocated worker",
            "Allocated\nWorker",
            "ALLOCATED  WORKER ",
            "Allocated worker (name)",
            "Allocated_Worker",
            "AllocatedWorker",
            "Allocated\u{a0}Worker:",
            "Name of social worker",
        ] {
            assert!(worker.matches(header), "{header:?}");
        }
        for header in [
            "Allocated Team",
            "Allocated Personal Advisor",
            "Allocated worker team",
            "Worker",
            "",
        ] {
            assert!(!worker.matches(header), "{header:?}");
        }
        let id = Pattern {
            phrases: &["child unique id", "child id", "unique id"],
            unless: &[],
        };
        assert!(id.matches("Child Unique ID"));
        assert!(id.matches("ChildUniqueID"));
        assert!(id.matches("Child ID"));
        assert!(id.matches("Child's unique ID"));
        assert!(!id.matches("Child's name"));
    }

    #[test]
    fn lists_are_found_by_number_or_words_in_the_sheet_name() {
        for (sheet, list) in [
            ("List 6", 6),
            ("list_6", 6),
            ("LIST6", 6),
            ("6. CIN", 6),
            ("List 8 - CLA", 8),
            ("List 10", 10),
            ("List 1", 1),
            ("7 CP", 7),
            ("Child Protection", 7),
            ("Care leavers", 9),
            ("Section 47", 5),
            ("list 9 (care leavers)", 9),
        ] {
            assert_eq!(list_number(sheet), Some(list), "{sheet}");
        }
        for sheet in ["Sheet1", "Cover", "Notes", "List", "List 12", "Guidance"] {
            assert_eq!(list_number(sheet), None, "{sheet}");
        }
    }
}
