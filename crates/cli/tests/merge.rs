//! `interop-bench merge`: runs from two machines stay apart (and `report` and `compare`
//! show them side by side), runs from one machine merge into one, bad input is refused
//! with an error naming the file. Fixtures only: nothing is measured.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures").join(name)
}

fn bin(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_interop-bench")).current_dir(cwd).args(args).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn read(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn write(p: &Path, v: &Value) {
    std::fs::write(p, serde_json::to_string(v).unwrap()).unwrap();
}

/// Two fixtures from two machines (different CPU models), copied into `dir` as a.json, b.json.
fn two_machines(dir: &Path) {
    std::fs::copy(fixture("synthetic.json"), dir.join("a.json")).unwrap();
    std::fs::copy(fixture("synthetic-cgo.json"), dir.join("b.json")).unwrap();
}

#[test]
fn two_machines_stay_apart_and_are_reported_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    two_machines(d);
    let o = bin(d, &["merge", "a.json", "b.json", "-o", "all.json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let all = read(&d.join("all.json"));
    let machines = all["machines"].as_array().expect("a merged file has one run per machine");
    assert_eq!(machines.len(), 2);
    let fp: Vec<&str> = machines.iter().map(|m| m["machine"]["fingerprint"].as_str().unwrap()).collect();
    assert!(fp[0] != fp[1] && fp.iter().all(|f| f.len() == 12), "{fp:?}");
    // Each machine keeps exactly its own rows.
    for (m, input) in machines.iter().zip(["a.json", "b.json"]) {
        let n = read(&d.join(input))["results"].as_array().unwrap().len();
        assert_eq!(m["results"].as_array().unwrap().len(), n, "{input}");
    }
    assert_ne!(machines[0]["machine"]["cpu_model"], machines[1]["machine"]["cpu_model"]);
    // An existing --out is not replaced without --force.
    let o = bin(d, &["merge", "a.json", "b.json", "-o", "all.json"]);
    assert!(!o.status.success() && text(&o.stderr).contains("--force"), "{}", text(&o.stderr));

    // report: the machines side by side, then one section per machine.
    let o = bin(d, &["report", "all.json"]);
    let out = text(&o.stdout);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(out.contains("Machines side by side") && out.contains("Machine 1 of 2") && out.contains("Machine 2 of 2"), "{out}");
    assert!(out.contains(fp[0]) && out.contains(fp[1]));
    // One machine's html needs --machine, which takes a prefix of the fingerprint.
    let o = bin(d, &["report", "all.json", "-f", "html"]);
    assert!(!o.status.success() && text(&o.stderr).contains("--machine"), "{}", text(&o.stderr));
    let o = bin(d, &["report", "all.json", "-f", "html", "--machine", &fp[1][..6]]);
    assert!(o.status.success() && text(&o.stdout).contains("<html"), "{}", text(&o.stderr));
    let o = bin(d, &["report", "all.json", "--machine", "zzzz"]);
    assert!(!o.status.success() && text(&o.stderr).contains(fp[0]), "{}", text(&o.stderr));

    // compare: the merged file against itself passes the gate, machine by machine.
    let o = bin(d, &["compare", "all.json", "all.json", "--fail-above", "5"]);
    assert!(o.status.success(), "{}\n{}", text(&o.stdout), text(&o.stderr));
    assert!(text(&o.stdout).contains("Machine 2 of 2"));
    // Machine b twice as slow: the gate fails, under b's fingerprint only.
    let mut slow = read(&d.join("b.json"));
    for row in slow["results"].as_array_mut().unwrap() {
        for s in row["sample_ns_per_op"].as_array_mut().unwrap() {
            *s = (s.as_f64().unwrap() * 2.0).into();
        }
    }
    write(&d.join("b-slow.json"), &slow);
    assert!(bin(d, &["merge", "a.json", "b-slow.json", "-o", "all-slow.json"]).status.success());
    let o = bin(d, &["compare", "all.json", "all-slow.json", "--fail-above", "5"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let at_b = err.find(&format!("machine {}:", fp[1])).expect("b's notes");
    assert!(err[at_b..].contains("got slower by more than 5%"), "{err}");
    assert!(!err.contains(&format!("machine {}:", fp[0])) || !err[..at_b].contains("got slower"), "{err}");
    // A machine missing from NEW fails the gate, named.
    let o = bin(d, &["compare", "all.json", "a.json", "--fail-above", "5"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("has no run in"), "{}", text(&o.stderr));
    // JSON: one comparison per machine.
    let o = bin(d, &["compare", "all.json", "all.json", "-f", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["machines"].as_array().unwrap().len(), 2);
}

#[test]
fn runs_of_one_machine_merge_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Two shards of one run: one without the `add` rows, one without the `noop` rows; both
    // have everything else (as every shard runs the native baseline).
    let full = read(&fixture("synthetic.json"));
    let shard = |drop: &str| {
        let mut v = full.clone();
        v["results"].as_array_mut().unwrap().retain(|r| r["scenario"] != drop);
        v
    };
    // The Rust shard and the Go shard each record their own host's build.
    let (mut s1, mut s2) = (shard("add"), shard("noop"));
    s1["builds"] = serde_json::json!({ "rust": "a".repeat(64) });
    s2["builds"] = serde_json::json!({ "go": "b".repeat(64), "rust": "c".repeat(64) });
    write(&d.join("s1.json"), &s1);
    write(&d.join("s2.json"), &s2);
    let o = bin(d, &["merge", "s1.json", "s2.json", "-o", "one.json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("also measured in"), "{}", text(&o.stderr));
    let one = read(&d.join("one.json"));
    assert!(one.get("machines").is_none(), "one machine makes a plain results file");
    assert_eq!(one["results"].as_array().unwrap().len(), full["results"].as_array().unwrap().len());
    // Written before fingerprints existed: derived on load, and recorded now.
    assert!(full["machine"].get("fingerprint").is_none());
    assert_eq!(one["machine"]["fingerprint"].as_str().unwrap().len(), 12);
    // Each host's build from the first run that has it.
    assert_eq!(one["builds"], serde_json::json!({ "rust": "a".repeat(64), "go": "b".repeat(64) }));
    assert!(bin(d, &["report", "one.json"]).status.success());
}

#[test]
fn bad_input_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    two_machines(d);
    std::fs::write(d.join("garbage.json"), "not json").unwrap();
    let mut future = read(&d.join("a.json"));
    future["schema_version"] = 99.into();
    write(&d.join("future.json"), &future);
    let mut quick = read(&d.join("a.json"));
    quick["config"]["mode"] = "quick".into();
    write(&d.join("a-quick.json"), &quick);
    for (file, says) in [
        ("missing.json", "cannot read"),
        ("garbage.json", "not an interop-bench results file"),
        ("future.json", "schema_version 99"),
        ("a-quick.json", "mode"),
    ] {
        let o = bin(d, &["merge", "a.json", file, "-o", "out.json"]);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{file}: {err}");
        assert!(err.contains(file) && err.contains(says), "{file}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!d.join("out.json").exists(), "{file}: nothing is written");
    }
    // One file is nothing to merge.
    let o = bin(d, &["merge", "a.json", "-o", "out.json"]);
    assert!(!o.status.success() && text(&o.stderr).contains("two or more"), "{}", text(&o.stderr));
}
