//! User scenario files (docs/scenario-files.md) end to end, and the cross-host conformance
//! of the built-in suite: one tiny-sample run from the Rust worker and the Go driver must
//! give the same scenarios, parameters, memory APIs, not-applicable entries and input
//! digests. Structure and digests are checked, never a time.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A run of the tiniest measurement (one short sample a row).
fn run(args: &[&str], out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_interop-bench"))
        .current_dir(root())
        .args(["run", "--quick", "--samples", "1", "--warmup-ms", "0", "--target-sample-ms", "0.05", "--no-progress"])
        .arg("--out")
        .arg(out)
        .args(args)
        .output()
        .unwrap()
}

fn load(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn go_present() -> bool {
    let ok = Command::new("go").arg("version").output().map(|o| o.status.success()).unwrap_or(false);
    if !ok {
        eprintln!("no Go toolchain: the cross-host checks need the Go driver");
    }
    ok
}

fn sha256_hex(b: &[u8]) -> String {
    interop_core::plugin::sha256_hex(b)
}

fn rows<'a>(v: &'a Value, host: &str) -> Vec<&'a Value> {
    v["results"].as_array().unwrap().iter().filter(|r| r["host"] == host && r["runtime"] != "native").collect()
}

/// `(scenario, params as text)` → the input digests of that case's rows (one per API).
fn digests(rows: &[&Value]) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut m: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for r in rows {
        let key = (r["scenario"].as_str().unwrap().to_string(), r["params"].to_string());
        let d = r["input_sha256"].as_str().unwrap_or("none").to_string();
        m.entry(key).or_default().insert(d);
    }
    m
}

#[test]
fn both_hosts_run_the_same_builtin_cases_on_the_same_input_bytes() {
    if !go_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let o = run(&["--hosts", "rust,go", "--runtimes", "wasmtime,wazero:interpreter"], &out);
    assert!(o.status.success(), "stdout:\n{}\nstderr:\n{}", text(&o.stdout), text(&o.stderr));
    let v = load(&out);
    // Schema 2: failures and not-applicable entries are separate lists.
    let failed = v["failures"].as_array().unwrap();
    assert!(failed.is_empty(), "failures: {failed:#?}");
    let na_list = v["not_applicable"].as_array().unwrap();

    let list = interop_core::scenario::ScenarioList::builtin();
    let (rust, go) = (rows(&v, "rust"), rows(&v, "go"));
    let whole_na = |host: &str| -> BTreeSet<String> {
        na_list
            .iter()
            .filter(|f| f["host"] == host && f["api"].as_str().unwrap_or("").is_empty())
            .map(|f| f["scenario"].as_str().unwrap().to_string())
            .collect()
    };
    let (rust_na, go_na) = (whole_na("rust"), whole_na("go"));
    for s in list.scenarios.iter().filter(|s| s.target == interop_core::scenario::Target::Wasm) {
        let in_rows = |rows: &[&Value]| rows.iter().any(|r| r["scenario"] == s.name.as_str());
        // Every scenario is accounted for in both hosts: rows, or not applicable with a reason.
        assert!(in_rows(&rust) || rust_na.contains(&s.name), "rust: {} has no rows and no not-applicable entry", s.name);
        assert!(in_rows(&go) || go_na.contains(&s.name), "go: {} has no rows and no not-applicable entry", s.name);
    }
    // Scenarios one host cannot express by construction are named not applicable there.
    for s in ["noop_gc_off", "string_roundtrip_gc_load", "batch_crossing"] {
        assert!(rust_na.contains(s), "rust must say why not: {s}");
    }

    let (dr, dg) = (digests(&rust), digests(&go));
    let mut compared = 0;
    for (case, rd) in &dr {
        let Some(gd) = dg.get(case) else {
            // The case is missing in Go only if Go said why.
            assert!(go_na.contains(&case.0), "go has no rows for {case:?}");
            continue;
        };
        assert_eq!(rd.len(), 1, "rust fed different bytes to different APIs of {case:?}: {rd:?}");
        assert_eq!(rd, gd, "the hosts fed different bytes in {case:?}");
        compared += rd.iter().filter(|d| *d != "none").count();
    }
    for case in dg.keys() {
        assert!(dr.contains_key(case) || rust_na.contains(&case.0), "rust has no rows for {case:?}");
    }
    // Every byte-feeding scenario was compared, at every size.
    let feeding = ["copy_in", "copy_out", "string_roundtrip", "string_alloc_per_call", "sum_array", "sum_array_resident", "batch_add"];
    let want: usize = feeding.iter().map(|n| list.get(n).unwrap().values.len()).sum();
    assert_eq!(compared, want, "digests compared");
    // The memory scenarios vary over the same memory APIs in both hosts.
    let both = |s: &&interop_core::scenario::Scenario| !rust_na.contains(&s.name) && !go_na.contains(&s.name);
    for s in list.scenarios.iter().filter(|s| s.varies == interop_core::scenario::Varies::Memory).filter(both) {
        let apis = |rows: &[&Value]| -> BTreeSet<String> {
            rows.iter().filter(|r| r["scenario"] == s.name.as_str()).map(|r| r["api"].as_str().unwrap().to_string()).collect()
        };
        assert_eq!(apis(&rust), apis(&go), "{}: memory APIs", s.name);
    }
    // The canonical bytes (docs/scenario-files.md): the 51-byte string is the seed's.
    let seed = sha256_hex(b"hello_world_golang_performance_test_string_for_wasm");
    let key = ("string_roundtrip".to_string(), r#"{"bytes":51}"#.to_string());
    assert_eq!(dr[&key], BTreeSet::from([seed]));
}

#[test]
fn the_builtin_cases_as_a_scenario_file_run_verified_on_both_hosts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let hosts = if go_present() { "rust,go" } else { "rust" };
    let o = run(
        &["--hosts", hosts, "--runtimes", "wasmtime,wasmi,wazero:interpreter", "--scenario-file", "scenarios/builtin-as-file.toml"],
        &out,
    );
    assert!(o.status.success(), "stdout:\n{}\nstderr:\n{}", text(&o.stdout), text(&o.stderr));
    let v = load(&out);
    assert!(v["failures"].as_array().unwrap().is_empty(), "{:#?}", v["failures"]);
    let input = sha256_hex(&interop_core::plugin::canonical_text(64));
    for host in hosts.split(',') {
        let r = rows(&v, host);
        let names: BTreeSet<&str> = r.iter().map(|r| r["scenario"].as_str().unwrap()).collect();
        assert_eq!(names, BTreeSet::from(["noop_file", "add_file", "string_roundtrip_file", "instantiate_file"]), "{host}");
        assert!(r.iter().all(|r| r["verified"] == true), "{host}: every row checks its result");
        for row in r.iter().filter(|r| r["scenario"] == "string_roundtrip_file") {
            assert_eq!(row["params"]["bytes"], 64);
            assert_eq!(row["input_sha256"].as_str(), Some(input.as_str()));
        }
    }
}

/// `(scenario, params as text, input digest)` of every row of `runtime`.
fn cases_of(v: &Value, runtime: &str) -> BTreeSet<(String, String, String)> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["runtime"] == runtime)
        .map(|r| {
            let d = r["input_sha256"].as_str().unwrap_or("none").to_string();
            (r["scenario"].as_str().unwrap().to_string(), r["params"].to_string(), d)
        })
        .collect()
}

#[test]
fn the_example_plugins_build_and_run_with_wasi_where_linked() {
    // Built by the project's own command (adds the rustup target when missing; the C
    // toolchain comes from scripts/install-deps.sh).
    let b = Command::new(root().join("scripts/build-examples.sh")).output().unwrap();
    assert!(b.status.success(), "build-examples.sh:\n{}", text(&b.stderr));
    for (wasm, file) in [
        ("examples/rust-plugin/target/rust_plugin.wasm", "examples/rust-plugin/plugin.toml"),
        ("examples/c-plugin/target/c_plugin.wasm", "examples/c-plugin/plugin.toml"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r.json");
        let go = go_present();
        let (hosts, runtimes) = if go {
            ("rust,go", "wasmtime,wasmi,wasmer,wazero:compiler,wasmtime-go,wasmtime-capi")
        } else {
            ("rust", "wasmtime,wasmi,wasmer")
        };
        let o = run(&["--hosts", hosts, "--runtimes", runtimes, "--scenario-file", file, "--guest", wasm], &out);
        assert!(o.status.success(), "{wasm}: stdout:\n{}\nstderr:\n{}", text(&o.stdout), text(&o.stderr));
        let v = load(&out);
        assert!(v["failures"].as_array().unwrap().is_empty(), "{wasm}: {:#?}", v["failures"]);
        // Every engine of the selection links WASI (wasmer through wasmer-wasix): nothing is
        // not applicable.
        assert!(v["not_applicable"].as_array().unwrap().is_empty(), "{wasm}: {:#?}", v["not_applicable"]);
        let mut linked = vec!["wasmtime", "wasmi", "wasmer"];
        if go {
            linked.extend(["wazero:compiler", "wasmtime-go", "wasmtime-capi"]);
        }
        for rt in &linked {
            let r: Vec<&Value> = v["results"].as_array().unwrap().iter().filter(|r| r["runtime"] == *rt).collect();
            let greet: Vec<&&Value> = r.iter().filter(|r| r["scenario"] == "greet").collect();
            let sizes: BTreeSet<u64> = greet.iter().map(|r| r["params"]["bytes"].as_u64().unwrap()).collect();
            assert_eq!(sizes, BTreeSet::from([16, 1024]), "{wasm} on {rt}");
            for g in &greet {
                // Checked: the output's sha256 against the file's before timing, every sample after.
                let n = g["params"]["bytes"].as_u64().unwrap() as usize;
                assert_eq!(g["verified"], true);
                let want = sha256_hex(&interop_core::plugin::canonical_text(n));
                assert_eq!(g["input_sha256"].as_str(), Some(want.as_str()));
            }
            // Instantiation with the engine's WASI (wasi=1) and with its imports stubbed (wasi=0).
            let inst: BTreeSet<u64> = r
                .iter()
                .filter(|r| r["scenario"] == "greet_instantiate")
                .map(|r| r["params"]["wasi"].as_u64().unwrap())
                .collect();
            assert_eq!(inst, BTreeSet::from([0, 1]), "{wasm} on {rt}");
        }
        // Every engine that runs the file, of either host, gives the same cases and input bytes.
        for rt in &linked[1..] {
            assert_eq!(cases_of(&v, rt), cases_of(&v, "wasmtime"), "{wasm}: {rt} against wasmtime");
        }
    }
}

#[test]
fn a_wasi_function_the_engine_cannot_provide_is_named_with_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("m.wasm");
    let module = r#"(module
        (import "wasi_snapshot_preview1" "not_in_preview1" (func (param i32) (result i32)))
        (memory (export "memory") 1)
        (func (export "f") (param i32) (result i32) local.get 0 call 0))"#;
    std::fs::write(&wasm, wat::parse_str(module).unwrap()).unwrap();
    let file = dir.path().join("m.toml");
    let toml = "schema = 1\nwasi = true\n\n[[scenario]]\nname = \"f\"\nexport = \"f\"\nparams = [\"i32\"]\n\
                results = [\"i32\"]\nargs = [1]\ncheck = { value = 0 }\n";
    std::fs::write(&file, toml).unwrap();
    let out = dir.path().join("r.json");
    let go = go_present();
    let (hosts, runtimes) = if go {
        ("rust,go", "wasmtime,wasmi,wasmer,tinywasm,wazero:interpreter,wasmtime-go,wasmtime-capi")
    } else {
        ("rust", "wasmtime,wasmi,wasmer,tinywasm")
    };
    let (file, wasm) = (file.to_str().unwrap(), wasm.to_str().unwrap());
    let o = run(&["--hosts", hosts, "--runtimes", runtimes, "--scenario-file", file, "--guest", wasm], &out);
    assert_eq!(o.status.code(), Some(1), "stdout:\n{}\nstderr:\n{}", text(&o.stdout), text(&o.stderr));
    let err = text(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    let v = load(&out);
    assert!(v["results"].as_array().unwrap().iter().all(|r| r["runtime"] == "native"), "{:#?}", v["results"]);
    let mut with_wasi = vec!["wasmtime", "wasmi", "wasmer"];
    if go {
        with_wasi.extend(["wazero:interpreter", "wasmtime-go", "wasmtime-capi"]);
    }
    let failures = v["failures"].as_array().unwrap();
    for rt in with_wasi {
        let f: Vec<&Value> = failures.iter().filter(|f| f["runtime"] == rt).collect();
        assert!(!f.is_empty(), "{rt}: {failures:#?}");
        for f in f {
            let msg = f["error"].as_str().unwrap();
            assert!(msg.contains(&format!("{rt} could not instantiate")) && msg.contains("not_in_preview1"), "{rt}: {msg}");
        }
    }
    // An engine without WASI says so instead.
    let na = v["not_applicable"].as_array().unwrap();
    assert!(na.iter().any(|f| f["runtime"] == "tinywasm" && f["reason"].as_str().unwrap().contains("WASI")), "{na:#?}");
}

#[test]
fn a_wrong_scenario_file_is_refused_with_its_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    let good = std::fs::read_to_string(root().join("scenarios/builtin-as-file.toml")).unwrap();
    std::fs::write(&bad, good.replace("args = [40, 2]", "args = [40, \"b\"]")).unwrap();
    let o = run(&["--hosts", "rust", "--runtimes", "wasmtime", "--scenario-file", bad.to_str().unwrap()], &dir.path().join("r.json"));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    let line = good.lines().position(|l| l == "args = [40, 2]").unwrap() + 1;
    assert!(err.contains(&format!("line {line}")) && err.contains("`args`") && err.contains("`b`"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_files_host_function_is_linked_where_the_adapter_can_and_refused_where_not() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("m.wasm");
    let module = r#"(module
        (import "env" "seven" (func $seven (param i32) (result i32)))
        (memory (export "memory") 1)
        (func (export "f") (param i32) (result i32) local.get 0 local.get 0 call $seven i32.add))"#;
    std::fs::write(&wasm, wat::parse_str(module).unwrap()).unwrap();
    let file = dir.path().join("m.toml");
    let toml = r#"schema = 1
[[import]]
module = "env"
name = "seven"
params = ["i32"]
results = ["i32"]
behaviour = "constant"
value = 7

[[scenario]]
name = "plus_seven"
export = "f"
params = ["i32"]
results = ["i32"]
args = [35]
check = { value = 42 }
"#;
    std::fs::write(&file, toml).unwrap();
    let out = dir.path().join("r.json");
    let go = go_present();
    let (hosts, runtimes) = if go {
        ("rust,go", "wasmtime,wasmi,wasmer,wasm3,tinywasm,wasm2c,wazero:interpreter,wasmtime-go,wasmtime-capi")
    } else {
        ("rust", "wasmtime,wasmi,wasmer,wasm3,tinywasm,wasm2c")
    };
    let (file, wasm) = (file.to_str().unwrap(), wasm.to_str().unwrap());
    let o = run(&["--hosts", hosts, "--runtimes", runtimes, "--scenario-file", file, "--guest", wasm], &out);
    assert!(o.status.success(), "stdout:\n{}\nstderr:\n{}", text(&o.stdout), text(&o.stderr));
    let v = load(&out);
    let mut linked = vec!["wasmtime", "wasmi", "wasmer", "wasm3", "tinywasm"];
    if go {
        linked.extend(["wazero:interpreter", "wasmtime-go", "wasmtime-capi"]);
    }
    for rt in linked {
        // The module's rows (the built-in guest's noop and add run beside them: the next test).
        let r: Vec<&Value> =
            v["results"].as_array().unwrap().iter().filter(|r| r["runtime"] == rt && r["guest_variant"] == "custom").collect();
        assert!(!r.is_empty() && r.iter().all(|r| r["scenario"] == "plus_seven" && r["verified"] == true), "{rt}: {r:#?}");
    }
    assert!(v["failures"].as_array().unwrap().is_empty(), "{:#?}", v["failures"]);
    let f = v["not_applicable"].as_array().unwrap();
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0]["runtime"], "wasm2c");
}

#[test]
fn a_users_cases_are_split_against_the_builtin_guests_crossing_on_the_same_engines() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("m.wasm");
    // f(x) = x + 1, and a memory with an allocator pair, so that the file frees the output:
    // two calls an operation, both with arguments.
    let module = r#"(module
        (memory (export "memory") 1)
        (func (export "alloc") (param i32) (result i32) i32.const 1024)
        (func (export "free") (param i32 i32))
        (func (export "echo") (param i32 i32) (result i64)
            local.get 0 i64.extend_i32_u i64.const 32 i64.shl local.get 1 i64.extend_i32_u i64.or))"#;
    std::fs::write(&wasm, wat::parse_str(module).unwrap()).unwrap();
    let file = dir.path().join("m.toml");
    let toml = r#"schema = 1
[allocator]
allocate = "alloc"
deallocate = "free"

[[scenario]]
name = "echo"
export = "echo"
params = ["i32", "i32"]
results = ["i64"]
args = ["in.ptr", "in.len"]
input = { text = "hello" }
output = "packed_ptr_len"
free_output = true
check = { sha256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" }
"#;
    std::fs::write(&file, toml).unwrap();
    let go = go_present();
    let (hosts, runtimes) = if go { ("rust,go", "wasmtime,wasmi,wazero:interpreter,wasmtime-go") } else { ("rust", "wasmtime,wasmi") };
    let (file, wasm) = (file.to_str().unwrap(), wasm.to_str().unwrap());
    let out = dir.path().join("r.json");
    let o = run(&["--hosts", hosts, "--runtimes", runtimes, "--scenario-file", file, "--guest", wasm], &out);
    assert!(o.status.success(), "stdout:\n{}\nstderr:\n{}", text(&o.stdout), text(&o.stderr));
    let v = load(&out);
    assert!(v["failures"].as_array().unwrap().is_empty(), "{:#?}", v["failures"]);
    assert_eq!(v["scenario_file"]["toml"], toml);
    // The file, its scenario file and its split as docs/results.schema.json documents them.
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(root().join("docs/results.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = v["results"].as_array().unwrap();
    let splits = v["derived"]["own_cases"].as_array().unwrap();
    // The advice is part of the model every report reads: one line per case and host.
    let advice = v["derived"]["own_advice"].as_array().unwrap();
    assert_eq!(advice.len(), hosts.split(',').count(), "{advice:#?}");
    let engines: Vec<&str> = runtimes.split(',').collect();
    for rt in &engines {
        // The built-in guest's noop and add, on every call API the module's rows used.
        let apis: BTreeSet<&str> =
            results.iter().filter(|r| r["runtime"] == *rt && r["guest_variant"] == "custom").map(|r| r["api"].as_str().unwrap()).collect();
        assert!(!apis.is_empty(), "{rt}");
        for api in &apis {
            for reference in ["noop", "add"] {
                assert!(
                    results.iter().any(|r| r["runtime"] == *rt && r["api"] == *api && r["scenario"] == reference && r.get("guest_variant").is_none()),
                    "{rt} {api}: no {reference} row of the built-in guest"
                );
            }
            let s: Vec<&Value> = splits.iter().filter(|s| s["runtime"] == *rt && s["api"] == *api).collect();
            assert_eq!(s.len(), 1, "{rt} {api}: {splits:#?}");
            let parts = s[0]["parts"].as_array().unwrap();
            let names: Vec<&str> = parts.iter().map(|p| p["name"].as_str().unwrap()).collect();
            assert_eq!(names, ["harness loop", "crossing", "arguments", "module"], "{rt} {api}");
            // Two calls an operation (echo, then free), both with arguments.
            for p in &parts[1..3] {
                assert!(p["derivation"].as_str().unwrap().starts_with("2 × "), "{p:#}");
            }
            // The parts add up to the row's total, none negative.
            let total = s[0]["total"].as_f64().unwrap();
            let sum: f64 = parts.iter().map(|p| p["shown"].as_f64().unwrap()).sum();
            assert!((sum - total).abs() <= 1e-9 * total, "{rt} {api}: {sum} vs {total}");
            assert!(parts.iter().all(|p| p["shown"].as_f64().unwrap() >= 0.0), "{parts:#?}");
        }
    }
    // Rebuilt from the file: the table, in the terminal report and in Markdown.
    for format in ["terminal", "markdown"] {
        let r = Command::new(env!("CARGO_BIN_EXE_interop-bench")).args(["report", "-f", format]).arg(&out).output().unwrap();
        let report = text(&r.stdout);
        assert!(r.status.success() && report.contains("Your scenarios: where the time goes") && report.contains("crossing"), "{report}");
        // And what to do about it: the cheapest path per case and host, with what it takes.
        assert!(report.contains("What to do about it, for your cases") && report.contains("echo (rust): wasm"), "{report}");
    }

    // The page beside the file: the split drawn per host, and the crossing it is made of.
    let html = std::fs::read_to_string(out.with_extension("html")).unwrap();
    assert!(html.contains("rust host: where the time of echo goes") && html.contains("rust host: calling an empty export (noop)"), "{html}");

    // --own-only: the file's cases alone, and nothing to split them by.
    let own = dir.path().join("own.json");
    let o = run(&["--hosts", "rust", "--runtimes", "wasmtime", "--scenario-file", file, "--guest", wasm, "--own-only"], &own);
    assert!(o.status.success(), "stderr:\n{}", text(&o.stderr));
    let v = load(&own);
    assert!(v["results"].as_array().unwrap().iter().all(|r| r["guest_variant"] == "custom"), "{:#?}", v["results"]);
    assert!(v["derived"].get("own_cases").is_none());
}
