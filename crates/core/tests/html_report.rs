//! The HTML report: structural checks (a byte-exact golden of SVG would break on every
//! layout tweak); its stderr is golden-tested with the other renderers.

mod common;

use common::{full_run_like, load};
use interop_core::export::{by_name, Exporter, Html};

fn html(fixture: &str) -> String {
    Html.render(&load(fixture)).output
}

#[test]
fn registered_under_its_name() {
    let r = load("synthetic.json");
    assert_eq!(by_name("html").unwrap().render(&r).output, Html.render(&r).output);
}

#[test]
fn one_self_contained_document() {
    for fixture in ["synthetic.json", "quick-rust.json", "small-go.json"] {
        let page = html(fixture);
        assert!(page.starts_with("<!DOCTYPE html><html lang=\"en\">"), "{fixture}");
        assert!(page.trim_end().ends_with("</html>"), "{fixture}");
        // Nothing fetched: no script, no external stylesheet, image, font or frame.
        for bad in ["<script", "<link", "<img", "<iframe", "@import", "url(", "src="] {
            assert!(!page.contains(bad), "{fixture} contains {bad}");
        }
        // The only URLs are SVG's namespace.
        let mut rest = page.as_str();
        while let Some(i) = rest.find("http") {
            assert!(rest[i..].starts_with("http://www.w3.org/2000/svg"), "{fixture}: a URL: {}", &rest[i..(i + 60).min(rest.len())]);
            rest = &rest[i + 4..];
        }
        assert_eq!(page.matches("<svg").count(), page.matches("</svg>").count());
        // Every id once (anchors must lead somewhere definite; there were two `engines`).
        let mut ids: Vec<&str> = page.split(" id=\"").skip(1).filter_map(|r| r.split('"').next()).collect();
        let all = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), all, "{fixture}: an id used twice");
        // Same number of opening and closing tags for the structural elements.
        for tag in ["table", "tr", "details", "ul", "div", "h2", "p"] {
            let open = page.matches(&format!("<{tag}>")).count() + page.matches(&format!("<{tag} ")).count();
            let close = page.matches(&format!("</{tag}>")).count();
            assert_eq!(open, close, "{fixture}: <{tag}> {open} opened, {close} closed");
        }
    }
}

#[test]
fn every_chart_and_section_is_there() {
    let page = html("synthetic.json");
    // per host (2): crossing and 2 decompositions; 2 scaling charts; start-up: compile, instantiate, first call
    assert_eq!(page.matches("<svg").count(), 11, "charts");
    for id in ["crossing", "scaling", "decomposition", "startup", "seed", "machine", "results", "failures", "warnings"] {
        assert!(page.contains(&format!("id=\"{id}\"")), "section {id}");
    }
    // Each host's crossing chart names its bars without the host (its title has it).
    for label in ["wasmtime typed", "wasmtime untyped", "wasmi typed", "wazero call", "native call (no Wasm)"] {
        assert!(page.contains(&format!(">\n{label}\n</text>")), "crossing bar {label}");
    }
    for part in ["harness loop", "crossing", "arguments", "copy in", "copy out", "other", "compute (guest)"] {
        assert!(page.contains(&format!(">\n{part}\n</text>")), "decomposition part {part}");
    }
    for seed in ["BenchmarkWasmNoOpCall", "BenchmarkWasmReverseStringInPlace", "BenchmarkWasmSumArray", "BenchmarkGoSumArray"] {
        assert!(page.contains(seed), "{seed}");
    }
    assert!(page.contains("go version go1.26.8 linux/amd64"));
}

#[test]
fn text_from_the_file_is_escaped() {
    let page = html("synthetic.json");
    assert!(!page.contains("<script>alert(1)"));
    assert!(page.contains("Fake CPU &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot; | x"));
    assert!(page.contains("traps: &lt;unreachable&gt; &amp; &quot;gone&quot;"));
}

#[test]
fn an_empty_file_still_renders() {
    let r = interop_core::results::ResultsFile::new();
    let page = Html.render(&r).output;
    assert!(page.contains("This run has no noop rows."));
    assert_eq!(page.matches("<svg").count(), 0);
}

#[test]
fn a_full_run_page_shows_every_engine_without_sideways_scrolling() {
    let r = full_run_like();
    let page = Html.render(&r).output;
    // Ids once each, on the big page too.
    let mut ids: Vec<&str> = page.split(" id=\"").skip(1).filter_map(|r| r.split('"').next()).collect();
    let all = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), all, "an id used twice");
    // "Engines side by side": tables of at most 6 engines, every engine in one of them.
    let tables: Vec<&str> = page.split("<table class=\"engines\">").skip(1).map(|t| t.split("</table>").next().unwrap()).collect();
    for m in &r.derived.engines {
        assert!(m.runtimes.len() > 6, "the fixture should need splitting: {}", m.runtimes.len());
        for rt in &m.runtimes {
            assert!(tables.iter().any(|t| t.contains(&format!("<th>{rt}</th>"))), "{} {rt} in no table", m.host);
        }
    }
    for t in &tables {
        let header = t.split("</tr>").next().unwrap();
        assert!(header.matches("<th>").count() - 1 <= 6, "{header}");
        assert!(!page.contains("<div class=\"wide\"><table class=\"engines\">"));
    }
    // The payload charts come as panels, one per engine family.
    for family in ["wasmtime", "wasmer", "interpreters: wasmi, wasm3, tinywasm", "translated to native code: wasm2c, wasm2go", "wazero"] {
        assert!(page.contains(&format!(">\n{family}")), "no panel {family}");
    }
}
