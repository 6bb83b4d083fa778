//! Newtype identifiers and skill tags.

use std::fmt;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Builds an id, trimming surrounding white space.
            pub fn new(id: impl AsRef<str>) -> Self {
                Self(id.as_ref().trim().to_string())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::new(s)
            }
        }
    };
}

string_id!(
    /// Identifies a worker (`workers.csv` column `id`).
    WorkerId
);
string_id!(
    /// Identifies a case, i.e. one child (`cases.csv` column `id`).
    CaseId
);

/// A skill or requirement tag such as `child-protection` or `urdu`.
///
/// Tags compare case-insensitively: they are trimmed and lower-cased on construction.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Tag(String);

impl Tag {
    /// Builds a tag, trimming and lower-casing it.
    pub fn new(tag: impl AsRef<str>) -> Self {
        Self(tag.as_ref().trim().to_lowercase())
    }

    /// The normalised tag.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Tag {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_trimmed_and_tags_lowercased() {
        assert_eq!(WorkerId::new("  W1 ").as_str(), "W1");
        assert_eq!(Tag::new(" Child-Protection "), Tag::new("child-protection"));
    }
}
