//! Go's benchmark text format, as `golang.org/x/perf/cmd/benchstat` reads it.
//!
//! One line per raw sample, so benchstat computes its own statistics, named as `go test
//! -bench` in go/ names the same case (see [`benchmark_name`]):
//! `BenchmarkWasmNoOpCall/engine=wazero:compiler/api=call-2  12345  24.2 ns/op  0 B/op  0 allocs/op`.
//! The `-N` suffix is the machine's core count (Go's GOMAXPROCS convention); each host's
//! rows are under a `pkg:` line of their own.

use super::{notes, Exporter, Rendered};
use crate::results::{ResultsFile, RowKey, RuntimeInfo};
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

/// The benchmarks of `go test -bench` in go/ (go/seed_bench_test.go): (name, scenario,
/// its parameter's value). A row of one of these cases is named as `go test` names it, so
/// `benchstat cli.txt gotest.txt` puts the two side by side; docs/hosts.md has the table.
pub const GO_TEST_BENCHMARKS: &[(&str, &str, Option<u64>)] = &[
    ("GoFunctionCall", "native_call", None),
    ("CgoCall", "ffi_call", None),
    ("WasmNoOpCall", "noop", None),
    ("WasmAddNumbers", "add", None),
    ("WasmBatchCrossing", "batch_crossing", Some(256)),
    ("WasmReverseStringInPlace", "string_roundtrip", Some(51)),
    ("WasmSumArray", "sum_array", Some(10000)),
    ("GoSumArray", "native_sum", Some(10000)),
];

/// The `pkg:` line a host's rows go under: `go test`'s own for the Go host (its module's
/// root package, where the seed's benchmarks are), `interop-bench/rust` for the Rust host.
/// benchstat makes a table per configuration, so the two hosts never share one.
pub fn package(host: &str) -> String {
    match host {
        "go" => "interop-bench/go".into(),
        h => format!("interop-bench/{}", part(h)),
    }
}

/// The row's name as `go test -bench` prints it (without the `-N` suffix):
/// `BenchmarkWasmNoOpCall/engine=wazero:compiler/api=call_with_stack`,
/// `BenchmarkWasmSumArray/engine=wasmtime-go/api=call/mem=copy`, `BenchmarkGoFunctionCall`.
/// Every row of a scenario `go test` has a benchmark for takes that benchmark's name; the
/// other scenarios `Benchmark` + the scenario in CamelCase. Then `engine=`, `api=` (the
/// call API), `mem=` (the memory API of a row that copies through linear memory, whose
/// call API is the runtime's default), then the scenario's parameter (`/bytes=64`) unless
/// it is the value `go test`'s benchmark runs. A native baseline has no engine or API keys, as in
/// `go test`. The host is the `pkg:` line ([`package`]), not a key.
pub fn benchmark_name(k: &RowKey, runtimes: &[RuntimeInfo]) -> String {
    let go_test = GO_TEST_BENCHMARKS.iter().find(|(_, scenario, _)| *scenario == k.scenario);
    let mut name = match go_test {
        Some((n, _, _)) => format!("Benchmark{n}"),
        None => format!("Benchmark{}", part(&camel(&k.scenario))),
    };
    if k.runtime != "native" {
        let _ = write!(name, "/engine={}", part(&k.runtime));
        let info = runtimes.iter().find(|i| i.host == k.host && i.runtime == k.runtime);
        match info {
            // A memory API's row: its call API is the runtime's default (the first).
            Some(i) if i.memory_apis.contains(&k.api) && !i.call_apis.contains(&k.api) && !i.call_apis.is_empty() => {
                let _ = write!(name, "/api={}/mem={}", part(&i.call_apis[0]), part(&k.api));
            }
            _ => {
                let _ = write!(name, "/api={}", part(&k.api));
            }
        }
    }
    // The parameter value of `go test`'s benchmark is in its name (as there); any other
    // value is a key: `BenchmarkWasmSumArray/engine=wasmtime/api=typed/mem=view/len=16`.
    let implied = go_test.and_then(|(_, _, v)| *v);
    if implied.is_none() || implied != k.param() {
        for (p, v) in &k.params {
            let _ = write!(name, "/{}={v}", part(p));
        }
    }
    name
}

/// The benchstat unit of a metric the results hold: the Go counters as `go test
/// -benchmem` and the project's docs name them (`allocs/op`, `B/op`, `cgo-calls/op`, ...),
/// any other key with `_` as `-` (`peak_rss_bytes` → `peak-rss-bytes`, per row).
pub fn metric_unit(key: &str) -> String {
    match crate::units::GO_COUNTERS.iter().find(|c| c.0 == key) {
        Some(c) => c.1.to_string(),
        None => part(&key.replace("_per_op", "/op").replace('_', "-")),
    }
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
        // The configuration lines `go test` prints, and no others: benchstat makes a table
        // per configuration, so a key `go test` lacks would keep the two files apart. What
        // else identifies the run (version, mode, guest) goes to the notes.
        let mut out = String::new();
        let (goos, goarch) = goos_goarch(&r.machine.os);
        if let Some(g) = goos {
            let _ = writeln!(out, "goos: {g}");
        }
        if let Some(a) = goarch {
            let _ = writeln!(out, "goarch: {a}");
        }
        let mut hosts: Vec<&str> = Vec::new();
        for h in r.results.iter().map(|row| &row.key.host).chain(r.counts.iter().map(|c| &c.key.host)) {
            if !hosts.contains(&h.as_str()) {
                hosts.push(h);
            }
        }
        let cores = r.machine.cores.max(1);
        for (i, host) in hosts.iter().enumerate() {
            let _ = writeln!(out, "pkg: {}", package(host));
            if i == 0 && !r.machine.cpu_model.is_empty() {
                let _ = writeln!(out, "cpu: {}", one_line(&r.machine.cpu_model));
            }
            for row in r.results.iter().filter(|row| row.key.host == *host) {
                let name = benchmark_name(&row.key, &r.runtimes);
                // Every counter of the row as an extra unit, as `go test -benchmem` prints
                // B/op and allocs/op (per row: the same on each of its sample lines).
                let mut extra = String::new();
                for (key, v) in ordered_metrics(&row.metrics) {
                    let _ = write!(extra, "\t{v} {}", metric_unit(key));
                }
                // Each sample with its own process's count of operations.
                for (s, n) in row.used_ns_per_op.iter().zip(&row.used_iters).filter(|(s, _)| s.is_finite()) {
                    let _ = writeln!(out, "{name}-{cores}\t{}\t{s} ns/op{extra}", n.max(&1));
                }
            }
            // Counted rows: one line a repeat, in `instructions/op` (and the collector's
            // share of a Go row in `gc-instructions/op`), so benchstat compares them like any unit.
            for c in r.counts.iter().filter(|c| c.key.host == *host) {
                let name = benchmark_name(&c.key, &r.runtimes);
                let iters = c.n2.saturating_sub(c.n1).max(1);
                for (i, v) in c.instructions_per_op.iter().enumerate().filter(|(_, v)| v.is_finite()) {
                    let gc = match c.gc_on_instructions_per_op.get(i) {
                        Some(g) if g.is_finite() => format!("\t{} gc-instructions/op", g - v),
                        _ => String::new(),
                    };
                    let _ = writeln!(out, "{name}-{cores}\t{iters}\t{v} instructions/op{gc}");
                }
            }
        }
        let mut notes = format!(
            "benchstat: interop-bench {} · mode {} · guest sha256 {}; names as `go test -bench` in go/ (docs/hosts.md)\n",
            one_line(&r.tool_version),
            one_line(&r.config.mode),
            &r.guest_sha256[..r.guest_sha256.len().min(16)]
        );
        notes += &(notes::warnings_summary(r) + &notes::failures_summary(r));
        if !r.results.iter().all(|row| row.verified) {
            notes.push_str("Some rows were not verified; benchstat cannot show that: see the results file.\n");
        }
        Rendered { output: out, notes }
    }
}

/// A row's metrics, the Go counters first in their usual order, then the rest by name.
pub fn ordered_metrics(m: &std::collections::BTreeMap<String, f64>) -> Vec<(&str, f64)> {
    let known = crate::units::GO_COUNTERS.iter().filter_map(|c| m.get(c.0).map(|v| (c.0, *v)));
    let rest = m.iter().filter(|(k, _)| !crate::units::GO_COUNTERS.iter().any(|c| c.0 == k.as_str())).map(|(k, v)| (k.as_str(), *v));
    known.chain(rest).filter(|(_, v)| v.is_finite()).collect()
}
