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
//! the cause. Nor does it implement SIMD, and there its compiler is unsafe (it writes past a
//! buffer): no function of a module with SIMD is looked up at all ([`uses_simd`]).
//!
//! A scenario file's host functions are linked with `link_closure`, whose argument and
//! result types are Rust types fixed at compile time: this adapter links the shapes
//! `(i32 × 0..=4) -> ()`, `-> i32` and `-> i64`, and says which import it cannot link.
//! WASI is not applicable: wasm3's own (`m3_LinkWASI`, the crate's `wasi` feature)
//! preopens the current directory and passes stdin/stdout/stderr through, so it cannot
//! run a module with nothing granted.

use crate::adapter::{Engine, EngineInfo, Instance, MemApi, Sig};
use anyhow::{anyhow, bail, Result};
use interop_core::plugin::WasmType;
use std::rc::Rc;
use wasm3::{Environment, Function, Runtime};

/// The wasm3 crate's version in Cargo.lock (checked by a unit test).
pub const VERSION: &str = "0.3.1";

/// Value stack of each runtime, in slots.
const STACK_SLOTS: u32 = 64 * 1024;

/// `imports`: `None` links the built-in guest's `env.host_inc`; `Some`, a scenario file's
/// host functions (linked into each runtime at instantiation, their responders shared).
#[derive(Default)]
pub struct Wasm3 {
    imports: Option<Vec<FileImport>>,
}

struct FileImport {
    module: String,
    name: String,
    params: usize,
    result: Option<WasmType>,
    respond: std::sync::Arc<dyn Fn() -> i64 + Send + Sync>,
}


/// Links one of a scenario file's host functions into a loaded module. `FunctionNotFound`:
/// the module does not import it.
#[allow(unused_parens)] // `(i32)`: one argument is the type itself, not a 1-tuple
fn link_file_import(loaded: &mut wasm3::Module<'_>, imp: &FileImport) -> wasm3::error::Result<()> {
    macro_rules! link {
        ($($p:ty),*) => {{
            let r = imp.respond.clone();
            match imp.result {
                None => loaded.link_closure(&imp.module, &imp.name, move |_ctx, _: ($($p),*)| {
                    r();
                    Ok(())
                }),
                Some(WasmType::I32) => {
                    loaded.link_closure(&imp.module, &imp.name, move |_ctx, _: ($($p),*)| Ok(r() as i32))
                }
                Some(WasmType::I64) => loaded.link_closure(&imp.module, &imp.name, move |_ctx, _: ($($p),*)| Ok(r())),
            }
        }};
    }
    match imp.params {
        0 => link!(),
        1 => link!(i32),
        2 => link!(i32, i32),
        3 => link!(i32, i32, i32),
        _ => link!(i32, i32, i32, i32),
    }
}

pub struct W3Module {
    env: Environment,
    bytes: Rc<[u8]>,
    /// Whether the module uses SIMD (see [`uses_simd`]), read once, by its first instance
    /// (every timed instantiation follows an untimed one; compile allocates nothing for it).
    simd: std::cell::OnceCell<Option<String>>,
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
    /// Why no function of the module may be looked up ([`uses_simd`]), if one is.
    simd: Option<String>,
    /// The host functions linked, as `(module, name)`, to explain a lookup wasm3 refuses.
    provided: Vec<(String, String)>,
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
    .or_else(|| uses_simd(bytes))
}

/// Why wasm3 must not compile any function of `bytes`, if it uses SIMD (v128). wasm3 0.3
/// has no SIMD, and its compiler does not refuse it cleanly: compiling a function with a
/// v128 instruction writes past the end of one of its buffers (valgrind: an invalid write
/// in `Compile_BlockStatements`, into a block `ParseSection_Type` allocated). Whether that
/// crashes the worker (SIGSEGV) or goes unseen depends on the heap's layout: the same
/// module crashed with a name section and failed cleanly without one. A function
/// compiles lazily, its callees when first called, so the whole module is refused.
pub fn uses_simd(bytes: &[u8]) -> Option<String> {
    use wasmparser::{Validator, WasmFeatures};
    let mut features = WasmFeatures::default();
    features.remove(WasmFeatures::SIMD | WasmFeatures::RELAXED_SIMD);
    let err = Validator::new_with_features(features).validate_all(bytes).err()?;
    err.message().contains("SIMD").then(|| {
        format!(
            "it uses SIMD (v128) instructions (first at offset {:#x}), which wasm3 0.3 does not implement, and \
             compiling them writes past wasm3's buffers, so none of its functions is handed to wasm3; build the \
             guest without simd128",
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

/// Function imports other than `provided` (`(module, name)`), as `module.name`.
fn unprovided_imports(bytes: &[u8], provided: &[(&str, &str)]) -> Vec<String> {
    use wasmparser::{Payload, TypeRef};
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let Ok(Payload::ImportSection(r)) = payload {
            for imp in r.into_imports().flatten() {
                if matches!(imp.ty, TypeRef::Func(_)) && !provided.contains(&(imp.module, imp.name)) {
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

    /// A scenario file's host functions, with `link_closure` (see the module's note for
    /// the shapes it links). WASI is not applicable: wasm3's own preopens the current
    /// directory and passes stdio through.
    fn relink(&self, imports: &[interop_core::plugin::Import], wasi: bool) -> Result<Self> {
        if wasi {
            return Err(crate::adapter::NotApplicable(
                "no WASI implementation linked in this adapter: wasm3's own (m3_LinkWASI) preopens the current \
                 directory and passes stdin/stdout/stderr through, so it cannot run a module with nothing granted"
                    .into(),
            )
            .into());
        }
        let mut file = Vec::new();
        for imp in imports {
            let shape_ok = imp.params.len() <= 4 && imp.params.iter().all(|t| *t == WasmType::I32);
            if !shape_ok {
                return Err(crate::adapter::NotApplicable(format!(
                    "wasm3-rs links host functions with Rust types fixed at compile time; this adapter links \
                     (i32 x 0-4) -> (), i32 or i64, not {}.{} {}",
                    imp.module,
                    imp.name,
                    interop_core::plugin::describe(&imp.params, &imp.results)
                ))
                .into());
            }
            let respond = imp.responder();
            file.push(FileImport {
                module: imp.module.clone(),
                name: imp.name.clone(),
                params: imp.params.len(),
                result: imp.results.first().copied(),
                respond: std::sync::Arc::new(respond),
            });
        }
        Ok(Wasm3 { imports: Some(file) })
    }

    fn compile(&self, wasm: &[u8]) -> Result<W3Module> {
        let env = Environment::new().map_err(|e| anyhow!("wasm3 environment: {e}"))?;
        wasm3::Module::parse(&env, wasm).map_err(|e| w3(e, wasm))?;
        Ok(W3Module { env, bytes: wasm.into(), simd: Default::default() })
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
        let provided: Vec<(String, String)> = match &self.imports {
            None => {
                match loaded.link_closure("env", "host_inc", |_ctx, x: i32| Ok(x.wrapping_add(1))) {
                    // A guest that does not import it is not an error here; one whose import
                    // has another type is.
                    Ok(()) | Err(wasm3::error::Error::FunctionNotFound) => {}
                    Err(e) => bail!("linking env.host_inc (i32) -> i32: {}", w3(e, bytes)),
                }
                vec![("env".into(), "host_inc".into())]
            }
            Some(file) => {
                for imp in file {
                    match link_file_import(&mut loaded, imp) {
                        Ok(()) | Err(wasm3::error::Error::FunctionNotFound) => {}
                        Err(e) => bail!("linking {}.{}: {}", imp.module, imp.name, w3(e, bytes)),
                    }
                }
                file.iter().map(|i| (i.module.clone(), i.name.clone())).collect()
            }
        };
        let simd = module.simd.get_or_init(|| uses_simd(bytes)).clone();
        Ok(W3Instance { funcs: Vec::new(), runtime, bytes: bytes.clone(), simd, provided })
    }
}

impl W3Instance {
    fn find<A: wasm3::WasmArgs, R: wasm3::WasmType>(&self, export: &str, sig: Sig) -> Result<Function<'static, A, R>> {
        // Looking a function up compiles it: never one of a module with SIMD (see uses_simd).
        if let Some(why) = &self.simd {
            bail!("wasm3 cannot run this module: {why}");
        }
        let f = self.runtime.find_function::<A, R>(export).map_err(|e| match (e, unsupported_feature(&self.bytes)) {
            // wasm3 says "not found" also for a function it cannot compile.
            (e, Some(why)) => unsupported(&why, e),
            // wasm3-rs also says "not found" for an export wasm3 could not compile.
            (wasm3::error::Error::FunctionNotFound, None) if crate::runtimes::export_type(&self.bytes, export).is_some() => {
                let provided: Vec<(&str, &str)> =
                    self.provided.iter().map(|(m, n)| (m.as_str(), n.as_str())).collect();
                match unprovided_imports(&self.bytes, &provided).as_slice() {
                    [] => anyhow!("export `{export}` exists but wasm3 could not compile it (wasm3 says only: function not found)"),
                    missing => anyhow!(
                        "the module imports {}, which wasm3 here does not provide (it provides {}; wasm3 reports \
                         a function it cannot link as not found)",
                        missing.join(", "),
                        if provided.is_empty() {
                            "nothing".to_string()
                        } else {
                            provided.iter().map(|(m, n)| format!("{m}.{n}")).collect::<Vec<_>>().join(", ")
                        }
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

    fn memory_base(&mut self) -> Option<usize> {
        Some(self.memory().as_ptr() as usize)
    }
}
