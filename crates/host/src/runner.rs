//! Every Wasm scenario, written once over the adapter interface. Each case sets up outside
//! the timed region, checks the operation once, then measures; every timed operation
//! checks its own result.

use crate::adapter::{
    blamed_export, not_applicable_reason, At, BatchOp, Engine, EngineInfo, Instance, MemApi, Sig, GUARDED_BATCH,
};
use crate::measure::{measure, miss, time_loop, MeasureConfig, Samples};
use crate::HOST;
use anyhow::{bail, ensure, Result};
use interop_core::plugin::LoadedPlugin;
use interop_core::results::{Event, Failure, Params, RawRow, RowKey, RuntimeInfo};
use interop_core::scenario::{Case, Scenario, ScenarioList, Target, Varies};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// A runtime as the worker sees it: describes itself, runs scenarios, emits events.
pub trait Runtime: Send + Sync {
    fn info(&self) -> RuntimeInfo;
    fn run(&self, wasm: &[u8], list: &ScenarioList, cfg: &MeasureConfig, emit: &mut dyn FnMut(Event));
    /// Runs the scenarios `names` (all when empty) of a user's scenario file.
    fn run_plugin(
        &self,
        _wasm: &[u8],
        plugin: &LoadedPlugin,
        names: &[String],
        _cfg: &MeasureConfig,
        emit: &mut dyn FnMut(Event),
    ) {
        let info = self.info();
        emit(Event::Runtime(info.clone()));
        for s in plugin.names().iter().filter(|s| names.is_empty() || names.contains(s)) {
            emit(Event::Start { host: HOST.into(), runtime: info.runtime.clone(), scenario: s.clone() });
            let why = "a scenario file calls a Wasm module; this runtime runs none";
            emit(Event::Failure(not_applicable(&info.runtime, s, "", why)));
        }
    }
    /// See [`memory_base_holds_the_guests_bytes`]; `None` for a runtime without linear memory.
    fn memory_base_holds_the_guests_bytes(&self, _wasm: &[u8]) -> Result<Option<bool>> {
        Ok(None)
    }
}

/// Wraps an [`Engine`] as a [`Runtime`].
pub struct Wasm<E>(pub E);

impl<E: Engine> Runtime for Wasm<E> {
    fn info(&self) -> RuntimeInfo {
        runtime_info(&self.0.info())
    }

    fn run(&self, wasm: &[u8], list: &ScenarioList, cfg: &MeasureConfig, emit: &mut dyn FnMut(Event)) {
        run_engine(&self.0, wasm, list, cfg, emit)
    }

    fn run_plugin(
        &self,
        wasm: &[u8],
        plugin: &LoadedPlugin,
        names: &[String],
        cfg: &MeasureConfig,
        emit: &mut dyn FnMut(Event),
    ) {
        crate::plugin::run_plugin(&self.0, wasm, plugin, names, cfg, emit)
    }

    fn memory_base_holds_the_guests_bytes(&self, wasm: &[u8]) -> Result<Option<bool>> {
        memory_base_holds_the_guests_bytes(&self.0, wasm)
    }
}

/// Whether the engine's [`Instance::memory_base`] is where its linear memory is: bytes
/// written through the engine's own API are read back through the base it reports (`None`
/// when it reports none). For the tests: a wrong base would place every host buffer
/// against the wrong address.
pub fn memory_base_holds_the_guests_bytes<E: Engine>(engine: &E, wasm: &[u8]) -> Result<Option<bool>> {
    let module = engine.compile(wasm)?;
    let mut inst = engine.instantiate(&module)?;
    let api = engine.info().mem_apis[0];
    let ptr = alloc(&mut inst, engine.info().call_apis[0], 64)?;
    let pattern: Vec<u8> = (0..64u8).map(|i| i.wrapping_mul(37).wrapping_add(11)).collect();
    inst.write(api, ptr, &pattern)?;
    let Some(base) = inst.memory_base() else { return Ok(None) };
    // SAFETY: `base` is the engine's own pointer to linear memory, which holds at least
    // ptr + 64 bytes (the guest allocated them) and does not move while no Wasm runs.
    let got = unsafe { std::slice::from_raw_parts((base + ptr as usize) as *const u8, 64) };
    Ok(Some(got == &pattern[..]))
}

/// The API a row is measured through.
#[derive(Debug, Clone, Copy)]
pub struct Api<'a> {
    pub call: &'a str,
    pub mem: MemApi,
    pub label: &'a str,
}

pub fn failure(runtime: &str, scenario: &str, api: &str, params: &Params, err: &anyhow::Error) -> Failure {
    Failure {
        host: HOST.into(),
        runtime: runtime.into(),
        scenario: scenario.into(),
        api: api.into(),
        params: params.clone(),
        export: blamed_export(err).unwrap_or_default(),
        error: format!("{runtime}: {scenario}: {err:#}"),
        guest_variant: String::new(),
        status: "failed".into(),
    }
}

pub fn not_applicable(runtime: &str, scenario: &str, api: &str, why: &str) -> Failure {
    let on = if api.is_empty() { String::new() } else { format!(" ({api})") };
    Failure {
        host: HOST.into(),
        runtime: runtime.into(),
        scenario: scenario.into(),
        api: api.into(),
        params: Params::new(),
        export: String::new(),
        error: format!("{runtime}: {scenario}{on}: not applicable: {why}"),
        guest_variant: String::new(),
        status: "not_applicable".into(),
    }
}

pub fn row(runtime: &str, api: &str, case: &Case, s: Samples) -> RawRow {
    RawRow {
        key: RowKey {
            guest_variant: interop_core::results::DEFAULT_GUEST_VARIANT.into(),
            host: HOST.into(),
            runtime: runtime.into(),
            api: api.into(),
            scenario: case.scenario.name.clone(),
            params: case.params.clone(),
        },
        iters_per_sample: s.iters_per_sample,
        sample_ns_per_op: s.ns_per_op,
        verified: true,
        metrics: s.metrics,
        input_sha256: None,
        stop: Some(s.stop.as_str().into()),
        machine_ref_ns: s.machine_ref_ns,
        sample_machine_ns: s.sample_machine_ns,
        machine_fast_ns: s.machine_fast_ns,
        more_processes: Vec::new(),
        remeasured: false,
    }
}

/// The event of a measured row: its samples, or its instruction counts under `run --counts`
/// (a row whose work runs outside this process, such as wasm2c's `compile` in `cc`, cannot be
/// counted: not applicable, with the reason).
pub fn row_event(raw: RawRow, s_counted: Option<crate::counts::Counted>, cfg: &MeasureConfig) -> Event {
    match (s_counted, cfg.count.is_some()) {
        (Some(c), _) => Event::Count(interop_core::counts::CountRow {
            key: raw.key,
            n1: c.n1,
            n2: c.n2,
            instructions_per_op: c.per_op,
            gc_on_instructions_per_op: Vec::new(),
            gc_cycles: Vec::new(),
            verified: raw.verified,
        }),
        (None, true) => Event::Failure(Failure {
            guest_variant: String::new(),
            status: "not_applicable".into(),
            error: format!(
                "{}: {}: not applicable: this row's work runs outside the worker process (or is timed by hand), so callgrind cannot count it",
                raw.key.runtime, raw.key.scenario
            ),
            host: raw.key.host,
            runtime: raw.key.runtime,
            scenario: raw.key.scenario,
            api: raw.key.api,
            params: raw.key.params,
            export: String::new(),
        }),
        (None, false) => Event::Row(raw),
    }
}

fn run_engine<E: Engine>(engine: &E, wasm: &[u8], list: &ScenarioList, cfg: &MeasureConfig, emit: &mut dyn FnMut(Event)) {
    let info = engine.info();
    let runtime = info.runtime;
    emit(Event::Runtime(runtime_info(&info)));
    let module = engine.compile(wasm).map_err(|e| e.context("the module failed to compile"));
    for scenario in list.scenarios.iter().filter(|s| s.target == Target::Wasm) {
        emit(Event::Start { host: HOST.into(), runtime: runtime.into(), scenario: scenario.name.clone() });
        crate::measure::test_knob::enter(&scenario.name);
        let module = match &module {
            Ok(m) => m,
            Err(e) => {
                emit(Event::Failure(failure(runtime, &scenario.name, "", &Params::new(), e)));
                continue;
            }
        };
        if scenario.name == BATCH_CROSSING {
            let why = format!(
                "the Rust host calls {} directly (Rust calls, or plain C-ABI calls for a C engine): there is no \
                 cgo-like FFI toll for a batch of calls made on the engine's side to amortize",
                info.engine
            );
            emit(Event::Failure(not_applicable(runtime, &scenario.name, "", &why)));
            continue;
        }
        if !SCENARIOS.contains(&scenario.name.as_str()) {
            emit(Event::Failure(not_applicable(runtime, &scenario.name, "", not_in_this_host(&scenario.name))));
            continue;
        }
        if scenario.varies == Varies::Memory {
            for m in MemApi::ALL.iter().filter(|m| !info.mem_apis.contains(m)) {
                let why = format!("{} offers no {} memory API ({})", info.engine, m.name(), m.about());
                emit(Event::Failure(not_applicable(runtime, &scenario.name, m.name(), &why)));
            }
        }
        'cases: for case in scenario.cases() {
            for api in apis(scenario, &info) {
                let mut digest = None;
                match run_case(engine, module, wasm, &case, api, cfg, &mut digest) {
                    Ok(mut s) => {
                        let counted = s.counted.take();
                        let raw = RawRow { input_sha256: digest, ..row(runtime, api.label, &case, s) };
                        emit(row_event(raw, counted, cfg))
                    }
                    Err(e) => match not_applicable_reason(&e) {
                        // Said once for the scenario, not once per case.
                        Some(why) => {
                            emit(Event::Failure(not_applicable(runtime, &scenario.name, "", &why)));
                            break 'cases;
                        }
                        None => emit(Event::Failure(failure(runtime, &scenario.name, api.label, &case.params, &e))),
                    },
                }
            }
        }
    }
}

/// One row of the built-in list measured exactly as a run measures it (the same
/// [`run_case`], checks and [`measure`] with `cfg`), for a harness that times the same row
/// beside the tool in one process (benches/wasm2c.rs's paired mode): `scenario` by name,
/// the case whose parameters are `params` (empty for a scenario without one), and the API
/// whose row label is `api` (as this engine's rows are labelled). `module` is `wasm`
/// compiled by `engine`, so the caller compiles once for many rows, as a run does.
/// A name, parameter or API that this engine has no row for is an error naming what exists.
pub fn measure_row<E: Engine>(
    engine: &E,
    module: &E::Module,
    wasm: &[u8],
    scenario: &str,
    params: &Params,
    api: &str,
    cfg: &MeasureConfig,
) -> Result<Samples> {
    let info = engine.info();
    let runtime = info.runtime;
    let list = ScenarioList::builtin();
    let rows: Vec<&str> = list
        .scenarios
        .iter()
        .filter(|s| s.target == Target::Wasm && SCENARIOS.contains(&s.name.as_str()))
        .map(|s| s.name.as_str())
        .collect();
    let Some(s) = list.get(scenario).filter(|s| rows.contains(&s.name.as_str())) else {
        bail!("{runtime}: no built-in Wasm scenario `{scenario}` with rows in the Rust host (there are: {})", rows.join(", "));
    };
    let cases = s.cases();
    let Some(case) = cases.iter().find(|c| &c.params == params) else {
        let have: Vec<String> = cases.iter().map(|c| show_params(&c.params)).collect();
        bail!("{runtime}: {scenario} has no case {} (its cases: {})", show_params(params), have.join(", "));
    };
    let apis = apis(s, &info);
    let Some(api) = apis.iter().find(|a| a.label == api) else {
        let have: Vec<&str> = apis.iter().map(|a| a.label).collect();
        bail!("{runtime}: {scenario} has no API `{api}` on this engine (its rows' APIs: {})", have.join(", "));
    };
    crate::measure::test_knob::enter(&s.name);
    run_case(engine, module, wasm, case, *api, cfg, &mut None)
        .map_err(|e| e.context(format!("{runtime}: {scenario} {} ({})", show_params(params), api.label)))
}

/// A case's parameters as `name=value`, or `(no parameter)`.
fn show_params(params: &Params) -> String {
    if params.is_empty() {
        return "(no parameter)".into();
    }
    params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}

pub(crate) fn runtime_info(i: &EngineInfo) -> RuntimeInfo {
    RuntimeInfo {
        host: HOST.into(),
        runtime: i.runtime.into(),
        engine: i.engine.into(),
        version: i.version.into(),
        call_apis: i.call_apis.iter().map(|s| s.to_string()).collect(),
        memory_apis: i.mem_apis.iter().map(|m| m.name().to_string()).collect(),
        notes: i.notes.into(),
        // The Rust host calls its engines in-process: no FFI, no second path.
        ffi: String::new(),
        direct_path: String::new(),
    }
}

/// The API paths a scenario is measured through on an engine: its call APIs, its memory
/// APIs, or its defaults.
fn apis<'a>(scenario: &Scenario, info: &EngineInfo) -> Vec<Api<'a>> {
    let (call, mem) = (info.call_apis[0], info.mem_apis[0]);
    match scenario.varies {
        Varies::Call => info.call_apis.iter().map(|c| Api { call: c, mem, label: c }).collect(),
        Varies::Memory => info.mem_apis.iter().map(|m| Api { call, mem: *m, label: m.name() }).collect(),
        Varies::None => vec![Api { call, mem, label: call }],
    }
}

/// Why a Wasm scenario of the shared list has no rows in this host.
fn not_in_this_host(scenario: &str) -> &'static str {
    if scenario.contains("_gc_") {
        "the Rust host has no garbage collector: these rows measure what Go's collector costs a call (Go host only)"
    } else {
        "the Rust host does not implement this scenario"
    }
}

/// Go's FFI mitigation (k Wasm calls inside one cgo call): not applicable to any Rust
/// engine, each reported with the reason.
pub const BATCH_CROSSING: &str = "batch_crossing";

/// The Wasm scenarios this host implements.
pub const SCENARIOS: &[&str] = &[
    "noop",
    "add",
    "host_import",
    "copy_in",
    "copy_out",
    "string_roundtrip",
    "string_alloc_per_call",
    "return_buffer",
    "sum_array",
    "sum_array_resident",
    "batch_add",
    "compile",
    "instantiate",
    "deserialize",
    "instantiate_pre",
    "first_call",
];

/// Deterministic inputs shared by the Wasm scenarios and the native baseline. They are
/// the canonical inputs of both hosts (the Go host's `go/bench/data.go` computes the same
/// bytes; every row records their sha256 in `input_sha256` and a test compares the hosts).
pub mod inputs {
    /// `len` i32 of both signs whose wrapping sum exercises overflow:
    /// `a[i] = i * 2654435761 + 12345` (wrapping, as u32).
    pub fn array(len: usize) -> Vec<i32> {
        (0..len).map(|i| (i as u32).wrapping_mul(2_654_435_761).wrapping_add(12_345) as i32).collect()
    }

    /// `batch_add`'s second operand: `b[i] = i - 7`.
    pub fn second_operand(len: usize) -> Vec<i32> {
        (0..len).map(|i| (i as i32).wrapping_sub(7)).collect()
    }

    pub fn wrapping_sum(xs: &[i32]) -> i32 {
        xs.iter().fold(0i32, |a, x| a.wrapping_add(*x))
    }

    pub fn le_bytes(xs: &[i32]) -> Vec<u8> {
        xs.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    /// The canonical text of `len` bytes (the founding document's string at 51 bytes).
    pub fn text(len: usize) -> Vec<u8> {
        interop_core::plugin::canonical_text(len)
    }
}

/// Half a page: how far (modulo a page) a host buffer starts from the guest buffer it is
/// copied to or from. A heap `Vec` starts wherever earlier allocations left off, and where
/// it falls against the guest's buffer decides how fast a copy runs: at the same offset in
/// their pages (4K aliasing: each load waits on the stores of the same low address bits),
/// wasmtime's `copy_in` of 4096 B read 1,160 ns instead of 56 ns, and one worker process in
/// several read a short copy 1.7x slower than the others (wasmtime `copy_in` 256 B 17.4 ns
/// against 9.5 ns, 2026-11-29). Half a page apart is the typical case, every time.
pub const HOST_BUF_DISTANCE: usize = PAGE / 2;
const PAGE: usize = 4096;

/// A host buffer placed [`HOST_BUF_DISTANCE`] (modulo a page) from the guest's buffer at
/// address `near` (linear memory's base in this process plus the guest's pointer), the same
/// in every process.
pub struct Placed {
    buf: Vec<u8>,
    at: usize,
    len: usize,
}

impl Placed {
    pub fn new(bytes: &[u8], near: usize) -> Placed {
        let mut p = Placed::zeroed(bytes.len(), near);
        p.copy_from_slice(bytes);
        p
    }

    pub fn zeroed(len: usize, near: usize) -> Placed {
        let buf = vec![0u8; len + 2 * PAGE];
        let at = buf.as_ptr().align_offset(PAGE) + (near + HOST_BUF_DISTANCE) % PAGE;
        Placed { buf, at, len }
    }
}

impl std::ops::Deref for Placed {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buf[self.at..self.at + self.len]
    }
}

impl std::ops::DerefMut for Placed {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.buf[self.at..self.at + self.len]
    }
}

/// The address of the guest's `ptr` in this process (its page offset is what counts; an
/// engine that does not say where its memory is is taken to start it on a page).
pub(crate) fn guest_addr<I: Instance>(inst: &mut I, ptr: u32) -> usize {
    inst.memory_base().unwrap_or(0).wrapping_add(ptr as usize)
}

/// Records the sha256 of the bytes a case feeds the guest.
fn fed(digest: &mut Option<String>, parts: &[&[u8]]) {
    *digest = Some(interop_core::plugin::sha256_hex(&parts.concat()));
}

fn alloc<I: Instance>(inst: &mut I, api: &str, bytes: usize) -> Result<u32> {
    let f = inst.func("allocate", Sig::IToI, api).at("allocate")?;
    let ptr = inst.call_i_i(&f, bytes as i32).at("allocate")?;
    ensure!(ptr > 0, "export `allocate`: allocate({bytes}) returned {ptr}");
    Ok(ptr as u32)
}

fn check_bytes(what: &str, got: &[u8], want: &[u8]) -> Result<()> {
    if got != want {
        let at = got.iter().zip(want).position(|(a, b)| a != b).unwrap_or(0);
        bail!("{what}: wrong bytes at offset {at} of {} (got {:?}, want {:?})", want.len(), got.get(at), want.get(at));
    }
    Ok(())
}

/// Times `instantiate` (a fresh instance, dropped again), after checking once that an
/// instance it makes runs `no_op`.
fn instantiation<I: Instance>(cfg: &MeasureConfig, api: Api, instantiate: impl Fn() -> Result<I>) -> Result<Samples> {
    let mut inst = instantiate()?;
    let f = inst.func("no_op", Sig::VV, api.call).at("no_op")?;
    inst.call_vv(&f).at("no_op")?;
    measure(cfg, |iters| {
        time_loop(iters, |_| {
            drop(black_box(instantiate()?));
            Ok(())
        })
    })
}

/// A call scenario on the call API [`GUARDED_BATCH`]: each sample's whole loop of calls
/// is one [`Instance::call_batch`] (one trap guard), after one checked batch of one call.
fn batched<I: Instance>(cfg: &MeasureConfig, inst: &mut I, f: &I::Func, op: BatchOp, export: &str) -> Result<Samples> {
    inst.call_batch(f, op, 1).at(export)?;
    measure(cfg, |iters| {
        let t = Instant::now();
        inst.call_batch(f, op, iters).at(export)?;
        Ok(t.elapsed())
    })
}

fn run_case<E: Engine>(
    engine: &E,
    module: &E::Module,
    wasm: &[u8],
    case: &Case,
    api: Api,
    cfg: &MeasureConfig,
    digest: &mut Option<String>,
) -> Result<Samples> {
    let n = case.value() as usize;
    let name = case.scenario.name.as_str();
    match name {
        "compile" => {
            if let Some(samples) = engine.measure_compile(wasm, cfg) {
                return samples;
            }
            engine.compile(wasm)?;
            return measure(cfg, |iters| {
                time_loop(iters, |_| {
                    black_box(engine.compile(black_box(wasm))?);
                    Ok(())
                })
            });
        }
        "instantiate" => return instantiation(cfg, api, || engine.instantiate(module)),
        "deserialize" => {
            // Serialized once, untimed; every sample's last module must instantiate and add.
            let bytes = engine.serialize(module)?;
            let check = |m: &E::Module| -> Result<()> {
                let mut inst = engine.instantiate(m)?;
                let f = inst.func("add_numbers", Sig::IIToI, api.call).at("add_numbers")?;
                let r = inst.call_ii_i(&f, 40, 2).at("add_numbers")?;
                ensure!(r == 42, "export `add_numbers`: add_numbers(40, 2) returned {r} from a deserialized module");
                Ok(())
            };
            check(&engine.deserialize(&bytes)?)?;
            return measure(cfg, |iters| {
                let mut last = None;
                let t = time_loop(iters, |_| {
                    last = Some(black_box(engine.deserialize(black_box(&bytes))?));
                    Ok(())
                })?;
                check(last.as_ref().expect("at least one iteration"))?;
                Ok(t)
            });
        }
        "instantiate_pre" => {
            let pre = engine.pre(module)?;
            return instantiation(cfg, api, || engine.instantiate_pre(&pre));
        }
        "first_call" => {
            // Fresh instances are made (untimed) in blocks; the first call on each is timed
            // as one loop per block, so no clock read sits inside a timed operation.
            const BLOCK: u64 = 64;
            return measure(cfg, |iters| {
                let mut total = Duration::ZERO;
                let mut done = 0;
                while done < iters {
                    let k = BLOCK.min(iters - done);
                    let mut fresh = Vec::with_capacity(k as usize);
                    for _ in 0..k {
                        let mut inst = engine.instantiate(module)?;
                        let f = inst.func("add_numbers", Sig::IIToI, api.call).at("add_numbers")?;
                        fresh.push((inst, f));
                    }
                    let t = Instant::now();
                    for (i, (inst, f)) in fresh.iter_mut().enumerate() {
                        let a = i as i32;
                        let r = inst.call_ii_i(f, a, 35).at("add_numbers")?;
                        if r != a.wrapping_add(35) {
                            miss!("export `add_numbers`: add_numbers({a}, 35) returned {r}");
                        }
                    }
                    total += t.elapsed();
                    done += k;
                }
                Ok(total)
            });
        }
        _ => {}
    }

    let mut inst = engine.instantiate(module)?;
    let inst = &mut inst;
    match name {
        "noop" => {
            let f = inst.func("no_op", Sig::VV, api.call).at("no_op")?;
            if api.call == GUARDED_BATCH {
                return batched(cfg, inst, &f, BatchOp::NoOp, "no_op");
            }
            inst.call_vv(&f).at("no_op")?;
            measure(cfg, |iters| time_loop(iters, |_| inst.call_vv(&f).at("no_op")))
        }
        "add" => {
            let f = inst.func("add_numbers", Sig::IIToI, api.call).at("add_numbers")?;
            if api.call == GUARDED_BATCH {
                return batched(cfg, inst, &f, BatchOp::Add { b: 20 }, "add_numbers");
            }
            measure(cfg, |iters| {
                time_loop(iters, |i| {
                    let a = i as i32;
                    let r = inst.call_ii_i(&f, a, 20).at("add_numbers")?;
                    if r != a.wrapping_add(20) {
                        miss!("export `add_numbers`: add_numbers({a}, 20) returned {r}");
                    }
                    Ok(())
                })
            })
        }
        "host_import" => {
            let f = inst.func("call_host", Sig::IToI, api.call).at("call_host")?;
            let k = n as i32;
            if api.call == GUARDED_BATCH {
                return batched(cfg, inst, &f, BatchOp::CallHost { k }, "call_host");
            }
            measure(cfg, |iters| {
                time_loop(iters, |_| {
                    let r = inst.call_i_i(&f, k).at("call_host")?;
                    if r != k {
                        miss!("export `call_host`: call_host({k}) returned {r}: the host import did not run {k} times");
                    }
                    Ok(())
                })
            })
        }
        "copy_in" => {
            let ptr = alloc(inst, api.call, n)?;
            let input = Placed::new(&inputs::text(n), guest_addr(inst, ptr));
            fed(digest, &[&input]);
            let mut back = Placed::zeroed(n, guest_addr(inst, ptr));
            measure(cfg, |iters| {
                let t = time_loop(iters, |_| inst.write(api.mem, ptr, &input))?;
                inst.read(api.mem, ptr, &mut back)?;
                check_bytes("copy_in: guest memory after the copies", &back, &input)?;
                // Spoiled, so that the next sample must copy again to pass.
                inst.write(api.mem, ptr, &[!input[0]])?;
                Ok(t)
            })
        }
        "copy_out" => {
            let ptr = alloc(inst, api.call, n)?;
            let content = Placed::new(&inputs::text(n), guest_addr(inst, ptr));
            fed(digest, &[&content]);
            inst.write(api.mem, ptr, &content)?;
            let mut out = Placed::zeroed(n, guest_addr(inst, ptr));
            measure(cfg, |iters| {
                out.fill(0);
                let t = time_loop(iters, |_| {
                    inst.read(api.mem, ptr, &mut out)?;
                    if out[0] != content[0] || out[n - 1] != content[n - 1] {
                        miss!("copy_out: the copied bytes differ from guest memory");
                    }
                    Ok(())
                })?;
                check_bytes("copy_out", &out, &content)?;
                Ok(t)
            })
        }
        "string_roundtrip" => {
            let ptr = alloc(inst, api.call, n)?;
            let f = inst.func("reverse_string_in_place", Sig::IIToV, api.call).at("reverse_string_in_place")?;
            let input = Placed::new(&inputs::text(n), guest_addr(inst, ptr));
            fed(digest, &[&input]);
            let expected: Vec<u8> = input.iter().rev().copied().collect();
            let mut out = Placed::zeroed(n, guest_addr(inst, ptr));
            measure(cfg, |iters| {
                out.fill(0);
                let t = time_loop(iters, |_| {
                    inst.write(api.mem, ptr, &input)?;
                    inst.call_ii_v(&f, ptr as i32, n as i32).at("reverse_string_in_place")?;
                    inst.read(api.mem, ptr, &mut out)?;
                    if out[0] != input[n - 1] || out[n - 1] != input[0] {
                        miss!("export `reverse_string_in_place`: the string came back unreversed");
                    }
                    Ok(())
                })?;
                check_bytes("string_roundtrip: reversed string", &out, &expected)?;
                Ok(t)
            })
        }
        "string_alloc_per_call" => {
            let fa = inst.func("allocate", Sig::IToI, api.call).at("allocate")?;
            let fd = inst.func("deallocate", Sig::IIToV, api.call).at("deallocate")?;
            let f = inst.func("reverse_string_in_place", Sig::IIToV, api.call).at("reverse_string_in_place")?;
            // Where the guest's allocator puts the string (each call frees it, so the next
            // gets the same place): the host's buffers are placed against it.
            let near = {
                let ptr = alloc(inst, api.call, n)?;
                inst.call_ii_v(&fd, ptr as i32, n as i32).at("deallocate")?;
                guest_addr(inst, ptr)
            };
            let input = Placed::new(&inputs::text(n), near);
            fed(digest, &[&input]);
            let expected: Vec<u8> = input.iter().rev().copied().collect();
            let mut out = Placed::zeroed(n, near);
            measure(cfg, |iters| {
                out.fill(0);
                let t = time_loop(iters, |_| {
                    let ptr = inst.call_i_i(&fa, n as i32).at("allocate")?;
                    if ptr <= 0 {
                        miss!("export `allocate`: allocate({n}) returned {ptr}");
                    }
                    inst.write(api.mem, ptr as u32, &input)?;
                    inst.call_ii_v(&f, ptr, n as i32).at("reverse_string_in_place")?;
                    inst.read(api.mem, ptr as u32, &mut out)?;
                    inst.call_ii_v(&fd, ptr, n as i32).at("deallocate")?;
                    if out[0] != input[n - 1] || out[n - 1] != input[0] {
                        miss!("export `reverse_string_in_place`: the string came back unreversed");
                    }
                    Ok(())
                })?;
                check_bytes("string_alloc_per_call: reversed string", &out, &expected)?;
                Ok(t)
            })
        }
        "return_buffer" => {
            let fp = inst.func("produce_buffer", Sig::IIToL, api.call).at("produce_buffer")?;
            let fd = inst.func("deallocate", Sig::IIToV, api.call).at("deallocate")?;
            // Where the guest puts the buffer (each call frees it, so the next gets the same
            // place): the host's buffer is placed against it.
            let near = {
                let ptr = (inst.call_ii_l(&fp, n as i32, 0).at("produce_buffer")? >> 32) as u32;
                inst.call_ii_v(&fd, ptr as i32, n as i32).at("deallocate")?;
                guest_addr(inst, ptr)
            };
            let mut out = Placed::zeroed(n, near);
            let pattern = |seed: i32, i: usize| (seed as usize).wrapping_add(i) as u8;
            measure(cfg, |iters| {
                out.fill(0);
                let mut last_seed = 0;
                let t = time_loop(iters, |i| {
                    let seed = (i & 0xff) as i32;
                    let packed = inst.call_ii_l(&fp, n as i32, seed).at("produce_buffer")?;
                    let (ptr, len) = ((packed >> 32) as u32, packed as u32);
                    if len as usize != n || ptr == 0 {
                        miss!("export `produce_buffer`: produce_buffer({n}, {seed}) returned ptr {ptr} len {len}");
                    }
                    inst.read(api.mem, ptr, &mut out)?;
                    inst.call_ii_v(&fd, ptr as i32, n as i32).at("deallocate")?;
                    if out[0] != pattern(seed, 0) || out[n - 1] != pattern(seed, n - 1) {
                        miss!("export `produce_buffer`: the returned buffer has the wrong contents");
                    }
                    last_seed = seed;
                    Ok(())
                })?;
                let want: Vec<u8> = (0..n).map(|i| pattern(last_seed, i)).collect();
                check_bytes("return_buffer", &out, &want)?;
                Ok(t)
            })
        }
        "sum_array" | "sum_array_resident" => {
            let values = inputs::array(n);
            let bytes = inputs::le_bytes(&values);
            let expected = inputs::wrapping_sum(&values);
            fed(digest, &[&bytes]);
            let ptr = alloc(inst, api.call, bytes.len())?;
            let bytes = Placed::new(&bytes, guest_addr(inst, ptr));
            let f = inst.func("sum_array", Sig::IIToI, api.call).at("sum_array")?;
            let resident = name == "sum_array_resident";
            let zeros = vec![0u8; bytes.len()];
            inst.write(api.mem, ptr, &bytes)?;
            measure(cfg, |iters| {
                if !resident {
                    inst.write(api.mem, ptr, &zeros)?;
                }
                time_loop(iters, |_| {
                    if !resident {
                        inst.write(api.mem, ptr, &bytes)?;
                    }
                    let r = inst.call_ii_i(&f, ptr as i32, n as i32).at("sum_array")?;
                    if r != expected {
                        miss!("export `sum_array`: sum_array of {n} i32 returned {r}, expected {expected}");
                    }
                    Ok(())
                })
            })
        }
        "batch_add" => {
            let a = inputs::array(n);
            let b = inputs::second_operand(n);
            let want: Vec<i32> = a.iter().zip(&b).map(|(x, y)| x.wrapping_add(*y)).collect();
            let (ab, bb, wb) = (inputs::le_bytes(&a), inputs::le_bytes(&b), inputs::le_bytes(&want));
            fed(digest, &[&ab, &bb]);
            let (pa, pb, po) = (alloc(inst, api.call, 4 * n)?, alloc(inst, api.call, 4 * n)?, alloc(inst, api.call, 4 * n)?);
            let f = inst.func("batch_add", Sig::IIIIToV, api.call).at("batch_add")?;
            let (ab, bb) = (Placed::new(&ab, guest_addr(inst, pa)), Placed::new(&bb, guest_addr(inst, pb)));
            let zeros = vec![0u8; 4 * n];
            let mut out = Placed::zeroed(4 * n, guest_addr(inst, po));
            let last = 4 * n - 4;
            measure(cfg, |iters| {
                inst.write(api.mem, po, &zeros)?;
                out.fill(0);
                let t = time_loop(iters, |_| {
                    inst.write(api.mem, pa, &ab)?;
                    inst.write(api.mem, pb, &bb)?;
                    inst.call_iiii_v(&f, pa as i32, pb as i32, po as i32, n as i32).at("batch_add")?;
                    inst.read(api.mem, po, &mut out)?;
                    if out[..4] != wb[..4] || out[last..] != wb[last..] {
                        miss!("export `batch_add`: wrong sums");
                    }
                    Ok(())
                })?;
                check_bytes("batch_add: sums", &out, &wb)?;
                Ok(t)
            })
        }
        other => bail!("the Rust host does not implement scenario `{other}`"),
    }
}

#[cfg(test)]
mod placed_tests {
    use super::*;

    #[test]
    fn host_buffers_sit_half_a_page_from_the_guests_whatever_the_heap() {
        for near in [0usize, 1, 16, 2047, 2048, 4095, 4096 + 100, 0x7f12_3456_7ff0] {
            for len in [0usize, 1, 51, 4096, 65536] {
                let bytes: Vec<u8> = (0..len).map(|i| i as u8).collect();
                let p = Placed::new(&bytes, near);
                assert_eq!(&p[..], &bytes[..]);
                let at = p.as_ptr() as usize;
                assert_eq!(at.wrapping_sub(near) % PAGE, HOST_BUF_DISTANCE, "near {near:#x} len {len}");
                let z = Placed::zeroed(len, near);
                assert!(z.iter().all(|b| *b == 0) && z.len() == len);
                assert_eq!((z.as_ptr() as usize).wrapping_sub(near) % PAGE, HOST_BUF_DISTANCE);
            }
        }
    }
}
