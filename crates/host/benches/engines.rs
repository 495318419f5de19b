//! The Rust host's JIT and interpreter rows against criterion, paired in one process: the
//! independent check scripts/agree-engines.sh runs (docs/hosts.md, "Against independent harnesses").
//!
//! Criterion's side calls each engine's own API directly (`wasmtime::TypedFunc`, and
//! `Func::call` with `Val`s for wasmtime's untyped row, `wasmi::TypedFunc`,
//! `wasmer::TypedFunction`) on an instance of the same guest made with the configuration
//! the adapter gives the engine (wasmtime with Cranelift, Winch and Pulley; wasmer with
//! Cranelift and Singlepass): it shares neither the
//! tool's sampler nor its adapters, so a gap shows the harness or the adapter. The tool's
//! side is its own path for the row (`runner::measure_row` through the adapter, the tool's
//! default sampling, the mean of its samples, as every report prints it).
//!
//! This VM switches speed for seconds at a time (a busy sibling hyperthread), so the two
//! run back to back in one process, `INTEROP_PAIRED_ROUNDS` rounds (default 5) a row,
//! alternating which goes first; each row's median ratio tool / criterion is the verdict
//! (the project's bar: within 10%). One line per round and row, then the medians, go to
//! stderr; TSV lines `case api round tool_ns criterion_ns first` to `$INTEROP_PAIRED_OUT`.
//!
//!   cargo bench -p interop-host --bench engines
//!   cargo bench -p interop-host --bench engines -- --warm-up-time 0.2 --measurement-time 0.5
//!   INTEROP_PAIRED_ROUNDS=9 cargo bench -p interop-host --bench engines

#[path = "common/mod.rs"]
mod common;

use anyhow::{bail, Context, Result};
use criterion::Criterion;
use interop_core::results::Params;
use interop_host::adapter::Engine;
use interop_host::measure::MeasureConfig;
use interop_host::runner::measure_row;
use std::hint::black_box;
use std::io::Write;
use std::time::Duration;

/// The guest's exports the rows call.
const NOOP: &str = "no_op";
const ADD: &str = "add_numbers";

/// A row's criterion loop: one operation a call of the engine's own typed API, the result
/// checked as the tool's loops check it.
type Loop = Box<dyn FnMut(&mut Criterion, &str)>;

/// One row compared: the engine, the tool's scenario and API, and criterion's loop.
struct Row {
    runtime: &'static str,
    scenario: &'static str,
    api: &'static str,
    bench: Loop,
    tool: Box<dyn Fn(&MeasureConfig) -> Result<f64>>,
}

/// The tool's mean ns per op of `scenario` through `api` on `engine` (its default path).
fn tool_of<E: Engine + 'static>(engine: E, wasm: &[u8], scenario: &'static str, api: &'static str) -> Result<Box<dyn Fn(&MeasureConfig) -> Result<f64>>> {
    let module = engine.compile(wasm).with_context(|| format!("{} compiles the guest", engine.info().runtime))?;
    let wasm = wasm.to_vec();
    Ok(Box::new(move |cfg| {
        let s = measure_row(&engine, &module, &wasm, scenario, &Params::new(), api, cfg)?;
        Ok(s.ns_per_op.iter().sum::<f64>() / s.ns_per_op.len() as f64)
    }))
}

/// `add`'s operation as the tool's: `add(a, 20)` with `a` counting up, the sum checked.
fn add_loop(mut call: impl FnMut(i32, i32) -> i32 + 'static) -> impl FnMut(&mut Criterion, &str) {
    let mut a = 0i32;
    move |c, id| {
        c.bench_function(id, |b| {
            b.iter(|| {
                let r = call(black_box(a), 20);
                assert_eq!(r, a.wrapping_add(20), "add_numbers({a}, 20)");
                a = a.wrapping_add(1);
            })
        });
    }
}

/// wasmtime under `config` (as the adapter `adapter` configures it): `noop` and `add`
/// through the typed API, and with `untyped`, `add` through `Func::call` with `Val`s.
fn wasmtime_rows(
    wasm: &[u8],
    runtime: &'static str,
    config: wasmtime::Config,
    adapter: fn() -> interop_host::runtimes::wasmtime::Wasmtime,
    untyped: bool,
) -> Result<Vec<Row>> {
    use wasmtime::{Engine as E, Linker, Module, Store, Val};
    let engine = E::new(&config)?;
    let module = Module::new(&engine, wasm)?;
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "host_inc", |x: i32| x.wrapping_add(1))?;
    let instance = |name: &str| -> Result<(Store<()>, wasmtime::Instance)> {
        let mut store = Store::new(&engine, ());
        let inst = linker.instantiate(&mut store, &module).map_err(anyhow::Error::from).with_context(|| format!("{runtime} instantiates the guest for {name}"))?;
        Ok((store, inst))
    };
    let (mut s1, i1) = instance("noop")?;
    let noop = i1.get_typed_func::<(), ()>(&mut s1, NOOP)?;
    let (mut s2, i2) = instance("add")?;
    let add = i2.get_typed_func::<(i32, i32), i32>(&mut s2, ADD)?;
    let mut rows = vec![
        Row {
            runtime,
            scenario: "noop",
            api: "typed",
            bench: Box::new(move |c, id| {
                c.bench_function(id, |b| b.iter(|| noop.call(&mut s1, ()).expect("no_op")));
            }),
            tool: tool_of(adapter(), wasm, "noop", "typed")?,
        },
        Row {
            runtime,
            scenario: "add",
            api: "typed",
            bench: Box::new(add_loop(move |a, b| add.call(&mut s2, (a, b)).expect("add_numbers"))),
            tool: tool_of(adapter(), wasm, "add", "typed")?,
        },
    ];
    if untyped {
        let (mut s3, i3) = instance("add, untyped")?;
        let f = i3.get_func(&mut s3, ADD).context("add_numbers")?;
        let mut out = [Val::I32(0)];
        rows.push(Row {
            runtime,
            scenario: "add",
            api: "untyped",
            bench: Box::new(add_loop(move |a, b| {
                f.call(&mut s3, &[Val::I32(a), Val::I32(b)], &mut out).expect("add_numbers");
                out[0].unwrap_i32()
            })),
            tool: tool_of(adapter(), wasm, "add", "untyped")?,
        });
    }
    Ok(rows)
}

fn wasmi_rows(wasm: &[u8]) -> Result<Vec<Row>> {
    use wasmi::{Config, Engine as E, Linker, Module, Store};
    let engine = E::new(&Config::default());
    let module = Module::new(&engine, wasm)?;
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("env", "host_inc", |x: i32| x.wrapping_add(1))?;
    let instance = |name: &str| -> Result<(Store<()>, wasmi::Instance)> {
        let mut store = Store::new(&engine, ());
        let inst = linker.instantiate_and_start(&mut store, &module).with_context(|| format!("wasmi instantiates the guest for {name}"))?;
        Ok((store, inst))
    };
    let (mut s1, i1) = instance("noop")?;
    let noop = i1.get_typed_func::<(), ()>(&s1, NOOP)?;
    let (mut s2, i2) = instance("add")?;
    let add = i2.get_typed_func::<(i32, i32), i32>(&s2, ADD)?;
    use interop_host::runtimes::wasmi::Wasmi;
    Ok(vec![
        Row {
            runtime: "wasmi",
            scenario: "noop",
            api: "typed",
            bench: Box::new(move |c, id| {
                c.bench_function(id, |b| b.iter(|| noop.call(&mut s1, ()).expect("no_op")));
            }),
            tool: tool_of(Wasmi::lazy(), wasm, "noop", "typed")?,
        },
        Row {
            runtime: "wasmi",
            scenario: "add",
            api: "typed",
            bench: Box::new(add_loop(move |a, b| add.call(&mut s2, (a, b)).expect("add_numbers"))),
            tool: tool_of(Wasmi::lazy(), wasm, "add", "typed")?,
        },
    ])
}

/// wasmer with the compiler of `engine` (as the adapter `adapter` builds it).
fn wasmer_rows(wasm: &[u8], runtime: &'static str, engine: wasmer::Engine, adapter: fn() -> interop_host::runtimes::wasmer::Wasmer) -> Result<Vec<Row>> {
    use wasmer::{imports, Function, Instance, Module, Store};
    let module = Module::new(&engine, wasm)?;
    let instance = |name: &str| -> Result<(Store, Instance)> {
        let mut store = Store::new(engine.clone());
        let host_inc = Function::new_typed(&mut store, |x: i32| -> i32 { x.wrapping_add(1) });
        let imports = imports! { "env" => { "host_inc" => host_inc } };
        let inst = Instance::new(&mut store, &module, &imports).with_context(|| format!("{runtime} instantiates the guest for {name}"))?;
        Ok((store, inst))
    };
    let (mut s1, i1) = instance("noop")?;
    let noop = i1.exports.get_typed_function::<(), ()>(&s1, NOOP)?;
    let (mut s2, i2) = instance("add")?;
    let add = i2.exports.get_typed_function::<(i32, i32), i32>(&s2, ADD)?;
    Ok(vec![
        Row {
            runtime,
            scenario: "noop",
            api: "typed",
            bench: Box::new(move |c, id| {
                c.bench_function(id, |b| b.iter(|| noop.call(&mut s1).expect("no_op")));
            }),
            tool: tool_of(adapter(), wasm, "noop", "typed")?,
        },
        Row {
            runtime,
            scenario: "add",
            api: "typed",
            bench: Box::new(add_loop(move |a, b| add.call(&mut s2, a, b).expect("add_numbers"))),
            tool: tool_of(adapter(), wasm, "add", "typed")?,
        },
    ])
}

fn run() -> Result<()> {
    let rounds: usize = match std::env::var("INTEROP_PAIRED_ROUNDS") {
        Err(_) => 5,
        Ok(v) => match v.trim().parse() {
            Ok(r) if r >= 1 => r,
            _ => bail!("INTEROP_PAIRED_ROUNDS={v}: want a number of rounds, 1 or more"),
        },
    };
    // Criterion's own folder unless the caller names one: this mode reads its estimates.
    let home = match std::env::var_os("CRITERION_HOME") {
        Some(h) => std::path::PathBuf::from(h),
        None => {
            let h = std::env::temp_dir().join(format!("interop-bench-engines-{}", std::process::id()));
            std::env::set_var("CRITERION_HOME", &h);
            h
        }
    };
    let (cfg, cfg_name) = common::paired_config();
    let mut out = common::paired_out()?;
    let wasm = common::guest();
    use interop_host::runtimes::{wasmer::Wasmer, wasmtime::Wasmtime};
    let mut winch = wasmtime::Config::new();
    winch.strategy(wasmtime::Strategy::Winch);
    let mut pulley = wasmtime::Config::new();
    pulley.target("pulley64")?;
    let mut rows = wasmtime_rows(&wasm, "wasmtime", wasmtime::Config::new(), Wasmtime::cranelift, true)?;
    rows.extend(wasmtime_rows(&wasm, "wasmtime:winch", winch, Wasmtime::winch, false)?);
    rows.extend(wasmtime_rows(&wasm, "wasmtime:pulley", pulley, Wasmtime::pulley, false)?);
    rows.extend(wasmi_rows(&wasm)?);
    rows.extend(wasmer_rows(&wasm, "wasmer", wasmer::sys::Cranelift::default().into(), Wasmer::cranelift)?);
    rows.extend(wasmer_rows(&wasm, "wasmer:singlepass", wasmer::sys::Singlepass::default().into(), Wasmer::singlepass)?);
    eprintln!(
        "paired: {rounds} round(s), each row: criterion over the engine's own typed API, and the tool's measure_row ({}), alternating which goes first",
        cfg_name
    );
    let mut c = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(1)).configure_from_args();
    let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); rows.len()];
    for round in 1..=rounds {
        let criterion_first = round % 2 == 1;
        for (k, row) in rows.iter_mut().enumerate() {
            let id = format!("{}_{}_{}_r{round}", row.runtime.replace(':', "-"), row.scenario, row.api);
            let tool_ns = if criterion_first {
                (row.bench)(&mut c, &id);
                (row.tool)(&cfg)?
            } else {
                let t = (row.tool)(&cfg)?;
                (row.bench)(&mut c, &id);
                t
            };
            let crit_ns = common::criterion_mean(&home.join(&id))?;
            let first = if criterion_first { "criterion" } else { "tool" };
            ratios[k].push(tool_ns / crit_ns);
            eprintln!(
                "paired round {round} {} {} {}: tool {tool_ns:.3} ns, criterion {crit_ns:.3} ns, ratio {:.3} ({first} first)",
                row.runtime,
                row.scenario,
                row.api,
                tool_ns / crit_ns
            );
            if let Some(f) = out.as_mut() {
                writeln!(f, "{} {}\t{}\t{round}\t{tool_ns}\t{crit_ns}\t{first}", row.runtime, row.scenario, row.api)?;
            }
        }
    }
    for (row, r) in rows.iter().zip(&ratios) {
        let each: Vec<String> = r.iter().map(|x| format!("{x:.3}")).collect();
        eprintln!("paired median tool/criterion {} {} {}: {:.3} [{}]", row.runtime, row.scenario, row.api, common::median(r), each.join(", "));
    }
    c.final_summary();
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
