//! Exporters: one format a file, each behind [`Exporter`].

mod benchstat;
mod charts;
mod csv;
mod html;
mod json;
mod markdown;
pub mod notes;
mod terminal;

pub use benchstat::{benchmark_name, Benchstat};
pub use csv::Csv;
pub use html::Html;
pub use json::Json;
pub use markdown::Markdown;
pub use markdown::cell as markdown_cell;
pub use terminal::ns as terminal_ns;
pub use terminal::Terminal;

use crate::results::ResultsFile;

/// `3 of 40 components are below noise (their 95% interval reaches zero)`.
pub fn noise_line(r: &ResultsFile) -> String {
    let all = &r.derived.breakdown;
    let below = all.iter().filter(|c| c.below_noise()).count();
    format!(
        "{below} of {} components are below noise: their 95% interval reaches zero, so they are given as ± the interval's reach",
        all.len()
    )
}

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
        "html" => Some(Box::new(Html)),
        "benchstat" => Some(Box::new(Benchstat)),
        "csv" => Some(Box::new(Csv)),
        "markdown" | "md" => Some(Box::new(Markdown)),
        _ => None,
    }
}

pub const FORMATS: &[&str] = &["terminal", "json", "html", "benchstat", "csv", "markdown"];
