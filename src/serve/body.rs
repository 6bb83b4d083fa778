//! Request bodies and queries read into typed values, their problems answered in the
//! user's words: the field and what is wrong with it (`note: expected text, got the
//! number 5`), never a Rust type's name; and failures of the workspace answered without
//! the server's paths or internals, which go to the server's log (standard error) only.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::Response;
use serde::de::DeserializeOwned;

use super::{error, WorkspaceError};
use crate::record::RecordError;

/// A JSON body of type `T`; a body that is not one is answered 400 naming the field and
/// the problem (413 when too large, 415 when not sent as JSON).
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
        if !json {
            return Err(error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the body as JSON, with the header Content-Type: application/json",
            ));
        }
        let bytes = match axum::body::Bytes::from_request(request, state).await {
            Ok(bytes) => bytes,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "the body is over the {} bytes a request may send",
                        super::BODY_LIMIT
                    ),
                ));
            }
            Err(_) => {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    "the body could not be read whole",
                ))
            }
        };
        parse(&bytes)
            .map(JsonBody)
            .map_err(|words| error(StatusCode::BAD_REQUEST, words))
    }
}

/// The query string read as `T`; one that is not is answered 400 in words.
#[derive(Debug)]
pub struct QueryOf<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryOf<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded_deserializer(query);
        match de {
            Ok(value) => Ok(QueryOf(value)),
            Err(words) => Err(error(
                StatusCode::BAD_REQUEST,
                format!("in the query: {words}"),
            )),
        }
    }
}

/// The query string as `T`, or what is wrong in words.
fn serde_urlencoded_deserializer<T: DeserializeOwned>(query: &str) -> Result<T, String> {
    axum::extract::Query::<T>::try_from_uri(
        &format!("/?{query}")
            .parse()
            .map_err(|_| "the query string is malformed".to_string())?,
    )
    .map(|q| q.0)
    .map_err(|e| in_words(&e.body_text()))
}

/// A JSON body as `T`, or what is wrong with it in words: the field (a path such as
/// `capacity`, or the body itself) and the problem.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    match value {
        Ok(value) => de.end().map(|()| value).map_err(|e| not_json(&e)),
        Err(e) => {
            let inner = e.inner();
            if inner.is_syntax() || inner.is_eof() || inner.is_io() {
                return Err(not_json(inner));
            }
            let what = in_words(&inner.to_string());
            Err(match e.path().to_string().as_str() {
                "." | "" => what,
                field => format!("{field}: {what}"),
            })
        }
    }
}

/// Where a body stops being JSON.
fn not_json(e: &serde_json::Error) -> String {
    format!(
        "the body is not valid JSON (line {}, column {})",
        e.line(),
        e.column()
    )
}

/// serde's message in a user's words: no position, no Rust type names.
fn in_words(message: &str) -> String {
    let message = message
        .strip_prefix("Failed to deserialize query string: ")
        .unwrap_or(message);
    let message = match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => message,
    };
    let mut words: Vec<String> = Vec::new();
    let mut tokens = message.split(' ').peekable();
    while let Some(token) = tokens.next() {
        let (word, tail) = split_punct(token);
        let replaced = match word {
            // `struct DecisionBody`, `enum Kind`: the type's name is dropped.
            "struct" | "enum" if tokens.peek().is_some() => {
                let (_, tail) = split_punct(tokens.next().unwrap_or_default());
                format!("an object{tail}")
            }
            "f64" | "f32" => format!("a number{tail}"),
            "i64" | "i32" | "u64" | "u32" | "usize" | "u8" | "u16" | "i8" | "i16" | "isize" => {
                format!("a whole number{tail}")
            }
            "option" => format!("a value or null{tail}"),
            "map" => format!("an object{tail}"),
            "sequence" => format!("a list{tail}"),
            "string" if words.last().is_some_and(|w| w == "a") => format!("text{tail}"),
            _ => token.to_string(),
        };
        words.push(replaced);
    }
    words.join(" ").replace("a text", "text")
}

/// A word and the punctuation after it (`f64,` → `f64`, `,`).
fn split_punct(token: &str) -> (&str, &str) {
    let end = token
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(token.len());
    token.split_at(end)
}

/// A failure of the workspace as an answer: the status, and words that name no path and
/// no internal; the whole error goes to the server's log.
pub fn failure(e: &WorkspaceError) -> (StatusCode, String) {
    eprintln!("caseload serve: {e}");
    match e {
        WorkspaceError::Record(
            r @ (RecordError::UnknownDecision { .. } | RecordError::UnknownRun { .. }),
        ) => (StatusCode::NOT_FOUND, r.in_words()),
        // A decision on a replaced proposal: what changed, nothing recorded.
        WorkspaceError::Record(r @ RecordError::Stale { .. }) => {
            (StatusCode::CONFLICT, r.in_words())
        }
        WorkspaceError::Record(r) if r.is_bad_input() => (StatusCode::BAD_REQUEST, r.in_words()),
        WorkspaceError::Record(RecordError::Locked { .. }) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the record is busy with another writer: try again in a moment".to_string(),
        ),
        WorkspaceError::Record(r) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{}; the server's log says more", r.in_words()),
        ),
        WorkspaceError::Caseload(crate::Error::Infeasible(_)) | WorkspaceError::Cancelled => {
            (StatusCode::CONFLICT, e.to_string())
        }
        WorkspaceError::Caseload(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server could not do it; its log says why".to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct DecisionBody {
        kind: String,
        #[serde(default)]
        note: Option<String>,
        #[serde(default)]
        capacity: Option<f64>,
    }

    fn words(body: &str) -> String {
        parse::<DecisionBody>(body.as_bytes()).expect_err("refused")
    }

    #[test]
    fn a_bad_body_is_named_by_its_field_in_words_without_type_names() {
        assert_eq!(
            words(r#"{"kind": 5}"#),
            "kind: invalid type: integer `5`, expected text"
        );
        assert_eq!(
            words(r#"{"kind": "accept", "capacity": "x"}"#),
            "capacity: invalid type: string \"x\", expected a number"
        );
        assert_eq!(words(r#"{}"#), "missing field `kind`");
        let unknown = words(r#"{"kind": "accept", "run": 3}"#);
        assert!(
            unknown.starts_with("run: unknown field `run`, expected one of"),
            "{unknown}"
        );
        assert_eq!(words("7"), "invalid type: integer `7`, expected an object");
        assert_eq!(
            words(r#"{"kind": "#),
            "the body is not valid JSON (line 1, column 9)"
        );
        assert_eq!(
            words(r#"{"kind": "a"} x"#),
            "the body is not valid JSON (line 1, column 15)"
        );
        for body in [r#"[1]"#, r#"{"kind": 5}"#, r#"{"note": []}"#, "7"] {
            let w = words(body);
            for internal in ["DecisionBody", "struct", "f64", "Option", "serde"] {
                assert!(!w.contains(internal), "{body}: {w}");
            }
        }
    }
}
