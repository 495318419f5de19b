//! Exporters: one format a file, each behind [`Exporter`].

mod json;
mod terminal;

pub use json::Json;
pub use terminal::Terminal;

use crate::results::ResultsFile;

/// Renders a results file. Human warnings go to `notes` (stderr or footnotes), never into
/// a machine format's output.
pub trait Exporter {
    fn render(&self, results: &ResultsFile) -> Rendered;
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    /// The document (stdout or a file).
    pub output: String,
    /// What a person should know but a parser must not see (stderr).
    pub notes: String,
}

/// The exporter for a `--format` name.
pub fn by_name(name: &str) -> Option<Box<dyn Exporter>> {
    match name {
        "terminal" | "text" => Some(Box::new(Terminal::default())),
        "json" => Some(Box::new(Json)),
        _ => None,
    }
}

pub const FORMATS: &[&str] = &["terminal", "json"];
