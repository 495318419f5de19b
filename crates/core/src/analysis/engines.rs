//! Engines side by side: for each host, one column per runtime (engine and mode) and one
//! row per figure a user compares them on (the seed's benchmarks, the decomposition's
//! components, start-up and its mitigations). Pure: built from the rows and components.

use super::{Component, Verdict};
use crate::results::ResultRow;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineMatrix {
    pub host: String,
    /// The columns: every runtime of the host but the native baseline, in run order.
    pub runtimes: Vec<String>,
    pub rows: Vec<MatrixRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatrixRow {
    pub metric: String,
    /// `ns`, `ns/B`, `ms`, `us` or `x`, as for components.
    pub unit: String,
    /// One value per runtime column; `None` where it was not measured or does not apply.
    pub cells: Vec<Option<Cell>>,
}

/// A figure with its interval and what the reports print for it (`below_noise`: drawn as
/// zero, the rows cannot tell it from zero or disagree beyond their noise; `verdict` says
/// which).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub value: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    #[serde(default)]
    pub below_noise: bool,
    #[serde(default)]
    pub verdict: Verdict,
}

impl Cell {
    pub fn of(c: &Component) -> Cell {
        Cell { value: c.value, ci_low: c.ci_low, ci_high: c.ci_high, below_noise: c.below_noise(), verdict: c.verdict }
    }

    /// What every report prints, in `unit`: the component's own text.
    pub fn text(&self, unit: &str) -> String {
        crate::units::estimate(self.value, self.ci_low, self.ci_high, unit, self.verdict)
    }
}

/// Where a figure comes from.
enum Source {
    /// The fastest row (any API) of a scenario at a parameter, in ns per operation.
    Fastest(&'static str, Option<u64>),
    /// A component on the runtime's default API (the first it was measured with).
    Default(&'static str),
    /// A component on a named API path.
    On(&'static str, &'static str),
    /// A component with one parameter value.
    At(&'static str, &'static str, u64),
    /// A layer of one case (`noop`, `add`).
    Case(&'static str, &'static str),
}

/// The figures, in display order: (label, source).
const METRICS: &[(&str, Source)] = &[
    ("BenchmarkWasmNoOpCall (fastest API)", Source::Fastest("noop", None)),
    ("BenchmarkWasmAddNumbers (fastest API)", Source::Fastest("add", None)),
    ("BenchmarkWasmReverseStringInPlace, 51 B (fastest API)", Source::Fastest("string_roundtrip", Some(51))),
    ("BenchmarkWasmSumArray, 10000 i32 (fastest API)", Source::Fastest("sum_array", Some(10000))),
    ("crossing (default call API)", Source::Default("crossing")),
    ("cgo layers, noop: one bare cgo call", Source::Case("ffi_call", "noop")),
    ("cgo layers, noop: engine entry (direct unchecked)", Source::Case("engine_entry", "noop")),
    ("cgo layers, noop: C API value checks", Source::Case("capi_checks", "noop")),
    ("cgo layers, noop: engine entry and checks (checked-only C API)", Source::Case("engine_entry_and_checks", "noop")),
    ("cgo layers, noop: the Go binding", Source::Case("go_binding", "noop")),
    ("cgo layers, noop: binding and engine (no direct path)", Source::Case("binding_and_engine", "noop")),
    ("cgo layers, add: the Go binding", Source::Case("go_binding", "add")),
    ("batched crossing, one Wasm call of a cgo batch", Source::Default("batched_crossing_per_call")),
    ("arguments (default call API)", Source::Default("arguments")),
    ("host_call: one Wasm-to-host call", Source::Default("host_call")),
    ("copy in per byte, view", Source::On("copy_in_per_byte", "view")),
    ("copy in per byte, copy", Source::On("copy_in_per_byte", "copy")),
    ("copy out per byte, view", Source::On("copy_out_per_byte", "view")),
    ("copy out per byte, copy", Source::On("copy_out_per_byte", "copy")),
    ("guest allocate + deallocate", Source::Default("alloc_roundtrip")),
    ("compute: guest sum over native, 10000 i32", Source::At("compute_ratio", "len", 10000)),
    ("one addition inside batch_add", Source::Default("batch_per_add")),
    ("compile", Source::Default("compile")),
    ("deserialize (AOT, against compile)", Source::Default("deserialize")),
    ("instantiate", Source::Default("instantiate")),
    ("instantiate_pre (against instantiate)", Source::Default("instantiate_pre")),
    ("first-call penalty", Source::Default("first_call_penalty")),
];

pub fn engine_matrix(rows: &[ResultRow], components: &[Component]) -> Vec<EngineMatrix> {
    let mut out = Vec::new();
    let mut hosts: Vec<&str> = Vec::new();
    for r in rows {
        if !hosts.contains(&r.key.host.as_str()) {
            hosts.push(&r.key.host);
        }
    }
    for host in hosts {
        let mut runtimes: Vec<String> = Vec::new();
        for r in rows.iter().filter(|r| r.key.host == host && r.key.runtime != "native") {
            if !runtimes.contains(&r.key.runtime) {
                runtimes.push(r.key.runtime.clone());
            }
        }
        if runtimes.is_empty() {
            continue;
        }
        let mut matrix = Vec::new();
        for (label, source) in METRICS {
            let mut unit = "ns".to_string();
            let cells: Vec<Option<Cell>> = runtimes
                .iter()
                .map(|rt| {
                    let comp = |c: &Component| c.host == host && c.runtime == *rt;
                    let pick = |found: Option<&Component>, unit: &mut String| {
                        found.map(|c| {
                            *unit = c.unit.clone();
                            Cell::of(c)
                        })
                    };
                    match source {
                        Source::Fastest(scenario, param) => rows
                            .iter()
                            .filter(|r| r.key.host == host && r.key.runtime == *rt)
                            .filter(|r| r.key.scenario == *scenario && r.key.param() == *param)
                            .filter(|r| r.estimate().is_finite())
                            .min_by(|a, b| a.estimate().total_cmp(&b.estimate()))
                            .map(|r| Cell {
                                value: r.estimate(),
                                ci_low: r.ns_per_op.ci_low,
                                ci_high: r.ns_per_op.ci_high,
                                below_noise: false,
                                verdict: Verdict::Measured,
                            }),
                        Source::Default(name) => pick(
                            components.iter().find(|c| comp(c) && c.component == *name && (c.case.is_empty() || c.case == "noop")),
                            &mut unit,
                        ),
                        Source::On(name, api) => pick(
                            components.iter().find(|c| comp(c) && c.component == *name && c.api == *api),
                            &mut unit,
                        ),
                        Source::Case(name, case) => pick(
                            components.iter().find(|c| comp(c) && c.component == *name && c.case == *case),
                            &mut unit,
                        ),
                        Source::At(name, key, value) => pick(
                            components
                                .iter()
                                .find(|c| comp(c) && c.component == *name && c.params.get(*key) == Some(value)),
                            &mut unit,
                        ),
                    }
                })
                .collect();
            if cells.iter().any(Option::is_some) {
                matrix.push(MatrixRow { metric: label.to_string(), unit, cells });
            }
        }
        // Nothing of METRICS measured (a scenario file's run): no table, rather than a header
        // with no rows in every report.
        if !matrix.is_empty() {
            out.push(EngineMatrix { host: host.to_string(), runtimes, rows: matrix });
        }
    }
    out
}
