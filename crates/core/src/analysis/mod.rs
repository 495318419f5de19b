//! Splits the cost of a call into its parts and fills the seed's results table.
//! Pure functions of the result rows: `report` rebuilds both from a results file.

mod advice;
mod engines;
mod seed;

pub use advice::{advice, what_it_takes, Advice};
pub use engines::{engine_matrix, EngineMatrix, MatrixRow};
pub use seed::{seed_table, SeedRow};

use crate::results::{Params, ResultRow};
use crate::stats::fit_line_relative;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One part of the cost, for one host, runtime and API path (long format: one value a row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Component {
    pub host: String,
    pub runtime: String,
    pub api: String,
    /// e.g. `crossing`, `copy_in_per_byte`; see [`COMPONENTS`].
    pub component: String,
    #[serde(default, skip_serializing_if = "Params::is_empty")]
    pub params: Params,
    pub value: f64,
    /// `ns`, `ns/B`, `ms`, `us` or `x` (a ratio).
    pub unit: String,
    /// How it was derived from the rows, e.g. `noop - empty`.
    pub derivation: String,
}

impl Component {
    /// The component's name with its parameters, e.g. `compute_ratio (len=10000)`.
    pub fn label(&self) -> String {
        let mut label = self.component.clone();
        for (k, v) in &self.params {
            label.push_str(&format!(" ({k}={v})"));
        }
        label
    }
}

/// Every component the analysis can derive, in display order, with its meaning.
pub const COMPONENTS: &[(&str, &str)] = &[
    ("crossing", "host-to-Wasm call of no_op, over the harness floor"),
    ("arguments", "two i32 in and one out (add) over the bare crossing (noop)"),
    ("ffi_call", "for an engine reached through cgo: one bare cgo call (the host's ffi_call), the least of its crossing"),
    ("engine_crossing", "for an engine reached through cgo: the crossing minus one bare cgo call"),
    ("host_call", "each Wasm-to-host call: slope of host_import over its call count"),
    ("copy_in_fixed", "fixed cost of one copy into guest memory"),
    ("copy_in_per_byte", "cost per byte copied into guest memory"),
    ("copy_out_fixed", "fixed cost of one copy out of guest memory"),
    ("copy_out_per_byte", "cost per byte copied out of guest memory"),
    ("alloc_roundtrip", "the guest's allocate + deallocate pair, per call (alloc_per_call - roundtrip)"),
    ("compute_ratio", "guest sum_array (data resident) over the native sum of the same array"),
    ("batch_per_add", "one addition inside batch_add, copies included, against one add call"),
    ("compile", "bytes to compiled module"),
    ("deserialize", "start-up mitigation: an ahead-of-time compiled (serialized) module loaded back, against compile"),
    ("instantiate", "compiled module to a ready instance"),
    ("instantiate_pre", "start-up mitigation: instantiation with the imports resolved once (InstancePre), against instantiate"),
    ("first_call_penalty", "first call on a fresh instance over a steady-state add"),
];

pub struct Analysis {
    pub components: Vec<Component>,
    pub seed_table: Vec<SeedRow>,
}

pub fn analyze(rows: &[ResultRow]) -> Analysis {
    Analysis { components: decompose(rows), seed_table: seed_table(rows) }
}

/// Rows of one host and runtime, looked up by scenario, api and parameter.
pub(crate) struct View<'a> {
    pub rows: Vec<&'a ResultRow>,
}

impl<'a> View<'a> {
    pub fn of(rows: &'a [ResultRow], host: &str, runtime: &str) -> View<'a> {
        View { rows: rows.iter().filter(|r| r.key.host == host && r.key.runtime == runtime).collect() }
    }

    pub fn get(&self, scenario: &str, api: &str, param: Option<u64>) -> Option<f64> {
        self.rows
            .iter()
            .find(|r| r.key.scenario == scenario && r.key.api == api && r.key.param() == param)
            .map(|r| r.median())
    }

    /// Any API of a scenario (for scenarios measured in one API only).
    pub fn any(&self, scenario: &str, param: Option<u64>) -> Option<(&'a str, f64)> {
        self.rows
            .iter()
            .find(|r| r.key.scenario == scenario && r.key.param() == param)
            .map(|r| (r.key.api.as_str(), r.median()))
    }

    pub fn apis(&self, scenario: &str) -> Vec<&'a str> {
        let mut seen = Vec::new();
        for r in &self.rows {
            if r.key.scenario == scenario && !seen.contains(&r.key.api.as_str()) {
                seen.push(r.key.api.as_str());
            }
        }
        seen
    }

    /// (param, median) of a scenario and API, in parameter order.
    pub fn series(&self, scenario: &str, api: &str) -> Vec<(f64, f64)> {
        let mut pts: Vec<(f64, f64)> = self
            .rows
            .iter()
            .filter(|r| r.key.scenario == scenario && r.key.api == api)
            .filter_map(|r| r.key.param().map(|p| (p as f64, r.median())))
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        pts
    }
}

/// (host, runtime) pairs in first-seen order.
pub(crate) fn runtimes(rows: &[ResultRow]) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    for r in rows {
        let k = (r.key.host.clone(), r.key.runtime.clone());
        if !seen.contains(&k) {
            seen.push(k);
        }
    }
    seen
}

/// The host's harness floor (`empty`), if measured.
pub(crate) fn floor(rows: &[ResultRow], host: &str) -> Option<f64> {
    rows.iter().find(|r| r.key.host == host && r.key.scenario == "empty").map(|r| r.median())
}

/// For runtimes reached through an FFI (the Go host's cgo engines, named in `ffi_runtimes`
/// as (host, runtime)): how much of each crossing one bare FFI call (`ffi_call`) explains,
/// and what is left for the engine.
pub fn ffi_components(rows: &[ResultRow], crossings: &[Component], ffi_runtimes: &[(String, String)]) -> Vec<Component> {
    let mut out = Vec::new();
    for c in crossings.iter().filter(|c| c.component == "crossing") {
        if !ffi_runtimes.iter().any(|(h, r)| *h == c.host && *r == c.runtime) {
            continue;
        }
        let Some(ffi) = rows.iter().find(|r| r.key.host == c.host && r.key.scenario == "ffi_call").map(|r| r.median())
        else {
            continue;
        };
        let share = if c.value > 0.0 { 100.0 * ffi / c.value } else { f64::NAN };
        for (component, value, derivation) in [
            ("ffi_call", ffi, format!("native ffi_call: {share:.0}% of this crossing")),
            ("engine_crossing", c.value - ffi, "crossing - ffi_call".to_string()),
        ] {
            out.push(Component {
                host: c.host.clone(),
                runtime: c.runtime.clone(),
                api: c.api.clone(),
                component: component.into(),
                params: Params::new(),
                value,
                unit: "ns".into(),
                derivation,
            });
        }
    }
    out
}

pub fn decompose(rows: &[ResultRow]) -> Vec<Component> {
    let mut out = Vec::new();
    for (host, runtime) in runtimes(rows) {
        if runtime == "native" {
            continue;
        }
        let v = View::of(rows, &host, &runtime);
        let native = View::of(rows, &host, "native");
        let mut push = |api: &str, component: &str, params: Params, value: f64, unit: &str, derivation: String| {
            if value.is_finite() {
                out.push(Component {
                    host: host.clone(),
                    runtime: runtime.clone(),
                    api: api.to_string(),
                    component: component.to_string(),
                    params,
                    value,
                    unit: unit.to_string(),
                    derivation,
                });
            }
        };
        let floor = floor(rows, &host);
        for api in v.apis("noop") {
            let noop = v.get("noop", api, None).unwrap();
            match floor {
                Some(f) => push(api, "crossing", Params::new(), noop - f, "ns", "noop - empty".into()),
                None => push(api, "crossing", Params::new(), noop, "ns", "noop (no floor measured)".into()),
            }
            if let Some(add) = v.get("add", api, None) {
                push(api, "arguments", Params::new(), add - noop, "ns", "add - noop".into());
            }
        }
        for api in v.apis("host_import") {
            if let Some(line) = fit_line_relative(&v.series("host_import", api)) {
                push(api, "host_call", Params::new(), line.slope, "ns", "slope of host_import over calls".into());
            }
        }
        for (scenario, prefix) in [("copy_in", "copy_in"), ("copy_out", "copy_out")] {
            for api in v.apis(scenario) {
                if let Some(line) = fit_line_relative(&v.series(scenario, api)) {
                    let how = format!("fit of {scenario} over bytes");
                    push(api, &format!("{prefix}_fixed"), Params::new(), line.intercept, "ns", how.clone());
                    push(api, &format!("{prefix}_per_byte"), Params::new(), line.slope, "ns/B", how);
                }
            }
        }
        for api in v.apis("string_alloc_per_call") {
            let alloc: BTreeSet<u64> =
                v.series("string_alloc_per_call", api).iter().map(|p| p.0 as u64).collect();
            let smallest = v.series("string_roundtrip", api).iter().map(|p| p.0 as u64).find(|b| alloc.contains(b));
            if let Some(b) = smallest {
                let per_call = v.get("string_alloc_per_call", api, Some(b)).unwrap();
                let resident = v.get("string_roundtrip", api, Some(b)).unwrap();
                push(
                    api,
                    "alloc_roundtrip",
                    Params::from([("bytes".into(), b)]),
                    per_call - resident,
                    "ns",
                    format!("string_alloc_per_call - string_roundtrip at {b} B"),
                );
            }
        }
        for (x, guest) in v.series("sum_array_resident", &v.apis("sum_array_resident").first().copied().unwrap_or("")) {
            if let Some((_, nat)) = native.any("native_sum", Some(x as u64)) {
                let api = v.apis("sum_array_resident")[0];
                push(
                    api,
                    "compute_ratio",
                    Params::from([("len".into(), x as u64)]),
                    guest / nat,
                    "x",
                    "sum_array_resident / native_sum".into(),
                );
            }
        }
        if let Some(api) = v.apis("batch_add").first().copied() {
            if let (Some(&(n, batch)), Some(add)) = (v.series("batch_add", api).last(), v.get("add", api, None)) {
                push(
                    api,
                    "batch_per_add",
                    Params::from([("n".into(), n as u64)]),
                    batch / n,
                    "ns",
                    format!("batch_add at n={n} / n (one add call: {add:.1} ns)"),
                );
            }
        }
        if let Some((api, ns)) = v.any("compile", None) {
            push(api, "compile", Params::new(), ns / 1e6, "ms", "compile".into());
        }
        let compile = v.any("compile", None).map(|(_, ns)| ns);
        if let Some((api, ns)) = v.any("deserialize", None) {
            let how = match compile {
                Some(c) => format!("deserialize ({:.0}x faster than compile)", c / ns),
                None => "deserialize".into(),
            };
            push(api, "deserialize", Params::new(), ns / 1e3, "us", how);
        }
        let instantiate = v.any("instantiate", None).map(|(_, ns)| ns);
        if let Some((api, ns)) = v.any("instantiate", None) {
            push(api, "instantiate", Params::new(), ns / 1e3, "us", "instantiate".into());
        }
        if let Some((api, ns)) = v.any("instantiate_pre", None) {
            let how = match instantiate {
                Some(i) => format!("instantiate_pre ({:+.0}% against instantiate)", 100.0 * (ns - i) / i),
                None => "instantiate_pre".into(),
            };
            push(api, "instantiate_pre", Params::new(), ns / 1e3, "us", how);
        }
        if let Some((api, first)) = v.any("first_call", None) {
            if let Some(add) = v.get("add", api, None) {
                push(api, "first_call_penalty", Params::new(), first - add, "ns", "first_call - add".into());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
