//! The `caseload` command line: argument parsing and exit codes; the work is in the library.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = <cli::Args as clap::Parser>::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            let code = cli::exit_code(&err);
            // A closed pipe (e.g. `| head`) is not worth a message.
            if !cli::is_broken_pipe(&err) {
                eprintln!("caseload: {}", caseload::error::chain_text(err.as_ref()));
            }
            code
        }
    }
}
