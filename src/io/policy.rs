//! Reading `policy.toml` into a [`crate::model::Policy`], errors located by line.
//!
//! Every key is optional and defaults to [`Policy::default`]. Syntax errors, values of the
//! wrong type and unknown keys are reported here with their line; range and convexity
//! checks belong to [`crate::validate`], whose problems the caller locates with the
//! key lines kept here.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use toml_edit::{ImDocument, Item, TableLike, Value};

use super::source::{Rejection, Source};
use crate::codes;
use crate::error::{InputError, InputErrors};
use crate::model::{Band, CapacityMode, Policy, Scenario, Weights};
use crate::validate;

/// Top-level keys of `policy.toml`.
pub(super) const ROOT_KEYS: &[&str] = &[
    "standard_capacity",
    "capacity",
    "cross_team",
    "max_moves",
    "time_limit_s",
    "threads",
    "bands",
    "weights",
    "decisions",
];
/// Keys of a `[[bands]]` table.
const BAND_KEYS: &[&str] = &["from", "cost"];
/// Keys of the `[weights]` table.
const WEIGHT_KEYS: &[&str] = &["unallocated", "move", "preference"];
/// Keys of the `[decisions]` table.
const DECISION_KEYS: &[&str] = &["note_required"];

/// Parses and validates a `policy.toml` on its own.
///
/// Returns every problem (syntax, types, unknown keys, ranges, bands), each located by
/// `source.name` and line.
pub fn parse_policy(source: &Source) -> Result<Policy, InputErrors> {
    let read = read_policy(source);
    let mut errors = read.errors.clone();
    let scenario = Scenario {
        policy: read.policy.clone(),
        ..Scenario::default()
    };
    for problem in validate::validate(&scenario).0 {
        if !read.rejected(&problem.column) {
            errors.push(InputError {
                file: source.name.clone(),
                line: read.lines.line_of(&problem.column),
                column: problem.column,
                cell: None,
                code: problem.code,
                message: problem.message,
            });
        }
    }
    if errors.is_empty() {
        Ok(read.policy)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(InputErrors(errors))
    }
}

/// The line of each key path of a policy file (`threads`, `weights.move`,
/// `bands[1].cost`), to locate problems found after parsing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct KeyLines(BTreeMap<String, u64>);

impl KeyLines {
    /// The line of `path`, or of its nearest enclosing key (`bands[1]`, then `bands`).
    pub fn line_of(&self, path: &str) -> Option<u64> {
        let mut path = path;
        loop {
            if let Some(&line) = self.0.get(path) {
                return Some(line);
            }
            path = &path[..path.rfind(['.', '['])?];
        }
    }
}

/// A policy file read: the policy (defaults where a key was absent or wrong), where each
/// key is, the problems found, and the key paths that failed to parse.
#[derive(Clone, Debug, Default)]
pub(crate) struct PolicyRead {
    /// The policy, with the default for every key absent or in error.
    pub policy: Policy,
    /// The line of each key path.
    pub lines: KeyLines,
    /// Syntax, type and unknown-key problems.
    pub errors: Vec<InputError>,
    /// Key paths whose value was rejected (and replaced by the default).
    pub failed: BTreeSet<String>,
    /// Whether the file is not valid TOML (so every key has its default).
    pub syntax_error: bool,
}

impl PolicyRead {
    /// Whether the value of `key` was rejected, so that a validation problem about it
    /// would only repeat the parse error.
    pub fn rejected(&self, key: &str) -> bool {
        self.failed.contains(key)
    }

    /// Whether `cross_team` is known (its value, or its default, is what the user meant).
    pub fn cross_team_known(&self) -> bool {
        !self.syntax_error && !self.rejected("cross_team")
    }
}

/// Reads a policy file, collecting every problem rather than stopping at the first.
pub(crate) fn read_policy(source: &Source) -> PolicyRead {
    let text = source.text.strip_prefix('\u{feff}').unwrap_or(&source.text);
    let mut reader = Reader {
        file: &source.name,
        text,
        read: PolicyRead::default(),
    };
    match ImDocument::parse(text) {
        Ok(doc) => reader.root(doc.as_table()),
        Err(e) => {
            let line = e.span().map(|span| reader.line(span.start));
            let message = e.message().trim().replace('\n', "; ");
            reader.error(
                line,
                "",
                codes::SYNTAX,
                format!("not valid TOML: {message}"),
            );
            reader.read.syntax_error = true;
        }
    }
    reader.read
}

/// Walks a parsed document, filling the policy and recording lines and problems.
struct Reader<'a> {
    file: &'a str,
    text: &'a str,
    read: PolicyRead,
}

impl Reader<'_> {
    fn root(&mut self, table: &dyn TableLike) {
        for (key, item) in table.iter() {
            self.locate(key, table, key, item);
            let policy = &mut self.read.policy;
            let result = match key {
                "standard_capacity" => number(item).map(|v| policy.standard_capacity = v),
                "capacity" => capacity_mode(item).map(|v| policy.capacity = v),
                "cross_team" => boolean(item).map(|v| policy.cross_team = v),
                "max_moves" => whole(item, u64::MAX).map(|v| policy.max_moves = v),
                "time_limit_s" => number(item).map(|v| policy.time_limit_s = v),
                "threads" => whole(item, u32::MAX.into()).map(|v| policy.threads = v),
                "bands" => {
                    self.bands(item);
                    Ok(())
                }
                "weights" => {
                    self.weights(item);
                    Ok(())
                }
                "decisions" => {
                    self.decisions(item);
                    Ok(())
                }
                _ => Err(unknown_key(key, ROOT_KEYS)),
            };
            self.check(key, result);
        }
    }

    /// Reads `[[bands]]` (or `bands = [{...}, ...]`); keeps the default bands if any band
    /// is wrong, so that convexity is not checked on half a list.
    fn bands(&mut self, item: &Item) {
        let tables = match band_tables(item) {
            Ok(tables) => tables,
            Err(rejection) => return self.check("bands", Err(rejection)),
        };
        let errors_before = self.read.errors.len();
        let mut bands = Vec::with_capacity(tables.len());
        for (i, (table, span)) in tables.into_iter().enumerate() {
            let path = format!("bands[{i}]");
            let line = span.map(|s| self.line(s.start));
            self.record(&path, line);
            bands.push(self.band(&path, table));
        }
        if self.read.errors.len() == errors_before {
            self.read.policy.bands = bands.into_iter().flatten().collect();
        } else {
            self.read.failed.insert("bands".to_string());
        }
    }

    fn band(&mut self, path: &str, table: &dyn TableLike) -> Option<Band> {
        let (mut from, mut cost) = (None, None);
        for (key, item) in table.iter() {
            let key_path = format!("{path}.{key}");
            self.locate(&key_path, table, key, item);
            let result = match key {
                "from" => number(item).map(|v| from = Some(v)),
                "cost" => number(item).map(|v| cost = Some(v)),
                _ => Err(unknown_key(key, BAND_KEYS)),
            };
            self.check(&key_path, result);
        }
        for (key, value) in [("from", from), ("cost", cost)] {
            if value.is_none() && table.get(key).is_none() {
                let message = format!("each band needs `from` and `cost`; `{key}` is missing");
                self.reject(path, (codes::MISSING_KEY, message));
            }
        }
        Some(Band {
            from: from?,
            cost: cost?,
        })
    }

    fn weights(&mut self, item: &Item) {
        let Some(table) = item.as_table_like() else {
            let message = format!("expected a table ([weights]), got {}", item.type_name());
            return self.check("weights", Err((codes::PARSE, message)));
        };
        for (key, item) in table.iter() {
            let path = format!("weights.{key}");
            self.locate(&path, table, key, item);
            let weights: &mut Weights = &mut self.read.policy.weights;
            let result = match key {
                "unallocated" => number(item).map(|v| weights.unallocated = v),
                "move" => number(item).map(|v| weights.move_ = v),
                "preference" => number(item).map(|v| weights.preference = v),
                _ => Err(unknown_key(key, WEIGHT_KEYS)),
            };
            self.check(&path, result);
        }
    }

    /// Reads `[decisions]`: what a manager's decision must carry.
    fn decisions(&mut self, item: &Item) {
        let Some(table) = item.as_table_like() else {
            let message = format!("expected a table ([decisions]), got {}", item.type_name());
            return self.check("decisions", Err((codes::PARSE, message)));
        };
        for (key, item) in table.iter() {
            let path = format!("decisions.{key}");
            self.locate(&path, table, key, item);
            let rules = &mut self.read.policy.decisions;
            let result = match key {
                "note_required" => boolean(item).map(|v| rules.note_required = v),
                _ => Err(unknown_key(key, DECISION_KEYS)),
            };
            self.check(&path, result);
        }
    }

    /// Records the line of `path`: that of `key` in `table`, else of its value.
    fn locate(&mut self, path: &str, table: &dyn TableLike, key: &str, item: &Item) {
        let span = table
            .key(key)
            .and_then(|k| k.span())
            .or_else(|| item.span());
        let line = span.map(|s| self.line(s.start));
        self.record(path, line);
    }

    fn record(&mut self, path: &str, line: Option<u64>) {
        if let Some(line) = line {
            self.read.lines.0.insert(path.to_string(), line);
        }
    }

    fn check(&mut self, path: &str, result: Result<(), Rejection>) {
        if let Err(rejection) = result {
            self.reject(path, rejection);
        }
    }

    fn reject(&mut self, path: &str, (code, message): Rejection) {
        let line = self.read.lines.line_of(path);
        self.error(line, path, code, message);
        self.read.failed.insert(path.to_string());
    }

    fn error(&mut self, line: Option<u64>, column: &str, code: &'static str, message: String) {
        self.read.errors.push(InputError {
            file: self.file.to_string(),
            line,
            column: column.to_string(),
            cell: None,
            code,
            message,
        });
    }

    /// The 1-based line of a byte offset.
    fn line(&self, offset: usize) -> u64 {
        let before = &self.text.as_bytes()[..offset.min(self.text.len())];
        1 + before.iter().filter(|&&b| b == b'\n').count() as u64
    }
}

/// A table of `bands` and its span.
type BandTable<'a> = (&'a dyn TableLike, Option<Range<usize>>);

/// The tables of `bands`, each with its span: `[[bands]]` or an array of inline tables.
fn band_tables(item: &Item) -> Result<Vec<BandTable<'_>>, Rejection> {
    if let Some(tables) = item.as_array_of_tables() {
        return Ok(tables
            .iter()
            .map(|t| (t as &dyn TableLike, t.span()))
            .collect());
    }
    let not_tables = || {
        let message = format!(
            "expected [[bands]] tables with `from` and `cost`, got {}",
            item.type_name()
        );
        (codes::PARSE, message)
    };
    let array = item.as_array().ok_or_else(not_tables)?;
    array
        .iter()
        .map(|value| match value {
            Value::InlineTable(t) => Ok((t as &dyn TableLike, t.span())),
            _ => Err(not_tables()),
        })
        .collect()
}

fn unknown_key(key: &str, known: &[&str]) -> Rejection {
    let message = format!("unknown key `{key}`; known keys here: {}", known.join(", "));
    (codes::UNKNOWN_KEY, message)
}

fn wrong_type(expected: &str, item: &Item) -> Rejection {
    (
        codes::PARSE,
        format!("expected {expected}, got {}", item.type_name()),
    )
}

/// A float or an integer.
fn number(item: &Item) -> Result<f64, Rejection> {
    item.as_float()
        .or_else(|| item.as_integer().map(|i| i as f64))
        .ok_or_else(|| wrong_type("a number", item))
}

fn boolean(item: &Item) -> Result<bool, Rejection> {
    item.as_bool()
        .ok_or_else(|| wrong_type("true or false", item))
}

/// A whole number from 0 to `max` (the largest value of `T`).
fn whole<T: TryFrom<i64>>(item: &Item, max: u64) -> Result<T, Rejection> {
    let value = item
        .as_integer()
        .ok_or_else(|| wrong_type("a whole number", item))?;
    T::try_from(value).map_err(|_| {
        let message = format!("must be a whole number from 0 to {max}, got {value}");
        (codes::RANGE, message)
    })
}

fn capacity_mode(item: &Item) -> Result<CapacityMode, Rejection> {
    match item.as_str() {
        Some("hard") => Ok(CapacityMode::Hard),
        Some("soft") => Ok(CapacityMode::Soft),
        Some(other) => Err((
            codes::PARSE,
            format!("must be \"hard\" or \"soft\", got \"{other}\""),
        )),
        None => Err(wrong_type("\"hard\" or \"soft\"", item)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DecisionRules;

    fn read(text: &str) -> PolicyRead {
        read_policy(&Source::new("policy.toml", text))
    }

    /// `line: column [code]` of each error.
    fn located(read: &PolicyRead) -> Vec<String> {
        read.errors
            .iter()
            .map(|e| format!("{}: {} [{}]", e.line.unwrap_or(0), e.column, e.code))
            .collect()
    }

    #[test]
    fn an_empty_file_is_the_default_policy() {
        let read = read("");
        assert!(read.errors.is_empty());
        assert_eq!(read.policy, Policy::default());
    }

    #[test]
    fn every_key_is_read() {
        let text = "\u{feff}standard_capacity = 20\r\ncapacity = \"soft\"\r\ncross_team = true\r\n\
                    max_moves = 7\r\ntime_limit_s = 2.5\r\nthreads = 4\r\n\
                    [[bands]]\r\nfrom = 0.5\r\ncost = 1\r\n[[bands]]\r\nfrom = 1\r\ncost = 9.5\r\n\
                    [weights]\r\nunallocated = 100\r\nmove = 3\r\npreference = 0.5\r\n\
                    [decisions]\r\nnote_required = false\r\n";
        let read = read(text);
        assert_eq!(read.errors, []);
        let expected = Policy {
            standard_capacity: 20.0,
            capacity: CapacityMode::Soft,
            cross_team: true,
            max_moves: 7,
            time_limit_s: 2.5,
            threads: 4,
            bands: vec![
                Band {
                    from: 0.5,
                    cost: 1.0,
                },
                Band {
                    from: 1.0,
                    cost: 9.5,
                },
            ],
            weights: Weights {
                unallocated: 100.0,
                move_: 3.0,
                preference: 0.5,
            },
            decisions: DecisionRules {
                note_required: false,
            },
        };
        assert_eq!(read.policy, expected);
        assert_eq!(read.lines.line_of("bands[1].cost"), Some(12));
        assert_eq!(read.lines.line_of("weights.move"), Some(15));
        assert_eq!(read.lines.line_of("decisions.note_required"), Some(18));
    }

    #[test]
    fn a_note_is_required_unless_the_policy_says_not() {
        assert!(read("").policy.decisions.note_required);
        let read_off = read("decisions.note_required = false\n");
        assert_eq!(read_off.errors, []);
        assert!(!read_off.policy.decisions.note_required);
        let wrong = read("[decisions]\nnote_required = \"no\"\nreason = true\n");
        assert_eq!(
            located(&wrong),
            [
                "2: decisions.note_required [E-PARSE]",
                "3: decisions.reason [E-UNKNOWN-KEY]"
            ]
        );
        assert!(
            wrong.policy.decisions.note_required,
            "a rejected value keeps the default"
        );
        assert!(wrong.errors[1]
            .message
            .contains("known keys here: note_required"));
        let not_a_table = read("decisions = true\n");
        assert_eq!(located(&not_a_table), ["1: decisions [E-PARSE]"]);
    }

    #[test]
    fn dotted_keys_and_inline_bands_are_read() {
        let read = read(
            "weights.move = 5\nbands = [{ from = 0.5, cost = 1 },\n  { from = 0.9, cost = 2 }]\n",
        );
        assert_eq!(read.errors, []);
        assert_eq!(read.policy.weights.move_, 5.0);
        assert_eq!(
            read.policy.bands[1],
            Band {
                from: 0.9,
                cost: 2.0
            }
        );
        assert_eq!(read.lines.line_of("bands[1].from"), Some(3));
    }

    #[test]
    fn a_syntax_error_is_located() {
        let read = read("threads = 1\nmax_moves = \n");
        assert_eq!(located(&read), ["2:  [E-SYNTAX]"]);
        assert!(!read.cross_team_known());
    }

    #[test]
    fn every_type_error_and_unknown_key_is_reported_with_its_line() {
        let text = "standard_capacity = \"22\"\ncapacity = \"medium\"\ncross_team = \"yes\"\n\
                    threads = -1\nmax_moves = 1.5\ncolour = \"red\"\n\
                    [weights]\nmove = true\nspeed = 1\n\
                    [[bands]]\nfrom = 0.5\nprice = 1\n";
        let read = read(text);
        assert_eq!(
            located(&read),
            [
                "1: standard_capacity [E-PARSE]",
                "2: capacity [E-PARSE]",
                "3: cross_team [E-PARSE]",
                "4: threads [E-RANGE]",
                "5: max_moves [E-PARSE]",
                "6: colour [E-UNKNOWN-KEY]",
                "8: weights.move [E-PARSE]",
                "9: weights.speed [E-UNKNOWN-KEY]",
                "12: bands[0].price [E-UNKNOWN-KEY]",
                "10: bands[0] [E-MISSING-KEY]",
            ]
        );
        assert_eq!(
            read.policy.bands,
            Policy::default().bands,
            "bad bands are not half-read"
        );
        assert!(!read.cross_team_known());
        assert!(read.rejected("weights.move"));
    }

    #[test]
    fn key_lines_fall_back_to_the_enclosing_key() {
        let lines = KeyLines(BTreeMap::from([
            ("bands".to_string(), 3),
            ("bands[1]".to_string(), 7),
        ]));
        assert_eq!(lines.line_of("bands[1].cost"), Some(7));
        assert_eq!(lines.line_of("bands[2].cost"), Some(3));
        assert_eq!(lines.line_of("threads"), None);
    }

    #[test]
    fn parse_policy_locates_semantic_problems() {
        let text = "[[bands]]\nfrom = 0.5\ncost = 2\n[[bands]]\nfrom = 0.9\ncost = 1\n\n[weights]\nmove = -1\n";
        let errors = parse_policy(&Source::new("p.toml", text)).unwrap_err();
        let shown: Vec<String> = errors.0.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 2, "{errors}");
        assert!(
            shown[0].starts_with("p.toml:6: bands[1].cost: must be at least"),
            "{}",
            shown[0]
        );
        assert!(
            shown[1].starts_with("p.toml:9: weights.move: must be a number from 0 to 1,000,000"),
            "{}",
            shown[1]
        );
    }

    #[test]
    fn numbers_that_parse_but_break_the_solver_are_out_of_range() {
        let text = "standard_capacity = 1e308
max_moves = 9223372036854775807
time_limit_s = 1e300
[weights]
move = 9223372036854775807
unallocated = 1e30
";
        let errors = parse_policy(&Source::new("p.toml", text)).unwrap_err();
        let shown: Vec<String> = errors.0.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "p.toml:1: standard_capacity: must be a number from 0.01 to 10,000, got 1e308 [E-RANGE]",
                "p.toml:2: max_moves: must be a whole number from 0 to 1,000,000,000, got 9223372036854775807 [E-RANGE]",
                "p.toml:3: time_limit_s: must be a number greater than 0 and at most 1,000,000, got 1e300 [E-RANGE]",
                "p.toml:5: weights.move: must be a number from 0 to 1,000,000, got 9.223372036854776e18 [E-RANGE]",
                "p.toml:6: weights.unallocated: must be a number from 0 to 1,000,000, got 1e30 [E-RANGE]",
            ],
            "{errors}"
        );
    }
}
