use super::*;
use crate::results::RuntimeInfo;

fn row(runtime: &str, api: &str, scenario: &str, param: Option<(&str, u64)>, ns: f64) -> ResultRow {
    let params = param.map(|(k, v)| Params::from([(k.to_string(), v)])).unwrap_or_default();
    ResultRow::of_samples(runtime, api, scenario, params, crate::results::DEFAULT_GUEST_VARIANT, vec![ns; 12])
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

fn info(runtime: &str, call_apis: &[&str], ffi: &str, direct_path: &str) -> RuntimeInfo {
    RuntimeInfo {
        host: "go".into(),
        runtime: runtime.into(),
        engine: runtime.into(),
        version: "1".into(),
        call_apis: call_apis.iter().map(|s| s.to_string()).collect(),
        memory_apis: vec![],
        notes: String::new(),
        ffi: ffi.into(),
        direct_path: direct_path.into(),
    }
}

fn on_go(mut r: ResultRow) -> ResultRow {
    r.key.host = "go".into();
    r
}

/// Samples spread around `ns` (±`spread`), deterministic.
fn noisy(runtime: &str, api: &str, scenario: &str, ns: f64, spread: f64) -> ResultRow {
    let samples: Vec<f64> = (0..15).map(|i| ns + spread * ((i * 7 % 15) as f64 / 7.0 - 1.0)).collect();
    ResultRow::of_samples(runtime, api, scenario, Params::new(), crate::results::DEFAULT_GUEST_VARIANT, samples)
}

/// A translated engine's row that the harness cannot tell from its floor says so in the
/// seed table; a runtime's row at the same figure is not marked (only translated rows are).
#[test]
fn a_translated_fastest_row_at_the_floor_is_marked_in_the_seed_table() {
    for (runtime, marked) in [("wasm2c", true), ("wasmtime", false)] {
        let rows = vec![row("native", "direct", "empty", None, 1.0), row(runtime, "unguarded", "noop", None, 1.0)];
        let cases = seed_cases(&rows, &[]);
        let t = seed_table(&rows, &cases);
        let noop = t.iter().find(|r| r.benchmark == "WasmNoOpCall").unwrap();
        assert_eq!(noop.main_source.starts_with("at the harness floor (1.00 ns)"), marked, "{runtime}: {}", noop.main_source);
    }
}

#[test]
fn seed_table_spans_runtimes_and_its_parts_add_up() {
    let rows = fixture();
    let cases = seed_cases(&rows, &[]);
    let t = seed_table(&rows, &cases);
    let names: Vec<&str> = t.iter().map(|r| r.benchmark.as_str()).collect();
    assert_eq!(
        names,
        ["GoFunctionCall", "WasmNoOpCall", "WasmAddNumbers", "WasmReverseStringInPlace", "WasmSumArray", "GoSumArray"]
    );
    let noop = &t[1];
    assert_eq!((noop.min_ns, noop.max_ns, noop.rows), (21.0, 61.0, 2));
    assert_eq!(noop.fastest, "wasmtime typed");
    // 20 of 21 ns crossing, 1 ns the loop.
    assert_eq!(noop.main_source, "the host-to-Wasm crossing: crossing 95%, harness loop 5%");
    let s = &t[3];
    assert_eq!(s.params.get("bytes"), Some(&51));
    // 65.5 ns: loop 1, crossing 20, arguments 3, copy in 3+2.55-1, copy out 4+5.1-1, other the rest (29.85).
    // Whole percentages by largest remainder: 30.5, 12.4, 6.9, 4.6, 1.5, 44.0 → 31, 12, 7, 5, 1, 44.
    assert_eq!(
        s.main_source,
        "crossing 31%, copy out 12%, copy in 7%, arguments 5%, harness loop 1%, other 44% (51 B through linear memory)"
    );
    // sum_array 4500: loop 1, crossing 20, arguments 3, copy in 3 + 2000 - 1, compute 2500 - 24: 4502 > 4500, scaled.
    let sum = &t[4];
    assert!(sum.main_source.contains("exceed this row by 2.00 ns"), "{}", sum.main_source);
    assert!(t[5].main_source.contains("2.5x"), "{}", t[5].main_source);
    for c in &cases {
        let drawn: f64 = c.parts.iter().map(|p| p.shown).sum();
        assert!(close(drawn, c.total), "{c:#?}");
        assert_eq!(c.percentages().iter().map(|p| p.1).sum::<u32>(), 100, "{c:#?}");
        assert_eq!(c.parts.last().unwrap().name, "other");
    }
}

#[test]
fn rows_that_disagree_are_named_so_never_a_negative_cost_wherever_the_model_shows_them() {
    // add is 5 ns under noop with samples spread over ±0.1 ns: the rows, measured apart,
    // disagree; the interval of arguments lies wholly below zero. Until 2026-11-30 the
    // component said "rows disagree" while the seed case's part and the engines' cell made
    // of the same rows said "below noise (± 8.27 ns)" (wasm2c's arguments in a real run),
    // and the JSON gave only below_noise: true.
    let rows = vec![
        noisy("native", "direct", "empty", 1.0, 0.05),
        noisy("wasmtime", "typed", "noop", 20.0, 0.1),
        noisy("wasmtime", "typed", "add", 15.0, 0.1),
    ];
    let c = decompose(&rows);
    let args = c.iter().find(|x| x.component == "arguments").unwrap();
    assert!(args.negative_beyond_noise() && args.verdict == Verdict::BelowZero, "{args:?}");
    let t = args.text();
    assert!(t.starts_with("rows disagree (by "), "{t}");
    assert!(!t.contains('-') && !t.contains("below noise"), "{t}");
    let crossing = c.iter().find(|x| x.component == "crossing").unwrap();
    assert_eq!(crossing.verdict, Verdict::Measured);
    let json = serde_json::to_value(args).unwrap();
    assert_eq!(json["verdict"], "below_zero", "{json}");
    // The seed case's part: drawn as zero, said as the component says it.
    let cases = seed_cases(&rows, &[]);
    let add = cases.iter().find(|c| c.scenario == "add").unwrap();
    let part = add.parts.iter().find(|p| p.name == "arguments").unwrap();
    assert!(part.below_noise && part.shown == 0.0 && part.verdict == Verdict::BelowZero, "{part:?}");
    assert!(part.text().starts_with("rows disagree (by "), "{}", part.text());
    assert!(add.prose().contains("arguments: rows disagree (by "), "{}", add.prose());
    assert_eq!(serde_json::to_value(part).unwrap()["verdict"], "below_zero");
    // The engines side by side.
    let m = engine_matrix(&rows, &c);
    let cell = m[0].rows.iter().find(|r| r.metric == "arguments (default call API)").unwrap().cells[0].unwrap();
    assert_eq!(cell.text("ns"), t);
    // A cost whose interval reaches zero is below noise, whichever side its estimate is on.
    let noise = Verdict::of_cost(-0.1, -2.0, 1.9);
    assert_eq!(
        (noise, Verdict::of_cost(0.5, -0.1, 1.0), Verdict::of_cost(3.0, 2.0, 4.0)),
        (Verdict::BelowNoise, Verdict::BelowNoise, Verdict::Measured)
    );
    assert!(crate::units::estimate(-0.1, -2.0, 1.9, "ns", noise).starts_with("below noise (± 2.00 ns)"));
}

#[test]
fn a_part_within_the_noise_is_below_noise_never_negative() {
    // add is 0.1 ns under noop with samples spread over ±2 ns: arguments is noise.
    let rows = vec![
        noisy("native", "direct", "empty", 1.0, 0.05),
        noisy("wasmtime", "typed", "noop", 20.0, 2.0),
        noisy("wasmtime", "typed", "add", 19.9, 2.0),
    ];
    let c = decompose(&rows);
    let args = c.iter().find(|x| x.component == "arguments").unwrap();
    assert!(args.ci_low < 0.0 && args.ci_high > 0.0, "{args:?}");
    assert!(args.below_noise());
    assert!(args.text().starts_with("below noise (± "), "{}", args.text());
    assert!(!args.negative_beyond_noise());
    let crossing = c.iter().find(|x| x.component == "crossing").unwrap();
    assert!(!crossing.below_noise() && crossing.ci_low > 0.0, "{crossing:?}");
    // The same file gives the same intervals.
    assert_eq!(c, decompose(&rows));
    let cases = seed_cases(&rows, &[]);
    let add = cases.iter().find(|c| c.scenario == "add").unwrap();
    let part = add.parts.iter().find(|p| p.name == "arguments").unwrap();
    assert!(part.below_noise && part.shown == 0.0 && part.verdict == Verdict::BelowNoise);
    assert!(part.text().starts_with("below noise (± "), "{}", part.text());
    assert!(add.parts.iter().all(|p| p.shown >= 0.0));
    assert!(add.prose().contains("arguments below noise (± "), "{}", add.prose());
}

#[test]
fn cgo_layers_add_up_to_the_crossing() {
    // The Go host: floor 1, bare cgo call 26, direct unchecked 55, checked 70, wasmtime-go 1300.
    let mut rows: Vec<ResultRow> = vec![
        on_go(row("native", "direct", "empty", None, 1.0)),
        on_go(row("native", "direct", "ffi_call", None, 26.0)),
        on_go(row("wasmtime-capi", "unchecked", "noop", None, 55.0)),
        on_go(row("wasmtime-capi", "checked", "noop", None, 70.0)),
        on_go(row("wasmtime-go", "call", "noop", None, 1300.0)),
        on_go(row("wasmtime-capi", "unchecked", "add", None, 57.0)),
        on_go(row("wasmtime-capi", "checked", "add", None, 80.0)),
        on_go(row("wasmtime-go", "call", "add", None, 2900.0)),
        on_go(row("wasmer-go", "call", "noop", None, 900.0)),
    ];
    rows[4].metrics = [("cgo_calls_per_op".to_string(), 8.7), ("allocs_per_op".into(), 2.0), ("bytes_per_op".into(), 48.0)].into();
    let infos = vec![
        info("wasmtime-go", &["call"], "cgo", "wasmtime-capi"),
        info("wasmtime-capi", &["unchecked", "checked"], "cgo", ""),
        info("wasmer-go", &["call"], "cgo", ""),
    ];
    let layers = cgo_layers(&rows, &infos);
    let of = |rt: &str, case: &str, name: &str| {
        layers
            .iter()
            .find(|c| c.runtime == rt && c.case == case && c.component == name)
            .unwrap_or_else(|| panic!("no {name} ({case}) for {rt}: {layers:#?}"))
    };
    assert!(close(of("wasmtime-go", "noop", "ffi_call").value, 25.0));
    assert!(close(of("wasmtime-go", "noop", "engine_entry").value, 29.0));
    assert!(close(of("wasmtime-go", "noop", "capi_checks").value, 15.0));
    let binding = of("wasmtime-go", "noop", "go_binding");
    assert!(close(binding.value, 1230.0));
    assert_eq!(binding.counters.get("cgo_calls_per_op"), Some(&8.7));
    assert!(binding.derivation.contains("8.7 cgo calls · 2.0 allocs · 48.0 B"), "{}", binding.derivation);
    let sum: f64 = ["ffi_call", "engine_entry", "capi_checks", "go_binding"].iter().map(|n| of("wasmtime-go", "noop", n).value).sum();
    assert!(close(sum, 1299.0)); // noop - empty: the measured crossing
    let sum: f64 = ["ffi_call", "engine_entry", "capi_checks", "go_binding"].iter().map(|n| of("wasmtime-go", "add", n).value).sum();
    assert!(close(sum, 2899.0));
    // No direct path: the binding and the engine together, with the reason.
    let both = of("wasmer-go", "noop", "binding_and_engine");
    assert!(close(both.value, 874.0));
    assert!(both.derivation.contains("no direct C-API path"), "{}", both.derivation);
    // A direct path with a checked call only (wasm.h): three layers that add up.
    let mut rows2 = rows.clone();
    rows2.push(on_go(row("wasmer-capi", "checked", "noop", None, 60.0)));
    let infos2 = vec![info("wasmer-go", &["call"], "cgo", "wasmer-capi"), info("wasmer-capi", &["checked"], "cgo", "")];
    let l2 = cgo_layers(&rows2, &infos2);
    let get = |name: &str| l2.iter().find(|c| c.runtime == "wasmer-go" && c.case == "noop" && c.component == name).map(|c| c.value);
    assert_eq!(get("binding_and_engine"), None, "{l2:#?}");
    assert!(close(get("engine_entry_and_checks").unwrap(), 34.0), "{l2:#?}");
    assert!(close(get("go_binding").unwrap(), 840.0), "{l2:#?}");
    assert!(close(get("ffi_call").unwrap() + get("engine_entry_and_checks").unwrap() + get("go_binding").unwrap(), 899.0));
    assert!(l2.iter().all(|c| c.runtime != "wasmer-capi"), "{l2:#?}");
    // The direct path is the layers of wasmtime-go, not a runtime split on its own.
    assert!(layers.iter().all(|c| c.runtime != "wasmtime-capi"), "{layers:#?}");
    assert!(layers.iter().all(|c| c.component != "engine_crossing"));
    // Not for runtimes that do not go through cgo.
    assert!(cgo_layers(&rows, &[info("wasmtime-go", &["call"], "", "wasmtime-capi")]).is_empty());
    // The model carries them, and every layer is in COMPONENTS.
    let m = model(&rows, &infos);
    for c in &m.components {
        assert!(COMPONENTS.iter().any(|(n, _)| *n == c.component), "{}", c.component);
    }
    let matrix = &m.engines[0];
    assert!(matrix.rows.iter().any(|r| r.metric.contains("the Go binding")));
}

#[test]
fn batched_crossing_is_per_call_against_the_rust_typed_add() {
    let mut rows = fixture(); // rust wasmtime typed add = 24 ns
    for (k, ns) in [(1u64, 60.0), (16, 400.0), (256, 6400.0)] {
        rows.push(on_go(row("wasmtime-capi", "unchecked", "batch_crossing", Some(("k", k)), ns)));
    }
    let b = batched_crossing(&rows);
    assert_eq!(b.len(), 1);
    assert!(close(b[0].value, 25.0));
    assert_eq!(b[0].params.get("k"), Some(&256));
    assert!(b[0].derivation.contains("1.04x the Rust host's typed wasmtime add"), "{}", b[0].derivation);
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
    assert_eq!(how("instantiate_pre"), "instantiate_pre (-25% against instantiate, 95% CI -25% … -25%)");
}

#[test]
fn what_linking_wasi_adds_to_instantiating_is_a_component_per_instantiate_scenario() {
    let mut rows = fixture();
    rows.push(row("wasmtime", "typed", "greet_instantiate", Some(("wasi", 1)), 9_000.0));
    rows.push(row("wasmtime", "typed", "greet_instantiate", Some(("wasi", 0)), 6_500.0));
    // Without its twin, a wasi=1 row gives no component.
    rows.push(row("wasmi", "typed", "greet_instantiate", Some(("wasi", 1)), 9_000.0));
    let c = decompose(&rows);
    let w: Vec<&Component> = c.iter().filter(|x| x.component == "wasi_link").collect();
    assert_eq!(w.len(), 1, "{w:#?}");
    assert_eq!((w[0].runtime.as_str(), w[0].case.as_str(), w[0].unit.as_str()), ("wasmtime", "greet_instantiate", "us"));
    assert!(close(w[0].value, 2.5), "{}", w[0].value);
    assert_eq!(w[0].derivation, "greet_instantiate/wasi=1 - greet_instantiate/wasi=0");
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
    let get = |metric: &str| {
        m.rows.iter().find(|r| r.metric.starts_with(metric)).map(|r| (r.unit.clone(), r.cells.iter().map(|c| c.map(|c| c.value)).collect::<Vec<_>>()))
    };
    // The fastest API path of the seed's no-op call; the default API's crossing (typed).
    assert_eq!(get("BenchmarkWasmNoOpCall"), Some(("ns".into(), vec![Some(21.0), Some(6.0)])));
    assert_eq!(get("crossing (default"), Some(("ns".into(), vec![Some(20.0), Some(5.0)])));
    assert_eq!(get("compile"), Some(("ms".into(), vec![Some(3.0), Some(0.004)])));
    assert_eq!(get("arguments").unwrap().1, vec![Some(3.0), None]);
    // A figure no runtime has is no row.
    assert_eq!(get("deserialize"), None);
    assert_eq!(get("copy in per byte, copy"), None);
    assert!(m.rows.iter().all(|r| r.cells.len() == 2));
    // A host whose rows give none of the figures (a scenario file's) has no table at all.
    let mut greet = row("wasmtime", "typed", "greet", None, 140.0);
    greet.key.host = "go".into();
    rows.push(greet);
    let hosts: Vec<String> = engine_matrix(&rows, &decompose(&rows)).into_iter().map(|m| m.host).collect();
    assert_eq!(hosts, ["rust"]);
}

#[test]
fn a_ratio_within_the_noise_says_so() {
    // instantiate_pre 0.2% under instantiate, samples spread over ±5%: no "-0%".
    let mut rows = vec![noisy("wasmtime", "typed", "instantiate", 4000.0, 200.0)];
    let mut pre = noisy("wasmtime", "typed", "instantiate_pre", 3992.0, 200.0);
    pre.sample_ns_per_op.reverse();
    rows.push(ResultRow::from_raw(pre.raw()));
    let c = decompose(&rows);
    let how = &c.iter().find(|x| x.component == "instantiate_pre").unwrap().derivation;
    assert!(how.starts_with("instantiate_pre (against instantiate: below noise, ± "), "{how}");
}

#[test]
fn a_go_first_call_is_set_against_a_steady_add_without_the_collector() {
    // Measured on wasmtime-go: the steady add carries its calls' collector and finalizer work,
    // which the first calls on fresh instances leave to their untimed making.
    let go = |scenario, ns| on_go(row("wasmtime-go", "call", scenario, None, ns));
    let c = decompose(&[go("first_call", 2100.0), go("add", 2800.0), go("add_gc_off", 1950.0)]);
    let p = c.iter().find(|x| x.component == "first_call_penalty").expect("a penalty");
    assert!(close(p.value, 150.0) && p.derivation == "first_call - add_gc_off", "{p:?}");
    // Without an add_gc_off row (the Rust host, or a Go run of other scenarios): against add.
    let c = decompose(&[go("first_call", 2100.0), go("add", 1800.0)]);
    let p = c.iter().find(|x| x.component == "first_call_penalty").expect("a penalty");
    assert!(close(p.value, 300.0) && p.derivation == "first_call - add", "{p:?}");
}

#[test]
fn the_collectors_part_is_the_default_rows_over_the_gc_off_rows() {
    let rows: Vec<ResultRow> = vec![
        on_go(row("wasmtime-go", "call", "noop", None, 1300.0)),
        on_go(row("wasmtime-go", "call", "noop_gc_off", None, 1000.0)),
        on_go(row("wasmtime-go", "call", "noop_gc_load", None, 1500.0)),
        on_go(row("wasmtime-go", "view", "string_roundtrip", Some(("bytes", 51)), 2600.0)),
        on_go(row("wasmtime-go", "view", "string_roundtrip_gc_off", Some(("bytes", 51)), 2000.0)),
        // A row of another size is never paired with the 51-byte one.
        on_go(row("wasmtime-go", "copy", "string_roundtrip", Some(("bytes", 64)), 9.0)),
        on_go(row("wasmtime-go", "copy", "string_roundtrip_gc_off", Some(("bytes", 51)), 1.0)),
    ];
    let c = decompose(&rows);
    let gc: Vec<(&str, &str, f64)> = c
        .iter()
        .filter(|x| x.component.starts_with("gc_"))
        .map(|x| (x.component.as_str(), x.api.as_str(), x.value))
        .collect();
    assert_eq!(
        gc,
        [("gc_per_call", "call", 300.0), ("gc_load_per_call", "call", 200.0), ("gc_per_call", "view", 600.0)]
    );
}
