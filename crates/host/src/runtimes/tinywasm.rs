//! tinywasm, a small interpreter in safe Rust: typed (`FunctionTyped`) and untyped
//! (`Function::call` with `WasmValue`, which returns a fresh `Vec` per call) calls. Memory
//! only through copies (`Memory::copy_from_slice` / `read_exact`): tinywasm's linear memory
//! sits behind a pluggable backend (possibly paged), so it offers no slice of it and the
//! `view` rows are not applicable. Start-up mitigation: its `twasm` archive (the parsed
//! module serialized with postcard; `serialize_twasm` / `try_from_twasm`). A scenario
//! file's host functions through `HostFunction::from_untyped`; tinywasm has no WASI.

use crate::adapter::{check_sig, At, Engine, EngineInfo, Instance, MemApi, Sig, ValType};
use anyhow::{anyhow, bail, Result};
use std::sync::Arc;
use tinywasm::types::{ExportType, WasmType, WasmValue};
use tinywasm::{Function, FunctionTyped, HostFunction, Imports, Memory, Module, ModuleInstance, Store};

/// The tinywasm version in Cargo.lock (checked by a unit test).
pub const VERSION: &str = "0.10.0";

/// `imports`: `None` links the built-in guest's `env.host_inc`; `Some`, a scenario file's
/// host functions (made in each store at instantiation, their responders shared).
#[derive(Default)]
pub struct TinyWasm {
    imports: Option<Vec<FileImport>>,
}

struct FileImport {
    module: String,
    name: String,
    ty: tinywasm::types::FuncType,
    respond: Arc<dyn Fn() -> i64 + Send + Sync>,
}

pub struct TwInstance {
    module: Module,
    store: Store,
    instance: ModuleInstance,
    memory: Memory,
}

pub enum TwFunc {
    VV(FunctionTyped<(), ()>),
    IToI(FunctionTyped<i32, i32>),
    IIToI(FunctionTyped<(i32, i32), i32>),
    IIToV(FunctionTyped<(i32, i32), ()>),
    IIIIToV(FunctionTyped<(i32, i32, i32, i32), ()>),
    IIToL(FunctionTyped<(i32, i32), i64>),
    Untyped(Function),
}

pub const CALL_APIS: &[&str] = &["typed", "untyped"];

/// tinywasm's errors as anyhow errors (its messages kept).
fn tw(e: tinywasm::Error) -> anyhow::Error {
    anyhow!("{e}")
}

impl Engine for TinyWasm {
    type Module = Module;
    type Instance = TwInstance;
    type Pre = ();

    fn info(&self) -> EngineInfo {
        EngineInfo {
            runtime: "tinywasm",
            engine: "tinywasm",
            version: VERSION,
            call_apis: CALL_APIS,
            mem_apis: &[MemApi::Copy],
            notes: "interpreter in safe Rust; compile = parse, validate and translate to its own bytecode",
        }
    }

    fn compile(&self, wasm: &[u8]) -> Result<Module> {
        tinywasm::parse_bytes(wasm).map_err(|e| anyhow!("{e}"))
    }

    fn instantiate(&self, module: &Module) -> Result<TwInstance> {
        let mut store = Store::default();
        let mut imports = Imports::new();
        match &self.imports {
            None => {
                let host_inc = HostFunction::from(&mut store, |_ctx, x: i32| Ok(x.wrapping_add(1)));
                imports.define("env", "host_inc", host_inc);
            }
            Some(file) => {
                for imp in file {
                    let respond = imp.respond.clone();
                    let result = imp.ty.results().first().copied();
                    let f = HostFunction::from_untyped(&mut store, &imp.ty, move |_ctx, _args| {
                        let v = respond();
                        Ok(match result {
                            Some(WasmType::I64) => vec![WasmValue::I64(v)],
                            Some(_) => vec![WasmValue::I32(v as i32)],
                            None => vec![],
                        })
                    });
                    imports.define(&imp.module, &imp.name, f);
                }
            }
        }
        let instance = ModuleInstance::instantiate(&mut store, module, Some(imports)).map_err(tw)?;
        let memory = instance.memory("memory").map_err(tw).at("memory")?;
        Ok(TwInstance { module: module.clone(), store, instance, memory })
    }

    /// A scenario file's host functions. WASI is not applicable: tinywasm has no WASI
    /// implementation (neither the crate nor a companion crate ships one).
    fn relink(&self, imports: &[interop_core::plugin::Import], wasi: bool) -> Result<Self> {
        use interop_core::plugin::WasmType as T;
        if wasi {
            return Err(crate::adapter::NotApplicable(
                "no WASI implementation linked in this adapter: tinywasm 0.10 ships none (neither the crate nor a \
                 companion crate implements wasi_snapshot_preview1)"
                    .into(),
            )
            .into());
        }
        let vt = |t: &T| match t {
            T::I32 => WasmType::I32,
            T::I64 => WasmType::I64,
        };
        let file = imports
            .iter()
            .map(|imp| FileImport {
                module: imp.module.clone(),
                name: imp.name.clone(),
                ty: tinywasm::types::FuncType::new(
                    &imp.params.iter().map(vt).collect::<Vec<_>>(),
                    &imp.results.iter().map(vt).collect::<Vec<_>>(),
                ),
                respond: Arc::new(imp.responder()),
            })
            .collect();
        Ok(TinyWasm { imports: Some(file) })
    }

    fn serialize(&self, module: &Module) -> Result<Vec<u8>> {
        module.serialize_twasm().map_err(|e| anyhow!("{e}"))
    }

    fn deserialize(&self, bytes: &[u8]) -> Result<Module> {
        Module::try_from_twasm(bytes).map_err(|e| anyhow!("{e}"))
    }
}

fn val_type(t: &WasmType) -> ValType {
    match t {
        WasmType::I32 => ValType::I32,
        WasmType::I64 => ValType::I64,
        WasmType::F32 => ValType::F32,
        WasmType::F64 => ValType::F64,
        _ => ValType::Other,
    }
}

#[cold]
fn wrong_binding() -> anyhow::Error {
    anyhow!("function bound for another signature")
}

#[cold]
fn no_view() -> anyhow::Error {
    anyhow!("tinywasm offers no view of linear memory")
}

#[inline(always)]
fn i32_of(v: &[WasmValue]) -> Result<i32> {
    match v.first() {
        Some(WasmValue::I32(x)) => Ok(*x),
        _ => Err(anyhow!("result is not an i32")),
    }
}

impl TwInstance {
    #[inline(always)]
    fn untyped(&mut self, f: &Function, params: &[WasmValue]) -> Result<Vec<WasmValue>> {
        f.call(&mut self.store, params).map_err(tw)
    }
}

impl Instance for TwInstance {
    type Func = TwFunc;

    fn func(&mut self, export: &str, sig: Sig, api: &str) -> Result<TwFunc> {
        let ty = self
            .module
            .exports()
            .find_map(|e| match e.ty {
                ExportType::Func(ty) if e.name == export => Some(ty.clone()),
                _ => None,
            })
            .ok_or_else(|| anyhow!("no function named `{export}` is exported"))?;
        let f = self.instance.func_untyped(&self.store, export).map_err(tw)?;
        let params: Vec<ValType> = ty.params().iter().map(val_type).collect();
        let results: Vec<ValType> = ty.results().iter().map(val_type).collect();
        check_sig(export, sig, &params, &results)?;
        let (i, s) = (&self.instance, &self.store);
        Ok(match api {
            "typed" => match sig {
                Sig::VV => TwFunc::VV(i.func(s, export).map_err(tw)?),
                Sig::IToI => TwFunc::IToI(i.func(s, export).map_err(tw)?),
                Sig::IIToI => TwFunc::IIToI(i.func(s, export).map_err(tw)?),
                Sig::IIToV => TwFunc::IIToV(i.func(s, export).map_err(tw)?),
                Sig::IIIIToV => TwFunc::IIIIToV(i.func(s, export).map_err(tw)?),
                Sig::IIToL => TwFunc::IIToL(i.func(s, export).map_err(tw)?),
            },
            "untyped" => TwFunc::Untyped(f),
            other => bail!("tinywasm has no call API `{other}` (it has {CALL_APIS:?})"),
        })
    }

    #[inline]
    fn call_vv(&mut self, f: &TwFunc) -> Result<()> {
        match f {
            TwFunc::VV(t) => t.call(&mut self.store, ()).map_err(tw),
            TwFunc::Untyped(f) => self.untyped(f, &[]).map(|_| ()),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_i_i(&mut self, f: &TwFunc, a: i32) -> Result<i32> {
        match f {
            TwFunc::IToI(t) => t.call(&mut self.store, a).map_err(tw),
            TwFunc::Untyped(f) => i32_of(&self.untyped(f, &[WasmValue::I32(a)])?),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_ii_i(&mut self, f: &TwFunc, a: i32, b: i32) -> Result<i32> {
        match f {
            TwFunc::IIToI(t) => t.call(&mut self.store, (a, b)).map_err(tw),
            TwFunc::Untyped(f) => i32_of(&self.untyped(f, &[WasmValue::I32(a), WasmValue::I32(b)])?),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_ii_v(&mut self, f: &TwFunc, a: i32, b: i32) -> Result<()> {
        match f {
            TwFunc::IIToV(t) => t.call(&mut self.store, (a, b)).map_err(tw),
            TwFunc::Untyped(f) => self.untyped(f, &[WasmValue::I32(a), WasmValue::I32(b)]).map(|_| ()),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_iiii_v(&mut self, f: &TwFunc, a: i32, b: i32, c: i32, d: i32) -> Result<()> {
        match f {
            TwFunc::IIIIToV(t) => t.call(&mut self.store, (a, b, c, d)).map_err(tw),
            TwFunc::Untyped(f) => self
                .untyped(f, &[WasmValue::I32(a), WasmValue::I32(b), WasmValue::I32(c), WasmValue::I32(d)])
                .map(|_| ()),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_ii_l(&mut self, f: &TwFunc, a: i32, b: i32) -> Result<i64> {
        match f {
            TwFunc::IIToL(t) => t.call(&mut self.store, (a, b)).map_err(tw),
            TwFunc::Untyped(f) => match self.untyped(f, &[WasmValue::I32(a), WasmValue::I32(b)])?.first() {
                Some(WasmValue::I64(x)) => Ok(*x),
                _ => Err(anyhow!("result is not an i64")),
            },
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn write(&mut self, api: MemApi, offset: u32, data: &[u8]) -> Result<()> {
        match api {
            MemApi::Copy => self.memory.copy_from_slice(&mut self.store, offset as usize, data).map_err(tw),
            MemApi::View => Err(no_view()),
        }
    }

    #[inline]
    fn read(&mut self, api: MemApi, offset: u32, out: &mut [u8]) -> Result<()> {
        match api {
            MemApi::Copy => self.memory.read_exact(&self.store, offset as usize, out).map_err(tw),
            MemApi::View => Err(no_view()),
        }
    }
}
