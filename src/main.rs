//! The `horrors` binary: parse the command line, run it, exit non-zero with one line on failure.

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("HORRORS_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = match horrors::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => error.exit(), // --help, --version
        Err(error) => {
            // One line, like every other failure; `--help` has the details.
            let rendered = error.to_string();
            let first = rendered
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid arguments");
            eprintln!(
                "horrors: {}; see `horrors --help`",
                first.trim_start_matches("error: ").trim()
            );
            return ExitCode::from(2);
        }
    };
    match horrors::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let message = error.to_string().replace('\n', " ");
            eprintln!("horrors: {message}");
            ExitCode::FAILURE
        }
    }
}
