//! This machine's run-to-run noise, and the regression gate that accounts for it.
//!
//! A row's own interval says how well its mean is known *within* a run; two runs of the
//! same build on the same machine still differ by more than that (frequency and cache
//! state, the neighbours of a shared machine, where the allocator put things). `run`
//! measures a few reference rows at its start and again at its end (the Rust host's
//! native baselines, always present); how far each moved between the two is the noise
//! of this machine over the length of a run (their median move), recorded in the results file as data
//! ([`NoiseRecord`]) and derived on load ([`NoiseRecord::noise_pct`]).
//!
//! One figure for the machine does not describe every row: a Go row whose cost comes in
//! collector bursts, or a row near the timer's floor, moves much more from run to run than
//! the native reference rows. So the gate allows each row its own noise ([`row_noise`]):
//! the spread of that row's estimates (each process's) over the runs a baseline kept ([`History`], from
//! `run --save-baseline`, which keeps the last few), but never less than the run's own
//! reference noise (a history of quiet runs says nothing of a busy one) nor than how far
//! the row moved between the first and the second half of its own samples in OLD or NEW
//! ([`half_drift_pct`]), nor than how far the means of its own worker processes lay apart
//! in OLD or NEW (a default run measures each row in three processes, minutes apart, and
//! where a process puts code and data moves some rows by 10-50%), nor than how far those
//! of 90% of its engine's rows lay apart ([`EngineSpread`]: one row's processes are a few
//! draws of that move), or those of 90% of its scenario's rows on that engine (the same code,
//! moved together: [`EngineSpread::scenario_pct`]), nor than how far the machine's speed around that very row moved
//! between OLD and NEW ([`machine_move_pct`]: a shared VM switches speed for seconds at a
//! time, so two runs time the same row in different states; each row carries the host's
//! reference loop timed before, between and after its samples; once saved runs say how far
//! the row moves by itself, how much slower the machine's mean state during its samples
//! was, compounded with the row's own noise: [`machine_allowance_pct`]). Two rows whose
//! statistics both come from the machine's fast state (slower samples set aside,
//! [`crate::stats::machine_state`]) get no such allowance: they were measured in the same state.
//!
//! `compare --fail-above PCT` then fails a row only when its slowdown is significant
//! (the comparison's verdict: Mann–Whitney and the bootstrap interval agree), larger
//! than PCT plus the row's noise, and its interval's lower end is beyond that noise
//! ([`regressions_beyond_row_noise`]).

use crate::compare::{Comparison, RowChange, Verdict};
use crate::results::{RawRow, ResultRow, ResultsFile, RowKey};
use crate::stats::bootstrap::median;
use std::collections::BTreeMap;
use serde::{Deserialize, Serialize};

/// The scenarios of the Rust host's native baseline measured at both ends of a run.
pub const REFERENCE_SCENARIOS: &[&str] = &["native_call", "native_sum"];

/// Reference rows measured at the start and at the end of one run (raw samples).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NoiseRecord {
    pub start: Vec<RawRow>,
    pub end: Vec<RawRow>,
}

/// One reference row's move between the start and the end of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    pub label: String,
    pub start_ns: f64,
    pub end_ns: f64,
    /// `|end / start - 1|` in percent.
    pub pct: f64,
}

impl NoiseRecord {
    /// Every reference row measured at both ends, with its move.
    ///
    /// The rows are judged against the machine's state by the fastest reading of either end
    /// (the faster end's state is the machine's fast one), and a reference row measured
    /// wholly in a slower state at either end gives no move: what it moved is the machine's
    /// state, which every row's own readings account for ([`machine_move_pct`], the samples
    /// set aside), not the run-to-run noise of the fast state that this figure allows every
    /// row. (One default run of 2026-11-29 had its start's reference rows wholly in a 1.5-1.9x
    /// slower state and its end's fast: a "39.5% run-to-run noise" that let every row of the
    /// gate pass by 5% + 39.5%.)
    pub fn drifts(&self) -> Vec<Drift> {
        let fast = self.start.iter().chain(&self.end).filter_map(|r| r.machine_fast_ns).filter(|f| *f > 0.0).reduce(f64::min);
        self.start
            .iter()
            .filter_map(|s| {
                let e = self.end.iter().find(|e| e.key == s.key)?;
                // The row's estimate over the samples its statistics use (fast-state ones,
                // when set aside); none when it kept samples of a slower state.
                let estimate = |r: &RawRow| {
                    let row = ResultRow::from_raw_in(r.clone(), fast);
                    (!row.kept_slow_samples()).then(|| row.estimate())
                };
                let (a, b) = (estimate(s)?, estimate(e)?);
                let pct = ((b / a - 1.0) * 100.0).abs();
                pct.is_finite().then(|| Drift {
                    label: s.key.label(),
                    start_ns: a,
                    end_ns: b,
                    pct,
                })
            })
            .collect()
    }

    /// The median move of the reference rows between the start and the end of the run, in
    /// percent (the median: one reference row near the harness floor that jumps should not
    /// set the allowance of every row); `None` when no reference row was measured at both
    /// ends.
    pub fn noise_pct(&self) -> Option<f64> {
        let mut v: Vec<f64> = self.drifts().into_iter().map(|d| d.pct).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let m = v.len() / 2;
        Some(if v.len() % 2 == 1 { v[m] } else { (v[m - 1] + v[m]) / 2.0 })
    }
}

/// The noise the gate allows for between two runs: the larger of the two runs' own
/// (0 when neither recorded any).
pub fn gate_noise_pct(old: Option<f64>, new: Option<f64>) -> f64 {
    old.into_iter().chain(new).fold(0.0, f64::max)
}

/// Rows that fail `--fail-above pct` once `noise_pct` is accounted for: slower beyond the
/// noise by the comparison's own test, by more than `pct + noise_pct` percent, and with
/// the lower end of the change's interval above `noise_pct`.
pub fn regressions_beyond_noise(cmp: &Comparison, pct: f64, noise_pct: f64) -> Vec<&RowChange> {
    regressions_beyond_row_noise(cmp, pct, |_| noise_pct).into_iter().map(|(c, _)| c).collect()
}

/// As [`regressions_beyond_noise`], with each row's own noise (`noise_of`, percent): the
/// failing rows with the noise allowed for each.
pub fn regressions_beyond_row_noise(cmp: &Comparison, pct: f64, noise_of: impl Fn(&RowChange) -> f64) -> Vec<(&RowChange, f64)> {
    cmp.rows
        .iter()
        .filter(|c| c.verdict == Verdict::Slower)
        // A row both files counted is gated on its instructions, never on time.
        .filter(|c| !cmp.counts.iter().any(|k| k.key == c.key))
        .map(|c| (c, noise_of(c)))
        .filter(|(c, noise)| c.change_pct > pct + noise && c.ci_low_pct > *noise)
        .collect()
}

/// How far a row's level moved within its own run: `|median of the second half of its
/// samples / median of the first half - 1|` in percent (an odd middle sample is left
/// out). A row that drifts while it is measured (the machine's clock or neighbours
/// changing) moves this much between two runs too. Medians, so that one stray sample (a
/// preemption on a busy machine) does not make the row's allowance huge; how much a row's
/// mean moves with the number of bursts it caught (Go collections) is what its
/// [`History`] measures. `None` below 4 samples.
pub fn half_drift_pct(samples: &[f64]) -> Option<f64> {
    let h = samples.len() / 2;
    if h < 2 {
        return None;
    }
    let (a, b) = (median(&samples[..h]), median(&samples[samples.len() - h..]));
    let pct = ((b / a - 1.0) * 100.0).abs();
    pct.is_finite().then_some(pct)
}

/// Each row's estimates over earlier runs of one machine and one mode (the history a
/// baseline keeps, see `run --save-baseline`): how far the row itself moves from run to
/// run, and from one worker process to the next.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The runs it was made from.
    pub runs: usize,
    /// Per row, each run's estimates: one per worker process of the row.
    estimates: BTreeMap<RowKey, Vec<Vec<f64>>>,
}

impl History {
    pub fn of<'a>(runs: impl IntoIterator<Item = &'a ResultsFile>) -> History {
        let mut h = History::default();
        for run in runs {
            h.runs += 1;
            for r in &run.results {
                // Each process's own estimate: some rows take one of two levels, process by
                // process (where a process put code and data: wasm2c's `host_import` of 16
                // calls read 47.1 and 28.6 ns in the two processes of one run, 28.4 and 28.5
                // in the next, 45.8 and 45.9 in the third), and a run's mean over its
                // processes would hide the levels a history has seen.
                // (A row of one process has one: its estimate.)
                let own: Vec<f64> = r.process_means.iter().copied().filter(|e| e.is_finite() && *e > 0.0).collect();
                if !own.is_empty() {
                    h.estimates.entry(r.key.clone()).or_default().push(own);
                }
            }
        }
        h
    }

    /// The row's run-to-run spread, `max / min - 1` of its estimates in percent (those of
    /// each of its worker processes, in every run); `None` when fewer than two runs
    /// measured it.
    pub fn spread_pct(&self, key: &RowKey) -> Option<f64> {
        let v = self.estimates.get(key).filter(|v| v.len() >= 2)?;
        let (lo, hi) = v.iter().flatten().fold((f64::INFINITY, 0.0f64), |(lo, hi), &e| (lo.min(e), hi.max(e)));
        Some((hi / lo - 1.0) * 100.0)
    }

    /// How many runs measured the row.
    pub fn runs_of(&self, key: &RowKey) -> usize {
        self.estimates.get(key).map_or(0, Vec::len)
    }
}

/// Where a row's noise allowance came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoiseSource {
    /// The spread of the row's estimate over this many saved runs.
    History(usize),
    /// The row's own move between the halves of its samples (in OLD or NEW).
    WithinRun,
    /// The run's reference rows (this machine's noise over a run).
    Reference,
    /// How far the means of the row's own worker processes lay apart in OLD or NEW
    /// ([`ResultRow::process_spread_pct`]): where a process put code and data moves the row
    /// this much, and the next run's processes may put them elsewhere.
    Processes,
    /// How far apart the worker processes of the rows of the row's engine lay in OLD or NEW
    /// (most of them: [`EngineSpread`]).
    Engine,
    /// How far apart the worker processes of the rows of the row's scenario on its engine
    /// lay in OLD or NEW (most of them: [`EngineSpread::scenario_pct`]).
    Scenario,
    /// The machine's own speed around the row moved this much between OLD and NEW
    /// ([`machine_move_pct`]): the row cannot tell a change of its own from the machine's.
    Machine,
    /// The row's own noise (the largest of the others) compounded with how much slower the
    /// machine's mean state during its samples was in NEW ([`machine_mean_move_pct`]), for a
    /// row that saved runs know ([`KNOWN_ROW_RUNS`]).
    MachineMean,
}

/// How far the machine's speed around a row moved between OLD and NEW, in percent: each
/// row of a default run carries the host's reference loop timed before, between and after
/// its samples (`machine_ref_ns`), and this is the largest ratio between a reading of NEW
/// and one of OLD, either way (a switch of speed in the middle of a row is within its
/// readings). `None` unless both rows carry readings.
pub fn machine_move_pct(old: &ResultRow, new: &ResultRow) -> Option<f64> {
    let span = |r: &ResultRow| -> Option<(f64, f64)> {
        let v: Vec<f64> = r.machine_readings().collect();
        if v.is_empty() || !v.iter().all(|x| x.is_finite() && *x > 0.0) {
            return None;
        }
        Some((v.iter().copied().fold(f64::INFINITY, f64::min), v.iter().copied().fold(0.0, f64::max)))
    };
    let ((omin, omax), (nmin, nmax)) = (span(old)?, span(new)?);
    Some(100.0 * (nmax / omin - 1.0).max(omax / nmin - 1.0).max(0.0))
}

/// How much slower the machine ran during NEW's samples of a row than during OLD's, in
/// percent (0 when it was not slower): the mean of the host's reference loop timed between
/// the samples (`sample_machine_ns`, of every process), NEW's over OLD's. The mean of a row
/// whose samples all count (the Go host's rows whose calls make work for the collector, a
/// row with too few samples in the fast state) is a mean over the states the machine went
/// through during them, and this is how far those states can have moved it. `None` unless
/// both rows carry such readings.
pub fn machine_mean_move_pct(old: &ResultRow, new: &ResultRow) -> Option<f64> {
    let mean = |r: &ResultRow| -> Option<f64> {
        let v: Vec<f64> = r.sample_machine_readings().collect();
        (!v.is_empty() && v.iter().all(|x| x.is_finite() && *x > 0.0)).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    Some(100.0 * (mean(new)? / mean(old)? - 1.0).max(0.0))
}

/// Saved runs of a row from which on the gate knows how far the row moves from run to run
/// by itself ([`History::spread_pct`]), and so allows for the machine around it what the
/// machine's mean state during its samples moved ([`machine_mean_move_pct`]), compounded
/// with that noise, instead of the largest move of any reading ([`machine_move_pct`]).
///
/// Without a history, the largest move is what holds quiet the Go rows whose calls allocate,
/// which move 40-100% between back-to-back runs of the same build (wasmtime-go's
/// `return_buffer` and string rows, 2026-11-29); but it made the gate blind to the seed's
/// own rows: wasmtime-go's `noop` and `add` slowed by 50% passed as "the machine moved 67%
/// / 94%" while the machine's mean state around them moved 3.4% and 17.5%. With a history, such
/// rows are allowed their own spread over the saved runs, and the seed's rows theirs.
pub const KNOWN_ROW_RUNS: usize = 3;

/// The machine's move the gate allows a row (see [`KNOWN_ROW_RUNS`]).
pub fn machine_allowance_pct(old: &ResultRow, new: &ResultRow, history: Option<&History>) -> Option<f64> {
    if known_row(old, history) {
        machine_mean_move_pct(old, new)
    } else {
        machine_move_pct(old, new)
    }
}

/// The run-to-run noise the gate allows a row, in percent, and where it came from: the
/// largest of the spread of the row over the saved runs (when at least two measured it),
/// the run's reference noise (how far the machine itself moved during OLD or NEW), the
/// row's own within-run move (in OLD or NEW), and how far the machine's speed around this
/// very row moved between OLD and NEW ([`machine_allowance_pct`]). A history kept on a quiet machine does not
/// describe a run taken while the machine was busy, so it never lowers the allowance below
/// what the reference rows measured in these very runs (seen: reference rows moving 43–77%
/// within a run on a shared VM, where a history of two quiet-ish runs allowed rows 2.4% and
/// the gate failed 350 rows of an unchanged build).
pub fn row_noise(old: &ResultRow, new: &ResultRow, history: Option<&History>, reference_pct: f64, spread: Spread) -> (f64, NoiseSource) {
    let mut best = runs_noise(old, new, history, reference_pct, spread);
    // Two rows measured in the machine's fast state (slower samples set aside) are
    // comparable: the machine's moves around them are not theirs.
    if old.in_fast_state() && new.in_fast_state() {
        return best;
    }
    let Some(m) = machine_allowance_pct(old, new, history) else { return best };
    if known_row(old, history) {
        // The row's own noise, known from the saved runs, and the machine's mean state
        // around it are two causes: they compound. (A row can slow more than the machine's
        // reference loop: in one run wazero:interpreter's `host_import` of 16 calls read 34%
        // slower while the machine's mean state around it was 16% slower, and wasmtime-go's
        // `return_buffer` of 64 KiB 95% against 82%.)
        if m > 0.0 {
            best = (100.0 * ((1.0 + best.0 / 100.0) * (1.0 + m / 100.0) - 1.0), NoiseSource::MachineMean);
        }
    } else if m > best.0 {
        best = (m, NoiseSource::Machine);
    }
    best
}

/// Saved runs measured the row at least [`KNOWN_ROW_RUNS`] times.
fn known_row(row: &ResultRow, history: Option<&History>) -> bool {
    history.is_some_and(|h| h.runs_of(&row.key) >= KNOWN_ROW_RUNS)
}

/// [`row_noise`] without the machine's move around the row: what the runs themselves say
/// (for the rows the gate let pass only because their machine moved).
pub fn runs_noise(old: &ResultRow, new: &ResultRow, history: Option<&History>, reference_pct: f64, spread: Spread) -> (f64, NoiseSource) {
    let within = [&old.used_ns_per_op, &new.used_ns_per_op].into_iter().filter_map(|s| half_drift_pct(s)).fold(0.0, f64::max);
    let mut best = (reference_pct, NoiseSource::Reference);
    if let Some((spread, n)) = history.and_then(|h| Some((h.spread_pct(&old.key)?, h.runs_of(&old.key)))) {
        if spread >= best.0 {
            best = (spread, NoiseSource::History(n));
        }
    }
    if within > best.0 {
        best = (within, NoiseSource::WithinRun);
    }
    let processes = [old, new].into_iter().filter_map(|r| r.process_spread_pct).fold(0.0, f64::max);
    if processes > best.0 {
        best = (processes, NoiseSource::Processes);
    }
    // What one row's few processes say of its noise is a few draws of it; the engine's other
    // rows say how large such draws come (EngineSpread).
    if let Some(e) = spread.engine.filter(|e| *e > best.0) {
        best = (e, NoiseSource::Engine);
    }
    // And its scenario's other rows on the engine, which run the same code.
    if let Some(s) = spread.scenario.filter(|s| *s > best.0) {
        best = (s, NoiseSource::Scenario);
    }
    best
}

/// How far apart the worker processes of a row's engine's rows lay, and those of its
/// scenario's rows on that engine, in percent ([`EngineSpread::spread`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Spread {
    pub engine: Option<f64>,
    pub scenario: Option<f64>,
}

/// Of an engine's rows measured in more than one worker process, the share whose spread
/// between processes the gate allows every row of that engine ([`EngineSpread`]).
pub const ENGINE_SPREAD_QUANTILE: f64 = 0.9;

/// How far apart the worker processes of each engine's rows lay (per host and runtime; the
/// [`ENGINE_SPREAD_QUANTILE`] of their `process_spread_pct`), the largest over the runs
/// given (OLD and NEW).
///
/// One row's processes are one or two draws of how far a process can move it: where a
/// process puts code and data, and what the machine did in the minutes between them, move
/// some rows 10-50% and leave their neighbours alone, and which rows it hits changes from
/// run to run (2026-11-29, three back-to-back default runs with a row's processes minutes
/// apart: wasmtime:winch's typed `noop` read 16.7 and 26.2 ns in its two processes of one
/// run, 17.3 and 16.7 in another; its untyped `noop` 67 and 68 in one run, 110 and 99 in
/// the next). A row's own spread then often says less than the next run shows: allowing
/// each row the spread of the processes of its engine's rows (most of them) failed 0-2
/// rows of the Rust host per pair of those runs at a 5% gate, against 3-14 with each row's
/// own spread.
///
/// The same holds within one scenario of an engine ([`EngineSpread::scenario_pct`]): its rows
/// (APIs, payloads) run the same code, and where a process puts it moves them together, often
/// more than it moves most of the engine's rows. In ten default runs of 2026-11-30, wasm2c's
/// nine `host_import` rows read 28 or 46 ns (16 calls) and 424 or 705 ns (256) by process, and
/// wasmi's `return_buffer` of 1 KiB 7.5 or 10.6 µs: a row whose three processes all landed in
/// one mode in one run and in the other in the next moved 35-65% and failed a 5% gate, while
/// in those very runs other rows of its scenario had processes that far apart.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EngineSpread {
    engines: BTreeMap<(String, String), f64>,
    scenarios: BTreeMap<(String, String, String), f64>,
}

/// The [`ENGINE_SPREAD_QUANTILE`] of `v` by nearest rank (of ten, the second largest).
fn spread_quantile(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let rank = ((ENGINE_SPREAD_QUANTILE * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

impl EngineSpread {
    pub fn of<'a>(runs: impl IntoIterator<Item = &'a ResultsFile>) -> EngineSpread {
        let mut out = EngineSpread::default();
        for run in runs {
            let mut by_engine: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
            let mut by_scenario: BTreeMap<(String, String, String), Vec<f64>> = BTreeMap::new();
            for r in &run.results {
                if let Some(s) = r.process_spread_pct.filter(|s| s.is_finite()) {
                    by_engine.entry((r.key.host.clone(), r.key.runtime.clone())).or_default().push(s);
                    by_scenario.entry((r.key.host.clone(), r.key.runtime.clone(), r.key.scenario.clone())).or_default().push(s);
                }
            }
            for (engine, v) in by_engine {
                let q = spread_quantile(v);
                let e = out.engines.entry(engine).or_insert(q);
                *e = e.max(q);
            }
            // A scenario of one row says no more than the row's own processes.
            for (scenario, v) in by_scenario.into_iter().filter(|(_, v)| v.len() > 1) {
                let q = spread_quantile(v);
                let e = out.scenarios.entry(scenario).or_insert(q);
                *e = e.max(q);
            }
        }
        out
    }

    /// The spread allowed the rows of `key`'s engine, percent; `None` when no row of that
    /// engine was measured in more than one process.
    pub fn pct(&self, key: &RowKey) -> Option<f64> {
        self.engines.get(&(key.host.clone(), key.runtime.clone())).copied()
    }

    /// The spread allowed the rows of `key`'s scenario on its engine, percent: the same
    /// quantile over that scenario's rows (at least two measured in more than one process).
    pub fn scenario_pct(&self, key: &RowKey) -> Option<f64> {
        self.scenarios.get(&(key.host.clone(), key.runtime.clone(), key.scenario.clone())).copied()
    }

    /// The scenarios (host, runtime, scenario) allowed more than `pct` and more than their
    /// engine, the largest allowance first.
    pub fn scenarios_above(&self, pct: f64) -> Vec<(&str, &str, &str, f64)> {
        let mut v: Vec<(&str, &str, &str, f64)> = self
            .scenarios
            .iter()
            .filter(|((h, r, _), s)| **s > pct && self.engines.get(&(h.clone(), r.clone())).is_none_or(|e| **s > *e))
            .map(|((h, r, sc), s)| (h.as_str(), r.as_str(), sc.as_str(), *s))
            .collect();
        v.sort_by(|a, b| b.3.total_cmp(&a.3).then(a.0.cmp(b.0)).then(a.1.cmp(b.1)).then(a.2.cmp(b.2)));
        v
    }

    /// Both, for [`row_noise`].
    pub fn spread(&self, key: &RowKey) -> Spread {
        Spread { engine: self.pct(key), scenario: self.scenario_pct(key) }
    }

    /// The engines (host, runtime) allowed more than `pct`, the largest first: where a gate
    /// of `pct` is blind to slowdowns below that allowance.
    pub fn above(&self, pct: f64) -> Vec<(&str, &str, f64)> {
        let mut v: Vec<(&str, &str, f64)> =
            self.engines.iter().filter(|(_, s)| **s > pct).map(|((h, r), s)| (h.as_str(), r.as_str(), *s)).collect();
        v.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(b.0)).then(a.1.cmp(b.1)));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::RowKey;

    fn raw(scenario: &str, ns: f64) -> RawRow {
        RawRow::fixture(RowKey::of("rust", "native", "direct", scenario, Default::default(), crate::results::DEFAULT_GUEST_VARIANT), vec![ns, ns])
    }

    #[test]
    fn the_noise_is_the_median_move_of_the_reference_rows() {
        let n = NoiseRecord {
            start: vec![raw("native_call", 10.0), raw("native_sum", 100.0), raw("other", 1.0)],
            end: vec![raw("native_call", 10.3), raw("native_sum", 96.0), raw("other", 2.0)],
        };
        assert!((n.noise_pct().unwrap() - 4.0).abs() < 1e-9, "{:?}", n.noise_pct());
        // A row measured at one end only does not count.
        let n = NoiseRecord { start: vec![raw("native_call", 10.0)], end: vec![raw("native_sum", 50.0)] };
        assert_eq!(n.noise_pct(), None);
        assert_eq!(gate_noise_pct(None, None), 0.0);
        assert_eq!(gate_noise_pct(Some(2.0), Some(3.5)), 3.5);
    }

    #[test]
    fn a_reference_row_measured_wholly_in_a_slower_state_gives_no_move() {
        // Readings after each sample: 100 in the fast state, 190 in the slower one.
        let at = |scenario: &str, ns: f64, reading: f64| RawRow {
            sample_ns_per_op: vec![ns; 6],
            machine_ref_ns: vec![reading],
            sample_machine_ns: vec![reading; 6],
            machine_fast_ns: Some(reading),
            ..raw(scenario, ns)
        };
        // native_call: the start wholly slow (1.9x); native_sum: both ends fast, 2% apart.
        let n = NoiseRecord {
            start: vec![at("native_call", 19.0, 190.0), at("native_sum", 100.0, 100.0)],
            end: vec![at("native_call", 10.0, 100.0), at("native_sum", 102.0, 100.0)],
        };
        let d = n.drifts();
        assert_eq!(d.len(), 1, "{d:?}");
        assert!((n.noise_pct().unwrap() - 2.0).abs() < 1e-9, "{:?}", n.noise_pct());
        // Both ends slow alike: the move is measured (nothing faster to judge them by).
        let n = NoiseRecord { start: vec![at("native_call", 19.0, 190.0)], end: vec![at("native_call", 19.5, 190.0)] };
        assert_eq!(n.drifts().len(), 1);
    }

    /// A comparison of these rows and nothing else.
    fn comparison(rows: Vec<RowChange>) -> Comparison {
        Comparison {
            options: Default::default(),
            rows,
            only_old: vec![],
            only_new: vec![],
            geomean_ratio: None,
            components: vec![],
            warnings: vec![],
            counts: vec![],
        }
    }

    fn change(change_pct: f64, ci_low_pct: f64, verdict: Verdict) -> RowChange {
        RowChange {
            key: raw("add", 1.0).key,
            old_ns: 1.0,
            new_ns: 1.0 + change_pct / 100.0,
            old_samples: 10,
            new_samples: 10,
            change_pct,
            ci_low_pct,
            ci_high_pct: change_pct + 1.0,
            p_value: 0.001,
            verdict,
        }
    }

    fn row(scenario: &str, samples: Vec<f64>) -> ResultRow {
        ResultRow::from_raw(RawRow { sample_ns_per_op: samples, ..raw(scenario, 1.0) })
    }

    #[test]
    fn a_row_moving_between_the_halves_of_its_samples_is_that_noisy() {
        assert_eq!(half_drift_pct(&[1.0, 1.0, 1.0]), None);
        assert!((half_drift_pct(&[10.0, 10.0, 12.0, 12.0]).unwrap() - 20.0).abs() < 1e-9);
        // The odd middle sample is left out.
        assert!((half_drift_pct(&[10.0, 10.0, 99.0, 11.0, 11.0]).unwrap() - 10.0).abs() < 1e-9);
        // One stray sample does not move a half's level.
        assert!((half_drift_pct(&[10.0, 10.0, 10.0, 10.0, 10.0, 500.0]).unwrap()).abs() < 1e-9);
        assert!(half_drift_pct(&[5.0; 8]).unwrap() < 1e-12);
    }

    #[test]
    fn each_row_gets_its_own_noise_from_history_else_the_reference() {
        let steady = |ns: f64| row("add", vec![ns; 10]);
        let run = |add: f64, noop: f64| ResultsFile { results: vec![steady(add), row("noop", vec![noop; 10])], ..ResultsFile::new() };
        // add moved 100 → 110 → 104 over three runs; noop never moved.
        let runs = [run(100.0, 10.0), run(110.0, 10.0), run(104.0, 10.0)];
        let h = History::of(&runs);
        assert_eq!(h.runs, 3);
        assert!((h.spread_pct(&steady(1.0).key).unwrap() - 10.0).abs() < 1e-9);
        assert_eq!(h.spread_pct(&row("noop", vec![1.0]).key), Some(0.0));
        let (old, new) = (steady(100.0), steady(100.0));
        assert_eq!(row_noise(&old, &new, Some(&h), 3.0, Spread::default()), (h.spread_pct(&old.key).unwrap(), NoiseSource::History(3)));
        // A row no two saved runs measured: the reference.
        let other = row("string_roundtrip", vec![50.0; 10]);
        assert_eq!(row_noise(&other, &other, Some(&h), 3.0, Spread::default()), (3.0, NoiseSource::Reference));
        assert_eq!(row_noise(&old, &new, None, 3.0, Spread::default()), (3.0, NoiseSource::Reference));
        // A row that moved within its own run gets at least that.
        let bursty = row("add", vec![100.0, 100.0, 100.0, 130.0, 130.0, 130.0]);
        let (pct, source) = row_noise(&old, &bursty, Some(&h), 3.0, Spread::default());
        assert!((pct - 30.0).abs() < 1e-9 && source == NoiseSource::WithinRun, "{pct} {source:?}");
        // A busy machine (its reference rows moved 40% in these runs) is not described by a
        // quiet history: the allowance is the reference's, not the row's 10% spread.
        assert_eq!(row_noise(&old, &new, Some(&h), 40.0, Spread::default()), (40.0, NoiseSource::Reference));
    }

    #[test]
    fn once_saved_runs_know_a_row_only_the_machines_mean_move_around_it_is_allowed() {
        // A row whose samples all count (no fast state: the Go host's allocating rows), the
        // machine at 400 ns a pass but for one slower reading in each run (600, then 700).
        let with = |ns: f64, slow: f64| ResultRow {
            machine_ref_ns: vec![400.0, 400.0, slow, 400.0],
            sample_machine_ns: [vec![400.0; 9], vec![slow]].concat(),
            ..row("add", vec![ns; 10])
        };
        let (old, new) = (with(100.0, 600.0), with(150.0, 700.0));
        assert!(!old.in_fast_state() && !new.in_fast_state());
        // The largest move of a reading, 700 / 400: what a pair of runs alone allows.
        assert!((machine_move_pct(&old, &new).unwrap() - 75.0).abs() < 1e-9);
        assert_eq!(row_noise(&old, &new, None, 3.0, Spread::default()), (75.0, NoiseSource::Machine));
        // The mean state moved 420 → 430 ns: 2.4%; and nothing when NEW's was faster.
        let mean = machine_mean_move_pct(&old, &new).unwrap();
        assert!((mean - 100.0 * (430.0 / 420.0 - 1.0)).abs() < 1e-9, "{mean}");
        assert_eq!(machine_mean_move_pct(&new, &old), Some(0.0));
        let runs = |adds: &[f64]| -> Vec<ResultsFile> {
            adds.iter().map(|&a| ResultsFile { results: vec![row("add", vec![a; 10])], ..ResultsFile::new() }).collect()
        };
        // Three saved runs put the row within 2% of itself (the reference rows moved 1%): the
        // 50% slowdown is allowed that 2% compounded with the machine's 2.4%, 4.4%.
        let known = History::of(&runs(&[100.0, 102.0, 101.0]));
        let (pct, source) = row_noise(&old, &new, Some(&known), 1.0, Spread::default());
        let compounded = 100.0 * (1.02 * (1.0 + mean / 100.0) - 1.0);
        assert!((pct - compounded).abs() < 1e-9 && source == NoiseSource::MachineMean, "{pct} {source:?}");
        // A row that moves 60% by itself over them is allowed that and the machine's move.
        let wide = History::of(&runs(&[100.0, 160.0, 120.0]));
        assert!((row_noise(&old, &new, Some(&wide), 1.0, Spread::default()).0 - 100.0 * (1.6 * (1.0 + mean / 100.0) - 1.0)).abs() < 1e-9);
        // A machine no slower in NEW adds nothing to the row's own noise.
        let (pct, source) = row_noise(&new, &old, Some(&known), 1.0, Spread::default());
        assert!((pct - 2.0).abs() < 1e-9 && source == NoiseSource::History(3), "{pct} {source:?}");
        // Two saved runs are too few to know the row: the largest move stands.
        let two = History::of(&runs(&[100.0, 102.0]));
        assert_eq!(row_noise(&old, &new, Some(&two), 3.0, Spread::default()), (75.0, NoiseSource::Machine));
        assert_eq!(machine_allowance_pct(&old, &new, Some(&known)), Some(mean));
    }

    #[test]
    fn a_row_measured_while_the_machine_was_slower_is_allowed_that_move() {
        let with = |ns: f64, machine: Vec<f64>| ResultRow { machine_ref_ns: machine, ..row("add", vec![ns; 10]) };
        // The machine was 400 ns a pass around OLD, 600 after NEW's samples: a 50% move.
        let (old, new) = (with(100.0, vec![400.0, 400.0]), with(140.0, vec![420.0, 600.0]));
        assert!((machine_move_pct(&old, &new).unwrap() - 50.0).abs() < 1e-9);
        assert_eq!(row_noise(&old, &new, None, 3.0, Spread::default()), (50.0, NoiseSource::Machine));
        // Either way: a machine faster in NEW moved as much.
        assert!((machine_move_pct(&new, &old).unwrap() - 50.0).abs() < 1e-9);
        // The same state in both runs: no allowance of its own, the reference's stands.
        let same = with(140.0, vec![401.0, 399.0]);
        assert!(machine_move_pct(&old, &same).unwrap() < 0.6);
        assert_eq!(row_noise(&old, &same, None, 3.0, Spread::default()), (3.0, NoiseSource::Reference));
        // A row without readings (an older file, a --quick run): none.
        assert_eq!(machine_move_pct(&old, &row("add", vec![100.0; 10])), None);
        assert_eq!(machine_move_pct(&with(1.0, vec![0.0]), &old), None);
        // Both rows' statistics from the fast state (slower samples set aside): the machine's
        // move around them is not theirs, and allows nothing.
        let fast_row = |ns: f64, slow_at: usize| {
            let mut readings = vec![400.0; 10];
            readings[slow_at] = 600.0;
            ResultRow::from_raw(RawRow {
                machine_ref_ns: vec![400.0, 400.0, 600.0, 600.0],
                sample_machine_ns: readings,
                machine_fast_ns: Some(400.0),
                ..row("add", vec![ns; 10]).raw()
            })
        };
        // A row whose worker processes lay 20% apart is allowed that much.
        let mut spread = row("add", vec![100.0; 10]);
        spread.process_spread_pct = Some(20.0);
        assert_eq!(runs_noise(&row("add", vec![100.0; 10]), &spread, None, 3.0, Spread::default()), (20.0, NoiseSource::Processes));
        let (old, new) = (fast_row(100.0, 3), fast_row(140.0, 7));
        assert!(old.in_fast_state() && new.set_aside == 2);
        assert_eq!(row_noise(&old, &new, None, 3.0, Spread::default()), (3.0, NoiseSource::Reference));
    }

    #[test]
    fn a_history_keeps_the_level_of_each_worker_process() {
        // Two processes a run: one run read 100 and 160 (a mean of 130), the next 100 and 100.
        let two = |a: f64, b: f64| {
            let first = RawRow { sample_ns_per_op: vec![a; 10], ..raw("add", 1.0) };
            let second = crate::results::ProcessSamples::of(&RawRow { sample_ns_per_op: vec![b; 10], ..raw("add", 1.0) });
            ResultRow::from_raw(RawRow { more_processes: vec![second], ..first })
        };
        let runs = [ResultsFile { results: vec![two(100.0, 160.0)], ..ResultsFile::new() }, ResultsFile { results: vec![two(100.0, 100.0)], ..ResultsFile::new() }];
        let h = History::of(&runs);
        let key = runs[0].results[0].key.clone();
        assert_eq!(runs[0].results[0].process_means, vec![100.0, 160.0]);
        // The process that read 160 counts, not only the runs' means (130 and 100: 30%).
        assert!((h.spread_pct(&key).unwrap() - 60.0).abs() < 1e-9, "{:?}", h.spread_pct(&key));
        assert_eq!(h.runs_of(&key), 2);
    }

    #[test]
    fn each_engine_is_allowed_how_far_most_of_its_rows_processes_lay_apart() {
        // Ten rows of one engine whose processes lay 1..=10% apart, and one of another.
        let spread = |runtime: &str, scenario: &str, pct: Option<f64>| {
            let mut r = row(scenario, vec![100.0; 10]);
            r.key.runtime = runtime.into();
            r.process_spread_pct = pct;
            r
        };
        let mut rows: Vec<ResultRow> = (1..=10).map(|i| spread("wasmi", &format!("s{i}"), Some(i as f64))).collect();
        rows.push(spread("wasm3", "noop", Some(30.0)));
        // A row measured in one process says nothing of its engine.
        rows.push(spread("wasm2c", "noop", None));
        let old = ResultsFile { results: rows, ..ResultsFile::new() };
        let e = EngineSpread::of([&old]);
        // The 90th percentile by nearest rank: of ten, the second largest.
        assert_eq!(e.pct(&spread("wasmi", "other", None).key), Some(9.0));
        assert_eq!(e.pct(&spread("wasm3", "add", None).key), Some(30.0));
        assert_eq!(e.pct(&spread("wasm2c", "noop", None).key), None);
        // Over OLD and NEW, the larger.
        let new = ResultsFile { results: vec![spread("wasmi", "s1", Some(12.0))], ..ResultsFile::new() };
        assert_eq!(EngineSpread::of([&old, &new]).pct(&spread("wasmi", "s1", None).key), Some(12.0));
        // The engines a gate of 5% is blind under, the largest allowance first.
        assert_eq!(EngineSpread::of([&old, &new]).above(5.0), vec![("rust", "wasm3", 30.0), ("rust", "wasmi", 12.0)]);
        assert!(EngineSpread::of([&old, &new]).above(30.0).is_empty());
        // The gate allows a row its engine's spread when that is its largest noise.
        let (a, b) = (row("add", vec![100.0; 10]), row("add", vec![100.0; 10]));
        let engine = |e: f64| Spread { engine: Some(e), scenario: None };
        assert_eq!(runs_noise(&a, &b, None, 3.0, engine(9.0)), (9.0, NoiseSource::Engine));
        assert_eq!(row_noise(&a, &b, None, 3.0, engine(2.0)), (3.0, NoiseSource::Reference));
    }

    #[test]
    fn a_scenarios_rows_are_allowed_how_far_most_of_its_rows_processes_lay_apart() {
        // wasm2c's host_import: where a process lands moves all its rows together, here 65%
        // in most of them; the engine's other rows barely move.
        let spread = |scenario: &str, calls: u32, pct: Option<f64>| {
            let mut r = row(scenario, vec![100.0; 10]);
            r.key.runtime = "wasm2c".into();
            r.key.params = [("calls".to_string(), calls as u64)].into();
            r.process_spread_pct = pct;
            r
        };
        let mut rows: Vec<ResultRow> = (1..=30).map(|i| spread(&format!("s{i}"), 1, Some(1.0))).collect();
        rows.extend([spread("host_import", 1, Some(2.0)), spread("host_import", 16, Some(60.0)), spread("host_import", 256, Some(65.0))]);
        // A scenario of one row measured in more than one process: no more than that row says.
        rows.push(spread("alone", 1, Some(40.0)));
        rows.push(spread("alone", 2, None));
        let old = ResultsFile { results: rows, ..ResultsFile::new() };
        let e = EngineSpread::of([&old]);
        let unanimous = spread("host_import", 256, Some(0.5));
        // Of three rows, the nearest rank of 90% is the largest.
        assert_eq!(e.spread(&unanimous.key), Spread { engine: Some(2.0), scenario: Some(65.0) });
        assert_eq!(e.scenario_pct(&spread("alone", 1, None).key), None);
        assert_eq!(e.scenario_pct(&spread("s1", 1, None).key), None);
        // A row whose processes all landed alike in OLD and in NEW is allowed its scenario's spread.
        let (a, b) = (unanimous.clone(), unanimous.clone());
        assert_eq!(runs_noise(&a, &b, None, 0.3, e.spread(&a.key)), (65.0, NoiseSource::Scenario));
        // Listed where it is more than the threshold and more than the engine allows.
        assert_eq!(e.scenarios_above(5.0), vec![("rust", "wasm2c", "host_import", 65.0)]);
        assert!(e.scenarios_above(65.0).is_empty());
    }

    #[test]
    fn the_gate_uses_each_rows_noise() {
        let cmp = comparison(vec![change(12.0, 9.0, Verdict::Slower)]);
        // 12% slower: within a row noise of 8% (5 + 8 > 12), beyond one of 2%.
        assert!(regressions_beyond_row_noise(&cmp, 5.0, |_| 8.0).is_empty());
        let bad = regressions_beyond_row_noise(&cmp, 5.0, |_| 2.0);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].1, 2.0);
    }

    #[test]
    fn the_gate_allows_for_the_noise() {
        let cmp = comparison;
        // 7% slower, significant: fails a 5% gate on a quiet machine, passes with 3% noise.
        let c = cmp(vec![change(7.0, 6.0, Verdict::Slower)]);
        assert_eq!(regressions_beyond_noise(&c, 5.0, 0.0).len(), 1);
        assert!(regressions_beyond_noise(&c, 5.0, 3.0).is_empty());
        // Twice as slow fails whatever the noise of a usable machine.
        let c = cmp(vec![change(100.0, 90.0, Verdict::Slower)]);
        assert_eq!(regressions_beyond_noise(&c, 5.0, 8.0).len(), 1);
        // Not significant, or faster: never.
        let c = cmp(vec![change(100.0, -5.0, Verdict::Same), change(-50.0, -60.0, Verdict::Faster)]);
        assert!(regressions_beyond_noise(&c, 5.0, 0.0).is_empty());
        // Beyond PCT + noise by its estimate but its interval reaches into the noise.
        let c = cmp(vec![change(12.0, 2.0, Verdict::Slower)]);
        assert!(regressions_beyond_noise(&c, 5.0, 3.0).is_empty());
    }
}
