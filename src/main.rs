//! The `horrors` binary: parse the command line, run it, exit non-zero with one line on failure.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// The log filter when `HORRORS_LOG` is not set: service events, no per-request lines.
const DEFAULT_LOG: &str = "info,access=warn";

/// One line on stderr; nothing to do when stderr itself is broken.
fn say(line: String) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Keeps glibc's allocator from holding the peak of every large block: a freed large block
/// raises the size from which blocks are mapped on their own, so the next large ones come
/// from the per-thread arenas and stay there. In a server whose exports (charts, workbook)
/// run on blocking threads this grew the memory by ~10 MB per annual export of 1 M ticks
/// (15 → 65 MB after five); with a fixed 128 KiB threshold it stays near 25 MB
/// (docs/performance.md). Two arenas, not one per thread: each thread that tokio's
/// blocking pool starts may take an arena of its own and keep what it held (a 10-minute
/// soak: +17.9 % after warm-up with glibc's default, +9.1 % with two). The alerts' threads
/// waited on each other's allocations with two arenas while they were started per request
/// (1 s → 4 s for 500 sites); on the two threads of the pool (`parallel`) they do not.
/// The environment variables (`MALLOC_MMAP_THRESHOLD_`, `MALLOC_ARENA_MAX`) still
/// override, as glibc reads them first.
#[allow(unsafe_code)] // the crate's only unsafe code: two C calls with plain integers
fn tame_the_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
            // SAFETY: mallopt only sets an allocator parameter; no other thread runs yet.
            unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024) };
        }
        if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
            // SAFETY: as above.
            unsafe { libc::mallopt(libc::M_ARENA_MAX, 2) };
        }
    }
}

fn main() -> ExitCode {
    tame_the_allocator();
    // One variable, HORRORS_LOG, in tracing's filter syntax (`info,access=info` adds the
    // access log); a malformed value is reported, not silently replaced.
    let filter = match std::env::var("HORRORS_LOG") {
        Ok(text) => match EnvFilter::try_new(&text) {
            Ok(filter) => filter,
            Err(e) => {
                say(format!(
                    "horrors: HORRORS_LOG={text:?} is not a log filter: {e}"
                ));
                return ExitCode::from(2);
            }
        },
        Err(_) => EnvFilter::new(DEFAULT_LOG),
    };
    // HORRORS_LOG_FORMAT=json: one JSON object per line, for a log collector.
    let json = match std::env::var("HORRORS_LOG_FORMAT").as_deref() {
        Err(_) | Ok("") | Ok("text") => false,
        Ok("json") => true,
        Ok(other) => {
            say(format!(
                "horrors: HORRORS_LOG_FORMAT={other:?} is not a log format: use text or json"
            ));
            return ExitCode::from(2);
        }
    };
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // A full disk under the log file must not turn a log line into a panic (the
        // default reports write errors with eprintln!, which panics when stderr fails).
        .log_internal_errors(false)
        .with_writer(std::io::stderr);
    if json {
        logs.json().with_ansi(false).init();
    } else {
        logs.with_ansi(std::io::stderr().is_terminal()).init();
    }
    let cli = match horrors::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => error.exit(), // --help, --version
        Err(error) => {
            // One line, like every other failure: clap's message with what is missing or
            // wrong and its "did you mean" tip, without the usage block.
            let rendered = error.to_string();
            let message: Vec<&str> = rendered
                .lines()
                .take_while(|l| !l.starts_with("Usage:"))
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| l.trim_start_matches("error: "))
                .collect();
            let message = if message.is_empty() {
                "invalid arguments".to_string()
            } else {
                message.join(" ").replace("  ", " ")
            };
            say(format!("horrors: {message}; see `horrors --help`"));
            return ExitCode::from(2);
        }
    };
    match horrors::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let message = error.to_string().replace('\n', " ");
            say(format!("horrors: {message}"));
            ExitCode::FAILURE
        }
    }
}
