//! Did it get faster or slower? Two results files, row by row.
//!
//! Rows are matched by (host, runtime, api, scenario, params). For each pair:
//! - the change of the row estimate (the mean of the samples, as every report uses),
//!   `new / old - 1`, in percent;
//! - its 95% confidence interval from a percentile bootstrap of the ratio of the estimates
//!   (each file's samples resampled on their own, a fixed seed per row, so a report is
//!   reproducible);
//! - a two-sided Mann–Whitney U test of the samples (what benchstat uses).
//!
//! A change counts as beyond the noise only when both agree: p < 0.05 *and* the interval
//! excludes zero. Otherwise it is shown as `~`, like benchstat. The geometric mean of the
//! ratios summarizes the whole file.

use crate::export::terminal_ns as ns;
use crate::export::Rendered;
use crate::analysis::{Cell, Component};
use crate::results::{ResultRow, ResultsFile, RowKey};
use crate::warnings::MIN_SAMPLES;
use comfy_table::presets::{ASCII_MARKDOWN, UTF8_FULL_CONDENSED};
use comfy_table::{CellAlignment, ContentArrangement, Table};
use serde::{Deserialize, Serialize};
use crate::stats::bootstrap::{self, ratio_ci};
use crate::stats::estimate;
use crate::stats::mann_whitney::{mann_whitney_p, min_p};
use std::collections::BTreeMap;
use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// Significance level of the Mann–Whitney U test.
    pub alpha: f64,
    /// Confidence level of the interval of the change.
    pub confidence: f64,
    /// Bootstrap resamples per row.
    pub resamples: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { alpha: 0.05, confidence: 0.95, resamples: 2000 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Faster,
    Slower,
    /// Not beyond the noise.
    Same,
}

/// One matched row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowChange {
    #[serde(flatten)]
    pub key: RowKey,
    pub old_ns: f64,
    pub new_ns: f64,
    pub old_samples: usize,
    pub new_samples: usize,
    /// `new_ns / old_ns - 1`, in percent.
    pub change_pct: f64,
    /// Bootstrap confidence interval of the change, in percent.
    pub ci_low_pct: f64,
    pub ci_high_pct: f64,
    /// Two-sided Mann–Whitney U test.
    pub p_value: f64,
    pub verdict: Verdict,
}

impl RowChange {
    pub fn significant(&self) -> bool {
        self.verdict != Verdict::Same
    }

    /// `+12.3%` or `~`.
    pub fn delta_text(&self) -> String {
        if self.significant() {
            pct(self.change_pct)
        } else {
            "~".into()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareWarning {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<RowKey>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub options: Options,
    pub rows: Vec<RowChange>,
    /// Rows measured in OLD only.
    pub only_old: Vec<RowKey>,
    /// Rows measured in NEW only.
    pub only_new: Vec<RowKey>,
    /// Geometric mean of `new / old` over the matched rows.
    pub geomean_ratio: Option<f64>,
    /// The cost model's components in both files, side by side.
    #[serde(default)]
    pub components: Vec<ComponentChange>,
    /// Rows counted in instructions in both files (`run --counts`): these gate on their
    /// instructions per op, never on time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counts: Vec<CountChange>,
    pub warnings: Vec<CompareWarning>,
}

/// One row counted in both files: instructions per op, OLD → NEW.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountChange {
    #[serde(flatten)]
    pub key: RowKey,
    pub old_instructions: f64,
    pub new_instructions: f64,
    /// `new / old - 1`, in percent.
    pub change_pct: f64,
    /// Spread of each file's repeats, percent.
    pub old_spread_pct: f64,
    pub new_spread_pct: f64,
}

/// One component of the cost model (each file's own model) in OLD and in NEW.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentChange {
    pub host: String,
    pub runtime: String,
    pub api: String,
    /// The component's label, e.g. `crossing` or `go_binding (noop)`.
    pub component: String,
    pub unit: String,
    pub old: Cell,
    pub new: Cell,
    /// `new / old - 1` in percent.
    pub change_pct: f64,
    /// Beyond the noise only when the two 95% intervals do not overlap and neither side is
    /// below noise (a conservative test: the rows behind a component differ per component).
    pub verdict: Verdict,
}

impl ComponentChange {
    pub fn delta_text(&self) -> String {
        if self.verdict == Verdict::Same {
            "~".into()
        } else {
            pct(self.change_pct)
        }
    }
}

/// Components found in both models, matched by host, runtime, api and label.
fn component_changes(old: &[Component], new: &[Component]) -> Vec<ComponentChange> {
    let key = |c: &Component| (c.host.clone(), c.runtime.clone(), c.api.clone(), c.label());
    let new_by: BTreeMap<_, &Component> = new.iter().map(|c| (key(c), c)).collect();
    let mut out = Vec::new();
    for o in old {
        let Some(n) = new_by.get(&key(o)) else { continue };
        if o.unit != n.unit {
            continue;
        }
        let apart = o.ci_high < n.ci_low || n.ci_high < o.ci_low;
        let noise = o.below_noise() || n.below_noise();
        let change = (n.value / o.value - 1.0) * 100.0;
        let verdict = if apart && !noise && change.is_finite() {
            if n.value > o.value {
                Verdict::Slower
            } else {
                Verdict::Faster
            }
        } else {
            Verdict::Same
        };
        out.push(ComponentChange {
            host: o.host.clone(),
            runtime: o.runtime.clone(),
            api: o.api.clone(),
            component: o.label(),
            unit: o.unit.clone(),
            old: Cell::of(o),
            new: Cell::of(n),
            change_pct: change,
            verdict,
        });
    }
    out
}

fn pct(v: f64) -> String {
    if v.is_finite() {
        format!("{v:+.1}%")
    } else {
        "-".into()
    }
}

/// The bootstrap seed of a row: its label.
fn seed(key: &RowKey) -> u64 {
    bootstrap::seed_of(&format!("{}/{}/{}/{}", key.host, key.runtime, key.api, key.case_label()))
}

fn compare_row(old: &ResultRow, new: &ResultRow, opts: &Options) -> RowChange {
    let (o, n) = (&old.used_ns_per_op, &new.used_ns_per_op);
    let (mo, mn) = (estimate(o), estimate(n));
    let ratio = mn / mo;
    let (lo, hi) = ratio_ci(o, n, opts.confidence, opts.resamples, seed(&old.key));
    let p = mann_whitney_p(o, n);
    let excludes_zero = lo > 1.0 || hi < 1.0;
    let verdict = if p < opts.alpha && excludes_zero && ratio.is_finite() {
        if ratio > 1.0 {
            Verdict::Slower
        } else {
            Verdict::Faster
        }
    } else {
        Verdict::Same
    };
    RowChange {
        key: old.key.clone(),
        old_ns: mo,
        new_ns: mn,
        old_samples: o.len(),
        new_samples: n.len(),
        change_pct: (ratio - 1.0) * 100.0,
        ci_low_pct: (lo - 1.0) * 100.0,
        ci_high_pct: (hi - 1.0) * 100.0,
        p_value: p,
        verdict,
    }
}

/// What differs between two machines, as `field: OLD vs NEW` (only what differs).
fn machine_differences(old: &crate::results::Machine, new: &crate::results::Machine) -> Vec<String> {
    let mut d = Vec::new();
    if old.cpu_model != new.cpu_model {
        d.push(format!("CPU {} vs {}", old.cpu_model, new.cpu_model));
    }
    if old.cores != new.cores {
        d.push(format!("{} vs {} cores", old.cores, new.cores));
    }
    if old.os != new.os {
        d.push(format!("OS {} vs {}", old.os, new.os));
    }
    let tools: std::collections::BTreeSet<&String> = old.toolchains.keys().chain(new.toolchains.keys()).collect();
    for t in tools {
        let (a, b) = (old.toolchains.get(t), new.toolchains.get(t));
        if a != b {
            let show = |v: Option<&String>| v.cloned().unwrap_or_else(|| "none".into());
            d.push(format!("{t} {} vs {}", show(a), show(b)));
        }
    }
    d
}

/// Two runs measured by different builds of a host: what a rebuild alone does, measured.
fn build_warning(host: &str, old: &str, new: &str) -> String {
    let short = |s: &str| s.chars().take(12).collect::<String>();
    format!(
        "the runs were measured by different builds of the {host} host (sha256 {} vs {}): a rebuild alone moves some \
         rows, by where code lands in the binary (two builds that differed only in code that times nothing, five \
         interleaved default runs each, 2026-11-30: 51 of 1,553 rows lay over 5% apart in every run, wasmtime:pulley's \
         string_roundtrip of 1 MiB 1.8x, the Rust host's native call 1.2x), so a row this reports may have moved with the \
         layout, not the change; instruction counts do not move with it (those rows counted the same instructions per \
         op in both builds): `run --counts` for both builds, `compare --instructions-above`",
        short(old),
        short(new)
    )
}

pub fn compare(old: &ResultsFile, new: &ResultsFile, opts: Options) -> Comparison {
    let new_by_key: BTreeMap<&RowKey, &ResultRow> = new.results.iter().map(|r| (&r.key, r)).collect();
    let old_keys: BTreeMap<&RowKey, ()> = old.results.iter().map(|r| (&r.key, ())).collect();
    let mut rows = Vec::new();
    let mut only_old = Vec::new();
    let mut warnings = Vec::new();
    for o in &old.results {
        match new_by_key.get(&o.key) {
            Some(n) => rows.push(compare_row(o, n, &opts)),
            None => only_old.push(o.key.clone()),
        }
    }
    let only_new: Vec<RowKey> =
        new.results.iter().filter(|r| !old_keys.contains_key(&r.key)).map(|r| r.key.clone()).collect();

    // What gives a row more samples: a quick run's are few by design; a default run's
    // row stopped at its time cap, or with few samples taken in the machine's fast state.
    let more_samples = if [old, new].iter().any(|f| f.config.mode == "quick") {
        "run without --quick"
    } else {
        "the row stopped short (its time cap, or few samples in the machine's fast state): raise --max-row-ms"
    };
    // Rows of a default run that stopped at a fixed count: their engine timed them itself,
    // a fixed few operations of seconds each (a translated engine's compile), and no flag
    // gives them more.
    let self_timed = |key: &RowKey| {
        [old, new].iter().all(|f| f.config.precision_pct > 0.0) && new_by_key.get(key).is_some_and(|r| r.stopped_at_fixed_count())
    };
    for c in &rows {
        let (a, b) = (c.old_samples, c.new_samples);
        let more_samples = if self_timed(&c.key) {
            "its engine times a fixed few operations of seconds each (a translated engine's compile); no flag gives it more"
        } else {
            more_samples
        };
        if min_p(a, b) >= opts.alpha {
            warnings.push(CompareWarning {
                row: Some(c.key.clone()),
                message: format!(
                    "{a}+{b} samples: too few for any change to count as significant; run both with more samples"
                ),
            });
        } else if a < MIN_SAMPLES || b < MIN_SAMPLES {
            warnings.push(CompareWarning {
                row: Some(c.key.clone()),
                message: format!(
                    "only {a}+{b} samples (fewer than {MIN_SAMPLES}): small changes cannot be told from noise; {more_samples}"
                ),
            });
        }
    }
    if old.machine != new.machine {
        warnings.push(CompareWarning {
            row: None,
            message: format!(
                "the runs are from different machines or toolchains ({}): the changes include that",
                machine_differences(&old.machine, &new.machine).join("; ")
            ),
        });
    }
    for (host, a) in &old.builds {
        if let Some(b) = new.builds.get(host).filter(|b| *b != a) {
            warnings.push(CompareWarning { row: None, message: build_warning(host, a, b) });
        }
    }
    if old.guest_sha256 != new.guest_sha256 {
        warnings.push(CompareWarning { row: None, message: "the runs measured different guest modules (sha256 differs)".into() });
    }
    let quick: Vec<&str> = [("OLD", old), ("NEW", new)].into_iter().filter(|(_, f)| f.config.mode == "quick").map(|(l, _)| l).collect();
    if !quick.is_empty() {
        warnings.push(CompareWarning {
            row: None,
            message: format!(
                "{} {} --quick: samples that short miss the machine's slower swings, so back-to-back quick runs differ \
                 \"beyond the noise\" in many rows; gate on default runs",
                quick.join(" and "),
                if quick.len() > 1 { "are" } else { "is" }
            ),
        });
    }
    for (label, f) in [("OLD", old), ("NEW", new)] {
        if !f.complete {
            warnings.push(CompareWarning { row: None, message: format!("{label} is an incomplete run") });
        }
    }

    let logs: Vec<f64> = rows
        .iter()
        .filter(|c| c.old_ns > 0.0 && c.new_ns > 0.0)
        .map(|c| (c.new_ns / c.old_ns).ln())
        .collect();
    let geomean_ratio = if logs.is_empty() { None } else { Some((logs.iter().sum::<f64>() / logs.len() as f64).exp()) };
    let mut components = component_changes(&old.derived.breakdown, &new.derived.breakdown);
    // A scenario file's cases: the module's own part in each run (analysis::own_cases).
    let module = |r: &ResultsFile| crate::analysis::module_components(&r.derived.own_cases);
    components.extend(component_changes(&module(old), &module(new)));
    let counts: Vec<CountChange> = old
        .counts
        .iter()
        .filter_map(|o| {
            let n = new.count(&o.key)?;
            let (a, b) = (o.per_op(), n.per_op());
            if !(a.is_finite() && b.is_finite() && a > 0.0) {
                return None;
            }
            Some(CountChange {
                key: o.key.clone(),
                old_instructions: a,
                new_instructions: b,
                change_pct: (b / a - 1.0) * 100.0,
                old_spread_pct: o.spread_pct(),
                new_spread_pct: n.spread_pct(),
            })
        })
        .collect();
    for o in &old.counts {
        if let Some(n) = new.count(&o.key) {
            if !(o.per_op().is_finite() && o.per_op() > 0.0 && n.per_op().is_finite()) {
                warnings.push(CompareWarning {
                    row: Some(o.key.clone()),
                    message: "counted in both files, but one of them has no instruction count for it (a failed pass): not compared".into(),
                });
            }
        }
    }
    Comparison { options: opts, rows, only_old, only_new, geomean_ratio, components, counts, warnings }
}

impl Comparison {
    /// Rows slower beyond `pct` percent and beyond the noise: what fails a CI gate. A row
    /// counted in both files is gated on its instructions instead ([`Self::count_regressions_above`]).
    pub fn regressions_above(&self, pct: f64) -> Vec<&RowChange> {
        self.rows
            .iter()
            .filter(|c| c.verdict == Verdict::Slower && c.change_pct > pct)
            .filter(|c| !self.counts.iter().any(|k| k.key == c.key))
            .collect()
    }

    /// Counted rows whose instructions per op grew by more than `pct` percent (or that
    /// OLD counted and NEW counted as nothing: not a number).
    pub fn count_regressions_above(&self, pct: f64) -> Vec<&CountChange> {
        self.counts.iter().filter(|c| !(c.change_pct <= pct)).collect()
    }

    pub fn count(&self, v: Verdict) -> usize {
        self.rows.iter().filter(|c| c.verdict == v).count()
    }

    /// The comparison in `terminal`, `markdown` or `json`; `None` for another name.
    pub fn render(&self, format: &str) -> Option<Rendered> {
        match format {
            "terminal" | "text" => Some(self.render_table(false)),
            "markdown" | "md" => Some(self.render_table(true)),
            "json" => Some(Rendered {
                output: serde_json::to_string_pretty(self).expect("comparison serializes") + "\n",
                notes: self.notes(),
            }),
            _ => None,
        }
    }

    fn render_table(&self, markdown: bool) -> Rendered {
        let md = |s: &str| if markdown { crate::export::markdown_cell(s) } else { s.to_string() };
        let mut t = Table::new();
        t.load_style(if markdown { ASCII_MARKDOWN } else { UTF8_FULL_CONDENSED });
        t.set_content_arrangement(ContentArrangement::Disabled);
        t.set_header(vec!["host", "runtime", "api", "scenario", "old ns/op", "new ns/op", "Δ", "95% CI of Δ", "p", "n"]);
        for c in &self.rows {
            t.add_row(vec![
                md(&c.key.host),
                md(&c.key.runtime),
                md(&c.key.api),
                md(&c.key.case_label()),
                ns(c.old_ns),
                ns(c.new_ns),
                c.delta_text(),
                format!("{} … {}", pct(c.ci_low_pct), pct(c.ci_high_pct)),
                format!("{:.3}", c.p_value),
                format!("{}+{}", c.old_samples, c.new_samples),
            ]);
        }
        for i in 4..=9 {
            if let Some(col) = t.column_mut(i) {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
        let mut out = String::new();
        // Two counts-only runs (`run --counts`) time nothing: no empty time table before
        // their instructions.
        let timed = !self.rows.is_empty() || self.counts.is_empty();
        if timed {
            out = self.time_section(t, markdown);
        }
        self.rest_of_table(out, markdown)
    }

    /// The timed rows' table, its tally and its legend.
    fn time_section(&self, t: Table, markdown: bool) -> String {
        let mut out = String::new();
        if markdown {
            let _ = writeln!(out, "### Comparison: OLD → NEW\n");
        }
        let _ = writeln!(out, "{t}");
        if markdown {
            out.push('\n');
        }
        let geo = match self.geomean_ratio {
            Some(g) => pct((g - 1.0) * 100.0),
            None => "-".into(),
        };
        let _ = writeln!(
            out,
            "{} rows compared: {} slower, {} faster, {} within the noise (~); geometric mean of new/old: {geo}",
            self.rows.len(),
            self.count(Verdict::Slower),
            self.count(Verdict::Faster),
            self.count(Verdict::Same)
        );
        if markdown {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "Δ: change of the mean ns/op; CI: {:.0}% percentile bootstrap of the ratio of means; ~: not beyond the noise (Mann–Whitney U p ≥ {} or the interval includes 0).",
            self.options.confidence * 100.0,
            self.options.alpha
        );
        out
    }

    /// The components, the counted rows and the rows only one side has, after `out`.
    fn rest_of_table(&self, mut out: String, markdown: bool) -> Rendered {
        let md = |s: &str| if markdown { crate::export::markdown_cell(s) } else { s.to_string() };
        if !self.components.is_empty() {
            let mut t = Table::new();
            t.load_style(if markdown { ASCII_MARKDOWN } else { UTF8_FULL_CONDENSED });
            t.set_content_arrangement(ContentArrangement::Disabled);
            t.set_header(vec!["host", "runtime", "api", "component", "old", "new", "Δ"]);
            for c in &self.components {
                t.add_row(vec![
                    md(&c.host),
                    md(&c.runtime),
                    md(&c.api),
                    md(&c.component),
                    md(&c.old.text(&c.unit)),
                    md(&c.new.text(&c.unit)),
                    c.delta_text(),
                ]);
            }
            for i in 4..=6 {
                if let Some(col) = t.column_mut(i) {
                    col.set_cell_alignment(CellAlignment::Right);
                }
            }
            let _ = writeln!(
                out,
                "{}Where the time goes, OLD → NEW (each file's own cost model; ~: the 95% intervals overlap or a side is below noise){}",
                if markdown { "\n### " } else { "\n" },
                if markdown { "\n" } else { "" }
            );
            let _ = writeln!(out, "{t}");
        }
        if !self.counts.is_empty() {
            let mut t = Table::new();
            t.load_style(if markdown { ASCII_MARKDOWN } else { UTF8_FULL_CONDENSED });
            t.set_content_arrangement(ContentArrangement::Disabled);
            t.set_header(vec!["host", "runtime", "api", "scenario", "old instr/op", "new instr/op", "Δ", "spread old / new"]);
            for c in &self.counts {
                t.add_row(vec![
                    md(&c.key.host),
                    md(&c.key.runtime),
                    md(&c.key.api),
                    md(&c.key.case_label()),
                    crate::counts::instr(c.old_instructions),
                    crate::counts::instr(c.new_instructions),
                    format!("{:+.2}%", c.change_pct),
                    format!("{:.2}% / {:.2}%", c.old_spread_pct, c.new_spread_pct),
                ]);
            }
            for i in 4..=7 {
                if let Some(col) = t.column_mut(i) {
                    col.set_cell_alignment(CellAlignment::Right);
                }
            }
            let _ = writeln!(
                out,
                "{}Instructions per op, OLD → NEW (callgrind; these rows gate on instructions, not on time){}",
                if markdown { "\n### " } else { "\n" },
                if markdown { "\n" } else { "" }
            );
            let _ = writeln!(out, "{t}");
        }
        for (label, keys) in [("Only in OLD", &self.only_old), ("Only in NEW", &self.only_new)] {
            if !keys.is_empty() {
                let _ = writeln!(out, "{}{label} ({}):", if markdown { "\n" } else { "" }, keys.len());
                for k in keys.iter() {
                    let _ = writeln!(out, "  - {}", md(&k.label()));
                }
            }
        }
        // Nothing before the first heading (a counts-only comparison starts with it).
        let output = if out.starts_with('\n') { out[1..].to_string() } else { out };
        Rendered { output, notes: self.notes() }
    }

    /// Warnings for stderr, grouped by message so a quick run does not print one per row.
    pub fn notes(&self) -> String {
        let mut out = String::new();
        if self.warnings.is_empty() {
            return out;
        }
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for w in &self.warnings {
            let label = w.row.as_ref().map(|k| k.label());
            match groups.iter_mut().find(|g| g.0 == w.message) {
                Some(g) => g.1.extend(label),
                None => groups.push((w.message.clone(), label.into_iter().collect())),
            }
        }
        let _ = writeln!(out, "Warnings ({}):", self.warnings.len());
        for (message, rows) in groups {
            match rows.len() {
                0 => {
                    let _ = writeln!(out, "  ! {message}");
                }
                1 => {
                    let _ = writeln!(out, "  ! {}: {message}", rows[0]);
                }
                n => {
                    let _ = writeln!(out, "  ! {n} rows, e.g. {}: {message}", rows[0]);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod machine_tests {
    use super::*;

    #[test]
    fn a_machine_warning_names_what_differs_not_the_same_cpu_twice() {
        let mut a = crate::results::Machine { cpu_model: "AMD EPYC".into(), cores: 2, os: "Debian 12".into(), ..Default::default() };
        a.toolchains.insert("rustc".into(), "rustc 1.95.0".into());
        let mut b = a.clone();
        b.toolchains.insert("rustc".into(), "rustc 1.96.0".into());
        b.toolchains.insert("go".into(), "go1.26".into());
        let d = machine_differences(&a, &b);
        assert_eq!(d, ["go none vs go1.26", "rustc rustc 1.95.0 vs rustc 1.96.0"]);
        assert!(!d.join(" ").contains("AMD EPYC"));
    }

    #[test]
    fn runs_of_different_builds_of_a_host_are_warned_once_per_host() {
        let mut old = ResultsFile::new();
        old.builds.insert("rust".into(), "aaaaaaaaaaaaaaaa".into());
        old.builds.insert("go".into(), "cccccccccccccccc".into());
        let mut new = old.clone();
        let builds = |c: &Comparison| c.warnings.iter().filter(|w| w.message.contains("different builds")).map(|w| w.message.clone()).collect::<Vec<_>>();
        assert!(builds(&compare(&old, &new, Options::default())).is_empty(), "the same builds");
        new.builds.insert("rust".into(), "bbbbbbbbbbbbbbbb".into());
        let w = builds(&compare(&old, &new, Options::default()));
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("rust host (sha256 aaaaaaaaaaaa vs bbbbbbbbbbbb)") && w[0].contains("run --counts"), "{}", w[0]);
        // A file from before builds were recorded says nothing.
        new.builds.clear();
        assert!(builds(&compare(&old, &new, Options::default())).is_empty());
    }

    #[test]
    fn a_counts_only_comparison_has_no_empty_time_table_and_a_timed_one_keeps_it() {
        let counted = |v: f64| {
            let mut r = ResultsFile::new();
            r.counts = vec![crate::counts::CountRow {
                key: RowKey::of("rust", "wasmi", "typed", "noop", Default::default(), "o3"),
                n1: 100,
                n2: 500,
                instructions_per_op: vec![v, v],
                gc_on_instructions_per_op: Vec::new(),
                gc_cycles: Vec::new(),
                verified: true,
            }];
            r
        };
        for format in ["terminal", "markdown"] {
            let out = compare(&counted(100.0), &counted(101.0), Options::default()).render(format).unwrap().output;
            assert!(!out.contains("ns/op") && !out.contains("rows compared"), "{format}:\n{out}");
            assert!(out.trim_start_matches("### ").starts_with("Instructions per op, OLD → NEW"), "{format}:\n{out}");
        }
        // Timed rows on either side, or nothing at all to compare: the time table stays.
        let out = compare(&own_run(150.0), &own_run(120.0), Options::default()).render("terminal").unwrap().output;
        assert!(out.contains("old ns/op") && out.contains("rows compared"), "{out}");
        let out = compare(&ResultsFile::new(), &ResultsFile::new(), Options::default()).render("terminal").unwrap().output;
        assert!(out.contains("0 rows compared"), "{out}");
    }

    /// A scenario-file run whose case `f` took `ns` on wasmtime, the built-in guest's noop
    /// and add beside it.
    fn own_run(ns: f64) -> ResultsFile {
        use crate::results::{RawRow, ResultRow, RowKey};
        let mut r = ResultsFile::new();
        r.scenario_file = Some(crate::results::ScenarioFileRecord {
            path: "m.toml".into(),
            toml: "schema = 1\n[[scenario]]\nname = \"f\"\nexport = \"f\"\nparams = [\"i32\"]\nresults = [\"i32\"]\nargs = [1]\ncheck = \"unchecked\"\n".into(),
        });
        r.guest.variants = vec![crate::results::GuestVariant { name: "custom".into(), ..Default::default() }];
        let row = |scenario: &str, variant: &str, ns: f64| {
            let key = RowKey::of("rust", "wasmtime", "typed", scenario, Default::default(), variant);
            ResultRow::from_raw(RawRow::fixture(key, vec![ns * 0.999, ns, ns * 1.001, ns]))
        };
        r.results = vec![row("f", "custom", ns), row("noop", "o3", 20.0), row("add", "o3", 23.0)];
        r.rederive();
        r
    }

    #[test]
    fn a_modules_own_part_is_set_beside_its_other_run() {
        let c = compare(&own_run(150.0), &own_run(120.0), Options::default());
        let m: Vec<&ComponentChange> = c.components.iter().filter(|c| c.component == "module (f)").collect();
        assert_eq!(m.len(), 1, "{:#?}", c.components);
        // 150 - 20 - 3 = 127 ns, then 97 ns: the module's part, not the row's total.
        assert!((m[0].old.value - 127.0).abs() < 0.5 && (m[0].new.value - 97.0).abs() < 0.5, "{:#?}", m[0]);
        assert_eq!(m[0].verdict, Verdict::Faster);
        assert!(c.render("terminal").unwrap().output.contains("module (f)"));
    }
}
