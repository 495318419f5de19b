//! wasmer (sys backend) with Cranelift (`wasmer`) or Singlepass (`wasmer:singlepass`),
//! each also with every linear-memory access checked explicitly (`wasmer:bounds`,
//! `wasmer:singlepass:bounds`: [`ExplicitChecks`] tunables instead of guard pages):
//! typed (`TypedFunction`) and untyped (`Function::call` with `Value`, which returns a
//! fresh `Box<[Value]>` per call) calls. wasmer has no unchecked call API in its public
//! interface. Memory through `MemoryView::data_unchecked_mut`, a plain slice copied with
//! memcpy (view), or `MemoryView::write`/`read` (copy), which wasmer implements with
//! volatile 8-byte loads and stores so that a concurrent writer cannot cause UB: the gap
//! between the two rows is that choice's price. Start-up mitigation: serialized modules
//! (`Module::serialize` / `deserialize`). A scenario file's host functions through
//! `Function::new` (dynamic, one per store); its `wasi = true` through wasmer's own WASI,
//! the wasmer-wasix crate: each store its own `WasiEnv` (an in-memory root file system with
//! nothing mounted, null stdio, no environment or arguments, no networking), built on one
//! `PluggableRuntime` per engine over a current-thread tokio runtime (see [`Wasmer::relink`]).

use crate::adapter::{check_sig, At, Engine, EngineInfo, Instance, MemApi, Sig, ValType};
use anyhow::{anyhow, bail, Result};
use interop_core::plugin::WasmType;
use std::ptr::NonNull;
use std::sync::Arc;
use wasmer::sys::vm::{VMMemory, VMMemoryDefinition, VMTable, VMTableDefinition};
use wasmer::sys::{BaseTunables, NativeEngineExt, Tunables};
use wasmer::{Function, Memory, MemoryError, MemoryStyle, MemoryType, Module, Store, TableStyle, TableType, Type, TypedFunction, Value};

/// The wasmer version in Cargo.lock (checked by a unit test).
pub const VERSION: &str = "7.4.2";

/// A scenario file's host function: where it is imported from, its type, its behaviour
/// (one responder, shared by every store of the relinked engine) and its result type.
struct FileImport {
    module: String,
    name: String,
    ty: wasmer::FunctionType,
    respond: Arc<dyn Fn() -> i64 + Send + Sync>,
    result: Option<WasmType>,
}

pub struct Wasmer {
    engine: wasmer::Engine,
    /// `None`: the built-in guest's `env.host_inc`; `Some`: a scenario file's imports.
    imports: Option<Vec<FileImport>>,
    /// Set on an engine relinked with WASI: the wasmer-wasix runtime every store's
    /// `WasiEnv` is built on (shared, so instantiate pays for a WASI environment, not for a
    /// tokio runtime).
    wasi: Option<Arc<dyn wasmer_wasix::Runtime + Send + Sync>>,
    runtime: &'static str,
    notes: &'static str,
}

/// wasmer's [`BaseTunables`] with one change: every linear memory is
/// `MemoryStyle::Dynamic` with no offset guard, where `BaseTunables` makes each `Static`
/// (an 8 GiB reservation: the 4 GiB a wasm32 address reaches plus a 4 GiB guard, so the
/// compiled code checks nothing and a stray access faults on a guard page). A dynamic
/// memory is mapped at its current size only, moves when it grows, and both compilers
/// then check every access against the memory's current length in the generated code
/// (Cranelift: `HeapStyle::Dynamic`, no offset guard to fold constant offsets into;
/// Singlepass: `need_check` on every load and store). Tables and everything else as
/// `BaseTunables`.
pub struct ExplicitChecks(BaseTunables);

impl ExplicitChecks {
    pub const STYLE: MemoryStyle = MemoryStyle::Dynamic { offset_guard_size: 0 };
}

impl Tunables for ExplicitChecks {
    fn memory_style(&self, _memory: &MemoryType) -> MemoryStyle {
        Self::STYLE
    }

    fn table_style(&self, table: &TableType) -> TableStyle {
        self.0.table_style(table)
    }

    fn create_host_memory(&self, ty: &MemoryType, style: &MemoryStyle) -> Result<VMMemory, MemoryError> {
        self.0.create_host_memory(ty, style)
    }

    unsafe fn create_vm_memory(
        &self,
        ty: &MemoryType,
        style: &MemoryStyle,
        vm_definition_location: NonNull<VMMemoryDefinition>,
    ) -> Result<VMMemory, MemoryError> {
        // SAFETY: the caller's contract, passed on unchanged.
        unsafe { self.0.create_vm_memory(ty, style, vm_definition_location) }
    }

    fn create_host_table(&self, ty: &TableType, style: &TableStyle) -> Result<VMTable, String> {
        self.0.create_host_table(ty, style)
    }

    unsafe fn create_vm_table(
        &self,
        ty: &TableType,
        style: &TableStyle,
        vm_definition_location: NonNull<VMTableDefinition>,
    ) -> Result<VMTable, String> {
        // SAFETY: the caller's contract, passed on unchanged.
        unsafe { self.0.create_vm_table(ty, style, vm_definition_location) }
    }
}

/// `engine` with [`ExplicitChecks`] instead of its default tunables (set before anything is
/// compiled: a module's memory styles are fixed when it is compiled).
fn explicit_checks(mut engine: wasmer::Engine) -> wasmer::Engine {
    engine.set_tunables(ExplicitChecks(BaseTunables::new()));
    engine
}

impl Wasmer {
    fn new(engine: wasmer::Engine, runtime: &'static str, notes: &'static str) -> Self {
        Wasmer { engine, imports: None, wasi: None, runtime, notes }
    }

    /// Cranelift, wasmer's default optimizing compiler.
    pub fn cranelift() -> Self {
        Self::new(wasmer::sys::Cranelift::default().into(), "wasmer", "Cranelift compiler (sys backend)")
    }

    /// Singlepass: one pass over the code, fast to compile, slower code.
    pub fn singlepass() -> Self {
        Self::new(wasmer::sys::Singlepass::default().into(), "wasmer:singlepass", "Singlepass compiler (sys backend)")
    }

    /// Cranelift with every linear-memory access checked explicitly ([`ExplicitChecks`]):
    /// beside `wasmer`, what the guard pages save, the `bounds_checks` component.
    pub fn cranelift_bounds() -> Self {
        Self::new(
            explicit_checks(wasmer::sys::Cranelift::default().into()),
            "wasmer:bounds",
            "Cranelift compiler (sys backend), explicit bounds checks (MemoryStyle::Dynamic, no offset guard)",
        )
    }

    /// Singlepass with every linear-memory access checked explicitly ([`ExplicitChecks`]).
    pub fn singlepass_bounds() -> Self {
        Self::new(
            explicit_checks(wasmer::sys::Singlepass::default().into()),
            "wasmer:singlepass:bounds",
            "Singlepass compiler (sys backend), explicit bounds checks (MemoryStyle::Dynamic, no offset guard)",
        )
    }
}

pub struct WrInstance {
    store: Store,
    instance: wasmer::Instance,
    memory: Memory,
    /// The instance's WASI environment, when linked (its functions hold it; kept with them).
    _wasi: Option<wasmer_wasix::WasiFunctionEnv>,
}

pub enum WrFunc {
    VV(TypedFunction<(), ()>),
    IToI(TypedFunction<i32, i32>),
    IIToI(TypedFunction<(i32, i32), i32>),
    IIToV(TypedFunction<(i32, i32), ()>),
    IIIIToV(TypedFunction<(i32, i32, i32, i32), ()>),
    IIToL(TypedFunction<(i32, i32), i64>),
    Untyped(Function),
}

pub const CALL_APIS: &[&str] = &["typed", "untyped"];

impl Engine for Wasmer {
    type Module = Module;
    type Instance = WrInstance;
    type Pre = ();

    fn info(&self) -> EngineInfo {
        EngineInfo {
            runtime: self.runtime,
            engine: "wasmer",
            version: VERSION,
            call_apis: CALL_APIS,
            mem_apis: &MemApi::ALL,
            notes: self.notes,
        }
    }

    fn serialize(&self, module: &Module) -> Result<Vec<u8>> {
        Ok(module.serialize()?.to_vec())
    }

    fn deserialize(&self, bytes: &[u8]) -> Result<Module> {
        // SAFETY: the bytes come from `Module::serialize` on this engine in this process
        // (the scenario serializes them itself).
        Ok(unsafe { Module::deserialize(&self.engine, bytes.to_vec()) }?)
    }

    fn compile(&self, wasm: &[u8]) -> Result<Module> {
        Ok(Module::new(&self.engine, wasm)?)
    }

    /// A scenario file's host functions (`Function::new`, made in each store at
    /// instantiation, the way `env.host_inc` is) and, with `wasi`, wasmer-wasix's
    /// preview1: one `PluggableRuntime` per relinked engine (a current-thread tokio runtime
    /// under its task manager, this engine set as its engine), one `WasiEnv` per store.
    fn relink(&self, imports: &[interop_core::plugin::Import], wasi: bool) -> Result<Self> {
        let wasi = if wasi {
            let tokio = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .map_err(|e| anyhow!("wasmer-wasix: starting its tokio runtime: {e}"))?;
            let tasks = wasmer_wasix::runtime::task_manager::tokio::TokioTaskManager::new(tokio);
            let mut rt = wasmer_wasix::PluggableRuntime::new(Arc::new(tasks));
            rt.set_engine(self.engine.clone());
            Some(Arc::new(rt) as Arc<dyn wasmer_wasix::Runtime + Send + Sync>)
        } else {
            None
        };
        let vt = |t: &WasmType| match t {
            WasmType::I32 => Type::I32,
            WasmType::I64 => Type::I64,
        };
        let file = imports
            .iter()
            .map(|imp| FileImport {
                module: imp.module.clone(),
                name: imp.name.clone(),
                ty: wasmer::FunctionType::new(
                    imp.params.iter().map(vt).collect::<Vec<_>>(),
                    imp.results.iter().map(vt).collect::<Vec<_>>(),
                ),
                respond: Arc::new(imp.responder()),
                result: imp.results.first().copied(),
            })
            .collect();
        Ok(Wasmer { engine: self.engine.clone(), imports: Some(file), wasi, runtime: self.runtime, notes: self.notes })
    }

    fn instantiate(&self, module: &Module) -> Result<WrInstance> {
        let mut store = Store::new(self.engine.clone());
        // WASI first: its imports are the base the file's own host functions are added to.
        let mut wasi = match &self.wasi {
            None => None,
            Some(rt) => {
                let null = || Box::new(wasmer_wasix::virtual_fs::NullFile::default());
                let env = wasmer_wasix::WasiEnv::builder("guest")
                    .runtime(rt.clone())
                    .stdin(null())
                    .stdout(null())
                    .stderr(null())
                    .finalize(&mut store)
                    .map_err(|e| anyhow!("wasmer-wasix: building the WASI environment: {e}"))?;
                Some(env)
            }
        };
        let mut imports = match &wasi {
            Some(env) => env.import_object(&mut store, module).map_err(|e| anyhow!("wasmer-wasix: {e}"))?,
            None => wasmer::Imports::new(),
        };
        match &self.imports {
            None => {
                let host_inc = Function::new_typed(&mut store, |x: i32| -> i32 { x.wrapping_add(1) });
                imports.define("env", "host_inc", host_inc);
            }
            Some(file) => {
                for imp in file {
                    let (respond, result) = (imp.respond.clone(), imp.result);
                    let f = Function::new(&mut store, imp.ty.clone(), move |_| {
                        let v = respond();
                        Ok(match result {
                            Some(WasmType::I32) => vec![Value::I32(v as i32)],
                            Some(WasmType::I64) => vec![Value::I64(v)],
                            None => vec![],
                        })
                    });
                    imports.define(&imp.module, &imp.name, f);
                }
            }
        }
        let instance = wasmer::Instance::new(&mut store, module, &imports)?;
        if let Some(env) = wasi.as_mut() {
            env.initialize(&mut store, instance.clone()).map_err(|e| anyhow!("wasmer-wasix: initializing: {e}"))?;
        }
        let memory = instance.exports.get_memory("memory").map_err(|e| anyhow!("{e}")).at("memory")?.clone();
        Ok(WrInstance { store, instance, memory, _wasi: wasi })
    }
}

fn val_type(t: &Type) -> ValType {
    match t {
        Type::I32 => ValType::I32,
        Type::I64 => ValType::I64,
        Type::F32 => ValType::F32,
        Type::F64 => ValType::F64,
        _ => ValType::Other,
    }
}

#[cold]
fn wrong_binding() -> anyhow::Error {
    anyhow!("function bound for another signature")
}

#[inline(always)]
fn i32_of(v: &[Value]) -> Result<i32> {
    match v.first() {
        Some(Value::I32(x)) => Ok(*x),
        _ => Err(anyhow!("result is not an i32")),
    }
}

#[cold]
fn out_of_bounds(offset: u32, len: usize) -> anyhow::Error {
    anyhow!("{len} bytes at {offset} are outside linear memory")
}

impl Instance for WrInstance {
    type Func = WrFunc;

    fn func(&mut self, export: &str, sig: Sig, api: &str) -> Result<WrFunc> {
        let f = self
            .instance
            .exports
            .get_function(export)
            .map_err(|_| anyhow!("no function named `{export}` is exported"))?
            .clone();
        let ty = f.ty(&self.store);
        let params: Vec<ValType> = ty.params().iter().map(val_type).collect();
        let results: Vec<ValType> = ty.results().iter().map(val_type).collect();
        check_sig(export, sig, &params, &results)?;
        let s = &self.store;
        Ok(match api {
            "typed" => match sig {
                Sig::VV => WrFunc::VV(f.typed(s)?),
                Sig::IToI => WrFunc::IToI(f.typed(s)?),
                Sig::IIToI => WrFunc::IIToI(f.typed(s)?),
                Sig::IIToV => WrFunc::IIToV(f.typed(s)?),
                Sig::IIIIToV => WrFunc::IIIIToV(f.typed(s)?),
                Sig::IIToL => WrFunc::IIToL(f.typed(s)?),
            },
            "untyped" => WrFunc::Untyped(f),
            other => bail!("wasmer has no call API `{other}` (it has {CALL_APIS:?})"),
        })
    }

    #[inline]
    fn call_vv(&mut self, f: &WrFunc) -> Result<()> {
        match f {
            WrFunc::VV(t) => Ok(t.call(&mut self.store)?),
            WrFunc::Untyped(f) => f.call(&mut self.store, &[]).map(|_| ()).map_err(Into::into),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_i_i(&mut self, f: &WrFunc, a: i32) -> Result<i32> {
        match f {
            WrFunc::IToI(t) => Ok(t.call(&mut self.store, a)?),
            WrFunc::Untyped(f) => i32_of(&f.call(&mut self.store, &[Value::I32(a)])?),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_ii_i(&mut self, f: &WrFunc, a: i32, b: i32) -> Result<i32> {
        match f {
            WrFunc::IIToI(t) => Ok(t.call(&mut self.store, a, b)?),
            WrFunc::Untyped(f) => i32_of(&f.call(&mut self.store, &[Value::I32(a), Value::I32(b)])?),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_ii_v(&mut self, f: &WrFunc, a: i32, b: i32) -> Result<()> {
        match f {
            WrFunc::IIToV(t) => Ok(t.call(&mut self.store, a, b)?),
            WrFunc::Untyped(f) => f.call(&mut self.store, &[Value::I32(a), Value::I32(b)]).map(|_| ()).map_err(Into::into),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_iiii_v(&mut self, f: &WrFunc, a: i32, b: i32, c: i32, d: i32) -> Result<()> {
        match f {
            WrFunc::IIIIToV(t) => Ok(t.call(&mut self.store, a, b, c, d)?),
            WrFunc::Untyped(f) => f
                .call(&mut self.store, &[Value::I32(a), Value::I32(b), Value::I32(c), Value::I32(d)])
                .map(|_| ())
                .map_err(Into::into),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_ii_l(&mut self, f: &WrFunc, a: i32, b: i32) -> Result<i64> {
        match f {
            WrFunc::IIToL(t) => Ok(t.call(&mut self.store, a, b)?),
            WrFunc::Untyped(f) => match f.call(&mut self.store, &[Value::I32(a), Value::I32(b)])?.first() {
                Some(Value::I64(x)) => Ok(*x),
                _ => Err(anyhow!("result is not an i64")),
            },
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn write(&mut self, api: MemApi, offset: u32, data: &[u8]) -> Result<()> {
        let view = self.memory.view(&self.store);
        match api {
            MemApi::View => {
                let start = offset as usize;
                // SAFETY: the store is borrowed for the view's life and no Wasm runs (nor
                // does memory grow) while the slice lives: it is dropped before we return.
                let mem = unsafe { view.data_unchecked_mut() };
                let dst = mem.get_mut(start..start + data.len()).ok_or_else(|| out_of_bounds(offset, data.len()))?;
                dst.copy_from_slice(data);
                Ok(())
            }
            MemApi::Copy => Ok(view.write(offset as u64, data)?),
        }
    }

    #[inline]
    fn read(&mut self, api: MemApi, offset: u32, out: &mut [u8]) -> Result<()> {
        let view = self.memory.view(&self.store);
        match api {
            MemApi::View => {
                let start = offset as usize;
                // SAFETY: as in `write`: no Wasm runs while the slice lives.
                let mem = unsafe { view.data_unchecked() };
                let src = mem.get(start..start + out.len()).ok_or_else(|| out_of_bounds(offset, out.len()))?;
                out.copy_from_slice(src);
                Ok(())
            }
            MemApi::Copy => Ok(view.read(offset as u64, out)?),
        }
    }

    fn memory_base(&mut self) -> Option<usize> {
        Some(self.memory.view(&self.store).data_ptr() as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One page of memory, `load` reading an i32 at any address the host passes.
    const WAT: &str = r#"(module
        (memory (export "memory") 1)
        (func (export "load") (param i32) (result i32) local.get 0 i32.load))"#;

    /// The `:bounds` configurations really change how memory is laid out and checked: their
    /// memories are dynamic with no guard (the default's are static), so growing one maps
    /// it afresh and it moves (a static memory grows in place inside its reservation); and
    /// an access past the end still traps cleanly, against the memory's current length,
    /// before and after it grew.
    #[test]
    fn bounds_configurations_check_explicitly_in_a_memory_without_a_reservation() {
        let engines = [
            (Wasmer::cranelift(), false),
            (Wasmer::singlepass(), false),
            (Wasmer::cranelift_bounds(), true),
            (Wasmer::singlepass_bounds(), true),
        ];
        let wasm = wat::parse_str(WAT).unwrap();
        for (eng, explicit) in engines {
            let name = eng.info().runtime;
            assert_eq!(name.ends_with(":bounds"), explicit, "{name}");
            let style = eng.engine.tunables().memory_style(&MemoryType::new(1, None, false));
            let want = if explicit { ExplicitChecks::STYLE } else { MemoryStyle::Static };
            assert_eq!(style, want, "{name}");

            let m = eng.compile(&wasm).unwrap();
            let mut inst = eng.instantiate(&m).unwrap();
            let load = inst.func("load", Sig::IToI, "typed").unwrap();
            const PAGE: i32 = 65536;
            inst.write(MemApi::View, (PAGE - 4) as u32, &42i32.to_le_bytes()).unwrap();
            assert_eq!(inst.call_i_i(&load, PAGE - 4).unwrap(), 42, "{name}");
            let err = format!("{:#}", inst.call_i_i(&load, PAGE - 3).unwrap_err());
            assert!(err.contains("out of bounds memory access"), "{name}: {err}");

            let before = inst.memory.view(&inst.store).data_ptr();
            inst.memory.grow(&mut inst.store, 1).unwrap();
            let after = inst.memory.view(&inst.store).data_ptr();
            assert_eq!(before != after, explicit, "{name}: memory at {before:p} before growing, {after:p} after");
            assert_eq!(inst.call_i_i(&load, PAGE - 4).unwrap(), 42, "{name}: the contents moved with it");
            assert_eq!(inst.call_i_i(&load, 2 * PAGE - 4).unwrap(), 0, "{name}: the new page is reachable");
            let err = format!("{:#}", inst.call_i_i(&load, 2 * PAGE - 3).unwrap_err());
            assert!(err.contains("out of bounds memory access"), "{name}: {err}");
        }
    }
}
