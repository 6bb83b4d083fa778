//! Plausible worker names and the labels of teams, workers, groups and cases.

use std::collections::BTreeSet;

use super::rng::SeededRng;

/// Given names common in the English social care workforce.
const GIVEN_NAMES: [&str; 64] = [
    "Aisha",
    "Alex",
    "Amara",
    "Amy",
    "Andrew",
    "Anna",
    "Asha",
    "Ben",
    "Bilal",
    "Caroline",
    "Charlotte",
    "Chloe",
    "Chris",
    "Daniel",
    "David",
    "Deborah",
    "Emma",
    "Fatima",
    "Gemma",
    "Grace",
    "Hannah",
    "Harpreet",
    "Helen",
    "Imran",
    "Jade",
    "James",
    "Jasmine",
    "Jo",
    "Joanne",
    "Kate",
    "Kerry",
    "Laura",
    "Leanne",
    "Lisa",
    "Lucy",
    "Magdalena",
    "Maria",
    "Mark",
    "Michelle",
    "Mohammed",
    "Nadia",
    "Naomi",
    "Natalie",
    "Nicola",
    "Olivia",
    "Paul",
    "Priya",
    "Rachel",
    "Rebecca",
    "Rosie",
    "Ruth",
    "Sam",
    "Sarah",
    "Shabana",
    "Sophie",
    "Stacey",
    "Tanya",
    "Tom",
    "Tomasz",
    "Victoria",
    "Yasmin",
    "Yusuf",
    "Zainab",
    "Zoe",
];

/// Family names common in England.
const FAMILY_NAMES: [&str; 64] = [
    "Adams",
    "Ahmed",
    "Ali",
    "Allen",
    "Bailey",
    "Begum",
    "Bennett",
    "Brown",
    "Campbell",
    "Carter",
    "Chowdhury",
    "Clarke",
    "Cooper",
    "Davies",
    "Edwards",
    "Evans",
    "Green",
    "Hall",
    "Harris",
    "Hassan",
    "Hill",
    "Hughes",
    "Hussain",
    "Jackson",
    "James",
    "Johnson",
    "Jones",
    "Kaur",
    "Khan",
    "King",
    "Kowalski",
    "Lewis",
    "Martin",
    "Mensah",
    "Mitchell",
    "Moore",
    "Morris",
    "Murphy",
    "Nowak",
    "O'Brien",
    "Okafor",
    "Owen",
    "Parker",
    "Patel",
    "Phillips",
    "Popescu",
    "Price",
    "Rahman",
    "Roberts",
    "Robinson",
    "Shah",
    "Singh",
    "Smith",
    "Taylor",
    "Thomas",
    "Thompson",
    "Turner",
    "Walker",
    "Ward",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wright",
];

/// How many draws to try for a name not yet used before accepting a repeat.
const NAME_ATTEMPTS: usize = 32;

/// A plausible full name, distinct from those in `used` while the lists allow it.
pub(super) fn person_name(rng: &mut SeededRng, used: &mut BTreeSet<String>) -> String {
    let mut name = String::new();
    for _ in 0..NAME_ATTEMPTS {
        let given = rng.pick(&GIVEN_NAMES).copied().unwrap_or("Sam");
        let family = rng.pick(&FAMILY_NAMES).copied().unwrap_or("Smith");
        name = format!("{given} {family}");
        if !used.contains(&name) {
            break;
        }
    }
    used.insert(name.clone());
    name
}

/// Digits needed to write `n`, at least `min`.
pub(super) fn width(n: usize, min: usize) -> usize {
    n.to_string().len().max(min)
}

/// Team label: `T01`, `T02`, … (`team` is 0-based).
pub(super) fn team_label(team: usize, team_width: usize) -> String {
    format!("T{:0team_width$}", team + 1)
}

/// Worker id: `W` + team number + number in the team, e.g. `W0103` (`team` and `member` are 0-based).
pub(super) fn worker_id(team: usize, team_width: usize, member: usize) -> String {
    format!("W{:0team_width$}{:02}", team + 1, member + 1)
}

/// Case id: `C00001`, … (`n` is 0-based).
pub(super) fn case_id(n: usize, case_width: usize) -> String {
    format!("C{:0case_width$}", n + 1)
}

/// Sibling group id: `F0001`, … (`n` is 0-based).
pub(super) fn group_id(n: usize, group_width: usize) -> String {
    format!("F{:0group_width$}", n + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::rng::Stream;

    #[test]
    fn labels_are_zero_padded() {
        assert_eq!(team_label(0, 2), "T01");
        assert_eq!(worker_id(2, 2, 9), "W0310");
        assert_eq!(worker_id(119, 3, 0), "W12001");
        assert_eq!(case_id(41, 5), "C00042");
        assert_eq!(group_id(0, 4), "F0001");
        assert_eq!(width(250, 5), 5);
        assert_eq!(width(123_456, 5), 6);
    }

    #[test]
    fn names_do_not_repeat_while_the_lists_allow() {
        let mut rng = SeededRng::new(3, Stream::Workforce);
        let mut used = BTreeSet::new();
        for _ in 0..300 {
            person_name(&mut rng, &mut used);
        }
        assert_eq!(used.len(), 300);
    }
}
