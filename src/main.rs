//! The `policyctl` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = policyctl::cli::Cli::parse();
    policyctl::app::run(cli)
}
