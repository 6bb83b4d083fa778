//! How long and how much the workspace waits for a client (docs/limits.md):
//!
//! - a request's head (its line and headers, up to the blank line) must arrive within
//!   [`HEADER_TIMEOUT`] of the connection being ready for it, else the connection is
//!   closed; so an idle or half-sent connection holds nothing for long;
//! - its body must arrive within [`BODY_TIMEOUT`] (408 otherwise);
//! - a body declared (`Content-Length`) over [`BODY_LIMIT`](super::BODY_LIMIT) is answered
//!   413 at once, before any of it is read; one sent in chunks is cut off at the limit
//!   (413);
//! - at most [`MAX_CONNECTIONS`] connections are open at once; the next waits in the
//!   system's queue until one closes.
//!
//! A slow client therefore never blocks another: each connection is served on its own
//! task, and every wait on a client is bounded.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::{watch, Semaphore};

use super::{error, BODY_LIMIT};

/// How long a connection may take to send a request's head.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request may take to send its body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// The most connections open at once.
pub const MAX_CONNECTIONS: usize = 512;

/// What a connection goes through before its first request: nothing ([`Plain`]), or a
/// TLS handshake (the service's `tls_cert`/`tls_key`). Bounded by [`HEADER_TIMEOUT`].
pub trait Handshake: Clone + Send + Sync + 'static {
    /// The connection once through.
    type Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static;
    /// Takes `tcp` through; an error closes it.
    fn through(
        &self,
        tcp: tokio::net::TcpStream,
    ) -> impl Future<Output = std::io::Result<Self::Io>> + Send;
}

/// Plain HTTP: the connection as it is.
#[derive(Clone, Copy, Debug)]
pub struct Plain;

impl Handshake for Plain {
    type Io = tokio::net::TcpStream;
    async fn through(&self, tcp: tokio::net::TcpStream) -> std::io::Result<Self::Io> {
        Ok(tcp)
    }
}

/// Serves `router` on `listener` within the limits above until `shutdown` completes;
/// then stops accepting, lets each connection finish the request it is answering, and
/// returns. Each connection goes through `handshake` first (within [`HEADER_TIMEOUT`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()>,
    handshake: impl Handshake,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let (closing, closed) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break, // never closed
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was
                    // accepted: wait a little rather than spin, and go on.
                    eprintln!("caseload serve: accepting a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(router.clone());
        let mut closed = closed.clone();
        let handshake = handshake.clone();
        tokio::spawn(async move {
            let stream = match tokio::time::timeout(HEADER_TIMEOUT, handshake.through(stream)).await
            {
                Ok(Ok(stream)) => stream,
                // A client that is not one (plain HTTP to HTTPS, a scanner) or too slow.
                _ => return,
            };
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .max_buf_size(BODY_LIMIT.max(64 * 1024) * 2);
            let mut connection = pin!(builder.serve_connection(TokioIo::new(stream), service));
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = closed.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(HEADER_TIMEOUT, connection).await;
                }
            }
            drop(slot);
        });
    }
    let _ = closing.send(true);
    Ok(())
}

/// A request's body bounded in size and time: 413 at once for a declared length over the
/// limit, 413 when a chunked body goes over it, 408 when it does not arrive in time; the
/// handlers then read it whole from memory.
pub async fn bounded_body(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return closing(too_large());
    }
    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, BODY_LIMIT)).await;
    match read {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(e)) => {
            let over = e
                .into_inner()
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some();
            match over {
                true => closing(too_large()),
                false => closing(error(
                    StatusCode::BAD_REQUEST,
                    "the body was cut off before its end",
                )),
            }
        }
        Err(_) => closing(error(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the body did not arrive within {} s",
                BODY_TIMEOUT.as_secs()
            ),
        )),
    }
}

fn too_large() -> Response {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the body is over the {BODY_LIMIT} bytes a request may send"),
    )
}

/// The answer with the connection closed after it (the rest of the body is not read).
fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
