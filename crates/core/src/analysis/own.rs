//! A scenario file's cases split like the seed's: where the time of *your* function goes.
//!
//! A case's operation makes one call of its export, and one more of the allocator's
//! `deallocate` when the file frees the output (`free_output`), both through the row's call
//! API. What crossing the boundary costs does not depend on the module: the run measures the
//! built-in guest's `noop` and `add` on the same engines beside the file's cases (`run
//! --scenario-file`, unless `--own-only`), and each case row is split, on one bootstrap
//! ([`super::seed::assemble`]), into
//! - the harness loop: the host's `empty` floor;
//! - the crossing: `noop - empty`, once per call;
//! - the arguments: `add - noop` (two i32 in, one out), once per call that passes any;
//! - the rest (`other`): the module's own work (its code and its allocator) and the bytes
//!   copied in and out.
//!
//! A row with no `noop` of the built-in guest on its engine and API is not split (nothing to
//! split it by). The parts add up to the row's total, a part whose interval reaches zero is
//! drawn as zero, and parts that exceed the total are scaled to it, as for the seed's cases.

use super::seed::{assemble, Stat};
use super::floor;
use crate::counts::{CountLayer, CountRow};
use crate::plugin::{Measure, PluginFile};
use crate::results::ResultRow;

/// The crossing reference's scenarios, run on the built-in guest beside a scenario file.
pub const OWN_REFERENCE: &[&str] = &["noop", "add"];

/// Each row of the file's `call` scenarios measured on the primary guest, split into its
/// parts; nothing when the file does not parse (a newer format) or no row is its.
pub fn own_cases(rows: &[ResultRow], toml_text: &str, primary: &str) -> Vec<super::CaseSplit> {
    let Ok(file) = toml::from_str::<PluginFile>(toml_text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, calls, with_args) in call_cases(&file) {
        for row in rows.iter().filter(|r| r.key.guest_variant == primary && r.key.scenario == name && r.key.runtime != "native") {
            if row.estimate().is_finite() && !row.used_ns_per_op.is_empty() {
                out.extend(split(rows, row, name, calls, with_args, primary));
            }
        }
    }
    out
}

/// The file's `call` scenarios: each one's name, the calls an operation makes (its export,
/// and the allocator's `deallocate` when the file frees the output in the timed loop) and
/// how many of them pass arguments.
fn call_cases(file: &PluginFile) -> Vec<(&str, u32, u32)> {
    file.scenarios
        .iter()
        .filter(|s| s.measure == Measure::Call)
        .map(|s| {
            // The file's allocator frees the output in the timed loop: a second call, of two
            // arguments.
            let frees = s.free_output && file.allocator.as_ref().is_some_and(|a| a.deallocate.is_some());
            (s.name(), 1 + u32::from(frees), u32::from(!s.params().is_empty()) + u32::from(frees))
        })
        .collect()
}

/// The file's cases in instructions (`run --counts`): each counted row of the user's module
/// split as [`own_cases`] splits it in time, into the harness loop (the host's native
/// `empty`), the crossing (`noop - empty` of the built-in guest on the same engine and call
/// API, once per call), the arguments (`add - noop`, once per call that passes any) and
/// [`MODULE_PART`], the rest; a Go row's collector (on less off) comes on top, as in the cgo
/// layers. Counts are exact, so the parts are differences that add up to the row; a part
/// within the range of its counts' repeats (or below zero) reads zero, named so, and a
/// crossing and arguments above the row are scaled to it. Each part carries its time where
/// the file also has the timed split (`run --counts --with-time`). Nothing for a row with no
/// counted `noop` of the built-in guest on its engine and API (`--own-only`).
pub fn own_count_layers(counts: &[CountRow], toml_text: &str, primary: &str, timed: &[super::CaseSplit]) -> Vec<CountLayer> {
    let Ok(file) = toml::from_str::<PluginFile>(toml_text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, calls, with_args) in call_cases(&file) {
        for row in counts.iter().filter(|c| c.key.guest_variant == primary && c.key.scenario == name && c.key.runtime != "native") {
            out.extend(count_split(counts, row, calls, with_args, primary, timed).unwrap_or_default());
        }
    }
    out
}

/// One counted row's split ([`own_count_layers`]).
fn count_split(counts: &[CountRow], row: &CountRow, calls: u32, with_args: u32, primary: &str, timed: &[super::CaseSplit]) -> Option<Vec<CountLayer>> {
    let k = &row.key;
    let total = row.per_op();
    let find = |scenario: &str, builtin: bool| {
        counts.iter().find(|c| {
            let ck = &c.key;
            ck.host == k.host
                && ck.scenario == scenario
                && if builtin { ck.runtime == k.runtime && ck.api == k.api && ck.guest_variant != primary } else { ck.runtime == "native" }
        })
    };
    let noop = find("noop", true)?;
    let empty = find("empty", false);
    let add = find("add", true);
    if !(total.is_finite() && total > 0.0) {
        return None;
    }
    // Named as the timed split names it (the file's rows are all of the user's module).
    let case = crate::results::case_name(&k.scenario, &k.params);
    let time = |part: &str| {
        timed
            .iter()
            .find(|c| c.host == k.host && c.runtime == k.runtime && c.api == k.api && case_of(c) == case)
            .and_then(|c| c.parts.iter().find(|p| p.name == part))
            .map(|p| p.shown)
    };
    let times = |n: u32| if n == 1 { String::new() } else { format!("{n} × ") };
    let builtin = |s: &str| format!("{s} ({}, the built-in guest)", k.api);
    // (part, instructions, noise, derivation)
    let mut parts: Vec<(&str, f64, f64, String)> = Vec::new();
    let floor = empty.map_or(0.0, CountRow::per_op);
    if let Some(e) = empty {
        parts.push(("harness loop", e.per_op(), e.noise(), "native empty: the counted loop around nothing".into()));
    }
    let c = f64::from(calls);
    let cross_noise = c * (noop.noise() + empty.map_or(0.0, CountRow::noise));
    parts.push(("crossing", c * (noop.per_op() - floor), cross_noise, format!("{}({} - native empty): {calls} call(s) a operation", times(calls), builtin("noop"))));
    // Without a counted add of the built-in guest the arguments stay in the module's part,
    // said so there.
    let mut unsplit = String::new();
    if with_args > 0 {
        match add {
            Some(a) => {
                let w = f64::from(with_args);
                let how = format!("{}({} - noop): {with_args} call(s) with arguments", times(with_args), builtin("add"));
                parts.push(("arguments", w * (a.per_op() - noop.per_op()), w * (a.noise() + noop.noise()), how));
            }
            None => unsplit = format!("; with the arguments: no add ({}, the built-in guest) was counted", k.api),
        }
    }
    // A part within its noise or below zero reads zero; the others, if above the row, are
    // scaled to it; the module's part is the rest.
    let mut derivations: Vec<String> = Vec::new();
    for p in &mut parts {
        if p.1 <= p.2 || p.1 <= 0.0 {
            derivations.push(format!("{}; below noise (± {}), read as zero", p.3, crate::counts::instr(p.2.max(p.1.abs()))));
            p.1 = 0.0;
        } else {
            derivations.push(p.3.clone());
        }
    }
    let known: f64 = parts.iter().map(|p| p.1).sum();
    let scaled = known > total;
    if scaled {
        let scale = total / known;
        for (p, d) in parts.iter_mut().zip(derivations.iter_mut()) {
            if p.1 > 0.0 {
                d.push_str(&format!(
                    "; the parts counted on other rows exceed this row ({} > {}) and are scaled to it",
                    crate::counts::instr(known),
                    crate::counts::instr(total)
                ));
                p.1 *= scale;
            }
        }
    }
    // Nothing is left for the module once the other parts were scaled to the row.
    let rest = if scaled { 0.0 } else { total - known };
    let mut layers: Vec<CountLayer> = parts
        .iter()
        .zip(derivations)
        .map(|(p, how)| layer(row, &case, p.0, p.1, time(p.0), how))
        .collect();
    let module_how =
        format!("{} {} {case} less the parts above: the module's own work (its code, its allocator) and the bytes in and out{unsplit}", k.runtime, k.api);
    layers.push(layer(row, &case, MODULE_PART, rest.max(0.0), time(MODULE_PART), module_how));
    if let Some((g, how)) = row.gc_layer(&format!("{} {} {case}", k.runtime, k.api)) {
        layers.push(layer(row, &case, "gc", g, None, how));
    }
    Some(layers)
}

fn layer(row: &CountRow, case: &str, part: &str, instructions: f64, time_ns: Option<f64>, derivation: String) -> CountLayer {
    CountLayer {
        host: row.key.host.clone(),
        runtime: row.key.runtime.clone(),
        api: row.key.api.clone(),
        case: case.to_string(),
        layer: part.to_string(),
        instructions,
        time_ns,
        derivation,
    }
}

/// One row's split; none without the built-in guest's noop on its engine and API (a run
/// with --own-only, or an engine whose reference failed): nothing to split it by.
fn split<'a>(rows: &'a [ResultRow], row: &'a ResultRow, name: &str, calls: u32, with_args: u32, primary: &str) -> Option<super::CaseSplit> {
    let k = &row.key;
    let mut inputs: Vec<&'a ResultRow> = vec![row];
    let mut parts: Vec<(&str, String, Stat)> = Vec::new();
    let mut missing = Vec::new();
    let fi = floor(rows, &k.host).map(|r| {
        inputs.push(r);
        inputs.len() - 1
    });
    match fi {
        Some(f) => parts.push(("harness loop", "empty: the timed loop around nothing".into(), Box::new(move |m| m[f]))),
        None => missing.push("empty (the harness floor)".to_string()),
    }
    let fl = move |m: &[f64]| fi.map_or(0.0, |i| m[i]);
    let api = k.api.as_str();
    // The built-in guest's row (never one of the file's, whatever its scenarios are named).
    let mut at = |scenario: &str| {
        rows.iter()
            .find(|r| {
                let rk = &r.key;
                rk.host == k.host && rk.runtime == k.runtime && rk.api == api && rk.scenario == scenario && rk.guest_variant != primary
            })
            .filter(|r| r.estimate().is_finite() && !r.used_ns_per_op.is_empty())
            .map(|r| {
                inputs.push(r);
                inputs.len() - 1
            })
    };
    let n = at("noop")?;
    let add = at("add");
    let times = |n: u32| if n == 1 { String::new() } else { format!("{n} × ") };
    let c = f64::from(calls);
    let how = format!("{}(noop - empty) ({api}, the built-in guest): {calls} call(s) a operation", times(calls));
    parts.push(("crossing", how, Box::new(move |m| c * (m[n] - fl(m)))));
    if with_args > 0 {
        match add {
            Some(a) => {
                let c = f64::from(with_args);
                let how = format!("{}(add - noop) ({api}, the built-in guest): {with_args} call(s) with arguments", times(with_args));
                parts.push(("arguments", how, Box::new(move |m| c * (m[a] - m[n]))));
            }
            None => missing.push(format!("add ({api}, the built-in guest)")),
        }
    }
    let label = format!("own/{}/{}/{}/{}", k.host, k.runtime, k.api, k.case_label());
    let mut split = assemble(name, row, &inputs, parts, missing, &label, "the module's own work (its code, its allocator) and the bytes in and out");
    // The remainder is the module's: said so.
    if let Some(rest) = split.parts.last_mut() {
        rest.name = MODULE_PART.into();
    }
    Some(split)
}

/// The name of a case's remainder: the module's own work and the bytes in and out.
pub const MODULE_PART: &str = "module";

/// `module 75% (107 ns), crossing 23% (33.0 ns), harness loop 1% (1.40 ns); arguments below
/// noise (± 0.4 ns)`: a split's parts by share, then those below noise.
pub fn parts_text(c: &super::CaseSplit) -> String {
    let pcts = c.percentages();
    let mut drawn: Vec<(&super::Part, u32)> =
        c.parts.iter().filter_map(|p| pcts.iter().find(|(n, _)| *n == p.name).map(|(_, pct)| (p, *pct))).collect();
    drawn.sort_by(|a, b| b.1.cmp(&a.1));
    let mut text = drawn.iter().map(|(p, pct)| format!("{} {pct}% ({})", p.name, crate::units::ns(p.shown))).collect::<Vec<_>>().join(", ");
    let noise: Vec<String> = c.parts.iter().filter(|p| p.below_noise).map(|p| p.named_text()).collect();
    if !noise.is_empty() {
        text.push_str(&format!("; {}", noise.join(", ")));
    }
    if c.overshoot > 0.0 {
        text.push_str(&format!("; the crossing and arguments, measured on the built-in guest, exceed this row by {} and are scaled to it", crate::units::ns(c.overshoot)));
    }
    if !c.missing.is_empty() {
        text.push_str(&format!("; not measured: {}", c.missing.join(", ")));
    }
    text
}

/// `greet/bytes=16`: a split's case as the reports name it.
pub fn case_of(c: &super::CaseSplit) -> String {
    crate::results::case_name(&c.scenario, &c.params)
}

/// The splits grouped by case and host, in the order they first appear: what the advice and
/// the summary table take one line of each.
pub fn by_case_and_host(cases: &[super::CaseSplit]) -> Vec<(String, &str, Vec<&super::CaseSplit>)> {
    let mut groups: Vec<(String, &str, Vec<&super::CaseSplit>)> = Vec::new();
    for c in cases {
        let case = case_of(c);
        match groups.iter_mut().find(|(l, h, _)| *l == case && *h == c.host) {
            Some(g) => g.2.push(c),
            None => groups.push((case, &c.host, vec![c])),
        }
    }
    groups
}

/// What to do about it, for a scenario file's cases: per case and host, the cheapest path
/// measured, against the founding document's path on that host (wasmtime-go on Go) or else
/// the dearest path measured, how much of the cheapest is still the boundary, and what it
/// takes (the advice's own words, [`super::what_it_takes`]).
pub fn own_advice(cases: &[super::CaseSplit]) -> Vec<String> {
    let mut out = Vec::new();
    for (case, host, group) in by_case_and_host(cases) {
        let of: Vec<&super::CaseSplit> = group.into_iter().filter(|c| c.total > 0.0).collect();
        let Some(best) = of.iter().min_by(|a, b| a.total.total_cmp(&b.total)) else { continue };
        let seed = (host == "go").then(|| of.iter().filter(|c| c.runtime == "wasmtime-go").min_by(|a, b| a.total.total_cmp(&b.total))).flatten();
        let against = seed.or_else(|| of.iter().max_by(|a, b| a.total.total_cmp(&b.total))).filter(|c| (&c.runtime, &c.api) != (&best.runtime, &best.api));
        let ns = crate::units::ns;
        let tied = super::tied_with(
            &format!("{} {}", best.runtime, best.api),
            best.total_ci_high,
            of.iter().map(|c| (format!("{} {}", c.runtime, c.api), c.total, c.total_ci_low)),
        );
        let mut s = format!("{case} ({host}): {} {}, {}{}", best.runtime, best.api, ns(best.total), super::tied_text(&tied, ns));
        if let Some(a) = against {
            s.push_str(&format!(", {:.0}x cheaper than {} {} ({})", a.total / best.total, a.runtime, a.api, ns(a.total)));
            if let Some(boundary) = boundary_share(a) {
                s.push_str(&format!(", where the boundary is {boundary}%"));
            }
        }
        match (boundary_share(best), best.parts.iter().find(|p| p.name == MODULE_PART)) {
            (Some(b), Some(m)) => s.push_str(&format!("; the boundary is {b}% of it, your module's own part {}", ns(m.shown))),
            _ => {}
        }
        s.push_str(&format!("; it takes {}", super::what_it_takes(&best.runtime, &best.api)));
        out.push(s);
    }
    out
}

/// Each split's own part (`module`) as a component of the cost model (`module (greet)
/// (bytes=16)`), so that `compare` sets a module's part in two runs side by side.
pub fn module_components(cases: &[super::CaseSplit]) -> Vec<super::Component> {
    cases
        .iter()
        .filter_map(|c| {
            let p = c.parts.iter().find(|p| p.name == MODULE_PART)?;
            Some(super::Component {
                host: c.host.clone(),
                runtime: c.runtime.clone(),
                api: c.api.clone(),
                component: MODULE_PART.into(),
                case: c.scenario.clone(),
                params: c.params.clone(),
                value: p.value,
                ci_low: p.ci_low,
                ci_high: p.ci_high,
                unit: "ns".into(),
                derivation: p.derivation.clone(),
                counters: Default::default(),
                guest_variant: String::new(),
                verdict: p.verdict,
            })
        })
        .collect()
}

/// The crossing's and the arguments' share of a split, in whole percent.
fn boundary_share(c: &super::CaseSplit) -> Option<u32> {
    let pcts = c.percentages();
    let b: u32 = pcts.iter().filter(|(n, _)| *n == "crossing" || *n == "arguments").map(|(_, p)| p).sum();
    (!pcts.is_empty()).then_some(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{Params, CUSTOM_GUEST_VARIANT, DEFAULT_GUEST_VARIANT};
    use std::collections::BTreeSet;

    fn row(runtime: &str, api: &str, scenario: &str, variant: &str, ns: f64) -> ResultRow {
        ResultRow::of_samples(runtime, api, scenario, Params::new(), variant, vec![ns; 12])
    }

    const FILE: &str = r#"schema = 1
[allocator]
allocate = "alloc"
deallocate = "free"

[[scenario]]
name = "greet"
export = "greet"
params = ["i32", "i32"]
results = ["i64"]
args = ["in.ptr", "in.len"]
input = { text = "hi" }
output = "packed_ptr_len"
free_output = true
check = "unchecked"

[[scenario]]
name = "noop"
export = "tick"
check = "completes"

[[scenario]]
name = "boot"
measure = "instantiate"
export = "tick"
check = "completes"
"#;

    fn rows() -> Vec<ResultRow> {
        vec![
            row("native", "direct", "empty", CUSTOM_GUEST_VARIANT, 1.0),
            // The built-in guest's crossing reference.
            row("wasmtime", "typed", "noop", DEFAULT_GUEST_VARIANT, 21.0),
            row("wasmtime", "typed", "add", DEFAULT_GUEST_VARIANT, 24.0),
            // The file's cases: one named like a reference scenario, and an instantiation.
            row("wasmtime", "typed", "greet", CUSTOM_GUEST_VARIANT, 150.0),
            row("wasmtime", "typed", "noop", CUSTOM_GUEST_VARIANT, 500.0),
            row("wasmtime", "typed", "boot", CUSTOM_GUEST_VARIANT, 9000.0),
            // An API the reference was not measured on, and one it lacks add on.
            row("wasmtime", "untyped", "greet", CUSTOM_GUEST_VARIANT, 300.0),
            row("wasmtime", "unchecked", "noop", DEFAULT_GUEST_VARIANT, 19.0),
            row("wasmtime", "unchecked", "greet", CUSTOM_GUEST_VARIANT, 140.0),
        ]
    }

    /// A counted row: its repeats, and for a Go row its collector-on repeats and cycles.
    fn counted(host: &str, runtime: &str, api: &str, scenario: &str, variant: &str, repeats: &[f64], gc_on: &[f64]) -> CountRow {
        CountRow {
            key: crate::results::RowKey {
                host: host.into(),
                runtime: runtime.into(),
                api: api.into(),
                scenario: scenario.into(),
                params: Params::new(),
                guest_variant: variant.into(),
            },
            n1: 100,
            n2: 500,
            instructions_per_op: repeats.to_vec(),
            gc_on_instructions_per_op: gc_on.to_vec(),
            gc_cycles: if gc_on.is_empty() { Vec::new() } else { vec![3.0; gc_on.len()] },
            verified: true,
        }
    }

    fn layer_of<'a>(ls: &'a [CountLayer], api: &str, name: &str) -> &'a CountLayer {
        ls.iter().find(|l| l.api == api && l.layer == name).unwrap_or_else(|| panic!("no {api} {name} in {ls:#?}"))
    }

    #[test]
    fn a_counted_case_is_split_by_its_calls_and_adds_up_to_the_row_exactly() {
        let (c, d) = (CUSTOM_GUEST_VARIANT, DEFAULT_GUEST_VARIANT);
        let counts = vec![
            counted("rust", "native", "direct", "empty", c, &[4.0, 4.0], &[]),
            counted("rust", "wasmtime", "typed", "noop", d, &[240.0, 241.0], &[]),
            counted("rust", "wasmtime", "typed", "add", d, &[270.0, 271.0], &[]),
            counted("rust", "wasmtime", "typed", "greet", c, &[1955.0, 1957.0], &[]),
            // add no dearer than noop beyond their repeats: the arguments read zero.
            counted("rust", "wasmtime", "untyped", "noop", d, &[700.0, 710.0], &[]),
            counted("rust", "wasmtime", "untyped", "add", d, &[705.0, 706.0], &[]),
            counted("rust", "wasmtime", "untyped", "greet", c, &[3000.0, 3000.0], &[]),
            // A row cheaper than its two crossings: they are scaled to it, the module is zero.
            counted("rust", "wasmtime", "unchecked", "noop", d, &[504.0, 504.0], &[]),
            counted("rust", "wasmtime", "unchecked", "greet", c, &[800.0, 800.0], &[]),
            // No noop of the built-in guest on this API: not split.
            counted("rust", "wasmtime", "other", "greet", c, &[900.0, 900.0], &[]),
            // A noop but no add: the arguments stay in the module's part, said so.
            counted("rust", "wasmtime", "noadd", "noop", d, &[100.0, 100.0], &[]),
            counted("rust", "wasmtime", "noadd", "greet", c, &[1000.0, 1000.0], &[]),
        ];
        // The timed split of one path, whose parts' times the counted split carries.
        let timed = own_cases(&rows(), FILE, c);
        let ls = own_count_layers(&counts, FILE, c, &timed);
        let apis: BTreeSet<&str> = ls.iter().map(|l| l.api.as_str()).collect();
        assert_eq!(apis, BTreeSet::from(["typed", "untyped", "unchecked", "noadd"]), "{ls:#?}");
        for api in &apis {
            let parts: Vec<&CountLayer> = ls.iter().filter(|l| l.api == *api).collect();
            let names: Vec<&str> = parts.iter().map(|l| l.layer.as_str()).collect();
            let want: &[&str] =
                if ["unchecked", "noadd"].contains(api) { &["harness loop", "crossing", MODULE_PART] } else { &["harness loop", "crossing", "arguments", MODULE_PART] };
            assert_eq!(names, want, "{api}");
            let row = counts.iter().find(|r| r.key.api == *api && r.key.scenario == "greet").unwrap();
            let sum: f64 = parts.iter().map(|l| l.instructions).sum();
            assert!((sum - row.per_op()).abs() < 1e-9, "{api}: {sum} vs {}", row.per_op());
            assert!(parts.iter().all(|l| l.instructions >= 0.0), "{parts:#?}");
            assert!(parts.iter().all(|l| l.case == "greet"), "{parts:#?}");
        }
        // Two calls (greet, then free), both with arguments: 2 × (240.5 - 4), 2 × (270.5 - 240.5).
        assert_eq!(layer_of(&ls, "typed", "crossing").instructions, 473.0);
        assert_eq!(layer_of(&ls, "typed", "arguments").instructions, 60.0);
        assert_eq!(layer_of(&ls, "typed", MODULE_PART).instructions, 1956.0 - 4.0 - 473.0 - 60.0);
        assert!(layer_of(&ls, "typed", "crossing").derivation.starts_with("2 × (noop (typed, the built-in guest) - native empty)"));
        // The timed split's figure of the same part beside it (2 × (21 - 1) ns).
        assert_eq!(layer_of(&ls, "typed", "crossing").time_ns, Some(40.0));
        assert_eq!(layer_of(&ls, "untyped", "crossing").time_ns, None);
        // 2 × (705.5 - 705) within the repeats' ranges (10 + 1, twice): zero, said so.
        let args = layer_of(&ls, "untyped", "arguments");
        assert_eq!(args.instructions, 0.0);
        assert!(args.derivation.contains("below noise (± 22.0), read as zero"), "{}", args.derivation);
        // 2 × (504 - 4) = 1000 above a row of 800: scaled to it.
        let cross = layer_of(&ls, "unchecked", "crossing");
        assert!(cross.derivation.contains("scaled to it"), "{}", cross.derivation);
        assert_eq!(layer_of(&ls, "unchecked", MODULE_PART).instructions, 0.0);
        let m = layer_of(&ls, "noadd", MODULE_PART);
        assert_eq!(m.instructions, 1000.0 - 4.0 - 2.0 * 96.0);
        assert!(m.derivation.ends_with("with the arguments: no add (noadd, the built-in guest) was counted"), "{}", m.derivation);
    }

    #[test]
    fn a_counted_go_case_carries_its_collector_on_top_and_nothing_without_a_reference() {
        let (c, d) = (CUSTOM_GUEST_VARIANT, DEFAULT_GUEST_VARIANT);
        let mut counts = vec![
            counted("go", "native", "direct", "empty", c, &[9.0, 9.0], &[]),
            counted("go", "wazero:compiler", "call", "noop", d, &[325.0, 325.0], &[]),
            counted("go", "wazero:compiler", "call", "add", d, &[690.0, 690.0], &[]),
            counted("go", "wazero:compiler", "call", "greet", c, &[3357.0, 3357.0], &[3720.0, 3722.0]),
        ];
        let ls = own_count_layers(&counts, FILE, c, &[]);
        let gc = layer_of(&ls, "call", "gc");
        assert_eq!(gc.instructions, 3721.0 - 3357.0);
        assert!(gc.derivation.contains("over 3.0 collections"), "{}", gc.derivation);
        // The parts without gc add up to the row.
        let sum: f64 = ls.iter().filter(|l| l.layer != "gc").map(|l| l.instructions).sum();
        assert!((sum - 3357.0).abs() < 1e-9);
        // --own-only: no built-in guest's noop counted, nothing to split by; and a file that
        // does not parse splits nothing.
        counts.retain(|r| r.key.guest_variant != d);
        assert!(own_count_layers(&counts, FILE, c, &[]).is_empty());
        assert!(own_count_layers(&counts, "schema = [", c, &[]).is_empty());
    }

    fn part<'a>(c: &'a crate::analysis::CaseSplit, name: &str) -> &'a crate::analysis::Part {
        c.parts.iter().find(|p| p.name == name).unwrap_or_else(|| panic!("no {name} in {c:#?}"))
    }

    #[test]
    fn a_case_is_split_by_the_calls_it_makes_and_adds_up() {
        let splits = own_cases(&rows(), FILE, CUSTOM_GUEST_VARIANT);
        // The call scenarios' rows, not the instantiation's.
        let cases: Vec<(&str, &str)> = splits.iter().map(|c| (c.scenario.as_str(), c.api.as_str())).collect();
        // Not the row without a reference on its API (untyped): nothing to split it by.
        assert_eq!(cases, [("greet", "typed"), ("greet", "unchecked"), ("noop", "typed")]);
        let greet = &splits[0];
        // Two calls (greet, then free), both with arguments: 2 × (21 - 1), 2 × (24 - 21).
        assert!((part(greet, "harness loop").shown - 1.0).abs() < 1e-9);
        assert!((part(greet, "crossing").shown - 40.0).abs() < 1e-9, "{greet:#?}");
        assert!((part(greet, "arguments").shown - 6.0).abs() < 1e-9);
        assert!((part(greet, MODULE_PART).shown - 103.0).abs() < 1e-9);
        let sum: f64 = greet.parts.iter().map(|p| p.shown).sum();
        assert!((sum - greet.total).abs() < 1e-9 && (greet.total - 150.0).abs() < 1e-9);
        let text = parts_text(greet);
        assert!(text.starts_with("module 69% (103 ns), crossing 27% (40.0 ns)"), "{text}");
        // The file's own `noop` (one call, no arguments) is split against the built-in
        // guest's, never against itself.
        let own_noop = &splits[2];
        assert!((part(own_noop, "crossing").shown - 20.0).abs() < 1e-9, "{own_noop:#?}");
        assert!(own_noop.parts.iter().all(|p| p.name != "arguments"));
        // Without add on its API, a row says so, and the arguments stay in the rest.
        let unchecked = &splits[1];
        assert_eq!(unchecked.missing, ["add (unchecked, the built-in guest)"]);
        assert!((part(unchecked, "crossing").shown - 36.0).abs() < 1e-9);
        assert!((part(unchecked, MODULE_PART).shown - 103.0).abs() < 1e-9);
        assert!(parts_text(unchecked).contains("not measured: add (unchecked"));
    }

    #[test]
    fn a_reference_dearer_than_the_case_is_scaled_to_it_never_negative() {
        let mut rs = rows();
        rs[3] = row("wasmtime", "typed", "greet", CUSTOM_GUEST_VARIANT, 30.0);
        let greet = &own_cases(&rs, FILE, CUSTOM_GUEST_VARIANT)[0];
        assert!(greet.overshoot > 0.0);
        assert!(greet.parts.iter().all(|p| p.shown >= 0.0));
        let sum: f64 = greet.parts.iter().map(|p| p.shown).sum();
        assert!((sum - 30.0).abs() < 1e-9, "{greet:#?}");
        assert!(part(greet, MODULE_PART).below_noise);
        assert!(parts_text(greet).contains("exceed this row by"));
    }

    #[test]
    fn the_advice_names_the_cheapest_path_per_case_and_host_and_its_boundary() {
        let mut rs = rows();
        rs.push(row("wasmtime", "untyped", "noop", DEFAULT_GUEST_VARIANT, 61.0));
        let lines = own_advice(&own_cases(&rs, FILE, CUSTOM_GUEST_VARIANT));
        assert_eq!(lines.len(), 2, "{lines:#?}");
        // greet: unchecked (140 ns) against untyped (300 ns, 2 × 60 ns of crossing: 40%).
        assert!(lines[0].starts_with("greet (rust): wasmtime unchecked, 140 ns, 2x cheaper than wasmtime untyped (300 ns), where the boundary is 40%; the boundary is 26% of it, your module's own part 103 ns; it takes wasmtime's Func::call_unchecked"), "{}", lines[0]);
        assert!(lines[1].starts_with("noop (rust): wasmtime typed, 500 ns; the boundary is 4% of it"), "{}", lines[1]);
        // A path within the cheapest's noise is named beside it.
        rs.push(ResultRow::of_samples("wasmtime", "typed", "greet", Params::new(), CUSTOM_GUEST_VARIANT, vec![135.0, 150.0, 145.0, 140.0, 150.0, 135.0]));
        let lines = own_advice(&own_cases(&rs, FILE, CUSTOM_GUEST_VARIANT));
        assert!(lines[0].contains("wasmtime unchecked, 140 ns (as cheap within this run's noise: wasmtime typed 142 ns), 2x cheaper"), "{}", lines[0]);
    }

    #[test]
    fn a_file_that_does_not_parse_splits_nothing() {
        assert!(own_cases(&rows(), "schema = 1\n[[scenario]]\nname = 3\n", CUSTOM_GUEST_VARIANT).is_empty());
    }
}
