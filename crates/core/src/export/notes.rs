//! The human side of a machine format: warnings summarized for stderr, never in the data.

use crate::results::ResultsFile;
use std::fmt::Write;

/// Warnings counted by kind and fix, each with one example (the same summary the terminal
/// report prints), or nothing when the run has none. A kind whose rows need different fixes
/// (too few samples: a time cap against an engine's own fixed count) is listed once per fix.
pub fn warnings_summary(r: &ResultsFile) -> String {
    let mut notes = String::new();
    if r.derived.warnings.is_empty() {
        return notes;
    }
    let mut kinds: Vec<(String, String, usize, String)> = Vec::new();
    for w in &r.derived.warnings {
        let kind = warning_kind(w);
        match kinds.iter_mut().find(|k| k.0 == kind && k.3 == w.fix) {
            Some(k) => k.2 += 1,
            None => kinds.push((kind, w.message.clone(), 1, w.fix.clone())),
        }
    }
    let _ = writeln!(notes, "Warnings ({}; every one is in the results file):", r.derived.warnings.len());
    for (kind, example, count, fix) in kinds {
        let _ = writeln!(notes, "  ! {kind} ×{count}, e.g. {example}\n      fix: {fix}");
    }
    notes
}

/// `too_few_samples`, `wide_interval`, ...: the tag the results file stores.
pub fn warning_kind(w: &crate::warnings::Warning) -> String {
    serde_json::to_value(&w.kind).ok().and_then(|v| v["kind"].as_str().map(String::from)).unwrap_or_default()
}

/// Failed scenarios, one line each, for stderr.
pub fn failures_summary(r: &ResultsFile) -> String {
    let mut out = String::new();
    let failed: Vec<_> = r.failures.iter().collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "Failures ({}; not in this output):", failed.len());
        for f in failed {
            let _ = writeln!(out, "  ✗ {}", f.error);
        }
    }
    out
}

/// The first `shown` items of a list for a note, then ` and N more` for the rest.
pub fn first_of(items: &[String], shown: usize) -> String {
    let more = if items.len() > shown { format!(" and {} more", items.len() - shown) } else { String::new() };
    format!("{}{more}", items[..items.len().min(shown)].join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::warnings::{Warning, WarningKind};

    #[test]
    fn a_long_list_is_cut_with_how_many_more() {
        let v: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        assert_eq!(first_of(&v, 2), "a, b and 1 more");
        assert_eq!(first_of(&v, 3), "a, b, c");
        assert_eq!(first_of(&[], 2), "");
    }

    #[test]
    fn a_kind_whose_rows_need_different_fixes_is_listed_once_per_fix() {
        let mut r = ResultsFile::new();
        let few = |self_timed| WarningKind::TooFewSamples { samples: 6, adaptive: true, self_timed };
        r.derived.warnings = vec![Warning::new(None, few(true)), Warning::new(None, few(false)), Warning::new(None, few(true))];
        let s = warnings_summary(&r);
        assert!(s.contains("too_few_samples ×2") && s.contains("too_few_samples ×1"), "{s}");
        assert!(s.contains("none by a flag") && s.contains("raise --max-row-ms"), "{s}");
    }
}
