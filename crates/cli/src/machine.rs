//! What the run ran on.

use interop_core::results::Machine;
use std::process::Command;

/// The machine and its host toolchains. The Go toolchain is recorded whenever one is on
/// the PATH, whether or not this run uses the Go host: the fingerprint describes the
/// machine, so a Rust-only shard and a Go shard of one CI runner merge as one machine.
pub fn describe() -> Machine {
    let (cpu_model, cores) = match sysinfo::System::new() {
        Ok(mut sys) => {
            sys.refresh_cpu_all();
            let model = sys.cpus().first().map(|c| c.brand().trim().to_string()).unwrap_or_default();
            (model, sys.cpus().len())
        }
        Err(_) => (String::from("unknown"), std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)),
    };
    let os = format!(
        "{} {} (kernel {}, {})",
        sysinfo::System::name().unwrap_or_default(),
        sysinfo::System::os_version().unwrap_or_default(),
        sysinfo::System::kernel_version().unwrap_or_default(),
        std::env::consts::ARCH
    );
    let mut toolchains = std::collections::BTreeMap::new();
    toolchains.insert("rustc".to_string(), interop_host::RUSTC.to_string());
    if let Some(v) = go_version() {
        toolchains.insert("go".to_string(), v);
    }
    let mut m = Machine { cpu_model, cores, os, toolchains, fingerprint: String::new() };
    m.ensure_fingerprint();
    m
}

pub fn go_version() -> Option<String> {
    let out = Command::new("go").arg("version").output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}
