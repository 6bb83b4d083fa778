//! `import.toml`: the defaults an import fills in (weights and tags per case type, tags
//! from coded values, a worker's FTE and capacity, the policy), each stating its source,
//! and the date that "closed" is judged at. Every key is optional: what is not given
//! takes caseload's built-in default, whose source says it is one.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::CaseType;
use crate::codes;
use crate::error::InputError;

/// The source of caseload's own defaults, as the report shows it.
pub const BUILT_IN: &str = "caseload's built-in default (illustrative, not a published \
                            scheme): set your service's own in import.toml";

/// What an import fills in where the data says nothing.
#[derive(Clone, Debug)]
pub struct ImportConfig {
    /// The day "closed" is judged at: a closure, plan end or ceased date on or before it
    /// closes a row; `None` = today.
    pub as_at: Option<String>,
    /// The policy written to `policy.toml`, as TOML (any `policy.toml` key); `None` =
    /// caseload's default policy.
    pub policy: Option<toml::Table>,
    /// Defaults of every worker the `--workers` file does not describe.
    pub workers: WorkerDefaults,
    /// Weight, priority and tags of each case type.
    pub case_types: BTreeMap<CaseType, TypeDefaults>,
    /// Tags from coded values (e.g. legal status C1/C2 → `court`).
    pub tags: Vec<TagRule>,
}

/// A worker's defaults.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerDefaults {
    /// FTE in (0, 1].
    #[serde(default = "one")]
    pub fte: f64,
    /// Capacity in points; `None` = `fte × standard_capacity` of the policy.
    pub capacity: Option<f64>,
    /// Most cases a worker may hold.
    pub max_cases: Option<u32>,
    /// Skill tags every worker has.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Where these defaults come from.
    pub source: String,
}

/// A case type's defaults.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeDefaults {
    /// Workload points.
    pub weight: f64,
    /// 1..5, 5 most urgent.
    #[serde(default = "three")]
    pub priority: u8,
    /// Tags the worker must have.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Tags it is better for the worker to have.
    #[serde(default)]
    pub prefers: Vec<String>,
    /// Where these defaults come from (a council's published weighting scheme, a
    /// service's agreement).
    pub source: String,
}

/// A tag given to a child's case when a column holds one of some values.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagRule {
    /// Only on this Annex A list (e.g. 8); `None` = on any list, or in a CSV export.
    pub list: Option<u8>,
    /// The column, as a header phrase (`legal status` finds "Child's Legal Status").
    pub column: String,
    /// The coded values that give the tag (`C1` takes `C1: Interim care order`).
    pub values: Vec<String>,
    /// The tag.
    pub tag: String,
    /// `requires` (the worker must have it, the default) or `prefers`.
    #[serde(default, rename = "as")]
    pub use_as: TagUse,
    /// Where the rule comes from.
    pub source: String,
}

/// How a tag from a [`TagRule`] binds.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TagUse {
    /// The worker must have it.
    #[default]
    Requires,
    /// It is better that the worker has it.
    Prefers,
}

fn one() -> f64 {
    1.0
}

fn three() -> u8 {
    3
}

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    as_at: Option<String>,
    policy: Option<toml::Table>,
    workers: Option<WorkerDefaults>,
    #[serde(default)]
    case_types: BTreeMap<String, TypeDefaults>,
    tags: Option<Vec<TagRule>>,
}

impl Default for ImportConfig {
    fn default() -> Self {
        Self::from_file(File::default())
    }
}

impl ImportConfig {
    fn from_file(file: File) -> Self {
        let mut case_types: BTreeMap<CaseType, TypeDefaults> = CaseType::ALL
            .iter()
            .map(|&kind| (kind, built_in_type(kind)))
            .collect();
        for (name, defaults) in file.case_types {
            if let Some(kind) = CaseType::from_key(&name) {
                case_types.insert(kind, defaults);
            }
        }
        Self {
            as_at: file.as_at,
            policy: file.policy,
            workers: file.workers.unwrap_or_else(|| WorkerDefaults {
                fte: 1.0,
                capacity: None,
                max_cases: None,
                skills: Vec::new(),
                source: format!(
                    "{BUILT_IN} (a full-time worker at the policy's standard_capacity)"
                ),
            }),
            case_types,
            tags: file.tags.unwrap_or_else(built_in_tags),
        }
    }

    /// Reads `import.toml`.
    ///
    /// # Errors
    /// [`codes::IMPORT_CONFIG`] located at the line of the problem: not TOML, an unknown
    /// key or case type, a missing `source`, a value of the wrong type.
    pub fn read(path: &Path) -> Result<Self, InputError> {
        let (name, text) = super::read_text(path)?;
        Self::parse(&name, &text)
    }

    /// Parses the text of an `import.toml` named `name`.
    ///
    /// # Errors
    /// See [`ImportConfig::read`].
    pub fn parse(name: &str, text: &str) -> Result<Self, InputError> {
        let problem = |line: Option<u64>, column: &str, message: String| InputError {
            file: name.to_string(),
            line,
            column: column.to_string(),
            cell: None,
            code: codes::IMPORT_CONFIG,
            message,
        };
        let file: File = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() as u64 + 1);
            problem(line, "", e.message().to_string())
        })?;
        let line_of = |key: &str| {
            text.lines()
                .position(|l| l.contains(key))
                .map(|i| i as u64 + 1)
        };
        for name in file.case_types.keys() {
            if CaseType::from_key(name).is_none() {
                let known: Vec<&str> = CaseType::ALL.iter().map(|k| k.key()).collect();
                let message = format!(
                    "unknown case type `{name}`: the case types are {}",
                    known.join(", ")
                );
                return Err(problem(line_of(name), "case_types", message));
            }
        }
        let sources = file
            .workers
            .iter()
            .map(|w| ("workers", &w.source))
            .chain(file.case_types.iter().map(|(k, t)| (k.as_str(), &t.source)))
            .chain(
                file.tags
                    .iter()
                    .flatten()
                    .map(|t| (t.tag.as_str(), &t.source)),
            );
        for (what, source) in sources {
            if source.trim().is_empty() {
                let message = "every default states its source: `source` is empty".to_string();
                return Err(problem(line_of(what), what, message));
            }
        }
        if let Some(as_at) = &file.as_at {
            if super::cells::text_date(as_at).is_none() {
                let message = format!("`{as_at}` is not a date: write it as 2025-03-31");
                return Err(problem(line_of("as_at"), "as_at", message));
            }
        }
        Ok(Self::from_file(file))
    }
}

/// caseload's own defaults of a case type: heavier and more urgent as the work is more
/// intensive, no tags.
fn built_in_type(kind: CaseType) -> TypeDefaults {
    let (weight, priority) = match kind {
        CaseType::ChildProtection => (1.5, 5),
        CaseType::InCare => (1.25, 4),
        CaseType::InNeed => (1.0, 3),
        CaseType::CareLeaver => (0.75, 3),
        CaseType::Assessment => (1.0, 4),
    };
    TypeDefaults {
        weight,
        priority,
        requires: Vec::new(),
        prefers: Vec::new(),
        source: BUILT_IN.to_string(),
    }
}

/// caseload's own tag rule: a child in care on an interim (C1) or full (C2) care order is
/// court work.
fn built_in_tags() -> Vec<TagRule> {
    vec![TagRule {
        list: Some(8),
        column: "legal status".to_string(),
        values: vec!["C1".to_string(), "C2".to_string()],
        tag: "court".to_string(),
        use_as: TagUse::Requires,
        source: format!(
            "{BUILT_IN}; the codes are the SSDA903 legal statuses C1 (interim care order) \
             and C2 (full care order)"
        ),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_cover_every_case_type_and_state_their_source() {
        let config = ImportConfig::default();
        assert_eq!(config.case_types.len(), CaseType::ALL.len());
        assert!(config.case_types.values().all(|t| !t.source.is_empty()));
        assert_eq!(config.tags[0].tag, "court");
    }

    #[test]
    fn a_file_overrides_and_is_checked() {
        let text = "as_at = \"2025-03-31\"\n[case_types.child-protection]\nweight = 2.0\nsource = \"Anytown weighting 2024\"\n";
        let config = ImportConfig::parse("import.toml", text).unwrap();
        assert_eq!(config.case_types[&CaseType::ChildProtection].weight, 2.0);
        assert_eq!(config.case_types[&CaseType::InNeed].weight, 1.0);
        let bad = ImportConfig::parse(
            "import.toml",
            "[case_types.cp]\nweight = 2.0\nsource = \"x\"\n",
        );
        let e = bad.unwrap_err();
        assert_eq!((e.code, e.line), (codes::IMPORT_CONFIG, Some(1)));
        assert!(e.message.contains("unknown case type `cp`"));
        let e = ImportConfig::parse("import.toml", "\n[case_types.in-need]\nweight = 2.0\n")
            .unwrap_err();
        assert!(e.message.contains("source"), "{e}");
        let e = ImportConfig::parse("import.toml", "colour = 3\n").unwrap_err();
        assert_eq!(e.line, Some(1));
        let e = ImportConfig::parse("import.toml", "as_at = \"soon\"\n").unwrap_err();
        assert!(e.message.contains("not a date"));
    }
}
