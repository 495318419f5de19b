//! A user's scenario file (docs/scenario-files.md) on one engine: the generic path. Every
//! lookup, allocation, argument and buffer is resolved before timing; the timed operation
//! is the file's own: copy the input in, call the export through the adapter's
//! per-signature call, copy the output out, check it cheaply (fully after each sample).

use crate::adapter::{not_applicable_reason, At, Engine, Instance, Sig};
use crate::measure::{measure, miss, time_loop, MeasureConfig, Samples};
use crate::runner::{failure, not_applicable, Api};
use crate::HOST;
use anyhow::{bail, ensure, Context, Result};
use interop_core::plugin::{
    sha256_hex, Arg, Behaviour, Check, Import, InputAt, LoadedPlugin, Measure, Output, PluginCase, PluginScenario,
    WasmType, WASI_MODULE, WASI_PARAM,
};
use interop_core::results::{Event, RawRow, RowKey};
use std::hint::black_box;

/// The adapter signature of a file's `(params, results)` (checked on load).
pub fn sig_of(params: &[WasmType], results: &[WasmType]) -> Option<Sig> {
    use WasmType::*;
    Some(match (params, results) {
        ([], []) => Sig::VV,
        ([I32], [I32]) => Sig::IToI,
        ([I32, I32], [I32]) => Sig::IIToI,
        ([I32, I32], []) => Sig::IIToV,
        ([I32, I32, I32, I32], []) => Sig::IIIIToV,
        ([I32, I32], [I64]) => Sig::IIToL,
        _ => return None,
    })
}

/// Runs a WASI reactor's `_initialize` export, if the module has one.
fn initialize<I: Instance>(inst: &mut I, api: &str) -> Result<()> {
    if let Ok(f) = inst.func("_initialize", Sig::VV, api) {
        inst.call_vv(&f).at("_initialize")?;
    }
    Ok(())
}

/// The module's `wasi_snapshot_preview1` function imports as a scenario file's host
/// functions returning 0: the baseline of the `wasi=0` instantiate rows. Never called.
pub fn wasi_stubs(wasm: &[u8]) -> Result<Vec<Import>> {
    use wasmparser::{Parser, Payload, TypeRef, ValType as V};
    let mut types = Vec::new();
    let mut stubs = Vec::new();
    let wt = |t: &V| match t {
        V::I32 => Ok(WasmType::I32),
        V::I64 => Ok(WasmType::I64),
        other => Err(anyhow::anyhow!("a {other:?} parameter or result")),
    };
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::TypeSection(r) => {
                for ty in r.into_iter_err_on_gc_types() {
                    types.push(ty?);
                }
            }
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp?;
                    let TypeRef::Func(t) = imp.ty else { continue };
                    if imp.module != WASI_MODULE {
                        continue;
                    }
                    let ty = types.get(t as usize).context("an import's type index is out of range")?;
                    let what = || format!("the WASI import {}.{} cannot be stubbed", imp.module, imp.name);
                    let params = ty.params().iter().map(wt).collect::<Result<Vec<_>>>().with_context(what)?;
                    let results = ty.results().iter().map(wt).collect::<Result<Vec<_>>>().with_context(what)?;
                    ensure!(results.len() <= 1, "{}: {} results", what(), results.len());
                    stubs.push(Import {
                        module: imp.module.to_string(),
                        name: imp.name.to_string(),
                        params,
                        results,
                        behaviour: Behaviour::Constant,
                        value: 0,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(stubs)
}

/// Runs the selected scenarios of `plugin` on `engine` (relinked with the file's imports
/// and WASI when it has any), emitting events as the built-in runner does.
pub fn run_plugin<E: Engine>(
    engine: &E,
    wasm: &[u8],
    plugin: &LoadedPlugin,
    names: &[String],
    cfg: &MeasureConfig,
    emit: &mut dyn FnMut(Event),
) {
    let info = engine.info();
    let runtime = info.runtime;
    emit(Event::Runtime(crate::runner::runtime_info(&info)));
    let file = &plugin.file;
    let selected: Vec<(&PluginScenario, &Vec<PluginCase>)> = file
        .scenarios
        .iter()
        .zip(&plugin.cases)
        .filter(|(s, _)| names.is_empty() || names.iter().any(|n| n == s.name()))
        .collect();
    let relinked;
    let engine: &E = if file.imports.is_empty() && !file.wasi {
        engine
    } else {
        match engine.relink(&file.imports, file.wasi) {
            Ok(e) => {
                relinked = e;
                &relinked
            }
            Err(e) => {
                for (s, _) in &selected {
                    emit(Event::Start { host: HOST.into(), runtime: runtime.into(), scenario: s.name().into() });
                    let ev = match not_applicable_reason(&e) {
                        Some(why) => not_applicable(runtime, s.name(), "", &why),
                        None => failure(runtime, s.name(), "", &Default::default(), &e),
                    };
                    emit(Event::Failure(ev));
                }
                return;
            }
        }
    };
    let module = engine.compile(wasm).map_err(|e| e.context("the module failed to compile"));
    // The `wasi=0` baseline of instantiate rows: the file's imports and the module's WASI
    // imports as plain host functions, on an engine of its own.
    let stubbed: Option<Result<(E, E::Module)>> =
        (file.wasi && selected.iter().any(|(s, _)| s.measure == Measure::Instantiate)).then(|| {
            let mut imports = file.imports.clone();
            imports.extend(wasi_stubs(wasm)?);
            let e = engine.relink(&imports, false)?;
            let m = e.compile(wasm).context("the module failed to compile")?;
            Ok((e, m))
        });
    for (s, cases) in selected {
        let name = s.name();
        emit(Event::Start { host: HOST.into(), runtime: runtime.into(), scenario: name.into() });
        let module = match &module {
            Ok(m) => m,
            Err(e) => {
                emit(Event::Failure(failure(runtime, name, "", &Default::default(), e)));
                continue;
            }
        };
        let apis: Vec<&str> = match s.measure {
            // guarded_batch batches the built-in call scenarios only (its calls are made by
            // a callback inside one guard); a file's calls go through the per-call paths.
            Measure::Call => info.call_apis.iter().copied().filter(|a| *a != crate::adapter::GUARDED_BATCH).collect(),
            Measure::Instantiate => vec![info.call_apis[0]],
        };
        'cases: for case in cases {
            for api in &apis {
                let api = Api { call: api, mem: info.mem_apis[0], label: api };
                let result = match (case.params.get(WASI_PARAM), &stubbed) {
                    (Some(0), Some(Ok((e, m)))) => run_case(e, m, plugin, s, case, api, cfg),
                    (Some(0), Some(Err(e))) => Err(match not_applicable_reason(e) {
                        Some(why) => crate::adapter::NotApplicable(why).into(),
                        None => anyhow::anyhow!(
                            "linking the module's WASI imports as plain host functions (the wasi=0 baseline): {e:#}"
                        ),
                    }),
                    _ => run_case(engine, module, plugin, s, case, api, cfg),
                };
                match result {
                    Ok(mut samples) => emit(crate::runner::row_event(RawRow {
                        key: RowKey {
                            guest_variant: interop_core::results::DEFAULT_GUEST_VARIANT.into(),
                            host: HOST.into(),
                            runtime: runtime.into(),
                            api: api.label.into(),
                            scenario: name.into(),
                            params: case.params.clone(),
                        },
                        iters_per_sample: samples.iters_per_sample,
                        sample_ns_per_op: samples.ns_per_op,
                        verified: s.verified(),
                        metrics: Default::default(),
                        input_sha256: (!case.input.is_empty()).then(|| sha256_hex(&case.input)),
                        stop: Some(samples.stop.as_str().into()),
                        machine_ref_ns: std::mem::take(&mut samples.machine_ref_ns),
                        sample_machine_ns: std::mem::take(&mut samples.sample_machine_ns),
                        machine_fast_ns: samples.machine_fast_ns,
                        more_processes: Vec::new(),
                        remeasured: false,
                    }, samples.counted.take(), cfg)),
                    Err(e) => match not_applicable_reason(&e) {
                        Some(why) => {
                            emit(Event::Failure(not_applicable(runtime, name, "", &why)));
                            break 'cases;
                        }
                        None => emit(Event::Failure(failure(runtime, name, api.label, &case.params, &e))),
                    },
                }
            }
        }
    }
}

fn run_case<E: Engine>(
    engine: &E,
    module: &E::Module,
    plugin: &LoadedPlugin,
    s: &PluginScenario,
    case: &PluginCase,
    api: Api,
    cfg: &MeasureConfig,
) -> Result<Samples> {
    let sig = s.export.as_ref().map(|_| sig_of(s.params(), &s.results).expect("checked on load"));
    // An instantiation that fails (an import the engine cannot provide, most often) names
    // the engine and what was linked; the engine's own message names the import.
    let instantiate = || {
        engine.instantiate(module).with_context(|| {
            let file = &plugin.file;
            let wasi = match case.params.get(WASI_PARAM) {
                Some(0) => " and the module's WASI imports as plain host functions",
                _ if file.wasi => " and its own WASI (wasi_snapshot_preview1)",
                _ => "",
            };
            let linked = if file.imports.is_empty() { "" } else { "the scenario file's host functions" };
            let linked = match (linked, wasi) {
                ("", "") => "the built-in env.host_inc".to_string(),
                ("", w) => w.trim_start_matches(" and ").to_string(),
                (l, w) => format!("{l}{w}"),
            };
            format!("{} could not instantiate the module with {linked} linked", engine.info().runtime)
        })
    };
    if s.measure == Measure::Instantiate {
        // Checked once: an instance has the export with its signature.
        let mut inst = instantiate()?;
        if let (Some(export), Some(sig)) = (&s.export, sig) {
            inst.func(export, sig, api.call).at(export)?;
        }
        drop(inst);
        return measure(cfg, |iters| {
            time_loop(iters, |_| {
                drop(black_box(engine.instantiate(module)?));
                Ok(())
            })
        });
    }
    let export = s.export.as_deref().expect("checked on load");
    let sig = sig.expect("checked on load");
    let mem = api.mem;
    let mut inst = instantiate()?;
    let inst = &mut inst;
    initialize(inst, api.call)?;
    let f = inst.func(export, sig, api.call).at(export)?;
    let alloc_names = plugin.file.allocator.as_ref();
    let allocate = |inst: &mut E::Instance, bytes: usize| -> Result<u32> {
        let name = &alloc_names.context("no [allocator] in the scenario file")?.allocate;
        let fa = inst.func(name, Sig::IToI, api.call).at(name)?;
        let p = inst.call_i_i(&fa, bytes as i32).at(name)?;
        ensure!(p > 0, "export `{name}`: {name}({bytes}) returned {p}");
        Ok(p as u32)
    };
    let input = &case.input;
    let in_ptr = match s.input_at.as_ref().map(|a| a.get_ref()) {
        _ if input.is_empty() => 0,
        Some(InputAt::Offset(o)) => *o,
        _ => allocate(inst, input.len())?,
    };
    // The input is copied from a host buffer placed against the guest's, the same in every
    // process (runner::Placed; the output buffer is an ordinary Vec: it is sized by the
    // first call).
    let placed_input = crate::runner::Placed::new(input, crate::runner::guest_addr(inst, in_ptr));
    let input: &[u8] = &placed_input;
    let out_len = s.out_len.map(|n| n as usize).unwrap_or(input.len());
    let out_ptr = if s.output() == Output::OutBuffer { allocate(inst, out_len.max(1))? } else { 0 };
    let mut args = [0i32; 4];
    for (slot, a) in args.iter_mut().zip(&s.args) {
        *slot = match a.get_ref() {
            Arg::Int(v) => i32::try_from(*v).with_context(|| format!("argument {v} does not fit an i32"))?,
            Arg::Token(t) => match t.as_str() {
                "in.ptr" => in_ptr as i32,
                "in.len" => input.len() as i32,
                "out.ptr" => out_ptr as i32,
                _ => out_len as i32,
            },
        };
    }
    let dealloc = match (s.free_output, alloc_names.and_then(|a| a.deallocate.as_ref())) {
        (true, Some(d)) => Some((d.as_str(), inst.func(d, Sig::IIToV, api.call).at(d)?)),
        _ => None,
    };
    let op = Op { export, input, in_ptr, mem, output: s.output(), out_ptr, out_len, dealloc };
    let want = Want {
        value: match s.check.get_ref() {
            Check::Table(t) => t.value,
            Check::Word(_) => None,
        },
        sha256: case.sha256.as_deref(),
        checked: s.verified(),
    };
    // The signature is matched here, once: each arm times a loop monomorphized for its
    // adapter call with the arguments captured as constants, as a hand-written loop would.
    let [a, b, c, d] = args;
    match sig {
        Sig::VV => timed(inst, &op, &want, cfg, |i: &mut E::Instance| i.call_vv(&f).map(|()| 0)),
        Sig::IToI => timed(inst, &op, &want, cfg, |i: &mut E::Instance| i.call_i_i(&f, a).map(i64::from)),
        Sig::IIToI => timed(inst, &op, &want, cfg, |i: &mut E::Instance| i.call_ii_i(&f, a, b).map(i64::from)),
        Sig::IIToV => timed(inst, &op, &want, cfg, |i: &mut E::Instance| i.call_ii_v(&f, a, b).map(|()| 0)),
        Sig::IIIIToV => timed(inst, &op, &want, cfg, |i: &mut E::Instance| i.call_iiii_v(&f, a, b, c, d).map(|()| 0)),
        Sig::IIToL => timed(inst, &op, &want, cfg, |i: &mut E::Instance| i.call_ii_l(&f, a, b)),
    }
}

/// What one operation of a file's scenario does around its call, resolved before timing.
struct Op<'a, F> {
    export: &'a str,
    input: &'a [u8],
    in_ptr: u32,
    mem: crate::adapter::MemApi,
    output: Output,
    out_ptr: u32,
    out_len: usize,
    /// The module's deallocate export, for outputs it allocated (`free_output`).
    dealloc: Option<(&'a str, F)>,
}

/// How a file's scenario checks its result.
struct Want<'a> {
    value: Option<i64>,
    sha256: Option<&'a str>,
    /// False for `check = "unchecked"`: the row is marked unverified and the loop checks nothing.
    checked: bool,
}

impl<F> Op<'_, F> {
    /// One operation: input in, call, output out (into `out`, sized by the first call),
    /// freed. Inlined into the timed loop, so a `Value` output with no input costs the call
    /// and two predictable branches.
    #[inline(always)]
    fn run<I: Instance<Func = F>>(
        &self,
        inst: &mut I,
        call: &impl Fn(&mut I) -> Result<i64>,
        out: &mut Vec<u8>,
        first: bool,
    ) -> Result<i64> {
        if !self.input.is_empty() {
            inst.write(self.mem, self.in_ptr, self.input)?;
        }
        let r = call(inst).at(self.export)?;
        match self.output {
            Output::Value => {}
            Output::OutBuffer => inst.read(self.mem, self.out_ptr, out)?,
            Output::InPlace => inst.read(self.mem, self.in_ptr, out)?,
            Output::PackedPtrLen => self.read_packed(inst, r, out, first)?,
        }
        Ok(r)
    }

    /// The bytes a `(ptr << 32 | len)` result names, copied out and freed if the file says so.
    fn read_packed<I: Instance<Func = F>>(&self, inst: &mut I, r: i64, out: &mut Vec<u8>, first: bool) -> Result<()> {
        let (p, l) = ((r as u64 >> 32) as u32, r as u32 as usize);
        if first {
            out.resize(l, 0);
        } else if l != out.len() {
            bail!("export `{}` returned {l} bytes, the first call returned {}", self.export, out.len());
        }
        inst.read(self.mem, p, out)?;
        if let Some((d, fd)) = &self.dealloc {
            inst.call_ii_v(fd, p as i32, l as i32).at(d)?;
        }
        Ok(())
    }
}

/// Checks one operation fully, then times it: the value every call, the output's first and
/// last bytes every call and all of them after each sample, against the checked first call.
fn timed<I: Instance>(
    inst: &mut I,
    op: &Op<I::Func>,
    want: &Want,
    cfg: &MeasureConfig,
    call: impl Fn(&mut I) -> Result<i64>,
) -> Result<Samples> {
    let export = op.export;
    let mut out = vec![
        0u8;
        match op.output {
            Output::OutBuffer => op.out_len,
            Output::InPlace => op.input.len(),
            _ => 0,
        }
    ];
    let r = op.run(inst, &call, &mut out, true)?;
    if let Some(v) = want.value {
        ensure!(r == v, "export `{export}` returned {r}, expected {v}");
    }
    if let Some(want) = want.sha256 {
        let got = sha256_hex(&out);
        ensure!(got == want, "export `{export}`: the output's sha256 is {got}, expected {want} ({} bytes)", out.len());
    }
    let (checked, want_value) = (want.checked, want.value);
    if op.output == Output::Value && op.input.is_empty() {
        // No input, the result a value (the built-in noop and add, as files): the loop holds
        // the call and its check only, as the hand-written loops do. Through `Op::run` the
        // larger loop body cost wasmtime's typed noop some 40 instructions a call more
        // than the hand-written loop (counted with --counts).
        let w = want_value.filter(|_| checked);
        return measure(cfg, |iters| {
            time_loop(iters, |_| {
                let r = call(inst).at(export)?;
                if let Some(v) = w {
                    if r != v {
                        miss!("export `{export}` returned {r}, expected {v}");
                    }
                }
                Ok(())
            })
        });
    }
    let reference = out.clone();
    let n = reference.len();
    measure(cfg, |iters| {
        if let Some(b) = out.first_mut() {
            *b = !*b;
        }
        let t = time_loop(iters, |_| {
            let r = op.run(inst, &call, &mut out, false)?;
            if checked {
                if let Some(v) = want_value {
                    if r != v {
                        miss!("export `{export}` returned {r}, expected {v}");
                    }
                }
                if n > 0 && (out[0] != reference[0] || out[n - 1] != reference[n - 1]) {
                    miss!("export `{export}`: the output bytes differ from the checked first call's");
                }
            }
            Ok(())
        })?;
        if checked && out != reference {
            bail!("export `{export}`: the output bytes differ from the checked first call's");
        }
        Ok(t)
    })
}
