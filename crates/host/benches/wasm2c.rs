//! The tool's wasm2c rows timed by criterion instead of the tool's own sampler, as an
//! independent check of them (scripts/agree-translated.sh prints the ratios): the guest
//! (the built-in one, or `$INTEROP_GUEST`) compiled by the same adapter, so the SAME
//! cached shared object the tool loads (the cache key is the module, the shim and the
//! flags), called through the same FFI (`W2cInstance`'s `Instance` methods), on the same
//! inputs, every result checked as the tool's loops check it.
//!
//!   cargo bench -p interop-host --no-default-features --features wasm2c --bench wasm2c
//!   ... --bench wasm2c -- --warm-up-time 0.1 --measurement-time 0.2   # shorter
//!
//! Ids: `wasm2c/<case>/<api>`, e.g. `wasm2c/add/guarded_batch`; criterion keeps each
//! estimate in `target/criterion/wasm2c_<case>/<api>/new/estimates.json`.

use criterion::{criterion_group, criterion_main, Criterion};
use interop_host::adapter::{BatchOp, Engine, Instance, MemApi, Sig, GUARDED_BATCH};
use interop_host::runner::inputs;
use interop_host::runtimes::wasm2c::{W2cInstance, Wasm2c};
use std::hint::black_box;
use std::time::Instant;

fn guest() -> Vec<u8> {
    match std::env::var_os("INTEROP_GUEST") {
        Some(p) => std::fs::read(&p).unwrap_or_else(|e| panic!("INTEROP_GUEST={}: {e}", p.to_string_lossy())),
        None => interop_guest_build::GUEST_WASM.to_vec(),
    }
}

fn alloc(inst: &mut W2cInstance, bytes: usize) -> u32 {
    let f = inst.func("allocate", Sig::IToI, "guarded").unwrap();
    let p = inst.call_i_i(&f, bytes as i32).unwrap();
    assert!(p > 0, "allocate({bytes}) returned {p}");
    p as u32
}

fn calls(c: &mut Criterion, inst: &mut W2cInstance) {
    let mut g = c.benchmark_group("wasm2c_noop");
    for api in ["unguarded", "guarded"] {
        let f = inst.func("no_op", Sig::VV, api).unwrap();
        g.bench_function(api, |b| b.iter(|| inst.call_vv(&f).unwrap()));
    }
    let f = inst.func("no_op", Sig::VV, GUARDED_BATCH).unwrap();
    g.bench_function(GUARDED_BATCH, |b| {
        b.iter_custom(|iters| {
            let t = Instant::now();
            inst.call_batch(&f, BatchOp::NoOp, iters).unwrap();
            t.elapsed()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("wasm2c_add");
    for api in ["unguarded", "guarded"] {
        let f = inst.func("add_numbers", Sig::IIToI, api).unwrap();
        let mut a = 0i32;
        g.bench_function(api, |b| {
            b.iter(|| {
                let r = inst.call_ii_i(&f, black_box(a), 20).unwrap();
                assert_eq!(r, a.wrapping_add(20), "add_numbers({a}, 20)");
                a = a.wrapping_add(1);
            })
        });
    }
    let f = inst.func("add_numbers", Sig::IIToI, GUARDED_BATCH).unwrap();
    g.bench_function(GUARDED_BATCH, |b| {
        b.iter_custom(|iters| {
            let t = Instant::now();
            inst.call_batch(&f, BatchOp::Add { b: 20 }, iters).unwrap(); // checks every result
            t.elapsed()
        })
    });
    g.finish();
}

/// The memory rows: the default call API (`guarded`) and the runtime's memory struct (`view`).
fn memory(c: &mut Criterion, inst: &mut W2cInstance) {
    const S: usize = 51;
    let ptr = alloc(inst, S);
    let f = inst.func("reverse_string_in_place", Sig::IIToV, "guarded").unwrap();
    let input = inputs::text(S);
    let mut out = vec![0u8; S];
    let mut g = c.benchmark_group("wasm2c_string_roundtrip_51");
    g.bench_function("view", |b| {
        b.iter(|| {
            inst.write(MemApi::View, ptr, &input).unwrap();
            inst.call_ii_v(&f, ptr as i32, S as i32).unwrap();
            inst.read(MemApi::View, ptr, &mut out).unwrap();
            assert!(out[0] == input[S - 1] && out[S - 1] == input[0], "the string came back unreversed");
        })
    });
    g.finish();
    assert!(out.iter().eq(input.iter().rev()), "the string came back unreversed");

    const N: usize = 10_000;
    let values = inputs::array(N);
    let bytes = inputs::le_bytes(&values);
    let want = inputs::wrapping_sum(&values);
    let ptr = alloc(inst, bytes.len());
    let f = inst.func("sum_array", Sig::IIToI, "guarded").unwrap();
    let mut g = c.benchmark_group("wasm2c_sum_array_10000");
    g.bench_function("view", |b| {
        b.iter(|| {
            inst.write(MemApi::View, ptr, &bytes).unwrap();
            let r = inst.call_ii_i(&f, ptr as i32, N as i32).unwrap();
            assert_eq!(r, want, "sum_array of {N} i32");
        })
    });
    g.finish();
}

fn wasm2c(c: &mut Criterion) {
    let eng = Wasm2c::signals();
    let module = eng.compile(&guest()).expect("wasm2c compiles the guest");
    eprintln!("wasm2c shared object: {}", module.shared_object().display());
    let mut inst = eng.instantiate(&module).expect("instantiate");
    calls(c, &mut inst);
    memory(c, &mut inst);
}

criterion_group!(benches, wasm2c);
criterion_main!(benches);
