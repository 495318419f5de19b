//! `runner::measure_row`: one row of the built-in list measured through a run's own path
//! (benches/wasm2c.rs's paired mode times the tool with it). On wasmi (cheap to compile),
//! with a tiny fixed config: times are never asserted.
#![cfg(feature = "wasmi")]

use interop_core::results::Params;
use interop_host::adapter::Engine;
use interop_host::measure::MeasureConfig;
use interop_host::runner::measure_row;
use interop_host::runtimes::wasmi::Wasmi;
use std::time::Duration;

const TINY: MeasureConfig = MeasureConfig::fixed(Duration::ZERO, Duration::from_micros(50), 2);

fn params(k: &str, v: u64) -> Params {
    Params::from([(k.to_string(), v)])
}

#[test]
fn a_real_row_gives_the_configured_samples() {
    let eng = Wasmi::lazy();
    let wasm = interop_host::GUEST_WASM;
    let m = eng.compile(wasm).unwrap();
    let info = eng.info();
    let mem = info.mem_apis[0].name();
    for (scenario, p, api) in [
        ("add", Params::new(), info.call_apis[1]),
        ("string_roundtrip", params("bytes", 51), mem),
        ("sum_array", params("len", 10_000), mem),
    ] {
        let s = measure_row(&eng, &m, wasm, scenario, &p, api, &TINY)
            .unwrap_or_else(|e| panic!("{scenario} {p:?} {api}: {e:#}"));
        assert_eq!(s.ns_per_op.len(), TINY.samples, "{scenario} {api}");
        assert!(s.iters_per_sample >= 1, "{scenario} {api}");
        assert!(s.ns_per_op.iter().all(|x| x.is_finite() && *x > 0.0), "{scenario} {api}: {:?}", s.ns_per_op);
    }
}

#[test]
fn a_row_that_does_not_exist_is_a_clear_error() {
    let eng = Wasmi::lazy();
    let wasm = interop_host::GUEST_WASM;
    let m = eng.compile(wasm).unwrap();
    let err = |scenario: &str, p: Params, api: &str| {
        format!("{:#}", measure_row(&eng, &m, wasm, scenario, &p, api, &TINY).expect_err(scenario))
    };
    // An unknown scenario, and a native one (no Wasm row): the message lists the Wasm ones.
    for name in ["nope", "native_sum"] {
        let e = err(name, Params::new(), "typed");
        assert!(e.contains(&format!("`{name}`")) && e.contains("there are: noop, add"), "{e}");
    }
    let e = err("string_roundtrip", params("bytes", 52), "view");
    assert!(e.contains("no case bytes=52") && e.contains("bytes=51"), "{e}");
    let e = err("noop", params("bytes", 51), "typed");
    assert!(e.contains("no case bytes=51") && e.contains("(no parameter)"), "{e}");
    let e = err("add", Params::new(), "guarded");
    assert!(e.contains("no API `guarded`") && e.contains("typed, untyped"), "{e}");
}

/// The row's own checks run: a guest whose add is wrong fails the row, naming the call.
#[test]
fn a_wrong_result_fails_the_row() {
    let eng = Wasmi::lazy();
    let wasm = wat::parse_str(
        r#"(module
            (memory (export "memory") 1)
            (func (export "no_op"))
            (func (export "add_numbers") (param i32 i32) (result i32)
              local.get 0 local.get 1 i32.add i32.const 1 i32.add))"#,
    )
    .unwrap();
    let m = eng.compile(&wasm).unwrap();
    measure_row(&eng, &m, &wasm, "noop", &Params::new(), "typed", &TINY).unwrap();
    let e = format!("{:#}", measure_row(&eng, &m, &wasm, "add", &Params::new(), "typed", &TINY).unwrap_err());
    assert!(e.contains("add_numbers(0, 20) returned 21") && e.contains("wasmi: add (no parameter) (typed)"), "{e}");
}
