//! wasmtime: typed (`TypedFunc`), untyped (`Func::call` with `Val`) and unchecked
//! (`Func::call_unchecked` with `ValRaw`) calls; memory through the `data_mut` slice
//! (view) or `Memory::write`/`read` (copy). Start-up mitigations: ahead-of-time compiled
//! modules (`Module::serialize` / `deserialize`), `InstancePre`, and the pooling instance
//! allocator (`wasmtime:pooling`). A scenario file's host functions through
//! `Linker::func_new`; its `wasi = true` through wasmtime-wasi's preview1 (`p1`, the sync
//! API), a fresh `WasiP1Ctx` with nothing granted in every store.

use crate::limits::MemoryLimit;
use crate::adapter::{check_sig, At, Engine, EngineInfo, Instance, MemApi, Sig, ValType};
use anyhow::{anyhow, bail, Result};
use wasmtime::{Func, InstancePre, Linker, Memory, Module, Store, TypedFunc, Val, ValRaw};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::WasiCtxBuilder;

/// The wasmtime version in Cargo.lock (checked by a unit test).
pub const VERSION: &str = "48.0.0";

/// Each store's data: the memory limiter and, on an engine relinked with WASI, the store's
/// own WASI context (no preopened directories, environment, arguments or network).
pub struct StoreData {
    limit: MemoryLimit,
    wasi: Option<WasiP1Ctx>,
}

pub struct Wasmtime {
    engine: wasmtime::Engine,
    linker: Linker<StoreData>,
    /// Whether every store gets a WASI context (the linker has wasmtime-wasi's preview1).
    wasi: bool,
    runtime: &'static str,
    notes: &'static str,
}

impl Wasmtime {
    fn with_config(config: &wasmtime::Config, runtime: &'static str, notes: &'static str) -> Self {
        let mut config = config.clone();
        // Only under the capability probes: epoch interruption, the engine's epoch advanced
        // by a thread of its own, so a guest that never returns traps from inside.
        let interrupt = crate::limits::interrupt_after();
        config.epoch_interruption(interrupt.is_some());
        let engine = wasmtime::Engine::new(&config).expect("wasmtime engine");
        if let Some(every) = interrupt {
            let engine = engine.weak();
            std::thread::spawn(move || loop {
                std::thread::sleep(every);
                match engine.upgrade() {
                    Some(e) => e.increment_epoch(),
                    None => return,
                }
            });
        }
        let mut linker = Linker::new(&engine);
        linker.func_wrap("env", "host_inc", |x: i32| x.wrapping_add(1)).expect("define env.host_inc");
        Wasmtime { engine, linker, wasi: false, runtime, notes }
    }

    /// The default: Cranelift, on-demand instance allocation.
    pub fn cranelift() -> Self {
        Self::with_config(&wasmtime::Config::new(), "wasmtime", "Cranelift, default config")
    }

    /// Winch, the baseline (single-pass) compiler: faster compile, slower code.
    pub fn winch() -> Self {
        let mut config = wasmtime::Config::new();
        config.strategy(wasmtime::Strategy::Winch);
        Self::with_config(&config, "wasmtime:winch", "Winch baseline compiler")
    }

    /// Pulley, wasmtime's portable interpreter: Cranelift compiles to Pulley bytecode.
    pub fn pulley() -> Self {
        let mut config = wasmtime::Config::new();
        config.target("pulley64").expect("pulley64 is a known target");
        Self::with_config(&config, "wasmtime:pulley", "Pulley interpreter (pulley64 bytecode)")
    }

    /// Cranelift with every linear-memory access checked explicitly: no signal handlers
    /// (`signals_based_traps(false)`: a trap is an explicit check, never a caught SIGSEGV),
    /// no virtual-memory reservation beyond the memory's size (`memory_reservation(0)`) and
    /// no guard pages (`memory_guard_size(0)`), so Cranelift cannot elide any bounds check.
    /// Beside `wasmtime`, it measures what the guard pages save: the `bounds_checks` component.
    pub fn bounds() -> Self {
        let mut config = wasmtime::Config::new();
        config.signals_based_traps(false).memory_reservation(0).memory_guard_size(0).memory_reservation_for_growth(0);
        Self::with_config(
            &config,
            "wasmtime:bounds",
            "Cranelift, explicit bounds checks (signals_based_traps off, memory_reservation 0, memory_guard_size 0)",
        )
    }

    /// Cranelift with the pooling instance allocator: memories, tables and instances come
    /// from slots reserved once per engine, so instantiating reuses them instead of mapping
    /// fresh memory. Sized for the runner's largest number of live instances (64 fresh
    /// instances in `first_call`, plus the case's own).
    pub fn pooling() -> Self {
        let mut pool = wasmtime::PoolingAllocationConfig::new();
        pool.total_core_instances(128).total_memories(128).total_tables(128);
        let mut config = wasmtime::Config::new();
        config.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pool));
        Self::with_config(&config, "wasmtime:pooling", "Cranelift, pooling instance allocator (128 slots)")
    }

    /// A fresh store, its memory growth held to `--max-memory-mib`.
    fn store(&self) -> Store<StoreData> {
        // Nothing granted: the builder's defaults have no preopens, env, args or sockets,
        // and stdin/stdout/stderr closed.
        let wasi = self.wasi.then(|| WasiCtxBuilder::new().build_p1());
        let mut store = Store::new(&self.engine, StoreData { limit: MemoryLimit, wasi });
        store.limiter(|d| &mut d.limit);
        if crate::limits::interrupt_after().is_some() {
            // Trap at the next epoch tick (the default action of a passed deadline).
            store.set_epoch_deadline(1);
        }
        store
    }
}

fn with_memory(mut store: Store<StoreData>, instance: wasmtime::Instance) -> Result<WtInstance> {
    let memory = instance
        .get_memory(&mut store, "memory")
        .ok_or_else(|| anyhow!("no memory named `memory` is exported"))
        .at("memory")?;
    Ok(WtInstance { store, instance, memory })
}

pub struct WtInstance {
    store: Store<StoreData>,
    instance: wasmtime::Instance,
    memory: Memory,
}

pub enum WtFunc {
    VV(TypedFunc<(), ()>),
    IToI(TypedFunc<i32, i32>),
    IIToI(TypedFunc<(i32, i32), i32>),
    IIToV(TypedFunc<(i32, i32), ()>),
    IIIIToV(TypedFunc<(i32, i32, i32, i32), ()>),
    IIToL(TypedFunc<(i32, i32), i64>),
    Untyped(Func),
    Unchecked(Func),
}

pub const CALL_APIS: &[&str] = &["typed", "untyped", "unchecked"];

impl Engine for Wasmtime {
    type Module = Module;
    type Instance = WtInstance;
    type Pre = InstancePre<StoreData>;

    fn info(&self) -> EngineInfo {
        EngineInfo {
            runtime: self.runtime,
            engine: "wasmtime",
            version: VERSION,
            call_apis: CALL_APIS,
            mem_apis: &MemApi::ALL,
            notes: self.notes,
        }
    }

    fn compile(&self, wasm: &[u8]) -> Result<Module> {
        Ok(Module::new(&self.engine, wasm)?)
    }

    fn instantiate(&self, module: &Module) -> Result<WtInstance> {
        let mut store = self.store();
        let instance = self.linker.instantiate(&mut store, module)?;
        with_memory(store, instance)
    }

    fn serialize(&self, module: &Module) -> Result<Vec<u8>> {
        Ok(module.serialize()?)
    }

    fn deserialize(&self, bytes: &[u8]) -> Result<Module> {
        // SAFETY: the bytes come from `Module::serialize` on this engine in this process
        // (the scenario serializes them itself); wasmtime checks engine compatibility.
        Ok(unsafe { Module::deserialize(&self.engine, bytes) }?)
    }

    fn pre(&self, module: &Module) -> Result<InstancePre<StoreData>> {
        Ok(self.linker.instantiate_pre(module)?)
    }

    fn instantiate_pre(&self, pre: &InstancePre<StoreData>) -> Result<WtInstance> {
        let mut store = self.store();
        let instance = pre.instantiate(&mut store)?;
        with_memory(store, instance)
    }

    /// A scenario file's host functions through `Linker::func_new` and, with `wasi`,
    /// wasmtime-wasi's preview1 (`p1::add_to_linker_sync`; each store its own context).
    fn relink(&self, imports: &[interop_core::plugin::Import], wasi: bool) -> Result<Self> {
        use interop_core::plugin::WasmType;
        let vt = |t: &WasmType| match t {
            WasmType::I32 => wasmtime::ValType::I32,
            WasmType::I64 => wasmtime::ValType::I64,
        };
        let mut linker = Linker::new(&self.engine);
        if wasi {
            wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |d: &mut StoreData| {
                d.wasi.as_mut().expect("every store of a WASI-linked engine has a WASI context")
            })?;
        }
        for imp in imports {
            let ty = wasmtime::FuncType::new(&self.engine, imp.params.iter().map(vt), imp.results.iter().map(vt));
            let result = imp.results.first().copied();
            let respond = imp.responder();
            linker.func_new(&imp.module, &imp.name, ty, move |_, _, out| {
                let v = respond();
                match result {
                    Some(WasmType::I32) => out[0] = Val::I32(v as i32),
                    Some(WasmType::I64) => out[0] = Val::I64(v),
                    None => {}
                }
                Ok(())
            })?;
        }
        Ok(Wasmtime { engine: self.engine.clone(), linker, wasi, runtime: self.runtime, notes: self.notes })
    }
}

fn val_type(t: &wasmtime::ValType) -> ValType {
    match t {
        wasmtime::ValType::I32 => ValType::I32,
        wasmtime::ValType::I64 => ValType::I64,
        wasmtime::ValType::F32 => ValType::F32,
        wasmtime::ValType::F64 => ValType::F64,
        _ => ValType::Other,
    }
}

#[cold]
fn wrong_binding() -> anyhow::Error {
    anyhow!("function bound for another signature")
}

#[inline(always)]
fn i32_of(v: &Val) -> Result<i32> {
    v.i32().ok_or_else(|| anyhow!("result is not an i32"))
}

impl WtInstance {
    fn untyped<const P: usize, const R: usize>(&mut self, f: &Func, params: [Val; P]) -> Result<[Val; R]> {
        let mut results = [const { Val::I32(0) }; R];
        f.call(&mut self.store, &params, &mut results)?;
        Ok(results)
    }

    fn unchecked<const N: usize>(&mut self, f: &Func, mut raw: [ValRaw; N]) -> Result<[ValRaw; N]> {
        // SAFETY: `func` checked the signature; `raw` holds max(params, results) slots of
        // the right types, as `call_unchecked` requires.
        unsafe { f.call_unchecked(&mut self.store, &mut raw as *mut [ValRaw]) }?;
        Ok(raw)
    }
}

#[cold]
fn out_of_bounds(offset: u32, len: usize) -> anyhow::Error {
    anyhow!("{len} bytes at {offset} are outside linear memory")
}

impl Instance for WtInstance {
    type Func = WtFunc;

    fn func(&mut self, export: &str, sig: Sig, api: &str) -> Result<WtFunc> {
        let f = self
            .instance
            .get_func(&mut self.store, export)
            .ok_or_else(|| anyhow!("no function named `{export}` is exported"))?;
        let ty = f.ty(&self.store);
        let params: Vec<ValType> = ty.params().map(|t| val_type(&t)).collect();
        let results: Vec<ValType> = ty.results().map(|t| val_type(&t)).collect();
        check_sig(export, sig, &params, &results)?;
        let s = &self.store;
        Ok(match api {
            "typed" => match sig {
                Sig::VV => WtFunc::VV(f.typed(s)?),
                Sig::IToI => WtFunc::IToI(f.typed(s)?),
                Sig::IIToI => WtFunc::IIToI(f.typed(s)?),
                Sig::IIToV => WtFunc::IIToV(f.typed(s)?),
                Sig::IIIIToV => WtFunc::IIIIToV(f.typed(s)?),
                Sig::IIToL => WtFunc::IIToL(f.typed(s)?),
            },
            "untyped" => WtFunc::Untyped(f),
            "unchecked" => WtFunc::Unchecked(f),
            other => bail!("wasmtime has no call API `{other}` (it has {CALL_APIS:?})"),
        })
    }

    #[inline]
    fn call_vv(&mut self, f: &WtFunc) -> Result<()> {
        match f {
            WtFunc::VV(t) => Ok(t.call(&mut self.store, ())?),
            WtFunc::Untyped(f) => self.untyped::<0, 0>(f, []).map(|_| ()),
            WtFunc::Unchecked(f) => self.unchecked::<0>(f, []).map(|_| ()),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_i_i(&mut self, f: &WtFunc, a: i32) -> Result<i32> {
        match f {
            WtFunc::IToI(t) => Ok(t.call(&mut self.store, a)?),
            WtFunc::Untyped(f) => i32_of(&self.untyped::<1, 1>(f, [Val::I32(a)])?[0]),
            WtFunc::Unchecked(f) => Ok(self.unchecked::<1>(f, [ValRaw::i32(a)])?[0].get_i32()),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_ii_i(&mut self, f: &WtFunc, a: i32, b: i32) -> Result<i32> {
        match f {
            WtFunc::IIToI(t) => Ok(t.call(&mut self.store, (a, b))?),
            WtFunc::Untyped(f) => i32_of(&self.untyped::<2, 1>(f, [Val::I32(a), Val::I32(b)])?[0]),
            WtFunc::Unchecked(f) => Ok(self.unchecked::<2>(f, [ValRaw::i32(a), ValRaw::i32(b)])?[0].get_i32()),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_ii_v(&mut self, f: &WtFunc, a: i32, b: i32) -> Result<()> {
        match f {
            WtFunc::IIToV(t) => Ok(t.call(&mut self.store, (a, b))?),
            WtFunc::Untyped(f) => self.untyped::<2, 0>(f, [Val::I32(a), Val::I32(b)]).map(|_| ()),
            WtFunc::Unchecked(f) => self.unchecked::<2>(f, [ValRaw::i32(a), ValRaw::i32(b)]).map(|_| ()),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_iiii_v(&mut self, f: &WtFunc, a: i32, b: i32, c: i32, d: i32) -> Result<()> {
        match f {
            WtFunc::IIIIToV(t) => Ok(t.call(&mut self.store, (a, b, c, d))?),
            WtFunc::Untyped(f) => {
                self.untyped::<4, 0>(f, [Val::I32(a), Val::I32(b), Val::I32(c), Val::I32(d)]).map(|_| ())
            }
            WtFunc::Unchecked(f) => self
                .unchecked::<4>(f, [ValRaw::i32(a), ValRaw::i32(b), ValRaw::i32(c), ValRaw::i32(d)])
                .map(|_| ()),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_ii_l(&mut self, f: &WtFunc, a: i32, b: i32) -> Result<i64> {
        match f {
            WtFunc::IIToL(t) => Ok(t.call(&mut self.store, (a, b))?),
            WtFunc::Untyped(f) => {
                let r = self.untyped::<2, 1>(f, [Val::I32(a), Val::I32(b)])?;
                r[0].i64().ok_or_else(|| anyhow!("result is not an i64"))
            }
            WtFunc::Unchecked(f) => Ok(self.unchecked::<2>(f, [ValRaw::i32(a), ValRaw::i32(b)])?[0].get_i64()),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn write(&mut self, api: MemApi, offset: u32, data: &[u8]) -> Result<()> {
        match api {
            MemApi::View => {
                let start = offset as usize;
                let mem = self.memory.data_mut(&mut self.store);
                let dst = mem.get_mut(start..start + data.len()).ok_or_else(|| out_of_bounds(offset, data.len()))?;
                dst.copy_from_slice(data);
                Ok(())
            }
            MemApi::Copy => Ok(self.memory.write(&mut self.store, offset as usize, data)?),
        }
    }

    #[inline]
    fn read(&mut self, api: MemApi, offset: u32, out: &mut [u8]) -> Result<()> {
        match api {
            MemApi::View => {
                let start = offset as usize;
                let mem = self.memory.data(&self.store);
                let src = mem.get(start..start + out.len()).ok_or_else(|| out_of_bounds(offset, out.len()))?;
                out.copy_from_slice(src);
                Ok(())
            }
            MemApi::Copy => Ok(self.memory.read(&self.store, offset as usize, out)?),
        }
    }

    fn memory_base(&mut self) -> Option<usize> {
        Some(self.memory.data_ptr(&self.store) as usize)
    }
}
