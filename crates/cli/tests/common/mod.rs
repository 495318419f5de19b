//! Shared by the CLI's end-to-end tests.

use serde_json::Value;
use std::path::Path;

/// What is wrong with a results file against docs/results.schema.json (empty when it conforms).
pub fn schema_errors(v: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/results.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    validator.iter_errors(v).map(|e| format!("{e} at {}", e.instance_path())).collect()
}
