//! wasm2c's trap guard: a guarded call turns a trap into an error and the run goes on; an
//! unguarded call has nothing to catch it, and the process dies (tested in a child
//! process: this test binary run again on one ignored test).
#![cfg(feature = "wasm2c")]

use interop_host::adapter::{BatchOp, Engine, Instance, Sig, GUARDED_BATCH};
use interop_host::runtimes::wasm2c::Wasm2c;

fn module(body: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
            (import "env" "host_inc" (func $inc (param i32) (result i32)))
            (memory (export "memory") 1)
            (func (export "no_op"))
            (func (export "add_numbers") (param i32 i32) (result i32) {body})
            (func (export "oob") (param i32 i32) (result i32) i32.const 0x7ffffff0 i32.load)
            (func $deep (export "deep") (param i32 i32) (result i32) (local i32)
              ;; a store after the call: no C compiler can turn this recursion into a loop
              (local.set 2 (call $deep (i32.add (local.get 0) (i32.const 1)) (local.get 1)))
              (i32.store (i32.const 16) (local.get 0))
              (local.get 2)))"#
    ))
    .unwrap()
}

fn engines() -> [Wasm2c; 2] {
    [Wasm2c::signals(), Wasm2c::bounds()]
}

#[test]
fn guarded_calls_survive_traps_and_the_instance_goes_on() {
    let wasm = module("unreachable");
    for eng in engines() {
        let name = eng.info().runtime;
        let m = eng.compile(&wasm).unwrap();
        let mut inst = eng.instantiate(&m).unwrap();
        let noop = inst.func("no_op", Sig::VV, "guarded").unwrap();
        // In the default build, a stack overflow hits the thread stack's guard page (a
        // protection fault), which wasm2c's handler cannot tell from an out-of-bounds access.
        let deep = if name == "wasm2c" { "out-of-bounds" } else { "call stack exhausted" };
        for (export, why) in [("add_numbers", "unreachable"), ("oob", "out-of-bounds"), ("deep", deep)] {
            let f = inst.func(export, Sig::IIToI, "guarded").unwrap();
            let err = inst.call_ii_i(&f, 1, 2).unwrap_err().to_string();
            assert!(
                err.contains("wasm trap (caught by wasm2c's guard)") && err.to_lowercase().contains(why),
                "{name}: {export}: {err}"
            );
            // The same instance still runs.
            inst.call_vv(&noop).unwrap();
        }
    }
}

/// The guard around a whole batch: a trap in the middle of a batch is an error, not a
/// crash, and the same instance runs the next batch; the calls before the trap ran.
#[test]
fn a_trap_inside_a_guarded_batch_is_an_error() {
    // add_numbers traps once its first argument reaches 5: calls 0..4 of a batch run.
    let wasm = module("local.get 0 i32.const 5 i32.ge_s if unreachable end local.get 0 local.get 1 i32.add");
    for eng in engines() {
        let name = eng.info().runtime;
        let m = eng.compile(&wasm).unwrap();
        let mut inst = eng.instantiate(&m).unwrap();
        let add = inst.func("add_numbers", Sig::IIToI, GUARDED_BATCH).unwrap();
        let noop = inst.func("no_op", Sig::VV, GUARDED_BATCH).unwrap();
        inst.call_batch(&add, BatchOp::Add { b: 20 }, 5).unwrap();
        let err = inst.call_batch(&add, BatchOp::Add { b: 20 }, 1000).unwrap_err().to_string();
        assert!(
            err.contains("wasm trap (caught by wasm2c's guard): Unreachable instruction executed")
                && err.contains("ended a batch of 1000 calls in one guard"),
            "{name}: {err}"
        );
        // The guard is set up again for the next batch; the instance goes on.
        inst.call_batch(&noop, BatchOp::NoOp, 1000).unwrap();
        inst.call_batch(&add, BatchOp::Add { b: 20 }, 3).unwrap();
        // A function bound for the batch is never called outside one (it would be unguarded).
        let err = inst.call_vv(&noop).unwrap_err().to_string();
        assert!(err.contains("called in a batch only"), "{name}: {err}");
    }
}

/// A wrong result inside a batch is reported with the call that gave it.
#[test]
fn a_wrong_result_inside_a_batch_names_the_call() {
    let eng = Wasm2c::bounds();
    let m = eng.compile(&module("local.get 0 i32.const 7 i32.eq local.get 0 i32.add local.get 1 i32.add")).unwrap();
    let mut inst = eng.instantiate(&m).unwrap();
    let add = inst.func("add_numbers", Sig::IIToI, GUARDED_BATCH).unwrap();
    let err = inst.call_batch(&add, BatchOp::Add { b: 20 }, 100).unwrap_err().to_string();
    assert_eq!(err, "add_numbers(7, 20) returned 28");
}

#[test]
fn unguarded_trap_kills_the_process() {
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args(["--ignored", "--exact", "child_unguarded_trap", "--nocapture"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the child survived an unguarded trap: {stderr}");
    assert!(
        stderr.contains("wasm2c: trap (Unreachable instruction executed) in an unguarded call: nothing can catch it, the process aborts"),
        "{stderr}"
    );
}

#[test]
#[ignore = "run by unguarded_trap_kills_the_process in a child process"]
fn child_unguarded_trap() {
    let eng = Wasm2c::signals();
    let m = eng.compile(&module("unreachable")).unwrap();
    let mut inst = eng.instantiate(&m).unwrap();
    let f = inst.func("add_numbers", Sig::IIToI, "unguarded").unwrap();
    let _ = inst.call_ii_i(&f, 1, 2);
    println!("still alive after an unguarded trap");
}

#[test]
fn rejections_say_who_rejected_what() {
    let eng = Wasm2c::bounds();
    let err = eng.compile(b"\0asm\x01\0\0\0garbage").err().unwrap().to_string();
    assert!(err.contains("wasm2c 1.0.32 rejected the module"), "{err}");
    let wasm =
        wat::parse_str(r#"(module (import "wasi" "clock" (func (result i64))) (func (export "no_op")))"#).unwrap();
    let err = eng.compile(&wasm).err().unwrap().to_string();
    assert!(err.contains("imports function wasi.clock, which this host does not provide"), "{err}");
}

/// `compile` is translate + cc, timed without the cache, and its row says what the build
/// made and used: the shared object's and the C source's size, the build's peak memory.
#[test]
fn compile_rows_carry_the_builds_size_and_peak_memory() {
    let eng = Wasm2c::bounds();
    let cfg = interop_host::measure::MeasureConfig {
        warmup: std::time::Duration::ZERO,
        target_sample: std::time::Duration::from_micros(50),
        samples: 1,
        ..interop_host::measure::MeasureConfig::QUICK
    };
    let s = eng.measure_compile(&module("local.get 0 local.get 1 i32.add"), &cfg).expect("wasm2c measures compile").unwrap();
    assert_eq!((s.iters_per_sample, s.ns_per_op.len()), (1, 1));
    for k in ["binary_bytes", "c_source_bytes", "peak_rss_bytes"] {
        assert!(s.metrics.get(k).is_some_and(|v| *v > 1000.0), "{k}: {:?}", s.metrics);
    }
}
