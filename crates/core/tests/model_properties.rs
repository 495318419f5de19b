//! The cost model's properties on every fixture (issue 10 item 4), and the HTML and the
//! terminal showing the same value for the same component.

mod common;

use common::load;
use interop_core::analysis::model_violations;
use interop_core::export::{Exporter, Html, Terminal};

const FIXTURES: &[&str] = &["quick-rust.json", "synthetic.json", "synthetic-cgo.json"];

#[test]
fn every_fixture_satisfies_the_model_properties() {
    for f in FIXTURES {
        let r = load(f);
        assert!(!r.derived.seed_cases.is_empty(), "{f}: no seed case");
        let bad = model_violations(&r, true);
        assert!(bad.is_empty(), "{f}:\n{}", bad.join("\n"));
    }
}

#[test]
fn a_broken_split_is_caught() {
    // The checker itself can fail: a part drawn negative, percentages off.
    let mut r = load("synthetic.json");
    r.derived.seed_cases[0].parts[0].shown = -1.0;
    r.derived.seed_table[0].main_source = "crossing 60%, other 50%".into();
    let bad = model_violations(&r, true);
    assert!(bad.iter().any(|b| b.contains("parts add to")), "{bad:?}");
    assert!(bad.iter().any(|b| b.contains("drawn below zero")), "{bad:?}");
    assert!(bad.iter().any(|b| b.contains("percentages add to 110")), "{bad:?}");
}

/// The text of each cell of an HTML row (tags stripped, entities decoded).
fn cells(tr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = tr;
    while let Some(i) = rest.find("<td") {
        let open = rest[i..].find('>').unwrap() + i + 1;
        let close = rest[open..].find("</td>").unwrap() + open;
        let mut text = String::new();
        let mut in_tag = false;
        for ch in rest[open..close].chars() {
            match ch {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        out.push(text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&"));
        rest = &rest[close..];
    }
    out
}

fn html_rows(page: &str, class: &str) -> Vec<Vec<String>> {
    let tag = format!("<tr class=\"{class}\">");
    page.split(&tag).skip(1).map(|s| cells(&s[..s.find("</tr>").unwrap()])).collect()
}

/// The cells of a terminal table's body rows, for the table under `title`.
fn terminal_rows(out: &str, title: &str) -> Vec<Vec<String>> {
    let start = out.find(&format!("\n{title}\n")).unwrap_or_else(|| panic!("no table {title}"));
    out[start..]
        .lines()
        .skip_while(|l| !l.starts_with('╞'))
        .skip(1)
        .take_while(|l| !l.starts_with('└'))
        .filter(|l| l.starts_with('│'))
        .map(|l| l.trim_matches('│').split('┆').map(|c| c.trim().to_string()).collect())
        .collect()
}

#[test]
fn html_and_terminal_show_the_same_values() {
    for f in FIXTURES {
        let r = load(f);
        // The layout for tools: one line a record, full names.
        let term = Terminal { width: None, intervals: true, detail: true }.render(&r).output;
        let page = Html.render(&r).output;
        let from_term: Vec<(String, String)> =
            terminal_rows(&term, "Where the time goes").iter().map(|c| (format!("{} {} {} {}", c[0], c[1], c[2], c[3]), c[4].clone())).collect();
        let from_html: Vec<(String, String)> =
            html_rows(&page, "component").iter().map(|c| (format!("{} {} {} {}", c[0], c[1], c[2], c[3]), c[4].clone())).collect();
        assert_eq!(from_term.len(), r.derived.breakdown.len(), "{f}");
        assert_eq!(from_term, from_html, "{f}: the terminal and the HTML disagree");
        // The seed table's prose, word for word.
        let term_seed: Vec<String> = terminal_rows(&term, "The founding document's table, measured").iter().map(|c| c[4].clone()).collect();
        let html_seed: Vec<String> = html_rows(&page, "seed").iter().map(|c| c[5].clone()).collect();
        assert_eq!(term_seed, html_seed, "{f}");
        // Each drawn bar is labelled with its measured total, which the model's parts add up to.
        for c in r.derived.seed_cases.iter().filter(|c| matches!(c.scenario.as_str(), "string_roundtrip" | "sum_array")) {
            let label = format!("{} measured", interop_core::units::ns(c.total));
            assert!(page.contains(&label), "{f}: no bar labelled {label}");
        }
    }
}
