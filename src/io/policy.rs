//! Reading `policy.toml` into a [`crate::model::Policy`], errors located by line.
