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
//! `compare --fail-above PCT` then fails a row only when its slowdown is significant
//! (the comparison's verdict: Mann–Whitney and the bootstrap interval agree), larger
//! than PCT plus the noise, and its interval's lower end is beyond the noise
//! ([`regressions_beyond_noise`]).

use crate::compare::{Comparison, RowChange, Verdict};
use crate::results::RawRow;
use crate::stats::estimate;
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
    pub fn drifts(&self) -> Vec<Drift> {
        self.start
            .iter()
            .filter_map(|s| {
                let e = self.end.iter().find(|e| e.key == s.key)?;
                let (a, b) = (estimate(&s.sample_ns_per_op), estimate(&e.sample_ns_per_op));
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
    cmp.rows
        .iter()
        .filter(|c| c.verdict == Verdict::Slower && c.change_pct > pct + noise_pct && c.ci_low_pct > noise_pct)
        // A row both files counted is gated on its instructions, never on time.
        .filter(|c| !cmp.counts.iter().any(|k| k.key == c.key))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::RowKey;

    fn raw(scenario: &str, ns: f64) -> RawRow {
        RawRow {
            key: RowKey { host: "rust".into(), runtime: "native".into(), api: "direct".into(), scenario: scenario.into(), params: Default::default(), guest_variant: crate::results::DEFAULT_GUEST_VARIANT.into() },
            iters_per_sample: 1000,
            sample_ns_per_op: vec![ns, ns],
            verified: true,
            metrics: Default::default(),
            input_sha256: None,
            stop: None,
        }
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

    #[test]
    fn the_gate_allows_for_the_noise() {
        let cmp = |rows| Comparison {
            options: Default::default(),
            rows,
            only_old: vec![],
            only_new: vec![],
            geomean_ratio: None,
            components: vec![],
            warnings: vec![],
            counts: vec![],
        };
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
