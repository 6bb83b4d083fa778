//! The service's browser sessions, in the record, so that a restart of the server (a
//! deployment, a renewed certificate) signs no one out. A session is found by the
//! SHA-256 of its id: the record never holds the cookie's value, so a copy of the record
//! opens no one's session. Expired sessions are deleted whenever one is kept.

use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

use super::{Record, RecordError};

/// A browser session as kept: whose, its CSRF token, and until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSession {
    /// The issuer's id of the person.
    pub sub: String,
    /// Their email, when the token carried it.
    pub email: Option<String>,
    /// Their name, when the token carried it.
    pub name: Option<String>,
    /// Their groups.
    pub groups: Vec<String>,
    /// The session's CSRF token.
    pub csrf: String,
    /// When it expires, in seconds since 1970 (UTC).
    pub until_unix: i64,
}

/// The key a session is kept under: the SHA-256 of its id, in hex.
fn key(id: &str) -> String {
    Sha256::digest(id.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Record {
    /// Keeps session `id` (committed before it returns), and deletes every session
    /// expired by `now_unix`.
    pub fn keep_session(
        &mut self,
        id: &str,
        session: &StoredSession,
        now_unix: i64,
    ) -> Result<(), RecordError> {
        let groups = serde_json::to_string(&session.groups).unwrap_or_else(|_| "[]".into());
        self.store.write(|tx, path, wait| {
            let fail = |e| super::sql::classify(path, wait, e);
            tx.execute(
                "DELETE FROM session WHERE until_unix <= ?1",
                params![now_unix],
            )
            .map_err(fail)?;
            tx.execute(
                "INSERT OR REPLACE INTO session
                     (id_sha256, csrf, sub, email, name, groups, until_unix)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    key(id),
                    session.csrf,
                    session.sub,
                    session.email,
                    session.name,
                    groups,
                    session.until_unix
                ],
            )
            .map_err(fail)?;
            Ok(())
        })
    }

    /// Session `id`, if it is kept and has not expired by `now_unix`.
    pub fn session(&self, id: &str, now_unix: i64) -> Result<Option<StoredSession>, RecordError> {
        self.store
            .conn()
            .query_row(
                "SELECT csrf, sub, email, name, groups, until_unix FROM session
                 WHERE id_sha256 = ?1 AND until_unix > ?2",
                params![key(id), now_unix],
                |r| {
                    Ok(StoredSession {
                        csrf: r.get(0)?,
                        sub: r.get(1)?,
                        email: r.get(2)?,
                        name: r.get(3)?,
                        groups: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or_default(),
                        until_unix: r.get(5)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.store.err(e))
    }

    /// Ends session `id` (signing out); whether it was kept.
    pub fn end_session(&mut self, id: &str) -> Result<bool, RecordError> {
        self.store.write(|tx, path, wait| {
            tx.execute("DELETE FROM session WHERE id_sha256 = ?1", params![key(id)])
                .map(|n| n > 0)
                .map_err(|e| super::sql::classify(path, wait, e))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(until_unix: i64) -> StoredSession {
        StoredSession {
            sub: "pat-1".into(),
            email: Some("pat@example.org".into()),
            name: None,
            groups: vec!["managers".into()],
            csrf: "csrf-token".into(),
            until_unix,
        }
    }

    #[test]
    fn a_session_is_kept_by_its_ids_hash_until_it_expires_or_ends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("record.sqlite");
        let mut record = Record::open(&path).unwrap();
        record.keep_session("secret-id", &pat(1_000), 500).unwrap();
        record.keep_session("old-id", &pat(600), 500).unwrap();
        drop(record);
        // Another connection (a restarted server) finds it.
        let mut record = Record::open(&path).unwrap();
        assert_eq!(record.session("secret-id", 500).unwrap(), Some(pat(1_000)));
        assert_eq!(record.session("other-id", 500).unwrap(), None);
        assert_eq!(record.session("secret-id", 1_000).unwrap(), None, "expired");
        // The file does not hold the id itself.
        let bytes = std::fs::read(&path).unwrap();
        let wal = std::fs::read(path.with_extension("sqlite-wal")).unwrap_or_default();
        let holds = |b: &[u8]| b.windows(9).any(|w| w == b"secret-id");
        assert!(!holds(&bytes) && !holds(&wal));
        // Keeping a session deletes the expired ones; ending one deletes it.
        record.keep_session("new-id", &pat(2_000), 700).unwrap();
        assert_eq!(record.session("old-id", 0).unwrap(), None);
        assert!(record.end_session("secret-id").unwrap());
        assert!(!record.end_session("secret-id").unwrap());
        assert_eq!(record.session("secret-id", 500).unwrap(), None);
        assert!(record.session("new-id", 700).unwrap().is_some());
    }
}
