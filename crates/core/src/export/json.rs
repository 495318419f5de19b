use super::{Exporter, Rendered};
use crate::results::ResultsFile;

/// The results file itself, pretty-printed.
pub struct Json;

impl Exporter for Json {
    fn render(&self, results: &ResultsFile) -> Rendered {
        Rendered { output: serde_json::to_string_pretty(results).expect("results serialize") + "\n", notes: String::new() }
    }
}
