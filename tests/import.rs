//! `caseload import` (docs/import.md): a messy Annex A workbook made here (serial and
//! date cells, text dates, `#N/A` cells, blanks, non-breaking and trailing spaces, coded
//! values, sheet names and header variants of several template years, a hand-over, closed
//! rows) imported, allocated and checked by the real binary; worker ids stable; bad
//! workbooks located with nothing written; a CSV export with the shipped maps.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

use crate::util::{allocate, caseload, stderr, stdout};

/// A cell of a test workbook.
#[derive(Clone, Debug)]
enum V {
    /// Text, as typed.
    S(&'static str),
    /// A number (an Excel serial date in a date column).
    N(f64),
    /// A date cell.
    D(u16, u8, u8),
    /// An error value, as a formula's cached result.
    E(&'static str),
    /// Nothing.
    B,
}

use V::{B, D, E, N, S};

type Sheet = (&'static str, Vec<Vec<V>>);

fn write_book(path: &Path, sheets: &[Sheet]) {
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (name, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match v {
                    S(t) => {
                        sheet.write_string(r, c, *t).unwrap();
                    }
                    N(x) => {
                        sheet.write_number(r, c, *x).unwrap();
                    }
                    D(y, m, d) => {
                        let day = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                        sheet.write_datetime_with_format(r, c, &day, &date).unwrap();
                    }
                    E(e) => {
                        sheet
                            .write_formula(r, c, Formula::new("=NA()").set_result(*e))
                            .unwrap();
                    }
                    B => {}
                }
            }
        }
    }
    book.save(path).unwrap();
}

/// The import's day, so that "closed" does not depend on the clock.
const CONFIG: &str = "as_at = \"2025-06-30\"\n";

/// The messy workbook: every oddity of docs/import.md. `reverse` writes each list's rows
/// in the other order; `extra` adds a child with a new worker.
fn messy(reverse: bool, extra: bool) -> Vec<Sheet> {
    let order = |mut rows: Vec<Vec<V>>, header: usize| {
        if reverse {
            rows[header + 1..].reverse();
        }
        rows
    };
    let mut list7 = vec![
        vec![
            S("Child Unique ID"),
            S("Gender"),
            S("Child Protection Plan Start Date"),
            S("Child Protection Plan End Date"),
            S("Allocated Team"),
            S("Allocated Worker"),
        ],
        vec![
            S("C001"),
            S("a) Male"),
            D(2025, 1, 3),
            B,
            S("North Locality"),
            S("Bob Jones"),
        ],
        vec![
            S("C010"),
            S("b) Female"),
            D(2024, 5, 1),
            D(2025, 2, 1),
            S("North Locality"),
            S("Bob Jones"),
        ],
        vec![
            S("C011"),
            S("b) Female"),
            N(45600.0),
            B,
            S("north  locality"),
            S("BOB JONES "),
        ],
    ];
    if extra {
        list7.push(vec![
            S("C012"),
            S("a) Male"),
            D(2025, 6, 1),
            B,
            S("North Locality"),
            S("Eve Fox"),
        ]);
    }
    vec![
        (
            "Cover",
            vec![vec![S("Annex A data lists, made up for a test")]],
        ),
        (
            "List 1",
            vec![
                vec![S("Child Unique ID"), S("Date of Contact")],
                vec![S("C900"), D(2025, 1, 1)],
            ],
        ),
        (
            "list_3",
            order(
                vec![
                    vec![S("List 3: Referrals")],
                    vec![],
                    vec![
                        S("Child Unique ID"),
                        S("Ethnicity"),
                        S("Date of referral"),
                        S("Referral NFA?"),
                        S("Allocated Team"),
                        S("Allocated Worker"),
                    ],
                    vec![
                        S("C100"),
                        S("a) WBRI"),
                        D(2025, 6, 20),
                        S("b) No"),
                        S("Front Door"),
                        S("Amy Pond"),
                    ],
                    vec![
                        S("C001"),
                        S("a) WBRI"),
                        D(2024, 12, 1),
                        S("N"),
                        S("Front Door"),
                        S("Amy Pond"),
                    ],
                    vec![
                        S("C101"),
                        S("a) WBRI"),
                        D(2025, 3, 1),
                        S("a) Yes"),
                        S("Front Door"),
                        S("Amy Pond"),
                    ],
                ],
                2,
            ),
        ),
        (
            "4. Assessments",
            order(
                vec![
                    vec![
                        S("Child Unique ID"),
                        S("Continuous Assessment Start Date"),
                        S("Continuous Assessment\nDate of Authorisation"),
                        S("Allocated Team"),
                        S("Allocated Worker"),
                    ],
                    vec![
                        S("C200"),
                        D(2025, 6, 2),
                        B,
                        S("Front Door "),
                        S("Amy\u{a0}Pond "),
                    ],
                    vec![
                        S("C201"),
                        D(2024, 12, 2),
                        D(2025, 1, 10),
                        S("Front Door"),
                        S("Amy Pond"),
                    ],
                ],
                0,
            ),
        ),
        (
            "LIST5",
            order(
                vec![
                    vec![
                        S("Child Unique ID"),
                        S("Strategy discussion initiating Section 47 Enquiry Start Date"),
                        S("Was an Initial Child Protection Conference deemed unnecessary?"),
                        S("Date of Initial Child Protection Conference"),
                        S("Number of ICPCs in the last 12 months"),
                        S("Allocated Team"),
                        S("Allocated Worker"),
                    ],
                    vec![
                        S("C300"),
                        D(2025, 6, 25),
                        S("b) No"),
                        B,
                        N(0.0),
                        S("Front Door"),
                        S("Amy Pond"),
                    ],
                    vec![
                        S("C301"),
                        D(2025, 5, 1),
                        S("a) Yes"),
                        B,
                        N(0.0),
                        S("Front Door"),
                        S("Amy Pond"),
                    ],
                    vec![
                        S("C302"),
                        D(2025, 4, 1),
                        S("No"),
                        S("1 May 2025"),
                        N(1.0),
                        S("Front Door"),
                        S("Amy Pond"),
                    ],
                ],
                0,
            ),
        ),
        (
            "List 6",
            order(
                vec![
                    vec![
                        S("Child Unique\nID"),
                        S("Gender"),
                        S("Ethnicity"),
                        S("Does the Child have a Disability"),
                        S("CIN Start Date"),
                        S("CIN Closure\nDate"),
                        S("Case Status"),
                        S("Allocated Team"),
                        S("Allocated\nWorker"),
                    ],
                    vec![
                        S("C001"),
                        S("a) Male"),
                        S("a) WBRI"),
                        S("b) No"),
                        D(2024, 11, 1),
                        B,
                        S("b) Child Protection plan"),
                        S("Front Door"),
                        S("Amy Pond"),
                    ],
                    vec![
                        S("C002"),
                        S("b) Female"),
                        S("a) WBRI"),
                        S("Y"),
                        N(45300.0),
                        B,
                        S("c) Child in need plan"),
                        S("North Locality"),
                        S("  bob  jones"),
                    ],
                    vec![
                        S("C003"),
                        S("b) Female"),
                        S("a) WBRI"),
                        S("1"),
                        N(45000.0),
                        N(45500.0),
                        S("e) Closed episode"),
                        S("North Locality"),
                        S("Bob Jones"),
                    ],
                    vec![],
                    vec![
                        S("C004"),
                        S("a) Male"),
                        S("a) WBRI"),
                        S("No"),
                        S("01/02/2024"),
                        S("15/03/2025"),
                        S("c) Child in need plan"),
                        S("North Locality"),
                        S("Bob Jones"),
                    ],
                    vec![
                        S("C005"),
                        S("a) Male"),
                        S("a) WBRI"),
                        S("No"),
                        S("2024-02-01"),
                        S("31/12/2099"),
                        S("c) Child in need plan"),
                        S("North Locality"),
                        S("Bob Jones"),
                    ],
                    vec![
                        S("C006"),
                        S("a) Male"),
                        S("a) WBRI"),
                        S("No"),
                        D(2025, 1, 1),
                        B,
                        S("c) Child in need plan"),
                        S("North Locality"),
                        E("#N/A"),
                    ],
                    vec![
                        S("C007"),
                        S("a) Male"),
                        S("a) WBRI"),
                        S("No"),
                        D(2025, 1, 1),
                        E("#N/A"),
                        S("c) Child in need plan"),
                        S("South Locality"),
                        B,
                    ],
                    vec![
                        S("C008"),
                        S("a) Male"),
                        S("a) WBRI"),
                        S("No"),
                        D(2025, 1, 1),
                        B,
                        S("e) Closed episode"),
                        S("South Locality"),
                        S("Gus Hale"),
                    ],
                    vec![
                        B,
                        S("a) Male"),
                        S("a) WBRI"),
                        S("No"),
                        D(2025, 1, 1),
                        B,
                        B,
                        S("South Locality"),
                        S("Gus Hale"),
                    ],
                ],
                0,
            ),
        ),
        ("List 7", order(list7, 0)),
        ("CP (old)", vec![]),
        (
            "List 8 - CLA",
            order(
                vec![
                    vec![
                        S("Child Unique ID"),
                        S("Child's Legal Status"),
                        S("Date Started to be Looked After"),
                        S("Date Ceased to be Looked After"),
                        S("Reason Ceased to be Looked After"),
                        S("Allocated Team"),
                        S("Allocated Worker"),
                    ],
                    vec![
                        S("C020"),
                        S("C2: Full care order"),
                        D(2023, 1, 1),
                        B,
                        B,
                        S("Children in Care"),
                        S("Cara Diaz"),
                    ],
                    vec![
                        S("C021"),
                        S("V2: Single period under S20"),
                        D(2024, 1, 1),
                        B,
                        B,
                        S("Children in Care"),
                        S("cara diaz"),
                    ],
                    vec![
                        S("C022"),
                        S("C2"),
                        D(2022, 1, 1),
                        S("2025-04-01"),
                        S("E4A"),
                        S("Children in Care"),
                        S("Cara Diaz"),
                    ],
                    vec![
                        S("C023"),
                        S("C1 - Interim care order"),
                        D(2025, 5, 1),
                        B,
                        B,
                        S("Children in Care"),
                        S("Bob Jones"),
                    ],
                ],
                0,
            ),
        ),
        (
            "9. Care leavers",
            order(
                vec![
                    vec![
                        S("Child Unique ID"),
                        S("Allocated Team"),
                        S("Allocated Worker"),
                        S("Allocated Personal Advisor"),
                        S("LA in Touch"),
                    ],
                    vec![S("C030"), S("Leaving Care"), B, S("Dee Evans"), S("a) Yes")],
                    vec![
                        S("C031"),
                        S("Leaving Care"),
                        S("Dee Evans"),
                        S("Dee Evans"),
                        E("#REF!"),
                    ],
                    vec![
                        S("C032"),
                        S("Leaving Care"),
                        S("Dee Evans"),
                        S("Dee Evans"),
                        S("c) Died"),
                    ],
                ],
                0,
            ),
        ),
    ]
}

/// A temporary folder with `annex-a.xlsx` of `sheets` and `import.toml`.
fn setup(sheets: &[Sheet]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("annex-a.xlsx");
    write_book(&book, sheets);
    let config = tmp.path().join("import.toml");
    std::fs::write(&config, CONFIG).unwrap();
    (tmp, book, config)
}

fn import_annex_a(book: &Path, config: &Path, out: &Path) -> std::process::Output {
    caseload([
        "import".as_ref(),
        "annex-a".as_ref(),
        book.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--config".as_ref(),
        config.as_os_str(),
    ])
}

/// A CSV file as rows of (column → value).
fn table(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Each case as (team, type weight, current worker's name and team, requires).
fn cases_by_child(out: &Path) -> BTreeMap<String, (String, String, String, String)> {
    let workers: BTreeMap<String, (String, String)> = table(&out.join("workers.csv"))
        .into_iter()
        .map(|w| (w["id"].clone(), (w["name"].clone(), w["team"].clone())))
        .collect();
    table(&out.join("cases.csv"))
        .into_iter()
        .map(|c| {
            let worker = match workers.get(&c["current_worker"]) {
                Some((name, team)) => format!("{name} @ {team}"),
                None => {
                    assert_eq!(
                        c["current_worker"], "",
                        "a current worker that is no worker"
                    );
                    String::new()
                }
            };
            (
                c["id"].clone(),
                (
                    c["team"].clone(),
                    c["weight"].clone(),
                    worker,
                    c["requires"].clone(),
                ),
            )
        })
        .collect()
}

#[test]
fn a_messy_annex_a_imports_allocates_and_checks() {
    let (tmp, book, config) = setup(&messy(false, false));
    let out = tmp.path().join("scenario");
    let run = import_annex_a(&book, &config, &out);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(stdout(&run).contains("14 cases"), "{}", stdout(&run));

    let cases = cases_by_child(&out);
    let expect = |team: &str, weight: &str, worker: &str, requires: &str| {
        (
            team.to_string(),
            weight.to_string(),
            worker.to_string(),
            requires.to_string(),
        )
    };
    let wanted: BTreeMap<String, _> = [
        (
            "C001",
            expect("North Locality", "1.5", "Bob Jones @ North Locality", ""),
        ),
        (
            "C002",
            expect("North Locality", "1", "Bob Jones @ North Locality", ""),
        ),
        (
            "C005",
            expect("North Locality", "1", "Bob Jones @ North Locality", ""),
        ),
        ("C006", expect("North Locality", "1", "", "")),
        ("C007", expect("South Locality", "1", "", "")),
        (
            "C011",
            expect("North Locality", "1.5", "Bob Jones @ North Locality", ""),
        ),
        (
            "C020",
            expect(
                "Children in Care",
                "1.25",
                "Cara Diaz @ Children in Care",
                "court",
            ),
        ),
        (
            "C021",
            expect(
                "Children in Care",
                "1.25",
                "Cara Diaz @ Children in Care",
                "",
            ),
        ),
        (
            "C023",
            expect(
                "Children in Care",
                "1.25",
                "Bob Jones @ Children in Care",
                "court",
            ),
        ),
        ("C030", expect("Leaving Care", "0.75", "", "")),
        (
            "C031",
            expect("Leaving Care", "0.75", "Dee Evans @ Leaving Care", ""),
        ),
        (
            "C100",
            expect("Front Door", "1", "Amy Pond @ Front Door", ""),
        ),
        (
            "C200",
            expect("Front Door", "1", "Amy Pond @ Front Door", ""),
        ),
        (
            "C300",
            expect("Front Door", "1", "Amy Pond @ Front Door", ""),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(cases, wanted);

    // Workers: one per (team, name), two spellings one worker, court inferred.
    let workers = table(&out.join("workers.csv"));
    let names: Vec<(String, String, String)> = workers
        .iter()
        .map(|w| (w["team"].clone(), w["name"].clone(), w["skills"].clone()))
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(
        names,
        [
            ("Children in Care", "Bob Jones", "court"),
            ("Children in Care", "Cara Diaz", "court"),
            ("Front Door", "Amy Pond", ""),
            ("Leaving Care", "Dee Evans", ""),
            ("North Locality", "Bob Jones", ""),
        ]
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    );

    // Minimisation: nothing of the children but ids, teams, workers, weights and tags.
    let written = std::fs::read_to_string(out.join("cases.csv")).unwrap();
    for word in ["WBRI", "Male", "Female", "2025", "Disability", "Closed"] {
        assert!(!written.contains(word), "{word} in cases.csv");
    }

    // The report: hand-over, two teams, dropped and doubtful rows by sheet and row.
    let report = std::fs::read_to_string(out.join("import-report.md")).unwrap();
    for needle in [
        "## Hand-overs (a child on lists of different teams) (1)",
        "child C001: took List 7 (child protection)",
        "Bob Jones is named in 2 teams",
        "`'List 6'!4:4`: child C003: closed (CIN Closure Date 2024-07-27)",
        "child C004: closed (CIN Closure Date 2025-03-15)",
        "child C008: closed (Case Status: e) Closed episode)",
        "`'List 7'!3:3`: child C010: closed",
        "child C022: closed (Date Ceased to be Looked After 2025-04-01)",
        "child C032: closed (LA in Touch: c) Died)",
        "child C101: closed (Referral NFA?: a) Yes)",
        "child C201: closed",
        "`'List 6'!11:11`: List 6 (children in need): no Child Unique ID: left out",
        "`'List 6'!I8`: child C006: #N/A as the allocated worker",
        "`'9. Care leavers'!E3`: child C031: #REF! in `LA in Touch`: read as blank (open)",
        "`'List 6'!F9`: child C007: #N/A in `CIN Closure Date`",
        "child C005: `CIN Closure Date` is 2099-12-31, after 2025-06-30: read as open",
        "left unread",
        "`Ethnicity`",
        "Cara Diaz (W",
        "`List 1`: List 1 (contacts): not read, not cases",
        "1 referral row(s) were followed on a later list",
        "child C301: closed (Was an Initial Child Protection Conference deemed unnecessary?: a) Yes)",
        "child C302: closed (Date of Initial Child Protection Conference 2025-05-01)",
        "Rows dropped: 11;",
        "`CP (old)`: List 7 (child protection): empty, nothing read",
    ] {
        assert!(
            report.contains(needle),
            "{needle:?} not in the report:\n{report}"
        );
    }

    // allocate and check accept the folder as is.
    let alloc = tmp.path().join("alloc");
    let run = allocate(&out, &alloc, &["--quiet"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let run = caseload([
        "check".as_ref(),
        out.as_os_str(),
        "--allocation".as_ref(),
        alloc.join("allocation.csv").as_os_str(),
    ]);
    assert!(run.status.success(), "{}{}", stdout(&run), stderr(&run));
    // Every child with an Annex A worker keeps them (nobody is over capacity here).
    for row in table(&alloc.join("allocation.csv")) {
        if !row["previous_worker"].is_empty() {
            assert_eq!(row["worker_id"], row["previous_worker"], "{row:?}");
        }
    }
}

#[test]
fn worker_ids_are_stable_under_reordering_and_another_child() {
    let ids = |sheets: &[Sheet]| {
        let (tmp, book, config) = setup(sheets);
        let out = tmp.path().join("scenario");
        let run = import_annex_a(&book, &config, &out);
        assert!(run.status.success(), "{}", stderr(&run));
        let workers: BTreeMap<(String, String), String> = table(&out.join("workers.csv"))
            .into_iter()
            .map(|w| ((w["team"].clone(), w["name"].clone()), w["id"].clone()))
            .collect();
        let cases: BTreeMap<String, String> = table(&out.join("cases.csv"))
            .into_iter()
            .map(|c| (c["id"].clone(), c["current_worker"].clone()))
            .collect();
        (
            workers,
            cases,
            std::fs::read(out.join("workers.csv")).unwrap(),
        )
    };
    let (workers, cases, bytes) = ids(&messy(false, false));
    let (reordered, reordered_cases, reordered_bytes) = ids(&messy(true, false));
    assert_eq!(workers, reordered);
    assert_eq!(cases, reordered_cases);
    assert_eq!(bytes, reordered_bytes, "workers.csv byte for byte");
    let (more, more_cases, _) = ids(&messy(true, true));
    assert_eq!(more.len(), workers.len() + 1);
    for (key, id) in &workers {
        assert_eq!(more.get(key), Some(id), "{key:?}");
    }
    for (child, worker) in &cases {
        assert_eq!(more_cases.get(child), Some(worker), "{child}");
    }
    assert!(more.contains_key(&("North Locality".to_string(), "Eve Fox".to_string())));
}

/// Runs an import of `sheets` into a folder holding an earlier import; it must fail with
/// exit 2, its message holding each of `needles`, and leave the folder as it was.
fn refused(sheets: &[Sheet], needles: &[&str]) {
    let (tmp, book, config) = setup(sheets);
    let out = tmp.path().join("scenario");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("cases.csv"), "id\nOLD\n").unwrap();
    let run = import_annex_a(&book, &config, &out);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    let err = stderr(&run);
    for needle in needles {
        assert!(err.contains(needle), "{needle:?} not in:\n{err}");
    }
    let left: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["cases.csv"], "nothing written");
    assert_eq!(
        std::fs::read_to_string(out.join("cases.csv")).unwrap(),
        "id\nOLD\n"
    );
    // A folder that did not exist is not made.
    let fresh = tmp.path().join("fresh");
    let run = import_annex_a(&book, &config, &fresh);
    assert_eq!(run.status.code(), Some(2));
    assert!(!fresh.exists());
}

#[test]
fn a_missing_column_is_located_at_its_header_row() {
    let sheets = vec![(
        "List 6",
        vec![
            vec![S("Title row")],
            vec![
                S("Child Unique ID"),
                S("CIN Closure Date"),
                S("Allocated Team"),
            ],
            vec![S("C1"), B, S("North")],
        ],
    )];
    refused(
        &sheets,
        &[
            "annex-a.xlsx: 'List 6'!2:2: allocated worker:",
            "[E-MISSING-COLUMN]",
        ],
    );
}

#[test]
fn an_unreadable_date_is_located_at_its_cell() {
    let sheets = vec![(
        "6. CIN",
        vec![
            vec![
                S("Child Unique ID"),
                S("Allocated Team"),
                S("Allocated Worker"),
                S("CIN Closure Date"),
            ],
            vec![S("C1"), S("North"), S("Amy"), S("01/02/2025")],
            vec![S("C2"), S("North"), S("Amy"), S("next week")],
            vec![S("C3"), S("North"), S("Amy"), S("31/02/2025")],
        ],
    )];
    refused(
        &sheets,
        &[
            "annex-a.xlsx: '6. CIN'!D3: CIN Closure Date: List 6 (children in need): `next week` is not a date",
            "'6. CIN'!D4",
            "[E-DATE]",
        ],
    );
}

#[test]
fn a_workbook_with_no_list_says_which_lists_it_looked_for() {
    let sheets = vec![
        ("Sheet1", vec![vec![S("Child Unique ID")], vec![S("C1")]]),
        ("Notes", vec![vec![S("nothing")]]),
    ];
    refused(
        &sheets,
        &[
            "no sheet is an Annex A list: looked for lists 3 to 9",
            "Sheet1, Notes",
            "[E-NO-LIST]",
        ],
    );
    // Not a workbook at all.
    let tmp = tempfile::tempdir().unwrap();
    let fake = tmp.path().join("annex-a.xlsx");
    std::fs::write(&fake, "not a workbook").unwrap();
    let config = tmp.path().join("import.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let run = import_annex_a(&fake, &config, &tmp.path().join("out"));
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("[E-UNREADABLE]"), "{}", stderr(&run));
}

#[test]
fn a_workers_file_gives_capacity_skills_and_who_is_away() {
    let (tmp, book, config) = setup(&messy(false, false));
    let staff = tmp.path().join("staff.csv");
    std::fs::write(
        &staff,
        "Name,Team,FTE,Capacity,Skills,Available\n\
         BOB JONES,North Locality,0.5,,child-protection,yes\n\
         Cara\u{a0}Diaz ,,0.8,18,court;urdu,\n\
         Amy Pond,Front Door,,,,no\n\
         Hal Ives,North Locality,1,,,\n",
    )
    .unwrap();
    let out = tmp.path().join("scenario");
    let mut args = vec![
        "import".as_ref(),
        "annex-a".as_ref(),
        book.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--config".as_ref(),
        config.as_os_str(),
        "--workers".as_ref(),
        staff.as_os_str(),
    ];
    let run = caseload(args.clone());
    assert!(run.status.success(), "{}", stderr(&run));
    let workers: BTreeMap<(String, String), BTreeMap<String, String>> =
        table(&out.join("workers.csv"))
            .into_iter()
            .map(|w| ((w["team"].clone(), w["name"].clone()), w))
            .collect();
    let get = |team: &str, name: &str| &workers[&(team.to_string(), name.to_string())];
    let bob = get("North Locality", "Bob Jones");
    assert_eq!(
        (bob["fte"].as_str(), bob["skills"].as_str()),
        ("0.5", "child-protection")
    );
    let cara = get("Children in Care", "Cara Diaz");
    assert_eq!(
        (cara["fte"].as_str(), cara["capacity"].as_str()),
        ("0.8", "18")
    );
    assert_eq!(cara["skills"], "court;urdu");
    assert_eq!(get("Front Door", "Amy Pond")["available"], "false");
    assert_eq!(get("North Locality", "Hal Ives")["fte"], "1");
    let report = std::fs::read_to_string(out.join("import-report.md")).unwrap();
    assert!(
        report.contains("Hal Ives (staff.csv:5): holds no open case"),
        "{report}"
    );
    // Bob in Children in Care holds a court case but the file gives his skills only in
    // North Locality: he is given court there.
    assert!(report.contains("Bob Jones (W"), "{report}");

    // allocate moves Amy's children (she is away) and check agrees.
    let alloc = tmp.path().join("alloc");
    let run = allocate(&out, &alloc, &["--quiet"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let run = caseload([
        "check".as_ref(),
        out.as_os_str(),
        "--allocation".as_ref(),
        alloc.join("allocation.csv").as_os_str(),
    ]);
    assert!(run.status.success(), "{}", stdout(&run));

    // The same file as a workbook.
    let staff_book = tmp.path().join("staff.xlsx");
    write_book(
        &staff_book,
        &[(
            "Staff",
            vec![
                vec![S("Worker name"), S("Team"), S("FTE"), S("Skills")],
                vec![
                    S("BOB JONES"),
                    S("North Locality"),
                    N(0.5),
                    S("child-protection"),
                ],
            ],
        )],
    );
    let from_book = tmp.path().join("from-book");
    let mut book_args = args.clone();
    book_args[4] = from_book.as_os_str();
    book_args[8] = staff_book.as_os_str();
    let run = caseload(book_args);
    assert!(run.status.success(), "{}", stderr(&run));
    let written = std::fs::read_to_string(from_book.join("workers.csv")).unwrap();
    assert!(
        written.contains("Bob Jones,North Locality,0.5,,,,child-protection,true"),
        "{written}"
    );

    // A bad value in the workers file is located, nothing written.
    std::fs::write(&staff, "Name,FTE\nBob Jones,lots\n").unwrap();
    let fresh = tmp.path().join("fresh");
    args[4] = fresh.as_os_str();
    let run = caseload(args);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("staff.csv:2: FTE:"),
        "{}",
        stderr(&run)
    );
    assert!(!fresh.exists());
}

/// The shipped example, as a path.
fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

fn import_csv(export: &Path, map: &Path, config: &Path, out: &Path) -> std::process::Output {
    caseload([
        "import".as_ref(),
        "csv".as_ref(),
        export.as_os_str(),
        "--map".as_ref(),
        map.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--config".as_ref(),
        config.as_os_str(),
    ])
}

/// Imports, allocates and checks; returns the cases by child.
fn import_allocate_check(
    export: &Path,
    map: &Path,
    config: &Path,
    tmp: &Path,
) -> BTreeMap<String, (String, String, String, String)> {
    let out = tmp.join("scenario");
    let run = import_csv(export, map, config, &out);
    assert!(run.status.success(), "{}", stderr(&run));
    let alloc = tmp.join("alloc");
    let run = allocate(&out, &alloc, &["--quiet"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let run = caseload([
        "check".as_ref(),
        out.as_os_str(),
        "--allocation".as_ref(),
        alloc.join("allocation.csv").as_os_str(),
    ]);
    assert!(run.status.success(), "{}", stdout(&run));
    cases_by_child(&out)
}

#[test]
fn csv_exports_import_with_the_shipped_maps() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("import.toml");
    std::fs::write(
        &config,
        format!(
            "{CONFIG}[[tags]]\ncolumn = \"legal status\"\nvalues = [\"C1\", \"C2\"]\n\
             tag = \"court\"\nsource = \"SSDA903 legal statuses\"\n"
        ),
    )
    .unwrap();
    let e = |team: &str, weight: &str, worker: &str, requires: &str| {
        (
            team.to_string(),
            weight.to_string(),
            worker.to_string(),
            requires.to_string(),
        )
    };
    let ll = tmp.path().join("ll");
    let cases = import_allocate_check(
        &example("liquidlogic-export.csv"),
        &example("liquidlogic.map.toml"),
        &config,
        &ll,
    );
    let wanted: BTreeMap<String, _> = [
        (
            "100234",
            e("North Locality", "1.5", "Bob Jones @ North Locality", ""),
        ),
        (
            "100235",
            e("North Locality", "1", "Bob Jones @ North Locality", ""),
        ),
        (
            "100237",
            e(
                "Children in Care",
                "1.25",
                "Cara Diaz @ Children in Care",
                "court",
            ),
        ),
        ("100238", e("Children in Care", "1.25", "", "")),
        (
            "100239",
            e("Leaving Care", "0.75", "Dee Evans @ Leaving Care", ""),
        ),
        ("100240", e("Front Door", "1", "Amy Pond @ Front Door", "")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(cases, wanted);
    let report = std::fs::read_to_string(ll.join("scenario/import-report.md")).unwrap();
    for needle in [
        "liquidlogic-export.csv:5`: child 100236: closed (Episode End Date 2025-03-15)",
        "child 100240: the type `Early Help` is not mapped: read as in-need",
        "child 100234: took liquidlogic-export.csv",
        "`Date of Birth`",
    ] {
        assert!(report.contains(needle), "{needle:?} not in:\n{report}");
    }
    let written = std::fs::read_to_string(ll.join("scenario/cases.csv")).unwrap();
    assert!(!written.contains("2015") && !written.contains("Made"));

    let mosaic = tmp.path().join("mosaic");
    let cases = import_allocate_check(
        &example("mosaic-export.csv"),
        &example("mosaic.map.toml"),
        &config,
        &mosaic,
    );
    let wanted: BTreeMap<String, _> = [
        ("P-501", e("East Team", "1.5", "Fay Green @ East Team", "")),
        ("P-502", e("East Team", "1", "Fay Green @ East Team", "")),
        ("P-504", e("Care Team", "1.25", "Hal Ives @ Care Team", "")),
        ("P-505", e("Care Team", "0.75", "", "")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(cases, wanted);
    let report = std::fs::read_to_string(mosaic.join("scenario/import-report.md")).unwrap();
    assert!(
        report.contains("child P-506: closed (Status: Completed)"),
        "{report}"
    );
}

#[test]
fn a_bad_csv_export_is_located_and_nothing_written() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("import.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let export = tmp.path().join("open-cases.csv");
    let out = tmp.path().join("out");
    // A mapped column missing.
    std::fs::write(
        &export,
        "Person ID,Allocated Team,Allocated Worker,Episode End Date\nC1,N,Amy,\n",
    )
    .unwrap();
    let run = import_csv(&export, &example("liquidlogic.map.toml"), &config, &out);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run)
            .contains("open-cases.csv:1: Episode Type: the map's column is not in the header"),
        "{}",
        stderr(&run)
    );
    assert!(!out.exists());
    // An unreadable date.
    std::fs::write(
        &export,
        "Person ID,Allocated Team,Allocated Worker,Episode Type,Episode End Date\nC1,N,Amy,CIN,\nC2,N,Amy,CIN,someday\n",
    )
    .unwrap();
    let run = import_csv(&export, &example("liquidlogic.map.toml"), &config, &out);
    assert_eq!(run.status.code(), Some(2));
    let err = stderr(&run);
    assert!(
        err.contains("open-cases.csv:3: Episode End Date: `someday` is not a date"),
        "{err}"
    );
    assert!(err.contains("[E-DATE]"), "{err}");
    assert!(!out.exists());
    // A map with an unknown case type.
    let map = tmp.path().join("bad.map.toml");
    std::fs::write(
        &map,
        "[columns]\nchild = \"Person ID\"\nteam = \"Allocated Team\"\nworker = \"Allocated Worker\"\n\n[values.type]\nCIN = \"needy\"\n",
    )
    .unwrap();
    let run = import_csv(&export, &map, &config, &out);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("bad.map.toml:7: unknown case type `needy`"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn the_shipped_import_toml_is_valid_and_its_sources_reach_the_report() {
    let (tmp, book, _) = setup(&messy(false, false));
    let out = tmp.path().join("scenario");
    let run = import_annex_a(&book, &example("import.toml"), &out);
    assert!(run.status.success(), "{}", stderr(&run));
    let report = std::fs::read_to_string(out.join("import-report.md")).unwrap();
    assert!(report.contains("SSDA903 legal status codes"), "{report}");
    assert!(report.contains("| policy.toml | as written | import.toml [policy] |"));
}

/// Runs deploy/nightly/nightly.sh with the binary on the PATH.
fn nightly(exports: &Path, work: &Path) -> std::process::Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_caseload")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    std::process::Command::new("sh")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/nightly/nightly.sh"))
        .env("PATH", path)
        .env("CASELOAD_EXPORTS", exports)
        .env("CASELOAD_WORK", work)
        .env("CASELOAD_CONFIG", example("import.toml"))
        .output()
        .unwrap()
}

#[test]
fn the_nightly_job_imports_then_records_and_stops_on_a_bad_export() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("exports");
    std::fs::create_dir_all(&exports).unwrap();
    write_book(&exports.join("annex-a.xlsx"), &messy(false, false));
    std::fs::write(
        exports.join("staff.csv"),
        "name,team,fte\nAmy Pond,Front Door,0.6\n",
    )
    .unwrap();
    let work = tmp.path().join("work");
    let run = nightly(&exports, &work);
    assert!(run.status.success(), "{}{}", stdout(&run), stderr(&run));
    assert!(work.join("scenario/import-report.md").is_file());
    assert!(work.join("out/allocation.csv").is_file());
    assert!(work.join("caseload.db").is_file());
    let workers = std::fs::read_to_string(work.join("scenario/workers.csv")).unwrap();
    assert!(workers.contains("Amy Pond,Front Door,0.6"), "{workers}");
    // The next night, with one more child: a second run in the record.
    write_book(&exports.join("annex-a.xlsx"), &messy(true, true));
    let run = nightly(&exports, &work);
    assert!(run.status.success(), "{}", stderr(&run));
    let history = caseload(["history".as_ref(), work.join("caseload.db").as_os_str()]);
    assert!(history.status.success(), "{}", stderr(&history));
    assert!(
        stdout(&history)
            .lines()
            .filter(|l| l.contains("nightly"))
            .count()
            >= 2,
        "{}",
        stdout(&history)
    );
    // A bad export: the job fails, yesterday's files stay.
    let before = std::fs::read(work.join("scenario/cases.csv")).unwrap();
    write_book(
        &exports.join("annex-a.xlsx"),
        &[("Sheet1", vec![vec![S("nothing")]])],
    );
    let run = nightly(&exports, &work);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert_eq!(
        std::fs::read(work.join("scenario/cases.csv")).unwrap(),
        before
    );
}

#[test]
fn the_nightly_cronjob_runs_the_script_with_its_variables() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("deploy/nightly/cronjob.yaml")).unwrap();
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).unwrap();
    let job = &docs[0];
    assert_eq!(job["kind"].as_str(), Some("CronJob"));
    assert_eq!(job["spec"]["concurrencyPolicy"].as_str(), Some("Forbid"));
    let pod = &job["spec"]["jobTemplate"]["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    let command: Vec<&str> = container["command"]
        .as_vec()
        .unwrap()
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    assert_eq!(command, ["/bin/sh", "/etc/caseload/nightly.sh"]);
    let script = std::fs::read_to_string(root.join("deploy/nightly/nightly.sh")).unwrap();
    let env: Vec<&str> = container["env"]
        .as_vec()
        .unwrap()
        .iter()
        .filter_map(|e| e["name"].as_str())
        .collect();
    for name in &env {
        assert!(script.contains(name), "{name} is not read by nightly.sh");
    }
    for needed in ["CASELOAD_EXPORTS", "CASELOAD_WORK"] {
        assert!(env.contains(&needed), "{needed}");
    }
    let service =
        std::fs::read_to_string(root.join("deploy/nightly/caseload-nightly.service")).unwrap();
    for needed in [
        "CASELOAD_EXPORTS",
        "CASELOAD_WORK",
        "ExecStart=/usr/local/bin/caseload-nightly",
    ] {
        assert!(service.contains(needed), "{needed}");
    }
}
