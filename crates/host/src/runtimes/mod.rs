//! The registry: every runtime this build contains. Adding a runtime is adding a file
//! here and a line in [`registry`].

use crate::native::Native;
use crate::runner::Runtime;
#[allow(unused_imports)] // no Wasm engine in a build without engine features
use crate::runner::Wasm;

#[cfg(feature = "tinywasm")]
pub mod tinywasm;
#[cfg(feature = "wasm2c")]
pub mod wasm2c;
#[cfg(feature = "wasm3")]
pub mod wasm3;
#[cfg(feature = "wasmer")]
pub mod wasmer;
#[cfg(feature = "wasmi")]
pub mod wasmi;
#[cfg(feature = "wasmtime")]
pub mod wasmtime;

type Make = fn() -> Box<dyn Runtime>;

/// `(runtime name, constructor)` for every runtime compiled into this build, the native
/// baseline first. Constructing is deferred so a worker builds only the engine it runs.
fn registry() -> Vec<(&'static str, Make)> {
    #[allow(unused_mut)]
    let mut v: Vec<(&'static str, Make)> = vec![("native", || Box::new(Native))];
    #[cfg(feature = "wasmtime")]
    v.extend([
        ("wasmtime", (|| Box::new(Wasm(wasmtime::Wasmtime::cranelift()))) as Make),
        ("wasmtime:winch", || Box::new(Wasm(wasmtime::Wasmtime::winch()))),
        ("wasmtime:pulley", || Box::new(Wasm(wasmtime::Wasmtime::pulley()))),
        ("wasmtime:pooling", || Box::new(Wasm(wasmtime::Wasmtime::pooling()))),
        ("wasmtime:bounds", || Box::new(Wasm(wasmtime::Wasmtime::bounds()))),
    ]);
    #[cfg(feature = "wasmer")]
    v.extend([
        ("wasmer", (|| Box::new(Wasm(wasmer::Wasmer::cranelift()))) as Make),
        ("wasmer:singlepass", || Box::new(Wasm(wasmer::Wasmer::singlepass()))),
        ("wasmer:bounds", || Box::new(Wasm(wasmer::Wasmer::cranelift_bounds()))),
        ("wasmer:singlepass:bounds", || Box::new(Wasm(wasmer::Wasmer::singlepass_bounds()))),
    ]);
    #[cfg(feature = "wasmi")]
    v.extend([
        ("wasmi", (|| Box::new(Wasm(wasmi::Wasmi::lazy()))) as Make),
        ("wasmi:eager", || Box::new(Wasm(wasmi::Wasmi::eager()))),
    ]);
    #[cfg(feature = "wasm3")]
    v.push(("wasm3", || Box::new(Wasm(wasm3::Wasm3::default()))));
    #[cfg(feature = "tinywasm")]
    v.push(("tinywasm", || Box::new(Wasm(tinywasm::TinyWasm::default()))));
    #[cfg(feature = "wasm2c")]
    v.extend([
        ("wasm2c", (|| Box::new(Wasm(wasm2c::Wasm2c::signals()))) as Make),
        ("wasm2c:bounds", || Box::new(Wasm(wasm2c::Wasm2c::bounds()))),
    ]);
    v
}

/// The type of function export `name` read from the module's bytes, for engines that
/// cannot say what type a function they rejected has. `None` if there is no such export.
#[cfg(feature = "wasm3")]
pub(crate) fn export_type(
    wasm: &[u8],
    name: &str,
) -> Option<(Vec<crate::adapter::ValType>, Vec<crate::adapter::ValType>)> {
    use crate::adapter::ValType;
    use wasmparser::{ExternalKind, Parser, Payload, TypeRef};
    let vt = |t: &wasmparser::ValType| match t {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        _ => ValType::Other,
    };
    let (mut types, mut funcs, mut index) = (Vec::new(), Vec::new(), None);
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.ok()? {
            Payload::TypeSection(r) => {
                for ty in r.into_iter_err_on_gc_types() {
                    let f = ty.ok()?;
                    types.push((f.params().iter().map(vt).collect(), f.results().iter().map(vt).collect()));
                }
            }
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    if let TypeRef::Func(t) = imp.ok()?.ty {
                        funcs.push(t);
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    funcs.push(t.ok()?);
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.ok()?;
                    if e.name == name && e.kind == ExternalKind::Func {
                        index = Some(e.index);
                    }
                }
            }
            _ => {}
        }
    }
    types.get(*funcs.get(index? as usize)? as usize).cloned()
}

/// The names of every runtime compiled into this build, the native baseline first.
pub fn names() -> Vec<&'static str> {
    registry().into_iter().map(|(n, _)| n).collect()
}

/// Every runtime compiled into this build, the native baseline first.
pub fn all() -> Vec<Box<dyn Runtime>> {
    registry().into_iter().map(|(_, make)| make()).collect()
}

/// The runtime called `name` (e.g. `wasmtime`, `wasmer:singlepass`, `native`).
pub fn find(name: &str) -> Option<Box<dyn Runtime>> {
    registry().into_iter().find(|(n, _)| *n == name).map(|(_, make)| make())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_names_match_what_each_runtime_calls_itself() {
        for ((name, _), rt) in registry().into_iter().zip(all()) {
            assert_eq!(name, rt.info().runtime);
        }
        let mut n = names();
        let len = n.len();
        n.sort();
        n.dedup();
        assert_eq!(n.len(), len, "runtime names must be unique");
    }

    /// `(package, version)` of every package in the workspace's Cargo.lock.
    fn locked() -> Vec<(String, String)> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock");
        let text = std::fs::read_to_string(path).expect("read Cargo.lock");
        let lock: ::toml::Table = text.parse().expect("parse Cargo.lock");
        lock["package"]
            .as_array()
            .expect("[[package]] in Cargo.lock")
            .iter()
            .map(|p| (p["name"].as_str().unwrap().to_string(), p["version"].as_str().unwrap().to_string()))
            .collect()
    }

    #[test]
    fn engine_versions_match_cargo_lock() {
        let locked = locked();
        let mut checked = 0;
        for rt in all() {
            let info = rt.info();
            // wasm2c is a Debian package, not a crate: its own test checks `wasm2c --version`.
            if info.runtime == "native" || info.engine == "wasm2c" {
                continue;
            }
            let versions: Vec<&str> =
                locked.iter().filter(|(n, _)| *n == info.engine).map(|(_, v)| v.as_str()).collect();
            assert_eq!(
                versions,
                [info.version.as_str()],
                "{}: reports {} {}, Cargo.lock has {versions:?}",
                info.runtime,
                info.engine,
                info.version
            );
            checked += 1;
        }
        assert!(checked > 0 || cfg!(not(any(feature = "wasmtime", feature = "wasmi", feature = "wasmer"))));
    }
}
