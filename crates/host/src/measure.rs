//! The timed loop: warm up, calibrate iterations per sample, take samples.
//! Hosts in other languages implement the same steps (docs/hosts.md).

use anyhow::Result;
use std::time::{Duration, Instant};

/// Adaptive sampling never takes more samples than this a row, whatever the time cap.
pub const MAX_SAMPLES: usize = 100_000;
/// Warm-up ends when two consecutive warm-up loops of the same length agree within this
/// fraction per operation (or when `warmup` has passed).
pub const WARM_AGREE: f64 = 0.05;
/// Confidence of the interval the precision target is checked on.
pub const CONFIDENCE: f64 = 0.95;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeasureConfig {
    /// The longest warm-up: it ends earlier, once the engine is warm (see [`measure`]).
    pub warmup: Duration,
    pub target_sample: Duration,
    /// With a precision target: the minimum number of samples; without: the number.
    pub samples: usize,
    /// Adaptive sampling: sample until the 95% interval of the mean is within this
    /// fraction of the mean (0.01: ±1%); 0: exactly `samples` samples.
    pub precision: f64,
    /// Adaptive sampling: a row stops sampling after this long even if the target is not
    /// reached (never before `samples` samples). A fixed count (`--quick`) with a bound:
    /// a row whose samples have taken this long stops after two (a translated engine's
    /// 0.5 s compile is not run five times in a smoke run); zero: exactly `samples`.
    pub max_row: Duration,
    /// `run --counts`: count instructions under callgrind instead of timing (crate::counts).
    pub count: Option<crate::counts::CountSpec>,
    /// With a precision target: the rule reads only the samples taken in the machine's fast
    /// state (`interop_core::stats::machine_state`), and the row records the readings and the
    /// fast state that let its statistics set the others aside. Off: every sample counts.
    pub fast_state: bool,
    /// The worker processes the row is measured in (`run --processes`): 1, or, after
    /// [`MeasureConfig::per_process`], the `n` whose share this is. An engine that times a
    /// row of a few operations of seconds itself (wasm2c's compile) splits its fixed count
    /// by it.
    pub processes: usize,
}

impl MeasureConfig {
    /// Thorough: each row until its mean is known to ±1%, 10 to as many 2.5 ms samples as
    /// fit in half a second. (5 ms until the afternoon of 2026-11-29, 10 before that: most
    /// rows reach the target within a few samples, so the sample's length sets their time;
    /// three back-to-back default runs each way, interleaved: 273-290 s against 345-351 s,
    /// and a 5% gate between them failed on 0-1 rows a pair either way.)
    pub const DEFAULT: MeasureConfig = MeasureConfig {
        warmup: Duration::from_millis(100),
        target_sample: Duration::from_micros(2500),
        samples: 10,
        precision: 0.01,
        max_row: Duration::from_millis(500),
        count: None,
        fast_state: true,
        processes: 1,
    };
    /// Seconds for the whole suite: for smoke tests and CI, not for conclusions.
    pub const QUICK: MeasureConfig = MeasureConfig {
        warmup: Duration::from_millis(2),
        target_sample: Duration::from_micros(500),
        samples: 5,
        precision: 0.0,
        max_row: Duration::from_millis(50),
        count: None,
        fast_state: false,
        processes: 1,
    };

    /// A fixed number of samples, no precision target.
    pub const fn fixed(warmup: Duration, target_sample: Duration, samples: usize) -> MeasureConfig {
        MeasureConfig { warmup, target_sample, samples, precision: 0.0, max_row: Duration::ZERO, count: None, fast_state: false, processes: 1 }
    }

    pub fn adaptive(&self) -> bool {
        self.precision > 0.0
    }

    /// One of `n` worker processes' share of a row (`run --processes`): the samples of the
    /// `n` processes pool to what one process would take, so each takes `1/n` of the
    /// minimum (at least 2) and of the time cap, and samples to a target `sqrt(n)` times
    /// looser (`n` processes at that target pool to this one's). The warm-up is each's own.
    pub fn per_process(&self, n: usize) -> MeasureConfig {
        let n = n.max(1);
        MeasureConfig {
            samples: share(self.samples, n),
            precision: self.precision * (n as f64).sqrt(),
            max_row: self.max_row / n as u32,
            processes: n,
            ..*self
        }
    }

    /// Of a row of at most `whole` operations that an engine times itself (each a sample),
    /// this process's share, split as [`MeasureConfig::per_process`] splits a minimum:
    /// `1/n` of `whole`, at least two (each process has a spread of its own), never more
    /// than `whole`, nor than the samples asked for.
    pub fn self_timed_samples(&self, whole: usize) -> usize {
        self.samples.clamp(1, share(whole, self.processes).max(1))
    }

    /// A fixed count with a bound (`--quick`): after `n` samples that took `sampled`, the
    /// row has its two and is past the bound, so it stops short of `samples`.
    pub fn bound_reached(&self, n: usize, sampled: Duration) -> bool {
        !self.adaptive() && n >= 2 && !self.max_row.is_zero() && sampled >= self.max_row
    }
}

/// One of `n` processes' share of a count of samples: `1/n` of it, at least two (each
/// process has a spread of its own), never more than the count.
fn share(count: usize, n: usize) -> usize {
    count.div_ceil(n.max(1)).max(2).min(count)
}

/// What ended a row's sampling (written in the row as `stop`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Precision,
    TimeCap,
    SampleCap,
    Projected,
    Fixed,
}

impl Stop {
    pub fn as_str(self) -> &'static str {
        use interop_core::results::stop;
        match self {
            Stop::Precision => stop::PRECISION,
            Stop::TimeCap => stop::TIME_CAP,
            Stop::SampleCap => stop::SAMPLE_CAP,
            Stop::Projected => stop::PROJECTED,
            Stop::Fixed => stop::FIXED,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Samples {
    pub iters_per_sample: u64,
    pub ns_per_op: Vec<f64>,
    /// Other measurements of the row (e.g. a translated engine's build: peak memory, size).
    pub metrics: std::collections::BTreeMap<String, f64>,
    pub stop: Stop,
    /// Instruction counts instead of samples (`run --counts`).
    pub counted: Option<crate::counts::Counted>,
    /// With a precision target: [`machine_ref_ns`] just before the samples, the first and
    /// the last decile of the short readings between them, and [`machine_ref_ns`] just after.
    pub machine_ref_ns: Vec<f64>,
    /// With a precision target: the short reading of the reference loop just after each
    /// sample (`RawRow::sample_machine_ns`).
    pub sample_machine_ns: Vec<f64>,
    /// With a precision target: this process's fastest reading when the row ended
    /// (`RawRow::machine_fast_ns`).
    pub machine_fast_ns: Option<f64>,
}

/// Measures `run(iters)`, which performs `iters` operations (checking each) and returns
/// the time they took. The loop around the operations is the caller's, so that setup
/// done per operation or per sample (if any) stays out of the timed region.
///
/// 1. Warm-up: loops doubling in length until one takes an eighth of a sample, then loops
///    of that length until two in a row agree per operation within [`WARM_AGREE`]; never
///    longer than `warmup`.
/// 2. Calibration uses the wall-clock time of `run`, untimed setup included, so a scenario
///    whose setup dwarfs the timed part (a first call on a fresh instance) still takes
///    about `target_sample` a sample.
/// 3. Samples, back to back: `samples` of them, or, with a precision target, at least
///    `samples` and then until the mean's 95% interval is within the target or
///    `max_row` has passed, or, from a quarter of `max_row` on, until the interval is
///    projected to miss the target at `max_row` by far (`stop::projected_out_of_reach`).
///
/// With `cfg.count` the same loop is counted in instructions instead (crate::counts).
pub fn measure(cfg: &MeasureConfig, mut run: impl FnMut(u64) -> Result<Duration>) -> Result<Samples> {
    let wall = |run: &mut dyn FnMut(u64) -> Result<Duration>, iters: u64| -> Result<(Duration, Duration)> {
        let t = Instant::now();
        let timed = run(iters)?;
        Ok((t.elapsed(), timed))
    };
    if let Some(spec) = &cfg.count {
        let c = crate::counts::count_loop(spec, "row", &mut run)?;
        return Ok(Samples {
            iters_per_sample: c.n1,
            ns_per_op: Vec::new(),
            metrics: Default::default(),
            stop: Stop::Fixed,
            counted: Some(c),
            machine_ref_ns: Vec::new(),
            sample_machine_ns: Vec::new(),
            machine_fast_ns: None,
        });
    }
    // Warm-up, until warm or the bound.
    let start = Instant::now();
    let mut iters = 1u64;
    let mut previous: Option<f64> = None;
    // The warm-up's last loop, (operations, wall time): calibration starts from it.
    let mut last: Option<(u64, Duration)> = None;
    while start.elapsed() < cfg.warmup {
        let (took, timed) = wall(&mut run, iters)?;
        last = Some((iters, took));
        if took < cfg.target_sample / 8 && iters < (1 << 40) {
            iters *= 2;
            continue;
        }
        let per_op = timed.as_nanos() as f64 / iters as f64;
        if previous.is_some_and(|p| p > 0.0 && (per_op / p - 1.0).abs() <= WARM_AGREE) {
            break;
        }
        previous = Some(per_op);
    }
    // Calibration: grow until a loop takes a quarter of the target, then scale (an
    // operation longer than a sample is timed one a sample: until 2026-11-29 four, with a
    // precision target, so that its ten samples took 40 operations: 2.9 s for a 1 MiB
    // string through wazero's interpreter, 0.7 s now). A warm-up loop that already took a
    // quarter is that loop (an operation longer than a sample, a translated engine's build
    // or a 1 MiB string through an interpreter, is not run once more just to be timed).
    let quarter = cfg.target_sample / 4;
    let (mut iters, mut took) = match last {
        Some((n, took)) if took >= quarter => (n, took),
        _ => {
            let n = (iters / 2).max(1);
            (n, wall(&mut run, n)?.0)
        }
    };
    while took < quarter && iters < (1 << 40) {
        iters *= 2;
        took = wall(&mut run, iters)?.0;
    }
    let per_op = took.as_nanos() as f64 / iters as f64;
    let iters = ((cfg.target_sample.as_nanos() as f64 / per_op.max(1e-3)).round() as u64).max(1);
    let min = cfg.samples.max(1);
    let mut ns_per_op = Vec::with_capacity(min);
    let mut machine = Vec::new();
    if cfg.adaptive() {
        machine.push(machine_ref_ns());
    }
    // With a precision target the rule reads the samples taken in the machine's fast state
    // (interop_core::stats::machine_state): every sample while the machine stays fast.
    let mut fast = FastSamples::new(machine.first().copied().unwrap_or(f64::NAN), cfg.fast_state);
    let sampling = Instant::now();
    let mut between = Vec::new();
    let stop = loop {
        let t = run(iters)?;
        if cfg.adaptive() {
            // The machine between samples too: its speed can switch in the middle of a row.
            machine_pass_ns(1); // the sample left the reference's data out of the caches
            between.push(machine_pass_ns(BETWEEN_PASSES));
        }
        let x = t.as_nanos() as f64 / iters as f64;
        ns_per_op.push(x);
        let n = ns_per_op.len();
        if n < min {
            if cfg.adaptive() {
                fast.update(&ns_per_op, &between);
            }
            if cfg.bound_reached(n, sampling.elapsed()) {
                break Stop::TimeCap;
            }
            continue;
        }
        if !cfg.adaptive() {
            break Stop::Fixed;
        }
        fast.update(&ns_per_op, &between);
        let elapsed = sampling.elapsed();
        let (e, cap) = (elapsed.as_secs_f64(), cfg.max_row.as_secs_f64());
        // The interval, once enough samples count (with fast_state: taken in the fast state).
        let enough = fast.kept.len() >= if cfg.fast_state { min.max(interop_core::stats::machine_state::MIN_KEPT) } else { min };
        let half_width = enough.then(|| fast.kept.relative_half_width(CONFIDENCE));
        if half_width.is_some_and(|hw| hw <= cfg.precision) {
            break Stop::Precision;
        }
        if elapsed >= cfg.max_row {
            break Stop::TimeCap;
        }
        let out_of_reach = match half_width {
            Some(hw) => interop_core::results::stop::projected_out_of_reach(e, cap, hw, cfg.precision),
            // Too few samples in the fast state yet: wait for it, but not past a quarter of
            // the cap when at this rate they would not be enough by the cap.
            None => {
                let rate = fast.kept.len() as f64 / e.max(1e-9);
                e >= interop_core::results::stop::PROJECT_AFTER * cap && rate * cap < min as f64
            }
        };
        if out_of_reach {
            break Stop::Projected;
        }
        if n >= MAX_SAMPLES {
            break Stop::SampleCap;
        }
    };
    let (mut sample_machine_ns, mut machine_fast_ns) = (Vec::new(), None);
    if cfg.adaptive() {
        sample_machine_ns = between.clone();
        machine.extend(interop_core::stats::low_high_decile(&mut between));
        machine.push(machine_ref_ns());
        machine_fast_ns = cfg.fast_state.then(fastest_ns);
    }
    Ok(Samples {
        iters_per_sample: iters,
        ns_per_op,
        metrics: Default::default(),
        stop,
        counted: None,
        machine_ref_ns: machine,
        sample_machine_ns,
        machine_fast_ns,
    })
}

/// The samples of a row taken in the machine's fast state so far, with their running mean:
/// what the adaptive rule reads. Rebuilt when this process finds a faster state.
struct FastSamples {
    before: f64,
    fast: f64,
    kept: interop_core::stats::RunningMean,
    /// Off (`MeasureConfig::fast_state`): every sample is kept.
    on: bool,
}

impl FastSamples {
    fn new(before: f64, on: bool) -> FastSamples {
        FastSamples { before, fast: f64::NAN, kept: Default::default(), on }
    }

    /// After a new sample (the last of `samples`, with its reading the last of `after`).
    fn update(&mut self, samples: &[f64], after: &[f64]) {
        use interop_core::stats::machine_state::fast_samples;
        if !self.on {
            self.kept.push(samples[samples.len() - 1]);
            return;
        }
        let fast = fastest_ns();
        if fast != self.fast {
            self.fast = fast;
            self.kept = Default::default();
            for (x, f) in samples.iter().zip(fast_samples(self.before, after, fast)) {
                if f {
                    self.kept.push(*x);
                }
            }
            return;
        }
        let i = samples.len() - 1;
        let prev = if i == 0 { self.before } else { after[i - 1] };
        if fast_samples(prev, &after[i..=i], fast).first() == Some(&true) {
            self.kept.push(samples[i]);
        }
    }
}

/// The fastest reading of the reference loop this process has taken (f64 bits): the
/// machine's fast state, as far as this process knows it.
static FASTEST: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(u64::MAX);

/// [`FASTEST`] as ns a pass (infinite before any reading).
pub fn fastest_ns() -> f64 {
    let bits = FASTEST.load(std::sync::atomic::Ordering::Relaxed);
    if bits == u64::MAX { f64::INFINITY } else { f64::from_bits(bits) }
}

fn note_reading(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 && x < fastest_ns() {
        FASTEST.store(x.to_bits(), std::sync::atomic::Ordering::Relaxed);
    }
    x
}

/// The machine's speed just now, in ns per pass of a reference loop: a sum of 10,000 i32
/// (the `native_sum` row's work), the median of five timings of 64 passes (about 0.2 ms in
/// all). A shared VM changes speed for seconds at a time (a busy sibling hyperthread: the
/// same loop 1.4-1.7x slower for whole rows), so each row of a default run carries this
/// figure from just before and just after its samples (with shorter readings between them,
/// [`BETWEEN_PASSES`]), and a comparison allows a row what
/// its machine moved between the two runs (`interop_core::noise::machine_move_pct`).
pub fn machine_ref_ns() -> f64 {
    let mut t = [0.0f64; 5];
    for x in &mut t {
        *x = machine_pass_ns(64);
    }
    t.sort_by(f64::total_cmp);
    note_reading(t[2])
}

/// Passes of the reference loop after each sample of a default-run row (a few µs, after one
/// untimed pass that brings its data back into the caches: timed cold, the readings were
/// twice the others). Their first and last decile go into the row's `machine_ref_ns` with the
/// two readings around the row (deciles, not the extremes: one preempted reading read 12x).
const BETWEEN_PASSES: u32 = 16;

/// One timing of `passes` passes of the reference loop, ns a pass.
fn machine_pass_ns(passes: u32) -> f64 {
    static DATA: std::sync::OnceLock<Vec<i32>> = std::sync::OnceLock::new();
    let data = DATA.get_or_init(|| (0..10_000).map(|i| i * 7 % 1000).collect());
    let start = Instant::now();
    for _ in 0..passes {
        let s: i32 = std::hint::black_box(data.as_slice()).iter().fold(0i32, |a, &b| a.wrapping_add(b));
        std::hint::black_box(s);
    }
    let x = start.elapsed().as_nanos() as f64 / passes as f64;
    if passes > 1 { note_reading(x) } else { x }
}

/// Times `iters` runs of `op`, stopping at the first error.
#[inline(always)]
pub fn time_loop(iters: u64, mut op: impl FnMut(u64) -> Result<()>) -> Result<Duration> {
    if test_knob::slowed() {
        let t = Instant::now();
        for i in 0..iters {
            op(i)?;
            test_knob::extra_work(i);
        }
        return Ok(t.elapsed());
    }
    let t = Instant::now();
    for i in 0..iters {
        op(i)?;
    }
    Ok(t.elapsed())
}

/// A timed loop's failure, built out of line. Formatting the message inside a timed
/// closure made the closure too big to inline, so every call paid a call into it: about 29
/// instructions an operation on `add` (counted with --counts on wasm2c: 41 -> 12 + the add).
/// Every check inside a timed loop fails through [`miss!`] (the Rust host's loops, and the scenario files' in `plugin.rs`).
#[cold]
#[inline(never)]
pub fn mismatch(args: std::fmt::Arguments<'_>) -> anyhow::Error {
    anyhow::anyhow!("{args}")
}

/// `return Err(..)` with a message formatted out of line (see [`mismatch`]).
macro_rules! miss {
    ($($t:tt)*) => {
        return Err($crate::measure::mismatch(format_args!($($t)*)))
    };
}
pub(crate) use miss;

/// TEST ONLY: `INTEROP_TEST_SLOW_SCENARIO=NAME[:ROUNDS][,NAME[:ROUNDS]...]` makes the Rust
/// host add work to every timed operation of the Wasm scenario NAME (ROUNDS dependent
/// multiply-adds, 1024 unless given: about a microsecond an operation), so that a test can
/// check that `compare` catches a slowed path and names its rows: `--fail-above` on time
/// (crates/cli/tests/gate.rs), `--instructions-above` on counts (crates/cli/tests/counts.rs,
/// `noop:200`). Never set it for a measurement. Read in this one place only, and checked
/// once per sample outside the timed loop, so an unset knob costs the loops nothing.
pub mod test_knob {
    use std::sync::atomic::{AtomicU64, Ordering};

    pub const ENV: &str = "INTEROP_TEST_SLOW_SCENARIO";
    const DEFAULT_ROUNDS: u64 = 1024;
    /// Rounds of extra work per operation of the current scenario (0: not slowed).
    static ROUNDS: AtomicU64 = AtomicU64::new(0);

    /// The rounds the knob's value `v` asks for `scenario` (0 when it does not name it).
    pub fn rounds_for(v: &str, scenario: &str) -> u64 {
        v.split(',')
            .filter_map(|item| {
                let (name, rounds) = match item.split_once(':') {
                    Some((n, r)) => (n.trim(), r.trim().parse().ok()?),
                    None => (item.trim(), DEFAULT_ROUNDS),
                };
                (name == scenario).then_some(rounds)
            })
            .next()
            .unwrap_or(0)
    }

    /// Called when a scenario starts: slows it when the variable names it.
    pub fn enter(scenario: &str) {
        let rounds = std::env::var(ENV).map(|v| rounds_for(&v, scenario)).unwrap_or(0);
        ROUNDS.store(rounds, Ordering::Relaxed);
    }

    #[inline(always)]
    pub fn slowed() -> bool {
        ROUNDS.load(Ordering::Relaxed) > 0
    }

    #[inline(never)]
    pub fn extra_work(i: u64) {
        let mut x = i;
        for k in 0..ROUNDS.load(Ordering::Relaxed) {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(k));
        }
        std::hint::black_box(x);
    }

    #[cfg(test)]
    mod tests {
        use super::rounds_for;

        #[test]
        fn the_knob_names_scenarios_with_optional_rounds() {
            assert_eq!(rounds_for("noop", "noop"), 1024);
            assert_eq!(rounds_for("noop:200", "noop"), 200);
            assert_eq!(rounds_for("add, noop:7", "noop"), 7);
            assert_eq!(rounds_for("noop:200", "add"), 0);
            assert_eq!(rounds_for("noop:lots", "noop"), 0, "a bad count slows nothing");
            assert_eq!(rounds_for("", "noop"), 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processes_split_a_rows_budget_and_pool_to_its_precision() {
        let d = MeasureConfig::DEFAULT;
        assert_eq!(d.per_process(1), d);
        let two = d.per_process(2);
        assert_eq!((two.samples, two.max_row, two.warmup), (5, Duration::from_millis(250), d.warmup));
        assert!((two.precision - 0.01 * 2f64.sqrt()).abs() < 1e-12);
        // Never under two samples a process, nor more than the row's own count.
        assert_eq!(d.per_process(8).samples, 2);
        assert_eq!(MeasureConfig::fixed(Duration::ZERO, Duration::from_millis(1), 1).per_process(2).samples, 1);
        assert!(!MeasureConfig::QUICK.per_process(2).adaptive());
    }

    #[test]
    fn a_self_timed_row_splits_its_whole_count_between_processes() {
        let d = MeasureConfig::DEFAULT;
        // One process: the whole count; three: two each (six in all, not three each).
        assert_eq!(d.self_timed_samples(3), 3);
        assert_eq!(d.per_process(3).self_timed_samples(3), 2);
        assert_eq!(d.per_process(8).self_timed_samples(6), 2);
        assert_eq!(d.per_process(2).self_timed_samples(6), 3);
        // Never more than the samples asked for, nor than the whole.
        assert_eq!(MeasureConfig::fixed(Duration::ZERO, Duration::from_millis(1), 1).self_timed_samples(3), 1);
        assert_eq!(d.per_process(3).self_timed_samples(1), 1);
    }

    #[test]
    fn calibrates_many_ops_per_sample_and_takes_every_sample() {
        let cfg = MeasureConfig::fixed(Duration::ZERO, Duration::from_micros(200), 7);
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
        assert_eq!(s.stop, Stop::Fixed);
        assert!(s.iters_per_sample > 1, "a trivial op must be timed many at a time");
        assert!(calls >= 7 * s.iters_per_sample);
    }

    #[test]
    fn a_bounded_fixed_count_stops_a_long_row_after_two_samples() {
        // Each op sleeps 2 ms: with a 1 ms bound (as --quick's), two samples; without, all five.
        let slow = |iters: u64| -> Result<Duration> {
            let t = Instant::now();
            for _ in 0..iters {
                std::thread::sleep(Duration::from_millis(2));
            }
            Ok(t.elapsed())
        };
        let bounded = MeasureConfig { max_row: Duration::from_millis(1), ..MeasureConfig::fixed(Duration::ZERO, Duration::from_micros(100), 5) };
        let s = measure(&bounded, slow).unwrap();
        assert_eq!((s.ns_per_op.len(), s.stop), (2, Stop::TimeCap), "{s:?}");
        let exact = MeasureConfig::fixed(Duration::ZERO, Duration::from_micros(100), 5);
        let s = measure(&exact, slow).unwrap();
        assert_eq!((s.ns_per_op.len(), s.stop), (5, Stop::Fixed), "{s:?}");
    }

    #[test]
    fn an_operation_longer_than_a_quarter_sample_is_not_run_again_to_calibrate() {
        // One 3 ms op a loop: the single warm-up loop (past the 1 ms warm-up) already took a
        // quarter of the 2 ms sample, so the loops are the warm-up's and the two samples.
        let cfg = MeasureConfig::fixed(Duration::from_millis(1), Duration::from_millis(2), 2);
        let mut loops = 0;
        let s = measure(&cfg, |iters| {
            loops += 1;
            let t = Instant::now();
            for _ in 0..iters {
                std::thread::sleep(Duration::from_millis(3));
            }
            Ok(t.elapsed())
        })
        .unwrap();
        assert_eq!((loops, s.iters_per_sample, s.ns_per_op.len()), (3, 1, 2), "{s:?}");
        // With a precision target too: one a sample, not four.
        let adaptive = MeasureConfig { precision: 0.01, max_row: Duration::from_millis(1), ..cfg };
        let s = measure(&adaptive, |iters| {
            let t = Instant::now();
            for _ in 0..iters {
                std::thread::sleep(Duration::from_millis(3));
            }
            Ok(t.elapsed())
        })
        .unwrap();
        assert_eq!(s.iters_per_sample, 1, "{s:?}");
    }

    #[test]
    fn untimed_setup_counts_toward_the_sample_length() {
        // Each op sleeps 200 µs untimed and reports 1 ns timed: iterations must follow the
        // wall clock (about 5 a 1 ms sample), not the timed nanosecond (a million).
        let cfg = MeasureConfig::fixed(Duration::ZERO, Duration::from_millis(1), 2);
        let s = measure(&cfg, |iters| {
            for _ in 0..iters {
                std::thread::sleep(Duration::from_micros(200));
            }
            Ok(Duration::from_nanos(iters))
        })
        .unwrap();
        assert!((2..=10).contains(&s.iters_per_sample), "{s:?}");
        assert_eq!(s.ns_per_op, vec![1.0, 1.0]);
    }

    #[test]
    fn an_error_stops_the_measurement() {
        let cfg = MeasureConfig::QUICK;
        let err = measure(&cfg, |iters| time_loop(iters, |i| if i == 3 { anyhow::bail!("wrong sum") } else { Ok(()) }))
            .unwrap_err();
        assert!(err.to_string().contains("wrong sum"));
    }

    /// A fake operation whose timed cost follows `cost(sample index)`: the loop is not
    /// run, so the test depends on no clock but the sampling time cap.
    fn fake(cost: impl Fn(usize) -> f64) -> impl FnMut(u64) -> Result<Duration> {
        let mut calls = 0usize;
        move |iters| {
            calls += 1;
            Ok(Duration::from_nanos((cost(calls) * iters as f64) as u64))
        }
    }

    #[test]
    fn a_steady_row_stops_at_the_precision_target_after_the_minimum() {
        let cfg = MeasureConfig { precision: 0.01, max_row: Duration::from_secs(3600), ..MeasureConfig::fixed(Duration::ZERO, Duration::from_micros(100), 6) };
        // ±0.5% alternation: within ±1% as soon as the minimum is taken.
        let s = measure(&cfg, fake(|i| if i % 2 == 0 { 100.5 } else { 99.5 })).unwrap();
        assert_eq!(s.stop, Stop::Precision);
        assert_eq!(s.ns_per_op.len(), 6);
    }

    #[test]
    fn a_noisy_row_takes_more_samples_until_the_target() {
        let cfg = MeasureConfig { precision: 0.01, max_row: Duration::from_secs(3600), ..MeasureConfig::fixed(Duration::ZERO, Duration::from_micros(100), 4) };
        // ±10% alternation: the interval shrinks as 1/sqrt(n); ±1% takes about 400 samples.
        let s = measure(&cfg, fake(|i| if i % 2 == 0 { 110.0 } else { 90.0 })).unwrap();
        assert_eq!(s.stop, Stop::Precision);
        assert!((100..2000).contains(&s.ns_per_op.len()), "{}", s.ns_per_op.len());
    }

    #[test]
    fn a_row_that_never_settles_stops_early_once_projected_out_of_reach() {
        // A cap of 100 ms of real time, judged from 25 ms on: with a cap of a few ms one
        // scheduler stall on a 2-core CI box can carry the row past the quarter straight
        // to the cap (the Go twin failed so in stop 28's CI).
        let cfg = MeasureConfig { precision: 1e-9, max_row: Duration::from_millis(100), ..MeasureConfig::fixed(Duration::ZERO, Duration::from_micros(100), 3) };
        let t = Instant::now();
        let s = measure(&cfg, fake(|i| if i % 2 == 0 { 150.0 } else { 50.0 })).unwrap();
        assert_eq!(s.stop, Stop::Projected);
        assert!(s.ns_per_op.len() >= 3);
        // Stopped after about a quarter of the cap (not asserted as a time: only that the
        // rule waited for that quarter).
        assert!(t.elapsed() >= Duration::from_millis(25));
    }

    #[test]
    fn the_projection_stops_only_rows_that_would_miss_by_far() {
        use interop_core::results::stop::projected_out_of_reach as out;
        // Too early to tell.
        assert!(!out(0.1, 0.5, 0.10, 0.01));
        // ±2% after half the cap: ±1% needs 4x that, 2x the cap: on the edge, not beyond.
        assert!(!out(0.25, 0.5, 0.02, 0.01));
        // ±3% after a quarter of the cap: 9x, 2.25 s, far beyond 2 × 0.5 s.
        assert!(out(0.125, 0.5, 0.03, 0.01));
        // ±1.2% after a quarter: 1.44 × 0.125 s, within reach.
        assert!(!out(0.125, 0.5, 0.012, 0.01));
        // No interval to be had (a zero mean): stopped rather than sampled to the cap.
        assert!(out(0.125, 0.5, f64::INFINITY, 0.01));
        assert!(!out(0.125, 0.0, 0.5, 0.01) && !out(0.125, 0.5, 0.5, 0.0));
    }


    #[test]
    fn warm_up_ends_once_consecutive_loops_agree_not_at_its_bound() {
        // Cold for the first few loops (10x), then steady: warm-up must end long before its
        // hour-long bound (the test would hang otherwise).
        let cfg = MeasureConfig::fixed(Duration::from_secs(60), Duration::from_micros(100), 2);
        let s = measure(&cfg, fake(|i| if i < 5 { 1000.0 } else { 100.0 })).unwrap();
        assert_eq!(s.ns_per_op, vec![100.0, 100.0]);
    }
}
