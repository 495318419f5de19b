//! wasm2c's trap guard: a guarded call turns a trap into an error and the run goes on; an
//! unguarded call has nothing to catch it, and the process dies (tested in a child
//! process: this test binary run again on one ignored test).
#![cfg(feature = "wasm2c")]

use interop_host::adapter::{Engine, Instance, Sig};
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
