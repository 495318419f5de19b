//! Go's benchmark text format, as `golang.org/x/perf/cmd/benchstat` reads it.
//!
//! One line per raw sample, so benchstat computes its own statistics:
//! `BenchmarkStringRoundtrip/host=rust/engine=wasmtime/api=view/bytes=64-2  12345  81.2 ns/op`.
//! The `-N` suffix is the machine's core count (Go's GOMAXPROCS convention).

use super::{notes, Exporter, Rendered};
use crate::results::{ResultsFile, RowKey};
use std::fmt::Write;

pub struct Benchstat;

/// `string_roundtrip` → `StringRoundtrip`.
pub fn camel(scenario: &str) -> String {
    scenario
        .split(|c: char| c == '_' || c == '-' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut cs = p.chars();
            match cs.next() {
                Some(c) => c.to_uppercase().chain(cs).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// A name part benchstat will keep whole: no spaces, no `/` (its sub-benchmark separator),
/// no `=` (its key-value separator), no `-` at the end (read as the core count).
fn part(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| if c.is_whitespace() || c == '/' || c == '=' || c.is_control() { '_' } else { c })
        .collect();
    if t.is_empty() {
        "_".into()
    } else {
        t
    }
}

/// `BenchmarkNoop/host=rust/engine=wasmtime/api=typed` (without the `-N` suffix).
pub fn benchmark_name(k: &RowKey) -> String {
    let mut name = format!(
        "Benchmark{}/host={}/engine={}/api={}",
        part(&camel(&k.scenario)),
        part(&k.host),
        part(&k.runtime),
        part(&k.api)
    );
    for (p, v) in &k.params {
        let _ = write!(name, "/{}={v}", part(p));
    }
    name
}

/// Go's names for the machine: (`linux`, `amd64`) from the results file's OS string.
fn goos_goarch(os: &str) -> (Option<&'static str>, Option<&'static str>) {
    let l = os.to_lowercase();
    let goos = if l.contains("linux") {
        Some("linux")
    } else if l.contains("mac") || l.contains("darwin") {
        Some("darwin")
    } else if l.contains("windows") {
        Some("windows")
    } else {
        None
    };
    let goarch = if l.contains("x86_64") || l.contains("amd64") {
        Some("amd64")
    } else if l.contains("aarch64") || l.contains("arm64") {
        Some("arm64")
    } else {
        None
    };
    (goos, goarch)
}

/// A configuration value on one line.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Exporter for Benchstat {
    fn render(&self, r: &ResultsFile) -> Rendered {
        let mut out = String::new();
        let (goos, goarch) = goos_goarch(&r.machine.os);
        if let Some(g) = goos {
            let _ = writeln!(out, "goos: {g}");
        }
        if let Some(a) = goarch {
            let _ = writeln!(out, "goarch: {a}");
        }
        let _ = writeln!(out, "pkg: interop-bench");
        if !r.machine.cpu_model.is_empty() {
            let _ = writeln!(out, "cpu: {}", one_line(&r.machine.cpu_model));
        }
        let _ = writeln!(out, "interop-bench-version: {}", one_line(&r.tool_version));
        if !r.config.mode.is_empty() {
            let _ = writeln!(out, "mode: {}", one_line(&r.config.mode));
        }
        if !r.guest_sha256.is_empty() {
            let _ = writeln!(out, "guest-sha256: {}", one_line(&r.guest_sha256));
        }
        let cores = r.machine.cores.max(1);
        for row in &r.results {
            let name = benchmark_name(&row.key);
            let iters = row.iters_per_sample.max(1);
            // The Go counters as extra units, as `go test -benchmem` prints them (per row:
            // the same on each of its sample lines).
            let mut extra = String::new();
            for (key, unit) in [("bytes_per_op", "B/op"), ("allocs_per_op", "allocs/op"), ("cgo_calls_per_op", "cgo-calls/op")] {
                if let Some(v) = row.metrics.get(key).filter(|v| v.is_finite()) {
                    let _ = write!(extra, "\t{v} {unit}");
                }
            }
            for s in row.sample_ns_per_op.iter().filter(|s| s.is_finite()) {
                let _ = writeln!(out, "{name}-{cores}\t{iters}\t{s} ns/op{extra}");
            }
        }
        // Counted rows: one line a repeat, in `instructions/op` (and the collector's share of
        // a Go row in `gc-instructions/op`), so benchstat compares them like any unit.
        for c in &r.counts {
            let name = benchmark_name(&c.key);
            let iters = c.n2.saturating_sub(c.n1).max(1);
            for (i, v) in c.instructions_per_op.iter().enumerate().filter(|(_, v)| v.is_finite()) {
                let gc = match c.gc_on_instructions_per_op.get(i) {
                    Some(g) if g.is_finite() => format!("\t{} gc-instructions/op", g - v),
                    _ => String::new(),
                };
                let _ = writeln!(out, "{name}-{cores}\t{iters}\t{v} instructions/op{gc}");
            }
        }
        let mut notes = notes::warnings_summary(r) + &notes::failures_summary(r);
        if !r.results.iter().all(|row| row.verified) {
            notes.push_str("Some rows were not verified; benchstat cannot show that: see the results file.\n");
        }
        Rendered { output: out, notes }
    }
}
