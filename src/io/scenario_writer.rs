//! Writing a scenario folder (`workers.csv`, `cases.csv`, `policy.toml`) that `read` loads back unchanged.
