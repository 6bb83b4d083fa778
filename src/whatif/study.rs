//! A study: many scenario folders (one per authority, say) × their variants, solved as
//! one run (`caseload whatif --study STUDY.toml`), with one comparison row per
//! (scenario, variant) and a `scenario` column.
//!
//! ```toml
//! variants = "variants.toml"   # every scenario's variants (optional)
//!
//! [[scenario]]
//! dir = "../demo"              # the scenario folder, relative to this file
//!
//! [[scenario]]
//! name = "demo from workbooks" # the scenario column [default: the folder's name]
//! dir = "../demo-xlsx"
//! variants = "../demo-xlsx/variants.toml"  # its own variants (optional)
//! ```
//!
//! Each scenario's variants file is its own `variants`, else the study's, else the
//! `variants.toml` in its folder; paths are relative to the study file. Names are unique.
//! Every problem is located as `file:line: key: what is wrong [E-STUDY]`.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::error::WhatIfError;
use super::run::slug;
use crate::codes::STUDY;
use crate::error::{InputError, InputErrors};
use crate::io::variants::VARIANTS_FILE;
use crate::io::Source;
use crate::model::plan::{Limits, Plan};
use crate::model::Scenario;

/// Most scenarios in one study.
pub const MAX_SCENARIOS: usize = 10_000;

/// One scenario of a study file: its name, folder and variants file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StudyEntry {
    /// The `scenario` column.
    pub name: String,
    /// The scenario folder.
    pub dir: PathBuf,
    /// Its variants file.
    pub variants: PathBuf,
}

/// One scenario of a loaded study: its entry, scenario and plan.
#[derive(Clone, Debug, PartialEq)]
pub struct StudyScenario {
    /// Where it comes from.
    pub entry: StudyEntry,
    /// The base scenario.
    pub base: Scenario,
    /// Its variants.
    pub plan: Plan,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StudyDe {
    variants: Option<Spanned<String>>,
    #[serde(default)]
    scenario: Vec<Spanned<EntryDe>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryDe {
    name: Option<Spanned<String>>,
    dir: Spanned<String>,
    variants: Option<Spanned<String>>,
}

/// Parses a study file's text; paths are relative to `dir` (the file's folder).
///
/// # Errors
/// Every problem found, each with its line and key, code [`STUDY`].
pub fn parse_study(source: &Source, dir: &Path) -> Result<Vec<StudyEntry>, InputErrors> {
    let line = |offset: usize| {
        let end = offset.min(source.text.len());
        1 + source.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
    };
    let error = |line: Option<u64>, key: &str, message: String| InputError {
        file: source.name.clone(),
        line,
        column: key.to_string(),
        cell: None,
        code: STUDY,
        message,
    };
    let file: StudyDe = toml::from_str(&source.text).map_err(|e| {
        let at = e.span().map(|s| line(s.start));
        InputErrors(vec![error(at, "", e.message().trim().replace('\n', "; "))])
    })?;
    let mut errors = Vec::new();
    if file.scenario.is_empty() {
        let message = "no [[scenario]]: a study lists scenario folders, each `dir = \"...\"`";
        errors.push(error(Some(1), "scenario", message.into()));
    }
    if file.scenario.len() > MAX_SCENARIOS {
        let message = format!("{} scenarios, at most {MAX_SCENARIOS}", file.scenario.len());
        errors.push(error(Some(1), "scenario", message));
    }
    let shared = file.variants.as_ref().map(|v| dir.join(v.get_ref()));
    if let Some(v) = &file.variants {
        if v.get_ref().trim().is_empty() {
            errors.push(error(
                Some(line(v.span().start)),
                "variants",
                "is empty".into(),
            ));
        }
    }
    let mut entries: Vec<(StudyEntry, u64)> = Vec::new();
    for (i, spanned) in file.scenario.iter().enumerate() {
        let entry = spanned.get_ref();
        let key = |k: &str| format!("scenario[{}].{k}", i + 1);
        let folder = entry.dir.get_ref();
        let dir_line = Some(line(entry.dir.span().start));
        let path = dir.join(folder);
        if folder.trim().is_empty() {
            errors.push(error(dir_line, &key("dir"), "is empty".into()));
        } else if !path.is_dir() {
            let message = format!(
                "no scenario folder {} (relative to the study file)",
                path.display()
            );
            errors.push(error(dir_line, &key("dir"), message));
        }
        let name = match &entry.name {
            Some(n) => n.get_ref().trim().to_string(),
            None => folder_name(folder),
        };
        let name_line = entry
            .name
            .as_ref()
            .map_or(dir_line, |n| Some(line(n.span().start)));
        if slug(&name).is_empty() {
            let message = format!("{name:?} has no letter or digit: name the scenario");
            errors.push(error(name_line, &key("name"), message));
        } else if let Some((e, first)) = entries.iter().find(|(e, _)| slug(&e.name) == slug(&name))
        {
            let message = if e.name == name {
                format!("two scenarios are named `{name}` (first at line {first}): names must be unique")
            } else {
                format!(
                    "`{name}` and `{}` (line {first}) make the same folder name `{}`: rename one",
                    e.name,
                    slug(&name)
                )
            };
            errors.push(error(name_line, &key("name"), message));
        }
        let variants = match &entry.variants {
            Some(v) => dir.join(v.get_ref()),
            None => shared.clone().unwrap_or_else(|| path.join(VARIANTS_FILE)),
        };
        let at = name_line.unwrap_or(1);
        entries.push((
            StudyEntry {
                name,
                dir: path,
                variants,
            },
            at,
        ));
    }
    if errors.is_empty() {
        Ok(entries.into_iter().map(|(e, _)| e).collect())
    } else {
        errors.sort_by_key(|e| e.line);
        Err(InputErrors(errors))
    }
}

/// The last part of a folder path (`../authorities/leeds/` → `leeds`).
fn folder_name(folder: &str) -> String {
    Path::new(folder.trim_end_matches(['/', '\\']))
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| folder.to_string())
}

/// Reads the study file at `path`, then every scenario and its variants file (each
/// checked against `limits`).
///
/// # Errors
/// [`WhatIfError::Variants`] with the study file's problems, or the first scenario's or
/// variants file's that fails (`Base` or `Variants`).
pub fn load_study(path: &Path, limits: &Limits) -> Result<Vec<StudyScenario>, WhatIfError> {
    let name = path.display().to_string();
    let text = std::fs::read(path)
        .map_err(|e| format!("cannot read the study file: {e}"))
        .and_then(|b| String::from_utf8(b).map_err(|_| "not UTF-8 text: save it as UTF-8".into()))
        .map_err(|message| {
            WhatIfError::Variants(InputErrors(vec![InputError {
                file: name.clone(),
                line: None,
                column: String::new(),
                cell: None,
                code: STUDY,
                message,
            }]))
        })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let entries = parse_study(&Source::new(name, text), dir).map_err(WhatIfError::Variants)?;
    entries
        .into_iter()
        .map(|entry| {
            let base = crate::io::read::load_scenario(&entry.dir)?;
            let plan = crate::io::variants::load_plan_within(&entry.variants, &base, limits)
                .map_err(WhatIfError::Variants)?;
            Ok(StudyScenario { entry, base, plan })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<StudyEntry>, String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/study");
        parse_study(&Source::new("study.toml", text), &root).map_err(|e| e.to_string())
    }

    #[test]
    fn entries_take_their_own_then_the_shared_then_the_folder_variants() {
        let entries = parse(
            "variants = \"all.toml\"\n[[scenario]]\ndir = \"../demo\"\n\
             [[scenario]]\nname = \"b\"\ndir = \"../demo-xlsx/\"\nvariants = \"own.toml\"\n",
        )
        .unwrap();
        assert_eq!(entries[0].name, "demo");
        assert!(entries[0].variants.ends_with("study/all.toml"));
        assert_eq!(entries[1].name, "b");
        assert!(entries[1].variants.ends_with("study/own.toml"));
        let entries = parse("[[scenario]]\ndir = \"../demo\"\n").unwrap();
        assert!(entries[0].variants.ends_with("demo/variants.toml"));
    }

    #[test]
    fn problems_are_located() {
        let err = parse("[[scenario]]\ndir = \"../demo\"\n[[scenario]]\ndir = \"../nowhere\"\n")
            .unwrap_err();
        assert!(
            err.starts_with("study.toml:4: scenario[2].dir: no scenario folder"),
            "{err}"
        );
        assert!(err.ends_with("[E-STUDY]"), "{err}");
        let err = parse("[[scenario]]\ndir = \"../demo\"\n[[scenario]]\nname = \"demo\"\ndir = \"../demo-xlsx\"\n")
            .unwrap_err();
        assert!(
            err.starts_with(
                "study.toml:4: scenario[2].name: two scenarios are named `demo` (first at line 2)"
            ),
            "{err}"
        );
        let err = parse("[[scenario]]\nname = \"A b\"\ndir = \"../demo\"\n[[scenario]]\nname = \"a-B\"\ndir = \"../demo\"\n")
            .unwrap_err();
        assert!(err.contains("make the same folder name `a-b`"), "{err}");
        let err = parse("[[scenario]]\ndir = \"../demo\"\ncolour = 1\n").unwrap_err();
        assert!(
            err.starts_with("study.toml:3: ") && err.contains("colour"),
            "{err}"
        );
        let err = parse("variants = \"v.toml\"\n").unwrap_err();
        assert!(
            err.starts_with("study.toml:1: scenario: no [[scenario]]"),
            "{err}"
        );
        let err = parse("[[scenario]]\nname = \"a\"\n").unwrap_err();
        assert!(err.contains("dir"), "{err}");
    }
}
