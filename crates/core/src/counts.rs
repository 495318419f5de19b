//! Instruction counts per operation (`run --counts`): what does not wobble.
//!
//! A host counts a row under callgrind by the two-count difference: the instructions of a
//! loop of `n2` operations less those of a loop of `n1`, over `n2 - n1`, so start-up,
//! compilation and the loop's fixed costs cancel. Each row is counted `repeats` times; the
//! spread of the repeats is recorded. A Go row is counted with the collector off (quiet)
//! and again with it on: the difference is the collector's work per operation.

use crate::results::RowKey;
use serde::{Deserialize, Serialize};

/// One counted row: raw counts only, everything else is derived from them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountRow {
    #[serde(flatten)]
    pub key: RowKey,
    /// The two loop lengths of each repeat.
    pub n1: u64,
    pub n2: u64,
    /// Instructions per operation, `(Ir(n2) - Ir(n1)) / (n2 - n1)`, one per repeat. For a Go
    /// row: with the collector off (`GOGC=off GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1`).
    pub instructions_per_op: Vec<f64>,
    /// A Go row counted again with the collector on (`GOMAXPROCS=1
    /// GODEBUG=asyncpreemptoff=1`), one per repeat; empty elsewhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gc_on_instructions_per_op: Vec<f64>,
    /// Go, collector on: collections in the n2 loop less those in the n1 loop, per repeat
    /// (the collector's figure is an average over these many cycles).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gc_cycles: Vec<f64>,
    /// Every counted operation checked its own result (the very loop that is timed).
    pub verified: bool,
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// Spread of repeats: (max - min) / mean, in percent.
fn spread(xs: &[f64]) -> Option<f64> {
    let m = mean(xs)?;
    (m != 0.0).then(|| range(xs) / m.abs() * 100.0)
}

impl CountRow {
    /// Instructions per operation: the mean of the repeats.
    pub fn per_op(&self) -> f64 {
        mean(&self.instructions_per_op).unwrap_or(f64::NAN)
    }

    /// (max - min) / mean of the repeats, percent.
    pub fn spread_pct(&self) -> f64 {
        spread(&self.instructions_per_op).unwrap_or(f64::NAN)
    }

    /// The collector's instructions per operation: with it on less with it off (Go rows).
    pub fn gc_per_op(&self) -> Option<f64> {
        Some(mean(&self.gc_on_instructions_per_op)? - self.per_op())
    }

    /// Collections between the two loops, mean over the repeats (Go rows, collector on).
    pub fn mean_gc_cycles(&self) -> Option<f64> {
        mean(&self.gc_cycles)
    }

    /// The collector's figure when its loops held at least one collection on average (or
    /// when the cycles were not recorded); `None` when they held none: the collector's
    /// share was then not measured, whatever the difference says.
    pub fn gc_per_op_measured(&self) -> Option<f64> {
        match self.mean_gc_cycles() {
            Some(c) if c < 1.0 => None,
            _ => self.gc_per_op(),
        }
    }

    /// How far the quiet figure can move by the repeats alone: their range, instructions
    /// per op.
    pub fn noise(&self) -> f64 {
        range(&self.instructions_per_op)
    }

    /// The collector's instructions per op as a layer of a split, with its derivation
    /// (`row` names the row), where the counts tell it from zero; `None` where they do not
    /// (the row's table says "below noise").
    pub fn gc_layer(&self, row: &str) -> Option<(f64, String)> {
        let g = self.gc_per_op_measured().filter(|g| *g > self.gc_noise())?;
        let cycles = self.mean_gc_cycles().map(|c| format!(", over {c:.1} collections")).unwrap_or_default();
        Some((g, format!("{row} with the collector on - off{cycles}")))
    }

    /// Spread of the collector-on repeats, percent.
    pub fn gc_spread_pct(&self) -> Option<f64> {
        spread(&self.gc_on_instructions_per_op)
    }

    /// How far the collector's figure can move by the repeats alone: the range of the
    /// collector-on repeats plus that of the quiet ones, instructions per op.
    pub fn gc_noise(&self) -> f64 {
        range(&self.gc_on_instructions_per_op) + range(&self.instructions_per_op)
    }

    /// The collector's instructions per op as every report prints it: the count, or `below
    /// noise (± n)` when the difference lies within the repeats' noise of zero or below it
    /// (a loop whose collector adds nothing the counts can tell: never a negative count).
    pub fn gc_text(&self, g: f64) -> String {
        let noise = self.gc_noise();
        if g > noise {
            instr(g)
        } else {
            format!("below noise (± {})", instr(noise.max(g.abs())))
        }
    }
}

/// Largest less smallest (0 for fewer than two).
fn range(xs: &[f64]) -> f64 {
    let (lo, hi) = xs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    if xs.len() < 2 { 0.0 } else { hi - lo }
}

/// `1.32 k`, `242.3`, `12.8 k`: instructions per op as reports write them.
pub fn instr(v: f64) -> String {
    if !v.is_finite() {
        "-".into()
    } else if v.abs() >= 1e6 {
        format!("{:.2} M", v / 1e6)
    } else if v.abs() >= 1e4 {
        format!("{:.1} k", v / 1e3)
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// `242 instr (±0.1%)` with the spread of the repeats.
pub fn instr_with_spread(c: &CountRow) -> String {
    format!("{} (spread {:.2}%)", instr(c.per_op()), c.spread_pct())
}

/// The one table of counted rows every report shows (terminal, Markdown, HTML).
pub struct CountTable {
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

/// Counted rows, one line each: instructions per op with the spread of the repeats, and for
/// Go rows the collector's instructions per op (collector on less off) over its cycles.
pub fn table(counts: &[CountRow]) -> CountTable {
    let gc = counts.iter().any(|c| !c.gc_on_instructions_per_op.is_empty());
    let mut header = vec!["host", "runtime", "api", "scenario", "instructions/op", "spread", "repeats × (n1 → n2)"];
    if gc {
        header.extend(["GC instructions/op", "GC spread, cycles"]);
    }
    header.push("ok");
    let rows = counts
        .iter()
        .map(|c| {
            let k = &c.key;
            let mut cells = vec![
                k.host.clone(),
                k.runtime.clone(),
                k.api.clone(),
                k.case_label(),
                instr(c.per_op()),
                format!("{:.2}%", c.spread_pct()),
                format!("{} × ({} → {})", c.instructions_per_op.len(), c.n1, c.n2),
            ];
            if gc {
                match c.gc_per_op() {
                    Some(_) if c.gc_per_op_measured().is_none() => {
                        cells.push("not measured".into());
                        let cycles = c.mean_gc_cycles().unwrap_or(0.0);
                        cells.push(if cycles == 0.0 {
                            // The native floor's loop, for one, allocates nothing to collect.
                            "no collection between the loops: none comes if the loop allocates nothing, else raise --count-work".into()
                        } else {
                            format!("{cycles:.1} cycles between the loops: raise --count-work")
                        });
                    }
                    Some(g) => {
                        cells.push(c.gc_text(g));
                        let cycles = if c.gc_cycles.is_empty() {
                            String::new()
                        } else {
                            format!(", {:.1} cycles", c.gc_cycles.iter().sum::<f64>() / c.gc_cycles.len() as f64)
                        };
                        cells.push(format!("{:.1}%{cycles}", c.gc_spread_pct().unwrap_or(f64::NAN)));
                    }
                    None => cells.extend([String::from("-"), String::from("-")]),
                }
            }
            cells.push(if c.verified { "✓".into() } else { "✗".into() });
            cells
        })
        .collect();
    CountTable { header, rows }
}

/// What every report says under the counts (the honest limits).
pub const ABOUT: &str = "Counted by the two-count difference (Ir(n2) - Ir(n1)) / (n2 - n1) under callgrind, so start-up and \
compilation cancel; spread = (max - min) / mean of the repeats. Instructions are not time: a cache miss, a system call or \
a slow instruction costs more than one count, and a JIT may emit different code for valgrind's simulated CPU. Go rows are \
counted quiet (GOGC=off GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1), which leaves the collector out: the GC column is the \
same loop with the collector on, less quiet, averaged over the collections shown (not measured when the loops held \
less than one: raise --count-work).";

/// A split in instructions as every report shows it (terminal, Markdown, HTML): the cgo
/// path's layers, and a scenario file's cases.
pub struct LayerTable<'a> {
    /// The HTML anchor.
    pub id: &'static str,
    pub title: &'static str,
    /// A sentence under the title.
    pub about: &'static str,
    pub header: [&'static str; 9],
    pub layers: &'a [CountLayer],
}

/// The splits in instructions a results file has, in the order the reports show them.
pub fn layer_tables(d: &crate::results::Derived) -> Vec<LayerTable<'_>> {
    let header = |fourth| ["runtime", "api", "case", fourth, "instructions/op", "share", "time", "share of time", "derived from"];
    let tables = [
        LayerTable {
            id: "count-layers",
            title: "The cgo path layer by layer, in instructions",
            about: "The parts are differences of counted rows: they add up to the crossing exactly; gc comes on top.",
            header: header("layer"),
            layers: &d.count_layers,
        },
        LayerTable {
            id: "own-count-layers",
            title: "Where your cases' instructions go",
            about: "Each counted row of your module split into the harness loop, the crossing and the arguments (the \
                    built-in guest's noop and add counted on the same engine and call API) and the module's own part, \
                    the rest: the parts add up to the row exactly; a part within the range of its counts' repeats reads \
                    zero; gc comes on top.",
            header: header("part"),
            layers: &d.own_count_layers,
        },
    ];
    tables.into_iter().filter(|t| !t.layers.is_empty()).collect()
}

/// The layer split as table cells: runtime, api, case, layer, instructions, share, time,
/// share of time, derivation (shares of the crossing, the collector left out).
pub fn layer_rows(layers: &[CountLayer]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for l in layers {
        let parts = layers.iter().filter(|x| x.host == l.host && x.runtime == l.runtime && x.api == l.api && x.case == l.case && x.layer != "gc");
        let (ti, tt): (f64, f64) = parts.fold((0.0, 0.0), |(a, b), x| (a + x.instructions, b + x.time_ns.unwrap_or(f64::NAN)));
        let share = |v: f64, t: f64| if l.layer == "gc" || !t.is_finite() || t == 0.0 { "-".to_string() } else { format!("{:.0}%", v / t * 100.0) };
        out.push(vec![
            l.runtime.clone(),
            l.api.clone(),
            l.case.clone(),
            l.layer.clone(),
            instr(l.instructions),
            share(l.instructions, ti),
            l.time_ns.map(crate::units::ns).unwrap_or_else(|| "-".into()),
            l.time_ns.map(|t| share(t, tt)).unwrap_or_else(|| "-".into()),
            l.derivation.clone(),
        ]);
    }
    out
}

/// One layer of a cgo path in instructions beside the same layer in time (issue 9's split).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountLayer {
    pub host: String,
    pub runtime: String,
    pub api: String,
    /// `noop` or `add`.
    pub case: String,
    /// `ffi_call`, `engine_entry`, `capi_checks`, `go_binding`, `binding_and_engine`, `gc`.
    pub layer: String,
    pub instructions: f64,
    /// The same layer in time, when this file also has the timed rows (`ns`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_ns: Option<f64>,
    pub derivation: String,
}

/// The cgo layers of `analysis::layers` in instructions: the parts are differences of
/// counted rows, so they add up to the crossing (`R - empty`) exactly; the collector's
/// instructions per op (Go, collector on less off) come on top. Time from `breakdown` where
/// the file has it.
pub fn layers(
    counts: &[CountRow],
    infos: &[crate::results::RuntimeInfo],
    breakdown: &[crate::analysis::Component],
) -> Vec<CountLayer> {
    let find = |host: &str, runtime: &str, api: Option<&str>, scenario: &str| {
        counts.iter().find(|c| {
            c.key.host == host && c.key.runtime == runtime && c.key.scenario == scenario && api.is_none_or(|a| c.key.api == a)
        })
    };
    let mut out = Vec::new();
    for info in infos.iter().filter(|i| i.via_cgo()) {
        let (host, r) = (info.host.as_str(), info.runtime.as_str());
        if infos.iter().any(|o| o.host == host && o.direct_path == r) {
            continue;
        }
        let (Some(ffi), Some(empty)) = (find(host, "native", None, "ffi_call"), find(host, "native", None, "empty")) else {
            continue;
        };
        for case in crate::analysis::LAYER_CASES {
            let Some(api) = info.call_apis.iter().find(|a| find(host, r, Some(a), case).is_some()) else { continue };
            let row = find(host, r, Some(api), case).expect("found above");
            let time = |layer: &str| {
                breakdown
                    .iter()
                    .find(|c| c.host == host && c.runtime == r && c.api == *api && c.case == *case && c.component == layer)
                    .map(|c| c.value)
            };
            let mut push = |layer: &str, v: f64, how: String| {
                out.push(CountLayer {
                    host: host.into(),
                    runtime: r.into(),
                    api: api.clone(),
                    case: case.to_string(),
                    layer: layer.into(),
                    instructions: v,
                    time_ns: time(layer),
                    derivation: how,
                })
            };
            push("ffi_call", ffi.per_op() - empty.per_op(), "native ffi_call - empty".into());
            let dp = info.direct_path.as_str();
            let direct = (!dp.is_empty())
                .then(|| Some((find(host, dp, Some("unchecked"), case), find(host, dp, Some("checked"), case)?)))
                .flatten();
            match direct {
                // A C API with only a checked call (wasm.h: wasmer-capi), as in the time split.
                Some((None, checked)) => {
                    push("engine_entry_and_checks", checked.per_op() - ffi.per_op(), format!("{dp} {case} checked - ffi_call"));
                    push("go_binding", row.per_op() - checked.per_op(), format!("{r} {case} {api} - {dp} {case} checked"));
                }
                Some((Some(unchecked), checked)) => {
                    push("engine_entry", unchecked.per_op() - ffi.per_op(), format!("{dp} {case} unchecked - ffi_call"));
                    push("capi_checks", checked.per_op() - unchecked.per_op(), format!("{dp} {case} checked - unchecked"));
                    push("go_binding", row.per_op() - checked.per_op(), format!("{r} {case} {api} - {dp} {case} checked"));
                }
                None => push("binding_and_engine", row.per_op() - ffi.per_op(), format!("{r} {case} {api} - ffi_call")),
            }
            // The collector's layer where the counts tell it from zero (the table says
            // "below noise" of the others).
            if let Some((g, how)) = row.gc_layer(&format!("{r} {case} {api}")) {
                push("gc", g, how);
            }
        }
    }
    out
}

/// Where the time split and the instruction split disagree: a layer whose share of the
/// time differs from its share of the instructions by more than `pp` percentage points.
/// Instructions do not see cache misses, system calls or slow instructions (atomics, the
/// signal-mask and stack switches of a cgo call): such a layer costs more time per
/// instruction than the others.
pub fn disagreements(layers: &[CountLayer], pp: f64) -> Vec<String> {
    let mut out = Vec::new();
    let mut groups: Vec<(&str, &str, &str, &str)> = layers.iter().map(|l| (l.host.as_str(), l.runtime.as_str(), l.api.as_str(), l.case.as_str())).collect();
    groups.dedup();
    for (h, r, a, c) in groups {
        let parts: Vec<&CountLayer> =
            layers.iter().filter(|l| l.host == h && l.runtime == r && l.api == a && l.case == c && l.layer != "gc").collect();
        if parts.iter().any(|l| l.time_ns.is_none()) {
            continue;
        }
        let ti: f64 = parts.iter().map(|l| l.instructions).sum();
        let tt: f64 = parts.iter().map(|l| l.time_ns.unwrap_or(0.0)).sum();
        if ti <= 0.0 || tt <= 0.0 {
            continue;
        }
        for l in parts {
            let (si, st) = (l.instructions / ti * 100.0, l.time_ns.unwrap_or(0.0) / tt * 100.0);
            if (si - st).abs() > pp {
                let more = if st > si { "more time per instruction than the rest (cache misses, system calls or slow instructions, which instructions do not see)" } else { "less time per instruction than the rest (cheap, well-predicted instructions)" };
                out.push(format!("{r} {c} {}: {st:.0}% of the time but {si:.0}% of the instructions: it takes {more}", l.layer));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(v: Vec<f64>, gc: Vec<f64>) -> CountRow {
        CountRow {
            key: RowKey { host: "go".into(), runtime: "r".into(), api: "a".into(), scenario: "s".into(), params: Default::default(), guest_variant: crate::results::DEFAULT_GUEST_VARIANT.into() },
            n1: 10,
            n2: 50,
            instructions_per_op: v,
            gc_on_instructions_per_op: gc,
            gc_cycles: vec![],
            verified: true,
        }
    }

    fn counted(runtime: &str, api: &str, scenario: &str, v: f64, gc: Option<f64>) -> CountRow {
        CountRow {
            key: RowKey { host: "go".into(), runtime: runtime.into(), api: api.into(), scenario: scenario.into(), params: Default::default(), guest_variant: crate::results::DEFAULT_GUEST_VARIANT.into() },
            n1: 100,
            n2: 500,
            instructions_per_op: vec![v, v + 1.0],
            gc_on_instructions_per_op: gc.map(|g| vec![g, g]).unwrap_or_default(),
            gc_cycles: vec![],
            verified: true,
        }
    }

    fn info(runtime: &str, ffi: &str, direct: &str, apis: &[&str]) -> crate::results::RuntimeInfo {
        crate::results::RuntimeInfo {
            host: "go".into(),
            runtime: runtime.into(),
            engine: "wasmtime".into(),
            version: "x".into(),
            call_apis: apis.iter().map(|s| s.to_string()).collect(),
            memory_apis: vec![],
            notes: String::new(),
            ffi: ffi.into(),
            direct_path: direct.into(),
        }
    }

    #[test]
    fn the_layers_in_instructions_add_up_to_the_crossing_exactly() {
        let counts = vec![
            counted("native", "direct", "empty", 9.0, None),
            counted("native", "direct", "ffi_call", 284.4, None),
            counted("wasmtime-capi", "unchecked", "noop", 578.1, None),
            counted("wasmtime-capi", "checked", "noop", 1118.3, None),
            counted("wasmtime-go", "call", "noop", 8399.7, Some(9400.0)),
        ];
        let infos = vec![
            info("wasmtime-go", "cgo", "wasmtime-capi", &["call"]),
            info("wasmtime-capi", "cgo", "", &["unchecked", "checked"]),
        ];
        let l = layers(&counts, &infos, &[]);
        let names: Vec<&str> = l.iter().map(|x| x.layer.as_str()).collect();
        assert_eq!(names, ["ffi_call", "engine_entry", "capi_checks", "go_binding", "gc"]);
        let parts: f64 = l.iter().filter(|x| x.layer != "gc").map(|x| x.instructions).sum();
        let crossing = counts[4].per_op() - counts[0].per_op();
        assert!((parts - crossing).abs() < 1e-9, "{parts} vs {crossing}");
        assert_eq!(l[4].instructions, 9400.0 - counts[4].per_op());
        assert!(l.iter().all(|x| x.time_ns.is_none() && x.case == "noop"));
        // Without timed rows there is nothing to disagree with.
        assert!(disagreements(&l, 10.0).is_empty());
        // With time: a layer with a far larger share of the time than of the instructions is named.
        let mut timed = l.clone();
        for (x, t) in timed.iter_mut().zip([400.0, 30.0, 20.0, 1200.0, 400.0]) {
            x.time_ns = Some(t);
        }
        let d = disagreements(&timed, 10.0);
        assert!(d.iter().any(|s| s.starts_with("wasmtime-go noop ffi_call") && s.contains("more time per instruction")), "{d:?}");
        assert!(!d.iter().any(|s| s.contains(" gc:")), "gc is not a part of the crossing: {d:?}");
    }

    #[test]
    fn a_checked_only_c_api_gives_three_layers_that_add_up() {
        // wasmer-capi: wasm.h has no unchecked call, as in the time split.
        let counts = vec![
            counted("native", "direct", "empty", 9.0, None),
            counted("native", "direct", "ffi_call", 284.0, None),
            counted("wasmer-capi", "checked", "noop", 1102.0, None),
            counted("wasmer-go", "call", "noop", 4125.0, None),
        ];
        let infos = vec![info("wasmer-go", "cgo", "wasmer-capi", &["call"]), info("wasmer-capi", "cgo", "", &["checked"])];
        let l = layers(&counts, &infos, &[]);
        let names: Vec<&str> = l.iter().map(|x| x.layer.as_str()).collect();
        assert_eq!(names, ["ffi_call", "engine_entry_and_checks", "go_binding"]);
        let parts: f64 = l.iter().map(|x| x.instructions).sum();
        assert!((parts - (4125.0 - 9.0)).abs() < 1e-9, "{parts}");
        assert!(l.iter().all(|x| x.runtime == "wasmer-go"));
    }

    #[test]
    fn mean_spread_and_gc_share() {
        let r = row(vec![100.0, 102.0], vec![150.0, 160.0]);
        assert_eq!(r.per_op(), 101.0);
        assert!((r.spread_pct() - 2.0 / 101.0 * 100.0).abs() < 1e-9);
        assert_eq!(r.gc_per_op(), Some(54.0));
        assert!(row(vec![1.0], vec![]).gc_per_op().is_none());
        // Loops that held no collection did not measure the collector.
        let mut none = row(vec![100.0], vec![100.5]);
        none.gc_cycles = vec![0.0, 1.0];
        assert_eq!(none.gc_per_op_measured(), None);
        none.gc_cycles = vec![1.0, 2.0];
        assert_eq!(none.gc_per_op_measured(), Some(0.5));
        assert!(row(vec![], vec![]).per_op().is_nan());
    }

    #[test]
    fn a_collector_figure_within_the_repeats_noise_is_below_noise_never_negative() {
        // Quiet 864.0 and 864.2, collector on 863.9 and 864.3: -0.0 within ± 0.6.
        let r = row(vec![864.0, 864.2], vec![863.9, 864.3]);
        let g = r.gc_per_op().unwrap();
        assert!(g < 0.0);
        assert_eq!(r.gc_text(g), "below noise (± 0.6)");
        // Clearly above the noise: the count.
        let r = row(vec![864.0, 864.2], vec![1150.0, 1152.0]);
        assert_eq!(r.gc_text(r.gc_per_op().unwrap()), "287");
        // A negative difference beyond the noise is not printed as a count either.
        let r = row(vec![900.0, 900.0], vec![800.0, 800.0]);
        assert!(r.gc_text(-100.0).starts_with("below noise"));
    }

    #[test]
    fn a_loop_without_a_collection_is_told_from_one_with_too_few() {
        let gc_cells = |cycles: Vec<f64>| {
            let mut r = row(vec![9.0, 9.0], vec![9.0, 9.0]);
            r.gc_cycles = cycles;
            let t = table(&[r]);
            let n = t.rows[0].len();
            t.rows[0][n - 3..n - 1].to_vec()
        };
        let none = gc_cells(vec![0.0, 0.0]);
        assert_eq!(none[0], "not measured");
        assert!(none[1].starts_with("no collection between the loops: none comes if the loop allocates nothing"), "{none:?}");
        assert_eq!(gc_cells(vec![0.5, 0.5])[1], "0.5 cycles between the loops: raise --count-work");
    }
}
