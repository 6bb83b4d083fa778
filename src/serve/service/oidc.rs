//! The identity provider: its discovery document, its signing keys (JWKS) and the one
//! check every token goes through, a script's bearer JWT and a browser's ID token alike.
//!
//! A token is accepted only when it is signed with an asymmetric algorithm (RS*, PS*,
//! ES*, EdDSA: never `none`, never a shared-secret HS*) by a key in the issuer's JWKS,
//! names this issuer (`iss`) and this client (`aud`), and has not expired (`exp`, with a
//! minute's leeway for clocks). A `kid` the cached keys do not know makes one refetch of
//! the JWKS (the issuer rotated its keys), at most once every [`REFETCH_EVERY`].
//! The parsing and the signature are `jsonwebtoken`'s; the fetches are `ureq`'s (rustls).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::config::OidcConfig;

/// The least time between two fetches of the JWKS for an unknown `kid`.
pub const REFETCH_EVERY: Duration = Duration::from_secs(2);

/// How long any call to the issuer may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// The discovery document's fields this service uses.
#[derive(Clone, Debug, Deserialize)]
pub struct Discovery {
    /// The issuer, as tokens name it.
    pub issuer: String,
    /// Where the browser signs in.
    pub authorization_endpoint: String,
    /// Where a code is traded for tokens.
    pub token_endpoint: String,
    /// The signing keys.
    pub jwks_uri: String,
    /// Where the browser signs out of the provider, when it has one.
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
}

/// Who a verified token says the caller is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The issuer's stable id of the person (or client).
    pub sub: String,
    /// Their email, when the token carries it.
    pub email: Option<String>,
    /// Their name, when the token carries it.
    pub name: Option<String>,
    /// Their groups, from the configured groups claim.
    pub groups: Vec<String>,
}

impl Identity {
    /// `Name <email>`, as decisions are stamped with it (the `sub` stands in for what is
    /// missing).
    pub fn stamp(&self) -> String {
        let name = self
            .name
            .clone()
            .unwrap_or_else(|| self.email.clone().unwrap_or_else(|| self.sub.clone()));
        match &self.email {
            Some(email) => format!("{name} <{email}>"),
            None => name,
        }
    }
}

/// Why a token was refused (the answer is 401; the words go to the access log).
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// Not a JWT, or signed with an algorithm we never accept (`none`, HS*).
    #[error("the token is not a signed JWT we accept: {0}")]
    Malformed(String),
    /// No key of the issuer has its `kid`.
    #[error("the token is signed by a key the issuer does not publish")]
    UnknownKey,
    /// The signature, issuer, audience, expiry or nonce is wrong.
    #[error("the token is refused: {0}")]
    Invalid(String),
    /// The issuer's keys could not be fetched.
    #[error("the issuer's keys could not be fetched: {0}")]
    Unreachable(String),
}

/// Failing to reach the issuer at start.
#[derive(Debug, thiserror::Error)]
#[error(
    "the OpenID Connect issuer {issuer} could not be reached after {attempts} attempts: {last}"
)]
pub struct Unreachable {
    /// The issuer.
    pub issuer: String,
    /// How many times it was tried.
    pub attempts: u32,
    /// The last failure, in words.
    pub last: String,
}

/// The issuer, its keys and the checks.
pub struct Issuer {
    config: OidcConfig,
    /// Its discovery document.
    pub discovery: Discovery,
    keys: Mutex<(JwkSet, Instant)>,
    agent: ureq::Agent,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(CALL_TIMEOUT))
        .build()
        .into()
}

fn get_json<T: serde::de::DeserializeOwned>(agent: &ureq::Agent, url: &str) -> Result<T, String> {
    agent
        .get(url)
        .call()
        .map_err(|e| format!("{url}: {e}"))?
        .body_mut()
        .read_json::<T>()
        .map_err(|e| format!("{url}: {e}"))
}

impl Issuer {
    /// Fetches the discovery document and the keys, trying `attempts` times with a
    /// doubling wait from `wait` between tries.
    pub fn discover(
        config: &OidcConfig,
        attempts: u32,
        wait: Duration,
    ) -> Result<Self, Unreachable> {
        let agent = agent();
        let url = format!("{}/.well-known/openid-configuration", config.issuer);
        let mut last = String::new();
        let mut pause = wait;
        for attempt in 1..=attempts.max(1) {
            let fetched = get_json::<Discovery>(&agent, &url).and_then(|d| {
                if d.issuer.trim_end_matches('/') != config.issuer {
                    return Err(format!(
                        "the discovery document names the issuer {:?}, not {:?}",
                        d.issuer, config.issuer
                    ));
                }
                let keys = get_json::<JwkSet>(&agent, &d.jwks_uri)?;
                Ok((d, keys))
            });
            match fetched {
                Ok((discovery, keys)) => {
                    return Ok(Issuer {
                        config: config.clone(),
                        discovery,
                        keys: Mutex::new((keys, Instant::now())),
                        agent,
                    })
                }
                Err(e) => last = e,
            }
            if attempt < attempts {
                std::thread::sleep(pause);
                pause *= 2;
            }
        }
        Err(Unreachable {
            issuer: config.issuer.clone(),
            attempts: attempts.max(1),
            last,
        })
    }

    /// The configuration it was discovered with.
    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    /// The key of `kid`, refetching the JWKS once when it is unknown.
    fn key(&self, kid: Option<&str>, alg: Algorithm) -> Result<DecodingKey, Refused> {
        let find = |set: &JwkSet| -> Option<Result<DecodingKey, Refused>> {
            let jwk = match kid {
                Some(kid) => set.find(kid),
                // No kid: only an issuer with a single key can be meant.
                None if set.keys.len() == 1 => set.keys.first(),
                None => None,
            }?;
            if let Some(key_alg) = jwk.common.key_algorithm {
                if key_alg.to_string() != format!("{alg:?}") {
                    return Some(Err(Refused::Invalid(format!(
                        "the key is for {key_alg}, the token says {alg:?}"
                    ))));
                }
            }
            Some(DecodingKey::from_jwk(jwk).map_err(|e| Refused::Invalid(e.to_string())))
        };
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(found) = find(&keys.0) {
            return found;
        }
        if keys.1.elapsed() < REFETCH_EVERY {
            return Err(Refused::UnknownKey);
        }
        let fresh = get_json::<JwkSet>(&self.agent, &self.discovery.jwks_uri)
            .map_err(Refused::Unreachable)?;
        *keys = (fresh, Instant::now());
        find(&keys.0).unwrap_or(Err(Refused::UnknownKey))
    }

    /// Verifies `token` (a bearer JWT or an ID token; `nonce`: the one the sign-in sent,
    /// for an ID token) and says who it names.
    pub fn verify(&self, token: &str, nonce: Option<&str>) -> Result<Identity, Refused> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| Refused::Malformed(e.to_string()))?;
        let alg = header.alg;
        if matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
            return Err(Refused::Malformed(format!("{alg:?} is not accepted")));
        }
        let key = self.key(header.kid.as_deref(), alg)?;
        let mut validation = Validation::new(alg);
        validation.set_issuer(&[&self.discovery.issuer]);
        validation.set_audience(&[&self.config.client_id]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 60;
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
            .map_err(|e| Refused::Invalid(e.to_string()))?;
        let claims = data.claims;
        if let Some(nonce) = nonce {
            if claims.get("nonce").and_then(Value::as_str) != Some(nonce) {
                return Err(Refused::Invalid("the nonce is not the sign-in's".into()));
            }
        }
        let text = |k: &str| claims.get(k).and_then(Value::as_str).map(str::to_string);
        let sub = text("sub").unwrap_or_default();
        if sub.is_empty() {
            return Err(Refused::Invalid("the token names no subject".into()));
        }
        let groups = self
            .config
            .groups_claim
            .as_deref()
            .and_then(|g| claims.get(g))
            .map(|v| match v {
                Value::Array(items) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                Value::String(one) => vec![one.clone()],
                _ => Vec::new(),
            })
            .unwrap_or_default();
        Ok(Identity {
            sub,
            email: text("email"),
            name: text("name").or_else(|| text("preferred_username")),
            groups,
        })
    }

    /// Trades an authorization code (and the PKCE verifier) for the ID token.
    pub fn redeem(&self, code: &str, verifier: &str, redirect_uri: &str) -> Result<String, String> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", self.config.client_id.as_str()),
            ("code_verifier", verifier),
        ];
        if let Some(secret) = &self.config.client_secret {
            form.push(("client_secret", secret.as_str()));
        }
        let answer: Map<String, Value> = self
            .agent
            .post(&self.discovery.token_endpoint)
            .send_form(form)
            .map_err(|e| format!("the token endpoint: {e}"))?
            .body_mut()
            .read_json()
            .map_err(|e| format!("the token endpoint: {e}"))?;
        answer
            .get("id_token")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| "the token endpoint sent no id_token".to_string())
    }
}
