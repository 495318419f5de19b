//! The terminal report of a large run: a summary by default, every row with `detail`.

mod common;

use common::{check_golden, full_run_like, load};
use interop_core::export::{Exporter, Terminal, SUMMARY_ROWS};

fn render(r: &interop_core::results::ResultsFile, width: Option<u16>, detail: bool) -> String {
    Terminal { width, intervals: false, detail }.render(r).output
}

#[test]
fn a_large_run_gets_a_summary_and_detail_lists_every_row() {
    let r = full_run_like();
    assert!(r.results.len() > SUMMARY_ROWS, "the fixture must be large: {}", r.results.len());
    for width in [Some(80), Some(120), None] {
        let summary = render(&r, width, false);
        let detail = render(&r, width, true);
        // The summary: no per-row tables, a line saying how to get them; what a user needs first stays.
        assert!(!summary.contains("Results (host") && !summary.contains("\nResults\n"), "{width:?}");
        assert!(summary.contains(&format!("Results: {} rows measured; --detail lists every one", r.results.len())), "{width:?}");
        assert!(!summary.contains("Where the time goes (host") && !summary.contains("\nWhere the time goes\n"), "{width:?}");
        assert!(summary.contains("--detail lists them"), "{width:?}");
        for kept in ["The founding document's table, measured", "Engines side by side"] {
            assert!(summary.contains(kept), "{width:?}: {kept}");
        }
        // Detail: every row (one line each without a width).
        assert!(detail.contains(if width.is_some() { "Results (host rust)" } else { "\nResults\n" }), "{width:?}");
        assert!(!detail.contains("--detail lists"), "{width:?}");
        if width.is_none() {
            let lines = detail.lines().filter(|l| l.starts_with("│ rust") || l.starts_with("│ go")).count();
            assert!(lines >= r.results.len(), "{lines} row lines for {} rows", r.results.len());
        }
        assert!(summary.lines().count() * 3 < detail.lines().count(), "{width:?}: {} against {}", summary.lines().count(), detail.lines().count());
    }
}

#[test]
fn a_small_run_is_listed_in_full_without_detail() {
    let r = load("synthetic.json");
    assert!(r.results.len() <= SUMMARY_ROWS);
    assert_eq!(render(&r, Some(80), false), render(&r, Some(80), true));
}

/// The summary of a full-run-shaped file at 80 columns, byte for byte (UPDATE_GOLDEN=1
/// rewrites it): every line fits but the tables whose longest words do not.
#[test]
fn the_summary_at_80_columns_matches_its_golden() {
    let out = render(&full_run_like(), Some(80), false);
    check_golden("full-like.summary-80.terminal.stdout", &out);
    for line in out.lines().filter(|l| !l.starts_with('─')) {
        let w = line.chars().count();
        assert!(w <= 80 || !line.contains(". "), "prose over 80 columns ({w}): {line}");
    }
}
