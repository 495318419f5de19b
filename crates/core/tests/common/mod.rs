// Shared by the integration tests (included with `mod common;`).
#![allow(dead_code)]

use interop_core::results::ResultsFile;
use std::path::PathBuf;

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn goldens() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// A fixture with every derived field rebuilt from its raw samples, as `report` does.
pub fn load(name: &str) -> ResultsFile {
    let mut r = ResultsFile::load(&fixtures().join(name)).unwrap_or_else(|e| panic!("{e}"));
    r.rederive();
    r
}

/// Compares `actual` with the golden file `name`; rewrites it when UPDATE_GOLDEN=1.
pub fn check_golden(name: &str, actual: &str) {
    let path = goldens().join(name);
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::create_dir_all(goldens()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("no golden file {}: run the tests with UPDATE_GOLDEN=1 to write it", path.display()));
    if expected != actual {
        let line = expected.lines().zip(actual.lines()).position(|(a, b)| a != b).unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output at line {}:\n  golden: {:?}\n  actual: {:?}\n(UPDATE_GOLDEN=1 rewrites the goldens; review the diff)",
            path.display(),
            line + 1,
            expected.lines().nth(line).unwrap_or("<end>"),
            actual.lines().nth(line).unwrap_or("<end>")
        );
    }
}

/// A file shaped like a full run of both hosts: the fixture's wasmtime and wazero rows again
/// under the names of every engine of a default run (13 Rust, 7 Go).
pub fn full_run_like() -> interop_core::results::ResultsFile {
    let mut r = load("synthetic.json");
    let rust = ["wasmtime:winch", "wasmtime:pulley", "wasmtime:pooling", "wasmtime:bounds", "wasmer", "wasmer:singlepass", "wasmi:eager", "wasm3", "tinywasm", "wasm2c", "wasm2c:bounds"];
    let go = ["wasm2go", "wasmer-capi", "wasmer-go", "wasmtime-capi", "wasmtime-go", "wazero:interpreter"];
    let mut more = Vec::new();
    for row in &r.results {
        let names: &[&str] = match (row.key.host.as_str(), row.key.runtime.as_str()) {
            ("rust", "wasmtime") => &rust,
            ("go", "wazero") => &go,
            _ => &[],
        };
        for name in names {
            let mut x = row.clone();
            x.key.runtime = name.to_string();
            more.push(x);
        }
    }
    r.results.extend(more);
    r.rederive();
    r
}
