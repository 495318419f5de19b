//! The Rust baseline: the same operations without Wasm, timed by the same loop.

use crate::measure::{measure, time_loop, MeasureConfig};
use crate::runner::{failure, inputs, not_applicable, row, Runtime};
use crate::HOST;
use anyhow::{bail, Result};
use interop_core::results::{Event, RuntimeInfo};
use interop_core::scenario::{Case, ScenarioList, Target};
use std::hint::black_box;

pub struct Native;

pub const RUNTIME: &str = "native";
pub const API: &str = "direct";

#[inline(never)]
fn empty(_: u64) {}

#[inline(never)]
fn add(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}

#[inline(never)]
fn sum(xs: &[i32]) -> i32 {
    inputs::wrapping_sum(xs)
}

/// The same wrapping sum, one element at a time: each element is read with a volatile
/// load, which the optimiser may neither widen nor merge, so the loop stays scalar (one
/// load and one add per element on one accumulator, as the guest's loop without SIMD)
/// instead of being vectorized as [`sum`] is. (Passing each element through `black_box`
/// instead, as this did before, also kept it scalar but spilled every element to the
/// stack and read it back: 3.86 µs for 10,000 i32 where the guest's scalar loop on
/// wasmtime took 2.78 µs, so the scalar native baseline was slower than the Wasm it is
/// the baseline of.)
#[inline(never)]
fn sum_scalar(xs: &[i32]) -> i32 {
    let mut acc = 0i32;
    for x in xs {
        // SAFETY: `x` is a reference into the slice: valid, aligned and initialized.
        acc = acc.wrapping_add(unsafe { std::ptr::read_volatile(x) });
    }
    acc
}

impl Runtime for Native {
    fn info(&self) -> RuntimeInfo {
        RuntimeInfo {
            host: HOST.into(),
            runtime: RUNTIME.into(),
            engine: "rustc".into(),
            version: interop_guest_build::RUSTC.into(),
            call_apis: vec![API.into()],
            memory_apis: vec![],
            notes: "non-inlined Rust functions, release profile".into(),
            // The Rust host calls its engines in-process: no FFI, no second path.
            ffi: String::new(),
            direct_path: String::new(),
        }
    }

    fn run(&self, _wasm: &[u8], list: &ScenarioList, cfg: &MeasureConfig, emit: &mut dyn FnMut(Event)) {
        emit(Event::Runtime(self.info()));
        for scenario in list.scenarios.iter().filter(|s| s.target == Target::Native) {
            emit(Event::Start { host: HOST.into(), runtime: RUNTIME.into(), scenario: scenario.name.clone() });
            if scenario.name == "ffi_call" {
                emit(Event::Failure(not_applicable(
                    RUNTIME,
                    "ffi_call",
                    "",
                    "Rust calls C through extern \"C\" as an ordinary call: there is no FFI toll to measure",
                )));
                continue;
            }
            for case in scenario.cases() {
                match run_case(&case, cfg) {
                    Ok(mut s) => {
                        let counted = s.counted.take();
                        emit(crate::runner::row_event(row(RUNTIME, API, &case, s), counted, cfg))
                    }
                    Err(e) => emit(Event::Failure(failure(RUNTIME, &scenario.name, API, &case.params, &e))),
                }
            }
        }
    }
}

fn run_case(case: &Case, cfg: &MeasureConfig) -> Result<crate::measure::Samples> {
    match case.scenario.name.as_str() {
        "empty" => measure(cfg, |iters| {
            time_loop(iters, |i| {
                empty(black_box(i));
                Ok(())
            })
        }),
        "native_call" => measure(cfg, |iters| {
            time_loop(iters, |i| {
                let a = i as i32;
                let r = add(black_box(a), black_box(20));
                if r != a.wrapping_add(20) {
                    bail!("add({a}, 20) returned {r}");
                }
                Ok(())
            })
        }),
        "native_sum" | "native_sum_scalar" => {
            let values = inputs::array(case.value() as usize);
            let expected = inputs::wrapping_sum(&values);
            let f: fn(&[i32]) -> i32 = if case.scenario.name == "native_sum" { sum } else { sum_scalar };
            measure(cfg, |iters| {
                time_loop(iters, |_| {
                    let r = f(black_box(&values));
                    if r != expected {
                        bail!("sum returned {r}, expected {expected}");
                    }
                    Ok(())
                })
            })
        }
        other => bail!("the Rust host does not implement native scenario `{other}`"),
    }
}
