//! Wording helpers for the checker's messages: lists of ids in words.

/// How many ids a message lists before saying "and N more".
const LIST_AT_MOST: usize = 20;

/// `a`, `a and b`, `a, b and c`.
pub(super) fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Ids separated by commas, at most [`LIST_AT_MOST`] of them.
pub(super) fn list_ids<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    let ids: Vec<&str> = ids.into_iter().collect();
    let shown = ids[..ids.len().min(LIST_AT_MOST)].join(", ");
    match ids.len().saturating_sub(LIST_AT_MOST) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_joined_in_words_and_capped() {
        assert_eq!(join_and(&["a".into()]), "a");
        assert_eq!(
            join_and(&["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
        let many: Vec<String> = (0..25).map(|i| format!("C{i}")).collect();
        assert!(list_ids(many.iter().map(String::as_str)).ends_with("C19 and 5 more"));
    }
}
