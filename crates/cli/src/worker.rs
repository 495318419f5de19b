//! `interop-bench worker`: one runtime, events as JSON lines on stdout (docs/hosts.md).

use crate::cli::WorkerArgs;
use anyhow::{bail, Context, Result};
use interop_core::scenario::ScenarioList;
use interop_host::runtimes;
use std::io::Write;
use std::process::ExitCode;

/// Set by the orchestrator: the worker exits when its standard input closes, so that a
/// worker stuck in a guest that never returns dies with the run that started it.
pub const WATCH_STDIN: &str = "INTEROP_BENCH_WATCH_STDIN";

pub fn watch_parent() {
    if std::env::var_os(WATCH_STDIN).is_some() {
        std::thread::spawn(|| {
            use std::io::Read;
            let mut buf = [0u8; 64];
            let mut stdin = std::io::stdin();
            loop {
                match stdin.read(&mut buf) {
                    Ok(0) | Err(_) => std::process::exit(3),
                    Ok(_) => {}
                }
            }
        });
    }
}

pub fn worker(a: WorkerArgs) -> Result<ExitCode> {
    a.check()?;
    watch_parent();
    // Before any engine exists: the limit applies to every store it creates.
    interop_host::limits::set_max_memory_bytes(u64::from(a.max_memory_mib) << 20);
    let Some(runtime) = runtimes::find(&a.runtime) else {
        let names: Vec<String> = runtimes::all().iter().map(|r| r.info().runtime).collect();
        bail!("unknown runtime `{}` (this build has: {})", a.runtime, names.join(", "));
    };
    let list = ScenarioList::load(&a.scenarios_file)?;
    let list = if a.plugin_file.is_some() { list } else { list.select(&a.scenario)? };
    let wasm = std::fs::read(&a.guest).with_context(|| format!("cannot read the guest module {}", a.guest.display()))?;
    if let Some(out) = &a.counts_out {
        interop_host::counts::configure(out.clone())?;
    }
    let cfg = a.config();
    let stdout = std::io::stdout();
    let mut emit = |event: interop_core::results::Event| {
        let mut out = stdout.lock();
        let _ = serde_json::to_writer(&mut out, &event);
        let _ = out.write_all(b"\n");
        let _ = out.flush();
    };
    match &a.plugin_file {
        Some(p) => {
            let plugin = interop_core::plugin::LoadedPlugin::load(p)?;
            runtime.run_plugin(&wasm, &plugin, &a.scenario, &cfg, &mut emit)
        }
        None => runtime.run(&wasm, &list, &cfg, &mut emit),
    }
    Ok(ExitCode::SUCCESS)
}
