//! Markdown tables for pasting into issues and READMEs: results, decomposition, the seed's table.

use super::terminal::ns;
use super::{notes, Exporter, Rendered};
use crate::analysis::COMPONENTS;
use crate::results::ResultsFile;
use comfy_table::presets::ASCII_MARKDOWN;
use comfy_table::{CellAlignment, ContentArrangement, Table};
use std::fmt::Write;

pub struct Markdown;

/// A cell's text with Markdown's table syntax neutralized (`|`, newlines) and inline
/// markup characters escaped, so a name cannot break or restyle the table.
pub fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '\\' | '*' | '`' | '<' | '>' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(ASCII_MARKDOWN).set_content_arrangement(ContentArrangement::Disabled);
    t.set_header(header.iter().map(|h| cell(h)).collect::<Vec<_>>());
    t
}

fn right(t: &mut Table, cols: &[usize]) {
    for &i in cols {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
}


/// One cell of "Engines side by side": the value, or `-` where not measured.
pub fn matrix_cell(v: Option<crate::analysis::Cell>, unit: &str) -> String {
    v.map_or_else(|| "-".into(), |c| c.text(unit))
}

impl Exporter for Markdown {
    fn render(&self, r: &ResultsFile) -> Rendered {
        let mut out = String::new();
        let m = &r.machine;
        let _ = writeln!(out, "## interop-bench results\n");
        let _ = writeln!(
            out,
            "{} · {} cores · {} · interop-bench {} · mode {} · guest sha256 `{}`\n",
            cell(&m.cpu_model),
            m.cores,
            cell(&m.os),
            cell(&r.tool_version),
            cell(&r.config.mode),
            cell(&r.guest_sha256[..r.guest_sha256.len().min(16)])
        );
        if !r.runtimes.is_empty() {
            let versions: Vec<String> = r
                .runtimes
                .iter()
                .map(|i| format!("{} {} {} ({})", cell(&i.host), cell(&i.runtime), cell(&i.version), cell(&i.engine)))
                .collect();
            let _ = writeln!(out, "Runtimes: {}\n", versions.join(" · "));
        }
        if let Some(line) = r.config.focused_line() {
            let _ = writeln!(out, "Focused configurations, {}\n", cell(&line));
        }
        if !r.complete {
            let _ = writeln!(out, "*Incomplete run: these are the rows measured before it stopped.*\n");
        }

        let counters = crate::units::any_counters(r.results.iter().map(|row| &row.metrics));
        let mut header = vec!["host", "runtime", "api", "scenario", "ns/op (mean)", "95% CI", "samples", "verified"];
        if counters {
            header.push("Go counters per op");
        }
        let mut t = table(&header);
        for row in &r.results {
            let k = &row.key;
            let mut cells = vec![
                cell(&k.host),
                cell(&k.runtime),
                cell(&k.api),
                cell(&k.case_label()),
                cell(&super::row_figure(row, r)),
                format!("{} – {}", ns(row.ns_per_op.ci_low), ns(row.ns_per_op.ci_high)),
                row.samples.to_string(),
                if row.verified { "yes".into() } else { "**no**".into() },
            ];
            if counters {
                cells.push(cell(&crate::units::counters(&row.metrics)));
            }
            t.add_row(cells);
        }
        right(&mut t, &[4, 5, 6]);
        if !r.results.is_empty() || r.counts.is_empty() {
            let _ = writeln!(out, "### Results\n\n{t}\n");
        }
        if !r.counts.is_empty() {
            let ct = crate::counts::table(&r.counts);
            let mut t = table(&ct.header);
            for row in ct.rows {
                t.add_row(row.iter().map(|c| cell(c)).collect::<Vec<_>>());
            }
            right(&mut t, &(4..ct.header.len() - 1).collect::<Vec<_>>());
            let _ = writeln!(out, "### Instructions per op\n\n{t}\n\n{}\n", cell(crate::counts::ABOUT));
        }
        for lt in crate::counts::layer_tables(&r.derived) {
            let mut t = table(&lt.header);
            for row in crate::counts::layer_rows(lt.layers) {
                t.add_row(row.iter().map(|c| cell(c)).collect::<Vec<_>>());
            }
            let _ = writeln!(out, "### {}\n\n{}\n\n{t}\n", lt.title, cell(lt.about));
            for d in crate::counts::disagreements(lt.layers, 10.0) {
                let _ = writeln!(out, "- {}", cell(&d));
            }
            let _ = writeln!(out);
        }

        if !r.derived.breakdown.is_empty() {
            let mut t = table(&["host", "runtime", "api", "component", "value", "95% CI", "derived from"]);
            for (name, _) in COMPONENTS {
                for c in r.derived.breakdown.iter().filter(|c| c.component == *name) {
                    t.add_row(vec![
                        cell(&c.host),
                        cell(&c.runtime),
                        cell(&c.api),
                        cell(&c.label()),
                        cell(&c.text()),
                        cell(&c.interval_text()),
                        cell(&c.derivation),
                    ]);
                }
            }
            right(&mut t, &[4, 5]);
            let _ = writeln!(out, "### Where the time goes\n\n{t}\n\n{}\n", cell(&super::noise_line(r)));
        }

        if let Some((header, rows)) = super::own_table(r, false) {
            let mut t = table(&header);
            for row in rows {
                t.add_row(row.iter().map(|c| cell(c)).collect::<Vec<_>>());
            }
            right(&mut t, &[4]);
            let _ = writeln!(out, "### Your scenarios: where the time goes\n\n{t}\n\n{}\n", cell(super::OWN_TABLE_NOTE));
            let _ = writeln!(out, "{}\n", super::OWN_ADVICE_TITLE);
            for line in &r.derived.own_advice {
                let _ = writeln!(out, "- {}", cell(line));
            }
            let _ = writeln!(out);
        }

        if !r.derived.seed_table.is_empty() {
            let mut t = table(&["benchmark (seed)", "host", "measured range", "fastest", "main source of overhead"]);
            for s in &r.derived.seed_table {
                let range = if s.rows > 1 { format!("{} – {}", ns(s.min_ns), ns(s.max_ns)) } else { ns(s.min_ns) };
                t.add_row(vec![
                    cell(&format!("Benchmark{}", s.benchmark)),
                    cell(&s.host),
                    range,
                    cell(&s.fastest),
                    cell(&s.main_source),
                ]);
            }
            right(&mut t, &[2]);
            let _ = writeln!(out, "### The founding document's table, measured\n\n{t}\n\nMeasured on {}.\n", cell(&super::variants::guest_label(r)));
        }
        if let Some((header, rows)) = super::variants::builds(r) {
            let mut t = table(&header);
            for row in rows {
                t.add_row(row.iter().map(|c| cell(c)).collect::<Vec<_>>());
            }
            let _ = writeln!(out, "### Guest builds\n\n{t}\n");
        }
        if let Some((header, rows)) = super::variants::side_by_side(r) {
            let h: Vec<&str> = header.iter().map(String::as_str).collect();
            let mut t = table(&h);
            for row in rows {
                t.add_row(row.iter().map(|c| cell(c)).collect::<Vec<_>>());
            }
            right(&mut t, &(4..header.len()).collect::<Vec<_>>());
            let _ = writeln!(out, "### Guest builds side by side\n\n{t}\n\n{}\n", cell(super::variants::VARIANTS_NOTE));
        }
        let chains = super::variants::chain_lines(r);
        if !chains.is_empty() {
            let _ = writeln!(out, "### The compute, step by step (sum_array_resident, 10000 i32)\n");
            for c in &chains {
                let _ = writeln!(out, "- {}", cell(c));
            }
            let _ = writeln!(out, "\n{}\n", cell(super::variants::CHAIN_NOTE));
        }
        if !r.derived.advice.is_empty() {
            let _ = writeln!(out, "### What to do about it\n");
            for a in &r.derived.advice {
                let _ = writeln!(out, "- `Benchmark{}` ({}): {}", a.benchmark, a.host, a.sentence(ns));
            }
            let _ = writeln!(out);
        }

        for m in &r.derived.engines {
            let mut header = vec!["figure"];
            header.extend(m.runtimes.iter().map(String::as_str));
            let mut t = table(&header);
            for row in &m.rows {
                let mut cells = vec![cell(&row.metric)];
                cells.extend(row.cells.iter().map(|v| matrix_cell(*v, &row.unit)));
                t.add_row(cells);
            }
            right(&mut t, &(1..=m.runtimes.len()).collect::<Vec<_>>());
            let _ = writeln!(out, "### Engines side by side (host {})\n\n{t}\n", cell(&m.host));
        }

        if !r.derived.capabilities.is_empty() {
            let mut t = table(&super::capability_header());
            for c in &r.derived.capabilities {
                let mut cells = vec![cell(&c.host), cell(&c.runtime)];
                cells.extend(c.cells().iter().map(|(_, x)| cell(&x.text)));
                t.add_row(cells);
            }
            let _ = writeln!(out, "### What each engine gives up (measured)\n\n{t}\n\n{}\n", cell(&super::capability_note(r)));
        }

        let failed: Vec<_> = r.failures.iter().collect();
        if !failed.is_empty() {
            let _ = writeln!(out, "### Failures\n");
            for f in failed {
                let _ = writeln!(out, "- {}", cell(&f.error));
            }
            out.push('\n');
        }
        Rendered { output: out, notes: notes::warnings_summary(r) }
    }
}
