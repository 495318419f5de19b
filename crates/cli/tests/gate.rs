//! The regression gate end to end, kept tiny (quick-length samples, one engine, two
//! scenarios): two back-to-back runs of the same build pass `compare --fail-above`, and a
//! run with a deliberately slowed scenario (the test-only knob INTEROP_TEST_SLOW_SCENARIO,
//! which adds about a microsecond of work to each of its timed operations) fails it, naming
//! the rows. A baseline saved by `run --save-baseline` is found by name. No time is
//! asserted: the slowed path is many times slower, the gate is generous.

use std::path::Path;
use std::process::{Command, Output};

fn bin(cwd: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_interop-bench"));
    c.current_dir(cwd).env_remove("INTEROP_TEST_SLOW_SCENARIO");
    c
}

/// The tests of this file time runs, so they take turns: run side by side (cargo runs a
/// file's tests on parallel threads), one test's runs slowed the other's on a 2-core
/// machine, and the rows of `add`, not slowed, read 3x slower and failed the gate (seen
/// once in `make test`, 2026-11-29).
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn run(cwd: &Path, out: &str, slow: Option<&str>, extra: &[&str]) -> Output {
    let mut c = bin(cwd);
    c.args(["run", "--quick", "--samples", "10", "--hosts", "rust", "--runtimes", "wasmtime", "--scenarios", "noop,add"])
        .args(["--no-progress", "--out", out])
        .args(extra);
    if let Some(s) = slow {
        c.env("INTEROP_TEST_SLOW_SCENARIO", s);
    }
    let o = c.output().unwrap();
    assert!(o.status.success(), "run {out}: {}", text(&o.stderr));
    o
}

/// The threshold of the test's gate, percent. The knob makes `noop` about 60x slower; a
/// quick run's unslowed rows still move by 2x now and then on a busy 2-core box (wasmtime's
/// unchecked `add` read +114% in a CI run of 2026-11-30 and failed a 100% gate), so the gate
/// here allows 5x: far above such a move, far below the knob's.
const GENEROUS: &str = "400";

#[test]
fn the_gate_passes_a_rerun_and_fails_a_slowed_path_naming_it() {
    let _turn = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    run(cwd, "a.json", None, &["--save-baseline", "before"]);
    assert!(cwd.join("results/baselines/before.json").is_file());
    run(cwd, "b.json", None, &[]);
    run(cwd, "slow.json", Some("noop"), &[]);
    let a: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(cwd.join("a.json")).unwrap()).unwrap();
    assert!(a["noise"]["start"].as_array().is_some_and(|v| !v.is_empty()), "the run records its reference rows");
    assert!(a["results"].as_array().unwrap().iter().all(|r| r["stop"] == "fixed"));

    let compare = |args: &[&str]| bin(cwd).arg("compare").args(args).output().unwrap();
    // A quick run is no gate basis unless forced.
    let o = compare(&["a.json", "b.json", "--fail-above", GENEROUS]);
    assert!(!o.status.success() && text(&o.stderr).contains("--force"), "{}", text(&o.stderr));
    // The same build twice: passes (by the baseline's name, too).
    let o = compare(&["before", "b.json", "--fail-above", GENEROUS, "--force"]);
    assert!(o.status.success(), "a rerun of the same build failed the gate:\n{}\n{}", text(&o.stdout), text(&o.stderr));
    let o = compare(&["--baseline", "before", "b.json", "--fail-above", GENEROUS, "--force"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    // The slowed scenario fails it, and the failing rows are noop's, not add's.
    let o = compare(&["a.json", "slow.json", "--fail-above", GENEROUS, "--force"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "a slowed path passed the gate:\n{}\n{err}", text(&o.stdout));
    let named: Vec<&str> = err.lines().filter(|l| l.starts_with("  rust wasmtime ")).collect();
    assert!(!named.is_empty() && named.iter().all(|l| l.contains(" noop")), "{err}");

    // A second save of the baseline: its history holds two runs, and each row is allowed
    // its own spread over them; the rerun still passes and the slowed path still fails.
    run(cwd, "a2.json", None, &["--save-baseline", "before"]);
    let o = compare(&["before", "b.json", "--fail-above", GENEROUS, "--force"]);
    let err = text(&o.stderr);
    assert!(o.status.success() && err.contains("2 saved runs"), "{err}");
    let o = compare(&["before", "slow.json", "--fail-above", GENEROUS, "--force"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let named: Vec<&str> = err.lines().filter(|l| l.starts_with("  rust wasmtime ")).collect();
    assert!(!named.is_empty() && named.iter().all(|l| l.contains(" noop")), "{err}");
}

/// Where the engine-wide allowance is larger than the threshold, the gate says so: which
/// engines, by how much, and the remedy (a run of two processes compared with itself at a
/// threshold below any spread two processes show; and at one above it, nothing is said).
#[test]
fn the_gate_names_the_engines_whose_allowance_exceeds_its_threshold() {
    let _turn = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let mut c = bin(cwd);
    c.args(["run", "--hosts", "rust", "--runtimes", "wasmtime", "--scenarios", "noop,add", "--no-progress", "--out", "a.json"])
        .args(["--precision", "50", "--max-row-ms", "5", "--min-samples", "2", "--no-capabilities", "--processes", "2"]);
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let compare = |pct: &str| bin(cwd).args(["compare", "a.json", "a.json", "--fail-above", pct]).output().unwrap();
    let err = text(&compare("0.0000001").stderr);
    let line = err.lines().find(|l| l.contains("engine(s) had the worker processes")).unwrap_or_else(|| panic!("{err}"));
    assert!(line.contains("rust wasmtime ") && line.contains("--counts"), "{line}");
    let err = text(&compare("1000000").stderr);
    assert!(!err.contains("engine(s) had the worker processes"), "{err}");
}

/// Rows of one scenario on one engine run the same code, and where a process lands moves
/// them together (wasm2c's `host_import`: 424 or 705 ns for 256 calls by process). A row
/// whose processes all read one level in OLD and the other in NEW passes the gate when
/// other rows of its scenario had processes that far apart, and the gate says which
/// scenarios it allowed so; without such siblings it fails. Files only: nothing is timed.
#[test]
fn a_row_is_allowed_the_spread_of_its_scenarios_processes() {
    use serde_json::{json, Value};
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let fixture = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/synthetic.json");
    let base: Value = serde_json::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
    // A row of three processes of 10 samples each, at the given levels (a little jitter).
    let row = |scenario: &str, calls: u64, levels: [f64; 3]| {
        let process = |level: f64| {
            let samples: Vec<f64> = (0..10).map(|i| level * (1.0 + 0.001 * f64::from(i % 3))).collect();
            json!({ "iters_per_sample": 1000, "sample_ns_per_op": samples, "verified": true, "stop": "precision" })
        };
        let mut r = process(levels[0]);
        r["host"] = "rust".into();
        r["runtime"] = "wasm2c".into();
        r["api"] = "unguarded".into();
        r["scenario"] = scenario.into();
        r["params"] = json!({ "calls": calls });
        r["more_processes"] = json!([process(levels[1]), process(levels[2])]);
        r
    };
    let file = |rows: Vec<Value>| {
        let mut v = base.clone();
        v["schema_version"] = 2.into();
        v["config"] = json!({ "mode": "default", "warmup_ms": 100.0, "target_sample_ms": 2.5, "samples": 10, "timeout_s": 120.0,
                              "precision_pct": 1.0, "max_row_ms": 500.0 });
        v["results"] = rows.into();
        v
    };
    // Twenty other rows of the engine that barely move between processes.
    let others = || (0..20).map(|i| row(&format!("other{i}"), 1, [100.0, 100.5, 100.2])).collect::<Vec<Value>>();
    let write = |name: &str, v: &Value| std::fs::write(cwd.join(name), serde_json::to_vec(v).unwrap()).unwrap();
    let compare = |a: &str, b: &str| bin(cwd).args(["compare", a, b, "--fail-above", "5"]).output().unwrap();

    // Its siblings' processes lay 65% apart in OLD: the row's 66% move is within that.
    let (mut old, mut new) = (others(), others());
    old.extend([row("host_import", 256, [424.0, 424.0, 424.0]), row("host_import", 16, [28.0, 46.0, 28.0]), row("host_import", 1, [3.6, 4.7, 3.6])]);
    new.extend([row("host_import", 256, [705.0, 705.0, 705.0]), row("host_import", 16, [28.0, 28.0, 28.0]), row("host_import", 1, [3.6, 3.6, 3.6])]);
    write("old.json", &file(old));
    write("new.json", &file(new));
    let o = compare("old.json", "new.json");
    let err = text(&o.stderr);
    assert!(o.status.success(), "a row moving as far as its scenario's processes lay apart failed the gate:\n{err}");
    let line = err.lines().find(|l| l.contains("scenario(s) had the worker processes")).unwrap_or_else(|| panic!("{err}"));
    assert!(line.contains("rust wasm2c host_import"), "{line}");

    // Without such siblings the same move fails, naming the row.
    let (mut old, mut new) = (others(), others());
    old.extend([row("host_import", 256, [424.0, 424.0, 424.0]), row("host_import", 16, [28.0, 28.0, 28.0])]);
    new.extend([row("host_import", 256, [705.0, 705.0, 705.0]), row("host_import", 16, [28.0, 28.0, 28.0])]);
    write("old.json", &file(old));
    write("new.json", &file(new));
    let o = compare("old.json", "new.json");
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.lines().any(|l| l.starts_with("  rust wasm2c unguarded host_import/calls=256")), "{err}");
    assert!(!err.contains("scenario(s) had the worker processes"), "{err}");
}
