//! The timed loop: warm up, calibrate iterations per sample, take samples.
//! Hosts in other languages implement the same steps (docs/hosts.md).

use anyhow::Result;
use std::time::{Duration, Instant};

/// Even an operation longer than a sample is timed several to a sample.
pub const MIN_ITERS: u64 = 4;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeasureConfig {
    pub warmup: Duration,
    pub target_sample: Duration,
    pub samples: usize,
    /// `run --counts`: count instructions under callgrind instead of timing (crate::counts).
    pub count: Option<crate::counts::CountSpec>,
}

impl MeasureConfig {
    /// Thorough: about 0.7 s a row.
    pub const DEFAULT: MeasureConfig =
        MeasureConfig { warmup: Duration::from_millis(100), target_sample: Duration::from_millis(20), samples: 30, count: None };
    /// Seconds for the whole suite: for smoke tests and CI, not for conclusions.
    pub const QUICK: MeasureConfig =
        MeasureConfig { warmup: Duration::from_millis(2), target_sample: Duration::from_micros(500), samples: 5, count: None };
}

#[derive(Debug, Clone, PartialEq)]
pub struct Samples {
    pub iters_per_sample: u64,
    pub ns_per_op: Vec<f64>,
    /// Instruction counts instead of samples (`run --counts`).
    pub counted: Option<crate::counts::Counted>,
}

/// Measures `run(iters)`, which performs `iters` operations (checking each) and returns
/// the time they took. The loop around the operations is the caller's, so that setup
/// done per operation or per sample (if any) stays out of the timed region.
///
/// Calibration uses the wall-clock time of `run`, untimed setup included, so a scenario
/// whose setup dwarfs the timed part (a first call on a fresh instance) still takes
/// about `target_sample` a sample.
///
/// With `cfg.count` the same loop is counted in instructions instead (crate::counts).
pub fn measure(cfg: &MeasureConfig, mut run: impl FnMut(u64) -> Result<Duration>) -> Result<Samples> {
    if let Some(spec) = &cfg.count {
        let c = crate::counts::count_loop(spec, "row", &mut run)?;
        return Ok(Samples { iters_per_sample: c.n1, ns_per_op: Vec::new(), counted: Some(c) });
    }
    // Warm-up.
    let start = Instant::now();
    let mut iters = 1u64;
    while start.elapsed() < cfg.warmup {
        run(iters)?;
        iters = (iters * 2).min(1 << 20);
    }
    // Calibration: grow until a loop takes a quarter of the target, then scale
    // (never below MIN_ITERS operations a sample).
    let wall = |run: &mut dyn FnMut(u64) -> Result<Duration>, iters: u64| -> Result<Duration> {
        let t = Instant::now();
        run(iters)?;
        Ok(t.elapsed())
    };
    let quarter = cfg.target_sample / 4;
    let mut iters = 1u64;
    let mut took = wall(&mut run, iters)?;
    while took < quarter && iters < (1 << 40) {
        iters *= 2;
        took = wall(&mut run, iters)?;
    }
    let per_op = took.as_nanos() as f64 / iters as f64;
    let iters = ((cfg.target_sample.as_nanos() as f64 / per_op.max(1e-3)).round() as u64).max(MIN_ITERS);
    let mut ns_per_op = Vec::with_capacity(cfg.samples);
    for _ in 0..cfg.samples {
        let t = run(iters)?;
        ns_per_op.push(t.as_nanos() as f64 / iters as f64);
    }
    Ok(Samples { iters_per_sample: iters, ns_per_op, counted: None })
}

/// Times `iters` runs of `op`, stopping at the first error.
#[inline(always)]
pub fn time_loop(iters: u64, mut op: impl FnMut(u64) -> Result<()>) -> Result<Duration> {
    let t = Instant::now();
    for i in 0..iters {
        op(i)?;
    }
    Ok(t.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibrates_many_ops_per_sample_and_takes_every_sample() {
        let cfg = MeasureConfig { warmup: Duration::ZERO, target_sample: Duration::from_micros(200), samples: 7, count: None };
        let mut calls = 0u64;
        let s = measure(&cfg, |iters| {
            time_loop(iters, |i| {
                calls += 1;
                std::hint::black_box(i);
                Ok(())
            })
        })
        .unwrap();
        assert_eq!(s.ns_per_op.len(), 7);
        assert!(s.iters_per_sample > 1, "a trivial op must be timed many at a time");
        assert!(calls >= 7 * s.iters_per_sample);
    }

    #[test]
    fn untimed_setup_counts_toward_the_sample_length() {
        // Each op sleeps 200 µs untimed and reports 1 ns timed: iterations must follow the
        // wall clock (about 5 a 1 ms sample), not the timed nanosecond (a million).
        let cfg = MeasureConfig { warmup: Duration::ZERO, target_sample: Duration::from_millis(1), samples: 2, count: None };
        let s = measure(&cfg, |iters| {
            for _ in 0..iters {
                std::thread::sleep(Duration::from_micros(200));
            }
            Ok(Duration::from_nanos(iters))
        })
        .unwrap();
        assert!((MIN_ITERS..=10).contains(&s.iters_per_sample), "{s:?}");
        assert_eq!(s.ns_per_op, vec![1.0, 1.0]);
    }

    #[test]
    fn an_error_stops_the_measurement() {
        let cfg = MeasureConfig::QUICK;
        let err = measure(&cfg, |iters| time_loop(iters, |i| if i == 3 { anyhow::bail!("wrong sum") } else { Ok(()) }))
            .unwrap_err();
        assert!(err.to_string().contains("wrong sum"));
    }
}
