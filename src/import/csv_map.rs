//! A case-management export (CSV: Liquidlogic LCS, Mosaic, Eclipse, Azeus…) read with a
//! map file naming its columns and what their values mean (examples/*.map.toml).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::cells::{self, Cell, Day};
use super::config::ImportConfig;
use super::grid::{find_named, Grid};
use super::headers::name_key;
use super::{CaseType, Involvement, Note, Reading, TableRead};
use crate::codes;
use crate::error::{InputError, InputErrors};

/// What an export's columns are, and what their values mean.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportMap {
    /// About the export.
    #[serde(default)]
    pub export: Export,
    /// The export's column for each thing caseload reads.
    pub columns: Columns,
    /// What the values mean.
    #[serde(default)]
    pub values: Values,
    /// The map file, as shown in the report.
    #[serde(skip)]
    pub file: String,
}

/// About the export.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Export {
    /// The system and report it comes from, for the report.
    #[serde(default)]
    pub system: String,
    /// The field separator: `,` (the default), `;` or a tab.
    pub delimiter: Option<String>,
}

/// The export's column names (matched in any case, spacing and punctuation).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    /// The child's id (required).
    pub child: String,
    /// The allocated team (required).
    pub team: String,
    /// The allocated worker (required).
    pub worker: String,
    /// The kind of involvement, mapped by `[values.type]`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// A date that, on or before the import's day, closes the row.
    pub end_date: Option<String>,
    /// A status whose values in `values.closed` close the row.
    pub status: Option<String>,
}

/// What the values mean.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Values {
    /// The export's values of the type column → case types.
    #[serde(default, rename = "type")]
    pub kind: BTreeMap<String, String>,
    /// The case type of a row whose type is not mapped (or with no type column); a row
    /// without one is left out.
    pub default_type: Option<String>,
    /// Status values that close a row.
    #[serde(default)]
    pub closed: Vec<String>,
}

impl ExportMap {
    /// Reads a map file.
    ///
    /// # Errors
    /// [`codes::IMPORT_CONFIG`] located at its line: not TOML, an unknown key, a missing
    /// column, a case type that does not exist.
    pub fn read(path: &Path) -> Result<ExportMap, InputError> {
        let (name, text) = super::read_text(path)?;
        Self::parse(&name, &text)
    }

    /// Parses the text of a map file named `name`.
    ///
    /// # Errors
    /// See [`ExportMap::read`].
    pub fn parse(name: &str, text: &str) -> Result<ExportMap, InputError> {
        let problem = |line: Option<u64>, message: String| InputError {
            file: name.to_string(),
            line,
            column: String::new(),
            cell: None,
            code: codes::IMPORT_CONFIG,
            message,
        };
        let mut map: ExportMap = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() as u64 + 1);
            problem(line, e.message().to_string())
        })?;
        let kinds = map.values.kind.values().chain(&map.values.default_type);
        for kind in kinds {
            if CaseType::from_key(kind).is_none() {
                let line = text
                    .lines()
                    .position(|l| l.contains(kind.as_str()))
                    .map(|i| i as u64 + 1);
                let known: Vec<&str> = CaseType::ALL.iter().map(|k| k.key()).collect();
                let message = format!("unknown case type `{kind}`: they are {}", known.join(", "));
                return Err(problem(line, message));
            }
        }
        if let Some(d) = &map.export.delimiter {
            if !matches!(d.as_str(), "," | ";" | "\t" | "|") {
                let message = format!("a delimiter is `,`, `;`, `|` or a tab, got `{d}`");
                return Err(problem(None, message));
            }
        }
        map.file = name.to_string();
        Ok(map)
    }

    fn delimiter(&self) -> u8 {
        self.export
            .delimiter
            .as_deref()
            .and_then(|d| d.bytes().next())
            .unwrap_or(b',')
    }
}

/// Reads the export's open rows.
pub(crate) fn read(
    path: &Path,
    map: &ExportMap,
    config: &ImportConfig,
    as_at: Day,
) -> Result<Reading, InputErrors> {
    let grid = Grid::from_csv(path, map.delimiter()).map_err(|e| InputErrors(vec![e]))?;
    let system = if map.export.system.is_empty() {
        String::new()
    } else {
        format!(", {}", map.export.system)
    };
    let mut reading = Reading {
        source: grid.file.clone(),
        kind: format!("CSV export (map {}{system})", map.file),
        as_at: as_at.to_string(),
        ..Reading::default()
    };
    let Some((header_row, header_cells)) = grid.rows.first() else {
        return Err(InputErrors(vec![grid.error(
            1,
            None,
            "",
            codes::MISSING_COLUMN,
            "is empty: no header row".to_string(),
        )]));
    };
    let header: Vec<String> = header_cells.iter().map(Cell::text).collect();
    let mut errors = Vec::new();
    let mut column = |name: &str, required: bool| {
        let found = find_named(&header, name);
        if found.is_none() && required {
            errors.push(grid.error(
                *header_row,
                None,
                name,
                codes::MISSING_COLUMN,
                format!(
                    "the map's column is not in the header (its columns: {})",
                    header.join(" | ")
                ),
            ));
        }
        found
    };
    let child = column(&map.columns.child, true);
    let team = column(&map.columns.team, true);
    let worker = column(&map.columns.worker, true);
    let kind = map.columns.kind.as_deref().and_then(|c| column(c, true));
    let end = map
        .columns
        .end_date
        .as_deref()
        .and_then(|c| column(c, true));
    let status = map.columns.status.as_deref().and_then(|c| column(c, true));
    let (Some(child), Some(team), Some(worker)) = (child, team, worker) else {
        return Err(InputErrors(errors));
    };
    if !errors.is_empty() {
        return Err(InputErrors(errors));
    }
    let rules: Vec<(usize, &super::config::TagRule)> = config
        .tags
        .iter()
        .filter(|r| r.list.is_none())
        .filter_map(|r| find_named(&header, &r.column).map(|i| (i, r)))
        .collect();
    let mut read = vec![
        (child, "the case's id".to_string()),
        (team, "the case's team".to_string()),
        (worker, "the case's current worker".to_string()),
    ];
    read.extend(kind.map(|i| (i, "the case type, by [values.type]".to_string())));
    read.extend(end.map(|i| {
        (
            i,
            "a date on or before the import's day closes the row".to_string(),
        )
    }));
    read.extend(status.map(|i| (i, "a value in [values] closed closes the row".to_string())));
    for (i, rule) in &rules {
        read.push((
            *i,
            format!("{} → tag `{}`", rule.values.join("/"), rule.tag),
        ));
    }
    let used: std::collections::BTreeSet<usize> = read.iter().map(|(i, _)| *i).collect();
    reading.tables.push(TableRead {
        name: grid.file.clone(),
        what: "the export".to_string(),
        header_row: *header_row,
        rows: grid.rows.len() - 1,
        read: read
            .iter()
            .map(|(i, w)| (header[*i].clone(), w.clone()))
            .collect(),
        left: header
            .iter()
            .enumerate()
            .filter(|(i, h)| !h.is_empty() && !used.contains(i))
            .map(|(_, h)| h.clone())
            .collect(),
    });
    let types: BTreeMap<String, CaseType> = map
        .values
        .kind
        .iter()
        .filter_map(|(value, kind)| Some((name_key(value), CaseType::from_key(kind)?)))
        .collect();
    let default_type = map
        .values
        .default_type
        .as_deref()
        .and_then(CaseType::from_key);
    let closed_values: Vec<String> = map.values.closed.iter().map(|v| name_key(v)).collect();
    let source = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let empty = Cell::Empty;
    for (line, cells) in &grid.rows[1..] {
        let cell = |i: usize| cells.get(i).unwrap_or(&empty);
        let place = grid.row_place(*line);
        let id = cell(child).text();
        if id.is_empty() || cell(child).error_value().is_some() {
            let what = "no child id: left out".to_string();
            reading.dropped.push(Note { at: place, what });
            continue;
        }
        let mut closed = None;
        if let Some(i) = end {
            match cells::date(cell(i)) {
                Err(message) => {
                    let column = header[i].clone();
                    errors.push(grid.error(*line, Some(i), &column, codes::DATE, message));
                }
                Ok(Some(day)) if day <= as_at => closed = Some(format!("{} {day}", header[i])),
                Ok(Some(day)) => reading.doubtful.push(Note {
                    at: grid.cell_place(*line, i, &header[i]),
                    what: format!(
                        "child {id}: `{}` is {day}, after {as_at}: read as open",
                        header[i]
                    ),
                }),
                Ok(None) => {}
            }
        }
        if let Some(i) = status {
            let value = cell(i).text();
            if closed_values.contains(&name_key(&value)) {
                closed.get_or_insert(format!("{}: {value}", header[i]));
            }
        }
        if let Some(reason) = closed {
            let what = format!("child {id}: closed ({reason})");
            reading.dropped.push(Note { at: place, what });
            continue;
        }
        let value = kind.map(|i| cell(i).text()).unwrap_or_default();
        let case_type = match types.get(&name_key(&value)).copied().or(default_type) {
            Some(t) => t,
            None => {
                let what = format!(
                    "child {id}: the type `{value}` is not in the map's [values.type] and there \
                     is no default_type: left out"
                );
                reading.dropped.push(Note { at: place, what });
                continue;
            }
        };
        if kind.is_some() && !types.contains_key(&name_key(&value)) {
            reading.doubtful.push(Note {
                at: place.clone(),
                what: format!(
                    "child {id}: the type `{value}` is not mapped: read as {} (default_type)",
                    case_type.key()
                ),
            });
        }
        let tags = rules
            .iter()
            .filter(|(i, rule)| {
                rule.values
                    .iter()
                    .any(|v| cells::is_code(&cell(*i).text(), v))
            })
            .map(|(_, rule)| (rule.tag.clone(), rule.use_as))
            .collect();
        if let Some(error) = cell(worker).error_value() {
            reading.doubtful.push(Note {
                at: grid.cell_place(*line, worker, &header[worker]),
                what: format!("child {id}: {error} as the worker: read as unallocated"),
            });
        }
        reading.involvements.push(Involvement {
            child: id,
            kind: case_type,
            source: source.clone(),
            list: 0,
            at: place,
            team: cell(team).text(),
            worker: super::cells::worker_name(cell(worker)),
            tags,
        });
    }
    if !errors.is_empty() {
        return Err(InputErrors(errors));
    }
    reading.assumptions.push(format!(
        "A row is closed when its end date is on or before {as_at}, or its status is one of \
         the map's closed values."
    ));
    Ok(reading)
}
