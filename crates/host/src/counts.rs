//! Instruction counts under callgrind (`interop-bench run --counts`, docs/counts.md).
//!
//! The orchestrator starts this worker under `valgrind --tool=callgrind --instr-atstart=no
//! --callgrind-out-file=BASE`; [`configure`] is told BASE. Each counted region is
//! instrumented from zero ([`count`]: START_INSTRUMENTATION, ZERO_STATS, the loop,
//! DUMP_STATS_AT, STOP_INSTRUMENTATION), and callgrind writes its counts synchronously to
//! `BASE.<k>` (the k-th dump of the process), which is read back here at once. Outside the
//! counted regions nothing is instrumented, so start-up runs at valgrind's plain speed.

use anyhow::{bail, Context, Result};
use std::ffi::CString;
use std::os::raw::{c_char, c_int, c_uint};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

extern "C" {
    fn interop_cg_available() -> c_int;
    fn interop_cg_running() -> c_uint;
    fn interop_cg_begin();
    fn interop_cg_end(label: *const c_char);
}

static OUT: OnceLock<PathBuf> = OnceLock::new();
static DUMPS: AtomicU64 = AtomicU64::new(0);

/// How to count a row: instructions of work wanted between the two loops, repeats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CountSpec {
    pub work: u64,
    pub repeats: u32,
}

/// The counts of one row: loop lengths and instructions per op of each repeat.
#[derive(Debug, Clone, PartialEq)]
pub struct Counted {
    pub n1: u64,
    pub n2: u64,
    pub per_op: Vec<f64>,
}

/// Checks that this process can count (valgrind's headers at build time, running under
/// callgrind) and remembers where callgrind writes its dumps.
pub fn configure(out: PathBuf) -> Result<()> {
    // SAFETY: plain C functions without arguments (csrc/callgrind.c).
    if unsafe { interop_cg_available() } == 0 {
        bail!(
            "this interop-bench was built without valgrind's headers (valgrind/callgrind.h), so it cannot count: \
             run scripts/install-deps.sh (it installs valgrind) and rebuild"
        );
    }
    if unsafe { interop_cg_running() } == 0 {
        bail!("--counts-out: this worker is not running under valgrind (interop-bench run --counts starts it under callgrind)");
    }
    let _ = OUT.set(out);
    Ok(())
}

pub fn configured() -> bool {
    OUT.get().is_some()
}

/// The `totals:` (or `summary:`) line of a callgrind dump: instructions executed.
pub fn parse_total(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("totals:")).or_else(|| text.lines().find(|l| l.starts_with("summary:")))?;
    line.split_once(':')?.1.split_whitespace().next()?.parse().ok()
}

/// Instructions executed by every thread of this process while `f` runs (the dump's total).
pub fn count<T>(label: &str, f: impl FnOnce() -> Result<T>) -> Result<(u64, T)> {
    let base = OUT.get().context("counting without --counts-out")?;
    let c_label = CString::new(label.replace('\0', " ")).expect("no NUL");
    // SAFETY: client requests; a no-op outside valgrind.
    unsafe { interop_cg_begin() };
    let r = f();
    unsafe { interop_cg_end(c_label.as_ptr()) };
    let k = DUMPS.fetch_add(1, Ordering::SeqCst) + 1;
    let v = r?;
    let path = PathBuf::from(format!("{}.{k}", base.display()));
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read callgrind's dump {}", path.display()))?;
    let total = parse_total(&text).with_context(|| format!("callgrind's dump {} has no totals line", path.display()))?;
    // Dumps are read once; the run's work folder is removed at the end anyway.
    let _ = std::fs::remove_file(&path);
    Ok((total, v))
}

/// Loop length of the calibration probe.
const PROBE: u64 = 16;

/// Counts `run(n)` (n operations, each checking its result) by the two-count difference:
/// a warm-up, a probe that sets n1 so that the work between n1 and n2 = 5·n1 is about
/// `spec.work` instructions, then `repeats` pairs.
pub fn count_loop<R>(spec: &CountSpec, label: &str, mut run: impl FnMut(u64) -> Result<R>) -> Result<Counted> {
    // One op first: an op that is itself a large share of the work (a 1 MiB string through
    // an interpreter, ~30 M instructions) is probed and counted in ones, not sixteens, or a
    // row runs for minutes under callgrind.
    run(1)?;
    let (one, _) = count(&format!("{label} probe 1"), || run(1))?;
    let (per, least) = if one.saturating_mul(PROBE) >= spec.work {
        (one as f64, 1)
    } else {
        run(PROBE)?;
        let (probe, _) = count(&format!("{label} probe"), || run(PROBE))?;
        (probe as f64 / PROBE as f64, 4)
    };
    let per = per.max(1.0);
    let n1 = ((spec.work as f64 / per / 4.0).ceil() as u64).clamp(least, 1 << 32);
    let n2 = 5 * n1;
    run(n1)?;
    let mut per_op = Vec::with_capacity(spec.repeats as usize);
    for rep in 0..spec.repeats.max(1) {
        let (a, _) = count(&format!("{label} n1={n1} rep={rep}"), || run(n1))?;
        let (b, _) = count(&format!("{label} n2={n2} rep={rep}"), || run(n2))?;
        per_op.push((b as f64 - a as f64) / (n2 - n1) as f64);
    }
    Ok(Counted { n1, n2, per_op })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_total_of_a_dump() {
        let dump = "version: 1\ncmd:  ./t\npart: 1\ndesc: Trigger: Client Request: n1\nevents: Ir\nsummary: 6019\ntotals: 6019\n";
        assert_eq!(parse_total(dump), Some(6019));
        assert_eq!(parse_total("summary: 12\n"), Some(12));
        assert_eq!(parse_total("events: Ir\n"), None);
    }

    #[test]
    fn counting_outside_valgrind_is_refused_with_the_reason() {
        let e = configure(PathBuf::from("/nonexistent")).unwrap_err().to_string();
        assert!(e.contains("valgrind"), "{e}");
    }
}
