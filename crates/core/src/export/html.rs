//! One self-contained HTML page: charts as inline SVG, tables, the machine. No script, no
//! stylesheet or font from elsewhere: it opens offline and can be mailed as one file.
//!
//! Every piece of text from the results file goes through maud's `(...)` splices, which
//! escape it; the only pre-escaped content is plotters' SVG (plotters escapes its text)
//! and the fixed stylesheet below.

use super::charts::{self, Chart, Colors};
use super::notes::{warning_kind, warnings_summary};
use super::terminal::ns;
use super::{Exporter, Rendered};
use crate::analysis::COMPONENTS;
use crate::results::ResultsFile;
use maud::{html, Markup, PreEscaped, DOCTYPE};

pub struct Html;

const CSS: &str = r#"
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 0 auto; max-width: 1240px; padding: 16px 24px 48px; color: #222; background: #fff; }
h1 { font-size: 1.6em; margin: 0.4em 0 0.1em; }
td.cap-no { color: #a40000; } td.cap-partly { color: #8a5a00; }
h2 { font-size: 1.25em; margin: 1.6em 0 0.3em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
p.lead { color: #555; margin: 0.2em 0 1em; }
p.caption, ul.chart-notes { color: #555; font-size: 0.92em; margin: 0.3em 0; }
.chart svg { max-width: 100%; height: auto; display: block; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
div.wide { overflow-x: auto; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.engines td:first-child { min-width: 16em; }
code { font-size: 0.92em; }
.bad { color: #b00020; font-weight: bold; }
details { margin: 0.6em 0; }
summary { cursor: pointer; font-weight: 600; }
footer { margin-top: 3em; color: #777; font-size: 0.85em; }
"#;

/// The most engine columns one "Engines side by side" table holds (the page is 1240 px wide).
pub const ENGINE_COLUMNS: usize = 6;

/// `n` columns in as few runs of at most `max` as it takes, as even as they go: 13 by 6
/// is 5, 4, 4 (not 6, 6, 1).
pub fn column_chunks(n: usize, max: usize) -> Vec<std::ops::Range<usize>> {
    if n == 0 {
        return Vec::new();
    }
    let parts = n.div_ceil(max.max(1));
    let (base, extra) = (n / parts, n % parts);
    let mut start = 0;
    (0..parts)
        .map(|i| {
            let len = base + usize::from(i < extra);
            let r = start..start + len;
            start += len;
            r
        })
        .collect()
}

fn chart_block(chart: Option<Chart>, empty: &str) -> Markup {
    match chart {
        Some(c) => html! {
            @if !c.svg.is_empty() {
                div.chart { (PreEscaped(c.svg)) }
            }
            @if !c.notes.is_empty() {
                ul.chart-notes {
                    @for n in &c.notes { li { (n) } }
                }
            }
        },
        None => html! { p.caption { (empty) } },
    }
}

/// Every part of every row of one seed case, as the stacked bars draw them.
fn parts_table(r: &ResultsFile, scenario: &str) -> Markup {
    let cases: Vec<_> = r.derived.seed_cases.iter().filter(|c| c.scenario == scenario).collect();
    html! {
        @if !cases.is_empty() {
            details {
                summary { "The parts, row by row" }
                table {
                    tr { th { "row" } th { "measured" } th { "part" } th { "value" } th { "share" } th { "95% CI" } th { "derived from" } }
                    @for c in &cases {
                        @for (i, p) in c.parts.iter().enumerate() {
                            tr.part {
                                td { @if i == 0 { (c.label()) } }
                                td.num { @if i == 0 { (ns(c.total)) } }
                                td { (p.name) }
                                td.num { (p.text()) }
                                td.num { (format!("{:.1}%", 100.0 * p.share)) }
                                td.num { (crate::units::interval(p.ci_low, p.ci_high, "ns")) }
                                td { (p.derivation) }
                            }
                        }
                    }
                }
            }
        }
    }
}

impl Exporter for Html {
    fn render(&self, r: &ResultsFile) -> Rendered {
        // The charts draw the first guest build's rows (the others are in "Guest builds side by side").
        let primary = super::variants::primary_only(r);
        let pr: &ResultsFile = &primary;
        let colors = Colors::of(pr);
        let m = &r.machine;
        let (failed, na) = (&r.failures, &r.not_applicable);
        let counters = crate::units::any_counters(r.results.iter().map(|row| &row.metrics));
        let count_table = crate::counts::table(&r.counts);
        let own = charts::own_cases(pr);
        // On a run of a user's module, the crossing is the built-in guest's noop, measured
        // beside the scenario file (the reference its cases are split by).
        let primary = r.primary_variant();
        let beside = r.scenario_file.is_some() && r.results.iter().any(|x| x.key.guest_variant != primary && x.key.scenario == "noop");
        let crossing_rows: std::borrow::Cow<ResultsFile> = if beside {
            let mut c = r.clone();
            c.results.retain(|x| (x.key.guest_variant == primary) != (x.key.scenario == "noop"));
            std::borrow::Cow::Owned(c)
        } else {
            std::borrow::Cow::Borrowed(pr)
        };
        let page = html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { "interop-bench report · " (m.cpu_model) }
                    style { (PreEscaped(CSS)) }
                }
                body {
                    h1 { "What a call into WebAssembly costs" }
                    p.lead {
                        "interop-bench " (r.tool_version) " · " (r.config.mode) " run · "
                        (m.cpu_model) ", " (m.cores) " cores · " (m.os)
                        @if !r.complete { " · " span.bad { "incomplete run: only the rows measured before it stopped" } }
                    }

                    @if !own.is_empty() {
                        h2 #own { "Your scenarios" }
                        p.caption { "The scenario file's cases, one chart each: every engine and call API of both hosts that ran it, the time of one operation as the file defines it (input in, the call, output out, the check); the axis is logarithmic where the values span more than a decade. The bar is the mean of the samples; the whisker, its 95% confidence interval. Under each, on a run of your module, where that time goes on each engine and call API: the crossing and the arguments of the calls an operation makes (from the built-in guest's noop and add, run beside it on the same engines), the module's own part the rest (the table below gives every part in ns). The sections after this one are about the built-in suite's scenarios." }
                        @for case in &own {
                            (chart_block(charts::own_case(pr, case), ""))
                            @if let Some(split) = charts::own_split(r, case) {
                                (chart_block(Some(split), ""))
                            }
                        }
                        @if let Some((header, rows)) = super::own_table(r, false) {
                            h3 #own-split { "Your scenarios: where the time goes" }
                            p.caption { (super::OWN_TABLE_NOTE) }
                            div.wide {
                                table {
                                    tr { @for h in &header { th { (h) } } }
                                    @for row in &rows {
                                        tr { @for (i, c) in row.iter().enumerate() { @if i == 4 { td.num { (c) } } @else { td { (c) } } } }
                                    }
                                }
                            }
                            h3 #own-advice { "What to do about it, for your cases" }
                            p.caption { "The cheapest path this run measured, per case and host, and what it takes." }
                            ul {
                                @for line in &r.derived.own_advice { li { (line) } }
                            }
                        }
                    }

                    h2 #crossing { "The crossing" }
                    p.caption { "Calling an export that does nothing, per host, engine and call API, against a plain call in the host language; the axis is logarithmic where the values span more than a decade. The bar is the mean of the samples (total time over total calls, so bursts such as garbage-collection cycles are in it); the whisker, its 95% confidence interval." }
                    @if beside {
                        p.caption { "On this run of your module: the built-in guest's noop, measured on the same engines beside your scenarios, the crossing their split above is made of." }
                    }
                    (chart_block(charts::crossing(&crossing_rows, &colors), "This run has no noop rows."))

                    h2 #scaling { "Cost against payload size" }
                    p.caption { "One panel per engine family, every panel on the same axes, both logarithmic; in grey behind, the other panels' lines. Flat at the left: the fixed cost of the call dominates; a slope of one at the right: the time grows with the bytes copied and processed. Each engine has one colour and marker in every chart; dashed lines and hollow markers: its second memory API." }
                    (chart_block(charts::scaling(pr, &colors, "string_roundtrip", "String round trip (copy in, reverse_string_in_place, copy out)", "string length in bytes"), "This run has no string_roundtrip rows."))
                    (chart_block(charts::scaling(pr, &colors, "sum_array", "Array sum (copy len i32 in, sum_array)", "array length (i32 elements)"), "This run has no sum_array rows."))

                    h2 #decomposition { "Where the time goes" }
                    p.caption { "Each bar is one measured row of the seed's case, split into the cost model's parts as shares of its measured mean (written beside it), the parts measured on other rows: the harness's own loop (empty), the crossing (noop − empty), the arguments (add − noop), the copies (the fitted copy_in and copy_out lines at this size, less the loop), and for the array the guest's compute (sum_array_resident − add). A part whose 95% interval reaches zero is below noise and drawn as zero; other is the measured total less the parts, so the parts add up to 100%. The table under each chart gives every part in ns." }
                    (chart_block(charts::decomposition(r, "string_roundtrip", 51, "the seed's 51-byte string round trip"), "This run has no string_roundtrip row at 51 bytes."))
                    (parts_table(r, "string_roundtrip"))
                    (chart_block(charts::decomposition(r, "sum_array", 10000, "the seed's array sum, 10 000 i32"), "This run has no sum_array row at 10000."))
                    (parts_table(r, "sum_array"))

                    h2 #startup { "Start-up" }
                    p.caption { "Compiling the guest's bytes, instantiating the module, and the first call on a fresh instance (compare it with the steady-state add in the results), each on its own axis, logarithmic where its values span more than a decade. The mitigations beside their plain path: (AOT) loads a module compiled ahead of time (deserialize), (pre) instantiates with the imports resolved once (wasmtime's InstancePre); the pooling allocator is its own runtime, wasmtime:pooling." }
                    (chart_block(charts::startup(pr, &colors), "This run has no compile, instantiate or first_call rows."))

                    h2 #seed { "The founding document's table, measured" }
                    p.caption { "Measured on " (super::variants::guest_label(r)) "." }
                    @if r.derived.seed_table.is_empty() {
                        p.caption { "No row of this run matches the seed's benchmarks." }
                    } @else {
                        table {
                            tr { th { "benchmark (seed)" } th { "host" } th { "measured" } th { "fastest" } th { "slowest" } th { "main source of overhead" } }
                            @for s in &r.derived.seed_table {
                                tr.seed {
                                    td { code { "Benchmark" (s.benchmark) } }
                                    td { (s.host) }
                                    td.num {
                                        @if s.rows > 1 { (ns(s.min_ns)) " – " (ns(s.max_ns)) } @else { (ns(s.min_ns)) }
                                    }
                                    td { (s.fastest) }
                                    td { (s.slowest) }
                                    td { (s.main_source) }
                                }
                            }
                        }
                    }

                    @if !r.derived.advice.is_empty() {
                        h2 #advice { "What to do about it" }
                        p.caption { "For each of the founding document's cases and each host, the cheapest path this run measured (verified rows only), how much cheaper than the founding document's own path (Go: wasmtime-go Func.Call) it is, and what using it takes." }
                        ul {
                            @for a in &r.derived.advice {
                                li { code { "Benchmark" (a.benchmark) } " (" (a.host) "): " (a.sentence(ns)) }
                            }
                        }
                    }

                    @if let Some((header, rows)) = super::variants::builds(r) {
                        h2 #guest-builds { "Guest builds" }
                        table {
                            tr { @for h in &header { th { (h) } } }
                            @for row in &rows { tr { @for c in row { td { (c) } } } }
                        }
                    }
                    @if let Some((header, rows)) = super::variants::side_by_side(r) {
                        h2 #guest-variants { "Guest builds side by side" }
                        p.caption { (super::variants::VARIANTS_NOTE) }
                        div.wide {
                            table {
                                tr { @for h in &header { th { (h) } } }
                                @for row in &rows {
                                    tr { @for (i, c) in row.iter().enumerate() { @if i >= 4 { td.num { (c) } } @else { td { (c) } } } }
                                }
                            }
                        }
                        (chart_block(super::variants::chart(r), ""))
                    }
                    @let chains = super::variants::chain_lines(r);
                    @if !chains.is_empty() {
                        h2 #compute-steps { "The compute, step by step (sum_array_resident, 10000 i32)" }
                        p.caption { (super::variants::CHAIN_NOTE) }
                        ul { @for c in &chains { li { (c) } } }
                    }

                    @for m in &r.derived.engines {
                        // One id per host's table (the page had two `id="engines"`).
                        h2 id=(format!("engines-{}", m.host)) { "Engines side by side (host " (m.host) ")" }
                        p.caption { "A column per engine and mode. The seed's benchmarks on each engine's fastest API path; the components on its default call API; copies per memory API; start-up with its mitigations (deserialize against compile, instantiate_pre against instantiate). – where not measured or not applicable." }
                        // In tables of at most ENGINE_COLUMNS engines: the page's width shows every one.
                        @for cols in column_chunks(m.runtimes.len(), ENGINE_COLUMNS) {
                            table.engines {
                                tr { th { "figure" } @for rt in &m.runtimes[cols.clone()] { th { (rt) } } }
                                @for row in &m.rows {
                                    tr {
                                        td { (row.metric) }
                                        @for v in &row.cells[cols.start.min(row.cells.len())..cols.end.min(row.cells.len())] {
                                            td.num { @match v { Some(v) => (v.text(&row.unit)), None => "–" } }
                                        }
                                    }
                                }
                            }
                        }
                    }

                    @if !r.derived.breakdown.is_empty() {
                        details {
                            summary { "The decomposition, every component (" (r.derived.breakdown.len()) ")" }
                            p.caption { (super::noise_line(r)) }
                            table {
                                tr { th { "host" } th { "runtime" } th { "api" } th { "component" } th { "value" } th { "95% CI" } th { "derived from" } }
                                @for (name, meaning) in COMPONENTS {
                                    @for c in r.derived.breakdown.iter().filter(|c| c.component == *name) {
                                        tr.component {
                                            td { (c.host) } td { (c.runtime) } td { (c.api) }
                                            td title=(meaning) { (c.label()) }
                                            td.num { (c.text()) }
                                            td.num { (c.interval_text()) }
                                            td { (c.derivation) }
                                        }
                                    }
                                }
                            }
                        }
                    }

                    @if !r.derived.capabilities.is_empty() {
                        h2 #capabilities { "What each engine gives up (measured)" }
                        p.caption { (super::capability_note(r)) }
                        div.wide {
                            table {
                                tr { @for h in super::capability_header() { th { (h) } } }
                                @for c in &r.derived.capabilities {
                                    tr {
                                        td { (c.host) } td { (c.runtime) }
                                        @for (_, x) in c.cells() {
                                            td class=(format!("cap-{}", x.verdict)) { (x.text) }
                                        }
                                    }
                                }
                            }
                        }
                    }

                    h2 #machine { "Machine and versions" }
                    table {
                        tr { th { "CPU" } td { (m.cpu_model) " (" (m.cores) " cores)" } }
                        tr { th { "OS" } td { (m.os) } }
                        @for (tool, version) in &m.toolchains { tr { th { (tool) } td { (version) } } }
                        @for i in &r.runtimes {
                            tr {
                                th { (i.host) " " (i.runtime) }
                                td {
                                    (i.engine) " " (i.version)
                                    @if !i.call_apis.is_empty() { " · call APIs: " (i.call_apis.join(", ")) }
                                    @if !i.memory_apis.is_empty() { " · memory APIs: " (i.memory_apis.join(", ")) }
                                    @if !i.notes.is_empty() { " · " (i.notes) }
                                }
                            }
                        }
                        tr { th { "guest" } td { code { (r.guest_sha256) } " · " (r.guest.size_bytes) " B · " (r.guest.source) } }
                        @for (k, v) in &r.guest.build { tr { th { "guest " (k) } td { (v) } } }
                        tr {
                            th { "run" }
                            td {
                                (r.config.mode) " · " (r.config.sampling()) " · warm-up " (r.config.warmup_ms) " ms · started at Unix time " (r.started_unix)
                            }
                        }
                        @if let Some(line) = r.config.focused_line() { tr { th { "focused" } td { (line) } } }
                        @if let Some(line) = r.time_line() { tr { th { "run time" } td { (line) } } }
                        @if let Some(line) = r.collector_line() { tr { th { "collector rows" } td { (line) } } }
                    }

                    h2 #results { "Every row" }
                    details {
                        summary { (r.results.len()) " rows, mean ns per op with its 95% confidence interval" }
                        table {
                            tr { th { "host" } th { "runtime" } th { "api" } th { "scenario" } th { "mean" } th { "95% CI" } th { "samples × iters" } th { "outliers" } th { "verified" } @if counters { th { "Go counters per op" } } }
                            @for row in &r.results {
                                tr {
                                    td { (row.key.host) } td { (row.key.runtime) } td { (row.key.api) } td { (row.key.case_label()) }
                                    td.num { (super::row_figure(row, r)) }
                                    td.num { (ns(row.ns_per_op.ci_low)) " – " (ns(row.ns_per_op.ci_high)) }
                                    td.num { (super::samples_text(row)) }
                                    td.num { (row.summary.outliers.total()) }
                                    td { @if row.verified { "yes" } @else { span.bad { "no" } } }
                                    @if counters { td { (crate::units::counters(&row.metrics)) } }
                                }
                            }
                        }
                    }

                    @if !r.counts.is_empty() {
                        h2 #counts { "Instructions per op" }
                        p { (crate::counts::ABOUT) }
                        table {
                            tr { @for h in &count_table.header { th { (h) } } }
                            @for row in &count_table.rows {
                                tr { @for (i, c) in row.iter().enumerate() { @if i >= 4 && i + 1 < row.len() { td.num { (c) } } @else { td { (c) } } } }
                            }
                        }
                    }
                    @for lt in crate::counts::layer_tables(&r.derived) {
                        h2 id=(lt.id) { (lt.title) }
                        p { (lt.about) }
                        table {
                            tr { @for h in lt.header { th { (h) } } }
                            @for row in crate::counts::layer_rows(lt.layers) {
                                tr { @for (i, c) in row.iter().enumerate() { @if (4..8).contains(&i) { td.num { (c) } } @else { td { (c) } } } }
                            }
                        }
                        ul { @for d in crate::counts::disagreements(lt.layers, 10.0) { li { (d) } } }
                    }

                    @if !failed.is_empty() || !na.is_empty() {
                        h2 #failures { "Failures and rows not applicable" }
                        ul {
                            @for f in failed.iter() { li { span.bad { "failed: " } (f.error) } }
                            @for n in na.iter() { li { (n.reason) } }
                        }
                    }

                    @if !r.derived.warnings.is_empty() {
                        h2 #warnings { "Warnings" }
                        details {
                            summary { (r.derived.warnings.len()) " warnings; each names its fix" }
                            ul {
                                @for w in &r.derived.warnings {
                                    li {
                                        @if let Some(k) = &w.row { (k.host) " " (k.runtime) " " (k.api) " " (k.case_label()) ": " }
                                        (w.message) " (" (warning_kind(w)) ") — " em { (w.fix) }
                                    }
                                }
                            }
                        }
                    }

                    footer { "Written by interop-bench " (r.tool_version) " from a results file; rebuild it with " code { "interop-bench report FILE --format html -o report.html" } ". Self-contained: no script, nothing loaded from the network." }
                }
            }
        };
        let warnings = warnings_summary(r);
        let notes = if warnings.is_empty() { String::new() } else { format!("{warnings}(the report lists every warning at its end)\n") };
        Rendered { output: page.into_string() + "\n", notes }
    }
}

#[cfg(test)]
mod tests {
    use super::column_chunks;

    #[test]
    fn engine_columns_split_evenly() {
        let lens = |n, max| column_chunks(n, max).iter().map(|r| r.len()).collect::<Vec<_>>();
        assert_eq!(lens(13, 6), [5, 4, 4]);
        assert_eq!(lens(7, 6), [4, 3]);
        assert_eq!(lens(6, 6), [6]);
        assert_eq!(lens(1, 6), [1]);
        assert!(column_chunks(0, 6).is_empty());
        // Contiguous and complete.
        let c = column_chunks(22, 6);
        assert_eq!(c.first().unwrap().start, 0);
        assert_eq!(c.last().unwrap().end, 22);
        assert!(c.windows(2).all(|w| w[0].end == w[1].start));
    }
}
