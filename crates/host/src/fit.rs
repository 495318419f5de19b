//! Before anything runs: is the guest a WebAssembly module at all, and does a scenario
//! file fit it (its exports, their signatures, the allocator, the imports the engines will
//! link)? Each of these would otherwise fail every row of every engine, one failure at a
//! time; read from the module itself (wasmparser), they are said once, all together.

use interop_core::plugin::{describe, LoadedPlugin, WasmType, WASI_MODULE};
use std::collections::BTreeMap;
use wasmparser::{CompositeInnerType, ExternalKind, FuncType, Parser, Payload, TypeRef, ValType, Validator, WasmFeatures};

/// Why the module is not WebAssembly any engine could take: wasmparser's validation with
/// every feature it knows, its message with the byte offset.
pub fn validate(wasm: &[u8]) -> Result<(), String> {
    Validator::new_with_features(WasmFeatures::all()).validate_all(wasm).map(|_| ()).map_err(one_line)
}

/// wasmparser's message on one line (its bad-magic message spreads the bytes over lines).
fn one_line(e: wasmparser::BinaryReaderError) -> String {
    format!("{} (at offset 0x{:x})", e.message().split_whitespace().collect::<Vec<_>>().join(" "), e.offset())
}

/// The adapters' own import when a file declares no `[[import]]` and no `wasi`
/// (adapter.rs: `env.host_inc(x) = x + 1`).
const BUILTIN_IMPORT: (&str, &str, &[WasmType], &[WasmType]) = ("env", "host_inc", &[WasmType::I32], &[WasmType::I32]);

/// What a module exports and imports, as the checks read it ([`Shape::read`], once).
#[derive(Debug, Default)]
pub struct Shape {
    /// Exported functions by name, with their types (None: a type outside the adapters'
    /// reach, such as a GC type).
    funcs: BTreeMap<String, Option<FuncType>>,
    /// Other exports by name, with their kind.
    others: BTreeMap<String, &'static str>,
    /// Imports: module, name, and the function's type (Ok(None): a type the adapters
    /// cannot call), or the kind of a non-function import (Err).
    imports: Vec<(String, String, Result<Option<FuncType>, &'static str>)>,
}

fn kind_name(k: ExternalKind) -> &'static str {
    match k {
        ExternalKind::Func | ExternalKind::FuncExact => "function",
        ExternalKind::Table => "table",
        ExternalKind::Memory => "memory",
        ExternalKind::Global => "global",
        ExternalKind::Tag => "tag",
    }
}

impl Shape {
    /// Reads the module's types, imports and exports (not a validation: [`validate`]).
    pub fn read(wasm: &[u8]) -> Result<Shape, String> {
        shape(wasm)
    }
}

fn shape(wasm: &[u8]) -> Result<Shape, String> {
    let mut types: Vec<Option<FuncType>> = Vec::new();
    let mut func_types: Vec<u32> = Vec::new();
    let mut exports = Vec::new();
    let mut s = Shape::default();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(one_line)? {
            Payload::TypeSection(r) => {
                for group in r {
                    for t in group.map_err(one_line)?.into_types() {
                        types.push(match t.composite_type.inner {
                            CompositeInnerType::Func(f) => Some(f),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp.map_err(one_line)?;
                    let ty = match imp.ty {
                        TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                            func_types.push(t);
                            Ok(types.get(t as usize).cloned().flatten())
                        }
                        TypeRef::Table(_) => Err("table"),
                        TypeRef::Memory(_) => Err("memory"),
                        TypeRef::Global(_) => Err("global"),
                        TypeRef::Tag(_) => Err("tag"),
                    };
                    s.imports.push((imp.module.to_string(), imp.name.to_string(), ty));
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    func_types.push(t.map_err(one_line)?);
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(one_line)?;
                    exports.push((e.name.to_string(), e.kind, e.index));
                }
            }
            _ => {}
        }
    }
    for (name, kind, index) in exports {
        match kind {
            ExternalKind::Func | ExternalKind::FuncExact => {
                let ty = func_types.get(index as usize).and_then(|&t| types.get(t as usize).cloned().flatten());
                s.funcs.insert(name, ty);
            }
            k => {
                s.others.insert(name, kind_name(k));
            }
        }
    }
    Ok(s)
}

fn wasm_type(t: WasmType) -> ValType {
    match t {
        WasmType::I32 => ValType::I32,
        WasmType::I64 => ValType::I64,
    }
}

fn same(ty: &FuncType, params: &[WasmType], results: &[WasmType]) -> bool {
    ty.params().iter().copied().eq(params.iter().map(|&t| wasm_type(t)))
        && ty.results().iter().copied().eq(results.iter().map(|&t| wasm_type(t)))
}

fn describe_func(ty: &Option<FuncType>) -> String {
    match ty {
        None => "a type the adapters cannot call".into(),
        Some(ty) => {
            let list = |ts: &[ValType]| ts.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ");
            format!("({}) -> ({})", list(ty.params()), list(ty.results()))
        }
    }
}

/// The export every adapter of both hosts reads and writes the guest's linear memory
/// through: the Rust host's look it up when they instantiate, the Go host's when a case
/// passes bytes (a scenario file's: every case).
pub const MEMORY_EXPORT: &str = "memory";

/// Why the adapters cannot reach the module's linear memory (None: they can): it exports
/// no memory named [`MEMORY_EXPORT`].
pub fn memory_problem(s: &Shape) -> Option<String> {
    const WHY: &str = "the adapters read and write the guest's linear memory through that export";
    match s.others.get(MEMORY_EXPORT) {
        Some(&"memory") => None,
        Some(kind) => Some(format!("the module's `{MEMORY_EXPORT}` is a {kind}, not its linear memory ({WHY})")),
        None if s.funcs.contains_key(MEMORY_EXPORT) => {
            Some(format!("the module's `{MEMORY_EXPORT}` is a function, not its linear memory ({WHY})"))
        }
        None => Some(format!(
            "the module exports no memory named `{MEMORY_EXPORT}` ({WHY}; a module without a memory can declare one: \
             `(memory (export \"memory\") 0)`)"
        )),
    }
}

/// Of `wanted` (export names), those the module does not export as functions.
pub fn missing_functions<'a>(s: &Shape, wanted: &[&'a str]) -> Vec<&'a str> {
    wanted.iter().copied().filter(|w| !s.funcs.contains_key(*w)).collect()
}

/// The module's imports (`module.name`) that the built-in scenarios do not link: they link
/// the adapters' own `env.host_inc` and nothing else (no WASI, no other host function).
pub fn unlinked_by_builtin(s: &Shape) -> Vec<String> {
    let (bm, bn, bp, br) = BUILTIN_IMPORT;
    s.imports
        .iter()
        .filter(|(m, n, ty)| !(m == bm && n == bn && matches!(ty, Ok(Some(t)) if same(t, bp, br))))
        .map(|(m, n, _)| format!("{m}.{n}"))
        .collect()
}

/// Every way the scenario file does not fit the module, one line each (empty: it fits).
/// Only what would fail on every engine is said: an export that is missing or not a
/// function, a signature that differs, an allocator export that is missing or of another
/// type, and an import that nothing the run links provides. Whether an engine's WASI has
/// every function the module imports is left to the engine (it names the import).
pub fn problems(s: &Shape, plugin: &LoadedPlugin) -> Vec<String> {
    let file = &plugin.file;
    let mut out: Vec<String> = memory_problem(s).into_iter().collect();
    let exported = || {
        let names: Vec<&str> = s.funcs.keys().map(String::as_str).collect();
        if names.is_empty() {
            "it exports no function".to_string()
        } else {
            format!("its exported functions: {}", names.join(", "))
        }
    };
    let mut export = |what: String, name: &str, params: &[WasmType], results: &[WasmType]| match s.funcs.get(name) {
        Some(ty) if ty.as_ref().is_some_and(|ty| same(ty, params, results)) => {}
        Some(ty) => out.push(format!(
            "{what}: the module's `{name}` is {}, the file says {}",
            describe_func(ty),
            describe(params, results)
        )),
        None => match s.others.get(name) {
            Some(kind) => out.push(format!("{what}: the module's `{name}` is a {kind}, not a function")),
            None => out.push(format!("{what}: the module exports no `{name}` ({})", exported())),
        },
    };
    if let Some(a) = &file.allocator {
        use WasmType::I32;
        export("[allocator] `allocate`".into(), &a.allocate, &[I32], &[I32]);
        if let Some(d) = &a.deallocate {
            export("[allocator] `deallocate`".into(), d, &[I32, I32], &[]);
        }
    }
    for sc in &file.scenarios {
        if let Some(name) = &sc.export {
            export(format!("scenario `{}`: `export`", sc.name()), name, sc.params(), &sc.results);
        }
    }
    // What the run links: the file's host functions and, with `wasi`, the engine's WASI;
    // with neither, the adapters' own env.host_inc.
    let declared: Vec<(&str, &str, &[WasmType], &[WasmType])> = if file.imports.is_empty() && !file.wasi {
        vec![BUILTIN_IMPORT]
    } else {
        file.imports.iter().map(|i| (i.module.as_str(), i.name.as_str(), i.params.as_slice(), i.results.as_slice())).collect()
    };
    for (module, name, ty) in &s.imports {
        let what = format!("the module imports `{module}.{name}`");
        match ty {
            Err(kind) => out.push(format!("{what}, a {kind}: no engine's linker is given one (only functions are linked)")),
            Ok(_) if module == WASI_MODULE && file.wasi => {}
            Ok(_) if module == WASI_MODULE => out.push(format!("{what} (WASI): set `wasi = true` to link each engine's own")),
            Ok(ty) => match declared.iter().find(|(m, n, _, _)| m == module && n == name) {
                Some((_, _, p, r)) if ty.as_ref().is_some_and(|ty| same(ty, p, r)) => {}
                Some((_, _, p, r)) => out.push(format!("{what} as {}, the file declares it {}", describe_func(ty), describe(p, r))),
                None if file.imports.is_empty() && !file.wasi => {
                    out.push(format!("{what}, which the file does not declare (add an [[import]] for it)"))
                }
                None => out.push(format!("{what}, which no [[import]] declares")),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const FILE: &str = r#"
schema = 1
[allocator]
allocate = "alloc"
deallocate = "free"
[[import]]
module = "env"
name = "log"
params = ["i32"]
results = ["i32"]
behaviour = "count"
[[scenario]]
name = "add"
export = "add"
params = ["i32", "i32"]
results = ["i32"]
args = [40, 2]
check = { value = 42 }
"#;

    const MODULE: &str = r#"(module
  (import "env" "log" (func (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "alloc") (param i32) (result i32) i32.const 16)
  (func (export "free") (param i32 i32)))"#;

    fn problems_of(file: &str, module: &str) -> Vec<String> {
        let plugin = LoadedPlugin::parse(file, Path::new("p.toml")).unwrap();
        problems(&Shape::read(&wat::parse_str(module).unwrap()).unwrap(), &plugin)
    }

    #[test]
    fn a_file_that_fits_its_module_has_no_problem() {
        assert_eq!(problems_of(FILE, MODULE), Vec::<String>::new());
    }

    #[test]
    fn every_misfit_is_named_at_once() {
        let module = MODULE
            .replace(r#"(export "add") (param i32 i32)"#, r#"(export "add") (param i64 i32)"#)
            .replace(r#"(export "free")"#, r#"(export "release")"#)
            .replace(r#"(import "env" "log""#, r#"(import "env" "trace""#);
        let p = problems_of(FILE, &module);
        assert_eq!(p.len(), 3, "{p:#?}");
        assert!(p[0].contains("`deallocate`") && p[0].contains("no `free`") && p[0].contains("add, alloc, release"), "{}", p[0]);
        assert!(p[1].contains("scenario `add`") && p[1].contains("(i64, i32) -> (i32)"), "{}", p[1]);
        assert!(p[2].contains("`env.trace`") && p[2].contains("no [[import]]"), "{}", p[2]);
    }

    #[test]
    fn wasi_imports_need_wasi_and_non_function_imports_are_named() {
        let module = MODULE.replace(
            r#"(memory (export "memory") 1)"#,
            r#"(import "wasi_snapshot_preview1" "proc_exit" (func (param i32))) (import "env" "mem" (memory 1)) (export "memory" (memory 0))"#,
        );
        let file = FILE.replace("export = \"add\"", "export = \"memory\"");
        let p = problems_of(&file, &module);
        assert!(p.iter().any(|l| l.contains("proc_exit") && l.contains("wasi = true")), "{p:#?}");
        assert!(p.iter().any(|l| l.contains("`env.mem`, a memory")), "{p:#?}");
        assert!(p.iter().any(|l| l.contains("`memory` is a memory, not a function")), "{p:#?}");
        let with_wasi = file.replace("schema = 1", "schema = 1\nwasi = true");
        assert!(!problems_of(&with_wasi, &module).iter().any(|l| l.contains("proc_exit")));
    }

    #[test]
    fn without_imports_the_builtin_host_function_is_what_is_linked() {
        let file = FILE.replace("[[import]]\nmodule = \"env\"\nname = \"log\"\nparams = [\"i32\"]\nresults = [\"i32\"]\nbehaviour = \"count\"\n", "");
        let p = problems_of(&file, MODULE);
        assert!(p.len() == 1 && p[0].contains("`env.log`") && p[0].contains("add an [[import]]"), "{p:#?}");
        let host_inc = MODULE.replace(r#""env" "log""#, r#""env" "host_inc""#);
        assert_eq!(problems_of(&file, &host_inc), Vec::<String>::new());
    }

    #[test]
    fn a_module_without_a_memory_named_memory_is_a_misfit() {
        let module = MODULE.replace(r#"(memory (export "memory") 1)"#, "");
        let p = problems_of(FILE, &module);
        assert!(p.len() == 1 && p[0].contains("exports no memory named `memory`"), "{p:#?}");
        let renamed = MODULE.replace(r#"(export "memory")"#, r#"(export "mem")"#);
        let shape = |m: &str| Shape::read(&wat::parse_str(m).unwrap()).unwrap();
        assert!(memory_problem(&shape(&renamed)).is_some());
        assert_eq!(memory_problem(&shape(MODULE)), None);
    }

    #[test]
    fn missing_functions_are_those_not_exported_as_functions() {
        let s = Shape::read(&wat::parse_str(MODULE).unwrap()).unwrap();
        assert_eq!(missing_functions(&s, &["add", "no_op", "memory", "alloc"]), ["no_op", "memory"]);
    }

    #[test]
    fn the_builtin_scenarios_link_env_host_inc_and_nothing_else() {
        let wasm = |imports: &str| Shape::read(&wat::parse_str(format!("(module {imports} (memory (export \"memory\") 1))")).unwrap()).unwrap();
        assert!(unlinked_by_builtin(&wasm(r#"(import "env" "host_inc" (func (param i32) (result i32)))"#)).is_empty());
        let other = wasm(
            r#"(import "env" "host_inc" (func (param i64) (result i32))) (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))"#,
        );
        assert_eq!(unlinked_by_builtin(&other), ["env.host_inc", "wasi_snapshot_preview1.fd_write"]);
    }

    #[test]
    fn what_is_not_webassembly_is_said_with_its_offset() {
        let e = validate(b"garbage!").unwrap_err();
        assert!(e.contains("magic") && e.contains("offset 0x0") && !e.contains('\n'), "{e}");
        assert!(validate(&wat::parse_str(MODULE).unwrap()).is_ok());
    }
}
