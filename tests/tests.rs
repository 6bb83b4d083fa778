//! The integration tests, in one test binary (as ripgrep does): the library and HiGHS are
//! linked once instead of once per file. Each module is one subject; run one with
//! `cargo test --release --test tests gap::` (a filter on the module path).

mod atomic;
#[cfg(feature = "serve")]
mod browser;
mod brute_force;
mod cli;
mod decisions;
mod deploy;
mod explain;
mod fuzz_readers;
mod gap;
mod hostile;
mod import;
mod input;
mod layers;
mod record;
mod report;
#[cfg(feature = "serve")]
mod serve;
mod shards;
mod util;
mod whatif;
mod xlsx;
