//! "What do I do about it": for each of the founding document's Wasm cases and each host,
//! the cheapest path this run measured, its figure, what using it takes, and how it
//! compares with the path the founding document took (Go: wasmtime-go `Func.Call`).
//! Pure over the rows; the texts are descriptions of each API path, never figures.

use crate::results::{Params, ResultRow};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advice {
    pub host: String,
    /// The founding document's benchmark name, e.g. `WasmAddNumbers`.
    pub benchmark: String,
    pub scenario: String,
    #[serde(default, skip_serializing_if = "Params::is_empty")]
    pub params: Params,
    /// The cheapest verified path: runtime and API.
    pub runtime: String,
    pub api: String,
    pub ns: f64,
    /// What it takes to use that path in a service.
    pub takes: String,
    /// The founding document's own path on this host, when measured, and its figure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed_path: Option<(String, f64)>,
}

/// The Wasm cases of the founding document's table.
const CASES: &[(&str, &str, Option<(&str, u64)>)] = &[
    ("WasmNoOpCall", "noop", None),
    ("WasmAddNumbers", "add", None),
    ("WasmReverseStringInPlace", "string_roundtrip", Some(("bytes", 51))),
    ("WasmSumArray", "sum_array", Some(("len", 10000))),
];

/// The founding document's path on a host: the Go host's wasmtime-go `Func.Call`.
fn seed_path(host: &str) -> Option<&'static str> {
    (host == "go").then_some("wasmtime-go")
}

/// What using a runtime's API path takes, for the advice line. `api` is a call API, or a
/// memory API for the memory scenarios (the runtime's default call API then).
pub fn what_it_takes(runtime: &str, api: &str) -> String {
    let engine = runtime.split(':').next().unwrap_or(runtime);
    let call = match (engine, api) {
        ("wasmtime-capi", "unchecked") | ("wasmtime-capi", "view") | ("wasmtime-capi", "copy") => {
            "cgo and a small C shim over wasmtime's C API (wasmtime_func_call_unchecked with a reused \
             wasmtime_val_raw_t buffer: one cgo call per Wasm call, no type check per call), linked against \
             the libwasmtime.a that wasmtime-go already ships"
        }
        ("wasmtime-capi", a) if a.starts_with("unchecked") => {
            "as the unchecked C-API path, with cgo's noescape/nocallback annotations on the shim \
             (only for exports that never call back into Go)"
        }
        ("wasmtime-capi", _) => {
            "cgo and a small C shim over wasmtime's C API (wasmtime_func_call with wasmtime_val_t arrays \
             built once), linked against the libwasmtime.a that wasmtime-go ships"
        }
        ("wasmtime-go", _) => "nothing beyond wasmtime-go: Func.Call, as the founding document does",
        ("wasmer-go", _) => "wasmer-go (unmaintained, cgo, ships libwasmer.so): Function.Call",
        ("wasmer-capi", _) => {
            "cgo and a small C shim calling wasm.h's wasm_func_call with argument and result vectors built once, \
             on the wasm_func_t of wasmer-go's own exports (the libwasmer.so wasmer-go ships; wasmer-go is unmaintained)"
        }
        ("wazero", "call_with_stack") => {
            "pure Go, no cgo: wazero's api.Function.CallWithStack with one []uint64 stack reused across calls"
        }
        ("wazero", _) => "pure Go, no cgo: wazero's api.Function.Call",
        ("wasm2go", _) => {
            "translating the module into Go ahead of time (ncruces/wasm2go) and calling its methods: a build \
             step per module, trusted modules only, no way to interrupt a runaway guest"
        }
        ("wasm2c", _) => {
            "translating the module into C ahead of time (WABT's wasm2c) and calling it through FFI: a build \
             step per module; a trap needs wasm2c's guard around the call"
        }
        ("wasmtime", "typed") | ("wasmtime", "view") | ("wasmtime", "copy") => "wasmtime's TypedFunc, the default Rust path",
        ("wasmtime", "unchecked") => "wasmtime's Func::call_unchecked with ValRaw (unsafe: the caller checks the types)",
        ("wasmtime", _) => "wasmtime's Func::call with Val",
        ("wasmer", _) => "wasmer's TypedFunction",
        ("wasmi", _) => "wasmi's TypedFunc (an interpreter: no native code, slower compute)",
        ("wasm3", _) => "wasm3's C interpreter through its Rust crate (cheapest entry, slow compute, unmaintained)",
        ("tinywasm", _) => "tinywasm, a small safe-Rust interpreter",
        _ => "",
    };
    call.to_string()
}

/// For each host and Wasm case of the founding document's table, the cheapest verified
/// row and the founding document's own path for comparison.
pub fn advice(rows: &[ResultRow]) -> Vec<Advice> {
    let mut hosts: Vec<&str> = Vec::new();
    for r in rows {
        if !hosts.contains(&r.key.host.as_str()) {
            hosts.push(&r.key.host);
        }
    }
    let mut out = Vec::new();
    for host in hosts {
        for &(benchmark, scenario, param) in CASES {
            let param = param.map(|(_, v)| v);
            let candidates = rows.iter().filter(|r| {
                r.key.host == host
                    && r.key.scenario == scenario
                    && r.key.param() == param
                    && r.verified
                    && r.estimate().is_finite()
            });
            let Some(best) = candidates.clone().min_by(|a, b| a.estimate().total_cmp(&b.estimate())) else {
                continue;
            };
            let seed = seed_path(host).and_then(|rt| {
                candidates
                    .filter(|r| r.key.runtime == rt)
                    .min_by(|a, b| a.estimate().total_cmp(&b.estimate()))
                    .map(|r| (format!("{} {}", r.key.runtime, r.key.api), r.estimate()))
            });
            out.push(Advice {
                host: host.to_string(),
                benchmark: benchmark.to_string(),
                scenario: scenario.to_string(),
                params: best.key.params.clone(),
                runtime: best.key.runtime.clone(),
                api: best.key.api.clone(),
                ns: best.estimate(),
                takes: what_it_takes(&best.key.runtime, &best.key.api),
                seed_path: seed,
            });
        }
    }
    out
}

impl Advice {
    /// One line: `WasmAddNumbers (go): wazero:compiler call_with_stack, 14.8 ns, 164x
    /// cheaper than wasmtime-go call (2.42 µs); takes: ...`.
    pub fn sentence(&self, fmt_ns: impl Fn(f64) -> String) -> String {
        let mut s = format!("{} {}, {}", self.runtime, self.api, fmt_ns(self.ns));
        if let Some((path, ns)) = &self.seed_path {
            if !path.starts_with(&format!("{} ", self.runtime)) && self.ns > 0.0 {
                s.push_str(&format!(", {:.0}x cheaper than {} ({})", ns / self.ns, path, fmt_ns(*ns)));
            }
        }
        if !self.takes.is_empty() {
            s.push_str(&format!("; it takes {}", self.takes));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{RawRow, RowKey};

    fn row(host: &str, runtime: &str, api: &str, scenario: &str, param: Option<(&str, u64)>, ns: f64) -> ResultRow {
        let params = param.map(|(k, v)| Params::from([(k.to_string(), v)])).unwrap_or_default();
        ResultRow::from_raw(RawRow {
            key: RowKey { host: host.into(), runtime: runtime.into(), api: api.into(), scenario: scenario.into(), params },
            iters_per_sample: 100,
            sample_ns_per_op: vec![ns; 6],
            verified: true,
            metrics: Default::default(),
            input_sha256: None,
            stop: None,
        })
    }

    #[test]
    fn the_cheapest_go_path_is_named_against_the_seeds_path() {
        let rows = vec![
            row("go", "wasmtime-go", "call", "add", None, 2400.0),
            row("go", "wazero:compiler", "call", "add", None, 40.0),
            row("go", "wazero:compiler", "call_with_stack", "add", None, 15.0),
            row("go", "wasmtime-capi", "unchecked", "add", None, 30.0),
            row("go", "wasmtime-go", "view", "string_roundtrip", Some(("bytes", 51)), 2700.0),
            row("go", "wazero:compiler", "view", "string_roundtrip", Some(("bytes", 64)), 70.0),
        ];
        let a = advice(&rows);
        let add = a.iter().find(|x| x.scenario == "add").unwrap();
        assert_eq!((add.runtime.as_str(), add.api.as_str(), add.ns), ("wazero:compiler", "call_with_stack", 15.0));
        assert_eq!(add.seed_path, Some(("wasmtime-go call".to_string(), 2400.0)));
        let line = add.sentence(|ns| format!("{ns:.1} ns"));
        assert!(line.contains("160x cheaper than wasmtime-go call (2400.0 ns)"), "{line}");
        assert!(line.contains("CallWithStack"), "{line}");
        // Only the 51-byte string is the founding document's case.
        let s = a.iter().find(|x| x.scenario == "string_roundtrip").unwrap();
        assert_eq!(s.runtime, "wasmtime-go");
        assert!(!s.sentence(|ns| format!("{ns} ns")).contains("cheaper"), "the seed's path is not cheaper than itself");
    }

    #[test]
    fn unverified_rows_are_never_advised() {
        let mut fast = row("rust", "wasm3", "typed", "noop", None, 1.0);
        fast.verified = false;
        let rows = vec![fast, row("rust", "wasmtime", "typed", "noop", None, 13.0)];
        let a = advice(&rows);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].runtime, "wasmtime");
        assert_eq!(a[0].seed_path, None);
    }

    #[test]
    fn every_runtime_of_both_hosts_has_a_description() {
        for (rt, api) in [
            ("wasmtime-capi", "unchecked"),
            ("wasmtime-capi", "checked"),
            ("wasmtime-go", "call"),
            ("wasmer-go", "call"),
            ("wazero:compiler", "call_with_stack"),
            ("wazero:interpreter", "call"),
            ("wasmtime", "typed"),
            ("wasmtime:pooling", "untyped"),
            ("wasmer:singlepass", "typed"),
            ("wasmi:eager", "typed"),
            ("wasm3", "typed"),
            ("tinywasm", "untyped"),
            ("wasm2go", "direct"),
            ("wasm2c", "unguarded"),
        ] {
            assert!(!what_it_takes(rt, api).is_empty(), "{rt} {api}");
        }
    }
}
