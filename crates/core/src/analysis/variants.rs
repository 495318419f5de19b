//! The guest's build and the sandbox's checks as dimensions: the same cases on each guest
//! build variant side by side (`run --guest-variants`), the guest's allocate/deallocate round
//! trip per allocator, and `sum_array_resident` split into what each step from the host's
//! vectorized sum to the sandboxed guest adds, in two chains that compare like with like:
//!
//! - native (vectorized) → native without vectorization (`native_sum_scalar`) → the guest
//!   without SIMD (the primary variant) → explicit bounds checks (the engine's `:bounds`
//!   configuration);
//! - native (vectorized) → the guest with SIMD (the primary's `-simd` sibling) → explicit
//!   bounds checks.
//!
//! Each step is a difference of measured rows with its bootstrap interval; the steps
//! telescope, so they add up to the last row measured, and a step whose interval reaches
//! zero is "below noise" (drawn as zero, its time in `other`), never a negative cost.

use super::seed::{assemble, CaseSplit, Stat};
use super::{decompose, runtimes, Component, Out, View};
use crate::results::{GuestVariant, Params, ResultRow};
use serde::{Deserialize, Serialize};

/// The runtime-name suffix of an engine configuration that checks every memory access
/// explicitly instead of relying on guard pages (`wasmtime:bounds`, `wasmer:bounds`,
/// `wasmer:singlepass:bounds`, `wasm2c:bounds`).
pub const BOUNDS_SUFFIX: &str = ":bounds";

/// The cases set side by side per variant: the founding document's sizes.
pub const VARIANT_CASES: &[(&str, Option<u64>)] = &[
    ("noop", None),
    ("add", None),
    ("string_roundtrip", Some(51)),
    ("string_alloc_per_call", Some(51)),
    ("sum_array", Some(10000)),
    ("sum_array_resident", Some(10000)),
    ("compile", None),
    ("instantiate", None),
];

/// The length of the compute chain: the seed's array.
pub const CHAIN_LEN: u64 = 10000;

/// One case on one engine, a cell per guest variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantRow {
    pub host: String,
    pub runtime: String,
    pub api: String,
    pub scenario: String,
    #[serde(default, skip_serializing_if = "Params::is_empty")]
    pub params: Params,
    pub cells: Vec<VariantCell>,
}

/// A variant's row: its mean ns per op with the 95% interval, and its ratio to the primary variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantCell {
    pub variant: String,
    pub mean: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// mean / the primary variant's mean (absent when the primary has no such row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio: Option<f64>,
}

/// What the analysis derives about the variants and the sandbox's checks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Variants {
    pub table: Vec<VariantRow>,
    pub components: Vec<Component>,
    pub splits: Vec<CaseSplit>,
}

/// `(without SIMD, with SIMD)` variant names of the primary variant's build: `o3` →
/// (`o3`, `o3-simd`), `os-simd-talc` → (`os-talc`, `os-simd-talc`).
pub fn simd_pair(primary: &str) -> (String, String) {
    let parts: Vec<&str> = primary.split('-').collect();
    if parts.contains(&"simd") {
        let without: Vec<&str> = parts.iter().copied().filter(|p| *p != "simd").collect();
        (without.join("-"), primary.to_string())
    } else {
        let mut with = parts.clone();
        with.insert(1.min(with.len()), "simd");
        (primary.to_string(), with.join("-"))
    }
}

fn variant_rows<'a>(rows: &'a [ResultRow], variant: &str) -> Vec<&'a ResultRow> {
    rows.iter().filter(|r| r.key.guest_variant == variant).collect()
}

fn find<'a>(rows: &[&'a ResultRow], host: &str, runtime: &str, scenario: &str, param: Option<u64>) -> Option<&'a ResultRow> {
    rows.iter()
        .copied()
        .find(|r| r.key.host == host && r.key.runtime == runtime && r.key.scenario == scenario && r.key.param() == param)
}

/// Everything about the variants and the checks, from all rows of a file.
pub fn variants(rows: &[ResultRow], described: &[GuestVariant], primary: &str) -> Variants {
    let mut names: Vec<String> = described.iter().map(|v| v.name.clone()).collect();
    for r in rows {
        if !names.contains(&r.key.guest_variant) {
            names.push(r.key.guest_variant.clone());
        }
    }
    let main: Vec<ResultRow> = rows.iter().filter(|r| r.key.guest_variant == primary).cloned().collect();
    let mut out = Variants::default();
    if names.len() > 1 {
        out.table = table(rows, &main, &names, primary);
        out.components.extend(per_variant(rows, &main, &names, primary));
    }
    out.components.extend(native_vectorization(&main));
    out.components.extend(guest_simd(rows, primary));
    out.components.extend(bounds_checks(&main));
    out.splits = chains(rows, &main, primary);
    out
}

fn table(rows: &[ResultRow], main: &[ResultRow], names: &[String], primary: &str) -> Vec<VariantRow> {
    let mut out = Vec::new();
    for (host, runtime) in runtimes(main) {
        if runtime == "native" {
            continue;
        }
        let v = View::of(main, &host, &runtime);
        for &(scenario, param) in VARIANT_CASES {
            // The engine's default path: the first API its primary rows have for the case.
            let Some(api) = v.apis(scenario).first().copied() else { continue };
            let Some(base) = v.row(scenario, api, param) else { continue };
            let mut cells = Vec::new();
            for name in names {
                let Some(r) = rows.iter().find(|r| {
                    r.key.guest_variant == *name
                        && r.key.host == host
                        && r.key.runtime == runtime
                        && r.key.api == api
                        && r.key.scenario == scenario
                        && r.key.param() == param
                }) else {
                    continue;
                };
                cells.push(VariantCell {
                    variant: name.clone(),
                    mean: r.ns_per_op.mean,
                    ci_low: r.ns_per_op.ci_low,
                    ci_high: r.ns_per_op.ci_high,
                    ratio: (name != primary && base.ns_per_op.mean > 0.0).then(|| r.ns_per_op.mean / base.ns_per_op.mean),
                });
            }
            if cells.len() > 1 {
                out.push(VariantRow {
                    host: host.clone(),
                    runtime: runtime.clone(),
                    api: api.to_string(),
                    scenario: scenario.to_string(),
                    params: base.key.params.clone(),
                    cells,
                });
            }
        }
    }
    out
}

/// `alloc_roundtrip` and `compute_ratio` of every other variant (the primary's are in the
/// main model), each marked with its variant: the allocators' allocate/deallocate round trip.
fn per_variant(rows: &[ResultRow], main: &[ResultRow], names: &[String], primary: &str) -> Vec<Component> {
    let natives: Vec<ResultRow> = main.iter().filter(|r| r.key.runtime == "native").cloned().collect();
    let mut out = Vec::new();
    for name in names.iter().filter(|n| *n != primary) {
        let mut these: Vec<ResultRow> = natives.clone();
        these.extend(rows.iter().filter(|r| r.key.guest_variant == *name && r.key.runtime != "native").cloned());
        for mut c in decompose(&these) {
            if matches!(c.component.as_str(), "alloc_roundtrip" | "compute_ratio") {
                c.guest_variant = name.clone();
                c.derivation = format!("{} (guest {name})", c.derivation);
                out.push(c);
            }
        }
    }
    out
}

/// Per host: `native_sum_scalar - native_sum` at every length both have.
fn native_vectorization(main: &[ResultRow]) -> Vec<Component> {
    let mut out = Vec::new();
    let hosts: Vec<String> = runtimes(main).into_iter().filter(|(_, r)| r == "native").map(|(h, _)| h).collect();
    for host in hosts {
        let v = View::of(main, &host, "native");
        let mut o = Out::new(&host, "native");
        for scalar in v.rows.iter().filter(|r| r.key.scenario == "native_sum_scalar") {
            if let Some(vec) = v.row("native_sum", &scalar.key.api, scalar.key.param()) {
                let how = "native_sum_scalar - native_sum".to_string();
                o.add(&scalar.key.api, "native_vectorization", scalar.key.params.clone(), &[scalar, vec], "ns", how, |m| m[0] - m[1]);
            }
        }
        out.extend(o.list);
    }
    out
}

/// Per engine: `sum_array_resident` on the guest without SIMD less with SIMD (the primary
/// build and its SIMD sibling, or the reverse), at every length both have.
fn guest_simd(rows: &[ResultRow], primary: &str) -> Vec<Component> {
    let (without, with) = simd_pair(primary);
    let (n, s) = (variant_rows(rows, &without), variant_rows(rows, &with));
    let mut out = Vec::new();
    if n.is_empty() || s.is_empty() {
        return out;
    }
    let mut seen = Vec::new();
    for r in &n {
        let k = &r.key;
        if k.scenario != "sum_array_resident" || seen.contains(&(k.host.clone(), k.runtime.clone(), k.param())) {
            continue;
        }
        seen.push((k.host.clone(), k.runtime.clone(), k.param()));
        let Some(simd) = s.iter().copied().find(|x| x.key.host == k.host && x.key.runtime == k.runtime && x.key.api == k.api && x.key.scenario == k.scenario && x.key.params == k.params) else {
            continue;
        };
        let mut o = Out::new(&k.host, &k.runtime);
        let how = format!("sum_array_resident on guest {without} - on guest {with}");
        o.add(&k.api, "guest_simd", k.params.clone(), &[r, simd], "ns", how, |m| m[0] - m[1]);
        out.extend(o.list);
    }
    out
}

/// Per engine with an explicit-checks configuration (`R:bounds` beside `R`): the compute
/// (`sum_array_resident`) and the in-guest string work (`string_roundtrip`) on it less on `R`.
fn bounds_checks(main: &[ResultRow]) -> Vec<Component> {
    let mut out = Vec::new();
    for (host, runtime) in runtimes(main) {
        let Some(base) = runtime.strip_suffix(BOUNDS_SUFFIX) else { continue };
        let (b, d) = (View::of(main, &host, &runtime), View::of(main, &host, base));
        let mut o = Out::new(&host, base);
        for scenario in ["sum_array_resident", "string_roundtrip"] {
            let Some(api) = d.apis(scenario).first().copied() else { continue };
            for checked in b.series(scenario, api) {
                if let Some(plain) = d.row(scenario, api, checked.key.param()) {
                    let params = checked.key.params.clone();
                    let how = format!("{scenario} on {runtime} - on {base}");
                    o.case = if scenario == "sum_array_resident" { String::new() } else { scenario.into() };
                    o.add(api, "bounds_checks", params, &[checked, plain], "ns", how, |m| m[0] - m[1]);
                }
            }
        }
        out.extend(o.list);
    }
    out
}

/// A step of a chain: its name, the row it reaches (absent when the run lacks it) and what
/// that row is, for the derivation and the list of what is missing.
type Step<'a> = (&'static str, Option<&'a ResultRow>, String);

/// `sum_array_resident` at [`CHAIN_LEN`] on each engine, split step by step from the host's
/// vectorized sum, in two chains whose every step compares like with like:
///
/// - the guest without SIMD (the primary build, or its scalar sibling): native sum
///   (vectorized) → vectorization (native: `native_sum_scalar` − `native_sum`) → the Wasm
///   code and the call (the scalar guest − the scalar native loop) → bounds checks (the
///   scalar guest on `R:bounds` − on `R`);
/// - the guest with SIMD (the primary's `-simd` sibling, when measured): native sum
///   (vectorized) → the Wasm code and the call (the SIMD guest − the vectorized native
///   sum) → bounds checks (the SIMD guest on `R:bounds` − on `R`).
///
/// What SIMD saves the guest (the bridge between the two) is the `guest_simd` component.
/// A chain's total is its last row measured.
fn chains<'a>(rows: &'a [ResultRow], main: &'a [ResultRow], primary: &str) -> Vec<CaseSplit> {
    let (without, with) = simd_pair(primary);
    let scalar_rows = variant_rows(rows, &without);
    let simd_rows = variant_rows(rows, &with);
    let main_refs: Vec<&ResultRow> = main.iter().collect();
    let mut engines: Vec<(String, String)> = Vec::new();
    for r in rows {
        let k = &r.key;
        let pair = (k.host.clone(), k.runtime.clone());
        let guest = k.guest_variant == without || k.guest_variant == with;
        if guest && k.scenario == "sum_array_resident" && k.runtime != "native" && !k.runtime.ends_with(BOUNDS_SUFFIX) && !engines.contains(&pair) {
            engines.push(pair);
        }
    }
    let p = Some(CHAIN_LEN);
    let mut out = Vec::new();
    for (host, runtime) in engines {
        let bounds = format!("{runtime}{BOUNDS_SUFFIX}");
        let native = find(&main_refs, &host, "native", "native_sum", p);
        let guest = |of: &[&'a ResultRow], on: &str| find(of, &host, on, "sum_array_resident", p);
        let scalar: Vec<Step<'a>> = vec![
            ("native sum (vectorized)", native, "native_sum".into()),
            ("vectorization (native)", find(&main_refs, &host, "native", "native_sum_scalar", p), "native_sum_scalar".into()),
            ("Wasm code and the call", guest(&scalar_rows, &runtime), format!("sum_array_resident on guest {without}")),
            ("bounds checks", guest(&scalar_rows, &bounds), format!("sum_array_resident on {bounds}, guest {without}")),
        ];
        // Without the host's own sum there is no chain to start from; with it and the
        // scalar guest alone, compute_ratio already says it all.
        if native.is_some() && scalar[2].1.is_some() && scalar.iter().filter(|s| s.1.is_some()).count() >= 3 {
            out.extend(chain(&host, &runtime, &without, scalar));
        }
        let simd: Vec<Step<'a>> = vec![
            ("native sum (vectorized)", native, "native_sum".into()),
            ("Wasm code and the call", guest(&simd_rows, &runtime), format!("sum_array_resident on guest {with}")),
            ("bounds checks", guest(&simd_rows, &bounds), format!("sum_array_resident on {bounds}, guest {with}")),
        ];
        if native.is_some() && simd[1].1.is_some() {
            out.extend(chain(&host, &runtime, &with, simd));
        }
    }
    out
}

/// One chain: the steps telescope (each is its row less the last row reached before it), so
/// they add up to the last row reached; a step whose row the run lacks is merged into the
/// next one reached, named after both, and listed as missing.
fn chain<'a>(host: &str, runtime: &str, variant: &str, steps: Vec<Step<'a>>) -> Option<CaseSplit> {
    let reached: Vec<usize> = (0..steps.len()).filter(|&i| steps[i].1.is_some()).collect();
    let (&first, &last) = (reached.first()?, reached.last()?);
    if first != 0 {
        return None;
    }
    let total_row = steps[last].1?;
    let mut inputs: Vec<&ResultRow> = vec![total_row];
    let mut at = |r: &'a ResultRow| -> usize {
        if let Some(i) = inputs.iter().position(|x| std::ptr::eq(*x, r)) {
            return i;
        }
        inputs.push(r);
        inputs.len() - 1
    };
    let idx: Vec<Option<usize>> = steps.iter().map(|s| s.1.map(&mut at)).collect();
    // (name, derivation, index of the row reached, index of the row before it)
    let mut diffs: Vec<(String, String, usize, usize)> = Vec::new();
    let mut prev = 0;
    let mut merged: Vec<&str> = Vec::new();
    for i in 1..steps.len() {
        merged.push(steps[i].0);
        let Some(cur) = idx[i] else { continue };
        diffs.push((merged.join(" + "), format!("{} - {}", steps[i].2, steps[prev].2), cur, idx[prev]?));
        merged.clear();
        prev = i;
    }
    let i0 = idx[0]?;
    let mut parts: Vec<(&str, String, Stat)> = Vec::new();
    parts.push((steps[0].0, steps[0].2.clone(), Box::new(move |m| m[i0])));
    for (name, how, cur, pi) in &diffs {
        let (cur, pi) = (*cur, *pi);
        parts.push((name.as_str(), how.clone(), Box::new(move |m| m[cur] - m[pi])));
    }
    let missing: Vec<String> = steps.iter().filter(|s| s.1.is_none()).map(|s| s.2.clone()).collect();
    let label = format!("chain/{host}/{runtime}/{variant}");
    let mut split = assemble(&format!("sum_array_resident, guest {variant}"), total_row, &inputs, parts, missing, &label, "steps below noise");
    split.runtime = runtime.to_string();
    Some(split)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::ResultsFile;

    fn row(runtime: &str, scenario: &str, param: Option<(&str, u64)>, variant: &str, samples: Vec<f64>) -> ResultRow {
        let params = param.map(|(k, v)| Params::from([(k.to_string(), v)])).unwrap_or_default();
        let api = if runtime == "native" { "direct" } else if scenario.starts_with("string") { "view" } else { "typed" };
        ResultRow::of_samples(runtime, api, scenario, params, variant, samples)
    }

    fn flat(v: f64) -> Vec<f64> {
        vec![v; 12]
    }

    /// The chains' rows: native vectorized and scalar, the guest with and without SIMD, the
    /// explicit-checks configuration (on the guest without SIMD), all at 10,000 i32.
    fn chain_rows(native: f64, scalar: f64, simd: f64, plain: f64, bounds: Vec<f64>) -> Vec<ResultRow> {
        let len = Some(("len", CHAIN_LEN));
        vec![
            row("native", "empty", None, "o3", flat(1.0)),
            row("native", "native_sum", len, "o3", flat(native)),
            row("native", "native_sum_scalar", len, "o3", flat(scalar)),
            row("wasmtime", "sum_array_resident", len, "o3", flat(plain)),
            row("wasmtime:bounds", "sum_array_resident", len, "o3", bounds),
            row("wasmtime", "sum_array_resident", len, "o3-simd", flat(simd)),
        ]
    }

    fn shown_sum(s: &CaseSplit) -> f64 {
        s.parts.iter().map(|p| p.shown).sum()
    }

    fn chain_of<'a>(v: &'a Variants, variant: &str) -> &'a CaseSplit {
        let name = format!("sum_array_resident, guest {variant}");
        v.splits.iter().find(|s| s.benchmark == name).unwrap_or_else(|| panic!("no chain {name}: {:?}", v.splits))
    }

    fn steps(s: &CaseSplit) -> Vec<(&str, f64)> {
        s.parts.iter().map(|p| (p.name.as_str(), p.value)).collect()
    }

    fn assert_steps(s: &CaseSplit, want: &[(&str, f64)]) {
        let got = steps(s);
        assert_eq!(got.len(), want.len() + 1, "the steps and other: {got:?}");
        for ((gn, gv), (wn, wv)) in got.iter().zip(want) {
            assert_eq!(gn, wn);
            assert!((gv - wv).abs() < 1e-9, "{gn}: {gv} != {wv}");
        }
        assert_eq!(got.last().unwrap().0, "other");
    }

    #[test]
    fn each_chain_telescopes_comparing_like_with_like() {
        let rows = chain_rows(300.0, 1000.0, 1200.0, 2500.0, flat(3000.0));
        let v = variants(&rows, &[], "o3");
        assert_eq!(v.splits.len(), 2, "a chain for each guest build: {:?}", v.splits);
        // Scalar with scalar: the guest without SIMD against the host's scalar loop.
        let s = chain_of(&v, "o3");
        assert_eq!(s.runtime, "wasmtime");
        assert!((s.total - 3000.0).abs() < 1e-9, "the last row reached: on wasmtime:bounds");
        assert_steps(
            s,
            &[("native sum (vectorized)", 300.0), ("vectorization (native)", 700.0), ("Wasm code and the call", 1500.0), ("bounds checks", 500.0)],
        );
        assert!((shown_sum(s) - 3000.0).abs() < 1e-6, "the parts add up to the total");
        let shares: f64 = s.parts.iter().map(|p| p.share).sum();
        assert!((shares - 1.0).abs() < 1e-9);
        assert_eq!(s.overshoot, 0.0);
        assert!(s.missing.is_empty(), "{:?}", s.missing);
        // Vectorized with vectorized: the SIMD guest against the host's vectorized sum; its
        // checked configuration was not run, so the chain ends at the SIMD guest and says so.
        let d = chain_of(&v, "o3-simd");
        assert!((d.total - 1200.0).abs() < 1e-9);
        assert_steps(d, &[("native sum (vectorized)", 300.0), ("Wasm code and the call", 900.0)]);
        assert_eq!(d.missing, ["sum_array_resident on wasmtime:bounds, guest o3-simd"]);
        assert!((shown_sum(d) - 1200.0).abs() < 1e-6);
    }

    /// Figures of a real run (`--guest-variants o3,o3-simd` on wasmtime and wasmtime:bounds,
    /// 2-core AMD EPYC): each row's own samples. The host's scalar loop is the volatile-load
    /// one (measured on the same machine after it replaced the loop that spilled every
    /// element through `black_box`, which took 3.84 µs and put the scalar guest below it).
    /// The SIMD guest (0.75 µs) beats the host's scalar loop (2.72 µs) by far: in a chain from
    /// one to the other that step would go below zero. Here no step is below zero or below
    /// noise, every step's interval is above zero, and each chain adds up to its total.
    #[test]
    fn on_real_figures_no_step_goes_below_zero() {
        let len = Some(("len", CHAIN_LEN));
        let rows = vec![
            row("native", "native_sum", len, "o3", vec![697.4, 691.2, 688.6, 688.1, 689.7, 688.4, 688.9, 689.3, 690.0, 697.3]),
            row("native", "native_sum_scalar", len, "o3", vec![2738.4, 2720.5, 2721.0, 2722.7, 2729.5, 2741.3, 2729.0, 2707.0, 2707.0, 2711.0]),
            row("wasmtime", "sum_array_resident", len, "o3", vec![2772.3, 2785.2, 2764.3, 2768.9, 2763.9, 2783.0, 2764.1, 2816.2, 2771.1, 2774.1]),
            row(
                "wasmtime:bounds",
                "sum_array_resident",
                len,
                "o3",
                vec![2791.4, 2806.2, 2977.3, 2791.1, 2788.6, 2786.0, 2801.8, 2792.2, 2796.3, 2793.1, 2846.0, 2800.8, 2806.8, 2792.6, 2828.8],
            ),
            row("wasmtime", "sum_array_resident", len, "o3-simd", vec![755.7, 743.8, 748.0, 748.9, 748.6, 748.2, 764.1, 748.5, 756.2, 748.8]),
            row(
                "wasmtime:bounds",
                "sum_array_resident",
                len,
                "o3-simd",
                vec![
                    1530.3, 1518.4, 1512.0, 1514.1, 1512.7, 1682.7, 1512.2, 1525.1, 1512.5, 1514.4, 1513.4, 1515.9, 1511.4, 1514.7,
                    1511.6, 1571.8, 1512.9, 1513.0, 1509.9, 1520.0, 1509.6, 1514.9, 1509.3, 1528.3,
                ],
            ),
        ];
        let v = variants(&rows, &[], "o3");
        assert_eq!(v.splits.len(), 2);
        for s in &v.splits {
            for p in s.parts.iter().filter(|p| p.name != "other") {
                assert!(p.value > 0.0 && p.ci_low > 0.0 && !p.below_noise, "{}: {p:?}", s.benchmark);
                assert!(p.ci_low <= p.value && p.value <= p.ci_high, "{p:?}");
            }
            assert_eq!(s.overshoot, 0.0, "{}: nothing was scaled", s.benchmark);
            assert!((shown_sum(s) - s.total).abs() < 1e-6 * s.total, "{}: adds up", s.benchmark);
            assert!(s.missing.is_empty(), "{:?}", s.missing);
        }
        let names: Vec<&str> = chain_of(&v, "o3").parts.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["native sum (vectorized)", "vectorization (native)", "Wasm code and the call", "bounds checks", "other"]);
        let names: Vec<&str> = chain_of(&v, "o3-simd").parts.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["native sum (vectorized)", "Wasm code and the call", "bounds checks", "other"]);
        // What SIMD saves the guest, the bridge between the two chains, is a component.
        let simd = v.components.iter().find(|c| c.component == "guest_simd").unwrap();
        assert!(simd.value > 1900.0 && simd.ci_low > 0.0, "{simd:?}");
    }

    #[test]
    fn a_step_that_goes_down_is_drawn_as_zero_never_negative_and_the_rest_still_add_up() {
        // The scalar guest (900 ns) beats the host's scalar loop (1000 ns) beyond the noise:
        // said as going down, not as "below noise" (until 2026-11-30: wasm2c's -840 ± 18 ns
        // step read "below noise (± 858 ns)").
        let rows = chain_rows(300.0, 1000.0, 700.0, 900.0, flat(3000.0));
        let v = variants(&rows, &[], "o3");
        let s = chain_of(&v, "o3");
        let step = s.parts.iter().find(|p| p.name == "Wasm code and the call").unwrap();
        assert!(step.below_noise && step.shown == 0.0 && step.value < 0.0, "{step:?}");
        assert_eq!(step.verdict, super::super::Verdict::BelowZero);
        assert!(s.parts.iter().all(|p| p.shown >= 0.0), "no part is drawn below zero");
        assert!((shown_sum(s) - 3000.0).abs() < 1e-6, "still adds up: {}", shown_sum(s));
        assert!(s.overshoot > 0.0, "the other parts exceeded the total and were scaled");
    }

    #[test]
    fn a_step_within_the_noise_is_below_noise_and_its_time_stays_in_other() {
        // Explicit checks that the rows cannot tell from the default: 2500 ± 400 against 2500.
        let noisy: Vec<f64> = (0..12).map(|i| if i % 2 == 0 { 2100.0 } else { 2900.0 }).collect();
        let rows = chain_rows(300.0, 1000.0, 1200.0, 2500.0, noisy);
        let v = variants(&rows, &[], "o3");
        let s = chain_of(&v, "o3");
        let b = s.parts.iter().find(|p| p.name == "bounds checks").unwrap();
        assert!(b.below_noise && b.shown == 0.0 && b.ci_low < 0.0 && b.ci_high > 0.0, "{b:?}");
        assert_eq!(b.verdict, super::super::Verdict::BelowNoise);
        assert!((shown_sum(s) - s.total).abs() < 1e-6);
        let c = v.components.iter().find(|c| c.component == "bounds_checks").unwrap();
        assert!(c.below_noise() && c.text().starts_with("below noise"), "{}", c.text());
    }

    #[test]
    fn without_the_simd_build_or_the_checked_engine_the_chain_says_what_it_lacks() {
        let len = Some(("len", CHAIN_LEN));
        let rows = vec![
            row("native", "native_sum", len, "o3", flat(300.0)),
            row("native", "native_sum_scalar", len, "o3", flat(1000.0)),
            row("wasm3", "sum_array_resident", len, "o3", flat(60_000.0)),
        ];
        let v = variants(&rows, &[], "o3");
        assert_eq!(v.splits.len(), 1, "no SIMD build, no SIMD chain");
        let s = &v.splits[0];
        assert!((s.total - 60_000.0).abs() < 1e-9);
        assert_steps(s, &[("native sum (vectorized)", 300.0), ("vectorization (native)", 700.0), ("Wasm code and the call", 59_000.0)]);
        assert_eq!(s.missing, ["sum_array_resident on wasm3:bounds, guest o3"]);
        // Without the host's scalar loop, its step and the next are one, named after both.
        let rows = vec![
            row("native", "native_sum", len, "o3", flat(300.0)),
            row("wasmtime", "sum_array_resident", len, "o3", flat(2500.0)),
            row("wasmtime:bounds", "sum_array_resident", len, "o3", flat(3000.0)),
        ];
        let s = &variants(&rows, &[], "o3").splits[0];
        assert_steps(s, &[("native sum (vectorized)", 300.0), ("vectorization (native) + Wasm code and the call", 2200.0), ("bounds checks", 500.0)]);
        assert_eq!(s.missing, ["native_sum_scalar"]);
        // Only the host's sum and the guest: no chain (compute_ratio says it).
        let rows = vec![row("native", "native_sum", len, "o3", flat(300.0)), row("wasm3", "sum_array_resident", len, "o3", flat(6e4))];
        assert!(variants(&rows, &[], "o3").splits.is_empty());
    }

    #[test]
    fn each_allocator_gets_its_own_round_trip_and_the_components_are_measured_differences() {
        let mut rows = chain_rows(300.0, 1000.0, 1200.0, 2500.0, flat(3000.0));
        for (variant, alloc) in [("o3", 100.0), ("os-wee_alloc", 40.0), ("o3-talc", 70.0)] {
            for bytes in [16u64, 51] {
                rows.push(row("wasmtime", "string_roundtrip", Some(("bytes", bytes)), variant, flat(50.0)));
                rows.push(row("wasmtime", "string_alloc_per_call", Some(("bytes", bytes)), variant, flat(50.0 + alloc)));
            }
        }
        let v = variants(&rows, &[], "o3");
        let alloc: Vec<(&str, f64)> = v
            .components
            .iter()
            .filter(|c| c.component == "alloc_roundtrip")
            .map(|c| (c.guest_variant.as_str(), c.value))
            .collect();
        assert_eq!(alloc.len(), 2, "the primary's is in the main model: {alloc:?}");
        assert!(alloc.iter().any(|(n, x)| *n == "os-wee_alloc" && (x - 40.0).abs() < 1e-9));
        assert!(alloc.iter().any(|(n, x)| *n == "o3-talc" && (x - 70.0).abs() < 1e-9));
        let get = |name: &str| v.components.iter().find(|c| c.component == name && c.params.get("len") == Some(&CHAIN_LEN)).unwrap().value;
        assert!((get("native_vectorization") - 700.0).abs() < 1e-9);
        assert!((get("guest_simd") - 1300.0).abs() < 1e-9);
        assert!((get("bounds_checks") - 500.0).abs() < 1e-9);
        // Side by side: each case with a cell per variant, ratios against the primary.
        let r = v.table.iter().find(|r| r.scenario == "string_alloc_per_call").unwrap();
        assert_eq!(r.cells.len(), 3);
        assert!(r.cells[0].ratio.is_none());
        assert!((r.cells[1].ratio.unwrap() - 90.0 / 150.0).abs() < 1e-9);
    }

    #[test]
    fn simd_siblings_are_named_from_the_primary() {
        assert_eq!(simd_pair("o3"), ("o3".into(), "o3-simd".into()));
        assert_eq!(simd_pair("os-wee_alloc"), ("os-wee_alloc".into(), "os-simd-wee_alloc".into()));
        assert_eq!(simd_pair("os-simd-talc"), ("os-talc".into(), "os-simd-talc".into()));
    }

    #[test]
    fn rows_of_the_default_build_do_not_write_their_variant_and_older_files_read_as_it() {
        let r = row("wasmtime", "noop", None, "o3", flat(1.0));
        let json = serde_json::to_value(&r).unwrap();
        assert!(json.get("guest_variant").is_none(), "{json}");
        let back: ResultRow = serde_json::from_value(json).unwrap();
        assert_eq!(back.key.guest_variant, "o3");
        let other = row("wasmtime", "noop", None, "os-wee_alloc", flat(1.0));
        let json = serde_json::to_value(&other).unwrap();
        assert_eq!(json["guest_variant"], "os-wee_alloc");
        assert_ne!(other.key, r.key, "the variant is part of the row's key");
        assert!(other.key.label().ends_with("[guest os-wee_alloc]"), "{}", other.key.label());
    }

    #[test]
    fn an_older_file_of_a_users_module_reads_as_the_custom_variant() {
        let mut f = ResultsFile::new();
        f.guest.source = "plugin.wasm".into();
        f.results.push(row("wasmtime", "noop", None, "o3", flat(1.0)));
        let dir = std::env::temp_dir().join(format!("interop-variants-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("old.json");
        f.save_atomic(&path).unwrap();
        let back = ResultsFile::load(&path).unwrap();
        assert_eq!(back.results[0].key.guest_variant, crate::results::CUSTOM_GUEST_VARIANT);
        assert_eq!(back.primary_variant(), "custom");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
