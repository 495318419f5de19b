//! Percentile bootstrap over several independent rows of samples.
//!
//! Each row's samples are resampled with replacement on their own (the rows were measured
//! apart), each resample's estimate taken (the row estimator, [`super::estimate`]: the
//! mean of the samples), and a statistic of those estimates computed per replicate; its
//! interval is the replicates' percentiles. The generator is ChaCha8
//! seeded from a label, so the same file always gives the same intervals.

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// Replicates per interval: enough for stable 2.5% / 97.5% percentiles.
pub const RESAMPLES: usize = 1000;

/// FNV-1a of a label: the seed of that label's bootstrap.
pub fn seed_of(label: &str) -> u64 {
    label.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// The median, reordering `x` in place. NaN for no samples.
pub fn median_in_place(x: &mut [f64]) -> f64 {
    let n = x.len();
    if n == 0 {
        return f64::NAN;
    }
    let (_, &mut hi, _) = x.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        hi
    } else {
        let lo = x[..n / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo + hi) / 2.0
    }
}

pub fn median(x: &[f64]) -> f64 {
    median_in_place(&mut x.to_vec())
}

/// The estimates of several rows, and `resamples` bootstrap replicates of them.
#[derive(Debug, Clone)]
pub struct Replicates {
    /// The rows' own estimates.
    pub point: Vec<f64>,
    /// `reps[b][i]`: the estimate of replicate `b` of row `i`.
    pub reps: Vec<Vec<f64>>,
}

impl Replicates {
    /// A statistic of the estimates: its value and its percentile interval at `confidence`.
    pub fn estimate(&self, confidence: f64, f: impl Fn(&[f64]) -> f64) -> (f64, f64, f64) {
        let value = f(&self.point);
        let mut values: Vec<f64> = self.reps.iter().map(|m| f(m)).collect();
        let (lo, hi) = percentile_interval(&mut values, confidence);
        (value, lo, hi)
    }
}

/// Resamples each row (a slice of samples) with replacement, `resamples` times.
/// An empty row gives NaN estimates.
pub fn estimates(rows: &[&[f64]], resamples: usize, seed: u64) -> Replicates {
    let point: Vec<f64> = rows.iter().map(|r| super::estimate(r)).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut buf: Vec<Vec<f64>> = rows.iter().map(|r| vec![0.0; r.len()]).collect();
    let mut reps = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let mut m = Vec::with_capacity(rows.len());
        for (row, b) in rows.iter().zip(buf.iter_mut()) {
            for x in b.iter_mut() {
                *x = row[rng.random_range(0..row.len())];
            }
            m.push(super::estimate(b));
        }
        reps.push(m);
    }
    Replicates { point, reps }
}

/// The `(1 - confidence) / 2` and `(1 + confidence) / 2` percentiles of the finite values
/// (NaN, NaN when there are none).
pub fn percentile_interval(values: &mut Vec<f64>, confidence: f64) -> (f64, f64) {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    values.sort_by(f64::total_cmp);
    let tail = (1.0 - confidence) / 2.0;
    let at = |q: f64| values[((q * (values.len() - 1) as f64).round() as usize).min(values.len() - 1)];
    (at(tail), at(1.0 - tail))
}

/// Percentile bootstrap interval of `estimate(new) / estimate(old)`.
pub fn ratio_ci(old: &[f64], new: &[f64], confidence: f64, resamples: usize, seed: u64) -> (f64, f64) {
    if old.is_empty() || new.is_empty() || resamples == 0 {
        return (f64::NAN, f64::NAN);
    }
    let reps = estimates(&[old, new], resamples, seed);
    let (_, lo, hi) = reps.estimate(confidence, |m| if m[0] > 0.0 { m[1] / m[0] } else { f64::NAN });
    (lo, hi)
}
