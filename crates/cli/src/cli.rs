//! The command line.

use clap::{Args, Parser, Subcommand, ValueEnum};
use interop_host::measure::MeasureConfig;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "interop-bench",
    version,
    about = "Measures and explains what it costs a host program to call into WebAssembly.",
    after_help = examples::TOP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the scenarios on every selected runtime, save the results file, print the report.
    #[command(after_help = examples::RUN)]
    Run(RunArgs),
    /// Render a saved results file again, without rerunning anything.
    #[command(after_help = examples::REPORT)]
    Report(ReportArgs),
    /// List the runtimes this build contains (with versions) and the scenarios.
    #[command(after_help = examples::LIST)]
    List(ListArgs),
    /// Compare two results files row by row: the change, its interval, and whether it is beyond the noise.
    #[command(after_help = examples::COMPARE)]
    Compare(crate::compare::CompareArgs),
    /// Merge results files from several machines into one (each machine's rows kept apart by
    /// its fingerprint), for `report` and `compare`.
    #[command(after_help = examples::MERGE)]
    Merge(crate::merge::MergeArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to stdout.
    #[command(after_help = examples::COMPLETIONS)]
    Completions(CompletionsArgs),
    /// Internal: measure one runtime and print events as JSON lines (see docs/hosts.md).
    #[command(hide = true)]
    Worker(WorkerArgs),
}

/// The terminal report's layout: the width to fit (`COLUMNS` when set, else stdout's
/// terminal's) or none when stdout is not a terminal (one line per record, for tools).
pub fn terminal(intervals: bool, detail: bool) -> interop_core::export::Terminal {
    use std::io::IsTerminal;
    let columns = std::env::var("COLUMNS").ok().and_then(|v| v.trim().parse::<u16>().ok()).filter(|w| *w >= 20);
    let width = columns.or_else(|| {
        std::io::stdout().is_terminal().then(terminal_size::terminal_size).flatten().map(|(w, _)| w.0)
    });
    interop_core::export::Terminal { width, intervals, detail }
}

/// The "Examples:" section of each command's `--help`.
pub mod examples {
    pub const TOP: &str = "Examples:
  interop-bench run --quick                       # seconds: every runtime, few short samples
  interop-bench run                               # thorough: each row to ±1%
  interop-bench report results/run-1.json -f markdown -o results.md
  interop-bench compare old.json new.json --fail-above 5
  interop-bench list --go
  interop-bench completions bash > ~/.local/share/bash-completion/completions/interop-bench";
    pub const RUN: &str = "Examples:
  interop-bench run --quick                                   # smoke test, seconds
  interop-bench run --hosts go --runtimes wazero:compiler,wasmtime-go --scenarios noop,add
  interop-bench run -o results/today.json --save-baseline main
  interop-bench run --quick --export-markdown r.md --export-csv r.csv --export-benchstat r.txt
  interop-bench run --counts                                  # instructions per op under callgrind
  interop-bench run --guest plugin.wasm --scenario-file plugin.toml";
    pub const REPORT: &str = "Examples:
  interop-bench report results/run-1.json                     # the terminal report again
  interop-bench report results/run-1.json --intervals         # with each row's 95% interval
  interop-bench report results/run-1.json --detail            # every row of a large run (it gets a summary)
  COLUMNS=100 interop-bench report results/run-1.json | less  # laid out for 100 columns, piped
  interop-bench report results/run-1.json -f html -o report.html
  interop-bench report results/run-1.json -f benchstat > cli.txt && benchstat cli.txt gotest.txt
  interop-bench report results/run-1.json -f csv -o samples.csv";
    pub const LIST: &str = "Examples:
  interop-bench list          # the Rust host's runtimes with versions, and the scenarios
  interop-bench list --go     # the Go host's runtimes too (builds the Go driver)";
    pub const COMPARE: &str = "Examples:
  interop-bench compare old.json new.json
  interop-bench compare old.json new.json --fail-above 5      # exit 1 on a slowdown beyond 5% + noise
  interop-bench compare --baseline main results/run-2.json -f markdown -o change.md";
    pub const COMPLETIONS: &str = "Examples:
  interop-bench completions bash > ~/.local/share/bash-completion/completions/interop-bench
  interop-bench completions zsh > ~/.zfunc/_interop-bench     # with fpath+=(~/.zfunc) in ~/.zshrc
  interop-bench completions fish > ~/.config/fish/completions/interop-bench.fish";
    pub const MERGE: &str = "Examples:
  interop-bench merge linux-x64.json linux-arm64.json -o all.json   # one file, each machine's rows apart
  interop-bench report all.json                                     # the founding cases side by side per machine
  interop-bench report all.json --machine 3f2a -f html -o arm.html  # one machine's HTML report
  interop-bench compare old-all.json new-all.json --fail-above 5    # machine by machine";
}

/// Bounds of the flags: every value the parser accepts is finite and within these, so
/// nothing a user types reaches a `Duration` or an allocation it cannot make.
pub mod limits {
    /// Samples per row.
    pub const SAMPLES: std::ops::RangeInclusive<u64> = 1..=100_000;
    /// Warm-up per row, ms (zero: none).
    pub const WARMUP_MS: (f64, f64) = (0.0, 600_000.0);
    /// One sample, ms.
    pub const TARGET_SAMPLE_MS: (f64, f64) = (0.001, 60_000.0);
    /// Silence before a scenario is declared hung, seconds.
    pub const TIMEOUT_S: (f64, f64) = (0.1, 86_400.0);
    /// Linear memory a guest may grow to, MiB (wasm32: at most 4 GiB).
    pub const MAX_MEMORY_MIB: std::ops::RangeInclusive<u64> = 1..=4096;
    /// `--precision`: the mean's 95% interval within ± this many percent.
    pub const PRECISION_PCT: (f64, f64) = (0.01, 100.0);
    /// `--min-samples`: a row's interval needs two samples at least.
    pub const MIN_SAMPLES: std::ops::RangeInclusive<u64> = 2..=100_000;
    /// `--max-row-ms`: sampling time a row may take, ms.
    pub const MAX_ROW_MS: (f64, f64) = (1.0, 3_600_000.0);
    /// `run --processes`: worker processes a row is measured in.
    pub const PROCESSES: std::ops::RangeInclusive<u64> = 1..=8;
    /// `compare --fail-above`, percent.
    pub const FAIL_ABOVE_PCT: (f64, f64) = (0.0, 1_000_000.0);
}

/// A clap value parser for a finite number in `[lo, hi]` (with its unit in the message).
pub fn bounded_f64(lo: f64, hi: f64, unit: &'static str) -> impl Fn(&str) -> Result<f64, String> + Clone + Send + Sync {
    move |s: &str| {
        let v: f64 = s.trim().parse().map_err(|_| format!("`{s}` is not a number"))?;
        if !v.is_finite() {
            return Err(format!("`{s}` is not a finite number (between {lo} and {hi} {unit})"));
        }
        if !(lo..=hi).contains(&v) {
            return Err(format!("{v} is out of range: between {lo} and {hi} {unit}"));
        }
        Ok(v)
    }
}

fn warmup_ms(s: &str) -> Result<f64, String> {
    bounded_f64(limits::WARMUP_MS.0, limits::WARMUP_MS.1, "ms")(s)
}

fn target_sample_ms(s: &str) -> Result<f64, String> {
    bounded_f64(limits::TARGET_SAMPLE_MS.0, limits::TARGET_SAMPLE_MS.1, "ms")(s)
}

fn precision_pct(s: &str) -> Result<f64, String> {
    bounded_f64(limits::PRECISION_PCT.0, limits::PRECISION_PCT.1, "percent")(s)
}

fn max_row_ms(s: &str) -> Result<f64, String> {
    bounded_f64(limits::MAX_ROW_MS.0, limits::MAX_ROW_MS.1, "ms")(s)
}

/// The worker's form: 0 (a fixed number of samples) or a value of the user's flag.
fn worker_precision_pct(s: &str) -> Result<f64, String> {
    if s.trim().parse::<f64>() == Ok(0.0) { Ok(0.0) } else { precision_pct(s) }
}

fn worker_max_row_ms(s: &str) -> Result<f64, String> {
    if s.trim().parse::<f64>() == Ok(0.0) { Ok(0.0) } else { max_row_ms(s) }
}

fn min_samples() -> clap::builder::RangedU64ValueParser<u32> {
    clap::builder::RangedU64ValueParser::<u32>::new().range(limits::MIN_SAMPLES)
}

fn timeout_s(s: &str) -> Result<f64, String> {
    bounded_f64(limits::TIMEOUT_S.0, limits::TIMEOUT_S.1, "seconds")(s)
}

pub fn fail_above_pct(s: &str) -> Result<f64, String> {
    bounded_f64(limits::FAIL_ABOVE_PCT.0, limits::FAIL_ABOVE_PCT.1, "percent")(s)
}

fn samples() -> clap::builder::RangedU64ValueParser<u32> {
    clap::builder::RangedU64ValueParser::<u32>::new().range(limits::SAMPLES)
}

fn processes() -> clap::builder::RangedU64ValueParser<u32> {
    clap::builder::RangedU64ValueParser::<u32>::new().range(limits::PROCESSES)
}

fn max_memory_mib() -> clap::builder::RangedU64ValueParser<u32> {
    clap::builder::RangedU64ValueParser::<u32>::new().range(limits::MAX_MEMORY_MIB)
}

/// Milliseconds (validated by the parser: finite, within bounds) as a `Duration`.
fn ms(v: f64) -> Duration {
    Duration::from_secs_f64(v / 1e3)
}

#[derive(Args, Clone)]
pub struct MeasureArgs {
    /// Seconds for the whole suite: few, short samples (smoke tests, CI; a row whose samples
    /// take over 50 ms stops after two). Not for conclusions.
    #[arg(long)]
    pub quick: bool,
    /// Exactly this many samples per row, 1 to 100000, instead of sampling to a precision
    /// target (--quick: 5).
    #[arg(long, value_parser = samples(), conflicts_with_all = ["precision", "min_samples", "max_row_ms"])]
    pub samples: Option<u32>,
    /// Sample each row until the 95% interval of its mean is within ± this many percent,
    /// 0.01 to 100 (default 1), or until --max-row-ms.
    #[arg(long, value_name = "PCT", value_parser = precision_pct)]
    pub precision: Option<f64>,
    /// The fewest samples a row takes before its precision is checked, 2 to 100000 (default 10).
    #[arg(long, value_parser = min_samples())]
    pub min_samples: Option<u32>,
    /// Sampling time a row may take before it stops short of its precision target (listed
    /// in the warnings), ms, 1 to 3600000 (default 500).
    #[arg(long, value_parser = max_row_ms)]
    pub max_row_ms: Option<f64>,
    /// Keep every sample in a row's statistics. By default a precision-targeted row sets
    /// aside the samples taken while the machine ran slower than its fast state (the
    /// reference loop timed after each sample reads over 25% above the fastest reading; such
    /// samples stay in the results file, and the report counts them); Go rows whose calls
    /// make work for the collector always keep every sample.
    #[arg(long)]
    pub every_sample: bool,
    /// Longest warm-up per row in ms, 0 to 600000 (default 100; 2 with --quick): it ends
    /// earlier, as soon as two consecutive warm-up loops agree.
    #[arg(long, value_parser = warmup_ms)]
    pub warmup_ms: Option<f64>,
    /// Target duration of one sample in ms, 0.001 to 60000 (default 2.5; 0.5 with --quick).
    #[arg(long, value_parser = target_sample_ms)]
    pub target_sample_ms: Option<f64>,
    /// Linear memory each guest instance may grow to, in MiB (1 to 4096). A guest that asks
    /// for more fails its scenario; each worker process is also held to an OS limit.
    #[arg(long, value_parser = max_memory_mib(), default_value_t = 1024)]
    pub max_memory_mib: u32,
    /// Worker processes each row is measured in, 1 to 8 (default 3 with a precision
    /// target, 1 with --quick or --samples). The run goes round its plan once per process,
    /// so a row's processes lie minutes apart; they split the row's samples and time
    /// between them, the row pools their samples, and the report and the gate read how far
    /// they lay apart (where a process puts code and data, and what the machine does
    /// between them, move some rows 10-50%). A Go row whose calls make work for the
    /// collector is measured whole in the first process only (split, wasmtime-go's add
    /// read 0.87-0.90 of testing.B).
    #[arg(long, value_parser = processes())]
    pub processes: Option<u32>,
}

/// Worker processes per row in a run with a precision target. Three back-to-back default
/// runs failed a 5% gate on 0, 0, 3, 0, 0 and 0 rows (the six pairs) with three, and on 4,
/// 2, 1, 3, 0 and 4 with two (2026-11-29): with three, fewer rows find every process in the
/// same slow placement, and each engine's spread is read from more of them; a run took
/// 330-343 s instead of 276-312.
pub const DEFAULT_PROCESSES: u32 = 3;

impl MeasureArgs {
    /// How many worker processes measure each row: --processes, or DEFAULT_PROCESSES with a
    /// precision target (on both hosts; the Go host's worker keeps a row whose calls make
    /// work for the collector whole, in the first).
    pub fn processes(&self) -> u32 {
        self.processes.unwrap_or(if self.config().adaptive() { DEFAULT_PROCESSES } else { 1 })
    }

    /// Adaptive sampling (a precision target) unless --samples or --quick asks for a fixed
    /// number; any of --precision, --min-samples, --max-row-ms asks for it, with --quick too.
    pub fn config(&self) -> MeasureConfig {
        let base = if self.quick { MeasureConfig::QUICK } else { MeasureConfig::DEFAULT };
        let asked = self.precision.is_some() || self.min_samples.is_some() || self.max_row_ms.is_some();
        let adaptive = asked || (!self.quick && self.samples.is_none());
        let d = MeasureConfig::DEFAULT;
        let fixed = MeasureConfig::fixed(
            self.warmup_ms.map(ms).unwrap_or(base.warmup),
            self.target_sample_ms.map(ms).unwrap_or(base.target_sample),
            self.samples.map(|n| n as usize).unwrap_or(base.samples),
        );
        if !adaptive {
            // --quick keeps its bound on long rows (MeasureConfig::max_row); --samples alone is exact.
            return MeasureConfig { max_row: if self.quick { base.max_row } else { Duration::ZERO }, ..fixed };
        }
        MeasureConfig {
            samples: self.min_samples.map(|n| n as usize).unwrap_or(d.samples),
            precision: self.precision.unwrap_or(d.precision * 100.0) / 100.0,
            max_row: self.max_row_ms.map(ms).unwrap_or(d.max_row),
            fast_state: !self.every_sample,
            ..fixed
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
    /// Results file, written as rows come (the first row, a failure and each worker's end at once, others at most 10 s later) (default: results/run-<unix ms>-<pid>.json).
    /// An existing file (or its .html report) is never replaced without --force.
    /// (`--out` is the same flag.)
    #[arg(long, short, alias = "out", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace an existing --output file and its .html report (only once the run has a row to write).
    #[arg(long)]
    pub force: bool,
    /// Also write the report as JSON (the results file with its derived statistics, as
    /// `report -f json`) to FILE once the run ends.
    #[arg(long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,
    /// Also write the report as Markdown tables (as `report -f markdown`) to FILE.
    #[arg(long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,
    /// Also write every raw sample as CSV (as `report -f csv`) to FILE.
    #[arg(long, value_name = "FILE")]
    pub export_csv: Option<PathBuf>,
    /// Also write Go's benchmark format for benchstat (as `report -f benchstat`) to FILE.
    #[arg(long, value_name = "FILE")]
    pub export_benchstat: Option<PathBuf>,
    /// The report: each row's 95% interval, samples and outliers, and each component's
    /// interval, in columns of their own.
    #[arg(long)]
    pub intervals: bool,
    /// The report lists every row, component and case not applicable even for a large run
    /// (over 150 rows), where it otherwise gives a summary.
    #[arg(long)]
    pub detail: bool,
    /// Also keep the results as the named baseline results/baselines/NAME.json (replacing
    /// one of that name), for `compare NAME NEW` or `compare --baseline NAME NEW`.
    #[arg(long, value_name = "NAME", value_parser = crate::baseline::name)]
    pub save_baseline: Option<String>,
    /// Use this module instead of the built-in guest (it must export what the scenarios call).
    #[arg(long, conflicts_with = "guest_variants")]
    pub guest: Option<PathBuf>,
    /// Guest builds to run every selected scenario on, comma-separated (default: o3, the
    /// default build). Names: opt-level (o3, os), `-simd` for simd128, the allocator unless
    /// dlmalloc (`-wee_alloc`, `-talc`): e.g. o3,os,o3-simd,os-wee_alloc (the founding
    /// document's build). `list` shows them all. Each is built once and cached in
    /// guest/target/variants/. The first one feeds the cost model; the others are set beside it.
    #[arg(long, value_delimiter = ',')]
    pub guest_variants: Vec<String>,
    /// Run the scenarios of this file (your module's exports, payloads and checks; see
    /// docs/scenario-files.md) instead of the built-in list, on every selected runtime.
    #[arg(long)]
    pub scenario_file: Option<PathBuf>,
    /// With --scenario-file and --guest: measure the file's scenarios only. By default the
    /// built-in guest's noop and add run beside them on the same engines, so that each of
    /// your cases is split into the crossing, the arguments and the rest (your module's own
    /// work).
    #[arg(long, requires = "scenario_file")]
    pub own_only: bool,
    /// Seconds a runtime may stay silent before its scenario is declared hung and skipped
    /// (0.1 to 86400).
    #[arg(long, default_value_t = 120.0, value_parser = timeout_s)]
    pub timeout: f64,
    /// No progress bar.
    #[arg(long)]
    pub no_progress: bool,
    /// Skip the capability probes. By default (not with --quick) each selected engine also
    /// runs the small bad guests of scenarios/probes/ (invalid module, trap, out-of-bounds,
    /// infinite recursion, endless loop, SIMD) in a worker of its own, a few seconds per
    /// engine, for the table of what each engine gives up.
    #[arg(long, conflicts_with = "capabilities")]
    pub no_capabilities: bool,
    /// Run the capability probes even with --quick.
    #[arg(long)]
    pub capabilities: bool,
    /// Probe every engine again. By default an engine whose probes an earlier run of the
    /// same binaries, probe guests and bounds already ran is not probed again: its outcomes
    /// are reused from the cache (`~/.cache/interop-bench/probes`) and the report says so.
    #[arg(long, conflicts_with = "no_capabilities")]
    pub reprobe: bool,
    /// Count instructions per op under valgrind's callgrind instead of timing (figures that
    /// do not wobble on a noisy machine; docs/counts.md). Default selection: the founding
    /// document's cases (noop, add, string_roundtrip/bytes=64) and the native floor and cgo
    /// toll the layer split needs (empty, ffi_call).
    #[arg(long)]
    pub counts: bool,
    /// --counts: instructions of work between a row's two counted loops (the loop lengths
    /// are chosen from a probe so the difference is about this much).
    #[arg(long, default_value_t = DEFAULT_COUNT_WORK, value_parser = clap::value_parser!(u64).range(1000..=10_000_000_000))]
    pub count_work: u64,
    /// --counts: also time the same rows, as a run without --counts would (with --quick,
    /// --samples, ...), into the same file: the layer split then shows time beside
    /// instructions and names where they disagree.
    #[arg(long, requires = "counts")]
    pub with_time: bool,
    /// --counts: repeats of each row's pair of counted loops (their spread is recorded).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub count_repeats: u32,
}

/// `report --format`: every exporter of interop_core::export.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// Tables for a person, fitted to the terminal's width.
    #[value(alias = "text")]
    Terminal,
    /// The results file with its derived statistics.
    Json,
    /// One self-contained page with charts.
    Html,
    /// Tables to paste into an issue or a README.
    #[value(alias = "md")]
    Markdown,
    /// Go's benchmark format, for benchstat (names as `go test -bench` prints them).
    Benchstat,
    /// One row a sample (and a counted repeat), with every unit the row has.
    Csv,
}

impl ReportFormat {
    /// The exporter's name in interop_core::export::by_name.
    pub fn name(self) -> &'static str {
        match self {
            ReportFormat::Terminal => "terminal",
            ReportFormat::Json => "json",
            ReportFormat::Html => "html",
            ReportFormat::Markdown => "markdown",
            ReportFormat::Benchstat => "benchstat",
            ReportFormat::Csv => "csv",
        }
    }
}

#[derive(Args)]
pub struct ReportArgs {
    /// A results file written by `run`.
    pub file: PathBuf,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = ReportFormat::Terminal)]
    pub format: ReportFormat,
    /// Write to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// A merged file (`merge`): report only the machine of this fingerprint (or a prefix of
    /// it). Needed for html and csv; terminal, markdown and benchstat show every machine.
    #[arg(long, value_name = "FINGERPRINT")]
    pub machine: Option<String>,
    /// Terminal report: each row's 95% interval, samples and outliers, and each
    /// component's interval, in columns of their own.
    #[arg(long)]
    pub intervals: bool,
    /// Terminal report: every row, component and case not applicable even for a large run
    /// (over 150 rows), where it otherwise gives a summary.
    #[arg(long)]
    pub detail: bool,
}

#[derive(Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
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
    #[arg(long, value_parser = warmup_ms)]
    pub warmup_ms: f64,
    #[arg(long, value_parser = target_sample_ms)]
    pub target_sample_ms: f64,
    /// The number of samples, or with --precision-pct the minimum.
    #[arg(long, value_parser = samples())]
    pub samples: u32,
    /// Sample until the mean's 95% interval is within ± this many percent (0: exactly --samples).
    #[arg(long, default_value_t = 0.0, value_parser = worker_precision_pct)]
    pub precision_pct: f64,
    /// With --precision-pct: the sampling time a row may take, ms. Without (a fixed count):
    /// a row whose samples have taken this long stops after two (0: exactly --samples).
    #[arg(long, default_value_t = 0.0, value_parser = worker_max_row_ms)]
    pub max_row_ms: f64,
    /// With --precision-pct: set aside the samples taken while the machine ran slower than
    /// its fast state (interop_core::stats::machine_state).
    #[arg(long)]
    pub fast_state: bool,
    /// Linear memory a guest instance may grow to, MiB.
    #[arg(long, value_parser = max_memory_mib(), default_value_t = 1024)]
    pub max_memory_mib: u32,
    /// A user's scenario file (docs/scenario-files.md): run its scenarios instead of the list's.
    #[arg(long)]
    pub plugin_file: Option<PathBuf>,
    /// Count instructions instead of timing: callgrind's --callgrind-out-file of the
    /// valgrind this worker runs under (set by `run --counts`).
    #[arg(long)]
    pub counts_out: Option<PathBuf>,
    /// Instructions of work between the two counted loops of a row.
    #[arg(long, default_value_t = DEFAULT_COUNT_WORK)]
    pub count_work: u64,
    /// Repeats of each row's pair of counted loops.
    #[arg(long, default_value_t = 2)]
    pub count_repeats: u32,
    /// The run measures each row in this many worker processes (`run --processes`): the
    /// sampling settings above are a row's whole budget, and this worker takes its share
    /// (MeasureConfig::per_process). (The Go host's worker gives a row whose calls make
    /// work for the collector the whole budget in the first process and skips it in the
    /// others.)
    #[arg(long, value_parser = processes(), default_value_t = 1)]
    pub processes: u32,
    /// Which of those processes this is, from 0.
    #[arg(long, default_value_t = 0)]
    pub process: u32,
}

/// `run --counts`: instructions of work between a row's two counted loops by default.
pub const DEFAULT_COUNT_WORK: u64 = 10_000_000;

impl WorkerArgs {
    /// What clap cannot check alone: `--process` numbers one of `--processes` (as the Go
    /// host's worker checks its pair).
    pub fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.process < self.processes,
            "--processes {} --process {} is out of range: processes are numbered from 0",
            self.processes,
            self.process
        );
        Ok(())
    }

    pub fn config(&self) -> MeasureConfig {
        MeasureConfig {
            precision: self.precision_pct / 100.0,
            max_row: ms(self.max_row_ms),
            fast_state: self.fast_state,
            count: self.counts_out.as_ref().map(|_| interop_host::counts::CountSpec {
                work: self.count_work.max(1),
                repeats: self.count_repeats.clamp(1, 100),
            }),
            ..MeasureConfig::fixed(ms(self.warmup_ms), ms(self.target_sample_ms), self.samples as usize)
        }
        .per_process(self.processes as usize)
    }
}

pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    if matches!(cli.command, Command::Report(_) | Command::List(_) | Command::Compare(_) | Command::Completions(_)) {
        // Commands that only print end quietly when their reader does (`report | head`),
        // as other Unix tools do, instead of panicking on a closed stdout. (Not `run` and
        // the worker: they talk to other processes over pipes and handle EPIPE themselves.)
        // SAFETY: restoring a signal's default disposition before any thread is started.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    match cli.command {
        Command::Run(a) => crate::orchestrate::run(a),
        Command::Report(a) => crate::report::report(a),
        Command::List(a) => crate::report::list(a),
        Command::Compare(a) => crate::compare::compare(a),
        Command::Merge(a) => crate::merge::merge(a),
        Command::Completions(a) => {
            use clap::CommandFactory;
            clap_complete::generate(a.shell, &mut Cli::command(), "interop-bench", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Worker(a) => crate::worker::worker(a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("interop-bench").chain(args.iter().copied()))
    }

    #[test]
    fn a_worker_refuses_a_process_number_outside_its_processes() {
        let worker = |processes: &str, process: &str| -> WorkerArgs {
            let args = [
                "worker", "--runtime", "native", "--guest", "g.wasm", "--scenarios-file", "s.toml", "--warmup-ms", "0",
                "--target-sample-ms", "1", "--samples", "2", "--processes", processes, "--process", process,
            ];
            match parse(&args).expect("worker arguments parse").command {
                Command::Worker(a) => a,
                _ => unreachable!(),
            }
        };
        assert!(worker("3", "2").check().is_ok());
        let e = worker("2", "2").check().expect_err("process 2 of 2").to_string();
        assert!(e.contains("--processes 2 --process 2 is out of range"), "{e}");
    }

    /// Numbers as a user may type them: plain, huge, tiny, negative, not finite, not numbers.
    fn typed_number() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<f64>().prop_map(|v| v.to_string()),
            any::<u64>().prop_map(|v| v.to_string()),
            any::<i64>().prop_map(|v| v.to_string()),
            (-1e6f64..1e7).prop_map(|v| format!("{v}")),
            prop::sample::select(vec![
                "nan", "NaN", "inf", "-inf", "infinity", "1e30", "1e300", "-0", "0", "0.0", "18446744073709551615",
                "18446744073709551616", "", " ", "1_000", "0x10", "1e-400", "5e-324", "abc", "1,5",
            ])
            .prop_map(String::from),
        ]
    }

    /// Every accepted value is within its bounds and makes a valid configuration (a panic
    /// here is the test failing); every refused one is refused by clap with its own error.
    fn check(flag: &str, value: &str) {
        let arg = format!("--{flag}={value}");
        let cmd = if flag == "fail-above" { vec!["compare", "a.json", "b.json", &arg] } else { vec!["run", &arg] };
        match parse(&cmd) {
            Ok(Cli { command: Command::Run(r), .. }) => {
                let c = r.measure.config();
                assert!(c.samples >= 1 && c.samples <= 100_000, "{arg}: {c:?}");
                assert!(c.precision.is_finite() && (0.0..=1.0).contains(&c.precision), "{arg}: {c:?}");
                assert!(c.max_row <= Duration::from_secs(3600), "{arg}: {c:?}");
                assert!(c.warmup <= Duration::from_secs(600), "{arg}: {c:?}");
                assert!(c.target_sample > Duration::ZERO && c.target_sample <= Duration::from_secs(60), "{arg}: {c:?}");
                assert!(r.timeout.is_finite() && r.timeout >= 0.1 && r.timeout <= 86_400.0, "{arg}");
                let _ = Duration::from_secs_f64(r.timeout);
                assert!((1..=4096).contains(&r.measure.max_memory_mib), "{arg}");
            }
            Ok(Cli { command: Command::Compare(c), .. }) => {
                let p = c.fail_above.unwrap();
                assert!(p.is_finite() && (0.0..=1e6).contains(&p), "{arg}");
            }
            Ok(_) => unreachable!(),
            Err(e) => assert!(
                matches!(
                    e.kind(),
                    clap::error::ErrorKind::ValueValidation | clap::error::ErrorKind::InvalidValue
                ),
                "{arg}: {:?}: {e}",
                e.kind()
            ),
        }
    }

    const FLAGS: &[&str] = &[
        "samples", "warmup-ms", "target-sample-ms", "timeout", "max-memory-mib", "fail-above", "precision", "min-samples",
        "max-row-ms",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn no_flag_value_panics_or_slips_out_of_bounds(flag in prop::sample::select(FLAGS), value in typed_number()) {
            check(flag, &value);
        }
    }

    /// The values of the issue, each refused by the parser with a message naming it.
    #[test]
    fn the_values_that_used_to_crash_are_refused_by_clap() {
        for (flag, value) in [
            ("timeout", "nan"),
            ("timeout", "inf"),
            ("timeout", "1e30"),
            ("timeout", "0"),
            ("warmup-ms", "inf"),
            ("warmup-ms", "nan"),
            ("warmup-ms", "-1"),
            ("target-sample-ms", "inf"),
            ("target-sample-ms", "nan"),
            ("target-sample-ms", "1e300"),
            ("target-sample-ms", "0"),
            ("samples", "18446744073709551615"),
            ("samples", "0"),
            ("max-memory-mib", "0"),
            ("max-memory-mib", "5000"),
            ("precision", "0"),
            ("precision", "nan"),
            ("precision", "101"),
            ("min-samples", "1"),
            ("max-row-ms", "0"),
            ("max-row-ms", "inf"),
        ] {
            let arg = format!("--{flag}={value}");
            let e = parse(&["run", &arg]).err().unwrap_or_else(|| panic!("{arg} was accepted"));
            let text = e.to_string();
            assert!(text.contains(&format!("--{flag}")) && text.contains(value), "{arg}: {text}");
        }
        let e = parse(&["compare", "a", "b", "--fail-above", "nan"]).err().expect("nan refused");
        assert!(e.to_string().contains("--fail-above"), "{e}");
    }

    #[test]
    fn ordinary_values_are_accepted() {
        let Cli { command: Command::Run(r), .. } =
            parse(&["run", "--samples", "3", "--warmup-ms", "0", "--target-sample-ms", "0.5", "--timeout", "2.5"]).unwrap()
        else {
            unreachable!()
        };
        let c = r.measure.config();
        assert_eq!((c.samples, c.warmup, c.target_sample), (3, Duration::ZERO, Duration::from_micros(500)));
        assert_eq!(r.timeout, 2.5);
        assert!(!c.adaptive(), "--samples asks for a fixed number");
    }

    #[test]
    fn the_default_samples_to_a_precision_target_and_quick_does_not() {
        let config = |args: &[&str]| match parse(args).unwrap() {
            Cli { command: Command::Run(r), .. } => r.measure.config(),
            _ => unreachable!(),
        };
        let c = config(&["run"]);
        assert_eq!((c.precision, c.samples, c.max_row), (0.01, 10, Duration::from_millis(500)));
        assert!(!config(&["run", "--quick"]).adaptive());
        let c = config(&["run", "--precision", "2.5", "--min-samples", "4", "--max-row-ms", "250"]);
        assert_eq!((c.precision, c.samples, c.max_row), (0.025, 4, Duration::from_millis(250)));
        let c = config(&["run", "--quick", "--precision", "5"]);
        assert!(c.adaptive() && c.target_sample == MeasureConfig::QUICK.target_sample);
        let e = parse(&["run", "--samples", "5", "--precision", "1"]).err().expect("conflict refused");
        assert_eq!(e.kind(), clap::error::ErrorKind::ArgumentConflict);
    }

    #[test]
    fn every_command_has_examples_and_formats_are_value_enums() {
        use clap::CommandFactory;
        let cmd = Cli::command();
        assert!(cmd.get_after_help().is_some_and(|h| h.to_string().starts_with("Examples:")));
        for sub in cmd.get_subcommands().filter(|c| !c.is_hide_set()) {
            let help = sub.get_after_help().map(|h| h.to_string()).unwrap_or_default();
            assert!(help.starts_with("Examples:\n  interop-bench "), "{} has no examples", sub.get_name());
        }
        // A format a command does not have is clap's error, listing the ones it has.
        let e = parse(&["compare", "a", "b", "-f", "csv"]).err().expect("csv is no compare format");
        assert_eq!(e.kind(), clap::error::ErrorKind::InvalidValue);
        assert!(e.to_string().contains("terminal, markdown, json"), "{e}");
        let e = parse(&["report", "a", "--format", "yaml"]).err().expect("yaml is no format");
        assert!(e.to_string().contains("terminal, json, html, markdown, benchstat, csv"), "{e}");
        // The aliases of the old names still parse.
        let Cli { command: Command::Report(r), .. } = parse(&["report", "a", "-f", "md"]).unwrap() else { unreachable!() };
        assert_eq!(r.format, ReportFormat::Markdown);
    }

    #[test]
    fn output_is_dash_o_everywhere_and_out_still_works_on_run() {
        for args in [&["run", "-o", "x.json"][..], &["run", "--output", "x.json"], &["run", "--out", "x.json"]] {
            let Cli { command: Command::Run(r), .. } = parse(args).unwrap() else { unreachable!() };
            assert_eq!(r.output.as_deref(), Some(std::path::Path::new("x.json")), "{args:?}");
        }
        let Cli { command: Command::Report(r), .. } = parse(&["report", "a", "-o", "x.md"]).unwrap() else { unreachable!() };
        assert!(r.output.is_some());
        let Cli { command: Command::Compare(c), .. } = parse(&["compare", "a", "b", "-o", "x.md"]).unwrap() else { unreachable!() };
        assert!(c.output.is_some());
        // `--out` stays out of the help.
        use clap::CommandFactory;
        let help = Cli::command().find_subcommand_mut("run").unwrap().render_long_help().to_string();
        assert!(help.contains("--output <FILE>") && !help.contains("--out <"), "{help}");
    }

    #[test]
    fn completions_are_generated_for_the_common_shells() {
        use clap::CommandFactory;
        for shell in [clap_complete::Shell::Bash, clap_complete::Shell::Zsh, clap_complete::Shell::Fish] {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "interop-bench", &mut buf);
            let text = String::from_utf8(buf).unwrap();
            for word in ["export-benchstat", "fail-above", "benchstat"] {
                assert!(text.contains(word), "{shell}: no {word}");
            }
        }
        assert!(parse(&["completions", "tcsh"]).is_err());
    }
}
