//! Exporters: one format a file, each behind [`Exporter`].

mod benchstat;
mod charts;
mod csv;
mod html;
mod json;
mod markdown;
pub mod notes;
mod terminal;
pub mod variants;

pub use benchstat::{benchmark_name, Benchstat};
pub use csv::Csv;
pub use html::Html;
pub use json::Json;
pub use markdown::Markdown;
pub use markdown::cell as markdown_cell;
pub use terminal::ns as terminal_ns;
pub use terminal::{Terminal, SUMMARY_ROWS};

use crate::analysis::Verdict;
use crate::results::ResultsFile;

/// A row's figure for the results tables: its mean, and for a translated engine's row,
/// where it stands against the harness floor of the same run: `1.02 ns (at the floor:
/// not resolvable)` when the two cannot be told apart, else `3.1 ns (floor + 2.0 ns)`.
pub fn row_figure(row: &crate::results::ResultRow, r: &ResultsFile) -> String {
    let mean = terminal::ns(row.ns_per_op.mean);
    if !crate::analysis::is_translated(&row.key.runtime) || row.key.scenario == "compile" {
        return mean;
    }
    match crate::analysis::floor_check(row, &r.results) {
        Some(f) if f.within => format!("{mean} (at the floor, {}: not resolvable)", terminal::ns(f.floor_ns)),
        Some(f) => format!("{mean} (floor + {})", terminal::ns(f.above_ns)),
        None => mean,
    }
}

/// A row's samples and operations a sample: `15 × 1847146`, or with the range of counts
/// when its worker processes calibrated different ones (`15 × 1790000–1847146`).
pub fn samples_text(row: &crate::results::ResultRow) -> String {
    let lo = row.used_iters.iter().copied().min().unwrap_or(row.iters_per_sample);
    let hi = row.used_iters.iter().copied().max().unwrap_or(row.iters_per_sample);
    if lo == hi {
        format!("{} × {lo}", row.samples)
    } else {
        format!("{} × {lo}–{hi}", row.samples)
    }
}

/// A scenario file's cases, each split into the crossing, the arguments and the module's
/// own part (`derived.own_cases`): the one table every format prints. Every row; or, with
/// `summary`, per case and host the range over its engines and the fastest row's split.
pub fn own_table(r: &ResultsFile, summary: bool) -> Option<(Vec<&'static str>, Vec<Vec<String>>)> {
    let cases = &r.derived.own_cases;
    if cases.is_empty() {
        return None;
    }
    let label = crate::analysis::case_of;
    let text = crate::analysis::parts_text;
    if !summary {
        let header = vec!["case", "host", "runtime", "api", "ns/op (mean)", "where the time goes"];
        let rows = cases
            .iter()
            .map(|c| vec![label(c), c.host.clone(), c.runtime.clone(), c.api.clone(), terminal::ns(c.total), text(c)])
            .collect();
        return Some((header, rows));
    }
    let rows = crate::analysis::by_case_and_host(cases)
        .into_iter()
        .filter_map(|(l, h, of)| {
            let fast = of.iter().min_by(|a, b| a.total.total_cmp(&b.total))?;
            let slow = of.iter().max_by(|a, b| a.total.total_cmp(&b.total))?;
            let range =
                if of.len() > 1 { format!("{} – {}", terminal::ns(fast.total), terminal::ns(slow.total)) } else { terminal::ns(fast.total) };
            Some(vec![l, h.to_string(), range, format!("{} {}", fast.runtime, fast.api), text(fast)])
        })
        .collect();
    Some((vec!["case", "host", "measured range", "fastest", "where the time goes (fastest)"], rows))
}

/// What [`own_table`]'s parts are, in a sentence.
pub const OWN_TABLE_NOTE: &str = "crossing: the built-in guest's noop less the harness loop, once per call the operation makes (two when the file frees the output); arguments: add less noop, once per call that passes any; module: the rest, your module's own work (its code, its allocator) and the bytes copied in and out. Both from the same engine and call API, in this run (--own-only leaves them out).";

/// The heading of `derived.own_advice` in every report.
pub const OWN_ADVICE_TITLE: &str = "What to do about it, for your cases: the cheapest path this run measured, per case and host";

/// The capability table's header: host, runtime and its six columns.
pub fn capability_header() -> Vec<&'static str> {
    let mut h = vec!["host", "runtime"];
    if let Some(row) = capability_example() {
        h.extend(row.cells().iter().map(|(name, _)| *name));
    }
    h
}

fn capability_example() -> Option<crate::capabilities::CapabilityRow> {
    crate::capabilities::table(&[crate::capabilities::ProbeOutcome {
        reused_from_unix: None,
        host: String::new(),
        runtime: String::new(),
        probe: String::new(),
        outcome: crate::capabilities::Outcome::NotRun,
        detail: String::new(),
        seconds: 0.0,
    }])
    .pop()
}

/// What the capability table's cells mean, under it.
pub const CAPABILITY_NOTE: &str = "Measured in this run: the small bad guests of scenarios/probes/ (an invalid module, \
    `unreachable`, an out-of-bounds load, infinite recursion, a loop that never returns, SIMD) ran on each engine in a \
    worker of its own; engines that can stop a guest from inside (epochs, fuel, a context) were configured to do so after \
    a short bound (the interrupt column says when they did), and a worker that stayed silent in the endless loop \
    was killed (the column says after how long). How memory accesses are checked is the engine's configuration.";

/// [`CAPABILITY_NOTE`], and, when some engines' probes were reused from an earlier run
/// (`ProbeOutcome::reused_from_unix`), which and since when.
pub fn capability_note(r: &ResultsFile) -> String {
    let mut reused: Vec<(String, u64)> = Vec::new();
    for p in &r.capabilities {
        if let Some(t) = p.reused_from_unix {
            let name = format!("{} {}", p.host, p.runtime);
            if !reused.iter().any(|(n, _)| *n == name) {
                reused.push((name, t));
            }
        }
    }
    if reused.is_empty() {
        return CAPABILITY_NOTE.to_string();
    }
    let oldest = reused.iter().map(|(_, t)| *t).min().unwrap_or(0);
    let ago = r.started_unix.saturating_sub(oldest);
    let when = if ago < 3600 { format!("{} min before this run", ago / 60) } else { format!("{:.1} h before this run", ago as f64 / 3600.0) };
    format!(
        "{CAPABILITY_NOTE} Not probed again in this run: the outcomes of {} of {} engines ({}) are those an earlier run of the \
         same binaries, probe guests and bounds saw (the oldest probed {when}); `run --reprobe` probes them again.",
        reused.len(),
        r.derived.capabilities.len(),
        reused.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")
    )
}

/// `3 of 40 components are below noise: ...`, and how many came out below zero.
pub fn noise_line(r: &ResultsFile) -> String {
    let all = &r.derived.breakdown;
    let count = |v: Verdict| all.iter().filter(|c| c.verdict == v).count();
    let mut line = format!(
        "{} of {} components are below noise: their 95% interval reaches zero, so they are given as ± the interval's reach",
        count(Verdict::BelowNoise),
        all.len()
    );
    let disagree = count(Verdict::BelowZero);
    if disagree > 0 {
        line.push_str(&format!(
            "; {disagree} came out below zero beyond their interval, given as \"rows disagree (by …)\" (see the warnings)"
        ));
    }
    line
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
