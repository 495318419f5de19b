//! The founding document's results table ("benchmark / expected range / main source of
//! overhead"), filled with what this run measured, and each of its cases split into parts
//! that add up to the measured total by construction.
//!
//! A case's parts come from other rows of the same runtime (the harness floor, noop, add,
//! the fitted copy lines, the guest's compute on resident data), all resampled together
//! so that the parts and the remainder (`other`) share one bootstrap. A part whose interval
//! reaches zero is "below noise" and drawn as zero (its time stays in `other`). When the
//! significant parts add to more than the measured total (they come from other rows), they
//! are scaled down to it and the overshoot is recorded, so the parts always sum to the total
//! and the shares to 100%.

use super::{default_call_api, floor, Verdict, View};
use crate::stats::fit_line_relative;
use crate::results::{Params, ResultRow, RuntimeInfo};
use crate::stats::bootstrap::{self, RESAMPLES};
use crate::stats::CONFIDENCE;
use crate::units::ns;
use serde::{Deserialize, Serialize};

/// One part of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// `harness loop`, `crossing`, `arguments`, `copy in`, `copy out`, `compute (guest)`, `other`.
    pub name: String,
    /// The estimate from the rows (ns) and its 95% bootstrap interval.
    pub value: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Drawn as zero, its time left in `other`: its interval reaches zero, or lies wholly
    /// below it (`verdict` says which).
    pub below_noise: bool,
    /// What the reports print for it (see [`Verdict`]).
    #[serde(default)]
    pub verdict: Verdict,
    /// What is drawn and counted (ns): the parts' `shown` add up to the case's total.
    pub shown: f64,
    /// `shown / total`: the shares add up to 1.
    pub share: f64,
    pub derivation: String,
}

impl Part {
    /// `12.3 ns`, or for a part drawn as zero `below noise (± 0.4 ns)` or `rows disagree
    /// (by 2.36 ns – 8.05 ns)`, as a component says it (`other`, the remainder, is always
    /// its drawn value).
    pub fn text(&self) -> String {
        if self.below_noise && self.name != "other" {
            crate::units::estimate(self.value, self.ci_low, self.ci_high, "ns", self.verdict)
        } else {
            ns(self.shown)
        }
    }

    /// `arguments 3.00 ns`, `arguments below noise (± 0.4 ns)`, `arguments: rows disagree
    /// (by 2.36 ns – 8.05 ns)`.
    pub fn named_text(&self) -> String {
        let sep = if self.verdict == Verdict::BelowZero && self.name != "other" { ": " } else { " " };
        format!("{}{sep}{}", self.name, self.text())
    }
}

/// One measured row of a seed case, split into its parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseSplit {
    /// The seed's benchmark name, e.g. `WasmSumArray`.
    pub benchmark: String,
    pub host: String,
    pub runtime: String,
    pub api: String,
    pub scenario: String,
    #[serde(default, skip_serializing_if = "Params::is_empty")]
    pub params: Params,
    /// The row's estimate (mean ns per op) and its 95% bootstrap interval.
    pub total: f64,
    pub total_ci_low: f64,
    pub total_ci_high: f64,
    /// The parts, `other` last; their `shown` values add up to `total`.
    pub parts: Vec<Part>,
    /// ns by which the significant parts exceeded the total before they were scaled to it (0 when they did not).
    pub overshoot: f64,
    /// Inputs this run lacks, so their parts are in `other`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

impl CaseSplit {
    pub fn label(&self) -> String {
        format!("{} {} {}", self.host, self.runtime, self.api)
    }

    /// Whole percentages of the drawn parts (largest remainder: they add up to 100), in
    /// the order of the parts; parts drawn as zero have none.
    pub fn percentages(&self) -> Vec<(&str, u32)> {
        let drawn: Vec<&Part> = self.parts.iter().filter(|p| p.shown > 0.0).collect();
        let exact: Vec<f64> = drawn.iter().map(|p| 100.0 * p.share).collect();
        let mut whole: Vec<u32> = exact.iter().map(|x| x.floor() as u32).collect();
        let mut left = 100u32.saturating_sub(whole.iter().sum());
        let mut order: Vec<usize> = (0..exact.len()).collect();
        order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b)));
        for i in order {
            if left == 0 {
                break;
            }
            whole[i] += 1;
            left -= 1;
        }
        drawn.iter().zip(whole).map(|(p, w)| (p.name.as_str(), w)).collect()
    }

    /// The prose of "main source of overhead": the parts by share (`other` last), then the
    /// parts below noise.
    pub fn prose(&self) -> String {
        // Parts that round to 0% are left out of the prose (the rest still add up to 100%).
        let mut pcts: Vec<(&str, u32)> = self.percentages().into_iter().filter(|p| p.1 > 0).collect();
        pcts.sort_by(|a, b| (a.0 == "other").cmp(&(b.0 == "other")).then(b.1.cmp(&a.1)));
        let mut text = pcts.iter().map(|(n, p)| format!("{n} {p}%")).collect::<Vec<_>>().join(", ");
        let noise: Vec<String> =
            self.parts.iter().filter(|p| p.below_noise && p.name != "other").map(|p| p.named_text()).collect();
        if !noise.is_empty() {
            text.push_str(&format!("; {}", noise.join(", ")));
        }
        if self.overshoot > 0.0 {
            text.push_str(&format!("; the parts, measured on other rows, exceed this row by {} and are scaled to it", ns(self.overshoot)));
        }
        text
    }
}

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
    /// Where the time goes: the split of the fastest row, in prose.
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

fn hosts(rows: &[ResultRow]) -> Vec<&str> {
    let mut hosts: Vec<&str> = Vec::new();
    for r in rows {
        if !hosts.contains(&r.key.host.as_str()) {
            hosts.push(&r.key.host);
        }
    }
    hosts
}

/// Every row of every seed case, split.
pub fn seed_cases(rows: &[ResultRow], infos: &[RuntimeInfo]) -> Vec<CaseSplit> {
    let mut out = Vec::new();
    for host in hosts(rows) {
        for &(bench, scenario, param) in SEED_BENCHMARKS {
            for row in rows.iter().filter(|r| r.key.host == host && r.key.scenario == scenario && r.key.param() == param) {
                if row.estimate().is_finite() && !row.sample_ns_per_op.is_empty() {
                    out.push(split(rows, infos, row, bench));
                }
            }
        }
    }
    out
}

pub(crate) type Stat = Box<dyn Fn(&[f64]) -> f64>;

/// Splits one row of a seed case.
fn split<'a>(rows: &'a [ResultRow], infos: &[RuntimeInfo], row: &'a ResultRow, bench: &str) -> CaseSplit {
    let k = &row.key;
    let v = View::of(rows, &k.host, &k.runtime);
    let mut inputs: Vec<&'a ResultRow> = vec![row];
    let mut at = |r: &'a ResultRow| -> usize {
        inputs.push(r);
        inputs.len() - 1
    };
    let mut parts: Vec<(&str, String, Stat)> = Vec::new();
    let mut missing = Vec::new();
    let f = floor(rows, &k.host).map(|r| at(r));
    match f {
        Some(fi) => parts.push(("harness loop", "empty: the timed loop around nothing".into(), Box::new(move |m| m[fi]))),
        None => missing.push("empty (the harness floor)".to_string()),
    }
    let fl = move |m: &[f64]| f.map_or(0.0, |i| m[i]);
    let wasm = !matches!(k.scenario.as_str(), "native_call" | "native_sum");
    if wasm {
        let call_api = match k.scenario.as_str() {
            "noop" | "add" => Some(k.api.as_str()),
            _ => default_call_api(rows, infos, &k.host, &k.runtime),
        };
        let noop = call_api.and_then(|a| v.row("noop", a, None));
        let add = call_api.and_then(|a| v.row("add", a, None));
        let api = call_api.unwrap_or("");
        let ni = noop.map(|r| if std::ptr::eq(r, row) { 0 } else { at(r) });
        let ai = add.map(|r| if std::ptr::eq(r, row) { 0 } else { at(r) });
        match ni {
            Some(n) => parts.push(("crossing", format!("noop ({api}) - empty"), Box::new(move |m| m[n] - fl(m)))),
            None => missing.push(format!("noop ({api})")),
        }
        if k.scenario != "noop" {
            match (ai, ni) {
                (Some(a), Some(n)) => parts.push(("arguments", format!("add - noop ({api})"), Box::new(move |m| m[a] - m[n]))),
                _ => missing.push(format!("add ({api})")),
            }
        }
        if matches!(k.scenario.as_str(), "string_roundtrip" | "sum_array") {
            let bytes = match k.scenario.as_str() {
                "sum_array" => k.param().unwrap_or(0) * 4,
                _ => k.param().unwrap_or(0),
            } as f64;
            let dirs: &[(&str, &str)] =
                if k.scenario == "string_roundtrip" { &[("copy_in", "copy in"), ("copy_out", "copy out")] } else { &[("copy_in", "copy in")] };
            for &(scenario, name) in dirs {
                let series = v.series(scenario, &k.api);
                if series.len() < 2 {
                    missing.push(format!("{scenario} ({})", k.api));
                    continue;
                }
                let idx: Vec<usize> = series.iter().map(|r| at(r)).collect();
                let xs: Vec<f64> = series.iter().map(|r| r.key.param().unwrap_or(0) as f64).collect();
                let how = format!("the fitted {scenario} line ({}) at {bytes} B - empty", k.api);
                parts.push((
                    name,
                    how,
                    Box::new(move |m| {
                        let pts: Vec<(f64, f64)> = xs.iter().zip(&idx).map(|(x, &i)| (*x, m[i])).collect();
                        fit_line_relative(&pts).map_or(f64::NAN, |l| l.intercept + l.slope * bytes) - fl(m)
                    }),
                ));
            }
            if k.scenario == "sum_array" {
                match (v.any("sum_array_resident", k.param()), ai) {
                    (Some(res), Some(a)) => {
                        let ri = at(res);
                        parts.push(("compute (guest)", "sum_array_resident - add".into(), Box::new(move |m| m[ri] - m[a])));
                    }
                    _ => missing.push("sum_array_resident".into()),
                }
            }
        }
    }

    let other_what = match k.scenario.as_str() {
        "native_call" => "the call itself",
        "native_sum" => "the sum itself",
        "string_roundtrip" => "the guest's reverse and what the parts miss",
        "sum_array" => "what the parts miss",
        _ => "what the parts miss",
    };
    let label = format!("seed/{}/{}/{}/{}", k.host, k.runtime, k.api, k.case_label());
    assemble(bench, row, &inputs, parts, missing, &label, other_what)
}

/// The parts of a case, each a function of the means of `inputs` (`inputs[0]` the case's
/// own row, the total), made to add up to the total: a part whose interval reaches zero
/// is drawn as zero (its time stays in `other`), and parts that exceed the total are scaled
/// down to it (the overshoot is recorded). One bootstrap, seeded by `label`, for all.
pub(crate) fn assemble(
    bench: &str,
    row: &ResultRow,
    inputs: &[&ResultRow],
    parts: Vec<(&str, String, Stat)>,
    mut missing: Vec<String>,
    label: &str,
    other_what: &str,
) -> CaseSplit {
    let k = &row.key;
    let samples: Vec<&[f64]> = inputs.iter().map(|r| r.used_ns_per_op.as_slice()).collect();
    let reps = bootstrap::estimates(&samples, RESAMPLES, bootstrap::seed_of(label));
    let (total, total_lo, total_hi) = reps.estimate(CONFIDENCE, |m| m[0]);
    let mut out: Vec<Part> = Vec::new();
    let mut significant: Vec<&Stat> = Vec::new();
    for (name, how, stat) in &parts {
        let (value, lo, hi) = reps.estimate(CONFIDENCE, |m| stat(m));
        if !value.is_finite() {
            missing.push(format!("{name} (could not be computed)"));
            continue;
        }
        let verdict = Verdict::of_cost(value, lo, hi);
        let below = verdict.drawn_as_zero();
        if !below {
            significant.push(stat);
        }
        out.push(Part {
            name: name.to_string(),
            value,
            ci_low: lo,
            ci_high: hi,
            below_noise: below,
            verdict,
            shown: if below { 0.0 } else { value },
            share: 0.0,
            derivation: how.clone(),
        });
    }
    let (other, other_lo, other_hi) =
        reps.estimate(CONFIDENCE, |m| m[0] - significant.iter().map(|s| s(m)).sum::<f64>());
    let explained: f64 = out.iter().map(|p| p.shown).sum();
    let mut overshoot = 0.0;
    let other_shown = if other >= 0.0 {
        other
    } else {
        overshoot = explained - total;
        let scale = if explained > 0.0 { total / explained } else { 0.0 };
        for p in &mut out {
            p.shown *= scale;
        }
        0.0
    };
    let other_verdict = Verdict::of_cost(other, other_lo, other_hi);
    out.push(Part {
        name: "other".into(),
        value: other,
        ci_low: other_lo,
        ci_high: other_hi,
        below_noise: other_verdict.drawn_as_zero(),
        verdict: other_verdict,
        shown: other_shown,
        share: 0.0,
        derivation: format!("the total less the parts above: {other_what}"),
    });
    for p in &mut out {
        p.share = if total > 0.0 { p.shown / total } else { 0.0 };
    }
    CaseSplit {
        benchmark: bench.to_string(),
        host: k.host.clone(),
        runtime: k.runtime.clone(),
        api: k.api.clone(),
        scenario: k.scenario.clone(),
        params: k.params.clone(),
        total,
        total_ci_low: total_lo,
        total_ci_high: total_hi,
        parts: out,
        overshoot,
        missing,
    }
}

pub fn seed_table(rows: &[ResultRow], cases: &[CaseSplit]) -> Vec<SeedRow> {
    let mut out = Vec::new();
    for host in hosts(rows) {
        for &(bench, scenario, _) in SEED_BENCHMARKS {
            let matching: Vec<&CaseSplit> = cases.iter().filter(|c| c.host == host && c.benchmark == bench).collect();
            let (Some(fast), Some(slow)) = (
                matching.iter().min_by(|a, b| a.total.total_cmp(&b.total)),
                matching.iter().max_by(|a, b| a.total.total_cmp(&b.total)),
            ) else {
                continue;
            };
            out.push(SeedRow {
                benchmark: bench.to_string(),
                host: host.to_string(),
                scenario: scenario.to_string(),
                params: fast.params.clone(),
                rows: matching.len(),
                min_ns: fast.total,
                max_ns: slow.total,
                fastest: format!("{} {}", fast.runtime, fast.api),
                slowest: format!("{} {}", slow.runtime, slow.api),
                main_source: main_source(rows, fast),
            });
        }
    }
    out
}

/// The prose of the fastest row's split, with what the case is about.
fn main_source(rows: &[ResultRow], c: &CaseSplit) -> String {
    let parts = c.prose();
    // A translated row the harness cannot tell from its floor says so first.
    let at_floor = rows
        .iter()
        .find(|r| {
            r.key.host == c.host
                && r.key.runtime == c.runtime
                && r.key.api == c.api
                && r.key.scenario == c.scenario
                && r.key.params == c.params
        })
        .filter(|r| super::is_translated(&r.key.runtime))
        .and_then(|r| super::floor_check(r, rows))
        .filter(|f| f.within);
    if let Some(f) = at_floor {
        return format!(
            "at the harness floor ({:.2} ns): the call's own cost is below what the harness resolves; {}",
            f.floor_ns,
            main_source_parts(rows, c, parts)
        );
    }
    main_source_parts(rows, c, parts)
}

fn main_source_parts(rows: &[ResultRow], c: &CaseSplit, parts: String) -> String {
    let bytes = match c.scenario.as_str() {
        "sum_array" => c.params.values().next().copied().unwrap_or(0) * 4,
        _ => c.params.values().next().copied().unwrap_or(0),
    };
    match c.scenario.as_str() {
        "native_call" => format!("a plain call, no boundary: {parts}"),
        "noop" => format!("the host-to-Wasm crossing: {parts}"),
        "add" => format!("the crossing and two i32 in, one out: {parts}"),
        "string_roundtrip" | "sum_array" => format!("{parts} ({bytes} B through linear memory)"),
        "native_sum" => {
            let guest = rows.iter().find(|r| {
                r.key.host == c.host && r.key.scenario == "sum_array_resident" && r.key.params == c.params
            });
            match guest {
                Some(g) => format!(
                    "compute only: {parts}; the guest's own sum of the same array takes {:.1}x as long ({})",
                    g.estimate() / c.total,
                    g.key.runtime
                ),
                None => format!("compute only: {parts}"),
            }
        }
        _ => parts,
    }
}
