//! "What do I do about it": for each of the founding document's Wasm cases and each host,
//! the cheapest path this run measured, its figure, what using it takes, and how it
//! compares with the path the founding document took (Go: wasmtime-go `Func.Call`).
//! Pure over the rows; the texts are descriptions of each API path, never figures.

use crate::capabilities::CapabilityRow;
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
    /// The other paths of the case whose 95% interval reaches the cheapest's (`runtime
    /// api`, ns), cheapest first, at most [`MAX_TIED`]: as cheap as far as this run can
    /// tell, so the choice among them is the reader's (what each takes), not the figure's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tied: Vec<(String, f64)>,
    /// What it takes to use that path in a service.
    pub takes: String,
    /// The founding document's own path on this host, when measured, and its figure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed_path: Option<(String, f64)>,
    /// The figure against the harness floor of the same run (the `empty` scenario).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<FloorCheck>,
    /// For a translated path: what building it costs (its `compile` row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<BuildCost>,
    /// For a translated path: what its engine gives up (from the capability table).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub gives_up: String,
    /// For a translated path: when its build pays back against the cheapest runtime path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub break_even: Option<BreakEven>,
}

/// A row against the harness floor measured in the same run: `above_ns` is the row less
/// the floor, `noise_ns` the half-width of that difference's 95% interval (both rows'
/// half-widths in quadrature). `within`: the harness cannot tell the row from its floor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FloorCheck {
    pub floor_ns: f64,
    pub above_ns: f64,
    pub noise_ns: f64,
    pub within: bool,
}

/// The most paths [`Advice::tied`] names beside the cheapest.
pub const MAX_TIED: usize = 3;

/// Of `paths` (`runtime api`, mean, interval low), those other than `best` whose interval
/// reaches up to `best_high`, cheapest first, at most [`MAX_TIED`]: the paths a run cannot
/// tell from the cheapest (the seed's advice and a scenario file's both name them). A path
/// whose interval reaches zero is not named: a figure that rough (a few samples that
/// disagree; the warnings list it) reaches the cheapest from any height.
pub fn tied_with<'a>(best: &str, best_high: f64, paths: impl IntoIterator<Item = (String, f64, f64)>) -> Vec<(String, f64)> {
    let mut v: Vec<(String, f64)> = Vec::new();
    for (path, mean, low) in paths {
        if path != best && low <= best_high && low > 0.0 && mean.is_finite() && !v.iter().any(|(p, _)| *p == path) {
            v.push((path, mean));
        }
    }
    v.sort_by(|a, b| a.1.total_cmp(&b.1));
    v.truncate(MAX_TIED);
    v
}

/// ` (as cheap within this run's noise: wazero:compiler call 15.0 ns)`, or nothing.
pub fn tied_text(tied: &[(String, f64)], fmt_ns: impl Fn(f64) -> String) -> String {
    if tied.is_empty() {
        return String::new();
    }
    let list: Vec<String> = tied.iter().map(|(p, ns)| format!("{p} {}", fmt_ns(*ns))).collect();
    format!(" (as cheap within this run's noise: {})", list.join(", "))
}

/// A row is compared with the floor's noise only when it is within this factor of the floor.
pub const NEAR_FLOOR: f64 = 100.0;

/// The harness floor of `row`'s host (its `empty` row, the cheapest if several) and where
/// `row` stands against it; `None` when the run has no floor for that host.
pub fn floor_check(row: &ResultRow, rows: &[ResultRow]) -> Option<FloorCheck> {
    let floor = rows
        .iter()
        .filter(|r| r.key.host == row.key.host && r.key.scenario == "empty" && r.estimate().is_finite())
        .min_by(|a, b| a.estimate().total_cmp(&b.estimate()))?;
    let hw = |r: &ResultRow| ((r.ns_per_op.ci_high - r.ns_per_op.ci_low) / 2.0).max(0.0);
    let noise = (hw(row).powi(2) + hw(floor).powi(2)).sqrt();
    let above = row.estimate() - floor.estimate();
    // Only rows on the floor's scale (a call, not a start-up of microseconds whose few
    // samples make a wide interval) are candidates: there the loop is most of the figure.
    let near = row.estimate() < NEAR_FLOOR * floor.estimate();
    Some(FloorCheck { floor_ns: floor.estimate(), above_ns: above, noise_ns: noise, within: near && above <= noise })
}

/// A runtime that runs the guest translated ahead of time into the host's language.
pub fn is_translated(runtime: &str) -> bool {
    runtime.starts_with("wasm2go") || runtime.starts_with("wasm2c")
}

/// What building a translated path costs, from its `compile` row (translate + build).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BuildCost {
    pub seconds: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_rss_bytes: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary_bytes: Option<f64>,
}

/// Calls in one process's lifetime from which the translated path, its build included,
/// costs less than `against` with its own compile + instantiate: `calls` is `None` when
/// the translated call is not cheaper (it never pays back).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakEven {
    pub against: String,
    pub calls: Option<f64>,
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
        ("wasm2c", "unguarded") => {
            "translating the module into C ahead of time (WABT's wasm2c) and calling it through plain FFI: a build \
             step per module, and no trap guard: a trap aborts the process"
        }
        ("wasm2c", "guarded_batch") => {
            "translating the module into C ahead of time (WABT's wasm2c), a build step per module, and one trap \
             guard (wasm_rt_impl_try) around a whole batch of FFI calls: a trap loses the rest of the batch and \
             leaves the guest's state as the trapping call left it"
        }
        ("wasm2c", _) => {
            "translating the module into C ahead of time (WABT's wasm2c) and calling it through FFI, each call in \
             wasm2c's trap guard (wasm_rt_impl_try; in the default build a sigsetjmp that saves the signal mask, \
             a system call per call): a build step per module"
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
    if engine == "wasm2c" && runtime != "wasm2c:bounds" {
        // Seen in this tool's own runs: workers died in `instantiate` after ~16,000 instances.
        return format!(
            "{call}; and in WABT 1.0.32's guard-page build, freeing an instance unmaps only the memory's current size \
             of the 8 GiB it reserved, so a service that makes and frees many instances runs out of address space \
             (this tool's shim unmaps the rest itself)"
        );
    }
    call.to_string()
}

/// For each host and Wasm case of the founding document's table, the cheapest verified
/// row and the founding document's own path for comparison.
pub fn advice(rows: &[ResultRow], capabilities: &[CapabilityRow]) -> Vec<Advice> {
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
            let tied = tied_with(
                &format!("{} {}", best.key.runtime, best.key.api),
                best.ns_per_op.ci_high,
                candidates.clone().map(|r| (format!("{} {}", r.key.runtime, r.key.api), r.estimate(), r.ns_per_op.ci_low)),
            );
            let seed = seed_path(host).and_then(|rt| {
                candidates
                    .filter(|r| r.key.runtime == rt)
                    .min_by(|a, b| a.estimate().total_cmp(&b.estimate()))
                    .map(|r| (format!("{} {}", r.key.runtime, r.key.api), r.estimate()))
            });
            let translated = is_translated(&best.key.runtime);
            let startup = |rt: &str, scenario: &str| {
                rows.iter()
                    .filter(|r| r.key.host == host && r.key.runtime == rt && r.key.scenario == scenario && r.verified)
                    .map(|r| r.estimate())
                    .min_by(f64::total_cmp)
            };
            let compile_row = rows
                .iter()
                .find(|r| r.key.host == host && r.key.runtime == best.key.runtime && r.key.scenario == "compile");
            let build = compile_row.filter(|_| translated).map(|r| BuildCost {
                seconds: r.estimate() / 1e9,
                peak_rss_bytes: r.metrics.get("peak_rss_bytes").copied(),
                binary_bytes: r.metrics.get("binary_bytes").copied(),
            });
            // Against the cheapest path of the same case that is not translated.
            let break_even = if translated {
                rows.iter()
                    .filter(|r| {
                        r.key.host == host
                            && r.key.scenario == scenario
                            && r.key.param() == param
                            && r.verified
                            && !is_translated(&r.key.runtime)
                            && r.estimate().is_finite()
                    })
                    .min_by(|a, b| a.estimate().total_cmp(&b.estimate()))
                    .and_then(|alt| {
                        let t = build.map(|b| b.seconds * 1e9)? + startup(&best.key.runtime, "instantiate")?;
                        let a = startup(&alt.key.runtime, "compile")? + startup(&alt.key.runtime, "instantiate")?;
                        let saved = alt.estimate() - best.estimate();
                        Some(BreakEven {
                            against: format!("{} {}", alt.key.runtime, alt.key.api),
                            calls: (saved > 0.0).then(|| ((t - a) / saved).max(0.0).ceil()),
                        })
                    })
            } else {
                None
            };
            let gives_up = if translated {
                capabilities
                    .iter()
                    .find(|c| c.host == host && c.runtime == best.key.runtime)
                    .map(|c| c.gives_up())
                    .unwrap_or_default()
            } else {
                String::new()
            };
            out.push(Advice {
                floor: floor_check(best, rows),
                build,
                gives_up,
                break_even,
                host: host.to_string(),
                benchmark: benchmark.to_string(),
                scenario: scenario.to_string(),
                params: best.key.params.clone(),
                runtime: best.key.runtime.clone(),
                api: best.key.api.clone(),
                ns: best.estimate(),
                tied,
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
        let at_floor = self.floor.filter(|f| f.within);
        if let Some(f) = at_floor {
            // Never a negative cost: a row below the floor is "at or below" it.
            let where_ = if f.above_ns > 0.0 {
                format!("this row {} ± {} above it", fmt_ns(f.above_ns), fmt_ns(f.noise_ns))
            } else {
                "this row at or below it".to_string()
            };
            s.push_str(&format!(
                " (within the harness floor's noise: floor {}, {where_}; the harness cannot resolve the call's own cost)",
                fmt_ns(f.floor_ns),
            ));
        }
        if at_floor.is_none() {
            s.push_str(&tied_text(&self.tied, &fmt_ns));
        }
        if let Some((path, ns)) = &self.seed_path {
            if !path.starts_with(&format!("{} ", self.runtime)) && self.ns > 0.0 {
                if at_floor.is_some() {
                    // No ratio to a figure the harness cannot resolve.
                    s.push_str(&format!(", cheaper than {} ({}) by more than this harness resolves", path, fmt_ns(*ns)));
                } else {
                    s.push_str(&format!(", {:.0}x cheaper than {} ({})", ns / self.ns, path, fmt_ns(*ns)));
                }
            }
        }
        if !self.takes.is_empty() {
            s.push_str(&format!("; it takes {}", self.takes));
        }
        if let Some(b) = &self.build {
            s.push_str(&format!("; building it (translate + build) took {:.1} s", b.seconds));
            if let Some(m) = b.peak_rss_bytes {
                s.push_str(&format!(", {:.0} MiB peak memory", m / 1048576.0));
            }
            if let Some(m) = b.binary_bytes {
                if m >= 1048576.0 {
                    s.push_str(&format!(", a {:.1} MiB binary", m / 1048576.0));
                } else {
                    s.push_str(&format!(", a {:.0} KiB binary", m / 1024.0));
                }
            }
        }
        if let Some(b) = &self.break_even {
            match b.calls {
                Some(n) if n <= 0.0 => s.push_str(&format!(
                    "; it pays back from the first call against {} (its own compile + instantiate cost more)",
                    b.against
                )),
                Some(n) => s.push_str(&format!(
                    "; the build pays back after {} calls in one process's lifetime against {} with its compile + \
                     instantiate",
                    calls_text(n),
                    b.against
                )),
                None => s.push_str(&format!("; its call is not cheaper than {}: the build never pays back", b.against)),
            }
        }
        if !self.gives_up.is_empty() {
            s.push_str(&format!("; it gives up: {}", self.gives_up));
        }
        s
    }
}

/// 1234567 → `1.2 million`.
fn calls_text(n: f64) -> String {
    if n >= 1e9 {
        format!("{:.1} billion", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.1} million", n / 1e6)
    } else {
        format!("{n:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{RawRow, RowKey};

    fn row(host: &str, runtime: &str, api: &str, scenario: &str, param: Option<(&str, u64)>, ns: f64) -> ResultRow {
        let params = param.map(|(k, v)| Params::from([(k.to_string(), v)])).unwrap_or_default();
        let key = RowKey::of(host, runtime, api, scenario, params, crate::results::DEFAULT_GUEST_VARIANT);
        ResultRow::from_raw(RawRow::fixture(key, vec![ns; 6]))
    }

    #[test]
    fn paths_within_the_cheapests_noise_are_named_beside_it_and_clearly_dearer_ones_are_not() {
        let with = |runtime: &str, api: &str, samples: Vec<f64>| {
            let key = RowKey::of("go", runtime, api, "add", Params::new(), crate::results::DEFAULT_GUEST_VARIANT);
            ResultRow::from_raw(RawRow::fixture(key, samples))
        };
        let rows = vec![
            with("wasmtime-go", "call", vec![2400.0; 6]),
            with("wazero:compiler", "call_with_stack", vec![14.0, 16.0, 15.0, 14.0, 16.0, 15.0]),
            // Its interval reaches below the cheapest's upper end: as cheap as far as the run can tell.
            with("wazero:compiler", "call", vec![15.0, 17.0, 16.0, 15.0, 17.0, 16.0]),
            // Clearly dearer: not named.
            with("wasmtime-capi", "unchecked", vec![29.0, 31.0, 30.0, 29.0, 31.0, 30.0]),
            // An interval that reaches zero reaches anything: too rough to be named.
            with("wasmer-go", "call", vec![1.0, 400.0, 2.0, 380.0, 1.0, 3.0]),
        ];
        let a = advice(&rows, &[]);
        let add = a.iter().find(|x| x.scenario == "add").unwrap();
        assert_eq!((add.runtime.as_str(), add.api.as_str()), ("wazero:compiler", "call_with_stack"));
        assert_eq!(add.tied, vec![("wazero:compiler call".to_string(), 16.0)]);
        let line = add.sentence(|ns| format!("{ns:.1} ns"));
        assert!(line.contains("15.0 ns (as cheap within this run's noise: wazero:compiler call 16.0 ns), 160x cheaper"), "{line}");
        // Without a tie, nothing is said.
        let alone = advice(&rows[..2], &[]);
        assert!(alone[0].tied.is_empty());
        assert!(!alone[0].sentence(|ns| format!("{ns:.1} ns")).contains("as cheap"));
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
        let a = advice(&rows, &[]);
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
    fn a_translated_path_says_its_build_cost_break_even_what_it_gives_up_and_its_floor() {
        use crate::capabilities::{table, Outcome, ProbeOutcome};
        let mut compile = row("go", "wasm2go", "direct", "compile", None, 30e9);
        compile.metrics.insert("peak_rss_bytes".into(), 2.0 * 1048576.0 * 1024.0);
        let rows = vec![
            row("go", "native", "direct", "empty", None, 1.0),
            row("go", "wasm2go", "direct", "add", None, 1.0),
            row("go", "wazero:compiler", "call_with_stack", "add", None, 21.0),
            compile,
            row("go", "wasm2go", "direct", "instantiate", None, 1000.0),
            row("go", "wazero:compiler", "call", "compile", None, 5e6),
            row("go", "wazero:compiler", "call", "instantiate", None, 9000.0),
        ];
        let caps = table(&[ProbeOutcome {
            reused_from_unix: None,
            host: "go".into(),
            runtime: "wasm2go".into(),
            probe: "loop".into(),
            outcome: Outcome::Hung,
            detail: "killed".into(),
            seconds: 3.0,
        }]);
        let a = advice(&rows, &caps);
        let add = a.iter().find(|x| x.scenario == "add").unwrap();
        assert_eq!(add.runtime, "wasm2go");
        assert!(add.floor.unwrap().within, "a row equal to its floor is within its noise");
        // (30 s + 1 µs - 5 ms - 9 µs) / 20 ns per call saved.
        let be = add.break_even.as_ref().unwrap();
        assert_eq!(be.against, "wazero:compiler call_with_stack");
        assert_eq!(be.calls, Some(((30e9 + 1000.0 - 5e6 - 9000.0) / 20.0_f64).ceil()));
        let line = add.sentence(|ns| format!("{ns:.1} ns"));
        assert!(line.contains("30.0 s") && line.contains("2048 MiB peak memory"), "{line}");
        assert!(line.contains("1.5 billion calls"), "{line}");
        assert!(line.contains("harness floor") && line.contains("killing the process"), "{line}");
        // At the floor: no ratio to a figure the harness cannot resolve, and a row below
        // the floor is never printed as a negative cost.
        assert!(!line.contains("x cheaper") && !line.contains(" -"), "{line}");
        let mut below = add.clone();
        below.floor = Some(FloorCheck { above_ns: -1.38, ..below.floor.unwrap() });
        let line = below.sentence(|ns| format!("{ns:.2} ns"));
        assert!(line.contains("at or below it") && !line.contains("-1.38"), "{line}");
        // Not translated: none of it.
        let slower = advice(&rows[2..3], &caps);
        assert!(slower[0].build.is_none() && slower[0].break_even.is_none() && slower[0].gives_up.is_empty());
        assert!(slower[0].floor.is_none(), "no empty row, no floor");
    }

    #[test]
    fn a_row_clearly_above_its_floor_is_not_marked() {
        let rows = vec![row("rust", "native", "direct", "empty", None, 1.0), row("rust", "wasm2c", "unguarded", "noop", None, 3.0)];
        let f = floor_check(&rows[1], &rows).unwrap();
        assert!(!f.within && (f.above_ns - 2.0).abs() < 1e-9, "{f:?}");
        // Far above the floor, a wide interval does not make a row "at the floor".
        let mut wide = row("rust", "wasm2c", "guarded", "instantiate", None, 0.0);
        wide.ns_per_op = crate::results::Estimate { mean: 800_000.0, ci_low: -300_000.0, ci_high: 1_900_000.0 };
        assert!(!floor_check(&wide, &rows).unwrap().within);
        wide.ns_per_op = crate::results::Estimate { mean: 1.5, ci_low: 0.5, ci_high: 2.5 };
        assert!(floor_check(&wide, &rows).unwrap().within, "near the floor and within its noise");
    }

    #[test]
    fn unverified_rows_are_never_advised() {
        let mut fast = row("rust", "wasm3", "typed", "noop", None, 1.0);
        fast.verified = false;
        let rows = vec![fast, row("rust", "wasmtime", "typed", "noop", None, 13.0)];
        let a = advice(&rows, &[]);
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

    #[test]
    fn each_wasm2c_trap_guard_path_says_what_it_risks() {
        let risk = [
            ("unguarded", "a trap aborts the process"),
            ("guarded_batch", "a trap loses the rest of the batch"),
            ("guarded", "a system call per call"),
            ("view", "a system call per call"), // memory rows run guarded
        ];
        for (api, says) in risk {
            let t = what_it_takes("wasm2c:bounds", api);
            assert!(t.contains(says), "{api}: {t}");
        }
    }

    #[test]
    fn wasm2c_with_guard_pages_warns_of_the_address_space_it_leaks_and_the_bounds_build_does_not() {
        let leak = "runs out of address space";
        assert!(what_it_takes("wasm2c", "guarded").contains(leak));
        assert!(what_it_takes("wasm2c", "unguarded").contains(leak));
        assert!(!what_it_takes("wasm2c:bounds", "guarded").contains(leak), "the bounds build reserves no guard region");
        assert!(!what_it_takes("wasmtime", "typed").contains(leak));
    }
}
