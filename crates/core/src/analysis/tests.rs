use super::*;
use crate::results::{RawRow, RowKey};

fn row(runtime: &str, api: &str, scenario: &str, param: Option<(&str, u64)>, ns: f64) -> ResultRow {
    let params = param.map(|(k, v)| Params::from([(k.to_string(), v)])).unwrap_or_default();
    ResultRow::from_raw(RawRow {
        key: RowKey { host: "rust".into(), runtime: runtime.into(), api: api.into(), scenario: scenario.into(), params },
        iters_per_sample: 1000,
        sample_ns_per_op: vec![ns; 12],
        verified: true,
        metrics: Default::default(),
        input_sha256: None,
    })
}

/// A synthetic run whose parts are known exactly.
pub(crate) fn fixture() -> Vec<ResultRow> {
    let mut rows = vec![
        row("native", "direct", "empty", None, 1.0),
        row("native", "direct", "native_call", None, 2.0),
        row("native", "direct", "native_sum", Some(("len", 10000)), 1000.0),
        row("wasmtime", "typed", "noop", None, 21.0),
        row("wasmtime", "untyped", "noop", None, 61.0),
        row("wasmtime", "typed", "add", None, 24.0),
        row("wasmtime", "untyped", "add", None, 71.0),
        row("wasmtime", "typed", "sum_array_resident", Some(("len", 10000)), 2500.0),
        row("wasmtime", "typed", "first_call", None, 524.0),
        row("wasmtime", "typed", "compile", None, 3_000_000.0),
        row("wasmtime", "typed", "instantiate", None, 4_000.0),
    ];
    for calls in [1u64, 16, 256] {
        rows.push(row("wasmtime", "typed", "host_import", Some(("calls", calls)), 30.0 + 5.0 * calls as f64));
    }
    for bytes in [16u64, 51, 1024, 65536] {
        let b = bytes as f64;
        rows.push(row("wasmtime", "view", "copy_in", Some(("bytes", bytes)), 3.0 + 0.05 * b));
        rows.push(row("wasmtime", "view", "copy_out", Some(("bytes", bytes)), 4.0 + 0.1 * b));
        rows.push(row("wasmtime", "view", "string_roundtrip", Some(("bytes", bytes)), 40.0 + 0.5 * b));
        rows.push(row("wasmtime", "view", "string_alloc_per_call", Some(("bytes", bytes)), 140.0 + 0.5 * b));
    }
    rows.push(row("wasmtime", "view", "sum_array", Some(("len", 10000)), 4500.0));
    for len in [16u64, 10000] {
        rows.push(row("wasmtime", "view", "copy_in", Some(("bytes", len * 4)), 3.0 + 0.05 * (len * 4) as f64));
    }
    rows.push(row("wasmtime", "typed", "batch_add", Some(("n", 4096)), 4096.0 * 2.0));
    rows
}

fn value(components: &[Component], api: &str, name: &str) -> f64 {
    components
        .iter()
        .find(|c| c.api == api && c.component == name)
        .unwrap_or_else(|| panic!("no {name} for {api}: {components:#?}"))
        .value
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

#[test]
fn decomposition_recovers_the_known_parts() {
    let c = decompose(&fixture());
    assert!(close(value(&c, "typed", "crossing"), 20.0));
    assert!(close(value(&c, "untyped", "crossing"), 60.0));
    assert!(close(value(&c, "typed", "arguments"), 3.0));
    assert!(close(value(&c, "untyped", "arguments"), 10.0));
    assert!(close(value(&c, "typed", "host_call"), 5.0));
    assert!(close(value(&c, "view", "copy_in_fixed"), 3.0));
    assert!(close(value(&c, "view", "copy_in_per_byte"), 0.05));
    assert!(close(value(&c, "view", "copy_out_fixed"), 4.0));
    assert!(close(value(&c, "view", "copy_out_per_byte"), 0.1));
    assert!(close(value(&c, "view", "alloc_roundtrip"), 100.0));
    assert!(close(value(&c, "typed", "compute_ratio"), 2.5));
    assert!(close(value(&c, "typed", "batch_per_add"), 2.0));
    assert!(close(value(&c, "typed", "compile"), 3.0));
    assert!(close(value(&c, "typed", "instantiate"), 4.0));
    assert!(close(value(&c, "typed", "first_call_penalty"), 500.0));
    // Every component has a documented meaning.
    for comp in &c {
        assert!(COMPONENTS.iter().any(|(n, _)| *n == comp.component), "{}", comp.component);
    }
    // Nothing is derived for the native baseline.
    assert!(c.iter().all(|x| x.runtime != "native"));
}

#[test]
fn missing_floor_is_said_not_guessed() {
    let rows: Vec<ResultRow> = fixture().into_iter().filter(|r| r.key.scenario != "empty").collect();
    let c = decompose(&rows);
    let crossing = c.iter().find(|x| x.component == "crossing" && x.api == "typed").unwrap();
    assert!(close(crossing.value, 21.0));
    assert!(crossing.derivation.contains("no floor"));
}

#[test]
fn seed_table_spans_runtimes_and_names_the_main_source() {
    let t = seed_table(&fixture());
    let names: Vec<&str> = t.iter().map(|r| r.benchmark.as_str()).collect();
    assert_eq!(
        names,
        ["GoFunctionCall", "WasmNoOpCall", "WasmAddNumbers", "WasmReverseStringInPlace", "WasmSumArray", "GoSumArray"]
    );
    let noop = &t[1];
    assert_eq!((noop.min_ns, noop.max_ns, noop.rows), (21.0, 61.0, 2));
    assert_eq!(noop.fastest, "wasmtime typed");
    assert!(noop.main_source.contains("95%"), "{}", noop.main_source); // 20 of 21 ns
    let s = &t[3];
    assert_eq!(s.params.get("bytes"), Some(&51));
    // 51 B: crossing 21, copy 3+2.55 + 4+5.1 = 14.65, rest 65.5-35.65 = 29.85 of 65.5.
    assert!(s.main_source.starts_with("compute and arguments 46%, crossing 32%, copying 22%"), "{}", s.main_source);
    let sum = &t[4];
    // sum_array 4500: crossing 21, copy-in 3 + 2000 = 2003, resident call 2500.
    assert!(sum.main_source.starts_with("call and compute 56%, copying 45%, crossing 0%"), "{}", sum.main_source);
    assert!(t[5].main_source.contains("2.5x"), "{}", t[5].main_source);
}

#[test]
fn ffi_share_splits_a_cgo_crossing() {
    let mut rows = fixture();
    for r in &mut rows {
        r.key.host = "go".into();
    }
    rows.push({
        let mut r = row("native", "direct", "ffi_call", None, 6.0);
        r.key.host = "go".into();
        r
    });
    let c = decompose(&rows);
    let ffi = ffi_components(&rows, &c, &[("go".into(), "wasmtime".into())]);
    let typed: Vec<_> = ffi.iter().filter(|x| x.api == "typed").collect();
    assert_eq!(typed.len(), 2);
    assert!(close(typed[0].value, 6.0) && typed[0].component == "ffi_call");
    assert!(typed[0].derivation.contains("30%"), "{}", typed[0].derivation); // 6 of 20 ns
    assert!(close(typed[1].value, 14.0) && typed[1].component == "engine_crossing");
    // Not for runtimes that do not go through the FFI.
    assert!(ffi_components(&rows, &c, &[]).is_empty());
}

#[test]
fn start_up_mitigations_are_components_against_their_plain_path() {
    let mut rows = fixture();
    rows.push(row("wasmtime", "typed", "deserialize", None, 30_000.0));
    rows.push(row("wasmtime", "typed", "instantiate_pre", None, 3_000.0));
    let c = decompose(&rows);
    assert!(close(value(&c, "typed", "deserialize"), 30.0)); // µs
    assert!(close(value(&c, "typed", "instantiate_pre"), 3.0));
    let how = |name: &str| c.iter().find(|x| x.component == name).unwrap().derivation.clone();
    assert_eq!(how("deserialize"), "deserialize (100x faster than compile)");
    assert_eq!(how("instantiate_pre"), "instantiate_pre (-25% against instantiate)");
}

#[test]
fn engine_matrix_has_a_column_per_runtime_and_dashes_where_not_measured() {
    let mut rows = fixture();
    // A second engine with only a crossing and a compile, and a native row that is no column.
    rows.push(row("wasm3", "typed", "noop", None, 6.0));
    rows.push(row("wasm3", "typed", "compile", None, 4_000.0));
    let comps = decompose(&rows);
    let m = engine_matrix(&rows, &comps);
    assert_eq!(m.len(), 1);
    let m = &m[0];
    assert_eq!(m.host, "rust");
    assert_eq!(m.runtimes, ["wasmtime", "wasm3"]);
    let get = |metric: &str| m.rows.iter().find(|r| r.metric.starts_with(metric)).map(|r| (r.unit.clone(), r.cells.clone()));
    // The fastest API path of the seed's no-op call; the default API's crossing (typed).
    assert_eq!(get("BenchmarkWasmNoOpCall"), Some(("ns".into(), vec![Some(21.0), Some(6.0)])));
    assert_eq!(get("crossing (default"), Some(("ns".into(), vec![Some(20.0), Some(5.0)])));
    assert_eq!(get("compile"), Some(("ms".into(), vec![Some(3.0), Some(0.004)])));
    assert_eq!(get("arguments").unwrap().1, vec![Some(3.0), None]);
    // A figure no runtime has is no row.
    assert_eq!(get("deserialize"), None);
    assert_eq!(get("copy in per byte, copy"), None);
    assert!(m.rows.iter().all(|r| r.cells.len() == 2));
}
