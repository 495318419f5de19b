//! The HTML report's charts: data picked from a results file, drawn by plotters into SVG
//! strings (no fonts or bitmaps needed: the browser renders the text).
//!
//! Made to be read for a full run (about 22 engines of two hosts, 36 payload series):
//! - every engine has one colour and one marker shape in every chart ([`engine_style`]),
//!   fixed by its name, not by the order of a file;
//! - payload charts are small multiples: one panel per engine family, at most
//!   [`MAX_SERIES_PER_PANEL`] series each, on axes shared by every panel, the other
//!   families drawn faintly behind for context;
//! - a value axis whose values span more than a decade is logarithmic ([`DECADE`]), so a
//!   microsecond bar beside a millisecond one still shows;
//! - values are written in a column of their own right of the plot, where no whisker reaches;
//!   tick labels carry their unit and axis titles name no other.
//!
//! Each chart function returns `None` when the file has nothing for it to show. What each
//! chart will draw (panels, series, scales) is planned by plain functions the tests check.

use super::terminal::ns;
use crate::analysis::{CaseSplit, Part};
use crate::results::{ResultRow, ResultsFile};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::error::Error;

type DrawResult = Result<(), Box<dyn Error>>;
type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

pub struct Chart {
    pub svg: String,
    /// What a reader should know about how it was built (shown under the chart).
    pub notes: Vec<String>,
}

const FONT: &str = "sans-serif";

/// A payload panel never draws more series than this in colour.
pub const MAX_SERIES_PER_PANEL: usize = 10;

/// A value axis whose largest value is more than this many times its smallest is logarithmic.
pub const DECADE: f64 = 10.0;

/// Drawn for what is not an engine (a host's native call).
pub const NATIVE_COLOR: RGBColor = RGBColor(0xAA, 0xAA, 0xAA);

/// Context lines (other families) behind a panel's own.
const GHOST: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);

/// A marker shape; an engine's second and later API draw it hollow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Square,
    TriangleUp,
    Diamond,
    TriangleDown,
}

const MARKERS: [Marker; 5] = [Marker::Circle, Marker::Square, Marker::TriangleUp, Marker::Diamond, Marker::TriangleDown];

/// How one engine is drawn in every chart of every report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineStyle {
    pub color: RGBColor,
    pub marker: Marker,
}

/// The engines of both hosts, each with its own colour and, within its family, its own
/// marker: two engines drawn in one panel never share both.
const KNOWN: &[(&str, u32, Marker)] = &[
    // wasmtime and its modes (Rust), and from Go
    ("wasmtime", 0x1F77B4, Marker::Circle),
    ("wasmtime:winch", 0xFF7F0E, Marker::Square),
    ("wasmtime:pulley", 0x2CA02C, Marker::TriangleUp),
    ("wasmtime:pooling", 0xD62728, Marker::Diamond),
    ("wasmtime:bounds", 0x9467BD, Marker::TriangleDown),
    ("wasmtime-go", 0x17BECF, Marker::Square),
    ("wasmtime-capi", 0x393B79, Marker::Circle),
    // wasmer
    ("wasmer", 0x8C564B, Marker::Circle),
    ("wasmer:singlepass", 0xE377C2, Marker::Square),
    ("wasmer-go", 0xBCBD22, Marker::TriangleUp),
    ("wasmer-capi", 0x637939, Marker::Diamond),
    // interpreters
    ("wasmi", 0x7B4173, Marker::Circle),
    ("wasmi:eager", 0xCE6DBD, Marker::Square),
    ("wasm3", 0xE6550D, Marker::TriangleUp),
    ("tinywasm", 0x31A354, Marker::Diamond),
    // wazero
    ("wazero:compiler", 0x843C39, Marker::Circle),
    ("wazero", 0x843C39, Marker::Circle),
    ("wazero:interpreter", 0x8C6D31, Marker::Square),
    // translated to native code
    ("wasm2c", 0x6B6ECF, Marker::Circle),
    ("wasm2c:bounds", 0xA55194, Marker::Square),
    ("wasm2go", 0x00A087, Marker::TriangleUp),
];

/// For engines this build does not know: picked by a hash of the name, so still stable.
const FALLBACK: [u32; 10] = [0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD, 0x8C564B, 0xE377C2, 0x17BECF, 0xBCBD22, 0x393B79];

fn rgb(hex: u32) -> RGBColor {
    RGBColor((hex >> 16) as u8, (hex >> 8) as u8, hex as u8)
}

/// The colour and marker of an engine, the same in every chart (and for every other
/// exporter that draws engines): fixed by the runtime's name, so two reports agree too.
pub fn engine_style(_host: &str, runtime: &str) -> EngineStyle {
    if runtime == "native" {
        return EngineStyle { color: NATIVE_COLOR, marker: Marker::Circle };
    }
    if let Some((_, hex, marker)) = KNOWN.iter().find(|(name, _, _)| *name == runtime) {
        return EngineStyle { color: rgb(*hex), marker: *marker };
    }
    // FNV-1a: std's hasher is not promised stable across releases.
    let h = runtime.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3));
    EngineStyle { color: rgb(FALLBACK[(h % FALLBACK.len() as u64) as usize]), marker: MARKERS[((h / 16) % MARKERS.len() as u64) as usize] }
}

/// The family an engine is drawn with in the payload panels: `wasmtime` for wasmtime, its
/// modes and its Go bindings; the small interpreters together; the translators together.
pub fn engine_family(runtime: &str) -> String {
    let base = runtime.split(':').next().unwrap_or(runtime);
    let base = base.strip_suffix("-go").or_else(|| base.strip_suffix("-capi")).unwrap_or(base);
    match base {
        "wasmi" | "wasm3" | "tinywasm" => "interpreters: wasmi, wasm3, tinywasm".into(),
        "wasm2c" | "wasm2go" => "translated to native code: wasm2c, wasm2go".into(),
        b => b.to_string(),
    }
}

/// Colours of engines; kept for callers that hold one. Every engine's colour is fixed by
/// its name ([`engine_style`]), whatever the file.
pub struct Colors;

impl Colors {
    pub fn of(_r: &ResultsFile) -> Colors {
        Colors
    }

    #[allow(dead_code)]
    pub fn get(&self, host: &str, runtime: &str) -> RGBColor {
        engine_style(host, runtime).color
    }
}

/// Draws into an SVG string of `w`×`h` pixels.
fn svg(w: u32, h: u32, draw: impl FnOnce(&Area<'_>) -> DrawResult) -> String {
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

/// A time tick: `0`, `500 ns`, `2.5 µs`, `10 ms` (no trailing zeros: a tick is exact).
pub fn time_tick(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let (x, unit) = if v.abs() >= 1e9 {
        (v / 1e9, "s")
    } else if v.abs() >= 1e6 {
        (v / 1e6, "ms")
    } else if v.abs() >= 1e3 {
        (v / 1e3, "µs")
    } else {
        (v, "ns")
    };
    let digits = if x.abs() >= 100.0 {
        0
    } else if x.abs() >= 10.0 {
        1
    } else if x.abs() >= 1.0 {
        2
    } else {
        3
    };
    let mut s = format!("{x:.digits$}");
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    format!("{s} {unit}")
}

/// Ticks for a log axis over `lo..hi`: (labelled, grid lines). Labelled: the powers of ten
/// inside; with fewer than three, also their 2 and 5 multiples when `one_two_five` (times);
/// still fewer than two: `values` themselves (a payload axis of 16 and 64 bytes has no power
/// of ten to show). Grid lines: every multiple 1-9 of each power of ten.
pub fn log_ticks(lo: f64, hi: f64, values: &[f64], one_two_five: bool) -> (Vec<f64>, Vec<f64>) {
    let inside = |v: &f64| *v >= lo * 0.999_999 && *v <= hi * 1.000_001;
    let (a, b) = (lo.max(1e-12).log10().floor() as i32, hi.max(1e-12).log10().ceil() as i32);
    let with = |ms: &[f64]| -> Vec<f64> { (a..=b).flat_map(|k| ms.iter().map(move |m| m * 10f64.powi(k))).filter(inside).collect() };
    let mut bold = with(&[1.0]);
    if bold.len() < 3 && one_two_five {
        bold = with(&[1.0, 2.0, 5.0]);
    }
    if bold.len() < 2 {
        bold = values.iter().copied().filter(inside).collect();
        bold.sort_by(f64::total_cmp);
        bold.dedup();
    }
    (bold, with(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]))
}

/// Linear or logarithmic: logarithmic when the values span more than a decade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Linear,
    Log,
}

pub fn scale_for(values: impl IntoIterator<Item = f64>) -> Scale {
    let (lo, hi) = values.into_iter().filter(|v| *v > 0.0 && v.is_finite()).fold((f64::MAX, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    if hi > 0.0 && hi / lo > DECADE {
        Scale::Log
    } else {
        Scale::Linear
    }
}

/// A horizontal bar: label, value, optional interval; `band` alternates between engines
/// so the rows of one engine sit on one shade.
struct Bar {
    label: String,
    value: f64,
    ci: Option<(f64, f64)>,
    color: RGBColor,
    band: bool,
}

/// The value axis of a bar chart: its scale and range, and how many whiskers it cuts.
#[derive(Debug, Clone, Copy, PartialEq)]
struct BarAxis {
    scale: Scale,
    lo: f64,
    hi: f64,
    cut: usize,
}

fn bar_axis(items: &[Bar]) -> BarAxis {
    let scale = scale_for(items.iter().map(|b| b.value));
    let top = items.iter().map(|b| b.value).fold(0.0, f64::max).max(1e-9);
    let reach = items.iter().map(|b| b.ci.map(|c| c.1).unwrap_or(b.value).max(b.value)).fold(0.0, f64::max);
    match scale {
        Scale::Linear => {
            // Room for every interval, unless one is so wide it would squash the bars: then
            // up to 1.6x the largest bar, and the whiskers past it are cut.
            let hi = reach.min(top * 1.6) * 1.08;
            let cut = items.iter().filter(|b| b.ci.is_some_and(|c| c.1 > hi)).count();
            BarAxis { scale, lo: 0.0, hi, cut }
        }
        Scale::Log => {
            let small = items.iter().map(|b| b.value).filter(|v| *v > 0.0).fold(f64::MAX, f64::min);
            // A power of ten below the smallest bar, so it still has length.
            let lo = 10f64.powf((small / 2.0).log10().floor());
            let hi = reach.min(top * 10.0) * 1.3;
            let cut = items.iter().filter(|b| b.ci.is_some_and(|c| c.1 > hi)).count();
            BarAxis { scale, lo, hi, cut }
        }
    }
}

fn clip_note(items: &[Bar]) -> Option<String> {
    match bar_axis(items).cut {
        0 => None,
        1 => Some("One interval runs past the end of the axis and is cut there (a wide interval: see the warnings).".into()),
        n => Some(format!("{n} intervals run past the end of the axis and are cut there (wide intervals: see the warnings).")),
    }
}

const BAR_ROW: u32 = 24;

/// The category axis of `n` bars: plotters' segmented range `a..b` has `b - a + 1` slots.
fn slots(n: usize) -> std::ops::Range<i32> {
    if n > 1 {
        0..n as i32 - 1
    } else {
        0..1
    }
}
const VALUE_COLUMN: u32 = 110;

/// The height of a bar chart of `n` bars.
fn bars_height(n: usize) -> u32 {
    96 + BAR_ROW * n as u32
}

/// Horizontal bars on a linear or log axis (see [`bar_axis`]), whiskers for the intervals,
/// each value in a column of its own right of the plot.
fn bars(area: &Area<'_>, title: &str, x_desc: &str, items: &[Bar], label_width: u32) -> DrawResult {
    let axis = bar_axis(items);
    let (w, _) = area.dim_in_pixel();
    let (plot, values) = area.split_horizontally(w - VALUE_COLUMN);
    let desc = match axis.scale {
        Scale::Linear => x_desc.to_string(),
        Scale::Log => format!("{x_desc} (log scale)"),
    };
    match axis.scale {
        Scale::Linear => {
            let mut chart = bar_frame(&plot, title, label_width).build_cartesian_2d(axis.lo..axis.hi, slots(items.len()).into_segmented())?;
            bar_mesh(&mut chart, items, &desc, 8)?;
            bar_marks(&mut chart, items, axis)?;
            bar_values(&chart, &values, items)
        }
        Scale::Log => {
            let means: Vec<f64> = items.iter().map(|b| b.value).collect();
            let (bold, light) = log_ticks(axis.lo, axis.hi, &means, true);
            let x = (axis.lo..axis.hi).log_scale().with_key_points(bold).with_light_points(light);
            let mut chart = bar_frame(&plot, title, label_width).build_cartesian_2d(x, slots(items.len()).into_segmented())?;
            bar_mesh(&mut chart, items, &desc, 10)?;
            bar_marks(&mut chart, items, axis)?;
            bar_values(&chart, &values, items)
        }
    }
}

fn bar_frame<'a, 'b>(area: &'a Area<'b>, title: &str, label_width: u32) -> ChartBuilder<'a, 'b, SVGBackend<'b>> {
    let mut b = ChartBuilder::on(area);
    b.caption(title, (FONT, 20)).margin(8).margin_right(12).x_label_area_size(44).y_label_area_size(label_width);
    b
}

fn bar_mesh<'a, X>(chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, plotters::coord::ranged1d::SegmentedCoord<plotters::coord::types::RangedCoordi32>>>, items: &[Bar], desc: &str, x_labels: usize) -> DrawResult
where
    X: Ranged<ValueType = f64> + plotters::coord::ranged1d::ValueFormatter<f64>,
{
    let n = items.len() as i32;
    // First item at the top.
    let labels: Vec<String> = items.iter().rev().map(|b| b.label.clone()).collect();
    let bands: Vec<bool> = items.iter().map(|b| b.band).collect();
    let (x0, x1) = (chart.x_range().start, chart.x_range().end);
    // A light band behind every other engine's rows.
    chart.draw_series(bands.iter().enumerate().filter(|(_, b)| **b).map(|(k, _)| {
        let y = n - 1 - k as i32;
        Rectangle::new([(x0, SegmentValue::Exact(y)), (x1, SegmentValue::Exact(y + 1))], RGBColor(0xF3, 0xF3, 0xF3).filled())
    }))?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(items.len())
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .x_labels(x_labels)
        .x_label_formatter(&|x| time_tick(*x))
        .x_desc(desc)
        .light_line_style(RGBColor(0xEE, 0xEE, 0xEE))
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 15))
        .draw()?;
    Ok(())
}

fn bar_marks<'a, X>(chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, plotters::coord::ranged1d::SegmentedCoord<plotters::coord::types::RangedCoordi32>>>, items: &[Bar], axis: BarAxis) -> DrawResult
where
    X: Ranged<ValueType = f64>,
{
    let n = items.len() as i32;
    let y = |k: usize| n - 1 - k as i32;
    let clamp = |v: f64| v.max(axis.lo).min(axis.hi);
    chart.draw_series(items.iter().enumerate().map(|(k, b)| {
        let mut r = Rectangle::new([(axis.lo, SegmentValue::Exact(y(k))), (clamp(b.value), SegmentValue::Exact(y(k) + 1))], b.color.mix(0.9).filled());
        r.set_margin(4, 4, 0, 0);
        r
    }))?;
    chart.draw_series(items.iter().enumerate().filter_map(|(k, b)| {
        b.ci.map(|(lo, hi)| ErrorBar::new_horizontal(SegmentValue::CenterOf(y(k)), clamp(lo), clamp(b.value), clamp(hi), BLACK.stroke_width(1), 8))
    }))?;
    Ok(())
}

/// The values, in the column right of the plot: level with their bars, never on a whisker.
fn bar_values<'a, X>(chart: &ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, plotters::coord::ranged1d::SegmentedCoord<plotters::coord::types::RangedCoordi32>>>, column: &Area<'_>, items: &[Bar]) -> DrawResult
where
    X: Ranged<ValueType = f64>,
{
    let n = items.len() as i32;
    let style = TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for (k, b) in items.iter().enumerate() {
        let (_, py) = chart.backend_coord(&(chart.x_range().start, SegmentValue::CenterOf(n - 1 - k as i32)));
        column.draw_text(&ns(b.value), &style, (4, py - column.get_base_pixel().1))?;
    }
    Ok(())
}

/// The crossing: noop per host, runtime and API, with each host's plain native call for scale.
pub fn crossing(r: &ResultsFile, _colors: &Colors) -> Option<Chart> {
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
        let items = crossing_bars(r, host);
        if items.is_empty() {
            continue;
        }
        let title = format!("{host} host: calling an empty export (noop)");
        svgs.push_str(&svg(1200, bars_height(items.len()), |root| bars(root, &title, "time per call: mean, whisker = 95% CI", &items, 280)));
        notes.extend(clip_note(&items).map(|n| format!("{host}: {n}")));
    }
    if svgs.is_empty() {
        return None;
    }
    Some(Chart { svg: svgs, notes })
}

fn crossing_bars(r: &ResultsFile, host: &str) -> Vec<Bar> {
    let noops: Vec<&ResultRow> = r.results.iter().filter(|x| x.key.host == host && x.key.scenario == "noop").collect();
    if noops.is_empty() {
        return Vec::new();
    }
    let mut items = Vec::new();
    for row in r.results.iter().filter(|x| x.key.host == host && x.key.scenario == "native_call") {
        items.push(Bar {
            label: "native call (no Wasm)".into(),
            value: row.estimate(),
            ci: Some((row.ns_per_op.ci_low, row.ns_per_op.ci_high)),
            color: NATIVE_COLOR,
            band: false,
        });
    }
    let mut band = false;
    let mut last: Option<&str> = None;
    for row in noops {
        if last != Some(row.key.runtime.as_str()) {
            band = !band;
            last = Some(&row.key.runtime);
        }
        items.push(Bar {
            label: format!("{} {}", row.key.runtime, row.key.api),
            value: row.estimate(),
            ci: Some((row.ns_per_op.ci_low, row.ns_per_op.ci_high)),
            color: engine_style(host, &row.key.runtime).color,
            band,
        });
    }
    items
}

/// The cases of a run's rows that the built-in suite does not have (a scenario file's:
/// `greet/bytes=16`), in the order the file has them.
pub fn own_cases(r: &ResultsFile) -> Vec<String> {
    let builtin = crate::scenario::ScenarioList::builtin();
    let mut cases: Vec<String> = Vec::new();
    for row in &r.results {
        let case = row.key.case_label();
        if !builtin.scenarios.iter().any(|s| s.name == row.key.scenario) && !cases.contains(&case) {
            cases.push(case);
        }
    }
    cases
}

/// One of a scenario file's cases on every engine and call API of both hosts: a bar each,
/// the engines in the file's order, banded engine by engine.
fn own_case_bars(r: &ResultsFile, case: &str) -> Vec<Bar> {
    let mut items = Vec::new();
    let mut band = false;
    let mut last: Option<(&str, &str)> = None;
    for row in r.results.iter().filter(|x| x.key.case_label() == case && x.estimate() > 0.0) {
        let engine = (row.key.host.as_str(), row.key.runtime.as_str());
        if last != Some(engine) {
            band = !band;
            last = Some(engine);
        }
        items.push(Bar {
            label: format!("{} {} {}", row.key.host, row.key.runtime, row.key.api),
            value: row.estimate(),
            ci: Some((row.ns_per_op.ci_low, row.ns_per_op.ci_high)),
            color: engine_style(&row.key.host, &row.key.runtime).color,
            band,
        });
    }
    items
}

/// A scenario file's case (see [`own_cases`]) as a bar chart; None when no row of it has a
/// time.
pub fn own_case(r: &ResultsFile, case: &str) -> Option<Chart> {
    let items = own_case_bars(r, case);
    if items.is_empty() {
        return None;
    }
    let svg = svg(1200, bars_height(items.len()), |root| bars(root, case, "time per operation: mean, whisker = 95% CI", &items, 300));
    Some(Chart { svg, notes: clip_note(&items).into_iter().collect() })
}

/// One line of a payload chart: an engine's API across the sizes.
struct Series<'a> {
    host: &'a str,
    runtime: &'a str,
    api: &'a str,
    /// 0 for an engine's first API, 1 for its second, ...: dashed and hollow from 1.
    nth: usize,
    rows: Vec<&'a ResultRow>,
}

/// A panel of a payload chart: its title and the series (indices) it draws in colour.
#[derive(Debug, Clone, PartialEq)]
struct Panel {
    title: String,
    series: Vec<usize>,
}

fn payload_series<'a>(r: &'a ResultsFile, scenario: &str) -> Vec<Series<'a>> {
    let mut series: Vec<Series> = Vec::new();
    for row in r.results.iter().filter(|x| x.key.scenario == scenario && x.key.param().is_some() && x.estimate() > 0.0) {
        match series.iter_mut().find(|s| s.host == row.key.host && s.runtime == row.key.runtime && s.api == row.key.api) {
            Some(s) => s.rows.push(row),
            None => {
                let nth = series.iter().filter(|s| s.host == row.key.host && s.runtime == row.key.runtime).count();
                series.push(Series { host: &row.key.host, runtime: &row.key.runtime, api: &row.key.api, nth, rows: vec![row] })
            }
        }
    }
    for s in &mut series {
        s.rows.sort_by_key(|x| x.key.param());
    }
    series
}

/// Panels: one per engine family in first-seen order; a family with more than
/// [`MAX_SERIES_PER_PANEL`] series is split by host, and a host's share still too large
/// into runs of whole engines.
fn plan_panels(series: &[Series]) -> Vec<Panel> {
    let mut families: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, s) in series.iter().enumerate() {
        let f = engine_family(s.runtime);
        match families.iter_mut().find(|x| x.0 == f) {
            Some(x) => x.1.push(i),
            None => families.push((f, vec![i])),
        }
    }
    let mut panels = Vec::new();
    for (family, members) in families {
        if members.len() <= MAX_SERIES_PER_PANEL {
            panels.push(Panel { title: family, series: members });
            continue;
        }
        let mut hosts: Vec<&str> = Vec::new();
        for &i in &members {
            if !hosts.contains(&series[i].host) {
                hosts.push(series[i].host);
            }
        }
        for host in hosts {
            let mine: Vec<usize> = members.iter().copied().filter(|&i| series[i].host == host).collect();
            let title = format!("{family} ({host} host)");
            // Whole engines into panels of at most MAX_SERIES_PER_PANEL series.
            let mut chunks: Vec<Vec<usize>> = vec![Vec::new()];
            let mut k = 0;
            while k < mine.len() {
                let runtime = series[mine[k]].runtime;
                let engine: Vec<usize> = mine[k..].iter().copied().take_while(|&i| series[i].runtime == runtime).collect();
                k += engine.len();
                let last = chunks.last_mut().unwrap();
                if !last.is_empty() && last.len() + engine.len() > MAX_SERIES_PER_PANEL {
                    chunks.push(engine);
                } else {
                    last.extend(engine);
                }
            }
            let parts = chunks.len();
            for (n, c) in chunks.into_iter().enumerate() {
                // One engine with more APIs than a panel holds: in pieces.
                for (m, piece) in c.chunks(MAX_SERIES_PER_PANEL).enumerate() {
                    let t = if parts > 1 || m > 0 { format!("{title} {}", n + m + 1) } else { title.clone() };
                    panels.push(Panel { title: t, series: piece.to_vec() });
                }
            }
        }
    }
    panels
}

fn draw_marker(area: &Area<'_>, (x, y): (i32, i32), marker: Marker, color: RGBColor, filled: bool) -> DrawResult {
    let style = if filled { color.filled() } else { color.stroke_width(2) };
    let r = 4;
    match marker {
        Marker::Circle => area.draw(&Circle::new((x, y), r, style))?,
        Marker::Square => area.draw(&Rectangle::new([(x - r, y - r), (x + r, y + r)], style))?,
        Marker::TriangleUp | Marker::Diamond | Marker::TriangleDown => {
            let pts = match marker {
                Marker::TriangleUp => vec![(x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)],
                Marker::TriangleDown => vec![(x, y + r + 1), (x + r + 1, y - r), (x - r - 1, y - r)],
                _ => vec![(x, y - r - 1), (x + r + 1, y), (x, y + r + 1), (x - r - 1, y)],
            };
            if filled {
                area.draw(&Polygon::new(pts, style))?
            } else {
                let mut closed = pts.clone();
                closed.push(pts[0]);
                area.draw(&PathElement::new(closed, style))?
            }
        }
    }
    Ok(())
}

/// A legend entry: a stretch of the line (dashed for a second API), the marker, the label.
fn legend_entry(area: &Area<'_>, (x, y): (i32, i32), s: &Series, label: &str) -> DrawResult {
    let st = engine_style(s.host, s.runtime);
    if s.nth == 0 {
        area.draw(&PathElement::new(vec![(x, y), (x + 34, y)], st.color.stroke_width(2)))?;
    } else {
        for dx in [0, 13, 26] {
            area.draw(&PathElement::new(vec![(x + dx, y), (x + dx + 8, y)], st.color.stroke_width(2)))?;
        }
    }
    draw_marker(area, (x + 17, y), st.marker, st.color, s.nth == 0)?;
    area.draw(&Text::new(label.to_string(), (x + 44, y), TextStyle::from((FONT, 14).into_font()).pos(Pos::new(HPos::Left, VPos::Center))))?;
    Ok(())
}

const PANEL_W: u32 = 600;
const PANEL_PLOT_H: u32 = 380;
const LEGEND_ROW: u32 = 19;

/// Cost against payload size on log-log axes: small multiples, one panel per engine family
/// (see [`plan_panels`]), two panels a row, every panel on the same axes.
pub fn scaling(r: &ResultsFile, _colors: &Colors, scenario: &str, title: &str, x_desc: &str) -> Option<Chart> {
    let series = payload_series(r, scenario);
    if series.is_empty() {
        return None;
    }
    let panels = plan_panels(&series);
    let xs = series.iter().flat_map(|s| s.rows.iter().map(|x| x.key.param().unwrap() as f64));
    let (xmin, xmax) = xs.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
    let ys = series.iter().flat_map(|s| s.rows.iter().flat_map(|x| [x.ns_per_op.ci_low, x.ns_per_op.ci_high, x.estimate()])).filter(|y| *y > 0.0);
    let (ymin, ymax) = ys.fold((f64::MAX, f64::MIN), |(a, b), y| (a.min(y), b.max(y)));
    let (ylo, yhi) = (ymin / 1.5, ymax * 1.5);
    let sizes: Vec<f64> = series.iter().flat_map(|s| s.rows.iter().map(|x| x.key.param().unwrap() as f64)).collect();
    let xticks = log_ticks(xmin / 1.4, xmax * 1.4, &sizes, false);
    let yticks = log_ticks(ylo, yhi, &[], true);
    // Legend rows under each panel, two entries a row; a row of panels takes its taller legend.
    let legend_rows = |p: &Panel| p.series.len().div_ceil(2) as u32;
    let cols = if panels.len() == 1 { 1 } else { 2 };
    let grid: Vec<&[Panel]> = panels.chunks(cols).collect();
    let row_heights: Vec<u32> = grid.iter().map(|row| PANEL_PLOT_H + 28 + LEGEND_ROW * row.iter().map(legend_rows).max().unwrap_or(0) + 14).collect();
    let top = 40u32;
    let height = top + row_heights.iter().sum::<u32>();
    let width = PANEL_W * cols as u32;
    let svg = svg(width, height, |root| {
        root.draw(&Text::new(title.to_string(), (width as i32 / 2, 18), TextStyle::from((FONT, 21).into_font()).pos(Pos::new(HPos::Center, VPos::Center))))?;
        let mut y0 = top as i32;
        for (row, h) in grid.iter().zip(&row_heights) {
            for (c, panel) in row.iter().enumerate() {
                let x0 = c as i32 * PANEL_W as i32;
                let area = root.clone().shrink((x0, y0), (PANEL_W, *h));
                let (plot_area, legend) = area.split_vertically(PANEL_PLOT_H + 28);
                let mut chart = ChartBuilder::on(&plot_area)
                    .caption(&panel.title, (FONT, 17))
                    .margin(8)
                    .margin_right(16)
                    .x_label_area_size(40)
                    .y_label_area_size(66)
                    .build_cartesian_2d(
                        (xmin / 1.4..xmax * 1.4).log_scale().with_key_points(xticks.0.clone()).with_light_points(xticks.1.clone()),
                        (ylo..yhi).log_scale().with_key_points(yticks.0.clone()).with_light_points(yticks.1.clone()),
                    )?;
                chart
                    .configure_mesh()
                    .x_desc(x_desc)
                    .y_desc("time per op (log)")
                    .x_label_formatter(&|x| size_label(*x))
                    .y_label_formatter(&|y| time_tick(*y))
                    .label_style((FONT, 13))
                    .axis_desc_style((FONT, 14))
                    .light_line_style(RGBColor(0xF2, 0xF2, 0xF2))
                    .draw()?;
                // Every other series faintly behind: where this family stands among the rest.
                for (_, s) in series.iter().enumerate().filter(|(i, _)| !panel.series.contains(i)) {
                    let pts: Vec<(f64, f64)> = s.rows.iter().map(|x| (x.key.param().unwrap() as f64, x.estimate())).collect();
                    chart.draw_series(LineSeries::new(pts, GHOST.stroke_width(1)))?;
                }
                for &i in &panel.series {
                    let s = &series[i];
                    let st = engine_style(s.host, s.runtime);
                    let pts: Vec<(f64, f64)> = s.rows.iter().map(|x| (x.key.param().unwrap() as f64, x.estimate())).collect();
                    let line = st.color.stroke_width(2);
                    if s.nth == 0 {
                        chart.draw_series(LineSeries::new(pts.clone(), line))?;
                    } else {
                        chart.draw_series(DashedLineSeries::new(pts.clone(), 7, 5, line))?;
                    }
                    chart.draw_series(s.rows.iter().map(|x| {
                        ErrorBar::new_vertical(x.key.param().unwrap() as f64, x.ns_per_op.ci_low.max(ylo), x.estimate(), x.ns_per_op.ci_high.min(yhi), st.color.stroke_width(1), 6)
                    }))?;
                    for p in &pts {
                        draw_marker(root, chart.backend_coord(p), st.marker, st.color, s.nth == 0)?;
                    }
                }
                // Host in the label only when the panel has both hosts.
                let both = panel.series.iter().any(|&i| series[i].host != series[panel.series[0]].host);
                for (k, &i) in panel.series.iter().enumerate() {
                    let s = &series[i];
                    let label = if both { format!("{} {} {}", s.host, s.runtime, s.api) } else { format!("{} {}", s.runtime, s.api) };
                    let at = (74 + (k % 2) as i32 * 262, 10 + (k / 2) as i32 * LEGEND_ROW as i32);
                    legend_entry(&legend, at, s, &label)?;
                }
            }
            y0 += *h as i32;
        }
        Ok(())
    });
    let notes = vec![format!(
        "{} series in {} panels (one per engine family, at most {MAX_SERIES_PER_PANEL} each), every panel on the same axes; grey: the other panels' series, for comparison.",
        series.len(),
        panels.len()
    )];
    Some(Chart { svg, notes })
}

/// The parts in the order every decomposition chart stacks and lists them.
const PART_ORDER: [&str; 7] = ["harness loop", "crossing", "arguments", "copy in", "copy out", "compute (guest)", "other"];

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

/// Stacked horizontal bars: where the time of one seed case goes, as the cost model splits
/// it, as shares of each row's measured total (totals that span decades would hide the
/// parts of the small ones); the total in a column right of the bars.
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
    Some(Chart { svg: stacks_per_host(&cases, title), notes })
}

/// One stacked-bar chart per host of `cases` (a bar per runtime and API), titled
/// `<host> host: <title>`.
fn stacks_per_host(cases: &[&CaseSplit], title: &str) -> String {
    let mut hosts: Vec<&str> = Vec::new();
    for c in cases {
        if !hosts.contains(&c.host.as_str()) {
            hosts.push(&c.host);
        }
    }
    let mut svgs = String::new();
    for host in hosts {
        let mine: Vec<Stack> = cases
            .iter()
            .filter(|c| c.host == host)
            .map(|c| Stack { label: format!("{} {}", c.runtime, c.api), total: c.total, parts: &c.parts })
            .collect();
        svgs.push_str(&stacked_bars(&mine, &format!("{host} host: {title}")));
    }
    svgs
}

/// Stacked horizontal bars of one of a scenario file's cases (`greet/bytes=16`): where its
/// time goes on each engine and call API, as `derived.own_cases` splits it (the crossing and
/// the arguments from the built-in guest, the module's own part the rest); a chart per host.
pub fn own_split(r: &ResultsFile, case: &str) -> Option<Chart> {
    let label = crate::analysis::case_of;
    // The case as own_cases names it, without its guest build (`greet/bytes=16 [guest custom]`).
    let case = case.split(" [guest ").next().unwrap_or(case);
    let cases: Vec<&CaseSplit> = r.derived.own_cases.iter().filter(|c| label(c) == case).collect();
    if cases.is_empty() {
        return None;
    }
    let mut notes = Vec::new();
    for c in cases.iter().filter(|c| c.overshoot > 0.0) {
        notes.push(format!(
            "{}: the crossing and arguments, measured on the built-in guest, add to {} more than the {} measured; drawn scaled to it",
            c.label(),
            ns(c.overshoot),
            ns(c.total)
        ));
    }
    Some(Chart { svg: stacks_per_host(&cases, &format!("where the time of {case} goes")), notes })
}

/// The parts drawn, in [`PART_ORDER`] (names it does not know after it).
fn part_names<'a>(stacks: &[Stack<'a>]) -> Vec<&'a str> {
    let mut names: Vec<&str> = Vec::new();
    for s in stacks {
        for p in s.parts.iter().filter(|p| p.shown > 0.0) {
            if !names.contains(&p.name.as_str()) {
                names.push(&p.name);
            }
        }
    }
    names.sort_by_key(|n| PART_ORDER.iter().position(|o| o == n).unwrap_or(PART_ORDER.len()));
    names
}

fn stacked_bars(stacks: &[Stack], title: &str) -> String {
    let names = part_names(stacks);
    let n = stacks.len() as i32;
    let legend_h = 30;
    let h = 110 + legend_h + BAR_ROW * stacks.len().max(3) as u32 + 6 * stacks.len() as u32;
    svg(1200, h, |root| {
        root.draw(&Text::new(title.to_string(), (600, 18), TextStyle::from((FONT, 20).into_font()).pos(Pos::new(HPos::Center, VPos::Center))))?;
        // The legend in a strip of its own under the title: never over a bar.
        let mut x = 290;
        let legend_text = TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        for name in &names {
            root.draw(&Rectangle::new([(x, 42), (x + 14, 56)], part_color(name).filled()))?;
            root.draw(&Text::new(name.to_string(), (x + 20, 49), legend_text.clone()))?;
            x += 30 + 8 * name.chars().count() as i32 + 10;
        }
        let (_, body) = root.split_vertically(40 + legend_h);
        let (w, _) = body.dim_in_pixel();
        let (plot, values) = body.split_horizontally(w - VALUE_COLUMN - 50);
        let mut chart = ChartBuilder::on(&plot)
            .margin(8)
            .margin_right(12)
            .x_label_area_size(44)
            .y_label_area_size(270)
            .build_cartesian_2d(0f64..100.0, slots(stacks.len()).into_segmented())?;
        let labels: Vec<String> = stacks.iter().rev().map(|s| s.label.clone()).collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(stacks.len())
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .x_labels(11)
            .x_label_formatter(&|x| format!("{x:.0}%"))
            .x_desc("share of the row's measured time (the parts add up to it)")
            .light_line_style(RGBColor(0xEE, 0xEE, 0xEE))
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 15))
            .draw()?;
        let y = |k: usize| n - 1 - k as i32;
        let share_text = |color: RGBColor| {
            // Dark text on light parts, white on dark ones.
            let lum = 0.299 * color.0 as f64 + 0.587 * color.1 as f64 + 0.114 * color.2 as f64;
            let c: &'static RGBColor = if lum > 140.0 { &BLACK } else { &WHITE };
            TextStyle::from((FONT, 13).into_font()).color(c).pos(Pos::new(HPos::Center, VPos::Center))
        };
        for (k, s) in stacks.iter().enumerate() {
            let total: f64 = s.parts.iter().map(|p| p.shown.max(0.0)).sum::<f64>().max(1e-12);
            let mut start = 0.0;
            for name in &names {
                let Some(p) = s.parts.iter().find(|p| p.name == *name) else { continue };
                let v = 100.0 * p.shown.max(0.0) / total;
                if v <= 0.0 {
                    continue;
                }
                let color = part_color(name);
                let mut r = Rectangle::new([(start, SegmentValue::Exact(y(k))), (start + v, SegmentValue::Exact(y(k) + 1))], color.filled());
                r.set_margin(4, 4, 0, 0);
                chart.plotting_area().draw(&r)?;
                // The share written inside the segments wide enough for it.
                if v >= 7.0 {
                    chart.plotting_area().draw(&Text::new(format!("{v:.0}%"), (start + v / 2.0, SegmentValue::CenterOf(y(k))), share_text(color)))?;
                }
                start += v;
            }
        }
        let style = TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        for (k, s) in stacks.iter().enumerate() {
            let (_, py) = chart.backend_coord(&(0.0, SegmentValue::CenterOf(y(k))));
            values.draw_text(&format!("{} measured", ns(s.total)), &style, (4, py - values.get_base_pixel().1))?;
        }
        Ok(())
    })
}

/// The stages of start-up, each its own chart: the scenarios it draws (plain path first,
/// then its mitigation, side by side per engine), its title and the mitigation's tag.
/// (plain scenario, (mitigation scenario, its tag), title).
type Stage = (&'static str, Option<(&'static str, &'static str)>, &'static str);

const STAGES: [Stage; 3] = [
    ("compile", Some(("deserialize", "AOT")), "compile; (AOT) = load a module compiled ahead of time (deserialize)"),
    ("instantiate", Some(("instantiate_pre", "pre")), "instantiate; (pre) = with the imports resolved once (InstancePre)"),
    ("first_call", None, "first call on a fresh instance"),
];

fn startup_bars(r: &ResultsFile, plain: &str, mitigation: Option<(&str, &str)>) -> Vec<Bar> {
    let mut engines: Vec<(&str, &str)> = Vec::new();
    for x in r.results.iter().filter(|x| x.key.scenario == plain || mitigation.is_some_and(|m| m.0 == x.key.scenario)) {
        if !engines.contains(&(x.key.host.as_str(), x.key.runtime.as_str())) {
            engines.push((&x.key.host, &x.key.runtime));
        }
    }
    let mut items = Vec::new();
    let mut band = false;
    for (host, runtime) in engines {
        band = !band;
        let mine = |scenario: &str| -> Vec<&ResultRow> {
            r.results.iter().filter(|x| x.key.host == host && x.key.runtime == runtime && x.key.scenario == scenario).collect()
        };
        let mut tagged: Vec<(&ResultRow, Option<&str>)> = mine(plain).into_iter().map(|x| (x, None)).collect();
        if let Some((s, tag)) = mitigation {
            tagged.extend(mine(s).into_iter().map(|x| (x, Some(tag))));
        }
        for (x, tag) in tagged {
            items.push(Bar {
                label: match tag {
                    Some(t) => format!("{host} {runtime} ({t})"),
                    None => format!("{host} {runtime}"),
                },
                value: x.estimate(),
                ci: Some((x.ns_per_op.ci_low, x.ns_per_op.ci_high)),
                color: engine_style(host, runtime).color,
                band,
            });
        }
    }
    items
}

/// Start-up per engine: compile, instantiate, first call, each in a chart of its own on its
/// own axis; each mitigation (deserialize, instantiate_pre) as a bar beside its plain path.
pub fn startup(r: &ResultsFile, _colors: &Colors) -> Option<Chart> {
    let mut svgs = String::new();
    let mut notes = Vec::new();
    for (plain, mitigation, title) in STAGES {
        let items = startup_bars(r, plain, mitigation);
        if items.is_empty() {
            continue;
        }
        svgs.push_str(&svg(1200, bars_height(items.len()), |root| bars(root, title, "time: mean, whisker = 95% CI", &items, 280)));
        notes.extend(clip_note(&items).map(|n| format!("{plain}: {n}")));
    }
    if svgs.is_empty() {
        return None;
    }
    Some(Chart { svg: svgs, notes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{RawRow, RowKey};

    fn row(host: &str, runtime: &str, api: &str, scenario: &str, param: Option<u64>, ns: f64) -> ResultRow {
        let mut params = crate::results::Params::new();
        if let Some(p) = param {
            params.insert("bytes".into(), p);
        }
        let key = RowKey::of(host, runtime, api, scenario, params, "o3");
        ResultRow::from_raw(RawRow::fixture(key, vec![ns * 0.99, ns, ns * 1.01, ns, ns * 1.02]))
    }

    /// The engines and APIs of a full run of both hosts (as in a default run's file).
    const FULL: &[(&str, &str, &[&str])] = &[
        ("rust", "wasmtime", &["view", "copy"]),
        ("rust", "wasmtime:winch", &["view", "copy"]),
        ("rust", "wasmtime:pulley", &["view", "copy"]),
        ("rust", "wasmtime:pooling", &["view", "copy"]),
        ("rust", "wasmtime:bounds", &["view", "copy"]),
        ("rust", "wasmer", &["view", "copy"]),
        ("rust", "wasmer:singlepass", &["view", "copy"]),
        ("rust", "wasmi", &["view", "copy"]),
        ("rust", "wasmi:eager", &["view", "copy"]),
        ("rust", "wasm3", &["view"]),
        ("rust", "tinywasm", &["copy"]),
        ("rust", "wasm2c", &["view"]),
        ("rust", "wasm2c:bounds", &["view"]),
        ("go", "wasm2go", &["view", "copy"]),
        ("go", "wasmer-capi", &["view", "copy"]),
        ("go", "wasmer-go", &["view", "copy"]),
        ("go", "wasmtime-capi", &["view", "copy"]),
        ("go", "wasmtime-go", &["view", "copy"]),
        ("go", "wazero:compiler", &["view", "copy"]),
        ("go", "wazero:interpreter", &["view", "copy"]),
    ];

    fn full_run() -> ResultsFile {
        let mut r = ResultsFile::new();
        for (k, (host, runtime, apis)) in FULL.iter().enumerate() {
            for api in *apis {
                for p in [16u64, 64, 1024, 65536, 1048576] {
                    r.results.push(row(host, runtime, api, "string_roundtrip", Some(p), 20.0 + k as f64 + p as f64 * 0.05));
                }
            }
            r.results.push(row(host, runtime, apis[0], "noop", None, 2.0 + 60.0 * k as f64));
            r.results.push(row(host, runtime, apis[0], "compile", None, 4e3 + 4e7 * k as f64));
            r.results.push(row(host, runtime, apis[0], "deserialize", None, 4e4));
        }
        r
    }

    #[test]
    fn a_full_run_payload_chart_has_no_crowded_panel() {
        let r = full_run();
        let series = payload_series(&r, "string_roundtrip");
        assert_eq!(series.len(), 36);
        let panels = plan_panels(&series);
        assert!(panels.len() >= 4, "{panels:?}");
        for p in &panels {
            assert!(p.series.len() <= MAX_SERIES_PER_PANEL, "{}: {} series", p.title, p.series.len());
            // In a panel, no two engines share both colour and marker.
            let mut styles: Vec<EngineStyle> = p.series.iter().map(|&i| engine_style(series[i].host, series[i].runtime)).collect();
            styles.dedup();
            let engines: Vec<&str> = p.series.iter().map(|&i| series[i].runtime).collect();
            let mut distinct = engines.clone();
            distinct.dedup();
            assert_eq!(styles.len(), distinct.len(), "{}: {engines:?}", p.title);
            let colors: Vec<RGBColor> = styles.iter().map(|s| s.color).collect();
            for (a, c) in colors.iter().enumerate() {
                assert!(!colors[a + 1..].contains(c), "{}: two engines in one colour", p.title);
            }
        }
        // Every series is drawn in colour in exactly one panel, and an engine's APIs stay together.
        let mut all: Vec<usize> = panels.iter().flat_map(|p| p.series.clone()).collect();
        all.sort();
        assert_eq!(all, (0..series.len()).collect::<Vec<_>>());
        for p in &panels {
            for &i in &p.series {
                assert!(panels.iter().filter(|q| q.series.iter().any(|&j| series[j].runtime == series[i].runtime && series[j].host == series[i].host)).count() == 1);
            }
        }
        // The drawn chart shows every panel's title.
        let chart = scaling(&r, &Colors, "string_roundtrip", "t", "bytes").unwrap();
        for p in &panels {
            assert!(chart.svg.contains(&p.title), "{}", p.title);
        }
    }

    #[test]
    fn an_engine_has_one_style_whatever_the_file() {
        let a = engine_style("rust", "wasmtime");
        assert_eq!(engine_style("rust", "wasmtime"), a);
        // Not the order of the file: the same in a file with only another engine first.
        assert_eq!(Colors::of(&ResultsFile::new()).get("rust", "wasmtime"), a.color);
        // The clash: rust wasmtime and go wazero:compiler shared a blue.
        assert_ne!(engine_style("go", "wazero:compiler").color, a.color);
        // Every known engine its own colour.
        let mut colors: Vec<RGBColor> = FULL.iter().map(|(h, rt, _)| engine_style(h, rt).color).collect();
        let n = colors.len();
        colors.sort_by_key(|c| (c.0, c.1, c.2));
        colors.dedup();
        assert_eq!(colors.len(), n, "two engines of a full run share a colour");
        // Unknown engines: stable too.
        assert_eq!(engine_style("rust", "mystery"), engine_style("rust", "mystery"));
        // The same colour in the crossing bars and the start-up bars as in the payload lines.
        let r = full_run();
        let noop = crossing_bars(&r, "go");
        let compile = startup_bars(&r, "compile", Some(("deserialize", "AOT")));
        for b in &noop {
            let runtime = b.label.split(' ').next().unwrap();
            let c = compile.iter().find(|c| c.label == format!("go {runtime}")).unwrap();
            assert_eq!(b.color, c.color, "{runtime}");
            assert_eq!(b.color, engine_style("go", runtime).color);
        }
    }

    #[test]
    fn values_spanning_decades_get_a_log_axis() {
        let r = full_run();
        let compile = startup_bars(&r, "compile", Some(("deserialize", "AOT")));
        let axis = bar_axis(&compile);
        assert_eq!(axis.scale, Scale::Log);
        // The smallest bar (4 µs) has length: the axis starts below it.
        assert!(axis.lo < 4e3 && axis.lo > 0.0, "{axis:?}");
        // The mitigation sits beside its plain path.
        assert_eq!(compile[0].label, "rust wasmtime");
        assert_eq!(compile[1].label, "rust wasmtime (AOT)");
        // Within a decade: linear, from zero.
        let near = [10.0, 20.0, 60.0].map(|v| Bar { label: String::new(), value: v, ci: Some((v * 0.9, v * 1.1)), color: BLACK, band: false });
        assert_eq!(bar_axis(&near).scale, Scale::Linear);
        assert_eq!(bar_axis(&near).lo, 0.0);
        assert_eq!(scale_for([1.0, 10.0]), Scale::Linear);
        assert_eq!(scale_for([1.0, 10.5]), Scale::Log);
        // The drawn SVG says so on the axis.
        let chart = startup(&r, &Colors).unwrap();
        assert!(chart.svg.contains("(log scale)"));
    }

    #[test]
    fn ticks_carry_their_unit_and_never_read_zero_ns() {
        assert_eq!(time_tick(0.0), "0");
        assert_eq!(time_tick(500.0), "500 ns");
        assert_eq!(time_tick(2500.0), "2.5 µs");
        assert_eq!(time_tick(1e7), "10 ms");
        assert_eq!(time_tick(0.5), "0.5 ns");
        // Log ticks: decades; 1-2-5 when few decades; the data's own values when none.
        assert_eq!(log_ticks(1.0, 1e4, &[], true).0, [1.0, 10.0, 100.0, 1000.0, 10000.0]);
        assert_eq!(log_ticks(15.0, 300.0, &[], true).0, [20.0, 50.0, 100.0, 200.0]);
        assert_eq!(log_ticks(11.0, 90.0, &[16.0, 64.0, 16.0], false).0, [16.0, 64.0]);
        let chart = crossing(&full_run(), &Colors).unwrap();
        assert!(!chart.svg.contains("0.00 ns"));
        assert!(!chart.svg.contains(">\nns per"), "an axis title naming one unit while the ticks change unit");
    }

    /// `(x, text)` of every `<text>` of an SVG.
    fn texts(svg: &str) -> Vec<(f64, String)> {
        svg.split("<text")
            .skip(1)
            .map(|t| {
                let x = t.split("x=\"").nth(1).and_then(|v| v.split('"').next()).and_then(|v| v.parse().ok()).unwrap_or(-1.0);
                let body = t.split_once('>').map(|b| b.1).unwrap_or("").split("</text>").next().unwrap_or("").trim().to_string();
                (x, body)
            })
            .collect()
    }

    #[test]
    fn a_scenario_files_cases_get_a_chart_each_and_the_built_in_ones_none() {
        let mut r = full_run();
        assert!(own_cases(&r).is_empty());
        for (k, (host, runtime, apis)) in FULL.iter().enumerate() {
            for api in *apis {
                for p in [16u64, 1024] {
                    r.results.push(row(host, runtime, api, "greet", Some(p), 100.0 + k as f64 + p as f64));
                }
            }
        }
        assert_eq!(own_cases(&r), ["greet/bytes=16", "greet/bytes=1024"]);
        let bars = own_case_bars(&r, "greet/bytes=1024");
        assert_eq!(bars.len(), FULL.iter().map(|(_, _, a)| a.len()).sum::<usize>());
        assert_eq!(bars[0].label, "rust wasmtime view");
        // Banded engine by engine: an engine's two APIs share a band, the next engine flips it.
        assert!(bars[0].band == bars[1].band && bars[1].band != bars[2].band);
        let chart = own_case(&r, "greet/bytes=1024").unwrap();
        assert!(chart.svg.contains("greet/bytes=1024"));
        assert!(own_case(&r, "greet/bytes=7").is_none());
    }

    #[test]
    fn a_scenario_files_case_gets_its_split_drawn_per_host_and_none_without_one() {
        let mut r = full_run();
        r.scenario_file = Some(crate::results::ScenarioFileRecord {
            path: "m.toml".into(),
            toml: "schema = 1\n[[scenario]]\nname = \"greet\"\nexport = \"greet\"\nparams = [\"i32\"]\nresults = [\"i32\"]\nargs = [1]\ncheck = \"unchecked\"\n".into(),
        });
        r.guest.variants = vec![crate::results::GuestVariant { name: "custom".into(), ..Default::default() }];
        let mut greet = row("rust", "wasmtime", "typed", "greet", None, 500.0);
        greet.key.guest_variant = "custom".into();
        r.results.push(greet);
        // The built-in guest's crossing reference on that engine and API.
        r.results.push(row("rust", "wasmtime", "typed", "noop", None, 20.0));
        r.results.push(row("rust", "wasmtime", "typed", "add", None, 23.0));
        r.rederive();
        assert_eq!(r.derived.own_cases.len(), 1, "{:#?}", r.derived.own_cases);
        // Named as own_cases names it, guest build and all.
        let chart = own_split(&r, "greet [guest custom]").unwrap();
        let t = texts(&chart.svg);
        assert!(t.iter().any(|(_, s)| s == "rust host: where the time of greet goes"), "{t:?}");
        assert!(t.iter().any(|(_, s)| s == "module") && t.iter().any(|(_, s)| s == "crossing"), "{t:?}");
        assert!(own_split(&r, "greet/bytes=16").is_none());
    }

    #[test]
    fn values_sit_right_of_the_plot() {
        // Every bar's value is written right of the plot area, where no whisker reaches.
        let r = full_run();
        let chart = crossing(&r, &Colors).unwrap();
        let first = chart.svg.split("</svg>").next().unwrap();
        let right = (1200 - VALUE_COLUMN) as f64;
        let column: Vec<String> = texts(first).into_iter().filter(|(x, _)| *x >= right).map(|t| t.1).collect();
        let expected: Vec<String> = crossing_bars(&r, "rust").iter().map(|b| ns(b.value)).collect();
        assert_eq!(column, expected);
        // ... and nowhere else.
        for (x, t) in texts(first) {
            assert!(x >= right || !expected.contains(&t), "{t} at x={x} inside the plot");
        }
    }
}
