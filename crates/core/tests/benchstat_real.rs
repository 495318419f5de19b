//! Feeds the benchstat output to the real benchstat (golang.org/x/perf/cmd/benchstat,
//! pinned, fetched through the Go module proxy into a cache under the target dir).
//! Skipped, with the reason printed, only when there is no `go` on the PATH.

mod common;

use common::load;
use interop_core::export::{Benchstat, Exporter};
use std::path::PathBuf;
use std::process::Command;

/// x/perf has no release tags; this is the pseudo-version of its commit of 2026-09-08.
const BENCHSTAT: &str = "golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da";

fn benchstat(files: &[&std::path::Path]) -> Option<(String, String)> {
    if Command::new("go").arg("version").output().map(|o| !o.status.success()).unwrap_or(true) {
        println!("skipped: no `go` on the PATH, so the real benchstat cannot run");
        return None;
    }
    // Kept between runs (the target dir), so only the first run downloads and builds.
    let home = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("benchstat-go");
    std::fs::create_dir_all(&home).unwrap();
    let out = Command::new("go")
        .arg("run")
        .arg(BENCHSTAT)
        .args(files)
        .env("GOPATH", home.join("gopath"))
        .env("GOCACHE", home.join("gocache"))
        .env("GOFLAGS", "-modcacherw")
        .env("GOTOOLCHAIN", "local")
        .env("GO111MODULE", "on")
        .output()
        .expect("go runs");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned());
    assert!(out.status.success(), "benchstat failed ({}):\n{stderr}\n{stdout}", out.status);
    Some((stdout, stderr))
}

#[test]
fn the_real_benchstat_reads_our_output() {
    let dir = tempfile::tempdir().unwrap();
    let r = load("quick-rust.json");
    let text = Benchstat.render(&r).output;
    let old = dir.path().join("old.txt");
    std::fs::write(&old, &text).unwrap();
    let Some((stdout, stderr)) = benchstat(&[&old]) else { return };
    println!("{stdout}");
    assert!(!stderr.contains("parsing"), "benchstat complained:\n{stderr}");
    for name in [
        "WasmNoOpCall/engine=wasmtime/api=typed",
        "WasmReverseStringInPlace/engine=wasmtime/api=typed/mem=view-2",
        "WasmSumArray/engine=wasmtime/api=typed/mem=copy-2",
        "GoFunctionCall-2",
    ] {
        assert!(stdout.contains(name), "benchstat's output lacks {name}:\n{stdout}");
    }
    assert!(stdout.contains("sec/op"), "{stdout}");
    assert!(stdout.contains("cpu: Intel(R) Xeon(R) Processor"), "{stdout}");

    // Two files: benchstat sees a doubling as +100% with its own test.
    let mut slow = r.clone();
    for row in &mut slow.results {
        for s in &mut row.sample_ns_per_op {
            *s *= 2.0;
        }
    }
    slow.rederive();
    let new = dir.path().join("new.txt");
    std::fs::write(&new, Benchstat.render(&slow).output).unwrap();
    let (stdout, _) = benchstat(&[&old, &new]).unwrap();
    assert!(stdout.contains("+100.00%"), "{stdout}");
}

/// `benchstat cli.txt gotest.txt` lines the two up: the CLI's rows of the Go host (the
/// small-go fixture, from a `run --quick`) and `go test -bench` of the same cases
/// (tests/fixtures/gotest-small.txt, captured from `cd go && go test -run XXX -bench ...
/// -benchtime 200x -count 6` on the same machine) share names, so benchstat compares them
/// row by row (`vs base` with a p-value) instead of listing each file's rows apart.
#[test]
fn benchstat_compares_the_cli_with_go_test_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let cli = dir.path().join("cli.txt");
    std::fs::write(&cli, Benchstat.render(&load("small-go.json")).output).unwrap();
    let gotest = common::fixtures().join("gotest-small.txt");
    let Some((stdout, stderr)) = benchstat(&[&cli, &gotest]) else { return };
    assert!(!stderr.contains("parsing"), "benchstat complained:\n{stderr}");
    for name in [
        "GoFunctionCall-2",
        "CgoCall-2",
        "GoSumArray-2",
        "WasmNoOpCall/engine=wazero:compiler/api=call_with_stack-2",
        "WasmNoOpCall/engine=wasmtime-go/api=call-2",
        "WasmAddNumbers/engine=wasmtime-go/api=call-2",
        "WasmReverseStringInPlace/engine=wasmtime-go/api=call/mem=view-2",
        "WasmSumArray/engine=wazero:compiler/api=call/mem=copy-2",
    ] {
        let row = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no row {name}:\n{stdout}"));
        assert!(row.contains("n=5+6"), "{name}: not compared across the two files: {row}\n{stdout}");
    }
    // allocs/op is compared too.
    assert!(stdout.contains("allocs/op"), "{stdout}");
}
