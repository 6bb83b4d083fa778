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
mod faults;
mod fuzz_readers;
mod gap;
mod hostile;
mod import;
mod input;
mod layers;
#[cfg(feature = "serve")]
mod nightly;
mod objective;
mod pipe;
mod record;
mod report;
mod rules;
#[cfg(feature = "serve")]
mod serve;
#[cfg(feature = "serve")]
mod serve_faults;
#[cfg(feature = "service")]
mod service;
#[cfg(feature = "service")]
mod service_sessions;
#[cfg(feature = "service")]
mod service_tls;
mod shards;
mod stable;
mod util;
mod whatif;
mod xlsx;
mod xlsx_faults;
