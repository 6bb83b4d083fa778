//! HTTPS served by caseload itself (`[server] tls_cert`, `tls_key`): the certificate
//! chain and private key read from PEM files at start (rustls with ring, TLS 1.2 and
//! 1.3), each connection's handshake bounded like a request's head. Without them the
//! service speaks plain HTTP, for a TLS-terminating proxy in front.

use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;

use crate::serve::limits::Handshake;

/// Which of the two settings a problem is in, and the problem in words.
pub type Fault = (&'static str, String);

/// The TLS side of the service's connections.
#[derive(Clone)]
pub struct Tls(TlsAcceptor);

impl Tls {
    /// Reads the chain in `cert` (PEM, leaf first) and the key in `key` (PEM: PKCS#8,
    /// PKCS#1 or SEC1), and checks that they go together.
    pub fn from_files(cert: &Path, key: &Path) -> Result<Tls, Fault> {
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
            .and_then(|certs| certs.collect::<Result<_, _>>())
            .map_err(|e| ("server.tls_cert", format!("{}: {e}", cert.display())))?;
        if chain.is_empty() {
            return Err((
                "server.tls_cert",
                format!("{}: no CERTIFICATE in it", cert.display()),
            ));
        }
        let private = PrivateKeyDer::from_pem_file(key)
            .map_err(|e| ("server.tls_key", format!("{}: {e}", key.display())))?;
        // ring, which the issuer's fetches (ureq) already link. rustls 0.23.48 deprecates
        // it for lacking post-quantum key exchange (aws-lc-rs has it, at the cost of
        // another C build); a proxy in front can offer that where it is required.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ("server.tls_cert", e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(chain, private)
            .map_err(|e| {
                (
                    "server.tls_key",
                    format!(
                        "{} and {} do not make a certificate and its key: {e}",
                        cert.display(),
                        key.display()
                    ),
                )
            })?;
        Ok(Tls(TlsAcceptor::from(Arc::new(config))))
    }
}

impl Handshake for Tls {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;

    async fn through(&self, tcp: tokio::net::TcpStream) -> std::io::Result<Self::Io> {
        self.0.accept(tcp).await
    }
}
