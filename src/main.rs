//! The `caseload` command line: argument parsing and exit codes; the work is in the library.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = <cli::Args as clap::Parser>::parse();
    let code = match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            let code = cli::exit_code(&err);
            // A closed pipe (e.g. `| head`) is not worth a message.
            if !cli::is_broken_pipe(&err) {
                cli::out::stderr(format_args!(
                    "caseload: {}\n",
                    caseload::error::chain_text(err.as_ref())
                ));
            }
            code
        }
    };
    // Standard output closed early (`| head`) ends quietly with the work's code; any
    // other failure to write it is an error.
    match cli::out::failure() {
        Some(e) => {
            cli::out::stderr(format_args!("caseload: writing the output: {e}\n"));
            ExitCode::FAILURE
        }
        None => code,
    }
}
