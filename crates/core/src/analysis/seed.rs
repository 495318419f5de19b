//! The founding document's results table ("benchmark / expected range / main source of
//! overhead"), filled with what this run measured instead of predictions.

use super::{floor, View};
use crate::results::{Params, ResultRow};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedRow {
    /// The seed's benchmark name.
    pub benchmark: String,
    pub host: String,
    pub scenario: String,
    #[serde(default, skip_serializing_if = "Params::is_empty")]
    pub params: Params,
    /// How many runtime/API rows the range spans.
    pub rows: usize,
    pub min_ns: f64,
    pub max_ns: f64,
    /// `runtime api` of the fastest and slowest row.
    pub fastest: String,
    pub slowest: String,
    /// Where the time goes, from the decomposition of the fastest row.
    pub main_source: String,
}

/// The seed's benchmarks and the scenario that measures each.
pub const SEED_BENCHMARKS: &[(&str, &str, Option<u64>)] = &[
    ("GoFunctionCall", "native_call", None),
    ("WasmNoOpCall", "noop", None),
    ("WasmAddNumbers", "add", None),
    ("WasmReverseStringInPlace", "string_roundtrip", Some(51)),
    ("WasmSumArray", "sum_array", Some(10000)),
    ("GoSumArray", "native_sum", Some(10000)),
];

fn pct(part: f64, whole: f64) -> String {
    format!("{:.0}%", (100.0 * part / whole).clamp(0.0, 100.0))
}

pub fn seed_table(rows: &[ResultRow]) -> Vec<SeedRow> {
    let mut hosts: Vec<&str> = Vec::new();
    for r in rows {
        if !hosts.contains(&r.key.host.as_str()) {
            hosts.push(&r.key.host);
        }
    }
    let mut out = Vec::new();
    for host in hosts {
        for &(bench, scenario, param) in SEED_BENCHMARKS {
            let matching: Vec<&ResultRow> = rows
                .iter()
                .filter(|r| r.key.host == host && r.key.scenario == scenario && r.key.param() == param)
                .filter(|r| r.median().is_finite())
                .collect();
            let (Some(fast), Some(slow)) = (
                matching.iter().min_by(|a, b| a.median().total_cmp(&b.median())),
                matching.iter().max_by(|a, b| a.median().total_cmp(&b.median())),
            ) else {
                continue;
            };
            let label = |r: &ResultRow| format!("{} {}", r.key.runtime, r.key.api);
            out.push(SeedRow {
                benchmark: bench.to_string(),
                host: host.to_string(),
                scenario: scenario.to_string(),
                params: fast.key.params.clone(),
                rows: matching.len(),
                min_ns: fast.median(),
                max_ns: slow.median(),
                fastest: label(fast),
                slowest: label(slow),
                main_source: main_source(rows, fast),
            });
        }
    }
    out
}

/// Names the largest part of the fastest row's time, with its share, from other rows
/// of the same runtime.
fn main_source(rows: &[ResultRow], row: &ResultRow) -> String {
    let k = &row.key;
    let v = View::of(rows, &k.host, &k.runtime);
    let total = row.median();
    let floor = floor(rows, &k.host);
    let default_call = v.apis("noop").first().copied().unwrap_or("");
    let noop = v.get("noop", default_call, None);
    match k.scenario.as_str() {
        "native_call" => match floor {
            Some(f) => format!("a plain call, no boundary: {} of it is the timing loop itself", pct(f, total)),
            None => "a plain call, no boundary".into(),
        },
        "noop" => match floor {
            Some(f) => format!("the host-to-Wasm crossing: {} of the time; the loop is {}", pct(total - f, total), pct(f, total)),
            None => "the host-to-Wasm crossing".into(),
        },
        "add" => match v.get("noop", &k.api, None) {
            Some(n) => format!(
                "the crossing ({}); passing two i32 and the result adds {:.1} ns",
                pct(n, total),
                total - n
            ),
            None => "the crossing".into(),
        },
        "string_roundtrip" | "sum_array" => {
            let bytes = match k.scenario.as_str() {
                "sum_array" => k.param().unwrap_or(0) * 4,
                _ => k.param().unwrap_or(0),
            };
            let copy = |s: &str| -> Option<f64> {
                let pts = v.series(s, &k.api);
                crate::stats::fit_line_relative(&pts).map(|l| l.intercept + l.slope * bytes as f64)
            };
            let copy_in = copy("copy_in");
            let copy_out = if k.scenario == "string_roundtrip" { copy("copy_out") } else { Some(0.0) };
            let compute = if k.scenario == "sum_array" {
                v.any("sum_array_resident", k.param()).map(|(_, ns)| ns)
            } else {
                None
            };
            match (noop, copy_in, copy_out) {
                (Some(n), Some(ci), Some(co)) => {
                    let mut parts = vec![("crossing", n), ("copying", ci + co)];
                    match compute {
                        Some(c) => parts.push(("call and compute", c)),
                        None => parts.push(("compute and arguments", (total - n - ci - co).max(0.0))),
                    }
                    parts.sort_by(|a, b| b.1.total_cmp(&a.1));
                    let text: Vec<String> = parts.iter().map(|(name, ns)| format!("{name} {}", pct(*ns, total))).collect();
                    format!("{} ({bytes} B through linear memory)", text.join(", "))
                }
                _ => format!("copying {bytes} B through linear memory and the crossing (run copy_in, copy_out and noop to split it)"),
            }
        }
        "native_sum" => {
            let guest = rows.iter().find(|r| {
                r.key.host == k.host && r.key.scenario == "sum_array_resident" && r.key.param() == k.param()
            });
            match guest {
                Some(g) => format!(
                    "compute only; the guest's own sum of the same array takes {:.1}x as long ({})",
                    g.median() / total,
                    g.key.runtime
                ),
                None => "compute only".into(),
            }
        }
        _ => String::new(),
    }
}
