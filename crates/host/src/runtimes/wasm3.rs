//! wasm3, the C interpreter (through the `wasm3` crate): typed calls only (the crate has
//! no untyped call API), memory only through a view (`Runtime::memory_mut`, a raw slice of
//! linear memory, copied with memcpy; wasm3 has no read/write calls, so the `copy` rows are
//! not applicable).
//!
//! wasm3 has no compiled module that outlives an instance: loading a parsed module into a
//! runtime consumes it. So `compile` is parsing (a fresh environment and `ParsedModule`),
//! and `instantiate` is a new runtime, parsing again, loading and linking `env.host_inc`.
//! Functions are compiled to wasm3's threaded code lazily, when first looked up (outside
//! any timed loop here, also in `first_call`).
//!
//! wasm3 0.3 does not implement the bulk-memory instructions (`memory.copy`,
//! `memory.fill`, ...) and says so with a misleading message; a failure to parse, load or
//! look up a function is therefore checked against the module, and explained when that is
//! the cause.

use crate::adapter::{Engine, EngineInfo, Instance, MemApi, Sig};
use anyhow::{anyhow, bail, Result};
use std::rc::Rc;
use wasm3::{Environment, Function, Runtime};

/// The wasm3 crate's version in Cargo.lock (checked by a unit test).
pub const VERSION: &str = "0.3.1";

/// Value stack of each runtime, in slots.
const STACK_SLOTS: u32 = 64 * 1024;

pub struct Wasm3;

pub struct W3Module {
    env: Environment,
    bytes: Rc<[u8]>,
}

/// A function of the instance's runtime. The lifetime is the runtime's: the functions live
/// inside [`W3Instance`], next to the boxed runtime they point into, and the runner only
/// holds indices to them.
enum W3Fn {
    VV(Function<'static, (), ()>),
    IToI(Function<'static, i32, i32>),
    IIToI(Function<'static, (i32, i32), i32>),
    IIToV(Function<'static, (i32, i32), ()>),
    IIIIToV(Function<'static, (i32, i32, i32, i32), ()>),
    IIToL(Function<'static, (i32, i32), i64>),
}

pub struct W3Instance {
    funcs: Vec<W3Fn>,
    // Boxed so its address is stable while `funcs` point into it; declared after `funcs`
    // so it is dropped after them.
    runtime: Box<Runtime>,
    bytes: Rc<[u8]>,
}

/// An index into the instance's functions.
pub struct W3Func(usize);

pub const CALL_APIS: &[&str] = &["typed"];

/// wasm3's error, explained when the module uses an instruction set wasm3 lacks.
fn w3(e: wasm3::error::Error, bytes: &[u8]) -> anyhow::Error {
    match unsupported_feature(bytes) {
        Some(why) => unsupported(&why, e),
        None => anyhow!("{e}"),
    }
}

fn unsupported(why: &str, e: wasm3::error::Error) -> anyhow::Error {
    anyhow!("wasm3 cannot run this module: {why} (wasm3 said: {e})")
}

/// Why wasm3 cannot run `bytes`, if a WebAssembly feature wasm3 0.3 lacks is the cause.
pub fn unsupported_feature(bytes: &[u8]) -> Option<String> {
    use wasmparser::{Validator, WasmFeatures};
    let mut features = WasmFeatures::default();
    features.remove(WasmFeatures::BULK_MEMORY);
    let err = Validator::new_with_features(features).validate_all(bytes).err()?;
    err.message().contains("bulk memory").then(|| {
        format!(
            "it uses bulk-memory instructions (memory.copy, memory.fill, ...; first at offset {:#x}), which wasm3 \
             0.3 does not implement; build the guest for WebAssembly 1.0 (e.g. the wasm32v1-none target)",
            err.offset()
        )
    })
}

/// Whether the module has a start function (run by wasm3 while loading).
fn has_start_function(bytes: &[u8]) -> bool {
    wasmparser::Parser::new(0)
        .parse_all(bytes)
        .any(|p| matches!(p, Ok(wasmparser::Payload::StartSection { .. })))
}

/// Function imports other than `env.host_inc`, as `module.name`.
fn unprovided_imports(bytes: &[u8]) -> Vec<String> {
    use wasmparser::{Payload, TypeRef};
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let Ok(Payload::ImportSection(r)) = payload {
            for imp in r.into_imports().flatten() {
                if matches!(imp.ty, TypeRef::Func(_)) && !(imp.module == "env" && imp.name == "host_inc") {
                    out.push(format!("{}.{}", imp.module, imp.name));
                }
            }
        }
    }
    out
}

impl Engine for Wasm3 {
    type Module = W3Module;
    type Instance = W3Instance;
    type Pre = ();

    fn info(&self) -> EngineInfo {
        EngineInfo {
            runtime: "wasm3",
            engine: "wasm3",
            version: VERSION,
            call_apis: CALL_APIS,
            mem_apis: &[MemApi::View],
            notes: "C interpreter; compile = parse (a loaded module is consumed, so instantiate parses again); \
                    functions compiled lazily at lookup",
        }
    }

    fn compile(&self, wasm: &[u8]) -> Result<W3Module> {
        let env = Environment::new().map_err(|e| anyhow!("wasm3 environment: {e}"))?;
        wasm3::Module::parse(&env, wasm).map_err(|e| w3(e, wasm))?;
        Ok(W3Module { env, bytes: wasm.into() })
    }

    fn instantiate(&self, module: &W3Module) -> Result<W3Instance> {
        let bytes = &module.bytes;
        let runtime = Box::new(module.env.create_runtime(STACK_SLOTS).map_err(|e| anyhow!("wasm3 runtime: {e}"))?);
        let parsed = wasm3::Module::parse(&module.env, &bytes[..]).map_err(|e| w3(e, bytes))?;
        let mut loaded = match runtime.load_module(parsed) {
            Ok(m) => m,
            Err(e) => {
                // wasm3-rs 0.3.1's bug: wasm3's m3_LoadModule links the module into the
                // runtime before it runs the start function, and when that fails the
                // binding frees the module anyway (dropping its `ParsedModule`), so
                // freeing the runtime frees it a second time (a segfault in
                // m3_FreeRuntime). The runtime is leaked instead: one per failed
                // instantiation, and a failure ends its scenario.
                std::mem::forget(runtime);
                return Err(match has_start_function(bytes) {
                    true => anyhow!("the module's start function failed: {}", w3(e, bytes)),
                    false => w3(e, bytes),
                });
            }
        };
        match loaded.link_closure("env", "host_inc", |_ctx, x: i32| Ok(x.wrapping_add(1))) {
            // A guest that does not import it is not an error here; one whose import has
            // another type is.
            Ok(()) | Err(wasm3::error::Error::FunctionNotFound) => {}
            Err(e) => bail!("linking env.host_inc (i32) -> i32: {}", w3(e, bytes)),
        }
        Ok(W3Instance { funcs: Vec::new(), runtime, bytes: bytes.clone() })
    }
}

impl W3Instance {
    fn find<A: wasm3::WasmArgs, R: wasm3::WasmType>(&self, export: &str, sig: Sig) -> Result<Function<'static, A, R>> {
        let f = self.runtime.find_function::<A, R>(export).map_err(|e| match (e, unsupported_feature(&self.bytes)) {
            // wasm3 says "not found" also for a function it cannot compile.
            (e, Some(why)) => unsupported(&why, e),
            // wasm3-rs also says "not found" for an export wasm3 could not compile.
            (wasm3::error::Error::FunctionNotFound, None) if crate::runtimes::export_type(&self.bytes, export).is_some() => {
                match unprovided_imports(&self.bytes).as_slice() {
                    [] => anyhow!("export `{export}` exists but wasm3 could not compile it (wasm3 says only: function not found)"),
                    missing => anyhow!(
                        "the module imports {}, which this host does not provide (it provides env.host_inc only; \
                         wasm3 reports a function it cannot link as not found)",
                        missing.join(", ")
                    ),
                }
            }
            (wasm3::error::Error::FunctionNotFound, None) => anyhow!("no function named `{export}` is exported"),
            (wasm3::error::Error::InvalidFunctionSignature, None) => match crate::runtimes::export_type(&self.bytes, export) {
                Some((p, r)) => anyhow!(
                    "export `{export}` has type {}, expected {}",
                    crate::adapter::describe(&p, &r),
                    sig.describe()
                ),
                None => anyhow!("export `{export}` does not have type {}", sig.describe()),
            },
            (e, None) => anyhow!("{e}"),
        })?;
        // SAFETY: the function points into `*self.runtime`, which is boxed (its address
        // does not move) and outlives every entry of `self.funcs` (dropped first); the
        // 'static never escapes this instance: the runner holds only indices.
        Ok(unsafe { std::mem::transmute::<Function<'_, A, R>, Function<'static, A, R>>(f) })
    }

    #[inline(always)]
    fn get(&self, f: &W3Func) -> &W3Fn {
        &self.funcs[f.0]
    }

    #[inline(always)]
    fn memory(&mut self) -> &mut [u8] {
        // SAFETY: wasm3 returns its current linear memory; the slice is used at once and no
        // Wasm code runs (which could grow and move memory) while it is alive.
        unsafe { &mut *self.runtime.memory_mut() }
    }
}

#[cold]
fn wrong_binding() -> anyhow::Error {
    anyhow!("function bound for another signature")
}

#[cold]
fn out_of_bounds(offset: u32, len: usize, memory_len: usize) -> anyhow::Error {
    if memory_len == 0 {
        // wasm3 keeps the memory's length in 32 bits: at 65536 pages (4 GiB) it reads 0.
        return anyhow!(
            "{len} bytes at {offset}: wasm3 reports a linear memory of 0 bytes, which at 65536 pages (4 GiB) is its \
             32-bit length wrapping (wasm3-rs 0.3.1); keep --max-memory-mib below 4096"
        );
    }
    anyhow!("{len} bytes at {offset} are outside linear memory ({memory_len} bytes)")
}

#[inline(always)]
fn trap(e: wasm3::error::Error) -> anyhow::Error {
    anyhow!("wasm3: {e}")
}

impl Instance for W3Instance {
    type Func = W3Func;

    fn func(&mut self, export: &str, sig: Sig, api: &str) -> Result<W3Func> {
        if api != "typed" {
            bail!("wasm3 has no call API `{api}` (it has {CALL_APIS:?})");
        }
        let f = match sig {
            Sig::VV => W3Fn::VV(self.find(export, sig)?),
            Sig::IToI => W3Fn::IToI(self.find(export, sig)?),
            Sig::IIToI => W3Fn::IIToI(self.find(export, sig)?),
            Sig::IIToV => W3Fn::IIToV(self.find(export, sig)?),
            Sig::IIIIToV => W3Fn::IIIIToV(self.find(export, sig)?),
            Sig::IIToL => W3Fn::IIToL(self.find(export, sig)?),
        };
        self.funcs.push(f);
        Ok(W3Func(self.funcs.len() - 1))
    }

    #[inline]
    fn call_vv(&mut self, f: &W3Func) -> Result<()> {
        match self.get(f) {
            W3Fn::VV(f) => f.call().map_err(trap),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_i_i(&mut self, f: &W3Func, a: i32) -> Result<i32> {
        match self.get(f) {
            W3Fn::IToI(f) => f.call(a).map_err(trap),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_ii_i(&mut self, f: &W3Func, a: i32, b: i32) -> Result<i32> {
        match self.get(f) {
            W3Fn::IIToI(f) => f.call(a, b).map_err(trap),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_ii_v(&mut self, f: &W3Func, a: i32, b: i32) -> Result<()> {
        match self.get(f) {
            W3Fn::IIToV(f) => f.call(a, b).map_err(trap),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_iiii_v(&mut self, f: &W3Func, a: i32, b: i32, c: i32, d: i32) -> Result<()> {
        match self.get(f) {
            W3Fn::IIIIToV(f) => f.call(a, b, c, d).map_err(trap),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn call_ii_l(&mut self, f: &W3Func, a: i32, b: i32) -> Result<i64> {
        match self.get(f) {
            W3Fn::IIToL(f) => f.call(a, b).map_err(trap),
            _ => Err(wrong_binding()),
        }
    }

    #[inline]
    fn write(&mut self, api: MemApi, offset: u32, data: &[u8]) -> Result<()> {
        if api != MemApi::View {
            bail!("wasm3 has no explicit memory copies");
        }
        let start = offset as usize;
        let mem = self.memory();
        let mem_len = mem.len();
        let dst = mem.get_mut(start..start + data.len()).ok_or_else(|| out_of_bounds(offset, data.len(), mem_len))?;
        dst.copy_from_slice(data);
        Ok(())
    }

    #[inline]
    fn read(&mut self, api: MemApi, offset: u32, out: &mut [u8]) -> Result<()> {
        if api != MemApi::View {
            bail!("wasm3 has no explicit memory copies");
        }
        let start = offset as usize;
        let mem = self.memory();
        let src = mem.get(start..start + out.len()).ok_or_else(|| out_of_bounds(offset, out.len(), mem.len()))?;
        out.copy_from_slice(src);
        Ok(())
    }
}
