//! The results file: what a run measured, in a versioned JSON schema.
//!
//! Hosts (Rust in-process workers, the Go driver) emit [`Event`]s as JSON lines;
//! the orchestrator folds them into a [`ResultsFile`] and saves it after every row.

use crate::stats::{self, Summary};
use crate::warnings::Warning;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Bumped whenever a field changes meaning or disappears. 2: rows hold only what was
/// measured (their statistics under `derived`), not-applicable scenarios have their own
/// list, runtimes carry typed attributes (`ffi`, `direct_path`), and everything derived
/// sits under a top-level `derived` that is recomputed on every load, never read back.
/// Schema-1 files are still read (see [`ResultsFile::load`]). docs/results.schema.json
/// describes the file.
pub const SCHEMA_VERSION: u32 = 2;

/// The schema versions this build reads.
pub const READABLE_SCHEMAS: &[u64] = &[1, 2];

/// Parameters of a row, e.g. `{"bytes": 64}`; empty for scenarios without one.
pub type Params = BTreeMap<String, u64>;

/// The guest build a run uses unless asked otherwise (crates/guest-build's
/// `Variant::DEFAULT`: opt-level 3, no SIMD, dlmalloc); what every row of a file written
/// before guest variants existed ran on (or the `--guest` module: see [`ResultsFile::load`]).
pub const DEFAULT_GUEST_VARIANT: &str = "o3";

/// The variant name of rows measured on a user's module (`run --guest`).
pub const CUSTOM_GUEST_VARIANT: &str = "custom";

fn default_guest_variant() -> String {
    DEFAULT_GUEST_VARIANT.into()
}

fn is_default_guest_variant(v: &String) -> bool {
    v == DEFAULT_GUEST_VARIANT
}

/// What identifies a row across runs: host language, runtime (engine and mode),
/// API path, scenario, parameters and the guest build it ran on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RowKey {
    pub host: String,
    pub runtime: String,
    pub api: String,
    pub scenario: String,
    pub params: Params,
    /// The guest build variant (`o3`, `os-wee_alloc`, ...; see `guest.variants`). Not
    /// written for the default build, so a default run's file (and every file written
    /// before variants) reads as [`DEFAULT_GUEST_VARIANT`].
    #[serde(default = "default_guest_variant", skip_serializing_if = "is_default_guest_variant")]
    pub guest_variant: String,
}

/// A case as every list names it: `scenario` then `/name=value` for each parameter, in name
/// order (`greet/bytes=16`).
pub fn case_name(scenario: &str, params: &Params) -> String {
    let mut s = scenario.to_string();
    for (k, v) in params {
        s.push_str(&format!("/{k}={v}"));
    }
    s
}

impl RowKey {
    pub fn param(&self) -> Option<u64> {
        self.params.values().next().copied()
    }

    /// `go wasmtime-go call string_roundtrip/bytes=64`: the row, as lists of rows name it;
    /// a row of another guest build than the default ends with it: `... [guest os-wee_alloc]`.
    pub fn label(&self) -> String {
        format!("{} {} {} {}", self.host, self.runtime, self.api, self.case_label())
    }

    /// ` [guest os]` for a row of a guest variant other than the default, else empty.
    pub fn variant_suffix(&self) -> String {
        if self.guest_variant == DEFAULT_GUEST_VARIANT {
            String::new()
        } else {
            format!(" [guest {}]", self.guest_variant)
        }
    }

    /// `scenario` or `scenario/bytes=64`, and ` [guest os]` after it for a row of another
    /// guest build than the default.
    pub fn case_label(&self) -> String {
        self.scenario_and_params() + &self.variant_suffix()
    }

    /// `scenario` then `/name=value` for each parameter, in name order.
    fn scenario_and_params(&self) -> String {
        case_name(&self.scenario, &self.params)
    }

    /// How `run` names the row to a worker that is to measure it again (`--remeasure`):
    /// `api/scenario` then `/name=value` for each parameter in name order, as the Go host's
    /// `remeasureID` spells it (`call/string_roundtrip/bytes=64`). The worker's runtime and
    /// guest build are the worker's own.
    pub fn remeasure_id(&self) -> String {
        format!("{}/{}", self.api, self.scenario_and_params())
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
    /// What ended the row's sampling (see [`Stop`]); absent in files written before
    /// adaptive sampling, and from hosts that do not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<String>,
    /// The machine's speed around the row: ns per pass of the host's reference loop (a sum
    /// of 10,000 i32, the `native_sum` row's work) just before its samples, the first and
    /// the last decile of short readings between them, and just after, so a comparison can tell a
    /// row that changed from a machine that did
    /// ([`crate::noise::machine_move_pct`]). Default (adaptive) runs; absent otherwise and
    /// in older files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub machine_ref_ns: Vec<f64>,
    /// The reference loop read just after each sample (ns a pass; a shorter reading than
    /// `machine_ref_ns`'s), one per sample in `sample_ns_per_op`'s order: the machine's state
    /// around each sample ([`crate::stats::machine_state`]). Default (adaptive) runs; absent
    /// otherwise and in older files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sample_machine_ns: Vec<f64>,
    /// The machine's fast state as the host knew it when the row ended: the lowest reading of
    /// the reference loop its process had taken. With `sample_machine_ns`, the samples taken
    /// in a slower state are set aside from the row's statistics (kept here). Absent: every
    /// sample counts (older files, fixed-count runs, Go rows whose calls make work for the
    /// collector).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_fast_ns: Option<f64>,
    /// The same row measured again in other worker processes of the same run, each as its
    /// host emitted it (a default run measures every row in three processes, `run
    /// --processes`, but a Go row whose calls make work for the collector, whole in one):
    /// where a process put code and data moves some rows by 10-50%, and only rows measured
    /// in more than one process show it. The row's statistics pool the
    /// used samples of every process; `derived.process_spread_pct` is how far the
    /// processes' own means lie apart. Absent: one process (older files, --quick).
    /// A row that keeps every sample ([`RawRow::keeps_every_sample`]) is measured whole in
    /// the first process, and here are its attempts measured again, whole, in later ones
    /// when a stretch of the machine's slow state covered it: its statistics take the one
    /// attempt least in the slow state (`derived.attempt_used`), not a pool.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_processes: Vec<ProcessSamples>,
    /// A later worker process measured this row, whose calls make work for the collector,
    /// again, whole, because the run asked it to (`--remeasure`): an attempt of its own,
    /// not a share of the row. Only a later process's row says so, and the results file
    /// keeps it in that process's entry of `more_processes`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub remeasured: bool,
}

/// A row's samples from one more worker process (see [`RawRow::more_processes`]): the
/// fields of [`RawRow`] that belong to a process.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProcessSamples {
    pub iters_per_sample: u64,
    pub sample_ns_per_op: Vec<f64>,
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub machine_ref_ns: Vec<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sample_machine_ns: Vec<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_fast_ns: Option<f64>,
    /// The process's own counters (as [`RawRow::metrics`]); absent in files written before
    /// 2026-11-30, when a row's metrics were its first process's only.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, f64>,
    /// As [`RawRow::remeasured`]: an attempt measured again, whole.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub remeasured: bool,
}

impl ProcessSamples {
    /// The process's part of `raw` (its key, metrics and input digest are the row's).
    pub fn of(raw: &RawRow) -> ProcessSamples {
        ProcessSamples {
            iters_per_sample: raw.iters_per_sample,
            sample_ns_per_op: raw.sample_ns_per_op.clone(),
            verified: raw.verified,
            stop: raw.stop.clone(),
            machine_ref_ns: raw.machine_ref_ns.clone(),
            sample_machine_ns: raw.sample_machine_ns.clone(),
            machine_fast_ns: raw.machine_fast_ns,
            metrics: raw.metrics.clone(),
            remeasured: raw.remeasured,
        }
    }
}

/// A Go row "makes work for the collector" from this many heap objects per operation (one
/// per 100, as the Go host's warm-up judges it in `go/bench/measure.go`).
pub const ALLOCATING_PER_OP: f64 = 0.01;

/// A row's attempts: its first process (0) and the later ones that measured it again, whole
/// (`k` for `more_processes[k - 1]` marked `remeasured`).
fn attempts_of(more: &[ProcessSamples]) -> Vec<usize> {
    std::iter::once(0).chain(more.iter().enumerate().filter(|(_, p)| p.remeasured).map(|(i, _)| i + 1)).collect()
}

/// How far apart the means of a row's processes (or attempts) lay, percent of the lowest;
/// `None` below two means or when one is not a positive figure.
fn spread_of_means(means: &[f64]) -> Option<f64> {
    (means.len() > 1 && means.iter().all(|m| m.is_finite() && *m > 0.0)).then(|| {
        let (lo, hi) = means.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &m| (lo.min(m), hi.max(m)));
        (hi / lo - 1.0) * 100.0
    })
}

/// Whether a row with these fields keeps every sample ([`RawRow::keeps_every_sample`]).
fn keeps_every_sample(metrics: &BTreeMap<String, f64>, machine_fast_ns: Option<f64>, more: &[ProcessSamples]) -> bool {
    machine_fast_ns.is_none()
        && more.iter().all(|p| p.machine_fast_ns.is_none())
        && metrics.get("allocs_per_op").is_some_and(|a| *a >= ALLOCATING_PER_OP)
}

impl RawRow {
    /// A Go row whose calls make work for the collector keeps every sample, those taken in a
    /// slower state of the machine too (docs/hosts.md): its calls allocate, and its host
    /// wrote no fast state for any of its processes.
    pub fn keeps_every_sample(&self) -> bool {
        keeps_every_sample(&self.metrics, self.machine_fast_ns, &self.more_processes)
    }

    /// Each process's samples and the readings around them, this row's own first.
    fn processes(&self) -> Vec<stats::machine_state::Process<'_>> {
        use stats::machine_state::Process;
        std::iter::once(Process {
            samples: &self.sample_ns_per_op,
            before: self.machine_ref_ns.first().copied(),
            after: &self.sample_machine_ns,
            fast: self.machine_fast_ns,
        })
        .chain(self.more_processes.iter().map(|p| Process {
            samples: &p.sample_ns_per_op,
            before: p.machine_ref_ns.first().copied(),
            after: &p.sample_machine_ns,
            fast: p.machine_fast_ns,
        }))
        .collect()
    }

    /// Of a row that keeps every sample and was measured again (a later process's entry
    /// `remeasured`; see [`RawRow::more_processes`]), the attempt its statistics take (0:
    /// its first process, `k`: `more_processes[k - 1]`): of the first process and the
    /// attempts measured again, the one least in the slow state, judged against
    /// `host_fast` or, without one, the fastest reading of any of them. `None` for every
    /// other row (a row whose later processes each measured a share of it pools them).
    pub fn attempt_used(&self, host_fast: Option<f64>) -> Option<usize> {
        if !self.more_processes.iter().any(|p| p.remeasured) || !self.keeps_every_sample() {
            return None;
        }
        let procs = self.processes();
        let attempts = attempts_of(&self.more_processes);
        let chosen: Vec<_> = attempts.iter().map(|&k| procs[k]).collect();
        let own_fast = chosen.iter().flat_map(|p| p.before.into_iter().chain(p.after.iter().copied())).filter(|x| x.is_finite() && *x > 0.0).reduce(f64::min);
        let fast = host_fast.into_iter().chain(own_fast).reduce(f64::min)?;
        Some(attempts[stats::machine_state::least_slow(&chosen, fast).unwrap_or(0)])
    }

    /// Adds `other`, the same row measured in another worker process, to this one.
    pub fn add_process(&mut self, other: &RawRow) {
        self.verified &= other.verified;
        self.more_processes.push(ProcessSamples::of(other));
    }

    /// Each process's samples judged against the machine's state by that process's own
    /// readings, the row's processes together ([`stats::machine_state::judge_processes`]:
    /// with enough fast-state samples in the row, a process measured wholly in a slower
    /// state keeps none), this row's own first. `host_fast` lowers each process's fastest
    /// reading to the host's fastest in the file, when lower.
    pub fn judged(&self, host_fast: Option<f64>) -> Vec<stats::machine_state::Judged> {
        let mut procs = self.processes();
        for p in &mut procs {
            p.fast = lowered_to(p.fast, host_fast);
        }
        stats::machine_state::judge_processes(&procs)
    }
}

/// The machine's fast state per host: the fastest reading any of its workers recorded with
/// a row (`machine_fast_ns`).
pub fn host_fast_states(rows: &[ResultRow]) -> BTreeMap<String, f64> {
    let mut fast: BTreeMap<String, f64> = BTreeMap::new();
    for r in rows {
        if let Some(f) = r.machine_fast_ns.filter(|f| f.is_finite() && *f > 0.0) {
            let e = fast.entry(r.key.host.clone()).or_insert(f);
            *e = e.min(f);
        }
    }
    fast
}

/// A process's fastest machine reading, lowered to the host's fastest in the file when that
/// is lower (a worker whose whole life fell in a slower state took that state for its
/// fastest); `None` without a reading of its own.
fn lowered_to(own: Option<f64>, host_fast: Option<f64>) -> Option<f64> {
    own.map(|f| host_fast.map_or(f, |h| f.min(h)))
}

/// What ended a row's sampling, as the hosts write it in a row's `stop`.
pub mod stop {
    /// The mean's 95% interval came within the precision target.
    pub const PRECISION: &str = "precision";
    /// The per-row time cap came first: the target was not reached.
    pub const TIME_CAP: &str = "time_cap";
    /// The hard bound on the number of samples came first: the target was not reached.
    pub const SAMPLE_CAP: &str = "sample_cap";
    /// The interval was narrowing too slowly to reach the target within the per-row time
    /// cap (projected from how far it had come after a quarter of the cap; see
    /// [`projected_out_of_reach`]): stopped early, the target not reached.
    pub const PROJECTED: &str = "projected";
    /// A fixed number of samples was asked for (`--samples`, `--quick`): no target.
    pub const FIXED: &str = "fixed";

    /// Sampling ended before its precision target was reached.
    pub fn missed_target(stop: Option<&str>) -> bool {
        matches!(stop, Some(TIME_CAP) | Some(SAMPLE_CAP) | Some(PROJECTED))
    }

    /// The share of the per-row cap after which a row's sampling is projected.
    pub const PROJECT_AFTER: f64 = 0.25;
    /// A row stops early when reaching its target would take more than this many times the cap.
    pub const PROJECT_MARGIN: f64 = 2.0;

    /// The adaptive stopping rule's early exit (both hosts use it): after `elapsed_s` of
    /// sampling (at least [`PROJECT_AFTER`] of `cap_s`), the mean's relative half-width
    /// `half_width` would shrink to `precision` (both fractions) after about
    /// `elapsed_s × (half_width / precision)²` in all (the interval narrows as one over the
    /// square root of the samples); when that is beyond [`PROJECT_MARGIN`] times the cap,
    /// the row would miss its target at the cap anyway, and more samples buy little.
    pub fn projected_out_of_reach(elapsed_s: f64, cap_s: f64, half_width: f64, precision: f64) -> bool {
        if !(precision > 0.0 && cap_s > 0.0) || elapsed_s < PROJECT_AFTER * cap_s {
            return false;
        }
        let needed = elapsed_s * (half_width / precision).powi(2);
        !(needed <= PROJECT_MARGIN * cap_s)
    }
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
    /// The guest variant it happened on, in a run of several (`run --guest-variants`);
    /// empty: the run's only (or first) guest.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub guest_variant: String,
    /// In a host's event: "failed", or "not_applicable" for a scenario the engine cannot
    /// express (the results file moves those to [`ResultsFile::not_applicable`], so a
    /// saved failure is always "failed" and does not write it).
    #[serde(default = "failed", skip_serializing_if = "is_failed")]
    pub status: String,
}

fn failed() -> String {
    "failed".into()
}

fn is_failed(s: &String) -> bool {
    s == "failed"
}

impl Failure {
    pub fn is_failure(&self) -> bool {
        self.status != "not_applicable"
    }
}

/// A scenario (or one API path of it) that does not apply to a runtime, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotApplicable {
    pub host: String,
    pub runtime: String,
    pub scenario: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: Params,
    pub reason: String,
    /// The guest variant it does not apply to (a SIMD build on an engine without SIMD);
    /// empty: any guest.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub guest_variant: String,
}

impl From<Failure> for NotApplicable {
    fn from(f: Failure) -> Self {
        NotApplicable {
            host: f.host,
            runtime: f.runtime,
            scenario: f.scenario,
            api: f.api,
            params: f.params,
            reason: f.error,
            guest_variant: f.guest_variant,
        }
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
    /// A row counted in instructions under callgrind (`run --counts`), instead of timed.
    Count(crate::counts::CountRow),
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
    /// How the host reaches the engine: `cgo` for an engine behind cgo, empty otherwise.
    #[serde(default)]
    pub ffi: String,
    /// For an engine reached through a binding: the runtime name of the direct C-API path
    /// to the same engine measured by the same host (wasmtime-go: `wasmtime-capi`), or empty.
    #[serde(default)]
    pub direct_path: String,
}

impl RuntimeInfo {
    pub fn via_cgo(&self) -> bool {
        self.ffi == "cgo"
    }
}

/// ns per op: the row's estimate, the mean of its samples (total time over total
/// operations, bursts such as GC cycles included; see `stats`), with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub mean: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// A measured row with its statistics. In the file a row is its [`RawRow`] with the
/// statistics under `derived` (written for readers, recomputed from the samples on load).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "RowOnDisk", into = "RowOnDisk")]
pub struct ResultRow {
    #[serde(flatten)]
    pub key: RowKey,
    pub ns_per_op: Estimate,
    /// How many samples the statistics use (`used_ns_per_op`).
    pub samples: usize,
    pub iters_per_sample: u64,
    pub verified: bool,
    pub summary: Summary,
    /// Every sample as the host took it, in order (what the file keeps).
    pub sample_ns_per_op: Vec<f64>,
    /// The samples the statistics use (derived on load, not in the file): every sample, or
    /// those taken in the machine's fast state when enough were
    /// ([`crate::stats::machine_state`]).
    pub used_ns_per_op: Vec<f64>,
    /// The operations each of `used_ns_per_op` timed (derived): each worker process
    /// calibrates its own, so a row's pooled samples differ (a sample's time is its
    /// ns per op times this).
    pub used_iters: Vec<u64>,
    /// Samples left out of the statistics because the machine was in a slower state.
    pub set_aside: usize,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, f64>,
    /// sha256 (hex) of the bytes the host fed the guest in this case (inputs copied into
    /// linear memory), so hosts can be checked to feed the same data; absent when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_sha256: Option<String>,
    /// What ended the row's sampling (see [`stop`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<String>,
    /// As [`RawRow::machine_ref_ns`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub machine_ref_ns: Vec<f64>,
    /// As [`RawRow::sample_machine_ns`].
    pub sample_machine_ns: Vec<f64>,
    /// As [`RawRow::machine_fast_ns`].
    pub machine_fast_ns: Option<f64>,
    /// The fast state the row's samples were judged by (derived): `machine_fast_ns`, or the
    /// fastest any row of the same host in the file recorded when lower (a worker whose
    /// whole life fell in a slower state took that state for its fastest).
    pub fast_state_ns: Option<f64>,
    /// How many samples were taken in that fast state (derived); `None` when the row has no
    /// readings to judge them by.
    pub fast_samples: Option<usize>,
    /// As [`RawRow::more_processes`].
    pub more_processes: Vec<ProcessSamples>,
    /// How far the means of the row's worker processes lie apart (derived), `max / min - 1`
    /// in percent of each process's used samples; `None` for a row of one process.
    pub process_spread_pct: Option<f64>,
    /// Each worker process's own estimate over its used samples (derived; one for a row of
    /// one process; none for a process whose samples were all set aside).
    pub process_means: Vec<f64>,
    /// A row that keeps every sample and was measured again: the attempt its statistics,
    /// `metrics` and machine readings are taken from (derived, [`RawRow::attempt_used`]).
    pub attempt_used: Option<usize>,
    /// The first process's `metrics` when `metrics` are a later attempt's (so the raw row
    /// is written back as it was read).
    pub first_metrics: Option<BTreeMap<String, f64>>,
}

/// The statistics of a row, derived from its samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowDerived {
    pub ns_per_op: Estimate,
    pub samples: usize,
    pub summary: Summary,
    /// Samples set aside because the machine was in a slower state (absent when none).
    #[serde(default, skip_serializing_if = "none_set_aside")]
    pub set_aside: usize,
    /// How far the means of the row's worker processes lie apart, percent (absent for a
    /// row of one process).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_spread_pct: Option<f64>,
    /// A row that keeps every sample, measured again: which attempt (0: its first process,
    /// then `more_processes` in order) its statistics are (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt_used: Option<usize>,
}

fn none_set_aside(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize, Deserialize)]
struct RowOnDisk {
    #[serde(flatten)]
    raw: RawRow,
    /// Ignored on load (schema 1 kept the same statistics flat in the row; ignored too).
    #[serde(default, skip_deserializing)]
    derived: Option<RowDerived>,
}

impl From<RowOnDisk> for ResultRow {
    fn from(d: RowOnDisk) -> Self {
        ResultRow::from_raw(d.raw)
    }
}

impl From<ResultRow> for RowOnDisk {
    fn from(r: ResultRow) -> Self {
        let derived = Some(RowDerived {
            ns_per_op: r.ns_per_op,
            samples: r.samples,
            summary: r.summary,
            set_aside: r.set_aside,
            process_spread_pct: r.process_spread_pct,
            attempt_used: r.attempt_used,
        });
        RowOnDisk {
            raw: RawRow {
                key: r.key,
                iters_per_sample: r.iters_per_sample,
                sample_ns_per_op: r.sample_ns_per_op,
                verified: r.verified,
                metrics: r.first_metrics.unwrap_or(r.metrics),
                input_sha256: r.input_sha256,
                stop: r.stop,
                machine_ref_ns: r.machine_ref_ns,
                sample_machine_ns: r.sample_machine_ns,
                machine_fast_ns: r.machine_fast_ns,
                more_processes: r.more_processes,
                remeasured: false,
            },
            derived,
        }
    }
}

impl ResultRow {
    /// Statistics are derived here and only here, from the raw samples.
    pub fn from_raw(raw: RawRow) -> ResultRow {
        ResultRow::from_raw_in(raw, None)
    }

    /// As [`ResultRow::from_raw`], judging the machine's state by `host_fast` when that is
    /// lower than the row's own `machine_fast_ns` (the fastest reading of the host's workers
    /// in the same file, [`ResultsFile::rederive`]).
    pub fn from_raw_in(raw: RawRow, host_fast: Option<f64>) -> ResultRow {
        let fast_state_ns = lowered_to(raw.machine_fast_ns, host_fast);
        // Each process's samples taken in the machine's fast state, when enough were
        // (stats::machine_state), judged process by process (each has its own readings),
        // then pooled.
        let (mut used, mut set_aside, mut fast_samples, mut means) = (Vec::new(), 0, Some(0), Vec::new());
        let mut used_iters = Vec::new();
        let iters = std::iter::once(raw.iters_per_sample).chain(raw.more_processes.iter().map(|p| p.iters_per_sample));
        // A row that keeps every sample, measured again: one attempt, whole. The others'
        // samples are not used, nor set aside (that says the machine's state judged them).
        let attempt_used = raw.attempt_used(host_fast);
        for (i, (mut j, n)) in raw.judged(host_fast).into_iter().zip(iters).enumerate() {
            if attempt_used.is_some_and(|k| k != i) {
                j.used.clear();
            }
            used_iters.extend(std::iter::repeat_n(n, j.used.len()));
            // A process measured wholly in a slower state (none of its samples used) has no
            // estimate of its own; nor does the spread count it.
            if !j.used.is_empty() {
                means.push(stats::estimate(&j.used));
            }
            used.extend(j.used);
            set_aside += j.set_aside;
            fast_samples = fast_samples.zip(j.fast).map(|(a, b)| a + b);
        }
        let process_spread_pct = spread_of_means(&means);
        let summary = stats::summarize(&used);
        let (metrics, first_metrics) = match attempt_used {
            Some(k) if k > 0 && !raw.more_processes[k - 1].metrics.is_empty() => (raw.more_processes[k - 1].metrics.clone(), Some(raw.metrics)),
            _ => (raw.metrics, None),
        };
        ResultRow {
            ns_per_op: {
                let (ci_low, ci_high) = stats::mean_ci(&used, stats::CONFIDENCE);
                Estimate { mean: stats::estimate(&used), ci_low, ci_high }
            },
            samples: used.len(),
            iters_per_sample: raw.iters_per_sample,
            verified: raw.verified,
            summary,
            key: raw.key,
            used_ns_per_op: used,
            used_iters,
            sample_ns_per_op: raw.sample_ns_per_op,
            set_aside,
            metrics,
            input_sha256: raw.input_sha256,
            stop: raw.stop,
            machine_ref_ns: raw.machine_ref_ns,
            sample_machine_ns: raw.sample_machine_ns,
            machine_fast_ns: raw.machine_fast_ns,
            fast_state_ns,
            fast_samples,
            more_processes: raw.more_processes,
            process_spread_pct,
            process_means: means,
            attempt_used,
            first_metrics,
        }
    }

    pub fn raw(&self) -> RawRow {
        RawRow {
            key: self.key.clone(),
            iters_per_sample: self.iters_per_sample,
            sample_ns_per_op: self.sample_ns_per_op.clone(),
            verified: self.verified,
            metrics: self.first_metrics.clone().unwrap_or_else(|| self.metrics.clone()),
            input_sha256: self.input_sha256.clone(),
            stop: self.stop.clone(),
            machine_ref_ns: self.machine_ref_ns.clone(),
            sample_machine_ns: self.sample_machine_ns.clone(),
            machine_fast_ns: self.machine_fast_ns,
            more_processes: self.more_processes.clone(),
            remeasured: false,
        }
    }

    /// Seconds spent in the row's timed samples, in every process.
    pub fn sampled_seconds(&self) -> f64 {
        let of = |samples: &[f64], iters: u64| samples.iter().sum::<f64>() * iters as f64 / 1e9;
        of(&self.sample_ns_per_op, self.iters_per_sample)
            + self.more_processes.iter().map(|p| of(&p.sample_ns_per_op, p.iters_per_sample)).sum::<f64>()
    }

    /// A row that keeps every sample and was measured again, whole, in later processes
    /// (`remeasured`): how far its attempts' means lay apart, percent of the lowest; `None`
    /// for one attempt.
    pub fn attempts_spread_pct(&self) -> Option<f64> {
        if !self.keeps_every_sample() {
            return None;
        }
        let samples = |k: usize| if k == 0 { &self.sample_ns_per_op } else { &self.more_processes[k - 1].sample_ns_per_op };
        // An attempt without samples has no mean of its own (as in the row's process spread).
        let means: Vec<f64> = attempts_of(&self.more_processes)
            .into_iter()
            .map(samples)
            .filter(|x| !x.is_empty())
            .map(|x| stats::estimate(x))
            .filter(|m| m.is_finite() && *m > 0.0)
            .collect();
        spread_of_means(&means)
    }

    /// Every sample the row's processes took (used or set aside).
    pub fn taken(&self) -> usize {
        self.sample_ns_per_op.len() + self.more_processes.iter().map(|p| p.sample_ns_per_op.len()).sum::<usize>()
    }

    /// Every reading of the machine around the row's samples, in each of its processes
    /// (`machine_ref_ns`).
    /// Those of the attempt used only, for a row that keeps every sample and was measured
    /// again ([`ResultRow::attempt_used`]).
    pub fn machine_readings(&self) -> impl Iterator<Item = f64> + '_ {
        self.readings_of_used(&self.machine_ref_ns, |p| &p.machine_ref_ns)
    }

    /// The reference loop's reading after each sample of every process (`sample_machine_ns`),
    /// or of the attempt used only, as [`ResultRow::machine_readings`].
    pub fn sample_machine_readings(&self) -> impl Iterator<Item = f64> + '_ {
        self.readings_of_used(&self.sample_machine_ns, |p| &p.sample_machine_ns)
    }

    /// One kind of reading (`first`, the first process's; `of`, a later process's) of every
    /// process, or of the attempt used only.
    fn readings_of_used<'a>(&'a self, first: &'a [f64], of: fn(&ProcessSamples) -> &Vec<f64>) -> impl Iterator<Item = f64> + 'a {
        let used = |i: usize| self.attempt_used.is_none_or(|k| k == i);
        let more = self.more_processes.iter().enumerate().filter(move |(i, _)| used(i + 1)).map(move |(_, p)| of(p).as_slice());
        used(0).then_some(first).into_iter().chain(more).flatten().copied()
    }

    /// A row measured again: how many attempts it has (its first process and those
    /// measured again), and which of them, from 1, its statistics are.
    pub fn attempt_of(&self) -> Option<(usize, usize)> {
        let k = self.attempt_used?;
        let attempts = attempts_of(&self.more_processes);
        Some((attempts.len(), attempts.iter().position(|a| *a == k)? + 1))
    }

    /// A row that keeps every sample ([`RawRow::keeps_every_sample`]).
    pub fn keeps_every_sample(&self) -> bool {
        keeps_every_sample(&self.metrics, self.machine_fast_ns, &self.more_processes)
    }

    /// A Go row whose calls make work for the collector keeps every sample, those taken in
    /// a slower state of the machine too (docs/hosts.md): what that state did to it, judged
    /// against `fastest`, the fastest reading its host took in the run ([`host_fast_states`]). `None` for the
    /// other rows (their statistics set such samples aside, or say they could not).
    /// Of a row measured again, its attempt used ([`ResultRow::attempt_used`]).
    pub fn slow_kept(&self, fastest: f64) -> Option<stats::machine_state::SlowKept> {
        if !self.keeps_every_sample() {
            return None;
        }
        let (samples, refs, after) = match self.attempt_used {
            Some(k) if k > 0 => {
                let p = self.more_processes.get(k - 1)?;
                (&p.sample_ns_per_op, &p.machine_ref_ns, &p.sample_machine_ns)
            }
            _ if self.attempt_used.is_none() && !self.more_processes.is_empty() => return None,
            _ => (&self.sample_ns_per_op, &self.machine_ref_ns, &self.sample_machine_ns),
        };
        stats::machine_state::slow_kept(samples, *refs.first()?, after, fastest)
    }

    /// Whether a stretch of the machine's slow state covered this row that keeps every
    /// sample (its attempt used, when measured again), so that a later worker process of
    /// the run should measure it again, whole ([`stats::machine_state::worth_remeasuring`]);
    /// `fastest` as for [`ResultRow::slow_kept`].
    pub fn worth_remeasuring(&self, fastest: f64) -> bool {
        let e = &self.ns_per_op;
        let half_width_pct = if e.mean > 0.0 { 100.0 * (e.ci_high - e.ci_low) / 2.0 / e.mean } else { f64::INFINITY };
        self.slow_kept(fastest).is_some_and(|k| stats::machine_state::worth_remeasuring(&k, half_width_pct))
    }

    /// Its sampling stopped at a fixed count (`stop` "fixed"). In a run with a precision
    /// target that is a row its engine timed itself, a fixed few operations of seconds each
    /// (a translated engine's compile), which no flag gives more samples.
    pub fn stopped_at_fixed_count(&self) -> bool {
        self.stop.as_deref() == Some(stop::FIXED)
    }

    /// The row's statistics come from samples all taken in the machine's fast state (some
    /// set aside, or none needed to be): two such rows are comparable whatever the machine
    /// did around them.
    pub fn in_fast_state(&self) -> bool {
        self.set_aside > 0 || self.fast_samples.is_some_and(|k| k == self.taken())
    }

    /// Its statistics keep samples taken in a slower state of the machine: it has readings
    /// to judge them by, but too few of its samples were taken in the fast state to set the
    /// others aside.
    pub fn kept_slow_samples(&self) -> bool {
        self.set_aside == 0 && self.fast_samples.is_some_and(|k| k < self.taken())
    }

    /// Measured only in a slower state of the machine: the row has readings around its
    /// samples but too few in the fast state to set the others aside; its median reading over
    /// the fast state (e.g. 1.9).
    pub fn machine_slow_ratio(&self) -> Option<f64> {
        let fast = self.fast_state_ns?;
        if !self.kept_slow_samples() {
            return None;
        }
        stats::machine_state::slow_ratio(&self.sample_machine_ns, fast).filter(|r| *r > 1.0 + stats::machine_state::STATE_TOL)
    }

    /// ns per operation: the mean of the samples (the cost of an uninterrupted sample,
    /// their median, is `summary.median`).
    pub fn estimate(&self) -> f64 {
        self.ns_per_op.mean
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub cpu_model: String,
    pub cores: usize,
    pub os: String,
    /// Toolchain name to version, e.g. `rustc` → `rustc 1.95.0 (...)`.
    pub toolchains: BTreeMap<String, String>,
    /// A short hash of the fields above that describe the machine (see
    /// [`Machine::derive_fingerprint`]): what `merge` keeps runs apart by. Files written
    /// before it get it derived on load.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fingerprint: String,
}

/// Toolchains that are tools of one kind of run, not of the machine: left out of the
/// fingerprint (a `run --counts` records valgrind; the same machine without it is the same).
const NOT_FINGERPRINTED: &[&str] = &["valgrind"];

impl Machine {
    /// The first 12 hex digits of the sha256 of the CPU model, the core count, the OS
    /// string (name, version, kernel, architecture) and the host toolchains' versions.
    pub fn derive_fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(format!("cpu={}\ncores={}\nos={}\n", self.cpu_model, self.cores, self.os));
        for (tool, version) in self.toolchains.iter().filter(|(t, _)| !NOT_FINGERPRINTED.contains(&t.as_str())) {
            h.update(format!("{tool}={version}\n"));
        }
        hex::encode(h.finalize())[..12].to_string()
    }

    /// Sets the fingerprint from the fields when it is missing.
    pub fn ensure_fingerprint(&mut self) {
        if self.fingerprint.is_empty() {
            self.fingerprint = self.derive_fingerprint();
        }
    }

    /// `3f2a9c01b4de (AMD EPYC 7B13, 2 cores, Debian 12 ...)`: a machine, as headings name it.
    pub fn title(&self) -> String {
        format!("{} ({}, {} cores, {})", self.fingerprint, self.cpu_model, self.cores, self.os)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GuestInfo {
    pub sha256: String,
    pub size_bytes: u64,
    /// `builtin` or the path given with --guest.
    pub source: String,
    /// How it was built: target, rustflags, profile, rustc.
    pub build: BTreeMap<String, String>,
    /// The guest builds the rows ran on (`run --guest-variants`), the run's first (whose
    /// rows the cost model reads) first; the fields above describe it. Absent in files
    /// written before variants: every row then ran the guest above.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<GuestVariant>,
}

/// One guest build of a run: how it was built and what came out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GuestVariant {
    /// `o3` (the default), `os`, `o3-simd`, `os-wee_alloc`, ... (the rows' `guest_variant`).
    pub name: String,
    /// One line: opt-level, SIMD, allocator.
    pub about: String,
    /// The global allocator's crate and version, e.g. `wee_alloc 0.4.5`.
    pub allocator: String,
    /// What a reader should know about the allocator (e.g. that it is unmaintained).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub allocator_note: String,
    /// Built with WebAssembly SIMD (simd128): engines without SIMD reject it.
    #[serde(default)]
    pub simd: bool,
    pub size_bytes: u64,
    pub sha256: String,
    /// target, profile, opt-level, rustflags, features, rustc.
    pub build: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    /// `quick` or `default`.
    pub mode: String,
    pub warmup_ms: f64,
    pub target_sample_ms: f64,
    /// The number of samples of every row (fixed), or the minimum (adaptive).
    pub samples: usize,
    pub timeout_s: f64,
    /// Adaptive sampling: each row samples until the 95% interval of its mean is within
    /// this many percent of the mean (or `max_row_ms` has passed); 0 (and absent, in files
    /// written before it existed): a fixed number of samples.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub precision_pct: f64,
    /// Adaptive sampling: the per-row cap on sampling time, ms (0 when fixed).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub max_row_ms: f64,
    /// `run --counts`: instructions of work between a row's two counted loops, and repeats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_work: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_repeats: Option<u32>,
    /// Engine configurations a default selection measured only where they differ from
    /// their base engine (`scenario::focus_of`), with the scenarios they ran; absent when
    /// none was (or in files written before it).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub focused: std::collections::BTreeMap<String, Vec<String>>,
    /// The worker processes each row of a host was measured in (`run --processes`), for
    /// each host that used more than one; absent: one everywhere.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub processes: std::collections::BTreeMap<String, u32>,
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

impl RunConfig {
    /// One line for a report's header naming the focused configurations, if any.
    pub fn focused_line(&self) -> Option<String> {
        if self.focused.is_empty() {
            return None;
        }
        let each: Vec<String> = self.focused.iter().map(|(r, s)| format!("{r} ({})", s.join(", "))).collect();
        Some(format!(
            "measured only where they differ from their base engine (name scenarios with --scenarios to measure more): {}",
            each.join("; ")
        ))
    }

    /// How rows were sampled, for a report's header: `30 samples × ~20 ms`, or
    /// `to ±1% (≥ 10 samples × ~10 ms, ≤ 500 ms a row)`.
    pub fn sampling(&self) -> String {
        if self.precision_pct > 0.0 {
            format!(
                "to ±{}% (≥ {} samples × ~{} ms, ≤ {} ms a row)",
                self.precision_pct, self.samples, self.target_sample_ms, self.max_row_ms
            )
        } else {
            format!("{} samples × ~{} ms", self.samples, self.target_sample_ms)
        }
    }
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
    /// Scenarios that failed (always `status` "failed" in a saved file).
    pub failures: Vec<Failure>,
    /// Scenarios that do not apply to a runtime, with the reason.
    #[serde(default)]
    pub not_applicable: Vec<NotApplicable>,
    /// What the small bad guests did on each engine (`scenarios/probes/`): data, from
    /// which `derived.capabilities` is made. Empty in files from before it, or with
    /// `run --no-capabilities`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<crate::capabilities::ProbeOutcome>,
    /// Reference rows measured at the start and at the end of the run: this machine's
    /// run-to-run noise (crate::noise); absent in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise: Option<crate::noise::NoiseRecord>,
    /// Rows counted in instructions per operation under callgrind (`run --counts`); absent
    /// in files written without `--counts` (and before counts existed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counts: Vec<crate::counts::CountRow>,
    /// Where the run's wall-clock time went: each worker run (one host's runtime on one
    /// guest build), the capability probes and the reference rows, in seconds, as the
    /// orchestrator timed them; absent in older files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timings: Vec<Timing>,
    /// The sha256 of each host's program that measured the rows, by host (`rust`: the
    /// interop-bench binary; `go`: the Go host's driver): a rebuild alone moves some rows by
    /// where code lands in the binary, which `compare` says when the two runs' differ.
    /// Absent in older files.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub builds: BTreeMap<String, String>,
    /// The scenario file of a `run --scenario-file` run, as the run read it: the analysis
    /// reads from it how many calls each of its cases makes (`derived.own_cases`). Absent
    /// in other runs and in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario_file: Option<ScenarioFileRecord>,
    /// Everything derived from the data above: recomputed on every load, never read back.
    #[serde(default, skip_deserializing)]
    pub derived: Derived,
}

/// A run's scenario file (`ResultsFile::scenario_file`): where it was and its text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScenarioFileRecord {
    pub path: String,
    pub toml: String,
}

/// One part of a run's wall-clock time (`ResultsFile::timings`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// `worker` (a host's runtime on a guest build), `probes` or `reference`; or
    /// `scenario`: one scenario's share of a worker run (from its start to the next
    /// scenario's), inside that worker's time, not added to the run's total.
    pub part: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub host: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub runtime: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub guest_variant: String,
    /// The scenario, in a `scenario` part.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scenario: String,
    pub seconds: f64,
}

impl ResultsFile {
    /// A line on where the run's time went, for a report's header: the total, the part
    /// spent in sampled loops, and the worker runs that took longest; `None` in files
    /// without timings.
    pub fn time_line(&self) -> Option<String> {
        if self.timings.is_empty() {
            return None;
        }
        // From +0.0: an empty f64 sum is -0.0, printed "-0".
        let sum = |part: &str| self.timings.iter().filter(|t| t.part == part).fold(0.0, |a, t| a + t.seconds);
        // A scenario's time is inside its worker's.
        let total = sum("worker") + sum("probes") + sum("reference");
        let sampled_in = |keep: &dyn Fn(&ResultRow) -> bool| -> f64 {
            self.results
                .iter()
                .filter(|r| keep(r))
                .map(ResultRow::sampled_seconds)
                .fold(0.0, |a, x| a + x)
        };
        let sampled = sampled_in(&|_| true);
        // The longest of a part, a scenario's (or a worker's) laps in each worker process of
        // its rows added up.
        let longest = |part: &str| {
            let mut v: Vec<Timing> = Vec::new();
            for t in self.timings.iter().filter(|t| t.part == part) {
                match v.iter_mut().find(|u| (&u.host, &u.runtime, &u.guest_variant, &u.scenario) == (&t.host, &t.runtime, &t.guest_variant, &t.scenario)) {
                    Some(u) => u.seconds += t.seconds,
                    None => v.push(t.clone()),
                }
            }
            v.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
            v.truncate(3);
            v
        };
        let top: Vec<String> =
            longest("worker").iter().map(|t| format!("{} {} {:.0} s", t.host, t.runtime, t.seconds)).collect();
        // The rows whose calls make work for the collector: each samples whole in one process
        // until its samples span enough collections or its time cap, and they set the run's
        // floor (docs/run-time.md), so the line says how much of the samples is theirs.
        let collector: Vec<&ResultRow> = self.results.iter().filter(|r| r.keeps_every_sample()).collect();
        let collector_part = if collector.is_empty() {
            String::new()
        } else {
            let capped = collector.iter().filter(|r| r.stop.as_deref() == Some(stop::TIME_CAP)).count();
            format!(
                ", {:.0} s of them in the {} Go rows whose calls make work for the collector, {capped} of which sampled to their time cap",
                collector.iter().map(|r| r.sampled_seconds()).fold(0.0, |a, x| a + x),
                collector.len()
            )
        };
        let mut line = format!(
            "run time {total:.0} s: workers {:.0} s (of which the timed samples {sampled:.0} s{collector_part}), capability probes {:.0} s, \
             reference rows {:.0} s; longest: {}",
            sum("worker"),
            sum("probes"),
            sum("reference"),
            top.join(", ")
        );
        // Where a worker's time outside its samples goes (warm-up, calibration, set-up).
        let scenarios: Vec<String> = longest("scenario")
            .iter()
            .map(|t| {
                let k = |r: &ResultRow| {
                    r.key.host == t.host && r.key.runtime == t.runtime && r.key.scenario == t.scenario && r.key.guest_variant == t.guest_variant
                };
                format!("{} {} {} {:.1} s ({:.1} s sampled)", t.host, t.runtime, t.scenario, t.seconds, sampled_in(&k))
            })
            .collect();
        if !scenarios.is_empty() {
            line.push_str(&format!("; longest scenarios: {}", scenarios.join(", ")));
        }
        Some(line)
    }

    /// A line on the Go rows whose calls make work for the collector, for a report's
    /// header; `None` when the run has none. Each is measured whole in one worker process,
    /// so its interval is that process's samples only, and another process lands elsewhere
    /// by more than that (2026-11-30: wasmtime-go's `noop` and `add` in six and twelve
    /// processes, docs/run-time.md). The rows this run measured again in later processes
    /// show how far: the median of their attempts' spread.
    pub fn collector_line(&self) -> Option<String> {
        let rows: Vec<&ResultRow> = self.results.iter().filter(|r| r.keeps_every_sample()).collect();
        if rows.is_empty() {
            return None;
        }
        let spreads: Vec<f64> = rows.iter().filter_map(|r| r.attempts_spread_pct()).collect();
        let mut line = format!(
            "Go rows whose calls make work for the collector: {}, each measured whole in one worker process, so an interval \
             of theirs is that process's samples and does not say how far another process lands",
            rows.len()
        );
        if !spreads.is_empty() {
            let median = crate::stats::bootstrap::median(&spreads);
            line.push_str(&format!(
                "; measured again in later processes (a slow stretch covered their first): {}, their attempts a median {median:.0}% apart",
                spreads.len()
            ));
        }
        line.push_str(" (docs/run-time.md)");
        Some(line)
    }
}

/// What the analysis derives from a file's rows: written for readers' convenience under
/// `derived`, recomputed by [`ResultsFile::rederive`] (and so on every load).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Derived {
    pub note: String,
    /// Every component of the cost model, with its interval.
    pub breakdown: Vec<crate::analysis::Component>,
    /// The founding document's cases, each split into parts that add up to its total.
    pub seed_cases: Vec<crate::analysis::CaseSplit>,
    pub seed_table: Vec<crate::analysis::SeedRow>,
    /// Engines side by side, a column per runtime.
    pub engines: Vec<crate::analysis::EngineMatrix>,
    /// What to do about it: the cheapest measured path per seed case and host.
    #[serde(default)]
    pub advice: Vec<crate::analysis::Advice>,
    /// What each engine gives up, one row per probed engine (from `capabilities`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<crate::capabilities::CapabilityRow>,
    pub warnings: Vec<Warning>,
    /// The machine's run-to-run noise in percent, from the reference rows (`noise`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise_pct: Option<f64>,
    /// The cgo layers in instructions (from `counts`), beside the time split.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub count_layers: Vec<crate::counts::CountLayer>,
    /// Guest build variants side by side (a run of several `--guest-variants`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<crate::analysis::VariantRow>,
    /// `sum_array_resident` (10,000 i32) on each engine split step by step, per guest build:
    /// the scalar guest from the host's vectorized sum through vectorization, the Wasm code
    /// and the call, bounds checks; the SIMD guest through the Wasm code and the call, bounds
    /// checks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variant_splits: Vec<crate::analysis::CaseSplit>,
    /// A scenario file's cases, each row split into the crossing and the arguments of the
    /// calls it makes (from the built-in guest's `noop` and `add` on the same engine and
    /// call API) and the rest, the module's own work and the bytes in and out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub own_cases: Vec<crate::analysis::CaseSplit>,
    /// What to do about it, for those cases: per case and host, the cheapest path measured,
    /// its boundary's share and what it takes, a sentence each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub own_advice: Vec<String>,
    /// The same split of the file's cases in instructions (from `counts`, `run --counts`):
    /// harness loop, crossing, arguments and module, adding up to the counted row, each with
    /// its time where the file also has the timed split; a Go row's collector on top.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub own_count_layers: Vec<crate::counts::CountLayer>,
}

pub const DERIVED_NOTE: &str =
    "derived from the data above by interop-bench's analysis; recomputed on every load, never read back";

/// The JSON of a file given as a results file, parsed as it is read: what is not JSON is
/// refused at its first byte, so a device or a stream that never ends (`report /dev/zero`
/// read 24 GB before the kernel killed it, 2026-11-30) costs nothing.
pub fn read_json(path: &Path) -> Result<serde_json::Value, ResultsError> {
    let p = || path.display().to_string();
    let file = std::fs::File::open(path).map_err(|cause| ResultsError::Read { path: p(), cause })?;
    serde_json::from_reader(std::io::BufReader::new(file)).map_err(|cause| {
        if cause.is_io() {
            ResultsError::Read { path: p(), cause: cause.into() }
        } else {
            ResultsError::Parse { path: p(), cause }
        }
    })
}

/// Each message names the file and carries its cause in its own text (the cause is not
/// also a `source()`, so `{:#}` chains print it once).
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    #[error("cannot read {path}: {cause}")]
    Read { path: String, cause: std::io::Error },
    #[error("{path} is not an interop-bench results file: {cause}")]
    Parse { path: String, cause: serde_json::Error },
    #[error("{path} has schema_version {found}; this build reads 1 and {SCHEMA_VERSION}")]
    Version { path: String, found: u64 },
    #[error("{path} merges runs from several machines (`interop-bench merge`): `report` and `compare` read it (one machine: `report --machine FINGERPRINT`)")]
    Merged { path: String },
    #[error("cannot write {path}: {cause}")]
    Write { path: String, cause: std::io::Error },
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
            Event::Count(c) => self.add_count(c),
            Event::Failure(f) if !f.is_failure() => self.not_applicable.push(f.into()),
            Event::Failure(f) => self.failures.push(f),
        }
    }

    /// A row measured again in another worker process of the same run: added to the row of
    /// its key (its samples pooled, [`RawRow::more_processes`]), or a row of its own when the
    /// first process gave none.
    pub fn add_process_row(&mut self, raw: RawRow) {
        match self.results.iter_mut().find(|r| r.key == raw.key) {
            Some(row) => {
                let mut merged = row.raw();
                merged.add_process(&raw);
                *row = ResultRow::from_raw(merged);
            }
            None => self.results.push(ResultRow::from_raw(raw)),
        }
    }

    /// Recomputes every derived field (statistics, the cost model, warnings) from the raw samples.
    pub fn rederive(&mut self) {
        let fast = host_fast_states(&self.results);
        for row in &mut self.results {
            let host_fast = fast.get(&row.key.host).copied();
            *row = ResultRow::from_raw_in(row.raw(), host_fast);
        }
        // One guest build feeds the model; the others are set beside it (derived.variants).
        let primary = self.primary_variant();
        let main: Vec<ResultRow> = self.results.iter().filter(|r| r.key.guest_variant == primary).cloned().collect();
        let mut model = crate::analysis::model(&main, &self.runtimes);
        let variants = crate::analysis::variants(&self.results, &self.guest.variants, &primary);
        model.components.extend(variants.components.iter().cloned());
        let warnings = crate::warnings::collect(&self.results, &model.components, &self.failures, self.config.precision_pct);
        let capabilities = crate::capabilities::table(&self.capabilities);
        self.derived = Derived {
            note: DERIVED_NOTE.into(),
            breakdown: model.components,
            seed_cases: model.seed_cases,
            seed_table: model.seed_table,
            engines: model.engines,
            advice: crate::analysis::advice(&main, &capabilities),
            variants: variants.table,
            variant_splits: variants.splits,
            own_cases: match &self.scenario_file {
                Some(f) => crate::analysis::own_cases(&self.results, &f.toml, &primary),
                None => Vec::new(),
            },
            own_advice: Vec::new(),
            capabilities,
            warnings,
            noise_pct: self.noise.as_ref().and_then(|n| n.noise_pct()),
            count_layers: Vec::new(),
            own_count_layers: Vec::new(),
        };
        self.derived.count_layers = crate::counts::layers(&self.counts, &self.runtimes, &self.derived.breakdown);
        if let Some(f) = &self.scenario_file {
            self.derived.own_count_layers = crate::analysis::own_count_layers(&self.counts, &f.toml, &primary, &self.derived.own_cases);
        }
        self.derived.own_advice = crate::analysis::own_advice(&self.derived.own_cases);
    }

    /// Adds a counted row; a second count of the same row (a Go row's collector-on pass,
    /// see [`crate::counts::CountRow`]) fills in its `gc_on_instructions_per_op`.
    pub fn add_count(&mut self, c: crate::counts::CountRow) {
        match self.counts.iter_mut().find(|x| x.key == c.key) {
            Some(x) if x.gc_on_instructions_per_op.is_empty() && !c.gc_on_instructions_per_op.is_empty() => {
                x.gc_on_instructions_per_op = c.gc_on_instructions_per_op;
                x.gc_cycles = c.gc_cycles;
                x.verified &= c.verified;
            }
            Some(x) => *x = c,
            None => self.counts.push(c),
        }
    }

    /// The counted row of a key, if this file has counts.
    pub fn count(&self, key: &RowKey) -> Option<&crate::counts::CountRow> {
        self.counts.iter().find(|c| &c.key == key)
    }

    /// The guest variant whose rows the cost model, the seed table, the engines and the
    /// advice read: the run's first (the default build unless `--guest-variants` put
    /// another first). The other variants' rows are compared with it (`derived.variants`).
    pub fn primary_variant(&self) -> String {
        match self.guest.variants.first() {
            Some(v) => v.name.clone(),
            None => self.results.first().map(|r| r.key.guest_variant.clone()).unwrap_or_else(default_guest_variant),
        }
    }

    /// The guest variant's description, if the file has it.
    pub fn variant(&self, name: &str) -> Option<&GuestVariant> {
        self.guest.variants.iter().find(|v| v.name == name)
    }

    pub fn hard_failures(&self) -> usize {
        self.failures.len()
    }

    /// Reads a results file of schema 1 or 2 and derives statistics and the model from
    /// its samples (whatever derived fields the file carries are not read).
    pub fn load(path: &Path) -> Result<Self, ResultsError> {
        Self::from_json(read_json(path)?, path)
    }

    /// A results file's JSON (read by [`read_json`] from `path`, named in errors), as [`load`].
    pub fn from_json(mut value: serde_json::Value, path: &Path) -> Result<Self, ResultsError> {
        let p = path.display().to_string();
        let found = value.get("schema_version").and_then(|v| v.as_u64()).unwrap_or(0);
        if !READABLE_SCHEMAS.contains(&found) {
            return Err(ResultsError::Version { path: p, found });
        }
        if found == 1 {
            upgrade_v1(&mut value);
        }
        if value.get("machines").is_some() {
            return Err(ResultsError::Merged { path: p });
        }
        let mut r: ResultsFile = serde_json::from_value(value).map_err(|cause| ResultsError::Parse { path: p, cause })?;
        r.schema_version = SCHEMA_VERSION;
        r.machine.ensure_fingerprint();
        // Before variants, a run of a user's module (--guest) wrote no variant: its rows
        // ran that module, not the default build.
        if r.guest.variants.is_empty() && !r.guest.source.is_empty() && r.guest.source != "builtin" {
            for row in &mut r.results {
                if row.key.guest_variant == DEFAULT_GUEST_VARIANT {
                    row.key.guest_variant = CUSTOM_GUEST_VARIANT.into();
                }
            }
        }
        r.rederive();
        Ok(r)
    }

    /// Writes to a temporary file beside `path` and renames it over: a reader (or an
    /// interrupted run) sees the old file or the new one, never half of one.
    pub fn save_atomic(&self, path: &Path) -> Result<(), ResultsError> {
        let p = path.display().to_string();
        let err = |cause| ResultsError::Write { path: p.clone(), cause };
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

/// Schema 1 → 2, on the JSON: not-applicable entries leave `failures` for their own list;
/// an engine reached through cgo said so only by its notes starting with "cgo".
fn upgrade_v1(v: &mut serde_json::Value) {
    use serde_json::{json, Value};
    let failures = v.get_mut("failures").and_then(Value::as_array_mut).map(std::mem::take).unwrap_or_default();
    let (na, failed): (Vec<Value>, Vec<Value>) =
        failures.into_iter().partition(|f| f.get("status").and_then(Value::as_str) == Some("not_applicable"));
    let na: Vec<Value> = na
        .into_iter()
        .map(|mut f| {
            let reason = f.get("error").cloned().unwrap_or(json!(""));
            if let Some(o) = f.as_object_mut() {
                o.remove("error");
                o.remove("status");
                o.remove("export");
                o.insert("reason".into(), reason);
            }
            f
        })
        .collect();
    v["failures"] = Value::Array(failed);
    v["not_applicable"] = Value::Array(na);
    if let Some(rts) = v.get_mut("runtimes").and_then(Value::as_array_mut) {
        for rt in rts {
            let cgo = rt.get("notes").and_then(Value::as_str).is_some_and(|n| n.starts_with("cgo"));
            if rt.get("ffi").is_none() {
                rt["ffi"] = json!(if cgo { "cgo" } else { "" });
            }
        }
    }
}

#[cfg(test)]
impl RowKey {
    /// A row's key from its parts (unit tests' fixtures).
    pub(crate) fn of(host: &str, runtime: &str, api: &str, scenario: &str, params: Params, variant: &str) -> RowKey {
        RowKey {
            host: host.into(),
            runtime: runtime.into(),
            api: api.into(),
            scenario: scenario.into(),
            params,
            guest_variant: variant.into(),
        }
    }
}

#[cfg(test)]
impl RawRow {
    /// A verified row of `samples` (1,000 ops each) from one process, without the machine's
    /// readings: the one constructor of the unit tests' fixture rows.
    pub(crate) fn fixture(key: RowKey, samples: Vec<f64>) -> RawRow {
        RawRow {
            key,
            iters_per_sample: 1000,
            sample_ns_per_op: samples,
            verified: true,
            metrics: Default::default(),
            input_sha256: None,
            stop: None,
            machine_ref_ns: Vec::new(),
            sample_machine_ns: Vec::new(),
            machine_fast_ns: None,
            more_processes: Vec::new(),
            remeasured: false,
        }
    }
}

#[cfg(test)]
impl ResultRow {
    /// A Rust host's verified row of `samples` ([`RawRow::fixture`]).
    pub(crate) fn of_samples(runtime: &str, api: &str, scenario: &str, params: Params, variant: &str, samples: Vec<f64>) -> ResultRow {
        ResultRow::from_raw(RawRow::fixture(RowKey::of("rust", runtime, api, scenario, params, variant), samples))
    }
}

#[cfg(test)]
mod timing_tests {
    use super::*;

    #[test]
    fn the_time_line_sums_each_part_and_names_the_longest_workers() {
        let mut r = ResultsFile::new();
        assert_eq!(r.time_line(), None, "older files have no timings");
        let w = |rt: &str, s: f64| Timing { part: "worker".into(), host: "go".into(), runtime: rt.into(), seconds: s, ..Default::default() };
        r.timings = vec![
            Timing { part: "reference".into(), seconds: 1.0, ..Default::default() },
            w("wazero:compiler", 20.0),
            w("wasmtime-go", 40.0),
        ];
        let line = r.time_line().unwrap();
        assert!(line.starts_with("run time 61 s: workers 60 s"), "{line}");
        assert!(line.contains("capability probes 0 s"), "no probes is 0, not -0: {line}");
        assert!(line.ends_with("longest: go wasmtime-go 40 s, go wazero:compiler 20 s"), "{line}");
        // A scenario's share is inside its worker's time: named, not added to the total.
        let mut row = ResultRow::of_samples("wasmtime-go", "typed", "add", Params::new(), "", vec![1e6; 3]);
        row.key.host = "go".into();
        r.results.push(row);
        r.timings.push(Timing {
            part: "scenario".into(),
            host: "go".into(),
            runtime: "wasmtime-go".into(),
            scenario: "add".into(),
            seconds: 12.0,
            ..Default::default()
        });
        let line = r.time_line().unwrap();
        assert!(line.starts_with("run time 61 s: workers 60 s (of which the timed samples 3 s)"), "{line}");
        assert!(line.ends_with("longest scenarios: go wasmtime-go add 12.0 s (3.0 s sampled)"), "{line}");
        assert!(!line.contains("collector"), "no row makes work for the collector: {line}");
        // A Go row whose calls allocate keeps every sample: the line says how much of the
        // samples is such rows', and how many stopped at their cap.
        let mut gc = ResultRow::of_samples("wasmtime-go", "call", "noop", Params::new(), "", vec![1e6; 2]);
        gc.key.host = "go".into();
        gc.metrics.insert("allocs_per_op".into(), 3.0);
        gc.stop = Some(stop::TIME_CAP.into());
        assert!(gc.keeps_every_sample());
        r.results.push(gc);
        let line = r.time_line().unwrap();
        assert!(
            line.contains("(of which the timed samples 5 s, 2 s of them in the 1 Go rows whose calls make work for the collector, 1 of which sampled to their time cap)"),
            "{line}"
        );
    }
}

#[cfg(test)]
mod machine_state_tests {
    use super::*;

    /// Ten samples, the 4th and 5th taken while the reference loop read 1.9x its fastest.
    fn mixed() -> RawRow {
        let mut raw = ResultRow::of_samples("wasmtime", "typed", "add", Params::new(), "o3", Vec::new()).raw();
        raw.sample_ns_per_op = vec![10.0, 10.0, 10.0, 19.0, 19.0, 10.0, 10.0, 10.0, 10.0, 10.0];
        raw.machine_ref_ns = vec![100.0, 100.0, 190.0, 100.0];
        raw.sample_machine_ns = vec![100.0, 100.0, 190.0, 190.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0];
        raw.machine_fast_ns = Some(100.0);
        raw
    }

    #[test]
    fn samples_of_a_slower_state_are_set_aside_from_the_statistics_and_kept_in_the_file() {
        let row = ResultRow::from_raw(mixed());
        // Samples 3 and 4 (readings after them slow) and sample 5 (the reading before it slow).
        assert_eq!((row.samples, row.set_aside), (7, 3));
        assert_eq!(row.estimate(), 10.0);
        assert!(row.in_fast_state() && row.machine_slow_ratio().is_none());
        // The file keeps every sample, and reads back the same.
        let text = serde_json::to_string(&row).unwrap();
        let back: ResultRow = serde_json::from_str(&text).unwrap();
        assert_eq!(back.sample_ns_per_op.len(), 10);
        assert_eq!(back, row);
        assert!(text.contains("\"set_aside\":3"), "{text}");
        // --every-sample (no fast state), and older files: every sample counts.
        let every = ResultRow::from_raw(RawRow { machine_fast_ns: None, ..mixed() });
        assert_eq!((every.samples, every.set_aside), (10, 0));
        assert!(!every.in_fast_state());
    }

    #[test]
    fn a_row_measured_only_in_a_slower_state_keeps_every_sample_and_says_so() {
        let raw = RawRow { sample_machine_ns: vec![190.0; 10], machine_ref_ns: vec![190.0; 4], ..mixed() };
        let row = ResultRow::from_raw(raw);
        assert_eq!((row.samples, row.set_aside), (10, 0));
        assert_eq!(row.machine_slow_ratio(), Some(1.9));
        assert!(!row.in_fast_state());
        let w = crate::warnings::collect(std::slice::from_ref(&row), &[], &[], 1.0);
        assert!(w.iter().any(|w| matches!(w.kind, crate::warnings::WarningKind::MachineSlowThroughout { .. })), "{w:?}");
    }

    /// A Go row whose calls make work for the collector keeps every sample (its host leaves
    /// out `machine_fast_ns`); judged against its host's fast state (100, from another Go
    /// row), the slow samples it kept are named with what they did to its mean.
    #[test]
    fn a_go_row_that_keeps_its_slow_samples_says_what_they_did_to_it() {
        use crate::warnings::{collect, WarningKind};
        let go = RowKey { host: "go".into(), runtime: "wasmtime-go".into(), ..mixed().key };
        let plain = ResultRow::from_raw(RawRow { key: go.clone(), ..mixed() });
        let keeps = |samples: Vec<f64>, after: Vec<f64>, allocs: f64| {
            let key = RowKey { scenario: "string_roundtrip".into(), ..go.clone() };
            let metrics = BTreeMap::from([("allocs_per_op".to_string(), allocs)]);
            let before = after[0];
            ResultRow::from_raw(RawRow { key, sample_ns_per_op: samples, sample_machine_ns: after, machine_ref_ns: vec![before], machine_fast_ns: None, metrics, ..mixed() })
        };
        let of = |row: &ResultRow| collect(&[plain.clone(), row.clone()], &[], &[], 1.0).into_iter().filter(|w| w.row.as_ref() == Some(&row.key)).map(|w| w.kind).collect::<Vec<_>>();
        // 30 samples in the fast state, then 10 at 1.9x: all 40 count, and their mean (12.25)
        // reads 22.5% above the fast ones' (10), beyond its interval (about ±10%).
        let samples = [vec![10.0; 30], vec![19.0; 10]].concat();
        let after = [vec![100.0; 30], vec![190.0; 10]].concat();
        let partly = keeps(samples.clone(), after.clone(), 2.0);
        assert_eq!((partly.samples, partly.set_aside), (40, 0));
        let kinds = of(&partly);
        let [WarningKind::SlowSamplesKept { slow: 10, samples: 40, move_pct }] = kinds.as_slice() else { panic!("{kinds:?}") };
        assert!((move_pct - 22.5).abs() < 1e-9, "{move_pct}");
        // Every sample slow: the slower state's figure, said as for any row.
        let throughout = keeps(samples.clone(), vec![190.0; 40], 2.0);
        assert_eq!(of(&throughout), vec![WarningKind::MachineSlowThroughout { ratio: 1.9 }]);
        // All in the fast state, or a row whose calls do not allocate (its host judged it by
        // the fast state itself, or --every-sample kept them): nothing.
        assert!(of(&keeps(samples.clone(), vec![100.0; 40], 2.0)).is_empty());
        assert!(of(&keeps(samples, after, 0.0)).is_empty());
    }

    #[test]
    fn a_go_row_measured_again_takes_its_attempt_least_in_the_slow_state() {
        use crate::warnings::{collect, WarningKind};
        let go = RowKey { host: "go".into(), runtime: "wasmtime-go".into(), ..mixed().key };
        let plain = ResultRow::from_raw(RawRow { key: go.clone(), ..mixed() });
        let key = RowKey { api: "call".into(), scenario: "string_roundtrip".into(), params: [("bytes".to_string(), 64)].into(), ..go.clone() };
        let metrics = |gc: f64| BTreeMap::from([("allocs_per_op".to_string(), 2.0), ("gc_cpu_ns_per_op".to_string(), gc)]);
        // The first process: half its 40 samples in a stretch at 1.9x, which moved its mean
        // (14.5) 45% above its fast samples' (10), beyond its interval: worth measuring again.
        let first = RawRow {
            key: key.clone(),
            sample_ns_per_op: [vec![10.0; 20], vec![19.0; 20]].concat(),
            sample_machine_ns: [vec![100.0; 20], vec![190.0; 20]].concat(),
            machine_ref_ns: vec![100.0],
            machine_fast_ns: None,
            metrics: metrics(3.0),
            ..mixed()
        };
        assert!(first.keeps_every_sample());
        let once = ResultRow::from_raw(first.clone());
        assert!(once.worth_remeasuring(100.0) && once.attempt_used.is_none());
        // A few slow readings (here 2 of 40, the row's own collections as often as the
        // machine) are no reason to measure it again, whatever they did.
        let few = RawRow { sample_machine_ns: [vec![100.0; 38], vec![190.0; 2]].concat(), ..first.clone() };
        assert!(!ResultRow::from_raw(few).worth_remeasuring(100.0));
        // Measured again in a later process, in the fast state: that attempt, whole, is the
        // row (the first's samples stay in the file, unused), its metrics the second's.
        let second = RawRow {
            sample_ns_per_op: vec![10.5; 30],
            sample_machine_ns: vec![100.0; 30],
            machine_ref_ns: vec![100.0],
            metrics: metrics(2.0),
            remeasured: true,
            ..first.clone()
        };
        let mut raw = first.clone();
        raw.add_process(&second);
        let again = ResultRow::from_raw_in(raw.clone(), Some(100.0));
        assert_eq!(again.attempt_used, Some(1));
        assert_eq!((again.samples, again.set_aside, again.ns_per_op.mean), (30, 0, 10.5));
        assert_eq!(again.metrics.get("gc_cpu_ns_per_op"), Some(&2.0));
        assert!(!again.worth_remeasuring(100.0), "its attempt used was fast");
        // The machine's readings around the row are the attempt's used (the gate's allowance).
        assert!(again.machine_readings().all(|x| x == 100.0) && again.sample_machine_readings().all(|x| x == 100.0));
        // The raw row goes back to disk as it came, and reads back the same.
        assert_eq!(again.raw(), raw);
        let back: ResultRow = serde_json::from_str(&serde_json::to_string(&again).unwrap()).unwrap();
        assert_eq!(back.raw(), raw);
        // The report says so; the slow attempt earns no slow_samples_kept.
        let kinds: Vec<WarningKind> = collect(&[plain.clone(), again.clone()], &[], &[], 1.0).into_iter().filter(|w| w.row.as_ref() == Some(&key)).map(|w| w.kind).collect();
        assert!(kinds.contains(&WarningKind::MeasuredAgain { attempts: 2, used: 2 }), "{kinds:?}");
        // How far its two attempts lay apart (means 14.5 and 10.5): 38%; one attempt says nothing.
        assert!((again.attempts_spread_pct().unwrap() - 38.095).abs() < 0.01, "{:?}", again.attempts_spread_pct());
        assert_eq!(once.attempts_spread_pct(), None);
        assert_eq!(plain.attempts_spread_pct(), None, "a row that pools its processes has no attempts");
        // The report's header says what one process's interval leaves out, with this run's spread.
        let mut file = ResultsFile::new();
        file.results = vec![plain.clone()];
        assert_eq!(file.collector_line(), None, "no row makes work for the collector");
        file.results.push(once.clone());
        let line = file.collector_line().unwrap();
        assert!(line.starts_with("Go rows whose calls make work for the collector: 1, each measured whole in one worker process"), "{line}");
        assert!(!line.contains("measured again"), "{line}");
        file.results.push(again.clone());
        let line = file.collector_line().unwrap();
        assert!(line.contains("; measured again in later processes (a slow stretch covered their first): 1, their attempts a median 38% apart"), "{line}");
        assert!(!kinds.iter().any(|k| matches!(k, WarningKind::SlowSamplesKept { .. })), "{kinds:?}");
        // Both attempts slow: the first, less so, is used, and still warned.
        let mut worse = first.clone();
        worse.add_process(&RawRow { sample_machine_ns: vec![190.0; 30], machine_ref_ns: vec![190.0], sample_ns_per_op: vec![19.0; 30], ..second.clone() });
        let still = ResultRow::from_raw_in(worse, Some(100.0));
        assert_eq!((still.attempt_used, still.samples), (Some(0), 40));
        assert!(still.worth_remeasuring(100.0));
        // A later process that measured a share of the row (its warm-up found the calls
        // allocated too little to keep it whole, its samples then that they did): pooled.
        let mut share = first.clone();
        share.add_process(&RawRow { remeasured: false, ..second.clone() });
        let share = ResultRow::from_raw_in(share, Some(100.0));
        assert_eq!((share.attempt_used, share.samples), (None, 70));
        // A share and then an attempt: the attempt is the second of two, whatever lies between.
        let mut both = first.clone();
        both.add_process(&RawRow { remeasured: false, ..second.clone() });
        both.add_process(&second);
        let both = ResultRow::from_raw_in(both, Some(100.0));
        assert_eq!((both.attempt_used, both.attempt_of(), both.samples), (Some(2), Some((2, 2)), 30));
        // A row that does not keep every sample pools its processes as before.
        let mut pooled = RawRow { machine_fast_ns: Some(100.0), ..first };
        pooled.add_process(&RawRow { machine_fast_ns: Some(100.0), ..pooled.clone() });
        assert_eq!(ResultRow::from_raw(pooled).attempt_used, None);
        // The id a worker is asked for, as the Go host spells it (go/bench/measure_test.go).
        assert_eq!(key.remeasure_id(), "call/string_roundtrip/bytes=64");
        assert_eq!(RowKey { params: [("wasi".to_string(), 0), ("n".to_string(), 3)].into(), scenario: "mine".into(), api: "typed".into(), ..key }.remeasure_id(), "typed/mine/n=3/wasi=0");
    }

    #[test]
    fn too_few_samples_names_the_fix_of_the_run_it_came_from() {
        let raw = RawRow { sample_ns_per_op: vec![10.0; 4], ..mixed() };
        let row = ResultRow::from_raw(RawRow { sample_machine_ns: vec![100.0; 4], ..raw });
        let fix = |adaptive| {
            let w = crate::warnings::collect(std::slice::from_ref(&row), &[], &[], if adaptive { 1.0 } else { 0.0 });
            w.into_iter().find(|w| matches!(w.kind, crate::warnings::WarningKind::TooFewSamples { .. })).expect("a warning").fix
        };
        assert!(fix(false).contains("--quick"));
        assert!(fix(true).contains("--max-row-ms") && !fix(true).contains("--quick"));
        // A default run's row that its engine timed itself, a fixed few operations (stop
        // "fixed"): no flag gives it more, and the fix does not name one.
        let own = ResultRow { stop: Some(stop::FIXED.to_string()), ..row.clone() };
        let w = crate::warnings::collect(std::slice::from_ref(&own), &[], &[], 1.0);
        let fix = w.into_iter().find(|w| matches!(w.kind, crate::warnings::WarningKind::TooFewSamples { .. })).expect("a warning").fix;
        assert!(fix.contains("none by a flag") && !fix.contains("--"), "{fix}");
    }


    #[test]
    fn a_row_of_two_processes_pools_their_samples_and_says_how_far_apart_they_lay() {
        let first = RawRow { sample_ns_per_op: vec![10.0; 10], sample_machine_ns: vec![100.0; 10], ..mixed() };
        // The second process: one sample taken in a slower state (its own readings judge it).
        let mut second = RawRow { sample_ns_per_op: vec![13.0; 10], sample_machine_ns: vec![100.0; 10], ..mixed() };
        second.sample_ns_per_op[4] = 30.0;
        second.sample_machine_ns[4] = 190.0;
        second.verified = false;
        let mut file = ResultsFile::new();
        file.add_process_row(first.clone());
        file.add_process_row(second.clone());
        assert_eq!(file.results.len(), 1);
        let row = &file.results[0];
        assert_eq!((row.taken(), row.set_aside, row.samples), (20, 2, 18));
        assert!(!row.verified, "a process that did not verify makes the row unverified");
        assert!((row.estimate() - (10.0 * 10.0 + 13.0 * 8.0) / 18.0).abs() < 1e-9, "{}", row.estimate());
        assert!((row.process_spread_pct.unwrap() - 30.0).abs() < 1e-9);
        assert!(row.in_fast_state());
        let w = crate::warnings::collect(std::slice::from_ref(row), &[], &[], 1.0);
        assert!(w.iter().any(|w| matches!(w.kind, crate::warnings::WarningKind::ProcessesDisagree { processes: 2, .. })), "{w:?}");
        // The file keeps both processes' raw data and derives the same on load.
        let back: ResultRow = serde_json::from_str(&serde_json::to_string(row).unwrap()).unwrap();
        assert_eq!(&back, row);
        // One process: no spread, no warning; another key is a row of its own.
        let one = ResultRow::from_raw(first.clone());
        assert_eq!(one.process_spread_pct, None);
        let other = RawRow { key: RowKey { scenario: "noop".into(), ..first.key.clone() }, ..first };
        file.add_process_row(other);
        assert_eq!(file.results.len(), 2);
    }

    #[test]
    fn a_process_measured_wholly_in_a_slower_state_leaves_the_row_and_its_spread() {
        // Two processes in the fast state, each with fewer than MIN_KEPT samples; a third
        // whose every reading was slow (its samples 1.9x, as the machine): judged one by one
        // it would keep them (too few fast ones of its own) and the row would read a 90%
        // spread; judged with the row's 8 fast samples, it is set aside.
        let fast = |x: f64| RawRow { sample_ns_per_op: vec![x; 4], sample_machine_ns: vec![100.0; 4], machine_ref_ns: vec![100.0], ..mixed() };
        let slow = RawRow { sample_ns_per_op: vec![19.0; 4], sample_machine_ns: vec![190.0; 4], machine_ref_ns: vec![190.0], ..mixed() };
        let mut file = ResultsFile::new();
        for r in [fast(10.0), slow, fast(10.2)] {
            file.add_process_row(r);
        }
        let row = &file.results[0];
        assert_eq!((row.taken(), row.set_aside, row.samples), (12, 4, 8));
        assert!((row.estimate() - 10.1).abs() < 1e-9, "{}", row.estimate());
        assert_eq!(row.process_means.len(), 2);
        assert!((row.process_spread_pct.unwrap() - 2.0).abs() < 1e-9, "{:?}", row.process_spread_pct);
        assert!(row.in_fast_state());
    }

}
