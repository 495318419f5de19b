//! wasmi, the register-machine interpreter: typed (`TypedFunc`) and untyped (`Func::call`
//! with `Val`) calls; memory through the `data_mut` slice (view) or `Memory::write`/`read`
//! (copy). wasmi has no unchecked call API.
//!
//! Two modes: `wasmi` is the default config (lazy translation: `compile` validates, each
//! function is translated to wasmi bytecode on its first call), `wasmi:eager` translates
//! every function at compile time, so its compile figure means what the JITs' does.
//!
//! A scenario file's host functions through `Linker::func_new`; its `wasi = true` through
//! wasmi's own WASI (`wasmi_wasi`, preview1 over wasi-common), a fresh `WasiCtx` with
//! nothing granted in every store.

use crate::adapter::{check_sig, At, Engine, EngineInfo, Instance, MemApi, Sig, ValType};
use anyhow::{anyhow, bail, Result};
use wasmi::{CompilationMode, Func, Linker, Memory, Module, Store, TypedFunc, Val};

/// The wasmi version in Cargo.lock (checked by a unit test).
pub const VERSION: &str = "2.0.0";

/// Each store's data: its memory limits and, on an engine relinked with WASI, its own WASI
/// context (no preopened directories, environment, arguments, stdio or network).
pub struct StoreData {
    limits: wasmi::StoreLimits,
    wasi: Option<wasmi_wasi::WasiCtx>,
}

pub struct Wasmi {
    engine: wasmi::Engine,
    linker: Linker<StoreData>,
    /// Whether every store gets a WASI context (the linker has wasmi_wasi's preview1).
    wasi: bool,
    runtime: &'static str,
    notes: &'static str,
}

impl Wasmi {
    fn with_config(config: &wasmi::Config, runtime: &'static str, notes: &'static str) -> Self {
        let mut config = config.clone();
        // Only under the capability probes: fuel metering, so a guest that never returns
        // runs out of fuel and traps.
        config.consume_fuel(crate::limits::interrupt_after().is_some());
        let engine = wasmi::Engine::new(&config);
        let mut linker = Linker::new(&engine);
        linker.func_wrap("env", "host_inc", |x: i32| x.wrapping_add(1)).expect("define env.host_inc");
        Wasmi { engine, linker, wasi: false, runtime, notes }
    }

    /// The default config: lazy translation.
    pub fn lazy() -> Self {
        Self::with_config(
            &wasmi::Config::default(),
            "wasmi",
            "interpreter, default config (lazy translation: compile validates, functions are translated on first call)",
        )
    }

    /// Every function translated at compile time.
    pub fn eager() -> Self {
        let mut config = wasmi::Config::default();
        config.compilation_mode(CompilationMode::Eager);
        Self::with_config(&config, "wasmi:eager", "interpreter, eager translation (all functions at compile time)")
    }
}

pub struct WiInstance {
    store: Store<StoreData>,
    instance: wasmi::Instance,
    memory: Memory,
}

pub enum WiFunc {
    VV(TypedFunc<(), ()>),
    IToI(TypedFunc<i32, i32>),
    IIToI(TypedFunc<(i32, i32), i32>),
    IIToV(TypedFunc<(i32, i32), ()>),
    IIIIToV(TypedFunc<(i32, i32, i32, i32), ()>),
    IIToL(TypedFunc<(i32, i32), i64>),
    Untyped(Func),
}

/// The fuel of one instance under the capability probes.
const PROBE_FUEL: u64 = 100_000_000;

pub const CALL_APIS: &[&str] = &["typed", "untyped"];

impl Engine for Wasmi {
    type Module = Module;
    type Instance = WiInstance;
    type Pre = ();

    fn info(&self) -> EngineInfo {
        EngineInfo {
            runtime: self.runtime,
            engine: "wasmi",
            version: VERSION,
            call_apis: CALL_APIS,
            mem_apis: &MemApi::ALL,
            notes: self.notes,
        }
    }

    fn compile(&self, wasm: &[u8]) -> Result<Module> {
        Ok(Module::new(&self.engine, wasm)?)
    }

    /// A scenario file's host functions through `Linker::func_new` and, with `wasi`,
    /// wasmi's own WASI (`wasmi_wasi::add_to_linker`; each store its own context).
    fn relink(&self, imports: &[interop_core::plugin::Import], wasi: bool) -> Result<Self> {
        use interop_core::plugin::WasmType;
        let vt = |t: &WasmType| match t {
            WasmType::I32 => wasmi::ValType::I32,
            WasmType::I64 => wasmi::ValType::I64,
        };
        let mut linker = Linker::new(&self.engine);
        if wasi {
            wasmi_wasi::add_to_linker(&mut linker, |d: &mut StoreData| {
                d.wasi.as_mut().expect("every store of a WASI-linked engine has a WASI context")
            })
            .map_err(|e| anyhow!("linking wasmi_wasi: {e}"))?;
        }
        for imp in imports {
            let params: Vec<_> = imp.params.iter().map(vt).collect();
            let results: Vec<_> = imp.results.iter().map(vt).collect();
            let ty = wasmi::FuncType::new(params, results);
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
        Ok(Wasmi { engine: self.engine.clone(), linker, wasi, runtime: self.runtime, notes: self.notes })
    }

    fn instantiate(&self, module: &Module) -> Result<WiInstance> {
        // Memory growth held to `--max-memory-mib`: a growth over it traps.
        let limits = wasmi::StoreLimitsBuilder::new()
            .memory_size(usize::try_from(crate::limits::max_memory_bytes()).unwrap_or(usize::MAX))
            .trap_on_grow_failure(true)
            .build();
        // Nothing granted: the builder's defaults have no preopens, env, args or stdio.
        let wasi = self.wasi.then(|| wasmi_wasi::WasiCtxBuilder::new().build());
        let mut store = Store::new(&self.engine, StoreData { limits, wasi });
        store.limiter(|d| &mut d.limits);
        if crate::limits::interrupt_after().is_some() {
            // Fuel for about 10^8 instructions: well under a second of a plain loop.
            store.set_fuel(PROBE_FUEL)?;
        }
        let instance = self.linker.instantiate_and_start(&mut store, module)?;
        let memory = instance
            .get_memory(&store, "memory")
            .ok_or_else(|| anyhow!("no memory named `memory` is exported"))
            .at("memory")?;
        Ok(WiInstance { store, instance, memory })
    }
}

fn val_type(t: &wasmi::ValType) -> ValType {
    match t {
        wasmi::ValType::I32 => ValType::I32,
        wasmi::ValType::I64 => ValType::I64,
        wasmi::ValType::F32 => ValType::F32,
        wasmi::ValType::F64 => ValType::F64,
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

#[cold]
fn out_of_bounds(offset: u32, len: usize) -> anyhow::Error {
    anyhow!("{len} bytes at {offset} are outside linear memory")
}

impl WiInstance {
    #[inline(always)]
    fn untyped<const P: usize, const R: usize>(&mut self, f: &Func, params: [Val; P]) -> Result<[Val; R]> {
        let mut results = [const { Val::I32(0) }; R];
        f.call(&mut self.store, &params, &mut results)?;
        Ok(results)
    }
}

impl Instance for WiInstance {
    type Func = WiFunc;

    fn func(&mut self, export: &str, sig: Sig, api: &str) -> Result<WiFunc> {
        let f = self
            .instance
            .get_func(&self.store, export)
            .ok_or_else(|| anyhow!("no function named `{export}` is exported"))?;
        let ty = f.ty(&self.store);
        let params: Vec<ValType> = ty.params().iter().map(val_type).collect();
        let results: Vec<ValType> = ty.results().iter().map(val_type).collect();
        check_sig(export, sig, &params, &results)?;
        let s = &self.store;
        Ok(match api {
            "typed" => match sig {
                Sig::VV => WiFunc::VV(f.typed(s)?),
                Sig::IToI => WiFunc::IToI(f.typed(s)?),
                Sig::IIToI => WiFunc::IIToI(f.typed(s)?),
                Sig::IIToV => WiFunc::IIToV(f.typed(s)?),
                Sig::IIIIToV => WiFunc::IIIIToV(f.typed(s)?),
                Sig::IIToL => WiFunc::IIToL(f.typed(s)?),
            },
            "untyped" => WiFunc::Untyped(f),
            other => bail!("wasmi has no call API `{other}` (it has {CALL_APIS:?})"),
        })
    }

    #[inline]
    fn call_vv(&mut self, f: &WiFunc) -> Result<()> {
        match f {
            WiFunc::VV(t) => Ok(t.call(&mut self.store, ())?),
            WiFunc::Untyped(f) => self.untyped::<0, 0>(f, []).map(|_| ()),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_i_i(&mut self, f: &WiFunc, a: i32) -> Result<i32> {
        match f {
            WiFunc::IToI(t) => Ok(t.call(&mut self.store, a)?),
            WiFunc::Untyped(f) => i32_of(&self.untyped::<1, 1>(f, [Val::I32(a)])?[0]),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_ii_i(&mut self, f: &WiFunc, a: i32, b: i32) -> Result<i32> {
        match f {
            WiFunc::IIToI(t) => Ok(t.call(&mut self.store, (a, b))?),
            WiFunc::Untyped(f) => i32_of(&self.untyped::<2, 1>(f, [Val::I32(a), Val::I32(b)])?[0]),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_ii_v(&mut self, f: &WiFunc, a: i32, b: i32) -> Result<()> {
        match f {
            WiFunc::IIToV(t) => Ok(t.call(&mut self.store, (a, b))?),
            WiFunc::Untyped(f) => self.untyped::<2, 0>(f, [Val::I32(a), Val::I32(b)]).map(|_| ()),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_iiii_v(&mut self, f: &WiFunc, a: i32, b: i32, c: i32, d: i32) -> Result<()> {
        match f {
            WiFunc::IIIIToV(t) => Ok(t.call(&mut self.store, (a, b, c, d))?),
            WiFunc::Untyped(f) => {
                self.untyped::<4, 0>(f, [Val::I32(a), Val::I32(b), Val::I32(c), Val::I32(d)]).map(|_| ())
            }
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_ii_l(&mut self, f: &WiFunc, a: i32, b: i32) -> Result<i64> {
        match f {
            WiFunc::IIToL(t) => Ok(t.call(&mut self.store, (a, b))?),
            WiFunc::Untyped(f) => {
                let r = self.untyped::<2, 1>(f, [Val::I32(a), Val::I32(b)])?;
                r[0].i64().ok_or_else(|| anyhow!("result is not an i64"))
            }
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
        Some(self.memory.data(&self.store).as_ptr() as usize)
    }
}
