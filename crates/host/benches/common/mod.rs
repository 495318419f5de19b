//! What the paired benches (`wasm2c.rs`, `engines.rs`) share: the guest they run, the
//! tool's sampling and the pairs' file their environment asks for, and how they read
//! criterion's figure back.

use anyhow::{Context, Result};
use interop_host::measure::MeasureConfig;
use std::io::Write;
use std::path::Path;

/// The tool's sampling for its side of a pair, with its name: `MeasureConfig::QUICK` with
/// `INTEROP_PAIRED_QUICK` set (not empty, not 0), else the default run's.
pub fn paired_config() -> (MeasureConfig, &'static str) {
    let quick = std::env::var_os("INTEROP_PAIRED_QUICK").is_some_and(|v| !v.is_empty() && v != "0");
    if quick { (MeasureConfig::QUICK, "MeasureConfig::QUICK") } else { (MeasureConfig::DEFAULT, "MeasureConfig::DEFAULT") }
}

/// `$INTEROP_PAIRED_OUT`, created with its header line, when set: one TSV line a pair.
pub fn paired_out() -> Result<Option<std::fs::File>> {
    let Some(p) = std::env::var_os("INTEROP_PAIRED_OUT") else { return Ok(None) };
    let mut f = std::fs::File::create(&p).with_context(|| format!("INTEROP_PAIRED_OUT={}", p.to_string_lossy()))?;
    writeln!(f, "case\tapi\tround\ttool_ns\tcriterion_ns\tfirst")?;
    Ok(Some(f))
}

/// The built-in guest, or the module at `$INTEROP_GUEST`.
pub fn guest() -> Vec<u8> {
    match std::env::var_os("INTEROP_GUEST") {
        Some(p) => std::fs::read(&p).unwrap_or_else(|e| panic!("INTEROP_GUEST={}: {e}", p.to_string_lossy())),
        None => interop_guest_build::GUEST_WASM.to_vec(),
    }
}

/// Criterion's mean (ns per iteration) of a finished benchmark whose folder under
/// `CRITERION_HOME` is `dir`, from its `new/estimates.json`.
pub fn criterion_mean(dir: &Path) -> Result<f64> {
    let p = dir.join("new").join("estimates.json");
    let text = std::fs::read_to_string(&p)
        .with_context(|| format!("criterion left no estimate at {} (a filter argument that skips it?)", p.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("{}", p.display()))?;
    v["mean"]["point_estimate"].as_f64().with_context(|| format!("{}: no mean.point_estimate", p.display()))
}

pub fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}
