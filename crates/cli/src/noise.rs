//! This machine's run-to-run noise, measured by `run` itself: the Rust host's native
//! reference rows (interop_core::noise::REFERENCE_SCENARIOS) at the start of the run and
//! again at its end, with the run's own sampling settings. `compare --fail-above` allows
//! for how far they moved (interop_core::noise).

use interop_core::results::{Event, RawRow};
use interop_host::measure::MeasureConfig;
use std::path::Path;
use std::process::{Command, Stdio};

/// The per-row time cap of a reference row (when the run's own is longer).
pub const REFERENCE_MAX_ROW: std::time::Duration = std::time::Duration::from_millis(200);

/// Measures the reference rows once in a worker of this executable; `Err` says why not
/// (the run goes on without a noise record).
pub fn reference_rows(guest: &Path, scenarios_file: &Path, cfg: &MeasureConfig, max_memory_mib: u32) -> Result<Vec<RawRow>, String> {
    // The run's settings, with at most REFERENCE_MAX_ROW a row: they come before the first
    // row of the run.
    let cfg = &MeasureConfig { max_row: cfg.max_row.min(REFERENCE_MAX_ROW), ..*cfg };
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the interop-bench executable: {e}"))?;
    let mut cmd = Command::new(exe);
    cmd.args(["worker", "--runtime", "native", "--guest"])
        .arg(guest)
        .arg("--scenarios-file")
        .arg(scenarios_file)
        .args(crate::orchestrate::measure_args(cfg, max_memory_mib));
    for s in interop_core::noise::REFERENCE_SCENARIOS {
        cmd.args(["--scenario", s]);
    }
    crate::guard::worker_command(&mut cmd, max_memory_mib);
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot start the reference rows' worker: {e}"))?;
    let rows: Vec<RawRow> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| match serde_json::from_str::<Event>(l) {
            Ok(Event::Row(r)) => Some(r),
            _ => None,
        })
        .collect();
    if rows.is_empty() {
        return Err(format!(
            "the reference rows measured nothing ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("")
        ));
    }
    Ok(rows)
}

/// Says so when a test-only knob is set: the slow-scenario one (such a run is slowed on
/// purpose) or the one that measures every allocating Go row again.
pub fn warn_test_knob() {
    let env = interop_host::measure::test_knob::ENV;
    if let Some(v) = std::env::var_os(env) {
        eprintln!(
            "interop-bench: {env}={} is set: those scenarios are slowed on purpose (a test-only knob); unset it for a measurement",
            v.to_string_lossy()
        );
    }
    let env = crate::orchestrate::REMEASURE_ENV;
    if std::env::var_os(env).is_some_and(|v| v == "1") {
        eprintln!("interop-bench: {env}=1 is set: every Go row whose calls allocate is measured again in each later process (a test-only knob); unset it for a measurement");
    }
}
