//! Did it get faster or slower? Two results files, row by row.
//!
//! Rows are matched by (host, runtime, api, scenario, params). For each pair:
//! - the change of the median, `new / old - 1`, in percent;
//! - its 95% confidence interval from a percentile bootstrap of the ratio of the medians
//!   (each file's samples resampled on their own, a fixed seed per row, so a report is
//!   reproducible);
//! - a two-sided Mann–Whitney U test of the samples (what benchstat uses).
//!
//! A change counts as beyond the noise only when both agree: p < 0.05 *and* the interval
//! excludes zero. Otherwise it is shown as `~`, like benchstat. The geometric mean of the
//! ratios summarizes the whole file.

use crate::export::terminal_ns as ns;
use crate::export::Rendered;
use crate::results::{ResultRow, ResultsFile, RowKey};
use crate::warnings::MIN_SAMPLES;
use comfy_table::presets::{ASCII_MARKDOWN, UTF8_FULL_CONDENSED};
use comfy_table::{CellAlignment, ContentArrangement, Table};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};
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
    pub old_median: f64,
    pub new_median: f64,
    pub old_samples: usize,
    pub new_samples: usize,
    /// `new_median / old_median - 1`, in percent.
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
    pub warnings: Vec<CompareWarning>,
}

fn pct(v: f64) -> String {
    if v.is_finite() {
        format!("{v:+.1}%")
    } else {
        "-".into()
    }
}

fn median_sorted(s: &[f64]) -> f64 {
    let n = s.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

pub fn median(samples: &[f64]) -> f64 {
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    median_sorted(&s)
}

/// SplitMix64: a tiny, fixed generator, so the same files always give the same intervals.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// FNV-1a of the row's label: the bootstrap seed.
fn seed(key: &RowKey) -> u64 {
    let text = format!("{}/{}/{}/{}", key.host, key.runtime, key.api, key.case_label());
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Percentile bootstrap interval of `median(new) / median(old)`.
pub fn bootstrap_ratio_ci(old: &[f64], new: &[f64], confidence: f64, resamples: usize, seed: u64) -> (f64, f64) {
    if old.is_empty() || new.is_empty() || resamples == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mut rng = SplitMix(seed);
    let mut ratios = Vec::with_capacity(resamples);
    let mut a = vec![0.0; old.len()];
    let mut b = vec![0.0; new.len()];
    for _ in 0..resamples {
        for x in a.iter_mut() {
            *x = old[rng.below(old.len())];
        }
        for x in b.iter_mut() {
            *x = new[rng.below(new.len())];
        }
        a.sort_by(f64::total_cmp);
        b.sort_by(f64::total_cmp);
        let (ma, mb) = (median_sorted(&a), median_sorted(&b));
        if ma > 0.0 && mb.is_finite() {
            ratios.push(mb / ma);
        }
    }
    if ratios.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    ratios.sort_by(f64::total_cmp);
    let tail = (1.0 - confidence) / 2.0;
    let at = |q: f64| ratios[((q * (ratios.len() - 1) as f64).round() as usize).min(ratios.len() - 1)];
    (at(tail), at(1.0 - tail))
}

/// Two-sided p-value of the Mann–Whitney U test: exact (by counting arrangements) for
/// small samples without ties, the normal approximation with tie and continuity
/// corrections otherwise. 1.0 when either side is empty.
pub fn mann_whitney_p(x: &[f64], y: &[f64]) -> f64 {
    let (n1, n2) = (x.len(), y.len());
    if n1 == 0 || n2 == 0 {
        return 1.0;
    }
    // Ranks of the pooled samples, ties sharing their mean rank.
    let mut all: Vec<(f64, usize)> = x.iter().map(|&v| (v, 0)).chain(y.iter().map(|&v| (v, 1))).collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = all.len();
    let mut ranks = vec![0.0; n];
    let mut tie_term = 0.0;
    let mut ties = false;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for rank in ranks.iter_mut().take(j + 1).skip(i) {
            *rank = r;
        }
        let t = (j - i + 1) as f64;
        if t > 1.0 {
            ties = true;
            tie_term += t * t * t - t;
        }
        i = j + 1;
    }
    let r1: f64 = all.iter().zip(&ranks).filter(|(a, _)| a.1 == 0).map(|(_, r)| r).sum();
    let u1 = r1 - (n1 * (n1 + 1)) as f64 / 2.0;
    let u = u1.min((n1 * n2) as f64 - u1);
    if !ties && n1 * n2 <= 2500 {
        // Exact: the number of arrangements with U = k, by dynamic programming.
        let counts = u_distribution(n1, n2);
        let total: f64 = counts.iter().sum();
        let below: f64 = counts.iter().take(u as usize + 1).sum();
        return (2.0 * below / total).min(1.0);
    }
    let (a, b) = (n1 as f64, n2 as f64);
    let mean = a * b / 2.0;
    let nn = a + b;
    let var = a * b / 12.0 * ((nn + 1.0) - tie_term / (nn * (nn - 1.0)));
    if !(var > 0.0) {
        return 1.0;
    }
    let z = ((mean - u) - 0.5).max(0.0) / var.sqrt();
    let normal = Normal::new(0.0, 1.0).expect("standard normal");
    (2.0 * (1.0 - normal.cdf(z))).min(1.0)
}

/// Frequencies of U for sample sizes n1, n2 (index = U), without ties.
fn u_distribution(n1: usize, n2: usize) -> Vec<f64> {
    // f[m][k]: arrangements of m items of the first sample among the first m + j items... computed
    // with the classic recurrence c(n1, n2, u) = c(n1 - 1, n2, u - n2) + c(n1, n2 - 1, u).
    let max_u = n1 * n2;
    // table[a][b] = distribution for sizes a, b
    let mut table: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); n2 + 1]; n1 + 1];
    for a in 0..=n1 {
        for b in 0..=n2 {
            let mut d = vec![0.0; a * b + 1];
            if a == 0 || b == 0 {
                d[0] = 1.0;
            } else {
                for (u, slot) in d.iter_mut().enumerate() {
                    let mut v = 0.0;
                    if u >= b {
                        if let Some(x) = table[a - 1][b].get(u - b) {
                            v += x;
                        }
                    }
                    if let Some(x) = table[a][b - 1].get(u) {
                        v += x;
                    }
                    *slot = v;
                }
            }
            table[a][b] = d;
        }
    }
    let d = std::mem::take(&mut table[n1][n2]);
    debug_assert_eq!(d.len(), max_u + 1);
    d
}

fn compare_row(old: &ResultRow, new: &ResultRow, opts: &Options) -> RowChange {
    let (o, n) = (&old.sample_ns_per_op, &new.sample_ns_per_op);
    let (mo, mn) = (median(o), median(n));
    let ratio = mn / mo;
    let (lo, hi) = bootstrap_ratio_ci(o, n, opts.confidence, opts.resamples, seed(&old.key));
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
        old_median: mo,
        new_median: mn,
        old_samples: o.len(),
        new_samples: n.len(),
        change_pct: (ratio - 1.0) * 100.0,
        ci_low_pct: (lo - 1.0) * 100.0,
        ci_high_pct: (hi - 1.0) * 100.0,
        p_value: p,
        verdict,
    }
}

/// The smallest p-value the exact test can give for sample sizes n1, n2 (two-sided).
fn min_p(n1: usize, n2: usize) -> f64 {
    if n1 == 0 || n2 == 0 {
        return 1.0;
    }
    // One arrangement in C(n1 + n2, n1) at each extreme.
    let mut c = 1.0f64;
    for i in 0..n1 {
        c = c * (n2 + n1 - i) as f64 / (i + 1) as f64;
    }
    (2.0 / c).min(1.0)
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

    for c in &rows {
        let (a, b) = (c.old_samples, c.new_samples);
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
                    "only {a}+{b} samples (fewer than {MIN_SAMPLES}): small changes cannot be told from noise; run without --quick"
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
        .filter(|c| c.old_median > 0.0 && c.new_median > 0.0)
        .map(|c| (c.new_median / c.old_median).ln())
        .collect();
    let geomean_ratio = if logs.is_empty() { None } else { Some((logs.iter().sum::<f64>() / logs.len() as f64).exp()) };
    Comparison { options: opts, rows, only_old, only_new, geomean_ratio, warnings }
}

impl Comparison {
    /// Rows slower beyond `pct` percent and beyond the noise: what fails a CI gate.
    pub fn regressions_above(&self, pct: f64) -> Vec<&RowChange> {
        self.rows.iter().filter(|c| c.verdict == Verdict::Slower && c.change_pct > pct).collect()
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
                ns(c.old_median),
                ns(c.new_median),
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
            "Δ: change of the median; CI: {:.0}% percentile bootstrap of the ratio of medians; ~: not beyond the noise (Mann–Whitney U p ≥ {} or the interval includes 0).",
            self.options.confidence * 100.0,
            self.options.alpha
        );
        for (label, keys) in [("Only in OLD", &self.only_old), ("Only in NEW", &self.only_new)] {
            if !keys.is_empty() {
                let _ = writeln!(out, "{}{label} ({}):", if markdown { "\n" } else { "" }, keys.len());
                for k in keys.iter() {
                    let _ = writeln!(out, "  - {}", md(&format!("{} {} {} {}", k.host, k.runtime, k.api, k.case_label())));
                }
            }
        }
        Rendered { output: out, notes: self.notes() }
    }

    /// Warnings for stderr, grouped by message so a quick run does not print one per row.
    pub fn notes(&self) -> String {
        let mut out = String::new();
        if self.warnings.is_empty() {
            return out;
        }
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for w in &self.warnings {
            let label = w.row.as_ref().map(|k| format!("{} {} {} {}", k.host, k.runtime, k.api, k.case_label()));
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
mod tests {
    use super::*;

    #[test]
    fn exact_mann_whitney_matches_tables() {
        // Fully separated 5 vs 5: p = 2 / C(10, 5) = 2/252.
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        let b = [6.0, 7.0, 8.0, 9.0, 10.0];
        assert!((mann_whitney_p(&a, &b) - 2.0 / 252.0).abs() < 1e-12);
        assert!((min_p(5, 5) - 2.0 / 252.0).abs() < 1e-12);
        // Identical samples (all ties): no evidence at all.
        assert_eq!(mann_whitney_p(&a, &a), 1.0);
        // 3 vs 3 can never reach 0.05.
        assert!(min_p(3, 3) > 0.05);
    }

    #[test]
    fn bootstrap_is_reproducible_and_brackets_the_ratio() {
        let a: Vec<f64> = (0..20).map(|i| 100.0 + i as f64 * 0.1).collect();
        let b: Vec<f64> = a.iter().map(|x| x * 2.0).collect();
        let ci = bootstrap_ratio_ci(&a, &b, 0.95, 1000, 7);
        assert_eq!(ci, bootstrap_ratio_ci(&a, &b, 0.95, 1000, 7));
        assert!(ci.0 <= 2.0 && 2.0 <= ci.1 && ci.1 - ci.0 < 0.05, "{ci:?}");
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
}
