//! Every bad input a user can type, and the exact stderr it gets (golden files in
//! tests/golden/messages/; `UPDATE_GOLDEN=1` rewrites them). Paths of the test's temporary
//! folder read `$DIR`. Each message names what is wrong and where, once.

use std::path::Path;
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_interop-bench"))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A run's stderr without what depends on timing: the warnings block (which kinds a quick
/// run draws, e.g. a slow first sample, varies from run to run).
fn without_warnings(stderr: &str) -> String {
    let mut out = String::new();
    let mut in_warnings = false;
    for line in stderr.lines() {
        if line.starts_with("Warnings (") {
            in_warnings = true;
            continue;
        }
        if in_warnings && line.starts_with("  ") {
            continue;
        }
        in_warnings = false;
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn check(name: &str, o: &Output, code: i32, dir: &Path, stderr: &str) {
    assert_eq!(o.status.code(), Some(code), "{name}: stderr:\n{}", text(&o.stderr));
    let got = stderr.replace(&dir.display().to_string(), "$DIR");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/messages").join(format!("{name}.stderr"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(got, want, "{name}: stderr differs from {}", path.display());
}

fn run(dir: &Path, args: &[&str]) -> Output {
    bin().args(["run", "--quick", "--hosts", "rust", "--no-progress", "-o"]).arg(dir.join("r.json")).args(args).output().unwrap()
}

#[test]
fn unknown_runtime() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["--runtimes", "wasmtime,nosuch"]);
    check("unknown-runtime", &o, 2, dir.path(), &text(&o.stderr));
    assert!(!dir.path().join("r.json").exists());
}

#[test]
fn unknown_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["--scenarios", "noop,nop"]);
    check("unknown-scenario", &o, 2, dir.path(), &text(&o.stderr));
}

#[test]
fn missing_guest_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-guest.wasm");
    let o = run(dir.path(), &["--guest", missing.to_str().unwrap()]);
    check("missing-guest", &o, 2, dir.path(), &text(&o.stderr));
}

#[test]
fn missing_results_file() {
    let dir = tempfile::tempdir().unwrap();
    let o = bin().arg("report").arg(dir.path().join("nothing.json")).output().unwrap();
    check("missing-results", &o, 2, dir.path(), &text(&o.stderr));
}

/// A path that is not a results file is refused at its first byte that is not JSON: until
/// 2026-11-30 `report /dev/zero` read 24 GB before the kernel killed the process.
#[test]
fn not_a_results_file() {
    let dir = tempfile::tempdir().unwrap();
    // Under a 1 GiB address-space limit, so that a reader that reads it whole fails here
    // instead of taking the machine's memory.
    let limited = |args: &[&str]| {
        Command::new("sh")
            .arg("-c")
            .arg(r#"ulimit -v 1048576 && exec "$0" "$@""#)
            .arg(env!("CARGO_BIN_EXE_interop-bench"))
            .args(args)
            .output()
            .unwrap()
    };
    let o = limited(&["report", "/dev/zero"]);
    check("report-dev-zero", &o, 2, dir.path(), &text(&o.stderr));
    let o = bin().arg("compare").arg(dir.path()).arg("/dev/zero").output().unwrap();
    check("compare-folder", &o, 2, dir.path(), &text(&o.stderr));
    let m = dir.path().join("m.json");
    let o = limited(&["merge", "/dev/zero", "/dev/zero", "-o", m.to_str().unwrap()]);
    check("merge-dev-zero", &o, 2, dir.path(), &text(&o.stderr));
    assert!(!dir.path().join("m.json").exists());
    // The same for a run's module and scenario file, and an input a scenario file names.
    let r = dir.path().join("r.json");
    let run_limited = |args: &[&str]| {
        let mut all = vec!["run", "--quick", "--hosts", "rust", "--runtimes", "wasmi", "--no-progress", "-o", r.to_str().unwrap()];
        all.extend_from_slice(args);
        limited(&all)
    };
    let o = run_limited(&["--guest", "/dev/zero"]);
    check("run-guest-dev-zero", &o, 2, dir.path(), &text(&o.stderr));
    let o = run_limited(&["--scenario-file", "/dev/zero"]);
    check("run-scenario-file-dev-zero", &o, 2, dir.path(), &text(&o.stderr));
    let toml = dir.path().join("zero-input.toml");
    std::fs::write(
        &toml,
        "schema = 1\n[[scenario]]\nname = \"x\"\nexport = \"f\"\nparams = [\"i32\", \"i32\"]\nresults = []\n\
         args = [\"in.ptr\", \"in.len\"]\ninput = { file = \"/dev/zero\" }\ninput_at = 1024\ncheck = \"completes\"\n",
    )
    .unwrap();
    let o = run_limited(&["--scenario-file", toml.to_str().unwrap()]);
    check("run-input-file-dev-zero", &o, 2, dir.path(), &text(&o.stderr));
    assert!(!r.exists());
}

#[test]
fn malformed_guest() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.wasm");
    std::fs::write(&bad, b"\0asm\x01\0\0\0this is not a module").unwrap();
    let o = run(dir.path(), &["--guest", bad.to_str().unwrap(), "--scenarios", "empty,noop,add", "--runtimes", "wasmtime,wasmi"]);
    check("malformed-guest", &o, 2, dir.path(), &without_warnings(&text(&o.stderr)));
}

#[test]
fn scenario_file_that_does_not_fit_its_module() {
    // A typo in an export, a signature that differs, an allocator the module does not
    // have and an import nothing links: all said at once, before anything runs.
    let dir = tempfile::tempdir().unwrap();
    let wasm = wat::parse_str(
        r#"(module (import "env" "log" (func (param i32)))
            (memory (export "memory") 1)
            (func (export "greet") (param i32 i32) (result i64) i64.const 0)
            (func (export "double") (param i64) (result i64) local.get 0))"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("m.wasm"), wasm).unwrap();
    let toml = dir.path().join("m.toml");
    std::fs::write(
        &toml,
        "schema = 1\n[allocator]\nallocate = \"alloc\"\n\n[[scenario]]\nname = \"greet\"\nexport = \"greeet\"\n\
         params = [\"i32\", \"i32\"]\nresults = [\"i64\"]\nargs = [\"in.ptr\", \"in.len\"]\ninput = { text = \"Ada\" }\n\
         output = \"packed_ptr_len\"\ncheck = \"unchecked\"\n\n[[scenario]]\nname = \"double\"\nexport = \"double\"\n\
         params = [\"i32\"]\nresults = [\"i32\"]\nargs = [21]\ncheck = { value = 42 }\n",
    )
    .unwrap();
    let o = run(dir.path(), &["--guest", dir.path().join("m.wasm").to_str().unwrap(), "--scenario-file", toml.to_str().unwrap()]);
    check("scenario-file-misfit", &o, 2, dir.path(), &text(&o.stderr));
    assert!(!dir.path().join("r.json").exists());
}

#[test]
fn guest_lacking_the_builtin_exports() {
    // The built-in scenarios on a module of one's own: what they cannot call is said once,
    // up front, with the way to call its own functions; the rest runs.
    let dir = tempfile::tempdir().unwrap();
    let wasm = wat::parse_str(
        r#"(module (memory (export "memory") 1)
            (func (export "add_numbers") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("m.wasm"), wasm).unwrap();
    let o = run(dir.path(), &["--guest", dir.path().join("m.wasm").to_str().unwrap(), "--scenarios", "noop,add", "--runtimes", "wasmtime"]);
    check("guest-lacking-builtin-exports", &o, 1, dir.path(), &without_warnings(&text(&o.stderr)));
}

#[test]
fn bad_flag_value() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["--samples", "0"]);
    check("bad-flag-value", &o, 2, dir.path(), &text(&o.stderr));
    let o = bin().args(["run", "--timeout", "nan"]).output().unwrap();
    check("bad-flag-value-nan", &o, 2, dir.path(), &text(&o.stderr));
}

#[test]
fn unknown_format() {
    let dir = tempfile::tempdir().unwrap();
    let o = bin().args(["report", "r.json", "-f", "yaml"]).output().unwrap();
    check("unknown-format-report", &o, 2, dir.path(), &text(&o.stderr));
    let o = bin().args(["compare", "a.json", "b.json", "-f", "csv"]).output().unwrap();
    check("unknown-format-compare", &o, 2, dir.path(), &text(&o.stderr));
}
