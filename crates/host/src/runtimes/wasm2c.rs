//! wasm2c (WABT 1.0.32, Debian's `wabt`): the guest translated ahead of time into C,
//! compiled with the system C compiler (`cc -O2`) into a shared object together with
//! wasm2c's runtime (`wasm-rt-impl.c`) and a small shim generated here, loaded with
//! libloading. The shared object is cached by the module's sha256 (under
//! `$XDG_CACHE_HOME/interop-bench/wasm2c`); `compile` times translate + C compile
//! without that cache, in a few one-op samples (an op takes seconds).
//!
//! Call APIs, which differ only in how a trap is caught, and what each one risks:
//! - `guarded` (the default, what a service that must survive a trap uses): each call
//!   inside wasm2c's trap guard, `wasm_rt_impl_try()` (a `sigsetjmp` that, in the default
//!   build, saves the signal mask: a system call per call), in a shim function compiled
//!   with the module. Risk: none beyond the cost, which every call pays.
//! - `guarded_batch`: ONE guard around a whole timed batch of calls (the noop, add and
//!   host_import rows): the shim's `interop_batch` enters the guard and calls back into
//!   Rust, which makes the batch's calls over plain FFI. The guard's cost is paid once a
//!   batch; but a trap longjmps out of the whole batch: the calls after it are lost, and
//!   the guest's state (memory, globals, its stack pointer) is whatever the trapping
//!   call left, half-done. The Rust frame the longjmp skips holds nothing to drop (a
//!   plain old frame, the only kind a longjmp may cross). (`batch_add` is another kind
//!   of batch: one guarded call doing n additions inside the guest.)
//! - `unguarded`: the generated C function called directly over FFI. A trap has nowhere
//!   to go: the shim prints which trap and aborts the process (an out-of-bounds access in
//!   the default build is a SIGSEGV handed back to the previous handler: the process dies).
//!
//! Two builds, two runtimes: `wasm2c` is WABT's default on 64-bit Linux (linear memory
//! in an 8 GiB reservation with guard pages, out-of-bounds accesses caught by a SIGSEGV
//! handler, stack exhaustion by the same on an alternate stack, the guard saves the
//! signal mask); `wasm2c:bounds` builds with `WASM_RT_MEMCHECK_SIGNAL_HANDLER=0`
//! (explicit bounds checks, a call-depth counter, a plain `setjmp` guard, no signal
//! handler). wasm2c's runtime installs its SIGSEGV/SIGBUS handler process-wide; the shim
//! chains faults outside a guarded call back to the handler that was there before. Its
//! jump buffer is one global, so wasm2c instances are used from one thread at a time
//! (other threads wait while one thread holds any instance).
//!
//! Memory: `view` reads the runtime's memory struct (`wasm_rt_memory_t`: data, size) on
//! every access and copies with memcpy; wasm2c has no read/write calls, so `copy` is not
//! applicable. Import: `env.host_inc` is a C function in the shim, called directly by the
//! generated code.

use crate::adapter::{check_sig, describe, BatchOp, Engine, EngineInfo, Instance, MemApi, Sig, ValType, GUARDED_BATCH};
use crate::measure::{MeasureConfig, Samples};
use anyhow::{anyhow, bail, ensure, Context, Result};
use libloading::Library;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// WABT's version as Debian 12 packages it (checked against `wasm2c --version` by a test).
pub const VERSION: &str = "1.0.32";

/// Where Debian's wabt puts wasm2c's runtime source.
const RUNTIME_DIR: &str = "/usr/share/wabt/wasm2c";

/// One op of `compile` takes seconds: at most this many samples of one op each, the row's
/// whole, split between its worker processes (`MeasureConfig::self_timed_samples`).
pub const COMPILE_SAMPLES: usize = 3;

/// `unguarded` last: a capability probe's trap kills the worker there, after the guarded
/// paths have shown they contain it.
pub const CALL_APIS: &[&str] = &["guarded", GUARDED_BATCH, "unguarded"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// WABT's default: guard pages + SIGSEGV handler, `sigsetjmp` guard.
    Signals,
    /// `WASM_RT_MEMCHECK_SIGNAL_HANDLER=0`: explicit bounds checks, `setjmp` guard.
    Bounds,
}

pub struct Wasm2c {
    flavor: Flavor,
}

impl Wasm2c {
    pub fn signals() -> Self {
        Wasm2c { flavor: Flavor::Signals }
    }
    pub fn bounds() -> Self {
        Wasm2c { flavor: Flavor::Bounds }
    }

    fn cflags(&self) -> &'static [&'static str] {
        match self.flavor {
            Flavor::Signals => &[],
            Flavor::Bounds => &["-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0"],
        }
    }

    fn tag(&self) -> &'static str {
        match self.flavor {
            Flavor::Signals => "signals",
            Flavor::Bounds => "bounds",
        }
    }
}

/// What the module exports, read with wasmparser.
#[derive(Debug, Clone)]
enum Export {
    Func(Vec<ValType>, Vec<ValType>),
    Other(&'static str),
}

#[derive(Debug, Clone)]
struct ModInfo {
    exports: HashMap<String, Export>,
    imports_host_inc: bool,
}

fn vt(t: &wasmparser::ValType) -> ValType {
    match t {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        _ => ValType::Other,
    }
}

/// Exports and imports; an import other than `env.host_inc: (i32) -> i32` is an error.
fn inspect(wasm: &[u8]) -> Result<ModInfo> {
    use wasmparser::{ExternalKind, Parser, Payload, TypeRef};
    let mut types = Vec::new();
    let mut funcs = Vec::new();
    let mut exports = HashMap::new();
    let mut imports_host_inc = false;
    let mut raw_exports = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::TypeSection(r) => {
                for ty in r.into_iter_err_on_gc_types() {
                    let f = ty?;
                    types.push((f.params().iter().map(vt).collect::<Vec<_>>(), f.results().iter().map(vt).collect()));
                }
            }
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp?;
                    match imp.ty {
                        TypeRef::Func(t) => {
                            let ty = types.get(t as usize).cloned().unwrap_or_default();
                            if imp.module == "env" && imp.name == "host_inc" {
                                if ty != (vec![ValType::I32], vec![ValType::I32]) {
                                    bail!(
                                        "the guest imports env.host_inc with type {}, this host provides (i32) -> (i32)",
                                        describe(&ty.0, &ty.1)
                                    );
                                }
                                imports_host_inc = true;
                            } else {
                                bail!(
                                    "the guest imports function {}.{}, which this host does not provide (only env.host_inc)",
                                    imp.module,
                                    imp.name
                                );
                            }
                            funcs.push(t);
                        }
                        _ => bail!(
                            "the guest imports {}.{} (not a function), which this host does not provide",
                            imp.module,
                            imp.name
                        ),
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    funcs.push(t?);
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e?;
                    raw_exports.push((e.name.to_string(), e.kind, e.index));
                }
            }
            _ => {}
        }
    }
    for (name, kind, index) in raw_exports {
        let export = match kind {
            ExternalKind::Func => {
                let t = funcs.get(index as usize).and_then(|t| types.get(*t as usize)).cloned().unwrap_or_default();
                Export::Func(t.0, t.1)
            }
            ExternalKind::Memory => Export::Other("memory"),
            ExternalKind::Global => Export::Other("global"),
            ExternalKind::Table => Export::Other("table"),
            _ => Export::Other("tag"),
        };
        exports.insert(name, export);
    }
    Ok(ModInfo { exports, imports_host_inc })
}

/// Exports the shim wraps: names wasm2c keeps as they are in C, of numeric types, at
/// most one result.
fn wrappable(name: &str, params: &[ValType], results: &[ValType]) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && results.len() <= 1
        && params.iter().chain(results).all(|t| *t != ValType::Other)
}

fn ctype(t: ValType) -> &'static str {
    match t {
        ValType::I32 => "u32",
        ValType::I64 => "u64",
        ValType::F32 => "f32",
        ValType::F64 => "f64",
        ValType::Other => unreachable!("filtered by wrappable"),
    }
}

/// The C shim compiled with the module: wasm2c's runtime (included as source, so that
/// the trap handler can be ours), env.host_inc, instantiation, and one guarded wrapper
/// per export.
fn shim(info: &ModInfo) -> String {
    let mut s = String::new();
    s.push_str(
        r#"/* Generated by interop-bench (crates/host/src/runtimes/wasm2c.rs). */
#include <signal.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include "wasm-rt.h"
void interop_trap(wasm_rt_trap_t code);
#define WASM_RT_TRAP_HANDLER interop_trap
#include "wasm-rt-impl.c"
#include "guest.h"

/* Set while a guarded call runs on this thread (the Rust side uses instances from one
   thread at a time; per thread so that a fault in another thread is never taken for a
   trap). initial-exec: a plain %fs-relative access, no __tls_get_addr call per guard. */
static __thread volatile sig_atomic_t interop_guarded __attribute__((tls_model("initial-exec")));

void interop_trap(wasm_rt_trap_t code) {
  if (interop_guarded) {
    interop_guarded = 0;
    WASM_RT_LONGJMP(wasm_rt_jmp_buf, code);
  }
  fprintf(stderr, "wasm2c: trap (%s) in an unguarded call: nothing can catch it, the process aborts\n",
          wasm_rt_strerror(code));
  abort();
}

#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
static struct sigaction interop_prev_segv, interop_prev_bus;
/* wasm2c's handler turns every SIGSEGV into a trap; outside a guarded call the fault is
   not ours: hand it to the handler that was installed before. */
static void interop_on_fault(int sig, siginfo_t* si, void* uc) {
  if (interop_guarded) {
    os_signal_handler(sig, si, uc);
    return;
  }
  struct sigaction* prev = sig == SIGBUS ? &interop_prev_bus : &interop_prev_segv;
  if ((prev->sa_flags & SA_SIGINFO) && prev->sa_sigaction) {
    prev->sa_sigaction(sig, si, uc);
  } else if (!(prev->sa_flags & SA_SIGINFO) && prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN) {
    prev->sa_handler(sig);
  } else {
    signal(sig, SIG_DFL); /* the faulting access runs again and kills the process */
  }
}
#endif

static int interop_ready;
static void interop_init_once(void) {
  if (interop_ready) return;
  interop_ready = 1;
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
  sigaction(SIGSEGV, NULL, &interop_prev_segv);
  sigaction(SIGBUS, NULL, &interop_prev_bus);
#endif
  wasm_rt_init();
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
  struct sigaction sa;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  sa.sa_sigaction = interop_on_fault;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
#endif
}

/* wasm2c's module init asserts that the runtime is initialised (signal handler installed). */
void interop_init_module(void) {
  interop_init_once();
  Z_guest_init_module();
}
size_t interop_instance_size(void) { return sizeof(Z_guest_instance_t); }
"#,
    );
    if info.imports_host_inc {
        s.push_str(
            "struct Z_env_instance_t { int unused; };\nstatic struct Z_env_instance_t interop_env;\n\
             u32 Z_envZ_host_inc(struct Z_env_instance_t* env, u32 x) { (void)env; return x + 1; }\n",
        );
    }
    let env_arg = if info.imports_host_inc { ", &interop_env" } else { "" };
    let _ = write!(
        s,
        r#"
int interop_instantiate(Z_guest_instance_t* inst) {{
  wasm_rt_trap_t code = wasm_rt_impl_try();
  if (code != WASM_RT_TRAP_NONE) return code;
  interop_guarded = 1;
  Z_guest_instantiate(inst{env_arg});
  interop_guarded = 0;
  return 0;
}}
/* The guarded_batch call API: one guard around a whole batch of calls, which body
   (Rust) makes over plain FFI. A trap longjmps here, out of body: the rest of the batch
   is lost. */
int interop_batch(void (*body)(void*), void* ctx) {{
  wasm_rt_trap_t code = wasm_rt_impl_try();
  if (code != WASM_RT_TRAP_NONE) return code;
  interop_guarded = 1;
  body(ctx);
  interop_guarded = 0;
  return 0;
}}
const char* interop_strerror(int code) {{ return wasm_rt_strerror((wasm_rt_trap_t)code); }}
"#
    );
    match info.exports.get("memory") {
        Some(Export::Other("memory")) => {
            s.push_str("wasm_rt_memory_t* interop_memory(Z_guest_instance_t* inst) { return Z_guestZ_memory(inst); }\n");
            // WABT 1.0.32's wasm_rt_free_memory unmaps only the memory's current size of the
            // 8 GiB it reserved (guard-page build): every freed instance leaked about 8 GiB of
            // address space, and after some 16,000 instantiations (a default run's
            // `instantiate` and `first_call` rows) os_mmap failed and the runtime aborted the
            // worker. The shim unmaps the rest of the reservation itself.
            s.push_str(
                "void interop_free(Z_guest_instance_t* inst) {\n\
                 #if WASM_RT_MEMCHECK_SIGNAL_HANDLER\n\
                 \x20 wasm_rt_memory_t* m = Z_guestZ_memory(inst);\n\
                 \x20 uint8_t* base = m->data;\n\
                 \x20 uint64_t size = m->size;\n\
                 #endif\n\
                 \x20 Z_guest_free(inst);\n\
                 #if WASM_RT_MEMCHECK_SIGNAL_HANDLER\n\
                 \x20 if (base && size < 0x200000000ull) munmap(base + size, 0x200000000ull - size);\n\
                 #endif\n\
                 }\n",
            );
        }
        _ => {
            s.push_str("wasm_rt_memory_t* interop_memory(Z_guest_instance_t* inst) { (void)inst; return NULL; }\n");
            s.push_str("void interop_free(Z_guest_instance_t* inst) { Z_guest_free(inst); }\n");
        }
    }
    let mut names: Vec<_> = info.exports.keys().collect();
    names.sort();
    for name in names {
        let Export::Func(params, results) = &info.exports[name] else { continue };
        if !wrappable(name, params, results) {
            continue;
        }
        let mut decl = String::new();
        let mut args = String::new();
        for (i, p) in params.iter().enumerate() {
            let _ = write!(decl, ", {} a{i}", ctype(*p));
            let _ = write!(args, ", a{i}");
        }
        let (out, assign) = match results.first() {
            Some(r) => (format!(", {}* out", ctype(*r)), "*out = "),
            None => (String::new(), ""),
        };
        let _ = write!(
            s,
            r#"
int interop_g_{name}(Z_guest_instance_t* inst{decl}{out}) {{
  wasm_rt_trap_t code = wasm_rt_impl_try();
  if (code != WASM_RT_TRAP_NONE) return code;
  interop_guarded = 1;
  {assign}Z_guestZ_{name}(inst{args});
  interop_guarded = 0;
  return 0;
}}
"#
        );
    }
    s
}

fn run_tool(cmd: &mut Command, what: &str) -> Result<()> {
    let out =
        cmd.output().with_context(|| format!("cannot run {what} ({cmd:?}); scripts/install-deps.sh installs it"))?;
    if !out.status.success() {
        bail!("{what} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

/// Translates `wasm` to `dir/guest.c` with wasm2c (which validates first).
fn translate(wasm: &[u8], dir: &Path) -> Result<()> {
    std::fs::write(dir.join("guest.wasm"), wasm)?;
    let out = Command::new("wasm2c")
        .arg("guest.wasm")
        .args(["-n", "guest", "-o", "guest.c"])
        .current_dir(dir)
        .output()
        .context("cannot run wasm2c: install Debian's wabt (scripts/install-deps.sh)")?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr).trim().to_string();
        if msg.is_empty() {
            // wasm2c 1.0.32 aborts without a word on some modules (e.g. SIMD lane ops).
            bail!("wasm2c {VERSION} could not translate the module: it {} without a message", out.status);
        }
        bail!("wasm2c {VERSION} rejected the module (it validates before translating): {msg}");
    }
    Ok(())
}

/// Translates and compiles `wasm` in `dir`; returns the shared object's path.
fn build(wasm: &[u8], info: &ModInfo, dir: &Path, cflags: &[&str]) -> Result<PathBuf> {
    if !Path::new(RUNTIME_DIR).join("wasm-rt-impl.c").exists() {
        bail!("wasm2c's runtime ({RUNTIME_DIR}/wasm-rt-impl.c) is missing: install Debian's wabt (scripts/install-deps.sh)");
    }
    translate(wasm, dir)?;
    std::fs::write(dir.join("shim.c"), shim(info))?;
    let so = dir.join("guest.so");
    run_tool(
        Command::new("cc")
            .args(["-O2", "-fPIC", "-shared", "-w", "-o"])
            .arg(&so)
            .args(["guest.c", "shim.c", "-I."])
            .arg(format!("-I{RUNTIME_DIR}"))
            .args(cflags)
            .arg("-lm")
            .current_dir(dir),
        "the C compiler (cc)",
    )?;
    Ok(so)
}

fn cache_root() -> Result<PathBuf> {
    let base = match std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => {
            PathBuf::from(std::env::var_os("HOME").ok_or_else(|| anyhow!("neither XDG_CACHE_HOME nor HOME is set"))?)
                .join(".cache")
        }
    };
    Ok(base.join("interop-bench").join("wasm2c"))
}

type InitFn = unsafe extern "C" fn();
type SizeFn = unsafe extern "C" fn() -> usize;
type InstFn = unsafe extern "C" fn(*mut c_void) -> c_int;
type FreeFn = unsafe extern "C" fn(*mut c_void);
type MemFn = unsafe extern "C" fn(*mut c_void) -> *mut RtMemory;
type StrerrorFn = unsafe extern "C" fn(c_int) -> *const c_char;
type BatchBody = unsafe extern "C" fn(*mut c_void);
type BatchFn = unsafe extern "C" fn(BatchBody, *mut c_void) -> c_int;

/// `wasm_rt_memory_t` of WABT 1.0.32.
#[repr(C)]
struct RtMemory {
    data: *mut u8,
    pages: u32,
    max_pages: u32,
    size: u32,
}

pub struct W2cModule {
    path: PathBuf,
    lib: Arc<Library>,
    info: ModInfo,
    size: usize,
    instantiate: InstFn,
    free: FreeFn,
    memory: MemFn,
    strerror: StrerrorFn,
    batch: BatchFn,
}

impl W2cModule {
    /// The shared object loaded (in the cache: the one every user of this module and
    /// build shares, e.g. the criterion bench `benches/wasm2c.rs` and the tool).
    pub fn shared_object(&self) -> &Path {
        &self.path
    }
}

/// Loads a shared object built by [`build`].
fn load(so: &Path, info: ModInfo) -> Result<W2cModule> {
    // SAFETY: the library is the one just built from the shim above; loading it runs no
    // initialisers of ours, and the symbols below have the C types the shim gives them.
    unsafe {
        let lib = Library::new(so).with_context(|| format!("loading {}", so.display()))?;
        let init: InitFn = *lib.get::<InitFn>(b"interop_init_module\0")?;
        let size: SizeFn = *lib.get::<SizeFn>(b"interop_instance_size\0")?;
        let instantiate: InstFn = *lib.get::<InstFn>(b"interop_instantiate\0")?;
        let free: FreeFn = *lib.get::<FreeFn>(b"interop_free\0")?;
        let memory: MemFn = *lib.get::<MemFn>(b"interop_memory\0")?;
        let strerror: StrerrorFn = *lib.get::<StrerrorFn>(b"interop_strerror\0")?;
        let batch: BatchFn = *lib.get::<BatchFn>(b"interop_batch\0")?;
        init();
        let path = so.to_path_buf();
        Ok(W2cModule { path, size: size(), lib: Arc::new(lib), info, instantiate, free, memory, strerror, batch })
    }
}

/// One thread at a time holds wasm2c instances (its runtime has one global jump buffer).
static OWNER: Mutex<(Option<std::thread::ThreadId>, usize)> = Mutex::new((None, 0));
static RELEASED: Condvar = Condvar::new();

fn acquire() {
    let me = std::thread::current().id();
    let mut g = OWNER.lock().unwrap_or_else(|e| e.into_inner());
    while matches!(g.0, Some(t) if t != me) {
        g = RELEASED.wait(g).unwrap_or_else(|e| e.into_inner());
    }
    g.0 = Some(me);
    g.1 += 1;
}

fn release() {
    let mut g = OWNER.lock().unwrap_or_else(|e| e.into_inner());
    g.1 -= 1;
    if g.1 == 0 {
        g.0 = None;
        RELEASED.notify_all();
    }
}

impl Engine for Wasm2c {
    type Module = W2cModule;
    type Instance = W2cInstance;
    type Pre = ();

    /// Not applicable, with the reasons: the guest's imports are C functions the shim
    /// defines (only `env.host_inc`), and WABT 1.0.32 as packaged ships no WASI runtime for
    /// wasm2c output (its uvwasi example is not part of the package).
    fn relink(&self, _imports: &[interop_core::plugin::Import], wasi: bool) -> Result<Self> {
        Err(crate::adapter::NotApplicable(if wasi {
            "no WASI implementation linked in this adapter: WABT 1.0.32's wasm2c, as packaged, ships no WASI \
             runtime for the C it generates (its uvwasi example is not part of the package)"
                .into()
        } else {
            "the wasm2c adapter's imports are C functions its generated shim defines, for env.host_inc only; a \
             scenario file's host functions are not generated"
                .into()
        })
        .into())
    }

    fn info(&self) -> EngineInfo {
        let (runtime, notes) = match self.flavor {
            Flavor::Signals => (
                "wasm2c",
                "WABT wasm2c (Debian wabt) + cc -O2, loaded as a shared object (cached by sha256); WABT's default build: \
                 guard pages and a SIGSEGV handler, guarded = each call in wasm_rt_impl_try (sigsetjmp saving the signal \
                 mask), guarded_batch = one guard around a whole timed batch of calls (a trap loses the rest of the \
                 batch and leaves the guest as the trap left it), unguarded = plain FFI (a trap aborts the process); \
                 compile = wasm2c + cc, 3 one-op samples at most; no fuel or epoch: a runaway guest is stopped \
                 only by killing the worker",
            ),
            Flavor::Bounds => (
                "wasm2c:bounds",
                "as wasm2c, built with WASM_RT_MEMCHECK_SIGNAL_HANDLER=0: explicit bounds checks, a call-depth counter \
                 for stack exhaustion, guarded = setjmp without the signal mask, no signal handler",
            ),
        };
        EngineInfo {
            runtime,
            engine: "wasm2c",
            version: VERSION,
            call_apis: CALL_APIS,
            mem_apis: &[MemApi::View],
            notes,
        }
    }

    fn compile(&self, wasm: &[u8]) -> Result<W2cModule> {
        let sha = hex::encode(Sha256::digest(wasm));
        let root = cache_root()?;
        // wasm2c validates: a module it rejects gets wasm2c's message, not wasmparser's.
        let info = match inspect(wasm) {
            Ok(i) => i,
            Err(e) => {
                translate(wasm, tempfile::tempdir()?.path())?;
                return Err(e);
            }
        };
        // Keyed by the module, the build and the shim: a change to any of them rebuilds.
        let mut key = Sha256::new();
        key.update(shim(&info));
        key.update(self.cflags().join(" "));
        let key = hex::encode(key.finalize());
        let dir = root.join(format!("{}-{}-{VERSION}-{}", &sha[..16], self.tag(), &key[..12]));
        let so = dir.join("guest.so");
        if !so.exists() {
            eprintln!("wasm2c: translating the guest {} to C and compiling it (once per module)...", &sha[..16]);
            std::fs::create_dir_all(&root).with_context(|| format!("wasm2c cache {}", root.display()))?;
            let tmp = tempfile::Builder::new().prefix(".build-").tempdir_in(&root)?;
            build(wasm, &info, tmp.path(), self.cflags())?;
            // Another thread or process may have finished first: either copy is good.
            let kept = tmp.keep();
            if std::fs::rename(&kept, &dir).is_err() {
                let _ = std::fs::remove_dir_all(&kept);
            }
        }
        let m = load(&so, info)?;
        // Never unloaded: loading installed the runtime's signal handler from it.
        std::mem::forget(m.lib.clone());
        Ok(m)
    }

    fn instantiate(&self, module: &W2cModule) -> Result<W2cInstance> {
        let mut buf = vec![0u64; module.size.div_ceil(8).max(1)].into_boxed_slice();
        let ptr = buf.as_mut_ptr() as *mut c_void;
        acquire();
        // SAFETY: `buf` is zeroed, aligned and as large as Z_guest_instance_t.
        let code = unsafe { (module.instantiate)(ptr) };
        if code != 0 {
            release();
            bail!("instantiation trapped: {}", strerror(module, code));
        }
        // SAFETY: the instance was just made.
        let memory = unsafe { (module.memory)(ptr) };
        Ok(W2cInstance {
            buf,
            memory,
            lib: module.lib.clone(),
            info: module.info.clone(),
            free: module.free,
            strerror: module.strerror,
            batch: module.batch,
        })
    }

    fn measure_compile(&self, wasm: &[u8], cfg: &MeasureConfig) -> Option<Result<Samples>> {
        let run = || -> Result<Samples> {
            let info = inspect(wasm)?;
            let mut ns_per_op = Vec::new();
            let mut metrics = std::collections::BTreeMap::new();
            let mut stop = crate::measure::Stop::Fixed;
            for _ in 0..cfg.self_timed_samples(COMPILE_SAMPLES) {
                let sampled = Duration::from_nanos(ns_per_op.iter().sum::<f64>() as u64);
                if cfg.bound_reached(ns_per_op.len(), sampled) {
                    stop = crate::measure::Stop::TimeCap;
                    break;
                }
                let tmp = tempfile::tempdir()?;
                let t = Instant::now();
                let so = build(wasm, &info, tmp.path(), self.cflags())?;
                ns_per_op.push(t.elapsed().as_nanos() as f64);
                // Not loaded: loading initialises wasm2c's runtime, which installs a
                // process-wide signal handler from that copy, and it could never be
                // unloaded again. The check is that cc made a shared object.
                let size = std::fs::metadata(&so).map(|m| m.len()).unwrap_or(0);
                ensure!(size > 0, "cc made no shared object from the translation");
                metrics.insert("binary_bytes".to_string(), size as f64);
                let c = std::fs::metadata(tmp.path().join("guest.c")).map(|m| m.len()).unwrap_or(0);
                metrics.insert("c_source_bytes".to_string(), c as f64);
            }
            if let Some(rss) = children_peak_rss() {
                metrics.insert("peak_rss_bytes".to_string(), rss);
            }
            // A bounded few samples of one op each, whatever the precision target.
            Ok(Samples {
                iters_per_sample: 1,
                ns_per_op,
                metrics,
                stop,
                counted: None,
                machine_ref_ns: Vec::new(),
                sample_machine_ns: Vec::new(),
                machine_fast_ns: None,
            })
        };
        Some(run())
    }
}

/// The largest resident set of any process this one has waited for (wasm2c, cc and cc's
/// own subprocesses), in bytes: the peak memory of the build.
fn children_peak_rss() -> Option<f64> {
    // SAFETY: getrusage fills the struct it is given.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) } == 0;
    (ok && ru.ru_maxrss > 0).then(|| ru.ru_maxrss as f64 * 1024.0) // Linux: KiB
}

fn strerror(m: &W2cModule, code: c_int) -> String {
    // SAFETY: wasm_rt_strerror returns a static string.
    unsafe { CStr::from_ptr((m.strerror)(code)) }.to_string_lossy().into_owned()
}

pub struct W2cInstance {
    buf: Box<[u64]>,
    memory: *mut RtMemory,
    info: ModInfo,
    free: FreeFn,
    strerror: StrerrorFn,
    batch: BatchFn,
    lib: Arc<Library>,
}

impl Drop for W2cInstance {
    fn drop(&mut self) {
        // SAFETY: the instance was made by interop_instantiate and is freed once.
        unsafe { (self.free)(self.buf.as_mut_ptr() as *mut c_void) };
        release();
    }
}

type P = *mut c_void;

/// An export bound to one call API: the generated function itself (unguarded), its
/// guarded wrapper (returns the trap code, the result through a pointer), or the
/// generated function for calls inside a batch's guard only (`B*`: [`Instance::call_batch`]).
pub enum W2cFunc {
    BVV(unsafe extern "C" fn(P)),
    BIToI(unsafe extern "C" fn(P, u32) -> u32),
    BIIToI(unsafe extern "C" fn(P, u32, u32) -> u32),
    VV(unsafe extern "C" fn(P)),
    IToI(unsafe extern "C" fn(P, u32) -> u32),
    IIToI(unsafe extern "C" fn(P, u32, u32) -> u32),
    IIToV(unsafe extern "C" fn(P, u32, u32)),
    IIIIToV(unsafe extern "C" fn(P, u32, u32, u32, u32)),
    IIToL(unsafe extern "C" fn(P, u32, u32) -> u64),
    GVV(unsafe extern "C" fn(P) -> c_int),
    GIToI(unsafe extern "C" fn(P, u32, *mut u32) -> c_int),
    GIIToI(unsafe extern "C" fn(P, u32, u32, *mut u32) -> c_int),
    GIIToV(unsafe extern "C" fn(P, u32, u32) -> c_int),
    GIIIIToV(unsafe extern "C" fn(P, u32, u32, u32, u32) -> c_int),
    GIIToL(unsafe extern "C" fn(P, u32, u32, *mut u64) -> c_int),
}

impl W2cInstance {
    #[inline(always)]
    fn p(&mut self) -> P {
        self.buf.as_mut_ptr() as P
    }

    #[cold]
    fn trap(&self, code: c_int) -> anyhow::Error {
        // SAFETY: wasm_rt_strerror returns a static string.
        let why = unsafe { CStr::from_ptr((self.strerror)(code)) }.to_string_lossy().into_owned();
        anyhow!("wasm trap (caught by wasm2c's guard): {why}")
    }

    fn sym<T: Copy>(&self, name: &str) -> Result<T> {
        let mut n = name.as_bytes().to_vec();
        n.push(0);
        // SAFETY: T is the C type of the symbol, fixed by the export's checked signature.
        unsafe { Ok(*self.lib.get::<T>(&n).with_context(|| format!("symbol {name} in the compiled module"))?) }
    }

    #[inline(always)]
    fn mem(&mut self) -> Result<&mut [u8]> {
        if self.memory.is_null() {
            return Err(anyhow!("the guest exports no memory named `memory`"));
        }
        // SAFETY: the memory struct lives in the instance; data/size are read now, and no
        // guest code runs while the slice is alive.
        unsafe {
            let m = &*self.memory;
            Ok(std::slice::from_raw_parts_mut(m.data, m.size as usize))
        }
    }
}

#[cold]
fn wrong_binding() -> anyhow::Error {
    anyhow!("function bound for another signature, or for {GUARDED_BATCH} (called in a batch only)")
}

/// One batch of the `guarded_batch` call API, filled by [`W2cInstance::call_batch`] and
/// run by [`batch_body`] inside the shim's guard. Plain data only: nothing in it or in
/// `batch_body`'s frame has a destructor, so a trap's longjmp over that frame skips nothing.
struct BatchCtx {
    p: P,
    call: BatchCall,
    iters: u64,
    /// The first wrong result: (argument, result).
    wrong: Option<(i32, i32)>,
}

#[derive(Clone, Copy)]
enum BatchCall {
    VV(unsafe extern "C" fn(P)),
    Add(unsafe extern "C" fn(P, u32, u32) -> u32, i32),
    Host(unsafe extern "C" fn(P, u32) -> u32, i32),
}

/// The batch's calls, made by the shim's `interop_batch` inside its guard.
unsafe extern "C" fn batch_body(ctx: *mut c_void) {
    // SAFETY: ctx is the BatchCtx that call_batch passed, alive for the whole batch.
    let c = unsafe { &mut *(ctx as *mut BatchCtx) };
    let p = c.p;
    // SAFETY (the calls): fn pointers of this instance's library with their C types.
    match c.call {
        BatchCall::VV(f) => {
            for _ in 0..c.iters {
                unsafe { f(p) };
            }
        }
        BatchCall::Add(f, b) => {
            for i in 0..c.iters {
                let a = i as i32;
                let r = unsafe { f(p, a as u32, b as u32) } as i32;
                if r != a.wrapping_add(b) {
                    c.wrong = Some((a, r));
                    return;
                }
            }
        }
        BatchCall::Host(f, k) => {
            for _ in 0..c.iters {
                let r = unsafe { f(p, k as u32) } as i32;
                if r != k {
                    c.wrong = Some((k, r));
                    return;
                }
            }
        }
    }
}

#[cold]
fn out_of_bounds(offset: u32, len: usize) -> anyhow::Error {
    anyhow!("{len} bytes at {offset} are outside linear memory")
}

macro_rules! guarded {
    ($self:ident, $call:expr) => {{
        let code = $call;
        if code != 0 {
            return Err($self.trap(code));
        }
    }};
}

impl Instance for W2cInstance {
    type Func = W2cFunc;

    fn func(&mut self, export: &str, sig: Sig, api: &str) -> Result<W2cFunc> {
        let (guarded, batch) = match api {
            "guarded" => (true, false),
            "unguarded" => (false, false),
            GUARDED_BATCH => (false, true),
            _ => bail!("wasm2c has no call API `{api}` (it has {CALL_APIS:?})"),
        };
        let (params, results) = match self.info.exports.get(export) {
            None => bail!("no function named `{export}` is exported"),
            Some(Export::Other(kind)) => bail!("export `{export}` is a {kind}, expected a function"),
            Some(Export::Func(p, r)) => (p.clone(), r.clone()),
        };
        check_sig(export, sig, &params, &results)?;
        if !wrappable(export, &params, &results) {
            bail!("export `{export}`: this adapter calls only exports named in [a-z0-9_]");
        }
        let plain = format!("Z_guestZ_{export}");
        let guard = format!("interop_g_{export}");
        if batch {
            return Ok(match sig {
                Sig::VV => W2cFunc::BVV(self.sym(&plain)?),
                Sig::IToI => W2cFunc::BIToI(self.sym(&plain)?),
                Sig::IIToI => W2cFunc::BIIToI(self.sym(&plain)?),
                _ => bail!(
                    "export `{export}`: the {GUARDED_BATCH} call API batches no_op, add_numbers and call_host only"
                ),
            });
        }
        Ok(match (sig, guarded) {
            (Sig::VV, false) => W2cFunc::VV(self.sym(&plain)?),
            (Sig::IToI, false) => W2cFunc::IToI(self.sym(&plain)?),
            (Sig::IIToI, false) => W2cFunc::IIToI(self.sym(&plain)?),
            (Sig::IIToV, false) => W2cFunc::IIToV(self.sym(&plain)?),
            (Sig::IIIIToV, false) => W2cFunc::IIIIToV(self.sym(&plain)?),
            (Sig::IIToL, false) => W2cFunc::IIToL(self.sym(&plain)?),
            (Sig::VV, true) => W2cFunc::GVV(self.sym(&guard)?),
            (Sig::IToI, true) => W2cFunc::GIToI(self.sym(&guard)?),
            (Sig::IIToI, true) => W2cFunc::GIIToI(self.sym(&guard)?),
            (Sig::IIToV, true) => W2cFunc::GIIToV(self.sym(&guard)?),
            (Sig::IIIIToV, true) => W2cFunc::GIIIIToV(self.sym(&guard)?),
            (Sig::IIToL, true) => W2cFunc::GIIToL(self.sym(&guard)?),
        })
    }

    // SAFETY (every call below): the function pointers come from this instance's library
    // with the C types the shim and wasm2c give them, and the instance pointer is live.

    #[inline]
    fn call_vv(&mut self, f: &W2cFunc) -> Result<()> {
        let p = self.p();
        match f {
            W2cFunc::VV(f) => unsafe { f(p) },
            W2cFunc::GVV(f) => guarded!(self, unsafe { f(p) }),
            _ => return Err(wrong_binding()),
        }
        Ok(())
    }

    #[inline]
    fn call_i_i(&mut self, f: &W2cFunc, a: i32) -> Result<i32> {
        let p = self.p();
        Ok(match f {
            W2cFunc::IToI(f) => unsafe { f(p, a as u32) as i32 },
            W2cFunc::GIToI(f) => {
                let mut r = 0u32;
                guarded!(self, unsafe { f(p, a as u32, &mut r) });
                r as i32
            }
            _ => return Err(wrong_binding()),
        })
    }

    #[inline]
    fn call_ii_i(&mut self, f: &W2cFunc, a: i32, b: i32) -> Result<i32> {
        let p = self.p();
        Ok(match f {
            W2cFunc::IIToI(f) => unsafe { f(p, a as u32, b as u32) as i32 },
            W2cFunc::GIIToI(f) => {
                let mut r = 0u32;
                guarded!(self, unsafe { f(p, a as u32, b as u32, &mut r) });
                r as i32
            }
            _ => return Err(wrong_binding()),
        })
    }

    #[inline]
    fn call_ii_v(&mut self, f: &W2cFunc, a: i32, b: i32) -> Result<()> {
        let p = self.p();
        match f {
            W2cFunc::IIToV(f) => unsafe { f(p, a as u32, b as u32) },
            W2cFunc::GIIToV(f) => guarded!(self, unsafe { f(p, a as u32, b as u32) }),
            _ => return Err(wrong_binding()),
        }
        Ok(())
    }

    #[inline]
    fn call_iiii_v(&mut self, f: &W2cFunc, a: i32, b: i32, c: i32, d: i32) -> Result<()> {
        let p = self.p();
        match f {
            W2cFunc::IIIIToV(f) => unsafe { f(p, a as u32, b as u32, c as u32, d as u32) },
            W2cFunc::GIIIIToV(f) => guarded!(self, unsafe { f(p, a as u32, b as u32, c as u32, d as u32) }),
            _ => return Err(wrong_binding()),
        }
        Ok(())
    }

    #[inline]
    fn call_ii_l(&mut self, f: &W2cFunc, a: i32, b: i32) -> Result<i64> {
        let p = self.p();
        Ok(match f {
            W2cFunc::IIToL(f) => unsafe { f(p, a as u32, b as u32) as i64 },
            W2cFunc::GIIToL(f) => {
                let mut r = 0u64;
                guarded!(self, unsafe { f(p, a as u32, b as u32, &mut r) });
                r as i64
            }
            _ => return Err(wrong_binding()),
        })
    }

    fn call_batch(&mut self, f: &W2cFunc, op: BatchOp, iters: u64) -> Result<()> {
        let call = match (f, op) {
            (W2cFunc::BVV(f), BatchOp::NoOp) => BatchCall::VV(*f),
            (W2cFunc::BIIToI(f), BatchOp::Add { b }) => BatchCall::Add(*f, b),
            (W2cFunc::BIToI(f), BatchOp::CallHost { k }) => BatchCall::Host(*f, k),
            _ => return Err(wrong_binding()),
        };
        let mut ctx = BatchCtx { p: self.p(), call, iters, wrong: None };
        // SAFETY: interop_batch calls batch_body with &mut ctx inside wasm2c's guard; a
        // trap longjmps back into interop_batch over batch_body's plain old frame.
        let code = unsafe { (self.batch)(batch_body, &mut ctx as *mut BatchCtx as *mut c_void) };
        if code != 0 {
            return Err(anyhow!(
                "{} (it ended a batch of {iters} calls in one guard: the calls after it were lost, and the guest's \
                 state is what the trapping call left)",
                self.trap(code)
            ));
        }
        match (ctx.wrong, op) {
            (None, _) => Ok(()),
            (Some((a, r)), BatchOp::Add { b }) => bail!("add_numbers({a}, {b}) returned {r}"),
            (Some((k, r)), _) => bail!("call_host({k}) returned {r}: the host import did not run {k} times"),
        }
    }

    #[inline]
    fn write(&mut self, api: MemApi, offset: u32, data: &[u8]) -> Result<()> {
        if api != MemApi::View {
            bail!("wasm2c has no explicit memory copies");
        }
        let start = offset as usize;
        let dst = self.mem()?.get_mut(start..start + data.len()).ok_or_else(|| out_of_bounds(offset, data.len()))?;
        dst.copy_from_slice(data);
        Ok(())
    }

    #[inline]
    fn read(&mut self, api: MemApi, offset: u32, out: &mut [u8]) -> Result<()> {
        if api != MemApi::View {
            bail!("wasm2c has no explicit memory copies");
        }
        let start = offset as usize;
        let src = self.mem()?.get(start..start + out.len()).ok_or_else(|| out_of_bounds(offset, out.len()))?;
        out.copy_from_slice(src);
        Ok(())
    }

    fn memory_base(&mut self) -> Option<usize> {
        self.mem().ok().map(|m| m.as_ptr() as usize)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_is_the_installed_wasm2c() {
        let out =
            std::process::Command::new("wasm2c").arg("--version").output().expect("wasm2c (scripts/install-deps.sh)");
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), super::VERSION);
    }
}
