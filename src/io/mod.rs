//! Files <-> model: reading scenario folders (CSV, TOML) with located errors, and
//! writing outputs atomically.
