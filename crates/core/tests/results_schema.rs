//! The results file against its documented schema (docs/results.schema.json), and the
//! reading of schema-1 files (quick-rust.json is a real `run --quick` of schema 1).

mod common;

use common::{fixtures, load};
use interop_core::export::{Exporter, Json};
use interop_core::results::{ResultsFile, SCHEMA_VERSION};
use serde_json::Value;
use std::path::PathBuf;

fn validator() -> jsonschema::Validator {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/results.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

fn raw(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixtures().join(name)).unwrap()).unwrap()
}

#[test]
fn schema_2_files_and_every_json_report_validate() {
    let v = validator();
    let doc = raw("synthetic-cgo.json");
    assert!(errors(&v, &doc).is_empty(), "{:?}", errors(&v, &doc));
    // The JSON report of every fixture (schema-1 ones are written as schema 2).
    for f in ["quick-rust.json", "synthetic.json", "synthetic-cgo.json"] {
        let out: Value = serde_json::from_str(&Json.render(&load(f)).output).unwrap();
        assert_eq!(out["schema_version"], SCHEMA_VERSION);
        let e = errors(&v, &out);
        assert!(e.is_empty(), "{f}: {e:?}");
    }
}

#[test]
fn the_schema_rejects_what_schema_2_is_not() {
    let v = validator();
    // A schema-1 file as it was written: version 1, a status in failures, no not_applicable.
    assert!(!errors(&v, &raw("quick-rust.json")).is_empty());
    let mut doc = raw("synthetic-cgo.json");
    doc["failures"] = serde_json::json!([{"host": "go", "runtime": "x", "scenario": "noop", "error": "e", "status": "not_applicable"}]);
    assert!(!errors(&v, &doc).is_empty(), "a status string in failures");
    let mut doc = raw("synthetic-cgo.json");
    doc["results"][0].as_object_mut().unwrap().remove("sample_ns_per_op");
    assert!(!errors(&v, &doc).is_empty(), "a row without its samples");
}

#[test]
fn a_real_schema_1_file_is_read_and_upgraded() {
    let r = load("quick-rust.json");
    assert_eq!(r.schema_version, SCHEMA_VERSION);
    // Its not-applicable entries left failures for their own list, with their reasons.
    let text = std::fs::read_to_string(fixtures().join("quick-rust.json")).unwrap();
    let old: Value = serde_json::from_str(&text).unwrap();
    let na_then = old["failures"].as_array().unwrap().iter().filter(|f| f["status"] == "not_applicable").count();
    assert!(na_then > 0);
    assert_eq!(r.not_applicable.len(), na_then);
    assert!(r.failures.is_empty());
    assert!(r.not_applicable.iter().all(|n| !n.reason.is_empty()));
    // The rows' statistics are recomputed from the samples, not read.
    assert_eq!(r.results.len(), old["results"].as_array().unwrap().len());
    assert!(!r.derived.breakdown.is_empty() && !r.derived.seed_cases.is_empty());
}

#[test]
fn schema_1_cgo_engines_are_known_by_their_notes_and_derived_fields_are_not_trusted() {
    let mut doc = raw("synthetic.json");
    doc["runtimes"][2]["notes"] = "cgo; call = Func.Call".into();
    // A derived field with a wrong value: ignored and recomputed.
    doc["breakdown"] = serde_json::json!([{"bogus": true}]);
    doc["results"][0]["ns_per_op"]["median"] = 1e9.into();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.json");
    std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
    let r = ResultsFile::load(&path).unwrap();
    assert!(r.runtimes[2].via_cgo(), "{:?}", r.runtimes[2]);
    assert!(!r.runtimes[3].via_cgo());
    assert!(r.results[0].estimate() < 1e3);
    // Saved again, it is schema 2 and reads back to the same model.
    let again = dir.path().join("v2.json");
    r.save_atomic(&again).unwrap();
    let r2 = ResultsFile::load(&again).unwrap();
    assert_eq!(r2.results, r.results);
    assert_eq!(r2.derived, r.derived);
    assert_eq!(r2.runtimes, r.runtimes);
    assert!(errors(&validator(), &serde_json::from_str(&std::fs::read_to_string(&again).unwrap()).unwrap()).is_empty());
}

#[test]
fn an_unknown_schema_version_is_refused_by_name() {
    let mut doc = raw("synthetic-cgo.json");
    doc["schema_version"] = 3.into();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.json");
    std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
    let e = ResultsFile::load(&path).unwrap_err().to_string();
    assert!(e.contains("schema_version 3") && e.contains("v3.json"), "{e}");
}
