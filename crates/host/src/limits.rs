//! How much linear memory a guest instance may have. The worker sets it once, from
//! `--max-memory-mib`, before it creates an engine; engines with limits of their own
//! (wasmtime's `ResourceLimiter`, wasmi's `StoreLimits`) enforce it and fail the scenario
//! with a message naming the limit. The orchestrator also holds every worker process to
//! an OS limit (`RLIMIT_DATA`), which catches the engines without one.

use std::sync::atomic::{AtomicU64, Ordering};

/// The default: 1 GiB of linear memory per instance.
pub const DEFAULT_MAX_MEMORY_BYTES: u64 = 1 << 30;

static MAX_MEMORY_BYTES: AtomicU64 = AtomicU64::new(DEFAULT_MAX_MEMORY_BYTES);

pub fn set_max_memory_bytes(bytes: u64) {
    MAX_MEMORY_BYTES.store(bytes, Ordering::Relaxed);
}

pub fn max_memory_bytes() -> u64 {
    MAX_MEMORY_BYTES.load(Ordering::Relaxed)
}

/// Set by the orchestrator's capability probes (never in a measured run): engines that can
/// stop a guest that never returns from inside (wasmtime's epochs, wasmi's fuel) are
/// configured to, and stop it after about this many milliseconds. Unset: no interruption
/// is configured, so no engine pays for its checks in the timed loops.
pub const INTERRUPT_ENV: &str = "INTEROP_BENCH_INTERRUPT_MS";

/// The interruption the probes asked for, if any (a positive number of ms in [`INTERRUPT_ENV`]).
pub fn interrupt_after() -> Option<std::time::Duration> {
    let ms: f64 = std::env::var(INTERRUPT_ENV).ok()?.trim().parse().ok()?;
    (ms.is_finite() && ms > 0.0 && ms < 3_600_000.0).then(|| std::time::Duration::from_secs_f64(ms / 1e3))
}

/// The failure of a guest that asks for more memory than the limit.
pub fn over_limit(desired: usize) -> String {
    let max = max_memory_bytes();
    format!(
        "the guest grew its linear memory to {} MiB ({} pages), over the limit of {} MiB (--max-memory-mib)",
        desired >> 20,
        desired >> 16,
        max >> 20
    )
}

/// wasmtime's store data: a limiter that fails (traps) a memory growth over the limit
/// with [`over_limit`]'s message, instead of a bare -1 the guest may not check.
#[cfg(feature = "wasmtime")]
#[derive(Debug, Default, Clone, Copy)]
pub struct MemoryLimit;

#[cfg(feature = "wasmtime")]
impl wasmtime::ResourceLimiter for MemoryLimit {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired as u64 > max_memory_bytes() {
            return Err(wasmtime::format_err!("{}", over_limit(desired)));
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, _desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(true)
    }
}
