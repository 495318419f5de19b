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
    let o = compare(&["a.json", "b.json", "--fail-above", "100"]);
    assert!(!o.status.success() && text(&o.stderr).contains("--force"), "{}", text(&o.stderr));
    // The same build twice: passes (by the baseline's name, too).
    let o = compare(&["before", "b.json", "--fail-above", "100", "--force"]);
    assert!(o.status.success(), "a rerun of the same build failed the gate:\n{}\n{}", text(&o.stdout), text(&o.stderr));
    let o = compare(&["--baseline", "before", "b.json", "--fail-above", "100", "--force"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    // The slowed scenario fails it, and the failing rows are noop's, not add's.
    let o = compare(&["a.json", "slow.json", "--fail-above", "100", "--force"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "a slowed path passed the gate:\n{}\n{err}", text(&o.stdout));
    let named: Vec<&str> = err.lines().filter(|l| l.starts_with("  rust wasmtime ")).collect();
    assert!(!named.is_empty() && named.iter().all(|l| l.contains(" noop")), "{err}");

    // A second save of the baseline: its history holds two runs, and each row is allowed
    // its own spread over them; the rerun still passes and the slowed path still fails.
    run(cwd, "a2.json", None, &["--save-baseline", "before"]);
    let o = compare(&["before", "b.json", "--fail-above", "100", "--force"]);
    let err = text(&o.stderr);
    assert!(o.status.success() && err.contains("2 saved runs"), "{err}");
    let o = compare(&["before", "slow.json", "--fail-above", "100", "--force"]);
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
