//! `serve.toml`: the service's configuration (SPEC v3, "One service, many managers"),
//! read into typed values. A bad file is invalid input (exit 2) with each problem located
//! and named by its key: `serve.toml:7: access[1].role: unknown variant `boss` … [E-PARSE]`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::codes;
use crate::error::{Error, InputError, InputErrors};

/// A caller's role (SPEC v3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees and decides on the children and workers of their teams only.
    Manager,
    /// All teams; cross-team decisions.
    HeadOfService,
    /// Reads every team's loads and counts; no child-level detail, no decisions.
    Planner,
    /// Reads the record and the access log; decides nothing.
    Auditor,
    /// Everything.
    Admin,
}

impl Role {
    /// The name as the config writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::HeadOfService => "head_of_service",
            Role::Planner => "planner",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }
}

/// `[server]`.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Where to listen.
    pub bind: SocketAddr,
    /// The URL users reach the service at (redirects, the Origin check, `Secure`).
    pub public_url: String,
    /// The record (relative to the config file's folder).
    pub record: PathBuf,
    /// How long a browser session lasts.
    pub session_hours: f64,
    /// Every how many seconds the record is looked at for a newer run of the scenario
    /// recorded by another process (the nightly job): 1 to 60, default 15.
    pub refresh_seconds: u64,
    /// Serve HTTPS with this certificate chain and key (PEM files, relative to the
    /// config file's folder); checked when the config is read.
    pub tls: Option<(PathBuf, PathBuf)>,
}

/// `[oidc]`.
#[derive(Clone, Debug)]
pub struct OidcConfig {
    /// The issuer; discovery at `ISSUER/.well-known/openid-configuration`.
    pub issuer: String,
    /// This service's client id: the `aud` every token must carry.
    pub client_id: String,
    /// The client secret, read from `client_secret_file` (none for a public client).
    pub client_secret: Option<String>,
    /// The claim that lists a person's groups.
    pub groups_claim: Option<String>,
}

/// Whom an `[[access]]` rule matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Match {
    /// The `email` claim, compared without case.
    Email(String),
    /// The `sub` claim.
    Sub(String),
    /// One of the groups in the groups claim.
    Group(String),
}

/// One `[[access]]` rule.
#[derive(Clone, Debug)]
pub struct AccessRule {
    /// Whom it matches.
    pub matches: Match,
    /// The role it grants.
    pub role: Role,
    /// A manager's teams (sorted).
    pub teams: Vec<String>,
    /// A planner granted child-level reads (`child_detail = true`): every team's
    /// allocation rows, decisions and exports, still deciding nothing.
    pub child_detail: bool,
}

/// The whole `serve.toml`.
#[derive(Clone, Debug)]
pub struct ServiceConfig {
    /// `[server]`.
    pub server: ServerConfig,
    /// `[oidc]`.
    pub oidc: OidcConfig,
    /// `[[access]]`, in order: the first match wins.
    pub access: Vec<AccessRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    server: RawServer,
    oidc: RawOidc,
    #[serde(default)]
    access: Vec<Spanned<RawAccess>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServer {
    bind: Spanned<String>,
    public_url: Spanned<String>,
    record: String,
    #[serde(default = "eight")]
    session_hours: Spanned<f64>,
    #[serde(default = "fifteen")]
    refresh_seconds: Spanned<i64>,
    tls_cert: Option<Spanned<String>>,
    tls_key: Option<String>,
}

fn eight() -> Spanned<f64> {
    Spanned::new(0..0, 8.0)
}

/// How often the service looks for the nightly run when the config does not say.
pub const REFRESH_SECONDS: u64 = 15;

fn fifteen() -> Spanned<i64> {
    Spanned::new(0..0, REFRESH_SECONDS as i64)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOidc {
    issuer: Spanned<String>,
    client_id: String,
    client_secret_file: Option<Spanned<String>>,
    groups_claim: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccess {
    email: Option<String>,
    sub: Option<String>,
    group: Option<String>,
    role: Role,
    #[serde(default)]
    teams: Vec<String>,
    child_detail: Option<Spanned<bool>>,
}

/// Collects the problems of one file, each at its line.
struct Problems<'a> {
    file: String,
    text: &'a str,
    found: Vec<InputError>,
}

impl Problems<'_> {
    fn line(&self, at: usize) -> Option<u64> {
        if at == 0 && self.text.is_empty() {
            return None;
        }
        let at = at.min(self.text.len());
        Some(
            self.text.as_bytes()[..at]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64
                + 1,
        )
    }

    fn add(&mut self, at: Option<usize>, key: &str, code: &'static str, message: String) {
        let line = at.and_then(|a| self.line(a));
        self.found.push(InputError {
            file: self.file.clone(),
            line,
            column: key.to_string(),
            cell: None,
            code,
            message,
        });
    }
}

/// Reads `serve.toml` at `path`: every problem at once, located, as [`Error::InvalidInput`].
pub fn read(path: &Path) -> Result<ServiceConfig, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    parse(&path.display().to_string(), &text, base)
}

/// Reads the text of a `serve.toml` named `file`; relative paths in it are taken from
/// `base`.
pub fn parse(file: &str, text: &str, base: &Path) -> Result<ServiceConfig, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut problems = Problems {
        file: file.to_string(),
        text,
        found: Vec::new(),
    };
    let de = toml::Deserializer::new(text);
    let raw: RawFile = match serde_path_to_error::deserialize(de) {
        Ok(raw) => raw,
        Err(e) => {
            // serde_spanned's own field is no key of the file.
            let key = e
                .path()
                .to_string()
                .replace(".$__serde_spanned_private_value", "")
                .replace("$__serde_spanned_private_value.", "");
            let inner = e.inner();
            let message = inner.message().trim().replace('\n', "; ");
            let code = if message.starts_with("unknown field") {
                codes::UNKNOWN_KEY
            } else if message.starts_with("missing field") {
                codes::MISSING_KEY
            } else if inner.span().is_none() || message.contains("expected") {
                codes::PARSE
            } else {
                codes::SYNTAX
            };
            let key = if key == "." { String::new() } else { key };
            problems.add(inner.span().map(|s| s.start), &key, code, message);
            return Err(Error::InvalidInput(InputErrors(problems.found)));
        }
    };
    let config = check(&mut problems, raw, base);
    match config {
        Some(config) if problems.found.is_empty() => Ok(config),
        _ => Err(Error::InvalidInput(InputErrors(problems.found))),
    }
}

/// The checks beyond types: addresses, URLs, a rule's match, a manager's teams.
fn check(p: &mut Problems<'_>, raw: RawFile, base: &Path) -> Option<ServiceConfig> {
    let bind = match raw.server.bind.get_ref().parse::<SocketAddr>() {
        Ok(bind) => Some(bind),
        Err(_) => {
            p.add(
                Some(raw.server.bind.span().start),
                "server.bind",
                codes::PARSE,
                format!(
                    "an address and port such as 127.0.0.1:8080, got {:?}",
                    raw.server.bind.get_ref()
                ),
            );
            None
        }
    };
    let public_url = raw.server.public_url.get_ref().trim_end_matches('/');
    if !(public_url.starts_with("https://") || public_url.starts_with("http://")) {
        p.add(
            Some(raw.server.public_url.span().start),
            "server.public_url",
            codes::PARSE,
            format!("a URL starting https:// (or http:// for a test), got {public_url:?}"),
        );
    }
    let hours = *raw.server.session_hours.get_ref();
    if !(hours > 0.0 && hours <= 24.0 * 30.0) {
        p.add(
            Some(raw.server.session_hours.span().start),
            "server.session_hours",
            codes::RANGE,
            format!("a number of hours above 0 and at most 720, got {hours}"),
        );
    }
    let refresh = *raw.server.refresh_seconds.get_ref();
    if !(1..=60).contains(&refresh) {
        p.add(
            Some(raw.server.refresh_seconds.span().start),
            "server.refresh_seconds",
            codes::RANGE,
            format!("a whole number of seconds from 1 to 60, got {refresh}"),
        );
    }
    let tls = match (raw.server.tls_cert, raw.server.tls_key) {
        (None, None) => None,
        (Some(cert), Some(key)) => {
            let at = Some(cert.span().start);
            let (cert, key) = (base.join(cert.get_ref()), base.join(key));
            match super::tls::Tls::from_files(&cert, &key) {
                Ok(_) => {}
                Err((setting, why)) => p.add(at, setting, codes::UNREADABLE, why),
            }
            if !public_url.starts_with("https://") {
                p.add(
                    at,
                    "server.public_url",
                    codes::PARSE,
                    format!(
                        "the service serves HTTPS itself (tls_cert), so its public URL starts \
                         https://, got {public_url:?}"
                    ),
                );
            }
            Some((cert, key))
        }
        (Some(cert), None) => {
            p.add(
                Some(cert.span().start),
                "server.tls_key",
                codes::MISSING_KEY,
                "tls_cert without tls_key: both, or neither (a TLS-terminating proxy in \
                 front)"
                    .to_string(),
            );
            None
        }
        (None, Some(_)) => {
            p.add(
                None,
                "server.tls_cert",
                codes::MISSING_KEY,
                "tls_key without tls_cert: both, or neither (a TLS-terminating proxy in \
                 front)"
                    .to_string(),
            );
            None
        }
    };
    let issuer = raw.oidc.issuer.get_ref().trim_end_matches('/').to_string();
    if !(issuer.starts_with("https://") || issuer.starts_with("http://")) {
        p.add(
            Some(raw.oidc.issuer.span().start),
            "oidc.issuer",
            codes::PARSE,
            format!("a URL starting https://, got {issuer:?}"),
        );
    }
    let client_secret = match raw.oidc.client_secret_file {
        None => None,
        Some(file) => {
            let path = base.join(file.get_ref());
            match std::fs::read_to_string(&path) {
                Ok(secret) if !secret.trim().is_empty() => Some(secret.trim().to_string()),
                Ok(_) => {
                    p.add(
                        Some(file.span().start),
                        "oidc.client_secret_file",
                        codes::PARSE,
                        format!("{} is empty", path.display()),
                    );
                    None
                }
                Err(e) => {
                    p.add(
                        Some(file.span().start),
                        "oidc.client_secret_file",
                        codes::UNREADABLE,
                        format!("cannot read {}: {e}", path.display()),
                    );
                    None
                }
            }
        }
    };
    let mut access = Vec::new();
    for (i, rule) in raw.access.into_iter().enumerate() {
        let at = Some(rule.span().start);
        let rule = rule.into_inner();
        let key = format!("access[{i}]");
        let matches = match (rule.email, rule.sub, rule.group) {
            (Some(e), None, None) => Some(Match::Email(e.to_lowercase())),
            (None, Some(s), None) => Some(Match::Sub(s)),
            (None, None, Some(g)) => Some(Match::Group(g)),
            (None, None, None) => {
                p.add(
                    at,
                    &key,
                    codes::MISSING_KEY,
                    "a rule names whom it matches: email, sub or group".to_string(),
                );
                None
            }
            _ => {
                p.add(
                    at,
                    &key,
                    codes::PARSE,
                    "a rule matches by one of email, sub or group, not several".to_string(),
                );
                None
            }
        };
        if rule.role == Role::Manager && rule.teams.is_empty() {
            p.add(
                at,
                &format!("{key}.teams"),
                codes::MISSING_KEY,
                "a manager's rule lists their teams, e.g. teams = [\"T01\"]".to_string(),
            );
        }
        let child_detail = rule.child_detail.as_ref().is_some_and(|c| *c.get_ref());
        if child_detail && rule.role != Role::Planner {
            p.add(
                rule.child_detail.as_ref().map(|c| c.span().start),
                &format!("{key}.child_detail"),
                codes::PARSE,
                format!(
                    "child_detail grants a planner child-level reads; a {} already has what \
                     its role gives",
                    rule.role.as_str()
                ),
            );
        }
        let mut teams = rule.teams;
        teams.sort();
        teams.dedup();
        if let Some(matches) = matches {
            access.push(AccessRule {
                matches,
                role: rule.role,
                teams,
                child_detail,
            });
        }
    }
    Some(ServiceConfig {
        server: ServerConfig {
            bind: bind?,
            public_url: public_url.to_string(),
            record: base.join(raw.server.record),
            session_hours: hours,
            refresh_seconds: refresh.clamp(1, 60) as u64,
            tls,
        },
        oidc: OidcConfig {
            issuer,
            client_id: raw.oidc.client_id,
            client_secret,
            groups_claim: raw.oidc.groups_claim,
        },
        access,
    })
}

#[cfg(test)]
mod tests;
