//! What caseload knows of Annex A's lists 3 to 9: the header patterns of the columns it
//! reads, and how a row of each list is closed (docs/import.md, "Finding the columns").

use super::headers::Pattern;
use super::CaseType;

/// The Child Unique ID column, which also finds the header row.
pub(crate) const CHILD: Pattern = Pattern {
    phrases: &[
        "child unique id",
        "unique child id",
        "child unique identifier",
        "child id",
        "unique id",
        "child identifier",
        "child ref",
        "person id",
    ],
    unless: &["parent", "sibling", "mother"],
};

/// The Allocated Team column.
pub(crate) const TEAM: Pattern = Pattern {
    phrases: &["allocated team", "team name", "responsible team", "team"],
    unless: &["manager"],
};

/// The Allocated Worker column (never the personal advisor, a previous worker or a
/// team's manager).
pub(crate) const WORKER: Pattern = Pattern {
    phrases: &[
        "allocated worker",
        "allocated social worker",
        "social worker",
        "key worker",
        "case worker",
        "worker",
    ],
    unless: &[
        "team", "personal", "advisor", "adviser", "previous", "manager", "number",
    ],
};

/// How a row of a list is closed.
pub(crate) enum Closer {
    /// A date in this column on or before the day of the import.
    Date(Pattern),
    /// A yes in this column.
    Yes(Pattern),
    /// A value holding one of these words in this column (`e) Closed episode`).
    Says(Pattern, &'static [&'static str]),
}

/// What the importer knows of a list.
pub(crate) struct List {
    pub number: u8,
    pub name: &'static str,
    pub kind: CaseType,
    /// Closers, any one of which closes a row.
    pub closers: &'static [Closer],
    /// Whether at least one closer's column must be there.
    pub closer_required: bool,
}

pub(crate) const LISTS: [List; 7] = [
    List {
        number: 3,
        name: "referrals",
        kind: CaseType::Assessment,
        closers: &[Closer::Yes(Pattern {
            phrases: &["referral nfa", "nfa", "no further action"],
            unless: &[],
        })],
        closer_required: true,
    },
    List {
        number: 4,
        name: "assessments",
        kind: CaseType::Assessment,
        closers: &[Closer::Date(Pattern {
            phrases: &[
                "date of authorisation",
                "authorisation date",
                "assessment completion date",
                "date assessment completed",
                "assessment end date",
                "completion date",
                "date completed",
            ],
            unless: &[],
        })],
        closer_required: true,
    },
    List {
        number: 5,
        name: "section 47 enquiries",
        kind: CaseType::Assessment,
        closers: &[
            Closer::Date(Pattern {
                phrases: &[
                    "date of initial child protection conference",
                    "date of icpc",
                    "icpc date",
                    "s47 end date",
                    "section 47 end date",
                    "date s47 completed",
                    "enquiry end date",
                    "date enquiry completed",
                ],
                unless: &["number"],
            }),
            Closer::Yes(Pattern {
                phrases: &["deemed unnecessary", "icpc not required"],
                unless: &[],
            }),
        ],
        closer_required: true,
    },
    List {
        number: 6,
        name: "children in need",
        kind: CaseType::InNeed,
        closers: &[
            Closer::Date(Pattern {
                phrases: &[
                    "cin closure date",
                    "closure date",
                    "date of closure",
                    "date case closed",
                    "date closed",
                    "cin end date",
                    "cin plan end date",
                    "end date",
                ],
                unless: &["reason"],
            }),
            Closer::Says(
                Pattern {
                    phrases: &["case status"],
                    unless: &[],
                },
                &["closed"],
            ),
        ],
        closer_required: true,
    },
    List {
        number: 7,
        name: "child protection",
        kind: CaseType::ChildProtection,
        closers: &[Closer::Date(Pattern {
            phrases: &[
                "child protection plan end date",
                "cp plan end date",
                "plan end date",
                "date plan ended",
                "date cp plan ended",
                "end date",
            ],
            unless: &["reason"],
        })],
        closer_required: true,
    },
    List {
        number: 8,
        name: "children in care",
        kind: CaseType::InCare,
        closers: &[Closer::Date(Pattern {
            phrases: &[
                "date ceased to be looked after",
                "ceased to be looked after",
                "date ceased to be cla",
                "date ceased",
                "ceased date",
                "date left care",
                "cla end date",
                "end date",
            ],
            unless: &["reason"],
        })],
        closer_required: true,
    },
    List {
        number: 9,
        name: "care leavers",
        kind: CaseType::CareLeaver,
        closers: &[Closer::Says(
            Pattern {
                phrases: &["in touch"],
                unless: &["date"],
            },
            &["died"],
        )],
        closer_required: false,
    },
];

/// The names of the lists that are not cases, for the report.
pub(crate) fn other_list(number: u8) -> &'static str {
    match number {
        1 => "contacts",
        2 => "early help",
        10 => "adoption",
        _ => "adopters",
    }
}
