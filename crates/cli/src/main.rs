//! interop-bench: what does it cost a host program to call into WebAssembly?

mod cli;
mod baseline;
mod compare;
mod gocache;
mod guard;
mod machine;
mod merge;
mod noise;
mod orchestrate;
mod probes;
mod report;
mod worker;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::dispatch(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("interop-bench: {e:#}");
            ExitCode::from(2)
        }
    }
}
