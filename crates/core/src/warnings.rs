//! Warnings are data: each kind says what is wrong and carries its fix.

use crate::analysis::Component;
use crate::results::{Failure, ResultRow, RowKey};
use crate::stats::machine_state::SlowKept;
use serde::{Deserialize, Serialize};

/// Below this many samples the confidence interval is the whole range.
pub const MIN_SAMPLES: usize = 10;
/// A confidence interval wider than this fraction of the estimate is called wide.
pub const WIDE_CI: f64 = 0.10;
/// A first sample this much slower than the rest means warm-up was too short.
pub const SLOW_FIRST: f64 = 1.5;
/// An estimate within this factor of the harness floor is mostly the harness.
pub const NEAR_FLOOR: f64 = 2.0;
/// The means of a row's worker processes this many percent apart are called apart.
pub const PROCESS_SPREAD: f64 = 10.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WarningKind {
    TooFewSamples {
        samples: usize,
        /// Whether the row sampled to a precision target (a default run), so its fix is
        /// more time per row, not leaving --quick. Absent (false) in older files.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        adaptive: bool,
        /// A row of a default run that stopped at a fixed count (`stop` "fixed"): its
        /// engine times it itself, a few operations of seconds each (a translated engine's
        /// compile), so no flag gives it more. Absent (false) in older files.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        self_timed: bool,
    },
    WideInterval { relative_width: f64 },
    SlowFirstSample { ratio: f64 },
    SevereOutliers { count: usize, samples: usize },
    NearHarnessFloor { median_ns: f64, floor_ns: f64 },
    NotVerified,
    Failures { count: usize },
    NegativeComponent { component: String, value_ns: f64, ci_high_ns: f64 },
    /// Adaptive sampling stopped at its cap before the mean's interval reached the target.
    PrecisionNotReached { half_width_pct: f64, stop: String },
    /// Samples taken while the machine ran in a slower state were left out of the row's
    /// statistics (they are in the file).
    MachineStateSetAside { set_aside: usize, samples: usize },
    /// Every sample of the row was taken while the machine ran slower than its fast state.
    MachineSlowThroughout { ratio: f64 },
    /// A row that keeps every sample (a Go row whose calls make work for the collector) took
    /// `slow` of its `samples` while the machine ran slower than its fast state, and its mean
    /// reads `move_pct` percent above that of its other samples.
    SlowSamplesKept { slow: usize, samples: usize, move_pct: f64 },
    /// A row that keeps every sample, which a stretch of the machine's slow state covered,
    /// was measured `attempts` times, each whole, in the run's later worker processes; its
    /// figure is attempt `used` (from 1), the one least in the slow state.
    MeasuredAgain { attempts: usize, used: usize },
    /// The row's worker processes measured it this far apart (their means, percent).
    ProcessesDisagree { spread_pct: f64, processes: usize },
}

impl WarningKind {
    pub fn message(&self) -> String {
        match self {
            WarningKind::TooFewSamples { samples, .. } => {
                format!("only {samples} samples: the confidence interval is the whole range")
            }
            WarningKind::WideInterval { relative_width } => {
                format!("the 95% interval spans {:.0}% of the median", relative_width * 100.0)
            }
            WarningKind::SlowFirstSample { ratio } => {
                format!("the first sample was {ratio:.1}x slower than the rest")
            }
            WarningKind::SevereOutliers { count, samples } => {
                format!("{count} of {samples} samples are severe outliers (kept, not dropped)")
            }
            WarningKind::NearHarnessFloor { median_ns, floor_ns } => format!(
                "{median_ns:.2} ns/op is within {NEAR_FLOOR}x of the harness floor ({floor_ns:.2} ns/op)"
            ),
            WarningKind::NotVerified => "the result was not verified".into(),
            WarningKind::Failures { count } => format!("{count} scenario(s) failed; see failures"),
            WarningKind::NegativeComponent { component, value_ns, ci_high_ns } => format!(
                "{component} came out below zero beyond its interval ({value_ns:.2} ns, 95% CI up to {ci_high_ns:.2} ns): \
                 the rows it is derived from, measured apart, disagree by more than their own noise; it is reported as \"rows disagree\", never as a negative cost"
            ),
            WarningKind::PrecisionNotReached { half_width_pct, stop } => format!(
                "never reached the precision target: sampling ended {} with the mean known to ±{half_width_pct:.1}%",
                match stop.as_str() {
                    crate::results::stop::SAMPLE_CAP => "at the sample cap",
                    crate::results::stop::PROJECTED => "early, the target projected out of reach within the per-row time cap,",
                    _ => "at the per-row time cap",
                }
            ),
            WarningKind::MachineStateSetAside { set_aside, samples } => format!(
                "{set_aside} of {samples} samples were taken while the machine ran slower than its fast state (the reference loop read \
                 more than {:.0}% over its fastest) and are set aside: the figure is the fast state's, from the other {}",
                crate::stats::machine_state::STATE_TOL * 100.0,
                samples - set_aside
            ),
            WarningKind::ProcessesDisagree { spread_pct, processes } => format!(
                "its {processes} worker processes read it {spread_pct:.0}% apart: where a process puts code and data, or what the machine did in the minutes between \
                 them, moves this row beyond the interval of either (the figure is their pooled mean)"
            ),
            WarningKind::MachineSlowThroughout { ratio } => format!(
                "measured while the machine ran {ratio:.1}x slower than its fast state (the reference loop's reading): the figure is that slower state's"
            ),
            WarningKind::SlowSamplesKept { slow, samples, move_pct } => format!(
                "{slow} of its {samples} samples were taken while the machine ran more than {:.0}% slower than its fast state, and they count (a Go row whose calls make \
                 work for the collector keeps every sample: docs/hosts.md): its mean reads {move_pct:.0}% above that of its other samples",
                crate::stats::machine_state::STATE_TOL * 100.0
            ),
            WarningKind::MeasuredAgain { attempts, used } => format!(
                "a stretch of the machine's slow state covered it, so it was measured {attempts} times, each whole, in the run's later worker processes: \
                 the figure is attempt {used}'s, the one least in the slow state (every attempt is in the file)"
            ),
        }
    }

    /// What to do about it.
    pub fn fix(&self) -> &'static str {
        match self {
            WarningKind::TooFewSamples { self_timed: true, .. } => {
                "none by a flag: its engine times a fixed few operations of seconds each (a translated engine's compile); read its interval as rough"
            }
            WarningKind::TooFewSamples { adaptive: false, .. } => "run without --quick (or raise --samples) for a usable interval",
            WarningKind::TooFewSamples { adaptive: true, .. } => {
                "raise --max-row-ms (time per row): the row stopped at its cap, or had few samples in the machine's fast state"
            }
            WarningKind::WideInterval { .. } => {
                "quiet the machine (close other work, pin the CPU frequency) or raise --samples"
            }
            WarningKind::SlowFirstSample { .. } => "raise --warmup-ms so caches and branch predictors settle",
            WarningKind::SevereOutliers { .. } => "something else ran on the machine; rerun on a quiet one",
            WarningKind::NearHarnessFloor { .. } => {
                "read this row relative to `empty`: the loop itself is a large part of it"
            }
            WarningKind::NotVerified => "treat this row as broken: a result that was not checked may be fast for a wrong reason",
            WarningKind::Failures { .. } => "read the failures: each names its runtime, scenario and export",
            WarningKind::NegativeComponent { .. } => {
                "rerun on a quiet machine with more samples; if it holds, it is not drift: the two rows differ in more \
                 than what the part isolates (read its derivation), and it cannot be read from them on this engine. \
                 Known cases: Go's gc_per_call and gc_load_per_call (with the collector off the heap only grows, so \
                 calls that allocate touch fresh pages: docs/hosts.md), wasm2c's bounds_checks (its default build's \
                 per-call guard saves the signal mask, a system call a call: docs/cost-model.md), a translated \
                 engine's crossing (a call cheaper than the harness's non-inlined empty loop)"
            }
            WarningKind::PrecisionNotReached { .. } => {
                "raise --max-row-ms (time per row) or loosen --precision; if many rows miss it, quiet the machine"
            }
            WarningKind::MachineStateSetAside { .. } => {
                "nothing to do for this row; if most rows set samples aside, the machine's neighbours are busy: a quieter machine measures faster"
            }
            WarningKind::ProcessesDisagree { .. } => {
                "read it as a range, not a point; the gate allows the row that spread; more processes (run --processes) pool more placements"
            }
            WarningKind::MachineSlowThroughout { .. } => {
                "rerun the row (interop-bench run --scenarios ...): compare it only with runs measured in the same state"
            }
            WarningKind::MeasuredAgain { .. } => {
                "nothing to do when no slow_samples_kept warning names the row too; otherwise every attempt met the slow state: rerun it on a quieter machine"
            }
            WarningKind::SlowSamplesKept { .. } => {
                "rerun the row on a quieter machine (interop-bench run --runtimes ... --scenarios ...), and read it as a range meanwhile; the gate allows such a row the machine's move"
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// The row it is about; absent for run-wide warnings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<RowKey>,
    #[serde(flatten)]
    pub kind: WarningKind,
    pub message: String,
    pub fix: String,
}

impl Warning {
    pub fn new(row: Option<RowKey>, kind: WarningKind) -> Warning {
        Warning { row, message: kind.message(), fix: kind.fix().to_string(), kind }
    }
}

/// Every warning the rows, the decomposition and the failures call for, in row order.
/// `precision_pct`: the precision target the rows sampled to (a default run), 0 for a fixed
/// count (--quick, --samples); it decides the fix for too few samples, and whether a row
/// measured in several processes reached the target with their samples pooled.
pub fn collect(rows: &[ResultRow], components: &[Component], failures: &[Failure], precision_pct: f64) -> Vec<Warning> {
    let adaptive = precision_pct > 0.0;
    let host_fast = crate::results::host_fast_states(rows);
    let mut out = Vec::new();
    for row in rows {
        let s = &row.summary;
        let key = || Some(row.key.clone());
        if row.samples < MIN_SAMPLES {
            let self_timed = adaptive && row.stopped_at_fixed_count();
            out.push(Warning::new(key(), WarningKind::TooFewSamples { samples: row.samples, adaptive, self_timed }));
        } else if s.median > 0.0 && (s.ci_high - s.ci_low) / s.median > WIDE_CI {
            out.push(Warning::new(
                key(),
                WarningKind::WideInterval { relative_width: (s.ci_high - s.ci_low) / s.median },
            ));
        }
        if row.samples >= 3 && s.first_over_median > SLOW_FIRST {
            out.push(Warning::new(key(), WarningKind::SlowFirstSample { ratio: s.first_over_median }));
        }
        let severe = s.outliers.low_severe + s.outliers.high_severe;
        if severe * 10 > row.samples && row.samples >= MIN_SAMPLES {
            out.push(Warning::new(key(), WarningKind::SevereOutliers { count: severe, samples: row.samples }));
        }
        // A row of several processes: one that stopped short may be made up by the others.
        let missed = std::iter::once(&row.stop).chain(row.more_processes.iter().map(|p| &p.stop)).find(|s| crate::results::stop::missed_target(s.as_deref()));
        if let Some(stop) = missed {
            let e = &row.ns_per_op;
            let half_width_pct = (e.ci_high - e.ci_low) / 2.0 / e.mean * 100.0;
            if row.more_processes.is_empty() || !adaptive || half_width_pct > precision_pct {
                let stop = stop.clone().unwrap_or_default();
                out.push(Warning::new(key(), WarningKind::PrecisionNotReached { half_width_pct, stop }));
            }
        }
        if let Some(spread_pct) = row.process_spread_pct.filter(|p| *p > PROCESS_SPREAD) {
            out.push(Warning::new(key(), WarningKind::ProcessesDisagree { spread_pct, processes: 1 + row.more_processes.len() }));
        }
        if row.set_aside > 0 {
            out.push(Warning::new(key(), WarningKind::MachineStateSetAside { set_aside: row.set_aside, samples: row.taken() }));
        }
        if let Some(ratio) = row.machine_slow_ratio() {
            out.push(Warning::new(key(), WarningKind::MachineSlowThroughout { ratio }));
        }
        if let Some((attempts, used)) = row.attempt_of() {
            out.push(Warning::new(key(), WarningKind::MeasuredAgain { attempts, used }));
        }
        // A row that keeps its slow samples: said when they moved it beyond its own interval.
        match host_fast.get(&row.key.host).and_then(|f| row.slow_kept(*f)) {
            Some(SlowKept::Throughout { ratio }) => out.push(Warning::new(key(), WarningKind::MachineSlowThroughout { ratio })),
            Some(SlowKept::Partly { slow, samples, move_pct }) => {
                let e = &row.ns_per_op;
                if move_pct > 100.0 * (e.ci_high - e.ci_low) / 2.0 / e.mean {
                    out.push(Warning::new(key(), WarningKind::SlowSamplesKept { slow, samples, move_pct }));
                }
            }
            None => {}
        }
        if !row.verified {
            out.push(Warning::new(key(), WarningKind::NotVerified));
        }
        if row.key.runtime != "native" {
            if let Some(floor) = rows
                .iter()
                .find(|r| r.key.host == row.key.host && r.key.scenario == "empty")
                .map(|r| r.estimate())
            {
                if floor > 0.0 && row.estimate() < NEAR_FLOOR * floor {
                    out.push(Warning::new(
                        key(),
                        WarningKind::NearHarnessFloor { median_ns: row.estimate(), floor_ns: floor },
                    ));
                }
            }
        }
    }
    for c in components.iter().filter(|c| c.negative_beyond_noise()) {
        let row = RowKey {
            guest_variant: crate::results::DEFAULT_GUEST_VARIANT.into(),
            host: c.host.clone(),
            runtime: c.runtime.clone(),
            api: c.api.clone(),
            scenario: c.component.clone(),
            params: c.params.clone(),
        };
        out.push(Warning::new(
            Some(row),
            WarningKind::NegativeComponent { component: c.label(), value_ns: c.value, ci_high_ns: c.ci_high },
        ));
    }
    let count = failures.len();
    if count > 0 {
        out.push(Warning::new(None, WarningKind::Failures { count }));
    }
    out
}
