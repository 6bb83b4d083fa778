//! The service serving HTTPS itself (`[server] tls_cert`, `tls_key`): a client that
//! trusts the certificate is answered, plain HTTP on the same port is not (and the
//! service goes on), and a certificate or key that cannot be used is exit 2 at its key.
//! The certificate (for 127.0.0.1, `tests/fixtures/tls/cert.pem` and `key.pem`) is signed
//! by a test authority (`ca.pem`, whose key was thrown away), made with `openssl`, for
//! these tests only.

use std::path::{Path, PathBuf};

use crate::serve::copy_demo;
use crate::service::{refused_config, write_config, Provider, Service, PEOPLE};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

/// The config made to serve HTTPS with `cert` and `key`.
fn with_tls(text: String, cert: &Path, key: &Path) -> String {
    text.replace("public_url = \"http://", "public_url = \"https://")
        .replace(
            "session_hours = 8",
            &format!(
                "session_hours = 8\ntls_cert = {:?}\ntls_key = {:?}",
                cert.display().to_string(),
                key.display().to_string()
            ),
        )
}

/// A client that trusts the test certificate authority only.
fn trusting() -> ureq::Agent {
    let pem = std::fs::read(fixture("ca.pem")).unwrap();
    let cert = ureq::tls::Certificate::from_pem(&pem).unwrap().to_owned();
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::new_with_certs(&[cert]))
        .build();
    ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .build()
        .into()
}

#[test]
fn the_service_serves_https_with_its_certificate_and_refuses_plain_http() {
    let provider = Provider::start();
    let tmp = tempfile::tempdir().unwrap();
    let (cert, key) = (fixture("cert.pem"), fixture("key.pem"));
    let service = Service::start_edited(tmp.path(), &provider, |t| with_tls(t, &cert, &key));
    let token = provider.token(PEOPLE[0].1);
    let me = |agent: &ureq::Agent| {
        agent
            .get(&format!("https://127.0.0.1:{}/api/me", service.port))
            .header("Authorization", &format!("Bearer {token}"))
            .call()
    };
    let mut answer = me(&trusting()).expect("https answered");
    assert_eq!(answer.status(), 200);
    let who: serde_json::Value = answer.body_mut().read_json().unwrap();
    assert_eq!(who["role"], "manager");

    // A client that does not trust the certificate refuses the service.
    let default: ureq::Agent = ureq::Agent::config_builder().build().into();
    assert!(me(&default).is_err());

    // Plain HTTP to the HTTPS port gets no answer, and the service goes on.
    let plain = service.call("GET", "/api/me", Some(&token), "");
    assert_ne!(plain.status, 200);
    assert_eq!(me(&trusting()).unwrap().status(), 200);

    // Signing in over https: the provider sends the browser back to the https callback,
    // and the session cookie is Secure.
    provider.control(
        "POST",
        "/next-user?sub=pat-1&email=pat@example.org&name=Pat%20Manager",
    );
    let once = |agent: ureq::Agent, url: &str| {
        let answer = agent
            .get(url)
            .config()
            .max_redirects(0)
            .build()
            .call()
            .unwrap();
        let location = answer
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        let cookies: Vec<String> = answer
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|c| c.to_str().unwrap().to_string())
            .collect();
        (answer.status().as_u16(), location, cookies)
    };
    let ours = format!("https://127.0.0.1:{}", service.port);
    let (status, to, _) = once(trusting(), &format!("{ours}/auth/login"));
    assert_eq!(status, 303);
    let (_, back, _) = once(ureq::Agent::new_with_defaults(), &to.unwrap());
    let back = back.unwrap();
    assert!(
        back.starts_with(&format!("{ours}/auth/callback?")),
        "{back}"
    );
    let (status, _, cookies) = once(trusting(), &back);
    assert_eq!(status, 303);
    let session = cookies
        .iter()
        .find(|c| c.starts_with("caseload_service="))
        .unwrap();
    assert!(
        session.contains("Secure") && session.contains("HttpOnly"),
        "{session}"
    );
}

#[test]
fn a_certificate_or_key_that_cannot_serve_is_exit_2_at_its_key() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = copy_demo(tmp.path());
    let config = write_config(tmp.path(), "http://127.0.0.1:9", 1);
    let text = std::fs::read_to_string(&config).unwrap();
    let (cert, key) = (fixture("cert.pem"), fixture("key.pem"));
    let not_pem = tmp.path().join("not.pem");
    std::fs::write(&not_pem, "not a certificate\n").unwrap();
    // A key of the right form that is not the certificate's.
    let other_key = fixture("other-key.pem");
    for (bad, said) in [
        (with_tls(text.clone(), &not_pem, &key), "server.tls_cert:"),
        (with_tls(text.clone(), &cert, &not_pem), "server.tls_key:"),
        (with_tls(text.clone(), &cert, &other_key), "server.tls_key:"),
        (
            with_tls(text.clone(), &cert, &key).replace("https://", "http://"),
            "server.public_url: the service serves HTTPS itself",
        ),
        (
            with_tls(text.clone(), &cert, &key).replace("tls_key", "# tls_key"),
            "server.tls_key: tls_cert without tls_key",
        ),
    ] {
        refused_config(&dir, &config, &bad, said);
    }
}
