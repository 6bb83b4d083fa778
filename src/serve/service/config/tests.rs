//! The config reader's tests: good files read into typed values, bad ones named at their key.

use super::*;

const GOOD: &str = r#"
[server]
bind = "127.0.0.1:8080"
public_url = "https://caseload.example.org/"
record = "record.sqlite"
session_hours = 8

[oidc]
issuer = "https://login.example.org/realms/trust"
client_id = "caseload"
groups_claim = "groups"

[[access]]
email = "Pat.Manager@example.org"
role = "manager"
teams = ["T02", "T01"]

[[access]]
group = "planners"
role = "planner"
"#;

fn problems(text: &str) -> Vec<String> {
    match parse("serve.toml", text, Path::new("/etc/caseload")) {
        Ok(_) => Vec::new(),
        Err(Error::InvalidInput(e)) => e.0.iter().map(|e| e.to_string()).collect(),
        Err(e) => vec![e.to_string()],
    }
}

#[test]
fn a_good_config_reads_into_typed_values() {
    let c = parse("serve.toml", GOOD, Path::new("/etc/caseload")).expect("good");
    assert_eq!(c.server.bind, "127.0.0.1:8080".parse().unwrap());
    assert_eq!(c.server.public_url, "https://caseload.example.org");
    assert_eq!(c.server.record, Path::new("/etc/caseload/record.sqlite"));
    assert_eq!(c.oidc.issuer, "https://login.example.org/realms/trust");
    assert_eq!(c.access.len(), 2);
    assert_eq!(
        c.access[0].matches,
        Match::Email("pat.manager@example.org".into())
    );
    assert_eq!(c.access[0].teams, ["T01", "T02"]);
    assert_eq!(c.access[1].role, Role::Planner);
    assert_eq!(c.server.refresh_seconds, REFRESH_SECONDS);
    let every = parse(
        "serve.toml",
        &GOOD.replace(
            "session_hours = 8",
            "session_hours = 8\nrefresh_seconds = 2",
        ),
        Path::new("/etc/caseload"),
    )
    .expect("good");
    assert_eq!(every.server.refresh_seconds, 2);
}

#[test]
fn a_refresh_outside_1_to_60_seconds_is_named() {
    for bad in ["0", "61", "-5"] {
        let found = problems(&GOOD.replace(
            "session_hours = 8",
            &format!("session_hours = 8\nrefresh_seconds = {bad}"),
        ));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with(
                "serve.toml:7: server.refresh_seconds: a whole number of seconds from 1 to 60"
            ),
            "{found:?}"
        );
    }
}

#[test]
fn a_bad_config_names_the_key_at_its_line() {
    let unknown = problems(&GOOD.replace("bind =", "bnd ="));
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert!(
        unknown[0].starts_with("serve.toml:3: server.bnd: unknown field `bnd`"),
        "{unknown:?}"
    );
    assert!(unknown[0].ends_with("[E-UNKNOWN-KEY]"), "{unknown:?}");

    let role = problems(&GOOD.replace("\"planner\"", "\"boss\""));
    assert!(
        role[0].starts_with("serve.toml:20: access[1].role: unknown variant `boss`"),
        "{role:?}"
    );

    let missing = problems(&GOOD.replace("client_id = \"caseload\"\n", ""));
    assert!(
        missing[0].contains("oidc: missing field `client_id`"),
        "{missing:?}"
    );
    assert!(missing[0].ends_with("[E-MISSING-KEY]"), "{missing:?}");

    let several = problems(
        &GOOD
            .replace("127.0.0.1:8080", "localhost")
            .replace("teams = [\"T02\", \"T01\"]", "")
            .replace("session_hours = 8", "session_hours = 0"),
    );
    assert_eq!(several.len(), 3, "{several:?}");
    assert!(
        several[0].starts_with("serve.toml:3: server.bind:"),
        "{several:?}"
    );
    assert!(
        several[1].starts_with("serve.toml:6: server.session_hours:"),
        "{several:?}"
    );
    assert!(
        several[2].starts_with("serve.toml:13: access[0].teams:"),
        "{several:?}"
    );

    let both = problems(&GOOD.replace("group = \"planners\"", "group = \"p\"\nsub = \"x\""));
    assert!(
        both[0].contains("access[1]: a rule matches by one of"),
        "{both:?}"
    );

    let syntax = problems("[server\n");
    assert!(syntax[0].starts_with("serve.toml:1"), "{syntax:?}");
}

#[test]
fn child_detail_is_a_planners_grant_and_named_on_another_role() {
    let c = parse(
        "serve.toml",
        &format!("{GOOD}child_detail = true\n"),
        Path::new("/etc/caseload"),
    )
    .expect("good");
    assert!(c.access[1].child_detail);
    assert!(!c.access[0].child_detail);
    let manager = problems(&GOOD.replace(
        "teams = [\"T02\", \"T01\"]",
        "teams = [\"T02\", \"T01\"]\nchild_detail = true",
    ));
    assert_eq!(manager.len(), 1, "{manager:?}");
    assert!(
        manager[0]
            .starts_with("serve.toml:17: access[0].child_detail: child_detail grants a planner"),
        "{manager:?}"
    );
}
