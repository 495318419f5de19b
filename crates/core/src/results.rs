//! The results file: what a run measured, in a versioned JSON schema.
//!
//! Hosts (Rust in-process workers, the Go driver) emit [`Event`]s as JSON lines;
//! the orchestrator folds them into a [`ResultsFile`] and saves it after every row.

use crate::stats::{self, Summary};
use crate::warnings::Warning;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Bumped whenever a field changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

/// Parameters of a row, e.g. `{"bytes": 64}`; empty for scenarios without one.
pub type Params = BTreeMap<String, u64>;

/// What identifies a row across runs: host language, runtime (engine and mode),
/// API path, scenario and parameters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RowKey {
    pub host: String,
    pub runtime: String,
    pub api: String,
    pub scenario: String,
    pub params: Params,
}

impl RowKey {
    pub fn param(&self) -> Option<u64> {
        self.params.values().next().copied()
    }

    /// `scenario` or `scenario/bytes=64`.
    pub fn case_label(&self) -> String {
        let mut s = self.scenario.clone();
        for (k, v) in &self.params {
            s.push_str(&format!("/{k}={v}"));
        }
        s
    }
}

/// What a host emits for one measured row: the raw samples, nothing derived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawRow {
    #[serde(flatten)]
    pub key: RowKey,
    pub iters_per_sample: u64,
    /// Mean ns per operation of each sample, in the order taken.
    pub sample_ns_per_op: Vec<f64>,
    /// Every operation checked its own result.
    pub verified: bool,
    /// Other per-row measurements a host may add (e.g. `allocs_per_op`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, f64>,
    /// sha256 (hex) of the bytes the host fed the guest in this case (inputs copied into
    /// linear memory), so hosts can be checked to feed the same data; absent when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_sha256: Option<String>,
}

/// A scenario (or one of its rows) that could not be measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    pub host: String,
    pub runtime: String,
    pub scenario: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: Params,
    /// The export involved, when one is to blame.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub export: String,
    pub error: String,
    /// "failed", or "not_applicable" for a scenario the engine cannot express.
    #[serde(default = "failed")]
    pub status: String,
}

fn failed() -> String {
    "failed".into()
}

impl Failure {
    pub fn is_failure(&self) -> bool {
        self.status != "not_applicable"
    }
}

/// One line of a host's output stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The host describes itself once, before any scenario.
    Runtime(RuntimeInfo),
    /// A scenario is starting (so a hang can be blamed on it).
    Start { host: String, runtime: String, scenario: String },
    Row(RawRow),
    Failure(Failure),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuntimeInfo {
    pub host: String,
    pub runtime: String,
    pub engine: String,
    pub version: String,
    /// Call APIs this runtime offers, default first.
    pub call_apis: Vec<String>,
    /// Memory APIs this runtime offers, default (zero-copy view) first.
    pub memory_apis: Vec<String>,
    #[serde(default)]
    pub notes: String,
}

/// ns per op: the median with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub median: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// A measured row with its statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultRow {
    #[serde(flatten)]
    pub key: RowKey,
    pub ns_per_op: Estimate,
    pub samples: usize,
    pub iters_per_sample: u64,
    pub verified: bool,
    pub summary: Summary,
    pub sample_ns_per_op: Vec<f64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, f64>,
    /// sha256 (hex) of the bytes the host fed the guest in this case (inputs copied into
    /// linear memory), so hosts can be checked to feed the same data; absent when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_sha256: Option<String>,
}

impl ResultRow {
    /// Statistics are derived here and only here, from the raw samples.
    pub fn from_raw(raw: RawRow) -> ResultRow {
        let summary = stats::summarize(&raw.sample_ns_per_op);
        ResultRow {
            ns_per_op: Estimate { median: summary.median, ci_low: summary.ci_low, ci_high: summary.ci_high },
            samples: raw.sample_ns_per_op.len(),
            iters_per_sample: raw.iters_per_sample,
            verified: raw.verified,
            summary,
            key: raw.key,
            sample_ns_per_op: raw.sample_ns_per_op,
            metrics: raw.metrics,
            input_sha256: raw.input_sha256,
        }
    }

    pub fn raw(&self) -> RawRow {
        RawRow {
            key: self.key.clone(),
            iters_per_sample: self.iters_per_sample,
            sample_ns_per_op: self.sample_ns_per_op.clone(),
            verified: self.verified,
            metrics: self.metrics.clone(),
            input_sha256: self.input_sha256.clone(),
        }
    }

    pub fn median(&self) -> f64 {
        self.ns_per_op.median
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub cpu_model: String,
    pub cores: usize,
    pub os: String,
    /// Toolchain name to version, e.g. `rustc` → `rustc 1.95.0 (...)`.
    pub toolchains: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GuestInfo {
    pub sha256: String,
    pub size_bytes: u64,
    /// `builtin` or the path given with --guest.
    pub source: String,
    /// How it was built: target, rustflags, profile, rustc.
    pub build: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    /// `quick` or `default`.
    pub mode: String,
    pub warmup_ms: f64,
    pub target_sample_ms: f64,
    pub samples: usize,
    pub timeout_s: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResultsFile {
    pub schema_version: u32,
    pub tool_version: String,
    /// Seconds since the Unix epoch when the run started.
    pub started_unix: u64,
    /// False while the run is going on, or when it was interrupted.
    pub complete: bool,
    pub machine: Machine,
    pub guest_sha256: String,
    pub guest: GuestInfo,
    pub config: RunConfig,
    pub runtimes: Vec<RuntimeInfo>,
    pub results: Vec<ResultRow>,
    pub breakdown: Vec<crate::analysis::Component>,
    pub seed_table: Vec<crate::analysis::SeedRow>,
    /// Engines side by side, a column per runtime (derived; absent in older files).
    #[serde(default)]
    pub engines: Vec<crate::analysis::EngineMatrix>,
    pub failures: Vec<Failure>,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path} is not an interop-bench results file: {source}")]
    Parse { path: String, source: serde_json::Error },
    #[error("{path} has schema_version {found}; this build reads {SCHEMA_VERSION}")]
    Version { path: String, found: u64 },
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: std::io::Error },
}

impl ResultsFile {
    pub fn new() -> Self {
        ResultsFile { schema_version: SCHEMA_VERSION, ..Default::default() }
    }

    /// Adds a host's event (rows get their statistics here).
    pub fn apply(&mut self, event: Event) {
        match event {
            Event::Runtime(info) => {
                if !self.runtimes.iter().any(|r| r.host == info.host && r.runtime == info.runtime) {
                    self.runtimes.push(info)
                }
            }
            Event::Start { .. } => {}
            Event::Row(raw) => self.results.push(ResultRow::from_raw(raw)),
            Event::Failure(f) => self.failures.push(f),
        }
    }

    /// Recomputes every derived field (statistics, analysis, warnings) from the raw samples.
    pub fn rederive(&mut self) {
        for row in &mut self.results {
            *row = ResultRow::from_raw(row.raw());
        }
        let analysis = crate::analysis::analyze(&self.results);
        self.breakdown = analysis.components;
        // Engines reached through cgo say so in their notes (the Go host's wasmtime-go, wasmer-go).
        let ffi: Vec<(String, String)> = self
            .runtimes
            .iter()
            .filter(|r| r.notes.starts_with("cgo"))
            .map(|r| (r.host.clone(), r.runtime.clone()))
            .collect();
        let extra = crate::analysis::ffi_components(&self.results, &self.breakdown, &ffi);
        self.breakdown.extend(extra);
        self.seed_table = analysis.seed_table;
        self.engines = crate::analysis::engine_matrix(&self.results, &self.breakdown);
        self.warnings = crate::warnings::collect(&self.results, &self.breakdown, &self.failures);
    }

    pub fn hard_failures(&self) -> usize {
        self.failures.iter().filter(|f| f.is_failure()).count()
    }

    pub fn load(path: &Path) -> Result<Self, ResultsError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ResultsError::Read { path: p.clone(), source })?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|source| ResultsError::Parse { path: p.clone(), source })?;
        let found = value.get("schema_version").and_then(|v| v.as_u64()).unwrap_or(0);
        if found != u64::from(SCHEMA_VERSION) {
            return Err(ResultsError::Version { path: p, found });
        }
        serde_json::from_value(value).map_err(|source| ResultsError::Parse { path: p, source })
    }

    /// Writes to a temporary file beside `path` and renames it over: a reader (or an
    /// interrupted run) sees the old file or the new one, never half of one.
    pub fn save_atomic(&self, path: &Path) -> Result<(), ResultsError> {
        let p = path.display().to_string();
        let err = |source| ResultsError::Write { path: p.clone(), source };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let tmp = path.with_extension(format!("json.tmp{}", std::process::id()));
        let text = serde_json::to_string_pretty(self).expect("results serialize");
        std::fs::write(&tmp, text).map_err(err)?;
        std::fs::rename(&tmp, path).map_err(err)
    }

    pub fn find(&self, runtime: &str, api: &str, scenario: &str, param: Option<u64>) -> Option<&ResultRow> {
        self.results.iter().find(|r| {
            r.key.runtime == runtime && r.key.api == api && r.key.scenario == scenario && r.key.param() == param
        })
    }
}
