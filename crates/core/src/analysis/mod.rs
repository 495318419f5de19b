//! The cost model: one decomposition of what a call costs, each part with its interval,
//! and the founding document's cases split into parts that add up to their totals.
//! Pure functions of the result rows (and the runtimes' attributes): every report reads
//! this model, and `report` rebuilds it from a results file.
//!
//! Intervals: a component is a function of the estimates (means) of the rows it is computed from;
//! its interval is the 95% percentile bootstrap of that function, each row's samples
//! resampled on their own ([`crate::stats::bootstrap`], seeded by the component's name, so
//! the same file always gives the same intervals). A cost whose interval reaches zero is
//! "below noise (± x)", never a negative number.

mod advice;
mod engines;
mod layers;
mod own;
mod seed;
mod variants;

pub use advice::{advice, floor_check, is_translated, tied_text, tied_with, what_it_takes, Advice, BreakEven, BuildCost, FloorCheck};
pub use engines::{engine_matrix, Cell, EngineMatrix, MatrixRow};
pub use layers::{batched_crossing, cgo_layers, LAYER_CASES};
pub use own::{by_case_and_host, case_of, module_components, own_advice, own_cases, own_count_layers, parts_text, MODULE_PART, OWN_REFERENCE};
pub use variants::{variants, VariantCell, VariantRow, Variants, BOUNDS_SUFFIX};
pub use seed::{seed_cases, seed_table, CaseSplit, Part, SeedRow, SEED_BENCHMARKS};

use crate::results::{Params, ResultRow, RuntimeInfo};
use crate::stats::bootstrap::{self, RESAMPLES};
use crate::stats::{fit_line_relative, CONFIDENCE};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What a derived cost says, the same in every report and in the JSON: a value
/// (`measured`: its interval lies above zero), `below_noise` (its interval reaches zero:
/// the rows cannot tell it from zero) or `below_zero` (its interval lies wholly below zero:
/// the rows it is the difference of, measured apart, disagree beyond their noise, or a step
/// of a chain goes down). The last two are drawn as zero and never printed as a negative
/// cost. A ratio is always `measured`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    #[default]
    Measured,
    BelowNoise,
    BelowZero,
}

impl Verdict {
    /// Of a cost's estimate and its 95% interval.
    pub fn of_cost(value: f64, ci_low: f64, ci_high: f64) -> Verdict {
        if ci_high < 0.0 {
            Verdict::BelowZero
        } else if ci_low > 0.0 && value > 0.0 {
            Verdict::Measured
        } else {
            Verdict::BelowNoise
        }
    }

    /// Drawn and counted as zero (below noise or below zero).
    pub fn drawn_as_zero(self) -> bool {
        self != Verdict::Measured
    }
}

/// One part of the cost, for one host, runtime and API path (long format: one value a row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Component {
    pub host: String,
    pub runtime: String,
    pub api: String,
    /// e.g. `crossing`, `copy_in_per_byte`; see [`COMPONENTS`].
    pub component: String,
    /// The scenario a layer is of (`noop` or `add` for the cgo layers); empty otherwise.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub case: String,
    #[serde(default, skip_serializing_if = "Params::is_empty")]
    pub params: Params,
    /// The estimate: the function of the rows' estimates.
    pub value: f64,
    /// Its 95% bootstrap interval, in the same unit.
    pub ci_low: f64,
    pub ci_high: f64,
    /// `ns`, `ns/B`, `ms`, `us` or `x` (a ratio).
    pub unit: String,
    /// How it was derived from the rows, e.g. `noop - empty`.
    pub derivation: String,
    /// The Go host's counters per operation of the row the component describes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub counters: BTreeMap<String, f64>,
    /// The guest build variant it was derived from, when not the file's primary one
    /// (e.g. `alloc_roundtrip` of `os-wee_alloc`); empty otherwise.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub guest_variant: String,
    /// What the reports print for it (from value and interval; see [`Verdict`]).
    #[serde(default)]
    pub verdict: Verdict,
}

impl Component {
    /// The component's name with its case and parameters, e.g. `compute_ratio (len=10000)`.
    pub fn label(&self) -> String {
        let mut label = self.component.clone();
        if !self.case.is_empty() {
            label.push_str(&format!(" ({})", self.case));
        }
        for (k, v) in &self.params {
            label.push_str(&format!(" ({k}={v})"));
        }
        if !self.guest_variant.is_empty() {
            label.push_str(&format!(" [guest {}]", self.guest_variant));
        }
        label
    }

    /// A cost (time), as opposed to a ratio: it cannot be below zero.
    pub fn is_cost(&self) -> bool {
        is_cost_unit(&self.unit)
    }

    /// A cost drawn as zero: its interval reaches zero, or lies below it when rows measured
    /// apart disagree by more than their own noise.
    pub fn below_noise(&self) -> bool {
        self.verdict.drawn_as_zero()
    }

    /// Below zero beyond its interval: the rows it comes from disagree (see the warnings).
    pub fn negative_beyond_noise(&self) -> bool {
        self.verdict == Verdict::BelowZero
    }

    /// What every report prints: `13.0 ns`, `below noise (± 0.42 ns)`, or, for a cost
    /// wholly below zero, `rows disagree (by 289 ns – 897 ns)` (see the warnings).
    pub fn text(&self) -> String {
        crate::units::estimate(self.value, self.ci_low, self.ci_high, &self.unit, self.verdict)
    }

    /// `12.8 ns – 13.2 ns`.
    pub fn interval_text(&self) -> String {
        crate::units::interval(self.ci_low, self.ci_high, &self.unit)
    }
}

/// A time (`ns`, `ns/B`, `ms`, `us`), as opposed to a ratio (`x`): it cannot be below zero.
fn is_cost_unit(unit: &str) -> bool {
    matches!(unit, "ns" | "ns/B" | "ms" | "us")
}

/// Every component the analysis can derive, in display order, with its meaning.
pub const COMPONENTS: &[(&str, &str)] = &[
    ("crossing", "host-to-Wasm call of no_op, over the harness floor"),
    ("arguments", "two i32 in and one out (add) over the bare crossing (noop)"),
    ("ffi_call", "cgo layer 1: one bare cgo call (the host's native ffi_call over the floor)"),
    ("engine_entry", "cgo layer 2: the direct C-API path's unchecked call less one bare cgo call: entering the engine"),
    ("capi_checks", "cgo layer 3: the direct path's checked call less its unchecked call: the C API's value checking"),
    ("engine_entry_and_checks", "cgo layers 2+3 where the C API has no unchecked call (wasm.h): the direct checked call less one bare cgo call"),
    ("go_binding", "cgo layer 4: the Go binding's call less the direct checked call: what the binding adds"),
    ("binding_and_engine", "for a cgo engine without a direct C-API path: the crossing less one bare cgo call"),
    ("batched_crossing_per_call", "one Wasm call inside a batch of k made by one cgo call (batch_crossing at the largest k / k)"),
    ("host_call", "each Wasm-to-host call: slope of host_import over its call count"),
    ("copy_in_fixed", "fixed cost of one copy into guest memory"),
    ("copy_in_per_byte", "cost per byte copied into guest memory"),
    ("copy_out_fixed", "fixed cost of one copy out of guest memory"),
    ("copy_out_per_byte", "cost per byte copied out of guest memory"),
    ("alloc_roundtrip", "the guest's allocate + deallocate pair, per call (alloc_per_call - roundtrip)"),
    ("compute_ratio", "guest sum_array (data resident) over the native sum of the same array"),
    ("native_vectorization", "what auto-vectorization saves the host's own sum: native_sum_scalar (a loop the compiler cannot vectorize) - native_sum"),
    ("guest_simd", "what WebAssembly SIMD saves the guest's sum: sum_array_resident on the guest built without simd128 - the same guest built with it"),
    ("bounds_checks", "what explicit bounds checks cost the guest's code: sum_array_resident on the engine's explicit-checks configuration (`:bounds`) - on its default (guard pages)"),
    ("batch_per_add", "one addition inside batch_add, copies included, against one add call"),
    ("compile", "bytes to compiled module"),
    ("deserialize", "start-up mitigation: an ahead-of-time compiled (serialized) module loaded back, against compile"),
    ("instantiate", "compiled module to a ready instance"),
    ("instantiate_pre", "start-up mitigation: instantiation with the imports resolved once (InstancePre), against instantiate"),
    ("wasi_link", "a scenario file's instantiation with the engine's own WASI linked, over the same with the module's WASI imports as plain host functions (rows wasi=1 - wasi=0)"),
    ("first_call_penalty", "first call on a fresh instance over a steady-state add (Go host: add with the collector off)"),
    ("gc_per_call", "Go host: what the collector and finalizers add to a call (default collector against SetGCPercent(-1))"),
    ("gc_load_per_call", "Go host: what a background garbage load (32 MiB live, 64 MiB/s) adds to a call on top"),
];

/// The whole model of one results file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    pub components: Vec<Component>,
    pub seed_cases: Vec<CaseSplit>,
    pub seed_table: Vec<SeedRow>,
    pub engines: Vec<EngineMatrix>,
}

pub fn model(rows: &[ResultRow], runtimes: &[RuntimeInfo]) -> Model {
    let mut components = decompose(rows);
    components.extend(cgo_layers(rows, runtimes));
    components.extend(batched_crossing(rows));
    let seed_cases = seed_cases(rows, runtimes);
    let seed_table = seed_table(rows, &seed_cases);
    let engines = engine_matrix(rows, &components);
    Model { components, seed_cases, seed_table, engines }
}

/// A statistic of several rows' estimates (means): (estimate, ci_low, ci_high), by a bootstrap
/// seeded with `label`.
pub(crate) fn estimate(inputs: &[&ResultRow], label: &str, f: impl Fn(&[f64]) -> f64) -> (f64, f64, f64) {
    let samples: Vec<&[f64]> = inputs.iter().map(|r| r.used_ns_per_op.as_slice()).collect();
    bootstrap::estimates(&samples, RESAMPLES, bootstrap::seed_of(label)).estimate(CONFIDENCE, f)
}

/// Rows of one host and runtime, looked up by scenario, api and parameter.
pub(crate) struct View<'a> {
    pub rows: Vec<&'a ResultRow>,
}

impl<'a> View<'a> {
    pub fn of(rows: &'a [ResultRow], host: &str, runtime: &str) -> View<'a> {
        View { rows: rows.iter().filter(|r| r.key.host == host && r.key.runtime == runtime).collect() }
    }

    pub fn row(&self, scenario: &str, api: &str, param: Option<u64>) -> Option<&'a ResultRow> {
        self.rows.iter().copied().find(|r| r.key.scenario == scenario && r.key.api == api && r.key.param() == param)
    }

    /// Any API of a scenario (for scenarios measured in one API only).
    pub fn any(&self, scenario: &str, param: Option<u64>) -> Option<&'a ResultRow> {
        self.rows.iter().copied().find(|r| r.key.scenario == scenario && r.key.param() == param)
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

    /// The rows of a scenario and API that have a parameter, in parameter order.
    pub fn series(&self, scenario: &str, api: &str) -> Vec<&'a ResultRow> {
        let mut pts: Vec<&ResultRow> = self
            .rows
            .iter()
            .copied()
            .filter(|r| r.key.scenario == scenario && r.key.api == api && r.key.param().is_some())
            .collect();
        pts.sort_by_key(|r| r.key.param());
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
pub(crate) fn floor<'a>(rows: &'a [ResultRow], host: &str) -> Option<&'a ResultRow> {
    rows.iter().find(|r| r.key.host == host && r.key.scenario == "empty")
}

/// The runtime's default call API: the first it lists that was measured on noop, else the
/// first measured on noop.
pub(crate) fn default_call_api<'a>(rows: &'a [ResultRow], infos: &'a [RuntimeInfo], host: &str, runtime: &str) -> Option<&'a str> {
    let noop: Vec<&str> = rows
        .iter()
        .filter(|r| r.key.host == host && r.key.runtime == runtime && r.key.scenario == "noop")
        .map(|r| r.key.api.as_str())
        .collect();
    infos
        .iter()
        .find(|i| i.host == host && i.runtime == runtime)
        .and_then(|i| i.call_apis.iter().map(String::as_str).find(|a| noop.contains(a)))
        .or_else(|| noop.first().copied())
}

/// Components of one host and runtime, as they are derived.
pub(crate) struct Out {
    pub host: String,
    pub runtime: String,
    pub case: String,
    pub list: Vec<Component>,
}

impl Out {
    pub fn new(host: &str, runtime: &str) -> Out {
        Out { host: host.into(), runtime: runtime.into(), case: String::new(), list: Vec::new() }
    }

    /// Adds `f` of the inputs' estimates, with its interval; nothing when it is not finite.
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &mut self,
        api: &str,
        component: &str,
        params: Params,
        inputs: &[&ResultRow],
        unit: &str,
        derivation: String,
        f: impl Fn(&[f64]) -> f64,
    ) -> Option<&mut Component> {
        let label = format!("{}/{}/{}/{component}/{}/{params:?}", self.host, self.runtime, api, self.case);
        let (value, ci_low, ci_high) = estimate(inputs, &label, f);
        if !value.is_finite() {
            return None;
        }
        let verdict = if is_cost_unit(unit) { Verdict::of_cost(value, ci_low, ci_high) } else { Verdict::Measured };
        self.list.push(Component {
            verdict,
            host: self.host.clone(),
            runtime: self.runtime.clone(),
            api: api.to_string(),
            component: component.to_string(),
            case: self.case.clone(),
            params,
            value,
            ci_low,
            ci_high,
            unit: unit.to_string(),
            derivation,
            counters: BTreeMap::new(),
            guest_variant: String::new(),
        });
        self.list.last_mut()
    }
}

/// The least-squares line (relative) through a series' estimates: `None` when it cannot be fitted.
pub(crate) fn fit(series: &[&ResultRow], medians: &[f64]) -> Option<crate::stats::Line> {
    let pts: Vec<(f64, f64)> =
        series.iter().zip(medians).map(|(r, m)| (r.key.param().unwrap_or(0) as f64, *m)).collect();
    fit_line_relative(&pts)
}

/// `a - b` of the first two estimates.
fn diff(m: &[f64]) -> f64 {
    m[0] - m[1]
}

pub fn decompose(rows: &[ResultRow]) -> Vec<Component> {
    let mut all = Vec::new();
    for (host, runtime) in runtimes(rows) {
        if runtime == "native" {
            continue;
        }
        let v = View::of(rows, &host, &runtime);
        let native = View::of(rows, &host, "native");
        let mut out = Out::new(&host, &runtime);
        let floor = floor(rows, &host);
        for api in v.apis("noop") {
            let noop = v.row("noop", api, None).unwrap();
            match floor {
                Some(f) => out.add(api, "crossing", Params::new(), &[noop, f], "ns", "noop - empty".into(), diff),
                None => out.add(api, "crossing", Params::new(), &[noop], "ns", "noop (no floor measured)".into(), |m| m[0]),
            };
            if let Some(add) = v.row("add", api, None) {
                out.add(api, "arguments", Params::new(), &[add, noop], "ns", "add - noop".into(), diff);
            }
        }
        for api in v.apis("host_import") {
            let s = v.series("host_import", api);
            let how = "slope of host_import over calls".to_string();
            out.add(api, "host_call", Params::new(), &s, "ns", how, |m| fit(&s, m).map_or(f64::NAN, |l| l.slope));
        }
        for scenario in ["copy_in", "copy_out"] {
            for api in v.apis(scenario) {
                let s = v.series(scenario, api);
                let how = format!("fit of {scenario} over bytes");
                let fixed = format!("{scenario}_fixed");
                let per_byte = format!("{scenario}_per_byte");
                out.add(api, &fixed, Params::new(), &s, "ns", how.clone(), |m| fit(&s, m).map_or(f64::NAN, |l| l.intercept));
                out.add(api, &per_byte, Params::new(), &s, "ns/B", how, |m| fit(&s, m).map_or(f64::NAN, |l| l.slope));
            }
        }
        for api in v.apis("string_alloc_per_call") {
            let alloc: BTreeSet<u64> =
                v.series("string_alloc_per_call", api).iter().filter_map(|r| r.key.param()).collect();
            let smallest = v.series("string_roundtrip", api).iter().filter_map(|r| r.key.param()).find(|b| alloc.contains(b));
            if let Some(b) = smallest {
                let per_call = v.row("string_alloc_per_call", api, Some(b)).unwrap();
                let resident = v.row("string_roundtrip", api, Some(b)).unwrap();
                let how = format!("string_alloc_per_call - string_roundtrip at {b} B");
                out.add(api, "alloc_roundtrip", Params::from([("bytes".into(), b)]), &[per_call, resident], "ns", how, diff);
            }
        }
        if let Some(api) = v.apis("sum_array_resident").first().copied() {
            for guest in v.series("sum_array_resident", api) {
                let len = guest.key.param().unwrap();
                if let Some(nat) = native.any("native_sum", Some(len)) {
                    let how = "sum_array_resident / native_sum".to_string();
                    out.add(api, "compute_ratio", Params::from([("len".into(), len)]), &[guest, nat], "x", how, |m| m[0] / m[1]);
                }
            }
        }
        if let Some(api) = v.apis("batch_add").first().copied() {
            if let (Some(batch), Some(add)) = (v.series("batch_add", api).last().copied(), v.row("add", api, None)) {
                let n = batch.key.param().unwrap();
                let how = format!("batch_add at n={n} / n (one add call: {})", crate::units::ns(add.estimate()));
                out.add(api, "batch_per_add", Params::from([("n".into(), n)]), &[batch], "ns", how, |m| m[0] / n as f64);
            }
        }
        if let Some(c) = v.any("compile", None) {
            out.add(&c.key.api, "compile", Params::new(), &[c], "ms", "compile".into(), |m| m[0] / 1e6);
        }
        let compile = v.any("compile", None);
        if let Some(d) = v.any("deserialize", None) {
            let how = match compile {
                Some(c) => format!("deserialize ({:.0}x faster than compile)", c.estimate() / d.estimate()),
                None => "deserialize".into(),
            };
            out.add(&d.key.api, "deserialize", Params::new(), &[d], "us", how, |m| m[0] / 1e3);
        }
        let instantiate = v.any("instantiate", None);
        if let Some(i) = instantiate {
            out.add(&i.key.api, "instantiate", Params::new(), &[i], "us", "instantiate".into(), |m| m[0] / 1e3);
        }
        if let Some(p) = v.any("instantiate_pre", None) {
            let how = match instantiate {
                Some(i) => {
                    let label = format!("{host}/{runtime}/instantiate_pre against instantiate");
                    let (rel, lo, hi) = estimate(&[p, i], &label, |m| 100.0 * (m[0] / m[1] - 1.0));
                    if lo <= 0.0 && hi >= 0.0 {
                        format!("instantiate_pre (against instantiate: below noise, ± {:.0}%)", lo.abs().max(hi.abs()))
                    } else {
                        format!("instantiate_pre ({rel:+.0}% against instantiate, 95% CI {lo:+.0}% … {hi:+.0}%)")
                    }
                }
                None => "instantiate_pre".into(),
            };
            out.add(&p.key.api, "instantiate_pre", Params::new(), &[p], "us", how, |m| m[0] / 1e3);
        }
        // What linking WASI adds to instantiating (a scenario file with `wasi = true`): each
        // instantiate row with WASI (wasi=1) against its twin without (wasi=0).
        let wasi = crate::plugin::WASI_PARAM;
        let of_runtime = |r: &&ResultRow| r.key.host == host && r.key.runtime == runtime;
        for with in rows.iter().filter(of_runtime).filter(|r| r.key.params.get(wasi) == Some(&1)) {
            let mut params = with.key.params.clone();
            params.insert(wasi.to_string(), 0);
            let same = |r: &&ResultRow| r.key.scenario == with.key.scenario && r.key.api == with.key.api && r.key.params == params;
            if let Some(without) = rows.iter().filter(of_runtime).find(same) {
                let how = format!("{0}/wasi=1 - {0}/wasi=0", with.key.scenario);
                out.case = with.key.scenario.clone();
                out.add(&with.key.api, "wasi_link", Params::new(), &[with, without], "us", how, |m| (m[0] - m[1]) / 1e3);
                out.case.clear();
            }
        }
        // The steady call it is set against: on the Go host, add with the collector off where
        // measured. first_call's fresh instances are made outside its timed calls, and their
        // allocations dominate, so the collector's work (its own calls' share too) falls
        // mostly outside them, while a steady add carries its calls' whole share: against add,
        // wasmtime-go's first call read 570 ns *below* a steady call (2026-11-30: first_call
        // 1.9-2.3 us, add 2.3-2.8 us, add_gc_off 1.9-2.0 us).
        if let Some(first) = v.any("first_call", None) {
            let api = &first.key.api;
            let steady = v.row("add_gc_off", api, None).map(|a| (a, "first_call - add_gc_off")).or_else(|| v.row("add", api, None).map(|a| (a, "first_call - add")));
            if let Some((add, how)) = steady {
                out.add(api, "first_call_penalty", Params::new(), &[first, add], "ns", how.into(), diff);
            }
        }
        // The garbage collector's part (Go host): the seed's calls with the collector on
        // (the default rows) against the same calls with it off, and under a background
        // garbage load against the default.
        for (base, param) in [("noop", None), ("add", None), ("string_roundtrip", Some(51))] {
            let params = param.map(|b| Params::from([("bytes".to_string(), b)])).unwrap_or_default();
            for api in v.apis(&format!("{base}_gc_off")) {
                let (Some(on), Some(off)) = (v.row(base, api, param), v.row(&format!("{base}_gc_off"), api, param)) else {
                    continue;
                };
                let how = format!("{base} - {base}_gc_off: what the collector and the finalizers add to a call");
                out.add(api, "gc_per_call", params.clone(), &[on, off], "ns", how, diff);
                if let Some(load) = v.row(&format!("{base}_gc_load"), api, param) {
                    let how = format!("{base}_gc_load - {base}: a service's background garbage, on top");
                    out.add(api, "gc_load_per_call", params.clone(), &[load, on], "ns", how, diff);
                }
            }
        }
        all.extend(out.list);
    }
    all
}

#[cfg(test)]
mod tests;

/// What must hold of any model, checked by the tests on every fixture and on a fresh run
/// (and usable on any results file): each seed case's parts add up to its total, none is
/// drawn below zero, shares add up to 1 and whole percentages to 100; no cost is ever
/// printed as a negative number; every percentage in the seed table's prose lies in
/// 0..=100 and they add up to 100 per case. `strict` also requires that no component lies
/// below zero beyond its interval (true of the fixtures; a fresh run on a busy machine may
/// drift between rows, which the warnings report). Returns the violations, empty when none.
pub fn model_violations(r: &crate::results::ResultsFile, strict: bool) -> Vec<String> {
    let mut bad = Vec::new();
    for c in &r.derived.seed_cases {
        let name = format!("{} {}", c.label(), c.scenario);
        let drawn: f64 = c.parts.iter().map(|p| p.shown).sum();
        if (drawn - c.total).abs() > 1e-9 * c.total.abs().max(1.0) {
            bad.push(format!("{name}: parts add to {drawn}, total {}", c.total));
        }
        if c.parts.iter().any(|p| !(p.shown >= 0.0)) {
            bad.push(format!("{name}: a part is drawn below zero: {:?}", c.parts));
        }
        let shares: f64 = c.parts.iter().map(|p| p.share).sum();
        if c.total > 0.0 && (shares - 1.0).abs() > 1e-9 {
            bad.push(format!("{name}: shares add to {shares}"));
        }
        let pcts = c.percentages();
        if c.total > 0.0 && pcts.iter().map(|p| p.1).sum::<u32>() != 100 {
            bad.push(format!("{name}: percentages {pcts:?} do not add to 100"));
        }
        if c.parts.last().map(|p| p.name.as_str()) != Some("other") {
            bad.push(format!("{name}: no explicit other part"));
        }
    }
    for c in &r.derived.breakdown {
        let t = c.text();
        if t.starts_with('-') {
            bad.push(format!("{} {} {}: printed as {t}", c.host, c.runtime, c.label()));
        }
        if c.is_cost() && c.value < 0.0 && !c.below_noise() {
            bad.push(format!("{} {} {}: negative and not below noise", c.host, c.runtime, c.label()));
        }
        if strict && c.negative_beyond_noise() {
            bad.push(format!("{} {} {}: below zero beyond its interval ({} .. {})", c.host, c.runtime, c.label(), c.ci_low, c.ci_high));
        }
    }
    for s in &r.derived.seed_table {
        let pcts = percentages_in(&s.main_source);
        if pcts.iter().any(|p| *p > 100) {
            bad.push(format!("Benchmark{} {}: a percentage above 100 in {:?}", s.benchmark, s.host, s.main_source));
        }
        if !pcts.is_empty() && pcts.iter().sum::<u32>() != 100 {
            bad.push(format!("Benchmark{} {}: percentages add to {} in {:?}", s.benchmark, s.host, pcts.iter().sum::<u32>(), s.main_source));
        }
    }
    bad
}

/// Every `N%` in a text (a minus sign before it would not parse: no negative share passes).
pub fn percentages_in(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    for (i, _) in text.match_indices('%') {
        let mut j = i;
        while j > 0 && b[j - 1].is_ascii_digit() {
            j -= 1;
        }
        if j < i {
            if j > 0 && b[j - 1] == b'-' {
                out.push(u32::MAX);
            } else if let Ok(v) = text[j..i].parse() {
                out.push(v);
            }
        }
    }
    out
}
