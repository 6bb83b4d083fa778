//! # caseload
//!
//! Caseload allocation for children's social care as a mixed-integer program.
//!
//! (Crate documentation with a runnable example is written once the API settles.)
#![warn(missing_docs)]

pub mod check;
pub mod error;
pub mod generate;
pub mod io;
pub mod model;
pub mod solve;
pub mod validate;

pub use error::{Error, InputError, InputErrors, Result};
