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
