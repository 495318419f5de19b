//! `run --counts` end to end under valgrind (installed by scripts/install-deps.sh), small:
//! one interpreter engine, two scenarios, little work per row. Two back-to-back counts of
//! the same build pass a 0.5% instruction gate; the test-only knob that adds work to
//! `noop`'s loop fails it, naming the row; every report shows the counts.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_interop-bench"))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Counts of wasmi (an interpreter: no JIT, starts in a fraction of a second under valgrind).
fn counts(out: &Path, extra_work: Option<&str>) -> Output {
    let mut c = bin();
    c.args(["run", "--counts", "--hosts", "rust", "--runtimes", "wasmi", "--scenarios", "noop,add"])
        .args(["--count-work", "300000", "--count-repeats", "2", "--no-progress", "--out"])
        .arg(out)
        .env_remove("INTEROP_TEST_SLOW_SCENARIO");
    if let Some(v) = extra_work {
        c.env("INTEROP_TEST_SLOW_SCENARIO", v);
    }
    c.output().unwrap()
}

fn compare(old: &Path, new: &Path, pct: &str) -> Output {
    bin().arg("compare").arg(old).arg(new).args(["--instructions-above", pct]).output().unwrap()
}

#[test]
fn counts_repeat_pass_a_tight_gate_and_a_slowed_loop_fails_it_by_name() {
    assert!(
        Command::new("valgrind").arg("--version").output().is_ok_and(|o| o.status.success()),
        "valgrind is needed for run --counts: run scripts/install-deps.sh"
    );
    let dir = tempfile::tempdir().unwrap();
    let (a, b, slow) = (dir.path().join("a.json"), dir.path().join("b.json"), dir.path().join("slow.json"));
    for (p, knob) in [(&a, None), (&b, None), (&slow, Some("noop:200"))] {
        let o = counts(p, knob);
        assert!(o.status.success(), "stdout:\n{}\nstderr:\n{}", text(&o.stdout), text(&o.stderr));
    }
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&a).unwrap()).unwrap();
    assert_eq!(v["config"]["mode"], "counts");
    assert!(v["results"].as_array().unwrap().is_empty(), "a counts run times nothing");
    let rows = v["counts"].as_array().unwrap();
    // noop and add on each of wasmi's two call APIs.
    let keys: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r["runtime"].as_str().unwrap().to_string(), r["scenario"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(keys.len(), 4, "{keys:?}");
    for want in [("wasmi", "noop"), ("wasmi", "add")] {
        assert!(keys.iter().any(|k| k.0 == want.0 && k.1 == want.1), "{want:?} not counted: {keys:?}");
    }
    for r in rows {
        let per_op = r["instructions_per_op"].as_array().unwrap();
        assert_eq!(per_op.len(), 2, "{r}");
        assert!(per_op.iter().all(|x| x.as_f64().unwrap() > 0.0), "{r}");
        assert!(r["n2"].as_u64().unwrap() > r["n1"].as_u64().unwrap());
        assert_eq!(r["verified"], true);
    }

    let same = compare(&a, &b, "0.5");
    assert!(same.status.success(), "same build failed a 0.5% gate:\n{}\n{}", text(&same.stdout), text(&same.stderr));
    assert!(text(&same.stdout).contains("Instructions per op, OLD → NEW"), "{}", text(&same.stdout));

    let slowed = compare(&a, &slow, "0.5");
    assert_eq!(slowed.status.code(), Some(1), "{}\n{}", text(&slowed.stdout), text(&slowed.stderr));
    let notes = text(&slowed.stderr);
    assert!(notes.contains("rust wasmi typed noop"), "the slowed row is named: {notes}");
    assert!(!notes.contains("wasmi typed add"), "add was not slowed: {notes}");

    // Every report shows the counts.
    for (format, needle) in [
        ("terminal", "Instructions per op"),
        ("markdown", "### Instructions per op"),
        ("html", "Instructions per op"),
        ("csv", "instructions_per_op"),
        ("benchstat", "instructions/op"),
        ("json", "\"instructions_per_op\""),
    ] {
        let o = bin().args(["report"]).arg(&a).args(["-f", format]).output().unwrap();
        assert!(o.status.success(), "{format}: {}", text(&o.stderr));
        assert!(text(&o.stdout).contains(needle), "{format} lacks {needle}:\n{}", text(&o.stdout));
    }
    let bs = bin().args(["report"]).arg(&a).args(["-f", "benchstat"]).output().unwrap();
    let line = text(&bs.stdout).lines().find(|l| l.starts_with("BenchmarkWasmNoOpCall/engine=wasmi/api=typed-")).map(String::from);
    let line = line.expect("a benchstat line for wasmi noop");
    assert!(line.ends_with("instructions/op"), "{line}");
}

/// A user's module counted beside the built-in guest's noop and add on the same engine and
/// call APIs: each case's instructions split into harness loop, crossing, arguments and the
/// module's own part, adding up to the counted row, in every report and in the JSON as
/// docs/results.schema.json documents it; `--own-only` counts the module alone, unsplit.
#[test]
fn a_users_counted_cases_are_split_against_the_builtin_guests_counted_crossing() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("m.wasm");
    // f(x, y) = x * y + 1: one call an operation, with arguments.
    let module = r#"(module
        (memory (export "memory") 1)
        (func (export "mul_inc") (param i32 i32) (result i32)
            local.get 0 local.get 1 i32.mul i32.const 1 i32.add))"#;
    std::fs::write(&wasm, wat::parse_str(module).unwrap()).unwrap();
    let file = dir.path().join("m.toml");
    std::fs::write(
        &file,
        r#"schema = 1
[[scenario]]
name = "mul_inc"
export = "mul_inc"
params = ["i32", "i32"]
results = ["i32"]
args = [6, 7]
check = { value = 43 }
"#,
    )
    .unwrap();
    let count = |out: &Path, extra: &[&str]| {
        let mut c = bin();
        c.args(["run", "--counts", "--hosts", "rust", "--runtimes", "wasmi", "--count-work", "300000", "--count-repeats", "2", "--no-progress"])
            .arg("--guest")
            .arg(&wasm)
            .arg("--scenario-file")
            .arg(&file)
            .args(extra)
            .arg("--out")
            .arg(out);
        let o = c.output().unwrap();
        assert!(o.status.success(), "stdout:\n{}\nstderr:\n{}", text(&o.stdout), text(&o.stderr));
        serde_json::from_str::<Value>(&std::fs::read_to_string(out).unwrap()).unwrap()
    };
    let out = dir.path().join("r.json");
    let v = count(&out, &[]);
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/results.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let counts = v["counts"].as_array().unwrap();
    let per_op = |r: &Value| {
        let xs = r["instructions_per_op"].as_array().unwrap();
        xs.iter().map(|x| x.as_f64().unwrap()).sum::<f64>() / xs.len() as f64
    };
    let layers = v["derived"]["own_count_layers"].as_array().unwrap_or_else(|| panic!("no own_count_layers: {:#}", v["derived"]));
    let own: Vec<&Value> = counts.iter().filter(|r| r["guest_variant"] == "custom" && r["runtime"] == "wasmi").collect();
    assert!(!own.is_empty(), "{counts:#?}");
    for row in own {
        let api = row["api"].as_str().unwrap();
        // The built-in guest's noop and add, counted on the same API.
        for reference in ["noop", "add"] {
            assert!(
                counts.iter().any(|r| r["runtime"] == "wasmi" && r["api"] == api && r["scenario"] == reference && r.get("guest_variant").is_none()),
                "{api}: no counted {reference} of the built-in guest: {counts:#?}"
            );
        }
        let parts: Vec<&Value> = layers.iter().filter(|l| l["api"] == api && l["case"] == "mul_inc").collect();
        let names: Vec<&str> = parts.iter().map(|l| l["layer"].as_str().unwrap()).collect();
        assert_eq!(names, ["harness loop", "crossing", "arguments", "module"], "{api}: {parts:#?}");
        let sum: f64 = parts.iter().map(|l| l["instructions"].as_f64().unwrap()).sum();
        assert!((sum - per_op(row)).abs() <= 1e-6 * per_op(row), "{api}: {sum} vs {}", per_op(row));
        assert!(parts.iter().all(|l| l["instructions"].as_f64().unwrap() >= 0.0), "{parts:#?}");
        assert!(parts[1]["instructions"].as_f64().unwrap() > 0.0, "an interpreter's crossing counts: {parts:#?}");
    }
    // Every report shows it, rebuilt from the file.
    for format in ["terminal", "markdown", "html"] {
        let o = bin().args(["report"]).arg(&out).args(["-f", format]).output().unwrap();
        assert!(o.status.success(), "{format}: {}", text(&o.stderr));
        assert!(text(&o.stdout).contains("Where your cases' instructions go"), "{format}:\n{}", text(&o.stdout));
    }
    // --own-only: the module's rows alone, and nothing to split them by.
    let v = count(&dir.path().join("own.json"), &["--own-only"]);
    assert!(v["counts"].as_array().unwrap().iter().all(|r| r["guest_variant"] == "custom"), "{:#?}", v["counts"]);
    assert!(v["derived"].get("own_count_layers").is_none());
}
