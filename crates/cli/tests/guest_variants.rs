//! `run --guest-variants`: the same scenarios on several builds of the guest, each row marked
//! with its build, the builds described in the results file, a SIMD build not applicable on an
//! engine without SIMD, and the reports setting the builds side by side. Builds two variants
//! (cached in guest/target/variants/ after the first time). Structure only, never a time.

mod common;

use serde_json::Value;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_interop-bench"))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn each_variant_runs_the_selection_and_the_file_says_how_each_was_built() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let o = bin()
        .args(["run", "--quick", "--hosts", "rust", "--no-progress", "--runtimes", "wasmtime,wasmtime:bounds,wasm3"])
        .args(["--scenarios", "empty,native_sum/len=10000,native_sum_scalar/len=10000,sum_array_resident/len=10000"])
        .args(["--scenarios", "string_roundtrip/bytes=51,string_alloc_per_call/bytes=51"])
        .args(["--guest-variants", "o3,o3-simd,os-wee_alloc", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "stdout:\n{}\nstderr:\n{}", text(&o.stdout), text(&o.stderr));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();

    // The builds, first one first, each with its size, sha256 and flags.
    let variants = v["guest"]["variants"].as_array().unwrap();
    let names: Vec<&str> = variants.iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["o3", "o3-simd", "os-wee_alloc"]);
    let shas: std::collections::BTreeSet<&str> = variants.iter().map(|x| x["sha256"].as_str().unwrap()).collect();
    assert_eq!(shas.len(), 3, "three builds, three modules");
    for x in variants {
        assert!(x["size_bytes"].as_u64().unwrap() > 1000, "{x}");
        assert_eq!(x["sha256"].as_str().unwrap().len(), 64);
    }
    assert_eq!(v["guest"]["sha256"], variants[0]["sha256"], "the top-level guest is the first build");
    assert_eq!(variants[1]["build"]["rustflags"].as_str().unwrap().contains("simd128"), true);
    assert_eq!(variants[2]["build"]["opt-level"], "s");
    assert!(variants[2]["allocator_note"].as_str().unwrap().contains("unmaintained"));

    // Rows: the Wasm rows once per build, marked; the native baseline once.
    let rows = v["results"].as_array().unwrap();
    let variant_of = |r: &Value| r["guest_variant"].as_str().unwrap_or("o3").to_string();
    let count = |runtime: &str, scenario: &str, variant: &str| {
        rows.iter().filter(|r| r["runtime"] == runtime && r["scenario"] == scenario && variant_of(r) == variant).count()
    };
    for variant in ["o3", "o3-simd", "os-wee_alloc"] {
        assert_eq!(count("wasmtime", "sum_array_resident", variant), 1, "{variant}");
        assert!(count("wasmtime", "string_alloc_per_call", variant) >= 1, "{variant}");
    }
    assert_eq!(count("wasm3", "sum_array_resident", "os-wee_alloc"), 1);
    assert_eq!(count("native", "native_sum", "o3"), 1);
    assert_eq!(rows.iter().filter(|r| r["runtime"] == "native" && variant_of(r) != "o3").count(), 0);
    assert!(rows.iter().all(|r| r["verified"] == true));

    // wasm3 has no SIMD: the SIMD build is not applicable there, with the reason; not a failure.
    assert_eq!(count("wasm3", "sum_array_resident", "o3-simd"), 0);
    let na = v["not_applicable"].as_array().unwrap();
    assert!(
        na.iter().any(|n| n["runtime"] == "wasm3"
            && n["guest_variant"] == "o3-simd"
            && n["reason"].as_str().unwrap().contains("WebAssembly SIMD")),
        "{na:?}"
    );
    assert!(v["failures"].as_array().unwrap().is_empty(), "{}", v["failures"]);

    // What the analysis makes of it: a round trip per allocator, SIMD, bounds checks, the chain.
    let breakdown = v["derived"]["breakdown"].as_array().unwrap();
    let has = |c: &str, variant: &str| {
        breakdown.iter().any(|x| x["component"] == c && x["guest_variant"].as_str().unwrap_or("") == variant)
    };
    assert!(has("alloc_roundtrip", "") && has("alloc_roundtrip", "os-wee_alloc") && has("alloc_roundtrip", "o3-simd"));
    assert!(has("native_vectorization", "") && has("guest_simd", "") && has("bounds_checks", ""));
    let splits = v["derived"]["variant_splits"].as_array().unwrap();
    let chain = |build: &str| {
        let name = format!("sum_array_resident, guest {build}");
        splits.iter().find(|s| s["runtime"] == "wasmtime" && s["benchmark"] == name.as_str()).unwrap_or_else(|| panic!("{name}"))
    };
    let names = |s: &Value| -> Vec<String> { s["parts"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect() };
    assert_eq!(names(chain("o3")), ["native sum (vectorized)", "vectorization (native)", "Wasm code and the call", "bounds checks", "other"]);
    assert_eq!(names(chain("o3-simd")), ["native sum (vectorized)", "Wasm code and the call", "bounds checks", "other"]);
    for s in [chain("o3"), chain("o3-simd")] {
        let shown: f64 = s["parts"].as_array().unwrap().iter().map(|p| p["shown"].as_f64().unwrap()).sum();
        let total = s["total"].as_f64().unwrap();
        assert!((shown - total).abs() <= 1e-6 * total, "the steps add up: {shown} against {total}");
        assert!(s["parts"].as_array().unwrap().iter().all(|p| p["shown"].as_f64().unwrap() >= 0.0));
    }

    // The file is what the schema says.
    let errors = common::schema_errors(&v);
    assert!(errors.is_empty(), "{errors:?}");

    // The report sets the builds side by side and names the seed table's build.
    let report = bin().args(["report"]).arg(&out).output().unwrap();
    let s = text(&report.stdout);
    assert!(s.contains("Guest builds side by side") && s.contains("os-wee_alloc"), "{s}");
    assert!(s.contains("The compute, step by step"), "{s}");
    let md = bin().args(["report", "-f", "markdown"]).arg(&out).output().unwrap();
    assert!(text(&md.stdout).contains("### Guest builds side by side"));
}

#[test]
fn unknown_variants_and_a_users_module_with_variants_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let o = bin().args(["run", "--quick", "--hosts", "rust", "--guest-variants", "o3,o2", "--out"]).arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("unknown guest variant `o2`") && err.contains("os-wee_alloc"), "{err}");
    assert!(!out.exists());
    let o = bin().args(["run", "--quick", "--guest", "x.wasm", "--guest-variants", "os"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--guest-variants"), "{}", text(&o.stderr));
}

#[test]
fn list_names_every_variant_and_says_wee_alloc_is_unmaintained() {
    let o = bin().arg("list").output().unwrap();
    let s = text(&o.stdout);
    for name in ["o3 ", "os ", "o3-simd ", "os-wee_alloc ", "o3-talc "] {
        assert!(s.contains(name), "{name}: {s}");
    }
    assert!(s.contains("RUSTSEC-2022-0054"));
    assert!(s.contains("wasmtime:bounds"));
}
