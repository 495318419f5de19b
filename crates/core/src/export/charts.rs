//! The HTML report's charts: data picked from a results file, drawn by plotters into SVG
//! strings (no fonts or bitmaps needed: the browser renders the text).
//!
//! Each chart function returns `None` when the file has nothing for it to show.

use super::terminal::ns;
use crate::analysis::{CaseSplit, Part};
use crate::results::{ResultRow, ResultsFile};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::error::Error;

type DrawResult = Result<(), Box<dyn Error>>;

pub struct Chart {
    pub svg: String,
    /// What a reader should know about how it was built (shown under the chart).
    pub notes: Vec<String>,
}

/// Tableau's ten plus two: enough distinct colours for every engine of both hosts.
const PALETTE: [RGBColor; 12] = [
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
    RGBColor(0x39, 0x3B, 0x79),
    RGBColor(0xAD, 0x49, 0x4A),
];

const FONT: &str = "sans-serif";

/// Colours keyed by `host runtime`, in the order the file lists rows, so one engine has
/// one colour in every chart.
pub struct Colors {
    keys: Vec<String>,
}

impl Colors {
    pub fn of(r: &ResultsFile) -> Colors {
        let mut keys: Vec<String> = Vec::new();
        for row in r.results.iter().filter(|x| x.key.runtime != "native") {
            let k = engine_label(row);
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        Colors { keys }
    }

    fn get(&self, host: &str, runtime: &str) -> RGBColor {
        let k = format!("{host} {runtime}");
        let i = self.keys.iter().position(|x| *x == k).unwrap_or(self.keys.len());
        PALETTE[i % PALETTE.len()]
    }
}

fn engine_label(row: &ResultRow) -> String {
    format!("{} {}", row.key.host, row.key.runtime)
}

fn row_label(row: &ResultRow) -> String {
    format!("{} {} {}", row.key.host, row.key.runtime, row.key.api)
}

/// Draws into an SVG string of `w`×`h` pixels.
fn svg(w: u32, h: u32, draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> DrawResult) -> String {
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (w, h)).into_drawing_area();
        let _ = root.fill(&WHITE);
        if let Err(e) = draw(&root) {
            let _ = root.draw_text(&format!("this chart could not be drawn: {e}"), &(FONT, 14).into_text_style(&root), (10, 20));
        }
        let _ = root.present();
    }
    s
}

/// `16`, `1 Ki`, `64 Ki`, `1 Mi` for sizes on a log axis.
fn size_label(x: f64) -> String {
    let v = x.round();
    if v >= 1048576.0 && (v / 1048576.0).fract() == 0.0 {
        format!("{} Mi", v / 1048576.0)
    } else if v >= 1024.0 && (v / 1024.0).fract() == 0.0 {
        format!("{} Ki", v / 1024.0)
    } else if v >= 1e6 {
        format!("{:.0}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.0}k", v / 1e3)
    } else {
        format!("{v}")
    }
}

/// A horizontal bar: label, value, optional interval.
struct Bar {
    label: String,
    value: f64,
    ci: Option<(f64, f64)>,
    color: RGBColor,
}

/// The value axis's end: room for every interval, unless one interval is so wide it would
/// squash the bars; then up to 1.6x the largest bar, and the count of whiskers cut there.
fn axis_max(items: &[Bar]) -> (f64, usize) {
    let top = items.iter().map(|b| b.value).fold(0.0, f64::max).max(1e-9);
    let reach = items.iter().map(|b| b.ci.map(|c| c.1).unwrap_or(b.value).max(b.value)).fold(0.0, f64::max);
    let xmax = reach.min(top * 1.6) * 1.22;
    (xmax, items.iter().filter(|b| b.ci.is_some_and(|c| c.1 > xmax)).count())
}

fn clip_note(items: &[Bar]) -> Option<String> {
    match axis_max(items).1 {
        0 => None,
        1 => Some("One interval runs past the end of the axis and is cut there (a wide interval: see the warnings).".into()),
        n => Some(format!("{n} intervals run past the end of the axis and are cut there (wide intervals: see the warnings).")),
    }
}

/// Horizontal bars with their intervals and values written at the end.
fn bars(area: &DrawingArea<SVGBackend<'_>, Shift>, title: &str, x_desc: &str, items: &[Bar], fmt: &dyn Fn(f64) -> String, label_width: u32, x_labels: usize) -> DrawResult {
    let n = items.len() as i32;
    let xmax = axis_max(items).0;
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, 21))
        .margin(8)
        .margin_right(16)
        .x_label_area_size(42)
        .y_label_area_size(label_width)
        .build_cartesian_2d(0f64..xmax, (0..n).into_segmented())?;
    // First item at the top.
    let labels: Vec<String> = items.iter().rev().map(|b| b.label.clone()).collect();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(items.len())
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .x_labels(x_labels)
        .x_label_formatter(&|x| fmt(*x))
        .x_desc(x_desc)
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 16))
        .draw()?;
    let y = |k: usize| n - 1 - k as i32;
    chart.draw_series(items.iter().enumerate().map(|(k, b)| {
        let mut r = Rectangle::new([(0.0, SegmentValue::Exact(y(k))), (b.value, SegmentValue::Exact(y(k) + 1))], b.color.mix(0.85).filled());
        r.set_margin(4, 4, 0, 0);
        r
    }))?;
    chart.draw_series(items.iter().enumerate().filter_map(|(k, b)| {
        b.ci.map(|(lo, hi)| ErrorBar::new_horizontal(SegmentValue::CenterOf(y(k)), lo, b.value, hi.min(xmax), BLACK.stroke_width(1), 8))
    }))?;
    let style = TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    chart.draw_series(items.iter().enumerate().map(|(k, b)| {
        let end = b.ci.map(|c| c.1).unwrap_or(b.value).max(b.value).min(xmax * 0.85);
        Text::new(format!("  {}", fmt(b.value)), (end + xmax * 0.01, SegmentValue::CenterOf(y(k))), style.clone())
    }))?;
    Ok(())
}

/// The crossing: noop per host, runtime and API, with each host's plain native call for scale.
pub fn crossing(r: &ResultsFile, colors: &Colors) -> Option<Chart> {
    let mut hosts: Vec<&str> = Vec::new();
    for row in &r.results {
        if !hosts.contains(&row.key.host.as_str()) {
            hosts.push(&row.key.host);
        }
    }
    // One chart per host, each on its own scale: a cgo-based engine's microsecond does not
    // flatten another host's nanoseconds.
    let mut svgs = String::new();
    let mut notes = Vec::new();
    for host in hosts {
        let noops: Vec<&ResultRow> = r.results.iter().filter(|x| x.key.host == host && x.key.scenario == "noop").collect();
        if noops.is_empty() {
            continue;
        }
        let mut items = Vec::new();
        for row in r.results.iter().filter(|x| x.key.host == host && x.key.scenario == "native_call") {
            items.push(Bar {
                label: format!("{host} native call (no Wasm)"),
                value: row.estimate(),
                ci: Some((row.ns_per_op.ci_low, row.ns_per_op.ci_high)),
                color: RGBColor(0xAA, 0xAA, 0xAA),
            });
        }
        for row in noops {
            items.push(Bar {
                label: row_label(row),
                value: row.estimate(),
                ci: Some((row.ns_per_op.ci_low, row.ns_per_op.ci_high)),
                color: colors.get(&row.key.host, &row.key.runtime),
            });
        }
        let h = 100 + 30 * items.len() as u32;
        let title = format!("{host} host: calling an empty export (noop)");
        svgs.push_str(&svg(1200, h, |root| bars(root, &title, "ns per call: mean, whisker = 95% CI", &items, &|v| ns(v), 260, 8)));
        notes.extend(clip_note(&items).map(|n| format!("{host}: {n}")));
    }
    if svgs.is_empty() {
        return None;
    }
    Some(Chart { svg: svgs, notes })
}

/// Cost against payload size on log-log axes, one line per host, runtime and API.
pub fn scaling(r: &ResultsFile, colors: &Colors, scenario: &str, title: &str, x_desc: &str) -> Option<Chart> {
    // Series in first-seen order.
    let mut series: Vec<(String, &str, &str, Vec<&ResultRow>)> = Vec::new();
    for row in r.results.iter().filter(|x| x.key.scenario == scenario && x.key.param().is_some() && x.estimate() > 0.0) {
        let label = row_label(row);
        match series.iter_mut().find(|s| s.0 == label) {
            Some(s) => s.3.push(row),
            None => series.push((label, &row.key.host, &row.key.runtime, vec![row])),
        }
    }
    series.retain(|s| !s.3.is_empty());
    if series.is_empty() {
        return None;
    }
    for s in &mut series {
        s.3.sort_by_key(|x| x.key.param());
    }
    let xs = series.iter().flat_map(|s| s.3.iter().map(|x| x.key.param().unwrap() as f64));
    let (xmin, xmax) = xs.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
    let ys = series.iter().flat_map(|s| s.3.iter().flat_map(|x| [x.ns_per_op.ci_low, x.ns_per_op.ci_high, x.estimate()])).filter(|y| *y > 0.0);
    let (ymin, ymax) = ys.fold((f64::MAX, f64::MIN), |(a, b), y| (a.min(y), b.max(y)));
    // Which APIs each engine has: the second and later are dashed.
    // The second and later API of an engine are dashed.
    let mut nths: Vec<usize> = Vec::new();
    let mut apis_seen: Vec<(String, usize)> = Vec::new();
    for (_, host, runtime, _) in &series {
        let engine = format!("{host} {runtime}");
        nths.push(match apis_seen.iter_mut().find(|a| a.0 == engine) {
            Some(a) => {
                a.1 += 1;
                a.1
            }
            None => {
                apis_seen.push((engine, 0));
                0
            }
        });
    }
    let height = 600u32.max(90 + 20 * series.len() as u32);
    let svg = svg(1200, height, |root| {
        // The legend beside the plot, not over its lines.
        let (plot, legend) = root.split_horizontally(880);
        let step = 20i32;
        let text = TextStyle::from((FONT, 16).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        for (i, ((label, host, runtime, _), nth)) in series.iter().zip(&nths).enumerate() {
            let y = 60 + step * i as i32;
            let color = colors.get(host, runtime);
            if *nth == 0 {
                legend.draw(&PathElement::new(vec![(12, y), (44, y)], color.stroke_width(2)))?;
            } else {
                for x in [12, 26, 40] {
                    legend.draw(&PathElement::new(vec![(x, y), (x + 7, y)], color.stroke_width(2)))?;
                }
            }
            legend.draw(&Circle::new((28, y), 3, color.filled()))?;
            legend.draw(&Text::new(label.clone(), (52, y), text.clone()))?;
        }
        let root = &plot;
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 21))
            .margin(10)
            .margin_right(20)
            .x_label_area_size(46)
            .y_label_area_size(80)
            .build_cartesian_2d((xmin / 1.4..xmax * 1.4).log_scale(), (ymin / 1.5..ymax * 1.5).log_scale())?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc("ns per op (mean, whisker = 95% CI)")
            .x_label_formatter(&|x| size_label(*x))
            .y_label_formatter(&|y| ns(*y))
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 16))
            .light_line_style(RGBColor(0xEE, 0xEE, 0xEE))
            .draw()?;
        for ((_, host, runtime, rows), &nth) in series.iter().zip(&nths) {
            let color = colors.get(host, runtime);
            let pts: Vec<(f64, f64)> = rows.iter().map(|x| (x.key.param().unwrap() as f64, x.estimate())).collect();
            let style = color.stroke_width(2);
            if nth == 0 {
                chart.draw_series(LineSeries::new(pts.clone(), style))?;
            } else {
                chart.draw_series(DashedLineSeries::new(pts.clone(), 8, 5, style))?;
            }
            chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
            chart.draw_series(rows.iter().map(|x| {
                ErrorBar::new_vertical(x.key.param().unwrap() as f64, x.ns_per_op.ci_low.max(ymin / 1.5), x.estimate(), x.ns_per_op.ci_high, color.stroke_width(1), 6)
            }))?;
        }
        Ok(())
    });
    Some(Chart { svg, notes: Vec::new() })
}

/// One colour per part, the same in every decomposition chart.
fn part_color(name: &str) -> RGBColor {
    match name {
        "harness loop" => RGBColor(0xBB, 0xBB, 0xBB),
        "crossing" => RGBColor(0x00, 0x72, 0xB2),
        "arguments" => RGBColor(0x56, 0xB4, 0xE9),
        "copy in" => RGBColor(0xE6, 0x9F, 0x00),
        "copy out" => RGBColor(0xD5, 0x5E, 0x00),
        "compute (guest)" => RGBColor(0xCC, 0x79, 0xA7),
        _ => RGBColor(0x00, 0x9E, 0x73),
    }
}

/// One stacked bar: the measured total and the model's parts (they add up to it).
struct Stack<'a> {
    label: String,
    total: f64,
    parts: &'a [Part],
}

/// Stacked horizontal bars: where the time of one seed case goes, as the cost model splits it.
pub fn decomposition(r: &ResultsFile, scenario: &str, param: u64, title: &str) -> Option<Chart> {
    let cases: Vec<&CaseSplit> = r
        .derived
        .seed_cases
        .iter()
        .filter(|c| c.scenario == scenario && c.params.values().next() == Some(&param))
        .collect();
    if cases.is_empty() {
        return None;
    }
    let mut notes = Vec::new();
    for c in &cases {
        if !c.missing.is_empty() {
            notes.push(format!("{}: this run lacks {}, so those parts are in other", c.label(), c.missing.join(", ")));
        }
        if c.overshoot > 0.0 {
            notes.push(format!(
                "{}: the parts, measured on other rows, add to {} more than the {} measured; drawn scaled to the measured total",
                c.label(),
                ns(c.overshoot),
                ns(c.total)
            ));
        }
    }
    // One chart per host, each on its own scale.
    let mut hosts: Vec<&str> = Vec::new();
    for c in &cases {
        if !hosts.contains(&c.host.as_str()) {
            hosts.push(&c.host);
        }
    }
    let mut svgs = String::new();
    for host in hosts {
        let mine: Vec<Stack> = cases
            .iter()
            .filter(|c| c.host == host)
            .map(|c| Stack { label: c.label(), total: c.total, parts: &c.parts })
            .collect();
        svgs.push_str(&stacked_bars(&mine, &format!("{host} host: {title}")));
    }
    Some(Chart { svg: svgs, notes })
}

fn stacked_bars(stacks: &[Stack], title: &str) -> String {
    let mut names: Vec<&str> = Vec::new();
    for s in stacks {
        for p in s.parts.iter().filter(|p| p.shown > 0.0) {
            if !names.contains(&p.name.as_str()) {
                names.push(&p.name);
            }
        }
    }
    let n = stacks.len() as i32;
    let h = 160 + 36 * stacks.len().max(5) as u32;
    let svg = svg(1200, h, |root| {
        let xmax = stacks.iter().map(|s| s.total).fold(0.0, f64::max).max(1e-9) * 1.6;
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 21))
            .margin(8)
            .margin_right(16)
            .x_label_area_size(42)
            .y_label_area_size(260)
            .build_cartesian_2d(0f64..xmax, (0..n).into_segmented())?;
        let labels: Vec<String> = stacks.iter().rev().map(|s| s.label.clone()).collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(stacks.len())
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .x_labels(6)
            .x_label_formatter(&|x| ns(*x))
            .x_desc("ns per round trip")
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 16))
            .draw()?;
        let y = |k: usize| n - 1 - k as i32;
        for name in &names {
            let color = part_color(name);
            let rects: Vec<Rectangle<(f64, SegmentValue<i32>)>> = stacks
                .iter()
                .enumerate()
                .filter_map(|(k, s)| {
                    let start: f64 = s.parts.iter().take_while(|p| p.name != *name).map(|p| p.shown).sum();
                    let v = s.parts.iter().find(|p| p.name == *name)?.shown;
                    let mut r = Rectangle::new([(start, SegmentValue::Exact(y(k))), (start + v, SegmentValue::Exact(y(k) + 1))], color.filled());
                    r.set_margin(5, 5, 0, 0);
                    Some(r)
                })
                .collect();
            chart
                .draw_series(rects)?
                .label(name.to_string())
                .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], color.filled()));
        }
        let style = TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        chart.draw_series(stacks.iter().enumerate().map(|(k, s)| {
            // The bar is drawn to the measured total (the parts add up to it) and labelled with it.
            let end = s.total;
            Text::new(format!(" {} measured", ns(s.total)), (end, SegmentValue::CenterOf(y(k))), style.clone())
        }))?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(0xBB, 0xBB, 0xBB))
            .label_font((FONT, 16))
            .draw()?;
        Ok(())
    });
    svg
}

/// Start-up per engine: compile, instantiate, first call, each in its own unit; each
/// mitigation (deserialize, instantiate_pre) as a bar of its own beside its plain path.
pub fn startup(r: &ResultsFile, colors: &Colors) -> Option<Chart> {
    let panels: [(&[&str], &str, f64, &str); 3] = [
        (&["compile", "deserialize"], "compile; (AOT) = deserialize", 1e6, "ms"),
        (&["instantiate", "instantiate_pre"], "instantiate; (pre) = InstancePre", 1e3, "µs"),
        (&["first_call"], "first call on a fresh instance", 1.0, "ns"),
    ];
    let data: Vec<Vec<Bar>> = panels
        .iter()
        .map(|(scenarios, _, div, _)| {
            let mut bars: Vec<(usize, Bar)> = r
                .results
                .iter()
                .filter_map(|x| scenarios.iter().position(|s| *s == x.key.scenario).map(|k| (k, x)))
                .map(|(k, x)| {
                    let label = match x.key.scenario.as_str() {
                        "deserialize" => format!("{} (AOT)", engine_label(x)),
                        "instantiate_pre" => format!("{} (pre)", engine_label(x)),
                        _ => engine_label(x),
                    };
                    (
                        k,
                        Bar {
                            label,
                            value: x.estimate() / div,
                            ci: Some((x.ns_per_op.ci_low / div, x.ns_per_op.ci_high / div)),
                            color: colors.get(&x.key.host, &x.key.runtime),
                        },
                    )
                })
                .collect();
            // The plain path of every engine first, then the mitigations.
            bars.sort_by_key(|(k, _)| *k);
            bars.into_iter().map(|(_, b)| b).collect()
        })
        .collect();
    let rows = data.iter().map(|d| d.len()).max().unwrap_or(0);
    if rows == 0 {
        return None;
    }
    let h = 110 + 30 * rows as u32;
    let svg = svg(1200, h, |root| {
        let areas = root.split_evenly((1, 3));
        for ((area, items), &(_, title, div, _)) in areas.iter().zip(&data).zip(&panels) {
            if items.is_empty() {
                area.draw_text(&format!("{title}: not measured"), &(FONT, 14).into_text_style(area), (10, 30))?;
                continue;
            }
            // Values in the panel's unit, printed in whatever unit suits each (a 30 µs
            // deserialize in the milliseconds panel is not "0.0 ms").
            let fmt = move |v: f64| ns(v * div);
            bars(area, title, "mean, whisker = 95% CI", items, &fmt, 200, 3)?;
        }
        Ok(())
    });
    let notes =
        data.iter().zip(&panels).filter_map(|(items, p)| clip_note(items).map(|n| format!("{}: {n}", p.0[0]))).collect();
    Some(Chart { svg, notes })
}
