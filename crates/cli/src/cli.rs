//! The command line.

use clap::{Args, Parser, Subcommand};
use interop_host::measure::MeasureConfig;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(name = "interop-bench", version, about = "Measures and explains what it costs a host program to call into WebAssembly.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the scenarios on every selected runtime, save the results file, print the report.
    Run(RunArgs),
    /// Render a saved results file again, without rerunning anything.
    Report(ReportArgs),
    /// List the runtimes this build contains (with versions) and the scenarios.
    List(ListArgs),
    /// Compare two results files row by row: the change, its interval, and whether it is beyond the noise.
    Compare(crate::compare::CompareArgs),
    /// Internal: measure one runtime and print events as JSON lines (see docs/hosts.md).
    #[command(hide = true)]
    Worker(WorkerArgs),
}

#[derive(Args, Clone)]
pub struct MeasureArgs {
    /// Seconds for the whole suite: few, short samples (smoke tests, CI). Not for conclusions.
    #[arg(long)]
    pub quick: bool,
    /// Samples per row (default 30; 5 with --quick).
    #[arg(long)]
    pub samples: Option<usize>,
    /// Warm-up per row in ms (default 100; 2 with --quick).
    #[arg(long)]
    pub warmup_ms: Option<f64>,
    /// Target duration of one sample in ms (default 20; 0.5 with --quick).
    #[arg(long)]
    pub target_sample_ms: Option<f64>,
}

impl MeasureArgs {
    pub fn config(&self) -> MeasureConfig {
        let base = if self.quick { MeasureConfig::QUICK } else { MeasureConfig::DEFAULT };
        MeasureConfig {
            warmup: self.warmup_ms.map(|ms| Duration::from_secs_f64(ms / 1e3)).unwrap_or(base.warmup),
            target_sample: self.target_sample_ms.map(|ms| Duration::from_secs_f64(ms / 1e3)).unwrap_or(base.target_sample),
            samples: self.samples.unwrap_or(base.samples).max(1),
        }
    }
}

#[derive(Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub measure: MeasureArgs,
    /// Runtimes to measure, comma-separated (default: all; see `list`). The host's native
    /// baseline always runs too: the analysis needs its floor.
    #[arg(long, value_delimiter = ',')]
    pub runtimes: Vec<String>,
    /// Scenarios to run, comma-separated (default: all; see `list`).
    #[arg(long, value_delimiter = ',')]
    pub scenarios: Vec<String>,
    /// Host languages, comma-separated: rust, go (default: rust, and go when a Go toolchain is present).
    #[arg(long, value_delimiter = ',')]
    pub hosts: Vec<String>,
    /// Results file, written after every row (default: results/run-<unix time>.json).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Use this module instead of the built-in guest (it must export what the scenarios call).
    #[arg(long)]
    pub guest: Option<PathBuf>,
    /// Run the scenarios of this file (your module's exports, payloads and checks; see
    /// docs/scenario-files.md) instead of the built-in list, on every selected runtime.
    #[arg(long)]
    pub scenario_file: Option<PathBuf>,
    /// Seconds a runtime may stay silent before its scenario is declared hung and skipped.
    #[arg(long, default_value_t = 120.0)]
    pub timeout: f64,
    /// No progress bar.
    #[arg(long)]
    pub no_progress: bool,
}

#[derive(Args)]
pub struct ReportArgs {
    /// A results file written by `run`.
    pub file: PathBuf,
    /// Output format: terminal, json, html, markdown, benchstat, csv.
    #[arg(long, short, default_value = "terminal")]
    pub format: String,
    /// Write to this file instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Args)]
pub struct ListArgs {
    /// Include the Go host's runtimes (builds the Go driver).
    #[arg(long)]
    pub go: bool,
}

#[derive(Args)]
pub struct WorkerArgs {
    #[arg(long)]
    pub runtime: String,
    #[arg(long)]
    pub guest: PathBuf,
    #[arg(long)]
    pub scenarios_file: PathBuf,
    #[arg(long = "scenario")]
    pub scenario: Vec<String>,
    #[arg(long)]
    pub warmup_ms: f64,
    #[arg(long)]
    pub target_sample_ms: f64,
    #[arg(long)]
    pub samples: usize,
    /// A user's scenario file (docs/scenario-files.md): run its scenarios instead of the list's.
    #[arg(long)]
    pub plugin_file: Option<PathBuf>,
}

pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run(a) => crate::orchestrate::run(a),
        Command::Report(a) => crate::report::report(a),
        Command::List(a) => crate::report::list(a),
        Command::Compare(a) => crate::compare::compare(a),
        Command::Worker(a) => crate::worker::worker(a),
    }
}
