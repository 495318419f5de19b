//! Tables a person reads: results, decomposition, the seed's table, failures, warnings.
//!
//! Two layouts. With a width (the terminal's, or `COLUMNS`; `report` and `run` pass it when
//! stdout is a terminal): compact tables without vertical rules, engine names abbreviated
//! with a legend, each column at least as wide as its longest word and a value never split
//! from its unit, so a cell wraps between words and never inside one. Without one (stdout
//! is a pipe or a file): one table line per record, full names, nothing wrapped, for grep
//! and awk. Intervals are a column of their own only with `intervals` (`--intervals`).
//!
//! A large file (a full run: about 1,750 rows) gets a summary unless `detail` (`--detail`):
//! the seed's table, the advice, engines side by side, guest builds, capabilities and
//! failures, with the per-row tables each replaced by a line saying how to list them.

use super::{Exporter, Rendered};
use crate::analysis::COMPONENTS;
use crate::results::ResultsFile;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ColumnConstraint, ContentArrangement, Table, TableStyle, Width};
use std::fmt::Write;
use unicode_width::UnicodeWidthStr;

#[derive(Default, Clone, Copy)]
pub struct Terminal {
    /// Fit the tables to this many columns (a terminal); `None`: one line per record.
    pub width: Option<u16>,
    /// Give each row's and component's 95% interval.
    pub intervals: bool,
    /// Every row, component and not-applicable case even in a large file; without it a file
    /// of more than [`SUMMARY_ROWS`] rows gets a summary: the per-row tables (results, Go
    /// counters, where the time goes) and the list of cases not applicable are replaced by
    /// one line each saying how many and that `--detail` lists them.
    pub detail: bool,
}

/// The most rows (results, or components of where the time goes) a summary still lists.
pub const SUMMARY_ROWS: usize = 150;

/// The most cases not applicable a summary still lists one by one.
const SUMMARY_NOT_APPLICABLE: usize = 12;

pub use crate::units::ns;

/// Runtime columns per table of "Engines side by side" without a width.
const ENGINE_COLUMNS: usize = 6;

/// Joins a number to its unit (`3.61 µs`, `28 B`) so a wrapped cell keeps them together.
const NBSP: char = '\u{a0}';

/// Words that follow a number as its unit or counter name.
const UNITS: &[&str] = &[
    "ns", "µs", "us", "ms", "s", "B", "KiB", "MiB", "%", "x", "cgo", "allocs", "GC", "instructions", "ns/op", "B/op", "ns/B",
    "instructions/op",
];

fn is_number(t: &str) -> bool {
    let t = t.trim_start_matches(['+', '-', '±', '(', '~', '≈']);
    !t.is_empty() && t.chars().next().is_some_and(|c| c.is_ascii_digit()) && t.parse::<f64>().is_ok()
}

/// `3.61 µs – 38.84 µs` with each number glued to its unit, and `±`, `–` and `×` glued
/// to the value after them.
pub fn glue(s: &str) -> String {
    let words: Vec<&str> = s.split(' ').collect();
    let mut out = String::with_capacity(s.len());
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            let prev = words[i - 1];
            let unit = UNITS.contains(&w.trim_end_matches([',', ')', ';', ':'])) && is_number(prev);
            let sign = matches!(prev, "±" | "×" | "+" | "−");
            out.push(if unit || sign { NBSP } else { ' ' });
        }
        out.push_str(w);
    }
    out
}

/// The widest piece of `s` that must not be split (words and glued values).
fn longest_word(s: &str) -> usize {
    s.lines().flat_map(|l| l.split(' ')).map(UnicodeWidthStr::width).max().unwrap_or(0)
}

/// Short names for the compact layout's runtime and API columns: (name, abbreviation).
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("wasmtime:pooling", "wt:pool"),
    ("wasmtime:bounds", "wt:bounds"),
    ("wasmtime:pulley", "wt:pulley"),
    ("wasmtime:winch", "wt:winch"),
    ("wasmtime:bounds", "wt:bounds"),
    ("wasmtime-capi", "wt-capi"),
    ("wasmtime-go", "wt-go"),
    ("wasmtime", "wt"),
    ("wasmer:singlepass:bounds", "wr:sp:bounds"),
    ("wasmer:singlepass", "wr:sp"),
    ("wasmer:bounds", "wr:bounds"),
    ("wasmer-capi", "wr-capi"),
    ("wasmer-go", "wr-go"),
    ("wasmer", "wr"),
    ("wazero:compiler", "wz:comp"),
    ("wazero:interpreter", "wz:interp"),
    ("wasm2c:bounds", "w2c:bounds"),
    ("wasm2c", "w2c"),
    ("wasm2go", "w2go"),
    ("tinywasm", "tiny"),
    ("unchecked_nocallback", "unchecked_nocb"),
];

/// A table of the report, filled first and laid out at the end (the layout needs every
/// cell: a column's narrowest width is its longest word).
struct Tab {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    right: Vec<usize>,
}

impl Tab {
    fn new(header: &[&str]) -> Self {
        Tab { header: header.iter().map(|h| h.to_string()).collect(), rows: Vec::new(), right: Vec::new() }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn right(mut self, cols: impl IntoIterator<Item = usize>) -> Self {
        self.right.extend(cols);
        self
    }
}

impl Terminal {
    /// A runtime's name as this layout prints it (abbreviated when fitting a width).
    fn rt(&self, name: &str) -> String {
        if self.width.is_none() {
            return name.to_string();
        }
        ABBREVIATIONS.iter().find(|(n, _)| *n == name).map_or_else(|| name.to_string(), |(_, a)| a.to_string())
    }

    /// `wt = wasmtime · wz:comp = wazero:compiler ...` for the runtimes of this file that
    /// the compact layout abbreviates; empty otherwise.
    fn legend(&self, r: &ResultsFile) -> String {
        if self.width.is_none() {
            return String::new();
        }
        let mut used: Vec<&str> = Vec::new();
        let names = r
            .runtimes
            .iter()
            .map(|i| i.runtime.as_str())
            .chain(r.results.iter().flat_map(|x| [x.key.runtime.as_str(), x.key.api.as_str()]));
        for n in names {
            if !used.contains(&n) && ABBREVIATIONS.iter().any(|(a, _)| *a == n) {
                used.push(n);
            }
        }
        let parts: Vec<String> = ABBREVIATIONS
            .iter()
            .filter(|(n, _)| used.contains(n))
            .map(|(n, a)| format!("{a}{NBSP}={NBSP}{n}"))
            .collect();
        if parts.is_empty() {
            return String::new();
        }
        self.wrap(&format!("Abbreviations: {}", parts.join(" · ")), "  ")
    }

    /// Prose wrapped to the width between words (as is without one), continuation lines
    /// indented by `indent`.
    fn wrap(&self, text: &str, indent: &str) -> String {
        let Some(w) = self.width else { return text.to_string() };
        let w = usize::from(w).max(20);
        let mut out = String::new();
        let mut line = String::new();
        for word in glue(text).split(' ') {
            let need = UnicodeWidthStr::width(line.as_str()) + 1 + UnicodeWidthStr::width(word);
            if !line.trim().is_empty() && need > w {
                out.push_str(line.trim_end());
                out.push('\n');
                line = indent.to_string();
            } else if !line.is_empty() && !line.ends_with(' ') {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push_str(line.trim_end());
        out
    }

    /// The table as text: full width (one line per record) or fitted to the width.
    fn render(&self, tab: Tab) -> String {
        let mut t = Table::new();
        match self.width {
            None => {
                t.load_style(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Disabled);
                t.set_header(tab.header.clone());
                for row in &tab.rows {
                    t.add_row(row.clone());
                }
            }
            Some(w) => {
                const COMPACT: TableStyle = TableStyle::new()
                    .header_separator(comfy_table::LineStyle::none().fill('─'));
                t.load_style(COMPACT).set_content_arrangement(ContentArrangement::Dynamic);
                let header: Vec<String> = tab.header.iter().map(|h| glue(h)).collect();
                let rows: Vec<Vec<String>> = tab.rows.iter().map(|r| r.iter().map(|c| glue(c)).collect()).collect();
                let n = header.len();
                let (mut widest, mut longest) = (vec![0usize; n], vec![0usize; n]);
                for cells in std::iter::once(&header).chain(rows.iter()) {
                    for (i, c) in cells.iter().enumerate().take(n) {
                        widest[i] = widest[i].max(longest_word(c));
                        longest[i] = longest[i].max(c.lines().map(UnicodeWidthStr::width).max().unwrap_or(0));
                    }
                }
                // Two spaces between columns where they fit, else one. Each column gets its
                // longest word, then the room left goes to the columns that would wrap, the
                // narrowest need first; a table whose longest words do not fit grows past the
                // width rather than split one.
                let w = usize::from(w);
                let pad = if widest.iter().sum::<usize>() + 2 * n <= w { 2 } else { 1 };
                let mut size: Vec<usize> = widest.iter().map(|x| x + pad).collect();
                let mut room = w.saturating_sub(size.iter().sum());
                let mut order: Vec<usize> = (0..n).collect();
                order.sort_by_key(|&i| longest[i].saturating_sub(widest[i]));
                for (k, &i) in order.iter().enumerate() {
                    let want = (longest[i] + pad).saturating_sub(size[i]);
                    let share = room / (n - k);
                    let give = want.min(share.max(if k + 1 == n { room } else { 0 }));
                    size[i] += give;
                    room -= give;
                }
                t.set_header(header);
                for row in rows {
                    t.add_row(row);
                }
                for (i, col) in t.column_iter_mut().enumerate() {
                    col.set_padding((0, pad as u16));
                    let width = size.get(i).copied().unwrap_or(1).min(u16::MAX as usize) as u16;
                    col.set_constraint(ColumnConstraint::Absolute(Width::Fixed(width)));
                }
            }
        }
        for i in &tab.right {
            if let Some(col) = t.column_mut(*i) {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
        let text = t.to_string();
        // Trailing padding is noise in a terminal and in a golden file; the rule under the
        // header is as long as the widest line.
        let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
        let widest = lines.iter().filter(|l| !l.starts_with('─')).map(|l| UnicodeWidthStr::width(*l)).max().unwrap_or(0);
        lines
            .iter()
            .map(|l| if l.starts_with('─') && self.width.is_some() { "─".repeat(widest) } else { l.to_string() })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Exporter for Terminal {
    fn render(&self, r: &ResultsFile) -> Rendered {
        let mut out = String::new();
        let m = &r.machine;
        let head = format!("interop-bench {} · {} · {} cores · {}", r.tool_version, m.cpu_model, m.cores, m.os);
        let _ = writeln!(out, "{}", self.wrap(&head, "  "));
        let tools: Vec<String> = m.toolchains.values().cloned().collect();
        let how = match (r.config.count_work, r.config.count_repeats) {
            (Some(w), Some(n)) => format!("instructions under callgrind, {n} repeats of ~{w} instructions between two loops"),
            _ => r.config.sampling(),
        };
        let line = format!(
            "guest sha256 {} ({} B) · mode {} · {how} · {}",
            short(&r.guest_sha256),
            r.guest.size_bytes,
            r.config.mode,
            tools.join(" · ")
        );
        let _ = writeln!(out, "{}", self.wrap(&line, "  "));
        if !r.complete {
            let _ = writeln!(out, "(incomplete run: these are the rows measured before it stopped)");
        }
        if let Some(line) = sampling_outcome(r) {
            let _ = writeln!(out, "{}", self.wrap(&line, "  "));
        }
        if let Some(line) = r.config.focused_line() {
            let _ = writeln!(out, "{}", self.wrap(&format!("focused: {line}"), "  "));
        }
        if let Some(line) = r.time_line() {
            let _ = writeln!(out, "{}", self.wrap(&line, "  "));
        }
        if let Some(line) = r.collector_line() {
            let _ = writeln!(out, "{}", self.wrap(&line, "  "));
        }

        // Results: one row per measurement (a table per host when fitting a width).
        let counters = crate::units::any_counters(r.results.iter().map(|row| &row.metrics));
        let split = self.width.is_some();
        let mut hosts: Vec<&str> = Vec::new();
        for row in &r.results {
            if !hosts.contains(&row.key.host.as_str()) {
                hosts.push(&row.key.host);
            }
        }
        let rows_listed = self.detail || r.results.len() <= SUMMARY_ROWS;
        let groups: Vec<Option<&str>> = if !rows_listed {
            vec![]
        } else if split {
            hosts.iter().map(|h| Some(*h)).collect()
        } else {
            vec![None]
        };
        if !rows_listed {
            let line = format!("\nResults: {} rows measured; --detail lists every one (and the Go counters and each component of where the time goes), -f csv gives every sample.", r.results.len());
            let _ = writeln!(out, "{}", self.wrap(&line, ""));
        }
        for host in &groups {
            let rows: Vec<_> = r.results.iter().filter(|row| host.is_none_or(|h| row.key.host == h)).collect();
            // Fitting a width, the Go counters get a table of their own (below).
            let counters = !split && counters && rows.iter().any(|row| crate::units::any_counters(std::iter::once(&row.metrics)));
            let mut header = if split { vec![] } else { vec!["host"] };
            header.extend(["runtime", "api", "scenario", "ns/op (mean)"]);
            let first = header.len() - 1;
            // Fitting a width, the interval alone (samples and outliers: the layout for tools).
            let detail = self.intervals && !split;
            if self.intervals {
                header.push("95% CI");
            }
            if detail {
                header.extend(["samples × iters", "outliers"]);
            }
            header.push("ok");
            if counters {
                header.push("Go counters per op");
            }
            let right: Vec<usize> = (first..first + 1 + usize::from(self.intervals) + 2 * usize::from(detail)).collect();
            let mut t = Tab::new(&header).right(right);
            for row in rows {
                let k = &row.key;
                let mut cells = if split { vec![] } else { vec![k.host.clone()] };
                cells.extend([self.rt(&k.runtime), self.rt(&k.api), k.case_label(), super::row_figure(row, r)]);
                if self.intervals {
                    cells.push(format!("{} – {}", ns(row.ns_per_op.ci_low), ns(row.ns_per_op.ci_high)));
                }
                if detail {
                    cells.extend([super::samples_text(row), row.summary.outliers.total().to_string()]);
                }
                cells.push(if row.verified { "✓".into() } else { "✗".into() });
                if counters {
                    cells.push(crate::units::counters(&row.metrics));
                }
                t.row(cells);
            }
            if !r.results.is_empty() || (r.counts.is_empty() && host.is_none()) {
                let title = match host {
                    Some(h) => format!("Results (host {h})"),
                    None => "Results".into(),
                };
                let _ = writeln!(out, "\n{title}\n{}", self.render(t));
            }
        }
        if split && counters && rows_listed {
            let mut t = Tab::new(&["runtime", "api", "scenario", "Go counters per op"]);
            for row in r.results.iter().filter(|row| !short_counters(&row.metrics).is_empty()) {
                let k = &row.key;
                t.row(vec![self.rt(&k.runtime), self.rt(&k.api), k.case_label(), short_counters(&row.metrics)]);
            }
            let title = self.wrap("Go counters per op (rows with any: cgo calls, allocations, bytes, GC cycles, GC CPU time)", "");
            let _ = writeln!(out, "\n{title}\n{}", self.render(t));
        }
        if rows_listed && (!r.results.is_empty() || r.counts.is_empty()) {
            if !self.intervals {
                let _ = writeln!(out, "{}", self.wrap("(each row's 95% interval: --intervals)", ""));
            }
            let legend = self.legend(r);
            if !legend.is_empty() {
                let _ = writeln!(out, "{legend}");
            }
        }

        // Instruction counts (run --counts).
        if !r.counts.is_empty() {
            let ct = crate::counts::table(&r.counts);
            let header: Vec<&str> = ct.header.iter().map(|h| h.as_ref()).collect();
            let mut t = Tab::new(&header).right(4..ct.header.len() - 1);
            for row in ct.rows {
                t.row(row);
            }
            let _ = writeln!(out, "\nInstructions per op (callgrind; they do not wobble, but they are not time)\n{}", self.render(t));
            let _ = writeln!(out, "{}", self.wrap(crate::counts::ABOUT, ""));
        }
        for lt in crate::counts::layer_tables(&r.derived) {
            let mut t = Tab::new(&lt.header);
            for row in crate::counts::layer_rows(lt.layers) {
                t.row(row);
            }
            let _ = writeln!(out, "\n{}\n{}", lt.title, self.render(t));
            let _ = writeln!(out, "{}", self.wrap(lt.about, ""));
            for d in crate::counts::disagreements(lt.layers, 10.0) {
                let _ = writeln!(out, "  - {}", self.wrap(&d, "    "));
            }
        }

        // Decomposition (a table per host when fitting a width).
        let components_listed = self.detail || r.derived.breakdown.len() <= SUMMARY_ROWS;
        if !components_listed {
            let line = format!(
                "\nWhere the time goes: {} components derived ({}); --detail lists them.",
                r.derived.breakdown.len(),
                super::noise_line(r)
            );
            let _ = writeln!(out, "{}", self.wrap(&line, ""));
        }
        if components_listed && !r.derived.breakdown.is_empty() {
            let mut hosts: Vec<&str> = Vec::new();
            for c in &r.derived.breakdown {
                if !hosts.contains(&c.host.as_str()) {
                    hosts.push(&c.host);
                }
            }
            let split = self.width.is_some();
            let groups: Vec<Option<&str>> = if split { hosts.iter().map(|h| Some(*h)).collect() } else { vec![None] };
            for host in groups {
                let mut header = if split { vec![] } else { vec!["host"] };
                header.extend(["runtime", "api", "component", "value"]);
                let value = header.len() - 1;
                if self.intervals {
                    header.push("95% CI");
                }
                // Fitting a width, the derivations (long words) come with the intervals.
                let derived = !split || self.intervals;
                if derived {
                    header.push("derived from");
                }
                let mut t = Tab::new(&header).right(if self.intervals { vec![value, value + 1] } else { vec![value] });
                for (name, _) in COMPONENTS {
                    for c in r.derived.breakdown.iter().filter(|c| c.component == *name && host.is_none_or(|h| c.host == h)) {
                        let mut cells = if split { vec![] } else { vec![c.host.clone()] };
                        cells.extend([self.rt(&c.runtime), self.rt(&c.api), c.label(), c.text()]);
                        if self.intervals {
                            cells.push(c.interval_text());
                        }
                        if derived {
                            cells.push(c.derivation.clone());
                        }
                        t.row(cells);
                    }
                }
                let title = match host {
                    Some(h) => format!("Where the time goes (host {h})"),
                    None => "Where the time goes".into(),
                };
                let _ = writeln!(out, "\n{title}\n{}", self.render(t));
            }
            if split && !self.intervals {
                let _ = writeln!(out, "(each component's interval and the rows it is derived from: --intervals)");
            }
            let _ = writeln!(out, "{}", self.wrap(&super::noise_line(r), ""));
            let _ = writeln!(out, "Components:");
            for (name, meaning) in COMPONENTS {
                if r.derived.breakdown.iter().any(|c| c.component == *name) {
                    let _ = writeln!(out, "{}", self.wrap(&format!("  {name:<26} {meaning}"), "      "));
                }
            }
        }

        // A scenario file's cases, split.
        let every = self.detail || r.derived.own_cases.len() <= SUMMARY_ROWS;
        if let Some((header, rows)) = super::own_table(r, !every) {
            let mut t = Tab::new(&header).right([if every { 4 } else { 2 }]);
            for row in rows {
                t.row(row);
            }
            let more = if every { "" } else { " (the fastest row per case and host; --detail lists every one)" };
            let _ = writeln!(out, "\nYour scenarios: where the time goes{more}\n{}", self.render(t));
            let _ = writeln!(out, "{}", self.wrap(super::OWN_TABLE_NOTE, ""));
            let _ = writeln!(out, "\n{}", super::OWN_ADVICE_TITLE);
            for line in &r.derived.own_advice {
                let _ = writeln!(out, "{}", self.wrap(&format!("  - {line}"), "    "));
            }
        }

        // The seed's table.
        if !r.derived.seed_table.is_empty() {
            let mut t = Tab::new(&["benchmark (seed)", "host", "measured range", "fastest", "main source of overhead"]).right([2]);
            for s in &r.derived.seed_table {
                let range = if s.rows > 1 { format!("{} – {}", ns(s.min_ns), ns(s.max_ns)) } else { ns(s.min_ns) };
                t.row(vec![format!("Benchmark{}", s.benchmark), s.host.clone(), range, s.fastest.clone(), s.main_source.clone()]);
            }
            let built = self.wrap(&format!("Measured on {}.", super::variants::guest_label(r)), "  ");
            let _ = writeln!(out, "\nThe founding document's table, measured\n{}\n{built}", self.render(t));
        }
        if !r.derived.advice.is_empty() {
            let _ = writeln!(out, "\nWhat to do about it: the cheapest path this run measured, per case");
            for a in &r.derived.advice {
                let _ = writeln!(out, "{}", self.wrap(&format!("  - Benchmark{} ({}): {}", a.benchmark, a.host, a.sentence(ns)), "    "));
            }
        }

        // Engines side by side: a column per engine and mode, as many a table as the
        // width holds (six without a width).
        for m in &r.derived.engines {
            let names: Vec<String> = m.runtimes.iter().map(|n| self.rt(n)).collect();
            let cell = |row: &crate::analysis::MatrixRow, i: usize| super::markdown::matrix_cell(row.cells[i], &row.unit);
            let chunks: Vec<std::ops::Range<usize>> = match self.width {
                None => (0..names.len()).step_by(ENGINE_COLUMNS).map(|a| a..(a + ENGINE_COLUMNS).min(names.len())).collect(),
                Some(w) => {
                    let first = m.rows.iter().map(|row| longest_word(&glue(&row.metric))).chain([6]).max().unwrap_or(6) + 2;
                    let col = |i: usize| {
                        m.rows.iter().map(|row| longest_word(&glue(&cell(row, i)))).chain([longest_word(&names[i])]).max().unwrap_or(1) + 2
                    };
                    // The metric column at its longest word (its labels wrap), the rest for engines.
                    let room = usize::from(w).saturating_sub(first).max(col(0));
                    let mut chunks = Vec::new();
                    let mut start = 0;
                    let mut used = 0;
                    for i in 0..names.len() {
                        let c = col(i);
                        if i > start && used + c > room {
                            chunks.push(start..i);
                            start = i;
                            used = 0;
                        }
                        used += c;
                    }
                    if start < names.len() {
                        chunks.push(start..names.len());
                    }
                    chunks
                }
            };
            for (part, cols) in chunks.iter().enumerate() {
                let mut header = vec!["figure"];
                header.extend(names[cols.clone()].iter().map(String::as_str));
                let mut t = Tab::new(&header).right(1..=cols.len());
                for row in &m.rows {
                    let mut cells = vec![row.metric.clone()];
                    cells.extend(cols.clone().map(|i| cell(row, i)));
                    t.row(cells);
                }
                let part = if chunks.len() > 1 { format!(", part {} of {}", part + 1, chunks.len()) } else { String::new() };
                let _ = writeln!(out, "\nEngines side by side (host {}{part})\n{}", m.host, self.render(t));
            }
        }

        // The guest builds side by side, and the compute step by step.
        if let Some((header, rows)) = super::variants::builds(r) {
            let mut t = Tab::new(&header);
            for row in rows {
                t.row(row);
            }
            let _ = writeln!(out, "\nGuest builds\n{}", self.render(t));
        }
        if let Some((header, rows)) = super::variants::side_by_side(r) {
            let n = header.len();
            let mut t = Tab::new(&header.iter().map(String::as_str).collect::<Vec<_>>()).right(4..n);
            for row in rows {
                t.row(row);
            }
            let _ = writeln!(out, "\nGuest builds side by side\n{}\n{}", self.render(t), super::variants::VARIANTS_NOTE);
        }
        let chains = super::variants::chain_lines(r);
        if !chains.is_empty() {
            let _ = writeln!(out, "\nThe compute, step by step (sum_array_resident, 10000 i32)");
            for c in &chains {
                let _ = writeln!(out, "{}", self.wrap(&format!("  {c}"), "    "));
            }
            let _ = writeln!(out, "{}", self.wrap(super::variants::CHAIN_NOTE, ""));
        }

        // What each engine gives up.
        if !r.derived.capabilities.is_empty() && self.width.is_some() {
            // Fitting a width: the verdicts in a narrow table, and what each one means (the
            // cells that say more than their verdict) in wrapped lines under it, so that
            // no cell's sentence widens the table past the terminal.
            const SHORT: [&str; 6] = ["validates", "traps", "interrupts", "stack", "memory", "SIMD"];
            let mut h = vec!["runtime"];
            h.extend(SHORT);
            let mut t = Tab::new(&h);
            let mut said = Vec::new();
            for c in &r.derived.capabilities {
                let mut cells = vec![self.rt(&c.runtime)];
                let mut more = Vec::new();
                for ((_, cell), short) in c.cells().iter().zip(SHORT) {
                    cells.push(cell.verdict.clone());
                    if cell.text != cell.verdict {
                        more.push(format!("{short}: {}", cell.text));
                    }
                }
                t.row(cells);
                if !more.is_empty() {
                    said.push(format!("{} {}: {}", c.host, c.runtime, more.join("; ")));
                }
            }
            let _ = writeln!(out, "\nWhat each engine gives up (measured)\n{}", self.render(t));
            for line in &said {
                let _ = writeln!(out, "{}", self.wrap(&format!("  {line}"), "    "));
            }
            let _ = writeln!(out, "{}", self.wrap(&super::capability_note(r), ""));
        } else if !r.derived.capabilities.is_empty() {
            // Not fitting a width (piped): every cell's whole text, a row per engine.
            let mut t = Tab::new(&super::capability_header());
            for c in &r.derived.capabilities {
                let mut cells = vec![c.host.clone(), self.rt(&c.runtime)];
                cells.extend(c.cells().iter().map(|(_, cell)| cell.text.clone()));
                t.row(cells);
            }
            let _ = writeln!(
                out,
                "\nWhat each engine gives up (measured)\n{}\n{}",
                self.render(t),
                self.wrap(&super::capability_note(r), "")
            );
        }

        // Not applicable (a neutral mark: nothing went wrong), then failures.
        let (na, failed) = (&r.not_applicable, &r.failures);
        if !na.is_empty() && !self.detail && na.len() > SUMMARY_NOT_APPLICABLE {
            let line = format!("\nNot applicable: {} cases an engine does not offer (not failures); --detail lists each with its reason.", na.len());
            let _ = writeln!(out, "{}", self.wrap(&line, ""));
        } else if !na.is_empty() {
            let _ = writeln!(out, "\nNot applicable ({}):", na.len());
            for n in na {
                let _ = writeln!(out, "{}", self.wrap(&format!("  - {}", n.reason), "    "));
            }
        }
        if !failed.is_empty() {
            let _ = writeln!(out, "\nFailures ({}):", failed.len());
            for f in failed {
                // The first line; a trap's backtrace and the rest are in the results file.
                let _ = writeln!(out, "{}", self.wrap(&format!("  ✗ {}", f.error.lines().next().unwrap_or("")), "    "));
            }
        }

        // Warnings: counted by kind, each with its fix (the summary every format gives).
        let notes = super::notes::warnings_summary(r);
        // No-break spaces joined values for the layout; the terminal shows them as spaces,
        // and text copied out of it should have plain ones.
        Rendered { output: out.replace(NBSP, " "), notes }
    }
}

/// The Go counters that are not zero, tersely: `8 cgo · 1.3 allocs · 28 B · 0.01 GC`
/// (CPU time, close to the row's own time, left to the full layout).
fn short_counters(m: &std::collections::BTreeMap<String, f64>) -> String {
    let parts: Vec<String> = [
        ("cgo_calls_per_op", "cgo"),
        ("allocs_per_op", "allocs"),
        ("bytes_per_op", "B"),
        ("gc_cycles_per_op", "GC"),
        ("gc_cpu_ns_per_op", "ns GC"),
    ]
    .iter()
    .filter_map(|(k, label)| m.get(*k).filter(|v| **v != 0.0 && v.is_finite()).map(|v| format!("{} {label}", counter(*v))))
    .collect();
    parts.join(" · ")
}

fn counter(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 0.1 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(16)]
}

/// `812 rows reached ±1%, 163 stopped at a cap (see the warnings); noise 1.2%` for a run
/// that sampled to a precision target; `None` otherwise (and for a run that timed no row:
/// `run --counts` counts instead).
fn sampling_outcome(r: &ResultsFile) -> Option<String> {
    use crate::results::stop;
    if r.config.precision_pct <= 0.0 || r.results.is_empty() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{RawRow, ResultRow, RowKey};

    #[test]
    fn a_run_that_timed_no_row_says_nothing_about_sampling() {
        // `run --counts` keeps the precision target in its config and counts instead.
        let mut r = ResultsFile::new();
        r.config.precision_pct = 1.0;
        assert_eq!(sampling_outcome(&r), None);
        let key = RowKey::of("rust", "wasmtime", "typed", "noop", Default::default(), "o3");
        let mut raw = RawRow::fixture(key, vec![20.0, 20.1, 19.9]);
        raw.stop = Some(crate::results::stop::PRECISION.into());
        r.results.push(ResultRow::from_raw(raw));
        assert!(sampling_outcome(&r).unwrap().starts_with("sampling: 1 rows reached ±1%"));
    }

    /// A scenario-file run on `--guest`: its case on `engines` (rust), the built-in guest's
    /// noop and add beside each.
    fn own_run(engines: &[(&str, f64)]) -> ResultsFile {
        let mut r = ResultsFile::new();
        r.scenario_file = Some(crate::results::ScenarioFileRecord {
            path: "m.toml".into(),
            toml: "schema = 1\n[[scenario]]\nname = \"f\"\nexport = \"f\"\nparams = [\"i32\"]\nresults = [\"i32\"]\nargs = [1]\ncheck = \"unchecked\"\n".into(),
        });
        r.guest.variants = vec![crate::results::GuestVariant { name: "custom".into(), ..Default::default() }];
        let row = |runtime: &str, scenario: &str, variant: &str, ns: f64| {
            ResultRow::from_raw(RawRow::fixture(RowKey::of("rust", runtime, "typed", scenario, Default::default(), variant), vec![ns, ns, ns]))
        };
        for (rt, ns) in engines {
            r.results.push(row(rt, "f", "custom", *ns));
            r.results.push(row(rt, "noop", "o3", 10.0));
            r.results.push(row(rt, "add", "o3", 12.0));
        }
        r.rederive();
        r
    }

    #[test]
    fn a_scenario_files_split_lists_every_row_or_the_fastest_per_case_and_host() {
        let r = own_run(&[("wasmtime", 50.0), ("wasmi", 200.0)]);
        let (header, rows) = super::super::own_table(&r, false).unwrap();
        assert_eq!(header[5], "where the time goes");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][..5], ["f", "rust", "wasmtime", "typed", "50.0 ns"]);
        assert!(rows[0][5].starts_with("module 76% (38.0 ns), crossing 20% (10.0 ns), arguments 4% (2.00 ns)"), "{}", rows[0][5]);
        // Summary: one row per case and host, the range over the engines, the fastest's split.
        let (header, rows) = super::super::own_table(&r, true).unwrap();
        assert_eq!(header, ["case", "host", "measured range", "fastest", "where the time goes (fastest)"]);
        assert_eq!(rows, [vec!["f".to_string(), "rust".into(), "50.0 ns – 200 ns".into(), "wasmtime typed".into(), rows[0][4].clone()]]);
        assert!(rows[0][4].starts_with("module 76%"));
        // The terminal prints the table, the note and the advice.
        let out = Exporter::render(&Terminal::default(), &r).output;
        assert!(out.contains("Your scenarios: where the time goes") && out.contains("f (rust): wasmtime typed, 50.0 ns, 4x cheaper than wasmi typed (200 ns)"), "{out}");
        // A run that is not of a scenario file prints none of it.
        assert!(super::super::own_table(&ResultsFile::new(), false).is_none());
    }
}
