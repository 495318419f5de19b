//! How values are written, one way for every report: times scaled to their unit, costs
//! that the rows cannot resolve as "below noise (± x)", Go's counters per operation.

use crate::analysis::Verdict;
use std::collections::BTreeMap;

/// `21.3 ns`, `4.52 µs`, `3.10 ms`.
pub fn ns(v: f64) -> String {
    if !v.is_finite() {
        "-".into()
    } else if v.abs() >= 1e6 {
        format!("{:.2} ms", v / 1e6)
    } else if v.abs() >= 1e3 {
        format!("{:.2} µs", v / 1e3)
    } else if v.abs() >= 100.0 {
        format!("{v:.0} ns")
    } else if v.abs() >= 10.0 {
        format!("{v:.1} ns")
    } else {
        format!("{v:.2} ns")
    }
}

/// A value in a component's unit: `ns`, `ns/B`, `ms`, `us` or `x` (a ratio).
pub fn value(v: f64, unit: &str) -> String {
    match unit {
        "ns" => ns(v),
        "ns/B" => format!("{v:.4} ns/B"),
        // Scaled like any time (a 3 µs compile is not "0.00 ms").
        "ms" => ns(v * 1e6),
        "us" => ns(v * 1e3),
        "x" => format!("{v:.2}x"),
        u => format!("{v:.3} {u}"),
    }
}

/// A cost the rows cannot tell from zero: `below noise (± 0.42 ns)`.
pub fn below_noise(noise: f64, unit: &str) -> String {
    format!("below noise (± {})", value(noise, unit))
}

/// A cost whose interval lies wholly below zero: the rows it is derived from, measured
/// apart, disagree by more than their noise. Not "below noise" (the interval excludes
/// zero) and never a negative cost: `rows disagree (by 289 ns – 897 ns)`.
pub fn rows_disagree(lo: f64, hi: f64, unit: &str) -> String {
    format!("rows disagree (by {} – {})", value(-hi, unit), value(-lo, unit))
}

/// A value with its interval as its verdict has it: the value, "below noise" (the
/// interval reaches zero) or "rows disagree" (it lies wholly below zero).
pub fn estimate(v: f64, lo: f64, hi: f64, unit: &str, verdict: Verdict) -> String {
    match verdict {
        Verdict::Measured => value(v, unit),
        Verdict::BelowNoise => below_noise(lo.abs().max(hi.abs()), unit),
        Verdict::BelowZero => rows_disagree(lo, hi, unit),
    }
}

/// `12.8 ns – 13.2 ns`.
pub fn interval(lo: f64, hi: f64, unit: &str) -> String {
    format!("{} – {}", value(lo, unit), value(hi, unit))
}

/// The Go host's counters per operation (row `metrics`), as `go test -benchmem` users
/// know them: (metric, benchstat unit, short label).
pub const GO_COUNTERS: &[(&str, &str, &str)] = &[
    ("cgo_calls_per_op", "cgo-calls/op", "cgo calls"),
    ("allocs_per_op", "allocs/op", "allocs"),
    ("bytes_per_op", "B/op", "B"),
    ("gc_cycles_per_op", "gc-cycles/op", "GC cycles"),
    ("gc_cpu_ns_per_op", "gc-cpu-ns/op", "ns GC CPU"),
    ("cpu_ns_per_op", "cpu-ns/op", "ns CPU"),
];

fn count(v: f64) -> String {
    if v == 0.0 || v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 0.1 {
        format!("{v:.1}")
    } else {
        format!("{v:.2e}")
    }
}

/// `8.7 cgo calls · 2.0 allocs · 48 B`: the counters a row carries, empty when none.
pub fn counters(metrics: &BTreeMap<String, f64>) -> String {
    GO_COUNTERS
        .iter()
        .filter_map(|(key, _, label)| metrics.get(*key).map(|v| format!("{} {label}", count(*v))))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Whether any row has a counter (the reports add their column only then).
pub fn any_counters<'a>(mut metrics: impl Iterator<Item = &'a BTreeMap<String, f64>>) -> bool {
    metrics.any(|m| GO_COUNTERS.iter().any(|(k, _, _)| m.contains_key(*k)))
}
