//! Tables a person reads: results, decomposition, the seed's table, failures, warnings.

use super::{Exporter, Rendered};
use crate::analysis::COMPONENTS;
use crate::results::ResultsFile;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table};
use std::fmt::Write;

/// Runtime columns per table of "Engines side by side".
const ENGINE_COLUMNS: usize = 6;

#[derive(Default)]
pub struct Terminal {
    /// Fixed width for reproducible output (golden tests); the terminal's otherwise.
    pub width: Option<u16>,
}

pub use crate::units::ns;

impl Terminal {
    fn table(&self, header: Vec<&str>) -> Table {
        let mut t = Table::new();
        t.load_style(UTF8_FULL_CONDENSED).set_header(header);
        match self.width {
            Some(w) => {
                t.set_width(w).set_content_arrangement(ContentArrangement::Dynamic);
            }
            None => {
                t.set_content_arrangement(ContentArrangement::Dynamic);
            }
        }
        t
    }
}

impl Exporter for Terminal {
    fn render(&self, r: &ResultsFile) -> Rendered {
        let mut out = String::new();
        let m = &r.machine;
        let _ = writeln!(out, "interop-bench {} · {} · {} cores · {}", r.tool_version, m.cpu_model, m.cores, m.os);
        let tools: Vec<String> = m.toolchains.values().cloned().collect();
        let how = match (r.config.count_work, r.config.count_repeats) {
            (Some(w), Some(n)) => format!("instructions under callgrind, {n} repeats of ~{w} instructions between two loops"),
            _ => r.config.sampling(),
        };
        let _ = writeln!(
            out,
            "guest sha256 {} ({} B) · mode {} · {how} · {}",
            short(&r.guest_sha256),
            r.guest.size_bytes,
            r.config.mode,
            tools.join(" · ")
        );
        if !r.complete {
            let _ = writeln!(out, "(incomplete run: these are the rows measured before it stopped)");
        }
        if let Some(line) = sampling_outcome(r) {
            let _ = writeln!(out, "{line}");
        }

        // Results: one row per measurement.
        let counters = crate::units::any_counters(r.results.iter().map(|row| &row.metrics));
        let mut header = vec!["host", "runtime", "api", "scenario", "ns/op (mean)", "95% CI", "samples × iters", "outliers", "ok"];
        if counters {
            header.push("Go counters per op");
        }
        let mut t = self.table(header);
        for row in &r.results {
            let k = &row.key;
            let mut cells = vec![
                k.host.clone(),
                k.runtime.clone(),
                k.api.clone(),
                k.case_label(),
                super::row_figure(row, r),
                format!("{} – {}", ns(row.ns_per_op.ci_low), ns(row.ns_per_op.ci_high)),
                format!("{} × {}", row.samples, row.iters_per_sample),
                row.summary.outliers.total().to_string(),
                if row.verified { "✓".into() } else { "✗".into() },
            ];
            if counters {
                cells.push(crate::units::counters(&row.metrics));
            }
            t.add_row(cells);
        }
        for i in [4, 5, 6, 7] {
            if let Some(col) = t.column_mut(i) {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
        if !r.results.is_empty() || r.counts.is_empty() {
            let _ = writeln!(out, "\nResults\n{t}");
        }

        // Instruction counts (run --counts).
        if !r.counts.is_empty() {
            let ct = crate::counts::table(&r.counts);
            let mut t = self.table(ct.header.clone());
            for row in ct.rows {
                t.add_row(row);
            }
            for i in 4..ct.header.len() - 1 {
                if let Some(col) = t.column_mut(i) {
                    col.set_cell_alignment(CellAlignment::Right);
                }
            }
            let _ = writeln!(out, "\nInstructions per op (callgrind; they do not wobble, but they are not time)\n{t}");
            let _ = writeln!(out, "{}", crate::counts::ABOUT);
        }
        if !r.derived.count_layers.is_empty() {
            let mut t = self.table(vec!["runtime", "api", "case", "layer", "instructions/op", "share", "time", "share of time", "derived from"]);
            for row in crate::counts::layer_rows(&r.derived.count_layers) {
                t.add_row(row);
            }
            let _ = writeln!(out, "\nThe cgo path layer by layer, in instructions (parts add up to the crossing exactly; gc comes on top)\n{t}");
            for d in crate::counts::disagreements(&r.derived.count_layers, 10.0) {
                let _ = writeln!(out, "  - {d}");
            }
        }

        // Decomposition.
        if !r.derived.breakdown.is_empty() {
            let mut t = self.table(vec!["host", "runtime", "api", "component", "value", "95% CI", "derived from"]);
            for (name, _) in COMPONENTS {
                for c in r.derived.breakdown.iter().filter(|c| c.component == *name) {
                    t.add_row(vec![
                        c.host.clone(),
                        c.runtime.clone(),
                        c.api.clone(),
                        c.label(),
                        c.text(),
                        c.interval_text(),
                        c.derivation.clone(),
                    ]);
                }
            }
            for i in [4, 5] {
                if let Some(col) = t.column_mut(i) {
                    col.set_cell_alignment(CellAlignment::Right);
                }
            }
            let _ = writeln!(out, "\nWhere the time goes\n{t}");
            let _ = writeln!(out, "{}", super::noise_line(r));
            let _ = writeln!(out, "Components:");
            for (name, meaning) in COMPONENTS {
                if r.derived.breakdown.iter().any(|c| c.component == *name) {
                    let _ = writeln!(out, "  {name:<26} {meaning}");
                }
            }
        }

        // The seed's table.
        if !r.derived.seed_table.is_empty() {
            let mut t = self.table(vec!["benchmark (seed)", "host", "measured range", "fastest", "main source of overhead"]);
            for s in &r.derived.seed_table {
                let range = if s.rows > 1 { format!("{} – {}", ns(s.min_ns), ns(s.max_ns)) } else { ns(s.min_ns) };
                t.add_row(vec![
                    format!("Benchmark{}", s.benchmark),
                    s.host.clone(),
                    range,
                    s.fastest.clone(),
                    s.main_source.clone(),
                ]);
            }
            let _ = writeln!(out, "\nThe founding document's table, measured\n{t}\nMeasured on {}.", super::variants::guest_label(r));
        }
        if !r.derived.advice.is_empty() {
            let _ = writeln!(out, "\nWhat to do about it: the cheapest path this run measured, per case");
            for a in &r.derived.advice {
                let _ = writeln!(out, "  - Benchmark{} ({}): {}", a.benchmark, a.host, a.sentence(ns));
            }
        }

        // Engines side by side: a column per engine and mode, a few columns a table so
        // that it stays readable in a terminal.
        for m in &r.derived.engines {
            for (i, cols) in m.runtimes.chunks(ENGINE_COLUMNS).enumerate() {
                let first = i * ENGINE_COLUMNS;
                let mut header = vec!["figure"];
                header.extend(cols.iter().map(String::as_str));
                let mut t = self.table(header);
                for row in &m.rows {
                    let mut cells = vec![row.metric.clone()];
                    cells.extend(
                        row.cells[first..first + cols.len()].iter().map(|v| super::markdown::matrix_cell(*v, &row.unit)),
                    );
                    t.add_row(cells);
                }
                for c in 1..=cols.len() {
                    if let Some(col) = t.column_mut(c) {
                        col.set_cell_alignment(CellAlignment::Right);
                    }
                }
                let part = if m.runtimes.len() > ENGINE_COLUMNS { format!(", part {}", i + 1) } else { String::new() };
                let _ = writeln!(out, "\nEngines side by side (host {}{part})\n{t}", m.host);
            }
        }

        // The guest builds side by side, and the compute step by step.
        if let Some((header, rows)) = super::variants::builds(r) {
            let mut t = self.table(header);
            for row in rows {
                t.add_row(row);
            }
            let _ = writeln!(out, "\nGuest builds\n{t}");
        }
        if let Some((header, rows)) = super::variants::side_by_side(r) {
            let n = header.len();
            let mut t = self.table(header.iter().map(String::as_str).collect());
            for row in rows {
                t.add_row(row);
            }
            for c in 4..n {
                if let Some(col) = t.column_mut(c) {
                    col.set_cell_alignment(CellAlignment::Right);
                }
            }
            let _ = writeln!(out, "\nGuest builds side by side\n{t}\n{}", super::variants::VARIANTS_NOTE);
        }
        let chains = super::variants::chain_lines(r);
        if !chains.is_empty() {
            let _ = writeln!(out, "\nThe compute, step by step (sum_array_resident, 10000 i32)");
            for c in &chains {
                let _ = writeln!(out, "  {c}");
            }
            let _ = writeln!(out, "{}", super::variants::CHAIN_NOTE);
        }

        // What each engine gives up.
        if !r.derived.capabilities.is_empty() {
            let mut t = self.table(super::capability_header());
            for c in &r.derived.capabilities {
                let mut cells = vec![c.host.clone(), c.runtime.clone()];
                cells.extend(c.cells().iter().map(|(_, cell)| cell.text.clone()));
                t.add_row(cells);
            }
            let _ = writeln!(out, "\nWhat each engine gives up (measured)\n{t}\n{}", super::CAPABILITY_NOTE);
        }

        // Not applicable, then failures.
        let (na, failed) = (&r.not_applicable, &r.failures);
        if !na.is_empty() {
            let _ = writeln!(out, "\nNot applicable ({}):", na.len());
            for n in na {
                let _ = writeln!(out, "  - {}", n.reason);
            }
        }
        if !failed.is_empty() {
            let _ = writeln!(out, "\nFailures ({}):", failed.len());
            for f in failed {
                // The first line; a trap's backtrace and the rest are in the results file.
                let _ = writeln!(out, "  ✗ {}", f.error.lines().next().unwrap_or(""));
            }
        }

        // Warnings: counted by kind, each with its fix (the summary every format gives).
        let notes = super::notes::warnings_summary(r);
        Rendered { output: out, notes }
    }
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(16)]
}

/// `812 rows reached ±1%, 163 stopped at a cap (see the warnings); noise 1.2%` for a run
/// that sampled to a precision target; `None` otherwise.
fn sampling_outcome(r: &ResultsFile) -> Option<String> {
    use crate::results::stop;
    if r.config.precision_pct <= 0.0 {
        return None;
    }
    let count = |s: &str| r.results.iter().filter(|row| row.stop.as_deref() == Some(s)).count();
    let capped = count(stop::TIME_CAP) + count(stop::SAMPLE_CAP) + count(stop::PROJECTED);
    let noise = match r.derived.noise_pct {
        Some(n) => format!("; run-to-run noise (reference rows, start to end) {n:.1}%"),
        None => String::new(),
    };
    Some(format!(
        "sampling: {} rows reached ±{}%, {capped} stopped at a cap first (listed in the warnings){noise}",
        count(stop::PRECISION),
        r.config.precision_pct
    ))
}
