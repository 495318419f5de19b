//! Go → Wasm layer by layer, for every engine reached through cgo (issue 9): what one bare
//! cgo call costs, what entering the engine adds, what the C API's value checks add, and
//! what the Go binding adds; and what batching k Wasm calls into one cgo call buys.
//!
//! For a runtime R with `ffi == "cgo"` and `direct_path == D`, on `noop` and on `add`:
//! `ffi_call` = native ffi_call − empty; `engine_entry` = D unchecked − ffi_call;
//! `capi_checks` = D checked − D unchecked; `go_binding` = R − D checked. The four add up
//! to R's measured crossing (R − empty) by construction. A direct path with a checked call
//! only (wasmer-capi: wasm.h has no unchecked call) gives three: `ffi_call`,
//! `engine_entry_and_checks` = D checked − ffi_call, and `go_binding`. Without a direct path,
//! `ffi_call` and `binding_and_engine` = R − ffi_call, with the reason.

use super::{default_call_api, floor, runtimes, Out, View};
use crate::results::{Params, ResultRow, RuntimeInfo};
use crate::units::{counters, ns, GO_COUNTERS};
use std::collections::BTreeMap;

/// The layer cases: the scenarios split layer by layer.
pub const LAYER_CASES: &[&str] = &["noop", "add"];

fn go_counters(row: &ResultRow) -> BTreeMap<String, f64> {
    row.metrics.iter().filter(|(k, _)| GO_COUNTERS.iter().any(|c| c.0 == k.as_str())).map(|(k, v)| (k.clone(), *v)).collect()
}

fn with_counters(how: String, row: &ResultRow) -> String {
    let c = counters(&row.metrics);
    if c.is_empty() {
        how
    } else {
        format!("{how}; {} {}: {c} per op", row.key.runtime, row.key.api)
    }
}

pub fn cgo_layers(rows: &[ResultRow], infos: &[RuntimeInfo]) -> Vec<Component> {
    let mut all = Vec::new();
    for info in infos.iter().filter(|i| i.via_cgo()) {
        let (host, r) = (info.host.as_str(), info.runtime.as_str());
        // A direct path is itself the layers of the runtime that names it: no split of its own.
        if infos.iter().any(|o| o.host == host && o.direct_path == r) {
            continue;
        }
        let Some(ffi) = rows.iter().find(|x| x.key.host == host && x.key.runtime == "native" && x.key.scenario == "ffi_call")
        else {
            continue;
        };
        let Some(api) = default_call_api(rows, infos, host, r) else { continue };
        let floor = floor(rows, host);
        let v = View::of(rows, host, r);
        let d = (!info.direct_path.is_empty()).then(|| View::of(rows, host, &info.direct_path));
        for case in LAYER_CASES {
            let Some(row) = v.row(case, api, None) else { continue };
            let mut out = Out::new(host, r);
            out.case = case.to_string();
            match floor {
                Some(f) => out.add(api, "ffi_call", Params::new(), &[ffi, f], "ns", "native ffi_call - empty: one bare cgo call".into(), |m| m[0] - m[1]),
                None => out.add(api, "ffi_call", Params::new(), &[ffi], "ns", "native ffi_call (no floor measured)".into(), |m| m[0]),
            };
            let direct = d.as_ref().and_then(|d| Some((d.row(case, "unchecked", None), d.row(case, "checked", None)?)));
            match direct {
                Some((None, checked)) => {
                    let dp = &info.direct_path;
                    out.add(
                        api,
                        "engine_entry_and_checks",
                        Params::new(),
                        &[checked, ffi],
                        "ns",
                        with_counters(format!("{dp} {case} checked - ffi_call ({dp} has no unchecked call to tell the two apart)"), checked),
                        |m| m[0] - m[1],
                    );
                    if let Some(c) = out.add(api, "go_binding", Params::new(), &[row, checked], "ns", with_counters(format!("{r} {case} {api} - {dp} {case} checked"), row), |m| m[0] - m[1]) {
                        c.counters = go_counters(row);
                    }
                }
                Some((Some(unchecked), checked)) => {
                    let dp = &info.direct_path;
                    out.add(api, "engine_entry", Params::new(), &[unchecked, ffi], "ns", with_counters(format!("{dp} {case} unchecked - ffi_call"), unchecked), |m| m[0] - m[1]);
                    out.add(api, "capi_checks", Params::new(), &[checked, unchecked], "ns", with_counters(format!("{dp} {case} checked - {dp} {case} unchecked"), checked), |m| m[0] - m[1]);
                    if let Some(c) = out.add(api, "go_binding", Params::new(), &[row, checked], "ns", with_counters(format!("{r} {case} {api} - {dp} {case} checked"), row), |m| m[0] - m[1]) {
                        c.counters = go_counters(row);
                    }
                }
                None => {
                    let why = if info.direct_path.is_empty() {
                        format!("no direct C-API path to {} is measured, so the binding and the engine are not told apart", info.engine)
                    } else {
                        format!("the direct path {} has no {case} checked row in this run", info.direct_path)
                    };
                    if let Some(c) = out.add(api, "binding_and_engine", Params::new(), &[row, ffi], "ns", with_counters(format!("{r} {case} {api} - ffi_call ({why})"), row), |m| m[0] - m[1]) {
                        c.counters = go_counters(row);
                    }
                }
            }
            all.extend(out.list);
        }
    }
    all
}

use super::Component;

/// `batch_crossing` (one cgo call making k Wasm calls on the C side): one call's share at
/// the largest k, against the Rust host's typed wasmtime `add` when this file has it.
pub fn batched_crossing(rows: &[ResultRow]) -> Vec<Component> {
    let rust_add = rows
        .iter()
        .find(|x| x.key.host == "rust" && x.key.runtime == "wasmtime" && x.key.api == "typed" && x.key.scenario == "add");
    let mut all = Vec::new();
    for (host, runtime) in runtimes(rows) {
        let v = View::of(rows, &host, &runtime);
        let mut out = Out::new(&host, &runtime);
        for api in v.apis("batch_crossing") {
            let Some(row) = v.series("batch_crossing", api).last().copied() else { continue };
            let k = row.key.param().unwrap_or(1).max(1) as f64;
            let mut how = format!("batch_crossing at k={k} / k");
            if let Some(add) = rust_add {
                let label = format!("{host}/{runtime}/{api}/batched against rust wasmtime typed add");
                let (x, lo, hi) = super::estimate(&[row, add], &label, |m| m[0] / k / m[1]);
                how.push_str(&format!(
                    "; {x:.2}x the Rust host's typed wasmtime add ({}; 95% CI {lo:.2}x … {hi:.2}x)",
                    ns(add.estimate())
                ));
            }
            let params = Params::from([("k".into(), k as u64)]);
            out.add(api, "batched_crossing_per_call", params, &[row], "ns", how, |m| m[0] / k);
        }
        all.extend(out.list);
    }
    all
}
