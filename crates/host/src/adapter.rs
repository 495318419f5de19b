//! The adapter interface: what a Wasm engine must offer to run every scenario.
//! One engine (or engine mode) is one file in `runtimes/` implementing [`Engine`].

use anyhow::Result;

/// The guest signatures the scenarios call. `I` is i32, `L` is i64, `V` is nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sig {
    /// `() -> ()`
    VV,
    /// `(i32) -> i32`
    IToI,
    /// `(i32, i32) -> i32`
    IIToI,
    /// `(i32, i32) -> ()`
    IIToV,
    /// `(i32, i32, i32, i32) -> ()`
    IIIIToV,
    /// `(i32, i32) -> i64`
    IIToL,
}

impl Sig {
    /// `(params, results)` in WebAssembly value types, for error messages and checks.
    pub fn types(self) -> (&'static [ValType], &'static [ValType]) {
        use ValType::*;
        match self {
            Sig::VV => (&[], &[]),
            Sig::IToI => (&[I32], &[I32]),
            Sig::IIToI => (&[I32, I32], &[I32]),
            Sig::IIToV => (&[I32, I32], &[]),
            Sig::IIIIToV => (&[I32, I32, I32, I32], &[]),
            Sig::IIToL => (&[I32, I32], &[I64]),
        }
    }

    pub fn describe(self) -> String {
        let (p, r) = self.types();
        describe(p, r)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    /// Reference or vector types: never in our guest's signatures.
    Other,
}

/// `(i32, i32) -> i32`
pub fn describe(params: &[ValType], results: &[ValType]) -> String {
    let name = |t: &ValType| match t {
        ValType::I32 => "i32",
        ValType::I64 => "i64",
        ValType::F32 => "f32",
        ValType::F64 => "f64",
        ValType::Other => "ref/v128",
    };
    let p: Vec<_> = params.iter().map(name).collect();
    let r: Vec<_> = results.iter().map(name).collect();
    format!("({}) -> ({})", p.join(", "), r.join(", "))
}

/// Checks an export's actual type against the expected signature.
pub fn check_sig(export: &str, sig: Sig, params: &[ValType], results: &[ValType]) -> Result<()> {
    let (p, r) = sig.types();
    if p != params || r != results {
        anyhow::bail!("export `{export}` has type {}, expected {}", describe(params, results), sig.describe());
    }
    Ok(())
}

/// How the host reaches linear memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemApi {
    /// The engine's zero-copy view of linear memory (a slice), copied with memcpy.
    View,
    /// The engine's explicit read/write calls.
    Copy,
}

impl MemApi {
    pub const ALL: [MemApi; 2] = [MemApi::View, MemApi::Copy];

    pub fn name(self) -> &'static str {
        match self {
            MemApi::View => "view",
            MemApi::Copy => "copy",
        }
    }

    pub fn about(self) -> &'static str {
        match self {
            MemApi::View => "a zero-copy slice of linear memory",
            MemApi::Copy => "explicit read/write calls",
        }
    }
}

/// Describes an engine for `list` and the results file.
#[derive(Debug, Clone)]
pub struct EngineInfo {
    /// Unique selector, e.g. `wasmtime` or `wasmtime:winch`.
    pub runtime: &'static str,
    pub engine: &'static str,
    pub version: &'static str,
    /// Call APIs, the default first.
    pub call_apis: &'static [&'static str],
    /// Memory APIs the engine offers, the default first (an engine without a zero-copy
    /// view, or without explicit copies, reports the other as not applicable).
    pub mem_apis: &'static [MemApi],
    pub notes: &'static str,
}

/// A Wasm engine (in one mode). Static dispatch: the scenario runner is generic over it,
/// so the timed loops call the engine directly.
pub trait Engine: Send + Sync + 'static {
    type Module;
    type Instance: Instance;
    /// A module with its imports resolved ahead of time (wasmtime's `InstancePre`);
    /// `()` for engines without one.
    type Pre;

    fn info(&self) -> EngineInfo;

    /// Validates and compiles the module.
    fn compile(&self, wasm: &[u8]) -> Result<Self::Module>;

    /// A ready instance in a fresh store, with the import `env.host_inc(x) = x + 1` linked.
    fn instantiate(&self, module: &Self::Module) -> Result<Self::Instance>;

    /// Start-up mitigation: the compiled module as bytes, to load later without compiling.
    /// Engines without serialized modules say why not.
    fn serialize(&self, _module: &Self::Module) -> Result<Vec<u8>> {
        Err(NotApplicable::no_serialized_modules(self.info().engine).into())
    }

    /// Loads bytes made by [`Engine::serialize`] on this same engine.
    fn deserialize(&self, _bytes: &[u8]) -> Result<Self::Module> {
        Err(NotApplicable::no_serialized_modules(self.info().engine).into())
    }

    /// Start-up mitigation: resolves the module's imports once, for many instantiations.
    fn pre(&self, _module: &Self::Module) -> Result<Self::Pre> {
        Err(NotApplicable::no_pre_linking(self.info().engine).into())
    }

    /// A ready instance in a fresh store from a pre-linked module.
    fn instantiate_pre(&self, _pre: &Self::Pre) -> Result<Self::Instance> {
        Err(NotApplicable::no_pre_linking(self.info().engine).into())
    }

    /// The `compile` scenario for an engine that caches its compiled modules and whose
    /// compile takes seconds an op (wasm2c: translate + C compile): it measures compiling
    /// itself, without its cache, in fewer samples of one op. `None`: `compile` is timed
    /// like every scenario.
    fn measure_compile(
        &self,
        _wasm: &[u8],
        _cfg: &crate::measure::MeasureConfig,
    ) -> Option<Result<crate::measure::Samples>> {
        None
    }

    /// This engine with a user scenario file's host functions (and, with `wasi`, the
    /// engine's own WASI with nothing granted) linked instead of `env.host_inc`.
    /// Engines without it say why.
    fn relink(&self, _imports: &[interop_core::plugin::Import], wasi: bool) -> Result<Self>
    where
        Self: Sized,
    {
        Err(NotApplicable(if wasi {
            "no WASI implementation linked in this adapter".into()
        } else {
            "this adapter links only the built-in guest's env.host_inc, not a scenario file's host functions".into()
        })
        .into())
    }
}

/// A scenario the engine cannot express, with the reason: reported as `not_applicable`,
/// never as a failure and never silently skipped.
#[derive(Debug)]
pub struct NotApplicable(pub String);

impl std::fmt::Display for NotApplicable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotApplicable {}

impl NotApplicable {
    /// Why `deserialize` does not apply to `engine`.
    fn no_serialized_modules(engine: &str) -> Self {
        NotApplicable(format!("{engine} has no serialized (ahead-of-time compiled) modules"))
    }

    /// Why `instantiate_pre` does not apply to `engine`.
    fn no_pre_linking(engine: &str) -> Self {
        NotApplicable(format!(
            "{engine} has no pre-linked instantiation (like wasmtime's InstancePre): it resolves the imports at \
             every instantiation"
        ))
    }
}

/// The reason, if `err` says the scenario is not applicable to the engine.
pub fn not_applicable_reason(err: &anyhow::Error) -> Option<String> {
    err.chain().find_map(|e| e.downcast_ref::<NotApplicable>()).map(|e| e.0.clone())
}

/// One instance of the guest. `Func` is an export looked up once, for one call API.
pub trait Instance {
    type Func;

    /// Looks up `export`, checks it has signature `sig` and binds it to call API `api`
    /// (one of [`EngineInfo::call_apis`]).
    fn func(&mut self, export: &str, sig: Sig, api: &str) -> Result<Self::Func>;

    fn call_vv(&mut self, f: &Self::Func) -> Result<()>;
    fn call_i_i(&mut self, f: &Self::Func, a: i32) -> Result<i32>;
    fn call_ii_i(&mut self, f: &Self::Func, a: i32, b: i32) -> Result<i32>;
    fn call_ii_v(&mut self, f: &Self::Func, a: i32, b: i32) -> Result<()>;
    fn call_iiii_v(&mut self, f: &Self::Func, a: i32, b: i32, c: i32, d: i32) -> Result<()>;
    fn call_ii_l(&mut self, f: &Self::Func, a: i32, b: i32) -> Result<i64>;

    /// Copies `data` into linear memory at `offset`.
    fn write(&mut self, api: MemApi, offset: u32, data: &[u8]) -> Result<()>;
    /// Copies linear memory at `offset` into `out`.
    fn read(&mut self, api: MemApi, offset: u32, out: &mut [u8]) -> Result<()>;

    /// Where linear memory's byte 0 is in this process, so that the host's buffers can be
    /// placed at the same distance from the guest's in every process (see
    /// `runner::Placed`); `None` when the engine does not say (its memory is then taken
    /// to start a page).
    fn memory_base(&mut self) -> Option<usize> {
        None
    }

    /// The call API [`GUARDED_BATCH`]: `iters` calls of `f` (bound to that API) inside ONE
    /// trap guard, every result checked. A trap ends the batch with an error (the calls
    /// after it are lost, the guest's state is whatever the trap left). Only engines whose
    /// trap guard is an API path of its own (wasm2c) list that API; the others never get
    /// here.
    fn call_batch(&mut self, _f: &Self::Func, _op: BatchOp, _iters: u64) -> Result<()> {
        anyhow::bail!("this engine has no call API `{GUARDED_BATCH}`")
    }
}

/// The call API of engines whose trap guard is a path of its own: one guard around a
/// whole timed batch of calls ([`Instance::call_batch`]), between `guarded` (a guard per
/// call) and `unguarded` (none: a trap kills the process).
pub const GUARDED_BATCH: &str = "guarded_batch";

/// One call of a [`Instance::call_batch`] batch, with what checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchOp {
    /// `no_op()`.
    NoOp,
    /// `add_numbers(i, b)` of the i-th call, checked against `i + b` (wrapping).
    Add { b: i32 },
    /// `call_host(k)`, checked against `k`.
    CallHost { k: i32 },
}

/// An error blamed on one guest export: failures name it.
#[derive(Debug)]
pub struct ExportError {
    pub export: String,
    pub source: anyhow::Error,
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "export `{}`: {:#}", self.export, self.source)
    }
}

impl std::error::Error for ExportError {}

pub trait At<T> {
    /// Blames an error on `export`.
    fn at(self, export: &str) -> Result<T>;
}

impl<T> At<T> for Result<T> {
    #[inline(always)]
    fn at(self, export: &str) -> Result<T> {
        match self {
            Ok(v) => Ok(v),
            Err(e) => Err(at_export(export, e)),
        }
    }
}

#[cold]
fn at_export(export: &str, source: anyhow::Error) -> anyhow::Error {
    if source.chain().any(|e| e.downcast_ref::<ExportError>().is_some()) {
        return source;
    }
    ExportError { export: export.to_string(), source }.into()
}

/// The export an error was blamed on, if any.
pub fn blamed_export(err: &anyhow::Error) -> Option<String> {
    err.chain().find_map(|e| e.downcast_ref::<ExportError>()).map(|e| e.export.clone())
}
