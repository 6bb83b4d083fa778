//! Ofsted's Annex A workbook: lists 3 to 9 read into open rows, lists found by the number
//! in the sheet's name, columns by header patterns (docs/import.md lists every variant).

use std::collections::BTreeSet;
use std::path::Path;

use super::cells::{self, Cell, Day};
use super::config::{ImportConfig, TagUse};
use super::grid::{find_column, find_named, Grid};
use super::headers::Pattern;
use super::lists::{other_list, Closer, List, CHILD, LISTS, TEAM, WORKER};
use super::{Involvement, Note, Reading, TableRead};
use crate::codes;
use crate::error::{InputError, InputErrors};
use crate::io::workbook::Workbook;

/// Reads the workbook's lists 3 to 9.
pub(crate) fn read(path: &Path, config: &ImportConfig, as_at: Day) -> Result<Reading, InputErrors> {
    let book = Workbook::open(path).map_err(|e| InputErrors(vec![e]))?;
    let mut reading = Reading {
        source: book.file.clone(),
        kind: "Annex A workbook".to_string(),
        as_at: as_at.to_string(),
        ..Reading::default()
    };
    let mut errors = Vec::new();
    let mut found = false;
    let mut seen_after_referral = BTreeSet::new();
    let mut referrals = Vec::new();
    for (sheet, range) in book.sheets() {
        let Some(number) = super::headers::list_number(sheet) else {
            reading.tables.push(TableRead {
                name: sheet.to_string(),
                what: "not an Annex A list: not read".to_string(),
                ..TableRead::default()
            });
            continue;
        };
        let Some(list) = LISTS.iter().find(|l| l.number == number) else {
            reading.tables.push(TableRead {
                name: sheet.to_string(),
                what: format!(
                    "List {number} ({}): not read, not cases",
                    other_list(number)
                ),
                ..TableRead::default()
            });
            continue;
        };
        found = true;
        let range = match range {
            Ok(range) => range,
            Err(too_big) => {
                errors.push(too_big.clone());
                continue;
            }
        };
        let grid = Grid::from_range(&book.file, sheet, range);
        if grid.rows.is_empty() {
            reading.tables.push(TableRead {
                name: sheet.to_string(),
                what: format!("List {number} ({}): empty, nothing read", list.name),
                ..TableRead::default()
            });
            continue;
        }
        let mut rows = Vec::new();
        let out = (&mut rows, &mut seen_after_referral, &mut errors);
        read_list(&grid, list, config, as_at, &mut reading, out);
        for involvement in rows {
            if list.number == 3 {
                referrals.push(involvement);
            } else {
                reading.involvements.push(involvement);
            }
        }
    }
    if !found {
        let names: Vec<&str> = book.sheets().into_iter().map(|(n, _)| n).collect();
        errors.push(InputError {
            file: book.file.clone(),
            line: None,
            column: String::new(),
            cell: None,
            code: codes::NO_LIST,
            message: format!(
                "no sheet is an Annex A list: looked for lists 3 to 9 (referrals, assessments, \
                 section 47 enquiries, children in need, child protection, children in care, \
                 care leavers) by sheet names such as `List 6`, `list_6`, `6. CIN` or \
                 `List 8 - CLA`; its sheets: {}",
                names.join(", ")
            ),
        });
    }
    if !errors.is_empty() {
        return Err(InputErrors(errors));
    }
    // A referral is open work only while nothing came of it yet: a child on a later list
    // (open or closed) is followed there.
    seen_after_referral.extend(reading.involvements.iter().map(|i| i.child.clone()));
    let mut followed = 0;
    for referral in referrals {
        if seen_after_referral.contains(&referral.child) {
            followed += 1;
        } else {
            reading.involvements.push(referral);
        }
    }
    reading.assumptions.push(format!(
        "A referral (List 3) is open work when its NFA column says no and the child is on \
         no later list (4 to 9), open or closed: {followed} referral row(s) were followed on \
         a later list and are not cases of their own."
    ));
    reading.assumptions.push(format!(
        "A row is closed when its closure, plan end or ceased date is on or before {as_at}; \
         List 5 when its initial conference took place or was deemed unnecessary; List 6 \
         also when its case status says closed; List 9 when the child has died."
    ));
    Ok(reading)
}

/// Where a list's rows go: open ones, the children of closed rows of lists 4 to 9, and
/// problems.
type Out<'a> = (
    &'a mut Vec<Involvement>,
    &'a mut BTreeSet<String>,
    &'a mut Vec<InputError>,
);

/// Reads one list's rows: open ones into `rows`, closed ones and doubts into the
/// reading's notes, problems into `errors`.
fn read_list(
    grid: &Grid,
    list: &List,
    config: &ImportConfig,
    as_at: Day,
    reading: &mut Reading,
    (rows, closed_children, errors): Out<'_>,
) {
    let source = format!("List {} ({})", list.number, list.name);
    let sheet = grid.sheet.clone().unwrap_or_default();
    let Some((header_at, header)) = grid.header(&CHILD, 20) else {
        let row = grid.rows.first().map(|(r, _)| *r).unwrap_or(1);
        errors.push(grid.error(
            row,
            None,
            "Child Unique ID",
            codes::MISSING_COLUMN,
            format!(
                "{source}: no header row with a Child Unique ID column in the sheet's first \
                 20 rows (looked for headers such as `Child Unique ID`, `Child ID`)"
            ),
        ));
        return;
    };
    let header_row = grid.rows[header_at].0;
    let mut table = TableRead {
        name: sheet,
        what: source.clone(),
        header_row,
        rows: grid.rows.len() - header_at - 1,
        ..TableRead::default()
    };
    let mut missing = |what: &str, looked: &Pattern| {
        let examples: Vec<String> = looked
            .phrases
            .iter()
            .take(3)
            .map(|p| format!("`{p}`"))
            .collect();
        errors.push(grid.error(
            header_row,
            None,
            what,
            codes::MISSING_COLUMN,
            format!(
                "{source}: no column for the {what} (looked for headers such as {}; the \
                 headers: {})",
                examples.join(", "),
                header.iter().filter(|h| !h.is_empty()).cloned().collect::<Vec<_>>().join(" | ")
            ),
        ));
    };
    let child = find_column(&header, &CHILD);
    let team = find_column(&header, &TEAM);
    let worker = find_column(&header, &WORKER);
    if team.is_none() {
        missing("allocated team", &TEAM);
    }
    if worker.is_none() {
        missing("allocated worker", &WORKER);
    }
    let closers: Vec<(usize, &Closer)> = list
        .closers
        .iter()
        .filter_map(|c| {
            let pattern = match c {
                Closer::Date(p) | Closer::Yes(p) | Closer::Says(p, _) => p,
            };
            find_column(&header, pattern).map(|i| (i, c))
        })
        .collect();
    if closers.is_empty() && list.closer_required {
        let pattern = match &list.closers[0] {
            Closer::Date(p) | Closer::Yes(p) | Closer::Says(p, _) => p,
        };
        missing("closure (whether the row is still open)", pattern);
    }
    let (Some(child), Some(team), Some(worker)) = (child, team, worker) else {
        reading.tables.push(table);
        return;
    };
    let rules: Vec<(usize, &super::config::TagRule)> = config
        .tags
        .iter()
        .filter(|r| r.list.is_none_or(|n| n == list.number))
        .filter_map(|r| find_named(&header, &r.column).map(|i| (i, r)))
        .collect();
    for rule in config.tags.iter().filter(|r| r.list == Some(list.number)) {
        if !rules.iter().any(|(_, r)| std::ptr::eq(*r, rule)) {
            reading.doubtful.push(Note {
                at: grid.row_place(header_row),
                what: format!(
                    "{source}: no column `{}` for the tag `{}`: no case gets it from this list",
                    rule.column, rule.tag
                ),
            });
        }
    }
    // The columns read, and those left.
    let mut used: Vec<(usize, String)> = vec![
        (child, "the case's id".to_string()),
        (team, "the case's team".to_string()),
        (worker, "the case's current worker".to_string()),
    ];
    for (i, closer) in &closers {
        let what = match closer {
            Closer::Date(_) => "a date on or before the import's day closes the row",
            Closer::Yes(_) => "a yes closes the row",
            Closer::Says(_, _) => "a closed (or died) value closes the row",
        };
        used.push((*i, what.to_string()));
    }
    for (i, rule) in &rules {
        used.push((
            *i,
            format!("{} → tag `{}`", rule.values.join("/"), rule.tag),
        ));
    }
    let used_cols: BTreeSet<usize> = used.iter().map(|(i, _)| *i).collect();
    table.read = used
        .iter()
        .map(|(i, what)| (header[*i].clone(), what.clone()))
        .collect();
    table.left = header
        .iter()
        .enumerate()
        .filter(|(i, h)| !h.is_empty() && !used_cols.contains(i))
        .map(|(_, h)| h.clone())
        .collect();
    reading.tables.push(table);

    let empty = Cell::Empty;
    for (row, cells) in &grid.rows[header_at + 1..] {
        let cell = |i: usize| cells.get(i).unwrap_or(&empty);
        let place = grid.row_place(*row);
        let id_cell = cell(child);
        if let Some(error) = id_cell.error_value() {
            let what = format!("{source}: no Child Unique ID ({error} in its cell): left out");
            reading.dropped.push(Note { at: place, what });
            continue;
        }
        let id = id_cell.text();
        if id.is_empty() {
            let what = format!("{source}: no Child Unique ID: left out");
            reading.dropped.push(Note { at: place, what });
            continue;
        }
        // Closed?
        let mut closed = None;
        for (i, closer) in &closers {
            let c = cell(*i);
            let column = header[*i].clone();
            if let Some(error) = c.error_value() {
                reading.doubtful.push(Note {
                    at: grid.cell_place(*row, *i, &column),
                    what: format!("child {id}: {error} in `{column}`: read as blank (open)"),
                });
                continue;
            }
            match closer {
                Closer::Date(_) => match cells::date(c) {
                    Err(message) => errors.push(grid.error(
                        *row,
                        Some(*i),
                        &column,
                        codes::DATE,
                        format!("{source}: {message}"),
                    )),
                    Ok(Some(day)) if day <= as_at => {
                        closed.get_or_insert(format!("{column} {day}"));
                    }
                    Ok(Some(day)) => reading.doubtful.push(Note {
                        at: grid.cell_place(*row, *i, &column),
                        what: format!(
                            "child {id}: `{column}` is {day}, after {as_at}: read as open"
                        ),
                    }),
                    Ok(None) => {}
                },
                Closer::Yes(_) => match cells::yes_no(&c.text()) {
                    Some(true) => {
                        closed.get_or_insert(format!("{column}: {}", c.text()));
                    }
                    Some(false) => {}
                    None if list.number == 3 => reading.doubtful.push(Note {
                        at: grid.cell_place(*row, *i, &column),
                        what: format!(
                            "child {id}: `{column}` is `{}`, neither yes nor no: read as no",
                            c.text()
                        ),
                    }),
                    None => {}
                },
                Closer::Says(_, words) => {
                    let value = c.text();
                    let said = super::headers::words(&value);
                    if words.iter().any(|w| said.iter().any(|s| s == w)) {
                        closed.get_or_insert(format!("{column}: {value}"));
                    }
                }
            }
        }
        if let Some(reason) = closed {
            if list.number > 3 {
                closed_children.insert(id.clone());
            }
            let what = format!("child {id}: closed ({reason}): {source}");
            reading.dropped.push(Note { at: place, what });
            continue;
        }
        let team_cell = cell(team);
        if let Some(error) = team_cell.error_value() {
            reading.doubtful.push(Note {
                at: grid.cell_place(*row, team, &header[team]),
                what: format!("child {id}: {error} as the allocated team: read as no team"),
            });
        }
        let worker_cell = cell(worker);
        let named = super::cells::worker_name(worker_cell);
        if let Some(error) = worker_cell.error_value() {
            reading.doubtful.push(Note {
                at: grid.cell_place(*row, worker, &header[worker]),
                what: format!("child {id}: {error} as the allocated worker: read as unallocated"),
            });
        }
        let tags = rules
            .iter()
            .filter(|(i, rule)| {
                let value = cell(*i).text();
                rule.values.iter().any(|v| cells::is_code(&value, v))
            })
            .map(|(_, rule)| (rule.tag.clone(), rule.use_as))
            .collect::<Vec<(String, TagUse)>>();
        rows.push(Involvement {
            child: id,
            kind: list.kind,
            source: source.clone(),
            list: list.number,
            at: place,
            team: team_cell.text(),
            worker: named,
            tags,
        });
    }
}
