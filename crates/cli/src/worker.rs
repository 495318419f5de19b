//! `interop-bench worker`: one runtime, events as JSON lines on stdout (docs/hosts.md).

use crate::cli::WorkerArgs;
use anyhow::{bail, Context, Result};
use interop_core::scenario::ScenarioList;
use interop_host::measure::MeasureConfig;
use interop_host::runtimes;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

pub fn worker(a: WorkerArgs) -> Result<ExitCode> {
    let Some(runtime) = runtimes::find(&a.runtime) else {
        let names: Vec<String> = runtimes::all().iter().map(|r| r.info().runtime).collect();
        bail!("unknown runtime `{}` (this build has: {})", a.runtime, names.join(", "));
    };
    let list = ScenarioList::load(&a.scenarios_file)?.select(&a.scenario)?;
    let wasm = std::fs::read(&a.guest).with_context(|| format!("cannot read the guest module {}", a.guest.display()))?;
    let cfg = MeasureConfig {
        warmup: Duration::from_secs_f64(a.warmup_ms / 1e3),
        target_sample: Duration::from_secs_f64(a.target_sample_ms / 1e3),
        samples: a.samples,
    };
    let stdout = std::io::stdout();
    runtime.run(&wasm, &list, &cfg, &mut |event| {
        let mut out = stdout.lock();
        let _ = serde_json::to_writer(&mut out, &event);
        let _ = out.write_all(b"\n");
        let _ = out.flush();
    });
    Ok(ExitCode::SUCCESS)
}
