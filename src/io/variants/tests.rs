use std::path::Path;

use super::*;
use crate::model::plan::{Demand, Limits, PolicyChange, Selection};
use crate::model::{Band, Case, Policy, Worker, WorkerId};

fn base() -> Scenario {
    Scenario::new(
        vec![Worker::new("W1").team("A"), Worker::new("W2").team("A")],
        vec![Case::new("C1").team("A").held_by("W1")],
        Policy::default(),
    )
}

fn parse_in(text: &str, dir: &Path) -> Result<Plan, InputErrors> {
    parse_plan(&Source::new("variants.toml", text), dir, &base())
}

fn parse(text: &str) -> Result<Plan, InputErrors> {
    parse_in(text, Path::new("."))
}

fn plan(text: &str) -> Plan {
    parse(text).unwrap_or_else(|e| panic!("{e}"))
}

/// Every problem as the user reads it.
fn errors(text: &str) -> Vec<String> {
    match parse(text) {
        Ok(plan) => panic!("expected errors, got {plan:?}"),
        Err(errors) => errors.0.iter().map(ToString::to_string).collect(),
    }
}

fn names(plan: &Plan) -> Vec<&str> {
    plan.variants.iter().map(|v| v.name.as_str()).collect()
}

/// The fraction of the first edit (a `remove_workers` by fraction) of every variant.
fn fractions(plan: &Plan) -> Vec<f64> {
    plan.variants
        .iter()
        .map(|v| match &v.edits[0] {
            Edit::RemoveWorkers(Selection::Fraction { fraction, .. }) => *fraction,
            other => panic!("not a fraction: {other:?}"),
        })
        .collect()
}

fn policy_change(variant: &Variant) -> &PolicyChange {
    match &variant.edits[0] {
        Edit::Policy(change) => change,
        other => panic!("not a policy change: {other:?}"),
    }
}

#[test]
fn a_plain_file_reads_into_a_plan() {
    let plan = plan(
        r#"
seed = 7
seeds = 4
time_limit_s = 5

[[variant]]
name = "today"

[[variant]]
name = " leavers "
change = [{ do = "remove_workers", fraction = 0.5 }]

[[variant]]
name = "hires"
seeds = 9
change = [{ do = "add_workers", count = 2, team = "A" }]
"#,
    );
    assert_eq!(plan.seed, 7);
    assert_eq!(plan.time_limit_s, 5.0);
    assert_eq!(names(&plan), ["today", "leavers", "hires"]);
    // Draws only where a change is random.
    let draws: Vec<u32> = plan.variants.iter().map(|v| v.draws).collect();
    assert_eq!(draws, [1, 4, 1]);
    assert!(plan.variants.iter().all(|v| v.params.is_empty()));
    assert_eq!(plan.variants[1].base_name, "leavers");
}

#[test]
fn defaults_apply_when_the_file_says_nothing() {
    let plan =
        plan("[[variant]]\nname = \"x\"\nchange = [{ do = \"add_referrals\", count = 3 }]\n");
    assert_eq!(plan.seed, 1);
    assert_eq!(plan.time_limit_s, DEFAULT_TIME_LIMIT_S);
    assert_eq!(plan.variants[0].draws, DEFAULT_SEEDS);
    assert_eq!(
        plan.variants[0].edits,
        [Edit::AddReferrals {
            demand: Demand::Count(3),
            team: None
        }]
    );
}

#[test]
fn a_float_range_expands_to_one_variant_per_step() {
    let plan = plan(
        r#"
[[variant]]
name = "attrition"
grid = { rate = { from = 0.0, to = 0.2, step = 0.05 } }
change = [{ do = "remove_workers", fraction = "$rate" }]
"#,
    );
    assert_eq!(
        names(&plan),
        [
            "attrition [rate=0]",
            "attrition [rate=0.05]",
            "attrition [rate=0.1]",
            "attrition [rate=0.15]",
            "attrition [rate=0.2]",
        ]
    );
    assert_eq!(fractions(&plan), [0.0, 0.05, 0.1, 0.15, 0.2]);
    let params: Vec<_> = plan.variants.iter().map(|v| v.params.clone()).collect();
    assert_eq!(params[3], [("rate".to_string(), 0.15)]);
    assert!(plan.variants.iter().all(|v| v.base_name == "attrition"));
    assert_eq!(plan.variants[1].point(), "rate=0.05");
}

#[test]
fn float_steps_land_on_round_values_and_reach_the_end() {
    // 0.1 + 2 × 0.1 is 0.30000000000000004 in binary: the grid keeps 0.3, and the last
    // step is not lost to (0.3 - 0.1) / 0.1 being 1.9999999999999998.
    let plan = plan(
        r#"
[[variant]]
name = "x"
grid = { f = { from = 0.1, to = 0.3, step = 0.1 } }
change = [{ do = "remove_workers", fraction = "$f" }]
"#,
    );
    assert_eq!(fractions(&plan), [0.1, 0.2, 0.3]);
    // A range that does not land on `to` stops before it.
    let plan = plan_of_range("from = 0.0, to = 0.25, step = 0.1");
    assert_eq!(fractions(&plan), [0.0, 0.1, 0.2]);
}

fn plan_of_range(range: &str) -> Plan {
    plan(&format!(
        "[[variant]]\nname = \"x\"\ngrid = {{ f = {{ {range} }} }}\nchange = [{{ do = \"remove_workers\", fraction = \"$f\" }}]\n"
    ))
}

#[test]
fn an_integer_range_gives_integers_a_mixed_one_floats() {
    let plan = plan(
        r#"
[[variant]]
name = "leavers"
grid = { n = { from = 0, to = 2, step = 1 } }
change = [{ do = "remove_workers", count = "$n" }]
"#,
    );
    let counts: Vec<usize> = plan
        .variants
        .iter()
        .map(|v| match &v.edits[0] {
            Edit::RemoveWorkers(Selection::Count { count, team: None }) => *count,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(counts, [0, 1, 2]);
    assert_eq!(names(&plan)[2], "leavers [n=2]");
    // An integer `from` with a float step gives floats.
    assert_eq!(
        fractions(&plan_of_range("from = 0, to = 1, step = 0.5")),
        [0.0, 0.5, 1.0]
    );
}

#[test]
fn a_list_gives_its_values_in_order() {
    let plan = plan(
        r#"
[[variant]]
name = "cap"
grid = { cap = [20, 18.5, 24] }
change = [{ do = "policy", standard_capacity = "$cap" }]
"#,
    );
    assert_eq!(
        names(&plan),
        ["cap [cap=20]", "cap [cap=18.5]", "cap [cap=24]"]
    );
    let caps: Vec<_> = plan
        .variants
        .iter()
        .map(|v| policy_change(v).standard_capacity)
        .collect();
    assert_eq!(caps, [Some(20.0), Some(18.5), Some(24.0)]);
    // No random change: one draw each.
    assert!(plan.variants.iter().all(|v| v.draws == 1));
}

#[test]
fn several_grid_keys_give_every_combination_in_key_order() {
    let plan = plan(
        r#"
[[variant]]
name = "both"
grid = { rate = [0.1, 0.2], cap = { from = 18, to = 20, step = 2 } }
change = [
  { do = "remove_workers", fraction = "$rate" },
  { do = "policy", standard_capacity = "$cap" },
]
"#,
    );
    assert_eq!(
        names(&plan),
        [
            "both [cap=18;rate=0.1]",
            "both [cap=18;rate=0.2]",
            "both [cap=20;rate=0.1]",
            "both [cap=20;rate=0.2]",
        ]
    );
    assert_eq!(fractions(&plan), [0.1, 0.2, 0.1, 0.2]);
    let caps: Vec<_> = plan
        .variants
        .iter()
        .map(|v| match &v.edits[1] {
            Edit::Policy(change) => change.standard_capacity,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(caps, [Some(18.0), Some(18.0), Some(20.0), Some(20.0)]);
    assert_eq!(
        plan.variants[2].params,
        [("cap".to_string(), 20.0), ("rate".to_string(), 0.1)]
    );
}

#[test]
fn a_range_is_capped_at_ten_thousand_values() {
    let wide = r#"
[[variant]]
name = "wide"
grid = { n = { from = 0, to = 20000, step = 1 } }
change = [{ do = "remove_workers", count = "$n" }]
"#;
    assert_eq!(
        errors(wide),
        ["variants.toml:2: variant[1].grid.n: needs step > 0 and to ≥ from (at most 10,000 values), got from 0, to 20000, step 1 [E-VARIANTS]"]
    );
    // 5,001 points of one draw each: within the 10,000 solves of a run.
    let many = plan(
        "seeds = 1\n[[variant]]\nname = \"x\"\ngrid = { f = { from = 0, to = 0.5, step = 0.0001 } }\nchange = [{ do = \"remove_workers\", fraction = \"$f\" }]\n",
    );
    assert_eq!(many.variants.len(), 5001);
    // 10,001 values: one too many.
    let over = "[[variant]]\nname = \"x\"\ngrid = { n = { from = 0, to = 10000, step = 1 } }\nchange = [{ do = \"policy\", max_moves = \"$n\" }]\n";
    assert_eq!(
        errors(over),
        ["variants.toml:1: variant[1].grid.n: needs step > 0 and to ≥ from (at most 10,000 values), got from 0, to 10000, step 1 [E-VARIANTS]"]
    );
}

#[test]
fn a_plan_over_the_solves_of_a_run_is_refused_at_the_key_that_makes_it_so() {
    let random = "change = [{ do = \"remove_workers\", count = 1 }]";
    assert_eq!(
        errors(&format!("seeds = 4000\n[[variant]]\nname = \"a\"\n{random}\n[[variant]]\nname = \"b\"\n{random}\n[[variant]]\nname = \"c\"\n{random}\n")),
        ["variants.toml:1: seeds: the plan asks for 12,000 solves (grid points × draws), more than the 10,000 a run may make: ask for fewer, or raise the limit with --max-solves [E-VARIANTS]"]
    );
    assert_eq!(
        errors(&format!("[[variant]]\nname = \"a\"\nseeds = 20000\n{random}\n")),
        ["variants.toml:1: variant[1].seeds: the plan asks for 20,000 solves (grid points × draws), more than the 10,000 a run may make: ask for fewer, or raise the limit with --max-solves [E-VARIANTS]"]
    );
    // A change that is not random has one draw, whatever `seeds` says.
    let plain = "seeds = 1000000000\n[[variant]]\nname = \"a\"\nchange = [{ do = \"policy\", max_moves = 3 }]\n";
    assert_eq!(plan(plain).variants[0].draws, 1);
    // Raised by the caller.
    let limits = Limits {
        max_solves: 12_000,
        ..Limits::default()
    };
    let text = format!("seeds = 4000\n[[variant]]\nname = \"a\"\n{random}\n[[variant]]\nname = \"b\"\n{random}\n[[variant]]\nname = \"c\"\n{random}\n");
    let plan = parse_plan_within(
        &Source::new("variants.toml", text),
        Path::new("."),
        &base(),
        &limits,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plan.solves(), 12_000);
}

#[test]
fn a_variant_adding_too_many_workers_or_children_is_refused() {
    assert_eq!(
        errors("[[variant]]\nname = \"a\"\nchange = [{ do = \"add_workers\", count = 6000 }, { do = \"add_workers\", count = 6000 }]\n"),
        ["variants.toml:1: variant[1].change: adds 12,000 workers, more than the 10,000 a variant may add [E-VARIANTS]"]
    );
    // The base has one child: a fraction of 200,000 adds 200,000.
    assert_eq!(
        errors("[[variant]]\nname = \"a\"\nchange = [{ do = \"add_referrals\", fraction = 200000.0 }]\n"),
        ["variants.toml:1: variant[1].change: adds 200,000 children, more than the 100,000 a variant may add [E-VARIANTS]"]
    );
}

#[test]
fn a_range_must_step_forward() {
    let with = |range: &str| {
        errors(&format!(
            "[[variant]]\nname = \"x\"\ngrid = {{ f = {{ {range} }} }}\nchange = [{{ do = \"remove_workers\", fraction = \"$f\" }}]\n"
        ))
    };
    assert_eq!(
        with("from = 0.0, to = 0.2, step = 0.0"),
        ["variants.toml:1: variant[1].grid.f: needs step > 0 and to ≥ from (at most 10,000 values), got from 0, to 0.2, step 0 [E-VARIANTS]"]
    );
    assert_eq!(
        with("from = 0.2, to = 0.1, step = 0.1"),
        ["variants.toml:1: variant[1].grid.f: needs step > 0 and to ≥ from (at most 10,000 values), got from 0.2, to 0.1, step 0.1 [E-VARIANTS]"]
    );
}

#[test]
fn a_grid_value_must_be_numbers_or_a_range() {
    let shape = "must be a list of numbers or { from = …, to = …, step = … }";
    for spec in [
        "[]",
        "[1, \"two\"]",
        "\"0.1\"",
        "{ from = 0, to = 1 }",
        "{ from = 0, to = 1, stride = 1 }",
        "{ from = 0, to = \"1\", step = 1 }",
    ] {
        let text = format!(
            "[[variant]]\nname = \"x\"\ngrid = {{ f = {spec} }}\nchange = [{{ do = \"remove_workers\", fraction = \"$f\" }}]\n"
        );
        assert_eq!(
            errors(&text),
            [format!(
                "variants.toml:1: variant[1].grid.f: {shape} [E-VARIANTS]"
            )],
            "{spec}"
        );
    }
}

#[test]
fn a_param_is_substituted_inside_tables_and_lists() {
    let plan = plan(
        r#"
[[variant]]
name = "costs"
grid = { w = [3], amber = [0.9] }
change = [{ do = "policy", weights = { move = "$w" }, bands = [
  { from = 0.0, cost = 0.0 },
  { from = "$amber", cost = 1.0 },
] }]
"#,
    );
    let change = policy_change(&plan.variants[0]);
    assert_eq!(change.move_weight, Some(3.0));
    assert_eq!(
        change.bands,
        Some(vec![
            Band {
                from: 0.0,
                cost: 0.0
            },
            Band {
                from: 0.9,
                cost: 1.0
            },
        ])
    );
}

#[test]
fn only_a_whole_dollar_string_is_a_param() {
    // `A$n` is a team name, not a substitution.
    let plan = plan(
        r#"
[[variant]]
name = "x"
grid = { n = [1] }
change = [{ do = "remove_workers", count = "$n", team = "A$n" }]
"#,
    );
    assert_eq!(
        plan.variants[0].edits,
        [Edit::RemoveWorkers(Selection::Count {
            count: 1,
            team: Some("A$n".into())
        })]
    );
}

#[test]
fn an_unknown_param_is_located() {
    let text = r#"seeds = 2

[[variant]]
name = "attrition"
grid = { rate = [0.1] }
change = [
  { do = "add_workers", count = 1 },
  { do = "remove_workers", fraction = "$rat" },
]
"#;
    assert_eq!(
        errors(text),
        ["variants.toml:3: variant[1].change[2]: `$rat` is not a parameter of this variant's grid [E-VARIANTS]"]
    );
    // Without a grid, every `$` string is unknown.
    let text = "[[variant]]\nname = \"x\"\nchange = [{ do = \"add_workers\", count = \"$n\" }]\n";
    assert_eq!(
        errors(text),
        ["variants.toml:1: variant[1].change[1]: `$n` is not a parameter of this variant's grid [E-VARIANTS]"]
    );
}

#[test]
fn a_param_of_the_wrong_type_is_located() {
    // A float where a count is expected, a number where a team name is.
    let text = r#"
[[variant]]
name = "ok"

[[variant]]
name = "leavers"
grid = { n = [0.5] }
change = [{ do = "remove_workers", count = "$n" }]

[[variant]]
name = "team"
grid = { n = [2] }
change = [{ do = "remove_workers", team = "$n" }]
"#;
    let found = errors(text);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].starts_with(
            "variants.toml:5: variant[2].change[1]: invalid type: floating point `0.5`"
        ),
        "{found:?}"
    );
    assert!(
        found[1].starts_with("variants.toml:10: variant[3].change[1]: invalid type: integer `2`"),
        "{found:?}"
    );
    assert!(found.iter().all(|e| e.ends_with("[E-VARIANTS]")));
}

#[test]
fn every_problem_of_the_file_is_reported_in_line_order() {
    let text = r#"seeds = 2
time_limit_s = -1

[[variant]]
name = ""
change = [{ do = "fly" }]

[[variant]]
name = "dup"

[[variant]]
name = "dup"
change = [{ do = "remove_workers", fraction = 1.5 }]
"#;
    assert_eq!(
        errors(text),
        [
            "variants.toml:2: time_limit_s: must be a number of seconds > 0, got -1 [E-VARIANTS]".to_string(),
            "variants.toml:4: variant[1].name: must not be empty [E-VARIANTS]".to_string(),
            "variants.toml:4: variant[1].change[1]: unknown variant `fly`, expected one of `remove_workers`, `update_workers`, `add_workers`, `add_referrals`, `add_cases`, `policy` [E-VARIANTS]".to_string(),
            "variants.toml:11: variant[3].change[1]: fraction must be in [0, 1], got 1.5 [E-VARIANTS]".to_string(),
        ]
    );
}

#[test]
fn a_change_without_do_gets_the_list_of_changes() {
    assert_eq!(
        errors("[[variant]]\nname = \"x\"\nchange = [{ count = 1 }]\n"),
        ["variants.toml:1: variant[1].change[1]: missing field `do`: `do` is one of remove_workers, update_workers, add_workers, add_referrals, add_cases, policy [E-VARIANTS]"]
    );
}

#[test]
fn two_grid_points_or_variants_with_one_name_are_reported() {
    assert_eq!(
        errors("[[variant]]\nname = \"a\"\n\n[[variant]]\nname = \"a \"\n"),
        ["variants.toml:4: name: two variants are named `a` (first at line 1): names must be unique [E-VARIANTS]"]
    );
}

#[test]
fn a_file_without_variants_or_not_toml_is_reported() {
    assert_eq!(
        errors("seed = 3\n"),
        ["variants.toml:1: variant: no [[variant]]: nothing to compare [E-VARIANTS]"]
    );
    for empty in ["", "\n  \n", "# only a comment\n"] {
        let expected = if empty.contains('#') {
            "variants.toml:1: variant: no [[variant]]: nothing to compare [E-VARIANTS]"
        } else {
            "variants.toml:1: the file is empty: nothing to compare (add a [[variant]]) [E-VARIANTS]"
        };
        assert_eq!(errors(empty), [expected]);
    }
    let broken = errors("seed = 3\n[[variant]\n");
    assert_eq!(broken.len(), 1);
    assert!(broken[0].starts_with("variants.toml:2: "), "{broken:?}");
    let unknown = errors("seed = 3\nsead = 4\n[[variant]]\nname = \"x\"\n");
    assert!(
        unknown[0].starts_with("variants.toml:2: unknown field `sead`"),
        "{unknown:?}"
    );
}

#[test]
fn add_cases_reads_a_cases_file_beside_the_variants_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("new.csv"), "id,team\nN1,A\nN2,A\n").expect("write");
    std::fs::write(dir.path().join("bad.csv"), "id,current_worker\nN1,ZZ\n").expect("write");
    let text = "[[variant]]\nname = \"x\"\nchange = [{ do = \"add_cases\", file = \"new.csv\" }]\n";
    let plan = parse_in(text, dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let Edit::AddCases(cases) = &plan.variants[0].edits[0] else {
        panic!("{:?}", plan.variants[0].edits);
    };
    let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["N1", "N2"]);
    // A problem in the cases file is located in that file.
    let text = text.replace("new.csv", "bad.csv");
    let errors = parse_in(&text, dir.path()).expect_err("unknown worker");
    let bad = dir.path().join("bad.csv").display().to_string();
    assert_eq!(errors.0.len(), 1, "{errors}");
    assert_eq!(errors.0[0].file, bad);
    assert_eq!(errors.0[0].line, Some(2));
    // A missing file is located at the change.
    let text = text.replace("bad.csv", "missing.csv");
    let errors = parse_in(&text, dir.path()).expect_err("missing");
    assert!(
        errors.to_string().starts_with(&format!(
            "variants.toml:1: variant[1].change[1]: cannot read {}",
            dir.path().join("missing.csv").display()
        )),
        "{errors}"
    );
}

#[test]
fn selections_and_updates_are_read() {
    let plan = plan(
        r#"
[[variant]]
name = "x"
change = [
  { do = "remove_workers", ids = ["W1", "W2"] },
  { do = "update_workers", team = "A", fte = 0.5, add_skills = ["court", " "] },
]
"#,
    );
    let edits = &plan.variants[0].edits;
    assert_eq!(
        edits[0],
        Edit::RemoveWorkers(Selection::Ids(vec![
            WorkerId::new("W1"),
            WorkerId::new("W2")
        ]))
    );
    let Edit::UpdateWorkers(Selection::Team(team), update) = &edits[1] else {
        panic!("{edits:?}");
    };
    assert_eq!(team, "A");
    assert_eq!(update.fte, Some(0.5));
    assert_eq!(update.add_skills.len(), 1, "an empty tag is dropped");
}

#[test]
fn load_plan_reports_an_unreadable_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(VARIANTS_FILE);
    let errors = load_plan(&path, &base()).expect_err("missing");
    assert_eq!(errors.0.len(), 1);
    assert_eq!(errors.0[0].file, path.display().to_string());
    assert_eq!(errors.0[0].line, None);
    assert_eq!(errors.0[0].code, CODE);
    assert!(errors.0[0]
        .message
        .starts_with("cannot read the variants file: "));
}

#[test]
fn load_plan_locates_bytes_that_are_not_utf8() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(VARIANTS_FILE);
    std::fs::write(&path, b"seed = 1\n# caf\xe9\n[[variant]]\nname = \"a\"\n").expect("written");
    let errors = load_plan(&path, &base()).expect_err("not UTF-8");
    assert_eq!(
        errors.to_string(),
        format!(
            "{}:2: not UTF-8 text (byte 15 of the file): save it as UTF-8 [E-VARIANTS]",
            path.display()
        )
    );
}
