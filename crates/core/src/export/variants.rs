//! The guest builds of a run, as every human format shows them: which build the seed's
//! table used, the builds (size, sha256, allocator), the same cases on each build side by
//! side (a table, and for HTML a chart: each build's module size and the cases' figures), and
//! `sum_array_resident` split step by step (crate::analysis::variants).

use super::charts::Chart;
use crate::results::{ResultsFile, DEFAULT_GUEST_VARIANT};
use crate::analysis::Verdict;
use crate::units::{interval, ns};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// `guest o3 (opt-level=3, no SIMD (WebAssembly 1.0), dlmalloc 0.2.14 (the default build), 12311 B)`:
/// the build whose rows feed the cost model, the seed table and the engines.
pub fn guest_label(r: &ResultsFile) -> String {
    let primary = r.primary_variant();
    match r.variant(&primary) {
        Some(v) => format!("guest {} ({}, {} B)", v.name, v.about, v.size_bytes),
        None if r.guest.source.is_empty() || r.guest.source == "builtin" => {
            let how = r.guest.build.get("profile_settings").map(String::as_str).unwrap_or("guest/Cargo.toml");
            format!("guest {DEFAULT_GUEST_VARIANT} ({how}, dlmalloc, {} B)", r.guest.size_bytes)
        }
        None => format!("guest {} ({} B)", r.guest.source, r.guest.size_bytes),
    }
}

/// The builds of a run with several: header and rows (variant, build, size, sha256, allocator).
pub fn builds(r: &ResultsFile) -> Option<(Vec<&'static str>, Vec<Vec<String>>)> {
    if r.guest.variants.len() < 2 {
        return None;
    }
    let rows = r
        .guest
        .variants
        .iter()
        .map(|v| {
            vec![
                v.name.clone(),
                v.about.clone(),
                format!("{} B", v.size_bytes),
                v.sha256.chars().take(16).collect(),
                v.allocator_note.clone(),
            ]
        })
        .collect();
    Some((vec!["guest variant", "build", "size", "sha256", "allocator"], rows))
}

/// The same cases on each build: header (host, runtime, case, then a column per variant) and
/// rows; a cell is the mean with, beside the first variant, its ratio to it.
pub fn side_by_side(r: &ResultsFile) -> Option<(Vec<String>, Vec<Vec<String>>)> {
    let table = &r.derived.variants;
    if table.is_empty() {
        return None;
    }
    let mut names: Vec<String> = r.guest.variants.iter().map(|v| v.name.clone()).collect();
    for row in table {
        for c in &row.cells {
            if !names.contains(&c.variant) {
                names.push(c.variant.clone());
            }
        }
    }
    let mut header = vec!["host".to_string(), "runtime".into(), "api".into(), "case".into()];
    header.extend(names.iter().cloned());
    let rows = table
        .iter()
        .map(|row| {
            let mut case = row.scenario.clone();
            for (k, v) in &row.params {
                case.push_str(&format!("/{k}={v}"));
            }
            let mut cells = vec![row.host.clone(), row.runtime.clone(), row.api.clone(), case];
            for n in &names {
                cells.push(match row.cells.iter().find(|c| &c.variant == n) {
                    Some(c) => match c.ratio {
                        Some(x) => format!("{} ({x:.2}x)", ns(c.mean)),
                        None => ns(c.mean),
                    },
                    None => "-".into(),
                });
            }
            cells
        })
        .collect();
    Some((header, rows))
}

/// One line per engine: `sum_array_resident` (10,000 i32) from the host's vectorized sum to
/// the sandboxed guest, each step with its interval, adding up to the measured total.
pub fn chain_lines(r: &ResultsFile) -> Vec<String> {
    r.derived
        .variant_splits
        .iter()
        .map(|s| {
            let parts: Vec<String> = s
                .parts
                .iter()
                .filter(|p| !(p.name == "other" && p.shown <= 0.0))
                .map(|p| {
                    if p.name == "other" {
                        format!("other (steps below noise) {}", ns(p.shown))
                    } else if p.verdict == Verdict::BelowZero {
                        // The later row ran faster than the one before it, beyond their noise.
                        format!("{} goes down (by {}), drawn as zero", p.name, interval(-p.ci_high, -p.ci_low, "ns"))
                    } else if p.below_noise {
                        format!("{} {}", p.name, p.text())
                    } else {
                        format!("{} {} ({:.0}%)", p.name, p.text(), p.share * 100.0)
                    }
                })
                .collect();
            let missing = if s.missing.is_empty() { String::new() } else { format!(" [not measured: {}]", s.missing.join(", ")) };
            let scaled = if s.overshoot > 0.0 {
                format!(
                    "; a step drawn as zero leaves the others exceeding the total by {}, so they are scaled to it",
                    ns(s.overshoot)
                )
            } else {
                String::new()
            };
            // `sum_array_resident, guest o3-simd` → `guest o3-simd`: which build this chain follows.
            let build = s.benchmark.split_once(", ").map_or(s.benchmark.as_str(), |(_, b)| b);
            format!("{} {}, {build}: {} = {}{scaled}{missing}", s.host, s.runtime, ns(s.total), parts.join(" + "))
        })
        .collect()
}

/// The file with only its first guest build's rows (the file itself when it has one build).
pub fn primary_only(r: &ResultsFile) -> std::borrow::Cow<'_, ResultsFile> {
    let primary = r.primary_variant();
    if r.results.iter().all(|x| x.key.guest_variant == primary) {
        return std::borrow::Cow::Borrowed(r);
    }
    let mut only = r.clone();
    only.results.retain(|x| x.key.guest_variant == primary);
    std::borrow::Cow::Owned(only)
}

/// What a reader should know under the variants' tables.
pub const VARIANTS_NOTE: &str = "Each column is the same case on another build of the same guest source (ratio to \
    the first build in brackets); the first build's rows feed everything above. A SIMD build is not applicable on an \
    engine without WebAssembly SIMD (listed under Not applicable). wee_alloc is unmaintained (RUSTSEC-2022-0054) and \
    measured because the founding document uses it. A small loop's time on a JIT can depend on where its machine \
    code lands (wasmtime's sum_array on os and os-wee_alloc: the same code, 1 or 2 cycles an element as its loop \
    does or does not straddle a 64-byte boundary; docs/hosts.md): compare builds on several cases.";

/// What a reader should know under the chains.
pub const CHAIN_NOTE: &str = "sum_array_resident, 10,000 i32, step by step, each step like with like. The guest \
    without SIMD: the host's own (auto-vectorized) sum; what vectorization saves it (native_sum_scalar − native_sum); \
    the Wasm code and the call (the scalar guest − the host's scalar loop); explicit bounds checks (the engine's :bounds \
    configuration − its default). The guest built with simd128: the host's sum; the Wasm code and the call (the SIMD \
    guest − the host's vectorized sum); explicit bounds checks. What SIMD saves the guest is guest_simd in the \
    breakdown. Each step is measured with its 95% interval; a step whose interval reaches zero is below noise and its \
    time is in other, so the steps add up to the last row measured; a step that goes down beyond its interval (its \
    row ran faster than the one before it: an engine's code can beat the host's own scalar loop, as Cranelift's beats \
    Go's, and a C compiler can vectorize a translated guest) is drawn as zero too, and the other steps are scaled to the total.";

/// One panel of the variants chart: a horizontal bar per (engine,) guest build.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub title: String,
    pub unit: &'static str,
    pub bars: Vec<PanelBar>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PanelBar {
    /// `o3` (size panel) or `rust wasmtime · o3`.
    pub label: String,
    pub variant: String,
    pub value: f64,
    /// The 95% interval of a measured mean (none for a module's size).
    pub ci: Option<(f64, f64)>,
}

/// The guest builds side by side as the chart draws them: the module's size per build, then
/// one panel per case of the side-by-side table (the seed's sizes), a bar per engine and
/// build with its interval. Nothing for a run of one build.
pub fn panels(r: &ResultsFile) -> Vec<Panel> {
    let mut out = Vec::new();
    if r.guest.variants.len() < 2 && r.derived.variants.is_empty() {
        return out;
    }
    if r.guest.variants.len() >= 2 {
        out.push(Panel {
            title: "Guest module size per build".into(),
            unit: "B",
            bars: r
                .guest
                .variants
                .iter()
                .map(|v| PanelBar { label: v.name.clone(), variant: v.name.clone(), value: v.size_bytes as f64, ci: None })
                .collect(),
        });
    }
    let mut cases: Vec<String> = Vec::new();
    let case_of = |row: &crate::analysis::VariantRow| {
        let mut c = row.scenario.clone();
        for (k, v) in &row.params {
            c.push_str(&format!(" ({k} = {v})"));
        }
        c
    };
    for row in &r.derived.variants {
        let c = case_of(row);
        if !cases.contains(&c) {
            cases.push(c);
        }
    }
    for case in cases {
        let bars = r
            .derived
            .variants
            .iter()
            .filter(|row| case_of(row) == case)
            .flat_map(|row| {
                row.cells.iter().map(move |c| PanelBar {
                    label: format!("{} {} · {}", row.host, row.runtime, c.variant),
                    variant: c.variant.clone(),
                    value: c.mean,
                    ci: Some((c.ci_low, c.ci_high)),
                })
            })
            .collect();
        out.push(Panel { title: format!("{case}: per engine and guest build"), unit: "ns", bars });
    }
    out
}

/// Tableau's ten: a colour per guest build, the same in every panel.
const BUILD_COLORS: [RGBColor; 10] = [
    RGBColor(0x1F, 0x77, 0xB4),
    RGBColor(0xFF, 0x7F, 0x0E),
    RGBColor(0x2C, 0xA0, 0x2C),
    RGBColor(0xD6, 0x27, 0x28),
    RGBColor(0x94, 0x67, 0xBD),
    RGBColor(0x8C, 0x56, 0x4B),
    RGBColor(0xE3, 0x77, 0xC2),
    RGBColor(0x7F, 0x7F, 0x7F),
    RGBColor(0xBC, 0xBD, 0x22),
    RGBColor(0x17, 0xBE, 0xCF),
];

/// The variants chart of the HTML report (plotters, SVG): [`panels`] drawn one under the
/// other, each on its own scale, a colour per build. `None` for a run of one build.
pub fn chart(r: &ResultsFile) -> Option<Chart> {
    let panels = panels(r);
    if panels.is_empty() {
        return None;
    }
    let mut builds: Vec<&str> = r.guest.variants.iter().map(|v| v.name.as_str()).collect();
    for p in &panels {
        for b in &p.bars {
            if !builds.contains(&b.variant.as_str()) {
                builds.push(&b.variant);
            }
        }
    }
    let color = |v: &str| BUILD_COLORS[builds.iter().position(|b| *b == v).unwrap_or(0) % BUILD_COLORS.len()];
    let mut svgs = String::new();
    let mut cut = 0;
    for p in &panels {
        let (svg, clipped) = panel_svg(p, &color);
        svgs.push_str(&svg);
        cut += clipped;
    }
    let mut notes = vec![
        "Each bar is a mean with its 95% interval (whisker); the colour is the guest build, the same in every panel. \
         The first build's rows feed the rest of the report."
            .to_string(),
    ];
    if cut > 0 {
        notes.push(format!("{cut} interval(s) run past the end of their axis and are cut there (wide intervals: see the warnings)."));
    }
    Some(Chart { svg: svgs, notes })
}

/// One panel as an SVG of its own and the number of whiskers cut at the axis's end.
fn panel_svg(p: &Panel, color: &dyn Fn(&str) -> RGBColor) -> (String, usize) {
    const FONT: &str = "sans-serif";
    let n = p.bars.len();
    let top = p.bars.iter().map(|b| b.value).fold(0.0, f64::max).max(1e-9);
    let reach = p.bars.iter().map(|b| b.ci.map_or(b.value, |c| c.1.max(b.value))).fold(0.0, f64::max);
    let xmax = reach.min(top * 1.6) * 1.22;
    let clipped = p.bars.iter().filter(|b| b.ci.is_some_and(|c| c.1 > xmax)).count();
    let fmt = |v: f64| if p.unit == "B" { format!("{v:.0} B") } else { ns(v) };
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (1200, 100 + 30 * n.max(1) as u32)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let drawn = (|| -> Result<(), Box<dyn std::error::Error>> {
            let n = n as i32;
            let mut chart = ChartBuilder::on(&root)
                .caption(&p.title, (FONT, 21))
                .margin(8)
                .margin_right(16)
                .x_label_area_size(42)
                .y_label_area_size(300)
                .build_cartesian_2d(0f64..xmax, (0..n).into_segmented())?;
            let labels: Vec<String> = p.bars.iter().rev().map(|b| b.label.clone()).collect();
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(p.bars.len())
                .y_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
                    _ => String::new(),
                })
                .x_labels(6)
                .x_label_formatter(&|x| fmt(*x))
                .x_desc(if p.unit == "B" { "bytes" } else { "ns per operation: mean, whisker = 95% CI" })
                .label_style((FONT, 16))
                .axis_desc_style((FONT, 16))
                .draw()?;
            // First bar at the top.
            let y = |k: usize| n - 1 - k as i32;
            chart.draw_series(p.bars.iter().enumerate().map(|(k, b)| {
                let mut r = Rectangle::new(
                    [(0.0, SegmentValue::Exact(y(k))), (b.value, SegmentValue::Exact(y(k) + 1))],
                    color(&b.variant).mix(0.85).filled(),
                );
                r.set_margin(4, 4, 0, 0);
                r
            }))?;
            chart.draw_series(p.bars.iter().enumerate().filter_map(|(k, b)| {
                b.ci.map(|(lo, hi)| ErrorBar::new_horizontal(SegmentValue::CenterOf(y(k)), lo, b.value, hi.min(xmax), BLACK.stroke_width(1), 8))
            }))?;
            let style = TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
            chart.draw_series(p.bars.iter().enumerate().map(|(k, b)| {
                let end = b.ci.map_or(b.value, |c| c.1.max(b.value)).min(xmax * 0.85);
                Text::new(format!("  {}", fmt(b.value)), (end + xmax * 0.01, SegmentValue::CenterOf(y(k))), style.clone())
            }))?;
            Ok(())
        })();
        if let Err(e) = drawn {
            let _ = root.draw_text(&format!("this chart could not be drawn: {e}"), &(FONT, 14).into_text_style(&root), (10, 20));
        }
        let _ = root.present();
    }
    (s, clipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{Exporter, Html};
    use crate::results::{GuestVariant, Params, ResultRow};

    fn row(runtime: &str, api: &str, scenario: &str, param: (&str, u64), variant: &str, samples: Vec<f64>) -> ResultRow {
        ResultRow::of_samples(runtime, api, scenario, Params::from([(param.0.to_string(), param.1)]), variant, samples)
    }

    fn build(name: &str, size: u64) -> GuestVariant {
        GuestVariant {
            name: name.into(),
            about: format!("{name} build"),
            allocator: "dlmalloc 0.2.14".into(),
            allocator_note: String::new(),
            simd: name.contains("simd"),
            size_bytes: size,
            sha256: "0".repeat(64),
            build: Default::default(),
        }
    }

    /// Two builds on two engines: sizes and two cases, each row's samples its own.
    fn file(builds: &[(&str, u64)]) -> ResultsFile {
        let mut f = ResultsFile::new();
        f.guest.variants = builds.iter().map(|&(n, s)| build(n, s)).collect();
        for (i, &(name, _)) in builds.iter().enumerate() {
            let k = 1.0 + i as f64;
            for (runtime, base) in [("wasmtime", 2700.0), ("wasmer", 2900.0)] {
                let spread = |x: f64| (0..10).map(|j| x + (j % 3) as f64).collect::<Vec<f64>>();
                f.results.push(row(runtime, "typed", "sum_array_resident", ("len", 10000), name, spread(base * k)));
                f.results.push(row(runtime, "view", "string_alloc_per_call", ("bytes", 51), name, spread(90.0 + 10.0 * k)));
            }
        }
        f.rederive();
        f
    }

    #[test]
    fn the_chart_sets_each_builds_size_and_figures_side_by_side() {
        let f = file(&[("o3", 12311), ("os-wee_alloc", 3807)]);
        let p = panels(&f);
        let titles: Vec<&str> = p.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Guest module size per build",
                "string_alloc_per_call (bytes = 51): per engine and guest build",
                "sum_array_resident (len = 10000): per engine and guest build"
            ]
        );
        let sizes: Vec<(&str, f64)> = p[0].bars.iter().map(|b| (b.label.as_str(), b.value)).collect();
        assert_eq!(sizes, [("o3", 12311.0), ("os-wee_alloc", 3807.0)]);
        assert!(p[0].bars.iter().all(|b| b.ci.is_none()));
        // A bar per engine and build, each its row's mean and interval.
        let sum = &p[2];
        assert_eq!(sum.bars.len(), 4);
        for b in &sum.bars {
            let (runtime, variant) = b.label.strip_prefix("rust ").unwrap().split_once(" · ").unwrap();
            assert_eq!(variant, b.variant);
            let r = f
                .results
                .iter()
                .find(|r| r.key.runtime == runtime && r.key.guest_variant == variant && r.key.scenario == "sum_array_resident")
                .unwrap();
            assert_eq!(b.value, r.ns_per_op.mean, "{}", b.label);
            assert_eq!(b.ci, Some((r.ns_per_op.ci_low, r.ns_per_op.ci_high)));
        }
        let c = chart(&f).expect("a chart for two builds");
        assert_eq!(c.svg.matches("<svg").count(), 3, "a panel each");
        for text in ["Guest module size per build", "3807 B", "rust wasmer · os-wee_alloc"] {
            assert!(c.svg.contains(text), "{text}");
        }
        // The HTML report draws it under the side-by-side table.
        let page = Html.render(&f).output;
        let table = page.find("Guest builds side by side").unwrap();
        let drawn = page.find("Guest module size per build").expect("the chart is in the report");
        assert!(drawn > table);
    }

    #[test]
    fn a_chain_step_that_goes_down_says_so_in_the_reports() {
        // The engine's scalar guest (900 ns) beats the host's scalar loop (1000 ns) beyond
        // the noise, as Cranelift's code beats Go's: "goes down", never "below noise (± x)"
        // with x the size of the step itself.
        let mut f = ResultsFile::new();
        let spread = |x: f64| (0..10).map(|j| x + (j % 3) as f64).collect::<Vec<f64>>();
        f.results.push(row("native", "direct", "native_sum", ("len", 10000), "o3", spread(300.0)));
        f.results.push(row("native", "direct", "native_sum_scalar", ("len", 10000), "o3", spread(1000.0)));
        f.results.push(row("wasmtime", "typed", "sum_array_resident", ("len", 10000), "o3", spread(900.0)));
        f.rederive();
        let lines = chain_lines(&f);
        assert_eq!(lines.len(), 1, "{lines:?}");
        let l = &lines[0];
        assert!(l.contains("Wasm code and the call goes down (by 9"), "{l}");
        assert!(!l.contains("below noise"), "{l}");
        assert!(l.contains("so they are scaled to it"), "{l}");
        for page in [Html.render(&f).output, crate::export::Markdown.render(&f).output] {
            assert!(page.contains("Wasm code and the call goes down (by "), "{page}");
        }
    }

    #[test]
    fn a_run_of_one_build_has_no_variants_chart() {
        let f = file(&[("o3", 12311)]);
        assert!(panels(&f).is_empty());
        assert!(chart(&f).is_none());
        assert!(!Html.render(&f).output.contains("Guest module size per build"));
    }
}
