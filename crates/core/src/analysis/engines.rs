//! Engines side by side: for each host, one column per runtime (engine and mode) and one
//! row per figure a user compares them on (the seed's benchmarks, the decomposition's
//! components, start-up and its mitigations). Pure: built from the rows and components.

use super::Component;
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
    pub cells: Vec<Option<f64>>,
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
}

/// The figures, in display order: (label, source).
const METRICS: &[(&str, Source)] = &[
    ("BenchmarkWasmNoOpCall (fastest API)", Source::Fastest("noop", None)),
    ("BenchmarkWasmAddNumbers (fastest API)", Source::Fastest("add", None)),
    ("BenchmarkWasmReverseStringInPlace, 51 B (fastest API)", Source::Fastest("string_roundtrip", Some(51))),
    ("BenchmarkWasmSumArray, 10000 i32 (fastest API)", Source::Fastest("sum_array", Some(10000))),
    ("crossing (default call API)", Source::Default("crossing")),
    ("crossing less one cgo call", Source::Default("engine_crossing")),
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
            let cells: Vec<Option<f64>> = runtimes
                .iter()
                .map(|rt| {
                    let comp = |c: &Component| c.host == host && c.runtime == *rt;
                    let pick = |found: Option<&Component>, unit: &mut String| {
                        found.map(|c| {
                            *unit = c.unit.clone();
                            c.value
                        })
                    };
                    match source {
                        Source::Fastest(scenario, param) => rows
                            .iter()
                            .filter(|r| r.key.host == host && r.key.runtime == *rt)
                            .filter(|r| r.key.scenario == *scenario && r.key.param() == *param)
                            .map(|r| r.median())
                            .filter(|v| v.is_finite())
                            .min_by(f64::total_cmp),
                        Source::Default(name) => {
                            pick(components.iter().find(|c| comp(c) && c.component == *name), &mut unit)
                        }
                        Source::On(name, api) => pick(
                            components.iter().find(|c| comp(c) && c.component == *name && c.api == *api),
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
        out.push(EngineMatrix { host: host.to_string(), runtimes, rows: matrix });
    }
    out
}
